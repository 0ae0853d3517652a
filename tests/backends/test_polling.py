"""The one polling loop (``pipeline.executions.wait_for_execution``) and the status names.

The command line's ``run --wait``, the Executions page's Stop and the local engine's
``wait_for_status`` all wait through it.
"""

from __future__ import annotations

import datetime as dt

import pytest

from pipeline.commands.run import follow
from pipeline.errors import WorkflowError
from pipeline.executions import (
    TERMINAL_STATUSES,
    ExecutionStatus,
    StillWaiting,
    is_terminal,
    wait_for_execution,
)


class ScriptedExecution:
    """``describe`` answers walking through ``statuses`` (the last one repeats), recording calls."""

    def __init__(self, *statuses: str) -> None:
        self.statuses = list(statuses)
        self.calls = 0

    def describe(self, execution_arn: str) -> dict:
        status = self.statuses[min(self.calls, len(self.statuses) - 1)]
        self.calls += 1
        return {"executionArn": execution_arn, "status": status}


def test_the_statuses_an_execution_ends_in_are_terminal():
    assert {"SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED"} == TERMINAL_STATUSES
    assert not ExecutionStatus.RUNNING.is_terminal and not ExecutionStatus.PENDING_REDRIVE.is_terminal
    assert ExecutionStatus.ABORTED.is_terminal
    assert is_terminal("FAILED") and not is_terminal("RUNNING") and not is_terminal(None)
    assert ExecutionStatus.SUCCEEDED == "SUCCEEDED"  # compares with what the APIs return


def test_waiting_returns_the_first_description_in_an_awaited_status():
    execution = ScriptedExecution("RUNNING", "RUNNING", "SUCCEEDED", "FAILED")

    description = wait_for_execution(execution.describe, "arn:x", timeout=30, interval=0)

    assert description == {"executionArn": "arn:x", "status": "SUCCEEDED"}
    assert execution.calls == 3


def test_every_description_read_is_shown_to_on_poll_before_it_is_tested():
    execution = ScriptedExecution("RUNNING", "RUNNING", "ABORTED")
    seen: list[str] = []

    wait_for_execution(
        execution.describe, "arn:x", timeout=30, interval=0, on_poll=lambda d: seen.append(d["status"])
    )

    assert seen == ["RUNNING", "RUNNING", "ABORTED"]


def test_waiting_for_a_chosen_status():
    execution = ScriptedExecution("RUNNING", "PENDING_REDRIVE", "RUNNING")

    description = wait_for_execution(
        execution.describe, "arn:x", timeout=30, interval=0, until="PENDING_REDRIVE"
    )

    assert description["status"] == "PENDING_REDRIVE"


def test_the_deadline_ends_the_wait_with_the_last_description():
    execution = ScriptedExecution("RUNNING")

    with pytest.raises(StillWaiting) as error:
        wait_for_execution(execution.describe, "arn:x", timeout=0.05, interval=0.01)

    assert isinstance(error.value, WorkflowError)
    assert "arn:x is still RUNNING after 0.05s" in str(error.value)
    assert error.value.description == {"executionArn": "arn:x", "status": "RUNNING"}
    assert execution.calls >= 2  # it polled, then gave up


class FollowedBackend:
    """What ``run --wait`` reads: a description and a history growing with each poll."""

    poll_interval = 0

    def __init__(self) -> None:
        self.execution = ScriptedExecution("RUNNING", "RUNNING", "SUCCEEDED")
        at = dt.datetime(2024, 1, 1, 12, 0, tzinfo=dt.UTC)
        entered = [
            {"type": "TaskStateEntered", "timestamp": at, "stateEnteredEventDetails": {"name": name}}
            for name in ("Prepare RFM features", "Train KMeans", "Save model")
        ]
        self.histories = [entered[:1], entered[:2], entered]

    def describe(self, execution_arn: str) -> dict:
        return self.execution.describe(execution_arn)

    def history(self, execution_arn: str) -> list[dict]:
        return self.histories[min(self.execution.calls, len(self.histories)) - 1]


def test_run_wait_prints_each_new_transition_once_through_the_polling_loop():
    backend = FollowedBackend()
    lines: list[str] = []

    description = follow(backend, "arn:x", emit=lines.append)

    assert description["status"] == "SUCCEEDED"
    assert lines == [
        "12:00:00  -> Prepare RFM features",
        "12:00:00  -> Train KMeans",
        "12:00:00  -> Save model",
    ]


def test_run_wait_past_its_timeout_says_how_to_follow_the_execution():
    backend = FollowedBackend()
    backend.execution = ScriptedExecution("RUNNING")

    with pytest.raises(
        WorkflowError, match=r"Still RUNNING after 0.01s; follow it with `python -m pipeline status"
    ):
        follow(backend, "arn:x", emit=lambda line: None, timeout=0.01)
