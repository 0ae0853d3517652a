"""A step change on Executions in a real browser at full scale: bench_browser_pages' Executions
part alone (issue 10, round 7: "a step change on Executions under 0.3 s in the browser").

    python -m benchmarks.bench_browser_executions                # 3 samples of each step change
    python -m benchmarks.bench_browser_executions --repeats 5

The same set-up as ``bench_browser_pages`` (its functions, not a copy): ``streamlit run app.py``
with a fresh ``RFM_STUDIO_HOME``, one chromium tab at 1400x900, the full-scale workbook uploaded
and loaded, two clustering runs (k = 4 and 5) and a price-regression run launched and watched
until they succeed; then the price run's steps are chosen in "Step (or click a state in the
graph)" (options 2, 3, 1, ``--repeats`` times), each timed from the click on the option to the
end of the rerun it caused, drawn, with the page's main-thread CPU seconds. The other pages'
changes are left out so that a before/after pair fits in a few minutes of a shared machine.
``--profile`` adds one step change under Chrome's sampling profiler and prints where the page's
main thread spent it; ``--profile-run`` four run changes in the "Run shown" box.
"""

from __future__ import annotations

import argparse
import functools
import os
import sys
import tempfile
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

from benchmarks import bench_browser_pages as pages
from benchmarks.common import REPO_ROOT, machine_note
from benchmarks.first_page_server import free_port, start_server, stop_server

#: As bench_browser_pages' watcher, but a change also ends once the details panel's heading (level
#: 4, the step's name) reads the option clicked: a fragment rerun that takes a few milliseconds on
#: the server can start and end within one React update, so the app's script state never shows
#: "running" in the DOM and the other watcher waits forever (seen with the step part alone).
WATCH_STEP = """(option) => {
  const app = document.querySelector('[data-testid="stApp"]');
  const frame = () => new Promise(done => requestAnimationFrame(() => done(performance.now())));
  const bench = window.__bench = {acted: null, ran: false, ended: null};
  const acted = () => { bench.acted ??= performance.now(); };
  document.addEventListener('click', acted, {capture: true, once: true});
  const shown = () => [...document.querySelectorAll('[data-testid="stMain"] h4')]
      .some(h => h.textContent.trim() === option);
  bench.done = new Promise(resolve => {
    const observer = new MutationObserver(async () => {
      if (app.getAttribute('data-test-script-state') === 'running') { bench.ran = true; }
      if (bench.acted !== null && bench.ended === null && shown()
          && app.getAttribute('data-test-script-state') !== 'running') {
        bench.ended = -1;
        observer.disconnect();
        await frame();
        bench.ended = await frame();
        resolve();
      }
    });
    observer.observe(document.body, {attributes: true, childList: true, subtree: true, characterData: true});
  });
}"""


def timed_step(tab: pages.Tab, what: str, index: int) -> pages.Change:
    """Click the ``index``-th step in the picker (its list opened first, untimed); seconds from
    the click to the frame after the panel shows that step and the rerun has ended."""
    option = tab.page.get_by_role("option").nth(index)
    tab.settled()
    pages.open_list(tab, pages.STEP_PICKER, option)()
    name = option.inner_text().strip()
    tab.page.evaluate(WATCH_STEP, name)
    cpu_before = tab.cpu()
    option.click()
    tab.page.wait_for_function("() => window.__bench.ended > 0", timeout=pages.TIMEOUT_MS, polling=100)
    acted, ended = tab.page.evaluate("() => [window.__bench.acted, window.__bench.ended]")
    change = pages.Change("Executions", what, (ended - acted) / 1000, tab.cpu() - cpu_before)
    tab.changes.append(change)
    print(
        f"  {'Executions':10} {what:42} {change.seconds:6.3f} s  CPU {change.cpu:6.3f} s"
        f"  (load average {os.getloadavg()[0]:.1f})",
        flush=True,
    )
    tab.settled()
    return change


def step_changes(tab: pages.Tab, repeats: int) -> None:
    """bench_browser_pages' Executions changes (options 2, 3, 1 of the price run's steps), each
    ended by :data:`WATCH_STEP`."""
    tab.open("Executions")
    for _ in range(repeats):
        for index in (1, 2, 0):
            timed_step(tab, f"step: option {index + 1}", index)


def profile_change(tab: pages.Tab, change: Callable[[], pages.Change], top: int = 15) -> list[str]:
    """``change`` made once more under Chrome's sampling profiler: the main thread's self time by
    function (the script file's name beside it), the largest first, as "(program)" is style and
    layout, "(garbage collector)" and "(idle)" what they say; then the same time by script file."""
    tab.devtools.send("Profiler.enable")
    tab.devtools.send("Profiler.setSamplingInterval", {"interval": 200})
    tab.devtools.send("Profiler.start")
    made = change()
    profile: dict[str, Any] = tab.devtools.send("Profiler.stop")["profile"]
    frames = {node["id"]: node["callFrame"] for node in profile["nodes"]}
    self_ms: Counter = Counter()
    file_ms: Counter = Counter()
    for node_id, delta in zip(profile["samples"], profile["timeDeltas"], strict=True):
        frame = frames[node_id]
        where = frame["url"].rsplit("/", 1)[-1].split("?")[0]
        self_ms[f"{frame['functionName'] or '(anonymous)'} {where}".strip()] += delta / 1000
        file_ms[where or frame["functionName"] or "(anonymous)"] += delta / 1000
    busy = sum(ms for name, ms in self_ms.items() if not name.startswith("(idle)"))
    lines = [
        f"  profiled change: {made.seconds:.3f} s, page CPU {made.cpu:.3f} s, sampled busy {busy:.0f} ms"
    ]
    lines += [
        f"    {ms:7.1f} ms  {name}" for name, ms in self_ms.most_common(top) if not name.startswith("(idle)")
    ]
    lines.append("  by script file")
    lines += [f"    {ms:7.1f} ms  {name}" for name, ms in file_ms.most_common(top) if name != "(idle)"]
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3, help="samples of each step change")
    parser.add_argument("--workbook", type=Path, default=pages.FULL_WORKBOOK, help="the data to load")
    parser.add_argument("--profile", action="store_true", help="then one step change under the profiler")
    parser.add_argument(
        "--profile-run", action="store_true", help="then run changes in the Run shown box under the profiler"
    )
    args = parser.parse_args(argv)
    pages.ensure_workbook(args.workbook)
    home = Path(tempfile.mkdtemp(prefix="rfm-bench-browser-executions-"))
    print(machine_note("streamlit", "playwright"), flush=True)
    from playwright.sync_api import sync_playwright

    server = start_server(REPO_ROOT, home, free_port())
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=pages.CHROMIUM, args=["--no-sandbox"])
            tab = pages.prepared_tab(browser, server.url, args.workbook)
            print(
                "\nStep changes: the click on the option -> the rerun it caused ended and drawn "
                f"(seconds; target < {pages.TARGET_SECONDS}); the page's main-thread CPU seconds",
                flush=True,
            )
            step_changes(tab, args.repeats)
            pages.print_summary(tab.changes)
            if args.profile:
                print("\nWhere the page's main thread spent one step change (self time)")
                step = functools.partial(
                    pages.timed_choice, tab, "Executions", "step: option 2 (profiled)", pages.STEP_PICKER, 1
                )
                for line in profile_change(tab, step):
                    print(line, flush=True)
            if args.profile_run:
                for index, what in ((1, "another"), (0, "back"), (1, "another"), (0, "back")):
                    print(f"\nWhere the page's main thread spent a run change ({what}, Run shown box)")
                    run = functools.partial(
                        pages.timed_choice,
                        tab,
                        "Executions",
                        f"run: {what} (profiled)",
                        pages.RUN_PICKER,
                        index,
                        charts=True,
                    )
                    for line in profile_change(tab, run):
                        print(line, flush=True)
            browser.close()
    finally:
        stop_server(server)
    return 0


if __name__ == "__main__":
    sys.exit(main())
