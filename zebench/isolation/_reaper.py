"""Runs commands and leaves nothing of them behind: zebench's process wrapper, as a long-lived helper.

Started once per zebench process by zebench.processes as ``python -I -S _reaper.py --serve FD PARENT`` (standard
library only, no site import). The helper makes itself a child subreaper and dies with zebench
(PR_SET_PDEATHSIG). For each command zebench sends it (on the Unix socket FD: a length-prefixed JSON request, the
command's pipes passed with SCM_RIGHTS) it forks a *reaper*: a copy of itself, already initialised, so a
command costs two forks instead of an interpreter's start. The reaper makes itself a child subreaper too, so
every process the command starts and orphans, including ``setsid``/``nohup``/``os.setpgid`` children, is
re-parented to it instead of init. When the command exits, or when zebench asks (time limit, cancellation: the
helper sends the reaper SIGTERM), it kills every process left below it, reaps them, and only then exits.

The "sync" pipe of a command is held by its reaper and by the helper: the helper writes ``X<status>`` (the
reaper's exit status, as ``subprocess`` reports it) and closes its end only once it has reaped the reaper and
killed whatever a killed reaper left (those orphans come to the helper, a subreaper). zebench takes the pipe's
end-of-file as the proof that the whole tree is gone. If the helper dies, every reaper gets SIGTERM
(PR_SET_PDEATHSIG) and cleans up as if asked to. A reaper also writes ``L<count>`` to the pipe when the command
exits: how many processes it left running (zebench flags it).

Resource limits are set in the command's process before exec (soft and hard, so the command cannot raise them).
With bubblewrap the command is bubblewrap, whose PID namespace does the reaper's job inside; the reaper still
waits until the namespace's init is gone, which the kernel allows only once every process in it is dead.

``python -I -S _reaper.py --sync-fd N [--nproc N] [--data N] [--fsize N] -- ARGV`` runs one command the same way
without the helper (zebench's probe of bubblewrap at start-up).
"""

from __future__ import annotations

import _signal as signal  # type: ignore[import-not-found]  # C module: ``signal`` imports enum (10 ms)
import fcntl
import json
import os
import resource
import sys

PR_SET_PDEATHSIG = 1
PR_SET_CHILD_SUBREAPER = 36
CLONE_NEWNS = 0x20000
MS_REC = 16384
MS_SLAVE = 1 << 19
MNT_DETACH = 2
LIMITS = {"--nproc": "RLIMIT_NPROC", "--data": "RLIMIT_DATA", "--fsize": "RLIMIT_FSIZE"}
#: Largest request (argv and environment of one command) the helper accepts.
MAX_REQUEST = 64 * 1024 * 1024
#: Most fds one request passes (sync, stdout, stderr and the command's own).
MAX_FDS = 64


class Stop(Exception):
    """Raised by the signal handler: zebench asked for the command to end."""


_LIBC: list[object] = []


def _libc() -> object:
    if not _LIBC:
        import ctypes

        _LIBC.append(ctypes.CDLL(None, use_errno=True))
    return _LIBC[0]


def _prctl(option: int, value: int) -> bool:
    try:
        return bool(_libc().prctl(option, value, 0, 0, 0) == 0)  # type: ignore[attr-defined]
    except (OSError, AttributeError):  # not Linux: process groups are all there is
        return False


def _check(result: int) -> None:
    """Raise the OSError of a failed libc call."""
    if result != 0:
        import ctypes

        errno = ctypes.get_errno()
        raise OSError(errno, os.strerror(errno))


def _private_mounts() -> bool:
    """A mount namespace of our own (root only), whose mounts never reach the host's (the host's still reach
    it): the copy-on-write views of the package caches are mounted there, and vanish with this process."""
    try:
        libc = _libc()
        _check(libc.unshare(CLONE_NEWNS))  # type: ignore[attr-defined]
        _check(libc.mount(b"none", b"/", None, MS_REC | MS_SLAVE, None))  # type: ignore[attr-defined]
    except OSError:
        return False
    return True


SYS_OPEN_TREE, SYS_MOVE_MOUNT, SYS_MOUNT_SETATTR = 428, 429, 442  # the same numbers on x86_64 and aarch64
OPEN_TREE_CLONE, AT_EMPTY_PATH, AT_FDCWD, MOVE_MOUNT_F_EMPTY_PATH = 1, 0x1000, -100, 0x4
MOUNT_ATTR_RDONLY, MOUNT_ATTR_IDMAP = 0x1, 0x100000
CLONE_NEWUSER = 0x10000000


def _owner_namespace(uid: int, gid: int) -> int:
    """An fd of a user namespace mapping uid 0 to ``uid`` and gid ``gid`` to itself: mounted with it, the layers
    (owned by root, group ``gid``) show as owned by the run's user, who may then chmod them too (the change is
    copied up into the run's own folder like any other)."""
    ready_r, ready_w = os.pipe()
    go_r, go_w = os.pipe()
    child = os.fork()
    if child == 0:
        try:
            os.close(go_w)
            _check(_libc().unshare(CLONE_NEWUSER))  # type: ignore[attr-defined]
            os.write(ready_w, b"x")
            os.read(go_r, 1)  # until the helper has the namespace (it closes its end)
        finally:
            os._exit(0)
    os.close(ready_w)
    os.close(go_r)
    try:
        if os.read(ready_r, 1) != b"x":
            raise OSError(1, "cannot make a user namespace")
        for name, line in (("uid_map", f"0 {uid} 1\n"), ("gid_map", f"{gid} {gid} 1\n")):
            with open(f"/proc/{child}/{name}", "w") as fh:
                fh.write(line)
        return os.open(f"/proc/{child}/ns/user", os.O_RDONLY | os.O_CLOEXEC)
    finally:
        os.close(ready_r)
        os.close(go_w)
        os.waitpid(child, 0)


def _mount_idmapped(source: str, target: str, userns: int) -> None:
    """A read-only bind mount of ``source`` at ``target`` whose owners are seen through ``userns``."""
    import ctypes

    libc = _libc()
    fd = libc.syscall(SYS_OPEN_TREE, AT_FDCWD, source.encode(), OPEN_TREE_CLONE | os.O_CLOEXEC)  # type: ignore[attr-defined]
    if fd < 0:
        _check(-1)
    try:
        attr = (ctypes.c_uint64 * 4)(MOUNT_ATTR_IDMAP | MOUNT_ATTR_RDONLY, 0, 0, userns)
        _check(libc.syscall(SYS_MOUNT_SETATTR, fd, b"", AT_EMPTY_PATH, ctypes.byref(attr), ctypes.sizeof(attr)))  # type: ignore[attr-defined]
        _check(libc.syscall(SYS_MOVE_MOUNT, fd, b"", AT_FDCWD, target.encode(), MOVE_MOUNT_F_EMPTY_PATH))  # type: ignore[attr-defined]
    finally:
        os.close(fd)


def _lowers_folder(target: str) -> str:
    """Where the idmapped lower layers of the overlay at ``target`` are mounted (its sibling)."""
    return f"{target}-lowers"


def _mount_overlay(target: str, lowers: list[str], upper: str, work: str, owner: tuple[int, int] | None) -> None:
    """Mount an overlay at ``target``. With ``owner`` (uid, gid), each lower layer is first bind-mounted read-only
    and idmapped to that user (``_owner_namespace``), beside the target. The layers are named relative to their
    common folder (the option string has a page's room)."""
    for path in (target, upper, work, *lowers):
        if any(c in path for c in ",:\\\n"):
            raise OSError(22, f"a path overlayfs options cannot hold: {path!r}")
    if owner is not None:
        folder = _lowers_folder(target)
        os.mkdir(folder, 0o700)
        userns = _owner_namespace(*owner)
        try:
            mapped = []
            for index, lower in enumerate(lowers):
                os.mkdir(f"{folder}/{index}")
                _mount_idmapped(lower, f"{folder}/{index}", userns)
                mapped.append(f"{folder}/{index}")
        except OSError:
            _unmount_lowers(target)
            raise
        finally:
            os.close(userns)
        lowers = mapped
    common = os.path.commonpath(lowers) if len(lowers) > 1 else os.path.dirname(lowers[0])
    names = ":".join(os.path.relpath(lower, common) for lower in lowers)
    options = f"lowerdir={names},upperdir={upper},workdir={work}".encode()
    os.chdir(common)
    try:
        _check(_libc().mount(b"overlay", target.encode(), b"overlay", 0, options))  # type: ignore[attr-defined]
    except OSError:
        _unmount_lowers(target)
        raise
    finally:
        os.chdir("/")


def _unmount_lowers(target: str) -> None:
    folder = _lowers_folder(target)
    try:
        names = os.listdir(folder)
    except OSError:
        return
    for name in names:
        _libc().umount2(f"{folder}/{name}".encode(), MNT_DETACH)  # type: ignore[attr-defined]


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


class Command:
    """One command: its argv and environment, where and how it runs, and the fds it gets."""

    def __init__(
        self,
        argv: list[str],
        *,
        env: dict[str, str] | None = None,
        cwd: str | None = None,
        umask: int = -1,
        limits: list[tuple[str, int]] | None = None,
        fds: dict[int, int] | None = None,
    ):
        self.argv, self.env, self.cwd, self.umask = argv, env, cwd, umask
        self.limits = limits or []
        #: target fd number in the command -> fd holding it here (None: the command keeps this process's fds)
        self.fds = fds

    def exec(self) -> None:
        """In the forked child: its own session, default signals, the limits, the fds in place, then exec."""
        try:
            os.setsid()  # its own session and group, as before: a terminal-less command
            # Python ignores SIGPIPE and SIGXFSZ; a command must not inherit that (exec keeps ignored signals).
            for signum in (
                signal.SIGTERM,
                signal.SIGINT,
                signal.SIGHUP,
                signal.SIGPIPE,
                signal.SIGXFSZ,
                signal.SIGCHLD,
            ):
                signal.signal(signum, signal.SIG_DFL)
            if self.fds is not None:
                _place_fds(self.fds)
            if self.cwd is not None:
                os.chdir(self.cwd)
            if self.umask >= 0:
                os.umask(self.umask)
            for name, wanted in self.limits:
                which = getattr(resource, name)
                hard = resource.getrlimit(which)[1]
                cap = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
                resource.setrlimit(which, (cap, cap))
            if self.env is None:
                os.execvp(self.argv[0], self.argv)
            os.execvpe(self.argv[0], self.argv, self.env)
        except BaseException as exc:  # report and leave the forked child at once
            os.write(2, f"cannot run {self.argv[0]!r}: {exc}\n".encode())
        os._exit(127)


def _place_fds(fds: dict[int, int]) -> None:
    """Make the fds exactly ``fds`` (target -> current) plus stdin from /dev/null; close every other one."""
    top = max([*fds, *fds.values(), 2]) + 1
    moved = {target: fcntl.fcntl(source, fcntl.F_DUPFD, top) for target, source in fds.items()}
    if 0 not in fds:
        os.dup2(os.open(os.devnull, os.O_RDONLY), 0)
    for target, fd in moved.items():
        os.dup2(fd, target)  # inheritable
    _close_all_but({0, *fds})


def _close_all_but(keep: set[int]) -> None:
    low = 0
    for fd in sorted(keep):
        if fd > low:
            os.closerange(low, fd)
        low = fd + 1
    os.closerange(low, 1 << 20)


#: Signals a command starts with at their default action (Python ignores SIGPIPE and SIGXFSZ, the helper SIGINT and
#: SIGHUP; an exec keeps what is ignored).
DEFAULT_SIGNALS = ("SIGTERM", "SIGINT", "SIGHUP", "SIGPIPE", "SIGXFSZ", "SIGCHLD")


#: util-linux's prlimit: sets the limits on itself, then execs the command (a spawned process cannot run Python).
PRLIMIT = next((p for p in ("/usr/bin/prlimit", "/bin/prlimit") if os.access(p, os.X_OK)), None)
PRLIMIT_FLAGS = {"RLIMIT_NPROC": "--nproc", "RLIMIT_DATA": "--data", "RLIMIT_FSIZE": "--fsize"}


def _spawn(command: Command) -> int:
    """Start ``command`` with posix_spawn (no copy of this process: on this kind of virtual machine a fork of a
    Python process costs 5-13 ms, a spawn 1 ms): its own session, default signals, its fds in place (every other fd
    of ours is close-on-exec), the limits set by prlimit (soft and hard) before it execs the command, unless
    the command's shell sets them (zebench.isolation.sandbox.shell_limits: then bubblewrap is spawned). The cwd
    stays ``/`` and no parent-death signal is set: bubblewrap is given absolute paths and ``--chdir``, and sets
    ``--die-with-parent`` itself. Returns the pid."""
    fds = command.fds or {}
    top = max([*fds, *fds.values(), 2]) + 1
    temps = {target: top + i for i, target in enumerate(fds)}
    actions: list[tuple[object, ...]] = [(os.POSIX_SPAWN_DUP2, fds[target], temp) for target, temp in temps.items()]
    if 0 not in fds:
        actions.append((os.POSIX_SPAWN_OPEN, 0, os.devnull, os.O_RDONLY, 0))
    actions += [(os.POSIX_SPAWN_DUP2, temp, target) for target, temp in temps.items()]
    actions += [(os.POSIX_SPAWN_CLOSE, temp) for temp in temps.values()]
    argv = command.argv
    if command.limits:  # else the command's shell sets them (zebench.isolation.sandbox.shell_limits)
        assert PRLIMIT is not None
        argv = [PRLIMIT, *(f"{PRLIMIT_FLAGS[name]}={value}:{value}" for name, value in command.limits), "--", *argv]
    umask = os.umask(command.umask) if command.umask >= 0 else None
    try:
        return os.posix_spawnp(
            argv[0],
            argv,
            command.env if command.env is not None else dict(os.environ),
            file_actions=actions,
            setsid=True,
            setsigdef=[getattr(signal, name) for name in DEFAULT_SIGNALS],
        )
    finally:
        if umask is not None:
            os.umask(umask)


def reap(command: Command, sync_fd: int | None, parent: int) -> int:
    """Run ``command`` as a subreaper and kill whatever it leaves; returns its exit status (128 + signal when
    stopped). ``parent``: the process whose death stops the command (PR_SET_PDEATHSIG)."""
    _prctl(PR_SET_CHILD_SUBREAPER, 1)
    _prctl(PR_SET_PDEATHSIG, signal.SIGTERM)  # the parent died: clean up as if asked to

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
            if sync_fd is not None:
                os.close(sync_fd)  # held by the reaper only, never by the command
            command.exec()
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


def main(args: list[str]) -> int:
    if args[:1] == ["--serve"]:
        return Helper(int(args[1]), int(args[2])).serve()
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
    if sync_fd is not None:
        os.set_inheritable(sync_fd, False)
    return reap(Command(args[1:], limits=limits), sync_fd, os.getppid())


# --------------------------------------------------------------------------------------------------------------
# The helper: one per zebench process; per command a forked reaper, or bubblewrap itself
# --------------------------------------------------------------------------------------------------------------


class Helper:
    """Serves zebench's requests on a Unix stream socket: ``start`` a command, ``kill`` it, ``force`` it.

    A command of kind ``reaper`` (``--sandbox none``) runs under a reaper forked from this process (``reap``). One
    of kind ``bwrap`` is bubblewrap itself, started from a forked child that sets the limits and execs it: its
    PID namespace does the reaper's job (every process of the command is in it, and dies with its init), and
    ``--die-with-parent`` ties it to this process. When bubblewrap's monitor (our child) exits, the namespace's
    init is re-parented to us (a subreaper) and killed; the command is reported gone once that init is reaped,
    which the kernel allows only once every process of the namespace is dead.

    Every child that is not a command's monitor or reaper is an orphan of a finished one (a namespace's init, a
    bubblewrap child stopped during its set-up, what a killed reaper left): it is killed at once, and a command
    is reported gone (``X<status>`` on its sync pipe, then the helper's end closed) once the orphans present when
    it ended are reaped.
    """

    def __init__(self, sock_fd: int, parent: int):
        self.sock_fd, self.parent = sock_fd, parent
        #: pid of a command's reaper or bubblewrap monitor -> (request id, kind, the helper's end of its sync pipe)
        self.primaries: dict[int, tuple[int, str, int]] = {}
        self.by_id: dict[int, int] = {}
        #: ended commands waiting for orphans: (pids still to reap, sync fd, status)
        self.pending: list[tuple[set[int], int, int]] = []
        self.mounts = False

    def serve(self) -> int:
        _prctl(PR_SET_PDEATHSIG, signal.SIGTERM)  # zebench died: stop every command, then exit
        if os.getppid() != self.parent:
            return 0
        _prctl(PR_SET_CHILD_SUBREAPER, 1)  # orphans of ended commands come here and are killed
        os.chdir("/")
        self.mounts = os.geteuid() == 0 and _private_mounts()
        armed = [True]

        def stop(signum: int, frame: object) -> None:
            if armed[0]:
                armed[0] = False
                raise Stop()

        signal.signal(signal.SIGTERM, stop)
        try:
            self.loop()
        except Stop:
            pass
        armed[0] = False
        self.shutdown()
        return 0

    def shutdown(self) -> None:
        """zebench is gone (or closed the socket): kill every command and everything re-parented to us, as a
        reaper does (a bubblewrap child still in its set-up has no parent-death signal of its own yet)."""
        for pid in self.primaries:
            _signal(os.kill, pid, signal.SIGKILL)
            _signal(os.killpg, pid, signal.SIGKILL)
        _kill_all(None)

    def loop(self) -> None:
        """Serve requests until zebench closes the socket."""
        import select
        import socket

        sock = socket.socket(fileno=self.sock_fd)
        sock_fd = sock.fileno()
        os.set_inheritable(sock_fd, False)
        wake_r, wake_w = os.pipe()
        os.set_blocking(wake_w, False)
        signal.set_wakeup_fd(wake_w)
        signal.signal(signal.SIGCHLD, lambda signum, frame: None)  # a handler, so that the wakeup fd is written
        for signum in (signal.SIGINT, signal.SIGHUP):
            signal.signal(signum, signal.SIG_IGN)  # a terminal's ^C goes to zebench; it stops the commands itself
        buffer = bytearray()
        fds: list[int] = []
        space = socket.CMSG_SPACE(MAX_FDS * 4)
        while True:
            try:
                ready = select.select([sock_fd, wake_r], [], [])[0]
            except InterruptedError:
                continue
            if wake_r in ready:
                try:
                    os.read(wake_r, 4096)
                except BlockingIOError:
                    pass
            self.collect()
            if sock_fd not in ready:
                continue
            try:
                data, ancdata, _flags, _ = sock.recvmsg(1 << 16, space)
            except InterruptedError:
                continue
            except OSError:
                data, ancdata = b"", []
            for level, kind, payload in ancdata:
                if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
                    usable = len(payload) - len(payload) % 4
                    received = [int.from_bytes(payload[i : i + 4], sys.byteorder) for i in range(0, usable, 4)]
                    for fd in received:
                        os.set_inheritable(fd, False)  # a command gets its own fds only (placed for it)
                    fds.extend(received)
            if not data:  # zebench closed the socket: it exits, or dropped us
                return
            buffer += data
            while len(buffer) >= 4:
                size = int.from_bytes(buffer[:4], "big")
                if size > MAX_REQUEST:
                    return
                if len(buffer) < 4 + size:
                    break
                request = bytes(buffer[4 : 4 + size])
                del buffer[: 4 + size]
                self.handle(json.loads(request), fds)

    def handle(self, request: dict[str, object], fds: list[int]) -> None:
        ident = request["id"]
        assert isinstance(ident, int)
        count = request.get("nfds", 0)
        assert isinstance(count, int)
        mine, fds[:] = fds[:count], fds[count:]
        if request["op"] == "start":
            self.start(ident, request, mine)
            return
        if request["op"] in ("mount", "umount"):
            self.mount(request, mine[0])
            return
        pid = self.by_id.get(ident)
        if pid is None:  # already ended
            return
        kind = self.primaries[pid][1]
        if request["op"] == "kill" and kind == "reaper":
            _signal(os.kill, pid, signal.SIGTERM)  # the reaper kills everything below it, then exits
        else:  # bubblewrap's monitor (its namespace dies with it), or a reaper that did not finish: SIGKILL
            _signal(os.kill, pid, signal.SIGKILL)
            _signal(os.killpg, pid, signal.SIGKILL)  # with it, a bubblewrap child still in its set-up

    def mount(self, request: dict[str, object], reply: int) -> None:
        """Mount a copy-on-write view (an overlay) or detach one, in our mount namespace; the outcome (``ok``, or
        the error) is written to ``reply``."""
        try:
            if not self.mounts:
                raise OSError(1, "no mount namespace of zebench's own (only as root)")
            target = request["target"]
            assert isinstance(target, str)
            if request["op"] == "umount":
                _check(_libc().umount2(target.encode(), MNT_DETACH))  # type: ignore[attr-defined]
                _unmount_lowers(target)
            else:
                lowers, upper, work, owner = request["lowers"], request["upper"], request["work"], request["owner"]
                assert isinstance(lowers, list) and isinstance(upper, str) and isinstance(work, str)
                assert owner is None or isinstance(owner, list)
                _mount_overlay(target, lowers, upper, work, (owner[0], owner[1]) if owner else None)
            answer = b"ok\n"
        except (OSError, KeyError, AssertionError) as exc:
            answer = f"{exc}\n".encode()
        try:
            os.write(reply, answer)
        except OSError:
            pass
        os.close(reply)

    def start(self, ident: int, request: dict[str, object], fds: list[int]) -> None:
        """Start one command. ``fds``: its sync pipe, stdout, stderr, then the command's own."""
        sync, out, err, *passed = fds
        targets = request["fds"]
        kind = request["kind"]
        assert isinstance(targets, list)
        assert isinstance(kind, str)
        placed = {1: out, 2: err}
        if request.get("stdin"):  # a service: zebench writes to it
            placed[0] = passed.pop(0)
        placed.update(zip(targets, passed, strict=True))
        argv = request["argv"]
        assert isinstance(argv, list)
        if kind == "bwrap":  # bubblewrap's init holds the sync pipe too, until the namespace is gone
            at = max([2, *targets]) + 1
            placed[at] = sync
            argv = [argv[0], "--sync-fd", str(at), *argv[1:]]
        command = Command(
            argv,
            env=request["env"],  # type: ignore[arg-type]
            cwd=request["cwd"],  # type: ignore[arg-type]
            umask=request["umask"],  # type: ignore[arg-type]
            limits=[(name, value) for name, value in request["limits"]],  # type: ignore[attr-defined]
            fds=placed,
        )
        helper = os.getpid()
        try:
            # bubblewrap is spawned, not forked: a fork copies this process, and its child runs Python on pages it
            # must copy first (5-13 ms a command on the reference machine, against 1-2 ms)
            pid = _spawn(command) if kind == "bwrap" and (PRLIMIT is not None or not command.limits) else os.fork()
        except OSError as exc:
            os.write(err, f"cannot start {command.argv[0]!r}: {exc}\n".encode())
            for fd in (out, err, *placed.values()):
                if fd != sync:
                    try:
                        os.close(fd)
                    except OSError:
                        pass
            self._finish(sync, 127)
            return
        if pid == 0:
            code = 127
            try:
                if kind == "bwrap":
                    _prctl(PR_SET_PDEATHSIG, signal.SIGKILL)  # until bubblewrap sets it again itself
                    if os.getppid() == helper:
                        command.exec()
                else:
                    self._become_reaper(sync, fds)
                    code = reap(command, sync, helper)
            finally:
                os._exit(code)
        for fd in set(placed.values()) - {sync}:
            os.close(fd)
        self.primaries[pid] = (ident, kind, sync)
        self.by_id[ident] = pid

    def _become_reaper(self, sync: int, fds: list[int]) -> None:
        """In a forked reaper: forget the helper's signal set-up and every fd but this command's."""
        signal.set_wakeup_fd(-1)
        for signum in (signal.SIGCHLD, signal.SIGINT, signal.SIGHUP):
            signal.signal(signum, signal.SIG_DFL)
        os.setsid()  # its own group, as a reaper started by zebench had
        _close_all_but({0, 1, 2, *fds})
        os.set_inheritable(sync, False)

    def collect(self) -> None:
        """Reap what exited; kill every orphan; report each ended command once the orphans it left are reaped."""
        ended = False
        while True:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                break
            if pid == 0:
                break
            for waiting, _, _ in self.pending:
                waiting.discard(pid)
            entry = self.primaries.pop(pid, None)
            if entry is None:
                continue  # an orphan
            ident, _, sync = entry
            del self.by_id[ident]
            code = -os.WTERMSIG(status) if os.WIFSIGNALED(status) else os.WEXITSTATUS(status)
            self.pending.append((set(), sync, code))
            ended = True
        if ended or self.pending:
            orphans = {pid for pid in _children() if pid not in self.primaries}
            for pid in orphans:
                _signal(os.kill, pid, signal.SIGKILL)
            for waiting, _, _ in self.pending:
                waiting |= orphans
        done = [item for item in self.pending if not item[0]]
        self.pending = [item for item in self.pending if item[0]]
        for _, sync, code in done:
            self._finish(sync, code)

    @staticmethod
    def _finish(sync: int, code: int) -> None:
        try:
            os.write(sync, b"X%d\n" % code)
        except OSError:
            pass
        os.close(sync)


def _signal(kill: object, pid: int, signum: int) -> None:
    try:
        kill(pid, signum)  # type: ignore[operator]
    except OSError:
        pass


if __name__ == "__main__":
    status = main(sys.argv[1:])
    sys.stderr.flush()
    os._exit(status)  # skip the interpreter's teardown: nothing left to clean up, and it costs milliseconds
