"""One way to tell the user that something failed: a sentence in plain text, never a traceback.

Expected failures raise ``pipeline.errors.StudioError`` subclasses whose message says what is
wrong and what to do; the page shows that message. Anything else was not planned for: the
page says which action failed and with what type of error, and the server log keeps the
traceback. Messages often quote data (a column name, a country, a file name, an AWS error
text), so they are always shown as plain text (:func:`ui.text.plain`).
"""

from __future__ import annotations

import logging

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from pipeline.errors import StudioError
from ui.text import plain

log = logging.getLogger(__name__)


def message_for(error: BaseException, action: str, hint: str = "") -> str:
    """What to tell the user about ``error``, raised while doing ``action`` ("Loading", "Try k").

    An unexpected error is logged with its traceback here, once; ``hint`` (a sentence) may say
    what the user can check meanwhile.
    """
    if isinstance(error, StudioError):
        return str(error)
    log.error("%s failed", action, exc_info=error)
    message = f"{action} failed unexpectedly ({type(error).__name__}); the server log has the details."
    return f"{message} {hint}" if hint else message


def show_error(
    problem: BaseException | str, action: str = "", *, hint: str = "", container: DeltaGenerator | None = None
) -> None:
    """An error box with ``problem`` (an exception raised while doing ``action``, or a message)."""
    text = problem if isinstance(problem, str) else message_for(problem, action, hint)
    (container if container is not None else st).error(plain(text))


def show_warning(message: str, *, container: DeltaGenerator | None = None) -> None:
    """A warning box whose message may quote data, shown as plain text."""
    (container if container is not None else st).warning(plain(message))
