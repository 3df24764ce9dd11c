import unittest
from decimal import Decimal

from shop.orders import OrderError, OrderLine, place_order

LINES = [OrderLine("AB-1", 2, Decimal("9.99")), OrderLine("CD-2", 1, Decimal("0.02"))]


class PlaceOrderTests(unittest.TestCase):
    def test_valid_order(self):
        order = place_order("SO-1", " Buyer@Example.com", "nl", "1012ab", LINES)
        self.assertEqual(order.contact_email, "buyer@example.com")
        self.assertEqual((order.ship_country, order.ship_postcode), ("NL", "1012AB"))
        self.assertEqual(order.total, Decimal("20.00"))

    def test_email_rules(self):
        for bad in ("", "buyer@", "@example.com", "buyer@example", "a b@example.com", "x@" + "a" * 250 + ".com"):
            with self.subTest(email=bad):
                with self.assertRaises(OrderError):
                    place_order("SO-2", bad, "DE", "10115", LINES)

    def test_postcode_must_match_country(self):
        with self.assertRaises(OrderError):
            place_order("SO-3", "buyer@example.com", "US", "SW1A 1AA", LINES)
        with self.assertRaises(OrderError):
            place_order("SO-4", "buyer@example.com", "XX", "12345", LINES)

    def test_empty_order(self):
        with self.assertRaises(OrderError):
            place_order("SO-5", "buyer@example.com", "DE", "10115", [])


if __name__ == "__main__":
    unittest.main()
