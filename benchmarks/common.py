"""What every benchmark script shares: where things are, a private data directory, a note on the
machine, and peak-memory readings.

The figures are only comparable within one run (the machine is shared and its load moves), so
every script prints its ratios from one run and the machine note beside them.
"""

from __future__ import annotations

import atexit
import os
import platform
import resource
import shutil
import statistics
import tempfile
import time
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
REPO_ROOT = BENCH_DIR.parent
#: Generated inputs (workbooks, scaled CSVs): gitignored, built once and reused.
OUT_DIR = BENCH_DIR / "out"


def use_private_home(prefix: str = "rfm-bench-") -> Path:
    """Point ``RFM_STUDIO_HOME`` at a fresh temporary folder (local bucket, run store, caches);
    ``atexit`` removes it, so repeated benchmark runs leave nothing behind."""
    home = Path(tempfile.mkdtemp(prefix=prefix))
    os.environ["RFM_STUDIO_HOME"] = str(home)
    atexit.register(shutil.rmtree, home, ignore_errors=True)
    return home


def median_of(values: list[float]) -> float:
    """The median, the figure least moved by one disturbed repetition on a shared machine."""
    return statistics.median(values)


def cpu_name() -> str:
    """The CPU model from /proc/cpuinfo, else what platform knows."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def machine_note(*libraries: str) -> str:
    """When and where the figures were measured, with the versions of ``libraries``."""
    from importlib.metadata import PackageNotFoundError, version

    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    versions = []
    for name in libraries:
        try:
            versions.append(f"{name} {version(name)}")
        except PackageNotFoundError:
            versions.append(f"{name} (not installed)")
    return "; ".join(
        [
            time.strftime("%Y-%m-%d %H:%M"),
            f"{cpu_name()}, {os.cpu_count()} logical CPUs (shared), load average {load:.1f} at start",
            f"Python {platform.python_version()}",
            *versions,
        ]
    )


def vm_hwm_bytes(pid: int | str = "self") -> int | None:
    """Peak resident set size so far of a live process (Linux ``VmHWM``), None once it is gone.

    VmHWM belongs to the process image, so it restarts at exec; ``ru_maxrss`` would carry a
    parent's peak into a forked child.
    """
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024
    except (FileNotFoundError, ProcessLookupError, PermissionError):
        return None
    return None


def peak_rss_mb() -> float:
    """Peak resident memory of this process so far, in MB (``ru_maxrss`` where /proc is missing)."""
    peak = vm_hwm_bytes("self")
    if peak is not None:
        return peak / 1024 / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
