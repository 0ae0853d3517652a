"""Choice rules: the comparison operators, their ``*Path`` variants, And/Or/Not and type tests.

As in AWS, a comparison between values of the wrong type is simply false (a string is not
numerically equal to anything), a ``Variable`` path that matches nothing fails the state
with ``States.Runtime`` (except under ``IsPresent``), and no matching rule without a
``Default`` fails with ``States.NoChoiceMatched``.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable
from datetime import datetime
from typing import Any

from pipeline.local.asl.errors import StatesError
from pipeline.local.asl.paths import MISSING, RUNTIME, resolve, to_json

_ORDER: dict[str, Callable[[Any, Any], bool]] = {
    "Equals": operator.eq,
    "LessThan": operator.lt,
    "GreaterThan": operator.gt,
    "LessThanEquals": operator.le,
    "GreaterThanEquals": operator.ge,
}
_TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")

TYPE_TESTS = ("IsNull", "IsPresent", "IsNumeric", "IsString", "IsBoolean", "IsTimestamp")
_KINDS = ("String", "Numeric", "Timestamp")
COMPARISONS = (*(f"{kind}{op}" for kind in _KINDS for op in _ORDER), "BooleanEquals", "StringMatches")
PATH_COMPARISONS = tuple(f"{name}Path" for name in COMPARISONS if name != "StringMatches")
OPERATORS = frozenset((*COMPARISONS, *PATH_COMPARISONS, *TYPE_TESTS))


def is_number(value: Any) -> bool:
    """JSON numbers only: booleans are not numbers here, unlike in Python."""
    return isinstance(value, int | float) and not isinstance(value, bool)


def parse_timestamp(value: Any) -> datetime | None:
    """An RFC 3339 timestamp as Step Functions accepts it (uppercase T and Z), else None."""
    if not isinstance(value, str) or not _TIMESTAMP.match(value):
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None


def string_matches(value: str, pattern: str) -> bool:
    """StringMatches: ``*`` matches any run of characters, ``\\*`` a literal star."""
    parts, i, literal = [], 0, []
    while i < len(pattern):
        if pattern[i] == "\\" and i + 1 < len(pattern):
            literal.append(pattern[i + 1])
            i += 2
            continue
        if pattern[i] == "*":
            parts.append(re.escape("".join(literal)) + ".*")
            literal = []
        else:
            literal.append(pattern[i])
        i += 1
    parts.append(re.escape("".join(literal)))
    return re.fullmatch("".join(parts), value, flags=re.DOTALL) is not None


def _compare(name: str, value: Any, expected: Any) -> bool:
    if name == "StringMatches":
        return isinstance(value, str) and isinstance(expected, str) and string_matches(value, expected)
    if name == "BooleanEquals":
        return isinstance(value, bool) and isinstance(expected, bool) and value == expected
    for kind in _KINDS:
        if name.startswith(kind):
            compare = _ORDER[name[len(kind) :]]
            if kind == "String":
                return isinstance(value, str) and isinstance(expected, str) and compare(value, expected)
            if kind == "Numeric":
                return is_number(value) and is_number(expected) and compare(value, expected)
            left, right = parse_timestamp(value), parse_timestamp(expected)
            return left is not None and right is not None and compare(left, right)
    raise StatesError(RUNTIME, f"Unknown Choice operator '{name}'")


def _type_test(name: str, value: Any, expected: bool) -> bool:
    if name == "IsPresent":
        result = value is not MISSING
    elif value is MISSING:
        result = False
    elif name == "IsNull":
        result = value is None
    elif name == "IsNumeric":
        result = is_number(value)
    elif name == "IsString":
        result = isinstance(value, str)
    elif name == "IsBoolean":
        result = isinstance(value, bool)
    else:
        result = parse_timestamp(value) is not None
    return result == expected


def evaluate_rule(rule: dict, data: Any, context: dict | None = None) -> bool:
    """Whether one choice rule (possibly nested with And/Or/Not) holds for ``data``."""
    if "And" in rule:
        return all(evaluate_rule(sub, data, context) for sub in rule["And"])
    if "Or" in rule:
        return any(evaluate_rule(sub, data, context) for sub in rule["Or"])
    if "Not" in rule:
        return not evaluate_rule(rule["Not"], data, context)
    name = next((key for key in rule if key in OPERATORS), None)
    if name is None:
        raise StatesError(RUNTIME, f"The choice rule {to_json(rule)} has no comparison operator")
    variable = rule.get("Variable", "$")
    value = resolve(variable, data, context)
    if name in TYPE_TESTS:
        return _type_test(name, value, rule[name])
    if value is MISSING:
        raise StatesError(
            RUNTIME,
            f"Invalid path '{variable}': The choice state's condition path references an invalid value.",
        )
    expected = rule[name]
    if name.endswith("Path"):
        name = name[: -len("Path")]
        path = expected
        expected = resolve(path, data, context)
        if expected is MISSING:
            raise StatesError(
                RUNTIME,
                f"Invalid path '{path}': The choice state's condition path references an invalid value.",
            )
    return _compare(name, value, expected)


def choose_next(state: dict, data: Any, context: dict | None, *, state_name: str) -> str:
    """The name of the next state: the first matching rule's Next, else Default."""
    for rule in state.get("Choices", []):
        if evaluate_rule(rule, data, context):
            return rule["Next"]
    if state.get("Default"):
        return state["Default"]
    raise StatesError(
        "States.NoChoiceMatched",
        f"No Choice Rule of state '{state_name}' matched the input and it has no Default: {to_json(data)}",
    )
