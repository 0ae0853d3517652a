"""The customer-clustering workflow, assembled from its steps with the Step Functions Data Science SDK.

One definition serves both backends: the local engine runs the ASL JSON these SDK objects
generate, and the aws backend creates the same state machine on Step Functions. Nothing here
is hand-written JSON; the SDK's steps (LambdaStep, TrainingStep, ModelStep, TransformStep,
Choice, Map, Pass, Succeed, Fail) produce every state (see ``steps`` and ``sweep_steps``).
Building makes no network call.

One definition serves fixed-k runs and sweeps: "Sweep k?" sends a fixed k to "Train KMeans"
and a range to "Try each k" (a Map) and "Pick k"; both paths meet at "Save model". One state
machine (not a variant a mode) keeps one registry entry, one deployment and one graph on the
watch page, where a run's path is coloured and the other shows as not reached.
"""

from __future__ import annotations

from typing import Any

from pipeline.config import LOCAL_BUCKET
from pipeline.workflows import sdk
from pipeline.workflows.clustering import steps, sweep_steps
from pipeline.workflows.clustering.parameters import EXECUTION_INPUT_SCHEMA
from pipeline.workflows.runs import DEFAULT_PREFIX
from pipeline.workflows.spec import BuildSettings, BuiltWorkflow

#: Name of the state machine on both backends.
WORKFLOW_NAME = "rfm-studio-clustering"
#: Lambda function names (the registry maps them to lambdas/*/handler.py).
PREPARE_FUNCTION = "rfm-studio-prepare-rfm"
EVALUATE_FUNCTION = "rfm-studio-evaluate-clusters"
SCORE_FUNCTION = "rfm-studio-score-k"
PICK_FUNCTION = "rfm-studio-pick-k"
COMMENT = (
    "RFM customer clustering: prepare features, train KMeans (one k, or a sweep that picks k), "
    "assign and evaluate clusters."
)


def build(settings: BuildSettings) -> BuiltWorkflow:
    """The clustering workflow for ``settings``, immutable (see ``BuiltWorkflow``)."""
    return _build(settings, PREPARE_FUNCTION, EVALUATE_FUNCTION)


def _build(
    settings: BuildSettings,
    prepare_function: str,
    evaluate_function: str,
    score_function: str = SCORE_FUNCTION,
    pick_function: str = PICK_FUNCTION,
) -> BuiltWorkflow:
    sdk.quiet_sagemaker_config_logging()
    from sagemaker import image_uris
    from stepfunctions.inputs import ExecutionInput
    from stepfunctions.steps import Chain, Graph

    ctx = steps.StepContext(
        settings=settings,
        execution_input=ExecutionInput(schema=dict(EXECUTION_INPUT_SCHEMA)),
        session=sdk.offline_sagemaker_session(settings.region, settings.bucket),
        image=image_uris.retrieve("kmeans", settings.region),
        prepare_function=prepare_function,
        evaluate_function=evaluate_function,
        score_function=score_function,
        pick_function=pick_function,
    )
    prepare = steps.prepare_step(ctx)
    train = steps.train_step(ctx, prepare)
    save_model = steps.save_model_step(ctx, train)
    assign = steps.assign_step(ctx, save_model)
    evaluate = steps.evaluate_step(ctx, assign)
    failed = steps.failure_state()
    # A range of k: the sweep, then the chosen k's job; else the fixed k's training job.
    sweep = sweep_steps.sweep_map(ctx, prepare)
    pick = sweep_steps.pick_step(ctx, sweep)
    choice = sweep_steps.sweep_choice(sweep, train)
    for task in (prepare, sweep, pick, train, save_model, assign, evaluate):
        task.add_catch(sdk.catch_all(failed))
    prepare.next(choice)
    sweep.next(pick)
    pick.next(save_model)
    train.next(save_model)
    Chain([save_model, assign, evaluate, steps.quality_gate()])
    return BuiltWorkflow(
        name=settings.state_machine_name or WORKFLOW_NAME,
        role=settings.workflow_role_arn,
        region=settings.region,
        # What stepfunctions.workflow.Workflow makes of a Chain (no timeout, no version).
        graph=Graph(prepare, timeout_seconds=None, comment=COMMENT, version=None),
        execution_input=ctx.execution_input,
        comment=COMMENT,
    )


def build_workflow(
    *,
    region: str = sdk.DEFAULT_REGION,
    bucket: str = LOCAL_BUCKET,
    prefix: str = DEFAULT_PREFIX,
    sagemaker_role_arn: str = sdk.PLACEHOLDER_SAGEMAKER_ROLE,
    workflow_role_arn: str = sdk.PLACEHOLDER_WORKFLOW_ROLE,
    prepare_function: str = PREPARE_FUNCTION,
    evaluate_function: str = EVALUATE_FUNCTION,
    score_function: str = SCORE_FUNCTION,
    pick_function: str = PICK_FUNCTION,
    name: str = WORKFLOW_NAME,
    client: Any = None,
    state_machine_arn: str | None = None,
) -> Any:
    """The clustering workflow as a new ``stepfunctions.workflow.Workflow``, for SDK users.

    ``client`` is the Step Functions client it will use (boto3's on AWS, the local engine's
    ``LocalStepFunctionsClient`` locally); when omitted a boto3 client for ``region`` is made,
    which needs no credentials until it is used. The backends use ``build`` instead.
    """
    settings = BuildSettings(
        region=region,
        bucket=bucket,
        prefix=prefix,
        sagemaker_role_arn=sagemaker_role_arn,
        workflow_role_arn=workflow_role_arn,
        state_machine_name=name,
    )
    built = _build(settings, prepare_function, evaluate_function, score_function, pick_function)
    return built.sdk_workflow(client, state_machine_arn)


def workflow_definition(**kwargs: Any) -> dict[str, Any]:
    """The ASL definition (a dict) of ``build_workflow(**kwargs)``: what both backends run."""
    return build_workflow(**kwargs).definition.to_dict()
