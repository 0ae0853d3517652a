"""Fixtures of the browser tests: Debian's chromium, launched once a session through Playwright.

Each test module starts its own ``streamlit run app.py`` server (tests/support/browser_support.py),
so a test that needs a fresh server, or one with a test hook, never shares it.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright
from support.browser_support import CHROMIUM, CHROMIUM_ARGS


@pytest.fixture(scope="session")
def chromium_path() -> Path:
    """Debian's chromium; without it the browser tests skip on a workstation but fail in CI."""
    if not CHROMIUM.exists():
        message = f"{CHROMIUM} is missing: install Debian's chromium (apt-get install chromium)"
        if os.environ.get("CI"):
            pytest.fail(f"{message}; CI must run the browser test")
        pytest.skip(message)
    return CHROMIUM


@pytest.fixture(scope="session")
def browser(chromium_path):
    """Headless chromium, never downloaded: the system's own binary."""
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=str(chromium_path), headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield launched
        finally:
            launched.close()
