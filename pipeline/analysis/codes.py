"""Integer codes for customer and invoice numbers, the keys every RFM reduction groups by.

``compute_rfm`` groups millions of invoice lines by customer and by invoice on every filter
change in the app; hashing strings for that is the slow way. Customer IDs are integers and
UCI invoice numbers are digit strings, so both become dense codes by a parse and direct
indexing; anything else falls back to ``pd.factorize``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc


def dense_codes(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``pd.factorize(values, sort=True)`` for non-negative integers in a modest range (customer
    and invoice numbers), by direct indexing instead of hashing; falls back to hashing."""
    low, high = (values.min(), values.max()) if len(values) else (-1, -1)
    if low >= 0 and high - low < 50_000_000:
        present = np.zeros(high - low + 1, dtype=bool)
        present[values - low] = True
        code_of = np.cumsum(present) - 1
        return code_of[values - low], np.flatnonzero(present) + low
    codes, uniques = pd.factorize(values, sort=True)
    return codes, np.asarray(uniques)


def invoice_codes(invoices: pd.Series) -> tuple[np.ndarray, int]:
    """Integer codes of the invoice numbers and how many distinct invoices there are.

    Both UCI files number invoices with plain digit strings once cancellations are gone;
    parsing those as integers is several times faster than hashing strings. Anything else
    (letters, signs, spaces, leading zeros) falls back to ``pd.factorize``.
    """
    try:
        text = pa.array(invoices.array)
        numbers = pc.cast(text, pa.int64()).to_numpy(zero_copy_only=False)
        # Arrow's cast also reads "-5", "05" and "0x5": only positive numbers without a leading
        # zero are the same invoice exactly when their strings are equal.
        if text.null_count == 0 and (numbers > 0).all() and not pc.any(pc.starts_with(text, "0")).as_py():
            codes, uniques = dense_codes(numbers)
            return codes, len(uniques)
    except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError, ValueError):
        pass
    # A missing invoice number is a code of its own: factorize's -1 for it indexed the last invoice.
    codes, uniques = pd.factorize(invoices, use_na_sentinel=False)
    return codes, len(uniques)
