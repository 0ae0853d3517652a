"""One decision and one cache for what Executions and Clusters list, and one backend health.

Executions and Clusters used to decide differently whether to ask AWS for its runs and kept
separate 15 s caches, so a re-run showed on one page and not on the other; Home kept its own
health cache, so "Check again" on Launch left Home stale. These tests open the pages in one
session as a user moves between them. AWS is moto or, where it must fail, no AWS at all
(tests/conftest.py leaves no credentials).
"""

from __future__ import annotations

import pytest
import streamlit as st
from moto import mock_aws
from streamlit.testing.v1 import AppTest
from support.aws_fakes import fake_credentials, isolate_aws_environment, prepare_account
from support.page_support import APP, listed_runs, unescaped

from pipeline.workflows.clustering.parameters import ClusteringParameters
from ui.backend import backend
from ui.names import Key, Page
from ui.runs import forget_aws_listing
from ui.state import ActiveDataset

RUN_TIMEOUT = 120
AWS_RUN = "arn:aws:states:us-east-1:123456789012:execution:rfm-studio-clustering:elsewhere"
NOT_LISTED = "AWS executions are not listed"


@pytest.fixture(autouse=True)
def fresh_caches(monkeypatch, tmp_path):
    isolate_aws_environment(monkeypatch, tmp_path)
    st.cache_data.clear()
    st.cache_resource.clear()
    yield
    st.cache_data.clear()
    st.cache_resource.clear()


def session(**state) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=RUN_TIMEOUT)
    for key, value in state.items():
        at.session_state[key] = value
    return at.run()


def open_page(at: AppTest, page: str) -> AppTest:
    at.switch_page(page).run()
    assert not at.exception, at.exception
    return at


def aws_warnings(at: AppTest) -> list[str]:
    return [unescaped(w.value) for w in at.warning if NOT_LISTED in unescaped(w.value)]


CONDITIONS = {
    "only local runs": ({}, {}, False),
    "aws chosen in the sidebar": ({Key.BACKEND: "aws"}, {}, True),
    "an aws run selected": ({Key.SELECTED_EXECUTION: AWS_RUN}, {}, True),
    "aws bucket and region set": ({}, {"RFM_AWS_REGION": "us-east-1", "RFM_AWS_BUCKET": "shop"}, True),
}


@pytest.mark.parametrize("condition", list(CONDITIONS))
def test_executions_and_clusters_ask_aws_for_its_runs_under_the_same_conditions(condition, monkeypatch):
    state, env, asks_aws = CONDITIONS[condition]
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    at = session(**state)

    shown = [aws_warnings(open_page(at, page)) for page in (Page.EXECUTIONS, Page.CLUSTERS)]

    # No credentials: asking AWS fails, and the page says so; not asking shows nothing.
    assert [bool(warnings) for warnings in shown] == [asks_aws, asks_aws]
    assert shown[0] == shown[1]  # the same sentence on both pages


@pytest.fixture
def aws_account(monkeypatch, sample_dataset, tmp_path):
    """A moto account with the workflow deployed and one aws run; the session's backend is aws."""
    fake_credentials(monkeypatch)
    with mock_aws():
        for name, value in prepare_account().env.items():
            monkeypatch.setenv(name, value)
        path = tmp_path / "sample.parquet"
        sample_dataset.transactions.to_parquet(path, index=False)
        aws = backend("aws")
        aws.deploy()
        yield aws, aws.launch(path, ClusteringParameters(k=3), dataset_name="sample")


def test_a_re_run_on_executions_is_listed_on_clusters_at_once(aws_account):
    aws, first = aws_account
    at = session(**{Key.BACKEND: "aws", Key.SELECTED_EXECUTION: first})
    open_page(at, Page.CLUSTERS)  # lists the aws runs (and keeps them for a few seconds)
    assert "still running" in unescaped(at.info[0].value)
    aws.stop(first)  # Re-run is offered only for a run that is not going
    forget_aws_listing()
    open_page(at, Page.EXECUTIONS)

    at.button(key="rerun").click().run()

    second = at.session_state[Key.SELECTED_EXECUTION]
    assert second != first and aws.describe(second)["status"] == "RUNNING"
    assert second in set(listed_runs(at)["ARN"])
    open_page(at, Page.CLUSTERS)
    # The re-run is listed here too, so the page knows it is still running (one listing, one cache).
    assert "still running" in unescaped(at.info[0].value)
    assert second.rsplit(":", 1)[-1] in [text.value for text in at.main.text]


def health_lines(at: AppTest) -> dict[str, bool]:
    """Home's checks: name -> passed."""
    lines = [block.value for block in at.markdown if block.value.startswith(":material/")]
    return {unescaped(line.split("**")[1]): "check_circle" in line for line in lines}


def test_check_again_on_launch_refreshes_the_health_home_shows(
    monkeypatch, sample_dataset, sample_clean, tmp_path
):

    path = tmp_path / "sample.parquet"
    sample_dataset.transactions.to_parquet(path, index=False)
    active = ActiveDataset.of(sample_dataset, path, sample_clean[1])
    at = session(**{Key.BACKEND: "aws", Key.ACTIVE_DATASET: active})
    assert health_lines(at)["Region"] is False
    monkeypatch.setenv("RFM_AWS_REGION", "us-east-1")  # the user fixes the region meanwhile
    at.run()
    assert health_lines(at)["Region"] is False  # health is kept a while: not checked again yet

    open_page(at, Page.LAUNCH)
    at.button(key="launch_recheck").click().run()
    assert not at.exception
    open_page(at, Page.HOME)

    assert health_lines(at)["Region"] is True
