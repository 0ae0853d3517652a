"""Data page: choose where the transactions come from, load them, and see what cleaning did."""

import streamlit as st

from pipeline.config import BUNDLED_SAMPLE_PATH, UCI_ONLINE_RETAIL_URL
from pipeline.loading.addresses import address_problem
from pipeline.views.wording import counted
from ui import data, state
from ui.errors import show_error
from ui.layout import CHART_WIDTH, plotly, row
from ui.metrics import metric_row
from ui.names import Page
from ui.page import end_page

st.title("Data")
st.caption("Transactions of the UCI Online Retail data (or the same columns): xlsx, csv or parquet.")

choice = st.radio("Source", data.SOURCES, horizontal=True, key="data_source")
source = None
name = None
# Every source's input and its Load are one form. Streamlit holds a form's submit button disabled
# while one of its files uploads: outside a form, a Load pressed at once after choosing a file ran
# with the file the box held before, and the new file then came with no click. And Load is the
# same button whatever the source, so a click on it during the rerun a source change causes counts
# (two buttons, one in a form and one not, are two widgets: that click was lost).
with st.form("data_load_form", border=False):
    if choice == "Bundled sample":
        st.caption(data.SAMPLE_ATTRIBUTION)
        source = BUNDLED_SAMPLE_PATH
    elif choice == "Upload":
        uploaded = st.file_uploader("Transactions file", type=["xlsx", "csv", "parquet"], key="data_upload")
        if uploaded is not None:
            source, name = uploaded, uploaded.name
    elif choice == "URL":
        source = st.text_input("http(s) URL", value=UCI_ONLINE_RETAIL_URL, key="data_url").strip() or None
    else:
        source = st.text_input("S3 URI", placeholder="s3://bucket/key.xlsx", key="data_s3").strip() or None
    load_clicked = st.form_submit_button("Load", type="primary", key="data_load")
if load_clicked and source is None:
    st.warning(data.NOTHING_TO_LOAD[choice])
    load_clicked = False

if load_clicked:
    problem = address_problem(choice, source) if isinstance(source, str) and choice in ("URL", "S3") else None
    if problem is None:
        with st.status("Loading the transactions…", expanded=True) as status:
            st.write("Reading, normalising and cleaning (a cached dataset opens at once).")
            problem = data.load(source, name=name)
            if problem is None:
                loaded = state.get_active()
                loaded_label = f"Loaded {counted(loaded.rows_read, 'row')}"
                status.update(label=loaded_label, state="complete", expanded=False)
            else:
                status.update(label="Loading failed", state="error", expanded=False)
    if problem is not None:
        # Outside the (collapsed) status box, so the reason is in plain sight.
        show_error(problem)
        if state.get_active() is not None:
            st.caption("The active dataset is unchanged.")

active = state.get_active()
if active is None:
    st.info("No dataset loaded yet: choose a source and press Load.")
    end_page()

_, report = state.cleaned(*active.key)
st.subheader("Active dataset")
st.text(
    f"{active.name} ({active.schema} schema), invoices from {active.first_invoice:%Y-%m-%d} "
    f"to {active.last_invoice:%Y-%m-%d}"
)
metric_row(data.report_metrics(report))
figures = data.dataset_figures(*active.key)
# Two columns of CHART_WIDTH that wrap: the table of removed rows stays under its chart when a
# narrow page stacks them (as two rows, the revenue chart came between them at 800 px).
with row():
    with st.container(width=CHART_WIDTH):
        plotly(figures["removed"], key="chart_removed", width=CHART_WIDTH)
        st.dataframe(
            data.removed_rows(report),
            hide_index=True,
            key="removed_table",
            width=CHART_WIDTH,
            column_config={
                # Fixed widths that add up to the table's: the number column is never cut off.
                "Reason": st.column_config.TextColumn(width=data.REMOVED_WIDTHS["reason"]),
                "Rows removed": st.column_config.NumberColumn(
                    format="localized", width=data.REMOVED_WIDTHS["rows"]
                ),
            },
        )
    with st.container(width=CHART_WIDTH):
        plotly(figures["monthly"], key="chart_monthly", width=CHART_WIDTH)
        plotly(figures["countries"], key="chart_countries", width=CHART_WIDTH)

st.subheader(f"First {data.PREVIEW_ROWS} rows as read")
st.dataframe(data.preview(*active.key), hide_index=True, key="preview_table")
st.page_link(Page.SEGMENTS, label="Next: RFM segments", icon=":material/donut_small:")
