"""The command-line application: the app (IO, run), and one module per subcommand."""
