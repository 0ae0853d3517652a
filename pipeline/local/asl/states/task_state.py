"""The Task state: call its Resource through the run's ``resources``, within TimeoutSeconds.

The call runs in a thread of its own so that TimeoutSeconds and a cancel take effect while
the resource is still working (a local Lambda handler cannot be interrupted; its result is
then ignored, as AWS ignores a timed-out task's late answer).
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from typing import Any

from pipeline.local.asl.errors import RUNTIME, TASK_FAILED, TIMEOUT, StatesError
from pipeline.local.asl.events import NOT_TRUNCATED, Thread, resource_parts
from pipeline.local.asl.limits import MAX_SECONDS, check_payload, result_too_large
from pipeline.local.asl.paths import require
from pipeline.local.asl.runtime import Execution, Scope, Stopped
from pipeline.local.asl.states.base import MachineParser, ResultState, result_fields
from pipeline.local.asl.values import is_number, to_json


@dataclass(frozen=True, kw_only=True)
class TaskState(ResultState):
    type = "Task"
    resource: str = ""
    timeout_seconds: float | None = None
    timeout_seconds_path: str | None = None

    @classmethod
    def parse(cls, name: str, raw: dict, parse_machine: MachineParser) -> TaskState:
        """A Task state from its validated definition."""
        return cls(
            **result_fields(name, raw),
            resource=raw["Resource"],
            timeout_seconds=raw.get("TimeoutSeconds"),
            timeout_seconds_path=raw.get("TimeoutSecondsPath"),
        )

    def timeout(self, effective: Any, context: dict) -> float | None:
        """TimeoutSeconds, or the number TimeoutSecondsPath reads from the effective input."""
        if self.timeout_seconds_path is None:
            return self.timeout_seconds
        path = self.timeout_seconds_path
        timeout = require(path, effective, context, field="TimeoutSecondsPath")
        if not is_number(timeout) or not 0 < timeout <= MAX_SECONDS:
            raise StatesError(
                RUNTIME,
                f"The TimeoutSecondsPath '{path}' must give a number from 1 to {MAX_SECONDS}, "
                f"got {to_json(timeout)}",
            )
        return timeout


def run_task(
    execution: Execution, state: TaskState, data: Any, thread: Thread, scope: Scope, context: dict
) -> tuple[str | None, Any]:
    """Schedule, start and run the resource; record how it ended; the state output."""
    effective = state.effective_input(data, context)
    timeout = state.timeout(effective, context)
    if state.parameters is not None:
        effective = state.parameters.build(effective, context)
    kind, short = resource_parts(state.resource)
    scheduled: dict[str, Any] = {
        "resourceType": kind,
        "resource": short,
        "region": execution.region,
        "parameters": to_json(effective),
    }
    if timeout is not None:
        scheduled["timeoutInSeconds"] = timeout
    thread.emit("TaskScheduled", scheduled)
    thread.emit("TaskStarted", {"resourceType": kind, "resource": short})
    try:
        result = invoke(execution, state.resource, effective, state.name, timeout, scope)
        check_payload(result, result_too_large(kind))
        result = json.loads(to_json(result))
    except Stopped:
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
        {"resourceType": kind, "resource": short, "output": to_json(result), "outputDetails": NOT_TRUNCATED},
    )
    return None, state.finish(data, result, context)


def invoke(
    execution: Execution, resource: str, parameters: Any, name: str, timeout: float | None, scope: Scope
) -> Any:
    """Call ``resources.invoke`` in a worker thread, so TimeoutSeconds and cancel are enforced."""
    outcome: dict[str, Any] = {}
    done = threading.Event()

    def call() -> None:
        try:
            outcome["result"] = execution.resources.invoke(
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
        return outcome["result"]
    if scope.stopped:
        raise Stopped
    raise StatesError(TIMEOUT, f"The task '{name}' did not finish within its TimeoutSeconds ({timeout} s).")
