"""Per-command overhead of the sandbox: `true` run through zebench with --sandbox bwrap, --sandbox none, and a
bare asyncio subprocess (what zebench did before it had a reaper and a sandbox), median of many runs.

    python scripts/bench/sandbox.py [--runs 40] [--repeats 5]

Prints the median wall time of one command in each mode, and bwrap / none as a ratio (median over repeats).
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from pathlib import Path

from zebench.isolation.sandbox import Sandbox, bwrap_problem


async def bare(runs: int, cwd: Path) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        proc = await asyncio.create_subprocess_shell("true", cwd=cwd)
        await proc.wait()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


async def sandboxed(mode: str, runs: int, workspace: Path, scratch: Path) -> float:
    async with Sandbox(workspace, mode=mode, scratch_root=scratch) as box:  # type: ignore[arg-type]
        await box.run("true", timeout=30)  # warm the page cache
        times = []
        for _ in range(runs):
            start = time.perf_counter()
            result = await box.run("true", timeout=30)
            times.append(time.perf_counter() - start)
            assert result.exit_code == 0, result.output
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=40, help="commands per measurement")
    parser.add_argument("--repeats", type=int, default=5, help="measurements per mode")
    args = parser.parse_args()
    problem = bwrap_problem()
    if problem:
        raise SystemExit(f"bubblewrap is not usable here: {problem}")
    with tempfile.TemporaryDirectory(prefix="zebench-bench-") as tmp:
        root = Path(tmp)
        results: dict[str, list[float]] = {"bare": [], "none": [], "bwrap": []}
        for _ in range(args.repeats):
            for mode in ("none", "bwrap"):
                workspace = root / f"ws-{mode}"
                workspace.mkdir(exist_ok=True)
                results[mode].append(asyncio.run(sandboxed(mode, args.runs, workspace, root)))
            results["bare"].append(asyncio.run(bare(args.runs, root)))
    ratios = [b / n for b, n in zip(results["bwrap"], results["none"], strict=True)]
    print(f"{'mode':8} {'median ms per command':>22}")
    for mode in ("bare", "none", "bwrap"):
        print(f"{mode:8} {statistics.median(results[mode]) * 1000:22.1f}")
    print(f"bwrap / none: {statistics.median(ratios):.2f}")


if __name__ == "__main__":
    main()
