"""RFM Workflow Studio: the Streamlit entry point.

It wires the navigation over ``app_pages/`` and draws the sidebar every page shares; the pages
themselves only call the ``pipeline`` library (through the small ``ui`` helpers).
"""

import streamlit as st

from ui import sidebar
from ui.state import get_active

st.set_page_config(page_title="RFM Workflow Studio", page_icon=":material/hub:", layout="wide")

DATA_PAGE = "app_pages/data.py"
SEGMENTS_PAGE = "app_pages/segments.py"
LAUNCH_PAGE = "app_pages/launch.py"
EXECUTIONS_PAGE = "app_pages/executions.py"
CLUSTERS_PAGE = "app_pages/clusters.py"


def home() -> None:
    """What the app does, the active dataset, and a link to the next step."""
    st.title("RFM Workflow Studio")
    st.markdown(
        "1. **Load** retail transactions: the UCI Online Retail data by upload, URL, S3 "
        "or the bundled sample.\n"
        "2. **Preview** RFM (recency, frequency, monetary) segments of your customers.\n"
        "3. **Cluster** customers with a workflow built with the AWS Step Functions Data Science SDK, "
        "run locally or on AWS."
    )
    active = get_active()
    if active is None:
        st.info("No dataset is loaded yet.")
        st.page_link(DATA_PAGE, label="Load a dataset on the Data page", icon=":material/upload_file:")
    else:
        st.subheader("Active dataset")
        st.text(active.name)
        cols = st.columns(3)
        cols[0].metric("Rows kept", f"{active.rows_kept:,}")
        cols[1].metric("Customers", f"{active.customers:,}")
        cols[2].metric("Invoices from", f"{active.first_invoice:%Y-%m-%d}")
        st.page_link(SEGMENTS_PAGE, label="See the RFM segments", icon=":material/donut_small:")


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
