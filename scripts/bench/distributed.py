#!/usr/bin/env python3
"""Distributed executor benchmark (issue #14). Prints medians of several repetitions.

48 runs of an agent that waits 1 s, on a Dask cluster of 2 workers x 4 slots started as a user starts one
(`dask scheduler`, `dask worker ADDRESS --nthreads 4`, separate processes on this machine, each worker with its
own zebench cache), with `run_batch(..., executor=DaskExecutor(ADDRESS))`. The figure is the batch's wall time
(connecting, checking the workers, shipping the 48 scenarios, the runs, every record written to SQLite by the
coordinator) divided by the ideal 6 s (48 x 1 s / 8 slots). Target <= 1.3.

Also printed: the first batch on fresh workers (scenario content not yet in their caches) and the same batch on
the local executor at concurrency 8 (the in-process floor of the same work).

Usage: python scripts/bench/distributed.py [--repeats N]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

# This file's name is the `distributed` package's: its folder (sys.path[0] when run as a script) must not hide it.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]

from zebench.agents import Agent, AgentResult, AgentTask, register_agent  # noqa: E402 (after the sys.path fix)
from zebench.catalog import Catalog  # noqa: E402 (after the sys.path fix)
from zebench.execution.batch import make_plan, run_batch  # noqa: E402 (after the sys.path fix)
from zebench.execution.executors.dask import DaskExecutor  # noqa: E402 (after the sys.path fix)
from zebench.store import Store  # noqa: E402 (after the sys.path fix)
from zebench.testing import DaskProcesses  # noqa: E402 (after the sys.path fix)

RUNS, WORKERS, SLOTS = 48, 2, 4
IDEAL = RUNS * 1.0 / (WORKERS * SLOTS)


class WaitAgent(Agent):
    """Waits one second without using the CPU: stands in for a model call. Defined here, in the coordinator's
    script: the workers get it by value with the batch."""

    name = "bench-wait"
    description = "benchmark: sleeps 1 s"

    async def run(self, task: AgentTask, tools: object) -> AgentResult:
        await asyncio.sleep(1.0)
        return AgentResult(final_text="waited")


def make_suite(root: Path, scenarios: int) -> Path:
    for i in range(scenarios):
        base = root / "bench" / "scenarios" / f"s{i}"
        (base / "repo-fixture" / "src").mkdir(parents=True)
        for j in range(10):
            (base / "repo-fixture" / "src" / f"m{j}.py").write_text(f"VALUE = {j}\n")
        (base / "scenario.yaml").write_text(f"id: s{i}\nsuite: bench\n")
        prompts = root / "bench" / "prompts" / f"s{i}"
        prompts.mkdir(parents=True)
        (prompts / "L1-basic.md").write_text("Do nothing.\n")
    return root


def one_batch(store: Store, suites: Path, batch_id: str, **kwargs: object) -> float:
    plan, _ = make_plan(Catalog(suites), [], tiers=["L1"], agents=["bench-wait"], models=[])
    assert len(plan.keys()) == RUNS
    start = time.perf_counter()
    result = asyncio.run(run_batch(store, plan, batch_id=batch_id, **kwargs))  # type: ignore[arg-type]
    wall = time.perf_counter() - start
    assert len(result.records) == RUNS, batch_id
    assert {r.status for r in result.records} == {"completed"}, batch_id
    return wall


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeats", type=int, default=5, help="repetitions (median reported)")
    args = parser.parse_args()
    register_agent("bench-wait", WaitAgent)
    with tempfile.TemporaryDirectory(prefix="zebench-bench-dask-") as name:
        tmp = Path(name)
        suites = make_suite(tmp / "suites", RUNS)
        store = Store(tmp / "bench.db")
        local = [
            one_batch(store, suites, f"local-{i}", concurrency=WORKERS * SLOTS) / IDEAL for i in range(args.repeats)
        ]
        with DaskProcesses(tmp / "cluster") as cluster:
            address = cluster.start_scheduler()
            for w in range(WORKERS):
                cluster.start_worker(f"w{w}", nthreads=SLOTS, hide=[suites])
            cluster.wait_for_workers()
            cold = one_batch(store, suites, "dask-cold", executor=DaskExecutor(address)) / IDEAL
            warm = [
                one_batch(store, suites, f"dask-{i}", executor=DaskExecutor(address)) / IDEAL
                for i in range(args.repeats)
            ]
        store.close()
    figure = statistics.median(warm)
    ok = figure <= 1.3
    print(
        f"zebench distributed benchmark: {RUNS} runs x 1 s on {WORKERS} workers x {SLOTS} slots "
        f"(median of {args.repeats}; Python {sys.version.split()[0]})"
    )
    verdict = "ok" if ok else "MISSED"
    print(
        f"  dask, wall / ideal {IDEAL:g} s                     {figure:6.3f}   target <= 1.3   {verdict}"
        f"   (all: {', '.join(f'{w:.3f}' for w in warm)})"
    )
    print(f"  dask, first batch on fresh workers               {cold:6.3f}")
    print(f"  local executor, concurrency {WORKERS * SLOTS}                  {statistics.median(local):6.3f}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
