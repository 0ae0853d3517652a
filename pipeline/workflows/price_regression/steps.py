"""The price-regression workflow's states, one SDK builder a step.

Data flow: the state data starts as the execution input and each task adds its result under
its own key, so later states can reach every earlier result::

    $.prepare     lambda:invoke result of "Prepare data" (Payload: URIs, row counts, features)
    $.training    DescribeTrainingJob response of "Train XGBoost" (ModelArtifacts, FinalMetricDataList)
    $.rmse        lambda:invoke result of "Validate RMSE" (Payload: train_rmse, validation_rmse)
    $.transform   DescribeTransformJob response of "Predict prices"
    $.scoring     lambda:invoke result of "Score predictions" (Payload: test RMSE, MAE, R²...)
    $.error       {"Error", "Cause"} of a failed task (set by the Catch)

Each builder takes the :class:`StepContext` (settings, the SDK's ExecutionInput, the offline
SageMaker session, the image, the Lambda names) and the step before it, whose output the SDK
checks the step reads from. The SDK is imported inside the builders.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pipeline.workflows import sdk
from pipeline.workflows.price_regression.parameters import (
    DEFAULT_INSTANCE_TYPE,
    FIXED_HYPERPARAMETERS,
)
from pipeline.workflows.spec import BuildSettings

#: State names, as the watch page and the history show them.
PREPARE_STATE = "Prepare data"
TRAIN_STATE = "Train XGBoost"
MODEL_STATE = "Save model"
VALIDATE_STATE = "Validate RMSE"
CHOICE_STATE = "RMSE good enough?"
PREDICT_STATE = "Predict prices"
SCORE_STATE = "Score predictions"
SUCCEED_STATE = "Predictions ready"
RMSE_FAIL_STATE = "RMSE too high"
FAILED_STATE = "Workflow failed"
#: The task states, in the order a successful run visits them.
TASKS_IN_ORDER = [PREPARE_STATE, TRAIN_STATE, MODEL_STATE, VALIDATE_STATE, PREDICT_STATE, SCORE_STATE]

#: XGBoost reads headerless CSV with the label first from both channels.
CHANNEL_CONTENT_TYPE = "text/csv"
TRANSFORM_CONTENT_TYPE = "text/csv"
TRANSFORM_ACCEPT = "text/csv"
RMSE_TOO_HIGH_ERROR = "RmseTooHigh"


@dataclass(frozen=True)
class StepContext(sdk.SageMakerJobs):
    """What every step builder needs: where it is built for and the run's input placeholders."""

    settings: BuildSettings
    execution_input: Any
    session: Any
    image: str
    prepare_function: str
    validate_function: str
    score_function: str


def prepared(previous: Any, key: str) -> Any:
    """A URI the prepare step returned, read through ``previous``'s output (every task keeps its
    input, so ``$.prepare`` is in each later state's input)."""
    return previous.output()["prepare"]["Payload"][key]


def prepare_step(ctx: StepContext) -> Any:
    """ "Prepare data": the prepare Lambda, which writes the train, validation and test files."""
    from stepfunctions.steps import LambdaStep

    inputs = ctx.execution_input
    return LambdaStep(
        PREPARE_STATE,
        comment="Clean the transactions, encode the features, split 70/20/10 and write XGBoost's CSVs.",
        parameters={
            "FunctionName": ctx.prepare_function,
            "Payload": {
                "DataUri": inputs["DataUri"],
                "RunPrefix": inputs["RunPrefix"],
                "FeatureSet": inputs["FeatureSet"],
            },
        },
        result_path="$.prepare",
        timeout_seconds=900,
        retry=sdk.lambda_retries(),
    )


def train_step(ctx: StepContext, prepare: Any) -> Any:
    """ "Train XGBoost": SageMaker's built-in XGBoost on the train channel, watching validation."""
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
    inputs = ctx.execution_input
    return TrainingStep(
        TRAIN_STATE,
        estimator=estimator,
        job_name=inputs["TrainingJobName"],
        data={
            "train": TrainingInput(s3_data=prepared(prepare, "train_uri"), content_type=CHANNEL_CONTENT_TYPE),
            "validation": TrainingInput(
                s3_data=prepared(prepare, "validation_uri"), content_type=CHANNEL_CONTENT_TYPE
            ),
        },
        hyperparameters={
            "num_round": inputs["NumRound"],
            "max_depth": inputs["MaxDepth"],
            "eta": inputs["Eta"],
            **FIXED_HYPERPARAMETERS,
        },
        output_data_config_path=prepared(prepare, "model_output_uri"),
        parameters={"ResourceConfig": ctx.instance_resources()},
        result_path="$.training",
        timeout_seconds=3600,
    )


def save_model_step(ctx: StepContext, train: Any) -> Any:
    """ "Save model": a SageMaker model from the training job's artifact."""
    from stepfunctions.steps import ModelStep

    model = train.get_expected_model()
    model.model_data = train.output()["training"]["ModelArtifacts"]["S3ModelArtifacts"]
    return ModelStep(MODEL_STATE, model=model, model_name=ctx.execution_input["ModelName"], result_path=None)


def validate_step(ctx: StepContext, save_model: Any) -> Any:
    """ "Validate RMSE": the validate Lambda reads validation:rmse from the training job's final
    metrics, which the .sync integration put in the state data (no SageMaker call)."""
    from stepfunctions.steps import LambdaStep

    return LambdaStep(
        VALIDATE_STATE,
        comment="Read train:rmse and validation:rmse from the training step's FinalMetricDataList.",
        parameters={
            "FunctionName": ctx.validate_function,
            "Payload": {
                "TrainingJobName": ctx.execution_input["TrainingJobName"],
                "RmseThreshold": ctx.execution_input["RmseThreshold"],
                "FinalMetricDataList": save_model.output()["training"]["FinalMetricDataList"],
            },
        },
        result_path="$.rmse",
        timeout_seconds=300,
        retry=sdk.lambda_retries(),
    )


def predict_step(ctx: StepContext, validate: Any) -> Any:
    """ "Predict prices": batch transform of the test features, one predicted price a line.

    It follows the Choice, which passes the validate step's output on unchanged.
    """
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
        PREDICT_STATE,
        transformer=transformer,
        job_name=ctx.execution_input["TransformJobName"],
        model_name=ctx.execution_input["ModelName"],
        data=prepared(validate, "test_uri"),
        content_type=TRANSFORM_CONTENT_TYPE,
        split_type="Line",
        parameters={
            "TransformOutput": {"S3OutputPath": prepared(validate, "transform_output_uri")},
            "TransformResources": ctx.instance_resources(),
        },
        result_path="$.transform",
        timeout_seconds=3600,
    )


def score_step(ctx: StepContext, predict: Any) -> Any:
    """ "Score predictions": the scoring Lambda joins predictions with the held-out prices."""
    from stepfunctions.steps import LambdaStep

    output = predict.output()
    return LambdaStep(
        SCORE_STATE,
        comment="Join predictions with the held-out prices: test RMSE, MAE, R-squared, errors by StockCode.",
        parameters={
            "FunctionName": ctx.score_function,
            "Payload": {
                "RunPrefix": ctx.execution_input["RunPrefix"],
                "RmseThreshold": ctx.execution_input["RmseThreshold"],
                "TransformOutputUri": prepared(predict, "transform_output_uri"),
                "TestRowsUri": prepared(predict, "test_rows_uri"),
                "TrainUri": prepared(predict, "train_uri"),
                "FeaturesUri": prepared(predict, "features_uri"),
                "ModelUri": output["training"]["ModelArtifacts"]["S3ModelArtifacts"],
                "TrainRmse": output["rmse"]["Payload"]["train_rmse"],
                "ValidationRmse": output["rmse"]["Payload"]["validation_rmse"],
            },
        },
        result_path="$.scoring",
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


def succeed_state() -> Any:
    """ "Predictions ready": the execution's output is the scoring step's figures."""
    from stepfunctions.steps import Succeed

    return Succeed(SUCCEED_STATE, output_path="$.scoring.Payload")


def rmse_gate(predict: Any) -> Any:
    """ "RMSE good enough?": go on to ``predict`` when the validation RMSE is at most the threshold
    (a numeric comparison), else fail with a cause naming both."""
    from stepfunctions.steps import Choice, ChoiceRule

    too_high = sdk.fail_with_paths(
        RMSE_FAIL_STATE,
        comment="The model's validation RMSE is above the threshold given at launch.",
        error=RMSE_TOO_HIGH_ERROR,
        cause_path=(
            "States.Format('Validation RMSE {} is above the threshold {}: the model is not accurate "
            "enough. Try other hyperparameters (num_round, max_depth, eta), the extended feature set, "
            "or a higher threshold.', $.rmse.Payload.validation_rmse, $.RmseThreshold)"
        ),
    )
    gate = Choice(CHOICE_STATE, comment="Is the validation RMSE at most the RmseThreshold of the input?")
    gate.add_choice(
        ChoiceRule.NumericLessThanEqualsPath("$.rmse.Payload.validation_rmse", "$.RmseThreshold"), predict
    )
    gate.default_choice(too_high)
    return gate
