"""Static checks of a state machine definition, run before anything starts.

``validate_definition`` walks the whole definition (Parallel branches and Map processors
included) and raises one ``DefinitionError`` listing every problem, each a sentence naming
the state, so a user fixes them all in one pass instead of meeting them one run at a time.
"""

from __future__ import annotations

from typing import Any

from pipeline.local.asl.choice import OPERATORS
from pipeline.local.asl.errors import DefinitionError
from pipeline.local.asl.intrinsic_parser import is_intrinsic, parse_intrinsic
from pipeline.local.asl.paths import compile_path

STATE_TYPES = frozenset({"Task", "Pass", "Choice", "Wait", "Succeed", "Fail", "Parallel", "Map"})
TERMINAL_TYPES = frozenset({"Choice", "Succeed", "Fail"})
RETRYABLE_TYPES = frozenset({"Task", "Parallel", "Map"})
WAIT_FIELDS = ("Seconds", "Timestamp", "SecondsPath", "TimestampPath")


def validate_definition(definition: Any) -> None:
    """Raise ``DefinitionError`` listing every problem of ``definition``; return None if valid."""
    problems: list[str] = []
    if not isinstance(definition, dict):
        raise DefinitionError(["The definition must be a JSON object with StartAt and States."])
    _check_machine(definition, "", problems)
    timeout = definition.get("TimeoutSeconds")
    if timeout is not None and not _positive_int(timeout):
        problems.append("The state machine's TimeoutSeconds must be a positive integer.")
    if problems:
        raise DefinitionError(problems)


def _positive_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value > 0


def _non_negative_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _check_machine(machine: Any, where: str, problems: list[str]) -> None:
    """Check one StartAt/States block (the top level, a Parallel branch or a Map processor)."""
    if not isinstance(machine, dict):
        problems.append(f"{where or 'The definition'} must be an object with StartAt and States.")
        return
    states = machine.get("States")
    start = machine.get("StartAt")
    if not isinstance(states, dict) or not states:
        problems.append(f"{where}States is missing or empty: add at least one state.")
        states = {}
    if not isinstance(start, str):
        problems.append(f"{where}StartAt is missing: name the first state to run.")
    elif states and start not in states:
        problems.append(f"{where}StartAt names the state '{start}', which is not defined in States.")
    for name, state in states.items():
        _check_state(name, state, states, where, problems)
    if isinstance(start, str) and start in states:
        for name in sorted(set(states) - _reachable(start, states)):
            problems.append(f"{where}State '{name}' is not reachable from StartAt '{start}'.")


def _reachable(start: str, states: dict) -> set[str]:
    seen, todo = set(), [start]
    while todo:
        name = todo.pop()
        if name in seen or not isinstance(states.get(name), dict):
            continue
        seen.add(name)
        state = states[name]
        targets = [state.get("Next"), state.get("Default")]
        targets += [rule.get("Next") for rule in state.get("Choices") or [] if isinstance(rule, dict)]
        targets += [c.get("Next") for c in state.get("Catch") or [] if isinstance(c, dict)]
        todo.extend(t for t in targets if isinstance(t, str))
    return seen


def _check_state(name: str, state: Any, states: dict, where: str, problems: list[str]) -> None:
    label = f"{where}State '{name}'"
    if not isinstance(state, dict):
        problems.append(f"{label} must be an object.")
        return
    kind = state.get("Type")
    if kind not in STATE_TYPES:
        problems.append(f"{label} has unknown Type {kind!r}: use one of {', '.join(sorted(STATE_TYPES))}.")
        return

    def target(value: Any, field: str) -> None:
        if not isinstance(value, str) or value not in states:
            problems.append(f"{label}: {field} names the state {value!r}, which is not defined.")

    if kind in TERMINAL_TYPES:
        for field in ("Next", "End"):
            if field in state:
                problems.append(f"{label} is a {kind} state and must not have {field}.")
    else:
        has_next, has_end = "Next" in state, state.get("End") is True
        if has_next and has_end:
            problems.append(f"{label} has both Next and End: keep one.")
        elif not has_next and not has_end:
            problems.append(f'{label} has neither Next nor End: add Next or "End": true.')
        elif has_next:
            target(state["Next"], "Next")
    if ("Retry" in state or "Catch" in state) and kind not in RETRYABLE_TYPES:
        problems.append(f"{label}: Retry and Catch are allowed only on Task, Parallel and Map states.")
    for field in ("InputPath", "OutputPath", "ResultPath", "ItemsPath"):
        if state.get(field) is not None:
            _check_path(state[field], f"{label}: {field}", problems)
    for field in ("Parameters", "ResultSelector", "ItemSelector"):
        if field in state:
            _check_template(state[field], f"{label}: {field}", problems)
    check = _CHECKS.get(kind)
    if check:
        check(state, label, target, problems)
    if kind in RETRYABLE_TYPES:
        _check_retry(state.get("Retry", []), label, problems)
        _check_catch(state.get("Catch", []), label, target, problems)


def _check_path(path: Any, label: str, problems: list[str]) -> None:
    try:
        compile_path(path)
    except ValueError as error:
        problems.append(f"{label}: {error}.")


def _check_template(template: Any, label: str, problems: list[str]) -> None:
    if isinstance(template, list):
        for item in template:
            _check_template(item, label, problems)
    if not isinstance(template, dict):
        return
    for key, value in template.items():
        if not key.endswith(".$"):
            _check_template(value, label, problems)
        elif not isinstance(value, str):
            problems.append(f"{label}: the field '{key}' must be a string path or intrinsic function.")
        elif is_intrinsic(value):
            try:
                parse_intrinsic(value)
            except ValueError as error:
                problems.append(f"{label}: the field '{key}' holds an invalid intrinsic function: {error}.")
        else:
            _check_path(_context_path(value), f"{label}: the field '{key}'", problems)


def _check_task(state: dict, label: str, target, problems: list[str]) -> None:
    if not isinstance(state.get("Resource"), str) or not state["Resource"]:
        problems.append(f"{label} is a Task without a Resource: set the ARN of what it runs.")
    for field in ("TimeoutSeconds", "HeartbeatSeconds"):
        if field in state and not _positive_int(state[field]):
            problems.append(f"{label}: {field} must be a positive integer.")
        if field in state and f"{field}Path" in state:
            problems.append(f"{label} has both {field} and {field}Path: keep one.")


def _check_pass(state: dict, label: str, target, problems: list[str]) -> None:
    return None


def _check_choice(state: dict, label: str, target, problems: list[str]) -> None:
    choices = state.get("Choices")
    if not isinstance(choices, list) or not choices:
        problems.append(f"{label} is a Choice without Choices: add at least one rule.")
        choices = []
    for index, rule in enumerate(choices, 1):
        if not isinstance(rule, dict):
            problems.append(f"{label}: choice rule {index} must be an object.")
            continue
        if "Next" not in rule:
            problems.append(f"{label}: choice rule {index} has no Next.")
        else:
            target(rule["Next"], f"choice rule {index} Next")
        _check_rule(rule, f"{label}: choice rule {index}", problems)
    if "Default" in state:
        target(state["Default"], "Default")


def _check_rule(rule: Any, label: str, problems: list[str]) -> None:
    if not isinstance(rule, dict):
        problems.append(f"{label} must be an object.")
        return
    combinators = [key for key in ("And", "Or", "Not") if key in rule]
    operators = [key for key in rule if key in OPERATORS]
    if len(combinators) + len(operators) != 1:
        problems.append(f"{label} must have exactly one comparison operator or And/Or/Not.")
        return
    if combinators:
        key = combinators[0]
        subs = rule[key] if key != "Not" else [rule[key]]
        if key != "Not" and (not isinstance(subs, list) or not subs):
            problems.append(f"{label}: {key} must be a non-empty list of rules.")
            return
        for sub in subs:
            _check_rule(sub, f"{label} ({key})", problems)
        return
    if "Variable" not in rule:
        problems.append(f"{label} has no Variable.")
    else:
        _check_path(_context_path(rule["Variable"]), f"{label}: Variable", problems)
    operator = operators[0]
    if operator.endswith("Path"):
        _check_path(_context_path(rule[operator]), f"{label}: {operator}", problems)


def _context_path(path: Any) -> Any:
    """A ``$$`` context path as the plain path it is evaluated with (``$$.X`` -> ``$.X``)."""
    return path[1:] if isinstance(path, str) and path.startswith("$$") else path


def _check_wait(state: dict, label: str, target, problems: list[str]) -> None:
    present = [field for field in WAIT_FIELDS if field in state]
    if len(present) != 1:
        problems.append(f"{label} is a Wait state and needs exactly one of {', '.join(WAIT_FIELDS)}.")
    elif present == ["Seconds"] and not _non_negative_int(state["Seconds"]):
        problems.append(f"{label}: Seconds must be a non-negative integer.")


def _check_fail(state: dict, label: str, target, problems: list[str]) -> None:
    for field in ("Error", "Cause"):
        if field in state and f"{field}Path" in state:
            problems.append(f"{label} has both {field} and {field}Path: keep one.")


def _check_parallel(state: dict, label: str, target, problems: list[str]) -> None:
    branches = state.get("Branches")
    if not isinstance(branches, list) or not branches:
        problems.append(f"{label} is a Parallel state without Branches: add at least one branch.")
        return
    for index, branch in enumerate(branches, 1):
        _check_machine(branch, f"{label} branch {index}: ", problems)


def _check_map(state: dict, label: str, target, problems: list[str]) -> None:
    processor = state.get("ItemProcessor", state.get("Iterator"))
    if processor is None:
        problems.append(f"{label} is a Map state without ItemProcessor (or Iterator).")
    else:
        _check_machine(processor, f"{label} ItemProcessor: ", problems)
    if "MaxConcurrency" in state and not _non_negative_int(state["MaxConcurrency"]):
        problems.append(f"{label}: MaxConcurrency must be a non-negative integer.")
    if "ItemSelector" in state and "Parameters" in state:
        problems.append(f"{label} has both ItemSelector and Parameters: keep ItemSelector.")


def _check_retry(retriers: Any, label: str, problems: list[str]) -> None:
    if not isinstance(retriers, list):
        problems.append(f"{label}: Retry must be a list of retriers.")
        return
    for index, retrier in enumerate(retriers, 1):
        where = f"{label}: retrier {index}"
        if not isinstance(retrier, dict):
            problems.append(f"{where} must be an object.")
            continue
        _check_error_equals(retrier, where, index == len(retriers), problems)
        if "IntervalSeconds" in retrier and not _positive_int(retrier["IntervalSeconds"]):
            problems.append(f"{where}: IntervalSeconds must be a positive integer.")
        if "MaxAttempts" in retrier and not _non_negative_int(retrier["MaxAttempts"]):
            problems.append(f"{where}: MaxAttempts must be a non-negative integer.")
        rate = retrier.get("BackoffRate", 2.0)
        if not isinstance(rate, int | float) or isinstance(rate, bool) or rate < 1.0:
            problems.append(f"{where}: BackoffRate must be a number of at least 1.0.")
        if "MaxDelaySeconds" in retrier and not _positive_int(retrier["MaxDelaySeconds"]):
            problems.append(f"{where}: MaxDelaySeconds must be a positive integer.")
        if retrier.get("JitterStrategy", "NONE") not in ("FULL", "NONE"):
            problems.append(f"{where}: JitterStrategy must be FULL or NONE.")


def _check_catch(catchers: Any, label: str, target, problems: list[str]) -> None:
    if not isinstance(catchers, list):
        problems.append(f"{label}: Catch must be a list of catchers.")
        return
    for index, catcher in enumerate(catchers, 1):
        where = f"{label}: catcher {index}"
        if not isinstance(catcher, dict):
            problems.append(f"{where} must be an object.")
            continue
        _check_error_equals(catcher, where, index == len(catchers), problems)
        if "Next" not in catcher:
            problems.append(f"{where} has no Next.")
        else:
            target(catcher["Next"], f"catcher {index} Next")
        if catcher.get("ResultPath") is not None:
            _check_path(catcher["ResultPath"], f"{where}: ResultPath", problems)


def _check_error_equals(rule: dict, where: str, last: bool, problems: list[str]) -> None:
    errors = rule.get("ErrorEquals")
    if not isinstance(errors, list) or not errors or not all(isinstance(e, str) for e in errors):
        problems.append(f"{where}: ErrorEquals must be a non-empty list of error names.")
        return
    if "States.ALL" in errors and (len(errors) != 1 or not last):
        problems.append(f"{where}: States.ALL must appear alone and in the last retrier or catcher.")


_CHECKS = {
    "Task": _check_task,
    "Pass": _check_pass,
    "Choice": _check_choice,
    "Wait": _check_wait,
    "Fail": _check_fail,
    "Parallel": _check_parallel,
    "Map": _check_map,
}
