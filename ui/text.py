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
# Escaping every one of them (not a hand-picked few) also disarms GFM autolinks (``https\:``,
# ``www\.``, ``a\@b``), Streamlit's directives (``\:red[...]``, ``\:material/...``), math
# (``\$``), HTML (``\<``) and entities (``\&``).
_ASCII_PUNCTUATION = re.compile(r"([!-/:-@\[-`{-~])")


def plain(text: object) -> str:
    """``text`` as Markdown that renders exactly these characters: no link, image, HTML or format.

    Line breaks are kept (as Markdown hard breaks) so a multi-line message stays multi-line.
    """
    escaped = _ASCII_PUNCTUATION.sub(r"\\\1", str(text))
    return escaped.replace("\r\n", "\n").replace("\n", "  \n")
