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

import json
import os
import time
import uuid
from types import SimpleNamespace
from typing import Any, Literal

from pipeline.executions import ExecutionStatus
from pipeline.local import worker_control
from pipeline.local.asl.definition import load_definition
from pipeline.local.asl.errors import DefinitionError
from pipeline.local.asl.events import details_key, execution_started_details
from pipeline.local.asl.limits import DEFINITION_LIMIT_BYTES, PAYLOAD_LIMIT_BYTES
from pipeline.local.client_errors import (
    EXCEPTIONS,
    ExecutionAlreadyExists,
    ExecutionDoesNotExist,
    InvalidDefinition,
    InvalidExecutionInput,
    InvalidToken,
    StateMachineAlreadyExists,
    StateMachineDoesNotExist,
    ValidationException,
    raise_client_error,
)
from pipeline.local.names import REGION, arn_parts, check_name, execution_arn, state_machine_arn
from pipeline.local.pagination import PAGINATED, LocalPaginator, decode_token, encode_token, page_size
from pipeline.local.responses import (
    date,
    execution_description,
    execution_item,
    state_machine_description,
    state_machine_item,
    wait_for_status,
    without_data,
)
from pipeline.local.store import (
    TERMINAL_STATUSES,
    ExecutionRecord,
    RunStore,
    StateMachineRecord,
)

#: The statusFilter values the local service knows (PENDING_REDRIVE is AWS's redrive, not run here).
_STATUSES = {ExecutionStatus.RUNNING.value, *TERMINAL_STATUSES}
#: Seconds ``stop_execution`` gives a worker to record the abort before it is killed.
STOP_GRACE_SECONDS = 5.0


class LocalStepFunctionsClient:
    """The local engine with the interface of ``boto3.client("stepfunctions")`` (the SDK's subset).

    Args:
        store: the run store; by default the one in ``data_home()``.
        mode: ``"process"`` (default) runs each execution in a detached worker process that
            outlives this object and the Streamlit script run; ``"warm"`` does the same with
            worker processes forked by a warm server that has imported the handlers' libraries
            (``pipeline.local.warm_worker``: the backend's choice, a run starts in milliseconds);
            ``"thread"`` runs it in a daemon thread of this process (tests and benchmarks; it
            dies with the process).
        resources: in thread mode, the service integrations to run tasks with (default
            ``LocalResources()``); process-mode workers build their own (see
            ``pipeline.local.worker`` for the test hook).
        stop_grace_seconds: how long ``stop_execution`` waits for a worker to record the
            abort before killing it.
    """

    exceptions = EXCEPTIONS

    def __init__(
        self,
        store: RunStore | None = None,
        *,
        mode: Literal["process", "warm", "thread"] = "process",
        resources: Any = None,
        stop_grace_seconds: float = STOP_GRACE_SECONDS,
    ) -> None:
        if mode not in ("process", "warm", "thread"):
            raise ValueError(f"mode must be 'process', 'warm' or 'thread', not {mode!r}")
        if resources is not None and mode != "thread":
            raise ValueError("resources can only be given in thread mode; process workers build their own")
        self.store = store or RunStore()
        self.mode = mode
        self.resources = resources
        self.workers = worker_control.Workers(self.store, mode, resources, stop_grace_seconds)
        # The SDK appends its user agent to ``client._client_config.user_agent``.
        self._client_config = SimpleNamespace(user_agent="rfm-studio-local")
        self.meta = SimpleNamespace(region_name=REGION, service_model=None)

    def warm_up(self) -> None:
        """In ``"warm"`` mode, start the warm worker server now (it imports in the background)."""
        self.workers.warm_up()

    # State machines -------------------------------------------------------------------------

    def _validate(self, definition: str, operation: str) -> None:
        """CreateStateMachine's checks: the API's 1 MiB bound, then the definition itself."""
        if isinstance(definition, str) and len(definition) > DEFINITION_LIMIT_BYTES:
            raise_client_error(
                ValidationException,
                operation,
                f"Value at 'definition' failed to satisfy constraint: Member must have length less "
                f"than or equal to {DEFINITION_LIMIT_BYTES}",
            )
        # Imported here: the validator (jsonpath-ng's parser) is ~0.2 s to import, and pages make
        # a client (Home's health check) long before any state machine is created.
        from pipeline.local.asl.validation import validate_definition

        try:
            validate_definition(load_definition(definition))
        except DefinitionError as exc:
            raise_client_error(
                InvalidDefinition, operation, "Invalid State Machine Definition: " + "; ".join(exc.problems)
            )

    def create_state_machine(
        self, *, name: str, definition: str, roleArn: str, tags: Any = None, **kwargs: Any
    ) -> dict[str, Any]:
        """Create a state machine; the same name, definition and role again returns the existing one."""
        operation = "CreateStateMachine"
        check_name(name, operation, "state machine")
        self._validate(definition, operation)
        arn, now = state_machine_arn(name), time.time()
        record = StateMachineRecord(arn, name, definition, roleArn, now, now)
        if not self.store.insert_state_machine(record):
            existing = self.store.get_state_machine(arn)
            if existing is None or existing.definition != definition or existing.role_arn != roleArn:
                raise_client_error(
                    StateMachineAlreadyExists, operation, f"State Machine Already Exists: '{arn}'"
                )
            record = existing
        return {"stateMachineArn": record.arn, "creationDate": date(record.created)}

    def _state_machine(self, arn: str, operation: str) -> StateMachineRecord:
        arn_parts(arn, "stateMachine", operation)
        record = self.store.get_state_machine(arn)
        if record is None:
            raise_client_error(StateMachineDoesNotExist, operation, f"State Machine Does Not Exist: '{arn}'")
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
        return {"updateDate": date(now)}

    def describe_state_machine(self, *, stateMachineArn: str, **kwargs: Any) -> dict[str, Any]:
        """The state machine as ``DescribeStateMachine`` returns it."""
        return state_machine_description(self._state_machine(stateMachineArn, "DescribeStateMachine"))

    def list_state_machines(
        self, *, maxResults: int | None = None, nextToken: str | None = None
    ) -> dict[str, Any]:
        """State machines by name, a page at a time."""
        operation = "ListStateMachines"
        size = page_size(maxResults, operation, 100)
        records = self.store.list_state_machines()
        start = int(decode_token(nextToken, operation)) if nextToken else 0
        page = records[start : start + size]
        response: dict[str, Any] = {"stateMachines": [state_machine_item(record) for record in page]}
        if start + size < len(records):
            response["nextToken"] = encode_token(start + size)
        return response

    def delete_state_machine(self, *, stateMachineArn: str) -> dict[str, Any]:
        """Delete the state machine; its executions (and their histories) stay readable."""
        arn_parts(stateMachineArn, "stateMachine", "DeleteStateMachine")
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
        check_name(name, operation, "execution")
        input = "{}" if input is None else input
        _check_input(input, operation)
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
            worker_identity=worker_control.process_identity(launcher_pid),
        )
        if not self.store.insert_execution(record):
            existing = self.store.get_execution(arn)
            if existing is not None and existing.status == "RUNNING" and existing.input == input:
                return {"executionArn": arn, "startDate": date(existing.start_date)}
            raise_client_error(ExecutionAlreadyExists, operation, f"Execution Already Exists: '{arn}'")
        started: dict[str, Any] = {
            "timestamp": date(record.start_date),
            "type": "ExecutionStarted",
            "id": 1,
            "previousEventId": 0,
        }
        started[details_key("ExecutionStarted")] = execution_started_details(input, machine.role_arn)
        self.store.append_event(arn, started)  # the worker's events follow it (started_event_id)
        self.workers.start(arn, machine.name, name)
        return {"executionArn": arn, "startDate": date(record.start_date)}

    def worker_pid(self, executionArn: str) -> int | None:
        """The pid of the process running the execution (this process in thread mode)."""
        record = self.store.get_execution(executionArn)
        return None if record is None else record.worker_pid

    def _execution(self, arn: str, operation: str, *, check_worker: bool = True) -> ExecutionRecord:
        arn_parts(arn, "execution", operation)
        record = self.store.get_execution(arn)
        if record is None:
            raise_client_error(ExecutionDoesNotExist, operation, f"Execution Does Not Exist: '{arn}'")
        return self.workers.check(record) if check_worker else record

    def stop_execution(
        self, *, executionArn: str, error: str | None = None, cause: str | None = None, **kwargs: Any
    ) -> dict[str, Any]:
        """Stop a RUNNING execution: it ends ABORTED, with ``error`` and ``cause`` if given.

        The worker sees the stop flag and records the abort itself, within a fraction of a
        second. One that has not within ``stop_grace_seconds`` (stopped with SIGSTOP, or hung)
        is killed with SIGKILL and the abort is recorded here; so is that of a worker already
        gone. Stopping a finished execution changes nothing.
        """
        # No liveness check first: a dead worker's execution must end ABORTED, not FAILED.
        record = self._execution(executionArn, "StopExecution", check_worker=False)
        if record.status != "RUNNING":
            return {"stopDate": date(record.stop_date)}
        now = time.time()
        if self.store.request_stop(executionArn, error, cause):
            self.workers.stop(record)
        return {"stopDate": date(now)}

    def describe_execution(self, *, executionArn: str, **kwargs: Any) -> dict[str, Any]:
        """The execution as ``DescribeExecution`` returns it."""
        return execution_description(self._execution(executionArn, "DescribeExecution"))

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
            raise_client_error(
                ValidationException, operation, f"statusFilter must be one of {sorted(_STATUSES)}"
            )
        size = page_size(maxResults, operation, 100)
        after = tuple(decode_token(nextToken, operation)) if nextToken else None
        for running in self.store.list_executions(state_machine_arn=stateMachineArn, status="RUNNING"):
            self.workers.check(running)
        records = self.store.list_executions(
            state_machine_arn=stateMachineArn, status=statusFilter, after=after, limit=size + 1
        )
        page = records[:size]
        items = [execution_item(record) for record in page]
        response: dict[str, Any] = {"executions": items}
        if len(records) > size:
            response["nextToken"] = encode_token([page[-1].start_date, page[-1].arn])
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
        size = page_size(maxResults, operation, 100)
        after = None
        if nextToken:
            token = decode_token(nextToken, operation)
            if not isinstance(token, list) or len(token) != 2 or token[0] != bool(reverseOrder):
                raise_client_error(
                    InvalidToken, operation, "Invalid Token: it was issued for another reverseOrder"
                )
            after = int(token[1])
        events = self.store.events(executionArn, after_id=after, limit=size + 1, reverse=bool(reverseOrder))
        page = events[:size]
        if not includeExecutionData:
            page = [without_data(event) for event in page]
        response: dict[str, Any] = {"events": page}
        if len(events) > size:
            response["nextToken"] = encode_token([bool(reverseOrder), page[-1]["id"]])
        return response

    # Paginators -----------------------------------------------------------------------------

    def can_paginate(self, operation_name: str) -> bool:
        """Whether ``get_paginator(operation_name)`` is available."""
        return operation_name in PAGINATED

    def get_paginator(self, operation_name: str) -> LocalPaginator:
        """A paginator whose ``paginate(**kwargs)`` yields response pages, as botocore's does."""
        if operation_name not in PAGINATED:
            raise ValueError(f"the local client cannot paginate {operation_name!r}")
        return LocalPaginator(getattr(self, operation_name), PAGINATED[operation_name])


def _check_input(text: Any, operation: str) -> None:
    """StartExecution's checks of ``input``: a JSON text of at most 262,144 characters."""
    if isinstance(text, str) and len(text) > PAYLOAD_LIMIT_BYTES:
        raise_client_error(
            ValidationException,
            operation,
            "Value at 'input' failed to satisfy constraint: Member must have length less than or equal "
            f"to {PAYLOAD_LIMIT_BYTES}",
        )
    try:
        json.loads(text, parse_constant=_not_json)
    except (TypeError, ValueError, RecursionError) as exc:
        raise_client_error(InvalidExecutionInput, operation, f"Invalid execution input: not JSON ({exc})")


def _not_json(constant: str) -> Any:
    raise ValueError(f"{constant} is not JSON")


__all__ = [
    "EXCEPTIONS",
    "LocalStepFunctionsClient",
    "execution_arn",
    "state_machine_arn",
    "wait_for_status",
]
