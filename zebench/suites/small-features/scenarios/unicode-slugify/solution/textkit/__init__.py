"""Text helpers for the CMS."""

from .slugs import slugify, unique_slug
from .truncate import truncate_words

__all__ = ["slugify", "truncate_words", "unique_slug"]
