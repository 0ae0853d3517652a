"""Requests to the local SageMaker and Lambda stand-ins are checked against botocore's service models.

The differential tests put the same requests through botocore's own ``ParamValidator`` and
through ``request_validation``: the clustering workflow's requests exactly as the engine resolved
them in a real run on the real sample, and a table of deliberate mistakes. Wherever botocore
has an opinion the two agree; the enum, pattern and maximum cases botocore does not check are
rejected by ours alone, naming the member as AWS does.
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass
from typing import Any

import pytest
from botocore.validate import ParamValidator

from pipeline.backends.local import LocalBackend
from pipeline.config import LOCAL_BUCKET
from pipeline.local.asl.errors import StatesError
from pipeline.local.client import LocalStepFunctionsClient, wait_for_status
from pipeline.local.services.request_validation import (
    LAMBDA_ERROR,
    lambda_invoke_request,
    request_errors,
    validate_lambda_invoke,
    validate_sagemaker_request,
)
from pipeline.local.services.resources import LocalResources
from pipeline.local.services.sagemaker import (
    create_model,
    create_training_job_sync,
    create_transform_job_sync,
)
from pipeline.local.services.service_models import input_shape
from pipeline.storage import default_storage
from pipeline.workflows.clustering.build import workflow_definition
from pipeline.workflows.clustering.parameters import ClusteringParameters, execution_input_for
from pipeline.workflows.clustering.steps import (
    FAILED_STATE,
    MODEL_STATE,
    PREPARE_STATE,
    TRAIN_STATE,
    TRANSFORM_STATE,
)
from pipeline.workflows.clustering.sweep_steps import SWEEP_CHOICE_STATE
from pipeline.workflows.runs import DEFAULT_PREFIX

RUN_TIMEOUT = 180
SAGEMAKER_ERROR = "SageMaker.AmazonSageMakerException"
#: Task resource -> (botocore service, operation) of the request it sends.
OPERATIONS = {
    "arn:aws:states:::lambda:invoke": ("lambda", "Invoke"),
    "arn:aws:states:::sagemaker:createTrainingJob.sync": ("sagemaker", "CreateTrainingJob"),
    "arn:aws:states:::sagemaker:createModel": ("sagemaker", "CreateModel"),
    "arn:aws:states:::sagemaker:createTransformJob.sync": ("sagemaker", "CreateTransformJob"),
}


class RecordingResources(LocalResources):
    """The real local resources, also keeping each request as the engine resolved it."""

    def __init__(self) -> None:
        super().__init__()
        self.requests: list[tuple[str, str, dict]] = []

    def invoke(self, resource: str, parameters: Any, *, state_name: str, timeout: float | None = None) -> Any:
        self.requests.append((state_name, resource, copy.deepcopy(parameters)))
        return super().invoke(resource, parameters, state_name=state_name, timeout=timeout)


@pytest.fixture(scope="module")
def sample_parquet(sample_dataset, tmp_path_factory):
    """The real sample as the canonical Parquet the app launches from."""
    path = tmp_path_factory.mktemp("sample") / "sample.parquet"
    sample_dataset.transactions.to_parquet(path, index=False)
    return path


@pytest.fixture(scope="module")
def recorded_run(sample_parquet, tmp_path_factory):
    """One real run of the clustering workflow on the sample, with every request it sent."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("RFM_STUDIO_HOME", str(tmp_path_factory.mktemp("recorded-run")))
        resources = RecordingResources()
        backend = LocalBackend(LocalStepFunctionsClient(mode="thread", resources=resources))
        arn = backend.launch(
            sample_parquet, ClusteringParameters(k=4, quality_threshold=0.0), dataset_name="sample"
        )
        description = wait_for_status(backend.client, arn, RUN_TIMEOUT)
    return description, resources.requests


def botocore_report(service: str, operation: str, request: Any) -> str:
    """botocore's own verdict: its ParamValidator's report ("" when it finds nothing)."""
    report = ParamValidator().validate(request, input_shape(service, operation))
    return report.generate_report() if report.has_errors() else ""


def as_sent(resource: str, parameters: dict) -> dict:
    """The API request a task's parameters become (lambda:invoke sends Payload as JSON text)."""
    return lambda_invoke_request(parameters) if OPERATIONS[resource][0] == "lambda" else parameters


# --- the workflow's own requests ---------------------------------------------------------------


@pytest.mark.slow
def test_the_real_workflow_on_the_real_sample_still_succeeds(recorded_run):
    description, requests = recorded_run
    assert description["status"] == "SUCCEEDED", description.get("cause")
    assert [resource for _, resource, _ in requests] == [*OPERATIONS, "arn:aws:states:::lambda:invoke"]


@pytest.mark.slow
def test_botocore_and_ours_accept_every_request_the_workflow_sends(recorded_run):
    _, requests = recorded_run
    for state, resource, parameters in requests:
        service, operation = OPERATIONS[resource]
        request = as_sent(resource, parameters)
        assert botocore_report(service, operation, request) == "", state
        assert request_errors(service, operation, request) == [], state


@pytest.mark.slow
def test_the_workflows_lambda_payloads_are_objects_botocore_would_refuse_unserialised(recorded_run):
    _, requests = recorded_run
    lambda_parameters = [p for _, resource, p in requests if resource.endswith(":lambda:invoke")]
    for parameters in lambda_parameters:
        assert isinstance(parameters["Payload"], dict)
        assert "Invalid type for parameter Payload" in botocore_report("lambda", "Invoke", parameters)
        assert json.loads(lambda_invoke_request(parameters)["Payload"]) == parameters["Payload"]


# --- deliberate mistakes -----------------------------------------------------------------------


@dataclass(frozen=True)
class Mistake:
    """A wrong request: which request it spoils, how, the AWS path named, whether botocore sees it."""

    label: str
    state: str
    spoil: Any  # callable(request) -> None, editing the request in place
    path: str
    botocore_sees_it: bool
    rule: str = ""  # what our message says for the checks botocore leaves out


def _set(path: str, value: Any):
    *parents, last = path.split(".")

    def spoil(request: dict) -> None:
        target = request
        for part in parents:
            target = target[part]
        target[last] = value

    return spoil


def _delete(member: str):
    return lambda request: request.pop(member)


def _many_hyperparameters(request: dict) -> None:
    request["HyperParameters"].update({f"extra_{i}": "1" for i in range(100)})


MISTAKES = [
    Mistake("number hyperparameter", TRAIN_STATE, _set("HyperParameters.k", 4), "hyperParameters", True),
    Mistake(
        "string InstanceCount", TRAIN_STATE, _set("ResourceConfig.InstanceCount", "1"),
        "resourceConfig.instanceCount", True,
    ),
    Mistake(
        "m5.large", TRAIN_STATE, _set("ResourceConfig.InstanceType", "m5.large"),
        "resourceConfig.instanceType", False, "Member must satisfy enum value set: [ml.m4.xlarge",
    ),
    Mistake(
        "unknown field", TRAIN_STATE, _set("ResourceConfig.InstanceSize", "large"), "resourceConfig", True
    ),
    Mistake("unknown top-level field", TRAIN_STATE, _set("Hyperparameters", {}), "", True),
    Mistake("missing required member", TRAIN_STATE, _delete("RoleArn"), "roleArn", True),
    Mistake(
        "too-long job name", TRAIN_STATE, _set("TrainingJobName", "a" * 64), "trainingJobName", False,
        "Member must have length less than or equal to 63",
    ),
    Mistake(
        "a name with '_'", TRAIN_STATE, _set("TrainingJobName", "rfm_train"), "trainingJobName", False,
        "Member must satisfy regular expression pattern: [a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}",
    ),
    Mistake("empty job name", TRAIN_STATE, _set("TrainingJobName", ""), "trainingJobName", True),
    Mistake(
        "runtime below its minimum", TRAIN_STATE, _set("StoppingCondition.MaxRuntimeInSeconds", 0),
        "stoppingCondition.maxRuntimeInSeconds", True,
    ),
    Mistake(
        "boolean InstanceCount", TRAIN_STATE, _set("ResourceConfig.InstanceCount", True),
        "resourceConfig.instanceCount", False, "Invalid type for parameter ResourceConfig.InstanceCount",
    ),
    Mistake(
        "101 hyperparameters", TRAIN_STATE, _many_hyperparameters, "hyperParameters", False,
        "Member must have length less than or equal to 100",
    ),
    Mistake(
        "a hyperparameter value over 2500 characters", TRAIN_STATE, _set("HyperParameters.k", "9" * 2501),
        "hyperParameters", False, "Map value must satisfy constraint: [Member must have length less than",
    ),
    Mistake(
        "an unknown input mode", TRAIN_STATE, _set("AlgorithmSpecification.TrainingInputMode", "file"),
        "algorithmSpecification.trainingInputMode", False, "Member must satisfy enum value set: [Pipe, File",
    ),
    Mistake(
        "a model name with '_'", MODEL_STATE, _set("ModelName", "rfm_model"), "modelName", False,
        "Member must satisfy regular expression pattern",
    ),
    Mistake(
        "a role that is not an ARN", MODEL_STATE, _set("ExecutionRoleArn", "sagemaker-execution-role"),
        "executionRoleArn", False, "Member must satisfy regular expression pattern: arn:aws[a-z\\-]*:iam::",
    ),
    Mistake(
        "transform on m5.large", TRANSFORM_STATE, _set("TransformResources.InstanceType", "m5.large"),
        "transformResources.instanceType", False, "Member must satisfy enum value set: [ml.m4.xlarge",
    ),
    Mistake(
        "an unknown split type", TRANSFORM_STATE, _set("TransformInput.SplitType", "Lines"),
        "transformInput.splitType", False, "enum value set: [None, Line, RecordIO, TFRecord]",
    ),
    Mistake(
        "string transform InstanceCount", TRANSFORM_STATE, _set("TransformResources.InstanceCount", "1"),
        "transformResources.instanceCount", True,
    ),
    Mistake(
        "a function name with a space", PREPARE_STATE, _set("FunctionName", "rfm studio"), "functionName",
        False, "Member must satisfy regular expression pattern",
    ),
    Mistake(
        "an unknown invocation type", PREPARE_STATE, _set("InvocationType", "Sync"), "invocationType", False,
        "Member must satisfy enum value set: [Event, RequestResponse, DryRun]",
    ),
    Mistake("an empty qualifier", PREPARE_STATE, _set("Qualifier", ""), "qualifier", True),
    Mistake("an unknown lambda field", PREPARE_STATE, _set("Payloads", {}), "", True),
]  # fmt: skip


def spoiled_request(recorded_run, mistake: Mistake) -> tuple[str, str, dict]:
    _, requests = recorded_run
    resource, parameters = next((r, p) for state, r, p in requests if state == mistake.state)
    request = as_sent(resource, copy.deepcopy(parameters))
    mistake.spoil(request)
    return (*OPERATIONS[resource], request)


@pytest.mark.slow
@pytest.mark.parametrize("mistake", MISTAKES, ids=lambda m: m.label)
def test_each_mistake_is_rejected_naming_the_member_as_aws_does(recorded_run, mistake):
    service, operation, request = spoiled_request(recorded_run, mistake)
    errors = request_errors(service, operation, request)
    assert errors
    assert {error.path for error in errors} == {mistake.path}, errors
    assert mistake.rule in " ".join(error.message for error in errors)


@pytest.mark.slow
@pytest.mark.parametrize("mistake", MISTAKES, ids=lambda m: m.label)
def test_botocore_sees_exactly_the_mistakes_it_checks_for(recorded_run, mistake):
    service, operation, request = spoiled_request(recorded_run, mistake)
    botocore = botocore_report(service, operation, request)
    assert bool(botocore) == mistake.botocore_sees_it, botocore
    ours = request_errors(service, operation, request)
    assert len(ours) >= len(botocore.splitlines())  # every botocore error is one of ours


def test_type_and_unknown_member_errors_keep_botocores_wording():
    request = {"FunctionName": "rfm-studio-prepare-rfm", "Payloads": "{}", "Qualifier": 7}
    ours = {error.message for error in request_errors("lambda", "Invoke", request)}
    assert ours == set(botocore_report("lambda", "Invoke", request).splitlines())


def test_java_unicode_classes_in_patterns_are_honoured():
    # Tag values follow [\p{L}\p{Z}\p{N}_.:/=+\-@]*: letters of any script pass, '#' does not.
    def tag_errors(value: str) -> list:
        request = {
            "ModelName": "m",
            "ExecutionRoleArn": "arn:aws:iam::000000000000:role/rfm-studio",
            "Tags": [{"Key": "team", "Value": value}],
        }
        return request_errors("sagemaker", "CreateModel", request)

    assert tag_errors("Café Zürich 2") == []
    [error] = tag_errors("team #1")
    assert error.path == "tags.1.member.value"


# --- how a mistake fails the task ----------------------------------------------------------------


def test_a_sagemaker_mistake_is_amazon_sagemaker_exception_with_awss_validation_text():
    request = {
        "TrainingJobName": "rfm-train",
        "RoleArn": "arn:aws:iam::000000000000:role/rfm-studio",
        "AlgorithmSpecification": {"TrainingImage": "kmeans:1", "TrainingInputMode": "File"},
        "OutputDataConfig": {"S3OutputPath": "s3://bucket/model"},
        "ResourceConfig": {"InstanceType": "m5.large", "InstanceCount": 1, "VolumeSizeInGB": 30},
        "StoppingCondition": {"MaxRuntimeInSeconds": 3600},
    }
    with pytest.raises(StatesError) as caught:
        validate_sagemaker_request("CreateTrainingJob", request)
    assert caught.value.error == SAGEMAKER_ERROR
    assert caught.value.cause.startswith(
        "1 validation error detected: Value 'm5.large' at 'resourceConfig.instanceType' failed to "
        "satisfy constraint: Member must satisfy enum value set: [ml.m4.xlarge, "
    )
    assert "ml.m5.large" in caught.value.cause
    assert caught.value.cause.endswith(
        "(Service: AmazonSageMaker; Status Code: 400; Error Code: ValidationException)"
    )


def test_several_mistakes_are_counted_and_all_named():
    request = {"TrainingJobName": "rfm_train", "ResourceConfig": {"InstanceCount": "1"}}
    with pytest.raises(StatesError) as caught:
        validate_sagemaker_request("CreateTrainingJob", request)
    cause = caught.value.cause
    assert cause.startswith("4 validation errors detected: ")
    named = ["'roleArn'", "'outputDataConfig'", "ResourceConfig.InstanceCount", "'trainingJobName'"]
    assert all(member in cause for member in named)


def test_a_lambda_mistake_is_aws_lambda_exception_and_the_handler_never_runs():
    calls = []
    resources = LocalResources(functions={"echo": lambda event, context: calls.append(event) or event})
    with pytest.raises(StatesError) as caught:
        resources.invoke(
            "arn:aws:states:::lambda:invoke",
            {"FunctionName": "echo", "Payload": {"k": 3}, "InvocationType": "Sync"},
            state_name="Prepare",
            timeout=60,
        )
    assert caught.value.error == LAMBDA_ERROR == "Lambda.AWSLambdaException"
    assert "Value 'Sync' at 'invocationType' failed to satisfy constraint" in caught.value.cause
    assert "(Service: Lambda, Status Code: 400, Request ID: " in caught.value.cause
    assert calls == []


@pytest.mark.parametrize("payload", [{"k": 3}, [1, 2], "text", 3.5, None, True])
def test_any_json_payload_is_a_valid_invoke_request(payload):
    validate_lambda_invoke({"FunctionName": "rfm-studio-prepare-rfm", "Payload": payload})


@pytest.mark.slow
def test_a_training_mistake_trains_nothing(recorded_run):
    _, _, request = spoiled_request(recorded_run, MISTAKES[2])  # m5.large, else a request that trains
    mistake_prefix = f"s3://{LOCAL_BUCKET}/mistake"
    default_storage().write_bytes(f"{mistake_prefix}/train/rows.csv", b"0,0,0\n1,1,1\n5,5,5\n6,6,6\n9,0,9\n")
    request["InputDataConfig"][0]["DataSource"]["S3DataSource"]["S3Uri"] = f"{mistake_prefix}/train/"
    request["OutputDataConfig"]["S3OutputPath"] = f"{mistake_prefix}/model"
    with pytest.raises(StatesError, match=r"resourceConfig\.instanceType"):
        create_training_job_sync(request)
    assert default_storage().list(f"{mistake_prefix}/model/") == []


@pytest.mark.slow
@pytest.mark.parametrize(
    "stand_in, state", [(create_model, MODEL_STATE), (create_transform_job_sync, TRANSFORM_STATE)]
)
def test_every_sagemaker_stand_in_validates_its_request(recorded_run, stand_in, state):
    _, requests = recorded_run
    request = copy.deepcopy(next(p for s, _, p in requests if s == state))
    request["Unexpected"] = 1
    with pytest.raises(StatesError) as caught:
        stand_in(request)
    assert caught.value.error == SAGEMAKER_ERROR
    assert 'Unknown parameter in input: "Unexpected"' in caught.value.cause


# --- end to end ----------------------------------------------------------------------------------


@pytest.mark.slow
def test_a_definition_training_on_m5_large_fails_locally_naming_the_member(sample_parquet):
    definition = workflow_definition()
    resources = definition["States"][TRAIN_STATE]["Parameters"]["ResourceConfig"]
    resources.pop("InstanceType.$")
    resources["InstanceType"] = "m5.large"
    client = LocalStepFunctionsClient(mode="thread")
    backend = LocalBackend(client)
    data_uri = backend.upload(sample_parquet)
    machine = client.create_state_machine(
        name="m5-large", definition=json.dumps(definition), roleArn="arn:aws:iam::000000000000:role/x"
    )["stateMachineArn"]
    execution_input = execution_input_for(
        "m5-large-run", ClusteringParameters(k=4), data_uri, LOCAL_BUCKET, DEFAULT_PREFIX
    )
    arn = client.start_execution(
        stateMachineArn=machine, name="m5-large-run", input=json.dumps(execution_input)
    )["executionArn"]
    description = wait_for_status(client, arn, RUN_TIMEOUT)
    assert description["status"] == "FAILED"
    assert description["error"] == SAGEMAKER_ERROR
    assert (
        "Value 'm5.large' at 'resourceConfig.instanceType' failed to satisfy constraint"
        in description["cause"]
    )
    events = client.get_execution_history(executionArn=arn, maxResults=1000)["events"]
    entered = [e["stateEnteredEventDetails"]["name"] for e in events if "stateEnteredEventDetails" in e]
    assert entered == [PREPARE_STATE, SWEEP_CHOICE_STATE, TRAIN_STATE, FAILED_STATE]
