"""Build a full-scale (541,909-row) "Online Retail" workbook by resampling the real 40k sample.

The UCI download is not fetched in benchmarks (no network); instead every synthetic line
takes its invoice header (InvoiceNo, InvoiceDate, CustomerID, Country, Quantity) from one
random real line and its product (StockCode, Description, UnitPrice) from another. Each
sampled invoice so gets ~20 lines as in the real file, and the shares of missing customers,
cancellations and bad prices stay those of the real data. The result is written once with
openpyxl's write-only mode and cached under benchmarks/out/ (gitignored).

    python -m benchmarks.make_full_workbook [--rows N] [--force]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

from benchmarks.common import OUT_DIR, REPO_ROOT

FULL_ROWS = 541_909
SEED = 20101201
COLUMNS = [
    "InvoiceNo",
    "StockCode",
    "Description",
    "Quantity",
    "InvoiceDate",
    "UnitPrice",
    "CustomerID",
    "Country",
]


def sample_path() -> Path:
    """The real 40k sample: the shared copy beside the repo, else the one bundled with the app."""
    shared = REPO_ROOT.parent / "shared" / "data" / "online_retail_sample_40k.xlsx"
    if shared.exists():
        return shared
    from pipeline.config import BUNDLED_SAMPLE_PATH

    return BUNDLED_SAMPLE_PATH


def resample(sample: pd.DataFrame, rows: int, seed: int = SEED) -> pd.DataFrame:
    """``rows`` synthetic lines: invoice header from one real line, product from another."""
    rng = np.random.default_rng(seed)
    header = sample.iloc[rng.integers(0, len(sample), rows)].reset_index(drop=True)
    product = sample.iloc[rng.integers(0, len(sample), rows)].reset_index(drop=True)
    out = header[["InvoiceNo", "InvoiceDate", "CustomerID", "Country", "Quantity"]].copy()
    for column in ("StockCode", "Description", "UnitPrice"):
        out[column] = product[column].to_numpy()
    out = out.sort_values(["InvoiceDate", "InvoiceNo"], kind="stable").reset_index(drop=True)
    return out[COLUMNS]


def _python_value(value: object) -> object:
    if value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)):
        return None
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    if isinstance(value, np.generic):
        return value.item()
    return value


def write_workbook(frame: pd.DataFrame, path: Path) -> None:
    """Write ``frame`` as a one-sheet xlsx with openpyxl's streaming (write-only) mode."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Online Retail")
    sheet.append(COLUMNS)
    columns = [frame[column].astype(object).to_numpy() for column in COLUMNS]
    for row in zip(*columns, strict=True):
        sheet.append([_python_value(value) for value in row])
    tmp = path.with_suffix(".tmp.xlsx")
    workbook.save(tmp)
    tmp.replace(path)


def full_workbook(rows: int = FULL_ROWS, *, force: bool = False) -> Path:
    """The cached full-scale workbook, built first if missing (takes a minute or two)."""
    path = OUT_DIR / f"online_retail_resampled_{rows}.xlsx"
    if path.exists() and not force:
        return path
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    sample = pd.read_excel(sample_path(), engine="calamine")
    frame = resample(sample, rows)
    write_workbook(frame, path)
    print(
        f"built {path.name}: {rows:,} rows from {len(sample):,} real ones in "
        f"{time.perf_counter() - started:.0f} s ({path.stat().st_size / 1e6:.1f} MB)",
        file=sys.stderr,
    )
    return path


def main() -> None:
    """Command line: build (or rebuild with --force) the workbook and print its path."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=FULL_ROWS)
    parser.add_argument("--force", action="store_true", help="rebuild even if cached")
    args = parser.parse_args()
    print(full_workbook(args.rows, force=args.force))


if __name__ == "__main__":
    main()
