"""Choice rules: the comparison operators, their ``*Path`` variants, And/Or/Not and type tests.

Rules are parsed once into ``ChoiceRule`` trees. As in AWS, a comparison between values of
the wrong type is simply false (a string is not numerically equal to anything), a
``Variable`` path that matches nothing fails the state with ``States.Runtime`` (except under
``IsPresent``), and no matching rule without a ``Default`` fails with
``States.NoChoiceMatched``.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pipeline.local.asl.errors import NO_CHOICE_MATCHED, RUNTIME, StatesError
from pipeline.local.asl.paths import MISSING, resolve
from pipeline.local.asl.values import is_number, to_json

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
COMBINATORS = ("And", "Or", "Not")


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


@dataclass(frozen=True)
class ChoiceRule:
    """One rule: a combinator over sub-rules, or one operator on a Variable.

    ``next`` is set on the top-level rules of a Choice state only.
    """

    next: str | None = None
    combinator: str | None = None
    rules: tuple[ChoiceRule, ...] = ()
    operator: str | None = None
    variable: str = "$"
    operand: Any = None


def parse_rule(raw: dict) -> ChoiceRule:
    """A validated rule (see ``validation``) as a ``ChoiceRule`` tree."""
    for combinator in COMBINATORS:
        if combinator in raw:
            subs = [raw[combinator]] if combinator == "Not" else raw[combinator]
            return ChoiceRule(raw.get("Next"), combinator, tuple(parse_rule(sub) for sub in subs))
    name = next((key for key in raw if key in OPERATORS), None)
    return ChoiceRule(raw.get("Next"), None, (), name, raw.get("Variable", "$"), raw.get(name))


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


def _invalid_path(path: str) -> StatesError:
    return StatesError(
        RUNTIME, f"Invalid path '{path}': The choice state's condition path references an invalid value."
    )


def evaluate_rule(rule: ChoiceRule | dict, data: Any, context: dict | None = None) -> bool:
    """Whether one choice rule (possibly nested with And/Or/Not) holds for ``data``."""
    if isinstance(rule, dict):
        rule = parse_rule(rule)
    if rule.combinator == "And":
        return all(evaluate_rule(sub, data, context) for sub in rule.rules)
    if rule.combinator == "Or":
        return any(evaluate_rule(sub, data, context) for sub in rule.rules)
    if rule.combinator == "Not":
        return not evaluate_rule(rule.rules[0], data, context)
    name = rule.operator
    if name is None:
        raise StatesError(RUNTIME, "The choice rule has no comparison operator")
    value = resolve(rule.variable, data, context)
    if name in TYPE_TESTS:
        return _type_test(name, value, rule.operand)
    if value is MISSING:
        raise _invalid_path(rule.variable)
    expected = rule.operand
    if name.endswith("Path"):
        name = name[: -len("Path")]
        expected = resolve(rule.operand, data, context)
        if expected is MISSING:
            raise _invalid_path(rule.operand)
    return _compare(name, value, expected)


def choose_next(
    choices: tuple[ChoiceRule, ...], default: str | None, data: Any, context: dict | None, *, state_name: str
) -> str:
    """The name of the next state: the first matching rule's Next, else Default."""
    for rule in choices:
        if rule.next is not None and evaluate_rule(rule, data, context):  # top-level rules have Next
            return rule.next
    if default:
        return default
    raise StatesError(
        NO_CHOICE_MATCHED,
        f"No Choice Rule of state '{state_name}' matched the input and it has no Default: {to_json(data)}",
    )
