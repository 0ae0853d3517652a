"""The first page in a real browser, taken apart in the page's own clock (issue 10, round 4).

    python -m benchmarks.first_page [--before DIR] [--runs 3] [--profile DIR] [--switches]

For each tree (the floor, i.e. a one-line ``st.write("hi")`` app with this checkout's
``.streamlit/config.toml``; ``--before DIR``; this checkout), interleaved, ``--runs`` times: a
server started with ``benchmarks/probed_server.py`` (``streamlit run`` with its script runs
timed, see there) over a warm data directory (the definition cache filled by one untimed
server first), and the first page opened

- in a fresh browser context ("fresh": no HTTP cache, what a first visit meets), then in
  another fresh context on the same server ("second session"), and
- over a new server, in a persistent context that has seen the same address before
  ("returning": the same port each time, so Streamlit's immutable bundles come from the
  browser's cache).

The medians are in ms from the navigation's start (the page's own clock: what the user waits
through), and the navigation's start itself in ms from the server answering ``/_stcore/health``
(Playwright making the context and page; ``time.time()``, which ``performance.timeOrigin``
shares on one machine). Events: the document received, Streamlit's main bundle received,
DOMContentLoaded, the websocket made, opened and its first message, the server's script run
(start, first delta, first heading, last delta, end: ``probed_server``), the frame that shows
the page's first text, its heading, the whole page (its last section and the sidebar's backend
choice, drawn after the page) and the websocket's last message. "second session" opens the
page again in another fresh context on the same server: what users meet once a server has
drawn a page (modules imported, caches filled).

``--switches`` also times switching pages once warm (the bundled sample loaded): Home ->
Segments -> Launch, from the click on the sidebar's link (a capture-phase listener) to the frame
showing the new page's title and to the script run finished (status widget gone, two frames).
"""

from __future__ import annotations

import argparse
import atexit
import json
import os
import shutil
import statistics
import sys
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path

from benchmarks import first_page_steps
from benchmarks.common import REPO_ROOT, machine_note
from benchmarks.first_page_server import Server, first_script_run, free_port, start_server, stop_server
from benchmarks.first_page_switches import switch_pages

CHROMIUM = "/usr/bin/chromium"
TIMEOUT_MS = 600_000
FLOOR_APP = 'import streamlit as st\n\nst.write("hi")\n'

#: Installed before any page script: times of the websocket's life and of the frames that
#: first show the page's parts (a MutationObserver notes the change, the next animation frame
#: is when it is on screen). ``__fp.targets`` names the parts; every time is performance.now().
TIMELINE_SCRIPT = """(() => {
  const fp = window.__fp = {ws: [], marks: {}, wsCreated: null, wsOpen: null};
  const Native = window.WebSocket;
  window.WebSocket = class extends Native {
    constructor(...args) {
      super(...args);
      fp.wsCreated ??= performance.now();
      this.addEventListener('open', () => { fp.wsOpen ??= performance.now(); });
      this.addEventListener('message', (e) => {
        const size = e.data.byteLength ?? e.data.size ?? e.data.length ?? 0;
        fp.ws.push([performance.now(), size]);
      });
    }
  };
  const seen = (name) => {
    if (name in fp.marks) return;
    fp.marks[name] = -1;
    requestAnimationFrame(() => { fp.marks[name] = performance.now(); });
  };
  const headingIs = (root, text) => [...root.querySelectorAll('h1, h2, h3')]
    .some(h => h.textContent.trim() === text);
  const check = () => {
    const main = document.querySelector('[data-testid="stMain"]');
    if (!main) return;
    // textContent, not innerText: innerText lays the page out on every mutation, which cost the
    // measured page ~60 ms of its main thread (round 5's CPU profile).
    const text = main.textContent;
    if (text.trim().length > 0) seen('first element');
    const t = fp.targets || {};
    if (t.heading && headingIs(main, t.heading)) seen('heading');
    const sidebar = document.querySelector('[data-testid="stSidebar"]');
    const lastOk = (!t.last || headingIs(main, t.last)) && (!t.text || text.includes(t.text));
    const sidebarOk = (!t.sidebar || (sidebar && sidebar.querySelector('[role="radiogroup"]')))
      && (!t.sidebarText || (sidebar && headingIs(sidebar, t.sidebarText)))
      && (!t.sidebarBackend || (sidebar && sidebar.textContent.includes(t.sidebarBackend)));
    if (t.whole && lastOk && sidebarOk) seen('whole page');
  };
  new MutationObserver(check).observe(document, {subtree: true, childList: true, characterData: true});
})();"""

#: Home is whole with its "Next step" heading, the backend's health (the local backend's last
#: check says the definition "passes the engine's checks") and the sidebar's backend: its name,
#: which before round 7 was a radio's option (drawn once the radio's code had come) and is text since.
HOME_TARGETS = {
    "heading": "RFM Workflow Studio",
    "last": "Next step",
    "text": "passes the engine",
    "sidebarBackend": "Local engine (this machine)",
    "whole": True,
}
FLOOR_TARGETS = {"text": "hi", "whole": True}

#: The navigation's and the main bundle's timings, and what came from the browser's cache.
READ_TIMINGS = """() => {
  const nav = performance.getEntriesByType('navigation')[0];
  const resources = performance.getEntriesByType('resource');
  const bundle = resources.find(r => /static\\/js\\/index\\.[^/]*\\.js$/.test(r.name));
  const scripts = resources.filter(r => r.initiatorType === 'script' || r.name.endsWith('.js'));
  return {
    timeOrigin: performance.timeOrigin,
    response: nav.responseEnd, dcl: nav.domContentLoadedEventEnd, load: nav.loadEventEnd,
    bundle: bundle ? bundle.responseEnd : null,
    resources: resources.length,
    cached: resources.filter(r => r.transferSize === 0 && r.decodedBodySize > 0).length,
    jsBytes: scripts.reduce((sum, r) => sum + (r.decodedBodySize || 0), 0),
    wsCreated: window.__fp.wsCreated, wsOpen: window.__fp.wsOpen, ws: window.__fp.ws,
    marks: window.__fp.marks,
  };
}"""


@dataclass
class Visit:
    """One first page: ms from the server answering, by event name (None: did not happen)."""

    marks: dict[str, float | None] = field(default_factory=dict)
    #: CPU and work figures, load-independent: the server's script run, the page's main thread
    cpu: dict[str, float] = field(default_factory=dict)
    cached: int = 0
    resources: int = 0
    js_mb: float = 0.0


def open_first_page(context, server: Server, targets: dict) -> Visit:
    """Open the app's first page in ``context`` and wait for the whole page and the run's end."""
    from playwright.sync_api import expect

    page = context.new_page()
    page.add_init_script(TIMELINE_SCRIPT + f"\nwindow.__fp.targets = {json.dumps(targets)};")
    devtools = context.new_cdp_session(page)
    devtools.send("Performance.enable", {"timeDomain": "threadTicks"})
    page.goto(server.url)
    page.wait_for_function("() => window.__fp.marks['whole page'] > 0", timeout=TIMEOUT_MS, polling=20)
    expect(page.get_by_test_id("stStatusWidget")).to_have_count(0, timeout=TIMEOUT_MS)
    page.wait_for_timeout(300)  # messages after the run (none expected) would show here
    timings = page.evaluate(READ_TIMINGS)
    metrics = {m["name"]: m["value"] for m in devtools.send("Performance.getMetrics")["metrics"]}
    page.close()
    origin = timings["timeOrigin"] / 1000 - server.answered  # s from answered to navigation start

    def since_answered(ms: float | None) -> float | None:
        return None if ms is None or ms < 0 else origin * 1000 + ms

    marks: dict[str, float | None] = {"navigation start": origin * 1000}
    marks["document received"] = since_answered(timings["response"])
    marks["main bundle received"] = since_answered(timings["bundle"])
    marks["DOMContentLoaded"] = since_answered(timings["dcl"])
    marks["websocket created"] = since_answered(timings["wsCreated"])
    marks["websocket open"] = since_answered(timings["wsOpen"])
    messages = timings["ws"]
    marks["first message"] = since_answered(messages[0][0]) if messages else None
    run = first_script_run(server, since=timings["timeOrigin"] / 1000)
    for name in ("start", "first_delta", "first_heading", "last_delta", "end"):
        value = run.get(name)
        label = "script run " + name.replace("_", " ")
        marks[label] = None if value is None else (value - server.answered) * 1000
    for name in ("first element", "heading", "whole page"):
        marks[name] = since_answered(timings["marks"].get(name))
    marks["last message"] = since_answered(messages[-1][0]) if messages else None
    cpu = {"server script run CPU": run.get("cpu", float("nan")) * 1000}
    cpu.update(
        {label: metrics.get(name, float("nan")) * scale for label, (name, scale) in BROWSER_METRICS.items()}
    )
    cpu["websocket messages"] = len(messages)
    return Visit(marks, cpu, timings["cached"], timings["resources"], timings["jsBytes"] / 1e6)


#: The page's main-thread work for the whole visit (Chrome's Performance.getMetrics in thread
#: ticks, ms; DOM nodes as a count): what drawing the page costs whatever the machine's load.
BROWSER_METRICS = {
    "browser main thread CPU": ("ThreadTime", 1000),
    "  of which script": ("ScriptDuration", 1000),
    "  of which style": ("RecalcStyleDuration", 1000),
    "  of which layout": ("LayoutDuration", 1000),
    "DOM nodes": ("Nodes", 1),
}


def private_dir(prefix: str) -> Path:
    """A temporary folder removed when the benchmark exits."""
    path = Path(tempfile.mkdtemp(prefix=prefix))
    atexit.register(shutil.rmtree, path, ignore_errors=True)
    return path


def floor_tree() -> Path:
    """A checkout-like folder with the one-line app and this checkout's Streamlit config."""
    tree = private_dir("rfm-bench-floor-")
    (tree / "app.py").write_text(FLOOR_APP, encoding="utf-8")
    shutil.copytree(REPO_ROOT / ".streamlit", tree / ".streamlit")
    return tree


MARK_ORDER = (
    "navigation start",
    "document received",
    "main bundle received",
    "DOMContentLoaded",
    "websocket created",
    "websocket open",
    "first message",
    "script run start",
    "script run first delta",
    "script run first heading",
    "first element",
    "heading",
    "script run last delta",
    "script run end",
    "whole page",
    "last message",
)


def print_medians(title: str, visits: dict[str, list[Visit]]) -> None:
    """One line per event, one column per tree: the median over its visits, in ms from the
    navigation's start (the page's own clock); the first line is the navigation's start itself,
    in ms from the server answering (Playwright making the context and page, or an earlier visit)."""
    labels = list(visits)
    count = len(next(iter(visits.values())))
    print(f"\n{title} (ms from the navigation's start; medians of {count})")
    print("  " + f"{'':26}" + "".join(f"{label:>10}" for label in labels))
    for name in MARK_ORDER:
        cells = []
        for label in labels:
            values = []
            for visit in visits[label]:
                value, start = visit.marks.get(name), visit.marks["navigation start"]
                if value is not None and start is not None:
                    values.append(value if name == "navigation start" else value - start)
            cells.append(f"{statistics.median(values):10.0f}" if values else f"{'-':>10}")
        shown = "navigation start (from answered)" if name == "navigation start" else name
        print(f"  {shown:26}" + "".join(cells))
    for name in next(iter(visits.values()))[0].cpu:
        cells = []
        for label in labels:
            values = [v.cpu[name] for v in visits[label] if name in v.cpu and v.cpu[name] == v.cpu[name]]
            cells.append(f"{statistics.median(values):10.0f}" if values else f"{'-':>10}")
        print(f"  {name:26}" + "".join(cells))
    cached = "".join(f"{statistics.median(v.cached for v in visits[label]):10.0f}" for label in labels)
    print(f"  {'resources from the cache':26}" + cached)
    sizes = "".join(f"{statistics.median(v.js_mb for v in visits[label]):10.1f}" for label in labels)
    print(f"  {'JavaScript decoded (MB)':26}" + sizes)


def save_visits(path: Path, visits: dict[str, dict[str, list[Visit]]]) -> None:
    """Every visit's marks as JSON (kind -> tree -> list), to read the run again later."""
    data = {
        kind: {label: [asdict(v) for v in by_tree] for label, by_tree in per.items()}
        for kind, per in visits.items()
    }
    path.write_text(json.dumps(data, indent=1), encoding="utf-8")


def targets_of(label: str) -> dict:
    """What the first page's timeline watches for: the floor's one line, a step's parts
    (benchmarks/first_page_steps.py), or Home's parts."""
    if label == "floor":
        return FLOOR_TARGETS
    return first_page_steps.STEP_TARGETS.get(label, HOME_TARGETS)


def record(store: dict[str, list[Visit]], label: str, kind: str, run: int, visit: Visit) -> None:
    """Keep ``visit`` and print its headline figures with the load average."""
    store[label].append(visit)
    marks = visit.marks
    start = marks["navigation start"] or 0.0
    heading = marks.get("heading")
    whole = marks.get("whole page")
    shown = f"heading {heading:5.0f}  " if heading is not None else f"{'':15}"
    shown += f"whole page {whole:5.0f}" if whole is not None else "whole page     -"
    if whole is not None:
        shown += f"  (from navigation start {whole - start:5.0f})"
    load = os.getloadavg()[0]
    print(f"  run {run + 1} {label:8} {kind:15}: {shown} ms  (load average {load:.1f})", flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", type=Path, help="another checkout to measure in the same run")
    parser.add_argument(
        "--tree", action="append", default=[], metavar="LABEL=DIR", help="more checkouts (e.g. each step)"
    )
    parser.add_argument("--runs", type=int, default=3, help="samples per tree and kind of visit")
    parser.add_argument("--profile", type=Path, help="write each tree's first script run's pstats here")
    parser.add_argument("--switches", action="store_true", help="also time Home -> Segments -> Launch")
    parser.add_argument("--json", type=Path, help="write every visit's marks here")
    parser.add_argument(
        "--steps",
        nargs="?",
        const=",".join(first_page_steps.STEP_TARGETS),
        default="",
        metavar="STEP,...",
        help="also floors between the one-line app and Home (first_page_steps; all of them without a list)",
    )
    args = parser.parse_args(argv)
    trees = {"floor": floor_tree()}
    for step in filter(None, args.steps.split(",")):
        trees[step] = first_page_steps.write_tree(step, private_dir(f"rfm-bench-{step}-"))
    if args.before:
        trees["before"] = args.before.resolve()
    for item in args.tree:
        label, _, path = item.partition("=")
        trees[label] = Path(path).resolve()
    trees["after"] = REPO_ROOT
    homes = {label: private_dir(f"rfm-bench-fp-{label}-") for label in trees}
    ports = {label: free_port() for label in trees}
    print(machine_note("streamlit", "playwright"), flush=True)
    from playwright.sync_api import sync_playwright

    kinds = ("fresh", "second session", "returning")
    visits: dict[str, dict[str, list[Visit]]] = {kind: {label: [] for label in trees} for kind in kinds}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        profile_dirs = {label: private_dir(f"rfm-bench-fp-browser-{label}-") for label in trees}
        persistent = {
            label: playwright.chromium.launch_persistent_context(
                profile_dirs[label], executable_path=CHROMIUM, args=["--no-sandbox"]
            )
            for label in trees
        }
        try:
            # One untimed server a tree: fills the definition cache (cold start), the compiled
            # modules, and the persistent contexts' HTTP cache for their port.
            for label, tree in trees.items():
                server = start_server(tree, homes[label], ports[label])
                open_first_page(persistent[label], server, targets_of(label))
                stop_server(server)
            for run in range(args.runs):
                for label, tree in trees.items():
                    profile = None
                    if args.profile and run == 0:
                        args.profile.mkdir(parents=True, exist_ok=True)
                        profile = args.profile / f"{label}.pstats"
                    server = start_server(tree, homes[label], ports[label], profile)
                    for kind in ("fresh", "second session"):
                        context = browser.new_context()
                        visit = open_first_page(context, server, targets_of(label))
                        record(visits[kind], label, kind, run, visit)
                        context.close()
                    stop_server(server)
                    server = start_server(tree, homes[label], ports[label])
                    visit = open_first_page(persistent[label], server, targets_of(label))
                    record(visits["returning"], label, "returning", run, visit)
                    stop_server(server)
            if args.json:
                save_visits(args.json, visits)
            if args.runs > 0:
                print_medians("New server, fresh browser context (a first visit)", visits["fresh"])
                print_medians("The same server's second session, fresh context", visits["second session"])
                print_medians("New server, returning browser (same profile and address)", visits["returning"])
            if args.switches:
                print("\nSwitching pages once warm (ms from the click: title shown / run finished)")
                for label, tree in trees.items():
                    if label == "floor" or label in first_page_steps.STEP_TARGETS:
                        continue  # no pages to switch to
                    server = start_server(tree, homes[label], ports[label])
                    context = browser.new_context(viewport={"width": 1400, "height": 900})
                    for name, shown, done in switch_pages(context, server):
                        print(f"  {label:6} -> {name:9} title {shown:6.0f}  run finished {done:6.0f}")
                    context.close()
                    stop_server(server)
                print(f"  load average now {os.getloadavg()[0]:.1f}")
        finally:
            for context in persistent.values():
                context.close()
            browser.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
