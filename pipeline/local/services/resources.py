"""Service integrations of the local engine: what a Task state's ``Resource`` does locally.

``LocalResources.invoke`` is the ``resources`` object the interpreter calls (see
docs/ARCHITECTURE.md). It runs, in this process:

- ``arn:aws:states:::lambda:invoke``: the handler registered for ``FunctionName``, returning
  the integration's response (``Payload``, ``StatusCode``, ``ExecutedVersion``, SDK metadata);
- a Lambda function ARN used directly as the resource: the handler's result itself;
- ``arn:aws:states:::sagemaker:createTrainingJob[.sync]``, ``createModel`` and
  ``createTransformJob[.sync]``: the local SageMaker stand-ins.

Failures are ``StatesError`` values named as on AWS: a handler's exception type name with
Lambda's JSON error document as cause, ``Lambda.ResourceNotFoundException`` for an unknown
function, ``Runtime.ImportModuleError`` when a handler cannot be imported,
``Runtime.MarshalError`` when its result is not JSON, and ``States.TaskFailed`` (the
``UNSUPPORTED_RESOURCE_ERROR``) for a resource the local backend cannot run, with a cause
naming it.
"""

from __future__ import annotations

import json
import re
import time
import traceback
import uuid
from collections.abc import Callable
from email.utils import formatdate
from typing import Any

from pipeline.local.asl.errors import StatesError
from pipeline.local.services.request_validation import validate_lambda_invoke
from pipeline.local.services.sagemaker import SAGEMAKER_ACTIONS
from pipeline.local.services.sagemaker_common import LOCAL_ACCOUNT_ID, local_region
from pipeline.local.services.sagemaker_jobs import JOB_FAILED_ERROR
from pipeline.storage import Storage
from pipeline.workflows.lambda_names import import_handler, parse_function_name
from pipeline.workflows.registry import LAMBDA_FUNCTIONS

#: The error of a Task whose resource the local backend cannot run (Catch/Retry match it).
UNSUPPORTED_RESOURCE_ERROR = "States.TaskFailed"
#: Lambda's own limit, the remaining time a handler sees when the state sets no timeout.
DEFAULT_LAMBDA_TIMEOUT_SECONDS = 900.0
LAMBDA_MEMORY_MB = "1024"

_SERVICE_ARN = re.compile(
    r"^arn:aws[a-zA-Z-]*:states:[a-z0-9-]*:\d*:(?P<service>[a-zA-Z0-9-]+):(?P<action>[a-zA-Z0-9]+)"
    r"(?P<pattern>\.sync(?::2)?|\.waitForTaskToken)?$"
)
_LAMBDA_ARN = re.compile(r"^arn:aws[a-zA-Z-]*:lambda:[a-z0-9-]+:\d{12}:function:[^:]+(:[^:]+)?$")


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


def _lambda_error(error: BaseException, request_id: str, error_type: str | None = None) -> StatesError:
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


class LocalResources:
    """Runs Task resources locally; ``functions`` adds or overrides Lambda handlers by name.

    ``functions`` maps a function name to a callable ``handler(event, context)`` or to a
    ``"module:function"`` string; ``storage`` is where the SageMaker stand-ins read and write
    (default: the local bucket).
    """

    def __init__(
        self, functions: dict[str, Callable | str] | None = None, storage: Storage | None = None
    ) -> None:
        self.functions: dict[str, Callable | str] = {**LAMBDA_FUNCTIONS, **(functions or {})}
        self.storage = storage

    def invoke(self, resource: str, parameters: Any, *, state_name: str, timeout: float | None = None) -> Any:
        """Run ``resource`` with the state's effective parameters; the task's result, or StatesError."""
        if _LAMBDA_ARN.match(resource):
            return self._invoke_lambda(resource, parameters, timeout)["Payload"]
        match = _SERVICE_ARN.match(resource)
        if match and match["pattern"] != ".waitForTaskToken":
            service, action = match["service"], match["action"]
            if service == "lambda" and action == "invoke":
                return self._lambda_integration(parameters, timeout)
            if service == "sagemaker" and action in SAGEMAKER_ACTIONS:
                return self._sagemaker(action, match["pattern"], parameters)
        raise StatesError(
            UNSUPPORTED_RESOURCE_ERROR,
            f"State '{state_name}': the local backend cannot run the resource '{resource}'. It runs "
            "arn:aws:states:::lambda:invoke, Lambda function ARNs and the SageMaker createTrainingJob, "
            "createModel and createTransformJob integrations; run this workflow on the aws backend.",
        )

    def _lambda_integration(self, parameters: Any, timeout: float | None) -> dict[str, Any]:
        if not isinstance(parameters, dict) or not parameters.get("FunctionName"):
            raise StatesError(
                "States.Runtime",
                "The lambda:invoke task needs Parameters with a FunctionName (and usually a Payload).",
            )
        validate_lambda_invoke(parameters)
        invocation_type = parameters.get("InvocationType", "RequestResponse")
        response = self._invoke_lambda(parameters["FunctionName"], parameters.get("Payload", {}), timeout)
        if invocation_type == "Event":  # asynchronous: AWS returns 202 and no payload
            response.pop("Payload")
            response["StatusCode"] = 202
        return response

    def _handler_for(self, function_name: str) -> tuple[str, Callable]:
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
            raise _lambda_error(
                ImportError(f"Unable to import module '{target}': {error}"),
                str(uuid.uuid4()),
                "Runtime.ImportModuleError",
            ) from error

    def _invoke_lambda(self, function_name: str, payload: Any, timeout: float | None) -> dict[str, Any]:
        name, handler = self._handler_for(function_name)
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
            raise _lambda_error(error, context.aws_request_id) from error
        except SystemExit as error:  # the handler ended the runtime process, as Lambda reports it
            request_id = context.aws_request_id
            message = f"RequestId: {request_id} Error: Runtime exited with error: exit status {error.code}"
            raise _lambda_error(RuntimeError(message), request_id, "Runtime.ExitError") from None
        try:
            result = _json_round_trip(result)
        except (TypeError, ValueError) as error:
            raise _lambda_error(
                TypeError(f"Unable to marshal response: {error}"),
                context.aws_request_id,
                "Runtime.MarshalError",
            ) from error
        return self._lambda_response(result, context.aws_request_id)

    @staticmethod
    def _lambda_response(result: Any, request_id: str) -> dict[str, Any]:
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

    def _sagemaker(self, action: str, pattern: str | None, parameters: Any) -> dict[str, Any]:
        if not isinstance(parameters, dict):
            raise StatesError("States.Runtime", f"The sagemaker:{action} task needs Parameters (an object).")
        try:
            described = SAGEMAKER_ACTIONS[action](parameters, storage=self.storage)
        except StatesError as error:
            if pattern or error.error != JOB_FAILED_ERROR:
                raise
            described = json.loads(
                error.cause
            )  # without .sync the job was created: its end is not the task's
        if pattern or action == "createModel":  # .sync returns Describe*; createModel its own response
            return described
        arn_key = "TrainingJobArn" if action == "createTrainingJob" else "TransformJobArn"
        return {arn_key: described[arn_key]}  # fire-and-forget returns Create*'s response
