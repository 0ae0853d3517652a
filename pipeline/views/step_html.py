"""The Executions step panel's name, status line and short result tables as plain HTML (issue 10).

The panel is drawn again on every switch to another run. As Streamlit elements (a Markdown
heading, a caption, and a bold title and an ``st.table`` a table) it was about a fifth of the
browser's work a switch (benchmarks/README.md, round 20): each element a React component of its
own, styled and laid out anew. Here they are one block of plain HTML the browser lays out in
milliseconds, in the page's font and colours (light or dark theme: borders and the headers' grey
are mixes of the text colour), looking as ``st.table`` does: numbers right-aligned, integers as
they are, other numbers with four decimals, shares as percentages, a missing value an empty cell.

Every text from the run (state names, cell values, headers) is escaped here; ``st.html``
sanitises again. No script, no link, nothing fetched.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from pipeline.views.text import html_text


@dataclass(frozen=True)
class StepTable:
    """A short table of a step's result: its title, its values and its share columns (fractions
    of 1, shown as percentages)."""

    title: str
    frame: pd.DataFrame
    percent: tuple[str, ...] = ()


def heading_html(name: str, status_line: str) -> str:
    """The step's name as a heading and its type, status and time under it."""
    return (
        f"<style>{_STYLE}</style>"
        f'<div class="sp"><h4 class="sp-name">{html_text(name)}</h4>'
        f'<div class="sp-status">{html_text(status_line)}</div></div>'
    )


def tables_html(tables: Sequence[StepTable]) -> str:
    """Each table under its title, as ``st.table`` draws one; "" for no table."""
    if not tables:
        return ""
    return f"<style>{_STYLE}</style>" + "".join(_table(table) for table in tables)


def _table(table: StepTable) -> str:
    frame, shares = table.frame, set(table.percent)
    numeric = [column in shares or _is_number_column(frame[column]) for column in frame.columns]
    header = "".join(
        f'<th scope="col"{_NUM if is_number else ""}>{html_text(column)}</th>'
        for column, is_number in zip(frame.columns, numeric, strict=True)
    )
    rows = []
    for values in frame.itertuples(index=False, name=None):
        cells = "".join(
            f"<td{_NUM if is_number else ''}>{html_text(_cell(value, column in shares))}</td>"
            for column, value, is_number in zip(frame.columns, values, numeric, strict=True)
        )
        rows.append(f"<tr>{cells}</tr>")
    return (
        f'<div class="sp-title">{html_text(table.title)}</div><div class="sp-wrap"><table class="sp-table">'
        f"<thead><tr>{header}</tr></thead><tbody>{''.join(rows)}</tbody></table></div>"
    )


def _is_number_column(values: pd.Series) -> bool:
    """Numbers throughout (booleans are not), so the column is right-aligned."""
    return bool(pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values))


def _cell(value: Any, share: bool) -> str:
    """A cell as ``st.table`` shows it: empty when missing, an integer as it is, another number
    with four decimals, a share as a percentage with two."""
    if pd.api.types.is_scalar(value) and pd.isna(value):
        return ""
    if share:
        return f"{float(value):.2%}"
    if isinstance(value, bool | np.bool_):
        return str(bool(value)).lower()
    if isinstance(value, int | np.integer):
        return str(int(value))
    if isinstance(value, float | np.floating):
        return f"{float(value):.4f}"
    return str(value)


_NUM = ' class="num"'

#: Constants only: classes scoped by the ``sp`` prefix, sizes from the page's font, colours mixed
#: from the text colour so both themes read.
_STYLE = (
    ".sp-name{font-size:1.25rem;font-weight:600;margin:0;padding:0.5rem 0 0.25rem;line-height:1.2}"
    ".sp-status{font-size:0.875rem;color:color-mix(in srgb,currentColor 60%,transparent);"
    "margin-bottom:0.5rem}"
    ".sp-title{font-weight:600;margin:0.75rem 0 0.5rem}"
    ".sp-table{width:100%;border-collapse:collapse;font-size:0.875rem;"
    "border:1px solid color-mix(in srgb,currentColor 12%,transparent)}"
    ".sp-table th,.sp-table td{padding:0.25rem 0.375rem;text-align:left;vertical-align:top;"
    "border-bottom:1px solid color-mix(in srgb,currentColor 12%,transparent)}"
    ".sp-table th{font-weight:400;color:color-mix(in srgb,currentColor 60%,transparent)}"
    ".sp-table td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}"
    ".sp-table th.num{text-align:right}"
    # Words are never cut: a table wider than the panel (a narrow window) scrolls, as st.table's.
    ".sp-wrap{overflow-x:auto;margin-bottom:0.5rem}"
)
