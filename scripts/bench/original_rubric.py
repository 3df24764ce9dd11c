#!/usr/bin/env python3
"""How the original project's rubric weights change the scores of its scenarios (issue 26, point 5).

For every scenario of the original's suites whose ``rubric_overrides.weights`` name a metric of its rubric that no
zebench evaluator is named after (models.ORIGINAL_METRICS), this runs the ``echo`` agent once (the untouched
fixture; the original's scenarios have no reference solution, so ``oracle`` changes nothing either), with the
scenario's LLM judge answered by zebench.testing.FakeModelServer on 127.0.0.1 (no key, no network but the package
registry the validation commands need). Then it scores the stored evaluations again with the judge at every
level (all categories 1/5 ... 5/5), under the weights zebench used before (the original's names of its three
renamed evaluators only; the other names ignored) and under today's (scoring.weights_for), and prints both.

    ZEBENCH_ORIGINAL_SUITES=../shared/reference/original-suites python scripts/bench/original_rubric.py

Needs Node and pnpm (./scripts/install-node.sh) for the scenarios' validation commands.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

from zebench.catalog import Catalog
from zebench.evaluators import default_weights
from zebench.execution.runner import RunOptions, RunSpec, run_one
from zebench.models import ORIGINAL_METRICS, Evaluation, RubricOverrides
from zebench.run.scoring import score_run, weights_for
from zebench.testing import FakeModelServer, chat_message, tool_use


def judge_answer(request: dict[str, Any], level: int) -> dict[str, Any]:
    """The judge's forced tool call with every category of the request at ``level`` (1-5)."""
    tools = request.get("tools") or []
    schema = tools[0].get("input_schema") or tools[0]["function"]["parameters"]
    names = schema["properties"]["scores"]["items"]["properties"]["category"]["enum"]
    answer = {
        "scores": [{"category": n, "score": level, "reasoning": "fake judge"} for n in names],
        "overall_assessment": "fake judge",
    }
    if "input_schema" in tools[0]:
        return tool_use(("submit_evaluation", answer))
    return chat_message(None, ("submit_evaluation", answer))


def rescore(evaluations: list[Evaluation], weights: dict[str, float], judge: float | None) -> float | None:
    changed = []
    for e in evaluations:
        update: dict[str, Any] = {"weight": weights.get(e.evaluator_name, e.weight)}
        if e.evaluator_name == "llm_judge" and e.applicable and judge is not None:
            update["score"] = judge
        changed.append(e.model_copy(update=update))
    return score_run(changed, RubricOverrides(), completed=True).weighted_score


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--suites", type=Path, default=os.environ.get("ZEBENCH_ORIGINAL_SUITES"))
    parser.add_argument("--tier", default="L1")
    parser.add_argument("--json", action="store_true", help="print JSON")
    args = parser.parse_args()
    if args.suites is None:
        parser.error("give --suites or set ZEBENCH_ORIGINAL_SUITES")
    catalog = Catalog(args.suites)
    scenarios = [
        s
        for s in catalog.load_all()[0]
        if any(name in ORIGINAL_METRICS for name in s.spec.rubric_overrides.weights) and args.tier in s.prompts
    ]
    defaults = default_weights()
    results: list[dict[str, Any]] = []
    with FakeModelServer() as server, tempfile.TemporaryDirectory(prefix="zebench-rubric-") as tmp:
        server.default_anthropic = lambda body: judge_answer(body, 3)
        server.default_chat = lambda body: judge_answer(body, 3)
        os.environ.update(
            {
                "ANTHROPIC_API_KEY": "fake",
                "ANTHROPIC_BASE_URL": server.url,
                "OPENROUTER_API_KEY": "fake",
                "OPENROUTER_BASE_URL": server.url + "/api/v1",
            }
        )
        for scenario in scenarios:
            record = asyncio.run(
                run_one(RunSpec(scenario, args.tier, "echo"), RunOptions(workspace_root=Path(tmp), sandbox="auto"))
            )
            rubric = scenario.spec.rubric_overrides
            before = weights_for(
                RubricOverrides(weights={k: v for k, v in rubric.weights.items() if k not in ORIGINAL_METRICS}),
                defaults,
            )
            after = weights_for(rubric, defaults, scenario.spec.llm_judge.categories)
            judged = any(e.evaluator_name == "llm_judge" and e.applicable for e in record.evaluations)
            levels: list[int | None] = [1, 2, 3, 4, 5] if judged else [None]
            counted = {e.evaluator_name for e in record.evaluations if e.applicable}
            results.append(
                {
                    "scenario": scenario.key,
                    "status": record.status,
                    "evaluations": {e.evaluator_name: e.normalized_score for e in record.evaluations if e.applicable},
                    "weightsBefore": {k: v for k, v in sorted(before.items()) if k in counted},
                    "weightsAfter": {k: v for k, v in sorted(after.items()) if k in counted},
                    "scores": [
                        {
                            "judge": None if level is None else f"{level}/5",
                            "before": rescore(record.evaluations, before, None if level is None else (level - 1) / 4),
                            "after": rescore(record.evaluations, after, None if level is None else (level - 1) / 4),
                        }
                        for level in levels
                    ],
                }
            )
    if args.json:
        print(json.dumps(results, indent=2))
        return 0
    for r in results:
        print(f"{r['scenario']} (echo, {r['status']}): applicable evaluations {r['evaluations']}")
        print(f"  weights before: {r['weightsBefore']}")
        print(f"  weights after:  {r['weightsAfter']}")
        for s in r["scores"]:
            judge = f"judge {s['judge']}" if s["judge"] else "no judge"
            print(f"  {judge}: weighted score {s['before']} -> {s['after']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
