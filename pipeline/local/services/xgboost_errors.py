"""How the SageMaker XGBoost container fails, and how SageMaker reports it.

The container raises ``sagemaker_algorithm_toolkit`` errors: ``UserError`` for what the user can
fix (a hyperparameter, a channel, the data) and ``AlgorithmError`` for failures of XGBoost itself
(XGBoost's own message, prefixed "XGB train call failed with exception:"). Either one escapes to
``sagemaker-containers``' trainer, which writes "framework error:", the traceback and the message
to ``/opt/ml/output/failure``; SageMaker then ends the job Failed with that text, prefixed
"AlgorithmError: ", as its ``FailureReason`` (at most 1,024 characters).
"""

from __future__ import annotations

#: DescribeTrainingJob's FailureReason is at most this long (botocore's model says so).
FAILURE_REASON_MAX_CHARS = 1024


class ContainerError(Exception):
    """A failure of the XGBoost container, worded as the toolkit words it."""

    toolkit_name = "BaseToolkitError"

    def __init__(self, message: str, caused_by: BaseException | None = None) -> None:
        text = message + (f" (caused by {type(caused_by).__name__})" if caused_by is not None else "")
        super().__init__(text)
        self.message = text


class UserError(ContainerError):
    """Something the user can fix: a hyperparameter, a channel, the data."""

    toolkit_name = "UserError"


class AlgorithmError(ContainerError):
    """XGBoost itself failed (or the container met a case it does not handle)."""

    toolkit_name = "AlgorithmError"


def failure_reason(error: ContainerError) -> str:
    """The job's FailureReason as SageMaker reports this container error (without the container's
    traceback frames, which the local stand-in does not have)."""
    qualified = f"sagemaker_algorithm_toolkit.exceptions.{error.toolkit_name}"
    text = f"AlgorithmError: framework error: \n{qualified}: {error.message}\n\n{error.message}"
    return text[:FAILURE_REASON_MAX_CHARS]
