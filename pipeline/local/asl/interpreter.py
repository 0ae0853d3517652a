"""Run an Amazon States Language definition, as AWS Step Functions would.

``run_state_machine`` validates the definition, then runs it in a worker thread while the
calling thread watches for the end, for ``cancel`` (-> ABORTED) and for the machine's
``TimeoutSeconds`` (-> TIMED_OUT). Each state type has one small handler; Retry and Catch
wrap the handlers of Task, Parallel and Map. Every wait (Wait states, retry backoff, a Task
in flight) is interruptible, so a cancelled run stops promptly. History events go to
``on_event`` in the shape of ``get_execution_history`` (see ``events``).
"""

from __future__ import annotations

import copy
import json
import os
import random
import threading
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

from pipeline.local.asl.choice import choose_next, is_number, parse_timestamp
from pipeline.local.asl.errors import StatesError
from pipeline.local.asl.events import NOT_TRUNCATED, EventLog, Thread, resource_parts
from pipeline.local.asl.paths import (
    RUNTIME,
    apply_input_path,
    apply_output_path,
    apply_result_path,
    apply_template,
    evaluate_dynamic,
    require,
    to_json,
)
from pipeline.local.asl.validation import validate_definition

SUCCEEDED, FAILED, TIMED_OUT, ABORTED = "SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED"
TASK_FAILED, TIMEOUT = "States.TaskFailed", "States.Timeout"
# Errors that neither Retry nor Catch can handle, as AWS documents them.
UNCATCHABLE = frozenset({RUNTIME, "States.DataLimitExceeded"})
MAX_MAP_THREADS = 32
# How often the watching thread looks at ``cancel`` (an external Event has no callback).
CANCEL_CHECK_SECONDS = 0.02


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


class _Stopped(Exception):
    """The thread of execution was stopped (cancel, timeout, or a failed sibling branch)."""


class Scope:
    """A stop signal shared by a thread of execution and everything it started.

    Stopping a scope stops its children and wakes everything waiting in it, so no wait
    outlives a cancel.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._stopped = False
        self._children: list[Scope] = []
        self._waiters: set[threading.Event] = set()

    @property
    def stopped(self) -> bool:
        """Whether ``stop`` was called here or on an ancestor."""
        return self._stopped

    def child(self) -> Scope:
        """A scope stopped with this one (a Map's iterations, a Parallel's branches)."""
        child = Scope()
        with self._lock:
            self._children.append(child)
            if self._stopped:
                child.stop()
        return child

    def stop(self) -> None:
        """Stop this scope and its children; wake every waiter."""
        with self._lock:
            self._stopped = True
            children, waiters = list(self._children), list(self._waiters)
        for event in waiters:
            event.set()
        for child in children:
            child.stop()

    def wait(self, event: threading.Event, seconds: float | None) -> bool:
        """Wait for ``event`` up to ``seconds``; returns whether it was set (stop sets it too)."""
        with self._lock:
            if self._stopped:
                return True
            self._waiters.add(event)
        try:
            return event.wait(seconds)
        finally:
            with self._lock:
                self._waiters.discard(event)

    def sleep(self, seconds: float) -> None:
        """Sleep ``seconds`` unless stopped first; the default ``sleep`` of a run."""
        self.wait(threading.Event(), max(0.0, seconds))


def run_state_machine(
    definition: dict | str,
    execution_input: Any,
    *,
    resources: Resources,
    context: dict | None = None,
    on_event: Callable[[dict], Any] | None = None,
    cancel: threading.Event | None = None,
    sleep: Callable[[float], Any] | None = None,
) -> ExecutionResult:
    """Run ``definition`` on ``execution_input`` until it ends; returns how it ended.

    ``definition`` is the ASL dict (or its JSON text); it is validated first and a
    ``DefinitionError`` is raised before any event if it is invalid. ``context`` supplies
    ``$$.Execution`` and ``$$.StateMachine`` fields (defaults are made up). ``cancel`` ends
    the run ABORTED as soon as it is set. ``sleep(seconds)`` replaces the real waits of Wait
    states and retry backoff (tests record the intervals with it).
    """
    if isinstance(definition, str):
        definition = json.loads(definition)
    validate_definition(definition)
    execution_input = json.loads(to_json(execution_input))
    run = _Run(definition, execution_input, resources, context, on_event, sleep)
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


def _error_matches(names: list[str], error: str) -> bool:
    if error in UNCATCHABLE:
        return False
    return any(
        name == error or name == "States.ALL" or (name == TASK_FAILED and error != TIMEOUT) for name in names
    )


class _Run:
    """One execution: the definition, its context, its history and its stop signal."""

    def __init__(self, definition, execution_input, resources, context, on_event, sleep) -> None:
        self.definition = definition
        self.input = execution_input
        self.resources = resources
        self.context = _base_context(execution_input, context)
        self.region = _region(self.context)
        self.log = EventLog(on_event)
        self.scope = Scope()
        self._sleep = sleep

    # -- the whole execution -------------------------------------------------------------
    def execute(self, cancel: threading.Event | None) -> ExecutionResult:
        top = Thread(self.log)
        top.emit(
            "ExecutionStarted",
            {
                "input": to_json(self.input),
                "inputDetails": NOT_TRUNCATED,
                "roleArn": self.context["Execution"].get("RoleArn", ""),
            },
        )
        outcome: list[ExecutionResult] = []
        done = threading.Event()

        def work() -> None:
            try:
                output = self.run_machine(self.definition, self.input, top, self.scope)
                outcome.append(ExecutionResult(SUCCEEDED, output))
            except StatesError as error:
                outcome.append(ExecutionResult(FAILED, None, error.error or None, error.cause or None))
            except _Stopped:
                pass
            except Exception as error:  # a bug in the engine or in on_event: fail, don't hang
                outcome.append(ExecutionResult(FAILED, None, RUNTIME, f"Internal error: {error!r}"))
            finally:
                done.set()

        worker = threading.Thread(target=work, daemon=True, name="asl-execution")
        worker.start()
        timeout = self.definition.get("TimeoutSeconds")
        deadline = None if timeout is None else time.monotonic() + timeout
        stopped_as = None
        while stopped_as is None:
            step = None if cancel is None else CANCEL_CHECK_SECONDS
            if deadline is not None:
                remaining = max(0.0, deadline - time.monotonic())
                step = remaining if step is None else min(step, remaining)
            if done.wait(step):
                break
            if cancel is not None and cancel.is_set():
                stopped_as = ABORTED
            elif deadline is not None and time.monotonic() >= deadline:
                stopped_as = TIMED_OUT
        if stopped_as is not None:
            self.scope.stop()
            worker.join(timeout=2.0)  # let branches record their Aborted events
            if stopped_as == ABORTED:
                top.emit("ExecutionAborted", {}, final=True)
                return ExecutionResult(ABORTED)
            cause = f"The execution ran longer than its TimeoutSeconds ({timeout} s)."
            top.emit("ExecutionTimedOut", {"error": TIMEOUT, "cause": cause}, final=True)
            return ExecutionResult(TIMED_OUT, None, TIMEOUT, cause)
        result = outcome[0]
        if result.status == SUCCEEDED:
            top.emit(
                "ExecutionSucceeded",
                {"output": to_json(result.output), "outputDetails": NOT_TRUNCATED},
                final=True,
            )
        else:
            details = {
                key: value for key, value in (("error", result.error), ("cause", result.cause)) if value
            }
            top.emit("ExecutionFailed", details, final=True)
        return result

    def run_machine(self, machine: dict, data: Any, thread: Thread, scope: Scope) -> Any:
        """Run one StartAt/States block (top level, branch, iteration) to its end; returns its output."""
        name = machine["StartAt"]
        while True:
            if scope.stopped:
                raise _Stopped
            state = machine["States"][name]
            next_name, data = self.run_state(name, state, data, thread, scope)
            if next_name is None:
                return data
            name = next_name

    # -- one state ---------------------------------------------------------------------
    def run_state(
        self, name: str, state: dict, data: Any, thread: Thread, scope: Scope
    ) -> tuple[str | None, Any]:
        """Enter, run and exit one state; returns (next state name or None at the end, output)."""
        kind = state["Type"]
        entered_id = thread.entered(kind, name, data)
        context = dict(self.context, State={"Name": name, "EnteredTime": _now_iso(), "RetryCount": 0})
        handler = getattr(self, f"_{kind.lower()}")
        try:
            if kind in ("Task", "Parallel", "Map"):
                next_name, output = self._with_retry(handler, name, state, data, thread, scope, context)
            else:
                next_name, output = handler(name, state, data, thread, scope, context)
        except StatesError as error:
            if error.error == RUNTIME and not error.cause.startswith("An error occurred while executing"):
                raise StatesError(
                    RUNTIME,
                    f"An error occurred while executing the state '{name}' "
                    f"(entered at the event id #{entered_id}). {error.cause}",
                ) from None
            raise
        if kind != "Fail":
            thread.exited(kind, name, output)
        if next_name is None:
            next_name = state.get("Next")
        return next_name, output

    def _with_retry(self, handler, name, state, data, thread, scope, context) -> tuple[str | None, Any]:
        retriers = state.get("Retry", [])
        attempts = [0] * len(retriers)
        while True:
            try:
                return handler(name, state, data, thread, scope, context)
            except StatesError as error:
                index = next(
                    (i for i, r in enumerate(retriers) if _error_matches(r["ErrorEquals"], error.error)), None
                )
                if index is not None and attempts[index] < retriers[index].get("MaxAttempts", 3):
                    retrier = retriers[index]
                    delay = (
                        retrier.get("IntervalSeconds", 1) * retrier.get("BackoffRate", 2.0) ** attempts[index]
                    )
                    if "MaxDelaySeconds" in retrier:
                        delay = min(delay, retrier["MaxDelaySeconds"])
                    if retrier.get("JitterStrategy") == "FULL":
                        delay = random.uniform(0, delay)
                    attempts[index] += 1
                    context["State"]["RetryCount"] += 1
                    self.sleep(delay, scope)
                    continue
                for catcher in state.get("Catch", []):
                    if _error_matches(catcher["ErrorEquals"], error.error):
                        error_output = {"Error": error.error, "Cause": error.cause}
                        output = apply_result_path(data, error_output, catcher.get("ResultPath", "$"))
                        return catcher["Next"], output
                raise

    def sleep(self, seconds: float, scope: Scope) -> None:
        """Wait ``seconds`` (through the injected ``sleep`` if any); stop promptly on cancel."""
        if self._sleep is not None:
            self._sleep(seconds)
        else:
            scope.sleep(seconds)
        if scope.stopped:
            raise _Stopped

    # -- handlers, one a state type: (name, state, input, thread, scope, context) -> (next, output)
    def _pass(self, name, state, data, thread, scope, context):
        effective = apply_input_path(data, state.get("InputPath", "$"), context)
        if "Parameters" in state:
            effective = apply_template(state["Parameters"], effective, context)
        result = copy.deepcopy(state["Result"]) if "Result" in state else effective
        output = apply_result_path(data, result, state.get("ResultPath", "$"))
        return None, apply_output_path(output, state.get("OutputPath", "$"), context)

    def _choice(self, name, state, data, thread, scope, context):
        effective = apply_input_path(data, state.get("InputPath", "$"), context)
        next_name = choose_next(state, effective, context, state_name=name)
        return next_name, apply_output_path(effective, state.get("OutputPath", "$"), context)

    def _succeed(self, name, state, data, thread, scope, context):
        effective = apply_input_path(data, state.get("InputPath", "$"), context)
        return None, apply_output_path(effective, state.get("OutputPath", "$"), context)

    def _fail(self, name, state, data, thread, scope, context):
        error, cause = state.get("Error", ""), state.get("Cause", "")
        if "ErrorPath" in state:
            error = evaluate_dynamic(state["ErrorPath"], data, context, field="ErrorPath")
        if "CausePath" in state:
            cause = evaluate_dynamic(state["CausePath"], data, context, field="CausePath")
        raise StatesError(str(error), str(cause))

    def _wait(self, name, state, data, thread, scope, context):
        effective = apply_input_path(data, state.get("InputPath", "$"), context)
        if "Seconds" in state:
            seconds = state["Seconds"]
        elif "SecondsPath" in state:
            seconds = require(state["SecondsPath"], effective, context, field="SecondsPath")
            if not is_number(seconds) or seconds < 0:
                raise StatesError(
                    RUNTIME, f"The SecondsPath '{state['SecondsPath']}' must give a number >= 0"
                )
        else:
            raw = state.get("Timestamp")
            if "TimestampPath" in state:
                raw = require(state["TimestampPath"], effective, context, field="TimestampPath")
            when = parse_timestamp(raw)
            if when is None:
                raise StatesError(RUNTIME, f"The Wait timestamp {raw!r} is not an ISO 8601 timestamp")
            seconds = max(0.0, (when - datetime.now(UTC)).total_seconds())
        if seconds > 0:
            self.sleep(seconds, scope)
        return None, apply_output_path(effective, state.get("OutputPath", "$"), context)

    def _finish(self, state: dict, data: Any, result: Any, context: dict) -> Any:
        """ResultSelector, ResultPath and OutputPath of Task, Parallel and Map."""
        if "ResultSelector" in state:
            result = apply_template(state["ResultSelector"], result, context)
        output = apply_result_path(data, result, state.get("ResultPath", "$"))
        return apply_output_path(output, state.get("OutputPath", "$"), context)

    def _task(self, name, state, data, thread, scope, context):
        effective = apply_input_path(data, state.get("InputPath", "$"), context)
        timeout = state.get("TimeoutSeconds")
        if "TimeoutSecondsPath" in state:
            path = state["TimeoutSecondsPath"]
            timeout = require(path, effective, context, field="TimeoutSecondsPath")
            if not is_number(timeout) or timeout <= 0:
                raise StatesError(
                    RUNTIME, f"The TimeoutSecondsPath '{path}' must give a number > 0, got {timeout!r}"
                )
        if "Parameters" in state:
            effective = apply_template(state["Parameters"], effective, context)
        resource = state["Resource"]
        kind, short = resource_parts(resource)
        scheduled = {
            "resourceType": kind,
            "resource": short,
            "region": self.region,
            "parameters": to_json(effective),
        }
        if timeout is not None:
            scheduled["timeoutInSeconds"] = timeout
        thread.emit("TaskScheduled", scheduled)
        thread.emit("TaskStarted", {"resourceType": kind, "resource": short})
        try:
            result = self._invoke(resource, effective, name, timeout, scope)
        except _Stopped:
            thread.emit("TaskStateAborted")
            raise
        except StatesError as error:
            event = "TaskTimedOut" if error.error == TIMEOUT else "TaskFailed"
            thread.emit(
                event, {"resourceType": kind, "resource": short, "error": error.error, "cause": error.cause}
            )
            raise
        thread.emit(
            "TaskSucceeded",
            {
                "resourceType": kind,
                "resource": short,
                "output": to_json(result),
                "outputDetails": NOT_TRUNCATED,
            },
        )
        return None, self._finish(state, data, result, context)

    def _invoke(self, resource: str, parameters: Any, name: str, timeout: float | None, scope: Scope) -> Any:
        """Call ``resources.invoke`` in a worker thread, so TimeoutSeconds and cancel are enforced."""
        outcome: dict[str, Any] = {}
        done = threading.Event()

        def call() -> None:
            try:
                outcome["result"] = self.resources.invoke(
                    resource, parameters, state_name=name, timeout=timeout
                )
            except StatesError as error:
                outcome["error"] = error
            except Exception as error:
                outcome["error"] = StatesError(TASK_FAILED, str(error) or type(error).__name__)
            except BaseException as error:  # e.g. SystemExit: the task failed, it did not time out
                outcome["error"] = StatesError(TASK_FAILED, f"{type(error).__name__}: {error}")
            finally:
                done.set()

        threading.Thread(target=call, daemon=True, name=f"asl-task-{name}").start()
        scope.wait(done, timeout)
        if "error" in outcome:
            raise outcome["error"]
        if "result" in outcome:
            return json.loads(to_json(outcome["result"]))
        if scope.stopped:
            raise _Stopped
        raise StatesError(
            TIMEOUT, f"The task '{name}' did not finish within its TimeoutSeconds ({timeout} s)."
        )

    def _parallel(self, name, state, data, thread, scope, context):
        effective = apply_input_path(data, state.get("InputPath", "$"), context)
        if "Parameters" in state:
            effective = apply_template(state["Parameters"], effective, context)
        thread.emit("ParallelStateStarted")
        branches = state["Branches"]
        results = self._fan_out(
            [(branch, effective, None) for branch in branches],
            thread,
            scope,
            len(branches),
            name,
            kind="Parallel",
        )
        return None, self._finish(state, data, results, context)

    def _map(self, name, state, data, thread, scope, context):
        effective = apply_input_path(data, state.get("InputPath", "$"), context)
        items_path = state.get("ItemsPath", "$")
        items = require(items_path, effective, context, field="ItemsPath")
        if not isinstance(items, list):
            raise StatesError(
                RUNTIME,
                f"The ItemsPath '{items_path}' of Map state '{name}' must point to an array, "
                f"got {to_json(items)}",
            )
        selector = state.get("ItemSelector", state.get("Parameters"))
        processor = state.get("ItemProcessor", state.get("Iterator"))
        runs = []
        for index, item in enumerate(items):
            if selector is None:
                item_input = copy.deepcopy(item)
            else:
                item_context = dict(context, Map={"Item": {"Index": index, "Value": item}})
                item_input = apply_template(selector, effective, item_context)
            runs.append((processor, item_input, index))
        thread.emit("MapStateStarted", {"length": len(items)})
        limit = state.get("MaxConcurrency", 0) or MAX_MAP_THREADS
        results = self._fan_out(runs, thread, scope, min(limit, MAX_MAP_THREADS), name, kind="Map")
        return None, self._finish(state, data, results, context)

    def _fan_out(
        self, runs: list, thread: Thread, scope: Scope, workers: int, name: str, *, kind: str
    ) -> list:
        """Run branches or iterations concurrently; the first failure stops the others and fails the state."""
        child_scope = scope.child()
        results: list[Any] = [None] * len(runs)
        failures: list[StatesError] = []
        lock = threading.Lock()

        def one(position: int) -> None:
            machine, item_input, index = runs[position]
            if child_scope.stopped:
                return
            branch = thread.fork()
            details = {"name": name, "index": index}
            if kind == "Map":
                branch.emit("MapIterationStarted", details)
            try:
                results[position] = self.run_machine(machine, item_input, branch, child_scope)
            except StatesError as error:
                with lock:
                    failures.append(error)
                child_scope.stop()
                if kind == "Map":
                    branch.emit("MapIterationFailed", details)
                return
            except _Stopped:
                if kind == "Map":
                    branch.emit("MapIterationAborted", details)
                return
            if kind == "Map":
                branch.emit("MapIterationSucceeded", details)

        if len(runs) == 1 or workers <= 1:
            for position in range(len(runs)):
                one(position)
        elif runs:
            with ThreadPoolExecutor(
                max_workers=max(1, min(workers, len(runs))), thread_name_prefix="asl"
            ) as pool:
                list(pool.map(one, range(len(runs))))
        if failures:
            thread.emit(f"{kind}StateFailed")
            raise failures[0]
        if scope.stopped:
            thread.emit(f"{kind}StateAborted")
            raise _Stopped
        thread.emit(f"{kind}StateSucceeded")
        return results
