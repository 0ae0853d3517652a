"""A Map state's iterations, read from an execution's history, as the console's Map view shows them.

Step Functions records a Map state as ``MapStateStarted`` (``length``: the items), then per item
``MapIterationStarted`` (``name``, ``index``), the iteration's own state events, and
``MapIterationSucceeded`` / ``Failed`` / ``Aborted``; then ``MapStateSucceeded`` (or Failed,
Aborted). Iterations run side by side, so their events interleave: an event belongs to the
iteration whose chain of ``previousEventId`` (the previous event of the same thread of
execution) leads back to its ``MapIterationStarted``.

An iteration whose error a Catch inside it handled (the sweep's "k failed") succeeds as far as
the Map is concerned; it is counted ``caught`` here, with the error and cause it caught, because
that is the failure a person looks for. Items not started yet (MaxConcurrency) are ``pending``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

SUCCEEDED = "succeeded"
CAUGHT = "caught error"
FAILED = "failed"
ABORTED = "aborted"
RUNNING = "running"
PENDING = "pending"
#: Items a Map that has ended (aborted, or failed) never started: not pending, they never will be.
NOT_STARTED = "not started"

_ITERATION_ENDS = {
    "MapIterationSucceeded": SUCCEEDED,
    "MapIterationFailed": FAILED,
    "MapIterationAborted": ABORTED,
}
_TASK_FAILURES = {"TaskFailed", "TaskTimedOut", "TaskStartFailed", "TaskSubmitFailed"}
_TASK_SUCCESSES = {"TaskSucceeded", "LambdaFunctionSucceeded"}
_MAP_ENDS = {"MapStateSucceeded", "MapStateFailed", "MapStateAborted"}


@dataclass
class Iteration:
    """One item of a Map state: its input and output, status, training job and any error."""

    index: int
    status: str = RUNNING
    input: Any = None
    output: Any = None
    training_job: str | None = None
    error: str | None = None
    cause: str | None = None
    states: list[str] = field(default_factory=list)
    #: The ids of its states' ``*StateEntered`` events: which visits of the history are its own.
    entered: list[int] = field(default_factory=list)


@dataclass
class MapRun:
    """One run of a Map state: how many items it had, and each started iteration by index."""

    name: str
    length: int
    iterations: list[Iteration]
    ended: bool = False

    def counts(self) -> dict[str, int]:
        """Iterations by status (the console's done / running / failed), the items not started
        included: pending while the Map runs, "not started" once it ended without them (a stopped
        sweep), so the counts always add up to the Map's length."""
        statuses = (SUCCEEDED, CAUGHT, FAILED, ABORTED, RUNNING, PENDING, NOT_STARTED)
        counts = dict.fromkeys(statuses, 0)
        for iteration in self.iterations:
            counts[iteration.status] += 1
        unstarted = max(0, self.length - len(self.iterations))
        counts[NOT_STARTED if self.ended else PENDING] = unstarted
        return counts


def _details(event: Mapping[str, Any]) -> Mapping[str, Any]:
    return next((v for k, v in event.items() if k.endswith("EventDetails") and isinstance(v, Mapping)), {})


def _json(text: Any) -> Any:
    if not isinstance(text, str):
        return text
    try:
        return json.loads(text)
    except ValueError:
        return text


def _training_job(event: Mapping[str, Any]) -> str | None:
    """The TrainingJobName a createTrainingJob task asked for, from its TaskScheduled event."""
    details = _details(event)
    if "createTrainingJob" not in str(details.get("resource", "")):
        return None
    parameters = _json(details.get("parameters"))
    return parameters.get("TrainingJobName") if isinstance(parameters, dict) else None


def map_runs(events: Iterable[Mapping[str, Any]]) -> list[MapRun]:
    """Every Map state run of the history, in order of starting, each with its iterations."""
    events = sorted(events, key=lambda e: e["id"])
    by_id = {event["id"]: event for event in events}
    # The Map run a MapStateStarted opens, by the id of the event that entered the Map state.
    runs: dict[int, MapRun] = {}
    run_of_started: dict[int, MapRun] = {}
    # Event id -> (map run, iteration) of the iteration it belongs to.
    owner: dict[int, tuple[MapRun, Iteration]] = {}
    for event in events:
        kind, details = event["type"], _details(event)
        previous = by_id.get(event.get("previousEventId") or 0)
        if kind == "MapStateStarted":
            entered = previous if previous and previous["type"] == "MapStateEntered" else None
            name = _details(entered).get("name", "?") if entered else "?"
            run = MapRun(name=name, length=int(details.get("length", 0)), iterations=[])
            runs[event["id"]] = run_of_started[event["id"]] = run
        elif kind == "MapIterationStarted":
            owning = run_of_started.get(event.get("previousEventId") or 0) or next(
                (r for r in reversed(runs.values()) if r.name == details.get("name")), None
            )
            if owning is not None:
                run = owning
                iteration = Iteration(index=int(details.get("index", len(run.iterations))))
                run.iterations.append(iteration)
                owner[event["id"]] = (run, iteration)
            continue
        elif kind in _MAP_ENDS:
            started = _started_of(event, by_id)
            if started in run_of_started:
                run_of_started[started].ended = True
        mine = owner.get(previous["id"]) if previous else None
        if mine is None:
            continue
        run, iteration = mine
        if kind in _ITERATION_ENDS:
            if kind == "MapIterationSucceeded" and iteration.error:
                iteration.status = CAUGHT
            else:
                iteration.status = _ITERATION_ENDS[kind]
            continue  # the iteration's thread ends here
        owner[event["id"]] = mine
        _record(iteration, kind, details, event)
    for run in runs.values():
        run.iterations.sort(key=lambda iteration: iteration.index)
    return list(runs.values())


def _started_of(event: Mapping[str, Any], by_id: Mapping[int, Mapping[str, Any]]) -> int:
    """The id of the MapStateStarted a MapState* end event closes (its thread's chain leads there)."""
    previous = by_id.get(event.get("previousEventId") or 0)
    while previous is not None and previous["type"] != "MapStateStarted":
        previous = by_id.get(previous.get("previousEventId") or 0)
    return previous["id"] if previous is not None else 0


def _record(iteration: Iteration, kind: str, details: Mapping[str, Any], event: Mapping[str, Any]) -> None:
    """What one event of an iteration tells about it."""
    if kind.endswith("StateEntered"):
        if iteration.input is None:
            iteration.input = _json(details.get("input"))
        iteration.states.append(str(details.get("name", "?")))
        iteration.entered.append(int(event["id"]))
    elif kind.endswith("StateExited"):
        iteration.output = _json(details.get("output"))
    elif kind == "TaskScheduled":
        iteration.training_job = _training_job(event) or iteration.training_job
    elif kind in _TASK_SUCCESSES:
        iteration.error = iteration.cause = None  # a retry succeeded: the earlier error is history
    elif kind in _TASK_FAILURES or (kind.startswith("LambdaFunction") and kind.endswith("Failed")):
        iteration.error = details.get("error", iteration.error)
        iteration.cause = details.get("cause", iteration.cause)


def iterations_table(run: MapRun) -> list[dict[str, Any]]:
    """One row an iteration: index, status, training job, the states it went through, the error."""
    return [
        {
            "Index": iteration.index,
            "Status": iteration.status,
            "Training job": iteration.training_job or "",
            "States": " -> ".join(iteration.states),
            "Error": iteration.error or "",
        }
        for iteration in run.iterations
    ]


def progress_label(run: MapRun) -> str:
    """The Map's iterations in a few words, for its box in the graph: "3/9 done, 1 failed, 2 running".

    Done counts the iterations that succeeded; failed counts those that failed or were caught
    inside the iteration, as the Executions page's Map section counts them; aborted, running and
    (once the Map ended) never started ones are named when there are any.
    """
    counts = run.counts()
    parts = [f"{counts[SUCCEEDED]}/{run.length} done"]
    for count, word in ((counts[FAILED] + counts[CAUGHT], "failed"), (counts[ABORTED], "aborted")):
        if count:
            parts.append(f"{count} {word}")
    if counts[RUNNING]:
        parts.append(f"{counts[RUNNING]} running")
    if counts[NOT_STARTED]:
        parts.append(f"{counts[NOT_STARTED]} not started")
    return ", ".join(parts)


def progress_labels(events: Iterable[Mapping[str, Any]]) -> dict[str, str]:
    """Map state name -> :func:`progress_label` of its latest run in the history (so far)."""
    return {run.name: progress_label(run) for run in map_runs(events)}


#: What a Map state's Parameters (or ItemSelector) give a field to hand an iteration its item.
ITEM_VALUE = "$$.Map.Item.Value"


def item_fields(definition: Mapping[str, Any]) -> dict[str, str]:
    """Map state name -> the field of its iterations' input that holds the item, for every Map
    state (nested ones included) whose Parameters or ItemSelector hand the item over as one field
    (the k sweep's ``"k.$": "$$.Map.Item.Value"``). Map states without such a field are left out."""
    fields: dict[str, str] = {}
    for name, state in (definition.get("States") or {}).items():
        if not isinstance(state, Mapping):
            continue
        if state.get("Type") == "Map":
            selector = state.get("ItemSelector") or state.get("Parameters") or {}
            held = [key[:-2] for key, value in selector.items() if key.endswith(".$") and value == ITEM_VALUE]
            if held:
                fields[name] = held[0]
        for inner in (state.get("ItemProcessor"), state.get("Iterator"), *(state.get("Branches") or ())):
            if isinstance(inner, Mapping):
                fields.update(item_fields(inner))
    return fields


def visit_labels(events: Iterable[Mapping[str, Any]], definition: Mapping[str, Any]) -> dict[int, str]:
    """``*StateEntered`` event id -> the Map iteration the visit was part of, in a few words: its
    item where the Map hands it over as one field ("k=3", as the k sweep's iterations differ),
    else its index ("iteration 2"). Visits outside any Map iteration are left out.

    Without it the k sweep's timeline read "Train k" four times and did not say which k each was.
    """
    fields = item_fields(definition)
    labels: dict[int, str] = {}
    for run in map_runs(events):
        field_name = fields.get(run.name)
        for iteration in run.iterations:
            item = iteration.input.get(field_name) if isinstance(iteration.input, dict) else None
            scalar = isinstance(item, str | int | float) and not isinstance(item, bool)
            label = f"{field_name}={item}" if field_name and scalar else f"iteration {iteration.index}"
            labels.update(dict.fromkeys(iteration.entered, label))
    return labels
