"""Launch page: the workflow, its parameters and preflight, Try k, and the Launch button."""

import datetime as dt
import logging

import pandas as pd
import streamlit as st

from pipeline.analysis import k_selection
from pipeline.errors import StudioError
from pipeline.views import charts
from pipeline.workflows.clustering.parameters import ClusteringParameters
from ui import launch, state
from ui.backend import LABELS, active_backend_name, backend

log = logging.getLogger(__name__)

EXECUTIONS_PAGE = "app_pages/executions.py"
ALL_COUNTRIES = "All countries"
INSTANCE_TYPES = ["ml.m5.large", "ml.m5.xlarge", "ml.m5.2xlarge", "ml.c5.xlarge", "ml.c5.2xlarge"]
K_KEY = "launch_k"


def use_k(k: int) -> None:
    """Button callback: put Try k's suggestion into the k field (before the field is drawn)."""
    st.session_state[K_KEY] = int(k)


def unexpected(what: str, error: Exception) -> None:
    """A friendly message instead of a traceback; the server log keeps the details."""
    log.exception("%s failed", what)
    st.error(f"{what} failed unexpectedly ({type(error).__name__}); the server log has the details.")


def parameters(active: state.ActiveDataset, backend_name: str) -> ClusteringParameters:
    """The run's parameters; the instance settings only on aws (the local engine has none)."""
    suffix = active.content_hash[:12]  # a new dataset starts from fresh filters
    st.session_state.setdefault(K_KEY, ClusteringParameters.k)
    cols = st.columns(2)
    k = cols[0].number_input("Clusters (k)", min_value=2, max_value=20, step=1, key=K_KEY)
    threshold = cols[1].number_input(
        "Quality threshold (silhouette)",
        min_value=-1.0,
        max_value=1.0,
        value=ClusteringParameters.quality_threshold,
        step=0.05,
        help="The run fails with 'Cluster quality too low' when the clusters' silhouette is below this.",
        key="launch_threshold",
    )
    as_of = cols[0].date_input(
        "As-of date",
        value=active.last_invoice + dt.timedelta(days=1),
        min_value=active.first_invoice,
        help="Recency counts days up to this date; by default the day after the last invoice.",
        key=f"launch_as_of_{suffix}",
    )
    country = cols[1].selectbox(
        "Country", [ALL_COUNTRIES, *state.countries(*active.key)], key=f"launch_country_{suffix}"
    )
    defaults = backend(backend_name).launch_defaults()
    instance_type, instance_count = defaults.instance_type, defaults.instance_count
    if defaults.instances_matter:
        types = INSTANCE_TYPES if instance_type in INSTANCE_TYPES else [instance_type, *INSTANCE_TYPES]
        instance_type = cols[0].selectbox(
            "Instance type", types, index=types.index(instance_type), key="launch_instance_type"
        )
        instance_count = cols[1].number_input(
            "Instance count", min_value=1, max_value=10, value=instance_count, key="launch_instance_count"
        )
    return ClusteringParameters(
        k=int(k),
        quality_threshold=float(threshold),
        as_of=as_of,
        country=None if country == ALL_COUNTRIES else country,
        instance_type=instance_type,
        instance_count=int(instance_count),
    )


def preflight(backend_name: str) -> bool:
    """Each check with its result and message; True when launching may go ahead."""
    try:
        checks = launch.preflight(backend_name)
    except StudioError as error:
        st.error(str(error))
        checks = []
    except Exception as error:
        unexpected("The preflight", error)
        checks = []
    if checks:
        # Messages can quote AWS error texts: a table shows them as plain text.
        table = pd.DataFrame(
            {
                "Result": ["passed" if c.ok else "failed" for c in checks],
                "Check": [c.name for c in checks],
                "Message": [c.message for c in checks],
            }
        )
        st.dataframe(
            table,
            hide_index=True,
            column_config={"Message": st.column_config.TextColumn(width="large")},
        )
        failed = [c for c in checks if not c.ok]
        if failed:
            st.error(f"{len(failed)} preflight check(s) failed: launching is disabled until they pass.")
            with st.expander("What to fix", expanded=True):
                for check in failed:
                    st.text(f"{check.name}: {check.message}")
    if st.button("Check again", key="launch_recheck", icon=":material/refresh:"):
        launch.recheck(backend_name)
        st.rerun()
    return bool(checks) and all(c.ok for c in checks)


def deploy_button(ready: bool) -> None:
    """On aws: create or update the Lambda functions and the state machine."""
    if not st.button(
        "Deploy the workflow to AWS", disabled=not ready, key="launch_deploy", icon=":material/cloud_upload:"
    ):
        return
    with st.status("Deploying the Lambda functions and the state machine…", expanded=True) as status:
        try:
            for message in backend("aws").deploy().messages:
                st.text(message)
            status.update(label="Deployed", state="complete")
        except StudioError as error:
            status.update(label="Deploy failed", state="error")
            st.error(str(error))
        except Exception as error:
            status.update(label="Deploy failed", state="error")
            unexpected("Deploying", error)


def launch_button(
    active: state.ActiveDataset, backend_name: str, params: ClusteringParameters, ready: bool
) -> None:
    """Start the run under a status box, then open it on the Executions page."""
    if not st.button(
        "Launch", type="primary", disabled=not ready, key="launch_run", icon=":material/rocket_launch:"
    ):
        return
    arn = None
    with st.status(f"Launching on the {backend_name} backend…", expanded=True) as status:
        try:
            arn = launch.launch_run(
                backend(backend_name), active.path, params, dataset_name=active.name, progress=st.write
            )
            status.update(label="Execution started", state="complete")
        except StudioError as error:
            status.update(label="Launch failed", state="error")
            st.error(str(error))
        except Exception as error:
            status.update(label="Launch failed", state="error")
            unexpected("Launching", error)
    if arn is not None:
        st.session_state["selected_execution"] = arn
        st.switch_page(EXECUTIONS_PAGE)


def try_k(active: state.ActiveDataset, params: ClusteringParameters) -> None:
    """Elbow and silhouette for k = 2..10 on the run's features, with the best k one click away."""
    st.caption(
        f"KMeans for k = {k_selection.K_RANGE.start}..{k_selection.K_RANGE.stop - 1} on this machine, "
        "on the same features and filters (country, as-of date) as the run: pick k where the elbow "
        "bends and the silhouette is high."
    )
    try_key = (active.content_hash, params.country, params.as_of)
    if st.button("Try k", key="launch_try_k", icon=":material/insights:"):
        st.session_state["launch_try_k_for"] = try_key
    if st.session_state.get("launch_try_k_for") != try_key:
        return
    try:
        with st.spinner("Clustering for each k…"):
            table = launch.k_table(*active.key, params.country, params.as_of)
    except StudioError as error:
        st.error(str(error))
        return
    except Exception as error:
        unexpected("Try k", error)
        return
    best = k_selection.best_k(table)
    st.plotly_chart(charts.k_selection_chart(table, best), key="launch_k_chart")
    score = table.loc[table["k"] == best, "silhouette"].item()
    st.info(f"Best silhouette: k = {best} ({score:.3f}).")
    st.button(
        f"Use k = {best}", on_click=use_k, args=(best,), disabled=best == params.k, key="launch_use_best_k"
    )
    st.dataframe(table, hide_index=True)


def definitions(view: launch.WorkflowView) -> None:
    """The ASL JSON and the CloudFormation template, each viewable and downloadable."""
    asl_tab, cfn_tab = st.tabs(["ASL definition", "CloudFormation template"])
    with asl_tab:
        st.download_button(
            "Download the ASL definition (JSON)",
            data=view.asl_json,
            file_name="rfm-studio-clustering.asl.json",
            mime="application/json",
            on_click="ignore",
            key="launch_asl_download",
        )
        st.json(view.definition, expanded=False)
    with cfn_tab:
        st.download_button(
            "Download the CloudFormation template (YAML)",
            data=view.template,
            file_name="rfm-studio-clustering.cfn.yaml",
            mime="application/yaml",
            on_click="ignore",
            key="launch_cfn_download",
        )
        st.code(view.template, language="yaml")


def workflow_view(backend_name: str) -> launch.WorkflowView | None:
    """The SDK-built workflow of the backend, or None (with the reason shown) if it cannot be built."""
    try:
        return launch.workflow_view(backend_name)
    except StudioError as error:
        st.error(str(error))
    except Exception as error:
        unexpected("Building the workflow", error)
    return None


st.title("Launch")
active = state.get_active()
backend_name = active_backend_name()

if active is None:
    st.info("Load a dataset on the Data page first: the workflow clusters the active dataset's customers.")
    st.page_link("app_pages/data.py", label="Load a dataset on the Data page", icon=":material/upload_file:")
else:
    st.caption("Dataset")
    st.text(active.name)
    st.caption(f"Backend: {LABELS.get(backend_name, backend_name)} (change it in the sidebar)")
    view = workflow_view(backend_name)
    left, right = st.columns([3, 2])
    with left:
        st.subheader("Parameters")
        params = parameters(active, backend_name)
        problem = launch.run_problem(*active.key, params)
        if problem:
            st.warning(f"{problem} Launch is disabled until the parameters fit the data.")
        st.subheader("Preflight")
        checks_passed = preflight(backend_name)
        if backend_name == "aws":
            deploy_button(checks_passed)
        launch_button(active, backend_name, params, checks_passed and problem is None)
    if view is not None:
        with right:
            st.subheader("Workflow")
            if view.placeholder_reason:
                st.warning(
                    "Drawn with placeholder settings until the aws backend is configured "
                    "(Preflight says what to set)."
                )
            st.graphviz_chart(view.dot)
    with st.expander("Try k: which number of clusters?", expanded=False):
        try_k(active, params)
    if view is not None:
        definitions(view)
