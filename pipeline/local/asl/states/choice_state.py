"""The Choice state: the first rule that holds names the next state, else Default."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pipeline.local.asl.choice import ChoiceRule, choose_next, parse_rule
from pipeline.local.asl.events import Thread
from pipeline.local.asl.runtime import Execution, Scope
from pipeline.local.asl.states.base import MachineParser, State, state_fields


@dataclass(frozen=True, kw_only=True)
class ChoiceState(State):
    type = "Choice"
    choices: tuple[ChoiceRule, ...] = ()
    default: str | None = None

    @classmethod
    def parse(cls, name: str, raw: dict, parse_machine: MachineParser) -> ChoiceState:
        """A Choice state from its validated definition."""
        return cls(
            **state_fields(name, raw),
            choices=tuple(parse_rule(rule) for rule in raw["Choices"]),
            default=raw.get("Default"),
        )


def run_choice(
    execution: Execution, state: ChoiceState, data: Any, thread: Thread, scope: Scope, context: dict
) -> tuple[str | None, Any]:
    """The rules see the effective input; the output is it after OutputPath."""
    effective = state.effective_input(data, context)
    next_name = choose_next(state.choices, state.default, effective, context, state_name=state.name)
    return next_name, state.output(effective, context)
