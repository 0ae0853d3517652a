"""Home page: what the app does, the backend and its health, the active dataset, the workflows,
the next step."""

import streamlit as st

from ui import home
from ui.backend import LABELS, active_backend_name, health
from ui.errors import show_error
from ui.metrics import metric_row
from ui.state import get_active
from ui.text import plain

st.title("RFM Workflow Studio")
st.markdown(home.INTRO)

active = get_active()
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
    health_slot = st.container()

st.subheader("Workflows")
for title, purpose in home.workflows():
    st.markdown(f"**{title}**: {purpose}")

st.subheader("Next step")
for page, label, icon in home.next_steps(active):
    st.page_link(page, label=label, icon=icon)

# The health is checked last: the first page of a fresh server makes the backend here (its
# client's imports, the definitions' checks), so everything else is on screen meanwhile.
with health_slot:
    try:
        checks = health(name)
    except Exception as error:
        show_error(error, "Checking the backend")
        checks = []
    for check in checks:
        st.markdown(home.check_line(check.name, check.ok))
        st.caption(plain(check.message))
    if not all(check.ok for check in checks):
        st.warning("Fix the failed checks (or choose the local backend in the sidebar) to launch runs.")
