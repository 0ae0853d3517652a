"""The run records of the local engine: state machines, executions and their event histories.

Everything lives in one SQLite file (``data_home()/runs.sqlite``) so that executions survive an
app restart and several processes can share it: the Streamlit app and the command line read it,
and one background worker process an execution appends its events and final status. The
database runs in WAL mode (readers never block the writer) with a busy timeout, and every
change that must be seen whole (an execution's final status together with its last event) is
one ``BEGIN IMMEDIATE`` transaction.

The store keeps plain values (epoch seconds, JSON strings); turning them into the shapes of
the Step Functions API is the client's job (``pipeline.local.client``).

A store that cannot be used (a damaged file, one that is not SQLite, an unreadable or
read-only place, a lock held too long) raises ``RunStoreError`` saying which file and what
to do, never a sqlite3 traceback: the command line exits 2 with it, the pages show it.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from pipeline.config import data_home
from pipeline.errors import WorkflowError
from pipeline.local.store_records import (
    SCHEMA,
    TERMINAL_STATUSES,
    ExecutionRecord,
    StateMachineRecord,
    StopRequest,
    decode_event,
    encode_event,
)

__all__ = [
    "TERMINAL_STATUSES",
    "ExecutionRecord",
    "RunStore",
    "RunStoreError",
    "StateMachineRecord",
    "StopRequest",
]

#: Seconds a connection waits for another process's write lock before giving up.
BUSY_TIMEOUT_SECONDS = 30.0


class RunStoreError(WorkflowError):
    """The run store cannot be opened, read or written; the message says which file and why."""


def _explain(path: Path, error: Exception) -> str:
    text = str(error) or type(error).__name__
    if isinstance(error, sqlite3.DatabaseError) and ("not a database" in text or "malformed" in text):
        return (
            f"The local run store {path} is damaged or is not a SQLite database ({text}). Move it "
            "aside (the local runs recorded in it will no longer be listed) and try again: a new "
            "one is created."
        )
    if "locked" in text or "busy" in text:
        return (
            f"The local run store {path} stayed locked by another process for {BUSY_TIMEOUT_SECONDS:g} s "
            f"({text}); try again in a moment."
        )
    return (
        f"The local run store {path} cannot be used ({text}). Check that the data directory "
        f"{path.parent} exists and is readable and writable, or point RFM_STUDIO_HOME at one that is."
    )


def default_store_path() -> Path:
    """Where the run store lives: ``data_home()/runs.sqlite``."""
    return data_home() / "runs.sqlite"


class RunStore:
    """SQLite-backed records of the local engine, safe to share between threads and processes.

    One connection per store object, guarded by a lock so a store can be shared by the threads
    of one process; other processes open their own store over the same file.
    """

    def __init__(self, path: Path | str | None = None) -> None:
        self.path = Path(path) if path is not None else default_store_path()
        self._lock = threading.RLock()
        with self._usable():
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._conn = sqlite3.connect(
                self.path, timeout=BUSY_TIMEOUT_SECONDS, isolation_level=None, check_same_thread=False
            )
            self._conn.row_factory = sqlite3.Row
            self._conn.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_SECONDS * 1000)}")
            self._conn.execute("PRAGMA journal_mode = WAL")
            self._conn.execute("PRAGMA synchronous = NORMAL")
        with self._transaction() as conn:
            for statement in SCHEMA.split(";"):
                if statement.strip():
                    conn.execute(statement)

    @contextmanager
    def _usable(self) -> Iterator[None]:
        """Turn sqlite3's and the file system's errors into ``RunStoreError``."""
        try:
            yield
        except (sqlite3.DatabaseError, OSError) as error:
            raise RunStoreError(_explain(self.path, error)) from error

    def close(self) -> None:
        """Close the connection; the store cannot be used afterwards."""
        with self._lock:
            self._conn.close()

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        """A write transaction that takes the database's write lock up front (no upgrade races)."""
        with self._lock, self._usable():
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield self._conn
            except BaseException:
                with contextlib.suppress(sqlite3.Error):
                    self._conn.execute("ROLLBACK")
                raise
            self._conn.execute("COMMIT")

    def _query(self, sql: str, params: tuple[Any, ...] = ()) -> list[sqlite3.Row]:
        with self._lock, self._usable():
            return self._conn.execute(sql, params).fetchall()

    # State machines -------------------------------------------------------------------------

    def insert_state_machine(self, record: StateMachineRecord) -> bool:
        """Add a state machine; False (nothing changed) when its name or ARN is taken."""
        with self._transaction() as conn:
            cursor = conn.execute(
                "INSERT OR IGNORE INTO state_machines VALUES (?, ?, ?, ?, ?, ?)",
                (
                    record.arn,
                    record.name,
                    record.definition,
                    record.role_arn,
                    record.created,
                    record.updated,
                ),
            )
            return cursor.rowcount == 1

    def get_state_machine(self, arn: str) -> StateMachineRecord | None:
        """The state machine with this ARN, or None."""
        rows = self._query("SELECT * FROM state_machines WHERE arn = ?", (arn,))
        return StateMachineRecord(**dict(rows[0])) if rows else None

    def list_state_machines(self) -> list[StateMachineRecord]:
        """Every state machine, by name."""
        rows = self._query("SELECT * FROM state_machines ORDER BY name")
        return [StateMachineRecord(**dict(row)) for row in rows]

    def update_state_machine(
        self, arn: str, *, definition: str | None, role_arn: str | None, updated: float
    ) -> bool:
        """Change a state machine's definition and/or role; False when it does not exist."""
        with self._transaction() as conn:
            cursor = conn.execute(
                "UPDATE state_machines SET definition = COALESCE(?, definition),"
                " role_arn = COALESCE(?, role_arn), updated = ? WHERE arn = ?",
                (definition, role_arn, updated, arn),
            )
            return cursor.rowcount == 1

    def delete_state_machine(self, arn: str) -> bool:
        """Forget a state machine (its executions and their histories stay); False if unknown."""
        with self._transaction() as conn:
            return conn.execute("DELETE FROM state_machines WHERE arn = ?", (arn,)).rowcount == 1

    # Executions -----------------------------------------------------------------------------

    def insert_execution(self, record: ExecutionRecord) -> bool:
        """Add an execution; False (nothing changed) when its ARN is taken."""
        values = (
            record.arn,
            record.name,
            record.state_machine_arn,
            record.definition,
            record.role_arn,
            record.status,
            record.input,
            record.output,
            record.error,
            record.cause,
            record.start_date,
            record.stop_date,
            record.worker_pid,
            record.worker_identity,
            record.log_path,
            int(record.stop_requested),
            record.stop_error,
            record.stop_cause,
        )
        with self._transaction() as conn:
            cursor = conn.execute(
                f"INSERT OR IGNORE INTO executions VALUES ({', '.join('?' * len(values))})", values
            )
            return cursor.rowcount == 1

    def set_worker(self, arn: str, pid: int, identity: str | None, log_path: str | None = None) -> None:
        """Record which process runs the execution, so a dead worker can be told from a live one."""
        with self._transaction() as conn:
            conn.execute(
                "UPDATE executions SET worker_pid = ?, worker_identity = ?,"
                " log_path = COALESCE(?, log_path) WHERE arn = ?",
                (pid, identity, log_path, arn),
            )

    def get_execution(self, arn: str) -> ExecutionRecord | None:
        """The execution with this ARN, or None."""
        rows = self._query("SELECT * FROM executions WHERE arn = ?", (arn,))
        return self._execution(rows[0]) if rows else None

    @staticmethod
    def _execution(row: sqlite3.Row) -> ExecutionRecord:
        data = dict(row)
        data["stop_requested"] = bool(data["stop_requested"])
        return ExecutionRecord(**data)

    def list_executions(
        self,
        *,
        state_machine_arn: str | None = None,
        status: str | None = None,
        after: tuple[float, str] | None = None,
        limit: int | None = None,
    ) -> list[ExecutionRecord]:
        """Executions newest first, optionally of one state machine and/or one status.

        ``after`` is the (start_date, arn) of the last execution of the previous page: keyset
        paging stays correct while new executions start between pages.
        """
        clauses: list[str] = []
        params: list[Any] = []
        if state_machine_arn is not None:
            clauses.append("state_machine_arn = ?")
            params.append(state_machine_arn)
        if status is not None:
            clauses.append("status = ?")
            params.append(status)
        if after is not None:
            clauses.append("(start_date < ? OR (start_date = ? AND arn < ?))")
            params.extend([after[0], after[0], after[1]])
        sql = "SELECT * FROM executions"
        if clauses:
            sql += " WHERE " + " AND ".join(clauses)
        sql += " ORDER BY start_date DESC, arn DESC"
        if limit is not None:
            sql += f" LIMIT {int(limit)}"
        return [self._execution(row) for row in self._query(sql, tuple(params))]

    def running_executions(self) -> list[ExecutionRecord]:
        """Every execution whose status is still RUNNING."""
        return self.list_executions(status="RUNNING")

    def request_stop(self, arn: str, error: str | None, cause: str | None) -> bool:
        """Raise the stop flag of a RUNNING execution (its worker watches it); False otherwise."""
        with self._transaction() as conn:
            cursor = conn.execute(
                "UPDATE executions SET stop_requested = 1, stop_error = ?, stop_cause = ?"
                " WHERE arn = ? AND status = 'RUNNING'",
                (error, cause, arn),
            )
            return cursor.rowcount == 1

    def stop_request(self, arn: str) -> StopRequest:
        """Whether stop was requested for the execution (cheap: the worker polls it)."""
        rows = self._query(
            "SELECT stop_requested, stop_error, stop_cause FROM executions WHERE arn = ?", (arn,)
        )
        if not rows:
            return StopRequest(False)
        row = rows[0]
        return StopRequest(bool(row["stop_requested"]), row["stop_error"], row["stop_cause"])

    def finish(
        self,
        arn: str,
        *,
        status: str,
        output: str | None = None,
        error: str | None = None,
        cause: str | None = None,
        stop_date: float | None = None,
        event: dict[str, Any] | None = None,
    ) -> bool:
        """Record the final status and the last event in one transaction, if still RUNNING.

        Returns False (and changes nothing) when the execution already ended, so a worker that
        finishes and a client that declares it dead cannot both win. An ``event`` without an
        ``id`` gets the next one, and ``previousEventId`` the last one.
        """
        if status not in TERMINAL_STATUSES:
            raise ValueError(f"{status!r} is not a final execution status")
        stop_date = time.time() if stop_date is None else stop_date
        with self._transaction() as conn:
            rows = conn.execute("SELECT status FROM executions WHERE arn = ?", (arn,)).fetchall()
            if not rows or rows[0]["status"] != "RUNNING":
                return False
            if event is not None:
                event = dict(event)
                if "id" not in event:
                    last = self._last_event_id(conn, arn)
                    event["id"] = last + 1
                    event["previousEventId"] = last
                event.setdefault("timestamp", dt.datetime.fromtimestamp(stop_date, dt.UTC))
                conn.execute(
                    "INSERT OR REPLACE INTO events VALUES (?, ?, ?)",
                    (arn, int(event["id"]), encode_event(event)),
                )
            conn.execute(
                "UPDATE executions SET status = ?, output = ?, error = ?, cause = ?, stop_date = ?"
                " WHERE arn = ?",
                (status, output, error, cause, stop_date, arn),
            )
            return True

    # Events ---------------------------------------------------------------------------------

    @staticmethod
    def _last_event_id(conn: sqlite3.Connection, arn: str) -> int:
        row = conn.execute("SELECT MAX(id) AS last FROM events WHERE execution_arn = ?", (arn,)).fetchone()
        return int(row["last"] or 0)

    def last_event_id(self, arn: str) -> int:
        """The id of the execution's latest event (0 when it has none)."""
        with self._lock, self._usable():
            return self._last_event_id(self._conn, arn)

    def append_event(self, arn: str, event: dict[str, Any]) -> None:
        """Store one history event as it happens (``event["id"]`` is its position, from 1)."""
        with self._transaction() as conn:
            conn.execute(
                "INSERT OR REPLACE INTO events VALUES (?, ?, ?)",
                (arn, int(event["id"]), encode_event(event)),
            )

    def events(
        self,
        arn: str,
        *,
        after_id: int | None = None,
        limit: int | None = None,
        reverse: bool = False,
    ) -> list[dict[str, Any]]:
        """History events by id (newest first when ``reverse``), after ``after_id`` in that order.

        Timestamps come back as timezone-aware datetimes.
        """
        sql = "SELECT event FROM events WHERE execution_arn = ?"
        params: list[Any] = [arn]
        if after_id is not None:
            sql += " AND id < ?" if reverse else " AND id > ?"
            params.append(after_id)
        sql += " ORDER BY id DESC" if reverse else " ORDER BY id"
        if limit is not None:
            sql += f" LIMIT {int(limit)}"
        return [decode_event(row["event"]) for row in self._query(sql, tuple(params))]
