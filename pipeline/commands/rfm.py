"""``python -m pipeline rfm INPUT``: clean a transactions file and write its RFM segments.

For analysts who want the segments without the app (or in a script): prints the cleaning
report and the segment counts, and writes one row a customer to a CSV file.
"""

from __future__ import annotations

import argparse

from pipeline.errors import DataError
from pipeline.output_file import out_file, write_output

HELP = "Clean a transactions file (path, URL or s3://), print its report and segment counts, write RFM CSV."


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Declare INPUT and the options of the ``rfm`` command."""
    parser.add_argument(
        "input", metavar="INPUT", help="xlsx/csv/parquet path, http(s):// URL or s3://bucket/key"
    )
    parser.add_argument(
        "--out", metavar="FILE.csv", type=out_file, help="write the RFM table here (one row a customer)"
    )
    parser.add_argument(
        "--country",
        metavar="C",
        action="append",
        help="keep only this country's transactions (repeat for several)",
    )
    parser.add_argument("--start", metavar="YYYY-MM-DD", help="first invoice day to keep (inclusive)")
    parser.add_argument("--end", metavar="YYYY-MM-DD", help="last invoice day to keep (inclusive)")
    parser.add_argument(
        "--as-of",
        metavar="YYYY-MM-DD",
        dest="as_of",
        help="date Recency is measured to (default: the day after the last invoice)",
    )


def run(args: argparse.Namespace) -> int:
    """Load, clean, filter, score; print the report and the segment counts; write the CSV."""
    import pandas as pd

    from pipeline.analysis.rfm import (
        compute_rfm,
        default_as_of,
        filter_transactions,
        segment_summary,
        window_days,
    )
    from pipeline.loading.dataset import clean_transactions, load_transactions
    from pipeline.views.csv_download import spreadsheet_safe_csv

    window_days(args.start, args.end)  # a mistyped date fails now, not after the whole file is read
    dataset = load_transactions(args.input)
    clean, report = clean_transactions(dataset.transactions)
    print(f"Cleaning report for {dataset.name} ({dataset.schema})")
    print(f"  {'rows read':<40}{report.rows_read:>12,}")
    for reason, rows in report.removed():
        print(f"  {'- ' + reason:<40}{rows:>12,}")
    print(f"  {'rows kept':<40}{report.rows_kept:>12,}")
    print(f"  {'customers':<40}{report.customers:>12,}")
    print(f"  {'countries':<40}{report.countries:>12,}")
    print(f"  {'revenue':<40}{report.revenue:>12,.2f}")
    print(f"  {'invoices from':<40}{report.first_invoice:%Y-%m-%d} to {report.last_invoice:%Y-%m-%d}")

    selected = filter_transactions(clean, countries=args.country, start=args.start, end=args.end)
    if selected.empty:
        raise DataError("No transactions fall in the chosen date window: widen --start/--end.")
    as_of = args.as_of if args.as_of is not None else default_as_of(selected)
    rfm = compute_rfm(selected, as_of=as_of)
    summary = segment_summary(rfm)

    scope = f", {', '.join(args.country)}" if args.country else ""
    print()
    print(f"Segments ({len(rfm):,} customers{scope}, Recency as of {pd.Timestamp(as_of):%Y-%m-%d})")
    for row in summary.itertuples(index=False):
        print(
            f"  {row.Segment:<24}{row.Customers:>8,}{row.CustomerShare:>8.1%}   revenue {row.Revenue:>14,.2f}"
        )

    if args.out is not None:
        write_output(args.out, spreadsheet_safe_csv(rfm), DataError)
        print()
        print(f"Wrote {len(rfm):,} customers to {args.out}")
    return 0
