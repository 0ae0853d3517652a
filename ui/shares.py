"""Shares in Streamlit's grids as percent points with one decimal: "50.0%" beside "12.5%".

Streamlit's ``format="percent"`` (of ``NumberColumn`` and ``ProgressColumn``) drops trailing
zeros: a share of 0.5 reads "50%" beside "12.5%" and "3.33%", a column whose figures neither line
up nor have the same precision. A grid shows a share (0-1) as percent points instead, x 100, in
``PERCENT_POINTS``; the data the pages keep and download stays in shares.
"""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd
import streamlit as st

#: ``printf`` format of a share in percent points (``in_percent_points``): one decimal, then "%".
PERCENT_POINTS = "%.1f%%"


def in_percent_points(frame: pd.DataFrame, columns: Iterable[str]) -> pd.DataFrame:
    """A copy of ``frame`` with its share ``columns`` (0-1) in percent points (0-100)."""
    shown = frame.copy()
    for column in columns:
        shown[column] = shown[column] * 100
    return shown


def share_column(label: str | None = None) -> object:
    """A grid column of shares in percent points (``in_percent_points``)."""
    return st.column_config.NumberColumn(label, format=PERCENT_POINTS)


def share_bar(label: str | None = None) -> object:
    """A grid column of shares in percent points drawn as bars from 0 to 100."""
    return st.column_config.ProgressColumn(label, format=PERCENT_POINTS, min_value=0.0, max_value=100.0)
