"""Decisions as data: actions, the Decision, and the one executor that carries them out. Imports model
and render.
"""
