"""The evaluation metrics the SageMaker XGBoost container computes itself (not XGBoost).

When ``eval_metric`` (or a tuning job's objective metric) names one of these, the container
computes it with scikit-learn in a ``feval`` function passed to ``xgboost.train`` instead of
asking XGBoost, and XGBoost keeps only the other names. Classification metrics compare class
labels taken from the raw margins (margin > 0, or the arg-max of a row of class margins).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np


def _class_labels(predictions: np.ndarray) -> np.ndarray:
    if predictions.ndim > 1:
        return np.argmax(predictions, axis=-1)
    return (predictions > 0.0).astype(int)


def _classification(score: Callable[[np.ndarray, np.ndarray], float]) -> Callable[..., float]:
    def metric(labels: np.ndarray, predictions: np.ndarray) -> float:
        return float(score(labels, _class_labels(predictions))) if predictions.size else 0.0

    return metric


def _metric_functions() -> dict[str, Callable[[np.ndarray, np.ndarray], float]]:
    from sklearn import metrics as m  # imported only when a job asks for one of these metrics

    return {
        "accuracy": _classification(m.accuracy_score),
        "balanced_accuracy": _classification(m.balanced_accuracy_score),
        "f1": _classification(lambda y, p: m.f1_score(y, p, average="macro")),
        "f1_binary": _classification(lambda y, p: m.f1_score(y, p, average="binary")),
        "f1_macro": _classification(lambda y, p: m.f1_score(y, p, average="macro")),
        "mse": lambda y, p: float(m.mean_squared_error(y, p)),
        "rmse": lambda y, p: float(m.root_mean_squared_error(y, p)),
        "mae": lambda y, p: float(m.mean_absolute_error(y, p)),
        "precision": _classification(m.precision_score),
        "precision_macro": _classification(lambda y, p: m.precision_score(y, p, average="macro")),
        "precision_micro": _classification(lambda y, p: m.precision_score(y, p, average="micro")),
        "r2": lambda y, p: float(m.r2_score(y, p)),
        "recall": _classification(m.recall_score),
        "recall_macro": _classification(lambda y, p: m.recall_score(y, p, average="macro")),
        "recall_micro": _classification(lambda y, p: m.recall_score(y, p, average="micro")),
    }


CONTAINER_METRICS = (
    "accuracy",
    "balanced_accuracy",
    "f1",
    "f1_binary",
    "f1_macro",
    "mse",
    "rmse",
    "mae",
    "precision",
    "precision_macro",
    "precision_micro",
    "r2",
    "recall",
    "recall_macro",
    "recall_micro",
)


@dataclass(frozen=True)
class ContainerFeval:
    """A ``feval`` for ``xgboost.train`` computing ``metrics`` (in that order) as the container does."""

    metrics: tuple[str, ...]

    def __call__(self, predictions: np.ndarray, dmatrix: Any) -> list[tuple[str, float]]:
        functions = _metric_functions()
        labels = dmatrix.get_label()
        return [(name, functions[name](labels, predictions)) for name in self.metrics]


def custom_feval(metric_names: list[str]) -> ContainerFeval | None:
    """The container's ``feval`` for the names among ``metric_names`` it computes itself, else None."""
    mine = tuple(name for name in metric_names if name in CONTAINER_METRICS)
    return ContainerFeval(mine) if mine else None
