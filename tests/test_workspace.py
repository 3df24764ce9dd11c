from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from zebench.catalog import Catalog, iter_files
from zebench.run.workspace import compute_diff, prepare_workspace

from .conftest import write


def _snapshot(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_copy_skips_ignored_dirs_and_keeps_modes_and_links(tmp_path: Path) -> None:
    fixture = tmp_path / "fixture"
    write(fixture / "src" / "app.py", "print('hi')\n")
    for ignored in (".git", "node_modules", "__pycache__", ".venv"):
        write(fixture / ignored / "junk.txt", "x")
        write(fixture / "src" / ignored / "junk.txt", "x")
    script = write(fixture / "run.sh", "#!/bin/sh\necho ok\n")
    script.chmod(0o755)
    os.symlink("src/app.py", fixture / "link.py")
    files = [write(fixture / "many" / f"f{i}.txt", str(i)) for i in range(100)]  # exercises the threaded path
    ws = prepare_workspace(fixture, tmp_path / "workspaces")
    try:
        names = {p.relative_to(ws).as_posix() for p in ws.rglob("*")}
        assert not any(part in {".git", "node_modules", "__pycache__", ".venv"} for n in names for part in n.split("/"))
        assert (ws / "src" / "app.py").read_text() == "print('hi')\n"
        assert os.access(ws / "run.sh", os.X_OK)
        assert os.readlink(ws / "link.py") == "src/app.py"
        assert len(list((ws / "many").iterdir())) == len(files)
        assert ws.parent == tmp_path / "workspaces"
    finally:
        shutil.rmtree(ws)


def test_diff_reports_added_modified_deleted_and_dependency_delta(tmp_path: Path) -> None:
    before = tmp_path / "before"
    write(before / "keep.txt", "same\n")
    write(before / "mod.py", "a = 1\nb = 2\n")
    write(before / "gone.txt", "bye\n")
    write(before / "package.json", json.dumps({"dependencies": {"react": "^18.2.0", "left-pad": "1.0.0"}}))
    write(before / "requirements.txt", "requests==2.31.0\n")
    after = tmp_path / "after"
    shutil.copytree(before, after)
    write(after / "mod.py", "a = 1\nb = 3\n")
    (after / "gone.txt").unlink()
    write(after / "new" / "file.txt", "hello\n")
    (after / "blob.bin").write_bytes(b"\0\1\2")
    write(
        after / "package.json", json.dumps({"dependencies": {"react": "^19.0.0"}, "devDependencies": {"vitest": "^3"}})
    )
    write(after / "requirements.txt", "requests==2.32.3\n")
    diff = compute_diff(before, after)
    changes = {f.path: f.change for f in diff.files}
    assert changes == {
        "blob.bin": "added",
        "gone.txt": "deleted",
        "mod.py": "modified",
        "new/file.txt": "added",
        "package.json": "modified",
        "requirements.txt": "modified",
    }
    mod = next(f for f in diff.files if f.path == "mod.py")
    assert (mod.additions, mod.deletions) == (1, 1)
    assert "-b = 2\n+b = 3\n" in (mod.patch or "")
    assert next(f for f in diff.files if f.path == "blob.bin").binary
    deps = {(c.name, c.before, c.after) for c in diff.dependency_changes}
    assert deps == {
        ("react", "^18.2.0", "^19.0.0"),
        ("left-pad", "1.0.0", None),
        ("vitest", None, "^3"),
        ("requests", "==2.31.0", "==2.32.3"),
    }


def test_bundled_fixtures_have_no_build_junk() -> None:
    from .conftest import BUNDLED_SUITES

    for scenario in Catalog(BUNDLED_SUITES).all_scenarios():
        assert scenario.fixture_dir is not None
        for path in iter_files(scenario.dir):
            assert path.suffix != ".pyc", path


def test_copy_keeps_exact_modes_and_bytes_whatever_the_umask(tmp_path: Path) -> None:
    from zebench.run import workspace

    fixture = tmp_path / "fixture"
    modes = {"private.txt": 0o600, "shared.txt": 0o666, "tool.sh": 0o755, "all.sh": 0o777, "setuid": 0o4755}
    for name, mode in modes.items():
        write(fixture / name, name * 3).chmod(mode)
    write(fixture / "empty.txt", "")
    big = os.urandom(3 * 1024 * 1024 + 7)
    (fixture / "big.bin").write_bytes(big)
    old_umask = os.umask(0o027)
    workspace._UMASK = None  # read again
    try:
        dst = tmp_path / "copy"
        dst.mkdir()
        assert workspace.copy_tree(fixture, dst) == len(modes) + 2
    finally:
        os.umask(old_umask)
        workspace._UMASK = None
    for name, mode in modes.items():
        assert (dst / name).stat().st_mode & 0o7777 == mode, name
        assert (dst / name).read_text() == name * 3
    assert (dst / "empty.txt").read_bytes() == b""
    assert (dst / "big.bin").read_bytes() == big


def test_copy_works_where_the_kernel_cannot_send_the_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import errno

    from zebench.run import workspace

    fixture = tmp_path / "fixture"
    data = os.urandom(2 * 1024 * 1024 + 3)
    (fixture / "src").mkdir(parents=True)
    (fixture / "src" / "data.bin").write_bytes(data)

    def no_sendfile(*args: object) -> int:
        raise OSError(errno.EINVAL, "sendfile not supported here")

    monkeypatch.setattr(os, "sendfile", no_sendfile)
    dst = tmp_path / "copy"
    dst.mkdir()
    workspace.copy_tree(fixture, dst)
    assert (dst / "src" / "data.bin").read_bytes() == data


def test_copy_refuses_a_fifo_put_in_place_after_the_listing_and_writes_through_no_link(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from zebench.catalog import CatalogError
    from zebench.run import workspace

    fixture = tmp_path / "fixture"
    write(fixture / "a.txt", "a\n")
    listed = workspace._scan(fixture, refuse_special=True)
    (fixture / "a.txt").unlink()
    os.mkfifo(fixture / "a.txt")  # after the listing: opened without waiting for a writer, refused unread
    monkeypatch.setattr(workspace, "_scan", lambda *args, **kwargs: listed)
    dst = tmp_path / "copy"
    dst.mkdir()
    with pytest.raises(CatalogError, match="FIFO|pipe"):
        workspace.copy_tree(fixture, dst)
    assert not (dst / "a.txt").exists()

    (fixture / "a.txt").unlink()
    write(fixture / "a.txt", "a\n")
    outside = write(tmp_path / "outside.txt", "untouched\n")
    other = tmp_path / "other"
    other.mkdir()
    os.symlink(outside, other / "a.txt")  # a link where the copy goes: never written through
    with pytest.raises(FileExistsError):
        workspace.copy_tree(fixture, other)
    assert outside.read_text() == "untouched\n"


def test_copy_keeps_set_id_bits_without_the_capability_to_write_them(tmp_path: Path) -> None:
    """A write by a process without CAP_FSETID clears a file's setuid and setgid bits: the copy sets the mode after
    the bytes. As root, the copy runs in a child without that capability (setpriv)."""
    import subprocess
    import sys

    fixture = tmp_path / "fixture"
    modes = {"u": 0o4755, "g": 0o2755, "ug": 0o6755, "u-private": 0o4700}
    for name, mode in modes.items():
        write(fixture / name, "#!/bin/sh\n").chmod(mode)
    dst = tmp_path / "copy"
    dst.mkdir()
    code = "import sys, pathlib, zebench.run.workspace as w; w.copy_tree(*map(pathlib.Path, sys.argv[1:]))"
    argv = [sys.executable, "-c", code, str(fixture), str(dst)]
    if os.geteuid() == 0:
        argv = ["setpriv", "--bounding-set=-fsetid", "--inh-caps=-fsetid", *argv]
    subprocess.run(argv, check=True)
    assert {name: (dst / name).stat().st_mode & 0o7777 for name in modes} == modes
