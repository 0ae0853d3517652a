"""The analyst's journey in a real browser: Debian's chromium, driven by Playwright, against
``streamlit run app.py`` on 127.0.0.1 with a private data directory.

Load the bundled sample, read the cleaning report, open the segments, launch a local run, watch
it reach SUCCEEDED (a click on a state of its graph opens that state's details), and explore its
clusters; then choose the price-regression workflow, launch it, watch it and open its predictions.
Then every page is shot at 1400 and 800 px; set ``UPDATE_SCREENSHOTS=1`` to copy the shots into
docs/screenshots/ (the README shows the wide ones).
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
from support.browser_support import (
    REPO_ROOT,
    STATE_NAMES_OUTSIDE_BOXES,
    STEP_TIMEOUT,
    VIEWPORT,
    StreamlitServer,
    click_state,
    open_tab,
    streamlit_server,
)

from pipeline.workflows.clustering.parameters import ClusteringParameters
from pipeline.workflows.price_regression.parameters import RegressionParameters
from ui.sidebar import SIDEBAR_WIDTH

pytestmark = pytest.mark.browser

SCREENSHOTS = REPO_ROOT / "docs" / "screenshots"
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
    page_errors: list[str] = []
    with open_tab(browser) as tab:
        tab.on("pageerror", lambda error: page_errors.append(str(error)))
        tab.goto(server.url)
        yield tab
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


#: A page's heading where it is not the page's title in the navigation.
HEADINGS = {"Home": "RFM Workflow Studio", "Prices": "Price predictions"}


def open_page(page, title: str) -> None:
    """Go to a page through its link in the sidebar navigation, as a user does."""
    page.get_by_test_id("stSidebarNav").get_by_role("link", name=title, exact=True).click()
    heading = HEADINGS.get(title, title)
    expect(page.get_by_role("heading", name=heading, exact=True).first).to_be_visible()


def wait_for_charts(page, count: int) -> None:
    """Wait until ``count`` plotly charts have been drawn (their SVG exists)."""
    expect(page.locator(".js-plotly-plot .main-svg").first).to_be_visible()
    page.wait_for_function(
        "n => document.querySelectorAll('.js-plotly-plot').length >= n", arg=count, timeout=STEP_TIMEOUT
    )


def graph_statuses(page) -> dict[str, str]:
    """State name -> status, as the page's workflow graph draws it (Launch's preview or
    Executions'; each state's ``data-status``, whose colour its box takes)."""
    return page.evaluate(
        """() => Object.fromEntries([...document.querySelectorAll('svg.workflow-graph g.state')]
            .map(state => [state.getAttribute('data-state'), state.getAttribute('data-status')]))"""
    )


#: True once the page is fully drawn: its title, no skeleton, no script running, every chart's SVG.
DRAWN = """() => {
    const count = selector => document.querySelectorAll(selector).length;
    const charts = [...document.querySelectorAll('[data-testid="stPlotlyChart"]')];
    return count('[data-testid="stMain"] h1') > 0
        && count('[data-testid="stSkeleton"], [data-testid="stAppSkeleton"]') === 0
        && count('[data-testid="stStatusWidget"]') === 0
        && charts.every(chart => chart.querySelector('.main-svg'));
}"""
#: The widths every page is shot at: a wide desktop window and a narrow one.
WIDTHS = (1400, 800)
PAGES = ("Home", "Data", "Segments", "Launch", "Executions", "Clusters", "Prices")


#: Resolves with the main area's height once it has stayed the same for 10 animation frames:
#: elements still arriving after the page's title (charts, tables) grow it.
STABLE_HEIGHT = """() => new Promise(resolve => {
    const main = document.querySelector('[data-testid="stMain"]');
    const height = () => main ? main.scrollHeight : document.body.scrollHeight;
    let last = -1, same = 0;
    const tick = () => {
        const now = height();
        same = now === last ? same + 1 : 0;
        last = now;
        if (same >= 10) resolve(now); else requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
})"""

#: What is cut or overlapping on the page as drawn, as sentences (empty when all is legible):
#: a plotly title, axis title, subplot title, legend entry or tick label whose box leaves its
#: chart; two subplot titles or two upright tick labels of one axis that overlap; a widget
#: label, metric value or static table wider than the room it is given (cut off or scrolled).
LAYOUT_PROBLEMS = (
    """() => {
    const STATE_NAMES_OUTSIDE_BOXES = """
    + STATE_NAMES_OUTSIDE_BOXES
    + """;
    const problems = [];
    const inside = (inner, outer) => inner.left >= outer.left - 1 && inner.right <= outer.right + 1
        && inner.top >= outer.top - 1 && inner.bottom <= outer.bottom + 1;
    const overlap = (a, b) => a.left < b.right - 1 && b.left < a.right - 1
        && a.top < b.bottom - 1 && b.top < a.bottom - 1;
    const visible = box => box.width > 0 && box.height > 0;
    for (const plot of document.querySelectorAll('[data-testid="stPlotlyChart"] .js-plotly-plot')) {
        const chart = plot.getBoundingClientRect();
        const name = (plot.querySelector('.gtitle') || {}).textContent || '(untitled chart)';
        const texts = plot.querySelectorAll(
            '.gtitle, .g-gtitle text, .g-xtitle text, .g-ytitle text, .annotation-text, .legendtext, '
            + '.xtick text, .ytick text, .g-x2title text, .g-y2title text, .g-x3title text, .g-y3title text');
        for (const text of texts) {
            const box = text.getBoundingClientRect();
            if (visible(box) && !inside(box, chart)) {
                problems.push(`"${text.textContent}" leaves the chart "${name}"`);
            }
        }
        // Plotly's toolbar (laid out while hidden, shown on hover in the top right corner) has a
        // strip of its own (pipeline/views/style.py): no title, subtitle or subplot title under it.
        const bar = plot.querySelector('.modebar');
        const barBox = bar ? bar.getBoundingClientRect() : null;
        if (barBox && visible(barBox)) {
            const headings = plot.querySelectorAll(
                '.gtitle, .g-gtitle text, .gtitle-subtitle, .g-gtitle-subtitle text, .annotation-text');
            for (const heading of headings) {
                const box = heading.getBoundingClientRect();
                if (visible(box) && overlap(box, barBox)) {
                    problems.push(`the chart's toolbar covers "${heading.textContent}" in "${name}"`);
                }
            }
        }
        const titles = [...plot.querySelectorAll('.annotation-text')]
            .map(t => [t, t.getBoundingClientRect()]);
        titles.forEach(([a, boxA], i) => titles.slice(i + 1).forEach(([b, boxB]) => {
            if (visible(boxA) && visible(boxB) && overlap(boxA, boxB)) {
                problems.push(`"${a.textContent}" overlaps "${b.textContent}" in "${name}"`);
            }
        }));
        // A legend under the plot clear of the x-axis labels (at 12% of a short plot's height
        // below it, Clusters' legend covered "0%" and "20%").
        const legend = plot.querySelector('g.legend');
        const legendBox = legend ? legend.getBoundingClientRect() : null;
        if (legendBox && visible(legendBox)) {
            for (const tick of plot.querySelectorAll('.xtick text, .x2tick text')) {
                const box = tick.getBoundingClientRect();
                if (visible(box) && overlap(box, legendBox)) {
                    problems.push(`the legend covers the tick "${tick.textContent}" in "${name}"`);
                }
            }
        }
        for (const axis of plot.querySelectorAll('.xaxislayer-above, .yaxislayer-above')) {
            const ticks = [...axis.querySelectorAll('text')]
                .filter(t => !(t.getAttribute('transform') || '').includes('rotate'))
                .map(t => [t, t.getBoundingClientRect()]).filter(([, box]) => visible(box));
            ticks.forEach(([a, boxA], i) => ticks.slice(i + 1).forEach(([b, boxB]) => {
                if (overlap(boxA, boxB)) {
                    problems.push(`ticks "${a.textContent}" and "${b.textContent}" overlap in "${name}"`);
                }
            }));
        }
    }
    const cut = (selector, what) => {
        for (const element of document.querySelectorAll(selector)) {
            if (element.offsetParent !== null && element.scrollWidth > element.clientWidth + 1) {
                problems.push(`${what} "${element.textContent.slice(0, 60)}" is cut off`);
            }
        }
    };
    // Labels and metric values end in an ellipsis inside their markdown container; a static
    // table scrolls sideways inside the div around it.
    const text = '[data-testid="stMarkdownContainer"]';
    cut(`[data-testid="stMain"] [data-testid="stWidgetLabel"] ${text}`, 'the label');
    cut(`[data-testid="stMain"] [data-testid="stMetricValue"] ${text}`, 'the metric');
    cut('[data-testid="stMain"] [data-testid="stMetricValue"] > div', 'the metric');
    cut('[data-testid="stMain"] [data-testid="stTable"] > div', 'the table');
    // A selectbox shows its choice in an input, which cuts a long one with no overflow to see:
    // its text is measured in the input's own font against the room inside it.
    const measure = document.createElement('canvas').getContext('2d');
    const selects = '[data-testid="stMain"] [data-testid="stSelectbox"] input';
    for (const input of document.querySelectorAll(selects)) {
        if (input.offsetParent === null || !input.value) continue;
        const style = getComputedStyle(input);
        measure.font = `${style.fontWeight} ${style.fontSize} ${style.fontFamily}`;
        const room = input.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
        if (measure.measureText(input.value).width > room + 1) {
            problems.push(`the choice "${input.value.slice(0, 60)}" is cut off`);
        }
    }
    problems.push(...STATE_NAMES_OUTSIDE_BOXES());
    return problems;
}"""
)


def layout_problems(page) -> list[str]:
    """What is cut off or overlapping on the page as drawn now (``LAYOUT_PROBLEMS``)."""
    return page.evaluate(LAYOUT_PROBLEMS)


#: How many times a shot's viewport is grown to the main area's settled height, at most.
SHOT_FITS = 5


def screenshot(page, out_dir: Path, name: str, width: int = VIEWPORT["width"]) -> Path:
    """A full-page screenshot of the app at ``width``, including what lies below the fold.

    Streamlit scrolls its main area inside the page, so the viewport is grown to the main
    area's height for the shot (and restored afterwards), once that height has settled.
    """
    page.set_viewport_size({"width": width, "height": VIEWPORT["height"]})
    page.mouse.move(width - 5, 5)  # no hover effects (the sidebar's collapse button)
    # Grown until the main area fits the viewport: on a busy machine a chart can arrive after
    # the height first looked settled (a Prices shot once held only its first 1,000 px).
    for _ in range(SHOT_FITS):
        settled(page)
        page.wait_for_function(DRAWN, timeout=STEP_TIMEOUT)
        height = max(VIEWPORT["height"], int(page.evaluate(STABLE_HEIGHT)))
        if page.viewport_size == {"width": width, "height": height}:
            break
        page.set_viewport_size({"width": width, "height": height})
    path = out_dir / name
    page.screenshot(path=str(path), full_page=True, timeout=STEP_TIMEOUT)
    return path


def every_page_at_both_widths(page, out_dir: Path) -> tuple[list[Path], dict[str, list[str]]]:
    """A screenshot of every page at 1400 and 800 px (``NN-page-WIDTH.png``), and on each what
    the layout checks (``LAYOUT_PROBLEMS``) find cut off or overlapping, by page and width."""
    shots = []
    problems = {}
    for number, title in enumerate(PAGES, start=1):
        open_page(page, title)
        for width in WIDTHS:
            shots.append(screenshot(page, out_dir, f"{number:02d}-{title.lower()}-{width}.png", width))
            found = layout_problems(page)
            if found:
                problems[f"{title} at {width} px"] = found
            page.set_viewport_size(VIEWPORT)
    return shots, problems


def publish(shots: list[Path]) -> None:
    """Copy the screenshots into docs/screenshots when UPDATE_SCREENSHOTS=1 (never in CI by default)."""
    if os.environ.get("UPDATE_SCREENSHOTS") != "1":
        return
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for shot in shots:
        shutil.copyfile(shot, SCREENSHOTS / shot.name)


# The journey ---------------------------------------------------------------------------------


#: How many lines of text an element takes: its height over its line height.
LINES_OF_TEXT = "e => e.getBoundingClientRect().height / parseFloat(getComputedStyle(e).lineHeight)"


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
    # The sidebar shows the dataset on every page, at its own width, the file's name on one line.
    sidebar = page.get_by_test_id("stSidebar")
    expect(sidebar).to_contain_text(f"{figures['customers']:,} customers")
    assert sidebar.bounding_box()["width"] == pytest.approx(SIDEBAR_WIDTH, abs=1)
    for text in ("online_retail_sample_40k.xlsx", "Local engine (this machine)"):
        lines = sidebar.get_by_text(text, exact=True).evaluate(LINES_OF_TEXT)
        assert lines == pytest.approx(1, abs=0.4), f"{text!r} takes {lines:.1f} lines in the sidebar"


def see_segments(page, figures: dict[str, int]) -> None:
    open_page(page, "Segments")
    main = page.get_by_test_id("stMain")
    expect(main.get_by_role("heading", name="What each segment means")).to_be_visible()
    expect(main.get_by_test_id("stMetric").filter(has_text="Customers")).to_contain_text(
        f"{figures['customers']:,}"
    )
    expect(main.get_by_role("button", name="Download the RFM table (CSV)")).to_be_visible()
    # The open tab only: the treemap, plain HTML whose text alternative names every segment.
    treemap = main.get_by_role(
        "img", name=re.compile(r"^Segment sizes \(area\) and revenue share: Champions ")
    )
    expect(treemap).to_be_visible()
    expect(treemap.locator(".tm-tile").first).to_contain_text("Champions")
    expect(main.get_by_test_id("stPlotlyChart")).to_have_count(0)


#: How far the app's main area (which scrolls inside the window) is scrolled down, in px.
MAIN_SCROLL = "document.querySelector('[data-testid=\"stMain\"]').scrollTop"


def launch_local_run(page) -> None:
    open_page(page, "Launch")
    main = page.get_by_test_id("stMain")
    # The workflow as Executions draws it, legible (SVG at full width), every state not started.
    expect(main.get_by_role("heading", name="Customer clustering: the workflow")).to_be_visible()
    expect(main.locator("svg.workflow-graph g.state").first).to_be_visible()
    preview = graph_statuses(page)
    assert set(SUCCESS_PATH) <= set(preview) and set(preview.values()) == {"not reached"}
    expect(main.get_by_label("Clusters (k)")).to_have_value(str(ClusteringParameters().k))
    expect(main.get_by_role("heading", name="Preflight")).to_be_visible()
    expect(main.get_by_role("button", name=LAUNCH_BUTTON)).to_be_enabled()


def watch_until_succeeded(page) -> None:
    """Press Launch; the app switches to Executions, where the run is watched until SUCCEEDED."""
    main = page.get_by_test_id("stMain")
    launch = main.get_by_role("button", name=LAUNCH_BUTTON)
    launch.scroll_into_view_if_needed()
    assert page.evaluate(MAIN_SCROLL) > 0  # the button is below the fold
    launch.click()
    expect(main.get_by_role("heading", name="Executions", exact=True).first).to_be_visible()
    # Executions opens at its top, "Run shown" in view (a page switch kept Launch's scroll).
    page.wait_for_function(f"() => ({MAIN_SCROLL}) === 0", timeout=STEP_TIMEOUT)
    expect(main.get_by_role("combobox", name="Run shown")).to_be_in_viewport()
    status = main.get_by_test_id("stMetric").filter(has_text="Status")
    expect(status).to_contain_text("SUCCEEDED", timeout=RUN_TIMEOUT)
    expect(main.get_by_role("link", name=re.compile("Explore the clusters of this run"))).to_be_visible()
    # The graph is drawn by the app (SVG), coloured like the console: the states the run went
    # through succeeded, the failure states it never reached are left blank.
    # The timeline and the event history are tabs below the step details, the timeline open first:
    # plain HTML (no chart to mount on each run switch), one bar a state visit, read as one image.
    expect(main.get_by_role("tab", name="Timeline", exact=True)).to_have_attribute("aria-selected", "true")
    timeline = main.get_by_role("img", name=re.compile(r"^Timeline of \d+ state visits: "))
    expect(timeline).to_be_visible()
    expect(timeline.locator(".tl-bar")).to_have_count(len(SUCCESS_PATH))
    expect(main.locator('svg.workflow-graph g.state[data-status="succeeded"]')).to_have_count(
        len(SUCCESS_PATH)
    )
    statuses = graph_statuses(page)
    for state in SUCCESS_PATH:
        assert statuses[state] == "succeeded", statuses
    for state in ("Workflow failed", "Quality too low"):
        assert statuses[state] == "not reached", statuses
    # A click on a state opens its details panel: the training job and its figures.
    click_state(page, "Train KMeans")
    expect(main.get_by_role("heading", name="Train KMeans", exact=True)).to_be_visible()
    expect(main.get_by_text("SageMaker training job", exact=True)).to_be_visible()
    # The event history's tab draws its grid in place of the timeline.
    main.get_by_role("tab", name="Event history", exact=True).click()
    expect(main.get_by_text("Event details", exact=True)).to_be_visible()
    expect(timeline).to_have_count(0)
    expect(main.locator(".js-plotly-plot")).to_have_count(0)  # no chart: the graph is SVG


def explore_clusters(page, figures: dict[str, int]) -> None:
    open_page(page, "Clusters")
    main = page.get_by_test_id("stMain")
    expect(main.get_by_test_id("stMetric").filter(has_text="Silhouette")).to_be_visible()
    expect(main.get_by_test_id("stMetric").filter(has_text="Customers")).to_contain_text(
        f"{figures['customers']:,}"
    )
    # The view open first: the sizes' bars, the profiles' table (plain HTML, no chart) and the
    # cluster table; the 3-D scatter, drawn with WebGL (plotly's gl3d scene), is the next view's,
    # drawn ahead out of sight and shown when its tab is opened.
    expect(main.get_by_test_id("stTable").first).to_be_visible()
    sizes = main.get_by_role("img", name=re.compile(r"^Cluster sizes and revenue share\. "))
    expect(sizes).to_contain_text("Customers")
    profiles = main.get_by_role("table", name="Cluster profiles")
    expect(profiles.get_by_role("columnheader")).to_have_text(["Cluster", "Recency", "Frequency", "Monetary"])
    expect(main.get_by_test_id("stPlotlyChart")).to_have_count(0)
    main.get_by_role("tab", name="3-D scatter", exact=True).click()
    # One Plotly scene kept across run switches (ui.scene_component), not a st.plotly_chart.
    scene = main.get_by_role("img", name=re.compile(r"^Customers by R, F and M \(log axes\)"))
    expect(scene.locator(".gl-container canvas").first).to_be_visible()
    expect(scene.locator(".gtitle")).to_have_text("Customers by R, F and M (log axes)")
    expect(main.get_by_test_id("stPlotlyChart")).to_have_count(0)


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
    expect(main.get_by_role("heading", name="Price regression: the workflow")).to_be_visible()
    settled(page)
    states = list(graph_statuses(page))
    assert set(REGRESSION_SUCCESS_PATH) <= set(states) and "Train KMeans" not in states, states
    expect(main.get_by_role("button", name=LAUNCH_BUTTON)).to_be_enabled()


def watch_price_regression_and_open_its_predictions(page) -> None:
    """Press Launch, watch the run reach SUCCEEDED along the regression path, follow its link."""
    page.get_by_test_id("stMain").get_by_role("button", name=LAUNCH_BUTTON).click()
    main = page.get_by_test_id("stMain")
    expect(main.get_by_role("heading", name="Executions", exact=True).first).to_be_visible()
    expect(main.get_by_test_id("stMetric").filter(has_text="Status")).to_contain_text(
        "SUCCEEDED", timeout=RUN_TIMEOUT
    )
    expect(main.get_by_role("tab", name="Event history", exact=True)).to_be_visible()
    expect(main.get_by_role("img", name=re.compile(r"^Timeline of \d+ state visits: "))).to_be_visible()
    expect(main.locator('svg.workflow-graph g.state[data-status="succeeded"]')).to_have_count(
        len(SUCCESS_PATH)
    )
    statuses = graph_statuses(page)
    for state in REGRESSION_SUCCESS_PATH:
        assert statuses[state] == "succeeded", statuses
    assert statuses["RMSE too high"] == "not reached", statuses
    main.get_by_role("link", name=re.compile("See the price predictions of this run")).click()
    expect(main.get_by_role("heading", name="Price predictions", exact=True)).to_be_visible()
    expect(main.get_by_test_id("stMetric").filter(has_text="Validation RMSE")).to_be_visible()
    expect(main.get_by_test_id("stMetric").filter(has_text="RMSE threshold")).to_contain_text("30.00")
    expect(main.get_by_role("button", name="Download the predictions (CSV)")).to_be_visible()
    # The views are tabs, only the open one drawn: Errors, its RMSE bars (HTML) and the residuals.
    expect(main.get_by_role("tab", name="Errors", exact=True)).to_have_attribute("aria-selected", "true")
    rmse = main.get_by_role("img", name=re.compile(r"^RMSE by split against the threshold 30: train "))
    expect(rmse).to_contain_text("Validation")
    wait_for_charts(page, 1)
    expect(main.locator(".js-plotly-plot")).to_have_count(1)


def test_analyst_loads_the_sample_sees_segments_clusters_and_predicts_prices_locally(
    page, server, sample_figures, tmp_path
):
    """The issue's journey end to end, as a user clicks it, with a screenshot at each step."""
    shots: list[Path] = []
    problems: dict[str, list[str]] = {}
    try:
        load_bundled_sample(page, sample_figures)
        see_segments(page, sample_figures)
        launch_local_run(page)
        watch_until_succeeded(page)
        explore_clusters(page, sample_figures)
        launch_price_regression(page)
        watch_price_regression_and_open_its_predictions(page)
        shots, problems = every_page_at_both_widths(page, tmp_path)
    except Exception:
        # What the browser and the server saw when the step failed (pytest prints stdout).
        page.screenshot(path=str(tmp_path / "failure.png"), full_page=True)
        print(f"screenshot of the failure: {tmp_path / 'failure.png'}\nserver log:\n{server.log_tail()}")
        raise
    finally:
        publish(shots)
    # Nothing cut off or overlapping on any page at either width (checked after the shots are
    # kept, so a failure can be looked at).
    assert not problems, problems
