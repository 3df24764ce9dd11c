#!/usr/bin/env python3
"""Harness benchmarks (issue: harness core). Prints medians of several repetitions.

1. overhead per run: echo agent, small fixture, no validation, in ms (runs one after another);
2. concurrency efficiency: wall time of 32 runs of an agent that waits 1 s, at concurrency 8, / the ideal 4 s;
3. validation speed-up: three ~1 s commands run by the validation stage (concurrently) / one after another;
4. workspace preparation of a 5,000-file fixture / shutil.copytree of the same fixture to the same disk.

Usage: python scripts/bench/harness.py [--repeats N] [--quick]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from zebench.agents import Agent, AgentResult, AgentTask, register_agent
from zebench.catalog import Catalog
from zebench.execution.batch import make_plan, run_batch
from zebench.execution.runner import RunOptions, RunSpec, run_one
from zebench.isolation.sandbox import Sandbox
from zebench.models import ValidationCommands
from zebench.run.validation import run_validation
from zebench.run.workspace import copy_tree
from zebench.store import Store


class WaitAgent(Agent):
    """Waits one second without using the CPU: stands in for a model call."""

    name = "bench-wait"
    description = "benchmark: sleeps 1 s"

    async def run(self, task: AgentTask, tools: object) -> AgentResult:
        await asyncio.sleep(1.0)
        return AgentResult(final_text="waited")


def make_suite(root: Path, scenarios: int, validate: bool) -> Path:
    for i in range(scenarios):
        base = root / "bench" / "scenarios" / f"s{i}"
        (base / "repo-fixture" / "src").mkdir(parents=True)
        for j in range(10):
            (base / "repo-fixture" / "src" / f"m{j}.py").write_text(f"VALUE = {j}\n")
        commands = "validation: {commands: {test: 'true'}}\n" if validate else ""
        (base / "scenario.yaml").write_text(f"id: s{i}\nsuite: bench\n{commands}")
        prompts = root / "bench" / "prompts" / f"s{i}"
        prompts.mkdir(parents=True)
        (prompts / "L1-basic.md").write_text("Do nothing.\n")
    return root


def bench_overhead(tmp: Path, runs: int) -> float:
    suites = make_suite(tmp / "overhead", 1, validate=False)
    scenario = Catalog(suites).scenario("bench", "s0")
    store = Store(tmp / "overhead.db")
    options = RunOptions(workspace_root=tmp / "ws")

    async def go() -> list[float]:
        times = []
        for _ in range(runs):
            start = time.perf_counter()
            record = await run_one(RunSpec(scenario, "L1", "echo"), options)
            await asyncio.to_thread(store.save_run, record)
            times.append((time.perf_counter() - start) * 1000)
        return times

    times = asyncio.run(go())
    store.close()
    return statistics.median(times[2:])  # first runs warm caches


def bench_concurrency(tmp: Path, index: int) -> float:
    register_agent("bench-wait", WaitAgent)
    suites = make_suite(tmp / f"conc{index}", 32, validate=False)
    store = Store(tmp / f"conc{index}.db")
    plan, _ = make_plan(Catalog(suites), [], tiers=["L1"], agents=["bench-wait"], models=[])
    start = time.perf_counter()
    asyncio.run(run_batch(store, plan, concurrency=8, workspace_root=tmp / "ws"))
    wall = time.perf_counter() - start
    store.close()
    return wall / 4.0


def bench_validation(tmp: Path) -> float:
    work = tmp / "val"
    work.mkdir(exist_ok=True)
    commands = ValidationCommands(test="sleep 1", lint="sleep 1", typecheck="sleep 1")
    box = Sandbox(work, mode="none", scratch_root=tmp)

    async def parallel() -> float:
        start = time.perf_counter()
        await run_validation(commands, box, timeout=30)
        return time.perf_counter() - start

    async def sequential() -> float:
        start = time.perf_counter()
        for _, cmd in commands.items():
            await box.run(cmd, purpose="validation", timeout=30)
        return time.perf_counter() - start

    return asyncio.run(parallel()) / asyncio.run(sequential())


def make_big_fixture(root: Path, files: int = 5000) -> Path:
    per_dir = 100
    for i in range(files):
        d = root / f"pkg{i // per_dir}"
        d.mkdir(parents=True, exist_ok=True)
        (d / f"module_{i}.py").write_text("x = 1\n" * (1 + i % 40))
    return root


def _timed_copy(copy: Callable[[Path, Path], object], fixture: Path, tmp: Path) -> float:
    dst = Path(tempfile.mkdtemp(dir=tmp))
    os.sync()  # do not bill one copy for the other's (or the fixture's) pending writeback
    start = time.perf_counter()
    copy(fixture, dst / "copy")
    elapsed = time.perf_counter() - start
    shutil.rmtree(dst)
    os.sync()
    return elapsed


def _ours(src: Path, dst: Path) -> None:
    dst.mkdir()
    copy_tree(src, dst)


def bench_workspace(fixture: Path, tmp: Path, index: int) -> float:
    """One ratio; the order of the two copies alternates between repetitions."""
    if index % 2:
        base = _timed_copy(shutil.copytree, fixture, tmp)
        ours = _timed_copy(_ours, fixture, tmp)
    else:
        ours = _timed_copy(_ours, fixture, tmp)
        base = _timed_copy(shutil.copytree, fixture, tmp)
    return ours / base


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeats", type=int, default=5, help="repetitions per figure (median reported)")
    parser.add_argument("--quick", action="store_true", help="3 repetitions, fewer overhead runs")
    args = parser.parse_args()
    repeats = 3 if args.quick else args.repeats
    results: dict[str, tuple[float, str, float]] = {}
    with tempfile.TemporaryDirectory(prefix="zebench-bench-") as name:
        tmp = Path(name)
        overhead = [bench_overhead(tmp / f"o{i}", 12 if args.quick else 30) for i in range(repeats)]
        results["overhead per run (ms)"] = (statistics.median(overhead), "<=", 50)
        conc = [bench_concurrency(tmp, i) for i in range(repeats)]
        results["concurrency efficiency (wall / 4 s)"] = (statistics.median(conc), "<=", 1.15)
        val = [bench_validation(tmp) for _ in range(repeats)]
        results["validation parallel / sequential"] = (statistics.median(val), "<=", 0.45)
        fixture = make_big_fixture(tmp / "fixture")
        ws = [bench_workspace(fixture, tmp, i) for i in range(repeats)]
        results["workspace prep / shutil.copytree (5,000 files)"] = (statistics.median(ws), "<=", 1.0)
    failed = 0
    print(f"zebench harness benchmarks (median of {repeats}; Python {sys.version.split()[0]})")
    for label, (value, op, target) in results.items():
        ok = value <= target
        failed += not ok
        print(f"  {label:50} {value:8.3f}   target {op} {target}   {'ok' if ok else 'MISSED'}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
