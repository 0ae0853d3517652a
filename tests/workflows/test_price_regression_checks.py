"""Can a price-regression run succeed? The one check, on the real sample and on bad parameters.

The same sentences reach the Launch page, both backends' launch and the Lambdas.
"""

from __future__ import annotations

import dataclasses
import math

import pytest

from pipeline.errors import WorkflowError
from pipeline.workflows.price_regression.checks import (
    MAX_NUM_ROUND,
    MIN_ROWS,
    parameter_problems,
    regression_data,
    rows_problem,
    run_problems,
    threshold_problem,
)
from pipeline.workflows.price_regression.parameters import RegressionParameters
from pipeline.workflows.registry import get_workflow, workflow_of


@pytest.fixture(scope="module")
def clean(sample_clean):
    return sample_clean[0]


def test_the_default_parameters_pass_on_the_sample(clean):
    assert run_problems(RegressionParameters(), regression_data(clean)) == []


def test_the_data_facts_are_the_cleaned_lines_the_prepare_step_splits(clean):
    assert regression_data(clean).rows == len(clean)


def test_the_datasets_index_gives_the_same_regression_facts_as_the_frame(clean):
    from pipeline.analysis.rfm_index import TransactionsIndex

    assert regression_data(TransactionsIndex(clean)) == regression_data(clean)


@pytest.mark.parametrize("threshold", [0, -1.5, math.inf, math.nan])
def test_a_threshold_that_is_not_a_positive_number_is_refused(threshold):
    [problem] = parameter_problems(RegressionParameters(rmse_threshold=threshold))
    assert problem.startswith("The RMSE threshold must be")
    assert problem == threshold_problem(threshold)


@pytest.mark.parametrize(
    ("change", "phrase"),
    [
        ({"num_round": 0}, "num_round is the number of boosting rounds"),
        ({"num_round": MAX_NUM_ROUND + 1}, f"from 1 to {MAX_NUM_ROUND}"),
        ({"num_round": 2.5}, "got 2.5"),
        ({"max_depth": 0}, "max_depth is the depth of each tree"),
        ({"eta": 0.0}, "eta is the learning rate, above 0 and at most 1"),
        ({"eta": 1.5}, "got 1.5"),
        ({"feature_set": "everything"}, "Unknown feature set 'everything': choose one of basic, extended"),
        ({"instance_type": "m5.large"}, "'m5.large' is not a SageMaker instance type"),
        ({"instance_count": 0}, "instance count must be a whole number of at least 1"),
    ],
)
def test_each_bad_parameter_is_named_with_what_to_choose(change, phrase):
    [problem] = parameter_problems(dataclasses.replace(RegressionParameters(), **change))
    assert phrase in problem


def test_every_problem_is_reported_at_once():
    params = RegressionParameters(rmse_threshold=-1, num_round=0, max_depth=99, eta=2, feature_set="x")
    assert len(parameter_problems(params)) == 5


def test_too_few_cleaned_lines_to_split_are_refused(clean):
    few = clean.head(MIN_ROWS - 1)

    problems = run_problems(RegressionParameters(), regression_data(few))

    assert problems == [rows_problem(MIN_ROWS - 1)]
    assert f"Only {MIN_ROWS - 1} transaction lines left after cleaning" in problems[0]
    assert run_problems(RegressionParameters(), regression_data(clean.head(MIN_ROWS))) == []


def test_the_registry_entry_checks_with_these_rules(clean):
    spec = workflow_of(RegressionParameters())
    assert spec is get_workflow("price-regression")
    with pytest.raises(WorkflowError, match="num_round is the number of boosting rounds"):
        spec.check(RegressionParameters(num_round=0), spec.facts_for(clean, RegressionParameters()))
