"""Guarded Terraform, the pure parts: limits, tfvars edits, the streaming plan reader, the guardrail
verdict, change records.
"""
