"""One evaluator per validation command: 1 when it exited 0, 0 otherwise, not applicable when absent."""

from __future__ import annotations

from typing import ClassVar

from ..models import EvaluatorKind
from . import EvaluationContext, Evaluator, Verdict


class ValidationCommandEvaluator(Evaluator):
    command_kind: ClassVar[str]
    __test__ = False  # "TestEvaluator" is not a pytest test class

    async def evaluate(self, ctx: EvaluationContext) -> Verdict:
        result = next((r for r in ctx.validation if r.kind == self.command_kind), None)
        if result is None:
            return Verdict.not_applicable(f"the scenario has no {self.command_kind} command")
        details = {
            "command": result.command,
            "status": result.status,
            "exitCode": result.exit_code,
            "durationMs": result.duration_ms,
        }
        return Verdict(score=1.0 if result.status == "passed" else 0.0, details=details)


def _make(kind: str, evaluator_kind: EvaluatorKind, weight: float) -> type[ValidationCommandEvaluator]:
    return type(
        f"{kind.capitalize()}Evaluator",
        (ValidationCommandEvaluator,),
        {
            "name": kind,
            "command_kind": kind,
            "kind": evaluator_kind,
            "default_weight": weight,
            "description": f"The {kind} validation command exits 0.",
            "__module__": __name__,
        },
    )


InstallEvaluator = _make("install", "hygiene", 1.0)
TestEvaluator = _make("test", "task", 3.0)
LintEvaluator = _make("lint", "hygiene", 1.0)
TypecheckEvaluator = _make("typecheck", "hygiene", 1.0)
BuildEvaluator = _make("build", "hygiene", 1.0)
