"""``python -m pipeline run INPUT``: launch the clustering workflow on a dataset, optionally wait.

The input is anything ``pipeline.loading.dataset.load_transactions`` reads (a path, URL or s3:// URI, in
xlsx, csv or Parquet). It is normalised to the canonical transactions, stored once as Parquet
in the loader's Parquet cache and handed to the backend, which checks the run can succeed,
uploads it and starts an execution. The execution ARN is printed first, so a script can
capture it; with ``--wait`` each state transition follows as it happens, then the final
status. Exit status: 0 when the execution SUCCEEDED (or was started, without ``--wait``),
1 when it ended otherwise, 2 when the run was refused.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pipeline.workflows.registry import default_workflow

HELP = "Launch the clustering workflow on a dataset (prints the execution ARN; --wait follows it)."

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
    default_workflow().add_arguments(parser)
    parser.add_argument("--wait", action="store_true", help="follow the execution until it ends")
    parser.add_argument(
        "--timeout", type=float, default=DEFAULT_WAIT_TIMEOUT, help="longest wait in seconds, with --wait"
    )


def canonical_parquet(source: str) -> tuple[Path, str]:
    """Load ``source``; returns its canonical transactions as a Parquet file, and its name."""
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


def print_sweep(backend: Any, execution_arn: str, emit: Callable[[str], None] = print) -> None:
    """A sweep's record (each k's scores, the chosen k), when the run swept k."""
    from pipeline.workflows.clustering.results import sweep_lines

    results = backend.results(execution_arn)
    if getattr(results, "sweep", None) is not None:
        for line in sweep_lines(results.sweep):
            emit(line)


def run(args: argparse.Namespace) -> int:
    """Launch; print the ARN; with --wait, the transitions and the final status."""
    from pipeline.backends import get_backend
    from pipeline.executions import ExecutionStatus
    from pipeline.workflows.runs import failure_message

    params = default_workflow().parameters_from_arguments(args)
    path, name = canonical_parquet(args.input)
    backend = get_backend(args.backend)
    execution_arn = backend.launch(path, params, dataset_name=name)
    print(execution_arn, flush=True)
    if not args.wait:
        return 0
    description = follow(backend, execution_arn, timeout=args.timeout)
    status = description["status"]
    print(f"Status: {status}")
    if status == ExecutionStatus.SUCCEEDED:
        output = json.loads(description.get("output") or "{}")
        if "silhouette" in output:
            k, customers = output.get("k"), output.get("customers")
            print(f"Silhouette: {output['silhouette']}  k: {k}  customers: {customers}")
        for cluster in output.get("clusters", []):
            print(f"  cluster {cluster['cluster']}: {cluster['name']} ({cluster['customers']} customers)")
        print_sweep(backend, execution_arn)
        return 0
    print(f"Error: {failure_message(description.get('error'), description.get('cause'))}")
    return 1
