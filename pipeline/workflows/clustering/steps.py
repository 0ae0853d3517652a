"""The clustering workflow's states, one SDK builder a step.

Data flow: the state data starts as the execution input and each task adds its result under
its own key, so later states can reach every earlier result::

    $.prepare      lambda:invoke result of "Prepare RFM features" (Payload: URIs, customers, report)
    $.training     DescribeTrainingJob response of "Train KMeans" (ModelArtifacts, HyperParameters),
                   or, after a sweep, the chosen k's job in that shape ("Pick k")
    $.sweep        a sweep's records, one a k ("Try each k"; see ``sweep_steps``)
    $.transform    DescribeTransformJob response of "Assign clusters"
    $.evaluation   lambda:invoke result of "Evaluate clusters" (Payload: silhouette, clusters...)
    $.error        {"Error", "Cause"} of a failed task (set by the Catch)

Each builder takes the :class:`StepContext` (settings, the SDK's ExecutionInput, the offline
SageMaker session) and the step before it, whose output the SDK checks the step reads from.
The SDK is imported inside the builders.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pipeline.workflows import sdk
from pipeline.workflows.clustering.parameters import DEFAULT_INSTANCE_TYPE
from pipeline.workflows.spec import BuildSettings

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


@dataclass(frozen=True)
class StepContext(sdk.SageMakerJobs):
    """What every step builder needs: where it is built for and the run's input placeholders."""

    settings: BuildSettings
    execution_input: Any
    session: Any
    image: str
    prepare_function: str
    evaluate_function: str
    score_function: str
    pick_function: str


def prepared(previous: Any, key: str) -> Any:
    """A URI the prepare step returned, read through ``previous``'s output.

    The SDK checks that a step only reads its predecessor's output; every task keeps its
    input (ResultPath under its own key), so ``$.prepare`` is in each predecessor's output.
    """
    return previous.output()["prepare"]["Payload"][key]


def prepare_step(ctx: StepContext) -> Any:
    """ "Prepare RFM features": the prepare Lambda, which writes the training features."""
    from stepfunctions.steps import LambdaStep

    inputs = ctx.execution_input
    return LambdaStep(
        PREPARE_STATE,
        comment="Clean the transactions, compute RFM and write the KMeans training features.",
        parameters={
            "FunctionName": ctx.prepare_function,
            "Payload": {
                "DataUri": inputs["DataUri"],
                "RunPrefix": inputs["RunPrefix"],
                "K": inputs["K"],
                "AsOfDate": inputs["AsOfDate"],
                "Country": inputs["Country"],
                "Sweep": inputs["Sweep"],
                "KMin": inputs["KMin"],
                "KMax": inputs["KMax"],
                "PickRule": inputs["PickRule"],
            },
        },
        result_path="$.prepare",
        timeout_seconds=900,
        retry=sdk.lambda_retries(),
    )


def train_step(ctx: StepContext, prepare: Any) -> Any:
    """ "Train KMeans": SageMaker's built-in KMeans on the prepared features, k from the input."""
    return kmeans_training_step(
        ctx,
        TRAIN_STATE,
        job_name=ctx.execution_input["TrainingJobName"],
        k=ctx.execution_input["K"],
        train_uri=prepared(prepare, "train_uri"),
        output_uri=prepared(prepare, "model_output_uri"),
        resources=ctx.instance_resources(),
    )


def kmeans_training_step(
    ctx: StepContext, name: str, *, job_name: Any, k: Any, train_uri: Any, output_uri: Any, resources: Any
) -> Any:
    """A TrainingStep of SageMaker's built-in KMeans (the fixed k's, or one k of a sweep).

    The values are placeholders: where the job name, k, the channel, the output prefix and the
    instances come from. The result (DescribeTrainingJob) goes to ``$.training``.
    """
    from sagemaker.estimator import Estimator
    from sagemaker.inputs import TrainingInput
    from stepfunctions.steps import TrainingStep

    estimator = Estimator(
        image_uri=ctx.image,
        role=ctx.settings.sagemaker_role_arn,
        instance_count=1,
        instance_type=DEFAULT_INSTANCE_TYPE,
        output_path=ctx.placeholder_output,
        max_run=3600,
        sagemaker_session=ctx.session,
        debugger_hook_config=False,
        disable_profiler=True,
    )
    return TrainingStep(
        name,
        estimator=estimator,
        job_name=job_name,
        data={"train": TrainingInput(s3_data=train_uri, content_type=TRAIN_CONTENT_TYPE)},
        hyperparameters={
            "k": k,
            "feature_dim": str(FEATURE_DIM),
            "mini_batch_size": "500",
            "init_method": "kmeans++",
        },
        output_data_config_path=output_uri,
        parameters={"ResourceConfig": resources},
        result_path="$.training",
        timeout_seconds=3600,
    )


def save_model_step(ctx: StepContext, train: Any) -> Any:
    """ "Save model": a SageMaker model from ``$.training``'s artifact.

    Two states lead here, "Train KMeans" (its DescribeTrainingJob) and a sweep's "Pick k" (the
    chosen k's job, in the same shape), so the artifact is read with ``sdk.state_data()``.
    """
    from stepfunctions.steps import ModelStep

    model = train.get_expected_model()
    model.model_data = sdk.state_data()["training"]["ModelArtifacts"]["S3ModelArtifacts"]
    return ModelStep(MODEL_STATE, model=model, model_name=ctx.execution_input["ModelName"], result_path=None)


def assign_step(ctx: StepContext, save_model: Any) -> Any:
    """ "Assign clusters": batch transform of the features, one JSON line a customer."""
    from sagemaker.transformer import Transformer
    from stepfunctions.steps import TransformStep

    transformer = Transformer(
        model_name="set-per-run",
        instance_count=1,
        instance_type=DEFAULT_INSTANCE_TYPE,
        output_path=ctx.placeholder_output,
        accept=TRANSFORM_ACCEPT,
        assemble_with="Line",
        sagemaker_session=ctx.session,
    )
    return TransformStep(
        TRANSFORM_STATE,
        transformer=transformer,
        job_name=ctx.execution_input["TransformJobName"],
        model_name=ctx.execution_input["ModelName"],
        data=prepared(save_model, "train_uri"),
        content_type="text/csv",
        split_type="Line",
        parameters={
            "TransformOutput": {"S3OutputPath": prepared(save_model, "assignments_uri")},
            "TransformResources": ctx.instance_resources(),
        },
        result_path="$.transform",
        timeout_seconds=3600,
    )


def evaluate_step(ctx: StepContext, assign: Any) -> Any:
    """ "Evaluate clusters": the evaluate Lambda, which scores, names and writes the results."""
    from stepfunctions.steps import LambdaStep

    return LambdaStep(
        EVALUATE_STATE,
        comment="Join the assignments with the RFM table, score and name the clusters, write the results.",
        parameters={
            "FunctionName": ctx.evaluate_function,
            "Payload": {
                "RunPrefix": ctx.execution_input["RunPrefix"],
                "K": assign.output()["training"]["HyperParameters"]["k"],
                "RfmUri": prepared(assign, "rfm_uri"),
                "IdsUri": prepared(assign, "ids_uri"),
                "TrainUri": prepared(assign, "train_uri"),
                "AssignmentsUri": prepared(assign, "assignments_uri"),
            },
        },
        result_path="$.evaluation",
        timeout_seconds=900,
        retry=sdk.lambda_retries(),
    )


def failure_state() -> Any:
    """ "Workflow failed": where every task's Catch goes; the stored error becomes the execution's."""
    return sdk.fail_with_paths(
        FAILED_STATE,
        comment="A step failed; the error its Catch stored is the execution's error.",
        error_path="$.error.Error",
        cause_path="$.error.Cause",
    )


def quality_gate() -> Any:
    """ "Good enough?": succeed with the evaluation when the silhouette reaches the threshold,
    else fail with a cause naming both."""
    from stepfunctions.steps import Choice, ChoiceRule, Succeed

    quality_too_low = sdk.fail_with_paths(
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
    return good_enough
