"""Folders a zebench process keeps in the temporary directory, and those of zebench processes that were killed.

A zebench process removes its own folders there when it exits (atexit, finalizers); one killed with SIGKILL (an
out-of-memory kill, a CI job's time limit, a test run stopped hard) cannot, and each left its folders behind. Every
such folder names its process and where that pid means something (``zebench-<kind>-<pid>-<where>-<random>``,
``<where>`` a hash of the machine's boot and PID namespace: a temporary directory may be shared by containers or
hosts, whose pids say nothing here): the first one a zebench process makes removes those of every kind whose
process is gone, among those made where its own pids are.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import os
import re
import secrets
import stat
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

#: The kinds of per-process folders: the sandbox's idle private folders (pool) and /etc (etc), private folders of
#: sandboxes opened without a folder of their own (sandbox), the registry proxy's socket (proxy), the scoring
#: commands' bootstrap (pyboot).
KINDS = ("pool", "etc", "sandbox", "proxy", "pyboot")
_NAME = re.compile(rf"^zebench-(?:{'|'.join(KINDS)})-(\d+)-([0-9a-f]{{8}})-")

#: The largest pid Linux gives (kernel.pid_max is at most 2**22): a larger number in a name is not a pid.
PID_MAX = 2**22

_swept = -1  # the pid that swept (a forked copy of zebench sweeps again: cheap, and its parent may be gone)
_lock = threading.Lock()


def process_folder(kind: str, parent: Path | None = None) -> Path:
    """A new folder ``zebench-<kind>-<pid>-<where>-<random>`` in ``parent`` (the temporary directory by default);
    the caller removes it. The first call of this process first removes the folders that dead zebench processes
    left in the temporary directory."""
    assert kind in KINDS, kind
    remove_dead_folders()
    return Path(tempfile.mkdtemp(prefix=f"zebench-{kind}-{os.getpid()}-{where_pids_are()}-", dir=parent))


@functools.cache
def where_pids_are() -> str:
    """This machine's boot and this process's PID namespace, hashed (8 hex digits): a pid names a process only
    there."""
    try:
        boot = Path("/proc/sys/kernel/random/boot_id").read_text().strip()
    except OSError:
        boot = ""
    try:
        namespace = os.readlink("/proc/self/ns/pid")
    except OSError:
        namespace = ""
    return hashlib.sha256(f"{boot}\n{namespace}".encode()).hexdigest()[:8]


def remove_dead_folders(*, again: bool = False) -> int:
    """Remove the per-process folders of zebench processes that are gone, once per process (``again``: whether or
    not it did). Returns how many were removed."""
    global _swept
    with _lock:
        if _swept == os.getpid() and not again:
            return 0
        _swept = os.getpid()
    removed = 0
    temp = Path(os.path.abspath(tempfile.gettempdir()))
    try:
        names = os.listdir(temp)
    except OSError:
        return 0
    for name in names:
        match = _NAME.match(name)
        if match is None or match.group(2) != where_pids_are():  # another machine's or container's
            continue
        if not 0 < int(match.group(1)) <= PID_MAX or alive(int(match.group(1))):
            continue
        try:  # never fails its caller (the first folder of a process): what is left waits for the next sweep
            remove_tree(temp / name)
        except Exception:
            continue
        removed += not (temp / name).exists()
    return removed


def alive(pid: int) -> bool:
    """Whether a process ``pid`` exists (this machine's, in this PID namespace)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, another user's
        pass
    return True


#: Directories held open at most while a tree is removed; deeper ones are moved up to the top folder first.
MAX_OPEN_DIRS = 32
_DIR_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC


def remove_tree(path: Path | str) -> None:
    """Remove a file, a symlink or a folder tree, as far as possible, without raising (``shutil.rmtree`` with
    ``ignore_errors``, less its limits). A tree an agent made may be nested deeper than Python's recursion limit,
    where ``shutil.rmtree`` raises RecursionError (Python 3.11) and leaves the tree: here no recursion, at most
    MAX_OPEN_DIRS directories open (a deeper one is moved up to the top folder and removed from there), every
    directory opened relative to its parent without following symlinks (a symlink is removed, never followed),
    and a directory the agent made unreadable or unwritable opened up (its owner's rights) first."""
    try:
        top = os.open(path, _DIR_FLAGS)
    except PermissionError:  # a folder made unreadable: its owner's rights back, once
        try:
            os.chmod(path, stat.S_IRWXU)  # not a link: O_NOFOLLOW refused it otherwise
            top = os.open(path, _DIR_FLAGS)
        except OSError:
            return
    except OSError:
        with contextlib.suppress(OSError):
            os.unlink(path)
        return
    try:
        while _empty_pass(top):  # entries moved up to the top folder during a pass may be missed by it
            pass
    except OSError:  # the top folder cannot be listed (no descriptor left...): what is left stays
        pass
    finally:
        os.close(top)
    with contextlib.suppress(OSError):
        os.rmdir(path)


def _empty_pass(top: int) -> bool:
    """One pass over the tree under the open folder ``top``; whether it removed or moved anything."""
    progress = False
    prefix = f".zebench-deep-{secrets.token_hex(4)}-"
    moved = 0
    frames: list[tuple[int, Any, int, str]] = [(top, os.scandir(top), -1, "")]  # fd, its entries, parent's fd, name
    try:
        while frames:
            fd, entries, parent, name = frames[-1]
            try:
                entry = next(entries, None)
            except OSError:
                entry = None
            if entry is None:
                entries.close()
                frames.pop()
                if parent >= 0:
                    os.close(fd)
                    progress |= _retry(parent, os.rmdir, name, dir_fd=parent)
                continue
            try:
                is_dir = entry.is_dir(follow_symlinks=False)
            except OSError:
                is_dir = False
            if not is_dir:
                progress |= _retry(fd, os.unlink, entry.name, dir_fd=fd)
                continue
            if len(frames) >= MAX_OPEN_DIRS:
                target = f"{prefix}{moved}"
                moved += 1
                progress |= _retry(fd, os.rename, entry.name, target, src_dir_fd=fd, dst_dir_fd=top)
                continue
            try:
                child = os.open(entry.name, _DIR_FLAGS, dir_fd=fd)
            except PermissionError:  # not readable: its owner's rights back, once
                try:
                    os.chmod(entry.name, stat.S_IRWXU, dir_fd=fd)
                    child = os.open(entry.name, _DIR_FLAGS, dir_fd=fd)
                except OSError:
                    continue
            except OSError:
                continue
            with contextlib.suppress(OSError):
                if os.fstat(child).st_mode & stat.S_IRWXU != stat.S_IRWXU:
                    os.fchmod(child, stat.S_IRWXU)  # its entries can be listed and removed
            try:
                frames.append((child, os.scandir(child), fd, entry.name))
            except OSError:
                os.close(child)
    finally:
        for fd, entries, parent, _ in frames:
            entries.close()
            if parent >= 0:
                os.close(fd)
    return progress


def _retry(folder: int, step: Callable[..., None], *args: Any, **kwargs: Any) -> bool:
    """``step(*args, **kwargs)`` (a removal in the open folder ``folder``); once more after giving the folder its
    owner's rights back when it was refused. Whether it happened."""
    try:
        step(*args, **kwargs)
        return True
    except FileNotFoundError:
        return False
    except PermissionError:
        try:
            os.fchmod(folder, stat.S_IRWXU)
            step(*args, **kwargs)
            return True
        except OSError:
            return False
    except OSError:
        return False
