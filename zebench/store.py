"""The SQLite store: the only module that writes SQL.

Schema changes only through new migrations (sqlite-utils ``Migrations``; a shipped migration is never edited).
The database runs in WAL mode. A run is written with all its parts in one transaction, so a killed process
leaves either the whole run or nothing. Read queries used by the CLI (and later the API and the site) live here
too, so every consumer computes the same numbers.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any, Iterable, Iterator

import sqlite_utils
from sqlite_utils import Migrations

from .models import (
    BatchRecord, DependencyChange, Diff, DiffFile, Evaluation, Failure, Manifest, Message, RunRecord, Telemetry,
    ToolCallRecord, Transcript, ValidationResult,
)

DEFAULT_DB_PATH = Path("data/zebench.db")

migrations = Migrations("zebench")


@migrations()
def m001_initial(db: sqlite_utils.Database) -> None:
    db["batch_runs"].create(
        {
            "batch_id": str, "created_at": str, "completed_at": str, "total_runs": int, "successful_runs": int,
            "failed_runs": int, "expected_runs": int, "avg_score": float, "avg_weighted_score": float,
            "metadata": str,
        },
        pk="batch_id",
        not_null={"created_at"},
        defaults={"total_runs": 0, "successful_runs": 0, "failed_runs": 0},
    )
    db["benchmark_runs"].create(
        {
            "id": int, "run_id": str, "batch_id": str, "suite": str, "scenario": str, "tier": str, "agent": str,
            "model": str, "status": str, "started_at": str, "completed_at": str, "total_score": float,
            "weighted_score": float, "is_successful": int, "success_metric": float, "repeat_index": int,
            "failure_category": str, "failure_stage": str, "error": str, "has_diff": int, "has_transcript": int,
            "metadata": str,
        },
        pk="id",
        not_null={"run_id", "suite", "scenario", "tier", "agent", "status", "started_at"},
        defaults={"is_successful": 0, "repeat_index": 0},
    )
    db["benchmark_runs"].create_index(["run_id"], unique=True)
    db["benchmark_runs"].create_index(["batch_id", "suite", "scenario", "tier", "agent", "model", "repeat_index"])
    db["benchmark_runs"].create_index(["suite", "scenario", "tier"])
    db["benchmark_runs"].create_index(["agent", "model"])
    db["benchmark_runs"].create_index(["status"])
    db["benchmark_runs"].create_index(["started_at"])
    db["evaluation_results"].create(
        {
            "id": int, "run_id": str, "evaluator_name": str, "score": float, "max_score": float, "applicable": int,
            "weight": float, "kind": str, "details": str, "error": str, "created_at": str,
        },
        pk="id",
        not_null={"run_id", "evaluator_name"},
    )
    db["evaluation_results"].create_index(["run_id", "evaluator_name"], unique=True)
    db["evaluation_results"].create_index(["evaluator_name", "applicable", "score"])
    db["run_telemetry"].create(
        {
            "id": int, "run_id": str, "tool_calls": int, "tokens_in": int, "tokens_out": int,
            "cache_read_tokens": int, "cache_write_tokens": int, "cost_usd": float, "judge_cost_usd": float,
            "duration_ms": int, "workspace_dir": str, "stage_ms": str, "prompt_sent": str,
        },
        pk="id",
        not_null={"run_id"},
    )
    db["run_telemetry"].create_index(["run_id"], unique=True)
    db["validation_results"].create(
        {"id": int, "run_id": str, "seq": int, "kind": str, "command": str, "status": str, "exit_code": int,
         "duration_ms": int, "output_tail": str},
        pk="id", not_null={"run_id", "kind"},
    )
    db["validation_results"].create_index(["run_id", "seq"], unique=True)
    db["run_diff_files"].create(
        {"id": int, "run_id": str, "seq": int, "path": str, "change": str, "binary": int, "additions": int,
         "deletions": int, "patch": str, "patch_truncated": int},
        pk="id", not_null={"run_id", "path"},
    )
    db["run_diff_files"].create_index(["run_id", "seq"], unique=True)
    db["run_dependency_changes"].create(
        {"id": int, "run_id": str, "seq": int, "manifest": str, "section": str, "name": str, "before": str,
         "after": str},
        pk="id", not_null={"run_id", "name"},
    )
    db["run_dependency_changes"].create_index(["run_id", "seq"], unique=True)
    db["run_messages"].create(
        {"id": int, "run_id": str, "seq": int, "role": str, "content": str}, pk="id", not_null={"run_id"},
    )
    db["run_messages"].create_index(["run_id", "seq"], unique=True)
    db["run_tool_calls"].create(
        {"id": int, "run_id": str, "seq": int, "name": str, "input": str, "output": str, "is_error": int,
         "duration_ms": int},
        pk="id", not_null={"run_id", "name"},
    )
    db["run_tool_calls"].create_index(["run_id", "seq"], unique=True)
    db["run_manifests"].create(
        {"run_id": str, "format_version": int, "zebench_version": str, "git_commit": str, "scenario_hash": str,
         "prompt_hash": str, "agent": str, "model": str, "settings": str, "python_version": str, "platform": str},
        pk="run_id",
    )


@migrations()
def m002_evaluation_cost(db: sqlite_utils.Database) -> None:
    """The LLM judge has a cost: per evaluation, summed into run_telemetry.judge_cost_usd."""
    db["evaluation_results"].add_column("cost_usd", float)


#: Child tables of a run, deleted and rewritten together with it.
RUN_CHILD_TABLES = (
    "evaluation_results", "run_telemetry", "validation_results", "run_diff_files", "run_dependency_changes",
    "run_messages", "run_tool_calls", "run_manifests",
)


def _dumps(value: Any) -> str | None:
    return None if value is None else json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _loads(text: str | None) -> Any:
    return None if text is None else json.loads(text)


def _insert(conn: sqlite3.Connection, table: str, rows: list[dict[str, Any]]) -> None:
    if not rows:
        return
    columns = list(rows[0])
    sql = f"INSERT INTO [{table}] ({', '.join(f'[{c}]' for c in columns)}) VALUES ({', '.join('?' for _ in columns)})"
    conn.executemany(sql, [tuple(row[c] for c in columns) for row in rows])


class Store:
    """A zebench database. Not thread-safe: use one Store per thread (the batch runner keeps one writer thread)."""

    def __init__(self, path: Path | str = DEFAULT_DB_PATH, *, migrate: bool = True):
        self.path = Path(path)
        if self.path.parent and not self.path.parent.exists():
            self.path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(str(self.path), check_same_thread=False, timeout=30)
        self.db = sqlite_utils.Database(conn)
        self.conn = conn
        self.conn.execute("PRAGMA busy_timeout = 30000")
        if migrate:
            self.migrate()

    def migrate(self) -> None:
        if self.db.journal_mode != "wal":
            self.db.enable_wal()
        migrations.apply(self.db)

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> "Store":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- writes -----------------------------------------------------------------------------------------------

    def save_run(self, record: RunRecord) -> None:
        """Insert or replace one run with all its parts, in one transaction."""
        with self.db.atomic():
            self._write_run(record)

    def save_runs(self, records: Iterable[RunRecord]) -> int:
        count = 0
        with self.db.atomic():
            for record in records:
                self._write_run(record)
                count += 1
        return count

    def _write_run(self, r: RunRecord) -> None:
        conn = self.conn
        conn.execute("DELETE FROM benchmark_runs WHERE run_id = ?", (r.run_id,))
        for table in RUN_CHILD_TABLES:
            conn.execute(f"DELETE FROM [{table}] WHERE run_id = ?", (r.run_id,))
        _insert(conn, "benchmark_runs", [{
            "run_id": r.run_id, "batch_id": r.batch_id, "suite": r.suite, "scenario": r.scenario, "tier": r.tier,
            "agent": r.agent, "model": r.model, "status": r.status, "started_at": r.started_at,
            "completed_at": r.completed_at, "total_score": r.total_score, "weighted_score": r.weighted_score,
            "is_successful": int(r.is_successful), "success_metric": r.success_metric,
            "repeat_index": r.repeat_index,
            "failure_category": r.failure.category if r.failure else None,
            "failure_stage": r.failure.stage if r.failure else None,
            "error": r.failure.message if r.failure else None,
            "has_diff": int(r.diff is not None), "has_transcript": int(r.transcript is not None),
            "metadata": _dumps(r.metadata),
        }])
        _insert(conn, "evaluation_results", [{
            "run_id": r.run_id, "evaluator_name": e.evaluator_name, "score": e.score, "max_score": e.max_score,
            "applicable": int(e.applicable), "weight": e.weight, "kind": e.kind, "details": _dumps(e.details),
            "error": e.error, "created_at": r.completed_at or r.started_at, "cost_usd": e.cost_usd,
        } for e in r.evaluations])
        if r.telemetry is not None:
            t = r.telemetry
            _insert(conn, "run_telemetry", [{
                "run_id": r.run_id, "tool_calls": t.tool_calls, "tokens_in": t.tokens_in, "tokens_out": t.tokens_out,
                "cache_read_tokens": t.cache_read_tokens, "cache_write_tokens": t.cache_write_tokens,
                "cost_usd": t.cost_usd, "judge_cost_usd": t.judge_cost_usd, "duration_ms": t.duration_ms,
                "workspace_dir": t.workspace_dir, "stage_ms": _dumps(t.stage_ms), "prompt_sent": t.prompt_sent,
            }])
        _insert(conn, "validation_results", [{
            "run_id": r.run_id, "seq": i, "kind": v.kind, "command": v.command, "status": v.status,
            "exit_code": v.exit_code, "duration_ms": v.duration_ms, "output_tail": v.output_tail,
        } for i, v in enumerate(r.validation)])
        if r.diff is not None:
            _insert(conn, "run_diff_files", [{
                "run_id": r.run_id, "seq": i, "path": f.path, "change": f.change, "binary": int(f.binary),
                "additions": f.additions, "deletions": f.deletions, "patch": f.patch,
                "patch_truncated": int(f.patch_truncated),
            } for i, f in enumerate(r.diff.files)])
            _insert(conn, "run_dependency_changes", [{
                "run_id": r.run_id, "seq": i, "manifest": c.manifest, "section": c.section, "name": c.name,
                "before": c.before, "after": c.after,
            } for i, c in enumerate(r.diff.dependency_changes)])
        if r.transcript is not None:
            _insert(conn, "run_messages", [{
                "run_id": r.run_id, "seq": i, "role": m.role, "content": _dumps(m.content),
            } for i, m in enumerate(r.transcript.messages)])
            _insert(conn, "run_tool_calls", [{
                "run_id": r.run_id, "seq": c.seq, "name": c.name, "input": _dumps(c.input), "output": c.output,
                "is_error": int(c.is_error), "duration_ms": c.duration_ms,
            } for c in r.transcript.tool_calls])
        if r.manifest is not None:
            m = r.manifest
            _insert(conn, "run_manifests", [{
                "run_id": r.run_id, "format_version": m.format_version, "zebench_version": m.zebench_version,
                "git_commit": m.git_commit, "scenario_hash": m.scenario_hash, "prompt_hash": m.prompt_hash,
                "agent": m.agent, "model": m.model, "settings": _dumps(m.settings),
                "python_version": m.python_version, "platform": m.platform,
            }])

    def save_batch(self, batch: BatchRecord) -> None:
        with self.db.atomic():
            self.conn.execute("DELETE FROM batch_runs WHERE batch_id = ?", (batch.batch_id,))
            _insert(self.conn, "batch_runs", [{
                "batch_id": batch.batch_id, "created_at": batch.created_at, "completed_at": batch.completed_at,
                "total_runs": batch.total_runs, "successful_runs": batch.successful_runs,
                "failed_runs": batch.failed_runs, "expected_runs": batch.expected_runs,
                "avg_score": batch.avg_score, "avg_weighted_score": batch.avg_weighted_score,
                "metadata": _dumps(batch.metadata),
            }])

    def refresh_batch(self, batch_id: str, completed_at: str | None = None) -> BatchRecord | None:
        """Recompute a batch's aggregates from its stored runs (cancelled attempts excluded)."""
        with self.db.atomic():
            self.conn.execute(
                """
                UPDATE batch_runs SET
                  total_runs = agg.total, successful_runs = agg.successful, failed_runs = agg.failed,
                  avg_score = agg.avg_score, avg_weighted_score = agg.avg_weighted,
                  completed_at = COALESCE(?, completed_at)
                FROM (
                  SELECT COUNT(*) AS total, COALESCE(SUM(is_successful), 0) AS successful,
                         COALESCE(SUM(status NOT IN ('completed', 'budget_exceeded')), 0) AS failed,
                         AVG(total_score) AS avg_score, AVG(weighted_score) AS avg_weighted
                  FROM benchmark_runs WHERE batch_id = ? AND status != 'cancelled'
                ) AS agg
                WHERE batch_id = ?
                """,
                (completed_at, batch_id, batch_id),
            )
        return self.get_batch(batch_id)

    # -- reads ------------------------------------------------------------------------------------------------

    def _rows(self, sql: str, params: tuple[Any, ...] = ()) -> list[dict[str, Any]]:
        cursor = self.conn.execute(sql, params)
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row)) for row in cursor.fetchall()]

    def get_batch(self, batch_id: str) -> BatchRecord | None:
        rows = self._rows("SELECT * FROM batch_runs WHERE batch_id = ?", (batch_id,))
        if not rows:
            return None
        row = rows[0]
        row["metadata"] = _loads(row["metadata"]) or {}
        return BatchRecord.model_validate(row)

    def batch_keys(self, batch_id: str) -> set[tuple[str, str, str, str, str, int]]:
        """Matrix keys of the runs of a batch that count as done (every status but cancelled)."""
        rows = self.conn.execute(
            "SELECT suite, scenario, tier, agent, COALESCE(model, ''), repeat_index FROM benchmark_runs "
            "WHERE batch_id = ? AND status != 'cancelled'",
            (batch_id,),
        ).fetchall()
        return {tuple(r) for r in rows}  # type: ignore[misc]

    def run_ids(self, batch_id: str | None = None) -> list[str]:
        if batch_id is None:
            return [r[0] for r in self.conn.execute("SELECT run_id FROM benchmark_runs ORDER BY id")]
        return [r[0] for r in self.conn.execute(
            "SELECT run_id FROM benchmark_runs WHERE batch_id = ? ORDER BY id", (batch_id,))]

    def get_run(self, run_id: str) -> RunRecord | None:
        rows = self._rows("SELECT * FROM benchmark_runs WHERE run_id = ?", (run_id,))
        if not rows:
            return None
        row = rows[0]
        failure = (
            Failure(category=row["failure_category"], stage=row["failure_stage"] or "", message=row["error"] or "")
            if row["failure_category"] else None
        )
        evaluations = [
            Evaluation(
                evaluator_name=e["evaluator_name"], score=e["score"], max_score=e["max_score"],
                applicable=bool(e["applicable"]), weight=e["weight"], kind=e["kind"], details=_loads(e["details"]),
                error=e["error"], cost_usd=e["cost_usd"],
            )
            for e in self._rows("SELECT * FROM evaluation_results WHERE run_id = ? ORDER BY id", (run_id,))
        ]
        telemetry = None
        for t in self._rows("SELECT * FROM run_telemetry WHERE run_id = ?", (run_id,)):
            t.pop("id"), t.pop("run_id")
            t["stage_ms"] = _loads(t["stage_ms"]) or {}
            telemetry = Telemetry.model_validate(t)
        validation = [
            ValidationResult.model_validate({k: v for k, v in row_.items() if k not in ("id", "run_id", "seq")})
            for row_ in self._rows("SELECT * FROM validation_results WHERE run_id = ? ORDER BY seq", (run_id,))
        ]
        diff = None
        if row["has_diff"]:
            diff = Diff(
                files=[
                    DiffFile(path=f["path"], change=f["change"], binary=bool(f["binary"]), additions=f["additions"],
                             deletions=f["deletions"], patch=f["patch"], patch_truncated=bool(f["patch_truncated"]))
                    for f in self._rows("SELECT * FROM run_diff_files WHERE run_id = ? ORDER BY seq", (run_id,))
                ],
                dependency_changes=[
                    DependencyChange(manifest=c["manifest"], section=c["section"], name=c["name"],
                                     before=c["before"], after=c["after"])
                    for c in self._rows(
                        "SELECT * FROM run_dependency_changes WHERE run_id = ? ORDER BY seq", (run_id,))
                ],
            )
        transcript = None
        if row["has_transcript"]:
            transcript = Transcript(
                messages=[
                    Message(role=m["role"], content=_loads(m["content"]))
                    for m in self._rows("SELECT * FROM run_messages WHERE run_id = ? ORDER BY seq", (run_id,))
                ],
                tool_calls=[
                    ToolCallRecord(seq=c["seq"], name=c["name"], input=_loads(c["input"]) or {}, output=c["output"],
                                   is_error=bool(c["is_error"]), duration_ms=c["duration_ms"])
                    for c in self._rows("SELECT * FROM run_tool_calls WHERE run_id = ? ORDER BY seq", (run_id,))
                ],
            )
        manifest = None
        for m in self._rows("SELECT * FROM run_manifests WHERE run_id = ?", (run_id,)):
            m.pop("run_id")
            m["settings"] = _loads(m["settings"]) or {}
            manifest = Manifest.model_validate(m)
        return RunRecord(
            run_id=row["run_id"], batch_id=row["batch_id"], suite=row["suite"], scenario=row["scenario"],
            tier=row["tier"], agent=row["agent"], model=row["model"], status=row["status"],
            started_at=row["started_at"], completed_at=row["completed_at"], total_score=row["total_score"],
            weighted_score=row["weighted_score"], is_successful=bool(row["is_successful"]),
            success_metric=row["success_metric"], repeat_index=row["repeat_index"], failure=failure,
            metadata=_loads(row["metadata"]) or {}, evaluations=evaluations, telemetry=telemetry,
            validation=validation, diff=diff, transcript=transcript, manifest=manifest,
        )

    def iter_runs(self, batch_id: str | None = None) -> Iterator[RunRecord]:
        for run_id in self.run_ids(batch_id):
            record = self.get_run(run_id)
            if record is not None:
                yield record

    def run_summaries(self, batch_id: str) -> list[dict[str, Any]]:
        """The columns the batch summary table shows, one row per stored run of the batch."""
        return self._rows(
            "SELECT r.run_id, r.suite, r.scenario, r.tier, r.agent, r.model, r.status, r.weighted_score, "
            "r.is_successful, r.success_metric, r.failure_category, r.error, t.cost_usd, t.judge_cost_usd "
            "FROM benchmark_runs r LEFT JOIN run_telemetry t ON t.run_id = r.run_id WHERE r.batch_id = ? "
            "ORDER BY r.suite, r.scenario, r.tier, r.agent, r.model, r.repeat_index",
            (batch_id,),
        )
