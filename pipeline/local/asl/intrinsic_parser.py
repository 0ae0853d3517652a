"""The syntax of intrinsic functions: ``States.Format('{}', $.x)`` parsed into a small tree.

Arguments are string literals in single quotes (backslash escapes ``'``, ``{``, ``}`` and
``\\``), numbers, ``true``/``false``/``null``, paths (``$.x``, ``$$.Execution.Name``; a path
may hold commas and parentheses inside brackets or quotes) and nested calls. Parsing is
separate from evaluation (``intrinsics``), so a definition's calls are checked before it runs.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from pipeline.local.asl.limits import INTRINSIC_NESTING_LIMIT


@dataclass(frozen=True)
class Call:
    """A parsed intrinsic call: ``States.<name>(args...)``."""

    name: str
    args: tuple[Any, ...]


@dataclass(frozen=True)
class Text:
    """A string literal: its value, and its pieces around the unescaped ``{}`` placeholders.

    ``States.Format`` needs the pieces: ``'\\{}'`` is an escaped backslash then a
    placeholder, while ``'\\{\\}'`` is the two literal braces.
    """

    value: str
    pieces: tuple[str, ...]


@dataclass(frozen=True)
class PathArg:
    """A JSONPath argument, evaluated when the call is."""

    path: str


def is_intrinsic(expression: str) -> bool:
    """Whether a ``.$`` value is an intrinsic call rather than a path."""
    return isinstance(expression, str) and expression.startswith("States.")


@lru_cache(maxsize=1024)
def parse_intrinsic(expression: str) -> Call:
    """Parse an intrinsic call; raises ``ValueError`` saying what is wrong with it."""
    parser = _Parser(expression)
    call = parser.call()
    parser.skip_spaces()
    if parser.pos != len(expression):
        raise ValueError(f"unexpected text after the call in '{expression}' at {parser.pos}")
    return call


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0
        self.depth = 0

    def skip_spaces(self) -> None:
        while self.pos < len(self.text) and self.text[self.pos].isspace():
            self.pos += 1

    def call(self) -> Call:
        self.depth += 1
        if self.depth > INTRINSIC_NESTING_LIMIT:
            raise ValueError(f"'{self.text}' nests more than {INTRINSIC_NESTING_LIMIT} intrinsic functions")
        call = self._call()
        self.depth -= 1
        return call

    def _call(self) -> Call:
        start = self.pos
        while self.pos < len(self.text) and (self.text[self.pos].isalnum() or self.text[self.pos] == "."):
            self.pos += 1
        name = self.text[start : self.pos]
        if not name.startswith("States.") or self.pos >= len(self.text) or self.text[self.pos] != "(":
            raise ValueError(f"'{self.text}' is not an intrinsic function call")
        self.pos += 1
        args: list[Any] = []
        self.skip_spaces()
        if self.peek() == ")":
            self.pos += 1
            return Call(name[len("States.") :], ())
        while True:
            self.skip_spaces()
            args.append(self.argument())
            self.skip_spaces()
            char = self.peek()
            self.pos += 1
            if char == ")":
                return Call(name[len("States.") :], tuple(args))
            if char != ",":
                raise ValueError(f"expected ',' or ')' in '{self.text}' at {self.pos - 1}")

    def peek(self) -> str:
        if self.pos >= len(self.text):
            raise ValueError(f"unterminated intrinsic function call '{self.text}'")
        return self.text[self.pos]

    def argument(self) -> Any:
        char = self.peek()
        if char == "'":
            return self.string()
        if char == "$":
            return PathArg(self.path())
        if self.text.startswith("States.", self.pos):
            return self.call()
        start = self.pos
        while (
            self.pos < len(self.text)
            and self.text[self.pos] not in ",)"
            and not self.text[self.pos].isspace()
        ):
            self.pos += 1
        token = self.text[start : self.pos]
        literals = {"true": True, "false": False, "null": None}
        if token in literals:
            return literals[token]
        try:
            number = int(token) if token.lstrip("-").isdigit() else float(token)
        except ValueError:
            raise ValueError(f"unknown argument '{token}' in '{self.text}'") from None
        if not math.isfinite(number):
            raise ValueError(f"'{token}' in '{self.text}' is not a JSON number")
        return number

    def string(self) -> Text:
        self.pos += 1
        pieces, current = [], []
        while True:
            char = self.peek()
            self.pos += 1
            if char == "\\":  # the next character is literal, whatever it is
                current.append(self.peek())
                self.pos += 1
            elif char == "'":
                pieces.append("".join(current))
                return _text(pieces)
            elif char == "{" and self.text.startswith("}", self.pos):
                pieces.append("".join(current))
                current = []
                self.pos += 1
            else:
                current.append(char)

    def path(self) -> str:
        start, depth, quote = self.pos, 0, None
        while self.pos < len(self.text):
            char = self.text[self.pos]
            if quote:
                if char == quote:
                    quote = None
            elif char in "'\"":
                quote = char
            elif char in "[(":
                depth += 1
            elif char in "])":
                if depth == 0:
                    break
                depth -= 1
            elif char == "," and depth == 0:
                break
            self.pos += 1
        return self.text[start : self.pos].strip()


def _text(pieces: list[str]) -> Text:
    """A literal from its pieces: as a plain string, its placeholders read ``{}`` again."""
    return Text("{}".join(pieces), tuple(pieces))


def template_pieces(template: str) -> tuple[str, ...]:
    """The pieces of a Format template read from the data: ``{}`` are placeholders and a
    backslash makes the next character literal, as in a literal's quotes."""
    pieces, current, i = [], [], 0
    while i < len(template):
        if template[i] == "\\" and i + 1 < len(template):
            current.append(template[i + 1])
            i += 2
        elif template.startswith("{}", i):
            pieces.append("".join(current))
            current = []
            i += 2
        else:
            current.append(template[i])
            i += 1
    pieces.append("".join(current))
    return tuple(pieces)
