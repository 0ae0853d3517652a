"""The k sweep of the clustering workflow: a Choice, a Map of training jobs, and "Pick k".

After "Prepare RFM features", "Sweep k?" looks at the execution input's ``Sweep``:

- false (a fixed k): "Train KMeans", as before the sweep existed;
- true: "Try each k", an SDK ``Map`` over the ks the prepare step lists
  (``$.prepare.Payload.candidates``, KMin..KMax), at most ``MaxConcurrency`` (from the execution
  input, through ASL's ``MaxConcurrencyPath``) at once. Each iteration runs "Train k" (a
  KMeans TrainingStep, job ``<SweepJobPrefix><k>``) then "Score k" (the score Lambda: silhouette
  on the seeded sample, WCSS, cluster sizes). Any error of either is caught inside the iteration
  by "k failed", which records ``{"k", "status": "FAILED", "error", "cause"}``: one failed k never
  fails the Map. Then "Pick k" (the pick Lambda) applies the rule, writes ``sweep.json`` and
  leaves the chosen k's job in ``$.training``, the shape "Train KMeans" leaves, so both paths
  go on into "Save model" alike. It fails the run, with every k's reason, when no k succeeded.

Iteration input (the Map's item selector; ``$$.Map.Item.Value`` is the k)::

    {"k": 4, "K": "4", "TrainingJobName": "<SweepJobPrefix>4", "TrainUri", "FeaturesUri",
     "ModelOutputUri", "InstanceType", "InstanceCount"}

The SDK's Map takes MaxConcurrency only as a number and knows no MaxConcurrencyPath, and its
LambdaStep knows no ResultSelector: both fields are added with ``sdk.with_fields``.
"""

from __future__ import annotations

from typing import Any

from pipeline.workflows import sdk
from pipeline.workflows.clustering.steps import StepContext, kmeans_training_step, prepared

SWEEP_CHOICE_STATE = "Sweep k?"
SWEEP_STATE = "Try each k"
TRAIN_K_STATE = "Train k"
SCORE_K_STATE = "Score k"
K_FAILED_STATE = "k failed"
PICK_STATE = "Pick k"
#: The states inside the Map's iterator.
ITERATION_STATES = [TRAIN_K_STATE, SCORE_K_STATE, K_FAILED_STATE]


def sweep_choice(sweep: Any, fixed: Any) -> Any:
    """ "Sweep k?": the sweep when the execution input asks for one, else the fixed k's training."""
    from stepfunctions.steps import Choice, ChoiceRule

    choice = Choice(SWEEP_CHOICE_STATE, comment="Did the launch ask for a sweep over a range of k?")
    choice.add_choice(ChoiceRule.BooleanEquals("$.Sweep", True), sweep)
    choice.default_choice(fixed)
    return choice


def _iteration(ctx: StepContext) -> Any:
    """Train k -> Score k, any error of either caught into "k failed"."""
    from stepfunctions.inputs import StepInput
    from stepfunctions.steps import Catch, Chain, LambdaStep, Pass

    item = StepInput()  # the iteration's input, built by the Map's item selector
    train = kmeans_training_step(
        ctx,
        TRAIN_K_STATE,
        job_name=item["TrainingJobName"],
        k=item["K"],
        train_uri=item["TrainUri"],
        output_uri=item["ModelOutputUri"],
        resources={"InstanceType": item["InstanceType"], "InstanceCount": item["InstanceCount"]},
    )
    trained = train.output()
    score = LambdaStep(
        SCORE_K_STATE,
        comment="Silhouette (seeded sample), within-cluster sum of squares and sizes of this k's model.",
        parameters={
            "FunctionName": ctx.score_function,
            "Payload": {
                "k": trained["k"],
                "TrainingJobName": trained["TrainingJobName"],
                "ModelArtifact": trained["training"]["ModelArtifacts"]["S3ModelArtifacts"],
                "FeaturesUri": trained["FeaturesUri"],
            },
        },
        result_path="$.score",
        output_path="$.score.Payload",
        timeout_seconds=900,
        retry=sdk.lambda_retries(),
    )
    failed = Pass(
        K_FAILED_STATE,
        comment="This k failed: record why, and let the other ks go on.",
        parameters={
            "k.$": "$.k",
            "status": "FAILED",
            "training_job_name.$": "$.TrainingJobName",
            "error.$": "$.error.Error",
            "cause.$": "$.error.Cause",
        },
    )
    for task in (train, score):
        task.add_catch(Catch(error_equals=["States.ALL"], next_step=failed, result_path="$.error"))
    return Chain([train, score])


def sweep_map(ctx: StepContext, choice: Any) -> Any:
    """ "Try each k": one iteration a candidate k, MaxConcurrency of the input at once."""
    from stepfunctions.steps import Map

    inputs = ctx.execution_input
    sweep_class = sdk.with_fields(Map, "max_concurrency_path")
    return sweep_class(
        SWEEP_STATE,
        comment="Train and score one KMeans model a candidate k; a failed k is recorded, not fatal.",
        iterator=_iteration(ctx),
        items_path="$.prepare.Payload.candidates",
        max_concurrency_path="$.MaxConcurrency",
        parameters={
            "k.$": "$$.Map.Item.Value",
            "K.$": "States.Format('{}', $$.Map.Item.Value)",
            "TrainingJobName.$": "States.Format('{}{}', $.SweepJobPrefix, $$.Map.Item.Value)",
            "TrainUri": prepared(choice, "train_uri"),
            "FeaturesUri": prepared(choice, "features_uri"),
            "ModelOutputUri": prepared(choice, "model_output_uri"),
            "InstanceType": inputs["InstanceType"],
            "InstanceCount": inputs["InstanceCount"],
        },
        result_path="$.sweep",
    )


def pick_step(ctx: StepContext, sweep: Any) -> Any:
    """ "Pick k": the rule of the input over every k's record; the chosen job into ``$.training``."""
    from stepfunctions.steps import LambdaStep

    pick_class = sdk.with_fields(LambdaStep, "result_selector")
    inputs = ctx.execution_input
    return pick_class(
        PICK_STATE,
        comment="Apply the rule (highest silhouette or the WCSS elbow), record the sweep, hand its model on.",
        parameters={
            "FunctionName": ctx.pick_function,
            "Payload": {
                "Candidates": sweep.output()["sweep"],
                "PickRule": inputs["PickRule"],
                "KMin": inputs["KMin"],
                "KMax": inputs["KMax"],
                "RunPrefix": inputs["RunPrefix"],
            },
        },
        result_selector={
            "TrainingJobName.$": "$.Payload.training.TrainingJobName",
            "ModelArtifacts.$": "$.Payload.training.ModelArtifacts",
            "HyperParameters.$": "$.Payload.training.HyperParameters",
            "Pick.$": "$.Payload",
        },
        result_path="$.training",
        timeout_seconds=300,
        retry=sdk.lambda_retries(),
    )
