"""What of a file's content an error message may repeat.

Messages help people fix their file, so they name a column or quote an offending value. But a
"file" can be anything a URL returned (a token file's first line became a "column name" that
came back in the message), and messages are shown in the pages. So a message repeats data
only in these shapes: column and sheet names that look like names, values cut short with
anything but plain characters replaced. Whatever does not pass is counted, not quoted.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

#: A column or sheet name worth repeating: a letter, then letters, digits, spaces and a few signs.
_PLAIN_NAME = re.compile(r"[A-Za-z][A-Za-z0-9 _.()/#-]{0,39}")
#: A long run of letters mixed with digits: an API key or token, not a column name.
_SECRET_LIKE = re.compile(r"[A-Za-z0-9_-]{16,}")
#: Characters a quoted value keeps; anything else becomes "?".
_PLAIN_VALUE_CHARACTER = re.compile(r"[A-Za-z0-9 .,:;/+\-_()%'#@&]")
#: The most characters of a value a message quotes.
MAX_VALUE_CHARS = 40
#: The most names a message lists.
MAX_NAMES = 20
#: ``scheme://user:password@`` (everything up to the last "@" before the path).
_USERINFO = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*://)[^/?#]*@")
#: The most characters of an address a message repeats.
_SHOWN_URL_CHARS = 200


def is_plain_name(name: Any) -> bool:
    """True for a short name made of letters, digits, spaces and ``_.()/#-`` that is no token."""
    text = str(name)
    if not _PLAIN_NAME.fullmatch(text):
        return False
    for run in _SECRET_LIKE.findall(text):
        if any(ch.isdigit() for ch in run) and any(ch.isalpha() for ch in run):
            return False
    return True


def shown_names(names: Iterable[Any]) -> str:
    """The names fit to repeat, comma-separated, with how many others were left out."""
    names = [str(name).strip() for name in names]
    plain = [name for name in names if is_plain_name(name)][:MAX_NAMES]
    others = len(names) - len(plain)
    listed = ", ".join(plain) or "(none that can be shown)"
    if others:
        listed += f" and {others:,} other{'s' if others != 1 else ''} not shown"
    return listed


def shown_value(value: Any) -> str:
    """``value`` quoted for a message: at most 40 plain characters, the rest replaced or cut."""
    text = str(value)
    cut = len(text) > MAX_VALUE_CHARS
    text = "".join(ch if _PLAIN_VALUE_CHARACTER.fullmatch(ch) else "?" for ch in text[:MAX_VALUE_CHARS])
    return f"'{text}...'" if cut else f"'{text}'"


def shown_label(label: str) -> str:
    """A table's label (``name [sheet]``) quoted for a message, the sheet name only if plain."""
    name, bracket, sheet = str(label).partition(" [")
    if bracket and not is_plain_name(sheet.removesuffix("]")):
        sheet = "a sheet]"
    return f"'{name}{bracket}{sheet}'"


def shown_url(url: str) -> str:
    """``url`` fit for a message: without ``user:password@``, cut to 200 characters."""
    url = _USERINFO.sub(r"\1", str(url))
    url = "".join(ch if ch.isprintable() else "?" for ch in url)
    return url if len(url) <= _SHOWN_URL_CHARS else url[: _SHOWN_URL_CHARS - 3] + "..."


def shown_text(value: Any, limit: int = MAX_VALUE_CHARS) -> str:
    """``value`` for a list in a message (a country a file holds): as written when short and
    printable; control characters (a terminal escape, a NUL) become "?" and a long one is cut."""
    text = "".join(ch if ch.isprintable() else "?" for ch in str(value)[: limit + 1])
    return text if len(text) <= limit else text[:limit] + "..."


def shown_list(values: Iterable[Any], limit: int = 50) -> str:
    """At most ``limit`` values through :func:`shown_text`, comma-separated, with how many more
    there are: a file may hold ten thousand countries of a thousand characters each."""
    values = list(values)
    listed = ", ".join(shown_text(value) for value in values[:limit])
    return listed + (f" and {len(values) - limit:,} more" if len(values) > limit else "")


def shown_file_name(name: str, limit: int = 120) -> str:
    """A file name from a URL, an upload or an S3 key, fit to show as the dataset's name: control
    characters (a terminal escape decoded from ``%1B``) become "?", a long name keeps its start
    and its end (the extension)."""
    text = "".join(ch if ch.isprintable() else "?" for ch in str(name))
    return text if len(text) <= limit else f"{text[: limit - 20]}...{text[-17:]}"
