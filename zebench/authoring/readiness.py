"""``zebench check``: does a scenario keep its promises before it ships?

What SWE-bench's and Harbor's task builders check before a task is published: the reference solution passes,
doing nothing fails, and the checks give the same answer every time. For each selected scenario:

* the files: scenario.yaml loaded and validated as ``zebench list --strict`` does (every warning is a problem),
  the oracle answers, the heuristic check scripts it names;
* the prompts: one for every tier expected (``--tier``, else the tiers of the suite's prompts/policy.yaml), none
  empty, no file in the prompt folder whose name is not a tier file name (it would be ignored);
* the solution: not empty, not identical to the fixture, its ``.deleted`` entries present in the fixture;
* runs, ``repeat`` times each, through the batch runner (``make_plan`` and ``run_batch``: one batch per repeat, so
  the baseline commands run every time too): the scenario's baseline commands, the echo agent (changes nothing)
  and the oracle (applies solution/) when there is a solution. The LLM judge is not run (it needs a model API);
* what the runs show: the oracle successful at 10/10 every time (else which evaluator or check fell short, with
  its message), echo unsuccessful every time, no flaky check (a validation command, heuristic check, evaluator or
  baseline command whose outcome differs between repeats), no slow command (validation or baseline slower than
  ``slow_seconds`` or than half its time limit), baseline commands that could run.

A finding is a problem (the check fails) or a note (said, not a failure: e.g. a scenario without a solution).
"""

from __future__ import annotations

import filecmp
import json
import secrets
import time
from collections import defaultdict
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, computed_field
from pydantic.alias_generators import to_camel

from ..catalog import Catalog, CatalogError, Scenario, tier_of
from ..constants import CHECK_REPEAT
from ..evaluators import registry
from ..evaluators.commands import ValidationCommandEvaluator
from ..execution.batch import Reporter, StopRequest
from ..isolation.processes import Limits
from ..models import SCORED_STATUSES, RunRecord, ValidationResult
from ..run.protection import Protection
from ..run.verifier import fixture_files
from ..store import Store
from .probe import MARGIN, HackOutcome, probe_scenarios, run_unjudged

DEFAULT_REPEAT = CHECK_REPEAT
#: A validation or baseline command slower than this (or than half its time limit) is reported as slow.
DEFAULT_SLOW_SECONDS = 60.0
SLOW_SHARE_OF_TIMEOUT = 0.5
#: The agents a check runs: the baseline agent, and the oracle where there is a solution.
ECHO, ORACLE = "echo", "oracle"
#: Lines of a command's output quoted in a problem.
QUOTED_LINES = 8
QUOTED_CHARS = 900

ProblemKind = Literal["file", "prompts", "solution", "baseline", "oracle", "echo", "flaky", "slow", "hack"]
PROBLEM_KINDS: tuple[ProblemKind, ...] = (
    "file",
    "prompts",
    "solution",
    "baseline",
    "oracle",
    "echo",
    "flaky",
    "slow",
    "hack",
)


class CheckModel(BaseModel):
    """camelCase in JSON, like the run record."""

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True)


class Problem(CheckModel):
    #: What it is about (the table's column): file, prompts, solution, baseline, oracle, echo, flaky, slow.
    kind: ProblemKind
    message: str


class RunOutcome(CheckModel):
    """One run the check made."""

    repeat: int = Field(description="1-based")
    agent: str
    run_id: str
    batch_id: str | None = None
    status: str
    weighted_score: float | None = None
    is_successful: bool = False


class BaselineOutcome(CheckModel):
    """One baseline command in one repeat."""

    repeat: int
    kind: str
    command: str
    status: str
    exit_code: int | None = None
    duration_ms: int = 0


class ScenarioCheck(CheckModel):
    suite: str
    scenario: str
    #: The tier whose prompt the runs got (echo and the oracle do not read it); None when nothing ran.
    tier: str | None = None
    problems: list[Problem] = Field(default_factory=list)
    notes: list[str] = Field(default_factory=list)
    runs: list[RunOutcome] = Field(default_factory=list)
    baseline: list[BaselineOutcome] = Field(default_factory=list)
    #: ``--hacks``: each hack of the built-in library that applies, and how it fared (zebench.authoring.probe).
    hacks: list[HackOutcome] = Field(default_factory=list)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def key(self) -> str:
        return f"{self.suite}/{self.scenario}"

    def add(self, kind: ProblemKind, message: str) -> None:
        self.problems.append(Problem(kind=kind, message=message))

    def problems_of(self, kind: str) -> list[Problem]:
        return [p for p in self.problems if p.kind == kind]


class CheckReport(CheckModel):
    repeat: int
    #: The database the runs were stored in; None: a temporary one, removed after the check.
    database: str | None = None
    scenarios: list[ScenarioCheck] = Field(default_factory=list)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def ok(self) -> bool:
        return all(s.ok for s in self.scenarios)

    def to_json(self) -> dict[str, Any]:
        return self.model_dump(mode="json", by_alias=True)


# --------------------------------------------------------------------------------------------------------------
# What the files say
# --------------------------------------------------------------------------------------------------------------


def _warning_kind(warning: str) -> ProblemKind:
    if warning.startswith(("no prompt files", "tier ")):
        return "prompts"
    if warning.startswith("solution/"):
        return "solution"
    return "file"


def inspect_scenario(
    catalog: Catalog, suite: str, name: str, tiers: list[str] | None = None
) -> tuple[Scenario | None, ScenarioCheck]:
    """Load one scenario and check its files, prompts and solution without running anything. The scenario is
    None when it does not load (the problem says why)."""
    check = ScenarioCheck(suite=suite, scenario=name)
    try:
        scenario = catalog.scenario(suite, name)
    except CatalogError as exc:
        check.add("file", str(exc))
        return None, check
    for warning in scenario.warnings:
        check.add(_warning_kind(warning), f"{warning} (an error for `zebench list --strict`)")
    try:
        scenario.oracle_answers  # noqa: B018 (loaded for its errors)
    except CatalogError as exc:
        check.add("file", str(exc))
    _inspect_prompts(catalog, scenario, check, tiers)
    _inspect_solution(scenario, check)
    checks = scenario.spec.heuristic_checks
    if checks.enabled:
        for i, script in enumerate(checks.scripts):
            if not (scenario.dir / script.script).is_file():
                check.add(
                    "file",
                    f"heuristic_checks.scripts[{i}] ({script.name}): {script.script} not found in {scenario.dir}",
                )
    if scenario.spec.llm_judge.enabled:
        check.notes.append("llm_judge is enabled: check does not run it (it needs a model API)")
    return scenario, check


def _inspect_prompts(catalog: Catalog, scenario: Scenario, check: ScenarioCheck, tiers: list[str] | None) -> None:
    folder = catalog.root / scenario.suite / "prompts" / scenario.name
    expected, source = (tiers, "--tier") if tiers else (sorted(scenario.policy.tiers), "prompts/policy.yaml")
    missing = [t for t in expected if t not in scenario.prompts]
    if missing:
        check.add(
            "prompts",
            f"no prompt for tier{'s' if len(missing) > 1 else ''} {', '.join(missing)} (expected by "
            f"{source}): add {folder}/<Tier>-<name>.md, e.g. {missing[0]}-basic.md",
        )
    for tier, path in sorted(scenario.prompts.items()):
        if not path.read_text(encoding="utf-8", errors="replace").strip():
            check.add("prompts", f"{path} is empty: the agent would get no task at tier {tier}")
    if folder.is_dir():
        for file in sorted(folder.iterdir()):
            if file.is_file() and not file.name.startswith(".") and tier_of(file.name) is None:
                check.add(
                    "prompts",
                    f"{file} is not a prompt file name, so it is ignored: name prompts "
                    "<Tier>-<name>.md with a tier L0-L9 or Lx, e.g. L1-basic.md",
                )


def _inspect_solution(scenario: Scenario, check: ScenarioCheck) -> None:
    if not scenario.spec.needs_workspace:
        check.notes.append("no workspace (artifact or workspace.required: false): the oracle is not run")
        return
    solution, fixture = scenario.solution_dir, scenario.fixture_dir
    if solution is None:
        check.notes.append(
            "no solution/: the oracle is not run (add the solved files to check that the task can be "
            "done and that the checks recognise it)"
        )
        return
    written, deleted = scenario.solution_changes()
    if not written and not deleted:
        return  # the catalog's warning says solution/ is empty
    assert fixture is not None
    same = [
        rel
        for rel in written
        if (fixture / rel).is_file()
        and not (fixture / rel).is_symlink()
        and filecmp.cmp(fixture / rel, solution / rel, shallow=False)
    ]
    absent = [rel for rel in deleted if not (fixture / rel).exists() and not (fixture / rel).is_symlink()]
    if len(same) == len(written) and len(absent) == len(deleted):
        check.add(
            "solution",
            "solution/ changes nothing: every file in it equals the fixture's"
            + (" and every path in .deleted is absent from it" if deleted else ""),
        )
        return
    if same:
        check.notes.append(f"solution/ files equal to the fixture's (not needed): {', '.join(same)}")
    if absent:
        check.add("solution", f"solution/.deleted lists {', '.join(absent)}, which repo-fixture/ does not have")
    _inspect_protected(scenario, check, [r for r in written if r not in same], deleted)


def _inspect_protected(scenario: Scenario, check: ScenarioCheck, written: list[str], deleted: list[str]) -> None:
    """Paths the reference solution changes that the verifier protects: it would restore them before scoring, so
    the task as written cannot be scored. Say which key of scenario.yaml allows each (docs/scenario-format.md)."""
    fixture, solution = scenario.fixture_dir, scenario.solution_dir
    assert fixture is not None and solution is not None
    protection = Protection.for_spec(scenario.spec, fixture_files(fixture))
    for rel in [*written, *deleted]:
        reason = protection.reason(rel)
        if reason is None:
            continue
        verb = "deletes" if rel in deleted else "changes" if (fixture / rel).exists() else "adds"
        key = "integrity.protect" if reason.startswith("protected by the scenario") else "integrity.allow"
        fix = (
            f"remove {rel} from {key}"
            if key == "integrity.protect"
            else f'allow it with `integrity: {{allow: ["{rel}"]}}` in scenario.yaml'
        )
        check.add(
            "solution",
            f"solution/ {verb} {rel}, which zebench protects ({reason}): the verifier restores it before scoring, so "
            f"the oracle's change is not scored; {fix} (docs/scenario-format.md#integrity)",
        )
    for rel in written:
        if rel.rsplit("/", 1)[-1] == "package.json" and (fixture / rel).is_file():
            for key in _changed_entries(fixture / rel, solution / rel, protection, rel):
                check.add(
                    "solution",
                    f"solution/{rel} changes the script entry {key}, which zebench protects (a package.json script "
                    f'that validation runs): allow it with `integrity: {{allow: ["{rel}#{key}"]}}` in '
                    "scenario.yaml (docs/scenario-format.md#integrity)",
                )


def _changed_entries(before: Path, after: Path, protection: Protection, rel: str) -> list[str]:
    """The protected entries of a package.json that differ between two versions."""
    try:
        old, new = json.loads(before.read_text(encoding="utf-8")), json.loads(after.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    if not isinstance(old, dict) or not isinstance(new, dict):
        return []
    changed = []
    for rule in protection.protected_keys(rel, in_fixture=True):
        if not rule.key.startswith("scripts.") or protection.key_allowed(rel, rule.key):
            continue
        name = rule.key.split(".", 1)[1]
        was = old.get("scripts", {}).get(name) if isinstance(old.get("scripts"), dict) else None
        now = new.get("scripts", {}).get(name) if isinstance(new.get("scripts"), dict) else None
        if was != now:
            changed.append(rule.key)
    return changed


# --------------------------------------------------------------------------------------------------------------
# What the runs show
# --------------------------------------------------------------------------------------------------------------

#: Runs of one scenario: agent -> [(repeat, record)] in repeat order.
Runs = dict[str, list[tuple[int, RunRecord]]]


def _quote(text: str, workspace: str | None = None) -> str:
    """The end of a command's output, short: the last non-blank lines, workspace paths made stable."""
    if workspace:  # outputs name the workspace by its folder (the runner strips the host path before it)
        text = text.replace(workspace, "<workspace>").replace(Path(workspace).name + "/", "<workspace>/")
    lines = [line.rstrip() for line in text.strip().splitlines() if line.strip()]
    quoted = "\n".join(lines[-QUOTED_LINES:])
    return quoted if len(quoted) <= QUOTED_CHARS else "..." + quoted[-QUOTED_CHARS:]


def _where(repeats: list[int], total: int) -> str:
    if len(repeats) == total:
        return "in every run" if total > 1 else "in its run"
    return f"in run{'s' if len(repeats) > 1 else ''} {', '.join(map(str, repeats))} of {total}"


def _score(record: RunRecord) -> str:
    return "no score" if record.weighted_score is None else f"{record.weighted_score:.1f}/10"


def _validation_kinds() -> set[str]:
    return {name for name, cls in registry().items() if issubclass(cls, ValidationCommandEvaluator)}


def shortfalls(record: RunRecord) -> list[str]:
    """Why a run is not successful at 10/10: each evaluator or check that fell short, with its message."""
    workspace = record.telemetry.workspace_dir if record.telemetry else None
    if record.status not in SCORED_STATUSES:
        failure = record.failure
        if failure is None:
            return [f"the run ended {record.status}"]
        return [
            f"the run ended {record.status} ({failure.category}, {failure.stage} stage): "
            + _quote(failure.message, workspace)
        ]
    out: list[str] = []
    validation = {v.kind: v for v in record.validation}
    commands = _validation_kinds()
    for e in record.evaluations:
        if e.error:
            out.append(f"evaluator {e.evaluator_name} failed: {e.error}")
            continue
        score = e.normalized_score
        if not e.applicable or e.weight <= 0 or score is None or score >= 1:
            continue
        if e.evaluator_name in commands and e.evaluator_name in validation:
            v = validation[e.evaluator_name]
            out.append(
                f"validation {v.kind} `{v.command}` {v.status}"
                + (f" (exit code {v.exit_code})" if v.exit_code is not None else "")
                + (f":\n{_quote(v.output_tail, workspace)}" if v.output_tail.strip() else "")
            )
        elif e.evaluator_name == "heuristic_checks" and isinstance(e.details, dict):
            for c in e.details.get("checks", []):
                if not c.get("passed"):
                    out.append(
                        f"heuristic check {c.get('name')} ({c.get('type')}) failed: "
                        f"{_quote(str(c.get('message', '')), workspace)}"
                    )
        elif isinstance(e.details, dict) and isinstance(e.details.get("findings"), list):
            findings = "; ".join(
                f"{f.get('message')}" + (f" ({f.get('path')})" if f.get("path") else "")
                if isinstance(f, dict)
                else str(f)
                for f in e.details["findings"]
            )
            out.append(f"{e.evaluator_name} scored {score:.2f}: {findings}")
        else:
            details = json.dumps(e.details, default=str)
            out.append(
                f"{e.evaluator_name} scored {score:.2f}: "
                + (details if len(details) <= QUOTED_CHARS else details[:QUOTED_CHARS] + "...")
            )
    if not out and not record.is_successful:
        gates = [name for name, held in (record.metadata.get("gates") or {}).items() if not held]
        out.append(f"unsuccessful at {_score(record)}" + (f" (gates that failed: {', '.join(gates)})" if gates else ""))
    return out


def _assess_oracle(check: ScenarioCheck, runs: list[tuple[int, RunRecord]]) -> None:
    found: dict[str, list[tuple[int, RunRecord]]] = defaultdict(list)
    for repeat, record in runs:
        if record.status in SCORED_STATUSES and record.weighted_score == 10 and record.is_successful:
            continue
        for message in shortfalls(record) or [f"scored {_score(record)}"]:
            found[message].append((repeat, record))
    for message, where in found.items():
        scores = ", ".join(dict.fromkeys(_score(r) for _, r in where))
        outcome = "successful" if all(r.is_successful for _, r in where) else "unsuccessful"
        check.add(
            "oracle",
            f"the oracle (the reference solution) scored {scores}, {outcome}, "
            f"{_where([n for n, _ in where], len(runs))}: {message}",
        )


def _assess_echo(check: ScenarioCheck, runs: list[tuple[int, RunRecord]]) -> None:
    failed = [(n, r) for n, r in runs if r.status not in SCORED_STATUSES]
    for message, where in _group(failed, lambda r: shortfalls(r)[0]).items():
        check.add("echo", f"the echo run (changes nothing) could not be scored {_where(where, len(runs))}: {message}")
    successful = [(n, r) for n, r in runs if r.is_successful]
    if successful:
        scores = ", ".join(dict.fromkeys(_score(r) for _, r in successful))
        check.add(
            "echo",
            f"echo (changes nothing) was successful at {scores} "
            f"{_where([n for n, _ in successful], len(runs))}: the untouched fixture already passes; "
            "make a validation command or a heuristic check fail on it",
        )


def _group(runs: list[tuple[int, RunRecord]], key: Any) -> dict[str, list[int]]:
    out: dict[str, list[int]] = defaultdict(list)
    for repeat, record in runs:
        out[key(record)].append(repeat)
    return out


def _outcomes(values: dict[int, Any]) -> str:
    return ", ".join(f"{value} in run {repeat}" for repeat, value in sorted(values.items()))


def _assess_flaky(check: ScenarioCheck, agent: str, runs: list[tuple[int, RunRecord]]) -> None:
    """Outcomes that differ between repeats of the same agent on the same untouched input."""
    if len(runs) < 2:
        return
    statuses = {n: r.status for n, r in runs}
    if len(set(statuses.values())) > 1:
        check.add("flaky", f"{agent}: the run ended {_outcomes(statuses)}")
    scored = [(n, r) for n, r in runs if r.status in SCORED_STATUSES]
    if len(scored) < 2:
        return
    validation: dict[tuple[str, str], dict[int, str]] = defaultdict(dict)
    checks: dict[str, dict[int, str]] = defaultdict(dict)
    scores: dict[str, dict[int, float | None]] = defaultdict(dict)
    for n, record in scored:
        for v in record.validation:
            validation[(v.kind, v.command)][n] = v.status
        for e in record.evaluations:
            if e.evaluator_name == "heuristic_checks" and isinstance(e.details, dict):
                for c in e.details.get("checks", []):
                    checks[f"{c.get('name')} ({c.get('type')})"][n] = "passed" if c.get("passed") else "failed"
            elif e.kind != "info" and e.evaluator_name not in _validation_kinds():
                scores[e.evaluator_name][n] = e.normalized_score
    for (kind, command), seen in validation.items():
        if len(set(seen.values())) > 1:
            check.add("flaky", f"{agent}: validation {kind} `{command}` {_outcomes(seen)}")
    for name, seen in checks.items():
        if len(set(seen.values())) > 1:
            check.add("flaky", f"{agent}: heuristic check {name} {_outcomes(seen)}")
    for name, values in scores.items():
        if len(set(values.values())) > 1:
            shown = {n: "n/a" if s is None else f"{s:.2f}" for n, s in values.items()}
            check.add("flaky", f"{agent}: evaluator {name} scored {_outcomes(shown)}")


def _baselines(runs: Runs) -> dict[int, list[ValidationResult]]:
    """The baseline results of each repeat (every run of a batch carries the same ones)."""
    out: dict[int, list[ValidationResult]] = {}
    for agent_runs in runs.values():
        for repeat, record in agent_runs:
            if record.baseline and repeat not in out:
                out[repeat] = record.baseline
    return dict(sorted(out.items()))


def _assess_baseline(check: ScenarioCheck, scenario: Scenario, runs: Runs) -> None:
    per_repeat = _baselines(runs)
    statuses: dict[tuple[int, str], dict[int, str]] = defaultdict(dict)
    unusable: dict[str, list[int]] = defaultdict(list)
    for repeat, results in per_repeat.items():
        for seq, v in enumerate(results):
            check.baseline.append(
                BaselineOutcome(
                    repeat=repeat,
                    kind=v.kind,
                    command=v.command,
                    status=v.status,
                    exit_code=v.exit_code,
                    duration_ms=v.duration_ms,
                )
            )
            statuses[(seq, v.command)][repeat] = v.status
            if v.status == "timeout":
                unusable[f"baseline `{v.command}` timed out"].append(repeat)
            elif v.exit_code in (126, 127):
                what = "not found" if v.exit_code == 127 else "not executable"
                unusable[
                    f"baseline `{v.command}` could not run (exit code {v.exit_code}: command {what}):\n"
                    f"{_quote(v.output_tail)}"
                ].append(repeat)
    for message, repeats in unusable.items():
        check.add("baseline", f"{message} ({_where(repeats, len(per_repeat))})")
    for (_, command), seen in statuses.items():
        if len(set(seen.values())) > 1:
            check.add("flaky", f"baseline `{command}` {_outcomes(seen)}")


def _assess_slow(check: ScenarioCheck, scenario: Scenario, runs: Runs, slow_seconds: float) -> None:
    spec = scenario.spec
    limits = {c.cmd: c.timeout_seconds or spec.validation.timeout_seconds for c in spec.baseline.run}
    longest: dict[tuple[str, str, str], int] = {}
    for agent_runs in runs.values():
        for _, record in agent_runs:
            for source, results in (("validation", record.validation), ("baseline", record.baseline)):
                for v in results:
                    key = (source, v.kind, v.command)
                    longest[key] = max(longest.get(key, 0), v.duration_ms)
    for (source, kind, command), ms in longest.items():
        limit = (
            limits.get(command, spec.validation.timeout_seconds)
            if source == "baseline"
            else spec.validation.timeout_seconds
        )
        threshold = min(slow_seconds, SLOW_SHARE_OF_TIMEOUT * limit)
        why = (
            f"the {slow_seconds:g} s of --slow-seconds"
            if threshold == slow_seconds
            else f"half its {limit:g} s time limit"
        )
        label = f"validation {kind}" if source == "validation" else "baseline"
        if ms / 1000 > threshold:
            check.add("slow", f"{label} `{command}` took up to {ms / 1000:.1f} s, over {why}: every run waits for it")


def assess(
    check: ScenarioCheck, scenario: Scenario, runs: Runs, *, slow_seconds: float = DEFAULT_SLOW_SECONDS
) -> ScenarioCheck:
    """Add to ``check`` what the runs of a scenario show (pure: records in, problems out)."""
    for agent, agent_runs in sorted(runs.items()):
        for repeat, record in agent_runs:
            check.runs.append(
                RunOutcome(
                    repeat=repeat,
                    agent=agent,
                    run_id=record.run_id,
                    batch_id=record.batch_id,
                    status=record.status,
                    weighted_score=record.weighted_score,
                    is_successful=record.is_successful,
                )
            )
    if ORACLE in runs:
        _assess_oracle(check, runs[ORACLE])
    if ECHO in runs:
        _assess_echo(check, runs[ECHO])
    for agent, agent_runs in sorted(runs.items()):
        _assess_flaky(check, agent, agent_runs)
    _assess_baseline(check, scenario, runs)
    _assess_slow(check, scenario, runs, slow_seconds)
    return check


# --------------------------------------------------------------------------------------------------------------
# The check
# --------------------------------------------------------------------------------------------------------------


def _run_tier(scenario: Scenario) -> str:
    return "L1" if "L1" in scenario.prompts else scenario.tiers[0]


def _batch_id(repeat: int) -> str:
    return f"check-{int(time.time() * 1000)}-{secrets.token_hex(3)}-r{repeat}"


async def check_scenarios(
    catalog: Catalog,
    selectors: list[str],
    store: Store,
    *,
    repeat: int = DEFAULT_REPEAT,
    tiers: list[str] | None = None,
    slow_seconds: float = DEFAULT_SLOW_SECONDS,
    concurrency: int = 4,
    sandbox: str = "auto",
    timeout_seconds: float | None = None,
    limits: Limits | None = None,
    database: str | None = None,
    reporter: Reporter | None = None,
    stop: StopRequest | None = None,
    hacks: bool = False,
) -> CheckReport:
    """Check the selected scenarios (see the module docstring), storing the runs in ``store``; with ``hacks``, also
    replay the built-in hack library (zebench.authoring.probe). CatalogError for an unknown suite or scenario
    (nothing ran); BatchInterrupted when ``stop`` is requested."""
    if repeat < 1:
        raise ValueError("--repeat must be at least 1")
    report = CheckReport(repeat=repeat, database=database)
    loaded: list[tuple[Scenario, ScenarioCheck]] = []
    for suite, name in catalog.select_keys(selectors):
        scenario, check = inspect_scenario(catalog, suite, name, tiers)
        report.scenarios.append(check)
        if scenario is None:
            continue
        if not scenario.prompts:
            check.notes.append("not run: it has no prompt")
            continue
        check.tier = _run_tier(scenario)
        loaded.append((scenario, check))
    # One batch per repeat and group of scenarios run by the same agents on the same tier.
    groups: dict[tuple[tuple[str, ...], str], list[Scenario]] = defaultdict(list)
    for scenario, check in loaded:
        agents: tuple[str, ...] = (ECHO, ORACLE) if scenario.spec.needs_workspace and scenario.has_solution else (ECHO,)
        groups[(agents, check.tier or "")].append(scenario)
    runs: dict[str, Runs] = {s.key: defaultdict(list) for s, _ in loaded}
    for n in range(1, repeat + 1):
        for (agents, tier), scenarios in groups.items():
            records = await run_unjudged(
                catalog,
                store,
                scenarios,
                tier,
                list(agents),
                batch_id=_batch_id(n),
                concurrency=concurrency,
                sandbox=sandbox,
                timeout_seconds=timeout_seconds,
                limits=limits,
                reporter=reporter,
                stop=stop,
            )
            for record in records:
                runs[f"{record.suite}/{record.scenario}"][record.agent].append((n, record))
    for scenario, check in loaded:
        assess(check, scenario, dict(runs[scenario.key]), slow_seconds=slow_seconds)
    if hacks:
        outcomes = await probe_scenarios(
            catalog,
            [(s, c.tier or "") for s, c in loaded],
            store,
            concurrency=concurrency,
            sandbox=sandbox,
            timeout_seconds=timeout_seconds,
            limits=limits,
            reporter=reporter,
            stop=stop,
            batch_prefix=f"check-{int(time.time() * 1000)}-{secrets.token_hex(3)}-hacks",
        )
        for scenario, check in loaded:
            assess_hacks(check, outcomes.get(scenario.key, []))
    return report


def assess_hacks(check: ScenarioCheck, outcomes: list[HackOutcome]) -> None:
    """Problems for the hacks that were rewarded; notes for those that left no trace on their run."""
    check.hacks = outcomes
    for outcome in outcomes:
        seen = ", ".join([*outcome.findings, *outcome.flags]) or "nothing"
        score = "no score" if outcome.weighted_score is None else f"{outcome.weighted_score:.1f}/10"
        echo = "no score" if outcome.echo_score is None else f"{outcome.echo_score:.1f}"
        if outcome.rewarded:
            why = "successful" if outcome.is_successful else f"more than {MARGIN:g} above echo's {echo}"
            check.add(
                "hack",
                f"hack {outcome.hack} ({outcome.family}) scored {score}, {why}: the scenario's checks reward it "
                f"(run {outcome.run_id}; it was flagged with: {seen}). docs/integrity.md says how to close it",
            )
        elif not outcome.findings and not outcome.flags:
            check.notes.append(f"hack {outcome.hack} ({outcome.family}) was held ({score}) and left no finding or flag")


def run_check(catalog: Catalog, selectors: list[str], *, db_path: Path | None = None, **options: Any) -> CheckReport:
    """:func:`check_scenarios` with the runs stored in ``db_path``, else in a temporary database removed afterwards
    (a check never writes the user's database unless asked); SIGINT and SIGTERM stop it (BatchInterrupted).
    ``options`` go to check_scenarios."""
    import asyncio
    import tempfile

    from ..execution.batch import stop_on_signals

    async def checked(store: Store) -> CheckReport:
        stop = StopRequest()
        with stop_on_signals(stop):
            return await check_scenarios(
                catalog, selectors, store, database=str(db_path) if db_path else None, stop=stop, **options
            )

    with tempfile.TemporaryDirectory(prefix="zebench-check-") as tmp:
        with Store(db_path or Path(tmp) / "check.db") as store:
            return asyncio.run(checked(store))
