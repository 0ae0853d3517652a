"""The customer-clustering workflow, assembled from its steps with the Step Functions Data Science SDK.

One definition serves both backends: the local engine runs the ASL JSON these SDK objects
generate, and the aws backend creates the same state machine on Step Functions. Nothing here
is hand-written JSON; the SDK's steps (LambdaStep, TrainingStep, ModelStep, TransformStep,
Choice, Succeed, Fail) produce every state (see ``steps``). Building makes no network call.
"""

from __future__ import annotations

from typing import Any

from pipeline.config import LOCAL_BUCKET
from pipeline.workflows import sdk
from pipeline.workflows.clustering import steps
from pipeline.workflows.clustering.parameters import EXECUTION_INPUT_SCHEMA
from pipeline.workflows.runs import DEFAULT_PREFIX
from pipeline.workflows.spec import BuildSettings, BuiltWorkflow

#: Name of the state machine on both backends.
WORKFLOW_NAME = "rfm-studio-clustering"
#: Lambda function names (the registry maps them to lambdas/*/handler.py).
PREPARE_FUNCTION = "rfm-studio-prepare-rfm"
EVALUATE_FUNCTION = "rfm-studio-evaluate-clusters"
COMMENT = "RFM customer clustering: prepare features, train KMeans, assign and evaluate clusters."


def build(settings: BuildSettings) -> BuiltWorkflow:
    """The clustering workflow for ``settings``, immutable (see ``BuiltWorkflow``)."""
    return _build(settings, PREPARE_FUNCTION, EVALUATE_FUNCTION)


def _build(settings: BuildSettings, prepare_function: str, evaluate_function: str) -> BuiltWorkflow:
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
    )
    prepare = steps.prepare_step(ctx)
    train = steps.train_step(ctx, prepare)
    save_model = steps.save_model_step(ctx, train)
    assign = steps.assign_step(ctx, save_model)
    evaluate = steps.evaluate_step(ctx, assign)
    failed = steps.failure_state()
    for task in (prepare, train, save_model, assign, evaluate):
        task.add_catch(sdk.catch_all(failed))
    chain = Chain([prepare, train, save_model, assign, evaluate, steps.quality_gate()])
    return BuiltWorkflow(
        name=settings.state_machine_name or WORKFLOW_NAME,
        role=settings.workflow_role_arn,
        region=settings.region,
        # What stepfunctions.workflow.Workflow makes of a Chain (no timeout, no version).
        graph=Graph(chain, timeout_seconds=None, comment=COMMENT, version=None),
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
    built = _build(settings, prepare_function, evaluate_function)
    return built.sdk_workflow(client, state_machine_arn)


def workflow_definition(**kwargs: Any) -> dict[str, Any]:
    """The ASL definition (a dict) of ``build_workflow(**kwargs)``: what both backends run."""
    return build_workflow(**kwargs).definition.to_dict()
