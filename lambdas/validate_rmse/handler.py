"""Lambda "rfm-studio-validate-rmse": the trained model's RMSE, read from the training step's result.

The "Validate RMSE" state of the price-regression workflow. The AWS sample's Lambda called
SageMaker's DescribeTrainingJob itself; here the ``.sync`` training integration has already
returned that response into the state data, and the workflow passes its ``FinalMetricDataList``
(the metrics of the last round, as the built-in XGBoost reports them: ``train:rmse``,
``validation:rmse``) in the event. So the function needs no SageMaker permission and runs the same
way on both backends. The Choice after it compares ``validation_rmse`` with the threshold.

Event::

    {"TrainingJobName": "...", "RmseThreshold": 30.0,
     "FinalMetricDataList": [{"MetricName": "train:rmse", "Value": 2.86, "Timestamp": ...},
                             {"MetricName": "validation:rmse", "Value": 26.14, ...}]}

Returns ``{"train_rmse", "validation_rmse", "threshold", "within_threshold"}``. A missing
metric or a threshold that is not a positive number raises ``DataError`` (never retried).
"""

from __future__ import annotations

import math
from typing import Any

from pipeline.errors import DataError
from pipeline.workflows.price_regression.checks import threshold_problem

TRAIN_METRIC = "train:rmse"
VALIDATION_METRIC = "validation:rmse"


def metric_values(metrics: Any) -> dict[str, float]:
    """``MetricName -> Value`` of a FinalMetricDataList (entries that are not metrics are skipped)."""
    values: dict[str, float] = {}
    for entry in metrics if isinstance(metrics, list) else []:
        if not isinstance(entry, dict) or "MetricName" not in entry:
            continue
        try:
            value = float(entry["Value"])
        except (KeyError, TypeError, ValueError):
            continue
        if math.isfinite(value):
            values[str(entry["MetricName"])] = value
    return values


def validate(event: dict[str, Any]) -> dict[str, Any]:
    """Read the RMSEs and check the threshold; returns the step's payload."""
    job = event.get("TrainingJobName") or "the training job"
    threshold: Any = event.get("RmseThreshold")
    if problem := threshold_problem(threshold):
        raise DataError(problem)
    limit = float(threshold)
    values = metric_values(event.get("FinalMetricDataList"))
    if VALIDATION_METRIC not in values:
        reported = ", ".join(sorted(values)) or "none"
        raise DataError(
            f"{job} reported no {VALIDATION_METRIC} (its final metrics: {reported}): the training step "
            "needs a validation channel and the reg:squarederror objective, whose metric is rmse."
        )
    validation_rmse = values[VALIDATION_METRIC]
    return {
        "train_rmse": values.get(TRAIN_METRIC),
        "validation_rmse": validation_rmse,
        "threshold": limit,
        "within_threshold": validation_rmse <= limit,
    }


def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """AWS Lambda entry point (also what the local engine calls for this function)."""
    return validate(event)
