"""A local stand-in for a SageMaker batch transform, and the built-in KMeans model's own.

The model's image picks the algorithm (``algorithm_images``); XGBoost models are scored by
``xgboost_transform``. With a KMeans model:

Each input line is assigned to its closest centre (Euclidean distance) of the model's
centroids, and the output is written as SageMaker's KMeans container writes it, to
``<S3OutputPath>/<input object name>.out``: with ``Accept: application/jsonlines`` one line
``{"closest_cluster": 2.0, "distance_to_cluster": 0.53}`` per input line (the cluster index is
a float, as the real algorithm emits it); with ``application/json`` one
``{"predictions": [...]}`` document. Blank input lines are skipped.
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np

from pipeline.errors import DataError
from pipeline.local.asl.errors import StatesError
from pipeline.local.services.algorithm_images import algorithm_of, unsupported_image_message
from pipeline.local.services.request_validation import validate_sagemaker_request
from pipeline.local.services.sagemaker_common import (
    check_name,
    check_s3_uri,
    default_local_storage,
    epoch_millis,
    input_objects,
    read_csv_rows,
    require,
    validation_error,
)
from pipeline.local.services.sagemaker_jobs import job_failed, transform_describe
from pipeline.local.services.sagemaker_models import describe_model
from pipeline.local.services.xgboost_transform import transform_xgboost
from pipeline.storage import Storage, join_uri
from pipeline.workflows.kmeans_ndarray import read_kmeans_model_tar

SUPPORTED_ACCEPT = {"application/jsonlines", "application/json"}


def assign_clusters(rows: np.ndarray, centroids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Closest centre index and Euclidean distance to it, for each row."""
    diff = rows[:, None, :].astype(np.float64) - centroids[None, :, :].astype(np.float64)
    distances = np.sqrt((diff**2).sum(axis=2))
    closest = distances.argmin(axis=1)
    return closest, distances[np.arange(len(rows)), closest]


def format_predictions(closest: np.ndarray, distances: np.ndarray, accept: str) -> bytes:
    """The bytes SageMaker's KMeans container returns for these assignments."""
    records = [
        {"closest_cluster": float(c), "distance_to_cluster": float(d)}
        for c, d in zip(closest, distances, strict=True)
    ]
    if accept == "application/json":
        return json.dumps({"predictions": records}).encode("utf-8")
    return "".join(json.dumps(r) + "\n" for r in records).encode("utf-8")


def _model_centroids(storage: Storage, model: dict[str, Any]) -> np.ndarray:
    url = model["PrimaryContainer"]["ModelDataUrl"]
    try:
        return read_kmeans_model_tar(storage.read_bytes(url))
    except (OSError, DataError) as error:
        raise ValueError(f"cannot load the model {model['ModelName']} from {url}: {error}") from error


def create_transform_job_sync(params: dict[str, Any], *, storage: Storage | None = None) -> dict[str, Any]:
    """Run a batch transform locally and return its DescribeTransformJob response.

    The model's image (recorded by createModel) picks the algorithm: XGBoost 1.7-1 goes to
    ``xgboost_transform``, KMeans is scored here. Raises
    ``StatesError("SageMaker.AmazonSageMakerException", cause)`` for a request SageMaker would
    refuse (invalid parameters, an unknown model, a model image the local backend cannot run), and
    ``StatesError("States.TaskFailed", <DescribeTransformJob JSON>)`` when the job fails (input the
    model cannot score; its FailureReason says why).
    """
    validate_sagemaker_request("CreateTransformJob", params)
    storage = storage or default_local_storage()
    check_name(require(params, "TransformJobName"), "TransformJobName")
    model_name = require(params, "ModelName")
    source = require(params, "TransformInput.DataSource.S3DataSource")
    output_path = check_s3_uri(
        require(params, "TransformOutput.S3OutputPath"), "TransformOutput.S3OutputPath"
    )
    require(params, "TransformResources.InstanceType")
    model = describe_model(model_name)
    image = str(model["PrimaryContainer"].get("Image") or "")
    algorithm = algorithm_of(image)
    if algorithm is None:
        raise validation_error(unsupported_image_message(image))
    describe = transform_describe(params, created=epoch_millis())
    if algorithm == "xgboost":
        return transform_xgboost(params, model, storage, describe)
    transform_input = params["TransformInput"]
    accept = str(params["TransformOutput"].get("Accept") or "application/json").lower()
    try:
        if accept not in SUPPORTED_ACCEPT:
            raise ValueError(
                f"Accept '{accept}' is not supported locally; use one of {sorted(SUPPORTED_ACCEPT)}"
            )
        content_type = str(transform_input.get("ContentType") or "text/csv").replace(" ", "").lower()
        if not content_type.startswith("text/csv"):
            raise ValueError(
                f"ContentType '{content_type}' is not supported locally; the input must be text/csv"
            )
        centroids = _model_centroids(storage, model)
        objects = input_objects(storage, source, "TransformInput")
        if not objects:
            raise ValueError(f"no input object under {source.get('S3Uri')}")
        outputs = []
        for uri, relative in objects:
            rows = read_csv_rows(storage.read_bytes(uri), uri, centroids.shape[1])
            closest, distances = assign_clusters(rows, centroids)
            outputs.append(
                (join_uri(output_path, relative + ".out"), format_predictions(closest, distances, accept))
            )
    except StatesError:
        raise
    except (ValueError, OSError) as error:
        failed = {**describe, "TransformJobStatus": "Failed", "TransformEndTime": epoch_millis()}
        raise job_failed({**failed, "FailureReason": f"ClientError: {error}"[:1024]}) from error
    for out_uri, payload in outputs:
        storage.write_bytes(out_uri, payload)
    return {**describe, "TransformJobStatus": "Completed", "TransformEndTime": epoch_millis()}
