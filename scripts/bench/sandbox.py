"""Per-command overhead of the sandbox: `true` run through zebench with --sandbox bwrap, --sandbox none, and a
bare asyncio subprocess (what zebench did before it had a reaper and a sandbox), median of many runs.

    python scripts/bench/sandbox.py [--runs 40] [--repeats 5]

Prints the median wall time of one command in each mode, and bwrap / none as a ratio (median over repeats).

    python scripts/bench/sandbox.py --parts [--runs 300]

Where a sandboxed command's time goes: the bubblewrap command line zebench gives an agent's ``echo hi`` (as its
launch builds it), run directly (no event loop, no process helper), beside variants of it, interleaved command by
command (the order alternating): without the change of user (``setpriv``, run as root only), without
``--unshare-net``, as it was before session 11 (the host's ``nsswitch.conf``, through which setpriv's lookup of the
run's user loaded systemd's NSS module, and the locale in setpriv's environment: it loaded the locale's files;
shown when a locale variable is set), and a minimal line (``--ro-bind / /``, new namespaces, the workspace
writable). Prints each one's median and its ratio to zebench's line.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import tempfile
import time
from pathlib import Path

from zebench.isolation.sandbox import LOCALE_ENV, Sandbox, bwrap_problem, locale_exports


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


def line_parts(runs: int, root: Path) -> None:
    """The ``--parts`` measurement (see the module's docstring)."""
    import subprocess

    workspace = root / "ws"
    workspace.mkdir()
    box = Sandbox(workspace, mode="bwrap", scratch_root=root)
    launch = box.launch("echo hi", box.policy("agent"), count_leftovers=True)
    line = launch.command
    options_end = line.index("--chdir")
    variants = {"zebench's line": line}
    user = next((i for i, arg in enumerate(line) if arg.endswith("/setpriv")), None)
    if user is not None:
        variants["without setpriv"] = line[:user] + line[line.index("--", user) + 1 :]
    variants["without --unshare-net"] = [arg for arg in line if arg != "--unshare-net"]
    # Before session 11: the host's nsswitch.conf, and the locale given by bubblewrap (so setpriv had it too).
    env = box.env(box.policy("agent"))
    locale = {name: value for name, value in env.items() if name in LOCALE_ENV or name.startswith("LC_")}
    exports = locale_exports(locale)
    script = next((i for i, arg in enumerate(line) if exports and arg.startswith(exports)), None)
    if script is not None and os.path.exists("/etc/nsswitch.conf"):
        before = [*line[:options_end], "--ro-bind", "/etc/nsswitch.conf", "/etc/nsswitch.conf"]
        for name, value in locale.items():
            before += ["--setenv", name, value]
        before += line[options_end:]
        before[script + len(before) - len(line)] = line[script].removeprefix(exports)
        variants["before session 11"] = before
    bwrap = line[0]
    variants["minimal line"] = [bwrap, "--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc", "--unshare-all"]
    variants["minimal line"] += ["--die-with-parent", "--new-session", "--bind", str(workspace), str(workspace)]
    variants["minimal line"] += ["--chdir", str(workspace), "/bin/sh", "-c", "echo hi"]
    times: dict[str, list[float]] = {name: [] for name in variants}
    order = list(variants.items())
    for turn in range(runs):
        for name, argv in order if turn % 2 else reversed(order):
            start = time.perf_counter()
            done = subprocess.run(argv, env=launch.env, cwd=launch.cwd, capture_output=True, check=False)
            times[name].append(time.perf_counter() - start)
            assert done.stdout.startswith(b"hi\n"), (name, done)
    box.close_sync()
    base = statistics.median(times["zebench's line"])
    print(f"{'bubblewrap line, echo hi':28} {'median ms':>10} {'/ zebench':>10}")
    for name, values in times.items():
        median = statistics.median(values)
        print(f"{name:28} {median * 1000:10.2f} {median / base:10.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, help="commands per measurement (default 40; 300 with --parts)")
    parser.add_argument("--repeats", type=int, default=5, help="measurements per mode")
    parser.add_argument("--parts", action="store_true", help="where a sandboxed command's time goes (see above)")
    args = parser.parse_args()
    problem = bwrap_problem()
    if problem:
        raise SystemExit(f"bubblewrap is not usable here: {problem}")
    with tempfile.TemporaryDirectory(prefix="zebench-bench-") as tmp:
        root = Path(tmp)
        if args.parts:
            line_parts(args.runs or 300, root)
            return
        runs = args.runs or 40
        results: dict[str, list[float]] = {"bare": [], "none": [], "bwrap": []}
        for _ in range(args.repeats):
            for mode in ("none", "bwrap"):
                workspace = root / f"ws-{mode}"
                workspace.mkdir(exist_ok=True)
                results[mode].append(asyncio.run(sandboxed(mode, runs, workspace, root)))
            results["bare"].append(asyncio.run(bare(runs, root)))
    ratios = [b / n for b, n in zip(results["bwrap"], results["none"], strict=True)]
    print(f"{'mode':8} {'median ms per command':>22}")
    for mode in ("bare", "none", "bwrap"):
        print(f"{mode:8} {statistics.median(results[mode]) * 1000:22.1f}")
    print(f"bwrap / none: {statistics.median(ratios):.2f}")


if __name__ == "__main__":
    main()
