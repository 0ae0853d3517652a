"""Which cache entry an unchanged local file already has, without importing pandas.

The loader remembers, for a file on this machine, the content hash of its bytes under a key of
its resolved path, size and modification time (as make and rsync judge a file unchanged). A
command that only needs the canonical Parquet of such a file (``python -m pipeline run``) can
then skip the read, the hash and the ~1 s import of pandas that the full loader costs, and
start the run at once.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from pipeline.config import data_subdir
from pipeline.loading.limits import max_cell_chars

#: Bump when parsing changes, so stale cached Parquet files are not reused.
CACHE_VERSION = 1


def cache_paths(content_hash: str) -> tuple[Path, Path]:
    """The cache entry of a content hash: its canonical Parquet and its metadata (schema, rows)."""
    base = data_subdir("cache") / f"{content_hash}-v{CACHE_VERSION}"
    return base.with_suffix(".parquet"), base.with_suffix(".json")


def path_entry(path: Path) -> Path | None:
    """Where the content hash of a file as it is now (path, size, mtime) is remembered."""
    try:
        stat = path.stat()
        key = f"{path.resolve()}|{stat.st_size}|{stat.st_mtime_ns}"
    except OSError:
        return None
    return data_subdir("cache") / "paths" / f"{hashlib.sha256(key.encode()).hexdigest()[:40]}.txt"


def remember_path(path: Path, content_hash: str) -> None:
    """Note that ``path``, as it is now, holds the bytes of ``content_hash`` (best effort)."""
    entry = path_entry(path)
    if entry is None:
        return
    try:
        entry.parent.mkdir(parents=True, exist_ok=True)
        entry.write_text(content_hash)
    except OSError:
        pass  # an optimisation only


def remembered_hash(path: Path, max_bytes: int) -> str | None:
    """The content hash of an unchanged local file of at most ``max_bytes``, if it was loaded before.

    None when the file is new or changed, too large (the full loader then says so) or unreadable.
    """
    entry = path_entry(path)
    if entry is None or not entry.is_file():
        return None
    try:
        if path.stat().st_size > max_bytes:
            return None
        return entry.read_text().strip() or None
    except OSError:
        return None


def remembered_parquet(path: Path, max_bytes: int) -> Path | None:
    """The canonical Parquet cache entry of an unchanged local file loaded before, or None.

    Only an entry whose metadata is intact counts; anything else goes through the full loader,
    which re-parses and rewrites a damaged entry.
    """
    content_hash = remembered_hash(path, max_bytes)
    if content_hash is None:
        return None
    frame_path, meta_path = cache_paths(content_hash)
    try:
        meta = json.loads(meta_path.read_text())
    except (OSError, ValueError):
        return None
    if not (isinstance(meta, dict) and isinstance(meta.get("schema"), str) and frame_path.is_file()):
        return None
    return frame_path if within_cell_limit(meta) else None


def within_cell_limit(meta: dict) -> bool:
    """True when a cache entry's longest cell (recorded when it was parsed) is within
    ``RFM_STUDIO_MAX_CELL_CHARS`` now: an entry parsed under a higher limit, or before cells
    were measured, is parsed again, so the limit in force is the one applied."""
    longest = meta.get("longest_cell")
    return isinstance(longest, int) and longest <= max_cell_chars()
