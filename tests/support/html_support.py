"""The app's own HTML views (``pipeline.views``' bars and heat tables) read back with an HTML
parser, for tests that check what a user and a screen reader get."""

from __future__ import annotations

from html.parser import HTMLParser


class Parsed(HTMLParser):
    """Every element (tag, attributes) and the text inside each element of the classes asked for,
    and the tables' rows (the text of each cell, header cells included)."""

    def __init__(self, body: str) -> None:
        super().__init__()
        self.elements: list[tuple[str, dict[str, str]]] = []
        self.texts: dict[str, list[str]] = {}
        self.rows: list[list[str]] = []
        self.cells: list[dict[str, str]] = []
        self._open: list[tuple[str, str]] = []
        self.feed(body)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {name: value or "" for name, value in attrs}
        self.elements.append((tag, attributes))
        if tag == "tr":
            self.rows.append([])
        if tag == "td":
            self.cells.append(attributes)
        self._open.append((tag, attributes.get("class", "")))

    def handle_endtag(self, tag: str) -> None:
        while self._open and self._open.pop()[0] != tag:
            pass

    def handle_data(self, data: str) -> None:
        if not self._open or tag_is_style(self._open):
            return
        tag, kind = self._open[-1]
        if kind:
            self.texts.setdefault(kind, []).append(data)
        if tag in {"td", "th"} and self.rows and any(t == "tr" for t, _ in self._open):
            self.rows[-1].append(data)

    def with_class(self, kind: str) -> list[dict[str, str]]:
        return [attrs for _, attrs in self.elements if kind in attrs.get("class", "").split()]


def tag_is_style(stack: list[tuple[str, str]]) -> bool:
    return any(tag == "style" for tag, _ in stack)


def style_of(attrs: dict[str, str]) -> dict[str, str]:
    return dict(part.split(":", 1) for part in attrs["style"].split(";") if part)
