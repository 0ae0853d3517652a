"""The HTML report of a finished run (pipeline.report), built from real local runs of the sample.

Expected figures come from the run's own files (summary.json, the stored dataset) read through
the backend, never from the report itself.
"""

from __future__ import annotations

import dataclasses
import re
from html.parser import HTMLParser

import pytest

from pipeline.backends.local import LocalBackend
from pipeline.hashing import content_hash
from pipeline.report.build import build_report, report_from_facts
from pipeline.report.clustering import ClusterFacts, cluster_facts, describe_cluster
from pipeline.report.common import shown_parameters
from pipeline.report.run_facts import gather


@pytest.fixture(scope="module")
def built(report_runs):
    """The succeeded run's facts and report, built once for the module."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("RFM_STUDIO_HOME", str(report_runs.home))
        facts = gather(LocalBackend(), report_runs.arns["k3"])
        return facts, report_from_facts(facts)


class _Resources(HTMLParser):
    """Every address a page would fetch: src and href attributes, and CSS url(...)."""

    def __init__(self) -> None:
        super().__init__()
        self.addresses: list[str] = []

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name in ("src", "href", "srcset", "data") and value:
                self.addresses.append(value)
            if name == "style" and value and "url(" in value:
                self.addresses.append(value)


def test_each_cluster_is_described_with_the_runs_own_figures(built, report_runs):
    _, report = built
    summary = report_runs.results["k3"].summary
    described = cluster_facts(report_runs.results["k3"].clusters)
    assert [item.name for item in described] == [c["Name"] for c in summary["clusters"]]
    for item, expected in zip(described, summary["clusters"], strict=True):
        sentence = describe_cluster(item)
        assert sentence.startswith(f"{expected['Customers']:,} customers ({expected['CustomerShare']:.0%}) ")
        assert f"bring {expected['RevenueShare']:.0%} of revenue" in sentence
        assert f"bought {expected['MeanFrequency']:.1f} times" in sentence
        assert f"the last {round(expected['MeanRecency'])} days ago" in sentence
        assert f"spent £{expected['MeanMonetary']:,.0f} each" in sentence
        assert sentence in report.html


def test_a_sentence_reads_naturally_for_one_purchase_one_day_and_tiny_shares():
    item = ClusterFacts(0, "Tiny", 1, 0.001, 0.0004, 1.0, 1.0, 12.5)
    assert describe_cluster(item) == (
        "1 customer (under 1%) bring under 1% of revenue; on average they bought once, the last 1 day ago, "
        "and spent £12 each."
    )


def test_the_report_fetches_nothing_and_embeds_plotly_once(built):
    _, report = built
    page = _Resources()
    page.feed(report.html)
    assert page.addresses == []  # no src, href or url(): nothing to load from anywhere
    assert report.html.count("plotly.js v") == 1  # the library's banner: embedded once
    assert report.html.count('class="figure"') == report.figures == 8
    assert "@import" not in report.html and "fonts.googleapis" not in report.html


def test_the_dataset_section_describes_the_stored_dataset_the_run_read(built, report_runs, sample_clean):
    facts, report = built
    _, cleaning = sample_clean
    data_uri = facts.execution_input["DataUri"]
    stored = facts.storage.read_bytes(data_uri)
    assert facts.dataset.content_hash == content_hash(stored)
    assert data_uri.endswith(f"/{facts.dataset.content_hash[:16]}.parquet")
    assert f"<th>Stored Parquet SHA-256</th><td>{facts.dataset.content_hash}</td>" in report.html
    for figure in (cleaning.rows_read, cleaning.rows_kept, cleaning.customers):
        assert f'<div class="value">{figure:,}</div>' in report.html
    for reason, rows in cleaning.removed():
        assert f'<td>{reason}</td><td class="num">{rows:,}</td>' in report.html
    assert f'<div class="label">Revenue</div><div class="value">£{cleaning.revenue:,.0f}</div>' in report.html


def test_wide_tables_scroll_in_their_own_box_and_the_graph_scales_to_its_card(built):
    """The segments table made the page 844 px wide at 800 px, and the 1,404 px graph scrolled sideways
    in its card (cut at the card's edge in print): each table now sits in a box that scrolls, and the
    graph's SVG (it has a viewBox) is at most its card's width, its height following."""
    _, report = built
    assert report.html.count("<table") == report.html.count('<div class="table-wrap"><table') > 0
    css = re.search(r"<style>(.*?)</style>", report.html, re.S).group(1)
    screen = css.split("@media", 1)[0]  # the rules before the narrow-window and print ones
    rules = {selector.strip(): body for selector, body in re.findall(r"([^{}]+)\{([^{}]*)\}", screen)}
    assert "overflow-x:auto" in rules[".table-wrap"]
    assert "overflow" not in rules[".graph"]
    assert {"max-width:100%", "height:auto"} <= set(rules[".graph svg"].split(";"))
    svg = re.search(r'<svg class="workflow-graph"[^>]*>', report.html).group(0)
    width, height = re.search(r'width="(\d+)" height="(\d+)"', svg).groups()
    assert f'viewBox="0 0 {width} {height}"' in svg


def test_averages_and_money_are_labelled_as_the_app_labels_them(built):
    """The Segments grid and Clusters say "Avg. days since last purchase", "Avg. purchases",
    "Avg. spend (£)" and "Revenue (£)"; the report once said "Mean days since last purchase" and
    showed revenue without a currency."""
    _, report = built
    heads = re.findall(r"<thead><tr>(.*?)</tr></thead>", report.html)
    segments = next(head for head in heads if "<th>Segment</th>" in head)
    profiles = next(head for head in heads if "<th>Name</th>" in head)
    for head in (segments, profiles):
        assert "<th>Revenue (£)</th>" in head
        assert "<th>Avg. days since last purchase</th><th>Avg. purchases</th>" in head
    assert "<th>Avg. spend (£)</th>" in profiles
    assert "Mean days" not in report.html and "Mean purchases" not in report.html


def test_the_workflow_graph_shows_every_state_and_each_steps_time(built):
    facts, report = built
    svg = re.search(r'<svg class="workflow-graph".*?</svg>', report.html, re.S).group(0)
    states = set(facts.definition["States"])
    inner = {
        name
        for state in facts.definition["States"].values()
        for name in (state.get("ItemProcessor") or state.get("Iterator") or {}).get("States", {})
    }
    assert set(re.findall(r"<title>(.*?):", svg)) == states | inner  # the Map's branch too, as the app
    assert re.search(r"<title>Train KMeans: Task · succeeded · \d", svg)  # its time after its status
    assert '<text x="' in svg and ">Task · succeeded · " in svg
    assert "<title>Quality too low: Fail · not reached</title>" in svg


def test_provenance_names_the_run_backend_dataset_and_versions(built):
    facts, report = built
    for value in (facts.name, facts.arn, "local", facts.dataset_name, "stepfunctions", "sagemaker", "pandas"):
        assert f"<td>{value}</td>" in report.html or f"<th>{value}</th>" in report.html
    assert "<th>Clusters (k)</th><td>3</td>" in report.html
    assert "<th>Quality threshold (silhouette)</th><td>-1.0</td>" in report.html
    assert "<th>quality_threshold</th>" not in report.html and "<th>max_concurrency</th>" not in report.html
    # A run with one k: what its unset parameters mean, and none of a sweep's settings.
    assert "<th>As-of date</th><td>the day after the last invoice</td>" in report.html
    assert "<th>Country</th><td>all countries</td>" in report.html
    assert "<th>k range</th><td>none: one k</td>" in report.html
    assert "<th>Pick k by</th>" not in report.html and "<th>Max concurrency</th>" not in report.html


def test_a_sweeps_parameters_keep_how_it_picks_k():
    swept = shown_parameters({"k": 5, "k_range": [2, 6], "pick": "elbow", "max_concurrency": 2})
    assert ("Pick k by", "elbow") in swept and ("Max concurrency", 2) in swept
    assert ("k range", [2, 6]) in swept


def test_a_run_stopped_by_its_quality_gate_reports_the_gate_not_passed(in_report_home):
    report = build_report(LocalBackend(), in_report_home.arns["gate"])
    assert "FAILED" in report.html
    assert re.search(r"Not passed: 0\.\d{3} is below 0\.99", report.html)
    assert "ClusterQualityTooLow" in report.html


def test_text_from_the_data_is_escaped_never_markup(built):
    facts, _ = built
    hostile = "<script>alert(1)</script><img src=x onerror=alert(2)>"
    results = facts.read_results()
    clusters = results.clusters.copy()
    clusters["ClusterName"] = clusters["ClusterName"].where(clusters["Cluster"] != 0, hostile)
    summary = {**results.summary, "clusters": [dict(c) for c in results.summary["clusters"]]}
    summary["clusters"][0]["Name"] = hostile
    poisoned_results = dataclasses.replace(results, clusters=clusters, summary=summary)

    class Poisoned(type(facts)):
        def read_results(self):
            return poisoned_results

    poisoned = Poisoned(**{f.name: getattr(facts, f.name) for f in dataclasses.fields(facts)})
    poisoned.execution_input = {**facts.execution_input, "DatasetName": hostile}
    html = report_from_facts(poisoned).html
    assert "<script>alert(1)" not in html and "<img src=x" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    page = _Resources()
    page.feed(html)
    assert page.addresses == []


def test_the_reports_graph_draws_the_apps_layout_with_its_routed_edges(built):
    """The report draws ``graph_layout``'s picture, as Executions does: every edge routed clear of
    the boxes it does not connect (the layout's own tests walk those), catches dashed."""
    from pipeline.views.graph_layout import layout_workflow

    facts, report = built
    svg = re.search(r'<svg class="workflow-graph".*?</svg>', report.html, re.S).group(0)
    layout = layout_workflow(facts.definition)
    edges = re.findall(r'<g class="edge"([^>]*)>(.*?)</g>', svg)
    assert len(edges) == len(layout.edges)
    dashed = [look for look, _ in edges if "stroke-dasharray" in look]
    assert len(dashed) == sum(e.kind == "catch" for e in layout.edges) > 0
    legs = [re.findall(r"<line [^>]*/>", lines) for _, lines in edges]
    assert [len(leg) for leg in legs] == [len(e.points) - 1 for e in layout.edges]  # a line a bend
    assert all("marker-end" in leg[-1] and not any("marker-end" in x for x in leg[:-1]) for leg in legs)
