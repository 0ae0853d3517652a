"""The errors of the local Step Functions API, as boto3's client raises them.

Each is a ``botocore.exceptions.ClientError`` subclass named like AWS's error code, so code
written for boto3 (``except client.exceptions.ExecutionDoesNotExist``) works unchanged.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import NoReturn

from botocore.exceptions import ClientError


class InvalidArn(ClientError):
    """The ARN is malformed or names another kind of resource."""


class InvalidName(ClientError):
    """The name breaks Step Functions' naming rules."""


class InvalidDefinition(ClientError):
    """The definition is not valid ASL; the message lists every problem."""


class InvalidExecutionInput(ClientError):
    """The execution input is not a JSON text (or is larger than Step Functions accepts)."""


class InvalidToken(ClientError):
    """The pagination token was not issued by this call."""


class ValidationException(ClientError):
    """An argument is out of range (e.g. maxResults)."""


class StateMachineAlreadyExists(ClientError):
    """Another state machine with this name but a different definition or role exists."""


class StateMachineDoesNotExist(ClientError):
    """No state machine has this ARN."""


class ExecutionAlreadyExists(ClientError):
    """This state machine already has an execution of this name (finished, or other input)."""


class ExecutionDoesNotExist(ClientError):
    """No execution has this ARN."""


class _Exceptions(SimpleNamespace):
    """``client.exceptions``: the error classes, as boto3 exposes them."""


EXCEPTIONS = _Exceptions(
    ClientError=ClientError,
    InvalidArn=InvalidArn,
    InvalidName=InvalidName,
    InvalidDefinition=InvalidDefinition,
    InvalidExecutionInput=InvalidExecutionInput,
    InvalidToken=InvalidToken,
    ValidationException=ValidationException,
    StateMachineAlreadyExists=StateMachineAlreadyExists,
    StateMachineDoesNotExist=StateMachineDoesNotExist,
    ExecutionAlreadyExists=ExecutionAlreadyExists,
    ExecutionDoesNotExist=ExecutionDoesNotExist,
)


def raise_client_error(cls: type[ClientError], operation: str, message: str) -> NoReturn:
    """Raise ``cls`` with the response botocore would have parsed from AWS's 400 answer."""
    response = {
        "Error": {"Code": cls.__name__, "Message": message},
        "ResponseMetadata": {"HTTPStatusCode": 400},
    }
    raise cls(response, operation)
