"""Read a finished price-regression run's results: ``predictions.csv``, ``stock_codes.csv``, ``scores.json``.

The scoring Lambda writes the three files (see ``layout``) on either backend; this module reads
them back through a ``pipeline.storage.Storage`` (S3 or the local bucket), so the results page
and the command line have one code path whichever backend ran the workflow.
"""

from __future__ import annotations

import io
import json
from dataclasses import dataclass
from typing import Any

import pandas as pd

from pipeline.errors import WorkflowError
from pipeline.storage import Storage, default_storage
from pipeline.workflows.price_regression.layout import RegressionLayout

#: dtypes of predictions.csv's columns (one row a held-out transaction line).
PREDICTION_DTYPES: dict[str, str] = {
    "StockCode": "string",
    "Description": "string",
    "Quantity": "int64",
    "CustomerID": "Int64",
    "Country": "string",
    "UnitPrice": "float64",
    "Predicted": "float64",
    "Error": "float64",
}
#: The figures ``headline`` reports, in order.
HEADLINE_FIGURES = (
    "train_rmse",
    "validation_rmse",
    "test_rmse",
    "rmse_threshold",
    "test_mae",
    "test_r2",
    "baseline_validation_rmse",
    "baseline_test_rmse",
    "predictions",
)


@dataclass
class RegressionResults:
    """A finished run's outputs: one row a test line, the errors by StockCode, the figures."""

    predictions: pd.DataFrame
    stock_codes: pd.DataFrame
    scores: dict[str, Any]
    location: str = ""

    @property
    def model_uri(self) -> str | None:
        """The trained model's ``model.tar.gz``."""
        return self.scores.get("model_uri")

    @property
    def feature_names(self) -> list[str]:
        """The model's features, in the order of the CSV columns (XGBoost's f0, f1, ...)."""
        return list(self.scores.get("features") or [])


def read_run_results(run_prefix: str, storage: Storage | None = None) -> RegressionResults:
    """The predictions, errors by StockCode and figures of the run whose files are under ``run_prefix``.

    Raises ``WorkflowError`` naming the missing file when the run has not written its results
    (it failed before "Score predictions", or the files were removed).
    """
    storage = storage or default_storage()
    layout = RegressionLayout(run_prefix)
    try:
        predictions_bytes = storage.read_bytes(layout.predictions_uri)
        stock_codes_bytes = storage.read_bytes(layout.stock_codes_uri)
        scores_bytes = storage.read_bytes(layout.scores_uri)
    except FileNotFoundError as missing:
        raise WorkflowError(
            f"The run's results are not there ({missing}): only a run that SUCCEEDED has them; "
            "launch it again if its files were removed."
        ) from None
    except Exception as error:  # S3 errors: access denied, no such key...
        raise WorkflowError(f"Could not read the run's results under {run_prefix}: {error}") from error
    predictions = pd.read_csv(
        io.BytesIO(predictions_bytes),
        dtype={"StockCode": "string", "Description": "string", "Country": "string"},
    )
    if "InvoiceDate" in predictions.columns:
        predictions["InvoiceDate"] = pd.to_datetime(predictions["InvoiceDate"])
    present = {column: dtype for column, dtype in PREDICTION_DTYPES.items() if column in predictions.columns}
    predictions = predictions.astype(present)
    stock_codes = pd.read_csv(
        io.BytesIO(stock_codes_bytes), dtype={"StockCode": "string", "Description": "string"}
    )
    scores: dict[str, Any] = json.loads(scores_bytes.decode("utf-8"))
    return RegressionResults(predictions, stock_codes, scores, location=run_prefix)


def headline(results: RegressionResults) -> dict[str, Any]:
    """The figures a person looks at first: RMSE of train, validation and test against the threshold."""
    return {name: results.scores.get(name) for name in HEADLINE_FIGURES}
