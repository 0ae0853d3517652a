"""What the workflows' first steps share: reading a run's dataset, and making payloads JSON-safe.

Every workflow's prepare Lambda starts from the canonical transactions stored at the run's
``DataUri`` (``s3://BUCKET/PREFIX/raw/<content hash>.parquet``) and returns a payload that
Step Functions must be able to serialise. Light: the Lambdas import it.
"""

from __future__ import annotations

import json
from typing import Any

from pipeline.errors import DataError
from pipeline.storage import Storage


def read_transactions(storage: Storage, data_uri: str) -> Any:
    """The canonical transactions frame stored at ``data_uri`` (Parquet, xlsx or csv)."""
    from pipeline.loading.dataset import load_transactions

    try:
        raw = storage.read_bytes(data_uri)
    except FileNotFoundError:
        raise DataError(
            f"The dataset {data_uri} does not exist: launch the run again to upload it."
        ) from None
    name = data_uri.rsplit("/", 1)[-1] or "transactions"
    return load_transactions(raw, name=name, use_cache=False).transactions


def json_safe(value: Any) -> Any:
    """The value with timestamps and numpy numbers as JSON-friendly plain values."""
    return json.loads(
        json.dumps(value, default=lambda v: v.isoformat() if hasattr(v, "isoformat") else str(v))
    )
