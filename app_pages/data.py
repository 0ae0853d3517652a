"""Data page: choose where the transactions come from, load them, and see what cleaning did."""

import logging

import streamlit as st

from pipeline.config import BUNDLED_SAMPLE_PATH, UCI_ONLINE_RETAIL_URL
from pipeline.errors import StudioError
from pipeline.loading.addresses import address_problem
from ui import state
from ui.metrics import metric_row

log = logging.getLogger(__name__)

SOURCES = ("Bundled sample", "Upload", "URL", "S3")
SAMPLE_ATTRIBUTION = (
    "A random 40,000-row sample of the UCI Online Retail dataset (Daqing Chen, Sai Liang Sain and "
    "Kun Guo, 2012; UCI Machine Learning Repository), licensed CC BY 4.0."
)


st.title("Data")
st.caption("Transactions of the UCI Online Retail data (or the same columns): xlsx, csv or parquet.")

choice = st.radio("Source", SOURCES, horizontal=True, key="data_source")
source = None
name = None
if choice == "Bundled sample":
    st.caption(SAMPLE_ATTRIBUTION)
    source = BUNDLED_SAMPLE_PATH
elif choice == "Upload":
    uploaded = st.file_uploader("Transactions file", type=["xlsx", "csv", "parquet"], key="data_upload")
    if uploaded is not None:
        source, name = uploaded, uploaded.name
elif choice == "URL":
    url = st.text_input("http(s) URL", value=UCI_ONLINE_RETAIL_URL, key="data_url").strip()
    source = url or None
else:
    uri = st.text_input("S3 URI", placeholder="s3://bucket/key.xlsx", key="data_s3").strip()
    source = uri or None


if st.button("Load", type="primary", disabled=source is None, key="data_load"):
    problem = address_problem(choice, source) if isinstance(source, str) and choice in ("URL", "S3") else None
    if problem is None:
        with st.status("Loading the transactions…", expanded=True) as status:
            st.write("Reading, normalising and cleaning (a cached dataset opens at once).")
            try:
                loaded = state.load_dataset(source, name=name)
            except StudioError as error:
                problem = str(error)
            except Exception as error:  # never a traceback in the page; the log keeps the details
                log.exception("loading %r failed", source)
                problem = (
                    f"Loading failed unexpectedly ({type(error).__name__}). Check that the source is an "
                    "Online Retail export in xlsx, csv or parquet; the server log has the details."
                )
            if problem is None:
                status.update(label=f"Loaded {loaded.rows_read:,} rows", state="complete", expanded=False)
            else:
                status.update(label="Loading failed", state="error", expanded=False)
    if problem is not None:
        # Outside the (collapsed) status box, so the reason is in plain sight.
        st.error(problem)
        if state.get_active() is not None:
            st.caption("The active dataset is unchanged.")

active = state.get_active()
if active is None:
    st.info("No dataset loaded yet: choose a source and press Load.")
else:
    _, report = state.cleaned(*active.key)
    st.subheader("Active dataset")
    st.text(
        f"{active.name} ({active.schema} schema), invoices from {active.first_invoice:%Y-%m-%d} "
        f"to {active.last_invoice:%Y-%m-%d}"
    )

    metric_row(
        [
            ("Rows read", f"{report.rows_read:,}"),
            ("Rows kept", f"{report.rows_kept:,}"),
            ("Customers", f"{report.customers:,}"),
            ("Countries", f"{report.countries:,}"),
            ("Revenue", f"{report.revenue:,.0f}"),
        ]
    )

    figures = state.dataset_figures(*active.key)
    left, right = st.columns(2)
    left.plotly_chart(figures["removed"], key="chart_removed")
    right.plotly_chart(figures["monthly"], key="chart_monthly")
    left.dataframe(
        [{"Reason": reason, "Rows removed": rows} for reason, rows in report.removed()],
        hide_index=True,
        key="removed_table",
    )
    right.plotly_chart(figures["countries"], key="chart_countries")

    st.subheader(f"First {state.PREVIEW_ROWS} rows as read")
    st.dataframe(state.preview(*active.key), hide_index=True, key="preview_table")
    st.page_link("app_pages/segments.py", label="Next: RFM segments", icon=":material/donut_small:")
