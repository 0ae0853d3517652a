"""Segments page: RFM scores and named segments of the active dataset, with filters and a CSV."""

import datetime as dt

import streamlit as st

from ui import segments, state
from ui.errors import show_error
from ui.metrics import metric_row
from ui.names import Page
from ui.page import end_page

st.title("Segments")
active = state.get_active()
if active is None:
    st.info("Load a dataset on the Data page to see its customer segments.")
    st.page_link(Page.DATA, label="Load a dataset on the Data page", icon=":material/upload_file:")
    end_page()

# Widget keys carry the dataset hash: loading another dataset starts from fresh filters.
suffix = active.content_hash[:12]
with st.expander("Filters", expanded=True):
    columns = st.columns([2, 2, 1, 1])
    chosen = columns[0].multiselect(
        "Countries", state.countries(*active.key), placeholder="All countries", key=f"seg_countries_{suffix}"
    )
    window = columns[1].date_input(
        "Invoices between",
        value=(active.first_invoice, active.last_invoice),
        min_value=active.first_invoice,
        max_value=active.last_invoice,
        key=f"seg_window_{suffix}",
    )
    custom_as_of = columns[2].toggle("Own as-of date", key=f"seg_custom_as_of_{suffix}")
    as_of = columns[3].date_input(
        "As of",
        value=active.last_invoice + dt.timedelta(days=1),
        disabled=not custom_as_of,
        key=f"seg_as_of_{suffix}",
    )
start = window[0] if len(window) > 0 else None
end = window[1] if len(window) > 1 else None

try:
    view = segments.segments_view(*active.key, tuple(chosen), start, end, as_of if custom_as_of else None)
except Exception as error:
    show_error(error, "Scoring")
    end_page()

metric_row(segments.view_metrics(view))
late = segments.as_of_warning(as_of if custom_as_of else None, active.last_invoice)
if late:
    st.warning(late)
if not custom_as_of:
    st.caption("Recency counts days up to the day after the last invoice in the window.")

left, right = st.columns(2)
left.plotly_chart(view.figures["treemap"], key="chart_treemap")
right.plotly_chart(view.figures["bars"], key="chart_segment_bars")
left.plotly_chart(view.figures["heatmap"], key="chart_rf_heatmap")
right.plotly_chart(view.figures["distributions"], key="chart_distributions")

st.subheader("What each segment means")
# A static table: every one of the 11 segments visible, descriptions wrapped, figures formatted.
st.table(segments.summary_table(view.summary))

st.subheader("RFM table")
st.dataframe(
    view.rfm,
    hide_index=True,
    column_config={
        "CustomerID": st.column_config.NumberColumn(format="%d"),
        "Monetary": st.column_config.NumberColumn("Monetary (£)", format="localized"),
    },
)
st.download_button(
    "Download the RFM table (CSV)",
    data=view.csv,  # a callable: the CSV is built when the button is clicked, not on every rerun
    file_name=segments.download_name(active.name),
    mime="text/csv",
    on_click="ignore",
    key="rfm_download",
)
