#!/usr/bin/env python3
"""Agent-loop benchmarks (issue: real agents), against the local fake model server. Prints medians.

1. batch efficiency: wall time of 16 runs of the anthropic agent, 5 model calls each, with the fake server
   answering every call after 300 ms, at concurrency 8, divided by the ideal 2 rounds x 5 x 300 ms = 3 s;
2. read-only tool concurrency: the tool phase of a turn with 4 readFile calls, each taking 100 ms (a slow
   disk or network filesystem, simulated), run as the agents run them (concurrently) divided by one after another.

The anthropic SDK is imported before timing, as it is once per process in real use.
Usage: python scripts/bench/agents.py [--repeats N]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from zebench.agents.llm import run_tool_calls
from zebench.catalog import Catalog
from zebench.execution.batch import make_plan, run_batch
from zebench.run.tools import Toolbox
from zebench.store import Store
from zebench.testing import FakeModelServer, text_message, tool_use

TURNS = 5
LATENCY = 0.3
TOOL_LATENCY = 0.1


def five_turns(body: dict[str, Any]) -> dict[str, Any]:
    """Stateless script: tool calls until the 5th model call, then the final answer."""
    assistant_turns = sum(1 for m in body["messages"] if m["role"] == "assistant")
    if assistant_turns < TURNS - 1:
        return tool_use(("listFiles", {"path": "."}))
    return text_message("done")


def make_suite(root: Path) -> Path:
    base = root / "bench" / "scenarios" / "s0"
    (base / "repo-fixture").mkdir(parents=True)
    (base / "repo-fixture" / "README.md").write_text("bench\n")
    (base / "scenario.yaml").write_text("id: s0\nsuite: bench\n")
    (root / "bench" / "prompts" / "s0").mkdir(parents=True)
    (root / "bench" / "prompts" / "s0" / "L1.md").write_text("Look around.\n")
    return root


def bench_batch(server: FakeModelServer, tmp: Path, index: int) -> float:
    suites = make_suite(tmp / f"suite{index}")
    store = Store(tmp / f"agents{index}.db")
    plan, _ = make_plan(Catalog(suites), [], tiers=[], agents=["anthropic"], models=["claude-haiku-4-5"], repeat=16)
    start = time.perf_counter()
    result = asyncio.run(run_batch(store, plan, concurrency=8, workspace_root=tmp / "ws"))
    wall = time.perf_counter() - start
    store.close()
    assert all(r.status == "completed" and r.metadata.get("turns") == TURNS for r in result.records), "bad runs"
    return wall / (2 * TURNS * LATENCY)


class SlowReads(Toolbox):
    async def _read_file(self, args: dict[str, Any]) -> str:
        await asyncio.sleep(TOOL_LATENCY)
        return await super()._read_file(args)


def bench_tools(tmp: Path) -> float:
    (tmp / "f.txt").write_text("x")
    calls = [("readFile", {"path": "f.txt"})] * 4

    async def concurrent() -> float:
        start = time.perf_counter()
        await run_tool_calls(SlowReads(tmp), calls)  # type: ignore[arg-type]
        return time.perf_counter() - start

    async def sequential() -> float:
        box = SlowReads(tmp)
        start = time.perf_counter()
        for name, args in calls:
            await box.call(name, args)
        return time.perf_counter() - start

    return asyncio.run(concurrent()) / asyncio.run(sequential())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeats", type=int, default=5, help="repetitions per figure (median reported)")
    args = parser.parse_args()
    import anthropic  # noqa: F401  (see the docstring)

    with FakeModelServer(latency=LATENCY) as server, tempfile.TemporaryDirectory(prefix="zebench-bench-") as name:
        server.default_anthropic = five_turns
        os.environ["ANTHROPIC_API_KEY"] = "bench-not-a-key"
        os.environ["ANTHROPIC_BASE_URL"] = server.url
        tmp = Path(name)
        batch = [bench_batch(server, tmp, i) for i in range(args.repeats)]
        tools = [bench_tools(tmp) for _ in range(args.repeats)]
    results = {
        "16 runs x 5 turns @300 ms, concurrency 8 / ideal 3 s": (statistics.median(batch), 1.2),
        "4 read-only tool calls: concurrent / sequential": (statistics.median(tools), 0.4),
    }
    print(f"zebench agent benchmarks (median of {args.repeats}; Python {sys.version.split()[0]})")
    missed = 0
    for label, (value, target) in results.items():
        missed += value > target
        print(f"  {label:55} {value:7.3f}   target <= {target}   {'ok' if value <= target else 'MISSED'}")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
