"""A per-dataset index of the clean transactions, so re-scoring RFM for a filter is array work.

The app scores RFM for every (countries, date window, as-of) choice a user makes. Done as
``compute_rfm(filter_transactions(clean, ...))`` each choice copies every column of the chosen
rows (text included), parses millions of invoice numbers again and factorizes countries and
customers again: 1-3 s at 10x (5.4M rows read, 3.9M clean lines). The index does that work
once per dataset and keeps only numbers:

- per line: its customer code (dense, in CustomerID order), its (customer, invoice) pair code
  and its Revenue, in the clean frame's own row order;
- per pair (a customer's invoice, what Frequency counts): owner, country code, first and last
  invoice time, and number of lines.

In real data an invoice has one country and its lines fall on one day, so any filter by
countries and whole calendar days keeps or drops *whole pairs*: the filter is a mask over the
pairs (about 30 lines each), and Recency, Frequency, Country and the checks are bincounts and
reductions over pairs. Only Monetary is summed per line (``np.bincount`` with the unchosen
lines weighted 0.0), in the frame's row order, so every float is bit-for-bit what
``compute_rfm`` sums. A choice that would split a pair (an invoice over two countries, or one
that runs past midnight, cut by the window) and a frame the index cannot hold exactly
(missing customers, invoice numbers or times) take the library path itself, so the result
is always exactly ``compute_rfm(filter_transactions(clean, countries, start, end), as_of)``,
and every ``DataError`` is the same sentence (the checks are shared with ``pipeline.analysis.rfm``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from pipeline.analysis import rfm
from pipeline.analysis.codes import dense_codes, invoice_codes
from pipeline.errors import DataError

_NEVER = np.iinfo(np.int64).min


@dataclass(frozen=True)
class ScoredChoice:
    """The RFM table of one filter choice, with what the Segments page says about it."""

    #: ``compute_rfm``'s table for the choice (one row a customer, sorted by CustomerID).
    table: pd.DataFrame
    #: Lines the filter kept (``len(filter_transactions(...))``).
    transactions: int
    #: The snapshot Recency counts to: the as-of date asked for, or the day after the last invoice.
    as_of: pd.Timestamp
    #: True when the index's pairs answered, False when the choice took the library path.
    by_pairs: bool = True


@dataclass(frozen=True)
class _Chosen:
    """The pairs a filter choice keeps (a mask over pairs, or None for all of them)."""

    pairs: np.ndarray | None


class TransactionsIndex:
    """Numbers of one clean transactions frame, built once, to score RFM for any filter choice.

    Read-only once built: the app shares one per dataset between sessions.
    """

    def __init__(self, clean: pd.DataFrame) -> None:
        """Index ``clean`` (the frame of ``pipeline.loading.dataset.clean_transactions``)."""
        rfm._require_columns(clean, rfm._REQUIRED, "The transactions table")
        self.clean = clean
        self.lines = len(clean)
        #: The countries a filter may name (non-blank), sorted.
        self.countries: tuple[str, ...] = tuple(sorted(str(c) for c in clean["Country"].dropna().unique()))
        self.exact = not (
            clean.empty
            or clean["CustomerID"].hasnans
            or clean["InvoiceNo"].hasnans
            or clean["InvoiceDate"].hasnans
        )
        if self.exact:
            self._index_pairs(clean)

    def __len__(self) -> int:
        """Lines of the clean transactions (what a price-regression run splits)."""
        return self.lines

    def _index_pairs(self, clean: pd.DataFrame) -> None:
        customer_of_line, self.customer_ids = dense_codes(clean["CustomerID"].to_numpy(dtype="int64"))
        invoice_of_line, invoices = invoice_codes(clean["InvoiceNo"])
        pair_of_line, pairs = pd.factorize(customer_of_line.astype("int64") * invoices + invoice_of_line)
        n_pairs = len(pairs)
        self.pair_of_line = pair_of_line
        self.customer_of_line = customer_of_line
        self.revenue = clean["Revenue"].to_numpy(dtype="float64")
        self.pair_owner = np.asarray(pairs) // invoices
        self.pair_lines = np.bincount(pair_of_line, minlength=n_pairs)

        last_line = np.empty(n_pairs, dtype="int64")
        last_line[pair_of_line] = np.arange(self.lines, dtype="int64")  # as compute_rfm: the last line
        stamps = clean["InvoiceDate"].to_numpy(dtype="datetime64[ns]").view("int64")
        self.pair_first = np.full(n_pairs, np.iinfo(np.int64).max)
        np.minimum.at(self.pair_first, pair_of_line, stamps)
        self.pair_last = np.full(n_pairs, _NEVER)
        np.maximum.at(self.pair_last, pair_of_line, stamps)

        # Countries: codes for the filter (a blank is its own, never matched) and for the vote
        # (a blank counts as "Unspecified", as compute_rfm names it), both in sorted order.
        country_of_line, country_names = pd.factorize(clean["Country"], sort=True)
        self.country_code = {str(name): code for code, name in enumerate(country_names)}
        vote_of_line, vote_names = pd.factorize(clean["Country"].fillna(rfm.UNSPECIFIED_COUNTRY), sort=True)
        self.vote_names = np.asarray(vote_names, dtype=object)
        self.pair_country = country_of_line[last_line]
        self.pair_vote = vote_of_line[last_line]
        self.mixed_country = bool((self.pair_country[pair_of_line] != country_of_line).any())

    def score(
        self,
        countries: str | Iterable[str] | None = None,
        start: rfm._DateLike | None = None,
        end: rfm._DateLike | None = None,
        as_of: rfm._DateLike | None = None,
    ) -> ScoredChoice:
        """``compute_rfm(filter_transactions(clean, countries, start, end), as_of)`` with the
        filter's line count and the snapshot used; raises the same ``DataError``s."""
        chosen = self._choose(countries, start, end)
        if chosen is None:
            return self._library_score(countries, start, end, as_of)
        frequency, last = self._per_customer(chosen)
        present = frequency > 0
        snapshot = rfm.snapshot_date(as_of, pd.Timestamp(int(last.max()), unit="ns"))
        return ScoredChoice(
            table=rfm.score_customers(self._aggregate(chosen, present, frequency, last, snapshot)),
            transactions=int(self.lines if chosen.pairs is None else self.pair_lines[chosen.pairs].sum()),
            as_of=snapshot,
        )

    def customers(
        self,
        countries: str | Iterable[str] | None = None,
        as_of: rfm._DateLike | None = None,
    ) -> int:
        """``len(compute_rfm(filter_transactions(clean, countries), as_of))`` without building the
        table: what the clustering check needs (same ``DataError``s)."""
        chosen = self._choose(countries, None, None)
        if chosen is None:
            return len(self._library_score(countries, None, None, as_of).table)
        frequency, last = self._per_customer(chosen)
        rfm.snapshot_date(as_of, pd.Timestamp(int(last.max()), unit="ns"))
        return int(np.count_nonzero(frequency))

    def _choose(
        self, countries: str | Iterable[str] | None, start: rfm._DateLike | None, end: rfm._DateLike | None
    ) -> _Chosen | None:
        """The pairs a choice keeps, after the library's checks; None when the library path must
        score it (a pair the choice would split, or a frame the index does not hold)."""
        wanted = rfm.wanted_countries(countries)
        if wanted:
            rfm.check_countries(wanted, self.countries)
        first_day, last_day = rfm.window_days(start, end)
        if not self.exact or (wanted and self.mixed_country):
            return None
        keep: np.ndarray | None = None
        if wanted:
            allowed = np.zeros(len(self.country_code) + 1, dtype=bool)  # the last: blank (code -1)
            allowed[[self.country_code[name] for name in wanted]] = True
            keep = allowed[self.pair_country]
        for bound, side in ((first_day, "start"), (last_day, "end")):
            if bound is None:
                continue
            limit = _nanoseconds(bound if side == "start" else bound + pd.Timedelta(days=1))
            whole = self.pair_first >= limit if side == "start" else self.pair_last < limit
            some = self.pair_last >= limit if side == "start" else self.pair_first < limit
            if (whole != some).any():
                return None  # an invoice runs across the window's edge: only some of its lines count
            keep = whole if keep is None else keep & whole
        return _Chosen(keep)

    def _per_customer(self, chosen: _Chosen) -> tuple[np.ndarray, np.ndarray]:
        """Frequency (distinct invoices) and last invoice time per customer code; raises
        ``DataError`` when the choice keeps no line."""
        owners = self.pair_owner if chosen.pairs is None else self.pair_owner[chosen.pairs]
        if len(owners) == 0:
            raise DataError(rfm.NO_CUSTOMERS_MESSAGE)
        frequency = np.bincount(owners, minlength=len(self.customer_ids))
        last = np.full(len(self.customer_ids), _NEVER)
        np.maximum.at(last, owners, self.pair_last if chosen.pairs is None else self.pair_last[chosen.pairs])
        return frequency, last

    def _aggregate(
        self,
        chosen: _Chosen,
        present: np.ndarray,
        frequency: np.ndarray,
        last: np.ndarray,
        snapshot: pd.Timestamp,
    ) -> pd.DataFrame:
        """What ``rfm._aggregate`` gives for the chosen lines, from the pairs (see the docstring)."""
        n_customers = len(self.customer_ids)
        weights = (
            self.revenue
            if chosen.pairs is None
            else np.where(chosen.pairs[self.pair_of_line], self.revenue, 0.0)
        )
        monetary = np.bincount(self.customer_of_line, weights=weights, minlength=n_customers)
        recency = (snapshot - pd.to_datetime(last[present], unit="ns")).days.to_numpy(dtype="int64")

        pairs = slice(None) if chosen.pairs is None else chosen.pairs
        n_votes = len(self.vote_names)
        votes = np.bincount(
            self.pair_owner[pairs] * n_votes + self.pair_vote[pairs], minlength=n_customers * n_votes
        ).reshape(n_customers, n_votes)
        main_country = self.vote_names[votes[present].argmax(axis=1)]
        return pd.DataFrame(
            {
                "CustomerID": self.customer_ids[present].astype("int64"),
                "Country": pd.array(main_country, dtype="string"),
                "Recency": recency,
                "Frequency": frequency[present].astype("int64"),
                "Monetary": monetary[present],
            }
        )

    def _library_score(
        self,
        countries: str | Iterable[str] | None,
        start: rfm._DateLike | None,
        end: rfm._DateLike | None,
        as_of: rfm._DateLike | None,
    ) -> ScoredChoice:
        """The library path, for the choices the pairs cannot answer exactly."""
        window = rfm.filter_transactions(self.clean, countries, start, end)
        table = rfm.compute_rfm(window, as_of)
        snapshot = rfm.snapshot_date(as_of, window.loc[window["CustomerID"].notna(), "InvoiceDate"].max())
        return ScoredChoice(table=table, transactions=len(window), as_of=snapshot, by_pairs=False)


def _nanoseconds(day: pd.Timestamp) -> int:
    """A window edge as int64 nanoseconds, clipped to the range invoice times can have."""
    try:
        return int(day.as_unit("ns").value)
    except (OverflowError, pd.errors.OutOfBoundsDatetime):
        return int(np.iinfo(np.int64).max) if day.year > 2000 else _NEVER
