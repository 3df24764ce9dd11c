import unittest

from shop.suppliers import SupplierError, register_supplier


class RegisterSupplierTests(unittest.TestCase):
    def test_valid_supplier(self):
        supplier = register_supplier(" Acme GmbH ", "Orders@Acme.de", "030 1234567", "de")
        self.assertEqual(supplier.company, "Acme GmbH")
        self.assertEqual(supplier.orders_email, "orders@acme.de")
        self.assertEqual(supplier.phone, "+49301234567")

    def test_invalid_email(self):
        with self.assertRaises(SupplierError):
            register_supplier("Acme", "orders at acme.de", "030 1234567", "DE")

    def test_unknown_country_for_national_number(self):
        with self.assertRaises(SupplierError):
            register_supplier("Acme", "orders@acme.de", "030 1234567", "FR")
        self.assertEqual(register_supplier("Acme", "orders@acme.de", "+33 1 23 45 67 89", "FR").phone, "+33123456789")


if __name__ == "__main__":
    unittest.main()
