"""zebench's runs (/api/v2/runs and the run view): pages of runs, one run's parts, run details in chunks."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from typing import Any

from ...constants import DEFAULT_PAGE, MAX_PAGE
from ...models import (
    EvaluationRow,
    RunDetail,
    RunRow,
    TelemetryRow,
    TranscriptBody,
)
from .common import (
    _RUN_COLUMNS,
    RUN_FILTERS,
    _checked,
    _fetch,
    _run_row,
    _shape,
    _time_window,
    decode_cursor,
    encode_cursor,
)


def query_runs(
    conn: sqlite3.Connection,
    filters: dict[str, str] | None = None,
    *,
    since: str | None = None,
    until: str | None = None,
    limit: int = DEFAULT_PAGE,
    cursor: str | None = None,
) -> tuple[list[dict[str, Any]], str | None]:
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
        f"SELECT {_RUN_COLUMNS} FROM benchmark_runs {'WHERE ' + ' AND '.join(where) if where else ''} "
        f"ORDER BY id DESC LIMIT ?"
    )
    rows = _fetch(conn, sql, [*params, limit + 1])
    next_cursor = encode_cursor(rows[limit - 1]["id"]) if len(rows) > limit else None
    return [_run_row(r) for r in rows[:limit]], next_cursor


def query_run(conn: sqlite3.Connection, run_id: str) -> dict[str, Any] | None:
    rows = _fetch(conn, f"SELECT {_RUN_COLUMNS} FROM benchmark_runs WHERE run_id = ?", (run_id,))
    return _checked(RunRow, _run_row(rows[0])) if rows else None


def query_evaluations(conn: sqlite3.Connection, run_id: str) -> list[dict[str, Any]]:
    return [
        _checked(EvaluationRow, _shape(r, ("details",), ("applicable",)))
        for r in _fetch(
            conn,
            "SELECT id, run_id, evaluator_name, score, max_score, applicable, weight, kind, details, error, "
            "cost_usd, created_at FROM evaluation_results WHERE run_id = ? ORDER BY id",
            (run_id,),
        )
    ]


def query_telemetry(conn: sqlite3.Connection, run_id: str) -> dict[str, Any] | None:
    rows = _fetch(
        conn,
        "SELECT tool_calls, tokens_in, tokens_out, cache_read_tokens, cache_write_tokens, cost_usd, "
        "judge_cost_usd, duration_ms, workspace_dir, stage_ms, prompt_sent FROM run_telemetry "
        "WHERE run_id = ?",
        (run_id,),
    )
    return _checked(TelemetryRow, _shape(rows[0], ("stage_ms",))) if rows else None


def query_transcript(conn: sqlite3.Connection, run_id: str) -> dict[str, Any]:
    messages = [
        _shape(r, ("content",))
        for r in _fetch(conn, "SELECT seq, role, content FROM run_messages WHERE run_id = ? ORDER BY seq", (run_id,))
    ]
    calls = [
        _shape(r, ("input",), ("is_error",))
        for r in _fetch(
            conn,
            "SELECT seq, name, input, output, is_error, duration_ms FROM run_tool_calls WHERE run_id = ? ORDER BY seq",
            (run_id,),
        )
    ]
    return _checked(TranscriptBody, {"messages": messages, "toolCalls": calls})


def _children(
    conn: sqlite3.Connection, sql: str, run_where: str, params: tuple[Any, ...], *, keep_run_id: bool = False
) -> dict[str, list[dict[str, Any]]]:
    """Rows of a child table for the runs matching ``run_where``, grouped by run id (in the query's order)."""
    out: dict[str, list[dict[str, Any]]] = {}
    for row in _fetch(conn, sql.format(runs=f"SELECT run_id FROM benchmark_runs WHERE {run_where}"), params):
        out.setdefault(row["run_id"] if keep_run_id else row.pop("run_id"), []).append(row)
    return out


@dataclass
class _StoredRun:
    """A run's rows as stored, table by table (the one way a run is read back; see _read_runs)."""

    run: dict[str, Any]
    evaluations: list[dict[str, Any]]
    telemetry: dict[str, Any] | None
    validation: list[dict[str, Any]]
    baseline: list[dict[str, Any]]
    files: list[dict[str, Any]]
    dependency_changes: list[dict[str, Any]]
    manifest: dict[str, Any] | None
    messages: list[dict[str, Any]] | None
    tool_calls: list[dict[str, Any]] | None


def _read_runs(
    conn: sqlite3.Connection, run_where: str, params: tuple[Any, ...], *, transcripts: bool = False
) -> list[_StoredRun]:
    """The stored rows of the runs matching ``run_where`` (internal SQL only), in id order; with ``transcripts``
    their messages and tool calls too. A few queries for the whole set, so a chunk of a hundred runs costs about
    what one run did. Both the API's run details and the RunRecord a run was written from are built on it."""
    runs = _fetch(
        conn,
        f"SELECT {_RUN_COLUMNS}, has_diff, has_transcript FROM benchmark_runs WHERE {run_where} ORDER BY id",
        params,
    )
    if not runs:
        return []
    evaluations = _children(
        conn,
        "SELECT id, run_id, evaluator_name, score, max_score, applicable, weight, kind, "
        "details, error, cost_usd, created_at FROM evaluation_results WHERE run_id IN "
        "({runs}) ORDER BY run_id, id",
        run_where,
        params,
        keep_run_id=True,
    )
    telemetry = _children(
        conn,
        "SELECT run_id, tool_calls, tokens_in, tokens_out, cache_read_tokens, "
        "cache_write_tokens, cost_usd, judge_cost_usd, duration_ms, workspace_dir, stage_ms, "
        "prompt_sent FROM run_telemetry WHERE run_id IN ({runs})",
        run_where,
        params,
    )
    validation = _children(
        conn,
        "SELECT run_id, kind, command, status, exit_code, duration_ms, output_tail, "
        "baseline_status FROM validation_results WHERE run_id IN ({runs}) "
        "ORDER BY run_id, seq",
        run_where,
        params,
    )
    baseline = _children(
        conn,
        "SELECT run_id, kind, command, status, exit_code, duration_ms, output_tail FROM "
        "baseline_results WHERE run_id IN ({runs}) ORDER BY run_id, seq",
        run_where,
        params,
    )
    files = _children(
        conn,
        "SELECT run_id, path, change, binary, additions, deletions, patch, patch_truncated FROM "
        "run_diff_files WHERE run_id IN ({runs}) ORDER BY run_id, seq",
        run_where,
        params,
    )
    deps = _children(
        conn,
        "SELECT run_id, manifest, section, name, before, after FROM run_dependency_changes "
        "WHERE run_id IN ({runs}) ORDER BY run_id, seq",
        run_where,
        params,
    )
    manifests = _children(
        conn,
        "SELECT run_id, format_version, zebench_version, git_commit, scenario_hash, "
        "prompt_hash, agent, model, settings, python_version, platform FROM run_manifests "
        "WHERE run_id IN ({runs})",
        run_where,
        params,
    )
    messages: dict[str, list[dict[str, Any]]] = {}
    calls: dict[str, list[dict[str, Any]]] = {}
    if transcripts:
        messages = _children(
            conn,
            "SELECT run_id, seq, role, content FROM run_messages WHERE run_id IN ({runs}) ORDER BY run_id, seq",
            run_where,
            params,
        )
        calls = _children(
            conn,
            "SELECT run_id, seq, name, input, output, is_error, duration_ms FROM run_tool_calls "
            "WHERE run_id IN ({runs}) ORDER BY run_id, seq",
            run_where,
            params,
        )
    stored = []
    for row in runs:
        run_id = row["run_id"]
        tele, manifest = telemetry.get(run_id), manifests.get(run_id)
        stored.append(
            _StoredRun(
                run=row,
                evaluations=evaluations.get(run_id, []),
                telemetry=tele[0] if tele else None,
                validation=validation.get(run_id, []),
                baseline=baseline.get(run_id, []),
                files=files.get(run_id, []),
                dependency_changes=deps.get(run_id, []),
                manifest=manifest[0] if manifest else None,
                messages=messages.get(run_id, []) if transcripts else None,
                tool_calls=calls.get(run_id, []) if transcripts else None,
            )
        )
    return stored


def _run_details(
    conn: sqlite3.Connection, run_where: str, params: tuple[Any, ...], *, transcripts: bool = False
) -> list[dict[str, Any]]:
    """Run details (the /api/runs/<id> shape) of the runs matching ``run_where``, in id order; with
    ``transcripts`` each also has a ``transcript`` (the /api/runs/<id>/transcript shape)."""
    details = []
    for stored in _read_runs(conn, run_where, params, transcripts=transcripts):
        run = {k: v for k, v in stored.run.items() if k not in ("has_diff", "has_transcript")}
        detail = {
            "run": _run_row(run),
            "evaluations": [_shape(r, ("details",), ("applicable",)) for r in stored.evaluations],
            "telemetry": _shape(stored.telemetry, ("stage_ms",)) if stored.telemetry else None,
            "validationResults": [_shape(r) for r in stored.validation],
            "baselineResults": [_shape(r) for r in stored.baseline],
            "diff": {
                "files": [_shape(r, (), ("binary", "patch_truncated")) for r in stored.files],
                "dependencyChanges": [_shape(r) for r in stored.dependency_changes],
            },
            "manifest": _shape(stored.manifest, ("settings",)) if stored.manifest else None,
        }
        if stored.messages is not None and stored.tool_calls is not None:
            detail["transcript"] = {
                "messages": [_shape(r, ("content",)) for r in stored.messages],
                "toolCalls": [_shape(r, ("input",), ("is_error",)) for r in stored.tool_calls],
            }
        details.append(detail)
    return details


def query_run_detail(conn: sqlite3.Connection, run_id: str) -> dict[str, Any] | None:
    details = _run_details(conn, "run_id = ?", (run_id,))
    return _checked(RunDetail, details[0]) if details else None


def query_run_details_range(
    conn: sqlite3.Connection, first_id: int, last_id: int, *, transcripts: bool = False
) -> list[dict[str, Any]]:
    """Details of the runs with row ids first_id..last_id (inclusive), oldest first (the static site's chunks)."""
    return _run_details(conn, "id BETWEEN ? AND ?", (first_id, last_id), transcripts=transcripts)


def query_runs_range(conn: sqlite3.Connection, first_id: int, last_id: int) -> list[dict[str, Any]]:
    """/api/runs rows of the runs with row ids first_id..last_id (inclusive), newest first."""
    return [
        _run_row(r)
        for r in _fetch(
            conn,
            f"SELECT {_RUN_COLUMNS} FROM benchmark_runs WHERE id BETWEEN ? AND ? ORDER BY id DESC",
            (first_id, last_id),
        )
    ]
