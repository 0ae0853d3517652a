"""Intermediate floors between the one-line app and Home, for ``first_page --steps`` (round 6).

The floor (``st.write("hi")``) is a one-element page without navigation or sidebar; Home is the
real app. Between them, each tree adds one thing, so the difference of two neighbours is what that
thing costs the first page:

- ``nav``: the one line inside ``st.navigation`` over the same 7 pages (titles and Material icons
  as app.py's), with the sidebar's text (the "Dataset" and "Backend" subheadings, the no-dataset
  caption and, since round 7, the backend's name and where to choose it), the same
  ``st.set_page_config`` and page icon (ui/page_icon.py) and, as app.py, Streamlit's REPL check
  skipped (the floor pays it: 0.1-0.6 s of its first run here);
- ``radio``: ``nav`` plus a backend radio in the sidebar (same label and choices), as every page
  had until round 7 moved the choice to Launch: what that radio cost a first page;
- ``no-health``: this checkout with Home's health check and lines taken out (the backend's name
  under its heading stays), i.e. Home's own content and the app's imports, without making the
  backend;
- and Home itself (the checkout as it is).

Each tree is a folder made here (``nav``/``radio``: written; ``no-health``: a copy of this
checkout with ``app_pages/home.py`` edited), with this checkout's ``.streamlit/config.toml``.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from benchmarks.common import REPO_ROOT

#: app.py's pages, (file, title, icon), in its order; Home is the default.
PAGES = (
    ("home", "Home", ":material/home:"),
    ("data", "Data", ":material/table_view:"),
    ("segments", "Segments", ":material/donut_small:"),
    ("launch", "Launch", ":material/rocket_launch:"),
    ("executions", "Executions", ":material/monitoring:"),
    ("clusters", "Clusters", ":material/scatter_plot:"),
    ("prices", "Prices", ":material/price_check:"),
)

NAV_APP = """import streamlit as st
import streamlit.delta_generator

from ui.page_icon import set_page_icon

# As app.py (ui/repl_check.py): Streamlit's once-a-process REPL check skipped.
streamlit.delta_generator._use_warning_has_been_displayed = True
st.set_page_config(page_title="RFM Workflow Studio", layout="wide")
set_page_icon()
navigation = st.navigation(
    [
{pages}
    ]
)
dataset_slot = st.sidebar.container()
with st.sidebar:
    st.subheader("Backend")
    st.text("Local engine (this machine)")
    st.caption("Chosen on the Launch page.")
{radio}navigation.run()
with dataset_slot:
    st.subheader("Dataset")
    st.caption("No dataset loaded yet: choose one on the Data page.")
"""
RADIO = (
    '    st.radio("Backend", ["local", "aws"], key="backend", format_func={"local": "Local engine '
    '(this machine)", "aws": "AWS (Step Functions + SageMaker)"}.get)\n'
)
#: Home's health: the check and its lines, taken out for ``no-health`` (the page's last lines).
HOME_HEALTH = """    try:
        checks = health_within(name, home_health_wait())
    except Exception as error:
        show_error(error, "Checking the backend")
        checks = []
    if checks is None:
        await_health(name)
    else:
        draw_health(checks)
"""

#: What each step's "whole page" is (benchmarks/first_page.py's targets): the one line and the
#: sidebar's "Backend" heading; with the radio drawn; Home's parts without its health lines.
STEP_TARGETS = {
    "nav": {"text": "hi", "sidebarText": "Backend", "whole": True},
    "radio": {"text": "hi", "sidebarText": "Backend", "sidebar": True, "whole": True},
    "no-health": {
        "heading": "RFM Workflow Studio",
        "last": "Next step",
        "text": "Local engine (this machine)",
        "sidebarBackend": "Local engine (this machine)",
        "whole": True,
    },
}


def nav_app(radio: bool) -> str:
    """The ``nav`` (or, with ``radio``, the ``radio``) step's app.py."""
    pages = "\n".join(
        f'        st.Page("app_pages/{name}.py", title="{title}", icon="{icon}", default={name == "home"}),'
        for name, title, icon in PAGES
    )
    return NAV_APP.format(pages=pages, radio=RADIO if radio else "")


def write_nav_tree(tree: Path, radio: bool) -> Path:
    """Write the ``nav`` or ``radio`` step into the folder ``tree`` (made if missing); returns it."""
    (tree / "app_pages").mkdir(parents=True)
    for name, _, _ in PAGES:
        (tree / "app_pages" / f"{name}.py").write_text(
            'import streamlit as st\n\nst.write("hi")\n', encoding="utf-8"
        )
    (tree / "app.py").write_text(nav_app(radio), encoding="utf-8")
    # app.py's page icon (without one, the page's Material icon is fetched from Google's CDN)
    (tree / "ui").mkdir()
    (tree / "ui" / "__init__.py").write_text("", encoding="utf-8")
    shutil.copy(REPO_ROOT / "ui" / "page_icon.py", tree / "ui" / "page_icon.py")
    shutil.copytree(REPO_ROOT / "assets", tree / "assets")
    shutil.copytree(REPO_ROOT / ".streamlit", tree / ".streamlit")
    return tree


def write_no_health_tree(tree: Path, source: Path = REPO_ROOT) -> Path:
    """Copy the checkout ``source`` into ``tree`` (its code, not its git or benchmark outputs)
    and take Home's health check out of ``app_pages/home.py``; returns ``tree``."""
    ignore = shutil.ignore_patterns(
        ".git", "out", "__pycache__", "tests", ".pytest_cache", ".ruff_cache", ".mypy_cache"
    )
    shutil.copytree(source, tree, ignore=ignore, dirs_exist_ok=True)
    home = tree / "app_pages" / "home.py"
    text = home.read_text(encoding="utf-8")
    if HOME_HEALTH not in text:
        raise RuntimeError(f"{home}: Home's health check is not where the no-health step expects it")
    home.write_text(text.replace(HOME_HEALTH, ""), encoding="utf-8")
    return tree


def write_tree(step: str, tree: Path) -> Path:
    """Write the step called ``step`` (a key of ``STEP_TARGETS``) into the folder ``tree``."""
    if step == "no-health":
        return write_no_health_tree(tree)
    if step in ("nav", "radio"):
        return write_nav_tree(tree, radio=step == "radio")
    raise ValueError(f"unknown step {step!r}: choose from {', '.join(STEP_TARGETS)}")
