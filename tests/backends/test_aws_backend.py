"""Specification of the aws backend against moto: packaging, deploy, launch, watch, results, and
the deploy / export-cfn commands. moto stores what the APIs receive but runs no SageMaker or
Lambda task, so executions are only started, read, and stopped here."""

from __future__ import annotations

import base64
import hashlib
import io
import json
import zipfile

import boto3
import pandas as pd
import pytest
import yaml
from moto import mock_aws
from support.aws_fakes import (
    BUCKET,
    REGION,
    fake_credentials,
    isolate_aws_environment,
    prepare_account,
    silent_endpoint,
)

from pipeline.__main__ import main
from pipeline.backends.aws import AwsBackend
from pipeline.backends.aws_deploy import LAMBDA_FUNCTIONS, build_package, collect_sources
from pipeline.backends.aws_settings import AwsSettings
from pipeline.config import PROJECT_ROOT
from pipeline.errors import PreflightError, WorkflowError
from pipeline.loading.dataset import load_transactions
from pipeline.workflows.clustering.build import workflow_definition
from pipeline.workflows.clustering.parameters import ClusteringParameters, execution_input_for
from pipeline.workflows.price_regression.build import workflow_definition as price_regression_definition
from pipeline.workflows.price_regression.parameters import RegressionParameters
from pipeline.workflows.sdk import PLACEHOLDER_WORKFLOW_ROLE


@pytest.fixture(autouse=True)
def no_real_aws(monkeypatch, tmp_path):
    isolate_aws_environment(monkeypatch, tmp_path)


@pytest.fixture
def account(monkeypatch):
    """A moto account with roles, bucket and layer, and the RFM_* environment pointing at it."""
    fake_credentials(monkeypatch)
    with mock_aws():
        prepared = prepare_account()
        for name, value in prepared.env.items():
            monkeypatch.setenv(name, value)
        yield prepared


@pytest.fixture
def backend(account) -> AwsBackend:
    return AwsBackend(AwsSettings.from_environment(secrets_paths=[]))


@pytest.fixture
def deployed(backend) -> AwsBackend:
    backend.deploy()
    return backend


@pytest.fixture(scope="module")
def sample_parquet(tmp_path_factory, sample_xlsx):
    """The real UCI sample as canonical Parquet (what the Data page hands to launch)."""
    path = tmp_path_factory.mktemp("dataset") / "online_retail_sample_40k.parquet"
    load_transactions(sample_xlsx, use_cache=False).transactions.to_parquet(path, index=False)
    return path


def sfn():
    return boto3.client("stepfunctions", region_name=REGION)


# --- packaging -------------------------------------------------------------------------------------


def test_lambda_zip_has_the_handler_at_its_root_and_the_pipeline_modules_it_imports():
    package = build_package("rfm-studio-prepare-rfm")
    archive = zipfile.ZipFile(io.BytesIO(package.zip_bytes))

    assert "handler.py" in archive.namelist()
    assert archive.read("handler.py") == (PROJECT_ROOT / "lambdas/prepare_rfm/handler.py").read_bytes()
    assert {
        "pipeline/__init__.py",
        "pipeline/storage.py",
        "pipeline/analysis/rfm.py",
        "pipeline/loading/dataset.py",
        "pipeline/workflows/clustering/layout.py",  # the run's files, as the reader reads them
        "pipeline/workflows/clustering/checks.py",  # the launch check's rules, applied to the data
    } <= set(archive.namelist())
    for name in archive.namelist():
        if name != "handler.py":
            assert archive.read(name) == (PROJECT_ROOT / name).read_bytes()


def test_lambda_zip_leaves_out_tests_pages_and_modules_the_handler_never_imports():
    names = set(
        zipfile.ZipFile(io.BytesIO(build_package("rfm-studio-evaluate-clusters").zip_bytes)).namelist()
    )

    assert not any(name.startswith(("tests/", "pages/", "benchmarks/", "ui/")) for name in names)
    assert "pipeline/workflows/clustering/layout.py" in names
    for sdk_module in ("build.py", "steps.py", "spec.py"):  # the SDK build never ships to Lambda
        assert f"pipeline/workflows/clustering/{sdk_module}" not in names
    assert "pipeline/workflows/sdk.py" not in names and "pipeline/workflows/registry.py" not in names
    assert "pipeline/backends/aws.py" not in names
    assert not any(name.endswith((".pyc", "secrets.toml")) for name in names)


def test_lambda_zip_is_deterministic():
    first = build_package("rfm-studio-prepare-rfm")
    second = build_package("rfm-studio-prepare-rfm")

    assert first.zip_bytes == second.zip_bytes
    assert first.sha256 == hashlib.sha256(second.zip_bytes).hexdigest()


def test_packaging_follows_relative_and_nested_imports_and_records_third_party_needs(tmp_path):
    (tmp_path / "lambdas" / "fn").mkdir(parents=True)
    (tmp_path / "pipeline" / "sub").mkdir(parents=True)
    for init in ("lambdas", "lambdas/fn", "pipeline", "pipeline/sub"):
        (tmp_path / init / "__init__.py").write_text("")
    (tmp_path / "lambdas/fn/handler.py").write_text(
        "import json\nimport pandas\nfrom pipeline.sub import leaf\n\n"
        "def lambda_handler(event, context):\n    import sklearn\n    return leaf.VALUE\n"
    )
    (tmp_path / "pipeline/sub/leaf.py").write_text(
        "from . import helper\nVALUE = helper.X\n\ndef excel():\n    import python_calamine\n"
    )
    (tmp_path / "pipeline/sub/helper.py").write_text("X = 1\n")
    (tmp_path / "pipeline/unused.py").write_text("import torch\n")

    files, required, optional = collect_sources(tmp_path / "lambdas/fn/handler.py", tmp_path)

    assert sorted(files) == [
        "handler.py",
        "pipeline/__init__.py",
        "pipeline/sub/__init__.py",
        "pipeline/sub/helper.py",
        "pipeline/sub/leaf.py",
    ]
    assert required == ["pandas", "sklearn"]
    assert optional == ["python_calamine"]


def test_the_real_handlers_need_nothing_beyond_the_runtime_and_the_pandas_layer():
    for name in LAMBDA_FUNCTIONS:
        assert build_package(name).missing_on_lambda() == [], name


# --- deploy ------------------------------------------------------------------------------------


def test_deploy_creates_every_workflows_lambda_functions_with_runtime_handler_layer_and_limits(
    backend, account
):
    result = backend.deploy()

    client = boto3.client("lambda", region_name=REGION)
    for name in LAMBDA_FUNCTIONS:
        config = client.get_function(FunctionName=name)["Configuration"]
        assert config["Runtime"] == "python3.11"
        assert config["Handler"] == "handler.lambda_handler"
        assert config["Role"] == account.lambda_role
        assert [layer["Arn"] for layer in config["Layers"]] == [account.layer]
        assert (config["Timeout"], config["MemorySize"]) == (900, 3008)
        assert config["Environment"]["Variables"]["RFM_STORAGE"] == "s3"
    assert sorted(arn.rsplit(":", 1)[-1] for arn in result.functions) == [
        "rfm-studio-evaluate-clusters",
        "rfm-studio-pick-k",
        "rfm-studio-prepare-prices",
        "rfm-studio-prepare-rfm",
        "rfm-studio-score-k",
        "rfm-studio-score-predictions",
        "rfm-studio-validate-rmse",
    ]


def test_deploy_creates_both_workflows_state_machines_with_the_sdks_definitions(backend, account):
    result = backend.deploy()

    machines = {m["name"]: m["stateMachineArn"] for m in sfn().list_state_machines()["stateMachines"]}
    assert machines == {
        "rfm-studio-clustering": result.state_machines["clustering"],
        "rfm-studio-price-regression": result.state_machines["price-regression"],
    }
    deployed = sfn().describe_state_machine(stateMachineArn=machines["rfm-studio-price-regression"])
    expected = price_regression_definition(
        region=REGION,
        bucket=BUCKET,
        prefix="rfm-studio",
        sagemaker_role_arn=account.sagemaker_role,
        workflow_role_arn=account.states_role,
    )
    assert json.loads(deployed["definition"]) == expected
    assert deployed["roleArn"] == account.states_role


def test_deploy_uploads_the_deterministic_zip_as_the_function_code(deployed):
    code = boto3.client("lambda", region_name=REGION).get_function(FunctionName="rfm-studio-prepare-rfm")

    expected = build_package("rfm-studio-prepare-rfm")
    assert code["Configuration"]["CodeSha256"] == base64.b64encode(bytes.fromhex(expected.sha256)).decode()


def test_deployed_state_machine_definition_equals_the_sdks(deployed, account):
    machine = sfn().describe_state_machine(stateMachineArn=deployed.state_machine_arn())

    expected = workflow_definition(
        region=REGION,
        bucket=BUCKET,
        prefix="rfm-studio",
        sagemaker_role_arn=account.sagemaker_role,
        workflow_role_arn=account.states_role,
    )
    assert json.loads(machine["definition"]) == expected
    assert machine["roleArn"] == account.states_role
    assert machine["name"] == "rfm-studio-clustering"


def test_redeploy_updates_the_functions_and_a_changed_state_machine_instead_of_failing(
    deployed, account, monkeypatch
):
    monkeypatch.setenv("RFM_LAMBDA_MEMORY", "4096")
    monkeypatch.setenv(
        "RFM_SAGEMAKER_ROLE_ARN", account.lambda_role
    )  # the training role is in the definition
    again = AwsBackend(AwsSettings.from_environment(secrets_paths=[]))

    result = again.deploy()

    assert all("updated" in message for message in result.messages)
    memory = boto3.client("lambda", region_name=REGION).get_function_configuration(
        FunctionName="rfm-studio-evaluate-clusters"
    )["MemorySize"]
    assert memory == 4096
    machines = sfn().list_state_machines()["stateMachines"]
    assert sorted(m["name"] for m in machines) == ["rfm-studio-clustering", "rfm-studio-price-regression"]
    definition = sfn().describe_state_machine(stateMachineArn=result.state_machine_arn)["definition"]
    assert json.loads(definition) == again.definition()


def test_redeploy_leaves_a_state_machine_with_the_same_definition_and_role_alone(deployed):
    from moto.stepfunctions.models import stepfunctions_backends

    arn = deployed.state_machine_arn()
    machine = stepfunctions_backends["123456789012"][REGION].describe_state_machine(arn)
    machine.update_date = "never updated"  # moto stamps it on every UpdateStateMachine

    result = deployed.deploy()

    assert f"State machine rfm-studio-clustering unchanged: {arn}" in result.messages
    assert machine.update_date == "never updated"


def test_redeploy_recreates_a_state_machine_deleted_since_the_last_deploy(deployed):
    old_arn = deployed.state_machine_arn()
    sfn().delete_state_machine(stateMachineArn=old_arn)

    result = deployed.deploy()

    assert "State machine rfm-studio-clustering created" in "\n".join(result.messages)
    assert "State machine rfm-studio-price-regression unchanged" in "\n".join(result.messages)
    machines = sfn().list_state_machines()["stateMachines"]
    assert sorted(m["name"] for m in machines) == ["rfm-studio-clustering", "rfm-studio-price-regression"]
    assert deployed.state_machine_arn() == result.state_machine_arn


def _lambda_state(name: str, **state: str) -> dict:
    """A GetFunction answer for ``name`` in the given State / LastUpdateStatus."""
    arn = f"arn:aws:lambda:{REGION}:123456789012:function:{name}"
    return {"Configuration": {"FunctionName": name, "FunctionArn": arn, **state}}


def _stubbed_lambda():
    """A real botocore Lambda client whose answers are queued, in call order, by the test."""
    from botocore.stub import Stubber

    client = boto3.client("lambda", region_name=REGION, aws_access_key_id="x", aws_secret_access_key="x")
    return client, Stubber(client)


def test_redeploy_waits_for_an_update_still_in_progress_before_changing_the_function():
    # Lambda refuses any change (ResourceConflictException) while an earlier update runs: a
    # deploy started right after another one must wait for it instead of failing.
    from pipeline.backends.aws_deploy import deploy_function

    settings = AwsSettings(region=REGION, lambda_role_arn="arn:aws:iam::123456789012:role/rfm-lambda")
    package = build_package("rfm-studio-prepare-rfm")
    name = package.function_name
    client, stubber = _stubbed_lambda()
    stubber.add_response("get_function", _lambda_state(name, State="Active", LastUpdateStatus="InProgress"))
    stubber.add_response("get_function", _lambda_state(name, State="Active", LastUpdateStatus="Successful"))
    stubber.add_response("update_function_code", _lambda_state(name)["Configuration"])
    stubber.add_response("get_function", _lambda_state(name, State="Active", LastUpdateStatus="Successful"))
    stubber.add_response("update_function_configuration", _lambda_state(name)["Configuration"])
    stubber.add_response("get_function", _lambda_state(name, State="Active", LastUpdateStatus="Successful"))

    with stubber:
        arn, done = deploy_function(client, settings, package)

    stubber.assert_no_pending_responses()
    assert (arn.endswith(f":function:{name}"), done) == (True, "updated")


def test_an_update_lambda_rejects_reports_lambdas_reason():
    from pipeline.backends.aws_deploy import deploy_function

    settings = AwsSettings(region=REGION, lambda_role_arn="arn:aws:iam::123456789012:role/rfm-lambda")
    package = build_package("rfm-studio-evaluate-clusters")
    name = package.function_name
    reason = "Layer version arn:aws:lambda:us-east-1:336392948345:layer:X:1 does not exist."
    client, stubber = _stubbed_lambda()
    stubber.add_response("get_function", _lambda_state(name, State="Active", LastUpdateStatus="Successful"))
    stubber.add_response("update_function_code", _lambda_state(name)["Configuration"])
    failed = _lambda_state(name, State="Active", LastUpdateStatus="Failed")
    failed["Configuration"]["LastUpdateStatusReason"] = reason
    stubber.add_response("get_function", failed)

    with stubber, pytest.raises(WorkflowError) as error:
        deploy_function(client, settings, package)

    assert f"Lambda function {name}" in str(error.value)
    assert reason in str(error.value)


def test_deploy_without_role_settings_names_every_missing_variable(account, monkeypatch):
    monkeypatch.delenv("RFM_LAMBDA_ROLE_ARN")
    monkeypatch.delenv("RFM_STATES_ROLE_ARN")

    with pytest.raises(PreflightError) as error:
        AwsBackend(AwsSettings.from_environment(secrets_paths=[])).deploy()

    assert "RFM_LAMBDA_ROLE_ARN" in str(error.value)
    assert "RFM_STATES_ROLE_ARN" in str(error.value)


# --- launch and watch --------------------------------------------------------------------------


def test_launch_uploads_the_dataset_as_parquet_under_raw_and_its_hash(deployed, sample_parquet):
    deployed.launch(sample_parquet, ClusteringParameters(k=4))

    data = sample_parquet.read_bytes()
    key = f"rfm-studio/raw/{hashlib.sha256(data).hexdigest()[:16]}.parquet"
    stored = boto3.client("s3", region_name=REGION).get_object(Bucket=BUCKET, Key=key)["Body"].read()
    assert stored == data


def test_launch_converts_a_workbook_to_canonical_parquet(deployed, sample_xlsx, sample_parquet):
    arn = deployed.launch(sample_xlsx, ClusteringParameters())

    data_uri = json.loads(deployed.describe(arn)["input"])["DataUri"]
    key = data_uri.removeprefix(f"s3://{BUCKET}/")
    body = boto3.client("s3", region_name=REGION).get_object(Bucket=BUCKET, Key=key)["Body"].read()
    uploaded = pd.read_parquet(io.BytesIO(body))
    assert len(uploaded) == 40_000
    # the canonical columns, dtypes and rows, as the loader gives them for the same workbook
    pd.testing.assert_frame_equal(uploaded, pd.read_parquet(sample_parquet))
    assert key.startswith("rfm-studio/raw/") and key.endswith(".parquet")


def test_launch_starts_a_uniquely_named_execution_with_the_sdk_input(deployed, sample_parquet):
    params = ClusteringParameters(k=3, quality_threshold=0.1, country="United Kingdom")

    first = deployed.launch(sample_parquet, params, dataset_name="UCI sample")
    second = deployed.launch(sample_parquet, params, dataset_name="UCI sample")

    assert first != second
    described = deployed.describe(first)
    assert described["status"] == "RUNNING"
    data_uri = json.loads(described["input"])["DataUri"]
    expected = execution_input_for(
        described["name"], params, data_uri, BUCKET, "rfm-studio", dataset_name="UCI sample"
    )
    assert json.loads(described["input"]) == expected


def test_list_executions_gives_newest_first_with_parameters_and_dataset(deployed, sample_parquet):
    older = deployed.launch(sample_parquet, ClusteringParameters(k=3), dataset_name="first")
    newer = deployed.launch(sample_parquet, ClusteringParameters(k=6), dataset_name="second")

    items = deployed.list_executions()

    assert [item["executionArn"] for item in items] == [newer, older]
    assert [item["parameters"]["k"] for item in items] == [6, 3]
    assert [item["dataset"] for item in items] == ["second", "first"]
    assert all(item["status"] == "RUNNING" for item in items)


def test_listing_again_describes_only_executions_it_has_not_seen(deployed, sample_parquet, monkeypatch):
    first = deployed.launch(sample_parquet, ClusteringParameters(k=3), dataset_name="first")
    deployed.list_executions()
    described: list[str] = []
    real_describe = deployed.describe
    monkeypatch.setattr(deployed, "describe", lambda arn: described.append(arn) or real_describe(arn))
    second = deployed.launch(sample_parquet, ClusteringParameters(k=4), dataset_name="second")

    items = deployed.list_executions()

    assert described == [second]  # the first run's input was read by the earlier listing
    assert {item["executionArn"]: item["parameters"]["k"] for item in items} == {first: 3, second: 4}


def test_history_returns_every_event_oldest_first(deployed, sample_parquet):
    arn = deployed.launch(sample_parquet, ClusteringParameters())

    events = deployed.history(arn)

    assert events and events[0]["type"] == "ExecutionStarted"
    assert [event["id"] for event in events] == sorted(event["id"] for event in events)


def test_stop_aborts_a_running_execution(deployed, sample_parquet):
    arn = deployed.launch(sample_parquet, ClusteringParameters())

    deployed.stop(arn, cause="changed my mind")

    assert deployed.describe(arn)["status"] == "ABORTED"


def test_results_of_a_succeeded_execution_are_read_from_s3(deployed, sample_parquet):
    from moto.stepfunctions.models import stepfunctions_backends

    arn = deployed.launch(sample_parquet, ClusteringParameters(k=2))
    run_prefix = json.loads(deployed.describe(arn)["input"])["RunPrefix"]
    clusters = pd.DataFrame({"CustomerID": [12346, 12347], "Cluster": [0, 1], "ClusterName": ["A", "B"]})
    s3 = boto3.client("s3", region_name=REGION)
    key_prefix = run_prefix.removeprefix(f"s3://{BUCKET}/")
    s3.put_object(Bucket=BUCKET, Key=f"{key_prefix}/clusters.csv", Body=clusters.to_csv(index=False).encode())
    s3.put_object(
        Bucket=BUCKET, Key=f"{key_prefix}/summary.json", Body=json.dumps({"silhouette": 0.5}).encode()
    )
    # moto runs no task: mark the execution finished in moto's own store, as AWS would.
    stepfunctions_backends["123456789012"][REGION].describe_execution(arn).status = "SUCCEEDED"

    results = deployed.results(arn)

    assert results.clusters["CustomerID"].tolist() == [12346, 12347]
    assert results.summary == {"silhouette": 0.5}
    assert results.location == run_prefix


def test_a_price_regression_run_starts_on_its_own_state_machine_with_its_input(deployed, sample_parquet):
    params = RegressionParameters(rmse_threshold=25.0, num_round=20, eta=0.3, feature_set="extended")

    arn = deployed.launch(sample_parquet, params, dataset_name="UCI sample")

    described = deployed.describe(arn)
    assert described["stateMachineArn"] == deployed.state_machine_arn("price-regression")
    assert described["name"].startswith("price-")
    execution_input = json.loads(described["input"])
    assert (execution_input["RmseThreshold"], execution_input["NumRound"], execution_input["Eta"]) == (
        25.0,
        "20",
        "0.3",
    )
    assert execution_input["FeatureSet"] == "extended"
    listed = {item["executionArn"]: item for item in deployed.list_executions()}
    assert listed[arn]["workflow"] == "price-regression"
    assert listed[arn]["parameters"] == params.to_dict()


def test_results_of_a_succeeded_price_regression_are_read_from_s3(deployed, sample_parquet):
    from moto.stepfunctions.models import stepfunctions_backends

    arn = deployed.launch(sample_parquet, RegressionParameters())
    run_prefix = json.loads(deployed.describe(arn)["input"])["RunPrefix"]
    key_prefix = run_prefix.removeprefix(f"s3://{BUCKET}/")
    predictions = pd.DataFrame(
        {"StockCode": ["85123A"], "UnitPrice": [2.55], "Predicted": [2.5], "Error": [-0.05]}
    )
    stock_codes = pd.DataFrame({"StockCode": ["85123A"], "Lines": [1], "RMSE": [0.05]})
    scores = {"train_rmse": 2.9, "validation_rmse": 26.1, "test_rmse": 3.0, "rmse_threshold": 30.0}
    s3 = boto3.client("s3", region_name=REGION)
    for name, body in (
        ("predictions.csv", predictions.to_csv(index=False).encode()),
        ("stock_codes.csv", stock_codes.to_csv(index=False).encode()),
        ("scores.json", json.dumps(scores).encode()),
    ):
        s3.put_object(Bucket=BUCKET, Key=f"{key_prefix}/{name}", Body=body)
    # moto runs no task: mark the execution finished in moto's own store, as AWS would.
    stepfunctions_backends["123456789012"][REGION].describe_execution(arn).status = "SUCCEEDED"

    results = deployed.results(arn)

    assert results.predictions["StockCode"].tolist() == ["85123A"]
    assert results.stock_codes["RMSE"].tolist() == [0.05]
    assert results.scores == scores
    assert deployed.workflow_of(arn).name == "price-regression"


def test_results_of_a_running_execution_say_it_has_not_succeeded(deployed, sample_parquet):
    arn = deployed.launch(sample_parquet, ClusteringParameters())

    with pytest.raises(WorkflowError, match="is RUNNING, not SUCCEEDED"):
        deployed.results(arn)


def test_launch_before_deploy_says_to_deploy_first(backend, sample_parquet):
    with pytest.raises(WorkflowError, match="python -m pipeline deploy"):
        backend.launch(sample_parquet, ClusteringParameters())


def test_describing_an_unknown_execution_is_a_workflow_error(deployed):
    missing = deployed.state_machine_arn().replace(":stateMachine:", ":execution:") + ":nope"

    with pytest.raises(WorkflowError, match="ExecutionDoesNotExist"):
        deployed.describe(missing)


def test_a_silent_endpoint_gives_a_timeout_error_not_a_hang(monkeypatch):
    fake_credentials(monkeypatch)
    with silent_endpoint() as endpoint:
        env = {
            "RFM_AWS_REGION": REGION,
            "RFM_AWS_ENDPOINT_URL": endpoint,
            "RFM_AWS_READ_TIMEOUT": "0.5",
            "RFM_AWS_CONNECT_TIMEOUT": "0.5",
            "RFM_AWS_MAX_ATTEMPTS": "1",
        }
        backend = AwsBackend(AwsSettings.from_environment(env=env, secrets_paths=[]))
        with pytest.raises(WorkflowError, match=r"did not answer within 0\.5 s"):
            backend.describe("arn:aws:states:us-east-1:123456789012:execution:rfm-studio-clustering:x")


# --- commands ----------------------------------------------------------------------------------


def test_deploy_command_runs_preflight_then_deploys(account, capsys):
    assert main(["deploy"]) == 0

    out = capsys.readouterr().out
    assert "[ok] Credentials" in out
    assert "State machine rfm-studio-clustering created" in out
    assert "State machine rfm-studio-price-regression created" in out
    machines = sfn().list_state_machines()["stateMachines"]
    assert out.splitlines()[-2:] == [m["stateMachineArn"] for m in machines]


def test_deploy_command_stops_with_status_2_when_preflight_fails(account, monkeypatch, capsys):
    monkeypatch.setenv("RFM_AWS_BUCKET", "no-such-rfm-bucket")

    assert main(["deploy"]) == 2

    out = capsys.readouterr().out
    assert "[FAIL] Bucket: Bucket 'no-such-rfm-bucket' does not exist" in out
    assert sfn().list_state_machines()["stateMachines"] == []


def test_export_cfn_writes_the_sdk_template_with_the_state_machine(account, tmp_path):
    out = tmp_path / "template.yaml"

    assert main(["export-cfn", "--out", str(out)]) == 0

    template = yaml.safe_load(out.read_text())
    (machine,) = template["Resources"].values()
    assert machine["Type"] == "AWS::StepFunctions::StateMachine"
    assert machine["Properties"]["RoleArn"] == account.states_role
    assert (
        json.loads(machine["Properties"]["DefinitionString"])
        == AwsBackend(AwsSettings.from_environment(secrets_paths=[])).definition()
    )


def test_export_cfn_of_the_price_regression_workflow_has_its_state_machine(account, capsys):
    assert main(["export-cfn", "--workflow", "price-regression"]) == 0

    template = yaml.safe_load(capsys.readouterr().out)
    (machine,) = template["Resources"].values()
    definition = json.loads(machine["Properties"]["DefinitionString"])
    assert machine["Properties"]["StateMachineName"] == "rfm-studio-price-regression"
    assert definition == AwsBackend(AwsSettings.from_environment(secrets_paths=[])).definition(
        "price-regression"
    )


def test_export_cfn_prints_to_stdout_without_out(account, capsys):
    assert main(["export-cfn"]) == 0

    assert "AWS::StepFunctions::StateMachine" in capsys.readouterr().out


def test_export_cfn_without_settings_prints_the_placeholder_template_and_names_what_to_set(capsys):
    assert main(["export-cfn"]) == 0

    captured = capsys.readouterr()
    (machine,) = yaml.safe_load(captured.out)["Resources"].values()
    assert machine["Properties"]["RoleArn"] == PLACEHOLDER_WORKFLOW_ROLE
    assert (
        json.loads(machine["Properties"]["DefinitionString"]) == AwsBackend().workflow_documents().definition
    )
    assert "placeholder" in captured.err
    assert "RFM_STATES_ROLE_ARN" in captured.err
