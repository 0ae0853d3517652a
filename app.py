"""RFM Workflow Studio: the Streamlit entry point.

It wires the navigation over ``app_pages/`` and draws the sidebar every page shares; the pages
call the ``pipeline`` library through their ``ui`` helper modules.
"""

import streamlit as st

from ui import dataset_link, sidebar
from ui.backend import keep_choice
from ui.deep_link import run_link
from ui.names import Page
from ui.page import PageEnded
from ui.page_icon import set_page_icon
from ui.repl_check import skip_repl_check

# Before the first element: Streamlit's REPL check walks every loaded module (ui/repl_check.py).
skip_repl_check()
# The sidebar starts 272 px wide, not Streamlit's 300: its longest lines (a 30-character file
# name, "Local engine (this machine)") still fit on one line, and an 800 px window's page gets
# 528 px instead of 500 (Streamlit collapses the sidebar itself only below 768 px).
st.set_page_config(
    page_title="RFM Workflow Studio", layout="wide", initial_sidebar_state=sidebar.SIDEBAR_WIDTH
)
# Our own PNG, inline: Streamlit's page_icon path imports numpy and PIL; a Material icon is
# fetched from a CDN (ui/page_icon.py).
set_page_icon()
executions_page = st.Page(Page.EXECUTIONS, title="Executions", icon=":material/monitoring:")
navigation = st.navigation(
    [
        st.Page(Page.HOME, title="Home", icon=":material/home:", default=True),
        st.Page(Page.DATA, title="Data", icon=":material/table_view:"),
        st.Page(Page.SEGMENTS, title="Segments", icon=":material/donut_small:"),
        st.Page(Page.LAUNCH, title="Launch", icon=":material/rocket_launch:"),
        executions_page,
        st.Page(Page.CLUSTERS, title="Clusters", icon=":material/scatter_plot:"),
        st.Page(Page.PRICES, title="Prices", icon=":material/price_check:"),
    ]
)
# A link to a run (/?run=NAME) lands on Executions, which selects that run. Executions stays at
# /executions (were it the default page for such links, /executions?run=NAME would be "not found").
if navigation.url_path == "" and run_link() is not None:
    st.switch_page(executions_page, query_params=dict(st.query_params))
# The active dataset is in the address (?dataset=<hash>), so a reload or a copied link restores it;
# a page switch may drop query parameters (st.switch_page clears them), so every run puts it back.
dataset_link.follow_dataset_link()
# The backend radio is on Launch only: its value is kept on the other pages (ui/backend.py).
keep_choice()
dataset_slot = st.sidebar.container()
sidebar.render_backend()
try:
    navigation.run()
except PageEnded:
    pass  # the page ended early (ui.page.end_page), the sidebar is still drawn
finally:
    # Filled after the page so a dataset loaded by this very run already shows.
    sidebar.render_dataset(dataset_slot)
    dataset_link.keep_in_address()  # a dataset this run loaded replaces the one in the address
