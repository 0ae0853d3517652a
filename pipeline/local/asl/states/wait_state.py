"""The Wait state: Seconds, Timestamp, or either read from the input by a path."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from pipeline.local.asl.choice import parse_timestamp
from pipeline.local.asl.errors import RUNTIME, StatesError
from pipeline.local.asl.events import Thread
from pipeline.local.asl.limits import MAX_SECONDS
from pipeline.local.asl.paths import require
from pipeline.local.asl.runtime import Execution, Scope
from pipeline.local.asl.states.base import MachineParser, State, state_fields
from pipeline.local.asl.values import is_number


@dataclass(frozen=True, kw_only=True)
class WaitState(State):
    type = "Wait"
    seconds: float | None = None
    timestamp: str | None = None
    seconds_path: str | None = None
    timestamp_path: str | None = None

    @classmethod
    def parse(cls, name: str, raw: dict, parse_machine: MachineParser) -> WaitState:
        """A Wait state from its validated definition (exactly one of the four fields is set)."""
        return cls(
            **state_fields(name, raw),
            seconds=raw.get("Seconds"),
            timestamp=raw.get("Timestamp"),
            seconds_path=raw.get("SecondsPath"),
            timestamp_path=raw.get("TimestampPath"),
        )


def _seconds(state: WaitState, effective: Any, context: dict) -> float:
    if state.seconds is not None:
        return state.seconds
    if state.seconds_path is not None:
        seconds = require(state.seconds_path, effective, context, field="SecondsPath")
        if not is_number(seconds) or not 0 <= seconds <= MAX_SECONDS:
            raise StatesError(
                RUNTIME, f"The SecondsPath '{state.seconds_path}' must give a number from 0 to {MAX_SECONDS}"
            )
        return seconds
    raw = state.timestamp
    if state.timestamp_path is not None:
        raw = require(state.timestamp_path, effective, context, field="TimestampPath")
    when = parse_timestamp(raw)
    if when is None:
        raise StatesError(RUNTIME, f"The Wait timestamp {raw!r} is not an ISO 8601 timestamp")
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


def run_wait(
    execution: Execution, state: WaitState, data: Any, thread: Thread, scope: Scope, context: dict
) -> tuple[str | None, Any]:
    """Wait (interruptibly), then pass the effective input on through OutputPath."""
    effective = state.effective_input(data, context)
    seconds = _seconds(state, effective, context)
    if seconds > 0:
        execution.sleep(seconds, scope)
    return None, state.output(effective, context)
