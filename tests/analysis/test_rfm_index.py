"""The per-dataset index scores every filter choice exactly as filter_transactions + compute_rfm do."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from support.rfm_frames import make_clean

from pipeline.analysis.rfm import compute_rfm, default_as_of, filter_transactions
from pipeline.analysis.rfm_index import TransactionsIndex
from pipeline.errors import DataError


def library_result(clean: pd.DataFrame, countries=None, start=None, end=None, as_of=None):
    """What the library gives for a choice: (table, lines kept, snapshot) or the DataError's sentence."""
    try:
        window = filter_transactions(clean, countries, start, end)
        table = compute_rfm(window, as_of)
    except DataError as error:
        return str(error)
    snapshot = pd.Timestamp(as_of).tz_localize(None) if as_of is not None else default_as_of(window)
    return table, len(window), snapshot


def index_result(index: TransactionsIndex, countries=None, start=None, end=None, as_of=None):
    """The same for the index: (table, lines kept, snapshot) or the DataError's sentence."""
    try:
        choice = index.score(countries, start, end, as_of)
    except DataError as error:
        return str(error)
    return choice.table, choice.transactions, choice.as_of


def assert_same(clean: pd.DataFrame, index: TransactionsIndex, **choice) -> None:
    expected, got = library_result(clean, **choice), index_result(index, **choice)
    if isinstance(expected, str):
        assert got == expected, choice
        return
    assert not isinstance(got, str), (choice, got)
    pd.testing.assert_frame_equal(got[0], expected[0], check_exact=True, obj=str(choice))
    assert got[1:] == expected[1:], choice


@pytest.fixture(scope="module")
def clean(sample_clean) -> pd.DataFrame:
    return sample_clean[0]


@pytest.fixture(scope="module")
def index(clean) -> TransactionsIndex:
    return TransactionsIndex(clean)


LAST = dt.date(2011, 12, 9)

SAMPLE_CHOICES = [
    {},
    {"countries": "United Kingdom"},
    {"countries": ["United Kingdom", "Germany"]},
    {"countries": ["Germany", "France", "EIRE", "Spain"]},
    {"countries": ["Lebanon"]},  # one line, one customer
    {"countries": ["Iceland"]},  # one customer, several invoices
    {"start": dt.date(2011, 6, 5), "end": LAST},
    {"start": dt.date(2011, 6, 5)},
    {"end": dt.date(2011, 3, 31)},
    {"start": "2011-01-01", "end": "2011-01-31", "countries": "France"},
    {"start": dt.date(2011, 12, 9), "end": dt.date(2011, 12, 9)},  # the last day alone
    {"as_of": pd.Timestamp(LAST + dt.timedelta(days=1))},
    {"as_of": pd.Timestamp(LAST + dt.timedelta(days=30)), "countries": "Germany"},
    {"as_of": "2012-01-08", "start": dt.date(2011, 6, 5), "end": LAST},
    {"as_of": pd.Timestamp("2011-12-10 09:00", tz="Europe/London")},
    {"as_of": pd.Timestamp("2011-07-01"), "end": dt.date(2011, 6, 30)},
]


@pytest.mark.parametrize("choice", SAMPLE_CHOICES, ids=repr)
def test_the_index_scores_a_choice_on_the_real_sample_as_the_library_does(clean, index, choice):
    assert_same(clean, index, **choice)


def test_the_real_sample_is_answered_from_the_pairs_not_the_library_path(index):
    assert index.score("United Kingdom", dt.date(2011, 6, 5), LAST).by_pairs


@pytest.mark.parametrize(
    "choice",
    [
        {"start": dt.date(2011, 12, 3), "end": dt.date(2011, 12, 3)},  # a Saturday: no invoices
        {"start": dt.date(2012, 1, 1)},  # after the data
        {"countries": "Atlantis"},
        {"countries": ["Germany", "Atlantis", "Narnia"]},
        {"start": LAST, "end": dt.date(2011, 1, 1)},
        {"start": "not a date"},
        {"end": "2011-13-45"},
        {"as_of": "2011-12-01"},  # before the last invoice
        {"as_of": pd.Timestamp("2011-12-09 12:00"), "countries": "United Kingdom"},
        {"as_of": "soon"},
        {"as_of": pd.NaT},
    ],
    ids=repr,
)
def test_a_refused_choice_gets_the_librarys_own_sentence(clean, index, choice):
    assert isinstance(library_result(clean, **choice), str)
    assert_same(clean, index, **choice)


def test_every_country_of_the_sample_alone_scores_as_the_library_does(clean, index):
    for country in index.countries:
        assert_same(clean, index, countries=country, as_of=pd.Timestamp("2011-12-10"))


def test_the_index_counts_the_customers_the_clustering_check_needs(clean, index):
    window = filter_transactions(clean, "Germany")
    assert index.customers("Germany") == len(compute_rfm(window))
    assert index.customers(None, "2011-12-31") == len(compute_rfm(clean, "2011-12-31"))


def test_the_customer_count_refuses_an_early_as_of_with_the_librarys_sentence(clean, index):
    with pytest.raises(DataError) as expected:
        compute_rfm(filter_transactions(clean, "Germany"), "2011-01-01")
    with pytest.raises(DataError) as got:
        index.customers("Germany", "2011-01-01")
    assert str(got.value) == str(expected.value)


def test_the_index_has_as_many_lines_as_the_clean_frame(clean, index):
    assert len(index) == len(clean)


def test_the_online_retail_ii_schema_scores_the_same_through_the_index(sample_dataset, tmp_path):
    from pipeline.loading.dataset import SCHEMA_ONLINE_RETAIL_II, clean_transactions, load_transactions

    renamed = sample_dataset.transactions.rename(
        columns={"InvoiceNo": "Invoice", "UnitPrice": "Price", "CustomerID": "Customer ID"}
    )
    path = tmp_path / "online_retail_II.csv"
    renamed.to_csv(path, index=False, date_format="%Y-%m-%d %H:%M:%S")
    loaded = load_transactions(path, use_cache=False)
    assert loaded.schema == SCHEMA_ONLINE_RETAIL_II
    clean, _ = clean_transactions(loaded.transactions)
    index = TransactionsIndex(clean)
    for choice in SAMPLE_CHOICES[:8]:
        assert_same(clean, index, **choice)


# --- small frames: the edge cases ----------------------------------------------------------


def test_an_invoice_shared_by_two_customers_counts_for_each():
    clean = make_clean(
        [
            ("A100", 1, "2011-01-01 10:00", 1.0, "UK"),
            ("A100", 1, "2011-01-01 10:00", 2.0, "UK"),
            ("A100", 2, "2011-01-01 10:00", 4.0, "UK"),
            ("B7", 2, "2011-01-05 10:00", 8.0, "France"),
            ("007", 2, "2011-01-06 10:00", 16.0, "France"),
            ("7", 2, "2011-01-07 10:00", 32.0, "UK"),
        ]
    )
    index = TransactionsIndex(clean)
    for choice in ({}, {"countries": "France"}, {"start": "2011-01-02"}, {"end": "2011-01-01"}):
        assert_same(clean, index, **choice)
    assert index.score().table.set_index("CustomerID")["Frequency"].to_dict() == {1: 1, 2: 4}


BLANK_COUNTRIES = [
    ("1", 1, "2011-01-01 10:00", 5.0, None),
    ("2", 2, "2011-01-02 10:00", 5.0, "Spain"),
    ("3", 3, "2011-01-03 10:00", 5.0, None),
    ("4", 3, "2011-01-04 10:00", 5.0, None),
    ("5", 3, "2011-01-05 10:00", 5.0, "France"),
    ("6", 4, "2011-01-05 11:00", 5.0, "Unspecified"),
]


@pytest.mark.parametrize(
    "choice", [{}, {"countries": "Unspecified"}, {"countries": ["France", "Spain"]}, {"start": "2011-01-03"}]
)
def test_blank_countries_vote_unspecified_but_a_filter_never_picks_them(choice):
    clean = make_clean(BLANK_COUNTRIES)
    assert_same(clean, TransactionsIndex(clean), **choice)


def test_a_filter_for_unspecified_is_refused_when_the_data_only_has_blanks():
    clean = make_clean(BLANK_COUNTRIES[:5])
    assert_same(clean, TransactionsIndex(clean), countries="Unspecified")


def test_an_invoice_across_midnight_cut_by_the_window_takes_the_library_path():
    clean = make_clean(
        [
            ("1", 1, "2011-01-01 23:59", 1.0, "UK"),
            ("1", 1, "2011-01-02 00:01", 2.0, "UK"),
            ("2", 2, "2011-01-02 09:00", 4.0, "UK"),
        ]
    )
    index = TransactionsIndex(clean)
    assert not index.score(start="2011-01-02").by_pairs
    for choice in ({"start": "2011-01-02"}, {"end": "2011-01-01"}, {"start": "2011-01-01"}):
        assert_same(clean, index, **choice)


def test_an_invoice_over_two_countries_filtered_by_country_takes_the_library_path():
    clean = make_clean(
        [
            ("1", 1, "2011-01-01 10:00", 1.0, "UK"),
            ("1", 1, "2011-01-01 10:00", 2.0, "France"),
            ("2", 1, "2011-01-02 10:00", 4.0, "France"),
            ("3", 2, "2011-01-02 10:00", 8.0, "UK"),
        ]
    )
    index = TransactionsIndex(clean)
    assert not index.score(countries="UK").by_pairs
    for choice in ({}, {"countries": "UK"}, {"countries": "France"}, {"start": "2011-01-02"}):
        assert_same(clean, index, **choice)


def test_a_frame_with_missing_customers_scores_through_the_library_path():
    clean = make_clean(
        [
            ("1", 1, "2011-01-01 10:00", 1.0, "UK"),
            ("2", None, "2011-01-03 10:00", 2.0, "UK"),
            ("3", 2, "2011-01-02 10:00", 4.0, "UK"),
        ]
    )
    index = TransactionsIndex(clean)
    assert not index.score().by_pairs
    assert_same(clean, index, countries="UK", as_of="2011-01-05")


def test_a_single_customer_scores_the_middle_through_the_index():
    clean = make_clean([("1", 7, "2011-01-01 10:00", 3.0, "UK"), ("2", 7, "2011-01-09 10:00", 3.0, "UK")])
    choice = TransactionsIndex(clean).score(end="2011-01-05")
    assert choice.table[["R", "F", "M"]].iloc[0].tolist() == [3, 3, 3]
    assert_same(clean, TransactionsIndex(clean), end="2011-01-05")
