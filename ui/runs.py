"""The executions of both backends, listed the same way for the Executions and Clusters pages.

Local executions are read fresh on every run of a page (one SQLite query). Listing aws
executions costs API calls, so they are asked for only when they can matter and kept for a
few seconds in one cache the two pages share:

- the user chose aws on Launch, or
- the selected execution is an aws one (a run opened from elsewhere), or
- aws's bucket and region are set (the user runs on both), or its settings are broken (the
  listing's warning then helps fix them).

A user who only runs locally makes no AWS call. A failing aws listing never hides the local
executions: its message comes back as a warning.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import streamlit as st

from pipeline.backends import backend_for_arn
from pipeline.errors import StudioError
from ui.backend import active_backend_name, backend
from ui.errors import message_for
from ui.names import Key

#: Seconds an aws listing is reused: every widget change reruns the page.
AWS_LISTING_TTL_SECONDS = 15


def aws_wanted(selected: str | None = None) -> bool:
    """Whether to list aws executions (see the module's docstring for when)."""
    if active_backend_name() == "aws" or (selected and backend_for_arn(selected) == "aws"):
        return True
    from pipeline.backends.aws_settings import AwsSettings

    try:
        settings = AwsSettings.from_environment()
    except StudioError:
        return True
    return bool(settings.region and settings.bucket)


@st.cache_data(ttl=AWS_LISTING_TTL_SECONDS, show_spinner=False)
def _aws_executions() -> list[dict[str, Any]]:
    # Exceptions are not cached: a fixed setup lists at once.
    return backend("aws").list_executions()


def forget_aws_listing() -> None:
    """Drop the cached aws listing (after a launch, re-run or stop, so the change shows at once)."""
    _aws_executions.clear()


@dataclass(frozen=True)
class Listing:
    """Executions of both backends, newest first (each item says its ``backend``), and warnings."""

    items: list[dict[str, Any]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def status_of(self, execution_arn: str | None) -> str | None:
        """The listed status of ``execution_arn``, or None when it is not listed."""
        return next((item["status"] for item in self.items if item["executionArn"] == execution_arn), None)

    def signature(self) -> tuple[tuple[str, str], ...]:
        """Each run's ARN and status: what changes when a run starts or ends anywhere, so the
        Executions page can tell, without drawing anything, that its listing is out of date."""
        return tuple((str(item["executionArn"]), str(item["status"])) for item in self.items)

    def workflow_of(self, execution_arn: str | None) -> str | None:
        """The registry name of the workflow that ran ``execution_arn``, or None when not listed."""
        return next(
            (item.get("workflow") for item in self.items if item["executionArn"] == execution_arn), None
        )


def started_at(item: dict[str, Any]) -> float:
    """An execution's start as a POSIX timestamp (0 when unknown), to sort both backends' runs."""
    started = item.get("startDate")
    return started.timestamp() if hasattr(started, "timestamp") else 0.0


def list_executions(selected: str | None = None) -> Listing:
    """Executions of the local backend and, when wanted, of aws; raises if the local one cannot list."""
    items = [{**item, "backend": "local"} for item in backend("local").list_executions()]
    warnings = []
    if aws_wanted(selected):
        try:
            items += [{**item, "backend": "aws"} for item in _aws_executions()]
        except Exception as error:
            warnings.append(
                f"AWS executions are not listed: {message_for(error, 'Listing the AWS executions')}"
            )
    items.sort(key=started_at, reverse=True)
    return Listing(items, warnings)


def default_run(succeeded: dict[str, dict[str, Any]], selected: str | None, dataset_name: str | None) -> str:
    """The run a results page's picker starts on (Clusters, Prices; ``succeeded`` newest first):
    the selected execution if it succeeded, else the newest run on the session's dataset (by its
    name, as the listing records it), else the newest run.

    Without the middle rule a new session on a server others use opened on whoever's run came
    last, on another dataset, while the sidebar named this user's."""
    if selected in succeeded:
        return str(selected)
    mine = (arn for arn, item in succeeded.items() if dataset_name and item.get("dataset") == dataset_name)
    return next(mine, next(iter(succeeded)))


def show_run_chosen(box_key: str, part_key: str, note_key: str) -> None:
    """A results page's run box callback (Clusters, Prices): the run picked in the box (``box_key``)
    becomes the session's selected execution (the Executions page's too), and only the page's part
    that shows the run (the fragment keyed ``part_key``) reruns: the page's navigation, sidebar,
    listing and box do not change with the run, and their rerun was most of a switch's time in the
    browser (benchmarks/README.md, round 26). The page reruns instead when its last run showed a
    note above the box about an earlier selection (``note_key``, :func:`note_shown`): the choice
    makes the note go."""
    st.session_state[Key.SELECTED_EXECUTION] = st.session_state[box_key]
    if not st.session_state.get(note_key):
        st.rerun(part_key)


def note_shown(note_key: str, shown: bool) -> None:
    """Record whether this run of a results page shows a note above its run box."""
    st.session_state[note_key] = shown


def picker_label(item: dict[str, Any], *facts: str) -> str:
    """How a run reads in a run picker (Clusters, Prices): its name, which carries its start
    (``rfm-YYYYmmdd-HHMMSS-...``), and the few ``facts`` that tell one run from another (k, the
    RMSE threshold). The pages say the run's dataset under the picker; with it and the start time
    the label ran past the picker and was cut with an ellipsis at 800 px."""
    return " · ".join([item["name"], *facts])


def report_button(build_report: Callable[[], str], run_name: str, key: str) -> None:
    """A run's "Download report (HTML)" button, as Clusters and Prices show it. ``build_report``
    is called when the button is clicked, not on every rerun (a report holds plotly.js and every
    chart: ~5 MB)."""
    st.download_button(
        "Download report (HTML)",
        data=build_report,
        file_name=f"report-{run_name}.html",
        mime="text/html",
        on_click="ignore",
        icon=":material/description:",
        help="One self-contained HTML file of this run to hand over: opens offline in any browser.",
        key=key,
    )


def remember_launched(execution_arn: str) -> None:
    """Note that this browser session launched ``execution_arn`` (see :func:`launched_here`)."""
    st.session_state.setdefault(Key.LAUNCHED_HERE, set()).add(execution_arn)


def launched_here(execution_arn: str) -> bool:
    """Whether this browser session launched ``execution_arn``.

    The app has no accounts: everyone who can open it sees every run and may stop it, as anyone
    with the permission may in the Step Functions console. Stop then says so for a run this
    session did not launch, and the stop's cause tells the run's watchers where it came from."""
    return execution_arn in st.session_state.get(Key.LAUNCHED_HERE, ())
