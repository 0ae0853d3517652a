"""What a Parquet file declares, checked from its footer before any column is decoded.

Parquet is read in the app's own process (pyarrow reports allocation failures as exceptions,
and the fast path must stay fast), so its footer is checked first: the number of columns and
the size its column chunks take once decompressed. Binary columns (bytes, not text) are
turned into text when they are valid UTF-8 and refused otherwise, instead of failing later
with a UnicodeDecodeError.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pipeline.errors import DataError
from pipeline.loading.limits import Limits, check_columns, check_unzipped
from pipeline.loading.shown import is_plain_name, shown_label


def check_parquet_metadata(metadata: Any, name: str, limits: Limits) -> None:
    """Refuse a file with too many columns or whose data decompresses past the limit."""
    check_columns(int(metadata.num_columns), f"'{name}'", limits)
    uncompressed = sum(int(metadata.row_group(i).total_byte_size) for i in range(metadata.num_row_groups))
    check_unzipped(uncompressed, f"The data of '{name}'", limits)


def as_text_where_binary(table: Any, name: str) -> Any:
    """``table`` with its binary columns cast to text; a DataError for bytes that are not UTF-8."""
    import pyarrow as pa
    import pyarrow.compute as pc

    for index, field in enumerate(table.schema):
        kind = field.type.value_type if pa.types.is_dictionary(field.type) else field.type
        if not (pa.types.is_binary(kind) or pa.types.is_large_binary(kind) or pa.types.is_binary_view(kind)):
            continue
        column = table.column(index)
        if pa.types.is_dictionary(field.type):
            column = pc.dictionary_decode(column)
        try:
            text = pc.cast(column, pa.large_string() if pa.types.is_large_binary(kind) else pa.string())
        except pa.ArrowInvalid:
            shown = f"'{field.name}'" if is_plain_name(field.name) else f"number {index + 1}"
            raise DataError(
                f"Column {shown} of '{name}' holds binary data, not text: write it as text (UTF-8) "
                "or as a date/number column, and export the Parquet file again."
            ) from None
        table = table.set_column(index, pa.field(field.name, text.type), text)
    return table


def refuse_nested_values(columns: Mapping[str, Any], label: str) -> None:
    """A DataError when a column the app keeps holds lists or records (a Parquet list, struct or
    map column), not one value a cell: such a Country was read as the text "['United Kingdom']".

    Only columns of Python objects are looked at (text, numbers and dates have dtypes of their
    own), and only their first value, so the check costs nothing on the usual files."""
    import numpy as np

    for position, (header, values) in enumerate(columns.items()):
        if values.dtype != object:
            continue
        present = values.dropna()
        if len(present) and isinstance(present.iloc[0], list | tuple | dict | np.ndarray):
            shown = f"'{header}'" if is_plain_name(header) else f"number {position + 1}"
            raise DataError(
                f"Column {shown} of {shown_label(label)} holds lists or records, not one value a cell: "
                "write it as a plain text, number or date column and export the file again."
            )
