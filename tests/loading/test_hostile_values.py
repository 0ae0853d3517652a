"""Values no transactions table holds: a message naming an example and its row, never a traceback,
never wrong figures. Also oversized CSV headers and Parquet files, and unusable settings."""

from __future__ import annotations

import datetime as dt
import io
import re

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from support.hostile_files import csv_bytes, parquet_bytes, wide_header_csv

from pipeline.config import data_home
from pipeline.errors import DataError, StudioError
from pipeline.loading.dataset import load_transactions
from pipeline.loading.sources import default_max_bytes

# --- dates pandas cannot hold -------------------------------------------------------------


@pytest.mark.parametrize(
    "written",
    ["12/1/2300 8:26", "12/1/1600 8:26", "0001-01-01 00:00", "2300-01-01T00:00:00", "146000", "2958465"],
)
def test_a_date_outside_1677_to_2262_names_the_value_and_row(written):
    with pytest.raises(
        DataError, match=rf"dates outside the years 1678 to 2261, e\.g\. '{written}' in data row 2"
    ):
        load_transactions(csv_bytes(InvoiceDate=written), use_cache=False)


def test_a_parquet_timestamp_in_the_year_3000_names_the_value_and_row():
    dates = pa.array([dt.datetime(2010, 12, 1, 8, 26), dt.datetime(3000, 1, 1)], pa.timestamp("us"))

    with pytest.raises(DataError, match=r"dates outside .* e\.g\. '3000-01-01 00:00:00' in data row 2"):
        load_transactions(parquet_bytes(dates), use_cache=False)


def test_a_binary_parquet_date_column_that_is_text_loads():
    dates = pa.array([b"12/1/2010 8:26", b"12/2/2010 9:00"], pa.binary())

    loaded = load_transactions(parquet_bytes(dates), use_cache=False).transactions

    assert str(loaded["InvoiceDate"].iloc[1]) == "2010-12-02 09:00:00"


def test_a_binary_parquet_date_column_that_is_not_text_is_named():
    dates = pa.array([b"\xff\xfe\x00\x01", b"\x80"], pa.binary())

    with pytest.raises(DataError, match=r"Column 'InvoiceDate' of 'upload' holds binary data, not text"):
        load_transactions(parquet_bytes(dates), use_cache=False)


# --- numbers that are not finite or not in range ---------------------------------------------


@pytest.mark.parametrize(
    "column, written, shown",
    [
        ("Quantity", "inf", "inf"),
        ("Quantity", "-inf", "-inf"),
        ("Quantity", "1e19", "1e+19"),
        ("UnitPrice", "inf", "inf"),
        ("UnitPrice", "-1e300", "-1e+300"),
        ("CustomerID", "1e20", "1e+20"),
    ],
)
def test_a_number_that_is_infinite_or_out_of_range_names_the_value_and_row(column, written, shown):
    with pytest.raises(
        DataError,
        match=rf"Column '{column}' has 1 value\(s\) that are infinite or too large.*"
        rf"e\.g\. {re.escape(shown)} in data row 2",
    ):
        load_transactions(csv_bytes(**{column: written}), use_cache=False)


def test_a_huge_quantity_is_not_counted_as_a_return():
    # 1e19 used to wrap to a negative int64 and be removed as "Quantity zero or negative", exit 0.
    with pytest.raises(DataError, match="Quantity"):
        load_transactions(csv_bytes(Quantity="10000000000000000000"), use_cache=False)


def test_an_infinite_price_in_parquet_is_refused_like_in_csv():
    frame = load_transactions(csv_bytes(), use_cache=False).transactions
    frame.loc[1, "UnitPrice"] = float("inf")
    buffer = io.BytesIO()
    frame.to_parquet(buffer)

    with pytest.raises(DataError, match=r"'UnitPrice' has 1 value\(s\) that are infinite"):
        load_transactions(buffer.getvalue(), use_cache=False)


# --- tables too wide, files that expand too far ----------------------------------------------


def test_a_csv_header_of_millions_of_columns_is_refused_before_parsing():
    data = wide_header_csv(5_800_000)
    assert len(data) > 40_000_000

    with pytest.raises(
        DataError, match=r"has at least [\d,]+ columns, over the limit of 1,000.*RFM_STUDIO_MAX_COLUMNS"
    ):
        load_transactions(data, use_cache=False)


def test_the_column_limit_is_a_setting(monkeypatch):
    monkeypatch.setenv("RFM_STUDIO_MAX_COLUMNS", "5")

    with pytest.raises(DataError, match=r"has 8 columns, over the limit of 5 columns"):
        load_transactions(csv_bytes(), use_cache=False)


def test_a_parquet_file_of_too_many_columns_is_refused_from_its_footer():
    table = pa.table({f"c{i}": [1] for i in range(1200)})
    buffer = io.BytesIO()
    pq.write_table(table, buffer)

    with pytest.raises(DataError, match=r"has 1,200 columns, over the limit of 1,000"):
        load_transactions(buffer.getvalue(), use_cache=False)


def test_a_parquet_file_that_decompresses_past_the_limit_is_refused_from_its_footer(monkeypatch):
    monkeypatch.setenv("RFM_STUDIO_MAX_UNZIPPED_MB", "1")
    table = pa.table({"Description": ["x" * 1000] * 5000})
    buffer = io.BytesIO()
    pq.write_table(table, buffer, compression="zstd", use_dictionary=False)
    assert buffer.tell() < 100_000

    with pytest.raises(DataError, match=r"The data of 'upload' expands to [\d.]+ MB when uncompressed"):
        load_transactions(buffer.getvalue(), use_cache=False)


# --- settings and the data directory ----------------------------------------------------------


@pytest.mark.parametrize("value", ["inf", "nan", "1e400", "-5", "0", "lots"])
def test_an_unusable_size_limit_setting_is_named(monkeypatch, value):
    monkeypatch.setenv("RFM_STUDIO_MAX_MB", value)

    with pytest.raises(
        DataError, match=rf"RFM_STUDIO_MAX_MB is set to '{value}', which is not a usable limit"
    ):
        default_max_bytes()


@pytest.mark.parametrize(
    "setting",
    [
        "RFM_STUDIO_MAX_UNZIPPED_MB",
        "RFM_STUDIO_MAX_COLUMNS",
        "RFM_STUDIO_MAX_CELLS",
        "RFM_STUDIO_PARSE_MEMORY_MB",
        "RFM_STUDIO_MAX_CELL_CHARS",
    ],
)
def test_every_limit_setting_is_checked(monkeypatch, setting):
    monkeypatch.setenv(setting, "nan")

    with pytest.raises(DataError, match=rf"{setting} is set to 'nan'"):
        load_transactions(csv_bytes(), use_cache=False)


def test_a_data_directory_that_is_a_file_is_a_studio_error(monkeypatch, tmp_path):
    not_a_folder = tmp_path / "home"
    not_a_folder.write_text("")
    monkeypatch.setenv("RFM_STUDIO_HOME", str(not_a_folder))

    with pytest.raises(StudioError, match=r"is a file, not a folder: point RFM_STUDIO_HOME at a folder"):
        data_home()


def test_a_data_directory_that_cannot_be_created_is_a_studio_error(monkeypatch):
    monkeypatch.setenv("RFM_STUDIO_HOME", "/sys/rfm-studio-home")  # refused even to root

    with pytest.raises(StudioError, match=r"Cannot create the data directory /sys/rfm-studio-home"):
        data_home()
