"""Clusters' comparison of two runs as HTML (``pipeline.views.compare_html``), read back with an
HTML parser.

Two real local runs (k=3 and k=4) of the UCI sample; expected figures come from their summaries
and clusters tables with plain pandas, not from the module's own arithmetic.
"""

from __future__ import annotations

import re

import pandas as pd
from support.html_support import Parsed, style_of

from pipeline.analysis.cluster_compare import compare_runs, sizes_side_by_side
from pipeline.views.compare_html import moves_html, profiles_html, sizes_html
from pipeline.views.contrast import contrast
from pipeline.views.style import scale_colour

HOSTILE = '<img src=x onerror="alert(1)"><a href="https://example.com">x</a>"><script>alert(2)</script>'


def no_markup_of_its_own(parsed: Parsed) -> None:
    tags = {tag for tag, _ in parsed.elements}
    assert not tags & {"img", "a", "script", "iframe"}, tags
    assert all(not name.startswith("on") and name != "href" for _, attrs in parsed.elements for name in attrs)


def test_the_sizes_write_each_clusters_share_of_customers_in_both_runs(runs):
    a, b = runs["k3"].summary, runs["k4"].summary
    parsed = Parsed(sizes_html(sizes_side_by_side(a, b), "k=3", "k=4"))

    names = [name.strip() for name in parsed.texts["br-name"]]
    shares = {
        run: {c["Name"]: c["CustomerShare"] for c in summary["clusters"]}
        for run, summary in (("A", a), ("B", b))
    }
    assert names == list(dict.fromkeys([*shares["A"], *shares["B"]]))  # run A's names first
    figures = [text.strip() for text in parsed.texts["br-figure"]]
    expected = []
    for name in names:
        for run in ("A", "B"):
            expected.append(
                f"{shares[run][name]:.1%}" if name in shares[run] else "–"
            )  # a name one run lacks
    assert figures == expected
    assert [text.strip() for text in parsed.texts["br-key"]] == ["k=3", "k=4"]
    # the counts in each row's tooltip, and every share in what a screen reader hears
    [chart] = parsed.with_class("br")
    for cluster in a["clusters"]:
        assert (
            f"{cluster['Name']}: k=3 {cluster['CustomerShare']:.1%} ({cluster['Customers']:,})"
            in chart["aria-label"]
        )


def test_both_runs_profiles_share_one_colour_scale(runs):
    a, b = runs["k3"].summary, runs["k4"].summary
    body = profiles_html(a, b)
    parsed = Parsed(body)

    assert re.findall(r"Cluster profiles, run [AB]", body) == [
        "Cluster profiles, run A",
        "Cluster profiles, run B",
    ]
    zs = [
        c[column]
        for summary in (a, b)
        for c in summary["clusters"]
        for column in ("RecencyZ", "FrequencyZ", "MonetaryZ")
    ]
    limit = max(abs(z) for z in zs)
    assert parsed.texts["cp-limit"] == [f"{-limit:+.2f}", f"{limit:+.2f}"] * 2  # both keys: one scale
    assert body.count(f"The colours span ±{limit:.2f} in both runs.") == 2
    rows = [row for row in parsed.rows if row and row[0] != "Cluster"]
    assert [row[0] for row in rows] == [c["Name"] for c in a["clusters"]] + [c["Name"] for c in b["clusters"]]
    # each cell's shade is its value's on that one scale, in either table
    backgrounds = [style_of(cell)["background"] for cell in parsed.cells]
    assert backgrounds == [scale_colour("RdBu_r", (z / limit + 1) / 2) for z in zs]


def test_the_moves_count_the_shared_customers_from_one_runs_clusters_to_the_others(runs):
    a, b = runs["k3"].clusters, runs["k4"].clusters
    comparison = compare_runs(a, b)
    parsed = Parsed(moves_html(comparison.moves))

    both = a[["CustomerID", "ClusterName"]].merge(
        b[["CustomerID", "ClusterName"]], on="CustomerID", suffixes=("A", "B")
    )
    counted = pd.crosstab(both["ClusterNameA"].astype(str), both["ClusterNameB"].astype(str))
    header, *rows = parsed.rows
    columns = [name.removeprefix("B: ") for name in header[1:]]
    total = 0
    for row in rows:
        name = row[0].removeprefix("A: ")
        for column, text in zip(columns, row[1:], strict=True):
            count = int(text.replace(",", ""))
            assert count == counted.get(column, {}).get(name, 0), (name, column)
            total += count
    assert total == comparison.shared == len(both)
    # a tooltip gives the share of the A cluster that moved there; every figure stays legible
    tip = parsed.cells[0]["title"]
    first = counted.loc[rows[0][0].removeprefix("A: ")]
    moved = first[columns[0]]
    share = f"{moved / first.sum():.1%}"
    assert tip == f"{rows[0][0]} -> {header[1]}: {moved:,} customers ({share} of the A cluster)"
    # none is left unshaded; every figure on a shade stays legible
    zeros = [cell for cell in parsed.cells if cell.get("class") == "cp-zero"]
    assert zeros and all("style" not in cell and ": 0 customers" in cell["title"] for cell in zeros)
    for cell in parsed.cells:
        if cell in zeros:
            continue
        colours = style_of(cell)
        assert colours["background"] != scale_colour("Purples", 0.0)
        assert contrast(colours["color"], colours["background"]) >= 4.5, cell


def test_hostile_cluster_names_and_run_labels_are_text(runs):
    a, b = runs["k3"], runs["k4"]
    renamed = a.clusters.assign(
        ClusterName=a.clusters["ClusterName"].astype(str).where(a.clusters["Cluster"] != 0, HOSTILE)
    )
    summary = {
        **a.summary,
        "clusters": [
            {**c, "Name": HOSTILE if c["Cluster"] == 0 else c["Name"]} for c in a.summary["clusters"]
        ],
    }

    for body in (
        sizes_html(sizes_side_by_side(summary, b.summary), HOSTILE, "k=4"),
        profiles_html(summary, b.summary),
        moves_html(compare_runs(renamed, b.clusters).moves),
    ):
        parsed = Parsed(body)
        no_markup_of_its_own(parsed)
        assert HOSTILE in "".join(text for texts in parsed.texts.values() for text in texts) + "".join(
            cell for row in parsed.rows for cell in row
        )
    assert (
        sizes_html(sizes_side_by_side({}, {}))
        == moves_html(compare_runs(a.clusters, b.clusters).moves.iloc[:0])
        == ""
    )
