"""Workspaces: an isolated copy of a scenario's fixture per run, the agent's files in it, and the diff.

The fixture is copied, never linked, so an agent that edits files in place (``sed -i``, writeFile) or runs any
command in its workspace cannot change the fixture.

This module is the one owner of agent-controlled files. ``Files`` is what the agent's tools read and write:
regular files only (a FIFO, socket or device is refused, never opened for reading: opens are O_NONBLOCK and
checked with fstat), paths walked one component at a time with O_NOFOLLOW, following a symlink only while it
stays inside the workspace, writes done by replacing the file (a temporary file renamed over it), so a hard
link to a file outside is never written through. Every OSError becomes a ``WorkspaceError`` whose message goes
back to the model. The work runs in a thread, off the event loop. The diff reads regular files only, at most
MAX_DIFFABLE_BYTES of each, compares larger ones chunk by chunk, and stops at a deadline.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import difflib
import errno
import fcntl
import os
import secrets
import stat
import tempfile
import time
from collections.abc import AsyncIterator, Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, TypeVar

from ..catalog import IGNORED_DIRS, special_file_error, special_file_kind
from ..isolation.leftovers import remove_tree
from ..models import DependencyChange, Diff, DiffFile
from .manifests import Declared, is_manifest, parse_manifest

T = TypeVar("T")

#: Files copied by the calling thread before a thread pool is worth its start-up.
PARALLEL_COPY_THRESHOLD = 64
#: File creation is kernel-bound (and slow on ext4 with discard); threads overlap it and release the GIL.
COPY_THREADS = 16
#: Patch text kept per file and for the whole diff.
PATCH_LIMIT_PER_FILE = 64 * 1024
PATCH_LIMIT_TOTAL = 1024 * 1024
#: Files larger than this are compared but not diffed line by line (nor read whole).
MAX_DIFFABLE_BYTES = 2 * 1024 * 1024
#: Changed files listed in a diff at most.
MAX_DIFF_FILES = 5000
#: Entries listFiles returns at most.
MAX_LIST_ENTRIES = 2000
#: Symlinks followed while resolving one path (as the kernel's MAXSYMLINKS).
MAX_SYMLINKS = 40
#: Open flags of a read: never block (a FIFO without writer), never follow a last-component symlink.
READ_FLAGS = os.O_RDONLY | os.O_NONBLOCK | os.O_NOFOLLOW | os.O_NOCTTY | os.O_CLOEXEC
DIR_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC


#: Folders the diff leaves out: dependency folders and tool caches (``__pycache__`` is listed: a planted .pyc is a
#: change like any other).
DIFF_SKIPPED_DIRS = IGNORED_DIRS - {"__pycache__"}


#: The longest path of a folder whose entries are listed: with a name of up to 255 bytes, their paths stay under
#: PATH_MAX (4096), which the system calls that read them by path need.
MAX_LISTED_PATH_BYTES = 3800


def _scan(
    root: Path, deadline: float | None = None, skip: frozenset[str] = IGNORED_DIRS, *, refuse_special: bool = False
) -> tuple[list[str], list[tuple[str, int]], list[tuple[str, str]]]:
    """Directories, (regular file, mode) and (symlink, target) under root, relative, skipping ``skip``. FIFOs,
    sockets and devices are skipped (an agent's workspace), or with ``refuse_special`` (a scenario's fixture) a
    CatalogError naming the first one."""
    dirs: list[str] = []
    files: list[tuple[str, int]] = []
    links: list[tuple[str, str]] = []
    stack = [""]
    while stack:
        rel_dir = stack.pop()
        if deadline is not None and time.monotonic() > deadline:
            raise _OutOfTime()
        with os.scandir(root / rel_dir if rel_dir else root) as it:
            for entry in it:
                rel = f"{rel_dir}/{entry.name}" if rel_dir else entry.name
                if entry.is_symlink():
                    links.append((rel, os.readlink(entry.path)))
                elif entry.is_dir(follow_symlinks=False):
                    # A folder nested deeper than a path can name what is in it is left out: no tool reads it.
                    if entry.name not in skip and len(os.fsencode(entry.path)) <= MAX_LISTED_PATH_BYTES:
                        dirs.append(rel)
                        stack.append(rel)
                elif entry.is_file(follow_symlinks=False):  # FIFOs, sockets and devices are not content
                    files.append((rel, entry.stat(follow_symlinks=False).st_mode))
                elif refuse_special:
                    mode = entry.stat(follow_symlinks=False).st_mode
                    raise special_file_error(Path(entry.path), special_file_kind(mode) or "not a regular file")
    return dirs, files, links


def copy_tree(src: Path, dst: Path) -> int:
    """Copy src (a fixture) into the existing directory dst (files, modes, symlinks as links); returns the file
    count. A FIFO, socket or device in src is a CatalogError naming it (listed: never opened; one put in place after
    the listing is refused by _copy_file before a byte is read)."""
    dirs, files, links = _scan(src, refuse_special=True)
    for rel in sorted(dirs):
        os.mkdir(dst / rel)
    source, target = os.fspath(src), os.fspath(dst)

    def copy_one(item: tuple[str, int]) -> None:
        _copy_file(os.path.join(source, item[0]), os.path.join(target, item[0]))

    if len(files) < PARALLEL_COPY_THRESHOLD:
        for item in files:
            copy_one(item)
    else:
        with ThreadPoolExecutor(max_workers=COPY_THREADS) as pool:
            list(pool.map(copy_one, files, chunksize=64))
    for rel, link in links:
        os.symlink(link, dst / rel)
    return len(files)


_SET_ID_BITS = stat.S_ISUID | stat.S_ISGID
#: What one sendfile call moves at most (the kernel's own limit is about 2 GiB).
_SENDFILE_CHUNK = 1 << 30


def _copy_file(src: str, dst: str) -> None:
    """One file of a fixture, with its permission bits: opened as catalog.read_regular opens one (no link
    followed, no wait for a FIFO's writer, refused unless regular), created new (O_EXCL, no link followed), its
    bytes moved by the kernel. A third of shutil.copyfile's cost on a small file (no stat of either side first:
    creating the file is what is left)."""
    source = os.open(src, os.O_RDONLY | os.O_NONBLOCK | os.O_NOFOLLOW | os.O_CLOEXEC)
    try:
        mode = os.fstat(source).st_mode
        if not stat.S_ISREG(mode):
            raise special_file_error(Path(src), special_file_kind(mode) or "not a regular file")
        bits = stat.S_IMODE(mode)
        target = os.open(dst, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, bits)
        try:
            _copy_bytes(source, target)
            # after the bytes: bits the umask took away at creation, and the set-id bits, which a write by a
            # process without CAP_FSETID clears
            if bits & (_umask() | _SET_ID_BITS):
                os.fchmod(target, bits)
        finally:
            os.close(target)
    finally:
        os.close(source)


def _copy_bytes(source: int, target: int) -> None:
    copied = 0
    try:
        while sent := os.sendfile(target, source, None, _SENDFILE_CHUNK):
            copied += sent
        return
    except OSError as exc:
        # a file system without sendfile for these files: copied by reads and writes (nothing was sent yet)
        if copied or exc.errno not in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP, errno.ENOTSUP):
            raise
    while chunk := os.read(source, 1 << 20):
        view = memoryview(chunk)
        while view:
            view = view[os.write(target, view) :]


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
        try:
            copy_tree(fixture, workspace)
        except BaseException:
            remove_workspace(workspace)
            raise
    return workspace


def remove_workspace(path: Path) -> None:
    """Remove a folder an agent had, however deep it nested it (isolation.leftovers.remove_tree)."""
    remove_tree(path)


async def _to_its_end(func: Callable[[], T]) -> tuple[T, bool]:
    """``func()`` in a thread, awaited to its end even when the task is cancelled meanwhile (a thread cannot be
    stopped: a cancelled await would leave what it makes, a folder, to no one). (result, whether the task was
    cancelled meanwhile): the caller undoes what was made, then re-raises."""
    # Submitted now (no task: one hop, as asyncio.to_thread), in a copy of the context, as asyncio.to_thread.
    done = asyncio.get_running_loop().run_in_executor(None, contextvars.copy_context().run, func)
    cancelled = False
    while not done.done():
        try:
            await asyncio.shield(done)
        except asyncio.CancelledError:
            cancelled = True
        except Exception:
            break  # func raised: below
    if cancelled and done.exception() is not None:
        raise asyncio.CancelledError()  # nothing to undo, and the cancellation is not lost to the error
    return done.result(), cancelled


async def finish_in_thread(func: Callable[[], T]) -> T:
    """``func()`` in a thread, to its end: a cancellation meanwhile is re-raised once it is done (for work that
    creates files in a folder the cancelled run then removes: a write finishing after its removal began would
    leave the folder behind)."""
    result, cancelled = await _to_its_end(func)
    if cancelled:
        raise asyncio.CancelledError()
    return result


@contextlib.asynccontextmanager
async def fresh_workspace(fixture: Path | None, base_dir: Path | None, prefix: str) -> AsyncIterator[Path]:
    """``prepare_workspace`` for the block, removed at its end; made and removed in threads, and never left
    behind: the block's task ends once the folder is gone, a cancellation meanwhile held until then."""
    workspace, cancelled = await _to_its_end(lambda: prepare_workspace(fixture, base_dir, prefix))
    try:
        if cancelled:
            raise asyncio.CancelledError()
        yield workspace
    finally:
        _, cancelled = await _to_its_end(lambda: remove_workspace(workspace))
        if cancelled:
            raise asyncio.CancelledError()


# --------------------------------------------------------------------------------------------------------------
# A batch process's folder, and what killed ones left
# --------------------------------------------------------------------------------------------------------------

#: A zebench process's folder of workspaces, baseline copies and sandbox folders, in the temp folder or
#: --workspace-dir: ``zebench-batch-<batch id>-<random>``.
WORK_AREA_PREFIX = "zebench-batch-"
#: A folder being made (renamed to its final name once its owner file is locked).
_NEW_AREA_PREFIX = ".zebench-batch-new-"
#: In a work area: the file its process holds an exclusive flock on for as long as it lives (the kernel releases
#: it when the process dies, kill -9 included).
OWNER_FILE = ".owner"


class WorkArea:
    """The folder one zebench process makes its runs' workspaces and sandbox folders in, identified as its own by
    a lock. ``remove_leftovers`` removes the areas whose lock is free: their process is gone (killed, crashed);
    a live process's area, whatever batch, is never touched."""

    def __init__(self, path: Path, fd: int):
        self.path, self._fd = path, fd

    @classmethod
    def create(cls, parent: Path | None, label: str) -> WorkArea:
        """A new area under ``parent`` (default: the temp folder) named after ``label`` (the batch id). Made under
        a temporary name and renamed once its owner file is locked, so that no area is ever seen unlocked while
        its process lives."""
        parent = parent if parent is not None else Path(tempfile.gettempdir())
        parent.mkdir(parents=True, exist_ok=True)
        new = Path(tempfile.mkdtemp(prefix=_NEW_AREA_PREFIX, dir=parent))
        fd = os.open(new / OWNER_FILE, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC | os.O_NOFOLLOW, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            os.write(fd, f"pid {os.getpid()} batch {label}\n".encode())
            # traversable, not listable: the sandbox user reaches its workspace through it (0700 would keep it out)
            os.chmod(new, 0o711)
            safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in label)[:60] or "batch"
            final = parent / f"{WORK_AREA_PREFIX}{safe}-{secrets.token_hex(4)}"
            os.rename(new, final)
        except BaseException:
            os.close(fd)
            remove_tree(new)
            raise
        return cls(final, fd)

    def remove(self) -> None:
        """Remove the area: its content, then its owner file, then the folder; then release the lock."""
        if self._fd < 0:
            return
        try:
            for entry in os.scandir(self.path):
                if entry.name != OWNER_FILE:
                    remove_tree(Path(entry.path))
            with contextlib.suppress(OSError):
                os.unlink(self.path / OWNER_FILE)
            remove_tree(self.path)
        finally:
            os.close(self._fd)
            self._fd = -1


def remove_leftovers(parent: Path | None) -> list[Path]:
    """Remove the work areas under ``parent`` (default: the temp folder) that no live process owns: those of
    ``zebench run`` processes that were killed (kill -9) or crashed, with the workspaces and sandbox folders in
    them. Only this user's; a live process's area (its owner file locked) is left alone. Returns what was removed."""
    parent = parent if parent is not None else Path(tempfile.gettempdir())
    removed: list[Path] = []
    try:
        entries = list(os.scandir(parent))
    except OSError:
        return removed
    for entry in entries:
        if not entry.name.startswith((WORK_AREA_PREFIX, _NEW_AREA_PREFIX)) or not entry.is_dir(follow_symlinks=False):
            continue
        path = Path(entry.path)
        try:
            if entry.stat(follow_symlinks=False).st_uid != os.getuid():
                continue
            fd = os.open(path / OWNER_FILE, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
        except FileNotFoundError:
            fd = -1  # its process got as far as removing its owner file, and no further
        except OSError:
            continue
        try:
            if fd >= 0:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except BlockingIOError:
                    continue  # alive
            elif entry.name.startswith(_NEW_AREA_PREFIX):
                continue  # being made this instant: it has no owner file yet
            remove_tree(path)
            removed.append(path)
        finally:
            if fd >= 0:
                os.close(fd)
    return removed


# --------------------------------------------------------------------------------------------------------------
# The agent's files
# --------------------------------------------------------------------------------------------------------------


class WorkspaceError(Exception):
    """A refused or failed file operation; the message is for the model."""


def _short(text: str, limit: int = 120) -> str:
    return text if len(text) <= limit else f"{text[:limit]}...({len(text)} characters)"


def _kind(mode: int) -> str:
    for test, name in (
        (stat.S_ISFIFO, "a FIFO"),
        (stat.S_ISSOCK, "a socket"),
        (stat.S_ISCHR, "a character device"),
        (stat.S_ISBLK, "a block device"),
        (stat.S_ISDIR, "a directory"),
    ):
        if test(mode):
            return name
    return "not a regular file"


def path_parts(raw: object, *, allow_root: bool = False) -> list[str]:
    """An agent-supplied path as components relative to the workspace root, or a WorkspaceError."""
    if not isinstance(raw, str) or (not raw.strip() and not allow_root):
        raise WorkspaceError("path must be a non-empty string relative to the workspace root")
    text = raw.strip() or "."
    if "\0" in text:
        raise WorkspaceError("path contains a NUL byte")
    if os.path.isabs(text) or text.startswith("~"):
        raise WorkspaceError(
            f"absolute paths are not allowed ({_short(raw)!r}); use a path relative to the workspace root"
        )
    parts = [p for p in text.split("/") if p not in ("", ".")]
    if ".." in parts:
        raise WorkspaceError(f"'..' is not allowed in paths ({_short(raw)!r}); stay inside the workspace")
    if not parts and not allow_root:
        raise WorkspaceError("path names the workspace root, not a file")
    return parts


@dataclass
class _Found:
    dir_fd: int  # the folder holding ``name`` (the root itself when ``name`` is None)
    name: str | None
    info: os.stat_result | None  # lstat of ``name``; None when it does not exist
    rel: str  # canonical path relative to the root


class Files:
    """The files of one workspace as the agent's tools see them (see the module docstring).

    ``owner`` (uid, gid): who files written here must belong to (the sandbox user of a root run).
    """

    def __init__(self, root: Path, owner: tuple[int, int] | None = None):
        self.root = Path(os.path.realpath(root))
        self.owner = owner

    # -- resolution ---------------------------------------------------------------------------------------------

    def _walk(self, parts: list[str], *, create_dirs: bool = False) -> _Found:
        """Walk ``parts`` from the root, one O_NOFOLLOW component at a time; symlinks are followed only while
        they stay inside. The caller closes ``dir_fd``."""
        todo = list(parts)
        done: list[str] = []
        links = 0
        fd = os.open(self.root, DIR_FLAGS & ~os.O_NOFOLLOW)
        try:
            while todo:
                name = todo.pop(0)
                if name in ("", "."):
                    continue
                if name == "..":  # only from a symlink's target
                    if not done:
                        raise WorkspaceError("resolves outside the workspace (through a symlink); refused")
                    done.pop()
                    os.close(fd)
                    fd = self._reopen(done)
                    continue
                try:
                    info: os.stat_result | None = os.stat(name, dir_fd=fd, follow_symlinks=False)
                except FileNotFoundError:
                    info = None
                if info is not None and stat.S_ISLNK(info.st_mode):
                    links += 1
                    if links > MAX_SYMLINKS:
                        raise OSError(errno.ELOOP, os.strerror(errno.ELOOP))
                    target = os.readlink(name, dir_fd=fd)
                    if os.path.isabs(target):
                        real = Path(os.path.normpath(target))
                        if real != self.root and self.root not in real.parents:
                            raise WorkspaceError("resolves outside the workspace (through a symlink); refused")
                        done = []
                        os.close(fd)
                        fd = self._reopen([])
                        target = real.relative_to(self.root).as_posix()
                    todo = target.split("/") + todo
                    continue
                if not todo:
                    return _Found(fd, name, info, "/".join(done + [name]))
                if info is None:
                    if not create_dirs:
                        raise OSError(errno.ENOENT, f"no such directory: {'/'.join(done + [name])}")
                    os.mkdir(name, 0o777, dir_fd=fd)
                    if self.owner is not None:
                        os.chown(name, *self.owner, dir_fd=fd, follow_symlinks=False)
                elif not stat.S_ISDIR(info.st_mode):
                    raise OSError(errno.ENOTDIR, f"{'/'.join(done + [name])} is not a directory")
                next_fd = os.open(name, DIR_FLAGS, dir_fd=fd)
                os.close(fd)
                fd = next_fd
                done.append(name)
            return _Found(fd, None, None, "/".join(done) or ".")
        except BaseException:
            os.close(fd)
            raise

    def _reopen(self, parts: list[str]) -> int:
        fd = os.open(self.root, DIR_FLAGS & ~os.O_NOFOLLOW)
        for name in parts:
            next_fd = os.open(name, DIR_FLAGS, dir_fd=fd)
            os.close(fd)
            fd = next_fd
        return fd

    def _guard(self, raw: object, work: Callable[[], str]) -> str:
        try:
            return work()
        except WorkspaceError as exc:
            raise WorkspaceError(f"{_short(str(raw))}: {exc}") from None
        except OSError as exc:
            raise WorkspaceError(f"{_short(str(raw))}: {exc.strerror or exc}") from None

    # -- operations (each in a thread) ---------------------------------------------------------------------------

    async def read_text(self, raw: object, limit: int) -> str:
        """A UTF-8 file's text; a file over ``limit`` bytes is cut there, the cut marked."""
        return await asyncio.to_thread(self._guard, raw, lambda: self._read_text(path_parts(raw), limit))

    def _read_text(self, parts: list[str], limit: int) -> str:
        found = self._walk(parts)
        try:
            if found.name is None:
                raise WorkspaceError("is a directory; use listFiles")
            if found.info is None:
                raise WorkspaceError("no such file")
            if stat.S_ISDIR(found.info.st_mode):
                raise WorkspaceError("is a directory; use listFiles")
            if not stat.S_ISREG(found.info.st_mode):  # refused before any open: a device is never opened
                raise WorkspaceError(f"is {_kind(found.info.st_mode)}; readFile reads regular files only")
            fd = os.open(found.name, READ_FLAGS, dir_fd=found.dir_fd)
        finally:
            os.close(found.dir_fd)
        try:
            info = os.fstat(fd)  # again: the entry may have been swapped since the lstat
            if stat.S_ISDIR(info.st_mode):
                raise WorkspaceError("is a directory; use listFiles")
            if not stat.S_ISREG(info.st_mode):
                raise WorkspaceError(f"is {_kind(info.st_mode)}; readFile reads regular files only")
            data = _read_fd(fd, limit + 1)
        finally:
            os.close(fd)
        cut = len(data) > limit
        data = data[:limit]
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            if not cut or exc.start < len(data) - 3:  # a character split by the cut is fine; anything else not
                raise WorkspaceError(f"is not UTF-8 text ({info.st_size} bytes)") from None
            text = data[: exc.start].decode("utf-8")
        if cut:
            text += f"\n... [cut: the file is {info.st_size} bytes; readFile returns the first {limit}]"
        return text

    async def write_text(self, raw: object, content: str) -> str:
        """Create or replace a file (parents created); returns its path relative to the root."""
        # To its end: the run's clean-up may be removing the workspace as soon as the tool call is cancelled.
        return await finish_in_thread(lambda: self._guard(raw, lambda: self._write_text(path_parts(raw), content)))

    def _write_text(self, parts: list[str], content: str) -> str:
        found = self._walk(parts, create_dirs=True)
        try:
            if found.name is None or (found.info is not None and stat.S_ISDIR(found.info.st_mode)):
                raise WorkspaceError("is a directory")
            existing = found.info
            mode = (
                stat.S_IMODE(existing.st_mode)
                if existing is not None and stat.S_ISREG(existing.st_mode)
                else 0o666 & ~_umask()
            )
            # Never written in place: a temporary file renamed over the name, so a hard link to a file outside
            # (or a FIFO, a device) is replaced instead of written through.
            temp = f".{found.name[:80]}.{secrets.token_hex(4)}.zebench-tmp"
            fd = os.open(
                temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600, dir_fd=found.dir_fd
            )
            try:
                try:
                    view = memoryview(content.encode("utf-8"))
                    while view:
                        view = view[os.write(fd, view) :]
                    if self.owner is not None:
                        os.fchown(fd, *self.owner)
                    os.fchmod(fd, mode)
                finally:
                    os.close(fd)
                os.rename(temp, found.name, src_dir_fd=found.dir_fd, dst_dir_fd=found.dir_fd)
            except BaseException:
                try:
                    os.unlink(temp, dir_fd=found.dir_fd)
                except OSError:
                    pass
                raise
            return found.rel
        finally:
            os.close(found.dir_fd)

    async def list_dir(self, raw: object) -> list[str]:
        """Names in a folder, sorted, folders ending with '/' (.git left out); capped at MAX_LIST_ENTRIES."""
        text = await asyncio.to_thread(
            self._guard, raw, lambda: "\n".join(self._list_dir(path_parts(raw, allow_root=True)))
        )
        return text.split("\n") if text else []

    def _list_dir(self, parts: list[str]) -> list[str]:
        found = self._walk(parts)
        try:
            if found.name is None:
                fd = os.dup(found.dir_fd)
            else:
                if found.info is None:
                    raise WorkspaceError("no such directory")
                if not stat.S_ISDIR(found.info.st_mode):
                    raise WorkspaceError("is a file; use readFile")
                fd = os.open(found.name, DIR_FLAGS, dir_fd=found.dir_fd)
        finally:
            os.close(found.dir_fd)
        names: list[str] = []
        try:
            with os.scandir(fd) as it:
                for entry in it:
                    if entry.name != ".git":
                        names.append(entry.name + ("/" if entry.is_dir(follow_symlinks=False) else ""))
        finally:
            os.close(fd)
        names.sort()
        if len(names) > MAX_LIST_ENTRIES:
            names = names[:MAX_LIST_ENTRIES] + [f"... [{len(names) - MAX_LIST_ENTRIES} more entries not listed]"]
        return names


def _read_fd(fd: int, limit: int) -> bytes:
    chunks: list[bytes] = []
    size = 0
    while size < limit:
        chunk = os.read(fd, min(1 << 20, limit - size))
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
    return b"".join(chunks)


def read_regular(path: Path, limit: int) -> bytes | None:
    """At most ``limit`` bytes of a regular file (never a symlink, FIFO or device); None when it is not one or
    cannot be read. For zebench's own readers of workspace files (diff, manifests, heuristic checks)."""
    try:
        fd = os.open(path, READ_FLAGS)
    except OSError:
        return None
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return None
        return _read_fd(fd, limit)
    except OSError:
        return None
    finally:
        os.close(fd)


#: Largest manifest read (a lock file an agent inflated is not parsed whole).
MAX_MANIFEST_BYTES = 8 * 1024 * 1024


def declared_in(root: Path, rel_paths: list[str]) -> list[Declared]:
    """The dependency declarations of the manifests among ``rel_paths`` (regular files only)."""
    out: list[Declared] = []
    for rel in rel_paths:
        data = read_regular(root / rel, MAX_MANIFEST_BYTES) if is_manifest(rel) else None
        if data is not None:
            out.extend(parse_manifest(rel, data.decode("utf-8", errors="replace")))
    return out


#: The files at a workspace's root that decide what a package install produces (zebench.isolation.layers).
INSTALL_INPUTS = (
    "package.json",
    "pnpm-lock.yaml",
    "package-lock.json",
    "npm-shrinkwrap.json",
    "yarn.lock",
    "bun.lockb",
    ".npmrc",
    ".pnpmfile.cjs",
    ".yarnrc",
    ".yarnrc.yml",
)


def install_inputs(root: Path) -> dict[str, bytes] | None:
    """The install inputs at the workspace's root (regular files only), or None when there is no package.json,
    one of them is not a regular file, or the project is a monorepo (pnpm-workspace.yaml, a "workspaces" key):
    prepared node_modules are for single packages."""
    found: dict[str, bytes] = {}
    for name in (*INSTALL_INPUTS, "pnpm-workspace.yaml"):
        try:
            info = os.lstat(root / name)
        except OSError:
            continue
        data = read_regular(root / name, MAX_MANIFEST_BYTES) if stat.S_ISREG(info.st_mode) else None
        if data is None or name == "pnpm-workspace.yaml":
            return None
        found[name] = data
    if "package.json" not in found or b'"workspaces"' in found["package.json"]:
        return None
    return found


def empty_folder(root: Path, name: str, owner: tuple[int, int] | None) -> Path | None:
    """``root/name`` as an empty folder (made when missing, owned by ``owner``): where a view is mounted. None when
    something else is there (a file, a symlink, a folder with content)."""
    path = root / name
    try:
        os.mkdir(path, 0o755)
    except FileExistsError:
        info = os.lstat(path)
        if not stat.S_ISDIR(info.st_mode) or any(os.scandir(path)):
            return None
    else:
        if owner is not None:
            os.chown(path, *owner)
    return path


def own_folder(root: Path, name: str) -> Path | None:
    """``root/name`` when it is a real folder (not a symlink): what a trusted install left there."""
    path = root / name
    try:
        return path if stat.S_ISDIR(os.lstat(path).st_mode) else None
    except OSError:
        return None


def is_inside(root: Path, path: Path) -> bool:
    """Whether ``path``, with every symlink resolved, is ``root`` or below it."""
    real, base = Path(os.path.realpath(path)), Path(os.path.realpath(root))
    return real == base or base in real.parents


# --------------------------------------------------------------------------------------------------------------
# The verified copy's raw material (zebench.run.verifier decides what goes into it)
# --------------------------------------------------------------------------------------------------------------


class TreeTooLarge(Exception):
    """A tree holds more entries or bytes than the verifier compares (the run is unverifiable, never clean)."""


@dataclass
class Tree:
    """Every entry under a root, relative paths, nothing followed: regular files (mode, size), symlinks (target),
    entries left out by name (dropped folders and files, listed whole), and other kinds (FIFOs, sockets...)."""

    files: dict[str, tuple[int, int]]
    links: dict[str, str]
    dropped: list[str]
    special: list[str]

    @property
    def total_bytes(self) -> int:
        return sum(size for _, size in self.files.values())


def list_tree(
    root: Path | None,
    *,
    drop_dirs: frozenset[str],
    drop_file: Callable[[str], bool] = lambda name: False,
    deadline: float | None = None,
    max_entries: int | None = None,
) -> Tree:
    """Everything under ``root`` (hidden files, ``__pycache__``...) but folders named in ``drop_dirs`` and files
    ``drop_file`` refuses, which are listed in ``dropped``. TreeTooLarge past ``max_entries`` or the deadline."""
    tree = Tree(files={}, links={}, dropped=[], special=[])
    if root is None or not root.is_dir():
        return tree
    stack = [""]
    count = 0
    while stack:
        rel_dir = stack.pop()
        if deadline is not None and time.monotonic() > deadline:
            raise TreeTooLarge("ran out of time while listing the workspace")
        try:
            it = os.scandir(root / rel_dir if rel_dir else root)
        except OSError:
            continue
        with it:
            for entry in it:
                rel = f"{rel_dir}/{entry.name}" if rel_dir else entry.name
                count += 1
                if max_entries is not None and count > max_entries:
                    raise TreeTooLarge(f"more than {max_entries} entries")
                if entry.is_symlink():
                    tree.links[rel] = os.readlink(entry.path)
                elif entry.is_dir(follow_symlinks=False):
                    if entry.name in drop_dirs:
                        tree.dropped.append(rel + "/")
                    elif len(os.fsencode(entry.path)) <= MAX_LISTED_PATH_BYTES:  # deeper: nothing reads it (_scan)
                        stack.append(rel)
                elif entry.is_file(follow_symlinks=False):
                    if drop_file(entry.name):
                        tree.dropped.append(rel)
                    else:
                        info = entry.stat(follow_symlinks=False)
                        tree.files[rel] = (info.st_mode, info.st_size)
                else:
                    tree.special.append(rel)
    return tree


def same_content(a: Path, b: Path, deadline: float | None = None) -> bool:
    """Whether two regular files hold the same bytes (compared chunk by chunk; False for anything else).
    TreeTooLarge when the deadline passes."""
    try:
        return _same(a, b, deadline)
    except _OutOfTime:
        raise TreeTooLarge("ran out of time while comparing the workspace with the fixture") from None


def copy_regular(src: Path, dst: Path, mode: int | None = None) -> bool:
    """Copy an agent's regular file (never a symlink, FIFO or device: O_NOFOLLOW, fstat) to ``dst``, creating its
    folders (a file in the way of a folder is replaced); False when ``src`` is not a regular file any more."""
    try:
        fd = os.open(src, READ_FLAGS)
    except OSError:
        return False
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            return False
        _make_parents(dst)
        if dst.is_symlink() or dst.exists():
            remove_path(dst)
        with open(dst, "wb") as out:
            os.set_blocking(fd, True)
            while chunk := os.read(fd, 1 << 20):
                out.write(chunk)
        os.chmod(dst, stat.S_IMODE(mode if mode is not None else info.st_mode) & 0o777)
        return True
    finally:
        os.close(fd)


def _make_parents(path: Path) -> None:
    parent = path.parent
    missing = []
    while not parent.is_dir():
        missing.append(parent)
        parent = parent.parent
    for folder in reversed(missing):
        if folder.is_symlink() or folder.exists():  # a file (or link) where a folder must be
            folder.unlink()
        folder.mkdir()


def write_bytes(path: Path, data: bytes, mode: int = 0o644) -> None:
    """Write a file of the verified copy (zebench's content, e.g. a package.json with its protected entries put
    back), creating its folders."""
    _make_parents(path)
    if path.is_symlink() or path.is_dir():
        remove_path(path)
    path.write_bytes(data)
    os.chmod(path, mode & 0o777)


def make_symlink(target: str, path: Path) -> None:
    _make_parents(path)
    if path.is_symlink() or path.exists():
        remove_path(path)
    os.symlink(target, path)


def remove_path(path: Path) -> None:
    """Remove a file, a symlink or a folder tree (nothing followed)."""
    remove_tree(path)


# --------------------------------------------------------------------------------------------------------------
# Diff
# --------------------------------------------------------------------------------------------------------------


def _read_text(path: Path) -> str | None:
    """A small regular text file's content; None for binary, too large or not a regular file."""
    data = read_regular(path, MAX_DIFFABLE_BYTES + 1)
    if data is None or len(data) > MAX_DIFFABLE_BYTES or b"\0" in data:
        return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return None


def _same(a: Path, b: Path, deadline: float | None) -> bool:
    """Same content, compared chunk by chunk (memory stays bounded whatever the size)."""
    try:
        if a.is_symlink() or b.is_symlink():
            return a.is_symlink() and b.is_symlink() and os.readlink(a) == os.readlink(b)
        fa = os.open(a, READ_FLAGS)
    except OSError:
        return False
    try:
        fb = os.open(b, READ_FLAGS)
    except OSError:
        os.close(fa)
        return False
    try:
        sa, sb = os.fstat(fa), os.fstat(fb)
        if not (stat.S_ISREG(sa.st_mode) and stat.S_ISREG(sb.st_mode)) or sa.st_size != sb.st_size:
            return False
        while True:
            ca, cb = os.read(fa, 1 << 16), os.read(fb, 1 << 16)
            if ca != cb:
                return False
            if not ca:
                return True
            if deadline is not None and time.monotonic() > deadline:
                raise _OutOfTime()
    except OSError:
        return False
    finally:
        os.close(fa)
        os.close(fb)


class _OutOfTime(Exception):
    pass


def _entries(root: Path | None, deadline: float | None = None) -> set[str]:
    if root is None or not root.is_dir():
        return set()
    _, files, links = _scan(root, deadline, DIFF_SKIPPED_DIRS)
    return {rel for rel, _ in files} | {rel for rel, _ in links}


def compute_diff(before_root: Path | None, after_root: Path, *, deadline: float | None = None) -> Diff:
    """Files added, modified and deleted between the fixture and the workspace, with unified patches."""
    return diff_workspace(before_root, after_root, deadline=deadline)[0]


def diff_workspace(
    before_root: Path | None,
    after_root: Path,
    *,
    deadline: float | None = None,
    unchanged: Callable[[str], bool] | None = None,
) -> tuple[Diff, str | None]:
    """The diff, and why it is incomplete (the deadline, time.monotonic(), passed; too many files) or None.

    Only regular files and symlinks count (FIFOs, sockets and devices are skipped); files over
    MAX_DIFFABLE_BYTES are compared chunk by chunk and listed as binary, never read whole. ``unchanged``: paths
    (listed on both sides) the caller already knows hold the same content on both sides (the verifier compared
    them, or copied them from ``before_root`` and left them alone): not read again.
    """
    try:
        before, after = _entries(before_root, deadline), _entries(after_root, deadline)
    except _OutOfTime:
        return Diff(), "the diff ran out of time while listing the workspace"
    budget = PATCH_LIMIT_TOTAL
    files: list[DiffFile] = []
    incomplete: str | None = None
    for rel in sorted(before | after):
        if deadline is not None and time.monotonic() > deadline:
            incomplete = "the diff ran out of time; later files are not listed"
            break
        if len(files) >= MAX_DIFF_FILES:
            incomplete = f"more than {MAX_DIFF_FILES} files changed; later files are not listed"
            break
        old = before_root / rel if before_root is not None and rel in before else None
        new = after_root / rel if rel in after else None
        change: Literal["added", "modified", "deleted"]
        if old is not None and new is not None:
            if unchanged is not None and unchanged(rel):
                continue
            try:
                if _same(old, new, deadline):
                    continue
            except _OutOfTime:
                incomplete = "the diff ran out of time; later files are not listed"
                break
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
                path=rel,
                change=change,
                additions=additions,
                deletions=deletions,
                patch=patch or None,
                patch_truncated=truncated,
            )
        )
    manifests = sorted(p for p in before | after if is_manifest(p))
    return Diff(files=files, dependency_changes=dependency_delta(before_root, after_root, manifests)), incomplete


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
                manifest=ref.manifest,
                section=ref.section,
                name=ref.name,
                before=a.spec if a else None,
                after=b.spec if b else None,
            )
        )
    return changes


__all__ = [
    "Files",
    "Tree",
    "TreeTooLarge",
    "WorkspaceError",
    "compute_diff",
    "copy_regular",
    "copy_tree",
    "diff_workspace",
    "finish_in_thread",
    "fresh_workspace",
    "is_inside",
    "list_tree",
    "make_symlink",
    "prepare_workspace",
    "read_regular",
    "remove_path",
    "remove_workspace",
    "same_content",
    "write_bytes",
]
