"""ui.ahead: cached values built in one background thread before the user asks for them (issue 10)."""

from __future__ import annotations

import functools
import logging
import threading

from ui import ahead


def test_the_nearest_items_come_after_then_before_the_one_shown_alternating():
    runs = ["r0", "r1", "r2", "r3", "r4", "r5"]
    assert ahead.nearest(runs, "r2", 3) == ["r3", "r1", "r4"]
    assert ahead.nearest(runs, "r2", 10) == ["r3", "r1", "r4", "r0", "r5"]
    assert ahead.nearest(runs, "r0", 2) == ["r1", "r2"]  # nothing before the first
    assert ahead.nearest(runs, "r5", 2) == ["r4", "r3"]
    assert ahead.nearest(runs, "gone", 2) == ["r0", "r1"]  # one not listed: the first ones
    assert ahead.nearest(["r0"], "r0", 3) == []


def test_each_key_is_built_once_in_the_background_thread_and_a_failure_stops_nothing():
    built: list[tuple[str, str]] = []
    release = threading.Event()

    def build(key: str) -> str:
        release.wait(10)  # every key is asked for while the first build is under way
        if key == "bad":
            raise ValueError("unreadable results")
        built.append((key, threading.current_thread().name))
        return key

    ahead.build_ahead(build, ["a", "bad", "b"])
    ahead.build_ahead(build, ["a", "b"])  # queued already: not built twice
    release.set()
    assert ahead.wait_until_idle()

    assert [key for key, _ in built] == ["a", "b"]
    assert all(thread.startswith(ahead.THREAD_PREFIX) for _, thread in built)
    ahead.build_ahead(build, ["a"])  # done and no longer queued: asked again, built again
    assert ahead.wait_until_idle()
    assert [key for key, _ in built] == ["a", "b", "a"]


def test_a_partials_bound_arguments_tell_its_jobs_apart():
    # Clusters' comparisons: run A's with C and run B's with C are two builds, not one.
    built: list[tuple[str, str]] = []
    release = threading.Event()

    def compare(shown: str, other: str) -> None:
        release.wait(10)
        built.append((shown, other))

    ahead.build_ahead(functools.partial(compare, "A"), ["C"])
    ahead.build_ahead(functools.partial(compare, "B"), ["C"])
    ahead.build_ahead(functools.partial(compare, "A"), ["C"])  # queued already
    release.set()
    assert ahead.wait_until_idle()

    assert built == [("A", "C"), ("B", "C")]


def test_streamlits_no_script_run_warning_is_dropped_for_the_worker_only():
    from streamlit.runtime.scriptrunner_utils.script_run_context import get_script_run_ctx

    logger = logging.getLogger("streamlit.runtime.scriptrunner_utils.script_run_context")
    records: list[logging.LogRecord] = []
    handler = logging.Handler()
    handler.emit = records.append  # type: ignore[method-assign]
    logger.addHandler(handler)
    try:
        ahead.build_ahead(lambda _key: get_script_run_ctx(), ["x"])
        assert ahead.wait_until_idle()
        thread = threading.Thread(target=get_script_run_ctx, name="another-thread")
        thread.start()
        thread.join()
    finally:
        logger.removeHandler(handler)
    warned = [record.threadName for record in records if "missing ScriptRunContext" in record.getMessage()]
    assert warned == ["another-thread"]
