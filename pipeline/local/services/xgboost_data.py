"""The training channels of SageMaker XGBoost 1.7-1, read as the container reads CSV.

The container checks the channels first ("train" required, "validation" optional, "code"
only for script mode, nothing else; ContentType among its accepted strings, default
``text/libsvm``), then reads every file under a channel's prefix as one data set: headerless
CSV, the label in the first column (and the instance weight in the second when
``csv_weights`` is 1), the delimiter sniffed from the first line, an empty field a missing
value. Here the objects under the channel's ``S3Uri`` are those files.

One deliberate difference: XGBoost's own CSV parser, which the container uses, reads a header
row as a row of label 0 with every feature missing, and a text field as a missing value,
without a word. The stand-in refuses both, naming the object, the line and the field, because
a model trained on such data is silently wrong.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from pipeline.local.services.sagemaker_common import input_objects
from pipeline.local.services.xgboost_errors import UserError
from pipeline.storage import Storage

#: ContentType strings the container's channel check accepts (exact strings, as it compares them).
ACCEPTED_CONTENT_TYPES = (
    "csv",
    "libsvm",
    "parquet",
    "recordio-protobuf",
    "text/csv",
    "text/libsvm",
    "text/x-libsvm",
    "application/x-parquet",
    "application/x-recordio-protobuf",
)
PIPE_CONTENT_TYPES = (
    "csv",
    "parquet",
    "recordio-protobuf",
    "text/csv",
    "application/x-parquet",
    "application/x-recordio-protobuf",
)
DEFAULT_CONTENT_TYPE = "text/libsvm"
CHANNELS = ("train", "validation", "code")


@dataclass(frozen=True)
class Channel:
    """A channel's data: features (float32, NaN = missing), labels and optional instance weights."""

    features: np.ndarray
    labels: np.ndarray
    weights: np.ndarray | None


def check_channels(channels: list[dict[str, Any]], input_mode: str) -> dict[str, dict[str, Any]]:
    """The channels by name, checked as the container checks them (``UserError`` otherwise).

    Locally only CSV can be read: any other accepted content type fails saying so.
    """
    by_name = {str(c.get("ChannelName")): c for c in channels}
    if "train" not in by_name:
        raise UserError("Missing required channel: train")
    for name, channel in by_name.items():
        if name not in CHANNELS:
            raise UserError(f"Extraneous channel found: {name}")
        content_type = channel.get("ContentType") or DEFAULT_CONTENT_TYPE
        mode = channel.get("InputMode") or input_mode
        distribution = (channel.get("DataSource", {}).get("S3DataSource", {})).get(
            "S3DataDistributionType", "FullyReplicated"
        )
        supported = PIPE_CONTENT_TYPES if mode == "Pipe" else ACCEPTED_CONTENT_TYPES
        if content_type not in supported or mode not in ("File", "Pipe"):
            raise UserError(
                f"Channel configuration for '{name}' channel is not supported: "
                f"{{'ContentType': '{content_type}', 'TrainingInputMode': '{mode}', "
                f"'S3DistributionType': '{distribution}'}}"
            )
    train_type = by_name["train"].get("ContentType") or DEFAULT_CONTENT_TYPE
    if train_type not in ("csv", "text/csv"):
        default = "" if "ContentType" in by_name["train"] else " (the container's default when none is given)"
        raise UserError(
            f"The train channel's ContentType is '{train_type}'{default}; the local backend reads only "
            "CSV (text/csv): write the channels as headerless CSV with the label first and set "
            "ContentType to text/csv"
        )
    return by_name


def read_channel(storage: Storage, channel: dict[str, Any], csv_weights: int) -> Channel | None:
    """Every object under the channel's prefix as one data set, or None when there is no data."""
    name = channel.get("ChannelName", "?")
    source = channel.get("DataSource", {}).get("S3DataSource") or {}
    objects = input_objects(storage, source, f"channel '{name}'")
    for _, relative in objects:
        if relative.rsplit("/", 1)[-1].startswith("."):
            raise UserError("Hidden file found in the data path! Remove that before training.")
    blobs = [(uri, storage.read_bytes(uri)) for uri, _ in objects]
    blobs = [(uri, data) for uri, data in blobs if data.strip()]
    if not blobs:
        return None
    delimiter = sniff_delimiter(blobs[0][1])
    tables = [read_csv_table(data, uri, delimiter) for uri, data in blobs]
    width = max(t.shape[1] for t in tables)
    table = np.concatenate([_pad(t, width) for t in tables]) if len(tables) > 1 else tables[0]
    first_feature = 2 if csv_weights == 1 else 1
    if width <= first_feature:
        raise UserError(f"Channel '{name}' has {width} column(s): it needs a label and at least one feature")
    labels = table[:, 0]
    if np.isnan(labels).any():
        row = int(np.flatnonzero(np.isnan(labels))[0]) + 1
        raise UserError(f"Channel '{name}': record {row} has no label (its first field is empty)")
    weights = table[:, 1] if csv_weights == 1 else None
    return Channel(np.ascontiguousarray(table[:, first_feature:]), labels, weights)


def sniff_delimiter(data: bytes) -> str:
    """The delimiter the container would use, sniffed from the first line (as csv.Sniffer does).

    A letter, digit or '.' (what the sniffer guesses for a one-column line) counts as ','.
    """
    first_line = data[:4096].decode("utf-8-sig", errors="replace").splitlines()[0]
    try:
        delimiter = csv.Sniffer().sniff(first_line).delimiter
    except csv.Error as error:
        raise UserError(f"Could not determine delimiter on line {first_line[:50]}:\n{error}") from None
    return "," if delimiter.isalnum() or delimiter == "." else delimiter


def read_csv_table(data: bytes, uri: str, delimiter: str = ",") -> np.ndarray:
    """Headerless numeric CSV -> float32 matrix; empty fields are NaN (missing); blank lines skipped.

    A field that is not a number (a header row, a text column) is a ``UserError`` naming the
    object, its line and the field.
    """
    try:
        frame = pd.read_csv(
            io.BytesIO(data),
            header=None,
            sep=delimiter,
            dtype=np.float64,
            keep_default_na=False,
            na_values=[""],
            skip_blank_lines=True,
            encoding="utf-8-sig",
        )
    except ValueError as error:
        raise UserError(_why_not_numeric(data, uri, delimiter) or f"{uri} is not CSV: {error}") from None
    return frame.to_numpy(dtype=np.float32)


def _why_not_numeric(data: bytes, uri: str, delimiter: str) -> str | None:
    text = data.decode("utf-8-sig", errors="replace")
    for number, line in enumerate(text.splitlines(), start=1):
        for field in line.split(delimiter):
            if field.strip() == "":
                continue
            try:
                float(field)
            except ValueError:
                header = " (a header row?)" if number == 1 else ""
                return (
                    f"{uri} line {number}{header}: '{field[:40]}' is not a number. XGBoost reads "
                    "headerless numeric CSV with the label first: remove header rows and encode text "
                    "columns as numbers"
                )
    return None


def _pad(table: np.ndarray, width: int) -> np.ndarray:
    """Rows of a narrower file get missing values in the columns they lack (as XGBoost reads them)."""
    if table.shape[1] == width:
        return table
    padded = np.full((table.shape[0], width), np.nan, dtype=np.float32)
    padded[:, : table.shape[1]] = table
    return padded
