"""Home page: what the app does and its workflows, the next step, the active dataset, the backend
and its health.

Home is the first page a browser draws: it sends few elements (the fixed text is one Markdown
block, each health check one line), the next step's links early (their component is fetched on
first use), and the backend's health last: the first page of a fresh server makes the backend
there (its client's imports, the definitions' checks), so everything else is on screen meanwhile;
when the check takes longer than a couple of seconds (a new data directory: the definitions' first build),
the run ends without it and a fragment looks again until it is known (ui/backend.py).
"""

import streamlit as st

from ui import home
from ui.backend import LABELS, active_backend_name, health_within, home_health_wait
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
#: How often Home looks again while the check goes on.
HEALTH_POLL_SECONDS = 1.0
#: How long each look waits (a check that has ended answers from the cache in milliseconds).
HEALTH_LOOK_SECONDS = 0.3


def draw_health(checks: list) -> None:
    """Each check on one line, and what to do when one failed."""
    for check in checks:
        st.markdown(home.check_line(check.name, check.ok, check.message))
    if not all(check.ok for check in checks):
        st.warning("Fix the failed checks (or choose the local backend on the Launch page) to launch runs.")


@st.fragment(run_every=HEALTH_POLL_SECONDS)
def await_health(name: str) -> None:
    """While the check goes on: say so, look again every second, redraw the page once it is known."""
    try:
        pending = health_within(name, HEALTH_LOOK_SECONDS) is None
    except Exception:  # the check failed: the page's own run reports it (show_error), not a traceback here
        pending = False
    if pending:
        st.caption(
            "Checking the backend: on a new data directory the first check builds the workflow "
            "definitions with the SDK, about 10 s."
        )
    else:
        st.rerun()


with backend_column:
    st.subheader("Backend")
    name = active_backend_name()
    st.text(LABELS[name])
    try:
        checks = health_within(name, home_health_wait())
    except Exception as error:
        show_error(error, "Checking the backend")
        checks = []
    if checks is None:
        await_health(name)
    else:
        draw_health(checks)
