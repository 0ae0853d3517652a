"""First page and a Segments filter change in a real browser (Playwright, Debian's chromium).

    python -m benchmarks.bench_browser                    # this checkout
    python -m benchmarks.bench_browser --before DIR       # and another checkout, same run

For each checkout, one after the other: ``streamlit run app.py`` with a fresh ``RFM_STUDIO_HOME``
(each server once with an empty data directory, "cold", and once more over the same directory,
"warm": the definition cache filled); the time from the server answering ``/_stcore/health``
to the Home page drawn (its heading shown and its script run finished). Then, in the warm
server, the full-scale workbook (541,909 rows, ``benchmarks/out``; built by
``make_full_workbook`` if missing) is uploaded and loaded on the Data page, Segments is opened,
and three Countries filter changes are timed from the choice to the Customers figure showing
the new value (what the user waits for: the server's rerun, the websocket and the drawing).
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


def first_page(browser, url: str, answered: float) -> float:
    """Seconds from the server answering to the Home page drawn."""
    from playwright.sync_api import expect

    page = browser.new_page()
    page.goto(url)
    expect(page.get_by_role("heading", name="RFM Workflow Studio").first).to_be_visible(timeout=TIMEOUT_MS)
    settled(page)
    seconds = time.monotonic() - answered
    page.close()
    return seconds


def customers_figure(main) -> str:
    return main.get_by_test_id("stMetric").filter(has_text="Customers").first.inner_text()


def filter_changes(browser, url: str) -> list[tuple[str, float]]:
    """Load the full-scale workbook, open Segments, time three Countries changes."""
    from playwright.sync_api import expect

    page = browser.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    page.goto(url)
    settled(page)
    page.get_by_test_id("stSidebarNav").get_by_role("link", name="Data", exact=True).click()
    main = page.get_by_test_id("stMain")
    main.get_by_text("Upload", exact=True).click()
    main.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(str(FULL_WORKBOOK))
    expect(main.get_by_role("button", name="Load", exact=True)).to_be_enabled(timeout=TIMEOUT_MS)
    main.get_by_role("button", name="Load", exact=True).click()
    expect(main.get_by_role("heading", name="Active dataset")).to_be_visible(timeout=TIMEOUT_MS)
    settled(page)
    page.get_by_test_id("stSidebarNav").get_by_role("link", name="Segments", exact=True).click()
    expect(main.get_by_test_id("stMetric").filter(has_text="Customers").first).to_be_visible(
        timeout=TIMEOUT_MS
    )
    settled(page)
    timings = []
    for country in ("France", "Germany"):
        timings.append((f"Countries: + {country}", choose_country(page, main, country)))
    before = customers_figure(main)
    started = time.monotonic()
    main.get_by_role("button", name="Clear all").first.click()
    wait_for_change(main, before)
    timings.append(("Countries: cleared (seen before)", time.monotonic() - started))
    page.close()
    return timings


def choose_country(page, main, country: str) -> float:
    box = main.get_by_role("combobox", name="Countries")
    box.click()
    box.fill(country)
    option = page.get_by_role("option", name=country, exact=True)
    option.wait_for(timeout=TIMEOUT_MS)
    before = customers_figure(main)
    started = time.monotonic()
    option.click()
    wait_for_change(main, before)
    seconds = time.monotonic() - started
    page.keyboard.press("Escape")
    settled(page)
    return seconds


def wait_for_change(main, before: str) -> None:
    deadline = time.monotonic() + TIMEOUT_MS / 1000
    while customers_figure(main) == before:
        if time.monotonic() > deadline:
            raise RuntimeError("the Customers figure never changed")
        time.sleep(0.005)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", type=Path, help="another checkout to measure in the same run")
    parser.add_argument("--no-filters", action="store_true", help="first page only")
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
        print("\nFirst page: server answering -> Home drawn (seconds; target <= 1.5)")
        servers = {}
        for phase in ("cold", "warm"):
            for label, tree in trees.items():
                process, url, answered = start_server(tree, homes[label])
                seconds = first_page(browser, url, answered)
                print(f"  {label:6} {phase}: {seconds:.2f}", flush=True)
                if phase == "cold":
                    stop_server(process)
                else:
                    servers[label] = (process, url)
        try:
            if not args.no_filters:
                print(
                    "\nSegments on 541,909 rows: filter change -> Customers figure updated "
                    "(seconds; target < 0.3)"
                )
                for label, (_, url) in servers.items():
                    for what, seconds in filter_changes(browser, url):
                        print(f"  {label:6} {what:34} {seconds:.3f}", flush=True)
        finally:
            for process, _ in servers.values():
                stop_server(process)
            browser.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
