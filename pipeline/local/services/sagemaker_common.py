"""What the local stand-ins of SageMaker's training, model and transform APIs share.

Failures are reported the way the Step Functions SageMaker integration reports them: a
``StatesError`` named ``SageMaker.AmazonSageMakerException`` whose cause says what is wrong,
so Retry/Catch and the watch page behave as they do on AWS. Dates are epoch milliseconds,
as Step Functions renders SageMaker's timestamps in a task's result.
"""

from __future__ import annotations

import io
import json
import os
import re
import time
from typing import Any

import numpy as np

from pipeline.errors import DataError
from pipeline.local.asl.errors import StatesError
from pipeline.storage import LocalBucketStorage, Storage, join_uri, split_s3_uri

SAGEMAKER_ERROR = "SageMaker.AmazonSageMakerException"
LOCAL_ACCOUNT_ID = "000000000000"
#: SageMaker's rule for job and model names (also keeps them safe as file names).
NAME_PATTERN = re.compile(r"^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$")


def local_region() -> str:
    """The region ARNs are minted in: the configured AWS region, else us-east-1."""
    return os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or "us-east-1"


def sagemaker_arn(kind: str, name: str) -> str:
    """An ARN shaped like SageMaker's (``kind`` is e.g. ``training-job``; names are lowercased)."""
    return f"arn:aws:sagemaker:{local_region()}:{LOCAL_ACCOUNT_ID}:{kind}/{name.lower()}"


def epoch_millis() -> int:
    """Now, as Step Functions renders a SageMaker timestamp: milliseconds since the epoch."""
    return time.time_ns() // 1_000_000


def fail(cause: str) -> StatesError:
    """The error a state gets when SageMaker rejects a request or a job fails."""
    return StatesError(SAGEMAKER_ERROR, cause)


def validation_error(message: str) -> StatesError:
    """A request SageMaker would reject before starting anything (its ValidationException)."""
    return fail(f"{message} (Service: AmazonSageMaker; Status Code: 400; Error Code: ValidationException)")


def require(params: dict, path: str) -> Any:
    """``params['A']['B']`` for ``path`` "A.B", or a validation error naming the missing field."""
    value: Any = params
    for part in path.split("."):
        if not isinstance(value, dict) or value.get(part) in (None, ""):
            raise validation_error(
                f"1 validation error detected: Value null at '{path}' failed to satisfy "
                "constraint: Member must not be null"
            )
        value = value[part]
    return value


def check_name(name: Any, what: str) -> str:
    """A job or model name as SageMaker accepts it, else a validation error saying the rule."""
    if not isinstance(name, str) or not NAME_PATTERN.match(name):
        raise validation_error(
            f"{what} '{name}' is invalid: use 1-63 letters, digits and hyphens, starting and ending "
            "with a letter or digit"
        )
    return name


def default_local_storage() -> Storage:
    """The local bucket under the data directory (what the local backend's handlers share)."""
    from pipeline.config import local_bucket_root

    return LocalBucketStorage(local_bucket_root())


def input_objects(storage: Storage, s3_data_source: dict, what: str) -> list[tuple[str, str]]:
    """The objects an ``S3DataSource`` names, each as (uri, name relative to its prefix).

    ``S3Prefix`` lists every object under the prefix; ``ManifestFile`` reads a manifest
    (``[{"prefix": "s3://..."}, "key", ...]``) as SageMaker does.
    """
    data_type = s3_data_source.get("S3DataType", "S3Prefix")
    uri = s3_data_source.get("S3Uri")
    if not uri:
        raise validation_error(f"{what}: S3DataSource.S3Uri is missing")
    try:
        if data_type == "S3Prefix":
            objects = [u for u in storage.list(uri) if not u.endswith("/")]
            prefix = uri
            return [(u, _relative_name(u, prefix)) for u in objects]
        if data_type == "ManifestFile":
            manifest = json.loads(storage.read_bytes(uri))
            if not manifest or not isinstance(manifest[0], dict) or "prefix" not in manifest[0]:
                raise fail(f'{what}: the manifest {uri} must start with {{"prefix": "s3://..."}}')
            prefix = manifest[0]["prefix"]
            return [(join_uri(prefix, key), key) for key in manifest[1:]]
    except StatesError:
        raise
    except (OSError, ValueError, DataError) as error:
        raise fail(f"{what}: cannot read {uri}: {error}") from error
    raise fail(
        f"{what}: S3DataType {data_type} is not supported by the local backend; use S3Prefix or ManifestFile"
    )


def _relative_name(uri: str, prefix: str) -> str:
    """The object's key below the prefix (its file name when the prefix is the object itself)."""
    if uri == prefix.rstrip("/"):
        return uri.rsplit("/", 1)[-1]
    return uri[len(prefix) :].lstrip("/") if uri.startswith(prefix) else uri.rsplit("/", 1)[-1]


def read_csv_rows(data: bytes, uri: str, feature_dim: int | None = None) -> np.ndarray:
    """Headerless numeric CSV -> float32 matrix (one row a record; blank lines are skipped).

    Raises ``ValueError`` saying which object and line are wrong, for the caller to report.
    """
    text = data.decode("utf-8-sig", errors="replace")
    lines = [line for line in text.splitlines() if line.strip()]
    if not lines:
        return np.zeros((0, feature_dim or 0), dtype=np.float32)
    try:
        matrix = np.loadtxt(io.StringIO("\n".join(lines)), delimiter=",", dtype=np.float32, ndmin=2)
    except ValueError as error:
        raise ValueError(f"{uri} is not headerless numeric CSV ({error})") from error
    if feature_dim is not None and matrix.shape[1] != feature_dim:
        raise ValueError(
            f"{uri} has {matrix.shape[1]} columns but feature_dim is {feature_dim}; "
            "every row must have exactly feature_dim numbers"
        )
    if not np.isfinite(matrix).all():
        raise ValueError(f"{uri} contains NaN or infinite values")
    return matrix


def check_s3_uri(uri: Any, what: str) -> str:
    """An ``s3://bucket/key`` URI, else a validation error naming the field."""
    try:
        split_s3_uri(str(uri))
    except DataError as error:
        raise validation_error(f"{what}: {error}") from error
    return str(uri)
