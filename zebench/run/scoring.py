"""Weighted score (0-10), success metric and success flag. The formulas are documented in docs/scoring.md."""

from __future__ import annotations

from dataclasses import dataclass

from ..models import (
    GATE_EVALUATORS,
    ORIGINAL_EVALUATOR_NAMES,
    ORIGINAL_METRICS,
    Evaluation,
    RubricOverrides,
    evaluator_errors,
    total_score,
)

#: Validation commands whose failure makes a run unsuccessful whatever its score (gates, with the integrity guard:
#: models.GATE_EVALUATORS).
GATE_COMMANDS = tuple(name for name in GATE_EVALUATORS if name != "integrity_guard")


@dataclass
class Score:
    weighted_score: float | None
    success_metric: float | None
    is_successful: bool
    gates: dict[str, bool]

    @property
    def total_score(self) -> float | None:
        """zebench's totalScore (models.total_score: the weighted score on the 0-1 scale)."""
        return total_score(self.weighted_score)


def weights_for(
    rubric: RubricOverrides, defaults: dict[str, float], judge_categories: list[str] | None = None
) -> dict[str, float]:
    """Default weights overridden by the scenario's. The original's rubric names count for zebench's evaluators:
    a renamed one (ORIGINAL_EVALUATOR_NAMES) gives its evaluator its weight (the zebench name, given too, wins);
    one measured by an evaluator (ORIGINAL_METRICS) adds its weight to that evaluator's, so that the score is the
    weighted mean the original's rubric describes, each metric counted once. A metric the judge measures counts
    only when one of ``judge_categories`` judges it; one zebench does not score (efficiency) is left out. An
    evaluator the scenario's weights name only through measured metrics gets their sum (not its default)."""
    weights = dict(defaults)
    given: dict[str, float] = {}  # evaluator -> the weight the scenario gives it under its own or a renamed name
    added: dict[str, float] = {}
    for name, weight in rubric.weights.items():
        target = ORIGINAL_EVALUATOR_NAMES.get(name)
        metric = ORIGINAL_METRICS.get(name)
        if target is not None:
            if target not in rubric.weights:
                given[target] = weight
        elif metric is not None:
            if metric.evaluator is not None and (
                metric.evaluator != "llm_judge" or metric.judged_by(judge_categories or []) is not None
            ):
                added[metric.evaluator] = added.get(metric.evaluator, 0.0) + weight
        else:
            given[name] = weight
        weights[name] = weight
    weights.update(given)
    for evaluator, extra in added.items():
        weights[evaluator] = round(given.get(evaluator, 0.0) + extra, 6)  # 3.9, not 3.8999999999999995
    return weights


def score_run(evaluations: list[Evaluation], rubric: RubricOverrides, completed: bool) -> Score:
    """Score a run from its evaluations; each Evaluation already carries its weight.

    weightedScore = 10 * sum(score * weight) / sum(weight) over applicable evaluators with weight > 0;
    successMetric = mean score of the applicable "task" evaluators with weight > 0 (weightedScore / 10 if none);
    isSuccessful = completed and every gate holds and successMetric >= the threshold and no evaluator error
    (models.evaluator_errors: an evaluator that failed and counts, with a weight above 0 or as a gate). Gates:
    install and test passed (when the scenario has them) and the integrity guard found nothing; a gate evaluator
    that failed (error) fails its gate. An evaluator that failed has no score: the weighted score and the success
    metric are computed without it.
    """
    # every figure on the 0-1 scale: an evaluation may be out of another maxScore
    normalized = [(e, e.normalized_score) for e in evaluations]
    scored = [(e, s) for e, s in normalized if e.applicable and s is not None and e.weight > 0]
    weight_sum = sum(e.weight for e, _ in scored)
    weighted = round(10 * sum(s * e.weight for e, s in scored) / weight_sum, 4) if weight_sum else None
    task = [s for e, s in scored if e.kind == "task"]
    if task:
        metric: float | None = round(sum(task) / len(task), 4)
    else:
        metric = None if weighted is None else round(weighted / 10, 4)
    by_name = {e.evaluator_name: e for e in evaluations}
    gates: dict[str, bool] = {}
    for name in GATE_EVALUATORS:
        e = by_name.get(name)
        if e is not None and (e.applicable or e.error is not None):  # an error has no score: the gate fails
            gates[name] = e.normalized_score == 1.0
    successful = (
        completed
        and all(gates.values())
        and metric is not None
        and metric >= rubric.success_threshold
        and not evaluator_errors(evaluations)
    )
    return Score(weighted, metric, successful, gates)
