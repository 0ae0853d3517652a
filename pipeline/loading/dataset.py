"""Load UCI Online Retail transactions from anywhere into one canonical frame.

This is the public entry for data: :func:`load_transactions` reads a path, URL, S3 object,
bytes or upload (:mod:`pipeline.loading.sources`), parses xlsx/csv/parquet (:mod:`pipeline.loading.readers`),
normalises both UCI schemas to the canonical columns and dtypes of docs/ARCHITECTURE.md, and
caches the result as Parquet keyed by the file's sha256, so opening the same file again
costs a hash and a Parquet read. :func:`clean_transactions` (:mod:`pipeline.loading.cleaning`)
then gives the rows fit for RFM with a report of everything removed.
"""

from __future__ import annotations

import json
import os
import re
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from pipeline.config import data_subdir
from pipeline.errors import DataError
from pipeline.hashing import content_hash as hash_of
from pipeline.loading import limits
from pipeline.loading.arrow_text import arrow_strings, string_series
from pipeline.loading.cell_limit import check_cell_lengths, longest_text
from pipeline.loading.cleaning import CANONICAL_COLUMNS, REMOVAL_STEPS, CleaningReport, clean_transactions
from pipeline.loading.parquet_guard import refuse_nested_values
from pipeline.loading.readers import RawTable, read_tables
from pipeline.loading.remembered import cache_paths, remember_path, remembered_hash, within_cell_limit
from pipeline.loading.shown import shown_file_name, shown_label, shown_names, shown_value
from pipeline.loading.sources import DEFAULT_URL_TIMEOUT, default_max_bytes, read_source
from pipeline.loading.validation import parse_dates_in_range, require_finite_in_range

__all__ = [
    "CANONICAL_COLUMNS",
    "REMOVAL_STEPS",
    "SCHEMA_ONLINE_RETAIL",
    "SCHEMA_ONLINE_RETAIL_II",
    "CleaningReport",
    "Dataset",
    "clean_transactions",
    "load_transactions",
    "normalise_tables",
]

SCHEMA_ONLINE_RETAIL = "Online Retail"
SCHEMA_ONLINE_RETAIL_II = "Online Retail II"

#: Header spellings accepted for each canonical column (compared lower-case, letters and digits only).
COLUMN_ALIASES: dict[str, tuple[str, ...]] = {
    "InvoiceNo": ("invoiceno", "invoice"),
    "StockCode": ("stockcode",),
    "Description": ("description",),
    "Quantity": ("quantity",),
    "InvoiceDate": ("invoicedate",),
    "UnitPrice": ("unitprice", "price"),
    "CustomerID": ("customerid",),
    "Country": ("country",),
}

_TEXT_COLUMNS = ("InvoiceNo", "StockCode", "Description", "Country")


@dataclass(frozen=True, eq=False)
class Dataset:
    """Loaded transactions (every row read, canonical columns) and where they came from."""

    transactions: pd.DataFrame
    name: str
    source: str
    content_hash: str
    schema: str
    from_cache: bool = False
    #: The canonical Parquet copy in the cache, when one was read or written (None otherwise).
    cache_path: Path | None = None


def load_transactions(
    source: str | os.PathLike | bytes | BinaryIO | Any,
    *,
    name: str | None = None,
    max_bytes: int | None = None,
    use_cache: bool = True,
    timeout: tuple[float, float] = DEFAULT_URL_TIMEOUT,
    s3_client: Any = None,
) -> Dataset:
    """Read transactions from a path, ``http(s)://`` URL, ``s3://bucket/key``, bytes or upload.

    ``max_bytes`` caps the file size (default ``$RFM_STUDIO_MAX_MB``, 300 MB); ``timeout`` is
    the (connect, read) timeout of URL downloads; ``s3_client`` replaces the default boto3
    client. Raises :class:`~pipeline.errors.DataError` with an actionable message on bad input.
    """
    path = _local_path(source)
    if use_cache and path is not None:
        remembered = _remembered_dataset(path, name, max_bytes)
        if remembered is not None:
            return remembered
    raw = read_source(source, max_bytes=max_bytes, timeout=timeout, s3_client=s3_client)
    display_name = shown_file_name(name or raw.name)
    content_hash = hash_of(raw.data)
    cached = _read_cache(content_hash) if use_cache else None
    if cached is not None:
        frame, schema = cached
        dataset = Dataset(
            frame, display_name, raw.source, content_hash, schema, True, cache_paths(content_hash)[0]
        )
    else:
        frame, schema = normalise_tables(read_tables(raw.data, display_name))
        cache_path = _write_cache(content_hash, frame, schema) if use_cache else None
        dataset = Dataset(frame, display_name, raw.source, content_hash, schema, False, cache_path)
    if use_cache and path is not None:
        remember_path(path, content_hash)
    return dataset


def _local_path(source: Any) -> Path | None:
    """The file a source names on this machine, or None for URLs, S3, bytes and uploads."""
    if isinstance(source, os.PathLike) or (isinstance(source, str) and "://" not in source):
        return Path(source).expanduser()
    return None


def _remembered_dataset(path: Path, name: str | None, max_bytes: int | None) -> Dataset | None:
    """The cached dataset of an unchanged local file, without reading or hashing it again.

    A file is unchanged while its resolved path, size and modification time (ns) are, as
    make and rsync assume; any change means a full read, hash and, if new, parse.
    """
    limit = default_max_bytes() if max_bytes is None else int(max_bytes)
    content_hash = remembered_hash(path, limit)
    if content_hash is None:
        return None
    cached = _read_cache(content_hash)
    if cached is None:
        return None
    frame, schema = cached
    return Dataset(
        frame,
        shown_file_name(name or path.name),
        str(path),
        content_hash,
        schema,
        True,
        cache_paths(content_hash)[0],
    )


def canonical_parquet(dataset: Dataset) -> Path:
    """A Parquet file of the dataset's canonical transactions, the form backends upload.

    The cache entry when there is one; otherwise a copy written once to ``uploads/`` under
    the content hash (a load with ``use_cache=False``, or a disk that refused the cache).
    """
    if dataset.cache_path is not None and dataset.cache_path.is_file():
        return dataset.cache_path
    path = data_subdir("uploads") / f"{dataset.content_hash}.parquet"
    if not path.exists():
        partial = path.with_name(f"{path.name}.{os.getpid()}.part")
        dataset.transactions.to_parquet(partial, index=False)
        partial.replace(path)
    return path


def normalise_tables(tables: list[RawTable], max_cell_chars: int | None = None) -> tuple[pd.DataFrame, str]:
    """Canonical transactions from raw tables (e.g. the two yearly sheets of Online Retail II).

    Tables whose header does not hold the required columns are skipped (a notes sheet, say);
    if none does, the error names the missing columns and lists those found. A cell of the
    columns kept longer than ``max_cell_chars`` (default ``RFM_STUDIO_MAX_CELL_CHARS``) is
    refused (:mod:`pipeline.loading.cell_limit`).
    """
    max_chars = limits.max_cell_chars() if max_cell_chars is None else int(max_cell_chars)
    matched: list[pd.DataFrame] = []
    schemas: set[str] = set()
    best_miss: tuple[list[str], RawTable] | None = None
    for table in tables:
        mapping, missing = match_columns(table.frame.columns)
        if missing:
            if best_miss is None or len(missing) < len(best_miss[0]):
                best_miss = (missing, table)
            continue
        kept = {original: table.frame[original] for original in mapping.values()}
        refuse_nested_values(kept, table.label)
        check_cell_lengths(kept, table.label, max_chars)
        schemas.add(_schema_of(mapping))
        renamed = table.frame.loc[:, list(mapping.values())]
        renamed.columns = list(mapping.keys())
        matched.append(renamed)
    if not matched:
        assert best_miss is not None
        missing, table = best_miss
        raise missing_columns_error(table.label, missing, table.frame.columns)
    raw = matched[0] if len(matched) == 1 else pd.concat(matched, ignore_index=True)
    schema = SCHEMA_ONLINE_RETAIL_II if SCHEMA_ONLINE_RETAIL_II in schemas else SCHEMA_ONLINE_RETAIL
    return _canonical_frame(raw.reset_index(drop=True)), schema


def missing_columns_error(label: str, missing: list[str], columns: Any) -> DataError:
    """The error for a table without the required columns; found names are listed only if they
    look like names and the table has some of the required ones (else it is not a data file at
    all, and its first line may be anything: a token, a password, a page)."""
    layouts = (
        "Use the UCI Online Retail layout (InvoiceNo, StockCode, Description, Quantity, InvoiceDate, "
        "UnitPrice, CustomerID, Country) or Online Retail II (Invoice, ..., Price, Customer ID, Country)."
    )
    if len(missing) == len(COLUMN_ALIASES):
        return DataError(
            f"{shown_label(label)} has none of the required columns: it is not a table of transactions "
            f"(its first line has {len(columns):,} field(s)). Check that this is the right file. {layouts}"
        )
    return DataError(
        f"{shown_label(label)} lacks the required column(s) {', '.join(missing)}. Columns found: "
        f"{shown_names(columns)}. {layouts}"
    )


def match_columns(columns: Any) -> tuple[dict[str, Any], list[str]]:
    """``({canonical: original header}, [missing canonical names])`` for a table's header."""
    by_key: dict[str, Any] = {}
    for column in columns:
        by_key.setdefault(_key(column), column)
    mapping: dict[str, Any] = {}
    missing: list[str] = []
    for canonical, aliases in COLUMN_ALIASES.items():
        found = next((by_key[a] for a in aliases if a in by_key), None)
        if found is None:
            missing.append(canonical)
        else:
            mapping[canonical] = found
    return mapping, missing


def _key(header: Any) -> str:
    return re.sub(r"[^a-z0-9]", "", str(header).lower())


def _schema_of(mapping: dict[str, Any]) -> str:
    if _key(mapping["InvoiceNo"]) == "invoice" or _key(mapping["UnitPrice"]) == "price":
        return SCHEMA_ONLINE_RETAIL_II
    return SCHEMA_ONLINE_RETAIL


def _canonical_frame(raw: pd.DataFrame) -> pd.DataFrame:
    out = {}
    for column in _TEXT_COLUMNS:
        out[column] = _text(raw[column])
    _require_invoice_numbers(out["InvoiceNo"])
    out["Quantity"] = _whole_numbers(raw["Quantity"], "Quantity", nullable=False)
    out["InvoiceDate"] = parse_dates_in_range(raw["InvoiceDate"], "InvoiceDate")
    out["UnitPrice"] = _required_numbers(raw["UnitPrice"], "UnitPrice")
    out["CustomerID"] = _whole_numbers(raw["CustomerID"], "CustomerID", nullable=True)
    return pd.DataFrame(out, columns=list(CANONICAL_COLUMNS))


def _text(values: pd.Series) -> pd.Series:
    """Text with Excel's numeric cells written as integers (573415.0 -> "573415"), blanks as NA.

    Arrow compute kernels on the column as it is (CSV and xlsx text arrives as Arrow strings):
    no Python object per cell, and the regex runs only on the cells that end in ".0".
    """
    text = arrow_strings(values)
    ends_in_zero = pc.ends_with(text, ".0")
    if pc.any(ends_in_zero).as_py():
        integral = pc.fill_null(pc.match_substring_regex(text, r"^-?\d+\.0$"), False)
        text = pc.if_else(integral, pc.utf8_slice_codeunits(text, 0, -2), text)
    blank = pc.or_(pc.equal(pc.binary_length(text), 0), pc.utf8_is_space(text))
    if pc.any(blank).as_py():
        text = pc.if_else(blank, pa.scalar(None, text.type), text)
    return string_series(text, values.index)


def _require_invoice_numbers(invoices: pd.Series) -> None:
    """A DataError when an invoice number is blank: Frequency counts invoices, and a line without
    one was counted against another customer's invoice (a customer of one invoice got Frequency 0
    and the other's Country)."""
    missing = invoices.isna().to_numpy()
    if missing.any():
        position = int(missing.nonzero()[0][0])
        raise DataError(
            f"Column 'InvoiceNo' is empty in {int(missing.sum()):,} row(s) (first at data row "
            f"{position + 1}): every transaction needs an invoice number. Fill them in or remove those rows."
        )


def _numbers(values: pd.Series, column: str) -> pd.Series:
    """Floats, blanks as NaN; a DataError naming a value that is not a number."""
    if pd.api.types.is_numeric_dtype(values.dtype) and not pd.api.types.is_bool_dtype(values.dtype):
        return values.astype("float64")
    parsed = _numbers_from_arrow_text(values)
    if parsed is not None:
        return parsed
    try:
        return values.astype("float64")
    except (TypeError, ValueError):
        pass
    text = values.astype("string").str.strip()
    text = text.mask(text == "")
    numbers = pd.to_numeric(text, errors="coerce")
    bad = numbers.isna() & text.notna()
    if bad.any() and text[bad].str.contains(",", regex=False).all():
        # Decimal commas (2,55) from a European spreadsheet export.
        numbers = numbers.fillna(pd.to_numeric(text[bad].str.replace(",", ".", regex=False), errors="coerce"))
        bad = numbers.isna() & text.notna()
    if bad.any():
        raise DataError(
            f"Column '{column}' has {int(bad.sum())} value(s) that are not numbers, "
            f"e.g. {shown_value(text[bad].iloc[0])}. Fix those cells or remove the rows."
        )
    return numbers.astype("float64")


def _numbers_from_arrow_text(values: pd.Series) -> pd.Series | None:
    """Text cells as floats when Arrow's parser reads every one of them (a CSV's plain numbers,
    in one C++ pass); None otherwise, and the general path decides (spaces around a number,
    decimal commas) or words the error."""
    if not isinstance(values.dtype, pd.StringDtype):
        return None
    try:
        numbers = pc.cast(arrow_strings(values), pa.float64())
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return None
    return pd.Series(numbers.to_numpy(), index=values.index, dtype="float64")


def _required_numbers(values: pd.Series, column: str) -> pd.Series:
    numbers = _numbers(values, column)
    require_finite_in_range(numbers, column)
    if numbers.isna().any():
        raise DataError(
            f"Column '{column}' is empty in {int(numbers.isna().sum())} row(s): every transaction needs one. "
            "Fill them in or remove those rows."
        )
    return numbers


def _whole_numbers(values: pd.Series, column: str, *, nullable: bool) -> pd.Series:
    numbers = _required_numbers(values, column) if not nullable else _numbers(values, column)
    require_finite_in_range(numbers, column)
    fractional = numbers.notna() & (numbers != numbers.round())
    if fractional.any():
        raise DataError(
            f"Column '{column}' must hold whole numbers, but has e.g. {numbers[fractional].iloc[0]:g}. "
            "Check that the columns are in the right place."
        )
    return numbers.astype("Int64") if nullable else numbers.astype("int64")


def _read_cache(content_hash: str) -> tuple[pd.DataFrame, str] | None:
    frame_path, meta_path = cache_paths(content_hash)
    if not (frame_path.is_file() and meta_path.is_file()):
        return None
    try:
        meta = json.loads(meta_path.read_text())
        schema = meta["schema"]
        if not within_cell_limit(meta):
            return None  # parsed under a higher limit (or before there was one): parse it again
        frame = pd.read_parquet(frame_path, memory_map=True)
    except (OSError, ValueError, KeyError, TypeError):
        return None  # a damaged cache entry is re-parsed and rewritten
    if list(frame.columns) != list(CANONICAL_COLUMNS):
        return None
    return frame, schema


def _write_cache(content_hash: str, frame: pd.DataFrame, schema: str) -> Path | None:
    """Write the cache entry; its Parquet path, or None when the disk refused."""
    frame_path, meta_path = cache_paths(content_hash)
    try:
        tmp = frame_path.with_name(f"{frame_path.name}.{os.getpid()}.{threading.get_ident()}.part")
        # Snappy with dictionary-encoded text (pyarrow's defaults): at full scale 2.9 MB instead of
        # 52.6 MB uncompressed, read back in ~25 ms more (benchmarks/README.md, "canonical
        # Parquet"); the launch copies it into the bucket and the prepare step reads it whole.
        frame.to_parquet(tmp, index=False, compression="snappy")
        tmp.replace(frame_path)
        meta = {
            "schema": schema,
            "rows": len(frame),
            "longest_cell": longest_text(frame, limits.max_cell_chars()),
        }
        meta_path.write_text(json.dumps(meta))
    except OSError:
        return None  # caching is an optimisation: a read-only or full disk must not fail the load
    return frame_path
