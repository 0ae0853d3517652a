"""Local SageMaker KMeans: training, model registry and batch transform, fed the SDK's own Parameters."""

from __future__ import annotations

import io
import json
import warnings

import numpy as np
import pytest
from jsonpath_ng import parse as jsonpath
from sklearn.metrics import pairwise_distances_argmin_min

from pipeline.local.asl.errors import StatesError
from pipeline.local.services.sagemaker import (
    create_model,
    create_training_job_sync,
    create_transform_job_sync,
)
from pipeline.storage import default_storage
from pipeline.workflows.kmeans_ndarray import read_kmeans_model_tar

BUCKET = "s3://rfm-studio-local/demo"
TRUE_CENTRES = np.array([[0.0, 0.0, 0.0], [5.0, 5.0, 0.0], [0.0, 5.0, 5.0]])


def blobs(rows_per_centre: int = 40, seed: int = 7, centres: np.ndarray = TRUE_CENTRES) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return np.vstack([rng.normal(c, 0.25, size=(rows_per_centre, centres.shape[1])) for c in centres])


def to_csv(rows: np.ndarray) -> bytes:
    return "".join(",".join(f"{v:.6f}" for v in row) + "\n" for row in rows).encode()


def resolve(parameters: dict, state_input: dict) -> dict:
    """Apply Parameters' ``.$`` keys to a state input with jsonpath-ng, as the engine does."""
    resolved = {}
    for key, value in parameters.items():
        if key.endswith(".$"):
            resolved[key[:-2]] = jsonpath(value).find(state_input)[0].value
        elif isinstance(value, dict):
            resolved[key] = resolve(value, state_input)
        else:
            resolved[key] = value
    return resolved


@pytest.fixture(scope="module")
def sdk_steps():
    """Parameters of real TrainingStep / ModelStep / TransformStep objects built by the stepfunctions SDK."""
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
            image_uris.retrieve("kmeans", "us-east-1"),
            role="arn:aws:iam::000000000000:role/rfm-studio",
            instance_count=1,
            instance_type="ml.m5.large",
            output_path=f"{BUCKET}/model",
            sagemaker_session=session,
        )
        estimator.set_hyperparameters(k=3, feature_dim=3, mini_batch_size=100, init_method="kmeans++")
        train = TrainingStep(
            "Train KMeans",
            estimator=estimator,
            data={"train": TrainingInput(f"{BUCKET}/train/", content_type="text/csv;label_size=0")},
            job_name="rfm-train-1",
        )
        model = ModelStep("Save model", model=train.get_expected_model(), model_name="rfm-model-1")
        transformer = estimator.transformer(
            1,
            "ml.m5.large",
            accept="application/jsonlines",
            assemble_with="Line",
            output_path=f"{BUCKET}/assign",
        )
        transform = TransformStep(
            "Assign clusters",
            transformer=transformer,
            job_name="rfm-transform-1",
            model_name="rfm-model-1",
            data=f"{BUCKET}/train/",
            content_type="text/csv",
            split_type="Line",
        )
    return {
        "train": train.to_dict()["Parameters"],
        "model": model.to_dict()["Parameters"],
        "transform": transform.to_dict()["Parameters"],
    }


@pytest.fixture
def storage():
    return default_storage()


@pytest.fixture
def training_rows(storage) -> np.ndarray:
    rows = blobs()
    storage.write_bytes(f"{BUCKET}/train/features.csv", to_csv(rows))
    return rows


def train_params(sdk_steps, **hyperparameters) -> dict:
    params = json.loads(json.dumps(sdk_steps["train"]))
    params["HyperParameters"].update({k: str(v) for k, v in hyperparameters.items()})
    return params


def sagemaker_failure(call, *args) -> StatesError:
    """A request SageMaker refuses: the task fails with the service's exception."""
    with pytest.raises(StatesError) as caught:
        call(*args)
    assert caught.value.error == "SageMaker.AmazonSageMakerException"
    return caught.value


def job_failure(call, *args) -> str:
    """A job that ends Failed: States.TaskFailed, the Describe response as cause; its FailureReason."""
    with pytest.raises(StatesError) as caught:
        call(*args)
    assert caught.value.error == "States.TaskFailed"
    described = json.loads(caught.value.cause)
    assert described.get("TrainingJobStatus", described.get("TransformJobStatus")) == "Failed"
    return described["FailureReason"]


# --- training -------------------------------------------------------------------------------


def test_training_writes_model_tar_at_sagemakers_path(sdk_steps, storage, training_rows):
    result = create_training_job_sync(train_params(sdk_steps))
    expected = f"{BUCKET}/model/rfm-train-1/output/model.tar.gz"
    assert result["ModelArtifacts"] == {"S3ModelArtifacts": expected}
    assert storage.exists(expected)


def test_training_finds_the_true_centres(sdk_steps, storage, training_rows):
    result = create_training_job_sync(train_params(sdk_steps))
    centroids = read_kmeans_model_tar(storage.read_bytes(result["ModelArtifacts"]["S3ModelArtifacts"]))
    assert centroids.shape == (3, 3)
    ordered = centroids[np.lexsort(centroids.T[::-1])]
    np.testing.assert_allclose(ordered, TRUE_CENTRES[np.lexsort(TRUE_CENTRES.T[::-1])], atol=0.15)


def test_training_reports_train_msd_of_its_own_centres(sdk_steps, storage, training_rows):
    result = create_training_job_sync(train_params(sdk_steps))
    centroids = read_kmeans_model_tar(storage.read_bytes(result["ModelArtifacts"]["S3ModelArtifacts"]))
    _, distances = pairwise_distances_argmin_min(training_rows, centroids)
    (metric,) = result["FinalMetricDataList"]
    assert metric["MetricName"] == "train:msd"
    assert metric["Value"] == pytest.approx(float(np.mean(distances**2)), rel=1e-4)


def test_training_result_has_describe_training_job_shape(sdk_steps, training_rows):
    params = train_params(sdk_steps)
    result = create_training_job_sync(params)
    assert result["TrainingJobName"] == "rfm-train-1"
    assert result["TrainingJobArn"] == "arn:aws:sagemaker:us-east-1:000000000000:training-job/rfm-train-1"
    assert result["TrainingJobStatus"] == "Completed"
    assert result["SecondaryStatus"] == "Completed"
    for key in ("HyperParameters", "AlgorithmSpecification", "InputDataConfig", "OutputDataConfig",
                "ResourceConfig", "StoppingCondition", "RoleArn"):  # fmt: skip
        assert result[key] == params[key]
    assert isinstance(result["BillableTimeInSeconds"], int)
    json.dumps(result)  # a task result must be JSON


def test_training_times_are_epoch_milliseconds(sdk_steps, training_rows):
    result = create_training_job_sync(train_params(sdk_steps))
    times = [result["CreationTime"], result["TrainingStartTime"], result["TrainingEndTime"]]
    assert all(isinstance(t, int) and 1.5e12 < t < 1e14 for t in times)
    assert times == sorted(times)


def test_job_name_in_the_arn_is_lowercased(sdk_steps, training_rows):
    params = train_params(sdk_steps)
    params["TrainingJobName"] = "RFM-Train-Upper"
    assert create_training_job_sync(params)["TrainingJobArn"].endswith(":training-job/rfm-train-upper")


def test_training_is_reproducible(sdk_steps, storage, training_rows):
    first = create_training_job_sync(train_params(sdk_steps))
    params = train_params(sdk_steps)
    params["TrainingJobName"] = "rfm-train-2"
    second = create_training_job_sync(params)
    read = storage.read_bytes
    assert read(first["ModelArtifacts"]["S3ModelArtifacts"]) == read(
        second["ModelArtifacts"]["S3ModelArtifacts"]
    )


@pytest.mark.parametrize("init_method", ["random", "kmeans++"])
def test_training_honours_k_with_either_init_method(sdk_steps, storage, training_rows, init_method):
    result = create_training_job_sync(train_params(sdk_steps, k=5, init_method=init_method))
    centroids = read_kmeans_model_tar(storage.read_bytes(result["ModelArtifacts"]["S3ModelArtifacts"]))
    assert centroids.shape == (5, 3)


def test_training_reads_every_object_under_the_prefix(sdk_steps, storage):
    far = np.array([[40.0, 40.0, 40.0]])
    storage.write_bytes(f"{BUCKET}/train/part-0.csv", to_csv(blobs(centres=TRUE_CENTRES[:1])))
    storage.write_bytes(f"{BUCKET}/train/part-1.csv", to_csv(blobs(centres=far)))
    result = create_training_job_sync(train_params(sdk_steps, k=2))
    centroids = read_kmeans_model_tar(storage.read_bytes(result["ModelArtifacts"]["S3ModelArtifacts"]))
    np.testing.assert_allclose(centroids[np.argsort(centroids[:, 0])], [[0, 0, 0], [40, 40, 40]], atol=0.15)


def test_training_reads_a_manifest_file(sdk_steps, storage):
    storage.write_bytes(f"{BUCKET}/elsewhere/a.csv", to_csv(blobs()))
    manifest = [{"prefix": f"{BUCKET}/elsewhere/"}, "a.csv"]
    storage.write_bytes(f"{BUCKET}/manifest.json", json.dumps(manifest).encode())
    params = train_params(sdk_steps)
    params["InputDataConfig"][0]["DataSource"]["S3DataSource"].update(
        S3DataType="ManifestFile", S3Uri=f"{BUCKET}/manifest.json"
    )
    assert create_training_job_sync(params)["TrainingJobStatus"] == "Completed"


def test_a_test_channel_adds_the_eval_metrics(sdk_steps, storage, training_rows):
    storage.write_bytes(f"{BUCKET}/test/t.csv", to_csv(blobs(seed=11)))
    params = train_params(sdk_steps, eval_metrics='["msd", "ssd"]')
    test_channel = json.loads(json.dumps(params["InputDataConfig"][0]))
    test_channel["ChannelName"] = "test"
    test_channel["DataSource"]["S3DataSource"]["S3Uri"] = f"{BUCKET}/test/"
    params["InputDataConfig"].append(test_channel)
    metrics = {m["MetricName"]: m["Value"] for m in create_training_job_sync(params)["FinalMetricDataList"]}
    assert set(metrics) == {"train:msd", "test:msd", "test:ssd"}
    assert metrics["test:ssd"] == pytest.approx(metrics["test:msd"] * 120)


def test_wrong_feature_dim_fails_the_job_saying_so(sdk_steps, training_rows):
    reason = job_failure(create_training_job_sync, train_params(sdk_steps, feature_dim=4))
    assert reason.startswith("ClientError: ")
    assert "3 columns but feature_dim is 4" in reason


def test_missing_training_data_fails_the_job_saying_so(sdk_steps):
    assert f"no object under {BUCKET}/train/" in job_failure(
        create_training_job_sync, train_params(sdk_steps)
    )


def test_k_larger_than_the_data_fails_the_job_saying_so(sdk_steps, training_rows):
    reason = job_failure(create_training_job_sync, train_params(sdk_steps, k=500))
    assert "k=500 is larger than the number of training rows (120)" in reason


@pytest.mark.parametrize(
    "hyperparameters, named",
    [
        ({"k": "three"}, "'k' must be an integer"),
        ({"init_method": "fastest"}, "'init_method' must be one of"),
        ({"local_lloyd_tol": "2"}, "'local_lloyd_tol' must be between 0 and 1"),
        ({"eval_metrics": "msd"}, "'eval_metrics'"),
        ({"learning_rate": "0.1"}, "unknown hyperparameters ['learning_rate']"),
    ],
)
def test_bad_hyperparameters_fail_the_job_naming_them(sdk_steps, training_rows, hyperparameters, named):
    params = train_params(sdk_steps)
    params["HyperParameters"].update(hyperparameters)
    assert named in job_failure(create_training_job_sync, params)


def test_non_numeric_csv_fails_the_job_naming_the_object(sdk_steps, storage):
    storage.write_bytes(f"{BUCKET}/train/with-header.csv", b"recency,frequency,monetary\n1,2,3\n")
    reason = job_failure(create_training_job_sync, train_params(sdk_steps))
    assert "with-header.csv is not headerless numeric CSV" in reason


def test_an_image_the_local_backend_cannot_run_is_refused_naming_those_it_can(sdk_steps, training_rows):
    params = train_params(sdk_steps)
    params["AlgorithmSpecification"]["TrainingImage"] = (
        "382416733822.dkr.ecr.us-east-1.amazonaws.com/xgboost:1"
    )
    cause = sagemaker_failure(create_training_job_sync, params).cause
    assert "The image '382416733822.dkr.ecr.us-east-1.amazonaws.com/xgboost:1' cannot run" in cause
    assert "382416733822.dkr.ecr.us-east-1.amazonaws.com/kmeans:1 (kmeans)" in cause
    assert "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1 (xgboost)" in cause


def test_a_missing_job_name_is_a_validation_error(sdk_steps, training_rows):
    params = train_params(sdk_steps)
    del params["TrainingJobName"]
    assert "Value null at 'trainingJobName' failed to satisfy constraint: Member must not be null" in (
        sagemaker_failure(create_training_job_sync, params).cause
    )


# --- model registry -------------------------------------------------------------------------


@pytest.fixture
def trained(sdk_steps, training_rows) -> dict:
    return create_training_job_sync(train_params(sdk_steps))


def model_params(sdk_steps, trained) -> dict:
    return resolve(sdk_steps["model"], trained)


def test_create_model_returns_the_model_arn(sdk_steps, trained):
    assert create_model(model_params(sdk_steps, trained)) == {
        "ModelArn": "arn:aws:sagemaker:us-east-1:000000000000:model/rfm-model-1"
    }


def test_an_existing_model_name_fails_like_aws(sdk_steps, trained):
    create_model(model_params(sdk_steps, trained))
    error = sagemaker_failure(create_model, model_params(sdk_steps, trained))
    assert "Cannot create already existing model" in error.cause


def test_a_model_without_its_data_is_refused(sdk_steps, trained):
    params = model_params(sdk_steps, trained)
    params["PrimaryContainer"]["ModelDataUrl"] = f"{BUCKET}/model/nothing/model.tar.gz"
    assert "Could not find model data" in sagemaker_failure(create_model, params).cause


# --- batch transform ------------------------------------------------------------------------


@pytest.fixture
def model(sdk_steps, trained) -> np.ndarray:
    create_model(model_params(sdk_steps, trained))
    return read_kmeans_model_tar(default_storage().read_bytes(trained["ModelArtifacts"]["S3ModelArtifacts"]))


def read_jsonlines(data: bytes) -> list[dict]:
    return [json.loads(line) for line in io.StringIO(data.decode())]


def test_transform_writes_one_line_per_input_line_with_the_closest_centre(
    sdk_steps, storage, training_rows, model
):
    create_transform_job_sync(sdk_steps["transform"])
    lines = read_jsonlines(storage.read_bytes(f"{BUCKET}/assign/features.csv.out"))
    assert len(lines) == len(training_rows)
    closest, distance = pairwise_distances_argmin_min(training_rows, model)
    assert [line["closest_cluster"] for line in lines] == [float(c) for c in closest]
    np.testing.assert_allclose([line["distance_to_cluster"] for line in lines], distance, atol=1e-5)


def test_transform_writes_cluster_numbers_as_floats_like_sagemaker(sdk_steps, storage, training_rows, model):
    create_transform_job_sync(sdk_steps["transform"])
    first = storage.read_bytes(f"{BUCKET}/assign/features.csv.out").decode().splitlines()[0]
    assert set(json.loads(first)) == {"closest_cluster", "distance_to_cluster"}
    assert isinstance(json.loads(first)["closest_cluster"], float)


def test_transform_keeps_each_objects_relative_name(sdk_steps, storage, training_rows, model):
    storage.write_bytes(f"{BUCKET}/train/more/second.csv", to_csv(blobs(rows_per_centre=2)))
    create_transform_job_sync(sdk_steps["transform"])
    assert storage.list(f"{BUCKET}/assign/") == [
        f"{BUCKET}/assign/features.csv.out",
        f"{BUCKET}/assign/more/second.csv.out",
    ]
    assert len(read_jsonlines(storage.read_bytes(f"{BUCKET}/assign/more/second.csv.out"))) == 6


def test_transform_result_has_describe_transform_job_shape(sdk_steps, training_rows, model):
    params = sdk_steps["transform"]
    result = create_transform_job_sync(params)
    assert result["TransformJobStatus"] == "Completed"
    assert (
        result["TransformJobArn"] == "arn:aws:sagemaker:us-east-1:000000000000:transform-job/rfm-transform-1"
    )
    assert result["ModelName"] == "rfm-model-1"
    for key in ("TransformInput", "TransformOutput", "TransformResources"):
        assert result[key] == params[key]
    assert result["CreationTime"] <= result["TransformEndTime"]


def test_transform_with_json_accept_writes_a_predictions_document(sdk_steps, storage, training_rows, model):
    params = json.loads(json.dumps(sdk_steps["transform"]))
    params["TransformOutput"]["Accept"] = "application/json"
    create_transform_job_sync(params)
    document = json.loads(storage.read_bytes(f"{BUCKET}/assign/features.csv.out"))
    assert len(document["predictions"]) == len(training_rows)


def test_transform_with_an_unknown_model_fails(sdk_steps, training_rows):
    error = sagemaker_failure(create_transform_job_sync, sdk_steps["transform"])
    assert 'Could not find model "arn:aws:sagemaker:us-east-1:000000000000:model/rfm-model-1"' in error.cause


def test_transform_input_of_the_wrong_width_fails_saying_so(sdk_steps, storage, model):
    storage.write_bytes(f"{BUCKET}/train/features.csv", b"1,2\n3,4\n")
    assert "2 columns but feature_dim is 3" in job_failure(create_transform_job_sync, sdk_steps["transform"])
