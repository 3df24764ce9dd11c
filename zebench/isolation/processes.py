"""The one owner of processes: every command zebench runs is started, watched and killed here.

A command is started from a ``Launch`` (argv, environment, cwd), built by zebench.sandbox, always under
zebench's reaper (zebench/_reaper.py, a child subreaper that sets the resource limits), which runs either
bubblewrap (``--sandbox bwrap``: the command in its own PID namespace) or the command itself (``--sandbox none``).
The reaper holds one end of a "sync" pipe until every process below it is gone (for bubblewrap: until the
namespace's init has exited, which the kernel allows only once every process in it is dead), so the
end-of-file on that pipe is proof that nothing of the command survived.

``run_process`` starts the wrapper synchronously (no await between the fork and the guard that kills it), then
watches it with callbacks on the event loop: a pidfd for its exit, the sync pipe, and the output pipes. Whatever
ends the wait (exit, timeout, cancellation at any await, an exception), the ``finally`` sends the kill at once
(plain syscalls, nothing to await) and the callbacks go on to reap the wrapper even if the awaiting task is
cancelled again.
"""

from __future__ import annotations

import array
import asyncio
import functools
import itertools
import json
import os
import re
import select
import shlex
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..constants import DEFAULT_MAX_FILE_SIZE_BYTES, DEFAULT_MAX_MEMORY_BYTES, DEFAULT_MAX_PROCESSES

#: Environment variable names that may hold credentials. The command environment is an allow-list
#: (zebench.sandbox); this pattern refuses secret-looking names among the extras a caller adds.
SECRET_NAME_RE = re.compile(r"(KEY|TOKEN|SECRET|PASSWORD|PASSWD|CREDENTIAL|AUTH|COOKIE|SESSION)", re.IGNORECASE)

#: Variables passed through from zebench's environment to every command (besides LC_*): nothing secret.
PASSED_ENV = ("LANG", "LANGUAGE", "TZ", "TERM", "CI")
#: Set by zebench for the Python it puts first on PATH.
PYTHON_ENV = {"PYTHONDONTWRITEBYTECODE": "1", "PYTHONIOENCODING": "utf-8"}

#: How long to keep reading output after every process of the command is gone.
PIPE_DRAIN_SECONDS = 2.0
#: How long a killed command may take to disappear (a reaper killing a large tree, a namespace tearing down).
KILL_GRACE_SECONDS = 10.0
#: stderr kept when it is captured separately.
STDERR_HEAD = 16 * 1024
STDERR_TAIL = 16 * 1024

REAPER = Path(__file__).with_name("_reaper.py")
#: The reaper needs only the standard library: the base interpreter of a venv starts a few ms sooner.
REAPER_PYTHON = getattr(sys, "_base_executable", None) or sys.executable


@functools.cache
def python_bin_dir() -> str:
    return str(Path(sys.executable).parent)


EnvironKey = tuple[tuple[Any, Any], ...]


def environ_key() -> EnvironKey:
    """This process's environment as a hashable value, cheaply (no decoding: os.environ decodes every name and
    value on each read): what is derived from the environment is cached on it, and recomputed when it changes."""
    data = getattr(os.environ, "_data", None)  # CPython: the raw (bytes on POSIX) mapping behind os.environ
    return tuple(data.items()) if isinstance(data, dict) else tuple(os.environ.items())


def environ_of(key: EnvironKey) -> dict[str, str]:
    """The environment ``environ_key`` gave, decoded as os.environ decodes it."""
    return {os.fsdecode(k): os.fsdecode(v) for k, v in key}


@functools.lru_cache(maxsize=8)
def _base_env(key: EnvironKey, bin_dir: str) -> dict[str, str]:
    environ = environ_of(key)
    env = {k: v for k, v in environ.items() if k in PASSED_ENV or k.startswith("LC_")}
    env["PATH"] = os.pathsep.join(
        [bin_dir] + [p for p in environ.get("PATH", os.defpath).split(os.pathsep) if p and p != bin_dir]
    )
    env.update(PYTHON_ENV)
    return env


def safe_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    """The base environment of a command: an allow-list, never zebench's whole environment.

    PATH with this Python's directory first (so ``python`` in scenario commands means the interpreter that runs
    zebench, with its dependencies), LANG, LC_*, TZ, TERM, CI, and the PYTHON* variables zebench sets.
    ``extra`` adds variables, except names that look like secrets (use a sandbox Policy for a deliberate one).
    HOME and TMPDIR are the sandbox's (zebench.sandbox.Sandbox.env).
    """
    env = dict(_base_env(environ_key(), python_bin_dir()))
    if extra:
        env.update({k: v for k, v in extra.items() if not SECRET_NAME_RE.search(k)})
    return env


@dataclass(frozen=True)
class Limits:
    """Resource limits of every process of a command (setrlimit; soft = hard, the command cannot raise them)."""

    #: RLIMIT_NPROC: tasks of the command's user. Counted per user, not enforced for root: see docs/security.md.
    processes: int | None = DEFAULT_MAX_PROCESSES
    #: RLIMIT_DATA: heap and private writable memory of each process.
    memory_bytes: int | None = DEFAULT_MAX_MEMORY_BYTES
    #: RLIMIT_FSIZE: largest file a process may write (SIGXFSZ beyond).
    file_size_bytes: int | None = DEFAULT_MAX_FILE_SIZE_BYTES


class CappedOutput:
    """Keeps the first ``head`` and the last ``tail`` bytes of a stream and counts the rest."""

    def __init__(self, head: int, tail: int):
        self.head_limit, self.tail_limit = head, tail
        self.head = bytearray()
        self.tail = bytearray()
        self.total = 0

    def feed(self, chunk: bytes) -> None:
        self.total += len(chunk)
        room = self.head_limit - len(self.head)
        if room > 0:
            self.head += chunk[:room]
            chunk = chunk[room:]
        if chunk and self.tail_limit:
            self.tail += chunk
            if len(self.tail) > self.tail_limit:
                del self.tail[: len(self.tail) - self.tail_limit]

    @property
    def dropped(self) -> int:
        return self.total - len(self.head) - len(self.tail)

    def text(self) -> str:
        head = self.head.decode("utf-8", "replace")
        tail = self.tail.decode("utf-8", "replace")
        if self.dropped:
            # Start the tail at a line boundary: a half line reads like garbage.
            cut = tail.find("\n")
            if 0 <= cut < len(tail) - 1:
                tail = tail[cut + 1 :]
            return f"{head}\n... [{self.dropped} bytes of output omitted] ...\n{tail}"
        return head + tail


@dataclass
class CommandResult:
    command: str
    exit_code: int | None
    output: str
    duration_ms: int
    timed_out: bool = False
    output_bytes: int = 0
    stderr: str = ""
    #: Processes the command left running when it exited (all killed); None when unknown (it timed out).
    leftover_processes: int | None = None


@dataclass
class Launch:
    """How to start one command: built by zebench.sandbox, run by ``run_process`` under zebench's reaper."""

    #: What the reaper runs: the command itself (``--sandbox none``) or bubblewrap running it.
    command: list[str]
    env: dict[str, str]
    cwd: Path
    #: Resource limits of the command's processes, and its RLIMIT_NPROC (``nproc_limit``: None for none).
    limits: Limits = field(default_factory=Limits)
    nproc: int | None = None
    #: fds the command gets at the same numbers (bubblewrap's --ro-bind-data, a result channel); closed here
    #: once the command is started.
    pass_fds: list[int] = field(default_factory=list)
    #: umask of the command (the shared group of sandbox users needs 002).
    umask: int = -1
    #: What the command is, for the result and messages.
    display: str = ""
    #: ``command`` is bubblewrap (``--sandbox bwrap``): its PID namespace does the reaper's work, and the helper
    #: starts it directly (it adds ``--sync-fd``); otherwise the command runs under a reaper of its own.
    bwrap: bool = False

    def rlimits(self) -> list[tuple[str, int]]:
        """The limits as the reaper sets them: (resource name, value)."""
        pairs = (
            ("RLIMIT_NPROC", self.nproc),
            ("RLIMIT_DATA", self.limits.memory_bytes),
            ("RLIMIT_FSIZE", self.limits.file_size_bytes),
        )
        return [(name, value) for name, value in pairs if value is not None]

    #: A line ``<marker> <count>`` the command prints last (zebench.sandbox's count of processes left inside a
    #: PID namespace): taken out of the output into ``CommandResult.leftover_processes``.
    marker: str | None = None


def reaper_argv(sync_fd: int, launch: Launch) -> list[str]:
    """The argv of zebench's reaper started on its own (without the helper) around ``launch``."""
    out = [REAPER_PYTHON, "-I", "-S", str(REAPER), "--sync-fd", str(sync_fd)]
    flags = {"RLIMIT_NPROC": "--nproc", "RLIMIT_DATA": "--data", "RLIMIT_FSIZE": "--fsize"}
    for name, value in launch.rlimits():
        out += [flags[name], str(value)]
    return out + ["--", *launch.command]


def user_tasks(uid: int | None = None) -> int:
    """Tasks (threads included, as RLIMIT_NPROC counts them) that ``uid`` runs now."""
    uid = os.getuid() if uid is None else uid
    count = 0
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/status") as fh:
                fields = dict(line.split(":", 1) for line in fh if ":" in line)
        except (OSError, ValueError):
            continue
        if int(fields.get("Uid", "-1").split()[0]) == uid:
            count += int(fields.get("Threads", "1").strip())
    return count


def nproc_limit(limits: Limits, uid: int | None) -> int | None:
    """RLIMIT_NPROC for commands running as ``uid`` (None: zebench's own user).

    A sandbox user of its own (root runs): exactly ``limits.processes``. zebench's own non-root user: what the
    user already runs plus ``limits.processes``, since the kernel counts every task of the user. Root: not
    enforced by the kernel, so not set.
    """
    if limits.processes is None:
        return None
    if uid is not None:
        return limits.processes
    if os.geteuid() == 0:
        return None
    return user_tasks() + limits.processes


# --------------------------------------------------------------------------------------------------------------
# Orphans of a killed wrapper (--sandbox none): zebench as a subreaper
# --------------------------------------------------------------------------------------------------------------

_SPAWNED: set[int] = set()
_SUBREAPER = False


def become_subreaper() -> bool:
    """Make this process a child subreaper (Linux): orphans of a killed reaper come to it and are killed.

    For ``zebench run --sandbox none``, where the command's user could kill its reaper: after each command, the
    children of this process that processes.py did not start and that started during that command are killed.
    Returns whether it worked.
    """
    global _SUBREAPER
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        _SUBREAPER = bool(libc.prctl(36, 1, 0, 0, 0) == 0)  # PR_SET_CHILD_SUBREAPER
    except (OSError, AttributeError):
        _SUBREAPER = False
    return _SUBREAPER


def _own_children() -> set[int]:
    pids: set[int] = set()
    try:
        tasks = os.listdir("/proc/self/task")
    except OSError:
        return pids
    for tid in tasks:
        try:
            with open(f"/proc/self/task/{tid}/children") as fh:
                pids.update(int(p) for p in fh.read().split())
        except OSError:
            continue
    return pids


def sigkill(pid: int) -> None:
    """SIGKILL a process and the process group it leads, if they still exist."""
    for kill, target in ((os.killpg, pid), (os.kill, pid)):
        try:
            kill(target, signal.SIGKILL)
        except OSError:
            pass


def _start_ticks(pid: int) -> int | None:
    """When ``pid`` started, in clock ticks since boot (/proc/PID/stat field 22)."""
    try:
        with open(f"/proc/{pid}/stat") as fh:
            stat = fh.read()
        return int(stat[stat.rindex(")") + 2 :].split()[19])
    except (OSError, ValueError, IndexError):
        return None


def kill_adopted_orphans(since: int | None) -> int:
    """Kill and reap children this process did not start and that started at or after ``since`` (clock ticks):
    orphans adopted from a command whose reaper was killed. Repeats until none is left (a killed orphan's own
    children are adopted in turn). Returns how many were killed."""
    if not _SUBREAPER or since is None:
        return 0
    killed = 0
    while True:
        found = [pid for pid in _own_children() - _SPAWNED if (_start_ticks(pid) or -1) >= since]
        if not found:
            return killed
        for pid in found:
            sigkill(pid)
        for pid in found:
            try:
                os.waitpid(pid, 0)  # SIGKILLed: returns at once
            except ChildProcessError:
                pass
        killed += len(found)


# --------------------------------------------------------------------------------------------------------------
# The helper: one long-lived process that forks a reaper per command
# --------------------------------------------------------------------------------------------------------------


def _now_ticks() -> int:
    """Now, in the clock ticks since boot that /proc/PID/stat gives start times in."""
    return int(time.clock_gettime(time.CLOCK_BOOTTIME) * os.sysconf("SC_CLK_TCK"))


class _Helper:
    """zebench's side of the helper (zebench/isolation/_reaper.py): started on the first command, restarted if
    it died, from a thread of its own that lives as long as this process (PR_SET_PDEATHSIG follows the thread
    that started a process, not the process). Requests are one-way: a command's outcome comes on its sync pipe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._sock: socket.socket | None = None
        self._owner = -1  # the pid that started it: a forked copy of zebench starts its own
        self._ids = itertools.count(1)
        self._alive = threading.Event()

    def start_command(self, launch: Launch, fds: list[int], *, stdin: bool = False) -> int:
        """Ask the helper to start ``launch``; ``fds``: sync pipe, stdout, stderr (write ends), the stdin (read
        end) with ``stdin``, then ``launch.pass_fds``. Returns the request's id. Raises OSError when the helper
        cannot be reached."""
        with self._lock:
            ident = next(self._ids)
            request = {
                "op": "start",
                "id": ident,
                "kind": "bwrap" if launch.bwrap else "reaper",
                "argv": launch.command,
                "env": launch.env,
                "cwd": str(launch.cwd),
                "umask": launch.umask,
                "limits": launch.rlimits(),
                "fds": list(launch.pass_fds),
                "stdin": stdin,
                "nfds": len(fds),
            }
            try:
                self._send(request, fds)
            except OSError:  # it died (a command without bubblewrap may kill it): once more with a new one
                self._drop()
                self._send(request, fds)
            return ident

    def request(self, request: dict[str, object], timeout: float) -> str:
        """Send a request that answers on a pipe (``mount``, ``umount``) and wait for the answer (blocking: call
        it from a thread). Raises OSError when the helper cannot be reached or does not answer in time."""
        r, w = os.pipe()
        try:
            with self._lock:
                request = {**request, "id": next(self._ids), "nfds": 1}
                try:
                    self._send(request, [w])
                except OSError:
                    self._drop()
                    self._send(request, [w])
            os.close(w)
            w = -1
            answer = b""
            deadline = time.monotonic() + timeout
            poller = select.poll()  # not select(): a busy zebench has file descriptors above its limit of 1024
            poller.register(r, select.POLLIN)
            while True:
                left = deadline - time.monotonic()
                if left <= 0 or not poller.poll(left * 1000):
                    raise OSError(f"zebench's process helper did not answer a {request['op']} request")
                chunk = os.read(r, 4096)
                if not chunk:
                    break
                answer += chunk
            return answer.decode("utf-8", "replace").strip()
        finally:
            os.close(r)
            if w >= 0:
                os.close(w)

    def signal(self, ident: int, op: str) -> None:
        """``kill`` (SIGTERM the command's reaper: it kills everything below it) or ``force`` (SIGKILL it)."""
        with self._lock:
            try:
                self._send({"op": op, "id": ident}, [])
            except OSError:  # the helper is gone: its reapers got SIGTERM when it died
                self._drop()

    def _send(self, request: dict[str, object], fds: list[int]) -> None:
        sock = self._ensure()
        body = json.dumps(request).encode()
        frame = len(body).to_bytes(4, "big") + body
        ancillary = [(socket.SOL_SOCKET, socket.SCM_RIGHTS, array.array("i", fds))] if fds else []
        sent = sock.sendmsg([frame], ancillary)
        if sent < len(frame):
            sock.sendall(frame[sent:])

    def _ensure(self) -> socket.socket:
        if self._sock is not None and self._owner == os.getpid() and self._alive.is_set():
            return self._sock
        self._drop()
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        started: list[BaseException | subprocess.Popen[bytes]] = []
        ready = threading.Event()
        alive = threading.Event()

        def keep() -> None:
            try:
                proc = subprocess.Popen(
                    [REAPER_PYTHON, "-I", "-S", str(REAPER), "--serve", str(theirs.fileno()), str(os.getpid())],
                    pass_fds=(theirs.fileno(),),
                    env={},  # visible in /proc without bubblewrap: nothing of zebench's environment
                    cwd="/",
                    stdin=subprocess.DEVNULL,
                    stdout=subprocess.DEVNULL,
                    start_new_session=True,
                )
            except BaseException as exc:
                started.append(exc)
                ready.set()
                return
            _SPAWNED.add(proc.pid)
            alive.set()
            started.append(proc)
            ready.set()
            proc.wait()  # this thread lives as long as the helper, and reaps it
            alive.clear()
            _SPAWNED.discard(proc.pid)

        threading.Thread(target=keep, name="zebench-process-helper", daemon=True).start()
        ready.wait()
        theirs.close()
        if isinstance(started[0], BaseException):
            ours.close()
            raise OSError(f"cannot start zebench's process helper: {started[0]}")
        self._sock, self._owner, self._alive = ours, os.getpid(), alive
        return ours

    def _drop(self) -> None:
        if self._sock is not None:
            self._sock.close()  # the helper sees end-of-file and exits; its reapers clean up
            self._sock = None


_HELPER = _Helper()
#: How long a mount or unmount may take the helper.
MOUNT_TIMEOUT_SECONDS = 30.0


def mount_overlay(
    target: Path, lowers: list[Path], upper: Path, work: Path, owner: tuple[int, int] | None = None
) -> None:
    """Mount a copy-on-write view at ``target`` (read-only ``lowers``, newest first; writes go to ``upper``) in the
    mount namespace of zebench's process helper, where every command starts (as root only). With ``owner``
    (uid, gid), files the lower layers give to root show as that user's. Blocking: call it from a thread. Raises
    OSError when it cannot be mounted."""
    answer = _HELPER.request(
        {
            "op": "mount",
            "target": str(target),
            "lowers": [str(p) for p in lowers],
            "upper": str(upper),
            "work": str(work),
            "owner": list(owner) if owner is not None else None,
        },
        MOUNT_TIMEOUT_SECONDS,
    )
    if answer != "ok":
        raise OSError(f"cannot mount a copy-on-write view at {target}: {answer}")


def unmount(target: Path) -> None:
    """Detach what ``mount_overlay`` mounted at ``target`` (blocking: call it from a thread)."""
    answer = _HELPER.request({"op": "umount", "target": str(target)}, MOUNT_TIMEOUT_SECONDS)
    if answer != "ok":
        raise OSError(f"cannot unmount {target}: {answer}")


# --------------------------------------------------------------------------------------------------------------
# Running a command
# --------------------------------------------------------------------------------------------------------------


class _Watch:
    """Event-loop callbacks of one started command: its sync pipe (the helper reports the exit status there and
    closes it once nothing of the command is left), stdout and stderr."""

    def __init__(
        self,
        loop: asyncio.AbstractEventLoop,
        ident: int,
        sync_fd: int,
        outputs: list[tuple[int, CappedOutput]],
    ):
        self.loop, self.ident = loop, ident
        self.exited: asyncio.Future[None] = loop.create_future()  # the helper reported the exit status
        self.gone: asyncio.Future[None] = loop.create_future()  # sync pipe closed: no process left
        self.drained: asyncio.Future[None] = loop.create_future()
        self.sync_data = bytearray()  # what the helper and a reaper report (X<status>, L<processes left>)
        self._readers: dict[int, Callable[[], None]] = {}
        self._open_outputs = len(outputs)
        self._add(sync_fd, lambda: self._on_sync(sync_fd))
        for fd, into in outputs:
            os.set_blocking(fd, False)
            self._add(fd, lambda fd=fd, into=into: self._on_output(fd, into))  # type: ignore[misc]
        if not self._open_outputs:
            self.drained.set_result(None)

    @property
    def returncode(self) -> int | None:
        """The reaper's exit status as ``subprocess`` gives it (negative: killed by that signal); None before the
        end, and when the helper died before reporting it."""
        match = re.search(rb"X(-?\d+)\n", self.sync_data)
        return int(match[1]) if match else None

    def _add(self, fd: int, callback: Callable[[], None]) -> None:
        self._readers[fd] = callback
        self.loop.add_reader(fd, callback)

    def _drop(self, fd: int) -> None:
        if self._readers.pop(fd, None) is not None:
            self.loop.remove_reader(fd)
        try:
            os.close(fd)
        except OSError:
            pass

    def _on_sync(self, fd: int) -> None:
        try:
            data = os.read(fd, 64)
        except BlockingIOError:
            return
        except OSError:
            data = b""
        if data and len(self.sync_data) < 256:
            self.sync_data += data
        if (not data or b"X" in self.sync_data) and not self.exited.done():
            self.exited.set_result(None)
        if not data:
            self._drop(fd)
            if not self.gone.done():
                self.gone.set_result(None)

    def _on_output(self, fd: int, into: CappedOutput) -> None:
        try:
            chunk = os.read(fd, 65536)
        except BlockingIOError:
            return
        except OSError:
            chunk = b""
        if chunk:
            into.feed(chunk)
            return
        self._drop(fd)
        self._open_outputs -= 1
        if self._open_outputs == 0 and not self.drained.done():
            self.drained.set_result(None)

    def kill(self) -> None:
        """Ask the helper to stop the command (its reaper kills everything below it); nothing once it is gone."""
        if not self.gone.done():
            _HELPER.signal(self.ident, "kill")

    def force(self) -> None:
        """Last resort when the reaper does not finish its cleanup: SIGKILL it and its group."""
        if not self.gone.done():
            _HELPER.signal(self.ident, "force")

    def close(self) -> None:
        """Stop reading output (a process outside the tree may hold the pipe: it is not waited for)."""
        for fd in list(self._readers):
            self._drop(fd)


async def _until_gone(watch: _Watch, loop: asyncio.AbstractEventLoop) -> None:
    """Wait (at most KILL_GRACE_SECONDS, then once more after forcing) for the proof that every process is gone.
    A cancellation meanwhile (a second one: the first brought us here) is held until the cleanup is done, then
    re-raised."""
    cancelled = False
    for last in (False, True):
        deadline = loop.time() + KILL_GRACE_SECONDS
        while not watch.gone.done():
            try:
                await asyncio.wait_for(asyncio.shield(watch.gone), max(0.0, deadline - loop.time()))
            except asyncio.CancelledError:
                cancelled = True
            except TimeoutError:
                break
        if watch.gone.done() or last:
            break
        watch.force()
    if cancelled:
        raise asyncio.CancelledError()


def _start(launch: Launch, separate_stderr: bool) -> tuple[int, int, list[int]]:
    """Start ``launch`` through the helper: (request id, read end of its sync pipe, read ends of its outputs)."""
    if not os.path.isdir(launch.cwd):
        raise FileNotFoundError(f"No such directory: {str(launch.cwd)!r}")
    created: list[int] = []
    try:
        sync_r, sync_w = os.pipe()
        created += [sync_r, sync_w]
        out_r, out_w = os.pipe()
        created += [out_r, out_w]
        if separate_stderr:
            err_r, err_w = os.pipe()
            created += [err_r, err_w]
            reads = [out_r, err_r]
        else:
            err_w, reads = out_w, [out_r]
        ident = _HELPER.start_command(launch, [sync_w, out_w, err_w, *launch.pass_fds])
    except BaseException:
        for fd in created:
            os.close(fd)
        raise
    finally:
        for fd in launch.pass_fds:
            os.close(fd)
    for fd in set(created) - {sync_r, *reads}:
        os.close(fd)  # the helper has its own copies
    return ident, sync_r, reads


async def run_process(
    launch: Launch,
    *,
    timeout: float | None,
    head_bytes: int = 64 * 1024,
    tail_bytes: int = 64 * 1024,
    separate_stderr: bool = False,
) -> CommandResult:
    """Run one launch to its end; never raises for the command's failure.

    stdout and stderr are merged unless ``separate_stderr`` (stderr then kept, capped, in ``stderr``). On timeout
    every process is killed and ``timed_out`` set; on cancellation every process is killed and the
    CancelledError propagates. Raises OSError when the command cannot be started (no such cwd, no helper).
    """
    started = time.monotonic()
    loop = asyncio.get_running_loop()
    since = _now_ticks() if _SUBREAPER else None
    ident, sync_r, reads = _start(launch, separate_stderr)
    # From here on nothing may leave this function without the kill below: no await before the try.
    capture = CappedOutput(head_bytes, tail_bytes)
    err_capture = CappedOutput(STDERR_HEAD, STDERR_TAIL) if separate_stderr else None
    captures = [capture] + ([err_capture] if err_capture is not None else [])
    watch = _Watch(loop, ident, sync_r, list(zip(reads, captures, strict=True)))
    timed_out = False
    try:
        try:
            await asyncio.wait_for(asyncio.shield(watch.gone), timeout)
        except TimeoutError:
            timed_out = True
    finally:
        # Exit, timeout or cancellation: whatever is left of the command is killed (nothing after a clean exit:
        # the reaper cleans up before it exits).
        watch.kill()
        await _until_gone(watch, loop)
        kill_adopted_orphans(since)
    try:
        await asyncio.wait_for(asyncio.shield(watch.drained), PIPE_DRAIN_SECONDS)
    except TimeoutError:
        pass
    watch.close()
    returncode = watch.returncode
    if returncode is None:  # the helper died before it could report: the command was killed with it
        returncode = -signal.SIGKILL
    output, leftover = capture.text(), _reported_leftovers(bytes(watch.sync_data))
    if launch.marker is not None:
        output, leftover = _take_marker(output, launch.marker)
    return CommandResult(
        command=launch.display,
        exit_code=None if timed_out else _exit_code(returncode),
        output=output,
        stderr=err_capture.text() if err_capture is not None else "",
        duration_ms=int((time.monotonic() - started) * 1000),
        timed_out=timed_out,
        output_bytes=capture.total,
        leftover_processes=None if timed_out else leftover,
    )


def _reported_leftovers(data: bytes) -> int | None:
    match = re.search(rb"L(\d+)\n", data)
    return int(match[1]) if match else None


def _take_marker(output: str, marker: str) -> tuple[str, int | None]:
    """The output without its last ``<marker> <count>`` line, and the count. (String operations: the marker is
    new for each command, and a regular expression made of it would be compiled each time.)"""
    at = output.rfind(marker)
    if at < 0:
        return output, None
    digits_at = at + len(marker) + 1
    if output[digits_at - 1 : digits_at] != " ":
        return output, None
    end = digits_at
    while end < len(output) and output[end].isdecimal():
        end += 1
    if end == digits_at:
        return output, None
    count = int(output[digits_at:end])
    if output[end : end + 1] == "\n":
        end += 1
    start = at - 1 if at > 0 and output[at - 1] == "\n" else at
    return output[:start] + output[end:], count


def run_launch_sync(launch: Launch, *, timeout: float) -> tuple[int, str]:
    """Run a launch to its end without an event loop nor the helper, under a reaper of its own (the probe of
    bubblewrap at start-up); returns (exit code, stderr)."""
    r, w = os.pipe()
    try:
        done = subprocess.run(
            reaper_argv(w, launch),
            env=launch.env,
            cwd=launch.cwd,
            capture_output=True,
            timeout=timeout,
            pass_fds=(w, *launch.pass_fds),
            umask=launch.umask,
            check=False,
        )
    finally:
        for fd in (r, w, *launch.pass_fds):
            os.close(fd)
    return done.returncode, done.stderr.decode("utf-8", "replace")


def _exit_code(returncode: int | None) -> int | None:
    if returncode is None:
        return None
    return 128 - returncode if returncode < 0 else returncode  # killed by a signal: as a shell reports it


async def run_command(
    command: str | list[str],
    cwd: Path,
    *,
    timeout: float | None,
    head_bytes: int = 64 * 1024,
    tail_bytes: int = 64 * 1024,
    env: dict[str, str] | None = None,
    separate_stderr: bool = False,
    limits: Limits = Limits(),
) -> CommandResult:
    """Run ``command`` in ``cwd`` without a sandbox (zebench's reaper only): for zebench's own tools, not for
    anything an agent or a scenario wrote (those go through zebench.sandbox.Sandbox.run).

    A string runs with /bin/sh, a list is executed directly.
    """
    argv = ["/bin/sh", "-c", command] if isinstance(command, str) else list(command)
    nproc = nproc_limit(limits, None)
    launch = Launch(
        command=argv,
        env=env if env is not None else safe_env(),
        limits=limits,
        nproc=nproc,
        cwd=cwd,
        display=command if isinstance(command, str) else shlex.join(command),
    )
    return await run_process(
        launch, timeout=timeout, head_bytes=head_bytes, tail_bytes=tail_bytes, separate_stderr=separate_stderr
    )


# --------------------------------------------------------------------------------------------------------------
# A long-lived command with pipes (an MCP server over stdio)
# --------------------------------------------------------------------------------------------------------------

#: Longest line a service may write on stdout (an MCP message is one line of JSON).
SERVICE_LINE_LIMIT = 16 * 1024 * 1024
#: stderr of a service kept for messages (the last part says why it died).
SERVICE_STDERR_HEAD = 4 * 1024
SERVICE_STDERR_TAIL = 16 * 1024


class Service:
    """A command that runs alongside a run and talks over its stdin and stdout (``start_service``).

    Started by zebench's process helper like every command (and, from zebench.sandbox, inside bubblewrap), so that
    ``stop`` leaves nothing of it, and a zebench killed with SIGKILL takes it along (the helper's clean-up,
    bubblewrap's ``--die-with-parent``). ``stdout`` is an asyncio StreamReader of the command's output, ``write``
    sends to its stdin, ``stderr`` keeps the head and tail of its error output.
    """

    def __init__(
        self,
        watch: _Watch,
        stdout: asyncio.StreamReader,
        stdout_transport: asyncio.ReadTransport,
        stdin: asyncio.StreamWriter,
        stderr: CappedOutput,
        display: str,
    ):
        self._watch, self.stdout, self._stdin, self.stderr = watch, stdout, stdin, stderr
        self._stdout_transport = stdout_transport
        self.display = display
        self.started = time.monotonic()

    @property
    def exited(self) -> bool:
        """Whether the command has exited."""
        return self._watch.exited.done()

    @property
    def exit_code(self) -> int | None:
        return _exit_code(self._watch.returncode) if self.exited else None

    async def write(self, data: bytes) -> None:
        """Send ``data`` to the command's stdin (BrokenPipeError/ConnectionResetError once it has gone)."""
        self._stdin.write(data)
        await self._stdin.drain()

    async def wait_ended(self, timeout: float) -> bool:
        """Wait at most ``timeout`` seconds for the command to exit and its stderr to be read to the end; returns
        whether it has exited."""
        try:
            await asyncio.wait_for(asyncio.shield(self._watch.exited), timeout)
            await asyncio.wait_for(asyncio.shield(self._watch.drained), timeout)
        except TimeoutError:
            pass
        return self.exited

    async def stop(self, grace: float = 2.0) -> CommandResult:
        """Close its stdin, give it ``grace`` seconds to exit on its own, then kill everything that is left; returns
        when no process of it remains (a second cancellation meanwhile is held until then, then re-raised)."""
        loop = asyncio.get_running_loop()
        try:
            self._stdin.close()
        except (OSError, RuntimeError):
            pass
        try:
            try:
                await asyncio.wait_for(asyncio.shield(self._watch.exited), grace)
            except TimeoutError:
                pass
        finally:
            self._watch.kill()
            await _until_gone(self._watch, loop)
        try:
            await asyncio.wait_for(asyncio.shield(self._watch.drained), PIPE_DRAIN_SECONDS)
        except TimeoutError:
            pass
        self._stdout_transport.close()
        self._watch.close()
        return CommandResult(
            command=self.display,
            exit_code=self.exit_code,
            output="",
            stderr=self.stderr.text(),
            duration_ms=int((time.monotonic() - self.started) * 1000),
        )

    def kill_now(self) -> None:
        """Ask the helper to kill the command at once (no waiting: for cleanup paths that cannot await)."""
        self._watch.kill()


async def start_service(launch: Launch) -> Service:
    """Start ``launch`` as a long-lived service with pipes to its stdin and stdout (see ``Service``).

    Raises OSError when it cannot be started. Whatever fails between the start and the return kills it."""
    loop = asyncio.get_running_loop()
    if not os.path.isdir(launch.cwd):
        raise FileNotFoundError(f"No such directory: {str(launch.cwd)!r}")
    created: list[int] = []
    try:
        for _ in range(4):
            created += os.pipe()
        sync_r, sync_w, out_r, out_w, err_r, err_w, in_r, in_w = created
        ident = _HELPER.start_command(launch, [sync_w, out_w, err_w, in_r, *launch.pass_fds], stdin=True)
    except BaseException:
        for fd in created:
            os.close(fd)
        raise
    finally:
        for fd in launch.pass_fds:
            os.close(fd)
    for fd in (sync_w, out_w, err_w, in_r):
        os.close(fd)  # the helper has its own copies
    stderr = CappedOutput(SERVICE_STDERR_HEAD, SERVICE_STDERR_TAIL)
    # stdout is read by the StreamReader below, not by the watch: only stderr is captured there.
    watch = _Watch(loop, ident, sync_r, [(err_r, stderr)])
    stdout_file, stdin_file = os.fdopen(out_r, "rb", buffering=0), os.fdopen(in_w, "wb", buffering=0)
    try:
        reader = asyncio.StreamReader(limit=SERVICE_LINE_LIMIT, loop=loop)
        read_transport, _ = await loop.connect_read_pipe(
            lambda: asyncio.StreamReaderProtocol(reader, loop=loop), stdout_file
        )
        transport, protocol = await loop.connect_write_pipe(
            lambda: asyncio.streams.FlowControlMixin(loop=loop), stdin_file
        )
        writer = asyncio.StreamWriter(transport, protocol, None, loop)
    except BaseException:
        watch.kill()
        watch.force()
        raise
    return Service(watch, reader, read_transport, writer, stderr, launch.display)
