"""Widget changes in a real browser, timed in the page's own clock (bench_browser's second part).

Each change is timed from the user's click (a capture-phase listener) to the animation frame
that shows the new Customers figure ("metric") and to everything drawn: the front end has
handled the run's end (the app's ``data-test-script-state`` is back to ``notRunning``, set when
the ``script_finished`` message is processed, after every delta of the run) and two more frames.
The waiting happens in the page (a MutationObserver resolving a promise that Playwright awaits
once), so no Playwright polling runs inside the timed window. Until round 4 the script polled
every 10 ms and waited for the status widget to be removed, which happens 200 ms after the run
ends (its exit transition): "all drawn" carried those 200 ms. Until round 6 the run's end was
read from the status widget alone, which a fragment's rerun never shows: "all drawn" was the
metric's frame and two more, and for a new choice (the chart and grid sent after the metrics,
once the server has built them) it could end before the chart and the grid were drawn.

Besides wall-clock seconds, each change reports the CPU seconds of the page's main thread
(Chrome's ``Performance.getMetrics`` in thread ticks: JavaScript, style, layout, paint). On a
shared machine the wall clock moves with the load; the CPU the page needs moves much less, so
it is the figure to compare before and after when the machine is busy.
"""

from __future__ import annotations

import os
import statistics
from dataclasses import dataclass
from pathlib import Path
from typing import Any

TIMEOUT_MS = 600_000
#: Countries chosen for the first time in the session (each a cache miss), in this order; the
#: first five by default (``--new-choices`` takes more, for more samples of a new choice).
MISSED_COUNTRIES = (
    "France", "Germany", "Spain", "Belgium", "Portugal",
    "Switzerland", "Italy", "Finland", "Norway", "Australia",
    "Austria", "Denmark", "Sweden", "Cyprus", "Netherlands",
)  # fmt: skip

#: Installs the watcher; ``window.__bench.done`` resolves once everything is drawn.
WATCH = """(before) => {
  const metricText = () => {
    const metric = [...document.querySelectorAll('[data-testid="stMetric"]')]
      .find(m => m.innerText.includes('Customers'));
    return metric ? metric.innerText : null;
  };
  // The run's end: the app's script state leaves "running" once the front end has handled the
  // script_finished message (a fragment's rerun never shows the status widget). The status
  // widget (its exit transition marks the end of a full run) is kept for older front ends.
  const running = () => {
    const app = document.querySelector('[data-testid="stApp"]');
    if (app !== null && app.getAttribute('data-test-script-state') === 'running') return true;
    const widget = document.querySelector('[data-testid="stStatusWidget"]');
    return widget !== null && !/StatusWidget-exit/.test(widget.className);
  };
  const frame = () => new Promise(done => requestAnimationFrame(() => done(performance.now())));
  const bench = window.__bench = {clicked: null, requested: null, shown: null, ended: null};
  // The rerun request: the first message the page sends after the click (a widget's new value
  // goes to the server as a rerun BackMsg). Wrapped once a page; reads the current __bench.
  if (!WebSocket.prototype.__benchSend) {
    const send = WebSocket.prototype.send;
    WebSocket.prototype.send = function (data) {
      const now = window.__bench;
      if (now && now.clicked !== null && now.requested === null) now.requested = performance.now();
      return send.call(this, data);
    };
    WebSocket.prototype.__benchSend = true;
  }
  document.addEventListener('click', () => { bench.clicked ??= performance.now(); },
                            {capture: true, once: true});
  bench.done = new Promise(resolve => {
    const check = async () => {
      if (bench.shown === null && metricText() !== null && metricText() !== before) {
        bench.shown = -1;
        bench.shown = await frame();
      }
      if (bench.shown > 0 && bench.ended === null && !running()) {
        bench.ended = -1;
        observer.disconnect();
        await frame();
        bench.ended = await frame();
        resolve();
      }
    };
    const observer = new MutationObserver(check);
    observer.observe(document.body, {subtree: true, childList: true, characterData: true,
                                     attributes: true,
                                     attributeFilter: ['class', 'data-test-script-state']});
  });
}"""


@dataclass
class Change:
    """One widget change as the user meets it (seconds from their click)."""

    what: str
    #: to the first frame showing the new Customers figure
    metric: float
    #: to the script run finished and two more frames (every chart and the table updated)
    settled: float
    #: CPU seconds of the page's main thread over the change (JavaScript, style, layout, paint)
    browser_cpu: float = float("nan")
    #: to the rerun request leaving the page (the widget's own work on the click)
    requested: float = float("nan")


@dataclass
class Tab:
    """A browser tab on one checkout's Segments page, with its DevTools session."""

    label: str
    page: Any
    main: Any
    devtools: Any


def settled(page) -> None:
    from playwright.sync_api import expect

    expect(page.get_by_test_id("stStatusWidget")).to_have_count(0, timeout=TIMEOUT_MS)


def main_thread_cpu(devtools) -> float:
    """CPU seconds the page's main thread has used so far (thread ticks)."""
    metrics = devtools.send("Performance.getMetrics")["metrics"]
    return next(metric["value"] for metric in metrics if metric["name"] == "ThreadTime")


def customers_figure(main) -> str:
    return main.get_by_test_id("stMetric").filter(has_text="Customers").first.inner_text()


def timed_change(tab: Tab, what: str, act) -> Change:
    """Install the watcher, do ``act()`` (which ends with the click), await the page's promise."""
    tab.page.evaluate(WATCH, customers_figure(tab.main))
    cpu_before = main_thread_cpu(tab.devtools)
    act()
    tab.page.evaluate("() => window.__bench.done")
    cpu = main_thread_cpu(tab.devtools) - cpu_before
    clicked, requested, shown, ended = tab.page.evaluate(
        "() => [window.__bench.clicked, window.__bench.requested, window.__bench.shown, window.__bench.ended]"
    )
    asked = (requested - clicked) / 1000 if requested is not None else float("nan")
    return Change(what, (shown - clicked) / 1000, (ended - clicked) / 1000, cpu, asked)


def open_segments(browser, label: str, url: str, workbook: Path) -> Tab:
    """A tab that has loaded ``workbook`` on the Data page and opened Segments."""
    from playwright.sync_api import expect

    page = browser.new_page(viewport={"width": 1400, "height": 900})
    page.set_default_timeout(TIMEOUT_MS)
    page.goto(url)
    settled(page)
    page.get_by_test_id("stSidebarNav").get_by_role("link", name="Data", exact=True).click()
    main = page.get_by_test_id("stMain")
    main.get_by_text("Upload", exact=True).click()
    main.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(str(workbook))
    expect(main.get_by_role("button", name="Load", exact=True)).to_be_enabled(timeout=TIMEOUT_MS)
    main.get_by_role("button", name="Load", exact=True).click()
    expect(main.get_by_role("heading", name="Active dataset")).to_be_visible(timeout=TIMEOUT_MS)
    settled(page)
    page.get_by_test_id("stSidebarNav").get_by_role("link", name="Segments", exact=True).click()
    expect(main.get_by_test_id("stMetric").filter(has_text="Customers").first).to_be_visible(
        timeout=TIMEOUT_MS
    )
    settled(page)
    devtools = page.context.new_cdp_session(page)
    devtools.send("Performance.enable", {"timeDomain": "threadTicks"})
    return Tab(label, page, main, devtools)


def choose_country(tab: Tab, country: str, what: str) -> Change:
    box = tab.main.get_by_role("combobox", name="Countries")
    box.click()
    box.fill(country)
    option = tab.page.get_by_role("option", name=country, exact=True)
    option.wait_for(timeout=TIMEOUT_MS)
    change = timed_change(tab, what, option.click)
    tab.page.keyboard.press("Escape")
    settled(tab.page)
    return change


def clear_countries(tab: Tab, what: str) -> Change:
    button = tab.main.get_by_role("button", name="Clear all").first
    change = timed_change(tab, what, button.click)
    settled(tab.page)
    return change


def filter_changes(tabs: list[Tab], repeats: int, report, new_choices: int = 5) -> dict[str, list[Change]]:
    """Countries changes on every tab, interleaved (each change of one checkout is followed by
    the same change of the other, the order flipped every round, so both see the same load):
    ``new_choices`` new choices (cache misses, five by default) each followed by clearing the
    filter, then ``repeats`` times France and cleared again (choices seen before)."""
    changes: dict[str, list[Change]] = {tab.label: [] for tab in tabs}
    rounds = [(country, f"+ {country} (new)") for country in MISSED_COUNTRIES[:new_choices]]
    rounds += [(MISSED_COUNTRIES[0], f"+ {MISSED_COUNTRIES[0]} (seen before)")] * repeats
    for number, (country, what) in enumerate(rounds):
        for tab in tabs if number % 2 == 0 else tabs[::-1]:
            for change in (choose_country(tab, country, what), clear_countries(tab, "cleared (seen before)")):
                changes[tab.label].append(change)
                report(tab.label, change)
    return changes


def print_change(label: str, change: Change) -> None:
    """One line a change, with the machine's load average at its end."""
    figures = (
        f"request {change.requested:.3f}  metric {change.metric:.3f}  drawn {change.settled:.3f}"
        f"  CPU {change.browser_cpu:.3f}"
    )
    print(f"  {label:6} {change.what:30} {figures}  (load average {os.getloadavg()[0]:.1f})", flush=True)


def summary(changes: list[Change]) -> list[str]:
    """Median lines for new choices and choices seen before."""
    lines = []
    for kind, chosen in (
        ("new choice (cache miss)", [c for c in changes if c.what.endswith("(new)")]),
        ("choice seen before (hit)", [c for c in changes if c.what.endswith("(seen before)")]),
    ):
        if chosen:
            metric = statistics.median(c.metric for c in chosen)
            drawn = statistics.median(c.settled for c in chosen)
            cpu = statistics.median(c.browser_cpu for c in chosen)
            asked = statistics.median(c.requested for c in chosen)
            lines.append(
                f"{kind:26} median of {len(chosen):2}: request {asked:.3f}  metric {metric:.3f}"
                f"  all drawn {drawn:.3f}  browser CPU {cpu:.3f}"
            )
            if kind.startswith("new"):
                samples = " ".join(f"{c.settled:.3f}" for c in chosen)
                lines.append(f"{'':26} every sample, all drawn: {samples}")
    return lines
