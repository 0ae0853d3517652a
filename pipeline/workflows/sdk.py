"""What every SDK-built workflow shares: the offline SageMaker session, retry and catch policies,
the Fail state with ErrorPath/CausePath, and the Step Functions client a built workflow uses.

The sagemaker v2 SDK wants a session and an IAM role even to build steps: the session made
here has a region and a default bucket and never calls AWS, and placeholder role ARNs stand in
until the aws backend passes real ones, so the local backend needs neither credentials nor
network. The SDK is imported inside the functions, so importing this module stays cheap.
"""

from __future__ import annotations

import functools
import logging
from typing import Any

from pipeline.errors import DataError

DEFAULT_REGION = "us-east-1"
#: Role ARNs used when building offline; the aws backend passes real ones.
PLACEHOLDER_SAGEMAKER_ROLE = "arn:aws:iam::000000000000:role/rfm-studio-sagemaker"
PLACEHOLDER_WORKFLOW_ROLE = "arn:aws:iam::000000000000:role/rfm-studio-stepfunctions"

#: Lambda errors worth retrying: the service's own transient failures (AWS's recommendation).
LAMBDA_SERVICE_ERRORS = [
    "Lambda.ServiceException",
    "Lambda.AWSLambdaException",
    "Lambda.SdkClientException",
    "Lambda.TooManyRequestsException",
]
#: Errors our handlers raise on purpose for bad input: retrying cannot help, so they fail at once.
#: A handler exception reaches Step Functions as its class name (Lambda's ``errorType``).
NON_RETRYABLE_ERRORS = [DataError.__name__]


def quiet_sagemaker_config_logging() -> None:
    """Before sagemaker's first import: it logs "Not applying SDK defaults" at INFO otherwise."""
    logging.getLogger("sagemaker.config").setLevel(logging.WARNING)


def offline_sagemaker_session(region: str, bucket: str) -> Any:
    """A sagemaker.Session that never calls AWS while steps are built."""
    quiet_sagemaker_config_logging()
    import boto3
    import sagemaker

    return sagemaker.Session(boto_session=boto3.Session(region_name=region), default_bucket=bucket)


def stepfunctions_client(region: str) -> Any:
    """A boto3 Step Functions client with timeouts and bounded retries (no call until used)."""
    import boto3
    from botocore.config import Config

    config = Config(connect_timeout=10, read_timeout=60, retries={"max_attempts": 5, "mode": "standard"})
    return boto3.client("stepfunctions", region_name=region, config=config)


def lambda_retries() -> list[Any]:
    """The Retry policy of every Lambda task: never bad input, Lambda's service errors with
    backoff, a task failure twice. The first match wins, so bad input comes first."""
    from stepfunctions.steps import Retry

    return [
        Retry(error_equals=list(NON_RETRYABLE_ERRORS), max_attempts=0),
        Retry(error_equals=list(LAMBDA_SERVICE_ERRORS), interval_seconds=2, max_attempts=6, backoff_rate=2.0),
        Retry(error_equals=["States.TaskFailed"], interval_seconds=5, max_attempts=2, backoff_rate=2.0),
    ]


def catch_all(next_step: Any) -> Any:
    """Route any error to ``next_step``, keeping it under ``$.error`` (``{"Error", "Cause"}``)."""
    from stepfunctions.steps import Catch

    return Catch(error_equals=["States.ALL"], next_step=next_step, result_path="$.error")


@functools.cache
def with_fields(base: Any, *fields: str) -> type:
    """A subclass of the SDK state class ``base`` that also takes the ASL ``fields`` (snake_case).

    The SDK (2.3.0) predates a few ASL fields the workflows need: ErrorPath/CausePath on Fail,
    ResultSelector on Task, MaxConcurrencyPath on Map. The SDK writes any allowed field as its
    PascalCase name, so allowing it is all it takes.
    """
    from enum import Enum

    extra = Enum(f"{base.__name__}ExtraFields", {field.title().replace("_", ""): field for field in fields})  # type: ignore[misc]

    def allowed_fields(self: Any) -> list[Any]:
        return [*base.allowed_fields(self), *extra]

    name = base.__name__ + "With" + "".join(member.name for member in extra)
    return type(name, (base,), {"allowed_fields": allowed_fields, "__doc__": base.__doc__})


def fail_with_paths(state_id: str, **fields: Any) -> Any:
    """A Fail state that may also take ``error_path`` and ``cause_path``.

    They let a Fail state report the error a Catch stored, so the execution's cause is the
    real one ("Only 3 customers ...") instead of a generic text.
    """
    from stepfunctions.steps import Fail

    return with_fields(Fail, "error_path", "cause_path")(state_id, **fields)


@functools.cache
def _state_data_class() -> type:
    from stepfunctions.inputs import Placeholder

    class StateData(Placeholder):
        """A placeholder for the state data, whichever state came before (``$['a']['b']``)."""

        def __init__(self, schema: Any = None, **kwargs: Any) -> None:
            super().__init__(schema, **kwargs)
            self.json_str_template = "${}"

        def _create_variable(self, name: Any, parent: Any, type: Any = None) -> Any:
            return StateData(name=name, parent=parent, type=type)

    return StateData


def state_data() -> Any:
    """A placeholder of the state data for a state that two paths reach.

    The SDK's step placeholders (``step.output()``) tie a parameter to one predecessor and its
    graph check refuses the state when another predecessor leads to it. A state reached from
    two (the clustering's "Save model", after "Train KMeans" or "Pick k") reads the data both
    leave at the same path through this placeholder instead: it renders the same
    ``$['key']...`` JSONPath without naming a predecessor.
    """
    return _state_data_class()()


class SageMakerJobs:
    """What the step contexts of every workflow share: where a job's placeholder output goes and
    its instances (both read from the execution input). Mixed into each workflow's ``StepContext``
    dataclass, which has ``settings`` and ``execution_input``."""

    settings: Any
    execution_input: Any

    @property
    def placeholder_output(self) -> str:
        """The estimator's and transformer's output path; each run's input overrides it."""
        from pipeline.storage import join_uri

        return join_uri(f"s3://{self.settings.bucket}", self.settings.prefix, "unused")

    def instance_resources(self) -> dict[str, Any]:
        """Instance type and count of the SageMaker jobs, from the execution input."""
        return {
            "InstanceType": self.execution_input["InstanceType"],
            "InstanceCount": self.execution_input["InstanceCount"],
        }
