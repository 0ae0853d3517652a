"""The sweep's Lambdas on the real UCI sample: prepare's candidates, "Score k" and "Pick k".

The models "Score k" reads are scikit-learn KMeans fits of the prepared features, written in
SageMaker KMeans' own ``model.tar.gz`` format; each score is checked against scikit-learn's.
"""

from __future__ import annotations

import io
import json
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
from sklearn.cluster import KMeans
from sklearn.metrics import pairwise_distances_argmin_min, silhouette_score

from lambdas.pick_k.handler import pick
from lambdas.prepare_rfm.handler import prepare
from lambdas.score_k.handler import score
from pipeline.config import PROJECT_ROOT
from pipeline.errors import DataError
from pipeline.loading.dataset import load_transactions
from pipeline.storage import LocalBucketStorage
from pipeline.workflows.clustering.checks import sweep_customers_problem
from pipeline.workflows.clustering.layout import RunLayout
from pipeline.workflows.kmeans_ndarray import write_kmeans_model_tar

BUCKET = "test-bucket"
DATA_URI = f"s3://{BUCKET}/studio/raw/sample.parquet"
KS = [2, 3, 4, 5]


@pytest.fixture(scope="module")
def storage(tmp_path_factory, sample_xlsx) -> LocalBucketStorage:
    storage = LocalBucketStorage(tmp_path_factory.mktemp("bucket"))
    buffer = io.BytesIO()
    load_transactions(sample_xlsx, use_cache=False).transactions.to_parquet(buffer, index=False)
    storage.write_bytes(DATA_URI, buffer.getvalue())
    return storage


def sweep_event(run: str, low: int, high: int, **extra) -> dict:
    return {
        "DataUri": DATA_URI,
        "RunPrefix": f"s3://{BUCKET}/studio/runs/{run}",
        "K": "5",
        "Sweep": True,
        "KMin": low,
        "KMax": high,
        "PickRule": "silhouette",
        **extra,
    }


@pytest.fixture(scope="module")
def prepared(storage) -> dict:
    return prepare(sweep_event("sweep", KS[0], KS[-1]), storage)


@pytest.fixture(scope="module")
def features(storage, prepared) -> np.ndarray:
    return np.loadtxt(io.BytesIO(storage.read_bytes(prepared["features_uri"])), delimiter=",")


def train(storage, prepared, features: np.ndarray, k: int, run: str = "sweep") -> dict:
    """Fit KMeans like the training job and write its model.tar.gz; the iteration's score event."""
    centres = KMeans(n_clusters=k, n_init=1, random_state=0).fit(features).cluster_centers_
    job = f"{run}-k{k}"
    artifact = f"{prepared['model_output_uri']}/{job}/output/model.tar.gz"
    storage.write_bytes(artifact, write_kmeans_model_tar(centres))
    return {
        "k": k,
        "TrainingJobName": job,
        "ModelArtifact": artifact,
        "FeaturesUri": prepared["features_uri"],
    }


@pytest.fixture(scope="module")
def records(storage, prepared, features) -> list[dict]:
    return [score(train(storage, prepared, features, k), storage) for k in KS]


# prepare ------------------------------------------------------------------------------------


def test_prepare_lists_every_k_of_the_range_as_the_maps_items(prepared):
    assert prepared["candidates"] == KS
    assert prepared["k"] is None


def test_prepare_of_a_fixed_k_lists_that_k_alone(storage):
    payload = prepare({**sweep_event("fixed", 2, 9), "Sweep": False, "K": "4"}, storage)
    assert (payload["candidates"], payload["k"]) == ([4], 4)


def test_prepare_lets_a_range_through_whose_top_exceeds_the_customers(storage):
    payload = prepare(sweep_event("poland", 2, 8, Country="Poland"), storage)
    assert payload["customers"] < 8
    assert payload["candidates"] == list(range(2, 9))


def test_prepare_refuses_a_range_whose_smallest_k_exceeds_the_customers_with_the_launch_sentence(storage):
    with pytest.raises(DataError) as error:
        prepare(sweep_event("poland-high", 7, 9, Country="Poland"), storage)
    assert str(error.value) == sweep_customers_problem(7, 6, "Poland")


def test_prepare_refuses_a_range_the_launch_would_refuse(storage):
    with pytest.raises(DataError, match="must run from at least 2 up to at most 20"):
        prepare(sweep_event("backwards", 6, 3), storage)


# score --------------------------------------------------------------------------------------


def test_score_records_the_wcss_and_sizes_of_the_nearest_centre_assignment(
    storage, prepared, features, records
):
    for record in records:
        centres = KMeans(n_clusters=record["k"], n_init=1, random_state=0).fit(features).cluster_centers_
        labels, distances = pairwise_distances_argmin_min(features, centres)
        assert record["status"] == "SUCCEEDED"
        assert record["wcss"] == pytest.approx(float((distances**2).sum()), rel=1e-6)
        assert record["cluster_sizes"] == np.bincount(labels, minlength=record["k"]).tolist()
        assert record["customers"] == prepared["customers"] == len(features)


def test_score_silhouette_equals_scikit_learns_on_the_same_customers_and_labels(features, records):
    for record in records:
        centres = KMeans(n_clusters=record["k"], n_init=1, random_state=0).fit(features).cluster_centers_
        labels, _ = pairwise_distances_argmin_min(features, centres)
        assert record["silhouette_sample_size"] == len(features)  # 3,591 customers: all of them
        assert record["silhouette"] == pytest.approx(silhouette_score(features, labels), abs=1e-6)


def test_score_above_five_thousand_customers_uses_the_documented_seeded_sample(storage, prepared, features):
    doubled = np.vstack([features, features + 0.01])
    uri = f"s3://{BUCKET}/studio/runs/doubled/train/features.csv"
    buffer = io.StringIO()
    np.savetxt(buffer, doubled, fmt="%.10g", delimiter=",")
    storage.write_bytes(uri, buffer.getvalue().encode())
    event = train(storage, prepared, doubled, 3, run="doubled")
    record = score({**event, "FeaturesUri": uri}, storage)

    centres = KMeans(n_clusters=3, n_init=1, random_state=0).fit(doubled).cluster_centers_
    labels, _ = pairwise_distances_argmin_min(doubled, centres)
    sample = np.random.default_rng(0).choice(len(doubled), size=5000, replace=False)
    assert record["silhouette_sample_size"] == 5000
    assert record["silhouette"] == pytest.approx(silhouette_score(doubled[sample], labels[sample]), abs=1e-6)
    assert sum(record["cluster_sizes"]) == len(doubled)


def test_score_says_when_the_model_artifact_is_missing(storage, prepared):
    event = {"k": 3, "TrainingJobName": "gone", "ModelArtifact": f"s3://{BUCKET}/none.tar.gz"}
    with pytest.raises(DataError, match=r"model artifact .* is not there"):
        score({**event, "FeaturesUri": prepared["features_uri"]}, storage)


def test_score_imports_neither_scikit_learn_nor_the_engine():
    # Its zip carries the NDArray reader and numpy code only: no sklearn, no interpreter, no SDK.
    code = (
        "import sys, lambdas.score_k.handler, lambdas.pick_k.handler\n"
        "heavy = ('sklearn', 'pipeline.local', 'sagemaker', 'stepfunctions')\n"
        "print(','.join(sorted(m for m in heavy if m in sys.modules)))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    assert result.stdout.strip() == ""


# pick ---------------------------------------------------------------------------------------


def pick_event(records: list[dict], rule: str = "silhouette", run: str = "sweep") -> dict:
    return {
        "Candidates": records,
        "PickRule": rule,
        "KMin": records[0]["k"],
        "KMax": records[-1]["k"],
        "RunPrefix": f"s3://{BUCKET}/studio/runs/{run}",
    }


def test_pick_chooses_the_highest_silhouette_and_hands_on_its_job_as_train_kmeans_would(storage, records):
    payload = pick(pick_event(records), storage)
    best = max(records, key=lambda record: record["silhouette"])
    assert payload["k"] == best["k"]
    assert payload["training"] == {
        "TrainingJobName": best["training_job_name"],
        "ModelArtifacts": {"S3ModelArtifacts": best["model_artifact"]},
        "HyperParameters": {"k": str(best["k"])},
    }


def test_pick_records_the_whole_curve_in_the_runs_sweep_file(storage, records):
    payload = pick(pick_event(records, run="recorded"), storage)
    sweep = json.loads(storage.read_bytes(RunLayout(f"s3://{BUCKET}/studio/runs/recorded").sweep_uri))
    assert payload["sweep_uri"].endswith("/recorded/sweep.json")
    assert sweep["chosen_k"] == payload["k"]
    assert [c["k"] for c in sweep["candidates"]] == KS
    assert [c["silhouette"] for c in sweep["candidates"]] == [r["silhouette"] for r in records]
    assert [c["wcss"] for c in sweep["candidates"]] == [r["wcss"] for r in records]


def test_pick_by_elbow_records_each_ks_distance_below_the_chord(storage, records):
    pick(pick_event(records, rule="elbow", run="elbow"), storage)
    sweep = json.loads(storage.read_bytes(RunLayout(f"s3://{BUCKET}/studio/runs/elbow").sweep_uri))
    distances = {c["k"]: c["elbow_distance"] for c in sweep["candidates"]}
    assert (sweep["rule"], sweep["applied"]) == ("elbow", "elbow")  # the sample's WCSS curve bends
    assert sweep["chosen_k"] == max(distances, key=lambda k: (distances[k], -k))
    assert distances[KS[0]] == distances[KS[-1]] == 0.0  # the chord's own ends


def test_pick_goes_on_with_the_ks_that_succeeded(storage, records):
    broken = {"k": 6, "status": "FAILED", "error": "States.TaskFailed", "cause": "boom"}
    payload = pick(pick_event([*records, broken], run="partial"), storage)
    assert payload["failed_ks"] == [6]
    assert payload["k"] in KS


def test_pick_fails_the_run_naming_every_ks_reason_when_all_failed(storage):
    training_failed = json.dumps(
        {"TrainingJobStatus": "Failed", "FailureReason": "ClientError: k=9 > 6 rows"}
    )
    lambda_failed = json.dumps({"errorMessage": "The model file is truncated", "errorType": "DataError"})
    candidates = [
        {"k": 8, "status": "FAILED", "error": "SageMaker.AmazonSageMakerException", "cause": "k=8 > 6 rows"},
        {"k": 9, "status": "FAILED", "error": "States.TaskFailed", "cause": training_failed},
        {"k": 10, "status": "FAILED", "error": "DataError", "cause": lambda_failed},
    ]
    with pytest.raises(DataError) as error:
        pick(pick_event(candidates, run="all-failed"), storage)
    message = str(error.value)
    assert message.startswith("No k of the sweep 8-10 could be trained and scored")
    assert "k=8: SageMaker.AmazonSageMakerException: k=8 > 6 rows" in message
    assert "k=9: States.TaskFailed: ClientError: k=9 > 6 rows" in message
    assert "k=10: DataError: The model file is truncated" in message


def test_pick_refuses_an_input_without_candidates(storage):
    with pytest.raises(DataError, match="no k to pick from"):
        pick(pick_event([{"k": 2}], run="x") | {"Candidates": []}, storage)


def test_the_sweep_record_reads_back_as_plain_json_numbers(storage, records):
    pick(pick_event(records, run="plain"), storage)
    frame = pd.DataFrame(
        json.loads(storage.read_bytes(f"s3://{BUCKET}/studio/runs/plain/sweep.json"))["candidates"]
    )
    assert frame["k"].tolist() == KS
    assert frame["silhouette"].dtype == "float64" and frame["wcss"].dtype == "float64"
