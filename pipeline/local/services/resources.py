"""What a Task state's ``Resource`` does locally: a table from resource to local service.

``LocalResources.invoke`` is the ``resources`` object the interpreter calls (see
docs/ARCHITECTURE.md). It runs, in this process:

- ``arn:aws:states:::lambda:invoke``: the Lambda stand-in (``lambda_invoke``);
- a Lambda function ARN used directly as the resource: the handler's result itself;
- ``arn:aws:states:::sagemaker:createTrainingJob[.sync]``, ``createModel`` and
  ``createTransformJob[.sync]``: the SageMaker stand-ins (``sagemaker``).

Anything else fails with ``States.TaskFailed`` (``UNSUPPORTED_RESOURCE_ERROR``), the cause
naming the resource, so Catch/Retry see it as AWS would see a failing task.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

from pipeline.local.asl.errors import RUNTIME, StatesError
from pipeline.local.services.lambda_invoke import LambdaContext, LambdaFunctions
from pipeline.local.services.sagemaker import SAGEMAKER_ACTIONS
from pipeline.local.services.sagemaker_jobs import JOB_FAILED_ERROR
from pipeline.storage import Storage

__all__ = ["UNSUPPORTED_RESOURCE_ERROR", "LambdaContext", "LocalResources"]

#: The error of a Task whose resource the local backend cannot run (Catch/Retry match it).
UNSUPPORTED_RESOURCE_ERROR = "States.TaskFailed"

_SERVICE_ARN = re.compile(
    r"^arn:aws[a-zA-Z-]*:states:[a-z0-9-]*:\d*:(?P<service>[a-zA-Z0-9-]+):(?P<action>[a-zA-Z0-9]+)"
    r"(?P<pattern>\.sync(?::2)?|\.waitForTaskToken)?$"
)
_LAMBDA_ARN = re.compile(r"^arn:aws[a-zA-Z-]*:lambda:[a-z0-9-]+:\d{12}:function:[^:]+(:[^:]+)?$")

#: Called as ``service(resources, action, pattern, parameters, timeout)``.
ServiceCall = Callable[["LocalResources", str, "str | None", Any, "float | None"], Any]


def _lambda_invoke(resources: LocalResources, action: str, pattern: str | None, parameters: Any, timeout):
    return resources.lambdas.invoke_integration(parameters, timeout)


def _sagemaker(resources: LocalResources, action: str, pattern: str | None, parameters: Any, timeout):
    if not isinstance(parameters, dict):
        raise StatesError(RUNTIME, f"The sagemaker:{action} task needs Parameters (an object).")
    try:
        described = SAGEMAKER_ACTIONS[action](parameters, storage=resources.storage)
    except StatesError as error:
        if pattern or error.error != JOB_FAILED_ERROR:
            raise
        described = json.loads(error.cause)  # without .sync the job was created: its end is not the task's
    if pattern or action == "createModel":  # .sync returns Describe*; createModel its own response
        return described
    arn_key = "TrainingJobArn" if action == "createTrainingJob" else "TransformJobArn"
    return {arn_key: described[arn_key]}  # fire-and-forget returns Create*'s response


#: (service, action) of ``arn:aws:states:::SERVICE:ACTION[.sync]`` -> what runs it locally.
SERVICES: dict[tuple[str, str], ServiceCall] = {
    ("lambda", "invoke"): _lambda_invoke,
    **{("sagemaker", action): _sagemaker for action in SAGEMAKER_ACTIONS},
}


class LocalResources:
    """Runs Task resources locally; ``functions`` adds or overrides Lambda handlers by name.

    ``functions`` maps a function name to a callable ``handler(event, context)`` or to a
    ``"module:function"`` string; ``storage`` is where the SageMaker stand-ins read and write
    (default: the local bucket).
    """

    def __init__(
        self, functions: dict[str, Callable | str] | None = None, storage: Storage | None = None
    ) -> None:
        self.lambdas = LambdaFunctions(functions)
        self.functions = self.lambdas.functions
        self.storage = storage

    def invoke(self, resource: str, parameters: Any, *, state_name: str, timeout: float | None = None) -> Any:
        """Run ``resource`` with the state's effective parameters; the task's result, or StatesError."""
        if _LAMBDA_ARN.match(resource):
            return self.lambdas.invoke_function(resource, parameters, timeout)["Payload"]
        match = _SERVICE_ARN.match(resource)
        if match and match["pattern"] != ".waitForTaskToken":
            service = SERVICES.get((match["service"], match["action"]))
            if service is not None:
                return service(self, match["action"], match["pattern"], parameters, timeout)
        raise StatesError(
            UNSUPPORTED_RESOURCE_ERROR,
            f"State '{state_name}': the local backend cannot run the resource '{resource}'. It runs "
            "arn:aws:states:::lambda:invoke, Lambda function ARNs and the SageMaker createTrainingJob, "
            "createModel and createTransformJob integrations; run this workflow on the aws backend.",
        )
