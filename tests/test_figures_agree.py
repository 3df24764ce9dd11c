"""Property test (issue 12): on random databases (several configurations and batches, repeats, cancelled attempts,
agent and infrastructure failures, evaluator errors, runs with findings, unknown costs, incomplete batches), every
figure shared by the CLI's JSON, the live API (v2), the static mirror and the site's own data is identical, and
equals the counts computed here from the generated records."""

from __future__ import annotations

import asyncio
import json
import re
import shutil
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from zebench.cli import main
from zebench.io.serve import make_datasette
from zebench.models import (
    INFRA_CATEGORIES,
    SCORED_STATUSES,
    BatchRecord,
    Evaluation,
    Failure,
    FailureCategory,
    RunRecord,
    RunStatus,
    Telemetry,
)
from zebench.site import build_site
from zebench.site.builder import file_name
from zebench.store import Store

CONFIGS = [("echo", None), ("oracle", None), ("droid", "m-a"), ("droid", "m-b")]
ITEMS = [(f"s{i % 2}", f"c{i}", t) for i in range(6) for t in ("L0", "L1")]
OUTCOMES = ["ok", "unsuccessful", "budget", "agent", "infra", "unknown", "timeout", "cancelled", "eval-error", "hacked"]


@st.composite
def databases(draw: st.DrawFn) -> tuple[list[BatchRecord], list[RunRecord]]:
    batches, runs = [], []
    for b in range(draw(st.integers(1, 4))):
        batch_id = f"batch-{b}"
        configs = draw(st.lists(st.sampled_from(CONFIGS), min_size=1, max_size=3, unique=True))
        items = draw(st.lists(st.sampled_from(ITEMS), min_size=1, max_size=8, unique=True))
        repeats = draw(st.integers(1, 3))
        stored = 0
        for agent, model in configs:
            for suite, scenario, tier in items:
                for r in range(repeats):
                    if draw(st.integers(0, 9)) == 0:
                        continue  # a run never made: the batch is incomplete
                    outcome = draw(st.sampled_from(OUTCOMES))
                    runs.append(
                        _record(
                            f"{batch_id}-{agent}-{model}-{scenario}-{tier}-{r}",
                            batch_id,
                            agent,
                            model,
                            (suite, scenario, tier),
                            r,
                            outcome,
                            draw(st.sampled_from([None, 0.0, 0.02])),
                        )
                    )
                    stored += 1
        expected = len(configs) * len(items) * repeats
        batches.append(
            BatchRecord(
                batch_id=batch_id,
                created_at=f"2026-11-0{b + 1}T00:00:00Z",
                expected_runs=expected if draw(st.booleans()) else None,
                completed_at=f"2026-11-0{b + 1}T02:00:00Z" if draw(st.booleans()) else None,
            )
        )
    return batches, runs


def _record(
    run_id: str,
    batch: str,
    agent: str,
    model: str | None,
    item: tuple[str, str, str],
    repeat: int,
    outcome: str,
    cost: float | None,
) -> RunRecord:
    suite, scenario, tier = item
    statuses: dict[str, RunStatus] = {
        "ok": "completed",
        "unsuccessful": "completed",
        "budget": "budget_exceeded",
        "eval-error": "completed",
        "hacked": "completed",
        "timeout": "timeout",
        "cancelled": "cancelled",
    }
    categories: dict[str, FailureCategory] = {
        "agent": "agent",
        "infra": "rate_limited",
        "unknown": "unknown",
        "timeout": "timeout",
        "cancelled": "cancelled",
    }
    status, category = statuses.get(outcome, "failed"), categories.get(outcome)
    scored = status in SCORED_STATUSES
    evaluations = {
        "eval-error": [Evaluation(evaluator_name="llm_judge", weight=2.0, score=None, error="JudgeError: no key")],
        # a blocking finding of the integrity guard (models.integrity_findings): counted, never successful
        "hacked": [
            Evaluation(
                evaluator_name="integrity_guard",
                score=0.8,
                details={"findings": [{"kind": "protected_changed", "path": "tests/test_x.py"}], "flags": []},
            )
        ],
    }.get(outcome, [])
    return RunRecord(
        run_id=run_id,
        batch_id=batch,
        suite=suite,
        scenario=scenario,
        tier=tier,
        agent=agent,
        model=model,
        status=status,
        started_at=f"2026-11-01T00:{repeat:02d}:00.000Z",
        repeat_index=repeat,
        weighted_score=(9.0 if outcome in ("ok", "budget") else 3.0) if scored else None,
        is_successful=outcome in ("ok", "budget"),
        failure=Failure(category=category, stage="agent", message="x") if category else None,
        evaluations=evaluations,
        telemetry=Telemetry(cost_usd=cost),
    )


#: The leaderboard's figures that every consumer shows.
BOARD_KEYS = (
    "agent",
    "model",
    "configuration",
    "rank",
    "tieGroup",
    "tieLeader",
    "tieP",
    "items",
    "runs",
    "completedRuns",
    "agentFailures",
    "infraFailures",
    "successfulRuns",
    "evaluatorErrorRuns",
    "findingRuns",
    "successRate",
    "successRateLow",
    "successRateHigh",
    "successRateExclInfra",
    "meanScore",
    "meanScoreLow",
    "meanScoreHigh",
    "passAtK",
    "passAtKItems",
    "repeatsPerItem",
    "runsPerItemMin",
    "runsPerItemMax",
    "costPerSolvedUsd",
    "flakyItems",
)
DENOMINATOR_KEYS = (
    "expectedRuns",
    "runs",
    "missingRuns",
    "completedRuns",
    "agentFailures",
    "infraFailures",
    "successfulRuns",
    "cancelledAttempts",
    "evaluatorErrorRuns",
    "findingRuns",
    "complete",
    "successRate",
    "successRateExclInfra",
    "avgWeightedScore",
)
STATS_KEYS = (
    "totalRuns",
    "successfulRuns",
    "failedRuns",
    "completedRuns",
    "agentFailures",
    "infraFailures",
    "cancelledAttempts",
    "evaluatorErrorRuns",
    "findingRuns",
    "successRate",
    "avgWeightedScore",
    "totalCostUsd",
    "costUnknownRuns",
    "totalBatches",
    "agentModels",
)


def _pick(row: dict[str, Any], keys: tuple[str, ...]) -> dict[str, Any]:
    return {k: row[k] for k in keys}


def _page_figures(path: Path) -> Any:
    match = re.search(r'<script type="application/json" id="page-figures">(.*?)</script>', path.read_text(), re.DOTALL)
    assert match, path
    return json.loads(match.group(1))


def _data_file(path: Path) -> Any:
    import base64
    import gzip

    value = json.loads(re.fullmatch(r'zbData\("[^"]+",(.*)\);\n', path.read_text(), re.DOTALL).group(1))  # type: ignore[union-attr]
    packed = isinstance(value, dict) and set(value) == {"gzip"}
    return json.loads(gzip.decompress(base64.b64decode(value["gzip"]))) if packed else value


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("figures")


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
@given(data=databases())
@example(data=([BatchRecord(batch_id="batch-0", created_at="2026-11-01T00:00:00Z")], []))  # a batch with no runs
def test_every_consumer_shows_the_same_figures(
    data: tuple[list[BatchRecord], list[RunRecord]], template_db: Path, workspace: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import vl_convert

    monkeypatch.setattr(vl_convert, "javascript_bundle", lambda: "/* charts are not drawn in this test */")
    batches, runs = data
    root = Path(tempfile.mkdtemp(dir=workspace))
    db = root / "z.db"
    shutil.copyfile(template_db, db)
    with Store(db) as store:
        for batch in batches:
            store.save_batch(batch)
        store.save_runs(runs)

    # what the records say, counted here
    counted = [r for r in runs if r.status != "cancelled"]
    truth: Counter[str] = Counter()
    for r in counted:
        truth["runs"] += 1
        if r.status in SCORED_STATUSES:
            truth["completed"] += 1
        elif r.failure is not None and r.failure.category in INFRA_CATEGORIES:
            truth["infra"] += 1
        else:
            truth["agent"] += 1
        truth["successful"] += r.is_successful
        truth["errors"] += any(e.error for e in r.evaluations)
        truth["findings"] += any(e.evaluator_name == "integrity_guard" for e in r.evaluations)

    runner = CliRunner()
    ranked = runner.invoke(main, ["leaderboard", "--db", str(db), "--json"])
    assert ranked.exit_code == (0 if truth["runs"] else 1), ranked.output  # nothing to rank: said, status 1
    cli_board = json.loads(ranked.stdout)
    cli_batches = {
        b.batch_id: json.loads(runner.invoke(main, ["summary", b.batch_id, "--db", str(db), "--json"]).stdout)
        for b in batches
    }
    ds = make_datasette(db)

    def api(path: str) -> Any:
        response = asyncio.run(ds.client.get(path))
        assert response.status_code == 200, (path, response.text)
        return response.json()

    api_board, api_stats = api("/api/v2/stats/agents"), api("/api/v2/stats")
    site = root / "site"
    build_site(db, site)
    mirror_board = json.loads((site / "api/v2/stats/agents.json").read_text())
    mirror_stats = json.loads((site / "api/v2/stats.json").read_text())
    index = _page_figures(site / "index.html")
    agents_page = _page_figures(site / "agents.html")

    # the leaderboard: CLI = API = mirror = both pages
    board = [_pick(r, BOARD_KEYS) for r in cli_board]
    assert [_pick(r, BOARD_KEYS) for r in api_board] == board
    assert [_pick(r, BOARD_KEYS) for r in mirror_board] == board
    assert [_pick(r, BOARD_KEYS) for r in index["leaderboard"]] == board
    assert [_pick(r, BOARD_KEYS) for r in agents_page["leaderboard"]] == board
    # totals: API = mirror = dashboard, and the records' own counts
    stats = _pick(api_stats, STATS_KEYS)
    assert _pick(mirror_stats, STATS_KEYS) == stats == _pick(index["stats"], STATS_KEYS)
    assert (
        stats["totalRuns"],
        stats["completedRuns"],
        stats["infraFailures"],
        stats["agentFailures"],
        stats["successfulRuns"],
        stats["evaluatorErrorRuns"],
        stats["findingRuns"],
        stats["cancelledAttempts"],
    ) == (
        truth["runs"],
        truth["completed"],
        truth["infra"],
        truth["agent"],
        truth["successful"],
        truth["errors"],
        truth["findings"],
        len(runs) - len(counted),
    )
    assert sum(r["runs"] for r in board) == stats["totalRuns"]
    assert sum(r["successfulRuns"] for r in board) == stats["successfulRuns"]
    # batches: CLI summary = API = mirror = the batch page = the dashboard's list
    shown_on_dashboard = {b["batchId"]: b for b in index["batches"]}
    for batch in batches:
        expected = _pick(cli_batches[batch.batch_id]["denominators"], DENOMINATOR_KEYS)
        name = file_name(batch.batch_id)
        assert _pick(api(f"/api/v2/batches/{batch.batch_id}")["denominators"], DENOMINATOR_KEYS) == expected
        assert (
            _pick(json.loads((site / f"api/v2/batches/{name}.json").read_text())["denominators"], DENOMINATOR_KEYS)
            == expected
        )
        assert _pick(_page_figures(site / f"batches/{name}.html")["denominators"], DENOMINATOR_KEYS) == expected
        assert _pick(shown_on_dashboard[batch.batch_id], DENOMINATOR_KEYS) == expected
        mine = [r for r in counted if r.batch_id == batch.batch_id]
        assert (
            expected["runs"]
            == len(mine)
            == expected["completedRuns"] + expected["agentFailures"] + expected["infraFailures"]
        )
        breakdown = cli_batches[batch.batch_id]["breakdowns"]["byAgent"]
        assert sum(r["runs"] for r in breakdown) == expected["runs"]
    # the runs table lists every attempt, and tells runs from cancelled attempts by status
    manifest = _data_file(site / "data/manifest.js")
    rows = [row for n in manifest["indexChunks"] for row in _data_file(site / f"data/runs-index/{n}.js")]
    status = manifest["indexColumns"].index("status")
    assert sum(r[status] != "cancelled" for r in rows) == stats["totalRuns"] == manifest["runs"]
    assert sum(r[status] == "cancelled" for r in rows) == stats["cancelledAttempts"] == manifest["cancelled"]
