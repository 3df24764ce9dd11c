"""Shipped migrations never change: the schema a fresh database gets, and what every migration does to a
database holding data, are compared with what they were when each migration shipped (tests/schema_frozen/).

A new migration appends its step: run ``python -m tests.test_schema_frozen`` and check that the diff only adds
(the figures of the earlier steps and the schema objects they made must stay as they are)."""

from __future__ import annotations

import hashlib
import json
import re
import sqlite3
import sys
from pathlib import Path
from typing import Any

import sqlite_utils

from zebench.models import CANCELLED_STATUSES, INFRA_CATEGORIES, SCORED_STATUSES
from zebench.store import COUNT_CONDITIONS, Store, counts_sql, migrations, runs_counted_view_sql, schema
from zebench.store.schema import M010_COUNTS
from zebench.store.sql import (
    PART_SUMMARIES,
    SUMMARIES,
    SUMS,
    cancelled_index_sql,
    causes_sql,
    part_summary_fill_sql,
    summaries_sql,
    summary_fill_sql,
)

FROZEN = Path(__file__).resolve().parent / "schema_frozen"
SCHEMA = FROZEN / "schema.sql"
STEPS = FROZEN / "migration_steps.json"


def schema_objects(conn: sqlite3.Connection) -> list[tuple[str, str, str]]:
    """Every schema object (type, name, SQL text), in a fixed order (SQLite's own indexes have no SQL)."""
    return [
        tuple(r)
        for r in conn.execute("SELECT type, name, sql FROM sqlite_master WHERE sql IS NOT NULL ORDER BY type, name")
    ]


def schema_text(conn: sqlite3.Connection) -> str:
    return "".join(f"-- {kind} {name}\n{sql};\n\n" for kind, name, sql in schema_objects(conn))


def contents(conn: sqlite3.Connection) -> dict[str, list[list[Any]]]:
    """Every row of every table and view, but the migrations' own log (it holds the times they ran)."""
    out = {}
    for (name,) in conn.execute(
        "SELECT name FROM sqlite_master WHERE type IN ('table', 'view') AND name != '_sqlite_migrations' ORDER BY name"
    ):
        cursor = conn.execute(f"SELECT * FROM [{name}]")
        out[name] = [[d[0] for d in cursor.description], *sorted((list(r) for r in cursor), key=repr)]
    return out


def _run(run_id: str, status: str, **extra: Any) -> dict[str, Any]:
    return {
        "run_id": run_id,
        "batch_id": "b1",
        "suite": "s",
        "scenario": "c1",
        "tier": "L1",
        "agent": "a",
        "model": "m",
        "status": status,
        "started_at": f"2026-01-01T00:00:{run_id[-2:]}Z",
        "is_successful": 0,
        **extra,
    }


def _guard(run_id: str, details: Any) -> dict[str, Any]:
    """An integrity guard's row with these details (JSON text, or text as the original's client posts it)."""
    text = details if isinstance(details, str) else json.dumps(details)
    return {"run_id": run_id, "evaluator_name": "integrity_guard", "score": 1, "max_score": 1, "details": text}


#: Data written at each step, before that migration runs, with the columns the schema has then: old rows go
#: through every later migration's backfill, and rows written in between go through the triggers of the time.
DATA: dict[str, dict[str, list[dict[str, Any]]]] = {
    "m002_evaluation_cost": {
        "batch_runs": [
            {"batch_id": "b1", "created_at": "2026-01-01T00:00:00Z", "expected_runs": 8, "metadata": "{}"},
            {"batch_id": "b2", "created_at": "2026-01-02T00:00:00Z", "metadata": "{}"},
        ],
        "benchmark_runs": [
            _run("r01", "completed", weighted_score=8.0, total_score=0.8, is_successful=1),
            _run("r02", "completed", weighted_score=3.0, total_score=0.3),
            _run("r03", "budget_exceeded", weighted_score=5.0, total_score=0.5, model=None),
            _run("r04", "failed", failure_category="agent", failure_stage="agent", error="boom"),
            _run("r05", "failed", failure_category="rate_limited", failure_stage="agent", error="429"),
            _run("r06", "timeout", failure_category="timeout", agent="b"),
            _run("r07", "cancelled", batch_id="b2"),
            _run("r08", "failed", failure_category="warmup", batch_id="b2", scenario="c2", weighted_score=9e999),
        ],
        "run_telemetry": [
            {"run_id": "r01", "cost_usd": 0.5, "tokens_in": 10},
            {"run_id": "r02", "cost_usd": 9e999},
            {"run_id": "r04", "cost_usd": 0.25, "judge_cost_usd": 0.01},
        ],
        "evaluation_results": [
            {
                "run_id": "r01",
                "evaluator_name": "judge",
                "score": 0.7,
                "max_score": 1.0,
                "applicable": 1,
                "weight": 1.0,
                "kind": "task",
                "details": json.dumps({"text": "ok", "rawScore": 7, "rawMaxScore": 10}),
            },
            {
                "run_id": "r01",
                "evaluator_name": "plain",
                "score": 0.5,
                "max_score": 1.0,
                "applicable": 1,
                "weight": 1.0,
                "kind": "task",
                "details": json.dumps({"rawScore": 1, "rawMaxScore": 2}),
            },
            {
                "run_id": "r02",
                "evaluator_name": "judge",
                "score": None,
                "max_score": 1.0,
                "applicable": 0,
                "weight": 1.0,
                "kind": "task",
                "error": "judge failed",
            },
        ],
    },
    "m004_item_summaries": {  # after m003: its summary triggers count these
        "benchmark_runs": [
            _run("r11", "completed", weighted_score=10.0, total_score=1.0, is_successful=1, cost_usd=1.5, agent="b"),
            _run("r12", "failed", failure_category="infrastructure", cost_usd=0.1, scenario="c2"),
            _run("r13", "cancelled", weighted_score=2.0),
        ],
    },
    "m005_runs_by_agent": {  # after m004
        "benchmark_runs": [
            _run("r21", "completed", weighted_score=6.0, total_score=0.6, is_successful=1, agent="b", model=None),
            _run("r22", "failed", failure_category="evaluation", batch_id="b2"),
        ],
    },
    "m010_one_set_of_counts": {  # after m009: specialist columns, normalised evaluations
        "benchmark_runs": [
            _run(
                "r31",
                "completed",
                weighted_score=7.5,
                total_score=0.75,
                is_successful=1,
                specialist_enabled=1,
                specialist_name="sp",
                revision=3,
            ),
            _run("r32", "failed", failure_category="setup", success_metric=-9e999, revision=3, agent="c"),
        ],
        "evaluation_results": [
            {
                "run_id": "r31",
                "evaluator_name": "judge",
                "score": 7,
                "max_score": 10,
                "normalized_score": 0.7,
                "applicable": 1,
                "weight": 2.0,
                "kind": "task",
                "cost_usd": 0.02,
            },
            {
                "run_id": "r31",
                "evaluator_name": "lint",
                "score": None,
                "max_score": 1,
                "applicable": 1,
                "weight": 1.0,
                "kind": "heuristic",
                "error": "crashed",
            },
        ],
    },
    "m011_sums_declared_once": {  # after m010: evaluator errors counted by the old rule, a posted totalScore
        "benchmark_runs": [
            _run("r41", "completed", weighted_score=6.0, total_score=0.6, is_successful=1, evaluator_errors=1),
            _run("r42", "completed", weighted_score=None, total_score=0.4, agent="posted", model=None),
            _run("r43", "completed", weighted_score=5.0, total_score=0.5, evaluator_errors=1, batch_id="b2"),
            _run("r44", "cancelled", weighted_score=1.0, total_score=0.1, agent="posted"),
        ],
        "evaluation_results": [
            {  # weight 0, not a gate: an error that does not count (models.evaluator_errors)
                "run_id": "r41",
                "evaluator_name": "diff_summary",
                "score": None,
                "max_score": 1,
                "normalized_score": None,
                "applicable": 0,
                "weight": 0.0,
                "kind": "info",
                "error": "crashed",
            },
            {  # a gate: it counts
                "run_id": "r43",
                "evaluator_name": "integrity_guard",
                "score": None,
                "max_score": 1,
                "normalized_score": None,
                "applicable": 1,
                "weight": 0.0,
                "kind": "hygiene",
                "error": "crashed",
            },
        ],
    },
    "m012_findings": {  # after m011: integrity guards with findings, flags only, text details; one run cancelled
        "benchmark_runs": [
            _run("r51", "completed", weighted_score=8.0, total_score=0.8),
            _run("r52", "completed", weighted_score=9.0, total_score=0.9, is_successful=1, batch_id="b2"),
            _run("r53", "cancelled", weighted_score=2.0, total_score=0.2),
            _run("r54", "completed", weighted_score=7.0, total_score=0.7),
        ],
        "evaluation_results": [
            _guard("r51", {"findings": [{"kind": "protected_path"}, {"kind": "startup_hook"}], "flags": []}),
            _guard("r52", {"findings": [], "flags": [{"kind": "network_attempt"}]}),
            _guard("r53", {"findings": [{"kind": "forged_result"}]}),
            _guard("r54", "text as the original posted it"),
            {  # another evaluator's details naming findings: not the guard's, not counted
                "run_id": "r54",
                "evaluator_name": "heuristic_checks",
                "score": 1,
                "max_score": 1,
                "details": json.dumps({"findings": [1, 2, 3]}),
            },
        ],
    },
    "m013_specialist_in_the_configuration": {  # after m012: the same agent and model with and without specialists
        "benchmark_runs": [
            _run(
                "r61",
                "completed",
                weighted_score=9.0,
                total_score=0.9,
                is_successful=1,
                specialist_enabled=1,
                specialist_name="sp",
                specialist_version="1.0.0",
            ),
            _run(
                "r62",
                "failed",
                failure_category="agent",
                specialist_enabled=1,
                specialist_name="sp",
                specialist_version="2.0.0",
            ),
            _run(
                "r63",
                "completed",
                weighted_score=2.0,
                total_score=0.2,
                specialist_enabled=1,
                specialist_name="sp",
                specialist_version="1.0.0",
            ),
        ],
    },
}

DATA["m014_summaries_at_scale"] = {  # after m013: runs of another batch, with evaluations and telemetry
    "benchmark_runs": [
        _run("r71", "completed", weighted_score=9.0, total_score=0.9, is_successful=1, batch_id="b3", tier="L2"),
        _run("r72", "failed", failure_category="infrastructure", batch_id="b3", suite="s2"),
    ],
    "evaluation_results": [
        {
            "run_id": "r71",
            "evaluator_name": "test",
            "score": 1.0,
            "max_score": 1,
            "normalized_score": 1.0,
            "applicable": 1,
            "weight": 3.0,
            "kind": "task",
        },
        {
            "run_id": "r72",
            "evaluator_name": "test",
            "score": None,
            "max_score": 1,
            "normalized_score": None,
            "applicable": 0,
            "weight": 3.0,
            "kind": "task",
        },
    ],
    "run_telemetry": [{"run_id": "r71", "tokens_in": 100, "judge_cost_usd": 0.5}],
}

DATA["m015_causes_kept_by_triggers"] = {  # after m014: causes of every kind for the migration to fill run_causes
    "benchmark_runs": [
        _run("r81", "completed", weighted_score=4.0, total_score=0.4, batch_id="b3"),
        _run("r82", "completed", weighted_score=5.0, total_score=0.5, batch_id="b3", model=None),
        _run("r83", "timeout", failure_category="timeout", error="60 minutes", batch_id="b3"),
    ],
    "evaluation_results": [
        {
            "run_id": "r81",
            "evaluator_name": "test",
            "score": 0.0,
            "max_score": 1,
            "normalized_score": 0.0,
            "applicable": 1,
            "weight": 0.0,
            "kind": "hygiene",
            "details": json.dumps({"command": "npm test", "status": "failed", "exitCode": 1}),
        },
        {
            "run_id": "r81",
            "evaluator_name": "llm_judge",
            "score": None,
            "max_score": 1,
            "normalized_score": None,
            "applicable": 0,
            "weight": 2.0,
            "kind": "task",
            "error": "no answer",
        },
        {
            "run_id": "r82",
            "evaluator_name": "dependency_targets",
            "score": 0.5,
            "max_score": 1,
            "normalized_score": 0.5,
            "applicable": 1,
            "weight": 3.0,
            "kind": "task",
        },
        {
            "run_id": "r82",
            "evaluator_name": "heuristic_checks",
            "score": 0.5,
            "max_score": 1,
            "normalized_score": 0.5,
            "applicable": 1,
            "weight": 2.0,
            "kind": "task",
            "details": json.dumps({"checks": [{"name": "readme", "passed": False, "message": "no README"}]}),
        },
    ],
}

#: Runs deleted before a migration (the summary tables' delete triggers of the time run).
DELETE: dict[str, list[str]] = {
    "m005_runs_by_agent": ["r04"],
    "m010_one_set_of_counts": ["r12", "r13"],
    "m011_sums_declared_once": ["r21"],
    "m013_specialist_in_the_configuration": ["r53"],
    "m014_summaries_at_scale": ["r41"],
}


def migrate_step_by_step(path: Path) -> dict[str, dict[str, Any]]:
    """A database migrated one migration at a time, with DATA written and DELETE removed between steps: per
    migration, the digest of the schema it leaves and every row."""
    db = sqlite_utils.Database(path)
    names = [m.name for m in migrations.pending(db)]
    steps: dict[str, dict[str, Any]] = {}
    for i, name in enumerate(names):
        for table, rows in DATA.get(name, {}).items():
            for row in rows:
                db.conn.execute(
                    f"INSERT INTO [{table}] ({', '.join(row)}) VALUES ({', '.join('?' * len(row))})",
                    tuple(row.values()),
                )
        for run_id in DELETE.get(name, []):
            db.conn.execute("DELETE FROM benchmark_runs WHERE run_id = ?", (run_id,))
        db.conn.commit()
        migrations.apply(db, stop_before=names[i + 1 :])
        schema = hashlib.sha256(schema_text(db.conn).encode()).hexdigest()
        steps[name] = {"schema_sha256": schema, "rows": json.loads(json.dumps(contents(db.conn)))}
    db.conn.close()
    return steps


def fresh_schema(path: Path) -> str:
    with Store(path) as store:
        return schema_text(store.conn)


def test_a_fresh_database_gets_the_frozen_schema(tmp_path: Path) -> None:
    assert fresh_schema(tmp_path / "fresh.db") == SCHEMA.read_text()


def test_the_data_and_deletes_name_real_migrations() -> None:
    names = {m.name for m in migrations.pending(sqlite_utils.Database(memory=True))}
    assert set(DATA) <= names, set(DATA) - names
    assert set(DELETE) <= names, set(DELETE) - names


def test_every_migration_does_to_data_what_it_did_when_it_shipped(tmp_path: Path) -> None:
    steps = migrate_step_by_step(tmp_path / "steps.db")
    expected = json.loads(STEPS.read_text())
    assert list(steps) == list(expected)
    for name in expected:
        assert steps[name]["schema_sha256"] == expected[name]["schema_sha256"], name
        assert steps[name]["rows"] == expected[name]["rows"], name


def test_the_step_by_step_database_reads_like_a_fresh_one(tmp_path: Path) -> None:
    """Migrated one step at a time with data in between, the schema is the fresh one's."""
    migrate_step_by_step(tmp_path / "steps.db")
    assert schema_text(sqlite3.connect(tmp_path / "steps.db")) == SCHEMA.read_text()


def _listed(values: tuple[str, ...]) -> str:
    return "(" + ", ".join(f"'{v}'" for v in values) + ")"


def test_the_current_definitions_still_say_what_the_frozen_sql_says(tmp_path: Path) -> None:
    """The triggers and the view a database has were written by a migration with the definitions of its time;
    the queries use the current ones (store.sql, from the models' status groups and INFRA_CATEGORIES). They must
    agree: a change of a status group or of the infrastructure categories needs a new migration."""
    # the counts m010 shipped are unchanged; a count added since is frozen in the newest migration's triggers
    assert {name: COUNT_CONDITIONS[name] for name in M010_COUNTS} == M010_COUNTS
    assert set(COUNT_CONDITIONS) - set(M010_COUNTS) == {"findings"}
    with Store(tmp_path / "fresh.db") as store:
        objects = {name: sql for kind, name, sql in schema_objects(store.conn) if kind in ("trigger", "view")}
    assert objects["runs_counted"] == runs_counted_view_sql(COUNT_CONDITIONS)
    groups = {_listed(SCORED_STATUSES), _listed(CANCELLED_STATUSES), _listed(SCORED_STATUSES + CANCELLED_STATUSES)}
    for name, sql in objects.items():
        for categories in re.findall(r"failure_category IN (\([^)]*\))", sql):
            assert categories == _listed(INFRA_CATEGORIES), name
        if name.startswith(("agg_totals", "agg_agents", "agg_scenarios", "agg_items")):  # counted with m010's
            for statuses in re.findall(r"status (?:NOT )?IN (\([^)]*\))", sql):
                assert statuses in groups, (name, statuses)
    items = objects["agg_items_insert"] + objects["agg_items_delete"]
    for count in ("successful", "completed", "agent_failures", "infra_failures", "scored", "evaluator_errors"):
        assert counts_sql(count, "NEW") in items, count
        assert counts_sql(count, "OLD") in items, count


def test_the_newest_migration_holds_what_the_declarations_generate() -> None:
    """The summary tables' triggers and the batch figures are generated from store.sql's declarations (SUMS,
    SUMMARIES, BATCH_FIGURES), and so are the causes of unsuccessful runs (run_causes, from the counts, the gates and
    EVALUATOR_ERROR); each is frozen as literal SQL in the migration that shipped it. The declarations must still
    generate the newest of each: a change of a sum, a count, the configuration or a cause is a new migration
    holding the new output (``python -m zebench.store``; docs/development.md)."""
    assert [m.name for m in migrations._migrations[-3:]] == [
        "m014_summaries_at_scale",
        "m015_causes_kept_by_triggers",
        "m016_batch_figures_from_summaries",
    ]
    assert summaries_sql() == schema._M014
    assert causes_sql() == schema._M015
    assert (cancelled_index_sql(),) == schema._M016  # the index the batch figures count cancelled attempts with


def test_the_rebuilt_summaries_equal_the_counts_of_the_runs(tmp_path: Path) -> None:
    """After m011 (a database migrated step by step, with runs written and deleted in between), every summary row
    is what the same sums over the stored runs give: the triggers and the backfill agree."""
    migrate_step_by_step(tmp_path / "steps.db")
    conn = sqlite3.connect(tmp_path / "steps.db")
    for summary in SUMMARIES:
        columns = [*summary.columns, *SUMS]
        stored = sorted(conn.execute(f"SELECT {', '.join(columns)} FROM {summary.table} WHERE runs > 0"))
        conn.execute(f"CREATE TEMP TABLE fresh AS SELECT * FROM {summary.table} WHERE 0")
        conn.execute(summary_fill_sql(summary).replace(f"INSERT INTO {summary.table} ", "INSERT INTO fresh "))
        assert sorted(conn.execute(f"SELECT {', '.join(columns)} FROM fresh")) == stored, summary.table
        conn.execute("DROP TABLE fresh")
    assert_part_summaries_are_fresh(conn)


def _rounded(row: tuple[Any, ...]) -> tuple[Any, ...]:
    """Sums of REALs kept by triggers differ from a fresh SUM in the last bits (another order of additions)."""
    return tuple(round(v, 9) if isinstance(v, float) else v for v in row)


def assert_part_summaries_are_fresh(conn: sqlite3.Connection) -> None:
    """Every part summary (store.sql.PART_SUMMARIES) holds what its sums over the stored runs and parts give."""
    for summary in PART_SUMMARIES:
        columns = [*summary.columns, *(name for name, _, _ in summary.sums)]
        # rows whose runs were all deleted stay, at 0: only rows with something counted are compared
        stored = sorted(
            _rounded(r)
            for r in conn.execute(f"SELECT {', '.join(columns)} FROM {summary.table}")
            if any(v for v in r[len(summary.columns) :])
        )
        conn.execute(f"CREATE TEMP TABLE fresh AS SELECT * FROM {summary.table} WHERE 0")
        conn.execute(part_summary_fill_sql(summary).replace(f"INSERT INTO {summary.table} ", "INSERT INTO fresh "))
        fresh = sorted(_rounded(r) for r in conn.execute(f"SELECT {', '.join(columns)} FROM fresh"))
        assert fresh == stored, summary.table
        conn.execute("DROP TABLE fresh")


def test_the_part_summaries_follow_writes_rewrites_and_deletes(tmp_path: Path) -> None:
    """The part summaries' triggers (evaluations per batch, configuration and evaluator; telemetry per
    configuration) after the store writes runs, rewrites some with other parts and another status, and after
    runs and single part rows are deleted in either order."""
    from zebench.testing.synthetic import Generator

    path = tmp_path / "parts.db"
    with Store(path) as store:
        (batch, runs), *_ = Generator(seed=4, details=True).batches(300)
        store.save_batch(batch)
        store.save_runs(runs)
        changed = []
        for record in runs[:40]:  # rewritten: one evaluation fewer, a new status for some
            record.evaluations = record.evaluations[1:]
            if record.status == "completed":
                record.status, record.weighted_score, record.is_successful = "cancelled", None, False
            changed.append(record)
        store.save_runs(changed)
        conn = store.conn
        with conn:
            conn.execute("DELETE FROM evaluation_results WHERE run_id = ?", (runs[50].run_id,))
            conn.execute("DELETE FROM benchmark_runs WHERE run_id = ?", (runs[60].run_id,))
            conn.execute("DELETE FROM run_telemetry WHERE run_id = ?", (runs[61].run_id,))
        assert_part_summaries_are_fresh(conn)


if __name__ == "__main__":  # python -m tests.test_schema_frozen: write the expectations (review the diff)
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        FROZEN.mkdir(exist_ok=True)
        SCHEMA.write_text(fresh_schema(Path(tmp) / "fresh.db"))
        STEPS.write_text(json.dumps(migrate_step_by_step(Path(tmp) / "steps.db"), indent=1) + "\n")
    print(f"wrote {SCHEMA} and {STEPS}", file=sys.stderr)
