"""Which backend runs workflows in this session, one cached backend object per name, its health.

The choice lives in ``st.session_state[Key.BACKEND]`` (default ``local``: no AWS account
needed). Launch offers it, where it takes effect; the sidebar and Home name it on every page. A
radio in the sidebar of every page made each first page wait for Streamlit to fetch the radio's
code (~0.3 s, benchmarks/README.md, round 7), and only Launch acts on the choice (Executions lists
the runs of both backends). Backend objects hold clients and the built
workflow, so they are made once per process with ``st.cache_resource``.

A backend's health (its preflight checks) is one cache shared by Home and Launch: on aws the
checks call several services, so they are reused for a while, and "Check again" on Launch
(:func:`check_again`) forgets them for every page at once.

The checks run in a background thread that fills that cache, so a page can choose how long to
wait for them: Launch waits (with a spinner once it takes a moment), Home waits about a second
(:func:`health_within`) and otherwise shows the rest of the page and checks back. The first
check on a new data directory builds every workflow definition with the SDK (~10 s); a fresh
server's first page no longer waits for it.
"""

from __future__ import annotations

import concurrent.futures
import os
import threading

import streamlit as st

from pipeline.backends import BACKENDS, backend_for_arn, get_backend
from pipeline.backends.base import Backend, Check
from pipeline.errors import StudioError
from ui.names import Key

LABELS = {"local": "Local engine (this machine)", "aws": "AWS (Step Functions + SageMaker)"}
#: How long a backend's health is reused before it is checked again on its own.
HEALTH_TTL_SECONDS = 120


def active_backend_name() -> str:
    """The backend the user chose for launching; ``local`` until they pick another."""
    return st.session_state.get(Key.BACKEND, "local")


@st.cache_resource(show_spinner=False)
def backend(name: str) -> Backend:
    """The backend object called ``name``, made once per server process."""
    return get_backend(name)


def backend_of(execution_arn: str) -> Backend:
    """The backend that ran an execution, read off its ARN."""
    return backend(backend_for_arn(execution_arn))


#: How long Home waits for the health before it draws the page without it (seconds): a warm
#: server knows it at once, a new data directory's first check builds the definitions (~10 s).
HOME_HEALTH_WAIT_SECONDS = 2.0
#: Overrides ``HOME_HEALTH_WAIT_SECONDS`` (the page tests set it high: they read the checks).
HOME_HEALTH_WAIT_VARIABLE = "RFM_STUDIO_HOME_HEALTH_WAIT"
#: How long ``health`` waits quietly before it shows a spinner.
SPINNER_AFTER_SECONDS = 0.1

_checks_runner = concurrent.futures.ThreadPoolExecutor(max_workers=2, thread_name_prefix="backend-health")
_running: dict[str, concurrent.futures.Future[list[Check]]] = {}
#: Backends checked to the end in this process: their next checks run in the caller's thread (a
#: cache hit, or a recheck of a backend already made), without the hop to the background thread.
_ended_once: set[str] = set()
_running_lock = threading.RLock()  # a check that ends at once is forgotten inside _checking


def checks_of(name: str) -> list[Check]:
    """The backend's preflight checks, shared by every page and session for a couple of minutes
    (:func:`cached_health`)."""
    return [Check(*fields) for fields in cached_health(name)]


@st.cache_data(ttl=HEALTH_TTL_SECONDS, show_spinner=False)
def cached_health(name: str) -> list[tuple[str, bool, str]]:
    """The backend's preflight checks as plain ``(name, ok, message)`` tuples, cached for every
    page and session. Tuples: ``st.cache_data`` pickles what it keeps, and a ``Check`` made before
    the server reloaded a changed module could not be pickled ("not the same object as
    pipeline.backends.base.Check"), so Launch said the preflight failed until a restart.

    A backend that cannot even be made (its settings are unreadable) is one failed check that
    says why. Anything unexpected is raised (and not cached) for the page to report.
    """
    try:
        checks = list(backend(name).preflight())
    except StudioError as error:
        checks = [Check("Backend settings", False, str(error))]
    return [(check.name, bool(check.ok), str(check.message)) for check in checks]


def _checking(name: str) -> concurrent.futures.Future[list[Check]]:
    """The background check of ``name`` under way, or a new one (a cache hit ends at once).

    A check is forgotten as soon as it ends, so every later caller asks the cache again (which
    may have expired or been cleared by "Check again").
    """
    with _running_lock:
        future = _running.get(name)
        if future is None:
            future = _running[name] = _checks_runner.submit(checks_of, name)
            future.add_done_callback(lambda done: _forget(name, done))
    return future


def _forget(name: str, future: concurrent.futures.Future[list[Check]]) -> None:
    with _running_lock:
        if _running.get(name) is future:
            del _running[name]
        if future.exception() is None:
            _ended_once.add(name)


def health(name: str) -> list[Check]:
    """The backend's health (:func:`checks_of`), waited for, with a spinner if it takes a while."""
    if name in _ended_once:
        # A cache hit is instant; an aws recheck after the cache expired calls several services:
        # st.spinner shows only past half a second, as the cache's own spinner did.
        with st.spinner("Checking the backend…"):
            return checks_of(name)
    future = _checking(name)
    try:
        return future.result(timeout=SPINNER_AFTER_SECONDS)
    except concurrent.futures.TimeoutError:
        with st.spinner("Checking the backend…"):
            return future.result()


def health_within(name: str, seconds: float | None) -> list[Check] | None:
    """The backend's health if it is known within ``seconds``; None while it is still checked
    (the check goes on in the background and fills the shared cache). None waits to the end."""
    if name in _ended_once:
        return checks_of(name)
    try:
        return _checking(name).result(timeout=seconds)
    except concurrent.futures.TimeoutError:
        return None


def home_health_wait() -> float:
    """Seconds Home waits for the health: ``RFM_STUDIO_HOME_HEALTH_WAIT`` if it is a number >= 0,
    otherwise ``HOME_HEALTH_WAIT_SECONDS``."""
    try:
        seconds = float(os.environ.get(HOME_HEALTH_WAIT_VARIABLE, HOME_HEALTH_WAIT_SECONDS))
    except ValueError:
        return HOME_HEALTH_WAIT_SECONDS
    return seconds if seconds >= 0 else HOME_HEALTH_WAIT_SECONDS


def check_again(name: str) -> None:
    """Forget what was learnt about the backends' health, so every page checks afresh.

    For aws the backend object is made again too: it reads its settings (environment and
    secrets) when made, so settings fixed since then only count after this.
    """
    cached_health.clear()
    _ended_once.discard(name)  # the next check runs in the background again
    if name != "local":
        backend.clear()


def keep_choice() -> None:
    """Keep the backend choice for the session, on every page.

    The radio is drawn on Launch only, and Streamlit forgets a widget's value after a run that
    does not draw it; set as the session's own value at the start of every run, it stays.
    """
    st.session_state[Key.BACKEND] = st.session_state.get(Key.BACKEND, "local")


def render_selector() -> None:
    """The backend choice (a radio bound to the session's backend key), on Launch; app.py keeps
    its value on the other pages (:func:`keep_choice`)."""
    st.radio(
        "Run on",
        BACKENDS,
        key=Key.BACKEND,
        format_func=LABELS.get,
        horizontal=True,
        help="Executions lists the runs of both backends; Home shows the chosen one's health.",
    )
