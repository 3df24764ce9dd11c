"""Named read queries: every figure the CLI, the API (Datasette plugin) and the static site show is read here,
so every consumer computes the same numbers.

Each takes a sqlite3 connection, so Datasette can run it on its own read connections (execute_fn). The API's
shapes have camelCase keys (zebench.models.api describes them; tests validate real responses against those
models and the OpenAPI document is generated from them).
"""

from __future__ import annotations

import base64
import json
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from typing import Any

from ..constants import DEFAULT_PAGE, MAX_PAGE, ORIGINAL_RUN_FILTERS
from ..models import (
    AgentStats,
    ApiModel,
    BatchDetail,
    BatchRecord,
    BatchRow,
    DependencyChange,
    Diff,
    DiffFile,
    Evaluation,
    EvaluationRow,
    Failure,
    Manifest,
    Message,
    OriginalAgentStats,
    OriginalStats,
    RunDetail,
    RunRecord,
    RunRow,
    ScenarioStats,
    Stats,
    Telemetry,
    TelemetryRow,
    ToolCallRecord,
    Transcript,
    TranscriptBody,
    ValidationResult,
    epoch_ms,
)
from .sql import ITEM_COLUMNS, counts_sql, dumps, item_sums_columns, loads, run_counts_columns


def batch_complete(expected_runs: int | None, runs: int, completed_at: str | None) -> bool:
    """The one definition of a complete batch: every run of its matrix is stored (cancelled attempts are not runs);
    for a batch without a known matrix (posted by the original project's client, or made by ingest), that it
    was marked completed."""
    if expected_runs is not None:
        return runs >= expected_runs
    return completed_at is not None


RUN_FILTERS = {
    "suite": "suite",
    "scenario": "scenario",
    "tier": "tier",
    "agent": "agent",
    "model": "model",
    "status": "status",
    "batchId": "batch_id",
}
_RUN_COLUMNS = (
    "id, run_id, batch_id, suite, scenario, tier, agent, model, status, started_at, completed_at, "
    "total_score, weighted_score, is_successful, success_metric, specialist_enabled, specialist_name, "
    "specialist_version, repeat_index, failure_category, failure_stage, error, cost_usd, evaluator_errors, "
    "metadata"
)


def _fetch(conn: sqlite3.Connection, sql: str, params: Iterable[Any] = ()) -> list[dict[str, Any]]:
    cursor = conn.execute(sql, tuple(params))
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


@cache
def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(p.capitalize() for p in rest)


def _shape(
    row: dict[str, Any], json_columns: tuple[str, ...] = (), bool_columns: tuple[str, ...] = ()
) -> dict[str, Any]:
    out = {_camel(key): value for key, value in row.items()}  # camel names cached: this runs per row of a page
    for key in json_columns:
        if key in row:
            out[_camel(key)] = loads(row[key])
    for key in bool_columns:
        if row.get(key) is not None:
            out[_camel(key)] = bool(row[key])
    return out


def _checked(model: type[ApiModel], shaped: dict[str, Any]) -> dict[str, Any]:
    """A response checked by its API model before it leaves the store: a key or a type the model does not have is
    an error here, not a silently different answer. Returned as it was shaped (a dump of the model would reorder
    keys, which the pages' tables follow, and turn stored integers into floats)."""
    model.model_validate(shaped)
    return shaped


def _run_row(row: dict[str, Any]) -> dict[str, Any]:
    shaped = _shape(row, ("metadata",), ("is_successful", "specialist_enabled"))
    shaped["metadata"] = shaped.get("metadata") or {}
    return shaped


def encode_cursor(*values: Any) -> str:
    return base64.urlsafe_b64encode(json.dumps(values).encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> list[Any]:
    """The values of an opaque cursor; ValueError when it was not made by encode_cursor."""
    try:
        values = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (ValueError, json.JSONDecodeError):
        raise ValueError("invalid cursor") from None
    if not isinstance(values, list):
        raise ValueError("invalid cursor")
    return values


def _time_window(where: list[str], params: list[Any], since: str | None, until: str | None) -> None:
    """Adds the since/until conditions on started_at (UTC ISO text, so they compare as strings)."""
    if since:
        where.append("started_at >= ?")
        params.append(since)
    if until:
        where.append("started_at < ?")
        params.append(until)


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


def _record(stored: _StoredRun) -> RunRecord:
    """The RunRecord a run was written from (writes.run_rows in reverse)."""
    row = stored.run
    failure = (
        Failure(category=row["failure_category"], stage=row["failure_stage"] or "", message=row["error"] or "")
        if row["failure_category"]
        else None
    )
    evaluations = [
        Evaluation(
            evaluator_name=e["evaluator_name"],
            score=e["score"],
            max_score=e["max_score"] or 1.0,
            applicable=bool(e["applicable"]),
            weight=e["weight"],
            kind=e["kind"],
            details=loads(e["details"]),
            error=e["error"],
            cost_usd=e["cost_usd"],
        )
        for e in stored.evaluations
    ]
    telemetry = None
    if stored.telemetry is not None:
        stage_ms = loads(stored.telemetry["stage_ms"]) or {}
        telemetry = Telemetry.model_validate({**stored.telemetry, "stage_ms": stage_ms})
    diff = None
    if row["has_diff"]:
        diff = Diff(
            files=[
                DiffFile(
                    path=f["path"],
                    change=f["change"],
                    binary=bool(f["binary"]),
                    additions=f["additions"],
                    deletions=f["deletions"],
                    patch=f["patch"],
                    patch_truncated=bool(f["patch_truncated"]),
                )
                for f in stored.files
            ],
            dependency_changes=[
                DependencyChange(
                    manifest=c["manifest"], section=c["section"], name=c["name"], before=c["before"], after=c["after"]
                )
                for c in stored.dependency_changes
            ],
        )
    transcript = None
    if row["has_transcript"]:
        transcript = Transcript(
            messages=[Message(role=m["role"], content=loads(m["content"])) for m in stored.messages or []],
            tool_calls=[
                ToolCallRecord(
                    seq=c["seq"],
                    name=c["name"],
                    input=loads(c["input"]) or {},
                    output=c["output"],
                    is_error=bool(c["is_error"]),
                    duration_ms=c["duration_ms"],
                )
                for c in stored.tool_calls or []
            ],
        )
    manifest = None
    if stored.manifest is not None:
        manifest = Manifest.model_validate({**stored.manifest, "settings": loads(stored.manifest["settings"]) or {}})
    return RunRecord(
        run_id=row["run_id"],
        batch_id=row["batch_id"],
        suite=row["suite"],
        scenario=row["scenario"],
        tier=row["tier"],
        agent=row["agent"],
        model=row["model"],
        status=row["status"],
        started_at=row["started_at"],
        completed_at=row["completed_at"],
        total_score=row["total_score"],
        weighted_score=row["weighted_score"],
        is_successful=bool(row["is_successful"]),
        success_metric=row["success_metric"],
        specialist_enabled=bool(row["specialist_enabled"]),
        specialist_name=row["specialist_name"],
        specialist_version=row["specialist_version"],
        repeat_index=row["repeat_index"],
        failure=failure,
        metadata=loads(row["metadata"]) or {},
        evaluations=evaluations,
        telemetry=telemetry,
        validation=[ValidationResult.model_validate(v) for v in stored.validation],
        baseline=[ValidationResult.model_validate(v) for v in stored.baseline],
        diff=diff,
        transcript=transcript,
        manifest=manifest,
    )


def read_run(conn: sqlite3.Connection, run_id: str) -> RunRecord | None:
    """A stored run as the RunRecord it was written from."""
    stored = _read_runs(conn, "run_id = ?", (run_id,), transcripts=True)
    return _record(stored[0]) if stored else None


def read_batch(conn: sqlite3.Connection, batch_id: str) -> BatchRecord | None:
    rows = _fetch(
        conn,
        "SELECT batch_id, created_at, completed_at, total_runs, successful_runs, failed_runs, "
        "expected_runs, avg_score, avg_weighted_score, metadata FROM batch_runs WHERE batch_id = ?",
        (batch_id,),
    )
    if not rows:
        return None
    row = rows[0]
    row["metadata"] = loads(row["metadata"]) or {}
    return BatchRecord.model_validate(row)


def batch_keys(conn: sqlite3.Connection, batch_id: str) -> set[tuple[str, str, str, str, str, str, int]]:
    """Matrix keys of the runs of a batch that count as done (every status but cancelled); the specialist as
    ``name@version`` ("" without one)."""
    rows = conn.execute(
        "SELECT suite, scenario, tier, agent, COALESCE(model, ''), "
        "CASE WHEN specialist_enabled THEN COALESCE(specialist_name || '@' || specialist_version, '') ELSE '' END, "
        f"repeat_index FROM benchmark_runs WHERE batch_id = ? AND {counts_sql('runs')}",
        (batch_id,),
    ).fetchall()
    return {(r[0], r[1], r[2], r[3], r[4], r[5], r[6]) for r in rows}


def run_ids(conn: sqlite3.Connection, batch_id: str | None = None) -> list[str]:
    """Run ids in the order they were first stored (of one batch, with ``batch_id``)."""
    if batch_id is None:
        return [r[0] for r in conn.execute("SELECT run_id FROM benchmark_runs ORDER BY id")]
    return [r[0] for r in conn.execute("SELECT run_id FROM benchmark_runs WHERE batch_id = ? ORDER BY id", (batch_id,))]


def run_summaries(conn: sqlite3.Connection, batch_id: str) -> list[dict[str, Any]]:
    """The columns the batch summary table shows, one row per counted run of the batch (cancelled attempts are
    not runs); ``successful`` as COUNT_CONDITIONS defines it."""
    return _fetch(
        conn,
        "SELECT r.run_id, r.suite, r.scenario, r.tier, r.agent, r.model, r.status, r.weighted_score, "
        f"{counts_sql('successful', 'r')} AS is_successful, r.success_metric, r.failure_category, r.error, "
        "r.evaluator_errors, t.cost_usd, t.judge_cost_usd "
        "FROM benchmark_runs r LEFT JOIN run_telemetry t ON t.run_id = r.run_id "
        f"WHERE r.batch_id = ? AND {counts_sql('runs', 'r')} "
        "ORDER BY r.suite, r.scenario, r.tier, r.agent, r.model, r.repeat_index",
        (batch_id,),
    )


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


def query_chunk_versions(conn: sqlite3.Connection, size: int) -> dict[int, tuple[Any, ...]]:
    """For runs grouped by ``id // size``: a version that changes whenever a run of the group is added, removed or
    rewritten (count, id range and the newest write revision, see m007). One pass over the runs."""
    return {
        row[0]: tuple(row[1:])
        for row in conn.execute(
            "SELECT id / ? AS chunk, COUNT(*), MIN(id), MAX(id), MAX(COALESCE(revision, 0)) "
            "FROM benchmark_runs GROUP BY chunk",
            (size,),
        )
    }


#: The compact columns of the static site's runs table, one array per run (see query_run_index_range).
RUN_INDEX_COLUMNS = (
    "id",
    "runId",
    "batchId",
    "suite",
    "scenario",
    "tier",
    "agent",
    "model",
    "status",
    "successful",
    "weightedScore",
    "costUsd",
    "startedAt",
    "durationMs",
    "failureCategory",
)


def query_run_index_range(conn: sqlite3.Connection, first_id: int, last_id: int) -> list[list[Any]]:
    """Runs first_id..last_id as compact arrays in RUN_INDEX_COLUMNS order (the site's runs table loads all)."""
    return [
        list(r)
        for r in conn.execute(
            "SELECT r.id, r.run_id, r.batch_id, r.suite, r.scenario, r.tier, r.agent, r.model, r.status, "
            "r.is_successful, r.weighted_score, r.cost_usd, r.started_at, t.duration_ms, r.failure_category "
            "FROM benchmark_runs r LEFT JOIN run_telemetry t ON t.run_id = r.run_id "
            "WHERE r.id BETWEEN ? AND ? ORDER BY r.id",
            (first_id, last_id),
        )
    ]


def query_batch_run_rows(conn: sqlite3.Connection, batch_id: str) -> list[dict[str, Any]]:
    """Every run of a batch with its telemetry totals, flat (a batch's CSV and JSON downloads)."""
    return _fetch(
        conn,
        "SELECT r.run_id, r.suite, r.scenario, r.tier, r.agent, r.model, r.repeat_index, r.status, "
        "r.is_successful, r.weighted_score, r.total_score, r.success_metric, r.failure_category, "
        "r.failure_stage, r.error, r.cost_usd, t.judge_cost_usd, t.tokens_in, t.tokens_out, "
        "t.tool_calls, t.duration_ms, r.started_at, r.completed_at FROM benchmark_runs r "
        "LEFT JOIN run_telemetry t ON t.run_id = r.run_id WHERE r.batch_id = ? ORDER BY r.id",
        (batch_id,),
    )


def query_batch_versions(conn: sqlite3.Connection) -> dict[str, tuple[Any, ...]]:
    """Per batch: a version that changes when the batch or any of its runs changes (for incremental builds)."""
    runs = {
        row[0]: tuple(row[1:])
        for row in conn.execute(
            "SELECT batch_id, COUNT(*), MAX(id), MAX(COALESCE(revision, 0)) FROM benchmark_runs GROUP BY batch_id"
        )
    }
    return {
        row[0]: (*row[1:], *runs.get(row[0], ())) for row in conn.execute(f"SELECT {_BATCH_COLUMNS} FROM batch_runs")
    }


def query_batch_configurations(conn: sqlite3.Connection) -> dict[str, tuple[tuple[str, ...], ...]]:
    """Per batch: its configuration, the sorted (agent, model) pairs and suites it ran (batches with the same
    configuration are comparable run for run)."""
    configs: dict[str, tuple[set[str], set[str]]] = {}
    for batch_id, agent, model, suite in conn.execute(
        "SELECT DISTINCT batch_id, agent, COALESCE(model, ''), suite FROM benchmark_runs "
        f"WHERE batch_id IS NOT NULL AND {counts_sql('runs')}"
    ):
        agents, suites = configs.setdefault(batch_id, (set(), set()))
        agents.add(f"{agent}|{model}")
        suites.add(suite)
    return {b: (tuple(sorted(a)), tuple(sorted(s))) for b, (a, s) in configs.items()}


def query_score_histogram(conn: sqlite3.Connection) -> list[dict[str, Any]]:
    """Scored runs per weighted-score bin of width 1 (0-1, ..., 9-10; 10 falls in the last bin)."""
    return [
        _shape(r)
        for r in _fetch(
            conn,
            "SELECT MIN(CAST(weighted_score AS INTEGER), 9) AS bin, COUNT(*) AS runs FROM benchmark_runs "
            f"WHERE {counts_sql('scored')} GROUP BY 1 ORDER BY 1",
        )
    ]


def query_daily_trends(conn: sqlite3.Connection, days: int = 180) -> list[dict[str, Any]]:
    """Per day (UTC, by start time) and agent/model over the last ``days`` days that have runs: runs, success rate
    and mean weighted score."""
    rows = _fetch(
        conn,
        f"""
        SELECT substr(started_at, 1, 10) AS day, agent, COALESCE(model, '') AS model, COUNT(*) AS runs,
               AVG({counts_sql("successful")}) AS success_rate, AVG(weighted_score) AS avg_weighted_score
        FROM benchmark_runs
        WHERE {counts_sql("runs")} AND started_at >= (
            SELECT date(MAX(started_at), ?) FROM benchmark_runs)
        GROUP BY 1, 2, 3 ORDER BY 1, 2, 3""",
        (f"-{days} days",),
    )
    return [_shape(r) for r in rows]


def query_evaluator_figures(conn: sqlite3.Connection) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The evaluators page's two tables from one pass over the evaluations of the counted runs (each pass reads every
    evaluation row, details included: one pass instead of two is most of an incremental site build's page time).

    First, per evaluator over every run (cancelled attempts excluded, as everywhere): evaluations, applicable ones,
    mean score, full-score rate, errors and cost (None when no evaluation's cost is known). Second, the mean score
    of each evaluator per agent and model over the evaluations that ran (``applicable`` counts them, those that
    failed included; ``errors`` the ones that failed)."""
    rows = _fetch(
        conn,
        f"""
        SELECT r.agent, COALESCE(r.model, '') AS model, e.evaluator_name, MAX(e.kind) AS kind,
               SUM(e.weight) AS weight_sum, COUNT(*) AS evaluations, SUM(e.applicable) AS applicable,
               SUM(CASE WHEN e.applicable THEN e.normalized_score END) AS app_score_sum,
               COUNT(CASE WHEN e.applicable THEN e.normalized_score END) AS app_scores,
               SUM(CASE WHEN e.applicable THEN e.normalized_score = 1.0 END) AS app_full,
               SUM(e.error IS NOT NULL) AS errors, SUM(e.cost_usd) AS cost_usd,
               SUM(e.applicable OR e.error IS NOT NULL) AS ran,
               SUM(CASE WHEN e.applicable OR e.error IS NOT NULL THEN e.normalized_score END) AS ran_score_sum,
               COUNT(CASE WHEN e.applicable OR e.error IS NOT NULL THEN e.normalized_score END) AS ran_scores
        FROM benchmark_runs r CROSS JOIN evaluation_results e ON e.run_id = r.run_id WHERE {counts_sql("runs", "r")}
        GROUP BY 1, 2, 3 ORDER BY 1, 2, 3""",
    )  # CROSS JOIN: runs first, 3.5x faster at 100k
    totals: dict[str, dict[str, Any]] = {}
    by_configuration: list[dict[str, Any]] = []
    for row in rows:
        name = row["evaluator_name"]
        t = totals.setdefault(
            name,
            {
                "kind": None,
                "weight_sum": 0.0,
                "evaluations": 0,
                "applicable": 0,
                "app_score_sum": 0.0,
                "app_scores": 0,
                "app_full": 0,
                "errors": 0,
                "cost_usd": None,
            },
        )
        t["kind"] = row["kind"] if t["kind"] is None or (row["kind"] or "") > t["kind"] else t["kind"]
        for key in ("weight_sum", "evaluations", "applicable", "app_score_sum", "app_scores", "app_full", "errors"):
            t[key] += row[key] or 0
        if row["cost_usd"] is not None:
            t["cost_usd"] = (t["cost_usd"] or 0.0) + row["cost_usd"]
        if row["ran"]:
            by_configuration.append(
                _shape(
                    {
                        "agent": row["agent"],
                        "model": row["model"],
                        "evaluator_name": name,
                        "applicable": row["ran"],
                        "avg_score": row["ran_score_sum"] / row["ran_scores"] if row["ran_scores"] else None,
                        "errors": row["errors"],
                    }
                )
            )
    per_evaluator = [
        _shape(
            {
                "evaluator_name": name,
                "kind": t["kind"],
                "avg_weight": t["weight_sum"] / t["evaluations"],
                "evaluations": t["evaluations"],
                "applicable": t["applicable"],
                "avg_score": t["app_score_sum"] / t["app_scores"] if t["app_scores"] else None,
                "pass_rate": t["app_full"] / t["app_scores"] if t["app_scores"] else None,
                "errors": t["errors"],
                "cost_usd": t["cost_usd"],
            }
        )
        for name, t in sorted(totals.items())
    ]
    return per_evaluator, by_configuration


def query_evaluator_stats(conn: sqlite3.Connection) -> list[dict[str, Any]]:
    """The per-evaluator table of ``query_evaluator_figures``."""
    return query_evaluator_figures(conn)[0]


def query_evaluator_by_agent(conn: sqlite3.Connection) -> list[dict[str, Any]]:
    """The per-configuration table of ``query_evaluator_figures``."""
    return query_evaluator_figures(conn)[1]


def query_costs_by_config(conn: sqlite3.Connection) -> list[dict[str, Any]]:
    """Per agent and model: runs, solved runs, agent and judge cost, tokens (None when no run's is known)."""
    rows = _fetch(
        conn,
        f"""
        SELECT r.agent, COALESCE(r.model, '') AS model, COUNT(*) AS runs,
               SUM({counts_sql("successful", "r")}) AS solved,
               COUNT(r.cost_usd) AS cost_runs, TOTAL(r.cost_usd) AS cost_usd, SUM(t.judge_cost_usd) AS judge_cost_usd,
               COUNT(t.judge_cost_usd) AS judge_cost_runs,
               SUM(t.tokens_in) AS tokens_in, SUM(t.tokens_out) AS tokens_out,
               SUM(t.cache_read_tokens) AS cache_read_tokens, SUM(t.cache_write_tokens) AS cache_write_tokens
        FROM benchmark_runs r LEFT JOIN run_telemetry t ON t.run_id = r.run_id
        WHERE {counts_sql("runs", "r")} GROUP BY 1, 2 ORDER BY 1, 2""",
    )
    out = []
    for r in rows:
        shaped = _shape(r)
        known = r["cost_runs"]
        shaped["costUsd"] = r["cost_usd"] if known else None
        shaped["costUnknownRuns"] = r["runs"] - known
        # per solved task only when every run's cost is known: otherwise it would look cheaper than it was
        shaped["costPerSolvedUsd"] = r["cost_usd"] / r["solved"] if known == r["runs"] and r["solved"] else None
        shaped["meanCostUsd"] = r["cost_usd"] / known if known else None
        out.append(shaped)
    return out


_BATCH_COLUMNS = (
    "batch_id, created_at, completed_at, total_runs, successful_runs, failed_runs, expected_runs, "
    "avg_score, avg_weighted_score, metadata, agent_failed_runs, infra_failed_runs, scored_runs, "
    "cancelled_runs, evaluator_error_runs"
)
_DENOMINATOR_COLUMNS = (
    "agent_failed_runs",
    "infra_failed_runs",
    "scored_runs",
    "cancelled_runs",
    "evaluator_error_runs",
)


def _batch_row(row: dict[str, Any]) -> dict[str, Any]:
    denominators = batch_denominators(row)
    shaped = _shape({k: v for k, v in row.items() if k not in _DENOMINATOR_COLUMNS}, ("metadata",))
    shaped["metadata"] = shaped.get("metadata") or {}
    shaped["complete"] = denominators["complete"]
    shaped["denominators"] = denominators
    return shaped


def batch_denominators(row: dict[str, Any]) -> dict[str, Any]:
    """Expected, stored, completed, agent-failed, infrastructure-failed and missing runs of a batch, its cancelled
    attempts and runs with evaluator errors, whether it is complete (batch_complete), and success and score with
    infrastructure failures (counted as unsuccessful, score 0) and without them (left out). Read from the batch
    row, which refresh_batch_aggregates keeps up to date with the counts of COUNT_CONDITIONS."""
    runs, infra = row.get("total_runs") or 0, row.get("infra_failed_runs") or 0
    scored, agent_failed = row.get("scored_runs") or 0, row.get("agent_failed_runs") or 0
    successful, expected, avg = row.get("successful_runs") or 0, row.get("expected_runs"), row.get("avg_weighted_score")
    return {
        "expectedRuns": expected,
        "runs": runs,
        "missingRuns": max(0, expected - runs) if expected else 0,
        "completedRuns": runs - agent_failed - infra,
        "agentFailures": agent_failed,
        "infraFailures": infra,
        "successfulRuns": successful,
        "cancelledAttempts": row.get("cancelled_runs") or 0,
        "evaluatorErrorRuns": row.get("evaluator_error_runs") or 0,
        "complete": batch_complete(expected, runs, row.get("completed_at")),
        "successRate": successful / runs if runs else None,
        "successRateExclInfra": successful / (runs - infra) if runs - infra else None,
        "avgWeightedScore": avg,
        "avgWeightedScoreWithInfra": avg * scored / (scored + infra) if avg is not None and scored + infra else None,
    }


def query_batches(
    conn: sqlite3.Connection, *, limit: int = 20, cursor: str | None = None
) -> tuple[list[dict[str, Any]], str | None]:
    """Batches newest first, keyset-paginated on (created_at, batch_id)."""
    where, params = "", []
    if cursor:
        values = decode_cursor(cursor)
        if len(values) != 2 or not all(isinstance(v, str) for v in values):
            raise ValueError("invalid cursor")
        where, params = "WHERE (created_at, batch_id) < (?, ?)", values
    limit = max(1, min(limit, MAX_PAGE))
    rows = _fetch(
        conn,
        f"SELECT {_BATCH_COLUMNS} FROM batch_runs {where} ORDER BY created_at DESC, batch_id DESC LIMIT ?",
        [*params, limit + 1],
    )
    last = rows[limit - 1] if len(rows) > limit else None
    next_cursor = encode_cursor(last["created_at"], last["batch_id"]) if last else None
    return [_checked(BatchRow, _batch_row(r)) for r in rows[:limit]], next_cursor


def _breakdown(conn: sqlite3.Connection, batch_id: str, columns: list[str]) -> list[dict[str, Any]]:
    """The batch's counted runs grouped by ``columns``: always per configuration (agent and model), so that no
    figure pools configurations."""
    columns = [*columns, *(c for c in ("agent", "model") if c not in columns)]
    cols = ", ".join(columns)
    rows = _fetch(
        conn,
        f"""
        SELECT {cols}, {run_counts_columns()},
               AVG(weighted_score) AS avg_weighted_score, AVG(total_score) AS avg_score,
               SUM(cost_usd) AS total_cost_usd, COUNT(cost_usd) AS cost_runs
        FROM benchmark_runs WHERE batch_id = ? AND {counts_sql("runs")} GROUP BY {cols} ORDER BY {cols}""",
        (batch_id,),
    )
    out = []
    for r in rows:
        cost_runs = r.pop("cost_runs")
        shaped = _shape(r)
        shaped["successRate"] = r["successful_runs"] / r["runs"] if r["runs"] else None
        # the total of the runs whose cost is known; "unknown" (None) only when none is
        shaped["totalCostUsd"] = r["total_cost_usd"] if cost_runs else None
        shaped["costUnknownRuns"] = r["runs"] - cost_runs
        out.append(shaped)
    return out


#: Runs embedded in a batch's detail; the rest are paged from /api/runs?batchId=...
BATCH_RUNS_EMBEDDED = 100


def query_batch_detail(
    conn: sqlite3.Connection, batch_id: str, runs_limit: int = BATCH_RUNS_EMBEDDED
) -> dict[str, Any] | None:
    rows = _fetch(conn, f"SELECT {_BATCH_COLUMNS} FROM batch_runs WHERE batch_id = ?", (batch_id,))
    if not rows:
        return None
    batch = _batch_row(rows[0])
    runs = _fetch(
        conn,
        f"SELECT {_RUN_COLUMNS} FROM benchmark_runs WHERE batch_id = ? ORDER BY id LIMIT ?",
        (batch_id, runs_limit),
    )
    evaluators = _fetch(
        conn,
        f"""
        SELECT e.evaluator_name, COUNT(*) AS runs, SUM(e.applicable) AS applicable_runs,
               AVG(CASE WHEN e.applicable THEN e.normalized_score END) AS avg_score,
               AVG(CASE WHEN e.applicable THEN e.normalized_score = 1.0 END) AS pass_rate,
               SUM(e.error IS NOT NULL) AS errors
        FROM evaluation_results e JOIN benchmark_runs r ON r.run_id = e.run_id
        WHERE r.batch_id = ? AND {counts_sql("runs", "r")} GROUP BY e.evaluator_name ORDER BY e.evaluator_name""",
        (batch_id,),
    )
    failures = _fetch(
        conn,
        f"""
        SELECT failure_category AS category, COUNT(*) AS runs FROM benchmark_runs
        WHERE batch_id = ? AND {counts_sql("failed")} GROUP BY failure_category ORDER BY runs DESC""",
        (batch_id,),
    )
    errors = _fetch(
        conn,
        f"""
        SELECT e.evaluator_name, COUNT(*) AS runs, MIN(e.error) AS example FROM evaluation_results e
        JOIN benchmark_runs r ON r.run_id = e.run_id
        WHERE r.batch_id = ? AND {counts_sql("runs", "r")} AND e.error IS NOT NULL
        GROUP BY e.evaluator_name ORDER BY runs DESC, e.evaluator_name""",
        (batch_id,),
    )
    batch["runs"] = [_run_row(r) for r in runs]
    batch["runsIncluded"] = len(runs)
    batch["runsTotal"] = conn.execute("SELECT COUNT(*) FROM benchmark_runs WHERE batch_id = ?", (batch_id,)).fetchone()[
        0
    ]
    batch["breakdowns"] = {
        "bySuite": _breakdown(conn, batch_id, ["suite"]),
        "byAgent": _breakdown(conn, batch_id, ["agent", "model"]),
        "byTier": _breakdown(conn, batch_id, ["tier"]),
        "byEvaluator": [_shape(r) for r in evaluators],
        "failuresByCategory": [{**_shape(r), "category": r["category"] or "unknown"} for r in failures],
        "evaluatorErrors": [_shape(r) for r in errors],
    }
    return _checked(BatchDetail, batch)


def _aggregate_row(row: dict[str, Any]) -> dict[str, Any]:
    runs, scored = row.pop("runs"), row.pop("scored")
    successful, failed = row.pop("successful"), row.pop("failed")
    sum_total, sum_weighted = row.pop("sum_total_score"), row.pop("sum_weighted")
    cost_runs, sum_cost = row.pop("cost_runs"), row.pop("sum_cost")
    min_w, max_w = row.pop("min_weighted"), row.pop("max_weighted")
    out = {_camel(k): v for k, v in row.items()}
    out.update(
        {
            "runs": runs,
            "successfulRuns": successful,
            "failedRuns": failed,
            "scoredRuns": scored,
            "successRate": successful / runs if runs else None,
            "avgScore": sum_total / scored if scored else None,
            "avgWeightedScore": sum_weighted / scored if scored else None,
            "minWeightedScore": min_w,
            "maxWeightedScore": max_w,
            # the original's names for the same figures (0-10 scale)
            "minScore": min_w,
            "maxScore": max_w,
            "totalCostUsd": sum_cost if cost_runs else None,
            "meanCostUsd": sum_cost / cost_runs if cost_runs else None,
            "costUnknownRuns": runs - cost_runs,
        }
    )
    return out


def query_stats(conn: sqlite3.Connection) -> dict[str, Any]:
    """Totals over every counted run (all configurations pooled, as the key ``pooled`` says)."""
    rows = _fetch(conn, "SELECT * FROM agg_totals WHERE grp = 'all'")
    base = (
        _aggregate_row(rows[0])
        if rows
        else _aggregate_row(
            {
                "grp": "all",
                "runs": 0,
                "successful": 0,
                "failed": 0,
                "scored": 0,
                "sum_total_score": 0,
                "sum_weighted": 0,
                "min_weighted": None,
                "max_weighted": None,
                "cost_runs": 0,
                "sum_cost": 0,
            }
        )
    )
    base.pop("grp", None)
    counts = conn.execute(
        "SELECT (SELECT COUNT(*) FROM batch_runs), (SELECT COUNT(*) FROM agg_agents WHERE runs > 0), "
        "(SELECT COUNT(DISTINCT suite || '/' || scenario) FROM agg_scenarios WHERE runs > 0)"
    ).fetchone()
    completed, agent_failed, infra_failed, evaluator_errors = conn.execute(
        "SELECT COALESCE(SUM(completed), 0), COALESCE(SUM(agent_failed), 0), COALESCE(SUM(infra_failed), 0), "
        "COALESCE(SUM(evaluator_errors), 0) FROM agg_items"
    ).fetchone()
    cancelled = conn.execute(f"SELECT COUNT(*) FROM benchmark_runs WHERE {counts_sql('cancelled')}").fetchone()[0]
    return _checked(
        Stats,
        {
            "totalRuns": base["runs"],
            "successfulRuns": base["successfulRuns"],
            "failedRuns": base["failedRuns"],
            "completedRuns": completed,
            "agentFailures": agent_failed,
            "infraFailures": infra_failed,
            "cancelledAttempts": cancelled,
            "evaluatorErrorRuns": evaluator_errors,
            "successRate": base["successRate"],
            "avgScore": base["avgScore"],
            "avgWeightedScore": base["avgWeightedScore"],
            "totalCostUsd": base["totalCostUsd"],
            "costUnknownRuns": base["costUnknownRuns"],
            "totalBatches": counts[0],
            "agentModels": counts[1],
            "scenarios": counts[2],
            "pooled": True,
        },
    )


def query_stats_agents(conn: sqlite3.Connection) -> list[dict[str, Any]]:
    rows = [_aggregate_row(r) for r in _fetch(conn, "SELECT * FROM agg_agents WHERE runs > 0 ORDER BY agent, model")]
    for row in rows:
        row["model"] = row["model"] or None
    return [_checked(AgentStats, row) for row in rows]


def query_stats_scenarios(conn: sqlite3.Connection) -> list[dict[str, Any]]:
    return [
        _checked(ScenarioStats, _aggregate_row(r))
        for r in _fetch(conn, "SELECT * FROM agg_scenarios WHERE runs > 0 ORDER BY suite, scenario, tier")
    ]


# --------------------------------------------------------------------------------------------------------------
# The original project's read shapes and definitions (the unversioned /api/* paths; models.Original*): its keys,
# JSON text for metadata and details, evaluations as sent, batch times in epoch ms, completed-only statistics.
# --------------------------------------------------------------------------------------------------------------

_ORIGINAL_RUN_COLUMNS = (
    "id, run_id, batch_id, suite, scenario, tier, agent, model, status, started_at, completed_at, "
    "total_score, weighted_score, is_successful, success_metric, specialist_enabled, "
    "specialist_name, specialist_version, metadata, error"
)


_ORIGINAL_RUN_KEYS = (
    "id",
    "runId",
    "batchId",
    "suite",
    "scenario",
    "tier",
    "agent",
    "model",
    "status",
    "startedAt",
    "completedAt",
    "totalScore",
    "weightedScore",
    "isSuccessful",
    "successMetric",
    "specialistEnabled",
    "specialistName",
    "specialistVersion",
    "metadata",
)


def _original_run(row: tuple[Any, ...]) -> dict[str, Any]:
    """A run row (a tuple of _ORIGINAL_RUN_COLUMNS; tuples, as these answers reach 10,000 rows) in the original's
    shape. metadata is the stored JSON text; a zebench failure's message is added as metadata.error (where the
    original's dashboard looks for it) when the metadata has none."""
    out = dict(zip(_ORIGINAL_RUN_KEYS, row, strict=False))  # row ends with error, not a key
    out["isSuccessful"], out["specialistEnabled"] = bool(row[13]), bool(row[15])
    error = row[19]
    if error is not None:
        parsed = loads(row[18]) if row[18] else {}
        if isinstance(parsed, dict) and "error" not in parsed:
            out["metadata"] = dumps({**parsed, "error": error})
    return out


def query_original_runs(
    conn: sqlite3.Connection, filters: dict[str, str] | None = None, *, limit: int = 50
) -> list[dict[str, Any]]:
    """The original's GET /api/runs: newest startedAt first (ties: newest row), exact-match filters on
    ORIGINAL_RUN_FILTERS. Indexes (status|agent|suite|scenario, started_at) keep a filtered page an index walk."""
    where, params = [], []
    for key, value in (filters or {}).items():
        if key not in ORIGINAL_RUN_FILTERS:
            raise ValueError(f"unknown filter {key!r}")
        where.append(f"{key} = ?")
        params.append(value)
    sql = (
        f"SELECT {_ORIGINAL_RUN_COLUMNS} FROM benchmark_runs {'WHERE ' + ' AND '.join(where) if where else ''} "
        "ORDER BY started_at DESC, id DESC LIMIT ?"
    )
    return [_original_run(r) for r in conn.execute(sql, (*params, limit))]


def _original_evaluation(row: dict[str, Any]) -> dict[str, Any]:
    details = row["details"]
    if details is not None and details.startswith('"'):
        details = json.loads(details)  # text, as it was sent
    elif details == "null":
        details = None  # else: an object or list, as its JSON text
    return {
        "id": row["id"],
        "runId": row["run_id"],
        "evaluatorName": row["evaluator_name"],
        "score": row["score"],
        "maxScore": row["max_score"],
        "details": details,
        "createdAt": row["created_at"],
    }


#: Evaluations the original's shape can hold: a numeric score (its dashboard calls score.toFixed()).
_ORIGINAL_EVALUATIONS = (
    "SELECT id, run_id, evaluator_name, score, max_score, details, created_at FROM "
    "evaluation_results WHERE run_id = ? AND applicable AND score IS NOT NULL ORDER BY id"
)


def query_original_evaluations(conn: sqlite3.Connection, run_id: str) -> list[dict[str, Any]]:
    """A run's evaluations as sent (score out of maxScore, details as text); not-applicable ones left out.
    [] for an unknown run, as the original."""
    return [_original_evaluation(r) for r in _fetch(conn, _ORIGINAL_EVALUATIONS, (run_id,))]


def query_original_telemetry(conn: sqlite3.Connection, run_id: str) -> dict[str, Any] | None:
    rows = _fetch(
        conn,
        "SELECT id, run_id, tool_calls, tokens_in, tokens_out, cost_usd, duration_ms, workspace_dir, "
        "prompt_sent FROM run_telemetry WHERE run_id = ?",
        (run_id,),
    )
    return _shape(rows[0]) if rows else None


def query_original_run_detail(conn: sqlite3.Connection, run_id: str) -> dict[str, Any] | None:
    row = conn.execute(f"SELECT {_ORIGINAL_RUN_COLUMNS} FROM benchmark_runs WHERE run_id = ?", (run_id,)).fetchone()
    if row is None:
        return None
    return {
        "run": _original_run(row),
        "evaluations": query_original_evaluations(conn, run_id),
        "telemetry": query_original_telemetry(conn, run_id),
    }


def _original_batch(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "batchId": row["batch_id"],
        "createdAt": epoch_ms(row["created_at"]) or 0,
        "completedAt": epoch_ms(row["completed_at"]),
        "totalRuns": row["total_runs"] or 0,
        "successfulRuns": row["successful_runs"] or 0,
        "avgScore": row["avg_score"],
        "avgWeightedScore": row["avg_weighted_score"],
        "metadata": row["metadata"],
    }


_ORIGINAL_BATCH_COLUMNS = (
    "batch_id, created_at, completed_at, total_runs, successful_runs, avg_score, avg_weighted_score, metadata"
)


def query_original_batches(conn: sqlite3.Connection, *, limit: int = 20) -> list[dict[str, Any]]:
    """The original's GET /api/batches: newest createdAt first; createdAt/completedAt in epoch ms."""
    return [
        _original_batch(r)
        for r in _fetch(
            conn,
            f"SELECT {_ORIGINAL_BATCH_COLUMNS} FROM batch_runs ORDER BY created_at DESC, batch_id DESC LIMIT ?",
            (limit,),
        )
    ]


def query_original_batch_detail(conn: sqlite3.Connection, batch_id: str) -> dict[str, Any] | None:
    """The original's GET /api/batches/<id>: the batch row and every one of its runs, oldest startedAt first."""
    rows = _fetch(conn, f"SELECT {_ORIGINAL_BATCH_COLUMNS} FROM batch_runs WHERE batch_id = ?", (batch_id,))
    if not rows:
        return None
    runs = conn.execute(
        f"SELECT {_ORIGINAL_RUN_COLUMNS} FROM benchmark_runs WHERE batch_id = ? ORDER BY started_at, id", (batch_id,)
    )
    return {**_original_batch(rows[0]), "runs": [_original_run(r) for r in runs]}


def query_original_stats(conn: sqlite3.Connection) -> dict[str, Any]:
    """The original's GET /api/stats, over completed runs only: their count, successful ones, mean totalScore
    and mean weightedScore (null without runs). From the agg_status_agents summary (m009)."""
    runs, successful, total_scored, sum_total, scored, sum_weighted = conn.execute(
        "SELECT COALESCE(SUM(runs), 0), COALESCE(SUM(CASE WHEN is_successful = 1 THEN runs END), 0), "
        "COALESCE(SUM(total_scored), 0), COALESCE(SUM(sum_total_score), 0), COALESCE(SUM(scored), 0), "
        "COALESCE(SUM(sum_weighted), 0) FROM agg_status_agents WHERE status = 'completed'"
    ).fetchone()
    return _checked(
        OriginalStats,
        {
            "totalRuns": runs,
            "successfulRuns": successful,
            "avgScore": sum_total / total_scored if total_scored else None,
            "avgWeightedScore": sum_weighted / scored if scored else None,
        },
    )


def query_original_agent_stats(conn: sqlite3.Connection) -> list[dict[str, Any]]:
    """The original's GET /api/stats/agents: per agent over its completed and successful runs, their count and
    mean, min and max weightedScore; highest mean first."""
    rows = [
        _checked(
            OriginalAgentStats,
            {
                "agent": agent,
                "runs": runs,
                "avgScore": sum_weighted / scored if scored else None,
                "minScore": low,
                "maxScore": high,
            },
        )
        for agent, runs, scored, sum_weighted, low, high in conn.execute(
            "SELECT agent, runs, scored, sum_weighted, min_weighted, max_weighted FROM agg_status_agents "
            "WHERE status = 'completed' AND is_successful = 1 AND runs > 0"
        )
    ]
    # SQLite's ORDER BY avgScore DESC puts NULL last; so does this (then by agent, for a stable order)
    return sorted(rows, key=lambda r: (r["avgScore"] is None, -(r["avgScore"] or 0), r["agent"]))


#: Named queries offered on Datasette's database page (zebench serve).
CANNED_QUERIES: dict[str, dict[str, str]] = {
    "leaderboard": {
        "title": "Leaderboard by agent and model",
        "sql": "SELECT agent, NULLIF(model, '') AS model, runs, successful AS successful_runs, "
        "ROUND(1.0 * successful / runs, 3) AS success_rate, ROUND(sum_weighted / NULLIF(scored, 0), 2) "
        "AS avg_weighted_score, ROUND(sum_cost, 4) AS total_cost_usd FROM agg_agents WHERE runs > 0 "
        "ORDER BY success_rate DESC, avg_weighted_score DESC",
    },
    "agent_scenario_matrix": {
        "title": "Agent x scenario: success rate and mean score",
        "sql": "SELECT suite || '/' || scenario AS scenario, agent, COALESCE(model, '') AS model, COUNT(*) AS runs, "
        "ROUND(AVG(successful), 3) AS success_rate, ROUND(AVG(weighted_score), 2) AS avg_weighted_score "
        "FROM runs_counted GROUP BY 1, 2, 3 ORDER BY 1, 2, 3 LIMIT 1000",
    },
    "tier_breakdown": {
        "title": "Success and score per tier",
        "sql": "SELECT tier, SUM(runs) AS runs, ROUND(1.0 * SUM(successful) / SUM(runs), 3) AS success_rate, "
        "ROUND(SUM(sum_weighted) / NULLIF(SUM(scored), 0), 2) AS avg_weighted_score FROM agg_scenarios "
        "GROUP BY tier ORDER BY tier",
    },
    "cost_per_solved_task": {
        "title": "Cost per solved task by agent and model",
        "sql": "SELECT agent, NULLIF(model, '') AS model, ROUND(sum_cost, 4) AS total_cost_usd, successful AS solved, "
        "ROUND(sum_cost / NULLIF(successful, 0), 4) AS cost_per_solved_usd, runs - cost_runs AS "
        "runs_with_unknown_cost FROM agg_agents WHERE runs > 0 ORDER BY cost_per_solved_usd",
    },
    "failures_by_category": {
        "title": "Failed runs by category and stage",
        "sql": "SELECT failure_category, failure_stage, COUNT(*) AS runs, MAX(started_at) AS last_seen "
        "FROM benchmark_runs WHERE failure_category IS NOT NULL GROUP BY 1, 2 ORDER BY runs DESC",
    },
    "recent_batches": {
        "title": "Recent batches",
        "sql": "SELECT batch_id, created_at, completed_at, total_runs, expected_runs, successful_runs, failed_runs, "
        "ROUND(avg_weighted_score, 2) AS avg_weighted_score FROM batch_runs ORDER BY created_at DESC LIMIT 50",
    },
}


SELECTION_FILTERS = ("agent", "model", "suite", "scenario", "tier", "batchId")


def query_item_counts(
    conn: sqlite3.Connection,
    filters: dict[str, str] | None = None,
    *,
    since: str | None = None,
    until: str | None = None,
) -> list[dict[str, Any]]:
    """Counts per (agent, model, suite, scenario, tier): from the summary table when unfiltered, else grouped
    from the runs (filters: agent, model, suite, scenario, tier, batchId; since/until on startedAt)."""
    filters = {k: v for k, v in (filters or {}).items() if v is not None}
    unknown = set(filters) - set(SELECTION_FILTERS)
    if unknown:
        raise ValueError(f"unknown filter(s): {', '.join(sorted(unknown))}; use {', '.join(SELECTION_FILTERS)}")
    if not filters and not since and not until:
        return _fetch(conn, "SELECT * FROM agg_items WHERE runs > 0")
    where, params = [counts_sql("runs")], []
    for key, value in filters.items():
        column = "batch_id" if key == "batchId" else key
        if column == "model" and value == "":
            where.append("model IS NULL")
        else:
            where.append(f"{column} = ?")
            params.append(value)
    _time_window(where, params, since, until)
    group = ", ".join(f"COALESCE({c}, '') AS {c}" for c in ITEM_COLUMNS)
    return _fetch(
        conn,
        f"SELECT {group}, {item_sums_columns()} FROM benchmark_runs WHERE {' AND '.join(where)} "
        f"GROUP BY {', '.join(f'COALESCE({c}, {chr(39)}{chr(39)})' for c in ITEM_COLUMNS)}",
        params,
    )


def query_configurations(conn: sqlite3.Connection) -> list[tuple[str, str]]:
    """Every configuration with runs, (agent, model) with '' for no model, in order."""
    return [(a, m) for a, m in conn.execute("SELECT agent, model FROM agg_agents WHERE runs > 0 ORDER BY agent, model")]


def query_data_as_of(conn: sqlite3.Connection, batch_id: str | None = None) -> str | None:
    """The time of the newest run or batch (of one batch, with ``batch_id``): what a report is current to."""
    newest: str | None
    if batch_id is not None:
        (newest,) = conn.execute(
            "SELECT MAX(x) FROM (SELECT MAX(COALESCE(completed_at, started_at)) AS x FROM benchmark_runs "
            "WHERE batch_id = ? UNION ALL SELECT MAX(COALESCE(completed_at, created_at)) FROM batch_runs "
            "WHERE batch_id = ?)",
            (batch_id, batch_id),
        ).fetchone()
    else:
        (newest,) = conn.execute(
            "SELECT MAX(x) FROM (SELECT MAX(COALESCE(completed_at, started_at)) AS x FROM "
            "benchmark_runs UNION ALL SELECT MAX(created_at) FROM batch_runs)"
        ).fetchone()
    return newest


def is_zebench_database(conn: sqlite3.Connection) -> bool:
    return conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'benchmark_runs'").fetchone() is not None


def batch_exists(conn: sqlite3.Connection, batch_id: str) -> bool:
    return conn.execute("SELECT 1 FROM batch_runs WHERE batch_id = ?", (batch_id,)).fetchone() is not None


def data_version(conn: sqlite3.Connection) -> tuple[Any, ...]:
    """Changes whenever runs are written: a cheap key for caching derived statistics. The newest write revision
    (m007, indexed) is part of it: a rewritten run keeps its row id and may keep the totals, yet changes figures
    such as success rates."""
    return tuple(
        conn.execute(
            "SELECT (SELECT MAX(id) FROM benchmark_runs), "
            "(SELECT MAX(revision) FROM benchmark_runs), "
            "(SELECT runs || ':' || sum_weighted FROM agg_totals), (SELECT COUNT(*) FROM batch_runs)"
        ).fetchone()
    )
