"""Warm mode of the local engine: each execution in its own process, forked by a pre-imported server.

The contract is the worker processes' (tests/local/test_local_runs.py): one process a run in its
own session, its log, its stop by flag then SIGKILL, its death reported. These tests run the
same scenarios with ``mode="warm"``, plus what is particular to the server: that a run reuses
it, and that a server which fails means a plain worker process, not a lost run.
"""

from __future__ import annotations

import json
import os
import signal
import time
from pathlib import Path

import psutil
import pytest

from pipeline.local import warm_worker, worker, worker_control
from pipeline.local.client import LocalStepFunctionsClient, wait_for_status

DEADLINE = 60.0
ROLE = "arn:aws:iam::000000000000:role/x"
HOLD_MACHINE = {"StartAt": "Hold", "States": {"Hold": {"Type": "Wait", "Seconds": 120, "End": True}}}
QUICK_MACHINE = {"StartAt": "P", "States": {"P": {"Type": "Pass", "Result": {"ok": True}, "End": True}}}


def create(client: LocalStepFunctionsClient, name: str, definition: dict) -> str:
    return client.create_state_machine(name=name, definition=json.dumps(definition), roleArn=ROLE)[
        "stateMachineArn"
    ]


def history(client: LocalStepFunctionsClient, arn: str) -> list[dict]:
    pages = client.get_paginator("get_execution_history").paginate(executionArn=arn)
    return [event for page in pages for event in page["events"]]


def wait_for_event(client: LocalStepFunctionsClient, arn: str, event_type: str) -> None:
    """Poll the history until an event of ``event_type`` is recorded (bounded by DEADLINE)."""
    deadline = time.monotonic() + DEADLINE
    while not any(event["type"] == event_type for event in history(client, arn)):
        assert time.monotonic() < deadline, f"no {event_type} event in {DEADLINE}s"
        time.sleep(0.05)


@pytest.fixture
def client():
    client = LocalStepFunctionsClient(mode="warm", stop_grace_seconds=0.5)
    # A deadline, not a sleep: on a loaded machine the server's low-priority imports can take
    # minutes, and these tests are about the warm path, not the fallback after 60 s.
    client.workers.warm_server.ready_seconds = 900
    yield client
    client.workers.warm_server.close()


def test_a_warm_run_succeeds_in_its_own_process_forked_by_the_server(client):
    machine = create(client, "quick", QUICK_MACHINE)

    arns = [client.start_execution(stateMachineArn=machine, name=f"r{n}")["executionArn"] for n in range(2)]

    for arn in arns:
        described = wait_for_status(client, arn, timeout=DEADLINE)
        assert (described["status"], json.loads(described["output"])) == ("SUCCEEDED", {"ok": True})
        log = Path(client.store.get_execution(arn).log_path).read_text()
        assert "finished SUCCEEDED" in log and "(warm worker)" in log
    pids = {client.worker_pid(arn) for arn in arns}
    server = client.workers.warm_server.pid
    assert len(pids) == 2 and not pids & {os.getpid(), server, None}


def test_a_warm_worker_leads_its_own_session_and_the_server_does_not(client):
    arn = client.start_execution(stateMachineArn=create(client, "hold", HOLD_MACHINE))["executionArn"]
    wait_for_event(client, arn, "WaitStateEntered")
    pid = client.worker_pid(arn)

    assert os.getsid(pid) == pid
    assert psutil.Process(pid).ppid() == client.workers.warm_server.pid
    assert os.getsid(client.workers.warm_server.pid) != client.workers.warm_server.pid
    client.stop_execution(executionArn=arn)


def test_stop_ends_a_warm_worker_frozen_by_sigstop_aborted(client):
    arn = client.start_execution(stateMachineArn=create(client, "hold", HOLD_MACHINE))["executionArn"]
    wait_for_event(client, arn, "WaitStateEntered")
    pid = client.worker_pid(arn)
    identity = client.store.get_execution(arn).worker_identity
    os.kill(pid, signal.SIGSTOP)

    client.stop_execution(executionArn=arn, error="User.Stopped", cause="frozen warm worker")

    described = client.describe_execution(executionArn=arn)
    assert (described["status"], described["cause"]) == ("ABORTED", "frozen warm worker")
    assert history(client, arn)[-1]["type"] == "ExecutionAborted"
    assert not worker_control.process_alive(pid, identity)
    assert client.workers.warm_server.pid is not None  # the server itself is never the target


def test_a_killed_warm_worker_gives_failed_worker_died(client):
    arn = client.start_execution(stateMachineArn=create(client, "hold", HOLD_MACHINE))["executionArn"]
    wait_for_event(client, arn, "WaitStateEntered")

    os.kill(client.worker_pid(arn), signal.SIGKILL)
    described = wait_for_status(client, arn, timeout=DEADLINE)

    assert (described["status"], described["error"]) == ("FAILED", worker.WORKER_DIED_ERROR)


def test_the_warm_server_is_never_taken_for_a_worker(client):
    client.workers.warm_up()
    arn = client.start_execution(stateMachineArn=create(client, "quick", QUICK_MACHINE))["executionArn"]
    wait_for_status(client, arn, timeout=DEADLINE)
    server = client.workers.warm_server.pid

    assert not worker_control.terminate_worker(server, worker_control.process_identity(server), arn)
    assert psutil.Process(server).is_running()


def test_a_dead_server_is_replaced_at_the_next_run(client):
    machine = create(client, "quick", QUICK_MACHINE)
    first = client.start_execution(stateMachineArn=machine, name="first")["executionArn"]
    wait_for_status(client, first, timeout=DEADLINE)
    old_server = client.workers.warm_server.pid
    os.kill(old_server, signal.SIGKILL)

    second = client.start_execution(stateMachineArn=machine, name="second")["executionArn"]

    assert wait_for_status(client, second, timeout=DEADLINE)["status"] == "SUCCEEDED"
    assert client.workers.warm_server.pid not in (None, old_server)


def test_a_server_that_cannot_start_means_a_plain_worker_process(client, monkeypatch):
    monkeypatch.setattr(warm_worker, "SERVER_MODULE", "pipeline.local.no_such_module")
    arn = client.start_execution(stateMachineArn=create(client, "quick", QUICK_MACHINE))["executionArn"]

    assert wait_for_status(client, arn, timeout=DEADLINE)["status"] == "SUCCEEDED"
    log = Path(client.store.get_execution(arn).log_path).read_text()
    assert "finished SUCCEEDED" in log and "(warm worker)" not in log


def test_warm_workers_take_the_resources_named_by_the_env_hook(client, monkeypatch):
    client.workers.warm_up()  # the server starts before the hook is set: each worker reads it
    monkeypatch.setenv(
        worker.RESOURCES_ENV, f"{Path(__file__).parent / 'test_local_runs.py'}:resources_for_workers"
    )
    definition = {
        "StartAt": "Call",
        "States": {
            "Call": {
                "Type": "Task",
                "Resource": "arn:aws:states:::lambda:invoke",
                "Parameters": {"FunctionName": "triple", "Payload.$": "$"},
                "OutputPath": "$.Payload",
                "End": True,
            }
        },
    }
    arn = client.start_execution(stateMachineArn=create(client, "hook", definition), input='{"n": 14}')[
        "executionArn"
    ]

    described = wait_for_status(client, arn, timeout=DEADLINE)

    assert (described["status"], json.loads(described["output"])) == ("SUCCEEDED", {"tripled": 42})
