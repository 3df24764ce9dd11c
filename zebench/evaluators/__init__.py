"""Evaluators: each looks at a finished run and returns a score in [0, 1] with details, or "not applicable".

Not applicable means left out of the weighting, never counted as 0. Built-in evaluators register through the
``zebench.evaluators`` entry point, the same way a third-party package would add one.
"""

from __future__ import annotations

import asyncio
import traceback
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from .. import plugins
from ..models import Diff, Evaluation, EvaluatorKind, ToolCallRecord, ValidationResult

if TYPE_CHECKING:
    from ..agents import AgentResult
    from ..catalog import Scenario
    from ..isolation.sandbox import Sandbox
    from ..run.channel import ScoringChannels
    from ..run.verifier import Verification

ENTRY_POINT_GROUP = plugins.EVALUATORS


@dataclass
class EvaluationContext:
    scenario: Scenario
    workspace: Path
    validation: list[ValidationResult]
    diff: Diff
    agent_result: AgentResult | None
    #: Runs the scenario's check commands (policy "check"); None: a ``--sandbox none`` one of the workspace.
    sandbox: Sandbox | None = None
    command_timeout: float = 600.0
    prompt: str = ""
    #: Run-wide evaluator settings (the judge's provider, model override, on/off).
    settings: dict[str, Any] = field(default_factory=dict)
    #: The verified copy ``workspace`` is (zebench.run.verifier) and its findings; None: the agent's own
    #: workspace is evaluated (verification off).
    verification: Verification | None = None
    #: Findings and flags of the run's commands (a forged result channel) and scanners, as JSON objects with a
    #: ``blocking`` key: the integrity guard, which runs after the other evaluators, counts the blocking ones.
    flags: list[dict[str, Any]] = field(default_factory=list)
    #: Runs the scoring commands of heuristic checks through their result channels (zebench.run.channel);
    #: None: plain exit codes (verification off).
    channels: ScoringChannels | None = None
    #: The agent's tool calls through the toolbox (the judge is shown its askUser questions).
    tool_calls: list[ToolCallRecord] = field(default_factory=list)

    @property
    def fixture(self) -> Path | None:
        return self.scenario.fixture_dir

    def command_sandbox(self) -> Sandbox:
        if self.sandbox is None:
            from ..isolation.sandbox import Sandbox

            self.sandbox = Sandbox(self.workspace, mode="none")
        return self.sandbox


@dataclass
class Verdict:
    score: float | None
    details: Any = None
    applicable: bool = True
    #: What evaluating cost (the LLM judge's model calls); None = unknown.
    cost_usd: float | None = 0.0

    @classmethod
    def not_applicable(cls, reason: str, **details: Any) -> Verdict:
        return cls(score=None, details={"reason": reason, **details}, applicable=False)


class Evaluator(ABC):
    name: ClassVar[str]
    #: task: measures whether the task was done (feeds successMetric); hygiene: side conditions; info: unscored.
    kind: ClassVar[EvaluatorKind] = "task"
    default_weight: ClassVar[float] = 1.0
    description: ClassVar[str] = ""
    #: Runs once the others are done (the integrity guard reads what their commands found).
    runs_last: ClassVar[bool] = False

    @abstractmethod
    async def evaluate(self, ctx: EvaluationContext) -> Verdict: ...


def registry() -> dict[str, type[Evaluator]]:
    """Every evaluator, by name (zebench.plugins: a missing or broken entry is an error, never left out)."""
    return plugins.load_all(plugins.EVALUATORS, Evaluator)


def register_evaluator(name: str, cls: type[Evaluator]) -> None:
    """Register an evaluator class in this process (for scripts and tests; packages use the entry point)."""
    plugins.register(plugins.EVALUATORS, name, cls, Evaluator)


def default_weights() -> dict[str, float]:
    return {name: cls.default_weight for name, cls in registry().items()}


async def run_evaluators(
    ctx: EvaluationContext, weights: dict[str, float], *, only: frozenset[str] | set[str] | None = None
) -> list[Evaluation]:
    """Run every registered evaluator concurrently. One that raises is recorded as an error: its message, no score
    (scoring.score_run: a gate that errors fails, and the run is not successful). With ``only``, the other
    evaluators are recorded as not applicable without running (artifact scenarios)."""
    evaluators = [cls() for _, cls in sorted(registry().items())]

    async def one(ev: Evaluator) -> Evaluation:
        weight = weights.get(ev.name, ev.default_weight)
        if only is not None and ev.name not in only:
            return Evaluation(
                evaluator_name=ev.name,
                kind=ev.kind,
                weight=weight,
                applicable=False,
                details={"reason": "the scenario has no workspace to evaluate"},
            )
        try:
            verdict = await ev.evaluate(ctx)
        except Exception as exc:  # an evaluator bug or a judge without its key must not lose the run
            return Evaluation(
                evaluator_name=ev.name,
                kind=ev.kind,
                weight=weight,
                applicable=True,
                score=None,
                cost_usd=None,
                error=f"{type(exc).__name__}: {exc}",
                details={"traceback": traceback.format_exc(limit=5)},
            )
        score = None if verdict.score is None else min(1.0, max(0.0, float(verdict.score)))
        return Evaluation(
            evaluator_name=ev.name,
            kind=ev.kind,
            weight=weight,
            score=score,
            applicable=verdict.applicable and score is not None,
            details=verdict.details,
            cost_usd=verdict.cost_usd,
        )

    first = await asyncio.gather(*(one(ev) for ev in evaluators if not ev.runs_last))
    last = await asyncio.gather(*(one(ev) for ev in evaluators if ev.runs_last))
    by_name = {e.evaluator_name: e for e in [*first, *last]}
    return [by_name[ev.name] for ev in evaluators]


@dataclass
class Findings:
    """A list of named problems, scored as 1 - penalty per finding."""

    items: list[dict[str, Any]] = field(default_factory=list)

    def add(self, kind: str, path: str | None, message: str) -> None:
        self.items.append({"kind": kind, "path": path, "message": message})
