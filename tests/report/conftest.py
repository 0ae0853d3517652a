"""Finished local runs of the real sample for the report and command-line tests, made once a session:
one that succeeds (k=3) and one its quality gate stops (threshold 0.99)."""

from __future__ import annotations

import pytest
from support.cluster_support import FinishedRuns, make_runs

from pipeline.workflows.clustering.parameters import ClusteringParameters


@pytest.fixture(scope="session")
def report_runs(sample_xlsx, tmp_path_factory) -> FinishedRuns:
    finished = make_runs(
        tmp_path_factory.mktemp("report-home"),
        sample_xlsx,
        {
            "k3": ClusteringParameters(k=3, quality_threshold=-1.0),
            "gate": ClusteringParameters(k=3, quality_threshold=0.99),
        },
    )
    assert finished.descriptions["k3"]["status"] == "SUCCEEDED", finished.descriptions["k3"]
    assert finished.descriptions["gate"]["status"] == "FAILED", finished.descriptions["gate"]
    return finished


@pytest.fixture
def in_report_home(report_runs, monkeypatch) -> FinishedRuns:
    """The runs, with RFM_STUDIO_HOME pointing at their data directory."""
    monkeypatch.setenv("RFM_STUDIO_HOME", str(report_runs.home))
    return report_runs
