"""What parsing workbooks in a memory-limited child process costs, measured in one run.

Untrusted workbooks are parsed by fastexcel in a child process (``RLIMIT_AS``) that hands each
sheet back as an Arrow IPC file the parent memory-maps (pipeline/loading/workbook_sandbox.py).
This compares, alternating so both see the same machine load:

A. in-process: ``fastexcel.read_excel`` + ``load_sheet(...).to_arrow()`` + ``to_pandas`` (the
   reader as it was before the sandbox);
B. ``pipeline.loading.readers.read_excel``: the same parse in the child, plus its start-up, the
   IPC file written and memory-mapped back, and the same ``to_pandas``.

    python -m benchmarks.bench_xlsx_sandbox              # full 541,909-row workbook, 3 rounds
    python -m benchmarks.bench_xlsx_sandbox --rows 20000 # quick
"""

from __future__ import annotations

import argparse
import statistics
import time

from benchmarks.common import machine_note, use_private_home
from benchmarks.make_full_workbook import FULL_ROWS, full_workbook
from pipeline.loading.limits import current_limits
from pipeline.loading.readers import read_excel
from pipeline.loading.workbook_sandbox import _sheet_batch


def in_process(data: bytes) -> int:
    """The pre-sandbox reader: parse and convert in this process."""
    import fastexcel

    workbook = fastexcel.read_excel(data)
    frames = [_sheet_batch(workbook, name).to_pandas(date_as_object=False) for name in workbook.sheet_names]
    return sum(len(frame) for frame in frames)


def in_child(data: bytes) -> int:
    """The sandboxed reader, as load_transactions calls it."""
    return sum(len(table.frame) for table in read_excel(data, "bench.xlsx", current_limits()))


def main(rows: int, rounds: int) -> None:
    use_private_home()
    path = full_workbook(rows)
    data = path.read_bytes()
    print(f"machine: {machine_note('pandas', 'fastexcel', 'pyarrow')}")
    print(f"workbook: {path.name} ({len(data) / 1e6:.1f} MB), {rounds} alternating rounds")
    assert in_process(data) == in_child(data) == rows  # warm-up, and both read every row
    times: dict[str, list[float]] = {"in-process": [], "child": []}
    for _ in range(rounds):
        for label, reader in (("in-process", in_process), ("child", in_child)):
            started = time.perf_counter()
            reader(data)
            times[label].append(time.perf_counter() - started)
    a, b = (statistics.median(times[label]) for label in ("in-process", "child"))
    for label, name in (("in-process", "A in-process fastexcel"), ("child", "B child + Arrow IPC")):
        runs = ", ".join(f"{t:.2f}" for t in times[label])
        print(f"{name + ' (median):':<34}{statistics.median(times[label]):7.2f} s   runs: {runs}")
    print(f"  -> the sandbox costs {b - a:+.2f} s, B/A = {b / a:.2f}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=FULL_ROWS)
    parser.add_argument("--rounds", type=int, default=3)
    arguments = parser.parse_args()
    main(arguments.rows, arguments.rounds)
