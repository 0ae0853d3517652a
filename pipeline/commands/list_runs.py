"""``python -m pipeline list``: the recent runs of a backend, newest first, one line each.

Shows the run name (what ``status`` and ``report`` take), workflow, status, start time and
duration (so far, for a run still going), like the Executions page's list.
"""

from __future__ import annotations

import argparse
import datetime as dt
from typing import Any

HELP = "List the recent runs of a backend: name, workflow, status, start and duration, newest first."

#: Runs shown unless --limit says otherwise.
DEFAULT_LIMIT = 20
COLUMNS = ("NAME", "WORKFLOW", "STATUS", "STARTED", "DURATION")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """``--backend``, ``--limit`` and ``--workflow``."""
    from pipeline.workflows.registry import WORKFLOWS

    parser.add_argument(
        "--backend", choices=["local", "aws"], default="local", help="whose runs (default local)"
    )
    parser.add_argument(
        "--limit", type=int, default=DEFAULT_LIMIT, help=f"most runs shown (default {DEFAULT_LIMIT})"
    )
    parser.add_argument(
        "--workflow",
        choices=[spec.name for spec in WORKFLOWS],
        default=None,
        help="only this workflow's runs",
    )


def format_duration(seconds: float) -> str:
    """``12.3 s``, ``4 min 05 s`` or ``2 h 03 min``."""
    if seconds < 60:
        return f"{seconds:.1f} s"
    minutes, secs = divmod(round(seconds), 60)
    if minutes < 60:
        return f"{minutes} min {secs:02d} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min"


def run_row(item: dict[str, Any], now: dt.datetime | None = None) -> tuple[str, ...]:
    """One ``list_executions`` item as the columns of :data:`COLUMNS`."""
    start, stop = item.get("startDate"), item.get("stopDate")
    if not isinstance(start, dt.datetime):
        return (str(item.get("name", "")), str(item.get("workflow", "")), str(item.get("status", "")), "", "")
    end = stop if isinstance(stop, dt.datetime) else now or dt.datetime.now(dt.UTC)
    started = f"{start:%Y-%m-%d %H:%M:%S}"
    took = format_duration((end - start).total_seconds())
    return (
        str(item.get("name", "")),
        str(item.get("workflow", "")),
        str(item.get("status", "")),
        started,
        took,
    )


def format_table(rows: list[tuple[str, ...]]) -> list[str]:
    """The header and rows, each column as wide as its widest cell."""
    widths = [max(len(row[i]) for row in [COLUMNS, *rows]) for i in range(len(COLUMNS))]
    return [
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        for row in [COLUMNS, *rows]
    ]


def run(args: argparse.Namespace) -> int:
    """Print the table (or a sentence when there is no run); 0."""
    from pipeline.backends import get_backend
    from pipeline.errors import WorkflowError

    if args.limit < 1:
        raise WorkflowError(f"--limit must be at least 1 (got {args.limit}).")
    backend = get_backend(args.backend)
    items = [i for i in backend.list_executions() if args.workflow in (None, i.get("workflow"))]
    if not items:
        print(f"No runs on the {backend.name} backend yet: start one with `python -m pipeline run INPUT`.")
        return 0
    now = dt.datetime.now(dt.UTC)
    for line in format_table([run_row(item, now) for item in items[: args.limit]]):
        print(line)
    if len(items) > args.limit:
        print(f"({len(items) - args.limit} older runs not shown: raise --limit to see them.)")
    return 0
