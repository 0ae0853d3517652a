"""The local backend end to end: the SDK's workflow on the embedded engine, on the real sample.

Executions run in threads of the test process (``LocalStepFunctionsClient(mode="thread")``);
the command-line tests cover the default worker processes. AWS credentials and settings are
removed from the environment: the local backend must need neither.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from support.run_support import start_unchecked

from pipeline.backends import backend_for_arn, get_backend
from pipeline.backends.local import LocalBackend
from pipeline.config import LOCAL_BUCKET
from pipeline.errors import WorkflowError
from pipeline.loading.dataset import clean_transactions, load_transactions
from pipeline.local.client import LocalStepFunctionsClient, wait_for_status
from pipeline.workflows.clustering.checks import customers_problem
from pipeline.workflows.clustering.parameters import ClusteringParameters
from pipeline.workflows.clustering.steps import CHOICE_STATE, FAILED_STATE, PREPARE_STATE, QUALITY_FAIL_STATE

RUN_TIMEOUT = 120


@pytest.fixture(scope="module")
def sample(sample_xlsx, tmp_path_factory):
    """The real sample as canonical Parquet (what the app hands to launch), and its name."""
    dataset = load_transactions(sample_xlsx, use_cache=False)
    path = tmp_path_factory.mktemp("dataset") / "sample.parquet"
    dataset.transactions.to_parquet(path, index=False)
    customers = clean_transactions(dataset.transactions)[1].customers
    return {"path": path, "name": dataset.name, "customers": customers}


@pytest.fixture
def backend() -> LocalBackend:
    return LocalBackend(LocalStepFunctionsClient(mode="thread"))


def run_to_end(backend: LocalBackend, path: Path, params: ClusteringParameters, name: str = "sample") -> dict:
    arn = backend.launch(path, params, dataset_name=name)
    return wait_for_status(backend.client, arn, RUN_TIMEOUT)


@pytest.mark.slow
def test_run_on_the_real_sample_succeeds_with_one_row_per_customer(backend, sample):
    description = run_to_end(
        backend, sample["path"], ClusteringParameters(k=4, quality_threshold=0.0), sample["name"]
    )
    assert description["status"] == "SUCCEEDED", description.get("cause")
    results = backend.results(description["executionArn"])
    assert len(results.clusters) == sample["customers"]
    assert results.clusters["CustomerID"].is_unique
    assert -1.0 <= results.summary["silhouette"] <= 1.0
    assert results.clusters["ClusterName"].notna().all()
    assert results.clusters["ClusterName"].nunique() == results.clusters["Cluster"].nunique() == 4
    output = json.loads(description["output"])
    assert output["silhouette"] == results.summary["silhouette"]


@pytest.mark.slow
def test_too_high_threshold_fails_with_the_choices_cause(backend, sample):
    description = run_to_end(backend, sample["path"], ClusteringParameters(k=4, quality_threshold=0.99))
    assert description["status"] == "FAILED"
    assert description["error"] == "ClusterQualityTooLow"
    assert description["cause"].startswith("Cluster quality too low: silhouette ")
    assert "threshold 0.99" in description["cause"]
    entered = [
        e["stateEnteredEventDetails"]["name"]
        for e in backend.history(description["executionArn"])
        if "stateEnteredEventDetails" in e
    ]
    assert entered[-2:] == [CHOICE_STATE, QUALITY_FAIL_STATE]


@pytest.mark.slow
def test_a_run_started_past_the_check_fails_at_prepare_with_the_checks_sentence(backend, sample):
    # Another client (the console, a script) can start what the launch check refuses: the
    # prepare Lambda then refuses it with the same sentence, and bad data is never retried.
    k = sample["customers"] + 1
    arn = start_unchecked(backend, sample["path"], ClusteringParameters(k=k))
    description = wait_for_status(backend.client, arn, RUN_TIMEOUT)
    assert description["status"] == "FAILED"
    assert description["error"] == "DataError"
    assert json.loads(description["cause"])["errorMessage"] == customers_problem(k, sample["customers"])
    history = backend.history(description["executionArn"])
    entered = [e["stateEnteredEventDetails"]["name"] for e in history if "stateEnteredEventDetails" in e]
    assert entered == [PREPARE_STATE, FAILED_STATE]
    assert sum(e["type"] == "TaskScheduled" for e in history) == 1


def test_launch_refuses_more_clusters_than_customers_before_storing_or_starting_anything(backend, sample):
    k = sample["customers"] + 1
    with pytest.raises(WorkflowError) as error:
        backend.launch(sample["path"], ClusteringParameters(k=k))
    assert str(error.value) == customers_problem(k, sample["customers"])
    assert backend.list_executions() == []
    assert backend.storage.list(f"s3://{LOCAL_BUCKET}/") == []


def test_launch_uploads_the_dataset_under_its_content_hash(backend, sample):
    uri = backend.upload(sample["path"])
    assert uri.startswith(f"s3://{LOCAL_BUCKET}/rfm-studio/raw/") and uri.endswith(".parquet")
    assert backend.storage.read_bytes(uri) == sample["path"].read_bytes()
    assert backend.upload(sample["path"]) == uri


def test_listed_executions_carry_their_parameters_and_dataset(backend, sample):
    params = ClusteringParameters(k=3, quality_threshold=0.2, country="France")
    arn = backend.launch(sample["path"], params, dataset_name="UCI sample")
    wait_for_status(backend.client, arn, RUN_TIMEOUT)
    [item] = backend.list_executions()
    assert item["executionArn"] == arn
    assert item["parameters"] == params.to_dict()
    assert item["dataset"] == "UCI sample"


def test_results_of_a_failed_run_say_why_there_are_none(backend, sample):
    arn = start_unchecked(backend, sample["path"], ClusteringParameters(k=sample["customers"] + 1))
    wait_for_status(backend.client, arn, RUN_TIMEOUT)
    with pytest.raises(WorkflowError, match=r"is FAILED, not SUCCEEDED.*DataError: Only") as raised:
        backend.results(arn)
    assert str(raised.value).endswith(".") and not str(raised.value).endswith("..")


def test_launch_refuses_fewer_than_two_clusters(backend, sample):
    with pytest.raises(WorkflowError, match="at least 2"):
        backend.launch(sample["path"], ClusteringParameters(k=1))


def test_launch_refuses_a_threshold_outside_the_silhouette_range(backend, sample):
    with pytest.raises(WorkflowError, match="between -1 and 1"):
        backend.launch(sample["path"], ClusteringParameters(quality_threshold=1.5))


def test_launch_refuses_a_missing_dataset_file(backend, tmp_path):
    with pytest.raises(WorkflowError, match="does not exist"):
        backend.launch(tmp_path / "gone.parquet", ClusteringParameters())


def test_deploy_creates_every_state_machine_then_leaves_unchanged_ones_alone(backend):
    first = backend.deploy()
    second = backend.deploy()
    assert first.state_machine_arn == second.state_machine_arn == first.state_machines["clustering"]
    assert first.state_machines == second.state_machines
    assert first.messages == [
        f"State machine rfm-studio-{name} created: {arn}" for name, arn in first.state_machines.items()
    ]
    assert second.messages == [
        f"State machine rfm-studio-{name} unchanged: {arn}" for name, arn in first.state_machines.items()
    ]
    stored = backend.client.describe_state_machine(stateMachineArn=first.state_machine_arn)
    assert json.loads(stored["definition"]) == backend.definition()


def test_deploy_updates_a_state_machine_whose_definition_differs_from_the_build(backend):
    arn = backend.deploy().state_machine_arn
    stale = {"StartAt": "Old", "States": {"Old": {"Type": "Succeed"}}}
    backend.client.update_state_machine(stateMachineArn=arn, definition=json.dumps(stale))

    result = backend.deploy()

    assert result.messages == [
        f"State machine rfm-studio-clustering updated: {arn}",
        f"State machine rfm-studio-price-regression unchanged: {result.state_machines['price-regression']}",
    ]
    stored = backend.client.describe_state_machine(stateMachineArn=arn)
    assert json.loads(stored["definition"]) == backend.definition()


def test_describing_an_unknown_execution_is_a_workflow_error(backend):
    arn = "arn:aws:states:local:000000000000:execution:rfm-studio-clustering:nope"
    with pytest.raises(WorkflowError, match="No local execution"):
        backend.describe(arn)


def test_list_is_empty_before_anything_ran(backend):
    assert backend.list_executions() == []


def test_preflight_passes_on_a_fresh_data_directory(backend):
    checks = backend.preflight()
    assert checks and all(check.ok for check in checks), checks


def test_get_backend_knows_local_and_refuses_unknown_names():
    assert get_backend("local").name == "local"
    with pytest.raises(WorkflowError, match="Unknown backend 'azure'"):
        get_backend("azure")


def test_execution_arns_tell_their_backend():
    assert backend_for_arn("arn:aws:states:local:000000000000:execution:m:r") == "local"
    assert backend_for_arn("arn:aws:states:eu-west-1:123456789012:execution:m:r") == "aws"
