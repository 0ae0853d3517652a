"""``python -m pipeline local-run DEFINITION.json [--input JSON]``: run any ASL definition locally.

Useful to try a state machine without the app or an AWS account. Prints one JSON object
``{"status", "output", "error", "cause"}`` and exits 0 only when the execution SUCCEEDED
(1 otherwise); an unreadable or invalid definition exits 2 with every problem listed.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from pipeline.errors import WorkflowError

HELP = "Run a state machine definition (ASL JSON) on the embedded local engine and print the result."


class DefinitionFileError(WorkflowError):
    """The definition file cannot be read, is not JSON, or is not a valid state machine."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The definition file and the execution input."""
    parser.add_argument("definition", type=Path, help="state machine definition, an ASL JSON file")
    parser.add_argument(
        "--input",
        default="{}",
        help="execution input as JSON text, or @FILE to read it from a file (default: {})",
    )


def _read_json(text: str, what: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise DefinitionFileError(f"The {what} is not valid JSON ({error}): fix it and run again.") from None
    except RecursionError:
        raise DefinitionFileError(
            f"The {what} is nested too deeply to be read: flatten it and run again."
        ) from None


def load_definition(path: Path) -> dict:
    """Read and validate the definition, so nothing starts if it is wrong."""
    from pipeline.local.asl.errors import DefinitionError
    from pipeline.local.asl.validation import validate_definition

    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise DefinitionFileError(f"Cannot read the definition file {path}: {error.strerror}.") from None
    definition = _read_json(text, f"definition file {path}")
    try:
        validate_definition(definition)
    except DefinitionError as error:
        listed = "\n".join(f"  - {problem}" for problem in error.problems)
        raise DefinitionFileError(
            f"The definition {path} is not a valid state machine; fix these problems:\n{listed}"
        ) from None
    return definition


def load_input(text: str) -> Any:
    """The execution input from ``--input`` (JSON text, or ``@FILE``)."""
    if text.startswith("@"):
        try:
            text = Path(text[1:]).read_text(encoding="utf-8")
        except OSError as error:
            raise DefinitionFileError(f"Cannot read the input file {text[1:]}: {error.strerror}.") from None
    return _read_json(text, "execution input")


def run(args: argparse.Namespace) -> int:
    """Validate, run with the local integrations, print the result; 0 only when SUCCEEDED."""
    from pipeline.local.asl.interpreter import SUCCEEDED, run_state_machine

    definition = load_definition(args.definition)
    execution_input = load_input(args.input)
    result = run_state_machine(definition, execution_input, resources=_LazyResources())
    print(json.dumps(result.to_dict(), indent=2, default=str))
    return 0 if result.status == SUCCEEDED else 1


class _LazyResources:
    """Imports the local integrations (Lambda, SageMaker) only when a Task state runs."""

    def __init__(self) -> None:
        self._resources: Any = None

    def invoke(self, resource: str, parameters: Any, *, state_name: str, timeout: float | None) -> Any:
        """Delegate to ``pipeline.local.services.resources.LocalResources``."""
        if self._resources is None:
            from pipeline.local.services.resources import LocalResources

            self._resources = LocalResources()
        return self._resources.invoke(resource, parameters, state_name=state_name, timeout=timeout)
