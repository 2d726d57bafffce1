"""The post-mortem as text, pure: the file and what a regeneration keeps, its templates, the index, follow-ups."""
