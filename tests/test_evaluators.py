from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from zebench.catalog import Catalog
from zebench.evaluators import EvaluationContext, Verdict, default_weights, registry, run_evaluators
from zebench.models import Evaluation, EvaluatorKind, RubricOverrides, ValidationResult
from zebench.run.scoring import score_run, weights_for
from zebench.run.workspace import compute_diff

from .conftest import make_sandbox, make_scenario, run, write

HEURISTICS_YAML = """
id: add
suite: demo
validation:
  commands: {test: "true"}
heuristic_checks:
  enabled: true
  commands: [{name: cmd-ok, command: "test -f calc.py", weight: 1}, {name: cmd-bad, command: "exit 1", weight: 1}]
  files: [{name: has-calc, path: calc.py}, {name: no-tmp, path: tmp.txt, absent: true, weight: 2}]
  patterns:
    - {name: plus, file: "*.py", pattern: "return a \\\\+ b"}
    - {name: no-minus, file: "**/*.py", pattern: "return a - b", absent: true}
  structured:
    - {name: script, file: package.json, json_path: "$.scripts.test"}
    - {name: no-key, file: package.json, json_path: "scripts.nope", exists: false}
    - {name: list-index, file: package.json, json_path: "files[1]"}
    - {name: usage, file: README.md, section_header: "Usage"}
  scripts: [{name: args, script: check.py, args: ["${scenario.id}", "${scenario.suite}"], weight: 3}]
"""


def _context(
    tmp_path: Path,
    yaml_text: str | None = None,
    validation: list[ValidationResult] | None = None,
    edit: Callable[[Path], object] | None = None,
    fixture_extra: dict[str, str] | None = None,
    mode: str = "bwrap",
) -> EvaluationContext:
    root = tmp_path / "suites"
    make_scenario(root, yaml_text=yaml_text, extra_fixture=fixture_extra)
    scenario = Catalog(root).scenario("demo", "add")
    ws = tmp_path / "ws"
    assert scenario.fixture_dir is not None
    shutil.copytree(scenario.fixture_dir, ws)
    if edit:
        edit(ws)
    return EvaluationContext(
        scenario=scenario,
        workspace=ws,
        validation=validation or [],
        diff=compute_diff(scenario.fixture_dir, ws),
        agent_result=None,
        sandbox=make_sandbox(ws, mode),
        command_timeout=30,
    )


def _evaluate(ctx: EvaluationContext) -> dict[str, Evaluation]:
    evals = run(run_evaluators(ctx, weights_for(ctx.scenario.spec.rubric_overrides, default_weights())))
    return {e.evaluator_name: e for e in evals}


def test_builtin_evaluators_register_through_entry_points() -> None:
    assert set(registry()) == {
        "install",
        "test",
        "lint",
        "typecheck",
        "build",
        "heuristic_checks",
        "dependency_targets",
        "dependency_constraints",
        "package_manager",
        "integrity_guard",
        "diff_summary",
        "llm_judge",
    }


def test_heuristic_checks_of_every_type(tmp_path: Path) -> None:
    def edit(ws: Path) -> None:
        write(ws / "calc.py", "def add(a, b):\n    return a + b\n")
        write(ws / "package.json", json.dumps({"scripts": {"test": "vitest"}, "files": ["a", "b"]}))
        write(ws / "README.md", "# Calc\n\n## Usage\n")

    ctx = _context(tmp_path, HEURISTICS_YAML, edit=edit)
    write(ctx.scenario.dir / "check.py", "import sys\nsys.exit(0 if sys.argv[1:] == ['add', 'demo'] else 5)\n")
    result = _evaluate(ctx)["heuristic_checks"]
    checks = {c["name"]: c["passed"] for c in result.details["checks"]}
    assert checks == {
        "cmd-ok": True,
        "cmd-bad": False,
        "has-calc": True,
        "no-tmp": True,
        "plus": True,
        "no-minus": True,
        "script": True,
        "no-key": True,
        "list-index": True,
        "usage": True,
        "args": True,
    }
    assert result.score == pytest.approx(13 / 14)


def test_heuristic_checks_fail_on_the_untouched_fixture(tmp_path: Path) -> None:
    ctx = _context(tmp_path, HEURISTICS_YAML, edit=lambda ws: write(ws / "tmp.txt", "x"))
    result = _evaluate(ctx)["heuristic_checks"]
    checks = {c["name"]: c["passed"] for c in result.details["checks"]}
    assert not checks["plus"]
    assert not checks["no-minus"]
    assert not checks["no-tmp"]
    assert not checks["args"]
    # package.json is missing: the key it should have is not found, and the key it must not have is not there.
    assert not checks["script"]
    assert checks["no-key"] is True
    assert "script not found" in next(c["message"] for c in result.details["checks"] if c["name"] == "args")
    assert result.score is not None
    assert result.score < 0.3


IMPORTING_CHECKS_YAML = """
id: add
suite: demo
heuristic_checks:
  enabled: true
  commands: [{name: cmd-import, command: "cd \\"$TMPDIR\\" && python -c 'import calc; assert calc.add(2, 3) == 5'"}]
  scripts: [{name: script-import, script: checks/check_calc.py}]
"""


def test_check_scripts_and_commands_import_the_workspace(tmp_path: Path, sandbox_mode: str) -> None:
    """The workspace is on PYTHONPATH: a script in the scenario folder (and a command run from elsewhere) imports
    the agent's code without touching sys.path, in the sandbox as without it."""
    ctx = _context(
        tmp_path,
        IMPORTING_CHECKS_YAML,
        mode=sandbox_mode,
        edit=lambda ws: write(ws / "calc.py", "def add(a, b):\n    return a + b\n"),
    )
    write(
        ctx.scenario.dir / "checks" / "check_calc.py",
        """
        import os, sys
        from calc import add
        assert os.getcwd() not in sys.path[:1], sys.path  # found through PYTHONPATH, not the script's folder
        sys.exit(0 if add(2, 3) == 5 else 1)
        """,
    )
    result = _evaluate(ctx)["heuristic_checks"]
    assert result.score == 1.0, result.details
    broken = _evaluate(_context(tmp_path / "fixture", IMPORTING_CHECKS_YAML, mode=sandbox_mode))["heuristic_checks"]
    assert broken.score == 0.0
    assert "AssertionError" in broken.details["checks"][0]["message"]


def test_not_applicable_is_left_out_never_zero(tmp_path: Path) -> None:
    ctx = _context(
        tmp_path,
        validation=[ValidationResult(kind="test", command="t", status="passed", exit_code=0)],
        edit=lambda ws: write(ws / "calc.py", "def add(a, b):\n    return a + b\n"),
    )
    evals = _evaluate(ctx)
    for name in (
        "install",
        "lint",
        "typecheck",
        "build",
        "dependency_targets",
        "dependency_constraints",
        "package_manager",
        "diff_summary",
    ):
        assert not evals[name].applicable, name
        assert evals[name].score is None, name
    score = score_run(list(evals.values()), RubricOverrides(), completed=True)
    assert score.weighted_score == 10.0
    assert score.is_successful


def test_weighted_score_success_metric_and_gates() -> None:
    def ev(
        name: str, score: float | None, weight: float, kind: EvaluatorKind = "task", applicable: bool = True
    ) -> Evaluation:
        return Evaluation(evaluator_name=name, score=score, weight=weight, kind=kind, applicable=applicable)

    evals = [
        ev("test", 1.0, 3),
        ev("heuristic_checks", 0.5, 2),
        ev("lint", 0.0, 1, "hygiene"),
        ev("integrity_guard", 1.0, 1, "hygiene"),
        ev("build", None, 1, "hygiene", applicable=False),
    ]
    s = score_run(evals, RubricOverrides(), completed=True)
    assert s.weighted_score == pytest.approx(10 * (3 + 1 + 0 + 1) / 7, abs=1e-4)
    assert s.success_metric == 0.75
    assert s.is_successful
    assert s.gates == {"test": True, "integrity_guard": True}
    assert not score_run(evals, RubricOverrides(success_threshold=0.8), completed=True).is_successful
    assert not score_run(evals, RubricOverrides(), completed=False).is_successful
    failing = [ev("test", 0.0, 3)] + evals[1:]
    assert not score_run(failing, RubricOverrides(), completed=True).is_successful
    cheat = evals[:3] + [ev("integrity_guard", 0.8, 1, "hygiene")]
    assert not score_run(cheat, RubricOverrides(), completed=True).is_successful
    # rubric_overrides change the weights the evaluators carry
    weights = weights_for(RubricOverrides(weights={"lint": 0, "test": 5}), default_weights())
    assert weights["lint"] == 0
    assert weights["test"] == 5
    assert weights["heuristic_checks"] == 2


DEPS_YAML = """
id: add
suite: demo
workspace: {manager: pip}
constraints:
  managers_allowed: [pip]
  blocklist: [{name: insecure-pkg, reason: CVE}, {name: requests, versions: "<2.32"}]
  namespace_migrations: [{from: sklearn, to: scikit-learn}]
  companion_versions: [{main: requests, companions: [{name: types-requests, rule: same-minor}]}]
targets:
  required: [{name: pydantic, to: ">=2.7,<3"}, {name: PyYAML, to: ">=6"}]
  optional: [{name: rich, to: ">=13"}]
"""


def test_dependency_targets_constraints_and_lockfiles(tmp_path: Path) -> None:
    fixture = {
        "requirements.txt": "sklearn==0.0.1\nrequests==2.31.0\ntypes-requests==2.31.0.1\n",
        "pyproject.toml": '[project]\nname = "x"\nversion = "1"\ndependencies = ["pydantic>=1.10,<2", "pyyaml==5.4"]\n',
    }

    before = _evaluate(_context(tmp_path / "a", DEPS_YAML, fixture_extra=fixture))
    assert before["dependency_targets"].score == 0.0
    rules = {
        (r["rule"], r.get("name") or r.get("from")): r["passed"]
        for r in before["dependency_constraints"].details["rules"]
    }
    assert rules == {
        ("blocklist", "insecure-pkg"): True,
        ("blocklist", "requests"): False,
        ("namespace_migration", "sklearn"): False,
        ("companion", "types-requests"): True,
    }
    assert before["package_manager"].score == 1.0

    def upgrade(ws: Path) -> None:
        write(ws / "requirements.txt", "scikit-learn==1.5.0\nrequests==2.32.3\ntypes-requests==2.31.0.20240406\n")
        write(
            ws / "pyproject.toml",
            '[project]\nname = "x"\nversion = "1"\ndependencies = ["pydantic>=2.7,<3", "PyYAML>=6.0.1"]\n',
        )
        write(ws / "poetry.lock", "# lock\n")

    after = _evaluate(_context(tmp_path / "b", DEPS_YAML, edit=upgrade, fixture_extra=fixture))
    assert after["dependency_targets"].score == 1.0
    rules = {
        (r["rule"], r.get("name") or r.get("from")): r["passed"]
        for r in after["dependency_constraints"].details["rules"]
    }
    assert rules == {
        ("blocklist", "insecure-pkg"): True,
        ("blocklist", "requests"): True,
        ("namespace_migration", "sklearn"): True,
        ("companion", "types-requests"): False,
    }
    assert after["package_manager"].score == 0.0
    assert "poetry.lock" in after["package_manager"].details["findings"][0]


def test_node_ranges(tmp_path: Path) -> None:
    yaml_text = """
id: add
suite: demo
targets: {required: [{name: react, to: "^19.0.0"}, {name: vitest, to: ">=3.1"}]}
constraints: {companion_versions: [{main: react, companions: [{name: react-dom, rule: same-major}]}]}
"""
    pkg = {"dependencies": {"react": "^19.1.0", "react-dom": "19.0.2"}, "devDependencies": {"vitest": "~3.0.4"}}
    evals = _evaluate(_context(tmp_path, yaml_text, edit=lambda ws: write(ws / "package.json", json.dumps(pkg))))
    targets = {t["name"]: t["satisfied"] for t in evals["dependency_targets"].details["required"]}
    assert targets == {"react": True, "vitest": False}
    assert evals["dependency_constraints"].score == 1.0


def test_integrity_guard_findings(tmp_path: Path) -> None:
    extra = {
        "tests/test_more.py": "import unittest\nclass M(unittest.TestCase):\n"
        "    def test_x(self):\n        self.assertTrue(1)\n",
        "tools/lint.py": "print('lint ok')\n",
    }
    yaml_text = "id: add\nsuite: demo\nvalidation: {commands: {lint: python tools/lint.py, test: 'true'}}\n"

    def cheat(ws: Path) -> None:
        (ws / "tests" / "test_more.py").unlink()
        text = (ws / "tests" / "test_calc.py").read_text()
        write(
            ws / "tests" / "test_calc.py",
            text.replace("    def test_add", "    @unittest.skip('later')\n    def test_add").replace(
                "self.assertEqual(add(2, 3), 5)", "pass"
            ),
        )
        write(ws / "calc.py", "def add(a, b):  # type: ignore\n    return a - b\n")
        write(ws / "tools" / "lint.py", "pass\n")

    evals = _evaluate(_context(tmp_path, yaml_text, edit=cheat, fixture_extra=extra))
    kinds = sorted(f["kind"] for f in evals["integrity_guard"].details["findings"])
    assert kinds == ["assertions_removed", "check_changed", "check_silenced", "test_deleted", "test_skipped"]
    assert evals["integrity_guard"].score == 0.0
    clean = _evaluate(
        _context(
            tmp_path / "clean",
            yaml_text,
            fixture_extra=extra,
            edit=lambda ws: write(ws / "calc.py", "def add(a, b):\n    return a + b\n"),
        )
    )
    assert clean["integrity_guard"].score == 1.0
    summary = clean["diff_summary"]
    assert not summary.applicable
    assert summary.details["modified"] == 1


def test_an_evaluator_that_crashes_is_flagged_not_zero(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from zebench.evaluators.heuristics import HeuristicChecksEvaluator

    async def boom(self: HeuristicChecksEvaluator, ctx: EvaluationContext) -> Verdict:
        raise RuntimeError("evaluator bug")

    monkeypatch.setattr(HeuristicChecksEvaluator, "evaluate", boom)
    evals = _evaluate(_context(tmp_path))
    assert evals["heuristic_checks"].error == "RuntimeError: evaluator bug"
    assert evals["heuristic_checks"].score is None  # an error, never a score of 0
    from zebench.models import RubricOverrides, evaluator_errors
    from zebench.run.scoring import score_run

    score = score_run(list(evals.values()), RubricOverrides(), completed=True)
    assert evaluator_errors(list(evals.values())) == ["heuristic_checks"]
    assert not score.is_successful


def test_a_gate_evaluator_that_errors_fails_its_gate(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from zebench.evaluators.integrity import IntegrityGuardEvaluator
    from zebench.models import RubricOverrides, evaluator_errors
    from zebench.run.scoring import score_run

    async def boom(self: object, ctx: object) -> None:
        raise RuntimeError("guard bug")

    monkeypatch.setattr(IntegrityGuardEvaluator, "evaluate", boom)
    evals = _evaluate(_context(tmp_path))
    score = score_run(list(evals.values()), RubricOverrides(), completed=True)
    assert score.gates["integrity_guard"] is False
    assert not score.is_successful
    assert evaluator_errors(list(evals.values())) == ["integrity_guard"]


def test_an_evaluator_error_is_one_rule_for_the_score_the_metadata_and_the_counts() -> None:
    """models.evaluator_errors decides it once: an evaluator that failed and counts (weight above 0, or a gate)
    makes the run unsuccessful and is counted; one of weight 0 that is not a gate changes nothing."""
    from zebench.models import Evaluation, RubricOverrides, RunRecord, evaluator_errors
    from zebench.run.scoring import score_run
    from zebench.store import run_rows

    passing = [Evaluation(evaluator_name="test", kind="task", weight=3.0, score=1.0)]
    info_failed = [*passing, Evaluation(evaluator_name="diff_summary", kind="info", weight=0.0, error="bug")]
    task_failed = [*passing, Evaluation(evaluator_name="llm_judge", weight=2.0, error="no key")]
    rubric = RubricOverrides()
    base = {"run_id": "r", "suite": "s", "scenario": "c", "tier": "L0", "agent": "a", "status": "completed"}
    for evaluations, errors in ((passing, []), (info_failed, []), (task_failed, ["llm_judge"])):
        assert evaluator_errors(evaluations) == errors
        assert score_run(evaluations, rubric, completed=True).is_successful == (not errors)
        record = RunRecord.model_validate({**base, "started_at": "2026-01-01T00:00:00Z", "evaluations": evaluations})
        assert run_rows(record)["benchmark_runs"][0]["evaluator_errors"] == len(errors)


def test_the_original_companion_rule_wording(tmp_path: Path) -> None:
    yaml_text = """
id: add
suite: demo
constraints: {companion_versions: [{main: react, companions: [{name: "@types/react", rule: "major must match"}]}]}
"""
    aligned = {"dependencies": {"react": "18.3.1"}, "devDependencies": {"@types/react": "18.3.12"}}
    evals = _evaluate(
        _context(tmp_path / "a", yaml_text, edit=lambda ws: write(ws / "package.json", json.dumps(aligned)))
    )
    assert evals["dependency_constraints"].score == 1.0, evals["dependency_constraints"].details
    apart = {"dependencies": {"react": "19.0.0"}, "devDependencies": {"@types/react": "18.3.12"}}
    evals = _evaluate(
        _context(tmp_path / "b", yaml_text, edit=lambda ws: write(ws / "package.json", json.dumps(apart)))
    )
    assert evals["dependency_constraints"].score == 0.0


ORIGINAL_RUBRIC = {  # nx-pnpm-monorepo's rubric_overrides.weights, as the original's file has them
    "install_success": 1.0,
    "tests_nonregression": 1.5,
    "manager_correctness": 1.0,
    "used_manager_commands": 0.6,
    "semantic_upgrade_quality": 0.8,
    "companion_alignment": 0.7,
    "deprecated_handling": 0.5,
    "namespace_migrations": 0.7,
    "breaking_changes_strategy": 0.7,
    "monorepo_handling": 0.8,
    "user_questions_quality": 0.4,
    "efficiency": 0.5,
    "llm_judge": 1.0,
}
NX_CATEGORIES = [  # its judge's categories, by name
    "Dependency Update Correctness (30%): ...",
    "Constraint Compliance (25%): ...",
    "Monorepo Handling (20%): ...",
    "Breaking Changes Strategy (15%): ...",
    "Package Manager Correctness (10%): ...",
]


def test_the_original_rubric_names_count_for_the_evaluators_that_measure_them() -> None:
    weights = weights_for(RubricOverrides(weights=ORIGINAL_RUBRIC), default_weights(), NX_CATEGORIES)
    assert (weights["install"], weights["test"], weights["package_manager"]) == (1.0, 1.5, 1.0)
    # companion alignment, deprecated handling and namespace migrations: the rules of dependency_constraints
    assert weights["dependency_constraints"] == pytest.approx(0.7 + 0.5 + 0.7)
    # the judge's own weight, and the metrics its categories judge (no category for the questions)
    assert weights["llm_judge"] == pytest.approx(1.0 + 0.6 + 0.8 + 0.7 + 0.8)
    # without categories for them, the judge keeps its own weight; evaluators the rubric does not name keep theirs
    bare = weights_for(RubricOverrides(weights=ORIGINAL_RUBRIC), default_weights(), [])
    assert bare["llm_judge"] == 1.0
    assert bare["dependency_targets"] == default_weights()["dependency_targets"]
    questions = weights_for(
        RubricOverrides(weights={"user_questions_quality": 0.4}), default_weights(), ["Clarifying Questions (100%)"]
    )
    assert questions["llm_judge"] == 0.4  # named only through the metric: its weight, not the default plus it
    assert "efficiency" not in {k for k, v in weights.items() if k in default_weights()}


def test_every_original_metric_is_mapped_or_says_why_not() -> None:
    from zebench.models import ORIGINAL_METRICS

    names = set(default_weights())
    for name, metric in ORIGINAL_METRICS.items():
        assert metric.measured, name
        assert metric.how, name
        assert metric.evaluator is None or metric.evaluator in names, name
        assert (metric.evaluator == "llm_judge") == bool(metric.category_words), name
    assert set(ORIGINAL_METRICS) == set(ORIGINAL_RUBRIC) - {"install_success", "tests_nonregression"} - {
        "manager_correctness",
        "llm_judge",
    }
