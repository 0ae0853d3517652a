"""The sweep curve and note, from a sweep record the pick Lambda writes for real scores of the sample.

The scores are scikit-learn's KMeans, WCSS and silhouette for k = 2..6 on the sample's clustering
features; "Pick k" (the real handler) turns them into sweep.json. One k is recorded failed, with
a cause carrying HTML, as a failed training job's cause could.
"""

from __future__ import annotations

import json

import pytest
from sklearn.cluster import KMeans
from sklearn.metrics import silhouette_score

from lambdas.pick_k.handler import pick
from pipeline.analysis import rfm
from pipeline.storage import LocalBucketStorage
from pipeline.views.sweep_charts import rule_note, sweep_curve, sweep_table
from pipeline.workflows.clustering.results import sweep_lines

HOSTILE = '<a href="https://evil.example">click</a>'


@pytest.fixture(scope="module")
def candidates(sample_clean) -> list[dict]:
    features = rfm.clustering_features(rfm.compute_rfm(sample_clean[0]))
    records = []
    for k in range(2, 7):
        model = KMeans(n_clusters=k, n_init=1, random_state=0).fit(features)
        records.append(
            {
                "k": k,
                "status": "SUCCEEDED",
                "silhouette": float(silhouette_score(features, model.labels_)),
                "wcss": float(model.inertia_),
                "training_job_name": f"run-k{k}",
                "model_artifact": f"s3://b/p/runs/r/model/run-k{k}/output/model.tar.gz",
            }
        )
    records.append(
        {"k": 7, "status": "FAILED", "error": "SageMaker.AmazonSageMakerException", "cause": HOSTILE}
    )
    return records


def picked(candidates: list[dict], rule: str, tmp_path) -> dict:
    storage = LocalBucketStorage(tmp_path)
    event = {"Candidates": candidates, "PickRule": rule, "KMin": 2, "KMax": 7, "RunPrefix": "s3://b/p/runs/r"}
    pick(event, storage)
    return json.loads(storage.read_bytes("s3://b/p/runs/r/sweep.json"))


def traces(figure) -> dict:
    return {trace.name: trace for trace in figure.data}


def test_the_curve_plots_every_scored_k_and_stars_the_highest_silhouette(candidates, tmp_path):
    sweep = picked(candidates, "silhouette", tmp_path)
    shown = traces(sweep_curve(sweep))
    best = max(candidates[:-1], key=lambda c: c["silhouette"])["k"]
    assert list(shown["Silhouette"].x) == [2, 3, 4, 5, 6]
    assert list(shown["Silhouette"].y) == pytest.approx([c["silhouette"] for c in candidates[:-1]])
    assert list(shown["Within-cluster sum of squares"].y) == pytest.approx(
        [c["wcss"] for c in candidates[:-1]]
    )
    assert list(shown[f"Chosen k = {best}"].x) == [best]
    assert rule_note(sweep).startswith(f"k = {best} chosen by the highest silhouette")


def test_the_elbow_rule_is_named_and_its_k_starred(candidates, tmp_path):
    sweep = picked(candidates, "elbow", tmp_path)
    assert sweep["applied"] == "elbow"
    shown = traces(sweep_curve(sweep))
    assert list(shown[f"Chosen k = {sweep['chosen_k']}"].x) == [sweep["chosen_k"]]
    assert rule_note(sweep).startswith(f"k = {sweep['chosen_k']} chosen by the elbow of the sum of squares")


def test_a_failed_k_is_marked_with_its_reason_as_plain_text(candidates, tmp_path):
    sweep = picked(candidates, "silhouette", tmp_path)
    failed = traces(sweep_curve(sweep))["Failed k"]
    assert list(failed.x) == [7]
    assert "<a" not in failed.text[0] and "&lt;a href" in failed.text[0]
    assert "k = 7 failed and took no part" in rule_note(sweep)
    table = sweep_table(sweep)
    assert table["k"].tolist() == [2, 3, 4, 5, 6, 7]
    assert table["Status"].tolist()[-1] == "FAILED" and HOSTILE in table["Reason"].iloc[-1]


def test_the_table_and_the_cli_call_the_measure_by_one_name(candidates, tmp_path):
    """Try k, the Clusters page, the report and ``run --wait`` once said inertia, WCSS and the full name."""
    sweep = picked(candidates, "silhouette", tmp_path)
    table = sweep_table(sweep)
    assert "WCSS" not in table.columns
    scored = [c["wcss"] for c in candidates if c["status"] == "SUCCEEDED"]
    assert table["Within-cluster sum of squares"].dropna().tolist() == pytest.approx(scored)
    lines = sweep_lines(sweep)
    first = f"silhouette {candidates[0]['silhouette']:.4f}  within-cluster sum of squares {scored[0]:,.1f}"
    assert first in lines[1]
    assert not any("WCSS" in line for line in lines)
