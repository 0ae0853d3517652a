"""Text columns as Arrow arrays, for the compute kernels that replace per-cell Python work.

pandas keeps ``string`` columns in Arrow already; these helpers take the array out and put
one back without copying, so a regex, a prefix test or a parse runs once over the column in
C++ instead of once per cell in Python.
"""

from __future__ import annotations

import pandas as pd
import pyarrow as pa


def arrow_strings(values: pd.Series) -> pa.ChunkedArray:
    """The values as an Arrow string column (no copy when they are Arrow-backed text already)."""
    array = values.astype("string").array.__arrow_array__()
    return array if isinstance(array, pa.ChunkedArray) else pa.chunked_array([array])


def string_series(array: pa.ChunkedArray, index: pd.Index) -> pd.Series:
    """An Arrow string column as a pandas ``string`` Series (missing cells as ``pd.NA``), in one
    chunk: Arrow's ``take`` (every row filter) concatenates a many-chunked column first, which
    made filtering a few rows of a CSV read in 4 MB blocks cost as much as copying it."""
    if array.num_chunks > 1:
        array = pa.chunked_array([array.combine_chunks()], type=array.type)
    return pd.Series(pd.arrays.ArrowStringArray(array), index=index)
