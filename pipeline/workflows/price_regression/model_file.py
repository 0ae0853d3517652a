"""The trained model file of a price-regression run: the booster inside ``model.tar.gz``, its features' gain.

SageMaker's XGBoost 1.7-1 container saves the booster with ``Booster.save_model`` as
``xgboost-model`` inside ``model.tar.gz`` (the local stand-in writes the same), and loads it the
same way to serve. Here it is read from the archive in memory (nothing is extracted to disk) and
loaded with ``xgboost.Booster``; a pickled booster (older containers) is refused, since
unpickling runs code. The CSV channels carry no column names, so the booster calls its features
``f0, f1, ...`` in CSV order: :func:`feature_importance` maps them to the run's feature names.
xgboost is imported only when a model is read (the Lambdas never do).
"""

from __future__ import annotations

import io
import tarfile
from typing import Any

import pandas as pd

from pipeline.errors import WorkflowError
from pipeline.storage import Storage, default_storage

MODEL_MEMBER = "xgboost-model"
#: Largest model file read into memory (a 50-round, depth-5 model is ~100 KB).
MAX_MODEL_BYTES = 512 * 1024 * 1024


def model_bytes_from_tar(archive: bytes) -> bytes:
    """The ``xgboost-model`` member of a ``model.tar.gz`` (else its only regular file)."""
    try:
        with tarfile.open(fileobj=io.BytesIO(archive), mode="r:*") as tar:
            files = [member for member in tar.getmembers() if member.isfile()]
            chosen = next((m for m in files if m.name.lstrip("./") == MODEL_MEMBER), None)
            if chosen is None and len(files) == 1:
                chosen = files[0]
            if chosen is None:
                names = ", ".join(m.name for m in files) or "no files"
                raise WorkflowError(f"The model archive holds no {MODEL_MEMBER} ({names}).")
            if chosen.size > MAX_MODEL_BYTES:
                raise WorkflowError(f"The model file is {chosen.size:,} bytes, more than this page reads.")
            reader = tar.extractfile(chosen)
            if reader is None:
                raise WorkflowError(f"The model archive's {chosen.name} cannot be read.")
            return reader.read()
    except (tarfile.TarError, EOFError, OSError) as error:
        raise WorkflowError(f"The model file is not a readable model.tar.gz: {error}") from None


def load_booster(model: bytes) -> Any:
    """An ``xgboost.Booster`` from the bytes ``Booster.save_model`` wrote (JSON, UBJSON or binary)."""
    import xgboost

    if model[:1] == b"\x80":  # a pickle's protocol marker
        raise WorkflowError(
            "The model file is a pickled booster, which is not read here (unpickling runs code): "
            "the XGBoost 1.7-1 container saves models with Booster.save_model."
        )
    booster = xgboost.Booster()
    try:
        booster.load_model(bytearray(model))
    except xgboost.core.XGBoostError as error:
        raise WorkflowError(f"The model file is not an XGBoost model: {str(error).splitlines()[0]}") from None
    return booster


def read_booster(model_uri: str, storage: Storage | None = None) -> Any:
    """The booster of the ``model.tar.gz`` at ``model_uri``."""
    storage = storage or default_storage()
    try:
        archive = storage.read_bytes(model_uri)
    except FileNotFoundError:
        raise WorkflowError(f"The model file {model_uri} is not there: run the workflow again.") from None
    return load_booster(model_bytes_from_tar(archive))


def feature_importance(booster: Any, feature_names: list[str]) -> pd.DataFrame:
    """XGBoost's "total_gain" importance (the summed gain of every split on a feature), columns
    Feature, Gain, Share (of all splits' gain), largest first.

    Total, not XGBoost's default mean gain: a feature split on a few times with large gains (the
    extended set's weekday on the sample: 62 splits) outranked on mean gain the product code the
    trees split on 467 times, and mean gains' shares do not add up to anything. The total is the
    training loss reduction the model owes to each feature, so the shares read as such.

    A feature the trees never split on has gain 0. ``feature_names[i]`` names XGBoost's ``fi``;
    a feature beyond the names keeps XGBoost's name.
    """
    gains = booster.get_score(importance_type="total_gain")
    keys = [f"f{index}" for index in range(len(feature_names))]
    keys += [key for key in gains if key not in keys]
    names = dict(zip(keys, feature_names, strict=False))
    table = pd.DataFrame(
        {
            "Feature": [names.get(key, key) for key in keys],
            "Gain": [float(gains.get(key, 0.0)) for key in keys],
        }
    )
    total = float(table["Gain"].sum())
    table["Share"] = table["Gain"] / total if total > 0 else 0.0
    table = table.sort_values(["Gain", "Feature"], ascending=[False, True], kind="stable")
    return table.reset_index(drop=True)
