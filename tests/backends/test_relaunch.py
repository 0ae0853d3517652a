"""Re-run with the same parameters: ``relaunch(execution_arn)`` on the local and aws backends.

A relaunch starts a new execution with a new unique name (so new SageMaker job names and run
folder) and the same DataUri, dataset name and parameters, without uploading the data again.
"""

from __future__ import annotations

import json

import pytest
from moto import mock_aws
from support.aws_fakes import fake_credentials, isolate_aws_environment, prepare_account
from support.run_support import start_unchecked

from pipeline.backends.aws import AwsBackend
from pipeline.backends.aws_settings import AwsSettings
from pipeline.backends.local import LocalBackend
from pipeline.config import local_bucket_root
from pipeline.errors import StudioError, WorkflowError
from pipeline.local.client import LocalStepFunctionsClient, execution_arn, wait_for_status
from pipeline.workflows.clustering.parameters import ClusteringParameters

SAME = ("DataUri", "DatasetName", "K", "QualityThreshold", "AsOfDate", "Country", "InstanceType")
PARAMS = ClusteringParameters(k=3, quality_threshold=0.1, country="France", as_of=None)
#: A run that fails fast at its first step; the launch check refuses it, so it is started as another
#: client could (its relaunch checks only the parameters: the data was checked at the first launch).
FAILS_FAST = ClusteringParameters(k=3, quality_threshold=0.1, country="Atlantis", as_of=None)


@pytest.fixture(scope="module")
def sample_parquet(sample_dataset, tmp_path_factory):
    path = tmp_path_factory.mktemp("dataset") / "sample.parquet"
    sample_dataset.transactions.to_parquet(path, index=False)
    return path


def inputs(describe, arn) -> dict:
    return json.loads(describe(arn)["input"])


def assert_same_run_but_new_names(first: dict, second: dict) -> None:
    for key in SAME:
        assert second[key] == first[key], key
    for key in ("RunName", "RunPrefix", "TrainingJobName", "ModelName", "TransformJobName"):
        assert second[key] != first[key], key


def test_local_relaunch_starts_a_new_execution_with_the_same_data_and_parameters(sample_parquet):
    backend = LocalBackend(LocalStepFunctionsClient(mode="thread"))
    first = start_unchecked(backend, sample_parquet, FAILS_FAST, dataset_name="my shop")
    wait_for_status(backend.client, first, 120)

    second = backend.relaunch(first)
    ended = wait_for_status(backend.client, second, 120)

    assert second != first
    assert_same_run_but_new_names(inputs(backend.describe, first), json.loads(ended["input"]))
    assert ended["error"] == "DataError"  # it really ran again, on the same data


def test_local_relaunch_of_a_run_whose_data_is_gone_says_to_load_it_again(sample_parquet):
    backend = LocalBackend(LocalStepFunctionsClient(mode="thread"))
    first = start_unchecked(backend, sample_parquet, FAILS_FAST)
    wait_for_status(backend.client, first, 120)
    data_uri = inputs(backend.describe, first)["DataUri"]
    stored = local_bucket_root() / data_uri.removeprefix("s3://")
    stored.unlink()  # the local bucket was cleaned up

    with pytest.raises(WorkflowError, match="no longer in the local bucket: load the data again"):
        backend.relaunch(first)


def test_local_relaunch_of_an_unknown_execution_is_a_workflow_error():
    backend = LocalBackend(LocalStepFunctionsClient(mode="thread"))

    with pytest.raises(WorkflowError, match="Pick one from the list"):
        backend.relaunch(execution_arn("rfm-studio-clustering", "never-ran"))


@pytest.fixture
def aws_backend(monkeypatch, tmp_path):
    isolate_aws_environment(monkeypatch, tmp_path)
    fake_credentials(monkeypatch)
    with mock_aws():
        prepared = prepare_account()
        for name, value in prepared.env.items():
            monkeypatch.setenv(name, value)
        backend = AwsBackend(AwsSettings.from_environment(secrets_paths=[]))
        backend.deploy()
        yield backend


def test_aws_relaunch_starts_a_new_execution_with_the_same_data_and_parameters(aws_backend, sample_parquet):
    first = aws_backend.launch(sample_parquet, PARAMS, dataset_name="my shop")

    second = aws_backend.relaunch(first)

    assert second != first
    assert aws_backend.describe(second)["status"] == "RUNNING"
    assert_same_run_but_new_names(inputs(aws_backend.describe, first), inputs(aws_backend.describe, second))
    assert len(aws_backend.list_executions()) == 2


def test_aws_relaunch_of_an_unknown_execution_is_a_studio_error(aws_backend):
    machine = aws_backend.state_machine_arn()
    unknown = machine.replace(":stateMachine:", ":execution:") + ":never-ran"

    with pytest.raises(StudioError):
        aws_backend.relaunch(unknown)


def test_both_backends_give_the_definition_an_execution_ran(aws_backend):
    local = LocalBackend(LocalStepFunctionsClient(mode="thread"))
    local_arn = local.deploy().state_machine_arn

    assert local.state_machine_definition(local_arn) == local.definition()
    assert aws_backend.state_machine_definition(aws_backend.state_machine_arn()) == aws_backend.definition()
