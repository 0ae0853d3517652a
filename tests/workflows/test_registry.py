"""The registry of workflows: lookups, the Lambda functions, and imports light enough for Lambda."""

from __future__ import annotations

import subprocess
import sys

import pytest

from pipeline.config import PROJECT_ROOT
from pipeline.errors import WorkflowError
from pipeline.workflows.clustering.parameters import ClusteringParameters
from pipeline.workflows.lambda_names import import_handler
from pipeline.workflows.price_regression.parameters import RegressionParameters
from pipeline.workflows.registry import (
    LAMBDA_FUNCTIONS,
    WORKFLOWS,
    default_workflow,
    get_workflow,
    lambda_functions,
    workflow_of,
)
from pipeline.workflows.spec import BuildSettings


def test_clustering_is_the_default_workflow_and_found_by_name():
    assert default_workflow().name == "clustering"
    assert get_workflow("clustering") is get_workflow(None) is default_workflow()
    assert get_workflow(default_workflow()) is default_workflow()


def test_an_unknown_workflow_name_says_which_exist():
    with pytest.raises(WorkflowError, match="Unknown workflow 'forecast': choose one of clustering"):
        get_workflow("forecast")


def test_the_price_regression_workflow_is_listed_after_clustering():
    assert [spec.name for spec in WORKFLOWS] == ["clustering", "price-regression"]
    assert get_workflow("price-regression").state_machine_name == "rfm-studio-price-regression"


def test_parameters_tell_their_workflow():
    assert workflow_of(ClusteringParameters()) is get_workflow("clustering")
    assert workflow_of(RegressionParameters()) is get_workflow("price-regression")
    with pytest.raises(WorkflowError, match="No workflow takes parameters of type dict"):
        workflow_of({"k": 3})


def test_every_workflow_has_a_title_a_purpose_and_distinct_names():
    assert all(spec.title and spec.purpose and spec.purpose.endswith(".") for spec in WORKFLOWS)
    assert len({spec.name for spec in WORKFLOWS}) == len(WORKFLOWS)
    assert len({spec.state_machine_name for spec in WORKFLOWS}) == len(WORKFLOWS)


def test_every_lambda_function_has_a_handler_file_that_exists_and_imports():
    for function in lambda_functions():
        assert (PROJECT_ROOT / function.handler_file).is_file(), function
        assert callable(import_handler(function.handler))
    assert {function.name: function.handler for function in lambda_functions()} == LAMBDA_FUNCTIONS


def every_state(machine: dict):
    """The states of a definition, those inside Parallel branches and Map iterators too."""
    for state in machine["States"].values():
        yield state
        for inner in [*state.get("Branches", []), state.get("ItemProcessor") or state.get("Iterator")]:
            if inner:
                yield from every_state(inner)


def test_every_workflow_names_its_lambda_functions_in_its_definition():
    for spec in WORKFLOWS:
        definition = spec.build(BuildSettings()).definition()
        invoked = {
            state["Parameters"]["FunctionName"]
            for state in every_state(definition)
            if state.get("Resource") == "arn:aws:states:::lambda:invoke"
        }
        assert invoked == {function.name for function in spec.lambda_functions}


@pytest.mark.parametrize(
    "module",
    [
        "pipeline.workflows.registry",
        "pipeline.workflows.clustering.layout",
        "pipeline.workflows.clustering.checks",
        "lambdas.prepare_rfm.handler",
        "lambdas.evaluate_clusters.handler",
        "lambdas.score_k.handler",
        "lambdas.pick_k.handler",
        "pipeline.workflows.price_regression.layout",
        "pipeline.workflows.price_regression.checks",
        "pipeline.workflows.price_regression.parameters",
        "lambdas.prepare_prices.handler",
        "lambdas.validate_rmse.handler",
        "lambdas.score_predictions.handler",
    ],
)
def test_the_registry_and_what_the_lambdas_import_never_load_the_sdk(module):
    # The Lambdas' zips carry these modules; the Lambda runtime has neither stepfunctions nor
    # sagemaker, and its pandas layer no xgboost.
    code = (
        f"import sys, {module}\n"
        "loaded = sorted(m for m in ('stepfunctions', 'sagemaker', 'xgboost') if m in sys.modules)\n"
        "print(','.join(loaded))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    assert result.stdout.strip() == ""
