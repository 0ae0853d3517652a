"""What checking the local stand-ins' requests against botocore's models costs a workflow run.

Every local run is one worker process, and every worker checks the five requests of the
clustering workflow (two ``lambda:invoke``, CreateTrainingJob, CreateModel, CreateTransformJob)
before the stand-ins act. Measured in one run of this script, on the real 40k sample:

1. the workflow run: start to stop of process-mode executions (``LocalStepFunctionsClient``,
   one worker each, as the app runs them), median of ``--runs``;
2. a worker's cost of the checks: in fresh interpreters that have already imported what a
   worker imports for a run anyway (pandas, scikit-learn, the handlers, the engine), the time
   to import ``request_validation`` (botocore's validator and model classes, ``regex``), load
   the models and check the five requests, median of ``--probes``; once more with no cached
   model subset (the first run after installing a botocore version);
3. a check once loaded: the five requests checked again and again in this process.

The ratio printed is (2) / (1): the share of a run's time the checks add.

    python -m benchmarks.bench_request_validation
    python -m benchmarks.bench_request_validation --runs 5 --probes 7
"""

from __future__ import annotations

import argparse
import copy
import io
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks.common import REPO_ROOT, machine_note, median_of, use_private_home

#: What a worker imports for a run whatever the checks cost (the handlers import pandas and
#: numpy, training imports scikit-learn's KMeans, the engine its own modules).
WORKER_BASELINE = (
    "import pipeline.local.worker, pipeline.local.client, pipeline.local.asl.interpreter, "
    "pipeline.storage, pipeline.workflows.kmeans_ndarray, lambdas.prepare_rfm.handler, "
    "lambdas.evaluate_clusters.handler, sklearn.cluster"
)
PROBE = """
import json, sys, time
{baseline}
requests = json.load(open(sys.argv[1]))
started = time.perf_counter()
from pipeline.local.services.request_validation import lambda_invoke_request, request_errors
for service, operation, request in requests:
    if service == "lambda":
        request = lambda_invoke_request(request)
    assert request_errors(service, operation, request) == []
print(time.perf_counter() - started)
"""
OPERATIONS = {
    "arn:aws:states:::lambda:invoke": ("lambda", "Invoke"),
    "arn:aws:states:::sagemaker:createTrainingJob.sync": ("sagemaker", "CreateTrainingJob"),
    "arn:aws:states:::sagemaker:createModel": ("sagemaker", "CreateModel"),
    "arn:aws:states:::sagemaker:createTransformJob.sync": ("sagemaker", "CreateTransformJob"),
}


def upload_sample() -> str:
    """The real 40k sample's canonical Parquet in the local bucket; its DataUri."""
    from benchmarks.make_full_workbook import sample_path
    from pipeline.backends.datasets import dataset_uri
    from pipeline.config import LOCAL_BUCKET, local_bucket_root
    from pipeline.loading.dataset import load_transactions
    from pipeline.storage import LocalBucketStorage
    from pipeline.workflows.runs import DEFAULT_PREFIX

    buffer = io.BytesIO()
    load_transactions(sample_path()).transactions.to_parquet(buffer, index=False)
    uri = dataset_uri(LOCAL_BUCKET, DEFAULT_PREFIX, buffer.getvalue())
    LocalBucketStorage(local_bucket_root()).write_bytes(uri, buffer.getvalue())
    return uri


def execution_input(run_name: str, data_uri: str) -> dict[str, Any]:
    from pipeline.config import LOCAL_BUCKET
    from pipeline.workflows.clustering.parameters import ClusteringParameters, execution_input_for
    from pipeline.workflows.runs import DEFAULT_PREFIX

    params = ClusteringParameters(k=5, quality_threshold=0.0)
    return execution_input_for(run_name, params, data_uri, LOCAL_BUCKET, DEFAULT_PREFIX)


def record_requests(definition: dict, data_uri: str) -> list[tuple[str, str, Any]]:
    """The requests one in-process run sends, as (service, operation, parameters)."""
    from pipeline.local.asl.interpreter import run_state_machine
    from pipeline.local.services.resources import LocalResources

    recorded: list[tuple[str, str, Any]] = []

    class Recording(LocalResources):
        def invoke(self, resource: str, parameters: Any, **kwargs: Any) -> Any:
            recorded.append((*OPERATIONS[resource], copy.deepcopy(parameters)))
            return super().invoke(resource, parameters, **kwargs)

    run_name = "bench-record"
    result = run_state_machine(
        definition,
        execution_input(run_name, data_uri),
        resources=Recording(),
        context={"Execution": {"Name": run_name}},
    )
    if result.status != "SUCCEEDED":
        raise RuntimeError(f"the recording run ended {result.status}: {result.error} {result.cause}")
    return recorded


def process_mode_runs(definition: dict, data_uri: str, runs: int) -> list[float]:
    """Start-to-stop seconds of ``runs`` executions, each in its own worker process."""
    from pipeline.local.client import LocalStepFunctionsClient, wait_for_status

    client = LocalStepFunctionsClient()
    machine = client.create_state_machine(
        name="bench-validation", definition=json.dumps(definition), roleArn="arn:aws:iam::000000000000:role/b"
    )["stateMachineArn"]
    seconds = []
    for index in range(runs):
        name = f"bench-validation-{index}"
        arn = client.start_execution(
            stateMachineArn=machine, name=name, input=json.dumps(execution_input(name, data_uri))
        )["executionArn"]
        description = wait_for_status(client, arn, 600)
        if description["status"] != "SUCCEEDED":
            raise RuntimeError(f"{name} ended {description['status']}: {description.get('cause')}")
        seconds.append((description["stopDate"] - description["startDate"]).total_seconds())
    return seconds


def probe_worker_cost(requests_file: Path, home: Path) -> float:
    """Seconds a fresh interpreter (worker imports done) spends importing, loading and checking."""
    script = PROBE.format(baseline=WORKER_BASELINE)
    env = {**os.environ, "RFM_STUDIO_HOME": str(home), "PYTHONPATH": str(REPO_ROOT)}
    done = subprocess.run(
        [sys.executable, "-c", script, str(requests_file)],
        capture_output=True, text=True, check=True, env=env, cwd=REPO_ROOT, timeout=300,
    )  # fmt: skip
    return float(done.stdout.strip().splitlines()[-1])


def warm_check_seconds(requests: list[tuple[str, str, Any]], loops: int = 200) -> float:
    """Seconds for one check of one request, once everything is loaded (mean over the loops)."""
    from pipeline.local.services.request_validation import lambda_invoke_request, request_errors

    prepared = [(s, o, lambda_invoke_request(r) if s == "lambda" else r) for s, o, r in requests]
    started = time.perf_counter()
    for _ in range(loops):
        for service, operation, request in prepared:
            request_errors(service, operation, request)
    return (time.perf_counter() - started) / (loops * len(prepared))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="process-mode workflow runs")
    parser.add_argument("--probes", type=int, default=5, help="fresh interpreters measuring the checks")
    args = parser.parse_args(argv)
    home = use_private_home()
    print(f"bench_request_validation: {machine_note('botocore', 'regex', 'pandas', 'scikit-learn')}")

    from pipeline.workflows.clustering.build import workflow_definition

    definition = workflow_definition()
    data_uri = upload_sample()
    requests = record_requests(definition, data_uri)
    requests_file = home / "requests.json"
    requests_file.write_text(json.dumps(requests))
    print(f"requests a run sends: {', '.join(operation for _, operation, _ in requests)}")

    run_seconds = process_mode_runs(definition, data_uri, args.runs)
    first_ever = probe_worker_cost(requests_file, Path(tempfile.mkdtemp(prefix="rfm-bench-nocache-")))
    probes = [probe_worker_cost(requests_file, home) for _ in range(args.probes)]
    warm = warm_check_seconds(requests)

    run_median, probe_median = median_of(run_seconds), median_of(probes)
    print(
        f"\n1. workflow run, process mode (s):       {', '.join(f'{s:.2f}' for s in run_seconds)}"
        f"  median {run_median:.2f}"
    )
    print(
        f"2. a worker's checks, cold (ms):          {', '.join(f'{1000 * s:.0f}' for s in probes)}"
        f"  median {1000 * probe_median:.0f}"
    )
    print(f"   the same with no cached model subset:  {1000 * first_ever:.0f} ms (once per botocore version)")
    print(f"3. one check once loaded:                 {1e6 * warm:.0f} us")
    print(f"\nchecks / run: {probe_median / run_median:.1%} of a run's time "
          f"({1000 * probe_median:.0f} ms of {run_median:.2f} s); warm checks of a run's 5 requests: "
          f"{5e3 * warm:.2f} ms")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
