"""The records of the local engine's run store: its tables, and how events are stored as JSON text.

Plain values only (epoch seconds, JSON strings): turning them into the shapes of the Step
Functions API is ``responses``' job.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

from pipeline import executions

#: The tables of the run store (one row a record, one row an event).
SCHEMA = """
CREATE TABLE IF NOT EXISTS state_machines (
    arn TEXT PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    definition TEXT NOT NULL,
    role_arn TEXT NOT NULL,
    created REAL NOT NULL,
    updated REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS executions (
    arn TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    state_machine_arn TEXT NOT NULL,
    definition TEXT NOT NULL,
    role_arn TEXT NOT NULL,
    status TEXT NOT NULL,
    input TEXT NOT NULL,
    output TEXT,
    error TEXT,
    cause TEXT,
    start_date REAL NOT NULL,
    stop_date REAL,
    worker_pid INTEGER,
    worker_identity TEXT,
    log_path TEXT,
    stop_requested INTEGER NOT NULL DEFAULT 0,
    stop_error TEXT,
    stop_cause TEXT
);
CREATE INDEX IF NOT EXISTS executions_by_machine
    ON executions (state_machine_arn, start_date DESC, arn DESC);
CREATE INDEX IF NOT EXISTS executions_by_date ON executions (start_date DESC, arn DESC);
CREATE TABLE IF NOT EXISTS events (
    execution_arn TEXT NOT NULL,
    id INTEGER NOT NULL,
    event TEXT NOT NULL,
    PRIMARY KEY (execution_arn, id)
);
"""

#: Execution statuses after which nothing changes any more (one list for the whole studio).
TERMINAL_STATUSES = executions.TERMINAL_STATUSES


@dataclass(frozen=True)
class StateMachineRecord:
    """One stored state machine; dates are epoch seconds (UTC)."""

    arn: str
    name: str
    definition: str
    role_arn: str
    created: float
    updated: float


@dataclass(frozen=True)
class ExecutionRecord:
    """One stored execution, with the definition it started with and who runs it."""

    arn: str
    name: str
    state_machine_arn: str
    definition: str
    role_arn: str
    status: str
    input: str
    output: str | None
    error: str | None
    cause: str | None
    start_date: float
    stop_date: float | None
    worker_pid: int | None = None
    worker_identity: str | None = None
    log_path: str | None = None
    stop_requested: bool = False
    stop_error: str | None = None
    stop_cause: str | None = None


@dataclass(frozen=True)
class StopRequest:
    """What ``stop_execution`` asked for: whether to stop, and the error/cause to record."""

    requested: bool
    error: str | None = None
    cause: str | None = None


def encode_event(event: dict[str, Any]) -> str:
    def default(value: Any) -> Any:
        if isinstance(value, dt.datetime):
            if value.tzinfo is None:
                value = value.replace(tzinfo=dt.UTC)
            return value.isoformat()
        raise TypeError(f"cannot store {type(value).__name__} in an event")

    event = dict(event)
    if isinstance(event.get("timestamp"), int | float):
        event["timestamp"] = dt.datetime.fromtimestamp(event["timestamp"], dt.UTC)
    return json.dumps(event, default=default)


def decode_event(text: str) -> dict[str, Any]:
    event = json.loads(text)
    stamp = event.get("timestamp")
    if isinstance(stamp, str):
        event["timestamp"] = dt.datetime.fromisoformat(stamp)
    return event
