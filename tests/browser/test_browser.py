"""The analyst's journey in a real browser: Debian's chromium, driven by Playwright, against
``streamlit run app.py`` on 127.0.0.1 with a private data directory.

Load the bundled sample, read the cleaning report, open the segments, launch a local run, watch
it reach SUCCEEDED, and explore its clusters; then choose the price-regression workflow, launch
it, watch it and open its predictions. A full-page screenshot is taken at each step; set
``UPDATE_SCREENSHOTS=1`` to copy them into docs/screenshots/ (the README shows them).
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from playwright.sync_api import expect
from support import browser_support
from support.browser_support import REPO_ROOT, StreamlitServer, streamlit_server

from pipeline.workflows.clustering.parameters import ClusteringParameters
from pipeline.workflows.price_regression.parameters import RegressionParameters

pytestmark = pytest.mark.browser

SCREENSHOTS = REPO_ROOT / "docs" / "screenshots"
VIEWPORT = {"width": 1400, "height": 1000}
STEP_TIMEOUT = 120_000  # ms: a step that parses, scores or renders on a shared, busy machine
RUN_TIMEOUT = 300_000  # ms: a whole local workflow run (prepare, train, transform, evaluate)
LAUNCH_BUTTON = "Launch"
# The states a successful run goes through (docs/ARCHITECTURE.md, Workflow).
SUCCESS_PATH = (
    "Prepare RFM features",
    "Sweep k?",
    "Train KMeans",
    "Save model",
    "Assign clusters",
    "Evaluate clusters",
    "Good enough?",
    "Clusters ready",
)
# The states a successful price-regression run goes through.
REGRESSION_SUCCESS_PATH = (
    "Prepare data",
    "Train XGBoost",
    "Save model",
    "Validate RMSE",
    "RMSE good enough?",
    "Predict prices",
    "Score predictions",
    "Predictions ready",
)


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Iterator[StreamlitServer]:
    """A live app server with its own data directory, stopped (with its runs) after the module."""
    home = tmp_path_factory.mktemp("browser-home")
    logs = tmp_path_factory.mktemp("browser-logs")
    with streamlit_server(home, logs) as running:
        yield running


@pytest.fixture
def page(browser, server):
    """A fresh browser tab on the app; the test fails on any uncaught page error."""
    context = browser.new_context(viewport=VIEWPORT)
    tab = context.new_page()
    tab.set_default_timeout(STEP_TIMEOUT)
    expect.set_options(timeout=STEP_TIMEOUT)
    page_errors: list[str] = []
    tab.on("pageerror", lambda error: page_errors.append(str(error)))
    tab.goto(server.url)
    yield tab
    context.close()
    assert not page_errors, f"errors in the page: {page_errors}"


@pytest.fixture(scope="module")
def sample_figures(sample_xlsx) -> dict[str, int]:
    """Figures of the sample computed independently with plain pandas from the raw workbook."""
    raw = pd.read_excel(sample_xlsx, engine="calamine")
    invoice = raw["InvoiceNo"].astype(str)
    keep = raw["CustomerID"].notna() & ~invoice.str.startswith("C")
    keep &= (raw["Quantity"] > 0) & (raw["UnitPrice"] > 0)
    kept = raw[keep].drop_duplicates()
    return {"rows_read": len(raw), "customers": int(kept["CustomerID"].nunique())}


# Helpers -------------------------------------------------------------------------------------


def settled(page) -> None:
    """Wait until Streamlit has finished the current script run (its 'running' widget is gone)."""
    browser_support.settled(page, STEP_TIMEOUT)


def open_page(page, title: str) -> None:
    """Go to a page through its link in the sidebar navigation, as a user does."""
    page.get_by_test_id("stSidebarNav").get_by_role("link", name=title, exact=True).click()
    expect(page.get_by_role("heading", name=title, exact=True).first).to_be_visible()


def wait_for_charts(page, count: int) -> None:
    """Wait until ``count`` plotly charts have been drawn (their SVG exists)."""
    expect(page.locator(".js-plotly-plot .main-svg").first).to_be_visible()
    page.wait_for_function(
        "n => document.querySelectorAll('.js-plotly-plot').length >= n", arg=count, timeout=STEP_TIMEOUT
    )


def node_fills(page) -> dict[str, str]:
    """The fill colour of each state in the first Graphviz chart of the page, by state name."""
    return page.evaluate(
        """() => Object.fromEntries(
            [...document.querySelector('[data-testid="stGraphVizChart"] svg').querySelectorAll('g.node')]
            .map(n => [n.querySelector('title').textContent.trim(),
                       n.querySelector('path, polygon, ellipse').getAttribute('fill')]))"""
    )


def _rgb(colour: str) -> tuple[int, int, int]:
    value = colour.lstrip("#")
    return int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16)


def is_green(colour: str) -> bool:
    """Whether a #rrggbb colour reads as green (its green channel clearly dominates)."""
    r, g, b = _rgb(colour)
    return g > r + 10 and g > b + 10


def is_grey(colour: str) -> bool:
    """Whether a #rrggbb colour is white or grey (no hue: a state drawn blank)."""
    r, g, b = _rgb(colour)
    return max(r, g, b) - min(r, g, b) <= 8


def screenshot(page, out_dir: Path, name: str) -> Path:
    """A full-page screenshot of the app, including what lies below the fold of the main area.

    Streamlit scrolls its main area inside the page, so the viewport is grown to the main
    area's height for the shot (and restored afterwards).
    """
    height = page.evaluate(
        "() => { const m = document.querySelector('[data-testid=\"stMain\"]');"
        " return m ? m.scrollHeight : document.body.scrollHeight; }"
    )
    page.set_viewport_size({"width": VIEWPORT["width"], "height": max(VIEWPORT["height"], int(height))})
    page.mouse.move(VIEWPORT["width"] - 5, 5)  # no hover effects (the sidebar's collapse button)
    settled(page)
    page.wait_for_function("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
    path = out_dir / name
    page.screenshot(path=str(path), full_page=True)
    page.set_viewport_size(VIEWPORT)
    return path


def publish(shots: list[Path]) -> None:
    """Copy the screenshots into docs/screenshots when UPDATE_SCREENSHOTS=1 (never in CI by default)."""
    if os.environ.get("UPDATE_SCREENSHOTS") != "1":
        return
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for shot in shots:
        shutil.copyfile(shot, SCREENSHOTS / shot.name)


# The journey ---------------------------------------------------------------------------------


def load_bundled_sample(page, figures: dict[str, int]) -> None:
    open_page(page, "Data")
    page.get_by_text("Bundled sample", exact=True).click()
    page.get_by_role("button", name="Load", exact=True).click()
    main = page.get_by_test_id("stMain")
    expect(main.get_by_role("heading", name="Active dataset")).to_be_visible()
    expect(main.get_by_text("online_retail_sample_40k.xlsx", exact=False).first).to_be_visible()
    rows_read = main.get_by_test_id("stMetric").filter(has_text="Rows read")
    expect(rows_read).to_contain_text(f"{figures['rows_read']:,}")
    customers = main.get_by_test_id("stMetric").filter(has_text="Customers")
    expect(customers).to_contain_text(f"{figures['customers']:,}")
    expect(main.get_by_role("heading", name=re.compile(r"^First \d+ rows as read"))).to_be_visible()
    wait_for_charts(page, 3)
    # The sidebar shows the dataset on every page.
    expect(page.get_by_test_id("stSidebar")).to_contain_text(f"{figures['customers']:,} customers")


def see_segments(page, figures: dict[str, int]) -> None:
    open_page(page, "Segments")
    main = page.get_by_test_id("stMain")
    expect(main.get_by_role("heading", name="What each segment means")).to_be_visible()
    expect(main.get_by_test_id("stMetric").filter(has_text="Customers")).to_contain_text(
        f"{figures['customers']:,}"
    )
    expect(main.get_by_role("button", name="Download the RFM table (CSV)")).to_be_visible()
    wait_for_charts(page, 4)


def launch_local_run(page) -> None:
    open_page(page, "Launch")
    main = page.get_by_test_id("stMain")
    expect(main.get_by_test_id("stGraphVizChart").locator("svg").first).to_be_visible()
    expect(main.get_by_label("Clusters (k)")).to_have_value(str(ClusteringParameters().k))
    expect(main.get_by_role("heading", name="Preflight")).to_be_visible()
    expect(main.get_by_role("button", name=LAUNCH_BUTTON)).to_be_enabled()


def watch_until_succeeded(page) -> None:
    """Press Launch; the app switches to Executions, where the run is watched until SUCCEEDED."""
    page.get_by_test_id("stMain").get_by_role("button", name=LAUNCH_BUTTON).click()
    main = page.get_by_test_id("stMain")
    expect(main.get_by_role("heading", name="Executions", exact=True).first).to_be_visible()
    status = main.get_by_test_id("stMetric").filter(has_text="Status")
    expect(status).to_contain_text("SUCCEEDED", timeout=RUN_TIMEOUT)
    expect(main.get_by_role("link", name=re.compile("Explore the clusters of this run"))).to_be_visible()
    # The graph is drawn by the app (Graphviz SVG), coloured like the console: the states the
    # run went through are green, the failure states it never reached are left blank.
    expect(main.get_by_test_id("stGraphVizChart").first.locator("svg g.node").first).to_be_visible()
    fills = node_fills(page)
    for state in SUCCESS_PATH:
        assert is_green(fills[state]), f"{state} is drawn {fills[state]}, not green: {fills}"
    for state in ("Workflow failed", "Quality too low"):
        assert not is_green(fills[state]) and is_grey(fills[state]), f"{state} is coloured: {fills}"
    expect(main.get_by_role("heading", name="Event history")).to_be_visible()


def explore_clusters(page, figures: dict[str, int]) -> None:
    open_page(page, "Clusters")
    main = page.get_by_test_id("stMain")
    expect(main.get_by_test_id("stMetric").filter(has_text="Silhouette")).to_be_visible()
    expect(main.get_by_test_id("stMetric").filter(has_text="Customers")).to_contain_text(
        f"{figures['customers']:,}"
    )
    # The 3-D scatter is drawn with WebGL (plotly's gl3d scene) and the cluster table below it.
    expect(main.locator(".js-plotly-plot .gl-container canvas").first).to_be_visible()
    expect(main.get_by_test_id("stDataFrame").first).to_be_visible()
    wait_for_charts(page, 4)


def launch_price_regression(page) -> None:
    """Choose the price-regression workflow in Launch's catalogue: its graph and fields replace
    clustering's."""
    open_page(page, "Launch")
    main = page.get_by_test_id("stMain")
    main.get_by_test_id("stRadio").get_by_text("Price regression", exact=True).click()
    expect(main.get_by_role("heading", name="Price regression")).to_be_visible()
    settled(page)
    threshold = main.get_by_role("spinbutton", name="RMSE threshold")
    expect(threshold).to_have_value(f"{RegressionParameters().rmse_threshold:.2f}")
    expect(main.get_by_role("spinbutton", name="Clusters (k)")).to_have_count(0)
    fills = node_fills(page)
    assert "Train XGBoost" in fills and "Train KMeans" not in fills, fills
    expect(main.get_by_role("button", name=LAUNCH_BUTTON)).to_be_enabled()


def watch_price_regression_and_open_its_predictions(page) -> None:
    """Press Launch, watch the run reach SUCCEEDED along the regression path, follow its link."""
    page.get_by_test_id("stMain").get_by_role("button", name=LAUNCH_BUTTON).click()
    main = page.get_by_test_id("stMain")
    expect(main.get_by_role("heading", name="Executions", exact=True).first).to_be_visible()
    expect(main.get_by_test_id("stMetric").filter(has_text="Status")).to_contain_text(
        "SUCCEEDED", timeout=RUN_TIMEOUT
    )
    expect(main.get_by_test_id("stGraphVizChart").first.locator("svg g.node").first).to_be_visible()
    fills = node_fills(page)
    for state in REGRESSION_SUCCESS_PATH:
        assert is_green(fills[state]), f"{state} is drawn {fills[state]}, not green: {fills}"
    assert not is_green(fills["RMSE too high"]), fills
    main.get_by_role("link", name=re.compile("See the price predictions of this run")).click()
    expect(main.get_by_role("heading", name="Price predictions", exact=True)).to_be_visible()
    expect(main.get_by_test_id("stMetric").filter(has_text="Validation RMSE")).to_be_visible()
    expect(main.get_by_test_id("stMetric").filter(has_text="RMSE threshold")).to_contain_text("30.00")
    expect(main.get_by_role("button", name="Download the predictions (CSV)")).to_be_visible()
    wait_for_charts(page, 4)


def test_analyst_loads_the_sample_sees_segments_clusters_and_predicts_prices_locally(
    page, server, sample_figures, tmp_path
):
    """The issue's journey end to end, as a user clicks it, with a screenshot at each step."""
    shots = []
    try:
        load_bundled_sample(page, sample_figures)
        shots.append(screenshot(page, tmp_path, "01-data.png"))
        see_segments(page, sample_figures)
        shots.append(screenshot(page, tmp_path, "02-segments.png"))
        launch_local_run(page)
        shots.append(screenshot(page, tmp_path, "03-launch.png"))
        watch_until_succeeded(page)
        shots.append(screenshot(page, tmp_path, "04-executions.png"))
        explore_clusters(page, sample_figures)
        shots.append(screenshot(page, tmp_path, "05-clusters.png"))
        launch_price_regression(page)
        watch_price_regression_and_open_its_predictions(page)
        shots.append(screenshot(page, tmp_path, "06-prices.png"))
    except Exception:
        # What the browser and the server saw when the step failed (pytest prints stdout).
        page.screenshot(path=str(tmp_path / "failure.png"), full_page=True)
        print(f"screenshot of the failure: {tmp_path / 'failure.png'}\nserver log:\n{server.log_tail()}")
        raise
    finally:
        publish(shots)
