"""The floors between the one-line app and Home that ``benchmarks.first_page --steps`` measures
(benchmarks/first_page_steps.py): each step must draw what its name says, or the benchmark's
decomposition of the first page compares the wrong things."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest
from support.page_support import sidebar_backend

from benchmarks import first_page_steps
from ui.backend import LABELS

RUN_TIMEOUT = 300


def test_the_nav_step_is_the_one_line_app_inside_the_navigation_with_the_sidebars_text(tmp_path):
    tree = first_page_steps.write_tree("nav", tmp_path / "nav")

    at = AppTest.from_file(str(tree / "app.py"), default_timeout=RUN_TIMEOUT).run()

    assert not at.exception
    assert [block.value for block in at.main.markdown] == ["hi"]
    assert [subheader.value for subheader in at.sidebar.subheader] == ["Dataset", "Backend"]
    assert not at.sidebar.radio
    assert [text.value for text in at.sidebar.text] == [LABELS["local"]]  # as app.py's sidebar


def test_the_radio_step_adds_the_sidebars_backend_choice_and_nothing_else(tmp_path):
    tree = first_page_steps.write_tree("radio", tmp_path / "radio")

    at = AppTest.from_file(str(tree / "app.py"), default_timeout=RUN_TIMEOUT).run()

    assert not at.exception
    assert [block.value for block in at.main.markdown] == ["hi"]
    choice = at.sidebar.radio(key="backend")
    assert choice.value == "local"
    assert choice.options == [LABELS["local"], LABELS["aws"]]


def test_the_no_health_step_draws_home_without_its_backend_checks(tmp_path):
    tree = first_page_steps.write_tree("no-health", tmp_path / "no-health")

    at = AppTest.from_file(str(tree / "app.py"), default_timeout=RUN_TIMEOUT).run()

    assert not at.exception
    assert [title.value for title in at.title] == ["RFM Workflow Studio"]
    assert [subheader.value for subheader in at.main.subheader] == ["Next step", "Active dataset", "Backend"]
    backend_column = at.columns[1]
    assert [text.value for text in backend_column.text] == [LABELS["local"]]
    assert not backend_column.markdown  # no check lines (Home itself has two: tests/pages/test_first_page.py)
    assert not backend_column.caption  # and no "Checking the backend" either
    assert sidebar_backend(at) == LABELS["local"]
    assert not at.radio


def test_the_no_health_step_says_so_when_home_no_longer_checks_the_backend_where_it_expects(tmp_path):
    source = tmp_path / "source"
    (source / "app_pages").mkdir(parents=True)
    (source / "app_pages" / "home.py").write_text(
        "import streamlit as st\n\nst.title('Home')\n", encoding="utf-8"
    )

    with pytest.raises(RuntimeError, match="Home's health check is not where the no-health step expects it"):
        first_page_steps.write_no_health_tree(tmp_path / "tree", source=source)


def test_an_unknown_step_is_refused_with_the_steps_there_are(tmp_path):
    with pytest.raises(ValueError, match="unknown step 'sidebar': choose from nav, radio, no-health"):
        first_page_steps.write_tree("sidebar", tmp_path / "tree")
