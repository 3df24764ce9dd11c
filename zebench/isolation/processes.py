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

import asyncio
import os
import re
import shlex
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

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


def python_bin_dir() -> str:
    return str(Path(sys.executable).parent)


def safe_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    """The base environment of a command: an allow-list, never zebench's whole environment.

    PATH with this Python's directory first (so ``python`` in scenario commands means the interpreter that runs
    zebench, with its dependencies), LANG, LC_*, TZ, TERM, CI, and the PYTHON* variables zebench sets.
    ``extra`` adds variables, except names that look like secrets (use a sandbox Policy for a deliberate one).
    HOME and TMPDIR are the sandbox's (zebench.sandbox.Sandbox.env).
    """
    env = {k: v for k, v in os.environ.items() if k in PASSED_ENV or k.startswith("LC_")}
    bin_dir = python_bin_dir()
    env["PATH"] = os.pathsep.join(
        [bin_dir] + [p for p in os.environ.get("PATH", os.defpath).split(os.pathsep) if p and p != bin_dir]
    )
    env.update(PYTHON_ENV)
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
    """How to start one command: built by zebench.sandbox, run by ``run_process``."""

    #: The argv to execute (zebench's reaper), given the number of the sync fd it must hold until the command is
    #: gone (``reaper_argv``).
    argv: Callable[[int], list[str]]
    env: dict[str, str]
    cwd: Path
    #: Readable fds the command reads at start (bubblewrap's --ro-bind-data); closed here after the spawn.
    pass_fds: list[int] = field(default_factory=list)
    #: umask of the command (the shared group of sandbox users needs 002).
    umask: int = -1
    #: What the command is, for the result and messages.
    display: str = ""
    #: A line ``<marker> <count>`` the command prints last (zebench.sandbox's count of processes left inside a
    #: PID namespace): taken out of the output into ``CommandResult.leftover_processes``.
    marker: str | None = None


def reaper_argv(sync_fd: int, argv: list[str], *, limits: Limits, nproc: int | None) -> list[str]:
    """The argv of zebench's reaper around ``argv`` (the command, or bubblewrap running it)."""
    out = [REAPER_PYTHON, "-I", "-S", str(REAPER), "--sync-fd", str(sync_fd)]
    for flag, value in (("--nproc", nproc), ("--data", limits.memory_bytes), ("--fsize", limits.file_size_bytes)):
        if value is not None:
            out += [flag, str(value)]
    return out + ["--", *argv]


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
# Running a command
# --------------------------------------------------------------------------------------------------------------


class _Watch:
    """Event-loop callbacks of one started command: exit (pidfd), the sync pipe, stdout and stderr."""

    def __init__(
        self,
        loop: asyncio.AbstractEventLoop,
        proc: subprocess.Popen[bytes],
        sync_fd: int,
        out: CappedOutput | None,
        err: CappedOutput | None,
    ):
        self.loop, self.proc = loop, proc
        self.exited: asyncio.Future[None] = loop.create_future()
        self.gone: asyncio.Future[None] = loop.create_future()  # sync pipe closed: no process left
        self.drained: asyncio.Future[None] = loop.create_future()
        self.sync_data = bytearray()  # what the reaper reported (L<processes left>)
        self._readers: dict[int, Callable[[], None]] = {}
        self._open_outputs = 0
        self._pidfd: int | None = None
        self._add(sync_fd, lambda: self._on_sync(sync_fd))
        for stream, into in ((proc.stdout, out), (proc.stderr, err)):
            if stream is not None and into is not None:
                fd = stream.fileno()
                os.set_blocking(fd, False)
                self._open_outputs += 1
                self._add(fd, lambda fd=fd, into=into: self._on_output(fd, into))  # type: ignore[misc]
        if not self._open_outputs:
            self.drained.set_result(None)
        try:
            self._pidfd = os.pidfd_open(proc.pid)
        except (AttributeError, OSError):  # no pidfd (old kernel, not Linux): a thread waits instead
            loop.run_in_executor(None, proc.wait).add_done_callback(lambda _: self._mark_exited())
        else:
            self._add(self._pidfd, self._on_exit)

    def _add(self, fd: int, callback: Callable[[], None]) -> None:
        self._readers[fd] = callback
        self.loop.add_reader(fd, callback)

    def _drop(self, fd: int, close: bool = True) -> None:
        if self._readers.pop(fd, None) is not None:
            self.loop.remove_reader(fd)
        if close:
            try:
                os.close(fd)
            except OSError:
                pass

    def _on_exit(self) -> None:
        # The wrapper exited but is not reaped yet: its pid (and process group) cannot be reused meanwhile.
        assert self._pidfd is not None
        self._drop(self._pidfd)
        self._pidfd = None
        self._mark_exited()

    def _mark_exited(self) -> None:
        if not self.exited.done():
            self.exited.set_result(None)
        self._maybe_reap()

    def _on_sync(self, fd: int) -> None:
        try:
            data = os.read(fd, 64)
        except BlockingIOError:
            return
        except OSError:
            data = b""
        if data and len(self.sync_data) < 256:
            self.sync_data += data
        if not data:
            self._drop(fd)
            if not self.gone.done():
                self.gone.set_result(None)
            self._maybe_reap()

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
        self._drop(fd, close=False)  # the Popen file object closes it
        self._open_outputs -= 1
        if self._open_outputs == 0 and not self.drained.done():
            self.drained.set_result(None)

    def _maybe_reap(self) -> None:
        if self.exited.done() and self.gone.done() and self.proc.returncode is None:
            self.proc.poll()  # reaps; Popen keeps the status
            _SPAWNED.discard(self.proc.pid)

    def kill(self) -> None:
        """Ask the reaper to kill everything below it (a plain syscall); nothing to do once it has exited."""
        if self.exited.done() or self.proc.returncode is not None:
            return  # it exited after its cleanup (or was killed: the fallback below the caller handles that)
        try:
            os.kill(self.proc.pid, signal.SIGTERM)
        except (ProcessLookupError, PermissionError):
            pass

    def force(self) -> None:
        """Last resort when the wrapper does not finish its cleanup: SIGKILL it and its group."""
        if self.proc.returncode is None:
            sigkill(self.proc.pid)

    def close(self) -> None:
        """Stop reading output (a process outside the tree may hold the pipe: it is not waited for)."""
        for stream in (self.proc.stdout, self.proc.stderr):
            if stream is not None:
                fd = stream.fileno() if not stream.closed else -1
                if fd in self._readers:
                    self._drop(fd, close=False)
                stream.close()


async def _until_gone(watch: _Watch, loop: asyncio.AbstractEventLoop) -> None:
    """Wait (at most KILL_GRACE_SECONDS) for the proof that every process is gone. A cancellation meanwhile (a
    second one: the first brought us here) is held until the cleanup is done, then re-raised."""
    deadline = loop.time() + KILL_GRACE_SECONDS
    cancelled = False
    while not watch.gone.done():
        try:
            await asyncio.wait_for(asyncio.shield(watch.gone), max(0.0, deadline - loop.time()))
        except asyncio.CancelledError:
            cancelled = True
        except TimeoutError:
            watch.force()
            break
    if cancelled:
        raise asyncio.CancelledError()


def _spawn(launch: Launch, sync_w: int, separate_stderr: bool) -> subprocess.Popen[bytes]:
    argv = launch.argv(sync_w)
    proc = subprocess.Popen(
        argv,
        cwd=launch.cwd,
        env=launch.env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE if separate_stderr else subprocess.STDOUT,
        start_new_session=True,
        pass_fds=(sync_w, *launch.pass_fds),
        umask=launch.umask,
    )
    _SPAWNED.add(proc.pid)
    return proc


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
    CancelledError propagates. Raises OSError when the wrapper itself cannot be started.
    """
    started = time.monotonic()
    loop = asyncio.get_running_loop()
    sync_r, sync_w = os.pipe()
    try:
        proc = _spawn(launch, sync_w, separate_stderr)
    except BaseException:
        os.close(sync_r)
        raise
    finally:
        for fd in (sync_w, *launch.pass_fds):
            os.close(fd)
    # From here on nothing may leave this function without the kill below: no await before the try.
    since = _start_ticks(proc.pid) if _SUBREAPER else None
    capture = CappedOutput(head_bytes, tail_bytes)
    err_capture = CappedOutput(STDERR_HEAD, STDERR_TAIL) if separate_stderr else None
    watch = _Watch(loop, proc, sync_r, capture, err_capture)
    timed_out = False
    try:
        try:
            await asyncio.wait_for(asyncio.shield(watch.exited), timeout)
        except TimeoutError:
            timed_out = True
    finally:
        # Exit, timeout or cancellation: whatever is left of the command is killed (nothing after a clean exit:
        # both wrappers clean up before they exit; this catches a wrapper that was itself killed).
        watch.kill()
        await _until_gone(watch, loop)
        kill_adopted_orphans(since)
    await asyncio.shield(watch.exited)
    try:
        await asyncio.wait_for(asyncio.shield(watch.drained), PIPE_DRAIN_SECONDS)
    except TimeoutError:
        pass
    watch.close()
    returncode = proc.returncode if proc.returncode is not None else proc.poll()
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
    """The output without its last ``<marker> <count>`` line, and the count."""
    at = output.rfind(marker)
    if at < 0:
        return output, None
    match = re.match(rf"{re.escape(marker)} (\d+)\n?", output[at:])
    if match is None:
        return output, None
    start = at - 1 if at > 0 and output[at - 1] == "\n" else at
    return output[:start] + output[at + match.end() :], int(match[1])


def run_launch_sync(launch: Launch, *, timeout: float) -> tuple[int, str]:
    """Run a launch to its end without an event loop (a probe at start-up); returns (exit code, stderr)."""
    r, w = os.pipe()
    try:
        done = subprocess.run(
            launch.argv(w),
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
        argv=lambda fd: reaper_argv(fd, argv, limits=limits, nproc=nproc),
        env=env if env is not None else safe_env(),
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

    Started under zebench's reaper like every command (and, from zebench.sandbox, inside bubblewrap), so that
    ``stop`` leaves nothing of it, and a zebench killed with SIGKILL takes it along (the reaper's parent-death
    signal, bubblewrap's ``--die-with-parent``). ``stdout`` is an asyncio StreamReader of the command's output,
    ``write`` sends to its stdin, ``stderr`` keeps the head and tail of its error output.
    """

    def __init__(
        self,
        watch: _Watch,
        proc: subprocess.Popen[bytes],
        stdout: asyncio.StreamReader,
        stdout_transport: asyncio.ReadTransport,
        stdin: asyncio.StreamWriter,
        stderr: CappedOutput,
        display: str,
    ):
        self._watch, self.proc, self.stdout, self._stdin, self.stderr = watch, proc, stdout, stdin, stderr
        self._stdout_transport = stdout_transport
        self.display = display
        self.started = time.monotonic()

    @property
    def pid(self) -> int:
        return self.proc.pid

    @property
    def exited(self) -> bool:
        """Whether the command (its wrapper) has exited."""
        return self._watch.exited.done()

    @property
    def exit_code(self) -> int | None:
        return _exit_code(self.proc.returncode) if self.proc.returncode is not None else None

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
        await asyncio.shield(self._watch.exited)
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
        """Ask the reaper to kill the command at once (no waiting: for cleanup paths that cannot await)."""
        self._watch.kill()


async def start_service(launch: Launch) -> Service:
    """Start ``launch`` as a long-lived service with pipes to its stdin and stdout (see ``Service``).

    Raises OSError when it cannot be started. Whatever fails between the spawn and the return kills it."""
    loop = asyncio.get_running_loop()
    sync_r, sync_w = os.pipe()
    try:
        argv = launch.argv(sync_w)
        proc = subprocess.Popen(
            argv,
            cwd=launch.cwd,
            env=launch.env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            start_new_session=True,
            pass_fds=(sync_w, *launch.pass_fds),
            umask=launch.umask,
        )
        _SPAWNED.add(proc.pid)
    except BaseException:
        os.close(sync_r)
        raise
    finally:
        for fd in (sync_w, *launch.pass_fds):
            os.close(fd)
    stderr = CappedOutput(SERVICE_STDERR_HEAD, SERVICE_STDERR_TAIL)
    # stdout is read by the StreamReader below, not by the watch: only stderr is captured there.
    watch = _Watch(loop, proc, sync_r, None, stderr)
    try:
        assert proc.stdout is not None and proc.stdin is not None
        reader = asyncio.StreamReader(limit=SERVICE_LINE_LIMIT, loop=loop)
        read_transport, _ = await loop.connect_read_pipe(
            lambda: asyncio.StreamReaderProtocol(reader, loop=loop), proc.stdout
        )
        transport, protocol = await loop.connect_write_pipe(
            lambda: asyncio.streams.FlowControlMixin(loop=loop), proc.stdin
        )
        writer = asyncio.StreamWriter(transport, protocol, None, loop)
    except BaseException:
        watch.kill()
        watch.force()
        raise
    return Service(watch, proc, reader, read_transport, writer, stderr, launch.display)
