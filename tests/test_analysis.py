"""Leaderboard, paired comparison and denominators: the same numbers in the CLI and the API."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from zebench.cli import main
from zebench.io.serve import make_datasette
from zebench.models import AgentStats, BatchRecord, Failure, FailureCategory, RunRecord, RunStatus
from zebench.report import stats
from zebench.report.analysis import compare, leaderboard
from zebench.store import Store

ITEMS = [(f"s{i // 5}", f"sc{i}", "L1") for i in range(30)]


def _run(
    batch: str,
    agent: str,
    item: tuple[str, str, str],
    ok: bool,
    repeat: int = 0,
    model: str | None = None,
    failure: FailureCategory | None = None,
    cost: float | None = 0.01,
) -> RunRecord:
    from zebench.models import Telemetry

    suite, scenario, tier = item
    status: RunStatus = "failed" if failure else "completed"
    return RunRecord(
        run_id=f"{batch}-{agent}-{scenario}-{repeat}",
        batch_id=batch,
        suite=suite,
        scenario=scenario,
        tier=tier,
        agent=agent,
        model=model,
        status=status,
        started_at=f"2026-11-0{1 + repeat}T00:00:00.000Z",
        weighted_score=None if failure else (9.0 if ok else 3.0),
        total_score=None if failure else (0.9 if ok else 0.3),
        is_successful=ok and not failure,
        repeat_index=repeat,
        failure=Failure(category=failure, stage="agent", message="x") if failure else None,
        telemetry=Telemetry(cost_usd=cost),
    )


@pytest.fixture
def bench_db(db_path: Path) -> Path:
    """Three configurations over 30 items, 3 repeats: strong (A), as strong (C), weak (B); B has infra failures;
    a second batch where A regresses on 15 items."""
    records = []
    for r in range(3):
        for n, item in enumerate(ITEMS):
            records.append(_run("base", "A", item, True, r))
            records.append(_run("base", "C", item, n != 0, r, model="m1"))
            failure: FailureCategory | None = "rate_limited" if n < 4 else None
            records.append(_run("base", "B", item, n % 3 == 0, r, failure=failure, cost=None if n == 5 else 0.02))
            records.append(_run("cand", "A", item, n >= 15, r))
    with Store(db_path) as store:
        store.save_batch(BatchRecord(batch_id="base", created_at="2026-11-01T00:00:00Z", expected_runs=270 + 10))
        store.save_batch(BatchRecord(batch_id="cand", created_at="2026-11-02T00:00:00Z", expected_runs=90))
        store.save_runs(records)
    return db_path


def test_leaderboard_intervals_denominators_pass_at_k_and_ties(bench_db: Path) -> None:
    with Store(bench_db) as store:
        rows = leaderboard(store.conn, {"batchId": "base"})
    by = {r["agent"]: r for r in rows}
    assert [r["agent"] for r in rows] == ["A", "C", "B"]
    assert by["A"]["tieGroup"] == by["C"]["tieGroup"] == 1
    assert by["B"]["tieGroup"] == 2
    assert by["C"]["tieLeader"] == "A"
    assert by["B"]["tieLeader"] == "B"
    assert by["C"]["configuration"] == "C [m1]"
    a = by["A"]
    assert (a["runs"], a["items"], a["successRate"], a["runsPerItemMin"], a["runsPerItemMax"]) == (90, 30, 1.0, 3, 3)
    # three runs per item: the interval is clustered on the item (30 independent units, not 90)
    assert a["successRateInterval"] == "clustered"
    assert (a["successRateLow"], a["successRateHigh"], "clustered") == pytest.approx(
        stats.clustered_proportion_interval([3] * 30, [3] * 30)
    )
    assert a["successRateLow"] < stats.wilson_interval(90, 90)[0]
    b = by["B"]
    assert (b["runs"], b["infraFailures"], b["agentFailures"], b["completedRuns"]) == (90, 12, 0, 78)
    successes = sum(3 for n in range(30) if n % 3 == 0 and n >= 4)
    assert b["successfulRuns"] == successes
    assert b["successRate"] == pytest.approx(successes / 90)
    assert b["successRateExclInfra"] == pytest.approx(successes / 78)
    assert b["meanScoreWithInfra"] < b["meanScore"]
    assert b["costPerSolvedUsd"] is None
    assert b["costUnknownRuns"] == 3  # one item's runs have no known cost
    assert a["costPerSolvedUsd"] == pytest.approx(0.01)
    c = by["C"]
    assert c["passAtK"]["pass@1"] == pytest.approx(29 / 30)
    assert c["passAtK"]["pass^3"] == pytest.approx(29 / 30)
    assert c["passAtKItems"] == {"1": 30, "2": 30, "3": 30}
    assert c["flakiness"] == 0
    assert a["meanScoreLow"] <= a["meanScore"] <= a["meanScoreHigh"]


def test_compare_detects_the_regression_and_gates(bench_db: Path, tmp_path: Path) -> None:
    with Store(bench_db) as store:
        result = compare(store.conn, "agent=A,batchId=base", "cand")
        same = compare(store.conn, "agent=A,batchId=base", "agent=A,batchId=base")
        partial = compare(store.conn, "agent=A,batchId=base,suite=s0", "agent=A,batchId=cand,suite=s1")
    assert result["sharedItems"] == 30
    assert result["success"]["onlyBaselineSucceeded"] == 15
    assert result["itemOutcomes"]["regressed"] == sorted(f"s{n // 5}/sc{n}/L1" for n in range(15))
    assert len(result["itemOutcomes"]["stayedSolved"]) == 15
    assert not result["pooled"]
    # three runs per item: items are paired on their success rates (15 items at -1, exact sign-flip)
    assert result["success"]["test"] == "exact sign-flip"
    assert result["success"]["mcnemarP"] is None
    assert result["success"]["pValue"] == pytest.approx(2 / 2**15)
    assert "success rates" in result["pairing"]
    assert result["significantRegression"]
    assert result["score"]["meanDiff"] == pytest.approx(-3.0)
    assert result["score"]["ciHigh"] < 0
    assert not same["significantRegression"]
    assert not same["significantImprovement"]
    assert partial["sharedItems"] == 0
    assert len(partial["onlyBaseline"]) == 5 == len(partial["onlyCandidate"])
    md, junit = tmp_path / "c.md", tmp_path / "c.xml"
    gate = CliRunner().invoke(
        main,
        [
            "compare",
            "agent=A,batchId=base",
            "cand",
            "--db",
            str(bench_db),
            "--markdown",
            str(md),
            "--junit",
            str(junit),
            "--fail-on-regression",
        ],
    )
    assert gate.exit_code == 1, gate.output
    assert "**Significant regression**" in md.read_text()
    assert "| success rate (mean per item) |" in md.read_text()
    assert "15 regressed, 0 improved, 15 stayed solved, 0 stayed failed" in md.read_text()
    import xml.etree.ElementTree as ET

    suite = ET.fromstring(junit.read_text())
    cases = suite.findall("testcase")
    assert len(cases) == 31
    assert suite.get("tests") == "31"
    assert suite.get("failures") == "16"
    failed = [c.get("name") for c in cases if c.find("failure") is not None]
    assert failed == [*sorted(f"s{n // 5}/sc{n}/L1" for n in range(15)), "overall significance"]
    ok = CliRunner().invoke(main, ["compare", "cand", "cand", "--db", str(bench_db), "--fail-on-regression", "--json"])
    assert ok.exit_code == 0
    assert json.loads(ok.output)["significantRegression"] is False
    bad = CliRunner().invoke(main, ["compare", "nope", "cand", "--db", str(bench_db)])
    assert bad.exit_code == 2
    assert "no batch 'nope'" in bad.output


def test_compare_refuses_a_side_that_mixes_configurations_unless_pooled(bench_db: Path) -> None:
    mixed = CliRunner().invoke(main, ["compare", "base", "cand", "--db", str(bench_db)])
    assert mixed.exit_code == 2
    assert "'base' holds 3 configurations: A (90 runs), B (90 runs), C [m1] (90 runs)" in mixed.output
    assert "batchId=base,agent=A" in mixed.output
    assert "--pool" in mixed.output
    pooled = CliRunner().invoke(main, ["compare", "base", "cand", "--db", str(bench_db), "--pool"])
    assert pooled.exit_code == 0
    assert "POOLED" in pooled.output
    with Store(bench_db) as store:
        result = compare(store.conn, "base", "cand", pool=True)
    assert result["pooled"]
    assert [c["configuration"] for c in result["baselineConfigurations"]] == ["A", "B", "C [m1]"]


def test_cli_api_agree(bench_db: Path) -> None:
    cli = json.loads(CliRunner().invoke(main, ["leaderboard", "--db", str(bench_db), "--json"]).output)
    ds = make_datasette(bench_db)
    api = [AgentStats.model_validate(r) for r in asyncio.run(ds.client.get("/api/v2/stats/agents")).json()]
    assert [(r.agent, r.tieGroup, r.successRateLow, r.meanScoreHigh) for r in api] == [
        (r["agent"], r["tieGroup"], r["successRateLow"], r["meanScoreHigh"]) for r in cli
    ]
    comparison = asyncio.run(ds.client.get("/api/v2/compare?base=agent%3DA%2CbatchId%3Dbase&cand=cand")).json()
    with Store(bench_db) as store:
        assert comparison == json.loads(json.dumps(compare(store.conn, "agent=A,batchId=base", "cand")))
    assert asyncio.run(ds.client.get("/api/v2/compare?base=nope&cand=cand")).status_code == 400
    batch = asyncio.run(ds.client.get("/api/v2/batches/base")).json()
    d = batch["denominators"]
    assert (d["expectedRuns"], d["runs"], d["missingRuns"], d["infraFailures"]) == (280, 270, 10, 12)
    assert batch["complete"] is False
