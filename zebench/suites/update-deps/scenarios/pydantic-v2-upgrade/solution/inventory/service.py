"""Stock operations on inventory items. Items are immutable: operations return new items."""

from datetime import datetime, timezone
from typing import Iterable, List, Optional

from .models import Item, StockReport


def load_items(rows: Iterable[dict]) -> List[Item]:
    """Validate raw rows (e.g. from a CSV import or an API response) into items."""
    return [Item.model_validate(row) for row in rows]


def restock(item: Item, amount: int, now: Optional[datetime] = None) -> Item:
    """Return a copy of ``item`` with ``amount`` units added."""
    if amount <= 0:
        raise ValueError("restock amount must be positive")
    stamp = now or datetime.now(timezone.utc)
    return item.model_copy(update={"quantity": item.quantity + amount, "updated_at": stamp})


def low_stock(items: Iterable[Item], threshold: int = 5) -> List[Item]:
    """Items whose quantity is below ``threshold``, lowest first."""
    return sorted((i for i in items if i.quantity < threshold), key=lambda i: (i.quantity, i.sku))


def build_report(items: Iterable[Item], now: Optional[datetime] = None) -> StockReport:
    return StockReport(items=list(items), generated_at=now or datetime.now(timezone.utc))
