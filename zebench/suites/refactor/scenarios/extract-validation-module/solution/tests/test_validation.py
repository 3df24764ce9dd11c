import unittest

from shop.validation import InvalidPhoneNumber, is_valid_email, is_valid_postcode, normalize_phone


class ValidationTests(unittest.TestCase):
    def test_email(self):
        self.assertTrue(is_valid_email(" someone@example.co.uk "))
        self.assertFalse(is_valid_email("someone@localhost"))
        self.assertFalse(is_valid_email("x@" + "a" * 250 + ".com"))

    def test_postcode(self):
        self.assertTrue(is_valid_postcode("ec1a 1bb", "GB"))
        self.assertTrue(is_valid_postcode("90210", "US"))
        self.assertFalse(is_valid_postcode("90210", "NL"))
        self.assertFalse(is_valid_postcode("90210", "FR"))

    def test_phone(self):
        self.assertEqual(normalize_phone("(020) 7946 0958", "GB"), "+442079460958")
        self.assertEqual(normalize_phone("0031 20 123 4567", "DE"), "+31201234567")
        with self.assertRaises(InvalidPhoneNumber):
            normalize_phone("01 23 45 67 89", "FR")
        self.assertTrue(issubclass(InvalidPhoneNumber, ValueError))


if __name__ == "__main__":
    unittest.main()
