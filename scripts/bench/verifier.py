#!/usr/bin/env python3
"""What verifying a run costs (issue 21, docs/performance.md, "Verifier"): the same runs scored on the verified copy
and on the agent's workspace as zebench 0.1 did (``RunOptions(verify=False)``), on every bundled scenario.

For each scenario, ``--repeats`` runs of the agent (default: the oracle, which makes the changes a solution makes)
in each mode, interleaved (verified, unverified, verified, ...) and one at a time, so that the machine's load
falls on both alike. Each mode shares one BaselineCache per scenario, as a batch does: the list of the protected
tests is made once, concurrently with the first run's agent. Prints, per scenario and over all runs, the median
wall time of a run (the record's duration, setup to results) in each mode, the added share, the median
``verification`` stage, and the validation and evaluation stages of both modes.

Usage: python scripts/bench/verifier.py [--repeats N] [--agent oracle] [--sandbox auto|bwrap|none] [SCENARIO...]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
from pathlib import Path

from zebench.catalog import Catalog
from zebench.execution.runner import BaselineCache, RunOptions, RunSpec, run_one
from zebench.models import RunRecord

BUNDLED = Path(__file__).resolve().parents[2] / "zebench" / "suites"
#: Issue 21's target: verification adds at most this share to a run's wall time.
TARGET_PERCENT = 10


def stage(records: list[RunRecord], name: str) -> float:
    return statistics.median(r.telemetry.stage_ms.get(name, 0) for r in records if r.telemetry)


def duration(records: list[RunRecord]) -> float:
    return statistics.median(r.telemetry.duration_ms for r in records if r.telemetry)


async def measure(selectors: list[str], repeats: int, agent: str, sandbox: str) -> int:
    catalog = Catalog(BUNDLED)
    scenarios = catalog.select(selectors)
    all_runs: dict[bool, list[RunRecord]] = {True: [], False: []}
    failures = 0
    print(f"{'scenario':44} {'verified':>9} {'today':>9} {'added':>7} {'verif.':>7}  validation v/t  evaluation v/t")
    for scenario in scenarios:
        tier = "L1" if "L1" in scenario.prompts else scenario.tiers[0]
        caches = {True: BaselineCache(), False: BaselineCache()}
        runs: dict[bool, list[RunRecord]] = {True: [], False: []}
        for _ in range(repeats):
            for verify in (True, False):
                options = RunOptions(sandbox=sandbox, verify=verify, baselines=caches[verify])
                record = await run_one(RunSpec(scenario, tier, agent), options)
                if record.status != "completed":
                    failures += 1
                runs[verify].append(record)
        for cache in caches.values():
            await cache.close()
        verified, today = duration(runs[True]), duration(runs[False])
        print(
            f"{scenario.key:44} {verified:8.0f}ms {today:8.0f}ms {100 * (verified / today - 1):+6.1f}% "
            f"{stage(runs[True], 'verification'):6.0f}ms  "
            f"{stage(runs[True], 'validation'):5.0f}/{stage(runs[False], 'validation'):<5.0f}   "
            f"{stage(runs[True], 'evaluation'):5.0f}/{stage(runs[False], 'evaluation'):<5.0f}"
        )
        for verify in (True, False):
            all_runs[verify] += runs[verify]
    verified, today = duration(all_runs[True]), duration(all_runs[False])
    print(
        f"{'all (median of ' + str(len(all_runs[True])) + ' runs each)':44} {verified:8.0f}ms {today:8.0f}ms "
        f"{100 * (verified / today - 1):+6.1f}% {stage(all_runs[True], 'verification'):6.0f}ms"
    )
    ratios = []
    for scenario in scenarios:
        mine = [r for r in all_runs[True] if r.scenario == scenario.name and r.suite == scenario.suite]
        theirs = [r for r in all_runs[False] if r.scenario == scenario.name and r.suite == scenario.suite]
        ratios.append(duration(mine) / duration(theirs))
    added = 100 * (statistics.median(ratios) - 1)
    print(f"median over scenarios of the added share: {added:+.1f}% (target <= +{TARGET_PERCENT}%)")
    total_verified = sum(r.telemetry.duration_ms for r in all_runs[True] if r.telemetry)
    total_today = sum(r.telemetry.duration_ms for r in all_runs[False] if r.telemetry)
    print(
        f"wall time of all runs together: {total_verified / 1000:.1f} s verified, {total_today / 1000:.1f} s today, "
        f"{100 * (total_verified / total_today - 1):+.1f}%"
    )
    if failures:
        print(f"{failures} runs did not complete", file=sys.stderr)
    return 1 if failures else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("selectors", nargs="*", help="suite or suite/scenario (default: every bundled scenario)")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--agent", default="oracle")
    parser.add_argument("--sandbox", default="auto")
    args = parser.parse_args()
    return asyncio.run(measure(args.selectors, args.repeats, args.agent, args.sandbox))


if __name__ == "__main__":
    sys.exit(main())
