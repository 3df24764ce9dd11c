"""URL slugs with Unicode transliteration."""

import re
import unicodedata
from typing import Collection, Optional

# Letters that Unicode NFKD does not decompose into an ASCII base letter.
_TRANSLITERATIONS = str.maketrans({
    "ß": "ss", "ẞ": "SS",
    "æ": "ae", "Æ": "AE",
    "œ": "oe", "Œ": "OE",
    "ø": "o", "Ø": "O",
    "ł": "l", "Ł": "L",
    "đ": "d", "Đ": "D",
    "ð": "d", "Ð": "D",
    "þ": "th", "Þ": "TH",
    "ı": "i",
})

_NON_ALNUM = re.compile(r"[^a-z0-9]+")
_NON_WORD = re.compile(r"[\W_]+")


def _to_ascii(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.translate(_TRANSLITERATIONS))
    return decomposed.encode("ascii", "ignore").decode("ascii")


def _shorten(slug: str, max_length: int, separator: str) -> str:
    """Cut ``slug`` to ``max_length`` at a separator if possible, else hard-cut the first word."""
    if len(slug) <= max_length:
        return slug
    words = slug.split(separator)
    result = words[0]
    if len(result) > max_length:
        return result[:max_length]
    for word in words[1:]:
        candidate = f"{result}{separator}{word}"
        if len(candidate) > max_length:
            break
        result = candidate
    return result


def slugify(
    text: str,
    *,
    separator: str = "-",
    max_length: Optional[int] = None,
    allow_unicode: bool = False,
) -> str:
    """Turn ``text`` into a URL slug.

    Accented and other Latin letters are transliterated to ASCII ("Crème" -> "creme",
    "Straße" -> "strasse"); characters without an ASCII equivalent are dropped unless
    ``allow_unicode`` is true, in which case all Unicode letters and digits are kept.
    Runs of anything else become a single ``separator``. ``max_length`` shortens the slug at a
    word boundary (a single over-long word is cut hard).
    """
    if allow_unicode:
        words = _NON_WORD.split(unicodedata.normalize("NFKC", text).lower())
    else:
        words = _NON_ALNUM.split(_to_ascii(text).lower())
    slug = separator.join(word for word in words if word)
    if max_length is not None:
        slug = _shorten(slug, max_length, separator)
    return slug


def unique_slug(
    text: str,
    existing: Collection[str],
    *,
    separator: str = "-",
    max_length: Optional[int] = None,
    allow_unicode: bool = False,
) -> str:
    """A slug for ``text`` that is not in ``existing``, adding ``-2``, ``-3``, ... if needed."""
    base = slugify(text, separator=separator, max_length=max_length, allow_unicode=allow_unicode)
    if base not in existing:
        return base
    number = 2
    while True:
        suffix = f"{separator}{number}"
        stem = base
        if max_length is not None and len(stem) + len(suffix) > max_length:
            stem = stem[: max(0, max_length - len(suffix))].rstrip(separator)
        candidate = f"{stem}{suffix}"
        if candidate not in existing:
            return candidate
        number += 1
