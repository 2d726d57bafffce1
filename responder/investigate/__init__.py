"""The staged investigation as data: diagnosis, blast radius, rollouts, remedies, evidence. Pure.
"""
