"""Write ui/live_chart_frontend/streamlit_look.js: the Plotly template st.plotly_chart gives this
app's charts in Streamlit's light and dark themes, read from a real browser.

A live chart (ui/live_chart.py) draws in a frame of its own, where Streamlit's front end does not
theme it; this file lets it look as the app's other charts do. Streamlit builds the template in its
front end (plotly_white, every chart's template here, merged with its theme's fonts, colours and
axes), so it is read from a chart drawn by ``streamlit run`` in chromium, once per Streamlit
version:

    python scripts/streamlit_chart_look.py
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import streamlit

ROOT = Path(__file__).resolve().parent.parent
OUTPUT = ROOT / "ui" / "live_chart_frontend" / "streamlit_look.js"
APP = """
import plotly.graph_objects as go
import streamlit as st
from pipeline.views import style  # noqa: F401 - plotly_white, the template of every chart here
st.plotly_chart(go.Figure(go.Bar(x=[1], y=[1])), key="look")
"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def read_templates(url: str) -> dict[str, dict]:
    """The template of the chart at ``url``, with the browser preferring light, then dark."""
    from playwright.sync_api import sync_playwright

    templates = {}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium")
        for scheme in ("light", "dark"):
            context = browser.new_context(color_scheme=scheme)
            page = context.new_page()
            page.goto(url)
            page.wait_for_selector(".js-plotly-plot", timeout=60_000)
            page.wait_for_timeout(1000)
            templates[scheme] = page.evaluate(
                "() => JSON.parse(JSON.stringify(document.querySelector('.js-plotly-plot').layout.template))"
            )
            context.close()
        browser.close()
    return templates


def main() -> int:
    with tempfile.TemporaryDirectory() as folder:
        app = Path(folder) / "look.py"
        app.write_text(APP, encoding="utf-8")
        port = free_port()
        command = [sys.executable, "-m", "streamlit", "run", str(app), "--server.headless", "true"]
        command += ["--server.port", str(port), "--server.address", "127.0.0.1"]
        server = subprocess.Popen(
            command,
            cwd=ROOT,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            time.sleep(3)
            templates = read_templates(f"http://127.0.0.1:{port}")
        finally:
            server.terminate()
            server.wait(timeout=30)
    OUTPUT.write_text(
        f"// Written by scripts/streamlit_chart_look.py from streamlit {streamlit.__version__}: the Plotly\n"
        "// template st.plotly_chart gives this app's charts, by theme. Do not edit; run the script.\n"
        f"window.STREAMLIT_LOOK = {json.dumps(templates, sort_keys=True)};\n",
        encoding="utf-8",
    )
    print(f"wrote {OUTPUT} ({OUTPUT.stat().st_size:,} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
