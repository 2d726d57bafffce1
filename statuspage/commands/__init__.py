"""One module per `statuspage` subcommand, each with `register(sub)` and `run(args, io)`."""
