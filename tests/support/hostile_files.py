"""Hostile input files, generated in the tests (a few KB each, or streamed to disk).

Each reproduces a report of issue 9: workbooks whose declarations make the reader allocate
gigabytes, a zip part that inflates to 1.5 GB, a CSV header of millions of columns, Parquet
files with binary or far-future dates, and rows with numbers no transactions table holds.
"""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

HEADER = "InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country"
GOOD_ROW = {
    "InvoiceNo": "536365",
    "StockCode": "85123A",
    "Description": "WHITE HANGING HEART",
    "Quantity": "6",
    "InvoiceDate": "12/1/2010 8:26",
    "UnitPrice": "2.55",
    "CustomerID": "17850",
    "Country": "United Kingdom",
}

_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
    'content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
    'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/'
    'workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-'
    'officedocument.spreadsheetml.worksheet+xml"/>{extra}</Types>'
)
_ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/'
    '2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>'
)
_WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/'
    '2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>'
    '<sheet name="{sheet}" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
_WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/'
    '2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/worksheet" Target="worksheets/sheet1.xml"/>{extra}</Relationships>'
)
_SHEET_OPEN = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="http://schemas.openxmlformats'
    '.org/spreadsheetml/2006/main">{dimension}<sheetData>'
)
_SHEET_CLOSE = "</sheetData></worksheet>"


def _cell_xml(ref: str, value: str | float) -> str:
    if isinstance(value, str):
        return f'<c r="{ref}" t="inlineStr"><is><t>{value}</t></is></c>'
    return f'<c r="{ref}"><v>{value!r}</v></c>'


def sheet_xml(cells: dict[str, str | float], dimension: str | None = None) -> str:
    """A worksheet part holding ``cells`` (``{"A1": "x", "XFD1048576": 1}``), rows in order."""
    rows: dict[int, list[str]] = {}
    for ref, value in cells.items():
        row = int(re.sub(r"[A-Z]", "", ref))
        rows.setdefault(row, []).append(_cell_xml(ref, value))
    body = "".join(f'<row r="{row}">{"".join(rows[row])}</row>' for row in sorted(rows))
    declared = f'<dimension ref="{dimension}"/>' if dimension else ""
    return _SHEET_OPEN.format(dimension=declared) + body + _SHEET_CLOSE


def workbook_bytes(sheet: str, *, sheet_name: str = "Sheet1", shared_strings: str | None = None) -> bytes:
    """A minimal valid xlsx with one worksheet part (and optionally a shared-string part)."""
    extra_types = extra_rels = ""
    if shared_strings is not None:
        extra_types = (
            '<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-'
            'officedocument.spreadsheetml.sharedStrings+xml"/>'
        )
        extra_rels = (
            '<Relationship Id="rId9" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
            'relationships/sharedStrings" Target="sharedStrings.xml"/>'
        )
    parts = {
        "[Content_Types].xml": _CONTENT_TYPES.format(extra=extra_types),
        "_rels/.rels": _ROOT_RELS,
        "xl/workbook.xml": _WORKBOOK.format(sheet=sheet_name),
        "xl/_rels/workbook.xml.rels": _WORKBOOK_RELS.format(extra=extra_rels),
        "xl/worksheets/sheet1.xml": sheet,
    }
    if shared_strings is not None:
        parts["xl/sharedStrings.xml"] = shared_strings
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in parts.items():
            archive.writestr(name, text)
    return buffer.getvalue()


def far_apart_cells(last: str, *, dimension: str | None = "declared") -> bytes:
    """A tiny workbook with a cell at A1 and one at ``last``; the dimension as declared, none, or a lie."""
    declared = {"declared": f"A1:{last}", "lie": "A1:B2", None: None}[dimension]
    return workbook_bytes(sheet_xml({"A1": "InvoiceNo", last: 1.0}, declared))


def lying_shared_strings() -> bytes:
    """A workbook whose shared-string table declares four billion entries and holds one."""
    table = (
        '<?xml version="1.0"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        'count="4000000000" uniqueCount="4000000000"><si><t>InvoiceNo</t></si></sst>'
    )
    return workbook_bytes(sheet_xml({"A1": "x"}, "A1"), shared_strings=table)


def whitespace_bomb(path: Path, inflated_bytes: int) -> Path:
    """An xlsx whose sheet part inflates to ``inflated_bytes`` of whitespace, streamed to ``path``."""
    sheet_head = _SHEET_OPEN.format(dimension='<dimension ref="A1"/>') + '<row r="1">'
    chunk = b" " * (1 << 22)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        for name, text in {
            "[Content_Types].xml": _CONTENT_TYPES.format(extra=""),
            "_rels/.rels": _ROOT_RELS,
            "xl/workbook.xml": _WORKBOOK.format(sheet="Sheet1"),
            "xl/_rels/workbook.xml.rels": _WORKBOOK_RELS.format(extra=""),
        }.items():
            archive.writestr(name, text)
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as part:
            part.write(sheet_head.encode())
            written = 0
            while written < inflated_bytes:
                part.write(chunk)
                written += len(chunk)
            part.write(('<c r="A1" t="inlineStr"><is><t>x</t></is></c></row>' + _SHEET_CLOSE).encode())
    return path


def many_members_zip(members: int) -> bytes:
    """A zip (named like a workbook) holding ``members`` empty files."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        for index in range(members):
            archive.writestr(f"x/{index}", b"")
    return buffer.getvalue()


def csv_bytes(**overrides: str) -> bytes:
    """A two-row transactions CSV: one good row, then the good row with ``overrides`` applied."""
    second = {**GOOD_ROW, **overrides}
    lines = [HEADER, ",".join(GOOD_ROW.values()), ",".join(second.values())]
    return ("\n".join(lines) + "\n").encode()


def wide_header_csv(columns: int) -> bytes:
    """A CSV whose header line names ``columns`` columns (5.8 million made a 50 MB file)."""
    return b",".join(b"c%d" % i for i in range(columns)) + b"\n1\n"


def parquet_bytes(invoice_dates: pa.Array) -> bytes:
    """Two transactions as Parquet, with the given InvoiceDate column."""
    table = pa.table(
        {
            "InvoiceNo": ["536365", "536366"],
            "StockCode": ["85123A", "71053"],
            "Description": ["WHITE HANGING HEART", "WHITE METAL LANTERN"],
            "Quantity": [6, 6],
            "InvoiceDate": invoice_dates,
            "UnitPrice": [2.55, 3.39],
            "CustomerID": [17850.0, 17850.0],
            "Country": ["United Kingdom", "United Kingdom"],
        }
    )
    buffer = io.BytesIO()
    pq.write_table(table, buffer)
    return buffer.getvalue()
