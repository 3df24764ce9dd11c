"""zebench's runs (/api/v2/runs and the run view): pages of runs, one run's parts, run details in chunks; and the
stored rows of runs, part by part, that both the run details and the records read back are made from."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from typing import Any, cast

from ...constants import DEFAULT_PAGE, MAX_PAGE
from ...models.run import (
    BASELINE,
    DEPENDENCY_CHANGES,
    DIFF_FILES,
    EVALUATIONS,
    MANIFESTS,
    MESSAGES,
    RUN_PARTS,
    RUNS,
    TELEMETRY,
    TOOL_CALLS,
    VALIDATION,
    Shape,
    Table,
)
from ...models.shapes import (
    EvaluationRowDict,
    RunDetailDict,
    RunRowDict,
    TelemetryRowDict,
    TranscriptBodyDict,
)
from ..rows import Reader, select_list, shape_reader
from .common import RUN_FILTERS, _time_window, decode_cursor, encode_cursor

_RUN_SELECT, _read_run = shape_reader(RUNS, "v2")
#: The parts of a run a transcript is made of (read only when asked for: they are most of a run's bytes).
TRANSCRIPT_PARTS = (MESSAGES, TOOL_CALLS)


def _run_row(row: Any) -> RunRowDict:
    return cast(RunRowDict, _read_run(row))


def query_runs(
    conn: sqlite3.Connection,
    filters: dict[str, str] | None = None,
    *,
    since: str | None = None,
    until: str | None = None,
    limit: int = DEFAULT_PAGE,
    cursor: str | None = None,
) -> tuple[list[RunRowDict], str | None]:
    """Runs newest first with exact-match filters (see RUN_FILTERS) and keyset pagination."""
    where: list[str] = []
    params: list[Any] = []
    for key, value in (filters or {}).items():
        where.append(f"{RUN_FILTERS[key]} = ?")
        params.append(value)
    _time_window(where, params, since, until)
    if cursor:
        (last_id,) = decode_cursor(cursor)
        if not isinstance(last_id, int):
            raise ValueError("invalid cursor")
        where.append("id < ?")
        params.append(last_id)
    limit = max(1, min(limit, MAX_PAGE))
    sql = (
        f"SELECT {_RUN_SELECT} FROM benchmark_runs {'WHERE ' + ' AND '.join(where) if where else ''} "
        f"ORDER BY id DESC LIMIT ?"
    )
    rows = [_run_row(r) for r in conn.execute(sql, (*params, limit + 1))]
    next_cursor = encode_cursor(rows[limit - 1]["id"]) if len(rows) > limit else None
    return rows[:limit], next_cursor


def query_run(conn: sqlite3.Connection, run_id: str) -> RunRowDict | None:
    row = conn.execute(f"SELECT {_RUN_SELECT} FROM benchmark_runs WHERE run_id = ?", (run_id,)).fetchone()
    return None if row is None else _run_row(row)


def _part_rows(conn: sqlite3.Connection, table: Table, run_id: str) -> list[dict[str, Any]]:
    """One run's rows of a part table, in zebench's shape."""
    select, read = shape_reader(table, "v2")
    order = f" ORDER BY {table.order}" if table.order else ""
    return [read(r) for r in conn.execute(f"SELECT {select} FROM {table.name} WHERE run_id = ?{order}", (run_id,))]


def query_evaluations(conn: sqlite3.Connection, run_id: str) -> list[EvaluationRowDict]:
    return cast(list[EvaluationRowDict], _part_rows(conn, EVALUATIONS, run_id))


def query_telemetry(conn: sqlite3.Connection, run_id: str) -> TelemetryRowDict | None:
    rows = _part_rows(conn, TELEMETRY, run_id)
    return cast(TelemetryRowDict, rows[0]) if rows else None


def query_transcript(conn: sqlite3.Connection, run_id: str) -> TranscriptBodyDict:
    messages, calls = (_part_rows(conn, table, run_id) for table in TRANSCRIPT_PARTS)
    return cast(TranscriptBodyDict, {"messages": messages, "toolCalls": calls})


@dataclass
class StoredRun:
    """A run's rows as stored, table by table (the one way a run is read back; see read_runs): in zebench's shape,
    or by column name (``shape`` None)."""

    run: dict[str, Any]
    #: Per part table (models.run.RUN_PARTS, by name): the run's rows; the transcript's only when read.
    parts: dict[str, list[dict[str, Any]]]

    def one(self, table: Table) -> dict[str, Any] | None:
        rows = self.parts.get(table.name)
        return rows[0] if rows else None


def _reader(table: Table, shape: Shape | None) -> tuple[str, Reader]:
    """The run's columns of a table (zebench's shape, which also holds every column a record is read back from)
    after run_id, and how to read them: as the shape's keys, or by column name."""
    columns = table.shape("v2")
    return select_list(table, columns), Reader(columns, shape)


def read_runs(
    conn: sqlite3.Connection,
    run_where: str,
    params: tuple[Any, ...],
    *,
    shape: Shape | None = "v2",
    transcripts: bool = False,
) -> list[StoredRun]:
    """The stored rows of the runs matching ``run_where`` (internal SQL only), in id order, with their parts (the
    transcript's with ``transcripts``). One query per table for the whole set, so a chunk of a hundred runs costs
    about what one run did. Both the API's run details and the RunRecord a run was written from are built on it."""
    columns = RUNS.shape("v2") if shape else RUNS.columns
    read = Reader(columns, shape)
    runs = [
        read(r)
        for r in conn.execute(
            f"SELECT {select_list(RUNS, columns)} FROM benchmark_runs WHERE {run_where} ORDER BY id", params
        )
    ]
    if not runs:
        return []
    key = "runId" if shape else "run_id"
    stored = {run[key]: StoredRun(run, {}) for run in runs}
    for table in RUN_PARTS:
        if table in TRANSCRIPT_PARTS and not transcripts:
            continue
        select, read_part = _reader(table, shape)
        order = f", {table.order}" if table.order else ""
        sql = (
            f"SELECT run_id, {select} FROM {table.name} WHERE run_id IN "
            f"(SELECT run_id FROM benchmark_runs WHERE {run_where}) ORDER BY run_id{order}"
        )
        for run_id, *values in conn.execute(sql, params):
            stored[run_id].parts.setdefault(table.name, []).append(read_part(values))
    return list(stored.values())


def _run_details(
    conn: sqlite3.Connection, run_where: str, params: tuple[Any, ...], *, transcripts: bool = False
) -> list[RunDetailDict]:
    """Run details (the /api/runs/<id> shape) of the runs matching ``run_where``, in id order; with
    ``transcripts`` each also has a ``transcript`` (the /api/runs/<id>/transcript shape)."""
    details = []
    for stored in read_runs(conn, run_where, params, transcripts=transcripts):
        parts = stored.parts
        detail: dict[str, Any] = {
            "run": stored.run,
            "evaluations": parts.get(EVALUATIONS.name, []),
            "telemetry": stored.one(TELEMETRY),
            "validationResults": parts.get(VALIDATION.name, []),
            "baselineResults": parts.get(BASELINE.name, []),
            "diff": {
                "files": parts.get(DIFF_FILES.name, []),
                "dependencyChanges": parts.get(DEPENDENCY_CHANGES.name, []),
            },
            "manifest": stored.one(MANIFESTS),
        }
        if transcripts:
            detail["transcript"] = {
                "messages": parts.get(MESSAGES.name, []),
                "toolCalls": parts.get(TOOL_CALLS.name, []),
            }
        details.append(cast(RunDetailDict, detail))
    return details


def query_run_detail(conn: sqlite3.Connection, run_id: str) -> RunDetailDict | None:
    details = _run_details(conn, "run_id = ?", (run_id,))
    return details[0] if details else None


def query_run_details_range(
    conn: sqlite3.Connection, first_id: int, last_id: int, *, transcripts: bool = False
) -> list[RunDetailDict]:
    """Details of the runs with row ids first_id..last_id (inclusive), oldest first (the static site's chunks)."""
    return _run_details(conn, "id BETWEEN ? AND ?", (first_id, last_id), transcripts=transcripts)


def query_runs_range(conn: sqlite3.Connection, first_id: int, last_id: int) -> list[RunRowDict]:
    """/api/runs rows of the runs with row ids first_id..last_id (inclusive), newest first."""
    sql = f"SELECT {_RUN_SELECT} FROM benchmark_runs WHERE id BETWEEN ? AND ? ORDER BY id DESC"
    return [_run_row(r) for r in conn.execute(sql, (first_id, last_id))]
