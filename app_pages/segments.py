"""Segments page: RFM scores and named segments of the active dataset, with filters and a CSV."""

import datetime as dt

import streamlit as st

from ui import segments, state
from ui.errors import show_error
from ui.layout import chart_row
from ui.metrics import metric_row
from ui.names import Page
from ui.page import end_page

st.title("Segments")
active = state.get_active()
if active is None:
    st.info("Load a dataset on the Data page to see its customer segments.")
    st.page_link(Page.DATA, label="Load a dataset on the Data page", icon=":material/upload_file:")
    end_page()


@st.fragment
def filters_and_segments(active: state.ActiveDataset) -> None:
    """The filters and everything they drive. A fragment: a filter change reruns this function
    only, not app.py's navigation, the page's title or the sidebar (and the browser redraws
    nothing outside it)."""
    # Widget keys carry the dataset hash: loading another dataset starts from fresh filters.
    suffix = active.content_hash[:12]
    # A wrapping row, not st.columns: at 800 px four columns cut "Own as-of date" to "O...".
    with (
        st.expander("Filters", expanded=True),
        st.container(horizontal=True, vertical_alignment="bottom"),
    ):
        countries = state.countries(*active.key)
        chosen = st.multiselect(
            "Countries",
            countries,
            placeholder="All countries",
            key=f"seg_countries_{suffix}",
            on_change=segments.every_country_is_no_filter,
            args=(f"seg_countries_{suffix}", countries),
            width=segments.FILTER_WIDTHS["countries"],
        )
        window = st.date_input(
            "Invoices between",
            value=(active.first_invoice, active.last_invoice),
            min_value=active.first_invoice,
            max_value=active.last_invoice,
            help=segments.window_help(active.first_invoice, active.last_invoice),
            key=f"seg_window_{suffix}",
            width=segments.FILTER_WIDTHS["window"],
        )
        custom_as_of = st.toggle("Own as-of date", key=f"seg_custom_as_of_{suffix}")
        latest = segments.latest_as_of(active.last_invoice)
        as_of = st.date_input(
            "As of",
            value=active.last_invoice + dt.timedelta(days=1),
            min_value=active.first_invoice,
            max_value=latest,
            help=segments.as_of_help(active.first_invoice, active.last_invoice, latest),
            disabled=not custom_as_of,
            key=f"seg_as_of_{suffix}",
            width=segments.FILTER_WIDTHS["as_of"],
        )
    start = window[0] if len(window) > 0 else None
    end = window[1] if len(window) > 1 else None

    try:
        view = segments.segments_view(*active.key, tuple(chosen), start, end, as_of if custom_as_of else None)
    except Exception as error:
        show_error(error, "Scoring")
        return

    metric_row(segments.view_metrics(view))
    late = segments.as_of_warning(as_of if custom_as_of else None, active.last_invoice)
    if late:
        st.warning(late)
    if not custom_as_of:
        st.caption("Recency counts days up to the day after the last invoice in the window.")
    else:
        st.caption(segments.as_of_help(active.first_invoice, active.last_invoice, latest))

    chart_row([(view.figures["treemap"], "chart_treemap"), (view.figures["bars"], "chart_segment_bars")])
    chart_row(
        [
            (view.figures["heatmap"], "chart_rf_heatmap"),
            (view.figures["distributions"], "chart_distributions"),
        ]
    )

    st.subheader("What each segment means")
    # A static table: every one of the 11 segments visible, descriptions wrapped, figures formatted;
    # four columns, so it fits at 800 px; the averages in their own table below.
    st.table(segments.summary_table(view.summary), hide_index=True)
    # Drawn only while open: closed (as it starts), a filter change does not redraw its 44 cells.
    averages = st.expander("Averages per segment", key=f"seg_averages_{suffix}", on_change="rerun")
    if averages.open:
        with averages:
            st.table(segments.averages_table(view.summary), hide_index=True)

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


filters_and_segments(active)
