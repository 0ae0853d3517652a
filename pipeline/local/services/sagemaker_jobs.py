"""The DescribeTrainingJob response every local training stand-in returns, and how a job fails.

A ``.sync`` task waits for the job and returns DescribeTrainingJob's response. When the job
ends ``Failed``, Step Functions fails the task with ``States.TaskFailed`` and the Describe
response (``TrainingJobStatus: Failed`` and its ``FailureReason``) as JSON in the cause, as it
does for every "run a job" integration; a request SageMaker refuses outright fails with
``SageMaker.AmazonSageMakerException`` instead (``sagemaker_common.validation_error``).
"""

from __future__ import annotations

import json
from typing import Any

from pipeline.local.asl.errors import StatesError
from pipeline.local.services.sagemaker_common import sagemaker_arn

#: The error of a ``.sync`` task whose job ended Failed.
JOB_FAILED_ERROR = "States.TaskFailed"
_OPTIONAL_REQUEST_FIELDS = ("DebugHookConfig", "VpcConfig", "Environment", "CheckpointConfig")


def training_describe(
    params: dict[str, Any],
    *,
    created: int,
    ended: int,
    seconds: int,
    artifact: str | None = None,
    metrics: list[dict[str, Any]] | None = None,
    failure_reason: str | None = None,
) -> dict[str, Any]:
    """DescribeTrainingJob's response for a finished local job (Completed, or Failed with a reason)."""
    name = params["TrainingJobName"]
    status = "Failed" if failure_reason else "Completed"
    last_message = failure_reason[:200] if failure_reason else "Training job completed"
    describe: dict[str, Any] = {
        "TrainingJobName": name,
        "TrainingJobArn": sagemaker_arn("training-job", name),
        "TrainingJobStatus": status,
        "SecondaryStatus": status,
        "SecondaryStatusTransitions": [
            {
                "Status": "Starting",
                "StartTime": created,
                "EndTime": created,
                "StatusMessage": "Preparing the instances for training",
            },
            {
                "Status": "Training",
                "StartTime": created,
                "EndTime": ended,
                "StatusMessage": "Training image download completed. Training in progress.",
            },
            {"Status": status, "StartTime": ended, "EndTime": ended, "StatusMessage": last_message},
        ],
        "HyperParameters": dict(params.get("HyperParameters") or {}),
        "AlgorithmSpecification": params["AlgorithmSpecification"],
        "RoleArn": params["RoleArn"],
        "InputDataConfig": params.get("InputDataConfig") or [],
        "OutputDataConfig": params["OutputDataConfig"],
        "ResourceConfig": params.get("ResourceConfig", {}),
        "StoppingCondition": params.get("StoppingCondition", {}),
        "CreationTime": created,
        "TrainingStartTime": created,
        "TrainingEndTime": ended,
        "LastModifiedTime": ended,
        "TrainingTimeInSeconds": seconds,
        "BillableTimeInSeconds": seconds,
        "EnableNetworkIsolation": bool(params.get("EnableNetworkIsolation", False)),
        "EnableInterContainerTrafficEncryption": bool(
            params.get("EnableInterContainerTrafficEncryption", False)
        ),
        "EnableManagedSpotTraining": bool(params.get("EnableManagedSpotTraining", False)),
    }
    if artifact is not None:
        describe["ModelArtifacts"] = {"S3ModelArtifacts": artifact}
    if metrics is not None:
        describe["FinalMetricDataList"] = metrics
    if failure_reason:
        describe["FailureReason"] = failure_reason
    for optional in _OPTIONAL_REQUEST_FIELDS:
        if optional in params:
            describe[optional] = params[optional]
    return describe


def job_failed(describe: dict[str, Any]) -> StatesError:
    """The task failure Step Functions reports for a ``.sync`` job that ended Failed."""
    return StatesError(JOB_FAILED_ERROR, json.dumps(describe, separators=(",", ":")))


def transform_describe(params: dict[str, Any], *, created: int) -> dict[str, Any]:
    """DescribeTransformJob's response for a job just started (status and end are added when it ends)."""
    name = params["TransformJobName"]
    describe: dict[str, Any] = {
        "TransformJobName": name,
        "TransformJobArn": sagemaker_arn("transform-job", name),
        "TransformJobStatus": "InProgress",
        "ModelName": params["ModelName"],
        "TransformInput": params["TransformInput"],
        "TransformOutput": params["TransformOutput"],
        "TransformResources": params["TransformResources"],
        "CreationTime": created,
        "TransformStartTime": created,
    }
    for optional in (
        "MaxConcurrentTransforms",
        "MaxPayloadInMB",
        "BatchStrategy",
        "Environment",
        "DataProcessing",
    ):
        if optional in params:
            describe[optional] = params[optional]
    return describe
