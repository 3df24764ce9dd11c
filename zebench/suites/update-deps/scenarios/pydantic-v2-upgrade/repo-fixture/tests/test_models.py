import importlib.util
import json
import unittest
import warnings
from datetime import datetime, timezone
from pathlib import Path

from pydantic import ValidationError

from inventory.models import Item, StockReport

NOW = datetime(2024, 6, 1, 12, 0, tzinfo=timezone.utc)


def make_item(**overrides):
    data = {"sku": "ab-100", "name": "Widget", "quantity": 4, "unit_price": 2.5}
    data.update(overrides)
    return Item(**data)


class ItemTests(unittest.TestCase):
    def test_sku_is_stripped_and_upper_cased(self):
        item = make_item(sku="  ab-100  ")
        self.assertEqual(item.sku, "AB-100")

    def test_strings_are_stripped(self):
        item = make_item(name="  Widget  ")
        self.assertEqual(item.name, "Widget")

    def test_tags_are_lower_cased(self):
        item = make_item(tags=["Blue", "LARGE"])
        self.assertEqual(item.tags, ["blue", "large"])

    def test_sku_length_is_checked_after_stripping(self):
        with self.assertRaises(ValidationError):
            make_item(sku="  ab  ")

    def test_negative_quantity_is_rejected(self):
        with self.assertRaises(ValidationError):
            make_item(quantity=-1)

    def test_items_are_immutable(self):
        item = make_item()
        with self.assertRaises(ValidationError):
            item.quantity = 99
        self.assertEqual(item.quantity, 4)

    def test_stock_value(self):
        self.assertEqual(make_item(quantity=3, unit_price=1.25).stock_value, 3.75)


class StockReportTests(unittest.TestCase):
    def test_duplicate_skus_are_rejected(self):
        with self.assertRaises(ValidationError):
            StockReport(items=[make_item(), make_item(sku="AB-100")], generated_at=NOW)

    def test_payload_round_trip(self):
        report = StockReport(items=[make_item(), make_item(sku="cd-200", quantity=1)], generated_at=NOW)
        payload = report.to_payload()
        self.assertNotIn("updated_at", payload["items"][0])
        self.assertEqual(StockReport.from_payload(payload), report)
        self.assertEqual(report.total_value, 12.5)

    def test_json_output(self):
        report = StockReport(items=[make_item()], generated_at=NOW)
        data = json.loads(report.to_json())
        self.assertEqual(data["items"][0]["sku"], "AB-100")
        self.assertNotIn("updated_at", data["items"][0])
        self.assertTrue(data["generated_at"].startswith("2024-06-01T12:00:00"))

    def test_json_schema_uses_defs(self):
        schema = StockReport.json_schema()
        self.assertIn("Item", schema["$defs"])
        self.assertIn("items", schema["properties"])


class NoDeprecatedApiTests(unittest.TestCase):
    """The code base must use the pydantic 2 API, not its deprecated v1 compatibility layer."""

    def test_models_define_without_deprecation_warnings(self):
        path = Path(__file__).resolve().parents[1] / "inventory" / "models.py"
        spec = importlib.util.spec_from_file_location("inventory_models_fresh_copy", path)
        module = importlib.util.module_from_spec(spec)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            spec.loader.exec_module(module)
            report = module.StockReport(
                items=[module.Item(sku="ab-100", name="Widget", unit_price=1.0)], generated_at=NOW
            )
            report.to_payload()
            report.to_json()
            module.StockReport.from_payload(report.to_payload())
            module.StockReport.json_schema()
        messages = [str(w.message) for w in caught if issubclass(w.category, (DeprecationWarning, UserWarning))]
        self.assertEqual(messages, [])


if __name__ == "__main__":
    unittest.main()
