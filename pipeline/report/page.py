"""The report's HTML: escaping, tables, figures and the page around them, with no external request.

Everything that comes from data (names, descriptions, countries, StockCodes, messages) goes
through :func:`esc`; figures are plotly's own ``to_html`` fragments (plotly escapes ``<`` in
its JSON), and plotly's JavaScript library is written once, inline, in the page's head. The
CSS uses system fonts only, so nothing is fetched: the file reads the same offline.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

#: Plotly options for every chart: no logo link (it goes online).
FIGURE_CONFIG: dict[str, Any] = {"displaylogo": False, "responsive": True}

_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;margin:0;
color:#1f2933;background:#f7f8fa;line-height:1.45}
main{max-width:1200px;margin:0 auto;padding:24px 32px 64px}
h1{font-size:1.8rem;margin:0 0 4px}h2{font-size:1.35rem;margin:40px 0 8px;border-bottom:2px solid #d9dee5;
padding-bottom:4px}h3{font-size:1.05rem;margin:24px 0 6px}
.subtitle{color:#52606d;margin:0 0 16px}
.metrics{display:flex;flex-wrap:wrap;gap:12px;margin:12px 0}
.metric{background:#fff;border:1px solid #d9dee5;border-radius:8px;padding:10px 16px;min-width:140px}
.metric .label{font-size:.8rem;color:#52606d}.metric .value{font-size:1.3rem;font-weight:600}
table{border-collapse:collapse;background:#fff;margin:8px 0 16px;font-size:.9rem}
th,td{border:1px solid #d9dee5;padding:4px 10px;text-align:left;vertical-align:top}
th{background:#eef1f5}td.num{text-align:right;font-variant-numeric:tabular-nums}
.figure{background:#fff;border:1px solid #d9dee5;border-radius:8px;margin:8px 0 16px;padding:4px}
.note{color:#52606d;font-size:.9rem}.pass{color:#2e7d32;font-weight:600}.fail{color:#c62828;font-weight:600}
.card{background:#fff;border-left:4px solid #888;padding:8px 14px;margin:8px 0}
.graph{background:#fff;border:1px solid #d9dee5;border-radius:8px;padding:8px}
.graph svg{display:block;max-width:100%;height:auto;margin:0 auto}
.table-wrap{max-width:100%;overflow-x:auto}
code{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:.85rem;word-break:break-all}
@media (max-width:900px){main{padding:16px 16px 48px}table{font-size:.8rem}th,td{padding:3px 6px}}
@media print{body{background:#fff}main{max-width:none;padding:0}.table-wrap{overflow-x:visible}
table{font-size:.8rem}th,td{padding:3px 6px;overflow-wrap:break-word}.figure,.graph,tr{break-inside:avoid}}
"""


def esc(value: Any) -> str:
    """``value`` as HTML text: markup characters and quotes escaped (data is never markup)."""
    return html.escape("" if value is None else str(value), quote=True)


def metrics(items: Iterable[tuple[str, str]]) -> str:
    """A row of headline figures (label, value), both escaped."""
    cells = "".join(
        f'<div class="metric"><div class="label">{esc(label)}</div>'
        f'<div class="value">{esc(value)}</div></div>'
        for label, value in items
    )
    return f'<div class="metrics">{cells}</div>'


def paragraph(text: str, css_class: str = "") -> str:
    """One escaped paragraph."""
    attribute = f' class="{css_class}"' if css_class else ""
    return f"<p{attribute}>{esc(text)}</p>"


def key_values(rows: Iterable[tuple[str, Any]]) -> str:
    """A two-column table of named values (provenance, parameters), all escaped."""
    body = "".join(f"<tr><th>{esc(key)}</th><td>{esc(value)}</td></tr>" for key, value in rows)
    return f'<div class="table-wrap"><table>{body}</table></div>'


def table(
    frame: pd.DataFrame, formats: Mapping[str, Callable[[Any], str]] | None = None, *, max_rows: int = 200
) -> str:
    """``frame`` as an HTML table: every cell escaped, numbers right-aligned, ``formats`` by column.

    At most ``max_rows`` rows, with a note of how many were left out.
    """
    formats = formats or {}
    shown = frame.head(max_rows)
    numeric = {column for column in shown.columns if pd.api.types.is_numeric_dtype(shown[column])}
    head = "".join(f"<th>{esc(column)}</th>" for column in shown.columns)
    rows = []
    for record in shown.itertuples(index=False, name=None):
        cells = []
        for column, value in zip(shown.columns, record, strict=True):
            text = _cell_text(value, formats.get(column))
            css = ' class="num"' if column in numeric else ""
            cells.append(f"<td{css}>{esc(text)}</td>")
        rows.append(f"<tr>{''.join(cells)}</tr>")
    note = ""
    if len(frame) > max_rows:
        note = paragraph(f"The first {max_rows:,} of {len(frame):,} rows.", "note")
    body = f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"
    return f'<div class="table-wrap">{body}</div>{note}'


def _cell_text(value: Any, formatter: Callable[[Any], str] | None) -> str:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    if formatter is not None:
        return formatter(value)
    if isinstance(value, float):
        return f"{value:,.2f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


@dataclass
class Section:
    """One titled part of the report: HTML fragments (already escaped) and plotly figures, in order."""

    title: str
    body: list[Any] = field(default_factory=list)

    def add(self, *parts: str) -> None:
        """Append HTML fragments."""
        self.body.extend(parts)

    def add_figure(self, figure: Any, caption: str = "") -> None:
        """Place a plotly figure here (drawn by :func:`render_page`), with an optional caption."""
        self.body.append(_Figure(figure))
        if caption:
            self.body.append(paragraph(caption, "note"))

    @property
    def figures(self) -> list[Any]:
        """The section's plotly figures, in order."""
        return [part.figure for part in self.body if isinstance(part, _Figure)]


@dataclass(frozen=True)
class _Figure:
    figure: Any

    def to_html(self) -> str:
        fragment = self.figure.to_html(
            full_html=False, include_plotlyjs=False, include_mathjax=False, config=FIGURE_CONFIG
        )
        return f'<div class="figure">{fragment}</div>'


def render_page(title: str, subtitle: str, sections: Sequence[Section]) -> str:
    """The whole report: head with CSS and plotly.js (once), then each section and its figures."""
    import plotly.offline

    parts = []
    for section in sections:
        body = "".join(part.to_html() if isinstance(part, _Figure) else part for part in section.body)
        parts.append(f"<section><h2>{esc(section.title)}</h2>{body}</section>")
    plotly_js = plotly.offline.get_plotlyjs()
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{esc(title)}</title><style>{_CSS}</style>"
        f'<script type="text/javascript">{plotly_js}</script></head>'
        f'<body><main><h1>{esc(title)}</h1><p class="subtitle">{esc(subtitle)}</p>'
        f"{''.join(parts)}</main></body></html>\n"
    )


def figure_count(sections: Sequence[Section]) -> int:
    """How many charts the sections draw (the browser test counts them on the page)."""
    return sum(len(section.figures) for section in sections)
