"""The price-regression data the XGBoost stand-in is tested (and benchmarked) on.

Built from real cleaned transactions as issue 11's "Prepare data" step describes them: features
StockCode (category codes), Quantity and CustomerID (missing stays missing), label UnitPrice;
a seeded shuffle split 70/20/10 into train / validation / test; headerless CSV with the label
first (XGBoost's CSV convention), the test set as features only plus its held-out labels.
``benchmarks/bench_xgboost_standin.py`` imports this too, so both read the same files.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

FEATURES = ("StockCode", "Quantity", "CustomerID")
#: The sample notebook's hyperparameters (issue 11), with gamma spelt right and reg:squarederror.
SAMPLE_HYPERPARAMETERS = {
    "num_round": "50",
    "max_depth": "5",
    "eta": "0.2",
    "gamma": "4",
    "min_child_weight": "6",
    "subsample": "0.7",
    "objective": "reg:squarederror",
}


@dataclass(frozen=True)
class PriceCsvs:
    """The CSV bytes of each split, and the test set's held-out labels."""

    train: bytes
    validation: bytes
    test_features: bytes
    test_labels: np.ndarray


def price_table(clean: pd.DataFrame) -> pd.DataFrame:
    """UnitPrice, then the features, one row a transaction line (StockCode as category codes)."""
    return pd.DataFrame(
        {
            "UnitPrice": clean["UnitPrice"].astype("float64"),
            "StockCode": clean["StockCode"].astype("category").cat.codes.astype("int64"),
            "Quantity": clean["Quantity"].astype("int64"),
            "CustomerID": clean["CustomerID"].astype("Int64"),
        }
    ).reset_index(drop=True)


def price_csvs(clean: pd.DataFrame, seed: int = 0) -> PriceCsvs:
    """The 70/20/10 seeded split of ``price_table(clean)`` as headerless CSV, label first."""
    table = price_table(clean)
    order = np.random.default_rng(seed).permutation(len(table))
    cut_train, cut_validation = int(len(table) * 0.7), int(len(table) * 0.9)
    train = table.iloc[order[:cut_train]]
    validation = table.iloc[order[cut_train:cut_validation]]
    test = table.iloc[order[cut_validation:]]
    return PriceCsvs(
        train=_csv(train),
        validation=_csv(validation),
        test_features=_csv(test.drop(columns="UnitPrice")),
        test_labels=test["UnitPrice"].to_numpy(),
    )


def _csv(frame: pd.DataFrame) -> bytes:
    return frame.to_csv(header=False, index=False, lineterminator="\n").encode("utf-8")
