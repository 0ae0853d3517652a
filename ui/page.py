"""Ending a page early without ending the script run.

``st.stop()`` stops the whole script run: app.py draws the sidebar after the page (so a dataset
loaded by this very run already shows there), and after ``st.stop()`` nothing more is drawn,
so a page's empty state would lose the sidebar. A page that has said all it has to say calls
:func:`end_page` instead; app.py catches :class:`PageEnded` around ``navigation.run()``.
"""

from __future__ import annotations

from typing import NoReturn


class PageEnded(BaseException):
    """Raised by :func:`end_page`; a BaseException, so a page's ``except Exception`` never swallows it."""


def end_page() -> NoReturn:
    """Draw nothing more on this page; app.py goes on with the sidebar."""
    raise PageEnded
