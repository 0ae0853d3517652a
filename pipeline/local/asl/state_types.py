"""The table the engine dispatches on: a state's ``Type`` -> how to parse it and how to run it.

Each state type lives in its own module under ``states/``: its parsed form (a small frozen
dataclass with its defaults resolved) and its handler. A handler is called as
``run(execution, state, input, thread, scope, context)`` and returns ``(next state name or
None, output)``; None means "the state's own Next, or the end".
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pipeline.local.asl.states.base import MachineParser, State
from pipeline.local.asl.states.choice_state import ChoiceState, run_choice
from pipeline.local.asl.states.map_state import MapState, run_map
from pipeline.local.asl.states.parallel_state import ParallelState, run_parallel
from pipeline.local.asl.states.pass_state import PassState, run_pass
from pipeline.local.asl.states.succeed_fail import FailState, SucceedState, run_fail, run_succeed
from pipeline.local.asl.states.task_state import TaskState, run_task
from pipeline.local.asl.states.wait_state import WaitState, run_wait

Handler = Callable[..., tuple[str | None, Any]]


@dataclass(frozen=True)
class StateType:
    """How one state type is parsed from the definition and run."""

    parse: Callable[[str, dict, MachineParser], State]
    run: Handler


STATE_TYPES: dict[str, StateType] = {
    "Task": StateType(TaskState.parse, run_task),
    "Pass": StateType(PassState.parse, run_pass),
    "Choice": StateType(ChoiceState.parse, run_choice),
    "Wait": StateType(WaitState.parse, run_wait),
    "Succeed": StateType(SucceedState.parse, run_succeed),
    "Fail": StateType(FailState.parse, run_fail),
    "Parallel": StateType(ParallelState.parse, run_parallel),
    "Map": StateType(MapState.parse, run_map),
}

#: State types whose failures Retry and Catch handle.
RETRYABLE_TYPES = frozenset({"Task", "Parallel", "Map"})
