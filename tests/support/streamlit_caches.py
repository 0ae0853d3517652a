"""Page tests start without what Streamlit cached in this process (backends, run results, figures).

A test module imports ``fresh_caches``; being autouse, it then wraps every test of that module.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import streamlit as st

from ui import ahead


@pytest.fixture(autouse=True)
def fresh_caches() -> Iterator[None]:
    """Backends, results and figures are cached per process: start and end every test without them
    (and without a value built ahead in the background, ``ui.ahead``, landing in a cache after)."""
    assert ahead.wait_until_idle()
    st.cache_data.clear()
    st.cache_resource.clear()
    yield
    assert ahead.wait_until_idle()
    st.cache_data.clear()
    st.cache_resource.clear()
