"""What both backends answer alike through the Backend interface: documents, defaults, uploads."""

from __future__ import annotations

import json

import pytest
import yaml
from moto import mock_aws
from support.aws_fakes import REGION, fake_credentials, isolate_aws_environment, prepare_account

from pipeline.backends.aws import AwsBackend
from pipeline.backends.aws_settings import AwsSettings
from pipeline.backends.base import LaunchDefaults
from pipeline.backends.local import LocalBackend
from pipeline.hashing import content_hash
from pipeline.local.client import LocalStepFunctionsClient


@pytest.fixture(scope="module")
def sample_parquet(sample_dataset, tmp_path_factory):
    path = tmp_path_factory.mktemp("dataset") / "sample.parquet"
    sample_dataset.transactions.to_parquet(path, index=False)
    return path


@pytest.fixture
def local() -> LocalBackend:
    return LocalBackend(LocalStepFunctionsClient(mode="thread"))


@pytest.fixture
def aws_account(monkeypatch, tmp_path):
    isolate_aws_environment(monkeypatch, tmp_path)
    fake_credentials(monkeypatch)
    with mock_aws():
        for name, value in prepare_account().env.items():
            monkeypatch.setenv(name, value)
        yield


def template_definition(template: str) -> dict:
    (machine,) = yaml.safe_load(template)["Resources"].values()
    return json.loads(machine["Properties"]["DefinitionString"])


def test_the_local_backend_shows_its_own_definition_and_template(local):
    documents = local.workflow_documents()

    assert documents.placeholder_reason == ""
    assert documents.definition == local.definition()
    assert template_definition(documents.template) == local.definition()
    assert template_definition(local.cloudformation_template()) == local.definition()


def test_an_unconfigured_aws_backend_shows_placeholders_and_says_what_is_missing(monkeypatch, tmp_path):
    isolate_aws_environment(monkeypatch, tmp_path)
    backend = AwsBackend(AwsSettings.from_environment(env={"RFM_AWS_REGION": "eu-west-1"}, secrets_paths=[]))

    documents = backend.workflow_documents()

    assert "RFM_AWS_BUCKET" in documents.placeholder_reason
    assert "RFM_STATES_ROLE_ARN" in documents.placeholder_reason
    train = documents.definition["States"]["Train KMeans"]["Parameters"]
    assert ".eu-west-1." in train["AlgorithmSpecification"]["TrainingImage"]  # the settings' region
    assert template_definition(documents.template) == documents.definition


def test_a_configured_aws_backend_shows_its_own_definition(aws_account):
    backend = AwsBackend(AwsSettings.from_environment(secrets_paths=[]))

    documents = backend.workflow_documents()

    assert documents.placeholder_reason == ""
    assert documents.definition == backend.definition()


def test_launch_defaults_say_whether_instances_matter(local, monkeypatch, tmp_path):
    isolate_aws_environment(monkeypatch, tmp_path)
    env = {"RFM_AWS_INSTANCE_TYPE": "ml.c5.xlarge", "RFM_AWS_INSTANCE_COUNT": "3"}
    aws = AwsBackend(AwsSettings.from_environment(env=env, secrets_paths=[]))

    assert local.launch_defaults() == LaunchDefaults("ml.m5.large", 1, instances_matter=False)
    assert aws.launch_defaults() == LaunchDefaults("ml.c5.xlarge", 3, instances_matter=True)


def test_both_backends_store_the_same_dataset_under_the_same_content_hash(local, aws_account, sample_parquet):
    aws = AwsBackend(AwsSettings.from_environment(secrets_paths=[]))
    data = sample_parquet.read_bytes()

    local_uri, aws_uri = local.upload(sample_parquet), aws.upload(sample_parquet)

    key = f"rfm-studio/raw/{content_hash(data)[:16]}.parquet"
    assert local_uri == f"s3://rfm-studio-local/{key}"
    assert aws_uri.endswith(f"/{key}") and aws_uri.startswith("s3://")
    assert local.storage.read_bytes(local_uri) == aws.storage.read_bytes(aws_uri) == data


def test_the_loader_names_a_file_with_the_same_content_hash(sample_parquet):
    from pipeline.loading.dataset import load_transactions

    dataset = load_transactions(sample_parquet, use_cache=False)

    assert dataset.content_hash == content_hash(sample_parquet) == content_hash(sample_parquet.read_bytes())


def test_the_aws_region_is_the_settings(aws_account):
    assert AwsBackend(AwsSettings.from_environment(secrets_paths=[])).built().region == REGION
