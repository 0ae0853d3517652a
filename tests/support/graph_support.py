"""The workflow graph's SVG (``pipeline.views.graph_svg``) read as a browser parses it."""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser


@dataclass
class DrawnState:
    """One state's group: its attributes, its box's attributes and its lines of text."""

    attributes: dict[str, str]
    box: dict[str, str] = field(default_factory=dict)
    lines: list[str] = field(default_factory=list)
    title: str = ""


@dataclass
class Drawing:
    """What the SVG holds: each state by name, every edge leg, the texts outside the states."""

    states: dict[str, DrawnState] = field(default_factory=dict)
    legs: list[dict[str, str]] = field(default_factory=list)
    svg: dict[str, str] = field(default_factory=dict)
    tags: list[str] = field(default_factory=list)
    texts: list[str] = field(default_factory=list)


class _Reader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.drawing = Drawing()
        self.state: DrawnState | None = None
        self.depth = 0  # <g> depth inside the current state's group
        self.in_text = False
        self.in_title = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = {name: value or "" for name, value in attrs}
        self.drawing.tags.append(tag)
        if tag == "svg":
            self.drawing.svg = found
        if tag == "g" and found.get("class") == "state":
            name = found.get("data-state") or f"state {len(self.drawing.states)}"
            self.state = self.drawing.states[name] = DrawnState(found)
            self.depth = 0
        elif tag == "g" and self.state is not None:
            self.depth += 1
        if tag == "rect" and self.state is not None and not self.state.box:
            self.state.box = found
        if tag == "line":
            self.drawing.legs.append(found)
        self.in_text = self.in_text or tag == "text"
        self.in_title = self.in_title or tag == "title"

    def handle_endtag(self, tag: str) -> None:
        if tag == "g" and self.state is not None:
            if self.depth == 0:
                self.state = None
            else:
                self.depth -= 1
        if tag == "text":
            self.in_text = False
        if tag == "title":
            self.in_title = False

    def handle_data(self, data: str) -> None:
        if self.in_title and self.state is not None:
            self.state.title += data
        if not self.in_text or self.in_title:
            return
        if self.state is not None:
            self.state.lines.append(data)
        else:
            self.drawing.texts.append(data)


def read_svg(markup: str) -> Drawing:
    """The states, edge legs and texts of the graph's markup."""
    reader = _Reader()
    reader.feed(markup)
    reader.close()
    return reader.drawing
