"""``python -m pipeline run`` and ``status`` on the local backend, with real worker processes."""

from __future__ import annotations

import datetime as dt

import pytest

from pipeline.__main__ import main
from pipeline.commands.run import describe_event
from pipeline.local.client import LocalStepFunctionsClient, wait_for_status
from pipeline.workflows.clustering.steps import TASKS_IN_ORDER
from pipeline.workflows.clustering.sweep_steps import SWEEP_CHOICE_STATE

#: The states a fixed-k run enters before the quality gate.
FIXED_K_PATH = [TASKS_IN_ORDER[0], SWEEP_CHOICE_STATE, *TASKS_IN_ORDER[1:]]

RUN_TIMEOUT = 120


@pytest.mark.slow
def test_run_wait_prints_the_arn_each_transition_and_succeeds(sample_xlsx, capsys):
    code = main(["run", str(sample_xlsx), "--k", "4", "--threshold", "0", "--wait"])
    lines = capsys.readouterr().out.splitlines()
    assert code == 0
    assert lines[0].startswith("arn:aws:states:local:000000000000:execution:rfm-studio-clustering:")
    entered = [line.split("-> ", 1)[1] for line in lines if "  -> " in line]
    assert entered == [*FIXED_K_PATH, "Good enough?", "Clusters ready"]
    assert "Status: SUCCEEDED" in lines
    assert "k: 4" in lines and any(line.startswith("silhouette: ") for line in lines)
    sizes = lines[lines.index("cluster sizes:") + 1 :]
    assert len(sizes) == 4 and all(line.startswith("  ") for line in sizes)


@pytest.mark.slow
def test_run_wait_exits_1_with_the_cause_when_quality_is_too_low(sample_xlsx, capsys):
    code = main(["run", str(sample_xlsx), "--k", "4", "--threshold", "0.99", "--wait"])
    out = capsys.readouterr().out
    assert code == 1
    assert "Status: FAILED" in out
    assert "Error: ClusterQualityTooLow: Cluster quality too low" in out


@pytest.mark.slow
def test_status_shows_the_steps_of_a_run_started_without_wait(sample_xlsx, capsys):
    args = ["run", str(sample_xlsx), "--k", "2", "--country", "France", "--threshold", "0.99"]
    assert main(args) == 0
    arn = capsys.readouterr().out.strip()
    wait_for_status(LocalStepFunctionsClient(), arn, RUN_TIMEOUT)
    code = main(["status", arn])
    out = capsys.readouterr().out
    assert code == 1
    assert "Status:    FAILED" in out
    assert "Error:     ClusterQualityTooLow: Cluster quality too low" in out
    started = next(line for line in out.splitlines() if line.startswith("Started:"))
    dt.datetime.strptime(started.removeprefix("Started:").strip(), "%Y-%m-%d %H:%M:%S UTC")
    step_lines = out.split("Steps:\n", 1)[1].splitlines()
    assert [line[2:26].strip() for line in step_lines] == [*FIXED_K_PATH, "Good enough?", "Quality too low"]


def test_run_refuses_more_clusters_than_customers_with_exit_status_2_and_starts_nothing(sample_xlsx, capsys):
    assert main(["run", str(sample_xlsx), "--k", "5000", "--country", "France"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""  # no execution ARN: nothing started
    assert "customers in France to cluster, too few for the k=5000 clusters asked for" in captured.err
    assert LocalStepFunctionsClient().list_state_machines()["stateMachines"] == []


def test_run_refuses_a_threshold_above_one_with_exit_status_2(sample_xlsx, capsys):
    assert main(["run", str(sample_xlsx), "--threshold", "1.5"]) == 2
    assert "between -1 and 1" in capsys.readouterr().err


def test_run_of_a_missing_file_is_an_error_with_exit_status_2(tmp_path, capsys):
    assert main(["run", str(tmp_path / "nothing.xlsx")]) == 2
    assert "error:" in capsys.readouterr().err


def test_status_of_an_unknown_execution_is_an_error_with_exit_status_2(capsys):
    assert main(["status", "arn:aws:states:local:000000000000:execution:rfm-studio-clustering:none"]) == 2
    assert "No local execution" in capsys.readouterr().err


def test_transitions_and_failures_are_printed_one_line_each():
    at = dt.datetime(2024, 1, 1, 12, 0, 5, tzinfo=dt.UTC)
    entered = {
        "type": "TaskStateEntered",
        "timestamp": at,
        "stateEnteredEventDetails": {"name": "Train KMeans"},
    }
    failed = {
        "type": "TaskFailed",
        "timestamp": at,
        "taskFailedEventDetails": {"error": "DataError", "cause": '{"errorMessage": "Only 2 customers"}'},
    }
    scheduled = {"type": "TaskScheduled", "timestamp": at, "taskScheduledEventDetails": {}}
    assert describe_event(entered) == "12:00:05  -> Train KMeans"
    assert describe_event(failed) == "12:00:05  !! TaskFailed: DataError: Only 2 customers"
    assert describe_event(scheduled) is None
