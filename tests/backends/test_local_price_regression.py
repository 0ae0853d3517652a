"""The price-regression workflow end to end on the local backend, on the real sample.

One run with the default parameters (every SageMaker and Lambda request recorded as the engine
sent it), one with a threshold below the RMSE that run achieved. Executions run in threads of
the test process; the XGBoost stand-in trains with the xgboost package as the 1.7-1 container
does.
"""

from __future__ import annotations

import copy
import io
import json
from typing import Any

import numpy as np
import pandas as pd
import pytest
import xgboost
from botocore.validate import ParamValidator
from sklearn.metrics import root_mean_squared_error

from pipeline.backends.local import LocalBackend
from pipeline.local.client import LocalStepFunctionsClient, wait_for_status
from pipeline.local.services.request_validation import lambda_invoke_request, request_errors
from pipeline.local.services.resources import LocalResources
from pipeline.local.services.service_models import input_shape
from pipeline.workflows.price_regression import model_file
from pipeline.workflows.price_regression.layout import RegressionLayout
from pipeline.workflows.price_regression.parameters import (
    DEFAULT_RMSE_THRESHOLD,
    FEATURE_SETS,
    RegressionParameters,
)
from pipeline.workflows.price_regression.steps import (
    CHOICE_STATE,
    PREDICT_STATE,
    RMSE_FAIL_STATE,
    SUCCEED_STATE,
    TASKS_IN_ORDER,
)
from pipeline.workflows.runs import execution_input_of

RUN_TIMEOUT = 600
OPERATIONS = {
    "arn:aws:states:::lambda:invoke": ("lambda", "Invoke"),
    "arn:aws:states:::sagemaker:createTrainingJob.sync": ("sagemaker", "CreateTrainingJob"),
    "arn:aws:states:::sagemaker:createModel": ("sagemaker", "CreateModel"),
    "arn:aws:states:::sagemaker:createTransformJob.sync": ("sagemaker", "CreateTransformJob"),
}

pytestmark = pytest.mark.slow


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
    path = tmp_path_factory.mktemp("dataset") / "sample.parquet"
    sample_dataset.transactions.to_parquet(path, index=False)
    return path


@pytest.fixture(scope="module")
def home(tmp_path_factory):
    """One data directory for the module's runs (the local bucket they write and the tests read)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("RFM_STUDIO_HOME", str(tmp_path_factory.mktemp("price-regression-home")))
        yield


@pytest.fixture(scope="module")
def resources(home) -> RecordingResources:
    return RecordingResources()


@pytest.fixture(scope="module")
def backend(resources) -> LocalBackend:
    return LocalBackend(LocalStepFunctionsClient(mode="thread", resources=resources))


@pytest.fixture(scope="module")
def default_run(backend, resources, sample_parquet) -> dict:
    """The workflow with its default parameters: the description, its requests, its run files."""
    resources.requests.clear()
    arn = backend.launch(sample_parquet, RegressionParameters(), dataset_name="sample")
    description = wait_for_status(backend.client, arn, RUN_TIMEOUT)
    requests = list(resources.requests)
    return {
        "description": description,
        "requests": requests,
        "layout": RegressionLayout(execution_input_of(description)["RunPrefix"]),
        "output": json.loads(description.get("output") or "{}"),
    }


@pytest.fixture(scope="module")
def low_threshold_run(backend, default_run, sample_parquet) -> dict:
    """The same data with a threshold half the validation RMSE the default run achieved."""
    threshold = round(default_run["output"]["validation_rmse"] / 2, 2)
    arn = backend.launch(sample_parquet, RegressionParameters(rmse_threshold=threshold))
    return {"description": wait_for_status(backend.client, arn, RUN_TIMEOUT), "threshold": threshold}


def entered_states(backend, execution_arn: str) -> list[str]:
    return [
        event["stateEnteredEventDetails"]["name"]
        for event in backend.history(execution_arn)
        if "stateEnteredEventDetails" in event
    ]


def test_the_default_run_succeeds_with_the_validation_rmse_below_the_default_threshold(backend, default_run):
    description = default_run["description"]
    assert description["status"] == "SUCCEEDED", description.get("cause")
    assert 0 < default_run["output"]["validation_rmse"] < DEFAULT_RMSE_THRESHOLD
    assert default_run["output"]["rmse_threshold"] == DEFAULT_RMSE_THRESHOLD
    assert entered_states(backend, description["executionArn"]) == [
        *TASKS_IN_ORDER[:4],
        CHOICE_STATE,
        *TASKS_IN_ORDER[4:],
        SUCCEED_STATE,
    ]


def test_the_transform_writes_one_prediction_per_test_row(backend, default_run, sample_clean):
    layout = default_run["layout"]
    test_rows = len(sample_clean[0]) - int(len(sample_clean[0]) * 0.9)
    features = backend.storage.read_bytes(layout.test_features_uri).decode().splitlines()
    predictions = backend.storage.read_bytes(layout.transform_output_file_uri).decode().splitlines()
    assert len(features) == len(predictions) == test_rows == default_run["output"]["predictions"]
    assert all(np.isfinite(float(line)) for line in predictions)


def test_the_model_file_loads_with_xgboost_and_predicts_what_the_transform_wrote(backend, default_run):
    layout = default_run["layout"]
    scores = json.loads(backend.storage.read_bytes(layout.scores_uri))

    booster = model_file.read_booster(scores["model_uri"], backend.storage)

    assert isinstance(booster, xgboost.Booster)
    features = pd.read_csv(io.BytesIO(backend.storage.read_bytes(layout.test_features_uri)), header=None)
    mine = booster.predict(xgboost.DMatrix(features.to_numpy("float32")))
    written = np.array(backend.storage.read_bytes(layout.transform_output_file_uri).decode().split(), float)
    np.testing.assert_array_equal(mine.astype("float64"), written)


def test_the_reported_validation_rmse_is_the_saved_models_own(backend, default_run):
    layout = default_run["layout"]
    scores = json.loads(backend.storage.read_bytes(layout.scores_uri))
    booster = model_file.read_booster(scores["model_uri"], backend.storage)
    validation = pd.read_csv(io.BytesIO(backend.storage.read_bytes(layout.validation_file_uri)), header=None)
    predicted = booster.predict(xgboost.DMatrix(validation.iloc[:, 1:].to_numpy("float32")))
    rmse = root_mean_squared_error(validation[0].to_numpy("float32"), predicted)
    assert default_run["output"]["validation_rmse"] == pytest.approx(rmse, abs=5e-5)


def test_the_results_join_every_prediction_with_its_held_out_price(backend, default_run):
    results = backend.results(default_run["description"]["executionArn"])
    assert len(results.predictions) == default_run["output"]["predictions"]
    assert results.predictions["Predicted"].notna().all()
    expected = root_mean_squared_error(results.predictions["UnitPrice"], results.predictions["Predicted"])
    assert results.scores["test_rmse"] == pytest.approx(expected, rel=1e-9)
    assert results.stock_codes["Lines"].sum() == len(results.predictions)
    assert backend.workflow_of(default_run["description"]["executionArn"]).name == "price-regression"


def test_feature_importance_is_read_from_the_model_file_for_the_runs_features(backend, default_run):
    results = backend.results(default_run["description"]["executionArn"])
    booster = model_file.read_booster(results.model_uri, backend.storage)

    importance = model_file.feature_importance(booster, results.feature_names)

    assert sorted(importance["Feature"]) == sorted(FEATURE_SETS["basic"])
    assert (importance["Gain"] >= 0).all() and importance["Gain"].max() > 0
    assert importance["Share"].sum() == pytest.approx(1.0)
    assert importance["Gain"].is_monotonic_decreasing
    # Each feature's figure is the gain summed over its splits: XGBoost's mean gain times its split count.
    names = {f"f{index}": name for index, name in enumerate(results.feature_names)}
    mean_gain, splits = booster.get_score(importance_type="gain"), booster.get_score(importance_type="weight")
    totals = {names[key]: mean_gain[key] * splits[key] for key in mean_gain}
    assert dict(zip(importance["Feature"], importance["Gain"], strict=True)) == pytest.approx(
        {feature: totals.get(feature, 0.0) for feature in importance["Feature"]}, rel=1e-4
    )


def test_every_request_the_run_sent_passes_botocores_parameter_validation(default_run):
    requests = default_run["requests"]
    lambda_invoke, training, model, transform = OPERATIONS
    expected = [lambda_invoke, training, model, lambda_invoke, transform, lambda_invoke]
    assert [(state, resource) for state, resource, _ in requests] == list(
        zip(TASKS_IN_ORDER, expected, strict=True)
    )
    for state, resource, parameters in requests:
        service, operation = OPERATIONS[resource]
        request = lambda_invoke_request(parameters) if service == "lambda" else parameters
        report = ParamValidator().validate(request, input_shape(service, operation))
        assert not report.has_errors(), (state, report.generate_report())
        assert request_errors(service, operation, request) == [], state


def test_a_threshold_below_the_achievable_rmse_fails_naming_both_numbers(
    backend, default_run, low_threshold_run
):
    description = low_threshold_run["description"]
    rmse = default_run["output"]["validation_rmse"]
    assert description["status"] == "FAILED"
    assert description["error"] == "RmseTooHigh"
    assert description["cause"].startswith(
        f"Validation RMSE {rmse} is above the threshold {low_threshold_run['threshold']}:"
    )
    entered = entered_states(backend, description["executionArn"])
    assert entered[-2:] == [CHOICE_STATE, RMSE_FAIL_STATE]
    assert PREDICT_STATE not in entered  # no batch transform for a model that is not good enough
