"""The facts of a closed incident (timeline, incident, action items) and where its post-mortem goes: pure."""
