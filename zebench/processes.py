"""Async subprocesses for agent commands and validation: own process group, time limit, output cap, clean env.

Every command runs in a new session (so in its own process group). When it finishes, times out, or the awaiting
task is cancelled (the scenario timeout), the whole group is killed, so nothing it started is left behind.
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
from dataclasses import dataclass
from pathlib import Path
from typing import Any

#: Environment variable names that may hold credentials; removed from every command's environment.
SECRET_NAME_RE = re.compile(r"(KEY|TOKEN|SECRET|PASSWORD|PASSWD|CREDENTIAL|AUTH|COOKIE|SESSION)", re.IGNORECASE)


def safe_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    """The parent's environment minus anything that looks like a secret, with this Python first on PATH.

    Putting the harness's interpreter first on PATH makes ``python`` in scenario commands mean the interpreter that
    runs zebench (with its dependencies), whether or not a virtualenv is activated.
    """
    env = {k: v for k, v in os.environ.items() if not SECRET_NAME_RE.search(k)}
    bin_dir = str(Path(sys.executable).parent)
    env["PATH"] = os.pathsep.join([bin_dir] + [p for p in env.get("PATH", "").split(os.pathsep) if p and p != bin_dir])
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    env.setdefault("PYTHONIOENCODING", "utf-8")
    if extra:
        env.update({k: v for k, v in extra.items() if not SECRET_NAME_RE.search(k)})
    return env


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


#: stderr kept when it is captured separately.
STDERR_HEAD = 16 * 1024
STDERR_TAIL = 16 * 1024
#: How long to keep reading output after the command's process group is gone.
PIPE_DRAIN_SECONDS = 2.0


class _ExitAwareProtocol(asyncio.subprocess.SubprocessStreamProtocol):
    """Resolves ``exited`` when the process exits, whether or not its output pipe is still open."""

    def __init__(self, exited: "asyncio.Future[None]", loop: asyncio.AbstractEventLoop):
        super().__init__(limit=2**16, loop=loop)
        self._exited = exited

    def process_exited(self) -> None:
        super().process_exited()
        if not self._exited.done():
            self._exited.set_result(None)


def kill_group(pid: int) -> None:
    try:
        os.killpg(pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


async def run_command(
    command: str | list[str],
    cwd: Path,
    *,
    timeout: float | None,
    head_bytes: int = 64 * 1024,
    tail_bytes: int = 64 * 1024,
    env: dict[str, str] | None = None,
    separate_stderr: bool = False,
) -> CommandResult:
    """Run ``command`` in ``cwd``; never raises for the command's failure.

    A string runs with /bin/sh, a list is executed directly. stdout and stderr are merged unless
    ``separate_stderr`` (then stderr is kept, capped, in ``CommandResult.stderr``). On timeout the group is
    killed and ``timed_out`` set. On cancellation the group is killed and the CancelledError propagates.
    """
    started = time.monotonic()
    loop = asyncio.get_running_loop()
    exited: asyncio.Future[None] = loop.create_future()
    spawn_options: dict[str, Any] = dict(
        cwd=cwd,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE if separate_stderr else subprocess.STDOUT,
        env=env if env is not None else safe_env(),
        start_new_session=True,
    )
    factory = lambda: _ExitAwareProtocol(exited, loop)  # noqa: E731
    if isinstance(command, str):
        transport, protocol = await loop.subprocess_shell(factory, command, **spawn_options)
    else:
        transport, protocol = await loop.subprocess_exec(factory, *command, **spawn_options)
    proc = asyncio.subprocess.Process(transport, protocol, loop)
    capture = CappedOutput(head_bytes, tail_bytes)
    err_capture = CappedOutput(STDERR_HEAD, STDERR_TAIL)

    async def pump_stream(stream: asyncio.StreamReader | None, into: CappedOutput) -> None:
        if stream is not None:
            while chunk := await stream.read(65536):
                into.feed(chunk)

    pump_task = asyncio.ensure_future(
        asyncio.gather(pump_stream(proc.stdout, capture), pump_stream(proc.stderr, err_capture))
    )
    # A cancelled gather ends with a CancelledError "exception" that asyncio logs unless someone retrieves it.
    pump_task.add_done_callback(lambda f: f.cancelled() or f.exception())
    timed_out = False
    try:
        # Not proc.wait(): asyncio resolves that only once every holder of the output pipe has closed it, and a
        # background child (``sleep 1000 &``) would keep it open long after the command itself exited.
        await asyncio.wait_for(asyncio.shield(exited), timeout)
    except TimeoutError:
        timed_out = True
    except BaseException:  # cancelled (scenario timeout, Ctrl-C): leave nothing running, then propagate
        kill_group(proc.pid)
        pump_task.cancel()
        transport.close()
        if proc.returncode is None:
            await asyncio.shield(exited)
        raise
    # Kill whatever is left in the group: the command itself on timeout, and always any background children,
    # which would otherwise hold the output pipe open and outlive the run.
    kill_group(proc.pid)
    await exited
    # Drain what is still in the pipe. A process that escaped the group (setsid) may hold it open: bounded wait.
    try:
        await asyncio.wait_for(pump_task, PIPE_DRAIN_SECONDS)
    except TimeoutError:
        pass
    transport.close()
    return CommandResult(
        command=command if isinstance(command, str) else shlex.join(command),
        exit_code=None if timed_out else proc.returncode,
        output=capture.text(),
        stderr=err_capture.text(),
        duration_ms=int((time.monotonic() - started) * 1000),
        timed_out=timed_out,
        output_bytes=capture.total,
    )
