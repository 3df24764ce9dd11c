"""Hidden timestamp cases beyond the visible tests (run with cwd = workspace).

Usage: check_hidden_cases.py [GROUP ...]   groups: parse, format-window (default: all)
"""

import os
import sys
from datetime import datetime, timedelta, timezone

sys.path.insert(0, os.getcwd())

UTC = timezone.utc
failures = []


def check_parse():
    from eventlog import parse_timestamp

    cases = [
        ("2023-12-31T23:30:00-01:00", datetime(2024, 1, 1, 0, 30, tzinfo=UTC)),
        ("2024-06-30T00:00:00+14:00", datetime(2024, 6, 29, 10, 0, tzinfo=UTC)),
        ("2024-03-05T14:30:00.000001Z", datetime(2024, 3, 5, 14, 30, 0, 1, tzinfo=UTC)),
        ("2024-03-05T14:30:00.1234567+00:30", datetime(2024, 3, 5, 14, 0, 0, 123456, tzinfo=UTC)),
        ("  2024-03-05T14:30:00Z\n", datetime(2024, 3, 5, 14, 30, tzinfo=UTC)),
        ("2024-03-05 06:00:00.75-08:00", datetime(2024, 3, 5, 14, 0, 0, 750000, tzinfo=UTC)),
    ]
    for value, expected in cases:
        try:
            parsed = parse_timestamp(value)
        except Exception as exc:
            failures.append(f"{value!r}: raised {exc!r}")
            continue
        if parsed != expected or parsed.utcoffset() != timedelta(0):
            failures.append(f"{value!r}: expected {expected!r}, got {parsed!r}")


def check_format_window():
    from eventlog import events_between, format_timestamp, parse_line

    moment = datetime(2024, 3, 5, 14, 30, 0, 999999, tzinfo=UTC)
    if format_timestamp(moment) != "2024-03-05T14:30:00.999Z":
        failures.append(f"format_timestamp truncation: {format_timestamp(moment)!r}")
    events = [
        parse_line('{"ts": "2024-03-05T09:59:59.999Z", "msg": "a"}'),
        parse_line('{"ts": "2024-03-05T11:00:00+01:00", "msg": "b"}'),
        parse_line('{"ts": "2024-03-05T11:00:00Z", "msg": "c"}'),
    ]
    window = events_between(events, datetime(2024, 3, 5, 10, tzinfo=UTC), datetime(2024, 3, 5, 11, tzinfo=UTC))
    if [e.message for e in window] != ["b"]:
        failures.append(f"window selection: {[e.message for e in window]!r}")


GROUPS = {"parse": check_parse, "format-window": check_format_window}

for group in sys.argv[1:] or list(GROUPS):
    try:
        GROUPS[group]()
    except Exception as exc:
        failures.append(f"{group}: raised {exc!r}")

if failures:
    print("\n".join(failures))
    sys.exit(1)
print("ok")
