"""Issue 26 point 6: what a daily user looks for in the terminal. `zebench batches`, `zebench show RUN_ID`, where to
look next at the end of a batch's summary, why a batch's runs were not successful (one store query for the summary,
the API and the batch page) and the echo baseline beside the scores.

The batch is real: echo, oracle and an agent that crashes on three small scenarios, one of them with an LLM judge
(the real SDK against the fake server) that never gives a usable answer."""

from __future__ import annotations

import asyncio
import json
import re
import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from tests.conftest import SCENARIO_YAML, make_scenario, write
from zebench.agents import Agent, AgentResult, AgentTask, register_agent
from zebench.cli import main
from zebench.execution.request import RunRequest, run_request
from zebench.io.serve import make_datasette
from zebench.models import BatchRecord
from zebench.site import build_site
from zebench.store import Store, open_for_reading, query_echo_baseline, query_unsuccessful
from zebench.testing import FakeModelServer
from zebench.testing.fakes import tool_use

BATCH = "daily-batch"
NOTES_YAML = """
id: notes
suite: demo
title: "Tests pass already; the task is a notes file"
timeout_minutes: 1
validation:
  commands:
    test: "python -m unittest discover -s tests -t . -q"
heuristic_checks:
  enabled: true
  files:
    - {name: notes-written, path: "NOTES.md"}
"""
JUDGED_YAML = SCENARIO_YAML.format(name="judged", suite="demo") + (
    'llm_judge: {enabled: true, categories: ["Correctness (60%): right", "Clarity (40%): clear"]}\n'
)


class _Crashing(Agent):
    name = "crashing"
    description = "Raises before doing anything."

    async def run(self, task: AgentTask, tools: Any) -> AgentResult:
        raise RuntimeError("the agent fell over")


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, Path]]:
    """The database (one batch of 9 runs) and the suites."""
    root = tmp_path_factory.mktemp("daily")
    suites = root / "suites"
    make_scenario(suites, name="add")
    notes = make_scenario(suites, name="notes", yaml_text=NOTES_YAML)
    write(notes / "repo-fixture/calc.py", "def add(a, b):\n    return a + b\n")  # its tests pass untouched
    write(notes / "solution/NOTES.md", "done\n")
    make_scenario(suites, name="judged", yaml_text=JUDGED_YAML)
    register_agent(_Crashing.name, _Crashing)
    db = root / "z.db"
    with pytest.MonkeyPatch.context() as mp, FakeModelServer() as server:
        mp.setenv("ANTHROPIC_API_KEY", "sk-ant-test-key")
        mp.setenv("ANTHROPIC_BASE_URL", server.url)
        # a category missing from every answer: the judge fails (an evaluator error), never a silent 0
        server.default_anthropic = lambda body: tool_use(
            ("submit_evaluation", {"scores": [{"category": "Correctness", "score": 5, "reasoning": "ok"}]})
        )
        result = run_request(
            RunRequest(
                agents=["echo", "oracle", "crashing"],
                suites_dir=suites,
                db_path=db,
                sandbox="none",
                batch_id=BATCH,
                concurrency=2,
            )
        )
    assert len(result.records) == 9
    yield db, suites


def invoke(*args: str) -> Result:
    return CliRunner().invoke(main, list(args))


def text(result: Result) -> str:
    return " ".join(result.output.split())


# -- why runs were not successful -------------------------------------------------------------------------------


def test_each_cause_of_unsuccessful_runs_per_configuration(data: tuple[Path, Path]) -> None:
    db, _ = data
    with open_for_reading(db) as store:
        causes = query_unsuccessful(store.conn, BATCH)
        crashed = store.conn.execute(
            "SELECT failure_category FROM benchmark_runs WHERE agent = 'crashing' LIMIT 1"
        ).fetchone()[0]
    found = {(c["agent"], c["kind"], c["name"]): c for c in causes}
    assert set(found) == {
        ("crashing", "failure", crashed),  # the run failed: its category
        ("echo", "gate", "test"),  # add: the tests still fail
        ("echo", "check", "notes-written"),  # notes: the tests pass, the task's check does not
        ("echo", "error", "llm_judge"),  # judged: the judge failed (and the gate too: both causes)
        ("echo", "gate", "test"),
        ("oracle", "error", "llm_judge"),  # the oracle succeeds but where the judge failed
    }
    assert found[("crashing", "failure", crashed)]["runs"] == 3
    assert "the agent fell over" in (found[("crashing", "failure", crashed)]["example"] or "")
    assert found[("echo", "gate", "test")]["runs"] == 2  # add and judged
    assert "python -m unittest" in (found[("echo", "gate", "test")]["example"] or "")
    assert found[("echo", "check", "notes-written")]["example"] == "NOTES.md does not exist"
    assert "Clarity" in (found[("oracle", "error", "llm_judge")]["example"] or "")
    with open_for_reading(db) as store:  # a successful run has none; an unsuccessful one its own
        runs = dict(store.conn.execute("SELECT scenario || '/' || agent, run_id FROM benchmark_runs"))
        assert query_unsuccessful(store.conn, run_id=runs["notes/oracle"]) == []
        (own,) = query_unsuccessful(store.conn, run_id=runs["notes/echo"])
    assert (own["kind"], own["name"], own["runs"]) == ("check", "notes-written", 1)


def test_the_summary_the_api_and_the_batch_page_show_the_same_causes(data: tuple[Path, Path], tmp_path: Path) -> None:
    db, _ = data
    with open_for_reading(db) as store:
        causes = query_unsuccessful(store.conn, BATCH)
    summary = invoke("summary", BATCH, "--db", str(db), "--json")
    assert json.loads(summary.output)["breakdowns"]["unsuccessful"] == causes
    ds = make_datasette(db)

    async def get() -> Any:
        return (await ds.client.get(f"/api/v2/batches/{BATCH}?runs=0")).json()

    assert asyncio.run(get())["breakdowns"]["unsuccessful"] == causes
    build_site(db, tmp_path / "site")
    assert json.loads((tmp_path / f"site/api/v2/batches/{BATCH}.json").read_text())["breakdowns"]["unsuccessful"] == (
        causes
    )
    page = (tmp_path / f"site/batches/{BATCH}.html").read_text()
    section = page[
        page.index('<section id="unsuccessful">') : page.index("</section>", page.index('id="unsuccessful"'))
    ]
    rows = re.findall(r"<tr><td>(.*?)</td><td>(.*?)</td><td><code>(.*?)</code></td><td class=\"n\">(\d+)</td>", section)
    assert sorted((a, n, int(r)) for a, _, n, r in rows) == sorted((c["agent"], c["name"], c["runs"]) for c in causes)
    printed = text(invoke("summary", BATCH, "--db", str(db)))
    assert "Why runs were not successful" in printed
    assert "heuristic check notes-written failed │ 1 │ NOTES.md does not exist" in printed
    assert "gate test did not hold │ 2 │ python -m unittest" in printed


# -- where to look next ---------------------------------------------------------------------------------------------


def test_the_summary_says_where_to_look_next(data: tuple[Path, Path], tmp_path: Path) -> None:
    db, suites = data
    printed = invoke("summary", BATCH, "--db", str(db)).output
    shown = re.search(r"zebench show (\S+) --db", printed)
    assert shown, printed
    with sqlite3.connect(db) as conn:  # an unsuccessful run of the batch: the one worth a look
        assert conn.execute("SELECT is_successful FROM benchmark_runs WHERE run_id = ?", (shown[1],)).fetchone() == (0,)
    assert f"zebench batches --db {db}" in printed
    assert f"zebench serve --db {db} --site" in printed
    assert "zebench build-site" in printed
    # the end of `zebench run` is the same summary
    ran = invoke(
        "run",
        "demo/notes",
        "-a",
        "oracle",
        "--suites-dir",
        str(suites),
        "--db",
        str(tmp_path / "r.db"),
        "--sandbox",
        "none",
    )
    assert ran.exit_code == 0, ran.output
    assert "Look next:" in ran.output
    assert "zebench show " in ran.output


# -- zebench batches -------------------------------------------------------------------------------------------------


def test_batches_lists_newest_first_with_counts_and_status(data: tuple[Path, Path], tmp_path: Path) -> None:
    db, _ = data
    copy = tmp_path / "b.db"
    with open_for_reading(db) as source, sqlite3.connect(copy) as target:
        source.conn.backup(target)
    now = datetime.now(UTC)
    with Store(copy) as store:  # a batch that stopped long ago with runs missing, and one started just now
        old = (now - timedelta(days=3)).isoformat().replace("+00:00", "Z")
        store.save_batch(BatchRecord(batch_id="stopped", created_at=old, expected_runs=4))
        store.save_batch(
            BatchRecord(batch_id="just-started", created_at=now.isoformat().replace("+00:00", "Z"), expected_runs=2)
        )
    result = invoke("batches", "--db", str(copy), "--json")
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)
    by_id = {r["batchId"]: r for r in rows}
    assert [r["batchId"] for r in rows] == sorted(by_id, key=lambda b: by_id[b]["createdAt"], reverse=True)
    daily = by_id[BATCH]
    assert (daily["runs"], daily["expectedRuns"], daily["successfulRuns"], daily["status"]) == (9, 9, 2, "complete")
    assert {(c["agent"], c["model"]) for c in daily["configurations"]} == {
        ("crashing", None),
        ("echo", None),
        ("oracle", None),
    }
    assert (by_id["stopped"]["status"], by_id["just-started"]["status"]) == ("incomplete", "running")
    table = text(invoke("batches", "--db", str(copy)))
    assert f"{BATCH} │" in table
    assert "crashing, echo, oracle │ 9 of 9 │ 2 │ complete" in table
    assert "0 of 4 │ 0 │ incomplete" in table
    # filters like the leaderboard's: batches with runs of that agent; since/until on the creation time
    only = json.loads(invoke("batches", "--db", str(copy), "--filter", "agent=oracle", "--json").output)
    assert [r["batchId"] for r in only] == [BATCH]
    recent = invoke("batches", "--db", str(copy), "--filter", f"since={(now - timedelta(days=1)).date()}", "--json")
    assert "stopped" not in {r["batchId"] for r in json.loads(recent.output)}
    none = invoke("batches", "--db", str(copy), "--filter", "agent=nobody")
    assert none.exit_code == 1
    assert "No batches matching --filter agent=nobody" in none.output
    bad = invoke("batches", "--db", str(copy), "--filter", "colour=red")
    assert bad.exit_code == 2
    assert "valid keys" in bad.output
    assert len(json.loads(invoke("batches", "--db", str(copy), "--limit", "1", "--json").output)) == 1


# -- zebench show --------------------------------------------------------------------------------------------------


def test_show_a_run_its_stages_checks_failure_and_page(data: tuple[Path, Path], tmp_path: Path) -> None:
    db, _ = data
    with sqlite3.connect(db) as conn:
        runs = dict(conn.execute("SELECT scenario || '/' || agent, run_id FROM benchmark_runs"))
        row_id = conn.execute("SELECT id FROM benchmark_runs WHERE run_id = ?", (runs["notes/echo"],)).fetchone()[0]
    site = tmp_path / "site"
    printed = text(invoke("show", runs["notes/echo"], "--db", str(db), "--site", str(site)))
    assert f"Run {runs['notes/echo']}: demo/notes L1, echo, batch {BATCH}" in printed
    assert "not successful" in printed
    assert "Why it is not successful: - heuristic check notes-written failed: NOTES.md does not exist" in printed
    for stage in ("setup", "workspace", "agent", "validation", "evaluation"):
        assert re.search(rf"│ {stage} +│ +\d+\.\d\d s │", printed), stage
    assert "│ fail │ notes-written │ file │ 1 │ NOTES.md does not exist │" in printed  # the check and its message
    assert "│ pass │ test │ task │ 3 │ 1.00 │ python -m unittest" in printed  # each evaluator, with its message
    assert "Findings (0): none" in printed
    assert f"not in {site} yet (zebench build-site builds it)" in printed
    assert f"http://127.0.0.1:8001/-/site/run.html?id={runs['notes/echo']}&c={row_id // 100}" in printed
    build_site(db, site)
    printed = text(invoke("show", runs["notes/echo"], "--db", str(db), "--site", str(site)))
    assert f"Its page: {site}/run.html?id={runs['notes/echo']}&c={row_id // 100}" in printed
    crashed = text(invoke("show", runs["add/crashing"], "--db", str(db)))
    assert "Failure:" in crashed
    assert "the agent fell over" in crashed
    as_json = json.loads(invoke("show", runs["judged/oracle"], "--db", str(db), "--json").output)
    assert as_json["run"]["runId"] == runs["judged/oracle"]
    assert [c["name"] for c in as_json["unsuccessful"]] == ["llm_judge"]
    judge = next(e for e in as_json["evaluations"] if e["evaluatorName"] == "llm_judge")
    assert "Clarity" in judge["error"]
    assert as_json["pages"]["api"] == f"http://127.0.0.1:8001/api/v2/runs/{runs['judged/oracle']}"
    missing = invoke("show", "no-such-run", "--db", str(db))
    assert missing.exit_code == 2
    assert "no run 'no-such-run'" in missing.output


# -- the echo baseline ----------------------------------------------------------------------------------------------


def _echo_mean(db: Path, where: str = "1") -> float:
    """Echo's mean weighted score over the items of the oracle, from the stored runs (per item, then over items)."""
    with sqlite3.connect(db) as conn:
        items = conn.execute(
            "SELECT AVG(weighted_score) FROM benchmark_runs WHERE agent = 'echo' AND status != 'cancelled' "
            f"AND {where} GROUP BY suite, scenario, tier"
        ).fetchall()
    return float(sum(score for (score,) in items) / len(items))


def test_scores_beside_what_echo_gets_on_the_same_items(data: tuple[Path, Path], tmp_path: Path) -> None:
    db, suites = data
    expected = _echo_mean(db)
    with open_for_reading(db) as store:
        baseline = {b["agent"]: b for b in query_echo_baseline(store.conn, {"batchId": BATCH})}
    oracle = baseline["oracle"]
    assert (oracle["items"], oracle["echoItems"], oracle["echoRuns"], oracle["source"]) == (3, 3, 3, "selection")
    assert oracle["echoMeanScore"] == pytest.approx(expected)
    assert "echo" not in baseline  # the baseline itself
    summary = text(invoke("summary", BATCH, "--db", str(db)))
    assert (
        f"oracle: mean score 10.0/10 against {expected:.1f}/10 for echo (changes nothing) on the same items, "
        "from this batch's echo runs" in summary
    )
    board = invoke("leaderboard", "--db", str(db), "--json")
    rows = {r["agent"]: r for r in json.loads(board.output)}
    assert rows["oracle"]["echoBaseline"]["echoMeanScore"] == pytest.approx(expected)
    assert rows["echo"]["echoBaseline"] is None
    table = text(invoke("leaderboard", "--db", str(db)))
    assert "echo /10: what the echo agent (it changes nothing) scores on the same items" in table
    assert f"│ {expected:.2f} " in table  # the oracle's row
    assert "│ baseline " in table
    # a batch without echo runs is measured against the database's echo runs on its items
    other = tmp_path / "other.db"
    with open_for_reading(db) as source, sqlite3.connect(other) as target:
        source.conn.backup(target)
    ran = invoke(
        "run", "demo/notes", "-a", "oracle", "--suites-dir", str(suites), "--db", str(other), "--sandbox", "none",
        "--batch-id", "oracle-only",
    )  # fmt: skip
    notes_echo = _echo_mean(other, "scenario = 'notes'")
    assert (
        f"against {notes_echo:.1f}/10 for echo (changes nothing) on the same items, from echo runs of other batches"
        in (text(ran))
    )
    # no echo run on the items at all: said, never a silent blank
    alone = tmp_path / "alone.db"
    ran = invoke(
        "run", "demo/notes", "-a", "oracle", "--suites-dir", str(suites), "--db", str(alone), "--sandbox", "none"
    )
    assert "no echo baseline: no echo run on its items" in text(ran)
    assert "No echo baseline" in text(invoke("leaderboard", "--db", str(alone)))
    build_site(alone, tmp_path / "alone-site")
    assert "No echo baseline" in (tmp_path / "alone-site/index.html").read_text()
    build_site(db, tmp_path / "site")
    dashboard = (tmp_path / "site/index.html").read_text()
    assert f'<td class="n">{expected:.2f}</td>' in dashboard  # beside the oracle's score
