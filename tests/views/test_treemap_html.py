"""Segments' HTML treemap (``pipeline.views.treemap_html``): its squarified layout, and its tiles on
the real 40k sample's RFM table, checked against plain pandas counts; a hostile segment name comes
out as text."""

from __future__ import annotations

import itertools
import re
from html import unescape

import pandas as pd
import pytest

from pipeline.analysis.rfm import SEGMENTS, compute_rfm
from pipeline.loading.dataset import clean_transactions, load_transactions
from pipeline.views.contrast import contrast
from pipeline.views.treemap_html import ASPECT, Tile, segment_treemap_html, share_text, squarify


@pytest.fixture(scope="module")
def rfm(sample_xlsx) -> pd.DataFrame:
    """The real 40k sample's RFM table (no cache: module scope runs before the private data home)."""
    dataset = load_transactions(sample_xlsx, use_cache=False)
    return compute_rfm(clean_transactions(dataset.transactions)[0])


def aspect(tile: Tile) -> float:
    return max(tile.width / tile.height, tile.height / tile.width)


def overlap(a: Tile, b: Tile) -> float:
    width = min(a.x + a.width, b.x + b.width) - max(a.x, b.x)
    height = min(a.y + a.height, b.y + b.height) - max(a.y, b.y)
    return max(width, 0.0) * max(height, 0.0)


def test_squarified_tiles_fill_the_box_without_overlap_each_with_its_share_of_the_area():
    values = [750, 487, 459, 12, 38, 168, 241, 602, 82, 275, 477]  # the sample's segments
    width, height = 100 * ASPECT, 100.0

    tiles = squarify(values, width, height)

    assert len(tiles) == len(values)
    total = sum(values)
    for tile, value in zip(tiles, values, strict=True):
        assert tile.width * tile.height == pytest.approx(value / total * width * height)
        assert tile.x >= -1e-9 and tile.y >= -1e-9
        assert tile.x + tile.width <= width + 1e-9 and tile.y + tile.height <= height + 1e-9
    assert all(overlap(a, b) < 1e-6 for a, b in itertools.combinations(tiles, 2))
    # Squarer than slicing the box into strips in the same order, which is what it is for.
    strips = [value / total * width for value in values]
    assert max(aspect(tile) for tile in tiles) < max(max(s / height, height / s) for s in strips) / 5


def test_squarify_of_nothing_is_no_tiles():
    assert squarify([], 10, 10) == [] and squarify([0, 0], 10, 10) == []


def tiles_of(body: str) -> list[dict]:
    """Each tile: its name, its further lines, its style and its tooltip."""
    found = re.findall(
        r'<div class="tm-tile" style="([^"]*)" title="([^"]*)"><div class="tm-label">'
        r'<span class="tm-name">([^<]*)</span>(.*?)</div></div>',
        body,
    )
    return [
        {
            "style": dict(part.split(":", 1) for part in style.split(";")),
            "tip": unescape(tip),
            "name": unescape(name),
            "more": [unescape(line) for line in re.findall(r'<span class="tm-more">([^<]*)</span>', more)],
        }
        for style, tip, name, more in found
    ]


def test_each_tile_is_a_segment_with_its_customers_and_revenue_share_from_the_data(rfm):
    counts = rfm["Segment"].astype(str).value_counts()
    revenue = rfm.groupby(rfm["Segment"].astype(str))["Monetary"].sum()

    tiles = tiles_of(segment_treemap_html(rfm, order=SEGMENTS))

    assert [tile["name"] for tile in tiles] == [name for name in SEGMENTS if name in counts.index]
    for tile in tiles:
        name, share = tile["name"], counts[tile["name"]] / counts.sum()
        area = float(tile["style"]["width"].rstrip("%")) * float(tile["style"]["height"].rstrip("%")) / 100**2
        assert area == pytest.approx(share, abs=1e-4)  # area = customers, as a share of the box (3 decimals)
        people = f"{counts[name]:,} customer{'s' if counts[name] != 1 else ''}"
        of_revenue = share_text(revenue[name] / revenue.sum())  # (pinned by the test below)
        money = f"£{revenue[name]:,.0f}"
        assert tile["tip"].startswith(f"{name}: {people} ({share_text(share)}), revenue {money}")
        # Every tile carries its figures (the browser hides those a tile has no room for).
        assert tile["more"] == [people, f"{of_revenue} of revenue"]
        # Its text is legible on its colour (WCAG AA).
        assert contrast(tile["style"]["color"], tile["style"]["background"]) >= 4.5


def test_a_hostile_segment_name_is_text_and_an_empty_table_draws_nothing(rfm):
    hostile = '<img src=x onerror="alert(1)"><script>alert(2)</script>'
    renamed = rfm.assign(Segment=rfm["Segment"].astype(str).replace("Champions", hostile))

    body = segment_treemap_html(renamed, order=SEGMENTS)

    assert "<img" not in body and "<script" not in body
    assert hostile in [tile["name"] for tile in tiles_of(body)]  # drawn after the known names
    assert segment_treemap_html(rfm.iloc[0:0], order=SEGMENTS) == ""


def test_a_share_reads_in_whole_percents_with_a_decimal_under_ten_and_never_as_zero_when_it_is_not():
    """£473 of £602,850 of revenue read "0% of revenue" (a review)."""
    assert [share_text(x) for x in (0.59, 0.1, 0.0999, 0.0235, 0.00078, 0.0)] == [
        "59%",
        "10%",
        "10.0%",
        "2.4%",
        "<0.1%",
        "0%",
    ]
