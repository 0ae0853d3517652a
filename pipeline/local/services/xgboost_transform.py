"""A local stand-in for a batch transform with a SageMaker XGBoost 1.7-1 model.

The container's serving code (``algorithm_mode/serve_utils.py`` and ``handler_service.py``,
branch 1.7-1) loads the first file of model.tar.gz with ``Booster.load_model``, reads a
``text/csv`` request as numbers (an empty field is a missing value; no label column), predicts,
and in batch mode answers ``text/csv`` with one ``str()`` of each prediction a line
(``"\\n".join(map(str, predictions.tolist())) + "\\n"``: Python's shortest repr of the float32
prediction widened to a float, e.g. ``3.2699999809265137``), or ``application/json`` with one
JSON array (the container's default when no Accept is given). Each input object's output goes to
``<S3OutputPath>/<input name>.out``; with Line split every record gets its line, in order.

Locally an object is scored in one request (the CSV output is the same however SageMaker would
batch the lines; a JSON output would be one array per batch). Blank lines are skipped. A model
saved with pickle (older containers) is refused: the stand-in never unpickles data.
"""

from __future__ import annotations

import json
import warnings
from typing import Any

import numpy as np

from pipeline.errors import DataError
from pipeline.local.services.sagemaker_common import epoch_millis, input_objects
from pipeline.local.services.sagemaker_jobs import job_failed
from pipeline.local.services.xgboost_data import read_csv_table, sniff_delimiter
from pipeline.local.services.xgboost_errors import UserError
from pipeline.local.services.xgboost_training import load_xgboost, model_from_tar
from pipeline.storage import Storage, join_uri

CSV_CONTENT_TYPES = ("text/csv", "csv")
#: What the container's handler answers with when the request names no Accept type.
DEFAULT_ACCEPT = "application/json"


def transform_xgboost(
    params: dict[str, Any], model: dict[str, Any], storage: Storage, describe: dict[str, Any]
) -> dict[str, Any]:
    """Score every input object with the model; ``describe`` (DescribeTransformJob's response,
    without its end) comes back completed, or the task fails as a Failed transform job does."""
    try:
        booster = load_booster(storage, model)
        outputs = [
            (join_uri(params["TransformOutput"]["S3OutputPath"], relative + ".out"), payload)
            for relative, payload in _score_objects(params, booster, storage)
        ]
    except (UserError, ValueError, OSError, DataError) as error:
        failed = {**describe, "TransformJobStatus": "Failed", "TransformEndTime": epoch_millis()}
        failed["FailureReason"] = f"ClientError: {error}"[:1024]
        raise job_failed(failed) from error
    for uri, payload in outputs:
        storage.write_bytes(uri, payload)
    return {**describe, "TransformJobStatus": "Completed", "TransformEndTime": epoch_millis()}


def load_booster(storage: Storage, model: dict[str, Any]) -> Any:
    """The model's booster, loaded as the container loads ``xgboost-model``."""
    xgb = load_xgboost()
    url = model["PrimaryContainer"]["ModelDataUrl"]
    try:
        raw = model_from_tar(storage.read_bytes(url))
    except (OSError, ValueError, EOFError) as error:
        raise UserError(f"Unable to load model: {url} is not a readable model.tar.gz ({error})") from error
    if raw[:1] == b"\x80":  # a pickle's protocol marker
        raise UserError(
            f"Unable to load model: {url} holds a pickled booster; the local backend loads only models "
            "saved with Booster.save_model (as the 1.7-1 container saves them)"
        )
    booster = xgb.Booster()
    try:
        booster.load_model(bytearray(raw))
    except xgb.core.XGBoostError as error:
        raise UserError(f"Unable to load model: {url}: {error}") from error
    return booster


def _score_objects(params: dict[str, Any], booster: Any, storage: Storage) -> list[tuple[str, bytes]]:
    transform_input = params["TransformInput"]
    content_type = str(transform_input.get("ContentType") or "").split(";")[0].strip().lower()
    if content_type not in CSV_CONTENT_TYPES:
        raise UserError(
            f"ContentType '{transform_input.get('ContentType')}' cannot be read locally: the local "
            "backend sends text/csv only (features only, no label column)"
        )
    accept = str(params["TransformOutput"].get("Accept") or DEFAULT_ACCEPT).lower()
    if accept not in ("text/csv", "csv", "application/json", "json"):
        raise UserError(
            f"{params['TransformOutput'].get('Accept')} is not an accepted Accept type. Please choose "
            "one of the following: ['text/csv', 'application/json']."
        )
    source = transform_input["DataSource"]["S3DataSource"]
    objects = input_objects(storage, source, "TransformInput")
    if not objects:
        raise UserError(f"no input object under {source.get('S3Uri')}")
    scored = []
    for uri, relative in objects:
        data = storage.read_bytes(uri)
        predictions = predict_csv(booster, data, uri) if data.strip() else np.zeros(0, dtype=np.float32)
        scored.append((relative, encode_predictions(predictions, accept)))
    return scored


def predict_csv(booster: Any, data: bytes, uri: str) -> np.ndarray:
    """Predictions for headerless CSV features, as the container's serving code makes them."""
    xgb = load_xgboost()
    features = read_csv_table(data, uri, sniff_delimiter(data))
    try:
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message="ntree_limit")  # deprecated; the container passes it
            return booster.predict(
                xgb.DMatrix(features),
                ntree_limit=getattr(booster, "best_ntree_limit", 0),
                validate_features=False,
            )
    except xgb.core.XGBoostError as error:
        raise UserError(f"{uri} cannot be scored by the model: {error}".splitlines()[0]) from error


def encode_predictions(predictions: np.ndarray, accept: str) -> bytes:
    """The container's batch answer: one ``str()`` a line for CSV, one JSON array for JSON."""
    values = predictions.tolist()
    if accept in ("text/csv", "csv"):
        return ("\n".join(map(str, values)) + "\n").encode("utf-8") if values else b""
    return json.dumps(values).encode("utf-8")
