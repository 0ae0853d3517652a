"""Run an Amazon States Language definition, as AWS Step Functions would.

``run_state_machine`` validates the definition, parses it once into typed states
(``machine``), then runs it in a worker thread while the calling thread watches for the end,
for ``cancel`` (-> ABORTED) and for the machine's ``TimeoutSeconds`` (-> TIMED_OUT). Each state
type has one small handler, found in the ``STATE_TYPES`` table (``states``); Retry and Catch
wrap the handlers of Task, Parallel and Map. Every wait (Wait states, retry backoff, a Task in
flight) is interruptible, so a cancelled run stops promptly. History events go to
``on_event`` in the shape of ``get_execution_history`` (see ``events``).
"""

from __future__ import annotations

import copy
import json
import os
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

from pipeline.local.asl.definition import load_definition
from pipeline.local.asl.errors import RUNTIME, TIMEOUT, StatesError
from pipeline.local.asl.events import (
    NOT_TRUNCATED,
    EventLog,
    HistoryLimitReached,
    Thread,
    execution_started_details,
)
from pipeline.local.asl.limits import HISTORY_LIMIT_CAUSE, check_payload, result_too_large
from pipeline.local.asl.machine import parse_machine
from pipeline.local.asl.paths import apply_result_path
from pipeline.local.asl.retry import error_matches
from pipeline.local.asl.runtime import Scope, Stopped
from pipeline.local.asl.state_types import STATE_TYPES
from pipeline.local.asl.states.base import Machine, ResultState, State
from pipeline.local.asl.validation import validate_definition
from pipeline.local.asl.values import to_json

SUCCEEDED, FAILED, TIMED_OUT, ABORTED = "SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED"
EXECUTION_INPUT_TOO_LARGE = (
    "The execution input has a size exceeding the maximum number of bytes service limit."
)
# How often the watching thread looks at ``cancel`` (an external Event has no callback).
CANCEL_CHECK_SECONDS = 0.02

__all__ = [
    "ABORTED",
    "FAILED",
    "SUCCEEDED",
    "TIMED_OUT",
    "ExecutionResult",
    "Resources",
    "Scope",
    "run_state_machine",
]


class Resources(Protocol):
    """What runs Task states: the local integrations, or a fake in tests."""

    def invoke(self, resource: str, parameters: Any, *, state_name: str, timeout: float | None) -> Any:
        """Run ``resource`` with ``parameters``; return its result or raise ``StatesError``."""


@dataclass(frozen=True)
class ExecutionResult:
    """How an execution ended: ``output`` is the JSON value (SUCCEEDED only)."""

    status: str
    output: Any = None
    error: str | None = None
    cause: str | None = None

    def to_dict(self) -> dict:
        """The result as the ``local-run`` command prints it."""
        return {"status": self.status, "output": self.output, "error": self.error, "cause": self.cause}


def run_state_machine(
    definition: dict | str,
    execution_input: Any,
    *,
    resources: Resources,
    context: dict | None = None,
    on_event: Callable[[dict], Any] | None = None,
    cancel: threading.Event | None = None,
    sleep: Callable[[float], Any] | None = None,
    started_event_id: int | None = None,
) -> ExecutionResult:
    """Run ``definition`` on ``execution_input`` until it ends; returns how it ended.

    ``definition`` is the ASL dict (or its JSON text); it is validated first and a
    ``DefinitionError`` is raised before any event if it is invalid. ``context`` supplies
    ``$$.Execution`` and ``$$.StateMachine`` fields (defaults are made up). ``cancel`` ends
    the run ABORTED as soon as it is set. ``sleep(seconds)`` replaces the real waits of Wait
    states and retry backoff (tests record the intervals with it). ``started_event_id`` says
    the caller already recorded ExecutionStarted with that id: it is not recorded again, and
    the run's events follow it.
    """
    parsed = load_definition(definition) if isinstance(definition, str) else definition
    validate_definition(parsed)
    machine = parse_machine(parsed)
    run = _Run(machine, execution_input, resources, context, on_event, sleep, started_event_id)
    return run.execute(cancel)


def _now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _base_context(execution_input: Any, context: dict | None) -> dict:
    name = str(uuid.uuid4())
    base = {
        "Execution": {
            "Id": f"arn:aws:states:local:000000000000:execution:local:{name}",
            "Name": name,
            "Input": execution_input,
            "StartTime": _now_iso(),
            "RoleArn": "arn:aws:iam::000000000000:role/local",
        },
        "StateMachine": {"Id": "arn:aws:states:local:000000000000:stateMachine:local", "Name": "local"},
    }
    for key, value in (context or {}).items():
        if isinstance(value, dict) and isinstance(base.get(key), dict):
            base[key].update(copy.deepcopy(value))
        else:
            base[key] = copy.deepcopy(value)
    return base


def _region(context: dict) -> str:
    parts = str(context.get("Execution", {}).get("Id", "")).split(":")
    if len(parts) > 3 and parts[3]:
        return parts[3]
    return os.environ.get("AWS_DEFAULT_REGION", "us-east-1")


class _Run:
    """One execution: the parsed machine, its context, its history and its stop signal.

    Implements ``runtime.Execution`` for the state handlers.
    """

    def __init__(
        self, machine: Machine, execution_input, resources, context, on_event, sleep, started_event_id
    ) -> None:
        self.machine = machine
        self.input = execution_input
        self.resources = resources
        self.context = _base_context(execution_input, context)
        self.region = _region(self.context)
        self.scope = Scope()
        self.started_event_id = started_event_id
        first_id = 1 if started_event_id is None else started_event_id + 1
        self.log = EventLog(on_event, first_id=first_id, on_full=self.scope.stop)
        self._sleep = sleep

    def _start(self, top: Thread) -> StatesError | None:
        """Record ExecutionStarted (unless the caller did); the input's problem, if it has one."""
        problem, input_text = None, ""
        try:
            check_payload(self.input, EXECUTION_INPUT_TOO_LARGE)
            input_text = to_json(self.input)
            self.input = json.loads(input_text)
        except StatesError as error:
            problem = error
        except (TypeError, ValueError) as error:
            problem = StatesError(RUNTIME, f"The execution input is not JSON: {error}")
        if self.started_event_id is None:
            details = execution_started_details(input_text, self.context["Execution"].get("RoleArn", ""))
            if problem is not None:
                details["inputDetails"] = {"truncated": True}
            top.emit("ExecutionStarted", details)
        return problem

    # -- the whole execution -------------------------------------------------------------
    def execute(self, cancel: threading.Event | None) -> ExecutionResult:
        """Run to the end, a cancel or the machine's timeout; record the final event."""
        top = Thread(self.log, self.started_event_id or 0)
        problem = self._start(top)
        if problem is not None:
            top.emit("ExecutionFailed", {"error": problem.error, "cause": problem.cause}, final=True)
            return ExecutionResult(FAILED, None, problem.error, problem.cause)
        outcome: list[ExecutionResult] = []
        done = threading.Event()

        def work() -> None:
            try:
                output = self.run_machine(self.machine, self.input, top, self.scope)
                outcome.append(ExecutionResult(SUCCEEDED, output))
            except StatesError as error:
                outcome.append(ExecutionResult(FAILED, None, error.error or None, error.cause or None))
            except (Stopped, HistoryLimitReached):
                pass  # how it ended is told by the cancel, the timeout or the full history
            except Exception as error:  # a bug in the engine or in on_event: fail, don't hang
                outcome.append(ExecutionResult(FAILED, None, RUNTIME, f"Internal error: {error!r}"))
            finally:
                done.set()

        worker = threading.Thread(target=work, daemon=True, name="asl-execution")
        worker.start()
        stopped_as = self._watch(done, cancel)
        if self.log.full:  # ExecutionFailed is already recorded, as the history's last event
            self.scope.stop()
            return ExecutionResult(FAILED, None, RUNTIME, HISTORY_LIMIT_CAUSE)
        if stopped_as is not None:
            self.scope.stop()
            worker.join(timeout=2.0)  # let branches record their Aborted events
            if stopped_as == ABORTED:
                top.emit("ExecutionAborted", {}, final=True)
                return ExecutionResult(ABORTED)
            cause = f"The execution ran longer than its TimeoutSeconds ({self.machine.timeout_seconds} s)."
            top.emit("ExecutionTimedOut", {"error": TIMEOUT, "cause": cause}, final=True)
            return ExecutionResult(TIMED_OUT, None, TIMEOUT, cause)
        result = outcome[0]
        if result.status == SUCCEEDED:
            details = {"output": to_json(result.output), "outputDetails": NOT_TRUNCATED}
            top.emit("ExecutionSucceeded", details, final=True)
        else:
            details = {
                key: value for key, value in (("error", result.error), ("cause", result.cause)) if value
            }
            top.emit("ExecutionFailed", details, final=True)
        return result

    def _watch(self, done: threading.Event, cancel: threading.Event | None) -> str | None:
        """Wait for the run to end; ABORTED or TIMED_OUT if cancel or the timeout comes first."""
        timeout = self.machine.timeout_seconds
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            step = None if cancel is None else CANCEL_CHECK_SECONDS
            if deadline is not None:
                remaining = max(0.0, deadline - time.monotonic())
                step = remaining if step is None else min(step, remaining)
            if done.wait(step):
                return None
            if cancel is not None and cancel.is_set():
                return ABORTED
            if deadline is not None and time.monotonic() >= deadline:
                return TIMED_OUT

    def run_machine(self, machine: Machine, data: Any, thread: Thread, scope: Scope) -> Any:
        """Run one StartAt/States block (top level, branch, iteration) to its end; returns its output."""
        name = machine.start_at
        while True:
            if scope.stopped:
                raise Stopped
            next_name, data = self.run_state(machine.states[name], data, thread, scope)
            if next_name is None:
                return data
            name = next_name

    # -- one state ---------------------------------------------------------------------
    def run_state(self, state: State, data: Any, thread: Thread, scope: Scope) -> tuple[str | None, Any]:
        """Enter, run and exit one state; returns (next state name or None at the end, output)."""
        entered_id = thread.entered(state.type, state.name, to_json(data))
        context = dict(self.context, State={"Name": state.name, "EnteredTime": _now_iso(), "RetryCount": 0})
        try:
            if isinstance(state, ResultState):  # Task, Parallel, Map: Retry and Catch apply
                next_name, output = self._with_retry(state, data, thread, scope, context)
            else:
                next_name, output = STATE_TYPES[state.type].run(self, state, data, thread, scope, context)
        except StatesError as error:
            if error.error == RUNTIME and not error.cause.startswith("An error occurred while executing"):
                raise StatesError(
                    RUNTIME,
                    f"An error occurred while executing the state '{state.name}' "
                    f"(entered at the event id #{entered_id}). {error.cause}",
                ) from None
            raise
        if state.type != "Fail":
            check_payload(output, result_too_large(state.name))
            thread.exited(state.type, state.name, to_json(output))
        return (state.next if next_name is None else next_name), output

    def _with_retry(
        self, state: ResultState, data: Any, thread: Thread, scope: Scope, context: dict
    ) -> tuple[str | None, Any]:
        handler = STATE_TYPES[state.type].run
        attempts = [0] * len(state.retry)
        while True:
            try:
                return handler(self, state, data, thread, scope, context)
            except StatesError as error:
                index = next(
                    (i for i, r in enumerate(state.retry) if error_matches(r.error_equals, error.error)), None
                )
                if index is not None and attempts[index] < state.retry[index].max_attempts:
                    delay = state.retry[index].delay(attempts[index])
                    attempts[index] += 1
                    context["State"]["RetryCount"] += 1
                    self.sleep(delay, scope)
                    continue
                for catcher in state.catch:
                    if error_matches(catcher.error_equals, error.error):
                        error_output = {"Error": error.error, "Cause": error.cause}
                        return catcher.next, apply_result_path(data, error_output, catcher.result_path)
                raise

    def sleep(self, seconds: float, scope: Scope) -> None:
        """Wait ``seconds`` (through the injected ``sleep`` if any); stop promptly on cancel."""
        if self._sleep is not None:
            self._sleep(seconds)
        else:
            scope.sleep(seconds)
        if scope.stopped:
            raise Stopped
