"""The Prices page's figure builders, on predictions made from the real UCI sample's lines.

The "model" here is each StockCode's median price (plain pandas), so the errors are those of a
real if simple predictor; the expected figures come from pandas and numpy, not the builders.
"""

from __future__ import annotations

import html
import re

import numpy as np
import pandas as pd
import pytest
from support.figure_support import values

from pipeline.views import price_charts, price_html
from pipeline.views.bar_rows import BAR_ROOM


@pytest.fixture(scope="module")
def predictions(sample_clean) -> pd.DataFrame:
    clean, _ = sample_clean
    lines = clean[["StockCode", "Description", "Quantity", "CustomerID", "Country", "UnitPrice"]].reset_index(
        drop=True
    )
    predicted = lines.groupby("StockCode", observed=True)["UnitPrice"].transform("median").astype("float64")
    predicted.iloc[:3] = [-0.5, 0.0, -2.0]  # XGBoost can predict at or below zero
    return lines.assign(Predicted=predicted, Error=predicted - lines["UnitPrice"])


def test_predicted_against_actual_counts_every_test_line_in_log_cells(predictions):
    figure = price_charts.predicted_vs_actual(predictions).to_plotly_json()

    assert figure["layout"]["xaxis"]["type"] == "log" and figure["layout"]["yaxis"]["type"] == "log"
    density = figure["data"][0]
    assert density["type"] == "heatmap"
    edges = np.array(values(density["x"]))
    assert len(edges) == price_charts.DENSITY_BINS + 1 and values(density["y"]) == values(density["x"])
    counts = np.array(values(density["customdata"])).reshape(price_charts.DENSITY_BINS, -1)
    assert counts.sum() == len(predictions) - 3  # every line but the 3 at or below 0, none sampled
    # The busiest cell holds the lines whose actual and predicted prices fall between its edges
    # (rows are predicted, columns actual), counted here with pandas.
    row, column = np.unravel_index(counts.argmax(), counts.shape)
    inside = predictions["UnitPrice"].between(edges[column], edges[column + 1]) & predictions[
        "Predicted"
    ].between(edges[row], edges[row + 1])
    assert counts[row, column] == inside.sum() > 100
    assert figure["layout"]["title"]["subtitle"]["text"] == (
        f"{len(predictions) - 3:,} test lines by how many fall in each cell; "
        "3 predicted at or below 0 not drawn"
    )
    diagonal = figure["data"][1]
    assert values(diagonal["x"]) == values(diagonal["y"]) == [edges[0], edges[-1]]


def test_the_largest_misses_are_marked_as_points_named_in_their_hover(predictions):
    figure = price_charts.predicted_vs_actual(predictions, marked=20).to_plotly_json()

    marked = figure["data"][2]
    worst = predictions[predictions["Predicted"] > 0].assign(Miss=lambda frame: frame["Error"].abs())
    worst = worst.sort_values("Miss", ascending=False).head(20)
    assert marked["name"] == "the 20 largest misses drawn"
    assert sorted(values(marked["x"])) == pytest.approx(sorted(worst["UnitPrice"]))
    assert sorted(values(marked["y"])) == pytest.approx(sorted(worst["Predicted"]))
    first = worst.iloc[0]
    assert f"{first['StockCode']} · {first['Description']}" in marked["text"]


def test_hover_text_from_the_data_is_escaped_for_plotly(predictions):
    hostile = predictions.head(5).assign(Description='<a href="https://evil.example">MUG</a>')

    figure = price_charts.predicted_vs_actual(hostile).to_plotly_json()

    assert all("<a" not in text and "&lt;a href" in text for text in figure["data"][2]["text"])


def test_a_run_at_one_price_or_with_nothing_to_place_still_draws(predictions):
    one_price = predictions.head(50).assign(UnitPrice=2.5, Predicted=2.5, Error=0.0)
    nothing = predictions.head(3)  # the three predicted at or below 0

    counts = np.array(
        values(price_charts.predicted_vs_actual(one_price).to_plotly_json()["data"][0]["customdata"])
    )
    empty = price_charts.predicted_vs_actual(nothing).to_plotly_json()

    assert counts.sum() == 50 and (counts > 0).sum() == 1
    assert empty["data"] == []
    assert empty["layout"]["title"]["subtitle"]["text"] == (
        "No test line has an actual and a predicted price above 0 to place on log axes; "
        "3 predicted at or below 0 not drawn"
    )


def test_the_residual_histogram_spans_the_middle_of_the_errors_and_counts_the_tails(predictions):
    errors = predictions["Error"].to_numpy()
    low, high = np.quantile(errors, price_charts.RESIDUAL_SPAN)
    inside = ((errors >= low) & (errors <= high)).sum()

    figure = price_charts.residual_histogram(predictions).to_plotly_json()

    bars = figure["data"][0]
    assert bars["type"] == "bar" and len(values(bars["x"])) == price_charts.RESIDUAL_BINS  # binned here
    assert sum(values(bars["y"])) == inside  # every error inside the span counted once
    edges = np.array(values(bars["customdata"])).reshape(-1, 2)  # each bar's range, in its hover
    assert edges[0, 0] == pytest.approx(low) and edges[-1, 1] == pytest.approx(high)
    assert edges[1:, 0] == pytest.approx(edges[:-1, 1])  # bars side by side, none left out
    assert (edges[:, 0] < np.array(values(bars["x"]))).all() and (
        np.array(values(bars["x"])) < edges[:, 1]
    ).all()
    assert f"{len(errors) - inside:,} beyond" in figure["layout"]["title"]["subtitle"]["text"]


def test_the_rmse_chart_draws_each_split_and_the_threshold_line():
    scores = {"train_rmse": 2.9, "validation_rmse": 26.1, "test_rmse": 3.0, "rmse_threshold": 30.0}

    figure = price_charts.rmse_chart(scores).to_plotly_json()

    assert values(figure["data"][0]["x"]) == ["Train", "Validation", "Test"]
    assert values(figure["data"][0]["y"]) == [2.9, 26.1, 3.0]
    assert [shape["y0"] for shape in figure["layout"]["shapes"]] == [30.0]
    assert figure["layout"]["yaxis"]["range"][1] > 30.0  # the threshold is in view


def test_importance_bars_put_the_largest_gain_on_top_with_escaped_names():
    importance = pd.DataFrame(
        {
            "Feature": ["StockCode", "<b>Quantity</b>", "CustomerID"],
            "Gain": [90.0, 8.0, 2.0],
            "Share": [0.9, 0.08, 0.02],
        }
    )

    bars = price_charts.importance_chart(importance).to_plotly_json()["data"][0]

    assert values(bars["y"]) == ["CustomerID", "&lt;b&gt;Quantity&lt;/b&gt;", "StockCode"]  # drawn bottom-up
    assert values(bars["x"]) == [2.0, 8.0, 90.0]


def test_largest_errors_are_the_stock_codes_with_the_largest_squared_error_share():
    table = pd.DataFrame(
        {
            "StockCode": ["A", "B", "C"],
            "Description": ["a", "b", "c"],
            "Lines": [3, 1, 2],
            "RMSE": [1.0, 9.0, 4.0],
            "SquaredErrorShare": [0.05, 0.75, 0.20],
        }
    )

    largest = price_charts.largest_errors(table, n=2)

    assert largest["StockCode"].tolist() == ["B", "C"]


def test_the_rmse_bars_write_each_splits_rmse_and_mark_the_threshold():
    scores = {"train_rmse": 2.9, "validation_rmse": 26.1, "test_rmse": 3.0, "rmse_threshold": 30.0}

    body = price_html.rmse_html(scores)

    assert re.findall(r'class="br-name">([^<]*)<', body) == ["Train", "Validation", "Test"]
    assert re.findall(r'class="br-figure"[^>]*>([^<]*)<', body) == ["2.90", "26.10", "3.00"]
    # Lengths against the threshold, the largest figure here: it takes BAR_ROOM percent of a track.
    widths = [float(width) for width in re.findall(r'class="br-bar" style="width:([\d.]+)%', body)]
    assert widths == pytest.approx([value / 30.0 * BAR_ROOM for value in (2.9, 26.1, 3.0)], abs=1e-3)
    markers = re.findall(r'class="br-marker" style="left:([\d.]+)%', body)
    assert [float(left) for left in markers] == pytest.approx([BAR_ROOM] * 3)  # a line across each row
    assert ">threshold 30<" in body
    # The line at 72% would strike through "26.10" written after its bar (ending at 62.6%): the
    # figure goes inside the bar, in a colour legible on it; the others stay after their bars.
    places = re.findall(r'class="br-figure" style="([^"]*)"', body)
    assert places[1].startswith("right:calc(") and "color:" in places[1]
    assert places[0].startswith("left:calc(") and places[2].startswith("left:calc(")
    spoken = "RMSE by split against the threshold 30: train 2.90, validation 26.10, test 3.00."
    assert f'aria-label="{spoken}"' in body


def test_rmse_bars_leave_out_a_split_without_a_score_and_need_no_threshold():
    body = price_html.rmse_html({"train_rmse": 4.0, "validation_rmse": "n/a", "test_rmse": 2.0})

    assert re.findall(r'class="br-name">([^<]*)<', body) == ["Train", "Test"]
    assert "br-marker" not in body.split("</style>", 1)[1]
    widths = [float(width) for width in re.findall(r'class="br-bar" style="width:([\d.]+)%', body)]
    assert widths == pytest.approx([BAR_ROOM, BAR_ROOM / 2])
    assert price_html.rmse_html({}) == ""


def test_a_threshold_far_above_every_rmse_is_named_off_the_scale_not_drawn_to_it():
    """Drawn to a threshold of 1,000, RMSEs of 2.6 to 59 were slivers of 1 to 7 px (a review)."""
    scores = {"train_rmse": 2.57, "validation_rmse": 58.76, "test_rmse": 3.39, "rmse_threshold": 1000.0}

    body = price_html.rmse_html(scores)

    widths = [float(width) for width in re.findall(r'class="br-bar" style="width:([\d.]+)%', body)]
    assert widths == pytest.approx([value / 58.76 * BAR_ROOM for value in (2.57, 58.76, 3.39)], abs=1e-3)
    assert 'class="br-marker"' not in body  # no line: it would be off the track
    assert ">threshold 1000 →<" in body
    assert "against the threshold 1000:" in body  # screen readers still hear it


def cells(body: str) -> list[tuple[float, float, int]]:
    """The density's cells as (left %, bottom %, test lines), from their style and tooltip."""
    found = re.findall(
        r'class="dn-c" style="left:([\d.]+)%;bottom:([\d.]+)%;[^"]*" title="[^"]*: ([\d,]+) test line', body
    )
    return [(float(left), float(bottom), int(count.replace(",", ""))) for left, bottom, count in found]


def test_the_density_as_html_places_every_cell_and_counts_every_line(predictions):
    density = price_charts.price_density(predictions)

    body = price_html.density_html(density)

    drawn = cells(body)
    assert sum(count for *_, count in drawn) == len(predictions) - 3
    assert len(drawn) == (density.counts > 0).sum()
    # The busiest cell is where the counts put it: column (actual) from the left, row (predicted)
    # from the bottom, each 100 / DENSITY_BINS percent.
    left, bottom, count = max(drawn, key=lambda cell: cell[2])
    row, column = np.unravel_index(density.counts.argmax(), density.counts.shape)
    side = 100 / price_charts.DENSITY_BINS
    assert (left, bottom, count) == (
        pytest.approx(column * side, abs=1e-3),
        pytest.approx(row * side, abs=1e-3),
        density.counts.max(),
    )
    # A decade's tick sits where its log price is along the axis.
    low, high = density.edges[0], density.edges[-1]
    at = float(re.search(r'<div class="dn-xticks">.*?<span style="left:([\d.]+)%">1</span>', body).group(1))
    assert at == pytest.approx((0 - low) / (high - low) * 100, abs=1e-3)
    assert (
        f"{len(predictions) - 3:,} test lines by how many fall in each cell; 3 predicted at or below 0"
        in body
    )


def test_the_density_marks_the_largest_misses_where_they_fall(predictions):
    density = price_charts.price_density(predictions, marked=5)

    body = price_html.density_html(density)

    dots = re.findall(r'class="dn-m" style="left:([\d.]+)%;bottom:([\d.]+)%" title="([^"]*)"', body)
    worst = predictions.loc[predictions["Predicted"] > 0, "Error"].abs().nlargest(5).index
    assert len(dots) == 5
    low, high = density.edges[0], density.edges[-1]
    for (left, bottom, tip), line in zip(dots, worst, strict=True):
        actual, predicted = predictions.loc[line, ["UnitPrice", "Predicted"]]
        assert float(left) == pytest.approx((np.log10(actual) - low) / (high - low) * 100, abs=1e-3)
        assert float(bottom) == pytest.approx((np.log10(predicted) - low) / (high - low) * 100, abs=1e-3)
        assert html.unescape(tip).startswith(f"{predictions.loc[line, 'StockCode']} · ")
    assert "the 5 largest misses drawn" in body


def test_text_from_the_data_stays_text_in_the_density(predictions):
    hostile = predictions.head(40).assign(
        Description='"><img src=x onerror=alert(1)><b>MUG</b>', StockCode="<script>x</script>"
    )

    body = price_html.density_html(price_charts.price_density(hostile))

    assert "<img" not in body and "<script" not in body and "<b>" not in body
    assert "&lt;img src=x onerror=alert(1)&gt;" in body and "&amp;lt;" not in body  # escaped once
    assert re.search(r"<(?!/?(?:style|div|span)\b)", body) is None  # no other tag than these three


def test_the_density_of_nothing_to_place_says_so():
    nothing = pd.DataFrame(
        {"StockCode": ["A"], "Description": ["B"], "UnitPrice": [1.0], "Predicted": [-0.5], "Error": [-1.5]}
    )

    body = price_html.density_html(price_charts.price_density(nothing))

    assert (
        "dn-c" not in body.split("</style>", 1)[1]
        and "No test line has an actual and a predicted price" in body
    )
    assert "1 predicted at or below 0 not drawn" in body


def test_a_missing_stock_code_or_description_is_left_out_of_a_misses_name(predictions):
    lines = predictions.head(30).copy()
    worst = lines.loc[lines["Predicted"] > 0, "Error"].abs().idxmax()
    lines["StockCode"] = lines["StockCode"].astype(object)
    lines.loc[worst, ["StockCode", "Description"]] = [None, np.nan]

    body = price_html.density_html(price_charts.price_density(lines))

    assert "nan" not in body
    assert "The largest miss: a line without stock code or description, actual" in body
    assert price_charts.miss_name("85123A", None) == "85123A"


def test_the_extreme_lines_are_drawn_inside_the_frame(predictions):
    density = price_charts.price_density(predictions)

    body = price_html.density_html(density)

    places = [
        float(at)
        for at in re.findall(r'class="dn-m" style="left:([\d.]+)%;bottom:([\d.]+)%"', body)
        for at in at
    ]
    assert min(places) >= 100 * price_charts.DENSITY_MARGIN / (1 + 2 * price_charts.DENSITY_MARGIN) - 1e-6
    assert (
        max(places) <= 100 - 100 * price_charts.DENSITY_MARGIN / (1 + 2 * price_charts.DENSITY_MARGIN) + 1e-6
    )
