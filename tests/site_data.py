"""Databases for the site tests: a few small batches built from the synthetic generator (two of them with the same
configuration, so the compare page has a latest-vs-previous pair), and a run full of hostile text."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from zebench.models import BatchRecord, Evaluation, Failure, RunRecord
from zebench.store import Store
from zebench.testing.synthetic import AGENT_MODELS, SCENARIOS, TIERS, Generator

XSS = '<script>window.__xss = 1</script><img src=x onerror="window.__xss = 2">'
XSS_BATCH = 'batch-"><img src=x onerror=window.__xss=3>'


def batch_runs(
    gen: Generator,
    batch_id: str,
    agents: list[tuple[str, str | None, float]],
    scenarios: int = 6,
    tiers: tuple[str, ...] = ("L0", "L1"),
    repeats: int = 2,
) -> list[RunRecord]:
    keys = [(s, t, a, r) for s in SCENARIOS[:scenarios] for t in tiers for a in agents for r in range(repeats)]
    return [gen.run(batch_id, key, judge=False) for key in keys]


def build_site_db(path: Path, *, hostile: bool = False) -> dict[str, list[str]]:
    """Three batches: A and C ran the same configuration (C is the latest), B others (one run with a specialist).
    Returns the run ids per batch. With ``hostile``, one more batch with agent text that tries to run script
    everywhere it can appear."""
    gen = Generator(seed=7, details=True, start=datetime(2026, 3, 1, tzinfo=UTC))
    two, three = AGENT_MODELS[:2], AGENT_MODELS[2:5]
    batches = {"batch-a": two, "batch-b": three, "batch-c": two}
    out: dict[str, list[str]] = {}
    with Store(path) as store:
        for batch_id, agents in batches.items():
            runs = batch_runs(gen, batch_id, agents)
            # One run of the original project's "specialist" kind: a configuration of its own (the specialist is
            # part of it), in B, so that A and C still ran the same configurations.
            if batch_id == "batch-b":
                runs[0] = runs[0].model_copy(
                    update={
                        "specialist_enabled": True,
                        "specialist_name": "nextjs-specialist",
                        "specialist_version": "0.0.3",
                    }
                )
            if batch_id == "batch-b":  # one run whose judge failed: an evaluator error
                i = next(i for i, r in enumerate(runs) if r.status == "completed")
                error = Evaluation(
                    evaluator_name="llm_judge",
                    weight=2.0,
                    score=None,
                    error="JudgeError: the judge needs ANTHROPIC_API_KEY; set it, or run with --no-judge",
                )
                runs[i] = runs[i].model_copy(
                    update={"evaluations": [*runs[i].evaluations, error], "is_successful": False}
                )
            store.save_batch(BatchRecord(batch_id=batch_id, created_at=runs[0].started_at, expected_runs=len(runs)))
            store.save_runs(runs)
            out[batch_id] = [r.run_id for r in runs]
        if hostile:
            record = gen.run(XSS_BATCH, (SCENARIOS[0], TIERS[1], (f"agent{XSS}", f"model{XSS}", 0.5), 0), judge=False)
            record.status, record.is_successful = "failed", False
            record.failure = Failure(category="agent", stage="agent", message=f"crashed: {XSS}")
            record.validation[1].output_tail = f"FAIL {XSS}"
            assert record.diff is not None
            record.diff.files[0].patch = f"--- a/x\n+++ b/x\n@@ -1 +1 @@\n-{XSS}\n+{XSS}\n"
            record.diff.files[0].path = f"src/{XSS}.ts"
            assert record.transcript is not None
            record.transcript.messages[1].content = f"I will write {XSS}"
            record.transcript.tool_calls[0].output = XSS
            record.transcript.tool_calls[0].input = {"path": XSS}
            record.metadata = {"note": XSS}
            store.save_batch(BatchRecord(batch_id=XSS_BATCH, created_at=record.started_at, metadata={"x": XSS}))
            store.save_run(record)
            out[XSS_BATCH] = [record.run_id]
    return out
