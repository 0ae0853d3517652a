"""Which fields each state type may have, and checks of single field values.

CreateStateMachine refuses a state with a field its type does not have (a ``ResultsPath``
typo, ResultSelector on a Pass state, OutputPath on a Fail state, Next on a Succeed state),
so the local engine does too: a definition that runs locally must be one AWS accepts.
Fields AWS accepts that the local engine does not run (JSONata, variables, the distributed
Map's readers and writers) are refused with a message saying so, rather than ignored.
"""

from __future__ import annotations

import difflib
from typing import Any, TypeGuard

from pipeline.local.asl.choice import parse_timestamp
from pipeline.local.asl.intrinsic_parser import is_intrinsic, parse_intrinsic
from pipeline.local.asl.paths import compile_path, context_path

_COMMON = frozenset({"Type", "Comment"})
_FLOW = frozenset({"Next", "End"})
_IO = frozenset({"InputPath", "OutputPath"})
_RESULT = frozenset({"Parameters", "ResultSelector", "ResultPath", "Retry", "Catch"})

#: The fields of each state type (Amazon States Language, JSONPath query language).
ALLOWED_FIELDS: dict[str, frozenset[str]] = {
    "Pass": _COMMON | _FLOW | _IO | {"Parameters", "Result", "ResultPath"},
    "Task": _COMMON
    | _FLOW
    | _IO
    | _RESULT
    | {
        "Resource",
        "TimeoutSeconds",
        "TimeoutSecondsPath",
        "HeartbeatSeconds",
        "HeartbeatSecondsPath",
        "Credentials",
    },
    "Choice": _COMMON | _IO | {"Choices", "Default"},
    "Wait": _COMMON | _FLOW | _IO | {"Seconds", "Timestamp", "SecondsPath", "TimestampPath"},
    "Succeed": _COMMON | _IO,
    "Fail": _COMMON | {"Error", "Cause", "ErrorPath", "CausePath"},
    "Parallel": _COMMON | _FLOW | _IO | _RESULT | {"Branches"},
    "Map": _COMMON
    | _FLOW
    | _IO
    | _RESULT
    | {"ItemsPath", "ItemSelector", "ItemProcessor", "Iterator", "MaxConcurrency", "MaxConcurrencyPath"},
}

#: Valid on AWS, not run by the local engine (JSONata, variables, distributed Map).
UNSUPPORTED_FIELDS = frozenset(
    {
        "QueryLanguage",
        "Arguments",
        "Output",
        "Assign",
        "Items",
        "ItemReader",
        "ItemBatcher",
        "ResultWriter",
        "ToleratedFailurePercentage",
        "ToleratedFailurePercentagePath",
        "ToleratedFailureCount",
        "ToleratedFailureCountPath",
        "Label",
        "Condition",
    }
)

_EVERY_FIELD = frozenset().union(*ALLOWED_FIELDS.values())


def _suggestion(field: str, allowed: frozenset[str]) -> str:
    close = difflib.get_close_matches(field, sorted(allowed), n=1)
    return f" (did you mean '{close[0]}'?)" if close else ""


def check_fields(
    raw: dict,
    allowed: frozenset[str],
    what: str,
    label: str,
    problems: list[str],
    *,
    skip: frozenset[str] = frozenset(),
) -> None:
    """Report every field of ``raw`` that ``allowed`` lacks: unknown, not of this kind, or not run locally."""
    for field in raw:
        if field in allowed or field in skip:
            continue
        if field in UNSUPPORTED_FIELDS:
            problems.append(
                f"{label}: '{field}' is valid on AWS but the local engine does not run it; "
                "run this workflow on the aws backend."
            )
        elif field in _EVERY_FIELD:
            problems.append(f"{label}: {what} does not take the field '{field}'.")
        else:
            problems.append(f"{label}: '{field}' is not a field of {what}{_suggestion(field, allowed)}.")


def int_in_range(value: Any, low: int, high: int) -> TypeGuard[int]:
    """Whether ``value`` is a JSON integer from ``low`` to ``high`` (booleans are not)."""
    return isinstance(value, int) and not isinstance(value, bool) and low <= value <= high


def check_int(raw: dict, field: str, low: int, high: int, label: str, problems: list[str]) -> None:
    """Report ``field`` when present and not an integer from ``low`` to ``high``."""
    if field in raw and not int_in_range(raw[field], low, high):
        problems.append(f"{label}: {field} must be an integer from {low} to {high}, got {raw[field]!r}.")


def check_string(raw: dict, field: str, label: str, problems: list[str]) -> None:
    """Report ``field`` when present and not a string."""
    if field in raw and not isinstance(raw[field], str):
        problems.append(f"{label}: {field} must be a string.")


def check_path(path: Any, label: str, problems: list[str], *, reference: bool = False) -> None:
    """Report a path that does not parse (``$$`` context paths allowed unless ``reference``).

    A reference path (ResultPath, the ``*Path`` fields read as one value) must select one
    value: no wildcards, slices or filters.
    """
    if not isinstance(path, str):
        problems.append(f"{label}: {path!r} is not a JSONPath string.")
        return
    if reference and path.startswith("$$"):
        problems.append(f"{label}: '{path}' must be a reference path into the state's data, not $$.")
        return
    try:
        _, definite = compile_path(context_path(path))
    except ValueError as error:
        problems.append(f"{label}: {error}.")
        return
    if reference and not definite:
        problems.append(
            f"{label}: '{path}' must be a reference path (one value: no wildcards, filters or slices)."
        )


def check_optional_path(
    raw: dict, field: str, label: str, problems: list[str], *, reference: bool = False
) -> None:
    """A path field that may be null (InputPath, OutputPath, ResultPath)."""
    if raw.get(field) is not None:
        check_path(raw[field], f"{label}: {field}", problems, reference=reference)


def check_dynamic(value: Any, label: str, problems: list[str]) -> None:
    """A ``.$`` value (or ErrorPath/CausePath): a path, a context path or an intrinsic call."""
    if not isinstance(value, str):
        problems.append(f"{label} must be a string path or intrinsic function.")
    elif is_intrinsic(value):
        try:
            parse_intrinsic(value)
        except ValueError as error:
            problems.append(f"{label} holds an invalid intrinsic function: {error}.")
    else:
        check_path(value, label, problems)


def check_template(template: Any, label: str, problems: list[str], *, top: bool = True) -> None:
    """A payload template: a JSON object whose ``.$`` keys hold paths or intrinsic calls."""
    if top and not isinstance(template, dict):
        problems.append(f"{label} must be a JSON object.")
        return
    if isinstance(template, list):
        for item in template:
            check_template(item, label, problems, top=False)
    if not isinstance(template, dict):
        return
    for key, value in template.items():
        if key.endswith(".$"):
            check_dynamic(value, f"{label}: the field '{key}'", problems)
        else:
            check_template(value, label, problems, top=False)


def is_timestamp(value: Any) -> bool:
    """Whether ``value`` is an RFC 3339 timestamp as Step Functions accepts it."""
    return parse_timestamp(value) is not None
