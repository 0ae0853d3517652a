"""The details panel of one step of the watched execution (opened by a click on the graph).

It shows what the console shows and what an analyst reads first: the step's status and time,
its result as figures and tables (``pipeline.views.step_details``), the files it wrote, its
error, the SageMaker job or Lambda function it called with a link to its CloudWatch logs on
AWS, the local worker's log, then the raw input and output JSON as the fallback.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import streamlit as st

from pipeline.config import data_home
from pipeline.views import step_details, step_html
from pipeline.views.execution_view import StepRun
from pipeline.workflows.runs import failure_message
from ui import shares
from ui.layout import drawn_when_open
from ui.text import plain

#: The end of a worker log the panel shows (characters).
LOG_TAIL_CHARS = 6000
#: A result table of at most this many rows is a static table (plain HTML,
#: ``pipeline.views.step_html``), longer ones a grid. A step's figures and its short lists (the
#: clusters, the largest errors, a sweep's ks) are read, not explored: as static tables they draw
#: in a fraction of a grid's time (each grid is a canvas component of its own; the panel is drawn
#: again on every run switch) and take one Tab stop, where a grid took one a cell.
STATIC_TABLE_ROWS = 25


def local_log_path(execution_arn: str) -> Path | None:
    """The local worker's log of an execution (``data_home()/logs/SM.NAME.log``), if it exists."""
    parts = execution_arn.split(":")
    if len(parts) < 8 or parts[3] != "local" or parts[5] != "execution":
        return None
    machine, name = parts[6], parts[7]
    if "/" in machine or "/" in name or machine.startswith(".") or name.startswith("."):
        return None
    path = data_home() / "logs" / f"{machine}.{name}.log"
    return path if path.is_file() else None


def log_tail(path: Path, limit: int = LOG_TAIL_CHARS) -> str:
    """The last ``limit`` characters of a log file (read from its end, never the whole file)."""
    with path.open("rb") as handle:
        handle.seek(0, 2)
        size = handle.tell()
        handle.seek(max(0, size - limit * 4))
        text = handle.read().decode("utf-8", errors="replace")
    return text[-limit:]


def latest_visit(steps: list[StepRun], state: str | None) -> StepRun | None:
    """The last visit of ``state`` (a state may run several times: retries loop back)."""
    visits = [step for step in steps if step.name == state]
    return visits[-1] if visits else None


@dataclass(frozen=True)
class PanelContent:
    """What the panel shows of a step beside its name and status, read from its input and output:
    the job it called, its figures (titled "Result"), its tables and the files it wrote."""

    job: step_details.Job | None
    tables: tuple[step_html.StepTable, ...]
    files: pd.DataFrame


def panel_content(step: StepRun) -> PanelContent:
    """The panel's content of ``step`` (``pipeline.views.step_details``), tables made plain."""
    tables = []
    figures = step_details.result_figures(step)
    if not figures.empty:
        tables.append(step_html.StepTable("Result", figures))
    for title, table in step_details.result_tables(step).items():
        tables.append(step_html.StepTable(title, table, tuple(step_details.percent_columns(table))))
    return PanelContent(step_details.job_of(step), tuple(tables), step_details.result_files(step))


def content_of(step: StepRun, execution_arn: str, visit: int, *, ended: bool) -> PanelContent:
    """``panel_content`` of the ``visit``-th visit of a run, read once when the run has ended: a
    switch to a run drew its panel from the step's JSON again, the largest part of the page's run
    after the graph was cached (benchmarks/README.md, round 18)."""
    if ended:
        return _ended_content(execution_arn, visit, step)
    return panel_content(step)


# Shared read-only (cache_resource: no copy of the tables per rerun); an ended run never changes,
# so its ARN and the visit's place name the step (the step itself is not hashed).
@st.cache_resource(max_entries=64, show_spinner=False)
def _ended_content(execution_arn: str, visit: int, _step: StepRun) -> PanelContent:
    return panel_content(_step)


def is_static(table: step_html.StepTable) -> bool:
    """Whether ``table`` is drawn as HTML with the panel's heading (up to ``STATIC_TABLE_ROWS``
    rows, its text escaped), not as a scrolling grid."""
    return len(table.frame) <= STATIC_TABLE_ROWS


def draw(step: StepRun, execution_arn: str, region: str | None, took: str, content: PanelContent) -> None:
    """Draw the panel of ``step`` (a visit of one state of ``execution_arn``), ``content`` its
    ``content_of``.

    The step's name and status line and its short tables are plain HTML
    (``pipeline.views.step_html``), one ``st.html`` when nothing sits between them (no error, no
    job): the panel is drawn again on every run switch, and as Markdown, captions and ``st.table``
    it was about a fifth of the browser's work there (benchmarks/README.md, round 20)."""
    heading = step_html.heading_html(step.name, f"{step.state_type} state · {step.status} · {took}")
    if step.error or step.cause or content.job is not None:
        st.html(heading)
        heading = ""
    if step.error or step.cause:
        st.error("This step failed:")
        st.code(failure_message(step.error, step.cause), language=None, wrap_lines=True)
    job = content.job
    if job is not None:
        st.markdown(f"**{job.kind}**")
        st.code(job.name, language=None)
        link = step_details.log_link(job, region) if region and region != "local" else None
        if link:
            st.link_button("Open its logs in CloudWatch", link, icon=":material/open_in_new:")
    _draw_tables(heading, content.tables)
    files = content.files
    if not files.empty:
        with drawn_when_open("Files written", f"step_files_open_{execution_arn}") as opened:
            if opened:
                st.dataframe(files, hide_index=True, width="stretch")
    log = local_log_path(execution_arn)
    if log is not None:
        with drawn_when_open("Worker log (local)", f"step_log_open_{execution_arn}") as opened:
            if opened:
                st.code(log_tail(log), language=None, wrap_lines=True, height=240)
    with drawn_when_open("Input and output (JSON)", f"step_json_open_{execution_arn}") as opened:
        if opened:
            st.markdown("**Input**")
            st.json(step.input, expanded=1)
            if step.output is not None:
                st.markdown("**Output**")
                st.json(step.output, expanded=1)


def _draw_tables(heading: str, tables: tuple[step_html.StepTable, ...]) -> None:
    """The step's tables in order, after ``heading`` (the panel's name and status line, or ""):
    each run of short tables one ``st.html`` (the first with the heading), a long one a grid
    under its title."""
    static_run: list[step_html.StepTable] = []
    for table in tables:
        if is_static(table):
            static_run.append(table)
            continue
        if heading or static_run:
            st.html(heading + step_html.tables_html(static_run))
            heading, static_run = "", []
        st.markdown(f"**{plain(table.title)}**")
        st.dataframe(
            shares.in_percent_points(table.frame, table.percent),
            hide_index=True,
            width="stretch",
            column_config={column: shares.share_column() for column in table.percent},
        )
    if heading or static_run:
        st.html(heading + step_html.tables_html(static_run))
