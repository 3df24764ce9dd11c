"""Issue 26 point 4: a judge without its key. When a selected scenario enables the LLM judge and its provider's key
is missing, `zebench run` stops before the batch starts, with one error naming --no-judge and ZEBENCH_RUN_JUDGE=0,
and writes nothing (no batch row, no database file); remote workers check their own environment."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from tests.conftest import SCENARIO_YAML, make_scenario
from zebench.catalog import Catalog
from zebench.cli import main
from zebench.execution.batch import BatchError, BatchPlan
from zebench.execution.executors.remote import PreparedBatch, batch_package
from zebench.execution.request import RunRequest, run_request
from zebench.execution.runner import RunOptions
from zebench.models import BatchRecord, utc_now
from zebench.store import Store
from zebench.testing import FakeModelServer
from zebench.testing.fakes import tool_use

KEYS = ("ANTHROPIC_API_KEY", "OPENROUTER_API_KEY", "ZEBENCH_RUN_JUDGE", "ZEBENCH_RUN_JUDGE_PROVIDER")
JUDGE_ANSWER = {
    "scores": [
        {"category": "Correctness", "score": 4, "reasoning": "ok"},
        {"category": "Clarity", "score": 5, "reasoning": "ok"},
    ],
    "overall_assessment": "fine",
}
JUDGE = 'llm_judge: {{enabled: true, {model}categories: ["Correctness (60%): right", "Clarity (40%): clear"]}}\n'


@pytest.fixture(autouse=True)
def no_keys(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in KEYS:
        monkeypatch.delenv(name, raising=False)


def judged_suites(root: Path, model: str | None = None) -> Path:
    """A bundled-style suite: "judged" enables the judge (with ``model``, else the default), "plain" does not."""
    yaml_text = SCENARIO_YAML.format(name="judged", suite="demo") + JUDGE.format(
        model=f"model: {model}, " if model else ""
    )
    make_scenario(root, name="judged", yaml_text=yaml_text)
    make_scenario(root, name="plain")
    return root


def invoke(*args: str) -> Result:
    return CliRunner().invoke(main, ["run", "-a", "echo", "--sandbox", "none", *args])


def test_a_judge_without_its_key_stops_the_batch_before_anything_is_written(tmp_path: Path) -> None:
    suites = judged_suites(tmp_path / "suites")
    db = tmp_path / "new.db"
    result = invoke("--suites-dir", str(suites), "--db", str(db))
    assert result.exit_code == 2, result.output
    message = " ".join(result.output.split())
    assert "the LLM judge needs ANTHROPIC_API_KEY (anthropic claude-sonnet-4-6), which is not set" in message
    assert "1 selected scenario enables it (demo/judged)" in message
    assert "--no-judge" in message
    assert "ZEBENCH_RUN_JUDGE=0" in message
    assert not db.exists()  # no database file when there was none
    assert list(tmp_path.iterdir()) == [tmp_path / "suites"]


def test_an_existing_database_gets_no_batch_row(tmp_path: Path, db_path: Path) -> None:
    suites = judged_suites(tmp_path / "suites")
    before = db_path.read_bytes()
    result = invoke("--suites-dir", str(suites), "--db", str(db_path), "--batch-id", "judged-batch")
    assert result.exit_code == 2, result.output
    with sqlite3.connect(db_path) as conn:
        assert conn.execute("SELECT COUNT(*) FROM batch_runs").fetchone()[0] == 0
        assert conn.execute("SELECT COUNT(*) FROM benchmark_runs").fetchone()[0] == 0
    assert db_path.read_bytes() == before


@pytest.mark.parametrize("off", [["--no-judge"], []])
def test_no_judge_or_the_variable_runs_the_batch(
    off: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    if not off:
        monkeypatch.setenv("ZEBENCH_RUN_JUDGE", "0")  # makes --no-judge the default, as the message says
    suites = judged_suites(tmp_path / "suites")
    db = tmp_path / "z.db"
    result = invoke("demo/judged", "--suites-dir", str(suites), "--db", str(db), *off)
    assert result.exit_code == 0, result.output
    with sqlite3.connect(db) as conn:
        row = conn.execute(
            "SELECT applicable, error FROM evaluation_results WHERE evaluator_name = 'llm_judge'"
        ).fetchone()
    assert tuple(row) == (0, None)  # turned off: not applicable, not an error


def test_only_the_selected_scenarios_that_enable_the_judge_need_its_key(tmp_path: Path) -> None:
    suites = judged_suites(tmp_path / "suites")
    db = tmp_path / "z.db"
    result = invoke("demo/plain", "--suites-dir", str(suites), "--db", str(db))
    assert result.exit_code == 0, result.output
    assert db.exists()


def test_auto_provider_resolution_decides_which_key(
    server: FakeModelServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The original's vendor/model ids go to OpenRouter (--judge-provider auto): that key is the one needed; with
    --judge-provider anthropic, Anthropic's key (set) is, and the batch runs with its judge."""
    suites = judged_suites(tmp_path / "suites", model="anthropic/claude-3.5-sonnet")
    monkeypatch.delenv("OPENROUTER_API_KEY")
    db = tmp_path / "z.db"
    request = RunRequest(selectors=["demo/judged"], suites_dir=suites, db_path=db, sandbox="none")
    with pytest.raises(BatchError, match=r"needs OPENROUTER_API_KEY \(openrouter anthropic/claude-3\.5-sonnet\)"):
        run_request(request)
    assert not db.exists()
    server.script_anthropic(tool_use(("submit_evaluation", JUDGE_ANSWER)))
    result = run_request(request.model_copy(update={"judge_provider": "anthropic"}))
    (record,) = result.records
    judge = next(e for e in record.evaluations if e.evaluator_name == "llm_judge")
    assert judge.applicable
    assert judge.error is None
    assert judge.details["provider"] == "anthropic"


def test_a_resumed_batch_is_checked_with_its_stored_plan(tmp_path: Path, db_path: Path) -> None:
    suites = judged_suites(tmp_path / "suites")
    plan = BatchPlan(suites_dir=str(suites), items=[("demo", "judged", "L1")], agents=["echo"])
    with Store(db_path) as store:
        store.save_batch(
            BatchRecord(batch_id="killed", created_at=utc_now(), expected_runs=1, metadata={"plan": plan.model_dump()})
        )
    request = RunRequest(resume="killed", db_path=db_path, sandbox="none")
    with pytest.raises(BatchError, match="needs ANTHROPIC_API_KEY") as caught:
        run_request(request)
    assert "--no-judge" in str(caught.value)
    with sqlite3.connect(db_path) as conn:
        assert conn.execute("SELECT COUNT(*) FROM benchmark_runs").fetchone()[0] == 0
    # a batch stored with the judge off resumes without the key
    off = plan.model_copy(update={"judge_settings": {"enabled": False}})
    with Store(db_path) as store:
        store.save_batch(
            BatchRecord(batch_id="no-judge", created_at=utc_now(), expected_runs=1, metadata={"plan": off.model_dump()})
        )
    assert len(run_request(RunRequest(resume="no-judge", db_path=db_path, sandbox="none")).records) == 1
    # a resume of a database that is not there says so and creates none
    missing = tmp_path / "missing.db"
    with pytest.raises(BatchError, match="no database at"):
        run_request(RunRequest(resume="killed", db_path=missing))
    assert not missing.exists()


def test_remote_workers_check_the_judge_key_in_their_own_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """--executor dask: the coordinator's environment does not matter (no check there); the batch package says
    which keys the judge needs and each worker reports the ones its environment lacks (before anything is run)."""
    suites = judged_suites(tmp_path / "suites")
    catalog = Catalog(suites)
    scenarios = [catalog.scenario("demo", "judged"), catalog.scenario("demo", "plain")]
    package = batch_package("b", RunOptions(), ["echo"], [], scenarios)
    assert package.judge_keys == {"ANTHROPIC_API_KEY": ["demo/judged"]}
    worker = PreparedBatch(package.from_bytes(package.to_bytes()), files_root=tmp_path / "files")
    (problem,) = worker.check_agents()
    assert "the LLM judge needs ANTHROPIC_API_KEY, which is not set in this worker's environment" in problem
    assert "--no-judge" in problem
    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-ant-test-key")
    assert worker.check_agents() == []
    off = batch_package("b", RunOptions(judge_settings={"enabled": False}), ["echo"], [], scenarios)
    assert off.judge_keys == {}


def test_the_originals_nextjs_suite_without_a_key(original_suites: Path, tmp_path: Path) -> None:
    """The user's case: the original's next.js scenarios enable the judge with anthropic/claude-3.5-sonnet."""
    db = tmp_path / "z.db"
    judged = sorted(
        p.parent.name
        for p in (original_suites / "next.js/scenarios").glob("*/scenario.yaml")
        if "enabled: true" in p.read_text().split("llm_judge:", 1)[-1][:200]
    )
    assert judged, "the original's next.js suite enables the judge"
    result = invoke("next.js", "-t", "L1", "--suites-dir", str(original_suites), "--db", str(db))
    assert result.exit_code == 2, result.output
    message = " ".join(result.output.split())
    assert "the LLM judge needs OPENROUTER_API_KEY (openrouter anthropic/claude-3.5-sonnet)" in message
    assert f"next.js/{judged[0]}" in message
    assert "--no-judge (ZEBENCH_RUN_JUDGE=0 makes --no-judge the default)" in message
    assert not db.exists()
