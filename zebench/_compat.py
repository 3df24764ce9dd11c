"""Import paths that moved when the package was laid out by layer (issue 22), kept importable for one release.

``import zebench.runner`` (or ``from zebench.tools import Toolbox``) still works: a meta path finder hands back
the module at its new path, the same module object, so classes and isinstance checks agree. Third-party agents,
evaluators and executors written against the old paths keep working; docs/development.md lists the new ones.
No file stands at an old path, and nothing inside zebench imports through one (tests/test_layout.py).
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.machinery
import sys
from collections.abc import Sequence
from types import ModuleType

#: Old module -> where it lives now.
MOVED = {
    "zebench._reaper": "zebench.isolation._reaper",
    "zebench._render": "zebench.report.tables",
    "zebench.analysis": "zebench.report.analysis",
    "zebench.batch": "zebench.execution.batch",
    "zebench.check": "zebench.authoring.readiness",
    "zebench.executors": "zebench.execution.executors",
    "zebench.executors.dask": "zebench.execution.executors.dask",
    "zebench.executors.local": "zebench.execution.executors.local",
    "zebench.executors.remote": "zebench.execution.executors.remote",
    "zebench.executors._local_worker": "zebench.execution.executors._local_worker",
    "zebench.ingest": "zebench.io.ingest",
    "zebench.jsonsafe": "zebench.models.jsonsafe",
    "zebench.manifests": "zebench.run.manifests",
    "zebench.openapi": "zebench.models.openapi",
    "zebench.processes": "zebench.isolation.processes",
    "zebench.progress": "zebench.report.progress",
    "zebench.redact": "zebench.isolation.redact",
    "zebench.runner": "zebench.execution.runner",
    "zebench.sandbox": "zebench.isolation.sandbox",
    "zebench.scoring": "zebench.run.scoring",
    "zebench.serve": "zebench.io.serve",
    "zebench.stats": "zebench.report.stats",
    "zebench.submit": "zebench.io.submit",
    "zebench.synthetic": "zebench.testing.synthetic",
    "zebench.toolchain": "zebench.isolation.toolchain",
    "zebench.tools": "zebench.run.tools",
    "zebench.validation": "zebench.run.validation",
    "zebench.workspace": "zebench.run.workspace",
}


class _Alias(importlib.abc.Loader):
    def __init__(self, target: str):
        self.target = target
        self.own_spec: importlib.machinery.ModuleSpec | None = None

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> ModuleType:
        module = importlib.import_module(self.target)
        self.own_spec = module.__spec__
        return module

    def exec_module(self, module: ModuleType) -> None:
        # the import system has just set the module's __spec__ to the alias's: give the module its own back
        module.__spec__ = self.own_spec


class _MovedFinder(importlib.abc.MetaPathFinder):
    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        new = MOVED.get(fullname)
        if new is None:
            return None
        return importlib.machinery.ModuleSpec(fullname, _Alias(new), is_package=False)


def install() -> None:
    if not any(isinstance(f, _MovedFinder) for f in sys.meta_path):
        # first: the path finder would otherwise load a moved package's module a second time under its old name
        sys.meta_path.insert(0, _MovedFinder())
