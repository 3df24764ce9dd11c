"""``zebench import``: runs from other harnesses' logs into the database (docs/import.md).

One module per format: :mod:`.inspect_log` (Inspect AI ``.eval`` and ``.json`` logs), :mod:`.harbor` (Harbor job
folders), :mod:`.terminal_bench` (``tb run`` folders), :mod:`.swebench` (SWE-bench evaluation reports). Each turns
a *source* (a log, a job, a run) into a batch and its runs, written through the store's public contract
(``Store.save_runs_chunked`` and ``save_batch``, as ``zebench ingest`` does): the store redacts secrets and keys
runs by their id, so importing the same files again changes nothing and a changed trial is an update.

A source is all or nothing: a file that cannot be read (corrupt, truncated, a value the store cannot keep) is
an error naming it, and nothing of it is stored; the other files and sources still are.
"""

from __future__ import annotations

import gc
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ...constants import plural
from ...store import Store, WriteCounts
from . import harbor, inspect_log, swebench, terminal_bench
from .common import FileProblem, ImportOptions, Mapping, Source, SourceError, UsageError

__all__ = [
    "FORMATS",
    "ImportOptions",
    "ImportReport",
    "Mapping",
    "SourceError",
    "SourceReport",
    "UsageError",
    "discover",
    "import_paths",
]

#: Format name -> (detect a source at a path, read it). Detection order matters: a Terminal-Bench run folder
#: is recognised before a folder of Harbor trials.
FORMATS: dict[str, tuple[Callable[[Path], bool], Callable[[Path, ImportOptions], Iterator[Source]]]] = {
    "inspect": (inspect_log.detect, inspect_log.read),
    "harbor": (harbor.detect, harbor.read),
    "terminal-bench": (terminal_bench.detect, terminal_bench.read),
    "swe-bench": (swebench.detect, swebench.read),
}
#: Records written per executemany round (one transaction per source all the same).
CHUNK = 2000
_STORE_ERRORS = (sqlite3.Error, OverflowError, ValueError, TypeError, UnicodeError)
_IGNORED_DIRS = {".git", "__pycache__", "node_modules", ".venv"}


@dataclass
class SourceReport:
    format: str
    path: str
    batch_id: str | None = None
    counts: WriteCounts = field(default_factory=WriteCounts)
    problems: list[FileProblem] = field(default_factory=list)
    runs: int = 0
    skipped: int = 0
    reported: dict[str, Any] = field(default_factory=dict)
    successful: int = 0

    @property
    def rejected(self) -> int:
        """Files (and so their trials) that could not be imported."""
        return len(self.problems)

    def describe(self) -> str:
        c = self.counts
        text = f"{c.new} new, {c.updated} updated, {c.unchanged} unchanged, {self.rejected} rejected"
        if self.batch_id:
            text += f" (batch {self.batch_id}: {plural(self.runs, 'run')}, {self.successful} successful)"
        if self.skipped:
            text += f"; {self.skipped} not in the mapping file, skipped"
        return text

    def to_json(self) -> dict[str, Any]:
        return {
            "format": self.format,
            "path": self.path,
            "batchId": self.batch_id,
            "runs": self.runs,
            "successfulRuns": self.successful,
            "newRuns": self.counts.new,
            "updatedRuns": self.counts.updated,
            "unchangedRuns": self.counts.unchanged,
            "rejectedFiles": self.rejected,
            "skippedTrials": self.skipped,
            "problems": [str(p) for p in self.problems],
            "reported": self.reported,
        }


@dataclass
class ImportReport:
    sources: list[SourceReport] = field(default_factory=list)

    @property
    def counts(self) -> WriteCounts:
        return sum((s.counts for s in self.sources), WriteCounts())

    @property
    def problems(self) -> list[FileProblem]:
        return [p for s in self.sources for p in s.problems]

    @property
    def failed(self) -> bool:
        return bool(self.problems)

    def summary(self) -> str:
        c, n = self.counts, len(self.sources)
        return (
            f"{n} source{'' if n == 1 else 's'}: {c.new} new, {c.updated} updated, {c.unchanged} unchanged, "
            f"{len(self.problems)} rejected"
        )

    def to_json(self) -> dict[str, Any]:
        c = self.counts
        return {
            "newRuns": c.new,
            "updatedRuns": c.updated,
            "unchangedRuns": c.unchanged,
            "rejectedFiles": len(self.problems),
            "failed": self.failed,
            "sources": [s.to_json() for s in self.sources],
        }


def _detect(path: Path) -> str | None:
    for name, (detect, _) in FORMATS.items():
        if detect(path):
            return name
    return None


def discover(paths: list[Path], forced: str | None = None) -> list[tuple[str, Path]]:
    """The sources at the paths, with their formats: a path that is a source itself (a log file, a job or run
    folder), or a folder searched for them. UsageError for a path that does not exist or holds none."""
    if forced is not None and forced not in FORMATS:
        raise UsageError(f"unknown format {forced!r} (known: {', '.join(FORMATS)})")
    found: list[tuple[str, Path]] = []
    for path in paths:
        if not path.exists():
            raise UsageError(f"{path}: no such file or directory")
        before = len(found)
        _walk(path, forced, found, top=True)
        if len(found) == before:
            what = f"no {forced} source" if forced else "no source of a known format"
            raise UsageError(
                f"{path}: {what} found (formats: {', '.join(FORMATS)}; --from FORMAT forces one; docs/import.md)"
            )
    unique: dict[Path, str] = {}
    for fmt, p in found:
        unique.setdefault(p.resolve(), fmt)
    return [(fmt, p) for p, fmt in unique.items()]


def _walk(path: Path, forced: str | None, found: list[tuple[str, Path]], top: bool = False) -> None:
    if forced is not None:
        detect = FORMATS[forced][0]
        if detect(path) or (top and path.is_file()):
            found.append((forced, path))
            return
    else:
        fmt = _detect(path)
        if fmt is not None:
            found.append((fmt, path))
            return
    if path.is_dir():
        for child in sorted(path.iterdir()):
            if child.name in _IGNORED_DIRS or child.name.startswith("."):
                continue
            _walk(child, forced, found)


@contextmanager
def _without_cyclic_collection() -> Iterator[None]:
    """Reading and storing a source builds millions of objects (parsed samples, records, rows) and no reference
    cycles; Python's cyclic collector would scan the growing heap again and again (at 40,000 Inspect trials, 47 s
    of reading took 27 s without it)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def read_source(fmt: str, path: Path, options: ImportOptions) -> list[Source]:
    reader = FORMATS[fmt][1]
    try:
        return list(reader(path, options))
    except SourceError as exc:  # a reader's error outside a source's own handling: the whole path
        return [Source(fmt, path, problems=[FileProblem(str(path), str(exc).removeprefix(f"{path}: "))])]


def store_source(store: Store, source: Source) -> WriteCounts:
    """The source's runs and its batch in one transaction: all of it, or (an error) nothing."""
    with store.db.atomic():
        counts = store.save_runs_chunked(source.runs, CHUNK) if source.runs else WriteCounts()
        if source.batch is not None:
            store.save_batch(source.batch)
    return counts


def import_paths(
    store: Store,
    paths: list[Path],
    options: ImportOptions | None = None,
    *,
    forced: str | None = None,
    progress: Callable[[SourceReport], None] | None = None,
) -> ImportReport:
    """Find, read and store every source at the paths; a bad file or source never stops the others."""
    options = options or ImportOptions()
    report = ImportReport()
    for fmt, path in discover(paths, forced):
        with _without_cyclic_collection():
            _import_path(store, fmt, path, options, report, progress)
    return report


def _import_path(
    store: Store,
    fmt: str,
    path: Path,
    options: ImportOptions,
    report: ImportReport,
    progress: Callable[[SourceReport], None] | None,
) -> None:
    """One path's sources, each read and stored (a bad one never stops the others), reported as it ends."""
    for source in read_source(fmt, path, options):
        entry = SourceReport(fmt, str(source.path), problems=list(source.problems), skipped=source.skipped)
        entry.reported = source.reported
        if source.runs or source.batch is not None:
            try:
                entry.counts = store_source(store, source)
            except _STORE_ERRORS as exc:
                entry.problems.append(FileProblem(str(source.path), f"not stored: {exc}"))
            else:
                entry.batch_id = source.batch.batch_id if source.batch else None
                entry.runs = len({r.run_id for r in source.runs})
                entry.successful = len({r.run_id for r in source.runs if r.is_successful})
        report.sources.append(entry)
        if progress is not None:
            progress(entry)
