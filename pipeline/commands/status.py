"""``python -m pipeline status RUN``: a run's status and its steps, by run name or execution ARN."""

from __future__ import annotations

import argparse
import datetime as dt
from typing import Any

from pipeline.commands.run_lookup import add_run_argument, resolve_run

HELP = "Show a run's status and the status of each of its steps (RUN: run name or execution ARN)."


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """RUN (name or ARN) and the backend."""
    add_run_argument(parser)


def when(value: Any) -> str:
    """A start or stop date as people read it, in UTC to the second (``2026-11-25 23:15:11 UTC``)."""
    if isinstance(value, dt.datetime):
        moment = value.astimezone(dt.UTC) if value.tzinfo else value
        return f"{moment:%Y-%m-%d %H:%M:%S} UTC"
    return str(value or "")


def format_status(description: dict[str, Any], events: list[dict[str, Any]]) -> list[str]:
    """The lines ``status`` prints: the execution, then one line a step visit."""
    from pipeline.views.execution_view import step_runs
    from pipeline.workflows.runs import failure_message

    lines = [
        f"Run:       {description.get('name', '')}",
        f"Execution: {description['executionArn']}",
        f"Status:    {description['status']}",
        f"Started:   {when(description.get('startDate'))}",
    ]
    if description.get("stopDate"):
        lines.append(f"Stopped:   {when(description['stopDate'])}")
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
    from pipeline.executions import ExecutionStatus

    backend, arn = resolve_run(args.run, args.backend)
    description = backend.describe(arn)
    for line in format_status(description, backend.history(arn)):
        print(line)
    return 0 if description["status"] in (ExecutionStatus.SUCCEEDED, ExecutionStatus.RUNNING) else 1
