"""Thin HTTP client for the central inventory service."""

from typing import Any, List, Optional

from .models import Item, StockReport


def _default_session() -> Any:
    import requests

    session = requests.Session()
    session.headers["User-Agent"] = "inventory-api/0.4"
    return session


class InventoryClient:
    def __init__(self, base_url: str, session: Optional[Any] = None, timeout: float = 10.0) -> None:
        self.base_url = base_url.rstrip("/")
        self.session = session if session is not None else _default_session()
        self.timeout = timeout

    def push_report(self, report: StockReport) -> dict:
        response = self.session.post(
            f"{self.base_url}/reports",
            data=report.model_dump_json(exclude_none=True),
            headers={"Content-Type": "application/json"},
            timeout=self.timeout,
        )
        response.raise_for_status()
        return response.json()

    def fetch_items(self) -> List[Item]:
        response = self.session.get(f"{self.base_url}/items", timeout=self.timeout)
        response.raise_for_status()
        return [Item.model_validate(row) for row in response.json()]
