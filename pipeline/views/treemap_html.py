"""Segments' treemap as plain HTML: a squarified treemap of tiles placed by percentages (issue 10).

The Sizes view is the one the Segments page opens on, and every new filter choice (countries,
invoice window, as-of date) changes it. As a Plotly treemap (``charts.segment_treemap``, which the
run report keeps) it was a chart mounted anew on each change: the main part of a filter change's
time in the browser, 0.29 s at the median on a quiet machine against the 0.3 s target
(benchmarks/README.md, rounds 12 and 16). Here the tiles are a few absolutely placed elements the
browser lays out in milliseconds.

The tiles are laid out by the squarified algorithm (Bruls, Huizing and van Wijk, 2000) in the
segments' own order, as Plotly did with ``sort=False``, on a box of ``ASPECT``; the chart keeps
that aspect at any width, so tiles keep their shapes. Each tile writes its name, customers and
share of revenue; CSS container queries hide the figures of a tile too small for them (rather
than cut them short) and the whole label of a tile too small for a few letters of its name, as
Plotly hid a label it could not fit. A review found the rule Plotly's labels needed here before,
figures only from ``charts.COMPACT_LABEL_SHARE`` of the customers up, hid them on roomy tiles
too; the page's note still names every segment under that share with its figures, since the
window's width decides which tiles have room. A tile's tooltip has every figure; screen readers
read the whole as one image whose text names every segment's figures. Text is black or white,
whichever contrasts more with the tile.

Every text is escaped; ``st.html`` sanitises again. No script, no link, nothing fetched.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

from pipeline.views.bar_rows import TITLE_STYLE
from pipeline.views.charts import segment_color, segment_table
from pipeline.views.contrast import text_colour_on
from pipeline.views.text import html_text

#: Width over height of the chart: Plotly's treemap was 480 px high in a ~900 px wide main area.
ASPECT = 15 / 8
TITLE = "Segment sizes (area) and revenue share"


@dataclass(frozen=True)
class Tile:
    """A rectangle of the layout: its left, top, width and height, in the layout's units."""

    x: float
    y: float
    width: float
    height: float


def _worst(row: Sequence[float], side: float) -> float:
    """The worst aspect ratio of the areas ``row`` laid side by side along a side of length ``side``."""
    total = sum(row)
    return max(max(row) * side * side / (total * total), total * total / (side * side * min(row)))


def squarify(values: Sequence[float], width: float, height: float) -> list[Tile]:
    """Tiles for ``values`` (all positive), in their order, filling ``width`` x ``height``: each
    tile's area is its value's share of the whole, rows chosen so tiles are as square as can be."""
    total = float(sum(values))
    if total <= 0 or not values:
        return []
    areas = [value * width * height / total for value in values]
    tiles: list[Tile] = []
    x, y, free_width, free_height = 0.0, 0.0, float(width), float(height)
    row: list[float] = []
    index = 0
    while index < len(areas):
        side = min(free_width, free_height)
        candidate = [*row, areas[index]]
        if not row or _worst(candidate, side) <= _worst(row, side):
            row = candidate
            index += 1
            continue
        x, y, free_width, free_height = _lay_row(row, x, y, free_width, free_height, tiles)
        row = []
    if row:
        _lay_row(row, x, y, free_width, free_height, tiles)
    return tiles


def _lay_row(
    row: Sequence[float], x: float, y: float, width: float, height: float, tiles: list[Tile]
) -> tuple[float, float, float, float]:
    """Lay ``row`` along the free rectangle's shorter side; return the rectangle left free."""
    total = sum(row)
    if width >= height:  # a column at the left
        thickness = total / height
        top = y
        for area in row:
            tiles.append(Tile(x, top, thickness, area / thickness))
            top += area / thickness
        return x + thickness, y, width - thickness, height
    thickness = total / width  # a row at the top
    left = x
    for area in row:
        tiles.append(Tile(left, y, area / thickness, thickness))
        left += area / thickness
    return x, y + thickness, width, height - thickness


def share_text(share: float) -> str:
    """A share as the treemap writes it: whole percents, a decimal under 10% (a segment of £473 in
    £602,850 read "0% of revenue"), "<0.1%" for what is more than nothing but rounds to it."""
    if share <= 0:
        return "0%"
    if share < 0.001:
        return "<0.1%"
    return f"{share:.1%}" if share < 0.1 else f"{share:.0%}"


def segment_treemap_html(rfm: pd.DataFrame, order: Sequence[str] | None = None, title: str = TITLE) -> str:
    """Customers per segment as a treemap (area = customers), with each segment's revenue share."""
    table = segment_table(rfm, order)
    table = table[table["customers"] > 0]
    if table.empty:
        return ""
    customers_total = int(table["customers"].sum())
    revenue_total = float(table["revenue"].sum())
    height = 100.0
    width = height * ASPECT
    tiles = squarify([float(count) for count in table["customers"]], width, height)
    drawn, spoken = [], []
    for index, (name, count, revenue, tile) in enumerate(
        zip(table.index, table["customers"], table["revenue"], tiles, strict=True)
    ):
        colour = segment_color(name, index)
        people = f"{int(count):,} customer{'s' if count != 1 else ''}"
        share = f"{share_text(float(revenue) / revenue_total)} of revenue" if revenue_total else "no revenue"
        more = "".join(f'<span class="tm-more">{html_text(line)}</span>' for line in (people, share))
        of_all = share_text(count / customers_total)
        tip = f"{name}: {people} ({of_all}), revenue £{float(revenue):,.0f} ({share})"
        spoken.append(f"{name} {people}, {share}")
        place = (
            f"left:{tile.x / width * 100:.3f}%;top:{tile.y / height * 100:.3f}%;"
            f"width:{tile.width / width * 100:.3f}%;height:{tile.height / height * 100:.3f}%"
        )
        drawn.append(
            f'<div class="tm-tile" style="{place};background:{colour};color:{text_colour_on(colour)}" '
            f'title="{html_text(tip)}"><div class="tm-label"><span class="tm-name">{html_text(name)}</span>'
            f"{more}</div></div>"
        )
    alt = f"{title}: " + "; ".join(spoken) + "."
    return (
        f"<style>{_STYLE}</style>"
        f'<div class="tm" role="img" aria-label="{html_text(alt)}">'
        f'<div class="ch-title" aria-hidden="true">{html_text(title)}</div>'
        f'<div class="tm-box" aria-hidden="true">{"".join(drawn)}</div></div>'
    )


#: Constants only: classes scoped by the ``tm`` prefix, sizes from the page's font. A tile is a
#: size container: its second and third lines go when it is too short or too narrow for them
#: ("459 customers" and "16% of revenue" need ~6.5rem at this size), its whole label when even a
#: few letters of the name have no room (Plotly.js hid a label it could only draw under 11 px).
_STYLE = TITLE_STYLE + (
    ".tm{font-size:0.8rem;line-height:1.25}"
    f".tm-box{{position:relative;width:100%;aspect-ratio:{ASPECT:.4f}}}"
    ".tm-tile{position:absolute;box-sizing:border-box;border:1px solid transparent;"
    "background-clip:padding-box;overflow:hidden;container-type:size}"
    ".tm-label{padding:0.2rem 0.3rem;display:flex;flex-direction:column}"
    ".tm-name,.tm-more{white-space:nowrap;overflow:hidden;text-overflow:ellipsis}"
    ".tm-name{font-weight:600}"
    "@container (max-height: 3.6rem) or (max-width: 6.8rem){.tm-more{display:none}}"
    "@container (max-height: 1.3rem) or (max-width: 2.6rem){.tm-label{display:none}}"
)
