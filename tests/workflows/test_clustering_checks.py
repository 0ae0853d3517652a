"""Can a clustering run succeed? The one check, on the real sample.

The same sentences reach the Launch page, both backends' launch and the prepare Lambda.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from pipeline.errors import WorkflowError
from pipeline.workflows.clustering.checks import (
    ClusteringData,
    clustering_data,
    data_scope,
    parameter_problems,
    run_problems,
)
from pipeline.workflows.clustering.parameters import ClusteringParameters
from pipeline.workflows.registry import workflow_of


@pytest.fixture(scope="module")
def clean(sample_clean):
    return sample_clean[0]


def customers_of(clean, country: str) -> int:
    return int(clean.loc[clean["Country"] == country, "CustomerID"].nunique())


def test_the_default_parameters_pass_on_the_sample(clean):
    params = ClusteringParameters()
    assert run_problems(params, clustering_data(clean, data_scope(params))) == []


@pytest.mark.parametrize("k", [1, 0, -3])
def test_fewer_than_two_clusters_is_refused(k):
    [problem] = parameter_problems(ClusteringParameters(k=k))
    assert "at least 2" in problem and f"got {k}" in problem


@pytest.mark.parametrize("threshold", [1.5, -1.01, float("nan"), float("inf")])
def test_a_threshold_outside_the_silhouette_range_is_refused(threshold):
    [problem] = parameter_problems(ClusteringParameters(quality_threshold=threshold))
    assert "between -1 and 1" in problem


@pytest.mark.parametrize("threshold", [-1.0, 0.0, 1.0])
def test_thresholds_at_the_ends_of_the_range_pass(threshold):
    assert parameter_problems(ClusteringParameters(quality_threshold=threshold)) == []


def test_an_instance_type_sagemaker_does_not_know_is_refused():
    [problem] = parameter_problems(ClusteringParameters(instance_type="m5.large"))
    assert "'m5.large' is not a SageMaker instance type" in problem


@pytest.mark.parametrize("count", [0, -1, 1.5, "2", True])
def test_an_instance_count_that_is_not_a_positive_whole_number_is_refused(count):
    [problem] = parameter_problems(ClusteringParameters(instance_count=count))
    assert "instance count" in problem


def test_every_problem_is_reported_at_once():
    problems = parameter_problems(ClusteringParameters(k=1, quality_threshold=2.0, instance_count=0))
    assert len(problems) == 3


@pytest.mark.parametrize("extra", [0, 1])
def test_as_many_clusters_as_customers_or_more_is_refused_naming_both(clean, extra):
    # k = customers makes every cluster one customer: silhouette 0, and the run FAILED after training.
    customers = customers_of(clean, "Canada")
    params = ClusteringParameters(k=customers + extra, country="Canada")

    [problem] = run_problems(params, clustering_data(clean, data_scope(params)))

    assert problem.startswith(f"Only {customers} customers in Canada to cluster")
    assert f"k={customers + extra}" in problem and f"choose k of at most {customers - 1}" in problem


def test_one_cluster_fewer_than_the_customers_passes(clean):
    customers = customers_of(clean, "Canada")
    params = ClusteringParameters(k=customers - 1, country="Canada")
    assert run_problems(params, clustering_data(clean, data_scope(params))) == []


def test_a_sweep_may_start_at_one_fewer_than_the_customers_but_not_at_the_customers(clean):
    customers = customers_of(clean, "Canada")
    ok = ClusteringParameters(k_range=(customers - 1, customers + 3), country="Canada")
    too_high = ClusteringParameters(k_range=(customers, customers + 3), country="Canada")

    assert run_problems(ok, clustering_data(clean, data_scope(ok))) == []
    [problem] = run_problems(too_high, clustering_data(clean, data_scope(too_high)))
    assert f"start the range at most at {customers - 1}" in problem


@pytest.mark.parametrize("country, who", [("Iceland", "1 customer"), ("Malta", "2 customers")])
def test_a_country_with_fewer_than_three_customers_cannot_be_clustered_at_all(clean, country, who):
    params = ClusteringParameters(k=2, country=country)

    [problem] = run_problems(params, clustering_data(clean, data_scope(params)))

    assert problem.startswith(f"Only {who} in {country} to cluster, and clustering needs at least 3")


def test_an_as_of_date_before_the_last_invoice_is_refused(clean):
    params = ClusteringParameters(as_of=dt.date(2011, 1, 1))

    [problem] = run_problems(params, clustering_data(clean, data_scope(params)))

    assert "before the last invoice" in problem


def test_a_country_not_in_the_data_is_refused_naming_the_ones_there(clean):
    params = ClusteringParameters(country="Atlantis")

    [problem] = run_problems(params, clustering_data(clean, data_scope(params)))

    assert "No transactions from Atlantis" in problem and "United Kingdom" in problem


def test_the_data_facts_count_the_customers_the_prepare_step_will_cluster(clean):
    assert clustering_data(clean, (None, None)) == ClusteringData(
        customers=int(clean["CustomerID"].nunique())
    )


def test_only_country_and_as_of_decide_the_data():
    params = ClusteringParameters(country="Spain", as_of=dt.date(2012, 1, 1))
    other = dataclasses.replace(params, k=9, quality_threshold=0.9, instance_count=3)
    assert data_scope(params) == data_scope(other) == ("Spain", dt.date(2012, 1, 1))


def test_the_workflows_check_raises_one_workflow_error_with_every_problem(clean):
    params = ClusteringParameters(k=1, quality_threshold=3.0)
    spec = workflow_of(params)

    with pytest.raises(WorkflowError) as error:
        spec.check(params, spec.facts_for(clean, params))

    assert "at least 2" in str(error.value) and "between -1 and 1" in str(error.value)


@pytest.mark.parametrize(
    "scope",
    [
        (None, None),
        ("Germany", None),
        ("Iceland", dt.date(2011, 12, 31)),
        ("Atlantis", None),
        (None, dt.date(2011, 1, 1)),
        ("United Kingdom", dt.date(2011, 12, 9)),
    ],
    ids=repr,
)
def test_the_datasets_index_gives_the_same_clustering_facts_as_the_frame(clean, scope):
    from pipeline.analysis.rfm_index import TransactionsIndex

    assert clustering_data(TransactionsIndex(clean), scope) == clustering_data(clean, scope)
