"""Which widget changes rerun only their part of the page (issue 10: every widget change under
0.3 s in the browser, benchmarks/bench_browser_pages.py).

A Streamlit fragment's rerun is asked for by the browser: the rerun message it sends names the
fragment (``RerunScript.fragment_id``); a rerun of the whole page names none. AppTest always
reruns the whole script, so this is seen here, in chromium, by reading the messages the page
sends. Each test also checks the change did what the user asked.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Locator, expect
from support.browser_support import STEP_TIMEOUT, Reruns, StreamlitServer, open_tab, settled, streamlit_server

from ui.launch import DEFINITIONS_LABEL

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Iterator[StreamlitServer]:
    home = tmp_path_factory.mktemp("fragments-home")
    logs = tmp_path_factory.mktemp("fragments-logs")
    with streamlit_server(home, logs) as running:
        yield running


@pytest.fixture
def loaded_tab(browser, server):
    """A tab that has loaded the bundled sample, with its rerun requests recorded."""
    with open_tab(browser) as page:
        reruns = Reruns(page)
        page.goto(server.url)
        page.get_by_test_id("stSidebarNav").get_by_role("link", name="Data", exact=True).click()
        main = page.get_by_test_id("stMain")
        main.get_by_text("Bundled sample", exact=True).click()
        main.get_by_role("button", name="Load", exact=True).click()
        expect(main.get_by_role("heading", name="Active dataset")).to_be_visible()
        settled(page, STEP_TIMEOUT)
        yield page, reruns


def open_page(page, title: str) -> None:
    page.get_by_test_id("stSidebarNav").get_by_role("link", name=title, exact=True).click()
    expect(page.get_by_test_id("stMain").get_by_role("heading", name=title, exact=True).first).to_be_visible()
    settled(page, STEP_TIMEOUT)


def type_number(page, label: str, value: str):
    box = page.get_by_test_id("stMain").get_by_role("spinbutton", name=label)

    def act() -> None:
        box.fill(value)
        box.press("Enter")

    return act


def test_a_launch_parameter_reruns_its_fragment_and_the_workflow_choice_the_page(loaded_tab):
    page, reruns = loaded_tab
    open_page(page, "Launch")
    main = page.get_by_test_id("stMain")
    expect(main.get_by_text(DEFINITIONS_LABEL)).to_be_visible()
    expect(main.get_by_test_id("stCode")).to_have_count(0)  # the definitions are drawn once opened

    sent = reruns.after(page, type_number(page, "Clusters (k)", "4"))
    assert len(sent) == 1 and sent[0] != "", sent  # the parameters' fragment
    expect(main.get_by_role("spinbutton", name="Clusters (k)")).to_have_value("4")

    sent = reruns.after(page, lambda: main.get_by_text("Sweep a range of k", exact=True).click())
    assert len(sent) == 1 and sent[0] != "", sent
    expect(main.get_by_text("k range", exact=True)).to_be_visible()

    catalogue = main.get_by_test_id("stRadio").filter(has_text="Price regression")
    sent = reruns.after(page, lambda: catalogue.get_by_text("Price regression", exact=True).click())
    assert sent == [""]  # the whole page: the graph and the definitions follow the workflow
    expect(main.get_by_role("heading", name="Price regression: the workflow")).to_be_visible()

    main.get_by_text(DEFINITIONS_LABEL).click()
    expect(main.get_by_test_id("stCode").filter(has_text='"StartAt": "Prepare data"').first).to_be_visible()


def launch_and_watch(page, k: str) -> None:
    """Launch a clustering run with ``k`` clusters from Launch and wait on Executions for its success."""
    open_page(page, "Launch")
    main = page.get_by_test_id("stMain")
    type_number(page, "Clusters (k)", k)()
    settled(page, STEP_TIMEOUT)
    main.get_by_role("button", name="Launch", exact=True).click()
    expect(main.get_by_role("heading", name="Executions", exact=True).first).to_be_visible()
    expect(main.get_by_test_id("stMetric").filter(has_text="Status")).to_contain_text(
        "SUCCEEDED", timeout=STEP_TIMEOUT
    )


def expect_one_title(titles: Locator, text: str) -> None:
    """Wait for one chart title reading ``text``.

    While a chart is redrawn the page may hold two title nodes for a moment (the old one, or a
    second copy Streamlit's theme draws with the title bolded twice): a strict locator read then
    fails at once instead of waiting. So wait for the title, then for it alone.
    """
    expect(titles.filter(has_text=text).first).to_be_visible()
    expect(titles).to_have_count(1)
    expect(titles.first).to_have_text(text)


def test_clusters_toggle_and_search_rerun_their_fragments_not_the_scatter(loaded_tab):
    page, reruns = loaded_tab
    launch_and_watch(page, "4")
    main = page.get_by_test_id("stMain")
    open_page(page, "Clusters")
    charts = main.get_by_test_id("stPlotlyChart")
    # Only the open view is drawn: the sizes and profiles (plain HTML) with their table, not the
    # 3-D scatter.
    expect(main.get_by_test_id("stTable").first).to_be_visible()
    expect(main.get_by_role("table", name="Cluster profiles")).to_be_visible()
    expect(charts).to_have_count(0)
    expect(main.locator(".js-plotly-plot .gl-container canvas")).to_have_count(0)
    reruns.after(page, lambda: main.get_by_role("tab", name="3-D scatter", exact=True).click())
    expect(main.locator(".sc-holder .gl-container canvas").first).to_be_visible()
    expect(charts).to_have_count(0)  # the scene is ui.scene_component's, not a st.plotly_chart
    expect(main.get_by_test_id("stTable")).to_have_count(0)

    sent = reruns.after(page, lambda: main.get_by_role("tab", name="Segments", exact=True).click())
    # A tab reruns the run's part (a fragment), which draws the view just opened, not the page.
    assert len(sent) == 1 and sent[0] != "", sent
    # Clusters by segment: a table (cluster_html.segments_html), one column a cluster.
    heatmap_title = main.locator("caption").filter(has_text="Clusters by RFM segment")
    expect_one_title(heatmap_title, "Clusters by RFM segment (customers)")
    table = main.get_by_role("table", name=re.compile("^Clusters by RFM segment"))
    expect(table.get_by_role("row").first.get_by_role("columnheader")).to_have_count(1 + 4)  # k=4
    expect(charts).to_have_count(0)
    expect(main.locator(".sc-holder")).to_have_count(0)  # the scatter is gone

    sent = reruns.after(page, lambda: main.get_by_text("Show each cluster's segments as shares").click())
    assert len(sent) == 1 and sent[0] != "", sent
    expect(main.get_by_label("Show each cluster's segments as shares")).to_be_checked()
    # The fragment's rerun may end (for the browser) before the old chart is taken away.
    expect_one_title(heatmap_title, "Clusters by RFM segment (share of each cluster)")

    reruns.after(page, lambda: main.get_by_role("tab", name="Customers", exact=True).click())
    every_customer = re.compile(r"^([\d,]+) of \1 customers$")
    expect(main.get_by_text(every_customer)).to_be_visible()  # the view is drawn: its grid is there
    expect(main.get_by_test_id("stPlotlyChart")).to_have_count(0)
    search = main.get_by_role("textbox", name="Search")

    def look_up() -> None:
        search.fill("Germany")
        search.press("Enter")

    sent = reruns.after(page, look_up)
    assert len(sent) == 1 and sent[0] != "", sent
    expect(main.get_by_text(re.compile(r"^\d[\d,]* of [\d,]+ customers$"))).not_to_have_text(every_customer)


def test_clusters_open_view_stays_open_when_another_run_is_chosen(loaded_tab):
    page, reruns = loaded_tab
    launch_and_watch(page, "3")
    launch_and_watch(page, "5")  # the newest: the run Clusters opens on
    main = page.get_by_test_id("stMain")
    open_page(page, "Clusters")
    reruns.after(page, lambda: main.get_by_role("tab", name="Segments", exact=True).click())
    reruns.after(page, lambda: main.get_by_text("Show each cluster's segments as shares").click())
    k = main.get_by_test_id("stMetric").filter(has_text="Clusters (k)")
    expect(k).to_contain_text("5")

    main.get_by_role("combobox", name="Succeeded run").click()
    page_runs = reruns.page_runs
    sent = reruns.after(page, lambda: page.get_by_role("option").filter(has_text="k=3").first.click())

    # The box is the page's own, so the browser asks for the page's rerun; the box's callback
    # reruns the part that shows the run instead (a fragment): no navigation sent again.
    assert sent == [""], sent
    assert reruns.page_runs == page_runs
    expect(k).to_contain_text("3")
    expect(main.get_by_role("tab", name="Segments", exact=True)).to_have_attribute("aria-selected", "true")
    expect(main.get_by_label("Show each cluster's segments as shares")).to_be_checked()  # kept
    heatmap = main.locator("caption").filter(has_text="Clusters by RFM segment")
    expect_one_title(heatmap, "Clusters by RFM segment (share of each cluster)")
    # the k=3 run's three clusters, one column each beside the segments' names
    table = main.get_by_role("table", name=re.compile("^Clusters by RFM segment"))
    expect(table.get_by_role("row").first.get_by_role("columnheader")).to_have_count(1 + 3)
    expect(main.locator(".sc-holder")).to_have_count(0)

    # The open view is in the address beside the run (the tabs are bound to it): a reload, a new
    # session, opens the same run on the same view.
    expect(page).to_have_url(re.compile(r"[?&]clusters_view=Segments(&|$)"))
    page.reload()
    expect(main.get_by_role("tab", name="Segments", exact=True)).to_have_attribute("aria-selected", "true")
    expect(k).to_contain_text("3")
    expect(heatmap.first).to_be_visible()


def drawn_run(page) -> str:
    """The run the 3-D scene has drawn (``ui.scene_component`` marks it once Plotly is done)."""
    return page.get_by_test_id("stMain").locator(".sc-holder[data-drawn]").get_attribute("data-drawn")


#: True when no 3-D scene has work to come or under way (``ui.scene_component``: the scenes drawn
#: ahead, the requests for their figures).
SCENES_SETTLED = "() => [...document.querySelectorAll('.sc-holder')].every(holder => !holder.scBusy())"

#: True when the scene's camera eye is at ``[holder, eye]``'s eye (a relayout ends after the swap).
EYE_AT = """([holder, eye]) => {
  const at = holder._fullLayout.scene.camera.eye;
  return ["x", "y", "z"].every(axis => Math.abs(at[axis] - eye[axis]) < 1e-6);
}"""


def test_clusters_3d_scatter_swaps_in_a_scene_drawn_ahead_or_updates_its_own(loaded_tab):
    # Streamlit made each run's scatter a new chart, and so a new WebGL scene (0.5-1.6 s in this
    # chromium); the one scene updated in place (Plotly.react) took 0.1-0.2 s of WebGL. The runs
    # next to the one shown in the box are drawn ahead behind it, each in a scene of its own: a
    # switch to one of them swaps its element in, not drawn again. A switch to any other run
    # updates the scene shown in place.
    page, reruns = loaded_tab
    for k in ("2", "3", "4", "5", "6"):  # the box, newest first: k=6, k=5, k=4, k=3, k=2 (and older)
        launch_and_watch(page, k)
    main = page.get_by_test_id("stMain")
    open_page(page, "Clusters")
    reruns.after(page, lambda: main.get_by_role("tab", name="3-D scatter", exact=True).click())
    picker = main.get_by_role("combobox", name="Succeeded run")
    k = main.get_by_test_id("stMetric").filter(has_text="Clusters (k)")
    expect(main.locator(".sc-holder[data-drawn]")).to_have_count(1)
    newest = drawn_run(page)
    expect(main.locator(".sc-holder .legend .traces")).to_have_count(6)  # the k=6 run's clusters
    # Once the page is idle, the k=5, k=4 and k=3 runs' scenes are drawn out of sight.
    parked = page.locator("#sc-parking .sc-holder[data-drawn]")
    expect(parked).to_have_count(3, timeout=STEP_TIMEOUT)
    page.wait_for_function(SCENES_SETTLED, timeout=STEP_TIMEOUT)
    assert sorted(spare.locator(".legend .traces").count() for spare in parked.all()) == [3, 4, 5]
    parked.evaluate_all("spares => spares.forEach(spare => { spare.keptAcross = spare.scDraws; })")
    canvas = main.locator(".sc-holder .gl-container canvas").first
    expect(canvas).to_be_visible()
    buttons = main.locator(".sc-holder .modebar-btn")
    assert buttons.count() > 0
    titles = [button.get_attribute("data-title") or "" for button in buttons.all()]
    assert not [title for title in titles if "share" in title.lower() or "cloud" in title.lower()], titles
    box = canvas.bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] / 2 + 120, box["y"] + box["height"] / 2 + 40, steps=8)
    page.mouse.up()  # the user turns the scene
    holder = main.locator(".sc-holder")
    turned = holder.evaluate("holder => holder.layout.scene.camera.eye")  # where a drag puts it
    assert turned != pytest.approx({"x": 1.85, "y": 1.85, "z": 1.2})  # the figure's own eye

    # A run near it (third in the box after it): its scene, drawn ahead, is swapped in as it was
    # drawn, turned as the user turned the one shown (to compare the runs from one angle).
    picker.click()
    reruns.after(page, lambda: page.get_by_role("option").filter(has_text="k=3").first.click())
    expect(k).to_contain_text("3")
    expect(main.locator(".sc-holder[data-drawn]")).not_to_have_attribute("data-drawn", newest)
    k3 = drawn_run(page)
    assert k3.startswith("arn:") and k3 != newest
    assert holder.evaluate("holder => holder.keptAcross === holder.scDraws")  # drawn ahead, not again
    expect(holder.locator(".legend .traces")).to_have_count(3)
    page.wait_for_function(EYE_AT, arg=[holder.element_handle(), turned])
    expect(holder).to_have_attribute("aria-label", re.compile(r"^Customers by R, F and M \(log axes\)"))
    # The run left waits out of sight, drawn, for a switch back, until the page is idle: then its
    # scene is handed to a run next to k=3 (the k=2 run, below it) that was not drawn ahead.
    expect(page.locator(f'#sc-parking .sc-holder[data-drawn="{newest}"]')).to_have_count(1)
    page.wait_for_function(SCENES_SETTLED, timeout=STEP_TIMEOUT)
    expect(parked).to_have_count(3)
    expect(page.locator(f'#sc-parking .sc-holder[data-drawn="{newest}"]')).to_have_count(0)
    holder.evaluate("holder => { holder.drawsBefore = holder.scDraws; }")
    canvas.evaluate("canvas => { canvas.keptAcross = true; }")

    # The newest run, three places above k=3, not drawn ahead: the scene shown is updated in place
    # (Plotly.react), the same element and the same WebGL canvas, still turned.
    picker.click()
    reruns.after(page, lambda: page.get_by_role("option").first.click())
    expect(main.locator(".sc-holder[data-drawn]")).to_have_attribute("data-drawn", newest)
    assert holder.evaluate("holder => holder.scDraws === holder.drawsBefore + 1")  # the same element
    canvas = main.locator(".sc-holder .gl-container canvas").first
    assert canvas.evaluate("canvas => canvas.keptAcross === true")  # ... and the same WebGL canvas
    eye = holder.evaluate("holder => holder._fullLayout.scene.camera.eye")
    assert eye == pytest.approx(turned)
    clusters_k = int(re.search(r"\d+", k.get_by_test_id("stMetricValue").inner_text()).group())
    expect(holder.locator(".legend .traces")).to_have_count(clusters_k)  # that run's clusters
    expect(holder).to_have_attribute("aria-label", re.compile(r"^Customers by R, F and M \(log axes\)"))
    expect(main.get_by_test_id("stPlotlyChart")).to_have_count(0)

    # The app follows the system's light or dark setting: when it changes, Streamlit hands the
    # component its data again and the scene is drawn in the page's new text colour.
    title = holder.locator(".gtitle")
    light = title.evaluate("title => getComputedStyle(title).fill")
    try:
        page.emulate_media(color_scheme="dark")
        recoloured = "([title, before]) => getComputedStyle(title).fill !== before"
        page.wait_for_function(recoloured, arg=[title.element_handle(), light])
        ink = holder.evaluate("holder => getComputedStyle(holder).color")
        assert title.evaluate("title => getComputedStyle(title).fill") == ink != light
        # ... and the scenes drawn ahead are drawn again in it, once idle: a switch shows no other look.
        page.wait_for_function(SCENES_SETTLED, timeout=STEP_TIMEOUT)
        spare_titles = page.locator("#sc-parking .sc-holder .gtitle").all()
        assert len(spare_titles) == 3
        assert {spare.evaluate("title => getComputedStyle(title).fill") for spare in spare_titles} == {ink}
    finally:
        page.emulate_media(color_scheme="light")


def test_clusters_draws_the_3d_scatter_ahead_while_profiles_is_open(loaded_tab, browser, server):
    # The 3-D scatter's first opening in a tab took 2.4 s without a GPU, most of it Plotly.js and
    # the WebGL scene (issue 10, benchmarks/README.md rounds 22-23). A new tab opened on Clusters
    # draws the scene once idle, out of sight, and the tab opens on that very scene, not drawn again.
    page, _ = loaded_tab
    launch_and_watch(page, "3")
    with open_tab(browser) as fresh:
        fresh.goto(f"{server.url}/clusters")
        main = fresh.get_by_test_id("stMain")
        profiles = main.get_by_role("tab", name="Profiles", exact=True)
        expect(profiles).to_have_attribute("aria-selected", "true")
        parked = fresh.locator("#sc-parking .sc-holder[data-drawn]")
        expect(parked).to_have_count(1, timeout=STEP_TIMEOUT)
        run = parked.get_attribute("data-drawn")
        assert run.startswith("arn:")
        # Out of sight and out of reach: no chart in the page, nothing a user or a reader meets.
        expect(main.get_by_test_id("stPlotlyChart")).to_have_count(0)
        expect(main.locator(".sc-holder")).to_have_count(0)
        spot = fresh.locator("#sc-parking")
        assert spot.evaluate("spot => spot.inert && spot.getAttribute('aria-hidden') === 'true'")
        assert not spot.evaluate("spot => spot.getBoundingClientRect().right > 0")
        parked.evaluate("holder => { holder.keptAcross = true; }")
        draws = parked.evaluate("holder => holder.scDraws")
        # The window narrowed while the tab is closed: the waiting scene follows the tabs' width.
        tabs_width = "() => document.querySelector('[data-testid=stMain] [data-testid=stTabs]').clientWidth"
        wide = fresh.evaluate(tabs_width)
        fresh.set_viewport_size({"width": 1000, "height": 900})
        narrow = fresh.evaluate(tabs_width)
        assert narrow < wide
        fresh.wait_for_function(
            "([holder, width]) => holder._fullLayout.width === width && !holder.scBusy()",
            arg=[parked.element_handle(), narrow],
        )

        main.get_by_role("tab", name="3-D scatter", exact=True).click()
        holder = main.locator(".sc-holder[data-drawn]")
        expect(holder).to_have_count(1)
        expect(holder.locator(".gl-container canvas").first).to_be_visible()
        settled(fresh, STEP_TIMEOUT)
        # the tab's run has handed the scene its data (the same figure), and nothing is under way
        fresh.wait_for_function(
            "holder => holder.scShown === true && !holder.scBusy()", arg=holder.element_handle()
        )
        assert holder.evaluate("holder => holder.keptAcross === true")  # the scene drawn ahead ...
        assert holder.evaluate("holder => holder.scDraws") == draws  # ... not drawn again
        assert holder.get_attribute("data-drawn") == run
        # drawn at the width it has in the page, before the tab opened
        assert holder.evaluate("holder => [holder.offsetWidth, holder._fullLayout.width]") == [narrow, narrow]
        expect(holder).to_have_attribute("aria-label", re.compile(r"^Customers by R, F and M \(log axes\)"))

        # Another view: the scene waits out of sight again, drawn; another page: it is let go.
        main.get_by_role("tab", name="Segments", exact=True).click()
        expect(main.locator(".sc-holder")).to_have_count(0)
        expect(fresh.locator(f'#sc-parking .sc-holder[data-drawn="{run}"]')).to_have_count(1)
        fresh.evaluate("() => { window.scCanvases = [...document.querySelectorAll('.sc-holder canvas')]; }")
        open_page(fresh, "Executions")
        expect(fresh.locator(".sc-holder")).to_have_count(0)
        # ... and their WebGL contexts at once, not once the canvases are collected: chromium keeps
        # 16 live contexts, and each visit to the 3-D view makes up to three.
        lost = "() => window.scCanvases.map(canvas => canvas.getContext('webgl').isContextLost())"
        assert set(fresh.evaluate(lost)) == {True}
