"""Lambda "rfm-studio-prepare-prices": raw transactions in, XGBoost's train/validation/test CSVs out.

The first state of the price-regression workflow ("Prepare data"), the AWS sample's data step.
From the canonical transactions, cleaned as everywhere in the studio (no customer, cancellation,
non-positive quantity or price, duplicate: removed), one row a line with the target UnitPrice
and the features of the chosen set (``pipeline.workflows.price_regression.parameters``):
StockCode as a category code, Quantity, CustomerID (missing stays an empty field, which XGBoost
reads as missing), and with ``extended`` Country as a category code, invoice month and weekday.

A seeded shuffle splits the lines 70/20/10 into train, validation and test. Train and
validation are headerless CSV with the label first (the built-in XGBoost's CSV convention);
the test file has the features only (what batch transform sends to the model), and the
held-out lines keep their UnitPrice and product in ``test_rows.parquet``, in the same order,
for the scoring step. The same code runs on AWS Lambda (S3) and locally (the local bucket).

Event (built by the workflow from the execution input)::

    {"DataUri": "s3://B/.../raw/<hash>.parquet", "RunPrefix": "s3://B/PREFIX/runs/<run>",
     "FeatureSet": "basic" | "extended"}

Bad data raises ``DataError``: the workflow does not retry it and its message becomes the
execution's cause.
"""

from __future__ import annotations

import io
import json
from typing import Any

import numpy as np
import pandas as pd

from pipeline.errors import DataError
from pipeline.storage import Storage, default_storage
from pipeline.workflows.price_regression.checks import feature_set_problem, rows_problem
from pipeline.workflows.price_regression.layout import RegressionLayout
from pipeline.workflows.price_regression.parameters import FEATURE_SETS, LABEL, SPLIT_SEED, SPLIT_SHARES
from pipeline.workflows.run_data import json_safe, read_transactions

#: Columns of test_rows.parquet besides the label: what the results page shows of a line.
TEST_ROW_COLUMNS = ["StockCode", "Description", "Quantity", "CustomerID", "Country", "InvoiceDate"]


def category_codes(values: pd.Series) -> pd.Series:
    """Each value's rank among the sorted distinct values (pandas' category codes), as int64."""
    return values.astype("string").astype("category").cat.codes.astype("int64")


def price_table(clean: pd.DataFrame, feature_set: str) -> pd.DataFrame:
    """UnitPrice, then the features of ``feature_set``, one row a clean transaction line."""
    dates = pd.to_datetime(clean["InvoiceDate"])
    columns: dict[str, pd.Series] = {
        LABEL: clean["UnitPrice"].astype("float64"),
        "StockCode": category_codes(clean["StockCode"]),
        "Quantity": clean["Quantity"].astype("int64"),
        "CustomerID": clean["CustomerID"].astype("Int64"),
        "Country": category_codes(clean["Country"]),
        "InvoiceMonth": dates.dt.month.astype("int64"),
        "InvoiceWeekday": dates.dt.day_of_week.astype("int64"),
    }
    return pd.DataFrame({name: columns[name] for name in (LABEL, *FEATURE_SETS[feature_set])}).reset_index(
        drop=True
    )


def split_positions(rows: int, seed: int = SPLIT_SEED) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Row positions of train, validation and test: a seeded shuffle cut 70/20/10."""
    order = np.random.default_rng(seed).permutation(rows)
    cut_train = int(rows * SPLIT_SHARES[0])
    cut_validation = int(rows * (SPLIT_SHARES[0] + SPLIT_SHARES[1]))
    return order[:cut_train], order[cut_train:cut_validation], order[cut_validation:]


def label_context(
    prices: np.ndarray, train: np.ndarray, validation: np.ndarray, test: np.ndarray
) -> dict[str, Any]:
    """What the validation RMSE is to be read against: the RMSE of always predicting the training
    lines' mean price on the validation lines (the gate's threshold alone passed a model 1.4% better
    than that constant), and each split's highest price (RMSE weighs the largest errors most: five
    validation lines over £200 made its RMSE 26.14 against a test RMSE of 3.02 on the sample)."""
    train_mean = float(prices[train].mean()) if len(train) else 0.0
    baseline = float(np.sqrt(np.mean((prices[validation] - train_mean) ** 2))) if len(validation) else None
    return {
        "baseline_validation_rmse": baseline,
        "largest_price": {
            name: float(prices[rows].max()) if len(rows) else None
            for name, rows in (("train", train), ("validation", validation), ("test", test))
        },
    }


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """Headerless CSV, no index, a missing value as an empty field (XGBoost's missing)."""
    return frame.to_csv(header=False, index=False, na_rep="", lineterminator="\n").encode("utf-8")


def _parquet_bytes(frame: pd.DataFrame) -> bytes:
    buffer = io.BytesIO()
    frame.to_parquet(buffer, index=False)
    return buffer.getvalue()


def _event_value(event: dict[str, Any], key: str) -> str:
    try:
        return str(event[key])
    except KeyError:
        raise DataError(f"The prepare step needs {key} in its input: launch the run again.") from None


def prepare(event: dict[str, Any], storage: Storage) -> dict[str, Any]:
    """Do the prepare step for ``event`` on ``storage``; returns the step's payload."""
    from pipeline.loading.dataset import clean_transactions

    data_uri = _event_value(event, "DataUri")
    run_prefix = _event_value(event, "RunPrefix")
    feature_set = str(event.get("FeatureSet") or "basic")
    if problem := feature_set_problem(feature_set):
        raise DataError(problem)

    clean, report = clean_transactions(read_transactions(storage, data_uri))
    if problem := rows_problem(len(clean)):  # the rule the launch checked, on this data
        raise DataError(problem)
    table = price_table(clean, feature_set)
    train, validation, test = split_positions(len(table))

    layout = RegressionLayout(run_prefix)
    storage.write_bytes(layout.train_file_uri, csv_bytes(table.iloc[train]))
    storage.write_bytes(layout.validation_file_uri, csv_bytes(table.iloc[validation]))
    storage.write_bytes(layout.test_features_uri, csv_bytes(table.iloc[test].drop(columns=LABEL)))
    held_out = clean.iloc[test][[*TEST_ROW_COLUMNS, LABEL]].reset_index(drop=True)
    storage.write_bytes(layout.test_rows_uri, _parquet_bytes(held_out))
    features = list(FEATURE_SETS[feature_set])
    split = {"train": len(train), "validation": len(validation), "test": len(test)}
    description = {
        "label": LABEL,
        "feature_set": feature_set,
        "features": features,
        "split_seed": SPLIT_SEED,
        "rows": split,
        "stock_codes": int(clean["StockCode"].nunique()),
        **label_context(table[LABEL].to_numpy("float64"), train, validation, test),
    }
    storage.write_bytes(layout.features_uri, json.dumps(description, indent=2).encode("utf-8"))
    report_dict = json_safe(report.to_dict())
    storage.write_bytes(layout.report_uri, json.dumps(report_dict, indent=2).encode("utf-8"))
    return {
        **layout.prepare_uris(),
        "rows": len(table),
        "train_rows": split["train"],
        "validation_rows": split["validation"],
        "test_rows": split["test"],
        "feature_set": feature_set,
        "features": features,
        "baseline_validation_rmse": description["baseline_validation_rmse"],
        "report": report_dict,
    }


def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """AWS Lambda entry point (also what the local engine calls for this function)."""
    return prepare(event, default_storage())
