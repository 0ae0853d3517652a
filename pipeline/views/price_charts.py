"""Figures of the price-regression results page: pure functions of a run's results, no Streamlit.

Inputs are what ``pipeline.workflows.price_regression.results`` reads: the predictions (one row
a held-out test line: StockCode, Description, Quantity, CustomerID, Country, UnitPrice,
Predicted, Error = predicted - actual), the scores written by "Score predictions" and the
model's total-gain importance (``model_file.feature_importance``). Prices span four orders of
magnitude (0.04 to 1,000+), so predicted against actual uses log axes, as a density of every
line binned here (a scatter of them was a WebGL scene). Text from the data (stock codes,
descriptions, feature names) goes through :func:`pipeline.views.text.plain_text` first.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from pipeline.views.style import MARGINS, top_margin
from pipeline.views.text import plain_texts

#: Bins of each log axis of the predicted-vs-actual density.
DENSITY_BINS = 60
#: The share of the prices' log range added at each end of the density's axes.
DENSITY_MARGIN = 0.03
#: The test lines with the largest misses that density marks as points, each named in its hover.
MARKED_MISSES = 100
#: The density's colours, light to dark by the log of the count (an empty cell is left blank): the
#: lightest is still a blue, so a cell of one line shows on the white plot.
DENSITY_COLOURS = [[0.0, "#c6dbef"], [0.5, "#4292c6"], [1.0, "#08306b"]]
#: The marked misses' colour.
MISS_COLOUR = "#d73027"
#: The predicted-vs-actual chart's title, on the page and in the report.
PREDICTED_TITLE = "Predicted against actual unit price"
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


@dataclass(frozen=True)
class PriceDensity:
    """Where a run's test lines fall, predicted against actual unit price, on log axes.

    ``edges`` are the cells' bounds in log10 of the price, the same for both axes (so the line where
    predicted equals actual is the square's diagonal); ``counts[row, column]`` the lines whose
    predicted price is in row ``row`` and actual price in column ``column``; ``misses`` the lines
    with the largest misses in pounds (what the RMSE weighs), largest first; ``placed`` the lines
    counted, ``dropped`` those a log axis cannot place (a price or prediction at or below zero).
    """

    edges: np.ndarray
    counts: np.ndarray
    misses: pd.DataFrame
    placed: int
    dropped: int

    @property
    def note(self) -> str:
        """What the chart counts and leaves out, for its subtitle."""
        note = (
            f"{self.placed:,} test lines by how many fall in each cell"
            if self.placed
            else "No test line has an actual and a predicted price above 0 to place on log axes"
        )
        return note + (f"; {self.dropped:,} predicted at or below 0 not drawn" if self.dropped else "")


def price_density(
    predictions: pd.DataFrame, bins: int = DENSITY_BINS, marked: int = MARKED_MISSES
) -> PriceDensity:
    """Every test line binned into ``bins`` x ``bins`` log cells, and the ``marked`` largest misses
    (``PriceDensity``). Binned here, in numpy: the page and the report draw counts, not points."""
    actual = predictions["UnitPrice"].to_numpy("float64")
    predicted = predictions["Predicted"].to_numpy("float64")
    placed = (actual > 0) & (predicted > 0) & np.isfinite(actual) & np.isfinite(predicted)
    positive = predictions[placed]
    if not len(positive):
        return PriceDensity(np.zeros(0), np.zeros((0, 0), "int64"), positive, 0, len(predictions))
    log_actual, log_predicted = np.log10(actual[placed]), np.log10(predicted[placed])
    low = float(min(log_actual.min(), log_predicted.min()))
    high = float(max(log_actual.max(), log_predicted.max()))
    if high - low < 1e-9:  # every line at one price: one cell a decade wide around it
        low, high = low - 0.5, high + 0.5
    # A margin of DENSITY_MARGIN of the range at both ends: the lines that set the range are
    # drawn inside the frame, not centred on it.
    margin = (high - low) * DENSITY_MARGIN
    edges = np.linspace(low - margin, high + margin, bins + 1)
    counts, _, _ = np.histogram2d(log_predicted, log_actual, bins=[edges, edges])
    misses = positive.loc[positive["Error"].abs().nlargest(marked).index] if marked else positive.head(0)
    return PriceDensity(
        edges, counts.astype("int64"), misses, len(positive), len(predictions) - len(positive)
    )


def miss_name(code: Any, description: Any) -> str:
    """A marked line's name in its hover, as the data has it (each chart escapes it its own way):
    its stock code and description, either left out when missing (never "nan")."""
    parts = [str(value) for value in (code, description) if not _missing(value) and str(value)]
    return " · ".join(parts) or "a line without stock code or description"


def miss_names(misses: pd.DataFrame) -> list[str]:
    """``miss_name`` of each line of ``misses`` (a ``PriceDensity``'s), in order."""
    descriptions = misses.get("Description", pd.Series("", index=misses.index))
    return [miss_name(code, text) for code, text in zip(misses["StockCode"], descriptions, strict=True)]


def _missing(value: Any) -> bool:
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):  # a list or an array is a value, not a missing one
        return False


def predicted_vs_actual(predictions: pd.DataFrame, marked: int = MARKED_MISSES) -> go.Figure:
    """Predicted against actual unit price on log axes, for the run report: where every test line
    falls as a density (``price_density``, one heatmap), the line where they are equal, and the
    ``marked`` largest misses as points whose hover names the product.

    A density and not a point a line: a scatter of thousands of points was a WebGL scene (and
    sampled 5,000 lines); the page draws the same density as HTML (``price_html.density_html``).
    A prediction at or below zero has no place on a log axis: those are counted in the subtitle.
    """
    density = price_density(predictions, marked=marked)
    figure = go.Figure()
    if density.placed:
        edges, counts = density.edges, density.counts
        shade = np.where(counts > 0, np.log10(np.maximum(counts, 1)), np.nan)
        decades = list(range(int(np.log10(max(counts.max(), 1))) + 1))
        figure.add_trace(
            go.Heatmap(
                x=10**edges,
                y=10**edges,
                z=shade,
                customdata=counts,
                colorscale=DENSITY_COLOURS,
                zmin=0,
                zmax=max(float(np.log10(max(counts.max(), 1))), 1.0),  # the busiest cell darkest
                colorbar={
                    "title": {"text": "lines"},
                    "tickvals": decades,
                    "ticktext": [f"{10**decade:,}" for decade in decades],
                    "thickness": 12,
                },
                hovertemplate="actual ≈ %{x:,.2f}<br>predicted ≈ %{y:,.2f}<br>"
                "%{customdata:,} test lines<extra></extra>",
                name="test lines",
            )
        )
        figure.add_trace(
            go.Scatter(
                x=[10 ** edges[0], 10 ** edges[-1]],
                y=[10 ** edges[0], 10 ** edges[-1]],
                mode="lines",
                line={"dash": "dash", "color": "#444444", "width": 1},
                name="predicted = actual",
                hoverinfo="skip",
            )
        )
        misses = density.misses
        figure.add_trace(
            go.Scatter(
                x=misses["UnitPrice"],
                y=misses["Predicted"],
                mode="markers",
                marker={"size": 6, "color": MISS_COLOUR, "line": {"width": 1, "color": "white"}},
                text=plain_texts(miss_names(misses)),
                hovertemplate="%{text}<br>actual %{x:,.2f}<br>predicted %{y:,.2f}<extra></extra>",
                name=f"the {len(misses):,} largest misses drawn",
            )
        )
    figure.update_layout(
        title={"text": PREDICTED_TITLE, "subtitle": {"text": density.note}},
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
