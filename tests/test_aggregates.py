"""Each mean and rate is one function of a group's sums (store.figures), the same for every shape that shows it;
each sum is one declaration (store.sql.SUMS) that the summary tables, the grouped queries and the batch row share."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from zebench.models import BatchRecord, Failure, RunRecord
from zebench.models.run import SUM_TYPES
from zebench.store import Store, figures
from zebench.store.queries.batches import batch_denominators
from zebench.store.sql import SUMMARIES, SUMS, sums_columns


def sums(**given: float) -> dict[str, Any]:
    return {**dict.fromkeys(SUM_TYPES, 0), **given}


def test_a_figure_without_its_denominator_is_none_never_zero() -> None:
    none = sums()
    for figure in (
        figures.success_rate,
        figures.success_rate_excl_infra,
        figures.mean_weighted_score,
        figures.mean_weighted_score_with_infra,
        figures.mean_total_score,
        figures.total_cost,
        figures.mean_cost,
    ):
        assert figure(none) is None, figure.__name__
    only_infra = sums(runs=2, failed=2, infra_failed=2)
    assert figures.mean_weighted_score_with_infra(only_infra) is None  # nothing scored: no mean, with or without
    assert figures.success_rate(only_infra) == 0.0
    assert figures.success_rate_excl_infra(only_infra) is None


def test_the_figures_of_a_group() -> None:
    s = sums(runs=4, successful=1, infra_failed=1, scored=2, sum_weighted=15.0, cost_runs=3, sum_cost=3.0)
    assert figures.success_rate(s) == 0.25
    assert figures.success_rate_excl_infra(s) == 1 / 3
    assert figures.mean_weighted_score(s) == 7.5
    assert figures.mean_weighted_score_with_infra(s) == 5.0
    assert figures.mean_cost(s) == 1.0
    assert figures.cost_unknown_runs(s) == 1
    assert figures.cost_per_solved(s) is None  # a run's cost is unknown: it would look cheaper than it was
    assert figures.cost_per_solved({**s, "cost_runs": 4}) == 3.0


def _run(run_id: str, **fields: Any) -> RunRecord:
    base: dict[str, Any] = {
        "run_id": run_id,
        "batch_id": "b",
        "suite": "s",
        "scenario": "c",
        "tier": "L1",
        "agent": "a",
        "status": "completed",
        "started_at": "2026-01-01T00:00:00Z",
    }
    return RunRecord.model_validate({**base, **fields})


def test_the_batch_row_the_summaries_and_a_grouped_query_keep_the_same_sums(db_path: Path) -> None:
    runs = [
        _run("r1", weighted_score=8.0, total_score=0.8, is_successful=True),
        _run("r2", weighted_score=4.0, total_score=0.4),
        _run("r3", status="failed", failure=Failure(category="infrastructure", stage="agent", message="x")),
        _run("r4", status="cancelled", failure=Failure(category="cancelled", stage="agent", message="x")),
    ]
    with Store(db_path) as store:
        store.save_batch(BatchRecord(batch_id="b", created_at="2026-01-01T00:00:00Z", expected_runs=3))
        store.save_runs(runs)
    conn = sqlite3.connect(db_path)
    conn.row_factory = sqlite3.Row
    grouped = dict(conn.execute(f"SELECT {sums_columns()} FROM benchmark_runs WHERE status != 'cancelled'").fetchone())
    assert (grouped["runs"], grouped["successful"], grouped["infra_failed"], grouped["scored"]) == (3, 1, 1, 2)
    for summary in SUMMARIES:
        added = {name: sum(r[name] for r in conn.execute(f"SELECT * FROM {summary.table}")) for name in SUMS}
        assert added == grouped, summary.table
    batch = dict(conn.execute("SELECT * FROM batch_runs").fetchone())
    denominators = batch_denominators(batch)
    assert denominators["successRate"] == figures.success_rate(grouped)
    assert denominators["avgWeightedScore"] == figures.mean_weighted_score(grouped)
    assert denominators["avgWeightedScoreWithInfra"] == figures.mean_weighted_score_with_infra(grouped)
    assert denominators["cancelledAttempts"] == 1
