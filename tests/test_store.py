from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from zebench.batch import make_plan, run_batch
from zebench.catalog import Catalog
from zebench.models import RunRecord
from zebench.store import Store, migrations

from .conftest import run


def test_schema_migrations_and_wal(store: Store) -> None:
    tables = set(store.db.table_names())
    assert {"batch_runs", "benchmark_runs", "evaluation_results", "run_telemetry", "validation_results",
            "run_diff_files", "run_dependency_changes", "run_messages", "run_tool_calls", "run_manifests",
            "_sqlite_migrations"} <= tables
    assert store.db.journal_mode == "wal"
    assert [m.name for m in migrations.applied(store.db)][-2:] == ["m007_run_revisions", "m008_baseline"]
    store.migrate()  # idempotent
    assert len(migrations.applied(store.db)) == 8 and not migrations.pending(store.db)


def test_round_trip_and_jsonl_are_the_same_record(store: Store, db_path: Path, suites: Path, tmp_path: Path) -> None:
    plan, _ = make_plan(Catalog(suites), [], tiers=[], agents=["oracle", "echo"], models=[])
    output = tmp_path / "results.jsonl"
    result = run(run_batch(store, plan, output=output))
    lines = output.read_text().splitlines()
    assert len(lines) == 2 == len(result.records)
    for line in lines:
        written = RunRecord.model_validate_json(line)
        read_back = store.get_run(written.run_id)
        assert read_back == written
        assert json.loads(read_back.model_dump_json(by_alias=True)) == json.loads(line)
        assert "runId" in json.loads(line) and "evaluations" in json.loads(line)
    # Any SQLite tool can read it.
    conn = sqlite3.connect(db_path)
    rows = conn.execute("SELECT agent, weighted_score, is_successful FROM benchmark_runs ORDER BY agent").fetchall()
    assert rows[1] == ("oracle", 10.0, 1) and rows[0][2] == 0
    batch = store.get_batch(result.batch.batch_id)
    assert (batch.total_runs, batch.successful_runs, batch.expected_runs, batch.failed_runs) == (2, 1, 2, 0)
    assert batch.completed_at is not None and batch.avg_weighted_score is not None


def test_saving_a_run_twice_replaces_it(store: Store, suites: Path) -> None:
    plan, _ = make_plan(Catalog(suites), [], tiers=[], agents=["oracle"], models=[])
    record = run(run_batch(store, plan)).records[0]
    store.save_run(record)
    store.save_run(record.model_copy(update={"weighted_score": 1.0}))
    assert store.db["benchmark_runs"].count == 1
    assert store.db["evaluation_results"].count == len(record.evaluations)
    assert store.get_run(record.run_id).weighted_score == 1.0


def test_camel_and_snake_case_input_are_both_accepted() -> None:
    base = {"suite": "s", "scenario": "x", "tier": "L1", "agent": "echo", "status": "completed",
            "startedAt": "2026-01-01T00:00:00Z"}
    camel = RunRecord.model_validate({**base, "runId": "r1", "weightedScore": 5})
    snake = RunRecord.model_validate({**{k: v for k, v in base.items() if k != "startedAt"},
                                      "started_at": "2026-01-01T00:00:00Z", "run_id": "r1", "weighted_score": 5})
    assert camel == snake
