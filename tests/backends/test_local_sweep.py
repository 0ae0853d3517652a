"""A k sweep end to end on the local backend, on the real sample: the Map of training jobs, the
scores against scikit-learn, the chosen k, a k larger than the customers, the history.

Two runs, made once for the module in a data directory of their own (executions in threads of
the test process; the test waits for their end, never sleeps): k 2-8 on every customer, and
k 2-8 on Poland's 6 customers, where k = 7 and 8 cannot train.
"""

from __future__ import annotations

import io
import json
from collections import Counter
from dataclasses import dataclass, field

import numpy as np
import pytest
from sklearn.metrics import pairwise_distances_argmin, silhouette_score

from pipeline.workflows.clustering.parameters import ClusteringParameters
from pipeline.workflows.clustering.quality import sample_indices
from pipeline.workflows.clustering.steps import TRAIN_STATE
from pipeline.workflows.clustering.sweep_steps import K_FAILED_STATE, SWEEP_STATE, TRAIN_K_STATE

RUN_TIMEOUT = 600  # seven training jobs and scores; the machine is shared and busy
SWEPT = list(range(2, 9))


@dataclass
class SweepRun:
    description: dict
    history: list[dict]
    results: object = None
    features: np.ndarray | None = None
    centres: dict[int, np.ndarray] = field(default_factory=dict)


def details(event: dict) -> dict:
    return next((value for key, value in event.items() if key.endswith("EventDetails")), {})


@pytest.fixture(scope="module")
def runs(sample_xlsx, tmp_path_factory) -> dict[str, SweepRun]:
    home = tmp_path_factory.mktemp("sweep-home")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("RFM_STUDIO_HOME", str(home))
        from pipeline.backends.local import LocalBackend
        from pipeline.loading.dataset import load_transactions
        from pipeline.local.client import LocalStepFunctionsClient, wait_for_status
        from pipeline.workflows.kmeans_ndarray import read_kmeans_model_tar

        dataset = load_transactions(sample_xlsx, use_cache=False)
        path = home / "sample.parquet"
        dataset.transactions.to_parquet(path, index=False)
        backend = LocalBackend(LocalStepFunctionsClient(mode="thread"))
        launched = {
            "all": ClusteringParameters(k_range=(2, 8), quality_threshold=0.0, max_concurrency=2),
            "poland": ClusteringParameters(k_range=(2, 8), quality_threshold=0.0, country="Poland"),
        }
        arns = {
            label: backend.launch(path, params, dataset_name="sample") for label, params in launched.items()
        }
        finished = {}
        for label, arn in arns.items():
            description = wait_for_status(backend.client, arn, RUN_TIMEOUT)
            run = SweepRun(description, backend.history(arn))
            if description["status"] == "SUCCEEDED":
                run.results = backend.results(arn)
                prefix = run.results.location
                storage = backend.storage
                run.features = np.loadtxt(
                    io.BytesIO(storage.read_bytes(f"{prefix}/train/features.csv")), delimiter=","
                )
                for candidate in run.results.sweep["candidates"]:
                    if candidate["status"] == "SUCCEEDED":
                        model = storage.read_bytes(candidate["model_artifact"])
                        run.centres[candidate["k"]] = read_kmeans_model_tar(model)
            finished[label] = run
        return finished


def test_a_sweep_of_k_2_to_8_on_the_sample_succeeds_and_records_every_k(runs):
    run = runs["all"]
    assert run.description["status"] == "SUCCEEDED", run.description.get("cause")
    sweep = run.results.sweep
    assert [c["k"] for c in sweep["candidates"]] == SWEPT
    assert all(c["status"] == "SUCCEEDED" for c in sweep["candidates"])
    assert sweep["failed_ks"] == []


def test_the_chosen_k_has_the_highest_silhouette_of_the_recorded_sweep(runs):
    sweep = runs["all"].results.sweep
    best = max(sweep["candidates"], key=lambda c: c["silhouette"])
    assert sweep["chosen_k"] == best["k"] == runs["all"].results.chosen_k
    assert (sweep["rule"], sweep["applied"]) == ("silhouette", "silhouette")


def test_each_recorded_silhouette_equals_scikit_learns_on_the_same_sample_and_labels(runs):
    run = runs["all"]
    features = run.features
    chosen = sample_indices(len(features))
    sample = np.arange(len(features)) if chosen is None else chosen
    for candidate in run.results.sweep["candidates"]:
        labels = pairwise_distances_argmin(features, run.centres[candidate["k"]].astype("float64"))
        expected = silhouette_score(features[sample], labels[sample])
        assert candidate["silhouette"] == pytest.approx(expected, abs=1e-6), candidate["k"]
        assert candidate["cluster_sizes"] == np.bincount(labels, minlength=candidate["k"]).tolist()


def test_the_run_goes_on_with_the_chosen_ks_model(runs):
    results = runs["all"].results
    chosen = next(c for c in results.sweep["candidates"] if c["k"] == results.chosen_k)
    assert results.summary["k"] == results.chosen_k
    assert results.clusters["Cluster"].nunique() == results.chosen_k
    assert sorted(results.clusters["Cluster"].value_counts().tolist()) == sorted(chosen["cluster_sizes"])


def test_the_history_has_one_map_iteration_a_k_with_the_documented_events(runs):
    history = runs["all"].history
    kinds = Counter(event["type"] for event in history)
    [started] = [event for event in history if event["type"] == "MapStateStarted"]
    assert details(started) == {"length": len(SWEPT)}
    iterations = [details(event) for event in history if event["type"] == "MapIterationStarted"]
    assert sorted(iteration["index"] for iteration in iterations) == list(range(len(SWEPT)))
    assert {iteration["name"] for iteration in iterations} == {SWEEP_STATE}
    assert kinds["MapIterationSucceeded"] == len(SWEPT)
    assert kinds["MapIterationFailed"] == kinds["MapIterationAborted"] == 0
    assert kinds["MapStateSucceeded"] == 1
    entered = Counter(details(e)["name"] for e in history if e["type"].endswith("StateEntered"))
    assert entered[TRAIN_K_STATE] == len(SWEPT)
    assert entered[TRAIN_STATE] == 0  # a sweep never takes the fixed k's path


def test_no_more_iterations_than_max_concurrency_run_at_once(runs):
    open_iterations, most = 0, 0
    for event in sorted(runs["all"].history, key=lambda event: event["id"]):
        if event["type"] == "MapIterationStarted":
            open_iterations += 1
            most = max(most, open_iterations)
        elif event["type"] in ("MapIterationSucceeded", "MapIterationFailed", "MapIterationAborted"):
            open_iterations -= 1
    assert 1 <= most <= 2


def test_each_k_trains_its_own_job_named_after_the_run_and_k(runs):
    run = runs["all"]
    prefix = json.loads(run.description["input"])["SweepJobPrefix"]
    scheduled = [
        json.loads(details(event)["parameters"])
        for event in run.history
        if event["type"] == "TaskScheduled" and details(event)["resource"] == "createTrainingJob.sync"
    ]
    assert sorted(p["TrainingJobName"] for p in scheduled) == sorted(f"{prefix}{k}" for k in SWEPT)
    assert sorted(int(p["HyperParameters"]["k"]) for p in scheduled) == SWEPT


def test_every_sagemaker_request_of_the_sweep_passes_botocores_validation(runs):
    from pipeline.local.services.request_validation import request_errors

    operations = {
        "createTrainingJob.sync": "CreateTrainingJob",
        "createModel": "CreateModel",
        "createTransformJob.sync": "CreateTransformJob",
    }
    checked = Counter()
    for event in runs["all"].history:
        if event["type"] == "TaskScheduled" and details(event)["resourceType"] == "sagemaker":
            operation = operations[details(event)["resource"]]
            assert request_errors("sagemaker", operation, json.loads(details(event)["parameters"])) == []
            checked[operation] += 1
    assert checked == {"CreateTrainingJob": len(SWEPT), "CreateModel": 1, "CreateTransformJob": 1}


def test_a_k_larger_than_the_customers_fails_only_its_own_iteration(runs):
    run = runs["poland"]
    assert run.description["status"] == "SUCCEEDED", run.description.get("cause")
    customers = int(run.results.summary["customers"])
    by_k = {c["k"]: c for c in run.results.sweep["candidates"]}
    too_many = [k for k in SWEPT if k > customers]
    assert too_many == [7, 8]
    assert run.results.sweep["failed_ks"] == too_many
    for k in too_many:
        assert by_k[k]["status"] == "FAILED"
        assert f"k={k} is larger than the number of training rows ({customers})" in by_k[k]["reason"]
    assert all(by_k[k]["status"] == "SUCCEEDED" for k in SWEPT if k <= customers)
    kinds = Counter(event["type"] for event in run.history)
    assert kinds["MapIterationSucceeded"] == len(SWEPT)  # each failure was caught inside its iteration
    assert kinds["MapIterationFailed"] == 0 and kinds["MapStateSucceeded"] == 1
    marked = [
        e for e in run.history if e["type"] == "PassStateEntered" and details(e)["name"] == K_FAILED_STATE
    ]
    assert len(marked) == len(too_many)


def test_the_headline_figures_carry_the_sweep_and_the_chosen_k(runs):
    from pipeline.workflows.clustering.results import headline

    results = runs["poland"].results
    figures = headline(results)
    assert figures["chosen_k"] == results.sweep["chosen_k"] == figures["k"]
    sweep = figures["sweep"]
    assert (sweep["rule"], sweep["k_range"], sweep["failed_ks"]) == ("silhouette", [2, 8], [7, 8])
    assert [each["k"] for each in sweep["ks"]] == SWEPT
    by_k = {each["k"]: each for each in sweep["ks"]}
    assert by_k[8]["status"] == "FAILED" and "larger than the number of training rows" in by_k[8]["reason"]
    scored = [each for each in sweep["ks"] if each["silhouette"] is not None]  # k=6: one customer a cluster
    assert max(scored, key=lambda each: each["silhouette"])["k"] == figures["chosen_k"]
    assert json.loads(json.dumps(figures)) == figures  # what `results --json` prints


def test_a_fixed_k_runs_headline_has_no_sweep(runs):
    from pipeline.workflows.clustering.results import RunResults, headline

    fixed = RunResults(clusters=runs["all"].results.clusters, summary=runs["all"].results.summary)
    assert "sweep" not in headline(fixed) and "chosen_k" not in headline(fixed)
