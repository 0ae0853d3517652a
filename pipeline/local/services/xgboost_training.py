"""A local stand-in for a training job of SageMaker's built-in XGBoost 1.7-1 (algorithm mode).

It does what the container (aws/sagemaker-xgboost-container, branch 1.7-1) does with the
same request, with the same XGBoost (1.7.4): validates the hyperparameters
(``xgboost_hyperparameters``) and the channels (``xgboost_data``), trains with
``xgboost.train`` watching ``train`` and ``validation``, saves the booster with
``Booster.save_model`` to a file named ``xgboost-model`` (no extension: XGBoost 1.7's binary
format, which the container's serving code loads with ``Booster.load_model``) and packs it as
``<S3OutputPath>/<TrainingJobName>/output/model.tar.gz``.

Metrics are reported as SageMaker reports them for this algorithm: its metric definitions
read XGBoost's evaluation log (``[49]#011train-rmse:1.23457#011validation-rmse:2.34568``), so
``FinalMetricDataList`` holds ``train:<metric>`` and ``validation:<metric>`` of the last
round, with the 5 decimals of that log line.

Not done locally (each refused with a message): cross-validation (``_kfold``), Dask GPU
training, and content types other than CSV. One instance is simulated whatever the
InstanceCount (the container would train on all instances with Rabit; the model is the same
up to floating-point summation order).
"""

from __future__ import annotations

import gzip
import io
import os
import tarfile
import tempfile
import time
import warnings
from pathlib import Path
from typing import Any

from pipeline.local.services.sagemaker_common import epoch_millis
from pipeline.local.services.sagemaker_jobs import job_failed, training_describe
from pipeline.local.services.xgboost_data import Channel, check_channels, read_channel
from pipeline.local.services.xgboost_errors import (
    AlgorithmError,
    ContainerError,
    UserError,
    failure_reason,
)
from pipeline.local.services.xgboost_hyperparameters import (
    MAXIMIZE_METRICS,
    MINIMIZE_METRICS,
    validate_hyperparameters,
)
from pipeline.local.services.xgboost_metrics import custom_feval
from pipeline.storage import Storage, join_uri

#: The file the container saves the booster to, inside model.tar.gz.
MODEL_NAME = "xgboost-model"
#: XGBoost messages the container reports as the user's error rather than its own.
CUSTOMER_ERRORS = (
    "label must be in [0,1] for logistic regression",
    "label must be in [0, num_class)",
    "Target is multiclass but average='binary'",
    "feature_names mismatch",
    "Check failed: preds.size() == info.labels_.size()",
    "Check failed: !auc_error AUC: the dataset only contains pos or neg samples",
    "Check failed: base_score > 0.0f && base_score < 1.0f base_score must be in (0,1) for logistic loss",
    "Check failed: label_correct PoissonRegression: label must be nonnegative",
    "Check failed: label_correct TweedieRegression: label must be nonnegative",
    "Parameter reg_lambda should be greater equal to 0",
)
#: Keys of the validated configuration that steer the container, not XGBoost.
_CONTAINER_KEYS = (
    "num_round",
    "save_model_on_termination",
    "_tuning_objective_metric",
    "early_stopping_rounds",
    "csv_weights",
    "use_dask_gpu_training",
    "_num_cv_round",
)


def train_xgboost(params: dict[str, Any], storage: Storage, output_path: str) -> dict[str, Any]:
    """Run the job; DescribeTrainingJob's response, or ``job_failed`` with the container's reason."""
    created = epoch_millis()
    started = time.monotonic()
    try:
        booster, metrics = _train(params, storage)
    except ContainerError as error:
        ended = epoch_millis()
        seconds = max(1, round(time.monotonic() - started))
        raise job_failed(
            training_describe(
                params, created=created, ended=ended, seconds=seconds, failure_reason=failure_reason(error)
            )
        ) from error
    artifact = join_uri(output_path, params["TrainingJobName"], "output", "model.tar.gz")
    storage.write_bytes(artifact, model_tar(booster))
    ended = epoch_millis()
    seconds = max(1, round(time.monotonic() - started))
    return training_describe(
        params, created=created, ended=ended, seconds=seconds, artifact=artifact, metrics=metrics
    )


def _train(params: dict[str, Any], storage: Storage) -> tuple[Any, list[dict[str, Any]]]:
    config = validate_hyperparameters(params.get("HyperParameters") or {})
    input_mode = params.get("AlgorithmSpecification", {}).get("TrainingInputMode", "File")
    channels = check_channels(params.get("InputDataConfig") or [], input_mode)
    if config.get("use_dask_gpu_training") == "true":
        raise UserError("Dask GPU training (use_dask_gpu_training=true) needs GPU instances: run on aws")
    if "_kfold" in config:
        raise UserError("Cross-validation (_kfold) is not run by the local backend: run on aws")
    csv_weights = config.get("csv_weights", 0)
    train = read_channel(storage, channels["train"], csv_weights)
    if train is None:
        raise UserError(f"No data in training channel path {_channel_uri(channels['train'])}")
    validation = None
    if "validation" in channels:
        validation = read_channel(storage, channels["validation"], csv_weights)
        if validation is None:
            raise UserError(f"No data in validation channel path {_channel_uri(channels['validation'])}")
    return _fit(config, train, validation)


def _union(eval_metric: list[str] | None, tuning: list[str] | None) -> list[str]:
    """The metrics to compute: either list as given, or both merged and sorted (as the container)."""
    if eval_metric and tuning:
        return sorted(set(eval_metric) | set(tuning))
    return list(eval_metric or tuning or [])


def _channel_uri(channel: dict[str, Any]) -> str:
    return str(channel.get("DataSource", {}).get("S3DataSource", {}).get("S3Uri", "?"))


def load_xgboost() -> Any:
    """The ``xgboost`` module, imported on first use (~1 s) with OpenMP's threads set to sleep
    when idle.

    XGBoost's OpenMP runtime spins its idle threads by default; on a machine whose cores are
    busy with other work (a shared developer box, CI) the spinning threads fight each other and
    a 50-round fit measured 21 s instead of 2.5 s (2 cores, load 10). ``OMP_WAIT_POLICY=PASSIVE``
    is read when the runtime loads, so it is set (unless the environment chose) before the first
    import; results do not depend on it.
    """
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    import xgboost

    return xgboost


def _fit(config: dict[str, Any], train: Channel, validation: Channel | None) -> tuple[Any, list[dict]]:
    xgb = load_xgboost()

    num_round = config["num_round"]
    early_stopping_rounds = config.get("early_stopping_rounds")
    eval_metric = config.get("eval_metric")
    tuning_metric = config.get("_tuning_objective_metric")
    xgb_params = {k: v for k, v in config.items() if k not in _CONTAINER_KEYS}
    wanted = _union(eval_metric, [tuning_metric.split(":", 1)[1]] if tuning_metric else None)
    feval = custom_feval(wanted) if wanted else None
    native = [m for m in wanted if feval is None or m not in feval.metrics]
    if native:
        xgb_params["eval_metric"] = native
    else:
        xgb_params.pop("eval_metric", None)
    dtrain = xgb.DMatrix(train.features, label=train.labels, weight=train.weights)
    watchlist = [(dtrain, "train")]
    if validation is not None:
        dval = xgb.DMatrix(validation.features, label=validation.labels, weight=validation.weights)
        watchlist.append((dval, "validation"))
    callbacks = []
    stopping_metric = tuning_metric.split(":", 1)[1] if tuning_metric else (eval_metric or [None])[-1]
    if early_stopping_rounds and validation is not None and stopping_metric:
        callbacks.append(
            xgb.callback.EarlyStopping(
                rounds=early_stopping_rounds,
                data_name="validation",
                metric_name=stopping_metric,
                maximize=stopping_metric in MAXIMIZE_METRICS,
                save_best=True,
            )
        )
    history: dict[str, dict[str, list[float]]] = {}
    try:
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message="`feval` is deprecated")  # as the container calls it
            booster = xgb.train(
                xgb_params,
                dtrain,
                num_boost_round=num_round,
                evals=watchlist,
                feval=feval,
                evals_result=history,
                callbacks=callbacks,
                verbose_eval=False,
            )
    except Exception as error:  # XGBoost's failures, sorted as the container sorts them
        if any(message in str(error) for message in CUSTOMER_ERRORS):
            raise UserError(str(error)) from error
        raise AlgorithmError(f"XGB train call failed with exception:\n {error}") from error
    return booster, final_metrics(history)


def final_metrics(history: dict[str, dict[str, list[float]]]) -> list[dict[str, Any]]:
    """FinalMetricDataList: each data set's metrics of the last round, as the log line prints them.

    XGBoost's EvaluationMonitor prints ``train-rmse:1.23457`` (5 decimals); SageMaker's metric
    definitions for the algorithm read that text, so the value has those 5 decimals. Only
    metrics the algorithm defines are reported.
    """
    timestamp = epoch_millis()
    reported = []
    for data_name in ("train", "validation"):
        for metric, values in history.get(data_name, {}).items():
            if metric in MAXIMIZE_METRICS + MINIMIZE_METRICS and values:
                reported.append(
                    {
                        "MetricName": f"{data_name}:{metric}",
                        "Value": float(f"{values[-1]:.5f}"),
                        "Timestamp": timestamp,
                    }
                )
    return reported


def model_tar(booster: Any) -> bytes:
    """``model.tar.gz`` holding ``xgboost-model`` as the container saves it (``save_model``, no
    extension: XGBoost 1.7's binary model format)."""
    with tempfile.TemporaryDirectory(prefix="xgboost-model-") as folder:
        path = Path(folder) / MODEL_NAME
        booster.save_model(str(path))
        model = path.read_bytes()
    info = tarfile.TarInfo(MODEL_NAME)
    info.size = len(model)
    info.mode = 0o644
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.GNU_FORMAT) as archive:
        archive.addfile(info, io.BytesIO(model))
    return gzip.compress(buffer.getvalue(), mtime=0)  # same model, same bytes


def model_from_tar(data: bytes) -> bytes:
    """The first regular file of a model.tar.gz (the container loads the first file it finds)."""
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:*") as archive:
        for member in archive.getmembers():
            if member.isfile() and not Path(member.name).name.startswith("."):
                extracted = archive.extractfile(member)
                if extracted is not None:
                    return extracted.read()
    raise ValueError("the archive holds no model file")
