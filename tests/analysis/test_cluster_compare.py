"""Comparing two runs' clusters, on real local runs of the UCI sample.

Runs: k=3 and k=5 on all customers, a repeat of k=3, and k=3 on the United Kingdom only (a
different customer set). Expected figures come from the runs' own summary.json (written by
the evaluate Lambda) or from plain pandas counts on the clusters tables, not from the module.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from support.cluster_support import make_runs

from pipeline.analysis.cluster_compare import (
    MIN_SHARED_CUSTOMERS,
    compare_runs,
    different_data,
    sizes_side_by_side,
)
from pipeline.backends.datasets import data_key, dataset_uri
from pipeline.hashing import content_hash
from pipeline.workflows.clustering.parameters import ClusteringParameters


@pytest.fixture(scope="module")
def runs(sample_xlsx, tmp_path_factory):
    finished = make_runs(
        tmp_path_factory.mktemp("compare-home"),
        sample_xlsx,
        {
            "k3": ClusteringParameters(k=3, quality_threshold=-1.0),
            "k5": ClusteringParameters(k=5, quality_threshold=-1.0),
            "k3 again": ClusteringParameters(k=3, quality_threshold=-1.0),
            "k3 uk": ClusteringParameters(k=3, quality_threshold=-1.0, country="United Kingdom"),
        },
    )
    assert set(finished.results) == set(finished.arns), finished.descriptions
    return finished.results


def sizes(summary: dict) -> pd.Series:
    return pd.Series({c["Name"]: c["Customers"] for c in summary["clusters"]})


def test_the_crosstab_counts_every_customer_both_runs_share(runs):
    comparison = compare_runs(runs["k3"].clusters, runs["k5"].clusters)

    assert comparison.shared == runs["k3"].summary["customers"] == runs["k5"].summary["customers"]
    assert int(comparison.moves.to_numpy().sum()) == comparison.shared
    assert comparison.only_a == comparison.only_b == 0


def test_runs_with_different_k_keep_each_runs_clusters_as_rows_and_columns(runs):
    comparison = compare_runs(runs["k3"].clusters, runs["k5"].clusters)

    assert comparison.moves.shape == (3, 5)
    pd.testing.assert_series_equal(
        comparison.moves.sum(axis=1), sizes(runs["k3"].summary), check_names=False, check_index_type=False
    )
    pd.testing.assert_series_equal(
        comparison.moves.sum(axis=0), sizes(runs["k5"].summary), check_names=False, check_index_type=False
    )


def test_a_run_compared_with_itself_is_the_identity(runs):
    clusters = runs["k5"].clusters
    comparison = compare_runs(clusters, clusters)

    moves = comparison.moves.to_numpy()
    assert np.array_equal(moves, np.diag(np.diag(moves)))
    assert list(np.diag(moves)) == list(sizes(runs["k5"].summary))
    assert comparison.same_name_share == 1.0
    assert comparison.agreement == pytest.approx(1.0)


def test_a_repeat_run_with_the_same_k_finds_the_same_clusters(runs):
    comparison = compare_runs(runs["k3"].clusters, runs["k3 again"].clusters)

    assert comparison.shared == runs["k3"].summary["customers"]
    assert comparison.same_name_share == 1.0
    assert comparison.agreement == pytest.approx(1.0)


def test_the_same_name_share_counts_customers_whose_cluster_name_stayed(runs):
    a, b = runs["k3"].clusters, runs["k5"].clusters
    comparison = compare_runs(a, b)

    stayed = sum(
        int(comparison.moves.loc[name, name])
        for name in comparison.moves.index
        if name in comparison.moves.columns
    )
    assert comparison.same_name == stayed
    assert 0.0 < comparison.same_name_share < 1.0  # k=3 and k=5 cannot agree on every customer
    assert -1.0 <= comparison.agreement < 1.0


def test_runs_over_different_customers_compare_only_those_in_both(runs):
    everyone, uk = runs["k3"].clusters, runs["k3 uk"].clusters
    comparison = compare_runs(everyone, uk)

    uk_customers = int((everyone["Country"] == "United Kingdom").sum())
    assert comparison.shared == len(uk) == uk_customers
    assert comparison.only_a == len(everyone) - uk_customers
    assert comparison.only_b == 0
    assert int(comparison.moves.to_numpy().sum()) == uk_customers


def test_runs_without_a_common_customer_compare_to_nothing(runs):
    a = runs["k3"].clusters
    b = runs["k5"].clusters.assign(CustomerID=runs["k5"].clusters["CustomerID"] + 10_000_000)
    comparison = compare_runs(a, b)

    assert comparison.shared == 0
    assert comparison.moves.shape == (3, 5) and int(comparison.moves.to_numpy().sum()) == 0
    assert comparison.same_name_share == 0.0
    assert comparison.agreement == 0.0
    assert comparison.only_a == len(a) and comparison.only_b == len(b)


def test_a_run_within_another_is_comparable_and_a_handful_of_shared_customers_is_not(runs):
    everyone, uk = runs["k3"].clusters, runs["k3 uk"].clusters
    assert compare_runs(everyone, runs["k5"].clusters).comparable
    # every customer of the UK run is in the run on everyone: comparable
    assert compare_runs(everyone, uk).comparable

    few = everyone.head(MIN_SHARED_CUSTOMERS - 1)  # all of them shared, but too few to mean anything
    assert compare_runs(everyone, few).shared == MIN_SHARED_CUSTOMERS - 1
    assert not compare_runs(everyone, few).comparable
    assert compare_runs(everyone, everyone.head(MIN_SHARED_CUSTOMERS)).comparable

    # 100 shared customers, but under half of the smaller run's: its moves would leave most out
    other = runs["k5"].clusters.assign(CustomerID=runs["k5"].clusters["CustomerID"] + 10_000_000)
    mostly_other = pd.concat([everyone.head(100), other.head(300)])
    assert compare_runs(everyone, mostly_other).shared == 100
    assert not compare_runs(everyone, mostly_other).comparable


def test_runs_on_different_data_are_told_apart_by_content_hash_else_by_name(sample_xlsx):
    data = sample_xlsx.read_bytes()
    key = data_key(dataset_uri("bucket", "rfm-studio", data))
    assert key == content_hash(data)[:16]
    assert data_key("s3://bucket/elsewhere/sample.parquet") is None  # not a stored dataset

    assert not different_data(key, "sample.xlsx", key, "renamed.xlsx")  # the same bytes, two names
    assert different_data(key, "sample.xlsx", "0" * 16, "sample.xlsx")  # one name, other bytes
    assert different_data(None, "sample.xlsx", key, "three_customers.csv")
    assert not different_data(None, "sample.xlsx", None, "sample.xlsx")
    assert not different_data(None, "", None, "sample.xlsx")  # an unnamed run: cannot tell


def test_moves_long_lists_the_non_empty_cells_with_the_share_of_the_source_cluster(runs):
    comparison = compare_runs(runs["k3"].clusters, runs["k5"].clusters)
    long = comparison.moves_long()

    assert (long["Customers"] > 0).all()
    assert int(long["Customers"].sum()) == comparison.shared
    assert long.groupby("From")["ShareOfFrom"].sum().to_numpy() == pytest.approx(1.0)
    assert long["Customers"].is_monotonic_decreasing


def test_sizes_side_by_side_holds_each_runs_clusters_with_shares_summing_to_one(runs):
    table = sizes_side_by_side(runs["k3"].summary, runs["k5"].summary)

    assert (table["Run"] == "A").sum() == 3 and (table["Run"] == "B").sum() == 5
    assert table.groupby("Run")["CustomerShare"].sum().to_numpy() == pytest.approx(1.0)
    assert table.groupby("Run")["RevenueShare"].sum().to_numpy() == pytest.approx(1.0)


def test_a_clusters_table_without_cluster_names_is_refused(runs):
    with pytest.raises(ValueError, match="ClusterName"):
        compare_runs(runs["k3"].clusters.drop(columns="ClusterName"), runs["k5"].clusters)
