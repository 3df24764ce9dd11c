"""zebench: a benchmark harness and reporting platform for AI coding agents.

The public API is small on purpose (docs/development.md#public-api):

- ``Catalog``: load and validate suites (``Catalog(suites_dir).load_all()``, ``.select(["suite/scenario"])``).
- ``make_plan`` and ``run_batch``: plan a batch (scenarios x tiers x agents x models x repeats) and run it
  (``asyncio.run(run_batch(store, plan))``), storing every run.
- ``RunRequest`` and ``run_request``: what `zebench run` does, as a function (``run_request(RunRequest(agents=
  ["oracle"], tiers=["L1"]))``: the command's options as fields, with their defaults).
- ``Store``: the SQLite database (``Store(path)``: ``save_runs``, ``get_run``, ``get_batch``, ``run_ids``).
- The record models: ``RunRecord`` (one run, the JSON document `--output` writes), ``BatchRecord``,
  ``Evaluation``, ``ValidationResult``, ``Failure``, ``Telemetry``, ``Transcript``, and ``ScenarioSpec`` (a
  scenario.yaml).
- ``__version__``.

Everything else is internal and may change. The names are imported on first use, so ``import zebench`` stays
quick.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

from . import _compat

_compat.install()  # the import paths of zebench 0.1 (zebench.runner, zebench.tools, ...) keep working

if TYPE_CHECKING:
    from .catalog import Catalog
    from .execution.batch import make_plan, run_batch
    from .execution.request import RunRequest, run_request
    from .models import (
        BatchRecord,
        Evaluation,
        Failure,
        RunRecord,
        ScenarioSpec,
        Telemetry,
        Transcript,
        ValidationResult,
    )
    from .store import Store

    __version__: str

#: Where each public name lives.
_PUBLIC = {
    "Catalog": "catalog",
    "make_plan": "execution.batch",
    "run_batch": "execution.batch",
    "RunRequest": "execution.request",
    "run_request": "execution.request",
    "Store": "store",
    "RunRecord": "models",
    "BatchRecord": "models",
    "Evaluation": "models",
    "ValidationResult": "models",
    "Failure": "models",
    "Telemetry": "models",
    "Transcript": "models",
    "ScenarioSpec": "models",
}

__all__ = [
    "BatchRecord",
    "Catalog",
    "Evaluation",
    "Failure",
    "RunRecord",
    "RunRequest",
    "ScenarioSpec",
    "Store",
    "Telemetry",
    "Transcript",
    "ValidationResult",
    "__version__",
    "make_plan",
    "run_batch",
    "run_request",
]


def __getattr__(name: str) -> Any:
    if name == "__version__":
        from .constants import zebench_version

        value: Any = zebench_version()
    elif name in _PUBLIC:
        value = getattr(import_module(f".{_PUBLIC[name]}", __name__), name)
    else:
        raise AttributeError(f"module 'zebench' has no attribute {name!r}")
    globals()[name] = value  # once: later lookups do not come here
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
