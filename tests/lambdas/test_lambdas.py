"""The two Lambda handlers on the real UCI sample, run on a local bucket.

The batch-transform output the evaluate handler reads is produced here with scikit-learn's
KMeans in SageMaker's JSON-lines format (``closest_cluster`` as a float, as KMeans writes it).
"""

from __future__ import annotations

import io
import json

import numpy as np
import pandas as pd
import pytest
from sklearn.cluster import KMeans
from sklearn.metrics import silhouette_score

from lambdas.evaluate_clusters.handler import (
    CLUSTER_COLUMNS,
    evaluate,
    name_clusters,
    silhouette,
)
from lambdas.prepare_rfm.handler import prepare
from pipeline.errors import DataError
from pipeline.loading.dataset import clean_transactions, load_transactions
from pipeline.storage import LocalBucketStorage
from pipeline.workflows.clustering.checks import customers_problem

BUCKET = "test-bucket"
DATA_URI = f"s3://{BUCKET}/studio/raw/sample.parquet"
K = 5


@pytest.fixture(scope="module")
def transactions(sample_xlsx) -> pd.DataFrame:
    return load_transactions(sample_xlsx, use_cache=False).transactions


@pytest.fixture(scope="module")
def storage(tmp_path_factory, transactions) -> LocalBucketStorage:
    storage = LocalBucketStorage(tmp_path_factory.mktemp("bucket"))
    buffer = io.BytesIO()
    transactions.to_parquet(buffer, index=False)
    storage.write_bytes(DATA_URI, buffer.getvalue())
    return storage


def prepare_event(run: str, k: int = K, **extra) -> dict:
    return {"DataUri": DATA_URI, "RunPrefix": f"s3://{BUCKET}/studio/runs/{run}", "K": str(k), **extra}


@pytest.fixture(scope="module")
def prepared(storage) -> dict:
    return prepare(prepare_event("main", AsOfDate="", Country=""), storage)


def write_kmeans_assignments(storage: LocalBucketStorage, payload: dict, k: int = K) -> np.ndarray:
    """Cluster the prepared features as SageMaker's KMeans would and write its .out file."""
    features = np.loadtxt(io.BytesIO(storage.read_bytes(payload["features_uri"])), delimiter=",")
    model = KMeans(n_clusters=k, n_init=3, random_state=0).fit(features)
    distances = model.transform(features).min(axis=1)
    lines = [
        json.dumps({"closest_cluster": float(c), "distance_to_cluster": float(d)})
        for c, d in zip(model.labels_, distances, strict=True)
    ]
    storage.write_bytes(payload["assignments_uri"] + "/features.csv.out", ("\n".join(lines) + "\n").encode())
    return model.labels_


def evaluate_event(payload: dict) -> dict:
    return {
        "RunPrefix": payload["rfm_uri"].rsplit("/", 1)[0],
        "K": str(payload["k"]),
        "RfmUri": payload["rfm_uri"],
        "IdsUri": payload["ids_uri"],
        "TrainUri": payload["train_uri"],
        "AssignmentsUri": payload["assignments_uri"],
    }


@pytest.fixture(scope="module")
def evaluated(storage, prepared) -> dict:
    labels = write_kmeans_assignments(storage, prepared)
    return {"payload": evaluate(evaluate_event(prepared), storage), "labels": labels}


@pytest.fixture(scope="module")
def clusters_table(storage, evaluated) -> pd.DataFrame:
    return pd.read_csv(io.BytesIO(storage.read_bytes(evaluated["payload"]["clusters_uri"])))


# prepare ------------------------------------------------------------------------------------


def test_prepare_writes_one_feature_row_per_cleaned_customer(storage, prepared, transactions):
    clean, report = clean_transactions(transactions)
    features = np.loadtxt(io.BytesIO(storage.read_bytes(prepared["features_uri"])), delimiter=",")
    ids = pd.read_csv(io.BytesIO(storage.read_bytes(prepared["ids_uri"])))
    assert prepared["customers"] == report.customers == clean["CustomerID"].nunique()
    assert features.shape == (report.customers, 3)
    assert ids["CustomerID"].tolist() == sorted(clean["CustomerID"].unique().tolist())


def test_prepare_features_are_headerless_and_standardised(storage, prepared):
    first_line = storage.read_bytes(prepared["features_uri"]).decode().splitlines()[0]
    assert all(float(value) == float(value) for value in first_line.split(","))  # numbers, no header
    features = np.loadtxt(io.BytesIO(storage.read_bytes(prepared["features_uri"])), delimiter=",")
    np.testing.assert_allclose(features.mean(axis=0), 0.0, atol=1e-6)
    np.testing.assert_allclose(features.std(axis=0), 1.0, atol=1e-6)


def test_prepare_returns_the_uris_of_the_run_and_the_cleaning_report(storage, prepared):
    run = f"s3://{BUCKET}/studio/runs/main"
    assert prepared["train_uri"] == f"{run}/train/"
    assert prepared["model_output_uri"] == f"{run}/model"
    assert prepared["assignments_uri"] == f"{run}/assignments"
    for key in ("rfm_uri", "features_uri", "ids_uri", "report_uri"):
        assert storage.exists(prepared[key]), key
    assert prepared["report"]["rows_read"] == 40_000
    assert json.loads(storage.read_bytes(prepared["report_uri"])) == prepared["report"]
    json.dumps(prepared)  # the payload travels as JSON through Step Functions


def test_prepare_keeps_only_the_chosen_country(storage, transactions):
    payload = prepare(prepare_event("france", k=2, Country="France"), storage)
    rfm = pd.read_parquet(io.BytesIO(storage.read_bytes(payload["rfm_uri"])))
    clean, _ = clean_transactions(transactions)
    assert payload["customers"] == clean.loc[clean["Country"] == "France", "CustomerID"].nunique()
    assert len(rfm) == payload["customers"]


def test_prepare_counts_recency_from_the_given_as_of_date(storage, transactions):
    payload = prepare(prepare_event("asof", AsOfDate="2012-01-01"), storage)
    assert payload["as_of"] == "2012-01-01"
    rfm = pd.read_parquet(io.BytesIO(storage.read_bytes(payload["rfm_uri"]))).set_index("CustomerID")
    clean, _ = clean_transactions(transactions)
    last_purchase = clean.groupby("CustomerID")["InvoiceDate"].max()
    expected = (pd.Timestamp("2012-01-01") - last_purchase).dt.days  # whole days, per customer
    assert sorted(rfm.index) == sorted(expected.index)
    assert (rfm["Recency"] == expected.loc[rfm.index].to_numpy()).all()


def test_prepare_refuses_more_clusters_than_customers_with_the_launch_checks_sentence(storage, prepared):
    # The same rule and words as pipeline.workflows.clustering.checks, which refuses it at launch.
    expected = customers_problem(100_000, prepared["customers"])
    with pytest.raises(DataError) as error:
        prepare(prepare_event("too-many", k=100_000), storage)
    assert str(error.value) == expected
    assert f"Only {prepared['customers']:,} customers to cluster" in expected and "k=100000" in expected


def test_prepare_refuses_a_country_with_too_few_customers_to_cluster(storage):
    with pytest.raises(
        DataError, match=r"^Only 1 customer in Iceland to cluster, and clustering needs at least 3"
    ):
        prepare(prepare_event("iceland", Country="Iceland"), storage)


def test_prepare_refuses_data_without_customers(storage, transactions):
    anonymous = transactions.assign(CustomerID=pd.array([pd.NA] * len(transactions), dtype="Int64"))
    buffer = io.BytesIO()
    anonymous.to_parquet(buffer, index=False)
    uri = f"s3://{BUCKET}/studio/raw/anonymous.parquet"
    storage.write_bytes(uri, buffer.getvalue())
    with pytest.raises(DataError, match=r"(?i)customer"):
        prepare({**prepare_event("anonymous"), "DataUri": uri}, storage)


def test_prepare_refuses_k_below_two(storage):
    with pytest.raises(DataError, match="at least 2"):
        prepare(prepare_event("k1", k=1), storage)


def test_prepare_says_when_the_dataset_is_missing(storage):
    with pytest.raises(DataError, match="does not exist"):
        prepare({**prepare_event("missing"), "DataUri": f"s3://{BUCKET}/studio/raw/none.parquet"}, storage)


# evaluate -----------------------------------------------------------------------------------


def test_evaluate_assigns_each_cleaned_customer_exactly_once(clusters_table, prepared, evaluated):
    assert list(clusters_table.columns) == CLUSTER_COLUMNS
    assert len(clusters_table) == prepared["customers"]
    assert clusters_table["CustomerID"].is_unique
    assert clusters_table["Cluster"].tolist() == evaluated["labels"].tolist()


def test_evaluate_silhouette_is_in_range_and_equals_sklearns(storage, prepared, evaluated):
    features = np.loadtxt(io.BytesIO(storage.read_bytes(prepared["features_uri"])), delimiter=",")
    score = evaluated["payload"]["silhouette"]
    assert -1.0 <= score <= 1.0
    assert score == pytest.approx(silhouette_score(features, evaluated["labels"]), abs=1e-4)


def test_evaluate_names_every_cluster_uniquely(clusters_table, evaluated):
    names = {c["cluster"]: c["name"] for c in evaluated["payload"]["clusters"]}
    assert set(names) == set(range(K))
    assert len(set(names.values())) == K
    assert all(names.values())
    assert clusters_table["ClusterName"].notna().all()
    assert (clusters_table["ClusterName"] == clusters_table["Cluster"].map(names)).all()


def test_evaluate_summary_describes_each_cluster(storage, evaluated, clusters_table):
    summary = json.loads(storage.read_bytes(evaluated["payload"]["summary_uri"]))
    assert summary["customers"] == len(clusters_table)
    assert sum(c["Customers"] for c in summary["clusters"]) == len(clusters_table)
    assert sum(c["RevenueShare"] for c in summary["clusters"]) == pytest.approx(1.0)
    for cluster in summary["clusters"]:
        members = clusters_table[clusters_table["Cluster"] == cluster["Cluster"]]
        assert cluster["MeanR"] == pytest.approx(members["R"].mean())
        assert cluster["MeanMonetary"] == pytest.approx(members["Monetary"].mean())
        assert {"RecencyZ", "FrequencyZ", "MonetaryZ", "Name"} <= set(cluster)


def test_evaluate_rejects_assignments_that_do_not_line_up(storage, prepared):
    payload = prepare(prepare_event("short"), storage)
    storage.write_bytes(
        payload["assignments_uri"] + "/features.csv.out",
        b'{"closest_cluster": 0.0, "distance_to_cluster": 1.0}\n',
    )
    with pytest.raises(DataError, match="do not line up"):
        evaluate(evaluate_event(payload), storage)


def test_evaluate_says_when_the_transform_wrote_nothing(storage):
    payload = prepare(prepare_event("no-output"), storage)
    with pytest.raises(DataError, match="wrote no output"):
        evaluate(evaluate_event(payload), storage)


# silhouette and names -----------------------------------------------------------------------


def test_silhouette_equals_sklearn_including_a_single_member_cluster():
    rng = np.random.default_rng(1)
    features = np.vstack([rng.normal(0, 1, (60, 3)), rng.normal(4, 1, (40, 3)), [[10.0, 10.0, 10.0]]])
    labels = np.array([0] * 60 + [1] * 40 + [2])
    assert silhouette(features, labels) == pytest.approx(silhouette_score(features, labels), abs=1e-9)


def test_silhouette_above_the_bound_is_computed_on_a_seeded_sample():
    rng = np.random.default_rng(2)
    features = np.vstack([rng.normal(0, 1, (600, 3)), rng.normal(3, 1, (600, 3))])
    labels = np.repeat([0, 1], 600)
    chosen = np.random.default_rng(7).choice(len(features), size=400, replace=False)
    expected = silhouette_score(features[chosen], labels[chosen])
    assert silhouette(features, labels, sample_size=400, seed=7) == pytest.approx(expected, abs=1e-9)
    assert silhouette(features, labels, sample_size=400, seed=7) != silhouette(
        features, labels, sample_size=None
    )


def test_silhouette_of_a_single_cluster_is_zero():
    assert silhouette(np.zeros((5, 3)), np.zeros(5)) == 0.0


def test_cluster_names_follow_the_rfm_profile():
    profile = pd.DataFrame(
        {"MeanR": [4.8, 1.2], "MeanF": [4.9, 1.3], "MeanM": [4.7, 1.1], "Revenue": [1000.0, 10.0]},
        index=[0, 1],
    )
    assert name_clusters(profile) == {0: "High-value loyal", 1: "Lapsed low-value"}


def test_clusters_with_the_same_profile_get_distinct_names_richest_first():
    profile = pd.DataFrame(
        {"MeanR": [1.0, 1.1], "MeanF": [1.0, 1.2], "MeanM": [1.0, 1.1], "Revenue": [5.0, 50.0]}, index=[0, 1]
    )
    assert name_clusters(profile) == {1: "Lapsed low-value", 0: "Lapsed low-value #2"}
