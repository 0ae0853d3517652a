"""The Lambda stand-in: run a handler of ``lambdas/`` as AWS Lambda and Step Functions would.

``LambdaFunctions.invoke_function`` runs the handler registered for a function name (a plain
name, ``name:alias`` or a function ARN) with a Lambda-shaped context, and returns what the
``arn:aws:states:::lambda:invoke`` integration returns (``Payload``, ``StatusCode``,
``ExecutedVersion``, the SDK's HTTP metadata). ``invoke_integration`` is that integration
with its ``Parameters`` (``FunctionName``, ``Payload``, ``InvocationType``).

Failures are ``StatesError`` values named as on AWS: a handler's exception type name with
Lambda's JSON error document as cause, ``Lambda.ResourceNotFoundException`` for an unknown
function, ``Runtime.ImportModuleError`` when a handler cannot be imported,
``Runtime.MarshalError`` when its result is not JSON and ``Runtime.ExitError`` when it ends
the process.
"""

from __future__ import annotations

import json
import time
import traceback
import uuid
from collections.abc import Callable
from email.utils import formatdate
from typing import Any

from pipeline.local.asl.errors import RUNTIME, StatesError
from pipeline.local.services.request_validation import validate_lambda_invoke
from pipeline.local.services.sagemaker_common import LOCAL_ACCOUNT_ID, local_region
from pipeline.workflows.lambda_names import import_handler, parse_function_name
from pipeline.workflows.registry import LAMBDA_FUNCTIONS

#: Lambda's own limit, the remaining time a handler sees when the state sets no timeout.
DEFAULT_LAMBDA_TIMEOUT_SECONDS = 900.0
LAMBDA_MEMORY_MB = "1024"


class LambdaContext:
    """The context object a Python Lambda handler receives, with the attributes handlers use."""

    def __init__(self, function_name: str, timeout: float | None) -> None:
        self.function_name = function_name
        self.function_version = "$LATEST"
        self.invoked_function_arn = (
            f"arn:aws:lambda:{local_region()}:{LOCAL_ACCOUNT_ID}:function:{function_name}"
        )
        self.memory_limit_in_mb = LAMBDA_MEMORY_MB  # a string, as the Python runtime gives it
        self.aws_request_id = str(uuid.uuid4())
        self.log_group_name = f"/aws/lambda/{function_name}"
        self.log_stream_name = "local"
        self.identity = None
        self.client_context = None
        self._deadline = time.monotonic() + (timeout or DEFAULT_LAMBDA_TIMEOUT_SECONDS)

    def get_remaining_time_in_millis(self) -> int:
        """Milliseconds left before the invocation's deadline (never negative)."""
        return max(0, int((self._deadline - time.monotonic()) * 1000))


def lambda_error(error: BaseException, request_id: str, error_type: str | None = None) -> StatesError:
    """A handler failure as Step Functions reports it: Error = type name, Cause = Lambda's JSON."""
    error_type = error_type or type(error).__name__
    frames = traceback.extract_tb(error.__traceback__)[1:]  # from the handler down, not our call site
    cause = {
        "errorMessage": str(error),
        "errorType": error_type,
        "requestId": request_id,
        "stackTrace": traceback.format_list(frames),
    }
    return StatesError(error_type, json.dumps(cause))


def _json_round_trip(value: Any) -> Any:
    return json.loads(json.dumps(value))


def lambda_response(result: Any, request_id: str) -> dict[str, Any]:
    """The ``lambda:invoke`` integration's result around a handler's (JSON) ``result``."""
    headers = {
        "Connection": "keep-alive",
        "Content-Length": str(len(json.dumps(result))),
        "Content-Type": "application/json",
        "Date": formatdate(usegmt=True),
        "X-Amz-Executed-Version": "$LATEST",
        "x-amzn-Remapped-Content-Length": "0",
        "x-amzn-RequestId": request_id,
    }
    return {
        "ExecutedVersion": "$LATEST",
        "Payload": result,
        "SdkHttpMetadata": {
            "AllHttpHeaders": {key: [value] for key, value in headers.items()},
            "HttpHeaders": headers,
            "HttpStatusCode": 200,
        },
        "SdkResponseMetadata": {"RequestId": request_id},
        "StatusCode": 200,
    }


class LambdaFunctions:
    """The Lambda functions the local engine knows: ``LAMBDA_FUNCTIONS`` plus ``functions``.

    ``functions`` maps a function name to a callable ``handler(event, context)`` or to a
    ``"module:function"`` string, adding to or overriding the project's handlers.
    """

    def __init__(self, functions: dict[str, Callable | str] | None = None) -> None:
        self.functions: dict[str, Callable | str] = {**LAMBDA_FUNCTIONS, **(functions or {})}

    def invoke_integration(self, parameters: Any, timeout: float | None) -> dict[str, Any]:
        """``arn:aws:states:::lambda:invoke`` with the state's effective Parameters."""
        if not isinstance(parameters, dict) or not parameters.get("FunctionName"):
            raise StatesError(
                RUNTIME,
                "The lambda:invoke task needs Parameters with a FunctionName (and usually a Payload).",
            )
        validate_lambda_invoke(parameters)
        invocation_type = parameters.get("InvocationType", "RequestResponse")
        response = self.invoke_function(parameters["FunctionName"], parameters.get("Payload", {}), timeout)
        if invocation_type == "Event":  # asynchronous: AWS returns 202 and no payload
            response.pop("Payload")
            response["StatusCode"] = 202
        return response

    def handler_for(self, function_name: str) -> tuple[str, Callable]:
        """(bare function name, handler) for a name, alias or ARN; StatesError if unknown."""
        try:
            name, _qualifier = parse_function_name(function_name)
        except ValueError as error:
            raise StatesError("Lambda.ResourceNotFoundException", str(error)) from None
        target = self.functions.get(name)
        if target is None:
            raise StatesError(
                "Lambda.ResourceNotFoundException",
                f"Function not found: {function_name}. The local backend knows the functions "
                f"{sorted(self.functions)} (pipeline/workflows/registry.py).",
            )
        if callable(target):
            return name, target
        try:
            return name, import_handler(target)
        except ImportError as error:
            raise lambda_error(
                ImportError(f"Unable to import module '{target}': {error}"),
                str(uuid.uuid4()),
                "Runtime.ImportModuleError",
            ) from error

    def invoke_function(self, function_name: str, payload: Any, timeout: float | None) -> dict[str, Any]:
        """Run the handler on ``payload``; the integration's response (result under ``Payload``)."""
        name, handler = self.handler_for(function_name)
        try:
            event = _json_round_trip(payload)
        except (TypeError, ValueError) as error:
            raise StatesError(
                "Lambda.InvalidRequestContentException", f"The Payload is not JSON: {error}"
            ) from None
        context = LambdaContext(name, timeout)
        try:
            result = handler(event, context)
        except Exception as error:  # every handler exception is the task's failure, as on AWS
            raise lambda_error(error, context.aws_request_id) from error
        except SystemExit as error:  # the handler ended the runtime process, as Lambda reports it
            request_id = context.aws_request_id
            message = f"RequestId: {request_id} Error: Runtime exited with error: exit status {error.code}"
            raise lambda_error(RuntimeError(message), request_id, "Runtime.ExitError") from None
        try:
            result = _json_round_trip(result)
        except (TypeError, ValueError) as error:
            raise lambda_error(
                TypeError(f"Unable to marshal response: {error}"),
                context.aws_request_id,
                "Runtime.MarshalError",
            ) from error
        return lambda_response(result, context.aws_request_id)
