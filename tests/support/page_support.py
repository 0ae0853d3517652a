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
    """The workflow graph a page drew (``graph_svg``: Launch's in ``st.html``, Executions' in its
    component): ``states`` (name -> its tooltip, one entry a drawn state), ``fills`` (the state
    boxes' fill colours, not the Start and End markers'), ``legend`` (whether the status legend
    is shown) and ``buttons`` (the states a click opens)."""
    from support.graph_support import read_svg

    bodies = [
        element.proto.body for element in at.get("html") if 'class="workflow-graph"' in element.proto.body
    ]
    if components_named(at, "rfm_workflow_graph"):
        bodies.append(graph_markup(at))
    if not bodies:
        raise AssertionError("no workflow graph on the page")
    [markup] = bodies
    drawing = read_svg(markup)
    return {
        "states": {name: state.title for name, state in drawing.states.items()},
        "fills": [state.box["fill"] for state in drawing.states.values()],
        "legend": 'class="wg-legend"' in markup,
        "buttons": [
            name for name, state in drawing.states.items() if state.attributes.get("role") == "button"
        ],
    }


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
    """The page's static tables as they read, in page order: each ``st.table``'s frame (headers and
    text cells unescaped: the page escapes them, because a static table reads its cells as
    Markdown) and each table of the Executions step panel's HTML (``pipeline.views.step_html``),
    its numbers, right-aligned, read back as numbers."""
    import pandas as pd

    frames = []
    for node in at.main:  # depth first, in the order the page drew them
        if node.type == "table":
            frame = node.value.copy()
            frame.columns = [unescaped(str(column)) for column in frame.columns]
            for column in frame.columns:
                if not any(isinstance(cell, int | float) for cell in frame[column]):  # a text column
                    frame[column] = [
                        unescaped(cell) if isinstance(cell, str) else cell for cell in frame[column]
                    ]
            frames.append(frame)
        elif node.type == "html" and 'class="sp-table"' in node.proto.body:
            for header, rows in html_tables(node.proto.body):
                frames.append(
                    pd.DataFrame(
                        [[_number(text, number) for text, number in row] for row in rows],
                        columns=[text for text, _ in header],
                    )
                )
    return frames


def _number(text: str, number: bool) -> Any:
    """A right-aligned cell's text as the number it shows (an empty cell as None)."""
    if not number or text.endswith("%"):
        return text
    if not text:
        return None
    return int(text) if re.fullmatch(r"-?\d+", text) else float(text)


def html_tables(body: str) -> list[tuple[list[tuple[str, bool]], list[list[tuple[str, bool]]]]]:
    """The tables in ``body``: each its header cells and rows of cells, a cell its text and
    whether it is a number (``class="num"``)."""
    from html.parser import HTMLParser

    class Tables(HTMLParser):
        def __init__(self) -> None:
            super().__init__()
            self.tables: list[tuple[list[tuple[str, bool]], list[list[tuple[str, bool]]]]] = []
            self.cell: list[str] | None = None
            self.number = False
            self.row: list[tuple[str, bool]] = []

        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            if tag == "table":
                self.tables.append(([], []))
            elif tag == "tr":
                self.row = []
            elif tag in {"th", "td"}:
                self.cell, self.number = [], ("class", "num") in attrs

        def handle_endtag(self, tag: str) -> None:
            if tag in {"th", "td"} and self.cell is not None:
                self.row.append(("".join(self.cell), self.number))
                self.cell = None
            elif tag == "tr" and self.tables:
                header, rows = self.tables[-1]
                if header:
                    rows.append(self.row)
                else:
                    header.extend(self.row)

        def handle_data(self, data: str) -> None:
            if self.cell is not None:
                self.cell.append(data)

    parser = Tables()
    parser.feed(body)
    return parser.tables


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


def components_named(at: Any, name: str) -> list[Any]:
    """The ``st.components.v2`` elements of the page registered as ``name``."""
    return [element for element in at.get("bidi_component") if element.proto.component_name.endswith(name)]


def workflow_graph(at: Any) -> Any:
    """Executions' workflow graph: the one ``ui.graph_component`` element of the page."""
    from ui.graph_component import COMPONENT_NAME

    [graph] = components_named(at, COMPONENT_NAME)
    return graph


def runs_table(at: Any) -> Any | None:
    """Executions' runs table (``ui.runs_table_component``) as the run drew it; None when the run
    did not draw it."""
    from ui.runs_table_component import COMPONENT_NAME

    tables = components_named(at, COMPONENT_NAME)
    assert len(tables) <= 1, tables
    return tables[0] if tables else None


def runs_table_data(at: Any) -> dict[str, Any]:
    """What the browser was sent of the runs table: its columns, rows (ARN, cells, sort keys), the
    run shown and its height (``execution_list.table_payload``)."""
    table = runs_table(at)
    assert table is not None, "the run drew no runs table"
    return json.loads(table.proto.json)


def listed_runs(at: Any) -> Any:
    """The runs table as a frame: a column a column header, each cell as it reads, but a number
    column's as the number it reads (rounded as shown; a missing figure None), and the ARN of each
    row. Not the sort key: Quality's orders merit, not the figure (``execution_list._quality_keys``)."""
    import pandas as pd

    data = runs_table_data(at)
    columns = data["columns"]
    names = [column["name"] for column in columns]

    def values(row: dict[str, Any]) -> list[Any]:
        cells = zip(columns, row["cells"], row["keys"], strict=True)
        return [(float(cell) if cell else None) if column["numeric"] else cell for column, cell, _ in cells]

    frame = pd.DataFrame([values(row) for row in data["rows"]], columns=names)
    frame["ARN"] = [row["arn"] for row in data["rows"]]
    return frame


def click_row(at: Any, arn: str) -> None:
    """Run ``at`` as the browser does after a click on the runs table's row of ``arn`` (or any
    value a browser could send): the component's trigger value in the rerun's widget states."""
    send_trigger(at, runs_table(at), arn)


def graph_markup(at: Any) -> str:
    """The SVG the workflow graph was sent (``graph_svg.workflow_drawing``)."""

    return json.loads(workflow_graph(at).proto.json)["svg"]


def graph_states(at: Any) -> dict[str, dict[str, str]]:
    """Each state button of the workflow graph: its name -> its attributes (``data-status``,
    ``aria-label``, ``data-index``...), as the browser parses the SVG."""
    from support.graph_support import read_svg

    return {name: state.attributes for name, state in read_svg(graph_markup(at)).states.items()}


def click_state(at: Any, name: str) -> None:
    """Run ``at`` as the browser does after a click on the state ``name`` of the workflow graph:
    the component's trigger value (``setTriggerValue("clicked", name)``) in the rerun's widget
    states, which calls the component's callback (``ui.executions.show_clicked_step``).

    AppTest sends the widgets it knows (a component is not one of them), so the trigger is added
    to the widget states it builds, for this run only."""

    send_trigger(at, workflow_graph(at), name)


def send_trigger(at: Any, component: Any, value: str, event: str = "clicked") -> None:
    """Rerun ``at`` with ``component``'s ``event`` trigger set to ``value``, for this run only."""
    from streamlit.components.v2.bidi_component.main import _make_trigger_id
    from streamlit.proto.WidgetStates_pb2 import WidgetStates

    assert component is not None, "the component is not on the page"
    trigger = _make_trigger_id(component.proto.id, "events")
    widgets = at._tree.get_widget_states()
    clicked = WidgetStates()
    clicked.CopyFrom(widgets)
    state = clicked.widgets.add()
    state.id = trigger
    state.json_trigger_value = json.dumps([{"event": event, "value": value}])
    at._run(clicked)
