"""Parsing JSON from elsewhere (result files, API bodies) into values the store can hold, or a clear error.

``json.loads`` accepts what SQLite and the run record cannot: integers beyond 64 bits (SQLite raises
OverflowError on insert), ``NaN`` and ``Infinity``, numbers like ``1e400`` that become infinite, lone UTF-16
surrogates (``"\\ud800"``: not encodable as UTF-8, so the insert raises) and nesting deep enough for a
RecursionError (in the parser itself, in pydantic, or when the value is written back). :func:`loads` refuses
all of them with :class:`UnsafeJSONError`, naming the JSON path of the bad value. Nesting is measured on the
text before parsing, so a hostile document never reaches the recursive parser.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

#: Deepest nesting of arrays and objects accepted (a run record needs about 10).
MAX_DEPTH = 64
INT_MIN, INT_MAX = -(2**63), 2**63 - 1

_STRING = re.compile(r'"[^"\\]*+(?:\\.[^"\\]*+)*+"')
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")
_INNERMOST = re.compile(r"\[\]|\{\}")


class UnsafeJSONError(ValueError):
    """JSON that parses but cannot be stored as it is (or that is too deep to parse safely)."""


def check_depth(text: str, max_depth: int = MAX_DEPTH) -> None:
    """Refuse ``text`` if its arrays and objects nest deeper than ``max_depth`` (brackets in strings ignored)."""
    if text.count("[") + text.count("{") <= max_depth:
        return
    brackets = _NOT_BRACKET.sub("", _STRING.sub("", text))
    # Each round removes the innermost pairs, so a balanced text is empty after as many rounds as it is deep.
    for _ in range(max_depth):
        inner = _INNERMOST.sub("", brackets)
        if inner == brackets or not inner:
            break
        brackets = inner
    else:
        if _INNERMOST.search(brackets):
            raise UnsafeJSONError(f"nested deeper than {max_depth} levels")
    if brackets and not _INNERMOST.search(brackets):  # unbalanced (bad JSON): count it the slow way
        depth = 0
        for char in brackets:
            depth += 1 if char in "[{" else -1
            if depth > max_depth:
                raise UnsafeJSONError(f"nested deeper than {max_depth} levels")


class Refused:
    """Stands in, after :func:`parse`, for a number that cannot be kept; :func:`check_value` reports it."""

    def __init__(self, reason: str):
        self.reason = reason

    def __repr__(self) -> str:
        return f"Refused({self.reason!r})"


class _Hooks:
    """json.loads hooks that leave a Refused marker for a number that cannot be kept, and count them."""

    def __init__(self) -> None:
        self.refused = 0

    def _refuse(self, reason: str) -> Refused:
        self.refused += 1
        return Refused(reason)

    def constant(self, name: str) -> Refused:
        return self._refuse(f"{name} is not a number JSON allows")

    def integer(self, text: str) -> int | Refused:
        # Beyond 4300 digits int() itself raises; beyond 20 the value is out of range anyway.
        value = int(text) if len(text) <= 20 else None
        if value is None or not INT_MIN <= value <= INT_MAX:
            return self._refuse("integer out of the 64-bit range")
        return value

    def number(self, text: str) -> float | Refused:
        value = float(text)
        return value if math.isfinite(value) else self._refuse("number out of range")


def _parse(text: str, max_depth: int) -> tuple[Any, bool]:
    check_depth(text, max_depth)
    hooks = _Hooks()
    try:
        value = json.loads(text, parse_constant=hooks.constant, parse_int=hooks.integer, parse_float=hooks.number)
    except RecursionError:  # only if max_depth was set above what the parser can do
        raise UnsafeJSONError("nested too deeply") from None
    # Text read as UTF-8 cannot hold a raw surrogate: only an escaped one can make a lone surrogate.
    return value, bool(hooks.refused) or "\\ud" in text or "\\uD" in text


def parse(text: str, *, max_depth: int = MAX_DEPTH) -> Any:
    """``json.loads`` after the depth check, with NaN, Infinity and numbers out of range left in place as
    :class:`Refused` markers, so that one bad value in a JSON array spoils only its own item (check each item
    with :func:`check_value`). Raises ``json.JSONDecodeError`` or :class:`UnsafeJSONError`."""
    return _parse(text, max_depth)[0]


def check_value(value: Any) -> None:
    """Refuse Refused markers, integers outside 64 bits, non-finite floats and strings with lone surrogates,
    anywhere in ``value`` (dict keys too). Iterative, so any depth is fine."""
    stack: list[tuple[Any, str]] = [(value, "$")]
    while stack:
        item, path = stack.pop()
        if isinstance(item, bool) or item is None:
            continue
        if isinstance(item, Refused):
            raise UnsafeJSONError(f"{path}: {item.reason}")
        if isinstance(item, int):
            if not INT_MIN <= item <= INT_MAX:
                raise UnsafeJSONError(f"{path}: integer out of the 64-bit range")
        elif isinstance(item, float):
            if not math.isfinite(item):
                raise UnsafeJSONError(f"{path}: number out of range")
        elif isinstance(item, str):
            _check_text(item, path)
        elif isinstance(item, list):
            stack.extend((x, f"{path}[{i}]") for i, x in enumerate(item))
        elif isinstance(item, dict):
            for key, x in item.items():
                _check_text(key, path)
                stack.append((x, f"{path}.{key}"))


def _check_text(text: str, path: str) -> None:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise UnsafeJSONError(f"{path}: string with a lone surrogate (not valid Unicode)") from None


def loads(text: str, *, max_depth: int = MAX_DEPTH) -> Any:
    """``json.loads`` for untrusted text. Raises ``json.JSONDecodeError`` for bad syntax and
    :class:`UnsafeJSONError` for the values described above (both are ValueError)."""
    value, suspect = _parse(text, max_depth)
    if suspect:  # the walk is needed only when a marker was left or a surrogate may be alone
        check_value(value)
    return value
