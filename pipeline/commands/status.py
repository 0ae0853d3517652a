"""``python -m pipeline status ARN``: an execution's status and its steps, from either backend."""

from __future__ import annotations

import argparse
from typing import Any

HELP = "Show an execution's status and the status of each of its steps."


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The execution ARN; the backend is read from it unless given."""
    parser.add_argument("arn", help="execution ARN, as `python -m pipeline run` printed it")
    parser.add_argument(
        "--backend", choices=["local", "aws"], default=None, help="default: local for ARNs of region 'local'"
    )


def format_status(description: dict[str, Any], events: list[dict[str, Any]]) -> list[str]:
    """The lines ``status`` prints: the execution, then one line a step visit."""
    from pipeline.views.execution_view import step_runs
    from pipeline.workflows.runs import failure_message

    lines = [
        f"Execution: {description['executionArn']}",
        f"Status:    {description['status']}",
        f"Started:   {description.get('startDate')}",
    ]
    if description.get("stopDate"):
        lines.append(f"Stopped:   {description['stopDate']}")
    if description.get("error") or description.get("cause"):
        lines.append(f"Error:     {failure_message(description.get('error'), description.get('cause'))}")
    lines.append("Steps:")
    for step in step_runs(events, description["status"]):
        took = f"{step.duration_seconds:.1f}s" if step.duration_seconds is not None else "..."
        line = f"  {step.name:<24} {step.status:<14} {took}"
        if step.error:
            line += f"  {failure_message(step.error, step.cause)}"
        lines.append(line)
    return lines


def run(args: argparse.Namespace) -> int:
    """Print the status; exit 0 when SUCCEEDED or still RUNNING, 1 otherwise."""
    from pipeline.backends import backend_for_arn, get_backend
    from pipeline.executions import ExecutionStatus

    backend = get_backend(args.backend or backend_for_arn(args.arn))
    description = backend.describe(args.arn)
    for line in format_status(description, backend.history(args.arn)):
        print(line)
    return 0 if description["status"] in (ExecutionStatus.SUCCEEDED, ExecutionStatus.RUNNING) else 1
