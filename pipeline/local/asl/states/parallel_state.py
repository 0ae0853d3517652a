"""The Parallel state: every branch on the same effective input; the result is their outputs."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pipeline.local.asl.events import Thread
from pipeline.local.asl.runtime import Execution, Scope
from pipeline.local.asl.states.base import Machine, MachineParser, ResultState, result_fields
from pipeline.local.asl.states.fan_out import fan_out


@dataclass(frozen=True, kw_only=True)
class ParallelState(ResultState):
    type = "Parallel"
    branches: tuple[Machine, ...] = ()

    @classmethod
    def parse(cls, name: str, raw: dict, parse_machine: MachineParser) -> ParallelState:
        """A Parallel state from its validated definition, its branches parsed too."""
        branches = tuple(parse_machine(branch) for branch in raw["Branches"])
        return cls(**result_fields(name, raw), branches=branches)


def run_parallel(
    execution: Execution, state: ParallelState, data: Any, thread: Thread, scope: Scope, context: dict
) -> tuple[str | None, Any]:
    """All branches at once; the first failure fails the state."""
    effective = state.effective_input(data, context)
    if state.parameters is not None:
        effective = state.parameters.build(effective, context)
    thread.emit("ParallelStateStarted")
    runs = [(branch, effective, None) for branch in state.branches]
    results = fan_out(execution, runs, thread, scope, len(runs), state.name, kind="Parallel")
    return None, state.finish(data, results, context)
