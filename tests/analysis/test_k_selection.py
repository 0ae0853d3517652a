"""Try k: inertia and silhouette of KMeans for k = 2..10 on the real sample's clustering features."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.metrics import silhouette_score

from pipeline.analysis.k_selection import best_k, fit_kmeans, sampled_silhouette, try_k
from pipeline.analysis.rfm import clustering_features, compute_rfm
from pipeline.errors import DataError
from pipeline.views import charts


@pytest.fixture(scope="module")
def features(sample_clean) -> np.ndarray:
    """The (customers, 3) features the workflow trains on, from the real UCI sample."""
    clean, _ = sample_clean
    return clustering_features(compute_rfm(clean))


@pytest.fixture(scope="module")
def table(features):
    return try_k(features)


def test_one_row_for_each_k_from_2_to_10(table, features):
    assert table["k"].tolist() == list(range(2, 11))
    assert (table["silhouette_sample"] == len(features)).all()  # the sample has < 5,000 customers


def test_inertia_falls_strictly_as_k_grows(table):
    assert (np.diff(table["inertia"].to_numpy()) < 0).all()


def test_silhouettes_are_valid_scores(table):
    assert table["silhouette"].between(-1.0, 1.0).all()
    assert table["silhouette"].notna().all()


def test_silhouette_is_sklearns_score_of_the_fitted_labels(table, features):
    labels = fit_kmeans(features, 4).labels_

    expected = silhouette_score(features, labels)

    assert table.loc[table["k"] == 4, "silhouette"].item() == pytest.approx(expected, rel=1e-12)


def test_sampled_silhouette_equals_sklearn_on_a_small_case(features):
    small = features[:300]
    labels = fit_kmeans(small, 3).labels_

    assert sampled_silhouette(small, labels) == pytest.approx(silhouette_score(small, labels), rel=1e-12)


def test_sampling_scores_the_requested_number_of_customers_deterministically(features):
    first = try_k(features, ks=[2, 3], sample_size=500)
    again = try_k(features, ks=[2, 3], sample_size=500)

    assert (first["silhouette_sample"] == 500).all()
    assert first.equals(again)


def test_the_seed_changes_the_silhouette_sample(features):
    labels = fit_kmeans(features, 3).labels_

    one = sampled_silhouette(features, labels, sample_size=400, seed=1)
    other = sampled_silhouette(features, labels, sample_size=400, seed=2)
    full = silhouette_score(features, labels)

    assert one != other
    assert one == pytest.approx(full, abs=0.05) and other == pytest.approx(full, abs=0.05)


def test_best_k_is_the_highest_silhouette(table):
    best = best_k(table)

    assert table.loc[table["k"] == best, "silhouette"].item() == table["silhouette"].max()


def test_too_few_customers_is_a_data_error_saying_to_widen_the_filters(features):
    with pytest.raises(DataError, match="Widen the filters"):
        try_k(features[:6])


def test_no_customers_is_a_data_error(features):
    with pytest.raises(DataError, match="no customers"):
        try_k(features[:0])


def test_the_chart_draws_both_curves_and_marks_the_best_k(table):
    best = best_k(table)

    figure = charts.k_selection_chart(table, best)

    names = [trace.name for trace in figure.data]
    assert names[:2] == ["Within-cluster sum of squares", "Silhouette"]
    assert figure.layout.yaxis.title.text == "Within-cluster sum of squares"
    assert "inertia" not in figure.to_json().lower()  # KMeans' word is shown nowhere
    marked = [trace for trace in figure.data if trace.name.startswith("Best silhouette")]
    assert [list(trace.x) for trace in marked] == [[best], [best]]
    assert list(figure.data[1].y) == table["silhouette"].tolist()


def test_the_shown_table_names_the_measure_as_the_clusters_page_and_report_do(table):
    shown = charts.k_selection_table(table)

    assert list(shown.columns) == [
        "k",
        "Within-cluster sum of squares",
        "Silhouette",
        "Customers scored for the silhouette",
    ]
    assert shown["Within-cluster sum of squares"].tolist() == table["inertia"].tolist()
    assert shown["k"].tolist() == table["k"].tolist()
