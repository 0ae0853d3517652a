"""A local stand-in for a SageMaker training job, and the built-in KMeans algorithm's own.

The job's ``AlgorithmSpecification.TrainingImage`` picks the algorithm (``algorithm_images``):
the XGBoost 1.7-1 image goes to ``xgboost_training``; the KMeans image is trained here; any
other image is refused as SageMaker refuses a request, naming the images that can run.

It takes the Parameters the ``stepfunctions`` SDK's TrainingStep emits for
``arn:aws:states:::sagemaker:createTrainingJob.sync``, fits scikit-learn's KMeans on the CSV
channel in the local bucket, writes ``<S3OutputPath>/<TrainingJobName>/output/model.tar.gz``
in SageMaker's format (see ``ndarray``) and returns what DescribeTrainingJob would, so the
rest of the workflow (``$.ModelArtifacts.S3ModelArtifacts``) reads it as on AWS.

The algorithm itself differs from SageMaker's web-scale mini-batch KMeans: here Lloyd's
algorithm runs over all rows at once, with a fixed seed so the same data and
hyperparameters give the same centres. The hyperparameters that mean something for that
(k, feature_dim, init_method, local_lloyd_max_iter, local_lloyd_tol,
local_lloyd_num_trials, eval_metrics) are honoured; the others are validated as SageMaker
validates them and otherwise ignored.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

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
from pipeline.local.services.sagemaker_jobs import job_failed, training_describe
from pipeline.local.services.xgboost_training import train_xgboost
from pipeline.storage import Storage, join_uri
from pipeline.workflows.kmeans_ndarray import write_kmeans_model_tar

if TYPE_CHECKING:
    from sklearn.cluster import KMeans

#: The seed every local training job uses, so runs are reproducible.
RANDOM_SEED = 0
#: Hyperparameters the built-in KMeans accepts, besides the private ``_...`` ones.
KNOWN_HYPERPARAMETERS = {
    "k", "feature_dim", "mini_batch_size", "epochs", "init_method", "extra_center_factor",
    "local_lloyd_max_iter", "local_lloyd_tol", "local_lloyd_init_method", "local_lloyd_num_trials",
    "half_life_time_size", "eval_metrics", "force_dense",
}  # fmt: skip
CSV_CONTENT_TYPES = {"text/csv", "text/csv;label_size=0"}


@dataclass(frozen=True)
class KMeansSettings:
    """The validated hyperparameters that shape the local fit."""

    k: int
    feature_dim: int
    init: str
    max_iter: int
    tol: float
    n_init: int | str
    eval_metrics: tuple[str, ...]


class HyperparameterError(ValueError):
    """A hyperparameter SageMaker's KMeans would reject; the message names it."""


def _int(hp: dict, name: str, default: int | None = None, minimum: int = 1, auto: bool = False) -> Any:
    raw = hp.get(name)
    if raw is None:
        if default is None:
            raise HyperparameterError(f"the required hyperparameter '{name}' is missing")
        return default
    if auto and str(raw) == "auto":
        return "auto"
    try:
        value = int(str(raw))
    except ValueError:
        raise HyperparameterError(f"hyperparameter '{name}' must be an integer, got '{raw}'") from None
    if value < minimum:
        raise HyperparameterError(f"hyperparameter '{name}' must be at least {minimum}, got {value}")
    return value


def _choice(hp: dict, name: str, default: str, allowed: set[str]) -> str:
    value = str(hp.get(name, default))
    if value not in allowed:
        raise HyperparameterError(f"hyperparameter '{name}' must be one of {sorted(allowed)}, got '{value}'")
    return value


def parse_hyperparameters(hp: dict[str, Any]) -> KMeansSettings:
    """Validate KMeans hyperparameters (strings, as SageMaker receives them) like the algorithm does."""
    unknown = sorted(n for n in hp if n not in KNOWN_HYPERPARAMETERS and not n.startswith("_"))
    if unknown:
        raise HyperparameterError(
            f"unknown hyperparameters {unknown} (KMeans accepts {sorted(KNOWN_HYPERPARAMETERS)})"
        )
    k = _int(hp, "k")
    feature_dim = _int(hp, "feature_dim")
    _int(hp, "mini_batch_size", 5000)
    _int(hp, "epochs", 1)
    _int(hp, "extra_center_factor", 1, auto=True)
    _int(hp, "half_life_time_size", 0, minimum=0)
    init = _choice(hp, "init_method", "random", {"random", "kmeans++"})
    _choice(hp, "local_lloyd_init_method", "kmeans++", {"random", "kmeans++"})
    max_iter = _int(hp, "local_lloyd_max_iter", 300)
    n_init = _int(hp, "local_lloyd_num_trials", 0, auto=True) or "auto"
    try:
        tol = float(hp.get("local_lloyd_tol", "0.0001"))
    except ValueError:
        raise HyperparameterError(
            f"hyperparameter 'local_lloyd_tol' must be a number, got '{hp['local_lloyd_tol']}'"
        ) from None
    if not 0 <= tol <= 1:
        raise HyperparameterError(f"hyperparameter 'local_lloyd_tol' must be between 0 and 1, got {tol}")
    try:
        metrics = json.loads(hp.get("eval_metrics", '["msd"]'))
    except (TypeError, ValueError):
        metrics = None
    if not isinstance(metrics, list) or not all(m in ("msd", "ssd") for m in metrics):
        raise HyperparameterError(
            'hyperparameter \'eval_metrics\' must be a JSON list of "msd" and/or "ssd", '
            f"got {hp.get('eval_metrics')!r}"
        )
    return KMeansSettings(
        k=k,
        feature_dim=feature_dim,
        init="k-means++" if init == "kmeans++" else "random",
        max_iter=max_iter,
        tol=tol,
        n_init=n_init,
        eval_metrics=tuple(metrics),
    )


def _load_channel(storage: Storage, channel: dict, feature_dim: int) -> np.ndarray:
    name = channel.get("ChannelName", "?")
    content_type = str(channel.get("ContentType", "text/csv")).replace(" ", "").lower()
    if content_type not in CSV_CONTENT_TYPES:
        raise ValueError(
            f"channel '{name}' has ContentType '{channel.get('ContentType')}'; the local backend reads "
            "headerless CSV only (text/csv or text/csv;label_size=0)"
        )
    source = require(channel, "DataSource.S3DataSource")
    objects = input_objects(storage, source, f"channel '{name}'")
    if not objects:
        raise ValueError(f"channel '{name}' has no data: no object under {source.get('S3Uri')}")
    parts = [read_csv_rows(storage.read_bytes(uri), uri, feature_dim) for uri, _ in objects]
    rows = np.concatenate(parts) if parts else np.zeros((0, feature_dim), dtype=np.float32)
    if len(rows) == 0:
        raise ValueError(f"channel '{name}' has no rows: every object under {source.get('S3Uri')} is empty")
    return rows


def _fit(rows: np.ndarray, settings: KMeansSettings) -> KMeans:
    if settings.k > len(rows):
        raise ValueError(f"k={settings.k} is larger than the number of training rows ({len(rows)}); lower k")
    from sklearn.cluster import KMeans  # imported here: it costs ~2 s, only training needs it

    model = KMeans(
        n_clusters=settings.k,
        init=settings.init,
        n_init=settings.n_init,
        max_iter=settings.max_iter,
        tol=settings.tol,
        random_state=RANDOM_SEED,
    )
    return model.fit(rows.astype(np.float64))


def _metrics(
    model: KMeans, train: np.ndarray, test: np.ndarray | None, settings: KMeansSettings
) -> list[dict]:
    timestamp = epoch_millis()
    found = [{"MetricName": "train:msd", "Value": float(model.inertia_ / len(train)), "Timestamp": timestamp}]
    if test is not None:
        ssd = float(-model.score(test.astype(np.float64)))
        values = {"msd": ssd / len(test), "ssd": ssd}
        for metric in settings.eval_metrics:
            found.append(
                {"MetricName": f"test:{metric}", "Value": float(values[metric]), "Timestamp": timestamp}
            )
    return found


def create_training_job_sync(params: dict[str, Any], *, storage: Storage | None = None) -> dict[str, Any]:
    """Run a training job locally and return its DescribeTrainingJob response.

    Raises ``StatesError("SageMaker.AmazonSageMakerException", cause)`` when SageMaker would
    refuse the request (invalid parameters, an image the local backend cannot run), and
    ``StatesError("States.TaskFailed", <DescribeTrainingJob JSON>)`` when the job fails (no data,
    wrong width, k larger than the data, bad hyperparameter), its FailureReason saying why.
    """
    validate_sagemaker_request("CreateTrainingJob", params)
    storage = storage or default_local_storage()
    name = check_name(require(params, "TrainingJobName"), "TrainingJobName")
    image = str(require(params, "AlgorithmSpecification.TrainingImage"))
    output_path = check_s3_uri(
        require(params, "OutputDataConfig.S3OutputPath"), "OutputDataConfig.S3OutputPath"
    )
    require(params, "RoleArn")
    channels = params.get("InputDataConfig") or []
    algorithm = algorithm_of(image)
    if algorithm is None:
        raise validation_error(unsupported_image_message(image))
    if algorithm == "xgboost":
        return train_xgboost(params, storage, output_path)
    creation = epoch_millis()
    started = time.monotonic()
    try:
        settings = parse_hyperparameters(params.get("HyperParameters") or {})
        by_name = {c.get("ChannelName"): c for c in channels}
        if "train" not in by_name:
            raise ValueError(f"a 'train' channel is required (got channels {sorted(map(str, by_name))})")
        train = _load_channel(storage, by_name["train"], settings.feature_dim)
        test = _load_channel(storage, by_name["test"], settings.feature_dim) if "test" in by_name else None
        model = _fit(train, settings)
        metrics = _metrics(model, train, test, settings)
    except StatesError:
        raise
    except (ValueError, OSError) as error:
        seconds = max(1, round(time.monotonic() - started))
        reason = f"ClientError: {error}"
        failed = training_describe(
            params, created=creation, ended=epoch_millis(), seconds=seconds, failure_reason=reason
        )
        raise job_failed(failed) from error

    artifact = join_uri(output_path, name, "output", "model.tar.gz")
    storage.write_bytes(artifact, write_kmeans_model_tar(model.cluster_centers_))
    seconds = max(1, round(time.monotonic() - started))
    return training_describe(
        params, created=creation, ended=epoch_millis(), seconds=seconds, artifact=artifact, metrics=metrics
    )
