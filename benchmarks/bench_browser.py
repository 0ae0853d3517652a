"""First page and a Segments filter change in a real browser (Playwright, Debian's chromium).

    python -m benchmarks.bench_browser                    # this checkout
    python -m benchmarks.bench_browser --before DIR       # and another checkout, same run

For each checkout, one after the other: ``streamlit run app.py`` with a fresh ``RFM_STUDIO_HOME``
(each server once with an empty data directory, "cold", and once more over the same directory,
"warm": the definition cache filled; ``--first-page-runs N`` warm servers in turn); the time from
the server answering ``/_stcore/health`` to the Home page's heading shown, and to the whole page
drawn (its last section, after the backend's health check, and the sidebar, drawn after the page).
The heading alone was this script's figure until 2026-11-25 23:30: it is drawn before the page's
health check, so it said nothing of the rest of the page.

Then, in the last warm server of each checkout, the full-scale workbook (541,909 rows,
``benchmarks/out``; built by ``make_full_workbook`` if missing) is uploaded and loaded on the
Data page, Segments is opened, and Countries filter changes are timed, the checkouts
interleaved change by change (``benchmarks/browser_widgets.py``: what is timed and how).
Targets: first page within 1.5 s of the server answering; a filter change under 0.3 s.
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from benchmarks import browser_widgets
from benchmarks.common import OUT_DIR, REPO_ROOT, machine_note

CHROMIUM = "/usr/bin/chromium"
FULL_WORKBOOK = OUT_DIR / "online_retail_resampled_541909.xlsx"
TIMEOUT_MS = 600_000


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_server(tree: Path, home: Path) -> tuple[subprocess.Popen[bytes], str, float]:
    """The server, its URL, and the monotonic time it first answered its health check."""
    port = free_port()
    env = dict(os.environ, RFM_STUDIO_HOME=str(home), PYTHONPATH=str(tree))
    command = [sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true"]
    command += ["--server.port", str(port), "--server.address", "127.0.0.1"]
    command += ["--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none"]
    log = open(home / "streamlit.log", "ab")  # noqa: SIM115 - closed with the server
    process = subprocess.Popen(
        command, cwd=tree, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                if response.status == 200:
                    return process, url, time.monotonic()
        except OSError:
            pass
        if process.poll() is not None:
            raise RuntimeError(f"streamlit exited: see {home / 'streamlit.log'}")
        time.sleep(0.02)
    raise RuntimeError("streamlit did not answer within 300 s")


def stop_server(process: subprocess.Popen[bytes]) -> None:
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def settled(page) -> None:
    from playwright.sync_api import expect

    expect(page.get_by_test_id("stStatusWidget")).to_have_count(0, timeout=TIMEOUT_MS)


def first_page(browser, url: str, answered: float) -> tuple[float, float]:
    """Seconds from the server answering to the Home page's heading shown, and to the whole page
    drawn: its last section ("Next step", after the backend's health) and the sidebar's backend
    choice (drawn after the page), with the script run finished."""
    from playwright.sync_api import expect

    page = browser.new_page()
    page.goto(url)
    expect(page.get_by_role("heading", name="RFM Workflow Studio").first).to_be_visible(timeout=TIMEOUT_MS)
    heading = time.monotonic() - answered
    main = page.get_by_test_id("stMain")
    expect(main.get_by_role("heading", name="Next step")).to_be_visible(timeout=TIMEOUT_MS)
    expect(page.get_by_test_id("stSidebar").get_by_role("radiogroup")).to_be_visible(timeout=TIMEOUT_MS)
    settled(page)
    whole = time.monotonic() - answered
    page.close()
    return heading, whole


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", type=Path, help="another checkout to measure in the same run")
    parser.add_argument("--no-filters", action="store_true", help="first page only")
    parser.add_argument("--repeats", type=int, default=5, help="back-and-forth changes between seen choices")
    parser.add_argument("--first-page-runs", type=int, default=1, help="warm first-page samples per checkout")
    args = parser.parse_args(argv)
    if not FULL_WORKBOOK.exists() and not args.no_filters:
        from benchmarks import make_full_workbook

        make_full_workbook.main([])
    trees = {"after": REPO_ROOT}
    if args.before:
        trees = {"before": args.before.resolve(), **trees}
    homes = {label: Path(tempfile.mkdtemp(prefix=f"rfm-bench-browser-{label}-")) for label in trees}
    print(machine_note("streamlit", "playwright"), flush=True)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        print(
            "\nFirst page: server answering -> Home's heading / the whole Home drawn (seconds; target <= 1.5)"
        )
        servers = {}
        phases = ["cold"] + ["warm"] * args.first_page_runs
        for index, phase in enumerate(phases):
            for label, tree in trees.items():
                process, url, answered = start_server(tree, homes[label])
                heading, whole = first_page(browser, url, answered)
                load = os.getloadavg()[0]
                figures = f"heading {heading:.2f}  whole page {whole:.2f}"
                print(f"  {label:6} {phase}: {figures}  (load average {load:.1f})", flush=True)
                if index < len(phases) - 1:
                    stop_server(process)
                else:
                    servers[label] = (process, url)
        try:
            if not args.no_filters:
                print(
                    "\nSegments on 541,909 rows: the user's click on a Countries filter -> the frame showing "
                    "the new Customers figure, and -> everything drawn (seconds; target < 0.3); the page's "
                    "main-thread CPU seconds; checkouts interleaved"
                )
                tabs = [
                    browser_widgets.open_segments(browser, label, url, FULL_WORKBOOK)
                    for label, (_, url) in servers.items()
                ]
                changes = browser_widgets.filter_changes(tabs, args.repeats, browser_widgets.print_change)
                for label, done in changes.items():
                    for line in browser_widgets.summary(done):
                        print(f"  {label:6} {line}", flush=True)
                print(f"  load average now {os.getloadavg()[0]:.1f}", flush=True)
        finally:
            for process, _ in servers.values():
                stop_server(process)
            browser.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
