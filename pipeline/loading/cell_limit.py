"""How long one cell may be: a cell of megabytes is a broken or hostile file, not a transaction.

A file's size, columns and cells are bounded before it is parsed; the length of one cell was
not, so a 50 MB CSV holding one 50 MB cell loaded, and a Description or Country of megabytes
flowed into the RFM table, the sidebar, the charts and the report. The commonest way to get
such a cell is no attack but a broken quote: a CSV cell that opens a quote and never closes it
swallows every line after it, and those rows silently vanish into one cell.

So a cell longer than ``RFM_STUDIO_MAX_CELL_CHARS`` characters is refused, not truncated: a cut
cell would hide the swallowed rows and change the data every figure is computed from, where a
refusal naming the column and the row points at the line to fix. No field of a transaction
comes near the default of 1000 characters (the longest Description of the UCI data has 35).

Measured on Arrow's string offsets: one kernel gives every cell's length in bytes, an upper
bound of its characters, and characters are counted only when some cell is over in bytes. No
Python object per cell, so the check costs milliseconds on the 541,909-row file.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from pipeline.errors import DataError
from pipeline.loading.arrow_text import arrow_strings
from pipeline.loading.limits import MAX_CELL_CHARS
from pipeline.loading.shown import is_plain_name, shown_label


def check_cell_lengths(columns: Mapping[str, pd.Series], label: str, max_chars: int) -> int:
    """Refuse a table with a cell over ``max_chars`` characters (a DataError naming the column,
    the data row and the setting); else the longest cell's length, an upper bound in characters.

    ``columns`` maps each column's header as found in the file to its values; ``label`` is the
    table's (``name [sheet]``). Columns of numbers or dates hold no text and are skipped.
    """
    longest = 0
    for position, (header, values) in enumerate(columns.items()):
        most = _longest_in_bytes(values)
        if most > max_chars:
            text = arrow_strings(values)  # a categorical column decoded: its rows, not its categories
            chars = pc.utf8_length(text)
            over = pc.fill_null(pc.greater(chars, max_chars), False)
            if pc.any(over).as_py():
                shown = f"'{header}'" if is_plain_name(header) else f"number {position + 1}"
                raise _too_long(shown, label, over, chars, max_chars)
            most = int(pc.max(chars).as_py() or 0)
        longest = max(longest, most)
    return longest


def longest_text(frame: pd.DataFrame, exact_above: int) -> int:
    """The longest text cell of ``frame``: what a cache entry records, so that a limit lowered
    later is not bypassed by a parse made before. In bytes (an upper bound of its characters)
    up to ``exact_above``, in characters beyond, so an entry within the limit is never judged
    over it for its accents."""
    longest = 0
    for _, values in frame.items():
        most = _longest_in_bytes(values)
        if most > exact_above:
            most = int(pc.max(pc.utf8_length(arrow_strings(values))).as_py() or 0)
        longest = max(longest, most)
    return longest


def _longest_in_bytes(values: pd.Series) -> int:
    """The longest text cell's length in bytes; 0 for a column of numbers, dates or booleans.
    A categorical column is measured by its categories."""
    dtype = values.dtype
    if isinstance(dtype, pd.CategoricalDtype):
        return _longest_in_bytes(values.cat.categories.to_series()) if len(dtype.categories) else 0
    if (
        pd.api.types.is_numeric_dtype(dtype)
        or pd.api.types.is_bool_dtype(dtype)
        or pd.api.types.is_datetime64_any_dtype(dtype)
        or pd.api.types.is_timedelta64_dtype(dtype)
        or isinstance(dtype, pd.PeriodDtype | pd.IntervalDtype)
    ):
        return 0
    text = arrow_strings(values)
    return int(pc.max(pc.binary_length(text)).as_py() or 0) if len(text) else 0


def _too_long(
    shown: str, label: str, over: pa.ChunkedArray, chars: pa.ChunkedArray, max_chars: int
) -> DataError:
    count = int(pc.sum(over).as_py() or 0)
    first = int(pc.index(over, True).as_py())
    length = int(chars[first].as_py())
    cells = "a cell" if count == 1 else f"{count:,} cells"
    return DataError(
        f"Column {shown} of {shown_label(label)} has {cells} over the limit of {max_chars:,} characters, "
        f"the first in data row {first + 1} ({length:,} characters). No field of a transaction is that "
        "long: in a CSV it is usually a quote opened and never closed, which turns the lines after it "
        "into one cell. Check that row of the file; if the cell is genuine, raise the limit with the "
        f"environment variable {MAX_CELL_CHARS[0]}."
    )
