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

from pipeline.local.asl.errors import INTRINSIC_FAILURE, RUNTIME, StatesError
from pipeline.local.asl.intrinsic_parser import Call, is_intrinsic, parse_intrinsic
from pipeline.local.asl.intrinsics import evaluate_call
from pipeline.local.asl.paths import require


@dataclass(frozen=True)
class _Static:
    value: Any

    def build(self, data: Any, context: dict | None) -> Any:
        return copy.deepcopy(self.value)


@dataclass(frozen=True)
class _Object:
    fields: tuple[tuple[str, Any], ...]

    def build(self, data: Any, context: dict | None) -> Any:
        return {key: node.build(data, context) for key, node in self.fields}


@dataclass(frozen=True)
class _Array:
    items: tuple[Any, ...]

    def build(self, data: Any, context: dict | None) -> Any:
        return [node.build(data, context) for node in self.items]


@dataclass(frozen=True)
class _Path:
    path: str
    field: str

    def build(self, data: Any, context: dict | None) -> Any:
        return copy.deepcopy(require(self.path, data, context, field=self.field))


@dataclass(frozen=True)
class _Intrinsic:
    call: Call

    def build(self, data: Any, context: dict | None) -> Any:
        return evaluate_call(self.call, data, context)


@dataclass(frozen=True)
class _Failing:
    """A ``.$`` value that is neither a path nor a call: building it fails the state, as on AWS."""

    error: str
    cause: str

    def build(self, data: Any, context: dict | None) -> Any:
        raise StatesError(self.error, self.cause)


@dataclass(frozen=True)
class Template:
    """A compiled payload template; ``build(data, context)`` gives the payload."""

    root: Any

    def build(self, data: Any, context: dict | None) -> Any:
        """The payload for this state input and context object."""
        return self.root.build(data, context)


def compile_template(template: Any) -> Template:
    """Compile a payload template (its paths and intrinsic calls are parsed here, once)."""
    return Template(_compile(template))


def _compile(template: Any) -> Any:
    if not _has_dynamic(template):
        return _Static(template)
    if isinstance(template, dict):
        fields = []
        for key, value in template.items():
            if key.endswith(".$"):
                fields.append((key[:-2], _dynamic(value, key)))
            else:
                fields.append((key, _compile(value)))
        return _Object(tuple(fields))
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
    return Template(_dynamic(expression, field))
