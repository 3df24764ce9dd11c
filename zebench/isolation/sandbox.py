"""The sandbox of every command an agent or a scenario runs: bubblewrap, or zebench's reaper without it.

``--sandbox bwrap`` runs each command in bubblewrap (Debian package ``bubblewrap``, the tool Claude Code and Codex
use on Linux) with:

* the run's workspace read-write at its own path (the command's cwd), nothing else of the host writable but the
  run's private HOME (``/home/zebench``) and ``/tmp`` (both on disk, removed with the run) and a policy's extra
  read-write paths (a package-manager store);
* /usr (and the /bin, /lib... links into it), the Python installation zebench runs from, and a few files of /etc
  (DNS, certificates, the dynamic linker's cache, alternatives, time zone) read-only; no /root, no /home, no
  other workspace, no fixture, no /etc/shadow; /etc/passwd and /etc/group written for the sandbox user;
* its own PID, IPC and UTS namespaces, a fresh /proc and a minimal /dev: nothing of zebench is visible and every
  process dies with the command (``--die-with-parent``, ``--new-session``);
* no network (``--unshare-net``: only its own loopback) unless the policy opens it: validation needs the package
  registry, agent commands get it only with ``--agent-network`` or the scenario's ``sandbox: {network: true}``.
  Network is all or nothing: bubblewrap cannot filter by host;
* an environment built from an allow-list (zebench.processes.safe_env) plus HOME, TMPDIR and the policy's
  extras;
* resource limits (processes, memory, file size; zebench.processes.Limits), set by zebench's reaper, which
  starts bubblewrap and outlives the namespace (zebench.processes).

When zebench runs as root (CI), bubblewrap keeps root's privileges to set the sandbox up, then every command
runs as an unprivileged user of its own run (a uid from SANDBOX_UID_BASE up, the shared group SANDBOX_GID, all
capabilities dropped): the kernel enforces RLIMIT_NPROC only for such a user, so a fork bomb stops at the limit.
The workspace, HOME and /tmp belong to that user (``Sandbox.owner``; the workspace layer keeps files it writes
owned by it too).

``--sandbox none`` (no bubblewrap, or user namespaces disabled) still runs commands under zebench's reaper (no
process outlives its command), with the same environment allow-list, private HOME/TMPDIR and limits, but sees
the host's files and network as zebench's user. docs/security.md says what that gives up.
"""

from __future__ import annotations

import asyncio
import atexit
import os
import re
import secrets
import shlex
import shutil
import stat
import subprocess
import sys
import tempfile
import threading
import weakref
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path
from typing import Literal, Self

from . import layers
from .leftovers import process_folder, remove_tree
from .netproxy import SANDBOX_PROXY_PORT, proxy_env, read_or_empty, registry_proxy
from .processes import (
    REAPER_PYTHON,
    CommandResult,
    Launch,
    Limits,
    Service,
    become_subreaper,
    mount_overlay,
    nproc_limit,
    run_launch_sync,
    run_process,
    safe_env,
    start_service,
    unmount,
)

SandboxMode = Literal["auto", "bwrap", "none"]
Purpose = Literal["agent", "validation", "check"]

#: Sandbox users of root runs: uid SANDBOX_UID_BASE + a random offset per run, sharing SANDBOX_GID (so that runs
#: can share a package store). High, unnamed ids that no account or subordinate-id range uses.
SANDBOX_UID_BASE = 2_000_000_000
SANDBOX_UID_RANGE = 100_000_000
SANDBOX_GID = SANDBOX_UID_BASE
SANDBOX_USER = "zebench"
#: HOME inside the sandbox.
SANDBOX_HOME = "/home/zebench"

#: Files and folders of /etc a command may read (those that exist): name resolution, certificates, the dynamic
#: linker, alternatives (Debian's /usr/bin links go through it), time zone, OS identity. Not /etc/shadow, not
#: /etc/ssl/private, not the rest of /etc.
ETC_READABLE = (
    "resolv.conf",
    "hosts",
    "host.conf",
    "nsswitch.conf",
    "gai.conf",
    "services",
    "protocols",
    "networks",
    "ssl/certs",
    "ssl/openssl.cnf",
    "pki/tls/certs",
    "pki/ca-trust",
    "ca-certificates.conf",
    "ld.so.cache",
    "ld.so.conf",
    "ld.so.conf.d",
    "alternatives",
    "localtime",
    "timezone",
    "os-release",
    "debian_version",
    "lsb-release",
    "mime.types",
    "terminfo",
    "python3",
    "python3.11",
    "python3.12",
    "python3.13",
)
#: Top-level system folders bound read-only (or recreated as links into /usr on merged-/usr systems).
SYSTEM_DIRS = ("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32")


DEFAULT_LIMITS = Limits()
#: A launch whose shell sets its limits itself (shell_limits): none left for the helper to set.
NO_LIMITS = Limits(processes=None, memory_bytes=None, file_size_bytes=None)
#: Shared read-write paths this process has prepared (path, for sandbox users): runs after the first skip it.
_PREPARED: set[tuple[Path, bool]] = set()
#: The forwarder that offers the registry proxy inside a sandbox without a network.
NETFWD = Path(__file__).with_name("_netfwd.py")
#: Runs an agent's shell command ($1) in a subshell (a fork of this shell, no second exec of sh: about 1 ms a
#: command; the command's own variables, functions and traps stay in the fork, and ``set --`` leaves it no
#: arguments, as ``sh -c`` would), then prints ``$2 <count>``: the processes it left in the PID namespace (all but
#: the namespace's init and this shell), which die with the namespace right after.
LEFTOVER_COUNT = (
    '(eval "set --; $1"); s=$?; n=0; for p in /proc/[0-9]*; do case "${p#/proc/}" in 1|"$$") ;; *) n=$((n+1)) ;; '
    'esac; done; printf "\\n%s %d\\n" "$2" "$n"; exit "$s"'
)


#: dash's ``ulimit`` flag and unit for each limit a command gets (Launch.rlimits: RLIMIT_NPROC, DATA, FSIZE).
DASH_ULIMITS = (("-p", 1), ("-d", 1024), ("-f", 512))


@cache
def _sh_is_dash() -> bool:
    """Whether /bin/sh (bound read-only into every sandbox) is dash, whose ``ulimit`` flags and units this knows."""
    return os.path.basename(os.path.realpath("/bin/sh")) == "dash"


def shell_limits(values: Sequence[int | None]) -> str | None:
    """The start of a sandboxed shell command that sets its limits itself (dash's ``ulimit``, soft and hard: the
    command cannot raise them; the command does not run if one cannot be set), for the limits ``values`` in the
    order of DASH_ULIMITS; None where the shell cannot say them exactly (not dash, or not a whole number of its
    units): then prlimit sets them before bubblewrap, an exec more per command (about 0.7 ms)."""
    if not _sh_is_dash():
        return None
    steps = []
    for (flag, unit), value in zip(DASH_ULIMITS, values, strict=True):
        if value is None:
            continue
        if value % unit:
            return None
        steps.append(f"ulimit {flag} {value // unit}")
    return f"{' && '.join(steps)} || exit 126; " if steps else ""


#: Variables that choose a program's locale (besides LC_*).
LOCALE_ENV = frozenset({"LANG", "LANGUAGE"})
#: A variable name every POSIX shell can export.
SHELL_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def locale_exports(locale: Mapping[str, str]) -> str:
    """The shell commands that export ``locale``, ahead of a command's script."""
    return "".join(f"export {name}={shlex.quote(value)}; " for name, value in locale.items())


class SandboxError(Exception):
    """The requested sandbox cannot be used here (message says why and what to do)."""


@dataclass(frozen=True)
class Policy:
    """What one kind of command may reach besides the workspace."""

    network: bool = False
    #: With bubblewrap, the network is zebench's registry proxy only (zebench.isolation.netproxy): no host service
    #: on 127.0.0.1, no host but the package registries. Without bubblewrap the host's network.
    registry_only: bool = False
    #: Extra paths bound read-write (a package-manager store under zebench's cache dir), created if missing.
    rw_paths: tuple[Path, ...] = ()
    #: Extra paths bound read-only (a heuristic check's script).
    ro_paths: tuple[Path, ...] = ()
    #: Extra environment variables, deliberately passed (e.g. ``npm_config_store_dir``).
    env: Mapping[str, str] = field(default_factory=dict)
    #: Shared caches (the package managers' stores, zebench.isolation.layers): with bubblewrap as root, each
    #: sandbox sees them through a copy-on-write view of its own over their published layers, so nothing a run
    #: writes there reaches another run; otherwise bound read-write like ``rw_paths``.
    layered_paths: tuple[Path, ...] = ()

    def extend(
        self,
        *,
        network: bool | None = None,
        rw_paths: Sequence[Path] = (),
        ro_paths: Sequence[Path] = (),
        env: Mapping[str, str] | None = None,
        layered_paths: Sequence[Path] = (),
    ) -> Policy:
        return replace(
            self,
            network=self.network if network is None else network,
            rw_paths=self.rw_paths + tuple(rw_paths),
            ro_paths=self.ro_paths + tuple(ro_paths),
            env={**self.env, **(env or {})},
            layered_paths=self.layered_paths + tuple(layered_paths),
        )


def default_policies(agent_network: bool = False) -> dict[Purpose, Policy]:
    """Agent commands offline (unless opened); validation, warmup and baseline reach the package registries only
    (installs; zebench.isolation.netproxy), and so do heuristic checks: they are the scenario's commands like
    validation (the original's run `pnpm install` and `pnpm build`, which may fetch), and they run the agent's
    code, which must not reach anything else of the host (the Dask scheduler, `zebench serve`)."""
    scoring = Policy(network=True, registry_only=True)
    return {"agent": Policy(network=agent_network), "validation": scoring, "check": scoring}


# --------------------------------------------------------------------------------------------------------------
# Is bubblewrap usable here?
# --------------------------------------------------------------------------------------------------------------


@cache
def _tool(name: str) -> str | None:
    for folder in ("/usr/bin", "/bin", "/usr/local/bin", "/usr/sbin", "/sbin"):
        candidate = os.path.join(folder, name)
        if os.access(candidate, os.X_OK):
            return candidate
    return shutil.which(name)


@cache
def bwrap_problem() -> str | None:
    """Why bubblewrap cannot sandbox commands here, or None when it can (probed once per process)."""
    for name in ("bwrap",) + (("setpriv",) if os.geteuid() == 0 else ()):
        if _tool(name) is None:
            package = "bubblewrap" if name == "bwrap" else "util-linux"
            return f"{name} not found (Debian: apt-get install {package}; or ./scripts/install-sandbox.sh)"
    with tempfile.TemporaryDirectory(prefix="zebench-probe-") as tmp:
        workspace = Path(tmp) / "ws"
        workspace.mkdir()
        box = Sandbox(workspace, mode="bwrap", scratch_root=Path(tmp))
        box._open_sync()
        try:
            code, stderr = run_launch_sync(box.launch(["true"], box.policy("agent")), timeout=30)
        except (OSError, subprocess.SubprocessError) as exc:
            return f"bwrap failed to start: {exc}"
    if code != 0:
        reason = stderr.strip().splitlines()
        return f"bwrap cannot create a sandbox here: {reason[-1] if reason else f'exit {code}'}"
    return None


def probed() -> bool:
    """Whether bubblewrap was probed in this process already: ``resolve_mode`` then answers without waiting."""
    info = getattr(bwrap_problem, "cache_info", None)
    return info is not None and info().currsize > 0


def resolve_mode(requested: str) -> tuple[Literal["bwrap", "none"], str | None]:
    """The sandbox to use for ``--sandbox requested``, and a one-line warning when auto falls back to none.

    Raises SandboxError for ``bwrap`` when bubblewrap cannot be used.
    """
    if requested == "none":
        return "none", None
    if requested not in ("auto", "bwrap"):
        raise SandboxError(f"unknown sandbox {requested!r}: use auto, bwrap or none")
    problem = bwrap_problem()
    if problem is None:
        return "bwrap", None
    if requested == "bwrap":
        raise SandboxError(f"--sandbox bwrap: {problem}")
    return "none", f"warning: running commands without a sandbox (--sandbox none): {problem}"


def resolve_local_mode(requested: str) -> tuple[Literal["bwrap", "none"], str | None]:
    """``resolve_mode`` for the commands this process will start: without a sandbox, it also becomes their
    subreaper (orphans of a command whose reaper was killed come to it and are killed)."""
    mode, warning = resolve_mode(requested)
    if mode == "none":
        become_subreaper()
    return mode, warning


# --------------------------------------------------------------------------------------------------------------
# One run's sandbox
# --------------------------------------------------------------------------------------------------------------


@cache
def _python_roots() -> list[Path]:
    """Folders of the Python installation zebench runs from (a venv and the interpreter it is made from)."""
    roots = {
        Path(sys.prefix),
        Path(sys.base_prefix),
        Path(sys.exec_prefix),
        Path(sys.base_exec_prefix),
        Path(os.path.realpath(sys.executable)).parent.parent,
    }
    return sorted({Path(os.path.realpath(p)) for p in roots} | roots)


def command_path(mode: str, policy: Policy) -> str:
    """PATH of a command: zebench's Python first, then zebench's PATH; with bwrap only the folders visible inside."""
    path = safe_env()["PATH"]
    if mode != "bwrap":
        return path
    return _visible_path(path, tuple(map(str, policy.ro_paths + policy.rw_paths + policy.layered_paths)))


@cache
def _visible_path(path: str, extra: tuple[str, ...]) -> str:
    visible = [*SYSTEM_DIRS, *map(str, _python_roots()), *extra]  # the policy's bound paths
    return os.pathsep.join(p for p in path.split(os.pathsep) if _covered(p, visible))


def _covered(path: str | Path, by: Sequence[str | Path]) -> bool:
    """Whether ``path`` is one of ``by`` or inside one (absolute, normalised paths)."""
    text = str(path)
    for root in map(str, by):
        if text == root or text.startswith(root.rstrip("/") + "/"):
            return True
    return False


class _Binds:
    """bubblewrap's arguments, mounts among them: each mount point's missing parents are created first as 0755
    (bubblewrap would make them 0700, which the sandbox user could not enter), except inside a read-only bind."""

    def __init__(self, args: list[str], known: set[str], read_only: list[str]):
        self.args, self.known, self.read_only = args, known, read_only

    def copy(self) -> _Binds:
        return _Binds(list(self.args), set(self.known), list(self.read_only))

    def mount(self, option: str, source: str, dest: str) -> None:
        parent = ""
        for part in dest.strip("/").split("/")[:-1]:
            parent = f"{parent}/{part}"
            if parent not in self.known and not _covered(parent, self.read_only):
                self.args += ["--perms", "0755", "--dir", parent]
                self.known.add(parent)
        self.args += [option, source, dest]
        self.known.add(dest)
        if option == "--ro-bind":
            self.read_only.append(dest)


@cache
def _base_binds(etc: str, etc_folders: tuple[str, ...], unshare_net: bool, as_root: bool) -> _Binds:
    """The part of bubblewrap's arguments every command of this process shares (for its network and user):
    namespaces, /proc, /dev, the system folders, the shared /etc and zebench's Python, read-only."""
    args = [
        _tool("bwrap") or "bwrap",
        "--die-with-parent",
        "--new-session",
        "--unshare-pid",
        "--unshare-ipc",
        "--unshare-uts",
        "--unshare-cgroup-try",
        "--hostname",
        "zebench",
    ]
    if unshare_net:
        args.append("--unshare-net")
    if as_root:
        # bubblewrap run by root keeps every capability unless told otherwise: keep only what setpriv
        # needs to switch to the run's user (which then drops them all).
        args += ["--cap-drop", "ALL", "--cap-add", "CAP_SETUID", "--cap-add", "CAP_SETGID"]
    else:
        args.append("--unshare-user")
    args += ["--proc", "/proc", "--dev", "/dev"]
    binds = _Binds(args, {"/", "/proc", "/dev"}, [])
    for top in SYSTEM_DIRS:
        if os.path.islink(top):
            binds.args += ["--symlink", os.readlink(top), top]
            binds.known.add(top)
        elif os.path.isdir(top):
            binds.mount("--ro-bind", top, top)
    # One bind for /etc, a copy of the readable entries (a mount per file cost ~1 ms each, per command).
    binds.mount("--ro-bind", etc, "/etc")
    for name in etc_folders:
        binds.mount("--ro-bind", f"/etc/{name}", f"/etc/{name}")
    return binds


class Sandbox:
    """The sandbox of one run: its mode, user, private HOME and /tmp, policies and limits.

    ``async with Sandbox(workspace, mode=...) as box: await box.run(command, purpose="agent", timeout=60)``.
    A sandbox that is not opened opens itself at its first command; ``close()`` removes its private folders.
    """

    def __init__(
        self,
        workspace: Path,
        *,
        mode: Literal["bwrap", "none"] = "none",
        policies: Mapping[Purpose, Policy] | None = None,
        limits: Limits = DEFAULT_LIMITS,
        scratch_root: Path | None = None,
    ):
        self.workspace = Path(os.path.realpath(workspace))
        self.mode = mode
        self.policies: dict[Purpose, Policy] = {**default_policies(), **(policies or {})}
        self.limits = limits
        self.scratch_root = scratch_root
        self.scratch: Path | None = None
        self._shared: set[Path] = set()
        #: (uid, gid) the commands run as when it is not zebench's own user (root runs with bubblewrap).
        self.owner: tuple[int, int] | None = None
        if mode == "bwrap" and os.geteuid() == 0:
            self.owner = (SANDBOX_UID_BASE + secrets.randbelow(SANDBOX_UID_RANGE), SANDBOX_GID)
        self._nproc = nproc_limit(limits, self.owner[0] if self.owner else None)
        #: Copy-on-write views of the shared caches (zebench.isolation.layers): only as root with bubblewrap.
        self.layered = self.owner is not None
        #: Shared cache path -> (what is bound there: the view, or the upper folder itself when nothing was
        #: published yet; the upper folder: what this sandbox wrote).
        self._views: dict[Path, tuple[Path, Path]] = {}
        #: Overlays this sandbox mounted (unmounted when it closes).
        self._mounted: list[Path] = []
        #: Held while views are mounted in the private folder (taken before ``_open_lock`` when both are).
        self._views_lock = threading.Lock()
        #: Held while the private folders are made or removed: a close while a thread opens waits for it.
        self._open_lock = threading.Lock()
        #: Closed for good: an open after it (a thread that started opening as its task was cancelled) fails.
        self._closed = False
        #: A prepared node_modules seen in the workspace: (the view, where it is bound).
        self._prepared_view: tuple[Path, Path] | None = None
        #: Why this sandbox fell back from what it should have had (a view that could not be mounted: colder, never
        #: weaker); the run records them (zebench.execution.runner).
        self.notes: list[str] = []

    # -- lifecycle ---------------------------------------------------------------------------------------------

    async def __aenter__(self) -> Self:
        try:
            await asyncio.to_thread(self._open_sync)
        except asyncio.CancelledError:  # the thread goes on opening: closed once it has, never left behind
            await self.close()
            raise
        return self

    def open(self) -> None:
        """Make the private folders now (blocking: from a thread; ``async with`` does it off the event loop)."""
        self._open_sync()

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    def _open_sync(self) -> None:
        if self.scratch is not None:
            return
        with self._open_lock:  # a sandbox opened by its first command: concurrent commands open it once
            if self._closed:
                raise OSError("the sandbox is closed")
            if self.scratch is None:
                self._open_locked()

    def _open_locked(self) -> None:
        scratch = _SCRATCH.take()
        if scratch is None:
            if self.scratch_root is not None:
                self.scratch_root.mkdir(parents=True, exist_ok=True)
            scratch = process_folder("sandbox", self.scratch_root)
            for sub in ("home", "tmp"):
                (scratch / sub).mkdir()
        # A sandbox that is never closed (a Toolbox's default one) still leaves nothing behind.
        self._finalizer = weakref.finalize(self, remove_tree, scratch)
        if self.mode == "bwrap":
            self._write_accounts(scratch)
        if self.owner is not None:
            uid, gid = self.owner
            for path in (scratch / "home", scratch / "tmp"):
                os.chown(path, uid, gid)
            chown_tree(self.workspace, uid, gid)
            # mkdtemp's 0700 would keep out bubblewrap itself (root without capabilities) at its chdir.
            os.chmod(self.workspace, 0o755)
        self.scratch = scratch

    def _write_accounts(self, scratch: Path) -> None:
        """/etc/passwd and /etc/group naming only root and the sandbox user (bound over the shared /etc)."""
        uid, gid = self.owner if self.owner is not None else (os.getuid(), os.getgid())
        if uid == 0:
            passwd, group = f"root:x:0:0:root:{SANDBOX_HOME}:/bin/sh\n", "root:x:0:\n"
        else:
            passwd = (
                f"root:x:0:0:root:/root:/bin/sh\n{SANDBOX_USER}:x:{uid}:{gid}:zebench sandbox:{SANDBOX_HOME}:/bin/sh\n"
            )
            group = f"root:x:0:\n{SANDBOX_USER}:x:{gid}:\n"
        for name, text in (("passwd", passwd), ("group", group)):
            # Rewritten in place when the folder is reused: truncating would free the file's block (a discard).
            fd = os.open(scratch / name, os.O_WRONLY | os.O_CREAT | os.O_CLOEXEC | os.O_NOFOLLOW, 0o644)
            try:
                data = text.encode()
                os.write(fd, data)
                os.ftruncate(fd, len(data))
                os.fchmod(fd, 0o644)
            finally:
                os.close(fd)

    async def close(self) -> None:
        self._closed = True  # before looking at the locks: an open that has not taken one yet will fail
        if self.scratch is not None or self._open_lock.locked() or self._views_lock.locked():
            await asyncio.to_thread(self.close_sync)

    def close_sync(self) -> None:
        """``close`` from a thread (with other blocking clean-up: one hop off the event loop instead of two); waits
        for an open under way in another thread, then removes what it made."""
        self._closed = True
        with self._views_lock, self._open_lock:
            scratch, self.scratch = self.scratch, None
        if scratch is not None:
            self._finalizer.detach()
            self._remove(scratch)

    def _remove(self, scratch: Path) -> None:
        self._unmount_all()
        _SCRATCH.give_back(scratch, self.mode, self.workspace)

    def _unmount_all(self) -> None:
        mounted, self._mounted = self._mounted, []
        for target in mounted:
            try:
                unmount(target)
            except OSError:  # removing the folder detaches the view anyway (it is a mount point elsewhere)
                pass
        self._views.clear()
        self._prepared_view = None

    # -- copy-on-write views of the shared caches and of prepared node_modules (zebench.isolation.layers) ---------

    def _prepare_views(self, policy: Policy) -> None:
        """The views of this policy's shared caches, made at the first command that needs them (blocking; commands
        run concurrently: one thread makes them, the others wait)."""
        with self._views_lock:
            self._prepare_views_locked(policy)

    def _prepare_views_locked(self, policy: Policy) -> None:
        if self._closed:
            raise OSError("the sandbox is closed")
        assert self.scratch is not None and self.owner is not None
        for path in policy.layered_paths:
            if path in self._views:
                continue
            base = self.scratch / "cache-views" / str(len(self._views))
            upper = base / "upper"
            upper.mkdir(parents=True)
            os.chown(upper, *self.owner)
            lowers = layers.stack(path)
            if not lowers:  # nothing published yet: this sandbox's own empty folder
                self._views[path] = (upper, upper)
                continue
            view, work = base / "view", base / "work"
            view.mkdir()
            work.mkdir()
            try:
                mount_overlay(view, lowers, upper, work, self.owner)
            except OSError as exc:  # too many layers for one mount, or no overlayfs: cold, but still the run's own
                self._note(f"{path.name}: no copy-on-write view of its published layers, an empty one ({exc})")
                self._views[path] = (upper, upper)
                continue
            self._mounted.append(view)
            self._views[path] = (view, upper)

    def use_prepared(self, tree: Path, mountpoint: Path) -> bool:
        """See the prepared node_modules ``tree`` at ``mountpoint`` (an empty folder of the workspace, made by the
        caller) in every command from now on, through a copy-on-write view: what the run changes there is its own.
        Blocking (call it from a thread). False when this sandbox has no views (not root with bubblewrap), or when
        the view cannot be mounted (noted in ``notes``)."""
        with self._views_lock:  # a close meanwhile waits for it
            return self._use_prepared_locked(tree, mountpoint)

    def _use_prepared_locked(self, tree: Path, mountpoint: Path) -> bool:
        if not self.layered or self._prepared_view is not None:
            return False
        if self.scratch is None:
            self._open_sync()
        assert self.scratch is not None and self.owner is not None
        base = self.scratch / "prepared"
        upper, work, view = base / "upper", base / "work", base / "view"
        for folder in (upper, work, view):
            folder.mkdir(parents=True)
        os.chown(upper, *self.owner)
        try:
            mount_overlay(view, [tree], upper, work, self.owner)
        except OSError as exc:  # the install then runs as without a prepared tree (from the caches' views)
            self._note(f"node_modules: no copy-on-write view of the prepared tree, installed in the workspace ({exc})")
            return False
        self._mounted.append(view)
        self._prepared_view = (view, Path(os.path.realpath(mountpoint)))
        return True

    def _note(self, note: str) -> None:
        if note not in self.notes:
            self.notes.append(note)

    @property
    def uses_prepared(self) -> bool:
        """Whether the workspace's node_modules is a prepared tree's view (``use_prepared``)."""
        return self._prepared_view is not None

    def publish(self) -> list[Path]:
        """Publish what this sandbox's commands added to the shared caches as new layers (zebench.isolation.layers):
        only for a trusted install (the baseline's, on an untouched copy of the fixture), once its commands are
        done. Blocking (call it from a thread). Returns the new layers."""
        published = []
        with self._views_lock:  # a close meanwhile waits for it
            views, mounted = dict(self._views), set(self._mounted)
            for path, (view, upper) in views.items():
                if view in mounted:
                    unmount(view)
                    self._mounted.remove(view)
                layer = layers.publish(upper, path, SANDBOX_GID)
                if layer is not None:
                    published.append(layer)
                self._views.pop(path)
        return published

    def prepare_shared_dir(self, path: Path) -> None:
        """Create a read-write path shared between runs (at the first command that binds it); for sandbox users,
        group-writable by SANDBOX_GID."""
        if path in self._shared:
            return
        self._shared.add(path)
        if (path, self.owner is not None) in _PREPARED and os.path.isdir(path):
            return  # another run of this process made it so
        path.mkdir(parents=True, exist_ok=True)
        if self.owner is not None:
            info = path.stat()
            if info.st_gid != SANDBOX_GID or stat.S_IMODE(info.st_mode) & 0o2070 != 0o2070:
                os.chown(path, -1, SANDBOX_GID)
                os.chmod(path, stat.S_IMODE(info.st_mode) | 0o2070)  # setgid: new entries keep the group
        _PREPARED.add((path, self.owner is not None))

    # -- what a command gets -------------------------------------------------------------------------------------

    def policy(self, purpose: Purpose) -> Policy:
        return self.policies[purpose]

    @property
    def private_home(self) -> Path | None:
        """Where the run's private HOME lives on the host (None before the sandbox is opened or once closed)."""
        return self.scratch / "home" if self.scratch is not None else None

    @property
    def home(self) -> str:
        assert self.scratch is not None
        return SANDBOX_HOME if self.mode == "bwrap" else str(self.scratch / "home")

    @property
    def tmp(self) -> str:
        assert self.scratch is not None
        return "/tmp" if self.mode == "bwrap" else str(self.scratch / "tmp")

    def env(self, policy: Policy) -> dict[str, str]:
        """The command's environment: the allow-list, the private HOME and TMPDIR, the policy's extras."""
        env = safe_env()
        env["PATH"] = command_path(self.mode, policy)
        if self.mode == "bwrap":
            env["USER"] = env["LOGNAME"] = SANDBOX_USER
        env.update(HOME=self.home, TMPDIR=self.tmp)
        env.update(policy.env)
        return env

    def launch(
        self,
        command: str | list[str],
        policy: Policy,
        cwd: Path | None = None,
        pass_fds: Sequence[int] = (),
        count_leftovers: bool = False,
    ) -> Launch:
        """How to start ``command`` (a shell string, or an argv list) under this sandbox and ``policy``;
        ``pass_fds`` stay open in the command (a result channel), closed here once it started. With
        ``count_leftovers`` (an agent's shell command under bwrap), the command reports how many processes it
        left running inside its PID namespace (without bwrap zebench's reaper reports it)."""
        if self.scratch is None:
            self._open_sync()
        argv = ["/bin/sh", "-c", command] if isinstance(command, str) else list(command)
        marker = None
        limits, nproc = self.limits, self._nproc
        if isinstance(command, str) and self.mode == "bwrap":
            in_shell = shell_limits((nproc, limits.memory_bytes, limits.file_size_bytes))
            if in_shell is not None:  # the command's shell sets them: not prlimit
                limits, nproc = NO_LIMITS, None
            prefix = in_shell or ""
            if count_leftovers:
                marker = f"zebench-left-{secrets.token_hex(8)}"
                argv = ["/bin/sh", "-c", prefix + LEFTOVER_COUNT, "/bin/sh", command, marker]
            else:
                argv = ["/bin/sh", "-c", prefix + command]
        display = command if isinstance(command, str) else shlex.join(command)
        cwd = Path(os.path.realpath(cwd)) if cwd is not None else self.workspace
        shared = policy.rw_paths if self.layered else policy.rw_paths + policy.layered_paths
        if policy.layered_paths and not self.layered and self.mode == "bwrap":
            self._note("package caches shared read-write between runs: not root, no copy-on-write views")
        for path in shared:
            self.prepare_shared_dir(path)
        if self.layered and any(path not in self._views for path in policy.layered_paths):
            self._prepare_views(policy)
        env = self.env(policy)
        if self.mode == "none":
            return Launch(
                command=argv,
                env=env,
                cwd=cwd,
                limits=self.limits,
                nproc=self._nproc,
                pass_fds=list(pass_fds),
                display=display,
                marker=marker,
            )
        bwrap = self._bwrap_args(policy, cwd)
        # The locale reaches the command through its own shell (exported first) or bubblewrap's --setenv, never
        # through the environment of what starts before it: prlimit (the helper's limits), bubblewrap and setpriv
        # would each load the locale's files for nothing (0.5-0.7 ms a command). The command's environment is the
        # same either way. Not through the shell behind the registry's forwarder: a Python started without a
        # locale sets LC_CTYPE for what it starts (PEP 538).
        locale = {
            name: env.pop(name) for name in [name for name in env if name in LOCALE_ENV or name.startswith("LC_")]
        }
        proxied = policy.network and policy.registry_only
        if isinstance(command, str) and not proxied and all(SHELL_NAME.fullmatch(name) for name in locale):
            argv[2] = locale_exports(locale) + argv[2]
        else:
            for name, value in locale.items():
                bwrap += ["--setenv", name, value]
        inner = argv
        if proxied:
            proxy = registry_proxy()
            inner = [REAPER_PYTHON, "-I", "-S", str(NETFWD), str(proxy.socket_path), str(SANDBOX_PROXY_PORT), "--"]
            inner += argv
            env.update(proxy_env())
        if self.owner is not None:
            uid, gid = self.owner
            inner = [
                _tool("setpriv") or "setpriv",
                f"--reuid={uid}",
                f"--regid={gid}",
                "--clear-groups",
                "--inh-caps=-all",
                "--",
                *inner,
            ]
        # The helper sets the limits not set by the command's shell (prlimit, inherited by bubblewrap and the
        # command) and outlives the namespace.
        return Launch(
            command=[*bwrap, "--", *inner],
            env=env,
            limits=limits,
            nproc=nproc,
            cwd=cwd,
            pass_fds=list(pass_fds),
            umask=0o002 if self.owner else -1,
            display=display,
            bwrap=True,
            marker=marker,
        )

    def _bwrap_args(self, policy: Policy, cwd: Path) -> list[str]:
        assert self.scratch is not None
        etc, etc_folders = shared_etc()
        proxied = policy.network and policy.registry_only
        binds = _base_binds(str(etc), tuple(etc_folders), not policy.network or proxied, os.geteuid() == 0).copy()
        scratch = str(self.scratch)
        binds.mount("--ro-bind", f"{scratch}/passwd", "/etc/passwd")
        binds.mount("--ro-bind", f"{scratch}/group", "/etc/group")
        binds.mount("--bind", f"{scratch}/tmp", "/tmp")
        binds.mount("--bind", f"{scratch}/home", SANDBOX_HOME)
        for root in map(str, _python_roots()):
            if not _covered(root, binds.read_only) and os.path.isdir(root):
                binds.mount("--ro-bind", root, root)
        if proxied:
            proxy_folder = str(registry_proxy().folder)
            binds.mount("--ro-bind", proxy_folder, proxy_folder)
            binds.mount("--ro-bind", str(NETFWD), str(NETFWD))
        for ro in map(str, policy.ro_paths):
            binds.mount("--ro-bind", ro, ro)
        for rw in map(str, policy.rw_paths):
            binds.mount("--bind", rw, rw)
        for shared in policy.layered_paths:
            source = self._views[shared][0] if self.layered else shared
            binds.mount("--bind", str(source), str(shared))
        binds.mount("--bind", str(self.workspace), str(self.workspace))
        if self._prepared_view is not None:
            view, mountpoint = self._prepared_view
            binds.mount("--bind", str(view), str(mountpoint))
        return binds.args + ["--chdir", str(cwd)]

    async def run(
        self,
        command: str | list[str],
        *,
        purpose: Purpose = "agent",
        policy: Policy | None = None,
        timeout: float | None,
        head_bytes: int = 64 * 1024,
        tail_bytes: int = 64 * 1024,
        separate_stderr: bool = False,
        cwd: Path | None = None,
        pass_fds: Sequence[int] = (),
        count_leftovers: bool = False,
    ) -> CommandResult:
        """Run one command in the workspace under the policy of ``purpose`` (or ``policy``). ``pass_fds`` are the
        command's: closed by this call whatever happens."""
        chosen = policy if policy is not None else self.policy(purpose)
        try:
            if self.scratch is None:
                await asyncio.to_thread(self._open_sync)
            if self.layered and any(path not in self._views for path in chosen.layered_paths):
                await asyncio.to_thread(self._prepare_views, chosen)  # mounts: not on the event loop
            launch = self.launch(command, chosen, cwd, pass_fds, count_leftovers)
        except BaseException:  # cancelled or failed before the launch, which closes them from here on
            for fd in pass_fds:
                os.close(fd)
            raise
        return await run_process(
            launch, timeout=timeout, head_bytes=head_bytes, tail_bytes=tail_bytes, separate_stderr=separate_stderr
        )

    async def start_service(self, argv: list[str], *, policy: Policy, cwd: Path | None = None) -> Service:
        """Start a long-lived command of the run (an MCP server over stdio) under ``policy``, with pipes to its
        stdin and stdout: see zebench.processes.Service. It lives until ``Service.stop`` (or zebench's death)."""
        if self.scratch is None:
            await asyncio.to_thread(self._open_sync)
        return await start_service(self.launch(argv, policy, cwd))


class _ScratchPool:
    """Private folders (HOME, /tmp, passwd and group) of closed sandboxes, emptied, for the next sandboxes of this
    process: removing a folder costs a discard on a disk mounted with ``discard`` (about 6 ms each on the
    reference machine), three per sandbox. A folder is reused only when everything the run left in it was removed;
    its owner and mode are set again by the next sandbox. Idle folders wait in a folder of this process in the
    temporary directory (not where the caller's workspaces go), removed when zebench exits."""

    #: Folders kept at most (about a batch's concurrency, two sandboxes per run).
    LIMIT = 64
    #: What a reused private folder holds.
    KEEP = ("home", "tmp", "passwd", "group")

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._free: list[Path] = []
        self._folder: Path | None = None
        self._owner = -1

    def take(self) -> Path | None:
        with self._lock:
            if self._owner != os.getpid():  # a forked copy of zebench starts with none
                self._free, self._folder = [], None
            return self._free.pop() if self._free else None

    def give_back(self, scratch: Path, mode: str, workspace: Path) -> None:
        """Empty ``scratch`` and keep it; remove it instead when something in it cannot be removed.

        With bubblewrap, a workspace under /tmp has its mount point made by bubblewrap inside the sandbox's /tmp,
        with the folders above it (root's, empty but for the next one down): those folders are kept, so that the
        next sandbox with a workspace in the same place does not make and remove them again."""
        chain: list[str] = []
        if mode == "bwrap" and workspace.parts[:2] == ("/", "tmp"):
            chain = list(workspace.parts[2:-1])
        try:
            for entry in os.scandir(scratch):
                if entry.name in ("home", "tmp") and entry.is_dir(follow_symlinks=False):
                    _empty(entry.path, chain if entry.name == "tmp" else [])
                    os.chmod(entry.path, 0o755)
                elif entry.name in ("passwd", "group") and mode == "bwrap" and entry.is_file(follow_symlinks=False):
                    continue
                else:
                    _remove_entry(entry)
            expected = self.KEEP if mode == "bwrap" else ("home", "tmp")
            if sorted(os.listdir(scratch)) == sorted(expected):
                with self._lock:
                    if len(self._free) < self.LIMIT:
                        kept = self._pool_folder() / scratch.name
                        os.rename(scratch, kept)  # same file system, or OSError: removed below
                        self._free.append(kept)
                        return
        except OSError:
            pass
        remove_tree(scratch)

    def _pool_folder(self) -> Path:
        if self._folder is None or self._owner != os.getpid():
            self._folder = process_folder("pool")
            self._owner, self._free = os.getpid(), []
            atexit.register(shutil.rmtree, self._folder, True)
        return self._folder


def _empty(folder: str, chain: list[str]) -> None:
    """Remove everything in ``folder`` but the root-owned folder ``chain[0]`` (itself emptied the same way of all but
    ``chain[1]``...): the mount points bubblewrap made, nothing a run can have written."""
    for entry in os.scandir(folder):
        if chain and entry.name == chain[0] and entry.is_dir(follow_symlinks=False):
            if entry.stat(follow_symlinks=False).st_uid == 0:
                _empty(entry.path, chain[1:])
                continue
        _remove_entry(entry)


def _remove_entry(entry: os.DirEntry[str]) -> None:
    if entry.is_dir(follow_symlinks=False):
        remove_tree(entry.path)
        if os.path.lexists(entry.path):  # the folder is not reused with something of a run left in it
            raise OSError(f"cannot remove {entry.path}")
    else:
        os.unlink(entry.path)


_SCRATCH = _ScratchPool()


_ETC: tuple[Path, list[str]] | None = None
#: Where the sandbox's /etc is copied from, and the folders its links may point into to be kept as links.
HOST_ETC = Path("/etc")
HOST_LINK_ROOTS = ("/usr",)
_ETC_LOCK = threading.Lock()


#: A folder of /etc with more entries than this is bound as it is rather than copied (creating files is slow).
ETC_COPY_MAX_ENTRIES = 32


def shared_etc() -> tuple[Path, list[str]]:
    """The sandbox's /etc, made once per process, and the folders of it to bind over it as they are.

    Files and small folders of ETC_READABLE are copied (symlinks into /usr kept as links, others followed);
    large folders (/etc/ssl/certs, /etc/alternatives) get an empty mount point; passwd and group are empty mount
    points for each run's own.
    """
    global _ETC
    with _ETC_LOCK:
        if _ETC is not None and _ETC[0].is_dir():
            return _ETC
        base = process_folder("etc")
        atexit.register(shutil.rmtree, base, True)
        etc = base / "etc"
        etc.mkdir()
        bound: list[str] = []
        for name in ETC_READABLE:
            source, target = HOST_ETC / name, etc / name
            if not source.exists():
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            real = Path(os.path.realpath(source))
            if source.is_symlink() and _covered(real, HOST_LINK_ROOTS):
                os.symlink(os.readlink(source), target)
            elif real.is_dir() and sum(len(d) + len(f) for _, d, f in os.walk(real)) > ETC_COPY_MAX_ENTRIES:
                target.mkdir()
                bound.append(name)
            elif real.is_dir():
                shutil.copytree(real, target, symlinks=True)
            else:
                shutil.copyfile(real, target)
        for name in ("passwd", "group"):
            (etc / name).touch()
        # Its own file, never written through a link the copy kept (one into /usr is kept as a link: writing
        # through it would rewrite the host's). The host's may live in /usr/etc (openSUSE) when /etc has none.
        nsswitch = etc / "nsswitch.conf"
        nsswitch.unlink(missing_ok=True)
        host = read_or_empty(HOST_ETC / "nsswitch.conf") or read_or_empty(Path("/usr/etc/nsswitch.conf"))
        nsswitch.write_text(sandbox_nsswitch(host))
        for dirpath, _, filenames in os.walk(etc):
            os.chmod(dirpath, 0o755)
            for name in filenames:
                path = os.path.join(dirpath, name)
                if not os.path.islink(path):
                    os.chmod(path, 0o644)
        _ETC = (etc, bound)
        return _ETC


#: The user databases a sandbox reads from its own files only (its /etc/passwd and /etc/group, written per run).
ACCOUNT_DATABASES = ("passwd", "group", "shadow", "gshadow", "initgroups")


def sandbox_nsswitch(host: str) -> str:
    """The sandbox's nsswitch.conf: the host's, but the user databases from files only.

    The run's /etc/passwd and /etc/group are the whole truth about users in the sandbox: a host's directory
    service (ldap, sss) or systemd's module must not answer for them. It is faster too: setpriv looks its numeric
    user up by name first (util-linux), which under the host's ``files systemd`` loaded libnss_systemd, libcap and
    libm into every command (about 0.6 ms each)."""
    kept = [line for line in host.splitlines() if line.split(":", 1)[0].strip() not in ACCOUNT_DATABASES]
    return "\n".join([*kept, *(f"{name}: files" for name in ACCOUNT_DATABASES)]) + "\n"


def chown_tree(root: Path, uid: int, gid: int) -> None:
    """Give a tree to the sandbox user (symlinks themselves, never their targets)."""
    os.lchown(root, uid, gid)
    for dirpath, dirnames, filenames in os.walk(root):
        for name in dirnames + filenames:
            os.lchown(os.path.join(dirpath, name), uid, gid)


__all__ = [
    "Limits",
    "Policy",
    "Purpose",
    "Sandbox",
    "SandboxError",
    "Service",
    "SandboxMode",
    "bwrap_problem",
    "command_path",
    "default_policies",
    "probed",
    "resolve_mode",
]
