"""The Executions page keeps up with runs started elsewhere, in chromium.

Runs are shared: a colleague's browser or the command line can start one while this page is
open. A run started while nothing runs joins the table and the "Run shown" box within seconds
(the idle page looks for new runs every ``IDLE_REFRESH_SECONDS``); one started while another
goes joins both at the table's next refresh, and can be chosen in the box at once.

The runs here are started by the test itself, in the server's data directory, as another
client would: a local engine in this process runs a one-state workflow that waits until it is
stopped. ``AppTest`` runs no timers, so only a real browser shows the page keeping up.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect
from support.browser_support import STEP_TIMEOUT, open_tab, settled, streamlit_server

from pipeline.local.client import LocalStepFunctionsClient, wait_for_status
from pipeline.workflows.clustering.build import WORKFLOW_NAME
from ui.executions import IDLE_REFRESH_SECONDS

pytestmark = pytest.mark.browser

#: A workflow that waits until it is stopped, deployed under the clustering workflow's name.
WAITING = {"StartAt": "Wait long", "States": {"Wait long": {"Type": "Wait", "Seconds": 600, "End": True}}}
#: Milliseconds a new run may take to show: the idle page's next look, its rerun, and a busy machine.
SHOWS_WITHIN = int(IDLE_REFRESH_SECONDS * 1000) + STEP_TIMEOUT


class Colleague:
    """Another client of the server's data directory, starting and stopping runs."""

    def __init__(self, home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setenv("RFM_STUDIO_HOME", str(home))
        self.client = LocalStepFunctionsClient(mode="thread")
        machine = self.client.create_state_machine(
            name=WORKFLOW_NAME, definition=json.dumps(WAITING), roleArn="arn:aws:iam::000000000000:role/x"
        )
        self.machine = machine["stateMachineArn"]
        self.started: list[str] = []

    def start(self, name: str) -> str:
        arn = self.client.start_execution(stateMachineArn=self.machine, name=name, input="{}")["executionArn"]
        self.started.append(arn)
        return arn

    def stop(self, arn: str) -> None:
        self.client.stop_execution(executionArn=arn, cause="test over")
        wait_for_status(self.client, arn, 30)

    def stop_all(self) -> None:
        for arn in self.started:
            if self.client.describe_execution(executionArn=arn)["status"] == "RUNNING":
                self.stop(arn)


@pytest.fixture
def colleague(tmp_path, monkeypatch) -> Iterator[Colleague]:
    other = Colleague(tmp_path / "home", monkeypatch)
    try:
        yield other
    finally:
        other.stop_all()


def wait_until_listed_first(tab, name: str, timeout: int) -> None:
    """Wait until the table's first row is the run ``name`` (running runs come first)."""
    tab.wait_for_function(
        """name => {
            const first = document.querySelector('[data-testid="stMain"] .rt tbody tr');
            return first?.cells[0].textContent === name;  // Name
        }""",
        arg=name,
        timeout=timeout,
    )


def run_shown_options(tab) -> list[str]:
    """The options of the "Run shown" box, read by opening its list (and closing it again)."""
    main = tab.get_by_test_id("stMain")
    main.get_by_role("combobox", name="Run shown").click()
    options = tab.get_by_role("option")
    options.first.wait_for()
    texts = options.all_inner_texts()
    tab.keyboard.press("Escape")
    return texts


@contextmanager
def page_after_one_run(browser, colleague: Colleague, tmp_path: Path, name: str) -> Iterator[Any]:
    """Executions on a server of its own, opened once the colleague's run ``name`` has ended (so
    nothing runs), showing that run."""
    colleague.stop(colleague.start(name))
    (tmp_path / "logs").mkdir()
    with streamlit_server(tmp_path / "home", tmp_path / "logs") as server, open_tab(browser) as tab:
        tab.goto(f"{server.url}/executions")
        expect(tab.get_by_test_id("stMain").get_by_role("heading", name=name, exact=True)).to_be_visible()
        settled(tab)
        yield tab


def test_runs_started_elsewhere_join_the_table_and_the_run_shown_box(browser, colleague, tmp_path):
    with page_after_one_run(browser, colleague, tmp_path, "first") as tab:
        main = tab.get_by_test_id("stMain")
        wait_until_listed_first(tab, "first", STEP_TIMEOUT)

        # Started while the page is idle: listed, first, without anything done in the browser.
        colleague.start("second")
        wait_until_listed_first(tab, "second", SHOWS_WITHIN)
        settled(tab)
        assert any(option.startswith("second · ") for option in run_shown_options(tab))
        # The run shown stays the one the user was looking at.
        expect(main.get_by_role("heading", name="first", exact=True)).to_be_visible()

        # Started while "second" runs (the table now refreshes itself): in the box too, at once.
        colleague.start("third")
        wait_until_listed_first(tab, "third", STEP_TIMEOUT)
        options = run_shown_options(tab)
        assert [option.split(" · ")[0] for option in options] == ["third", "second", "first"], options

        # Chosen in the box, the run is shown (the box is in the refreshing part, which hands the
        # choice to the page).
        main.get_by_role("combobox", name="Run shown").click()
        tab.get_by_role("option", name=re.compile(r"^third · ")).click()
        expect(main.get_by_role("heading", name="third", exact=True)).to_be_visible()
        expect(main.get_by_test_id("stMetric").filter(has_text="Status")).to_contain_text("RUNNING")

        # Stopped elsewhere while shown, the run stays shown: its label in the box does not change
        # with its status (a label the box no longer offered came back as the chosen value, and
        # the page jumped to another run, warning that AWS executions are not listed).
        colleague.stop(colleague.started[-1])
        expect(main.get_by_test_id("stMetric").filter(has_text="Status")).to_contain_text("ABORTED")
        colleague.stop(colleague.started[-2])  # the last run ends: the page is drawn again
        wait_until_listed_first(tab, "third", STEP_TIMEOUT)  # none runs: newest first
        settled(tab)
        expect(main.get_by_role("heading", name="third", exact=True)).to_be_visible()
        expect(main.get_by_test_id("stAlert").filter(has_text="AWS")).to_have_count(0)
        expect(main.get_by_text("The execution was stopped. Reason:")).to_be_visible()


def listed_names(tab) -> list[str]:
    """The runs table's run names, as shown."""
    return tab.evaluate(
        """() => [...document.querySelectorAll('[data-testid="stMain"] .rt tbody tr')]
            .map(row => row.cells[0].textContent)"""
    )


def test_a_refresh_leaves_the_rows_in_place_under_the_pointer(browser, colleague, tmp_path):
    # A refresh may move the rows (a run ending leaves the running runs' place at the top; sorted by
    # duration, a running run climbs), and a click about to land would show another run. While the
    # pointer is on the rows they stay in place (found in review, round 22); once it leaves, the
    # table's order is applied.
    older = colleague.start("older")
    colleague.stop(colleague.start("newer"))
    (tmp_path / "logs").mkdir()
    with streamlit_server(tmp_path / "home", tmp_path / "logs") as server, open_tab(browser) as tab:
        tab.goto(f"{server.url}/executions")
        wait_until_listed_first(tab, "older", STEP_TIMEOUT)  # running runs first
        assert listed_names(tab) == ["older", "newer"]
        tab.get_by_test_id("stMain").locator(".rt tbody tr").first.hover()

        colleague.stop(older)  # none runs now: newest first, but not under the pointer
        wait_until_row_reads(tab, "older", "ABORTED", SHOWS_WITHIN)
        settled(tab)
        assert listed_names(tab) == ["older", "newer"]

        tab.mouse.move(5, 5)  # the pointer leaves the table
        wait_until_listed_first(tab, "newer", STEP_TIMEOUT)
        assert listed_names(tab) == ["newer", "older"]


#: Which element has the keyboard's focus, and what it holds.
FOCUSED = "() => [document.activeElement?.getAttribute('aria-label'), document.activeElement?.value]"


def wait_until_row_reads(tab, name: str, status: str, timeout: int) -> None:
    """Wait until the runs table lists ``name`` with ``status`` (read without focusing the table:
    the keyboard stays where the user left it)."""
    tab.wait_for_function(
        """([name, status]) => {
            const rows = document.querySelectorAll('[data-testid="stMain"] .rt tbody tr');
            return [...rows].some(row =>
                row.cells[0].textContent === name && row.cells[1].textContent === status);
        }""",
        arg=[name, status],
        timeout=timeout,
    )


def test_typing_in_the_run_shown_box_survives_runs_starting_and_ending_elsewhere(
    browser, colleague, tmp_path
):
    # The box's part of the page was drawn in the page's own run while nothing ran and as a
    # refreshing fragment while a run went: the browser drew it anew when one became the other,
    # and what the user was typing into the box went, with the focus.
    with page_after_one_run(browser, colleague, tmp_path, "alpha") as tab:
        main = tab.get_by_test_id("stMain")
        main.get_by_role("combobox", name="Run shown").click()
        tab.keyboard.type("a")
        assert tab.evaluate(FOCUSED) == ["Run shown", "a"]

        colleague.start("charlie")  # keeps running: the page goes from idle to refreshing itself
        wait_until_row_reads(tab, "charlie", "RUNNING", SHOWS_WITHIN)
        settled(tab)
        assert tab.evaluate(FOCUSED) == ["Run shown", "a"]

        colleague.stop(colleague.started[-1])  # the last run ends: the page is drawn again, idle
        wait_until_row_reads(tab, "charlie", "ABORTED", STEP_TIMEOUT)
        settled(tab)
        assert tab.evaluate(FOCUSED) == ["Run shown", "a"]
        tab.keyboard.type("l")  # the search goes on where it was
        expect(tab.get_by_role("option", name=re.compile(r"^alpha · "))).to_be_visible()
        tab.keyboard.press("Escape")
        expect(main.get_by_role("heading", name="alpha", exact=True)).to_be_visible()  # still the one shown
