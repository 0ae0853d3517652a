"""JSON values as Step Functions sees them: serialisation, numbers and equality.

Python's ``True == 1`` and ``1 in [True]`` are wrong for JSON, where booleans and numbers
are different types; these helpers keep them apart.
"""

from __future__ import annotations

import json
from typing import Any

from pipeline.local.asl.errors import RUNTIME, StatesError


def to_json(value: Any) -> str:
    """Serialise like Step Functions does in histories and outputs: compact, UTF-8 kept.

    A value nested too deeply for Python's encoder fails the state with ``States.Runtime``.
    """
    try:
        return json.dumps(value, separators=(",", ":"), ensure_ascii=False)
    except RecursionError:
        raise StatesError(
            RUNTIME, "A value is nested too deeply to be written as JSON; flatten the data."
        ) from None


def is_number(value: Any) -> bool:
    """JSON numbers only: booleans are not numbers here, unlike in Python."""
    return isinstance(value, int | float) and not isinstance(value, bool)


def json_key(value: Any) -> str:
    """A canonical text of a JSON value: equal JSON values, and only they, share it.

    Object keys are sorted (key order carries no meaning in JSON) and booleans stay apart
    from numbers (``true`` is not ``1``).
    """
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False, sort_keys=True)


def json_equal(left: Any, right: Any) -> bool:
    """Whether two JSON values are equal as JSON (``true`` is not ``1``, ``false`` not ``0``)."""
    return json_key(left) == json_key(right)
