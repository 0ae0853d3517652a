"""What the state handlers share with the interpreter: stop scopes and the running execution.

A ``Scope`` carries the stop signal of a thread of execution (the whole run, a Parallel
branch, a Map iteration) and wakes every wait in it when stopped, so no wait outlives a
cancel. ``Execution`` is what a handler may ask of the run it belongs to; the interpreter
implements it, so handlers never import the interpreter.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:  # type hints only: runtime imports no state module
    from pipeline.local.asl.events import Thread
    from pipeline.local.asl.states.base import Machine


class Stopped(Exception):
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
        try:  # a wait longer than the platform's limit waits the limit (about 292 years)
            return event.wait(None if seconds is None else min(seconds, threading.TIMEOUT_MAX))
        finally:
            with self._lock:
                self._waiters.discard(event)

    def sleep(self, seconds: float) -> None:
        """Sleep ``seconds`` unless stopped first; the default ``sleep`` of a run."""
        self.wait(threading.Event(), max(0.0, seconds))


class Execution(Protocol):
    """What a state handler may use of the execution running it."""

    region: str
    resources: Any

    def run_machine(self, machine: Machine, data: Any, thread: Thread, scope: Scope) -> Any:
        """Run a StartAt/States block (a branch, an iteration) to its end; returns its output."""

    def sleep(self, seconds: float, scope: Scope) -> None:
        """Wait ``seconds`` (raises ``Stopped`` when the scope is stopped meanwhile)."""
