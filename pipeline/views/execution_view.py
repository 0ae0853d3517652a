"""What the watch page shows, derived from an execution's history events.

Both backends return events in the shape of Step Functions' ``get_execution_history``, so
one set of pure functions turns them into step statuses (for the coloured graph), a step
table (input, output, error, duration of each state) and a console-like event table. Elapsed
times use ``timedelta.total_seconds()``: the SDK's own table uses ``.microseconds`` and is
wrong past one second.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd

from pipeline.executions import ExecutionStatus, is_terminal
from pipeline.views.graph import ABORTED, CAUGHT_ERROR, FAILED, IN_PROGRESS, NOT_REACHED, SUCCEEDED

_FAILURE_EVENTS = {
    "TaskFailed",
    "TaskTimedOut",
    "TaskStartFailed",
    "TaskSubmitFailed",
    "LambdaFunctionFailed",
    "LambdaFunctionTimedOut",
    "LambdaFunctionStartFailed",
    "LambdaFunctionScheduleFailed",
    "MapStateFailed",
    "ParallelStateFailed",
}
_SUCCESS_EVENTS = {"TaskSucceeded", "LambdaFunctionSucceeded", "MapStateSucceeded", "ParallelStateSucceeded"}
_ABORT_EVENTS = {"TaskStateAborted", "MapStateAborted", "ParallelStateAborted"}
_EXECUTION_END_EVENTS = {"ExecutionSucceeded", "ExecutionFailed", "ExecutionAborted", "ExecutionTimedOut"}
_END_STATUS = {
    "ExecutionSucceeded": ExecutionStatus.SUCCEEDED,
    "ExecutionFailed": ExecutionStatus.FAILED,
    "ExecutionAborted": ExecutionStatus.ABORTED,
    "ExecutionTimedOut": ExecutionStatus.TIMED_OUT,
}
#: How a state still open when the execution ended is coloured, by the execution's (terminal) status.
_OPEN_STATE_AT_END = {
    ExecutionStatus.FAILED: FAILED,
    ExecutionStatus.TIMED_OUT: FAILED,
    ExecutionStatus.ABORTED: ABORTED,
    ExecutionStatus.SUCCEEDED: ABORTED,
}


@dataclass
class StepRun:
    """One visit of one state: what went in, what came out, how long, how it ended."""

    name: str
    state_type: str
    status: str
    entered: dt.datetime
    exited: dt.datetime | None
    input: Any = None
    output: Any = None
    error: str | None = None
    cause: str | None = None
    resource: str | None = None
    attempts: int = 0
    #: What the task returned (its ``*Succeeded`` event's output) and what it was sent.
    result: Any = None
    parameters: Any = None
    #: The id of the ``*StateEntered`` event that began the visit.
    event_id: int = 0

    @property
    def duration_seconds(self) -> float | None:
        """Seconds from entering to leaving the state (None while it runs), exact past one second."""
        if self.exited is None:
            return None
        return (self.exited - self.entered).total_seconds()

    def elapsed_seconds(self, now: dt.datetime | None = None) -> float:
        """Seconds in the state: its duration once left, the time so far while it runs."""
        end = self.exited or now or dt.datetime.now(dt.UTC)
        return (end - self.entered).total_seconds()


def _details(event: Mapping[str, Any] | None) -> Mapping[str, Any]:
    """The ``...EventDetails`` member of an event (there is at most one)."""
    for key, value in (event or {}).items():
        if key.endswith("EventDetails") and isinstance(value, Mapping):
            return value
    return {}


def _parse_json(text: Any) -> Any:
    if not isinstance(text, str):
        return text
    try:
        return json.loads(text)
    except ValueError:
        return text


def _timestamp(value: Any) -> dt.datetime:
    stamp = pd.Timestamp(value)
    if stamp.tzinfo is None:
        stamp = stamp.tz_localize("UTC")
    return stamp.to_pydatetime()


def _owner_map(events: list[Mapping[str, Any]]) -> dict[int, int]:
    """Event id -> id of the ``*StateEntered`` event of the state visit it belongs to (0: none).

    Events of concurrent branches interleave, so ownership follows ``previousEventId`` (the
    previous event of the same thread of execution) rather than the order of the list. An
    event that follows a ``*StateExited`` belongs to no state (e.g. ``ExecutionSucceeded``,
    ``MapIterationSucceeded``). ``events`` must be sorted by id.
    """
    by_id = {event["id"]: event for event in events}
    owner: dict[int, int] = {}
    for event in events:
        kind = event["type"]
        if kind.endswith("StateEntered"):
            owner[event["id"]] = event["id"]
            continue
        previous = by_id.get(event.get("previousEventId") or 0)
        if kind.startswith("Execution") or previous is None or previous["type"].endswith("StateExited"):
            owner[event["id"]] = 0
        else:
            owner[event["id"]] = owner.get(previous["id"], 0)
    return owner


def _resource(details: Mapping[str, Any]) -> str:
    resource_type, resource = details.get("resourceType"), details.get("resource")
    return f"{resource_type}:{resource}" if resource_type else str(resource or "")


def step_runs(events: Iterable[Mapping[str, Any]], execution_status: str) -> list[StepRun]:
    """Every state visit in order of entry, with its status as the console would colour it.

    A state left after a failure was caught (Catch) is a caught error; a state that failed
    and was not left is failed; a state stopped by a Stop is aborted; a state still open
    when the execution ended takes the execution's outcome (failed for FAILED and TIMED_OUT,
    aborted for ABORTED).
    """
    events = sorted(events, key=lambda e: e["id"])
    owner = _owner_map(events)
    runs: dict[int, StepRun] = {}
    outcome: dict[int, str] = {}
    ended_at: dict[int, dt.datetime] = {}
    for event in events:
        kind = event["type"]
        details = _details(event)
        if kind.endswith("StateEntered"):
            runs[event["id"]] = StepRun(
                name=details.get("name", "?"),
                state_type=kind[: -len("StateEntered")],
                status=IN_PROGRESS,
                entered=_timestamp(event["timestamp"]),
                exited=None,
                input=_parse_json(details.get("input")),
                event_id=int(event["id"]),
            )
            continue
        key = owner.get(event["id"], 0)
        run = runs.get(key)
        if run is None:
            continue
        if kind.endswith("StateExited"):
            run.exited = _timestamp(event["timestamp"])
            run.output = _parse_json(details.get("output"))
            run.status = CAUGHT_ERROR if outcome.get(key) == "failed" else SUCCEEDED
        elif kind in _FAILURE_EVENTS:
            run.error = details.get("error", run.error)
            run.cause = details.get("cause", run.cause)
            outcome[key] = "failed"
            ended_at[key] = _timestamp(event["timestamp"])
        elif kind in _SUCCESS_EVENTS:
            outcome[key] = "succeeded"
            run.result = _parse_json(details.get("output"))
            run.error = run.cause = None  # a retry succeeded: the earlier attempt's error is history
        elif kind in _ABORT_EVENTS:
            outcome[key] = "aborted"
            ended_at[key] = _timestamp(event["timestamp"])
        if kind in {"TaskScheduled", "LambdaFunctionScheduled"}:
            run.attempts += 1
            run.resource = _resource(details)
            run.parameters = _parse_json(details.get("parameters"))
    end = next((e for e in reversed(events) if e["type"] in _EXECUTION_END_EVENTS), None)
    end_time = _timestamp(end["timestamp"]) if end else None
    failure = _details(end) if end and end["type"] in {"ExecutionFailed", "ExecutionTimedOut"} else {}
    if end is not None and not is_terminal(execution_status):
        # The history already ended while the status read before it said RUNNING.
        execution_status = _END_STATUS[end["type"]]
    for key, run in runs.items():
        if run.exited is not None:
            continue
        if run.state_type == "Fail":
            run.status = FAILED
            run.exited = run.entered
            run.error = run.error or failure.get("error")
            run.cause = run.cause or failure.get("cause")
            continue
        if outcome.get(key) == "failed":
            run.status = FAILED
        elif outcome.get(key) == "aborted":
            run.status = ABORTED
        elif is_terminal(execution_status):
            run.status = _OPEN_STATE_AT_END[ExecutionStatus(execution_status)]
        else:
            continue  # still running
        run.exited = ended_at.get(key) or end_time or run.entered
    return [runs[key] for key in sorted(runs)]


def state_statuses(events: Iterable[Mapping[str, Any]], execution_status: str) -> dict[str, str]:
    """State name -> status for the graph: the latest visit of each state wins."""
    statuses: dict[str, str] = {}
    for run in step_runs(events, execution_status):
        statuses[run.name] = run.status
    return statuses


def history_table(events: Iterable[Mapping[str, Any]]) -> pd.DataFrame:
    """The console's event table: id, type, step, resource, elapsed ms since the start, timestamp.

    Elapsed time is ``timedelta.total_seconds()`` based: the SDK's table uses
    ``.microseconds``, which drops whole seconds (2.5 s shows as 500 ms).
    """
    columns = ["ID", "Type", "Step", "Resource", "Elapsed (ms)", "Timestamp"]
    events = sorted(events, key=lambda e: e["id"])
    if not events:
        return pd.DataFrame(columns=columns)
    owner = _owner_map(events)
    by_id = {event["id"]: event for event in events}
    start = _timestamp(events[0]["timestamp"])
    rows = []
    for event in events:
        details = _details(event)
        step = details.get("name") if event["type"].startswith(("MapIteration", "Map", "Parallel")) else None
        step = step or _details(by_id.get(owner.get(event["id"], 0))).get("name") or ""
        stamp = _timestamp(event["timestamp"])
        rows.append(
            {
                "ID": int(event["id"]),
                "Type": event["type"],
                "Step": str(step),
                "Resource": _resource(details),
                "Elapsed (ms)": round((stamp - start).total_seconds() * 1000),
                "Timestamp": stamp,
            }
        )
    return pd.DataFrame(rows, columns=columns)


def event_details(event: Mapping[str, Any]) -> dict[str, Any]:
    """An event's details with JSON strings (input, output, parameters) decoded for display."""
    return {key: _parse_json(value) for key, value in _details(event).items()}


def visit_name(run: StepRun, iterations: Mapping[int, str]) -> str:
    """The state's name, and the Map iteration of the visit where it was made in one (``iterations``:
    ``map_iterations.visit_labels``): "Train k (k=3)"."""
    label = iterations.get(run.event_id)
    return f"{run.name} ({label})" if label else run.name


def timeline(
    runs: Iterable[StepRun], now: dt.datetime | None = None, iterations: Mapping[int, str] | None = None
) -> pd.DataFrame:
    """One row a state visit with start and finish, for a Gantt chart; running ones end ``now``.

    ``iterations`` (``map_iterations.visit_labels``) names the Map iteration of each visit made in
    one, after its state's name: "Train k (k=3)".
    """
    now = now or dt.datetime.now(dt.UTC)
    iterations = iterations or {}
    rows = [
        {
            "Step": visit_name(run, iterations),
            "Status": run.status,
            "Start": run.entered,
            "Finish": run.exited or now,
            "Seconds": (run.exited or now).timestamp() - run.entered.timestamp(),
        }
        for run in runs
    ]
    return pd.DataFrame(rows, columns=["Step", "Status", "Start", "Finish", "Seconds"])


def timeline_alt(frame: pd.DataFrame) -> str:
    """The timeline's text alternative (its chart has no title): each visit in order, its status
    and seconds ("Prepare RFM features succeeded in 0.31 s; ...")."""
    visits = [
        f"{row.Step} {str(row.Status).lower()} in {float(row.Seconds):.2f} s"
        for row in frame.itertuples(index=False)
    ]
    return f"Timeline of {len(visits)} state visits: " + "; ".join(visits) + "."


#: The shortest bar drawn, as a share of the whole timeline: a state that took no time (a Fail
#: state, "Quality too low") still shows as a bar of its status's colour.
MIN_BAR_SHARE = 0.012


def drawn_bars(frame: pd.DataFrame) -> pd.DataFrame:
    """The timeline with every bar at least ``MIN_BAR_SHARE`` of the span long (Seconds unchanged)."""
    if frame.empty:
        return frame
    drawn = frame.copy()
    span = (drawn["Finish"].max() - drawn["Start"].min()).total_seconds()
    least = pd.Timedelta(seconds=max(span * MIN_BAR_SHARE, 0.05))
    drawn["Finish"] = drawn[["Finish"]].assign(least=drawn["Start"] + least).max(axis=1)
    return drawn


def timeline_figure(frame: pd.DataFrame):
    """A Gantt chart of state visits, one horizontal bar a visit, coloured like the graph's borders.

    Zero-length visits get a short bar (:func:`drawn_bars`); the hover gives the true seconds.
    Drawn as ``px.timeline`` draws it (a bar trace a status: ``base`` the start, ``x`` the
    milliseconds, on a date axis), but from plain dicts given to the figure at once: built
    through plotly express it took ~40 ms, a share of every switch to another run on Executions
    and of each refresh while a run goes on.
    """
    import plotly.graph_objects as go

    from pipeline.views import style  # noqa: F401 - the charts' template
    from pipeline.views.graph import STATUS_COLOURS
    from pipeline.views.text import plain_text

    colours = {status: border for status, (_, border) in STATUS_COLOURS.items()}
    drawn = drawn_bars(frame)
    traces = []
    for status, rows in drawn.groupby("Status", sort=False):
        starts = rows["Start"].tolist()
        milliseconds = ((rows["Finish"] - rows["Start"]).dt.total_seconds() * 1000).tolist()
        traces.append(
            {
                "type": "bar",
                "orientation": "h",
                "name": plain_text(str(status)),
                "legendgroup": plain_text(str(status)),
                "marker": {"color": colours.get(str(status), "#9e9e9e")},
                "base": [start.isoformat() for start in starts],
                "x": milliseconds,
                "y": [plain_text(str(step)) for step in rows["Step"]],
                "customdata": [[seconds] for seconds in rows["Seconds"]],
                "hovertemplate": "<b>%{y}</b><br>"
                + plain_text(str(status))
                + "<br>Start %{base|%H:%M:%S.%L}<br>Finish %{x|%H:%M:%S.%L}"
                "<br>%{customdata[0]:.3f} s<extra></extra>",
            }
        )
    layout = {
        "barmode": "overlay",
        # Ticks under a second apart show their milliseconds: "%H:%M:%S" alone read 20:35:20 twice.
        "xaxis": {
            "type": "date",
            "title": None,
            "tickformatstops": [
                {"dtickrange": [None, 1000], "value": "%H:%M:%S.%L"},
                {"dtickrange": [1000, None], "value": "%H:%M:%S"},
            ],
        },
        "yaxis": {"autorange": "reversed", "title": None, "tickfont": {"size": 13}},
        "height": max(220, 40 * frame["Step"].nunique() + 120),
        "legend": {"title": {"text": None}, "orientation": "h", "y": -0.2},
        "margin": {"l": 8, "r": 8, "t": 24, "b": 8},
    }
    return go.Figure({"data": traces, "layout": layout})


__all__ = [
    "ABORTED",
    "CAUGHT_ERROR",
    "FAILED",
    "IN_PROGRESS",
    "NOT_REACHED",
    "SUCCEEDED",
    "StepRun",
    "drawn_bars",
    "event_details",
    "history_table",
    "state_statuses",
    "step_runs",
    "timeline",
    "timeline_figure",
]
