"""Home page: what the app does and its workflows, the next step, the active dataset, the backend
and its health.

Home is the first page a browser draws: it sends few elements (the fixed text is one Markdown
block, each health check one line), the next step's links early (their component is fetched on
first use), and the backend's health last: the first page of a fresh server makes the backend
there (its client's imports, the definitions' checks), so everything else is on screen meanwhile.
"""

import streamlit as st

from ui import home
from ui.backend import LABELS, active_backend_name, health
from ui.errors import show_error
from ui.metrics import metric_row
from ui.state import get_active

st.title("RFM Workflow Studio")
st.markdown(home.intro_markdown())

active = get_active()
st.subheader("Next step")
for page, label, icon in home.next_steps(active):
    st.page_link(page, label=label, icon=icon)

dataset_column, backend_column = st.columns(2)
with dataset_column:
    st.subheader("Active dataset")
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
    try:
        checks = health(name)
    except Exception as error:
        show_error(error, "Checking the backend")
        checks = []
    for check in checks:
        st.markdown(home.check_line(check.name, check.ok, check.message))
    if not all(check.ok for check in checks):
        st.warning("Fix the failed checks (or choose the local backend in the sidebar) to launch runs.")
