#!/usr/bin/env python3
"""Statistics benchmarks (issue: trustworthy numbers) on a large database. Prints medians.

1. the leaderboard with intervals (Wilson, bootstrap over items), pass@k and tie groups over every run;
2. a paired comparison of two agent configurations over all their runs (McNemar, paired bootstrap, per-item
   Fisher tests with Holm);
each next to a baseline measured in the same run: one full scan of benchmark_runs (COUNT and SUM), i.e. what
the cheapest possible "look at every run" costs.

The database comes from scripts/bench/api.py (1,000,000 synthetic runs):
    python scripts/bench/api.py            # builds /tmp/zebench-bench-1m.db once (cached)
    python scripts/bench/stats.py --db /tmp/zebench-bench-1m.db
Targets at 1,000,000 runs: leaderboard <= 5 s, paired comparison <= 5 s.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

from zebench.report.analysis import compare, leaderboard
from zebench.store import Store


def timed(fn, repeats: int) -> tuple[float, object]:  # type: ignore[no-untyped-def]
    times, result = [], None
    for _ in range(repeats):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", type=Path, default=Path("/tmp/zebench-bench-1m.db"), help="database to measure")
    parser.add_argument("--repeats", type=int, default=3, help="repetitions per figure (median reported)")
    args = parser.parse_args()
    if not args.db.exists():
        print(f"{args.db} does not exist: build it with python scripts/bench/api.py (see --help)", file=sys.stderr)
        return 2
    with Store(args.db) as store:  # applies pending migrations once (summary tables) before timing
        conn = store.conn
        runs = conn.execute("SELECT COUNT(*) FROM benchmark_runs").fetchone()[0]
        scan, _ = timed(
            lambda: conn.execute(
                "SELECT COUNT(*), SUM(is_successful), SUM(weighted_score) FROM benchmark_runs"
            ).fetchone(),
            args.repeats,
        )
        board_time, board = timed(lambda: leaderboard(conn), args.repeats)
        rows = board
        first, second = rows[0], rows[1]  # type: ignore[index]

        def selection(row: dict) -> str:  # type: ignore[type-arg]
            return f"agent={row['agent']}" + (f",model={row['model']}" if row["model"] else "")

        cmp_time, result = timed(lambda: compare(conn, selection(second), selection(first)), args.repeats)
    print(f"zebench statistics benchmarks on {args.db} ({runs:,} runs; median of {args.repeats})")
    print(f"  baseline: full scan of benchmark_runs (COUNT/SUM)        {scan:8.3f} s")
    figures = [
        (f"leaderboard ({len(rows)} configurations, intervals, ties)", board_time),  # type: ignore[arg-type]
        (f"paired comparison ({result['sharedItems']} shared items)", cmp_time),  # type: ignore[index]
    ]
    missed = 0
    for label, value in figures:
        ok = value <= 5.0
        missed += not ok
        print(f"  {label:55} {value:8.3f} s  ({value / scan:5.2f} x scan)   target <= 5 s   {'ok' if ok else 'MISSED'}")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
