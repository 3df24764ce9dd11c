import unittest
from datetime import datetime, timezone

from eventlog import events_between, parse_line

UTC = timezone.utc
LINES = [
    '{"ts": "2024-03-05T10:00:00Z", "level": "info", "msg": "start"}',
    '{"ts": "2024-03-05T12:00:00+02:00", "level": "warn", "msg": "slow", "ms": 950}',
    '{"ts": "2024-03-05T11:00:00Z", "level": "error", "msg": "boom"}',
    '{"ts": "2024-03-05T12:00:00Z", "msg": "end"}',
]


class WindowTests(unittest.TestCase):
    def setUp(self):
        self.events = [parse_line(line) for line in LINES]

    def test_parse_line(self):
        event = self.events[1]
        self.assertEqual(event.level, "WARN")
        self.assertEqual(event.extra, {"ms": 950})
        self.assertEqual(event.at, datetime(2024, 3, 5, 10, 0, tzinfo=UTC))

    def test_window_is_half_open_and_sorted(self):
        start = datetime(2024, 3, 5, 10, 0, tzinfo=UTC)
        end = datetime(2024, 3, 5, 12, 0, tzinfo=UTC)
        selected = events_between(self.events, start, end)
        self.assertEqual([e.message for e in selected], ["start", "slow", "boom"])

    def test_empty_window(self):
        moment = datetime(2024, 3, 5, 11, 0, tzinfo=UTC)
        self.assertEqual(events_between(self.events, moment, moment), [])


if __name__ == "__main__":
    unittest.main()
