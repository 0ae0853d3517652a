"""SageMaker XGBoost 1.7-1's hyperparameters, parsed and refused as the container does.

SageMaker hands the container every hyperparameter as a string. The container
(aws/sagemaker-xgboost-container, branch 1.7-1: ``algorithm_mode/hyperparameter_validation.py``
on ``sagemaker_algorithm_toolkit``) then, in this order: replaces the aliases (learning_rate,
min_split_loss, reg_lambda, reg_alpha), requires ``num_round``, refuses any name it does not
declare, parses integers with ``int()`` and reals with ``float()``, checks each value's range,
and finally checks the combinations (num_class for multi-class objectives, auc only for
classification and ranking, monotone and interaction constraints only for some tree methods).
This module follows the same rules and words its refusals as the container's ``UserError``
messages ("Missing required hyperparameter: num_round", "Extraneous hyperparameter found: foo",
"Hyperparameter eta: could not parse value (caused by ValueError)", "Hyperparameter max_depth:
-1 is not in [0, +inf)"). Written from the container's behaviour, not copied from its code.

Deviations, each for safety or clarity: tuples and nested lists are read with
``ast.literal_eval`` (the container calls ``eval`` on them); where the container crashes
(eval_metric given without objective raises ``KeyError: 'objective'``) the refusal says why.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from typing import Any

from pipeline.local.services.xgboost_errors import AlgorithmError, UserError

#: XGBoost's own metrics the container accepts in eval_metric (and reports as metrics).
MAXIMIZE_METRICS = (
    "accuracy", "auc", "aucpr", "balanced_accuracy", "f1", "f1_binary", "f1_macro", "map", "ndcg",
    "precision", "r2", "recall", "precision_macro", "precision_micro", "recall_macro", "recall_micro",
)  # fmt: skip
MINIMIZE_METRICS = (
    "aft-nloglik", "cox-nloglik", "error", "gamma-deviance", "gamma-nloglik",
    "interval-regression-accuracy", "logloss", "mae", "mape", "merror", "mlogloss", "mphe", "mse",
    "poisson-nloglik", "rmse", "rmsle", "tweedie-nloglik",
)  # fmt: skip
OBJECTIVES = [
    "aft_loss_distribution", "binary:logistic", "binary:logitraw", "binary:hinge", "count:poisson",
    "multi:softmax", "multi:softprob", "rank:pairwise", "rank:ndcg", "rank:map", "reg:linear",
    "reg:squarederror", "reg:logistic", "reg:gamma", "reg:pseudohubererror", "reg:squaredlogerror",
    "reg:absoluteerror", "reg:tweedie", "survival:aft", "survival:cox",
]  # fmt: skip
#: The container's updater range (its list repeats names; kept as the container prints it).
UPDATERS = [
    "grow_colmaker", "distcol", "grow_histmaker", "grow_skmaker", "sync", "refresh", "prune",
    "grow_colmaker", "distcol", "grow_histmaker", "grow_colmaker", "shotgun", "coord_descent",
    "refresh", "prune",
]  # fmt: skip
ALIASES = {"learning_rate": "eta", "min_split_loss": "gamma", "reg_lambda": "lambda", "reg_alpha": "alpha"}
_TRUE_FALSE = ["true", "false"]


@dataclass(frozen=True)
class Interval:
    """A range of numbers, printed as the container prints it: ``[0, +inf)``, ``(0, 1]``."""

    min_open: float | None = None
    min_closed: float | None = None
    max_open: float | None = None
    max_closed: float | None = None

    def __contains__(self, value: Any) -> bool:
        return not (
            (self.min_open is not None and value <= self.min_open)
            or (self.min_closed is not None and value < self.min_closed)
            or (self.max_open is not None and value >= self.max_open)
            or (self.max_closed is not None and value > self.max_closed)
        )

    def __str__(self) -> str:
        low = (
            f"({self.min_open}, "
            if self.min_open is not None
            else f"[{self.min_closed}, "
            if self.min_closed is not None
            else "(-inf, "
        )
        high = (
            f"{self.max_open})"
            if self.max_open is not None
            else f"{self.max_closed}]"
            if self.max_closed is not None
            else "+inf)"
        )
        return low + high


class _EvalMetrics:
    """eval_metric's range: XGBoost's metric names, printed as the container prints the list."""

    def __contains__(self, metric: str) -> bool:
        return _metric_allowed(metric)

    def __str__(self) -> str:
        return str(list(MAXIMIZE_METRICS + MINIMIZE_METRICS))


def _metric_allowed(metric: str) -> bool:
    """eval_metric's rule: an XGBoost metric, or error/ndcg/map with a numeric ``@t`` threshold."""
    if "<function" in metric:
        raise UserError(f"User defined evaluation metric {metric} is not supported yet.")
    if "@" in metric:
        name, threshold = (part.strip() for part in metric.split("@", 1))
        if name not in ("error", "ndcg", "map"):
            raise UserError(
                f"Metric '{metric}' is not supported. Parameter 'eval_metric' with customized threshold "
                "should be one of these options: 'error', 'ndcg', 'map'."
            )
        try:
            float(threshold)
        except ValueError:
            raise UserError(f"Threshold value 't' in '{name}@t' expects float input.") from None
        return True
    return metric in MAXIMIZE_METRICS + MINIMIZE_METRICS


@dataclass(frozen=True)
class Spec:
    """One declared hyperparameter: how its string is parsed and what values it may take."""

    kind: str  # "int", "float", "choice", "list" (comma-separated), "tuple", "nested"
    allowed: Interval | list | _EvalMetrics
    required: bool = False

    def parse(self, raw: Any) -> Any:
        if self.kind == "int":
            return int(raw)
        if self.kind == "float":
            return float(raw)
        if self.kind == "list":
            return str(raw).split(",")
        if self.kind in ("tuple", "nested"):
            return ast.literal_eval(raw) if isinstance(raw, str) else raw
        return raw

    def check_range(self, name: str, value: Any) -> None:
        try:
            if self.kind in ("list", "tuple", "nested"):
                items = [i for inner in value for i in inner] if self.kind == "nested" else list(value)
                if not all(item in self.allowed for item in items):
                    raise UserError(f"Hyperparameter {name}: value {value} not in range {self.allowed}")
            elif value not in self.allowed:
                raise UserError(f"Hyperparameter {name}: {value} is not in {self.allowed}")
        except UserError:
            raise
        except Exception as error:  # e.g. a number where a list was expected: the container's wording
            raise AlgorithmError(
                f"Hyperparameter {name}: unexpected failure when validating {value}", caused_by=error
            ) from None


def _ints(**ranges: Interval) -> dict[str, Spec]:
    return {name: Spec("int", interval) for name, interval in ranges.items()}


def _reals(**ranges: Interval) -> dict[str, Spec]:
    return {name: Spec("float", interval) for name, interval in ranges.items()}


def _choices(**values: list[str]) -> dict[str, Spec]:
    return {name: Spec("choice", allowed) for name, allowed in values.items()}


_AT_LEAST_0, _AT_LEAST_1 = Interval(min_closed=0), Interval(min_closed=1)
_ZERO_OR_ONE = _UNIT = Interval(min_closed=0, max_closed=1)
_FRACTION = Interval(min_open=0, max_closed=1)

#: Every hyperparameter the 1.7-1 container declares, in its order (the order ``required`` is checked in).
SPECS: dict[str, Spec] = {
    "num_round": Spec("int", _AT_LEAST_1, required=True),
    **_ints(csv_weights=_ZERO_OR_ONE, early_stopping_rounds=_AT_LEAST_1),
    **_choices(booster=["gbtree", "gblinear", "dart"]),
    **_ints(verbosity=Interval(min_closed=0, max_closed=3), nthread=_AT_LEAST_1),
    **_reals(eta=_UNIT, gamma=_AT_LEAST_0),
    **_ints(max_depth=_AT_LEAST_0),
    **_reals(min_child_weight=_AT_LEAST_0, max_delta_step=_AT_LEAST_0, subsample=_FRACTION),
    **_reals(colsample_bytree=_FRACTION, colsample_bylevel=_FRACTION, colsample_bynode=_FRACTION),
    **_reals(alpha=_AT_LEAST_0, **{"lambda": _AT_LEAST_0}),
    **_choices(tree_method=["auto", "exact", "approx", "hist", "gpu_hist"]),
    **_reals(sketch_eps=Interval(min_open=0, max_open=1), scale_pos_weight=Interval(min_open=0)),
    "updater": Spec("list", UPDATERS),
    **_choices(dsplit=["row", "col"]),
    **_ints(refresh_leaf=_ZERO_OR_ONE),
    **_choices(process_type=["default", "update"], grow_policy=["depthwise", "lossguide"]),
    **_ints(max_leaves=_AT_LEAST_0, max_bin=_AT_LEAST_0),
    **_choices(predictor=["auto", "cpu_predictor", "gpu_predictor"]),
    "monotone_constraints": Spec("tuple", [-1, 0, 1]),
    "interaction_constraints": Spec("nested", _AT_LEAST_1),
    **_choices(sample_type=["uniform", "weighted"], normalize_type=["tree", "forest"]),
    **_reals(rate_drop=_UNIT),
    **_ints(one_drop=_ZERO_OR_ONE),
    **_reals(skip_drop=_UNIT, lambda_bias=_UNIT, tweedie_variance_power=Interval(min_open=1, max_open=2)),
    **_choices(objective=OBJECTIVES),
    **_ints(num_class=Interval(min_closed=2)),
    **_reals(base_score=_AT_LEAST_0),
    **_ints(_kfold=Interval(min_closed=2), _num_cv_round=_AT_LEAST_1),
    **_choices(_tuning_objective_metric=[f"validation:{m}" for m in MAXIMIZE_METRICS + MINIMIZE_METRICS]),
    "eval_metric": Spec("list", _EvalMetrics()),
    **_ints(seed=Interval(min_open=-(2**31), max_open=2**31 - 1), num_parallel_tree=_AT_LEAST_1),
    **_choices(save_model_on_termination=_TRUE_FALSE),
    **_choices(aft_loss_distribution=["normal", "logistic", "extreme"]),
    **_reals(aft_loss_distribution_scale=_AT_LEAST_0),
    **_choices(deterministic_histogram=_TRUE_FALSE, sampling_method=["uniform", "gradient_based"]),
    **_ints(prob_buffer_row=Interval(min_open=1.0)),
    **_choices(use_dask_gpu_training=_TRUE_FALSE),
}


def validate_hyperparameters(given: dict[str, Any]) -> dict[str, Any]:
    """The container's validated training configuration for ``given`` (strings), or ``UserError``.

    Values come back parsed (ints, floats, lists, tuples); ``updater`` is re-joined with commas,
    as the container passes it to XGBoost.
    """
    named = {ALIASES.get(name, name): value for name, value in given.items()}
    for name, declared in SPECS.items():
        if declared.required and name not in named:
            raise UserError(f"Missing required hyperparameter: {name}")
    parsed: dict[str, Any] = {}
    for name, raw in named.items():
        spec = SPECS.get(name)
        if spec is None:
            raise UserError(f"Extraneous hyperparameter found: {name}")
        try:
            parsed[name] = spec.parse(raw)
        except (ValueError, SyntaxError) as error:
            raise UserError(f"Hyperparameter {name}: could not parse value", caused_by=error) from None
    for name, value in parsed.items():
        SPECS[name].check_range(name, value)
    _check_combinations(parsed)
    if parsed.get("updater"):
        parsed["updater"] = ",".join(parsed["updater"])
    return parsed


def _check_combinations(hp: dict[str, Any]) -> None:
    """The container's dependency rules between hyperparameters."""
    if "updater" in hp:
        _check_updater(hp["updater"], hp)
    objective = hp.get("objective")
    if objective in ("multi:softmax", "multi:softprob") and "num_class" not in hp:
        raise UserError("Require input for parameter 'num_class' for multi-classification")
    if "eval_metric" in hp:
        if objective is None:
            raise UserError(
                "eval_metric needs objective to be set as well: the SageMaker XGBoost 1.7-1 container "
                "fails with KeyError: 'objective' when eval_metric is given without it"
            )
        if "auc" in hp["eval_metric"] and not objective.startswith(("binary:", "rank:")):
            raise UserError("Metric 'auc' can only be applied for classification and ranking problems.")
        if "aft-nloglik" in hp["eval_metric"] and objective != "survival:aft":
            raise UserError("Metric 'aft-nloglik' can only be applied for 'survival:aft' objective.")
    tree_method = hp.get("tree_method")
    if "monotone_constraints" in hp and tree_method not in ("exact", "hist"):
        raise UserError(
            "monotone_constraints can be used only when the tree_method parameter is set to "
            "either 'exact' or 'hist'."
        )
    if "interaction_constraints" in hp and tree_method not in ("exact", "hist", "approx"):
        raise UserError(
            "interaction_constraints can be used only when the tree_method parameter is set to "
            "either 'exact', 'hist' or 'approx'."
        )


def _check_updater(updaters: list[str], hp: dict[str, Any]) -> None:
    tree_plugins = {"grow_colmaker", "distcol", "grow_histmaker", "grow_skmaker", "sync", "refresh",
                    "prune", "grow_quantile_histmaker"}  # fmt: skip
    grow_plugins = {"grow_colmaker", "distcol", "grow_histmaker", "grow_quantile_histmaker"}
    if hp.get("booster") == "gblinear":
        if not (len(updaters) == 1 and updaters[0] in ("shotgun", "coord_descent")):
            raise UserError("Linear updater should be one of these options: 'shotgun', 'coord_descent'.")
    elif hp.get("process_type") == "update":
        if not all(u in ("refresh", "prune") for u in updaters):
            raise UserError("process_type 'update' can only be used with updater 'refresh' and 'prune'")
    else:
        if not all(u in tree_plugins for u in updaters):
            raise UserError(
                "Tree updater should be selected from these options: 'grow_colmaker', 'distcol', "
                "'grow_histmaker', 'grow_skmaker', 'grow_quantile_histmaker', 'sync', 'refresh', 'prune', "
                "'shortgun', 'coord_descent'."
            )
        if sum(u in grow_plugins for u in updaters) > 1:
            raise UserError(
                "Only one tree grow plugin can be selected. Choose one from the following: "
                "'grow_colmaker', 'distcol', 'grow_histmaker', 'grow_skmaker'"
            )
