"""What every workflow's runs share: their names, their folder, SageMaker names, failure texts.

A run is one execution. Its name (the execution name) is unique, so everything derived from
it is too: the run's folder ``s3://BUCKET/PREFIX/runs/<run name>/`` and the names of its
SageMaker jobs and models (SageMaker refuses to reuse one).
"""

from __future__ import annotations

import datetime as dt
import json
import re
import uuid
from typing import Any

from pipeline.storage import join_uri

#: Key prefix of everything the studio writes in its bucket (both backends).
DEFAULT_PREFIX = "rfm-studio"

_NAME_MAX = 63  # SageMaker job and model names: 1-63 of [a-zA-Z0-9-]


def new_run_name(prefix: str = "rfm", now: dt.datetime | None = None) -> str:
    """A unique, readable execution name: ``<prefix>-YYYYmmdd-HHMMSS-<8 hex>``.

    Legal for Step Functions (at most 80 characters, no spaces) and, through
    :func:`sagemaker_job_name`, for SageMaker. The random part keeps two runs started in the
    same second apart.
    """
    now = now or dt.datetime.now(dt.UTC)
    return f"{prefix}-{now:%Y%m%d-%H%M%S}-{uuid.uuid4().hex[:8]}"


def run_prefix(bucket: str, prefix: str, run_name: str) -> str:
    """``s3://BUCKET/PREFIX/runs/<run name>``: where one run's files live on both backends."""
    return join_uri(f"s3://{bucket}", prefix, "runs", run_name)


def sagemaker_job_name(run_name: str, suffix: str) -> str:
    """A SageMaker-legal, per-run unique name (``[a-zA-Z0-9-]``, at most 63 characters).

    The run name is unique (it is the execution name); the suffix tells the job kinds apart.
    Truncation keeps the end of the run name, where its unique part is.
    """
    cleaned = re.sub(r"[^a-zA-Z0-9-]+", "-", run_name).strip("-") or "run"
    room = _NAME_MAX - len(suffix) - 1
    return f"{cleaned[-room:].lstrip('-')}-{suffix}"


def execution_input_of(description: dict[str, Any]) -> dict[str, Any]:
    """The execution input of a ``describe_execution`` answer as a dict (``{}`` when absent or
    not a JSON object: an execution started by another tool)."""
    try:
        value = json.loads(description.get("input") or "{}")
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def failure_message(error: str | None, cause: str | None) -> str:
    """A failure as a person reads it: a Lambda's JSON cause becomes its ``errorMessage``.

    Lambda errors reach Step Functions as ``{"errorMessage", "errorType", "stackTrace"}`` JSON
    in the cause (on AWS and locally alike); the rest are shown as they are.
    """
    text = cause or ""
    try:
        parsed = json.loads(text)
    except ValueError:
        parsed = None
    if isinstance(parsed, dict) and parsed.get("errorMessage"):
        text = str(parsed["errorMessage"])
    if error and text:
        return f"{error}: {text}"
    return error or text or "no cause given"
