"""Loading and cleaning transactions: pipeline.loading.dataset on the real UCI sample and its variants."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from openpyxl import Workbook

import pipeline.loading.dataset
from pipeline.errors import DataError
from pipeline.loading.dataset import (
    CANONICAL_COLUMNS,
    SCHEMA_ONLINE_RETAIL,
    SCHEMA_ONLINE_RETAIL_II,
    clean_transactions,
    load_transactions,
)

REPO_ROOT = Path(__file__).resolve().parents[2]

CANONICAL_DTYPES = {
    "InvoiceNo": "string",
    "StockCode": "string",
    "Description": "string",
    "Quantity": "int64",
    "InvoiceDate": "datetime64[ns]",
    "UnitPrice": "float64",
    "CustomerID": "Int64",
    "Country": "string",
}


@pytest.fixture(scope="module")
def openpyxl_sample(sample_xlsx) -> pd.DataFrame:
    """The sample read independently, by pandas' default engine (openpyxl)."""
    return pd.read_excel(sample_xlsx, engine="openpyxl")


@pytest.fixture(scope="module")
def expected_cleaning(openpyxl_sample) -> dict:
    """The cleaning cascade computed independently with plain pandas on the openpyxl read."""
    df = openpyxl_sample
    counts = {"rows_read": len(df)}
    step = df[df["CustomerID"].notna()]
    counts["missing_customer"] = len(df) - len(step)
    invoice = step["InvoiceNo"].astype(str)
    after = step[~invoice.str.startswith("C")]
    counts["cancellations"] = len(step) - len(after)
    step = after[after["Quantity"] > 0]
    counts["non_positive_quantity"] = len(after) - len(step)
    after = step[step["UnitPrice"] > 0]
    counts["non_positive_price"] = len(step) - len(after)
    # Compare invoices as text, as the canonical frame does (openpyxl mixes int and str).
    keyed = after.assign(InvoiceNo=after["InvoiceNo"].astype(str), StockCode=after["StockCode"].astype(str))
    kept = keyed[~keyed.duplicated()]
    counts["duplicates"] = len(after) - len(kept)
    counts["rows_kept"] = len(kept)
    counts["customers"] = kept["CustomerID"].nunique()
    counts["countries"] = kept["Country"].nunique()
    counts["first_invoice"] = kept["InvoiceDate"].min()
    counts["last_invoice"] = kept["InvoiceDate"].max()
    counts["revenue"] = float((kept["Quantity"] * kept["UnitPrice"]).sum())
    return counts


def test_sample_loads_every_row_with_canonical_dtypes(sample_dataset, openpyxl_sample):
    frame = sample_dataset.transactions
    assert list(frame.columns) == list(CANONICAL_COLUMNS)
    assert {c: str(t) for c, t in frame.dtypes.items()} == CANONICAL_DTYPES
    assert len(frame) == len(openpyxl_sample)
    assert sample_dataset.schema == SCHEMA_ONLINE_RETAIL
    assert sample_dataset.name == "online_retail_sample_40k.xlsx"


def test_sample_values_match_an_independent_openpyxl_read(sample_dataset, openpyxl_sample):
    frame, other = sample_dataset.transactions, openpyxl_sample
    assert (frame["InvoiceNo"].to_numpy() == other["InvoiceNo"].astype(str).to_numpy()).all()
    assert (frame["StockCode"].to_numpy() == other["StockCode"].astype(str).to_numpy()).all()
    assert frame["Description"].isna().sum() == other["Description"].isna().sum()
    assert (frame["Description"].dropna().to_numpy() == other["Description"].dropna().to_numpy()).all()
    np.testing.assert_array_equal(frame["Quantity"].to_numpy(), other["Quantity"].to_numpy())
    np.testing.assert_array_equal(frame["UnitPrice"].to_numpy(), other["UnitPrice"].to_numpy())
    assert (frame["InvoiceDate"].to_numpy() == other["InvoiceDate"].astype("datetime64[ns]").to_numpy()).all()
    np.testing.assert_array_equal(
        frame["CustomerID"].astype("float64").to_numpy(na_value=np.nan), other["CustomerID"].to_numpy()
    )
    assert (frame["Country"].to_numpy() == other["Country"].to_numpy()).all()


def test_cleaning_counts_match_a_plain_pandas_computation(sample_clean, expected_cleaning):
    _, report = sample_clean
    for field in (
        "rows_read",
        "missing_customer",
        "cancellations",
        "non_positive_quantity",
        "non_positive_price",
        "duplicates",
        "rows_kept",
        "customers",
        "countries",
        "first_invoice",
        "last_invoice",
    ):
        assert getattr(report, field) == expected_cleaning[field], field
    assert report.revenue == pytest.approx(expected_cleaning["revenue"], rel=1e-9)


def test_cleaning_report_adds_up_to_the_rows_read(sample_clean):
    clean, report = sample_clean
    assert report.rows_kept == len(clean)
    assert report.rows_read == report.rows_kept + sum(rows for _, rows in report.removed())
    assert [reason for reason, _ in report.removed()] == [
        "Missing CustomerID",
        "Cancellation (invoice starts with C)",
        "Quantity zero or negative",
        "Unit price zero or negative",
        "Exact duplicate row",
    ]


def test_clean_frame_has_revenue_and_only_valid_rows(sample_clean):
    clean, _ = sample_clean
    assert list(clean.columns) == [*CANONICAL_COLUMNS, "Revenue"]
    assert clean["CustomerID"].notna().all()
    assert not clean["InvoiceNo"].str.startswith("C").any()
    assert (clean["Quantity"] > 0).all() and (clean["UnitPrice"] > 0).all()
    assert not clean.duplicated(subset=list(CANONICAL_COLUMNS)).any()
    np.testing.assert_allclose(clean["Revenue"], clean["Quantity"] * clean["UnitPrice"])


def test_cleaning_report_to_dict_is_json_serialisable(sample_clean):
    _, report = sample_clean
    restored = json.loads(json.dumps(report.to_dict()))
    assert restored["rows_kept"] == report.rows_kept
    assert pd.Timestamp(restored["first_invoice"]) == report.first_invoice
    assert restored["revenue"] == pytest.approx(report.revenue)


def test_each_removed_row_is_counted_once_at_its_first_reason():
    frame = _frame(
        [
            ("C1", None, -1, 1.0),  # no customer (also a cancellation): counted as missing customer
            ("C2", 1, -1, 1.0),  # cancellation (also negative quantity): counted as cancellation
            ("3", 1, 0, 0.0),  # zero quantity (also zero price): counted as quantity
            ("4", 1, 2, -5.0),  # negative price
            ("5", 1, 2, 1.0),
            ("5", 1, 2, 1.0),  # exact duplicate of the row above
            ("6", 2, 1, 3.0),
        ]
    )
    _, report = clean_transactions(frame)
    assert report.removed() == [
        ("Missing CustomerID", 1),
        ("Cancellation (invoice starts with C)", 1),
        ("Quantity zero or negative", 1),
        ("Unit price zero or negative", 1),
        ("Exact duplicate row", 1),
    ]
    assert (report.rows_kept, report.customers, report.revenue) == (2, 2, 5.0)


def test_nothing_left_after_cleaning_is_an_error_with_the_breakdown():
    frame = _frame([("1", None, 1, 1.0), ("C2", 5, 1, 1.0)])
    with pytest.raises(DataError) as error:
        clean_transactions(frame)
    # The reasons as the cleaning report names them (not lower-cased: CustomerID, "C"), only those
    # that removed rows.
    assert str(error.value).startswith(
        "Nothing is left after cleaning the 2 rows read "
        "(Missing CustomerID: 1, Cancellation (invoice starts with C): 1). "
    )


def test_a_file_with_a_header_and_no_rows_says_so(sample_dataset):
    header = ",".join(sample_dataset.transactions.columns.drop("Revenue", errors="ignore")) + "\n"
    with pytest.raises(DataError, match=r"^The file has a header but no rows of transactions"):
        clean_transactions(load_transactions(header.encode("utf-8")).transactions)


def test_online_retail_ii_two_sheet_workbook_loads_to_the_same_frame(sample_dataset, tmp_path):
    original = sample_dataset.transactions.iloc[:3000]
    early = original["InvoiceDate"] < pd.Timestamp("2011-06-01")
    workbook = Workbook(write_only=True)
    for title, part in (("Year 2009-2010", original[early]), ("Year 2010-2011", original[~early])):
        sheet = workbook.create_sheet(title)
        sheet.append(
            [
                "Invoice",
                "StockCode",
                "Description",
                "Quantity",
                "InvoiceDate",
                "Price",
                "Customer ID",
                "Country",
            ]
        )
        for row in part.itertuples(index=False):
            sheet.append([_cell(v) for v in row])
    path = tmp_path / "online_retail_II.xlsx"
    workbook.save(path)

    loaded = load_transactions(path, use_cache=False)

    assert loaded.schema == SCHEMA_ONLINE_RETAIL_II
    expected = pd.concat([original[early], original[~early]], ignore_index=True)
    pd.testing.assert_frame_equal(loaded.transactions, expected)


@pytest.mark.parametrize(
    ("encoding", "separator", "date_style"),
    [
        ("utf-8", ",", "us-long"),
        ("utf-8-sig", ";", "us-short"),
        ("cp1252", ",", "iso"),
        ("latin-1", ";", "serial"),
        ("utf-8", "\t", "us-long"),
    ],
)
def test_csv_variants_load_to_the_same_frame(sample_dataset, encoding, separator, date_style):
    original = sample_dataset.transactions.iloc[:2000].copy()
    original.loc[0, "Description"] = "CAFÉ SIGN £5"  # a non-ASCII text survives every encoding
    table = original.astype(object)
    table["InvoiceDate"] = _format_dates(original["InvoiceDate"], date_style)
    data = table.to_csv(sep=separator, index=False).encode(encoding)

    loaded = load_transactions(data, use_cache=False)

    pd.testing.assert_frame_equal(loaded.transactions, original.reset_index(drop=True))


def test_csv_with_decimal_commas_reads_prices(sample_dataset):
    original = sample_dataset.transactions.iloc[:50]
    table = original.astype(object)
    table["UnitPrice"] = original["UnitPrice"].map(lambda p: repr(p).replace(".", ","))
    data = table.to_csv(sep=";", index=False).encode("utf-8")
    loaded = load_transactions(data, use_cache=False)
    np.testing.assert_array_equal(loaded.transactions["UnitPrice"], original["UnitPrice"])


def test_parquet_loads_to_the_same_frame(sample_dataset):
    buffer = io.BytesIO()
    sample_dataset.transactions.to_parquet(buffer, index=False)
    loaded = load_transactions(buffer.getvalue(), use_cache=False)
    pd.testing.assert_frame_equal(loaded.transactions, sample_dataset.transactions)


def test_uploaded_file_object_is_read_with_its_name(sample_xlsx, sample_dataset):
    upload = io.BytesIO(sample_xlsx.read_bytes())
    upload.name = "my upload.xlsx"
    loaded = load_transactions(upload)
    assert loaded.name == "my upload.xlsx"
    pd.testing.assert_frame_equal(loaded.transactions, sample_dataset.transactions)


def test_cache_hit_returns_the_identical_frame_without_parsing(sample_xlsx, monkeypatch):
    first = load_transactions(sample_xlsx)

    def no_parsing(*args, **kwargs):
        raise AssertionError("the file was parsed again")

    monkeypatch.setattr(pipeline.loading.dataset, "read_tables", no_parsing)
    again = load_transactions(sample_xlsx)

    assert (first.from_cache, again.from_cache) == (False, True)
    assert again.content_hash == first.content_hash
    assert again.schema == first.schema
    pd.testing.assert_frame_equal(again.transactions, first.transactions)


def test_an_unchanged_file_reopens_from_the_cache_unread(sample_xlsx, tmp_path, monkeypatch):
    path = tmp_path / "shop.xlsx"
    path.write_bytes(sample_xlsx.read_bytes())
    first = load_transactions(path)

    def not_read(*args, **kwargs):
        raise AssertionError("an unchanged file was read again")

    monkeypatch.setattr(pipeline.loading.dataset, "read_source", not_read)
    again = load_transactions(path)

    assert again.from_cache and again.content_hash == first.content_hash
    assert (again.name, again.source) == ("shop.xlsx", str(path))
    pd.testing.assert_frame_equal(again.transactions, first.transactions)


def test_a_changed_file_is_read_and_hashed_again(sample_dataset, tmp_path):
    path = tmp_path / "shop.csv"
    frame = sample_dataset.transactions
    frame.head(500).to_csv(path, index=False)
    first = load_transactions(path)
    frame.head(800).to_csv(path, index=False)
    os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns + 1_000_000))

    again = load_transactions(path)

    assert again.content_hash != first.content_hash
    assert (len(first.transactions), len(again.transactions)) == (500, 800)


def test_cache_is_keyed_by_content_not_by_name(sample_xlsx, tmp_path):
    copy = tmp_path / "renamed.xlsx"
    copy.write_bytes(sample_xlsx.read_bytes())
    first = load_transactions(sample_xlsx)
    second = load_transactions(copy)
    assert second.from_cache and second.content_hash == first.content_hash
    assert second.name == "renamed.xlsx"


def test_cache_path_is_the_canonical_parquet_of_first_and_cached_loads(sample_xlsx):
    first = load_transactions(sample_xlsx)
    again = load_transactions(sample_xlsx)
    assert first.cache_path == again.cache_path
    pd.testing.assert_frame_equal(pd.read_parquet(again.cache_path), first.transactions)


def test_the_cache_entry_is_compressed_with_dictionary_text_so_launches_copy_a_small_file(sample_xlsx):
    import pyarrow.parquet as pq

    entry = load_transactions(sample_xlsx).cache_path
    metadata = pq.ParquetFile(entry).metadata
    chunks = [
        metadata.row_group(g).column(c)
        for g in range(metadata.num_row_groups)
        for c in range(metadata.num_columns)
    ]
    assert {chunk.compression for chunk in chunks} == {"SNAPPY"}
    country = [chunk for chunk in chunks if chunk.path_in_schema == "Country"]
    assert all(chunk.has_dictionary_page for chunk in country)


def test_canonical_parquet_is_the_cache_entry_or_one_copy_in_uploads(sample_xlsx, studio_home):
    cached = load_transactions(sample_xlsx)
    assert pipeline.loading.dataset.canonical_parquet(cached) == cached.cache_path

    uncached = load_transactions(sample_xlsx, use_cache=False)
    path = pipeline.loading.dataset.canonical_parquet(uncached)
    assert path.parent == studio_home / "uploads"
    assert pipeline.loading.dataset.canonical_parquet(uncached) == path
    pd.testing.assert_frame_equal(pd.read_parquet(path), uncached.transactions)


def test_use_cache_false_writes_no_cache_entry(sample_xlsx, studio_home):
    assert load_transactions(sample_xlsx, use_cache=False).cache_path is None
    cache = studio_home / "cache"
    assert not cache.exists() or not any(cache.iterdir())


def test_damaged_cache_entry_is_parsed_again(sample_xlsx, studio_home):
    first = load_transactions(sample_xlsx)
    for parquet in (studio_home / "cache").glob("*.parquet"):
        parquet.write_bytes(b"not parquet")
    again = load_transactions(sample_xlsx)
    assert not again.from_cache
    pd.testing.assert_frame_equal(again.transactions, first.transactions)


# --- bad input: one error type, a message that says what is wrong and what to do ----------


def test_binary_file_is_not_a_spreadsheet():
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(64)
    with pytest.raises(DataError, match="is not a spreadsheet, CSV or Parquet file"):
        load_transactions(png, name="photo.png")


def zip_of_a_text_file() -> bytes:
    """A zip archive (the container of an .xlsx) holding no workbook."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("notes.txt", "hello")
    return buffer.getvalue()


def test_zip_that_is_not_a_workbook_is_not_a_spreadsheet():
    with pytest.raises(DataError, match=r"'archive.zip' is not a spreadsheet, CSV or Parquet file") as caught:
        load_transactions(zip_of_a_text_file(), name="archive.zip")
    assert "calamine" not in str(caught.value)  # the reader's name means nothing to the user


def test_a_zip_named_xlsx_says_the_workbook_could_not_be_opened_in_plain_words():
    with pytest.raises(DataError, match=r"'sales.xlsx' is not a spreadsheet") as caught:
        load_transactions(zip_of_a_text_file(), name="sales.xlsx")
    message = str(caught.value)
    assert "could not be opened: " in message and "calamine" not in message.lower()
    assert message.endswith(
        "Choose the Online Retail workbook (.xlsx), a CSV export of it, or a Parquet file."
    )


def test_empty_file_is_reported():
    with pytest.raises(DataError, match="is empty"):
        load_transactions(b"", name="empty.csv")


def test_missing_columns_are_named_and_the_found_columns_listed():
    data = b"Invoice,StockCode,Quantity,Date,Price,Country\n1,A,1,2011-01-01,1.0,UK\n"
    with pytest.raises(DataError) as caught:
        load_transactions(data, name="orders.csv")
    message = str(caught.value)
    assert "lacks the required column(s) Description, InvoiceDate, CustomerID" in message
    assert "Columns found: Invoice, StockCode, Quantity, Date, Price, Country" in message


def test_unreadable_dates_name_the_column_and_a_bad_value():
    data = (
        b"InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country\n"
        b"1,A,x,1,12/1/2010 8:26,1.0,5,UK\n"
        b"2,A,x,1,next tuesday,1.0,5,UK\n"
    )
    with pytest.raises(
        DataError, match=r"Column 'InvoiceDate' has 1 value\(s\) that are not dates, e.g. 'next tuesday'"
    ):
        load_transactions(data)


def test_text_in_a_number_column_is_named():
    data = (
        b"InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country\n"
        b"1,A,x,lots,2011-01-01,1.0,5,UK\n"
    )
    with pytest.raises(
        DataError, match=r"Column 'Quantity' has 1 value\(s\) that are not numbers, e.g. 'lots'"
    ):
        load_transactions(data)


def test_nothing_left_after_cleaning_is_reported_for_a_loaded_file():
    data = (
        b"InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country\n"
        b"1,A,x,1,2011-01-01,1.0,,UK\n"
    )
    with pytest.raises(DataError, match="Nothing is left after cleaning"):
        clean_transactions(load_transactions(data).transactions)


def test_file_over_the_size_limit_is_refused(sample_xlsx):
    with pytest.raises(
        DataError, match=r"'online_retail_sample_40k.xlsx' is 2.4 MB, which is over the size limit of 1.0 MB"
    ):
        load_transactions(sample_xlsx, max_bytes=1024 * 1024)


def test_size_limit_defaults_to_rfm_studio_max_mb(sample_xlsx, monkeypatch):
    monkeypatch.setenv("RFM_STUDIO_MAX_MB", "1")
    with pytest.raises(DataError, match="RFM_STUDIO_MAX_MB"):
        load_transactions(sample_xlsx)


def test_oversized_upload_is_refused(sample_xlsx):
    upload = io.BytesIO(sample_xlsx.read_bytes())
    upload.name = "big.xlsx"
    with pytest.raises(DataError, match=r"'big\.xlsx' is over the size limit of 1000 B"):
        load_transactions(upload, max_bytes=1000)


def test_missing_path_is_reported(tmp_path):
    with pytest.raises(DataError, match="There is no file at"):
        load_transactions(tmp_path / "nope.xlsx")


# --- helpers ----------------------------------------------------------------------------


def _frame(rows: list[tuple]) -> pd.DataFrame:
    """Canonical transactions from (InvoiceNo, CustomerID, Quantity, UnitPrice) tuples."""
    n = len(rows)
    return pd.DataFrame(
        {
            "InvoiceNo": pd.array([r[0] for r in rows], dtype="string"),
            "StockCode": pd.array(["A"] * n, dtype="string"),
            "Description": pd.array(["thing"] * n, dtype="string"),
            "Quantity": np.array([r[2] for r in rows], dtype="int64"),
            "InvoiceDate": pd.to_datetime(["2011-01-01 10:00"] * n).astype("datetime64[ns]"),
            "UnitPrice": np.array([r[3] for r in rows], dtype="float64"),
            "CustomerID": pd.array([r[1] for r in rows], dtype="Int64"),
            "Country": pd.array(["United Kingdom"] * n, dtype="string"),
        }
    )


def _cell(value):
    if value is pd.NA or (isinstance(value, float) and np.isnan(value)):
        return None
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    if isinstance(value, str) and value.isdigit():
        return int(value)  # numeric invoices and stock codes are number cells, as in UCI's files
    if isinstance(value, np.integer):
        return int(value)
    return value


def _format_dates(dates: pd.Series, style: str) -> pd.Series:
    if style == "iso":
        return dates.dt.strftime("%Y-%m-%dT%H:%M:%S")
    if style == "serial":
        return ((dates - pd.Timestamp("1899-12-30")) / pd.Timedelta(days=1)).map(repr)
    year = dates.dt.year if style == "us-long" else dates.dt.year % 100
    year_text = year.astype(str) if style == "us-long" else year.map("{:02d}".format)
    return (
        dates.dt.month.astype(str)
        + "/"
        + dates.dt.day.astype(str)
        + "/"
        + year_text
        + " "
        + dates.dt.hour.astype(str)
        + ":"
        + dates.dt.minute.map("{:02d}".format)
    )


def test_xlsx_loading_never_imports_openpyxl(sample_xlsx, studio_home):
    script = (
        "import sys\n"
        "from pipeline.loading.dataset import load_transactions\n"
        f"load_transactions({str(sample_xlsx)!r}, use_cache=False)\n"
        "assert 'openpyxl' not in sys.modules, 'openpyxl was imported'\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=REPO_ROOT, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("kept", [0.5, 0.99])
def test_a_workbook_cut_short_says_it_is_damaged_or_incomplete_not_that_it_is_no_spreadsheet(
    sample_xlsx, kept
):
    # The real sample cut as an interrupted download leaves it: its zip directory (at the end) gone.
    data = sample_xlsx.read_bytes()
    with pytest.raises(DataError) as caught:
        load_transactions(data[: int(len(data) * kept)], name="truncated.xlsx", use_cache=False)
    message = str(caught.value)
    assert message.startswith("'truncated.xlsx' starts as an Excel workbook but is damaged or incomplete")
    assert "was the download or copy interrupted?" in message and "not a spreadsheet" not in message
