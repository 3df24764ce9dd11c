#!/usr/bin/env python3
"""Memory a batch holds on its coordinator (the process that runs `zebench run` and writes every record).

Two figures, each against its baseline measured in the same invocation (Python's tracemalloc, after a garbage
collection):

1. Held per run once the runs are written: ``--runs`` runs of the ``oracle`` agent (``--sandbox none``, 2 slots),
   the memory held once the batch has returned (its result alive, as when `zebench run` prints its summary)
   minus what a batch of a quarter as many runs held, per run, with ``keep_records=False`` (what `zebench run`
   asks for: counts only) and with the records kept (the library's default), the baseline.
2. Held per run waiting to start: a batch of ``--pending`` runs on an executor that never finishes one, measured
   once the batch has handed out all it will (``RUNS_IN_HAND`` at a time), against the same batch handing out
   every run at once (what run_batch did before: ``RUNS_IN_HAND`` set to the batch's size), the baseline.

Usage: python scripts/bench/batch_memory.py [--runs 400] [--pending 100000]
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import sys
import tempfile
import tracemalloc
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # the tests' scenario maker

from tests.conftest import make_scenario
from zebench.catalog import Catalog
from zebench.execution import batch as batch_module
from zebench.execution.batch import BatchPlan, StopRequest, make_plan, run_batch
from zebench.execution.executors import Executor
from zebench.models import RunRecord
from zebench.store import Store


def held_after(catalog: Catalog, db: Path, runs: int, keep: bool) -> int:
    """Bytes allocated once a batch of ``runs`` oracle runs has returned, its result alive."""
    plan, _ = make_plan(catalog, [], tiers=["L1"], agents=["oracle"], models=[], repeat=runs)
    with Store(db) as store:
        gc.collect()
        tracemalloc.start()
        result = asyncio.run(run_batch(store, plan, concurrency=2, sandbox="none", keep_records=keep))
        assert sum(result.statuses.values()) == runs, result.statuses
        gc.collect()
        held = tracemalloc.get_traced_memory()[0]
        tracemalloc.stop()
        del result
    return held


class Waiting(Executor):
    """Takes runs and never finishes one (until the batch is stopped): what a batch holds while runs wait."""

    name = "waiting"

    def __init__(self) -> None:
        self.taken = 0
        self.release = asyncio.Event()

    async def run(self, spec: Any, *, started: Any, on_cancelled: Any) -> RunRecord:
        self.taken += 1
        await self.release.wait()
        raise AssertionError("never released")


def held_waiting(plan: BatchPlan, db: Path, in_hand: int) -> tuple[int, int]:
    """Bytes allocated while a batch of ``plan`` waits with ``in_hand`` runs handed out, and how many it handed out."""
    batch_module.RUNS_IN_HAND = in_hand

    async def go() -> tuple[int, int]:
        executor, stop = Waiting(), StopRequest()
        with Store(db) as store:
            gc.collect()
            tracemalloc.start()
            batch = asyncio.ensure_future(run_batch(store, plan, executor=executor, stop=stop, sandbox="none"))
            while executor.taken < min(in_hand, len(plan.keys())):
                await asyncio.sleep(0)
            gc.collect()
            held = tracemalloc.get_traced_memory()[0]
            tracemalloc.stop()
            stop.request()
            try:
                await batch
            except batch_module.BatchInterrupted:
                pass
        return held, executor.taken

    return asyncio.run(go())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=400, help="runs of the written batch (figure 1)")
    parser.add_argument("--pending", type=int, default=100_000, help="runs of the waiting batch (figure 2)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="zebench-bench-") as tmp:
        root = Path(tmp)
        make_scenario(root / "suites", name="one", tiers=("L1",))
        catalog = Catalog(root / "suites")
        held_after(catalog, root / "warm.db", 10, keep=False)  # imports and caches, once
        small = max(args.runs // 4, 1)
        per_run = {}
        for keep in (False, True):
            a = held_after(catalog, root / f"a{keep}.db", small, keep)
            b = held_after(catalog, root / f"b{keep}.db", args.runs, keep)
            per_run[keep] = (b - a) / (args.runs - small)
        print(f"1. held per written run ({args.runs} oracle runs against {small}):")
        print(f"   zebench run (keep_records=False)   {per_run[False] / 1024:8.2f} KB")
        print(f"   records kept (baseline)            {per_run[True] / 1024:8.2f} KB")
        print(f"   ratio                              {per_run[False] / per_run[True]:8.3f}")
        plan, _ = make_plan(catalog, [], tiers=["L1"], agents=["oracle"], models=[], repeat=args.pending)
        default = batch_module.RUNS_IN_HAND
        windowed, taken = held_waiting(plan, root / "w.db", default)
        everything, taken_all = held_waiting(plan, root / "e.db", args.pending)
        batch_module.RUNS_IN_HAND = default
        print(f"2. held while {args.pending} runs wait for slots:")
        print(f"   {taken} handed out (RUNS_IN_HAND)     {windowed / 2**20:8.1f} MB")
        print(f"   {taken_all} handed out (baseline)      {everything / 2**20:8.1f} MB")
        print(f"   ratio                              {windowed / everything:8.3f}")


if __name__ == "__main__":
    main()
