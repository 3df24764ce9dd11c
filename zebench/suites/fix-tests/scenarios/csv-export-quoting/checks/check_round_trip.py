"""Hidden CSV cases (run with cwd = workspace).

Usage: check_round_trip.py [GROUP ...]   groups: to-csv, round-trip (default: all)
"""

import csv
import io
import os
import sys
import tempfile
from decimal import Decimal

sys.path.insert(0, os.getcwd())


TRICKY = [
    {"invoice_id": 1, "customer": '"quoted at both ends"', "email": "a@b.test", "amount": Decimal("2.345")},
    {"invoice_id": 2, "customer": "  leading and trailing spaces  ", "amount": 0},
    {"invoice_id": 3, "customer": "tab\there; semi", "note": "windows\r\nbreak", "amount": "7"},
    {"invoice_id": 4, "customer": "=SUM(A1:A2)", "note": ",", "amount": Decimal("-5")},
    {"invoice_id": 5, "customer": "Ελληνικά ✓", "note": '""', "amount": 1.1},
]
EXPECTED_AMOUNTS = ["2.35", "0.00", "7.00", "-5.00", "1.10"]
failures = []


def check_to_csv():
    from reports import to_csv

    text = to_csv(TRICKY)
    parsed = list(csv.reader(io.StringIO(text, newline="")))
    if len(parsed) != len(TRICKY) + 1:
        failures.append(f"expected {len(TRICKY) + 1} records, got {len(parsed)}")
    else:
        for source, record in zip(TRICKY, parsed[1:]):
            for index, column in enumerate(["invoice_id", "customer", "email", "amount", "note"]):
                if column == "amount":
                    continue
                expected = "" if source.get(column) is None else str(source[column])
                if record[index] != expected:
                    failures.append(f"{column}: expected {expected!r}, got {record[index]!r}")
        amounts = [record[3] for record in parsed[1:]]
        if amounts != EXPECTED_AMOUNTS:
            failures.append(f"amounts: expected {EXPECTED_AMOUNTS}, got {amounts}")

    if not text.endswith("\r\n") or "\n" in text.replace("\r\n", ""):
        failures.append("records must be terminated by CRLF")


def check_round_trip():
    from reports import read_csv, write_csv

    handle, path = tempfile.mkstemp(suffix=".csv")
    os.close(handle)
    try:
        write_csv(TRICKY, path)
        back = read_csv(path)
        if [row["customer"] for row in back] != [row["customer"] for row in TRICKY]:
            failures.append(f"read_csv customers: {[row['customer'] for row in back]!r}")
        if back[2]["note"] != "windows\r\nbreak":
            failures.append(f"read_csv embedded CRLF: {back[2]['note']!r}")
    finally:
        os.unlink(path)


GROUPS = {"to-csv": check_to_csv, "round-trip": check_round_trip}

for group in sys.argv[1:] or list(GROUPS):
    try:
        GROUPS[group]()
    except Exception as exc:
        failures.append(f"{group}: raised {exc!r}")

if failures:
    print("\n".join(failures))
    sys.exit(1)
print("ok")
