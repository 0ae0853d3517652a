"""A run's HTML report in Debian's chromium with every request but the file itself blocked.

The report must draw every chart from the file alone (plotly embedded, nothing fetched): all
requests to anything but the file are aborted through ``page.route``, and the test asserts
that none was even attempted, none failed, and each figure the report holds was drawn. The
Clusters page's Download report button is clicked in a live app and gives that file.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import expect
from support.browser_support import STEP_TIMEOUT, StreamlitServer, open_tab, settled, streamlit_server
from support.cluster_support import FinishedRuns, make_runs

from pipeline.__main__ import main
from pipeline.workflows.clustering.parameters import ClusteringParameters

pytestmark = pytest.mark.browser

#: Charts of each report: the clustering report has 2 dataset, 1 segments, 4 clusters and 1 timeline
#: charts; a run that swept k has its sweep curve besides.
REPORT_FIGURES = {"k3": 8, "sweep": 9}


@pytest.fixture(scope="module")
def finished(sample_xlsx, tmp_path_factory) -> FinishedRuns:
    runs = make_runs(
        tmp_path_factory.mktemp("report-browser-home"),
        sample_xlsx,
        {
            "k3": ClusteringParameters(k=3, quality_threshold=-1.0),
            "sweep": ClusteringParameters(k_range=(2, 4), quality_threshold=-1.0),
        },
    )
    for label in REPORT_FIGURES:
        assert runs.descriptions[label]["status"] == "SUCCEEDED", runs.descriptions[label]
    return runs


def write_report(finished, label, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("RFM_STUDIO_HOME", str(finished.home))
    path = tmp_path / f"report-{label}.html"
    assert main(["report", finished.arns[label], "--out", str(path)]) == 0
    assert f"({REPORT_FIGURES[label]} charts)" in capsys.readouterr().err
    return path


@pytest.mark.parametrize(("label", "width"), [("k3", 1400), ("k3", 800), ("sweep", 1400)])
def test_the_report_draws_every_chart_offline_with_no_request_but_the_file(
    browser, finished, tmp_path, monkeypatch, capsys, label, width
):
    report_file = write_report(finished, label, tmp_path, monkeypatch, capsys)
    figures = REPORT_FIGURES[label]
    clusters = len(finished.results[label].summary["clusters"])
    with open_tab(browser, width=width) as tab:
        blocked: list[str] = []
        failed: list[str] = []
        errors: list[str] = []
        file_url = report_file.as_uri()

        def only_the_file(route):
            if route.request.url == file_url:
                route.continue_()
            else:
                blocked.append(route.request.url)
                route.abort()

        tab.route("**/*", only_the_file)
        tab.on("requestfailed", lambda request: failed.append(request.url))
        tab.on("pageerror", lambda error: errors.append(str(error)))

        tab.goto(file_url)

        plots = tab.locator(".js-plotly-plot")
        expect(plots).to_have_count(figures)
        for index in range(figures):  # each chart drawn: plotly's SVG layers are in it
            expect(plots.nth(index).locator(".main-svg").first).to_be_attached(timeout=STEP_TIMEOUT)
        expect(tab.locator(".cluster-description")).to_have_count(clusters)
        if label == "sweep":  # the sweep curve: its lines drawn, one point a k
            expect(tab.get_by_role("heading", name="How k was chosen")).to_be_visible()
            curve = plots.filter(has_text="k sweep 2-4")
            expect(curve.locator(".scatterlayer .trace").first.locator(".point")).to_have_count(3)
        expect(tab.locator("svg.workflow-graph")).to_be_visible()
        assert blocked == []
        assert failed == []
        assert errors == []


#: What the report's layout is measured at: a narrow window, a wide one, A4 paper (794 px) in print,
#: and a window too narrow for the segments table (it scrolls in its own box there).
LAYOUTS = [(800, "screen"), (1400, "screen"), (794, "print"), (600, "screen")]


@pytest.fixture(scope="module")
def k3_report(finished, tmp_path_factory) -> Path:
    """The k3 run's report file, written once for the layout tests."""
    path = tmp_path_factory.mktemp("report-layout") / "report-k3.html"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("RFM_STUDIO_HOME", str(finished.home))
        assert main(["report", finished.arns["k3"], "--out", str(path)]) == 0
    return path


@pytest.mark.parametrize(("width", "media"), LAYOUTS)
def test_the_page_never_scrolls_sideways_and_the_graph_fits_its_card(browser, k3_report, width, media):
    """At 800 px the segments table once made the page 844 px wide, and the 1,404 px workflow graph
    scrolled inside its card: "Workflow failed" was cut at 1400 px, half the graph in print."""
    with open_tab(browser, width=width) as tab:
        tab.emulate_media(media=media)
        tab.goto(k3_report.as_uri())
        graph = tab.locator("svg.workflow-graph")
        expect(graph).to_be_visible()
        sizes = tab.evaluate(
            """() => {
              const card = document.querySelector('.graph'), svg = card.querySelector('svg');
              const box = card.getBoundingClientRect(), drawn = svg.getBoundingClientRect();
              const failed = [...svg.querySelectorAll('text')].find(t => t.textContent === 'Workflow failed');
              return {page: document.documentElement.scrollWidth, window: window.innerWidth,
                      card: [box.left, box.right], cardScroll: [card.scrollWidth, card.clientWidth],
                      svg: [drawn.left, drawn.right, drawn.width, drawn.height],
                      viewBox: [svg.viewBox.baseVal.width, svg.viewBox.baseVal.height],
                      failed: failed.getBoundingClientRect().right};
            }"""
        )
    assert sizes["page"] <= sizes["window"] == width, sizes
    left, right = sizes["card"]
    assert left <= sizes["svg"][0] and sizes["svg"][1] <= right, sizes
    assert sizes["cardScroll"][0] <= sizes["cardScroll"][1], sizes  # nothing hidden past the card's edge
    assert sizes["failed"] <= right, sizes
    view_width, view_height = sizes["viewBox"]
    drawn_width, drawn_height = sizes["svg"][2:]
    # scaled, not squashed: the viewBox's proportions kept
    assert drawn_height == pytest.approx(drawn_width * view_height / view_width, rel=0.01), sizes


@pytest.fixture
def app(finished, tmp_path) -> Iterator[StreamlitServer]:
    with streamlit_server(finished.home, tmp_path) as running:
        yield running


def saved_download(tab, button, folder: Path) -> Path:
    """Click ``button``, wait for the file it downloads and save it in ``folder`` under the name
    the app gave it."""
    with tab.expect_download(timeout=STEP_TIMEOUT) as download_info:
        button.click()
    download = download_info.value
    saved = folder / download.suggested_filename
    download.save_as(saved)
    return saved


def test_the_clusters_page_download_report_button_gives_the_runs_report(browser, app, finished, tmp_path):
    name = finished.arns["sweep"].rsplit(":", 1)[-1]  # the page opens on the newest run: the sweep
    with open_tab(browser, accept_downloads=True) as tab:
        tab.goto(f"{app.url}/clusters")
        main_area = tab.get_by_test_id("stMain")
        button = main_area.get_by_role("button", name="Download report (HTML)")
        expect(button).to_be_visible()
        settled(tab, STEP_TIMEOUT)

        saved = saved_download(tab, button, tmp_path)

        assert saved.name == f"report-{name}.html"
        html = saved.read_text(encoding="utf-8")
        assert f"Customer clustering report: {name}" in html
        assert html.count("plotly.js v") == 1
        assert "<h2>How k was chosen</h2>" in html


def test_the_summary_download_is_built_when_clicked_and_is_the_runs_summary(browser, app, finished, tmp_path):
    # Sent with the page, the summary was a media file the browser fetched on every drawing of
    # Customers, beside the grid a new tab was waiting for (round 28).
    name = finished.arns["k3"].rsplit(":", 1)[-1]
    with open_tab(browser, accept_downloads=True) as tab:
        fetched: list[str] = []
        tab.on("request", lambda request: fetched.append(request.url))
        tab.goto(f"{app.url}/clusters?run={name}&clusters_view=Customers")
        button = tab.get_by_test_id("stMain").get_by_role("button", name="Download the summary (JSON)")
        expect(button).to_be_visible()
        settled(tab, STEP_TIMEOUT)
        assert not [url for url in fetched if "/media/" in url and "/static/" not in url]  # fonts are static

        saved = saved_download(tab, button, tmp_path)

        assert saved.name == f"summary-{name}.json"
        summary = json.loads(saved.read_text(encoding="utf-8"))
        assert summary["k"] == 3 and len(summary["clusters"]) == 3
        assert sum(cluster["Customers"] for cluster in summary["clusters"]) == summary["customers"]
