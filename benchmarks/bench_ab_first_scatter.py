"""Two trees side by side: the first opening of Clusters' 3-D scatter in a new browser tab.

The 3-D scatter is the one view of Clusters that needs Plotly.js, which Streamlit loads the first
time a tab draws a Plotly chart (about 1.5 s of the browser's time here), and a WebGL scene, set up
on its first drawing. Profiles, the view Clusters opens on, is plain HTML, so the first opening of
the scatter paid for both. Each sample opens Clusters in a new browser context (a user's new tab),
looks at it for ``--look`` seconds, clicks the "3-D scatter" tab and times the click (as the page
saw it) to the second frame after the scene is drawn in view. Both trees' servers run at once on
copies of one data home, and their samples are taken in turns (A B B A ...), so a change in the
machine's load falls on both.

    python -m benchmarks.bench_ab_first_scatter --a DIR --b DIR --home HOME [--pairs 6] [--look 5]
    python -m benchmarks.bench_ab_first_scatter --a DIR --b DIR --home HOME --look 2.4 --tab Customers
    python -m benchmarks.bench_ab_first_scatter --a A --b B --home HOME --page prices --tab "Largest errors"

``--tab`` clicks another view's tab instead, timed to its grid drawn (``--drawn``, a CSS selector
in the open tab's panel): the scene drawn ahead takes the browser's main thread for a second or
more, a few seconds after landing (round 27), and a click then waits for it. ``--page prices``
lands on Prices instead (it opens on Errors, plain HTML; HOME then needs a price-regression run).

DIR is a tree of the app (``git archive`` of a commit, say); HOME an ``RFM_STUDIO_HOME`` holding
succeeded clustering runs (one that bench_browser_pages or the app made). A server builds a run's
scene once: each tree's first sample is printed apart from the others.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

from benchmarks.bench_browser_pages import CHROMIUM, TIMEOUT_MS
from benchmarks.common import machine_note
from benchmarks.first_page_server import free_port, start_server, stop_server

#: The scene is drawn and in view: the component's holder (``ui.scene_component``; since round 23
#: drawn ahead while its tab is closed, in a parking spot out of sight) or, in a tree without it, a
#: Plotly chart's SVG.
SCENE_DRAWN = """() => [...document.querySelectorAll('.sc-holder')]
  .some(holder => holder.scDrawn && !holder.closest('#sc-parking') && holder.offsetWidth > 0)
  || !!document.querySelector('[data-testid="stPlotlyChart"] .main-svg')"""


#: The time of the click, in the page (Playwright's own work before a click is not the user's wait).
CLICK_TIME = """() => document.addEventListener('pointerdown',
  () => { window.__clicked = performance.now(); }, {capture: true, once: true})"""
#: Seconds from the click to the second frame after the scene was seen drawn (it is on the screen).
PAINTED_AFTER_CLICK = """() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(
  () => done((performance.now() - window.__clicked) / 1000))))"""


#: The view tab clicked by default, and what ends a click on another: its element drawn in the
#: panel shown.
SCATTER_TAB = "3-D scatter"
VIEW_DRAWN = """selector => [...document.querySelectorAll('[data-testid="stTabs"] [role="tabpanel"]')]
  .some(panel => panel.offsetWidth > 0 && panel.querySelector(selector))"""


def first_opening(
    browser,
    url: str,
    look_ms: int,
    tab_name: str = SCATTER_TAB,
    drawn: str = '[data-testid="stDataFrame"]',
    app_page: str = "clusters",
) -> float:
    """Seconds from a click on the "3-D scatter" tab to its scene drawn, in a new context (or on
    ``tab_name``'s tab to its ``drawn`` element in view; on ``app_page``)."""
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    try:
        page = context.new_page()
        page.goto(f"{url}/{app_page}")
        tab = page.get_by_role("tab", name=tab_name, exact=True)
        tab.wait_for(timeout=TIMEOUT_MS)
        page.wait_for_timeout(look_ms)
        page.evaluate(CLICK_TIME)
        tab.click()
        if tab_name == SCATTER_TAB:
            page.wait_for_function(SCENE_DRAWN, timeout=TIMEOUT_MS, polling=10)
        else:
            page.wait_for_function(VIEW_DRAWN, arg=drawn, timeout=TIMEOUT_MS, polling=10)
        return page.evaluate(PAINTED_AFTER_CLICK)
    finally:
        context.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--a", type=Path, required=True, help="the first tree (the 'before')")
    parser.add_argument("--b", type=Path, required=True, help="the second tree (the 'after')")
    parser.add_argument("--home", type=Path, required=True, help="a data home with succeeded clustering runs")
    parser.add_argument("--pairs", type=int, default=6, help="samples of each tree")
    parser.add_argument("--look", type=float, default=5.0, help="seconds a user looks at Profiles first")
    parser.add_argument("--tab", default=SCATTER_TAB, help="the view tab clicked")
    parser.add_argument("--page", default="clusters", help="the page landed on (clusters, prices)")
    parser.add_argument(
        "--drawn",
        default='[data-testid="stDataFrame"]',
        help="with another --tab: the CSS selector of what ends the click, in the open tab's panel",
    )
    args = parser.parse_args(argv)
    print(machine_note("streamlit", "playwright"), flush=True)
    from playwright.sync_api import sync_playwright

    servers = []
    try:
        for tree in (args.a, args.b):
            home = Path(tempfile.mkdtemp(prefix="rfm-bench-scatter-")) / "home"
            shutil.copytree(args.home, home)
            servers.append(start_server(tree, home, free_port()))
        samples: dict[str, list[float]] = {"A": [], "B": []}
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
            print(
                f"\nThe {args.tab} tab first opened {args.look:g} s after landing on {args.page}", flush=True
            )
            for pair in range(args.pairs):
                for name in "AB" if pair % 2 == 0 else "BA":
                    server = servers["AB".index(name)]
                    seconds = first_opening(
                        browser, server.url, int(args.look * 1000), args.tab, args.drawn, args.page
                    )
                    samples[name].append(seconds)
                    print(f"  {name}: {seconds:.3f} s", flush=True)
            browser.close()
    finally:
        for server in servers:
            stop_server(server)
    print(f"\nA = {args.a}\nB = {args.b}")
    for name in "AB":
        first, rest = samples[name][0], samples[name][1:]
        line = f"  {name}: first sample (the server builds the scene) {first:.3f} s"
        if rest:
            line += f"; the others: median {statistics.median(rest):.3f} s, {min(rest):.3f}-{max(rest):.3f} s"
        print(line)
    differences = [b - a for a, b in zip(samples["A"], samples["B"], strict=True)]
    faster = sum(difference < 0 for difference in differences)
    print(
        f"  B - A, pair by pair: median {statistics.median(differences):+.3f} s; "
        f"B faster in {faster} of {len(differences)} pairs"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
