"""Intrinsic functions of Amazon States Language (``States.Format(...)`` and friends).

A call parsed by ``intrinsic_parser`` is evaluated against the state input and the context
object: arguments first (paths, nested calls), then the function. Behaviour follows AWS's
documentation where Python would differ: numbers that must be integers are rounded as
Java's ``Math.round`` does (half up: 1.5 -> 2, -1.5 -> -1), JSON equality keeps ``true``
apart from ``1``, and the documented bounds hold (ArrayRange gives at most 1,000 items; Hash
and Base64 take at most 10,000 characters). Every result is bounded by the payload quota
as it is made, so no call can build more than 256 KiB. A bad argument fails the state with
``States.IntrinsicFailure``; a result over the quota with ``States.DataLimitExceeded``.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import math
import random
import uuid
from collections.abc import Callable
from typing import Any

from pipeline.local.asl.errors import DATA_LIMIT_EXCEEDED, INTRINSIC_FAILURE, StatesError
from pipeline.local.asl.intrinsic_parser import Call, PathArg, Text, parse_intrinsic, template_pieces
from pipeline.local.asl.limits import (
    ARRAY_RANGE_LIMIT,
    INTRINSIC_INPUT_CHARS,
    PAYLOAD_LIMIT_BYTES,
    check_payload,
)
from pipeline.local.asl.paths import require
from pipeline.local.asl.values import is_number, json_key, to_json


def evaluate_intrinsic(expression: str, data: Any, context: dict | None) -> Any:
    """Evaluate an intrinsic call string against the state input and the context object."""
    try:
        call = parse_intrinsic(expression)
    except ValueError as error:
        raise StatesError(INTRINSIC_FAILURE, str(error)) from None
    return evaluate_call(call, data, context)


def evaluate_call(call: Call, data: Any, context: dict | None) -> Any:
    """Evaluate a parsed call: its arguments (paths, nested calls), then the function."""
    args = []
    for position, arg in enumerate(call.args):
        if isinstance(arg, Call):
            args.append(evaluate_call(arg, data, context))
        elif isinstance(arg, PathArg):
            args.append(require(arg.path, data, context, field=f"States.{call.name}"))
        elif isinstance(arg, Text):  # Format's template keeps its pieces; elsewhere a plain string
            args.append(arg if call.name == "Format" and position == 0 else arg.value)
        else:
            args.append(arg)
    function = FUNCTIONS.get(call.name)
    if function is None:
        raise StatesError(INTRINSIC_FAILURE, f"The function States.{call.name} is not supported")
    try:
        result = function(*args)
    except StatesError:
        raise
    except Exception as error:
        raise StatesError(
            INTRINSIC_FAILURE, f"Invalid arguments in States.{call.name}: {type(error).__name__}: {error}"
        ) from None
    check_payload(
        result,
        f"The intrinsic function States.{call.name} returned a result with a size exceeding "
        "the maximum number of bytes service limit.",
    )
    return result


def _check(condition: bool, message: str) -> None:
    if not condition:
        raise StatesError(INTRINSIC_FAILURE, message)


def java_round(value: Any, what: str) -> int:
    """A JSON number rounded to an integer as AWS (Java's ``Math.round``) rounds it: half up."""
    _check(is_number(value), f"{what} must be a number, got {to_json(value)}")
    return value if isinstance(value, int) else math.floor(value + 0.5)


def _format_value(value: Any) -> str:
    return value if isinstance(value, str) else to_json(value)


def _format(template: Text | str, *values: Any) -> str:
    _check(isinstance(template, Text | str), "States.Format needs a string template as its first argument")
    pieces = template.pieces if isinstance(template, Text) else template_pieces(template)
    _check(len(pieces) - 1 <= len(values), "States.Format has more '{}' placeholders than arguments")
    _check(len(pieces) - 1 >= len(values), "States.Format has more arguments than '{}' placeholders")
    out, length = [pieces[0]], len(pieces[0])
    for value, piece in zip(values, pieces[1:], strict=True):
        text = _format_value(value)
        length += len(text) + len(piece)
        if length > PAYLOAD_LIMIT_BYTES:  # stop before building a string past the quota
            raise StatesError(
                DATA_LIMIT_EXCEEDED,
                "The intrinsic function States.Format returned a result with a size exceeding "
                "the maximum number of bytes service limit.",
            )
        out += (text, piece)
    return "".join(out)


def _string_to_json(text: str) -> Any:
    _check(isinstance(text, str), "States.StringToJson needs a string")
    return json_loads(text)


def json_loads(text: str) -> Any:
    """Parse JSON text as strictly as AWS (no NaN or Infinity)."""

    def refuse(constant: str) -> Any:
        raise ValueError(f"{constant} is not JSON")

    return json.loads(text, parse_constant=refuse)


def _array_partition(array: list, size: Any) -> list:
    _check(isinstance(array, list), "States.ArrayPartition needs an array as its first argument")
    chunk = java_round(size, "States.ArrayPartition's chunk size")
    _check(chunk > 0, f"States.ArrayPartition's chunk size must be above 0, got {to_json(size)}")
    return [array[i : i + chunk] for i in range(0, len(array), chunk)]


def _array_range(start: Any, end: Any, step: Any) -> list:
    first = java_round(start, "States.ArrayRange's start")
    last = java_round(end, "States.ArrayRange's end")
    stride = java_round(step, "States.ArrayRange's step")
    _check(stride != 0, "States.ArrayRange's step must not be 0")
    count = max(0, (last - first) // stride + 1)
    _check(
        count <= ARRAY_RANGE_LIMIT,
        f"States.ArrayRange would give {count} items; the limit is {ARRAY_RANGE_LIMIT}",
    )
    return list(range(first, last + (1 if stride > 0 else -1), stride))


def _array_contains(array: list, value: Any) -> bool:
    _check(isinstance(array, list), "States.ArrayContains needs an array as its first argument")
    wanted = json_key(value)
    return any(json_key(item) == wanted for item in array)


def _array_unique(array: list) -> list:
    _check(isinstance(array, list), "States.ArrayUnique needs an array")
    seen: set[str] = set()
    unique = []
    for item in array:
        key = json_key(item)
        if key not in seen:
            seen.add(key)
            unique.append(item)
    return unique


def _array_get_item(array: list, index: Any) -> Any:
    _check(isinstance(array, list), "States.ArrayGetItem needs an array as its first argument")
    _check(
        isinstance(index, int) and not isinstance(index, bool) and 0 <= index < len(array),
        f"States.ArrayGetItem's index {to_json(index)} is not a position in the array of {len(array)} items",
    )
    return array[index]


def _array_length(array: list) -> int:
    _check(isinstance(array, list), "States.ArrayLength needs an array")
    return len(array)


def _bounded_text(value: Any, function: str) -> str:
    _check(isinstance(value, str), f"States.{function} needs a string")
    _check(
        len(value) <= INTRINSIC_INPUT_CHARS,
        f"States.{function} takes at most {INTRINSIC_INPUT_CHARS} characters, got {len(value)}",
    )
    return value


def _base64_encode(text: str) -> str:
    return base64.b64encode(_bounded_text(text, "Base64Encode").encode()).decode()


def _base64_decode(text: str) -> str:
    try:
        return base64.b64decode(_bounded_text(text, "Base64Decode").encode(), validate=True).decode()
    except (binascii.Error, UnicodeDecodeError) as error:
        raise StatesError(
            INTRINSIC_FAILURE, f"States.Base64Decode: not base64 of UTF-8 text ({error})"
        ) from None


_HASHES = {"MD5": "md5", "SHA-1": "sha1", "SHA-256": "sha256", "SHA-384": "sha384", "SHA-512": "sha512"}


def _hash(data: Any, algorithm: str) -> str:
    _check(algorithm in _HASHES, f"States.Hash algorithm must be one of {', '.join(_HASHES)}")
    text = _bounded_text(_format_value(data), "Hash")
    return hashlib.new(_HASHES[algorithm], text.encode()).hexdigest()


def _json_merge(left: dict, right: dict, deep: bool) -> dict:
    _check(isinstance(left, dict) and isinstance(right, dict), "States.JsonMerge needs two objects")
    _check(deep is False, "States.JsonMerge supports only shallow merges (the third argument must be false)")
    return {**left, **right}


def _math_random(start: Any, end: Any, seed: Any = None) -> int:
    low = java_round(start, "States.MathRandom's start")
    high = java_round(end, "States.MathRandom's end")
    _check(low <= high, "States.MathRandom's start must not be above its end")
    generator = random.Random(java_round(seed, "States.MathRandom's seed")) if seed is not None else random
    return generator.randint(low, high)


def _math_add(left: Any, right: Any) -> int:
    return java_round(left, "States.MathAdd's first argument") + java_round(
        right, "States.MathAdd's second argument"
    )


def _string_split(text: str, delimiters: str) -> list[str]:
    _check(isinstance(text, str) and isinstance(delimiters, str), "States.StringSplit needs two strings")
    parts: list[str] = []
    current: list[str] = []
    for char in text:
        if char in delimiters:
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
    parts.append("".join(current))
    return [part for part in parts if part]


FUNCTIONS: dict[str, Callable[..., Any]] = {
    "Format": _format,
    "StringToJson": _string_to_json,
    "JsonToString": to_json,
    "Array": lambda *values: list(values),
    "ArrayPartition": _array_partition,
    "ArrayContains": _array_contains,
    "ArrayRange": _array_range,
    "ArrayGetItem": _array_get_item,
    "ArrayLength": _array_length,
    "ArrayUnique": _array_unique,
    "Base64Encode": _base64_encode,
    "Base64Decode": _base64_decode,
    "Hash": _hash,
    "JsonMerge": _json_merge,
    "MathRandom": _math_random,
    "MathAdd": _math_add,
    "StringSplit": _string_split,
    "UUID": lambda: str(uuid.uuid4()),
}
