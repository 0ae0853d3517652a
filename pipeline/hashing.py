"""The one content hash of RFM Workflow Studio: SHA-256 of a file's or a buffer's bytes.

The loader names its Parquet cache entries with it, and the backends name a dataset in the
bucket with it (``raw/<first 16 hex digits>.parquet``), so the same bytes are stored once.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

_BLOCK = 1 << 20


def content_hash(data: bytes | bytearray | memoryview | Path) -> str:
    """SHA-256 of ``data`` (bytes, or a file read in 1 MiB blocks), as 64 hex digits."""
    digest = hashlib.sha256()
    if isinstance(data, Path):
        with open(data, "rb") as stream:
            for block in iter(lambda: stream.read(_BLOCK), b""):
                digest.update(block)
    else:
        digest.update(data)
    return digest.hexdigest()
