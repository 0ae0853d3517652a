"""The k sweep 2-10 on the full-scale data, local: the workflow's Map at max concurrency 1 and N,
against the same nine fits run one after the other in a plain loop.

    python -m benchmarks.bench_sweep                      # full scale, N = the CPU count, 3 repeats
    python -m benchmarks.bench_sweep --rows 20000 --repeats 1   # quick smoke run

What is timed:
- the plain loop, in this process: the run's own features (``train/features.csv`` of a sweep),
  for k = 2..10 the stand-in's KMeans fit with the hyperparameters the training step sends, then
  the score step's computation (nearest centre, WCSS, sizes, silhouette on the seeded sample),
  all in memory. The first fit imports scikit-learn here, as the first training job does in the
  worker, so both pay it once.
- the workflow: a sweep launched through ``LocalBackend`` (process mode, as the app), from
  ``MapStateEntered`` to ``MapStateExited`` of "Try each k" (the nine iterations: training job,
  model file, score Lambda, their history events), and the whole run from launch to its end.

Ratios printed: the engine's overhead, Map at concurrency 1 over the loop minus one (target
< 5%), and the loop over the Map at concurrency N (target > 1: the concurrent sweep is faster
than the loop). Repeats alternate the three measurements and report medians; the machine is
shared, so only ratios from one run compare.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import time
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks.common import machine_note, median_of, use_private_home

KS = list(range(2, 11))
RUN_TIMEOUT_SECONDS = 1800
POLL_SECONDS = 0.2
#: The hyperparameters "Train k" sends (pipeline.workflows.clustering.steps.kmeans_training_step).
HYPERPARAMETERS = {"feature_dim": "3", "mini_batch_size": "500", "init_method": "kmeans++"}


def canonical_dataset(rows: int) -> tuple[Path, str]:
    """The full-scale workbook (built once), loaded and stored as the app's canonical Parquet."""
    from benchmarks.make_full_workbook import FULL_ROWS, full_workbook
    from pipeline.loading import dataset as data

    workbook = full_workbook(rows or FULL_ROWS)
    loaded = data.load_transactions(workbook)
    return data.canonical_parquet(loaded), loaded.name


def run_sweep(dataset_path: Path, name: str, max_concurrency: int) -> dict[str, Any]:
    """Launch the sweep 2-10 on the local backend, wait for its end; its times from the history."""
    from pipeline.backends.local import LocalBackend
    from pipeline.workflows.clustering.parameters import ClusteringParameters
    from pipeline.workflows.clustering.sweep_steps import SWEEP_STATE

    params = ClusteringParameters(
        k_range=(KS[0], KS[-1]), quality_threshold=-1.0, max_concurrency=max_concurrency
    )
    backend = LocalBackend()
    started = time.perf_counter()
    arn = backend.launch(dataset_path, params, dataset_name=name)
    deadline = time.monotonic() + RUN_TIMEOUT_SECONDS
    while (description := backend.describe(arn))["status"] == "RUNNING":
        if time.monotonic() > deadline:
            raise RuntimeError(f"{arn} still RUNNING after {RUN_TIMEOUT_SECONDS} s")
        time.sleep(POLL_SECONDS)
    wall_s = time.perf_counter() - started
    if description["status"] != "SUCCEEDED":
        raise RuntimeError(f"the sweep ended {description['status']}: {description.get('cause')}")
    events = backend.history(arn)

    def stamp(kind: str) -> Any:
        return next(
            e["timestamp"]
            for e in events
            if e["type"] == kind
            and e.get("stateEnteredEventDetails", e.get("stateExitedEventDetails", {})).get("name")
            == SWEEP_STATE
        )

    results = backend.results(arn)
    map_s = (stamp("MapStateExited") - stamp("MapStateEntered")).total_seconds()
    return {
        "wall_s": wall_s,
        "map_s": map_s,
        "in_tasks_s": task_seconds(events, stamp("MapStateEntered"), stamp("MapStateExited")),
        "features": results.location + "/train/features.csv",
        "storage": backend.storage,
        "silhouettes": {c["k"]: c["silhouette"] for c in results.sweep["candidates"]},
        "customers": int(results.summary["customers"]),
    }


def task_seconds(events: list[dict[str, Any]], start: Any, end: Any) -> float:
    """Seconds the Map's tasks (training jobs, score Lambdas) ran, from each TaskScheduled to its end.

    Each task is its own thread of events (``previousEventId``), so concurrent ones pair up too;
    the Map's time outside them is the engine's own (state transitions, paths, history records).
    """
    by_id = {event["id"]: event for event in events}
    total = 0.0
    for event in events:
        if event["type"] not in ("TaskSucceeded", "TaskFailed") or not start <= event["timestamp"] <= end:
            continue
        scheduled = by_id.get(event["previousEventId"])
        while scheduled is not None and scheduled["type"] != "TaskScheduled":
            scheduled = by_id.get(scheduled["previousEventId"])
        if scheduled is not None:
            total += (event["timestamp"] - scheduled["timestamp"]).total_seconds()
    return total


def plain_loop(features: np.ndarray) -> tuple[float, dict[int, float]]:
    """The nine fits and scores one after the other, in memory; seconds and each k's silhouette."""
    from pipeline.local.services.sagemaker_training import _fit, parse_hyperparameters
    from pipeline.workflows.clustering.quality import nearest_centres, sample_indices, silhouette

    started = time.perf_counter()
    scores = {}
    for k in KS:
        model = _fit(features.astype(np.float32), parse_hyperparameters({"k": str(k), **HYPERPARAMETERS}))
        centres = model.cluster_centers_.astype(np.float32)
        labels, squared = nearest_centres(features, centres)
        np.bincount(labels, minlength=k)
        float(squared.sum())
        sample_indices(len(features))
        scores[k] = silhouette(features, labels)
    return time.perf_counter() - started, scores


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=0, help="workbook rows (default: full scale, 541,909)")
    parser.add_argument("--concurrency", type=int, default=os.cpu_count() or 2, help="N (default: CPUs)")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args(argv)

    use_private_home("rfm-bench-sweep-")
    note = machine_note("scikit-learn", "numpy", "stepfunctions")
    dataset_path, name = canonical_dataset(args.rows)
    # One sweep first: its features file is the loop's input (and it warms the disk cache).
    first = run_sweep(dataset_path, name, args.concurrency)
    features = np.loadtxt(io.BytesIO(first["storage"].read_bytes(first["features"])), delimiter=",", ndmin=2)

    loops, serial, concurrent, serial_walls, concurrent_walls, own = [], [], [], [], [], []
    loop_scores: dict[int, float] = {}
    for _ in range(args.repeats):
        seconds, loop_scores = plain_loop(features)
        loops.append(seconds)
        one = run_sweep(dataset_path, name, 1)
        serial.append(one["map_s"])
        own.append((one["map_s"] - one["in_tasks_s"]) / one["map_s"])
        serial_walls.append(one["wall_s"])
        many = run_sweep(dataset_path, name, args.concurrency)
        concurrent.append(many["map_s"])
        concurrent_walls.append(many["wall_s"])
    same = all(abs(loop_scores[k] - first["silhouettes"][k]) < 1e-6 for k in KS)

    loop_s, map_1, map_n = median_of(loops), median_of(serial), median_of(concurrent)
    n = args.concurrency
    print(note)
    print(f"customers: {first['customers']:,}; k = {KS[0]}..{KS[-1]} (9 fits); medians of {args.repeats}")
    print(f"loop and workflow silhouettes equal (1e-6): {same}")
    print(f"plain loop, 9 fits + scores one after the other: {loop_s:7.2f} s")
    print(f"workflow Map, max concurrency 1:                 {map_1:7.2f} s", end="")
    print(f"   (whole run {median_of(serial_walls):.2f} s)")
    print(f"workflow Map, max concurrency {n}:                 {map_n:7.2f} s", end="")
    print(f"   (whole run {median_of(concurrent_walls):.2f} s)")
    print(f"  -> engine overhead at concurrency 1: {100 * (map_1 / loop_s - 1):+.1f}% (target < 5%)", end="")
    print(f"; best of each: {100 * (min(serial) / min(loops) - 1):+.1f}%")
    print(f"  -> Map time outside its tasks (concurrency 1, same run): {100 * median_of(own):.1f}%")
    print(f"  -> loop / Map at concurrency {n}: {loop_s / map_n:.2f}x (target > 1)", end="")
    print(f"; best of each: {min(loops) / min(concurrent):.2f}x")
    print(f"  -> Map at concurrency 1 / at {n}: {map_1 / map_n:.2f}x")
    print(json.dumps({"loop_s": loops, "map_1_s": serial, f"map_{n}_s": concurrent, "outside_tasks_1": own}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
