"""Text helpers for the CMS."""

from .slugs import slugify
from .truncate import truncate_words

__all__ = ["slugify", "truncate_words"]
