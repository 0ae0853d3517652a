"""Widget changes on every page in a real browser, at full scale (issue 10: "every widget change
on the full-scale data under 0.3 s in the browser, measured with Playwright, not only AppTest").

    python -m benchmarks.bench_browser_pages                 # 541,909 rows, 3 samples a change
    python -m benchmarks.bench_browser_pages --repeats 5

bench_pages times the same kinds of changes server side (AppTest); bench_browser times Segments'
filters in the browser. This script times, as the user meets them, the widgets of the other
pages: ``streamlit run app.py`` with a fresh ``RFM_STUDIO_HOME``, one chromium tab at 1400x900;
the full-scale workbook (``benchmarks/out``, built by ``make_full_workbook`` if missing) is
uploaded and loaded on the Data page; two clustering runs (k = 4 and 5) and one price-regression
run are launched from Launch and watched on Executions until they succeed (not timed: the run
latency has its own benchmark, bench_startup). Then, page by page, each change is timed from the
user's click (or key press, for a typed number) to the frame after the front end has handled the
end of the rerun it caused (the app's ``data-test-script-state`` went to "running" and back) and
one more frame: everything the rerun sent is drawn. Each change also reports the page's
main-thread CPU seconds (Chrome's thread ticks), the figure to compare when the machine is busy.

A change that is back and forth (k 5 -> 4 -> 5) is timed both ways; every change is done
``--repeats`` times, so the first of a kind (cache miss) and the rest (hits) both show.
Prices has one widget, the run to show: with ``--pages`` naming prices a second price run
(``SECOND_PRICE_RUN``) is launched in the set-up, so there is another run to choose. Its views
are tabs (round 9): each is opened from the one before (``view: <tab>``) and the run is switched
on each; a Prices change ends when its charts are drawn too (``Tab.timed(charts=True)``). A tree without
the tabs (``--app`` of an older commit) times the run switch alone.

Clusters and Prices also time their opening (``open: first`` in the tab, ``open: again`` after
another page): the sidebar click -> the run ended and every ``st.plotly_chart`` drawn (its SVG
is there, noted at each animation frame).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from benchmarks.common import OUT_DIR, REPO_ROOT, machine_note
from benchmarks.first_page_server import free_port, start_server, stop_server

CHROMIUM = "/usr/bin/chromium"
FULL_WORKBOOK = OUT_DIR / "online_retail_resampled_541909.xlsx"
TIMEOUT_MS = int(os.environ.get("RFM_BENCH_TIMEOUT_MS", 600_000))
TARGET_SECONDS = 0.3
STEP_PICKER = "Step (or click a state in the graph)"
#: The Executions page's run picker under the runs table.
RUN_PICKER = "Run shown"
THRESHOLD = "Quality threshold (silhouette)"
PRICES_HEADING = "Price predictions"
#: The second price run's number boxes, for Prices' run picker: another tree depth, and a threshold
#: it passes whatever the data (max_depth 3 missed the default 30 on the 3,000-row workbook).
SECOND_PRICE_RUN = {"Tree depth (max_depth)": 3, "RMSE threshold": 1000}

#: Installed before the app loads: the time of every websocket message the page receives, and of
#: the second animation frame after it (``drawn``: what that message changed is on screen).
MESSAGES = """(() => {
  const log = window.__messages = {received: [], drawn: []};
  const Native = window.WebSocket;
  window.WebSocket = class extends Native {
    constructor(...args) {
      super(...args);
      this.addEventListener('message', () => {
        const index = log.received.length;
        log.received.push(performance.now());
        requestAnimationFrame(() => requestAnimationFrame(() => { log.drawn[index] = performance.now(); }));
      });
    }
  };
})();"""

#: Notes the time of the user's next click or key press (capture phase: before any handler).
WATCH_ACTION = """() => {
  const bench = window.__bench = {acted: null};
  const acted = () => { bench.acted ??= performance.now(); };
  document.addEventListener('click', acted, {capture: true, once: true});
  document.addEventListener('keydown', acted, {capture: true, once: true});
}"""


#: Clusters' 3-D scenes in view: not the one drawn ahead in its parking spot (``ui.scene_component``).
SCENES_IN_VIEW = """() => [...document.querySelectorAll('.sc-holder')]
  .filter(holder => !holder.closest('#sc-parking'))"""

#: Installed just before a page is opened: the time of the last animation frame at which the number
#: of ``st.plotly_chart`` elements or of their drawn SVGs changed, or the workflow graph's component
#: (``ui.graph_component``) swapped in another SVG, or Clusters' 3-D scene in view
#: (``ui.scene_component``) finished a draw or was swapped for a scene drawn ahead: their scripts
#: do that after the render that brought the new data, a frame or more after the rest of the page.
#: The time is that of the next frame, once what changed is painted: a WebGL scene drawn in
#: software is painted 0.1-0.2 s after Plotly is done with it (round 23; before, the frame that saw
#: the change).
WATCH_CHARTS = (
    """() => {
  const scenesInView = """
    + SCENES_IN_VIEW
    + """;
  const svgs = () => [...document.querySelectorAll('.wg-holder')].map(holder => holder.wgSvg || '')
    .concat(scenesInView().map(holder => `${holder.getAttribute('data-drawn')} ${holder.scDraws || 0}`));
  const watch = window.__charts = {changed: performance.now(), seen: '', svgs: svgs()};
  const tick = () => {
    const charts = document.querySelectorAll('[data-testid="stPlotlyChart"]').length;
    const drawn = document.querySelectorAll('[data-testid="stPlotlyChart"] .main-svg').length;
    const seen = charts + ':' + drawn;
    const now = svgs();
    const swapped = now.length !== watch.svgs.length || now.some((svg, i) => svg !== watch.svgs[i]);
    if (watch.painting) {  // the frame after the one that saw it: what it drew is on the screen
      watch.changed = performance.now(); watch.painting = false;
    }
    if (seen !== watch.seen || swapped) {
      watch.seen = seen; watch.svgs = now; watch.changed = performance.now(); watch.painting = true;
    }
    requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
}"""
)

#: True when every ``st.plotly_chart`` of the page has its SVG, and every 3-D scene in view has drawn.
PLOTLY_CHARTS_DRAWN = (
    """() => [...document.querySelectorAll('[data-testid="stPlotlyChart"]')]
  .every(chart => chart.querySelector('.main-svg'))
  && ("""
    + SCENES_IN_VIEW
    + """)().every(holder => holder.scDrawn)"""
)

#: True when no 3-D scene has work to come or under way: Clusters draws its scene ahead while its
#: tab is closed (round 23), once the browser is idle, and asks the server for the figure, a
#: fragment run whose end is not a change's.
SCENES_SETTLED = """() => [...document.querySelectorAll('.sc-holder')]
  .every(holder => !holder.scBusy || !holder.scBusy())"""


@dataclass
class Change:
    """One widget change: seconds from the user's action to everything drawn, and browser CPU."""

    page: str
    what: str
    seconds: float
    cpu: float


class Tab:
    """The one browser tab the benchmark works in, with its DevTools session for CPU figures.

    A change ends with the rerun it caused: the server's ``script_finished`` message (read here
    from the websocket, in order) and the second frame after the page received it. The app's
    ``data-test-script-state`` attribute cannot say it: a fragment rerun of a few milliseconds
    starts and ends within one React update, so "running" never reaches the DOM. A run that ends
    with ``st.rerun()`` is not the end: the change ends with the run that follows.
    """

    def __init__(self, page: Any) -> None:
        self.page = page
        self.main = page.get_by_test_id("stMain")
        self.devtools = page.context.new_cdp_session(page)
        self.devtools.send("Performance.enable", {"timeDomain": "threadTicks"})
        self.changes: list[Change] = []
        #: the type of every message the page received, in order (as window.__messages counts them)
        self.received: list[str] = []
        page.on("websocket", lambda socket: socket.on("framereceived", self._read))

    def _read(self, payload: bytes | str) -> None:
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

        if isinstance(payload, str):
            self.received.append("text")
            return
        message = ForwardMsg()
        message.ParseFromString(payload)
        kind = message.WhichOneof("type") or ""
        if kind == "script_finished" and message.script_finished == ForwardMsg.FINISHED_EARLY_FOR_RERUN:
            kind = "script_rerun"  # st.rerun(): the change goes on in the run that follows
        self.received.append(kind)

    def run_finished_after(self, start: int) -> int:
        """The index of the first ``script_finished`` message received at or after ``start``: the
        end of the rerun a change caused, or of the last one when the first asked for another
        (``st.rerun()``: a click on an Executions row reruns its fragment, which reruns the app)."""
        deadline = time.monotonic() + TIMEOUT_MS / 1000
        while time.monotonic() < deadline:
            found = [i for i in range(start, len(self.received)) if self.received[i] == "script_finished"]
            if found:
                return found[0]
            self.page.wait_for_timeout(20)  # Playwright delivers websocket events while it waits
        raise RuntimeError("no script_finished message: the change started no rerun")

    def cpu(self) -> float:
        metrics = self.devtools.send("Performance.getMetrics")["metrics"]
        return next(metric["value"] for metric in metrics if metric["name"] == "ThreadTime")

    def settled(self, *, scenes: bool = True) -> None:
        """Wait for the script run to end and, with ``scenes``, for a 3-D scene's work ahead (not
        within a change's timing, whose CPU figure would then count work done a second later)."""
        from playwright.sync_api import expect

        expect(self.page.get_by_test_id("stStatusWidget")).to_have_count(0, timeout=TIMEOUT_MS)
        if scenes:
            self.page.wait_for_function(SCENES_SETTLED, timeout=TIMEOUT_MS)
        self.page.wait_for_function(
            "() => document.querySelector('[data-testid=\"stApp\"]')"
            ".getAttribute('data-test-script-state') !== 'running'",
            timeout=TIMEOUT_MS,
        )

    def timed_open(self, page: str, what: str, title: str, heading: str | None = None) -> Change:
        """Time opening a page from the sidebar: the click -> its run ended, every chart drawn."""
        from playwright.sync_api import expect

        self.settled()
        self.page.wait_for_timeout(300)
        start = len(self.received)
        self.page.evaluate(WATCH_CHARTS)
        self.page.evaluate(WATCH_ACTION)
        cpu_before = self.cpu()
        self.page.get_by_test_id("stSidebarNav").get_by_role("link", name=title, exact=True).click()
        expect(self.main.get_by_role("heading", name=heading or title, exact=True).first).to_be_visible(
            timeout=TIMEOUT_MS
        )
        index = self.run_finished_after(start)
        self.page.wait_for_function(f"() => window.__messages.drawn[{index}] > 0", timeout=TIMEOUT_MS)
        self.settled(scenes=False)
        self.page.wait_for_function(PLOTLY_CHARTS_DRAWN, timeout=TIMEOUT_MS)
        self.page.wait_for_timeout(300)  # a chart still arriving would change the watch's time
        acted, ended, charts = self.page.evaluate(
            f"() => [window.__bench.acted, window.__messages.drawn[{index}], window.__charts.changed]"
            ".map(t => performance.timeOrigin + t)"
        )
        return self._record(Change(page, what, (max(ended, charts) - acted) / 1000, self.cpu() - cpu_before))

    def _record(self, change: Change, detail: str = "") -> Change:
        """Keep ``change`` and print its line (``detail`` before the load average)."""
        self.changes.append(change)
        print(
            f"  {change.page:10} {change.what:42} {change.seconds:6.3f} s  CPU {change.cpu:6.3f} s"
            f"  ({detail}load average {os.getloadavg()[0]:.1f})",
            flush=True,
        )
        return change

    def open(self, title: str, heading: str | None = None) -> None:
        """Go to a page through the sidebar's navigation and wait for its run to end."""
        from playwright.sync_api import expect

        self.page.get_by_test_id("stSidebarNav").get_by_role("link", name=title, exact=True).click()
        name = heading or title
        expect(self.main.get_by_role("heading", name=name, exact=True).first).to_be_visible(
            timeout=TIMEOUT_MS
        )
        self.settled()

    def timed(
        self,
        page: str,
        what: str,
        act: Callable[[], None],
        before: Callable[[], None] | None = None,
        *,
        charts: bool = False,
    ) -> Change:
        """Do ``before()`` (e.g. open a select box's list), install the watcher, do ``act()`` (the
        click or key press that changes the widget), await the page. With ``charts`` the change
        ends no earlier than the last frame at which a chart came, went or got its SVG (as an
        opening does): a view tab of Clusters draws charts that were not there."""
        self.settled()
        if before is not None:
            before()
        self.page.wait_for_timeout(300)  # messages of the step before (a list opening) are in
        start = len(self.received)
        if charts:
            self.page.evaluate(WATCH_CHARTS)
        self.page.evaluate(WATCH_ACTION)
        cpu_before = self.cpu()
        act()
        try:
            index = self.run_finished_after(start)
        except RuntimeError as error:
            raise RuntimeError(f"{page}: {what}: {error}") from error
        self.page.wait_for_function(f"() => window.__messages.drawn[{index}] > 0", timeout=TIMEOUT_MS)
        if charts:
            self.settled(scenes=False)
            self.page.wait_for_function(PLOTLY_CHARTS_DRAWN, timeout=TIMEOUT_MS)
            self.page.wait_for_timeout(300)  # a chart still arriving would change the watch's time
        acted, finished, page_drawn, charts_changed = self.page.evaluate(
            f"() => [window.__bench.acted, window.__messages.received[{index}],"
            f" window.__messages.drawn[{index}], window.__charts ? window.__charts.changed : 0]"
            ".map(t => performance.timeOrigin + t)"
        )
        ended = max(page_drawn, charts_changed) if charts else page_drawn
        change = self._record(
            Change(page, what, (ended - acted) / 1000, self.cpu() - cpu_before),
            f"run ended {(finished - acted) / 1000:.3f} s, page drawn {(page_drawn - acted) / 1000:.3f} s"
            + (f", charts {(charts_changed - acted) / 1000:.3f} s" if charts else "")
            + "; ",
        )
        self.settled()
        return change


def load_workbook(tab: Tab, workbook: Path) -> None:
    """Upload ``workbook`` on the Data page and load it, as a user does."""
    from playwright.sync_api import expect

    tab.open("Data")
    tab.main.get_by_text("Upload", exact=True).click()
    tab.main.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(str(workbook))
    load = tab.main.get_by_role("button", name="Load", exact=True)
    expect(load).to_be_enabled(timeout=TIMEOUT_MS)
    load.click()
    expect(tab.main.get_by_role("heading", name="Active dataset")).to_be_visible(timeout=TIMEOUT_MS)
    tab.settled()


def set_number(tab: Tab, label: str, value: str) -> Callable[[], None]:
    """The action of typing ``value`` into the number box ``label`` and pressing Enter."""
    box = tab.main.get_by_role("spinbutton", name=label)

    def act() -> None:
        box.fill(value)
        box.press("Enter")

    return act


def open_list(tab: Tab, label: str, option: Any) -> Callable[[], None]:
    """The step before a choice: open the select box ``label`` until ``option`` is listed."""

    def before() -> None:
        for _ in range(3):  # a rerun arriving just then can close the list as it opens
            tab.main.get_by_role("combobox", name=label).click()
            try:
                option.wait_for(timeout=5000)
                return
            except Exception:
                tab.page.keyboard.press("Escape")
        option.wait_for(timeout=TIMEOUT_MS)

    return before


def timed_choice(tab: Tab, page: str, what: str, label: str, index: int, *, charts: bool = False) -> Change:
    """Time a click on the ``index``-th option of the select box ``label`` (its list opened first,
    untimed: run labels are long and made at run time, so options are taken by position)."""
    option = tab.page.get_by_role("option").nth(index)
    return tab.timed(page, what, option.click, before=open_list(tab, label, option), charts=charts)


def click_text(tab: Tab, scope: Any, text: str) -> Callable[[], None]:
    return lambda: scope.get_by_text(text, exact=True).click()


def launch_and_watch(tab: Tab, workflow: str, numbers: dict[str, int] | None = None) -> None:
    """Launch a run of ``workflow`` from Launch, its number boxes (label -> value) set first, and
    watch it on Executions until it succeeds."""
    from playwright.sync_api import expect

    tab.open("Launch")
    tab.main.get_by_test_id("stRadio").get_by_text(workflow, exact=True).click()
    tab.settled()
    for label, value in (numbers or {}).items():
        set_number(tab, label, str(value))()
        tab.settled()
    tab.main.get_by_role("button", name="Launch", exact=True).click()
    expect(tab.main.get_by_role("heading", name="Executions", exact=True).first).to_be_visible(
        timeout=TIMEOUT_MS
    )
    status = tab.main.get_by_test_id("stMetric").filter(has_text="Status")
    expect(status).to_contain_text("SUCCEEDED", timeout=TIMEOUT_MS)
    tab.settled()


def data_changes(tab: Tab, repeats: int) -> None:
    tab.open("Data")
    radio = tab.main.get_by_test_id("stRadio")
    for _ in range(repeats):
        for source in ("URL", "Upload"):
            tab.timed("Data", f"source: {source}", click_text(tab, radio, source))


def launch_changes(tab: Tab, repeats: int) -> None:
    tab.open("Launch")
    catalogue = tab.main.get_by_test_id("stRadio").filter(has_text="Price regression")
    catalogue.get_by_text("Customer clustering", exact=True).click()  # the last run launched was a price run
    tab.settled()
    for _ in range(repeats):
        tab.timed("Launch", "k: 4", set_number(tab, "Clusters (k)", "4"))
        tab.timed("Launch", "k: 5", set_number(tab, "Clusters (k)", "5"))
        tab.timed("Launch", "quality threshold: 0.20", set_number(tab, THRESHOLD, "0.20"))
        tab.timed("Launch", "quality threshold: 0.25", set_number(tab, THRESHOLD, "0.25"))
        k_mode = tab.main.get_by_test_id("stRadio").filter(has_text="Sweep a range of k")
        tab.timed("Launch", "k: sweep a range", click_text(tab, k_mode, "Sweep a range of k"))
        tab.timed("Launch", "k: fixed", click_text(tab, k_mode, "Fixed k"))
        for workflow in ("Price regression", "Customer clustering"):
            tab.timed("Launch", f"workflow: {workflow.lower()}", click_text(tab, catalogue, workflow))


#: Where a click on row ``n`` (0: the top one) of Streamlit's grid lands, from the grid's top left:
#: its selection box. The runs table was that grid before round 22; an A/B run against such a
#: tree clicks it there.
GRID_ROW_MARKER = (17, 36 + 17)
GRID_ROW_HEIGHT = 35


def timed_run_row(tab: Tab, what: str, row: int) -> Change:
    """Time a click on the runs table's row ``row`` (newest first; ``ui.runs_table_component``, or
    an older tree's grid), which watches that run, to its charts drawn; the table is scrolled into
    view first, untimed (the step changes before scrolled the page down)."""
    table = tab.main.locator(".rt tbody tr, [data-testid='stDataFrame']").first
    grid = tab.main.locator(".rt").count() == 0
    line = table if grid else tab.main.locator(".rt tbody tr").nth(row)

    def act() -> None:
        box = line.bounding_box()
        if grid:
            x, y = GRID_ROW_MARKER
            tab.page.mouse.click(box["x"] + x, box["y"] + y + GRID_ROW_HEIGHT * row)
        else:
            tab.page.mouse.click(box["x"] + 60, box["y"] + box["height"] / 2)

    return tab.timed("Executions", what, act, before=line.scroll_into_view_if_needed, charts=True)


def executions_changes(tab: Tab, repeats: int) -> None:
    tab.open("Executions")
    for _ in range(repeats):  # the newest run is selected: the price run; its steps in their order
        for index in (1, 2, 0):
            timed_choice(tab, "Executions", f"step: option {index + 1}", STEP_PICKER, index)
    for _ in range(repeats):  # the watched run: a clustering one (second newest), then the price run
        timed_run_row(tab, "run: another (a row of the table)", 1)
        timed_run_row(tab, "run: back", 0)
    for _ in range(repeats):  # the same two runs from the "Run shown" box
        timed_choice(tab, "Executions", "run: another (Run shown box)", RUN_PICKER, 1, charts=True)
        timed_choice(tab, "Executions", "run: back (Run shown box)", RUN_PICKER, 0, charts=True)


def timed_opens(tab: Tab, page: str, title: str, heading: str | None = None) -> None:
    """Open ``title`` for the first time in the tab, then again after another page."""
    tab.timed_open(page, "open: first", title, heading)
    tab.open("Executions")
    tab.timed_open(page, "open: again", title, heading)


#: Clusters' views before round 9: three tabs, every one drawn on every run (switched in the browser).
CLUSTERS_EVERY_VIEW_DRAWN = ["Clusters", "Customers", "Compare runs"]
SHARES = "Show each cluster's segments as shares"


def clusters_changes(tab: Tab, repeats: int) -> None:
    """Clusters' changes. Since round 9 the page draws only its open view (lazy tabs): each view
    tab is timed (it reruns the page), and the run switch on each view; the shares toggle on the
    segments' view; the run to compare with on the comparison's. A tree from before (``--app``),
    whose tabs are all drawn on every run, gets the changes it had: run switch, toggle, compare."""
    timed_opens(tab, "Clusters", "Clusters")
    views = tab.main.get_by_role("tab").all_inner_texts()
    if views == CLUSTERS_EVERY_VIEW_DRAWN:
        every_view_drawn_changes(tab, repeats)
        return
    shares = tab.main.get_by_text(SHARES, exact=True)
    for _ in range(repeats):
        for view in [*views[1:], views[0]]:  # back to the view the page opens on, at the end
            tab.timed("Clusters", f"view: {view}", click_tab(tab, view), charts=True)
            timed_choice(tab, "Clusters", f"run: the other one ({view})", "Succeeded run", 1, charts=True)
            timed_choice(tab, "Clusters", f"run: back ({view})", "Succeeded run", 0, charts=True)
            if tab.main.get_by_text(SHARES, exact=True).count():
                tab.timed("Clusters", "segments as shares: on", shares.click)
                tab.timed("Clusters", "segments as shares: off", shares.click)
    compare = next(view for view in views if view.startswith("Compare"))
    tab.timed("Clusters", f"view: {compare}", click_tab(tab, compare), charts=True)
    timed_choice(tab, "Clusters", "compare with: the other run", "Compare with", 0, charts=True)


def click_tab(tab: Tab, label: str) -> Callable[[], None]:
    return lambda: tab.main.get_by_role("tab", name=label, exact=True).click()


def every_view_drawn_changes(tab: Tab, repeats: int) -> None:
    """Clusters' changes before round 9 (every view drawn on every run)."""
    shares = tab.main.get_by_text(SHARES, exact=True)
    for _ in range(repeats):
        timed_choice(tab, "Clusters", "run: the other one", "Succeeded run", 1, charts=True)
        timed_choice(tab, "Clusters", "run: back", "Succeeded run", 0, charts=True)
        tab.timed("Clusters", "segments as shares: on", shares.click)
        tab.timed("Clusters", "segments as shares: off", shares.click)
    tab.main.get_by_role("tab", name="Compare runs").click()
    timed_choice(tab, "Clusters", "compare with: the other run", "Compare with", 0, charts=True)


#: Prices' view tabs (round 9), the first open at first; a tree without them (before) has none.
PRICES_VIEWS = ("Errors", "Predicted vs actual", "Importance", "Largest errors", "Predictions")


def timed_price_run(tab: Tab, what: str, index: int) -> Change:
    """Choose the ``index``-th run of Prices' picker (its list opened first, untimed)."""
    option = tab.page.get_by_role("option").nth(index)
    before = open_list(tab, "Succeeded run", option)
    return tab.timed("Prices", what, option.click, before=before, charts=True)


def prices_changes(tab: Tab, repeats: int) -> None:
    timed_opens(tab, "Prices", "Prices", PRICES_HEADING)
    for _ in range(repeats):  # the newest price run is selected: option 2 is the other one
        timed_price_run(tab, "run: the other one", 1)
        timed_price_run(tab, "run: back", 0)
    tabs = tab.main.get_by_role("tab")
    views = [view for view in PRICES_VIEWS if tabs.filter(has_text=view).count()]  # before: none
    for _ in range(repeats):  # each view opened from the one before, back to the first
        for view in views[1:] + views[:1]:
            tab.timed("Prices", f"view: {view}", click_tab(tab, view), charts=True)
            timed_price_run(tab, f"run: the other one ({view})", 1)
            timed_price_run(tab, f"run: back ({view})", 0)


#: Each page's widget changes, by the name --pages takes.
PAGE_CHANGES: dict[str, Callable[[Tab, int], None]] = {
    "data": data_changes,
    "launch": launch_changes,
    "executions": executions_changes,
    "clusters": clusters_changes,
    "prices": prices_changes,
}


def summary(changes: list[Change]) -> list[str]:
    """Per page: changes, median, slowest, how many under the target."""
    lines = []
    for page in dict.fromkeys(change.page for change in changes):
        mine = [change for change in changes if change.page == page]
        seconds = [change.seconds for change in mine]
        slowest = max(mine, key=lambda change: change.seconds)
        under = sum(value < TARGET_SECONDS for value in seconds)
        lines.append(
            f"  {page:10} {len(mine):3} changes  median {statistics.median(seconds):.3f} s  "
            f"slowest {slowest.seconds:.3f} s ({slowest.what})  "
            f"under {TARGET_SECONDS} s: {under}/{len(mine)}  "
            f"median CPU {statistics.median(change.cpu for change in mine):.3f} s"
        )
    return lines


def print_summary(changes: list[Change]) -> None:
    """The summary lines and the load average at the end."""
    print("\nSummary")
    for line in summary(changes):
        print(line)
    print(f"  load average now {os.getloadavg()[0]:.1f}", flush=True)


def ensure_workbook(workbook: Path) -> None:
    """Build the full-scale workbook (benchmarks/out) the first time it is asked for."""
    if workbook == FULL_WORKBOOK and not FULL_WORKBOOK.exists():
        from benchmarks import make_full_workbook

        make_full_workbook.main([])


def prepared_tab(
    browser: Any, url: str, workbook: Path, *, second_price_run: bool = False, more_k: Sequence[int] = ()
) -> Tab:
    """A tab on the app at ``url`` that has loaded ``workbook`` and watched three runs succeed
    (clustering with k = 4 and 5, one price run; with ``second_price_run`` another price run,
    ``SECOND_PRICE_RUN``; then a clustering run for each of ``more_k``), ready for widget changes
    on every page."""
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    page.set_default_timeout(TIMEOUT_MS)
    page.add_init_script(MESSAGES)  # before the app's websocket is made
    tab = Tab(page)
    page.goto(url)
    tab.settled()
    load_workbook(tab, workbook)
    runs = 3 + second_price_run + len(more_k)
    print(f"\nLoaded {workbook.name}; launching {runs} runs (not timed)", flush=True)
    launch_and_watch(tab, "Customer clustering", {"Clusters (k)": 4})
    launch_and_watch(tab, "Customer clustering", {"Clusters (k)": 5})
    launch_and_watch(tab, "Price regression")
    if second_price_run:
        launch_and_watch(tab, "Price regression", SECOND_PRICE_RUN)
    for k in more_k:
        launch_and_watch(tab, "Customer clustering", {"Clusters (k)": k})
    return tab


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3, help="samples of each change")
    parser.add_argument("--workbook", type=Path, default=FULL_WORKBOOK, help="the data to load")
    parser.add_argument(
        "--pages", default=",".join(PAGE_CHANGES), help=f"which pages' changes, of {','.join(PAGE_CHANGES)}"
    )
    parser.add_argument("--app", type=Path, default=REPO_ROOT, help="the app's tree (e.g. a git archive)")
    args = parser.parse_args(argv)
    pages = [PAGE_CHANGES[name] for name in args.pages.split(",")]
    ensure_workbook(args.workbook)
    home = Path(tempfile.mkdtemp(prefix="rfm-bench-browser-pages-"))
    print(machine_note("streamlit", "playwright"), flush=True)
    from playwright.sync_api import sync_playwright

    server = start_server(args.app, home, free_port())
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
            tab = prepared_tab(browser, server.url, args.workbook, second_price_run=prices_changes in pages)
            print(
                "\nWidget changes: the user's click or key press -> the rerun it caused ended and drawn "
                f"(seconds; target < {TARGET_SECONDS}); the page's main-thread CPU seconds",
                flush=True,
            )
            for changes in pages:
                changes(tab, args.repeats)
            print_summary(tab.changes)
            browser.close()
    finally:
        stop_server(server)
    return 0


if __name__ == "__main__":
    sys.exit(main())
