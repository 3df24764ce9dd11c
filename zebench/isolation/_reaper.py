"""Runs one command and leaves nothing of it behind: the process wrapper of ``--sandbox none``.

Started by zebench.processes as ``python -I -S _reaper.py --sync-fd N [--nproc N] [--data N] [--fsize N] -- ARGV``
(standard library only, no site import: it starts in a few milliseconds). It makes itself a child subreaper
(PR_SET_CHILD_SUBREAPER), so every process the command starts and orphans, including ``setsid``/``nohup``/
``os.setpgid`` children, is re-parented to it instead of init. When the command exits, or when zebench sends
SIGTERM (timeout, cancellation), it kills every process left below it, reaps them, and only then exits and closes
the ``--sync-fd`` pipe: zebench takes that end-of-file as the proof that the whole tree is gone. Before that it
writes ``L<count>`` to the pipe: how many processes the command left running when it exited.

Resource limits are set in the command's process before exec (soft and hard, so the command cannot raise them).
With bubblewrap the PID namespace does this job instead (zebench.sandbox); this file is the fallback.
"""

from __future__ import annotations

import _signal as signal  # type: ignore[import-not-found]  # C module: ``signal`` imports enum (10 ms)
import os
import sys

PR_SET_PDEATHSIG = 1
PR_SET_CHILD_SUBREAPER = 36
LIMITS = {"--nproc": "RLIMIT_NPROC", "--data": "RLIMIT_DATA", "--fsize": "RLIMIT_FSIZE"}


class Stop(Exception):
    """Raised by the signal handler: zebench asked for the command to end."""


def _prctl(option: int, value: int) -> bool:
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        return bool(libc.prctl(option, value, 0, 0, 0) == 0)
    except (OSError, AttributeError):  # not Linux: process groups are all there is
        return False


def _children() -> list[int]:
    pid = os.getpid()
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as fh:
            return [int(p) for p in fh.read().split()]
    except OSError:
        pass
    found = []  # no CONFIG_PROC_CHILDREN: scan /proc for our children
    for name in os.listdir("/proc") if os.path.isdir("/proc") else ():
        if name.isdigit():
            try:
                with open(f"/proc/{name}/stat") as fh:
                    stat = fh.read()
            except OSError:
                continue
            if int(stat[stat.rindex(")") + 2 :].split()[1]) == pid:
                found.append(int(name))
    return found


def _kill_all(first: int | None) -> None:
    """SIGKILL every descendant and reap until none is left (killed processes' children come to us)."""
    if first is not None:
        for kill in (os.killpg, os.kill):
            try:
                kill(first, signal.SIGKILL)
            except OSError:
                pass
    while True:
        for pid in _children():
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
        try:
            os.waitpid(-1, 0)
        except ChildProcessError:
            return
        except InterruptedError:
            continue


def _status(code: int) -> int:
    if os.WIFSIGNALED(code):
        return 128 + os.WTERMSIG(code)
    return os.WEXITSTATUS(code)


def main(args: list[str]) -> int:
    sync_fd = None
    limits: list[tuple[str, int]] = []
    while args and args[0] != "--":
        flag, value = args[0], args[1]
        args = args[2:]
        if flag == "--sync-fd":
            sync_fd = int(value)
        elif flag in LIMITS:
            limits.append((LIMITS[flag], int(value)))
        else:
            print(f"_reaper: unknown option {flag}", file=sys.stderr)
            return 126
    argv = args[1:]
    if sync_fd is not None:
        os.set_inheritable(sync_fd, False)  # held by this process only, never by the command
    parent = os.getppid()
    _prctl(PR_SET_CHILD_SUBREAPER, 1)
    _prctl(PR_SET_PDEATHSIG, signal.SIGTERM)  # zebench died: clean up as if asked to

    armed = [True]

    def stop(signum: int, frame: object) -> None:
        if armed[0]:  # raise at most once, and only inside the try below
            armed[0] = False
            raise Stop()

    for signum in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(signum, stop)
    child: int | None = None
    code = 0
    try:
        if os.getppid() != parent:
            raise Stop()
        child = os.fork()
        if child == 0:
            try:
                os.setsid()  # its own session and group, as before: a terminal-less command
                # Python ignores SIGPIPE and SIGXFSZ; a command must not inherit that (exec keeps ignored signals).
                for signum in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP, signal.SIGPIPE, signal.SIGXFSZ):
                    signal.signal(signum, signal.SIG_DFL)
                import resource

                for name, wanted in limits:
                    which = getattr(resource, name)
                    hard = resource.getrlimit(which)[1]
                    cap = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
                    resource.setrlimit(which, (cap, cap))
                os.execvp(argv[0], argv)
            except BaseException as exc:  # report and leave the forked child at once
                os.write(2, f"cannot run {argv[0]!r}: {exc}\n".encode())
                os._exit(127)
        while True:  # reap orphans that come to us while the command runs
            try:
                pid, status = os.waitpid(-1, 0)
            except ChildProcessError:
                break
            if pid == child:
                code = _status(status)
                break
        armed[0] = False
        if sync_fd is not None:  # what the command left running (orphans are our children now): zebench flags it
            try:
                os.write(sync_fd, b"L%d\n" % len(_children()))
            except OSError:
                pass
    except Stop:
        code = 128 + signal.SIGTERM
    _kill_all(child)
    return code


if __name__ == "__main__":
    status = main(sys.argv[1:])
    sys.stderr.flush()
    os._exit(status)  # skip the interpreter's teardown: nothing left to clean up, and it costs milliseconds
