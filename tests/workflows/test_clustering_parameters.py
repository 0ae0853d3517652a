"""The clustering run parameters and the execution input they become, both ways."""

from __future__ import annotations

import argparse
import datetime as dt
import re

from stepfunctions.inputs import ExecutionInput

from pipeline.workflows.clustering.parameters import (
    EXECUTION_INPUT_SCHEMA,
    ClusteringParameters,
    add_arguments,
    execution_input_for,
    parameters_from_arguments,
    parameters_from_input,
)


def test_execution_input_matches_the_schema_the_workflow_checks():
    params = ClusteringParameters(k=4, quality_threshold=0.3, as_of=dt.date(2011, 12, 10), country="France")
    inputs = execution_input_for("rfm-20240101-000000-abcdef", params, "s3://b/raw/x.parquet", "b", "studio")
    result = ExecutionInput(schema=dict(EXECUTION_INPUT_SCHEMA)).validate(inputs)
    assert result.valid, result
    assert inputs["K"] == "4"
    assert inputs["AsOfDate"] == "2011-12-10"
    assert inputs["RunPrefix"] == "s3://b/studio/runs/rfm-20240101-000000-abcdef"


def test_execution_input_uses_empty_strings_for_no_date_and_all_countries():
    inputs = execution_input_for("run-1", ClusteringParameters(), "s3://b/raw/x.parquet", "b", "p")
    assert inputs["AsOfDate"] == ""
    assert inputs["Country"] == ""


def test_job_names_are_unique_per_run_and_legal_for_sagemaker():
    long_name = "rfm-" + "x" * 70 + "-123456"
    names = set()
    for run in ("rfm-20240101-000000-aaaaaa", "rfm-20240101-000000-bbbbbb", long_name):
        inputs = execution_input_for(run, ClusteringParameters(), "s3://b/k", "b", "p")
        for key in ("TrainingJobName", "ModelName", "TransformJobName"):
            assert re.fullmatch(r"[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}", inputs[key]), inputs[key]
            names.add(inputs[key])
    assert len(names) == 9


def test_run_parameters_round_trip_through_the_execution_input():
    params = ClusteringParameters(k=7, quality_threshold=0.4, as_of=dt.date(2011, 6, 1), country="Spain")
    inputs = execution_input_for("run-1", params, "s3://b/k", "b", "p")
    assert parameters_from_input(inputs) == params


def test_the_command_line_options_give_the_parameters_and_default_to_the_launch_pages():
    parser = argparse.ArgumentParser()
    add_arguments(parser)

    given = parameters_from_arguments(
        parser.parse_args(["--k", "3", "--threshold", "0.1", "--as-of", "2011-12-01", "--country", "Spain"])
    )

    assert given == ClusteringParameters(
        k=3, quality_threshold=0.1, as_of=dt.date(2011, 12, 1), country="Spain"
    )
    assert parameters_from_arguments(parser.parse_args([])) == ClusteringParameters()
