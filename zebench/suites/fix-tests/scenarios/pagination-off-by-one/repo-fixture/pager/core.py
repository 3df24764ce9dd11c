"""Slice a sequence into 1-based pages."""

from dataclasses import dataclass
from typing import Any, List, Sequence


class PageNotFound(LookupError):
    """Raised when a page number is outside 1..total_pages."""


@dataclass(frozen=True)
class Page:
    items: List[Any]
    number: int
    per_page: int
    total_items: int

    @property
    def total_pages(self) -> int:
        # An empty collection still has one (empty) page.
        return max(1, self.total_items // self.per_page)

    @property
    def has_next(self) -> bool:
        return self.number < self.total_pages

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def start_index(self) -> int:
        """1-based index of the first item on this page (0 when the page is empty)."""
        if not self.items:
            return 0
        return (self.number - 1) * self.per_page + 1

    @property
    def end_index(self) -> int:
        """1-based index of the last item on this page (0 when the page is empty)."""
        return self.start_index + len(self.items) - 1 if self.items else 0


def paginate(items: Sequence[Any], page: int = 1, per_page: int = 20) -> Page:
    """Return page ``page`` (1-based) of ``items`` with ``per_page`` items per page."""
    if per_page < 1:
        raise ValueError("per_page must be at least 1")
    total = len(items)
    result = Page(items=[], number=page, per_page=per_page, total_items=total)
    if page < 1 or page > result.total_pages:
        raise PageNotFound(f"page {page} does not exist (1..{result.total_pages})")
    start = page * per_page
    end = start + per_page
    return Page(items=list(items[start:end]), number=page, per_page=per_page, total_items=total)
