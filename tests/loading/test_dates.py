"""Every way the UCI files write an invoice date becomes the same naive datetime."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from pipeline.errors import DataError
from pipeline.loading.dates import parse_dates

DEC_1_0826 = pd.Timestamp("2010-12-01 08:26:00")
JAN_9_1731 = pd.Timestamp("2011-01-09 17:31:00")


def _parsed(values, dtype=None) -> list[pd.Timestamp]:
    result = parse_dates(pd.Series(values, dtype=dtype))
    assert str(result.dtype) == "datetime64[ns]"
    return list(result)


@pytest.mark.parametrize(
    "texts",
    [
        ["12/1/2010 8:26", "1/9/2011 17:31"],  # UCI's month-first text
        ["12/1/10 8:26", "1/9/11 17:31"],  # two-digit years
        ["2010-12-01 08:26:00", "2011-01-09 17:31:00"],  # ISO
        ["2010-12-01T08:26", "2011-01-09T17:31"],  # ISO with T
        ["12/01/2010 08:26:00", "01/09/2011 17:31:00"],  # padded, with seconds
    ],
)
def test_text_formats_are_read_month_first(texts):
    assert _parsed(texts, dtype="string") == [DEC_1_0826, JAN_9_1731]


def test_excel_serial_numbers_are_days_since_1899_12_30():
    # 40513 is 2010-12-01 in Excel; 8:26 is 506 minutes into the day.
    assert _parsed([40513 + 506 / 1440, 40552 + (17 * 60 + 31) / 1440]) == [DEC_1_0826, JAN_9_1731]


def test_serial_numbers_written_as_text_are_read():
    assert _parsed([repr(40513 + 506 / 1440)], dtype="string") == [DEC_1_0826]


def test_python_datetimes_from_a_workbook_are_kept():
    assert _parsed([dt.datetime(2010, 12, 1, 8, 26)], dtype=object) == [DEC_1_0826]


def test_a_column_mixing_formats_is_read_row_by_row_format():
    values = ["12/1/2010 8:26", "2011-01-09 17:31", 40513 + 506 / 1440, dt.datetime(2011, 1, 9, 17, 31)]
    assert _parsed(values, dtype=object) == [DEC_1_0826, JAN_9_1731, DEC_1_0826, JAN_9_1731]


def test_timezone_offsets_become_utc_wall_time():
    assert _parsed(["2010-12-01T09:26:00+01:00", "2010-12-01 08:26"], dtype="string") == [DEC_1_0826] * 2


def test_unreadable_text_names_the_column_and_an_example():
    with pytest.raises(
        DataError, match=r"Column 'When' has 1 value\(s\) that are not dates, e.g. '31/31/2010'"
    ):
        parse_dates(pd.Series(["12/1/2010 8:26", "31/31/2010"], dtype="string"), "When")


def test_blank_dates_are_an_error_saying_how_many():
    with pytest.raises(DataError, match=r"Column 'InvoiceDate' is empty in 1 row\(s\)"):
        parse_dates(pd.Series(["12/1/2010 8:26", ""], dtype="string"))


def test_numbers_outside_excel_dates_are_refused():
    with pytest.raises(DataError, match=r"holds numbers that are not dates, e.g. -5"):
        parse_dates(pd.Series([-5.0, 40513.0]))
