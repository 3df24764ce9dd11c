"""Issues 12 and 17 as tests: real-data-shaped submissions (uneven repeats, several run folders per configuration,
correlated trials) ingested and checked against values computed independently (tests/realdata.py), and a mixed
database as a new user makes one (echo, oracle, a single replay run, repeats across batches, an interrupted and
resumed batch, evaluator errors) whose leaderboard, comparisons, summary and site must tell one story."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from tests import realdata
from zebench.cli import main
from zebench.models import (
    BatchRecord,
    Evaluation,
    Failure,
    FailureCategory,
    RunRecord,
    RunStatus,
    Telemetry,
)
from zebench.report.analysis import leaderboard
from zebench.site import build_site
from zebench.store import Store


@pytest.fixture(scope="module")
def board_db(tmp_path_factory: pytest.TempPathFactory, template_db: Path) -> tuple[Path, list[realdata.Trial]]:
    """The submissions, one JSONL file per run folder, ingested with `zebench ingest`."""
    import shutil

    root = tmp_path_factory.mktemp("board")
    db = root / "board.db"
    shutil.copyfile(template_db, db)
    trials = realdata.leaderboard_trials()
    folder = root / "trials"
    folder.mkdir()
    for batch, records in realdata.as_records(trials).items():
        (folder / f"{batch}.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records))
    result = CliRunner().invoke(main, ["ingest", str(folder), "--db", str(db)])
    assert result.exit_code == 0, result.output
    return db, trials


def test_real_shaped_submissions_accuracy_repeats_intervals_and_pass_at_k(
    board_db: tuple[Path, list[realdata.Trial]],
) -> None:
    db, trials = board_db
    result = CliRunner().invoke(main, ["leaderboard", "--db", str(db), "--json"])
    rows = {(r["agent"], r["model"]): r for r in json.loads(result.output)}
    items = realdata.per_item(trials)
    assert len(rows) == 9
    for key, cells in items.items():
        row = rows[key]
        s = [c[0] for c in cells.values()]
        n = [c[1] for c in cells.values()]
        mine = [t for t in trials if (t.agent, t.model) == key]
        assert row["runs"] == len(mine) == sum(n)
        assert row["items"] == 80
        assert row["successRate"] == pytest.approx(sum(t.success for t in mine) / len(mine))
        assert row["infraFailures"] == sum(t.failure == "infrastructure" for t in mine)
        assert row["agentFailures"] == sum(t.failure == "agent" for t in mine)
        assert (row["runsPerItemMin"], row["runsPerItemMax"]) == (min(n), max(n))
        assert row["repeatsPerItem"] == max(n) > 1
        # clustered on the task, as statsmodels and scipy compute it
        assert row["successRateInterval"] == "clustered"
        assert (row["successRateLow"], row["successRateHigh"]) == pytest.approx(realdata.korn_graubard(s, n), rel=1e-8)
        # pass@k for every k up to the largest count, over the tasks with at least k trials
        reference = realdata.pass_at_k_reference(list(cells.values()))
        assert row["passAtKItems"] == {str(k): v[2] for k, v in reference.items()}
        for k, (at, hat, _) in reference.items():
            assert row["passAtK"][f"pass@{k}"] == pytest.approx(at, abs=1e-12)
            assert row["passAtK"][f"pass^{k}"] == pytest.approx(hat, abs=1e-12)
        assert row["configuration"] == f"{key[0]} [{key[1]}]"


def test_real_shaped_submissions_tie_groups_match_the_documented_method(
    board_db: tuple[Path, list[realdata.Trial]],
) -> None:
    db, trials = board_db
    with Store(db) as store:
        rows = leaderboard(store.conn)
    items = realdata.per_item(trials)
    ordered = [(r["configuration"], items[(r["agent"], r["model"])]) for r in rows]
    expected = realdata.tie_groups_reference(ordered)
    assert {r["configuration"]: r["tieGroup"] for r in rows} == expected
    assert len(set(expected.values())) > 2  # the data separate some submissions and tie others
    for r in rows:
        if r["tieP"] is not None:  # the p-value against the group's leader, recomputed independently
            leader = next(x for x in rows if x["configuration"] == r["tieLeader"])
            assert leader["tieGroup"] == r["tieGroup"]


def test_the_cli_table_shows_agent_and_model_uncut(board_db: tuple[Path, list[realdata.Trial]]) -> None:
    db, _ = board_db
    result = CliRunner().invoke(main, ["leaderboard", "--db", str(db)], terminal_width=60)
    assert result.exit_code == 0
    text = re.sub(r"[│┃\s]+", " ", result.output)
    for model in ("claude-opus-4-1", "gpt-5", "claude-sonnet-4-5"):  # three "droid" rows, each with its model
        assert re.search(rf"\bdroid\b[^│]*?{re.escape(model)}", text.replace("…", "")), model
    assert "…" not in result.output  # nothing cut short


# --------------------------------------------------------------------------------------------------------------
# A mixed database, as a new user makes one


def _run(
    run_id: str,
    batch: str,
    agent: str,
    item: int,
    ok: bool,
    *,
    model: str | None = None,
    repeat: int = 0,
    status: RunStatus = "completed",
    failure: FailureCategory | None = None,
    evaluations: list[Evaluation] | None = None,
    cost: float | None = 0.0,
) -> RunRecord:
    return RunRecord(
        run_id=run_id,
        batch_id=batch,
        suite=f"suite{item % 4}",
        scenario=f"scenario-{item:02d}",
        tier="L1",
        agent=agent,
        model=model,
        status=status,
        started_at=f"2026-11-{1 + repeat:02d}T00:00:{item % 60:02d}.000Z",
        weighted_score=None if status != "completed" else (10.0 if ok else 2.0),
        is_successful=ok,
        repeat_index=repeat,
        failure=Failure(category=failure, stage="agent", message="x") if failure else None,
        evaluations=evaluations or [],
        telemetry=Telemetry(cost_usd=cost),
    )


@pytest.fixture
def mixed_db(db_path: Path) -> Path:
    """echo (never solves) and oracle (solves 39 of 40 items, fails one) over 40 items; a replay run on one item
    (100%); batches b1 (both agents, 2 repeats), b2 (interrupted: cancelled attempts, then resumed), b3 (oracle
    again: up to 6 runs of an item across batches); b2 has an evaluator error."""
    runs: list[RunRecord] = []
    for rep in range(2):
        for i in range(40):
            runs.append(_run(f"b1-echo-{i}-{rep}", "b1", "echo", i, False, repeat=rep))
            runs.append(_run(f"b1-oracle-{i}-{rep}", "b1", "oracle", i, i != 7, repeat=rep))
    for i in range(40):
        runs.append(_run(f"b2-echo-{i}", "b2", "echo", i, False))
        guard = (
            [
                Evaluation(
                    evaluator_name="integrity_guard",
                    kind="hygiene",
                    weight=1.0,
                    score=None,
                    error="RuntimeError: guard bug",
                )
            ]
            if i == 3
            else []
        )
        runs.append(_run(f"b2-oracle-{i}", "b2", "oracle", i, i != 7 and i != 3, evaluations=guard))
    runs += [
        _run(f"b2-cancel-{i}", "b2", "oracle", i, False, status="cancelled", failure="cancelled") for i in range(2)
    ]
    for rep in range(3):
        runs += [_run(f"b3-oracle-{i}-{rep}", "b3", "oracle", i, i != 7, repeat=rep) for i in range(10)]
    runs.append(_run("replay-1", "b4", "replay", 0, True))
    runs.append(_run("infra-1", "b3", "oracle", 11, False, status="failed", failure="rate_limited", cost=None))
    with Store(db_path) as store:
        for batch, expected in (("b1", 160), ("b2", 80), ("b3", 31), ("b4", 1)):
            store.save_batch(
                BatchRecord(
                    batch_id=batch,
                    created_at=f"2026-11-0{batch[1]}T00:00:00Z",
                    expected_runs=expected,
                    completed_at=f"2026-11-0{batch[1]}T01:00:00Z",
                )
            )
        store.save_runs(runs)
    return db_path


def test_mixed_database_tie_groups_do_not_chain(mixed_db: Path) -> None:
    with Store(mixed_db) as store:
        rows = {r["agent"]: r for r in leaderboard(store.conn)}
    assert rows["replay"]["rank"] == 1
    assert rows["replay"]["tieGroup"] is None  # 1 item: not comparable
    assert rows["oracle"]["tieGroup"] == 1
    assert rows["echo"]["tieGroup"] == 2  # never tied through replay
    assert rows["echo"]["tieLeader"] == "echo"
    assert rows["oracle"]["tieLeader"] == "oracle"


def test_mixed_database_counts_repeats_and_pass_at_k(mixed_db: Path) -> None:
    with Store(mixed_db) as store:
        rows = {r["agent"]: r for r in leaderboard(store.conn)}
    oracle = rows["oracle"]
    # 2 + 1 (+ 3 for items 0-9, + 1 failed run of item 11) runs across batches; cancelled attempts are not runs
    assert (oracle["runsPerItemMin"], oracle["runsPerItemMax"], oracle["repeatsPerItem"]) == (3, 6, 6)
    assert oracle["runs"] == 80 + 40 + 30 + 1
    assert oracle["infraFailures"] == 1
    assert oracle["evaluatorErrorRuns"] == 1
    assert oracle["passAtKItems"] == {"1": 40, "2": 40, "3": 40, "4": 11, "5": 10, "6": 10}
    assert oracle["successRateInterval"] == "clustered"
    assert rows["echo"]["costPerSolvedUsd"] is None
    assert rows["echo"]["costUnknownRuns"] == 0  # $0, none solved
    summary = CliRunner().invoke(main, ["summary", "b2", "--db", str(mixed_db)])
    assert summary.exit_code == 0, summary.output
    assert "2 interrupted attempts are stored as cancelled" in summary.output
    assert "integrity_guard failed in 1 run" in summary.output
    assert "RuntimeError: guard bug" in summary.output
    assert "Batch b2: complete" in summary.output
    detail = json.loads(CliRunner().invoke(main, ["summary", "b2", "--db", str(mixed_db), "--json"]).output)
    d = detail["denominators"]
    assert (
        d["runs"],
        d["completedRuns"],
        d["successfulRuns"],
        d["cancelledAttempts"],
        d["evaluatorErrorRuns"],
        d["complete"],
    ) == (80, 80, 38, 2, 1, True)


def test_mixed_database_comparisons_are_per_configuration(mixed_db: Path, tmp_path: Path) -> None:
    refused = CliRunner().invoke(main, ["compare", "b1", "b2", "--db", str(mixed_db)])
    assert refused.exit_code == 2
    assert "holds 2 configurations" in refused.output
    junit = tmp_path / "j.xml"
    # 100% against 0% on the same items: every item a failing case, and the overall case
    result = CliRunner().invoke(
        main,
        [
            "compare",
            "batchId=b1,agent=oracle",
            "batchId=b1,agent=echo",
            "--db",
            str(mixed_db),
            "--junit",
            str(junit),
            "--json",
        ],
    )
    assert result.exit_code == 0, result.output
    body = json.loads(result.output)
    assert len(body["itemOutcomes"]["regressed"]) == 39
    assert body["itemOutcomes"]["stayedFailed"] == ["suite3/scenario-07/L1"]
    text = junit.read_text()
    assert text.count("<testcase") == 41
    assert text.count("<failure") == 40
    assert 'failures="40"' in text
    assert not body["pooled"]
    assert "success rates" in body["pairing"]


def test_mixed_database_site_tells_the_same_story(mixed_db: Path, tmp_path: Path) -> None:
    out = tmp_path / "site"
    build_site(mixed_db, out)
    agents = (out / "agents.html").read_text()
    assert "one run per item" not in agents.split("oracle", 1)[1].split("</tr>", 1)[0]
    assert "pass@6" in agents
    assert "(10 items)" in agents
    figures = _figures(out / "index.html")
    assert [r["tieGroup"] for r in figures["leaderboard"]] == [None, 1, 2]
    batches = {b["batchId"]: b for b in figures["batches"]}
    assert batches["b2"]["complete"] is True
    assert batches["b2"]["cancelledAttempts"] == 2
    index, listing = (out / "index.html").read_text(), (out / "batches.html").read_text()
    assert "not completed" not in index + listing
    costs = (out / "costs.html").read_text()
    assert "$0.0000" in costs
    assert 'title="no judge ran for this configuration"' in costs
    batch = (out / "batches/b2.html").read_text()
    assert "Evaluator errors" in batch
    assert "RuntimeError: guard bug" in batch
    for spec in re.findall(r'<script type="application/json" id="spec-[a-z]+">(.*?)</script>', batch):
        chart = json.loads(spec)
        for layer in chart.get("layer", [chart]):
            for channel in ("x", "y"):
                enc = layer.get("encoding", {}).get(channel, {})
                if enc.get("axis", {}).get("format") == "%":
                    assert enc["scale"]["domain"] == [0, 1]  # rates on a 0-100% axis


def _figures(page: Path) -> Any:
    match = re.search(r'<script type="application/json" id="page-figures">(.*?)</script>', page.read_text(), re.DOTALL)
    assert match
    return json.loads(match.group(1))
