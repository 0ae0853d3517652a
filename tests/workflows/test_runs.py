"""What every workflow's runs share: unique names, their folder, failure messages."""

from __future__ import annotations

import datetime as dt
import re

from pipeline.workflows.runs import execution_input_of, failure_message, new_run_name, run_prefix


def test_run_names_are_readable_unique_and_legal_execution_names():
    at = dt.datetime(2024, 1, 2, 3, 4, 5, tzinfo=dt.UTC)

    names = {new_run_name("rfm", at) for _ in range(200)}

    assert len(names) == 200
    for name in names:
        assert re.fullmatch(r"rfm-20240102-030405-[0-9a-f]{8}", name)
        assert len(name) <= 80  # Step Functions' limit


def test_a_runs_files_live_under_runs_and_its_name():
    assert run_prefix("b", "studio/", "rfm-1") == "s3://b/studio/runs/rfm-1"


def test_an_unreadable_execution_input_reads_as_empty():
    assert execution_input_of({"input": '{"K": "3"}'}) == {"K": "3"}
    assert execution_input_of({"input": "[1, 2]"}) == {}
    assert execution_input_of({"input": "not json"}) == {}
    assert execution_input_of({}) == {}


def test_failure_message_shows_a_lambda_errors_message_not_its_json():
    cause = '{"errorMessage": "Only 3 customers", "errorType": "DataError", "stackTrace": []}'
    assert failure_message("DataError", cause) == "DataError: Only 3 customers"
    assert failure_message("ClusterQualityTooLow", "Cluster quality too low") == (
        "ClusterQualityTooLow: Cluster quality too low"
    )
    assert failure_message(None, None) == "no cause given"
