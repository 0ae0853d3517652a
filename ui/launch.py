"""Cached pipeline calls behind the Launch page: the workflow's views, preflight, Try k, launching.

Every widget change reruns the page, so what costs more than a few milliseconds is cached
by small keys: the workflow (definition, DOT graph, ASL JSON, CloudFormation template) by
backend name, preflight by backend name for a short while (the user can ask again), and
Try k by dataset hash and filters.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import streamlit as st

from pipeline.analysis import k_selection, rfm
from pipeline.backends.base import Backend, Check, RunParameters
from pipeline.errors import DataError, PreflightError
from pipeline.views.graph import workflow_dot
from ui.backend import backend
from ui.state import cleaned

CFN_DESCRIPTION = "RFM Workflow Studio: customer clustering state machine"
#: How long a preflight result is reused before it is checked again on its own.
PREFLIGHT_TTL_SECONDS = 120


@dataclass(frozen=True)
class WorkflowView:
    """What the page shows of the workflow: built once per backend and process."""

    definition: dict[str, Any]
    dot: str
    asl_json: str
    template: str
    #: Why the view was built with placeholder settings (aws not configured), else "".
    placeholder_reason: str = ""


def _placeholder_workflow(region: str | None):
    from pipeline.workflows.clustering import DEFAULT_REGION, build_workflow

    return build_workflow(region=region or DEFAULT_REGION)


@st.cache_data(show_spinner="Building the workflow with the Step Functions SDK…")
def workflow_view(backend_name: str) -> WorkflowView:
    """The SDK-generated workflow of ``backend_name``.

    Local: the local backend's definition, and the template of the same workflow built with
    ``build_workflow`` (placeholder role ARNs: the local engine needs none). aws: the
    backend's own definition and template; while its settings are incomplete, the same
    workflow built with placeholders, with ``placeholder_reason`` saying what is missing.
    """
    chosen = backend(backend_name)
    reason = ""
    if backend_name == "local":
        definition = chosen.definition()
        template = _placeholder_workflow(None).get_cloudformation_template(CFN_DESCRIPTION)
    else:
        try:
            definition = chosen.definition()
            template = chosen.cloudformation_template(CFN_DESCRIPTION)
        except PreflightError as error:
            reason = str(error)
            workflow = _placeholder_workflow(getattr(getattr(chosen, "settings", None), "region", None))
            definition = workflow.definition.to_dict()
            template = workflow.get_cloudformation_template(CFN_DESCRIPTION)
    return WorkflowView(
        definition=definition,
        dot=workflow_dot(definition),
        asl_json=json.dumps(definition, indent=2),
        template=template,
        placeholder_reason=reason,
    )


@st.cache_data(ttl=PREFLIGHT_TTL_SECONDS, show_spinner="Checking the backend…")
def preflight(backend_name: str) -> list[Check]:
    """``backend.preflight()``, reused for a couple of minutes (on aws it calls several services)."""
    return list(backend(backend_name).preflight())


@st.cache_data(max_entries=16, show_spinner=False)
def k_table(content_hash: str, path: str, country: str | None, as_of: dt.date | None) -> pd.DataFrame:
    """``pipeline.analysis.k_selection.try_k`` on the clustering features of one (dataset, country, as-of).

    The features are the ones the workflow's prepare step computes from the same choice, so
    the silhouette here predicts the run's quality figure. Raises ``DataError`` when the
    choice leaves too few customers (errors are not cached).
    """
    clean, _ = cleaned(content_hash, path)
    window = rfm.filter_transactions(clean, country) if country else clean
    table = rfm.compute_rfm(window, pd.Timestamp(as_of) if as_of else None)
    return k_selection.try_k(rfm.clustering_features(table))


@st.cache_data(max_entries=32, show_spinner=False)
def customers_to_cluster(content_hash: str, path: str, country: str | None, as_of: dt.date | None) -> int:
    """How many customers the run's prepare step will cluster for one (dataset, country, as-of).

    The same filter and scoring as the prepare Lambda, so the page can refuse a run that would
    only fail there (k above the customers, an as-of date before the last invoice). Raises
    ``DataError`` with the scoring's message when nothing can be scored (errors are not cached).
    """
    clean, _ = cleaned(content_hash, path)
    window = rfm.filter_transactions(clean, country) if country else clean
    return len(rfm.compute_rfm(window, pd.Timestamp(as_of) if as_of else None))


def run_problem(content_hash: str, path: str, params: RunParameters) -> str | None:
    """Why a run with ``params`` would fail at its first step on this dataset, or None if it would not."""
    try:
        customers = customers_to_cluster(content_hash, path, params.country, params.as_of)
    except DataError as error:
        return f"This run would fail: {error}"
    if customers < params.k:
        where = f" in {params.country}" if params.country else ""
        if customers < 2:
            return (
                f"Only {customers} customer(s){where} to cluster, and clustering needs at least 2: "
                "choose another country or All countries."
            )
        return (
            f"Only {customers:,} customers{where} to cluster, fewer than the k={params.k} clusters asked "
            f"for: choose k of at most {customers}, or another country."
        )
    return None


def recheck(backend_name: str) -> None:
    """Forget what was learnt about a backend so the next run checks it afresh.

    On aws the backend object itself is rebuilt too: it reads its settings (environment and
    secrets) when made, so settings fixed since then only count after this.
    """
    preflight.clear()
    if backend_name != "local":
        workflow_view.clear()
        backend.clear()


def launch_run(
    chosen: Backend,
    dataset_path: Path,
    params: RunParameters,
    *,
    dataset_name: str,
    progress: Callable[[str], None],
) -> str:
    """Upload the dataset and start an execution on ``chosen``; returns the execution ARN.

    The upload is done as its own step when the backend offers one (both do: ``upload`` /
    ``upload_dataset``, content-addressed, so the launch's own upload then finds the file in
    place), so ``progress`` can tell the user which step is slow.
    """
    upload = getattr(chosen, "upload", None) or getattr(chosen, "upload_dataset", None)
    progress("Uploading dataset")
    if upload is not None:
        upload(Path(dataset_path))
    progress("Starting execution")
    return chosen.launch(Path(dataset_path), params, dataset_name=dataset_name)
