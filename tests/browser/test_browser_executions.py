"""The Executions page's runs table in chromium: after sorting by a column header, a click on a row
(or Enter on it) watches the run that row shows, and the table marks it.

The table sorts in the browser while the page's table keeps its own order, so a row's place on
screen and its place in the table the page picks from differ once sorted (the classic bug: a
position read against the wrong order). Real runs of the sample are listed newest first; sorting
by Name reverses that, so a pick read in the wrong order would watch another run. Which run a row
shows is read from the table's cells, never assumed.
"""

from __future__ import annotations

import contextlib
import re
import time
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError
from playwright.sync_api import expect
from support.browser_support import (
    STEP_TIMEOUT,
    Reruns,
    StreamlitServer,
    click_state,
    graph_state,
    open_tab,
    settled,
    streamlit_server,
)
from support.cluster_support import FinishedRuns, make_runs

from pipeline.workflows.clustering.parameters import ClusteringParameters
from pipeline.workflows.clustering.sweep_steps import PICK_STATE, SWEEP_STATE
from ui.executions import IDLE_REFRESH_SECONDS

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def finished(sample_xlsx, tmp_path_factory) -> FinishedRuns:
    """Three fixed-k runs and, newest, a run that swept k 2-4 (its graph has a Map state)."""
    runs = make_runs(
        tmp_path_factory.mktemp("executions-browser-home"),
        sample_xlsx,
        {
            **{f"k{k}": ClusteringParameters(k=k, quality_threshold=-1.0) for k in (2, 3, 4)},
            "sweep": ClusteringParameters(k_range=(2, 4), quality_threshold=-1.0),
        },
        read_results=False,
    )
    assert {d["status"] for d in runs.descriptions.values()} == {"SUCCEEDED"}, runs.descriptions
    return runs


@pytest.fixture(scope="module")
def server(finished, tmp_path_factory) -> Iterator[StreamlitServer]:
    with streamlit_server(finished.home, tmp_path_factory.mktemp("executions-logs")) as running:
        yield running


def shown_rows(tab) -> list[dict[str, Any]]:
    """The runs table's rows in the order the browser shows them: whether each is marked as the
    run shown, its name."""
    return tab.evaluate(
        """() => [...document.querySelectorAll('[data-testid="stMain"] .rt tbody tr')].map(row => ({
            shown: row.getAttribute('aria-current') === 'true', name: row.cells[0].textContent}))"""
    )


def shows_in_order(tab, expected: list[str], shown: str | None = None) -> None:
    """Wait until the table's first rows show the runs named ``expected``, in that order (and, given
    ``shown``, that run's row marked, the only one)."""
    tab.wait_for_function(
        """([expected, shown]) => {
            const rows = [...document.querySelectorAll('[data-testid="stMain"] .rt tbody tr')];
            const names = rows.map(row => row.cells[0].textContent);
            const marked = rows.filter(row => row.getAttribute('aria-current') === 'true')
                .map(row => row.cells[0].textContent);
            return expected.every((name, i) => names[i] === name)
                && (shown === null || (marked.length === 1 && marked[0] === shown));
        }""",
        arg=[expected, shown],
        timeout=STEP_TIMEOUT,
    )


def watched_run(tab) -> str:
    """The run the watch part shows: the heading above its full ARN."""
    main = tab.get_by_test_id("stMain")
    return main.get_by_role("heading", level=3).first.inner_text()


def test_a_click_on_a_row_after_sorting_watches_the_run_that_row_shows(browser, server, finished):
    started = {finished.arns[label]: d["startDate"] for label, d in finished.descriptions.items()}
    launched = sorted(finished.arns.values(), key=started.__getitem__)
    newest_first = [arn.rsplit(":", 1)[-1] for arn in reversed(launched)]
    by_name = sorted(newest_first)  # what sorting by the Name header shows
    # Rows whose run moves when sorted: a pick read in the wrong order would watch another run.
    moved = [position for position, name in enumerate(by_name) if newest_first[position] != name]
    assert len(moved) >= 2, (newest_first, by_name)
    arn_of = {arn.rsplit(":", 1)[-1]: arn for arn in finished.arns.values()}
    with open_tab(browser) as tab:
        reruns = Reruns(tab)
        tab.goto(f"{server.url}/executions")
        main = tab.get_by_test_id("stMain")
        rows = main.locator(".rt tbody tr")
        expect(rows.first).to_be_visible()
        settled(tab, STEP_TIMEOUT)
        shows_in_order(tab, newest_first, shown=newest_first[0])  # newest first, the newest watched
        assert watched_run(tab) == newest_first[0]

        # The idle page looks for runs started elsewhere every few seconds: its one fragment
        # (the new-runs watch) asks for its own reruns, told apart from the clicks' by its id.
        deadline = time.monotonic() + 3 * IDLE_REFRESH_SECONDS
        while not [fragment for fragment in reruns.sent if fragment] and time.monotonic() < deadline:
            tab.wait_for_timeout(100)
        watch_ids = {fragment for fragment in reruns.sent if fragment}
        assert len(watch_ids) == 1, reruns.sent

        name_header = main.locator(".rt thead th", has_text="Name")
        name_header.get_by_role("button").click()  # sort by Name
        shows_in_order(tab, by_name)
        expect(name_header).to_have_attribute("aria-sort", "ascending")

        for position in (moved[0], moved[-1]):
            name = shown_rows(tab)[position]["name"]
            assert name == by_name[position]
            asked = len(reruns.sent)
            rows.nth(position).click()
            expect(main.get_by_role("heading", name=name, exact=True)).to_be_visible(timeout=STEP_TIMEOUT)
            settled(tab, STEP_TIMEOUT)
            # The table is in the runs part's fragment (while nothing runs too, so the "Run shown"
            # box keeps what is typed in it when a run starts): the click asks for one run of that
            # fragment, whose callback on the server reruns the parts that show the run instead.
            clicked = [fragment for fragment in reruns.sent[asked:] if fragment not in watch_ids]
            assert len(clicked) == 1 and clicked[0] != "", reruns.sent[asked:]
            assert watched_run(tab) == name
            expect(main.get_by_test_id("stCode").filter(has_text=arn_of[name]).first).to_be_visible()
            # The table stays sorted, the row clicked marked (the only one).
            shows_in_order(tab, by_name, shown=name)

        # The keyboard: from the box, one Tab stop for the headers and one for the rows, the run
        # shown's; an arrow moves to the next row, Enter shows its run. The table never scrolls
        # sideways for a focused row (the Name column stays in view: found in review, round 22).
        shown_position = by_name.index(watched_run(tab))
        target = shown_position - 1 if shown_position else 1
        main.get_by_role("combobox", name="Run shown").focus()
        tab.keyboard.press("Tab")
        assert tab.evaluate("() => document.activeElement.closest('thead') !== null")
        tab.keyboard.press("Tab")
        assert tab.evaluate("() => document.activeElement.cells?.[0]?.textContent") == by_name[shown_position]
        tab.keyboard.press("ArrowUp" if target < shown_position else "ArrowDown")
        tab.keyboard.press("Enter")
        heading = main.get_by_role("heading", name=by_name[target], exact=True)
        expect(heading).to_be_visible(timeout=STEP_TIMEOUT)
        settled(tab, STEP_TIMEOUT)
        shows_in_order(tab, by_name, shown=by_name[target])
        assert tab.evaluate("() => document.activeElement.cells?.[0]?.textContent") == by_name[target]
        assert tab.evaluate("() => document.querySelector('.rt-scroll').scrollLeft") == 0

        # Another run chosen in the box moves the mark and keeps the sort; the idle look for new
        # runs that follows changes nothing.
        other = next(name for name in by_name if name != watched_run(tab))
        choose_in_run_shown(tab, other)
        assert watched_run(tab) == other
        shows_in_order(tab, by_name, shown=other)
        asked, deadline = len(reruns.sent), time.monotonic() + 3 * IDLE_REFRESH_SECONDS
        while len(reruns.sent) == asked and time.monotonic() < deadline:
            tab.wait_for_timeout(200)
        assert len(reruns.sent) > asked
        settled(tab, STEP_TIMEOUT)
        assert watched_run(tab) == other
        shows_in_order(tab, by_name, shown=other)


def map_box_text(tab) -> str:
    """The text drawn in the Map state's box of the workflow graph (its SVG, as shown)."""
    return " ".join(graph_state(tab, SWEEP_STATE).locator("text").all_text_contents())


def graph_drawn(tab) -> None:
    """Wait until the workflow graph's states are on the page."""
    expect(tab.locator(".st-key-exec_graph svg.workflow-graph g.state").first).to_be_visible(
        timeout=STEP_TIMEOUT
    )


def test_the_sweeps_graph_shows_its_map_counts_and_a_click_on_a_state_opens_its_details(
    browser, server, finished
):
    name = finished.arns["sweep"].rsplit(":", 1)[-1]
    with open_tab(browser, width=800) as tab:
        tab.goto(f"{server.url}/executions")  # the newest run, the sweep, is watched
        main = tab.get_by_test_id("stMain")
        expect(main.get_by_role("heading", name=name, exact=True)).to_be_visible()
        expect(main.get_by_role("heading", name=f"Map state: {SWEEP_STATE}")).to_be_visible()
        settled(tab, STEP_TIMEOUT)
        graph_drawn(tab)
        # The Map's box says how its iterations went: three ks, all done.
        assert map_box_text(tab) == f"{SWEEP_STATE} Map · 3/3 done"
        for state in (SWEEP_STATE, PICK_STATE):
            click_state(tab, state)
            # The details panel's heading is the state's name (level 4, under "Step details").
            expect(main.get_by_role("heading", name=state, exact=True, level=4)).to_be_visible()
            settled(tab, STEP_TIMEOUT)


def open_run_graph(tab, address: str, name: str):
    """Open ``address`` (a run's link), wait for the run ``name`` and its graph; the main area."""
    tab.goto(address)
    main = tab.get_by_test_id("stMain")
    expect(main.get_by_role("heading", name=name, exact=True)).to_be_visible()
    settled(tab, STEP_TIMEOUT)
    graph_drawn(tab)
    return main


def test_a_run_opened_from_its_link_shows_a_clicked_states_details(browser, server, finished):
    """A demo starts from a bookmark (?run=NAME of an older run): the graph's clicks still work."""
    name = finished.arns["k3"].rsplit(":", 1)[-1]
    with open_tab(browser, width=800) as tab:
        main = open_run_graph(tab, f"{server.url}/?run={name}", name)
        for state in ("Train KMeans", "Prepare RFM features"):
            click_state(tab, state)
            expect(main.get_by_role("heading", name=state, exact=True, level=4)).to_be_visible()
            settled(tab, STEP_TIMEOUT)
        assert f"run={name}" in tab.url


def test_a_click_on_another_state_right_after_a_click_shows_that_states_details(browser, server, finished):
    """Two states clicked one after the other, well within half a second: the second click is
    a click of its own. Plotly.js used to count it as a double click (its delay is 500 ms), whose
    reset replotted the graph and dropped the selection, so the second state's details never
    came (seen as a flake of the test above on a busy machine)."""
    name = finished.arns["k2"].rsplit(":", 1)[-1]
    with open_tab(browser, width=800) as tab:
        main = open_run_graph(tab, f"{server.url}/executions?run={name}", name)
        click_state(tab, "Train KMeans")
        click_state(tab, "Prepare RFM features")  # no wait for the first click's answer
        expect(main.get_by_role("heading", name="Prepare RFM features", exact=True, level=4)).to_be_visible()
        settled(tab, STEP_TIMEOUT)
        expect(main.get_by_role("heading", name="Prepare RFM features", exact=True, level=4)).to_be_visible()


def test_the_executions_address_with_a_run_opens_that_run_without_a_page_not_found_dialog(
    browser, server, finished
):
    """The address the app shows after a launch (/executions?run=NAME), bookmarked or shared,
    opens that run on Executions and keeps its address: no "Page not found" dialog over it."""
    name = finished.arns["k2"].rsplit(":", 1)[-1]
    with open_tab(browser) as tab:
        tab.goto(f"{server.url}/executions?run={name}")
        main = tab.get_by_test_id("stMain")
        expect(main.get_by_role("heading", name=name, exact=True)).to_be_visible()
        settled(tab, STEP_TIMEOUT)
        expect(tab.get_by_role("dialog")).to_have_count(0)
        assert tab.url.endswith(f"/executions?run={name}")


#: The states whose box the browser draws with the chosen state's thick outline (4 px).
OUTLINED = """() => [...document.querySelectorAll('.st-key-exec_graph g.state[data-state]')]
            .filter(state => parseFloat(getComputedStyle(state.querySelector('rect')).strokeWidth) >= 4)
            .map(state => state.getAttribute('data-state'))"""


def outlined_states(tab) -> list[str]:
    """The states outlined now (``OUTLINED``)."""
    return tab.evaluate(OUTLINED)


def outlined_once_settled(tab, expected: list[str]) -> list[str]:
    """The outlined states once they are ``expected``, or as they are when the wait gives up: the
    step part's style sheet that draws the outline can land after the graph on a busy machine."""
    with contextlib.suppress(Exception):  # the caller's assertion then says what is outlined instead
        tab.wait_for_function(
            "expected => { try { return JSON.stringify((" + OUTLINED + ")()) === JSON.stringify(expected); }"
            " catch (error) { return false; } }",
            arg=expected,
            timeout=STEP_TIMEOUT,
        )
    return outlined_states(tab)


def choose_in(tab, box: str, option) -> None:
    """Open the select box ``box`` (again if a rerun, such as the idle page's look for new runs,
    closed its list as it opened) and click ``option``."""
    for _ in range(3):
        tab.get_by_test_id("stMain").get_by_role("combobox", name=box).click()
        try:
            option.wait_for(timeout=5000)
            break
        except PlaywrightTimeoutError:
            tab.keyboard.press("Escape")
    option.click()


def choose_step(tab, state: str) -> None:
    """Choose ``state`` in the step picker."""
    choose_in(tab, "Step (or click a state in the graph)", tab.get_by_role("option", name=state, exact=True))


def test_the_graph_outlines_the_step_chosen_in_the_picker_or_by_a_click(browser, server, finished):
    """A step change redraws only the step part; the graph, drawn once, still outlines the chosen
    state, one at a time, whether it was chosen in the picker or by a click on its box."""
    name = finished.arns["k4"].rsplit(":", 1)[-1]
    with open_tab(browser) as tab:
        tab.goto(f"{server.url}/executions?run={name}")
        main = tab.get_by_test_id("stMain")
        expect(main.get_by_role("heading", name=name, exact=True)).to_be_visible()
        settled(tab, STEP_TIMEOUT)
        graph_drawn(tab)
        # a finished run opens on its end
        assert outlined_once_settled(tab, ["Clusters ready"]) == ["Clusters ready"]

        choose_step(tab, "Evaluate clusters")
        expect(main.get_by_role("heading", name="Evaluate clusters", exact=True, level=4)).to_be_visible()
        settled(tab, STEP_TIMEOUT)
        assert outlined_once_settled(tab, ["Evaluate clusters"]) == ["Evaluate clusters"]

        click_state(tab, "Train KMeans")
        expect(main.get_by_role("heading", name="Train KMeans", exact=True, level=4)).to_be_visible()
        settled(tab, STEP_TIMEOUT)
        assert outlined_once_settled(tab, ["Train KMeans"]) == ["Train KMeans"]


def choose_in_run_shown(tab, name: str) -> None:
    """Choose the run ``name`` in the "Run shown" box and wait for the page to show it."""
    main = tab.get_by_test_id("stMain")
    choose_in(tab, "Run shown", tab.get_by_role("option").filter(has_text=name).first)
    expect(main.get_by_role("heading", name=name, exact=True)).to_be_visible()
    settled(tab, STEP_TIMEOUT)
    graph_drawn(tab)


#: Tags the workflow graph's element, so a later look can tell whether the browser kept it.
TAG_GRAPH = """() => { document.querySelector('.st-key-exec_graph .wg-holder').__kept = true; }"""
GRAPH_KEPT = """() => document.querySelector('.st-key-exec_graph .wg-holder')?.__kept === true"""


def test_another_run_of_the_same_workflow_keeps_the_graph_drawn_and_a_click_there_still_works(
    browser, server, finished
):
    """The browser drew a Plotly chart whose id changed from scratch (~0.1 s of a run switch): the
    graph is one component for every run, which swaps in the run's SVG, even another workflow's."""
    names = {label: arn.rsplit(":", 1)[-1] for label, arn in finished.arns.items()}
    with open_tab(browser) as tab:
        main = open_run_graph(tab, f"{server.url}/?run={names['k4']}", names["k4"])
        timeline = main.get_by_role("img", name=re.compile(r"^Timeline of \d+ state visits: "))
        before = timeline.get_attribute("aria-label")
        tab.evaluate(TAG_GRAPH)

        choose_in_run_shown(tab, names["k3"])
        assert tab.evaluate(GRAPH_KEPT)  # the same element: not drawn again
        expect(timeline).not_to_have_attribute("aria-label", before or "")  # the timeline is k3's

        # A click on a state of this run shows it; back on k4, that click is not read there, and a
        # click on the same state selects it (a click is read once).
        click_state(tab, "Train KMeans")
        expect(main.get_by_role("heading", name="Train KMeans", exact=True, level=4)).to_be_visible()
        settled(tab, STEP_TIMEOUT)
        choose_in_run_shown(tab, names["k4"])
        expect(main.get_by_role("heading", name="Clusters ready", exact=True, level=4)).to_be_visible()
        click_state(tab, "Train KMeans")
        expect(main.get_by_role("heading", name="Train KMeans", exact=True, level=4)).to_be_visible()
        settled(tab, STEP_TIMEOUT)

        # The sweep's graph is another drawing (its Map state coloured): the same element, its SVG
        # swapped, and a click there works.
        choose_in_run_shown(tab, names["sweep"])
        expect(main.get_by_role("heading", name=f"Map state: {SWEEP_STATE}")).to_be_visible()
        assert tab.evaluate(GRAPH_KEPT)
        expect(graph_state(tab, SWEEP_STATE)).to_have_attribute("data-status", "succeeded")
        click_state(tab, PICK_STATE)
        expect(main.get_by_role("heading", name=PICK_STATE, exact=True, level=4)).to_be_visible()


def test_a_state_clicked_again_after_another_step_was_picked_shows_again(browser, server, finished):
    """A review clicked a state, picked another step in the picker, clicked the first state again,
    and saw nothing: the Plotly chart still held the first click, and took a click on a selected
    point as clearing it. A click is now read once, whatever was clicked before."""
    name = finished.arns["k4"].rsplit(":", 1)[-1]
    with open_tab(browser) as tab:
        main = open_run_graph(tab, f"{server.url}/executions?run={name}", name)
        click_state(tab, "Train KMeans")
        expect(main.get_by_role("heading", name="Train KMeans", exact=True, level=4)).to_be_visible()
        settled(tab, STEP_TIMEOUT)

        choose_step(tab, "Save model")
        expect(main.get_by_role("heading", name="Save model", exact=True, level=4)).to_be_visible()
        settled(tab, STEP_TIMEOUT)
        click_state(tab, "Train KMeans")
        expect(main.get_by_role("heading", name="Train KMeans", exact=True, level=4)).to_be_visible()


def test_a_click_on_a_state_the_run_never_reached_says_it_has_no_details(browser, server, finished):
    name = finished.arns["sweep"].rsplit(":", 1)[-1]  # a sweep never reaches "Train KMeans"
    with open_tab(browser) as tab:
        main = open_run_graph(tab, f"{server.url}/executions?run={name}", name)
        click_state(tab, "Train KMeans")
        said = "“Train KMeans” did not run in this execution, so it has no details."
        expect(main.get_by_text(said)).to_be_visible()
        expect(main.get_by_role("heading", name="Clusters ready", exact=True, level=4)).to_be_visible()


def _lab(rgb: tuple[int, int, int]) -> tuple[float, float, float]:
    """sRGB as CIE L*a*b* (D65): distances in it follow what the eye tells apart."""

    def linear(channel: int) -> float:
        value = channel / 255
        return value / 12.92 if value <= 0.04045 else ((value + 0.055) / 1.055) ** 2.4

    red, green, blue = (linear(channel) for channel in rgb)
    x = (0.4124 * red + 0.3576 * green + 0.1805 * blue) / 0.95047
    y = 0.2126 * red + 0.7152 * green + 0.0722 * blue
    z = (0.0193 * red + 0.1192 * green + 0.9505 * blue) / 1.08883

    def f(t: float) -> float:
        return t ** (1 / 3) if t > 0.008856 else 7.787 * t + 16 / 116

    return 116 * f(y) - 16, 500 * (f(x) - f(y)), 200 * (f(y) - f(z))


def _ground(cell) -> tuple[int, int, int]:
    """The colour most of a table cell's pixels have (its background, not its text)."""
    from io import BytesIO

    from PIL import Image

    image = Image.open(BytesIO(cell.screenshot())).convert("RGB")
    return max(image.getcolors(image.width * image.height))[1]


def test_the_run_shown_stands_out_in_the_light_and_the_dark_theme(browser, server, finished):
    # The run shown's row is tinted in the theme's red. On the dark theme's near-black the light
    # theme's 14% tint was a barely darker red: measured apart from the other rows in L*a*b*, it
    # is now at least as far as on the light theme, and far enough to be seen in a dark room.
    apart = {}
    for scheme in ("light", "dark"):
        with open_tab(browser) as tab:
            tab.emulate_media(color_scheme=scheme)
            tab.goto(f"{server.url}/executions")
            main = tab.get_by_test_id("stMain")
            shown = main.locator(".rt tbody tr[aria-current=true]")
            expect(shown).to_have_count(1, timeout=STEP_TIMEOUT)
            settled(tab, STEP_TIMEOUT)
            other = main.locator(".rt tbody tr:not([aria-current=true])").first
            marked, plain = _ground(shown.locator("td").nth(1)), _ground(other.locator("td").nth(1))
            dark = _lab(plain)[0] < 50  # L*: the page behind the rows
            assert dark == (scheme == "dark"), (scheme, plain)
            apart[scheme] = sum((a - b) ** 2 for a, b in zip(_lab(marked), _lab(plain), strict=True)) ** 0.5
    assert apart["light"] > 10, apart
    assert apart["dark"] > 20 and apart["dark"] >= apart["light"], apart
