"""Stop is never lost while the Executions page refreshes itself (chromium, a live server).

A RUNNING execution is redrawn every 1.5 s by an auto-refreshing fragment. The Stop button
and its confirmation used to live inside it, so a click could land on a layout that a refresh
was replacing, and one Stop in six was silently ignored. Here six real workflow runs are
held at their first step (tests/support/held_resources.py), and each is stopped from the
browser while the page refreshes: Stop and "Yes, stop it" are clicked while a refresh is
under way, and every run must end ABORTED.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import expect
from support.browser_support import STEP_TIMEOUT, StreamlitServer, open_tab, streamlit_server
from support.held_resources import FACTORY

from pipeline.local.worker import RESOURCES_ENV
from pipeline.workflows.clustering.parameters import ClusteringParameters

pytestmark = pytest.mark.browser

ATTEMPTS = 6


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Iterator[StreamlitServer]:
    """A live app whose local runs hold at their first step until stopped."""
    home = tmp_path_factory.mktemp("stop-home")
    logs = tmp_path_factory.mktemp("stop-logs")
    with streamlit_server(home, logs, {RESOURCES_ENV: FACTORY}) as running:
        yield running


@pytest.fixture
def held_backend(server, monkeypatch, sample_dataset):
    """The local backend of the server's data directory; runs it starts hold at their first step."""
    monkeypatch.setenv("RFM_STUDIO_HOME", str(server.home))
    monkeypatch.setenv(RESOURCES_ENV, FACTORY)  # the worker processes inherit it
    from pipeline.backends.local import LocalBackend

    path = server.home / "sample.parquet"
    sample_dataset.transactions.to_parquet(path, index=False)
    return LocalBackend(), path


def status_metric(tab):
    return tab.get_by_test_id("stMain").get_by_test_id("stMetric").filter(has_text="Status")


def wait_for_a_refresh(tab) -> None:
    """Return as a refresh of the page starts redrawing it (the rest of the refresh still to come).

    A fragment's refresh shows no run indicator, so the moment is told by the DOM: the first
    change under the main area after this call.
    """
    tab.evaluate(
        """timeout => new Promise((resolve, reject) => {
            const main = document.querySelector('[data-testid="stMain"]');
            const observer = new MutationObserver(() => { observer.disconnect(); resolve(); });
            observer.observe(main, {subtree: true, childList: true, characterData: true, attributes: true});
            setTimeout(() => { observer.disconnect(); reject(new Error('no refresh')); }, timeout);
        })""",
        STEP_TIMEOUT,
    )


def stop_from_the_browser(browser, server: StreamlitServer, arn: str) -> None:
    with open_tab(browser) as tab:
        tab.goto(f"{server.url}/executions")  # a new session selects the newest run: this one
        main = tab.get_by_test_id("stMain")
        # The run is the one watched: its name heads the watch part, its ARN is shown in full.
        expect(main.get_by_role("heading", name=arn.rsplit(":", 1)[-1], exact=True)).to_be_visible()
        expect(main.get_by_test_id("stCode").filter(has_text=arn).first).to_be_visible()
        expect(status_metric(tab).filter(has_text="RUNNING")).to_be_visible()
        # The page is refreshing itself: the run's duration moves on without anyone touching it.
        duration = main.get_by_test_id("stMetric").filter(has_text="Duration")
        first = duration.inner_text()
        expect(duration).not_to_have_text(first)

        wait_for_a_refresh(tab)
        main.get_by_role("button", name=re.compile("^Stop$")).click()
        expect(main.get_by_text("Stop this execution?")).to_be_visible()
        wait_for_a_refresh(tab)
        main.get_by_role("button", name="Yes, stop it").click()

        expect(status_metric(tab).filter(has_text="ABORTED")).to_be_visible()
        expect(status_metric(tab)).to_have_count(1)  # the run's earlier layout is gone
        expect(status_metric(tab)).to_contain_text("ABORTED")
        expect(main.get_by_text("The execution was stopped. Reason:")).to_be_visible()


def test_stop_pressed_while_the_page_refreshes_ends_every_run_aborted(browser, server, held_backend):
    backend, path = held_backend
    ended = []
    for attempt in range(ATTEMPTS):
        arn = backend.launch(path, ClusteringParameters(k=3), dataset_name=f"held {attempt}")
        try:
            stop_from_the_browser(browser, server, arn)
        except Exception:
            print(f"attempt {attempt} failed; server log:\n{server.log_tail()}")
            raise
        ended.append(backend.describe(arn)["status"])

    assert ended == ["ABORTED"] * ATTEMPTS
