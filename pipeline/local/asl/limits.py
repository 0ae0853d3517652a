"""The quotas of AWS Step Functions the local engine enforces, and its own bounds.

AWS's (documented quotas and CreateStateMachine's checks): 256 KiB (262,144 bytes of UTF-8
JSON) for an execution input and every state input, output and task result
(``States.DataLimitExceeded``); 25,000 events in an execution's history (the execution then
fails with ``States.Runtime``); a 1 MiB definition; 99,999,999 seconds for TimeoutSeconds,
HeartbeatSeconds, Wait Seconds and retry intervals; 1,000 items from ``States.ArrayRange``;
10,000 characters into ``States.Hash``, ``States.Base64Encode`` and ``States.Base64Decode``;
10 intrinsic calls nested in one field.

The engine's own: how deeply a definition, a JSON value and a path may nest, so that nothing
recurses past Python's stack; a definition or value beyond them is refused with a message
saying which bound it crossed, never a traceback.

``measure`` walks a JSON value without recursion and stops as soon as a bound is crossed,
so checking a huge value costs no more than checking one at the bound.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from pipeline.local.asl.errors import DATA_LIMIT_EXCEEDED, RUNTIME, StatesError

PAYLOAD_LIMIT_BYTES = 262_144
HISTORY_EVENT_LIMIT = 25_000
DEFINITION_LIMIT_BYTES = 1_048_576
MAX_SECONDS = 99_999_999
MAX_DELAY_SECONDS = 31_622_401
ARRAY_RANGE_LIMIT = 1_000
INTRINSIC_INPUT_CHARS = 10_000
INTRINSIC_NESTING_LIMIT = 10

#: JSON nesting of a definition (a Parallel inside a Parallel adds 4 levels).
DEFINITION_DEPTH_LIMIT = 200
#: JSON nesting of a value flowing through the states.
DATA_DEPTH_LIMIT = 150
#: Segments of one JSONPath (``$.a.b`` has 2).
PATH_SEGMENT_LIMIT = 100

HISTORY_LIMIT_CAUSE = f"The execution reached the maximum number of history events ({HISTORY_EVENT_LIMIT})."


@dataclass(frozen=True)
class Measure:
    """A value's JSON size in bytes and nesting depth, each capped just past its bound."""

    size: int
    depth: int


def _scalar_size(value: Any) -> int:
    if isinstance(value, str):
        return len(json.dumps(value, ensure_ascii=False).encode())
    if value is None or value is True:
        return 4
    if value is False:
        return 5
    return len(json.dumps(value))


def measure(
    value: Any, *, size_limit: int = PAYLOAD_LIMIT_BYTES, depth_limit: int = DATA_DEPTH_LIMIT
) -> Measure:
    """The compact JSON size and the depth of ``value``, stopping once either passes its limit.

    A string longer than ``size_limit`` characters is over the limit without being encoded.
    """
    size, deepest = 0, 0
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            deepest = max(deepest, depth)
            size += 2 + max(0, len(item) - 1) + len(item)  # braces, commas, colons
            for key, child in item.items():
                size += _scalar_size(key) if len(key) <= size_limit else size_limit + 1
                stack.append((child, depth + 1))
        elif isinstance(item, list):
            deepest = max(deepest, depth)
            size += 2 + max(0, len(item) - 1)
            stack.extend((child, depth + 1) for child in item)
        elif isinstance(item, str) and len(item) > size_limit:
            size += len(item)
        else:
            size += _scalar_size(item)
        if size > size_limit or deepest > depth_limit:
            break
    return Measure(size, deepest)


def check_payload(value: Any, cause: str) -> None:
    """Raise ``States.DataLimitExceeded`` (with ``cause``) if ``value`` is over 256 KiB as JSON;
    ``States.Runtime`` if it nests deeper than the engine follows."""
    measured = measure(value)
    if measured.depth > DATA_DEPTH_LIMIT:
        raise StatesError(
            RUNTIME,
            f"A value nests more than {DATA_DEPTH_LIMIT} levels deep; the local engine follows JSON "
            "up to that depth. Flatten the data.",
        )
    if measured.size > PAYLOAD_LIMIT_BYTES:
        raise StatesError(DATA_LIMIT_EXCEEDED, cause)


def result_too_large(name: str) -> str:
    """AWS's cause for a state's (or a task's) result over the payload quota."""
    return (
        f"The state/task '{name}' returned a result with a size exceeding the maximum number "
        "of bytes service limit."
    )
