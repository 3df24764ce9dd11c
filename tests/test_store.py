from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from zebench.catalog import Catalog
from zebench.execution.batch import make_plan, run_batch
from zebench.models import RunRecord
from zebench.store import Store, migrations

from .conftest import run, stored_run


def test_schema_migrations_and_wal(store: Store) -> None:
    tables = set(store.db.table_names())
    assert {
        "batch_runs",
        "benchmark_runs",
        "evaluation_results",
        "run_telemetry",
        "validation_results",
        "run_diff_files",
        "run_dependency_changes",
        "run_messages",
        "run_tool_calls",
        "run_manifests",
        "run_causes",
        "_sqlite_migrations",
    } <= tables
    assert store.db.journal_mode == "wal"
    assert [m.name for m in migrations.applied(store.db)][-3:] == [
        "m013_specialist_in_the_configuration",
        "m014_summaries_at_scale",
        "m015_causes_kept_by_triggers",
    ]
    store.migrate()  # idempotent
    assert len(migrations.applied(store.db)) == 15
    assert not migrations.pending(store.db)


def test_m009_restores_the_original_evaluations_that_earlier_versions_normalised(tmp_path: Path) -> None:
    """Before m009, a 7/10 evaluation posted by the original client was stored as 0.7/1 with the figures in
    details; m009 puts back what was sent and keeps the 0-1 figure in normalized_score."""
    import sqlite_utils

    path = tmp_path / "old.db"
    db = sqlite_utils.Database(path)
    migrations.apply(db, stop_before="m009_original_api")
    db.table("benchmark_runs").insert(
        {
            "run_id": "r",
            "suite": "s",
            "scenario": "c",
            "tier": "L1",
            "agent": "a",
            "status": "completed",
            "started_at": "2026-01-01T00:00:00Z",
            "weighted_score": 7.0,
            "is_successful": 1,
        }
    )
    db.table("evaluation_results").insert_all(
        [
            {
                "run_id": "r",
                "evaluator_name": "judge",
                "score": 0.7,
                "max_score": 1.0,
                "applicable": 1,
                "weight": 1.0,
                "kind": "task",
                "details": json.dumps({"text": "good", "rawScore": 7, "rawMaxScore": 10}),
            },
            {
                "run_id": "r",
                "evaluator_name": "plain",
                "score": 0.5,
                "max_score": 1.0,
                "applicable": 1,
                "weight": 1.0,
                "kind": "task",
                "details": json.dumps({"rawScore": 1, "rawMaxScore": 2}),
            },
            {
                "run_id": "r",
                "evaluator_name": "ours",
                "score": 0.25,
                "max_score": 1.0,
                "applicable": 1,
                "weight": 1.0,
                "kind": "task",
                "details": json.dumps({"checks": 4}),
            },
        ]
    )
    db.conn.close()
    with Store(path) as store:
        rows = {
            r[0]: r[1:]
            for r in store.conn.execute(
                "SELECT evaluator_name, score, max_score, normalized_score, details FROM evaluation_results"
            )
        }
        assert rows == {
            "judge": (7, 10, 0.7, '"good"'),
            "plain": (1, 2, 0.5, None),
            "ours": (0.25, 1.0, 0.25, '{"checks": 4}'),
        }
        assert store.conn.execute(
            "SELECT status, is_successful, agent, runs, scored, sum_weighted, min_weighted FROM agg_status_agents"
        ).fetchall() == [("completed", 1, "a", 1, 1, 7.0, 7.0)]
        assert stored_run(store, "r").evaluations[0].normalized_score == 0.7


def test_round_trip_and_jsonl_are_the_same_record(store: Store, db_path: Path, suites: Path, tmp_path: Path) -> None:
    plan, _ = make_plan(Catalog(suites), [], tiers=[], agents=["oracle", "echo"], models=[])
    output = tmp_path / "results.jsonl"
    result = run(run_batch(store, plan, output=output))
    lines = output.read_text().splitlines()
    assert len(lines) == 2 == len(result.records)
    for line in lines:
        written = RunRecord.model_validate_json(line)
        read_back = store.get_run(written.run_id)
        assert read_back is not None
        assert written.telemetry is not None
        # the same record, but for the workspace's host path: the store publishes its name only (security.md)
        assert read_back.telemetry is not None
        assert read_back.telemetry.workspace_dir == Path(str(written.telemetry.workspace_dir)).name
        written = written.model_copy(
            update={
                "telemetry": written.telemetry.model_copy(update={"workspace_dir": read_back.telemetry.workspace_dir})
            }
        )
        assert read_back == written
        assert json.loads(read_back.model_dump_json(by_alias=True)) == json.loads(
            written.model_dump_json(by_alias=True)
        )
        assert "runId" in json.loads(line)
        assert "evaluations" in json.loads(line)
    # Any SQLite tool can read it.
    conn = sqlite3.connect(db_path)
    rows = conn.execute("SELECT agent, weighted_score, is_successful FROM benchmark_runs ORDER BY agent").fetchall()
    assert rows[1] == ("oracle", 10.0, 1)
    assert rows[0][2] == 0
    batch = store.get_batch(result.batch.batch_id)
    assert batch is not None
    assert (batch.total_runs, batch.successful_runs, batch.expected_runs, batch.failed_runs) == (2, 1, 2, 0)
    assert batch.completed_at is not None
    assert batch.avg_weighted_score is not None


def test_saving_a_run_twice_replaces_it(store: Store, suites: Path) -> None:
    plan, _ = make_plan(Catalog(suites), [], tiers=[], agents=["oracle"], models=[])
    record = run(run_batch(store, plan)).records[0]
    store.save_run(record)
    store.save_run(record.model_copy(update={"weighted_score": 1.0}))
    assert store.db["benchmark_runs"].count == 1
    assert store.db["evaluation_results"].count == len(record.evaluations)
    assert stored_run(store, record.run_id).weighted_score == 1.0


def test_camel_and_snake_case_input_are_both_accepted() -> None:
    base = {
        "suite": "s",
        "scenario": "x",
        "tier": "L1",
        "agent": "echo",
        "status": "completed",
        "startedAt": "2026-01-01T00:00:00Z",
    }
    camel = RunRecord.model_validate({**base, "runId": "r1", "weightedScore": 5})
    snake = RunRecord.model_validate(
        {
            **{k: v for k, v in base.items() if k != "startedAt"},
            "started_at": "2026-01-01T00:00:00Z",
            "run_id": "r1",
            "weighted_score": 5,
        }
    )
    assert camel == snake
