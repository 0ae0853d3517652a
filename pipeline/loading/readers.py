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
from typing import Any

import pandas as pd

from pipeline.errors import DataError
from pipeline.loading.csv_arrow import header_line, read_csv_arrow, to_utf8

#: Separators recognised in CSV headers.
CSV_SEPARATORS = (",", ";", "\t")

_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_PARQUET_MAGIC = b"PAR1"


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


def read_tables(data: bytes, name: str = "data") -> list[RawTable]:
    """Every table in the file: each sheet of a workbook, or the single table of a CSV/Parquet."""
    if not data:
        raise DataError(f"'{name}' is empty: choose the file again, or check that the download finished.")
    kind = detect_format(data, name)
    if kind == "excel":
        return read_excel(data, name)
    if kind == "parquet":
        return [RawTable(name, read_parquet(data, name))]
    return [RawTable(name, read_csv(data, name))]


#: Headers, as written in either UCI schema, of the identifier columns read as text whatever
#: their cells hold (an invoice number is "536365" or "C536379", never a float).
EXCEL_TEXT_HEADERS = ("InvoiceNo", "Invoice", "StockCode", "Description", "Country")


def read_excel(data: bytes, name: str) -> list[RawTable]:
    """Each non-empty sheet of an xlsx/xls workbook, first row as header (names stripped).

    Column types are inferred from every row, not a sample: a column whose cells mix types
    (a "C536379" cancellation after thousands of numeric invoices, a text date among real
    ones) comes back as text with every value kept, never as nulls. The identifier columns
    of :data:`EXCEL_TEXT_HEADERS` are read as text outright. Numbers, dates and text are then
    typed the same way for every format by :mod:`pipeline.loading.dataset`.
    """
    import fastexcel

    try:
        workbook = fastexcel.read_excel(data)
        tables = []
        for sheet_name in workbook.sheet_names:
            frame = _sheet_frame(workbook, sheet_name)
            if frame is not None:
                tables.append(RawTable(f"{name} [{sheet_name}]", frame))
    except (fastexcel.FastExcelError, ValueError, OSError) as error:
        # fastexcel appends a multi-line context to its messages; the first line says what failed.
        reason = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        raise _not_a_table(name, f" (the workbook could not be opened: {reason})") from error
    if not tables:
        raise DataError(f"The workbook '{name}' has no data on any sheet.")
    return tables


def _sheet_frame(workbook: Any, sheet_name: str) -> pd.DataFrame | None:
    """One sheet as a frame, or None for a sheet without a single cell."""
    sheet = workbook.load_sheet(
        sheet_name,
        schema_sample_rows=None,
        dtypes=dict.fromkeys(EXCEL_TEXT_HEADERS, "string"),
    )
    batch = sheet.to_arrow()
    if batch.num_columns == 0:
        return None
    # date_as_object=False: date-only cells become datetime64 like the others, not date objects.
    frame = batch.to_pandas(date_as_object=False)
    frame.columns = [str(column).strip() for column in frame.columns]
    return frame


def read_parquet(data: bytes, name: str) -> pd.DataFrame:
    """A Parquet file as a frame."""
    try:
        return pd.read_parquet(io.BytesIO(data))
    except (OSError, ValueError) as error:
        raise _not_a_table(name, f" (the Parquet file could not be read: {error})") from error


def sniff_separator(text: str) -> str:
    """The separator used in the header line: the most frequent of comma, semicolon and tab."""
    header = text.lstrip().split("\n", 1)[0]
    counts = {sep: header.count(sep) for sep in CSV_SEPARATORS}
    best = max(counts, key=counts.get)
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


def _not_a_table(name: str = "The file", detail: str = "") -> DataError:
    what = f"'{name}'" if name != "The file" else name
    return DataError(
        f"{what} is not a spreadsheet, CSV or Parquet file{detail}. Choose the Online Retail "
        "workbook (.xlsx), a CSV export of it, or a Parquet file."
    )
