"""Helpers the AppTest page tests share: the app, where the page put its elements, what they say."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

#: The app's entry file, as AppTest.from_file takes it.
APP = str(Path(__file__).resolve().parents[2] / "app.py")

# A backslash before ASCII punctuation: how ui.text.plain escapes Markdown.
_ESCAPED = re.compile(r"\\([!-/:-@\[-`{-~])")


# What remark-gfm links in the text after parsing (its "autolink literal" transform).
_AUTOLINK_LITERAL = re.compile(
    r"(https?://|www(?=\.))[-.\w]+|(?<![^\s\W])[-.\w+]+@[-\w]+(?:\.[-\w]+)+", re.IGNORECASE
)
WORD_JOINER = "\u2060"


def unescaped(body: str) -> str:
    """The characters a Markdown element's body shows (its escapes and invisible joiners removed)."""
    return _ESCAPED.sub(r"\1", body).replace("  \n", "\n").replace(WORD_JOINER, "")


def autolinks(body: str) -> list[str]:
    """What GitHub-flavoured Markdown would turn into links in ``body`` after parsing it."""
    return [match.group(0) for match in _AUTOLINK_LITERAL.finditer(_ESCAPED.sub(r"\1", body))]


def metrics_in_columns(root: Any) -> list[str]:
    """Labels of the metrics under ``root`` that sit directly in a ``st.columns`` column.

    A column has a fixed share of the width, so a metric there cuts its value off ("602…",
    "SUCC…") on a narrow page; the pages draw metric rows with ``ui.metrics.metric_row``,
    where each metric takes the width its value needs and the row wraps.
    """
    found: list[str] = []
    for child in getattr(root, "children", {}).values():
        if getattr(child, "type", None) == "metric" and getattr(root, "type", None) == "column":
            found.append(child.label)
        found += metrics_in_columns(child)
    return found


def unescaped_punctuation(body: str) -> list[str]:
    """The ASCII punctuation characters of a Markdown body that are not backslash-escaped.

    CommonMark shows a backslash-escaped punctuation character as itself, so a body where this
    list is empty has no Markdown syntax at all: no link, image, HTML, autolink or format.
    """
    found: list[str] = []
    index = 0
    while index < len(body):
        char = body[index]
        if char == "\\" and index + 1 < len(body) and _is_punctuation(body[index + 1]):
            index += 2
            continue
        if _is_punctuation(char):
            found.append(char)
        index += 1
    return found


def _is_punctuation(char: str) -> bool:
    return char.isascii() and not char.isalnum() and char.isprintable() and not char.isspace()


def drawn_workflow(at: Any) -> dict[str, Any]:
    """The workflow graph a page drew (the plotly chart whose figure has the "states" trace):
    ``states`` (name -> hover text, one entry a drawn state), ``fills`` (the state boxes' fill
    colours, not the Start and End markers') and ``legend`` (whether the status legend is shown)."""
    for chart in at.get("plotly_chart"):
        figure = json.loads(chart.proto.spec)
        states = [trace for trace in figure["data"] if trace.get("name") == "states"]
        if states:
            names, hovers = states[0]["customdata"], states[0]["hovertext"]
            assert len(set(names)) == len(names), names  # each state drawn once
            return {
                "states": dict(zip(names, hovers, strict=True)),
                "fills": [
                    s["fillcolor"]
                    for s in figure["layout"]["shapes"]
                    if s["type"] == "path" and "fillcolor" in s
                ],
                "legend": figure["layout"].get("showlegend", True),
            }
    raise AssertionError("no workflow graph on the page")


def definition_states(definition: dict[str, Any]) -> set[str]:
    """Every state name of an ASL definition, those inside Map and Parallel branches included."""
    names = set()
    for name, state in definition["States"].items():
        names.add(name)
        branches = state.get("Branches", []) + [
            b for b in (state.get("ItemProcessor"), state.get("Iterator")) if b
        ]
        for branch in branches:
            names |= definition_states(branch)
    return names


def sidebar_backend(at: Any) -> str | None:
    """The backend the sidebar names (its text under the "Backend" heading), or None if absent."""
    texts = [text.value for text in at.sidebar.text]
    names = [text for text in texts if text.startswith(("Local engine", "AWS"))]
    return names[0] if names else None


def open_definitions(at: Any) -> Any:
    """Open Launch's definitions expander, as a click on it does; returns the ASL and CloudFormation
    code blocks it then draws."""
    from ui.launch import DEFINITIONS_KEY

    at.session_state[DEFINITIONS_KEY] = True
    at.run()
    assert not at.exception
    return [code for code in at.code if code.language in {"json", "yaml"}]


def static_tables(at: Any) -> list[Any]:
    """The page's ``st.table`` frames as they read: headers and text cells unescaped (the page
    escapes them, ``ui.text.plain_table``, because a static table reads its cells as Markdown)."""
    frames = []
    for table in at.table:
        frame = table.value.copy()
        frame.columns = [unescaped(str(column)) for column in frame.columns]
        for column in frame.columns:
            if not any(isinstance(cell, int | float) for cell in frame[column]):  # a text column
                frame[column] = [unescaped(cell) if isinstance(cell, str) else cell for cell in frame[column]]
        frames.append(frame)
    return frames


def step_figures(at: Any) -> dict[str, str]:
    """The Executions step panel's "Result" figures (its Figure / Value table) as a dict."""
    figures = next(frame for frame in static_tables(at) if list(frame.columns) == ["Figure", "Value"])
    return dict(zip(figures["Figure"], figures["Value"], strict=True))


def timelines(at: Any) -> list[str]:
    """The bodies of the Executions timelines the page drew (``pipeline.views.timeline_html``)."""
    return [element.proto.body for element in at.get("html") if 'class="tl"' in element.proto.body]


def profile_views(at: Any) -> list[str]:
    """The bodies of Clusters' Profiles view, its sizes then its profiles
    (``pipeline.views.cluster_html``)."""
    return [
        element.proto.body
        for element in at.get("html")
        if 'class="br"' in element.proto.body or 'class="cp"' in element.proto.body
    ]


def graph_key(at: Any) -> str:
    """The widget key of the workflow graph Executions draws (``ui.executions.graph_key``)."""
    from ui.executions import GRAPH_EPOCH_KEY

    return f"graph_{at.session_state[GRAPH_EPOCH_KEY]}"
