"""The package managers' shared caches as read-only layers, and prepared ``node_modules`` trees, for warm installs
that no run can alter.

With bubblewrap as root, a run never gets the shared caches (pnpm's store, its metadata cache, npm's and yarn's
caches) read-write. Each sandbox sees each cache through a copy-on-write view of its own (an overlay mounted by
zebench's process helper, in its private mount namespace): the published layers below, read-only; the run's own
folder on top, where everything the run writes goes, removed with the run. Likewise a workspace whose install
inputs (package.json, lockfiles, .npmrc...) are those of a prepared tree gets that ``node_modules`` as a
copy-on-write view: ``pnpm install`` finds it complete and has almost nothing to do (inside the sandbox the store
and the workspace are different mounts, so pnpm cannot hard-link and would otherwise copy every package).

Only trusted installs publish: the baseline's, on an untouched copy of the fixture (zebench.run.validation). What a
run's commands write (the agent's code runs in them) stays in its own view. Layers are never changed once published
(overlayfs does not allow a lower layer to change under a mount); a new one is added instead.

Layout, beside the shared caches (zebench's cache directory, zebench.isolation.toolchain): ``layers/<cache>/<id>/``
(e.g. ``layers/pnpm-store/…``, newest ids last) and ``layers/node_modules/<key>/`` (the tree of one set of install
inputs). ``rm -rf`` of ``layers`` resets them.
"""

from __future__ import annotations

import hashlib
import os
import secrets
import shutil
import stat
import time
from collections.abc import Mapping
from pathlib import Path

#: The programs whose versions decide what an install produces (their paths, sizes and times go into the key).
TOOLS = ("node", "pnpm", "npm", "yarn", "corepack")
#: Where prepared node_modules trees are kept (beside the caches' layers).
PREPARED = "node_modules"


def layers_root(base: Path) -> Path:
    """Where the layers of the shared caches in ``base`` (zebench's cache directory) are kept."""
    return base / "layers"


def stack(shared: Path) -> list[Path]:
    """The published layers of the shared cache folder ``shared`` (``…/pnpm-store``...), newest first (an
    overlay's first lower layer wins)."""
    folder = layers_root(shared.parent) / shared.name
    try:
        names = [n for n in os.listdir(folder) if not n.startswith(".")]
    except FileNotFoundError:
        return []
    return [folder / n for n in sorted(names, reverse=True)]


def publish(source: Path, shared: Path, gid: int) -> Path | None:
    """Make ``source`` (what a trusted install added to the shared cache ``shared``: its view's upper folder) a new
    layer: overlay markers dropped, given to root (group ``gid``: the sandbox users read it through their views),
    then moved into place with one rename. Returns the layer, or None when there was nothing to add."""
    _drop_overlay_markers(source)
    if not any(os.scandir(source)):
        return None
    folder = layers_root(shared.parent) / shared.name
    folder.mkdir(parents=True, exist_ok=True)
    return _move_in(source, folder / _layer_name(), gid)


def prepared(base: Path, key: str) -> Path | None:
    """The prepared node_modules of these install inputs (in zebench's cache directory ``base``), if one was
    published."""
    tree = layers_root(base) / PREPARED / key
    return tree if tree.is_dir() else None


def publish_prepared(source: Path, base: Path, key: str, gid: int) -> Path | None:
    """Publish ``source`` (the node_modules a trusted install made) as the prepared tree of ``key``; None when
    one exists already (``source`` is left as it is)."""
    folder = layers_root(base) / PREPARED
    folder.mkdir(parents=True, exist_ok=True)
    if (folder / key).exists():
        return None
    try:
        return _move_in(source, folder / key, gid)
    except FileExistsError:  # another process published it meanwhile
        return None


def install_key(inputs: Mapping[str, bytes], command: str, path: str) -> str:
    """What an install depends on: its input files (name -> content), the command, and the tools on ``path``."""
    digest = hashlib.sha256()
    for name in sorted(inputs):
        digest.update(f"{name}\0{len(inputs[name])}\0".encode())
        digest.update(inputs[name])
    digest.update(f"command\0{command.strip()}\0".encode())
    for tool in TOOLS:
        found = shutil.which(tool, path=path)
        if found is not None:
            real = os.path.realpath(found)
            info = os.stat(real)
            digest.update(f"{tool}\0{real}\0{info.st_size}\0{info.st_mtime_ns}\0".encode())
    return digest.hexdigest()[:32]


def _layer_name() -> str:
    """A new layer's name: short (an overlay's options hold a page: about 300 names), ordered by time."""
    ms, digits, name = time.time_ns() // 1_000_000, "0123456789abcdefghijklmnopqrstuvwxyz", ""
    while ms:
        ms, digit = divmod(ms, 36)
        name = digits[digit] + name
    return f"{name}-{secrets.token_hex(1)}"


def _move_in(source: Path, target: Path, gid: int) -> Path:
    _give_to_root(source, gid)
    staging = target.with_name(f".tmp-{target.name}-{secrets.token_hex(3)}")
    try:
        os.rename(source, staging)
    except OSError:  # another file system: copy (then the source is the caller's to remove)
        shutil.copytree(source, staging, symlinks=True)
        _give_to_root(staging, gid)
    try:
        os.rename(staging, target)
    except OSError:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return target


def _give_to_root(root: Path, gid: int) -> None:
    """Owner root, group ``gid``, no set-id bits: what a sandbox user made becomes a read-only layer (overlayfs
    never writes a lower layer; the owner only matters to what a view shows)."""
    for dirpath, dirnames, filenames in os.walk(root):
        for name in [*dirnames, *filenames, ""]:
            path = os.path.join(dirpath, name) if name else dirpath
            info = os.lstat(path)
            os.lchown(path, 0, gid)
            if not stat.S_ISLNK(info.st_mode) and info.st_mode & (stat.S_ISUID | stat.S_ISGID):
                os.chmod(path, stat.S_IMODE(info.st_mode) & ~stat.S_ISUID & ~(0 if name == "" else stat.S_ISGID))


def _drop_overlay_markers(root: Path) -> None:
    """Remove overlayfs' whiteouts (character devices 0/0: files the install deleted from a lower layer) from an
    upper folder about to become a layer: a layer only adds."""
    for dirpath, dirnames, filenames in os.walk(root):
        for name in [*dirnames, *filenames]:
            path = os.path.join(dirpath, name)
            info = os.lstat(path)
            if stat.S_ISCHR(info.st_mode) and info.st_rdev == 0:
                os.unlink(path)
