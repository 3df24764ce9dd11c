"""Records are checked for consistency at every entry (the model, the store, POST /api/results, ingest); the
original project's client keeps being accepted as it posts; old databases with records accepted before the checks
(a failed run marked successful, infinite scores, evaluator errors stored as "not applicable") migrate and every
reader (CLI, API, site) answers; the counts are defined once and the database's view and triggers follow them."""

from __future__ import annotations

import asyncio
import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest
import sqlite_utils
from click.testing import CliRunner
from pydantic import ValidationError

from zebench import store as store_module
from zebench.cli import main
from zebench.io.ingest import ingest_paths
from zebench.io.serve import make_datasette
from zebench.models import Failure, RunRecord
from zebench.report.analysis import leaderboard
from zebench.site import build_site
from zebench.store import (
    COUNT_CONDITIONS,
    InconsistentRecord,
    Store,
    migrations,
    runs_counted_view_sql,
)
from zebench.store.schema import M010_COUNTS

TOKEN = "consistency-token"


def record(run_id: str = "r1", **fields: Any) -> dict[str, Any]:
    base = {
        "runId": run_id,
        "batchId": "b",
        "suite": "s",
        "scenario": "c",
        "tier": "L1",
        "agent": "a",
        "status": "completed",
        "startedAt": "2026-11-01T00:00:00.000Z",
        "weightedScore": 8.0,
        "isSuccessful": True,
    }
    return {**base, **fields}


INCONSISTENT = [
    (
        record(status="failed", failure={"category": "infrastructure", "stage": "setup", "message": "x"}),
        ["isSuccessful"],
        "did not complete and cannot be successful",
    ),
    (record(status="timeout"), ["isSuccessful"], "cannot be successful"),
    (
        record(isSuccessful=False, failure={"category": "agent", "stage": "agent", "message": "x"}),
        ["failure"],
        "is a run that completed, yet it has a failure",
    ),
    (record(startedAt="yesterday"), ["startedAt"], "not an ISO-8601 time"),
    (record(weightedScore=float("inf")), ["weightedScore"], "NaN and Infinity are not"),
    (record(telemetry={"costUsd": float("nan")}), ["telemetry", "costUsd"], "NaN and Infinity are not"),
    (
        record(evaluations=[{"evaluatorName": "judge", "score": 0.5, "error": "boom"}]),
        ["evaluations", 0, "score"],
        "an evaluation that failed (error) has no score",
    ),
]


@pytest.mark.parametrize(("payload", "loc", "message"), INCONSISTENT)
def test_the_model_refuses_inconsistent_records(payload: dict[str, Any], loc: list[Any], message: str) -> None:
    with pytest.raises(ValidationError) as info:
        RunRecord.model_validate(payload)
    assert message in str(info.value)
    assert str(loc[-1]) in str(info.value)


def test_the_store_refuses_a_record_changed_after_it_was_validated(store: Store) -> None:
    run = RunRecord.model_validate(record())
    run.status = "failed"  # no validation on assignment: the store checks again
    with pytest.raises(InconsistentRecord, match="run r1: isSuccessful: a run with status 'failed'"):
        store.save_run(run)
    run = RunRecord.model_validate(record(run_id="r2"))
    run.weighted_score = float("inf")
    with pytest.raises(InconsistentRecord, match="weightedScore"):
        store.save_runs([RunRecord.model_validate(record(run_id="ok")), run])
    assert store.db["benchmark_runs"].count == 0  # nothing of the write


def test_timestamps_are_normalised_to_utc_z() -> None:
    run = RunRecord.model_validate(record(startedAt="2026-11-01T02:00:00+02:00", completedAt="2026-11-01 00:05:00"))
    assert (run.started_at, run.completed_at) == ("2026-11-01T00:00:00.000Z", "2026-11-01T00:05:00.000Z")
    assert RunRecord.model_validate(record(startedAt=1_767_225_600_000)).started_at == "2026-01-01T00:00:00.000Z"


@pytest.fixture
def api(db_path: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.setenv("ZE_BENCHMARKS_API_KEY", TOKEN)
    ds = make_datasette(db_path)
    loop = asyncio.new_event_loop()

    def call(method: str, path: str, body: Any = None) -> Any:
        # json.dumps writes NaN and Infinity as a sloppy client would (httpx's json= refuses them)
        kwargs = (
            {
                "content": json.dumps(body),
                "headers": {"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"},
            }
            if method == "post"
            else {}
        )
        return loop.run_until_complete(getattr(ds.client, method)(path, **kwargs))

    yield call
    loop.close()


@pytest.mark.parametrize(("payload", "loc", "message"), INCONSISTENT)
def test_post_results_answers_422_and_writes_nothing(
    api: Any, payload: dict[str, Any], loc: list[Any], message: str
) -> None:
    r = api("post", "/api/results", [record(run_id="fine"), payload])
    assert r.status_code == 422, r.text
    assert r.json()["errors"][0]["loc"] == [1, *loc]
    assert message in r.json()["errors"][0]["msg"]
    assert api("get", "/api/v2/stats").json()["totalRuns"] == 0


def test_the_original_clients_payloads_are_accepted_as_before(api: Any) -> None:
    # what its completeRun() sends (see tests/test_api_original.py): completed and successful, completed and
    # unsuccessful, failed with scores of 0, status "running" (read as failed), NaN totalScore sent as null
    sent = [
        record(
            run_id="o1",
            totalScore=0.9,
            successMetric=0.9,
            specialistEnabled=False,
            metadata={"diffSummary": []},
            telemetry={"toolCalls": 3, "costUsd": 0},
        ),
        record(run_id="o2", isSuccessful=False, weightedScore=3.0),
        record(
            run_id="o3",
            status="failed",
            isSuccessful=False,
            totalScore=0,
            weightedScore=0,
            metadata={"error": "Workspace preparation failed"},
        ),
        record(run_id="o4", status="running", isSuccessful=False),
        record(run_id="o5", totalScore=None, specialistEnabled=None),
    ]
    for payload in sent:
        r = api("post", "/api/results", payload)
        assert r.status_code == 201, r.text
    stats = api("get", "/api/stats").json()  # the original's definitions: completed runs only
    assert (stats["totalRuns"], stats["successfulRuns"]) == (3, 2)
    v2 = api("get", "/api/v2/stats").json()
    assert (v2["totalRuns"], v2["completedRuns"], v2["agentFailures"], v2["successfulRuns"]) == (5, 3, 2, 2)


def test_ingest_reports_an_inconsistent_record_and_loads_nothing_of_its_file(store: Store, tmp_path: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text(json.dumps(record(run_id="x1")) + "\n" + json.dumps(INCONSISTENT[0][0]) + "\n")
    good = tmp_path / "good.jsonl"
    good.write_text(json.dumps(record(run_id="g1", startedAt="2026-11-01T00:00:00+00:00")) + "\n")
    report = ingest_paths(store, [bad, good])
    assert report.loaded == 1
    assert report.failed
    problem = str(report.files[0].problems[0])
    assert problem.startswith(f"{bad}:2:")
    assert "isSuccessful: a run with status 'failed'" in problem
    assert [r[0] for r in store.conn.execute("SELECT run_id FROM benchmark_runs")] == ["g1"]
    loaded = store.get_run("g1")
    assert loaded is not None
    assert loaded.started_at == "2026-11-01T00:00:00.000Z"


# --------------------------------------------------------------------------------------------------------------
# Old data: written before the checks, by the m009 schema


def _old_database(path: Path) -> None:
    """A database at m009 holding what earlier versions accepted."""
    db = sqlite_utils.Database(path)
    migrations.apply(db, stop_before="m010_one_set_of_counts")
    rows = [
        # a failed infrastructure run stored successful (the record)
        {
            "run_id": "bad",
            "batch_id": "old",
            "status": "failed",
            "failure_category": "infrastructure",
            "is_successful": 1,
            "weighted_score": None,
        },
        {
            "run_id": "inf",
            "batch_id": "old",
            "status": "completed",
            "is_successful": 0,
            "weighted_score": float("inf"),
            "total_score": float("-inf"),
        },
        # an evaluator that crashed, stored "not applicable" with its error: the run counted successful
        {"run_id": "crash", "batch_id": "old", "status": "completed", "is_successful": 1, "weighted_score": 9.0},
        # a time that does not parse (earlier versions stored what they were sent)
        {
            "run_id": "ok",
            "batch_id": "old",
            "status": "completed",
            "is_successful": 1,
            "weighted_score": 10.0,
            "completed_at": "yesterday",
        },
        {
            "run_id": "stop",
            "batch_id": "old",
            "status": "cancelled",
            "failure_category": "cancelled",
            "is_successful": 0,
        },
    ]
    for i, row in enumerate(rows):
        db.table("benchmark_runs").insert(
            {
                "suite": "s",
                "scenario": f"c{i}",
                "tier": "L1",
                "agent": "a",
                "started_at": f"2026-11-01T00:00:0{i}.000Z",
                **row,
            }
        )
    db.table("evaluation_results").insert(
        {
            "run_id": "crash",
            "evaluator_name": "integrity_guard",
            "applicable": 0,
            "weight": 1.0,
            "kind": "hygiene",
            "error": "RuntimeError: bug",
        }
    )
    db.table("batch_runs").insert(
        {"batch_id": "old", "created_at": "2026-11-01T00:00:00.000Z", "expected_runs": 4, "metadata": "{}"}
    )
    db.conn.commit()
    db.conn.close()


def test_old_data_migrates_and_every_reader_answers(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    _old_database(path)
    result = CliRunner().invoke(main, ["leaderboard", "--db", str(path), "--json"])
    assert result.exit_code == 0, result.output
    (row,) = json.loads(result.output)
    # the failed run is a failure, never a success; the infinite score is gone (NULL); the cancelled attempt
    # is not a run
    assert (row["runs"], row["completedRuns"], row["infraFailures"], row["successfulRuns"]) == (4, 3, 1, 2)
    assert row["meanScore"] == pytest.approx(9.5)
    assert row["evaluatorErrorRuns"] == 1
    with Store(path) as store:
        assert store.conn.execute(
            "SELECT weighted_score, total_score, evaluator_errors FROM benchmark_runs "
            "WHERE run_id IN ('inf', 'crash') ORDER BY run_id"
        ).fetchall() == [(9.0, None, 1), (None, None, 0)]
        batch = store.conn.execute(
            "SELECT total_runs, successful_runs, infra_failed_runs, cancelled_runs, "
            "evaluator_error_runs FROM batch_runs"
        ).fetchone()
        assert batch == (4, 2, 1, 1, 1)
    ds = make_datasette(path)
    for url in (
        "/api/v2/stats",
        "/api/v2/stats/agents",
        "/api/v2/batches/old",
        "/api/stats",
        "/api/stats/agents",
        "/api/runs",
        "/api/v2/compare?base=agent%3Da&cand=agent%3Da",
    ):
        r = asyncio.run(ds.client.get(url))
        assert r.status_code == 200, (url, r.text)
        json.loads(r.text)  # valid JSON: no Infinity
    report = build_site(path, tmp_path / "site")
    assert report.runs == 4
    summary = CliRunner().invoke(main, ["summary", "old", "--db", str(path)])
    assert summary.exit_code == 0
    assert "1 interrupted attempt is stored as cancelled" in summary.output
    assert "INCOMPLETE" not in summary.output  # 4 of 4 expected runs stored: complete


# --------------------------------------------------------------------------------------------------------------
# One definition of each count


def test_the_database_counts_with_the_current_definitions(store: Store) -> None:
    """The view and the triggers m010 made follow COUNT_CONDITIONS: a change of a definition needs a migration (a
    count added since, runs with findings, is in the triggers of the migration that added it)."""
    assert {name: COUNT_CONDITIONS[name] for name in M010_COUNTS} == M010_COUNTS
    view = store.conn.execute("SELECT sql FROM sqlite_master WHERE name = 'runs_counted'").fetchone()[0]
    assert view == runs_counted_view_sql(COUNT_CONDITIONS)
    triggers = " ".join(
        r[0]
        for r in store.conn.execute("SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'agg_items%'")
    )
    for name in ("successful", "completed", "agent_failures", "infra_failures", "evaluator_errors", "findings"):
        assert store_module.counts_sql(name, "NEW") in triggers or store_module.counts_sql(name, "OLD") in triggers


def test_the_readmes_query_gives_the_leaderboards_numbers(store: Store) -> None:
    runs = [
        RunRecord.model_validate(
            record(run_id=f"r{i}", scenario=f"c{i % 4}", isSuccessful=i % 3 == 0, agent="a" if i % 2 else "b")
        )
        for i in range(12)
    ]
    runs += [
        RunRecord.model_validate(
            record(
                run_id="f1",
                status="failed",
                isSuccessful=False,
                weightedScore=None,
                failure=Failure(category="rate_limited", stage="agent", message="429"),
            )
        ),
        RunRecord.model_validate(record(run_id="x1", status="cancelled", isSuccessful=False, weightedScore=None)),
    ]
    store.save_runs(runs)
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text()
    query = readme.split('sqlite3 data/zebench.db "', 1)[1].split('"', 1)[0]
    assert "runs_counted" in query
    rows = {r[0]: r[1:] for r in sqlite3.connect(store.path).execute(query)}
    board = {r["agent"]: r for r in leaderboard(store.conn)}
    for agent, (runs_, successful, *_rest) in rows.items():
        assert (runs_, successful) == (board[agent]["runs"], board[agent]["successfulRuns"])
