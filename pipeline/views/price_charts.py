"""Figures of the price-regression results page: pure functions of a run's results, no Streamlit.

Inputs are what ``pipeline.workflows.price_regression.results`` reads: the predictions (one row
a held-out test line: StockCode, Description, Quantity, CustomerID, Country, UnitPrice,
Predicted, Error = predicted - actual), the scores written by "Score predictions" and the
model's total-gain importance (``model_file.feature_importance``). Prices span four orders of
magnitude (0.04 to 1,000+), so predicted against actual uses log axes; the scatter draws a
fixed-seed sample so a large run stays responsive. Text from the data (stock codes,
descriptions, feature names) goes through :func:`pipeline.views.text.plain_text` first.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from pipeline.views.style import MARGINS, top_margin
from pipeline.views.text import plain_text, plain_texts

#: Most points the predicted-vs-actual scatter draws; larger runs are sampled down.
MAX_SCATTER_POINTS = 5000
#: Seed of that sample: the same run always shows the same points.
SCATTER_SEED = 0
#: Share of the errors the residual histogram spans (the tails beyond are counted, not drawn).
RESIDUAL_SPAN = (0.01, 0.99)
#: Bars of the residual histogram (equal widths over that span).
RESIDUAL_BINS = 60

_LAYOUT = MARGINS
#: The margins of a chart whose title has a note under it (a plotly subtitle: a ``<br><sup>`` note was
#: hung by its first line, so its title rose into the toolbars' strip): a line more at the top.
_NOTED_MARGIN = MARGINS["margin"] | {"t": top_margin(2)}
#: The splits the scores have an RMSE of, as (label, key), and each one's bar colour.
SPLITS = (("Train", "train_rmse"), ("Validation", "validation_rmse"), ("Test", "test_rmse"))
SPLIT_COLOURS = ("#74add1", "#4575b4", "#1a9850")


def sample_predictions(
    predictions: pd.DataFrame, limit: int = MAX_SCATTER_POINTS, seed: int = SCATTER_SEED
) -> pd.DataFrame:
    """At most ``limit`` rows of ``predictions``, a fixed-seed sample when there are more."""
    if len(predictions) <= limit:
        return predictions
    return predictions.sample(n=limit, random_state=seed)


def rmse_chart(scores: dict[str, Any]) -> go.Figure:
    """The RMSE of each split as bars against the threshold (a line): the Choice compared the
    validation bar with it."""
    present = [(label, key, colour) for (label, key), colour in zip(SPLITS, SPLIT_COLOURS, strict=True)]
    present = [split for split in present if scores.get(split[1]) is not None]
    labels = [label for label, _, _ in present]
    values = [float(scores[key]) for _, key, _ in present]
    figure = go.Figure(
        go.Bar(
            x=labels,
            y=values,
            text=[f"{value:,.2f}" for value in values],
            textposition="outside",
            marker_color=[colour for _, _, colour in present],
            name="RMSE",
        )
    )
    threshold = scores.get("rmse_threshold")
    if threshold is not None:
        figure.add_hline(
            y=float(threshold),
            line_dash="dash",
            line_color="#d73027",
            annotation_text=f"threshold {float(threshold):g}",
            annotation_position="top left",
        )
    top = max([*values, float(threshold or 0), 1.0])
    figure.update_layout(
        title="RMSE by split against the threshold",
        yaxis={"title": "RMSE (UnitPrice)", "range": [0, top * 1.15]},
        showlegend=False,
        **_LAYOUT,
    )
    return figure


def predicted_vs_actual(shown: pd.DataFrame, total: int | None = None) -> go.Figure:
    """Predicted against actual unit price on log axes, one point a test line, with the line
    where they are equal. A prediction at or below zero has no place on a log axis: those are
    counted in the title."""
    total = len(shown) if total is None else total
    positive = shown[(shown["Predicted"] > 0) & (shown["UnitPrice"] > 0)]
    dropped = len(shown) - len(positive)
    hover = [
        f"{plain_text(code)} · {plain_text(description)}"
        for code, description in zip(
            positive["StockCode"].fillna(""),
            positive.get("Description", pd.Series(dtype=str)).fillna(""),
            strict=False,
        )
    ]
    figure = go.Figure(
        go.Scattergl(
            x=positive["UnitPrice"],
            y=positive["Predicted"],
            mode="markers",
            marker={"size": 5, "opacity": 0.5, "color": "#4575b4"},
            text=hover,
            hovertemplate="%{text}<br>actual %{x:,.2f}<br>predicted %{y:,.2f}<extra></extra>",
            name="test lines",
        )
    )
    if len(positive):
        low = float(min(positive["UnitPrice"].min(), positive["Predicted"].min()))
        high = float(max(positive["UnitPrice"].max(), positive["Predicted"].max()))
        figure.add_trace(
            go.Scatter(
                x=[low, high],
                y=[low, high],
                mode="lines",
                line={"dash": "dash", "color": "#d73027"},
                name="predicted = actual",
                hoverinfo="skip",
            )
        )
    note = f"{len(positive):,} of {total:,} test lines drawn"
    note += f"; {dropped:,} predicted at or below 0 not drawn" if dropped else ""
    figure.update_layout(
        title={"text": "Predicted against actual unit price", "subtitle": {"text": note}},
        xaxis={"title": "Actual UnitPrice (log)", "type": "log", "dtick": 1},
        yaxis={"title": "Predicted UnitPrice (log)", "type": "log", "dtick": 1},
        legend={"orientation": "h", "y": -0.15},
        margin=_NOTED_MARGIN,
    )
    return figure


def residual_histogram(predictions: pd.DataFrame) -> go.Figure:
    """How far the predictions miss (predicted - actual), over the middle 98% of the errors:
    a few very expensive lines would otherwise squash the rest into one bar.

    Binned here (``RESIDUAL_BINS`` bars, each's range and count in its hover), not by Plotly.js:
    a ``go.Histogram`` sent every error (418 KB of JSON for the 39,251 test lines of the full-scale
    run, 10 KB as bars) over the websocket on each run switch, and into the HTML report; chromium
    draws both in the same ~40 ms (benchmarks/README.md, round 9, bench_price_charts_browser)."""
    errors = predictions["Error"].to_numpy("float64")
    errors = errors[np.isfinite(errors)]
    if len(errors):
        low, high = np.quantile(errors, RESIDUAL_SPAN)
        inside = errors[(errors >= low) & (errors <= high)]
    else:
        low = high = 0.0
        inside = errors
    outside = len(errors) - len(inside)
    counts, edges = np.histogram(
        inside, bins=RESIDUAL_BINS if len(inside) else 1, range=(low, high) if high > low else None
    )
    figure = go.Figure(
        go.Bar(
            x=(edges[:-1] + edges[1:]) / 2,
            y=counts,
            customdata=np.column_stack([edges[:-1], edges[1:]]),
            hovertemplate="%{customdata[0]:,.2f} to %{customdata[1]:,.2f}<br>%{y:,} test lines"
            "<extra></extra>",
            marker_color="#4575b4",
            name="test lines",
        )
    )
    figure.add_vline(x=0, line_dash="dash", line_color="#d73027")
    note = f"{outside:,} beyond {low:,.2f}..{high:,.2f} not drawn"
    figure.update_layout(
        title={"text": "Residuals, predicted - actual", "subtitle": {"text": note}},
        xaxis={"title": "Error (UnitPrice)"},
        yaxis={"title": "Test lines"},
        showlegend=False,
        bargap=0.05,
        margin=_NOTED_MARGIN,
    )
    return figure


def importance_chart(importance: pd.DataFrame) -> go.Figure:
    """Each feature's total gain (summed over the splits on it), its share on the bar, largest on top."""
    ordered = importance.iloc[::-1]
    figure = go.Figure(
        go.Bar(
            x=ordered["Gain"],
            y=plain_texts(ordered["Feature"]),
            orientation="h",
            text=[f"{share:.0%}" for share in ordered["Share"]],
            textposition="auto",
            marker_color="#1a9850",
        )
    )
    figure.update_layout(
        title="Feature importance (total gain)",
        xaxis={"title": "Gain summed over the feature's splits"},
        height=max(250, 60 * len(importance) + 100),
        **_LAYOUT,
    )
    return figure


#: The headers the Prices page gives ``largest_errors``' columns (its column_config), for the report.
LARGEST_ERRORS_HEADERS = {
    "MeanActual": "Mean actual",
    "MeanPredicted": "Mean predicted",
    "SquaredErrorShare": "Share of squared error",
}


def largest_errors(stock_codes: pd.DataFrame, n: int = 15) -> pd.DataFrame:
    """The ``n`` StockCodes whose lines weigh most in the test RMSE (largest squared-error share)."""
    columns = [
        "StockCode",
        "Description",
        "Lines",
        "MeanActual",
        "MeanPredicted",
        "MAE",
        "RMSE",
        "SquaredErrorShare",
    ]
    present = [column for column in columns if column in stock_codes.columns]
    ordered = stock_codes.sort_values("SquaredErrorShare", ascending=False, kind="stable")
    return ordered[present].head(n).reset_index(drop=True)
