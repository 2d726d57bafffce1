"""One module per CLI subcommand, each with `register(subparsers)` and `run(args, io)`.

Keep imports at the top of these modules light: `--help` must stay instant.
"""
