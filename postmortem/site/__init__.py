"""The post-mortem site on disk: the files, the draft made from an export and them, and the mkdocs build."""
