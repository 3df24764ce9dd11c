"""Workspaces: an isolated copy of a scenario's fixture per run, and the diff of what the agent changed.

The fixture is copied, never linked, so an agent that edits files in place (``sed -i``, writeFile) or runs any
command in its workspace cannot change the fixture.
"""

from __future__ import annotations

import difflib
import os
import shutil
import stat
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from .catalog import IGNORED_DIRS
from .manifests import declared_in, is_manifest
from .models import DependencyChange, Diff, DiffFile

#: Files copied by the calling thread before a thread pool is worth its start-up.
PARALLEL_COPY_THRESHOLD = 64
#: File creation is kernel-bound (and slow on ext4 with discard); threads overlap it and release the GIL.
COPY_THREADS = 16
#: Patch text kept per file and for the whole diff.
PATCH_LIMIT_PER_FILE = 64 * 1024
PATCH_LIMIT_TOTAL = 1024 * 1024
#: Files larger than this are compared but not diffed line by line.
MAX_DIFFABLE_BYTES = 2 * 1024 * 1024


def _scan(root: Path) -> tuple[list[str], list[tuple[str, int]], list[tuple[str, str]]]:
    """Directories, (file, mode) and (symlink, target) under root, relative, skipping IGNORED_DIRS."""
    dirs: list[str] = []
    files: list[tuple[str, int]] = []
    links: list[tuple[str, str]] = []
    stack = [""]
    while stack:
        rel_dir = stack.pop()
        with os.scandir(root / rel_dir if rel_dir else root) as it:
            for entry in it:
                rel = f"{rel_dir}/{entry.name}" if rel_dir else entry.name
                if entry.is_symlink():
                    links.append((rel, os.readlink(entry.path)))
                elif entry.is_dir():
                    if entry.name not in IGNORED_DIRS:
                        dirs.append(rel)
                        stack.append(rel)
                else:
                    files.append((rel, entry.stat().st_mode))
    return dirs, files, links


def copy_tree(src: Path, dst: Path) -> int:
    """Copy src into the existing directory dst (files, modes, symlinks as links); returns the file count."""
    dirs, files, links = _scan(src)
    for rel in sorted(dirs):
        os.mkdir(dst / rel)
    default_mode = 0o666 & ~_umask()

    def copy_one(item: tuple[str, int]) -> None:
        rel, mode = item
        shutil.copyfile(src / rel, dst / rel, follow_symlinks=False)
        if stat.S_IMODE(mode) != default_mode:
            os.chmod(dst / rel, stat.S_IMODE(mode))

    if len(files) < PARALLEL_COPY_THRESHOLD:
        for item in files:
            copy_one(item)
    else:
        with ThreadPoolExecutor(max_workers=COPY_THREADS) as pool:
            list(pool.map(copy_one, files, chunksize=64))
    for rel, target in links:
        os.symlink(target, dst / rel)
    return len(files)


_UMASK: int | None = None


def _umask() -> int:
    global _UMASK
    if _UMASK is None:
        current = os.umask(0)
        os.umask(current)
        _UMASK = current
    return _UMASK


def prepare_workspace(fixture: Path | None, base_dir: Path | None = None, prefix: str = "zebench-") -> Path:
    """A fresh directory holding a copy of the fixture (an empty one when there is no fixture)."""
    if base_dir is not None:
        base_dir.mkdir(parents=True, exist_ok=True)
    workspace = Path(tempfile.mkdtemp(prefix=prefix, dir=base_dir))
    if fixture is not None:
        copy_tree(fixture, workspace)
    return workspace


def remove_workspace(path: Path) -> None:
    shutil.rmtree(path, ignore_errors=True)


# --------------------------------------------------------------------------------------------------------------
# Diff
# --------------------------------------------------------------------------------------------------------------


def _read_text(path: Path) -> str | None:
    try:
        data = path.read_bytes()
    except OSError:
        return None
    if len(data) > MAX_DIFFABLE_BYTES or b"\0" in data:
        return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return None


def _same(a: Path, b: Path) -> bool:
    try:
        if a.is_symlink() or b.is_symlink():
            return a.is_symlink() and b.is_symlink() and os.readlink(a) == os.readlink(b)
        if a.stat().st_size != b.stat().st_size:
            return False
        with a.open("rb") as fa, b.open("rb") as fb:
            while True:
                ca, cb = fa.read(1 << 16), fb.read(1 << 16)
                if ca != cb:
                    return False
                if not ca:
                    return True
    except OSError:
        return False


def _entries(root: Path | None) -> set[str]:
    if root is None or not root.is_dir():
        return set()
    _, files, links = _scan(root)
    return {rel for rel, _ in files} | {rel for rel, _ in links}


def compute_diff(before_root: Path | None, after_root: Path) -> Diff:
    """Files added, modified and deleted between the fixture and the workspace, with unified patches."""
    before, after = _entries(before_root), _entries(after_root)
    budget = PATCH_LIMIT_TOTAL
    files: list[DiffFile] = []
    for rel in sorted(before | after):
        old = before_root / rel if before_root is not None and rel in before else None
        new = after_root / rel if rel in after else None
        if old is not None and new is not None:
            if _same(old, new):
                continue
            change = "modified"
        else:
            change = "added" if old is None else "deleted"
        old_text = _read_text(old) if old is not None else ""
        new_text = _read_text(new) if new is not None else ""
        if old_text is None or new_text is None:
            files.append(DiffFile(path=rel, change=change, binary=True))
            continue
        lines = list(
            difflib.unified_diff(
                old_text.splitlines(keepends=True),
                new_text.splitlines(keepends=True),
                fromfile=f"a/{rel}" if old is not None else "/dev/null",
                tofile=f"b/{rel}" if new is not None else "/dev/null",
            )
        )
        additions = sum(1 for line in lines if line.startswith("+") and not line.startswith("+++"))
        deletions = sum(1 for line in lines if line.startswith("-") and not line.startswith("---"))
        patch = "".join(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n" for line in lines)
        limit = min(PATCH_LIMIT_PER_FILE, budget)
        truncated = len(patch) > limit
        if truncated:
            patch = patch[:limit]
        budget -= len(patch)
        files.append(
            DiffFile(
                path=rel, change=change, additions=additions, deletions=deletions,
                patch=patch or None, patch_truncated=truncated,
            )
        )
    manifests = sorted(p for p in before | after if is_manifest(p))
    return Diff(files=files, dependency_changes=dependency_delta(before_root, after_root, manifests))


def dependency_delta(before_root: Path | None, after_root: Path, manifests: list[str]) -> list[DependencyChange]:
    old = {(d.manifest, d.section, d.key): d for d in (declared_in(before_root, manifests) if before_root else [])}
    new = {(d.manifest, d.section, d.key): d for d in declared_in(after_root, manifests)}
    changes: list[DependencyChange] = []
    for key in sorted(old.keys() | new.keys()):
        a, b = old.get(key), new.get(key)
        if a is not None and b is not None and a.spec == b.spec and a.name == b.name:
            continue
        ref = b or a
        assert ref is not None
        changes.append(
            DependencyChange(
                manifest=ref.manifest, section=ref.section, name=ref.name,
                before=a.spec if a else None, after=b.spec if b else None,
            )
        )
    return changes


__all__ = ["compute_diff", "copy_tree", "prepare_workspace", "remove_workspace"]
