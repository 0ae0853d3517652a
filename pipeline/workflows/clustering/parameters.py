"""The clustering workflow's run parameters and its execution input, both ways.

``ClusteringParameters`` is what a person chooses (the Launch page's fields, the command
line's options); ``execution_input_for`` turns it into the execution input the SDK-built
state machine reads (``EXECUTION_INPUT_SCHEMA``), and ``parameters_from_input`` reads it
back (listing runs, re-running one). Light on purpose: the prepare Lambda imports it.
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


@dataclass(frozen=True)
class ClusteringParameters:
    """What the user chooses for one clustering run."""

    k: int = 5
    quality_threshold: float = 0.25
    as_of: dt.date | None = None
    country: str | None = None
    instance_type: str = DEFAULT_INSTANCE_TYPE
    instance_count: int = 1

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-friendly values (the as-of date as ``YYYY-MM-DD``)."""
        data = asdict(self)
        data["as_of"] = self.as_of.isoformat() if self.as_of else None
        return data


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
    """
    as_of = params.as_of.isoformat() if isinstance(params.as_of, dt.date) else (params.as_of or "")
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
    )


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The command line's options for a clustering run (``python -m pipeline run``)."""
    defaults = ClusteringParameters()
    parser.add_argument(
        "--k", type=int, default=defaults.k, help=f"number of clusters (default {defaults.k})"
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
        k=args.k, quality_threshold=args.threshold, as_of=args.as_of, country=args.country
    )
