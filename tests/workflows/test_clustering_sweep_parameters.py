"""A sweep's parameters: the range, the rule and the concurrency, their checks, input and options."""

from __future__ import annotations

import argparse

import pytest
from stepfunctions.inputs import ExecutionInput

from pipeline.workflows.clustering.checks import (
    clustering_data,
    data_scope,
    parameter_problems,
    run_problems,
)
from pipeline.workflows.clustering.parameters import (
    EXECUTION_INPUT_SCHEMA,
    MAX_CONCURRENCY_LIMIT,
    MAX_SWEEP_K,
    ClusteringParameters,
    add_arguments,
    execution_input_for,
    parameters_from_arguments,
    parameters_from_input,
)


@pytest.fixture(scope="module")
def clean(sample_clean):
    return sample_clean[0]


def parse(*argv: str) -> ClusteringParameters:
    parser = argparse.ArgumentParser()
    add_arguments(parser)
    return parameters_from_arguments(parser.parse_args(list(argv)))


def test_a_sweep_becomes_an_input_the_workflow_checks_and_comes_back_unchanged():
    params = ClusteringParameters(k_range=(2, 10), pick="elbow", max_concurrency=4, country="France")
    inputs = execution_input_for("rfm-20261125-185341-3db263ce", params, "s3://b/raw/x.parquet", "b", "p")

    assert ExecutionInput(schema=dict(EXECUTION_INPUT_SCHEMA)).validate(inputs).valid
    assert (inputs["Sweep"], inputs["KMin"], inputs["KMax"]) == (True, 2, 10)
    assert (inputs["PickRule"], inputs["MaxConcurrency"]) == ("elbow", 4)
    assert parameters_from_input(inputs) == params


def test_a_fixed_k_run_carries_the_sweep_keys_switched_off():
    inputs = execution_input_for("run-1", ClusteringParameters(k=6), "s3://b/k", "b", "p")
    assert (inputs["Sweep"], inputs["KMin"], inputs["KMax"], inputs["K"]) == (False, 6, 6, "6")
    assert parameters_from_input(inputs).k_range is None


def test_the_command_line_takes_a_range_a_rule_and_a_concurrency():
    params = parse("--k-range", "2-10", "--pick", "elbow", "--max-concurrency", "3")
    assert (params.k_range, params.pick, params.max_concurrency) == ((2, 10), "elbow", 3)
    assert params.sweep and params.candidate_ks() == list(range(2, 11))


def test_without_a_range_the_command_line_keeps_a_fixed_k_and_the_default_rule():
    params = parse("--k", "4")
    assert (params.k, params.k_range, params.pick) == (4, None, "silhouette")
    assert not params.sweep and params.candidate_ks() == [4]


@pytest.mark.parametrize(
    "argv", [["--k-range", "2to10"], ["--k-range", "two-3"], ["--k", "3", "--k-range", "2-4"]]
)
def test_the_command_line_refuses_a_malformed_range_or_a_range_with_a_fixed_k(argv, capsys):
    with pytest.raises(SystemExit) as exit_:
        parse(*argv)
    assert exit_.value.code == 2
    assert "k-range" in capsys.readouterr().err


@pytest.mark.parametrize("k_range", [(1, 5), (5, 4), (2, MAX_SWEEP_K + 1), (0, 0)])
def test_a_range_outside_two_to_the_bound_or_backwards_is_refused(k_range):
    [problem] = parameter_problems(ClusteringParameters(k_range=k_range))
    assert f"{k_range[0]}-{k_range[1]}" in problem and f"at most {MAX_SWEEP_K}" in problem


@pytest.mark.parametrize("k_range", [(2, 2), (2, 10), (MAX_SWEEP_K, MAX_SWEEP_K)])
def test_ranges_from_two_to_the_bound_pass(k_range):
    assert parameter_problems(ClusteringParameters(k_range=k_range)) == []


def test_the_elbow_needs_three_ks():
    [problem] = parameter_problems(ClusteringParameters(k_range=(2, 3), pick="elbow"))
    assert "at least 3 values of k" in problem
    assert parameter_problems(ClusteringParameters(k_range=(2, 4), pick="elbow")) == []


def test_an_unknown_rule_is_refused_naming_the_rules():
    [problem] = parameter_problems(ClusteringParameters(k_range=(2, 5), pick="gap"))
    assert "silhouette, elbow" in problem and "'gap'" in problem


@pytest.mark.parametrize("value", [0, -1, MAX_CONCURRENCY_LIMIT + 1, 2.5, True])
def test_a_concurrency_outside_one_to_the_maps_limit_is_refused(value):
    [problem] = parameter_problems(ClusteringParameters(k_range=(2, 5), max_concurrency=value))
    assert f"from 1 to {MAX_CONCURRENCY_LIMIT}" in problem


def test_a_fixed_k_run_ignores_the_sweep_fields():
    assert parameter_problems(ClusteringParameters(k=3, pick="gap", max_concurrency=0)) == []


def test_a_sweep_ignores_the_fixed_k():
    assert parameter_problems(ClusteringParameters(k=1, k_range=(2, 4))) == []


def test_a_range_whose_top_exceeds_the_customers_passes_when_its_smallest_k_fits(clean):
    params = ClusteringParameters(country="Poland", k_range=(2, 8))
    data = clustering_data(clean, data_scope(params))
    assert 2 <= data.customers < 8  # the sample has 6 customers in Poland
    assert run_problems(params, data) == []


def test_a_range_whose_smallest_k_exceeds_the_customers_is_refused(clean):
    params = ClusteringParameters(country="Poland", k_range=(7, 9))
    data = clustering_data(clean, data_scope(params))
    [problem] = run_problems(params, data)
    assert f"Only {data.customers} customers in Poland" in problem
    assert "smallest k of the sweep" in problem and f"at most at {data.customers - 1}" in problem


def test_a_range_on_a_country_of_one_customer_is_refused(clean):
    params = ClusteringParameters(country="Lebanon", k_range=(2, 4))
    [problem] = run_problems(params, clustering_data(clean, data_scope(params)))
    assert "clustering needs at least 3" in problem
