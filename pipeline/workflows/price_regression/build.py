"""The price-regression workflow, assembled from its steps with the Step Functions Data Science SDK.

The AWS sample's pipeline ("Build end-to-end ML/AI workflows with the AWS Step Functions Data
Science SDK"): prepare the data in a Lambda, train the built-in XGBoost, save the model,
validate the RMSE in a second Lambda, and run a batch transform only when it is good enough;
here a third Lambda scores the predictions. One definition serves both backends; nothing is
hand-written JSON (see ``steps``). Building makes no network call.
"""

from __future__ import annotations

from typing import Any

from pipeline.config import LOCAL_BUCKET
from pipeline.workflows import sdk
from pipeline.workflows.price_regression import steps
from pipeline.workflows.price_regression.parameters import EXECUTION_INPUT_SCHEMA, XGBOOST_VERSION
from pipeline.workflows.runs import DEFAULT_PREFIX
from pipeline.workflows.spec import BuildSettings, BuiltWorkflow

#: Name of the state machine on both backends.
WORKFLOW_NAME = "rfm-studio-price-regression"
#: Lambda function names (the registry maps them to lambdas/*/handler.py).
PREPARE_FUNCTION = "rfm-studio-prepare-prices"
VALIDATE_FUNCTION = "rfm-studio-validate-rmse"
SCORE_FUNCTION = "rfm-studio-score-predictions"
COMMENT = (
    "Price regression (the AWS sample): prepare data, train XGBoost, validate the RMSE, "
    "predict the test prices and score them."
)


def build(settings: BuildSettings) -> BuiltWorkflow:
    """The price-regression workflow for ``settings``, immutable (see ``BuiltWorkflow``)."""
    return _build(settings, PREPARE_FUNCTION, VALIDATE_FUNCTION, SCORE_FUNCTION)


def _build(
    settings: BuildSettings, prepare_function: str, validate_function: str, score_function: str
) -> BuiltWorkflow:
    sdk.quiet_sagemaker_config_logging()
    from sagemaker import image_uris
    from stepfunctions.inputs import ExecutionInput
    from stepfunctions.steps import Chain, Graph

    ctx = steps.StepContext(
        settings=settings,
        execution_input=ExecutionInput(schema=dict(EXECUTION_INPUT_SCHEMA)),
        session=sdk.offline_sagemaker_session(settings.region, settings.bucket),
        image=image_uris.retrieve("xgboost", settings.region, version=XGBOOST_VERSION),
        prepare_function=prepare_function,
        validate_function=validate_function,
        score_function=score_function,
    )
    prepare = steps.prepare_step(ctx)
    train = steps.train_step(ctx, prepare)
    save_model = steps.save_model_step(ctx, train)
    validate = steps.validate_step(ctx, save_model)
    predict = steps.predict_step(ctx, validate)
    score = steps.score_step(ctx, predict)
    failed = steps.failure_state()
    for task in (prepare, train, save_model, validate, predict, score):
        task.add_catch(sdk.catch_all(failed))
    Chain([predict, score, steps.succeed_state()])
    chain = Chain([prepare, train, save_model, validate, steps.rmse_gate(predict)])
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
    validate_function: str = VALIDATE_FUNCTION,
    score_function: str = SCORE_FUNCTION,
    name: str = WORKFLOW_NAME,
    client: Any = None,
    state_machine_arn: str | None = None,
) -> Any:
    """The price-regression workflow as a new ``stepfunctions.workflow.Workflow``, for SDK users.

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
    built = _build(settings, prepare_function, validate_function, score_function)
    return built.sdk_workflow(client, state_machine_arn)


def workflow_definition(**kwargs: Any) -> dict[str, Any]:
    """The ASL definition (a dict) of ``build_workflow(**kwargs)``: what both backends run."""
    return build_workflow(**kwargs).definition.to_dict()
