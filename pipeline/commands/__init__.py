"""One module a command of ``python -m pipeline``: HELP, add_arguments(parser), run(args)."""
