"""Checks of Choice rules, retriers and catchers, as CreateStateMachine makes them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pipeline.local.asl.choice import COMBINATORS, OPERATORS, TYPE_TESTS
from pipeline.local.asl.limits import MAX_DELAY_SECONDS, MAX_SECONDS
from pipeline.local.asl.validation_fields import (
    check_fields,
    check_int,
    check_optional_path,
    check_path,
    is_timestamp,
)
from pipeline.local.asl.values import is_number

#: ``target(name, field)`` reports a state name that is not defined.
Target = Callable[[Any, str], None]

_RETRIER_FIELDS = frozenset(
    {
        "ErrorEquals",
        "IntervalSeconds",
        "MaxAttempts",
        "BackoffRate",
        "MaxDelaySeconds",
        "JitterStrategy",
        "Comment",
    }
)
_CATCHER_FIELDS = frozenset({"ErrorEquals", "Next", "ResultPath", "Comment"})
_RULE_FIELDS = frozenset({"Variable", "Comment", *OPERATORS, *COMBINATORS})


def _operand_ok(operator: str, value: Any) -> bool:
    if operator in TYPE_TESTS or operator == "BooleanEquals":
        return isinstance(value, bool)
    if operator.endswith("Path"):
        return isinstance(value, str)
    if operator.startswith("Numeric"):
        return is_number(value)
    if operator.startswith("Timestamp"):
        return is_timestamp(value)
    return isinstance(value, str)  # String* comparisons and StringMatches


def check_rule(rule: Any, label: str, problems: list[str], *, top: bool) -> None:
    """One choice rule; a top-level rule needs Next, a nested one must not have it."""
    if not isinstance(rule, dict):
        problems.append(f"{label} must be an object.")
        return
    allowed = _RULE_FIELDS | {"Next"} if top else _RULE_FIELDS
    check_fields(rule, allowed, "a choice rule", label, problems, skip=frozenset({"Next"}))
    if not top and "Next" in rule:
        problems.append(f"{label}: Next belongs on the top-level rules of Choices, not inside And/Or/Not.")
    combinators = [key for key in COMBINATORS if key in rule]
    operators = [key for key in rule if key in OPERATORS]
    if len(combinators) + len(operators) != 1:
        problems.append(f"{label} must have exactly one comparison operator or And/Or/Not.")
        return
    if combinators:
        key = combinators[0]
        if "Variable" in rule:
            problems.append(f"{label}: {key} does not take a Variable.")
        subs = rule[key] if key != "Not" else [rule[key]]
        if key != "Not" and (not isinstance(subs, list) or not subs):
            problems.append(f"{label}: {key} must be a non-empty list of rules.")
            return
        for sub in subs:
            check_rule(sub, f"{label} ({key})", problems, top=False)
        return
    if "Variable" not in rule:
        problems.append(f"{label} has no Variable.")
    else:
        check_path(rule["Variable"], f"{label}: Variable", problems)
    operator = operators[0]
    if not _operand_ok(operator, rule[operator]):
        problems.append(f"{label}: the value of {operator} has the wrong type ({rule[operator]!r}).")
    elif operator.endswith("Path"):
        check_path(rule[operator], f"{label}: {operator}", problems)


def check_choices(state: dict, label: str, target: Target, problems: list[str]) -> None:
    """The Choices list and Default of a Choice state."""
    choices = state.get("Choices")
    if not isinstance(choices, list) or not choices:
        problems.append(f"{label} is a Choice without Choices: add at least one rule.")
        choices = []
    for index, rule in enumerate(choices, 1):
        where = f"{label}: choice rule {index}"
        if isinstance(rule, dict):
            if "Next" not in rule:
                problems.append(f"{where} has no Next.")
            else:
                target(rule["Next"], f"choice rule {index} Next")
        check_rule(rule, where, problems, top=True)
    if "Default" in state:
        target(state["Default"], "Default")


def check_retry(retriers: Any, label: str, problems: list[str]) -> None:
    """The Retry list of a Task, Parallel or Map state."""
    if not isinstance(retriers, list):
        problems.append(f"{label}: Retry must be a list of retriers.")
        return
    for index, retrier in enumerate(retriers, 1):
        where = f"{label}: retrier {index}"
        if not isinstance(retrier, dict):
            problems.append(f"{where} must be an object.")
            continue
        check_fields(retrier, _RETRIER_FIELDS, "a retrier", where, problems)
        _check_error_equals(retrier, where, index == len(retriers), problems)
        check_int(retrier, "IntervalSeconds", 1, MAX_SECONDS, where, problems)
        check_int(retrier, "MaxAttempts", 0, MAX_SECONDS, where, problems)
        check_int(retrier, "MaxDelaySeconds", 1, MAX_DELAY_SECONDS, where, problems)
        rate = retrier.get("BackoffRate", 2.0)
        if not is_number(rate) or rate < 1.0:
            problems.append(f"{where}: BackoffRate must be a number of at least 1.0.")
        if retrier.get("JitterStrategy", "NONE") not in ("FULL", "NONE"):
            problems.append(f"{where}: JitterStrategy must be FULL or NONE.")


def check_catch(catchers: Any, label: str, target: Target, problems: list[str]) -> None:
    """The Catch list of a Task, Parallel or Map state."""
    if not isinstance(catchers, list):
        problems.append(f"{label}: Catch must be a list of catchers.")
        return
    for index, catcher in enumerate(catchers, 1):
        where = f"{label}: catcher {index}"
        if not isinstance(catcher, dict):
            problems.append(f"{where} must be an object.")
            continue
        check_fields(catcher, _CATCHER_FIELDS, "a catcher", where, problems)
        _check_error_equals(catcher, where, index == len(catchers), problems)
        if "Next" not in catcher:
            problems.append(f"{where} has no Next.")
        else:
            target(catcher["Next"], f"catcher {index} Next")
        check_optional_path(catcher, "ResultPath", where, problems, reference=True)


def _check_error_equals(rule: dict, where: str, last: bool, problems: list[str]) -> None:
    errors = rule.get("ErrorEquals")
    if not isinstance(errors, list) or not errors or not all(isinstance(e, str) for e in errors):
        problems.append(f"{where}: ErrorEquals must be a non-empty list of error names.")
        return
    if "States.ALL" in errors and (len(errors) != 1 or not last):
        problems.append(f"{where}: States.ALL must appear alone and in the last retrier or catcher.")
