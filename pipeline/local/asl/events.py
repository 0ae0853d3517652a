"""Execution history events in the shape of ``get_execution_history``.

Each event gets an increasing integer ``id``, a ``previousEventId`` (the previous event of
the same thread of execution: a Map iteration or a Parallel branch is its own thread,
starting from the event that started it) and a tz-aware UTC ``timestamp``. Events from
concurrent branches are numbered under one lock, so ids are unique and ordered as emitted.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from pipeline.local.asl.values import to_json

NOT_TRUNCATED = {"truncated": False}


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
    """Numbers events, hands them to ``on_event`` and, once closed, drops late ones."""

    def __init__(self, on_event: Callable[[dict], Any] | None) -> None:
        self._on_event = on_event
        self._lock = threading.Lock()
        self._next_id = 1
        self._closed = False

    def emit(self, event_type: str, details: dict | None, previous_id: int, *, final: bool = False) -> int:
        """Record one event; returns its id (0 if the log was already closed)."""
        with self._lock:
            if self._closed:
                return 0
            event = {
                "timestamp": datetime.now(UTC),
                "type": event_type,
                "id": self._next_id,
                "previousEventId": previous_id,
            }
            if details is not None:
                event[details_key(event_type)] = details
            self._next_id += 1
            self._closed = final
            if self._on_event is not None:
                self._on_event(event)
            return event["id"]


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

    def entered(self, kind: str, name: str, data: Any) -> int:
        """``<Type>StateEntered`` with the state input as a JSON string."""
        return self.emit(
            f"{kind}StateEntered", {"name": name, "input": to_json(data), "inputDetails": NOT_TRUNCATED}
        )

    def exited(self, kind: str, name: str, data: Any) -> int:
        """``<Type>StateExited`` with the state output as a JSON string."""
        return self.emit(
            f"{kind}StateExited", {"name": name, "output": to_json(data), "outputDetails": NOT_TRUNCATED}
        )
