"""Segments page: RFM scores and named segments of the active dataset, with filters and a CSV."""

import datetime as dt

import streamlit as st

from ui import segments, state
from ui.errors import show_error
from ui.fields import keep, kept, restore_kept
from ui.layout import MONEY, plotly
from ui.metrics import metric_row
from ui.names import Page
from ui.page import end_page
from ui.text import plain

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
        # Drawn through ``kept``: leaving the page and coming back keeps the filters (Streamlit
        # forgets the state of widgets a run of another page does not draw).
        chosen = kept(
            st.multiselect,
            "Countries",
            key=f"seg_countries_{suffix}",
            default=[],
            options=countries,
            placeholder="All countries",
            on_change=segments.every_country_is_no_filter,
            args=(f"seg_countries_{suffix}", countries),
            width=segments.FILTER_WIDTHS["countries"],
        )
        window = kept(
            st.date_input,
            "Invoices between",
            key=f"seg_window_{suffix}",
            default=(active.first_invoice, active.last_invoice),
            min_value=active.first_invoice,
            max_value=active.last_invoice,
            help=segments.window_help(active.first_invoice, active.last_invoice),
            width=segments.FILTER_WIDTHS["window"],
        )
        custom_as_of = kept(st.toggle, "Own as-of date", key=f"seg_custom_as_of_{suffix}", default=False)
        latest = segments.latest_as_of(active.last_invoice)
        as_of_help = segments.as_of_help(active.first_invoice, active.last_invoice, latest)
        # Without an own date the box shows the as-of in force, known only once the choice is
        # scored (a country whose last invoice is earlier has an earlier one): filled below.
        as_of_slot = st.empty()
        as_of = None
        if custom_as_of:
            as_of = kept(
                as_of_slot.date_input,
                "As of",
                key=f"seg_as_of_{suffix}",
                # The own date starts from the one in force the first time the toggle is switched
                # on; switched off and on again, it comes back to the date the user chose (kept).
                default=st.session_state.get(
                    f"seg_as_of_in_force_{suffix}", active.last_invoice + dt.timedelta(days=1)
                ),
                min_value=active.first_invoice,
                max_value=latest,
                help=as_of_help,
                width=segments.FILTER_WIDTHS["as_of"],
            )
    start = window[0] if len(window) > 0 else None
    end = window[1] if len(window) > 1 else None

    try:
        view = segments.segments_view(*active.key, tuple(chosen), start, end, as_of)
    except Exception as error:
        if not custom_as_of:
            segments.as_of_in_force_box(as_of_slot, None, active, as_of_help)
        show_error(error, "Scoring")
        return
    if not custom_as_of:
        st.session_state[f"seg_as_of_in_force_{suffix}"] = view.as_of
        segments.as_of_in_force_box(as_of_slot, view.as_of, active, as_of_help)

    # In pairs: one row at 1400 px, two rows of two at 800 px (a plain wrapping row left "As of"
    # alone on a third line there).
    metric_row(segments.view_metrics(view), group_size=2)
    # The notes sit in one container, present on every run: a warning that comes and goes does
    # not move the elements after it (the front end would redraw every one of them).
    with st.container():
        late = segments.as_of_warning(as_of, active.last_invoice)
        if late:
            st.warning(late)
        if not custom_as_of:
            st.caption(segments.default_as_of_caption(chosen))
        else:
            st.caption(segments.as_of_help(active.first_invoice, active.last_invoice, latest))

    # One view a tab, and only the open one drawn: a filter change redraws one chart or one grid.
    restore_kept(f"seg_view_tab_{suffix}")  # the view the user left, when they come back
    tabs = st.tabs(list(segments.VIEW_TABS), key=f"seg_view_tab_{suffix}", on_change="rerun")
    keep(f"seg_view_tab_{suffix}")
    charts = {label: (name, key) for label, name, key in segments.CHART_TABS}
    for tab, label in zip(tabs, segments.VIEW_TABS, strict=True):
        if not tab.open:
            continue
        with tab:
            if label == segments.FIGURES_TAB:
                # A keyed st.dataframe keeps its element between reruns: a filter change updates
                # the grid in place (an st.table drew each of its 44 cells as Markdown again).
                st.dataframe(
                    segments.segment_figures(view.summary),
                    hide_index=True,
                    column_config=segments.segment_figure_columns(),
                    height=segments.FIGURES_HEIGHT,
                    key="seg_figures_table",
                )
                continue
            name, key = charts[label]
            chart = view.figure(name)
            if isinstance(chart, str):  # the treemap, plain HTML (pipeline.views.treemap_html)
                st.html(chart)
            else:
                plotly(chart, key=key, width="stretch")
            small = segments.small_segments_note(view.summary) if name == "treemap" else None
            if small:
                st.caption(plain(small))

    # The per-customer table is for looking customers up: closed by default and drawn only while
    # open, so a filter change does not send and lay out a new grid of up to every customer (its
    # CSV, what the table is mostly for, is the button under it, always in view).
    restore_kept(f"seg_rfm_open_{suffix}")
    rfm_table = st.expander(segments.RFM_TABLE_LABEL, key=f"seg_rfm_open_{suffix}", on_change="rerun")
    keep(f"seg_rfm_open_{suffix}")
    with rfm_table:
        if rfm_table.open:
            st.dataframe(
                view.rfm,
                hide_index=True,
                column_config={
                    "CustomerID": st.column_config.NumberColumn(format="%d"),
                    "Monetary": st.column_config.NumberColumn("Monetary (£)", format=MONEY),
                },
                key="seg_rfm_table",
            )
    st.download_button(
        "Download the RFM table (CSV)",
        data=view.csv,  # a callable: the CSV is built when the button is clicked, not on every rerun
        file_name=segments.download_name(
            active.name,
            chosen,
            None if (start, end) == (active.first_invoice, active.last_invoice) else (start, end),
            as_of,
        ),
        mime="text/csv",
        on_click="ignore",
        key="rfm_download",
    )


filters_and_segments(active)
# The segments' descriptions do not change with the filters: drawn once, outside the fragment.
st.subheader("What each segment means")
st.table(segments.descriptions_table(), hide_index=True)
