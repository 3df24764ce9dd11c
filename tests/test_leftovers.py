"""The folders a killed zebench process leaves in the temporary directory are removed by the next one."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from zebench.isolation.leftovers import process_folder, remove_dead_folders, remove_tree, where_pids_are

HERE = where_pids_are()

#: Makes every per-process folder the way zebench's components do, prints their names, then is killed (SIGKILL:
#: no atexit, no finalizer runs).
KILLED = """
import os, signal, sys
from pathlib import Path
from zebench.isolation.netproxy import RegistryProxy
from zebench.isolation.sandbox import Sandbox, _SCRATCH, shared_etc
from zebench.run.channel import _bootstrap_folder

workspace = Path(sys.argv[1])
box = Sandbox(workspace, mode="none")
box.open()
proxy = RegistryProxy(set())
folders = [box.scratch, proxy.folder, _bootstrap_folder(), shared_etc()[0].parent, _SCRATCH._pool_folder()]
print("\\n".join(str(f) for f in folders), flush=True)
os.kill(os.getpid(), signal.SIGKILL)
"""


@pytest.fixture
def temp_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A temporary directory of the test's own, for this process and its children."""
    temp = tmp_path / "tmp"
    temp.mkdir()
    monkeypatch.setenv("TMPDIR", str(temp))
    monkeypatch.setattr(tempfile, "tempdir", str(temp))
    return temp


def test_the_folders_of_a_killed_zebench_are_removed_by_the_next_one(temp_dir: Path, tmp_path: Path) -> None:
    workspace = tmp_path / "ws"
    workspace.mkdir()
    done = subprocess.run([sys.executable, "-c", KILLED, str(workspace)], capture_output=True, text=True, check=False)
    assert done.returncode == -signal.SIGKILL, done.stderr
    left = [Path(line) for line in done.stdout.splitlines()]
    assert len(left) == 5, (left, done.stderr)
    assert all(f.parent == temp_dir for f in left), left
    assert all(f.is_dir() for f in left), left
    assert sorted(f.name.split("-")[1] for f in left) == ["etc", "pool", "proxy", "pyboot", "sandbox"]
    killed = int(left[0].name.split("-")[2])
    assert {tuple(f.name.split("-")[2:4]) for f in left} == {(str(killed), HERE)}  # its pid, where it means it

    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])
    try:
        of_a_live_one = temp_dir / f"zebench-proxy-{sleeper.pid}-{HERE}-abc"
        not_ours = [
            temp_dir / "zebench-pool-notapid-x",
            temp_dir / f"zebench-other-1-{HERE}-x",
            temp_dir / "mine",
            temp_dir / f"zebench-pool-{killed}-0badc0de-x",  # a dead pid here, of another machine or container
        ]
        for folder in (of_a_live_one, *not_ours):
            folder.mkdir()

        assert remove_dead_folders(again=True) == 5
        assert not any(f.exists() for f in left)
        assert of_a_live_one.is_dir()
        assert all(f.is_dir() for f in not_ours)
        ours = process_folder("sandbox")  # this process is alive: its folders stay
        assert remove_dead_folders(again=True) == 0
        assert ours.is_dir()
    finally:
        sleeper.kill()
        sleeper.wait()
    assert remove_dead_folders(again=True) == 1  # the sleeper's, now that it is gone
    assert not of_a_live_one.exists()
    assert ours.is_dir()


def test_the_first_folder_a_process_makes_sweeps_once(temp_dir: Path) -> None:
    """The sweep runs at the first folder of a process (one listing of the temporary directory), not at each."""
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    dead = temp_dir / f"zebench-pool-{int(gone.stdout)}-{HERE}-x"  # a process that has exited
    script = (
        "import os, sys\n"
        "from zebench.isolation import leftovers\n"
        "dead = sys.argv[2]\n"
        "first = leftovers.process_folder('proxy')\n"
        "swept = not os.path.exists(dead)\n"
        "os.mkdir(dead)\n"
        "second = leftovers.process_folder('pyboot')\n"
        "print(swept, os.path.exists(dead))\n"
    )
    dead.mkdir()
    done = subprocess.run(
        [sys.executable, "-c", script, str(temp_dir), str(dead)], capture_output=True, text=True, check=True
    )
    assert done.stdout.split() == ["True", "True"]


def test_a_pid_that_is_not_one_is_left_alone(temp_dir: Path) -> None:
    (temp_dir / f"zebench-etc-{2**80}-{HERE}-x").mkdir()
    assert remove_dead_folders(again=True) == 0
    assert (temp_dir / f"zebench-etc-{2**80}-{HERE}-x").is_dir()


def _nest(top: Path, depth: int) -> Path:
    """``top/d/d/.../d`` ``depth`` folders deep, made through descriptors (the path is longer than PATH_MAX)."""
    fd = os.open(top, os.O_RDONLY | os.O_DIRECTORY)
    try:
        for _ in range(depth):
            os.mkdir("d", dir_fd=fd)
            child = os.open("d", os.O_RDONLY | os.O_DIRECTORY, dir_fd=fd)
            os.close(fd)
            fd = child
        with open(os.open("deepest.txt", os.O_WRONLY | os.O_CREAT, 0o644, dir_fd=fd), "w") as fh:
            fh.write("x")
    finally:
        os.close(fd)
    return top


def test_remove_tree_removes_a_tree_deeper_than_the_recursion_limit_and_follows_no_link(
    tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "keep.txt").write_text("not the tree's")
    request.addfinalizer(lambda: remove_tree(tmp_path))  # pytest's removal of old temporary folders recurses too
    tree = tmp_path / "tree"
    tree.mkdir()
    _nest(tree, 3000)
    (tree / "link").symlink_to(outside)
    (tree / "file-link").symlink_to(outside / "keep.txt")
    locked = tree / "locked"
    locked.mkdir()
    (locked / "inner").mkdir()
    (locked / "inner" / "f").write_text("x")
    (locked / "inner").chmod(0)
    locked.chmod(0o500)
    deep = tmp_path / "deep"
    deep.mkdir()
    _nest(deep, 1500)
    with pytest.raises(RecursionError):  # what zebench used before
        shutil.rmtree(deep, ignore_errors=True)
    remove_tree(deep)
    assert not deep.exists()
    remove_tree(tree)
    assert not tree.exists()
    assert (outside / "keep.txt").read_text() == "not the tree's"
    remove_tree(tmp_path / "missing")  # nothing to remove: no error
    remove_tree(outside / "keep.txt")  # a file
    assert not (outside / "keep.txt").exists()


def test_the_sweep_removes_a_deep_tree_and_never_fails_its_caller(
    temp_dir: Path, request: pytest.FixtureRequest
) -> None:
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    dead = temp_dir / f"zebench-sandbox-{int(gone.stdout)}-{HERE}-x"
    dead.mkdir()
    request.addfinalizer(lambda: remove_tree(dead))
    _nest(dead, 1500)  # an agent's HOME of a killed zebench
    assert remove_dead_folders(again=True) == 1
    assert not dead.exists()
