"""Names and defaults that the CLI, the library and the server share, defined once.

Cheap to import (the CLI builds its options from these before any heavy module loads). Environment variables
have one prefix, ``ZEBENCH_``; the original ze-benchmarks names (``ZE_BENCHMARKS_*``) are read as aliases.
"""

from __future__ import annotations

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


__all__ = [
    "DEFAULT_DB_PATH",
    "DEFAULT_MAX_FILE_SIZE_BYTES",
    "DEFAULT_MAX_MEMORY_BYTES",
    "DEFAULT_MAX_PROCESSES",
    "DEFAULT_SPOOL",
    "ENV_PREFIX",
    "TOKEN_ENV",
    "TOKEN_ENVS",
    "TOKEN_ENV_ALIAS",
    "URL_ENV",
    "URL_ENVS",
    "URL_ENV_ALIAS",
    "api_token",
]
