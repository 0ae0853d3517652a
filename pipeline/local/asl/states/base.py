"""The parsed form of a definition: a ``Machine`` of typed states, defaults resolved once.

Every state type has a small frozen dataclass (in its own module beside this one) built
from the validated definition by ``parse``; the fields every state shares, and those of the
states that produce a result (Task, Parallel, Map), live here. InputPath and OutputPath
default to ``$`` and ResultPath to ``$``; ``None`` stands for JSON null (InputPath null
gives ``{}``, ResultPath null discards the result).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar

from pipeline.local.asl.paths import apply_input_path, apply_output_path, apply_result_path
from pipeline.local.asl.retry import Catcher, Retrier, parse_catchers, parse_retriers
from pipeline.local.asl.templates import Template, compile_template


@dataclass(frozen=True, kw_only=True)
class State:
    """What every state has: its name, where it goes next (None: it ends), InputPath, OutputPath."""

    type: ClassVar[str] = ""
    name: str
    next: str | None = None
    input_path: str | None = "$"
    output_path: str | None = "$"

    def effective_input(self, data: Any, context: dict) -> Any:
        """The state input after InputPath."""
        return apply_input_path(data, self.input_path, context)

    def output(self, value: Any, context: dict) -> Any:
        """The state output: ``value`` after OutputPath."""
        return apply_output_path(value, self.output_path, context)


@dataclass(frozen=True, kw_only=True)
class ResultState(State):
    """A state that produces a result and can fail: Task, Parallel, Map."""

    parameters: Template | None = None
    result_selector: Template | None = None
    result_path: str | None = "$"
    retry: tuple[Retrier, ...] = ()
    catch: tuple[Catcher, ...] = ()

    def finish(self, data: Any, result: Any, context: dict) -> Any:
        """ResultSelector, ResultPath and OutputPath applied to ``result``; the state output."""
        if self.result_selector is not None:
            result = self.result_selector.build(result, context)
        return self.output(apply_result_path(data, result, self.result_path), context)


@dataclass(frozen=True)
class Machine:
    """A StartAt/States block: the whole definition, a Parallel branch or a Map processor."""

    start_at: str
    states: dict[str, State]
    timeout_seconds: int | None = None


#: ``parse_machine(raw)``: given to the parsers of Parallel and Map for their inner machines.
MachineParser = Callable[[dict], Machine]


def optional_template(name: str, raw: dict, field: str) -> Template | None:
    """The compiled template of ``field`` of state ``name``, or None when the state has none."""
    return compile_template(raw[field], f"{field} of state '{name}'") if field in raw else None


def state_fields(name: str, raw: dict) -> dict[str, Any]:
    """The constructor arguments every state type shares."""
    return {
        "name": name,
        "next": raw.get("Next"),
        "input_path": raw.get("InputPath", "$"),
        "output_path": raw.get("OutputPath", "$"),
    }


def result_fields(name: str, raw: dict) -> dict[str, Any]:
    """The constructor arguments of Task, Parallel and Map (the shared ones included)."""
    return {
        **state_fields(name, raw),
        "parameters": optional_template(name, raw, "Parameters"),
        "result_selector": optional_template(name, raw, "ResultSelector"),
        "result_path": raw.get("ResultPath", "$"),
        "retry": parse_retriers(raw.get("Retry")),
        "catch": parse_catchers(raw.get("Catch")),
    }
