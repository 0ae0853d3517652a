"""Launches from many threads at once, as the app's browser sessions share one backend object.

Each launch makes its own SDK ``Workflow`` from the backend's immutable build, so no launch
can detach another from its state machine; the state machine is created once and never
updated while its definition is the build's.
"""

from __future__ import annotations

import json
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from moto import mock_aws
from support.aws_fakes import fake_credentials, isolate_aws_environment, prepare_account

from pipeline.backends.aws import AwsBackend
from pipeline.backends.aws_settings import AwsSettings
from pipeline.backends.local import LocalBackend
from pipeline.local.client import LocalStepFunctionsClient, wait_for_status
from pipeline.workflows.clustering.parameters import ClusteringParameters

LAUNCHES = 4
RUN_TIMEOUT = 300
#: A small run: the French customers of the sample, two clusters, any quality.
PARAMS = ClusteringParameters(k=2, quality_threshold=-1.0, country="France")


class CountingClient(LocalStepFunctionsClient):
    """The local engine's client, counting the state machine writes it is asked for."""

    def __init__(self) -> None:
        super().__init__(mode="thread")
        self.writes: list[str] = []

    def create_state_machine(self, **kwargs):
        self.writes.append("create")
        return super().create_state_machine(**kwargs)

    def update_state_machine(self, **kwargs):
        self.writes.append("update")
        return super().update_state_machine(**kwargs)


@pytest.fixture(scope="module")
def sample_parquet(sample_dataset, tmp_path_factory):
    path = tmp_path_factory.mktemp("dataset") / "sample.parquet"
    sample_dataset.transactions.to_parquet(path, index=False)
    return path


def launch_together(backend, path, count: int = LAUNCHES) -> list[str]:
    """``count`` launches released at the same moment from as many threads; their ARNs."""
    start = threading.Barrier(count)

    def launch(index: int) -> str:
        start.wait()
        return backend.launch(path, PARAMS, dataset_name=f"session {index}")

    with ThreadPoolExecutor(count) as pool:
        return list(pool.map(launch, range(count)))


def test_concurrent_local_launches_each_run_to_the_end_on_one_state_machine(sample_parquet):
    client = CountingClient()
    backend = LocalBackend(client)

    arns = launch_together(backend, sample_parquet)
    ended = [wait_for_status(client, arn, RUN_TIMEOUT) for arn in arns]

    assert len(set(arns)) == LAUNCHES
    assert [description["status"] for description in ended] == ["SUCCEEDED"] * LAUNCHES, ended
    inputs = [json.loads(description["input"]) for description in ended]
    assert sorted(given["DatasetName"] for given in inputs) == [f"session {i}" for i in range(LAUNCHES)]
    assert len({given["RunPrefix"] for given in inputs}) == LAUNCHES
    assert len({given["TrainingJobName"] for given in inputs}) == LAUNCHES
    machines = client.list_state_machines()["stateMachines"]
    assert [machine["name"] for machine in machines] == ["rfm-studio-clustering"]
    assert "update" not in client.writes  # the definition never changed: never re-updated


def test_a_launch_after_the_first_writes_no_state_machine(sample_parquet):
    client = CountingClient()
    backend = LocalBackend(client)
    first = backend.launch(sample_parquet, PARAMS)
    client.writes.clear()

    second = backend.launch(sample_parquet, PARAMS)

    assert client.writes == []
    for arn in (first, second):
        assert wait_for_status(client, arn, RUN_TIMEOUT)["status"] == "SUCCEEDED"


def test_concurrent_aws_launches_start_one_execution_each(sample_parquet, monkeypatch, tmp_path):
    isolate_aws_environment(monkeypatch, tmp_path)
    fake_credentials(monkeypatch)
    with mock_aws():
        for name, value in prepare_account().env.items():
            monkeypatch.setenv(name, value)
        backend = AwsBackend(AwsSettings.from_environment(secrets_paths=[]))
        backend.deploy()
        # Stored first: moto's S3 (unlike S3) breaks on simultaneous PUTs of one key.
        backend.upload(sample_parquet)

        arns = launch_together(backend, sample_parquet)

        assert len(set(arns)) == LAUNCHES
        listed = backend.list_executions()
        assert sorted(item["executionArn"] for item in listed) == sorted(arns)
        assert sorted(item["dataset"] for item in listed) == [f"session {i}" for i in range(LAUNCHES)]
        assert all(item["status"] == "RUNNING" for item in listed)
