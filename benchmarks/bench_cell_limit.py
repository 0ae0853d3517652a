"""What the limit on one cell's length (``RFM_STUDIO_MAX_CELL_CHARS``) costs, per format.

The check (:func:`pipeline.loading.cell_limit.check_cell_lengths`) runs in ``normalise_tables``
on the columns the app keeps. For the 541,909-row file as CSV (make_scaled.py), xlsx
(make_full_workbook.py) and Parquet (make_scaled.py), the raw tables are read once, then
``normalise_tables`` is timed with the check and with the check replaced by a no-op, the two
alternating in one run (medians of ``--reps``), beside the read itself for scale.

    python -m benchmarks.bench_cell_limit [--reps 7] [--rows N]
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable

from benchmarks.common import machine_note, median_of, use_private_home
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
    return 0


def _check_only(tables: list, check: Callable) -> None:
    from pipeline.loading.dataset import match_columns
    from pipeline.loading.limits import max_cell_chars

    for table in tables:
        mapping, _ = match_columns(table.frame.columns)
        check({name: table.frame[name] for name in mapping.values()}, table.label, max_cell_chars())


if __name__ == "__main__":
    raise SystemExit(main())
