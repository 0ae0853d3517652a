"""Turn a file's bytes into raw tables, one per sheet, before any normalisation.

The format is recognised from the bytes themselves (a renamed or extension-less upload still
works): xlsx/xls through fastexcel (Rust calamine straight into Arrow columns, no Python object
per cell: many times faster than openpyxl), Parquet through pyarrow, and anything else that
decodes as text through pyarrow's CSV reader (pandas' for the ragged files pyarrow refuses)
with the encoding and separator detected.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import pandas as pd

from pipeline.errors import DataError
from pipeline.loading.csv_arrow import header_line, read_csv_arrow, to_utf8
from pipeline.loading.limits import Limits, check_csv_header, current_limits
from pipeline.loading.parquet_guard import as_text_where_binary, check_parquet_metadata
from pipeline.loading.workbook_sandbox import EXCEL_TEXT_HEADERS, read_workbook_sheets
from pipeline.loading.workbook_sandbox import not_a_table as _not_a_table

#: Separators recognised in CSV headers.
CSV_SEPARATORS = (",", ";", "\t")

__all__ = [
    "EXCEL_TEXT_HEADERS",
    "RawTable",
    "detect_format",
    "read_csv",
    "read_excel",
    "read_parquet",
    "read_tables",
]

_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_PARQUET_MAGIC = b"PAR1"
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")


@dataclass(frozen=True)
class RawTable:
    """One sheet (or the whole CSV/Parquet file) as read, with its header as found."""

    label: str
    frame: pd.DataFrame


def detect_format(data: bytes, name: str = "The file") -> str:
    """``"excel"``, ``"parquet"`` or ``"csv"`` from the leading bytes; a DataError for anything else."""
    if data.startswith((_ZIP_MAGIC, _OLE_MAGIC)):
        return "excel"
    if data.startswith(_PARQUET_MAGIC):
        return "parquet"
    if data.startswith(_UTF16_BOMS):
        return "csv"  # Excel's "Unicode Text" export: UTF-16 (its NUL bytes are no binary file)
    head = data[:4096]
    if b"\x00" in head:
        raise _not_a_table(name)
    if head.lstrip(b"\xef\xbb\xbf \t\r\n").lower().startswith((b"<!doctype html", b"<html")):
        # A download link that answers with a web page (a login, an error or a landing page).
        raise DataError(
            f"'{name}' is a web page (HTML), not a data file: the address probably points at a page "
            "about the file. Use the direct download link of the xlsx, csv or parquet file."
        )
    return "csv"


def read_tables(data: bytes, name: str = "data", limits: Limits | None = None) -> list[RawTable]:
    """Every table in the file: each sheet of a workbook, or the single table of a CSV/Parquet.

    ``limits`` (default :func:`~pipeline.loading.limits.current_limits`) bound what the file may
    expand to: columns, cells, uncompressed size, and the workbook reader's memory and time.
    """
    if not data:
        raise DataError(f"'{name}' is empty: choose the file again, or check that the download finished.")
    limits = limits if limits is not None else current_limits()
    kind = detect_format(data, name)
    if kind == "excel":
        return read_excel(data, name, limits)
    if kind == "parquet":
        return [RawTable(name, read_parquet(data, name, limits))]
    data = utf16_as_utf8(data, name)
    check_csv_header(data, name, limits)
    return [RawTable(name, read_csv(data, name))]


def utf16_as_utf8(data: bytes, name: str) -> bytes:
    """Text with a UTF-16 byte-order mark (Excel's "Unicode Text", tab-separated) as UTF-8, so the
    CSV readers and the header check see it as any other CSV; other bytes as they are."""
    if not data.startswith(_UTF16_BOMS):
        return data
    try:
        return data.decode("utf-16").encode("utf-8")
    except UnicodeDecodeError as error:
        raise _not_a_table(name, " (it starts as UTF-16 text but is not)") from error


def read_excel(data: bytes, name: str, limits: Limits | None = None) -> list[RawTable]:
    """Each non-empty sheet of an xlsx/xls workbook, first row as header (names stripped).

    Parsed by fastexcel in a memory- and time-limited child process
    (:mod:`pipeline.loading.workbook_sandbox`): a workbook made to exhaust the reader costs
    the child, never the app. Column types are inferred from every row, the identifier
    columns read as text; numbers, dates and text are then typed the same way for every
    format by :mod:`pipeline.loading.dataset`.
    """
    limits = limits if limits is not None else current_limits()
    tables = []
    for label, table in read_workbook_sheets(data, name, limits):
        # date_as_object=False: date-only cells become datetime64 like the others, not date objects.
        frame = table.to_pandas(date_as_object=False)
        frame.columns = [str(column).strip() for column in frame.columns]
        tables.append(RawTable(label, frame))
    return tables


def read_parquet(data: bytes, name: str, limits: Limits | None = None) -> pd.DataFrame:
    """A Parquet file as a frame, its declared size checked first and binary columns made text."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    limits = limits if limits is not None else current_limits()
    try:
        parquet = pq.ParquetFile(pa.BufferReader(data))
        check_parquet_metadata(parquet.metadata, name, limits)
        return as_text_where_binary(parquet.read(), name).to_pandas()
    except (OSError, ValueError, pa.ArrowException) as error:
        raise _not_a_table(name, f" (the Parquet file could not be read: {_first_line(error)})") from error


def sniff_separator(text: str) -> str:
    """The separator used in the header line: the most frequent of comma, semicolon and tab."""
    header = text.lstrip().split("\n", 1)[0]
    counts = {sep: header.count(sep) for sep in CSV_SEPARATORS}
    best = max(counts, key=lambda sep: counts[sep])
    return best if counts[best] else ","


def read_csv(data: bytes, name: str) -> pd.DataFrame:
    """A CSV as text columns (types are decided later, the same way for every format).

    pyarrow's reader first (:mod:`pipeline.loading.csv_arrow`); pandas' for what it refuses.
    """
    utf8 = to_utf8(data)
    separator = sniff_separator(header_line(utf8)[0])
    fast = read_csv_arrow(utf8, separator)
    if fast is not None:
        return fast
    text = utf8.decode("utf-8")
    try:
        # Only empty cells are missing: text such as "NA" or "null" is kept as written.
        return pd.read_csv(io.StringIO(text), sep=separator, dtype=str, keep_default_na=False, na_values=[""])
    except (pd.errors.ParserError, pd.errors.EmptyDataError, ValueError) as error:
        raise _not_a_table(name, f" (the CSV could not be parsed: {str(error).strip()})") from error


def _first_line(error: BaseException) -> str:
    text = str(error).strip()
    return text.splitlines()[0][:200] if text else type(error).__name__
