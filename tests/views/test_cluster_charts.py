"""The Clusters page's figure and table builders, on a real local run (k=4) of the UCI sample.

Expected figures come from plain pandas counts on the run's clusters table or from its
summary.json (written by the evaluate Lambda), never from the builders themselves.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from lambdas.evaluate_clusters.handler import CLUSTER_NAMES
from pipeline.analysis.cluster_compare import compare_runs
from pipeline.analysis.rfm import SEGMENTS
from pipeline.views import cluster_charts, compare_charts

REPO_ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def clusters(runs) -> pd.DataFrame:
    return runs["k4"].clusters


@pytest.fixture(scope="module")
def summary(runs) -> dict:
    return runs["k4"].summary


def test_every_name_the_evaluate_step_gives_has_its_own_colour():
    colours = [cluster_charts.cluster_color(name) for name in CLUSTER_NAMES.values()]
    assert len(set(colours)) == len(colours)


def test_a_numbered_duplicate_name_gets_a_colour_of_its_own_the_same_in_every_process():
    duplicate = "Mid-value steady #2"
    colour = cluster_charts.cluster_color(duplicate)
    assert re.fullmatch(r"#[0-9a-f]{6}", colour)
    assert colour not in {cluster_charts.cluster_color(name) for name in CLUSTER_NAMES.values()}
    # Stable across processes (a new session, a restarted server), whatever the hash seed.
    probe = f"from pipeline.views.cluster_charts import cluster_color; print(cluster_color({duplicate!r}))"
    other = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=REPO_ROOT,
        env={**os.environ, "PYTHONHASHSEED": "12345"},
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    assert other.stdout.strip() == colour


def test_a_small_run_is_not_sampled(clusters):
    assert cluster_charts.sample_customers(clusters, max_points=len(clusters)) is clusters


def test_sampling_is_deterministic(clusters):
    first = cluster_charts.sample_customers(clusters, max_points=1000)
    second = cluster_charts.sample_customers(clusters, max_points=1000)

    assert first.index.equals(second.index)
    assert first.index.is_monotonic_increasing


def test_sampling_keeps_about_the_limit_and_every_cluster_in_proportion(clusters):
    shown = cluster_charts.sample_customers(clusters, max_points=1000)
    k = clusters["Cluster"].nunique()

    assert 1000 - k <= len(shown) <= 1000 + k
    assert set(shown["Cluster"]) == set(clusters["Cluster"])
    expected = clusters["Cluster"].value_counts(normalize=True).sort_index()
    drawn = shown["Cluster"].value_counts(normalize=True).sort_index()
    assert drawn.to_numpy() == pytest.approx(expected.to_numpy(), abs=0.01)


def test_sampling_keeps_a_one_customer_cluster(clusters):
    outlier = clusters.iloc[[0]].assign(Cluster=99, ClusterName="Outlier")
    table = pd.concat([clusters, outlier], ignore_index=True)

    shown = cluster_charts.sample_customers(table, max_points=500)

    assert 99 in set(shown["Cluster"])


def test_the_scatter_draws_one_trace_a_cluster_on_log_axes(clusters, summary):
    fig = cluster_charts.rfm_scatter_3d(clusters)

    names = [trace.name for trace in fig.data]
    assert names == cluster_charts.cluster_names(summary)
    assert [trace.marker.color for trace in fig.data] == [cluster_charts.cluster_color(n) for n in names]
    assert fig.layout.scene.xaxis.type == fig.layout.scene.yaxis.type == fig.layout.scene.zaxis.type == "log"
    drawable = ((clusters[["Recency", "Frequency", "Monetary"]] > 0).all(axis=1)).sum()
    assert sum(len(trace.x) for trace in fig.data) == drawable
    # Each point's hover names its customer, segment and country, the cluster's own customers.
    first = fig.data[0]
    assert "CustomerID=%{customdata[0]}" in first.hovertemplate and first.hovertemplate.startswith(
        f"Cluster={first.name}<br>"
    )
    own = clusters[
        (clusters["ClusterName"] == first.name)
        & (clusters[["Recency", "Frequency", "Monetary"]] > 0).all(axis=1)
    ]
    assert sorted(row[0] for row in first.customdata) == sorted(own["CustomerID"])
    assert {row[2] for row in first.customdata} <= set(clusters["Country"])


def test_the_scatter_subtitle_says_when_only_a_sample_is_drawn(clusters):
    shown = cluster_charts.sample_customers(clusters, max_points=800)

    title = cluster_charts.rfm_scatter_3d(shown, total=len(clusters)).layout.title

    assert f"of {len(clusters):,} customers" in title.subtitle.text
    assert "sample" not in str(cluster_charts.rfm_scatter_3d(clusters).layout.title)


def test_the_size_bars_are_each_clusters_share_of_customers_and_revenue(clusters, summary):
    fig = cluster_charts.cluster_sizes(summary)

    customers, revenue = fig.data
    counts = clusters.groupby("ClusterName")["CustomerID"].size() / len(clusters)
    money = clusters.groupby("ClusterName")["Monetary"].sum() / clusters["Monetary"].sum()
    assert customers.orientation == revenue.orientation == "h"  # names read as written
    assert list(customers.x) == pytest.approx(counts.loc[list(customers.y)].to_list())
    assert list(revenue.x) == pytest.approx(money.loc[list(revenue.y)].to_list())
    # The legend hangs from the chart's bottom edge, a margin's room below the x-axis labels (at
    # 12% of a two-cluster plot's height below it, it covered "0%" and "20%" in chromium).
    assert fig.layout.legend.yref == "container" and fig.layout.legend.y == 0
    assert fig.layout.margin.b == cluster_charts.legend_room() >= 56


def test_the_profile_heatmap_puts_the_most_recent_buyers_lowest_on_recency(clusters, summary):
    fig = cluster_charts.cluster_profiles(summary)

    heatmap = fig.data[0]
    z = np.asarray(heatmap.z)
    assert z.shape == (summary["clusters_found"], 3)
    most_recent = clusters.groupby("ClusterName")["Recency"].mean().idxmin()
    assert list(heatmap.y)[int(np.argmin(z[:, 0]))] == most_recent
    assert heatmap.zmid == 0 and heatmap.zmin == -heatmap.zmax


def test_the_segment_crosstab_counts_each_customer_once(clusters):
    table = cluster_charts.segment_crosstab(clusters)

    assert int(table.to_numpy().sum()) == len(clusters)
    assert table.sum(axis=1).to_dict() == clusters["ClusterName"].value_counts().to_dict()
    assert list(table.columns) == [s for s in SEGMENTS if s in set(clusters["Segment"])]


def test_the_normalised_segment_crosstab_rows_sum_to_one(clusters):
    table = cluster_charts.segment_crosstab(clusters, normalise=True)

    assert table.sum(axis=1).to_numpy() == pytest.approx(1.0)


def test_the_segment_heatmap_draws_the_crosstab(clusters):
    fig = cluster_charts.cluster_segment_heatmap(clusters)

    assert np.asarray(fig.data[0].z).sum() == len(clusters)
    assert "share" in cluster_charts.cluster_segment_heatmap(clusters, normalise=True).layout.title.text


def test_searching_a_country_finds_exactly_its_customers(clusters):
    found = cluster_charts.filter_customers(clusters, "  FRANCE ")

    assert len(found) > 0
    assert (
        found["CustomerID"].tolist() == clusters.loc[clusters["Country"] == "France", "CustomerID"].tolist()
    )


def test_searching_a_customer_id_finds_that_customer(clusters):
    customer = int(clusters["CustomerID"].iloc[17])

    found = cluster_charts.filter_customers(clusters, str(customer))

    assert customer in set(found["CustomerID"])
    assert found["CustomerID"].astype(str).str.contains(str(customer)).all()


def test_search_text_is_plain_text_not_a_pattern(clusters):
    assert cluster_charts.filter_customers(clusters, "(.*").empty


def test_choosing_clusters_keeps_only_their_customers(clusters, summary):
    name = cluster_charts.cluster_names(summary)[0]

    found = cluster_charts.filter_customers(clusters, "", [name])

    assert len(found) == int((clusters["ClusterName"] == name).sum())


def test_an_empty_search_keeps_every_customer(clusters):
    assert len(cluster_charts.filter_customers(clusters, "")) == len(clusters)


def test_the_movement_sankey_carries_every_shared_customer(runs):
    comparison = compare_runs(runs["k3"].clusters, runs["k4"].clusters)

    sankey = compare_charts.movement_sankey(comparison.moves)

    assert sum(sankey.data[0].link.value) == comparison.shared
    assert len(sankey.data[0].node.label) == 3 + 4


def test_the_movement_sankey_stacks_each_run_in_the_moves_tables_order(runs):
    # Plotly orders a Sankey's nodes itself (to cross fewer links) unless they are placed: the
    # diagram then listed run A's clusters in another order than the moves table beside it.
    comparison = compare_runs(runs["k3"].clusters, runs["k4"].clusters)
    moves = comparison.moves

    node = compare_charts.movement_sankey(moves).data[0].node

    left, right = len(moves.index), len(moves.columns)
    names = [f"A: {name}" for name in moves.index] + [f"B: {name}" for name in moves.columns]
    assert list(node.label) == names
    assert set(node.x[:left]) == {0.01} and set(node.x[left:]) == {0.99}  # 0 reads as "not placed"
    for ys in (list(node.y[:left]), list(node.y[left:])):
        assert ys == sorted(ys) and len(set(ys)) == len(ys)  # top to bottom in the table's order
        assert all(0 < y < 1 for y in ys)
    # Each node's centre leaves room for the nodes above it, as tall as their customers.
    rows = moves.sum(axis=1).tolist()
    gaps = [b - a for a, b in zip(node.y[:left], node.y[1:left], strict=False)]
    halves = [(rows[i] + rows[i + 1]) / 2 / sum(rows) for i in range(left - 1)]
    assert gaps == pytest.approx([h * (1 - 0.04 * (left - 1)) + 0.04 for h in halves])
    assert right == 4


def test_cluster_colours_are_clearly_distinct_with_a_single_green():
    from pipeline.views.cluster_charts import NAME_COLORS

    def rgb(colour: str) -> tuple[int, ...]:
        return tuple(int(colour[i : i + 2], 16) for i in (1, 3, 5))

    colours = [rgb(c) for c in NAME_COLORS.values()]
    closest = min(
        sum((a - b) ** 2 for a, b in zip(x, y, strict=True)) ** 0.5
        for i, x in enumerate(colours)
        for y in colours[i + 1 :]
    )
    assert closest > 60  # no two clusters look alike (the old palette had two greens 80 apart in green only)
    greens = [c for c in colours if c[1] > c[0] + 40 and c[1] > c[2] + 40]
    assert len(greens) == 1
