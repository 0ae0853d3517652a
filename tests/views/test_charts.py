"""The figure builders of pipeline/views/charts.py draw what the real sample holds."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from pipeline.analysis.rfm import SEGMENTS, compute_rfm
from pipeline.loading.dataset import clean_transactions, load_transactions
from pipeline.views import charts


@pytest.fixture(scope="module")
def cleaned_sample(sample_xlsx):
    """The real 40k sample, cleaned (no cache: module scope runs before the private data home)."""
    dataset = load_transactions(sample_xlsx, use_cache=False)
    return clean_transactions(dataset.transactions)


@pytest.fixture(scope="module")
def clean(cleaned_sample) -> pd.DataFrame:
    return cleaned_sample[0]


@pytest.fixture(scope="module")
def report(cleaned_sample):
    return cleaned_sample[1]


@pytest.fixture(scope="module")
def rfm(clean) -> pd.DataFrame:
    return compute_rfm(clean)


def test_revenue_by_month_has_one_bar_per_calendar_month_summing_to_the_revenue(clean):
    fig = charts.revenue_by_month(clean)

    assert [trace.type for trace in fig.data] == ["bar"]
    months = pd.period_range(clean["InvoiceDate"].min(), clean["InvoiceDate"].max(), freq="M")
    assert list(fig.data[0].x) == [str(m) for m in months]
    assert sum(fig.data[0].y) == pytest.approx(float(clean["Quantity"].mul(clean["UnitPrice"]).sum()))


def test_top_countries_lists_the_largest_revenues_largest_on_top(clean):
    fig = charts.top_countries(clean, n=5)

    revenue = clean["Quantity"].mul(clean["UnitPrice"]).groupby(clean["Country"]).sum().nlargest(5)
    (bar,) = fig.data
    assert bar.type == "bar" and bar.orientation == "h"
    assert list(bar.y)[::-1] == [str(c) for c in revenue.index]  # plotly draws the last bar on top
    assert list(bar.x)[::-1] == pytest.approx(revenue.to_list())


def test_top_countries_cuts_long_names_keeping_each_country_its_own_bar(clean):
    # Two of the largest countries renamed to 1,000-character names (the cell limit) that differ
    # only at the end, one with markup: the loaders accept them, the chart must stay readable.
    prefix = "<b>Republic</b> of a very long country name " * 30
    top = clean.groupby("Country")["Revenue"].sum().nlargest(2).index
    renamed = clean.assign(
        Country=clean["Country"].replace({top[0]: (prefix + "East")[:1000], top[1]: (prefix + "West")[:990]})
    )

    (bar,) = charts.top_countries(renamed, n=5).data

    labels = list(bar.y)
    assert len(labels) == len(set(labels)) == 5  # still one bar a country
    assert all(len(label.replace("&lt;", "<").replace("&gt;", ">")) <= 32 for label in labels)
    assert labels[-1].startswith("&lt;b&gt;Republic&lt;/b&gt; of")  # cut, and still plain text
    hover = bar.hovertext[-1].replace("&lt;", "<").replace("&gt;", ">")
    assert len(hover) <= 120 and hover.endswith("…") and hover.startswith(prefix[:100])


def test_top_countries_title_counts_the_countries_drawn_in_the_right_number(clean):
    one_country = clean[clean["Country"] == "Germany"]

    assert charts.top_countries(clean, n=5).layout.title.text == "Top 5 countries by revenue"
    assert charts.top_countries(one_country, n=5).layout.title.text == "Top 1 country by revenue"


def test_cleaning_waterfall_steps_from_rows_read_down_to_rows_kept(report):
    fig = charts.cleaning_waterfall(report.rows_read, report.removed())

    (waterfall,) = fig.data
    reasons = [reason for reason, _ in report.removed()]
    assert waterfall.orientation == "h"  # the reasons read as written at any width
    assert list(waterfall.y) == ["Rows read", *reasons, "Rows kept"]
    assert list(waterfall.measure) == ["absolute", *["relative"] * len(reasons), "total"]
    assert waterfall.x[0] == report.rows_read
    assert waterfall.x[-1] == report.rows_kept
    assert sum(waterfall.x[:-1]) == report.rows_kept


def test_segment_treemap_areas_are_customers_per_segment_in_segment_order(rfm):
    fig = charts.segment_treemap(rfm, order=SEGMENTS)

    (treemap,) = fig.data
    assert treemap.type == "treemap"
    counts = rfm["Segment"].value_counts()
    assert list(treemap.labels) == [s for s in SEGMENTS if s in counts.index]
    assert list(treemap.values) == [counts[s] for s in treemap.labels]
    revenue = rfm.groupby("Segment")["Monetary"].sum()
    shares = [row[1] for row in treemap.customdata]
    assert shares == pytest.approx([revenue[s] / revenue.sum() for s in treemap.labels])


def test_segment_treemap_labels_small_segments_with_their_name_alone(rfm):
    (treemap,) = charts.segment_treemap(rfm, order=SEGMENTS).data

    shares = rfm["Segment"].value_counts(normalize=True)
    labels = dict(zip(treemap.labels, treemap.texttemplate, strict=True))
    assert {name for name, text in labels.items() if text == "%{label}"} == set(
        shares[shares < charts.COMPACT_LABEL_SHARE].index
    )
    assert {name for name, text in labels.items() if "of revenue" in text} == set(
        shares[shares >= charts.COMPACT_LABEL_SHARE].index
    )
    assert 0 < (shares < charts.COMPACT_LABEL_SHARE).sum() < len(shares)


def test_segment_treemap_says_customer_for_one_and_customers_for_more(rfm):
    two_segments = pd.concat([rfm[rfm["Segment"] == "Champions"].head(1), rfm[rfm["Segment"] == "Lost"]])
    (treemap,) = charts.segment_treemap(two_segments, order=SEGMENTS).data

    labels = dict(zip(treemap.labels, (row[2] for row in treemap.customdata), strict=True))
    assert labels["Champions"] == "1 customer"
    assert labels["Lost"] == f"{(rfm['Segment'] == 'Lost').sum():,} customers"


def test_segment_bars_show_customers_and_revenue_per_segment(rfm):
    fig = charts.segment_bars(rfm, order=SEGMENTS)

    customers, revenue = fig.data
    assert customers.type == revenue.type == "bar"
    by_segment = rfm.groupby("Segment")["Monetary"].sum()
    assert sum(customers.x) == len(rfm)
    assert dict(zip(revenue.y, revenue.x, strict=True)) == pytest.approx(by_segment.to_dict())


def test_rf_heatmap_counts_customers_in_each_r_and_f_cell(rfm):
    fig = charts.rf_heatmap(rfm)

    (heatmap,) = fig.data
    z = np.asarray(heatmap.z)
    assert z.shape == (5, 5)
    assert z.sum() == len(rfm)
    for r, f in [(5, 5), (1, 1), (3, 2)]:
        assert z[f - 1, r - 1] == ((rfm["R"] == r) & (rfm["F"] == f)).sum()


def test_rfm_distributions_put_the_skewed_frequency_and_monetary_on_a_log_axis(rfm):
    fig = charts.rfm_distributions(rfm)

    titles = [annotation.text for annotation in fig.layout.annotations]
    assert titles == ["Recency (days)", "Frequency (orders, log axis)", "Monetary (£, log axis)"]
    monetary = np.log10(rfm["Monetary"].to_numpy(dtype=float))
    centers = np.asarray(fig.data[2].x)
    assert centers.min() > monetary.min() and centers.max() < monetary.max()  # bins in log10 units


def test_rfm_distributions_are_binned_on_the_server_and_count_every_customer(rfm):
    fig = charts.rfm_distributions(rfm)

    # 40 bars a panel, whatever the number of customers: the browser gets counts, not values.
    assert [trace.type for trace in fig.data] == ["bar"] * 3
    assert [len(trace.y) for trace in fig.data] == [40, 40, 40]
    assert [int(np.sum(trace.y)) for trace in fig.data] == [len(rfm)] * 3
    recency = rfm["Recency"].to_numpy()
    first_bin = fig.data[0].customdata[0]
    assert fig.data[0].y[0] == ((recency >= first_bin[0]) & (recency < first_bin[1])).sum()


def test_rfm_distributions_say_each_bins_range_in_the_columns_unit(rfm):
    fig = charts.rfm_distributions(rfm)

    low, high = fig.data[2].customdata[0]  # Monetary, binned on a log axis: the range in pounds
    assert low == pytest.approx(rfm["Monetary"].min())
    assert high > low
    assert "£" in fig.data[2].hovertemplate and "customers" in fig.data[2].hovertemplate


def test_segment_charts_set_their_margins_instead_of_measuring_tick_labels(rfm):
    for fig in (
        charts.segment_bars(rfm, order=SEGMENTS),
        charts.rf_heatmap(rfm),
        charts.rfm_distributions(rfm),
    ):
        layout = fig.to_plotly_json()["layout"]
        axes = [value for name, value in layout.items() if name.startswith(("xaxis", "yaxis"))]
        assert axes and all(axis["automargin"] is False for axis in axes)
        assert layout["margin"]["l"] >= 60  # room for the tick labels and axis titles


def test_rfm_distributions_are_stacked_so_each_panel_gets_the_charts_full_width(rfm):
    fig = charts.rfm_distributions(rfm)

    domains = [fig.layout[f"xaxis{suffix}"].domain for suffix in ("", "2", "3")]
    assert all(tuple(domain) == (0.0, 1.0) for domain in domains)


def test_a_builder_names_the_columns_it_misses():
    with pytest.raises(ValueError, match="Revenue"):
        charts.revenue_by_month(pd.DataFrame({"InvoiceDate": pd.to_datetime(["2011-01-01"])}))
