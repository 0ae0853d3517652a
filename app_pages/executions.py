"""Executions page: every run of both backends, and the selected one watched live like the console."""

import datetime as dt
import logging

import streamlit as st

from pipeline.errors import StudioError
from pipeline.views import execution_view as ev
from pipeline.views.graph import legend_dot, workflow_dot
from pipeline.workflows.runs import failure_message
from ui import watch
from ui.backend import backend_of
from ui.metrics import metric_row

log = logging.getLogger(__name__)

LAUNCH_PAGE = "app_pages/launch.py"
CLUSTERS_PAGE = "app_pages/clusters.py"
SELECTED = "selected_execution"
REFRESH_SECONDS = 1.5


def unexpected(action: str, error: Exception) -> None:
    """A friendly error for a failure nobody planned for; the log keeps the traceback."""
    log.exception("%s failed", action)
    st.error(f"{action} failed unexpectedly ({type(error).__name__}); the server log has the details.")


st.title("Executions")

try:
    table, warnings = watch.executions_table()
except StudioError as error:
    st.error(str(error))
    st.stop()
except Exception as error:
    unexpected("Listing the executions", error)
    st.stop()
for warning in warnings:
    st.warning(warning)

if table.empty:
    st.info("No executions yet: launch a clustering run on the Launch page.")
    st.page_link(LAUNCH_PAGE, label="Launch a run", icon=":material/rocket_launch:")
    st.stop()

st.dataframe(
    table.drop(columns="ARN"),
    hide_index=True,
    column_config={"Started": st.column_config.DatetimeColumn(format="YYYY-MM-DD HH:mm:ss")},
)

arns = table["ARN"].tolist()
listed = dict(zip(arns, table["Status"], strict=True))
labels = {
    arn: f"{name} · {status} · {where}"
    for arn, name, status, where in table[["ARN", "Name", "Status", "Backend"]].itertuples(index=False)
}
current = st.session_state.get(SELECTED)
if current not in listed:
    current = arns[0]
selected = st.selectbox("Execution", arns, index=arns.index(current), format_func=labels.get)
st.session_state[SELECTED] = selected

# Decided before the fragment is defined: poll only while the run is going.
running_at_start = listed[selected] == "RUNNING"


@st.fragment(run_every=REFRESH_SECONDS if running_at_start else None)
def watch_execution(arn: str, was_running: bool) -> None:
    """Status, graph, steps, timeline and history of one execution; refreshed while it runs."""
    try:
        view = watch.execution_view(arn, None if was_running else listed[arn])
    except StudioError as error:
        st.error(str(error))
        return
    except Exception as error:
        unexpected("Reading the execution", error)
        return
    if was_running and view.status != "RUNNING":
        watch.refresh_listing()  # so the table (and this fragment's polling) sees the end too
        st.rerun(scope="app")  # it just ended: redraw the whole page once, then stop polling

    description = view.description
    start = description["startDate"]
    stop = description.get("stopDate")
    end = stop or dt.datetime.now(dt.UTC)
    metric_row(
        [
            ("Status", view.status),
            ("Started", f"{start:%m-%d %H:%M:%S}", f"{start:%Y-%m-%d %H:%M:%S %Z}"),
            ("Stopped", f"{stop:%H:%M:%S}" if stop else "–"),
            ("Duration", watch.format_seconds((end - start).total_seconds())),
        ]
    )
    if description.get("error") or description.get("cause"):
        if view.status == "ABORTED":
            st.warning("The execution was stopped. Reason:")
        else:
            st.error(f"The execution ended {view.status}. Error and cause:")
        cause = failure_message(description.get("error"), description.get("cause"))
        st.code(cause, language=None, wrap_lines=True)

    if view.status == "RUNNING":
        stop_controls(arn)
    elif view.status == "SUCCEEDED":
        st.page_link(CLUSTERS_PAGE, label="Explore the clusters of this run", icon=":material/scatter_plot:")

    runs = ev.step_runs(view.events, view.status)
    graph_col, steps_col = st.columns([2, 3])
    with graph_col:
        st.subheader("Workflow")
        st.graphviz_chart(workflow_dot(view.definition, ev.state_statuses(view.events, view.status)))
        st.graphviz_chart(legend_dot())
    with steps_col:
        st.subheader("Steps")
        for run in runs:
            took = watch.format_seconds(run.elapsed_seconds())
            if run.exited is None:
                took += " so far"
            with st.expander(f"{run.name} · {run.status} · {took}"):
                if run.resource:
                    st.caption(f"{run.resource}, {run.attempts} attempt(s)")
                st.markdown("**Input**")
                st.json(run.input, expanded=False)
                if run.output is not None:
                    st.markdown("**Output**")
                    st.json(run.output, expanded=False)
                if run.error or run.cause:
                    st.markdown("**Error**")
                    st.code(failure_message(run.error, run.cause), language=None, wrap_lines=True)

    if runs:
        st.subheader("Timeline")
        st.plotly_chart(ev.timeline_figure(ev.timeline(runs)))

    st.subheader("Event history")
    history = ev.history_table(view.events)
    st.dataframe(
        history,
        hide_index=True,
        column_config={"Timestamp": st.column_config.DatetimeColumn(format="HH:mm:ss.SSS")},
    )
    with st.expander("Event details"):
        by_id = {event["id"]: event for event in view.events}
        chosen = st.selectbox(
            "Event",
            list(by_id),
            format_func=lambda i: f"{i} · {by_id[i]['type']}",
            key=f"event_{arn}",
        )
        if chosen is not None:
            st.json(ev.event_details(by_id[chosen]))


def stop_controls(arn: str) -> None:
    """Stop, with a confirmation: a stopped run cannot be resumed."""
    confirm_key = f"confirm_stop_{arn}"
    if not st.session_state.get(confirm_key):
        st.button(
            "Stop",
            key=f"stop_{arn}",
            icon=":material/stop_circle:",
            on_click=st.session_state.__setitem__,
            args=(confirm_key, True),
        )
        return
    st.warning("Stop this execution? It ends ABORTED and cannot be resumed.")
    yes, no = st.columns(2)
    keep = {"on_click": st.session_state.pop, "args": (confirm_key, None)}
    no.button("Keep it running", key=f"stop_no_{arn}", **keep)
    if yes.button("Yes, stop it", key=f"stop_yes_{arn}", type="primary"):
        st.session_state.pop(confirm_key, None)
        try:
            with st.spinner("Stopping the execution…"):
                backend_of(arn).stop(arn)
                watch.wait_until_ended(arn)
            watch.refresh_listing()
        except StudioError as error:
            st.error(str(error))
            return
        except Exception as error:
            unexpected("Stopping the execution", error)
            return
        st.rerun(scope="app")


if st.button("Re-run with the same parameters", key="rerun", icon=":material/replay:"):
    try:
        with st.spinner("Starting a new execution with the same data and parameters…"):
            new_arn = backend_of(selected).relaunch(selected)
    except StudioError as error:
        st.error(str(error))
    except Exception as error:
        unexpected("Re-running the execution", error)
    else:
        st.session_state[SELECTED] = new_arn
        watch.refresh_listing()
        st.rerun()

watch_execution(selected, running_at_start)
