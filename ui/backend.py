"""Which backend runs workflows in this session, one cached backend object per name, its health.

The choice lives in ``st.session_state[Key.BACKEND]`` (default ``local``: no AWS account
needed); the sidebar offers it on every page. Backend objects hold clients and the built
workflow, so they are made once per process with ``st.cache_resource``.

A backend's health (its preflight checks) is one cache shared by Home and Launch: on aws the
checks call several services, so they are reused for a while, and "Check again" on Launch
(:func:`check_again`) forgets them for every page at once.
"""

from __future__ import annotations

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


@st.cache_data(ttl=HEALTH_TTL_SECONDS, show_spinner="Checking the backend…")
def health(name: str) -> list[Check]:
    """The backend's preflight checks, shared by every page and session for a couple of minutes.

    A backend that cannot even be made (its settings are unreadable) is one failed check that
    says why. Anything unexpected is raised (and not cached) for the page to report.
    """
    try:
        return list(backend(name).preflight())
    except StudioError as error:
        return [Check("Backend settings", False, str(error))]


def check_again(name: str) -> None:
    """Forget what was learnt about the backends' health, so every page checks afresh.

    For aws the backend object is made again too: it reads its settings (environment and
    secrets) when made, so settings fixed since then only count after this.
    """
    health.clear()
    if name != "local":
        backend.clear()


def render_selector() -> None:
    """The backend choice in the sidebar (a radio bound to the session's backend key)."""
    st.session_state.setdefault(Key.BACKEND, "local")
    st.radio("Backend", BACKENDS, key=Key.BACKEND, format_func=LABELS.get)
