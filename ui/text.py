"""Text from data or users, made safe for the Streamlit elements that read Markdown.

``st.error``, ``st.warning``, ``st.info``, ``st.caption``, ``st.markdown``, expander and
status labels, metric values and page-link labels all parse their text as (GitHub-flavoured)
Markdown with Streamlit's extensions: a CSV header such as
``![x](http://host/t.png) [Log in](https://evil.example)`` quoted in a message would show a
remote image (the browser fetches it) and a live link. Everything that comes from data or
users goes through :func:`plain` before it reaches such an element, or is shown with
``st.text``, ``st.code`` or a dataframe, which never parse Markdown.
"""

from __future__ import annotations

import re

# CommonMark lets a backslash escape any ASCII punctuation character and then shows it as is.
# Escaping every one of them (not a hand-picked few) disarms links, images, emphasis, code,
# headings, lists, HTML (``\<``), entities (``\&``), math (``\$``) and Streamlit's directives
# (``\:red[...]``, ``\:material/...``).
_ASCII_PUNCTUATION = re.compile(r"([!-/:-@\[-`{-~])")

# GitHub-flavoured Markdown also turns bare URLs and e-mail addresses into links after parsing
# (remark-gfm's "autolink literal"), in the text the escapes resolve to, so escaping cannot stop
# it. It looks for "http(s)://", "www." and "@"; an invisible WORD JOINER inside each of them
# breaks the pattern without changing what the user reads.
_AUTOLINK_PARTS = re.compile(r"(?i)(?<=https:)(?=//)|(?<=http:)(?=//)|(?<=www)(?=\.)|(?<=@)")
WORD_JOINER = "\u2060"


def plain(text: object) -> str:
    """``text`` as Markdown that renders exactly these characters: no link, image, HTML or format.

    Line breaks are kept (as Markdown hard breaks) so a multi-line message stays multi-line.
    """
    unlinked = _AUTOLINK_PARTS.sub(WORD_JOINER, str(text))
    escaped = _ASCII_PUNCTUATION.sub(r"\\\1", unlinked)
    return escaped.replace("\r\n", "\n").replace("\n", "  \n")


def middle_truncated(text: str, limit: int) -> str:
    """``text`` at most ``limit`` characters, cut in the middle ("online_retail_…led_541909.xlsx").

    A long file name in the narrow sidebar wrapped wherever the line ran out, splitting its
    extension ("…541909.xl" / "sx"); its end (the extension, often the part that tells files
    apart) and its start are what a reader scans, so both are kept whole and the middle gives way.
    Plain characters only: the caller shows the result with ``st.text`` (or through ``plain``).
    """
    if len(text) <= limit:
        return text
    head = (limit - 1) // 2
    tail = limit - 1 - head
    return f"{text[:head]}…{text[len(text) - tail :]}"
