"""``zebench ingest``: merge result files written elsewhere (CI shards, other machines) into the database.

Accepted: results JSONL (one run record per line, as ``zebench run --output`` writes), JSON arrays of run
records, and single JSON objects; the original project's payloads are accepted as they are. Folders are
searched for ``*.jsonl`` and ``*.json``.

Every bad record is a per-record problem (``file:line: reason``): a line that is not JSON, a value the store
cannot hold (an integer beyond 64 bits, NaN or Infinity, a lone surrogate: see :mod:`zebench.jsonsafe`), nesting
deeper than ``jsonsafe.MAX_DEPTH`` (measured before parsing), a record the model refuses. Reading goes on with
the next record and the next file (in a JSON array, a bad item spoils only itself, except an integer of over
4,300 digits, which Python's parser refuses for the whole document). Each file is all-or-nothing unless
``skip_invalid``: a file with a bad record is not loaded (nothing of it is written), the other files are. With
``skip_invalid`` the valid records of every file are stored. A last line cut short (a writer that crashed) is
reported but does not stop the rest of its file. A run is keyed by its runId: the report counts runs new, updated
(stored before with other content: rewritten) and unchanged (already stored exactly so: left alone), and records
rejected; re-ingesting the same files changes nothing. Batch aggregates are recomputed from the stored runs, and
the store redacts secrets from every record it writes (:mod:`zebench.redact`). A batch whose matrix is unknown here
(a shard run elsewhere, the original's result files) is complete once ingested, completed when its latest run
completed; one whose expected runs are known is complete when they are all stored.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from ..models import CHECKED_JSON, RunRecord, jsonsafe
from ..store import Store, WriteCounts

#: Records written per executemany round (one transaction per file all the same).
CHUNK = 2000


@dataclass
class Problem:
    path: str
    line: int | None
    error: str
    #: A bad record (skipped with --skip-invalid), rather than a file that could not be read or stored.
    record: bool = True

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.error}" if self.line is not None else f"{self.path}: {self.error}"


@dataclass
class FileReport:
    path: str
    valid: int = 0
    #: What storing the file's valid records did (nothing when the file was not loaded).
    counts: WriteCounts = field(default_factory=WriteCounts)
    problems: list[Problem] = field(default_factory=list)
    truncated_last_line: bool = False

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def loaded(self) -> int:
        """Distinct runs of the file now stored as it gives them (new, updated or unchanged)."""
        return self.counts.total

    @property
    def invalid(self) -> int:
        """Records rejected: bad records, and records the store refused."""
        return sum(p.record for p in self.problems)

    @property
    def left_out(self) -> bool:
        """A file not loaded at all because of its bad records (without --skip-invalid)."""
        return bool(self.problems) and not self.loaded

    def describe(self, skip_invalid: bool) -> str:
        """One line saying what happened to the file."""
        if self.left_out and not skip_invalid and self.invalid:
            text = (
                f"not loaded: {self.invalid} rejected of {self.valid + self.invalid} records (nothing of it was "
                f"written; --skip-invalid stores its {self.valid} valid record{_s(self.valid)})"
            )
        elif self.left_out and not self.invalid:
            text = "not loaded"
        else:
            text = _counts_text(self.counts, self.invalid)
        if self.counts.duplicates:
            text += f"; {self.counts.duplicates} repeated runId{_s(self.counts.duplicates)} (the last copy kept)"
        if self.truncated_last_line:
            text += "; truncated last line skipped"
        return text


def _s(n: int) -> str:
    return "" if n == 1 else "s"


def _counts_text(counts: WriteCounts, rejected: int) -> str:
    return f"{counts.new} new, {counts.updated} updated, {counts.unchanged} unchanged, {rejected} rejected"


@dataclass
class IngestReport:
    files: list[FileReport] = field(default_factory=list)
    skip_invalid: bool = False

    @property
    def counts(self) -> WriteCounts:
        return sum((f.counts for f in self.files), WriteCounts())

    @property
    def loaded(self) -> int:
        return sum(f.loaded for f in self.files)

    @property
    def invalid(self) -> int:
        return sum(f.invalid for f in self.files)

    @property
    def problems(self) -> list[Problem]:
        return [p for f in self.files for p in f.problems]

    @property
    def failed(self) -> bool:
        """The exit status is 1. Without --skip-invalid: anything was reported (a file was left out, a last line
        was cut). With it: a file could not be read or stored, or no record of any file was valid."""
        if not self.skip_invalid:
            return bool(self.problems) or any(f.truncated_last_line for f in self.files)
        return any(not p.record for p in self.problems) or (self.loaded == 0 and bool(self.problems))

    def summary(self) -> str:
        """What the whole ingest did: runs new, updated (stored before with other content), unchanged (already
        stored as they are) and records rejected; files left out and why."""
        files = len(self.files)
        text = f"{files} file{_s(files)}: {_counts_text(self.counts, self.invalid)}"
        left_out = [f for f in self.files if f.left_out and f.invalid and not self.skip_invalid]
        if left_out:
            valid = sum(f.valid for f in left_out)
            text += (
                f"; {len(left_out)} file{_s(len(left_out))} not loaded because of "
                f"{sum(f.invalid for f in left_out)} rejected record{_s(sum(f.invalid for f in left_out))} "
                f"(nothing of {'it' if len(left_out) == 1 else 'them'} was written; --skip-invalid stores "
                f"{'its' if len(left_out) == 1 else 'their'} {valid} valid record{_s(valid)})"
            )
        unreadable = [f for f in self.files if any(not p.record for p in f.problems)]
        if unreadable:
            text += f"; {len(unreadable)} file{_s(len(unreadable))} could not be read or stored"
        if self.skip_invalid and self.loaded == 0 and self.problems:
            text += "; no valid record to store"
        return text

    def to_json(self) -> dict[str, Any]:
        counts = self.counts
        return {
            "newRuns": counts.new,
            "updatedRuns": counts.updated,
            "unchangedRuns": counts.unchanged,
            "rejectedRecords": self.invalid,
            "repeatedRunIds": counts.duplicates,
            "storedRuns": self.loaded,
            "loadedRuns": self.loaded,
            "invalidRecords": self.invalid,
            "skipInvalid": self.skip_invalid,
            "failed": self.failed,
            "files": [
                {
                    "path": f.path,
                    "validRecords": f.valid,
                    "loadedRecords": f.loaded,
                    "invalidRecords": f.invalid,
                    "newRuns": f.counts.new,
                    "updatedRuns": f.counts.updated,
                    "unchangedRuns": f.counts.unchanged,
                    "rejectedRecords": f.invalid,
                    "repeatedRunIds": f.counts.duplicates,
                    "loaded": not f.left_out,
                    "truncatedLastLine": f.truncated_last_line,
                    "problems": [str(p) for p in f.problems],
                }
                for f in self.files
            ],
        }


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


def _record(item: Any) -> RunRecord:
    """A run record from a parsed JSON value whose values were checked (jsonsafe.loads or _checked, so the model
    need not check them again); ValueError (ValidationError included) when it is not one."""
    try:
        return RunRecord.model_validate(item, context=CHECKED_JSON)
    except ValidationError:
        raise
    except (TypeError, RecursionError) as exc:  # a validator tripping on a value of the wrong shape
        raise ValueError(f"{type(exc).__name__}: {exc}") from None


def _reason(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        return _describe(exc)
    if isinstance(exc, json.JSONDecodeError):
        return f"invalid JSON: {exc.msg} (column {exc.colno})"
    if "integer string conversion" in str(exc):  # json's own ValueError for an integer of over 4,300 digits
        return "integer outside the 64-bit range SQLite stores (-2^63 .. 2^63-1)"
    return str(exc)


def _checked(item: Any) -> RunRecord:
    """A run record from a JSON value parsed without jsonsafe.loads (an item of an array), refusing values the
    store cannot keep (ValueError)."""
    problems = jsonsafe.unstorable_values(item)
    if problems:
        raise ValueError(jsonsafe.describe(problems))
    return _record(item)


def _parses(line: str) -> bool:
    try:
        jsonsafe.loads(line)
    except ValueError:
        return False
    return True


def parse_file(path: Path) -> tuple[list[RunRecord], FileReport]:
    report = FileReport(str(path))
    records: list[RunRecord] = []
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        report.problems.append(Problem(str(path), None, f"cannot read: {exc}", record=False))
        return records, report
    stripped = text.lstrip()
    if stripped.startswith("["):  # a JSON array
        try:
            # Depth first (never a RecursionError), then values item by item: one bad item spoils only itself.
            if jsonsafe.nested_deeper_than(text, jsonsafe.MAX_DEPTH + 1):
                raise jsonsafe.JsonLimitError(f"JSON nested deeper than {jsonsafe.MAX_DEPTH} levels")
            items = json.loads(text)
        except ValueError as exc:  # bad syntax or too deep: the whole document is unreadable
            lineno = exc.lineno if isinstance(exc, json.JSONDecodeError) else None
            report.problems.append(Problem(str(path), lineno, _reason(exc)))
            return records, report
        for index, item in enumerate(items if isinstance(items, list) else [items]):
            try:
                records.append(_checked(item))
            except ValueError as exc:
                report.problems.append(Problem(f"{path}[{index}]", None, _reason(exc)))
        report.valid = len(records)
        return records, report
    lines = text.split("\n")
    content = [i for i, line in enumerate(lines) if line.strip()]
    last_content = content[-1] if content else -1
    if stripped.startswith("{") and len(content) > 1 and not _parses(lines[content[0]]):
        # Maybe one pretty-printed JSON object rather than JSON Lines; if not, read it line by line.
        try:
            whole = jsonsafe.loads(text)
        except ValueError:
            pass
        else:
            try:
                records.append(_record(whole))
            except ValueError as exc:
                report.problems.append(Problem(str(path), None, _reason(exc)))
            report.valid = len(records)
            return records, report
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            records.append(_record(jsonsafe.loads(line)))
        except ValueError as exc:  # bad JSON, a value refused by jsonsafe, a record refused by the model
            if isinstance(exc, json.JSONDecodeError) and number - 1 == last_content and not text.endswith("\n"):
                report.truncated_last_line = True  # a writer died mid-line: report, keep the rest
                continue
            report.problems.append(Problem(str(path), number, _reason(exc)))
    report.valid = len(records)
    return records, report


#: What a write of records that passed validation can still raise (a value SQLite refuses...).
STORE_ERRORS = (sqlite3.Error, OverflowError, ValueError, TypeError, UnicodeError)


def ingest_paths(store: Store, paths: list[Path], *, skip_invalid: bool = False) -> IngestReport:
    """Parse and store every file; a bad record or file never stops the others (see the module docstring)."""
    report = IngestReport(skip_invalid=skip_invalid)
    for path in expand(paths):
        records, file_report = parse_file(path)
        report.files.append(file_report)
        if file_report.problems and not skip_invalid:
            continue  # all or nothing
        if not records:
            continue
        try:
            file_report.counts = store.save_runs_chunked(records, CHUNK, ingested=True)  # one transaction
        except STORE_ERRORS as exc:
            if not skip_invalid:
                file_report.problems.append(Problem(str(path), None, f"not stored: {exc}", record=False))
                continue
            # Find the records the store refuses, one transaction each, and keep the others.
            for record in records:
                try:
                    file_report.counts += store.save_runs_chunked([record], CHUNK, ingested=True)
                except STORE_ERRORS as one:
                    file_report.problems.append(Problem(str(path), None, f"run {record.run_id}: not stored: {one}"))
    return report
