"""What people read: Markdown safety and escaping, redaction, the comment templates, the job summary.
Imports model.
"""
