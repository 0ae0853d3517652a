"""Where RFM Workflow Studio keeps its files, and the few constants every module shares.

One data directory holds everything the app writes: uploads, the parsed-dataset cache, the
local bucket that stands in for S3, and the run records of the local engine. It is set by
the environment variable ``RFM_STUDIO_HOME`` (default ``~/.rfm-studio``) so tests and
parallel users can each have their own.
"""

from __future__ import annotations

import os
from pathlib import Path

from pipeline.errors import StudioError

PROJECT_ROOT = Path(__file__).resolve().parent.parent

#: The UCI download of the original "Online Retail" workbook (541,909 rows).
UCI_ONLINE_RETAIL_URL = "https://archive.ics.uci.edu/ml/machine-learning-databases/00352/Online%20Retail.xlsx"

#: A real 40,000-row random sample of the UCI data, shipped with the app (CC BY 4.0).
BUNDLED_SAMPLE_PATH = PROJECT_ROOT / "data" / "sample" / "online_retail_sample_40k.xlsx"

#: Bucket name the local backend uses for its stand-in of S3.
LOCAL_BUCKET = "rfm-studio-local"


class DataDirectoryError(StudioError, OSError):
    """The data directory cannot be used. A StudioError (the command line exits 2 with the
    message, pages show it) and an OSError (code that treats the directory as optional, such
    as caches, carries on without it, as it did when ``mkdir`` itself raised)."""


def data_home() -> Path:
    """The data directory (created on first use): ``$RFM_STUDIO_HOME`` or ``~/.rfm-studio``.

    A :class:`DataDirectoryError` when it cannot be used (a file of that name, a folder without
    write permission), with a message saying which setting to change.
    """
    home = Path(os.environ.get("RFM_STUDIO_HOME") or Path.home() / ".rfm-studio").expanduser()
    _make_writable_dir(home, "RFM_STUDIO_HOME")
    return home


def data_subdir(name: str) -> Path:
    """A named folder inside the data directory, e.g. ``uploads``, ``cache`` or ``s3``."""
    path = data_home() / name
    _make_writable_dir(path, "RFM_STUDIO_HOME")
    return path


def _make_writable_dir(path: Path, setting: str) -> None:
    """Create ``path`` if needed and check that this process can write in it."""
    try:
        path.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        raise DataDirectoryError(
            f"The data directory {path} is a file, not a folder: point {setting} at a folder "
            "(it is created if missing), or move the file away."
        ) from None
    except OSError as error:
        raise DataDirectoryError(
            f"Cannot create the data directory {path} ({error.strerror or error}): point {setting} "
            "at a folder you can write to."
        ) from None
    if not os.access(path, os.W_OK | os.X_OK):
        raise DataDirectoryError(
            f"The data directory {path} is not writable by this user: point {setting} at a folder "
            "you can write to, or fix its permissions."
        )


def local_bucket_root() -> Path:
    """The folder that stands in for S3 on the local backend: ``s3://B/K`` is ``<root>/B/K``."""
    return data_subdir("s3")
