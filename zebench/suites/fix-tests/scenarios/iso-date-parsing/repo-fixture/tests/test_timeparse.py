import unittest
from datetime import datetime, timedelta, timezone

from eventlog import format_timestamp, parse_timestamp

UTC = timezone.utc


class ParseTimestampTests(unittest.TestCase):
    def assertUtc(self, value, expected):
        parsed = parse_timestamp(value)
        self.assertEqual(parsed, expected)
        self.assertEqual(parsed.utcoffset(), timedelta(0))

    def test_zulu(self):
        self.assertUtc("2024-03-05T14:30:00Z", datetime(2024, 3, 5, 14, 30, tzinfo=UTC))

    def test_space_separator(self):
        self.assertUtc("2024-03-05 14:30:00Z", datetime(2024, 3, 5, 14, 30, tzinfo=UTC))

    def test_positive_offset_is_converted_to_utc(self):
        self.assertUtc("2024-03-05T14:30:00+02:00", datetime(2024, 3, 5, 12, 30, tzinfo=UTC))

    def test_negative_offset_without_colon(self):
        self.assertUtc("2024-03-05T14:30:00-0530", datetime(2024, 3, 5, 20, 0, tzinfo=UTC))

    def test_offset_crossing_midnight(self):
        self.assertUtc("2024-03-01T01:15:00+03:00", datetime(2024, 2, 29, 22, 15, tzinfo=UTC))

    def test_milliseconds(self):
        self.assertUtc("2024-03-05T14:30:00.250Z", datetime(2024, 3, 5, 14, 30, 0, 250000, tzinfo=UTC))

    def test_single_fraction_digit(self):
        self.assertUtc("2024-03-05T14:30:00.5Z", datetime(2024, 3, 5, 14, 30, 0, 500000, tzinfo=UTC))

    def test_nanoseconds_are_truncated(self):
        self.assertUtc("2024-03-05T14:30:00.123456789Z", datetime(2024, 3, 5, 14, 30, 0, 123456, tzinfo=UTC))

    def test_naive_timestamp_is_utc(self):
        self.assertUtc("2024-03-05T14:30:00", datetime(2024, 3, 5, 14, 30, tzinfo=UTC))

    def test_date_only(self):
        self.assertUtc("2024-02-29", datetime(2024, 2, 29, tzinfo=UTC))

    def test_garbage_is_rejected(self):
        for value in ("", "yesterday", "2024-13-01", "2024-03-05T25:00:00Z", "2024-03-05T14:30Z"):
            with self.subTest(value=value):
                with self.assertRaises(ValueError):
                    parse_timestamp(value)


class FormatTimestampTests(unittest.TestCase):
    def test_format_converts_to_utc(self):
        moment = datetime(2024, 3, 5, 16, 30, 0, 250999, tzinfo=timezone(timedelta(hours=2)))
        self.assertEqual(format_timestamp(moment), "2024-03-05T14:30:00.250Z")

    def test_round_trip(self):
        text = "2024-03-05T14:30:00.250Z"
        self.assertEqual(format_timestamp(parse_timestamp(text)), text)


if __name__ == "__main__":
    unittest.main()
