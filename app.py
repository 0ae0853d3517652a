"""RFM Workflow Studio: the Streamlit entry point.

It wires the navigation over ``app_pages/`` and draws the sidebar every page shares; the pages
themselves only call the ``pipeline`` library (through the small ``ui`` helpers).
"""

import streamlit as st

from pipeline.backends.base import Check
from pipeline.errors import StudioError
from ui import sidebar
from ui.backend import LABELS, active_backend_name, backend
from ui.metrics import metric_row
from ui.state import get_active

st.set_page_config(page_title="RFM Workflow Studio", page_icon=":material/hub:", layout="wide")

DATA_PAGE = "app_pages/data.py"
SEGMENTS_PAGE = "app_pages/segments.py"
LAUNCH_PAGE = "app_pages/launch.py"
EXECUTIONS_PAGE = "app_pages/executions.py"
CLUSTERS_PAGE = "app_pages/clusters.py"


def home() -> None:
    """What the app does, the backend and its health, the active dataset, the next step."""
    st.title("RFM Workflow Studio")
    st.markdown(
        "1. **Load** retail transactions: the UCI Online Retail data by upload, URL, S3 "
        "or the bundled sample.\n"
        "2. **Preview** RFM (recency, frequency, monetary) segments of your customers.\n"
        "3. **Cluster** customers with a workflow built with the AWS Step Functions Data Science SDK, "
        "run locally or on AWS, watch it step by step, and explore the clusters."
    )
    dataset_column, backend_column = st.columns(2)
    with dataset_column:
        st.subheader("Active dataset")
        active = get_active()
        if active is None:
            st.info("No dataset is loaded yet.")
        else:
            st.text(active.name)
            metric_row([("Rows kept", f"{active.rows_kept:,}"), ("Customers", f"{active.customers:,}")])
            st.text(f"Invoices from {active.first_invoice:%Y-%m-%d} to {active.last_invoice:%Y-%m-%d}")
    with backend_column:
        st.subheader("Backend")
        name = active_backend_name()
        st.text(LABELS[name])
        checks = backend_health(name)
        for check in checks:
            icon = ":material/check_circle:" if check.ok else ":material/error:"
            st.markdown(f"{icon} **{check.name}**")
            st.caption(check.message)
        if not all(check.ok for check in checks):
            st.warning("Fix the failed checks (or choose the local backend in the sidebar) to launch runs.")
    st.subheader("Next step")
    if active is None:
        st.page_link(DATA_PAGE, label="Load a dataset on the Data page", icon=":material/upload_file:")
        return
    st.page_link(SEGMENTS_PAGE, label="See the RFM segments", icon=":material/donut_small:")
    st.page_link(LAUNCH_PAGE, label="Launch a clustering run", icon=":material/rocket_launch:")
    st.page_link(EXECUTIONS_PAGE, label="Watch the executions", icon=":material/monitoring:")


@st.cache_data(ttl=60, show_spinner="Checking the backend…")
def backend_health(name: str) -> list[Check]:
    """The backend's preflight checks, reused for a minute (on aws they call several services)."""
    try:
        return list(backend(name).preflight())
    except StudioError as error:
        return [Check("Backend settings", False, str(error))]


navigation = st.navigation(
    [
        st.Page(home, title="Home", icon=":material/home:", default=True),
        st.Page(DATA_PAGE, title="Data", icon=":material/table_view:"),
        st.Page(SEGMENTS_PAGE, title="Segments", icon=":material/donut_small:"),
        st.Page(LAUNCH_PAGE, title="Launch", icon=":material/rocket_launch:"),
        st.Page(EXECUTIONS_PAGE, title="Executions", icon=":material/monitoring:"),
        st.Page(CLUSTERS_PAGE, title="Clusters", icon=":material/scatter_plot:"),
    ]
)
slot = st.sidebar.container()
try:
    navigation.run()
finally:
    # Filled after the page so a dataset loaded by this very run already shows.
    sidebar.render(slot)
