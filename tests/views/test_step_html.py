"""The Executions step panel's heading and short tables as HTML (pipeline.views.step_html)."""

from __future__ import annotations

import numpy as np
import pandas as pd
from support.page_support import html_tables

from pipeline.views.step_html import StepTable, heading_html, tables_html

MARKUP = '<img src=x onerror="alert(1)"> & </table><script>alert(2)</script>'


def test_text_from_the_run_is_escaped_in_names_headers_and_cells():
    heading = heading_html(MARKUP, f"Pass state · succeeded · {MARKUP}")
    frame = pd.DataFrame({MARKUP: [MARKUP], "Count": [3]})
    tables = tables_html([StepTable(MARKUP, frame)])

    for block in (heading, tables):
        assert "<img" not in block and "<script" not in block
    assert tables.count("<table") == 1 and tables.count("</table>") == 1  # the cell did not end it
    assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt; &amp; &lt;/table&gt;" in tables
    [(header, rows)] = html_tables(tables)  # one table, its cells whole
    assert [text for text, _ in header] == [MARKUP, "Count"]
    assert rows == [[(MARKUP, False), ("3", True)]]


def test_cells_read_as_st_table_shows_them():
    frame = pd.DataFrame(
        {
            "Stock code": ["22656", None],
            "Share of squared error": [0.43321, np.nan],
            "RMSE": [107.70623, 44.8],
            "Lines": np.array([1, 12345], dtype=np.int64),
            "Returned": [True, False],
        }
    )
    [(header, rows)] = html_tables(
        tables_html([StepTable("Largest errors", frame, ("Share of squared error",))])
    )

    # Numbers (and shares) right-aligned; booleans and text are not numbers.
    assert [number for _, number in header] == [False, True, True, True, False]
    assert [[text for text, _ in row] for row in rows] == [
        ["22656", "43.32%", "107.7062", "1", "true"],
        ["", "", "44.8000", "12345", "false"],  # a missing value is an empty cell
    ]


def test_no_table_is_no_markup():
    assert tables_html([]) == ""
