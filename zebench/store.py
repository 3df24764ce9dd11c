"""The SQLite store: the only module that writes SQL.

Schema changes only through new migrations (sqlite-utils ``Migrations``; a shipped migration is never edited).
The database runs in WAL mode. A run is written with all its parts in one transaction, so a killed process
leaves either the whole run or nothing. Read queries used by the CLI (and later the API and the site) live here
too, so every consumer computes the same numbers.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Iterable, Iterator

import sqlite_utils
from sqlite_utils import Migrations

from .models import (
    CANCELLED_STATUSES, INFRA_CATEGORIES, SCORED_STATUSES, BatchRecord, DependencyChange, Diff, DiffFile, Evaluation,
    Failure, Manifest, Message, RunRecord, Telemetry, ToolCallRecord, Transcript, ValidationResult, record_problems,
)
from .redact import default_redactor, redact

DEFAULT_DB_PATH = Path("data/zebench.db")

migrations = Migrations("zebench")

#: The infrastructure condition as m004 and m006 shipped it (frozen: those migrations must not change).
_INFRA_SQL = ("COALESCE(%s.failure_category IN ('infrastructure', 'rate_limited', 'workspace', 'validation', "
              "'evaluation', 'setup', 'warmup'), 0)")


def _quoted(values: tuple[str, ...]) -> str:
    return "(" + ", ".join(f"'{v}'" for v in values) + ")"


_NOT_COUNTED = _quoted(CANCELLED_STATUSES)
_UNSCORED = _quoted(SCORED_STATUSES + CANCELLED_STATUSES)
_INFRA = f"COALESCE({{r}}.failure_category IN {_quoted(INFRA_CATEGORIES)}, 0)"

#: The one definition of each count, as a condition on a benchmark_runs row ("{r}": the row's name, a table alias
#: or NEW/OLD in a trigger), generated from the status and category groups of zebench.models (checked against
#: its Literal types). Runs are the attempts that were not cancelled, and every run is exactly one of completed
#: (validated and scored), an agent failure or an infrastructure failure. A run is successful only when it
#: completed. The CLI, the API (v2), the static site, the summary tables' triggers and the ``runs_counted`` view
#: all count with these (the original project's /api/* paths keep the original's own definitions).
COUNT_CONDITIONS: dict[str, str] = {
    "attempts": "1",
    "cancelled": f"{{r}}.status IN {_NOT_COUNTED}",
    "runs": f"{{r}}.status NOT IN {_NOT_COUNTED}",
    "completed": f"{{r}}.status IN {_quoted(SCORED_STATUSES)}",
    "failed": f"{{r}}.status NOT IN {_UNSCORED}",
    "agent_failures": f"{{r}}.status NOT IN {_UNSCORED} AND NOT {_INFRA}",
    "infra_failures": f"{{r}}.status NOT IN {_UNSCORED} AND {_INFRA}",
    "successful": f"{{r}}.status IN {_quoted(SCORED_STATUSES)} AND {{r}}.is_successful = 1",
    "scored": f"{{r}}.status NOT IN {_NOT_COUNTED} AND {{r}}.weighted_score IS NOT NULL",
    "evaluator_errors": f"{{r}}.status NOT IN {_NOT_COUNTED} AND {{r}}.evaluator_errors > 0",
}


def counts_sql(name: str, ref: str = "benchmark_runs") -> str:
    """The condition of count ``name`` (COUNT_CONDITIONS) on the row called ``ref``, parenthesised (0 or 1)."""
    return "(" + COUNT_CONDITIONS[name].format(r=ref) + ")"


def batch_complete(expected_runs: int | None, runs: int, completed_at: str | None) -> bool:
    """The one definition of a complete batch: every run of its matrix is stored (cancelled attempts are not runs);
    for a batch without a known matrix (posted by the original project's client, or made by ingest), that it
    was marked completed."""
    if expected_runs is not None:
        return runs >= expected_runs
    return completed_at is not None


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


AGGREGATE_COLUMNS = """
  runs INTEGER NOT NULL DEFAULT 0, successful INTEGER NOT NULL DEFAULT 0, failed INTEGER NOT NULL DEFAULT 0,
  scored INTEGER NOT NULL DEFAULT 0, sum_total_score REAL NOT NULL DEFAULT 0, sum_weighted REAL NOT NULL DEFAULT 0,
  min_weighted REAL, max_weighted REAL, cost_runs INTEGER NOT NULL DEFAULT 0, sum_cost REAL NOT NULL DEFAULT 0
"""

#: Summary tables kept up to date by triggers, so that statistics over millions of runs read a few rows:
#: table -> the run columns that identify a group (NULL model is stored as '').
AGGREGATES: dict[str, tuple[str, ...]] = {
    "agg_totals": (),
    "agg_agents": ("agent", "model"),
    "agg_scenarios": ("suite", "scenario", "tier"),
}


def _aggregate_triggers(table: str, cols: tuple[str, ...]) -> list[str]:
    keys = cols or ("grp",)
    values = lambda ref: ", ".join(f"COALESCE({ref}.{c}, '')" for c in cols) or "'all'"  # noqa: E731
    match = lambda ref: " AND ".join(f"{c} = COALESCE({ref}.{c}, '')" for c in cols) or "grp = 'all'"  # noqa: E731
    # After a delete, min and max are recomputed from the group's runs (an index seek on the group columns).
    group = " AND ".join(f"r.{c} IS OLD.{c}" for c in cols)
    minmax = (
        f"min_weighted = (SELECT MIN(weighted_score) FROM benchmark_runs r WHERE {group} AND r.status != 'cancelled'),"
        f" max_weighted = (SELECT MAX(weighted_score) FROM benchmark_runs r WHERE {group} AND r.status != 'cancelled'),"
        if cols else ""
    )
    return [
        f"""CREATE TRIGGER {table}_insert AFTER INSERT ON benchmark_runs WHEN NEW.status != 'cancelled' BEGIN
          INSERT INTO {table} ({', '.join(keys)}) VALUES ({values('NEW')}) ON CONFLICT DO NOTHING;
          UPDATE {table} SET
            runs = runs + 1, successful = successful + NEW.is_successful,
            failed = failed + (NEW.status NOT IN ('completed', 'budget_exceeded')),
            scored = scored + (NEW.weighted_score IS NOT NULL),
            sum_total_score = sum_total_score + COALESCE(NEW.total_score, 0),
            sum_weighted = sum_weighted + COALESCE(NEW.weighted_score, 0),
            min_weighted = CASE WHEN NEW.weighted_score IS NULL THEN min_weighted
                                ELSE MIN(COALESCE(min_weighted, NEW.weighted_score), NEW.weighted_score) END,
            max_weighted = CASE WHEN NEW.weighted_score IS NULL THEN max_weighted
                                ELSE MAX(COALESCE(max_weighted, NEW.weighted_score), NEW.weighted_score) END,
            cost_runs = cost_runs + (NEW.cost_usd IS NOT NULL), sum_cost = sum_cost + COALESCE(NEW.cost_usd, 0)
          WHERE {match('NEW')};
        END""",
        f"""CREATE TRIGGER {table}_delete AFTER DELETE ON benchmark_runs WHEN OLD.status != 'cancelled' BEGIN
          UPDATE {table} SET {minmax}
            runs = runs - 1, successful = successful - OLD.is_successful,
            failed = failed - (OLD.status NOT IN ('completed', 'budget_exceeded')),
            scored = scored - (OLD.weighted_score IS NOT NULL),
            sum_total_score = sum_total_score - COALESCE(OLD.total_score, 0),
            sum_weighted = sum_weighted - COALESCE(OLD.weighted_score, 0),
            cost_runs = cost_runs - (OLD.cost_usd IS NOT NULL), sum_cost = sum_cost - COALESCE(OLD.cost_usd, 0)
          WHERE {match('OLD')};
        END""",
    ]


@migrations()
def m003_summaries(db: sqlite_utils.Database) -> None:
    """Summary tables for the API's statistics at millions of runs, and indexes for its filters."""
    db["benchmark_runs"].add_column("cost_usd", float)
    db.execute("UPDATE benchmark_runs SET cost_usd = (SELECT cost_usd FROM run_telemetry t WHERE t.run_id = benchmark_runs.run_id)")
    for table, cols in AGGREGATES.items():
        keys = cols or ("grp",)
        db.execute(f"CREATE TABLE {table} ({', '.join(f'{k} TEXT NOT NULL' for k in keys)}, {AGGREGATE_COLUMNS}, "
                   f"PRIMARY KEY ({', '.join(keys)}))")
        for sql in _aggregate_triggers(table, cols):
            db.execute(sql)
        group = ", ".join(f"COALESCE({c}, '')" for c in cols) or "'all'"
        db.execute(
            f"""INSERT INTO {table} ({', '.join(keys)}, runs, successful, failed, scored, sum_total_score,
                   sum_weighted, min_weighted, max_weighted, cost_runs, sum_cost)
                SELECT {group}, COUNT(*), SUM(is_successful), SUM(status NOT IN ('completed', 'budget_exceeded')),
                   COUNT(weighted_score), COALESCE(SUM(total_score), 0), COALESCE(SUM(weighted_score), 0),
                   MIN(weighted_score), MAX(weighted_score), COUNT(cost_usd), COALESCE(SUM(cost_usd), 0)
                FROM benchmark_runs WHERE status != 'cancelled' GROUP BY {group} HAVING COUNT(*) > 0"""
        )
    db.execute("DROP INDEX IF EXISTS idx_benchmark_runs_agent_model")
    db["benchmark_runs"].create_index(["agent", "model", "weighted_score"])
    db["benchmark_runs"].create_index(["suite", "scenario", "tier", "weighted_score"], find_unique_name=True)
    db["benchmark_runs"].create_index(["tier"])
    db["benchmark_runs"].create_index(["model"])
    db["benchmark_runs"].create_index(["scenario"])
    db["batch_runs"].create_index(["created_at"])


ITEM_COLUMNS = ("agent", "model", "suite", "scenario", "tier")


@migrations()
def m004_item_summaries(db: sqlite_utils.Database) -> None:
    """Per (agent, model, suite, scenario, tier): the counts the leaderboard, pass@k, tie groups and paired
    comparisons need, kept up to date by triggers, so statistics at a million runs read about ten thousand rows.
    Infrastructure failures are counted apart from the agent's own failures."""
    keys = ", ".join(f"{c} TEXT NOT NULL" for c in ITEM_COLUMNS)
    db.execute(f"""CREATE TABLE agg_items ({keys},
        runs INTEGER NOT NULL DEFAULT 0, successful INTEGER NOT NULL DEFAULT 0,
        agent_failed INTEGER NOT NULL DEFAULT 0, infra_failed INTEGER NOT NULL DEFAULT 0,
        scored INTEGER NOT NULL DEFAULT 0, sum_weighted REAL NOT NULL DEFAULT 0,
        cost_runs INTEGER NOT NULL DEFAULT 0, sum_cost REAL NOT NULL DEFAULT 0,
        PRIMARY KEY ({', '.join(ITEM_COLUMNS)}))""")
    values = lambda ref: ", ".join(f"COALESCE({ref}.{c}, '')" for c in ITEM_COLUMNS)  # noqa: E731
    match = lambda ref: " AND ".join(f"{c} = COALESCE({ref}.{c}, '')" for c in ITEM_COLUMNS)  # noqa: E731
    changes = lambda ref, sign: f"""
        runs = runs {sign} 1, successful = successful {sign} {ref}.is_successful,
        agent_failed = agent_failed {sign} ({ref}.status NOT IN ('completed', 'budget_exceeded') AND NOT {_INFRA_SQL % ref}),
        infra_failed = infra_failed {sign} ({_INFRA_SQL % ref}),
        scored = scored {sign} ({ref}.weighted_score IS NOT NULL),
        sum_weighted = sum_weighted {sign} COALESCE({ref}.weighted_score, 0),
        cost_runs = cost_runs {sign} ({ref}.cost_usd IS NOT NULL), sum_cost = sum_cost {sign} COALESCE({ref}.cost_usd, 0)"""  # noqa: E731
    db.execute(f"""CREATE TRIGGER agg_items_insert AFTER INSERT ON benchmark_runs WHEN NEW.status != 'cancelled' BEGIN
        INSERT INTO agg_items ({', '.join(ITEM_COLUMNS)}) VALUES ({values('NEW')}) ON CONFLICT DO NOTHING;
        UPDATE agg_items SET {changes('NEW', '+')} WHERE {match('NEW')};
    END""")
    db.execute(f"""CREATE TRIGGER agg_items_delete AFTER DELETE ON benchmark_runs WHEN OLD.status != 'cancelled' BEGIN
        UPDATE agg_items SET {changes('OLD', '-')} WHERE {match('OLD')};
    END""")
    group = ", ".join(f"COALESCE({c}, '')" for c in ITEM_COLUMNS)
    r = "benchmark_runs"
    db.execute(f"""INSERT INTO agg_items SELECT {group}, COUNT(*), SUM(is_successful),
            SUM(status NOT IN ('completed', 'budget_exceeded') AND NOT {_INFRA_SQL % r}), SUM({_INFRA_SQL % r}),
            COUNT(weighted_score), COALESCE(SUM(weighted_score), 0), COUNT(cost_usd), COALESCE(SUM(cost_usd), 0)
        FROM benchmark_runs WHERE status != 'cancelled' GROUP BY {group}""")


@migrations()
def m005_runs_by_agent(db: sqlite_utils.Database) -> None:
    """/api/runs?agent=X newest first: an index on agent alone is ordered by rowid within the agent, so the page
    is read in order; (agent, model, weighted_score) made SQLite sort all of the agent's runs (50 ms at 1M)."""
    db["benchmark_runs"].create_index(["agent"], find_unique_name=True)


@migrations()
def m006_batch_denominators(db: sqlite_utils.Database) -> None:
    """Denominators kept on the batch row (refreshed with its aggregates): /api/batches no longer joins every run
    of the page's batches. Also an index on suite alone, for /api/runs?suite=S newest first."""
    for column in ("agent_failed_runs", "infra_failed_runs", "scored_runs"):
        db["batch_runs"].add_column(column, int, not_null_default=0)
    for (batch_id,) in db.execute("SELECT batch_id FROM batch_runs").fetchall():
        _m006_refresh_batch(db.conn, batch_id)
    db["benchmark_runs"].create_index(["suite"], find_unique_name=True)


def _m006_refresh_batch(conn: sqlite3.Connection, batch_id: str) -> None:
    """refresh_batch_aggregates as m006 shipped it (frozen: later versions set columns m006 does not have)."""
    conn.execute(
        f"""
        UPDATE batch_runs SET
          total_runs = agg.total, successful_runs = agg.successful, failed_runs = agg.failed,
          avg_score = agg.avg_score, avg_weighted_score = agg.avg_weighted,
          agent_failed_runs = agg.agent_failed, infra_failed_runs = agg.infra_failed, scored_runs = agg.scored
        FROM (
          SELECT COUNT(*) AS total, COALESCE(SUM(is_successful), 0) AS successful,
                 COALESCE(SUM(status NOT IN ('completed', 'budget_exceeded')), 0) AS failed,
                 COALESCE(SUM(status NOT IN ('completed', 'budget_exceeded') AND NOT {_INFRA_SQL % 'benchmark_runs'}), 0)
                   AS agent_failed,
                 COALESCE(SUM({_INFRA_SQL % 'benchmark_runs'}), 0) AS infra_failed, COUNT(weighted_score) AS scored,
                 AVG(total_score) AS avg_score, AVG(weighted_score) AS avg_weighted
          FROM benchmark_runs WHERE batch_id = ? AND status != 'cancelled'
        ) AS agg
        WHERE batch_id = ?
        """,
        (batch_id, batch_id),
    )


@migrations()
def m007_run_revisions(db: sqlite_utils.Database) -> None:
    """Every write of runs gets a new revision number, stored on the runs it wrote: a rewritten run (same runId,
    same row id) changes the newest revision of its chunk and batch, which is how the site builder sees it."""
    db["benchmark_runs"].add_column("revision", int)
    db["benchmark_runs"].create_index(["revision"])


@migrations()
def m008_baseline(db: sqlite_utils.Database) -> None:
    """The scenario's baseline commands on the untouched fixture, per run (shared by the runs of a batch), and
    each validation command's status at baseline, so that "before" and "after" sit side by side."""
    db.execute("""CREATE TABLE baseline_results (id INTEGER PRIMARY KEY, run_id TEXT NOT NULL, seq INTEGER,
        kind TEXT NOT NULL, command TEXT, status TEXT, exit_code INTEGER, duration_ms INTEGER, output_tail TEXT)""")
    db.execute("CREATE UNIQUE INDEX idx_baseline_results_run_id_seq ON baseline_results (run_id, seq)")
    db.execute("ALTER TABLE validation_results ADD COLUMN baseline_status TEXT")


@migrations()
def m009_original_api(db: sqlite_utils.Database) -> None:
    """The original project's contract (issue 10). Runs get its specialist columns. Evaluations keep score and
    max_score as sent, with zebench's 0-1 figure in normalized_score (earlier rows were normalised on the way in,
    an original post's figures kept in details.rawScore/rawMaxScore: they are put back). A summary per
    (status, is_successful, agent) serves the original's statistics, which count completed runs only; indexes
    serve its runs list, newest startedAt first, filtered by status, agent, suite or scenario."""
    runs = db["benchmark_runs"]
    runs.add_column("specialist_enabled", int, not_null_default=0)
    runs.add_column("specialist_name", str)
    runs.add_column("specialist_version", str)
    db["evaluation_results"].add_column("normalized_score", float)
    restored = []
    for row_id, score, details in db.execute(
            "SELECT id, score, details FROM evaluation_results WHERE details LIKE '%rawMaxScore%'").fetchall():
        value = json.loads(details)
        if not (isinstance(value, dict) and isinstance(value.get("rawScore"), (int, float))
                and isinstance(value.get("rawMaxScore"), (int, float))):
            continue
        rest = {k: v for k, v in value.items() if k not in ("rawScore", "rawMaxScore")}
        sent = rest["text"] if set(rest) == {"text"} else (rest or None)
        restored.append((value["rawScore"], value["rawMaxScore"], score, _dumps(sent), row_id))
    db.conn.executemany("UPDATE evaluation_results SET score = ?, max_score = ?, normalized_score = ?, details = ? "
                        "WHERE id = ?", restored)
    db.execute("UPDATE evaluation_results SET normalized_score = score / COALESCE(NULLIF(max_score, 0), 1) "
               "WHERE normalized_score IS NULL")
    db.execute("DROP INDEX IF EXISTS idx_evaluation_results_evaluator_name_applicable_score")
    db["evaluation_results"].create_index(["evaluator_name", "applicable", "normalized_score"], find_unique_name=True)
    keys = ("status", "is_successful", "agent")
    db.execute("""CREATE TABLE agg_status_agents (status TEXT NOT NULL, is_successful INTEGER NOT NULL,
        agent TEXT NOT NULL, runs INTEGER NOT NULL DEFAULT 0, total_scored INTEGER NOT NULL DEFAULT 0,
        sum_total_score REAL NOT NULL DEFAULT 0, scored INTEGER NOT NULL DEFAULT 0,
        sum_weighted REAL NOT NULL DEFAULT 0, min_weighted REAL, max_weighted REAL,
        PRIMARY KEY (status, is_successful, agent))""")
    def match(ref: str) -> str:
        return " AND ".join(f"{k} = {ref}.{k}" for k in keys)

    # min and max after a delete: two seeks in the index below
    group = "r.agent = OLD.agent AND r.status = OLD.status AND r.is_successful = OLD.is_successful"
    db.execute(f"""CREATE TRIGGER agg_status_agents_insert AFTER INSERT ON benchmark_runs BEGIN
        INSERT INTO agg_status_agents ({', '.join(keys)}) VALUES (NEW.status, NEW.is_successful, NEW.agent)
          ON CONFLICT DO NOTHING;
        UPDATE agg_status_agents SET runs = runs + 1,
          total_scored = total_scored + (NEW.total_score IS NOT NULL),
          sum_total_score = sum_total_score + COALESCE(NEW.total_score, 0),
          scored = scored + (NEW.weighted_score IS NOT NULL),
          sum_weighted = sum_weighted + COALESCE(NEW.weighted_score, 0),
          min_weighted = CASE WHEN NEW.weighted_score IS NULL THEN min_weighted
                              ELSE MIN(COALESCE(min_weighted, NEW.weighted_score), NEW.weighted_score) END,
          max_weighted = CASE WHEN NEW.weighted_score IS NULL THEN max_weighted
                              ELSE MAX(COALESCE(max_weighted, NEW.weighted_score), NEW.weighted_score) END
        WHERE {match('NEW')};
    END""")
    db.execute(f"""CREATE TRIGGER agg_status_agents_delete AFTER DELETE ON benchmark_runs BEGIN
        UPDATE agg_status_agents SET runs = runs - 1,
          total_scored = total_scored - (OLD.total_score IS NOT NULL),
          sum_total_score = sum_total_score - COALESCE(OLD.total_score, 0),
          scored = scored - (OLD.weighted_score IS NOT NULL),
          sum_weighted = sum_weighted - COALESCE(OLD.weighted_score, 0),
          min_weighted = (SELECT MIN(weighted_score) FROM benchmark_runs r WHERE {group}),
          max_weighted = (SELECT MAX(weighted_score) FROM benchmark_runs r WHERE {group})
        WHERE {match('OLD')};
    END""")
    db.execute("""INSERT INTO agg_status_agents SELECT status, is_successful, agent, COUNT(*), COUNT(total_score),
        COALESCE(SUM(total_score), 0), COUNT(weighted_score), COALESCE(SUM(weighted_score), 0), MIN(weighted_score),
        MAX(weighted_score) FROM benchmark_runs GROUP BY status, is_successful, agent""")
    runs.create_index(["agent", "status", "is_successful", "weighted_score"], find_unique_name=True)
    for column in ("status", "agent", "suite", "scenario"):
        runs.create_index([column, "started_at"], find_unique_name=True)


#: The count conditions m010 built the summary tables' triggers, the batch figures and the runs_counted view
#: from (frozen, as the migration must stay; tests check that COUNT_CONDITIONS still equals them: definitions
#: that change need a new migration that rebuilds what m010 built).
_M010_COUNTS = {
    "attempts": "1",
    "cancelled": "{r}.status IN ('cancelled')",
    "runs": "{r}.status NOT IN ('cancelled')",
    "completed": "{r}.status IN ('completed', 'budget_exceeded')",
    "failed": "{r}.status NOT IN ('completed', 'budget_exceeded', 'cancelled')",
    "agent_failures": "{r}.status NOT IN ('completed', 'budget_exceeded', 'cancelled') AND NOT COALESCE("
                      "{r}.failure_category IN ('infrastructure', 'rate_limited', 'workspace', 'validation', "
                      "'evaluation', 'setup', 'warmup'), 0)",
    "infra_failures": "{r}.status NOT IN ('completed', 'budget_exceeded', 'cancelled') AND COALESCE("
                      "{r}.failure_category IN ('infrastructure', 'rate_limited', 'workspace', 'validation', "
                      "'evaluation', 'setup', 'warmup'), 0)",
    "successful": "{r}.status IN ('completed', 'budget_exceeded') AND {r}.is_successful = 1",
    "scored": "{r}.status NOT IN ('cancelled') AND {r}.weighted_score IS NOT NULL",
    "evaluator_errors": "{r}.status NOT IN ('cancelled') AND {r}.evaluator_errors > 0",
}


def runs_counted_view_sql(counts: dict[str, str]) -> str:
    """The runs_counted view: every run that counts (cancelled attempts left out) with one 0/1 column per count."""
    def c(name: str) -> str:
        return "(" + counts[name].format(r="r") + ")"

    return (
        "CREATE VIEW runs_counted AS SELECT r.id, r.run_id, r.batch_id, r.suite, r.scenario, r.tier, r.agent, "
        "r.model, r.status, r.failure_category, r.started_at, r.completed_at, r.total_score, r.weighted_score, "
        "r.success_metric, r.cost_usd, r.evaluator_errors, "
        f"{c('completed')} AS completed, {c('agent_failures')} AS agent_failure, "
        f"{c('infra_failures')} AS infra_failure, {c('successful')} AS successful, "
        f"{c('evaluator_errors')} AS evaluator_error FROM benchmark_runs r WHERE {c('runs')}"
    )


@migrations()
def m010_one_set_of_counts(db: sqlite_utils.Database) -> None:
    """One definition of each count (issue 12), frozen in _M010_COUNTS: runs (attempts not cancelled), completed,
    agent and infrastructure failures (a partition of the runs), successful (only completed runs), runs with an
    evaluator error. Runs get ``evaluator_errors`` (their evaluations that failed); the summary tables' triggers
    are rebuilt on these counts (agg_items also counts completed runs and runs with evaluator errors) and their
    contents recomputed, batches get cancelled and evaluator-error counts, and the ``runs_counted`` view is made.
    Numbers that are not finite (accepted before records were checked) become NULL: they made JSON invalid."""
    conn = db.conn

    def c(name: str, ref: str) -> str:
        return "(" + _M010_COUNTS[name].format(r=ref) + ")"

    db.table("benchmark_runs").add_column("evaluator_errors", int, not_null_default=0)
    conn.execute("UPDATE benchmark_runs SET evaluator_errors = (SELECT COUNT(*) FROM evaluation_results e "
                 "WHERE e.run_id = benchmark_runs.run_id AND e.error IS NOT NULL) "
                 "WHERE run_id IN (SELECT run_id FROM evaluation_results WHERE error IS NOT NULL)")
    for table, columns in (("benchmark_runs", ("total_score", "weighted_score", "success_metric", "cost_usd")),
                           ("evaluation_results", ("score", "max_score", "normalized_score", "weight", "cost_usd")),
                           ("run_telemetry", ("cost_usd", "judge_cost_usd"))):
        for column in columns:  # 9e999 is SQLite's infinity; NaN cannot be stored (it is NULL already)
            conn.execute(f"UPDATE {table} SET {column} = NULL WHERE {column} IN (9e999, -9e999)")

    # agg_totals, agg_agents, agg_scenarios: the same columns, triggers on the counts, contents recomputed
    for table, cols in (("agg_totals", ()), ("agg_agents", ("agent", "model")),
                        ("agg_scenarios", ("suite", "scenario", "tier"))):
        keys = cols or ("grp",)
        def values(ref: str, cols: tuple[str, ...] = cols) -> str:
            return ", ".join(f"COALESCE({ref}.{k}, '')" for k in cols) or "'all'"

        def match(ref: str, cols: tuple[str, ...] = cols) -> str:
            return " AND ".join(f"{k} = COALESCE({ref}.{k}, '')" for k in cols) or "grp = 'all'"

        group = " AND ".join(f"r.{k} IS OLD.{k}" for k in cols)
        minmax = (f"min_weighted = (SELECT MIN(weighted_score) FROM benchmark_runs r WHERE {group} AND "
                  f"{c('runs', 'r')}), max_weighted = (SELECT MAX(weighted_score) FROM benchmark_runs r WHERE "
                  f"{group} AND {c('runs', 'r')})," if cols else "")

        def changes(ref: str, sign: str) -> str:
            return (f"runs = runs {sign} 1, successful = successful {sign} {c('successful', ref)}, "
                    f"failed = failed {sign} {c('failed', ref)}, scored = scored {sign} {c('scored', ref)}, "
                    f"sum_total_score = sum_total_score {sign} COALESCE({ref}.total_score, 0), "
                    f"sum_weighted = sum_weighted {sign} COALESCE({ref}.weighted_score, 0), "
                    f"cost_runs = cost_runs {sign} ({ref}.cost_usd IS NOT NULL), "
                    f"sum_cost = sum_cost {sign} COALESCE({ref}.cost_usd, 0)")

        conn.execute(f"DROP TRIGGER IF EXISTS {table}_insert")
        conn.execute(f"DROP TRIGGER IF EXISTS {table}_delete")
        conn.execute(f"""CREATE TRIGGER {table}_insert AFTER INSERT ON benchmark_runs WHEN {c('runs', 'NEW')} BEGIN
          INSERT INTO {table} ({', '.join(keys)}) VALUES ({values('NEW')}) ON CONFLICT DO NOTHING;
          UPDATE {table} SET {changes('NEW', '+')},
            min_weighted = CASE WHEN NEW.weighted_score IS NULL THEN min_weighted
                                ELSE MIN(COALESCE(min_weighted, NEW.weighted_score), NEW.weighted_score) END,
            max_weighted = CASE WHEN NEW.weighted_score IS NULL THEN max_weighted
                                ELSE MAX(COALESCE(max_weighted, NEW.weighted_score), NEW.weighted_score) END
          WHERE {match('NEW')};
        END""")
        conn.execute(f"""CREATE TRIGGER {table}_delete AFTER DELETE ON benchmark_runs WHEN {c('runs', 'OLD')} BEGIN
          UPDATE {table} SET {minmax} {changes('OLD', '-')} WHERE {match('OLD')};
        END""")
        conn.execute(f"DELETE FROM {table}")
        grouping = ", ".join(f"COALESCE({k}, '')" for k in cols) or "'all'"
        r = "benchmark_runs"
        conn.execute(f"""INSERT INTO {table} ({', '.join(keys)}, runs, successful, failed, scored, sum_total_score,
              sum_weighted, min_weighted, max_weighted, cost_runs, sum_cost)
            SELECT {grouping}, COUNT(*), SUM({c('successful', r)}), SUM({c('failed', r)}), SUM({c('scored', r)}),
              COALESCE(SUM(total_score), 0), COALESCE(SUM(weighted_score), 0), MIN(weighted_score),
              MAX(weighted_score), COUNT(cost_usd), COALESCE(SUM(cost_usd), 0)
            FROM benchmark_runs WHERE {c('runs', r)} GROUP BY {grouping}""")

    # agg_items: rebuilt with the completed runs and the runs with evaluator errors
    item_keys = ("agent", "model", "suite", "scenario", "tier")
    conn.execute("DROP TRIGGER IF EXISTS agg_items_insert")
    conn.execute("DROP TRIGGER IF EXISTS agg_items_delete")
    conn.execute("DROP TABLE agg_items")
    conn.execute(f"""CREATE TABLE agg_items ({', '.join(f'{k} TEXT NOT NULL' for k in item_keys)},
        runs INTEGER NOT NULL DEFAULT 0, successful INTEGER NOT NULL DEFAULT 0, completed INTEGER NOT NULL DEFAULT 0,
        agent_failed INTEGER NOT NULL DEFAULT 0, infra_failed INTEGER NOT NULL DEFAULT 0,
        scored INTEGER NOT NULL DEFAULT 0, sum_weighted REAL NOT NULL DEFAULT 0,
        cost_runs INTEGER NOT NULL DEFAULT 0, sum_cost REAL NOT NULL DEFAULT 0,
        evaluator_errors INTEGER NOT NULL DEFAULT 0, PRIMARY KEY ({', '.join(item_keys)}))""")

    def item_changes(ref: str, sign: str) -> str:
        return (f"runs = runs {sign} 1, successful = successful {sign} {c('successful', ref)}, "
                f"completed = completed {sign} {c('completed', ref)}, "
                f"agent_failed = agent_failed {sign} {c('agent_failures', ref)}, "
                f"infra_failed = infra_failed {sign} {c('infra_failures', ref)}, "
                f"scored = scored {sign} {c('scored', ref)}, "
                f"sum_weighted = sum_weighted {sign} COALESCE({ref}.weighted_score, 0), "
                f"cost_runs = cost_runs {sign} ({ref}.cost_usd IS NOT NULL), "
                f"sum_cost = sum_cost {sign} COALESCE({ref}.cost_usd, 0), "
                f"evaluator_errors = evaluator_errors {sign} {c('evaluator_errors', ref)}")

    item_values = ", ".join(f"COALESCE(NEW.{k}, '')" for k in item_keys)
    def item_match(ref: str) -> str:
        return " AND ".join(f"{k} = COALESCE({ref}.{k}, '')" for k in item_keys)

    conn.execute(f"""CREATE TRIGGER agg_items_insert AFTER INSERT ON benchmark_runs WHEN {c('runs', 'NEW')} BEGIN
        INSERT INTO agg_items ({', '.join(item_keys)}) VALUES ({item_values}) ON CONFLICT DO NOTHING;
        UPDATE agg_items SET {item_changes('NEW', '+')} WHERE {item_match('NEW')};
    END""")
    conn.execute(f"""CREATE TRIGGER agg_items_delete AFTER DELETE ON benchmark_runs WHEN {c('runs', 'OLD')} BEGIN
        UPDATE agg_items SET {item_changes('OLD', '-')} WHERE {item_match('OLD')};
    END""")
    r = "benchmark_runs"
    grouping = ", ".join(f"COALESCE({k}, '')" for k in item_keys)
    conn.execute(f"""INSERT INTO agg_items SELECT {grouping}, COUNT(*), SUM({c('successful', r)}),
            SUM({c('completed', r)}), SUM({c('agent_failures', r)}), SUM({c('infra_failures', r)}),
            SUM({c('scored', r)}), COALESCE(SUM(weighted_score), 0), COUNT(cost_usd), COALESCE(SUM(cost_usd), 0),
            SUM({c('evaluator_errors', r)})
        FROM benchmark_runs WHERE {c('runs', r)} GROUP BY {grouping}""")

    # the original's summary keeps its own definitions; recomputed because non-finite values may have gone
    conn.execute("DELETE FROM agg_status_agents")
    conn.execute("""INSERT INTO agg_status_agents SELECT status, is_successful, agent, COUNT(*), COUNT(total_score),
        COALESCE(SUM(total_score), 0), COUNT(weighted_score), COALESCE(SUM(weighted_score), 0), MIN(weighted_score),
        MAX(weighted_score) FROM benchmark_runs GROUP BY status, is_successful, agent""")

    # batches: cancelled attempts and runs with evaluator errors beside the other figures, all recomputed
    db.table("batch_runs").add_column("cancelled_runs", int, not_null_default=0)
    db.table("batch_runs").add_column("evaluator_error_runs", int, not_null_default=0)
    runs = c("runs", r)
    conn.execute(f"""UPDATE batch_runs SET
          total_runs = agg.total, successful_runs = agg.successful, failed_runs = agg.failed,
          avg_score = agg.avg_score, avg_weighted_score = agg.avg_weighted, agent_failed_runs = agg.agent_failed,
          infra_failed_runs = agg.infra_failed, scored_runs = agg.scored, cancelled_runs = agg.cancelled,
          evaluator_error_runs = agg.evaluator_errors
        FROM (
          SELECT batch_id, SUM({runs}) AS total, SUM({c('successful', r)}) AS successful,
                 SUM({c('failed', r)}) AS failed, SUM({c('agent_failures', r)}) AS agent_failed,
                 SUM({c('infra_failures', r)}) AS infra_failed, SUM({c('scored', r)}) AS scored,
                 SUM({c('cancelled', r)}) AS cancelled, SUM({c('evaluator_errors', r)}) AS evaluator_errors,
                 AVG(CASE WHEN {runs} THEN total_score END) AS avg_score,
                 AVG(CASE WHEN {runs} THEN weighted_score END) AS avg_weighted
          FROM benchmark_runs WHERE batch_id IS NOT NULL GROUP BY batch_id
        ) AS agg
        WHERE batch_runs.batch_id = agg.batch_id""")
    conn.execute(runs_counted_view_sql(_M010_COUNTS))


#: Child tables of a run, deleted and rewritten together with it.
RUN_CHILD_TABLES = (
    "evaluation_results", "run_telemetry", "validation_results", "baseline_results", "run_diff_files",
    "run_dependency_changes", "run_messages", "run_tool_calls", "run_manifests",
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


def _run_rows(r: RunRecord) -> dict[str, list[dict[str, Any]]]:
    """The rows of every table for one run record."""
    rows: dict[str, list[dict[str, Any]]] = {}
    rows["benchmark_runs"] = [{
        "run_id": r.run_id, "batch_id": r.batch_id, "suite": r.suite, "scenario": r.scenario, "tier": r.tier,
        "agent": r.agent, "model": r.model, "status": r.status, "started_at": r.started_at,
        "completed_at": r.completed_at, "total_score": r.total_score, "weighted_score": r.weighted_score,
        "is_successful": int(r.is_successful), "success_metric": r.success_metric,
        "specialist_enabled": int(r.specialist_enabled), "specialist_name": r.specialist_name,
        "specialist_version": r.specialist_version, "repeat_index": r.repeat_index,
        "failure_category": r.failure.category if r.failure else None,
        "failure_stage": r.failure.stage if r.failure else None,
        "error": r.failure.message if r.failure else None,
        "has_diff": int(r.diff is not None), "has_transcript": int(r.transcript is not None),
        "metadata": _dumps(r.metadata),
        "cost_usd": r.telemetry.cost_usd if r.telemetry else None,
        "evaluator_errors": sum(e.error is not None for e in r.evaluations),
    }]
    rows["evaluation_results"] = [{
        "run_id": r.run_id, "evaluator_name": e.evaluator_name, "score": e.score, "max_score": e.max_score,
        "normalized_score": e.normalized_score, "applicable": int(e.applicable), "weight": e.weight, "kind": e.kind,
        "details": _dumps(e.details),
        "error": e.error, "created_at": r.completed_at or r.started_at, "cost_usd": e.cost_usd,
    } for e in r.evaluations]
    if r.telemetry is not None:
        t = r.telemetry
        rows["run_telemetry"] = [{
            "run_id": r.run_id, "tool_calls": t.tool_calls, "tokens_in": t.tokens_in, "tokens_out": t.tokens_out,
            "cache_read_tokens": t.cache_read_tokens, "cache_write_tokens": t.cache_write_tokens,
            "cost_usd": t.cost_usd, "judge_cost_usd": t.judge_cost_usd, "duration_ms": t.duration_ms,
            "workspace_dir": t.workspace_dir, "stage_ms": _dumps(t.stage_ms), "prompt_sent": t.prompt_sent,
        }]
    rows["validation_results"] = [{
        "run_id": r.run_id, "seq": i, "kind": v.kind, "command": v.command, "status": v.status,
        "exit_code": v.exit_code, "duration_ms": v.duration_ms, "output_tail": v.output_tail,
        "baseline_status": v.baseline_status,
    } for i, v in enumerate(r.validation)]
    rows["baseline_results"] = [{
        "run_id": r.run_id, "seq": i, "kind": v.kind, "command": v.command, "status": v.status,
        "exit_code": v.exit_code, "duration_ms": v.duration_ms, "output_tail": v.output_tail,
    } for i, v in enumerate(r.baseline)]
    if r.diff is not None:
        rows["run_diff_files"] = [{
            "run_id": r.run_id, "seq": i, "path": f.path, "change": f.change, "binary": int(f.binary),
            "additions": f.additions, "deletions": f.deletions, "patch": f.patch,
            "patch_truncated": int(f.patch_truncated),
        } for i, f in enumerate(r.diff.files)]
        rows["run_dependency_changes"] = [{
            "run_id": r.run_id, "seq": i, "manifest": c.manifest, "section": c.section, "name": c.name,
            "before": c.before, "after": c.after,
        } for i, c in enumerate(r.diff.dependency_changes)]
    if r.transcript is not None:
        rows["run_messages"] = [{
            "run_id": r.run_id, "seq": i, "role": m.role, "content": _dumps(m.content),
        } for i, m in enumerate(r.transcript.messages)]
        rows["run_tool_calls"] = [{
            "run_id": r.run_id, "seq": c.seq, "name": c.name, "input": _dumps(c.input), "output": c.output,
            "is_error": int(c.is_error), "duration_ms": c.duration_ms,
        } for c in r.transcript.tool_calls]
    if r.manifest is not None:
        m = r.manifest
        rows["run_manifests"] = [{
            "run_id": r.run_id, "format_version": m.format_version, "zebench_version": m.zebench_version,
            "git_commit": m.git_commit, "scenario_hash": m.scenario_hash, "prompt_hash": m.prompt_hash,
            "agent": m.agent, "model": m.model, "settings": _dumps(m.settings),
            "python_version": m.python_version, "platform": m.platform,
        }]
    return rows


class InconsistentRecord(ValueError):
    """A run record whose fields contradict each other (models.record_problems): the store refuses it."""


@dataclass
class WriteCounts:
    """What a write of runs did, per distinct runId: stored for the first time, rewritten with other content, or
    already stored exactly so (left as it was). ``duplicates``: earlier copies of a runId given twice in one
    write (the last copy counts)."""

    new: int = 0
    updated: int = 0
    unchanged: int = 0
    duplicates: int = 0

    @property
    def total(self) -> int:
        """Distinct runs now stored as given."""
        return self.new + self.updated + self.unchanged

    def __add__(self, other: WriteCounts) -> WriteCounts:
        return WriteCounts(self.new + other.new, self.updated + other.updated, self.unchanged + other.unchanged,
                           self.duplicates + other.duplicates)


def _stored_rows(conn: sqlite3.Connection, ids: list[str]) -> dict[str, dict[str, list[dict[str, Any]]]]:
    """The rows stored for these runs, per run and table, in the order they were written."""
    out: dict[str, dict[str, list[dict[str, Any]]]] = {}
    payload = json.dumps(ids)
    for table in ("benchmark_runs", *RUN_CHILD_TABLES):
        cursor = conn.execute(
            f"SELECT * FROM [{table}] WHERE run_id IN (SELECT value FROM json_each(?)) ORDER BY rowid", (payload,))
        names = [d[0] for d in cursor.description]
        for row in cursor:
            record = dict(zip(names, row))
            out.setdefault(record["run_id"], {}).setdefault(table, []).append(record)
    return out


def _same_rows(new: dict[str, list[dict[str, Any]]], stored: dict[str, list[dict[str, Any]]]) -> bool:
    """Whether a run's rows are already stored as they are (columns the write does not set, such as the row id and
    the revision, are not compared)."""
    for table in ("benchmark_runs", *RUN_CHILD_TABLES):
        rows, old = new.get(table, []), stored.get(table, [])
        if len(rows) != len(old):
            return False
        for row, kept in zip(rows, old):
            if any(kept.get(column) != value for column, value in row.items()):
                return False
    return True


def write_runs(conn: sqlite3.Connection, records: list[RunRecord], *, refresh: bool = True) -> WriteCounts:
    """Insert or replace runs with all their parts. The caller owns the transaction.

    Rows are grouped per table and written with one executemany each; runs already stored (same runId) are
    deleted first, so writing a run twice leaves one copy. A run already stored exactly as given is left alone
    (no rewrite, no new revision). Batches named by the runs are created if missing and, with ``refresh``, their
    aggregates recomputed. Returns what was new, updated and unchanged.
    """
    counts = WriteCounts()
    if not records:
        return counts
    for record in records:  # validated when made, but a record may have been changed since
        problems = record_problems(record)
        if problems:
            loc, message = problems[0]
            raise InconsistentRecord(f"run {record.run_id}: {'.'.join(map(str, loc))}: {message}; nothing was written")
    # The last gate before the database: runs from ingest and the API were made elsewhere (zebench.redact).
    redactor = default_redactor()
    records = [redactor.model(r) for r in records]
    ids = [r.run_id for r in records]
    if len(set(ids)) != len(ids):  # the last copy of a runId wins, as it would one request at a time
        last = {r.run_id: r for r in records}
        counts.duplicates = len(records) - len(last)
        records = list(last.values())
        ids = list(last)
    run_rows = {r.run_id: _run_rows(r) for r in records}
    existing = dict(conn.execute(
        "SELECT run_id, id FROM benchmark_runs WHERE run_id IN (SELECT value FROM json_each(?))", (json.dumps(ids),)))
    if existing:
        stored = _stored_rows(conn, list(existing))
        same = {run_id for run_id in existing if _same_rows(run_rows[run_id], stored.get(run_id, {}))}
        counts.unchanged = len(same)
        records = [r for r in records if r.run_id not in same]
        existing = {run_id: row_id for run_id, row_id in existing.items() if run_id not in same}
    counts.updated = len(existing)
    counts.new = len(records) - len(existing)
    if not records:
        return counts
    # read before any delete: a rewrite of the newest run must still get a higher revision (indexed MAX)
    revision = conn.execute("SELECT COALESCE(MAX(revision), 0) + 1 FROM benchmark_runs").fetchone()[0]
    if existing:
        payload = json.dumps(list(existing))
        for table in ("benchmark_runs", *RUN_CHILD_TABLES):
            conn.execute(f"DELETE FROM [{table}] WHERE run_id IN (SELECT value FROM json_each(?))", (payload,))
    tables: dict[str, list[dict[str, Any]]] = {}
    for record in records:
        for table, rows in run_rows[record.run_id].items():
            tables.setdefault(table, []).extend(rows)
    for row in tables["benchmark_runs"]:
        row["revision"] = revision
    if existing:  # a rewritten run keeps its row id, so the order of runs (and their pages) does not change
        rows_with_ids = [r for r in tables["benchmark_runs"] if r["run_id"] in existing]
        _insert(conn, "benchmark_runs", [{"id": existing[r["run_id"]], **r} for r in rows_with_ids])
        tables["benchmark_runs"] = [r for r in tables["benchmark_runs"] if r["run_id"] not in existing]
    for table, rows in tables.items():
        _insert(conn, table, rows)
    batch_ids = sorted({r.batch_id for r in records if r.batch_id})
    if batch_ids:
        first_seen = {}
        for r in records:
            if r.batch_id and (r.batch_id not in first_seen or r.started_at < first_seen[r.batch_id]):
                first_seen[r.batch_id] = r.started_at
        conn.executemany(
            "INSERT OR IGNORE INTO batch_runs (batch_id, created_at, metadata) VALUES (?, ?, '{}')",
            [(b, first_seen[b]) for b in batch_ids],
        )
        if refresh:
            for batch_id in batch_ids:
                refresh_batch_aggregates(conn, batch_id)
    return counts


def _batch_figures_sql() -> str:
    """The figures of the runs of one batch (``?``), from the counts (COUNT_CONDITIONS)."""
    r = "benchmark_runs"
    runs = counts_sql("runs", r)
    return f"""SELECT COALESCE(SUM({runs}), 0) AS total, COALESCE(SUM({counts_sql('successful', r)}), 0) AS successful,
                 COALESCE(SUM({counts_sql('failed', r)}), 0) AS failed,
                 COALESCE(SUM({counts_sql('agent_failures', r)}), 0) AS agent_failed,
                 COALESCE(SUM({counts_sql('infra_failures', r)}), 0) AS infra_failed,
                 COALESCE(SUM({counts_sql('scored', r)}), 0) AS scored,
                 COALESCE(SUM({counts_sql('cancelled', r)}), 0) AS cancelled,
                 COALESCE(SUM({counts_sql('evaluator_errors', r)}), 0) AS evaluator_errors,
                 AVG(CASE WHEN {runs} THEN total_score END) AS avg_score,
                 AVG(CASE WHEN {runs} THEN weighted_score END) AS avg_weighted
          FROM benchmark_runs WHERE batch_id = ?"""


def refresh_batch_aggregates(conn: sqlite3.Connection, batch_id: str, completed_at: str | None = None) -> None:
    """Recompute a batch's figures from its stored runs, with the counts of COUNT_CONDITIONS (cancelled attempts
    are counted apart, never as runs)."""
    conn.execute(
        f"""
        UPDATE batch_runs SET
          total_runs = agg.total, successful_runs = agg.successful, failed_runs = agg.failed,
          avg_score = agg.avg_score, avg_weighted_score = agg.avg_weighted,
          agent_failed_runs = agg.agent_failed, infra_failed_runs = agg.infra_failed, scored_runs = agg.scored,
          cancelled_runs = agg.cancelled, evaluator_error_runs = agg.evaluator_errors,
          completed_at = COALESCE(?, completed_at)
        FROM ({_batch_figures_sql()}) AS agg
        WHERE batch_id = ?
        """,
        (completed_at, batch_id, batch_id),
    )


#: batch_runs columns a write of a BatchRecord may set (created_at only when the row is new).
_BATCH_WRITE_FIELDS = ("completed_at", "total_runs", "successful_runs", "failed_runs", "expected_runs", "avg_score",
                       "avg_weighted_score", "metadata")


def write_batch(conn: sqlite3.Connection, batch: BatchRecord) -> None:
    """Insert a batch row, or update the stored one with the fields the record was given (``model_fields_set``:
    a field left out keeps its value). ``created_at`` stays the first one written: the original's client posts a
    batch at its start and again at its end with a later createdAt. When runs of the batch are stored, its
    aggregates are then recomputed from them (the stored runs are the truth)."""
    batch = redact(batch)
    row = {"batch_id": batch.batch_id, "created_at": batch.created_at, "completed_at": batch.completed_at,
           "total_runs": batch.total_runs, "successful_runs": batch.successful_runs,
           "failed_runs": batch.failed_runs, "expected_runs": batch.expected_runs, "avg_score": batch.avg_score,
           "avg_weighted_score": batch.avg_weighted_score, "metadata": _dumps(batch.metadata)}
    given = [c for c in _BATCH_WRITE_FIELDS if c in batch.model_fields_set]
    columns = ", ".join(row)
    update = ", ".join(f"{c} = excluded.{c}" for c in given) or "batch_id = excluded.batch_id"
    conn.execute(f"INSERT INTO batch_runs ({columns}) VALUES ({', '.join('?' for _ in row)}) "
                 f"ON CONFLICT(batch_id) DO UPDATE SET {update}", tuple(row.values()))
    if conn.execute("SELECT 1 FROM benchmark_runs WHERE batch_id = ? LIMIT 1", (batch.batch_id,)).fetchone():
        refresh_batch_aggregates(conn, batch.batch_id)


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
        self.save_runs([record])

    def save_runs(self, records: Iterable[RunRecord]) -> int:
        """Insert or replace runs (one transaction); batches they name are created if missing and refreshed.
        Returns the number of distinct runs now stored as given."""
        with self.db.atomic():
            return write_runs(self.conn, list(records)).total

    def save_runs_chunked(self, records: list[RunRecord], chunk: int) -> WriteCounts:
        """Many runs in one transaction, written ``chunk`` at a time; batch aggregates refreshed once at the end.
        Returns how many were new, updated (stored before with other content) and unchanged."""
        last = {r.run_id: r for r in records}  # the last copy of a runId wins, whichever chunk it is in
        counts = WriteCounts(duplicates=len(records) - len(last))
        records = list(last.values())
        with self.db.atomic():
            for start in range(0, len(records), chunk):
                counts += write_runs(self.conn, records[start:start + chunk], refresh=False)
            if counts.new or counts.updated:
                for batch_id in sorted({r.batch_id for r in records if r.batch_id}):
                    refresh_batch_aggregates(self.conn, batch_id)
        return counts

    def save_batch(self, batch: BatchRecord) -> None:
        with self.db.atomic():
            write_batch(self.conn, batch)

    def refresh_batch(self, batch_id: str, completed_at: str | None = None) -> BatchRecord | None:
        """Recompute a batch's aggregates from its stored runs (cancelled attempts excluded)."""
        with self.db.atomic():
            refresh_batch_aggregates(self.conn, batch_id, completed_at)
        return self.get_batch(batch_id)

    # -- reads ------------------------------------------------------------------------------------------------

    def _rows(self, sql: str, params: tuple[Any, ...] = ()) -> list[dict[str, Any]]:
        cursor = self.conn.execute(sql, params)
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row)) for row in cursor.fetchall()]

    def get_batch(self, batch_id: str) -> BatchRecord | None:
        rows = self._rows("SELECT batch_id, created_at, completed_at, total_runs, successful_runs, failed_runs, "
                          "expected_runs, avg_score, avg_weighted_score, metadata FROM batch_runs WHERE batch_id = ?",
                          (batch_id,))
        if not rows:
            return None
        row = rows[0]
        row["metadata"] = _loads(row["metadata"]) or {}
        return BatchRecord.model_validate(row)

    def batch_keys(self, batch_id: str) -> set[tuple[str, str, str, str, str, int]]:
        """Matrix keys of the runs of a batch that count as done (every status but cancelled)."""
        rows = self.conn.execute(
            "SELECT suite, scenario, tier, agent, COALESCE(model, ''), repeat_index FROM benchmark_runs "
            f"WHERE batch_id = ? AND {counts_sql('runs')}",
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
                evaluator_name=e["evaluator_name"], score=e["score"], max_score=e["max_score"] or 1.0,
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
        baseline = [
            ValidationResult.model_validate({k: v for k, v in row_.items() if k not in ("id", "run_id", "seq")})
            for row_ in self._rows("SELECT * FROM baseline_results WHERE run_id = ? ORDER BY seq", (run_id,))
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
            success_metric=row["success_metric"], specialist_enabled=bool(row["specialist_enabled"]),
            specialist_name=row["specialist_name"], specialist_version=row["specialist_version"],
            repeat_index=row["repeat_index"], failure=failure,
            metadata=_loads(row["metadata"]) or {}, evaluations=evaluations, telemetry=telemetry,
            validation=validation, baseline=baseline, diff=diff, transcript=transcript, manifest=manifest,
        )

    def iter_runs(self, batch_id: str | None = None) -> Iterator[RunRecord]:
        for run_id in self.run_ids(batch_id):
            record = self.get_run(run_id)
            if record is not None:
                yield record

    def run_summaries(self, batch_id: str) -> list[dict[str, Any]]:
        """The columns the batch summary table shows, one row per counted run of the batch (cancelled attempts are
        not runs); ``successful`` as COUNT_CONDITIONS defines it."""
        return self._rows(
            "SELECT r.run_id, r.suite, r.scenario, r.tier, r.agent, r.model, r.status, r.weighted_score, "
            f"{counts_sql('successful', 'r')} AS is_successful, r.success_metric, r.failure_category, r.error, "
            "r.evaluator_errors, t.cost_usd, t.judge_cost_usd "
            "FROM benchmark_runs r LEFT JOIN run_telemetry t ON t.run_id = r.run_id "
            f"WHERE r.batch_id = ? AND {counts_sql('runs', 'r')} "
            "ORDER BY r.suite, r.scenario, r.tier, r.agent, r.model, r.repeat_index",
            (batch_id,),
        )


# --------------------------------------------------------------------------------------------------------------
# Read queries shared by the API (Datasette plugin) and the static site: JSON shapes with camelCase keys.
# Each takes a sqlite3 connection, so Datasette can run it on its own read connections (execute_fn).
# --------------------------------------------------------------------------------------------------------------

MAX_PAGE = 1000
DEFAULT_PAGE = 50
RUN_FILTERS = {"suite": "suite", "scenario": "scenario", "tier": "tier", "agent": "agent", "model": "model",
               "status": "status", "batchId": "batch_id"}
_RUN_COLUMNS = ("id, run_id, batch_id, suite, scenario, tier, agent, model, status, started_at, completed_at, "
                "total_score, weighted_score, is_successful, success_metric, specialist_enabled, specialist_name, "
                "specialist_version, repeat_index, failure_category, failure_stage, error, cost_usd, evaluator_errors, "
                "metadata")


def _fetch(conn: sqlite3.Connection, sql: str, params: Iterable[Any] = ()) -> list[dict[str, Any]]:
    cursor = conn.execute(sql, tuple(params))
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row)) for row in cursor.fetchall()]


@cache
def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(p.capitalize() for p in rest)


def _shape(row: dict[str, Any], json_columns: tuple[str, ...] = (), bool_columns: tuple[str, ...] = ()) -> dict[str, Any]:
    out = {_camel(key): value for key, value in row.items()}  # camel names cached: this runs per row of a page
    for key in json_columns:
        if key in row:
            out[_camel(key)] = _loads(row[key])
    for key in bool_columns:
        if row.get(key) is not None:
            out[_camel(key)] = bool(row[key])
    return out


def _run_row(row: dict[str, Any]) -> dict[str, Any]:
    shaped = _shape(row, ("metadata",), ("is_successful", "specialist_enabled"))
    shaped["metadata"] = shaped.get("metadata") or {}
    return shaped


def encode_cursor(*values: Any) -> str:
    import base64

    return base64.urlsafe_b64encode(json.dumps(values).encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> list[Any]:
    """The values of an opaque cursor; ValueError when it was not made by encode_cursor."""
    import base64

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


def query_runs(conn: sqlite3.Connection, filters: dict[str, str] | None = None, *, since: str | None = None,
               until: str | None = None, limit: int = DEFAULT_PAGE, cursor: str | None = None
               ) -> tuple[list[dict[str, Any]], str | None]:
    """Runs newest first with exact-match filters (see RUN_FILTERS) and keyset pagination."""
    where, params = [], []
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
    sql = (f"SELECT {_RUN_COLUMNS} FROM benchmark_runs {'WHERE ' + ' AND '.join(where) if where else ''} "
           f"ORDER BY id DESC LIMIT ?")
    rows = _fetch(conn, sql, [*params, limit + 1])
    next_cursor = encode_cursor(rows[limit - 1]["id"]) if len(rows) > limit else None
    return [_run_row(r) for r in rows[:limit]], next_cursor


def query_run(conn: sqlite3.Connection, run_id: str) -> dict[str, Any] | None:
    rows = _fetch(conn, f"SELECT {_RUN_COLUMNS} FROM benchmark_runs WHERE run_id = ?", (run_id,))
    return _run_row(rows[0]) if rows else None


def query_evaluations(conn: sqlite3.Connection, run_id: str) -> list[dict[str, Any]]:
    return [_shape(r, ("details",), ("applicable",)) for r in _fetch(
        conn, "SELECT id, run_id, evaluator_name, score, max_score, applicable, weight, kind, details, error, "
              "cost_usd, created_at FROM evaluation_results WHERE run_id = ? ORDER BY id", (run_id,))]


def query_telemetry(conn: sqlite3.Connection, run_id: str) -> dict[str, Any] | None:
    rows = _fetch(conn, "SELECT tool_calls, tokens_in, tokens_out, cache_read_tokens, cache_write_tokens, cost_usd, "
                        "judge_cost_usd, duration_ms, workspace_dir, stage_ms, prompt_sent FROM run_telemetry "
                        "WHERE run_id = ?", (run_id,))
    return _shape(rows[0], ("stage_ms",)) if rows else None


def query_transcript(conn: sqlite3.Connection, run_id: str) -> dict[str, Any]:
    messages = [_shape(r, ("content",)) for r in _fetch(
        conn, "SELECT seq, role, content FROM run_messages WHERE run_id = ? ORDER BY seq", (run_id,))]
    calls = [_shape(r, ("input",), ("is_error",)) for r in _fetch(
        conn, "SELECT seq, name, input, output, is_error, duration_ms FROM run_tool_calls WHERE run_id = ? "
              "ORDER BY seq", (run_id,))]
    return {"messages": messages, "toolCalls": calls}


def _children(conn: sqlite3.Connection, sql: str, run_where: str, params: tuple[Any, ...], *,
              keep_run_id: bool = False) -> dict[str, list[dict[str, Any]]]:
    """Rows of a child table for the runs matching ``run_where``, grouped by run id (in the query's order)."""
    out: dict[str, list[dict[str, Any]]] = {}
    for row in _fetch(conn, sql.format(runs=f"SELECT run_id FROM benchmark_runs WHERE {run_where}"), params):
        out.setdefault(row["run_id"] if keep_run_id else row.pop("run_id"), []).append(row)
    return out


def _run_details(conn: sqlite3.Connection, run_where: str, params: tuple[Any, ...], *, transcripts: bool = False
                 ) -> list[dict[str, Any]]:
    """Run details (the /api/runs/<id> shape) of the runs matching ``run_where`` (internal SQL only), in id order;
    with ``transcripts`` each also has a ``transcript`` (the /api/runs/<id>/transcript shape). A few queries for
    the whole set, so a chunk of a hundred runs costs about what one run did."""
    runs = _fetch(conn, f"SELECT {_RUN_COLUMNS} FROM benchmark_runs WHERE {run_where} ORDER BY id", params)
    if not runs:
        return []
    evaluations = _children(conn, "SELECT id, run_id, evaluator_name, score, max_score, applicable, weight, kind, "
                                  "details, error, cost_usd, created_at FROM evaluation_results WHERE run_id IN "
                                  "({runs}) ORDER BY run_id, id", run_where, params, keep_run_id=True)
    telemetry = _children(conn, "SELECT run_id, tool_calls, tokens_in, tokens_out, cache_read_tokens, "
                                "cache_write_tokens, cost_usd, judge_cost_usd, duration_ms, workspace_dir, stage_ms, "
                                "prompt_sent FROM run_telemetry WHERE run_id IN ({runs})", run_where, params)
    validation = _children(conn, "SELECT run_id, kind, command, status, exit_code, duration_ms, output_tail, "
                                 "baseline_status FROM validation_results WHERE run_id IN ({runs}) ORDER BY run_id, seq",
                           run_where, params)
    baseline = _children(conn, "SELECT run_id, kind, command, status, exit_code, duration_ms, output_tail FROM "
                               "baseline_results WHERE run_id IN ({runs}) ORDER BY run_id, seq", run_where, params)
    files = _children(conn, "SELECT run_id, path, change, binary, additions, deletions, patch, patch_truncated FROM "
                            "run_diff_files WHERE run_id IN ({runs}) ORDER BY run_id, seq", run_where, params)
    deps = _children(conn, "SELECT run_id, manifest, section, name, before, after FROM run_dependency_changes "
                           "WHERE run_id IN ({runs}) ORDER BY run_id, seq", run_where, params)
    manifests = _children(conn, "SELECT run_id, format_version, zebench_version, git_commit, scenario_hash, "
                                "prompt_hash, agent, model, settings, python_version, platform FROM run_manifests "
                                "WHERE run_id IN ({runs})", run_where, params)
    if transcripts:
        messages = _children(conn, "SELECT run_id, seq, role, content FROM run_messages WHERE run_id IN ({runs}) "
                                   "ORDER BY run_id, seq", run_where, params)
        calls = _children(conn, "SELECT run_id, seq, name, input, output, is_error, duration_ms FROM run_tool_calls "
                                "WHERE run_id IN ({runs}) ORDER BY run_id, seq", run_where, params)
    details = []
    for row in runs:
        run_id = row["run_id"]
        tele = telemetry.get(run_id)
        manifest = manifests.get(run_id)
        detail = {
            "run": _run_row(row),
            "evaluations": [_shape(r, ("details",), ("applicable",)) for r in evaluations.get(run_id, [])],
            "telemetry": _shape(tele[0], ("stage_ms",)) if tele else None,
            "validationResults": [_shape(r) for r in validation.get(run_id, [])],
            "baselineResults": [_shape(r) for r in baseline.get(run_id, [])],
            "diff": {
                "files": [_shape(r, (), ("binary", "patch_truncated")) for r in files.get(run_id, [])],
                "dependencyChanges": [_shape(r) for r in deps.get(run_id, [])],
            },
            "manifest": _shape(manifest[0], ("settings",)) if manifest else None,
        }
        if transcripts:
            detail["transcript"] = {
                "messages": [_shape(r, ("content",)) for r in messages.get(run_id, [])],
                "toolCalls": [_shape(r, ("input",), ("is_error",)) for r in calls.get(run_id, [])],
            }
        details.append(detail)
    return details


def query_run_detail(conn: sqlite3.Connection, run_id: str) -> dict[str, Any] | None:
    details = _run_details(conn, "run_id = ?", (run_id,))
    return details[0] if details else None


def query_run_details_range(conn: sqlite3.Connection, first_id: int, last_id: int, *, transcripts: bool = False
                            ) -> list[dict[str, Any]]:
    """Details of the runs with row ids first_id..last_id (inclusive), oldest first (the static site's chunks)."""
    return _run_details(conn, "id BETWEEN ? AND ?", (first_id, last_id), transcripts=transcripts)


def query_runs_range(conn: sqlite3.Connection, first_id: int, last_id: int) -> list[dict[str, Any]]:
    """/api/runs rows of the runs with row ids first_id..last_id (inclusive), newest first."""
    return [_run_row(r) for r in _fetch(conn, f"SELECT {_RUN_COLUMNS} FROM benchmark_runs WHERE id BETWEEN ? AND ? "
                                              "ORDER BY id DESC", (first_id, last_id))]


def query_chunk_versions(conn: sqlite3.Connection, size: int) -> dict[int, tuple[Any, ...]]:
    """For runs grouped by ``id // size``: a version that changes whenever a run of the group is added, removed or
    rewritten (count, id range and the newest write revision, see m007). One pass over the runs."""
    return {row[0]: tuple(row[1:]) for row in conn.execute(
        "SELECT id / ? AS chunk, COUNT(*), MIN(id), MAX(id), MAX(COALESCE(revision, 0)) "
        "FROM benchmark_runs GROUP BY chunk", (size,))}


#: The compact columns of the static site's runs table, one array per run (see query_run_index_range).
RUN_INDEX_COLUMNS = ("id", "runId", "batchId", "suite", "scenario", "tier", "agent", "model", "status",
                     "successful", "weightedScore", "costUsd", "startedAt", "durationMs", "failureCategory")


def query_run_index_range(conn: sqlite3.Connection, first_id: int, last_id: int) -> list[list[Any]]:
    """Runs first_id..last_id as compact arrays in RUN_INDEX_COLUMNS order (the site's runs table loads all)."""
    return [list(r) for r in conn.execute(
        "SELECT r.id, r.run_id, r.batch_id, r.suite, r.scenario, r.tier, r.agent, r.model, r.status, r.is_successful, "
        "r.weighted_score, r.cost_usd, r.started_at, t.duration_ms, r.failure_category FROM benchmark_runs r "
        "LEFT JOIN run_telemetry t ON t.run_id = r.run_id WHERE r.id BETWEEN ? AND ? ORDER BY r.id",
        (first_id, last_id))]


def query_batch_run_rows(conn: sqlite3.Connection, batch_id: str) -> list[dict[str, Any]]:
    """Every run of a batch with its telemetry totals, flat (a batch's CSV and JSON downloads)."""
    return _fetch(conn, "SELECT r.run_id, r.suite, r.scenario, r.tier, r.agent, r.model, r.repeat_index, r.status, "
                        "r.is_successful, r.weighted_score, r.total_score, r.success_metric, r.failure_category, "
                        "r.failure_stage, r.error, r.cost_usd, t.judge_cost_usd, t.tokens_in, t.tokens_out, "
                        "t.tool_calls, t.duration_ms, r.started_at, r.completed_at FROM benchmark_runs r "
                        "LEFT JOIN run_telemetry t ON t.run_id = r.run_id WHERE r.batch_id = ? ORDER BY r.id",
                  (batch_id,))


def query_batch_versions(conn: sqlite3.Connection) -> dict[str, tuple[Any, ...]]:
    """Per batch: a version that changes when the batch or any of its runs changes (for incremental builds)."""
    runs = {row[0]: tuple(row[1:]) for row in conn.execute(
        "SELECT batch_id, COUNT(*), MAX(id), MAX(COALESCE(revision, 0)) FROM benchmark_runs GROUP BY batch_id")}
    return {row[0]: (*row[1:], *runs.get(row[0], ())) for row in conn.execute(
        f"SELECT {_BATCH_COLUMNS} FROM batch_runs")}


def query_batch_configurations(conn: sqlite3.Connection) -> dict[str, tuple[tuple[str, ...], ...]]:
    """Per batch: its configuration, the sorted (agent, model) pairs and suites it ran (batches with the same
    configuration are comparable run for run)."""
    configs: dict[str, tuple[set[str], set[str]]] = {}
    for batch_id, agent, model, suite in conn.execute(
            "SELECT DISTINCT batch_id, agent, COALESCE(model, ''), suite FROM benchmark_runs "
            f"WHERE batch_id IS NOT NULL AND {counts_sql('runs')}"):
        agents, suites = configs.setdefault(batch_id, (set(), set()))
        agents.add(f"{agent}|{model}")
        suites.add(suite)
    return {b: (tuple(sorted(a)), tuple(sorted(s))) for b, (a, s) in configs.items()}


def query_score_histogram(conn: sqlite3.Connection) -> list[dict[str, Any]]:
    """Scored runs per weighted-score bin of width 1 (0-1, ..., 9-10; 10 falls in the last bin)."""
    return [_shape(r) for r in _fetch(
        conn, "SELECT MIN(CAST(weighted_score AS INTEGER), 9) AS bin, COUNT(*) AS runs FROM benchmark_runs "
              f"WHERE {counts_sql('scored')} GROUP BY 1 ORDER BY 1")]


def query_daily_trends(conn: sqlite3.Connection, days: int = 180) -> list[dict[str, Any]]:
    """Per day (UTC, by start time) and agent/model over the last ``days`` days that have runs: runs, success rate
    and mean weighted score."""
    rows = _fetch(conn, f"""
        SELECT substr(started_at, 1, 10) AS day, agent, COALESCE(model, '') AS model, COUNT(*) AS runs,
               AVG({counts_sql('successful')}) AS success_rate, AVG(weighted_score) AS avg_weighted_score
        FROM benchmark_runs
        WHERE {counts_sql('runs')} AND started_at >= (
            SELECT date(MAX(started_at), ?) FROM benchmark_runs)
        GROUP BY 1, 2, 3 ORDER BY 1, 2, 3""", (f"-{days} days",))
    return [_shape(r) for r in rows]


def query_evaluator_stats(conn: sqlite3.Connection) -> list[dict[str, Any]]:
    """Per evaluator over every run (cancelled attempts excluded, as everywhere): evaluations, applicable ones, mean
    score, full-score rate, errors and cost (None when no evaluation's cost is known)."""
    return [_shape(r) for r in _fetch(conn, f"""
        SELECT e.evaluator_name, MAX(e.kind) AS kind, AVG(e.weight) AS avg_weight, COUNT(*) AS evaluations,
               SUM(e.applicable) AS applicable, AVG(CASE WHEN e.applicable THEN e.normalized_score END) AS avg_score,
               AVG(CASE WHEN e.applicable THEN e.normalized_score = 1.0 END) AS pass_rate,
               SUM(e.error IS NOT NULL) AS errors,
               SUM(e.cost_usd) AS cost_usd
        FROM benchmark_runs r CROSS JOIN evaluation_results e ON e.run_id = r.run_id WHERE {counts_sql('runs', 'r')}
        GROUP BY e.evaluator_name ORDER BY e.evaluator_name""")]  # CROSS JOIN: runs first, 3.5x faster at 100k


def query_evaluator_by_agent(conn: sqlite3.Connection) -> list[dict[str, Any]]:
    """Mean score of each evaluator per agent and model (applicable evaluations only; ``applicable`` counts the
    evaluations that ran, those that failed included, ``errors`` the ones that failed)."""
    return [_shape(r) for r in _fetch(conn, f"""
        SELECT r.agent, COALESCE(r.model, '') AS model, e.evaluator_name, COUNT(*) AS applicable,
               AVG(e.normalized_score) AS avg_score, SUM(e.error IS NOT NULL) AS errors
        FROM evaluation_results e JOIN benchmark_runs r ON r.run_id = e.run_id
        WHERE (e.applicable OR e.error IS NOT NULL) AND {counts_sql('runs', 'r')} GROUP BY 1, 2, 3 ORDER BY 1, 2, 3""")]


def query_costs_by_config(conn: sqlite3.Connection) -> list[dict[str, Any]]:
    """Per agent and model: runs, solved runs, agent and judge cost, tokens (None when no run's is known)."""
    rows = _fetch(conn, f"""
        SELECT r.agent, COALESCE(r.model, '') AS model, COUNT(*) AS runs, SUM({counts_sql('successful', 'r')}) AS solved,
               COUNT(r.cost_usd) AS cost_runs, TOTAL(r.cost_usd) AS cost_usd, SUM(t.judge_cost_usd) AS judge_cost_usd,
               COUNT(t.judge_cost_usd) AS judge_cost_runs,
               SUM(t.tokens_in) AS tokens_in, SUM(t.tokens_out) AS tokens_out,
               SUM(t.cache_read_tokens) AS cache_read_tokens, SUM(t.cache_write_tokens) AS cache_write_tokens
        FROM benchmark_runs r LEFT JOIN run_telemetry t ON t.run_id = r.run_id
        WHERE {counts_sql('runs', 'r')} GROUP BY 1, 2 ORDER BY 1, 2""")
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


_BATCH_COLUMNS = ("batch_id, created_at, completed_at, total_runs, successful_runs, failed_runs, expected_runs, "
                  "avg_score, avg_weighted_score, metadata, agent_failed_runs, infra_failed_runs, scored_runs, "
                  "cancelled_runs, evaluator_error_runs")
_DENOMINATOR_COLUMNS = ("agent_failed_runs", "infra_failed_runs", "scored_runs", "cancelled_runs",
                        "evaluator_error_runs")


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
        "expectedRuns": expected, "runs": runs, "missingRuns": max(0, expected - runs) if expected else 0,
        "completedRuns": runs - agent_failed - infra, "agentFailures": agent_failed, "infraFailures": infra,
        "successfulRuns": successful, "cancelledAttempts": row.get("cancelled_runs") or 0,
        "evaluatorErrorRuns": row.get("evaluator_error_runs") or 0,
        "complete": batch_complete(expected, runs, row.get("completed_at")),
        "successRate": successful / runs if runs else None,
        "successRateExclInfra": successful / (runs - infra) if runs - infra else None,
        "avgWeightedScore": avg,
        "avgWeightedScoreWithInfra": avg * scored / (scored + infra) if avg is not None and scored + infra else None,
    }


def query_batches(conn: sqlite3.Connection, *, limit: int = 20, cursor: str | None = None
                  ) -> tuple[list[dict[str, Any]], str | None]:
    """Batches newest first, keyset-paginated on (created_at, batch_id)."""
    where, params = "", []
    if cursor:
        values = decode_cursor(cursor)
        if len(values) != 2 or not all(isinstance(v, str) for v in values):
            raise ValueError("invalid cursor")
        where, params = "WHERE (created_at, batch_id) < (?, ?)", values
    limit = max(1, min(limit, MAX_PAGE))
    rows = _fetch(conn, f"SELECT {_BATCH_COLUMNS} FROM batch_runs {where} ORDER BY created_at DESC, batch_id DESC "
                        "LIMIT ?", [*params, limit + 1])
    next_cursor = encode_cursor(rows[limit - 1]["created_at"], rows[limit - 1]["batch_id"]) if len(rows) > limit else None
    return [_batch_row(r) for r in rows[:limit]], next_cursor


def _run_counts_sql(ref: str = "benchmark_runs") -> str:
    """The per-group counts of COUNT_CONDITIONS as SELECT columns (over rows already restricted to counted runs)."""
    return (f"COUNT(*) AS runs, SUM({counts_sql('successful', ref)}) AS successful_runs, "
            f"SUM({counts_sql('failed', ref)}) AS failed_runs, SUM({counts_sql('completed', ref)}) AS completed_runs, "
            f"SUM({counts_sql('agent_failures', ref)}) AS agent_failures, "
            f"SUM({counts_sql('infra_failures', ref)}) AS infra_failures, "
            f"SUM({counts_sql('evaluator_errors', ref)}) AS evaluator_error_runs")


def _breakdown(conn: sqlite3.Connection, batch_id: str, columns: list[str]) -> list[dict[str, Any]]:
    """The batch's counted runs grouped by ``columns``: always per configuration (agent and model), so that no
    figure pools configurations."""
    columns = [*columns, *(c for c in ("agent", "model") if c not in columns)]
    cols = ", ".join(columns)
    rows = _fetch(conn, f"""
        SELECT {cols}, {_run_counts_sql()},
               AVG(weighted_score) AS avg_weighted_score, AVG(total_score) AS avg_score,
               SUM(cost_usd) AS total_cost_usd, COUNT(cost_usd) AS cost_runs
        FROM benchmark_runs WHERE batch_id = ? AND {counts_sql('runs')} GROUP BY {cols} ORDER BY {cols}""",
                  (batch_id,))
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


def query_batch_detail(conn: sqlite3.Connection, batch_id: str, runs_limit: int = BATCH_RUNS_EMBEDDED
                       ) -> dict[str, Any] | None:
    rows = _fetch(conn, f"SELECT {_BATCH_COLUMNS} FROM batch_runs WHERE batch_id = ?", (batch_id,))
    if not rows:
        return None
    batch = _batch_row(rows[0])
    runs = _fetch(conn, f"SELECT {_RUN_COLUMNS} FROM benchmark_runs WHERE batch_id = ? ORDER BY id LIMIT ?",
                  (batch_id, runs_limit))
    evaluators = _fetch(conn, f"""
        SELECT e.evaluator_name, COUNT(*) AS runs, SUM(e.applicable) AS applicable_runs,
               AVG(CASE WHEN e.applicable THEN e.normalized_score END) AS avg_score,
               AVG(CASE WHEN e.applicable THEN e.normalized_score = 1.0 END) AS pass_rate,
               SUM(e.error IS NOT NULL) AS errors
        FROM evaluation_results e JOIN benchmark_runs r ON r.run_id = e.run_id
        WHERE r.batch_id = ? AND {counts_sql('runs', 'r')} GROUP BY e.evaluator_name ORDER BY e.evaluator_name""",
                        (batch_id,))
    failures = _fetch(conn, f"""
        SELECT failure_category AS category, COUNT(*) AS runs FROM benchmark_runs
        WHERE batch_id = ? AND {counts_sql('failed')} GROUP BY failure_category ORDER BY runs DESC""",
                      (batch_id,))
    errors = _fetch(conn, f"""
        SELECT e.evaluator_name, COUNT(*) AS runs, MIN(e.error) AS example FROM evaluation_results e
        JOIN benchmark_runs r ON r.run_id = e.run_id
        WHERE r.batch_id = ? AND {counts_sql('runs', 'r')} AND e.error IS NOT NULL
        GROUP BY e.evaluator_name ORDER BY runs DESC, e.evaluator_name""", (batch_id,))
    batch["runs"] = [_run_row(r) for r in runs]
    batch["runsIncluded"] = len(runs)
    batch["runsTotal"] = conn.execute("SELECT COUNT(*) FROM benchmark_runs WHERE batch_id = ?", (batch_id,)).fetchone()[0]
    batch["breakdowns"] = {
        "bySuite": _breakdown(conn, batch_id, ["suite"]),
        "byAgent": _breakdown(conn, batch_id, ["agent", "model"]),
        "byTier": _breakdown(conn, batch_id, ["tier"]),
        "byEvaluator": [_shape(r) for r in evaluators],
        "failuresByCategory": [{**_shape(r), "category": r["category"] or "unknown"} for r in failures],
        "evaluatorErrors": [_shape(r) for r in errors],
    }
    return batch


def _aggregate_row(row: dict[str, Any]) -> dict[str, Any]:
    runs, scored = row.pop("runs"), row.pop("scored")
    successful, failed = row.pop("successful"), row.pop("failed")
    sum_total, sum_weighted = row.pop("sum_total_score"), row.pop("sum_weighted")
    cost_runs, sum_cost = row.pop("cost_runs"), row.pop("sum_cost")
    min_w, max_w = row.pop("min_weighted"), row.pop("max_weighted")
    out = {_camel(k): v for k, v in row.items()}
    out.update({
        "runs": runs, "successfulRuns": successful, "failedRuns": failed, "scoredRuns": scored,
        "successRate": successful / runs if runs else None,
        "avgScore": sum_total / scored if scored else None,
        "avgWeightedScore": sum_weighted / scored if scored else None,
        "minWeightedScore": min_w, "maxWeightedScore": max_w,
        # the original's names for the same figures (0-10 scale)
        "minScore": min_w, "maxScore": max_w,
        "totalCostUsd": sum_cost if cost_runs else None,
        "meanCostUsd": sum_cost / cost_runs if cost_runs else None,
        "costUnknownRuns": runs - cost_runs,
    })
    return out


def query_stats(conn: sqlite3.Connection) -> dict[str, Any]:
    """Totals over every counted run (all configurations pooled, as the key ``pooled`` says)."""
    rows = _fetch(conn, "SELECT * FROM agg_totals WHERE grp = 'all'")
    base = _aggregate_row(rows[0]) if rows else _aggregate_row({
        "grp": "all", "runs": 0, "successful": 0, "failed": 0, "scored": 0, "sum_total_score": 0, "sum_weighted": 0,
        "min_weighted": None, "max_weighted": None, "cost_runs": 0, "sum_cost": 0})
    base.pop("grp", None)
    counts = conn.execute("SELECT (SELECT COUNT(*) FROM batch_runs), (SELECT COUNT(*) FROM agg_agents WHERE runs > 0), "
                          "(SELECT COUNT(DISTINCT suite || '/' || scenario) FROM agg_scenarios WHERE runs > 0)"
                          ).fetchone()
    completed, agent_failed, infra_failed, evaluator_errors = conn.execute(
        "SELECT COALESCE(SUM(completed), 0), COALESCE(SUM(agent_failed), 0), COALESCE(SUM(infra_failed), 0), "
        "COALESCE(SUM(evaluator_errors), 0) FROM agg_items").fetchone()
    cancelled = conn.execute(f"SELECT COUNT(*) FROM benchmark_runs WHERE {counts_sql('cancelled')}").fetchone()[0]
    return {"totalRuns": base["runs"], "successfulRuns": base["successfulRuns"], "failedRuns": base["failedRuns"],
            "completedRuns": completed, "agentFailures": agent_failed, "infraFailures": infra_failed,
            "cancelledAttempts": cancelled, "evaluatorErrorRuns": evaluator_errors,
            "successRate": base["successRate"], "avgScore": base["avgScore"],
            "avgWeightedScore": base["avgWeightedScore"], "totalCostUsd": base["totalCostUsd"],
            "costUnknownRuns": base["costUnknownRuns"], "totalBatches": counts[0], "agentModels": counts[1],
            "scenarios": counts[2], "pooled": True}


def query_stats_agents(conn: sqlite3.Connection) -> list[dict[str, Any]]:
    rows = [_aggregate_row(r) for r in _fetch(conn, "SELECT * FROM agg_agents WHERE runs > 0 ORDER BY agent, model")]
    for row in rows:
        row["model"] = row["model"] or None
    return rows


def query_stats_scenarios(conn: sqlite3.Connection) -> list[dict[str, Any]]:
    return [_aggregate_row(r) for r in _fetch(
        conn, "SELECT * FROM agg_scenarios WHERE runs > 0 ORDER BY suite, scenario, tier")]


# --------------------------------------------------------------------------------------------------------------
# The original project's read shapes and definitions (the unversioned /api/* paths; models.Original*): its keys,
# JSON text for metadata and details, evaluations as sent, batch times in epoch ms, completed-only statistics.
# --------------------------------------------------------------------------------------------------------------

#: Most rows one original-shaped /api/runs or /api/batches answer holds (the original had no cap; its dashboard
#: asks for 10,000). Larger limits are served as this many rather than refused.
ORIGINAL_MAX_ROWS = 50_000
#: Filters of the original's /api/runs (exact match; empty values ignored, as its worker does).
ORIGINAL_RUN_FILTERS = ("suite", "scenario", "agent", "status")
_ORIGINAL_RUN_COLUMNS = ("id, run_id, batch_id, suite, scenario, tier, agent, model, status, started_at, completed_at, "
                         "total_score, weighted_score, is_successful, success_metric, specialist_enabled, "
                         "specialist_name, specialist_version, metadata, error")


_ORIGINAL_RUN_KEYS = ("id", "runId", "batchId", "suite", "scenario", "tier", "agent", "model", "status", "startedAt",
                      "completedAt", "totalScore", "weightedScore", "isSuccessful", "successMetric",
                      "specialistEnabled", "specialistName", "specialistVersion", "metadata")


def _original_run(row: tuple[Any, ...]) -> dict[str, Any]:
    """A run row (a tuple of _ORIGINAL_RUN_COLUMNS; tuples, as these answers reach 10,000 rows) in the original's
    shape. metadata is the stored JSON text; a zebench failure's message is added as metadata.error (where the
    original's dashboard looks for it) when the metadata has none."""
    out = dict(zip(_ORIGINAL_RUN_KEYS, row))
    out["isSuccessful"], out["specialistEnabled"] = bool(row[13]), bool(row[15])
    error = row[19]
    if error is not None:
        parsed = _loads(row[18]) if row[18] else {}
        if isinstance(parsed, dict) and "error" not in parsed:
            out["metadata"] = _dumps({**parsed, "error": error})
    return out


def query_original_runs(conn: sqlite3.Connection, filters: dict[str, str] | None = None, *, limit: int = 50
                        ) -> list[dict[str, Any]]:
    """The original's GET /api/runs: newest startedAt first (ties: newest row), exact-match filters on
    ORIGINAL_RUN_FILTERS. Indexes (status|agent|suite|scenario, started_at) keep a filtered page an index walk."""
    where, params = [], []
    for key, value in (filters or {}).items():
        if key not in ORIGINAL_RUN_FILTERS:
            raise ValueError(f"unknown filter {key!r}")
        where.append(f"{key} = ?")
        params.append(value)
    sql = (f"SELECT {_ORIGINAL_RUN_COLUMNS} FROM benchmark_runs {'WHERE ' + ' AND '.join(where) if where else ''} "
           "ORDER BY started_at DESC, id DESC LIMIT ?")
    return [_original_run(r) for r in conn.execute(sql, (*params, limit))]


def _original_evaluation(row: dict[str, Any]) -> dict[str, Any]:
    details = row["details"]
    if details is not None and details.startswith('"'):
        details = json.loads(details)  # text, as it was sent
    elif details == "null":
        details = None  # else: an object or list, as its JSON text
    return {"id": row["id"], "runId": row["run_id"], "evaluatorName": row["evaluator_name"], "score": row["score"],
            "maxScore": row["max_score"], "details": details, "createdAt": row["created_at"]}


#: Evaluations the original's shape can hold: a numeric score (its dashboard calls score.toFixed()).
_ORIGINAL_EVALUATIONS = ("SELECT id, run_id, evaluator_name, score, max_score, details, created_at FROM "
                         "evaluation_results WHERE run_id = ? AND applicable AND score IS NOT NULL ORDER BY id")


def query_original_evaluations(conn: sqlite3.Connection, run_id: str) -> list[dict[str, Any]]:
    """A run's evaluations as sent (score out of maxScore, details as text); not-applicable ones left out.
    [] for an unknown run, as the original."""
    return [_original_evaluation(r) for r in _fetch(conn, _ORIGINAL_EVALUATIONS, (run_id,))]


def query_original_telemetry(conn: sqlite3.Connection, run_id: str) -> dict[str, Any] | None:
    rows = _fetch(conn, "SELECT id, run_id, tool_calls, tokens_in, tokens_out, cost_usd, duration_ms, workspace_dir, "
                        "prompt_sent FROM run_telemetry WHERE run_id = ?", (run_id,))
    return _shape(rows[0]) if rows else None


def query_original_run_detail(conn: sqlite3.Connection, run_id: str) -> dict[str, Any] | None:
    row = conn.execute(f"SELECT {_ORIGINAL_RUN_COLUMNS} FROM benchmark_runs WHERE run_id = ?", (run_id,)).fetchone()
    if row is None:
        return None
    return {"run": _original_run(row), "evaluations": query_original_evaluations(conn, run_id),
            "telemetry": query_original_telemetry(conn, run_id)}


def _original_batch(row: dict[str, Any]) -> dict[str, Any]:
    from .models import epoch_ms

    return {"batchId": row["batch_id"], "createdAt": epoch_ms(row["created_at"]) or 0,
            "completedAt": epoch_ms(row["completed_at"]), "totalRuns": row["total_runs"] or 0,
            "successfulRuns": row["successful_runs"] or 0, "avgScore": row["avg_score"],
            "avgWeightedScore": row["avg_weighted_score"], "metadata": row["metadata"]}


_ORIGINAL_BATCH_COLUMNS = ("batch_id, created_at, completed_at, total_runs, successful_runs, avg_score, "
                           "avg_weighted_score, metadata")


def query_original_batches(conn: sqlite3.Connection, *, limit: int = 20) -> list[dict[str, Any]]:
    """The original's GET /api/batches: newest createdAt first; createdAt/completedAt in epoch ms."""
    return [_original_batch(r) for r in _fetch(
        conn, f"SELECT {_ORIGINAL_BATCH_COLUMNS} FROM batch_runs ORDER BY created_at DESC, batch_id DESC LIMIT ?",
        (limit,))]


def query_original_batch_detail(conn: sqlite3.Connection, batch_id: str) -> dict[str, Any] | None:
    """The original's GET /api/batches/<id>: the batch row and every one of its runs, oldest startedAt first."""
    rows = _fetch(conn, f"SELECT {_ORIGINAL_BATCH_COLUMNS} FROM batch_runs WHERE batch_id = ?", (batch_id,))
    if not rows:
        return None
    runs = conn.execute(f"SELECT {_ORIGINAL_RUN_COLUMNS} FROM benchmark_runs WHERE batch_id = ? "
                        "ORDER BY started_at, id", (batch_id,))
    return {**_original_batch(rows[0]), "runs": [_original_run(r) for r in runs]}


def query_original_stats(conn: sqlite3.Connection) -> dict[str, Any]:
    """The original's GET /api/stats, over completed runs only: their count, successful ones, mean totalScore
    and mean weightedScore (null without runs). From the agg_status_agents summary (m009)."""
    runs, successful, total_scored, sum_total, scored, sum_weighted = conn.execute(
        "SELECT COALESCE(SUM(runs), 0), COALESCE(SUM(CASE WHEN is_successful = 1 THEN runs END), 0), "
        "COALESCE(SUM(total_scored), 0), COALESCE(SUM(sum_total_score), 0), COALESCE(SUM(scored), 0), "
        "COALESCE(SUM(sum_weighted), 0) FROM agg_status_agents WHERE status = 'completed'").fetchone()
    return {"totalRuns": runs, "successfulRuns": successful,
            "avgScore": sum_total / total_scored if total_scored else None,
            "avgWeightedScore": sum_weighted / scored if scored else None}


def query_original_agent_stats(conn: sqlite3.Connection) -> list[dict[str, Any]]:
    """The original's GET /api/stats/agents: per agent over its completed and successful runs, their count and
    mean, min and max weightedScore; highest mean first."""
    rows = [{"agent": agent, "runs": runs, "avgScore": sum_weighted / scored if scored else None,
             "minScore": low, "maxScore": high}
            for agent, runs, scored, sum_weighted, low, high in conn.execute(
                "SELECT agent, runs, scored, sum_weighted, min_weighted, max_weighted FROM agg_status_agents "
                "WHERE status = 'completed' AND is_successful = 1 AND runs > 0")]
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


def _item_sums() -> str:
    """agg_items' columns computed from benchmark_runs (for filtered selections), from COUNT_CONDITIONS."""
    r = "benchmark_runs"
    return (f"COUNT(*) AS runs, SUM({counts_sql('successful', r)}) AS successful, "
            f"SUM({counts_sql('completed', r)}) AS completed, SUM({counts_sql('agent_failures', r)}) AS agent_failed, "
            f"SUM({counts_sql('infra_failures', r)}) AS infra_failed, SUM({counts_sql('scored', r)}) AS scored, "
            "COALESCE(SUM(weighted_score), 0) AS sum_weighted, COUNT(cost_usd) AS cost_runs, "
            f"COALESCE(SUM(cost_usd), 0) AS sum_cost, SUM({counts_sql('evaluator_errors', r)}) AS evaluator_errors")


SELECTION_FILTERS = ("agent", "model", "suite", "scenario", "tier", "batchId")


def query_item_counts(conn: sqlite3.Connection, filters: dict[str, str] | None = None, *, since: str | None = None,
                      until: str | None = None) -> list[dict[str, Any]]:
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
    return _fetch(conn, f"SELECT {group}, {_item_sums()} FROM benchmark_runs WHERE {' AND '.join(where)} "
                        f"GROUP BY {', '.join(f'COALESCE({c}, {chr(39)}{chr(39)})' for c in ITEM_COLUMNS)}", params)


def query_data_as_of(conn: sqlite3.Connection, batch_id: str | None = None) -> str | None:
    """The time of the newest run or batch (of one batch, with ``batch_id``): what a report is current to."""
    if batch_id is not None:
        return conn.execute("SELECT MAX(x) FROM (SELECT MAX(COALESCE(completed_at, started_at)) AS x FROM "
                            "benchmark_runs WHERE batch_id = ? UNION ALL SELECT MAX(COALESCE(completed_at, created_at)) "
                            "FROM batch_runs WHERE batch_id = ?)", (batch_id, batch_id)).fetchone()[0]
    return conn.execute("SELECT MAX(x) FROM (SELECT MAX(COALESCE(completed_at, started_at)) AS x FROM benchmark_runs "
                        "UNION ALL SELECT MAX(created_at) FROM batch_runs)").fetchone()[0]


def pending_migrations(conn: sqlite3.Connection) -> bool:
    """True when the database's schema is older than this zebench's (read-only check)."""
    return bool(migrations.pending(sqlite_utils.Database(conn)))


def is_zebench_database(conn: sqlite3.Connection) -> bool:
    return conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'benchmark_runs'").fetchone() is not None


def batch_exists(conn: sqlite3.Connection, batch_id: str) -> bool:
    return conn.execute("SELECT 1 FROM batch_runs WHERE batch_id = ?", (batch_id,)).fetchone() is not None


def data_version(conn: sqlite3.Connection) -> tuple[Any, ...]:
    """Changes whenever runs are written: a cheap key for caching derived statistics. The newest write revision
    (m007, indexed) is part of it: a rewritten run keeps its row id and may keep the totals, yet changes figures
    such as success rates."""
    return tuple(conn.execute("SELECT (SELECT MAX(id) FROM benchmark_runs), (SELECT MAX(revision) FROM benchmark_runs), "
                              "(SELECT runs || ':' || sum_weighted FROM agg_totals), (SELECT COUNT(*) FROM batch_runs)"
                              ).fetchone())
