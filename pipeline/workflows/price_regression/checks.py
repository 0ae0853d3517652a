"""Can a price-regression run succeed? The one check, before anything is uploaded or started.

Used by both backends before they start an execution, by the Launch page before it enables
Launch, by the command line (through the backends), and, for the rules that need the data or
reach the Lambdas, by the Lambdas themselves, so a run started by another tool fails with the
same sentence. Every problem says what is wrong and what to choose instead.

The hyperparameter ranges are those the SageMaker XGBoost 1.7-1 container accepts, narrowed
where its range admits values that cannot train a useful model here (eta 0 learns nothing;
max_depth 0 means "no limit" only with tree methods this workflow does not choose) or would
run for hours (``MAX_NUM_ROUND``, ``MAX_DEPTH``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from pipeline.workflows.instances import instance_problems
from pipeline.workflows.price_regression.parameters import FEATURE_SETS, RegressionParameters

#: The split gives each part at least one line from this many cleaned lines (7 / 2 / 1).
MIN_ROWS = 10
MAX_NUM_ROUND = 2000
MAX_DEPTH = 20


@dataclass(frozen=True)
class RegressionData:
    """What the prepare step will find in a dataset: the cleaned transaction lines it splits."""

    rows: int
    #: Why the data cannot be used at all, else "".
    problem: str = ""


def data_scope(params: RegressionParameters) -> tuple[()]:
    """No parameter changes which lines the run sees: every cleaned line is used."""
    return ()


def regression_data(clean: Any, scope: Any = ()) -> RegressionData:
    """What the prepare step will find in the clean transactions (the frame or its
    ``TransactionsIndex``: both have the lines' count as ``len``); never raises."""
    return RegressionData(rows=len(clean), problem=rows_problem(len(clean)))


def rows_problem(rows: int) -> str:
    """Why ``rows`` cleaned lines cannot be split into train, validation and test ("" when they can)."""
    if rows >= MIN_ROWS:
        return ""
    lines = f"{rows:,} transaction line" + ("" if rows == 1 else "s")
    return (
        f"Only {lines} left after cleaning, and the 70/20/10 split into train, validation and test "
        f"needs at least {MIN_ROWS}: use a dataset with more lines that have a customer, a positive "
        "quantity and a positive price."
    )


def threshold_problem(threshold: Any) -> str:
    """Why ``threshold`` cannot be an RMSE threshold ("" when it can)."""
    if isinstance(threshold, bool) or not isinstance(threshold, int | float) or not math.isfinite(threshold):
        return f"The RMSE threshold must be a number (got {threshold!r}): choose one above 0."
    if threshold <= 0:
        return (
            f"The RMSE threshold must be above 0 (got {threshold:g}): an RMSE is never negative and "
            "0 would refuse every model."
        )
    return ""


def feature_set_problem(name: Any) -> str:
    """Why ``name`` is not one of the feature sets ("" when it is)."""
    if name in FEATURE_SETS:
        return ""
    return f"Unknown feature set {name!r}: choose one of {', '.join(FEATURE_SETS)}."


def _whole(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def hyperparameter_problems(params: RegressionParameters) -> list[str]:
    """What the training job would refuse, or could not train well, among the chosen values."""
    problems = []
    if not _whole(params.num_round) or not 1 <= params.num_round <= MAX_NUM_ROUND:
        problems.append(
            f"num_round is the number of boosting rounds, a whole number from 1 to {MAX_NUM_ROUND} "
            f"(got {params.num_round!r})."
        )
    if not _whole(params.max_depth) or not 1 <= params.max_depth <= MAX_DEPTH:
        problems.append(
            f"max_depth is the depth of each tree, a whole number from 1 to {MAX_DEPTH} "
            f"(got {params.max_depth!r})."
        )
    eta = params.eta
    if isinstance(eta, bool) or not isinstance(eta, int | float) or not (math.isfinite(eta) and 0 < eta <= 1):
        problems.append(f"eta is the learning rate, above 0 and at most 1 (got {eta!r}).")
    if feature_set := feature_set_problem(params.feature_set):
        problems.append(feature_set)
    return problems


def parameter_problems(params: RegressionParameters) -> list[str]:
    """What is wrong with the parameters themselves, whatever the data."""
    problems = []
    if threshold := threshold_problem(params.rmse_threshold):
        problems.append(threshold)
    problems += hyperparameter_problems(params)
    problems += instance_problems(params.instance_type, params.instance_count)
    return problems


def run_problems(params: RegressionParameters, data: RegressionData | None = None) -> list[str]:
    """Every reason a run with ``params`` would fail; ``data`` (when known) adds the data's rule."""
    problems = parameter_problems(params)
    if data is not None and data.problem:
        problems.append(data.problem)
    return problems
