"""Runs of the local engine: the run store, background workers, and their faults.

Executions here run in worker processes (the default) unless a test needs to register its own
Lambda handlers in this process (``mode="thread"``). Conditions are awaited by polling the
store with a deadline, never by fixed sleeps.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from pipeline.local import worker, worker_control
from pipeline.local.asl import interpreter
from pipeline.local.client import LocalStepFunctionsClient, wait_for_status
from pipeline.local.services.resources import LocalResources
from pipeline.local.store import ExecutionRecord, RunStore, StateMachineRecord

ROLE = "arn:aws:iam::000000000000:role/x"
DEADLINE = 60.0

HOLD_MACHINE = {"StartAt": "Hold", "States": {"Hold": {"Type": "Wait", "Seconds": 120, "End": True}}}


def create(client: LocalStepFunctionsClient, name: str, definition: dict) -> str:
    return client.create_state_machine(name=name, definition=json.dumps(definition), roleArn=ROLE)[
        "stateMachineArn"
    ]


def history(client: LocalStepFunctionsClient, arn: str) -> list[dict]:
    pages = client.get_paginator("get_execution_history").paginate(executionArn=arn)
    return [event for page in pages for event in page["events"]]


def wait_for_event(client: LocalStepFunctionsClient, arn: str, event_type: str) -> dict:
    """Poll the history until an event of ``event_type`` is recorded (bounded by DEADLINE)."""
    deadline = time.monotonic() + DEADLINE
    while time.monotonic() < deadline:
        for event in history(client, arn):
            if event["type"] == event_type:
                return event
        time.sleep(0.05)
    raise AssertionError(f"no {event_type} event in {DEADLINE}s: {[e['type'] for e in history(client, arn)]}")


def execution_record(arn: str, **changes) -> ExecutionRecord:
    values = {
        "arn": arn,
        "name": arn.rsplit(":", 1)[-1],
        "state_machine_arn": "arn:aws:states:local:000000000000:stateMachine:m",
        "definition": json.dumps(HOLD_MACHINE),
        "role_arn": ROLE,
        "status": "RUNNING",
        "input": "{}",
        "output": None,
        "error": None,
        "cause": None,
        "start_date": time.time(),
        "stop_date": None,
        "worker_pid": None,
        "worker_identity": None,
        "log_path": None,
        "stop_requested": False,
        "stop_error": None,
        "stop_cause": None,
    }
    values.update(changes)
    return ExecutionRecord(**values)


# The run store --------------------------------------------------------------------------------


def test_store_lives_in_the_data_directory_in_wal_mode(studio_home):
    store = RunStore()
    assert store.path == studio_home / "runs.sqlite"
    assert store._query("PRAGMA journal_mode")[0][0] == "wal"


def test_store_records_survive_a_new_store_object():
    first = RunStore()
    first.insert_state_machine(StateMachineRecord("arn:sm", "m", "{}", ROLE, 1.0, 1.0))
    first.insert_execution(execution_record("arn:aws:states:local:0:execution:m:e"))
    first.append_event("arn:aws:states:local:0:execution:m:e", {"id": 1, "type": "ExecutionStarted"})
    first.close()
    second = RunStore()
    assert second.get_state_machine("arn:sm").name == "m"
    assert second.get_execution("arn:aws:states:local:0:execution:m:e").status == "RUNNING"
    assert [e["type"] for e in second.events("arn:aws:states:local:0:execution:m:e")] == ["ExecutionStarted"]


def test_finish_records_the_final_status_and_last_event_only_once():
    store = RunStore()
    arn = "arn:aws:states:local:0:execution:m:e"
    store.insert_execution(execution_record(arn))
    store.append_event(arn, {"id": 1, "previousEventId": 0, "type": "ExecutionStarted"})
    assert store.finish(arn, status="SUCCEEDED", output="1", event={"type": "ExecutionSucceeded"})
    assert not store.finish(arn, status="FAILED", error="Late", event={"type": "ExecutionFailed"})
    record = store.get_execution(arn)
    assert (record.status, record.output, record.error) == ("SUCCEEDED", "1", None)
    last = store.events(arn)[-1]
    assert (last["type"], last["id"], last["previousEventId"]) == ("ExecutionSucceeded", 2, 1)


# Worker liveness ------------------------------------------------------------------------------


def test_a_live_process_is_alive_only_with_its_own_identity():
    me = os.getpid()
    assert worker_control.process_alive(me, worker_control.process_identity(me))
    # The same pid with another start time is a reused pid: another process.
    assert not worker_control.process_alive(me, "1.00")


def test_an_exited_process_is_not_alive_even_before_it_is_reaped():
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    identity = worker_control.process_identity(child.pid)
    os.waitid(os.P_PID, child.pid, os.WEXITED | os.WNOWAIT)  # exited, still a zombie
    assert not worker_control.process_alive(child.pid, identity)
    child.wait()


def test_an_execution_whose_worker_pid_was_reused_is_reported_failed():
    client = LocalStepFunctionsClient()
    arn = "arn:aws:states:local:000000000000:execution:m:reused"
    client.store.insert_execution(execution_record(arn, worker_pid=os.getpid(), worker_identity="1.00"))
    described = client.describe_execution(executionArn=arn)
    assert (described["status"], described["error"]) == ("FAILED", worker_control.WORKER_DIED_ERROR)
    assert f"pid {os.getpid()}" in described["cause"]
    assert history(client, arn)[-1]["type"] == "ExecutionFailed"


# Fault tests ----------------------------------------------------------------------------------


class FlakyError(Exception):
    """What the flaky handler raises; Retry matches it by its type name, as on AWS."""


def test_a_failing_handler_is_retried_with_backoff_then_caught(monkeypatch):
    # The engine's waits are recorded instead of slept (as ``run_state_machine(sleep=...)`` does
    # in the ASL tests), so the backoff is checked exactly, with no timing and no waiting.
    timeline: list[object] = []
    monkeypatch.setattr(interpreter.Scope, "sleep", lambda scope, seconds: timeline.append(seconds))

    def flaky(event, context):
        timeline.append("call")
        raise FlakyError(f"attempt {timeline.count('call')} failed")

    definition = {
        "StartAt": "Call",
        "States": {
            "Call": {
                "Type": "Task",
                "Resource": "arn:aws:states:::lambda:invoke",
                "Parameters": {"FunctionName": "flaky", "Payload.$": "$"},
                "Retry": [
                    {
                        "ErrorEquals": ["FlakyError"],
                        "IntervalSeconds": 1,
                        "MaxAttempts": 2,
                        "BackoffRate": 1.5,
                    }
                ],
                "Catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.failure", "Next": "Recovered"}],
                "End": True,
            },
            "Recovered": {"Type": "Pass", "End": True},
        },
    }
    client = LocalStepFunctionsClient(mode="thread", resources=LocalResources(functions={"flaky": flaky}))
    arn = client.start_execution(stateMachineArn=create(client, "retry", definition), input='{"x": 1}')[
        "executionArn"
    ]
    described = wait_for_status(client, arn, timeout=DEADLINE)

    # the first attempt and MaxAttempts retries, after IntervalSeconds, then x BackoffRate
    assert timeline == ["call", 1.0, "call", 1.5, "call"]
    assert described["status"] == "SUCCEEDED"
    output = json.loads(described["output"])
    assert output["x"] == 1 and output["failure"]["Error"] == "FlakyError"
    assert json.loads(output["failure"]["Cause"])["errorMessage"] == "attempt 3 failed"
    assert [e["type"] for e in history(client, arn)].count("TaskFailed") == 3


def resources_for_workers() -> LocalResources:
    """The factory the worker processes of the hook test import (RFM_STUDIO_LOCAL_RESOURCES)."""
    return LocalResources(functions={"triple": triple})


def triple(event, context):
    return {"tripled": event["n"] * 3}


def test_worker_processes_use_the_resources_named_by_the_env_hook(monkeypatch):
    monkeypatch.setenv(worker.RESOURCES_ENV, f"{__file__}:resources_for_workers")
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
    client = LocalStepFunctionsClient()
    arn = client.start_execution(stateMachineArn=create(client, "hook", definition), input='{"n": 14}')[
        "executionArn"
    ]
    described = wait_for_status(client, arn, timeout=DEADLINE)
    assert (described["status"], json.loads(described.get("output", "null"))) == (
        "SUCCEEDED",
        {"tripled": 42},
    )


def test_a_killed_worker_gives_failed_with_a_cause_naming_its_log():
    client = LocalStepFunctionsClient()
    arn = client.start_execution(stateMachineArn=create(client, "hold", HOLD_MACHINE))["executionArn"]
    wait_for_event(client, arn, "WaitStateEntered")
    pid = client.worker_pid(arn)
    assert pid != os.getpid()

    os.kill(pid, signal.SIGKILL)
    described = wait_for_status(client, arn, timeout=DEADLINE)

    assert (described["status"], described["error"]) == ("FAILED", "Local.WorkerDied")
    assert "stopped unexpectedly" in described["cause"]
    log_path = client.store.get_execution(arn).log_path
    assert log_path in described["cause"] and Path(log_path).exists()
    last = history(client, arn)[-1]
    assert last["type"] == "ExecutionFailed"
    assert last["executionFailedEventDetails"]["error"] == "Local.WorkerDied"


def test_four_concurrent_executions_in_worker_processes_are_all_correct():
    definition = {
        "StartAt": "Hold",
        "States": {
            "Hold": {"Type": "Wait", "Seconds": 1, "Next": "Label"},
            "Label": {
                "Type": "Pass",
                "Parameters": {"n.$": "$.n", "label.$": "States.Format('customer-{}', $.n)"},
                "End": True,
            },
        },
    }
    client = LocalStepFunctionsClient()
    machine = create(client, "concurrent", definition)
    arns = [
        client.start_execution(stateMachineArn=machine, name=f"n{n}", input=json.dumps({"n": n}))[
            "executionArn"
        ]
        for n in range(4)
    ]
    pids = {client.worker_pid(arn) for arn in arns}

    outputs = []
    for arn in arns:
        described = wait_for_status(client, arn, timeout=DEADLINE)
        assert described["status"] == "SUCCEEDED"
        outputs.append(json.loads(described["output"]))

    assert outputs == [{"n": n, "label": f"customer-{n}"} for n in range(4)]
    assert len(pids) == 4 and os.getpid() not in pids
    for arn in arns:
        ids = [event["id"] for event in history(client, arn)]
        assert ids == list(range(1, len(ids) + 1))


def test_a_new_client_over_the_same_data_directory_sees_the_old_history():
    first = LocalStepFunctionsClient()
    machine = create(first, "remembered", {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}})
    arn = first.start_execution(stateMachineArn=machine, name="old", input='{"kept": true}')["executionArn"]
    wait_for_status(first, arn, timeout=DEADLINE)
    old_history = history(first, arn)
    first.store.close()
    del first

    second = LocalStepFunctionsClient()
    assert [e["executionArn"] for e in second.list_executions(stateMachineArn=machine)["executions"]] == [arn]
    described = second.describe_execution(executionArn=arn)
    assert (described["status"], json.loads(described["output"])) == ("SUCCEEDED", {"kept": True})
    assert history(second, arn) == old_history


def test_stop_during_a_wait_aborts_and_records_execution_aborted():
    client = LocalStepFunctionsClient()
    arn = client.start_execution(stateMachineArn=create(client, "hold", HOLD_MACHINE))["executionArn"]
    wait_for_event(client, arn, "WaitStateEntered")

    client.stop_execution(executionArn=arn, error="User.Stopped", cause="the analyst changed k")
    described = wait_for_status(client, arn, timeout=DEADLINE)

    assert (described["status"], described["error"], described["cause"]) == (
        "ABORTED",
        "User.Stopped",
        "the analyst changed k",
    )
    last = history(client, arn)[-1]
    assert last["type"] == "ExecutionAborted"
    assert last["executionAbortedEventDetails"] == {"error": "User.Stopped", "cause": "the analyst changed k"}
    # The worker itself recorded the abort, and then exited.
    os.waitid(os.P_PID, client.worker_pid(arn), os.WEXITED | os.WNOWAIT)


def test_stop_ends_a_worker_frozen_by_sigstop_aborted():
    # A stopped worker cannot see the stop flag: after the grace period it is killed.
    client = LocalStepFunctionsClient(stop_grace_seconds=0.5)
    arn = client.start_execution(stateMachineArn=create(client, "hold", HOLD_MACHINE))["executionArn"]
    wait_for_event(client, arn, "WaitStateEntered")
    pid = client.worker_pid(arn)
    os.kill(pid, signal.SIGSTOP)

    client.stop_execution(executionArn=arn, error="User.Stopped", cause="frozen worker")

    described = client.describe_execution(executionArn=arn)
    assert (described["status"], described["error"], described["cause"]) == (
        "ABORTED",
        "User.Stopped",
        "frozen worker",
    )
    assert history(client, arn)[-1]["type"] == "ExecutionAborted"
    assert not worker_control.process_alive(pid, client.store.get_execution(arn).worker_identity)


def test_a_frozen_process_that_is_not_the_executions_worker_is_never_killed():
    me = os.getpid()
    assert not worker_control.terminate_worker(me, worker_control.process_identity(me), "arn:x")
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        identity = worker_control.process_identity(sleeper.pid)
        assert not worker_control.terminate_worker(
            sleeper.pid, identity, "arn:aws:states:local:0:execution:m:e"
        )
        assert sleeper.poll() is None
    finally:
        sleeper.kill()
        sleeper.wait()


def test_stopping_an_execution_whose_worker_died_records_the_abort():
    client = LocalStepFunctionsClient()
    arn = client.start_execution(stateMachineArn=create(client, "hold", HOLD_MACHINE))["executionArn"]
    wait_for_event(client, arn, "WaitStateEntered")
    pid = client.worker_pid(arn)
    os.kill(pid, signal.SIGKILL)
    os.waitid(os.P_PID, pid, os.WEXITED | os.WNOWAIT)

    client.stop_execution(executionArn=arn, cause="cleaning up")

    described = client.describe_execution(executionArn=arn)
    assert (described["status"], described["cause"]) == ("ABORTED", "cleaning up")
    assert history(client, arn)[-1]["type"] == "ExecutionAborted"


def test_stopping_a_finished_execution_changes_nothing():
    client = LocalStepFunctionsClient(mode="thread")
    machine = create(client, "quick", {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}})
    arn = client.start_execution(stateMachineArn=machine)["executionArn"]
    before = wait_for_status(client, arn, timeout=DEADLINE)
    client.stop_execution(executionArn=arn, error="Too.Late")
    assert client.describe_execution(executionArn=arn) == before


def test_the_worker_does_not_rerun_a_finished_execution():
    client = LocalStepFunctionsClient(mode="thread")
    machine = create(client, "quick", {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}})
    arn = client.start_execution(stateMachineArn=machine)["executionArn"]
    wait_for_status(client, arn, timeout=DEADLINE)
    events = history(client, arn)
    assert worker.run_execution(arn, store=RunStore()) == "SUCCEEDED"
    assert history(client, arn) == events


def test_the_worker_command_runs_an_execution_and_logs_its_end():
    client = LocalStepFunctionsClient(mode="thread")
    machine = create(client, "cli", {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}})
    arn = "arn:aws:states:local:000000000000:execution:cli:by-hand"
    client.store.insert_execution(
        execution_record(
            arn,
            state_machine_arn=machine,
            definition=client.describe_state_machine(stateMachineArn=machine)["definition"],
            input='{"by": "hand"}',
            worker_pid=os.getpid(),
            worker_identity=worker_control.process_identity(os.getpid()),
        )
    )
    done = subprocess.run(
        [sys.executable, "-m", "pipeline.local.worker", arn],
        capture_output=True,
        text=True,
        timeout=DEADLINE,
        cwd=Path(__file__).resolve().parents[2],
    )
    assert done.returncode == 0, done.stderr
    assert "finished SUCCEEDED" in done.stdout
    assert json.loads(client.describe_execution(executionArn=arn)["output"]) == {"by": "hand"}


def test_a_worker_that_cannot_be_started_fails_the_execution_with_the_reason(monkeypatch):
    client = LocalStepFunctionsClient()
    machine = create(client, "quick", {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}})
    monkeypatch.setattr(sys, "executable", "/nonexistent/python3")

    arn = client.start_execution(stateMachineArn=machine)["executionArn"]

    described = client.describe_execution(executionArn=arn)
    assert (described["status"], described["error"]) == ("FAILED", "Local.WorkerDied")
    assert "/nonexistent/python3" in described["cause"]
    assert history(client, arn)[-1]["type"] == "ExecutionFailed"


def test_worker_processes_use_the_clients_store_when_it_is_not_the_default(tmp_path, studio_home):
    store = RunStore(tmp_path / "elsewhere.sqlite")
    client = LocalStepFunctionsClient(store)
    machine = create(client, "elsewhere", {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}})
    arn = client.start_execution(stateMachineArn=machine, input='{"where": "elsewhere"}')["executionArn"]
    described = wait_for_status(client, arn, timeout=DEADLINE)
    assert (described["status"], json.loads(described["output"])) == ("SUCCEEDED", {"where": "elsewhere"})
    assert not (studio_home / "runs.sqlite").exists()


def test_a_worker_reaped_by_another_thread_meanwhile_does_not_break_describe():
    # The app shares one client between its sessions' threads: while this thread polls an
    # exited worker, another thread may reap it and drop it from the client's children.
    client = LocalStepFunctionsClient()
    exited = subprocess.Popen([sys.executable, "-c", "pass"])
    exited.wait()
    arn = "arn:aws:states:local:000000000000:execution:m:reaped"

    class ReapedMeanwhile:
        def poll(self):
            client.workers.children.pop(arn, None)  # what the other thread's reap does
            return exited.returncode

    client.workers.children[arn] = ReapedMeanwhile()
    client.store.insert_execution(execution_record(arn, worker_pid=exited.pid, worker_identity="1.00"))

    described = client.describe_execution(executionArn=arn)

    assert (described["status"], described["error"]) == ("FAILED", worker_control.WORKER_DIED_ERROR)
