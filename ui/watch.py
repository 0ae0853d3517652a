"""The Executions page's data: executions of both backends, and one execution's view, cached.

Finished executions never change, so their description, history and definition are cached
by ARN (``st.cache_data``): switching between finished runs or touching a widget reruns the
page without reading the run store or calling AWS again. A RUNNING execution is read fresh on
every refresh. The aws backend is asked only when it is configured (bucket and region set) or
chosen in the sidebar, so the page makes no AWS call for users who only run locally.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pandas as pd
import streamlit as st

from pipeline.executions import TERMINAL_STATUSES, StillWaiting, wait_for_execution
from ui.backend import active_backend_name, backend, backend_of

#: Columns of the executions table, in display order (ARN last, hidden by the page).
TABLE_COLUMNS = ["Name", "Status", "Backend", "Started", "Duration (s)", "k", "Dataset", "ARN"]


def aws_configured() -> bool:
    """Whether to list aws executions: the user chose aws, or its bucket and region are set."""
    if active_backend_name() == "aws":
        return True
    from pipeline.backends.aws_settings import AwsSettings
    from pipeline.errors import StudioError

    try:
        settings = AwsSettings.from_environment()
    except StudioError:
        return True  # broken settings: listing shows the error as a warning, which helps fix them
    return bool(settings.region and settings.bucket)


@st.cache_data(ttl=15, show_spinner=False)
def _aws_items() -> list[dict[str, Any]]:
    # Each aws listing costs one API call per execution: keep it for a few seconds.
    return backend("aws").list_executions()


def refresh_listing() -> None:
    """Forget the cached aws listing (after starting a run, so it shows at once)."""
    _aws_items.clear()


def _rows(items: list[dict[str, Any]], backend_name: str, now: dt.datetime) -> list[dict[str, Any]]:
    rows = []
    for item in items:
        start = pd.Timestamp(item["startDate"])
        stop = pd.Timestamp(item["stopDate"]) if item.get("stopDate") else pd.Timestamp(now)
        rows.append(
            {
                "Name": item["name"],
                "Status": item["status"],
                "Backend": backend_name,
                "Started": start,
                "Duration (s)": round((stop - start).total_seconds(), 1),
                "k": (item.get("parameters") or {}).get("k"),
                "Dataset": item.get("dataset", ""),
                "ARN": item["executionArn"],
            }
        )
    return rows


def executions_table() -> tuple[pd.DataFrame, list[str]]:
    """Executions of both backends newest first, and warnings for a backend that could not list.

    A failing aws listing never hides the local executions: its message comes back as a warning.
    """
    now = dt.datetime.now(dt.UTC)
    rows: list[dict[str, Any]] = []
    warnings: list[str] = []
    rows += _rows(backend("local").list_executions(), "local", now)
    if aws_configured():
        try:
            rows += _rows(_aws_items(), "aws", now)
        except Exception as error:  # StudioError has the sentence; anything else is named
            warnings.append(f"AWS executions are not listed: {error}")
    table = pd.DataFrame(rows, columns=TABLE_COLUMNS)
    if not table.empty:
        table["Started"] = pd.to_datetime(table["Started"], utc=True)
        table = table.sort_values("Started", ascending=False, ignore_index=True)
    return table, warnings


@dataclass(frozen=True)
class ExecutionView:
    """What the page draws for one execution: its description, events and definition."""

    description: dict[str, Any]
    events: list[dict[str, Any]]
    definition: dict[str, Any]

    @property
    def status(self) -> str:
        """``RUNNING``, ``SUCCEEDED``, ``FAILED``, ``TIMED_OUT`` or ``ABORTED``."""
        return self.description["status"]


@st.cache_data(ttl=600, max_entries=8, show_spinner=False)
def _definition(backend_name: str, state_machine_arn: str) -> dict[str, Any]:
    return backend(backend_name).state_machine_definition(state_machine_arn)


def _read(execution_arn: str) -> ExecutionView:
    runner = backend_of(execution_arn)
    description = runner.describe(execution_arn)
    events = runner.history(execution_arn)
    if description["status"] == "RUNNING" and any(e["type"].startswith("Execution") for e in events[1:]):
        description = runner.describe(execution_arn)  # it ended between the two reads
    definition = _definition(runner.name, description["stateMachineArn"])
    return ExecutionView(description, events, definition)


@st.cache_data(max_entries=32, show_spinner=False)
def _finished(execution_arn: str) -> ExecutionView:
    return _read(execution_arn)


def execution_view(execution_arn: str, listed_status: str | None = None) -> ExecutionView:
    """One execution's description, history and definition; cached once it has finished.

    ``listed_status`` is the status the executions table showed: a terminal one is final, so
    the cached view is used without asking the backend.
    """
    if listed_status in TERMINAL_STATUSES:
        return _finished(execution_arn)
    view = _read(execution_arn)
    return _finished(execution_arn) if view.status in TERMINAL_STATUSES else view


def wait_until_ended(execution_arn: str, timeout: float = 15.0) -> str:
    """Poll an execution (after Stop) until it is no longer RUNNING or ``timeout`` passes; its status."""
    try:
        description = wait_for_execution(
            backend_of(execution_arn).describe, execution_arn, timeout=timeout, interval=0.2
        )
    except StillWaiting as waiting:
        description = waiting.description
    return description["status"]


def format_seconds(seconds: float | None) -> str:
    """``83.4`` -> ``1 min 23 s``; short runs keep tenths (``2.5 s``)."""
    if seconds is None:
        return "–"
    if seconds < 60:
        return f"{seconds:.1f} s"
    minutes, rest = divmod(round(seconds), 60)
    if minutes < 60:
        return f"{minutes} min {rest} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes} min"
