"""Reading workbooks (readers via load_transactions): every cell kept, whatever its neighbours hold.

The xlsx reader infers column types from whole columns, so these workbooks put the odd cell
far below the first thousand rows, where a sampled inference would no longer look.
"""

from __future__ import annotations

import datetime as dt
import io

import pandas as pd
import pytest
from openpyxl import Workbook

from pipeline.errors import DataError
from pipeline.loading.dataset import clean_transactions, load_transactions
from pipeline.loading.readers import read_tables

HEADER = [
    "InvoiceNo",
    "StockCode",
    "Description",
    "Quantity",
    "InvoiceDate",
    "UnitPrice",
    "CustomerID",
    "Country",
]
HEADER_II = [
    "Invoice",
    "StockCode",
    "Description",
    "Quantity",
    "InvoiceDate",
    "Price",
    "Customer ID",
    "Country",
]

#: Far beyond any type-inference sample (fastexcel samples 1,000 rows by default).
LATE = 3000


def _row(i: int) -> list:
    return [
        536365 + i,
        85123,
        "WHITE HANGING HEART",
        6,
        dt.datetime(2010, 12, 1, 8, 26),
        2.55,
        17850,
        "United Kingdom",
    ]


def _workbook_bytes(sheets: dict[str, list[list]]) -> bytes:
    workbook = Workbook(write_only=True)
    for title, rows in sheets.items():
        sheet = workbook.create_sheet(title)
        for row in rows:
            sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _numeric_rows_then(late_row: list, header: list = HEADER) -> bytes:
    return _workbook_bytes({"Sheet1": [header, *(_row(i) for i in range(LATE)), late_row]})


def test_a_late_cancellation_keeps_its_c_prefix_and_is_counted_as_a_cancellation():
    late = ["C536379", "D", "Discount", -1, dt.datetime(2010, 12, 1, 9, 41), 27.5, 14527, "United Kingdom"]

    frame = load_transactions(_numeric_rows_then(late), use_cache=False).transactions
    _, report = clean_transactions(frame)

    assert frame["InvoiceNo"].iloc[-1] == "C536379"
    assert frame["InvoiceNo"].iloc[0] == "536365"
    assert frame["InvoiceNo"].notna().all()
    assert report.cancellations == 1


def test_a_late_cancellation_in_online_retail_ii_keeps_its_c_prefix():
    late = [
        "C489449",
        "22087",
        "PAPER BUNTING",
        -12,
        dt.datetime(2009, 12, 1, 10, 33),
        2.95,
        16321,
        "Australia",
    ]

    frame = load_transactions(_numeric_rows_then(late, HEADER_II), use_cache=False).transactions

    assert frame["InvoiceNo"].iloc[-1] == "C489449"
    assert frame["StockCode"].iloc[-1] == "22087"


def test_numeric_identifier_cells_read_as_integers_written_as_text():
    frame = load_transactions(_numeric_rows_then(_row(LATE)), use_cache=False).transactions

    assert frame["StockCode"].iloc[0] == "85123"
    assert frame["InvoiceNo"].iloc[-1] == str(536365 + LATE)


def test_a_late_letter_suffixed_stock_code_is_kept():
    late = _row(LATE)
    late[1] = "85123A"

    frame = load_transactions(_numeric_rows_then(late), use_cache=False).transactions

    assert frame["StockCode"].iloc[-1] == "85123A"


def test_a_late_text_customer_id_is_reported_not_silently_dropped():
    late = _row(LATE)
    late[6] = "unknown"

    with pytest.raises(DataError, match=r"CustomerID.*'unknown'"):
        load_transactions(_numeric_rows_then(late), use_cache=False)


def test_a_late_text_quantity_is_named_as_not_a_number():
    late = _row(LATE)
    late[3] = "six"

    with pytest.raises(DataError, match=r"Quantity.*not numbers.*'six'"):
        load_transactions(_numeric_rows_then(late), use_cache=False)


def test_dates_mixing_real_dates_text_and_serial_numbers_all_parse():
    rows = [_row(i) for i in range(LATE)]
    rows[-3][4] = "2011-12-09 12:50"
    rows[-2][4] = "12/9/2011 12:49"
    rows[-1][4] = 40886.5  # Excel serial of 2011-12-09 12:00, a date cell that lost its format
    data = _workbook_bytes({"Sheet1": [HEADER, *rows]})

    dates = load_transactions(data, use_cache=False).transactions["InvoiceDate"]

    assert dates.iloc[0] == pd.Timestamp("2010-12-01 08:26")
    assert list(dates.iloc[-3:]) == [
        pd.Timestamp("2011-12-09 12:50"),
        pd.Timestamp("2011-12-09 12:49"),
        pd.Timestamp("2011-12-09 12:00"),
    ]
    assert str(dates.dtype) == "datetime64[ns]"


def test_date_only_cells_load_as_midnight():
    rows = [_row(i) for i in range(3)]
    for row in rows:
        row[4] = dt.date(2011, 1, 5)
    data = _workbook_bytes({"Sheet1": [HEADER, *rows]})

    dates = load_transactions(data, use_cache=False).transactions["InvoiceDate"]

    assert (dates == pd.Timestamp("2011-01-05")).all()


def test_an_empty_first_sheet_is_skipped():
    data = _workbook_bytes({"Notes": [], "Online Retail": [HEADER, _row(0), _row(1)]})

    tables = read_tables(data, "book.xlsx")

    assert [table.label for table in tables] == ["book.xlsx [Online Retail]"]
    assert len(load_transactions(data, use_cache=False).transactions) == 2


def test_a_workbook_without_any_cell_is_reported():
    with pytest.raises(DataError, match="no data on any sheet"):
        read_tables(_workbook_bytes({"Sheet1": [], "Sheet2": []}), "blank.xlsx")


def test_extra_columns_and_stray_spaces_in_the_header_are_tolerated():
    header = [" InvoiceNo ", "Row", *HEADER[1:6], "CustomerID ", "Country", "Note"]
    rows = [header]
    for i in range(LATE):
        row = _row(i)
        rows.append([row[0], i, *row[1:], "ok"])
    data = _workbook_bytes({"Sheet1": rows})

    tables = read_tables(data, "wide.xlsx")
    frame = load_transactions(data, use_cache=False).transactions

    assert list(tables[0].frame.columns) == [name.strip() for name in header]
    assert list(frame.columns) == HEADER
    assert frame["InvoiceNo"].iloc[0] == "536365"
    assert frame["CustomerID"].iloc[0] == 17850


def test_error_cells_in_a_text_column_read_as_missing():
    rows = [_row(i) for i in range(3)]
    rows[1][2] = "#N/A"  # openpyxl stores this as an error cell
    data = _workbook_bytes({"Sheet1": [HEADER, *rows]})

    descriptions = load_transactions(data, use_cache=False).transactions["Description"]

    assert descriptions.isna().tolist() == [False, True, False]


def test_an_ole_file_that_is_no_workbook_gets_a_one_line_reason():
    ole_magic = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"

    with pytest.raises(DataError, match="not a spreadsheet") as caught:
        read_tables(ole_magic + b"\x00" * 600, "old.xls")

    assert "\n" not in str(caught.value)
