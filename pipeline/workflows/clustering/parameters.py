"""The clustering workflow's run parameters and its execution input, both ways.

``ClusteringParameters`` is what a person chooses (the Launch page's fields, the command
line's options); ``execution_input_for`` turns it into the execution input the SDK-built
state machine reads (``EXECUTION_INPUT_SCHEMA``), and ``parameters_from_input`` reads it
back (listing runs, re-running one). Light on purpose: the prepare Lambda imports it.

A run clusters with one fixed ``k``, or sweeps a range of k (``k_range``): one training job
and one scoring a k, at most ``max_concurrency`` at once, then ``pick`` chooses the k whose
model the run goes on with (see ``k_choice`` for the rules).
"""

from __future__ import annotations

import argparse
import datetime as dt
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

from pipeline.workflows.runs import run_prefix, sagemaker_job_name

#: The fewest clusters worth asking KMeans for.
MIN_K = 2
DEFAULT_INSTANCE_TYPE = "ml.m5.large"
#: The largest k a sweep may try. Past ~20 clusters of three RFM features the profiles repeat
#: (the nine value x recency names come back numbered "#2", "#3"), and each k is one more
#: SageMaker training job: 19 jobs at most, far inside the Map's history and payload quotas.
MAX_SWEEP_K = 20
#: The rules a sweep picks k by (``k_choice``): the highest silhouette, or the elbow of the WCSS.
PICK_RULES = ("silhouette", "elbow")
DEFAULT_PICK = "silhouette"
#: Sweep iterations (training jobs) at once by default: two keep this 2-core machine busy
#: without oversubscribing it (benchmarks/README.md) and stay inside SageMaker's smallest
#: default training-instance quotas on AWS.
DEFAULT_MAX_CONCURRENCY = 2
#: The most iterations an inline Map runs at once on AWS Step Functions.
MAX_CONCURRENCY_LIMIT = 40


@dataclass(frozen=True)
class ClusteringParameters:
    """What the user chooses for one clustering run."""

    k: int = 5
    quality_threshold: float = 0.25
    as_of: dt.date | None = None
    country: str | None = None
    instance_type: str = DEFAULT_INSTANCE_TYPE
    instance_count: int = 1
    #: ``(low, high)``: sweep k = low..high (both included) instead of the fixed ``k``.
    k_range: tuple[int, int] | None = None
    #: How a sweep picks k: "silhouette" (highest) or "elbow" (of the within-cluster sum of squares).
    pick: str = DEFAULT_PICK
    #: Sweep iterations (training jobs) at once.
    max_concurrency: int = DEFAULT_MAX_CONCURRENCY

    @property
    def sweep(self) -> bool:
        """Whether the run sweeps a range of k (else it clusters with ``k``)."""
        return self.k_range is not None

    def candidate_ks(self) -> list[int]:
        """The ks the run trains: the range of a sweep, else ``[k]``."""
        if self.k_range is None:
            return [int(self.k)]
        low, high = self.k_range
        return list(range(int(low), int(high) + 1))

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-friendly values (the as-of date as ``YYYY-MM-DD``, the range as a list)."""
        data = asdict(self)
        data["as_of"] = self.as_of.isoformat() if self.as_of else None
        data["k_range"] = list(self.k_range) if self.k_range is not None else None
        return data


def parse_k_range(text: str) -> tuple[int, int]:
    """``"2-10"`` -> ``(2, 10)``; ValueError saying the expected form otherwise."""
    low, separator, high = str(text).strip().partition("-")
    try:
        if not separator:
            raise ValueError
        return int(low), int(high)
    except ValueError:
        raise ValueError(f"A k range is two whole numbers like 2-10, got {text!r}.") from None


def sweep_job_prefix(run_name: str) -> str:
    """The start of the sweep's training job names: ``<prefix><k>`` is the job of k.

    Room is kept for the digits of the largest k, so every name stays within SageMaker's 63
    characters of ``[a-zA-Z0-9-]``.
    """
    digits = len(str(MAX_SWEEP_K))
    return sagemaker_job_name(run_name, "k" + "0" * digits)[:-digits]


#: The execution input every run must carry (types as the SDK's ExecutionInput checks them).
EXECUTION_INPUT_SCHEMA: dict[str, type] = {
    "RunName": str,
    "TrainingJobName": str,
    "ModelName": str,
    "TransformJobName": str,
    "DataUri": str,
    "DatasetName": str,
    "RunPrefix": str,
    "K": str,
    "QualityThreshold": float,
    "AsOfDate": str,
    "Country": str,
    "InstanceType": str,
    "InstanceCount": int,
    "Sweep": bool,
    "KMin": int,
    "KMax": int,
    "PickRule": str,
    "MaxConcurrency": int,
    "SweepJobPrefix": str,
}


def execution_input_for(
    run_name: str,
    params: ClusteringParameters,
    data_uri: str,
    bucket: str,
    prefix: str,
    *,
    dataset_name: str = "",
) -> dict[str, Any]:
    """The execution input of one run, matching ``EXECUTION_INPUT_SCHEMA``.

    Job and model names derive from the run name so every run has its own (SageMaker refuses
    to reuse a name). ``K`` is a string because SageMaker hyperparameters are strings and the
    training step passes it through unchanged; the threshold is a number for the Choice.
    Empty strings stand for "no as-of date" and "all countries" so the input keeps one type.
    Every run carries the sweep keys (one schema): a fixed-k run has ``Sweep`` false and
    ``KMin`` = ``KMax`` = k; a sweep keeps the fixed ``K`` it was given, which it does not use.
    """
    as_of = params.as_of.isoformat() if isinstance(params.as_of, dt.date) else (params.as_of or "")
    low, high = params.k_range if params.k_range is not None else (params.k, params.k)
    return {
        "RunName": run_name,
        "TrainingJobName": sagemaker_job_name(run_name, "train"),
        "ModelName": sagemaker_job_name(run_name, "model"),
        "TransformJobName": sagemaker_job_name(run_name, "assign"),
        "DataUri": data_uri,
        "DatasetName": dataset_name,
        "RunPrefix": run_prefix(bucket, prefix, run_name),
        "K": str(int(params.k)),
        "QualityThreshold": float(params.quality_threshold),
        "AsOfDate": str(as_of),
        "Country": params.country or "",
        "InstanceType": params.instance_type,
        "InstanceCount": int(params.instance_count),
        "Sweep": params.sweep,
        "KMin": int(low),
        "KMax": int(high),
        "PickRule": params.pick,
        "MaxConcurrency": int(params.max_concurrency),
        "SweepJobPrefix": sweep_job_prefix(run_name),
    }


def parameters_from_input(execution_input: Mapping[str, Any]) -> ClusteringParameters:
    """The parameters a run was launched with, read back from its execution input.

    Raises ValueError or TypeError when a value cannot be read (an input not written by
    ``execution_input_for``).
    """
    as_of = execution_input.get("AsOfDate") or None
    return ClusteringParameters(
        k=int(execution_input.get("K", ClusteringParameters.k)),
        quality_threshold=float(execution_input.get("QualityThreshold", 0.0)),
        as_of=dt.date.fromisoformat(as_of) if as_of else None,
        country=execution_input.get("Country") or None,
        instance_type=execution_input.get("InstanceType", DEFAULT_INSTANCE_TYPE),
        instance_count=int(execution_input.get("InstanceCount", 1)),
        k_range=(int(execution_input["KMin"]), int(execution_input["KMax"]))
        if execution_input.get("Sweep")
        else None,
        pick=str(execution_input.get("PickRule") or DEFAULT_PICK),
        max_concurrency=int(execution_input.get("MaxConcurrency", DEFAULT_MAX_CONCURRENCY)),
    )


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The command line's options for a clustering run (``python -m pipeline run``)."""
    defaults = ClusteringParameters()
    which_k = parser.add_mutually_exclusive_group()
    which_k.add_argument(
        "--k", type=int, default=defaults.k, help=f"number of clusters (default {defaults.k})"
    )
    which_k.add_argument(
        "--k-range",
        type=_k_range_argument,
        default=None,
        metavar="LOW-HIGH",
        help=f"sweep k from LOW to HIGH (e.g. 2-10, at most {MAX_SWEEP_K}), go on with the k --pick picks",
    )
    parser.add_argument(
        "--pick",
        choices=PICK_RULES,
        default=defaults.pick,
        help="how a sweep picks k: the highest silhouette (default) or the elbow of the sum of squares",
    )
    parser.add_argument(
        "--max-concurrency",
        type=int,
        default=defaults.max_concurrency,
        metavar="N",
        help=f"sweep iterations (training jobs) at once (default {defaults.max_concurrency})",
    )
    parser.add_argument(
        "--threshold",
        type=float,
        default=defaults.quality_threshold,
        help=f"least silhouette score to accept (default {defaults.quality_threshold})",
    )
    parser.add_argument("--as-of", type=dt.date.fromisoformat, default=None, help="snapshot date YYYY-MM-DD")
    parser.add_argument("--country", default=None, help="cluster the customers of one country only")


def parameters_from_arguments(args: argparse.Namespace) -> ClusteringParameters:
    """The parameters the options of :func:`add_arguments` give."""
    return ClusteringParameters(
        k=args.k,
        quality_threshold=args.threshold,
        as_of=args.as_of,
        country=args.country,
        k_range=args.k_range,
        pick=args.pick,
        max_concurrency=args.max_concurrency,
    )


def _k_range_argument(text: str) -> tuple[int, int]:
    try:
        return parse_k_range(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None
