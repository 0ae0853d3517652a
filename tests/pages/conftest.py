"""Page tests: AppTest keeps the app's pages across runs, as the server does (support.apptest_pages)."""

import pytest
import streamlit.testing.v1.app_test as app_test
from support.apptest_pages import PagesKept


@pytest.fixture(autouse=True)
def pages_kept_across_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(app_test, "PagesManager", PagesKept)
    PagesKept.registered.clear()  # each test's app starts as the server's first run does
