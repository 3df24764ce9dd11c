"""zebench.models.jsonsafe: the nesting check agrees with the parsed structure whatever the strings hold, and values
SQLite cannot store are found with their paths."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from zebench.models import jsonsafe

TEXT = st.text(alphabet=st.sampled_from(["[", "]", "{", "}", '"', "\\", "a", " ", "\n", "é"]), max_size=12)
JSON = st.recursive(
    st.none() | st.integers(-10, 10) | TEXT,
    lambda children: st.lists(children, max_size=3) | st.dictionaries(TEXT, children, max_size=3),
    max_leaves=30,
)


def depth(value: Any) -> int:
    if isinstance(value, dict):
        return 1 + max((depth(v) for v in value.values()), default=0)
    if isinstance(value, list):
        return 1 + max((depth(v) for v in value), default=0)
    return 0


@settings(max_examples=300, derandomize=True)
@given(value=JSON, limit=st.integers(0, 6), ascii_only=st.booleans())
def test_nesting_check_matches_the_structure(value: Any, limit: int, ascii_only: bool) -> None:
    text = json.dumps(value, ensure_ascii=ascii_only)
    assert jsonsafe.nested_deeper_than(text, limit) is (depth(value) > limit)
    assert jsonsafe.nested_deeper_than(text.encode(), limit) is (depth(value) > limit)


def test_loads_refuses_deep_nesting_before_parsing_and_finds_unstorable_values() -> None:
    with pytest.raises(jsonsafe.JsonLimitError, match="deeper than 64"):
        jsonsafe.loads("[" * 100_000 + "]" * 100_000)
    assert jsonsafe.loads('{"a": "[[[[" , "b": [1, 2.5, "\\ud83d\\ude00"]}') == {"a": "[[[[", "b": [1, 2.5, "😀"]}
    assert jsonsafe.loads('{"id": "12345678901234567890", "n": 9223372036854775807, "x": "NaN e999"}')["n"] == 2**63 - 1
    with pytest.raises(jsonsafe.UnstorableJson) as caught:
        jsonsafe.loads(
            '{"a": [1, 9223372036854775808], "b": NaN, "c": {"d": -Infinity, "e": 1e999}, "f": "\\uDC00", "g": 2.5}'
        )
    assert caught.value.problems == [
        (("a", 1), "integer outside the 64-bit range SQLite stores (-2^63 .. 2^63-1)"),
        (("b",), "NaN and Infinity are not JSON numbers"),
        (("c", "d"), "NaN and Infinity are not JSON numbers"),
        (("c", "e"), "NaN and Infinity are not JSON numbers"),
        (("f",), "text with a lone surrogate (not valid Unicode)"),
    ]
