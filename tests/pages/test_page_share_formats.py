"""Shares in the app's grids read in percent points with one decimal ("50.0%" beside "12.5%").

Streamlit's ``format="percent"`` drops trailing zeros ("50%" beside "12.5%" and "3.33%"); every
grid of shares goes through ``ui.shares`` instead. The Prices, Segments and Clusters grids are
checked on their pages; here the step panel's grid (a step table too long for HTML) and the
helpers themselves.
"""

from __future__ import annotations

import json

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from ui import shares


def long_step_table() -> None:
    import pandas as pd

    from pipeline.views.step_html import StepTable
    from ui.step_panel import STATIC_TABLE_ROWS, _draw_tables

    rows = STATIC_TABLE_ROWS + 5  # too long for HTML: a grid
    counts = pd.Series(range(1, rows + 1), dtype="float64")
    frame = pd.DataFrame({"Cluster": range(rows), "Customer share": counts / counts.sum()})
    _draw_tables("", (StepTable("Clusters", frame, ("Customer share",)),))


def test_a_long_step_table_shows_its_shares_in_percent_points():
    at = AppTest.from_function(long_step_table).run()

    assert not at.exception
    [grid] = at.dataframe
    assert grid.value["Customer share"].sum() == pytest.approx(100.0)
    assert grid.value["Customer share"].iloc[-1] == pytest.approx(100 * 30 / sum(range(1, 31)))
    column = json.loads(grid.proto.columns)["Customer share"]
    assert column["type_config"]["format"] == shares.PERCENT_POINTS == "%.1f%%"


def test_percent_points_leave_the_shares_kept_by_the_page_as_they_were():
    kept = pd.DataFrame({"Segment": ["A", "B"], "Share": [0.5, 0.125]})

    shown = shares.in_percent_points(kept, ["Share"])

    assert shown["Share"].tolist() == [50.0, 12.5]
    assert kept["Share"].tolist() == [0.5, 0.125]  # a cached frame is not changed under the cache
    assert shown["Segment"].tolist() == ["A", "B"]
