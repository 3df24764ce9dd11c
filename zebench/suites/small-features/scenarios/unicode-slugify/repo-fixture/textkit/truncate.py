"""Shorten text for display without cutting words in half."""


def truncate_words(text: str, limit: int, ellipsis: str = "…") -> str:
    """Return ``text`` cut at the last word boundary so that the result fits in ``limit`` chars."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    room = limit - len(ellipsis)
    if room <= 0:
        return ellipsis[:limit]
    cut = text[:room + 1].rsplit(" ", 1)[0] if " " in text[:room + 1] else text[:room]
    return cut[:room].rstrip() + ellipsis
