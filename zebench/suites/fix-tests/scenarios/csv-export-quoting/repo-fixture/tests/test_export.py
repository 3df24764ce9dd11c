import csv
import io
import os
import tempfile
import unittest
from decimal import Decimal

from reports import COLUMNS, read_csv, to_csv, write_csv

ROWS = [
    {"invoice_id": 1001, "customer": "ACME, Inc.", "email": "billing@acme.test", "amount": Decimal("1200.5")},
    {"invoice_id": 1002, "customer": 'Bob "The Builder" Ltd', "email": "bob@builder.test", "amount": 99},
    {"invoice_id": 1003, "customer": "Zoë Café", "email": None, "amount": Decimal("0.1"),
     "note": "first line\nsecond line"},
]


class ToCsvTests(unittest.TestCase):
    def parse(self, text):
        return list(csv.reader(io.StringIO(text, newline="")))

    def test_header(self):
        self.assertEqual(self.parse(to_csv([]))[0], COLUMNS)

    def test_crlf_line_endings(self):
        text = to_csv(ROWS[:1])
        self.assertEqual(text, "invoice_id,customer,email,amount,note\r\n"
                               '1001,"ACME, Inc.",billing@acme.test,1200.50,\r\n')

    def test_commas_are_quoted(self):
        self.assertEqual(self.parse(to_csv(ROWS))[1][1], "ACME, Inc.")

    def test_quotes_are_escaped(self):
        text = to_csv(ROWS[1:2])
        self.assertIn('"Bob ""The Builder"" Ltd"', text)
        self.assertEqual(self.parse(text)[1][1], 'Bob "The Builder" Ltd')

    def test_newlines_stay_inside_the_field(self):
        rows = self.parse(to_csv(ROWS))
        self.assertEqual(len(rows), 4)
        self.assertEqual(rows[3][4], "first line\nsecond line")

    def test_amounts_have_two_decimals(self):
        amounts = [row[3] for row in self.parse(to_csv(ROWS))[1:]]
        self.assertEqual(amounts, ["1200.50", "99.00", "0.10"])

    def test_missing_values_are_empty(self):
        row = self.parse(to_csv(ROWS))[3]
        self.assertEqual(row[2], "")


class RoundTripTests(unittest.TestCase):
    def test_write_then_read(self):
        handle, path = tempfile.mkstemp(suffix=".csv")
        os.close(handle)
        self.addCleanup(os.unlink, path)
        write_csv(ROWS, path)
        back = read_csv(path)
        self.assertEqual([r["customer"] for r in back], ["ACME, Inc.", 'Bob "The Builder" Ltd', "Zoë Café"])
        self.assertEqual(back[2]["note"], "first line\nsecond line")
        self.assertEqual(back[0]["amount"], "1200.50")
        self.assertEqual(back[0]["note"], "")


if __name__ == "__main__":
    unittest.main()
