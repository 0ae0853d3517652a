"""Parse a validated definition into a ``Machine`` of typed states (see ``states``), once."""

from __future__ import annotations

from pipeline.local.asl.state_types import STATE_TYPES
from pipeline.local.asl.states.base import Machine


def parse_machine(raw: dict) -> Machine:
    """The typed form of a validated StartAt/States block, inner branches and processors too."""
    states = {
        name: STATE_TYPES[state["Type"]].parse(name, state, parse_machine)
        for name, state in raw["States"].items()
    }
    return Machine(raw["StartAt"], states, raw.get("TimeoutSeconds"))
