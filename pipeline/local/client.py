"""``LocalStepFunctionsClient``: the local engine behind the interface of boto3's Step Functions client.

It implements the subset of ``boto3.client("stepfunctions")`` that the Step Functions Data
Science SDK (``stepfunctions.workflow.Workflow`` and ``Execution``) and our pages use, with the
same argument names, response shapes (timezone-aware datetimes included), paginators and error
classes, so ``Workflow(..., client=LocalStepFunctionsClient())`` drives the local engine exactly
as it drives AWS.

Records live in the run store (``pipeline.local.store``); each execution runs in a detached
worker process (``pipeline.local.worker``), or in a thread of this process with
``mode="thread"`` (tests, benchmarks). Reading an execution checks its worker is alive: a
RUNNING execution whose worker is gone is recorded as FAILED with the error
``Local.WorkerDied`` and a cause naming the worker's log file, plus an ExecutionFailed event.

ARNs look like AWS's with the region ``local`` and account ``000000000000``:
``arn:aws:states:local:000000000000:stateMachine:NAME`` and
``arn:aws:states:local:000000000000:execution:STATE_MACHINE:NAME``.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import os
import re
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from types import SimpleNamespace
from typing import Any, Literal, NoReturn

from botocore.exceptions import ClientError

from pipeline.config import PROJECT_ROOT, data_home
from pipeline.local import worker as worker_module
from pipeline.local.store import (
    TERMINAL_STATUSES,
    ExecutionRecord,
    RunStore,
    StateMachineRecord,
)

REGION = "local"
ACCOUNT = "000000000000"
ARN_PREFIX = f"arn:aws:states:{REGION}:{ACCOUNT}:"

#: Characters AWS refuses in state machine and execution names.
_BAD_NAME = re.compile(r"[\s<>{}\[\]?*\"#%\\^|~`$&,;:/\x00-\x1f\x7f-\x9f]")
_STATUSES = {"RUNNING", *TERMINAL_STATUSES}
#: Operations with a paginator, and the key of their items.
_PAGINATED = {
    "list_executions": "executions",
    "get_execution_history": "events",
    "list_state_machines": "stateMachines",
}


class InvalidArn(ClientError):
    """The ARN is malformed or names another kind of resource."""


class InvalidName(ClientError):
    """The name breaks Step Functions' naming rules."""


class InvalidDefinition(ClientError):
    """The definition is not valid ASL; the message lists every problem."""


class InvalidExecutionInput(ClientError):
    """The execution input is not a JSON text."""


class InvalidToken(ClientError):
    """The pagination token was not issued by this call."""


class ValidationException(ClientError):
    """An argument is out of range (e.g. maxResults)."""


class StateMachineAlreadyExists(ClientError):
    """Another state machine with this name but a different definition or role exists."""


class StateMachineDoesNotExist(ClientError):
    """No state machine has this ARN."""


class ExecutionAlreadyExists(ClientError):
    """This state machine already has an execution of this name (finished, or other input)."""


class ExecutionDoesNotExist(ClientError):
    """No execution has this ARN."""


class _Exceptions(SimpleNamespace):
    """``client.exceptions``: the error classes, as boto3 exposes them."""


EXCEPTIONS = _Exceptions(
    ClientError=ClientError,
    InvalidArn=InvalidArn,
    InvalidName=InvalidName,
    InvalidDefinition=InvalidDefinition,
    InvalidExecutionInput=InvalidExecutionInput,
    InvalidToken=InvalidToken,
    ValidationException=ValidationException,
    StateMachineAlreadyExists=StateMachineAlreadyExists,
    StateMachineDoesNotExist=StateMachineDoesNotExist,
    ExecutionAlreadyExists=ExecutionAlreadyExists,
    ExecutionDoesNotExist=ExecutionDoesNotExist,
)


def _raise(cls: type[ClientError], operation: str, message: str) -> NoReturn:
    response = {
        "Error": {"Code": cls.__name__, "Message": message},
        "ResponseMetadata": {"HTTPStatusCode": 400},
    }
    raise cls(response, operation)


def _date(epoch: float | None) -> dt.datetime | None:
    return None if epoch is None else dt.datetime.fromtimestamp(epoch, dt.UTC)


def _encode_token(value: Any) -> str:
    return base64.urlsafe_b64encode(json.dumps(value).encode()).decode()


def _decode_token(token: str, operation: str) -> Any:
    try:
        return json.loads(base64.urlsafe_b64decode(token.encode()))
    except ValueError:
        _raise(InvalidToken, operation, f"Invalid Token: '{token}'")


def _page_size(max_results: int | None, operation: str, default: int) -> int:
    if max_results in (None, 0):
        return default
    if not 0 < max_results <= 1000:
        _raise(ValidationException, operation, "maxResults must be between 1 and 1000")
    return int(max_results)


def _check_name(name: str, operation: str, what: str) -> None:
    if not name or len(name) > 80 or _BAD_NAME.search(name):
        _raise(
            InvalidName,
            operation,
            f"Invalid {what} name '{name}': use 1-80 characters, no whitespace, brackets, "
            'wildcards or any of " # % \\ ^ | ~ ` $ & , ; : /',
        )


def state_machine_arn(name: str) -> str:
    """The local ARN of the state machine called ``name``."""
    return f"{ARN_PREFIX}stateMachine:{name}"


def execution_arn(state_machine_name: str, name: str) -> str:
    """The local ARN of execution ``name`` of state machine ``state_machine_name``."""
    return f"{ARN_PREFIX}execution:{state_machine_name}:{name}"


def _arn_parts(arn: Any, kind: str, operation: str) -> list[str]:
    parts = arn.split(":") if isinstance(arn, str) else []
    expected = 7 if kind == "stateMachine" else 8
    if len(parts) != expected or parts[:3] != ["arn", "aws", "states"] or parts[5] != kind:
        _raise(InvalidArn, operation, f"Invalid Arn: '{arn}' is not a local {kind} ARN")
    return parts


class _Paginator:
    """What ``client.get_paginator(name)`` returns: ``paginate(**kwargs)`` yields pages like botocore."""

    def __init__(self, method: Callable[..., dict[str, Any]], result_key: str) -> None:
        self._method, self._result_key = method, result_key

    def paginate(self, **kwargs: Any) -> Iterator[dict[str, Any]]:
        """Yield response pages; ``PaginationConfig`` takes MaxItems, PageSize and StartingToken."""
        config = kwargs.pop("PaginationConfig", None) or {}
        max_items = config.get("MaxItems")
        if config.get("PageSize"):
            kwargs["maxResults"] = config["PageSize"]
        token = config.get("StartingToken")
        returned = 0
        while True:
            if token:
                kwargs["nextToken"] = token
            if max_items is not None:
                left = int(max_items) - returned
                kwargs["maxResults"] = min(kwargs.get("maxResults") or 1000, left)
            page = self._method(**kwargs)
            returned += len(page[self._result_key])
            token = page.get("nextToken")
            if max_items is not None and returned >= int(max_items):
                page.pop("nextToken", None)
                if token:
                    page["NextToken"] = token
                yield page
                return
            yield page
            if not token:
                return


class LocalStepFunctionsClient:
    """The local engine with the interface of ``boto3.client("stepfunctions")`` (the SDK's subset).

    Args:
        store: the run store; by default the one in ``data_home()``.
        mode: ``"process"`` (default) runs each execution in a detached worker process that
            outlives this object and the Streamlit script run; ``"thread"`` runs it in a daemon
            thread of this process (tests and benchmarks; it dies with the process).
        resources: in thread mode, the service integrations to run tasks with (default
            ``LocalResources()``); process-mode workers build their own (see
            ``pipeline.local.worker`` for the test hook).
    """

    exceptions = EXCEPTIONS

    def __init__(
        self,
        store: RunStore | None = None,
        *,
        mode: Literal["process", "thread"] = "process",
        resources: Any = None,
    ) -> None:
        if mode not in ("process", "thread"):
            raise ValueError(f"mode must be 'process' or 'thread', not {mode!r}")
        if resources is not None and mode != "thread":
            raise ValueError("resources can only be given in thread mode; process workers build their own")
        self.store = store or RunStore()
        self.mode = mode
        self.resources = resources
        # The SDK appends its user agent to ``client._client_config.user_agent``.
        self._client_config = SimpleNamespace(user_agent="rfm-studio-local")
        self.meta = SimpleNamespace(region_name=REGION, service_model=None)
        self._children: dict[str, subprocess.Popen[bytes]] = {}
        self._threads: dict[str, threading.Thread] = {}

    # State machines -------------------------------------------------------------------------

    def _validate(self, definition: str, operation: str) -> None:
        try:
            parsed = json.loads(definition)
        except (TypeError, ValueError) as exc:
            _raise(InvalidDefinition, operation, f"Invalid State Machine Definition: not JSON ({exc})")
        if not isinstance(parsed, dict):
            _raise(InvalidDefinition, operation, "Invalid State Machine Definition: not a JSON object")
        from pipeline.local.asl.errors import DefinitionError
        from pipeline.local.asl.validation import validate_definition

        try:
            validate_definition(parsed)
        except DefinitionError as exc:
            _raise(
                InvalidDefinition, operation, "Invalid State Machine Definition: " + "; ".join(exc.problems)
            )

    def create_state_machine(
        self, *, name: str, definition: str, roleArn: str, tags: Any = None, **kwargs: Any
    ) -> dict[str, Any]:
        """Create a state machine; the same name, definition and role again returns the existing one."""
        operation = "CreateStateMachine"
        _check_name(name, operation, "state machine")
        self._validate(definition, operation)
        arn, now = state_machine_arn(name), time.time()
        record = StateMachineRecord(arn, name, definition, roleArn, now, now)
        if not self.store.insert_state_machine(record):
            existing = self.store.get_state_machine(arn)
            if existing is None or existing.definition != definition or existing.role_arn != roleArn:
                _raise(StateMachineAlreadyExists, operation, f"State Machine Already Exists: '{arn}'")
            record = existing
        return {"stateMachineArn": record.arn, "creationDate": _date(record.created)}

    def _state_machine(self, arn: str, operation: str) -> StateMachineRecord:
        _arn_parts(arn, "stateMachine", operation)
        record = self.store.get_state_machine(arn)
        if record is None:
            _raise(StateMachineDoesNotExist, operation, f"State Machine Does Not Exist: '{arn}'")
        return record

    def update_state_machine(
        self,
        *,
        stateMachineArn: str,
        definition: str | None = None,
        roleArn: str | None = None,
        **kwargs: Any,
    ) -> dict[str, Any]:
        """Change the definition and/or role; running executions keep the definition they started with."""
        operation = "UpdateStateMachine"
        self._state_machine(stateMachineArn, operation)
        if definition is not None:
            self._validate(definition, operation)
        now = time.time()
        self.store.update_state_machine(stateMachineArn, definition=definition, role_arn=roleArn, updated=now)
        return {"updateDate": _date(now)}

    def describe_state_machine(self, *, stateMachineArn: str, **kwargs: Any) -> dict[str, Any]:
        """The state machine as ``DescribeStateMachine`` returns it."""
        record = self._state_machine(stateMachineArn, "DescribeStateMachine")
        return {
            "stateMachineArn": record.arn,
            "name": record.name,
            "status": "ACTIVE",
            "definition": record.definition,
            "roleArn": record.role_arn,
            "type": "STANDARD",
            "creationDate": _date(record.created),
            "loggingConfiguration": {"level": "OFF", "includeExecutionData": False},
            "tracingConfiguration": {"enabled": False},
        }

    def list_state_machines(
        self, *, maxResults: int | None = None, nextToken: str | None = None
    ) -> dict[str, Any]:
        """State machines by name, a page at a time."""
        operation = "ListStateMachines"
        size = _page_size(maxResults, operation, 100)
        records = self.store.list_state_machines()
        start = int(_decode_token(nextToken, operation)) if nextToken else 0
        page = records[start : start + size]
        response: dict[str, Any] = {
            "stateMachines": [
                {
                    "stateMachineArn": r.arn,
                    "name": r.name,
                    "type": "STANDARD",
                    "creationDate": _date(r.created),
                }
                for r in page
            ]
        }
        if start + size < len(records):
            response["nextToken"] = _encode_token(start + size)
        return response

    def delete_state_machine(self, *, stateMachineArn: str) -> dict[str, Any]:
        """Delete the state machine; its executions (and their histories) stay readable."""
        _arn_parts(stateMachineArn, "stateMachine", "DeleteStateMachine")
        self.store.delete_state_machine(stateMachineArn)
        return {}

    # Executions -----------------------------------------------------------------------------

    def start_execution(
        self, *, stateMachineArn: str, name: str | None = None, input: str = "{}", **kwargs: Any
    ) -> dict[str, Any]:
        """Start an execution in the background and return at once (``executionArn``, ``startDate``).

        As on AWS, starting a RUNNING execution again with the same name and input returns it;
        any other reuse of a name raises ExecutionAlreadyExists.
        """
        operation = "StartExecution"
        machine = self._state_machine(stateMachineArn, operation)
        name = str(uuid.uuid4()) if name is None else name
        _check_name(name, operation, "execution")
        input = "{}" if input is None else input
        try:
            json.loads(input)
        except (TypeError, ValueError) as exc:
            _raise(InvalidExecutionInput, operation, f"Invalid execution input: not JSON ({exc})")
        arn = execution_arn(machine.name, name)
        launcher_pid = os.getpid()
        record = ExecutionRecord(
            arn=arn,
            name=name,
            state_machine_arn=machine.arn,
            definition=machine.definition,
            role_arn=machine.role_arn,
            status="RUNNING",
            input=input,
            output=None,
            error=None,
            cause=None,
            start_date=time.time(),
            stop_date=None,
            # Until the worker runs, this process answers for the execution: if it dies before
            # launching the worker, the execution is reported FAILED rather than RUNNING forever.
            worker_pid=launcher_pid,
            worker_identity=worker_module.process_identity(launcher_pid),
            log_path=None,
            stop_requested=False,
            stop_error=None,
            stop_cause=None,
        )
        if not self.store.insert_execution(record):
            existing = self.store.get_execution(arn)
            if existing is not None and existing.status == "RUNNING" and existing.input == input:
                return {"executionArn": arn, "startDate": _date(existing.start_date)}
            _raise(ExecutionAlreadyExists, operation, f"Execution Already Exists: '{arn}'")
        self.store.append_event(
            arn,
            {
                "timestamp": _date(record.start_date),
                "type": "ExecutionStarted",
                "id": 1,
                "previousEventId": 0,
                "executionStartedEventDetails": {
                    "input": input,
                    "inputDetails": {"truncated": False},
                    "roleArn": machine.role_arn,
                },
            },
        )
        if self.mode == "thread":
            self._start_thread(arn)
        else:
            self._start_process(arn, machine.name, name)
        return {"executionArn": arn, "startDate": _date(record.start_date)}

    def _start_thread(self, arn: str) -> None:
        def run() -> None:
            store = RunStore(self.store.path)
            try:
                worker_module.run_execution(arn, store=store, resources=self.resources)
            finally:
                store.close()

        thread = threading.Thread(target=run, name=f"execution {arn.rsplit(':', 1)[-1]}", daemon=True)
        self._threads[arn] = thread
        thread.start()

    def _start_process(self, arn: str, machine_name: str, name: str) -> None:
        log_dir = self.store.path.parent / "logs"
        log_dir.mkdir(parents=True, exist_ok=True)
        log_path = log_dir / f"{machine_name}.{name}.log"
        env = dict(os.environ)
        env["RFM_STUDIO_HOME"] = str(data_home())
        env[worker_module.STORE_ENV] = str(self.store.path)
        env["PYTHONPATH"] = os.pathsep.join(p for p in (str(PROJECT_ROOT), env.get("PYTHONPATH")) if p)
        try:
            with open(log_path, "ab") as log:
                child = subprocess.Popen(
                    [sys.executable, "-m", "pipeline.local.worker", arn],
                    cwd=PROJECT_ROOT,
                    env=env,
                    stdin=subprocess.DEVNULL,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                )
        except OSError as exc:
            cause = (
                f"Could not start the local worker process ({sys.executable}): {exc}. "
                "Check that the Python interpreter running the app still exists and the data "
                f"directory {log_dir.parent} is writable, then start the execution again."
            )
            self._record_worker_died(arn, cause)
            return
        self._children[arn] = child
        self.store.set_worker(arn, child.pid, worker_module.process_identity(child.pid), str(log_path))

    def worker_pid(self, executionArn: str) -> int | None:
        """The pid of the process running the execution (this process in thread mode)."""
        record = self.store.get_execution(executionArn)
        return None if record is None else record.worker_pid

    def _reap(self) -> None:
        """Collect exited worker processes of this client, so they do not linger as zombies."""
        for arn, child in list(self._children.items()):
            if child.poll() is not None:
                # pop, not del: the app's session threads share this client and reap concurrently.
                self._children.pop(arn, None)

    def _execution(self, arn: str, operation: str, *, check_worker: bool = True) -> ExecutionRecord:
        _arn_parts(arn, "execution", operation)
        record = self.store.get_execution(arn)
        if record is None:
            _raise(ExecutionDoesNotExist, operation, f"Execution Does Not Exist: '{arn}'")
        return self._check_liveness(record) if check_worker else record

    def _check_liveness(self, record: ExecutionRecord) -> ExecutionRecord:
        """A RUNNING execution whose worker is gone is recorded FAILED (or ABORTED if stop was asked)."""
        if record.status != "RUNNING":
            return record
        self._reap()
        thread = self._threads.get(record.arn)
        if thread is not None:
            if thread.is_alive():
                return record
        elif worker_module.process_alive(record.worker_pid, record.worker_identity):
            return record
        fresh = self.store.get_execution(record.arn)
        if fresh is None or fresh.status != "RUNNING" or fresh.worker_pid != record.worker_pid:
            return fresh or record  # finished, or a worker was just launched, meanwhile
        if fresh.stop_requested:
            self._record_abort(fresh)
        else:
            log = f"; its log is {fresh.log_path}" if fresh.log_path else ""
            cause = (
                f"The local worker process (pid {fresh.worker_pid}) stopped unexpectedly "
                f"before the execution ended{log}"
            )
            self._record_worker_died(fresh.arn, cause)
        return self.store.get_execution(record.arn) or record

    def _record_worker_died(self, arn: str, cause: str) -> None:
        """Record FAILED with ``Local.WorkerDied`` and its ExecutionFailed event (if still RUNNING)."""
        error = worker_module.WORKER_DIED_ERROR
        details = {"error": error, "cause": cause}
        event = {"type": "ExecutionFailed", "executionFailedEventDetails": details}
        self.store.finish(arn, status="FAILED", error=error, cause=cause, event=event)

    def _record_abort(self, record: ExecutionRecord) -> None:
        details = {
            k: v for k, v in (("error", record.stop_error), ("cause", record.stop_cause)) if v is not None
        }
        self.store.finish(
            record.arn,
            status="ABORTED",
            error=record.stop_error,
            cause=record.stop_cause,
            event={"type": "ExecutionAborted", "executionAbortedEventDetails": details},
        )

    def stop_execution(
        self, *, executionArn: str, error: str | None = None, cause: str | None = None, **kwargs: Any
    ) -> dict[str, Any]:
        """Ask the worker to stop; it records ExecutionAborted and status ABORTED promptly.

        If the worker is already gone, the abort is recorded here. Stopping a finished
        execution changes nothing.
        """
        # No liveness check first: a dead worker's execution must end ABORTED, not FAILED.
        record = self._execution(executionArn, "StopExecution", check_worker=False)
        if record.status != "RUNNING":
            return {"stopDate": _date(record.stop_date)}
        now = time.time()
        if self.store.request_stop(executionArn, error, cause):
            self._check_liveness(self.store.get_execution(executionArn) or record)
        return {"stopDate": _date(now)}

    def describe_execution(self, *, executionArn: str, **kwargs: Any) -> dict[str, Any]:
        """The execution as ``DescribeExecution`` returns it."""
        record = self._execution(executionArn, "DescribeExecution")
        response: dict[str, Any] = {
            "executionArn": record.arn,
            "stateMachineArn": record.state_machine_arn,
            "name": record.name,
            "status": record.status,
            "startDate": _date(record.start_date),
            "input": record.input,
            "inputDetails": {"included": True},
        }
        if record.stop_date is not None:
            response["stopDate"] = _date(record.stop_date)
        if record.output is not None:
            response["output"] = record.output
            response["outputDetails"] = {"included": True}
        if record.error is not None:
            response["error"] = record.error
        if record.cause is not None:
            response["cause"] = record.cause
        return response

    def list_executions(
        self,
        *,
        stateMachineArn: str | None = None,
        statusFilter: str | None = None,
        maxResults: int | None = None,
        nextToken: str | None = None,
        **kwargs: Any,
    ) -> dict[str, Any]:
        """Executions newest first (of one state machine, if given), a page at a time."""
        operation = "ListExecutions"
        if stateMachineArn is not None:
            self._state_machine(stateMachineArn, operation)
        if statusFilter is not None and statusFilter not in _STATUSES:
            _raise(ValidationException, operation, f"statusFilter must be one of {sorted(_STATUSES)}")
        size = _page_size(maxResults, operation, 100)
        after = tuple(_decode_token(nextToken, operation)) if nextToken else None
        for running in self.store.list_executions(state_machine_arn=stateMachineArn, status="RUNNING"):
            self._check_liveness(running)
        records = self.store.list_executions(
            state_machine_arn=stateMachineArn, status=statusFilter, after=after, limit=size + 1
        )
        page = records[:size]
        items = []
        for record in page:
            item = {
                "executionArn": record.arn,
                "stateMachineArn": record.state_machine_arn,
                "name": record.name,
                "status": record.status,
                "startDate": _date(record.start_date),
            }
            if record.stop_date is not None:
                item["stopDate"] = _date(record.stop_date)
            items.append(item)
        response: dict[str, Any] = {"executions": items}
        if len(records) > size:
            response["nextToken"] = _encode_token([page[-1].start_date, page[-1].arn])
        return response

    def get_execution_history(
        self,
        *,
        executionArn: str,
        maxResults: int | None = None,
        nextToken: str | None = None,
        reverseOrder: bool = False,
        includeExecutionData: bool = True,
        **kwargs: Any,
    ) -> dict[str, Any]:
        """History events (oldest first, or newest first with ``reverseOrder``), a page at a time."""
        operation = "GetExecutionHistory"
        self._execution(executionArn, operation)
        size = _page_size(maxResults, operation, 100)
        after = None
        if nextToken:
            token = _decode_token(nextToken, operation)
            if not isinstance(token, list) or len(token) != 2 or token[0] != bool(reverseOrder):
                _raise(InvalidToken, operation, "Invalid Token: it was issued for another reverseOrder")
            after = int(token[1])
        events = self.store.events(executionArn, after_id=after, limit=size + 1, reverse=bool(reverseOrder))
        page = events[:size]
        if not includeExecutionData:
            page = [_without_data(event) for event in page]
        response: dict[str, Any] = {"events": page}
        if len(events) > size:
            response["nextToken"] = _encode_token([bool(reverseOrder), page[-1]["id"]])
        return response

    # Paginators -----------------------------------------------------------------------------

    def can_paginate(self, operation_name: str) -> bool:
        """Whether ``get_paginator(operation_name)`` is available."""
        return operation_name in _PAGINATED

    def get_paginator(self, operation_name: str) -> _Paginator:
        """A paginator whose ``paginate(**kwargs)`` yields response pages, as botocore's does."""
        if operation_name not in _PAGINATED:
            raise ValueError(f"the local client cannot paginate {operation_name!r}")
        return _Paginator(getattr(self, operation_name), _PAGINATED[operation_name])


def _without_data(event: dict[str, Any]) -> dict[str, Any]:
    """An event without its input/output payloads (``includeExecutionData=False``)."""
    event = dict(event)
    for key, value in event.items():
        if key.endswith("EventDetails") and isinstance(value, dict):
            event[key] = {k: v for k, v in value.items() if k not in ("input", "output")}
    return event


def wait_for_status(
    client: Any,
    execution_arn: str,
    timeout: float,
    statuses: Any = TERMINAL_STATUSES,
    poll_seconds: float = 0.05,
) -> dict[str, Any]:
    """Poll ``describe_execution`` until the status is one of ``statuses``; returns the description.

    Works with the local client and boto3's alike; a thin caller of the one polling loop,
    ``pipeline.executions.wait_for_execution``. Raises WorkflowError after ``timeout`` seconds,
    saying which status the execution was stuck in.
    """
    from pipeline.executions import wait_for_execution

    return wait_for_execution(
        lambda arn: client.describe_execution(executionArn=arn),
        execution_arn,
        timeout=timeout,
        interval=poll_seconds,
        until=statuses,
    )


__all__ = [
    "EXCEPTIONS",
    "LocalStepFunctionsClient",
    "execution_arn",
    "state_machine_arn",
    "wait_for_status",
]
