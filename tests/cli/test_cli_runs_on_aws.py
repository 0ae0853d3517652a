"""``list`` and ``status RUN`` on the aws backend, against a moto account (no real AWS).

moto records executions without running them, so the runs listed are RUNNING: what matters
here is that the aws backend's runs are listed and found by name like the local ones.
"""

from __future__ import annotations

import pytest
from moto import mock_aws
from support.aws_fakes import fake_credentials, isolate_aws_environment, prepare_account

from pipeline.__main__ import main
from pipeline.backends.aws import AwsBackend
from pipeline.backends.aws_settings import AwsSettings
from pipeline.loading.dataset import load_transactions
from pipeline.workflows.clustering.parameters import ClusteringParameters


@pytest.fixture(autouse=True)
def no_real_aws(monkeypatch, tmp_path):
    isolate_aws_environment(monkeypatch, tmp_path)


@pytest.fixture
def deployed(monkeypatch):
    fake_credentials(monkeypatch)
    with mock_aws():
        prepared = prepare_account()
        for name, value in prepared.env.items():
            monkeypatch.setenv(name, value)
        backend = AwsBackend(AwsSettings.from_environment(secrets_paths=[]))
        backend.deploy()
        yield backend


@pytest.fixture(scope="module")
def sample_parquet(tmp_path_factory, sample_xlsx):
    path = tmp_path_factory.mktemp("dataset") / "online_retail_sample_40k.parquet"
    load_transactions(sample_xlsx, use_cache=False).transactions.to_parquet(path, index=False)
    return path


def test_list_on_aws_shows_its_runs_newest_first(deployed, sample_parquet, capsys):
    older = deployed.launch(sample_parquet, ClusteringParameters(k=3), dataset_name="first")
    newer = deployed.launch(sample_parquet, ClusteringParameters(k=4), dataset_name="second")

    assert main(["list", "--backend", "aws"]) == 0

    rows = [line.split() for line in capsys.readouterr().out.splitlines()[1:]]
    assert [row[:3] for row in rows] == [
        [newer.rsplit(":", 1)[-1], "clustering", "RUNNING"],
        [older.rsplit(":", 1)[-1], "clustering", "RUNNING"],
    ]


def test_status_on_aws_finds_a_run_by_its_name(deployed, sample_parquet, capsys):
    arn = deployed.launch(sample_parquet, ClusteringParameters(k=3), dataset_name="first")

    assert main(["status", arn.rsplit(":", 1)[-1], "--backend", "aws"]) == 0  # RUNNING

    out = capsys.readouterr().out
    assert f"Execution: {arn}" in out
    assert "Status:    RUNNING" in out


def test_report_of_a_running_run_says_to_wait_for_its_end(deployed, sample_parquet, tmp_path, capsys):
    arn = deployed.launch(sample_parquet, ClusteringParameters(k=3), dataset_name="first")

    assert main(["report", arn, "--out", str(tmp_path / "r.html")]) == 2

    assert "is still RUNNING: build its report once it has finished" in capsys.readouterr().err
    assert not (tmp_path / "r.html").exists()
