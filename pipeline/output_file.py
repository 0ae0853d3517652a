"""Files the command line writes where the user said (``--out``): into a folder that exists.

A mistyped ``--out /nonexistent/dir/x.csv`` used to create the whole folder tree, from ``/``
when run as root, and exit 0: the result then sat where nobody would look for it. A missing
folder is now refused with the command to make it, as ``cp`` or ``curl -o`` refuse it.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from pipeline.errors import StudioError


def out_file(text: str) -> Path:
    """``--out``'s argparse type: a file's path. A path ending in a separator names a folder, which
    ``Path`` would forget (``nope/`` becomes ``nope``, written as a file): it is refused."""
    if text.endswith(("/", os.sep)):
        raise argparse.ArgumentTypeError(
            f"{text} names a folder: add the name of the file to write in it ({text}NAME)."
        )
    return Path(text)


def write_output(path: Path, content: str | bytes, error: type[StudioError]) -> None:
    """Write ``content`` to ``path``, whose folder must exist; ``error`` saying what to do when not."""
    folder = path.parent
    if not folder.is_dir():
        what = "is not a folder" if folder.exists() else "does not exist"
        raise error(
            f"Cannot write {path}: the folder {folder} {what}. Create it first "
            f"(mkdir -p {folder}), or choose another --out path."
        )
    try:
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    except OSError as problem:
        raise error(
            f"Cannot write {path}: {problem.strerror or problem}. Choose another --out path."
        ) from problem
