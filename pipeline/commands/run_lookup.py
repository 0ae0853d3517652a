"""A run as people name it: the run name the pages and ``list`` show, or its execution ARN.

Shared by ``status`` and ``report``. An ARN names its backend (region ``local`` is the local
engine); a run name is looked up among the executions of the backend given (local by default).
"""

from __future__ import annotations

import argparse
from typing import Any

from pipeline.errors import WorkflowError


def add_run_argument(parser: argparse.ArgumentParser) -> None:
    """RUN (name or ARN) and ``--backend``."""
    parser.add_argument(
        "run",
        metavar="RUN",
        help="run name, as the app and `python -m pipeline list` show it, or execution ARN",
    )
    parser.add_argument(
        "--backend",
        choices=["local", "aws"],
        default=None,
        help="where the run is (default: read from an ARN; local for a run name)",
    )


def resolve_run(run: str, backend_name: str | None = None) -> tuple[Any, str]:
    """The backend and execution ARN of ``run`` (a run name or an ARN); WorkflowError when unknown."""
    from pipeline.backends import backend_for_arn, get_backend

    text = run.strip()
    if text.startswith("arn:"):
        return get_backend(backend_name or backend_for_arn(text)), text
    backend = get_backend(backend_name or "local")
    for item in backend.list_executions():
        if item.get("name") == text:
            return backend, str(item["executionArn"])
    raise WorkflowError(
        f"No run called '{text}' on the {backend.name} backend: "
        f"`python -m pipeline list --backend {backend.name}` shows its recent runs by name "
        "(give the name or the execution ARN it shows)."
    )
