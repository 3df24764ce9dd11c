#!/usr/bin/env python3
"""Marginal cost of one run against a bare loop doing the same physical work, side by side (issue 25, point 1).

zebench: one run after another (``run_one`` then ``Store.save_run``) of the ``replay`` agent making one shell
call, ``echo hi``, on a 10-file fixture with no validation, in the sandbox (``--sandbox bwrap``, and ``none``
for comparison), every run of a loop in one batch as ``zebench run`` stores them (each write refreshes the batch
row's figures).

bare loop, the same physical work without zebench: copy the fixture (twice when the runner scores a second,
verified copy of the workspace; zebench makes that one on a thread while the agent works, the bare loop after the
command: the same files created either way), run ``echo hi`` in bubblewrap with the very command line zebench's sandbox
gives it (same mounts, namespaces and, as root, ``setpriv`` to the sandbox user: the guarantees are the same),
insert one row into a SQLite database (WAL, as zebench's store) and commit, remove the copies. A second bare
loop runs bubblewrap with a minimal command line (``--ro-bind / /``, new namespaces, the workspace writable):
that one gives weaker guarantees and shows what the sandbox's mounts cost.

Each repetition times ``--runs`` runs of every loop, interleaved run by run (one run of each loop in turn, the
order rotating at each turn: the speed of this shared virtual machine changes from one second to the next, the bare
loop alone moved between 14 and 44 ms a run from one invocation to the next, and each loop then sees the same
moments; ``--blocks`` times each loop's runs in one block, the loops' order rotating between repetitions, as this
script did before); a loop's figure in a repetition is the median of its runs. Printed: the
medians over repetitions, and the ratio zebench / bare loop (median of the per-repetition ratios) against the
target (<= 1.5 with bwrap), and where zebench's runs spend their time: each stage (the record's ``stage_ms``,
whole milliseconds), storing the record, and the rest of ``run_one``. The load average is printed too: the machine
is shared.

Usage: python scripts/bench/perrun.py [--runs 30] [--repeats 5] [--modes bwrap,none] [--copies N] [--no-verify]
       [--blocks] [--profile N]
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


class Block:
    """One repetition of a loop: the wall time of each of its runs, and their CPU time (this process, its threads,
    and every process the runs started: zebench's process helper and what it started, or bubblewrap and what it
    started)."""

    def __init__(self) -> None:
        self.walls: list[float] = []
        self.cpu = 0.0
        #: zebench's runs: where each run's time went (ms): its stages (the record's stage_ms), storing it, the rest.
        self.parts: dict[str, list[float]] = {}

    @property
    def per_run(self) -> float:
        return statistics.median(self.walls)

    @property
    def cpu_per_run(self) -> float:
        return self.cpu / len(self.walls)


def _own_cpu() -> float:
    times = os.times()
    return times.user + times.system + times.children_user + times.children_system


def _helper_cpu() -> float:
    """CPU time of zebench's process helper and the processes it waited for (it is this process's child)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for task in os.listdir("/proc/self/task"):
        with open(f"/proc/self/task/{task}/children") as fh:
            children = fh.read().split()
        for pid in children:
            try:
                with open(f"/proc/{pid}/cmdline", "rb") as fh:
                    if b"--serve" not in fh.read():
                        continue
                with open(f"/proc/{pid}/stat") as fh:
                    fields = fh.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            total += sum(int(f) for f in fields[11:15]) / ticks  # utime, stime, cutime, cstime
    return total


class ZebenchLoop:
    """zebench's runs, one at a time: ``run_one`` of the replay agent, then ``Store.save_run``."""

    def __init__(self, scenario: Scenario, calls: Path, mode: str, verify: bool, root: Path):
        self.scenario = scenario
        self.store = Store(root / f"zebench-{mode}.db")
        self.options = RunOptions(
            workspace_root=root / "ws", sandbox=mode, agent_settings={"replay_file": str(calls)}, verify=verify
        )
        #: one batch, as `zebench run` stores its runs: each write also refreshes the batch row's figures
        self.batch_id = f"batch-perrun-{mode}"

    async def one(self, block: Block) -> None:
        cpu = _own_cpu() + _helper_cpu()
        start = time.perf_counter()
        spec = RunSpec(self.scenario, "L1", "replay", batch_id=self.batch_id)
        record = await run_one(spec, self.options)
        stored = time.perf_counter()
        self.store.save_run(record)
        end = time.perf_counter()
        block.cpu += _own_cpu() + _helper_cpu() - cpu
        block.walls.append(end - start)
        stages = record.telemetry.stage_ms if record.telemetry is not None else {}
        for stage in STAGES:
            block.parts.setdefault(stage, []).append(stages.get(stage, 0))
        block.parts.setdefault("store.save_run", []).append((end - stored) * 1000)
        block.parts.setdefault("run_one outside its stages", []).append((stored - start) * 1000 - sum(stages.values()))
        assert record.transcript is not None
        assert record.transcript.tool_calls[0].output.endswith("hi\n"), record.transcript.tool_calls[0].output

    def close(self) -> None:
        self.store.close()


def zebench_loop(scenario: Scenario, calls: Path, mode: str, verify: bool, root: Path, runs: int) -> Block:
    """``runs`` zebench runs in a row (the profile)."""
    loop, block = ZebenchLoop(scenario, calls, mode, verify, root), Block()

    async def go() -> None:
        for _ in range(runs):
            await loop.one(block)

    try:
        asyncio.run(go())
    finally:
        loop.close()
    return block


def sandbox_argv(root: Path) -> tuple[list[str], dict[str, str], Path, Sandbox]:
    """The bubblewrap command line zebench's sandbox runs ``echo hi`` with, its environment and the workspace it
    names (the bare loop's copies go beside it, under fresh names); the sandbox is returned to be kept open (its
    folders are bound)."""
    workspace = root / "bare" / "template"
    workspace.mkdir(parents=True)
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


def _become_subreaper() -> None:
    import ctypes

    ctypes.CDLL(None).prctl(36, 1, 0, 0, 0)  # PR_SET_CHILD_SUBREAPER


def _children() -> set[int]:
    pids: set[int] = set()
    for task in os.listdir("/proc/self/task"):
        with open(f"/proc/self/task/{task}/children") as fh:
            pids.update(int(p) for p in fh.read().split())
    return pids


def _reap_orphans(keep: set[int]) -> None:
    """Wait for what bubblewrap left to this process (its namespace's init, already re-parented when bubblewrap
    has exited): the namespace is gone, and its CPU time is counted. ``keep``: children that are not orphans."""
    for pid in _children() - keep:
        try:
            os.waitpid(pid, 0)
        except ChildProcessError:
            pass


class BareLoop:
    """The bare loop's runs, one at a time: the fixture copied (``copies`` times), ``argv`` (bubblewrap running
    ``echo hi`` in the first copy, named ``template`` in it), what bubblewrap left waited for, one row inserted and
    committed, the copies removed."""

    def __init__(
        self, fixture: Path, argv: list[str], env: dict[str, str], template: Path, root: Path, copies: int
    ) -> None:
        self.fixture, self.argv, self.env, self.template, self.copies = fixture, argv, env, template, copies
        self.db = sqlite3.connect(str(root / f"bare-{len(argv)}.db"))
        self.db.execute("PRAGMA journal_mode = WAL")
        self.db.execute("CREATE TABLE IF NOT EXISTS runs (id INTEGER PRIMARY KEY, output TEXT)")
        self.db.commit()

    def one(self, block: Block) -> None:
        keep = _children()  # not orphans: zebench's process helper
        cpu = _own_cpu()
        start = time.perf_counter()
        targets = [Path(tempfile.mkdtemp(dir=self.template.parent)) for _ in range(self.copies)]
        for target in targets:
            shutil.copytree(self.fixture, target, dirs_exist_ok=True)
        run_argv = [a.replace(str(self.template), str(targets[0])) for a in self.argv]
        done = subprocess.run(run_argv, env=self.env, cwd=targets[0], capture_output=True, check=False)
        _reap_orphans(keep)
        assert done.stdout == b"hi\n", done
        self.db.execute("INSERT INTO runs (output) VALUES (?)", (done.stdout.decode(),))
        self.db.commit()
        for target in targets:
            shutil.rmtree(target)
        block.walls.append(time.perf_counter() - start)
        block.cpu += _own_cpu() - cpu

    def close(self) -> None:
        self.db.close()


Loop = ZebenchLoop | BareLoop


async def measure(
    loops: dict[str, Loop], runs: int, repeats: int, *, in_blocks: bool = False
) -> dict[str, list[Block]]:
    """``repeats`` blocks of ``runs`` runs of every loop, interleaved run by run (one run of each loop in turn, the
    order rotating at each turn): a change of the machine's speed (other jobs, the host's) weighs on every loop
    alike, where blocks of one loop after another each caught a different moment. ``in_blocks``: each loop's
    block in one go instead (the loops' order rotating between repetitions). Returns each loop's blocks."""
    names = list(loops)
    figures: dict[str, list[Block]] = {name: [] for name in names}

    async def one(name: str, block: Block) -> None:
        loop = loops[name]
        if isinstance(loop, ZebenchLoop):
            await loop.one(block)
        else:
            loop.one(block)

    turn = 0
    for rep in range(repeats):
        blocks = {name: Block() for name in names}
        if in_blocks:
            for name in names[rep % len(names) :] + names[: rep % len(names)]:
                for _ in range(runs):
                    await one(name, blocks[name])
        else:
            for _ in range(runs):
                for name in names[turn % len(names) :] + names[: turn % len(names)]:
                    await one(name, blocks[name])
                turn += 1
        for name in names:
            figures[name].append(blocks[name])
    return figures


def profile(loop: Callable[[int], Block], runs: int) -> None:
    """``runs`` runs of ``loop`` under cProfile: the functions of this process that took the most time (its own,
    then with what they called). The helper's and the commands' time is not in it (other processes)."""
    import cProfile
    import pstats

    profiler = cProfile.Profile()
    profiler.runcall(loop, runs)
    stats = pstats.Stats(profiler)
    print(f"profile of {runs} zebench --sandbox bwrap runs (this process; the event loop's waits included):")
    stats.sort_stats("tottime").print_stats(15)
    stats.sort_stats("cumulative").print_stats(25)


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
    parser.add_argument(
        "--no-verify",
        action="store_true",
        help="runs scored on the agent's own workspace (RunOptions.verify=False): what verifying costs",
    )
    parser.add_argument(
        "--blocks",
        action="store_true",
        help="time each loop's runs of a repetition in one block (the order of loops rotating between repetitions) "
        "instead of interleaving the loops run by run",
    )
    parser.add_argument(
        "--profile",
        type=int,
        default=0,
        metavar="N",
        help="then profile N more zebench --sandbox bwrap runs (cProfile, this process) and print the top functions",
    )
    args = parser.parse_args()
    problem = bwrap_problem()
    if problem:
        raise SystemExit(f"bubblewrap is not usable here: {problem}")
    verify = not args.no_verify and "verification" in STAGES
    copies = args.copies if args.copies is not None else (2 if verify else 1)
    modes = [m for m in args.modes.split(",") if m]
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="zebench-bench-perrun-") as name:
        root = Path(name)
        scenario, calls = make_suite(root)
        assert scenario.fixture_dir is not None
        fixture = scenario.fixture_dir
        argv, env, workspace, _box = sandbox_argv(root)
        _become_subreaper()  # the bare loop waits for what bubblewrap leaves (its namespace's init), as zebench does
        loops: dict[str, Loop] = {}
        for mode in modes:  # zebench's first: its process helper is not a leftover of the bare loops
            loops[f"zebench --sandbox {mode}"] = ZebenchLoop(scenario, calls, mode, verify, root)
        loops["bare (same sandbox)"] = BareLoop(fixture, argv, env, workspace, root, copies)
        loops["bare (minimal bwrap)"] = BareLoop(fixture, minimal_argv(workspace), env, workspace, root, copies)
        names = [*list(loops)[len(modes) :], *list(loops)[: len(modes)]]
        try:
            asyncio.run(measure(loops, 3, 1))  # warm-up: imports, the sandbox's /etc, page cache
            figures = asyncio.run(measure(loops, args.runs, args.repeats, in_blocks=args.blocks))
        finally:
            for loop in loops.values():
                loop.close()
        if args.profile:
            profile(functools.partial(zebench_loop, scenario, calls, "bwrap", verify, root), args.profile)
    load_after = os.getloadavg()
    print(
        f"per-run cost, median of {args.repeats} repetitions x {args.runs} runs; bare loop: {copies} "
        f"fixture cop{'y' if copies == 1 else 'ies'}, `{COMMAND}` in bwrap, one row committed; runs "
        f"{'scored on a verified copy' if verify else 'not verified'} "
        f"(Python {sys.version.split()[0]}; load average {load_before[0]:.1f} before, {load_after[0]:.1f} after)"
    )
    print(f"  {'loop':28} {'wall ms':>8} {'cpu ms':>8}")
    for loop_name in names:
        blocks = figures[loop_name]
        wall = statistics.median(b.per_run for b in blocks) * 1000
        cpu = statistics.median(b.cpu_per_run for b in blocks) * 1000
        print(f"  {loop_name:28} {wall:8.1f} {cpu:8.1f}")
    for mode in modes:
        runs = figures[f"zebench --sandbox {mode}"]
        print(f"  where a zebench --sandbox {mode} run's time goes (mean ms per run over every repetition):")
        for part in runs[0].parts:
            values = [v for block in runs for v in block.parts[part]]
            print(f"    {part:34} {statistics.fmean(values):6.1f}")
    failed = 0
    print(f"  {'ratio':50} {'wall':>6} {'cpu':>6}")
    for mode in modes:
        ours = figures[f"zebench --sandbox {mode}"]
        for base in ("bare (same sandbox)", "bare (minimal bwrap)"):
            pairs = list(zip(ours, figures[base], strict=True))
            ratio = statistics.median(o.per_run / b.per_run for o, b in pairs)
            cpu_ratio = statistics.median(o.cpu_per_run / max(b.cpu_per_run, 1e-9) for o, b in pairs)
            target = mode == "bwrap" and base == "bare (same sandbox)"
            verdict = f"target <= {TARGET}: {'ok' if ratio <= TARGET else 'MISSED'}" if target else ""
            failed += target and ratio > TARGET
            label = f"zebench --sandbox {mode} / {base}"
            print(f"  {label:50} {ratio:6.2f} {cpu_ratio:6.2f}   {verdict}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
