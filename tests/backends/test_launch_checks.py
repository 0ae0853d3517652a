"""Both backends refuse the same runs, with the same sentence, before storing or starting anything.

The check is the workflow's own (``pipeline.workflows.clustering.checks``); the local backend
runs on its engine in threads, the aws one on moto. A refused launch leaves no dataset in the
bucket and no execution behind.
"""

from __future__ import annotations

import datetime as dt

import boto3
import pytest
from moto import mock_aws
from support.aws_fakes import BUCKET, REGION, fake_credentials, isolate_aws_environment, prepare_account

from pipeline.backends.aws import AwsBackend
from pipeline.backends.aws_settings import AwsSettings
from pipeline.backends.local import LocalBackend
from pipeline.config import LOCAL_BUCKET
from pipeline.errors import WorkflowError
from pipeline.local.client import LocalStepFunctionsClient
from pipeline.workflows.clustering.parameters import ClusteringParameters


@pytest.fixture(scope="module")
def sample_parquet(sample_dataset, tmp_path_factory):
    path = tmp_path_factory.mktemp("dataset") / "sample.parquet"
    sample_dataset.transactions.to_parquet(path, index=False)
    return path


@pytest.fixture(scope="module")
def customers(sample_clean) -> int:
    return int(sample_clean[0]["CustomerID"].nunique())


@pytest.fixture(scope="module")
def aws_backend(tmp_path_factory):
    """A deployed aws backend on a moto account, shared by the module (nothing is ever started)."""
    with pytest.MonkeyPatch.context() as patch:
        isolate_aws_environment(patch, tmp_path_factory.mktemp("aws"))
        fake_credentials(patch)
        with mock_aws():
            for name, value in prepare_account().env.items():
                patch.setenv(name, value)
            backend = AwsBackend(AwsSettings.from_environment(secrets_paths=[]))
            backend.deploy()
            yield backend


def bad_runs(customers: int) -> dict[str, tuple[ClusteringParameters, str]]:
    """Runs that cannot succeed on the sample, and a phrase of why."""
    return {
        "one cluster": (ClusteringParameters(k=1), "at least 2"),
        "threshold above 1": (ClusteringParameters(quality_threshold=1.5), "between -1 and 1"),
        "more clusters than customers": (ClusteringParameters(k=customers + 1), f"k={customers + 1}"),
        "a cluster a customer": (ClusteringParameters(k=customers), f"choose k of at most {customers - 1}"),
        "no such country": (ClusteringParameters(country="Atlantis"), "No transactions from Atlantis"),
        "as-of before the last invoice": (
            ClusteringParameters(as_of=dt.date(2011, 1, 1)),
            "before the last invoice",
        ),
        "unknown instance type": (ClusteringParameters(instance_type="m5.large"), "'m5.large' is not"),
        "no instances": (ClusteringParameters(instance_count=0), "instance count"),
    }


CASES = list(bad_runs(0))


def s3_keys() -> list[str]:
    listed = boto3.client("s3", region_name=REGION).list_objects_v2(Bucket=BUCKET)
    return [item["Key"] for item in listed.get("Contents", [])]


def refusal(backend, path, params) -> str:
    with pytest.raises(WorkflowError) as error:
        backend.launch(path, params, dataset_name="sample")
    return str(error.value)


@pytest.mark.parametrize("case", CASES)
def test_both_backends_refuse_a_run_that_cannot_succeed_with_the_same_sentence(
    case, customers, sample_parquet, aws_backend
):
    params, why = bad_runs(customers)[case]
    local = LocalBackend(LocalStepFunctionsClient(mode="thread"))
    aws_before = (aws_backend.list_executions(), s3_keys())

    local_refusal = refusal(local, sample_parquet, params)
    aws_refusal = refusal(aws_backend, sample_parquet, params)

    assert why in local_refusal
    assert aws_refusal == local_refusal
    assert local.list_executions() == [] and local.storage.list(f"s3://{LOCAL_BUCKET}/") == []
    assert (aws_backend.list_executions(), s3_keys()) == aws_before


def test_one_cluster_fewer_than_the_customers_is_let_through(customers, sample_parquet, aws_backend):
    params = ClusteringParameters(k=customers - 1, quality_threshold=-1.0)  # the most clusters allowed

    arn = aws_backend.launch(sample_parquet, params)

    assert aws_backend.describe(arn)["status"] == "RUNNING"
    aws_backend.stop(arn)
