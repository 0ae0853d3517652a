"""Requests to the local SageMaker and Lambda stand-ins, checked as AWS checks them.

Every stand-in calls one function here before it acts, so a parameter mistake fails locally
with the error the same request gets on AWS instead of running anyway. The rules are not
written here: they come from botocore's service models (``botocore/data``, the shapes boto3
ships), loaded once a process by ``service_models``.

Two layers, one model:

- botocore's ``ParamValidator`` checks what it knows: required members, unknown members,
  types, minimum lengths and values;
- ``_walk`` adds what it leaves out and the AWS services enforce: enum value sets, regular
  expression patterns (Java syntax, matched against the whole value, with the ``regex``
  module for ``\\p{...}`` classes), maximum lengths, maximum values, map sizes, and JSON
  booleans where a number is expected (Python's ``bool`` passes botocore's ``int`` check).

Messages use AWS's ValidationException wording ("1 validation error detected: Value 'm5.large'
at 'resourceConfig.instanceType' failed to satisfy constraint: Member must satisfy enum value
set: [...]"), with AWS's paths (lowerCamelCase members, ``.N.member`` list items); wrong types
and unknown members, which the services report in protocol-specific ways, keep botocore's
wording. The errors are those of the Step Functions integrations: ValidationException is not
a modeled exception of either API, so the SDK Step Functions uses names it after the service's
base exception, ``SageMaker.AmazonSageMakerException`` and ``Lambda.AWSLambdaException``.
"""

from __future__ import annotations

import contextlib
import json
import uuid
from dataclasses import dataclass
from functools import cache
from typing import Any

import regex
from botocore.model import Shape
from botocore.validate import ParamValidator, ValidationErrors

from pipeline.local.asl.errors import StatesError
from pipeline.local.services.sagemaker_common import validation_error
from pipeline.local.services.service_models import input_shape

LAMBDA_ERROR = "Lambda.AWSLambdaException"
#: Longest rendering of a value inside a message (AWS prints it whole; a Payload can be 256 KiB).
_SHOWN_VALUE_CHARS = 200
_NUMBER_TYPES = ("integer", "long", "float", "double")


@dataclass(frozen=True)
class RequestError:
    """One problem of a request: the member's AWS path (``resourceConfig.instanceType``) and
    the sentence AWS (or botocore, for types and unknown members) says about it."""

    path: str
    message: str


@cache
def _pattern(pattern: str) -> regex.Pattern:
    return regex.compile(pattern)


def request_errors(service: str, operation: str, params: Any) -> list[RequestError]:
    """Every problem AWS would report for ``params`` sent to ``service``'s ``operation``."""
    shape = input_shape(service, operation)
    nodes: dict[str, tuple[str, Any]] = {}
    extra: list[RequestError] = []
    _walk(params, shape, "", "", nodes, extra)
    found = _CollectedErrors()
    _StructuredParamValidator().collect(params, shape, found)
    return [_from_botocore(error, nodes) for error in found.collected] + extra


def validate_sagemaker_request(operation: str, params: Any) -> None:
    """Raise ``SageMaker.AmazonSageMakerException`` (a ValidationException) if SageMaker would."""
    errors = request_errors("sagemaker", operation, params)
    if errors:
        raise validation_error(_summary(errors))


def lambda_invoke_request(params: Any) -> Any:
    """The Invoke request a ``lambda:invoke`` task sends: its Parameters with ``Payload`` (any
    JSON value there) serialised to the JSON text of the API's blob, as the integration does."""
    if not isinstance(params, dict) or "Payload" not in params:
        return params
    request = dict(params)
    with contextlib.suppress(TypeError, ValueError):  # else left as it is: the blob check names it
        request["Payload"] = json.dumps(params["Payload"])
    return request


def validate_lambda_invoke(params: Any) -> None:
    """Raise ``Lambda.AWSLambdaException`` if Lambda would refuse this ``lambda:invoke`` request."""
    errors = request_errors("lambda", "Invoke", lambda_invoke_request(params))
    if errors:
        cause = f"{_summary(errors)} (Service: Lambda, Status Code: 400, Request ID: {uuid.uuid4()})"
        raise StatesError(LAMBDA_ERROR, cause)


def _summary(errors: list[RequestError]) -> str:
    count = f"{len(errors)} validation error{'s' if len(errors) != 1 else ''} detected"
    return f"{count}: " + "; ".join(error.message for error in errors)


# --- what botocore checks ---------------------------------------------------------------------


class _CollectedErrors(ValidationErrors):
    """botocore's error report, keeping each error's parts (reason, name, details) as well."""

    def __init__(self) -> None:
        super().__init__()
        self.collected: list[tuple[str, str, dict]] = []

    def report(self, name: str, reason: str, **kwargs: Any) -> None:
        super().report(name, reason, **kwargs)
        self.collected.append((reason, name, kwargs))


class _StructuredParamValidator(ParamValidator):
    """``ParamValidator.validate`` filling a given report, so each error keeps its parts."""

    def collect(self, params: Any, shape: Shape, errors: _CollectedErrors) -> None:
        self._validate(params, shape, errors, name="")


def _from_botocore(error: tuple[str, str, dict], nodes: dict[str, tuple[str, Any]]) -> RequestError:
    reason, name, details = error
    path, value = nodes.get(name, (name.lstrip("."), None))
    if reason == "missing required field":
        member = _join(path, _aws_member(details["required_name"]))
        return RequestError(member, _constraint(None, member, "Member must not be null"))
    if reason == "invalid length":
        rule = f"Member must have length greater than or equal to {details['min_allowed']}"
        return RequestError(path, _constraint(value, path, rule))
    if reason == "invalid range":
        rule = f"Member must have value greater than or equal to {details['min_allowed']}"
        return RequestError(path, _constraint(value, path, rule))
    return RequestError(path, _botocore_message(name, reason, details))


def _botocore_message(name: str, reason: str, details: dict) -> str:
    single = ValidationErrors()
    single.report(name, reason, **details)
    return single.generate_report()


# --- what botocore leaves out -----------------------------------------------------------------


def _walk(
    value: Any,
    shape: Shape,
    name: str,
    path: str,
    nodes: dict[str, tuple[str, Any]],
    errors: list[RequestError],
) -> None:
    """Check ``value`` against the constraints botocore skips, recording every node's AWS path
    under the name botocore gives it (``.InputDataConfig[0].ChannelName``)."""
    nodes[name] = (path, value)
    kind = shape.type_name
    if kind == "structure" and isinstance(value, dict):
        for member, member_value in value.items():
            if member in shape.members:
                child = shape.members[member]
                _walk(
                    member_value, child, f"{name}.{member}", _join(path, _aws_member(member)), nodes, errors
                )
    elif kind == "list" and isinstance(value, list | tuple):
        _check_size(value, shape, path, errors)
        for index, item in enumerate(value):
            _walk(item, shape.member, f"{name}[{index}]", f"{path}.{index + 1}.member", nodes, errors)
    elif kind == "map" and isinstance(value, dict):
        _check_size(value, shape, path, errors)
        for key, item in value.items():
            _check_map_entry(key, shape.key, f"{name} (key: {key})", path, "Map keys", nodes, errors)
            _check_map_entry(item, shape.value, f"{name}.{key}", path, "Map value", nodes, errors)
    elif kind == "string" and isinstance(value, str):
        errors.extend(
            RequestError(path, _constraint(value, path, rule)) for rule in _string_rules(value, shape)
        )
    elif kind in _NUMBER_TYPES:
        if isinstance(value, bool):
            errors.append(
                RequestError(path, _botocore_message(name, "invalid type", _bool_details(value, kind)))
            )
        elif isinstance(value, int | float) and "max" in shape.metadata and value > shape.metadata["max"]:
            rule = f"Member must have value less than or equal to {shape.metadata['max']}"
            errors.append(RequestError(path, _constraint(value, path, rule)))


def _check_map_entry(
    value: Any,
    shape: Shape,
    name: str,
    map_path: str,
    what: str,
    nodes: dict[str, tuple[str, Any]],
    errors: list[RequestError],
) -> None:
    """A map's keys and values are reported at the map's path, as AWS does ("Map value must ...")."""
    nodes[name] = (map_path, value)
    if shape.type_name == "string" and isinstance(value, str):
        rules = _string_rules(value, shape)
        if rules:
            errors.append(
                RequestError(
                    map_path,
                    _constraint(value, map_path, f"{what} must satisfy constraint: [{', '.join(rules)}]"),
                )
            )
    else:
        _walk(value, shape, name, map_path, nodes, errors)


def _string_rules(value: str, shape: Shape) -> list[str]:
    """The rules of a string shape that ``value`` breaks (enum, maximum length, pattern)."""
    broken = []
    if shape.enum and value not in shape.enum:
        broken.append(f"Member must satisfy enum value set: [{', '.join(shape.enum)}]")
    if "max" in shape.metadata and len(value) > shape.metadata["max"]:
        broken.append(f"Member must have length less than or equal to {shape.metadata['max']}")
    pattern = shape.metadata.get("pattern")
    if pattern is not None and not _pattern(pattern).fullmatch(value):
        broken.append(f"Member must satisfy regular expression pattern: {pattern}")
    return broken


def _check_size(value: list | tuple | dict, shape: Shape, path: str, errors: list[RequestError]) -> None:
    """Lists and maps have length bounds; botocore checks a list's minimum only."""
    size, low, high = len(value), shape.metadata.get("min"), shape.metadata.get("max")
    if high is not None and size > high:
        errors.append(
            RequestError(
                path, _constraint(value, path, f"Member must have length less than or equal to {high}")
            )
        )
    if shape.type_name == "map" and low is not None and size < low:
        rule = f"Member must have length greater than or equal to {low}"
        errors.append(RequestError(path, _constraint(value, path, rule)))


def _bool_details(value: bool, kind: str) -> dict:
    valid = ParamValidator.SCALAR_TYPES[kind]
    return {"param": value, "valid_types": [str(t) for t in valid if t is not bool]}


# --- AWS's wording ----------------------------------------------------------------------------


def _aws_member(member: str) -> str:
    """A member as AWS's messages name it: lowerCamelCase (``ResourceConfig`` -> ``resourceConfig``)."""
    return member[:1].lower() + member[1:]


def _join(path: str, member: str) -> str:
    return f"{path}.{member}" if path else member


def _constraint(value: Any, path: str, rule: str) -> str:
    shown = "null" if value is None else f"'{_java_text(value)}'"
    return f"Value {shown} at '{path}' failed to satisfy constraint: {rule}"


def _java_text(value: Any) -> str:
    """A value as the services' Java code prints it (``[a, b]``, ``{k=v}``, ``true``), shortened."""
    if isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, dict):
        text = "{" + ", ".join(f"{k}={_java_text(v)}" for k, v in value.items()) + "}"
    elif isinstance(value, list | tuple):
        text = "[" + ", ".join(_java_text(v) for v in value) + "]"
    elif value is None:
        text = "null"
    else:
        text = str(value)
    return text if len(text) <= _SHOWN_VALUE_CHARS else text[: _SHOWN_VALUE_CHARS - 3] + "..."
