"""Names and defaults that the CLI, the library and the server share, defined once.

Cheap to import (the CLI builds its options from these before any heavy module loads). Environment variables
have one prefix, ``ZEBENCH_``; the original ze-benchmarks names (``ZE_BENCHMARKS_*``) are read as aliases.
"""

from __future__ import annotations

import functools
import os
from pathlib import Path

#: Prefix of every environment variable zebench reads. Each CLI option also reads ZEBENCH_<COMMAND>_<OPTION>.
ENV_PREFIX = "ZEBENCH"

DEFAULT_DB_PATH = Path("data/zebench.db")
#: Where `zebench run --submit` keeps the runs it could not deliver, for `zebench submit`.
DEFAULT_SPOOL = Path("data/submit-spool.jsonl")

#: The bearer token of the results API: the server checks it, `run --submit` and `submit` send it.
TOKEN_ENV = "ZEBENCH_API_KEY"
#: The results server's base URL for `run --submit` and `submit`.
URL_ENV = "ZEBENCH_WORKER_URL"
#: The original project's names for the same two variables, still read (after zebench's own).
TOKEN_ENV_ALIAS = "ZE_BENCHMARKS_API_KEY"
URL_ENV_ALIAS = "ZE_BENCHMARKS_WORKER_URL"
TOKEN_ENVS = (TOKEN_ENV, TOKEN_ENV_ALIAS)
URL_ENVS = (URL_ENV, URL_ENV_ALIAS)
#: The original project's server-side name of the token (its worker's secret), read by `zebench serve` last.
SERVER_TOKEN_ENV_ORIGINAL = "API_SECRET_KEY"
SERVER_TOKEN_ENVS = (*TOKEN_ENVS, SERVER_TOKEN_ENV_ORIGINAL)
#: The original's local development token (its README, its worker and its write client's default): a server bound
#: to loopback with no token configured accepts it, so the original's client's results are not refused. Not a
#: secret: any local process knows it (docs/security.md).
DEV_LOCAL_KEY = "dev-local-key"

#: Runs of each agent per scenario in `zebench check`. A check failing at random with probability p shows both
#: outcomes in n runs with probability 1 - p^n - (1-p)^n; for p = 1/2 that is 1 - 2/2^n: 50% at n = 2, 93.75% at
#: 5, 96.9% at 6, the fewest runs that catch such a check at least 95% of the time.
CHECK_REPEAT = 6

#: Per-command resource limits (see zebench.processes.Limits and docs/security.md).
DEFAULT_MAX_PROCESSES = 1024
DEFAULT_MAX_MEMORY_BYTES = 4 * 1024**3
DEFAULT_MAX_FILE_SIZE_BYTES = 1024**3


def api_token() -> str | None:
    """The API token from ZEBENCH_API_KEY, else ZE_BENCHMARKS_API_KEY; None when neither is set (or empty)."""
    for name in TOKEN_ENVS:
        if value := os.environ.get(name):
            return value
    return None


def server_token() -> str | None:
    """The token `zebench serve` checks writes against: ZEBENCH_API_KEY, else ZE_BENCHMARKS_API_KEY, else the
    original server's API_SECRET_KEY; None when none is set (or empty)."""
    for name in SERVER_TOKEN_ENVS:
        if value := os.environ.get(name):
            return value
    return None


def is_loopback_host(host: str) -> bool:
    """Whether a host name or address only reaches this machine (127.0.0.0/8, ::1, localhost). ``0.0.0.0`` and
    ``::`` listen on every interface: not loopback."""
    import ipaddress

    name = host.strip().strip("[]").lower()
    if name == "localhost" or name.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def client_token(url: str) -> str | None:
    """The token `run --submit` and `submit` send: api_token(), else, to a server on loopback, the original's
    local development token (as the original's client does), which such a server accepts when it has none."""
    from urllib.parse import urlsplit

    token = api_token()
    if token is None and is_loopback_host(urlsplit(url).hostname or ""):
        return DEV_LOCAL_KEY
    return token


__all__ = [
    "DEFAULT_DB_PATH",
    "DEFAULT_MAX_FILE_SIZE_BYTES",
    "DEFAULT_MAX_MEMORY_BYTES",
    "DEFAULT_MAX_PROCESSES",
    "DEFAULT_SPOOL",
    "DEV_LOCAL_KEY",
    "ENV_PREFIX",
    "SERVER_TOKEN_ENVS",
    "SERVER_TOKEN_ENV_ORIGINAL",
    "TOKEN_ENV",
    "TOKEN_ENVS",
    "TOKEN_ENV_ALIAS",
    "URL_ENV",
    "URL_ENVS",
    "URL_ENV_ALIAS",
    "api_token",
    "client_token",
    "is_loopback_host",
    "server_token",
]

#: Where `zebench serve --site DIR` serves the report site: under Datasette's reserved /-/ prefix, so that no
#: database name can shadow it.
SITE_PREFIX = "/-/site/"
#: Pages of the API's run lists (/api/v2): the default and the largest page.
DEFAULT_PAGE = 50
MAX_PAGE = 1000
#: Most rows one original-shaped /api/runs or /api/batches answer holds (the original had no cap; its dashboard
#: asks for 10,000). Larger limits are served as this many rather than refused.
ORIGINAL_MAX_ROWS = 50_000
#: Filters of the original's /api/runs (exact match; empty values ignored, as its worker does).
ORIGINAL_RUN_FILTERS = ("suite", "scenario", "agent", "status")


@functools.cache
def zebench_version() -> str:
    """The installed version (``zebench.__version__``), read from the package's metadata once, when first asked."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("zebench")
    except PackageNotFoundError:  # running from a source tree that was never installed
        return "0.0.0+unknown"


def plural(count: int, singular: str, many: str | None = None) -> str:
    """``count`` and the noun that agrees with it, as every line the CLI prints says it: "1 batch", "2 batches",
    "1,204 runs" (``many``: the plural when it is not ``singular`` + "s")."""
    word = singular if count == 1 else many or singular + "s"
    return f"{count:,} {word}"
