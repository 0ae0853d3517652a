"""Small clean transactions frames for the RFM tests, written row by row."""

from __future__ import annotations

import numpy as np
import pandas as pd


def make_clean(rows: list[tuple]) -> pd.DataFrame:
    """A small clean canonical frame from (InvoiceNo, CustomerID, InvoiceDate, Revenue, Country) rows."""
    frame = pd.DataFrame(rows, columns=["InvoiceNo", "CustomerID", "InvoiceDate", "Revenue", "Country"])
    return pd.DataFrame(
        {
            "InvoiceNo": frame["InvoiceNo"].astype("string"),
            "StockCode": pd.array(["85123A"] * len(frame), dtype="string"),
            "Description": pd.array(["ITEM"] * len(frame), dtype="string"),
            "Quantity": np.ones(len(frame), dtype="int64"),
            "InvoiceDate": pd.to_datetime(frame["InvoiceDate"]).astype("datetime64[ns]"),
            "UnitPrice": frame["Revenue"].astype("float64"),
            "CustomerID": frame["CustomerID"].astype("Int64"),
            "Country": frame["Country"].astype("string"),
            "Revenue": frame["Revenue"].astype("float64"),
        }
    )
