"""The first dataset load takes the process's long-lived objects out of the collector's walks.

A full garbage collection walks every tracked object; with the app's imports that is ~0.6M
objects, a pause that landed on Clusters' first comparison at 10x. ``ui.state`` freezes what
lives at the first load (``gc.freeze``), once, after collecting the garbage.
"""

from __future__ import annotations

import gc

import pytest
from streamlit.testing.v1 import AppTest
from support.page_support import APP

from ui import state
from ui.names import Page

RUN_TIMEOUT = 120


@pytest.fixture
def not_frozen_yet(monkeypatch):
    """A process that has not frozen yet; unfrozen again after the test, for the other tests."""
    gc.unfreeze()
    monkeypatch.setattr(state, "_frozen", False)
    yield
    gc.unfreeze()


def walked(thing: object) -> bool:
    """Whether a full collection would walk ``thing`` (it is in a generation, not frozen)."""
    return any(candidate is thing for candidate in gc.get_objects())


def test_loading_a_dataset_on_the_data_page_freezes_what_lived_before(not_frozen_yet):
    alive_before = [["long-lived"]]
    assert walked(alive_before)

    at = AppTest.from_file(APP, default_timeout=RUN_TIMEOUT).run()
    at.switch_page(Page.DATA).run()
    at.radio(key="data_source").set_value("Bundled sample").run()
    at.button(key="data_load").click().run()

    assert not at.exception and "active_dataset" in at.session_state
    assert not walked(alive_before)
    assert walked([["made after the load"]])


def test_objects_are_frozen_once_per_process(not_frozen_yet):
    assert state.freeze_long_lived_objects()
    frozen = gc.get_freeze_count()
    made_later = [["later"]]

    assert not state.freeze_long_lived_objects()
    assert gc.get_freeze_count() == frozen and walked(made_later)


def test_garbage_cycles_are_collected_before_the_freeze_not_kept(not_frozen_yet):
    import weakref

    class Node:
        pass

    cycle = Node()
    cycle.itself = cycle
    gone = weakref.ref(cycle)
    del cycle

    state.freeze_long_lived_objects()

    assert gone() is None
