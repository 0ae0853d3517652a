"""Counts in sentences: "1 row", "29,264 rows".

A file of one line, a filter that leaves one customer or one country are real cases (an upload
of a single line, a small country), and "1 rows kept" reads as a bug to the person looking at it.
"""

from __future__ import annotations


def counted(count: int, noun: str, plural: str | None = None) -> str:
    """``count`` with thousands separators and ``noun`` in the number it takes: the singular for
    exactly one, else ``plural`` (``noun + "s"`` unless given, e.g. "countries")."""
    word = noun if count == 1 else (plural if plural is not None else noun + "s")
    return f"{count:,} {word}"
