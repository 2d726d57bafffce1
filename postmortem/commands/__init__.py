"""One module per `postmortem` subcommand, each with `register(sub)` and `run(args, io)`."""
