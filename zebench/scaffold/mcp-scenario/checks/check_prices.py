"""Hidden check: prices.json holds exactly the catalog's prices (the values mcp-server/catalog_server.py serves).
zebench runs it with the workspace as working directory; exit 0 = passed."""

import json
import sys

EXPECTED = {"apple": 0.42, "bread": 2.35, "cheese": 7.9, "dates": 5.15}

try:
    prices = json.load(open("prices.json"))
except (OSError, ValueError) as exc:
    print(f"prices.json unreadable: {exc}")
    sys.exit(1)
wrong = [f"{k}: {prices.get(k)!r}, expected {v}" for k, v in EXPECTED.items() if prices.get(k) != v]
print("\n".join(wrong) or "ok")
sys.exit(1 if wrong else 0)
