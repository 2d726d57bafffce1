"""Frozen records: events, state, severity levels, labels, changes, findings, cluster objects, times,
quantities. Imports only responder.errors.
"""
