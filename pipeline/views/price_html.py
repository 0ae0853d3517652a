"""The Prices page's RMSE by split as plain HTML bars against the threshold (issue 10).

Errors is the view the page opens on, drawn again on every switch to another run; its RMSE chart
(``price_charts.rmse_chart``, which the run report keeps) was a Plotly chart mounted anew each
time. Here it is ``bar_rows``: a bar a split with its RMSE written after it, the threshold a
dashed line across them, so which split passed reads at a glance.
"""

from __future__ import annotations

import math
from typing import Any

from pipeline.views.bar_rows import Bar, BarRow, Marker, bar_rows_html, figure
from pipeline.views.price_charts import SPLIT_COLOURS, SPLITS

#: The threshold's line, as the report's chart draws it.
THRESHOLD_COLOUR = "#d73027"


def rmse_html(scores: dict[str, Any], title: str = "RMSE by split against the threshold") -> str:
    """The RMSE of each split the scores have (train, validation, test) as bars, the threshold a
    dashed line: the workflow's Choice compared the validation RMSE with it."""
    rows = []
    spoken = []
    for (label, key), colour in zip(SPLITS, SPLIT_COLOURS, strict=True):
        value = figure(scores.get(key))
        if math.isnan(value):
            continue
        tip = f"{label} RMSE {value:,.4g}"
        tip += " (the Choice compared this one with the threshold)" if key == "validation_rmse" else ""
        rows.append(BarRow(label, (Bar(value, colour, f"{value:,.2f}", key),), tip))
        spoken.append(f"{label.lower()} {value:,.2f}")
    if not rows:
        return ""
    threshold = figure(scores.get("rmse_threshold"))
    marker = None
    if not math.isnan(threshold):
        marker = Marker(threshold, f"threshold {threshold:g}", THRESHOLD_COLOUR)
    against = "" if marker is None else f" against the threshold {threshold:g}"
    alt = f"RMSE by split{against}: " + ", ".join(spoken) + "."
    return bar_rows_html(title, rows, alt=alt, marker=marker)
