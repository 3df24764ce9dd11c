import unittest

from shop.customers import ValidationError, create_customer

VALID = {
    "name": " Ada Lovelace ",
    "email": "Ada@Example.co.uk ",
    "phone": "(020) 7946 0958",
    "country": "gb",
    "postcode": "sw1a 1aa",
}


class CreateCustomerTests(unittest.TestCase):
    def test_valid_customer_is_normalised(self):
        customer = create_customer(VALID)
        self.assertEqual(customer.name, "Ada Lovelace")
        self.assertEqual(customer.email, "ada@example.co.uk")
        self.assertEqual(customer.phone, "+442079460958")
        self.assertEqual((customer.country, customer.postcode), ("GB", "SW1A 1AA"))

    def test_international_phone_formats(self):
        self.assertEqual(create_customer(dict(VALID, phone="+31 (0)20-123 4567")).phone, "+310201234567")
        self.assertEqual(create_customer(dict(VALID, phone="0049 30 1234567")).phone, "+49301234567")

    def test_all_errors_are_reported(self):
        with self.assertRaises(ValidationError) as ctx:
            create_customer(dict(VALID, name=" ", email="not-an-email", postcode="12345"))
        message = str(ctx.exception)
        for expected in ("name is required", "invalid email", "invalid postcode"):
            self.assertIn(expected, message)

    def test_unknown_country(self):
        with self.assertRaises(ValidationError) as ctx:
            create_customer(dict(VALID, country="fr", postcode="75001", phone="01 23 45 67 89"))
        self.assertIn("unknown country", str(ctx.exception))

    def test_postcodes_per_country(self):
        self.assertEqual(create_customer(dict(VALID, country="NL", postcode="1012 ab")).postcode, "1012 AB")
        self.assertEqual(create_customer(dict(VALID, country="US", postcode="94105-1234")).country, "US")
        with self.assertRaises(ValidationError):
            create_customer(dict(VALID, country="DE", postcode="1234"))


if __name__ == "__main__":
    unittest.main()
