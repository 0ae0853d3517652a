"""A step's result as a person reads it, from a real run's events."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from pipeline.views.execution_view import StepRun, drawn_bars, timeline
from pipeline.views.step_details import (
    Job,
    job_of,
    log_link,
    percent_columns,
    readable,
    result_figures,
    result_files,
    result_tables,
)

START = dt.datetime(2026, 11, 25, 12, 0, tzinfo=dt.UTC)


def step(**fields) -> StepRun:
    return StepRun(name="S", state_type="Task", status="succeeded", entered=START, exited=START, **fields)


EVALUATE = step(
    result={
        "ExecutedVersion": "$LATEST",
        "StatusCode": 200,
        "Payload": {
            "silhouette": 0.318,
            "customers": 3591,
            "clusters": [{"cluster": 0, "name": "Mid-value steady", "customers": 1435}],
            "clusters_uri": "s3://b/p/runs/r/clusters.csv",
        },
    },
    parameters={"FunctionName": "rfm-studio-evaluate-clusters", "Payload": {}},
)


def test_keys_read_as_words():
    assert readable("TrainingJobStatus") == "Training job status"
    assert readable("clusters_found") == "Clusters found"
    assert readable("rfm_uri") == "Rfm URI"
    assert readable("MeanRecency") == "Mean recency"
    assert readable("test_r2") == "Test R²"  # as the Prices page says it


def test_a_lambda_result_shows_its_payload_figures_not_the_http_envelope():
    figures = dict(zip(*result_figures(EVALUATE).to_dict("list").values(), strict=True))

    assert figures == {"Silhouette": "0.318", "Customers": "3,591"}


def test_a_float_from_ten_up_has_two_decimals_whole_or_not_as_the_pages_metrics():
    # A price run's last state passes its parameters on: its RMSE threshold read "30" in one run
    # and "100,000.00" in another, where Prices' metric says "30.00" and "100,000.00".
    result = {"rmse_threshold": 30.0, "other_threshold": 100000.0, "test_rmse": 26.1418, "r2": 0.31847}
    figures = dict(zip(*result_figures(step(result=result)).to_dict("list").values(), strict=True))

    assert figures == {
        "RMSE threshold": "30.00",
        "Other threshold": "100,000.00",
        "Test RMSE": "26.14",
        "R²": "0.3185",
    }


def test_lists_of_records_become_tables_and_addresses_a_file_list():
    tables = result_tables(EVALUATE)

    assert list(tables) == ["Clusters"]
    assert list(tables["Clusters"].columns) == ["Cluster", "Name", "Customers"]
    assert result_files(EVALUATE)["Address"].tolist() == ["s3://b/p/runs/r/clusters.csv"]


#: The scoring Lambda's result: the last two of the largest errors a real local price-regression run
#: of the sample listed (POST's RMSE is under C2's, its share above).
SCORE = step(
    result={
        "StatusCode": 200,
        "Payload": {
            "test_rmse": 3.0248,
            "largest_errors": [
                {
                    "stock_code": "POST",
                    "squared_error_share": 0.0201,
                    "rmse": 7.7373,
                    "lines": 9,
                    "description": "POSTAGE",
                },
                {
                    "stock_code": "C2",
                    "squared_error_share": 0.0131,
                    "rmse": 18.7393,
                    "lines": 1,
                    "description": "CARRIAGE",
                },
            ],
        },
    },
)


def test_shares_in_a_result_table_are_named_as_on_prices_and_shown_as_percentages():
    errors = result_tables(SCORE)["Largest errors"]
    clusters = result_tables(step(result={"Payload": {"clusters": [{"Name": "A", "CustomerShare": 0.4}]}}))

    assert list(errors.columns) == ["Stock code", "Share of squared error", "RMSE", "Lines", "Description"]
    assert errors["Share of squared error"].tolist() == [0.0201, 0.0131]  # fractions: the grid formats them
    assert percent_columns(errors) == ["Share of squared error"]
    assert percent_columns(clusters["Clusters"]) == ["Customer share"]
    assert percent_columns(result_tables(EVALUATE)["Clusters"]) == []


#: A training task's result as the local engine and Step Functions give it: DescribeTrainingJob with
#: its times as epoch milliseconds (the figures of a real local price-regression run).
TRAINING = step(
    result={
        "TrainingJobName": "price-20261126-073136-e4da5063-train",
        "TrainingJobStatus": "Completed",
        "CreationTime": 1795678297572,
        "TrainingEndTime": 1795678304421,
        "SecondaryStatusTransitions": [
            {"Status": "Starting", "StartTime": 1795678297572, "EndTime": 1795678297572},
            {"Status": "Completed", "StartTime": 1795678304421, "EndTime": 1795678304421},
        ],
        "FinalMetricDataList": [
            {"MetricName": "validation:rmse", "Value": 26.1418, "Timestamp": 1795678304362},
        ],
    },
    parameters={"TrainingJobName": "price-20261126-073136-e4da5063-train"},
)


def test_times_in_epoch_milliseconds_read_as_utc_dates_and_times():
    figures = dict(zip(*result_figures(TRAINING).to_dict("list").values(), strict=True))
    tables = result_tables(TRAINING)

    assert figures["Creation time"] == "2026-11-26 07:31:37 UTC"
    assert figures["Training end time"] == "2026-11-26 07:31:44 UTC"
    assert tables["Secondary status transitions"]["Start time"].tolist() == [
        "2026-11-26 07:31:37 UTC",
        "2026-11-26 07:31:44 UTC",
    ]
    assert tables["Final metric data list"]["Timestamp"].tolist() == ["2026-11-26 07:31:44 UTC"]
    assert tables["Final metric data list"]["Value"].tolist() == [26.1418]  # other numbers stay


def test_the_job_a_task_called_comes_from_its_request():
    assert job_of(EVALUATE) == Job("Lambda function", "rfm-studio-evaluate-clusters")
    training = step(parameters={"TrainingJobName": "run-train", "AlgorithmSpecification": {}})
    assert job_of(training) == Job("SageMaker training job", "run-train")
    assert job_of(step()) is None


def test_cloudwatch_links_point_to_the_jobs_log_group_in_its_region():
    lambda_link = log_link(Job("Lambda function", "rfm-studio-evaluate-clusters"), "eu-west-1")
    assert lambda_link.startswith(
        "https://eu-west-1.console.aws.amazon.com/cloudwatch/home?region=eu-west-1#"
    )
    assert "$252Faws$252Flambda$252Frfm-studio-evaluate-clusters" in lambda_link
    training_link = log_link(Job("SageMaker training job", "run-train"), "us-east-1")
    assert "TrainingJobs" in training_link and "run-train" in training_link
    assert log_link(Job("SageMaker model", "m"), "us-east-1") is None
    assert log_link(Job("Lambda function", "f"), "local") is None


def test_a_zero_length_state_still_gets_a_visible_bar():
    runs = [
        StepRun("Train", "Task", "succeeded", START, START + dt.timedelta(seconds=10)),
        StepRun(
            "Quality too low",
            "Fail",
            "failed",
            START + dt.timedelta(seconds=10),
            START + dt.timedelta(seconds=10),
        ),
    ]

    drawn = drawn_bars(timeline(runs))

    bar = drawn.iloc[1]
    assert bar["Finish"] - bar["Start"] >= pd.Timedelta(seconds=0.1)
    assert bar["Seconds"] == 0  # the hover still tells the truth
