"""The price-regression workflow the SDK builds: states, XGBoost training, the RMSE gate, Retry/Catch,
and SageMaker requests that botocore's model accepts."""

from __future__ import annotations

import json
import socket
from pathlib import Path

import pytest
import sagemaker
from botocore.validate import ParamValidator

from pipeline.local.asl.templates import compile_template
from pipeline.local.asl.validation import validate_definition
from pipeline.local.services.request_validation import request_errors
from pipeline.local.services.service_models import input_shape
from pipeline.workflows.price_regression.build import build, build_workflow, workflow_definition
from pipeline.workflows.price_regression.layout import RegressionLayout
from pipeline.workflows.price_regression.parameters import RegressionParameters, execution_input_for
from pipeline.workflows.price_regression.steps import (
    CHOICE_STATE,
    FAILED_STATE,
    MODEL_STATE,
    PREDICT_STATE,
    PREPARE_STATE,
    RMSE_FAIL_STATE,
    SCORE_STATE,
    SUCCEED_STATE,
    TASKS_IN_ORDER,
    TRAIN_STATE,
    VALIDATE_STATE,
)
from pipeline.workflows.spec import BuildSettings

FIXTURES = Path(__file__).parent / "fixtures"
LAMBDA_TASKS = [PREPARE_STATE, VALIDATE_STATE, SCORE_STATE]


@pytest.fixture(scope="module")
def definition() -> dict:
    return workflow_definition(region="eu-west-1", bucket="my-bucket", prefix="studio")


def successful_path(definition: dict) -> list[str]:
    """The states a run visits when every task succeeds and the Choice takes its first branch."""
    states, order = definition["States"], [definition["StartAt"]]
    while True:
        state = states[order[-1]]
        following = state.get("Next") or (state["Choices"][0]["Next"] if state["Type"] == "Choice" else None)
        if following is None:
            return order
        order.append(following)


def test_states_run_prepare_train_save_validate_choose_predict_score_succeed(definition):
    assert successful_path(definition) == [
        PREPARE_STATE,
        TRAIN_STATE,
        MODEL_STATE,
        VALIDATE_STATE,
        CHOICE_STATE,
        PREDICT_STATE,
        SCORE_STATE,
        SUCCEED_STATE,
    ]
    assert set(definition["States"]) == {
        *TASKS_IN_ORDER,
        CHOICE_STATE,
        SUCCEED_STATE,
        RMSE_FAIL_STATE,
        FAILED_STATE,
    }


def test_each_task_calls_the_service_integration_of_its_job(definition):
    resources = {name: definition["States"][name]["Resource"] for name in TASKS_IN_ORDER}
    assert resources == {
        PREPARE_STATE: "arn:aws:states:::lambda:invoke",
        TRAIN_STATE: "arn:aws:states:::sagemaker:createTrainingJob.sync",
        MODEL_STATE: "arn:aws:states:::sagemaker:createModel",
        VALIDATE_STATE: "arn:aws:states:::lambda:invoke",
        PREDICT_STATE: "arn:aws:states:::sagemaker:createTransformJob.sync",
        SCORE_STATE: "arn:aws:states:::lambda:invoke",
    }
    functions = {name: definition["States"][name]["Parameters"]["FunctionName"] for name in LAMBDA_TASKS}
    assert functions == {
        PREPARE_STATE: "rfm-studio-prepare-prices",
        VALIDATE_STATE: "rfm-studio-validate-rmse",
        SCORE_STATE: "rfm-studio-score-predictions",
    }


def test_training_uses_the_builtin_xgboost_1_7_1_image_of_the_region(definition):
    image = definition["States"][TRAIN_STATE]["Parameters"]["AlgorithmSpecification"]["TrainingImage"]
    assert image == sagemaker.image_uris.retrieve("xgboost", "eu-west-1", version="1.7-1")
    assert image.endswith("/sagemaker-xgboost:1.7-1")
    model_image = definition["States"][MODEL_STATE]["Parameters"]["PrimaryContainer"]["Image"]
    assert model_image == image


def test_training_reads_train_and_validation_channels_of_headerless_csv(definition):
    channels = definition["States"][TRAIN_STATE]["Parameters"]["InputDataConfig"]
    assert [(c["ChannelName"], c["ContentType"]) for c in channels] == [
        ("train", "text/csv"),
        ("validation", "text/csv"),
    ]
    assert [c["DataSource"]["S3DataSource"]["S3Uri.$"] for c in channels] == [
        "$['prepare']['Payload']['train_uri']",
        "$['prepare']['Payload']['validation_uri']",
    ]


def test_hyperparameters_are_strings_the_tunable_ones_from_the_execution_input(definition):
    hyper = definition["States"][TRAIN_STATE]["Parameters"]["HyperParameters"]
    assert hyper == {
        "num_round.$": "$$.Execution.Input['NumRound']",
        "max_depth.$": "$$.Execution.Input['MaxDepth']",
        "eta.$": "$$.Execution.Input['Eta']",
        "gamma": "4",
        "min_child_weight": "6",
        "subsample": "0.7",
        "objective": "reg:squarederror",
    }


def test_validate_rmse_gets_the_training_jobs_final_metrics_from_the_state_not_from_sagemaker(definition):
    payload = definition["States"][VALIDATE_STATE]["Parameters"]["Payload"]
    assert payload == {
        "TrainingJobName.$": "$$.Execution.Input['TrainingJobName']",
        "RmseThreshold.$": "$$.Execution.Input['RmseThreshold']",
        "FinalMetricDataList.$": "$['training']['FinalMetricDataList']",
    }


def test_the_choice_compares_the_validation_rmse_with_the_threshold_as_numbers(definition):
    choice = definition["States"][CHOICE_STATE]
    assert choice["Choices"] == [
        {
            "Variable": "$.rmse.Payload.validation_rmse",
            "NumericLessThanEqualsPath": "$.RmseThreshold",
            "Next": PREDICT_STATE,
        }
    ]
    assert choice["Default"] == RMSE_FAIL_STATE


def test_a_too_high_rmse_fails_with_a_cause_naming_the_rmse_and_the_threshold(definition):
    fail = definition["States"][RMSE_FAIL_STATE]
    assert fail["Type"] == "Fail"
    assert fail["Error"] == "RmseTooHigh"
    assert fail["CausePath"].startswith("States.Format('Validation RMSE {} is above the threshold {}:")
    assert fail["CausePath"].endswith(", $.rmse.Payload.validation_rmse, $.RmseThreshold)")


def test_the_transform_predicts_the_test_features_as_csv_one_line_each(definition):
    params = definition["States"][PREDICT_STATE]["Parameters"]
    assert params["TransformInput"]["ContentType"] == "text/csv"
    assert params["TransformInput"]["SplitType"] == "Line"
    assert (
        params["TransformInput"]["DataSource"]["S3DataSource"]["S3Uri.$"]
        == "$['prepare']['Payload']['test_uri']"
    )
    assert params["TransformOutput"]["Accept"] == "text/csv"
    assert params["TransformOutput"]["AssembleWith"] == "Line"
    assert params["ModelName.$"] == "$$.Execution.Input['ModelName']"


def test_scoring_gets_the_predictions_held_out_rows_model_and_rmses(definition):
    payload = definition["States"][SCORE_STATE]["Parameters"]["Payload"]
    assert payload["TransformOutputUri.$"] == "$['prepare']['Payload']['transform_output_uri']"
    assert payload["TestRowsUri.$"] == "$['prepare']['Payload']['test_rows_uri']"
    assert payload["ModelUri.$"] == "$['training']['ModelArtifacts']['S3ModelArtifacts']"
    assert payload["ValidationRmse.$"] == "$['rmse']['Payload']['validation_rmse']"
    assert definition["States"][SUCCEED_STATE] == {"Type": "Succeed", "OutputPath": "$.scoring.Payload"}


def test_each_task_keeps_its_input_and_stores_its_result_under_its_own_key(definition):
    result_paths = {name: definition["States"][name]["ResultPath"] for name in TASKS_IN_ORDER}
    assert result_paths == {
        PREPARE_STATE: "$.prepare",
        TRAIN_STATE: "$.training",
        MODEL_STATE: None,
        VALIDATE_STATE: "$.rmse",
        PREDICT_STATE: "$.transform",
        SCORE_STATE: "$.scoring",
    }


@pytest.mark.parametrize("state", LAMBDA_TASKS)
def test_lambda_steps_retry_like_clusterings_and_never_retry_bad_data(definition, state):
    clustering = json.loads((FIXTURES / "clustering-eu-west-1.asl.json").read_text())
    assert definition["States"][state]["Retry"] == clustering["States"]["Prepare RFM features"]["Retry"]
    assert definition["States"][state]["Retry"][0] == {"ErrorEquals": ["DataError"], "MaxAttempts": 0}


@pytest.mark.parametrize("state", TASKS_IN_ORDER)
def test_every_task_routes_any_error_to_the_failure_state_keeping_it(definition, state):
    assert definition["States"][state]["Catch"] == [
        {"ErrorEquals": ["States.ALL"], "ResultPath": "$.error", "Next": FAILED_STATE}
    ]
    failed = definition["States"][FAILED_STATE]
    assert (failed["ErrorPath"], failed["CausePath"]) == ("$.error.Error", "$.error.Cause")


def test_definition_passes_the_local_engine_validation(definition):
    validate_definition(definition)


def _sagemaker_requests() -> dict[str, tuple[str, dict]]:
    """Each SageMaker task's Parameters as the engine resolves them for a real-shaped run."""
    built = build(BuildSettings(region="eu-west-1", bucket="my-bucket", prefix="studio"))
    states = built.definition()["States"]
    run = "price-20240101-000000-abcdef12"
    execution_input = execution_input_for(
        run, RegressionParameters(), "s3://my-bucket/studio/raw/0123.parquet", "my-bucket", "studio"
    )
    layout = RegressionLayout(execution_input["RunPrefix"])
    model = f"{layout.model_output_uri}/{execution_input['TrainingJobName']}/output/model.tar.gz"
    data = {
        **execution_input,
        "prepare": {"Payload": layout.prepare_uris()},
        "training": {"ModelArtifacts": {"S3ModelArtifacts": model}},
    }
    context = {"Execution": {"Input": execution_input}}
    operations = {
        TRAIN_STATE: "CreateTrainingJob",
        MODEL_STATE: "CreateModel",
        PREDICT_STATE: "CreateTransformJob",
    }
    return {
        state: (operation, compile_template(states[state]["Parameters"]).build(data, context))
        for state, operation in operations.items()
    }


@pytest.mark.parametrize("state", [TRAIN_STATE, MODEL_STATE, PREDICT_STATE])
def test_each_sagemaker_request_passes_botocores_parameter_validation(state):
    operation, request = _sagemaker_requests()[state]

    report = ParamValidator().validate(request, input_shape("sagemaker", operation))

    assert not report.has_errors(), report.generate_report()
    assert request_errors("sagemaker", operation, request) == []  # plus enums, patterns, maxima


def test_building_needs_no_credentials_and_no_network(monkeypatch):
    def no_network(*args, **kwargs):
        raise AssertionError(f"network access while building the workflow: {args}")

    monkeypatch.setattr(socket.socket, "connect", no_network)
    monkeypatch.setattr(socket, "create_connection", no_network)
    workflow = build_workflow(region="us-west-2")
    assert workflow.definition.to_dict()["StartAt"] == PREPARE_STATE


def test_the_definition_text_is_byte_identical_to_the_recorded_one():
    # What CreateStateMachine receives: a change here must be intended (then record it anew).
    built = build(BuildSettings(region="eu-west-1", bucket="my-bucket", prefix="studio"))

    assert built.definition_json() == (FIXTURES / "price-regression-eu-west-1.asl.json").read_text()
