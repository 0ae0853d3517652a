"""Intrinsic functions of Amazon States Language (``States.Format(...)`` and friends).

A call parsed by ``intrinsic_parser`` is evaluated against the state input and the context
object: arguments first (paths, nested calls), then the function. A bad argument fails the
state with ``States.IntrinsicFailure``, the error AWS documents for it.
"""

from __future__ import annotations

import base64
import hashlib
import json
import random
import uuid
from collections.abc import Callable
from typing import Any

from pipeline.local.asl.errors import INTRINSIC_FAILURE, StatesError
from pipeline.local.asl.intrinsic_parser import Call, PathArg, parse_intrinsic
from pipeline.local.asl.paths import require
from pipeline.local.asl.values import to_json


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
    for arg in call.args:
        if isinstance(arg, Call):
            args.append(evaluate_call(arg, data, context))
        elif isinstance(arg, PathArg):
            args.append(require(arg.path, data, context, field=f"States.{call.name}"))
        else:
            args.append(arg)
    function = FUNCTIONS.get(call.name)
    if function is None:
        raise StatesError(INTRINSIC_FAILURE, f"The function States.{call.name} is not supported")
    try:
        return function(*args)
    except StatesError:
        raise
    except Exception as error:
        raise StatesError(
            INTRINSIC_FAILURE, f"Invalid arguments in States.{call.name}: {type(error).__name__}: {error}"
        ) from None


def _check(condition: bool, message: str) -> None:
    if not condition:
        raise StatesError(INTRINSIC_FAILURE, message)


def _format_value(value: Any) -> str:
    return value if isinstance(value, str) else to_json(value)


def _format(template: str, *values: Any) -> str:
    _check(isinstance(template, str), "States.Format needs a string template as its first argument")
    out, values_left, i = [], list(values), 0
    while i < len(template):
        char = template[i]
        if char == "\\" and i + 1 < len(template) and template[i + 1] in "{}\\":
            out.append(template[i + 1])
            i += 2
            continue
        if template.startswith("{}", i):
            _check(bool(values_left), "States.Format has more '{}' placeholders than arguments")
            out.append(_format_value(values_left.pop(0)))
            i += 2
            continue
        out.append(char)
        i += 1
    _check(not values_left, "States.Format has more arguments than '{}' placeholders")
    return "".join(out)


def _string_to_json(text: str) -> Any:
    _check(isinstance(text, str), "States.StringToJson needs a string")
    return json.loads(text)


def _array_partition(array: list, size: int) -> list:
    _check(
        isinstance(array, list) and isinstance(size, int) and size > 0, "States.ArrayPartition(array, size>0)"
    )
    return [array[i : i + size] for i in range(0, len(array), size)]


def _array_range(start: int, end: int, step: int) -> list:
    _check(
        all(isinstance(v, int) for v in (start, end, step)) and step != 0, "States.ArrayRange needs integers"
    )
    return list(range(start, end + (1 if step > 0 else -1), step))


def _array_unique(array: list) -> list:
    _check(isinstance(array, list), "States.ArrayUnique needs an array")
    seen: list = []
    for item in array:
        if item not in seen:
            seen.append(item)
    return seen


def _hash(data: Any, algorithm: str) -> str:
    algorithms = {
        "MD5": "md5",
        "SHA-1": "sha1",
        "SHA-256": "sha256",
        "SHA-384": "sha384",
        "SHA-512": "sha512",
    }
    _check(algorithm in algorithms, f"States.Hash algorithm must be one of {', '.join(algorithms)}")
    return hashlib.new(algorithms[algorithm], _format_value(data).encode()).hexdigest()


def _json_merge(left: dict, right: dict, deep: bool) -> dict:
    _check(isinstance(left, dict) and isinstance(right, dict), "States.JsonMerge needs two objects")
    _check(deep is False, "States.JsonMerge supports only shallow merges (the third argument must be false)")
    return {**left, **right}


def _math_random(start: int, end: int, seed: int | None = None) -> int:
    return (random.Random(seed) if seed is not None else random).randint(start, end)


def _math_add(left: int | float, right: int | float) -> int:
    _check(
        all(isinstance(v, int | float) and not isinstance(v, bool) for v in (left, right)), "MathAdd numbers"
    )
    return int(left) + int(right)


def _string_split(text: str, delimiters: str) -> list[str]:
    _check(isinstance(text, str) and isinstance(delimiters, str), "States.StringSplit needs two strings")
    parts, current = [], []
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
    "ArrayContains": lambda array, value: value in array,
    "ArrayRange": _array_range,
    "ArrayGetItem": lambda array, index: array[index],
    "ArrayLength": lambda array: (
        len(array) if isinstance(array, list) else _check(False, "ArrayLength array")
    ),
    "ArrayUnique": _array_unique,
    "Base64Encode": lambda text: base64.b64encode(text.encode()).decode(),
    "Base64Decode": lambda text: base64.b64decode(text.encode()).decode(),
    "Hash": _hash,
    "JsonMerge": _json_merge,
    "MathRandom": _math_random,
    "MathAdd": _math_add,
    "StringSplit": _string_split,
    "UUID": lambda: str(uuid.uuid4()),
}
