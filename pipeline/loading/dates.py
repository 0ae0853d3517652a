"""Turn the many ways a spreadsheet or CSV writes a date into one datetime column.

The UCI files reach users as real Excel dates, ISO strings, US-style text with the month
first ("12/1/2010 8:26", "12/1/10 8:26", as UCI's own CSV exports write it), day-first text
from a UK-locale export (read so only when month-first cannot read the whole column) or bare
Excel serial numbers (a date cell that lost its format). Parsing is vectorised: each format is
tried on the whole column at once, never row by row in Python, and text is parsed once per
distinct value (a timestamp repeats on every line of its invoice).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from pandas.api.types import infer_dtype, is_datetime64_any_dtype, is_numeric_dtype

from pipeline.errors import DataError
from pipeline.loading.shown import shown_value

#: Text formats tried in turn (month first, as the UCI data is American/British retail exports).
TEXT_FORMATS = (
    "ISO8601",
    "%m/%d/%Y %H:%M",
    "%m/%d/%Y %H:%M:%S",
    "%m/%d/%y %H:%M",
    "%m/%d/%y %H:%M:%S",
    "%m/%d/%Y",
    "%m/%d/%y",
)

#: The same with the day first (as a UK-locale export writes them), used for a column only when
#: the month-first formats cannot read all of it and these can: "1/12/2010" alone stays 12 January.
DAY_FIRST_FORMATS = (
    "ISO8601",
    "%d/%m/%Y %H:%M",
    "%d/%m/%Y %H:%M:%S",
    "%d/%m/%y %H:%M",
    "%d/%m/%y %H:%M:%S",
    "%d/%m/%Y",
    "%d/%m/%y",
)

#: Excel's day zero (serial 1 is 1900-01-01, counting Excel's phantom 29 Feb 1900).
EXCEL_EPOCH = pd.Timestamp("1899-12-30")

# Serial numbers accepted as dates: 1 (1900-01-01) to 2958465 (9999-12-31).
_SERIAL_RANGE = (1.0, 2958466.0)


def parse_dates(values: pd.Series, column: str = "InvoiceDate") -> pd.Series:
    """``values`` as naive ``datetime64[ns]``, or a DataError naming ``column`` and a bad value.

    Blank cells are an error too: every transaction needs a date for recency to mean anything.
    """
    if is_datetime64_any_dtype(values.dtype):
        parsed = _naive(values)
    elif is_numeric_dtype(values.dtype) and not pd.api.types.is_bool_dtype(values.dtype):
        parsed = _from_serial(values.astype("float64"), column)
    else:
        kind = infer_dtype(values, skipna=True)
        if kind in ("datetime", "datetime64", "date"):
            parsed = _naive(pd.to_datetime(values))
        elif kind in ("floating", "integer", "mixed-integer-float"):
            parsed = _from_serial(pd.to_numeric(values), column)
        else:
            parsed = _from_text(values.astype("string"), column)
    _require_all_present(parsed, column)
    return parsed.astype("datetime64[ns]")


def _naive(values: pd.Series) -> pd.Series:
    if getattr(values.dt, "tz", None) is not None:
        values = values.dt.tz_convert("UTC").dt.tz_localize(None)
    return values


def _from_serial(serials: pd.Series, column: str) -> pd.Series:
    low, high = _SERIAL_RANGE
    out_of_range = serials.notna() & ((serials < low) | (serials >= high))
    if out_of_range.any():
        bad = serials[out_of_range].iloc[0]
        raise DataError(
            f"Column '{column}' holds numbers that are not dates, e.g. {bad:g}. Store the dates as "
            "dates, ISO text (2010-12-01 08:26) or month-first text (12/1/2010 8:26)."
        )
    days = pd.to_timedelta(serials, unit="D")
    return (EXCEL_EPOCH + days).dt.round("s")


def _from_text(text: pd.Series, column: str) -> pd.Series:
    """Text dates, each distinct text parsed once and the results spread back to the rows.

    A transactions file repeats each timestamp on every line of its invoice (the UCI CSV has
    541,909 lines but 23,260 distinct dates), so hashing the column and parsing its distinct
    values costs a fraction of parsing every row, and never more than one extra hash pass.
    """
    codes, distinct = pd.factorize(text)
    parsed, left = _parse_distinct(pd.Series(distinct, dtype="string"), column)
    if left.any():
        rows = np.bincount(codes[codes >= 0], minlength=len(left))[left.to_numpy()]
        bad = str(distinct[left.to_numpy()][0]).strip()
        raise DataError(
            f"Column '{column}' has {int(rows.sum())} value(s) that are not dates, e.g. {shown_value(bad)}. "
            "Use real dates, ISO text (2010-12-01 08:26) or month-first text (12/1/2010 8:26) "
            "(or day-first text, 1/12/2010 8:26, throughout the column)."
        )
    stamps = np.append(parsed.to_numpy(dtype="datetime64[ns]"), np.datetime64("NaT", "ns"))
    return pd.Series(stamps[codes], index=text.index)  # code -1 (a missing cell) takes the NaT


def _parse_distinct(text: pd.Series, column: str) -> tuple[pd.Series, pd.Series]:
    """``(dates, unreadable)`` for distinct date texts (in order of first appearance).

    Serial numbers written as text are Excel dates; the rest is read month-first, each value
    with the first format that fits it; only when that leaves values unread and the day-first
    formats read them all is the whole column read day-first. ``unreadable`` flags the values
    left by the month-first reading (the ones an error message should quote).
    """
    text = text.str.strip()
    text = text.mask(text == "")
    parsed = pd.Series(pd.NaT, index=text.index, dtype="datetime64[ns]")
    todo = text.notna()

    # Only text without "/" or ":" can be a number: the others skip the (slow, failing) parse.
    maybe_number = todo & ~text.str.contains(r"[/:]", regex=True).fillna(False).astype(bool)
    numbers = pd.to_numeric(text.where(maybe_number), errors="coerce")
    is_serial = numbers.notna()
    if is_serial.any():
        parsed[is_serial] = _from_serial(numbers[is_serial], column).astype("datetime64[ns]")
        todo &= ~is_serial

    left = todo
    for formats in (TEXT_FORMATS, DAY_FIRST_FORMATS):
        attempt, left_now = _parse_with(text, todo, formats)
        if not left_now.any():
            parsed[todo] = attempt[todo]
            return parsed, left_now
        if formats is TEXT_FORMATS:
            left = left_now  # the month-first reading's leftovers are the ones to report
    return parsed, left


def _parse_with(text: pd.Series, todo: pd.Series, formats: tuple[str, ...]) -> tuple[pd.Series, pd.Series]:
    """``text[todo]`` read with the first of ``formats`` that fits each value; (dates, still unread)."""
    parsed = pd.Series(pd.NaT, index=text.index, dtype="datetime64[ns]")
    todo = todo.copy()
    for fmt in _formats_for(text[todo], formats):
        if not todo.any():
            break
        # utc=True lets text with and without offsets mix; offsets become UTC wall time.
        attempt = pd.to_datetime(text[todo], format=fmt, errors="coerce", utc=True).dt.tz_localize(None)
        ok = attempt.notna()
        if ok.any():
            parsed[ok[ok].index] = attempt[ok].astype("datetime64[ns]")
            todo[ok[ok].index] = False
    return parsed, todo


def _formats_for(sample: pd.Series, formats: tuple[str, ...] = TEXT_FORMATS) -> list[str]:
    """The text formats, the one that reads the first value moved to the front (fast path)."""
    ordered = list(formats)
    if sample.empty:
        return ordered
    first = sample.iloc[:1]
    for fmt in ordered:
        if pd.to_datetime(first, format=fmt, errors="coerce", utc=True).notna().all():
            return [fmt, *(other for other in ordered if other != fmt)]
    return ordered


def _require_all_present(parsed: pd.Series, column: str) -> None:
    missing = parsed.isna()
    if missing.any():
        position = int(missing.to_numpy().nonzero()[0][0])
        raise DataError(
            f"Column '{column}' is empty in {int(missing.sum())} row(s) (first at data row {position + 1}): "
            "every transaction needs a date. Fill them in or remove those rows."
        )
