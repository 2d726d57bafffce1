"""responder.yml: reading, the shipped JSON Schema, one validation pass that reports every problem, and
the typed model (loader.Config), with one module per section: guardrails, investigation, agent, secrets,
statuspage and postmortem. Imports model and errors.
"""
