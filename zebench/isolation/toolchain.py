"""What scenario commands need from the machine: zebench's cache directory and the package managers' settings.

Validation and baseline commands install the fixture's dependencies again and again (once per run). Pointing
pnpm's store and metadata cache (and npm's and yarn's caches) at zebench's cache directory makes every install
after the first one a local copy: measured in docs/performance.md (scripts/bench/install.py).
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from .processes import EnvironKey, environ_key, environ_of

CACHE_ENV = "ZEBENCH_CACHE_DIR"


def cache_dir() -> Path:
    """``$ZEBENCH_CACHE_DIR``, else ``$XDG_CACHE_HOME/zebench``, else ``~/.cache/zebench``."""
    return _cache_dir(environ_key())


@lru_cache(maxsize=4)
def _cache_dir(key: EnvironKey) -> Path:
    environ = environ_of(key)
    explicit = environ.get(CACHE_ENV)
    if explicit:
        return Path(explicit)
    base = environ.get("XDG_CACHE_HOME") or str(Path(environ.get("HOME") or Path.home()) / ".cache")
    return Path(base) / "zebench"


def package_manager_env(base: Path | None = None) -> dict[str, str]:
    """Environment for commands that install packages: shared stores and caches under zebench's cache directory,
    cached registry metadata preferred (installs stay correct: missing metadata is still fetched)."""
    root = base or cache_dir()
    return {
        "npm_config_store_dir": str(root / "pnpm-store"),
        "npm_config_cache_dir": str(root / "pnpm-cache"),
        "npm_config_cache": str(root / "npm-cache"),
        "npm_config_prefer_offline": "true",
        "npm_config_update_notifier": "false",
        "npm_config_fund": "false",
        "npm_config_audit": "false",
        "YARN_CACHE_FOLDER": str(root / "yarn-cache"),
        "NEXT_TELEMETRY_DISABLED": "1",
    }


def package_manager_dirs(base: Path | None = None) -> list[Path]:
    """The directories of package_manager_env (a sandbox binds them writable)."""
    root = base or cache_dir()
    return [root / name for name in ("pnpm-store", "pnpm-cache", "npm-cache", "yarn-cache")]
