"""The response shapes of the Step Functions API, built from the run store's records.

Dates become timezone-aware datetimes, as boto3 parses them; optional keys are left out
rather than sent as null, as AWS does. ``wait_for_status`` polls either client (local or
boto3's) through ``describe_execution``, with the project's one polling loop.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from pipeline.local.store import TERMINAL_STATUSES, ExecutionRecord, StateMachineRecord


def date(epoch: float | None) -> dt.datetime | None:
    """Epoch seconds as the UTC datetime boto3 returns (None stays None)."""
    return None if epoch is None else dt.datetime.fromtimestamp(epoch, dt.UTC)


def state_machine_description(record: StateMachineRecord) -> dict[str, Any]:
    """``DescribeStateMachine``'s response."""
    return {
        "stateMachineArn": record.arn,
        "name": record.name,
        "status": "ACTIVE",
        "definition": record.definition,
        "roleArn": record.role_arn,
        "type": "STANDARD",
        "creationDate": date(record.created),
        "loggingConfiguration": {"level": "OFF", "includeExecutionData": False},
        "tracingConfiguration": {"enabled": False},
    }


def state_machine_item(record: StateMachineRecord) -> dict[str, Any]:
    """One item of ``ListStateMachines``."""
    return {
        "stateMachineArn": record.arn,
        "name": record.name,
        "type": "STANDARD",
        "creationDate": date(record.created),
    }


def execution_item(record: ExecutionRecord) -> dict[str, Any]:
    """One item of ``ListExecutions``."""
    item: dict[str, Any] = {
        "executionArn": record.arn,
        "stateMachineArn": record.state_machine_arn,
        "name": record.name,
        "status": record.status,
        "startDate": date(record.start_date),
    }
    if record.stop_date is not None:
        item["stopDate"] = date(record.stop_date)
    return item


def execution_description(record: ExecutionRecord) -> dict[str, Any]:
    """``DescribeExecution``'s response."""
    response = execution_item(record)
    response["input"] = record.input
    response["inputDetails"] = {"included": True}
    if record.output is not None:
        response["output"] = record.output
        response["outputDetails"] = {"included": True}
    if record.error is not None:
        response["error"] = record.error
    if record.cause is not None:
        response["cause"] = record.cause
    return response


def without_data(event: dict[str, Any]) -> dict[str, Any]:
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
