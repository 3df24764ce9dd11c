#!/usr/bin/env python3
"""The write paths of two versions of zebench side by side: ``ingest_paths`` (what ``zebench ingest`` runs) of one
JSONL file of N synthetic runs (scripts/bench/api.py's: ``Generator(seed=2)``) into a fresh database, or with
``--per-write K`` the same runs written K at a time through ``Store.save_runs`` (a transaction each, as a POST of K
records to /api/results is), by the code of a baseline commit and by this work tree, interleaved (ABBA...), each in
its own process. Prints, per version, the median wall time and the median CPU time of the process (user + system:
less sensitive than wall time to other jobs on a shared machine), and the candidate's over the baseline's.

The baseline's ``zebench/`` is taken from git (``git archive``) into a temporary folder and put first on the path;
its dependencies are this environment's. Migrations run before timing, as for api.py's ingest figure.
Usage: python scripts/bench/ingest_ab.py [--baseline REV] [--runs N] [--repeats N] [--per-write K] [--dir DIR]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]

#: One timed ingest (or series of writes), in a child process: prints wall seconds and CPU seconds.
CHILD = r"""
import os, resource, sys, time
from pathlib import Path
from zebench.io.ingest import ingest_paths
from zebench.store import Store
db, jsonl, chunk = Path(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3])
if chunk:
    from zebench.models import RunRecord
    records = [RunRecord.model_validate_json(line) for line in jsonl.read_text().splitlines()]
for path in (db, Path(f"{db}-wal"), Path(f"{db}-shm")):
    path.unlink(missing_ok=True)
store = Store(db)
os.sync()
before, start = resource.getrusage(resource.RUSAGE_SELF), time.perf_counter()
if chunk:  # as POST /api/results does: a transaction per request of ``chunk`` records
    for i in range(0, len(records), chunk):
        store.save_runs(records[i : i + chunk])
else:
    report = ingest_paths(store, [jsonl])
    assert report.loaded > 0 and not report.problems, report.problems[:3]
wall, after = time.perf_counter() - start, resource.getrusage(resource.RUSAGE_SELF)
store.close()
print(wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime))
"""


def export(rev: str, into: Path) -> str:
    """``zebench/`` of ``rev`` in ``into``; returns the commit's short name."""
    archive = subprocess.run(["git", "archive", rev, "zebench"], cwd=REPO, capture_output=True, check=True).stdout
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive, check=True)
    name = subprocess.run(["git", "rev-parse", "--short", rev], cwd=REPO, capture_output=True, text=True, check=True)
    return name.stdout.strip()


def write_runs(path: Path, runs: int) -> None:
    from zebench.testing.synthetic import Generator

    with open(path, "w", encoding="utf-8") as f:
        for _, batch in Generator(seed=2, prefix="i").batches(runs):
            for record in batch:
                f.write(record.model_dump_json(by_alias=True) + "\n")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--baseline", default="main", help="the commit to compare with (default: main)")
    parser.add_argument("--runs", type=int, default=10_000, help="runs in the JSONL file (default 10,000)")
    parser.add_argument("--repeats", type=int, default=5, help="ingests per version (default 5)")
    parser.add_argument("--dir", type=Path, help="where the file and the databases go (default: the temp folder)")
    parser.add_argument(
        "--per-write",
        type=int,
        default=0,
        help="records per write (Store.save_runs, a transaction each, as a POST of that many records) instead of "
        "ingest_paths (default 0: ingest); the records are parsed before timing",
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="zebench-ingest-ab-", dir=args.dir) as name:
        tmp = Path(name)
        (tmp / "baseline").mkdir()
        baseline = export(args.baseline, tmp / "baseline")
        jsonl = tmp / "runs.jsonl"
        write_runs(jsonl, args.runs)
        paths = {f"baseline {baseline}": str(tmp / "baseline"), "this work tree": str(REPO)}
        wall: dict[str, list[float]] = {label: [] for label in paths}
        cpu: dict[str, list[float]] = {label: [] for label in paths}
        print(
            f"ingest of {args.runs:,} runs ({jsonl.stat().st_size / 1e6:.0f} MB of JSONL), load average "
            "{:.2f} {:.2f} {:.2f}".format(*os.getloadavg()),
            flush=True,
        )
        for i in range(args.repeats):
            for label in list(paths) if i % 2 == 0 else list(paths)[::-1]:
                env = {**os.environ, "PYTHONPATH": paths[label]}
                out = subprocess.run(
                    [sys.executable, "-c", CHILD, str(tmp / "ingest.db"), str(jsonl), str(args.per_write)],
                    cwd=tmp,
                    env=env,
                    capture_output=True,
                    text=True,
                    check=True,
                ).stdout.split()
                wall[label].append(float(out[0]))
                cpu[label].append(float(out[1]))
                print(f"  {label:24} {wall[label][-1]:7.2f} s wall  {cpu[label][-1]:7.2f} s CPU", flush=True)
    base, this = list(paths)
    print(f"medians of {args.repeats}, load average " + "{:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))
    for label in paths:
        print(f"  {label:24} {statistics.median(wall[label]):7.2f} s wall  {statistics.median(cpu[label]):7.2f} s CPU")
    print(
        f"  this work tree / baseline: wall {statistics.median(wall[this]) / statistics.median(wall[base]):.3f}, "
        f"CPU {statistics.median(cpu[this]) / statistics.median(cpu[base]):.3f}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
