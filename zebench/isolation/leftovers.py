"""Folders a zebench process keeps in the temporary directory, and those of zebench processes that were killed.

A zebench process removes its own folders there when it exits (atexit, finalizers); one killed with SIGKILL (an
out-of-memory kill, a CI job's time limit, a test run stopped hard) cannot, and each left its folders behind. Every
such folder names its process (``zebench-<kind>-<pid>-<random>``): the first one a zebench process makes removes
those of every kind whose process is gone.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
import threading
from pathlib import Path

#: The kinds of per-process folders: the sandbox's idle private folders (pool) and /etc (etc), private folders of
#: sandboxes opened without a folder of their own (sandbox), the registry proxy's socket (proxy), the scoring
#: commands' bootstrap (pyboot).
KINDS = ("pool", "etc", "sandbox", "proxy", "pyboot")
_NAME = re.compile(rf"^zebench-(?:{'|'.join(KINDS)})-(\d+)-")

#: The largest pid Linux gives (kernel.pid_max is at most 2**22): a larger number in a name is not a pid.
PID_MAX = 2**22

_swept = -1  # the pid that swept (a forked copy of zebench sweeps again: cheap, and its parent may be gone)
_lock = threading.Lock()


def process_folder(kind: str, parent: Path | None = None) -> Path:
    """A new folder ``zebench-<kind>-<pid>-<random>`` in ``parent`` (the temporary directory by default); the
    caller removes it. The first call of this process first removes the folders that dead zebench processes left
    in the temporary directory."""
    assert kind in KINDS, kind
    remove_dead_folders()
    return Path(tempfile.mkdtemp(prefix=f"zebench-{kind}-{os.getpid()}-", dir=parent))


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
        if match is None or not 0 < int(match.group(1)) <= PID_MAX or alive(int(match.group(1))):
            continue
        shutil.rmtree(temp / name, ignore_errors=True)
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
