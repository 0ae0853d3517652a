"""The Pass state: its input (or Result) through Parameters, ResultPath and OutputPath."""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

from pipeline.local.asl.events import Thread
from pipeline.local.asl.paths import apply_result_path
from pipeline.local.asl.runtime import Execution, Scope
from pipeline.local.asl.states.base import MachineParser, State, optional_template, state_fields
from pipeline.local.asl.templates import Template


class _NoResult:
    """Marker for "no Result field" (``None`` is a Result of null)."""


NO_RESULT = _NoResult()


@dataclass(frozen=True, kw_only=True)
class PassState(State):
    type = "Pass"
    parameters: Template | None = None
    result: Any = NO_RESULT
    result_path: str | None = "$"

    @classmethod
    def parse(cls, name: str, raw: dict, parse_machine: MachineParser) -> PassState:
        """A Pass state from its validated definition."""
        return cls(
            **state_fields(name, raw),
            parameters=optional_template(name, raw, "Parameters"),
            result=raw.get("Result", NO_RESULT),
            result_path=raw.get("ResultPath", "$"),
        )


def run_pass(
    execution: Execution, state: PassState, data: Any, thread: Thread, scope: Scope, context: dict
) -> tuple[str | None, Any]:
    """Result (or the effective input) placed by ResultPath, then OutputPath."""
    effective = state.effective_input(data, context)
    if state.parameters is not None:
        effective = state.parameters.build(effective, context)
    result = effective if state.result is NO_RESULT else copy.deepcopy(state.result)
    return None, state.output(apply_result_path(data, result, state.result_path), context)
