"""Two trees of the app side by side: a page's run switch in each, taken in turns (A B B A ...).

On this shared machine the same tree measured twice half an hour apart differed by as much as
any change did (benchmarks/README.md, round 13: a median of 0.55 s against 0.41 s). Here both
trees' servers run at once, each in its own tab of one chromium, and each sample of one tree is
taken next to a sample of the other, in A B B A order: a change in the machine's load falls on
both. The script prints each pair and the medians of both trees, and of the pairs' differences.

    python -m benchmarks.bench_ab_run_switch --a DIR --b DIR [--page executions|clusters|prices] [--pairs 12]
    python -m benchmarks.bench_ab_run_switch --a DIR --b DIR --page prices --view "Predicted vs actual"
    python -m benchmarks.bench_ab_run_switch --a DIR --b DIR --by row     # Executions: a click on a row

DIR is a tree of the app (``git archive`` of a commit, say). Each tab loads the workbook
(the full-scale one by default) and watches the same three runs succeed before the samples;
the run switch is a choice in Executions' "Run shown" box, or in Clusters' or Prices' "Succeeded
run" box on the view the page opens on (Profiles, Errors; ``--view`` opens another view tab first;
Prices gets a second price run), between
two runs (``--between``: by default the newest two, on Executions a price run and a clustering run;
``--more-k`` adds clustering runs, so Clusters' box can hold runs not next to each other).
On Executions ``--by row`` switches by a click on the runs table's row instead (the rows are in
the box's order). ``--gap`` waits before each sample, so what a switch leaves to be done once the
page is idle is done before the next (by default the samples follow each other at once).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from pathlib import Path

from benchmarks.bench_browser_pages import (
    CHROMIUM,
    FULL_WORKBOOK,
    PRICES_HEADING,
    RUN_PICKER,
    Tab,
    click_tab,
    ensure_workbook,
    prepared_tab,
    timed_choice,
    timed_run_row,
)
from benchmarks.common import machine_note
from benchmarks.first_page_server import free_port, start_server, stop_server

#: Milliseconds each tab waits, the page open, before its first sample.
LOOK_MS = 3000
#: Each page's title in the navigation, its heading and its run picker.
PAGES = {
    "executions": ("Executions", "Executions", RUN_PICKER),
    "clusters": ("Clusters", "Clusters", "Succeeded run"),
    "prices": ("Prices", PRICES_HEADING, "Succeeded run"),
}


def switch(tab: Tab, page: str, label: str, index: int, by: str = "box") -> tuple[float, float]:
    """One choice in the page's run box (the ``index``-th run), or with ``by="row"`` a click on
    Executions' runs table's ``index``-th row: seconds to everything drawn, CPU."""
    title, _, picker = PAGES[page]
    if by == "row":
        change = timed_run_row(tab, f"{label}: row {index + 1}", index)
    else:
        change = timed_choice(tab, title, f"{label}: run {index + 1}", picker, index, charts=True)
    return change.seconds, change.cpu


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--a", type=Path, required=True, help="the first tree (the 'before')")
    parser.add_argument("--b", type=Path, required=True, help="the second tree (the 'after')")
    parser.add_argument("--page", choices=sorted(PAGES), default="executions", help="whose run switch")
    parser.add_argument("--pairs", type=int, default=12, help="samples of each tree")
    parser.add_argument("--workbook", type=Path, default=FULL_WORKBOOK, help="the data to load")
    parser.add_argument(
        "--between",
        default="1,0",
        help="the two runs switched between, as places in the run box (Executions: 0 the price run, "
        "1 and 2 the clustering runs with k = 5 and 4; Clusters: 0 and 1 those two; Prices: 0 and 1 "
        "its two price runs)",
    )
    parser.add_argument("--view", help="a view tab of Clusters or Prices to open before the samples")
    parser.add_argument(
        "--more-k",
        default="",
        help="Clusters: more clustering runs, launched last (the newest in the box), one a k: '3,6' "
        "makes four, and --between 3,0 switches between runs that are not next to each other",
    )
    parser.add_argument(
        "--by", choices=("box", "row"), default="box", help="Executions: switch by the box or a row's click"
    )
    parser.add_argument(
        "--gap",
        type=float,
        default=0.0,
        help="seconds each tab waits before each of its samples: work a switch leaves for the page to "
        "do once idle (Clusters draws the closed 3-D tab's scene a second after it) is then done",
    )
    args = parser.parse_args(argv)
    if args.by == "row" and args.page != "executions":
        parser.error("--by row is Executions' runs table")
    first, second = (int(place) for place in args.between.split(","))
    more_k = [int(k) for k in args.more_k.split(",") if k.strip()]
    ensure_workbook(args.workbook)
    print(machine_note("streamlit", "playwright"), flush=True)
    from playwright.sync_api import sync_playwright

    servers = []
    try:
        for tree in (args.a, args.b):
            home = Path(tempfile.mkdtemp(prefix="rfm-bench-ab-"))
            servers.append(start_server(tree, home, free_port()))
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
            tabs = {
                name: prepared_tab(
                    browser, server.url, args.workbook, second_price_run=args.page == "prices", more_k=more_k
                )
                for name, server in zip("AB", servers, strict=True)
            }
            for name, tab in tabs.items():
                tab.open(*PAGES[args.page][:2])
                if args.view:
                    tab.timed(
                        PAGES[args.page][0],
                        f"{name}: view {args.view} (not counted)",
                        click_tab(tab, args.view),
                    )
                if second != 0:  # the page opens on the newest run: start from the second one
                    switch(tab, args.page, f"{name} (not counted)", second, args.by)
                # A user looks at the run before choosing another; work the page does meanwhile
                # (Clusters builds the next runs' 3-D scenes, round 21) is done by the first sample.
                tab.page.wait_for_timeout(LOOK_MS)
            samples: dict[str, list[tuple[float, float]]] = {"A": [], "B": []}
            print(
                "\nRun switches in turns (seconds to everything drawn; the page's main-thread CPU)",
                flush=True,
            )
            for pair in range(args.pairs):
                order = "AB" if pair % 2 == 0 else "BA"
                index = first if pair % 2 == 0 else second  # to the other run and back, both trees alike
                for name in order:
                    tabs[name].page.wait_for_timeout(args.gap * 1000)
                    samples[name].append(switch(tabs[name], args.page, name, index, args.by))
            browser.close()
    finally:
        for server in servers:
            stop_server(server)
    a, b = samples["A"], samples["B"]
    print(f"\nA = {args.a}\nB = {args.b}")
    for name, values in samples.items():
        seconds = [s for s, _ in values]
        cpu = [c for _, c in values]
        under = sum(s < 0.3 for s in seconds)
        print(
            f"  {name}: median {statistics.median(seconds):.3f} s (CPU {statistics.median(cpu):.3f} s), "
            f"{min(seconds):.3f}-{max(seconds):.3f} s, under 0.3 s: {under}/{len(seconds)}"
        )
    differences = [sb - sa for (sa, _), (sb, _) in zip(a, b, strict=True)]
    cpu_differences = [cb - ca for (_, ca), (_, cb) in zip(a, b, strict=True)]
    print(
        f"  B - A, pair by pair: median {statistics.median(differences):+.3f} s "
        f"(CPU {statistics.median(cpu_differences):+.3f} s); B faster in "
        f"{sum(d < 0 for d in differences)} of {len(differences)} pairs"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
