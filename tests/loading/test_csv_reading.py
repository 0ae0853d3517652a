"""The fast CSV path reads every file as the pandas path did: same text, same types, same messages."""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
import pytest

import pipeline.loading.csv_arrow
from pipeline.errors import DataError
from pipeline.loading.cleaning import repeats_of_earlier_rows
from pipeline.loading.csv_arrow import decode_text, to_utf8
from pipeline.loading.dataset import load_transactions
from pipeline.loading.dates import parse_dates
from pipeline.loading.readers import read_tables

HEADER = "InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country\n"


def _csv(*rows: str, header: str = HEADER) -> bytes:
    return (header + "".join(f"{row}\n" for row in rows)).encode("utf-8")


def _as_pandas_reads_it(data: bytes) -> pd.DataFrame:
    """The reference: pandas' reader with the old settings (every cell text, only blanks missing)."""
    return pd.read_csv(
        io.StringIO(decode_text(data)),
        sep=None,
        engine="python",
        dtype=str,
        keep_default_na=False,
        na_values=[""],
    )


def test_quoted_separators_quotes_and_line_breaks_in_a_description_are_kept():
    data = _csv(
        '536365,85123A,"KEY FOB , SHED",6,12/1/2010 8:26,2.55,17850,United Kingdom',
        '536366,71053,"PINK ""KEEP CLEAN"" BIN",6,12/1/2010 8:28,3.39,17850,United Kingdom',
        '536367,84406B,"TWO\nLINES",8,12/1/2010 8:34,2.75,13047,United Kingdom',
    )

    frame = load_transactions(data, use_cache=False).transactions

    assert list(frame["Description"]) == ["KEY FOB , SHED", 'PINK "KEEP CLEAN" BIN', "TWO\nLINES"]


def test_line_breaks_inside_quotes_survive_a_file_read_in_many_blocks(monkeypatch):
    monkeypatch.setattr(pipeline.loading.csv_arrow, "_BLOCK_SIZE", 64)  # a block holds one or two lines
    rows = [
        f'{536365 + i},A,"LINE {i}\nSECOND, PART",1,12/1/2010 8:26,1.5,{12346 + i},France' for i in range(60)
    ]

    frame = load_transactions(_csv(*rows), use_cache=False).transactions

    assert len(frame) == 60
    assert frame["Description"].iloc[59] == "LINE 59\nSECOND, PART"
    assert frame["CustomerID"].iloc[59] == 12346 + 59


def test_a_row_short_of_fields_loads_with_blanks_as_pandas_pads_it():
    data = _csv(
        "536365,85123A,WHITE HANGING HEART,6,12/1/2010 8:26,2.55,17850,United Kingdom",
        "536366,71053,WHITE METAL LANTERN,6,12/1/2010 8:28,3.39,17850",
    )

    frame = load_transactions(data, use_cache=False).transactions

    assert frame["Country"].iloc[0] == "United Kingdom"
    assert frame["Country"].isna().iloc[1]
    assert frame["Quantity"].tolist() == [6, 6]


@pytest.mark.parametrize(
    "header",
    [
        "InvoiceNo,,InvoiceNo,Quantity\n",
        "a;b;a;a.1\n",
        '"Invoice No","Stock, Code"\tx\n',
    ],
    ids=["blank and repeated", "repeat of a mangled name", "quoted"],
)
def test_header_names_are_those_pandas_gives(header):
    separator = ";" if ";" in header else ("\t" if "\t" in header and "," not in header else ",")
    width = len(_as_pandas_reads_it(header.encode()).columns)
    data = (header + separator.join(["1"] * width) + "\n").encode()

    (table,) = read_tables(data, "x.csv")

    assert list(table.frame.columns) == list(_as_pandas_reads_it(data).columns)


def test_empty_lines_before_the_header_are_skipped():
    data = b"\n\n" + _csv("536365,A,x,1,12/1/2010 8:26,1.0,17850,France")

    frame = load_transactions(data, use_cache=False).transactions

    assert frame["Country"].tolist() == ["France"]


def test_only_empty_cells_are_missing_text_such_as_na_is_kept():
    data = _csv('NA,null,"",1,12/1/2010 8:26,1.0,,N/A')

    (table,) = read_tables(data, "x.csv")

    row = table.frame.iloc[0]
    assert (row["InvoiceNo"], row["StockCode"], row["Country"]) == ("NA", "null", "N/A")
    assert pd.isna(row["Description"]) and pd.isna(row["CustomerID"])


def test_text_cells_written_as_excel_numbers_lose_their_zero_decimal_and_blank_text_is_missing():
    data = _csv(
        "536365.0,85123.0,   ,6,12/1/2010 8:26,2.55,17850,United Kingdom",
        "C536366,12.0A,x,1,12/1/2010 8:26,1,1,UK",
    )

    frame = load_transactions(data, use_cache=False).transactions

    assert frame["InvoiceNo"].tolist() == ["536365", "C536366"]
    assert frame["StockCode"].tolist() == ["85123", "12.0A"]
    assert frame["Description"].isna().tolist() == [True, False]


def test_numbers_with_spaces_around_them_are_read():
    data = _csv("536365,A,x, 6 ,12/1/2010 8:26, 2.55,17850 ,UK")

    frame = load_transactions(data, use_cache=False).transactions

    assert (frame["Quantity"].iloc[0], frame["UnitPrice"].iloc[0], frame["CustomerID"].iloc[0]) == (
        6,
        2.55,
        17850,
    )


def test_a_price_that_is_not_a_number_is_named_as_before():
    data = _csv("536365,A,x,6,12/1/2010 8:26,2.55,17850,UK", "536366,A,x,6,12/1/2010 8:26,cheap,17850,UK")

    with pytest.raises(
        DataError, match=r"Column 'UnitPrice' has 1 value\(s\) that are not numbers, e.g. 'cheap'"
    ):
        load_transactions(data, use_cache=False)


# --- encodings -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "data",
    [
        "Gift Voucher £20 café".encode("latin-1"),
        "Gift Voucher £20 café".encode(),
        "\ufeffGift Voucher £20 café".encode("utf-8"),
        "€5 “curly” — dash".encode("cp1252"),
        b"\x81\x8d\xa3 bytes undefined in cp1252",
        b"ascii only",
        ("x" * 500 + "é").encode("utf-8") + b" then latin-1 \xe9",
        "日本 ".encode() * 400,
        "é".encode("latin-1") * 400,
    ],
    ids=[
        "latin-1",
        "utf-8",
        "utf-8 with BOM",
        "cp1252",
        "latin-1 beyond cp1252",
        "ascii",
        "utf-8 then latin-1",
        "mostly non-ascii utf-8",
        "mostly non-ascii latin-1",
    ],
)
def test_bytes_become_the_utf8_of_the_text_the_encodings_give(data):
    assert to_utf8(data) == decode_text(data).encode("utf-8")


def test_a_windows_1252_export_keeps_its_euro_signs_and_pound_signs():
    data = (HEADER + "536365,A,€5 VOUCHER £,1,12/1/2010 8:26,5.0,17850,UK\n").encode("cp1252")

    frame = load_transactions(data, use_cache=False).transactions

    assert frame["Description"].iloc[0] == "€5 VOUCHER £"


# --- dates: parsed once per distinct text, reported per row ----------------------------------


def test_a_bad_date_repeated_on_several_rows_is_counted_once_a_row():
    values = pd.Series(["12/1/2010 8:26", "soon", "soon", "12/1/2010 8:26", "later"], dtype="string")

    with pytest.raises(DataError, match=r"has 3 value\(s\) that are not dates, e.g. 'soon'"):
        parse_dates(values)


def test_repeated_date_texts_each_get_their_own_rows_value():
    values = pd.Series(
        ["12/1/2010 8:26", " 1/9/2011 17:31", "12/1/2010 8:26", None, "40513.35"], dtype="string"
    )

    parsed = parse_dates(values.fillna("12/1/2010 8:26"))

    assert list(parsed) == [
        pd.Timestamp("2010-12-01 08:26"),
        pd.Timestamp("2011-01-09 17:31"),
        pd.Timestamp("2010-12-01 08:26"),
        pd.Timestamp("2010-12-01 08:26"),
        pd.Timestamp("2010-12-01 08:24"),
    ]


def test_a_missing_date_among_repeated_ones_is_reported_with_its_row():
    values = pd.Series(["12/1/2010 8:26", "12/1/2010 8:26", None], dtype="string")

    with pytest.raises(DataError, match=r"is empty in 1 row\(s\) \(first at data row 3\)"):
        parse_dates(values)


# --- duplicates --------------------------------------------------------------------------------


def test_repeats_of_earlier_rows_are_what_pandas_duplicated_finds():
    rng = np.random.default_rng(7)
    for _ in range(30):
        n = 400
        frame = pd.DataFrame(
            {
                "InvoiceNo": pd.array(rng.choice(["1", "2", None], n), dtype="string"),
                "StockCode": pd.array(rng.choice(["A", "B"], n), dtype="string"),
                "Description": pd.array(rng.choice(["x", "y", None], n), dtype="string"),
                "Quantity": rng.integers(1, 3, n),
                "InvoiceDate": pd.to_datetime(rng.choice(["2011-01-01", "2011-01-02"], n)),
                "UnitPrice": rng.choice([0.0, -0.0, 1.5, np.nan], n),
                "CustomerID": pd.array(rng.choice([1, 2, None], n), dtype="Int64"),
                "Country": pd.array(rng.choice(["UK", "France"], n), dtype="string"),
            }
        )
        rows = rng.random(n) < 0.8
        expected = np.zeros(n, dtype=bool)
        expected[rows] = frame[rows].duplicated(keep="first").to_numpy()

        assert (repeats_of_earlier_rows(frame, rows) == expected).all()
