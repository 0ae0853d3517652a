"""CSV ingest, whole process: ``python -m pipeline rfm FILE.csv`` against the floor script.

The file is the 541,909-row resampled data written as the UCI CSV copies are (make_scaled.py:
month-first dates "12/1/2010 8:26", Latin-1). Each repetition runs, one after the other in a
fresh process each:

- the floor, benchmarks/floor_rfm.py: pyarrow's CSV reader told the encoding, column types
  and date format, the cleaning rules, a pandas groupby for R, F, M (no checks, no cache);
- ``python -m pipeline rfm FILE`` of this checkout, with an empty ``RFM_STUDIO_HOME`` (so it
  parses the file, writes its cache entry and prints the report and segments);
- with ``--before DIR``, the same command from another checkout (e.g. ``git archive main``
  unpacked in DIR), for before/after figures measured in the same run.

The order rotates between repetitions; medians are compared (target: pipeline <= 1.3x the
floor). Then one run of each under ``python -X importtime`` gives the import time of the
whole process and whether the rfm command imported modules it does not use.

    python -m benchmarks.bench_csv [--reps 7] [--before DIR] [--rows N]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.common import REPO_ROOT, machine_note, median_of
from benchmarks.make_full_workbook import FULL_ROWS
from benchmarks.make_scaled import scaled_file

TARGET_RATIO = 1.3
#: Modules the rfm command has no use for (the app, AWS, the SDK, KMeans, xlsx readers).
UNUSED_BY_RFM = (
    "streamlit",
    "plotly",
    "boto3",
    "botocore",
    "stepfunctions",
    "sagemaker",
    "sklearn",
    "openpyxl",
    "fastexcel",
)
TIMEOUT_SECONDS = 600


def floor_command(path: Path) -> tuple[list[str], Path]:
    """The floor script's command line and working directory."""
    return [sys.executable, "-m", "benchmarks.floor_rfm", str(path)], REPO_ROOT


def pipeline_command(path: Path, root: Path) -> tuple[list[str], Path]:
    """``python -m pipeline rfm`` of the checkout at ``root``."""
    return [sys.executable, "-m", "pipeline", "rfm", str(path)], root


def timed_run(command: list[str], cwd: Path, *, extra_env: dict[str, str] | None = None) -> float:
    """Wall seconds of one fresh process, with an empty data directory; raises if it failed."""
    with tempfile.TemporaryDirectory(prefix="rfm-bench-csv-") as home:
        env = os.environ | {"RFM_STUDIO_HOME": home, "PYTHONPATH": str(cwd)} | (extra_env or {})
        started = time.perf_counter()
        result = subprocess.run(
            command, cwd=cwd, env=env, capture_output=True, text=True, timeout=TIMEOUT_SECONDS
        )
        seconds = time.perf_counter() - started
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed ({result.returncode}): {result.stderr[-2000:]}")
    return seconds


def import_profile(command: list[str], cwd: Path) -> tuple[float, set[str]]:
    """Seconds spent importing (top-level imports of ``-X importtime``) and the modules imported."""
    with tempfile.TemporaryDirectory(prefix="rfm-bench-csv-") as home:
        env = os.environ | {"RFM_STUDIO_HOME": home, "PYTHONPATH": str(cwd)}
        result = subprocess.run(
            [command[0], "-X", "importtime", *command[1:]],
            cwd=cwd,
            env=env,
            capture_output=True,
            text=True,
            timeout=TIMEOUT_SECONDS,
            check=True,
        )
    total_us, modules = 0, set()
    for line in result.stderr.splitlines():
        if not line.startswith("import time:") or "cumulative" in line:
            continue
        _, cumulative, name = line.removeprefix("import time:").split("|")
        modules.add(name.strip())
        if not name.startswith("  "):  # a top-level import: its cumulative time includes its children
            total_us += int(cumulative)
    return total_us / 1e6, modules


def main(argv: list[str] | None = None) -> int:
    """Build the CSV if needed, time every variant ``--reps`` times, print medians and ratios."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=7)
    parser.add_argument("--rows", type=int, default=FULL_ROWS, help="rows of the CSV")
    parser.add_argument("--before", type=Path, help="another checkout to time as 'before'")
    args = parser.parse_args(argv)

    path = scaled_file(1, "csv", args.rows)
    print(f"bench_csv: {machine_note('pandas', 'pyarrow', 'numpy')}")
    print(f"file: {path.name} ({path.stat().st_size / 1e6:.1f} MB, Latin-1, month-first dates)")
    path.read_bytes()  # into the page cache before anything is timed

    variants = {"floor script": floor_command(path), "pipeline rfm": pipeline_command(path, REPO_ROOT)}
    if args.before is not None:
        variants["pipeline rfm, before"] = pipeline_command(path, args.before.resolve())
    for command, cwd in variants.values():  # one untimed run each: byte-compiled, caches warm
        timed_run(command, cwd)

    times: dict[str, list[float]] = {name: [] for name in variants}
    names = list(variants)
    for rep in range(args.reps):
        for name in names[rep % len(names) :] + names[: rep % len(names)]:
            times[name].append(timed_run(*variants[name]))

    print(f"\nwhole process, {args.reps} repetitions each (seconds), order rotating:")
    medians = {}
    for name, values in times.items():
        medians[name] = median_of(values)
        print(f"  {name:<22} {', '.join(f'{v:.2f}' for v in values)}   median {medians[name]:.2f}")
    floor = medians["floor script"]
    ratio = medians["pipeline rfm"] / floor
    verdict = "met" if ratio <= TARGET_RATIO else "MISSED"
    print(f"  -> pipeline rfm / floor: {ratio:.2f}x (target <= {TARGET_RATIO}x: {verdict})")
    if args.before is not None:
        before = medians["pipeline rfm, before"]
        after = medians["pipeline rfm"]
        print(f"  -> before / floor: {before / floor:.2f}x; before / after: {before / after:.2f}x")

    print("\nimports (one run each under -X importtime):")
    for name, (command, cwd) in variants.items():
        seconds, modules = import_profile(command, cwd)
        unused = sorted(m for m in UNUSED_BY_RFM if m in modules)
        note = f"; imports it does not use: {', '.join(unused)}" if unused else ""
        print(f"  {name:<22} {seconds:.2f} s importing, {len(modules)} modules{note}")
    return 0 if ratio <= TARGET_RATIO else 1


if __name__ == "__main__":
    sys.exit(main())
