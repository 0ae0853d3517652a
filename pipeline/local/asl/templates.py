"""Payload templates: Parameters, ItemSelector and ResultSelector, compiled once.

Keys ending in ``.$`` are replaced by the key without the suffix, valued from a path
(``$.x``), from the context object (``$$.Execution.Input``) or from an intrinsic function
(``States.Format(...)``); everything else is copied as it is. ``compile_template`` parses the
paths and intrinsic calls of a template once, when the definition is parsed; ``build``
evaluates it against a state's input and context as often as the state runs.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

from pipeline.local.asl.errors import DATA_LIMIT_EXCEEDED, INTRINSIC_FAILURE, RUNTIME, StatesError
from pipeline.local.asl.intrinsic_parser import Call, is_intrinsic, parse_intrinsic
from pipeline.local.asl.intrinsics import evaluate_call
from pipeline.local.asl.limits import DEFINITION_LIMIT_BYTES, PAYLOAD_LIMIT_BYTES, measure
from pipeline.local.asl.paths import require


class _Budget:
    """What is left of the payload quota while a template is built."""

    def __init__(self, where: str) -> None:
        self.left = PAYLOAD_LIMIT_BYTES
        self.where = where

    def spend(self, value: Any) -> None:
        """Count ``value``'s JSON size; DataLimitExceeded once the quota is passed."""
        self.spend_bytes(measure(value, size_limit=max(self.left, 0)).size)

    def spend_bytes(self, size: int) -> None:
        self.left -= size
        if self.left < 0:
            raise StatesError(
                DATA_LIMIT_EXCEEDED,
                f"The {self.where} has a size exceeding the maximum number of bytes service limit.",
            )


@dataclass(frozen=True)
class _Static:
    value: Any
    size: int

    def build(self, data: Any, context: dict | None, budget: _Budget) -> Any:
        budget.spend_bytes(self.size)
        return copy.deepcopy(self.value)


@dataclass(frozen=True)
class _Object:
    fields: tuple[tuple[str, Any], ...]
    overhead: int  # braces, commas, keys and colons, as compact JSON writes them

    def build(self, data: Any, context: dict | None, budget: _Budget) -> Any:
        budget.spend_bytes(self.overhead)
        return {key: node.build(data, context, budget) for key, node in self.fields}


@dataclass(frozen=True)
class _Array:
    items: tuple[Any, ...]

    def build(self, data: Any, context: dict | None, budget: _Budget) -> Any:
        budget.spend_bytes(2 + max(0, len(self.items) - 1))
        return [node.build(data, context, budget) for node in self.items]


@dataclass(frozen=True)
class _Path:
    path: str
    field: str

    def build(self, data: Any, context: dict | None, budget: _Budget) -> Any:
        value = require(self.path, data, context, field=self.field)
        budget.spend(value)  # measured before it is copied: a template cannot multiply the input
        return copy.deepcopy(value)


@dataclass(frozen=True)
class _Intrinsic:
    call: Call

    def build(self, data: Any, context: dict | None, budget: _Budget) -> Any:
        value = evaluate_call(self.call, data, context)
        budget.spend(value)
        return value


@dataclass(frozen=True)
class _Failing:
    """A ``.$`` value that is neither a path nor a call: building it fails the state, as on AWS."""

    error: str
    cause: str

    def build(self, data: Any, context: dict | None, budget: _Budget) -> Any:
        raise StatesError(self.error, self.cause)


@dataclass(frozen=True)
class Template:
    """A compiled payload template; ``build(data, context)`` gives the payload.

    ``where`` names it in the cause of ``States.DataLimitExceeded`` (e.g. "Parameters of
    state 'Train'"), raised as soon as the payload being built passes 256 KiB.
    """

    root: Any
    where: str = "payload template"

    def build(self, data: Any, context: dict | None) -> Any:
        """The payload for this state input and context object."""
        return self.root.build(data, context, _Budget(self.where))


def compile_template(template: Any, where: str = "payload template") -> Template:
    """Compile a payload template (its paths and intrinsic calls are parsed here, once)."""
    return Template(_compile(template), where)


def _compile(template: Any) -> Any:
    if not _has_dynamic(template):
        return _Static(template, measure(template, size_limit=DEFINITION_LIMIT_BYTES).size)
    if isinstance(template, dict):
        fields = []
        for key, value in template.items():
            if key.endswith(".$"):
                fields.append((key[:-2], _dynamic(value, key)))
            else:
                fields.append((key, _compile(value)))
        keys = measure({key: None for key, _ in fields}, size_limit=DEFINITION_LIMIT_BYTES).size
        return _Object(tuple(fields), keys - 4 * len(fields))  # the measure counted a null a key
    return _Array(tuple(_compile(item) for item in template))


def _has_dynamic(value: Any) -> bool:
    if isinstance(value, dict):
        return any(key.endswith(".$") or _has_dynamic(item) for key, item in value.items())
    if isinstance(value, list):
        return any(_has_dynamic(item) for item in value)
    return False


def _dynamic(expression: Any, field: str) -> Any:
    """The node of a ``.$`` value: a path, a ``$$`` context path, or an intrinsic call."""
    if not isinstance(expression, str):
        return _Failing(RUNTIME, f"The value for the field '{field}' must be a string, got {expression!r}")
    if is_intrinsic(expression):
        try:
            return _Intrinsic(parse_intrinsic(expression))
        except ValueError as error:
            return _Failing(INTRINSIC_FAILURE, str(error))
    return _Path(expression, field)


def compile_dynamic(expression: Any, field: str) -> Template:
    """Compile one ``.$``-style value (a path or an intrinsic call), e.g. a Fail state's CausePath."""
    return Template(_dynamic(expression, field), field)
