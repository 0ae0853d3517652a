"""``python -m pipeline run INPUT [--workflow NAME]``: launch a workflow on a dataset, optionally wait.

``--workflow`` names one of the registry's workflows (clustering by default, price-regression);
each adds its own options (clustering: --k, --threshold, --as-of, --country; price-regression:
--rmse-threshold, --num-round, --max-depth, --eta, --features), and an option of another
workflow is refused rather than ignored.

The input is anything ``pipeline.loading.dataset.load_transactions`` reads (a path, URL or s3:// URI, in
xlsx, csv or Parquet). It is normalised to the canonical transactions, stored once as Parquet
in the loader's Parquet cache and handed to the backend, which checks the run can succeed,
uploads it and starts an execution. The execution ARN is printed first, so a script can
capture it; with ``--wait`` each state transition follows as it happens, then the final
status and, when it SUCCEEDED, the headline figures of ``python -m pipeline results``.
Exit status: 0 when the execution SUCCEEDED (or was started, without ``--wait``), 1 when it
ended otherwise, 2 when the run was refused.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pipeline.errors import WorkflowError
from pipeline.workflows.registry import WORKFLOWS, default_workflow, get_workflow
from pipeline.workflows.spec import WorkflowSpec

HELP = "Launch a workflow on a dataset (prints the execution ARN; --wait follows it)."

#: Longest --wait, in seconds, before giving up on following the execution (it keeps running).
DEFAULT_WAIT_TIMEOUT = 6 * 3600


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """INPUT, the backend, the workflow's own run parameters, and --wait."""
    parser.add_argument(
        "input", help="dataset: a path, an http(s):// URL or an s3:// URI (xlsx, csv, parquet)"
    )
    parser.add_argument(
        "--backend", choices=["local", "aws"], default="local", help="where to run (default local)"
    )
    parser.add_argument(
        "--workflow",
        choices=[spec.name for spec in WORKFLOWS],
        default=default_workflow().name,
        help=f"which workflow to run (default {default_workflow().name})",
    )
    options: dict[str, list[WorkflowOption]] = {}
    for spec in WORKFLOWS:
        group = parser.add_argument_group(f"{spec.name} options ({spec.title.lower()})")
        recorder = _OptionRecorder(group)
        spec.add_arguments(recorder)
        options[spec.name] = recorder.options
    parser.set_defaults(workflow_options=options)
    parser.add_argument("--wait", action="store_true", help="follow the execution until it ends")
    parser.add_argument(
        "--timeout", type=float, default=DEFAULT_WAIT_TIMEOUT, help="longest wait in seconds, with --wait"
    )


@dataclass(frozen=True)
class WorkflowOption:
    """One option a workflow added: where argparse stores it, its default, how it is spelt."""

    dest: str
    default: Any
    flag: str


class _OptionRecorder:
    """Passed to ``WorkflowSpec.add_arguments`` in place of the parser: adds each option to the
    workflow's argument group with no default (so an option given can be told from one not
    given) and records its real default."""

    def __init__(self, group: Any, options: list[WorkflowOption] | None = None) -> None:
        self.group = group
        self.options: list[WorkflowOption] = [] if options is None else options

    def add_mutually_exclusive_group(self, **kwargs: Any) -> _OptionRecorder:
        """Options of which at most one may be given (clustering's --k and --k-range)."""
        return _OptionRecorder(self.group.add_mutually_exclusive_group(**kwargs), self.options)

    def add_argument(self, *flags: str, **kwargs: Any) -> Any:
        default = kwargs.pop("default", None)
        action = self.group.add_argument(*flags, default=argparse.SUPPRESS, **kwargs)
        self.options.append(WorkflowOption(action.dest, default, action.option_strings[0]))
        return action


def workflow_arguments(args: argparse.Namespace) -> tuple[WorkflowSpec, argparse.Namespace]:
    """The chosen workflow and its options (given or default); an option of another workflow is a
    WorkflowError naming it."""
    spec = get_workflow(args.workflow)
    options: dict[str, list[WorkflowOption]] = args.workflow_options
    mine = {option.dest for option in options[spec.name]}
    foreign = [
        f"{option.flag} ({name})"
        for name, listed in options.items()
        if name != spec.name
        for option in listed
        if option.dest not in mine and hasattr(args, option.dest)
    ]
    if foreign:
        raise WorkflowError(
            f"Not an option of the {spec.name} workflow: {', '.join(foreign)}. Drop it, or choose "
            "its workflow with --workflow."
        )
    values = {option.dest: getattr(args, option.dest, option.default) for option in options[spec.name]}
    return spec, argparse.Namespace(**values)


def canonical_parquet(source: str) -> tuple[Path, str]:
    """Load ``source``; returns its canonical transactions as a Parquet file, and its name.

    An unchanged local file loaded before is taken from the loader's cache without importing
    pandas (about a second of the command's start-up); anything else goes through the loader.
    """
    from pipeline.loading import limits
    from pipeline.loading.remembered import remembered_parquet

    if "://" not in source:
        local = Path(source).expanduser()
        cached = remembered_parquet(local, limits.current_limits().max_bytes)
        if cached is not None:
            return cached, local.name

    from pipeline.loading import dataset as data

    dataset = data.load_transactions(source)
    return data.canonical_parquet(dataset), dataset.name


def describe_event(event: dict[str, Any]) -> str | None:
    """One line for a history event worth showing while waiting (state transitions, failures)."""
    from pipeline.workflows.runs import failure_message

    kind = event["type"]
    details: dict[str, Any] = (
        next((value for key, value in event.items() if key.endswith("EventDetails")), {}) or {}
    )
    stamp = event["timestamp"].strftime("%H:%M:%S") if hasattr(event["timestamp"], "strftime") else ""
    if kind.endswith("StateEntered"):
        return f"{stamp}  -> {details.get('name')}"
    if kind.endswith("StateExited"):
        return f"{stamp}  <- {details.get('name')}"
    if kind.endswith("Failed") or kind.endswith("TimedOut"):
        return f"{stamp}  !! {kind}: {failure_message(details.get('error'), details.get('cause'))}"
    if kind in ("ExecutionSucceeded", "ExecutionAborted"):
        return f"{stamp}  {kind}"
    return None


def follow(
    backend: Any,
    execution_arn: str,
    *,
    emit: Callable[[str], None] = print,
    timeout: float = DEFAULT_WAIT_TIMEOUT,
) -> dict[str, Any]:
    """Print each new state transition of the execution until it ends; returns its description.

    Polls every ``backend.poll_interval`` seconds with the one polling loop
    (``pipeline.executions.wait_for_execution``), reading the history after each description.
    """
    from pipeline.errors import WorkflowError
    from pipeline.executions import StillWaiting, wait_for_execution

    seen = 0

    def print_new_events(description: dict[str, Any]) -> None:
        nonlocal seen
        events = backend.history(execution_arn)
        for event in events[seen:]:
            line = describe_event(event)
            if line:
                emit(line)
        seen = len(events)

    try:
        return wait_for_execution(
            backend.describe,
            execution_arn,
            timeout=timeout,
            interval=backend.poll_interval,
            on_poll=print_new_events,
        )
    except StillWaiting:
        raise WorkflowError(
            f"Still RUNNING after {timeout:g}s; follow it with `python -m pipeline status {execution_arn}`."
        ) from None


def run(args: argparse.Namespace) -> int:
    """Launch; print the ARN; with --wait, the transitions, the final status and the figures."""
    from pipeline.backends import get_backend
    from pipeline.commands.results import headline_lines
    from pipeline.executions import ExecutionStatus
    from pipeline.workflows.runs import failure_message

    spec, options = workflow_arguments(args)
    params = spec.parameters_from_arguments(options)
    path, name = canonical_parquet(args.input)
    backend = get_backend(args.backend, single_run=True)
    execution_arn = backend.launch(path, params, dataset_name=name)
    print(execution_arn, flush=True)
    if not args.wait:
        return 0
    description = follow(backend, execution_arn, timeout=args.timeout)
    status = description["status"]
    print(f"Status: {status}")
    if status == ExecutionStatus.SUCCEEDED:
        results = backend.results(execution_arn)
        for line in headline_lines(spec.headline(results), results):
            print(line)
        return 0
    print(f"Error: {failure_message(description.get('error'), description.get('cause'))}")
    return 1
