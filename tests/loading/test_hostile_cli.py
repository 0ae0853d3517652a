"""``python -m pipeline rfm`` on every hostile input of issue 9: exit 2 with a message.

Each run is bounded, not timed: it must finish within 60 s (the subprocess timeout) and its
process tree, the workbook reader's child included, must peak below 1.5 GB of resident memory
(the largest ``ru_maxrss`` among the descendants of a wrapper process that runs only this
command). An address-space limit of 8 GB guards the machine should a bound ever fail.
Before the fixes these inputs aborted the process (SIGABRT), ran for minutes past 6 GB, printed
tracebacks, or exited 0 with wrong figures.
"""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pyarrow as pa
import pytest
from support.hostile_files import (
    csv_bytes,
    far_apart_cells,
    lying_shared_strings,
    many_members_zip,
    parquet_bytes,
    whitespace_bomb,
    wide_header_csv,
)

REPO_ROOT = Path(__file__).resolve().parents[2]
RUN_SECONDS = 60
PEAK_MEMORY_MB = 1536
SAFETY_ADDRESS_SPACE = 8 << 30

#: Runs the command in a child, then reports its exit status, stderr and the peak RSS of its tree.
WRAPPER = """
import json, resource, subprocess, sys
resource.setrlimit(resource.RLIMIT_AS, ({limit}, {limit}))
done = subprocess.run(sys.argv[1:], capture_output=True, text=True, timeout={seconds})
peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
print(json.dumps({{"status": done.returncode, "stderr": done.stderr, "peak_mb": peak}}))
"""


def _file(name: str, make: Callable[[], bytes]) -> Callable[[Path], Path]:
    def write(folder: Path) -> Path:
        path = folder / name
        path.write_bytes(make())
        return path

    return write


def _bomb(folder: Path) -> Path:
    return whitespace_bomb(folder / "inflates-to-1.5-GB.xlsx", 1536 << 20)


def _timestamps(*stamps: dt.datetime) -> pa.Array:
    return pa.array(list(stamps), pa.timestamp("us"))


#: (id, how to make the input, extra environment, what the message must say)
CASES = [
    (
        "cells A1 and XFD1048576",
        _file("xfd.xlsx", lambda: far_apart_cells("XFD1048576")),
        {},
        "RFM_STUDIO_MAX_COLUMNS",
    ),
    (
        "cells A1 and CV1048576",
        _file("cv.xlsx", lambda: far_apart_cells("CV1048576")),
        {},
        "RFM_STUDIO_MAX_CELLS",
    ),
    (
        "cells A1 and IV1048576",
        _file("iv.xlsx", lambda: far_apart_cells("IV1048576")),
        {},
        "RFM_STUDIO_MAX_CELLS",
    ),
    (
        "cells A1 and XFD20000",
        _file("xfd20000.xlsx", lambda: far_apart_cells("XFD20000")),
        {},
        "RFM_STUDIO_MAX_COLUMNS",
    ),
    (
        "undeclared far cells",
        _file("undeclared.xlsx", lambda: far_apart_cells("XFD1048576", dimension=None)),
        {},
        "RFM_STUDIO_PARSE_MEMORY_MB",
    ),
    (
        "dimension that lies",
        _file("lie.xlsx", lambda: far_apart_cells("XFD1048576", dimension="lie")),
        {},
        "RFM_STUDIO_PARSE_MEMORY_MB",
    ),
    ("4 billion shared strings", _file("sst.xlsx", lying_shared_strings), {}, "RFM_STUDIO_MAX_CELLS"),
    ("sheet inflating to 1.5 GB", _bomb, {}, "RFM_STUDIO_MAX_UNZIPPED_MB"),
    (
        "zip of 10,001 files",
        _file("members.xlsx", lambda: many_members_zip(10_001)),
        {},
        "zip of 10,001 files",
    ),
    (
        "CSV header of 5.8 million columns",
        _file("wide.csv", lambda: wide_header_csv(5_800_000)),
        {},
        "RFM_STUDIO_MAX_COLUMNS",
    ),
    *[
        (
            f"date {text}",
            _file(f"date-{i}.csv", lambda text=text: csv_bytes(InvoiceDate=text)),
            {},
            "outside the years",
        )
        for i, text in enumerate(
            ["12/1/2300 8:26", "12/1/1600 8:26", "0001-01-01 00:00", "146000", "2958465"]
        )
    ],
    *[
        (
            f"{column} {text}",
            _file(f"{column}-{i}.csv", lambda c=column, t=text: csv_bytes(**{c: t})),
            {},
            "infinite or too large",
        )
        for i, (column, text) in enumerate(
            [
                ("Quantity", "inf"),
                ("Quantity", "-inf"),
                ("Quantity", "1e19"),
                ("UnitPrice", "inf"),
                ("CustomerID", "1e20"),
            ]
        )
    ],
    (
        "Parquet timestamp in 3000",
        _file(
            "3000.parquet",
            lambda: parquet_bytes(_timestamps(dt.datetime(2010, 12, 1), dt.datetime(3000, 1, 1))),
        ),
        {},
        "outside the years",
    ),
    (
        "binary Parquet dates",
        _file("binary.parquet", lambda: parquet_bytes(pa.array([b"\xff\x00", b"\x80"], pa.binary()))),
        {},
        "holds binary data",
    ),
    ("malformed URL", lambda folder: "http://[::1/x.csv", {}, "is not a valid URL"),
    *[
        (
            f"RFM_STUDIO_MAX_MB={value}",
            _file(f"ok-{i}.csv", csv_bytes),
            {"RFM_STUDIO_MAX_MB": value},
            "RFM_STUDIO_MAX_MB is set",
        )
        for i, value in enumerate(["inf", "nan", "1e400"])
    ],
    (
        "RFM_STUDIO_HOME is a file",
        _file("ok-home.csv", csv_bytes),
        {"RFM_STUDIO_HOME": "FILE"},
        "is a file, not a folder",
    ),
    (
        "RFM_STUDIO_HOME cannot be created",
        _file("ok-sys.csv", csv_bytes),
        {"RFM_STUDIO_HOME": "/sys/rfm-studio-home"},
        "Cannot create the data directory",
    ),
]


@pytest.mark.parametrize(
    "make, environment, expected", [case[1:] for case in CASES], ids=[case[0] for case in CASES]
)
def test_the_command_line_exits_2_with_a_message_within_bounds(
    make, environment, expected, tmp_path, monkeypatch
):
    source = make(tmp_path)
    for name, value in environment.items():
        if value == "FILE":
            (tmp_path / "home-file").write_text("")
            value = str(tmp_path / "home-file")
        monkeypatch.setenv(name, value)
    wrapper = WRAPPER.format(limit=SAFETY_ADDRESS_SPACE, seconds=RUN_SECONDS)

    finished = subprocess.run(
        [sys.executable, "-c", wrapper, sys.executable, "-m", "pipeline", "rfm", str(source)],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=RUN_SECONDS + 30,
    )
    report = json.loads(finished.stdout)

    assert report["status"] == 2, report["stderr"]
    assert report["stderr"].startswith("error: ") and expected in report["stderr"]
    assert "Traceback" not in report["stderr"]
    assert report["peak_mb"] < PEAK_MEMORY_MB
