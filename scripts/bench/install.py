#!/usr/bin/env python3
"""Package installs of a real next.js fixture of the original project: cold versus warm cache. Prints medians.

A run's validation (and its scenario's baseline) installs the fixture's dependencies in a fresh workspace, once
per run. zebench points pnpm's store and metadata cache at its cache directory (zebench.toolchain), so only the
first install of a fixture downloads; the next ones copy from the store.

cold: `pnpm install` as validation runs it, with an empty cache directory (everything from the npm registry);
warm: the same in a fresh copy of the fixture, with the cache the cold install filled.
Each repetition uses a new cache directory, so every cold figure is really cold. Needs the network (the npm
registry) and pnpm (scripts/install-node.sh).

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
from zebench.models import ValidationCommands
from zebench.run.validation import run_validation
from zebench.run.workspace import prepare_workspace, remove_workspace

ORIGINAL_SUITES_VARIABLE = "ZEBENCH_ORIGINAL_SUITES"


def timed_install(fixture: Path, cache: Path, tmp: Path) -> float:
    workspace = prepare_workspace(fixture, tmp / "ws")
    try:
        # As a run's validation: in the sandbox (bwrap where it works), the cache directories bound read-write.
        policy = Policy(network=True, rw_paths=tuple(package_manager_dirs(cache)), env=package_manager_env(cache))
        box = Sandbox(workspace, mode=resolve_mode("auto")[0], policies={"validation": policy}, scratch_root=tmp)
        (result,) = asyncio.run(run_validation(ValidationCommands(install="pnpm install"), box, timeout=900))
        if result.status != "passed":
            raise SystemExit(f"pnpm install {result.status}:\n{result.output_tail}")
        return result.duration_ms / 1000
    finally:
        remove_workspace(workspace)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--suites-dir", type=Path, default=os.environ.get(ORIGINAL_SUITES_VARIABLE) or None)
    parser.add_argument("--scenario", default="next.js/001-server-component")
    args = parser.parse_args()
    if args.suites_dir is None or not Path(args.suites_dir).is_dir():
        parser.error(
            f"the original project's suites are needed: pass --suites-dir DIR or set {ORIGINAL_SUITES_VARIABLE} "
            f"(got {args.suites_dir or 'neither'})"
        )
    suite, name = args.scenario.split("/", 1)
    fixture = Catalog(args.suites_dir).scenario(suite, name).fixture_dir
    assert fixture is not None
    cold, warm = [], []
    for i in range(args.repeats):
        with tempfile.TemporaryDirectory(prefix="zebench-bench-install-") as tmp_name:
            tmp = Path(tmp_name)
            cache = tmp / "cache"
            cold.append(timed_install(fixture, cache, tmp))
            warm.append(timed_install(fixture, cache, tmp))
        print(f"repetition {i + 1}: cold {cold[-1]:.1f} s, warm {warm[-1]:.1f} s", flush=True)
    c, w = statistics.median(cold), statistics.median(warm)
    print(
        f"pnpm install of {args.scenario}, median of {args.repeats}: cold {c:.1f} s, warm {w:.1f} s, "
        f"warm / cold = {w / c:.2f} (target <= 0.25)"
    )


if __name__ == "__main__":
    main()
