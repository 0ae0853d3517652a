"""A Plotly chart that a rerun updates in place, for charts whose figure changes with a widget.

Why not ``st.plotly_chart``: Streamlit 1.67 gives a chart whose figure changed a new element id,
and the browser replaces it: Plotly draws it from nothing, and a 3-D scatter compiles its WebGL
shaders again. Choosing another run on Clusters took 2.2-2.9 s in chromium, 1.6 s of it the 3-D
scatter (benchmarks/README.md, round 7). This chart is a custom component (Streamlit's
version-1 protocol, ``ui/live_chart_frontend``) whose identity is its key, so its frame stays,
and a new figure reaches ``Plotly.react`` there, which changes only what changed. It looks as the
app's st.plotly_chart charts do: Streamlit's chart template for the page's light or dark theme, read
from Streamlit's front end (``scripts/streamlit_chart_look.py`` writes ``streamlit_look.js``).

The frame loads the plotly.js that the installed plotly package ships, copied next to the
frame's page in the data directory (Streamlit serves a component's files from one folder and
refuses links out of it), so the chart's plotly.js is the one the figures were built for.
"""

from __future__ import annotations

import functools
import hashlib
import os
import shutil
from pathlib import Path
from typing import Any

import plotly
import plotly.graph_objects as go
import plotly.io as pio
import streamlit.components.v1 as components

from pipeline.config import data_subdir

FRONTEND = Path(__file__).with_name("live_chart_frontend")
#: plotly.js as the plotly package ships it.
PLOTLY_JS = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
#: A figure's height when its layout sets none (plotly's own default).
DEFAULT_HEIGHT = 450


def live_chart(figure: go.Figure, key: str, *, config: dict[str, Any] | None = None) -> None:
    """Draw ``figure`` as the chart ``key``; a rerun with another figure updates it in place.

    ``key`` is the chart's identity: the same key on the next run is the same chart.
    """
    layout = figure.layout
    height = int(layout.height) if layout.height is not None else DEFAULT_HEIGHT
    _component()(
        figure=_figure_json(figure),
        height=height,
        config={"displaylogo": False, "responsive": True, **(config or {})},
        chart=key,
        key=key,
        default=None,
    )


def _figure_json(figure: go.Figure) -> str:
    """The figure as plotly.js takes it, without its template: the frame gives it the template
    st.plotly_chart gives the app's other charts in the page's theme (``streamlit_look.js``)."""
    spec = figure.to_dict()
    spec.setdefault("layout", {}).pop("template", None)
    return pio.to_json(spec, validate=False)


@functools.cache
def _component() -> Any:
    """The component, declared once per process from its served folder."""
    return components.declare_component("live_chart", path=str(_served_folder()))


def _served_folder() -> Path:
    """The frame's files and plotly.js in one folder of the data directory, named by their
    content, so a new plotly or frontend gets a folder of its own."""
    files = [*sorted(FRONTEND.iterdir()), PLOTLY_JS]
    digest = hashlib.sha256()
    for path in files:
        digest.update(path.name.encode() + b"\0" + str(path.stat().st_size).encode())
        if path.parent == FRONTEND:
            digest.update(path.read_bytes())
    digest.update(plotly.__version__.encode())
    folder = data_subdir("web") / f"live-chart-{digest.hexdigest()[:12]}"
    if not (folder / "index.html").exists():
        staging = folder.with_name(f"{folder.name}.{os.getpid()}")
        staging.mkdir(parents=True, exist_ok=True)
        for path in files:
            shutil.copyfile(path, staging / path.name)
        try:
            staging.rename(folder)  # whole or not at all, if two processes race
        except OSError:
            shutil.rmtree(staging, ignore_errors=True)
    return folder
