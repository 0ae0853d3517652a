"""How long the server stops answering while a new browser session opens (issue 10, round 25).

    python -m benchmarks.bench_session_stall [--sessions 6]

Streamlit's file watcher (``server.fileWatcherType``, "auto" unless configured) ends each
session's first script run, and any run after a module was first imported, with a walk of every
imported module's path (``LocalSourcesWatcher.update_watched_modules``: 2,300+ modules here), on
the server's event loop: meanwhile no session gets a message and no click is taken in. The
benchmarks' servers never watched (``first_page_server`` turns it off); `streamlit run app.py`, as
the README starts the app, did until ``.streamlit/config.toml`` turned it off.

Two servers of this checkout, each over its own data directory: "watching" (the command line
sets ``--server.fileWatcherType auto``, as before) and "as configured" (the checkout's config).
Each is warmed by one session (its modules imported), then, in turns, ``--sessions`` times: a
fresh browser context opens Home while a thread asks the server's ``/_stcore/health`` every
10 ms; the figures are the longest wait for an answer from the navigation to 1.5 s after the
page's first run ended, and when that run ended (ms from the navigation's start).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

from benchmarks.bench_browser_pages import CHROMIUM
from benchmarks.common import machine_note
from benchmarks.first_page_server import free_port, start_server, stop_server

TREE = Path(__file__).resolve().parent.parent
#: The page's first run has ended: its script state left "running" (set before the page's scripts).
RUN_ENDED = """
window.__ended = null;
new MutationObserver(() => {
  const app = document.querySelector('[data-testid="stApp"]');
  if (!app || window.__ended !== null) return;
  const state = app.getAttribute('data-test-script-state');
  if (state === 'running') window.__ran = true;
  if (window.__ran && state === 'notRunning') window.__ended = performance.now();
}).observe(document, {subtree: true, attributes: true, childList: true});
"""


class HealthPoller:
    """Asks ``url``'s health check every 10 ms in a thread; keeps the longest wait for an answer."""

    def __init__(self, url: str) -> None:
        self.url = f"{url}/_stcore/health"
        self.longest = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._poll, daemon=True)

    def __enter__(self) -> HealthPoller:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _poll(self) -> None:
        while not self._stop.is_set():
            started = time.perf_counter()
            with urllib.request.urlopen(self.url, timeout=30) as response:
                response.read()
            self.longest = max(self.longest, time.perf_counter() - started)
            self._stop.wait(0.01)


def open_session(browser, url: str) -> tuple[float, float]:
    """A fresh context opens Home: (the longest health wait, the first run's end), in seconds."""
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    page = context.new_page()
    page.add_init_script(RUN_ENDED)
    with HealthPoller(url) as poller:
        page.goto(url)
        page.wait_for_function("() => window.__ended !== null", timeout=120_000)
        page.wait_for_timeout(1500)
    ended = page.evaluate("() => window.__ended") / 1000
    context.close()
    return poller.longest, ended


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=6, help="sessions opened on each server")
    args = parser.parse_args(argv)
    print(machine_note("streamlit", "playwright"), flush=True)
    from playwright.sync_api import sync_playwright

    kinds = {"watching": "auto", "as configured": None}
    servers = {}
    for kind, watcher in kinds.items():
        home = Path(tempfile.mkdtemp(prefix="rfm-bench-stall-"))
        servers[kind] = start_server(TREE, home, free_port(), watcher=watcher)
    samples: dict[str, list[tuple[float, float]]] = {kind: [] for kind in kinds}
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
            for server in servers.values():
                open_session(browser, server.url)  # imports done, caches filled: not counted
            print("\nA new session on Home: the server's longest silence; its first run ended (s)")
            for turn in range(args.sessions):
                order = list(kinds) if turn % 2 == 0 else list(reversed(kinds))
                for kind in order:
                    longest, ended = open_session(browser, servers[kind].url)
                    samples[kind].append((longest, ended))
                    line = f"  {kind:14} longest wait {longest:6.3f} s, first run ended {ended:6.3f} s"
                    print(line, flush=True)
            browser.close()
    finally:
        for server in servers.values():
            stop_server(server)
    print()
    medians = {}
    for kind, values in samples.items():
        longest = statistics.median(v for v, _ in values)
        ended = statistics.median(e for _, e in values)
        medians[kind] = longest
        print(f"  {kind:14} median longest wait {longest:.3f} s, first run ended {ended:.3f} s")
    ratio = medians["watching"] / max(medians["as configured"], 1e-3)
    print(f"  -> the server's longest silence while a session opens: {ratio:.1f}x shorter as configured")
    return 0


if __name__ == "__main__":
    sys.exit(main())
