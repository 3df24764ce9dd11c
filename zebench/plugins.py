"""The one registry mechanism: agents, evaluators and executors are found through Python entry points.

zebench's own agents, evaluators and executors are registered in its ``pyproject.toml`` exactly as a third-party
package registers its own, and are loaded through the same path. Every problem is loud: an unknown name lists the
known ones, an entry that cannot be imported or does not name a subclass of the right base class is an error
naming the entry and its target, and a group with no entry at all (zebench's metadata not installed: a source
tree run without ``pip install -e .``) is an error that says so, never an empty registry that would store every run
without a score. ``register`` adds a class in this process only (scripts and tests).
"""

from __future__ import annotations

from functools import cache
from importlib.metadata import EntryPoint, entry_points
from typing import Any

#: Entry-point groups, one per kind of plugin.
AGENTS = "zebench.agents"
EVALUATORS = "zebench.evaluators"
EXECUTORS = "zebench.executors"
KINDS = {AGENTS: "agent", EVALUATORS: "evaluator", EXECUTORS: "executor"}

_registered: dict[str, dict[str, type]] = {}
#: Classes loaded from entry points, by (group, name).
_loaded: dict[tuple[str, str], type] = {}


class PluginError(Exception):
    """A plugin that is unknown, missing, or not what its entry point says."""


@cache
def _entry_points(group: str) -> dict[str, EntryPoint]:
    found = {ep.name: ep for ep in entry_points(group=group)}
    if not found:
        raise PluginError(
            f"no {KINDS.get(group, group)} is registered (entry-point group {group!r} is empty): zebench's package "
            "metadata is not installed; install it with `pip install -e .` (a checkout) or `pip install zebench`"
        )
    return found


def names(group: str) -> list[str]:
    """Every registered name of a group, sorted (entry points and this process's ``register`` calls)."""
    return sorted(set(_entry_points(group)) | set(_registered.get(group, {})))


def register(group: str, name: str, cls: type, base: type) -> None:
    """Register ``cls`` under ``name`` in this process (packages use their entry points)."""
    if not (isinstance(cls, type) and issubclass(cls, base)):
        raise TypeError(f"a {KINDS.get(group, group)} must subclass {base.__module__}.{base.__qualname__}")
    _registered.setdefault(group, {})[name] = cls


def registered(group: str, base: type) -> dict[str, type[Any]]:
    """The classes ``register`` added in this process (not those of entry points)."""
    return {name: cls for name, cls in _registered.get(group, {}).items() if issubclass(cls, base)}


def unregister(group: str, name: str) -> None:
    _registered.get(group, {}).pop(name, None)


def load(group: str, name: str, base: type, *, install_hint: str = "") -> type[Any]:
    """The class registered as ``name``; PluginError when unknown, not importable (``install_hint`` tells what to
    install) or not a subclass of ``base``."""
    kind = KINDS.get(group, group)
    local = _registered.get(group, {})
    if name in local:
        return local[name]
    points = _entry_points(group)
    if name not in points:
        raise PluginError(f"unknown {kind} {name!r}; available: {', '.join(names(group))}")
    loaded = _loaded.get((group, name))
    if loaded is not None and issubclass(loaded, base):  # every run asks again: an import each time costs
        return loaded
    point = points[name]
    try:
        cls: type[Any] = point.load()
    except ImportError as exc:
        raise PluginError(
            f"the {kind} {name!r} ({point.value}) needs a package that is not installed: {exc}{install_hint}"
        ) from None
    except Exception as exc:  # a broken plugin is named, whatever it raised
        problem = f"{type(exc).__name__}: {exc}"
        raise PluginError(f"the {kind} {name!r} ({point.value}) cannot be loaded: {problem}") from None
    if not (isinstance(cls, type) and issubclass(cls, base)):
        raise PluginError(
            f"the {kind} entry point {name!r} ({point.value}) does not name a subclass of "
            f"{base.__module__}.{base.__qualname__}"
        )
    _loaded[(group, name)] = cls
    return cls


def load_all(group: str, base: type) -> dict[str, type[Any]]:
    """Every registered class of a group; the first broken entry is a PluginError (never left out silently)."""
    return {name: load(group, name, base) for name in names(group)}
