"""`zebench check`: the author's loop. The bundled suites and a fresh scaffold pass; a broken check script, a flaky
check and an empty solution each fail with the message that says so; the runs never reach the user's database."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from zebench.authoring.readiness import ScenarioCheck, assess, inspect_scenario
from zebench.catalog import Catalog
from zebench.cli import main
from zebench.constants import CHECK_REPEAT
from zebench.models import Evaluation, Failure, RunRecord, RunStatus, Telemetry, ValidationResult, ValidationStatus
from zebench.store import Store

from .conftest import BUNDLED_SUITES, SCENARIO_YAML, make_scenario, write


def _check(*args: str) -> tuple[int, dict[str, Any], str]:
    """Run `zebench check --json ARGS`: exit code, the JSON report, and stderr (the progress lines)."""
    result = CliRunner().invoke(main, ["check", "--json", *args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, json.loads(result.stdout), result.stderr


def _problems(report: dict[str, Any], kind: str | None = None) -> list[str]:
    return [p["message"] for s in report["scenarios"] for p in s["problems"] if kind is None or p["kind"] == kind]


@pytest.mark.slow
def test_every_bundled_suite_passes_and_nothing_is_written_to_the_users_database(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("ZEBENCH_DB", str(tmp_path / "users.db"))  # check ignores it: only --db keeps runs
    code, report, progress = _check("--suites-dir", str(BUNDLED_SUITES), "-n", "2")  # the default, 6: the help
    assert code == 0, _problems(report)
    assert report["ok"]
    assert report["repeat"] == 2
    assert report["database"] is None
    scenarios = Catalog(BUNDLED_SUITES).all_scenarios()
    assert [s["suite"] + "/" + s["scenario"] for s in report["scenarios"]] == [s.key for s in scenarios]
    for s in report["scenarios"]:
        oracle = [r for r in s["runs"] if r["agent"] == "oracle"]
        echo = [r for r in s["runs"] if r["agent"] == "echo"]
        assert [r["weightedScore"] for r in oracle] == [10.0, 10.0]
        assert all(r["isSuccessful"] for r in oracle)
        assert len(echo) == 2
        assert not any(r["isSuccessful"] for r in echo)
    assert progress.count("oracle: 10.0/10 successful") == len(scenarios) * 2
    assert list(tmp_path.iterdir()) == []  # no data/zebench.db, no users.db


def test_a_new_scaffold_passes_check_as_created(tmp_path: Path) -> None:
    root = tmp_path / "suites"
    runner = CliRunner()
    assert runner.invoke(main, ["new-suite", "my-suite", "--suites-dir", str(root)]).exit_code == 0
    created = runner.invoke(main, ["new-scenario", "my-suite", "fix-the-parser", "--suites-dir", str(root)])
    assert created.exit_code == 0, created.output
    assert f"zebench check my-suite/fix-the-parser --suites-dir {root}" in created.output
    scenario = Catalog(root, strict=True).scenario("my-suite", "fix-the-parser")
    assert scenario.tiers == ["L0", "L1", "L2"]
    assert scenario.has_solution
    assert not scenario.warnings
    yaml_text = (scenario.dir / "scenario.yaml").read_text()
    assert "Replace:" in yaml_text
    assert "__" not in yaml_text  # commented, every placeholder filled in
    assert all("word_count" in p.read_text() for p in scenario.prompts.values())  # the prompts describe the task

    db = tmp_path / "kept.db"
    code, report, _ = _check("--suites-dir", str(root), "--db", str(db), "--tier", "L0", "-t", "L1", "-t", "L2")
    assert code == 0, _problems(report)
    (check,) = report["scenarios"]
    assert {(b["kind"], b["status"]) for b in check["baseline"]} == {("test", "failed")}  # the fixture's test fails
    assert sorted(r["weightedScore"] for r in check["runs"] if r["agent"] == "oracle") == [10.0] * CHECK_REPEAT
    assert report["database"] == str(db)
    with Store(db) as store:  # --db keeps the runs, in batches named check-...
        ids = store.run_ids()
        batches = {store.get_run(i).batch_id for i in ids}  # type: ignore[union-attr]
        assert len(ids) == 2 * CHECK_REPEAT, batches
        assert all(b.startswith("check-") for b in batches), batches  # type: ignore[union-attr]


BROKEN_SCRIPT_YAML = (
    SCENARIO_YAML.format(name="add", suite="demo")
    + """  scripts:
    - {name: hidden-cases, script: checks/check_hidden.py}
"""
)


def test_a_broken_check_script_fails_check_with_its_error(tmp_path: Path) -> None:
    root = tmp_path / "suites"
    base = make_scenario(root, yaml_text=BROKEN_SCRIPT_YAML)
    write(base / "checks" / "check_hidden.py", "from calculator import add  # the module is calc\n")
    code, report, _ = _check("--suites-dir", str(root), "-n", "1")
    assert code == 1
    (message,) = _problems(report, "oracle")
    assert message.startswith(
        "the oracle (the reference solution) scored 8.3/10, successful, in its run: "
        "heuristic check hidden-cases (script) failed: exit code 1"
    )
    assert "ModuleNotFoundError: No module named 'calculator'" in message
    text = CliRunner().invoke(main, ["check", "--suites-dir", str(root), "-n", "1"])
    assert text.exit_code == 1
    assert "1 with problems" in text.output
    assert "oracle: the oracle (the reference solution) scored 8.3/10" in text.output


FLAKY_YAML = """
id: add
suite: demo
validation:
  commands:
    test: "python -m unittest discover -s tests -t . -q"
heuristic_checks:
  enabled: true
  commands:
    # passes the first time it ever runs, fails after: state kept in a cache folder shared by every run (without
    # the sandbox: with bubblewrap as root each run writes its own view of the caches, docs/security.md)
    - name: first-time-only
      command: >-
        python -c "import os, sys; p = os.environ['YARN_CACHE_FOLDER'] + '/count';
        n = os.path.exists(p); open(p, 'a').close(); sys.exit(n)"
"""


def test_a_flaky_check_fails_check(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ZEBENCH_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("ZEBENCH_SANDBOX", "none")  # the runs share the cache folder (FLAKY_YAML)
    root = tmp_path / "suites"
    make_scenario(root, yaml_text=FLAKY_YAML)
    code, report, _ = _check("--suites-dir", str(root), "-j", "1", "-n", "2")
    assert code == 1
    flaky = _problems(report, "flaky")
    # one run at a time, echo first: echo's first run passes, everything after fails
    assert flaky == ["echo: heuristic check first-time-only (command) passed in run 1, failed in run 2"], flaky


def test_an_empty_solution_fails_check_and_list_warns(tmp_path: Path) -> None:
    root = tmp_path / "suites"
    base = make_scenario(root, solution=False)
    (base / "solution").mkdir()
    code, report, _ = _check("--suites-dir", str(root), "-n", "1")
    assert code == 1
    assert _problems(report) == [
        (
            "solution/ is empty: the oracle would change nothing (add the solved files, or "
            "remove the folder) (an error for `zebench list --strict`)"
        )
    ]
    assert [r["agent"] for r in report["scenarios"][0]["runs"]] == ["echo"]  # the oracle is not run
    listed = CliRunner().invoke(main, ["list", "--json", "--suites-dir", str(root)])
    (entry,) = json.loads(listed.output.split("\nwarning")[0])
    assert entry["hasSolution"] is False
    assert "solution/ is empty" in entry["warnings"][0]
    assert CliRunner().invoke(main, ["list", "--strict", "--suites-dir", str(root)]).exit_code == 2


def test_what_the_files_say_without_running(tmp_path: Path) -> None:
    root = tmp_path / "suites"
    base = make_scenario(
        root,
        tiers=("L0", "L1"),
        yaml_text=SCENARIO_YAML.format(name="add", suite="demo")
        + "  scripts: [{name: gone, script: checks/missing.py}]\nestimated_tme: 5m\n",
    )
    prompts = root / "demo" / "prompts" / "add"
    write(prompts / "L0-basic.md", "\n")
    write(prompts / "L2_directed.md", "Fix add().\n")
    write(base / "solution" / ".deleted", "calc.py\nnot-there.txt\n")
    scenario, check = inspect_scenario(Catalog(root), "demo", "add", ["L0", "L1", "L2"])
    assert scenario is not None
    kinds = {(p.kind, p.message.split(":")[0]) for p in check.problems}
    assert (
        "file",
        ("unknown key estimated_tme (did you mean estimated_time?); ignored (an error for `zebench list --strict`)"),
    ) in kinds
    messages = [p.message for p in check.problems]
    assert any(m.startswith("no prompt for tier L2 (expected by --tier)") for m in messages)
    assert f"{prompts / 'L0-basic.md'} is empty: the agent would get no task at tier L0" in messages
    assert any(m.startswith(f"{prompts / 'L2_directed.md'} is not a prompt file name") for m in messages)
    assert "solution/.deleted lists not-there.txt, which repo-fixture/ does not have" in messages
    assert any("heuristic_checks.scripts[0] (gone): checks/missing.py not found" in m for m in messages)

    same = make_scenario(tmp_path / "same", name="same")
    write(same / "solution" / "calc.py", (same / "repo-fixture" / "calc.py").read_text())
    _, unchanged = inspect_scenario(Catalog(tmp_path / "same"), "demo", "same")
    assert [p.message for p in unchanged.problems] == [
        "solution/ changes nothing: every file in it equals the fixture's"
    ]
    broken = make_scenario(tmp_path / "broken", name="bad", yaml_text="id: bad\nsuite: demo\ntimeout_minutes: x\n")
    loaded, invalid = inspect_scenario(Catalog(tmp_path / "broken"), "demo", "bad")
    assert loaded is None
    assert invalid.problems[0].kind == "file"
    message = invalid.problems[0].message
    assert "timeout_minutes" in message
    assert str(broken / "scenario.yaml") in message


def test_unknown_selectors_are_bad_usage(suites: Path) -> None:
    for selector in ("nope", "demo/nope"):
        result = CliRunner().invoke(main, ["check", "--suites-dir", str(suites), selector])
        assert result.exit_code == 2
        assert "unknown" in result.output


# -- the assessment of runs, on records made by hand ------------------------------------------------------------


def _record(
    agent: str,
    repeat: int,
    *,
    score: float = 10.0,
    successful: bool = True,
    status: RunStatus = "completed",
    validation: list[ValidationResult] | None = None,
    baseline: list[ValidationResult] | None = None,
    evaluations: list[Evaluation] | None = None,
    failure: Failure | None = None,
) -> RunRecord:
    return RunRecord(
        run_id=f"{agent}-{repeat}",
        batch_id=f"check-{repeat}",
        suite="demo",
        scenario="add",
        tier="L1",
        agent=agent,
        status=status,
        started_at="2026-11-30T10:00:00.000Z",
        weighted_score=score,
        is_successful=successful,
        validation=validation or [],
        baseline=baseline or [],
        evaluations=evaluations or [],
        failure=failure,
        telemetry=Telemetry(workspace_dir="/tmp/zebench-ws-123"),
    )


def _test_result(status: ValidationStatus, ms: int = 100, output: str = "") -> ValidationResult:
    return ValidationResult(
        kind="test",
        command="python -m unittest",
        status=status,
        exit_code=0 if status == "passed" else 1,
        duration_ms=ms,
        output_tail=output,
    )


def test_assessing_runs(suites: Path) -> None:
    scenario = Catalog(suites).scenario("demo", "add")
    failing_test = _test_result("failed", output='File "/tmp/zebench-ws-123/calc.py"\nAssertionError: -1 != 5\n')
    oracle = [
        _record("oracle", 1, validation=[_test_result("passed")]),
        _record(
            "oracle",
            2,
            score=4.0,
            successful=False,
            validation=[failing_test],
            evaluations=[Evaluation(evaluator_name="test", score=0.0, weight=3.0)],
        ),
    ]
    echo = [
        _record(
            "echo",
            n,
            score=9.0,
            validation=[_test_result("passed", ms=95_000)],
            baseline=[
                ValidationResult(
                    kind="baseline",
                    command="pnpm test",
                    status="failed",
                    exit_code=127,
                    output_tail="sh: pnpm: not found",
                )
            ],
        )
        for n in (1, 2)
    ]
    check = assess(
        ScenarioCheck(suite="demo", scenario="add"),
        scenario,
        {"oracle": list(enumerate(oracle, 1)), "echo": list(enumerate(echo, 1))},
        slow_seconds=60,
    )
    by_kind = {
        kind: [p.message for p in check.problems_of(kind)] for kind in ("oracle", "echo", "flaky", "slow", "baseline")
    }
    assert by_kind["oracle"] == [
        (
            "the oracle (the reference solution) scored 4.0/10, unsuccessful, in run 2 of 2: "
            "validation test `python -m unittest` failed (exit code 1):\n"
            'File "<workspace>/calc.py"\nAssertionError: -1 != 5'
        )
    ]
    assert by_kind["echo"] == [
        (
            "echo (changes nothing) was successful at 9.0/10 in every run: the untouched "
            "fixture already passes; make a validation command or a heuristic check fail on it"
        )
    ]
    assert by_kind["flaky"] == ["oracle: validation test `python -m unittest` passed in run 1, failed in run 2"]
    assert by_kind["slow"] == [
        (
            "validation test `python -m unittest` took up to 95.0 s, over the 60 s of "
            "--slow-seconds: every run waits for it"
        )
    ]
    assert by_kind["baseline"] == [
        ("baseline `pnpm test` could not run (exit code 127: command not found):\nsh: pnpm: not found (in every run)")
    ]
    failed = assess(
        ScenarioCheck(suite="demo", scenario="add"),
        scenario,
        {
            "oracle": [
                (
                    1,
                    _record(
                        "oracle",
                        1,
                        status="failed",
                        score=0,
                        successful=False,
                        failure=Failure(category="agent", stage="agent", message="writeFile calc.py: not UTF-8"),
                    ),
                )
            ]
        },
    )
    assert [p.message for p in failed.problems] == [
        (
            "the oracle (the reference solution) scored 0.0/10, unsuccessful, in its run: the run ended failed (agent, "
            "agent stage): writeFile calc.py: not UTF-8"
        )
    ]
