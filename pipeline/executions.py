"""Executions as Step Functions reports them: the status names, and waiting for one to change.

Every layer meets execution statuses: the local engine records them, both backends return
them in ``describe_execution`` answers, the command line and the pages wait on them. They
all use :class:`ExecutionStatus` and the one polling loop :func:`wait_for_execution`, which
lives here, below the backends, because the local engine's own ``wait_for_status`` is a thin
caller of it (``pipeline.local`` must not import ``pipeline.backends``, a higher layer).

A per-state display status (succeeded, caught error, not reached... in
``pipeline.views.graph``) is another concept: it colours the graph, this names executions.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from enum import StrEnum
from typing import Any

from pipeline.errors import WorkflowError


class ExecutionStatus(StrEnum):
    """The ``status`` of ``DescribeExecution`` / ``ListExecutions`` items (a ``str``, so it
    compares equal to the plain strings the APIs return)."""

    RUNNING = "RUNNING"
    SUCCEEDED = "SUCCEEDED"
    FAILED = "FAILED"
    TIMED_OUT = "TIMED_OUT"
    ABORTED = "ABORTED"
    #: A redriven execution waiting to run again (AWS only); not an end.
    PENDING_REDRIVE = "PENDING_REDRIVE"

    @property
    def is_terminal(self) -> bool:
        """Whether an execution in this status has ended for good (it can change no more)."""
        return self in TERMINAL_STATUSES


#: The statuses an execution ends in.
TERMINAL_STATUSES: frozenset[ExecutionStatus] = frozenset(
    {ExecutionStatus.SUCCEEDED, ExecutionStatus.FAILED, ExecutionStatus.TIMED_OUT, ExecutionStatus.ABORTED}
)


def is_terminal(status: str | None) -> bool:
    """Whether ``status`` (as an API returned it) is one an execution ends in."""
    return status in TERMINAL_STATUSES


class StillWaiting(WorkflowError):
    """The deadline of :func:`wait_for_execution` passed first; ``description`` is the last one read."""

    def __init__(self, message: str, description: dict[str, Any]) -> None:
        super().__init__(message)
        self.description = description


def wait_for_execution(
    describe: Callable[[str], dict[str, Any]],
    execution_arn: str,
    *,
    timeout: float,
    interval: float,
    until: Iterable[str] | str = TERMINAL_STATUSES,
    on_poll: Callable[[dict[str, Any]], None] | None = None,
) -> dict[str, Any]:
    """Call ``describe(execution_arn)`` every ``interval`` seconds until the status is in ``until``.

    Returns that description. ``on_poll`` sees every description read, before the status is
    tested (the command line prints the new history events from it). After ``timeout``
    seconds (a total deadline, whatever ``describe`` costs) raises :class:`StillWaiting`,
    a ``WorkflowError`` naming the status the execution was still in.
    """
    wanted = {until} if isinstance(until, str) else set(until)
    deadline = time.monotonic() + timeout
    while True:
        description = describe(execution_arn)
        if on_poll is not None:
            on_poll(description)
        if description["status"] in wanted:
            return description
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise StillWaiting(
                f"Execution {execution_arn} is still {description['status']} after {timeout:g}s "
                f"(waited for {', '.join(sorted(wanted))}): look at its history, or stop it.",
                description,
            )
        time.sleep(min(interval, remaining))
