"""RFM: per-customer recency/frequency/monetary, quintile scores, the 11 segments, features."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from support.rfm_frames import make_clean

from pipeline.analysis.rfm import (
    RFM_COLUMNS,
    SEGMENT_DESCRIPTIONS,
    SEGMENT_GRID,
    SEGMENTS,
    clustering_features,
    compute_rfm,
    default_as_of,
    filter_transactions,
    quintile_scores,
    segment_for,
    segment_summary,
    segment_totals,
)
from pipeline.errors import DataError


def one_invoice_each(n: int) -> pd.DataFrame:
    """n customers, customer i bought once, i days before 2011-12-01, for 10 * (i + 1)."""
    return make_clean(
        [
            (
                str(600000 + i),
                10000 + i,
                pd.Timestamp("2011-12-01 10:00") - pd.Timedelta(days=i),
                10.0 * (i + 1),
                "UK",
            )
            for i in range(n)
        ]
    )


@pytest.fixture(scope="module")
def clean(sample_clean) -> pd.DataFrame:
    return sample_clean[0]


@pytest.fixture(scope="module")
def rfm(clean) -> pd.DataFrame:
    return compute_rfm(clean)


# --- the RFM values -----------------------------------------------------------------------------


def test_rfm_values_on_the_real_sample_match_a_plain_pandas_computation(clean, rfm):
    as_of = clean["InvoiceDate"].max().normalize() + pd.Timedelta(days=1)
    expected = pd.DataFrame(
        {
            "Recency": clean.groupby("CustomerID")["InvoiceDate"].max().map(lambda last: (as_of - last).days),
            "Frequency": clean.groupby("CustomerID")["InvoiceNo"].nunique(),
            "Monetary": (clean["Quantity"] * clean["UnitPrice"]).groupby(clean["CustomerID"]).sum(),
        }
    )
    expected.index = expected.index.astype("int64")
    actual = rfm.set_index("CustomerID")
    assert list(actual.index) == sorted(expected.index)
    assert (actual["Recency"] == expected["Recency"]).all()
    assert (actual["Frequency"] == expected["Frequency"]).all()
    np.testing.assert_allclose(actual["Monetary"], expected["Monetary"], rtol=1e-9)


def test_one_row_per_customer_with_the_documented_columns(clean, rfm):
    assert list(rfm.columns) == RFM_COLUMNS
    assert rfm["CustomerID"].is_unique
    assert len(rfm) == clean["CustomerID"].nunique()


def test_country_is_the_country_of_most_of_the_customers_invoices():
    clean = make_clean(
        [
            ("1", 1, "2011-01-01", 5.0, "France"),
            ("2", 1, "2011-01-02", 5.0, "Germany"),
            ("2", 1, "2011-01-02", 5.0, "Germany"),
            ("3", 1, "2011-01-03", 5.0, "Germany"),
            ("4", 2, "2011-01-03", 5.0, "Spain"),
        ]
    )
    assert compute_rfm(clean).set_index("CustomerID")["Country"].to_dict() == {1: "Germany", 2: "Spain"}


def test_a_customer_whose_country_cells_are_blank_is_unspecified_not_another_customers_country():
    # A CSV with empty Country cells loads them as missing; UCI's own word for that is "Unspecified".
    clean = make_clean(
        [
            ("1", 1, "2011-01-01", 5.0, None),
            ("2", 2, "2011-01-02", 5.0, "Spain"),
            ("3", 3, "2011-01-03", 5.0, None),
            ("4", 3, "2011-01-04", 5.0, None),
            ("5", 3, "2011-01-05", 5.0, "France"),
        ]
    )

    countries = compute_rfm(clean).set_index("CustomerID")["Country"].to_dict()

    assert countries == {1: "Unspecified", 2: "Spain", 3: "Unspecified"}


def test_frequency_counts_distinct_invoices_even_when_an_invoice_is_shared_or_not_numeric():
    clean = make_clean(
        [
            ("A100", 1, "2011-01-01", 1.0, "UK"),
            ("A100", 1, "2011-01-01", 1.0, "UK"),
            ("A100", 2, "2011-01-01", 1.0, "UK"),
            ("B7", 2, "2011-01-05", 1.0, "UK"),
            ("007", 2, "2011-01-06", 1.0, "UK"),
            ("7", 2, "2011-01-07", 1.0, "UK"),
        ]
    )
    assert compute_rfm(clean).set_index("CustomerID")["Frequency"].to_dict() == {1: 1, 2: 4}


def test_leading_zeros_make_a_different_invoice_number():
    clean = make_clean([("5", 1, "2011-01-01", 1.0, "UK"), ("05", 1, "2011-01-02", 1.0, "UK")])
    assert compute_rfm(clean)["Frequency"].tolist() == [2]


def test_default_as_of_is_midnight_after_the_last_invoice(clean):
    last = clean["InvoiceDate"].max()
    as_of = default_as_of(clean)
    assert as_of == pd.Timestamp(last.date()) + pd.Timedelta(days=1)
    assert as_of.time() == pd.Timestamp("00:00").time()


def test_the_most_recent_buyers_have_recency_zero_by_default(rfm):
    assert rfm["Recency"].min() == 0


def test_a_later_as_of_date_shifts_every_recency_by_the_same_days(clean, rfm):
    later = compute_rfm(clean, as_of=default_as_of(clean) + pd.Timedelta(days=30))
    assert (later["Recency"] == rfm["Recency"] + 30).all()
    assert (later["Frequency"] == rfm["Frequency"]).all()


def test_as_of_accepts_an_iso_date_string(clean, rfm):
    as_of = (default_as_of(clean) + pd.Timedelta(days=1)).strftime("%Y-%m-%d")
    assert (compute_rfm(clean, as_of=as_of)["Recency"] == rfm["Recency"] + 1).all()


def test_an_as_of_date_before_the_last_invoice_is_refused(clean):
    with pytest.raises(DataError, match="before the last invoice"):
        compute_rfm(clean, as_of=clean["InvoiceDate"].max() - pd.Timedelta(days=1))


def test_an_as_of_value_that_is_not_a_date_is_refused(clean):
    with pytest.raises(DataError, match="YYYY-MM-DD"):
        compute_rfm(clean, as_of="next tuesday")


def test_no_transactions_to_score_is_refused(clean):
    with pytest.raises(DataError, match="no transactions"):
        compute_rfm(clean.iloc[0:0])


def test_a_table_without_the_needed_columns_is_refused_naming_them(clean):
    with pytest.raises(DataError, match="Revenue"):
        compute_rfm(clean.drop(columns=["Revenue"]))


# --- filters ------------------------------------------------------------------------------------


def test_country_filter_keeps_exactly_that_countrys_transactions(clean):
    germany = filter_transactions(clean, countries=["Germany"])
    assert len(germany) == int((clean["Country"] == "Germany").sum()) > 0
    assert set(germany["Country"]) == {"Germany"}
    rfm = compute_rfm(germany)
    assert set(rfm["CustomerID"]) == set(clean.loc[clean["Country"] == "Germany", "CustomerID"].astype(int))


def test_country_filter_accepts_one_name_or_several(clean):
    both = filter_transactions(clean, countries=["Germany", "France"])
    assert len(both) == len(filter_transactions(clean, "Germany")) + len(filter_transactions(clean, "France"))


def test_an_unknown_country_is_refused_listing_the_known_ones(clean):
    with pytest.raises(DataError, match=r"Narnia.*United Kingdom"):
        filter_transactions(clean, countries=["Narnia"])


def test_date_window_is_inclusive_by_day(clean):
    window = filter_transactions(clean, start="2011-03-01", end="2011-03-31")
    dates = clean["InvoiceDate"]
    expected = (dates.dt.date >= pd.Timestamp("2011-03-01").date()) & (
        dates.dt.date <= pd.Timestamp("2011-03-31").date()
    )
    assert len(window) == int(expected.sum()) > 0
    assert window["InvoiceDate"].max().date() == pd.Timestamp("2011-03-31").date()
    assert window["InvoiceDate"].min().date() == pd.Timestamp("2011-03-01").date()


def test_date_window_with_only_an_end_keeps_everything_up_to_that_day(clean):
    window = filter_transactions(clean, end="2011-01-31")
    assert len(window) == int((clean["InvoiceDate"] < pd.Timestamp("2011-02-01")).sum())


def test_a_window_that_ends_before_it_starts_is_refused(clean):
    with pytest.raises(DataError, match="before it starts"):
        filter_transactions(clean, start="2011-05-01", end="2011-04-01")


def test_no_filter_keeps_every_row(clean):
    assert len(filter_transactions(clean)) == len(clean)


# --- scores -------------------------------------------------------------------------------------


def test_scores_are_1_to_5_in_near_equal_quintiles_on_the_real_sample(rfm):
    for column in ("R", "F", "M"):
        sizes = rfm[column].value_counts()
        assert sorted(sizes.index) == [1, 2, 3, 4, 5]
        assert sizes.max() - sizes.min() <= 1


def test_a_better_value_never_scores_lower_than_a_worse_one(rfm):
    for value, score, better_first in (
        ("Frequency", "F", False),
        ("Monetary", "M", False),
        ("Recency", "R", True),
    ):
        by_value = rfm.groupby(value)[score].agg(["min", "max"]).sort_index(ascending=not better_first)
        assert (by_value["max"].to_numpy()[:-1] <= by_value["min"].to_numpy()[1:]).all(), score


def test_recent_buyers_score_r5_and_long_gone_buyers_score_r1(rfm):
    assert rfm.loc[rfm["Recency"].idxmin(), "R"] == 5
    assert rfm.loc[rfm["Recency"].idxmax(), "R"] == 1


def test_ties_still_give_five_equal_groups():
    scores = quintile_scores(pd.Series([1] * 10))
    assert scores.value_counts().sort_index().tolist() == [2, 2, 2, 2, 2]


def test_rfm_code_joins_the_three_scores(rfm):
    expected = rfm["R"].astype(str) + rfm["F"].astype(str) + rfm["M"].astype(str)
    assert (rfm["RFM"] == expected).all()


def test_fm_is_the_mean_of_f_and_m_rounded_half_up(rfm):
    expected = np.floor((rfm["F"] + rfm["M"]) / 2 + 0.5).astype(int)
    assert (rfm["FM"] == expected).all()


@pytest.mark.parametrize("customers", [1, 2, 3])
def test_tiny_datasets_get_valid_scores_and_segments(customers):
    rfm = compute_rfm(one_invoice_each(customers))
    assert len(rfm) == customers
    for column in ("R", "F", "M", "FM"):
        assert rfm[column].between(1, 5).all()
    assert rfm["Segment"].isin(SEGMENTS).all()


def test_a_single_customer_scores_the_middle():
    rfm = compute_rfm(one_invoice_each(1))
    assert rfm[["R", "F", "M"]].iloc[0].tolist() == [3, 3, 3]


# --- segments -----------------------------------------------------------------------------------


def test_there_are_eleven_segments_each_with_a_description():
    assert len(SEGMENTS) == len(set(SEGMENTS)) == 11
    assert set(SEGMENT_DESCRIPTIONS) == set(SEGMENTS)
    assert all(SEGMENT_DESCRIPTIONS[name].strip() for name in SEGMENTS)


def test_the_grid_assigns_every_r_and_fm_cell_and_uses_every_segment():
    assert set(SEGMENT_GRID) == {(r, fm) for r in range(1, 6) for fm in range(1, 6)}
    assert set(SEGMENT_GRID.values()) == set(SEGMENTS)


def test_grid_corners_mean_what_their_names_say():
    assert segment_for(5, 5) == "Champions"
    assert segment_for(1, 1) == "Lost"
    assert segment_for(1, 5) == "Can't Lose Them"
    assert segment_for(5, 1) == "New Customers"


def test_scores_outside_1_to_5_have_no_segment():
    with pytest.raises(ValueError):
        segment_for(0, 3)


def test_every_customer_gets_the_segment_of_its_r_and_fm(rfm):
    assert rfm["Segment"].isin(SEGMENTS).all()
    expected = [SEGMENT_GRID[(r, fm)] for r, fm in zip(rfm["R"], rfm["FM"], strict=True)]
    assert rfm["Segment"].tolist() == expected


def test_segment_summary_adds_up_to_the_whole_table(rfm):
    summary = segment_summary(rfm)
    assert summary["Customers"].sum() == len(rfm)
    assert summary["CustomerShare"].sum() == pytest.approx(1.0)
    assert summary["RevenueShare"].sum() == pytest.approx(1.0)
    assert summary["Revenue"].sum() == pytest.approx(rfm["Monetary"].sum())
    assert summary["Segment"].tolist() == [name for name in SEGMENTS if name in set(rfm["Segment"])]


def test_segment_summary_means_are_the_segments_own(rfm):
    summary = segment_summary(rfm).set_index("Segment")
    champions = rfm[rfm["Segment"] == "Champions"]
    assert summary.loc["Champions", "MeanRecency"] == pytest.approx(champions["Recency"].mean())
    assert summary.loc["Champions", "MeanMonetary"] == pytest.approx(champions["Monetary"].mean())


def test_segment_totals_are_a_groupby_by_segment_in_order_of_first_appearance(rfm):
    totals = segment_totals(rfm, ("Monetary", "Recency"))
    expected = rfm.groupby("Segment", sort=False).agg(
        Customers=("CustomerID", "size"), Monetary=("Monetary", "sum"), Recency=("Recency", "sum")
    )
    assert totals.index.tolist() == expected.index.tolist()
    assert totals["Customers"].tolist() == expected["Customers"].tolist()
    np.testing.assert_allclose(totals["Monetary"], expected["Monetary"], rtol=1e-12)
    np.testing.assert_array_equal(totals["Recency"], expected["Recency"])


def test_segment_totals_leave_out_customers_without_a_segment_and_skip_missing_values(rfm):
    table = rfm.head(40).copy()
    table["Segment"] = table["Segment"].astype("string")
    table.loc[table.index[0], "Segment"] = pd.NA
    table.loc[table.index[1], "Monetary"] = np.nan
    totals = segment_totals(table, ("Monetary",))
    assert totals["Customers"].sum() == 39
    assert totals["Monetary"].sum() == pytest.approx(table["Monetary"].iloc[2:].sum())


# --- clustering features ------------------------------------------------------------------------


def test_clustering_features_are_standardised_log_values(rfm):
    features = clustering_features(rfm)
    assert features.dtype == np.float64
    assert features.shape == (len(rfm), 3)
    np.testing.assert_allclose(features.mean(axis=0), 0.0, atol=1e-9)
    np.testing.assert_allclose(features.std(axis=0), 1.0, rtol=1e-9)
    logged = np.log1p(rfm["Monetary"].to_numpy())
    np.testing.assert_allclose(features[:, 2], (logged - logged.mean()) / logged.std(), rtol=1e-9)


def test_a_constant_column_becomes_zeros_not_nan():
    rfm = compute_rfm(one_invoice_each(4))  # every customer has Frequency 1
    features = clustering_features(rfm)
    assert not np.isnan(features).any()
    assert (features[:, 1] == 0.0).all()


def test_a_single_customer_has_all_zero_features():
    assert (clustering_features(compute_rfm(one_invoice_each(1))) == 0.0).all()


def test_an_as_of_with_a_time_zone_counts_days_on_the_wall_clock(clean):
    naive = compute_rfm(clean, as_of="2012-01-01")
    zoned = compute_rfm(clean, as_of=pd.Timestamp("2012-01-01", tz="Europe/London"))
    assert zoned["Recency"].tolist() == naive["Recency"].tolist()
