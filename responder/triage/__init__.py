"""From a Situation to a Decision, pure: screening, trust, severity, intake, outages, feature requests,
duplicates, closing.
"""
