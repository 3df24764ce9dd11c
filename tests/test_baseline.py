"""Baseline commands (the original's ``baseline.run``), scenarios without a workspace, missing tools."""

from __future__ import annotations

import json
from collections.abc import Coroutine
from pathlib import Path
from typing import Any

from zebench.catalog import Catalog
from zebench.execution.batch import make_plan, run_batch
from zebench.execution.runner import RunOptions, RunSpec, run_one
from zebench.models import BaselineCommand, ValidationCommands
from zebench.run.validation import list_required_tests, run_baseline
from zebench.store import Store

from .conftest import cancelled_after, make_scenario, run, stored_run, write

BASELINE_YAML = """
id: add
suite: demo
timeout_minutes: 2
baseline:
  run:
    - cmd: "python -m unittest discover -s tests -t . -q"
    - cmd: "python -c 'import time; print(time.time_ns())'"
validation:
  commands:
    test: "python -m unittest discover -s tests -t . -q"
"""

#: A fixture whose test passes before the agent: breaking it is a regression.
PASSING_FIXTURE = {"calc.py": "def add(a, b):\n    return a + b\n"}


def test_baseline_runs_once_per_scenario_and_batch_and_flags_regressions(tmp_path: Path, store: Store) -> None:
    root = tmp_path / "suites"
    base = make_scenario(root, yaml_text=BASELINE_YAML, tiers=("L0", "L1"), extra_fixture=PASSING_FIXTURE)
    calls = write(
        tmp_path / "calls.json",
        json.dumps([{"name": "writeFile", "input": {"path": "calc.py", "content": "def add(a, b):\n    return 0\n"}}]),
    )
    plan, _ = make_plan(
        Catalog(root),
        [],
        tiers=[],
        agents=["echo", "replay"],
        models=[],
        repeat=2,
        agent_settings={"replay_file": str(calls)},
    )
    result = run(run_batch(store, plan, concurrency=4, workspace_root=tmp_path / "ws"))
    records = [stored_run(store, r.run_id) for r in result.records]
    assert len(records) == 8
    baselines = {json.dumps([b.model_dump() for b in r.baseline]) for r in records}
    assert len(baselines) == 1, "every run of the batch reuses the one baseline (same timestamp output)"
    assert records[0] is not None
    first = records[0].baseline
    assert [(b.kind, b.status) for b in first] == [("test", "passed"), ("baseline", "passed")]
    for record in records:
        assert record is not None
        test = next(v for v in record.validation if v.kind == "test")
        assert test.baseline_status == "passed"
        if record.agent == "replay":
            assert test.status == "failed"
            assert test.regression
            assert record.metadata["regressions"] == ["test"]
        else:
            assert test.status == "passed"
            assert not test.regression
            assert "regressions" not in record.metadata
    assert records[0].telemetry is not None
    assert "baseline" in records[0].telemetry.stage_ms
    assert (base / "repo-fixture" / "calc.py").read_text() == PASSING_FIXTURE["calc.py"]
    assert list((tmp_path / "ws").iterdir()) == [], "the baseline's workspace is removed too"
    # "before" and "after" side by side in the API's run detail
    from zebench.store import query_run_detail

    detail = query_run_detail(store.conn, records[-1].run_id)
    assert detail is not None
    assert len(detail["baselineResults"]) == 2
    assert detail["validationResults"][0]["baselineStatus"] == "passed"


ARTIFACT_YAML = """
id: design-review
suite: demo
title: Review a design
artifact: {type: figma, figma_file_id: "abc123", figma_file_key: "v2"}
workspace: {required: false}
validation: {required: false, commands: {test: "false"}}
success_criteria: ["Tokens extracted"]
heuristic_checks:
  enabled: true
  scripts: [{name: args, script: check.py,
             args: ["${artifact.figma_file_id}", "${scenario.id}", "${scenario.suite}", "${artifact.nope}"]}]
llm_judge: {enabled: true, categories: ["Accuracy (50%): right", "Clarity (Weight: 50%): clear"]}
"""


def test_a_scenario_without_workspace_runs_in_an_empty_one_with_the_artifact_in_its_prompt(tmp_path: Path) -> None:
    root = tmp_path / "suites"
    base = root / "demo" / "scenarios" / "design"
    write(base / "scenario.yaml", ARTIFACT_YAML)
    write(
        base / "check.py",
        "import json, os, sys\nprint(json.dumps(sys.argv[1:]))\nsys.exit(0 if os.listdir('.') == [] else 3)\n",
    )
    write(root / "demo" / "prompts" / "design" / "L1-basic.md", "Extract the design tokens.\n")
    scenario = Catalog(root).scenario("demo", "design")
    assert scenario.fixture_dir is None
    assert scenario.warnings == []
    record = run(run_one(RunSpec(scenario, "L1", "echo"), RunOptions(judge_settings={"enabled": False})))
    assert record.status == "completed", "validation.required: false skips it"
    assert record.validation == [], "validation.required: false skips it"
    assert record.telemetry is not None
    assert record.telemetry.prompt_sent is not None
    assert record.telemetry.prompt_sent.startswith("Extract the design tokens.\n\n## Artifact Information")
    assert "**Figma File ID**: abc123" in record.telemetry.prompt_sent
    assert record.metadata["artifact"] == {"type": "figma", "figma_file_id": "abc123", "figma_file_key": "v2"}
    assert record.metadata["workspace"] == "none"
    by_name = {e.evaluator_name: e for e in record.evaluations}
    check = by_name["heuristic_checks"].details["checks"][0]
    assert check["passed"], check["message"]  # ran in an empty workspace
    assert '["abc123", "design-review", "demo", "${artifact.nope}"]' in check["message"]
    assert not by_name["integrity_guard"].applicable
    assert not by_name["test"].applicable
    assert by_name["llm_judge"].applicable is False  # --no-judge here; with a key the judge scores it
    assert record.weighted_score == 10.0


def test_a_missing_tool_is_an_infrastructure_failure_naming_it(tmp_path: Path) -> None:
    root = tmp_path / "suites"
    make_scenario(
        root,
        yaml_text="id: add\nsuite: demo\nvalidation: {commands: {install: 'CI=1 pnpm-nope install', "
        "test: 'true'}}\nbaseline: {run: [{cmd: 'cd . && true'}]}\n",
    )
    record = run(run_one(RunSpec(Catalog(root).scenario("demo", "add"), "L1", "oracle"), RunOptions()))
    assert record.status == "failed"
    assert record.failure is not None
    assert (record.failure.category, record.failure.stage) == ("infrastructure", "setup")
    assert "pnpm-nope is not installed (needed by `CI=1 pnpm-nope install`)" in record.failure.message
    assert record.transcript is not None
    assert record.transcript.tool_calls == [], "the agent did not run"


def test_a_baseline_or_test_listing_cancelled_at_any_step_leaves_no_copy_behind(tmp_path: Path) -> None:
    """The batch cancels them when its last run ends (BaselineCache.close), often while the fixture is being
    copied in a thread: the copy is removed before the task ends, whatever step the cancellation hits."""
    fixture = tmp_path / "fixture"
    for i in range(40):
        write(fixture / "pkg" / f"m{i}.py", f"X = {i}\n")
    write(fixture / "tests" / "__init__.py", "")
    write(fixture / "tests" / "test_m.py", "import unittest\nclass T(unittest.TestCase):\n    def test(self): pass\n")
    root = tmp_path / "workspaces"
    command = "python -m unittest discover -s tests -t . -q"

    def baseline() -> Coroutine[Any, Any, object]:
        return run_baseline(
            [BaselineCommand(cmd=command)], fixture, ValidationCommands(test=command), timeout=60, workspace_root=root
        )

    def listing() -> Coroutine[Any, Any, object]:
        return list_required_tests(command, fixture, ["tests/test_m.py"], timeout=60, workspace_root=root)

    for start in (baseline, listing):
        cancelled = [cancelled_after(start, steps) for steps in range(1, 8)]
        assert any(cancelled), "some cancellation landed before the end"
        assert list(root.iterdir()) == [], start.__name__  # asyncio.run waited for every thread
