"""What the app showed of a loaded dataset, kept beside its cache entry, so a link can restore it.

The app keeps the active dataset's content hash in the page's address (``?dataset=<hash>``):
a browser reload or a link opened in a new tab starts a new session, and that session finds
the dataset again from the hash alone. The cache entry (``cache/<hash>-v<N>.parquet`` and its
``.json``) holds the transactions but not what the user saw: the name of the file, where it
came from, the headline counts. So each load also writes a small record of those,
``cache/loaded/<hash>.json``, and a link is followed only when both the record and an intact
cache entry are there.

The hash comes from the address, which anyone can type, so :func:`is_content_hash` is checked
before any file is named after it: exactly 64 lower-case hex digits, nothing that could name
another file. No pandas here: Home follows a link on its first run, and Home needs no pandas.
"""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path
from typing import Any

from pipeline.config import data_subdir
from pipeline.loading.remembered import cache_paths, within_cell_limit

_HEX_DIGITS = frozenset("0123456789abcdef")
_HASH_LENGTH = 64
_RECORD_DIR = "loaded"


def is_content_hash(text: object) -> bool:
    """True only for a SHA-256 content hash as the loader writes it: 64 lower-case hex digits.

    Everything else (a path, ``..``, upper case, a shorter or longer text, non-ASCII digits that
    ``str.isalnum`` would accept) is False, decided without touching the file system.
    """
    return isinstance(text, str) and len(text) == _HASH_LENGTH and _HEX_DIGITS.issuperset(text)


def record_path(content_hash: str) -> Path:
    """Where the record of a content hash is kept; a ValueError for anything that is not one."""
    if not is_content_hash(content_hash):
        raise ValueError("not a content hash")
    return data_subdir("cache") / _RECORD_DIR / f"{content_hash}.json"


def save_loaded(content_hash: str, record: dict[str, Any]) -> bool:
    """Keep ``record`` (JSON values) for ``content_hash``; False when the disk refused.

    Best effort, as the cache itself: a read-only or full disk must not fail the load, it only
    means a reload cannot restore this dataset. The same bytes loaded under another name
    replace the record (the last load names the dataset for every later link).
    """
    try:
        path = record_path(content_hash)
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(f"{path.name}.{os.getpid()}.{threading.get_ident()}.part")
        partial.write_text(json.dumps(record))
        partial.replace(path)
    except (OSError, ValueError, TypeError):
        return False
    return True


def read_loaded(content_hash: str) -> tuple[dict[str, Any], Path] | None:
    """The record of a dataset loaded before and its canonical Parquet, or None.

    None when ``content_hash`` is not a content hash (checked first, before any file access),
    when the record is missing or damaged, or when the cache entry is gone (the cache was
    cleared) or would be parsed again by the loader (parsed under a higher cell limit than the
    one in force now, :func:`~pipeline.loading.remembered.within_cell_limit`).
    """
    if not is_content_hash(content_hash):
        return None
    try:
        frame_path, meta_path = cache_paths(content_hash)  # an unusable data directory is an OSError too
        record = json.loads(record_path(content_hash).read_text())
        meta = json.loads(meta_path.read_text())
        present = frame_path.is_file()
    except (OSError, ValueError):
        return None
    if not (isinstance(record, dict) and isinstance(meta, dict) and present and within_cell_limit(meta)):
        return None
    return record, frame_path
