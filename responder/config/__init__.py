"""responder.yml: reading, the shipped JSON Schema, one validation pass that reports every problem, and
the typed model. Imports model.
"""
