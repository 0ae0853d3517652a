"""Text from data, made plain for plotly.

Plotly renders a subset of HTML in every label, title, legend entry, hover text and tick: a
Country value of ``<a href="https://evil.example">UK</a>`` became a live link inside a chart,
and ``<b>``, ``<br>`` or ``<span style=...>`` restyle it. Escaping ``&``, ``<`` and ``>`` as
HTML entities makes plotly draw the characters themselves (it decodes the entities when it
draws), so a label shows exactly what the data holds and nothing more. Every builder in
:mod:`pipeline.views` passes text that comes from data (countries, segment and cluster names,
customer IDs, run labels, step names) through :func:`plain_text`.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pandas as pd

_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;"})


def plain_text(value: Any) -> str:
    """``value`` as a string plotly shows literally (no tags, no entities, no links)."""
    return str(value).translate(_ESCAPES)


def plain_texts(values: Iterable[Any]) -> list[str]:
    """:func:`plain_text` of each value."""
    return [plain_text(value) for value in values]


def plain_columns(frame: pd.DataFrame, columns: Iterable[str]) -> pd.DataFrame:
    """A copy of ``frame`` with the named text columns made plain (missing values stay missing)."""
    out = frame.copy()
    for column in columns:
        if column in out.columns:
            out[column] = out[column].astype("object").map(plain_text, na_action="ignore")
    return out
