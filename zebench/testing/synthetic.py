"""Deterministic synthetic batches and runs, for benchmarks at scale and for tests of the reports.

``Generator(seed).batches(n)`` yields (BatchRecord, runs) with realistic spreads: 10 agents (some with two models),
200 scenarios in 10 suites, tiers L0-L3 and Lx, repeats, mostly completed runs with some failed, timed-out and
cancelled ones, 5-6 evaluations and telemetry per run. ``details=True`` adds what a run view shows: validation
commands with output tails, a diff, a short transcript and a manifest (about 3 KB per run).
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

from ..models import (
    BatchRecord,
    Diff,
    DiffFile,
    Evaluation,
    EvaluatorKind,
    Failure,
    FailureCategory,
    Manifest,
    Message,
    RubricOverrides,
    RunRecord,
    RunStatus,
    Telemetry,
    ToolCallRecord,
    Transcript,
    ValidationResult,
)
from ..run.scoring import score_run

#: The stage names of the telemetry (the runner's when these data sets were first generated: kept, so that the
#: data sets stay the same when the runner gains a stage).
STAGES = ("setup", "workspace", "agent", "baseline", "validation", "evaluation", "results")
#: (agent, model, quality): 10 agents, 4 of them with two models, one without a model.
AGENT_MODELS = [
    ("claude-code", "claude-sonnet-4-5", 0.72),
    ("claude-code", "claude-opus-4-1", 0.78),
    ("codex", "gpt-5", 0.70),
    ("codex", "gpt-5-mini", 0.58),
    ("anthropic", "claude-haiku-4-5", 0.55),
    ("anthropic", "claude-sonnet-4-5", 0.68),
    ("openai", "gpt-4.1", 0.52),
    ("openai", "o4-mini", 0.57),
    ("gemini-cli", "gemini-2.5-pro", 0.62),
    ("aider", "gpt-4.1", 0.50),
    ("goose", "claude-sonnet-4-5", 0.60),
    ("opencode", "kimi-k2", 0.54),
    ("cursor-agent", "auto", 0.64),
    ("echo", None, 0.05),
]
SUITES = [
    "npm-upgrades",
    "python-deps",
    "framework-migrations",
    "security-patches",
    "monorepo",
    "lint-fixes",
    "typescript-strict",
    "react-router",
    "django-upgrades",
    "infra-config",
]
SCENARIOS = [(suite, f"{suite.split('-')[0]}-task-{i:02d}") for suite in SUITES for i in range(20)]
TIERS = ["L0", "L1", "L2", "L3", "Lx"]
TIER_PENALTY = {"L0": -0.05, "L1": 0.0, "L2": 0.08, "L3": 0.16, "Lx": 0.25}
#: name, kind, weight; llm_judge only in some batches (5 or 6 evaluations per run).
EVALUATORS: list[tuple[str, EvaluatorKind, float]] = [
    ("dependency_targets", "task", 3.0),
    ("dependency_constraints", "task", 2.0),
    ("heuristic_checks", "task", 2.0),
    ("package_manager", "hygiene", 1.0),
    ("integrity_guard", "hygiene", 1.0),
    ("diff_summary", "info", 0.0),
]
JUDGE: tuple[str, EvaluatorKind, float] = ("llm_judge", "task", 2.0)
FAILURES: list[tuple[FailureCategory, str, str]] = [
    ("agent", "agent", "agent exited with status 1"),
    ("validation", "validation", "install failed"),
    ("infrastructure", "workspace", "no space left on device"),
    ("rate_limited", "agent", "429 from the API"),
    ("setup", "setup", "fixture copy failed"),
    ("workspace", "workspace", "npm ci failed"),
]
START = datetime(2025, 1, 6, tzinfo=UTC)


def iso(t: datetime) -> str:
    return t.isoformat(timespec="milliseconds").replace("+00:00", "Z")


class Generator:
    """Deterministic synthetic batches and runs; ``batches()`` yields (BatchRecord, iterator of its runs)."""

    def __init__(self, seed: int, prefix: str = "r", *, details: bool = False, start: datetime = START):
        self.rng = random.Random(seed)
        self.prefix = prefix
        self.details = details
        self.clock = start
        self.difficulty = {key: self.rng.uniform(-0.1, 0.3) for key in SCENARIOS}

    def batches(self, total_runs: int) -> Iterator[tuple[BatchRecord, list[RunRecord]]]:
        rng, emitted, number = self.rng, 0, 0
        while emitted < total_runs:
            suites = rng.sample(SUITES, rng.choice([1, 2, 2, 3]))
            scenarios = [s for s in SCENARIOS if s[0] in suites]
            tiers = sorted(rng.sample(TIERS, rng.randint(2, 5)))
            agents = rng.sample(AGENT_MODELS, rng.randint(2, 5))
            repeats = rng.choice([1, 2, 2, 3])
            keys = [(s, t, a, r) for s in scenarios for t in tiers for a in agents for r in range(repeats)]
            expected = len(keys)
            if rng.random() < 0.05:  # an interrupted batch
                keys = keys[: int(len(keys) * rng.uniform(0.5, 0.99))]
            keys = keys[: total_runs - emitted]
            self.clock += timedelta(minutes=rng.uniform(20, 600))
            created = self.clock
            batch_id = f"batch-{int(created.timestamp() * 1000)}-{number:06x}"
            judge = rng.random() < 0.3
            runs = [self.run(batch_id, key, judge) for key in keys]
            batch = BatchRecord(
                batch_id=batch_id,
                created_at=iso(created),
                completed_at=runs[-1].completed_at if runs else None,
                expected_runs=expected,
                metadata={
                    "plan": {
                        "suites": suites,
                        "tiers": tiers,
                        "agents": [a[0] for a in agents],
                        "models": [a[1] for a in agents],
                        "repeat": repeats,
                    },
                    "concurrency": 8,
                },
            )
            number += 1
            emitted += len(runs)
            yield batch, runs

    def run(self, batch_id: str, key: tuple[Any, ...], judge: bool) -> RunRecord:
        # The draws from rng keep their order across the helpers: the generated data sets must stay the same.
        rng = self.rng
        (suite, scenario), tier, (agent, model, quality), repeat = key
        self.clock += timedelta(milliseconds=rng.randint(2000, 30000))  # ~8 concurrent runs of ~2 minutes
        started = self.clock
        duration = rng.randint(20_000, 900_000)
        completed = started + timedelta(milliseconds=duration)
        status, failure = self._outcome()
        scored = status in ("completed", "budget_exceeded")
        base = quality - self.difficulty[(suite, scenario)] - TIER_PENALTY[tier]
        evaluations = self._evaluations(base, scored=scored, judge=judge)
        outcome = score_run(evaluations, RubricOverrides(), completed=scored)  # the runner's scoring
        telemetry = self._telemetry(model, duration, evaluations, judge=judge)
        record = RunRecord(
            run_id=f"{int(started.timestamp() * 1000)}-{self.prefix}{rng.getrandbits(32):08x}",
            batch_id=batch_id,
            suite=suite,
            scenario=scenario,
            tier=tier,
            agent=agent,
            model=model,
            status=status,
            started_at=iso(started),
            completed_at=iso(completed),
            total_score=outcome.total_score,
            weighted_score=outcome.weighted_score,
            is_successful=outcome.is_successful,
            success_metric=outcome.success_metric,
            repeat_index=repeat,
            failure=failure,
            metadata={"turns": rng.randint(1, 40)},
            evaluations=evaluations,
            telemetry=telemetry,
        )
        if self.details:
            self.add_details(record)
        return record

    def _outcome(self) -> tuple[RunStatus, Failure | None]:
        """Mostly completed; some failed, timed-out, over budget or cancelled."""
        rng = self.rng
        roll = rng.random()
        status: RunStatus = (
            "completed"
            if roll < 0.86
            else "budget_exceeded"
            if roll < 0.87
            else "failed"
            if roll < 0.95
            else "timeout"
            if roll < 0.995
            else "cancelled"
        )
        failure = None
        if status == "failed":
            category, stage, message = rng.choice(FAILURES)
            failure = Failure(category=category, stage=stage, message=message)
        elif status == "timeout":
            failure = Failure(category="timeout", stage="agent", message="scenario timeout of 60 minutes")
        elif status == "cancelled":
            failure = Failure(category="cancelled", stage="agent", message="cancelled by the user")
        return status, failure

    def _evaluations(self, base: float, *, scored: bool, judge: bool) -> list[Evaluation]:
        """One per evaluator: task scores spread around ``base``, hygiene mostly 1; not applicable when the run
        did not complete."""
        rng = self.rng
        evaluations = []
        for name, kind, weight in EVALUATORS + ([JUDGE] if judge else []):
            if not scored:
                evaluations.append(
                    Evaluation(
                        evaluator_name=name,
                        kind=kind,
                        weight=weight,
                        applicable=False,
                        score=None,
                        details={"reason": "run did not complete"},
                    )
                )
                continue
            if kind == "hygiene":
                score = 1.0 if rng.random() < 0.93 else 0.0
            else:
                score = round(min(1.0, max(0.0, rng.gauss(base, 0.2))), 3)
            checks = rng.randint(1, 8)
            details = {"checks": checks, "passed": round(checks * score)}
            evaluations.append(
                Evaluation(
                    evaluator_name=name,
                    kind=kind,
                    weight=weight,
                    score=score,
                    details=details,
                    cost_usd=round(rng.uniform(0.002, 0.03), 4) if name == "llm_judge" else 0.0,
                )
            )
        return evaluations

    def _telemetry(self, model: str | None, duration: int, evaluations: list[Evaluation], *, judge: bool) -> Telemetry:
        rng = self.rng
        tokens_in = rng.randint(5_000, 600_000)
        tokens_out = rng.randint(500, 40_000)
        cost = None if model is None or rng.random() < 0.03 else round(tokens_in * 3e-6 + tokens_out * 15e-6, 5)
        # six figures for the stages before "baseline" was added: the last stage has none (kept: the generated
        # data sets must stay the same)
        stage_ms = dict(
            zip(
                STAGES,
                (
                    rng.randint(5, 500),
                    rng.randint(200, 20_000),
                    duration * 8 // 10,
                    rng.randint(1_000, 120_000),
                    rng.randint(10, 5_000),
                    rng.randint(1, 50),
                ),
                strict=False,
            )
        )
        return Telemetry(
            tool_calls=rng.randint(0, 120),
            tokens_in=tokens_in,
            tokens_out=tokens_out,
            cache_read_tokens=tokens_in // 2,
            cache_write_tokens=tokens_in // 10,
            cost_usd=cost,
            judge_cost_usd=sum(e.cost_usd or 0 for e in evaluations) if judge else 0.0,
            duration_ms=duration,
            stage_ms=stage_ms,
        )

    def add_details(self, record: RunRecord) -> None:
        rng = self.rng
        ok = record.is_successful
        record.validation = [
            ValidationResult(
                kind="install",
                command="npm ci",
                status="passed",
                exit_code=0,
                duration_ms=rng.randint(2_000, 40_000),
                output_tail=f"added {rng.randint(50, 900)} packages",
            ),
            ValidationResult(
                kind="test",
                command="npm test",
                status="passed" if ok else "failed",
                exit_code=0 if ok else 1,
                duration_ms=rng.randint(1_000, 60_000),
                output_tail=(
                    f"Tests: {rng.randint(5, 80)} passed"
                    if ok
                    else "FAIL src/app.test.ts\n  expected 2 received 3\nTests: 1 failed"
                ),
            ),
        ]
        before, after = f"^{rng.randint(1, 4)}.0.0", f"^{rng.randint(5, 9)}.1.0"
        record.diff = Diff(
            files=[
                DiffFile(
                    path="package.json",
                    change="modified",
                    additions=1,
                    deletions=1,
                    patch=(
                        f'--- a/package.json\n+++ b/package.json\n@@ -10,7 +10,7 @@\n   "dependencies": {{\n'
                        f'-    "react": "{before}",\n+    "react": "{after}",\n     "react-dom": "{after}"\n'
                    ),
                )
            ]
        )
        record.transcript = Transcript(
            messages=[
                Message(role="user", content=f"Upgrade react to the latest major in {record.scenario}."),
                Message(role="assistant", content="I will read package.json, update the version and run the tests."),
                Message(role="assistant", content="Done: react upgraded." if ok else "The tests still fail."),
            ],
            tool_calls=[
                ToolCallRecord(
                    seq=1,
                    name="readFile",
                    input={"path": "package.json"},
                    output=f'{{"name": "app", "dependencies": {{"react": "{before}"}}}}',
                    duration_ms=3,
                ),
                ToolCallRecord(
                    seq=2,
                    name="writeFile",
                    input={"path": "package.json", "content": "..."},
                    output="wrote 412 bytes",
                    duration_ms=2,
                ),
                ToolCallRecord(
                    seq=3,
                    name="runCommand",
                    input={"command": "npm test"},
                    output=record.validation[1].output_tail,
                    is_error=not ok,
                    duration_ms=rng.randint(1_000, 30_000),
                ),
            ],
        )
        record.manifest = Manifest(
            zebench_version="0.1.0",
            scenario_hash=f"{rng.getrandbits(64):016x}",
            prompt_hash=f"{rng.getrandbits(64):016x}",
            agent=record.agent,
            model=record.model,
            settings={"maxTurns": 40},
            python_version="3.11.7",
            platform="linux-x86_64",
        )
