"""The Segments page tests' set-up: the bundled sample loaded once through the Data page, and an
AppTest session with it active that has opened Segments."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from support.page_support import APP
from ui.names import Key, Page

RUN_TIMEOUT = 120


def load_sample_state(home: Path) -> Any:
    """The active dataset record of the bundled sample, loaded through the Data page into ``home``
    (a data directory the caller keeps for as long as the record is used)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("RFM_STUDIO_HOME", str(home))
        at = AppTest.from_file(APP, default_timeout=RUN_TIMEOUT).run()
        at.switch_page(Page.DATA).run()
        at.radio(key="data_source").set_value("Bundled sample").run()
        at.button(key="data_load").click().run()
    assert not at.exception
    return at.session_state[Key.ACTIVE_DATASET]


def open_segments(active: Any) -> AppTest:
    """A new session with ``active`` as its dataset, on the Segments page, drawn without error."""
    at = AppTest.from_file(APP, default_timeout=RUN_TIMEOUT)
    at.session_state[Key.ACTIVE_DATASET] = active
    at.run()
    at.switch_page(Page.SEGMENTS).run()
    assert not at.exception and not at.error
    return at


def open_rfm_table(at: AppTest) -> Any:
    """Open the RFM table's expander, as a click on it does, and return the table it draws."""
    suffix = at.session_state[Key.ACTIVE_DATASET].content_hash[:12]
    at.session_state[f"seg_rfm_open_{suffix}"] = True
    at.run()
    assert not at.exception
    return at.dataframe[-1]  # the RFM table is the page's last grid (the figures' grid is above it)
