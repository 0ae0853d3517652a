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

import html
from collections.abc import Iterable
from typing import Any

import pandas as pd

_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;"})


def plain_text(value: Any) -> str:
    """``value`` as a string plotly shows literally (no tags, no entities, no links)."""
    return str(value).translate(_ESCAPES)


def html_text(value: Any) -> str:
    """``value`` as text for the app's own HTML (``st.html``: the timeline, the bars, the profiles
    table, the treemap), which can never become markup, in an element or in a quoted attribute
    (quotes are escaped too, which :func:`plain_text` leaves for plotly's labels)."""
    return html.escape(str(value), quote=True)


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


#: The longest tick label taken from data: the loaders accept a country of up to 1,000 characters
#: (RFM_STUDIO_MAX_CELL_CHARS), and Plotly gives its tick labels the room they need, so one long
#: name squeezed the bars of a 450 px chart into a sliver.
AXIS_LABEL_CHARS = 32
#: The longest hover text taken from data (a hover box wider than the chart leaves the window).
HOVER_TEXT_CHARS = 120


def short_text(value: Any, limit: int) -> str:
    """``value`` as plain text of at most ``limit`` characters, cut with "…" (cut before escaping,
    so no entity is cut in half)."""
    return plain_text(_cut(str(value), limit))


def _cut(text: str, limit: int) -> str:
    """``text`` itself, or its first characters and "…" in ``limit`` characters at most."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def axis_labels(values: Iterable[Any], limit: int = AXIS_LABEL_CHARS) -> list[str]:
    """Plain tick labels of at most ``limit`` characters, still distinct: Plotly draws one bar a
    distinct label, so two long names cut alike would have become one bar. A cut label that meets
    another gets a number: "Very long country n…", "Very long country… (2)"."""
    labels: list[str] = []
    seen: set[str] = set()
    for value in values:
        text = str(value)
        label = _cut(text, limit)
        number = 2
        while label in seen:
            suffix = f"… ({number})"
            label = text[: max(limit - len(suffix), 1)].rstrip() + suffix
            number += 1
        seen.add(label)
        labels.append(plain_text(label))
    return labels


def seconds_text(seconds: float) -> str:
    """A step's time as the graph's tooltip and the step panel both say it: tenths of a second,
    milliseconds under a tenth (a 3 ms state read "0.0 s" in the panel and "3 ms" on its box)."""
    return f"{seconds:.1f} s" if seconds >= 0.1 else f"{seconds * 1000:.0f} ms"
