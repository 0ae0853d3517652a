"""Branches of a Parallel state and iterations of a Map state, run side by side.

Each runs as its own thread of execution in the history (its events follow the event that
started it) under a child scope: the first failure stops the others and fails the state,
as on AWS.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from pipeline.local.asl.errors import StatesError
from pipeline.local.asl.events import Thread
from pipeline.local.asl.runtime import Execution, Scope, Stopped
from pipeline.local.asl.states.base import Machine

#: The most threads one Map or Parallel state runs at once.
MAX_THREADS = 32


def fan_out(
    execution: Execution,
    runs: Sequence[tuple[Machine, Any, int | None]],
    thread: Thread,
    scope: Scope,
    workers: int,
    name: str,
    *,
    kind: str,
) -> list:
    """Run ``(machine, input, index)`` triples concurrently; their outputs in order.

    ``kind`` is "Parallel" or "Map" (Map iterations record their own events).
    """
    child_scope = scope.child()
    results: list[Any] = [None] * len(runs)
    failures: list[StatesError] = []
    lock = threading.Lock()

    def one(position: int) -> None:
        machine, item_input, index = runs[position]
        if child_scope.stopped:
            return
        branch = thread.fork()
        details = {"name": name, "index": index}
        if kind == "Map":
            branch.emit("MapIterationStarted", details)
        try:
            results[position] = execution.run_machine(machine, item_input, branch, child_scope)
        except StatesError as error:
            with lock:
                failures.append(error)
            child_scope.stop()
            if kind == "Map":
                branch.emit("MapIterationFailed", details)
            return
        except Stopped:
            if kind == "Map":
                branch.emit("MapIterationAborted", details)
            return
        if kind == "Map":
            branch.emit("MapIterationSucceeded", details)

    if len(runs) == 1 or workers <= 1:
        for position in range(len(runs)):
            one(position)
    elif runs:
        with ThreadPoolExecutor(
            max_workers=max(1, min(workers, len(runs))), thread_name_prefix="asl"
        ) as pool:
            list(pool.map(one, range(len(runs))))
    if failures:
        thread.emit(f"{kind}StateFailed")
        raise failures[0]
    if scope.stopped:
        thread.emit(f"{kind}StateAborted")
        raise Stopped
    thread.emit(f"{kind}StateSucceeded")
    return results
