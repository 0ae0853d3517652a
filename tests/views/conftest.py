"""Fixtures shared by the view tests."""

from __future__ import annotations

import pytest
from support.cluster_support import make_runs

from pipeline.workflows.clustering.parameters import ClusteringParameters


@pytest.fixture(scope="session")
def runs(sample_xlsx, tmp_path_factory):
    """Two finished local clustering runs of the UCI sample, k=3 and k=4 (their results by name),
    made once for the view tests that read real runs' figures."""
    finished = make_runs(
        tmp_path_factory.mktemp("views-home"),
        sample_xlsx,
        {
            "k4": ClusteringParameters(k=4, quality_threshold=-1.0),
            "k3": ClusteringParameters(k=3, quality_threshold=-1.0),
        },
    )
    assert set(finished.results) == {"k4", "k3"}, finished.descriptions
    return finished.results
