"""One background process an execution: ``python -m pipeline.local.worker EXECUTION_ARN``.

The local client starts this process detached from the Streamlit script run (its own session,
output to a log file), so closing the browser tab or restarting the app does not stop the
execution, and several executions run at once. The worker loads the definition and input the
execution started with from the run store, runs the interpreter, appends each history event to
the store as it happens, watches the store's stop flag (``stop_execution``) in a small thread,
and records the final status, output, error and last event in one transaction.

The same ``run_execution`` function runs in a thread of the caller's process in the client's
``mode="thread"`` (tests, benchmarks).

Starting workers, telling whether one is alive and killing one that ignores a stop are
``worker_control``'s job.

Test hook: in process mode the worker builds ``LocalResources()``; when the environment variable
``RFM_STUDIO_LOCAL_RESOURCES`` names a factory as ``package.module:callable`` or
``/path/to/file.py:callable``, it calls that instead, so tests can register their own Lambda
handlers in the worker process.
"""

from __future__ import annotations

import datetime as dt
import importlib
import importlib.util
import json
import os
import sys
import threading
import time
import traceback
from pathlib import Path
from typing import Any

from pipeline.local.asl.values import to_json
from pipeline.local.store import RunStore, RunStoreError

#: Error name recorded when the worker process vanished while its execution was RUNNING.
WORKER_DIED_ERROR = "Local.WorkerDied"

#: Error name recorded when the worker itself crashed (an engine bug, not a state failure).
WORKER_ERROR = "Local.WorkerError"

#: Environment variable naming a ``module:callable`` (or ``file.py:callable``) returning resources.
RESOURCES_ENV = "RFM_STUDIO_LOCAL_RESOURCES"

#: Environment variable with the run store's path, when it is not ``data_home()/runs.sqlite``.
STORE_ENV = "RFM_STUDIO_RUN_STORE"

#: Seconds between two looks at the stop flag.
STOP_POLL_SECONDS = 0.05

_TERMINAL_EVENTS = {
    "ExecutionSucceeded": "SUCCEEDED",
    "ExecutionFailed": "FAILED",
    "ExecutionAborted": "ABORTED",
    "ExecutionTimedOut": "TIMED_OUT",
}


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _default_resources() -> Any:
    factory_name = os.environ.get(RESOURCES_ENV)
    if factory_name:
        module_name, _, attribute = factory_name.rpartition(":")
        if module_name.endswith(".py"):  # a file path: test modules are not always importable by name
            spec = importlib.util.spec_from_file_location(Path(module_name).stem, module_name)
            if spec is None or spec.loader is None:
                raise ImportError(f"{RESOURCES_ENV} names {module_name}, which cannot be loaded")
            module = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(module)
        else:
            module = importlib.import_module(module_name)
        return getattr(module, attribute)()
    from pipeline.local.services.resources import LocalResources

    return LocalResources()


def _context(record: Any, state_machine_name: str) -> dict[str, Any]:
    """The context object (``$$``) as Step Functions builds it for an execution."""
    start = dt.datetime.fromtimestamp(record.start_date, dt.UTC)
    return {
        "Execution": {
            "Id": record.arn,
            "Name": record.name,
            "Input": json.loads(record.input),
            "StartTime": start.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "RoleArn": record.role_arn,
        },
        "StateMachine": {"Id": record.state_machine_arn, "Name": state_machine_name},
    }


class _StopWatcher(threading.Thread):
    """Sets ``cancel`` as soon as the store's stop flag is raised for the execution."""

    def __init__(self, store: RunStore, arn: str, cancel: threading.Event, interval: float) -> None:
        super().__init__(name=f"stop-watcher {arn.rsplit(':', 1)[-1]}", daemon=True)
        self.store, self.arn, self.cancel, self.interval = store, arn, cancel, interval
        self.done = threading.Event()

    def run(self) -> None:
        while not self.done.wait(self.interval):
            try:
                if self.store.stop_request(self.arn).requested:
                    self.cancel.set()
                    return
            except Exception:  # a locked or vanished database must not kill the worker
                continue


def run_execution(
    arn: str,
    *,
    store: RunStore | None = None,
    resources: Any = None,
    stop_poll_seconds: float = STOP_POLL_SECONDS,
) -> str:
    """Run the stored execution ``arn`` to its end and record everything; returns its status.

    Does nothing (returns the stored status) if the execution is not RUNNING any more.
    """
    store = store or RunStore()
    record = store.get_execution(arn)
    if record is None:
        raise LookupError(f"no execution {arn} in {store.path}")
    if record.status != "RUNNING":
        return record.status

    cancel = threading.Event()
    watcher = _StopWatcher(store, arn, cancel, stop_poll_seconds)
    terminal: list[dict[str, Any]] = []

    def on_event(event: dict[str, Any]) -> None:
        # The terminal event is written with the final status, in one transaction.
        if event.get("type") in _TERMINAL_EVENTS:
            terminal.append(event)
        else:
            store.append_event(arn, event)

    try:
        from pipeline.local.asl.interpreter import run_state_machine

        if resources is None:
            resources = _default_resources()
        if store.stop_request(arn).requested:
            cancel.set()
        watcher.start()
        started_event_id = store.last_event_id(arn) or None  # ExecutionStarted, when the client wrote it
        result = run_state_machine(
            json.loads(record.definition),
            json.loads(record.input),
            resources=resources,
            context=_context(record, record.state_machine_arn.rsplit(":", 1)[-1]),
            on_event=on_event,
            cancel=cancel,
            started_event_id=started_event_id,
        )
        status = result.status
        output, error, cause = result.output, result.error, result.cause
    except Exception as exc:  # an engine bug: record it rather than leave the execution RUNNING
        traceback.print_exc()
        status, output = "FAILED", None
        error, cause = WORKER_ERROR, f"The local engine crashed: {type(exc).__name__}: {exc}"
        terminal.clear()
    finally:
        watcher.done.set()

    output_text = to_json(output) if status == "SUCCEEDED" else None
    event = terminal[-1] if terminal else None
    if status == "ABORTED":
        request = store.stop_request(arn)
        error = request.error if request.requested else error
        cause = request.cause if request.requested else cause
        event = _aborted_event(event, error, cause)
    elif event is None or _TERMINAL_EVENTS.get(event.get("type", "")) != status:
        event = _terminal_event(status, output_text, error, cause)
    store.finish(arn, status=status, output=output_text, error=error, cause=cause, event=event)
    final = store.get_execution(arn)
    return status if final is None else final.status


def _details(**values: Any) -> dict[str, Any]:
    return {key: value for key, value in values.items() if value is not None}


def _terminal_event(status: str, output: str | None, error: str | None, cause: str | None) -> dict[str, Any]:
    """A terminal history event for a result the interpreter did not announce itself."""
    if status == "SUCCEEDED":
        return {
            "type": "ExecutionSucceeded",
            "timestamp": _now(),
            "executionSucceededEventDetails": _details(
                output=output or "null", outputDetails={"truncated": False}
            ),
        }
    kind = {"FAILED": "Failed", "TIMED_OUT": "TimedOut", "ABORTED": "Aborted"}[status]
    return {
        "type": f"Execution{kind}",
        "timestamp": _now(),
        f"execution{kind}EventDetails": _details(error=error, cause=cause),
    }


def _aborted_event(event: dict[str, Any] | None, error: str | None, cause: str | None) -> dict[str, Any]:
    """The ExecutionAborted event, carrying the error and cause given to ``stop_execution``."""
    if event is None or event.get("type") != "ExecutionAborted":
        return _terminal_event("ABORTED", None, error, cause)
    event = dict(event)
    event["executionAbortedEventDetails"] = _details(error=error, cause=cause)
    return event


def main(argv: list[str] | None = None) -> int:
    """Entry point of the worker process: run the execution named on the command line."""
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) != 1:
        print("usage: python -m pipeline.local.worker EXECUTION_ARN", file=sys.stderr)
        return 2
    started = time.monotonic()
    store_path = os.environ.get(STORE_ENV)
    try:
        status = run_execution(argv[0], store=RunStore(store_path) if store_path else None)
    except RunStoreError as error:
        print(f"error: {error}", file=sys.stderr, flush=True)
        return 2
    print(f"{argv[0]} finished {status} after {time.monotonic() - started:.2f}s", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
