"""Scoring RFM for a filter choice: the library path against the per-dataset index, in one run.

The pages score RFM for every (countries, date window, as-of) choice. The library path is
``compute_rfm(filter_transactions(clean, ...), as_of)``; the app's pages use
``pipeline.analysis.rfm_index.TransactionsIndex`` built once per dataset. For each choice of
the page benchmark (bench_pages.py) this prints both times, their ratio, and checks that the
tables are identical; then the index's build time and the memory it holds (tracemalloc).

    python -m benchmarks.bench_rfm_index --data benchmarks/out/online_retail_resampled_541909_x10.parquet
"""

from __future__ import annotations

import argparse
import sys
import time
import tracemalloc
from pathlib import Path

import pandas as pd

from benchmarks.common import machine_note, median_of, use_private_home


def main(argv: list[str] | None = None) -> int:
    """Command line: load and clean ``--data``, then time each choice both ways."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, required=True, help="an xlsx/csv/parquet file of transactions")
    parser.add_argument("--repeats", type=int, default=3, help="timings per choice and path (median)")
    args = parser.parse_args(argv)

    from pipeline.analysis import rfm
    from pipeline.analysis.rfm_index import TransactionsIndex
    from pipeline.loading import dataset as data

    use_private_home("rfm-bench-index-")
    print(machine_note("pandas", "numpy"), flush=True)
    clean, _ = data.clean_transactions(data.load_transactions(args.data, use_cache=False).transactions)
    last = clean["InvoiceDate"].max().normalize()
    middle = clean["InvoiceDate"].min() + (last - clean["InvoiceDate"].min()) / 2
    print(f"data: {args.data.name}, {len(clean):,} clean lines", flush=True)

    tracemalloc.start()
    started = time.perf_counter()
    index = TransactionsIndex(clean)
    built = time.perf_counter() - started
    held, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(
        f"index: built in {built:.2f} s, holds {held / 2**20:.0f} MiB (peak {peak / 2**20:.0f} MiB building)"
    )

    countries = [c for c in ("United Kingdom", "Germany") if c in index.countries] or list(
        index.countries[:2]
    )
    choices = {
        "country: one": {"countries": countries[:1]},
        "country: two": {"countries": countries},
        "date window: second half": {"start": middle.date(), "end": last.date()},
        "own as-of: next day": {
            "start": middle.date(),
            "end": last.date(),
            "as_of": last + pd.Timedelta(days=1),
        },
        "as-of: +30 days": {
            "start": middle.date(),
            "end": last.date(),
            "as_of": last + pd.Timedelta(days=30),
        },
        "all": {},
    }
    print(f"\n{'choice':<26} {'library s':>10} {'index s':>8} {'ratio':>6}  identical")
    for label, choice in choices.items():
        library, indexed = [], []
        for _ in range(args.repeats):
            started = time.perf_counter()
            expected = rfm.compute_rfm(
                rfm.filter_transactions(
                    clean, choice.get("countries"), choice.get("start"), choice.get("end")
                ),
                choice.get("as_of"),
            )
            library.append(time.perf_counter() - started)
            started = time.perf_counter()
            got = index.score(**choice)
            indexed.append(time.perf_counter() - started)
        same = got.table.equals(expected) and got.by_pairs
        slow, fast = median_of(library), median_of(indexed)
        print(f"{label:<26} {slow:>10.3f} {fast:>8.3f} {slow / fast:>5.0f}x  {same}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
