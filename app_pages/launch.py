"""Launch page: the backend, the workflow catalogue, the chosen workflow's parameters and preflight,
the Launch button, Try k (clustering only), the workflow's graph and its definitions."""

import streamlit as st

from pipeline.workflows.clustering.parameters import ClusteringParameters
from pipeline.workflows.spec import WorkflowSpec
from ui import launch, state, try_k
from ui.backend import active_backend_name, render_selector
from ui.errors import show_error, show_warning
from ui.graph_component import workflow_graph
from ui.names import Key, Page
from ui.page import end_page

st.title("Launch")
# Before the dataset check: the backend (and its health on Home) can be chosen before any data.
render_selector()
active = state.get_active()
if active is None:
    st.info("Load a dataset on the Data page first: every workflow runs on the active dataset.")
    st.page_link(Page.DATA, label="Load a dataset on the Data page", icon=":material/upload_file:")
    end_page()

backend_name = active_backend_name()
st.caption("Dataset")
st.text(active.name)

st.subheader("Workflow")
spec = launch.workflow_choice()
try:
    view = launch.workflow_view(backend_name, spec.name)
except Exception as error:
    show_error(error, "Building the workflow")
    view = None


# What a parameter change redraws: a fragment, so typing a k or a threshold reruns the parameters,
# their check, the preflight, Launch and Try k, not the workflow's graph or its definitions (those
# follow the workflow and the backend alone). Measured in the browser by bench_browser_pages.
@st.fragment
def parameters_and_launch(active: state.ActiveDataset, backend_name: str, spec: WorkflowSpec) -> None:
    """The chosen workflow's parameters, their check against the data, the preflight, Launch, Try k."""
    st.subheader("Parameters")
    params = launch.parameter_inputs(active, backend_name, spec)
    problem = launch.run_problem(*active.key, params)
    if problem:
        show_warning(f"{problem} Launch is disabled until the parameters fit the data.")

    st.subheader("Preflight")
    ready = launch.preflight_section(backend_name)

    if backend_name == "aws" and st.button(
        "Deploy the workflows to AWS", disabled=not ready, key="launch_deploy", icon=":material/cloud_upload:"
    ):
        with st.status("Deploying the Lambda functions and the state machines…", expanded=True) as status:
            try:
                launch.deploy(progress=st.text)
                status.update(label="Deployed", state="complete")
            except Exception as error:
                status.update(label="Deploy failed", state="error")
                show_error(error, "Deploying")

    if st.button(
        "Launch",
        type="primary",
        disabled=not ready or problem is not None,
        key="launch_run",
        icon=":material/rocket_launch:",
    ):
        started = None
        with st.status(
            f"Launching {spec.title.lower()} on the {backend_name} backend…", expanded=True
        ) as status:
            try:
                started = launch.start_run(active, backend_name, params, progress=st.text)
            except Exception as error:
                status.update(label="Launch failed", state="error")
                show_error(error, "Launching")
            else:
                status.update(label="Execution started", state="complete")
        if started is not None:
            st.session_state[Key.ARRIVED_FROM_LAUNCH] = True
            st.switch_page(Page.EXECUTIONS)

    if isinstance(params, ClusteringParameters):
        try_k.try_k_section(active, params)


parameters_and_launch(active, backend_name, spec)

if view is not None:
    # The whole width: the graph stays legible at 800 px (a narrow column shrank it to a thumbnail).
    st.subheader(f"{spec.title}: the workflow")
    if view.placeholder_reason:
        st.warning(
            "Drawn with placeholder settings until the aws backend is configured "
            "(Preflight says what to set)."
        )
    st.caption("Every state the run can go through; Executions colours them as a run goes.")
    workflow_graph(launch.preview_svg(view), key="launch_workflow_graph")
    launch.definitions_section(view, spec)
