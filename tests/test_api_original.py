"""The original project's write client and dashboard against zebench's API (issue 10, points 5 and 6).

The payloads are shaped as the original's harness builds them (packages/harness/src/execution/benchmark.ts ->
BenchmarkLogger.completeRun/startBatch/completeBatch -> WorkerClient.submitRun/submitBatch, which JSON.stringify
them: undefined fields are absent), and every read is checked the way its dashboard
(apps/benchmark-report) uses it: JSON.parse(run.metadata), score.toFixed(), details rendered as text,
completedAt - createdAt on batches, a batch page aggregating every run. /work/notes and docs/api.md hold the
contract."""

from __future__ import annotations

import asyncio
import json
import shutil
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from zebench.cli import main
from zebench.io.serve import make_datasette
from zebench.models import (
    OriginalAgentStats,
    OriginalBatch,
    OriginalBatchDetail,
    OriginalEvaluation,
    OriginalHumanScoreStats,
    OriginalRun,
    OriginalRunDetail,
    OriginalStats,
    OriginalTelemetry,
    RunRow,
)

TOKEN = "dev-local-key"  # the original client's default key
T0 = 1_767_225_600_000  # 2026-01-01T00:00:00Z in epoch ms, as Date.now() gives it


def iso(ms: int) -> str:
    """new Date(ms).toISOString()"""
    import datetime as dt

    return dt.datetime.fromtimestamp(ms / 1000, dt.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


BATCH = f"batch-{T0}-k3j9x2m1q"


def run_payload(
    i: int, *, agent: str = "anthropic", success: bool = True, specialist: str | None = None, status: str = "completed"
) -> dict[str, Any]:
    """What completeRun() sends for one run of the original's harness."""
    start = T0 + 1000 + i * 60_000
    weighted = 9.0 if success else 3.0 + (i % 3)
    payload: dict[str, Any] = {
        "runId": f"{start}-{i:09d}",
        "batchId": BATCH,
        "suite": "next.js",
        "scenario": f"scenario-{i % 4}",
        "tier": ("L0", "L1", "L2")[i % 3],
        "agent": f"specialist:{specialist}:{agent}" if specialist else agent,
        "model": "anthropic/claude-sonnet-4.5",
        "status": status,
        "startedAt": iso(start),
        "completedAt": iso(start + 45_000),
        "totalScore": weighted / 10,
        "weightedScore": weighted,
        "isSuccessful": success,
        "successMetric": 0.9 if success else 0.4,
        "specialistEnabled": specialist is not None,
        "metadata": {
            "diffSummary": [{"file": "app/page.tsx", "changeType": "modified", "textPatch": "@@ -1 +1 @@"}],
            "depsDelta": [],
            "packageManager": "pnpm",
            "testResults": json.dumps({"passed": 3, "failed": 0, "total": 3}),
        },
        "evaluations": [
            {
                "evaluatorName": "LLMJudgeEvaluator",
                "score": weighted / 10,
                "maxScore": 1.0,
                "details": "## Scores\n- Correctness: 4/5",
            }
        ],
        "telemetry": {
            "toolCalls": 12,
            "tokensIn": 15000,
            "tokensOut": 2000,
            "costUsd": 0.075,
            "durationMs": 45000,
            "workspaceDir": f"/tmp/ze-bench-{i}",
            "promptSent": json.dumps([{"role": "user", "content": "Fix the page"}]),
        },
    }
    if specialist:
        payload["specialistName"], payload["specialistVersion"] = specialist, "0.0.3"
    return payload


class Api:
    """One Datasette over the database for a whole test (the in-process client, no server)."""

    def __init__(self, db: Path):
        self.ds = make_datasette(db)
        self.loop = asyncio.new_event_loop()

    def get(self, path: str) -> Any:
        r = self.loop.run_until_complete(self.ds.client.get(path))
        assert r.status_code == 200, (path, r.status_code, r.text)
        return r.json()

    def post(self, path: str, body: Any) -> Any:
        r = self.loop.run_until_complete(
            self.ds.client.post(
                path, json=body, headers={"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"}
            )
        )
        return r

    def close(self) -> None:
        self.loop.close()


@pytest.fixture
def api(db_path: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.setenv("ZE_BENCHMARKS_API_KEY", TOKEN)
    client = Api(db_path)
    yield client
    client.close()


def test_the_original_client_writes_and_its_dashboard_reads(api: Api) -> None:
    # startBatch(): the batch first, with createdAt = Date.now()
    assert (
        api.post(
            "/api/results/batch", {"batchId": BATCH, "createdAt": T0, "totalRuns": 0, "successfulRuns": 0}
        ).status_code
        == 201
    )
    # 156 runs, one request each, as completeRun() posts them: 150 successful, 4 unsuccessful, 2 failed
    payloads = [
        run_payload(
            i,
            success=i % 40 != 7,
            agent="openrouter" if i % 2 else "anthropic",
            specialist="nextjs-specialist" if i % 10 == 0 else None,
        )
        for i in range(154)
    ]
    payloads += [run_payload(154, status="failed", success=False), run_payload(155, status="failed", success=False)]
    payloads[-1]["metadata"]["error"] = "Workspace preparation failed"
    judged = payloads[5]
    judged["evaluations"].append(
        {
            "evaluatorName": "HeuristicChecksEvaluator",
            "score": 7,
            "maxScore": 10,
            "details": "7 of 10 checks passed:\n- lint ok\n- tests fail",
        }
    )
    for payload in payloads:
        r = api.post("/api/results", payload)
        assert r.status_code == 201
        assert r.json()["success"] is True
        assert r.json()["runId"] == payload["runId"]
    # completeBatch(): posted again at the end with a later createdAt, completedAt and the totals
    end = T0 + 3_600_000
    r = api.post(
        "/api/results/batch",
        {
            "batchId": BATCH,
            "createdAt": end,
            "completedAt": end,
            "totalRuns": 156,
            "successfulRuns": 150,
            "avgScore": 0.85,
            "avgWeightedScore": 8.5,
            "metadata": {"suite": "next.js"},
        },
    )
    assert r.status_code == 201
    assert r.json()["batchId"] == BATCH

    # Dashboard: useRuns / listRuns({limit: 10000}) and ({limit: 10000, status: 'completed'})
    runs = [OriginalRun.model_validate(r) for r in api.get("/api/runs?limit=10000")]
    assert len(runs) == 156
    assert len(api.get("/api/runs?limit=10000&status=completed")) == 154
    assert [r.startedAt for r in runs] == sorted((r.startedAt for r in runs), reverse=True)
    by_id = {r.runId: r for r in runs}
    for payload in payloads:
        row = by_id[payload["runId"]]
        assert row.metadata is not None
        assert json.loads(row.metadata) == payload["metadata"]  # JSON.parse(run.metadata)
        assert row.isSuccessful is payload["isSuccessful"]
        assert row.weightedScore == payload["weightedScore"]
        assert row.specialistEnabled is payload["specialistEnabled"]
        assert (row.specialistName, row.specialistVersion) == (
            payload.get("specialistName"),
            payload.get("specialistVersion"),
        )
        assert (row.startedAt, row.completedAt, row.status) == (
            payload["startedAt"],
            payload["completedAt"],
            payload["status"],
        )
    failed = api.get("/api/runs?limit=100&status=failed")
    assert {json.loads(r["metadata"]).get("error") for r in failed} == {None, "Workspace preparation failed"}
    assert len(api.get("/api/runs?limit=15")) == 15
    assert len(api.get("/api/runs")) == 50  # the default limit
    assert len(api.get("/api/runs?limit=10000&agent=openrouter&unknown=ignored&since=2999")) == 77

    # Run page: getRunDetails -> score.toFixed() / maxScore.toFixed(), details as text
    detail = OriginalRunDetail.model_validate(api.get(f"/api/runs/{judged['runId']}"))
    assert [(e.evaluatorName, e.score, e.maxScore, e.details) for e in detail.evaluations] == [
        (e["evaluatorName"], e["score"], e["maxScore"], e["details"]) for e in judged["evaluations"]
    ]
    assert detail.telemetry is not None
    assert detail.telemetry.costUsd == 0.075
    assert detail.telemetry.promptSent == judged["telemetry"]["promptSent"]
    # a host path is published by its last component only (docs/security.md#host-paths)
    assert detail.telemetry.workspaceDir == judged["telemetry"]["workspaceDir"].rsplit("/", 1)[-1]
    evaluations = [OriginalEvaluation.model_validate(e) for e in api.get(f"/api/runs/{judged['runId']}/evaluations")]
    assert [(e.score, e.maxScore) for e in evaluations] == [(0.9, 1.0), (7, 10)]
    assert OriginalTelemetry.model_validate(api.get(f"/api/runs/{judged['runId']}/telemetry")).toolCalls == 12
    # zebench's richer shape keeps the same figures as sent; its statistics use the 0-1 figure
    v2 = {e["evaluatorName"]: e for e in api.get(f"/api/v2/runs/{judged['runId']}/evaluations")}
    heuristic = v2["HeuristicChecksEvaluator"]
    assert (heuristic["score"], heuristic["maxScore"], heuristic["applicable"]) == (7, 10, True)
    by_evaluator = {e["evaluatorName"]: e for e in api.get(f"/api/v2/batches/{BATCH}")["breakdowns"]["byEvaluator"]}
    assert by_evaluator["HeuristicChecksEvaluator"]["avgScore"] == pytest.approx(0.7)
    assert heuristic["details"] == judged["evaluations"][1]["details"]
    v2_run = RunRow.model_validate(
        api.get(f"/api/v2/runs?limit=1&batchId={BATCH}&agent=specialist:nextjs-specialist:anthropic")[0]
    )
    assert (v2_run.specialistEnabled, v2_run.specialistName, v2_run.specialistVersion) == (
        True,
        "nextjs-specialist",
        "0.0.3",
    )

    # Batches: the first createdAt is kept; epoch ms, so completedAt - createdAt is the duration
    batches = [OriginalBatch.model_validate(b) for b in api.get("/api/batches?limit=100")]
    assert [b.batchId for b in batches] == [BATCH]
    assert (batches[0].createdAt, batches[0].completedAt) == (T0, end)
    assert json.loads(batches[0].metadata or "null") == {"suite": "next.js"}
    batch = OriginalBatchDetail.model_validate(api.get(f"/api/batches/{BATCH}"))
    assert len(batch.runs) == 156
    assert {r.runId for r in batch.runs} == set(by_id)  # every run, not a page
    assert [r.startedAt for r in batch.runs] == sorted(r.startedAt for r in batch.runs)
    assert (batch.totalRuns, batch.successfulRuns) == (156, 150)  # recomputed from the stored runs

    # Statistics: completed runs only; agents over completed and successful runs, by weightedScore
    completed = [p for p in payloads if p["status"] == "completed"]
    stats = OriginalStats.model_validate(api.get("/api/stats"))
    assert (stats.totalRuns, stats.successfulRuns) == (154, sum(p["isSuccessful"] for p in completed))
    assert stats.avgScore == pytest.approx(sum(p["totalScore"] for p in completed) / len(completed))
    assert stats.avgWeightedScore == pytest.approx(sum(p["weightedScore"] for p in completed) / len(completed))
    agents = [OriginalAgentStats.model_validate(a) for a in api.get("/api/stats/agents")]
    expected: dict[str, list[float]] = {}
    for p in completed:
        if p["isSuccessful"]:
            expected.setdefault(p["agent"], []).append(p["weightedScore"])
    assert {a.agent: (a.runs, a.minScore, a.maxScore) for a in agents} == {
        k: (len(v), min(v), max(v)) for k, v in expected.items()
    }
    assert [a.avgScore for a in agents] == sorted((a.avgScore for a in agents), reverse=True)  # type: ignore[type-var]

    # The dashboard sends Content-Type: application/json on its GETs, so browsers preflight them
    preflight = api.loop.run_until_complete(
        api.ds.client.options(
            "/api/runs?limit=10000",
            headers={
                "Origin": "http://localhost:3000",
                "Access-Control-Request-Method": "GET",
                "Access-Control-Request-Headers": "content-type",
            },
        )
    )
    assert preflight.status_code == 204
    assert preflight.headers["access-control-allow-origin"] == "*"
    assert "Content-Type" in preflight.headers["access-control-allow-headers"]

    # Unknown runs: the detail is a 404, its evaluations and telemetry 200 [] and null
    assert api.get("/api/runs/1-nope/evaluations") == []
    assert api.get("/api/runs/1-nope/telemetry") is None
    assert api.loop.run_until_complete(api.ds.client.get("/api/runs/1-nope")).status_code == 404


def test_unknown_fields_are_kept_and_wrong_types_named(api: Api) -> None:
    payload = {
        **run_payload(1),
        "harnessVersion": "2.3.1",
        "telemetry": {**run_payload(1)["telemetry"], "cacheHits": 4},
    }
    payload["evaluations"] = [{**payload["evaluations"][0], "category": "judge"}]
    assert api.post("/api/results", payload).status_code == 201
    row = api.get("/api/v2/runs?limit=1")[0]
    assert row["metadata"]["extraFields"] == {
        "harnessVersion": "2.3.1",
        "telemetry": {"cacheHits": 4},
        "evaluations": {"0": {"category": "judge"}},
    }
    assert {k: v for k, v in row["metadata"].items() if k != "extraFields"} == payload["metadata"]
    for field, value in (
        ("specialistEnabled", "sometimes"),
        ("specialistName", 7),
        ("weightedScore", "high"),
        ("isSuccessful", [True]),
    ):
        r = api.post("/api/results", {**run_payload(2), field: value})
        assert r.status_code == 422, (field, r.text)
        assert r.json()["errors"][0]["loc"] == [field], (field, r.text)
    r = api.post(
        "/api/results", {**run_payload(2), "evaluations": [{"evaluatorName": "x", "score": 11, "maxScore": 10}]}
    )
    assert r.status_code == 422
    assert r.json()["errors"][0]["loc"] == ["evaluations", 0, "score"]
    assert len(api.get("/api/runs")) == 1


def test_zebench_run_submits_with_the_original_environment_variables(
    suites: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """ZE_BENCHMARKS_WORKER_URL and ZE_BENCHMARKS_API_KEY, as the original harness read them, make
    `zebench run` post every run to URL/api/results with the key as a Bearer token."""
    received: list[tuple[str, str | None, dict[str, Any]]] = []

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def do_POST(self) -> None:
            body = json.loads(self.rfile.read(int(self.headers["content-length"])))
            received.append((self.path, self.headers.get("authorization"), body))
            self.send_response(201)
            self.send_header("content-length", "2")
            self.end_headers()
            self.wfile.write(b"{}")

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True).start()
    try:
        monkeypatch.setenv("ZE_BENCHMARKS_WORKER_URL", f"http://127.0.0.1:{server.server_address[1]}")
        monkeypatch.setenv("ZE_BENCHMARKS_API_KEY", "key-from-the-environment")
        result = CliRunner().invoke(
            main,
            [
                "run",
                "--suites-dir",
                str(suites),
                "--db",
                str(tmp_path / "z.db"),
                "-a",
                "echo",
                "-a",
                "oracle",
                "--spool",
                str(tmp_path / "spool"),
            ],
        )
    finally:
        server.shutdown()
        server.server_close()
    assert result.exit_code == 0, result.output
    assert sorted(body["agent"] for _, _, body in received) == ["echo", "oracle"]
    assert {(path, auth) for path, auth, _ in received} == {("/api/results", "Bearer key-from-the-environment")}


def test_a_database_written_by_zebench_reads_in_both_shapes(api_db: Path, tmp_path: Path) -> None:
    """zebench's own runs (not-applicable evaluators, failures, object details) through the original shapes."""
    db = tmp_path / "z.db"
    shutil.copyfile(api_db, db)
    client = Api(db)
    try:
        runs = client.get("/api/runs?limit=10000")
        assert len(runs) == len(client.get("/api/v2/runs?limit=1000")) == 13
        for row in runs:
            OriginalRun.model_validate(row)
            assert isinstance(json.loads(row["metadata"]), dict)
            for e in client.get(f"/api/runs/{row['runId']}")["evaluations"]:
                OriginalEvaluation.model_validate(e)  # numeric score and maxScore, details text or null
                assert e["details"] is None or isinstance(e["details"], str)
    finally:
        client.close()


@pytest.fixture(scope="module")
def api_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from zebench.catalog import Catalog
    from zebench.execution.batch import make_plan, run_batch
    from zebench.store import Store

    from .conftest import make_scenario, run

    root = tmp_path_factory.mktemp("both")
    make_scenario(root / "suites", tiers=("L0", "L1"))
    make_scenario(root / "suites", suite="other", name="sub", tiers=("L1",))
    db = root / "z.db"
    with Store(db) as store:
        plan, _ = make_plan(Catalog(root / "suites"), [], tiers=[], agents=["echo", "oracle"], models=[], repeat=2)
        run(run_batch(store, plan, batch_id="batch-a"))
        plan, _ = make_plan(Catalog(root / "suites"), ["demo"], tiers=["L1"], agents=["oracle"], models=[])
        run(run_batch(store, plan, batch_id="batch-b"))
    return db


def test_the_later_dashboards_run_page_reads_human_scores(api: Api) -> None:
    """The original's later dashboard fetches GET /api/runs/:runId/human-scores on every run page (and its API client
    /api/human-scores/stats); its worker answered [] for a run nobody scored, known or not. zebench keeps no human
    scores: a 404 there was a failed request and a console error on every run page."""
    payload = run_payload(1)
    assert api.post("/api/results", payload).status_code == 201
    for run_id in (payload["runId"], "1-never-stored"):
        r = api.loop.run_until_complete(api.ds.client.get(f"/api/runs/{run_id}/human-scores"))
        assert (r.status_code, r.json()) == (200, [])
        assert r.headers["access-control-allow-origin"] == "*"
    stats = OriginalHumanScoreStats.model_validate(api.get("/api/human-scores/stats"))
    assert (stats.totalScores, stats.uniqueRuns, stats.uniqueScorers) == (0, 0, 0)
    # Scoring was another app's job: zebench does not take human scores.
    r = api.post(f"/api/runs/{payload['runId']}/human-scores", {"scorerName": "a", "scores": []})
    assert r.status_code == 405
    assert r.json()["ok"] is False


def test_what_javascript_sends_for_no_value_is_stored_not_refused(api: Api) -> None:
    """The original's client JSON.stringifies what its harness computed: NaN becomes null and an unset name may be
    "". Its worker stored such runs (NULL, ""); zebench stores them too, as "no value"."""
    payload = {**run_payload(1), "model": "", "isSuccessful": None}
    payload["telemetry"] = {**payload["telemetry"], "toolCalls": None, "tokensIn": None, "costUsd": None}
    r = api.post("/api/results", payload)
    assert r.status_code == 201, r.text
    row = OriginalRun.model_validate(api.get("/api/runs")[0])
    assert (row.model, row.isSuccessful) == (None, False)
    telemetry = OriginalTelemetry.model_validate(api.get(f"/api/runs/{payload['runId']}/telemetry"))
    assert (telemetry.toolCalls, telemetry.tokensIn, telemetry.tokensOut, telemetry.costUsd) == (0, 0, 2000, None)
    # The dashboard's run page: `telemetry.costUsd ? ... : 'N/A'`, `run.model || <None>`: no crash on either.

    # A batch posted without createdAt: the original's worker took the time of the request.
    r = api.post("/api/results/batch", {"batchId": "batch-no-created-at", "totalRuns": 0})
    assert r.status_code == 201, r.text
    first = OriginalBatchDetail.model_validate(api.get("/api/batches/batch-no-created-at"))
    assert first.createdAt > T0
    assert (
        api.post(
            "/api/results/batch",
            {
                "batchId": "batch-no-created-at",
                "createdAt": first.createdAt + 5000,
                "completedAt": first.createdAt + 9000,
            },
        ).status_code
        == 201
    )
    again = OriginalBatchDetail.model_validate(api.get("/api/batches/batch-no-created-at"))
    assert (again.createdAt, again.completedAt) == (first.createdAt, first.createdAt + 9000)


def test_an_evaluator_named_twice_is_a_clear_error_not_a_server_error(api: Api) -> None:
    """zebench stores one result per evaluator and run; a payload naming one twice was a 500 (the database's unique
    constraint). It is a 422 naming the field, and nothing is written."""
    payload = run_payload(1)
    payload["evaluations"] = [payload["evaluations"][0], {**payload["evaluations"][0], "score": 0.1}]
    r = api.post("/api/results", payload)
    assert r.status_code == 422, r.text
    assert r.json()["errors"][0]["loc"] == ["evaluations"]
    assert "LLMJudgeEvaluator" in r.json()["error"]
    assert api.get("/api/runs") == []
