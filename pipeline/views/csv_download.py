"""CSV files for people to open in a spreadsheet, with no cell a spreadsheet would run as a formula.

The CSV downloads (RFM table, a run's customers, price predictions, ``rfm --out``) carry text
taken from the uploaded data: Country, StockCode, Description. A cell written as
``=HYPERLINK("http://...","Click")`` or ``=cmd|' /C calc'!A0`` in the source file came back
unchanged, and Excel, LibreOffice and Google Sheets run a cell starting with ``=``, ``+``,
``-`` or ``@`` as a formula when the analyst opens the download (CSV injection). So every text
cell starting with one of those, or with a tab or carriage return (which some spreadsheets skip
before looking), gets a leading apostrophe, the spreadsheets' own mark for "this is text"
(OWASP's advice for CSV injection). Number columns are left alone (a negative Quantity is a
number, not a formula), and so is text that starts with anything else. A carriage return inside
a cell is quoted, so it cannot start a row (and a formula) of its own.
"""

from __future__ import annotations

import pandas as pd

#: What a spreadsheet may read as the start of a formula.
FORMULA_START = r"^[=+\-@\t\r]"


def spreadsheet_safe(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with each text cell that a spreadsheet would take for a formula prefixed by ``'``."""
    safe = frame
    for name, values in frame.items():
        if pd.api.types.is_numeric_dtype(values.dtype) or pd.api.types.is_datetime64_any_dtype(values.dtype):
            continue
        text = values.astype("string")
        risky = text.str.contains(FORMULA_START, regex=True).fillna(False).astype(bool)
        if risky.any():
            if safe is frame:
                safe = frame.copy()
            safe[name] = text.mask(risky, "'" + text)
    return safe


def spreadsheet_safe_csv(frame: pd.DataFrame) -> bytes:
    """``frame`` as UTF-8 CSV (no index) whose text cells no spreadsheet runs as formulas.

    Lines end in CRLF (RFC 4180): Python's csv module quotes a cell holding a line end only when
    the character is part of its line terminator, and with ``\n`` alone a carriage return in a
    cell went out unquoted, so a spreadsheet started a new row there and the text after it (a
    formula, unchecked) landed at the start of a cell.
    """
    return spreadsheet_safe(frame).to_csv(index=False, lineterminator="\r\n").encode("utf-8")
