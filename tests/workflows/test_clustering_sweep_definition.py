"""The k sweep in the SDK-built clustering definition: the Choice, the Map, its iteration and Pick k."""

from __future__ import annotations

import re

import pytest
import sagemaker

from pipeline.workflows.clustering.build import workflow_definition
from pipeline.workflows.clustering.parameters import (
    MAX_SWEEP_K,
    ClusteringParameters,
    execution_input_for,
    sweep_job_prefix,
)
from pipeline.workflows.clustering.steps import FAILED_STATE, MODEL_STATE, TRAIN_STATE
from pipeline.workflows.clustering.sweep_steps import (
    K_FAILED_STATE,
    PICK_STATE,
    SCORE_K_STATE,
    SWEEP_CHOICE_STATE,
    SWEEP_STATE,
    TRAIN_K_STATE,
)

SAGEMAKER_NAME = re.compile(r"[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}")


@pytest.fixture(scope="module")
def definition() -> dict:
    return workflow_definition(region="eu-west-1", bucket="my-bucket", prefix="studio")


@pytest.fixture(scope="module")
def sweep(definition) -> dict:
    return definition["States"][SWEEP_STATE]


@pytest.fixture(scope="module")
def iteration(sweep) -> dict:
    return sweep["Iterator"]


def test_the_choice_after_prepare_sends_a_sweep_to_the_map_and_a_fixed_k_to_train_kmeans(definition):
    choice = definition["States"][SWEEP_CHOICE_STATE]
    assert choice["Choices"] == [{"Variable": "$.Sweep", "BooleanEquals": True, "Next": SWEEP_STATE}]
    assert choice["Default"] == TRAIN_STATE


def test_both_paths_meet_at_save_model_which_reads_the_artifact_both_leave_in_training(definition):
    states = definition["States"]
    assert states[SWEEP_STATE]["Next"] == PICK_STATE
    assert states[PICK_STATE]["Next"] == MODEL_STATE
    assert states[TRAIN_STATE]["Next"] == MODEL_STATE
    assert states[TRAIN_STATE]["ResultPath"] == states[PICK_STATE]["ResultPath"] == "$.training"
    container = states[MODEL_STATE]["Parameters"]["PrimaryContainer"]
    assert container["ModelDataUrl.$"] == "$['training']['ModelArtifacts']['S3ModelArtifacts']"


def test_pick_k_leaves_the_chosen_job_in_the_shape_of_describe_training_job(definition):
    selector = definition["States"][PICK_STATE]["ResultSelector"]
    assert selector["ModelArtifacts.$"] == "$.Payload.training.ModelArtifacts"
    assert selector["HyperParameters.$"] == "$.Payload.training.HyperParameters"
    assert selector["TrainingJobName.$"] == "$.Payload.training.TrainingJobName"


def test_evaluate_reads_k_from_the_model_it_evaluates_on_both_paths(definition):
    payload = definition["States"]["Evaluate clusters"]["Parameters"]["Payload"]
    assert payload["K.$"] == "$['training']['HyperParameters']['k']"


def test_the_map_iterates_over_the_candidates_prepare_lists_at_the_concurrency_of_the_input(sweep):
    assert sweep["Type"] == "Map"
    assert sweep["ItemsPath"] == "$.prepare.Payload.candidates"
    assert sweep["MaxConcurrencyPath"] == "$.MaxConcurrency"
    assert "MaxConcurrency" not in sweep
    assert sweep["ResultPath"] == "$.sweep"


def test_each_iteration_gets_its_k_as_number_and_string_and_a_job_name_of_the_run_and_k(sweep):
    selector = sweep["Parameters"]
    assert selector["k.$"] == "$$.Map.Item.Value"
    assert selector["K.$"] == "States.Format('{}', $$.Map.Item.Value)"
    assert selector["TrainingJobName.$"] == "States.Format('{}{}', $.SweepJobPrefix, $$.Map.Item.Value)"
    assert selector["TrainUri.$"] == "$['prepare']['Payload']['train_uri']"
    assert selector["InstanceType.$"] == "$$.Execution.Input['InstanceType']"


def test_each_iteration_trains_kmeans_then_scores_it(iteration):
    assert iteration["StartAt"] == TRAIN_K_STATE
    train, score = iteration["States"][TRAIN_K_STATE], iteration["States"][SCORE_K_STATE]
    assert train["Resource"] == "arn:aws:states:::sagemaker:createTrainingJob.sync"
    assert train["Next"] == SCORE_K_STATE
    assert score["Resource"] == "arn:aws:states:::lambda:invoke"
    assert score["Parameters"]["FunctionName"] == "rfm-studio-score-k"
    assert score["End"] is True
    assert score["OutputPath"] == "$.score.Payload"  # the iteration's output is the k's record


def test_a_sweep_k_trains_with_the_same_algorithm_and_channel_as_the_fixed_k(definition, iteration):
    fixed = definition["States"][TRAIN_STATE]["Parameters"]
    swept = iteration["States"][TRAIN_K_STATE]["Parameters"]
    assert swept["AlgorithmSpecification"] == fixed["AlgorithmSpecification"]
    assert swept["AlgorithmSpecification"]["TrainingImage"] == sagemaker.image_uris.retrieve(
        "kmeans", "eu-west-1"
    )
    assert swept["InputDataConfig"][0]["ContentType"] == "text/csv;label_size=0"
    assert swept["HyperParameters"] == {**fixed["HyperParameters"], "k.$": "$['K']"}
    assert swept["TrainingJobName.$"] == "$['TrainingJobName']"
    assert swept["ResourceConfig"]["InstanceType.$"] == "$['InstanceType']"


def test_any_error_of_an_iteration_is_caught_inside_it_and_recorded(iteration):
    for name in (TRAIN_K_STATE, SCORE_K_STATE):
        assert iteration["States"][name]["Catch"] == [
            {"ErrorEquals": ["States.ALL"], "ResultPath": "$.error", "Next": K_FAILED_STATE}
        ]
    failed = iteration["States"][K_FAILED_STATE]
    assert failed["Type"] == "Pass"
    assert failed["End"] is True
    assert failed["Parameters"] == {
        "k.$": "$.k",
        "status": "FAILED",
        "training_job_name.$": "$.TrainingJobName",
        "error.$": "$.error.Error",
        "cause.$": "$.error.Cause",
    }


@pytest.mark.parametrize("state", [SWEEP_STATE, PICK_STATE])
def test_the_map_and_pick_k_route_any_uncaught_error_to_the_failure_state(definition, state):
    assert definition["States"][state]["Catch"] == [
        {"ErrorEquals": ["States.ALL"], "ResultPath": "$.error", "Next": FAILED_STATE}
    ]


def test_pick_k_never_retries_a_sweep_where_no_k_succeeded(definition):
    retries = definition["States"][PICK_STATE]["Retry"]
    assert retries[0] == {"ErrorEquals": ["DataError"], "MaxAttempts": 0}


@pytest.mark.parametrize(
    "run_name", ["rfm-20261125-185341-3db263ce", "rfm-" + "x" * 90 + "-3db263ce", "my run/with:odd*chars"]
)
def test_every_sweep_job_name_is_legal_for_sagemaker_and_unique_per_k(run_name):
    prefix = sweep_job_prefix(run_name)
    names = {f"{prefix}{k}" for k in range(2, MAX_SWEEP_K + 1)}
    assert len(names) == MAX_SWEEP_K - 1
    assert all(SAGEMAKER_NAME.fullmatch(name) for name in names), names
    inputs = execution_input_for(run_name, ClusteringParameters(k_range=(2, 10)), "s3://b/k", "b", "p")
    assert inputs["SweepJobPrefix"] == prefix
    assert inputs["TrainingJobName"] not in names
