#!/usr/bin/env python3
"""What storing a run of a large batch costs as the batch grows (issue 25, docs/performance.md, "Storing the runs
of a large batch").

A batch stores each run as it finishes (``Store.save_run``, one transaction, in the batch's writer thread), and
each write refreshes the batch row's figures (total, successful, failed runs, mean scores...). This script stores
``--runs`` synthetic runs of one batch one at a time, and beside them, interleaved run by run, the same runs with no
batch (no batch row to refresh: the baseline, measured in the same run on the same moments of the machine). It
prints the median cost of a save in each window of ``--window`` runs, and the ratio batch / no batch in the first
and the last window (median of the per-run ratios), against the target: storing the 10,000th run of a batch costs
no more than 1.25 times a run without a batch (the refresh reads the batch's summary rows, not its runs; before,
it read every earlier run of the batch, and the ratio grew with the batch: 4.7 at 6,000 runs).

Usage: python scripts/bench/batch_store.py [--runs 10000] [--window 500]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

from zebench.models import RunRecord
from zebench.store import Store
from zebench.testing.synthetic import Generator

TARGET = 1.25


def synthetic_runs(count: int) -> list[RunRecord]:
    runs: list[RunRecord] = []
    for _, batch_runs in Generator(seed=5, details=True).batches(count):
        runs.extend(batch_runs)
    return runs[:count]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=10_000, help="runs stored in the batch (default 10,000)")
    parser.add_argument("--window", type=int, default=500, help="runs per reported window (default 500)")
    args = parser.parse_args(argv)
    runs = synthetic_runs(args.runs)
    batch_id = "batch-bench-store"
    with tempfile.TemporaryDirectory(prefix="zebench-bench-store-") as folder:
        batched, alone = Store(Path(folder) / "batch.db"), Store(Path(folder) / "alone.db")
        costs: dict[str, list[float]] = {"batch": [], "alone": []}
        try:
            for i, record in enumerate(runs):
                pairs = [
                    ("batch", batched, record.model_copy(update={"batch_id": batch_id})),
                    ("alone", alone, record.model_copy(update={"batch_id": None})),
                ]
                for name, store, copy in pairs if i % 2 == 0 else reversed(pairs):
                    start = time.perf_counter()
                    store.save_run(copy)
                    costs[name].append((time.perf_counter() - start) * 1000)
            (attempts,) = batched.conn.execute(
                "SELECT total_runs + cancelled_runs FROM batch_runs WHERE batch_id = ?", (batch_id,)
            ).fetchone()
        finally:
            batched.close()
            alone.close()
    assert attempts == len(runs), attempts  # the batch row counts every run stored
    window = min(args.window, len(runs))
    print(f"storing {len(runs)} runs one at a time (ms a save, median of each window of {window} runs)")
    print(f"  {'runs':>13} {'batch':>8} {'no batch':>9} {'ratio':>6}")
    ratios = [b / a for b, a in zip(costs["batch"], costs["alone"], strict=True)]
    for start in range(0, len(runs), window):
        part = slice(start, start + window)
        print(
            f"  {start + 1:>6}-{min(start + window, len(runs)):<6} {statistics.median(costs['batch'][part]):8.2f} "
            f"{statistics.median(costs['alone'][part]):9.2f} {statistics.median(ratios[part]):6.2f}"
        )
    first, last = statistics.median(ratios[:window]), statistics.median(ratios[-window:])
    verdict = "met" if last <= TARGET else "MISSED"
    print(f"ratio batch / no batch: first {window} runs {first:.2f}, last {window} runs {last:.2f}")
    print(f"  target <= {TARGET} at the last runs: {verdict}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
