"""Helpers every query module shares: rows as dicts, cursors, time windows, the filters of runs."""

from __future__ import annotations

import base64
import json
import sqlite3
from collections.abc import Iterable
from typing import Any

from ...isolation.redact import public_path, public_settings
from ...models.run import RUN_FILTER_COLUMNS, RUNS
from ..sql import dumps


def batch_complete(expected_runs: int | None, runs: int, completed_at: str | None) -> bool:
    """The one definition of a complete batch: every run of its matrix is stored (cancelled attempts are not runs);
    for a batch without a known matrix (posted by the original project's client, or made by ingest), that it
    was marked completed."""
    if expected_runs is not None:
        return runs >= expected_runs
    return completed_at is not None


#: The exact-match filters of /api/v2/runs (API key -> column): the item, the configuration, status and batch.
RUN_FILTERS = {RUNS.column(c).key: c for c in RUN_FILTER_COLUMNS}


def _fetch(conn: sqlite3.Connection, sql: str, params: Iterable[Any] = ()) -> list[dict[str, Any]]:
    """Rows as dicts by column name (the figures' queries: their names are their own)."""
    cursor = conn.execute(sql, tuple(params))
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


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


def is_zebench_database(conn: sqlite3.Connection) -> bool:
    return conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'benchmark_runs'").fetchone() is not None


def batch_exists(conn: sqlite3.Connection, batch_id: str) -> bool:
    return conn.execute("SELECT 1 FROM batch_runs WHERE batch_id = ?", (batch_id,)).fetchone() is not None


def data_version(conn: sqlite3.Connection) -> tuple[Any, ...]:
    """Changes whenever runs or batches are written: a cheap key for caching derived statistics and for the live
    site (is its build current?). The newest write revision (m007, indexed) is part of it: a rewritten run keeps its
    row id and may keep the totals, yet changes figures such as success rates. The last part changes when a batch
    starts or is marked finished (:func:`batch_states`); the first is the newest run's row id (a site built from this
    version holds the runs up to it)."""
    return (
        *conn.execute(
            "SELECT (SELECT MAX(id) FROM benchmark_runs), "
            "(SELECT MAX(revision) FROM benchmark_runs), "
            "(SELECT runs || ':' || sum_weighted FROM agg_totals)"
        ).fetchone(),
        batch_states(conn),
    )


def batch_states(conn: sqlite3.Connection) -> str:
    """How many batches there are, how many are marked finished, and the newest finish: changes when a batch starts
    or finishes (the live site rebuilds at once then)."""
    (states,) = conn.execute(
        "SELECT COUNT(*) || ':' || COUNT(completed_at) || ':' || COALESCE(MAX(completed_at), '') FROM batch_runs"
    ).fetchone()
    return str(states)


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


def public_batch_metadata(metadata: Any) -> Any:
    """A batch's metadata as published (the API, the site): the host paths zebench keeps there for --resume (the
    plan's suites folder and agent settings such as --replay-file, the --output file) as their last component
    (isolation.redact.public_path)."""
    if not isinstance(metadata, dict):
        return metadata
    out = dict(metadata)
    if isinstance(out.get("output"), str):
        out["output"] = public_path(out["output"])
    plan = out.get("plan")
    if isinstance(plan, dict):
        out["plan"] = {
            **plan,
            "suites_dir": public_path(plan.get("suites_dir")),
            "agent_settings": public_settings(plan.get("agent_settings")),  # --replay-file
        }
    return out


def public_metadata_text(text: Any) -> Any:
    """The original shape's batch metadata (JSON text) with public_batch_metadata applied; other text as it is."""
    if not isinstance(text, str) or ('"output"' not in text and '"plan"' not in text):
        return text
    try:
        value = json.loads(text)
    except ValueError:
        return text
    public = public_batch_metadata(value)
    return text if public == value else dumps(public)
