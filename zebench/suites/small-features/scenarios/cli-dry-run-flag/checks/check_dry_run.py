"""Hidden --dry-run checks, run against the real command line (cwd = workspace).

Usage: check_dry_run.py [GROUP ...]   groups: output, safety (default: all)
"""

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

DAY = 24 * 60 * 60
failures = []
env = dict(os.environ, PYTHONPATH=os.path.join(os.getcwd(), "src"), PYTHONDONTWRITEBYTECODE="1")


def tidy(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "tidy", *args], capture_output=True, text=True, env=env, timeout=20)


def make_tree(root: Path) -> None:
    for relative, age, size in [("a.tmp", 10, 4), ("b.log", 10, 6), ("deep/c.tmp", 10, 1), ("new.tmp", 0, 9)]:
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"x" * size)
        stamp = time.time() - age * DAY
        os.utime(path, (stamp, stamp))


def files(root: Path) -> list:
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())


def check_output() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        make_tree(root)
        result = tidy("--older-than", "5", "--pattern", "*.tmp", "-r", "--dry-run", str(root))
        if result.returncode != 0:
            failures.append(f"dry run exit code {result.returncode}: {result.stderr.strip()}")
        if result.stdout.splitlines() != ["would delete a.tmp", "would delete deep/c.tmp",
                                          "would delete 2 files (5 bytes)"]:
            failures.append(f"dry run output: {result.stdout!r}")
        result = tidy("-nq", "--older-than", "5", str(root))
        if result.stdout != "would delete 2 files (10 bytes)\n":
            failures.append(f"combined short flags -nq: {result.stdout!r} {result.stderr!r}")


def check_safety() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        make_tree(root)
        before = files(root)
        result = tidy("--dry-run", "--older-than", "0", "-r", str(root))
        if result.returncode != 0 or not result.stdout.endswith("would delete 4 files (20 bytes)\n"):
            failures.append(f"dry run with --older-than 0: {result.stdout!r} {result.stderr!r}")
        if files(root) != before:
            failures.append(f"a dry run deleted files: {sorted(set(before) - set(files(root)))}")
        result = tidy("--dry-run", str(root / "missing"))
        if result.returncode != 1:
            failures.append(f"missing directory with --dry-run should exit 1, got {result.returncode}")
        result = tidy("--older-than", "5", "-q", str(root))
        if result.stdout != "deleted 2 files (10 bytes)\n" or files(root) != ["deep/c.tmp", "new.tmp"]:
            failures.append(f"a real run after dry runs: {result.stdout!r}, left {files(root)}")


GROUPS = {"output": check_output, "safety": check_safety}

for group in sys.argv[1:] or list(GROUPS):
    try:
        GROUPS[group]()
    except Exception as exc:
        failures.append(f"{group}: raised {exc!r}")

if failures:
    print("\n".join(failures))
    sys.exit(1)
print("ok")
