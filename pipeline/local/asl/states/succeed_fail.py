"""The terminal states: Succeed ends with its input, Fail with an error and a cause."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pipeline.local.asl.errors import StatesError
from pipeline.local.asl.events import Thread
from pipeline.local.asl.runtime import Execution, Scope
from pipeline.local.asl.states.base import MachineParser, State, state_fields
from pipeline.local.asl.templates import Template, compile_dynamic


@dataclass(frozen=True, kw_only=True)
class SucceedState(State):
    type = "Succeed"

    @classmethod
    def parse(cls, name: str, raw: dict, parse_machine: MachineParser) -> SucceedState:
        """A Succeed state from its validated definition."""
        return cls(**state_fields(name, raw))


def run_succeed(
    execution: Execution, state: SucceedState, data: Any, thread: Thread, scope: Scope, context: dict
) -> tuple[str | None, Any]:
    """The effective input after OutputPath; the branch (or execution) ends here."""
    return None, state.output(state.effective_input(data, context), context)


@dataclass(frozen=True, kw_only=True)
class FailState(State):
    type = "Fail"
    error: str = ""
    cause: str = ""
    error_path: Template | None = None
    cause_path: Template | None = None

    @classmethod
    def parse(cls, name: str, raw: dict, parse_machine: MachineParser) -> FailState:
        """A Fail state from its validated definition (ErrorPath/CausePath: a path or a call)."""
        return cls(
            name=name,
            error=raw.get("Error", ""),
            cause=raw.get("Cause", ""),
            error_path=compile_dynamic(raw["ErrorPath"], "ErrorPath") if "ErrorPath" in raw else None,
            cause_path=compile_dynamic(raw["CausePath"], "CausePath") if "CausePath" in raw else None,
        )


def run_fail(
    execution: Execution, state: FailState, data: Any, thread: Thread, scope: Scope, context: dict
) -> tuple[str | None, Any]:
    """Raise the state's error; it fails the branch unless an enclosing Catch handles it."""
    error = state.error if state.error_path is None else state.error_path.build(data, context)
    cause = state.cause if state.cause_path is None else state.cause_path.build(data, context)
    raise StatesError(str(error), str(cause))
