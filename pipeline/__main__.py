"""Command line: ``python -m pipeline COMMAND ...``.

Each command lives in its own module under ``pipeline/commands/`` exposing ``HELP`` (one
line), ``add_arguments(parser)`` and ``run(args) -> int``; this file only dispatches, and
imports a command's module only when that command runs (the app's heavy imports stay lazy).
Expected failures (``StudioError``) print their message on stderr and exit with status 2.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from types import ModuleType

from pipeline.errors import StudioError

COMMANDS = {
    "rfm": "pipeline.commands.rfm",
    "local-run": "pipeline.commands.local_run",
    "run": "pipeline.commands.run",
    "status": "pipeline.commands.status",
    "results": "pipeline.commands.results",
    "list": "pipeline.commands.list_runs",
    "report": "pipeline.commands.report",
    "deploy": "pipeline.commands.deploy",
    "export-cfn": "pipeline.commands.export_cfn",
}


def _available_commands() -> dict[str, ModuleType]:
    modules: dict[str, ModuleType] = {}
    for name, module_name in COMMANDS.items():
        try:
            modules[name] = importlib.import_module(module_name)
        except ModuleNotFoundError as error:
            if error.name != module_name:
                raise
    return modules


def main(argv: list[str] | None = None) -> int:
    """Parse ``argv`` and run the chosen command; returns the process exit status."""
    commands = _available_commands()
    parser = argparse.ArgumentParser(
        prog="python -m pipeline",
        description="RFM Workflow Studio's command line, one command a task (COMMAND --help: its options).",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    for name, module in commands.items():
        command_parser = sub.add_parser(name, help=module.HELP, description=module.HELP)
        module.add_arguments(command_parser)
    args = parser.parse_args(argv)
    try:
        return int(commands[args.command].run(args) or 0)
    except StudioError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
