"""What the limit on one cell's length (``RFM_STUDIO_MAX_CELL_CHARS``) costs, per format.

The check (:func:`pipeline.loading.cell_limit.check_cell_lengths`) runs in ``normalise_tables``
on the columns the app keeps. For the 541,909-row file as CSV (make_scaled.py), xlsx
(make_full_workbook.py) and Parquet (make_scaled.py), the raw tables are read once, then
``normalise_tables`` is timed with the check and with the check replaced by a no-op, the two
alternating in one run (medians of ``--reps``), beside the read itself for scale.

With ``--before DIR`` (another checkout, e.g. ``git archive main`` unpacked), the whole load
(``load_transactions(path, use_cache=False)``: read, normalise, every check) of each file is
also timed in a fresh process of each checkout, the two alternating, imports not counted: what
all of round 7's load-time checks (cell length, date span, blank invoice numbers) cost together.

    python -m benchmarks.bench_cell_limit [--reps 7] [--rows N] [--before DIR]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from benchmarks.common import REPO_ROOT, machine_note, median_of, use_private_home
from benchmarks.make_full_workbook import FULL_ROWS, full_workbook
from benchmarks.make_scaled import scaled_file


def _seconds(action: Callable[[], object]) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=7)
    parser.add_argument("--rows", type=int, default=FULL_ROWS)
    parser.add_argument("--before", type=Path, help="another checkout to time whole loads against")
    args = parser.parse_args(argv)
    use_private_home()

    from pipeline.loading import dataset
    from pipeline.loading.readers import read_tables

    checked = dataset.check_cell_lengths
    files = {
        "csv": scaled_file(1, "csv", args.rows),
        "xlsx": full_workbook(args.rows),
        "parquet": scaled_file(1, "parquet", args.rows),
    }
    print(f"machine: {machine_note('pandas', 'pyarrow', 'fastexcel')}")
    for kind, path in files.items():
        data = path.read_bytes()
        read_s = _seconds(lambda: read_tables(data, path.name))  # noqa: B023 (called at once)
        tables = read_tables(data, path.name)
        with_check, without = [], []
        for _ in range(args.reps):
            dataset.check_cell_lengths = checked
            with_check.append(_seconds(lambda: dataset.normalise_tables(tables)))  # noqa: B023
            dataset.check_cell_lengths = lambda *args, **kwargs: 0
            without.append(_seconds(lambda: dataset.normalise_tables(tables)))  # noqa: B023
        dataset.check_cell_lengths = checked
        check_only = median_of([_seconds(lambda: _check_only(tables, checked)) for _ in range(args.reps)])  # noqa: B023
        on, off = median_of(with_check), median_of(without)
        print(
            f"{kind:8s} read {read_s:6.3f} s | normalise with check {on * 1000:7.1f} ms, without "
            f"{off * 1000:7.1f} ms ({on / off:.3f}x) | the check alone {check_only * 1000:6.2f} ms "
            f"({check_only / (read_s + off) * 100:.2f} % of read + normalise)"
        )
    if args.before is not None:
        print(f"whole load (use_cache=False) in a fresh process, medians of {args.reps}, after vs before:")
        for kind, path in files.items():
            after, before = [], []
            for _ in range(args.reps):
                after.append(_load_seconds(REPO_ROOT, path))
                before.append(_load_seconds(args.before.resolve(), path))
            on, off = median_of(after), median_of(before)
            runs = f"after {_listed(after)} | before {_listed(before)}"
            print(f"{kind:8s} after {on:6.3f} s, before {off:6.3f} s ({on / off:.3f}x) | {runs}")
    return 0


_LOAD = (
    "import sys, time\n"
    "from pipeline.loading.dataset import load_transactions\n"
    "started = time.perf_counter()\n"
    "load_transactions(sys.argv[1], use_cache=False)\n"
    "print(time.perf_counter() - started)\n"
)


def _listed(seconds: list[float]) -> str:
    return ", ".join(f"{value:.2f}" for value in seconds)


def _load_seconds(root: Path, path: Path) -> float:
    """One load of ``path`` by the checkout at ``root``, in a fresh process with an empty home."""
    with tempfile.TemporaryDirectory(prefix="rfm-bench-load-") as home:
        done = subprocess.run(
            [sys.executable, "-c", _LOAD, str(path)],
            cwd=root,
            env=os.environ | {"RFM_STUDIO_HOME": home, "PYTHONPATH": str(root)},
            capture_output=True,
            text=True,
            timeout=600,
            check=True,
        )
    return float(done.stdout.strip().splitlines()[-1])


def _check_only(tables: list, check: Callable) -> None:
    from pipeline.loading.dataset import match_columns
    from pipeline.loading.limits import max_cell_chars

    for table in tables:
        mapping, _ = match_columns(table.frame.columns)
        check({name: table.frame[name] for name in mapping.values()}, table.label, max_cell_chars())


if __name__ == "__main__":
    raise SystemExit(main())
