"""The price-regression workflow's entry in the registry (``pipeline.workflows.registry``)."""

from __future__ import annotations

from typing import Any

from pipeline.workflows.price_regression import checks, parameters
from pipeline.workflows.price_regression.parameters import XGBOOST_VERSION, RegressionParameters
from pipeline.workflows.spec import BuildSettings, BuiltWorkflow, LambdaFunction, WorkflowSpec


def _build(settings: BuildSettings) -> BuiltWorkflow:
    from pipeline.workflows.price_regression.build import build

    return build(settings)


def _read_results(run_prefix: str, storage: Any) -> Any:
    from pipeline.workflows.price_regression.results import read_run_results

    return read_run_results(run_prefix, storage)


def _headline(results: Any) -> dict[str, Any]:
    from pipeline.workflows.price_regression.results import headline

    return headline(results)


PRICE_REGRESSION = WorkflowSpec(
    name="price-regression",
    title="Price regression",
    purpose=(
        "Predict each line's unit price from its product, quantity and customer with SageMaker XGBoost, "
        "as the AWS sample does, and score the predictions."
    ),
    state_machine_name="rfm-studio-price-regression",
    run_name_prefix="price",
    parameters_type=RegressionParameters,
    lambda_functions=(
        LambdaFunction("rfm-studio-prepare-prices", "lambdas.prepare_prices.handler:lambda_handler"),
        LambdaFunction("rfm-studio-validate-rmse", "lambdas.validate_rmse.handler:lambda_handler"),
        LambdaFunction("rfm-studio-score-predictions", "lambdas.score_predictions.handler:lambda_handler"),
    ),
    input_schema=parameters.EXECUTION_INPUT_SCHEMA,
    build=_build,
    execution_input=parameters.execution_input_for,
    parameters_from_input=parameters.parameters_from_input,
    data_scope=checks.data_scope,
    data_facts=checks.regression_data,
    problems=checks.run_problems,
    read_results=_read_results,
    add_arguments=parameters.add_arguments,
    parameters_from_arguments=parameters.parameters_from_arguments,
    headline=_headline,
    algorithms=(("xgboost", XGBOOST_VERSION),),
)
