"""The limits that keep one hostile or oversized input from taking the app down, and their settings.

A file's size says little about what reading it costs: a 1.5 KB workbook can ask the reader
for 512 GiB, a 1.5 MB one inflate to 1.5 GB of XML, a 50 MB CSV hold 5.8 million columns, a
server dribble one byte every 2 s for ever. So every read is bounded on each axis that can
explode, and each bound is an environment variable an operator can raise (docs/SECURITY.md
lists them). A bound that is hit raises a :class:`~pipeline.errors.DataError` naming the limit
and its setting; a setting that is not a finite positive number is refused the same way,
never turned into an ``OverflowError`` deep inside a reader.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass

from pipeline.errors import DataError

_MB = 1024 * 1024

#: (environment variable, default, unit shown in messages) of each limit.
MAX_MB = ("RFM_STUDIO_MAX_MB", 300, "MB")
MAX_UNZIPPED_MB = ("RFM_STUDIO_MAX_UNZIPPED_MB", 1000, "MB")
MAX_COLUMNS = ("RFM_STUDIO_MAX_COLUMNS", 1000, "columns")
MAX_CELLS = ("RFM_STUDIO_MAX_CELLS", 20_000_000, "cells")
PARSE_MEMORY_MB = ("RFM_STUDIO_PARSE_MEMORY_MB", 2048, "MB")
PARSE_SECONDS = ("RFM_STUDIO_PARSE_SECONDS", 300, "s")
DOWNLOAD_SECONDS = ("RFM_STUDIO_DOWNLOAD_SECONDS", 180, "s")
MAX_CELL_CHARS = ("RFM_STUDIO_MAX_CELL_CHARS", 1000, "characters")

#: Every limit, in the order docs/SECURITY.md and the README list them.
ALL_SETTINGS = (
    MAX_MB,
    MAX_UNZIPPED_MB,
    MAX_COLUMNS,
    MAX_CELLS,
    PARSE_MEMORY_MB,
    PARSE_SECONDS,
    DOWNLOAD_SECONDS,
    MAX_CELL_CHARS,
)

#: The longest first line a CSV may have: no header of a transactions table comes near it.
MAX_HEADER_BYTES = _MB


def setting(spec: tuple[str, float, str]) -> float:
    """The value of one limit: its environment variable if set, else its default.

    Refuses anything but a finite number above zero ("inf", "nan", "1e400", "-5", "lots").
    """
    name, default, unit = spec
    raw = os.environ.get(name, "").strip()
    if not raw:
        return float(default)
    try:
        value = float(raw)
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or value <= 0:
        raise DataError(
            f"{name} is set to '{raw[:40]}', which is not a usable limit: set it to a positive number "
            f"({unit}), e.g. {name}={default}, or unset it for the default."
        )
    return value


@dataclass(frozen=True)
class Limits:
    """Every bound of one read, resolved from the environment once (see :func:`current_limits`)."""

    max_bytes: int
    max_unzipped_bytes: int
    max_columns: int
    max_cells: int
    parse_memory_bytes: int
    parse_seconds: float
    download_seconds: float
    max_cell_chars: int = int(MAX_CELL_CHARS[1])


def current_limits(max_bytes: int | None = None) -> Limits:
    """The limits now in force; ``max_bytes`` replaces ``RFM_STUDIO_MAX_MB`` when given."""
    return Limits(
        max_bytes=int(setting(MAX_MB) * _MB) if max_bytes is None else int(max_bytes),
        max_unzipped_bytes=int(setting(MAX_UNZIPPED_MB) * _MB),
        max_columns=int(setting(MAX_COLUMNS)),
        max_cells=int(setting(MAX_CELLS)),
        parse_memory_bytes=int(setting(PARSE_MEMORY_MB) * _MB),
        parse_seconds=setting(PARSE_SECONDS),
        download_seconds=setting(DOWNLOAD_SECONDS),
        max_cell_chars=max_cell_chars(),
    )


def max_cell_chars() -> int:
    """The most characters one cell may hold (``RFM_STUDIO_MAX_CELL_CHARS``, default 1000)."""
    return int(setting(MAX_CELL_CHARS))


def human_size(n_bytes: float) -> str:
    """``1536`` -> ``"1.5 KB"``: sizes in messages people read."""
    size = float(n_bytes)
    for unit in ("B", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    raise AssertionError("unreachable")


def over_limit(what: str, spec: tuple[str, float, str], limit_text: str) -> DataError:
    """The error for an input over one of the limits: which limit, its value and its setting."""
    name = spec[0]
    return DataError(
        f"{what}, over the limit of {limit_text}. This protects the app from files that would exhaust "
        f"its memory or time. If the file is genuine, use a smaller extract or raise the limit with "
        f"the environment variable {name}."
    )


def check_columns(count: int, what: str, limits: Limits, *, at_least: bool = False) -> None:
    """Refuse a table with more columns than ``RFM_STUDIO_MAX_COLUMNS`` (before it is parsed)."""
    if count > limits.max_columns:
        counted = f"at least {count:,}" if at_least else f"{count:,}"
        raise over_limit(f"{what} has {counted} columns", MAX_COLUMNS, f"{limits.max_columns:,} columns")


def check_unzipped(size: int, what: str, limits: Limits) -> None:
    """Refuse compressed content that expands past ``RFM_STUDIO_MAX_UNZIPPED_MB``."""
    if size > limits.max_unzipped_bytes:
        raise over_limit(
            f"{what} expands to {human_size(size)} when uncompressed",
            MAX_UNZIPPED_MB,
            human_size(limits.max_unzipped_bytes),
        )


def check_csv_header(data: bytes, name: str, limits: Limits) -> None:
    """Refuse a CSV whose first line names too many columns or is absurdly long.

    Checked on the raw bytes before any parser sees them (a 50 MB header of 5.8 million
    columns kept pandas busy for minutes and 6 GB). Only the first megabyte of the line is
    looked at. The count is an upper bound: a separator inside a quoted header cell counts
    too, which only matters past the limit.
    """
    start = len(data) - len(data.lstrip(b"\xef\xbb\xbf \t\r\n"))
    end = data.find(b"\n", start, start + MAX_HEADER_BYTES + 1)
    header = data[start : end if end >= 0 else start + MAX_HEADER_BYTES + 1]
    # The separator the reader will pick is the most frequent of these; count that one.
    separators = max(header.count(b","), header.count(b";"), header.count(b"\t"))
    longer = end < 0 and len(data) - start > MAX_HEADER_BYTES
    check_columns(separators + 1, f"The header of '{name}'", limits, at_least=longer)
    if longer:
        raise DataError(
            f"The first line of '{name}' is over {human_size(MAX_HEADER_BYTES)} long: that is no header of "
            "a transactions table. Check that this is the right file (a CSV export of Online Retail)."
        )
