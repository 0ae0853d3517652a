"""Clusters' Profiles and Segments views as HTML (``pipeline.views.cluster_html``), read back with an
HTML parser.

Its figures come from a real local run (k=4) of the UCI sample and are checked against plain
pandas on the run's clusters table; a hostile cluster name and a summary with holes are checked
to come out as text, with no element, attribute or link of their own, and no exception.
"""

from __future__ import annotations

import re

import pytest
from support.html_support import Parsed, style_of

from pipeline.analysis.rfm import SEGMENTS
from pipeline.views import cluster_html
from pipeline.views.bar_rows import BAR_ROOM
from pipeline.views.cluster_charts import segment_crosstab
from pipeline.views.cluster_html import profiles_html, segments_html, sizes_html
from pipeline.views.contrast import contrast
from pipeline.views.style import scale_colour


@pytest.fixture(scope="module")
def run(runs):
    """The k=4 run (``conftest.runs``)."""
    return runs["k4"]


def in_cluster_order(summary: dict) -> list[dict]:
    return sorted(summary["clusters"], key=lambda cluster: cluster["Cluster"])


def test_each_bar_writes_its_clusters_share_of_customers_and_revenue_from_the_data(run):
    clusters = run.clusters
    customers = clusters.groupby("ClusterName")["CustomerID"].size() / len(clusters)
    revenue = clusters.groupby("ClusterName")["Monetary"].sum() / clusters["Monetary"].sum()
    names = [cluster["Name"] for cluster in in_cluster_order(run.summary)]

    parsed = Parsed(sizes_html(run.summary))

    assert parsed.texts["br-name"] == names
    expected = [share for name in names for share in (customers[name], revenue[name])]
    assert parsed.texts["br-figure"] == [f"{share:.1%}" for share in expected]
    # Lengths are the shares against the largest, which takes BAR_ROOM percent of its track.
    widths = [float(style_of(bar)["width"].rstrip("%")) for bar in parsed.with_class("br-bar")]
    assert widths == pytest.approx([share / max(expected) * BAR_ROOM for share in expected], abs=1e-3)
    # Each row's tooltip adds the counts, and screen readers hear every share.
    (image,) = [attrs for tag, attrs in parsed.elements if attrs.get("role") == "img"]
    assert image["aria-label"].startswith("Cluster sizes and revenue share. ")
    first = names[0]
    assert (
        f"{first}: {customers[first]:.1%} of customers, {revenue[first]:.1%} of revenue"
        in image["aria-label"]
    )
    tips = [attrs["title"] for attrs in parsed.with_class("br-bars")]
    count = int((clusters["ClusterName"] == first).sum())
    assert tips[0].startswith(f"{first}: {customers[first]:.1%} of customers ({count:,}), ")


def test_the_profiles_table_puts_the_most_recent_buyers_lowest_on_recency(run):
    clusters = run.clusters
    ordered = in_cluster_order(run.summary)

    parsed = Parsed(profiles_html(run.summary))

    header, *body = parsed.rows
    assert header == ["Cluster", "Recency", "Frequency", "Monetary"]
    assert [row[0] for row in body] == [cluster["Name"] for cluster in ordered]
    recency = [float(row[1]) for row in body]
    most_recent = clusters.groupby("ClusterName")["Recency"].mean().idxmin()
    assert body[recency.index(min(recency))][0] == most_recent
    assert [row[1:] for row in body] == [
        [f"{cluster[column]:+.2f}" for column in ("RecencyZ", "FrequencyZ", "MonetaryZ")]
        for cluster in ordered
    ]


def test_profile_cells_are_coloured_on_a_scale_symmetric_around_the_average_and_stay_legible(run):
    parsed = Parsed(profiles_html(run.summary))
    values = [float(row[column]) for row in parsed.rows[1:] for column in (1, 2, 3)]
    colours = [style_of(cell) for cell in parsed.cells]
    limit = max(abs(value) for value in values)

    # The value furthest from the average takes the end of the scale on its side; 0 would be white-ish.
    extreme = max(range(len(values)), key=lambda index: abs(values[index]))
    end = "rgb(103, 0, 31)" if values[extreme] > 0 else "rgb(5, 48, 97)"
    assert colours[extreme]["background"] == end
    assert scale_colour(cluster_html.PROFILE_SCALE, 0.5) == "rgb(247, 247, 247)"
    assert parsed.texts["cp-limit"] == [f"{-limit:+.2f}", f"{limit:+.2f}"]  # the colour key's ends
    # Every value's text meets WCAG AA's 4.5:1 against its cell.
    assert contrast("#000000", "#ffffff") == pytest.approx(21.0)
    for cell in colours:
        assert contrast(cell["color"], cell["background"]) >= 4.5, cell


HOSTILE = '<img src=x onerror="alert(1)"><a href="https://example.com">x</a>"><script>alert(2)</script>'


def hostile_summary() -> dict:
    return {
        "clusters": [
            {
                "Cluster": 0,
                "Name": HOSTILE,
                "Customers": 10,
                "CustomerShare": 0.25,
                "Revenue": 100.0,
                "RevenueShare": 0.5,
                "RecencyZ": 0.5,
                "FrequencyZ": -1.0,
                "MonetaryZ": 0.25,
            },
            {  # a cluster whose averages and revenue the summary lacks
                "Cluster": 1,
                "Name": "Mid-value steady",
                "Customers": 30,
                "CustomerShare": 0.75,
                "RevenueShare": None,
                "RecencyZ": None,
                "FrequencyZ": float("nan"),
                "MonetaryZ": "n/a",
            },
        ]
    }


@pytest.mark.parametrize("draw", [sizes_html, profiles_html], ids=["sizes", "profiles"])
def test_a_hostile_cluster_name_is_text_and_missing_figures_show_as_a_dash(draw):
    body = draw(hostile_summary())
    parsed = Parsed(body)

    tags = {tag for tag, _ in parsed.elements}
    assert not tags & {"img", "a", "script", "iframe"}, tags
    assert all(not name.startswith("on") and name != "href" for _, attrs in parsed.elements for name in attrs)
    assert HOSTILE in "".join(text for texts in parsed.texts.values() for text in texts) + "".join(
        cell for row in parsed.rows for cell in row
    )
    assert re.search(r">\s*–\s*<", body)  # the figures the summary lacks


def test_a_summary_without_clusters_draws_nothing_and_one_without_profiles_names_its_clusters():
    assert sizes_html({}) == profiles_html({"clusters": []}) == ""
    cluster = {"Cluster": 0, "Name": "Lapsed low-value", "CustomerShare": 1.0, "RevenueShare": 1.0}
    older = {"clusters": [cluster]}  # no RecencyZ, FrequencyZ or MonetaryZ
    rows = Parsed(profiles_html(older)).rows
    assert rows == [["Cluster"], ["Lapsed low-value"]]


def segment_rows(body: str) -> list[list[str]]:
    """The segments table's rows, each cell's text stripped (the header row first)."""
    return [[cell.strip() for cell in row] for row in Parsed(body).rows]


def test_the_segments_table_counts_each_clusters_customers_in_each_segment_from_the_data(run):
    clusters = run.clusters
    body = segments_html(segment_crosstab(clusters), normalise=False)
    rows = segment_rows(body)

    names = [str(name) for name in clusters.sort_values("Cluster")["ClusterName"].drop_duplicates()]
    assert rows[0] == ["Segment", *names]  # one column a cluster, in cluster order
    segments = [row[0] for row in rows[1:]]
    assert segments == [segment for segment in SEGMENTS if segment in set(clusters["Segment"])]
    counted = clusters.groupby(["Segment", "ClusterName"], observed=True).size()
    for row in rows[1:]:
        for name, text in zip(names, row[1:], strict=True):
            assert int(text.replace(",", "")) == counted.get((row[0], name), 0), (row[0], name)
    assert "Clusters by RFM segment (customers)" in body
    # Every customer once: the columns add up to the clusters' sizes.
    sizes = clusters["ClusterName"].astype(str).value_counts()
    for index, name in enumerate(names, start=1):
        assert sum(int(row[index].replace(",", "")) for row in rows[1:]) == sizes[name]
    # the tooltips count customers in words, one customer as one
    tips = [cell["title"] for cell in Parsed(body).cells]
    assert all(re.fullmatch(r".+ / .+: [\d,]+ customers?", tip) for tip in tips), tips[:3]
    assert (cluster_html.customers(1), cluster_html.customers(1234)) == ("1 customer", "1,234 customers")


def test_the_segments_table_as_shares_adds_up_to_each_cluster_on_one_scale_and_stays_legible(run):
    clusters = run.clusters
    body = segments_html(segment_crosstab(clusters, normalise=True), normalise=True)
    parsed = Parsed(body)
    names = parsed.rows[0][1:]
    sizes = clusters["ClusterName"].astype(str).value_counts()
    counted = clusters.groupby(["Segment", "ClusterName"], observed=True).size()
    shares = []
    for row in parsed.rows[1:]:
        for name, text in zip(names, row[1:], strict=True):
            share = counted.get((row[0], name), 0) / sizes[name]
            assert text == f"{share:.1%}", (row[0], name)  # 5 of 1,026 is 0.5%, not "0%"
            shares.append(share)
    # Each cluster's column adds up to all its customers.
    tips = [cell["title"] for cell in parsed.cells]
    assert all(re.fullmatch(r".+ / .+: \d+\.\d% of the cluster", tip) for tip in tips), tips[:3]
    for name in names:
        column = [float(tip.rsplit(": ", 1)[1].split("%")[0]) for tip in tips if tip.startswith(f"{name} / ")]
        assert sum(column) == pytest.approx(100.0, abs=0.05 * len(column))
    # Shades on a scale of 0-100%, the same in every run; a cell of none is left unshaded (the
    # brightest cells on the dark theme were the empty ones); every text meets WCAG AA.
    assert parsed.texts["cp-limit"] == ["0.0%", "100.0%"]
    cells = list(zip(parsed.cells, shares, strict=True))
    assert any(share == 0 for _, share in cells) and any(share > 0 for _, share in cells)
    for cell, share in cells:
        if share == 0:
            assert cell.get("class") == "cp-zero" and "style" not in cell
            continue
        colours = style_of(cell)
        assert colours["background"] == scale_colour(cluster_html.SEGMENT_SCALE, share)
        assert contrast(colours["color"], colours["background"]) >= 4.5, cell


def test_a_hostile_cluster_name_is_text_in_the_segments_table(run):
    clusters = run.clusters.copy()
    clusters["ClusterName"] = clusters["ClusterName"].astype(str).where(clusters["Cluster"] != 0, HOSTILE)
    body = segments_html(segment_crosstab(clusters), normalise=False)
    parsed = Parsed(body)

    tags = {tag for tag, _ in parsed.elements}
    assert not tags & {"img", "a", "script", "iframe"}, tags
    assert all(not name.startswith("on") and name != "href" for _, attrs in parsed.elements for name in attrs)
    assert HOSTILE in parsed.rows[0]
    assert any(cell["title"].startswith(HOSTILE + " / ") for cell in parsed.cells)
    assert segments_html(segment_crosstab(clusters.iloc[:0]), normalise=False) == ""
