#!/usr/bin/env python3
"""What anonymous SQL on Datasette's pages can cost the server (issue 26, point 7), in-process (no HTTP):

1. one step: ``instr`` over two MB strings (the attack's shape), alone;
2. four anonymous queries at once that run to the time limit, and how long the API's /api/v2/stats takes meanwhile.

    python scripts/bench/sql_attack.py --db data/zebench.db

Prints seconds. Run against another checkout with PYTHONPATH=<its root> to compare.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from pathlib import Path
from urllib.parse import quote

from zebench.io.serve import make_datasette

HAYSTACK = "replace(hex(zeroblob({n})), '0', 'a')"
BUSY = "with recursive c(x) as (select 1 union all select x + 1 from c) select count(*) from c"


async def measure(db: Path, size: int) -> dict[str, float | int]:
    ds = make_datasette(db)
    name = db.stem
    haystack, needle = HAYSTACK.format(n=size), HAYSTACK.format(n=size // 2) + " || 'b'"
    start = time.perf_counter()
    one = await ds.client.get(f"/{name}.json?sql={quote(f'select instr({haystack}, {needle})')}")
    single = time.perf_counter() - start
    start = time.perf_counter()
    queries = [asyncio.ensure_future(ds.client.get(f"/{name}.json?sql={quote(BUSY)}")) for _ in range(4)]
    await asyncio.sleep(0.5)  # a benchmark, not a test: let the four queries take Datasette's threads
    api_start = time.perf_counter()
    api = await ds.client.get("/api/v2/stats")
    api_seconds = time.perf_counter() - api_start
    await asyncio.gather(*queries)
    return {
        "instrChars": 2 * size,
        "instrStatus": one.status_code,
        "instrSeconds": round(single, 3),
        "apiStatus": api.status_code,
        "apiSecondsWhileBusy": round(api_seconds, 3),
        "fourQueriesSeconds": round(time.perf_counter() - start, 3),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", type=Path, required=True)
    parser.add_argument("--bytes", type=int, default=500_000, help="zeroblob size of the haystack (hex: twice)")
    args = parser.parse_args()
    for key, value in asyncio.run(measure(args.db, args.bytes)).items():
        print(f"{key}: {value}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
