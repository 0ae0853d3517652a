"""A Plotly chart that a rerun updates in place, for charts whose figure changes with a widget.

Why not ``st.plotly_chart``: Streamlit 1.67 gives a chart whose figure changed a new element id,
and the browser replaces it: Plotly draws it from nothing, and a 3-D scatter compiles its WebGL
shaders again. Choosing another run on Clusters took 2.2-2.9 s in chromium, 1.6 s of it the 3-D
scatter (benchmarks/README.md, round 7). This chart is a custom component (Streamlit's
version-1 protocol, ``ui/live_chart_frontend``) whose identity is its key, so its frame stays,
and a new figure reaches ``Plotly.react`` there, which changes only what changed.

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
#: What Streamlit's light theme gives a Plotly chart, so these charts look like st.plotly_chart's.
STREAMLIT_LOOK: dict[str, Any] = {
    "colorway": [
        *("#0068c9", "#83c9ff", "#ff2b2b", "#ffabab", "#29b09d"),
        *("#7defa1", "#ff8700", "#ffd16a", "#6d3fc0", "#d5dae5"),
    ],
    "paper_bgcolor": "rgba(0,0,0,0)",
    "plot_bgcolor": "rgba(0,0,0,0)",
    "font": {"family": '"Source Sans", sans-serif', "size": 14, "color": "#31333f"},
}


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
    """The figure as plotly.js takes it: its template dropped (``st.plotly_chart`` replaces it by
    Streamlit's theme too) and Streamlit's look wherever the figure's layout sets nothing."""
    spec = figure.to_dict()
    layout = spec.setdefault("layout", {})
    layout.pop("template", None)
    for name, value in STREAMLIT_LOOK.items():
        own = layout.get(name)
        layout[name] = {**value, **own} if isinstance(value, dict) and isinstance(own, dict) else own or value
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
