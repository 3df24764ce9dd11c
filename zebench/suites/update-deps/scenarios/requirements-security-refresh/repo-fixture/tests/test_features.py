import unittest

from churn.config import DEFAULTS
from churn.features import build_matrix, encode_record, tenure_bucket

RECORD = {
    "customer_id": "c-1",
    "tenure_months": 18,
    "monthly_charges": "49.90",
    "plan": "standard",
    "support_tickets": 2,
}


class FeatureTests(unittest.TestCase):
    def test_tenure_bucket(self):
        self.assertEqual(tenure_bucket(3, [6, 12]), 0)
        self.assertEqual(tenure_bucket(12, [6, 12]), 1)
        self.assertEqual(tenure_bucket(40, [12, 6]), 2)

    def test_encode_record(self):
        row = encode_record(RECORD, DEFAULTS)
        self.assertEqual(row["tenure_bucket"], 1.0)
        self.assertAlmostEqual(row["monthly_charges"], 49.9)
        self.assertEqual(row["plan_standard"], 1.0)
        self.assertEqual(row["plan_premium"], 0.0)
        self.assertNotIn("customer_id", row)

    def test_build_matrix(self):
        self.assertEqual(len(build_matrix([RECORD, dict(RECORD, plan="basic")], DEFAULTS)), 2)


if __name__ == "__main__":
    unittest.main()
