"""JSONPath processing of state input and output, as Amazon States Language defines it.

A state's data flows through InputPath -> Parameters -> (the work) -> ResultSelector ->
ResultPath -> OutputPath. This module evaluates the paths on plain JSON values, with
jsonpath-ng doing the matching; payload templates (``.$`` keys) are in ``templates``. A path
that matches nothing where a value is required fails the state with ``States.Runtime``,
worded as AWS words it.
"""

from __future__ import annotations

import copy
from functools import lru_cache
from typing import Any

from jsonpath_ng import jsonpath
from jsonpath_ng.ext import parse as _jsonpath_parse

from pipeline.local.asl.errors import RUNTIME, StatesError
from pipeline.local.asl.limits import PATH_SEGMENT_LIMIT
from pipeline.local.asl.values import to_json

# Path nodes that select at most one value: a path built only from these is "definite" and
# yields that value; any other node (wildcard, slice, filter, descendants) yields a list.
_DEFINITE_NODES = (jsonpath.Root, jsonpath.This, jsonpath.Child, jsonpath.Fields, jsonpath.Index)


class _Missing:
    """Marker for "the path matched nothing" (``None`` is the JSON value null)."""

    def __repr__(self) -> str:
        return "MISSING"


MISSING = _Missing()


@lru_cache(maxsize=2048)
def compile_path(path: str) -> tuple[Any, bool]:
    """Parse a JSONPath once (parsing is slow) and say whether it is definite.

    Raises ``ValueError`` for a path that does not parse or does not start with ``$``.
    """
    if not isinstance(path, str) or not path.startswith("$"):
        raise ValueError(f"'{path}' is not a JSONPath: it must start with '$'")
    segments = _segments(path)
    if segments > PATH_SEGMENT_LIMIT:
        raise ValueError(
            f"the JSONPath has {segments} segments; the local engine follows paths of at most "
            f"{PATH_SEGMENT_LIMIT}"
        )
    try:
        expression = _jsonpath_parse(path)
    except Exception as error:  # jsonpath-ng raises bare Exception subclasses from ply
        raise ValueError(f"'{path}' is not a valid JSONPath: {error}") from error
    return expression, _is_definite(expression)


def _segments(path: str) -> int:
    """How many steps a path takes (``.`` and ``[`` outside quotes), counted without parsing."""
    count, quote = 0, None
    for char in path:
        if quote:
            quote = None if char == quote else quote
        elif char in "'\"":
            quote = char
        elif char in ".[":
            count += 1
    return count


def _is_definite(node: Any) -> bool:
    if isinstance(node, jsonpath.Child):
        return _is_definite(node.left) and _is_definite(node.right)
    if isinstance(node, jsonpath.Fields):
        return len(node.fields) == 1 and node.fields[0] != "*"
    if isinstance(node, jsonpath.Index):
        return len(getattr(node, "indices", (0,))) == 1
    return isinstance(node, _DEFINITE_NODES)


def context_path(path: Any) -> Any:
    """A ``$$`` context path as the plain path it is evaluated with (``$$.X`` -> ``$.X``)."""
    return path[1:] if isinstance(path, str) and path.startswith("$$") else path


def find(data: Any, path: str) -> Any:
    """The value ``path`` selects in ``data``: one value for a definite path, a list otherwise.

    Returns ``MISSING`` when a definite path matches nothing.
    """
    expression, definite = compile_path(path)
    if path == "$":
        return data
    matches = expression.find(data)
    if definite:
        return matches[0].value if matches else MISSING
    return [match.value for match in matches]


def resolve(path: str, data: Any, context: dict | None) -> Any:
    """Evaluate a path against the input, or against the context object for ``$$`` paths."""
    if path.startswith("$$"):
        return find(context or {}, path[1:])
    return find(data, path)


def require(path: str, data: Any, context: dict | None, *, field: str) -> Any:
    """Like ``resolve`` but a missing value fails the state with ``States.Runtime``."""
    try:
        value = resolve(path, data, context)
    except ValueError as error:
        raise StatesError(
            RUNTIME, f"The value for the field '{field}' must be a valid JSONPath: {error}"
        ) from None
    if value is MISSING:
        where = "context object" if path.startswith("$$") else "input"
        shown = context if path.startswith("$$") else data
        raise StatesError(
            RUNTIME,
            f"The JSONPath '{path}' specified for the field '{field}' could not be found "
            f"in the {where} '{to_json(shown)}'",
        )
    return value


def apply_input_path(data: Any, path: str | None, context: dict | None = None) -> Any:
    """InputPath (and OutputPath): ``$`` keeps the value, null gives ``{}``."""
    if path is None:
        return {}
    if path == "$":
        return data
    value = resolve(path, data, context)
    if value is MISSING:
        raise StatesError(RUNTIME, f"Invalid path '{path}' : No results for path: {path} in {to_json(data)}")
    return value


apply_output_path = apply_input_path


def apply_result_path(state_input: Any, result: Any, path: str | None) -> Any:
    """ResultPath: where the result goes in the state input (``$`` replaces, null discards)."""
    if path is None:
        return state_input
    if path == "$":
        return result
    try:
        expression, definite = compile_path(path)
    except ValueError as error:
        raise StatesError(RUNTIME, f"Invalid ResultPath '{path}': {error}") from None
    if not definite or path.startswith("$$"):
        raise StatesError(RUNTIME, f"Invalid ResultPath '{path}': it must be a reference path")
    if not isinstance(state_input, dict):
        raise StatesError(
            RUNTIME,
            f"Unable to apply ResultPath '{path}' to input '{to_json(state_input)}': "
            "the input is not an object",
        )
    try:
        return expression.update_or_create(copy.deepcopy(state_input), result)
    except Exception as error:
        raise StatesError(
            RUNTIME, f"Unable to apply ResultPath '{path}' to input '{to_json(state_input)}': {error}"
        ) from None
