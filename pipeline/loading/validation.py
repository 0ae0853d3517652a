"""Checks of parsed values: numbers that are finite and in range, dates pandas can hold.

A parser accepts what the file says; these checks refuse what no transactions table means and
what would silently turn into wrong figures: a Quantity of 1e19 wrapped to a negative int64
(counted as a return), a UnitPrice of inf made the revenue inf, a CustomerID of 1e20 or a
year 2300 raised deep inside pandas. Each failure names the column, an example value and its
data row (1 = the first row after the header), and says what to fix.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from pipeline.errors import DataError
from pipeline.loading.dates import EXCEL_EPOCH, parse_dates
from pipeline.loading.shown import shown_value

#: The largest magnitude a number may have: every whole number up to it is exact in float64, so
#: quantities, prices and customer IDs survive the int64 and float64 columns unchanged, and
#: Quantity x UnitPrice summed over any file stays finite.
MAX_ABS_NUMBER = float(2**53 - 1)

#: The most years a file's invoices may span: Recency (a timedelta64[ns], at most ~292 years) must
#: stay measurable from the first invoice to an as-of date set decades after the last one.
MAX_SPAN_YEARS = 200
_NS_PER_YEAR = 365.2425 * 86_400 * 10**9
_NAT = np.iinfo(np.int64).min  # how datetime64 stores a missing date

#: The years a datetime64[ns] column can hold (pandas.Timestamp.min / .max).
FIRST_YEAR, LAST_YEAR = pd.Timestamp.min.year, pd.Timestamp.max.year


def require_finite_in_range(numbers: pd.Series, column: str) -> None:
    """A DataError if any number is inf, -inf or beyond +/-(2**53 - 1); blanks (NaN) pass."""
    values = numbers.to_numpy(dtype="float64", na_value=np.nan)
    with np.errstate(invalid="ignore"):
        bad = np.isinf(values) | (np.abs(values) > MAX_ABS_NUMBER)
    if not bad.any():
        return
    position = int(np.flatnonzero(bad)[0])
    raise DataError(
        f"Column '{column}' has {int(bad.sum()):,} value(s) that are infinite or too large to be a real "
        f"{column}, e.g. {values[position]:g} in data row {position + 1}. Numbers must be finite and "
        f"at most {MAX_ABS_NUMBER:,.0f} in size: fix those cells or remove the rows."
    )


def parse_dates_in_range(values: pd.Series, column: str = "InvoiceDate") -> pd.Series:
    """:func:`~pipeline.loading.dates.parse_dates`, with dates outside 1677-2262 a DataError.

    pandas stores dates as nanoseconds since 1970, which ends in 1677 and 2262; a year 2300, 1600
    or 0001, an Excel serial such as 146000 or a Parquet timestamp in the year 3000 made pandas
    raise OutOfBoundsDatetime. The example is looked up only once parsing has failed.
    """
    try:
        dates = parse_dates(values, column)
    except (pd.errors.OutOfBoundsDatetime, OverflowError) as error:
        example = _first_out_of_range(values)
        where = (
            f", e.g. {shown_value(values.iloc[example])} in data row {example + 1}"
            if example is not None
            else ""
        )
        raise DataError(
            f"Column '{column}' has dates outside the years {FIRST_YEAR + 1} to {LAST_YEAR - 1}{where}. "
            "Dates that far out cannot be stored; check the year (a date kept as a number counts days "
            "from 1899-12-30, as Excel does)."
        ) from error
    require_measurable_span(dates, column)
    return dates


def require_measurable_span(dates: pd.Series, column: str = "InvoiceDate") -> None:
    """A DataError when the dates span more than ``MAX_SPAN_YEARS``: Recency counts nanoseconds
    in an int64 (at most 292 years), so a file with invoices in 1700 and 2010, each date fine on
    its own, made every RFM computation fail with an OverflowError. The earliest and the latest
    date are named with their rows."""
    stamps = dates.to_numpy(dtype="datetime64[ns]").view("int64")
    if not len(stamps):
        return
    first, last = int(np.argmin(stamps)), int(np.argmax(stamps))
    if stamps[first] == _NAT:  # a missing date (parse_dates refuses them; kept safe all the same)
        present = np.flatnonzero(stamps != _NAT)
        if not len(present):
            return
        first = int(present[np.argmin(stamps[present])])
    span_ns = int(stamps[last]) - int(stamps[first])  # Python ints: no overflow
    if span_ns <= MAX_SPAN_YEARS * _NS_PER_YEAR:
        return
    raise DataError(
        f"Column '{column}' spans {span_ns / _NS_PER_YEAR:,.0f} years, from {dates.iloc[first]:%Y-%m-%d} in "
        f"data row {first + 1} to {dates.iloc[last]:%Y-%m-%d} in data row {last + 1}: Recency cannot be "
        f"counted over more than {MAX_SPAN_YEARS} years. Check the year of those dates (a date kept as a "
        "number counts days from 1899-12-30, as Excel does)."
    )


def _first_out_of_range(values: pd.Series) -> int | None:
    """The position of the first value whose date falls outside the datetime64[ns] range, if found."""
    if pd.api.types.is_datetime64_any_dtype(values.dtype):
        years = values.dt.year
    elif pd.api.types.is_numeric_dtype(values.dtype) and not pd.api.types.is_bool_dtype(values.dtype):
        years = _serial_years(values.astype("float64"))
    else:
        text = values.astype("string").str.strip()
        serial_years = _serial_years(pd.to_numeric(text, errors="coerce"))
        written = pd.to_numeric(text.str.extract(r"(?<!\d)(\d{4})(?!\d)", expand=False), errors="coerce")
        years = serial_years.fillna(written)
        objects = values.map(lambda v: getattr(v, "year", np.nan) if not isinstance(v, str) else np.nan)
        years = years.fillna(pd.to_numeric(objects, errors="coerce"))
    outside = ((years <= FIRST_YEAR) | (years >= LAST_YEAR)).fillna(False).to_numpy(dtype=bool)
    return int(np.flatnonzero(outside)[0]) if outside.any() else None


def _serial_years(serials: pd.Series) -> pd.Series:
    """The (approximate) year of each Excel serial day number; NaN where there is none."""
    return EXCEL_EPOCH.year + serials.astype("float64") / 365.2425
