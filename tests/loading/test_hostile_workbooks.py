"""Workbooks made to exhaust the reader: refused from what they declare, or stopped in the child.

A 1.5 KB workbook with cells at A1 and XFD1048576 made the reader ask for 512 GiB and abort the
whole process (SIGABRT). Each of these files now gives a DataError naming the limit hit and its
setting, and the test process, which would have died with the reader before, carries on.
"""

from __future__ import annotations

import pytest
from support.hostile_files import (
    far_apart_cells,
    lying_shared_strings,
    many_members_zip,
    sheet_xml,
    whitespace_bomb,
    workbook_bytes,
)

from pipeline.errors import DataError
from pipeline.loading.dataset import load_transactions
from pipeline.loading.limits import current_limits
from pipeline.loading.readers import read_tables
from pipeline.loading.workbook_guard import dimension_size, zip_member_count
from pipeline.loading.workbook_sandbox import _child_failure


@pytest.mark.parametrize(
    "last, limit",
    [
        ("XFD1048576", "RFM_STUDIO_MAX_COLUMNS"),
        ("XFD20000", "RFM_STUDIO_MAX_COLUMNS"),
        ("IV1048576", "RFM_STUDIO_MAX_CELLS"),
        ("CV1048576", "RFM_STUDIO_MAX_CELLS"),
    ],
)
def test_a_sheet_declaring_cells_far_apart_is_refused_before_it_is_read(last, limit):
    data = far_apart_cells(last)
    assert len(data) < 2000  # the tiny file of the report

    with pytest.raises(DataError, match=rf"declares cells A1:{last}.*over the limit.*{limit}"):
        load_transactions(data)


@pytest.mark.parametrize("dimension", [None, "lie"], ids=["undeclared", "declared A1:B2"])
def test_cells_far_apart_that_are_not_declared_stop_the_child_not_the_app(dimension):
    data = far_apart_cells("XFD1048576", dimension=dimension)

    with pytest.raises(
        DataError, match=r"stopped at the memory limit of 2\.0 GB.*RFM_STUDIO_PARSE_MEMORY_MB"
    ):
        load_transactions(data)

    # Still alive, and the reader still works for the next file.
    assert len(read_tables(workbook_bytes(sheet_xml({"A1": "InvoiceNo", "A2": 1.0})), "ok.xlsx")) == 1


def test_a_shared_string_table_declaring_billions_of_entries_is_refused():
    with pytest.raises(DataError, match=r"declares 4,000,000,000 distinct texts.*RFM_STUDIO_MAX_CELLS"):
        load_transactions(lying_shared_strings())


def test_a_sheet_that_inflates_past_the_limit_is_refused_from_the_zip_directory(tmp_path, monkeypatch):
    monkeypatch.setenv("RFM_STUDIO_MAX_UNZIPPED_MB", "5")
    bomb = whitespace_bomb(tmp_path / "bomb.xlsx", 20 * 1024 * 1024)
    assert bomb.stat().st_size < 200_000

    with pytest.raises(DataError, match=r"expands to 20\.0 MB when uncompressed.*RFM_STUDIO_MAX_UNZIPPED_MB"):
        load_transactions(bomb)


def test_a_zip_of_too_many_files_is_refused_from_its_end_record():
    data = many_members_zip(10_001)
    assert zip_member_count(data) == 10_001

    with pytest.raises(DataError, match=r"zip of 10,001 files"):
        load_transactions(data)


def test_a_workbook_reader_that_takes_too_long_is_stopped(sample_xlsx, monkeypatch):
    monkeypatch.setenv("RFM_STUDIO_PARSE_SECONDS", "0.05")  # less than any Python start-up

    with pytest.raises(DataError, match=r"took longer than 0\.05 s.*RFM_STUDIO_PARSE_SECONDS"):
        load_transactions(sample_xlsx, use_cache=False)


def test_a_crashed_reader_is_reported_as_a_damaged_file():
    error = _child_failure("x.xlsx", -11, "", None, current_limits())

    assert "The workbook reader failed on 'x.xlsx' (signal 11)" in str(error)


def test_a_sheet_name_that_is_markup_is_not_repeated():
    sheet = sheet_xml({"A1": "Invoice", "B1": "Price", "A2": 1.0, "B2": 2.0})
    data = workbook_bytes(sheet, sheet_name="![x](http:__h_t.png)")

    with pytest.raises(DataError) as raised:
        load_transactions(data)

    message = str(raised.value)
    assert "lacks the required column(s)" in message and "Columns found: Invoice, Price" in message
    assert "http" not in message and "[a sheet]" in message


@pytest.mark.parametrize(
    "area, size",
    [
        ("A1:H541910", (541_910, 8)),
        ("XFD1048576", (1, 1)),
        ("A1:XFD1048576", (1_048_576, 16_384)),
        ("A:C", (1_048_576, 3)),
    ],
)
def test_a_declared_dimension_is_measured_in_rows_and_columns(area, size):
    assert dimension_size(area) == size


def test_the_real_sample_comes_back_from_the_child_intact(sample_xlsx, sample_dataset):
    tables = read_tables(sample_xlsx.read_bytes(), "sample.xlsx")

    assert [table.label for table in tables] == ["sample.xlsx [Sheet1]"]
    assert list(tables[0].frame.columns) == list(sample_dataset.transactions.columns)
    assert len(tables[0].frame) == len(sample_dataset.transactions)
