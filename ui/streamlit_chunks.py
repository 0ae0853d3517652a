"""Streamlit's own frontend chunks, found by name among the files its server serves.

Two of the app's elements load code Streamlit would otherwise load only for its own elements:
the 3-D scene uses Streamlit's Plotly.js (``ui.scene_component``) and Clusters and Prices load
its grid's code and stylesheet ahead (``ui.grid_ahead``). Both find the hashed file names here,
so the browser loads the very files Streamlit serves and imports, once.
"""

from __future__ import annotations

import functools
from pathlib import Path

import streamlit as st

#: Streamlit's static folder: what its server serves at the app's address.
STREAMLIT_STATIC = Path(st.__file__).parent / "static"


@functools.cache
def chunk_path(name: str) -> str | None:
    """The chunk ``name`` (``static/js/<name>.<hash>.js``) as a URL relative to the app's address
    (so a ``server.baseUrlPath`` holds), or None when this Streamlit has no such chunk (or more
    than one). Looked up once a process: the installed files do not change."""
    return _served("js", name)


@functools.cache
def style_path(name: str) -> str | None:
    """The stylesheet ``name`` (``static/css/<name>.<hash>.css``) as :func:`chunk_path` finds a
    chunk: Streamlit loads a chunk's own stylesheet beside it when it imports it for an element."""
    return _served("css", name)


def _served(kind: str, name: str) -> str | None:
    found = sorted(STREAMLIT_STATIC.glob(f"static/{kind}/{name}.*.{kind}"))
    return found[0].relative_to(STREAMLIT_STATIC).as_posix() if len(found) == 1 else None
