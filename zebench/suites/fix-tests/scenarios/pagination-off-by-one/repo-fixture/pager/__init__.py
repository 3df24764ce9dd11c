"""1-based pagination helpers."""

from .core import Page, PageNotFound, paginate
from .links import page_links, page_range

__all__ = ["Page", "PageNotFound", "paginate", "page_links", "page_range"]
