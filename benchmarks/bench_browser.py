"""First page and a Segments filter change in a real browser (Playwright, Debian's chromium).

    python -m benchmarks.bench_browser                    # this checkout
    python -m benchmarks.bench_browser --before DIR       # and another checkout, same run
    python -m benchmarks.bench_browser --before DIR --no-first-page   # filter changes only

For the floor (a one-line ``st.write("hi")`` app) and each checkout, one after the other:
``streamlit run app.py`` with a fresh ``RFM_STUDIO_HOME`` (each server once with an empty data
directory, "cold", and once more over the same directory, "warm": the definition cache filled;
``--first-page-runs N`` warm servers in turn), the page opened in a fresh browser context; the
time from the server answering ``/_stcore/health`` to the frame showing the Home page's heading,
and to the frame showing the whole page (its last section, after the backend's health check, and
the sidebar, drawn after the page), in the page's own clock (benchmarks/first_page.py), and the
whole page from the navigation's start (Playwright's new context and page come before it).
The heading alone was this script's figure until 2026-11-25 23:30: it was drawn before the page's
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
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from benchmarks import browser_widgets
from benchmarks import first_page as timeline
from benchmarks.common import OUT_DIR, REPO_ROOT, machine_note

CHROMIUM = "/usr/bin/chromium"
FULL_WORKBOOK = OUT_DIR / "online_retail_resampled_541909.xlsx"
TIMEOUT_MS = 600_000


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


def first_pages(browser, trees: dict[str, Path], homes: dict[str, Path], runs: int) -> dict:
    """Time the first page: the floor (a one-line app) and each tree in turn, once cold and
    ``runs`` times warm, each in a fresh browser context; print every sample and the warm
    medians. Returns the last warm server of each tree (kept running for the filter changes)."""
    print(
        "\nFirst page, fresh browser context: Home's heading / the whole Home drawn, ms from the "
        "server answering and (whole) from the navigation's start; target <= 1500"
    )
    trees = {"floor": timeline.floor_tree(), **trees}
    homes = {"floor": Path(tempfile.mkdtemp(prefix="rfm-bench-browser-floor-")), **homes}
    phases = ["cold"] + ["warm"] * runs
    warm: dict[str, list[timeline.Visit]] = {label: [] for label in trees}
    servers = {}
    for index, phase in enumerate(phases):
        for label, tree in trees.items():
            server = timeline.start_server(tree, homes[label], timeline.free_port())
            context = browser.new_context()
            visit = timeline.open_first_page(context, server, timeline.targets_of(label))
            context.close()
            if phase == "warm":
                warm[label].append(visit)
            print(
                f"  {label:6} {phase}: {first_page_figures(visit)}  (load average {os.getloadavg()[0]:.1f})"
            )
            if index < len(phases) - 1 or label == "floor":
                timeline.stop_server(server)
            else:
                servers[label] = (server.process, server.url)
    for label, visits in warm.items():
        medians = {
            name: statistics.median(v.marks[name] or float("nan") for v in visits)
            for name in ("heading", "whole page", "navigation start")
        }
        spans = statistics.median(
            (v.marks["whole page"] or 0) - (v.marks["navigation start"] or 0) for v in visits
        )
        heading = f"heading {medians['heading']:5.0f}  " if label != "floor" else f"{'':15}"
        print(
            f"  {label:6} warm medians of {len(visits)}: {heading}whole page {medians['whole page']:5.0f}"
            f"  from navigation start {spans:5.0f}",
            flush=True,
        )
    return servers


def widget_servers(trees: dict[str, Path], homes: dict[str, Path]) -> dict:
    """One server a tree for the filter changes alone (``--no-first-page``): no first-page samples."""
    servers = {}
    for label, tree in trees.items():
        server = timeline.start_server(tree, homes[label], timeline.free_port())
        servers[label] = (server.process, server.url)
    return servers


def first_page_figures(visit) -> str:
    """A sample's heading, whole page (ms from the server answering), and the whole page from
    the navigation's start (Playwright's new context and page come before it)."""
    marks = visit.marks
    heading = f"heading {marks['heading']:5.0f}  " if marks.get("heading") is not None else f"{'':15}"
    whole = marks.get("whole page")
    if whole is None:
        return heading + "whole page -"
    return f"{heading}whole page {whole:5.0f}  from navigation start {whole - marks['navigation start']:5.0f}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", type=Path, help="another checkout to measure in the same run")
    parser.add_argument(
        "--variant",
        action="append",
        default=[],
        metavar="LABEL=DIR",
        help="with --no-first-page: one more checkout measured in the same run, interleaved (repeatable)",
    )
    parser.add_argument("--no-filters", action="store_true", help="first page only")
    parser.add_argument(
        "--no-first-page", action="store_true", help="filter changes only (one warm server a checkout)"
    )
    parser.add_argument("--repeats", type=int, default=5, help="back-and-forth changes between seen choices")
    parser.add_argument(
        "--new-choices",
        type=int,
        default=5,
        choices=range(1, len(browser_widgets.MISSED_COUNTRIES) + 1),
        metavar=f"1-{len(browser_widgets.MISSED_COUNTRIES)}",
        help="countries chosen for the first time (cache misses), each then cleared",
    )
    parser.add_argument("--first-page-runs", type=int, default=1, help="warm first-page samples per checkout")
    args = parser.parse_args(argv)
    if not FULL_WORKBOOK.exists() and not args.no_filters:
        from benchmarks import make_full_workbook

        make_full_workbook.main([])
    trees = {"after": REPO_ROOT}
    if args.before:
        trees = {"before": args.before.resolve(), **trees}
    if args.variant and not args.no_first_page:
        parser.error("--variant needs --no-first-page (the first page compares before and after only)")
    for variant in args.variant:
        label, _, tree = variant.partition("=")
        if not label or not tree or label in trees:
            parser.error(f"--variant {variant!r}: give a new LABEL=DIR")
        trees = {
            **{k: v for k, v in trees.items() if k != "after"},
            label: Path(tree).resolve(),
            "after": REPO_ROOT,
        }
    homes = {label: Path(tempfile.mkdtemp(prefix=f"rfm-bench-browser-{label}-")) for label in trees}
    print(machine_note("streamlit", "playwright"), flush=True)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        if args.no_first_page:
            servers = widget_servers(trees, homes)
        else:
            servers = first_pages(browser, trees, homes, args.first_page_runs)
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
                changes = browser_widgets.filter_changes(
                    tabs, args.repeats, browser_widgets.print_change, args.new_choices
                )
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
