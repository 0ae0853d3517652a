"""The local engine's Task resources: Lambda as AWS invokes it, the SageMaker trio, and what it refuses."""

from __future__ import annotations

import json
import textwrap

import numpy as np
import pytest
from sklearn.metrics import pairwise_distances_argmin

from pipeline.local.asl.errors import StatesError
from pipeline.local.services.resources import LocalResources
from pipeline.storage import default_storage
from pipeline.workflows.kmeans_ndarray import read_kmeans_model_tar
from pipeline.workflows.lambda_names import import_handler, parse_function_name, resolve_function_name
from pipeline.workflows.registry import LAMBDA_FUNCTIONS

LAMBDA_INVOKE = "arn:aws:states:::lambda:invoke"
FUNCTION_ARN = "arn:aws:lambda:us-east-1:123456789012:function:echo"


class QuotaExceeded(Exception):
    """A handler-defined exception, to check that its own type name becomes the Error."""


def echo(event, context):
    return {"event": event, "function": context.function_name, "request": context.aws_request_id}


def context_probe(event, context):
    return {
        "memory": context.memory_limit_in_mb,
        "remaining": context.get_remaining_time_in_millis(),
        "arn": context.invoked_function_arn,
    }


def fails(event, context):
    raise QuotaExceeded(f"too many customers: {event['n']}")


def mutates(event, context):
    event["added"] = True
    return event


def returns_a_set(event, context):
    return {1, 2}


def exits(event, context):
    raise SystemExit(1)


@pytest.fixture
def resources() -> LocalResources:
    return LocalResources(
        functions={
            "echo": echo,
            "probe": context_probe,
            "fails": fails,
            "mutates": mutates,
            "bad-result": returns_a_set,
            "exits": exits,
        }
    )


def failure(resources, resource, parameters, state_name="Task") -> StatesError:
    with pytest.raises(StatesError) as caught:
        resources.invoke(resource, parameters, state_name=state_name, timeout=60)
    return caught.value


# --- Lambda ---------------------------------------------------------------------------------


def test_lambda_invoke_returns_the_integration_shape(resources):
    result = resources.invoke(
        LAMBDA_INVOKE, {"FunctionName": "echo", "Payload": {"k": 3}}, state_name="Prepare", timeout=60
    )
    assert set(result) == {
        "ExecutedVersion",
        "Payload",
        "SdkHttpMetadata",
        "SdkResponseMetadata",
        "StatusCode",
    }
    assert result["StatusCode"] == 200
    assert result["ExecutedVersion"] == "$LATEST"
    assert result["SdkHttpMetadata"]["HttpStatusCode"] == 200
    assert result["SdkResponseMetadata"]["RequestId"] == result["Payload"]["request"]


def test_lambda_handler_receives_the_payload_and_a_named_context(resources):
    result = resources.invoke(
        LAMBDA_INVOKE, {"FunctionName": "echo", "Payload": {"k": 3}}, state_name="S", timeout=60
    )
    assert result["Payload"]["event"] == {"k": 3}
    assert result["Payload"]["function"] == "echo"


def test_lambda_context_reports_memory_and_remaining_time(resources):
    payload = resources.invoke(LAMBDA_INVOKE, {"FunctionName": "probe"}, state_name="S", timeout=30)[
        "Payload"
    ]
    assert int(payload["memory"]) > 0
    assert 0 < payload["remaining"] <= 30_000
    assert payload["arn"].endswith(":function:probe")


def test_lambda_handler_cannot_mutate_the_states_parameters(resources):
    parameters = {"FunctionName": "mutates", "Payload": {"k": 3}}
    result = resources.invoke(LAMBDA_INVOKE, parameters, state_name="S", timeout=60)
    assert result["Payload"] == {"k": 3, "added": True}
    assert parameters["Payload"] == {"k": 3}


@pytest.mark.parametrize("name", ["echo", "echo:live", "echo:$LATEST", FUNCTION_ARN, FUNCTION_ARN + ":7"])
def test_function_name_may_be_a_name_alias_or_arn(resources, name):
    result = resources.invoke(
        LAMBDA_INVOKE, {"FunctionName": name, "Payload": {}}, state_name="S", timeout=60
    )
    assert result["Payload"]["function"] == "echo"


def test_a_lambda_arn_as_resource_returns_the_handlers_result_directly(resources):
    result = resources.invoke(FUNCTION_ARN, {"k": 3}, state_name="S", timeout=60)
    assert result["event"] == {"k": 3}


def test_a_handler_exception_fails_the_task_with_its_type_name(resources):
    error = failure(resources, LAMBDA_INVOKE, {"FunctionName": "fails", "Payload": {"n": 9}})
    assert error.error == "QuotaExceeded"


def test_a_handler_exception_cause_is_lambdas_error_document(resources):
    error = failure(resources, LAMBDA_INVOKE, {"FunctionName": "fails", "Payload": {"n": 9}})
    cause = json.loads(error.cause)
    assert set(cause) == {"errorMessage", "errorType", "requestId", "stackTrace"}
    assert cause["errorMessage"] == "too many customers: 9"
    assert cause["errorType"] == "QuotaExceeded"
    assert any("in fails" in frame for frame in cause["stackTrace"])


def test_an_unknown_function_is_resource_not_found(resources):
    error = failure(resources, LAMBDA_INVOKE, {"FunctionName": "rfm-studio-nope", "Payload": {}})
    assert error.error == "Lambda.ResourceNotFoundException"
    assert "rfm-studio-nope" in error.cause


def test_a_result_that_is_not_json_is_a_marshal_error(resources):
    error = failure(resources, LAMBDA_INVOKE, {"FunctionName": "bad-result", "Payload": {}})
    assert error.error == "Runtime.MarshalError"
    assert "Unable to marshal response" in json.loads(error.cause)["errorMessage"]


def test_a_handler_that_exits_the_process_is_a_runtime_exit_error(resources):
    error = failure(resources, LAMBDA_INVOKE, {"FunctionName": "exits", "Payload": {}})
    assert error.error == "Runtime.ExitError"
    assert "exit status 1" in json.loads(error.cause)["errorMessage"]


def test_an_event_invocation_returns_202_without_payload(resources):
    parameters = {"FunctionName": "echo", "Payload": {}, "InvocationType": "Event"}
    result = resources.invoke(LAMBDA_INVOKE, parameters, state_name="S", timeout=60)
    assert result["StatusCode"] == 202
    assert "Payload" not in result


def test_string_handlers_are_imported_at_invoke_time(tmp_path, monkeypatch):
    (tmp_path / "late_handler.py").write_text(
        textwrap.dedent(
            """
            def lambda_handler(event, context):
                return {"doubled": event["x"] * 2}
            """
        )
    )
    resources = LocalResources(functions={"late": "late_handler:lambda_handler"})  # not importable yet
    monkeypatch.syspath_prepend(str(tmp_path))
    result = resources.invoke(
        LAMBDA_INVOKE, {"FunctionName": "late", "Payload": {"x": 21}}, state_name="S", timeout=5
    )
    assert result["Payload"] == {"doubled": 42}


def test_a_handler_module_that_cannot_be_imported_is_an_import_module_error():
    resources = LocalResources(functions={"ghost": "no_such_module_anywhere.handler:lambda_handler"})
    error = failure(resources, LAMBDA_INVOKE, {"FunctionName": "ghost", "Payload": {}})
    assert error.error == "Runtime.ImportModuleError"
    assert "no_such_module_anywhere" in json.loads(error.cause)["errorMessage"]


def test_the_registry_names_the_studios_functions():
    assert LAMBDA_FUNCTIONS == {
        "rfm-studio-prepare-rfm": "lambdas.prepare_rfm.handler:lambda_handler",
        "rfm-studio-score-k": "lambdas.score_k.handler:lambda_handler",
        "rfm-studio-pick-k": "lambdas.pick_k.handler:lambda_handler",
        "rfm-studio-evaluate-clusters": "lambdas.evaluate_clusters.handler:lambda_handler",
        "rfm-studio-prepare-prices": "lambdas.prepare_prices.handler:lambda_handler",
        "rfm-studio-validate-rmse": "lambdas.validate_rmse.handler:lambda_handler",
        "rfm-studio-score-predictions": "lambdas.score_predictions.handler:lambda_handler",
    }


@pytest.mark.parametrize("target", sorted(LAMBDA_FUNCTIONS.values()))
def test_every_registered_function_resolves_to_a_callable_handler(target):
    assert callable(import_handler(target))


@pytest.mark.parametrize(
    "given, expected",
    [
        ("rfm-studio-prepare-rfm", ("rfm-studio-prepare-rfm", None)),
        ("rfm-studio-prepare-rfm:prod", ("rfm-studio-prepare-rfm", "prod")),
        (
            "arn:aws:lambda:eu-west-1:123456789012:function:rfm-studio-prepare-rfm",
            ("rfm-studio-prepare-rfm", None),
        ),
        (
            "arn:aws:lambda:eu-west-1:123456789012:function:rfm-studio-prepare-rfm:3",
            ("rfm-studio-prepare-rfm", "3"),
        ),
        ("123456789012:function:rfm-studio-prepare-rfm", ("rfm-studio-prepare-rfm", None)),
    ],
)
def test_function_names_parse_like_lambda_accepts_them(given, expected):
    assert parse_function_name(given) == expected
    assert resolve_function_name(given) == expected[0]


def test_a_malformed_function_name_is_rejected():
    with pytest.raises(ValueError, match="not a Lambda function name"):
        parse_function_name("arn:aws:s3:::bucket")


# --- SageMaker ------------------------------------------------------------------------------

BUCKET = "s3://rfm-studio-local/runs/e2e"
KMEANS_IMAGE = (
    "382416733822.dkr.ecr.us-east-1.amazonaws.com/kmeans:1"  # image_uris.retrieve("kmeans", "us-east-1")
)


def training_parameters(job: str) -> dict:
    return {
        "AlgorithmSpecification": {
            "TrainingImage": KMEANS_IMAGE,
            "TrainingInputMode": "File",
        },
        "OutputDataConfig": {"S3OutputPath": f"{BUCKET}/model"},
        "StoppingCondition": {"MaxRuntimeInSeconds": 86400},
        "ResourceConfig": {"VolumeSizeInGB": 30, "InstanceCount": 1, "InstanceType": "ml.m5.large"},
        "RoleArn": "arn:aws:iam::000000000000:role/rfm-studio",
        "InputDataConfig": [
            {
                "DataSource": {
                    "S3DataSource": {
                        "S3DataType": "S3Prefix",
                        "S3Uri": f"{BUCKET}/train/",
                        "S3DataDistributionType": "FullyReplicated",
                    }
                },
                "ContentType": "text/csv;label_size=0",
                "ChannelName": "train",
            }
        ],
        "HyperParameters": {"k": "4", "feature_dim": "3", "mini_batch_size": "50", "init_method": "kmeans++"},
        "TrainingJobName": job,
    }


@pytest.fixture
def features() -> np.ndarray:
    rows = np.random.default_rng(5).normal(size=(60, 3)).round(5)
    default_storage().write_bytes(
        f"{BUCKET}/train/features.csv", "".join(",".join(map(str, r)) + "\n" for r in rows).encode()
    )
    return rows


def test_train_model_transform_end_to_end_through_the_resources(features):
    resources = LocalResources()
    trained = resources.invoke(
        "arn:aws:states:::sagemaker:createTrainingJob.sync",
        training_parameters("e2e-train"),
        state_name="Train",
        timeout=None,
    )
    artifact = trained["ModelArtifacts"]["S3ModelArtifacts"]
    model = resources.invoke(
        "arn:aws:states:::sagemaker:createModel",
        {
            "ExecutionRoleArn": "arn:aws:iam::000000000000:role/rfm-studio",
            "ModelName": "e2e-model",
            "PrimaryContainer": {"Environment": {}, "Image": KMEANS_IMAGE, "ModelDataUrl": artifact},
        },
        state_name="Save model",
        timeout=None,
    )
    assert model["ModelArn"].endswith(":model/e2e-model")
    transformed = resources.invoke(
        "arn:aws:states:::sagemaker:createTransformJob.sync",
        {
            "TransformJobName": "e2e-transform",
            "ModelName": "e2e-model",
            "TransformInput": {
                "DataSource": {"S3DataSource": {"S3DataType": "S3Prefix", "S3Uri": f"{BUCKET}/train/"}},
                "ContentType": "text/csv",
                "SplitType": "Line",
            },
            "TransformOutput": {
                "S3OutputPath": f"{BUCKET}/assign",
                "AssembleWith": "Line",
                "Accept": "application/jsonlines",
            },
            "TransformResources": {"InstanceCount": 1, "InstanceType": "ml.m5.large"},
        },
        state_name="Assign clusters",
        timeout=None,
    )
    assert transformed["TransformJobStatus"] == "Completed"
    storage = default_storage()
    lines = storage.read_bytes(f"{BUCKET}/assign/features.csv.out").decode().splitlines()
    assert len(lines) == len(features)
    centroids = read_kmeans_model_tar(storage.read_bytes(artifact))
    assert [json.loads(line)["closest_cluster"] for line in lines] == list(
        map(float, pairwise_distances_argmin(features, centroids))
    )


def test_training_without_sync_returns_only_the_job_arn(features):
    result = LocalResources().invoke(
        "arn:aws:states:::sagemaker:createTrainingJob",
        training_parameters("async-train"),
        state_name="T",
        timeout=None,
    )
    assert result == {"TrainingJobArn": "arn:aws:sagemaker:us-east-1:000000000000:training-job/async-train"}


def test_a_failed_training_job_fails_the_task_with_states_task_failed_and_its_description():
    error = failure(
        LocalResources(), "arn:aws:states:::sagemaker:createTrainingJob.sync", training_parameters("no-data")
    )
    assert error.error == "States.TaskFailed"
    described = json.loads(error.cause)
    assert described["TrainingJobName"] == "no-data"
    assert described["TrainingJobStatus"] == "Failed"
    assert described["FailureReason"].startswith("ClientError: channel 'train' has no data")


def test_without_sync_a_job_that_fails_later_still_returns_its_arn():
    result = LocalResources().invoke(
        "arn:aws:states:::sagemaker:createTrainingJob",
        training_parameters("no-data-async"),
        state_name="T",
        timeout=None,
    )
    assert result == {"TrainingJobArn": "arn:aws:sagemaker:us-east-1:000000000000:training-job/no-data-async"}


def test_a_refused_sagemaker_request_keeps_its_aws_error_name():
    parameters = training_parameters("bad-image")
    parameters["AlgorithmSpecification"]["TrainingImage"] = (
        "123456789012.dkr.ecr.us-east-1.amazonaws.com/mine:1"
    )
    error = failure(LocalResources(), "arn:aws:states:::sagemaker:createTrainingJob.sync", parameters)
    assert error.error == "SageMaker.AmazonSageMakerException"


# --- what the local backend cannot run ------------------------------------------------------


@pytest.mark.parametrize(
    "resource",
    [
        "arn:aws:states:::dynamodb:putItem",
        "arn:aws:states:::sagemaker:createEndpoint",
        "arn:aws:states:::lambda:invoke.waitForTaskToken",
        "arn:aws:ecs:us-east-1:123456789012:task/whatever",
    ],
)
def test_an_unsupported_resource_fails_naming_it_and_the_state(resources, resource):
    error = failure(resources, resource, {}, state_name="Store results")
    assert error.error == "States.TaskFailed"
    assert resource in error.cause
    assert "Store results" in error.cause
    assert "cannot run" in error.cause
