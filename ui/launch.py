"""The Launch page's logic: the workflow catalogue, each workflow's fields, the run's checks,
Try k, deploying, launching.

The catalogue is the registry (``pipeline.workflows.registry.WORKFLOWS``); each workflow's
fields are a form function found by its parameters type (``PARAMETER_FORMS``), and every
field's value is kept across pages (``ui.fields.kept``).

Every widget change reruns the page, so what costs more than a few milliseconds is cached
by small keys: the workflow (definition, ASL JSON, CloudFormation template) by
backend name, Try k by dataset hash and filters. Preflight is the backend's health
(``ui.backend.health``), the cache Home shows too.
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
from pipeline.backends.base import Backend, Check
from pipeline.views.graph_svg import workflow_drawing
from pipeline.workflows.clustering.checks import largest_k
from pipeline.workflows.clustering.parameters import ClusteringParameters
from pipeline.workflows.price_regression.parameters import (
    RegressionParameters,
)
from pipeline.workflows.registry import WORKFLOWS, default_workflow, get_workflow, workflow_of
from pipeline.workflows.spec import WorkflowSpec
from ui.backend import backend, check_again, health
from ui.errors import show_error
from ui.fields import instance_inputs, kept
from ui.launch_regression import regression_inputs
from ui.names import Key
from ui.runs import forget_aws_listing, remember_launched
from ui.state import ActiveDataset, countries, transactions_index

ALL_COUNTRIES = "All countries"


@dataclass(frozen=True)
class WorkflowView:
    """What the page shows of the workflow: built once per backend and process."""

    definition: dict[str, Any]
    asl_json: str
    template: str
    #: Why the view was built with placeholder settings (aws not configured), else "".
    placeholder_reason: str = ""


@st.cache_data(show_spinner="Building the workflow with the Step Functions SDK…")
def workflow_view(backend_name: str, workflow: str | None = None) -> WorkflowView:
    """The SDK-generated workflow of ``backend_name`` (``Backend.workflow_documents``): the
    backend's own definition and template, or, while it is not configured, the same workflow
    built with placeholders, ``placeholder_reason`` saying what is missing."""
    documents = backend(backend_name).workflow_documents(workflow)
    return WorkflowView(
        definition=documents.definition,
        asl_json=json.dumps(documents.definition, indent=2),
        template=documents.template,
        placeholder_reason=documents.placeholder_reason,
    )


def preview_svg(view: WorkflowView) -> str:
    """The workflow as Executions draws it (``graph_svg``), before any run: every state not
    started, no status legend."""
    return workflow_drawing(view.definition, [], preview=True, fluid=True).markup


@st.cache_data(max_entries=16, show_spinner=False)
def k_table(content_hash: str, path: str, country: str | None, as_of: dt.date | None) -> pd.DataFrame:
    """``pipeline.analysis.k_selection.try_k`` on the clustering features of one (dataset, country, as-of).

    The features are the ones the workflow's prepare step computes from the same choice, so
    the silhouette here predicts the run's quality figure. Raises ``DataError`` when the
    choice leaves too few customers (errors are not cached).
    """
    table = (
        transactions_index(content_hash, path)
        .score(country or None, as_of=pd.Timestamp(as_of) if as_of else None)
        .table
    )
    return k_selection.try_k(rfm.clustering_features(table))


@st.cache_data(max_entries=32, show_spinner=False)
def data_facts(workflow: str, content_hash: str, path: str, scope: Any) -> Any:
    """What a run's first step will find in one dataset for ``scope`` (the workflow's
    ``data_scope`` of the parameters), cached: the same scoring as the step itself, from the
    dataset's index (``ui.state.transactions_index``) rather than the frame."""
    return get_workflow(workflow).data_facts(transactions_index(content_hash, path), scope)


def run_problem(content_hash: str, path: str, params: Any) -> str | None:
    """Why a run with ``params`` would fail on this dataset, or None if it would not.

    The workflow's own check (``WorkflowSpec.problems``), the one the backends apply at launch.
    """
    spec = workflow_of(params)
    facts = data_facts(spec.name, content_hash, path, spec.data_scope(params))
    problems = spec.problems(params, facts)
    return f"This run would fail: {' '.join(problems)}" if problems else None


def recheck(backend_name: str) -> None:
    """Forget what was learnt about a backend so every page checks it afresh ("Check again").

    The health Home shows is the same cache (``ui.backend.health``); on aws the workflow is
    built again too, from the settings read afresh.
    """
    check_again(backend_name)
    if backend_name != "local":
        workflow_view.clear()


def launch_run(
    chosen: Backend,
    dataset_path: Path,
    params: Any,
    *,
    dataset_name: str,
    progress: Callable[[str], None],
) -> str:
    """Upload the dataset and start an execution on ``chosen``; returns the execution ARN.

    The upload is its own step (content-addressed, so the launch's own upload then finds the
    file in place), so ``progress`` can tell the user which step is slow.
    """
    progress("Uploading dataset")
    chosen.upload(Path(dataset_path))
    progress("Starting execution")
    return chosen.launch(Path(dataset_path), params, dataset_name=dataset_name)


# The page's own helpers ------------------------------------------------------------------------


def use_k(k: int) -> None:
    """Callback of "Use k": put Try k's suggestion into the k field (before the field is drawn)."""
    st.session_state[Key.LAUNCH_K] = int(k)
    st.session_state[K_MODE_KEY] = FIXED_K


def check_line(check: Check) -> str:
    """One preflight check as a line of text: "Bucket (passed): Files go to s3://…".

    Shown with ``st.text``, which wraps and never parses Markdown (messages can quote AWS error
    texts). The checks were a grid, whose Message column was cut at 800 px ("Files go to
    s3://rfm-studio-local/rfm-studio/ lo…") with no way to read the rest but widening it.
    """
    return f"{check.name} ({'passed' if check.ok else 'failed'}): {check.message}"


def try_k_wanted(active: ActiveDataset, params: ClusteringParameters, pressed: bool) -> bool:
    """Whether to show Try k: pressed now, or earlier for the same dataset, country and as-of."""
    key = (active.content_hash, params.country, params.as_of)
    if pressed:
        st.session_state[Key.TRY_K_FOR] = key
    return st.session_state.get(Key.TRY_K_FOR) == key


def deploy(progress: Callable[[str], None]) -> None:
    """Create or update the Lambda functions and the state machine on aws, telling each step."""
    for message in backend("aws").deploy().messages:
        progress(message)


def start_run(active: ActiveDataset, backend_name: str, params: Any, progress: Callable[[str], None]) -> str:
    """Launch the run on the active dataset and select it for the Executions page; its ARN."""
    arn = launch_run(
        backend(backend_name), Path(active.path), params, dataset_name=active.name, progress=progress
    )
    st.session_state[Key.SELECTED_EXECUTION] = arn
    remember_launched(arn)
    forget_aws_listing()
    return arn


# Sections of the page --------------------------------------------------------------------------


def workflow_choice() -> WorkflowSpec:
    """The catalogue: every workflow of the registry by title, with its one-line purpose; the
    choice is kept across pages."""
    names = [spec.name for spec in WORKFLOWS]
    name = kept(
        st.radio,
        "Workflow to launch",
        key=Key.LAUNCH_WORKFLOW,
        default=default_workflow().name,
        options=names,
        format_func=lambda chosen: get_workflow(chosen).title,
        captions=[spec.purpose for spec in WORKFLOWS],
        label_visibility="collapsed",  # under the page's "Workflow" heading
    )
    return get_workflow(name)


def parameter_inputs(active: ActiveDataset, backend_name: str, spec: WorkflowSpec) -> Any:
    """The chosen workflow's own fields (``PARAMETER_FORMS``: every registry workflow has one)."""
    return PARAMETER_FORMS[spec.parameters_type](active, backend_name)


def clustering_inputs(active: ActiveDataset, backend_name: str) -> ClusteringParameters:
    """The clustering run's parameters as fields; the instance settings only on aws."""
    suffix = active.content_hash[:12]  # a new dataset starts from fresh filters
    defaults = ClusteringParameters()
    choice = k_choice_inputs()
    columns = st.columns(2)
    with columns[0]:
        threshold = kept(
            st.number_input,
            "Quality threshold (silhouette)",
            key=Key.LAUNCH_THRESHOLD,
            default=defaults.quality_threshold,
            min_value=-1.0,
            max_value=1.0,
            step=0.05,
            help="The run fails with 'Cluster quality too low' when the clusters' silhouette is below this.",
        )
    with columns[1]:
        as_of = kept(
            st.date_input,
            "As-of date",
            key=f"launch_as_of_{suffix}",
            default=active.last_invoice + dt.timedelta(days=1),
            min_value=active.first_invoice,
            help="Recency counts days up to this date; by default the day after the last invoice.",
        )
    with columns[0]:
        country = kept(
            st.selectbox,
            "Country",
            key=f"launch_country_{suffix}",
            default=ALL_COUNTRIES,
            options=[ALL_COUNTRIES, *countries(*active.key)],
        )
    instance_type, instance_count = instance_inputs(backend_name, columns)
    params = ClusteringParameters(
        **choice,
        quality_threshold=float(threshold),
        as_of=as_of,
        country=None if country == ALL_COUNTRIES else country,
        instance_type=instance_type,
        instance_count=int(instance_count),
    )
    if params.sweep:
        spec = workflow_of(params)
        facts = data_facts(spec.name, *active.key, spec.data_scope(params))
        on_aws = backend(backend_name).launch_defaults().instances_matter
        st.info(sweep_note(params, on_aws=on_aws, customers=facts.customers or None))
    return params


FIXED_K, SWEEP_K = "Fixed k", "Sweep a range of k"
K_MODE_KEY = "launch_k_mode"
PICK_LABELS = {"silhouette": "Highest silhouette", "elbow": "Elbow of the sum of squares"}


def k_choice_inputs() -> dict[str, Any]:
    """How the run chooses k: a fixed k, or a sweep (range, rule, iterations at once) inside the
    workflow, recorded with the run. Returns the ``ClusteringParameters`` fields it sets."""
    from pipeline.workflows.clustering import parameters as cp

    mode = kept(
        st.radio,
        "Number of clusters",
        key=K_MODE_KEY,
        default=FIXED_K,
        options=[FIXED_K, SWEEP_K],
        horizontal=True,
    )
    if mode == FIXED_K:
        k = kept(
            st.number_input,
            "Clusters (k)",
            key=Key.LAUNCH_K,
            default=ClusteringParameters.k,
            min_value=cp.MIN_K,
            max_value=cp.MAX_SWEEP_K,
            step=1,
        )
        return {"k": int(k)}
    columns = st.columns(3)
    with columns[0]:
        low, high = kept(
            st.slider,
            "k range",
            key="launch_k_range",
            default=(2, 10),
            min_value=cp.MIN_K,
            max_value=cp.MAX_SWEEP_K,
        )
    with columns[1]:
        pick = kept(
            st.selectbox,
            "Pick k by",
            key="launch_pick",
            default=cp.PICK_RULES[0],
            options=cp.PICK_RULES,
            format_func=PICK_LABELS.get,
            help="Highest silhouette: the k whose clusters are best separated. Elbow: the k where the "
            "within-cluster sum of squares stops falling fast (needs at least 3 ks).",
        )
    with columns[2]:
        at_once = kept(
            st.number_input,
            "Max concurrency",
            key="launch_max_concurrency",
            default=cp.DEFAULT_MAX_CONCURRENCY,
            min_value=1,
            max_value=cp.MAX_CONCURRENCY_LIMIT,
            help="Training jobs running at once (on AWS: instances billed at once).",
        )
    return {"k_range": (int(low), int(high)), "pick": str(pick), "max_concurrency": int(at_once)}


def sweep_note(params: ClusteringParameters, *, on_aws: bool, customers: int | None = None) -> str:
    """What a sweep will start, said before launching: how many training jobs, where, how many at once;
    with the ``customers`` to cluster known, which of its ks they are too few for (those iterations
    fail, the sweep chooses among the others; only a range starting too high is refused)."""
    ks = params.candidate_ks()
    jobs = f"{len(ks)} training job{'s' if len(ks) != 1 else ''} (k = {ks[0]}..{ks[-1]})"
    at_once = f"at most {params.max_concurrency} at once"
    if on_aws:
        note = (
            f"This run starts {jobs} on SageMaker, each on {params.instance_count} x {params.instance_type}, "
            f"{at_once}, then one model and one batch transform job for the chosen k."
        )
    else:
        note = f"This run trains {jobs} on this machine, {at_once}, then goes on with the chosen k."
    if customers is not None and ks[0] <= largest_k(customers) < ks[-1]:
        note += (
            f" With {customers:,} customers to cluster, k above {largest_k(customers)} cannot be scored: "
            f"those iterations will fail and k is chosen from {ks[0]}..{largest_k(customers)} "
            f"(narrow the range to skip them)."
        )
    return note


#: Each workflow's form, by its parameters type (the registry's ``parameters_type``).
PARAMETER_FORMS: dict[type, Callable[[ActiveDataset, str], Any]] = {
    ClusteringParameters: clustering_inputs,
    RegressionParameters: regression_inputs,
}


def preflight_section(backend_name: str) -> bool:
    """Each check with its result and message, what to fix, and Check again; True when all passed."""
    try:
        checks = health(backend_name)
    except Exception as error:
        show_error(error, "The preflight")
        checks = []
    failed = [check for check in checks if not check.ok]
    if failed:
        st.error(f"{len(failed)} preflight check(s) failed: launching is disabled until they pass.")
    # Failed checks first: what to fix is what the reader needs, and each message says how.
    for check in [*failed, *(check for check in checks if check.ok)]:
        st.text(check_line(check))
    if st.button("Check again", key="launch_recheck", icon=":material/refresh:"):
        recheck(backend_name)
        st.rerun()
    return bool(checks) and not failed


#: The expander holding the definitions (fixed text: its open state is kept by its key).
DEFINITIONS_LABEL = "The definitions: ASL JSON and CloudFormation template"
DEFINITIONS_KEY = "launch_definitions_open"


def definitions_section(view: WorkflowView, spec: WorkflowSpec) -> None:
    """The ASL JSON and the CloudFormation template, each viewable and downloadable, in an
    expander drawn only while open: syntax-highlighted, they are ~4,000 DOM nodes that every
    rerun of the page had the browser restyle (a k change took 0.3 s, bench_browser_pages)."""
    section = st.expander(DEFINITIONS_LABEL, key=DEFINITIONS_KEY, on_change="rerun")
    with section:
        if section.open:
            definition_tabs(view, spec)


def definition_tabs(view: WorkflowView, spec: WorkflowSpec) -> None:
    """The ASL JSON and the CloudFormation template, each viewable and downloadable."""
    asl_tab, cfn_tab = st.tabs(["ASL definition", "CloudFormation template"])
    with asl_tab:
        st.download_button(
            "Download the ASL definition (JSON)",
            data=view.asl_json,
            file_name=f"{spec.state_machine_name}.asl.json",
            mime="application/json",
            on_click="ignore",
            key="launch_asl_download",
        )
        st.code(view.asl_json, language="json", height=480)  # expanded, scrollable
    with cfn_tab:
        st.download_button(
            "Download the CloudFormation template (YAML)",
            data=view.template,
            file_name=f"{spec.state_machine_name}.cfn.yaml",
            mime="application/yaml",
            on_click="ignore",
            key="launch_cfn_download",
        )
        st.code(view.template, language="yaml", height=480)  # a scrollable box, not an 8,000 px page
