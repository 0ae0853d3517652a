"""RFM: recency, frequency and monetary value per customer, 1-5 scores and named segments.

The input is the clean canonical transactions frame of ``pipeline.loading.dataset.clean_transactions``
(one row an invoice line, with a ``Revenue`` column). Everything here is vectorised (integer
codes and array reductions, no Python function per customer) because the app scores the full
541,909-row UCI workbook interactively.

Scores
    Each of R, F and M is a quintile score 1-5 computed from the *position* of a customer in
    the sorted values, not from value cut points, so ties and tiny datasets cannot produce
    empty or duplicate bins (``pd.qcut`` fails on the many customers with one invoice).
    A customer at 1-based rank ``r`` of ``n`` gets ``ceil((r - 0.5) / n * 5)``: bins differ in
    size by at most one customer, a lone customer scores a neutral 3, and ties are broken by
    ascending CustomerID so the same data always gives the same scores. F and M rank larger
    values higher; R ranks *smaller* Recency higher (a recent buyer scores 5).

FM
    The combined frequency/monetary score is the mean of F and M rounded half up:
    ``(F + M + 1) // 2`` (F=3, M=4 gives 4).

Segments
    ``SEGMENT_GRID`` maps (R, FM) to one of the 11 names in ``SEGMENTS``; every one of the 25
    cells is assigned and every name is used. Rows are R from 5 (recent) down to 1, columns
    FM from 1 to 5::

                 FM=1               FM=2                FM=3                FM=4              FM=5
        R=5  New Customers      Potential Loyalist  Potential Loyalist  Champions         Champions
        R=4  Promising          Potential Loyalist  Potential Loyalist  Loyal Customers   Champions
        R=3  About to Sleep     About to Sleep      Need Attention      Loyal Customers   Loyal Customers
        R=2  Hibernating        Hibernating         At Risk             At Risk           Can't Lose Them
        R=1  Lost               Lost                At Risk             At Risk           Can't Lose Them
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import TypeAlias

import numpy as np
import pandas as pd

from pipeline.analysis.codes import dense_codes, invoice_codes
from pipeline.errors import DataError
from pipeline.loading.arrow_text import select_rows
from pipeline.loading.shown import shown_list

#: The 11 segment names, best customers first; the order charts and summaries use.
SEGMENTS: list[str] = [
    "Champions",
    "Loyal Customers",
    "Potential Loyalist",
    "New Customers",
    "Promising",
    "Need Attention",
    "About to Sleep",
    "At Risk",
    "Can't Lose Them",
    "Hibernating",
    "Lost",
]

#: One line a segment, shown beside the segment in the app.
SEGMENT_DESCRIPTIONS: dict[str, str] = {
    "Champions": "Bought recently, buy often and spend the most: reward them, ask for reviews.",
    "Loyal Customers": "Buy often and spend well, not always the most recent: upsell, loyalty offers.",
    "Potential Loyalist": "Recent customers with average frequency and spend: offer membership.",
    "New Customers": "Bought very recently for the first time or two, little spend yet: onboard them.",
    "Promising": "Recent buyers with low frequency and spend: build brand awareness, free trials.",
    "Need Attention": "Average on recency, frequency and spend: limited-time offers to re-engage.",
    "About to Sleep": "Below-average recency with low frequency and spend: reactivate before they go.",
    "At Risk": "Spent well and bought often, but long ago: personal emails, win them back.",
    "Can't Lose Them": "Were among the biggest spenders, have not bought for a long time: win back now.",
    "Hibernating": "Low spend, few orders, last order a while ago: recommend, offer discounts.",
    "Lost": "Lowest recency, frequency and spend: revive with a campaign or let go.",
}

_GRID_ROWS: dict[int, tuple[str, str, str, str, str]] = {
    # R score: segment for FM = 1, 2, 3, 4, 5
    5: ("New Customers", "Potential Loyalist", "Potential Loyalist", "Champions", "Champions"),
    4: ("Promising", "Potential Loyalist", "Potential Loyalist", "Loyal Customers", "Champions"),
    3: ("About to Sleep", "About to Sleep", "Need Attention", "Loyal Customers", "Loyal Customers"),
    2: ("Hibernating", "Hibernating", "At Risk", "At Risk", "Can't Lose Them"),
    1: ("Lost", "Lost", "At Risk", "At Risk", "Can't Lose Them"),
}

#: (R score, FM score) -> segment name, for every R and FM in 1..5 (see the module docstring).
SEGMENT_GRID: dict[tuple[int, int], str] = {
    (r, fm): name for r, names in _GRID_ROWS.items() for fm, name in enumerate(names, start=1)
}

_SEGMENT_LOOKUP = np.empty((6, 6), dtype=object)  # [R, FM] -> name, row/column 0 unused
for (_r, _fm), _name in SEGMENT_GRID.items():
    _SEGMENT_LOOKUP[_r, _fm] = _name

_RFM_CODES = np.empty((6, 6, 6), dtype=object)  # [R, F, M] -> "545"
for _r, _f, _m in np.ndindex(6, 6, 6):
    _RFM_CODES[_r, _f, _m] = f"{_r}{_f}{_m}"

#: Columns of the table ``compute_rfm`` returns, in order.
RFM_COLUMNS: list[str] = [
    "CustomerID",
    "Country",
    "Recency",
    "Frequency",
    "Monetary",
    "R",
    "F",
    "M",
    "RFM",
    "FM",
    "Segment",
]

#: The Country of invoices whose country is blank (the UCI files' own label for an unknown one).
UNSPECIFIED_COUNTRY = "Unspecified"

_REQUIRED = ("CustomerID", "InvoiceNo", "InvoiceDate", "Country", "Revenue")
_DateLike: TypeAlias = str | dt.date | dt.datetime | pd.Timestamp | np.datetime64


def _require_columns(frame: pd.DataFrame, columns: Iterable[str], what: str) -> None:
    missing = [column for column in columns if column not in frame.columns]
    if missing:
        raise DataError(
            f"{what} is missing the column(s) {', '.join(missing)} (found: "
            f"{', '.join(map(str, frame.columns)) or 'none'}). Pass the clean transactions from "
            "pipeline.loading.dataset.clean_transactions."
        )


def _to_day(value: _DateLike, label: str) -> pd.Timestamp:
    try:
        stamp = pd.Timestamp(value)
    except (ValueError, TypeError) as error:
        raise DataError(f"The {label} date {value!r} is not a date: use the form YYYY-MM-DD.") from error
    if pd.isna(stamp):
        raise DataError(f"The {label} date is empty: give a date as YYYY-MM-DD.")
    if stamp.tzinfo is not None:
        stamp = stamp.tz_convert(None)
    return stamp.normalize()


def filter_transactions(
    clean: pd.DataFrame,
    countries: str | Iterable[str] | None = None,
    start: _DateLike | None = None,
    end: _DateLike | None = None,
) -> pd.DataFrame:
    """Keep the transactions of some countries and/or a date window, to score a slice of the data.

    ``countries`` is one name or several (``None`` or empty keeps all). ``start`` and ``end``
    are inclusive by calendar day: ``end="2011-12-09"`` keeps invoices up to 23:59:59 that day.
    Raises ``DataError`` for a country that is not in the data (the message lists those that
    are) or a window that ends before it starts. The result may be empty when the window holds
    no invoices; ``compute_rfm`` then says so.
    """
    _require_columns(clean, ("Country", "InvoiceDate"), "The transactions table")
    keep = pd.Series(True, index=clean.index)
    wanted = wanted_countries(countries)
    if wanted:
        check_countries(wanted, clean["Country"].dropna().unique())
        keep &= clean["Country"].isin(wanted).to_numpy()
    first_day, last_day = window_days(start, end)
    if first_day is not None:
        keep &= (clean["InvoiceDate"] >= first_day).to_numpy()
    if last_day is not None:
        keep &= (clean["InvoiceDate"] < last_day + pd.Timedelta(days=1)).to_numpy()
    if keep.all():
        return clean.copy(deep=False)  # copy-on-write: the caller's changes never reach ``clean``
    return select_rows(clean, keep.to_numpy())


def wanted_countries(countries: str | Iterable[str] | None) -> list[str]:
    """The country filter as a list of names (one name or several; ``None`` or empty: all)."""
    if isinstance(countries, str):
        countries = [countries]
    return [str(country) for country in countries or []]


def check_countries(wanted: list[str], present: Iterable[str]) -> None:
    """Raise ``DataError`` naming the wanted countries that are not in the data, and those that are.

    Shared by ``filter_transactions`` and the per-dataset index, so both say the same sentence."""
    present = set(present)
    unknown = [country for country in wanted if country not in present]
    if unknown:
        raise DataError(
            f"No transactions from {shown_list(unknown)}. Choose among: {shown_list(sorted(present))}."
        )


def window_days(
    start: _DateLike | None, end: _DateLike | None
) -> tuple[pd.Timestamp | None, pd.Timestamp | None]:
    """The first and last calendar day of a date window (midnight; ``None``: open), checked.

    Raises ``DataError`` for a date that is not one or a window that ends before it starts."""
    first_day = _to_day(start, "start") if start is not None else None
    last_day = _to_day(end, "end") if end is not None else None
    if first_day is not None and last_day is not None and last_day < first_day:
        raise DataError(
            f"The date window ends ({last_day.date()}) before it starts ({first_day.date()}): swap the dates."
        )
    return first_day, last_day


def default_as_of(clean: pd.DataFrame) -> pd.Timestamp:
    """The day after the last invoice, at midnight: the usual RFM snapshot date, so the most
    recent buyers have a Recency of 0 days rather than a negative one."""
    _require_columns(clean, ("InvoiceDate",), "The transactions table")
    last = clean["InvoiceDate"].max()
    if pd.isna(last):
        raise DataError("There are no transactions to score: load a dataset or widen the filters.")
    return pd.Timestamp(last).normalize() + pd.Timedelta(days=1)


def quintile_scores(values: pd.Series, *, higher_is_better: bool = True) -> pd.Series:
    """Score values 1-5 by their position among the others (see the module docstring).

    Position-based scores keep the five groups near equal in size whatever the ties, and work
    for any number of values, down to one. Ties are broken by the order of ``values`` (sort
    it by CustomerID first for stable results). ``higher_is_better=False`` is for Recency.
    """
    return pd.Series(_scores(values.to_numpy(dtype="float64"), higher_is_better), index=values.index)


def _scores(keys: np.ndarray, higher_is_better: bool) -> np.ndarray:
    n = len(keys)
    order = np.argsort(keys if higher_is_better else -keys, kind="stable")  # ties: first comes first
    ranks = np.empty(n, dtype="float64")
    ranks[order] = np.arange(1, n + 1)
    return np.ceil((ranks - 0.5) / max(n, 1) * 5).astype("int64")


def segment_for(r: int, fm: int) -> str:
    """The segment name of an R score and a combined FM score (both 1-5)."""
    try:
        return SEGMENT_GRID[(int(r), int(fm))]
    except KeyError:
        raise ValueError(f"R and FM scores must be 1-5, got R={r}, FM={fm}") from None


def _aggregate(clean: pd.DataFrame, snapshot: pd.Timestamp) -> pd.DataFrame:
    """Recency, Frequency, Monetary and main Country per customer, sorted by CustomerID.

    Written with integer codes, ``np.bincount`` and ``ufunc.at`` rather than
    ``groupby().agg``: strings are parsed or hashed once and the rest is array arithmetic,
    which is what keeps the full UCI workbook over 15x faster than the per-group lambda idiom.
    """
    rows = len(clean)
    customer_codes, customers = dense_codes(clean["CustomerID"].to_numpy(dtype="int64"))
    n_customers = len(customers)

    monetary = np.bincount(customer_codes, weights=clean["Revenue"].to_numpy(dtype="float64"))

    stamps = clean["InvoiceDate"].to_numpy(dtype="datetime64[ns]").view("int64")
    last = np.full(n_customers, np.iinfo(np.int64).min)
    np.maximum.at(last, customer_codes, stamps)
    recency = (snapshot - pd.to_datetime(last, unit="ns")).days.to_numpy(dtype="int64")

    # Frequency counts distinct (customer, invoice) pairs. In the UCI data an invoice has one
    # customer, so the pairs are the invoices; otherwise the pairs are hashed.
    invoice_of_line, n_invoices = invoice_codes(clean["InvoiceNo"])
    line_of = np.empty(n_invoices, dtype="int64")
    line_of[invoice_of_line] = np.arange(rows, dtype="int64")  # one line of each invoice (the last)
    owner = customer_codes[line_of]
    if not (owner[invoice_of_line] == customer_codes).all():
        pair_codes, pairs = pd.factorize(customer_codes.astype("int64") * n_invoices + invoice_of_line)
        line_of = np.empty(len(pairs), dtype="int64")
        line_of[pair_codes] = np.arange(rows, dtype="int64")
        owner = customer_codes[line_of]
    frequency = np.bincount(owner, minlength=n_customers)

    # Country: the country of most of the customer's invoices (ties: the first alphabetically).
    # A blank cell is "Unspecified", UCI's own word for it (factorize would code it -1).
    invoice_country = clean["Country"].iloc[line_of].fillna(UNSPECIFIED_COUNTRY)
    country_codes, countries = pd.factorize(invoice_country, sort=True)
    votes = np.bincount(
        owner * len(countries) + country_codes, minlength=n_customers * len(countries)
    ).reshape(n_customers, len(countries))
    main_country = countries[votes.argmax(axis=1)]

    return pd.DataFrame(
        {
            "CustomerID": customers.astype("int64"),
            "Country": pd.array(main_country, dtype="string"),
            "Recency": recency,
            "Frequency": frequency.astype("int64"),
            "Monetary": monetary,
        }
    )


def compute_rfm(clean: pd.DataFrame, as_of: _DateLike | None = None) -> pd.DataFrame:
    """One row a customer: Country, Recency, Frequency, Monetary, R/F/M scores, RFM code, FM, Segment.

    Recency is the whole days from the customer's last purchase to ``as_of`` (default
    ``default_as_of(clean)``), Frequency the number of distinct invoices, Monetary the sum of
    Revenue, Country the country of most of the customer's invoices. Rows are sorted by
    CustomerID. Raises ``DataError`` when there is nothing to score or ``as_of`` falls before
    the last invoice (Recency would be negative).
    """
    _require_columns(clean, _REQUIRED, "The transactions table")
    if clean["CustomerID"].hasnans:
        clean = clean[clean["CustomerID"].notna()]
    if clean.empty:
        raise DataError(NO_CUSTOMERS_MESSAGE)
    snapshot = snapshot_date(as_of, clean["InvoiceDate"].max())
    return score_customers(_aggregate(clean, snapshot))


#: What ``compute_rfm`` says when the filters leave no transaction with a customer.
NO_CUSTOMERS_MESSAGE = (
    "There are no transactions with a customer to score: load another dataset or widen the filters."
)


#: The latest as-of date, in years after the last invoice: with the loader's 200-year span of dates,
#: Recency (int64 nanoseconds, at most ~292 years) stays countable; 2300-01-01 raised OutOfBoundsDatetime.
MAX_AS_OF_YEARS_AFTER = 50


def snapshot_date(as_of: _DateLike | None, last_invoice: pd.Timestamp) -> pd.Timestamp:
    """The RFM snapshot: ``as_of`` checked against the last invoice scored, or the day after it.

    Raises ``DataError`` when ``as_of`` is not a date or falls before the last invoice
    (Recency would be negative). Shared with the per-dataset index: the same sentences."""
    if as_of is None:
        return last_invoice.normalize() + pd.Timedelta(days=1)  # default_as_of of the scored rows
    try:
        snapshot = pd.Timestamp(as_of)
    except (ValueError, TypeError) as error:
        raise DataError(f"The as-of date {as_of!r} is not a date: use the form YYYY-MM-DD.") from error
    if pd.isna(snapshot):
        raise DataError("The as-of date is empty: give a date as YYYY-MM-DD.")
    if snapshot.tzinfo is not None:
        # Invoice times are the shop's local wall-clock times, without a zone: compare alike.
        snapshot = snapshot.tz_localize(None)
    if snapshot > last_invoice + pd.DateOffset(years=MAX_AS_OF_YEARS_AFTER):
        raise DataError(
            f"The as-of date {snapshot:%Y-%m-%d} is more than {MAX_AS_OF_YEARS_AFTER} years after the last "
            f"invoice ({last_invoice:%Y-%m-%d}): Recency cannot be counted that far. Choose a date closer "
            "to the data."
        )
    if snapshot < last_invoice:
        raise DataError(
            f"The as-of date {snapshot:%Y-%m-%d %H:%M} is before the last invoice "
            f"({last_invoice:%Y-%m-%d %H:%M}): choose "
            f"{(last_invoice.normalize() + pd.Timedelta(days=1)).date()} or later "
            "(or leave out the transactions after it)."
        )
    return snapshot


def score_customers(rfm: pd.DataFrame) -> pd.DataFrame:
    """Scores, RFM code, FM and Segment added to the per-customer CustomerID, Country, Recency,
    Frequency and Monetary (sorted by CustomerID), in ``RFM_COLUMNS`` order."""
    r = _scores(rfm["Recency"].to_numpy(dtype="float64"), higher_is_better=False)
    f = _scores(rfm["Frequency"].to_numpy(dtype="float64"), higher_is_better=True)
    m = _scores(rfm["Monetary"].to_numpy(dtype="float64"), higher_is_better=True)
    fm = (f + m + 1) // 2
    rfm["R"], rfm["F"], rfm["M"] = r, f, m
    rfm["RFM"] = pd.array(_RFM_CODES[r, f, m], dtype="string")
    rfm["FM"] = fm
    rfm["Segment"] = pd.array(_SEGMENT_LOOKUP[r, fm], dtype="string")
    return rfm[RFM_COLUMNS]


def segment_totals(rfm: pd.DataFrame, columns: Iterable[str] = ()) -> pd.DataFrame:
    """Per segment present, in order of first appearance (as ``groupby("Segment", sort=False)``):
    ``Customers`` (rows) and the sum of each of ``columns``, indexed by ``Segment``; rows without
    a segment are left out.

    Counted with ``np.bincount`` over the segments' codes, not a pandas groupby: the Segments page
    summarises every new filter choice twice (the summary, the treemap), and the groupby's fixed
    cost was 10-15 ms each on a few thousand customers, on the path from a user's click to the new
    figures (benchmarks/README.md, "Round 6: a new Segments choice"); this is under 1 ms. A
    column with missing values takes the groupby, whose sums skip them.
    """
    columns = list(columns)
    values = {name: rfm[name].to_numpy(dtype="float64", na_value=np.nan) for name in columns}
    if any(np.isnan(array).any() for array in values.values()):
        grouped = rfm.groupby("Segment", sort=False)
        totals = grouped[columns].sum() if columns else pd.DataFrame(index=grouped.size().index)
        totals.insert(0, "Customers", grouped.size())
        return totals
    codes, names = pd.factorize(rfm["Segment"])
    present = codes >= 0
    codes = codes[present]
    totals = {"Customers": np.bincount(codes, minlength=len(names))}
    for name, array in values.items():
        totals[name] = np.bincount(codes, weights=array[present], minlength=len(names))
    return pd.DataFrame(totals, index=pd.Index(names, name="Segment"))


def segment_summary(rfm: pd.DataFrame) -> pd.DataFrame:
    """Size and value of each segment present, in ``SEGMENTS`` order, for the segment charts.

    Columns: Segment, Customers, CustomerShare (0-1), Revenue, RevenueShare (0-1), and the mean
    Recency, Frequency and Monetary of the segment's customers (MeanRecency, MeanFrequency,
    MeanMonetary). Segments without customers are left out.
    """
    _require_columns(rfm, ("Segment", "Recency", "Frequency", "Monetary"), "The RFM table")
    totals = segment_totals(rfm, ("Monetary", "Recency", "Frequency"))
    grouped = pd.DataFrame(
        {
            "Customers": totals["Customers"].astype("int64"),
            "Revenue": totals["Monetary"],
            "MeanRecency": totals["Recency"] / totals["Customers"],
            "MeanFrequency": totals["Frequency"] / totals["Customers"],
            "MeanMonetary": totals["Monetary"] / totals["Customers"],
        }
    )
    order = [name for name in SEGMENTS if name in grouped.index]
    grouped = grouped.reindex(order)
    total_customers = grouped["Customers"].sum()
    total_revenue = grouped["Revenue"].sum()
    grouped.insert(1, "CustomerShare", grouped["Customers"] / total_customers if total_customers else 0.0)
    grouped.insert(3, "RevenueShare", grouped["Revenue"] / total_revenue if total_revenue else 0.0)
    summary = grouped.reset_index()
    summary["Segment"] = summary["Segment"].astype("string")
    return summary


def clustering_features(rfm: pd.DataFrame) -> np.ndarray:
    """The (n, 3) float64 matrix KMeans clusters on: log1p of Recency, Frequency and Monetary,
    each standardised to mean 0 and standard deviation 1 (population std).

    The log tames the long tails of frequency and spend so a few wholesalers do not own the
    clusters; standardising gives the three equal weight. A column with one value everywhere
    becomes all zeros (never NaN). The prepare Lambda writes this matrix as the training data.
    """
    _require_columns(rfm, ("Recency", "Frequency", "Monetary"), "The RFM table")
    raw = rfm[["Recency", "Frequency", "Monetary"]].to_numpy(dtype="float64")
    if len(raw) and (raw < 0).any():
        raise DataError("Recency, Frequency and Monetary must not be negative: recompute the RFM table.")
    logged = np.log1p(raw)
    if len(logged) == 0:
        return logged.reshape(0, 3)
    centred = logged - logged.mean(axis=0)
    constant = np.ptp(logged, axis=0) == 0  # exact test: std of equal floats can be 1e-17, not 0
    spread = np.where(constant, 1.0, logged.std(axis=0))
    features = centred / spread
    features[:, constant] = 0.0
    return features
