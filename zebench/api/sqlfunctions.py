"""Linear versions of the SQLite built-ins whose cost grows with the product of two argument lengths, for the
connections of Datasette's anonymous SQL pages (plugin.prepare_connection).

SQLite's ``instr(X, Y)`` and ``replace(X, Y, Z)`` compare Y at every position of X, and ``trim(X, Y)`` looks up
every character of X among those of Y: with two values of a few MB, one call is one step of the virtual machine
that runs for tens of seconds to minutes, which Datasette's time limit (a progress handler, called between steps)
cannot interrupt. These give the same results in time linear in the lengths (Python's string search, a set of
characters). Values are taken as SQLite takes them: NULL gives NULL, numbers are used as their text, a blob as
UTF-8 text (instr on two blobs searches bytes).
"""

from __future__ import annotations

import math
import sqlite3
from typing import Any

#: trim's characters up to this many go to str.strip (C, memchr per character); more to a set.
_STRIP_SET_MIN = 64


class ValueTooBig(Exception):
    """A result over the connection's value limit (SQLite says "string or blob too big")."""


def _real_text(value: float) -> str:
    """A REAL as SQLite writes it as text ("%!.15g": 1.0, 1.0e+20)."""
    if math.isnan(value):
        return ""
    if math.isinf(value):
        return "Inf" if value > 0 else "-Inf"
    text = f"{value:.15g}"
    mantissa, e, exponent = text.partition("e")
    if "." not in mantissa:
        mantissa += ".0"
    return mantissa + e + exponent


def _text(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    if isinstance(value, float):
        return _real_text(value)
    return str(value)


def instr(haystack: Any, needle: Any) -> int | None:
    if haystack is None or needle is None:
        return None
    if isinstance(haystack, bytes) and isinstance(needle, bytes):
        return haystack.find(needle) + 1
    return _text(haystack).find(_text(needle)) + 1


def make_replace(limit: int) -> Any:
    def replace(value: Any, old: Any, new: Any) -> Any:
        if value is None or old is None or new is None:
            return None
        old_text = _text(old)
        if old_text == "":
            return value  # SQLite: X unchanged
        text, new_text = _text(value), _text(new)
        if len(new_text) > len(old_text):  # count first: never build a result the limit refuses
            grown = len(text) + text.count(old_text) * (len(new_text) - len(old_text))
            if grown > limit:
                raise ValueTooBig(f"replace() result longer than {limit} characters")
        return text.replace(old_text, new_text)

    return replace


def _trimmer(left: bool, right: bool) -> Any:
    def trim(value: Any, characters: Any = " ") -> str | None:
        if value is None or characters is None:
            return None
        text, chars = _text(value), _text(characters)
        unique = "".join(dict.fromkeys(chars))
        if len(unique) < _STRIP_SET_MIN:
            if left and right:
                return text.strip(unique)
            return text.lstrip(unique) if left else text.rstrip(unique)
        members = set(unique)
        start, end = 0, len(text)
        if left:
            while start < end and text[start] in members:
                start += 1
        if right:
            while end > start and text[end - 1] in members:
                end -= 1
        return text[start:end]

    return trim


def install(conn: sqlite3.Connection, value_limit: int) -> None:
    """Replace instr, replace, trim, ltrim and rtrim on ``conn`` with the linear versions."""
    conn.create_function("instr", 2, instr, deterministic=True)
    conn.create_function("replace", 3, make_replace(value_limit), deterministic=True)
    for name, left, right in (("trim", True, True), ("ltrim", True, False), ("rtrim", False, True)):
        function = _trimmer(left, right)
        conn.create_function(name, 1, function, deterministic=True)
        conn.create_function(name, 2, function, deterministic=True)


__all__ = ["install", "instr", "make_replace"]
