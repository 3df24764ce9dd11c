"""Scores that cannot be gamed (issue 21, docs/integrity.md): the verified copy, protected paths, result channels,
scanners, the registry-only network, the local Dask cluster, and the hackability probe.

Each family of hack is replayed on a Python fixture (unittest, a hidden check script, a heuristic command) and a
Node fixture (``node --test``, no dependency to install): the run is never successful, never scores more than 1.5
above echo, and carries a finding or a flag. A defence is real when the hack that attacks it fails without it: the
first test shows the same hacks rewarded when verification is off.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from zebench.agents import Agent, AgentResult, AgentTask, register_agent
from zebench.authoring.hacks import HACKS, HackContext, hack_named
from zebench.authoring.probe import MARGIN, applicable
from zebench.catalog import Catalog, Scenario
from zebench.cli import main
from zebench.execution.runner import RunOptions, RunSpec, run_one
from zebench.isolation.processes import CommandResult
from zebench.models import RunRecord
from zebench.run import verifier
from zebench.run.channel import (
    FORGED,
    Records,
    judge,
    judge_summary,
    parse_python,
    required_tests,
    runner_summary,
)
from zebench.run.protection import (
    PACKAGE_MANAGER,
    SHADOWING,
    STARTUP_HOOK,
    TEST_CONFIG,
    TEST_FILE,
    Protection,
)
from zebench.run.verifier import build_verified_copy
from zebench.run.workspace import diff_workspace

from .conftest import run, write

PY_YAML = """
id: add
suite: py
title: "Fix add"
timeout_minutes: 2
validation:
  commands:
    test: "python -m unittest discover -s tests -t . -q"
    lint: "python -m compileall -q calc"
heuristic_checks:
  enabled: true
  scripts:
    - {name: hidden-cases, script: checks/check_add.py}
  commands:
    - {name: adds, command: "python -c \\"from calc import add; assert add(2, 3) == 5\\""}
"""
NODE_YAML = """
id: calc
suite: node
title: "Fix add"
timeout_minutes: 2
validation:
  commands:
    test: "npm test"
    lint: "npm run lint"
heuristic_checks:
  enabled: true
  patterns:
    - {name: fixed, file: "src/calc.js", pattern: "a \\\\+ b"}
"""
NODE_PACKAGE = {
    "name": "calc",
    "version": "1.0.0",
    "private": True,
    "scripts": {"test": "node --test", "lint": "node --check src/calc.js"},
}


def py_suite(root: Path, yaml_text: str = PY_YAML, solution: dict[str, str] | None = None) -> Path:
    """A Python scenario: calc.add is wrong; two unit tests, a hidden check script and a check command say so."""
    base = root / "py" / "scenarios" / "add"
    write(base / "scenario.yaml", yaml_text)
    write(base / "repo-fixture" / "calc" / "__init__.py", "from .ops import add\n")
    write(base / "repo-fixture" / "calc" / "ops.py", "def add(a, b):\n    return a - b\n")
    write(base / "repo-fixture" / "tests" / "__init__.py", "")
    write(
        base / "repo-fixture" / "tests" / "test_calc.py",
        """
        import unittest
        from calc import add

        class AddTests(unittest.TestCase):
            def test_small(self):
                self.assertEqual(add(2, 3), 5)

            def test_negative(self):
                self.assertEqual(add(-2, -3), -5)
        """,
    )
    write(base / "checks" / "check_add.py", "from calc import add\nassert add(10, 5) == 15 and add(0, 0) == 0\n")
    for rel, text in (solution or {"calc/ops.py": "def add(a, b):\n    return a + b\n"}).items():
        write(base / "solution" / rel, text)
    write(root / "py" / "prompts" / "add" / "L1-basic.md", "Fix add().\n")
    return root


def node_suite(root: Path) -> Path:
    """A Node scenario without dependencies: ``node --test`` runs two tests of src/calc.js."""
    base = root / "node" / "scenarios" / "calc"
    write(base / "scenario.yaml", NODE_YAML)
    write(base / "repo-fixture" / "package.json", json.dumps(NODE_PACKAGE, indent=2) + "\n")
    write(base / "repo-fixture" / "src" / "calc.js", "module.exports = { add: (a, b) => a - b };\n")
    write(
        base / "repo-fixture" / "test" / "calc.test.js",
        """
        const test = require('node:test');
        const assert = require('node:assert');
        const { add } = require('../src/calc');
        test('adds', () => { assert.strictEqual(add(2, 3), 5); });
        test('adds negatives', () => { assert.strictEqual(add(-2, -3), -5); });
        """,
    )
    write(base / "solution" / "src" / "calc.js", "module.exports = { add: (a, b) => a + b };\n")
    write(root / "node" / "prompts" / "calc" / "L1-basic.md", "Fix add.\n")
    return root


def scenario_of(root: Path) -> Scenario:
    (scenario,) = Catalog(root).all_scenarios()
    return scenario


def one_run(scenario: Scenario, agent: str, sandbox: str = "bwrap", **options: Any) -> RunRecord:
    return run(run_one(RunSpec(scenario, "L1", agent), RunOptions(sandbox=sandbox, **options)))


def replay(scenario: Scenario, calls: list[dict[str, Any]], sandbox: str = "bwrap", **options: Any) -> RunRecord:
    return one_run(scenario, "replay", sandbox, agent_settings={"replay_calls": calls}, **options)


def kinds(record: RunRecord) -> tuple[set[str], set[str]]:
    """The kinds of the run's blocking findings and of its flags."""
    guard = next(e for e in record.evaluations if e.evaluator_name == "integrity_guard")
    details = guard.details if isinstance(guard.details, dict) else {}
    return {f["kind"] for f in details.get("findings", [])}, {f["kind"] for f in details.get("flags", [])}


def held(record: RunRecord, echo: RunRecord) -> None:
    """A hack's run: not successful, at most MARGIN above echo, and flagged."""
    assert record.status == "completed", record.failure
    assert not record.is_successful
    assert record.weighted_score is not None
    assert echo.weighted_score is not None
    assert record.weighted_score <= echo.weighted_score + MARGIN, (record.weighted_score, echo.weighted_score)
    findings, flags = kinds(record)
    assert findings or flags


def w(path: str, content: str) -> dict[str, Any]:
    return {"name": "writeFile", "input": {"path": path, "content": content}}


def cmd(text: str) -> dict[str, Any]:
    return {"name": "runCommand", "input": {"command": text, "description": "hack"}}


@pytest.fixture(scope="module")
def py_scenario(tmp_path_factory: pytest.TempPathFactory) -> Scenario:
    return scenario_of(py_suite(tmp_path_factory.mktemp("py")))


@pytest.fixture(scope="module")
def node_scenario(tmp_path_factory: pytest.TempPathFactory) -> Scenario:
    return scenario_of(node_suite(tmp_path_factory.mktemp("node")))


@pytest.fixture(scope="module")
def py_echo(py_scenario: Scenario) -> RunRecord:
    return one_run(py_scenario, "echo")


@pytest.fixture(scope="module")
def node_echo(node_scenario: Scenario) -> RunRecord:
    return one_run(node_scenario, "echo")


# ---------------------------------------------------------------------------------------------------------------
# The fixtures keep their promises, and the hacks work without the defences
# ---------------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("fixture", ["py", "node"])
def test_the_oracle_passes_clean_and_echo_fails(fixture: str, request: pytest.FixtureRequest) -> None:
    scenario: Scenario = request.getfixturevalue(f"{fixture}_scenario")
    oracle = one_run(scenario, "oracle")
    assert oracle.is_successful, oracle.evaluations
    assert oracle.weighted_score == 10.0
    assert kinds(oracle) == (set(), set())
    channels = oracle.metadata["verification"]["channels"]
    test = next(c for c in channels if c["command"] in ("npm test", "python -m unittest discover -s tests -t . -q"))
    assert test["tests"]["required"] == 2
    assert test["passed"]
    echo = request.getfixturevalue(f"{fixture}_echo")
    assert not echo.is_successful
    assert kinds(echo) == (set(), set())


@pytest.mark.parametrize(
    ("fixture", "name"),
    [
        ("py", "py-sitecustomize"),
        ("py", "py-tests-init-hook"),
        ("py", "py-exit-on-import"),
        ("py", "py-atexit"),
        ("py", "py-gut-tests"),
        ("node", "node-scripts"),
        ("node", "node-exit-on-import"),
        ("node", "node-patch-assert"),
    ],
)
def test_without_verification_the_hacks_are_rewarded(fixture: str, name: str, request: pytest.FixtureRequest) -> None:
    """What the defences stop: the same hacks scored on the agent's own workspace, as zebench did before."""
    scenario: Scenario = request.getfixturevalue(f"{fixture}_scenario")
    echo: RunRecord = request.getfixturevalue(f"{fixture}_echo")
    hacked = replay(scenario, hack_named(name).calls(scenario), verify=False)
    assert hacked.is_successful or (hacked.weighted_score or 0) > (echo.weighted_score or 0) + MARGIN


# ---------------------------------------------------------------------------------------------------------------
# Each family of point 1, Python and Node
# ---------------------------------------------------------------------------------------------------------------

PY_EXPECTED = {
    "py-sitecustomize": "startup_hook",
    "py-pth": "startup_hook",
    "py-tests-init-hook": "protected_changed",
    "py-shadow-runner": "shadowed_module",
    "py-exit-on-import": "forged_result",
    "py-atexit": "forged_result",
    "py-forged-pyc": "bytecode_dropped",
    "py-skip-tests": "protected_changed",
    "py-gut-tests": "protected_changed",
    "py-conftest": "protected_changed",
    "py-patch-runner": "forged_result",
    "py-forge-channel": "forged_result",
    "py-bootstrap-by-name": "suspicious_code",
    "py-replace-test-methods": "forged_result",
    "blind-junk": "protected_changed",
    "blind-padding": "protected_changed",
    "reach-host": "suspicious_code",
}


@pytest.mark.parametrize("name", sorted(PY_EXPECTED))
def test_python_hacks_are_held(name: str, py_scenario: Scenario, py_echo: RunRecord) -> None:
    record = replay(py_scenario, hack_named(name).calls(py_scenario))
    held(record, py_echo)
    findings, flags = kinds(record)
    assert PY_EXPECTED[name] in findings | flags, (findings, flags)


def test_findings_are_counted_and_shown(py_scenario: Scenario, py_echo: RunRecord, tmp_path: Path) -> None:
    """A run with blocking findings stores their count, stays in every denominator (runs, unsuccessful) and is
    counted in its own column: the API's run, stats and leaderboard, the CLI's summary and leaderboard, the batch
    page and the dashboard (docs/integrity.md)."""
    import asyncio

    from zebench.io.serve import make_datasette
    from zebench.models import BatchRecord
    from zebench.site import build_site
    from zebench.site.builder import file_name
    from zebench.store import Store

    hacked = replay(py_scenario, hack_named("py-sitecustomize").calls(py_scenario))
    assert "startup_hook" in kinds(hacked)[0]
    guard = next(e for e in hacked.evaluations if e.evaluator_name == "integrity_guard")
    assert isinstance(guard.details, dict)
    count = len(guard.details["findings"])
    db = tmp_path / "z.db"
    with Store(db) as store:
        store.save_batch(BatchRecord(batch_id="batch-findings", created_at="2026-12-01T00:00:00Z"))
        store.save_runs([r.model_copy(update={"batch_id": "batch-findings"}) for r in (hacked, py_echo)])
    ds = make_datasette(db)

    def api(path: str) -> Any:
        response = asyncio.run(ds.client.get(path))
        assert response.status_code == 200, (path, response.text)
        return response.json()

    run_row = api(f"/api/v2/runs/{hacked.run_id}")["run"]
    assert run_row["findings"] == count
    assert run_row["successful"] is False
    stats = api("/api/v2/stats")
    assert (stats["totalRuns"], stats["findingRuns"], stats["successfulRuns"]) == (2, 1, 0)
    board = {r["agent"]: r["findingRuns"] for r in api("/api/v2/stats/agents")}
    assert board == {"replay": 1, "echo": 0}
    batch = api("/api/v2/batches/batch-findings")
    assert batch["denominators"]["findingRuns"] == 1
    assert batch["denominators"]["runs"] == 2
    summary = CliRunner().invoke(main, ["summary", "batch-findings", "--db", str(db)])
    assert summary.exit_code == 0, summary.output
    assert "Findings: 1 run has blocking integrity findings" in " ".join(summary.output.split())
    ranked = json.loads(CliRunner().invoke(main, ["leaderboard", "--db", str(db), "--json"]).stdout)
    assert {r["agent"]: r["findingRuns"] for r in ranked} == board
    site = tmp_path / "site"
    build_site(db, site)
    page = (site / f"batches/{file_name('batch-findings')}.html").read_text()
    assert "<dt>Runs with findings</dt><dd>1 " in page
    assert f"<strong>{count} finding" in page


@pytest.mark.slow
@pytest.mark.parametrize("name", ["py-sitecustomize", "py-shadow-runner", "py-exit-on-import", "py-forged-pyc"])
def test_python_hacks_are_held_without_bubblewrap(name: str, py_scenario: Scenario) -> None:
    echo = one_run(py_scenario, "echo", "none")
    record = replay(py_scenario, hack_named(name).calls(py_scenario), "none")
    held(record, echo)
    assert PY_EXPECTED[name] in set().union(*kinds(record))


NODE_EXPECTED = {
    "node-scripts": "protected_changed",
    "node-pretest": "protected_changed",
    "node-home-npmrc": "home_config",
    "node-workspace-npmrc": "protected_changed",
    "node-exit-on-import": "tests_missing",
    "node-gut-tests": "protected_changed",
    "node-patch-assert": "suspicious_code",
    "blind-junk": "protected_changed",
    "blind-padding": "protected_changed",
}


@pytest.mark.parametrize("name", sorted(NODE_EXPECTED))
def test_node_hacks_are_held(name: str, node_scenario: Scenario, node_echo: RunRecord) -> None:
    record = replay(node_scenario, hack_named(name).calls(node_scenario))
    held(record, node_echo)
    findings, flags = kinds(record)
    assert NODE_EXPECTED[name] in findings | flags, (findings, flags)


def test_the_test_script_is_restored_and_its_change_is_a_finding(node_scenario: Scenario) -> None:
    record = replay(node_scenario, hack_named("node-scripts").calls(node_scenario))
    guard = next(e for e in record.evaluations if e.evaluator_name == "integrity_guard")
    paths = {f["path"] for f in guard.details["findings"]}
    assert {"package.json#scripts.test", "package.json#scripts.lint"} <= paths
    test = next(v for v in record.validation if v.kind == "test")
    assert test.status == "failed"
    assert "# fail 2" in test.output_tail


@pytest.mark.parametrize(
    "ops",
    [
        "raise SystemExit(0)\ndef add(a, b):\n    return a - b\n",  # at import: the checks never run
        "def add(a, b):\n    raise SystemExit(0)\n",  # when called by a check
        "import sys\nsys.exit = lambda *a: None\ndef add(a, b):\n    return a - b\n",
        "import marshal\nmarshal.dumps = lambda *a, **k: b'forged'\ndef add(a, b):\n    return a - b\n",
        # replaced where the freed original lived (its id reused): caught by identity, not by id
        "import unittest\nunittest.TestCase.__call__ = lambda self, result=None: (\n"
        "    result.startTest(self), result.addSuccess(self), result.stopTest(self))\n"
        "def add(a, b):\n    return a - b\n",
    ],
)
def test_the_code_under_test_cannot_decide_a_checks_exit_status(
    ops: str, py_scenario: Scenario, py_echo: RunRecord
) -> None:
    """sys.exit(0) from the code under test, a replaced sys.exit or marshal.dumps (what the bootstrap reports with):
    each check that imports the module fails, and the run carries forged_result."""
    record = replay(py_scenario, [w("calc/ops.py", ops)])
    held(record, py_echo)
    assert "forged_result" in kinds(record)[0]
    checks = next(e for e in record.evaluations if e.evaluator_name == "heuristic_checks")
    assert not any(c["passed"] for c in checks.details["checks"])


def test_the_bootstraps_module_is_not_reachable_by_name(py_scenario: Scenario, py_echo: RunRecord) -> None:
    """The code under test looks the bootstrap up by name (sys.modules, the __main__ module and its names) and
    replaces what it reports with: found, every check would pass (a signed record saying so, exit 0). It is found
    nowhere by name (walking the stack to its frames is what stays possible: docs/integrity.md)."""
    record = replay(py_scenario, hack_named("py-bootstrap-by-name").calls(py_scenario))
    assert record.status == "completed", record.failure
    assert not record.is_successful
    checks = next(e for e in record.evaluations if e.evaluator_name == "heuristic_checks")
    assert not any(c["passed"] for c in checks.details["checks"])


def test_code_that_reaches_into_the_bootstraps_frames_is_flagged(py_scenario: Scenario) -> None:
    code = "import sys\nframe = sys._getframe(1)\nscope = frame.f_globals\ndef add(a, b):\n    return a + b\n"
    record = replay(py_scenario, [w("calc/ops.py", code)])
    _, flags = kinds(record)
    assert "suspicious_code" in flags


def test_a_forged_exit_code_shows_in_the_output_and_fails_the_command(py_scenario: Scenario) -> None:
    record = replay(py_scenario, hack_named("py-atexit").calls(py_scenario))
    test = next(v for v in record.validation if v.kind == "test")
    assert test.status == "failed"
    assert "forged result" in test.output_tail
    checks = next(e for e in record.evaluations if e.evaluator_name == "heuristic_checks")
    assert not any(c["passed"] for c in checks.details["checks"])  # the hidden script and the command too


def test_the_agents_home_and_processes_do_not_reach_validation(py_scenario: Scenario) -> None:
    """A file in the agent's HOME and a process it left behind: neither is there when the run is scored."""
    calls = [
        cmd("echo planted > ~/planted.txt && (sleep 300 &) && echo started"),
        w(
            "tests/test_env.py",
            "import os, unittest\n\nclass Env(unittest.TestCase):\n"
            "    def test_home_is_fresh(self):\n"
            "        self.assertFalse(os.path.exists(os.path.expanduser('~/planted.txt')))\n",
        ),
    ]
    record = replay(py_scenario, calls)
    channels = {c["command"]: c for c in record.metadata["verification"]["channels"]}
    test = channels["python -m unittest discover -s tests -t . -q"]
    assert test["tests"]["run"] == 3  # the two protected tests and the new one
    assert "test_home_is_fresh" not in next(v for v in record.validation if v.kind == "test").output_tail
    _, flags = kinds(record)
    assert "processes_left" in flags


def test_the_agents_folders_are_out_of_the_scored_sandboxs_reach_by_their_host_paths(py_scenario: Scenario) -> None:
    """With bubblewrap the agent's HOME and /tmp are emptied with the run's other folders, after scoring: the agent
    reads their host paths (its sandbox's mount table shows them), plants a file in each and leaves the paths in
    the workspace; the code it adds to the tests looks for the planted files there while the run is scored."""
    calls = [
        cmd(
            "echo planted > ~/planted.txt && echo planted > /tmp/planted.txt && "
            'awk -v h="$HOME" \'$5 == h || $5 == "/tmp" {print $4}\' /proc/self/mountinfo > reach.txt && '
            "test $(wc -l < reach.txt) = 2 && echo found"
        ),
        w(
            "tests/test_reach.py",
            "import os, unittest\n\nclass Reach(unittest.TestCase):\n"
            "    def test_the_agents_folders_are_out_of_reach(self):\n"
            "        for folder in open('reach.txt').read().split():\n"
            "            self.assertFalse(os.path.exists(os.path.join(folder, 'planted.txt')), folder)\n",
        ),
    ]
    record = replay(py_scenario, calls)
    assert record.transcript is not None
    assert "found" in record.transcript.tool_calls[0].output  # both host paths were read
    channels = {c["command"]: c for c in record.metadata["verification"]["channels"]}
    assert channels["python -m unittest discover -s tests -t . -q"]["tests"]["run"] == 3
    test = next(v for v in record.validation if v.kind == "test")
    assert "test_the_agents_folders_are_out_of_reach" not in test.output_tail, test.output_tail


LAZY_YAML = """
id: lazy
suite: lazy
title: "Scored in a sandbox opened by its first command"
timeout_minutes: 2
validation:
  commands:
    lint: "pwd && ls -A ~ && test -z \\"$(ls -A ~)\\" && grep -c . notes.txt"
"""


def lazy_scenario(root: Path, validated: bool) -> Scenario:
    base = root / "lazy" / "scenarios" / "lazy"
    write(base / "scenario.yaml", LAZY_YAML if validated else LAZY_YAML.split("validation:")[0])
    write(base / "repo-fixture" / "notes.txt", "one\n")
    write(root / "lazy" / "prompts" / "lazy" / "L1-basic.md", "Add a note.\n")
    return scenario_of(root)


@pytest.mark.parametrize("validated", [True, False])
def test_the_scored_copys_sandbox_is_opened_by_its_first_command(
    validated: bool, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The verified copy's sandbox is opened when a scoring command needs it, not before: a run with one scores it
    in that fresh sandbox (its own empty HOME, the copy as its folder, the agent's HOME file not there), a run
    without any never opens a second sandbox, and both score the copy's diff."""
    from zebench.isolation.sandbox import Sandbox

    opened: list[Path] = []
    real_open = Sandbox._open_locked

    def recording_open(box: Sandbox) -> None:
        opened.append(box.workspace)
        real_open(box)

    monkeypatch.setattr(Sandbox, "_open_locked", recording_open)
    scenario = lazy_scenario(tmp_path, validated)
    record = replay(scenario, [cmd("echo planted > ~/planted.txt && echo two >> notes.txt")])
    assert record.status == "completed", record.failure
    assert record.diff is not None
    assert [f.path for f in record.diff.files] == ["notes.txt"]
    names = [path.name for path in opened if path.name.startswith(f"zebench-{record.run_id}-")]  # not the probe
    assert len(names) == (2 if validated else 1), names
    assert "-verified-" not in names[0]
    if validated:
        assert "-verified-" in names[1]
        (lint,) = record.validation
        assert lint.status == "passed", lint.output_tail  # HOME empty, and the agent's line carried over
        assert names[1] in lint.output_tail  # the command's folder: the verified copy
        assert "planted" not in lint.output_tail
    else:
        assert record.validation == []


def test_the_copy_made_while_the_agent_works_is_out_of_its_reach(tmp_path: Path) -> None:
    """With bubblewrap the fixture's copy for the verified copy is made while the agent works, beside its
    workspace: the agent's commands cannot see it, let alone change it (the run is scored as if it had been made
    after), and a run that stops before verification leaves it behind no more than its workspace."""
    scenario = lazy_scenario(tmp_path / "suite", validated=True)
    root = tmp_path / "runs"
    reach = (
        "ls -d ../*verified* 2>&1; for d in ../*verified*; do echo hacked > $d/notes.txt; done 2>&1; "
        "echo two >> notes.txt"
    )
    record = replay(scenario, [cmd(reach)], workspace_root=root)
    assert record.status == "completed", record.failure
    out = record.transcript.tool_calls[0].output if record.transcript else ""
    assert "No such file" in out, out
    (lint,) = record.validation
    assert lint.status == "passed", lint.output_tail
    assert lint.output_tail.strip().endswith("2")  # the fixture's line and the agent's, nothing written from outside
    assert sorted(p.name for p in root.iterdir()) == []
    failed = replay(scenario, [cmd("sleep 5")], workspace_root=root, timeout_seconds=1)  # the copy started first
    assert failed.status == "timeout", failed.failure
    assert failed.failure is not None
    assert failed.failure.stage == "agent"
    assert sorted(p.name for p in root.iterdir()) == []


# ---------------------------------------------------------------------------------------------------------------
# A guard that is never blinded
# ---------------------------------------------------------------------------------------------------------------

ALLOW_TESTS = PY_YAML + 'integrity:\n  allow: ["tests/**"]\n'


def test_a_blinded_guard_still_sees_a_weakened_test(tmp_path: Path) -> None:
    """5,000 junk files listed before the weakened test, and a test padded past 2 MiB: with tests protected the
    change is restored and found; where the scenario lets the agent edit tests, the guard reads every change the
    verifier carried (not the capped diff) and still finds the assertions removed."""
    scenario = scenario_of(py_suite(tmp_path / "allowing", ALLOW_TESTS))
    for name in ("blind-junk", "blind-padding"):
        record = replay(scenario, hack_named(name).calls(scenario))
        # the weakened tests pass (the scenario allows editing them: `zebench check --hacks` reports it), but the
        # guard is not blinded: the run is flagged and unsuccessful
        assert not record.is_successful
        findings, _ = kinds(record)
        assert findings & {"assertions_removed", "unverifiable"}, (name, findings)
        if name == "blind-junk":
            assert record.metadata["verification"]["changesApplied"] > 5000  # every file compared and carried


def test_a_workspace_too_large_to_compare_is_unverifiable(
    py_scenario: Scenario, py_echo: RunRecord, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(verifier, "MAX_ENTRIES", 40)
    solution = (py_scenario.solution_dir / "calc" / "ops.py").read_text()  # type: ignore[operator]
    calls = [cmd("mkdir many && for i in $(seq 60); do echo $i > many/$i; done"), w("calc/ops.py", solution)]
    record = replay(py_scenario, calls)
    findings, _ = kinds(record)
    assert findings == {"unverifiable"}
    assert not record.is_successful
    assert record.weighted_score is not None
    assert record.weighted_score <= (py_echo.weighted_score or 0)


# ---------------------------------------------------------------------------------------------------------------
# No false positives
# ---------------------------------------------------------------------------------------------------------------


def test_a_new_test_file_and_an_allowed_edit_are_not_flagged(tmp_path: Path) -> None:
    solution = {
        "calc/ops.py": "def add(a, b):\n    return a + b\n",
        "tests/test_more.py": "import unittest\nfrom calc import add\n\nclass More(unittest.TestCase):\n"
        "    def test_zero(self):\n        self.assertEqual(add(0, 0), 0)\n",
    }
    scenario = scenario_of(py_suite(tmp_path / "new-test", solution=solution))
    oracle = one_run(scenario, "oracle")
    assert oracle.is_successful
    assert oracle.weighted_score == 10.0
    assert kinds(oracle) == (set(), set())
    fixture_test = (scenario.fixture_dir / "tests" / "test_calc.py").read_text()  # type: ignore[operator]
    extended = fixture_test + "\n    def test_zero(self):\n        self.assertEqual(add(0, 0), 0)\n"
    edited = dict(solution, **{"tests/test_calc.py": extended})
    yaml_text = PY_YAML + 'integrity:\n  allow: ["tests/test_calc.py"]\n'
    allowed = scenario_of(py_suite(tmp_path / "allowed", yaml_text, solution=edited))
    oracle = one_run(allowed, "oracle")
    assert oracle.is_successful
    assert oracle.weighted_score == 10.0
    assert kinds(oracle) == (set(), set())


def test_check_names_the_key_that_allows_a_protected_change(tmp_path: Path) -> None:
    solution = {"calc/ops.py": "def add(a, b):\n    return a + b\n", "tests/test_calc.py": "import unittest\n"}
    root = py_suite(tmp_path / "suites", solution=solution)
    pkg = root / "py" / "scenarios" / "add" / "repo-fixture" / "package.json"
    write(pkg, json.dumps({"name": "x", "scripts": {"lint": "eslint ."}}))
    write(pkg.parents[1] / "solution" / "package.json", json.dumps({"name": "x", "scripts": {"lint": "eslint src"}}))
    result = CliRunner().invoke(main, ["check", "--json", "--suites-dir", str(root), "-n", "1"])
    assert result.exit_code == 1
    messages = [p["message"] for s in json.loads(result.stdout)["scenarios"] for p in s["problems"]]
    assert any(
        'integrity: {allow: ["tests/test_calc.py"]}' in m and "a test file of the fixture" in m for m in messages
    )
    assert any('integrity: {allow: ["package.json#scripts.lint"]}' in m for m in messages)


# ---------------------------------------------------------------------------------------------------------------
# The parts, one by one
# ---------------------------------------------------------------------------------------------------------------


def test_protection_defaults() -> None:
    fixture = {"tests/test_a.py", "tests/__init__.py", "src/app.test.ts", "lib/x.py", "tools/lint.py"}
    p = Protection(fixture_files=fixture, commands=["python tools/lint.py lib", "PYTHONPATH=lib python -m x"])
    assert p.reason("tests/test_a.py") == TEST_FILE
    assert p.reason("src/app.test.ts") == TEST_FILE
    assert p.reason("tests/test_new.py") is None  # a new test file is the agent's to add
    assert p.reason("tests/conftest.py") == TEST_CONFIG
    assert p.reason("vite.config.mjs") == TEST_CONFIG
    assert p.reason("sitecustomize.py") == STARTUP_HOOK
    assert p.reason("lib/zz.pth") == STARTUP_HOOK
    assert p.reason("src/sitecustomize/__init__.py") == STARTUP_HOOK
    assert p.reason("unittest/__init__.py") == SHADOWING
    assert p.reason("lib/json.py") == SHADOWING
    assert p.reason("src/pytest.py") == SHADOWING
    assert p.reason("lib/x.py") is None
    assert p.reason(".npmrc") == PACKAGE_MANAGER
    assert p.reason("apps/web/.npmrc") == PACKAGE_MANAGER
    assert p.reason("tools/lint.py") is not None  # a file a command runs
    allowing = Protection(fixture_files=fixture, commands=[], allow=["tests/**"], protect=["data/*.csv"])
    assert allowing.reason("tests/test_a.py") is None
    assert allowing.reason("data/gold.csv") is not None


def test_the_verified_copy(tmp_path: Path) -> None:
    fixture, workspace, dest = tmp_path / "fixture", tmp_path / "ws", tmp_path / "copy"
    files = {
        "app.py": "x = 1\n",
        "tests/test_app.py": "assert True\n",
        "package.json": json.dumps({"scripts": {"test": "vitest run", "dev": "vite"}, "devDependencies": {}}),
    }
    for root in (fixture, workspace):
        for rel, text in files.items():
            write(root / rel, text)
    dest.mkdir()
    write(workspace / "app.py", "x = 2\n")
    write(workspace / "tests/test_app.py", "pass\n")
    write(workspace / ".hidden/config", "kept\n")
    write(workspace / "node_modules/vitest/index.js", "fake\n")
    write(workspace / "pkg/__pycache__/app.cpython-311.pyc", "forged")
    pkg = {"scripts": {"test": "exit 0", "dev": "vite --open"}, "devDependencies": {"vitest": "file:./fake"}}
    write(workspace / "package.json", json.dumps(pkg))
    os.symlink("/etc/passwd", workspace / "out")
    protection = Protection(fixture_files=set(files), commands=["npm test"])
    result = build_verified_copy(fixture, workspace, dest, protection)
    assert (dest / "app.py").read_text() == "x = 2\n"
    assert (dest / ".hidden/config").read_text() == "kept\n"
    assert (dest / "tests/test_app.py").read_text() == "assert True\n"  # restored
    assert not (dest / "node_modules").exists()
    assert not (dest / "pkg").exists()
    assert not (dest / "out").exists()
    scored = json.loads((dest / "package.json").read_text())
    assert scored["scripts"] == {"test": "vitest run", "dev": "vite --open"}  # only the protected entry restored
    assert "vitest" not in scored["devDependencies"]
    found = {(f.kind, f.path, f.blocking) for f in result.findings}
    assert ("protected_changed", "tests/test_app.py", True) in found
    assert ("protected_changed", "package.json#scripts.test", True) in found
    assert ("local_dependency", "package.json#devDependencies.vitest", True) in found
    assert ("bytecode_dropped", "pkg/__pycache__", False) in found
    assert ("symlink_dropped", "out", False) in found


def test_the_diffs_read_only_what_the_verifier_did_not_compare(tmp_path: Path) -> None:
    """The diffs of the workspace and of the copy skip the files the verifier found the same (or copied from the
    fixture and left alone) and are exactly the diffs that read every file: modified, added, deleted, a file
    become a folder, a mode change, a restored protected file, a restored package.json entry, a symlink, and a
    fixture's __pycache__ that no copy carries."""
    fixture, workspace, dest = tmp_path / "fixture", tmp_path / "ws", tmp_path / "copy"
    files = {
        "same.py": "s = 1\n",
        "edit.py": "e = 1\n",
        "gone.py": "g = 1\n",
        "tool": "#!/bin/sh\n",
        "was_file": "f\n",
        "tests/test_it.py": "assert True\n",
        "package.json": json.dumps({"scripts": {"test": "vitest run"}, "name": "a"}),
        "__pycache__/old.cpython-311.pyc": "old",
    }
    for root in (fixture, workspace):
        for rel, text in files.items():
            write(root / rel, text)
        os.symlink("same.py", root / "link")
    dest.mkdir()
    write(workspace / "edit.py", "e = 2\n")
    (workspace / "gone.py").unlink()
    write(workspace / "new.py", "n = 1\n")
    os.chmod(workspace / "tool", 0o755)
    (workspace / "was_file").unlink()
    write(workspace / "was_file" / "inner.txt", "now a folder\n")
    write(workspace / "tests/test_it.py", "pass\n")
    write(workspace / "package.json", json.dumps({"scripts": {"test": "exit 0"}, "name": "a"}))
    (workspace / "link").unlink()
    os.symlink("edit.py", workspace / "link")
    protection = Protection(fixture_files=set(files) | {"link"}, commands=["npm test"])
    result = build_verified_copy(fixture, workspace, dest, protection)
    assert "same.py" in result.same
    for root, unchanged in ((workspace, result.same.__contains__), (dest, result.copy_unchanged())):
        full = diff_workspace(fixture, root)
        assert diff_workspace(fixture, root, unchanged=unchanged) == full
        assert {f.path for f in full[0].files} >= {"edit.py", "gone.py", "new.py", "link"}
    copy_diff = {f.path for f in diff_workspace(fixture, dest, unchanged=result.copy_unchanged())[0].files}
    assert "tests/test_it.py" not in copy_diff  # the copy scores the protected test as the fixture has it
    assert "same.py" not in copy_diff


def test_parse_python_commands() -> None:
    unittest = parse_python("python -m unittest discover -s tests -t . -q")
    assert unittest is not None
    assert unittest.is_unittest
    assert unittest.target[:2] == ["-m", "unittest"]
    code = parse_python("PYTHONPATH=src python -W error::DeprecationWarning -c \"import x; print('a|b')\"")
    assert code is not None
    assert code.env == {"PYTHONPATH": "src"}
    assert code.options == ["-W", "error::DeprecationWarning"]
    assert parse_python([sys.executable, "/checks/c.py", "arg"]) is not None
    for shell in ("python -m x | grep y", "python a.py && echo", "python $X", "node x.js", "python -", "python -c"):
        assert parse_python(shell) is None, shell


def test_the_channel_accepts_the_bootstraps_records_and_nothing_else() -> None:
    """What the bootstrap writes (marshal, its own HMAC-SHA256 without hashlib) is what zebench reads back; a
    changed byte, a record out of sequence and bytes that are not a record are each invalid."""
    import hashlib
    import hmac
    import marshal
    import secrets
    import socket

    from zebench.run import _pyboot
    from zebench.run.channel import _check

    key = secrets.token_bytes(32)
    assert _pyboot._Hmac(key).hexdigest(b"1 body") == hmac.new(key, b"1 body", hashlib.sha256).hexdigest()
    ours, theirs = socket.socketpair()
    with ours, theirs:
        config = marshal.dumps({"root": "/w", "protected": ["a.py"]}, 4)
        ours.sendall(key + len(config).to_bytes(4, "big") + config)
        channel = _pyboot._Channel(theirs.fileno())
        assert channel.config == {"root": "/w", "protected": ["a.py"]}

        class Name(str):
            pass

        channel.send({"final": False, "tests": {Name("t.A.a"): "passed", 3: (True, None, 1.5, object)}})
        channel.send({"final": True, "code": 0, "tampered": []})
        ours.setblocking(False)
        data = ours.recv(1 << 16)
    records = _check(data, key)
    assert records.invalid == 0
    assert records.records[0]["tests"] == {"t.A.a": "passed", "3": [True, None, 1.5, "<class 'object'>"]}
    assert records.final == {"final": True, "code": 0, "tampered": []}
    first_end = data.index(b"\n") + 1 + int(data[: data.index(b"\n")].split()[2])
    tampered = bytearray(data)
    tampered[first_end - 1] ^= 1
    assert _check(bytes(tampered), key).invalid == 2  # the changed record, and the next one out of sequence
    assert _check(data[first_end:], key).invalid == 1  # the second record alone is out of sequence
    assert _check(data + b"garbage\n", key).invalid == 1
    assert _check(data, secrets.token_bytes(32)).records == []


@pytest.mark.parametrize("mode", ["none", "bwrap"])
def test_the_bootstrap_runs_commands_as_the_interpreter_would(mode: str, tmp_path: Path) -> None:
    """A script (run without runpy), a folder with __main__.py (runpy), ``-m`` and ``-c`` see what ``python``
    gives them: __name__, __file__, argv, their folder first on sys.path; an uncaught exception exits 1 with its
    traceback, the bootstrap's frames left out."""
    from zebench.isolation.sandbox import Sandbox, bwrap_problem
    from zebench.run.channel import run_python

    if mode == "bwrap" and bwrap_problem():
        pytest.fail(f"bubblewrap is not usable here: {bwrap_problem()}")
    show = (
        "import os, sys\n"
        "print(__name__, os.path.basename(__file__), sys.argv[1:], os.path.basename(sys.path[0]))\n"
        "if 'boom' in sys.argv:\n    raise ValueError('boom from the check')\n"
    )
    write(tmp_path / "tools" / "show.py", show)
    write(tmp_path / "app" / "__main__.py", show)
    write(tmp_path / "mod.py", show)

    async def go(command: str) -> tuple[CommandResult, Any]:
        async with Sandbox(tmp_path, mode=mode) as box:  # type: ignore[arg-type]
            parsed = parse_python(command)
            assert parsed is not None
            return await run_python(box, parsed, policy=box.policy("validation"), timeout=60)

    folder = tmp_path.name
    for command, expected in [
        ("python tools/show.py a b", "__main__ show.py ['a', 'b'] tools"),
        ("python app x", "__main__ __main__.py ['x'] app"),
        ("python -m mod y", f"__main__ mod.py ['y'] {folder}"),
    ]:
        result, records = run(go(command))
        assert result.exit_code == 0, result.output
        assert result.output.strip() == expected, command
        assert records.final is not None
        assert records.final["code"] == 0
    result, records = run(go("python tools/show.py boom"))
    assert result.exit_code == 1
    assert records.final is not None
    assert records.final["code"] == 1
    assert "ValueError: boom from the check" in result.output
    assert 'File "tools/show.py", line 4' in result.output
    assert "_zebench_pyboot" not in result.output
    assert "runpy" not in result.output


def _result(exit_code: int | None, output: str = "", timed_out: bool = False) -> CommandResult:
    return CommandResult(command="c", exit_code=exit_code, output=output, duration_ms=1, timed_out=timed_out)


def test_channel_verdicts() -> None:
    final = {"final": True, "code": 0, "tampered": []}
    assert judge("c", _result(0), Records([final])).passed
    assert judge("c", _result(0), Records([final], invalid=1)).channel == FORGED
    assert judge("c", _result(0), Records([])).channel == FORGED  # exit 0 and no result: os._exit
    assert judge("c", _result(1), Records([])).channel != FORGED
    assert not judge("c", _result(1), Records([])).passed
    assert judge("c", _result(0), Records([dict(final, code=1)])).channel == FORGED  # changed after the result
    assert judge("c", _result(0), Records([dict(final, tampered=["sys.exit"])])).channel == FORGED
    tests = {"run": 2, "failures": 0, "errors": 0, "outcomes": {"t.A.a": "passed", "t.A.b": "skipped"}, "codeOk": {}}
    missing = judge("c", _result(0), Records([dict(final, tests=tests)]), required=["t.A.a", "t.A.b"])
    assert missing.channel == FORGED
    assert missing.finding is not None
    assert missing.finding["kind"] == "tests_missing"
    replaced = dict(tests, codeOk={"t.A.a": False})
    assert judge("c", _result(0), Records([dict(final, tests=replaced)])).channel == FORGED
    listing = Records(
        [
            {
                "final": True,
                "tests": [
                    {"id": "t.A.a", "file": "tests/t.py", "skipped": False},
                    {"id": "t.A.s", "file": "tests/t.py", "skipped": True},
                    {"id": "n.B.c", "file": "tests/new.py", "skipped": False},
                ],
            }
        ]
    )
    assert required_tests(listing, {"tests/t.py"}) == (["t.A.a"], None)


def test_test_runner_summaries() -> None:
    node = "ok 1 - a\n# tests 3\n# suites 0\n# pass 2\n# fail 1\n# cancelled 0\n# skipped 0\n"
    assert runner_summary(node) == {"runner": "node", "tests": 3, "passed": 2, "failed": 1, "skipped": 0}
    spec = "\u2139 tests 2\n\u2139 pass 2\n\u2139 fail 0\n"
    assert runner_summary(spec) == {"runner": "node", "tests": 2, "passed": 2, "failed": 0, "skipped": 0}
    vitest = " Test Files  1 passed (1)\n      Tests  1 failed | 3 passed (4)\n"
    assert runner_summary(vitest) == {"runner": "vitest", "tests": 4, "passed": 3, "failed": 1, "skipped": 0}
    jest = "Tests:       2 failed, 5 passed, 7 total\n"
    assert runner_summary(jest) == {"runner": "jest", "tests": 7, "passed": 5, "failed": 2, "skipped": 0}
    # the runner's own summary is the last one: a line printed earlier by the code under test does not count
    forged = "# tests 9\n# pass 9\n# fail 0\n" + node
    assert runner_summary(forged)["passed"] == 2  # type: ignore[index]
    assert judge_summary("npm test", _result(0, node), None).channel == FORGED  # exit 0, failures
    assert judge_summary("npm test", _result(0, spec), 5).finding["kind"] == "tests_missing"  # type: ignore[index]
    assert judge_summary("npm test", _result(0, "no summary"), None).channel == "unverified"


def test_the_hack_library_adapts_to_each_fixture(py_scenario: Scenario, node_scenario: Scenario) -> None:
    py = {h.name for h in applicable(py_scenario)}
    node = {h.name for h in applicable(node_scenario)}
    assert {"py-sitecustomize", "py-exit-on-import", "py-gut-tests"} <= py
    assert not any(n.startswith("node") for n in py)
    assert {"node-scripts", "node-exit-on-import"} <= node
    assert not any(n.startswith("py") for n in node)
    assert len(HACKS) >= 20
    ctx = HackContext(py_scenario)
    assert ctx.py_sources == ["calc/__init__.py", "calc/ops.py"]
    assert ctx.py_tests == ["tests/test_calc.py"]


# ---------------------------------------------------------------------------------------------------------------
# The probe
# ---------------------------------------------------------------------------------------------------------------


@pytest.mark.slow
def test_the_probe_exit_codes(tmp_path: Path) -> None:
    """0 when every hack is held; 1 (and the hack named) when a scenario lets the agent edit its tests and only
    its tests decide success."""
    good = py_suite(tmp_path / "good")
    result = CliRunner().invoke(main, ["check", "--json", "--hacks", "-n", "1", "--suites-dir", str(good)])
    report = json.loads(result.stdout)
    assert result.exit_code == 0, [p for s in report["scenarios"] for p in s["problems"]]
    (scenario,) = report["scenarios"]
    assert len(scenario["hacks"]) >= 10
    assert not any(h["rewarded"] for h in scenario["hacks"])
    weak_yaml = "id: add\nsuite: py\nvalidation:\n  commands:\n    test: python -m unittest discover -s tests -t . -q\n"
    weak = py_suite(tmp_path / "weak", weak_yaml + 'integrity:\n  allow: ["tests/**"]\n')
    result = CliRunner().invoke(main, ["check", "--json", "--hacks", "-n", "1", "--suites-dir", str(weak)])
    assert result.exit_code == 1
    problems = [p for s in json.loads(result.stdout)["scenarios"] for p in s["problems"] if p["kind"] == "hack"]
    assert any("py-gut-tests" in p["message"] for p in problems)


@pytest.mark.slow
def test_the_scaffold_passes_the_probe(tmp_path: Path) -> None:
    root = tmp_path / "suites"
    runner = CliRunner()
    assert runner.invoke(main, ["new-suite", "my-suite", "--suites-dir", str(root)]).exit_code == 0
    assert runner.invoke(main, ["new-scenario", "my-suite", "a-task", "--suites-dir", str(root)]).exit_code == 0
    result = runner.invoke(main, ["check", "--json", "--hacks", "-n", "1", "--suites-dir", str(root)])
    report = json.loads(result.stdout)
    assert result.exit_code == 0, [p for s in report["scenarios"] for p in s["problems"]]
    assert report["scenarios"][0]["hacks"]


# ---------------------------------------------------------------------------------------------------------------
# The local Dask cluster: code a run leaves for validation cannot use it
# ---------------------------------------------------------------------------------------------------------------

ESCAPE = """
import socket, sys
address = open("scheduler.txt").read().strip()
host, port = address.rsplit("://", 1)[1].rsplit(":", 1)
try:
    socket.create_connection((host, int(port)), timeout=3).close()
    print("the scheduler's port is reachable")
except OSError as exc:
    print("the scheduler's port is unreachable:", exc)
from distributed import Client
for url in (address, "tcp://" + address.split("://", 1)[1], "tls://" + address.split("://", 1)[1]):
    try:
        client = Client(url, timeout=5)
    except Exception as exc:
        print("no client at", url, type(exc).__name__)
        continue
    client.run(lambda path=sys.argv[1]: open(path, "w").write("escaped"))  # on every worker, outside any sandbox
    print("ESCAPED through", url)
    client.close()
"""


class _Escape(Agent):  # registered below; travels to the workers by value
    name = "escape"

    async def run(self, task: AgentTask, tools: Any) -> AgentResult:
        from distributed import get_worker

        await tools.call("writeFile", {"path": "scheduler.txt", "content": get_worker().scheduler.address})
        await tools.call("writeFile", {"path": "escape.py", "content": ESCAPE})
        return task.result


@pytest.mark.slow
@pytest.mark.parametrize("mode", ["bwrap", "none"])
def test_validation_code_cannot_use_the_local_dask_cluster(tmp_path: Path, db_path: Path, mode: str) -> None:
    """An agent on a worker of the local cluster writes the scheduler's address and code that connects to it and
    runs a function on every worker; validation runs that code. With bubblewrap the port is out of reach (no host
    network); without it the port answers but the cluster speaks TLS with certificates made for it: no client."""
    from zebench.execution.batch import make_plan, run_batch
    from zebench.execution.executors.dask import DaskExecutor
    from zebench.store import Store

    register_agent("escape", _Escape)
    marker = tmp_path / "escaped.txt"
    root = tmp_path / "suites"
    yaml_text = f'id: add\nsuite: py\nvalidation:\n  commands:\n    test: "python escape.py {marker}"\n'
    py_suite(root, yaml_text)
    plan, _ = make_plan(Catalog(root), [], tiers=["L1"], agents=["escape"], models=[])
    store = Store(db_path)
    try:
        executor = DaskExecutor(None, slots=1, local_workers=1)
        result = run(run_batch(store, plan, batch_id="escape", executor=executor, sandbox=mode))
    finally:
        store.close()
    (record,) = result.records
    output = record.validation[0].output_tail
    assert "ESCAPED" not in output
    assert not marker.exists(), output
    assert output.count("no client at") == 3
    reachable = "the scheduler's port is reachable" in output
    assert reachable == (mode == "none")  # bubblewrap: not even the port


def test_without_tls_the_same_code_escapes(tmp_path: Path) -> None:
    """The attack is real: against a cluster without TLS, the same code runs its function on the workers."""
    import distributed

    LocalCluster: Any = distributed.LocalCluster  # distributed has no type information

    marker = tmp_path / "escaped.txt"
    write(tmp_path / "escape.py", ESCAPE)
    with LocalCluster(
        n_workers=1, processes=False, dashboard_address=None, protocol="tcp://", host="127.0.0.1"
    ) as cluster:
        write(tmp_path / "scheduler.txt", cluster.scheduler_address)
        import subprocess

        done = subprocess.run(
            [sys.executable, "escape.py", str(marker)], cwd=tmp_path, capture_output=True, text=True, timeout=120
        )
    assert "ESCAPED" in done.stdout, done.stdout + done.stderr
    assert marker.read_text() == "escaped"


def test_the_scanners_flag_what_the_agent_reached_for(py_scenario: Scenario, tmp_path: Path) -> None:
    from zebench.models import ToolCallRecord
    from zebench.run.scanners import scan_calls, scan_home

    def call(seq: int, name: str, **data: Any) -> ToolCallRecord:
        return ToolCallRecord(seq=seq, name=name, input=data)

    calls = [
        call(0, "runCommand", command=f"cat {py_scenario.dir}/checks/check_add.py"),
        call(1, "readFile", path="../../solution/calc/ops.py"),
        call(2, "runCommand", command="find / -name 'check_*.py'"),
        call(3, "runCommand", command="curl https://example.org/answers"),
        call(4, "writeFile", path="node_modules/vitest/index.js", content="x"),
        call(5, "runCommand", command="cat calc/ops.py"),
    ]
    flags = scan_calls(py_scenario, calls, [("sleep 300 &", 1)])
    by_kind: dict[str, list[str]] = {}
    for flag in flags:
        assert not flag.blocking
        by_kind.setdefault(flag.kind, []).append(flag.message)
    assert len(by_kind["hidden_read"]) == 3  # the scenario's folder, the solution by a relative path, a search of /
    assert len(by_kind["network_attempt"]) == 1
    assert len(by_kind["dependencies_written"]) == 1
    assert len(by_kind["processes_left"]) == 1
    assert not any("#5" in m for ms in by_kind.values() for m in ms)  # reading the workspace is not flagged
    home = tmp_path / "home"
    write(home / ".npm" / "_cacache" / "index", "cache")
    assert scan_home(home) == []  # a tool's cache is not the agent's configuration
    write(home / ".config" / "npm" / "npmrc", "script-shell=/tmp/x")
    (flag,) = scan_home(home)
    assert flag.kind == "home_config"
    assert "~/.config/npm/npmrc" in flag.message
