"""Local SageMaker XGBoost 1.7-1: training, model and batch transform on real price data.

The requests are the stepfunctions SDK's own TrainingStep / ModelStep / TransformStep
Parameters for the built-in XGBoost image; the data is the real sample's transactions as the
price-regression workflow prepares them (tests/support/price_support.py).
"""

from __future__ import annotations

import io
import json
import tarfile
import warnings

import numpy as np
import pandas as pd
import pytest
import xgboost as xgb
from support.price_support import SAMPLE_HYPERPARAMETERS, price_csvs

from pipeline.local.asl.errors import StatesError
from pipeline.local.services.sagemaker import (
    create_model,
    create_training_job_sync,
    create_transform_job_sync,
)
from pipeline.local.services.xgboost_hyperparameters import validate_hyperparameters
from pipeline.storage import default_storage

BUCKET = "s3://rfm-studio-local/price"
ROLE = "arn:aws:iam::000000000000:role/rfm-studio"


@pytest.fixture(scope="module")
def sdk_steps():
    """Parameters of real TrainingStep / ModelStep / TransformStep objects for built-in XGBoost 1.7-1."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import boto3
        import sagemaker
        from sagemaker import image_uris
        from sagemaker.estimator import Estimator
        from sagemaker.inputs import TrainingInput
        from stepfunctions.steps import ModelStep, TrainingStep, TransformStep

        session = sagemaker.Session(boto_session=boto3.Session(region_name="us-east-1"))
        estimator = Estimator(
            image_uris.retrieve("xgboost", "us-east-1", version="1.7-1"),
            role=ROLE,
            instance_count=1,
            instance_type="ml.m5.large",
            output_path=f"{BUCKET}/model",
            sagemaker_session=session,
        )
        estimator.set_hyperparameters(**SAMPLE_HYPERPARAMETERS)
        train = TrainingStep(
            "Train XGBoost",
            estimator=estimator,
            data={
                "train": TrainingInput(f"{BUCKET}/train/", content_type="text/csv"),
                "validation": TrainingInput(f"{BUCKET}/validation/", content_type="text/csv"),
            },
            job_name="price-train-1",
        )
        model = ModelStep("Save model", model=train.get_expected_model(), model_name="price-model-1")
        transformer = estimator.transformer(
            1, "ml.m5.large", accept="text/csv", assemble_with="Line", output_path=f"{BUCKET}/predictions"
        )
        transform = TransformStep(
            "Predict prices",
            transformer=transformer,
            job_name="price-transform-1",
            model_name="price-model-1",
            data=f"{BUCKET}/test/",
            content_type="text/csv",
            split_type="Line",
        )
    return {
        "train": train.to_dict()["Parameters"],
        "model": model.to_dict()["Parameters"],
        "transform": transform.to_dict()["Parameters"],
    }


@pytest.fixture(scope="module")
def price(sample_clean):
    return price_csvs(sample_clean[0])


@pytest.fixture
def storage():
    return default_storage()


@pytest.fixture
def channels(storage, price):
    storage.write_bytes(f"{BUCKET}/train/train.csv", price.train)
    storage.write_bytes(f"{BUCKET}/validation/validation.csv", price.validation)
    storage.write_bytes(f"{BUCKET}/test/features.csv", price.test_features)
    return price


def train_params(sdk_steps, **hyperparameters) -> dict:
    params = json.loads(json.dumps(sdk_steps["train"]))
    params["HyperParameters"].update({k: str(v) for k, v in hyperparameters.items()})
    return params


def parse_csv(data: bytes) -> np.ndarray:
    """An independent read of the CSV: pandas' defaults, empty fields NaN."""
    return pd.read_csv(io.BytesIO(data), header=None).to_numpy(dtype=np.float64)


def booster_of(storage, describe: dict, tmp_path) -> xgb.Booster:
    with tarfile.open(
        fileobj=io.BytesIO(storage.read_bytes(describe["ModelArtifacts"]["S3ModelArtifacts"]))
    ) as tar:
        tar.extractall(tmp_path, filter="data")
    return xgb.Booster(model_file=str(tmp_path / "xgboost-model"))


def rmse(booster: xgb.Booster, data: bytes) -> float:
    table = parse_csv(data)
    predictions = booster.predict(xgb.DMatrix(table[:, 1:])).astype(np.float64)
    labels = table[:, 0].astype(np.float32).astype(np.float64)
    return float(np.sqrt(np.mean((labels - predictions) ** 2)))


def failure_reason(params: dict) -> str:
    """The job fails as a .sync training job that ends Failed: States.TaskFailed, Describe as cause."""
    with pytest.raises(StatesError) as caught:
        create_training_job_sync(params)
    assert caught.value.error == "States.TaskFailed"
    described = json.loads(caught.value.cause)
    assert described["TrainingJobStatus"] == "Failed"
    assert "ModelArtifacts" not in described
    return described["FailureReason"]


# --- training -------------------------------------------------------------------------------


def test_training_writes_model_tar_holding_only_xgboost_model(sdk_steps, storage, channels):
    result = create_training_job_sync(train_params(sdk_steps))
    expected = f"{BUCKET}/model/price-train-1/output/model.tar.gz"
    assert result["ModelArtifacts"] == {"S3ModelArtifacts": expected}
    with tarfile.open(fileobj=io.BytesIO(storage.read_bytes(expected))) as tar:
        assert tar.getnames() == ["xgboost-model"]


def test_the_model_is_xgboost_17_binary_format_as_save_model_writes_without_extension(
    sdk_steps, storage, channels, tmp_path
):
    result = create_training_job_sync(train_params(sdk_steps))
    booster = booster_of(storage, result, tmp_path)
    saved = (tmp_path / "xgboost-model").read_bytes()
    assert saved[:4] == b"binf"  # XGBoost's legacy binary model, not JSON or UBJSON
    booster.save_model(str(tmp_path / "again"))
    assert (tmp_path / "again").read_bytes() == saved


def test_final_metrics_are_the_saved_boosters_rmse_on_each_channel(sdk_steps, storage, channels, tmp_path):
    result = create_training_job_sync(train_params(sdk_steps))
    booster = booster_of(storage, result, tmp_path)
    metrics = {m["MetricName"]: m["Value"] for m in result["FinalMetricDataList"]}
    assert list(metrics) == ["train:rmse", "validation:rmse"]
    for name, data in (("train:rmse", channels.train), ("validation:rmse", channels.validation)):
        own = rmse(booster, data)
        assert metrics[name] == pytest.approx(own, abs=5e-6)  # the log line's 5 decimals
        assert metrics[name] == float(f"{own:.5f}")


def test_metrics_carry_the_timestamp_of_the_end_of_training(sdk_steps, channels):
    result = create_training_job_sync(train_params(sdk_steps))
    for metric in result["FinalMetricDataList"]:
        assert result["TrainingStartTime"] <= metric["Timestamp"] <= result["TrainingEndTime"]


def test_training_is_xgboost_train_with_the_containers_parsed_hyperparameters(
    sdk_steps, storage, channels, tmp_path
):
    result = create_training_job_sync(train_params(sdk_steps))
    train, validation = parse_csv(channels.train), parse_csv(channels.validation)
    dtrain = xgb.DMatrix(train[:, 1:], label=train[:, 0])
    dval = xgb.DMatrix(validation[:, 1:], label=validation[:, 0])
    config = validate_hyperparameters(SAMPLE_HYPERPARAMETERS)
    assert config == {"num_round": 50, "max_depth": 5, "eta": 0.2, "gamma": 4.0, "min_child_weight": 6.0,
                      "subsample": 0.7, "objective": "reg:squarederror"}  # fmt: skip
    direct = xgb.train(
        {k: v for k, v in config.items() if k != "num_round"},
        dtrain,
        num_boost_round=50,
        evals=[(dtrain, "train"), (dval, "validation")],
        verbose_eval=False,
    )
    booster = booster_of(storage, result, tmp_path)
    assert booster.save_raw() == direct.save_raw()


def test_training_result_has_describe_training_job_shape(sdk_steps, channels):
    params = train_params(sdk_steps)
    result = create_training_job_sync(params)
    assert result["TrainingJobStatus"] == result["SecondaryStatus"] == "Completed"
    assert result["TrainingJobArn"] == "arn:aws:sagemaker:us-east-1:000000000000:training-job/price-train-1"
    assert result["HyperParameters"] == SAMPLE_HYPERPARAMETERS  # as given: strings
    for key in ("AlgorithmSpecification", "InputDataConfig", "OutputDataConfig", "ResourceConfig",
                "StoppingCondition", "RoleArn"):  # fmt: skip
        assert result[key] == params[key]
    times = [result["CreationTime"], result["TrainingStartTime"], result["TrainingEndTime"]]
    assert all(isinstance(t, int) and 1.5e12 < t < 1e14 for t in times) and times == sorted(times)
    json.dumps(result)


def test_an_empty_field_is_a_missing_value_as_xgboosts_csv_reader_reads_it(sdk_steps, storage, tmp_path):
    rows = "2.5,10,1,\n1.25,11,6,12347\n4.0,10,2,\n0.85,12,24,12347\n3.0,13,1,12350\n"
    storage.write_bytes(f"{BUCKET}/train/train.csv", rows.encode())
    storage.write_bytes(f"{BUCKET}/validation/validation.csv", rows.encode())
    result = create_training_job_sync(train_params(sdk_steps, num_round=3, min_child_weight=0, gamma=0))
    table = parse_csv(rows.encode())
    assert np.isnan(table[0, 3])
    dtrain = xgb.DMatrix(table[:, 1:], label=table[:, 0])
    config = validate_hyperparameters({**SAMPLE_HYPERPARAMETERS, "num_round": "3", "min_child_weight": "0",
                                       "gamma": "0"})  # fmt: skip
    config.pop("num_round")
    direct = xgb.train(config, dtrain, num_boost_round=3, evals=[(dtrain, "train")], verbose_eval=False)
    assert booster_of(storage, result, tmp_path).save_raw() == direct.save_raw()


def test_aliases_are_the_same_hyperparameters(sdk_steps, storage, channels):
    first = create_training_job_sync(train_params(sdk_steps))
    params = train_params(sdk_steps)
    params["HyperParameters"]["learning_rate"] = params["HyperParameters"].pop("eta")
    params["HyperParameters"]["min_split_loss"] = params["HyperParameters"].pop("gamma")
    params["TrainingJobName"] = "price-train-2"
    second = create_training_job_sync(params)
    read = storage.read_bytes
    assert read(first["ModelArtifacts"]["S3ModelArtifacts"]) == read(
        second["ModelArtifacts"]["S3ModelArtifacts"]
    )


def test_reg_linear_is_accepted_by_1_7_1_and_trains_as_squared_error(sdk_steps, storage, channels, tmp_path):
    result = create_training_job_sync(train_params(sdk_steps, objective="reg:linear"))
    linear = booster_of(storage, result, tmp_path)
    squared = create_training_job_sync({**train_params(sdk_steps), "TrainingJobName": "price-train-2"})
    (tmp_path / "squared").mkdir()
    features = xgb.DMatrix(parse_csv(channels.validation)[:, 1:])
    np.testing.assert_array_equal(
        linear.predict(features), booster_of(storage, squared, tmp_path / "squared").predict(features)
    )


def test_early_stopping_ends_training_before_num_round(sdk_steps, storage, channels, tmp_path):
    result = create_training_job_sync(
        train_params(sdk_steps, num_round=500, eta=1, early_stopping_rounds=2, eval_metric="rmse")
    )
    assert booster_of(storage, result, tmp_path).num_boosted_rounds() < 500
    assert [m["MetricName"] for m in result["FinalMetricDataList"]] == ["train:rmse", "validation:rmse"]


@pytest.mark.parametrize(
    "change, message",
    [
        ({"learning_rat": "0.2"}, "Extraneous hyperparameter found: learning_rat"),
        ({"num_round": None}, "Missing required hyperparameter: num_round"),
        ({"eta": "abc"}, "Hyperparameter eta: could not parse value (caused by ValueError)"),
        ({"max_depth": "-1"}, "Hyperparameter max_depth: -1 is not in [0, +inf)"),
        ({"num_round": "5.0"}, "Hyperparameter num_round: could not parse value (caused by ValueError)"),
        ({"subsample": "0"}, "Hyperparameter subsample: 0.0 is not in (0, 1]"),
        (
            {"objective": "reg:squared"},
            "Hyperparameter objective: reg:squared is not in ['aft_loss_distribution'",
        ),
        ({"objective": "multi:softmax"}, "Require input for parameter 'num_class' for multi-classification"),
        ({"eval_metric": "auc"}, "Metric 'auc' can only be applied for classification and ranking problems."),
    ],
)
def test_invalid_hyperparameters_fail_the_job_with_the_containers_user_error(
    sdk_steps, channels, change, message
):
    params = train_params(sdk_steps)
    for name, value in change.items():
        if value is None:
            params["HyperParameters"].pop(name)
        else:
            params["HyperParameters"][name] = value
    reason = failure_reason(params)
    assert reason.startswith(
        "AlgorithmError: framework error: \nsagemaker_algorithm_toolkit.exceptions.UserError: "
    )
    assert message in reason


def test_a_header_row_fails_the_job_naming_the_object_and_line(sdk_steps, storage, channels):
    storage.write_bytes(
        f"{BUCKET}/train/train.csv", b"UnitPrice,StockCode,Quantity,CustomerID\n" + channels.train
    )
    reason = failure_reason(train_params(sdk_steps))
    assert f"{BUCKET}/train/train.csv line 1 (a header row?): 'UnitPrice' is not a number" in reason


def test_a_text_value_fails_the_job_naming_the_line_and_field(sdk_steps, storage, channels):
    storage.write_bytes(f"{BUCKET}/validation/validation.csv", channels.validation + b"2.5,85123A,6,17850\n")
    reason = failure_reason(train_params(sdk_steps))
    line = channels.validation.count(b"\n") + 1
    assert f"{BUCKET}/validation/validation.csv line {line}: '85123A' is not a number" in reason


def test_a_channel_the_container_does_not_know_fails_the_job(sdk_steps, channels):
    params = train_params(sdk_steps)
    extra = json.loads(json.dumps(params["InputDataConfig"][1]))
    extra["ChannelName"] = "test"
    params["InputDataConfig"].append(extra)
    assert "Extraneous channel found: test" in failure_reason(params)


def test_a_channel_without_content_type_is_libsvm_to_the_container_and_refused_locally(sdk_steps, channels):
    params = train_params(sdk_steps)
    del params["InputDataConfig"][0]["ContentType"]
    reason = failure_reason(params)
    assert "ContentType is 'text/libsvm' (the container's default when none is given)" in reason
    assert "set ContentType to text/csv" in reason


def test_an_empty_validation_channel_fails_the_job(sdk_steps, storage, channels):
    storage.write_bytes(f"{BUCKET}/validation/validation.csv", b"")
    assert f"No data in validation channel path {BUCKET}/validation/" in failure_reason(
        train_params(sdk_steps)
    )


def test_the_xgboost_image_of_another_region_is_the_same_algorithm(sdk_steps, channels):
    params = train_params(sdk_steps)
    params["AlgorithmSpecification"]["TrainingImage"] = (
        "141502667606.dkr.ecr.eu-west-1.amazonaws.com/sagemaker-xgboost:1.7-1"
    )
    assert create_training_job_sync(params)["TrainingJobStatus"] == "Completed"


def test_another_xgboost_version_is_refused_naming_the_one_that_runs(sdk_steps, channels):
    params = train_params(sdk_steps)
    params["AlgorithmSpecification"]["TrainingImage"] = (
        "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.5-1"
    )
    with pytest.raises(StatesError) as caught:
        create_training_job_sync(params)
    assert caught.value.error == "SageMaker.AmazonSageMakerException"
    assert (
        "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1 (xgboost)" in caught.value.cause
    )


def test_request_validation_applies_to_xgboost_requests(sdk_steps, channels):
    params = train_params(sdk_steps)
    params["ResourceConfig"]["InstanceType"] = "m5.large"
    with pytest.raises(StatesError) as caught:
        create_training_job_sync(params)
    assert caught.value.error == "SageMaker.AmazonSageMakerException"
    assert (
        "Value 'm5.large' at 'resourceConfig.instanceType' failed to satisfy constraint" in caught.value.cause
    )


# --- model and batch transform --------------------------------------------------------------


@pytest.fixture
def trained(sdk_steps, channels) -> dict:
    result = create_training_job_sync(train_params(sdk_steps))
    params = json.loads(json.dumps(sdk_steps["model"]))
    params["PrimaryContainer"].pop("ModelDataUrl.$")
    params["PrimaryContainer"]["ModelDataUrl"] = result["ModelArtifacts"]["S3ModelArtifacts"]
    create_model(params)
    return result


def transform_params(sdk_steps, **output) -> dict:
    params = json.loads(json.dumps(sdk_steps["transform"]))
    params["TransformOutput"].update(output)
    return params


def test_transform_writes_one_prediction_a_line_exactly_as_the_model_file_predicts(
    sdk_steps, storage, trained, tmp_path
):
    result = create_transform_job_sync(transform_params(sdk_steps))
    assert result["TransformJobStatus"] == "Completed"
    lines = storage.read_bytes(f"{BUCKET}/predictions/features.csv.out").decode().splitlines()
    features = parse_csv(storage.read_bytes(f"{BUCKET}/test/features.csv"))
    assert len(lines) == len(features)
    predictions = booster_of(storage, trained, tmp_path).predict(xgb.DMatrix(features))
    assert lines == [str(value) for value in predictions.tolist()]  # the container's str() of each


def test_transform_output_has_one_line_per_held_out_test_row(sdk_steps, storage, trained, price):
    create_transform_job_sync(transform_params(sdk_steps))
    output = storage.read_bytes(f"{BUCKET}/predictions/features.csv.out")
    assert output.endswith(b"\n")
    assert output.count(b"\n") == len(price.test_labels)


def test_transform_without_accept_answers_json_as_the_container_defaults(
    sdk_steps, storage, trained, tmp_path
):
    params = transform_params(sdk_steps)
    del params["TransformOutput"]["Accept"]
    create_transform_job_sync(params)
    document = json.loads(storage.read_bytes(f"{BUCKET}/predictions/features.csv.out"))
    features = parse_csv(storage.read_bytes(f"{BUCKET}/test/features.csv"))
    assert document == booster_of(storage, trained, tmp_path).predict(xgb.DMatrix(features)).tolist()


def test_transform_refuses_an_accept_type_the_container_does_not_answer(sdk_steps, trained):
    with pytest.raises(StatesError) as caught:
        create_transform_job_sync(transform_params(sdk_steps, Accept="application/jsonlines"))
    assert caught.value.error == "States.TaskFailed"
    described = json.loads(caught.value.cause)
    assert described["TransformJobStatus"] == "Failed"
    assert "application/jsonlines is not an accepted Accept type" in described["FailureReason"]


def test_transform_input_with_the_label_column_still_in_fails_saying_so(sdk_steps, storage, trained, price):
    storage.write_bytes(f"{BUCKET}/test/features.csv", price.validation)
    with pytest.raises(StatesError) as caught:
        create_transform_job_sync(transform_params(sdk_steps))
    reason = json.loads(caught.value.cause)["FailureReason"]
    assert f"{BUCKET}/test/features.csv cannot be scored by the model" in reason


def test_transform_with_a_model_of_an_unknown_image_is_refused(sdk_steps, storage, trained):
    params = json.loads(json.dumps(sdk_steps["model"]))
    params["ModelName"] = "other-model"
    params["PrimaryContainer"].pop("ModelDataUrl.$")
    params["PrimaryContainer"]["ModelDataUrl"] = trained["ModelArtifacts"]["S3ModelArtifacts"]
    params["PrimaryContainer"]["Image"] = "123456789012.dkr.ecr.us-east-1.amazonaws.com/my-model:latest"
    create_model(params)
    transform = transform_params(sdk_steps)
    transform["ModelName"] = "other-model"
    with pytest.raises(StatesError) as caught:
        create_transform_job_sync(transform)
    assert caught.value.error == "SageMaker.AmazonSageMakerException"
    assert (
        "The image '123456789012.dkr.ecr.us-east-1.amazonaws.com/my-model:latest' cannot run"
        in caught.value.cause
    )


def test_train_save_and_predict_run_through_the_engines_resources(sdk_steps, storage, channels):
    from pipeline.local.services.resources import LocalResources

    resources = LocalResources()
    trained = resources.invoke(
        "arn:aws:states:::sagemaker:createTrainingJob.sync",
        train_params(sdk_steps),
        state_name="Train",
        timeout=None,
    )
    model = json.loads(json.dumps(sdk_steps["model"]))
    model["PrimaryContainer"]["ModelDataUrl"] = trained["ModelArtifacts"]["S3ModelArtifacts"]
    del model["PrimaryContainer"]["ModelDataUrl.$"]
    resources.invoke("arn:aws:states:::sagemaker:createModel", model, state_name="Save model", timeout=None)
    result = resources.invoke(
        "arn:aws:states:::sagemaker:createTransformJob.sync",
        transform_params(sdk_steps),
        state_name="Predict",
        timeout=None,
    )
    assert result["TransformJobStatus"] == "Completed"
    predictions = storage.read_bytes(f"{BUCKET}/predictions/features.csv.out").decode().splitlines()
    assert len(predictions) == len(channels.test_labels)
