#!/usr/bin/env python3
"""Package installs of a real next.js fixture of the original project: cold versus warm cache, in the sandbox.
Prints medians and the ratio warm / cold.

A batch installs a fixture's dependencies once per run (validation) and once for its baseline. zebench points the
package managers' stores and caches at its cache directory (zebench.isolation.toolchain); with bubblewrap as root
each sandbox sees them through a copy-on-write view of their published layers, and a workspace whose install
inputs were installed before gets that node_modules as a copy-on-write view too (zebench.isolation.layers): the
baseline's install, on an untouched copy of the fixture, publishes them.

cold: `pnpm install` as the baseline runs it (an untouched copy of the fixture, in its sandbox), with an empty
cache directory: everything from the npm registry; it publishes what it installed.
warm: `pnpm install` as a run's validation runs it (a fresh copy of the fixture, in its own sandbox), with the
cache the cold install filled.
Each repetition uses a new cache directory, so every cold figure is really cold; cold and warm alternate. Needs the
network (the npm registry) and pnpm (scripts/install-node.sh).

The original project's suites are outside this repository: pass --suites-dir or set ZEBENCH_ORIGINAL_SUITES
(the variable the tests read; .ci/run sets it to ../shared/reference/original-suites).

Usage: python scripts/bench/install.py [--repeats N] [--suites-dir DIR] [--scenario SUITE/NAME]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import tempfile
from pathlib import Path

from zebench.catalog import Catalog
from zebench.isolation.sandbox import Policy, Sandbox, resolve_mode
from zebench.isolation.toolchain import package_manager_dirs, package_manager_env
from zebench.models import BaselineCommand, ValidationCommands
from zebench.run.validation import run_baseline, run_validation
from zebench.run.workspace import prepare_workspace, remove_workspace

COMMAND = "pnpm install"
TIMEOUT = 900.0
TARGET = 0.25


def policies(cache: Path) -> dict[str, Policy]:
    """What a run's scenario commands get (zebench.execution.runner.sandbox_policies), with ``cache`` as zebench's
    cache directory."""
    dirs = tuple(package_manager_dirs(cache))
    return {"validation": Policy(network=True, layered_paths=dirs, env=package_manager_env(cache))}


def cold_install(fixture: Path, cache: Path, tmp: Path, mode: str) -> float:
    """The baseline's install: an untouched copy of the fixture, an empty cache; publishes what it installed."""
    (result,) = asyncio.run(
        run_baseline(
            [BaselineCommand(cmd=COMMAND)],
            fixture,
            ValidationCommands(install=COMMAND),
            timeout=TIMEOUT,
            sandbox_mode=mode,
            policies=policies(cache),  # type: ignore[arg-type]
            workspace_root=tmp,
        )
    )
    if result.status != "passed":
        raise SystemExit(f"cold {COMMAND} {result.status}:\n{result.output_tail}")
    return result.duration_ms / 1000


def warm_install(fixture: Path, cache: Path, tmp: Path, mode: str) -> float:
    """A run's validation install: a fresh copy of the fixture in a sandbox of its own, the cache filled."""
    workspace = prepare_workspace(fixture, tmp / "ws")
    try:
        box = Sandbox(workspace, mode=mode, policies=policies(cache), scratch_root=tmp)  # type: ignore[arg-type]

        async def go() -> float:
            async with box:
                (result,) = await run_validation(ValidationCommands(install=COMMAND), box, timeout=TIMEOUT)
            if result.status != "passed":
                raise SystemExit(f"warm {COMMAND} {result.status}:\n{result.output_tail}")
            return result.duration_ms / 1000

        return asyncio.run(go())
    finally:
        remove_workspace(workspace)


ORIGINAL_SUITES_VARIABLE = "ZEBENCH_ORIGINAL_SUITES"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--suites-dir", type=Path, default=os.environ.get(ORIGINAL_SUITES_VARIABLE) or None)
    parser.add_argument("--scenario", default="next.js/001-server-component")
    parser.add_argument("--sandbox", default="auto", help="auto, bwrap or none (the figures are bubblewrap's)")
    args = parser.parse_args()
    if args.suites_dir is None or not Path(args.suites_dir).is_dir():
        parser.error(
            f"the original project's suites are needed: pass --suites-dir DIR or set {ORIGINAL_SUITES_VARIABLE} "
            f"(got {args.suites_dir or 'neither'})"
        )
    suite, name = args.scenario.split("/", 1)
    fixture = Catalog(args.suites_dir).scenario(suite, name).fixture_dir
    assert fixture is not None
    mode = resolve_mode(args.sandbox)[0]
    cold, warm, ratios = [], [], []
    loads = [os.getloadavg()[0]]
    for i in range(args.repeats):
        with tempfile.TemporaryDirectory(prefix="zebench-bench-install-") as tmp_name:
            tmp = Path(tmp_name)
            cache = tmp / "cache"
            cold.append(cold_install(fixture, cache, tmp, mode))
            warm.append(warm_install(fixture, cache, tmp, mode))
        ratios.append(warm[-1] / cold[-1])
        loads.append(os.getloadavg()[0])
        print(
            f"repetition {i + 1}: cold {cold[-1]:.1f} s, warm {warm[-1]:.1f} s, warm / cold {ratios[-1]:.2f} "
            f"(median so far {statistics.median(ratios):.2f}; load average {loads[-1]:.1f})",
            flush=True,
        )
    c, w, r = statistics.median(cold), statistics.median(warm), statistics.median(ratios)
    print(
        f"{COMMAND} of {args.scenario} (sandbox {mode}), median of {args.repeats}: cold {c:.1f} s, warm {w:.1f} s, "
        f"warm / cold = {r:.2f} (target <= {TARGET}: {'ok' if r <= TARGET else 'MISSED'}; load average "
        f"{min(loads):.1f}-{max(loads):.1f})"
    )


if __name__ == "__main__":
    main()
