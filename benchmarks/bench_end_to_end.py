"""Full-scale (541,909-row) local end-to-end run: wall time per step and peak memory, one run.

What a user of the app does, timed: load the workbook through ``pipeline.loading.dataset`` (first load,
then the cached re-load), write the canonical Parquet copy the app launches from, launch an
SDK-built workflow through ``LocalBackend`` in process mode (a background worker, as the app
does): clustering with k=5 (the default), or with ``--workflow price-regression`` the AWS sample's
XGBoost price regression with its default parameters, and wait for the end. Prints each state's
wall time (from the execution history, via ``pipeline.views.execution_view.step_runs``), the
totals, the peak memory (max RSS) of the worker process (target <= 1.5 GiB) and of this
launching process, and then the engine-overhead ratio of bench_engine.py on the same workbook.

    python -m benchmarks.bench_end_to_end                # builds the workbook first if needed
    python -m benchmarks.bench_end_to_end --rows 20000   # quick smoke run, smaller workbook
    python -m benchmarks.bench_end_to_end --no-overhead  # skip the engine/direct comparison
    python -m benchmarks.bench_end_to_end --workflow price-regression   # XGBoost, default threshold

The worker's peak is its ``VmHWM`` (the kernel's high-water mark of its resident set),
sampled from /proc/<pid>/status every 10 ms by a thread until the process is gone; being a
high-water mark, a sample misses only growth in the last 10 ms of its life. Its ``ru_maxrss``
from ``os.wait4`` is printed too but is NOT the worker's own peak: Linux carries the
launching process's resident set at fork time over the exec into the child's ``ru_maxrss``
(so ``RUSAGE_CHILDREN`` reports at least the launcher's size). The clustering quality threshold
is 0, so the run succeeds whatever the silhouette of the resampled data (the silhouette is
printed); the price regression keeps its default RMSE threshold, so the run also shows whether
that default holds at full scale (the RMSEs are printed). The engine-overhead comparison is the
clustering workflow's (bench_engine.py).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import threading
import time
from pathlib import Path
from typing import Any

from benchmarks.bench_engine import (
    machine_note,
    print_workflow_overhead,
    use_private_home,
    workflow_overhead,
)
from benchmarks.common import vm_hwm_bytes
from benchmarks.make_full_workbook import FULL_ROWS, full_workbook

RUN_TIMEOUT_SECONDS = 1800
POLL_SECONDS = 0.05
MEMORY_TARGET_GIB = 1.5
GIB = 1024**3


class HighWaterSampler(threading.Thread):
    """Samples a process's ``VmHWM`` until it exits; ``peak`` is the last (largest) value."""

    def __init__(self, pid: int, interval: float = 0.01) -> None:
        super().__init__(name=f"vmhwm-{pid}", daemon=True)
        self.pid, self.interval, self.peak = pid, interval, 0

    def run(self) -> None:
        while (value := vm_hwm_bytes(self.pid)) is not None:
            self.peak = max(self.peak, value)
            time.sleep(self.interval)


def reap_maxrss_bytes(pid: int) -> tuple[int, str]:
    """``ru_maxrss`` of child ``pid`` once it exits (inflated by the launcher's size, see above).

    ``os.wait4`` gives that child's rusage; if the client already reaped it (it polls its
    children), ``RUSAGE_CHILDREN`` is the largest of this process's reaped children.
    """
    try:
        _pid, _status, usage = os.wait4(pid, 0)
        return usage.ru_maxrss * 1024, "wait4"
    except ChildProcessError:
        return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024, "RUSAGE_CHILDREN"


def load_like_the_app(workbook: Path) -> dict[str, Any]:
    """First load, cached re-load, and the canonical Parquet copy the app launches from."""
    from pipeline.config import data_subdir
    from pipeline.loading.dataset import load_transactions

    started = time.perf_counter()
    first = load_transactions(workbook)
    first_s = time.perf_counter() - started
    started = time.perf_counter()
    cached = load_transactions(workbook)
    cached_s = time.perf_counter() - started
    if not cached.from_cache:
        raise RuntimeError("the second load did not come from the cache")
    started = time.perf_counter()
    path = data_subdir("cache") / "ui" / f"{cached.content_hash}.transactions.parquet"
    path.parent.mkdir(parents=True, exist_ok=True)
    cached.transactions.to_parquet(path, index=False)
    parquet_s = time.perf_counter() - started
    return {
        "rows": len(first.transactions),
        "first_s": first_s,
        "cached_s": cached_s,
        "parquet_s": parquet_s,
        "path": path,
        "name": first.name,
    }


def run_parameters(workflow: str, k: int) -> Any:
    """The benchmark's run parameters: clustering with ``k`` and threshold 0, or the regression's defaults."""
    from pipeline.workflows.clustering.parameters import ClusteringParameters
    from pipeline.workflows.price_regression.parameters import RegressionParameters

    if workflow == "price-regression":
        return RegressionParameters()
    return ClusteringParameters(k=k, quality_threshold=0.0)


def run_end_to_end(dataset_path: Path, dataset_name: str, params: Any) -> dict[str, Any]:
    """Launch through ``LocalBackend`` (process mode), wait for the end, measure time and memory."""
    from pipeline.backends.local import LocalBackend
    from pipeline.views.execution_view import step_runs

    started = time.perf_counter()
    backend = LocalBackend()  # process mode, as the app
    arn = backend.launch(dataset_path, params, dataset_name=dataset_name)
    launched_s = time.perf_counter() - started
    pid = backend.client.worker_pid(arn)
    sampler = HighWaterSampler(pid)
    sampler.start()
    deadline = time.monotonic() + RUN_TIMEOUT_SECONDS
    while True:
        description = backend.describe(arn)
        if description["status"] != "RUNNING":
            break
        if time.monotonic() > deadline:
            raise RuntimeError(f"{arn} still RUNNING after {RUN_TIMEOUT_SECONDS} s")
        time.sleep(POLL_SECONDS)
    finished_s = time.perf_counter() - started
    sampler.join(timeout=60)  # the worker exits right after recording its end
    maxrss, measured_by = reap_maxrss_bytes(pid)
    events = backend.history(arn)
    runs = step_runs(events, description["status"])
    output = json.loads(description.get("output") or "{}")
    return {
        "arn": arn,
        "status": description["status"],
        "error": description.get("error"),
        "cause": description.get("cause"),
        "launch_s": launched_s,
        "wall_s": finished_s,
        "engine_s": (description["stopDate"] - description["startDate"]).total_seconds(),
        "steps": [(run.name, run.state_type, run.duration_seconds) for run in runs],
        "worker_peak": sampler.peak,
        "worker_maxrss": maxrss,
        "worker_maxrss_by": measured_by,
        "output": output,
    }


def print_figures(output: dict[str, Any]) -> None:
    """The run's headline figures from its output (clustering: silhouette; regression: the RMSEs)."""
    if "silhouette" in output:
        print(f"  customers {output.get('customers')}, silhouette {output.get('silhouette')}")
    if "validation_rmse" in output:
        print(
            f"  RMSE train {output['train_rmse']}, validation {output['validation_rmse']}, "
            f"test {output['test_rmse']:.5f} (threshold {output['rmse_threshold']}); "
            f"{output['predictions']:,} predictions"
        )


def main(argv: list[str] | None = None) -> int:
    """Build (if needed) the full-scale workbook, run it end to end once, print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=FULL_ROWS, help="rows of the resampled workbook")
    parser.add_argument("--workflow", choices=["clustering", "price-regression"], default="clustering")
    parser.add_argument("--k", type=int, default=5, help="clusters (clustering only)")
    parser.add_argument("--reps", type=int, default=3, help="repetitions of the engine/direct comparison")
    parser.add_argument("--no-overhead", action="store_true", help="skip the engine/direct comparison")
    args = parser.parse_args(argv)
    workbook = full_workbook(args.rows)  # before the private home: the workbook is cached in benchmarks/out
    home = use_private_home()
    print(f"bench_end_to_end: {machine_note('pandas', 'numpy')}")
    print(f"workbook: {workbook} ({workbook.stat().st_size / 1e6:.1f} MB); data directory: {home}")

    loaded = load_like_the_app(workbook)
    print(f"\n1. Load through pipeline.loading.dataset ({loaded['rows']:,} rows)")
    print(f"  first load (parse, normalise, cache): {loaded['first_s']:8.2f} s")
    print(f"  cached re-load:                       {loaded['cached_s']:8.2f} s")
    print(f"  canonical Parquet copy for launch:    {loaded['parquet_s']:8.2f} s")

    params = run_parameters(args.workflow, args.k)
    run = run_end_to_end(loaded["path"], loaded["name"], params)
    print(f"\n2. Local end to end, LocalBackend process mode, {args.workflow} {params}: {run['status']}")
    if run["status"] != "SUCCEEDED":
        print(f"  error {run['error']}: {run['cause']}")
    for name, state_type, seconds in run["steps"]:
        print(f"  {name:<24} {state_type:<8} {seconds:8.2f} s")
    print(f"  execution (start to stop date):       {run['engine_s']:8.2f} s")
    print(f"  launch() returned after:              {run['launch_s']:8.2f} s  (upload, deploy, start)")
    print(f"  launch to SUCCEEDED seen:             {run['wall_s']:8.2f} s")
    print_figures(run["output"])

    launcher_peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    print("\n3. Peak memory (max RSS)")
    worker_gib = run["worker_peak"] / GIB
    print(f"  worker process:    {worker_gib:6.3f} GiB (VmHWM)   target <= {MEMORY_TARGET_GIB} GiB")
    print(
        f"    (its ru_maxrss by {run['worker_maxrss_by']}: {run['worker_maxrss'] / GIB:.3f} GiB, "
        "inflated by the launcher's resident set at fork)"
    )
    print(f"  launching process: {launcher_peak / GIB:6.3f} GiB (includes the first xlsx load)")

    if not args.no_overhead and args.workflow == "clustering":
        print(f"\n4. Engine overhead on the same workbook (bench_engine, {args.reps} interleaved runs)")
        print_workflow_overhead(workflow_overhead(workbook, args.reps, f"{loaded['rows']:,} rows"))
    return 0 if run["status"] == "SUCCEEDED" else 1


if __name__ == "__main__":
    sys.exit(main())
