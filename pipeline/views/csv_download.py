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

#: Decimal places floats are written with: far below a penny or a prediction's precision, far
#: above binary rounding noise.
FLOAT_DECIMALS = 10
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


def without_rounding_noise(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with float columns rounded to ``FLOAT_DECIMALS`` places: a sum of prices such as
    28.2 is held as 28.200000000000003, and the CSV wrote that noise (Python writes the shortest
    text that reads back as the same double). Rounded, each value is the double nearest its
    amount, written as ``28.2``; whole values keep their ``.0``."""
    floats = [name for name, values in frame.items() if pd.api.types.is_float_dtype(values.dtype)]
    if not floats:
        return frame
    return frame.assign(**{name: frame[name].round(FLOAT_DECIMALS) for name in floats})


def spreadsheet_safe_csv(frame: pd.DataFrame) -> bytes:
    """``frame`` as UTF-8 CSV (no index) whose text cells no spreadsheet runs as formulas.

    Floats lose their rounding noise (:func:`without_rounding_noise`).
    Lines end in CRLF (RFC 4180): Python's csv module quotes a cell holding a line end only when
    the character is part of its line terminator, and with ``\n`` alone a carriage return in a
    cell went out unquoted, so a spreadsheet started a new row there and the text after it (a
    formula, unchecked) landed at the start of a cell.
    """
    return (
        spreadsheet_safe(without_rounding_noise(frame))
        .to_csv(index=False, lineterminator="\r\n")
        .encode("utf-8")
    )
