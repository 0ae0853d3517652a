"""Executions' HTML timeline (``pipeline.views.timeline_html``), read back with an HTML parser.

Its rows come from a real history of the ASL interpreter (``run_state_machine``) or from a frame
with the arithmetic pinned (a visit of 2 s and one of 3 s); a hostile state name is checked to
come out as text, with no element, attribute or link of its own.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pandas as pd
import pytest
from support.asl_support import LAMBDA, machine, run

from pipeline.views.execution_view import FAILED, SUCCEEDED, drawn_bars, step_runs, timeline, timeline_alt
from pipeline.views.graph import STATUS_COLOURS
from pipeline.views.timeline_html import timeline_html

START = pd.Timestamp("2026-01-01 10:00:00", tz="UTC")


class Parsed(HTMLParser):
    """Every element (tag, attributes) and the text of each ``tl-name`` and ``tl-seconds``."""

    def __init__(self, body: str) -> None:
        super().__init__()
        self.elements: list[tuple[str, dict[str, str]]] = []
        self.names: list[str] = []
        self.seconds: list[str] = []
        self._into: list[str] | None = None
        self.feed(body)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {name: value or "" for name, value in attrs}
        self.elements.append((tag, attributes))
        kind = attributes.get("class", "")
        self._into = self.names if kind == "tl-name" else self.seconds if kind == "tl-seconds" else None

    def handle_data(self, data: str) -> None:
        if self._into is not None:
            self._into.append(data)
            self._into = None

    def bars(self) -> list[dict[str, str]]:
        return [attrs for tag, attrs in self.elements if attrs.get("class") == "tl-bar"]


def style_of(attrs: dict[str, str]) -> dict[str, str]:
    return dict(part.split(":", 1) for part in attrs["style"].split(";") if part)


def two_visits(first: str = "Prepare", second: str = "Train") -> pd.DataFrame:
    return pd.DataFrame(
        {
            "Step": [first, second],
            "Status": [SUCCEEDED, FAILED],
            "Start": [START, START + pd.Timedelta(seconds=2)],
            "Finish": [START + pd.Timedelta(seconds=2), START + pd.Timedelta(seconds=5)],
            "Seconds": [2.0, 3.0],
        }
    )


def test_each_visit_is_a_row_with_its_bar_placed_on_the_runs_span_and_its_seconds_written():
    parsed = Parsed(timeline_html(two_visits()))

    assert parsed.names == ["Prepare", "Train"]
    assert parsed.seconds == ["2.00 s", "3.00 s"]
    first, second = (style_of(bar) for bar in parsed.bars())
    # 0-2 s and 2-5 s of a 5 s run: 0-40 % and 40-100 % of the track.
    assert float(first["left"].rstrip("%")) == pytest.approx(0)
    assert float(first["width"].rstrip("%")) == pytest.approx(40)
    assert float(second["left"].rstrip("%")) == pytest.approx(40)
    assert float(second["width"].rstrip("%")) == pytest.approx(60)
    # Coloured as the graph's borders colour each status; the legend names both.
    assert first["background"] == STATUS_COLOURS[SUCCEEDED][1]
    assert second["background"] == STATUS_COLOURS[FAILED][1]
    legend = [attrs for tag, attrs in parsed.elements if attrs.get("class") == "tl-swatch"]
    assert len(legend) == 2
    # The first bar's seconds sit after it; the last bar ends at the right edge, so its seconds
    # go before it, not off the track.
    labels = [style_of(attrs) for tag, attrs in parsed.elements if attrs.get("class") == "tl-seconds"]
    assert labels[0]["left"].startswith("calc(40.000%")
    assert labels[1]["right"].startswith("calc(60.000%")
    # A bar over the whole span has no room either side: its seconds are written in it, in white.
    [whole] = [
        style_of(attrs)
        for tag, attrs in Parsed(timeline_html(two_visits().iloc[[0]])).elements
        if attrs.get("class") == "tl-seconds"
    ]
    assert whole["left"].startswith("calc(0.000%") and whole["color"] == "#fff"


def test_a_real_history_gives_one_bar_a_visit_and_the_whole_is_one_image_read_as_its_alt():
    definition = machine(
        {
            "Start": {"Type": "Pass", "Result": {"n": 1}, "Next": "Work"},
            "Work": {"Type": "Task", "Resource": LAMBDA, "Parameters": {"value.$": "$.n"}, "Next": "Done"},
            "Done": {"Type": "Succeed"},
        }
    )
    result, events = run(definition, {})
    frame = timeline(step_runs(events, result.status))

    body = timeline_html(frame)
    parsed = Parsed(body)

    assert parsed.names == ["Start", "Work", "Done"]
    drawn = drawn_bars(frame)
    span = (drawn["Finish"].max() - drawn["Start"].min()).total_seconds()
    widths = [float(style_of(bar)["width"].rstrip("%")) for bar in parsed.bars()]
    expected = ((drawn["Finish"] - drawn["Start"]).dt.total_seconds() / span * 100).tolist()
    assert widths == pytest.approx(expected, abs=1e-3)
    assert min(widths) > 0  # a visit of no time still shows
    assert parsed.seconds == [f"{seconds:.2f} s" for seconds in frame["Seconds"]]
    [figure] = [attrs for tag, attrs in parsed.elements if attrs.get("class") == "tl"]
    assert figure["role"] == "img" and figure["aria-label"] == timeline_alt(frame)


def test_a_state_named_like_markup_is_shown_as_its_text_and_adds_no_element():
    hostile = '<img src="http://127.0.0.1:9/x" onerror="alert(1)">[Log in](http://evil.example) "quoted"'
    body = timeline_html(two_visits(first=hostile))
    parsed = Parsed(body)

    assert parsed.names[0] == hostile  # read back as the very characters
    assert not [tag for tag, _ in parsed.elements if tag in {"img", "a", "script"}]
    assert "onerror" not in {name for _, attrs in parsed.elements for name in attrs}
    # The tooltip and the screen reader's text carry the name as text too.
    [track] = [attrs for tag, attrs in parsed.elements if attrs.get("class") == "tl-track"][:1]
    assert track["title"].startswith(hostile + ": succeeded, 2.000 s")
    assert not re.search(r"<(?!/?(div|span|style)\b)", body)  # no tag but the timeline's own


def test_no_visit_draws_nothing():
    assert timeline_html(timeline([])) == ""


def test_given_the_executions_start_and_stop_the_axis_spans_them_as_the_pages_figures_do():
    # The execution started 1 s before its first state and stopped 1 s after its last: the axis
    # reads the execution's start and its whole duration, as the page's Started and Duration do.
    body = timeline_html(two_visits(), START - pd.Timedelta(seconds=1), START + pd.Timedelta(seconds=6))
    parsed = Parsed(body)

    first, second = (style_of(bar) for bar in parsed.bars())
    assert float(first["left"].rstrip("%")) == pytest.approx(100 / 7, abs=1e-3)
    assert float(second["left"].rstrip("%")) == pytest.approx(300 / 7, abs=1e-3)
    assert float(second["width"].rstrip("%")) == pytest.approx(300 / 7, abs=1e-3)
    assert "09:59:59 UTC" in body and "+7.00 s" in body
