"""Definitions that already passed the engine's checks, remembered on disk.

The local backend's preflight (Home and Launch run it, in the page's first run of a server
process) validates every registered workflow's definition: parsing its ~70 JSONPaths and
templates takes ~0.25 s, plus ~0.2 s to import the validator. The outcome depends only on the
definition's text and the validator's code, so a definition that passed once is remembered by
the SHA-256 of both (``data_home()/cache/validated/<hash>``); any change to either validates
again. A failure is never remembered (it raises every time, with its message). The memo is an
optimisation only: an unreadable or unwritable folder means validating, never an error.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
from pathlib import Path
from typing import Any

#: The engine's ASL package: every .py in it can change what passes.
_ASL_DIR = Path(__file__).resolve().parent


@functools.cache
def validator_version() -> str:
    """SHA-256 of the engine's ASL source (names and bytes), computed once a process."""
    digest = hashlib.sha256()
    for file in sorted(_ASL_DIR.rglob("*.py")):
        digest.update(str(file.relative_to(_ASL_DIR)).encode())
        digest.update(file.read_bytes())
    return digest.hexdigest()


def definition_key(definition: dict[str, Any] | str) -> str:
    """The memo's name for ``definition`` checked by this validator."""
    text = definition if isinstance(definition, str) else json.dumps(definition, sort_keys=True)
    return hashlib.sha256(f"{validator_version()}\n{text}".encode()).hexdigest()[:32]


def _memo_dir() -> Path | None:
    from pipeline.config import data_subdir

    try:
        path = data_subdir("cache") / "validated"
        path.mkdir(parents=True, exist_ok=True)
        return path
    except OSError:  # DataDirectoryError is one too: an unusable data directory means no memo
        return None


def validate_once(definition: dict[str, Any]) -> None:
    """``validate_definition(definition)``, skipped when this text already passed this validator.

    Raises what ``validate_definition`` raises (``DefinitionError`` with every problem found).
    """
    memo = _memo_dir()
    marker = memo / definition_key(definition) if memo is not None else None
    if marker is not None and marker.exists():
        return
    from pipeline.local.asl.validation import validate_definition

    validate_definition(definition)
    if marker is not None:
        with contextlib.suppress(OSError):
            marker.touch()
