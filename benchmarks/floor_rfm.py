"""The floor for CSV -> RFM: the least a script must do, knowing the file's layout in advance.

pyarrow's CSV reader with the encoding, column types and date format given, the cleaning
rules of pipeline.loading.cleaning, a pandas groupby for R, F, M. No checks, no messages,
no cache. bench_csv.py runs it as a whole process: ``python -m benchmarks.floor_rfm FILE.csv``.
"""

import sys

import pandas as pd
import pyarrow as pa
import pyarrow.csv as pa_csv

text, whole, decimal = pa.string(), pa.int64(), pa.float64()
types = {"InvoiceNo": text, "StockCode": text, "Quantity": whole, "UnitPrice": decimal}
table = pa_csv.read_csv(
    sys.argv[1],
    read_options=pa_csv.ReadOptions(encoding="latin-1"),
    convert_options=pa_csv.ConvertOptions(column_types=types, timestamp_parsers=["%m/%d/%Y %H:%M"]),
)
df = table.to_pandas()
df = df[df["CustomerID"].notna() & ~df["InvoiceNo"].str.startswith("C")]
df = df[(df["Quantity"] > 0) & (df["UnitPrice"] > 0)].drop_duplicates()
df["Revenue"] = df["Quantity"] * df["UnitPrice"]
snapshot = df["InvoiceDate"].max().normalize() + pd.Timedelta(days=1)
by_customer = df.groupby("CustomerID")
rfm = by_customer.agg(Last=("InvoiceDate", "max"), F=("InvoiceNo", "nunique"), M=("Revenue", "sum"))
rfm["R"] = (snapshot - rfm["Last"]).dt.days
print(f"{len(df):,} clean rows, {len(rfm):,} customers, revenue {rfm['M'].sum():,.2f}")
