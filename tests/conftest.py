"""Shared fixtures: a private data directory for every test, and the real UCI sample."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from pipeline.config import BUNDLED_SAMPLE_PATH

REPO_ROOT = Path(__file__).resolve().parent.parent
SHARED_SAMPLE = REPO_ROOT.parent / "shared" / "data" / "online_retail_sample_40k.xlsx"
FIXTURES = Path(__file__).resolve().parent / "fixtures"


@pytest.fixture(scope="session", autouse=True)
def no_real_aws(tmp_path_factory):
    """No test can reach a real AWS account: no credentials, profiles, config or metadata service.

    Session-wide, so module-scoped fixtures are covered too; tests that talk to moto set fake
    credentials themselves (tests/aws_fakes.py).
    """
    empty = tmp_path_factory.mktemp("no-aws") / "empty"
    empty.write_text("")
    with pytest.MonkeyPatch.context() as patch:
        for name in list(os.environ):
            if name.startswith(("AWS_", "RFM_AWS", "RFM_LAMBDA", "RFM_SAGEMAKER", "RFM_STATES")):
                patch.delenv(name)
        patch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(empty))
        patch.setenv("AWS_CONFIG_FILE", str(empty))
        patch.setenv("AWS_EC2_METADATA_DISABLED", "true")
        yield


@pytest.fixture(autouse=True)
def studio_home(tmp_path_factory, monkeypatch) -> Path:
    """Every test gets its own RFM_STUDIO_HOME, so nothing touches ~/.rfm-studio."""
    home = tmp_path_factory.mktemp("studio-home")
    monkeypatch.setenv("RFM_STUDIO_HOME", str(home))
    monkeypatch.delenv("RFM_STORAGE", raising=False)
    monkeypatch.delenv("AWS_LAMBDA_FUNCTION_NAME", raising=False)
    # Home waits for the backend's health to the end, however loaded the machine (ui/backend.py).
    monkeypatch.setenv("RFM_STUDIO_HOME_HEALTH_WAIT", "600")
    return home


@pytest.fixture(scope="session")
def sample_xlsx() -> Path:
    """The real 40,000-row sample of UCI Online Retail (shared copy, else the bundled one)."""
    return SHARED_SAMPLE if SHARED_SAMPLE.exists() else BUNDLED_SAMPLE_PATH


@pytest.fixture(scope="session")
def kmeans_fixture_dir() -> Path:
    """The SageMaker KMeans artifact written by real mxnet 1.9.1 (tests/fixtures/sagemaker-kmeans)."""
    return FIXTURES / "sagemaker-kmeans"


@pytest.fixture(scope="session")
def sample_dataset(sample_xlsx):
    """The real sample loaded by ``load_transactions`` (no cache), once a session."""
    from pipeline.loading.dataset import load_transactions

    return load_transactions(sample_xlsx, use_cache=False)


@pytest.fixture(scope="session")
def sample_clean(sample_dataset):
    """``(clean, report)`` from ``clean_transactions`` on the real sample, once a session."""
    from pipeline.loading.dataset import clean_transactions

    return clean_transactions(sample_dataset.transactions)


#: The k range of the shared sweep run (``finished_sweep``).
SWEEP_K_RANGE = (2, 4)


@pytest.fixture(scope="session")
def finished_sweep(sample_xlsx, tmp_path_factory):
    """A real run of the sample that swept k 2-4 and SUCCEEDED (``FinishedRuns``, key "sweep"),
    made once a session for the tests that read one (report, graph labels)."""
    from support.cluster_support import make_runs

    from pipeline.workflows.clustering.parameters import ClusteringParameters

    finished = make_runs(
        tmp_path_factory.mktemp("sweep-run-home"),
        sample_xlsx,
        {"sweep": ClusteringParameters(k_range=SWEEP_K_RANGE, quality_threshold=-1.0)},
        read_results=False,
    )
    assert finished.descriptions["sweep"]["status"] == "SUCCEEDED", finished.descriptions["sweep"]
    return finished
