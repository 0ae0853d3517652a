"""The clustering workflow the SDK builds: its states, resources, paths, Retry/Catch and Choice."""

from __future__ import annotations

import json
import socket
from pathlib import Path

import pytest
import sagemaker

from pipeline.errors import DataError
from pipeline.local.asl.validation import validate_definition
from pipeline.workflows.clustering.build import build, build_workflow, workflow_definition
from pipeline.workflows.clustering.steps import (
    CHOICE_STATE,
    EVALUATE_STATE,
    FAILED_STATE,
    MODEL_STATE,
    PREPARE_STATE,
    QUALITY_FAIL_STATE,
    SUCCEED_STATE,
    TRAIN_STATE,
    TRANSFORM_STATE,
)
from pipeline.workflows.clustering.sweep_steps import PICK_STATE, SWEEP_CHOICE_STATE, SWEEP_STATE
from pipeline.workflows.sdk import NON_RETRYABLE_ERRORS
from pipeline.workflows.spec import BuildSettings

FIXTURES = Path(__file__).parent / "fixtures"

TASKS = [PREPARE_STATE, TRAIN_STATE, MODEL_STATE, TRANSFORM_STATE, EVALUATE_STATE]


@pytest.fixture(scope="module")
def definition() -> dict:
    return workflow_definition(region="eu-west-1", bucket="my-bucket", prefix="studio")


def test_a_fixed_k_runs_prepare_train_save_assign_evaluate_then_choose(definition):
    order = [definition["StartAt"]]
    while True:
        state = definition["States"][order[-1]]
        following = state.get("Next") or (state.get("Default") if state["Type"] == "Choice" else None)
        if following is None or following == CHOICE_STATE:
            break
        order.append(following)
    assert order == [PREPARE_STATE, SWEEP_CHOICE_STATE, *TASKS[1:]]
    assert definition["States"][EVALUATE_STATE]["Next"] == CHOICE_STATE
    assert set(definition["States"]) == {
        *TASKS,
        CHOICE_STATE,
        SUCCEED_STATE,
        QUALITY_FAIL_STATE,
        FAILED_STATE,
        SWEEP_CHOICE_STATE,
        SWEEP_STATE,
        PICK_STATE,
    }


def test_each_task_calls_the_service_integration_of_its_job(definition):
    resources = {name: definition["States"][name]["Resource"] for name in TASKS}
    assert resources == {
        PREPARE_STATE: "arn:aws:states:::lambda:invoke",
        TRAIN_STATE: "arn:aws:states:::sagemaker:createTrainingJob.sync",
        MODEL_STATE: "arn:aws:states:::sagemaker:createModel",
        TRANSFORM_STATE: "arn:aws:states:::sagemaker:createTransformJob.sync",
        EVALUATE_STATE: "arn:aws:states:::lambda:invoke",
    }
    assert definition["States"][PREPARE_STATE]["Parameters"]["FunctionName"] == "rfm-studio-prepare-rfm"
    assert (
        definition["States"][EVALUATE_STATE]["Parameters"]["FunctionName"] == "rfm-studio-evaluate-clusters"
    )


def test_training_uses_the_builtin_kmeans_image_on_headerless_csv(definition):
    params = definition["States"][TRAIN_STATE]["Parameters"]
    assert params["AlgorithmSpecification"]["TrainingImage"] == sagemaker.image_uris.retrieve(
        "kmeans", "eu-west-1"
    )
    [channel] = params["InputDataConfig"]
    assert channel["ChannelName"] == "train"
    assert channel["ContentType"] == "text/csv;label_size=0"
    assert channel["DataSource"]["S3DataSource"]["S3Uri.$"] == "$['prepare']['Payload']['train_uri']"
    assert params["OutputDataConfig"]["S3OutputPath.$"] == "$['prepare']['Payload']['model_output_uri']"


def test_k_comes_from_the_execution_input_and_feature_dim_is_three(definition):
    hyper = definition["States"][TRAIN_STATE]["Parameters"]["HyperParameters"]
    assert hyper["k.$"] == "$$.Execution.Input['K']"
    assert hyper["feature_dim"] == "3"
    assert all(isinstance(value, str) for value in hyper.values())  # SageMaker wants strings


def test_job_and_model_names_come_from_the_execution_input(definition):
    states = definition["States"]
    assert states[TRAIN_STATE]["Parameters"]["TrainingJobName.$"] == "$$.Execution.Input['TrainingJobName']"
    assert states[MODEL_STATE]["Parameters"]["ModelName.$"] == "$$.Execution.Input['ModelName']"
    assert states[TRANSFORM_STATE]["Parameters"]["ModelName.$"] == "$$.Execution.Input['ModelName']"
    assert (
        states[TRANSFORM_STATE]["Parameters"]["TransformJobName.$"]
        == "$$.Execution.Input['TransformJobName']"
    )


def test_model_is_saved_from_the_training_artifact(definition):
    container = definition["States"][MODEL_STATE]["Parameters"]["PrimaryContainer"]
    assert container["ModelDataUrl.$"] == "$['training']['ModelArtifacts']['S3ModelArtifacts']"
    assert container["Image"] == sagemaker.image_uris.retrieve("kmeans", "eu-west-1")


def test_transform_writes_json_lines_one_per_feature_line(definition):
    params = definition["States"][TRANSFORM_STATE]["Parameters"]
    assert params["TransformInput"]["SplitType"] == "Line"
    assert params["TransformInput"]["ContentType"] == "text/csv"
    assert (
        params["TransformInput"]["DataSource"]["S3DataSource"]["S3Uri.$"]
        == "$['prepare']['Payload']['train_uri']"
    )
    assert params["TransformOutput"]["Accept"] == "application/jsonlines"
    assert params["TransformOutput"]["AssembleWith"] == "Line"
    assert params["TransformOutput"]["S3OutputPath.$"] == "$['prepare']['Payload']['assignments_uri']"


def test_each_task_keeps_its_input_and_stores_its_result_under_its_own_key(definition):
    result_paths = {name: definition["States"][name]["ResultPath"] for name in TASKS}
    assert result_paths == {
        PREPARE_STATE: "$.prepare",
        TRAIN_STATE: "$.training",
        MODEL_STATE: None,
        TRANSFORM_STATE: "$.transform",
        EVALUATE_STATE: "$.evaluation",
    }


@pytest.mark.parametrize("state", [PREPARE_STATE, EVALUATE_STATE])
def test_lambda_steps_retry_service_errors_and_task_failures_but_not_bad_data(definition, state):
    retries = definition["States"][state]["Retry"]
    by_error = {error: retry for retry in retries for error in retry["ErrorEquals"]}
    for error in (
        "Lambda.ServiceException",
        "Lambda.AWSLambdaException",
        "Lambda.SdkClientException",
        "Lambda.TooManyRequestsException",
        "States.TaskFailed",
    ):
        assert by_error[error]["MaxAttempts"] >= 1
        assert by_error[error]["IntervalSeconds"] >= 1
        assert by_error[error]["BackoffRate"] >= 1.0
    assert by_error["DataError"]["MaxAttempts"] == 0
    assert retries.index(by_error["DataError"]) == 0  # first match wins: bad data is never retried


@pytest.mark.parametrize("state", TASKS)
def test_every_task_routes_any_error_to_the_failure_state_keeping_it(definition, state):
    [catch] = definition["States"][state]["Catch"]
    assert catch == {"ErrorEquals": ["States.ALL"], "ResultPath": "$.error", "Next": FAILED_STATE}


def test_failure_state_reports_the_caught_error(definition):
    failed = definition["States"][FAILED_STATE]
    assert failed["Type"] == "Fail"
    assert failed["ErrorPath"] == "$.error.Error"
    assert failed["CausePath"] == "$.error.Cause"


def test_choice_compares_the_silhouette_with_the_threshold_of_the_input(definition):
    choice = definition["States"][CHOICE_STATE]
    assert choice["Choices"] == [
        {
            "Variable": "$.evaluation.Payload.silhouette",
            "NumericGreaterThanEqualsPath": "$.QualityThreshold",
            "Next": SUCCEED_STATE,
        }
    ]
    assert choice["Default"] == QUALITY_FAIL_STATE


def test_low_quality_fails_with_a_cause_that_says_so(definition):
    fail = definition["States"][QUALITY_FAIL_STATE]
    assert fail["Error"] == "ClusterQualityTooLow"
    assert fail["CausePath"].startswith("States.Format('Cluster quality too low:")
    assert "$.evaluation.Payload.silhouette" in fail["CausePath"]


def test_success_outputs_the_evaluation(definition):
    assert definition["States"][SUCCEED_STATE] == {"Type": "Succeed", "OutputPath": "$.evaluation.Payload"}


def test_definition_passes_the_local_engine_validation(definition):
    validate_definition(definition)


def test_building_needs_no_credentials_and_no_network(monkeypatch, tmp_path):
    for name in (
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
        "AWS_PROFILE",
        "AWS_REGION",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")

    def no_network(*args, **kwargs):
        raise AssertionError(f"network access while building the workflow: {args}")

    monkeypatch.setattr(socket.socket, "connect", no_network)
    monkeypatch.setattr(socket, "create_connection", no_network)
    workflow = build_workflow(region="us-west-2")
    assert workflow.definition.to_dict()["StartAt"] == PREPARE_STATE


def test_the_definition_text_is_byte_identical_to_the_recorded_one():
    # What CreateStateMachine receives: a change here must be intended (then record it anew).
    built = build(BuildSettings(region="eu-west-1", bucket="my-bucket", prefix="studio"))

    assert built.definition_json() == (FIXTURES / "clustering-eu-west-1.asl.json").read_text()


def test_bad_input_is_never_retried_because_the_handlers_raise_data_error():
    assert NON_RETRYABLE_ERRORS == [DataError.__name__] == ["DataError"]


def test_every_sdk_workflow_made_from_one_build_has_the_same_definition_and_no_state_machine():
    built = build(BuildSettings())

    first = built.sdk_workflow(state_machine_arn="arn:aws:states:local:000000000000:stateMachine:a")
    second = built.sdk_workflow()

    assert first is not second
    assert second.state_machine_arn is None  # binding one never binds another
    assert first.definition.to_json(pretty=True) == second.definition.to_json(pretty=True)
    assert json.loads(built.definition_json()) == built.definition()


def test_changing_a_returned_definition_does_not_change_the_build():
    built = build(BuildSettings())

    built.definition()["States"].clear()

    assert PREPARE_STATE in built.definition()["States"]
