"""Helpers shared by the ASL interpreter tests: fake Task resources, a sleep recorder, run()."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any

from pipeline.local.asl.errors import StatesError
from pipeline.local.asl.interpreter import ExecutionResult, run_state_machine

LAMBDA = "arn:aws:states:::lambda:invoke"


@dataclass
class Invocation:
    """One call the engine made to ``resources.invoke``."""

    resource: str
    parameters: Any
    state_name: str
    timeout: float | None


@dataclass
class FakeResources:
    """Task resources for tests: ``respond(parameters)`` gives the result (default: echo).

    ``failures`` exceptions are raised first, one per call, then ``respond`` answers.
    """

    respond: Any = None
    failures: list[BaseException] = field(default_factory=list)
    calls: list[Invocation] = field(default_factory=list)

    def invoke(self, resource: str, parameters: Any, *, state_name: str, timeout: float | None) -> Any:
        self.calls.append(Invocation(resource, parameters, state_name, timeout))
        if self.failures:
            raise self.failures.pop(0)
        return parameters if self.respond is None else self.respond(parameters)


class BlockingResources:
    """A Task that blocks until released: for timeouts and cancel. Counts concurrent calls."""

    def __init__(self, hold_seconds: float = 30) -> None:
        self.hold_seconds = hold_seconds  # the most a call waits for ``release``
        self.started = threading.Event()
        self.release = threading.Event()
        self._changed = threading.Condition()
        self.running = 0
        self.max_running = 0

    def wait_until_running(self, count: int, timeout: float = 30) -> bool:
        """Block until ``count`` calls are in flight at once (False if that never happens)."""
        with self._changed:
            return self._changed.wait_for(lambda: self.running >= count, timeout)

    def invoke(self, resource: str, parameters: Any, *, state_name: str, timeout: float | None) -> Any:
        with self._changed:
            self.running += 1
            self.max_running = max(self.max_running, self.running)
            self._changed.notify_all()
        self.started.set()
        try:
            self.release.wait(self.hold_seconds)
            return parameters
        finally:
            with self._changed:
                self.running -= 1
                self._changed.notify_all()


class SleepRecorder:
    """Stands in for the run's ``sleep``: records each interval and returns at once."""

    def __init__(self) -> None:
        self.intervals: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.intervals.append(seconds)


def machine(states: dict, start: str | None = None, **top: Any) -> dict:
    """A definition from its States (StartAt defaults to the first state)."""
    return {"StartAt": start or next(iter(states)), "States": states, **top}


def run(
    definition: dict, execution_input: Any = None, resources: Any = None, **options: Any
) -> tuple[ExecutionResult, list[dict]]:
    """Run and collect the events; the default sleep is a recorder so nothing really waits."""
    events: list[dict] = []
    options.setdefault("sleep", SleepRecorder())
    result = run_state_machine(
        definition,
        {} if execution_input is None else execution_input,
        resources=resources or FakeResources(),
        on_event=events.append,
        **options,
    )
    return result, events


def fail(error: str, cause: str = "") -> StatesError:
    """A task error as an integration raises it."""
    return StatesError(error, cause)


def types(events: list[dict]) -> list[str]:
    """The event types in order."""
    return [event["type"] for event in events]
