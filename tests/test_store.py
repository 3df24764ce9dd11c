from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

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
        "m014_summaries_at_scale",
        "m015_causes_kept_by_triggers",
        "m016_batch_figures_from_summaries",
    ]
    store.migrate()  # idempotent
    assert len(migrations.applied(store.db)) == 16
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


def _batch_row(store: Store, batch_id: str) -> tuple[Any, ...]:
    from zebench.store.sql import BATCH_FIGURES

    columns = ", ".join([*BATCH_FIGURES, "cancelled_runs"])
    row = store.conn.execute(f"SELECT {columns} FROM batch_runs WHERE batch_id = ?", (batch_id,)).fetchone()
    return tuple(round(v, 9) if isinstance(v, float) else v for v in row)


def _batch_figures_from_the_runs(store: Store, batch_id: str) -> tuple[Any, ...]:
    from zebench.store.sql import batch_figures_sql

    rows = {r[0]: r[1:] for r in store.conn.execute(batch_figures_sql(one_batch=False))}
    return tuple(round(v, 9) if isinstance(v, float) else v for v in rows[batch_id])


def test_a_batch_row_has_the_figures_of_its_runs_after_writes_rewrites_and_deletes(store: Store) -> None:
    """The batch row's figures are read from its summary rows (kept by triggers) and the cancelled attempts' index:
    they equal the same figures computed from the stored runs, whatever was written, rewritten or deleted."""
    from zebench.store.writes import refresh_batch_aggregates
    from zebench.testing.synthetic import Generator

    (batch, runs), *_ = Generator(seed=11).batches(200)
    store.save_batch(batch)
    for record in runs[:120]:  # one at a time, as a batch stores its runs
        store.save_run(record)
    assert _batch_row(store, batch.batch_id) == _batch_figures_from_the_runs(store, batch.batch_id)
    store.save_runs(runs[120:])
    changed = []
    for i, record in enumerate(runs[:60]):  # rewritten: cancelled, failed, or with another score
        if i % 3 == 0:
            cancelled = {"status": "cancelled", "weighted_score": None, "is_successful": False}
            changed.append(record.model_copy(update=cancelled))
        elif record.weighted_score is not None:
            changed.append(record.model_copy(update={"weighted_score": (record.weighted_score + 3.3) % 10}))
    store.save_runs(changed)
    with store.conn:
        store.conn.execute("DELETE FROM benchmark_runs WHERE run_id IN (?, ?)", (runs[70].run_id, runs[3].run_id))
        refresh_batch_aggregates(store.conn, batch.batch_id)
    figures = _batch_row(store, batch.batch_id)
    assert figures == _batch_figures_from_the_runs(store, batch.batch_id)
    final = {r.run_id: r for r in [*runs, *changed]}
    del final[runs[70].run_id], final[runs[3].run_id]
    attempts = sum(r.status == "cancelled" for r in final.values())
    assert attempts > 20
    assert (figures[0], figures[-1]) == (len(final) - attempts, attempts)


def test_storing_a_run_of_a_batch_does_not_read_the_batchs_earlier_runs(store: Store) -> None:
    """Refreshing a batch's figures after each run costs the batch's groups, not its runs: the same work (SQLite
    virtual-machine steps) with 40 runs stored as with 400 (a scan of the runs made a batch's storing quadratic)."""
    from zebench.store.writes import refresh_batch_aggregates
    from zebench.testing.synthetic import Generator

    (batch, runs), *_ = Generator(seed=3).batches(2000)
    assert len(runs) >= 400
    store.save_batch(batch)
    steps: list[int] = []

    def refresh_steps() -> int:
        count = [0]

        def step() -> int:
            count[0] += 1
            return 0

        store.conn.set_progress_handler(step, 1)
        try:
            refresh_batch_aggregates(store.conn, batch.batch_id)
        finally:
            store.conn.set_progress_handler(None, 1)
        return count[0]

    store.save_runs(runs[:40])
    groups = store.conn.execute("SELECT COUNT(*) FROM agg_batch_groups WHERE batch_id = ?", (batch.batch_id,))
    before = groups.fetchone()[0]
    steps.append(refresh_steps())
    store.save_runs(runs[40:400])
    groups = store.conn.execute("SELECT COUNT(*) FROM agg_batch_groups WHERE batch_id = ?", (batch.batch_id,))
    assert groups.fetchone()[0] <= before * 3
    steps.append(refresh_steps())
    assert steps[1] < steps[0] * 3, steps  # 432 against 424 here; a scan of the runs: about 10 times as many


def test_a_run_moved_to_another_batch_leaves_the_figures_of_the_one_it_left(store: Store) -> None:
    """A run rewritten with another batch (or none) counts in its new batch only: the batch it left is refreshed
    too, one run at a time or in chunks (ingest)."""
    from zebench.testing.synthetic import Generator

    (first, runs), *_ = Generator(seed=8, prefix="a").batches(300)
    (second, others), *_ = Generator(seed=9, prefix="b").batches(300)
    assert first.batch_id != second.batch_id
    store.save_batch(first)
    store.save_batch(second)
    store.save_runs(runs)
    store.save_runs(others)
    counted = [r for r in runs if r.status != "cancelled"]
    assert _batch_row(store, first.batch_id)[0] == len(counted)
    store.save_run(counted[0].model_copy(update={"batch_id": second.batch_id}))
    store.save_run(counted[1].model_copy(update={"batch_id": None}))
    store.save_runs_chunked([r.model_copy(update={"batch_id": second.batch_id}) for r in counted[2:5]], 2)
    for batch in (first, second):
        assert _batch_row(store, batch.batch_id) == _batch_figures_from_the_runs(store, batch.batch_id)
    assert _batch_row(store, first.batch_id)[0] == len(counted) - 5
