"""A dataset on its way to a run: read as canonical Parquet, checked against the run, named by hash.

The backend core uses these for every workflow: the dataset the Data page (or the command
line) hands over becomes canonical Parquet bytes, stored once at
``s3://BUCKET/PREFIX/raw/<content hash>.parquet`` whichever backend stores it; before that,
the workflow's own check sees the transactions exactly as its first step will read them.
"""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

from pipeline.errors import WorkflowError
from pipeline.hashing import content_hash
from pipeline.storage import join_uri
from pipeline.workflows.spec import WorkflowSpec

#: Hex digits of the content hash in a dataset's key (``raw/<digits>.parquet``).
RAW_KEY_DIGITS = 16


def read_dataset(path: Path, *, need_frame: bool) -> tuple[bytes, Any]:
    """The dataset as canonical Parquet bytes (a .parquet file as it is, anything else parsed
    first) and, with ``need_frame``, its canonical transactions as the first step reads them."""
    from pipeline.loading.dataset import load_transactions

    if not path.is_file():
        raise WorkflowError(
            f"The dataset file {path} does not exist: load the dataset again "
            "(on the Data page, or with `python -m pipeline run INPUT`)."
        )
    if path.suffix.lower() == ".parquet":
        data = path.read_bytes()
        frame = load_transactions(data, name=path.name, use_cache=False).transactions if need_frame else None
        return data, frame
    frame = load_transactions(path).transactions
    buffer = io.BytesIO()
    frame.to_parquet(buffer, index=False)
    return buffer.getvalue(), frame


def dataset_uri(bucket: str, prefix: str, data: bytes) -> str:
    """Where ``data`` is stored: ``s3://BUCKET/PREFIX/raw/<content hash>.parquet``."""
    return join_uri(f"s3://{bucket}", prefix, "raw", f"{content_hash(data)[:RAW_KEY_DIGITS]}.parquet")


_RAW_KEY = re.compile(rf"/raw/([0-9a-f]{{{RAW_KEY_DIGITS}}})\.parquet$")


def data_key(data_uri: str) -> str | None:
    """The content-hash digits ``dataset_uri`` put in a run's DataUri, None for any other URI.

    Two runs with the same key read the very same transactions, whatever their dataset was
    called and on whichever backend (bucket and prefix are left out): the Clusters page tells
    runs on different data apart by it.
    """
    match = _RAW_KEY.search(data_uri)
    return match.group(1) if match else None


def check_run_on(spec: WorkflowSpec, params: Any, transactions: Any) -> None:
    """The workflow's check of ``params`` on these transactions (cleaned as the workflow cleans
    them); WorkflowError with every problem when the run cannot succeed."""
    from pipeline.loading.cleaning import clean_transactions

    clean, _ = clean_transactions(transactions)
    spec.check(params, spec.facts_for(clean, params))
