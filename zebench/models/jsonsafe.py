"""Limits on JSON coming from outside (API bodies, result files): nesting depth, and values SQLite cannot store.

Python's ``json`` accepts what the store cannot keep: integers beyond SQLite's 64-bit range (OverflowError when
bound), NaN and Infinity (stored as text that is no longer JSON), lone surrogates (UnicodeEncodeError when
SQLite encodes the text as UTF-8), and nesting deep enough to exhaust the recursion of the decoder, pydantic or
``json.dumps``. These helpers find them first, with the path of each, so that a bad value is an error naming its
field instead of a crash.
"""

from __future__ import annotations

import itertools
import json
import math
from array import array
from typing import Any

#: Deepest nesting of arrays and objects accepted. zebench's own records nest about 8 levels (a transcript's
#: tool input inside a message inside the record); agent-made tool inputs get the rest.
MAX_DEPTH = 64
INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1

_NOT_BRACKETS = bytes(b for b in range(256) if b not in b"[]{}")
# opening brackets count +1, closing ones -1 (as signed bytes)
_DEPTH_STEPS = bytes.maketrans(b"[{]}", b"\x01\x01\xff\xff")
# digits -> "1", everything else -> "0": a run of 19 ones is a number too long for 64 bits (or digits in a string)
_DIGIT_MAP = bytes(ord("1") if chr(b).isdigit() and b < 128 else ord("0") for b in range(256))
_LONG_NUMBER = b"1" * 19
# the same keeping an exponent's mark and sign: "e111" or "e+111" is a 3-digit exponent (1e999 is infinite)
_NUMBER_SHAPE = bytes(
    ord("1")
    if chr(b).isdigit() and b < 128
    else ord("e")
    if chr(b) in "eE"
    else ord("+")
    if chr(b) == "+"
    else ord("0")
    for b in range(256)
)


class JsonLimitError(ValueError):
    """JSON that zebench refuses before parsing or storing it; ``loc`` is the path of the value (may be empty)."""

    def __init__(self, message: str, loc: tuple[str | int, ...] = ()):
        super().__init__(message)
        self.loc = loc


def _outside_strings(raw: bytes) -> bytes:
    """The JSON text without its strings. Escaped backslashes and quotes are dropped first, so that every quote
    left delimits a string and splitting on quotes leaves the text outside strings at even positions (C-speed)."""
    return b"".join(raw.replace(b"\\\\", b"").replace(b'\\"', b"").split(b'"')[0::2])


def _too_deep(outside: bytes, limit: int) -> bool:
    """Brackets (outside strings) as +1/-1 steps: the running sum's maximum is the depth."""
    structure = outside.translate(None, _NOT_BRACKETS).translate(_DEPTH_STEPS)
    return bool(structure) and max(itertools.accumulate(array("b", structure))) > limit


def nested_deeper_than(data: bytes | str, limit: int = MAX_DEPTH) -> bool:
    """Whether JSON text nests ``[`` and ``{`` deeper than ``limit`` (brackets inside strings not counted).
    Meant for text about to be parsed; it does not validate it."""
    raw = data.encode("utf-8", "surrogatepass") if isinstance(data, str) else data
    if raw.count(b"[") + raw.count(b"{") <= limit:  # the usual small body: it cannot nest deeper
        return False
    return _too_deep(_outside_strings(raw), limit)


class UnstorableJson(JsonLimitError):
    """JSON holding values SQLite cannot store; ``problems`` lists (path, problem) for each."""

    def __init__(self, problems: list[tuple[tuple[str | int, ...], str]]):
        super().__init__(describe(problems), problems[0][0])
        self.problems = problems


def loads(data: bytes | str, *, max_depth: int = MAX_DEPTH) -> Any:
    """``json.loads`` for text from outside: nesting deeper than ``max_depth`` is refused before parsing
    (JsonLimitError, never a RecursionError), and values SQLite cannot store are refused after it, with their
    paths (UnstorableJson). The text outside strings tells, at C speed, whether a number may not fit (19 digits
    or more, a 3-digit exponent, NaN, Infinity); the text a lone surrogate (a \\ud800-\\udfff escape). Only
    then is the parsed value walked to find the paths."""
    raw = data.encode("utf-8", "surrogatepass") if isinstance(data, str) else data
    outside = _outside_strings(raw)
    if raw.count(b"[") + raw.count(b"{") > max_depth and _too_deep(outside, max_depth):
        raise JsonLimitError(f"JSON nested deeper than {max_depth} levels")
    try:
        value = json.loads(data)
    except RecursionError:
        raise JsonLimitError(f"JSON nested deeper than {max_depth} levels") from None
    except ValueError as exc:
        if isinstance(exc, (json.JSONDecodeError, UnicodeDecodeError)):
            raise
        # an integer past Python's 4,300-digit conversion limit: parse it as one beyond 64 bits, to name it
        value = json.loads(data, parse_int=_int_or_too_big)
    shape = outside.translate(_NUMBER_SHAPE)
    if (
        _LONG_NUMBER in shape
        or b"e111" in shape
        or b"e+111" in shape
        or b"NaN" in outside
        or b"Infinity" in outside
        or b"\\ud" in raw.lower()
    ):
        problems = unstorable_values(value, max_depth=max_depth)
        if problems:
            raise UnstorableJson(problems)
    return value


def _int_or_too_big(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        return INT64_MAX + 1


def _skip(value: Any) -> None:
    return None  # values that are not JSON (models already validated) are not this check's business


def unstorable_values(value: Any, *, max_depth: int = MAX_DEPTH) -> list[tuple[tuple[str | int, ...], str]]:
    """(path, problem) for each value SQLite cannot store faithfully: integers outside 64 bits, NaN and
    infinities, strings with lone surrogates, and nesting deeper than ``max_depth``. A C-speed pass
    (``json.dumps`` without NaN, UTF-8 encoding, a look for 19-digit runs) clears the usual record; only a
    suspicious one is walked in Python to find the paths."""
    try:
        text = json.dumps(value, allow_nan=False, ensure_ascii=False, default=_skip)
        if _LONG_NUMBER not in text.encode("utf-8").translate(_DIGIT_MAP):
            return []
    except (ValueError, UnicodeEncodeError, RecursionError):
        pass
    problems: list[tuple[tuple[str | int, ...], str]] = []
    _walk(value, (), problems, max_depth)
    return problems


def _walk(
    value: Any, path: tuple[str | int, ...], problems: list[tuple[tuple[str | int, ...], str]], max_depth: int
) -> None:
    if len(problems) >= 20:  # enough to say what is wrong
        return
    if isinstance(value, bool) or value is None:
        return
    if isinstance(value, int):
        if not INT64_MIN <= value <= INT64_MAX:
            problems.append((path, "integer outside the 64-bit range SQLite stores (-2^63 .. 2^63-1)"))
    elif isinstance(value, float):
        if not math.isfinite(value):
            problems.append((path, "NaN and Infinity are not JSON numbers"))
    elif isinstance(value, str):
        if not _encodes(value):
            problems.append((path, "text with a lone surrogate (not valid Unicode)"))
    elif isinstance(value, (dict, list)):
        if len(path) >= max_depth:
            problems.append((path, f"nested deeper than {max_depth} levels"))
            return
        items = value.items() if isinstance(value, dict) else enumerate(value)
        for key, item in items:
            if isinstance(key, str) and not _encodes(key):
                problems.append(
                    ((*path, key.encode("utf-8", "replace").decode()), "key with a lone surrogate (not valid Unicode)")
                )
                continue
            _walk(item, (*path, key), problems, max_depth)


def _encodes(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def describe(problems: list[tuple[tuple[str | int, ...], str]]) -> str:
    return "; ".join(f"{'.'.join(str(p) for p in path) or '(value)'}: {message}" for path, message in problems)
