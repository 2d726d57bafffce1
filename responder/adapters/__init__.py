"""The only code that talks to the outside: GitHub, Kubernetes, terraform, git, Vault, secrets, probes,
Woodpecker, the agent service, locks, files and subprocesses.
"""
