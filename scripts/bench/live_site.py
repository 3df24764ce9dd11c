#!/usr/bin/env python3
"""The live report site (``zebench serve --site``) while a batch writes: what a page request waits for.

A synthetic database of N runs (``Generator(seed=1, details=True)``, default 2,000) is built into a site once.
Then a batch writes: --steps times, one run is added to a running batch (a new batch first), and a page is asked
for, as ``zebench serve --site`` serves one (``LiveSite.fresh``: the database changed, so the site is built first,
incrementally, on the server's site thread). Reported: the first build in the process (templates compiled, Altair
imported: what the first page after a change waits for after the server started), then the median and the
largest of the later ones, and a request when nothing changed (one cheap query).

Usage: python scripts/bench/live_site.py [--runs N] [--steps N]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from zebench.models import BatchRecord
from zebench.site import build_site
from zebench.site.serving import LiveSite
from zebench.store import Store
from zebench.testing.synthetic import AGENT_MODELS, SCENARIOS, Generator


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=2000)
    parser.add_argument("--steps", type=int, default=10)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="zebench-live-bench-") as tmp:
        db, out = Path(tmp) / "z.db", Path(tmp) / "site"
        with Store(db) as store:
            for batch, records in Generator(seed=1, details=True).batches(args.runs):
                store.save_batch(batch)
                store.save_runs(records)
        started = time.perf_counter()
        build_site(db, out)
        print(f"{args.runs:,} runs; first build {time.perf_counter() - started:.1f} s (before the server starts)")
        live = LiveSite(db, out, say=lambda _line: None)
        gen = Generator(seed=2, prefix="live", details=True, start=datetime(2026, 6, 1, tzinfo=UTC))
        with Store(db) as store:
            store.save_batch(
                BatchRecord(batch_id="live", created_at=datetime.now(UTC).isoformat(), expected_runs=args.steps)
            )
        times: list[float] = []
        for step in range(args.steps):
            key = (SCENARIOS[step % len(SCENARIOS)], "L1", AGENT_MODELS[0], step)
            with Store(db) as store:
                store.save_run(gen.run("live", key, judge=False))
            asked = time.perf_counter()
            live.fresh(live.tick())
            times.append(time.perf_counter() - asked)
        asked = time.perf_counter()
        live.fresh(live.tick())
        unchanged = time.perf_counter() - asked
        live.close()
    later = times[1:] or times
    print(
        f"a page after each new run: first {times[0]:.2f} s, then median {statistics.median(later):.2f} s, "
        f"largest {max(later):.2f} s ({len(later)} builds); nothing changed: {1000 * unchanged:.1f} ms"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
