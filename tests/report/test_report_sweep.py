"""The report of a real clustering run that swept k (2-4) on the sample: the sweep's curve, the chosen
k and the rule in words, every figure checked against the run's own ``sweep.json`` as stored."""

from __future__ import annotations

import json
import re
from html import unescape

import pytest

from pipeline.backends.local import LocalBackend
from pipeline.report.build import report_from_facts
from pipeline.report.run_facts import gather
from pipeline.report.sweep import RULE_EXPLANATIONS
from pipeline.workflows.clustering.layout import RunLayout
from pipeline.workflows.clustering.sweep_steps import SWEEP_STATE

K_RANGE = (2, 4)  # the k range of conftest.py's finished_sweep run


@pytest.fixture(scope="module")
def swept(finished_sweep):
    """The sweep run's report and its sweep.json read straight from the run's files."""
    finished = finished_sweep
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("RFM_STUDIO_HOME", str(finished.home))
        facts = gather(LocalBackend(), finished.arns["sweep"])
        stored = facts.storage.read_bytes(RunLayout(facts.run_prefix).sweep_uri)
        return report_from_facts(facts), json.loads(stored)


@pytest.fixture(scope="module")
def sweep_events(finished_sweep):
    """The sweep run's own event history, read from its backend."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("RFM_STUDIO_HOME", str(finished_sweep.home))
        return LocalBackend().history(finished_sweep.arns["sweep"])


def graph_states(html: str) -> dict[str, list[str]]:
    """State name -> the lines of text under its name on its box, from the report's workflow SVG."""
    svg = re.search(r'<svg class="workflow-graph".*?</svg>', html, re.DOTALL).group(0)
    states = {}
    for group in re.findall(r'<g class="state"[^>]*>(.*?)</g>', svg, re.DOTALL):
        name = unescape(re.search(r"<title>(.*?): ", group).group(1))
        lines = re.findall(r'<text (?![^>]*class="name")[^>]*>(.*?)</text>', group)
        states[name] = [unescape(line) for line in lines]
    return states


def plotted_traces(html: str) -> list[dict]:
    """Every trace of every figure the page draws, from its ``Plotly.newPlot(id, traces, ...)`` calls."""
    decoder = json.JSONDecoder()
    traces = []
    for call in re.finditer(r'Plotly\.newPlot\(\s*"[^"]+",\s*', html):
        figure_traces, _ = decoder.raw_decode(html, call.end())
        traces.extend(figure_traces)
    return traces


def trace(html: str, name: str) -> dict:
    [found] = [t for t in plotted_traces(html) if t.get("name") == name]
    return found


def test_the_sweep_curve_plots_each_ks_silhouette_and_wcss_from_sweep_json(swept):
    report, sweep = swept
    scored = [c for c in sweep["candidates"] if c["status"] == "SUCCEEDED"]
    assert [c["k"] for c in scored] == list(range(K_RANGE[0], K_RANGE[1] + 1))
    silhouette = trace(report.html, "Silhouette")
    wcss = trace(report.html, "Within-cluster sum of squares")
    assert silhouette["x"] == wcss["x"] == [c["k"] for c in scored]
    assert silhouette["y"] == pytest.approx([c["silhouette"] for c in scored], abs=1e-12)
    assert wcss["y"] == pytest.approx([c["wcss"] for c in scored], abs=1e-9)


def test_the_chosen_k_is_marked_on_the_curve_and_has_the_highest_silhouette(swept):
    report, sweep = swept
    chosen = trace(report.html, f"Chosen k = {sweep['chosen_k']}")
    best = max(sweep["candidates"], key=lambda c: c["silhouette"])
    assert chosen["x"] == [best["k"]] == [sweep["chosen_k"]]
    assert chosen["y"] == pytest.approx([best["silhouette"]], abs=1e-12)


def test_the_rule_and_the_chosen_k_are_stated_in_words(swept):
    report, sweep = swept
    assert sweep["rule"] == sweep["applied"] == "silhouette"
    assert f"<p>Rule: {RULE_EXPLANATIONS['silhouette']}</p>" in report.html
    assert f"k = {sweep['chosen_k']} chosen by the highest silhouette." in report.html
    assert f"for each k from {K_RANGE[0]} to {K_RANGE[1]}" in report.html
    low, high = K_RANGE
    assert f'<div class="value">{sweep["chosen_k"]} of {low}-{high}</div>' in report.html


def test_the_sweep_table_has_one_row_a_k_with_its_scores(swept):
    report, sweep = swept
    section = report.html[report.html.index("<h2>How k was chosen</h2>") :]
    for candidate in sweep["candidates"]:
        row = (
            f'<tr><td class="num">{candidate["k"]}</td><td>SUCCEEDED</td>'
            f'<td class="num">{candidate["silhouette"]:.4f}</td>'
            f'<td class="num">{candidate["wcss"]:,.1f}</td>'
            f'<td class="num">{candidate["clusters_found"]}</td>'
        )
        assert row in section


def test_a_sweep_report_draws_the_curve_besides_the_fixed_k_reports_charts(swept):
    report, _ = swept
    assert report.figures == 9  # the fixed-k report's eight and the sweep curve
    assert report.html.count('class="figure"') == 9


def test_the_reports_workflow_graph_counts_the_maps_iterations_as_the_history_does(swept, sweep_events):
    report, _ = swept
    started = [e for e in sweep_events if e["type"] == "MapStateStarted"]
    [length] = [e["mapStateStartedEventDetails"]["length"] for e in started]
    done = sum(e["type"] == "MapIterationSucceeded" for e in sweep_events)
    assert length == done == K_RANGE[1] - K_RANGE[0] + 1

    states = graph_states(report.html)

    assert states[SWEEP_STATE][0].startswith("Map · succeeded · ")
    assert states[SWEEP_STATE][-1] == f"{done}/{length} done"
    noted = [name for name, lines in states.items() if any(line.endswith(" done") for line in lines)]
    assert noted == [SWEEP_STATE]  # only the Map carries counts


def test_the_reports_graph_frames_the_maps_branch_with_its_caption(swept):
    report, _ = swept
    svg = re.search(r'<svg class="workflow-graph".*?</svg>', report.html, re.DOTALL).group(0)

    [frame] = re.findall(r'<g class="branch-frame">(.*?)</g>', svg, re.DOTALL)
    assert 'stroke-dasharray="6 4"' in frame
    assert re.search(r"<text [^>]*>once per item</text>", frame)
    assert svg.index('class="branch-frame"') < svg.index('class="edge"')  # drawn under the arrows


def test_the_reports_steps_and_timeline_name_each_ks_visit(swept):
    """Its steps table and timeline read "Train k (k=3)", not "Train k" once a k with no k."""
    report, sweep = swept
    ks = [candidate["k"] for candidate in sweep["candidates"]]
    assert len(ks) >= 2
    for k in ks:
        assert report.html.count(f"Train k (k={k})") >= 2, k  # the steps table's row and the timeline's
    assert "<td>Train k</td>" not in report.html  # (the graph's box keeps the state's own name)
