"""Static checks of a state machine definition, run before anything starts.

``validate_definition`` walks the whole definition (Parallel branches and Map processors
included) and raises one ``DefinitionError`` listing every problem, each a sentence naming
the state, so a user fixes them all in one pass instead of meeting them one run at a time.
It is as strict as CreateStateMachine: unknown fields and fields a state type does not take
are problems, state names are unique across the definition and at most 80 characters, every
state is reachable, and numbers stay within AWS's bounds. A definition over 1 MiB, or nested
deeper than the engine follows, is refused before anything else is looked at.
"""

from __future__ import annotations

from typing import Any

from pipeline.local.asl.errors import DefinitionError
from pipeline.local.asl.limits import DEFINITION_DEPTH_LIMIT, DEFINITION_LIMIT_BYTES, MAX_SECONDS, measure
from pipeline.local.asl.validation_fields import (
    ALLOWED_FIELDS,
    check_dynamic,
    check_fields,
    check_int,
    check_optional_path,
    check_path,
    check_string,
    check_template,
    int_in_range,
    is_timestamp,
)
from pipeline.local.asl.validation_rules import check_catch, check_choices, check_retry

STATE_TYPES = frozenset(ALLOWED_FIELDS)
TERMINAL_TYPES = frozenset({"Choice", "Succeed", "Fail"})
RETRYABLE_TYPES = frozenset({"Task", "Parallel", "Map"})
WAIT_FIELDS = ("Seconds", "Timestamp", "SecondsPath", "TimestampPath")
MAX_STATE_NAME = 80
_TOP_FIELDS = frozenset({"StartAt", "States", "Comment", "Version", "TimeoutSeconds"})
_BRANCH_FIELDS = frozenset({"StartAt", "States", "Comment"})
_PROCESSOR_FIELDS = _BRANCH_FIELDS | {"ProcessorConfig"}


def validate_definition(definition: Any) -> None:
    """Raise ``DefinitionError`` listing every problem of ``definition``; return None if valid."""
    if not isinstance(definition, dict):
        raise DefinitionError(["The definition must be a JSON object with StartAt and States."])
    measured = measure(definition, size_limit=DEFINITION_LIMIT_BYTES, depth_limit=DEFINITION_DEPTH_LIMIT)
    if measured.depth > DEFINITION_DEPTH_LIMIT:
        raise DefinitionError(
            [
                f"The definition nests more than {DEFINITION_DEPTH_LIMIT} levels deep; the local engine runs "
                "definitions nested up to that depth (about 50 Parallel or Map states inside each other)."
            ]
        )
    if measured.size > DEFINITION_LIMIT_BYTES:
        raise DefinitionError(
            [f"The definition is larger than {DEFINITION_LIMIT_BYTES} bytes, the most AWS accepts."]
        )
    problems: list[str] = []
    check_fields(definition, _TOP_FIELDS, "a state machine", "The definition", problems)
    check_int(definition, "TimeoutSeconds", 1, MAX_SECONDS, "The state machine", problems)
    if definition.get("Version", "1.0") != "1.0":
        problems.append("The definition's Version must be '1.0'.")
    _check_machine(definition, "", problems, names={})
    if problems:
        raise DefinitionError(problems)


def _check_machine(machine: Any, where: str, problems: list[str], *, names: dict[str, str]) -> None:
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
        label = f"{where}State '{name}'"
        if len(name) > MAX_STATE_NAME:
            problems.append(f"{label}: a state name has at most {MAX_STATE_NAME} characters.")
        if name in names:
            problems.append(f"{label}: the name is used twice ({names[name]} too); state names are unique.")
        names.setdefault(name, label)
        _check_state(label, state, states, problems, names)
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
        targets += [rule.get("Next") for rule in _list(state.get("Choices")) if isinstance(rule, dict)]
        targets += [c.get("Next") for c in _list(state.get("Catch")) if isinstance(c, dict)]
        todo.extend(t for t in targets if isinstance(t, str))
    return seen


def _list(value: Any) -> list:
    return value if isinstance(value, list) else []


def _check_state(label: str, state: Any, states: dict, problems: list[str], names: dict[str, str]) -> None:
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

    retry_catch = frozenset({"Retry", "Catch"})
    check_fields(state, ALLOWED_FIELDS[kind], f"a {kind} state", label, problems, skip=retry_catch)
    if ("Retry" in state or "Catch" in state) and kind not in RETRYABLE_TYPES:
        problems.append(f"{label}: Retry and Catch are allowed only on Task, Parallel and Map states.")
    check_string(state, "Comment", label, problems)
    if kind not in TERMINAL_TYPES:
        _check_flow(state, label, target, problems)
    for field in ("InputPath", "OutputPath"):
        check_optional_path(state, field, label, problems)
    check_optional_path(state, "ResultPath", label, problems, reference=True)
    for field in ("Parameters", "ResultSelector", "ItemSelector"):
        if field in state:
            check_template(state[field], f"{label}: {field}", problems)
    check = _CHECKS.get(kind)
    if check:
        check(state, label, target, problems, names)
    if kind in RETRYABLE_TYPES:
        check_retry(state.get("Retry", []), label, problems)
        check_catch(state.get("Catch", []), label, target, problems)


def _check_flow(state: dict, label: str, target, problems: list[str]) -> None:
    has_next, has_end = "Next" in state, "End" in state
    if has_end and state["End"] is not True:
        problems.append(f'{label}: End must be true when present (use Next to go on, or "End": true).')
    if has_next and has_end:
        problems.append(f"{label} has both Next and End: keep one.")
    elif not has_next and not has_end:
        problems.append(f'{label} has neither Next nor End: add Next or "End": true.')
    elif has_next:
        target(state["Next"], "Next")


def _check_task(state: dict, label: str, target, problems: list[str], names: dict) -> None:
    if not isinstance(state.get("Resource"), str) or not state["Resource"]:
        problems.append(f"{label} is a Task without a Resource: set the ARN of what it runs.")
    for field in ("TimeoutSeconds", "HeartbeatSeconds"):
        check_int(state, field, 1, MAX_SECONDS, label, problems)
        if field in state and f"{field}Path" in state:
            problems.append(f"{label} has both {field} and {field}Path: keep one.")
        if f"{field}Path" in state:
            check_path(state[f"{field}Path"], f"{label}: {field}Path", problems, reference=True)
    timeout, heartbeat = state.get("TimeoutSeconds"), state.get("HeartbeatSeconds")
    if (
        int_in_range(timeout, 1, MAX_SECONDS)
        and int_in_range(heartbeat, 1, MAX_SECONDS)
        and heartbeat >= timeout
    ):
        problems.append(f"{label}: HeartbeatSeconds must be smaller than TimeoutSeconds.")


def _check_wait(state: dict, label: str, target, problems: list[str], names: dict) -> None:
    present = [field for field in WAIT_FIELDS if field in state]
    if len(present) != 1:
        problems.append(f"{label} is a Wait state and needs exactly one of {', '.join(WAIT_FIELDS)}.")
    elif present == ["Seconds"]:
        check_int(state, "Seconds", 0, MAX_SECONDS, label, problems)
    elif present == ["Timestamp"]:
        if not is_timestamp(state["Timestamp"]):
            problems.append(f"{label}: Timestamp must be an RFC 3339 timestamp such as 2024-06-01T12:00:00Z.")
    else:
        check_path(state[present[0]], f"{label}: {present[0]}", problems, reference=True)


def _check_fail(state: dict, label: str, target, problems: list[str], names: dict) -> None:
    for field in ("Error", "Cause"):
        check_string(state, field, label, problems)
        if field in state and f"{field}Path" in state:
            problems.append(f"{label} has both {field} and {field}Path: keep one.")
        if f"{field}Path" in state:
            check_dynamic(state[f"{field}Path"], f"{label}: {field}Path", problems)


def _check_choice(state: dict, label: str, target, problems: list[str], names: dict) -> None:
    check_choices(state, label, target, problems)


def _check_parallel(state: dict, label: str, target, problems: list[str], names: dict) -> None:
    branches = state.get("Branches")
    if not isinstance(branches, list) or not branches:
        problems.append(f"{label} is a Parallel state without Branches: add at least one branch.")
        return
    for index, branch in enumerate(branches, 1):
        where = f"{label} branch {index}: "
        if isinstance(branch, dict):
            check_fields(branch, _BRANCH_FIELDS, "a branch", where.rstrip(": "), problems)
        _check_machine(branch, where, problems, names=names)


def _check_map(state: dict, label: str, target, problems: list[str], names: dict) -> None:
    processor = state.get("ItemProcessor", state.get("Iterator"))
    if processor is None:
        problems.append(f"{label} is a Map state without ItemProcessor (or Iterator).")
    else:
        where = f"{label} ItemProcessor: "
        if isinstance(processor, dict):
            allowed = _PROCESSOR_FIELDS if "ItemProcessor" in state else _BRANCH_FIELDS
            check_fields(processor, allowed, "an ItemProcessor", where.rstrip(": "), problems)
            config = processor.get("ProcessorConfig", {})
            mode = config.get("Mode", "INLINE") if isinstance(config, dict) else config
            if mode != "INLINE":
                problems.append(
                    f"{label}: only the INLINE Map runs locally (ProcessorConfig Mode {mode!r}); "
                    "run a distributed Map on the aws backend."
                )
        _check_machine(processor, where, problems, names=names)
    if "ItemProcessor" in state and "Iterator" in state:
        problems.append(f"{label} has both ItemProcessor and Iterator: keep ItemProcessor.")
    if "ItemsPath" in state:
        check_path(state["ItemsPath"], f"{label}: ItemsPath", problems, reference=True)
    check_int(state, "MaxConcurrency", 0, MAX_SECONDS, label, problems)
    if "MaxConcurrencyPath" in state:
        check_path(state["MaxConcurrencyPath"], f"{label}: MaxConcurrencyPath", problems, reference=True)
        if "MaxConcurrency" in state:
            problems.append(f"{label} has both MaxConcurrency and MaxConcurrencyPath: keep one.")
    if "ItemSelector" in state and "Parameters" in state:
        problems.append(f"{label} has both ItemSelector and Parameters: keep ItemSelector.")


_CHECKS = {
    "Task": _check_task,
    "Choice": _check_choice,
    "Wait": _check_wait,
    "Fail": _check_fail,
    "Parallel": _check_parallel,
    "Map": _check_map,
}
