"""Can a clustering run succeed? The one check, before anything is uploaded or started.

Used by both backends before they start an execution, by the Launch page before it enables
Launch, by the command line (through the backends), and, for the rules that need the data,
by the prepare Lambda itself, so a run started by another tool fails with the same sentence.

Two parts: :func:`parameter_problems` needs only the parameters (k, threshold, instances);
:func:`data_problems` needs :class:`ClusteringData`, what the prepare step will find in the
data for the chosen country and as-of date (:func:`clustering_data`). Every problem is a
sentence saying what is wrong and what to choose instead.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from typing import Any

from pipeline.errors import DataError
from pipeline.workflows.clustering.parameters import (
    MAX_CONCURRENCY_LIMIT,
    MAX_SWEEP_K,
    MIN_K,
    PICK_RULES,
    ClusteringParameters,
)
from pipeline.workflows.instances import instance_problems

#: The elbow of a curve needs a bend: at least three ks.
MIN_ELBOW_KS = 3


@dataclass(frozen=True)
class ClusteringData:
    """What the prepare step will find for one (country, as-of date) of a dataset."""

    #: Customers it will cluster (one feature row each).
    customers: int
    #: Why the data cannot be scored at all (no such country, as-of date before the last
    #: invoice, no customer left...), else "".
    problem: str = ""


def data_scope(params: ClusteringParameters) -> tuple[str | None, dt.date | None]:
    """The parameters that decide which customers the run sees: country and as-of date."""
    return params.country, params.as_of


def clustering_data(clean: Any, scope: tuple[str | None, Any]) -> ClusteringData:
    """Filter and score the clean transactions as the prepare step does; never raises ``DataError``.

    ``clean`` is the clean transactions frame, or its ``TransactionsIndex`` (the app's pages
    keep one per dataset): the index counts the same customers in milliseconds, where scoring
    the frame again took 1-2 s at 10x on every country change of the Launch page.
    """
    import pandas as pd

    from pipeline.analysis.rfm import compute_rfm, filter_transactions
    from pipeline.analysis.rfm_index import TransactionsIndex

    country, as_of = scope
    snapshot = pd.Timestamp(as_of) if as_of else None
    try:
        if isinstance(clean, TransactionsIndex):
            return ClusteringData(customers=clean.customers(country or None, snapshot))
        window = filter_transactions(clean, countries=country) if country else clean
        rfm = compute_rfm(window, snapshot)
    except DataError as error:
        return ClusteringData(customers=0, problem=str(error))
    return ClusteringData(customers=len(rfm))


def k_problem(k: Any) -> str:
    """Why ``k`` cannot be a number of clusters ("" when it can)."""
    try:
        value = int(str(k).strip())
    except ValueError:
        return f"The number of clusters k must be a whole number, got {k!r}."
    if value < MIN_K:
        return f"The number of clusters k must be at least {MIN_K} (got {value}): choose k of 2 or more."
    return ""


def _customers(count: int) -> str:
    return f"{count:,} customer" + ("" if count == 1 else "s")


def largest_k(customers: int) -> int:
    """The most clusters ``customers`` customers can be scored in: one fewer than the customers.

    The silhouette is defined for 2 to n-1 clusters of n points. With as many clusters as
    customers every cluster is one customer, the silhouette is 0 and the quality check fails
    the run after its training: a 3-customer file launched with k=3 ended FAILED.
    """
    return customers - 1


def customers_problem(k: int, customers: int, country: str | None = None) -> str:
    """Why ``customers`` customers cannot form ``k`` clusters ("" when they can)."""
    where = f" in {country}" if country else ""
    if customers <= MIN_K:
        return (
            f"Only {_customers(customers)}{where} to cluster, and clustering needs at least {MIN_K + 1} "
            f"(more customers than its {MIN_K} clusters): choose another country or All countries."
        )
    if k > largest_k(customers):
        return (
            f"Only {_customers(customers)}{where} to cluster, too few for the k={k} clusters asked for "
            f"(the quality score needs more customers than clusters): choose k of at most "
            f"{largest_k(customers)}, or another country."
        )
    return ""


def k_range_problem(low: Any, high: Any) -> str:
    """Why ``low``-``high`` cannot be the ks of a sweep ("" when it can)."""
    if not all(isinstance(v, int) and not isinstance(v, bool) for v in (low, high)):
        return f"A k range is two whole numbers like 2-10, got {low!r}-{high!r}."
    if not MIN_K <= low <= high <= MAX_SWEEP_K:
        return (
            f"The k range {low}-{high} must run from at least {MIN_K} up to at most {MAX_SWEEP_K}, "
            f"low before high: choose one such as 2-10."
        )
    return ""


def pick_problem(pick: Any, low: int, high: int) -> str:
    """Why ``pick`` cannot choose k among ``low``-``high`` ("" when it can)."""
    if pick not in PICK_RULES:
        return f"The rule that picks k must be one of {', '.join(PICK_RULES)}, got {pick!r}."
    if pick == "elbow" and high - low + 1 < MIN_ELBOW_KS:
        return (
            f"The elbow rule needs at least {MIN_ELBOW_KS} values of k, the range {low}-{high} has "
            f"{high - low + 1}: widen the range or pick by silhouette."
        )
    return ""


def max_concurrency_problem(value: Any) -> str:
    """Why ``value`` cannot bound the sweep's concurrent iterations ("" when it can)."""
    if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= MAX_CONCURRENCY_LIMIT:
        return (
            f"The sweep's concurrency must be a whole number from 1 to {MAX_CONCURRENCY_LIMIT} "
            f"(at most that many training jobs at once), got {value!r}."
        )
    return ""


def sweep_problems(low: Any, high: Any, pick: Any) -> list[str]:
    """What is wrong with a sweep's range and rule (the prepare Lambda applies these too)."""
    if problem := k_range_problem(low, high):
        return [problem]
    problem = pick_problem(pick, low, high)
    return [problem] if problem else []


def sweep_customers_problem(low: int, customers: int, country: str | None = None) -> str:
    """Why ``customers`` customers cannot be swept from ``low`` clusters up ("" when they can).

    Only the smallest k must fit: a k above the customers fails its own iteration when it
    trains (SageMaker refuses more centres than rows) and the sweep goes on with the others.
    """
    where = f" in {country}" if country else ""
    if customers <= MIN_K:
        return customers_problem(low, customers, country)
    if low > largest_k(customers):
        return (
            f"Only {_customers(customers)}{where} to cluster, too few for k={low}, the smallest k of the "
            f"sweep (the quality score needs more customers than clusters): start the range at most at "
            f"{largest_k(customers)}, or choose another country."
        )
    return ""


def parameter_problems(params: ClusteringParameters) -> list[str]:
    """What is wrong with the parameters themselves, whatever the data."""
    problems = []
    if params.k_range is not None:
        problems += sweep_problems(*params.k_range, params.pick)
        if concurrency := max_concurrency_problem(params.max_concurrency):
            problems.append(concurrency)
    elif k := k_problem(params.k):
        problems.append(k)
    threshold = params.quality_threshold
    if not isinstance(threshold, int | float) or not math.isfinite(threshold) or not -1 <= threshold <= 1:
        problems.append(
            f"The quality threshold is a silhouette score, between -1 and 1 (got {threshold}): "
            "choose one in that range."
        )
    problems += instance_problems(params.instance_type, params.instance_count)
    return problems


def data_problems(
    k: int, data: ClusteringData, country: str | None = None, *, sweep: bool = False
) -> list[str]:
    """What stops the prepare step on this data (none when it can cluster into ``k`` groups).

    With ``sweep``, ``k`` is the smallest k of the range: only it must fit the customers.
    """
    if data.problem:
        return [data.problem]
    if sweep:
        problem = sweep_customers_problem(k, data.customers, country)
    else:
        problem = customers_problem(k, data.customers, country)
    return [problem] if problem else []


def run_problems(params: ClusteringParameters, data: ClusteringData | None = None) -> list[str]:
    """Every reason a run with ``params`` would fail; ``data`` (when known) adds the data's rules."""
    problems = parameter_problems(params)
    if data is None:
        return problems
    if params.k_range is not None:
        if not k_range_problem(*params.k_range):
            problems += data_problems(params.k_range[0], data, params.country, sweep=True)
    elif not k_problem(params.k):
        problems += data_problems(int(params.k), data, params.country)
    return problems
