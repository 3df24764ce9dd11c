import json
import unittest
import warnings
from datetime import datetime, timezone

from inventory import build_report, load_items, low_stock, restock
from inventory.client import InventoryClient

NOW = datetime(2024, 6, 1, 12, 0, tzinfo=timezone.utc)
ROWS = [
    {"sku": "ab-100", "name": "Widget", "quantity": 4, "unit_price": 2.5},
    {"sku": "cd-200", "name": " Gadget ", "quantity": 0, "unit_price": 10},
    {"sku": "ef-300", "name": "Doohickey", "quantity": 12, "unit_price": 0.5, "tags": ["Sale"]},
]


class FakeResponse:
    def __init__(self, payload):
        self._payload = payload

    def raise_for_status(self):
        return None

    def json(self):
        return self._payload


class FakeSession:
    def __init__(self, payload=None):
        self.payload = payload
        self.calls = []

    def post(self, url, data=None, headers=None, timeout=None):
        self.calls.append(("POST", url, data))
        return FakeResponse({"accepted": True})

    def get(self, url, timeout=None):
        self.calls.append(("GET", url, None))
        return FakeResponse(self.payload)


class ServiceTests(unittest.TestCase):
    def test_load_items_validates_rows(self):
        items = load_items(ROWS)
        self.assertEqual([i.sku for i in items], ["AB-100", "CD-200", "EF-300"])
        self.assertEqual(items[1].name, "Gadget")
        self.assertEqual(items[2].tags, ["sale"])

    def test_restock_returns_new_item(self):
        item = load_items(ROWS)[0]
        updated = restock(item, 6, now=NOW)
        self.assertEqual(updated.quantity, 10)
        self.assertEqual(updated.updated_at, NOW)
        self.assertEqual(item.quantity, 4)
        self.assertIsNone(item.updated_at)

    def test_restock_rejects_non_positive_amount(self):
        with self.assertRaises(ValueError):
            restock(load_items(ROWS)[0], 0)

    def test_low_stock(self):
        self.assertEqual([i.sku for i in low_stock(load_items(ROWS))], ["CD-200", "AB-100"])

    def test_service_uses_no_deprecated_api(self):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            items = load_items(ROWS)
            restock(items[0], 1, now=NOW)
            build_report(items, now=NOW)
        self.assertEqual([str(w.message) for w in caught if issubclass(w.category, DeprecationWarning)], [])


class ClientTests(unittest.TestCase):
    def test_push_report_sends_json(self):
        session = FakeSession()
        client = InventoryClient("https://inventory.example/api/", session=session)
        report = build_report(load_items(ROWS[:1]), now=NOW)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            self.assertEqual(client.push_report(report), {"accepted": True})
        method, url, body = session.calls[0]
        self.assertEqual((method, url), ("POST", "https://inventory.example/api/reports"))
        self.assertEqual(json.loads(body)["items"][0]["sku"], "AB-100")
        self.assertEqual([str(w.message) for w in caught if issubclass(w.category, DeprecationWarning)], [])

    def test_fetch_items(self):
        client = InventoryClient("https://inventory.example/api", session=FakeSession(ROWS))
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            items = client.fetch_items()
        self.assertEqual(len(items), 3)
        self.assertEqual(items[0].sku, "AB-100")
        self.assertEqual([str(w.message) for w in caught if issubclass(w.category, DeprecationWarning)], [])


if __name__ == "__main__":
    unittest.main()
