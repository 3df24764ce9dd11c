"""Count the words of a text."""


def word_count(text: str) -> int:
    """The number of words in ``text``: runs of characters separated by whitespace."""
    return len(text.split())
