"""``zebench ingest``: merge result files written elsewhere (CI shards, other machines) into the database.

Accepted: results JSONL (one run record per line, as ``zebench run --output`` writes), JSON arrays of run
records, and single JSON objects; the original project's payloads are accepted as they are. Folders are
searched for ``*.jsonl`` and ``*.json``. Each file is all-or-nothing unless ``skip_invalid``: a bad record is
reported as ``file:line: error`` and its file is not loaded. A last line cut short (a writer that crashed) is
reported but does not stop the rest of its file. Re-ingesting the same files changes nothing: a run is keyed
by its runId. Batch aggregates are recomputed from the stored runs.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from .models import RunRecord
from .store import Store

#: Records written per executemany round (one transaction per file all the same).
CHUNK = 2000


@dataclass
class Problem:
    path: str
    line: int | None
    error: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.error}" if self.line is not None else f"{self.path}: {self.error}"


@dataclass
class FileReport:
    path: str
    valid: int = 0
    loaded: int = 0
    problems: list[Problem] = field(default_factory=list)
    truncated_last_line: bool = False

    @property
    def ok(self) -> bool:
        return not self.problems


@dataclass
class IngestReport:
    files: list[FileReport] = field(default_factory=list)

    @property
    def loaded(self) -> int:
        return sum(f.loaded for f in self.files)

    @property
    def problems(self) -> list[Problem]:
        return [p for f in self.files for p in f.problems]

    def to_json(self) -> dict[str, Any]:
        return {"loadedRuns": self.loaded, "files": [
            {"path": f.path, "validRecords": f.valid, "loadedRecords": f.loaded,
             "truncatedLastLine": f.truncated_last_line, "problems": [str(p) for p in f.problems]}
            for f in self.files]}


class IngestError(Exception):
    """A path that cannot be read at all (nothing was written)."""


def expand(paths: list[Path]) -> list[Path]:
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files += sorted(p for p in path.rglob("*") if p.is_file() and p.suffix in (".jsonl", ".json"))
        elif path.is_file():
            files.append(path)
        else:
            raise IngestError(f"{path}: no such file or directory")
    return files


def _describe(exc: ValidationError) -> str:
    return "; ".join(f"{'.'.join(str(x) for x in e['loc']) or '(record)'}: {e['msg']}" for e in exc.errors()[:5])


def parse_file(path: Path) -> tuple[list[RunRecord], FileReport]:
    report = FileReport(str(path))
    records: list[RunRecord] = []
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        report.problems.append(Problem(str(path), None, f"cannot read: {exc}"))
        return records, report
    stripped = text.lstrip()
    if stripped.startswith("["):  # a JSON array
        try:
            items = json.loads(text)
        except json.JSONDecodeError as exc:
            report.problems.append(Problem(str(path), exc.lineno, f"invalid JSON: {exc.msg}"))
            return records, report
        numbered = [(f"[{i}]", item) for i, item in enumerate(items)]
        for index, item in numbered:
            try:
                records.append(RunRecord.model_validate(item))
            except ValidationError as exc:
                report.problems.append(Problem(f"{path}{index}", None, _describe(exc)))
        report.valid = len(records)
        return records, report
    lines = text.split("\n")
    last_content = max((i for i, line in enumerate(lines) if line.strip()), default=-1)
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except json.JSONDecodeError as exc:
            if number - 1 == last_content and not text.endswith("\n"):
                report.truncated_last_line = True  # a writer died mid-line: report, keep the rest
                continue
            if number == 1 and stripped.startswith("{") and len([x for x in lines if x.strip()]) > 1:
                # one pretty-printed JSON object rather than JSON Lines
                try:
                    records.append(RunRecord.model_validate(json.loads(text)))
                except (json.JSONDecodeError, ValidationError) as whole:
                    message = _describe(whole) if isinstance(whole, ValidationError) else f"invalid JSON: {whole}"
                    report.problems.append(Problem(str(path), None, message))
                report.valid = len(records)
                return records, report
            report.problems.append(Problem(str(path), number, f"invalid JSON: {exc.msg}"))
            continue
        try:
            records.append(RunRecord.model_validate(item))
        except ValidationError as exc:
            report.problems.append(Problem(str(path), number, _describe(exc)))
    report.valid = len(records)
    return records, report


def ingest_paths(store: Store, paths: list[Path], *, skip_invalid: bool = False) -> IngestReport:
    report = IngestReport()
    for path in expand(paths):
        records, file_report = parse_file(path)
        report.files.append(file_report)
        if file_report.problems and not skip_invalid:
            continue  # all or nothing
        if records:
            store.save_runs_chunked(records, CHUNK)
            file_report.loaded = len(records)
    return report
