"""Navigation helpers for rendering page links."""

from typing import Dict, List, Optional
from urllib.parse import urlencode

from .core import Page


def page_range(current: int, total: int, window: int = 2) -> List[int]:
    """Page numbers to display: ``window`` pages either side of ``current``, clipped to 1..total."""
    first = max(1, current - window)
    last = min(total, current + window)
    return list(range(first, last + 1))


def page_links(page: Page, base_url: str, **params: str) -> Dict[str, Optional[str]]:
    """URLs for the previous/next page (None when there is none)."""

    def url(number: int) -> str:
        query = dict(params, page=str(number))
        return f"{base_url}?{urlencode(sorted(query.items()))}"

    return {
        "previous": url(page.number - 1) if page.has_previous else None,
        "next": url(page.number + 1) if page.has_next else None,
    }
