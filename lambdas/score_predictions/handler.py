"""Lambda "rfm-studio-score-predictions": join the batch predictions with the held-out prices, score them.

The "Score predictions" state of the price-regression workflow. The batch transform wrote one
predicted UnitPrice a line (``predictions/features.csv.out``, in the order of
``test/features.csv``); the prepare step kept the held-out lines, in the same order, in
``test_rows.parquet``. This step joins them by position (checking the counts), computes the
test RMSE, MAE and R² (numpy; Lambda's pandas layer has no scikit-learn), the RMSE of always
predicting the training mean (the baseline the model must beat), and the errors by StockCode;
writes ``predictions.csv``, ``stock_codes.csv`` and ``scores.json`` under the run prefix; and
returns the headline figures, the execution's output, with the ``LARGEST_ERRORS_LISTED``
StockCodes that weigh most on the test RMSE. Each carries its share of the test set's squared
error, the order they are listed in: without it a reader of the step's output saw a list that
looked unsorted by RMSE (a code with few, very wrong lines can weigh less than one with many).

Event::

    {"RunPrefix": "s3://B/PREFIX/runs/<run>", "TransformOutputUri": ".../predictions",
     "TestRowsUri": ".../test_rows.parquet", "TrainUri": ".../train/", "FeaturesUri": ...,
     "ModelUri": ".../model.tar.gz", "TrainRmse": 2.86, "ValidationRmse": 26.14,
     "RmseThreshold": 30.0}
"""

from __future__ import annotations

import io
import json
import math
from typing import Any

import numpy as np
import pandas as pd

from pipeline.errors import DataError
from pipeline.storage import Storage, default_storage
from pipeline.workflows.price_regression.layout import RegressionLayout
from pipeline.workflows.price_regression.parameters import LABEL

#: StockCodes listed in the step's output (all of them are in stock_codes.csv): a few hundred
#: bytes a code, so the payload stays far below Step Functions' 256 KiB.
LARGEST_ERRORS_LISTED = 5
#: Decimals of a listed share of squared error: 0.01 of a percentage point, as the panel shows it.
SHARE_DECIMALS = 4
#: Column order of stock_codes.csv.
STOCK_CODE_COLUMNS = [
    "StockCode",
    "Description",
    "Lines",
    "MeanActual",
    "MeanPredicted",
    "MAE",
    "RMSE",
    "SquaredErrorShare",
]


def read_predictions(storage: Storage, output_uri: str) -> np.ndarray:
    """Every ``*.out`` object under ``output_uri``, in key order: one float a non-blank line."""
    prefix = output_uri.rstrip("/") + "/"
    outputs = [uri for uri in storage.list(prefix) if uri.endswith(".out")]
    if not outputs:
        raise DataError(
            f"The batch transform wrote no output under {prefix}: check the 'Predict prices' step."
        )
    values: list[float] = []
    for uri in outputs:
        for number, line in enumerate(storage.read_bytes(uri).decode("utf-8").splitlines(), start=1):
            if not line.strip():
                continue
            try:
                values.append(float(line.split(",")[0]))
            except ValueError:
                raise DataError(
                    f"Line {number} of {uri} is not a predicted price ({line[:40]!r}): the transform must "
                    "answer text/csv, one number a line."
                ) from None
    return np.asarray(values, dtype="float64")


def read_train_labels(storage: Storage, train_uri: str) -> np.ndarray:
    """The label column (the first field) of every object under the train channel's prefix."""
    prefix = train_uri.rstrip("/") + "/"
    blocks = [
        pd.read_csv(io.BytesIO(storage.read_bytes(uri)), header=None, usecols=[0])[0].to_numpy("float64")
        for uri in storage.list(prefix)
    ]
    return np.concatenate(blocks) if blocks else np.zeros(0)


def regression_scores(actual: np.ndarray, predicted: np.ndarray) -> dict[str, float | None]:
    """RMSE, MAE and R² (None when every actual value is the same: R² is undefined then)."""
    errors = predicted - actual
    total = float(((actual - actual.mean()) ** 2).sum())
    return {
        "rmse": float(np.sqrt(np.mean(errors**2))),
        "mae": float(np.mean(np.abs(errors))),
        "r2": 1.0 - float((errors**2).sum()) / total if total > 0 else None,
    }


def errors_by_stock_code(predictions: pd.DataFrame) -> pd.DataFrame:
    """One row a StockCode: lines, mean actual and predicted price, MAE, RMSE and its share of the
    summed squared error; largest share first (the codes that weigh most on the test RMSE)."""
    frame = predictions.assign(SquaredError=predictions["Error"] ** 2, AbsError=predictions["Error"].abs())
    grouped = frame.groupby("StockCode", sort=False, observed=True)
    table = grouped.agg(
        Description=("Description", "first"),
        Lines=("Error", "size"),
        MeanActual=(LABEL, "mean"),
        MeanPredicted=("Predicted", "mean"),
        MAE=("AbsError", "mean"),
        SumSquared=("SquaredError", "sum"),
    ).reset_index()
    table["RMSE"] = np.sqrt(table["SumSquared"] / table["Lines"])
    total = float(table["SumSquared"].sum())
    table["SquaredErrorShare"] = table["SumSquared"] / total if total > 0 else 0.0
    table = table.sort_values(["SquaredErrorShare", "StockCode"], ascending=[False, True], kind="stable")
    return table[STOCK_CODE_COLUMNS].reset_index(drop=True)


def _number(value: Any) -> float | None:
    """A finite float, else None (JSON has no NaN, and Step Functions refuses it)."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def _required(event: dict[str, Any], key: str) -> Any:
    try:
        return event[key]
    except KeyError:
        raise DataError(f"The scoring step needs {key} in its input: launch the run again.") from None


def score(event: dict[str, Any], storage: Storage) -> dict[str, Any]:
    """Do the scoring step for ``event`` on ``storage``; returns the step's payload."""
    layout = RegressionLayout(str(_required(event, "RunPrefix")).rstrip("/"))
    predicted = read_predictions(storage, str(_required(event, "TransformOutputUri")))
    test_rows = pd.read_parquet(io.BytesIO(storage.read_bytes(str(_required(event, "TestRowsUri")))))
    if len(predicted) != len(test_rows):
        raise DataError(
            f"The batch transform predicted {len(predicted):,} prices for {len(test_rows):,} test lines: "
            "the files do not line up, run the workflow again."
        )
    actual = test_rows[LABEL].to_numpy("float64")
    figures = regression_scores(actual, predicted)
    train_labels = read_train_labels(storage, str(event.get("TrainUri") or layout.train_uri))
    baseline = float(np.sqrt(np.mean((actual - train_labels.mean()) ** 2))) if len(train_labels) else None

    table = test_rows.assign(Predicted=predicted, Error=predicted - actual)
    by_stock_code = errors_by_stock_code(table)
    storage.write_bytes(layout.predictions_uri, table.to_csv(index=False).encode("utf-8"))
    storage.write_bytes(layout.stock_codes_uri, by_stock_code.to_csv(index=False).encode("utf-8"))
    features_uri = event.get("FeaturesUri") or layout.features_uri
    described = json.loads(storage.read_bytes(features_uri)) if storage.exists(features_uri) else {}
    # The share first after the code and the description last: the step panel shows the keys in
    # this order, and at 800 px a share after the description was off the grid's right edge.
    largest = [
        {
            "stock_code": str(row.StockCode),
            "squared_error_share": round(float(row.SquaredErrorShare), SHARE_DECIMALS),
            "rmse": round(float(row.RMSE), 4),
            "lines": int(row.Lines),
            "description": None if pd.isna(row.Description) else str(row.Description),
        }
        for row in by_stock_code.head(LARGEST_ERRORS_LISTED).itertuples()
    ]
    scores = {
        "run_prefix": layout.run_prefix,
        "train_rmse": _number(event.get("TrainRmse")),
        "validation_rmse": _number(event.get("ValidationRmse")),
        "test_rmse": _number(figures["rmse"]),
        "test_mae": _number(figures["mae"]),
        "test_r2": _number(figures["r2"]),
        "baseline_test_rmse": _number(baseline),
        # From the prepare step (features.json): the validation RMSE's own baseline, and each
        # split's highest price, what the page and the report read the gate's RMSE against.
        "baseline_validation_rmse": _number(described.get("baseline_validation_rmse")),
        "largest_price": {
            split: _number(price) for split, price in (described.get("largest_price") or {}).items()
        },
        "rmse_threshold": _number(event.get("RmseThreshold")),
        "predictions": len(predicted),
        "mean_actual": _number(actual.mean()),
        "feature_set": described.get("feature_set"),
        "features": described.get("features", []),
        "rows": described.get("rows", {}),
        "model_uri": event.get("ModelUri"),
        "predictions_uri": layout.predictions_uri,
        "stock_codes_uri": layout.stock_codes_uri,
        "largest_errors": largest,
    }
    storage.write_bytes(layout.scores_uri, json.dumps(scores, indent=2).encode("utf-8"))
    headline = ("train_rmse", "validation_rmse", "test_rmse", "test_mae", "test_r2", "rmse_threshold")
    return {
        **{key: scores[key] for key in headline},
        "predictions": len(predicted),
        "largest_errors": largest,
        "scores_uri": layout.scores_uri,
        "predictions_uri": layout.predictions_uri,
    }


def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """AWS Lambda entry point (also what the local engine calls for this function)."""
    return score(event, default_storage())
