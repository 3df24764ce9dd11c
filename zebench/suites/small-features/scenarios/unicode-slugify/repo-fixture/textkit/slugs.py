"""URL slugs."""

import re

_NON_ALNUM = re.compile(r"[^a-z0-9]+")


def slugify(text: str) -> str:
    """Lower-case ``text`` and join its ASCII letters and digits with hyphens."""
    return _NON_ALNUM.sub("-", text.lower()).strip("-")
