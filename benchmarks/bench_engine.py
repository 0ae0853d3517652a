"""Engine overhead of the embedded Step Functions engine, as ratios measured in one run.

1. The real workflow (``pipeline.workflows.clustering.build.workflow_definition()``) run in-process by
   ``pipeline.local.asl.interpreter.run_state_machine`` with ``LocalResources``, vs the same
   handlers and SageMaker stand-ins called directly, one after the other, with the same
   inputs. Ratio engine/direct, target <= 1.3x, on the real 40k sample and on the
   full-scale (541,909-row) workbook of make_full_workbook.py.
2. Per-state overhead: chains of Pass, Choice and no-op Task states, and a Map over 1,000
   items, in microseconds per state (or per item).
3. Start-up latency of process mode: ``LocalStepFunctionsClient.start_execution`` until the
   worker's first event (what a user waits for after pressing Launch), and until SUCCEEDED.

    python -m benchmarks.bench_engine              # sample + full scale (builds the workbook)
    python -m benchmarks.bench_engine --no-full    # the 40k sample only
    python -m benchmarks.bench_engine --reps 5

How the direct side gets "the same inputs": a warm-up run through the engine records the
effective parameters each Task state handed to its resource; every later run (engine or
direct) uses a fresh run name, and the direct side replays the recorded parameters with the
run name substituted, calling the handler functions and ``sagemaker_local`` functions
themselves. So the direct side does the same work minus what the engine adds: validation,
JSONPath and templates, JSON round trips of payloads, history events, retry bookkeeping.
Engine and direct runs alternate (engine first on even repetitions, direct first on odd
ones) and the medians are compared, so load drifts on the shared machine hit both sides.
"""

from __future__ import annotations

import argparse
import contextlib
import copy
import json
import os
import sys
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

from benchmarks.common import machine_note, median_of, use_private_home

DEFAULT_REPS = 3
MICRO_STATES = 1000


# The real workflow ---------------------------------------------------------------------------


def upload_dataset(source: Path) -> tuple[str, int]:
    """Load ``source`` through pipeline.loading.dataset and put its canonical Parquet in the local bucket.

    Returns the ``DataUri`` the workflow reads and the number of rows.
    """
    import io

    from pipeline.config import LOCAL_BUCKET, local_bucket_root
    from pipeline.loading.dataset import load_transactions
    from pipeline.storage import LocalBucketStorage
    from pipeline.workflows.runs import DEFAULT_PREFIX

    dataset = load_transactions(Path(source))
    buffer = io.BytesIO()
    dataset.transactions.to_parquet(buffer, index=False)
    uri = f"s3://{LOCAL_BUCKET}/{DEFAULT_PREFIX}/raw/{dataset.content_hash[:16]}.parquet"
    LocalBucketStorage(local_bucket_root()).write_bytes(uri, buffer.getvalue())
    return uri, len(dataset.transactions)


def execution_input(run_name: str, data_uri: str, k: int = 5) -> dict[str, Any]:
    """The execution input the app builds for a run (threshold 0: the run always succeeds)."""
    from pipeline.config import LOCAL_BUCKET
    from pipeline.workflows.clustering.parameters import ClusteringParameters, execution_input_for
    from pipeline.workflows.runs import DEFAULT_PREFIX

    params = ClusteringParameters(k=k, quality_threshold=0.0)
    return execution_input_for(run_name, params, data_uri, LOCAL_BUCKET, DEFAULT_PREFIX, dataset_name="bench")


class RecordingResources:
    """``LocalResources`` that also records each task's effective parameters, in call order."""

    def __init__(self) -> None:
        from pipeline.local.services.resources import LocalResources

        self.inner = LocalResources()
        self.calls: list[tuple[str, str, Any, float | None]] = []

    def invoke(self, resource: str, parameters: Any, *, state_name: str, timeout: float | None = None) -> Any:
        """Record, then run the resource as the engine would."""
        self.calls.append((state_name, resource, copy.deepcopy(parameters), timeout))
        return self.inner.invoke(resource, parameters, state_name=state_name, timeout=timeout)


class TimedResources:
    """Wraps a ``resources`` object and adds up the time spent inside its ``invoke`` calls.

    The engine's own time in a run is its wall time minus this: measured within one run, it
    is far less disturbed by the load of a shared machine than the difference of two runs.
    """

    def __init__(self, inner: Any = None) -> None:
        from pipeline.local.services.resources import LocalResources

        self.inner = inner or LocalResources()
        self.seconds = 0.0

    def invoke(self, resource: str, parameters: Any, *, state_name: str, timeout: float | None = None) -> Any:
        """Run the resource, adding its wall time to ``seconds``."""
        started = time.perf_counter()
        try:
            return self.inner.invoke(resource, parameters, state_name=state_name, timeout=timeout)
        finally:
            self.seconds += time.perf_counter() - started


def run_engine(definition: dict, run_name: str, data_uri: str, inner: Any = None) -> tuple[float, float]:
    """Wall time of one in-process engine run of the workflow (which must succeed), and the
    part of it spent inside the task resources (handlers and SageMaker stand-ins)."""
    from pipeline.local.asl.interpreter import run_state_machine

    events: list[dict] = []
    resources = TimedResources(inner)
    execution = execution_input(run_name, data_uri)
    context = {"Execution": {"Name": run_name}}
    started = time.perf_counter()
    result = run_state_machine(
        definition, execution, resources=resources, context=context, on_event=events.append
    )
    elapsed = time.perf_counter() - started
    if result.status != "SUCCEEDED":
        raise RuntimeError(f"engine run {run_name} ended {result.status}: {result.error} {result.cause}")
    return elapsed, resources.seconds


def direct_calls() -> dict[str, Callable[[Any, float | None], Any]]:
    """Resource ARN -> the function the engine's integration ends up calling, called directly."""
    from lambdas.evaluate_clusters.handler import lambda_handler as evaluate_handler
    from lambdas.prepare_rfm.handler import lambda_handler as prepare_handler
    from pipeline.local.services import sagemaker as sagemaker_local
    from pipeline.local.services.lambda_invoke import LambdaContext
    from pipeline.workflows.clustering.build import EVALUATE_FUNCTION, PREPARE_FUNCTION

    handlers = {PREPARE_FUNCTION: prepare_handler, EVALUATE_FUNCTION: evaluate_handler}

    def lambda_invoke(params: Any, timeout: float | None) -> Any:
        name = params["FunctionName"]
        return handlers[name](params["Payload"], LambdaContext(name, timeout))

    return {
        "arn:aws:states:::lambda:invoke": lambda_invoke,
        "arn:aws:states:::sagemaker:createTrainingJob.sync": lambda p, _t: (
            sagemaker_local.create_training_job_sync(p)
        ),
        "arn:aws:states:::sagemaker:createModel": lambda p, _t: sagemaker_local.create_model(p),
        "arn:aws:states:::sagemaker:createTransformJob.sync": lambda p, _t: (
            sagemaker_local.create_transform_job_sync(p)
        ),
    }


def run_direct(recorded: list[tuple[str, str, Any, float | None]], recorded_run: str, run_name: str) -> float:
    """Wall time of the task calls recorded for ``recorded_run``, replayed directly for ``run_name``."""
    calls = direct_calls()
    replay = json.loads(json.dumps(recorded).replace(recorded_run, run_name))
    started = time.perf_counter()
    for _state, resource, parameters, timeout in replay:
        calls[resource](parameters, timeout)
    return time.perf_counter() - started


def workflow_overhead(source: Path, reps: int = DEFAULT_REPS, label: str = "") -> dict[str, Any]:
    """Median engine and direct times of the real workflow on ``source``, and their ratios.

    ``ratio`` compares the medians of separate runs (noisy on a loaded machine: one handler
    call can take twice as long as the next), ``min_ratio`` their fastest runs; ``own_ratio``
    is the median over engine runs of wall time / time inside the task resources, both from
    the same run (robust to load drifts between runs). Call with
    ``RFM_STUDIO_HOME`` set to a scratch folder (``use_private_home``): every run writes its
    files into the local bucket there.
    """
    from pipeline.workflows.clustering.build import workflow_definition

    definition = workflow_definition()
    data_uri, rows = upload_dataset(source)
    tag = uuid.uuid4().hex[:6]  # run names, hence SageMaker job and model names, must be new
    recorded_run = f"bench-{tag}-recorded"
    recorder = RecordingResources()
    warmup, _ = run_engine(definition, recorded_run, data_uri, recorder)  # imports, caches
    states = [state for state, *_ in recorder.calls]
    engine, inside, direct = [], [], []
    for rep in range(reps):
        order = ("engine", "direct") if rep % 2 == 0 else ("direct", "engine")
        for side in order:
            name = f"bench-{tag}-{rep}-{side}"
            if side == "engine":
                total, in_resources = run_engine(definition, name, data_uri)
                engine.append(total)
                inside.append(in_resources)
            else:
                direct.append(run_direct(recorder.calls, recorded_run, name))
    result = {
        "label": label or Path(source).name,
        "rows": rows,
        "tasks": states,
        "warmup_s": warmup,
        "engine_s": engine,
        "inside_s": inside,
        "direct_s": direct,
        "engine_median_s": median_of(engine),
        "direct_median_s": median_of(direct),
        "own_ms": median_of([(e - i) * 1000 for e, i in zip(engine, inside, strict=True)]),
        "own_ratio": median_of([e / i for e, i in zip(engine, inside, strict=True)]),
        "min_ratio": min(engine) / min(direct),
    }
    result["ratio"] = result["engine_median_s"] / result["direct_median_s"]
    return result


def print_workflow_overhead(result: dict[str, Any]) -> None:
    """One block of figures for ``workflow_overhead``'s result."""

    def each(values: list[float]) -> str:
        return ", ".join(f"{value:.2f}" for value in values)

    print(f"  {result['label']} ({result['rows']:,} rows, {len(result['tasks'])} tasks)")
    print(f"    engine runs (s):         {each(result['engine_s'])}  median {result['engine_median_s']:.2f}")
    print(f"      of which inside tasks: {each(result['inside_s'])}")
    print(f"    direct runs (s):         {each(result['direct_s'])}  median {result['direct_median_s']:.2f}")
    print(f"    ratio of medians engine/direct:            {result['ratio']:.3f}x   (target <= 1.3x)")
    print(f"    ratio of minima (least disturbed runs):    {result['min_ratio']:.3f}x")
    print(
        f"    engine run / its time inside tasks:        {result['own_ratio']:.3f}x   "
        f"(engine's own time {result['own_ms']:.0f} ms a run)"
    )


# Per-state overhead --------------------------------------------------------------------------


class NoopResources:
    """A ``resources`` whose every task returns at once: what remains is the engine's own cost."""

    def invoke(self, resource: str, parameters: Any, *, state_name: str, timeout: float | None = None) -> Any:
        """Return an empty result without doing anything."""
        return {}


def pass_chain(n: int) -> dict:
    """``n`` Pass states in a row, each adding a field with Result/ResultPath."""
    states = {
        f"S{i}": {"Type": "Pass", "Result": i, "ResultPath": "$.last", "Next": f"S{i + 1}"} for i in range(n)
    }
    states[f"S{n - 1}"].pop("Next")
    states[f"S{n - 1}"]["End"] = True
    return {"StartAt": "S0", "States": states}


def choice_chain(n: int) -> dict:
    """``n`` Choice states in a row, each comparing ``$.x`` with a number, then a Succeed."""

    def next_of(i: int) -> str:
        return f"C{i + 1}" if i + 1 < n else "Done"

    states: dict[str, Any] = {
        f"C{i}": {
            "Type": "Choice",
            "Choices": [{"Variable": "$.x", "NumericEquals": 1, "Next": next_of(i)}],
            "Default": "Lost",
        }
        for i in range(n)
    }
    states["Done"] = {"Type": "Succeed"}
    states["Lost"] = {"Type": "Fail", "Error": "NoMatch"}
    return {"StartAt": "C0", "States": states}


def task_chain(n: int) -> dict:
    """``n`` Task states in a row on a no-op resource, with Parameters and a ResultPath."""
    states = {
        f"T{i}": {
            "Type": "Task",
            "Resource": "arn:aws:states:::bench:noop",
            "Parameters": {"x.$": "$.x"},
            "ResultPath": "$.result",
            "Next": f"T{i + 1}",
        }
        for i in range(n)
    }
    states[f"T{n - 1}"].pop("Next")
    states[f"T{n - 1}"]["End"] = True
    return {"StartAt": "T0", "States": states}


def map_over(items: int, max_concurrency: int) -> tuple[dict, dict]:
    """A Map over ``items`` numbers whose iteration is one Pass state; definition and input."""
    definition = {
        "StartAt": "Each",
        "States": {
            "Each": {
                "Type": "Map",
                "ItemsPath": "$.items",
                "MaxConcurrency": max_concurrency,
                "Iterator": {"StartAt": "One", "States": {"One": {"Type": "Pass", "End": True}}},
                "End": True,
            }
        },
    }
    return definition, {"items": list(range(items))}


def time_definition(definition: dict, execution: Any, reps: int) -> tuple[float, int]:
    """Median wall time of running ``definition`` in-process (events collected), and events per run."""
    from pipeline.local.asl.interpreter import run_state_machine

    times, count = [], 0
    for _ in range(reps + 1):  # the first run warms up (imports, JSONPath parser caches)
        events: list[dict] = []
        started = time.perf_counter()
        result = run_state_machine(definition, execution, resources=NoopResources(), on_event=events.append)
        times.append(time.perf_counter() - started)
        if result.status != "SUCCEEDED":
            raise RuntimeError(f"micro-benchmark ended {result.status}: {result.error} {result.cause}")
        count = len(events)
    return median_of(times[1:]), count


def per_state_overhead(n: int = MICRO_STATES, reps: int = DEFAULT_REPS) -> list[tuple[str, float, int]]:
    """(case, microseconds per state or item, history events per run) for each micro-benchmark."""
    cases = [
        (f"Pass chain ({n} states)", pass_chain(n), {"x": 1}, n),
        (f"Choice chain ({n} states)", choice_chain(n), {"x": 1}, n),
        (f"Task chain, no-op resource ({n} states)", task_chain(n), {"x": 1}, n),
    ]
    for concurrency in (1, 0):
        definition, execution = map_over(n, concurrency)
        label = "MaxConcurrency 1" if concurrency == 1 else "MaxConcurrency 0 (thread pool)"
        cases.append((f"Map over {n} items, {label}", definition, execution, n))
    figures = []
    for label, definition, execution, units in cases:
        seconds, events = time_definition(definition, execution, reps)
        figures.append((label, seconds / units * 1e6, events))
    return figures


# Process-mode start-up -----------------------------------------------------------------------


def startup_latency(reps: int = DEFAULT_REPS, poll_seconds: float = 0.002) -> dict[str, list[float]]:
    """Seconds from ``start_execution`` (process mode) to its return, to the worker's first
    event, and to SUCCEEDED, for a one-Pass-state machine (so the figures are start-up only)."""
    from pipeline.local.client import LocalStepFunctionsClient

    client = LocalStepFunctionsClient(mode="process")
    definition = json.dumps({"StartAt": "Hello", "States": {"Hello": {"Type": "Pass", "End": True}}})
    machine = client.create_state_machine(
        name="bench-startup", definition=definition, roleArn="arn:aws:iam::000000000000:role/bench"
    )["stateMachineArn"]
    figures: dict[str, list[float]] = {"returned": [], "first_worker_event": [], "succeeded": []}
    for rep in range(reps):
        started = time.perf_counter()
        started_execution = client.start_execution(stateMachineArn=machine, name=f"startup-{rep}", input="{}")
        arn = started_execution["executionArn"]
        figures["returned"].append(time.perf_counter() - started)
        while len(client.get_execution_history(executionArn=arn)["events"]) < 2:  # 1 = ExecutionStarted
            time.sleep(poll_seconds)
        figures["first_worker_event"].append(time.perf_counter() - started)
        while client.describe_execution(executionArn=arn)["status"] == "RUNNING":
            time.sleep(poll_seconds)
        figures["succeeded"].append(time.perf_counter() - started)
        pid = client.worker_pid(arn)
        if pid:
            with contextlib.suppress(ChildProcessError):  # reap it before the next start-up
                os.waitpid(pid, 0)
    return figures


# Command line --------------------------------------------------------------------------------


def sample_path() -> Path:
    """The real 40k UCI sample."""
    from benchmarks.make_full_workbook import sample_path as shared_sample

    return shared_sample()


def main(argv: list[str] | None = None) -> int:
    """Run every engine benchmark once and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=DEFAULT_REPS, help="interleaved repetitions")
    parser.add_argument("--no-full", action="store_true", help="skip the full-scale workbook")
    parser.add_argument("--rows", type=int, default=None, help="rows of the resampled workbook")
    args = parser.parse_args(argv)
    home = use_private_home()
    print(f"bench_engine: {machine_note('pandas', 'numpy')}")
    print(f"data directory: {home}")

    print("\n1. Real workflow, engine (run_state_machine + LocalResources) vs direct calls")
    print_workflow_overhead(workflow_overhead(sample_path(), args.reps, "40k real sample"))
    if not args.no_full:
        from benchmarks.make_full_workbook import FULL_ROWS, full_workbook

        rows = args.rows or FULL_ROWS
        path = full_workbook(rows)
        print_workflow_overhead(workflow_overhead(path, args.reps, f"full scale, {rows:,} rows"))

    print(f"\n2. Per-state overhead (in-process, events collected; median of {args.reps})")
    for label, micros, events in per_state_overhead(MICRO_STATES, args.reps):
        print(f"  {label:<52} {micros:8.1f} us/state  ({events:,} events a run)")

    print(f"\n3. Process mode start-up, one Pass state (median of {args.reps})")
    startup = startup_latency(args.reps)
    labels = {
        "returned": "start_execution returned",
        "first_worker_event": "first event of the worker",
        "succeeded": "execution SUCCEEDED",
    }
    for key, label in labels.items():
        values = startup[key]
        runs = ", ".join(f"{value * 1000:.0f}" for value in values)
        print(f"  {label:<30} {median_of(values) * 1000:8.0f} ms  (runs: {runs})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
