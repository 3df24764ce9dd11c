"""Warehouse inventory models and helpers."""

from .models import Item, StockReport
from .service import build_report, load_items, low_stock, restock

__all__ = ["Item", "StockReport", "build_report", "load_items", "low_stock", "restock"]
__version__ = "0.4.2"
