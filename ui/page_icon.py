"""The app's page icon (the browser tab's favicon): our own PNG, sent inline by our server.

``st.set_page_config(page_icon=<file>)`` hands the file to Streamlit's ``image_to_url``, which
imports numpy and PIL before anything else (0.15-0.45 s of the first page a fresh server
process draws) to serve a 281-byte PNG. The alternatives Streamlit offers cost a request to
the outside, which tests/browser/test_browser_offline.py forbids: a Material icon (and a page
without an icon, which shows its page's Material icon) is fetched from Google's font CDN.

So app.py sets the title and layout with ``st.set_page_config`` and this module sends the
icon as a ``data:`` URL in the same page-config message Streamlit's call sends, with every
other field left unset (the browser keeps what ``st.set_page_config`` set).
"""

from __future__ import annotations

import base64
import functools
from pathlib import Path

from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.PageConfig_pb2 import PageConfig
from streamlit.runtime.scriptrunner import get_script_run_ctx

ICON = Path(__file__).resolve().parent.parent / "assets" / "icon.png"


@functools.cache
def icon_data_url(path: Path = ICON) -> str:
    """The PNG at ``path`` as a ``data:image/png;base64,...`` URL (read once per process)."""
    return "data:image/png;base64," + base64.b64encode(path.read_bytes()).decode("ascii")


def set_page_icon(path: Path = ICON) -> None:
    """Make the PNG at ``path`` this page's favicon; call it each run, as ``st.set_page_config``.

    Outside a script run (a plain import) there is no browser to tell, so it does nothing.
    """
    context = get_script_run_ctx()
    if context is None:
        return
    message = ForwardMsg()
    config = message.page_config_changed
    config.favicon = icon_data_url(path)
    config.layout = PageConfig.LAYOUT_UNSET
    config.initial_sidebar_state = PageConfig.SIDEBAR_UNSET
    context.enqueue(message)
