"""One cell's length is bounded (RFM_STUDIO_MAX_CELL_CHARS) in every format and every source:
a cell longer than the limit is refused with the column, the data row and the setting named."""

from __future__ import annotations

import io

import boto3
import openpyxl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from moto import mock_aws
from support.hostile_files import GOOD_ROW, HEADER, csv_bytes

from pipeline.errors import DataError
from pipeline.loading.dataset import load_transactions
from pipeline.loading.remembered import remembered_parquet

LIMIT_MESSAGE = r"over the limit of 1,000 characters, the first in data row {row} \({length:,} characters\)"


def refusal(column: str, label: str, row: int, length: int) -> str:
    return (
        rf"Column '{column}' of '{label}' has a cell {LIMIT_MESSAGE.format(row=row, length=length)}"
        r".*RFM_STUDIO_MAX_CELL_CHARS"
    )


def workbook_with(column: str, value: str) -> bytes:
    """A real xlsx (openpyxl) of two good rows, the second with ``column`` set to ``value``."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Sales"
    sheet.append(HEADER.split(","))
    sheet.append(list(GOOD_ROW.values()))
    sheet.append(list({**GOOD_ROW, column: value}.values()))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def parquet_with(column: str, value: str, *, dictionary: bool = False) -> bytes:
    """Three good rows as Parquet, the second with ``column`` set to ``value`` (as text)."""
    rows = [GOOD_ROW, {**GOOD_ROW, column: value}, GOOD_ROW]
    arrays = {name: pa.array([row[name] for row in rows]) for name in GOOD_ROW}
    if dictionary:
        arrays[column] = arrays[column].dictionary_encode()
    buffer = io.BytesIO()
    pq.write_table(pa.table(arrays), buffer)
    return buffer.getvalue()


def test_a_csv_cell_over_the_limit_names_the_column_the_row_and_the_setting():
    with pytest.raises(DataError, match=refusal("Description", "upload", 2, 50_000)):
        load_transactions(csv_bytes(Description="X" * 50_000), use_cache=False)


def test_a_csv_quote_left_open_that_swallows_the_lines_after_it_is_refused():
    good = ",".join(GOOD_ROW.values())
    opened = ",".join({**GOOD_ROW, "Description": '"WHITE HANGING HEART'}.values())
    closed = ",".join({**GOOD_ROW, "Description": 'LANTERN"'}.values())
    lines = [HEADER, good, opened, *[good] * 100, closed, good]

    with pytest.raises(DataError, match=r"Column 'Description' of 'upload' has a cell .* data row 2 .*quote"):
        load_transactions(("\n".join(lines) + "\n").encode(), use_cache=False)


def test_a_cell_at_the_limit_loads_and_the_limit_counts_characters_not_bytes():
    # 1000 accented letters are 2000 bytes of UTF-8, still 1000 characters.
    loaded = load_transactions(csv_bytes(Description="é" * 1000), use_cache=False).transactions

    assert loaded["Description"].iloc[1] == "é" * 1000


def test_raising_the_setting_lets_a_genuine_long_cell_through(monkeypatch):
    monkeypatch.setenv("RFM_STUDIO_MAX_CELL_CHARS", "5000")

    loaded = load_transactions(csv_bytes(Country="Y" * 4000), use_cache=False).transactions

    assert len(loaded["Country"].iloc[1]) == 4000


def test_lowering_the_setting_refuses_what_the_default_accepts(monkeypatch):
    monkeypatch.setenv("RFM_STUDIO_MAX_CELL_CHARS", "10")

    with pytest.raises(DataError, match=r"Column 'Description' .* over the limit of 10 characters"):
        load_transactions(csv_bytes(), use_cache=False)


def test_an_xlsx_cell_over_the_limit_names_the_sheet_column_and_row():
    with pytest.raises(DataError, match=refusal("Country", r"upload \[Sales\]", 2, 3000)):
        load_transactions(workbook_with("Country", "Z" * 3000), use_cache=False)


def test_a_parquet_cell_over_the_limit_names_the_column_and_row():
    with pytest.raises(DataError, match=refusal("StockCode", "upload", 2, 2000)):
        load_transactions(parquet_with("StockCode", "S" * 2000), use_cache=False)


def test_a_dictionary_encoded_parquet_cell_over_the_limit_names_its_row_not_its_dictionary_entry():
    with pytest.raises(DataError, match=refusal("Country", "upload", 2, 2000)):
        load_transactions(parquet_with("Country", "C" * 2000, dictionary=True), use_cache=False)


def test_a_long_cell_in_a_column_the_app_does_not_use_is_no_reason_to_refuse():
    lines = [HEADER + ",Notes", ",".join(GOOD_ROW.values()) + "," + "n" * 5000]

    loaded = load_transactions(("\n".join(lines) + "\n").encode(), use_cache=False)

    assert len(loaded.transactions) == 1


@mock_aws
def test_an_s3_object_with_a_long_cell_is_refused_like_an_upload(monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    s3 = boto3.client("s3", region_name="us-east-1")
    s3.create_bucket(Bucket="retail")
    s3.put_object(Bucket="retail", Key="long.csv", Body=csv_bytes(Description="X" * 2000))

    with pytest.raises(DataError, match=refusal("Description", "long.csv", 2, 2000)):
        load_transactions("s3://retail/long.csv")


def test_a_cached_dataset_is_parsed_again_when_the_limit_is_lowered_below_its_longest_cell(
    monkeypatch, tmp_path
):
    path = tmp_path / "long.csv"
    path.write_bytes(csv_bytes(Description="X" * 600))
    assert load_transactions(path).transactions["Description"].iloc[1] == "X" * 600
    assert remembered_parquet(path, 10**9) is not None

    monkeypatch.setenv("RFM_STUDIO_MAX_CELL_CHARS", "500")

    assert remembered_parquet(path, 10**9) is None
    with pytest.raises(DataError, match=r"data row 2 \(600 characters\)"):
        load_transactions(path)


def test_a_cached_dataset_within_the_limit_opens_from_the_cache(tmp_path):
    path = tmp_path / "accents.csv"
    path.write_bytes(csv_bytes(Description="é" * 900))  # 1800 bytes, 900 characters
    load_transactions(path)

    assert load_transactions(path.read_bytes()).from_cache
