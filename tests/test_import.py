"""``zebench import`` and ``zebench export`` (docs/import.md): each format's inputs are made by the peer's own code
(tests/peers/), imported, and checked against the source's own figures; then idempotence, corrupt files,
redaction and host-path scrubbing, size caps, the statistics and the site on imported runs, and ATIF export."""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from tests.peers import formats
from zebench.cli import main
from zebench.io.importers import common
from zebench.store import Store


def run_cli(*args: str) -> Any:
    return CliRunner().invoke(main, list(args))


def rows(db: Path, sql: str, *params: Any) -> list[tuple[Any, ...]]:
    with sqlite3.connect(db) as conn:
        return conn.execute(sql, params).fetchall()


@pytest.fixture(scope="module")
def inspect_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("inspect") / "logs"
    formats.inspect_logs(out)
    return out


def eval_file(folder: Path) -> Path:
    (found,) = folder.glob("*.eval")
    return found


# -- Inspect AI -----------------------------------------------------------------------------------------------------


def test_inspect_log_imports_with_the_logs_own_counts(inspect_dir: Path, tmp_path: Path) -> None:
    from inspect_ai.log import read_eval_log

    log_path = eval_file(inspect_dir)
    log = read_eval_log(str(log_path))
    assert log.samples is not None
    db = tmp_path / "z.db"
    result = run_cli("import", str(log_path), "--db", str(db))
    assert result.exit_code == 0, result.output
    runs = rows(
        db,
        "SELECT scenario, repeat_index, status, failure_category, is_successful, agent, model, batch_id "
        "FROM benchmark_runs ORDER BY scenario, repeat_index",
    )
    assert len(runs) == len(log.samples) == 9
    # one run per sample x epoch; epochs are the repeats
    for sample in log.samples:
        (run,) = [r for r in runs if r[0] == str(sample.id) and r[1] == sample.epoch - 1]
        score = (sample.scores or {}).get("match")
        if sample.error is not None:
            assert run[2:5] == ("failed", "infrastructure", 0)
        else:
            assert score is not None
            assert run[4] == (score.value == "C")
    assert {r[5:7] for r in runs} == {(runs[0][5], "mockllm/model")}  # one configuration
    successes = sum(1 for s in log.samples if s.scores and s.scores["match"].value == "C")
    assert sum(r[4] for r in runs) == successes == 5
    (batch,) = rows(db, "SELECT batch_id, expected_runs, total_runs, successful_runs FROM batch_runs")
    assert batch[1:] == (9, 9, 5)
    # Inspect's accuracy (mean reducer: the mean over samples of each sample's mean over its scored epochs)
    per_item: dict[str, list[int]] = {}
    for scenario, _, status, _, ok, *_ in runs:
        if status == "completed":
            per_item.setdefault(scenario, []).append(ok)
    mean = sum(sum(v) / len(v) for v in per_item.values()) / len(per_item)
    assert log.results is not None
    assert mean == pytest.approx(log.results.scores[0].metrics["accuracy"].value)
    # transcripts: every message but the tool results (stored as the calls' outputs), every tool call
    (run_id,) = rows(db, "SELECT run_id FROM benchmark_runs WHERE scenario = 'a' AND repeat_index = 0")[0]
    sample = next(s for s in log.samples if s.id == "a" and s.epoch == 1)
    stored = rows(db, "SELECT role FROM run_messages WHERE run_id = ? ORDER BY seq", run_id)
    assert [r[0] for r in stored] == [m.role for m in sample.messages if m.role != "tool"]
    calls = rows(db, "SELECT name, input, output FROM run_tool_calls WHERE run_id = ?", run_id)
    assert calls == [("add", '{"x":1,"y":1}', "2")]
    # importing again changes nothing
    again = run_cli("import", str(log_path), "--db", str(db), "--json")
    assert again.exit_code == 0
    assert json.loads(again.output)["unchangedRuns"] == 9
    assert json.loads(again.output)["newRuns"] == json.loads(again.output)["updatedRuns"] == 0


def test_inspect_chunked_and_json_layouts_give_the_same_runs(inspect_dir: Path, tmp_path: Path) -> None:
    from inspect_ai.log import read_eval_log, write_eval_log

    json_log = tmp_path / "log.json"
    write_eval_log(read_eval_log(str(eval_file(inspect_dir))), str(json_log), format="json")
    figures = []
    for path in (eval_file(inspect_dir), eval_file(inspect_dir / "chunked"), json_log):
        db = tmp_path / f"{path.suffix}-{path.parent.name}.db"
        result = run_cli("import", str(path), "--db", str(db))
        assert result.exit_code == 0, result.output
        figures.append(
            rows(
                db,
                "SELECT r.run_id, status, is_successful, repeat_index, "
                "(SELECT count(*) FROM run_messages m WHERE m.run_id = r.run_id), "
                "(SELECT group_concat(output) FROM run_tool_calls c WHERE c.run_id = r.run_id) "
                "FROM benchmark_runs r ORDER BY run_id",
            )
        )
    assert figures[0] == figures[1] == figures[2]
    assert len(figures[0]) == 9


def test_a_truncated_log_is_named_and_nothing_of_it_is_stored(inspect_dir: Path, tmp_path: Path) -> None:
    good = eval_file(inspect_dir)
    data = good.read_bytes()
    bad = tmp_path / "cut" / "truncated.eval"
    bad.parent.mkdir()
    bad.write_bytes(data[: len(data) // 2])
    tb = tmp_path / "tb"
    formats.tb_run(tb)
    db = tmp_path / "z.db"
    result = run_cli("import", str(bad), str(tb), "--db", str(db))
    assert result.exit_code == 1
    assert str(bad) in result.output
    # the other source is stored, nothing of the truncated one
    assert rows(db, "SELECT count(*) FROM benchmark_runs WHERE run_id LIKE 'inspect-%'") == [(0,)]
    assert rows(db, "SELECT count(*) FROM batch_runs WHERE batch_id LIKE 'inspect-%'") == [(0,)]
    assert rows(db, "SELECT count(*) FROM benchmark_runs WHERE run_id LIKE 'terminal-bench-%'") == [(6,)]


def test_imported_text_is_redacted_scrubbed_and_capped(inspect_dir: Path, tmp_path: Path) -> None:
    db = tmp_path / "z.db"
    assert run_cli("import", str(eval_file(inspect_dir)), "--db", str(db)).exit_code == 0
    dump = "\n".join(
        str(r)
        for table in ("benchmark_runs", "run_messages", "run_tool_calls", "evaluation_results")
        for r in rows(db, f"SELECT * FROM {table}")
    )
    assert "sk-ant-api03-" + "x" * 40 not in dump  # the key in the model's answers
    assert "[REDACTED" in dump
    assert "/home/alice" not in dump
    assert "alice" not in dump
    assert "~/secret-project/a.py" in dump
    # caps: a long text is cut as zebench's own transcripts cut it
    builder = common.TranscriptBuilder()
    builder.message("assistant", "y" * (common.TEXT_CAP + 10), [("c1", "bash", {"command": "z" * 100_000})])
    builder.result("c1", "o" * 100_000)
    transcript = builder.build()
    assert transcript is not None
    assert len(transcript["messages"][0]["content"][0]["text"]) < common.TEXT_CAP + 100
    assert len(transcript["toolCalls"][0]["output"]) < common.TEXT_CAP + 100
    assert len(transcript["toolCalls"][0]["input"]["command"]) < common.TEXT_CAP + 100


def test_caps_are_zebenchs_own() -> None:
    from zebench.run import tools, workspace

    assert common.TEXT_CAP == tools.TRANSCRIPT_OUTPUT_LIMIT
    assert common.PATCH_CAP == workspace.PATCH_LIMIT_PER_FILE
    assert common.PATCH_TOTAL_CAP == workspace.PATCH_LIMIT_TOTAL


def test_host_paths_are_scrubbed() -> None:
    scrub = common.Scrubber(None)
    assert scrub.text("open /home/bob/x.py and /Users/Eve/y and /root/.ssh and C:\\Users\\mallory\\z") == (
        "open ~/x.py and ~/y and ~/.ssh and ~\\z"
    )
    assert scrub.text("/usr/lib/python3 and /homework") == "/usr/lib/python3 and /homework"


@pytest.mark.parametrize(
    "path",
    ["/home/bob/x.py", "/Users/Eve/y", "/root/.ssh", "C:\\Users\\mallory\\z", str(Path.cwd() / "secret-project")],
)
def test_host_paths_deep_in_a_record_are_scrubbed(path: str) -> None:
    scrub = common.Scrubber(None)
    clean = {"messages": [{"role": "tool", "content": "ok /usr/lib and /homework"}], "n": 3, "x": None}
    assert scrub.value(clean) == clean  # nothing to scrub: the same value
    record = {"messages": [{"role": "tool", "content": [{"text": f"cat {path}"}]}], path: {"k": [1, f"at {path}"]}}
    scrubbed = json.dumps(scrub.value(record))
    assert json.dumps(path)[1:-1] not in scrubbed
    assert scrubbed.count("cat ") == 1


def test_a_source_folder_with_non_ascii_letters_is_scrubbed_deep_in_a_record(tmp_path: Path) -> None:
    root = tmp_path / "données"
    root.mkdir()
    scrubbed = common.Scrubber(root).value({"messages": [{"content": f"wrote {root}/out.txt"}]})
    assert scrubbed == {"messages": [{"content": "wrote <source>/out.txt"}]}


# -- Harbor ---------------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def harbor_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    job = tmp_path_factory.mktemp("harbor") / "demo-job"
    cache = Path.home() / ".cache" / "zebench" / "test-peers"
    cache.mkdir(parents=True, exist_ok=True)
    formats.harbor_job(job, cache)
    return job


def test_harbor_job_imports_rewards_exceptions_attempts_and_trajectories(harbor_dir: Path, tmp_path: Path) -> None:
    db = tmp_path / "z.db"
    result = run_cli("import", str(harbor_dir), "--db", str(db))
    assert result.exit_code == 0, result.output
    runs = {
        (r[0], r[1]): r[2:]
        for r in rows(
            db,
            "SELECT scenario, repeat_index, status, failure_category, is_successful, weighted_score "
            "FROM benchmark_runs",
        )
    }
    assert runs == {
        ("hello", 0): ("completed", None, 1, 10.0),
        ("hello", 1): ("completed", None, 0, 0.0),  # AgentTimeoutError: Harbor grades it (its reward is valid)
        ("fix", 0): ("completed", None, 1, 10.0),
        ("env", 0): ("failed", "infrastructure", 0, None),  # SandboxBuildFailedError: the environment's
        ("limit", 0): ("failed", "rate_limited", 0, None),  # ApiRateLimitError: the provider's
    }
    # Harbor's own figures: n_total_trials is the batch's expected runs; its mean reward over the trials with a
    # valid reward is successful / completed
    job = json.loads((harbor_dir / "result.json").read_text())
    (batch,) = rows(db, "SELECT expected_runs, total_runs, successful_runs, infra_failed_runs FROM batch_runs")
    assert batch == (job["n_total_trials"], 5, 2, 2)
    if json.loads((harbor_dir / "config.json").read_text())["HARBOR_MODELS"]:
        (stats,) = job["stats"]["evals"].values()
        assert stats["n_trials"] == 3  # trials with a valid reward = completed runs
        assert len(stats["reward_stats"]["reward"]["1.0"]) == 2
    (agents,) = rows(db, "SELECT count(DISTINCT agent || model) FROM benchmark_runs")
    assert agents == (1,)
    (telemetry,) = rows(
        db,
        "SELECT t.tokens_in, t.cache_read_tokens, t.tokens_out, t.cost_usd, t.stage_ms "
        "FROM run_telemetry t JOIN benchmark_runs r USING (run_id) WHERE r.scenario = 'fix'",
    )
    assert telemetry[:4] == (2400, 200, 120, 0.0123)
    assert json.loads(telemetry[4]) == {"workspace": 10000, "setup": 5000, "agent": 25000, "validation": 10000}
    calls = rows(
        db,
        "SELECT c.name, c.input, c.output FROM run_tool_calls c JOIN benchmark_runs r USING (run_id) "
        "WHERE r.scenario = 'fix'",
    )
    assert calls == [("bash", '{"command":"ls"}', "main.py\nREADME.md")]
    assert "bob" not in str(rows(db, "SELECT content FROM run_messages"))
    again = json.loads(run_cli("import", str(harbor_dir), "--db", str(db), "--json").output)
    assert again["unchangedRuns"] == 5


def test_a_changed_trial_is_updated_and_a_corrupt_one_rejected(harbor_dir: Path, tmp_path: Path) -> None:
    job = tmp_path / "job"
    shutil.copytree(harbor_dir, job)
    db = tmp_path / "z.db"
    assert run_cli("import", str(job), "--db", str(db)).exit_code == 0
    (fix,) = [p for p in job.iterdir() if p.name.startswith("fix__")]
    doc = json.loads((fix / "result.json").read_text())
    doc["verifier_result"]["rewards"]["reward"] = 0.0
    (fix / "result.json").write_text(json.dumps(doc))
    (env,) = [p for p in job.iterdir() if p.name.startswith("env__")]
    (env / "result.json").write_text('{"trial_name": "env", ')
    result = run_cli("import", str(job), "--db", str(db), "--json")
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert (report["updatedRuns"], report["unchangedRuns"], report["rejectedFiles"]) == (1, 3, 1)
    assert str(env / "result.json") in report["sources"][0]["problems"][0]
    assert rows(db, "SELECT is_successful FROM benchmark_runs WHERE scenario = 'fix'") == [(0,)]


# -- Terminal-Bench ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("trial_files", "run_files"), [(True, True), (True, False), (False, True)], ids=["both", "trials", "run-level"]
)
def test_terminal_bench_run_counts_equal_its_accuracy(tmp_path: Path, trial_files: bool, run_files: bool) -> None:
    run = tmp_path / formats.TB_RUN_ID
    trials = formats.tb_run(run, trial_files=trial_files, run_files=run_files)
    db = tmp_path / "z.db"
    result = run_cli("import", str(run), "--db", str(db))
    assert result.exit_code == 0, result.output
    got = rows(
        db,
        "SELECT scenario, repeat_index, status, failure_category, is_successful FROM benchmark_runs "
        "ORDER BY scenario, repeat_index",
    )
    assert len(got) == len(trials) == 6  # a trial in both files counted once
    resolved = sum(1 for t in trials if t["is_resolved"])
    assert sum(r[4] for r in got) == resolved
    # Terminal-Bench's accuracy (resolved / trials) is zebench's success rate (successful / runs)
    (counted,) = rows(db, "SELECT sum(successful) * 1.0 / count(*) FROM runs_counted")
    assert counted[0] == pytest.approx(resolved / len(trials))
    assert ("fix-git", 0, "completed", None, 1) in got  # agent timeout, yet resolved: counted as Terminal-Bench does
    assert ("fix-git", 1, "timeout", "timeout", 0) in got  # the agent's failure, not infrastructure
    assert ("broken-tests", 0, "failed", "validation", 0) in got
    checks = rows(
        db,
        "SELECT details FROM evaluation_results e JOIN benchmark_runs r USING (run_id) "
        "WHERE r.scenario = 'hello-world' AND r.repeat_index = 1",
    )
    assert json.loads(checks[0][0])["checks"] == [
        {"name": "test_a", "passed": True},
        {"name": "test_b", "passed": False},
    ]


# -- SWE-bench --------------------------------------------------------------------------------------------------------


def test_swebench_reports_and_summary(tmp_path: Path) -> None:
    pytest.importorskip("swebench", reason="swebench is in the test extra")
    root = tmp_path / "work"
    root.mkdir()
    model_dir = formats.swebench_run(root)
    summary = json.loads((root / f"{formats.SWE_MODEL.replace('/', '__')}.{formats.SWE_RUN}.json").read_text())
    db = tmp_path / "z.db"
    result = run_cli("import", str(root / "logs"), "--db", str(db))
    assert result.exit_code == 0, result.output
    got = {
        r[0]: r[1:]
        for r in rows(db, "SELECT scenario, status, failure_category, is_successful, has_diff FROM benchmark_runs")
    }
    assert set(got) == set(summary["submitted_ids"])
    assert sum(r[2] for r in got.values()) == summary["resolved_instances"]
    assert got["demo__repo-3"][:2] == ("failed", "infrastructure")
    assert got["demo__repo-4"][:2] == ("failed", "agent")  # the empty patch
    (batch,) = rows(db, "SELECT expected_runs, successful_runs FROM batch_runs")
    assert batch == (summary["total_instances"], summary["resolved_instances"])
    diff = rows(
        db,
        "SELECT path, change, additions, deletions, patch FROM run_diff_files d "
        "JOIN benchmark_runs r USING (run_id) WHERE r.scenario = 'demo__repo-1'",
    )
    assert diff[0][:4] == ("src/demo__repo-1.py", "modified", 1, 1)
    assert "dave" not in diff[0][4]
    f2p = rows(db, "SELECT score, details FROM evaluation_results WHERE evaluator_name = 'swe-bench:FAIL_TO_PASS'")
    assert sorted(r[0] for r in f2p) == [0.0, 1.0]
    # the summary alone (a leaderboard's published results): the same verdicts
    alone = tmp_path / "alone.db"
    summary_file = root / f"{formats.SWE_MODEL.replace('/', '__')}.{formats.SWE_RUN}.json"
    assert run_cli("import", str(summary_file), "--db", str(alone)).exit_code == 0
    assert rows(alone, "SELECT sum(is_successful), count(*) FROM benchmark_runs") == [(1, 4)]
    assert model_dir.is_dir()


# -- the statistics, the site, mapping, export -------------------------------------------------------------------------


def test_mapping_file_pairs_imported_runs_with_zebench_scenarios(tmp_path: Path) -> None:
    run = tmp_path / "tb"
    formats.tb_run(run)
    mapping = tmp_path / "map.yaml"
    mapping.write_text(
        "tier: L1\nscenarios:\n  hello-world: fix-tests/failing-test\n  fix-git: refactor/extract-config\n"
        "onlyMapped: true\n"
    )
    db = tmp_path / "z.db"
    result = run_cli("import", str(run), "--db", str(db), "--mapping", str(mapping), "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["sources"][0]["skippedTrials"] == 2
    assert sorted(set(rows(db, "SELECT suite, scenario, tier FROM benchmark_runs"))) == [
        ("fix-tests", "failing-test", "L1"),
        ("refactor", "extract-config", "L1"),
    ]
    bad = tmp_path / "bad.yaml"
    bad.write_text("scenario: {}\n")
    result = run_cli("import", str(run), "--db", str(tmp_path / "other.db"), "--mapping", str(bad))
    assert result.exit_code == 2
    assert "unknown key" in result.output
    assert not (tmp_path / "other.db").exists()


def test_statistics_and_site_work_on_imported_runs(harbor_dir: Path, tmp_path: Path) -> None:
    db = tmp_path / "z.db"
    run = tmp_path / "tb"
    formats.tb_run(run)
    assert run_cli("import", str(run), str(harbor_dir), "--db", str(db)).exit_code == 0
    board = run_cli("leaderboard", "--db", str(db), "--json")
    assert board.exit_code == 0, board.output
    data = json.loads(board.output)
    entries = data["rows"] if isinstance(data, dict) and "rows" in data else data
    text = json.dumps(entries)
    assert "terminus+" in text
    assert "terminus-2@2.0.0+" in text
    tb = rows(db, "SELECT batch_id FROM batch_runs WHERE batch_id LIKE 'tb-%'")[0][0]
    summary = run_cli("summary", tb, "--db", str(db))
    assert summary.exit_code == 0, summary.output
    site = tmp_path / "site"
    built = run_cli("build-site", "--db", str(db), "--out", str(site))
    assert built.exit_code == 0, built.output
    (run_id,) = rows(db, "SELECT run_id FROM benchmark_runs r WHERE scenario = 'fix' AND has_transcript = 1")[0]
    assert any(run_id in p.read_text(errors="replace") for p in (site / "api" / "v2" / "runs").rglob("*.json"))


def test_export_writes_atif_trajectories(harbor_dir: Path, tmp_path: Path) -> None:
    db = tmp_path / "z.db"
    assert run_cli("import", str(harbor_dir), "--db", str(db)).exit_code == 0
    (batch,) = rows(db, "SELECT batch_id FROM batch_runs")[0]
    out = tmp_path / "atif"
    result = run_cli("export", batch, "--db", str(db), "-o", str(out))
    assert result.exit_code == 0, result.output
    files = sorted(out.glob("*.json"))
    assert len(files) == 5
    (fix_id,) = rows(db, "SELECT run_id FROM benchmark_runs WHERE scenario = 'fix'")[0]
    trajectory = json.loads((out / f"{fix_id}.json").read_text())
    assert trajectory["schema_version"].startswith("ATIF-v1.")
    assert [s["step_id"] for s in trajectory["steps"]] == list(range(1, len(trajectory["steps"]) + 1))
    agent_steps = [s for s in trajectory["steps"] if s["source"] == "agent"]
    assert agent_steps[0]["tool_calls"][0]["function_name"] == "bash"
    assert agent_steps[0]["observation"]["results"][0]["content"] == "main.py\nREADME.md"
    assert trajectory["extra"]["zebench"]["isSuccessful"] is True
    # Harbor's own model accepts what zebench writes (when a Python >= 3.12 with Harbor is here)
    python = formats.harbor_python(Path.home() / ".cache" / "zebench" / "test-peers")
    if python is not None:
        import subprocess

        check = subprocess.run(
            [
                python,
                "-c",
                "import sys, json; from harbor.models.trajectories import Trajectory; "
                "[Trajectory.model_validate(json.load(open(p))) for p in sys.argv[1:]]",
                *map(str, files),
            ],
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert check.returncode == 0, check.stderr
    missing = run_cli("export", "no-such-id", "--db", str(db), "-o", str(tmp_path / "none"))
    assert missing.exit_code == 2


def test_unknown_paths_and_formats_are_usage_errors(tmp_path: Path) -> None:
    db = tmp_path / "z.db"
    assert run_cli("import", str(tmp_path / "missing"), "--db", str(db)).exit_code == 2
    empty = tmp_path / "empty"
    empty.mkdir()
    result = run_cli("import", str(empty), "--db", str(db))
    assert result.exit_code == 2
    assert "no source of a known format" in result.output
    assert not db.exists()


def test_store_sees_imported_runs_through_its_public_reads(harbor_dir: Path, tmp_path: Path) -> None:
    db = tmp_path / "z.db"
    assert run_cli("import", str(harbor_dir), "--db", str(db)).exit_code == 0
    with Store(db) as store:
        (run_id,) = rows(db, "SELECT run_id FROM benchmark_runs WHERE scenario = 'fix'")[0]
        run = store.get_run(run_id)
        assert run is not None
        assert run.metadata["source"]["harness"] == "harbor"
        assert run.metadata["source"]["file"].endswith("/result.json")
        assert run.transcript is not None
