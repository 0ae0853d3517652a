"""A step's details as a person reads them: its result's figures and tables, its job, its log.

The Step Functions console shows a task's raw input and output; analysts want the figures in
them (silhouette, clusters, customers kept, the training job's status and time). So a task's
result is turned into a small table of named figures (:func:`result_figures`), its lists of
records into tables (:func:`result_tables`, e.g. the clusters found), the files it wrote into
a list; the raw JSON stays below as the fallback. :func:`job_of` names the SageMaker job or
Lambda function a task called, :func:`log_link` points to its CloudWatch logs on AWS.
"""

from __future__ import annotations

import datetime as dt
import re
import urllib.parse
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd

from pipeline.views.execution_view import StepRun

#: Keys of a task's result that are transport, not outcome (Lambda's HTTP envelope).
_ENVELOPE = {"SdkHttpMetadata", "SdkResponseMetadata", "ExecutedVersion", "StatusCode"}
#: Job name keys of the SageMaker requests, and how the page names the job.
_JOB_KEYS = (
    ("TrainingJobName", "SageMaker training job"),
    ("TransformJobName", "SageMaker transform job"),
    ("ModelName", "SageMaker model"),
    ("FunctionName", "Lambda function"),
)
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")
#: Words kept as written when a key is made readable.
_ACRONYMS = {
    "uri": "URI",
    "id": "ID",
    "rmse": "RMSE",
    "mae": "MAE",
    "r2": "R²",
    "k": "k",
    "gb": "GB",
    "s3": "S3",
}


#: Keys read as another page already words them (the Prices page's largest-errors table).
_NAMES = {"squared_error_share": "Share of squared error"}


def readable(key: str) -> str:
    """``TrainingJobStatus`` or ``clusters_found`` -> ``Training job status`` / ``Clusters found``."""
    if key in _NAMES:
        return _NAMES[key]
    words = [w for part in str(key).split("_") for w in _CAMEL.sub(" ", part).split()]
    shown = [_ACRONYMS.get(w.lower(), w.lower()) for w in words]
    if shown and shown[0] not in _ACRONYMS.values():
        shown[0] = shown[0].capitalize()
    return " ".join(shown)


def _payload(step: StepRun) -> Any:
    """What a step produced: a Lambda task's ``Payload``, another task's result, a Succeed's output.

    A Succeed state's output is the workflow's result (the clustering's evaluation); the
    output of other states without a task is their whole input passed on, not theirs.
    """
    result = step.result
    if result is None and step.state_type == "Succeed":
        result = step.output
    if isinstance(result, Mapping) and "Payload" in result:
        return result["Payload"]
    return result


#: Keys of the times in a SageMaker Describe* result (CreationTime, StartTime, Timestamp, ...).
_TIME_KEY = re.compile(r"(Time|Timestamp)$")
#: Epoch milliseconds from 1973 to 5138: how Step Functions writes those times into a task's result.
_EPOCH_MS = (1e11, 1e14)


def _as_time(key: str, value: Any) -> Any:
    """A time in epoch milliseconds under a time key, as a UTC date and time; anything else as is."""
    if (
        _TIME_KEY.search(str(key))
        and isinstance(value, int | float)
        and not isinstance(value, bool)
        and _EPOCH_MS[0] <= value < _EPOCH_MS[1]
    ):
        return dt.datetime.fromtimestamp(value / 1000, dt.UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
    return value


def _format(value: Any) -> str:
    """A single value as the step table shows it. Floats from 10 up get two decimals, as the
    pages' metrics show thresholds and RMSEs: with four significant digits below 100, an RMSE
    threshold of 30.0 read "30" in one run and 100,000.0 "100,000.00" in another."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        return f"{value:,.2f}" if abs(value) >= 10 else f"{value:.4g}"
    return str(value)


def _is_file(value: Any) -> bool:
    return isinstance(value, str) and value.startswith("s3://")


def result_figures(step: StepRun) -> pd.DataFrame:
    """The result's single values as (Figure, Value) rows, nested records one level deep.

    Files (``s3://`` addresses) are left to :func:`result_files`, lists to :func:`result_tables`.
    """
    rows: list[dict[str, str]] = []

    def add(prefix: str, mapping: Mapping[str, Any], depth: int) -> None:
        for key, value in mapping.items():
            if key in _ENVELOPE or _is_file(value) or isinstance(value, list):
                continue
            name = f"{prefix}{readable(key)}"
            if isinstance(value, Mapping):
                if depth < 1:
                    add(f"{name}: ", value, depth + 1)
                continue
            if value is None or value == "":
                continue
            rows.append({"Figure": name, "Value": _format(_as_time(key, value))})

    payload = _payload(step)
    if isinstance(payload, Mapping):
        add("", payload, 0)
    elif payload is not None:
        rows.append({"Figure": "Result", "Value": _format(payload)})
    return pd.DataFrame(rows, columns=["Figure", "Value"])


def result_tables(step: StepRun) -> dict[str, pd.DataFrame]:
    """Every list of records in the result as a table with readable headers (e.g. the clusters)."""
    payload = _payload(step)
    tables: dict[str, pd.DataFrame] = {}
    if not isinstance(payload, Mapping):
        return tables
    for key, value in payload.items():
        if isinstance(value, list) and value and all(isinstance(item, Mapping) for item in value):
            frame = pd.json_normalize(value, max_level=1)
            for column in frame.columns:
                if _TIME_KEY.search(column):
                    frame[column] = [_as_time(column, cell) for cell in frame[column]]
            frame.columns = [readable(column.replace(".", "_")) for column in frame.columns]
            tables[readable(key)] = frame
    return tables


def percent_columns(table: pd.DataFrame) -> list[str]:
    """The columns of a :func:`result_tables` table that are shares (fractions of 1): the panel
    shows them as percentages, as the Prices and Clusters pages do.

    A result's shares are named ``..._share`` or ``...Share`` (the score step's
    ``squared_error_share``, the clusters' ``CustomerShare``); :func:`readable` makes those
    "... share" or, named in ``_NAMES``, "Share of ...".
    """
    return [
        column
        for column in table.columns
        if (column.endswith(" share") or column.startswith("Share of "))
        and pd.api.types.is_numeric_dtype(table[column])
    ]


def result_files(step: StepRun) -> pd.DataFrame:
    """The files the step wrote or named (``s3://`` addresses in its result), one row each."""
    payload = _payload(step)
    rows = []
    if isinstance(payload, Mapping):
        for key, value in payload.items():
            if _is_file(value):
                rows.append({"File": readable(key), "Address": value})
            elif isinstance(value, Mapping):
                rows += [
                    {"File": f"{readable(key)}: {readable(k)}", "Address": v}
                    for k, v in value.items()
                    if _is_file(v)
                ]
    return pd.DataFrame(rows, columns=["File", "Address"])


@dataclass(frozen=True)
class Job:
    """The AWS resource a task called: a SageMaker job or model, or a Lambda function."""

    kind: str
    name: str


def job_of(step: StepRun) -> Job | None:
    """The SageMaker job or Lambda function a task step called (from the request it sent)."""
    parameters = step.parameters if isinstance(step.parameters, Mapping) else {}
    for key, kind in _JOB_KEYS:
        if isinstance(parameters.get(key), str) and parameters[key]:
            return Job(kind, parameters[key])
    return None


def log_link(job: Job, region: str) -> str | None:
    """The CloudWatch console address of the job's logs on AWS (None for a model: it has none)."""
    groups = {
        "Lambda function": ("/aws/lambda/" + job.name.rsplit(":", 1)[-1], ""),
        "SageMaker training job": ("/aws/sagemaker/TrainingJobs", job.name),
        "SageMaker transform job": ("/aws/sagemaker/TransformJobs", job.name),
    }
    if job.kind not in groups or not re.fullmatch(r"[a-z]{2}(-[a-z]+)+-\d", region):
        return None
    group, stream_prefix = groups[job.kind]

    def console_escape(text: str) -> str:
        # The console's fragment escapes '%' as '$25' after URL quoting.
        return urllib.parse.quote(text, safe="").replace("%", "$25")

    fragment = f"logsV2:log-groups/log-group/{console_escape(group)}"
    if stream_prefix:
        fragment += f"/log-events$3FlogStreamNameFilter$3D{console_escape(stream_prefix)}"
    return f"https://{region}.console.aws.amazon.com/cloudwatch/home?region={region}#{fragment}"
