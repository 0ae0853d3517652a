"""Read untrusted workbooks in a child process with a memory and time limit.

The xlsx/xls reader (fastexcel, Rust calamine) allocates what a workbook declares, and when an
allocation fails Rust aborts the process: no exception, the Streamlit server gone for every
user. So the parent never parses a workbook itself. It writes the bytes to a private temporary
folder and runs ``python -m pipeline.loading.workbook_sandbox`` there, which lowers its own
address-space limit (``RLIMIT_AS``, ``RFM_STUDIO_PARSE_MEMORY_MB``) before importing the reader,
refuses what :mod:`pipeline.loading.workbook_guard` finds declared beyond the limits, and
writes each sheet as an uncompressed Arrow IPC file. The parent memory-maps those files (no
copy, no serialisation) and turns them into frames. Whatever the child does, crash, abort or
hang (``RFM_STUDIO_PARSE_SECONDS``), the parent gets a :class:`~pipeline.errors.DataError`.

The child imports only the standard library, fastexcel and pyarrow (not pandas), to start fast.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import threading
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from pipeline.errors import DataError
from pipeline.loading import limits as settings
from pipeline.loading.limits import Limits, human_size
from pipeline.loading.shown import shown_label

#: Headers, as written in either UCI schema, of the identifier columns read as text whatever
#: their cells hold (an invoice number is "536365" or "C536379", never a float).
EXCEL_TEXT_HEADERS = ("InvoiceNo", "Invoice", "StockCode", "Description", "Country")

_ZIP_MAGIC = b"PK\x03\x04"
_PROJECT_ROOT = Path(__file__).resolve().parents[2]

#: Workbooks parsed at once by one app process: many users uploading together cost at most this
#: many times RFM_STUDIO_PARSE_MEMORY_MB; the others wait their turn.
CONCURRENT_PARSES = 2
_PARSE_SLOTS = threading.BoundedSemaphore(CONCURRENT_PARSES)


@dataclass(frozen=True)
class SheetFile:
    """One sheet the child read: its label (``name [sheet]``) and its Arrow IPC file."""

    label: str
    path: str


def not_a_table(name: str = "The file", detail: str = "") -> DataError:
    """The error for bytes that are no spreadsheet, CSV or Parquet file."""
    what = f"'{name}'" if name != "The file" else name
    return DataError(
        f"{what} is not a spreadsheet, CSV or Parquet file{detail}. Choose the Online Retail "
        "workbook (.xlsx), a CSV export of it, or a Parquet file."
    )


def read_workbook_sheets(data: bytes, name: str, limits: Limits) -> list[tuple[str, Any]]:
    """Each non-empty sheet of a workbook as ``(label, pyarrow.Table)``, parsed in a child process.

    The tables are memory-mapped from the child's files, which are removed at once (the mapping
    keeps them readable until the tables are freed).
    """
    import pyarrow as pa

    with _PARSE_SLOTS, tempfile.TemporaryDirectory(prefix="rfm-workbook-") as folder:
        source = Path(folder) / "workbook"
        source.write_bytes(data)
        sheets = _run_child(source, Path(folder), name, limits)
        tables = []
        for sheet in sheets:
            with pa.memory_map(sheet.path) as mapped:
                tables.append((sheet.label, pa.ipc.open_file(mapped).read_all()))
        return tables


def _run_child(source: Path, folder: Path, name: str, limits: Limits) -> list[SheetFile]:
    # -S: no site hooks (.pth files can cost more than the imports themselves); the child gets
    # this process's import path instead, so it finds exactly the same packages.
    command = [
        sys.executable,
        "-S",
        "-m",
        __name__,
        str(source),
        str(folder),
        name,
        json.dumps(asdict(limits)),
    ]
    environment = dict(os.environ)
    environment["PYTHONPATH"] = os.pathsep.join(dict.fromkeys([str(_PROJECT_ROOT), *filter(None, sys.path)]))
    try:
        finished = subprocess.run(
            command,
            capture_output=True,
            text=True,
            timeout=limits.parse_seconds,
            env=environment,
            stdin=subprocess.DEVNULL,
        )
    except subprocess.TimeoutExpired:
        raise settings.over_limit(
            f"Reading the workbook '{name}' took longer than {limits.parse_seconds:g} s",
            settings.PARSE_SECONDS,
            f"{limits.parse_seconds:g} s",
        ) from None
    answer = _last_json_line(finished.stdout)
    if finished.returncode == 0 and answer is not None:
        if "error" in answer:
            raise DataError(str(answer["error"]))
        return [SheetFile(**sheet) for sheet in answer["sheets"]]
    raise _child_failure(name, finished.returncode, finished.stderr, answer, limits)


def _last_json_line(output: str) -> dict[str, Any] | None:
    for line in reversed(output.strip().splitlines()):
        try:
            value = json.loads(line)
        except ValueError:
            continue
        if isinstance(value, dict):
            return value
    return None


def _child_failure(
    name: str, returncode: int, stderr: str, answer: dict[str, Any] | None, limits: Limits
) -> DataError:
    """The message for a child that died: out of memory (most likely, for a hostile file) or a crash."""
    out_of_memory = (
        (answer or {}).get("out_of_memory")
        or "memory allocation" in stderr
        or "MemoryError" in stderr
        or "std::bad_alloc" in stderr
    )
    if out_of_memory or returncode == -signal.SIGABRT:
        return DataError(
            f"Reading the workbook '{name}' was stopped at the memory limit of "
            f"{human_size(limits.parse_memory_bytes)}: a sheet may span cells far apart (such as A1 and "
            "XFD1048576) or declare more than it holds. If the file is genuine, open it in Excel and save "
            f"it again, or raise the limit with the environment variable {settings.PARSE_MEMORY_MB[0]}."
        )
    how = f"signal {-returncode}" if returncode < 0 else f"exit status {returncode}"
    return DataError(
        f"The workbook reader failed on '{name}' ({how}): the file is damaged or not a real workbook. "
        "Open it in Excel and save it again, or export it as CSV."
    )


# --- the child process ------------------------------------------------------------------------


def _limit_memory(limit_bytes: int) -> None:
    """Lower this process's address-space limit (never above a limit it already has)."""
    import resource

    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    soft = limit_bytes if hard == resource.RLIM_INFINITY else min(limit_bytes, hard)
    resource.setrlimit(resource.RLIMIT_AS, (soft, hard))


def _child_main(argv: list[str]) -> int:
    """``SOURCE FOLDER NAME LIMITS_JSON``: parse SOURCE, write its sheets into FOLDER, print JSON."""
    source, folder, name, limits_json = argv
    limits = Limits(**json.loads(limits_json))
    _limit_memory(limits.parse_memory_bytes)
    try:
        sheets = _parse_sheets(Path(source).read_bytes(), Path(folder), name, limits)
        print(json.dumps({"sheets": [asdict(sheet) for sheet in sheets]}))
    except DataError as error:
        print(json.dumps({"error": str(error)}))
    except MemoryError:
        print(json.dumps({"out_of_memory": True}))
        return 3
    return 0


def _parse_sheets(data: bytes, folder: Path, name: str, limits: Limits) -> list[SheetFile]:
    """Check, then read every sheet with fastexcel and write each non-empty one as Arrow IPC."""
    from pipeline.loading.workbook_guard import check_workbook

    if data.startswith(_ZIP_MAGIC):
        check_workbook(data, name, limits)
    fastexcel, pa = _import_reader()

    sheets: list[SheetFile] = []
    try:
        workbook = fastexcel.read_excel(data)
        for index, sheet_name in enumerate(workbook.sheet_names):
            batch = _sheet_batch(workbook, sheet_name)
            if batch is None:
                continue
            label = f"{name} [{sheet_name}]"
            settings.check_columns(batch.num_columns, shown_label(label), limits)
            path = folder / f"sheet-{index}.arrow"
            with pa.OSFile(str(path), "wb") as sink, pa.ipc.new_file(sink, batch.schema) as writer:
                writer.write_batch(batch)
            sheets.append(SheetFile(label, str(path)))
    except (fastexcel.FastExcelError, ValueError, OSError) as error:
        # fastexcel appends a multi-line context to its messages; the first line says what failed.
        reason = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        # The reader's name is no help to the user: "calamine error: Cannot detect file format".
        reason = re.sub(r"^(?:calamine|fastexcel)\s+error:\s*", "", reason, flags=re.IGNORECASE)
        reason = reason[:1].lower() + reason[1:]
        raise not_a_table(name, f" (the workbook could not be opened: {_plain(reason)})") from error
    if not sheets:
        raise DataError(f"The workbook '{name}' has no data on any sheet.")
    return sheets


def _plain(reason: str) -> str:
    """A reader's message cut short, anything but plain characters replaced (it may quote the file)."""
    kept = "".join(ch if ch.isalnum() or ch in " .,:;()'_-" else "?" for ch in reason[:160])
    return kept + ("..." if len(reason) > 160 else "")


def _import_reader() -> tuple[Any, Any]:
    """fastexcel and pyarrow, without numpy where pyarrow allows (half the child's start-up)."""
    sys.modules.setdefault("numpy", None)  # type: ignore[arg-type]  # makes "import numpy" fail fast
    try:
        import fastexcel
        import pyarrow as pa
        import pyarrow.ipc
    except ImportError:
        for module in [m for m in sys.modules if m == "numpy" or m.startswith(("pyarrow", "fastexcel"))]:
            del sys.modules[module]
        import fastexcel
        import pyarrow as pa
        import pyarrow.ipc
    return fastexcel, pa


def _sheet_batch(workbook: Any, sheet_name: str) -> Any:
    """One sheet as an Arrow record batch, types inferred from every row; None for an empty sheet.

    Column types come from every row, not a sample: a column whose cells mix types (a
    "C536379" cancellation after thousands of numeric invoices) comes back as text with every
    value kept. The identifier columns of :data:`EXCEL_TEXT_HEADERS` are read as text outright.
    """
    sheet = workbook.load_sheet(
        sheet_name,
        schema_sample_rows=None,
        dtypes=dict.fromkeys(EXCEL_TEXT_HEADERS, "string"),
    )
    batch = sheet.to_arrow()
    return batch if batch.num_columns else None


if __name__ == "__main__":
    sys.exit(_child_main(sys.argv[1:]))
