"""Round 7's hostile-file review: what broke, each with the test that failed before its fix
(the list of what was tried, and what held, is in benchmarks/README.md, "Round 7: hardening")."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from support.hostile_files import GOOD_ROW, csv_bytes

from pipeline.analysis.rfm import compute_rfm, filter_transactions
from pipeline.errors import DataError
from pipeline.loading.dataset import clean_transactions, load_transactions

REPO_ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    "written, first, last",
    [
        ("1/2/1700 9:00", "1700-01-02 in data row 2", "2010-12-01 in data row 1"),
        ("12/30/2261 9:00", "2010-12-01 in data row 1", "2261-12-30 in data row 2"),
    ],
)
def test_dates_spanning_more_than_recency_can_count_are_refused_naming_both_ends(written, first, last):
    # Each date is within 1678-2261 on its own; together they made compute_rfm raise OverflowError.
    with pytest.raises(DataError, match=rf"'InvoiceDate' spans \d+ years, from {first} to {last}"):
        load_transactions(csv_bytes(InvoiceDate=written, CustomerID="17851"), use_cache=False)


def test_dates_a_century_apart_load_and_score():
    loaded = load_transactions(csv_bytes(InvoiceDate="1/2/1911 9:00", CustomerID="17851"), use_cache=False)
    clean, _ = clean_transactions(loaded.transactions)

    rfm = compute_rfm(clean).set_index("CustomerID")

    assert rfm.loc[17851, "Recency"] == 36_493  # 1911-01-02 09:00 to 2010-12-02, whole days


def many_countries_csv(countries: list[str]) -> bytes:
    header, good = csv_bytes().decode().splitlines()[:2]
    rows = [
        good.replace("17850", str(20000 + i)).replace("United Kingdom", country)
        for i, country in enumerate(countries)
    ]
    return ("\n".join([header, *rows]) + "\n").encode()


def test_an_unknown_country_lists_a_bounded_number_of_the_files_countries():
    countries = [f"Country {i:05d} " + "x" * 900 for i in range(10_000)]
    clean, _ = clean_transactions(
        load_transactions(many_countries_csv(countries), use_cache=False).transactions
    )

    with pytest.raises(DataError) as raised:
        filter_transactions(clean, countries=["Atlantis"])

    message = str(raised.value)
    assert message.startswith("No transactions from Atlantis. Choose among: Country 00000 xxx")
    assert message.endswith("and 9,950 more.") and len(message) < 3_000


def test_control_characters_in_a_country_never_reach_a_message():
    countries = ["United Kingdom", "\x1b]0;owned\x07Evil\x7fLand"]
    clean, _ = clean_transactions(
        load_transactions(many_countries_csv(countries), use_cache=False).transactions
    )

    with pytest.raises(DataError) as raised:
        filter_transactions(clean, countries=["Atlantis\x1b[2J"])

    assert "?]0;owned?Evil?Land" in str(raised.value) and "Atlantis?[2J" in str(raised.value)
    assert all(ch.isprintable() for ch in str(raised.value))


@pytest.mark.parametrize("written", ["", "   "])
def test_a_blank_invoice_number_is_refused_naming_its_row(written):
    # It was loaded, and compute_rfm then gave the other customer's invoice to the first one
    # (Frequency 0 and the wrong Country), with no error.
    with pytest.raises(DataError, match=r"Column 'InvoiceNo' is empty in 1 row\(s\) \(first at data row 2\)"):
        load_transactions(csv_bytes(InvoiceNo=written, CustomerID="17851"), use_cache=False)


def test_control_characters_in_an_uploaded_files_name_are_not_kept_in_the_datasets_name():
    upload = io.BytesIO(csv_bytes())
    upload.name = "shop\x1b]0;owned\x07\x00.csv"

    loaded = load_transactions(upload, use_cache=False)

    assert loaded.name == "shop?]0;owned??.csv"
    assert load_transactions(csv_bytes(), name="a\x1b[2Jb.csv", use_cache=False).name == "a?[2Jb.csv"


def test_a_very_long_file_name_keeps_its_start_and_extension():
    loaded = load_transactions(csv_bytes(), name="x" * 5000 + ".csv", use_cache=False)

    assert len(loaded.name) == 120 and loaded.name.startswith("xxx") and loaded.name.endswith("xxx.csv")


def test_rfm_of_a_frame_with_a_missing_invoice_number_keeps_each_customer_to_their_own_lines():
    # A frame built without the loader (which refuses blank invoice numbers): factorize's -1 for
    # the missing one indexed the last invoice, so customer 17850 got Frequency 0 and France.
    frame = load_transactions(
        csv_bytes(InvoiceNo="536366", CustomerID="17851", Country="France"), use_cache=False
    )
    clean, _ = clean_transactions(frame.transactions)
    clean["InvoiceNo"] = clean["InvoiceNo"].astype("string")
    clean.loc[1, "InvoiceNo"] = None

    rfm = compute_rfm(clean).set_index("CustomerID")

    assert rfm.loc[17850, ["Country", "Frequency"]].tolist() == ["United Kingdom", 1]
    assert rfm.loc[17851, ["Country", "Frequency"]].tolist() == ["France", 1]


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be"])
def test_utf16_text_as_excel_exports_it_loads_the_same_rows_as_utf8(sample_dataset, encoding):
    # Excel's "Unicode Text" is tab-separated UTF-16 with a byte-order mark; its NUL bytes made
    # it "not a spreadsheet, CSV or Parquet file".
    text = sample_dataset.transactions.head(2000).to_csv(sep="\t", index=False, lineterminator="\r\n")
    data = text.encode("utf-16") if encoding == "utf-16" else b"\xfe\xff" + text.encode("utf-16-be")

    loaded = load_transactions(data, use_cache=False).transactions

    pd.testing.assert_frame_equal(loaded, load_transactions(text.encode(), use_cache=False).transactions)
    assert loaded["Country"].nunique() > 1 and len(loaded) == 2000


def test_bytes_that_start_like_utf16_but_are_not_are_not_a_table():
    with pytest.raises(DataError, match=r"is not a spreadsheet, CSV or Parquet file \(it starts as UTF-16"):
        load_transactions(b"\xff\xfe\x00\xd8", use_cache=False)


@pytest.mark.parametrize("as_of", ["2262-01-01", "2300-01-01"])
def test_an_as_of_date_too_far_after_the_data_is_a_message_not_an_overflow(as_of):
    # 2262 raised OverflowError in compute_rfm (Recency from 1900), 2300 OutOfBoundsDatetime.
    loaded = load_transactions(csv_bytes(InvoiceDate="1/2/1900 9:00", CustomerID="17851"), use_cache=False)
    clean, _ = clean_transactions(loaded.transactions)

    with pytest.raises(
        DataError, match=rf"The as-of date {as_of} is more than 50 years after the last invoice"
    ):
        compute_rfm(clean, as_of=as_of)


def test_the_rfm_command_says_why_an_as_of_date_is_too_far_without_a_traceback(tmp_path):
    path = tmp_path / "old.csv"
    path.write_bytes(csv_bytes(InvoiceDate="1/2/1900 9:00", CustomerID="17851"))

    result = subprocess.run(
        [sys.executable, "-m", "pipeline", "rfm", str(path), "--as-of", "2300-01-01"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode == 2
    assert "more than 50 years after the last invoice" in result.stderr + result.stdout
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    "country", [pa.array([["United Kingdom"], ["France"]]), pa.array([{"name": "UK"}, {"name": "FR"}])]
)
def test_a_parquet_column_of_lists_or_records_is_refused_naming_it(country):
    # It loaded, and the Country became the text "['United Kingdom']".
    table = pa.table({**{name: [value, value] for name, value in GOOD_ROW.items()}, "Country": country})
    buffer = io.BytesIO()
    pq.write_table(table, buffer)

    with pytest.raises(DataError, match=r"Column 'Country' of 'upload' holds lists or records"):
        load_transactions(buffer.getvalue(), use_cache=False)
