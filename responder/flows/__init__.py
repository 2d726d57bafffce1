"""What does I/O on behalf of a decision: handling an event, the outage investigation, the change
engine, the sweep, failure reports, label sync.
"""
