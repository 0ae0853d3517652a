"""Remove the rows an RFM analysis must not count, and say exactly how many and why.

Nothing is dropped silently: every removed row is counted once, at the first step of the
cascade that removes it, so the report's numbers add up to the rows read.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import pandas as pd
import pyarrow.compute as pc

from pipeline.errors import DataError
from pipeline.loading.arrow_text import arrow_strings, select_rows

#: Columns of the canonical transactions frame (see docs/ARCHITECTURE.md).
CANONICAL_COLUMNS = (
    "InvoiceNo",
    "StockCode",
    "Description",
    "Quantity",
    "InvoiceDate",
    "UnitPrice",
    "CustomerID",
    "Country",
)

#: Columns whose values make the key that finds duplicate candidates (an invoice line's own).
_DUPLICATE_KEY = ("InvoiceNo", "StockCode", "Quantity")
#: An odd 64-bit multiplier (2^64 / golden ratio) that spreads factorize codes over the key.
_MIX = np.uint64(0x9E3779B97F4A7C15)

#: The removal steps in cascade order: (CleaningReport field, reason shown to people).
REMOVAL_STEPS = (
    ("missing_customer", "Missing CustomerID"),
    ("cancellations", "Cancellation (invoice starts with C)"),
    ("non_positive_quantity", "Quantity zero or negative"),
    ("non_positive_price", "Unit price zero or negative"),
    ("duplicates", "Exact duplicate row"),
)


@dataclass(frozen=True)
class CleaningReport:
    """What cleaning read, removed (by reason) and kept."""

    rows_read: int
    missing_customer: int
    cancellations: int
    non_positive_quantity: int
    non_positive_price: int
    duplicates: int
    rows_kept: int
    customers: int
    first_invoice: pd.Timestamp
    last_invoice: pd.Timestamp
    countries: int
    revenue: float

    def removed(self) -> list[tuple[str, int]]:
        """``(reason, rows)`` for each removal step, in cascade order."""
        return [(reason, getattr(self, field)) for field, reason in REMOVAL_STEPS]

    def to_dict(self) -> dict[str, Any]:
        """JSON-serialisable fields (timestamps as ISO text), e.g. for a Lambda's result."""
        out = asdict(self)
        out["first_invoice"] = self.first_invoice.isoformat()
        out["last_invoice"] = self.last_invoice.isoformat()
        return out


def clean_transactions(transactions: pd.DataFrame) -> tuple[pd.DataFrame, CleaningReport]:
    """The transactions fit for RFM (canonical columns plus ``Revenue``) and the report.

    Removal order: missing CustomerID, cancellation (InvoiceNo starting with "C"), quantity
    <= 0, unit price <= 0, exact duplicate of an earlier row (over the canonical columns).
    """
    missing = [c for c in CANONICAL_COLUMNS if c not in transactions.columns]
    if missing:
        raise DataError(
            f"The transactions lack the column(s) {', '.join(missing)}: load them with "
            "pipeline.loading.dataset.load_transactions, which normalises both UCI schemas."
        )
    frame = transactions.loc[:, list(CANONICAL_COLUMNS)]
    remaining = pd.Series(True, index=frame.index)
    counts: dict[str, int] = {}

    def remove(field: str, mask: pd.Series) -> None:
        nonlocal remaining
        hit = remaining & mask.fillna(False).astype(bool)
        counts[field] = int(hit.sum())
        remaining &= ~hit

    remove("missing_customer", frame["CustomerID"].isna())
    remove("cancellations", _cancellations(frame["InvoiceNo"]))
    remove("non_positive_quantity", frame["Quantity"] <= 0)
    remove("non_positive_price", frame["UnitPrice"] <= 0)
    kept = remaining.to_numpy()
    duplicated = repeats_of_earlier_rows(frame, kept)
    counts["duplicates"] = int(duplicated.sum())
    clean = select_rows(frame, kept & ~duplicated).reset_index(drop=True)
    clean["Revenue"] = clean["Quantity"] * clean["UnitPrice"]

    if frame.empty:
        raise DataError(
            "The file has a header but no rows of transactions: check that this is the right "
            "file and that its export or download finished."
        )
    if clean.empty:
        # The reasons as the report names them (CustomerID, "C"), only those that removed rows.
        removed = ", ".join(
            f"{reason}: {counts[field]:,}" for field, reason in REMOVAL_STEPS if counts[field]
        )
        raise DataError(
            f"Nothing is left after cleaning the {len(frame)} rows read ({removed}). "
            "RFM needs sales with a customer ID, a positive quantity and a positive price: check "
            "that this is the right file."
        )
    report = CleaningReport(
        rows_read=len(frame),
        **counts,
        rows_kept=len(clean),
        customers=int(clean["CustomerID"].nunique()),
        first_invoice=clean["InvoiceDate"].min(),
        last_invoice=clean["InvoiceDate"].max(),
        countries=int(clean["Country"].nunique()),
        revenue=float(clean["Revenue"].sum()),
    )
    return clean, report


def _cancellations(invoices: pd.Series) -> pd.Series:
    """Invoice numbers starting with "C" or "c" (one Arrow pass, no upper-cased copy)."""
    text = arrow_strings(invoices)
    hit = pc.fill_null(pc.or_(pc.starts_with(text, "C"), pc.starts_with(text, "c")), False)
    return pd.Series(hit.to_numpy(), index=invoices.index)


def repeats_of_earlier_rows(frame: pd.DataFrame, rows: np.ndarray) -> np.ndarray:
    """Among the rows flagged in ``rows``, those equal in every column to an earlier flagged one.

    Exactly what ``frame[rows].duplicated(keep="first")`` says, at a fraction of its cost on
    eight columns: a 64-bit key a row mixes the columns of :data:`_DUPLICATE_KEY` (equal rows
    always get equal keys), a sort finds the keys that repeat (hash tables of millions of
    entries are slower than a sort on a busy machine), and only those rows (a few percent in
    the UCI data) are compared in full by pandas. Returns a mask over all of ``frame``'s rows.
    """
    positions = np.flatnonzero(rows)
    key = np.zeros(len(positions), dtype=np.uint64)
    for column in _DUPLICATE_KEY:
        key = (key ^ _equality_codes(frame[column])[positions]) * _MIX
        key ^= key >> np.uint64(29)
    repeats = np.zeros(len(frame), dtype=bool)
    maybe = _repeated(key)
    if maybe.any():
        candidates = positions[maybe]
        repeats[candidates] = frame.iloc[candidates].duplicated(keep="first").to_numpy()
    return repeats


def _equality_codes(values: pd.Series) -> np.ndarray:
    """Integers that are equal exactly when the values are (a missing value equals another)."""
    if values.dtype.kind in "iub":  # plain integers (Quantity) are their own codes
        return values.to_numpy().astype(np.uint64)
    codes, _ = pd.factorize(values)  # a missing value gets -1
    return codes.astype(np.uint64)


def _repeated(keys: np.ndarray) -> np.ndarray:
    """Which keys occur more than once: a sort of the keys finds the repeated values (few), then
    a hash set of those few flags the rows. (A hash table or an indirect sort over all the
    keys is several times slower once the keys outgrow the CPU caches.)"""
    ordered = np.sort(keys)
    repeated = ordered[1:][ordered[1:] == ordered[:-1]]
    if len(repeated) == 0:
        return np.zeros(len(keys), dtype=bool)
    return pd.Series(keys).isin(repeated).to_numpy()
