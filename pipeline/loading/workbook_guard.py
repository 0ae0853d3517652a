"""What an xlsx workbook says about its size, checked before any reader materialises a sheet.

An xlsx file is a zip of XML parts, and its readers trust what the parts declare: a sheet whose
cells span A1:XFD1048576 is allocated as 17 billion cells (a 1.5 KB file aborted the whole
server asking for 512 GiB), a shared-string table declaring four billion entries is reserved
up front, and a 1.5 MB part can inflate to 1.5 GB of XML. Everything here reads only the zip
directory and the first few kilobytes of a part, so refusing a hostile file costs nothing; the
reader then runs in a memory-limited child process (:mod:`pipeline.loading.workbook_sandbox`)
for whatever a part does not declare truthfully.
"""

from __future__ import annotations

import io
import re
import struct
import zipfile

from pipeline.errors import DataError
from pipeline.loading import limits as settings
from pipeline.loading.limits import Limits, check_columns, check_unzipped, over_limit
from pipeline.loading.shown import is_plain_name

#: The most files a workbook's zip may hold (a real one has a few dozen parts).
MAX_ZIP_MEMBERS = 10_000
#: Excel's own sheet size: 1,048,576 rows by 16,384 columns (A to XFD).
EXCEL_MAX_ROWS = 1_048_576
#: How much of a part's start is read to find its declarations.
_HEAD_BYTES = 64 * 1024

_SHEET_PART = re.compile(r"(^|/)worksheets/[^/]+\.xml$", re.IGNORECASE)
_SHARED_STRINGS_PART = re.compile(r"(^|/)sharedStrings\.xml$", re.IGNORECASE)
_DIMENSION = re.compile(rb'<(?:\w+:)?dimension\b[^>]*?\bref="([^"]*)"')
_UNIQUE_COUNT = re.compile(rb'<(?:\w+:)?sst\b[^>]*?\buniqueCount="(\d+)"')
_CELL_REF = re.compile(r"\$?([A-Za-z]{1,3})?\$?(\d+)?")
_EOCD = b"PK\x05\x06"
_ZIP64_EOCD = b"PK\x06\x06"


#: The first bytes of a zip file's first part: an .xlsx workbook starts with them.
ZIP_SIGNATURE = b"PK\x03\x04"


def damaged_workbook(name: str) -> DataError:
    """The error for a workbook that starts as one but whose zip cannot be opened: cut short (an
    interrupted download or copy) or corrupted. It was "not a spreadsheet ... choose the Online
    Retail workbook (.xlsx)" to a user who had chosen exactly that."""
    return DataError(
        f"'{name}' starts as an Excel workbook but is damaged or incomplete (its zip directory is "
        "missing or unreadable: was the download or copy interrupted?). Download or copy the file "
        "again, or export it from Excel as CSV."
    )


def check_workbook(data: bytes, name: str, limits: Limits) -> None:
    """Refuse a zip workbook whose directory or declarations exceed the limits (a DataError).

    Checked: the number of parts, their total uncompressed size (RFM_STUDIO_MAX_UNZIPPED_MB),
    each sheet's declared dimension (columns: RFM_STUDIO_MAX_COLUMNS; rows times columns:
    RFM_STUDIO_MAX_CELLS) and the shared-string table's declared size.
    """
    members = zip_member_count(data)
    if members is not None and members > MAX_ZIP_MEMBERS:
        raise DataError(
            f"'{name}' is a zip of {members:,} files, far more than any workbook holds "
            f"(the limit is {MAX_ZIP_MEMBERS:,}): it is not an Online Retail workbook."
        )
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError, OSError):
        if data.startswith(ZIP_SIGNATURE):
            raise damaged_workbook(name) from None
        return  # not a zip at all: the reader says what it is not in its own words
    with archive:
        infos = archive.infolist()
        check_unzipped(sum(info.file_size for info in infos), f"'{name}'", limits)
        for info in infos:
            if _SHEET_PART.search(info.filename):
                _check_dimension(_head(archive, info), info.filename, name, limits)
            elif _SHARED_STRINGS_PART.search(info.filename):
                _check_shared_strings(_head(archive, info), name, limits)


def zip_member_count(data: bytes) -> int | None:
    """The number of files a zip's end-of-directory record declares, read without parsing the
    directory itself (which holds an object per entry); None when there is no such record."""
    at = data.rfind(_EOCD, max(0, len(data) - 65_557))
    if at < 0 or len(data) < at + 22:
        return None
    (total,) = struct.unpack_from("<H", data, at + 10)
    if total != 0xFFFF:
        return int(total)
    zip64 = data.rfind(_ZIP64_EOCD, 0, at)
    if zip64 < 0 or len(data) < zip64 + 40:
        return None
    (total64,) = struct.unpack_from("<Q", data, zip64 + 32)
    return int(total64)


def _head(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes:
    """The first kilobytes of a part, decompressed (only as much as needed)."""
    try:
        with archive.open(info) as part:
            return part.read(_HEAD_BYTES)
    except (zipfile.BadZipFile, NotImplementedError, OSError, RuntimeError, ValueError, EOFError):
        return b""  # damaged, encrypted or unsupported: the reader reports it


def _check_dimension(head: bytes, part: str, name: str, limits: Limits) -> None:
    match = _DIMENSION.search(head.split(b"<sheetData", 1)[0])
    if match is None:
        return  # no declaration: the child process's memory limit stands guard
    area = match.group(1).decode("ascii", "replace")
    rows, columns = dimension_size(area)
    sheet = part.rsplit("/", 1)[-1].removesuffix(".xml")
    shown_area = area if is_plain_name(area.replace(":", "")) else "(unreadable)"
    what = f"Sheet {sheet} of '{name}' declares cells {shown_area}"
    check_columns(columns, what, limits)
    if rows > EXCEL_MAX_ROWS:
        raise DataError(f"{what}: more rows than Excel allows ({EXCEL_MAX_ROWS:,}); the file is damaged.")
    if rows * columns > limits.max_cells:
        raise over_limit(
            f"{what}, {rows * columns:,} cells", settings.MAX_CELLS, f"{limits.max_cells:,} cells"
        )


def dimension_size(area: str) -> tuple[int, int]:
    """``"A1:H541910"`` -> ``(541910, 8)``: rows and columns a range spans (a single cell too).

    A reference missing its row or column ("A:C", "1:5") reaches the sheet's edge that way.
    """
    ends = area.strip().split(":", 1)
    first_row, first_column = _cell(ends[0], far=False)
    last_row, last_column = _cell(ends[-1], far=len(ends) == 2)
    return abs(last_row - first_row) + 1, abs(last_column - first_column) + 1


def _cell(ref: str, *, far: bool) -> tuple[int, int]:
    """``"XFD1048576"`` -> ``(1048576, 16384)``; a missing part is the first or the last row/column."""
    match = _CELL_REF.fullmatch(ref.strip())
    letters, digits = match.groups() if match else ("XFD", str(EXCEL_MAX_ROWS))
    column = 0
    for letter in (letters or ("XFD" if far else "A")).upper():
        column = column * 26 + (ord(letter) - ord("A") + 1)
    row = int(digits) if digits else (EXCEL_MAX_ROWS if far else 1)
    return row, column


def _check_shared_strings(head: bytes, name: str, limits: Limits) -> None:
    match = _UNIQUE_COUNT.search(head)
    if match is not None and int(match.group(1)) > limits.max_cells:
        raise over_limit(
            f"The text table of '{name}' declares {int(match.group(1)):,} distinct texts",
            settings.MAX_CELLS,
            f"{limits.max_cells:,} cells",
        )
