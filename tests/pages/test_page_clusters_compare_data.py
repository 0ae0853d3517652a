"""AppTest runs of the Clusters page's "Compare runs" view with runs on different data.

Three real local runs in a data directory of their own: one on the UCI sample, one on a CSV of
three of its customers (the new-user review's case: a metric and a movement chart from 3
customers, no word that the data differed), one on a CSV of its first 2,000 customers (other
data, but every one of its customers is in the sample's run). The CSVs are the sample's own
transactions of those customers, written once for the module.
"""

from __future__ import annotations

import pytest
from support.cluster_support import make_runs
from support.page_support import unescaped, unescaped_punctuation
from support.streamlit_caches import fresh_caches  # noqa: F401 - autouse: no cached backends or results
from test_page_clusters import chart_keys, compare_views, metrics, open_expanders, open_page, open_view

from pipeline.workflows.clustering.parameters import ClusteringParameters
from ui import clusters as clusters_ui

SAMPLE_NAME = "online_retail_sample_40k.xlsx"
FEW_NAME = "three_customers.csv"
PART_NAME = "first_2000_customers.csv"
ALL_PARTS = ["sizes", "profiles", "moves"]  # HTML; the moves' Sankey diagram the one chart, when opened


@pytest.fixture(scope="module")
def runs(sample_xlsx, sample_dataset, tmp_path_factory):
    home = tmp_path_factory.mktemp("compare-home")
    finished = make_runs(home, sample_xlsx, {"sample": ClusteringParameters(k=3, quality_threshold=-1.0)})
    customers = sorted(finished.results["sample"].clusters["CustomerID"])
    transactions = sample_dataset.transactions
    for label, name, chosen, k in (
        ("few", FEW_NAME, customers[:3], 2),
        ("part", PART_NAME, customers[:2000], 3),
    ):
        path = home / name
        transactions[transactions["CustomerID"].isin(chosen)].to_csv(path, index=False)
        more = make_runs(home, path, {label: ClusteringParameters(k=k, quality_threshold=-1.0)})
        assert more.descriptions[label]["status"] == "SUCCEEDED", more.descriptions[label]
        finished.arns[label] = more.arns[label]
        finished.results[label] = more.results[label]
    assert finished.results["few"].summary["customers"] == 3
    return finished


@pytest.fixture
def with_runs(runs, monkeypatch):
    monkeypatch.setenv("RFM_STUDIO_HOME", str(runs.home))
    return runs


def compare(with_runs, b: str):
    """The page on the sample's run, its Compare runs view open, run ``b`` chosen to compare."""
    at = open_view(open_page(with_runs.arns["sample"]), clusters_ui.COMPARE_VIEW)
    at.selectbox(key="clusters_compare").set_value(with_runs.arns[b]).run()
    assert not at.exception and not at.error
    return at


def test_the_compare_picker_names_each_runs_dataset(with_runs):
    at = open_view(open_page(with_runs.arns["sample"]), clusters_ui.COMPARE_VIEW)

    names = {label: arn.rsplit(":", 1)[-1] for label, arn in with_runs.arns.items()}
    assert sorted(at.selectbox(key="clusters_compare").options) == sorted(
        [f"{names['few']} · k=2 · {FEW_NAME}", f"{names['part']} · k=3 · {PART_NAME}"]
    )


def test_a_run_on_three_other_customers_is_a_warning_and_a_note_not_a_movement_chart(with_runs):
    at = compare(with_runs, "few")

    (warning,) = at.warning
    assert unescaped(warning.value) == (
        f"These runs were made on different data (run A on {SAMPLE_NAME}, run B on {FEW_NAME}), "
        "so the cluster movements only cover the 3 customers both contain."
    )
    assert unescaped_punctuation(warning.value) == []  # dataset names are shown, never parsed
    (info,) = at.info
    assert unescaped(info.value).startswith("These runs share 3 customers (run A has ")
    assert "A comparison needs runs on the same customers" in unescaped(info.value)
    shown = metrics(at)
    assert shown["Customers in both runs"] == "3"
    assert shown["Only in A / only in B"] == f"{with_runs.results['sample'].summary['customers'] - 3:,} / 0"
    assert "Agreement (adjusted Rand)" not in shown and "Same cluster name" not in shown
    assert compare_views(at) == ["sizes", "profiles"]  # no moves
    assert chart_keys(at) == []
    assert not at.dataframe and not at.expander


def test_a_run_on_other_data_with_enough_shared_customers_warns_and_still_compares(with_runs):
    at = compare(with_runs, "part")

    (warning,) = at.warning
    assert "made on different data" in unescaped(warning.value)
    assert "only cover the 2,000 customers both contain" in unescaped(warning.value)
    assert not at.info
    shown = metrics(at)
    assert shown["Customers in both runs"] == "2,000"
    assert "Agreement (adjusted Rand)" in shown
    assert compare_views(at) == ALL_PARTS
    open_expanders(at, clusters_ui.SANKEY_OPEN_KEY, clusters_ui.MOVES_OPEN_KEY)  # drawn when opened
    assert chart_keys(at) == ["chart_compare_sankey"]
    assert int(at.dataframe[0].value["Customers"].sum()) == 2000
