"""The customer-clustering workflow, built with the AWS Step Functions Data Science SDK.

One definition serves both backends: the local engine runs the ASL JSON this module's SDK
objects generate, and the aws backend creates the same state machine on Step Functions.
Nothing here is hand-written JSON; the SDK's steps (LambdaStep, TrainingStep, ModelStep,
TransformStep, Choice, Succeed, Fail) produce every state.

Data flow: the state data starts as the execution input (see ``execution_input_for``) and each
task adds its result under its own key, so later states can reach every earlier result::

    $.prepare      lambda:invoke result of "Prepare RFM features" (Payload: URIs, customers, report)
    $.training     DescribeTrainingJob response of "Train KMeans" (ModelArtifacts)
    $.transform    DescribeTransformJob response of "Assign clusters"
    $.evaluation   lambda:invoke result of "Evaluate clusters" (Payload: silhouette, clusters...)
    $.error        {"Error", "Cause"} of a failed task (set by the Catch)

The sagemaker v2 SDK wants a session and an IAM role even to build steps; ``build_workflow``
makes an offline ``sagemaker.Session`` (a region and a default bucket, never a network call)
and uses placeholder role ARNs unless real ones are given, so the local backend needs neither
credentials nor network.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
from enum import Enum
from typing import Any

from pipeline.backends.base import RunParameters
from pipeline.config import LOCAL_BUCKET
from pipeline.errors import WorkflowError
from pipeline.storage import join_uri

#: Name of the state machine on both backends.
WORKFLOW_NAME = "rfm-studio-clustering"
#: Lambda function names (pipeline/lambda_functions.py maps them to lambdas/*/handler.py).
PREPARE_FUNCTION = "rfm-studio-prepare-rfm"
EVALUATE_FUNCTION = "rfm-studio-evaluate-clusters"
#: Key prefix of everything the studio writes in its bucket.
DEFAULT_PREFIX = "rfm-studio"
DEFAULT_REGION = "us-east-1"
#: Role ARNs used when building offline; the aws backend passes real ones.
PLACEHOLDER_SAGEMAKER_ROLE = "arn:aws:iam::000000000000:role/rfm-studio-sagemaker"
PLACEHOLDER_WORKFLOW_ROLE = "arn:aws:iam::000000000000:role/rfm-studio-stepfunctions"

#: State names, as the watch page and the history show them.
PREPARE_STATE = "Prepare RFM features"
TRAIN_STATE = "Train KMeans"
MODEL_STATE = "Save model"
TRANSFORM_STATE = "Assign clusters"
EVALUATE_STATE = "Evaluate clusters"
CHOICE_STATE = "Good enough?"
SUCCEED_STATE = "Clusters ready"
QUALITY_FAIL_STATE = "Quality too low"
FAILED_STATE = "Workflow failed"
#: The task states, in the order a successful run visits them.
TASKS_IN_ORDER = [PREPARE_STATE, TRAIN_STATE, MODEL_STATE, TRANSFORM_STATE, EVALUATE_STATE]

#: KMeans reads headerless CSV rows of 3 features (log-scaled, standardised R, F, M).
FEATURE_DIM = 3
TRAIN_CONTENT_TYPE = "text/csv;label_size=0"
TRANSFORM_ACCEPT = "application/jsonlines"

#: Lambda errors worth retrying: the service's own transient failures (AWS's recommendation).
LAMBDA_SERVICE_ERRORS = [
    "Lambda.ServiceException",
    "Lambda.AWSLambdaException",
    "Lambda.SdkClientException",
    "Lambda.TooManyRequestsException",
]
#: Errors our handlers raise on purpose for bad input: retrying cannot help, so they fail at once.
NON_RETRYABLE_ERRORS = ["DataError"]

#: The execution input every run must carry (types as the SDK's ExecutionInput checks them).
EXECUTION_INPUT_SCHEMA: dict[str, type] = {
    "RunName": str,
    "TrainingJobName": str,
    "ModelName": str,
    "TransformJobName": str,
    "DataUri": str,
    "DatasetName": str,
    "RunPrefix": str,
    "K": str,
    "QualityThreshold": float,
    "AsOfDate": str,
    "Country": str,
    "InstanceType": str,
    "InstanceCount": int,
}

_NAME_MAX = 63  # SageMaker job and model names: 1-63 of [a-zA-Z0-9-]


def sagemaker_job_name(run_name: str, suffix: str) -> str:
    """A SageMaker-legal, per-run unique name (``[a-zA-Z0-9-]``, at most 63 characters).

    The run name is unique (it is the execution name); the suffix tells the job kinds apart.
    Truncation keeps the end of the run name, where its unique part is.
    """
    cleaned = re.sub(r"[^a-zA-Z0-9-]+", "-", run_name).strip("-") or "run"
    room = _NAME_MAX - len(suffix) - 1
    return f"{cleaned[-room:].lstrip('-')}-{suffix}"


def run_prefix(bucket: str, prefix: str, run_name: str) -> str:
    """``s3://BUCKET/PREFIX/runs/<run name>``: where one run's files live on both backends."""
    return join_uri(f"s3://{bucket}", prefix, "runs", run_name)


def execution_input_for(
    run_name: str, params: RunParameters, data_uri: str, bucket: str, prefix: str, *, dataset_name: str = ""
) -> dict[str, Any]:
    """The execution input of one run, matching ``EXECUTION_INPUT_SCHEMA``.

    Job and model names derive from the run name so every run has its own (SageMaker refuses
    to reuse a name). ``K`` is a string because SageMaker hyperparameters are strings and the
    training step passes it through unchanged; the threshold is a number for the Choice.
    Empty strings stand for "no as-of date" and "all countries" so the input keeps one type.
    """
    as_of = params.as_of.isoformat() if isinstance(params.as_of, dt.date) else (params.as_of or "")
    return {
        "RunName": run_name,
        "TrainingJobName": sagemaker_job_name(run_name, "train"),
        "ModelName": sagemaker_job_name(run_name, "model"),
        "TransformJobName": sagemaker_job_name(run_name, "assign"),
        "DataUri": data_uri,
        "DatasetName": dataset_name,
        "RunPrefix": run_prefix(bucket, prefix, run_name),
        "K": str(int(params.k)),
        "QualityThreshold": float(params.quality_threshold),
        "AsOfDate": str(as_of),
        "Country": params.country or "",
        "InstanceType": params.instance_type,
        "InstanceCount": int(params.instance_count),
    }


def parameters_from_input(execution_input: dict[str, Any]) -> RunParameters:
    """The ``RunParameters`` a run was launched with, read back from its execution input."""
    as_of = execution_input.get("AsOfDate") or None
    return RunParameters(
        k=int(execution_input.get("K", 5)),
        quality_threshold=float(execution_input.get("QualityThreshold", 0.0)),
        as_of=dt.date.fromisoformat(as_of) if as_of else None,
        country=execution_input.get("Country") or None,
        instance_type=execution_input.get("InstanceType", RunParameters.instance_type),
        instance_count=int(execution_input.get("InstanceCount", 1)),
    )


def rerun_of(execution_input_json: str | None) -> tuple[str, RunParameters, str]:
    """What a re-run needs from a finished run's input: its DataUri, parameters and dataset name.

    Both backends re-run this way: the data already uploaded is reused, the parameters are
    read back, and the caller starts a new execution under a new unique name.
    """
    previous = json.loads(execution_input_json or "{}")
    data_uri = previous.get("DataUri")
    if not data_uri:
        raise WorkflowError(
            "That execution's input has no DataUri: it was not started by RFM Workflow Studio, "
            "so launch a new run from the Launch page instead."
        )
    try:
        params = parameters_from_input(previous)
    except (TypeError, ValueError) as error:
        raise WorkflowError(
            f"That execution's parameters cannot be read back ({error}): launch anew."
        ) from None
    return data_uri, params, previous.get("DatasetName", "")


def failure_message(error: str | None, cause: str | None) -> str:
    """A failure as a person reads it: a Lambda's JSON cause becomes its ``errorMessage``.

    Lambda errors reach Step Functions as ``{"errorMessage", "errorType", "stackTrace"}`` JSON
    in the cause (on AWS and locally alike); the rest are shown as they are.
    """
    text = cause or ""
    try:
        parsed = json.loads(text)
    except ValueError:
        parsed = None
    if isinstance(parsed, dict) and parsed.get("errorMessage"):
        text = str(parsed["errorMessage"])
    if error and text:
        return f"{error}: {text}"
    return error or text or "no cause given"


def _offline_sagemaker_session(region: str, bucket: str):
    """A sagemaker.Session that never calls AWS while steps are built."""
    import boto3
    import sagemaker

    return sagemaker.Session(boto_session=boto3.Session(region_name=region), default_bucket=bucket)


def _fail_with_paths_class():
    """The SDK's Fail state plus ASL's ErrorPath/CausePath, which the SDK (2.3.0) predates.

    They let a Fail state report the error a Catch stored, so the execution's cause is the
    real one ("Only 3 customers ...") instead of a generic text.
    """
    from stepfunctions.steps import Fail

    class _PathField(Enum):
        ErrorPath = "error_path"
        CausePath = "cause_path"

    class FailWithPaths(Fail):
        def allowed_fields(self):
            return [*super().allowed_fields(), _PathField.ErrorPath, _PathField.CausePath]

    return FailWithPaths


def build_workflow(
    *,
    region: str = DEFAULT_REGION,
    bucket: str = LOCAL_BUCKET,
    prefix: str = DEFAULT_PREFIX,
    sagemaker_role_arn: str = PLACEHOLDER_SAGEMAKER_ROLE,
    workflow_role_arn: str = PLACEHOLDER_WORKFLOW_ROLE,
    prepare_function: str = PREPARE_FUNCTION,
    evaluate_function: str = EVALUATE_FUNCTION,
    name: str = WORKFLOW_NAME,
    client: Any = None,
    state_machine_arn: str | None = None,
):
    """The clustering workflow as a ``stepfunctions.workflow.Workflow``.

    ``client`` is the Step Functions client the Workflow will use (boto3's on AWS, the local
    engine's ``LocalStepFunctionsClient`` locally); when omitted a boto3 client for ``region``
    is made, which needs no credentials until it is used. Building makes no network call.
    """
    # Before sagemaker's first import: it logs "Not applying SDK defaults" at INFO otherwise.
    logging.getLogger("sagemaker.config").setLevel(logging.WARNING)
    import boto3
    from sagemaker import image_uris
    from sagemaker.estimator import Estimator
    from sagemaker.inputs import TrainingInput
    from sagemaker.transformer import Transformer
    from stepfunctions.inputs import ExecutionInput
    from stepfunctions.steps import (
        Catch,
        Chain,
        Choice,
        ChoiceRule,
        LambdaStep,
        ModelStep,
        Retry,
        Succeed,
        TrainingStep,
        TransformStep,
    )
    from stepfunctions.workflow import Workflow

    session = _offline_sagemaker_session(region, bucket)
    image = image_uris.retrieve("kmeans", region)
    execution_input = ExecutionInput(schema=dict(EXECUTION_INPUT_SCHEMA))

    def prepared(previous, key: str):
        # The SDK checks that a step only reads its predecessor's output; every task keeps its
        # input (ResultPath under its own key), so "$.prepare" is in each predecessor's output.
        return previous.output()["prepare"]["Payload"][key]

    placeholder_output = join_uri(f"s3://{bucket}", prefix, "unused")

    lambda_retries = [
        Retry(error_equals=list(NON_RETRYABLE_ERRORS), max_attempts=0),
        Retry(error_equals=list(LAMBDA_SERVICE_ERRORS), interval_seconds=2, max_attempts=6, backoff_rate=2.0),
        Retry(error_equals=["States.TaskFailed"], interval_seconds=5, max_attempts=2, backoff_rate=2.0),
    ]

    prepare = LambdaStep(
        PREPARE_STATE,
        comment="Clean the transactions, compute RFM and write the KMeans training features.",
        parameters={
            "FunctionName": prepare_function,
            "Payload": {
                "DataUri": execution_input["DataUri"],
                "RunPrefix": execution_input["RunPrefix"],
                "K": execution_input["K"],
                "AsOfDate": execution_input["AsOfDate"],
                "Country": execution_input["Country"],
            },
        },
        result_path="$.prepare",
        timeout_seconds=900,
        retry=lambda_retries,
    )

    estimator = Estimator(
        image_uri=image,
        role=sagemaker_role_arn,
        instance_count=1,
        instance_type=RunParameters.instance_type,
        output_path=placeholder_output,
        max_run=3600,
        sagemaker_session=session,
        debugger_hook_config=False,
        disable_profiler=True,
    )
    train = TrainingStep(
        TRAIN_STATE,
        estimator=estimator,
        job_name=execution_input["TrainingJobName"],
        data={
            "train": TrainingInput(s3_data=prepared(prepare, "train_uri"), content_type=TRAIN_CONTENT_TYPE)
        },
        hyperparameters={
            "k": execution_input["K"],
            "feature_dim": str(FEATURE_DIM),
            "mini_batch_size": "500",
            "init_method": "kmeans++",
        },
        output_data_config_path=prepared(prepare, "model_output_uri"),
        parameters={
            "ResourceConfig": {
                "InstanceType": execution_input["InstanceType"],
                "InstanceCount": execution_input["InstanceCount"],
            }
        },
        result_path="$.training",
        timeout_seconds=3600,
    )

    model = train.get_expected_model()
    model.model_data = train.output()["training"]["ModelArtifacts"]["S3ModelArtifacts"]
    save_model = ModelStep(
        MODEL_STATE, model=model, model_name=execution_input["ModelName"], result_path=None
    )

    transformer = Transformer(
        model_name="set-per-run",
        instance_count=1,
        instance_type=RunParameters.instance_type,
        output_path=placeholder_output,
        accept=TRANSFORM_ACCEPT,
        assemble_with="Line",
        sagemaker_session=session,
    )
    assign = TransformStep(
        TRANSFORM_STATE,
        transformer=transformer,
        job_name=execution_input["TransformJobName"],
        model_name=execution_input["ModelName"],
        data=prepared(save_model, "train_uri"),
        content_type="text/csv",
        split_type="Line",
        parameters={
            "TransformOutput": {"S3OutputPath": prepared(save_model, "assignments_uri")},
            "TransformResources": {
                "InstanceType": execution_input["InstanceType"],
                "InstanceCount": execution_input["InstanceCount"],
            },
        },
        result_path="$.transform",
        timeout_seconds=3600,
    )

    evaluate = LambdaStep(
        EVALUATE_STATE,
        comment="Join the assignments with the RFM table, score and name the clusters, write the results.",
        parameters={
            "FunctionName": evaluate_function,
            "Payload": {
                "RunPrefix": execution_input["RunPrefix"],
                "K": execution_input["K"],
                "RfmUri": prepared(assign, "rfm_uri"),
                "IdsUri": prepared(assign, "ids_uri"),
                "TrainUri": prepared(assign, "train_uri"),
                "AssignmentsUri": prepared(assign, "assignments_uri"),
            },
        },
        result_path="$.evaluation",
        timeout_seconds=900,
        retry=lambda_retries,
    )

    fail_with_paths = _fail_with_paths_class()
    failed = fail_with_paths(
        FAILED_STATE,
        comment="A step failed; the error its Catch stored is the execution's error.",
        error_path="$.error.Error",
        cause_path="$.error.Cause",
    )
    for task in (prepare, train, save_model, assign, evaluate):
        task.add_catch(Catch(error_equals=["States.ALL"], next_step=failed, result_path="$.error"))

    quality_too_low = fail_with_paths(
        QUALITY_FAIL_STATE,
        comment="The clusters are not separated well enough for the threshold given at launch.",
        error="ClusterQualityTooLow",
        cause_path=(
            "States.Format('Cluster quality too low: silhouette {} is below the threshold {}. "
            "Try another number of clusters (k) or a lower threshold.', "
            "$.evaluation.Payload.silhouette, $.QualityThreshold)"
        ),
    )
    succeed = Succeed(SUCCEED_STATE, output_path="$.evaluation.Payload")
    good_enough = Choice(
        CHOICE_STATE, comment="Is the silhouette at least the QualityThreshold of the input?"
    )
    good_enough.add_choice(
        ChoiceRule.NumericGreaterThanEqualsPath("$.evaluation.Payload.silhouette", "$.QualityThreshold"),
        succeed,
    )
    good_enough.default_choice(quality_too_low)

    definition = Chain([prepare, train, save_model, assign, evaluate, good_enough])
    if client is None:
        from botocore.config import Config

        config = Config(connect_timeout=10, read_timeout=60, retries={"max_attempts": 5, "mode": "standard"})
        client = boto3.client("stepfunctions", region_name=region, config=config)
    return Workflow(
        name=name,
        definition=definition,
        role=workflow_role_arn,
        execution_input=execution_input,
        comment="RFM customer clustering: prepare features, train KMeans, assign and evaluate clusters.",
        client=client,
        state_machine_arn=state_machine_arn,
    )


def workflow_definition(**kwargs: Any) -> dict[str, Any]:
    """The ASL definition (a dict) of ``build_workflow(**kwargs)``: what both backends run."""
    return build_workflow(**kwargs).definition.to_dict()
