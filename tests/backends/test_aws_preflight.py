"""Specification of the AWS backend's settings and preflight: every expected failure becomes a
check whose message says what to set or grant, and nothing raises or hangs."""

from __future__ import annotations

import pytest
from moto import mock_aws
from support.aws_fakes import (
    BUCKET,
    REGION,
    denying_endpoint,
    fake_credentials,
    isolate_aws_environment,
    prepare_account,
    refused_endpoint,
    silent_endpoint,
)

from pipeline.backends.aws import AwsBackend
from pipeline.backends.aws_preflight import check_bucket, run_preflight
from pipeline.backends.aws_settings import AwsSettings, default_layer_arn
from pipeline.errors import PreflightError


@pytest.fixture(autouse=True)
def no_real_aws(monkeypatch, tmp_path):
    isolate_aws_environment(monkeypatch, tmp_path)


@pytest.fixture
def account(monkeypatch):
    fake_credentials(monkeypatch)
    with mock_aws():
        yield prepare_account()


def settings_from(env: dict[str, str], **overrides: str) -> AwsSettings:
    return AwsSettings.from_environment(env={**env, **overrides}, secrets_paths=[])


def checks_by_name(settings: AwsSettings) -> dict[str, object]:
    return {check.name: check for check in run_preflight(settings)}


# --- settings ------------------------------------------------------------------------------------


def test_environment_wins_over_secrets_and_the_working_directory_file_over_the_project_one(tmp_path):
    project = tmp_path / "project.toml"
    project.write_text('[aws]\nbucket = "from-project"\nprefix = "project-prefix"\nregion = "eu-west-1"\n')
    cwd = tmp_path / "cwd.toml"
    cwd.write_text('[aws]\nprefix = "cwd-prefix"\ninstance_count = 2\n')

    settings = AwsSettings.from_environment(env={"RFM_AWS_REGION": "us-east-1"}, secrets_paths=[project, cwd])

    assert (settings.region, settings.bucket, settings.prefix, settings.instance_count) == (
        "us-east-1",
        "from-project",
        "cwd-prefix",
        2,
    )
    assert settings.sources["region"] == "RFM_AWS_REGION"
    assert settings.sources["bucket"] == str(project)


def test_the_aws_config_files_region_is_read_once_until_the_file_or_the_environment_changes(
    tmp_path, monkeypatch
):
    # Executions reads the settings on every rerun; a boto3 session to read the config file's
    # region costs ~20 ms, so it is made again only when what it reads changed.
    import os

    import boto3

    config = tmp_path / "config"
    config.write_text("[default]\nregion = eu-west-2\n")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(config))
    for name in ("AWS_PROFILE", "AWS_DEFAULT_REGION", "AWS_REGION"):
        monkeypatch.delenv(name, raising=False)
    made = []
    real = boto3.Session

    def session(*args, **kwargs):
        made.append(kwargs)
        return real(*args, **kwargs)

    monkeypatch.setattr(boto3, "Session", session)
    no_secrets = [tmp_path / "none.toml"]

    first = AwsSettings.from_environment(secrets_paths=no_secrets)
    again = AwsSettings.from_environment(secrets_paths=no_secrets)
    assert (first.region, again.region, len(made)) == ("eu-west-2", "eu-west-2", 1)
    assert first.sources["region"] == "AWS config file"

    config.write_text("[default]\nregion = ap-south-1\n[profile other]\nregion = sa-east-1\n")
    os.utime(config, ns=(1, 1))  # a new version of the file, even within the clock's resolution
    assert AwsSettings.from_environment(secrets_paths=no_secrets).region == "ap-south-1"
    monkeypatch.setenv("AWS_PROFILE", "other")
    assert AwsSettings.from_environment(secrets_paths=no_secrets).region == "sa-east-1"
    assert len(made) == 3


def test_secrets_file_credentials_are_used_but_never_shown(tmp_path):
    secrets = tmp_path / "secrets.toml"
    secrets.write_text('[aws]\naws_access_key_id = "AKIDSECRET"\naws_secret_access_key = "shh"\n')

    settings = AwsSettings.from_environment(env={"RFM_AWS_REGION": REGION}, secrets_paths=[secrets])

    assert settings.session().get_credentials().access_key == "AKIDSECRET"
    assert "shh" not in repr(settings)


def test_unparsable_secrets_file_says_which_file_to_fix(tmp_path):
    secrets = tmp_path / "secrets.toml"
    secrets.write_text("[aws\nbucket = ")

    with pytest.raises(PreflightError, match="Fix the TOML syntax") as error:
        AwsSettings.from_environment(env={}, secrets_paths=[secrets])
    assert str(secrets) in str(error.value)


def test_a_number_setting_that_is_not_a_number_names_its_variable():
    with pytest.raises(PreflightError, match="RFM_AWS_INSTANCE_COUNT"):
        AwsSettings.from_environment(env={"RFM_AWS_INSTANCE_COUNT": "two"}, secrets_paths=[])


def test_default_layer_is_the_aws_sdk_for_pandas_layer_of_the_region():
    settings = AwsSettings.from_environment(env={"RFM_AWS_REGION": "us-east-1"}, secrets_paths=[])

    assert settings.lambda_layer_arn == default_layer_arn("us-east-1")
    assert settings.lambda_layer_arn.startswith(
        "arn:aws:lambda:us-east-1:336392948345:layer:AWSSDKPandas-Python311:"
    )


def test_every_client_has_timeouts_and_bounded_standard_retries():
    settings = settings_from(
        {"RFM_AWS_REGION": REGION, "RFM_AWS_READ_TIMEOUT": "7", "RFM_AWS_MAX_ATTEMPTS": "2"}
    )

    config = settings.client("stepfunctions").meta.config

    assert (config.connect_timeout, config.read_timeout) == (10.0, 7.0)
    # botocore stores max_attempts (retries) as total_max_attempts (retries + the first try)
    assert config.retries == {"total_max_attempts": 3, "mode": "standard"}


# --- preflight -------------------------------------------------------------------------------------


def test_complete_settings_pass_every_check(account):
    checks = run_preflight(settings_from(account.env))

    assert [c.name for c in checks if not c.ok] == []
    assert {c.name for c in checks} >= {"Region", "Credentials", "Bucket", "Lambda layer", "Lambda code"}


def test_missing_credentials_say_which_variables_or_secrets_to_set(monkeypatch):
    checks = checks_by_name(settings_from({"RFM_AWS_REGION": REGION, "RFM_AWS_BUCKET": BUCKET}))

    credentials = checks["Credentials"]
    assert not credentials.ok
    assert "no AWS credentials were found" in credentials.message
    assert "AWS_ACCESS_KEY_ID" in credentials.message
    assert "secrets.toml" in credentials.message
    assert not checks["Bucket"].ok
    assert "fix the credentials check first" in checks["Bucket"].message


def test_missing_role_settings_name_the_variable_to_set(account):
    env = {k: v for k, v in account.env.items() if k not in {"RFM_STATES_ROLE_ARN", "RFM_LAMBDA_ROLE_ARN"}}

    checks = checks_by_name(settings_from(env))

    assert not checks["Step Functions role"].ok
    assert "RFM_STATES_ROLE_ARN" in checks["Step Functions role"].message
    assert "states.amazonaws.com" in checks["Step Functions role"].message
    assert not checks["Lambda role"].ok
    assert "RFM_LAMBDA_ROLE_ARN" in checks["Lambda role"].message
    assert checks["SageMaker role"].ok


def test_a_malformed_role_arn_is_reported_with_the_expected_shape(account):
    checks = checks_by_name(settings_from(account.env, RFM_SAGEMAKER_ROLE_ARN="rfm-sagemaker"))

    assert not checks["SageMaker role"].ok
    assert "is not an IAM role ARN" in checks["SageMaker role"].message
    assert "RFM_SAGEMAKER_ROLE_ARN" in checks["SageMaker role"].message


def test_a_role_that_does_not_exist_is_reported_with_its_account(account):
    missing = "arn:aws:iam::123456789012:role/nobody-made-me"

    check = checks_by_name(settings_from(account.env, RFM_LAMBDA_ROLE_ARN=missing))["Lambda role"]

    assert not check.ok
    assert "Role 'nobody-made-me' does not exist in account 123456789012" in check.message


def test_missing_bucket_setting_names_the_variable(account):
    env = {k: v for k, v in account.env.items() if k != "RFM_AWS_BUCKET"}

    check = checks_by_name(settings_from(env))["Bucket"]

    assert not check.ok
    assert "RFM_AWS_BUCKET" in check.message


def test_a_bucket_that_does_not_exist_says_how_to_create_it(account):
    check = checks_by_name(settings_from(account.env, RFM_AWS_BUCKET="no-such-rfm-bucket"))["Bucket"]

    assert not check.ok
    assert "Bucket 'no-such-rfm-bucket' does not exist" in check.message
    assert "aws s3 mb s3://no-such-rfm-bucket" in check.message


def test_a_bucket_in_another_region_fails_because_sagemaker_jobs_need_it_in_theirs(account):
    # boto3 follows S3's redirect, so HeadBucket succeeds from any region; SageMaker training
    # and batch transform, though, refuse a bucket outside the job's region.
    import boto3

    boto3.client("s3", region_name="eu-west-1").create_bucket(
        Bucket="rfm-bucket-in-ireland", CreateBucketConfiguration={"LocationConstraint": "eu-west-1"}
    )

    check = checks_by_name(settings_from(account.env, RFM_AWS_BUCKET="rfm-bucket-in-ireland"))["Bucket"]

    assert not check.ok
    assert "is in region eu-west-1, not us-east-1" in check.message
    assert "RFM_AWS_REGION" in check.message


def test_an_inaccessible_bucket_names_the_permissions_to_grant(monkeypatch):
    fake_credentials(monkeypatch)
    with denying_endpoint() as endpoint:
        settings = settings_from(
            {"RFM_AWS_REGION": REGION, "RFM_AWS_ENDPOINT_URL": endpoint}, RFM_AWS_BUCKET=BUCKET
        )
        check = check_bucket(settings, settings.session())

    assert not check.ok
    assert f"Access to bucket '{BUCKET}' is denied" in check.message
    assert "s3:ListBucket" in check.message


def test_a_layer_from_another_region_is_refused(account):
    other = "arn:aws:lambda:eu-west-1:336392948345:layer:AWSSDKPandas-Python311:20"

    check = checks_by_name(settings_from(account.env, RFM_LAMBDA_LAYER_ARN=other))["Lambda layer"]

    assert not check.ok
    assert "is in eu-west-1 but the functions deploy to us-east-1" in check.message


def test_a_layer_that_does_not_exist_says_to_set_the_layer_arn(account):
    absent = "arn:aws:lambda:us-east-1:123456789012:layer:AWSSDKPandas-Python311:99"

    check = checks_by_name(settings_from(account.env, RFM_LAMBDA_LAYER_ARN=absent))["Lambda layer"]

    assert not check.ok
    assert "RFM_LAMBDA_LAYER_ARN" in check.message


def test_a_region_without_a_known_layer_asks_for_the_layer_arn(account):
    env = {k: v for k, v in account.env.items() if k != "RFM_LAMBDA_LAYER_ARN"}

    check = checks_by_name(settings_from(env, RFM_AWS_REGION="eu-south-2"))["Lambda layer"]

    assert not check.ok
    assert "RFM_LAMBDA_LAYER_ARN" in check.message


def test_no_region_says_the_region_is_not_set_and_how_to_set_it_not_region_none():
    check = checks_by_name(settings_from({}))["Lambda layer"]

    assert not check.ok
    assert "None" not in check.message
    assert check.message.startswith("No AWS region is set, so no default AWS SDK for pandas layer")
    assert "set RFM_AWS_REGION or `region` in the [aws] table" in check.message


def test_a_missing_region_in_an_aws_error_is_a_sentence_of_its_own():
    from botocore.exceptions import NoRegionError

    from pipeline.backends.aws_settings import explain_aws_error

    message = explain_aws_error(NoRegionError(), "list executions")

    assert message == (
        "Cannot list executions: no AWS region is set. Set RFM_AWS_REGION or `region` in the [aws] table "
        "of .streamlit/secrets.toml."
    )


def test_an_unknown_region_is_reported():
    check = checks_by_name(settings_from({"RFM_AWS_REGION": "moon-east-1"}))["Region"]

    assert not check.ok
    assert "'moon-east-1' is not an AWS region" in check.message


def test_the_region_check_covers_the_algorithm_of_every_workflow():
    from pipeline.backends.aws_preflight import check_region

    check = check_region(settings_from({"RFM_AWS_REGION": "eu-central-2"}))

    assert check.ok, check.message  # KMeans and XGBoost 1.7-1 are both published there


def test_a_workflow_algorithm_missing_in_the_region_is_named_with_its_workflow(monkeypatch):
    import dataclasses

    from pipeline.backends import aws_preflight
    from pipeline.workflows.registry import WORKFLOWS

    clustering, regression = WORKFLOWS
    unpublished = dataclasses.replace(regression, algorithms=(("xgboost", "0.1-nope"),))
    monkeypatch.setattr(aws_preflight, "WORKFLOWS", (clustering, unpublished))

    check = aws_preflight.check_region(settings_from({"RFM_AWS_REGION": "us-east-1"}))

    assert not check.ok
    assert check.message == (
        "SageMaker's built-in xgboost 0.1-nope (the price-regression workflow) is not available in "
        "us-east-1: choose another region."
    )


def test_an_endpoint_that_never_answers_fails_the_credentials_check_instead_of_hanging(monkeypatch):
    fake_credentials(monkeypatch)
    with silent_endpoint() as endpoint:
        settings = settings_from(
            {
                "RFM_AWS_REGION": REGION,
                "RFM_AWS_BUCKET": BUCKET,
                "RFM_AWS_ENDPOINT_URL": endpoint,
                "RFM_AWS_CONNECT_TIMEOUT": "0.5",
                "RFM_AWS_READ_TIMEOUT": "0.5",
                "RFM_AWS_MAX_ATTEMPTS": "1",
            }
        )
        checks = checks_by_name(settings)

    assert not checks["Credentials"].ok
    assert f"{endpoint} did not answer within 0.5 s" in checks["Credentials"].message
    assert "RFM_AWS_READ_TIMEOUT" in checks["Credentials"].message
    assert "fix the credentials check first" in checks["Bucket"].message


def test_an_endpoint_that_refuses_connections_says_it_could_not_connect(monkeypatch):
    fake_credentials(monkeypatch)
    with refused_endpoint() as endpoint:
        settings = settings_from(
            {"RFM_AWS_REGION": REGION, "RFM_AWS_ENDPOINT_URL": endpoint, "RFM_AWS_MAX_ATTEMPTS": "1"}
        )
        check = checks_by_name(settings)["Credentials"]

    assert not check.ok
    assert f"could not connect to {endpoint}" in check.message


def test_backend_preflight_uses_the_environment(account, monkeypatch):
    for name, value in account.env.items():
        monkeypatch.setenv(name, value)

    checks = AwsBackend().preflight()

    assert all(check.ok for check in checks), [c for c in checks if not c.ok]
