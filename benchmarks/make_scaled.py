"""Scaled copies of the resampled UCI data: a CSV written as the UCI CSV copies are, and Parquet.

Scale 1 is the 541,909 lines of make_full_workbook.py's resampled frame (the same seed, so the
same lines as the workbook). Scale N is N replicas of it: replica i has its CustomerIDs moved
up by ``i * CUSTOMER_OFFSET`` and its invoice numbers by ``i * INVOICE_OFFSET`` (a
cancellation keeps its "C"), so customers, invoices and rows all grow N-fold while the dates,
products, prices and the shares of bad lines stay the real ones: 10x is 5.4M rows and ~36k
customers, 100x 54M rows.

The CSV is written like the UCI "Online Retail" CSV copies (Kaggle's data.csv): the UCI
header, month-first dates without padding ("12/1/2010 8:26"), integer CustomerIDs (blank
when missing), prices as shortest decimals, Latin-1 bytes ("£" is one byte, 0xA3), quotes
only where needed. The Parquet file holds the canonical columns and types
(docs/ARCHITECTURE.md), one row group a replica. Both are written a replica at a time (memory
stays that of one replica) and cached under benchmarks/out/ (gitignored).

    python -m benchmarks.make_scaled --scale 10 [--format csv|parquet|both] [--force]
"""

from __future__ import annotations

import argparse
import sys
import time
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from benchmarks.common import OUT_DIR
from benchmarks.make_full_workbook import COLUMNS, FULL_ROWS, resample, sample_path

#: CustomerIDs of the real file run from 12346 to 18287: replicas never collide.
CUSTOMER_OFFSET = 10_000
#: Invoice numbers run from 536365 to 581587: replicas never collide.
INVOICE_OFFSET = 100_000
CSV_ENCODING = "latin-1"


@cache
def base_frame(rows: int = FULL_ROWS) -> pd.DataFrame:
    """The resampled lines (make_full_workbook's), with invoice numbers split for shifting."""
    sample = pd.read_excel(sample_path(), engine="calamine")
    frame = resample(sample, rows)
    invoice = frame["InvoiceNo"].astype(str)
    parts = invoice.str.extract(r"^(?P<prefix>\D*)(?P<number>\d+)$")
    if parts["number"].isna().any():
        raise ValueError(f"unexpected invoice numbers: {invoice[parts['number'].isna()].unique()[:5]}")
    frame["InvoicePrefix"] = parts["prefix"].astype(str)
    frame["InvoiceNumber"] = parts["number"].astype("int64")
    frame["StockCode"] = frame["StockCode"].astype(str)
    frame["InvoiceDate"] = frame["InvoiceDate"].astype("datetime64[ns]")
    frame["CustomerID"] = frame["CustomerID"].astype("Int64")
    return frame


@cache
def _uci_date_text(rows: int) -> np.ndarray:
    """The invoice dates as UCI's CSV writes them, month first without padding: 12/1/2010 8:26."""
    dates = base_frame(rows)["InvoiceDate"]
    text = (
        dates.dt.month.astype(str)
        + "/"
        + dates.dt.day.astype(str)
        + "/"
        + dates.dt.year.astype(str)
        + " "
        + dates.dt.hour.astype(str)
        + ":"
        + dates.dt.minute.map("{:02d}".format)
    )
    return text.to_numpy(dtype=object)


def replica(index: int, rows: int = FULL_ROWS) -> pd.DataFrame:
    """Replica ``index`` (0 is the resampled data itself) with the canonical columns and types."""
    frame = base_frame(rows)
    invoice = frame["InvoicePrefix"] + (frame["InvoiceNumber"] + index * INVOICE_OFFSET).astype(str)
    out = pd.DataFrame(
        {
            "InvoiceNo": invoice.astype("string"),
            "StockCode": frame["StockCode"].astype("string"),
            "Description": frame["Description"].astype("string"),
            "Quantity": frame["Quantity"].astype("int64"),
            "InvoiceDate": frame["InvoiceDate"],
            "UnitPrice": frame["UnitPrice"].astype("float64"),
            "CustomerID": frame["CustomerID"] + index * CUSTOMER_OFFSET,
            "Country": frame["Country"].astype("string"),
        }
    )
    return out[COLUMNS]


def _csv_text(index: int, rows: int, *, header: bool) -> str:
    """Replica ``index`` as CSV text, quoted only where needed (pandas' QUOTE_MINIMAL)."""
    frame = replica(index, rows).astype({"InvoiceNo": object, "StockCode": object, "Country": object})
    frame["InvoiceDate"] = _uci_date_text(rows)
    return frame.to_csv(index=False, header=header, lineterminator="\n")


def scaled_path(scale: int, kind: str, rows: int = FULL_ROWS) -> Path:
    """Where the ``kind`` ("csv" or "parquet") copy at ``scale`` is cached."""
    return OUT_DIR / f"online_retail_resampled_{rows}_x{scale}.{kind}"


def write_csv(scale: int, path: Path, rows: int = FULL_ROWS) -> None:
    """``scale`` replicas as one Latin-1 CSV, a replica at a time."""
    tmp = path.with_suffix(".tmp")
    with tmp.open("wb") as out:
        for index in range(scale):
            out.write(_csv_text(index, rows, header=index == 0).encode(CSV_ENCODING))
    tmp.replace(path)


def write_parquet(scale: int, path: Path, rows: int = FULL_ROWS) -> None:
    """``scale`` replicas as one Parquet file of canonical columns, a row group a replica."""
    tmp = path.with_suffix(".tmp")
    writer = None
    try:
        for index in range(scale):
            table = pa.Table.from_pandas(replica(index, rows), preserve_index=False)
            if writer is None:
                writer = pq.ParquetWriter(tmp, table.schema)
            writer.write_table(table)
    finally:
        if writer is not None:
            writer.close()
    tmp.replace(path)


def scaled_file(scale: int, kind: str = "csv", rows: int = FULL_ROWS, *, force: bool = False) -> Path:
    """The cached ``kind`` copy at ``scale`` (built first if missing)."""
    path = scaled_path(scale, kind, rows)
    if path.exists() and not force:
        return path
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    (write_csv if kind == "csv" else write_parquet)(scale, path, rows)
    print(
        f"built {path.name}: {scale * rows:,} rows in {time.perf_counter() - started:.0f} s "
        f"({path.stat().st_size / 1e6:.1f} MB)",
        file=sys.stderr,
    )
    return path


def customers(scale: int, rows: int = FULL_ROWS) -> int:
    """Distinct CustomerIDs at ``scale`` (before cleaning)."""
    return scale * int(np.unique(base_frame(rows)["CustomerID"].dropna().to_numpy()).size)


def main() -> None:
    """Command line: build (or rebuild with --force) the scaled copies and print their paths."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=1)
    parser.add_argument("--rows", type=int, default=FULL_ROWS, help="rows of one replica")
    parser.add_argument("--format", choices=("csv", "parquet", "both"), default="csv")
    parser.add_argument("--force", action="store_true", help="rebuild even if cached")
    args = parser.parse_args()
    kinds = ("csv", "parquet") if args.format == "both" else (args.format,)
    for kind in kinds:
        print(scaled_file(args.scale, kind, args.rows, force=args.force))


if __name__ == "__main__":
    main()
