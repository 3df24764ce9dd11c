#!/usr/bin/env python3
"""Marginal cost of one run against a bare loop doing the same physical work, side by side (issue 25, point 1).

zebench: one run after another (``run_one`` then ``Store.save_run``) of the ``replay`` agent making one shell
call, ``echo hi``, on a 10-file fixture with no validation, in the sandbox (``--sandbox bwrap``, and ``none``
for comparison).

bare loop, the same physical work without zebench: copy the fixture (twice when the runner scores a second,
verified copy of the workspace), run ``echo hi`` in bubblewrap with the very command line zebench's sandbox
gives it (same mounts, namespaces and, as root, ``setpriv`` to the sandbox user: the guarantees are the same),
insert one row into a SQLite database (WAL, as zebench's store) and commit, remove the copies. A second bare
loop runs bubblewrap with a minimal command line (``--ro-bind / /``, new namespaces, the workspace writable):
that one gives weaker guarantees and shows what the sandbox's mounts cost.

Each repetition times ``--runs`` runs of every loop, in an order that rotates between repetitions (the
machine's load weighs on all alike); a loop's figure is the median per-run time of its block. Printed: the
medians over repetitions, and the ratio zebench / bare loop (median of the per-repetition ratios) against the
target (<= 1.5 with bwrap). The load average is printed too: the machine is shared.

Usage: python scripts/bench/perrun.py [--runs 30] [--repeats 5] [--modes bwrap,none] [--copies N]
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import json
import os
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from zebench.catalog import Catalog, Scenario
from zebench.execution.runner import STAGES, RunOptions, RunSpec, run_one
from zebench.isolation.sandbox import Sandbox, bwrap_problem
from zebench.store import Store

TARGET = 1.5
COMMAND = "echo hi"


def make_suite(root: Path) -> tuple[Scenario, Path]:
    """The 10-file fixture of scripts/bench/harness.py, no validation; the replay file with one shell call."""
    base = root / "suites" / "bench" / "scenarios" / "s0"
    (base / "repo-fixture" / "src").mkdir(parents=True)
    for j in range(10):
        (base / "repo-fixture" / "src" / f"m{j}.py").write_text(f"VALUE = {j}\n")
    (base / "scenario.yaml").write_text("id: s0\nsuite: bench\n")
    prompts = root / "suites" / "bench" / "prompts" / "s0"
    prompts.mkdir(parents=True)
    (prompts / "L1-basic.md").write_text("Say hi.\n")
    calls = root / "calls.json"
    calls.write_text(json.dumps([{"name": "runCommand", "input": {"command": COMMAND}}]))
    return Catalog(root / "suites").scenario("bench", "s0"), calls


def zebench_loop(scenario: Scenario, calls: Path, mode: str, root: Path, runs: int) -> list[float]:
    store = Store(root / f"zebench-{mode}.db")
    options = RunOptions(workspace_root=root / "ws", sandbox=mode, agent_settings={"replay_file": str(calls)})

    async def go() -> list[float]:
        times = []
        for _ in range(runs):
            start = time.perf_counter()
            record = await run_one(RunSpec(scenario, "L1", "replay"), options)
            store.save_run(record)
            times.append(time.perf_counter() - start)
            assert record.transcript is not None
            assert record.transcript.tool_calls[0].output.endswith("hi\n"), record.transcript.tool_calls[0].output
        return times

    try:
        return asyncio.run(go())
    finally:
        store.close()


def sandbox_argv(root: Path) -> tuple[list[str], dict[str, str], Path, Sandbox]:
    """The bubblewrap command line zebench's sandbox runs ``echo hi`` with (its reaper left out), its environment
    and its workspace (the bare loop's copies go to the same place, so the bind is the same); the sandbox is
    returned to be kept open (its folders are bound)."""
    workspace = root / "bare-ws"
    workspace.mkdir()
    box = Sandbox(workspace, mode="bwrap", scratch_root=root)
    box._open_sync()
    launch = box.launch(COMMAND, box.policy("agent"))
    return launch.command, launch.env, workspace, box


def minimal_argv(workspace: Path) -> list[str]:
    return [
        shutil.which("bwrap") or "bwrap",
        "--ro-bind",
        "/",
        "/",
        "--dev",
        "/dev",
        "--proc",
        "/proc",
        "--unshare-all",
        "--die-with-parent",
        "--new-session",
        "--bind",
        str(workspace),
        str(workspace),
        "--chdir",
        str(workspace),
        "/bin/sh",
        "-c",
        COMMAND,
    ]


def bare_loop(
    fixture: Path, argv: list[str], env: dict[str, str], workspace: Path, root: Path, runs: int, copies: int
) -> list[float]:
    db = sqlite3.connect(str(root / f"bare-{len(argv)}.db"))
    db.execute("PRAGMA journal_mode = WAL")
    db.execute("CREATE TABLE IF NOT EXISTS runs (id INTEGER PRIMARY KEY, output TEXT)")
    db.commit()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        shutil.rmtree(workspace, ignore_errors=True)
        targets = [workspace] + [root / f"bare-copy-{i}" for i in range(1, copies)]
        for target in targets:
            shutil.copytree(fixture, target)
        done = subprocess.run(argv, env=env, cwd=workspace, capture_output=True, check=False)
        assert done.stdout == b"hi\n", done
        db.execute("INSERT INTO runs (output) VALUES (?)", (done.stdout.decode(),))
        db.commit()
        for target in targets[1:]:
            shutil.rmtree(target)
        times.append(time.perf_counter() - start)
    db.close()
    return times


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=30, help="runs per loop and repetition")
    parser.add_argument("--repeats", type=int, default=5, help="repetitions (median reported)")
    parser.add_argument("--modes", default="bwrap,none", help="zebench's sandbox modes to time (bwrap first)")
    parser.add_argument(
        "--copies",
        type=int,
        default=None,
        help="fixture copies per bare-loop run (default: 2 when runs score a verified copy, else 1)",
    )
    args = parser.parse_args()
    problem = bwrap_problem()
    if problem:
        raise SystemExit(f"bubblewrap is not usable here: {problem}")
    copies = args.copies if args.copies is not None else (2 if "verification" in STAGES else 1)
    modes = [m for m in args.modes.split(",") if m]
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="zebench-bench-perrun-") as name:
        root = Path(name)
        scenario, calls = make_suite(root)
        assert scenario.fixture_dir is not None
        fixture = scenario.fixture_dir
        argv, env, workspace, _box = sandbox_argv(root)
        loops: dict[str, Callable[[int], list[float]]] = {
            "bare (same sandbox)": lambda n: bare_loop(fixture, argv, env, workspace, root, n, copies),
            "bare (minimal bwrap)": lambda n: bare_loop(
                fixture, minimal_argv(workspace), env, workspace, root, n, copies
            ),
        }
        for mode in modes:
            loops[f"zebench --sandbox {mode}"] = functools.partial(zebench_loop, scenario, calls, mode, root)
        names = list(loops)
        for loop in loops.values():  # warm-up: imports, the sandbox's /etc, page cache
            loop(3)
        figures: dict[str, list[float]] = {n: [] for n in names}
        for rep in range(args.repeats):
            order = names[rep % len(names) :] + names[: rep % len(names)]
            for loop_name in order:
                figures[loop_name].append(statistics.median(loops[loop_name](args.runs)))
    load_after = os.getloadavg()
    print(
        f"per-run cost, median of {args.repeats} repetitions x {args.runs} runs; bare loop: {copies} "
        f"fixture cop{'y' if copies == 1 else 'ies'}, `{COMMAND}` in bwrap, one row committed "
        f"(Python {sys.version.split()[0]}; load average {load_before[0]:.1f} before, {load_after[0]:.1f} after)"
    )
    for loop_name in names:
        print(f"  {loop_name:28} {statistics.median(figures[loop_name]) * 1000:8.1f} ms")
    failed = 0
    for mode in modes:
        ours = figures[f"zebench --sandbox {mode}"]
        for base in ("bare (same sandbox)", "bare (minimal bwrap)"):
            ratio = statistics.median(o / b for o, b in zip(ours, figures[base], strict=True))
            target = mode == "bwrap" and base == "bare (same sandbox)"
            verdict = f"target <= {TARGET}  {'ok' if ratio <= TARGET else 'MISSED'}" if target else ""
            failed += target and ratio > TARGET
            print(f"  zebench --sandbox {mode:5} / {base:22} {ratio:6.2f}   {verdict}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
