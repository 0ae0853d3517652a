"""ui.live_chart: a Plotly chart whose identity is its key, so a rerun with a new figure updates
it in place (the browser side is tested in tests/browser/test_browser_live_chart.py)."""

from __future__ import annotations

import json
import shutil

from streamlit.testing.v1 import AppTest
from support.page_support import figures

from ui import live_chart

# A page with one widget that changes both charts' figures: bars for "a", a line for "b".
PAGE = """
import plotly.graph_objects as go
import streamlit as st
from ui.live_chart import live_chart

choice = st.radio("Data", ["a", "b"], key="choice")
figure = go.Figure(go.Bar(x=[1, 2], y=[3, 4]) if choice == "a" else go.Scatter(x=[1, 2, 3], y=[5, 6, 7]))
figure.update_layout(height=320, font={"size": 11}, title={"text": "Chosen: " + choice})
live_chart(figure, key="the_chart")
st.plotly_chart(figure, key="plain_chart")
"""


def run_page(choice: str | None = None) -> AppTest:
    at = AppTest.from_string(PAGE)
    at.run()
    if choice is not None:
        at.radio(key="choice").set_value(choice).run()
    assert not at.exception
    return at


def elements(at: AppTest, kind: str) -> list:
    found = []

    def visit(node) -> None:
        if getattr(node, "type", None) == kind:
            found.append(node)
        for child in getattr(node, "children", {}).values():
            visit(child)

    visit(at._tree)
    return found


def test_the_chart_keeps_its_identity_when_its_figure_changes():
    first, second = run_page(), run_page("b")

    (live_a,), (live_b,) = elements(first, "component_instance"), elements(second, "component_instance")
    assert live_a.proto.id == live_b.proto.id  # the browser keeps the chart and its frame
    (plain_a,), (plain_b,) = elements(first, "plotly_chart"), elements(second, "plotly_chart")
    # Why this module exists: st.plotly_chart's id follows its figure, whatever its key, so the
    # browser replaces the chart. If this fails, Streamlit changed it and the chart may be unneeded.
    assert plain_a.proto.id != plain_b.proto.id


def test_the_figure_reaches_the_frame_with_its_data_and_layout():
    at = run_page("b")

    live, plain = figures(at)
    assert live["data"] == plain["data"]
    assert live["data"][0]["type"] == "scatter" and live["data"][0]["y"] == [5, 6, 7]
    assert live["layout"]["title"]["text"] == "Chosen: b"
    arguments = json.loads(elements(at, "component_instance")[0].proto.json_args)
    assert arguments["height"] == 320


def test_the_figure_goes_without_its_template_the_frame_gives_it_streamlits():
    live, plain = figures(run_page())

    assert "template" not in live["layout"]  # 8 KB of plotly_white a rerun, and the frame's look wins
    assert live["layout"]["font"] == plain["layout"]["font"] == {"size": 11}  # its own font kept


def test_the_frames_look_is_streamlits_chart_template_in_both_themes():
    look = (live_chart.FRONTEND / "streamlit_look.js").read_text(encoding="utf-8")
    templates = json.loads(look[look.index("= ") + 2 :].rstrip().rstrip(";"))

    assert set(templates) == {"light", "dark"}
    light, dark = templates["light"]["layout"], templates["dark"]["layout"]
    assert light["font"]["family"] == dark["font"]["family"] == '"Source Sans", sans-serif'
    assert light["paper_bgcolor"] != dark["paper_bgcolor"]  # each theme's background
    assert light["colorway"][0] == "#636efa"  # plotly_white's, as every chart of the app


def test_a_figure_without_a_height_gets_plotlys_default_height():
    at = AppTest.from_string(
        "import plotly.graph_objects as go\nfrom ui.live_chart import live_chart\n"
        "live_chart(go.Figure(go.Bar(x=[1], y=[2])), key='c')"
    )
    at.run()

    arguments = json.loads(elements(at, "component_instance")[0].proto.json_args)
    assert arguments["height"] == 450


def test_the_served_folder_holds_the_frame_and_the_packages_plotly_js():
    folder = live_chart._served_folder()

    assert {path.name for path in folder.iterdir()} == {
        "index.html",
        "live_chart.js",
        "streamlit_look.js",
        "plotly.min.js",
    }
    assert (folder / "plotly.min.js").read_bytes() == live_chart.PLOTLY_JS.read_bytes()
    assert 'src="plotly.min.js"' in (folder / "index.html").read_text()


def test_the_served_folder_is_made_once_and_anew_when_the_frontend_changes(tmp_path, monkeypatch):
    first = live_chart._served_folder()
    made = (first / "plotly.min.js").stat().st_mtime_ns
    assert live_chart._served_folder() == first
    assert (first / "plotly.min.js").stat().st_mtime_ns == made  # not copied again

    frontend = tmp_path / "frontend"
    shutil.copytree(live_chart.FRONTEND, frontend)
    (frontend / "live_chart.js").write_text("// a new version\n", encoding="utf-8")
    monkeypatch.setattr(live_chart, "FRONTEND", frontend)

    changed = live_chart._served_folder()
    assert changed != first
    assert (changed / "live_chart.js").read_text() == "// a new version\n"
