from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from zebench.catalog import Catalog, CatalogError, load_spec, new_scenario, new_suite, tier_of
from zebench.cli import main

from .conftest import make_scenario, write

FULL_YAML = """
id: full
suite: demo
title: Every key
description: All keys of the reference doc
timeout_minutes: 5
workspace: {required: true, node: "20", manager: pnpm, managers_allowed: [pnpm], workspaces: ["packages/*"]}
constraints:
  managers_allowed: [pnpm]
  blocklist: [{name: left-pad, reason: unsafe}, {name: lodash, versions: "<4.17.21"}]
  namespace_migrations: [{from: "@old/core", to: "@new/core"}]
  companion_versions: [{main: react, companions: [{name: react-dom, rule: same-version}]}]
targets: {required: [{name: react, to: "^19.0.0"}], optional: [{name: vitest, to: "^3.0.0"}]}
validation:
  required: true
  commands: {install: "true", test: "true", lint: "true", typecheck: "true", build: "true"}
oracle: {answers_file: answers.json}
heuristic_checks:
  enabled: true
  commands: [{name: c, command: "true", weight: 2, description: d}]
  files: [{name: f, path: README.md}]
  patterns: [{name: p, file: "**/*.py", pattern: "^import os"}]
  structured: [{name: s, file: package.json, json_path: "scripts.test", exists: true},
               {name: h, file: README.md, section_header: "## Usage"}]
  scripts: [{name: sc, script: check.py, args: ["${scenario.id}"]}]
llm_judge: {enabled: true, model: claude-sonnet-4-6, temperature: 0, max_tokens: 2000,
            categories: ["Correctness (Weight: 60%): works, Score 1-5"]}
rubric_overrides: {weights: {test: 5}}
warmup: {enabled: true, type: scripted, commands: ["true"]}
reference_path: ref/
tags: [a, b]
difficulty: hard
"""


def test_every_reference_key_is_parsed(tmp_path: Path) -> None:
    spec = load_spec(write(tmp_path / "scenario.yaml", FULL_YAML))
    assert spec.workspace.manager == "pnpm"
    assert spec.workspace.workspaces == ["packages/*"]
    assert spec.constraints.blocklist[1].versions == "<4.17.21"
    assert spec.constraints.namespace_migrations[0].from_ == "@old/core"
    assert spec.constraints.companion_versions[0].companions[0].rule == "same-version"
    assert spec.targets.required[0].to == "^19.0.0"
    assert spec.targets.optional[0].name == "vitest"
    assert spec.validation.commands.items()[-1] == ("build", "true")
    assert spec.oracle.answers_file == "answers.json"
    checks = spec.heuristic_checks
    assert (checks.commands[0].weight, checks.structured[1].section_header, checks.scripts[0].args) == (
        2,
        "## Usage",
        ["${scenario.id}"],
    )
    assert spec.llm_judge.model == "claude-sonnet-4-6"
    assert spec.llm_judge.max_tokens == 2000
    assert spec.rubric_overrides.weights == {"test": 5}
    assert spec.warmup.commands == ["true"]
    assert spec.reference_path == "ref/"
    assert spec.tags == ["a", "b"]
    assert spec.difficulty == "hard"
    assert spec.timeout_minutes == 5


@pytest.mark.parametrize(
    "replace, key_path",
    [
        (("timeout_minutes: 5", "timeout_minutes: soon"), "timeout_minutes"),
        (("{name: left-pad, reason: unsafe}", "{reason: unsafe}"), "constraints.blocklist[0].name"),
        (('pattern: "^import os"', 'pattern: "(["'), "heuristic_checks.patterns[0].pattern"),
        (('json_path: "scripts.test", ', ""), "heuristic_checks.structured[0]"),
    ],
)
def test_invalid_file_names_file_and_key_path(tmp_path: Path, replace: tuple[str, str], key_path: str) -> None:
    old, new = replace
    assert old in FULL_YAML
    path = write(tmp_path / "scenario.yaml", FULL_YAML.replace(old, new))
    with pytest.raises(CatalogError) as info:
        load_spec(path)
    assert str(path) in str(info.value)
    assert f"- {key_path}" in str(info.value)


def test_invalid_scenario_makes_list_and_run_exit_2(tmp_path: Path) -> None:
    root = tmp_path / "suites"
    base = make_scenario(root)
    (base / "scenario.yaml").write_text("id: add\nsuite: demo\ntimeout_minutes: -1\n")
    for args in (["list"], ["run", "--agent", "echo", "--db", str(tmp_path / "x.db")]):
        result = CliRunner().invoke(main, [*args, "--suites-dir", str(root)])
        assert result.exit_code == 2, result.output
        assert "scenario.yaml" in result.output
        assert "timeout_minutes" in result.output
    assert not (tmp_path / "x.db").exists()


def test_tiers_and_repo_alias(tmp_path: Path) -> None:
    assert [tier_of(n) for n in ("L1.md", "L1-basic.md", "Lx-adv.md", "L12-x.md", "L1basic.md", "README.md")] == [
        "L1",
        "L1",
        "Lx",
        "L12",
        None,
        None,
    ]
    root = tmp_path / "suites"
    base = make_scenario(root, tiers=("L0", "L2", "Lx", "L1"))
    (base / "repo-fixture").rename(base / "repo")
    scenario = Catalog(root).scenario("demo", "add")
    assert scenario.tiers == ["L0", "L1", "L2", "Lx"]
    assert scenario.fixture_dir == base / "repo"


def test_list_shows_suites_scenarios_tiers(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = tmp_path / "suites"
    make_scenario(root, tiers=("L0", "L1"))
    make_scenario(root, suite="other", name="sub", tiers=("Lx",))
    monkeypatch.setenv("ZEBENCH_SUITES_DIR", str(root))
    result = CliRunner().invoke(main, ["list", "--json"])
    assert result.exit_code == 0, result.output
    import json

    rows = {(r["suite"], r["scenario"]): r["tiers"] for r in json.loads(result.output)}
    assert rows == {("demo", "add"): ["L0", "L1"], ("other", "sub"): ["Lx"]}


def test_missing_suites_dir_is_a_clear_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["list", "--suites-dir", str(tmp_path / "nope")])
    assert result.exit_code == 2
    assert "suites directory not found" in result.output


def test_scaffolding_enforces_kebab_case_and_produces_a_loadable_scenario(tmp_path: Path) -> None:
    root = tmp_path / "suites"
    runner = CliRunner()
    assert runner.invoke(main, ["new-suite", "Bad_Name", "--suites-dir", str(root)]).exit_code == 2
    assert runner.invoke(main, ["new-suite", "my-suite", "--suites-dir", str(root)]).exit_code == 0
    assert runner.invoke(main, ["new-scenario", "my-suite", "NotKebab", "--suites-dir", str(root)]).exit_code == 2
    result = runner.invoke(main, ["new-scenario", "my-suite", "first-task", "--suites-dir", str(root)])
    assert result.exit_code == 0, result.output
    scenario = Catalog(root).scenario("my-suite", "first-task")
    assert scenario.tiers == ["L0", "L1", "L2"]
    assert (scenario.dir / "repo-fixture" / "README.md").is_file()
    assert scenario.oracle_answers == {}
    with pytest.raises(CatalogError):
        new_scenario(root, "my-suite", "first-task")
    with pytest.raises(CatalogError):
        new_suite(root, "my-suite")


def test_select_unknown_names(suites: Path) -> None:
    catalog = Catalog(suites)
    assert [s.key for s in catalog.select(["demo"])] == ["demo/add"]
    with pytest.raises(CatalogError, match="unknown suite"):
        catalog.select(["nope"])
    with pytest.raises(CatalogError, match="unknown scenario demo/nope"):
        catalog.select(["demo/nope"])


def test_unknown_keys_are_warnings_naming_the_nearest_key_and_errors_with_strict(tmp_path: Path) -> None:
    root = tmp_path / "suites"
    make_scenario(
        root,
        yaml_text="id: add\nsuite: demo\ndificulty: hard\nworkspace: {requird: true}\n"
        "heuristic_checks: {patterns: [{name: p, file: x, pattern: y, wieght: 2}]}\n",
    )
    scenario = Catalog(root).scenario("demo", "add")
    assert scenario.spec.difficulty is None
    assert "unknown key dificulty (did you mean difficulty?); ignored" in scenario.warnings
    assert "unknown key workspace.requird (did you mean required?); ignored" in scenario.warnings
    assert "unknown key heuristic_checks.patterns[0].wieght (did you mean weight?); ignored" in scenario.warnings
    with pytest.raises(CatalogError, match="--strict") as info:
        Catalog(root, strict=True).scenario("demo", "add")
    assert "dificulty" in str(info.value)
    assert "scenario.yaml" in str(info.value)
    result = CliRunner().invoke(main, ["list", "--suites-dir", str(root)])
    assert result.exit_code == 0
    assert "did you mean difficulty?" in result.output
    result = CliRunner().invoke(main, ["list", "--strict", "--suites-dir", str(root)])
    assert result.exit_code == 2
    assert "dificulty" in result.output


def test_list_reports_every_broken_file_then_exits_2(tmp_path: Path) -> None:
    root = tmp_path / "suites"
    make_scenario(root, name="good")
    make_scenario(root, name="bad-one", yaml_text="id: x\nsuite: demo\ntimeout_minutes: soon\n")
    make_scenario(root, suite="other", name="bad-two", yaml_text="id: y\nsuite: other\nvalidation: [1]\n")
    result = CliRunner().invoke(main, ["list", "--json", "--suites-dir", str(root)])
    assert result.exit_code == 2
    assert "bad-one" in result.output
    assert "timeout_minutes" in result.output
    assert "bad-two" in result.output
    assert "validation" in result.output
    assert '"scenario": "good"' in result.output


def test_deeply_nested_yaml_is_a_clear_error(tmp_path: Path) -> None:
    path = write(tmp_path / "scenario.yaml", "id: x\nsuite: y\ntags: " + "[" * 20000 + "]" * 20000 + "\n")
    with pytest.raises(CatalogError, match="nested too deeply"):
        load_spec(path)


def test_every_real_scenario_of_the_original_loads(original_suites: Path) -> None:
    scenarios, errors = Catalog(original_suites).load_all()
    assert errors == []
    assert len(scenarios) == sum(1 for _ in original_suites.glob("*/scenarios/*/scenario.yaml"))
    by_key = {s.key: s for s in scenarios}
    nextjs = by_key["next.js/001-server-component"]
    assert [c.cmd for c in nextjs.spec.baseline.run] == ["pnpm install", "pnpm build", "pnpm lint", "pnpm test"]
    assert nextjs.spec.id == "ZE_nextjs_server_component"
    assert nextjs.fixture_dir is not None
    assert not nextjs.warnings, nextjs.warnings
    figma = by_key["figma-analysis/mcp-example-file"]
    assert figma.fixture_dir is None
    assert not figma.spec.runs_validation
    assert figma.spec.artifact is not None
    assert figma.spec.artifact.fields() == {
        "type": "figma",
        "figma_file_id": "6vcQXB7D6W5auK4J0b5JUO",
    }
    prompt = figma.prompt("L1")
    assert prompt.startswith(
        (original_suites / "figma-analysis/prompts/mcp-example-file/L1-basic.md").read_text().rstrip("\n")
    )
    assert "## Artifact Information" in prompt
    assert "**Figma File ID**: 6vcQXB7D6W5auK4J0b5JUO" in prompt
    demo = by_key["mcp-demos/figma-api-demo"]
    assert demo.spec.estimated_time == "5m"
    assert demo.spec.difficulty == "basic"
    assert "mcp" in demo.spec.tags
    assert len(demo.spec.success_criteria) == 4
    assert demo.spec.hints[0].startswith("Start by verifying")
    assert demo.fixture_dir is None
    assert not demo.spec.runs_validation
    update = by_key["update-deps/nx-pnpm-monorepo"]
    policy = update.tier_policy("Lx")
    assert policy is not None
    assert policy.description == "Adversarial / conflicting info"
    assert policy.askUser_bonus == 0.25
    from zebench.evaluators.judge import parse_categories
    from zebench.run.scoring import weights_for

    for scenario in scenarios:
        if scenario.spec.llm_judge.categories:
            categories = parse_categories(scenario.spec.llm_judge.categories)
            assert abs(sum(c.weight for c in categories) - 100) < 1e-6, scenario.key
    weights = weights_for(update.spec.rubric_overrides, {"install": 3.0, "test": 3.0, "package_manager": 1.0})
    assert (weights["install"], weights["test"], weights["package_manager"]) == (1.0, 1.5, 1.0)


def test_the_original_scenario_template_loads_without_warnings(original_suites: Path) -> None:
    from zebench.catalog import load_spec_with_warnings

    spec, warnings = load_spec_with_warnings(original_suites / "scenario-template.yaml")
    assert warnings == []
    assert spec.heuristic_checks.scripts[0].args == ["--file-id", "${artifact.figma_file_id}"]
    assert spec.workspace.workspaces == "none"
    assert spec.rubric_overrides.weights["install_success"] == 2.0


def test_original_judge_category_spellings() -> None:
    from zebench.evaluators.judge import parse_categories

    parsed = parse_categories(["MCP Tool Usage (40%): Does the agent use tools?", "Auth (Weight: 60%): Checks auth"])
    assert [(c.name, c.weight, c.description) for c in parsed] == [
        ("MCP Tool Usage", 40.0, "Does the agent use tools?"),
        ("Auth", 60.0, "Checks auth"),
    ]


def test_durations() -> None:
    from zebench.models import parse_duration

    assert [parse_duration(t) for t in ("5m", "90s", "1h30m", "2", "1.5h", "soon", "")] == [
        300,
        90,
        5400,
        120,
        5400,
        None,
        None,
    ]
