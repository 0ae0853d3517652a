"""Finished local runs on the real sample, shared by the clusters tests (charts, comparison, page).

Each test module makes its runs once, in a data directory of its own: executions run in
threads of the test process (``LocalStepFunctionsClient(mode="thread")``) and the test waits
for their end with ``wait_for_status``, never with a sleep.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pytest

from pipeline.workflows.clustering.parameters import ClusteringParameters
from pipeline.workflows.clustering.results import RunResults

RUN_TIMEOUT = 180  # a run takes a few seconds; the machine is shared and busy


@dataclass
class FinishedRuns:
    """The data directory the runs live in, and each run's ARN, description and results."""

    home: Path
    arns: dict[str, str] = field(default_factory=dict)
    descriptions: dict[str, dict] = field(default_factory=dict)
    results: dict[str, RunResults] = field(default_factory=dict)


def make_runs(
    home: Path,
    sample_xlsx: Path,
    runs: dict[str, ClusteringParameters],
    *,
    read_results: bool = True,
    dataset_name: str | None = None,
) -> FinishedRuns:
    """Launch every ``runs`` item (label -> parameters) on the sample in ``home`` and wait for it,
    under ``dataset_name`` (else the file's own name).

    Runs that SUCCEEDED get their results read; others only their description.
    """
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("RFM_STUDIO_HOME", str(home))
        from pipeline.backends.local import LocalBackend
        from pipeline.loading.dataset import load_transactions
        from pipeline.local.client import LocalStepFunctionsClient, wait_for_status

        dataset = load_transactions(sample_xlsx, use_cache=False)
        path = home / "sample.parquet"
        dataset.transactions.to_parquet(path, index=False)
        backend = LocalBackend(LocalStepFunctionsClient(mode="thread"))
        finished = FinishedRuns(home=home)
        for label, params in runs.items():
            arn = backend.launch(path, params, dataset_name=dataset_name or str(dataset.name))
            description = wait_for_status(backend.client, arn, RUN_TIMEOUT)
            finished.arns[label] = arn
            finished.descriptions[label] = description
            if read_results and description["status"] == "SUCCEEDED":
                finished.results[label] = backend.results(arn)
        return finished
