"""Execution history events in the shape of ``get_execution_history``.

Each event gets an increasing integer ``id``, a ``previousEventId`` (the previous event of
the same thread of execution: a Map iteration or a Parallel branch is its own thread,
starting from the event that started it) and a tz-aware UTC ``timestamp``. Events from
concurrent branches are numbered under one lock, so ids are unique and ordered as emitted.

A history holds at most 25,000 events, as on AWS: the one that would be event 25,000 is
replaced by ExecutionFailed (``States.Runtime``, "The execution reached the maximum number of
history events (25000)."), and every later attempt to record raises ``HistoryLimitReached``,
which ends each thread of the execution.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from pipeline.local.asl.errors import RUNTIME
from pipeline.local.asl.limits import HISTORY_EVENT_LIMIT, HISTORY_LIMIT_CAUSE

NOT_TRUNCATED = {"truncated": False}


class HistoryLimitReached(Exception):
    """The history is full: the execution has failed and must stop recording and running."""


def execution_started_details(input_text: str, role_arn: str) -> dict:
    """The details of ExecutionStarted: the one place this event is built."""
    return {"input": input_text, "inputDetails": NOT_TRUNCATED, "roleArn": role_arn}


def details_key(event_type: str) -> str:
    """``TaskSucceeded`` -> ``taskSucceededEventDetails``, as the API keys event details.

    Every ``<Type>StateEntered``/``<Type>StateExited`` event shares ``stateEnteredEventDetails``
    and ``stateExitedEventDetails``.
    """
    for suffix in ("StateEntered", "StateExited"):
        if event_type.endswith(suffix):
            return "s" + suffix[1:] + "EventDetails"
    return event_type[0].lower() + event_type[1:] + "EventDetails"


def resource_parts(resource: str) -> tuple[str, str]:
    """(resourceType, resource) as history events show a Task's Resource ARN.

    ``arn:aws:states:::lambda:invoke`` -> ("lambda", "invoke");
    ``arn:aws:states:::sagemaker:createTrainingJob.sync`` -> ("sagemaker", "createTrainingJob.sync").
    """
    parts = resource.split(":")
    if len(parts) >= 7 and parts[2] == "states" and parts[5] != "activity":
        return parts[5], ":".join(parts[6:])
    if len(parts) >= 6 and parts[2] == "states":
        return "activity", resource
    return (parts[2] if len(parts) > 2 else "unknown"), resource


class EventLog:
    """Numbers events, hands them to ``on_event`` and, once closed, drops late ones.

    ``first_id`` is the id of the first event it records (2 when the caller already recorded
    ExecutionStarted as event 1); ``on_full`` is called once when the history fills up.
    """

    def __init__(
        self,
        on_event: Callable[[dict], Any] | None,
        *,
        first_id: int = 1,
        limit: int = HISTORY_EVENT_LIMIT,
        on_full: Callable[[], Any] | None = None,
    ) -> None:
        self._on_event = on_event
        self._lock = threading.Lock()
        self._next_id = first_id
        self._limit = limit
        self._on_full = on_full
        self._closed = False
        self.full = False

    def emit(self, event_type: str, details: dict | None, previous_id: int, *, final: bool = False) -> int:
        """Record one event; returns its id (0 if the log was already closed).

        Raises ``HistoryLimitReached`` instead when the history is (or just became) full,
        unless the event is the final one of the execution.
        """
        with self._lock:
            if self._closed:
                if self.full and not final:
                    raise HistoryLimitReached
                return 0
            if self._next_id >= self._limit and not final:
                self._record(
                    "ExecutionFailed", {"error": RUNTIME, "cause": HISTORY_LIMIT_CAUSE}, self._next_id - 1
                )
                self._closed = self.full = True
            else:
                self._closed = final
                return self._record(event_type, details, previous_id)
        if self._on_full is not None:
            self._on_full()
        raise HistoryLimitReached

    def _record(self, event_type: str, details: dict | None, previous_id: int) -> int:
        event_id = self._next_id
        event: dict[str, Any] = {
            "timestamp": datetime.now(UTC),
            "type": event_type,
            "id": self._next_id,
            "previousEventId": previous_id,
        }
        if details is not None:
            event[details_key(event_type)] = details
        self._next_id += 1
        if self._on_event is not None:
            self._on_event(event)
        return event_id


class Thread:
    """One thread of execution in the history: remembers its last event for previousEventId."""

    def __init__(self, log: EventLog, last_id: int = 0) -> None:
        self.log = log
        self.last_id = last_id

    def emit(self, event_type: str, details: dict | None = None, *, final: bool = False) -> int:
        """Record an event that follows this thread's previous one."""
        event_id = self.log.emit(event_type, details, self.last_id, final=final)
        if event_id:
            self.last_id = event_id
        return event_id

    def fork(self) -> Thread:
        """A new thread (branch or iteration) that starts after this thread's last event."""
        return Thread(self.log, self.last_id)

    def entered(self, kind: str, name: str, input_text: str) -> int:
        """``<Type>StateEntered`` with the state input (JSON text)."""
        return self.emit(
            f"{kind}StateEntered", {"name": name, "input": input_text, "inputDetails": NOT_TRUNCATED}
        )

    def exited(self, kind: str, name: str, output_text: str) -> int:
        """``<Type>StateExited`` with the state output (JSON text)."""
        return self.emit(
            f"{kind}StateExited", {"name": name, "output": output_text, "outputDetails": NOT_TRUNCATED}
        )
