"""Which backend runs workflows in this session, and one cached backend object per name.

The choice lives in ``st.session_state["backend"]`` (default ``local``: no AWS account needed);
the sidebar offers it on every page. Backend objects hold clients and the built workflow, so
they are made once per process with ``st.cache_resource``.
"""

from __future__ import annotations

import streamlit as st

from pipeline.backends import BACKENDS, backend_for_arn, get_backend
from pipeline.backends.base import Backend

BACKEND_KEY = "backend"
LABELS = {"local": "Local engine (this machine)", "aws": "AWS (Step Functions + SageMaker)"}


def active_backend_name() -> str:
    """The backend the user chose for launching; ``local`` until they pick another."""
    return st.session_state.get(BACKEND_KEY, "local")


@st.cache_resource(show_spinner=False)
def backend(name: str) -> Backend:
    """The backend object called ``name``, made once per server process."""
    return get_backend(name)


def backend_of(execution_arn: str) -> Backend:
    """The backend that ran an execution, read off its ARN."""
    return backend(backend_for_arn(execution_arn))


def render_selector() -> None:
    """The backend choice in the sidebar (a radio bound to the session's backend key)."""
    st.session_state.setdefault(BACKEND_KEY, "local")
    st.radio("Backend", BACKENDS, key=BACKEND_KEY, format_func=LABELS.get)
