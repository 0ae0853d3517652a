"""The price-regression run parameters, their defaults (the AWS sample's) and the execution input."""

from __future__ import annotations

import argparse
import re

from stepfunctions.inputs import ExecutionInput

from pipeline.workflows.price_regression.parameters import (
    DEFAULT_RMSE_THRESHOLD,
    EXECUTION_INPUT_SCHEMA,
    FEATURE_SETS,
    RegressionParameters,
    add_arguments,
    execution_input_for,
    parameters_from_arguments,
    parameters_from_input,
)


def test_the_defaults_are_the_aws_samples_hyperparameters_with_gamma_spelt_right():
    assert RegressionParameters().hyperparameters() == {
        "num_round": "50",
        "max_depth": "5",
        "eta": "0.2",
        "gamma": "4",
        "min_child_weight": "6",
        "subsample": "0.7",
        "objective": "reg:squarederror",
    }
    assert RegressionParameters().rmse_threshold == DEFAULT_RMSE_THRESHOLD == 30.0


def test_the_basic_features_are_the_samples_and_the_extended_add_country_month_and_weekday():
    assert FEATURE_SETS["basic"] == ("StockCode", "Quantity", "CustomerID")
    assert FEATURE_SETS["extended"] == (*FEATURE_SETS["basic"], "Country", "InvoiceMonth", "InvoiceWeekday")


def test_execution_input_matches_the_schema_the_workflow_checks():
    params = RegressionParameters(
        rmse_threshold=12.5, num_round=80, max_depth=6, eta=0.1, feature_set="extended"
    )
    inputs = execution_input_for(
        "price-20240101-000000-abcdef", params, "s3://b/raw/x.parquet", "b", "studio"
    )

    result = ExecutionInput(schema=dict(EXECUTION_INPUT_SCHEMA)).validate(inputs)

    assert result.valid, result
    assert (inputs["NumRound"], inputs["MaxDepth"], inputs["Eta"]) == ("80", "6", "0.1")
    assert inputs["RmseThreshold"] == 12.5
    assert inputs["FeatureSet"] == "extended"
    assert inputs["RunPrefix"] == "s3://b/studio/runs/price-20240101-000000-abcdef"


def test_eta_is_written_as_the_short_decimal_the_container_reads_back():
    inputs = execution_input_for("run-1", RegressionParameters(eta=0.1 + 0.2), "s3://b/k", "b", "p")
    assert inputs["Eta"] == "0.3"
    assert float(inputs["Eta"]) == 0.3


def test_job_names_are_unique_per_run_and_legal_for_sagemaker():
    names = set()
    for run in ("price-20240101-000000-aaaaaa", "price-20240101-000000-bbbbbb", "price-" + "y" * 80):
        inputs = execution_input_for(run, RegressionParameters(), "s3://b/k", "b", "p")
        for key in ("TrainingJobName", "ModelName", "TransformJobName"):
            assert re.fullmatch(r"[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}", inputs[key]), inputs[key]
            names.add(inputs[key])
    assert len(names) == 9


def test_run_parameters_round_trip_through_the_execution_input():
    params = RegressionParameters(
        rmse_threshold=7.25, num_round=120, max_depth=8, eta=0.05, feature_set="extended", instance_count=2
    )
    assert parameters_from_input(execution_input_for("run-1", params, "s3://b/k", "b", "p")) == params


def test_the_command_line_options_give_the_parameters_and_default_to_the_launch_pages():
    parser = argparse.ArgumentParser()
    add_arguments(parser)

    args = [
        "--rmse-threshold",
        "9",
        "--num-round",
        "20",
        "--max-depth",
        "3",
        "--eta",
        "0.5",
        "--features",
        "extended",
    ]
    given = parameters_from_arguments(parser.parse_args(args))

    assert given == RegressionParameters(
        rmse_threshold=9.0, num_round=20, max_depth=3, eta=0.5, feature_set="extended"
    )
    assert parameters_from_arguments(parser.parse_args([])) == RegressionParameters()
