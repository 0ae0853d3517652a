"""A local stand-in for SageMaker's model registry (``arn:aws:states:::sagemaker:createModel``).

A model is a JSON file ``<data dir>/models/<ModelName>.json`` holding the CreateModel
request, so a later batch transform (possibly in another worker process) can find the
artifact by model name, exactly as SageMaker resolves ``ModelName``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pipeline.config import data_subdir
from pipeline.local.services.request_validation import validate_sagemaker_request
from pipeline.local.services.sagemaker_common import (
    check_name,
    check_s3_uri,
    default_local_storage,
    epoch_millis,
    require,
    sagemaker_arn,
    validation_error,
)
from pipeline.storage import Storage


def _model_path(name: str) -> Path:
    return data_subdir("models") / f"{name}.json"


def create_model(params: dict[str, Any], *, storage: Storage | None = None) -> dict[str, Any]:
    """Register a model locally and return CreateModel's response ``{"ModelArn": ...}``.

    Fails like SageMaker when the name is taken ("Cannot create already existing model")
    or the model data is not in the bucket ("Could not find model data").
    """
    validate_sagemaker_request("CreateModel", params)
    storage = storage or default_local_storage()
    name = check_name(require(params, "ModelName"), "ModelName")
    require(params, "ExecutionRoleArn")
    container = params.get("PrimaryContainer") or (params.get("Containers") or [None])[0]
    if not isinstance(container, dict):
        raise validation_error("A PrimaryContainer (Image, ModelDataUrl) is required")
    model_data = check_s3_uri(require(container, "ModelDataUrl"), "PrimaryContainer.ModelDataUrl")
    arn = sagemaker_arn("model", name)
    if not storage.exists(model_data):
        raise validation_error(f"Could not find model data at {model_data}.")
    record = {
        "ModelName": name,
        "ModelArn": arn,
        "PrimaryContainer": container,
        "ExecutionRoleArn": params["ExecutionRoleArn"],
        "CreationTime": epoch_millis(),
    }
    try:
        with _model_path(name).open("x", encoding="utf-8") as handle:  # "x": atomic across workers
            json.dump(record, handle, indent=1)
    except FileExistsError:
        raise validation_error(f'Cannot create already existing model "{arn}".') from None
    return {"ModelArn": arn}


def describe_model(name: str) -> dict[str, Any]:
    """The stored model (DescribeModel's shape), or a validation error like SageMaker's."""
    path = _model_path(check_name(name, "ModelName"))
    if not path.is_file():
        raise validation_error(f'Could not find model "{sagemaker_arn("model", name)}".')
    return json.loads(path.read_text(encoding="utf-8"))
