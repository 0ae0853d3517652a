"""``?dataset=<content hash>``: the active dataset kept in the page's address.

The active dataset lives in ``st.session_state``, and a browser reload or a page link opened in
a new tab starts a new session: without this the user lost the dataset they had loaded. So
while a dataset is active the address carries its content hash, and a session that starts
without a dataset but with the parameter restores it from this server's cache
(``ui.state.restore_active``).

app.py calls :func:`follow_dataset_link` before every page and :func:`keep_in_address` after it.
A page switch may drop the query parameters (``st.switch_page`` clears them; chromium's sidebar
links kept them in Streamlit 1.67), so the parameter is put back on every run: a dictionary
look-up and a compare when the address is already right. The restore is tried at most once a
session: it either makes the dataset active or drops the parameter, so no later run tries it
again. The parameter is hostile input (anyone can type a
link): ``pipeline.loading.loaded_records`` accepts only 64 lower-case hex digits, before any file
is touched, and the hash only ever names an entry of the cache, never a path.
"""

from __future__ import annotations

import streamlit as st

from pipeline.loading.loaded_records import is_content_hash
from ui.names import DATASET_QUERY_PARAM, Key
from ui.state import restore_active

#: Shown when a link names a dataset this server no longer has (the cache was cleared, or the
#: link comes from another machine).
GONE_MESSAGE = "The dataset in this link is no longer on this server: load it again on the Data page."


def follow_dataset_link() -> None:
    """Restore the dataset the address names when the session has none, then keep the address right.

    A well-formed hash without a cache entry says so in one line (never a traceback) and the
    parameter is dropped; anything else in the parameter is dropped without a word.
    """
    if st.session_state.get(Key.ACTIVE_DATASET) is None:
        wanted = st.query_params.get(DATASET_QUERY_PARAM)
        if is_content_hash(wanted) and restore_active(wanted) is None:
            st.info(GONE_MESSAGE)
    keep_in_address()


def keep_in_address() -> None:
    """Make ``?dataset=`` name the active dataset, or drop it when none is active.

    Touches the address only when it differs, so a run whose address is right sends nothing
    to the browser; the other parameters (``?run=NAME``) stay as they are.
    """
    active = st.session_state.get(Key.ACTIVE_DATASET)
    wanted = None if active is None else active.content_hash
    if st.query_params.get(DATASET_QUERY_PARAM) == wanted:
        return
    if wanted is None:
        del st.query_params[DATASET_QUERY_PARAM]
    else:
        st.query_params[DATASET_QUERY_PARAM] = wanted
