"""The JSON API through Datasette's in-process client (no server)."""

from __future__ import annotations

import asyncio
import json
import shutil
import sqlite3
from pathlib import Path
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from zebench.catalog import Catalog
from zebench.execution.batch import make_plan, run_batch
from zebench.io.serve import make_datasette
from zebench.models import (
    AgentStats,
    BatchDetail,
    BatchRow,
    ErrorBody,
    EvaluationRow,
    RunDetail,
    RunRow,
    ScenarioStats,
    Stats,
    TelemetryRow,
    TranscriptBody,
)
from zebench.store import CANNED_QUERIES, Store

from .conftest import make_scenario, run, stored_run

TOKEN = "test-api-token"
ORIGINAL_PAYLOAD = {  # the original project's POST /api/results body, as its WorkerClient sends it
    "runId": "1730000000000-abc123",
    "batchId": "batch-1730000000000-xyz",
    "suite": "update-deps",
    "scenario": "nx-pnpm-monorepo",
    "tier": "L1",
    "agent": "anthropic",
    "model": "claude-sonnet-4-5",
    "status": "completed",
    "startedAt": 1730000000000,
    "completedAt": 1730000600000,
    "totalScore": 7.5,
    "weightedScore": 7.5,
    "isSuccessful": True,
    "successMetric": 0.8,
    "metadata": '{"note": "from the original"}',
    "evaluations": [
        {"evaluatorName": "InstallEvaluator", "score": 1, "maxScore": 1, "details": "ok"},
        {"evaluatorName": "LLMJudgeEvaluator", "score": 8, "maxScore": 10},
    ],
    "telemetry": {
        "toolCalls": 12,
        "tokensIn": 1000,
        "tokensOut": 500,
        "costUsd": 0.0105,
        "durationMs": 600000,
        "workspaceDir": "/tmp/ws",
        "promptSent": "Update the deps",
    },
}


@pytest.fixture(scope="module")
def api_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("api")
    suites = root / "suites"
    make_scenario(suites, tiers=("L0", "L1"))
    make_scenario(suites, suite="other", name="sub", tiers=("L1",))
    db = root / "z.db"
    store = Store(db)
    plan, _ = make_plan(Catalog(suites), [], tiers=[], agents=["echo", "oracle"], models=[], repeat=2)
    run(run_batch(store, plan, batch_id="batch-a"))
    plan, _ = make_plan(Catalog(suites), ["demo"], tiers=["L1"], agents=["oracle"], models=[])
    run(run_batch(store, plan, batch_id="batch-b"))
    store.close()
    return db


@pytest.fixture
def db(api_db: Path, tmp_path: Path) -> Path:
    path = tmp_path / "z.db"
    shutil.copyfile(api_db, path)
    return path


def call(db: Path, method: str, path: str, *, immutable: bool = False, **kwargs: Any) -> httpx.Response:
    ds = make_datasette(db, immutable=immutable)
    response: httpx.Response = asyncio.run(getattr(ds.client, method)(path, **kwargs))
    return response


def get(db: Path, path: str) -> httpx.Response:
    return call(db, "get", path)


def post(db: Path, path: str, body: Any = None, token: str | None = TOKEN, raw: bytes | None = None) -> httpx.Response:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    if raw is not None:
        return call(db, "post", path, content=raw, headers={**headers, "content-type": "application/json"})
    return call(db, "post", path, json=body, headers=headers)


def count(db: Path, table: str = "benchmark_runs") -> int:
    n: int = sqlite3.connect(db).execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]
    return n


def test_health_and_cors(db: Path) -> None:
    r = get(db, "/health")
    assert r.status_code == 200
    assert r.json()["status"] == "ok"
    r = get(db, "/api/stats")
    assert r.headers["access-control-allow-origin"] == "*"
    pre = call(
        db, "options", "/api/results", headers={"Origin": "https://x.example", "Access-Control-Request-Method": "POST"}
    )
    assert pre.status_code == 204
    assert "POST" in pre.headers["access-control-allow-methods"]
    assert "Authorization" in pre.headers["access-control-allow-headers"]


def test_runs_filters_and_keyset_pagination(db: Path) -> None:
    all_runs = get(db, "/api/v2/runs?limit=1000").json()
    assert len(all_runs) == 13
    assert [RunRow.model_validate(r) for r in all_runs]
    assert [r["id"] for r in all_runs] == sorted((r["id"] for r in all_runs), reverse=True)
    seen, cursor, pages = [], None, 0
    while True:
        r = get(db, "/api/v2/runs?limit=4" + (f"&cursor={cursor}" if cursor else ""))
        seen += [x["runId"] for x in r.json()]
        pages += 1
        cursor = r.headers.get("x-next-cursor")
        if not cursor:
            break
        assert 'rel="next"' in r.headers["link"]
    assert pages == 4
    assert seen == [x["runId"] for x in all_runs]
    oracle = get(db, "/api/v2/runs?agent=oracle&suite=demo&tier=L1&batchId=batch-b").json()
    assert len(oracle) == 1
    assert oracle[0]["agent"] == "oracle"
    assert oracle[0]["isSuccessful"] is True
    assert len(get(db, "/api/v2/runs?status=completed&limit=1000").json()) == 13
    since = all_runs[3]["startedAt"]
    assert all(r["startedAt"] >= since for r in get(db, f"/api/v2/runs?since={since}").json())
    assert get(db, "/api/v2/runs?since=2999-01-01").json() == []


@pytest.mark.parametrize("query", ["limit=0", "limit=1001", "limit=abc", "cursor=@@@", "cursor=WyJ4Il0", "colour=red"])
def test_bad_query_parameters_are_400_on_v2_and_ignored_on_the_original_paths(db: Path, query: str) -> None:
    r = get(db, f"/api/v2/runs?{query}")
    assert r.status_code == 400
    assert ErrorBody.model_validate(r.json()).ok is False
    r = get(db, f"/api/runs?{query}")
    assert r.status_code == 200
    assert len(r.json()) == {"limit=0": 0, "limit=1001": 13}.get(query, 13)


def test_run_detail_and_parts(db: Path) -> None:
    run_id = get(db, "/api/v2/runs?agent=oracle&limit=1").json()[0]["runId"]
    detail = RunDetail.model_validate(get(db, f"/api/v2/runs/{run_id}").json())
    assert detail.run.runId == run_id
    assert detail.manifest is not None
    assert detail.diff.files[0].path == "calc.py"
    assert {e.evaluatorName for e in detail.evaluations} >= {"test", "integrity_guard"}
    assert [v.kind for v in detail.validationResults] == ["test"]
    evaluations = [EvaluationRow.model_validate(e) for e in get(db, f"/api/v2/runs/{run_id}/evaluations").json()]
    assert len(evaluations) == len(detail.evaluations)
    assert any(not e.applicable and e.score is None for e in evaluations)  # v2 keeps not-applicable evaluations
    assert TelemetryRow.model_validate(get(db, f"/api/v2/runs/{run_id}/telemetry").json()).toolCalls == 1
    transcript = TranscriptBody.model_validate(get(db, f"/api/v2/runs/{run_id}/transcript").json())
    assert transcript.toolCalls[0].name == "writeFile"
    for path in (
        "/api/v2/runs/nope",
        "/api/v2/runs/nope/evaluations",
        "/api/v2/runs/nope/telemetry",
        "/api/v2/batches/nope",
        "/api/runs/nope",
        "/api/batches/nope",
    ):
        r = get(db, path)
        assert r.status_code == 404, path
        assert r.json()["status"] == 404, path
    # the original's answers for an unknown run's parts: 200 with [] and null
    assert get(db, "/api/runs/nope/evaluations").json() == []
    assert get(db, "/api/runs/nope/telemetry").json() is None
    # the original shape leaves the not-applicable evaluations out: every score is a number
    original = get(db, f"/api/runs/{run_id}/evaluations").json()
    assert len(original) == sum(e.applicable for e in evaluations) > 0
    assert all(isinstance(e["score"], float) and isinstance(e["maxScore"], float) for e in original)


def test_unknown_api_paths_and_methods(db: Path) -> None:
    r = get(db, "/api/nothing/here")
    assert r.status_code == 404
    assert r.json() == {"ok": False, "error": r.json()["error"], "errors": [], "status": 404}
    r = get(db, "/api/compare?base=batch-a&cand=batch-b")  # zebench's own shapes moved under /api/v2
    assert r.status_code == 404
    assert "/api/v2" in r.json()["error"]
    assert call(db, "post", "/api/stats").status_code == 405
    assert get(db, "/api/results").status_code == 405


def test_batches_and_breakdowns(db: Path) -> None:
    rows = [BatchRow.model_validate(b) for b in get(db, "/api/v2/batches").json()]
    assert [b.batchId for b in rows] == ["batch-b", "batch-a"]
    assert rows[1].totalRuns == rows[1].expectedRuns == 12
    assert rows[1].complete
    page = get(db, "/api/v2/batches?limit=1")
    cursor = page.headers["x-next-cursor"]
    second = get(db, f"/api/v2/batches?limit=1&cursor={cursor}").json()
    assert len(page.json()) == 1
    assert second[0]["batchId"] == "batch-a"
    detail = BatchDetail.model_validate(get(db, "/api/v2/batches/batch-a").json())
    assert len(detail.runs) == 12 == detail.runsTotal == detail.runsIncluded
    few = BatchDetail.model_validate(get(db, "/api/v2/batches/batch-a?runs=5").json())
    assert (len(few.runs), few.runsIncluded, few.runsTotal) == (5, 5, 12)
    assert [r.id for r in few.runs] == [r.id for r in detail.runs[:5]]
    assert get(db, "/api/v2/batches/batch-a?runs=0").json()["runs"] == []
    assert get(db, "/api/v2/batches/batch-a?runs=x").status_code == 400
    assert get(db, "/api/v2/batches/batch-a?runs=5001").status_code == 400
    assert detail.denominators is not None
    assert detail.denominators.runs == 12
    assert detail.denominators.missingRuns == 0
    by_agent = {r.agent: r for r in detail.breakdowns.byAgent}
    assert by_agent["oracle"].successRate == 1.0
    assert by_agent["echo"].successRate == 0.0
    # breakdowns never pool configurations: each suite and tier row is one agent and model
    assert {(r.model_extra["tier"], r.agent) for r in detail.breakdowns.byTier} == {  # type: ignore[index]
        (t, a) for t in ("L0", "L1") for a in ("echo", "oracle")
    }
    assert {(r.model_extra["suite"], r.agent): r.runs for r in detail.breakdowns.bySuite} == {  # type: ignore[index]
        ("demo", "echo"): 4,
        ("demo", "oracle"): 4,
        ("other", "echo"): 2,
        ("other", "oracle"): 2,
    }
    assert {(r.model_extra["suite"], r.agent): r.successRate for r in detail.breakdowns.bySuite} == {  # type: ignore[index]
        ("demo", "echo"): 0.0,
        ("demo", "oracle"): 1.0,
        ("other", "echo"): 0.0,
        ("other", "oracle"): 1.0,
    }
    test_eval = next(e for e in detail.breakdowns.byEvaluator if e.evaluatorName == "test")
    assert test_eval.passRate == 0.5
    assert detail.breakdowns.failuresByCategory == []


def _sql_agents(db: Path) -> dict[tuple[str, str], tuple[int, int, float, float | None, float | None]]:
    rows = (
        sqlite3.connect(db)
        .execute(
            "SELECT agent, COALESCE(model, ''), COUNT(*), SUM(is_successful), AVG(weighted_score), "
            "MIN(weighted_score), MAX(weighted_score) FROM benchmark_runs WHERE status != 'cancelled' GROUP BY 1, 2"
        )
        .fetchall()
    )
    return {(a, m): (n, s, round(avg, 6), lo, hi) for a, m, n, s, avg, lo, hi in rows}


def _api_agents(db: Path) -> dict[tuple[str, str], tuple[int, int, float, float | None, float | None]]:
    rows = [AgentStats.model_validate(r) for r in get(db, "/api/v2/stats/agents").json()]
    return {
        (r.agent, r.model or ""): (
            r.runs,
            r.successfulRuns,
            round(r.avgWeightedScore, 6),  # type: ignore[arg-type]
            r.minWeightedScore,
            r.maxWeightedScore,
        )
        for r in rows
    }


def test_stats_agree_with_the_runs_after_writes_replacements_and_cancellations(
    db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ZE_BENCHMARKS_API_KEY", TOKEN)
    assert _api_agents(db) == _sql_agents(db)
    stats = Stats.model_validate(get(db, "/api/v2/stats").json())
    assert (stats.totalRuns, stats.successfulRuns, stats.totalBatches) == (13, 7, 2)
    scenarios = [ScenarioStats.model_validate(r) for r in get(db, "/api/v2/stats/scenarios").json()]
    assert {(s.suite, s.scenario, s.tier): s.runs for s in scenarios} == {
        ("demo", "add", "L0"): 4,
        ("demo", "add", "L1"): 5,
        ("other", "sub", "L1"): 4,
    }
    # Replace the best oracle run with a worse one, add a cancelled run and a run of a new agent.
    best = get(db, "/api/v2/runs?agent=oracle&limit=1").json()[0]
    with Store(db) as store:
        record = stored_run(store, best["runId"]).model_copy(update={"weighted_score": 1.5, "is_successful": False})
    cancelled = record.model_copy(update={"run_id": "c1", "status": "cancelled", "weighted_score": 0.0})
    other = record.model_copy(update={"run_id": "n1", "agent": "newcomer", "model": "m", "weighted_score": 9.0})
    r = post(db, "/api/results", [json.loads(x.model_dump_json(by_alias=True)) for x in (record, cancelled, other)])
    assert r.status_code == 201, r.text
    assert _api_agents(db) == _sql_agents(db)
    assert _api_agents(db)[("oracle", "")][4] == 10.0
    assert _api_agents(db)[("oracle", "")][3] == 1.5
    assert Stats.model_validate(get(db, "/api/v2/stats").json()).totalRuns == 14  # the cancelled run is not counted


def test_writes_need_the_token(db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ZE_BENCHMARKS_API_KEY", TOKEN)
    assert post(db, "/api/results", ORIGINAL_PAYLOAD, token=None).status_code == 401
    assert post(db, "/api/results", ORIGINAL_PAYLOAD, token="wrong").status_code == 403
    bad_scheme = call(db, "post", "/api/results", json=ORIGINAL_PAYLOAD, headers={"Authorization": f"Basic {TOKEN}"})
    assert bad_scheme.status_code == 403
    monkeypatch.delenv("ZE_BENCHMARKS_API_KEY")
    r = post(db, "/api/results", ORIGINAL_PAYLOAD)
    assert r.status_code == 503
    assert "ZE_BENCHMARKS_API_KEY" in r.json()["error"]
    assert count(db) == 13


def test_writes_keep_their_statement_journals_in_memory(db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The write connection of the API and the store's write in memory what their triggers journal per statement
    (store.prepare_writes: SQLite spilled it to a temporary file once per row written)."""
    from zebench.api.http import database

    monkeypatch.setenv("ZE_BENCHMARKS_API_KEY", TOKEN)
    ds = make_datasette(db)

    async def post_and_ask() -> tuple[int, int]:
        headers = {"Authorization": f"Bearer {TOKEN}"}
        response = await ds.client.post("/api/results", json=ORIGINAL_PAYLOAD, headers=headers)
        asked = await database(ds).execute_write_fn(lambda conn: conn.execute("PRAGMA temp_store").fetchone()[0])
        return response.status_code, asked

    assert asyncio.run(post_and_ask()) == (201, 2)
    with Store(db) as store:
        assert store.conn.execute("PRAGMA temp_store").fetchone()[0] == 2


def test_original_payload_is_accepted_and_reposting_does_not_duplicate(
    db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ZE_BENCHMARKS_API_KEY", TOKEN)
    for _ in range(2):
        r = post(db, "/api/results", ORIGINAL_PAYLOAD)
        assert r.status_code == 201
        assert r.json()["runId"] == ORIGINAL_PAYLOAD["runId"]
    assert count(db) == 14
    detail = RunDetail.model_validate(get(db, f"/api/v2/runs/{ORIGINAL_PAYLOAD['runId']}").json())
    assert detail.run.startedAt == "2024-10-27T03:33:20.000Z"
    assert detail.run.metadata == {"note": "from the original"}
    judge = next(e for e in detail.evaluations if e.evaluatorName == "LLMJudgeEvaluator")
    assert (judge.score, judge.maxScore, judge.details) == (8, 10, None)
    assert detail.telemetry is not None
    assert detail.telemetry.costUsd == 0.0105
    batch = get(db, f"/api/v2/batches/{ORIGINAL_PAYLOAD['batchId']}").json()  # created when missing
    assert batch["totalRuns"] == 1
    assert batch["successfulRuns"] == 1
    r = post(
        db,
        "/api/results/batch",
        {
            "batchId": "batch-x",
            "createdAt": 1730000000000,
            "totalRuns": 3,
            "successfulRuns": 2,
            "avgScore": 0.5,
            "avgWeightedScore": 5,
            "metadata": "{}",
        },
    )
    assert r.status_code == 201
    assert get(db, "/api/batches/batch-x").json()["totalRuns"] == 3


@pytest.mark.parametrize(
    "body, status",
    [
        (b"{not json", 400),
        (json.dumps({**ORIGINAL_PAYLOAD, "status": "exploded"}).encode(), 422),
        (json.dumps([ORIGINAL_PAYLOAD, {**ORIGINAL_PAYLOAD, "runId": "second", "tier": None}]).encode(), 422),
        (b"[]", 422),
        (b"42", 422),
    ],
)
def test_bad_payloads_write_nothing(db: Path, monkeypatch: pytest.MonkeyPatch, body: bytes, status: int) -> None:
    monkeypatch.setenv("ZE_BENCHMARKS_API_KEY", TOKEN)
    r = post(db, "/api/results", raw=body)
    assert r.status_code == status, r.text
    error = ErrorBody.model_validate(r.json())
    assert error.status == status
    assert status == 400 or error.errors
    assert count(db) == 13
    assert count(db, "evaluation_results") == count(db, "evaluation_results")
    if status == 422 and body.startswith(b"[{"):
        assert error.errors[0]["loc"][0] == 1  # the index of the bad record


def test_large_bodies_are_413(db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ZE_BENCHMARKS_API_KEY", TOKEN)
    big = json.dumps({**ORIGINAL_PAYLOAD, "metadata": {"blob": "x" * (11 * 1024 * 1024)}}).encode()
    r = post(db, "/api/results", raw=big)
    assert r.status_code == 413
    assert count(db) == 13


def test_immutable_server_refuses_writes(db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ZE_BENCHMARKS_API_KEY", TOKEN)
    r = call(
        db, "post", "/api/results", immutable=True, json=ORIGINAL_PAYLOAD, headers={"Authorization": f"Bearer {TOKEN}"}
    )
    assert r.status_code == 503
    assert "read-only" in r.json()["error"]
    assert call(db, "get", "/api/v2/stats", immutable=True).json()["totalRuns"] == 13


def test_datasette_pages_and_canned_queries_work(db: Path) -> None:
    r = get(db, "/z/benchmark_runs.json?_shape=array&_size=2")
    assert r.status_code == 200
    assert len(r.json()) == 2
    for name in CANNED_QUERIES:
        r = get(db, f"/z/{name}.json?_shape=array")
        assert r.status_code == 200, name
        assert isinstance(r.json(), list), name
        assert r.json() or name == "failures_by_category", name  # no run of the fixture failed
    meta = get(db, "/-/metadata.json").json()
    assert meta["databases"]["z"]["tables"]["benchmark_runs"]["description"]
    assert get(db, "/-/settings.json").json()["suggest_facets"] is False


def _fill_every_column(db: Path) -> list[str]:
    """One more row in every table with a value in every column (costs, times, JSON text...); returns the names
    of the tables and views. Views get their values from the tables' rows."""
    conn = sqlite3.connect(db)
    objects = conn.execute(
        "SELECT name, type FROM sqlite_master WHERE type IN ('table', 'view') AND name NOT LIKE 'sqlite_%' "
        "AND name NOT LIKE '\\_%' ESCAPE '\\' ORDER BY name"
    ).fetchall()
    for name, kind in objects:
        if kind != "table":
            continue
        columns = conn.execute(f'PRAGMA table_info("{name}")').fetchall()
        values: list[Any] = []
        rowid_alias = sum(1 for c in columns if c[5]) == 1
        for _, column, declared, _, _, pk in columns:
            declared = (declared or "").upper()
            if pk and rowid_alias and "INT" in declared:
                values.append(None)  # the rowid
            elif "INT" in declared:
                values.append(1)
            elif "REAL" in declared or "FLOA" in declared:
                values.append(0.25)
            elif column in {"metadata", "details", "stage_ms", "content", "input", "settings"}:
                values.append('{"k": 1}')
            elif column.endswith("_at"):
                values.append("2026-01-02T03:04:05+00:00")
            else:
                values.append(f"value-{column}")
        names = ", ".join(f'"{c[1]}"' for c in columns)
        marks = ", ".join("?" for _ in columns)
        conn.execute(f'INSERT OR REPLACE INTO "{name}" ({names}) VALUES ({marks})', values)
    conn.commit()
    for name, _ in objects:
        for column in [c[1] for c in conn.execute(f'PRAGMA table_info("{name}")')]:
            row = conn.execute(f'SELECT COUNT(*) FROM "{name}" WHERE "{column}" IS NOT NULL').fetchone()
            assert row[0] > 0, f"{name}.{column} has no value"
    conn.close()
    return [name for name, _ in objects]


def test_every_table_and_view_page_renders_with_a_value_in_every_column(db: Path) -> None:
    """Datasette's own pages (HTML and JSON) of every table and view, with no column left NULL: a cost once made
    /zebench/benchmark_runs a 500 ('USD' is not a Pint unit)."""
    names = _fill_every_column(db)
    assert {"benchmark_runs", "run_telemetry", "evaluation_results", "runs_counted"} <= set(names)
    for name in names:
        for path in (f"/z/{name}", f"/z/{name}.json?_shape=array&_size=5"):
            r = get(db, path)
            assert r.status_code == 200, (path, r.text[:500])
    first = get(db, "/z/benchmark_runs.json?_shape=array&_size=1").json()[0]
    r = get(db, f"/z/benchmark_runs/{first['id']}")
    assert r.status_code == 200, r.text[:500]


def test_openapi_document_matches_the_served_routes(db: Path) -> None:
    doc = get(db, "/api/openapi.json").json()
    assert doc["openapi"] == "3.1.0"
    original = {
        "/api/runs",
        "/api/runs/{runId}",
        "/api/runs/{runId}/evaluations",
        "/api/runs/{runId}/telemetry",
        "/api/batches",
        "/api/batches/{batchId}",
        "/api/stats",
        "/api/stats/agents",
        "/api/runs/{runId}/human-scores",
        "/api/human-scores/stats",
    }
    v2 = {
        "/api/v2/runs",
        "/api/v2/runs/{runId}",
        "/api/v2/runs/{runId}/evaluations",
        "/api/v2/runs/{runId}/telemetry",
        "/api/v2/runs/{runId}/transcript",
        "/api/v2/batches",
        "/api/v2/batches/{batchId}",
        "/api/v2/stats",
        "/api/v2/stats/agents",
        "/api/v2/stats/scenarios",
        "/api/v2/compare",
        "/api/v2/batches/{batchId}/matrix",
    }
    assert set(doc["paths"]) == {"/health", "/api/results", "/api/results/batch"} | original | v2
    schemas = doc["components"]["schemas"]
    assert {"RunRecord", "OriginalRun", "OriginalRunDetail", "OriginalBatchDetail", "RunRow", "BatchDetail"} <= set(
        schemas
    )
    assert doc["paths"]["/api/runs"]["get"]["responses"]["200"]["content"]["application/json"]["schema"] == {
        "type": "array",
        "items": {"$ref": "#/components/schemas/OriginalRun"},
    }
    saved = json.loads((Path(__file__).resolve().parent.parent / "docs" / "openapi.json").read_text())
    assert saved == doc


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=5),
    max_leaves=20,
)
FIELDS = sorted(ORIGINAL_PAYLOAD)


@st.composite
def mutated_payloads(draw: Any) -> Any:
    """Valid payloads with a field removed or replaced by arbitrary JSON, lists of them, or any JSON at all."""
    kind = draw(st.sampled_from(["mutate", "list", "any"]))
    if kind == "any":
        return draw(JSON)
    payload = dict(ORIGINAL_PAYLOAD, runId=draw(st.text(min_size=1, max_size=8)))
    key = draw(st.sampled_from(FIELDS))
    if draw(st.booleans()):
        payload.pop(key)
    else:
        payload[key] = draw(JSON)
    return [payload, dict(ORIGINAL_PAYLOAD)] if kind == "list" else payload


@settings(
    max_examples=150, derandomize=True, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(body=mutated_payloads())
def test_property_no_5xx_and_rejected_requests_write_nothing(api_db: Path, tmp_path: Path, body: Any) -> None:
    import os

    db = tmp_path / "prop.db"
    shutil.copyfile(api_db, db)
    os.environ["ZE_BENCHMARKS_API_KEY"] = TOKEN
    try:
        before = count(db), count(db, "evaluation_results"), count(db, "batch_runs")
        r = post(db, "/api/results", body)
        assert r.status_code < 500, r.text
        if r.status_code >= 400:
            assert (count(db), count(db, "evaluation_results"), count(db, "batch_runs")) == before
            ErrorBody.model_validate(r.json())
    finally:
        del os.environ["ZE_BENCHMARKS_API_KEY"]


@settings(
    max_examples=100, derandomize=True, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    path=st.sampled_from(
        [
            "/api/runs",
            "/api/batches",
            "/api/runs/x",
            "/api/stats/agents",
            "/api/v2/runs",
            "/api/v2/batches",
            "/api/v2/runs/x",
            "/api/v2/stats/agents",
            "/api/runs/x/evaluations",
        ]
    ),
    params=st.dictionaries(
        st.sampled_from(["limit", "cursor", "agent", "since", "tier", "foo"]), st.text(max_size=12), max_size=3
    ),
)
def test_property_reads_never_5xx(api_db: Path, path: str, params: dict[str, str]) -> None:
    from urllib.parse import urlencode

    r = get(api_db, f"{path}?{urlencode(params)}")
    assert r.status_code < 500, (path, params, r.text)
    assert r.headers["content-type"].startswith("application/json")


@pytest.mark.slow
def test_zebench_serve_answers_over_http(db: Path) -> None:
    import socket
    import subprocess
    import sys
    import urllib.request

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen(
        [sys.executable, "-m", "zebench", "serve", "--db", str(db), "--port", str(port)],
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stderr is not None
        for line in proc.stderr:  # uvicorn announces itself once it listens
            if "Uvicorn running on" in line:
                break
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/stats") as response:
            assert json.loads(response.read())["totalRuns"] == 13
            assert response.headers["access-control-allow-origin"] == "*"
    finally:
        proc.terminate()
        proc.wait()


def test_cached_reads_follow_every_write(db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The reads that aggregate or answer many runs are kept (api.http.ResponseCache) until the database changes:
    a write by another connection (`zebench run` or `ingest` in another process) and one through the API's own
    write connection are both seen by the next read."""
    monkeypatch.setenv("ZE_BENCHMARKS_API_KEY", TOKEN)
    ds = make_datasette(db)
    paths = [
        "/api/v2/stats",
        "/api/v2/stats/agents",
        "/api/v2/stats/scenarios",
        "/api/v2/batches/batch-a",
        "/api/stats",
        "/api/runs?limit=10000",
        "/api/batches/batch-a",
    ]

    async def reads() -> dict[str, Any]:
        return {p: (await ds.client.get(p)).json() for p in paths}

    async def scenario() -> None:
        first = await reads()
        assert await reads() == first
        assert len(ds._zebench_responses.bodies) >= len(paths)  # the second time from the cache
        with Store(db) as store:  # another connection writes a run of batch-a
            record = stored_run(store, first["/api/v2/batches/batch-a"]["runs"][0]["runId"])
            store.save_runs([record.model_copy(update={"run_id": "another-process"})])
        after = await reads()
        assert after["/api/v2/stats"]["totalRuns"] == first["/api/v2/stats"]["totalRuns"] + 1
        assert after["/api/v2/batches/batch-a"]["runsTotal"] == first["/api/v2/batches/batch-a"]["runsTotal"] + 1
        assert len(after["/api/runs?limit=10000"]) == len(first["/api/runs?limit=10000"]) + 1
        assert len(after["/api/batches/batch-a"]["runs"]) == len(first["/api/batches/batch-a"]["runs"]) + 1
        posted = await ds.client.post(
            "/api/results", json=ORIGINAL_PAYLOAD, headers={"Authorization": f"Bearer {TOKEN}"}
        )
        assert posted.status_code == 201, posted.text
        last = await reads()
        assert last["/api/v2/stats"]["totalRuns"] == after["/api/v2/stats"]["totalRuns"] + 1
        assert len(last["/api/runs?limit=10000"]) == len(after["/api/runs?limit=10000"]) + 1

    asyncio.run(scenario())
