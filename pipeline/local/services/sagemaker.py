"""Local stand-ins for the SageMaker tasks of the workflows: train, save model, batch transform.

The work is split by job: ``sagemaker_training`` (training jobs: KMeans there, XGBoost 1.7-1 in
``xgboost_training``, chosen by image in ``algorithm_images``), ``sagemaker_models`` (the local
model registry) and ``sagemaker_transform`` (batch transform, KMeans there, XGBoost in
``xgboost_transform``); this module is the single entry point the engine's integrations use. All
read and write the local bucket (``LocalBucketStorage`` over ``config.local_bucket_root()``)
unless given another ``Storage``. A request SageMaker would refuse fails with ``StatesError``
named ``SageMaker.AmazonSageMakerException``; a job that ends Failed with ``States.TaskFailed``
and the Describe response as cause (``sagemaker_jobs``), as the Step Functions integration does.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pipeline.local.services.sagemaker_common import SAGEMAKER_ERROR
from pipeline.local.services.sagemaker_models import create_model, describe_model
from pipeline.local.services.sagemaker_training import create_training_job_sync
from pipeline.local.services.sagemaker_transform import create_transform_job_sync

__all__ = [
    "SAGEMAKER_ACTIONS",
    "SAGEMAKER_ERROR",
    "create_model",
    "create_training_job_sync",
    "create_transform_job_sync",
    "describe_model",
]

#: Step Functions SageMaker action -> local implementation (``.sync`` or not: both run to the end).
SAGEMAKER_ACTIONS: dict[str, Callable[..., dict[str, Any]]] = {
    "createTrainingJob": create_training_job_sync,
    "createModel": create_model,
    "createTransformJob": create_transform_job_sync,
}
