"""issueops-responder: an incident desk on top of a GitHub repository.

The public surface other packages (postmortem, statuspage) use is small:
config loading, the error hierarchy, the GitHub adapter and the probes.
"""

__version__ = "0.1.0"
