"""Each mean and rate is one function of a group's sums (store.figures), the same for every shape that shows it;
each sum is one declaration (store.sql.SUMS) that the summary tables, the grouped queries and the batch row share."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

from zebench.models import GATE_EVALUATORS, SCORED_STATUSES, BatchRecord, Evaluation, Failure, RunRecord
from zebench.models.run import CONFIGURATION, RUNS, SUM_TYPES
from zebench.store import Store, figures, query_unsuccessful
from zebench.store.queries.batches import batch_denominators
from zebench.store.sql import (
    BATCH_CAUSES_TABLE,
    CAUSE_KINDS,
    CAUSES_TABLE,
    EVALUATOR_ERROR,
    SUMMARIES,
    SUMS,
    cause_inserts,
    causes_sql,
    counts_sql,
    sums_columns,
)


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


# -- why runs were not successful: run_causes, kept by triggers, against the query it replaced -------------------

_CONF = ", ".join(CONFIGURATION)
_CONF_R = ", ".join(f"r.{c}" for c in CONFIGURATION)
_CONF_U = ", ".join(f"u.{c}" for c in CONFIGURATION)
_CONF_KEYS = ", ".join(f"{c} AS {RUNS.column(c).key}" for c in CONFIGURATION)
_CONF_ORDER = ", ".join(RUNS.column(c).key for c in CONFIGURATION)
_SCORED = "(" + ", ".join(f"'{v}'" for v in SCORED_STATUSES) + ")"
_GATES = "(" + ", ".join(f"'{g}'" for g in GATE_EVALUATORS) + ")"
#: The query the batch detail ran before run_causes (issue 26), as it was: the reference the kept causes must equal.
REFERENCE_UNSUCCESSFUL = f"""
    WITH u AS (
        SELECT r.run_id, {_CONF_R}, r.status, r.failure_category, r.error FROM benchmark_runs r
        WHERE r.{{column}} = ? AND {counts_sql("runs", "r")} AND NOT {counts_sql("successful", "r")}),
    e AS (SELECT {_CONF_U}, e.* FROM evaluation_results e JOIN u ON u.run_id = e.run_id WHERE u.status IN
          {_SCORED}),
    blocked AS (
        SELECT DISTINCT run_id FROM e WHERE ({EVALUATOR_ERROR.format(e="e")})
        OR (evaluator_name IN {_GATES} AND error IS NULL AND applicable = 1 AND normalized_score < 1)),
    short AS (SELECT * FROM e WHERE run_id NOT IN (SELECT run_id FROM blocked) AND error IS NULL AND applicable = 1
              AND kind = 'task' AND weight > 0 AND normalized_score < 1)
    SELECT {_CONF_KEYS}, 'failure' AS kind, COALESCE(failure_category, status) AS name, COUNT(*) AS runs,
           MIN(error) AS example
    FROM u WHERE u.status NOT IN {_SCORED} GROUP BY {_CONF}, name
    UNION ALL
    SELECT {_CONF}, 'error', evaluator_name, COUNT(*), MIN(error) FROM e WHERE {EVALUATOR_ERROR.format(e="e")}
    GROUP BY {_CONF}, evaluator_name
    UNION ALL
    SELECT {_CONF}, 'gate', evaluator_name, COUNT(*),
           MIN(COALESCE(json_extract(details, '$.findings[0].message') || ' (' ||
                        COALESCE(json_extract(details, '$.findings[0].path'), '') || ')',
                        json_extract(details, '$.command') || ': ' || json_extract(details, '$.status') ||
                        COALESCE(' (exit code ' || json_extract(details, '$.exitCode') || ')', '')))
    FROM e WHERE evaluator_name IN {_GATES} AND error IS NULL AND applicable = 1 AND normalized_score < 1
    GROUP BY {_CONF}, evaluator_name
    UNION ALL
    SELECT {_CONF}, 'score', evaluator_name, COUNT(*), 'mean score ' || printf('%.2f', AVG(normalized_score))
    FROM short WHERE evaluator_name != 'heuristic_checks' OR json_array_length(details, '$.checks') IS NULL
    GROUP BY {_CONF}, evaluator_name
    UNION ALL
    SELECT {_CONF}, 'check', json_extract(c.value, '$.name'), COUNT(DISTINCT short.run_id),
           MIN(json_extract(c.value, '$.message'))
    FROM short, json_each(short.details, '$.checks') c
    WHERE short.evaluator_name = 'heuristic_checks' AND json_extract(c.value, '$.passed') = 0
    GROUP BY {_CONF}, json_extract(c.value, '$.name')
    ORDER BY {_CONF_ORDER}, runs DESC, kind, name"""


def reference_causes(conn: sqlite3.Connection, column: str, value: str) -> list[dict[str, Any]]:
    cursor = conn.execute(REFERENCE_UNSUCCESSFUL.replace("{column}", column), (value,))
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor]


def assert_causes_agree(conn: sqlite3.Connection) -> int:
    """query_unsuccessful equals the reference for every batch and every run (and a batch and a run that do not
    exist); the causes kept equal the ones the migration's fill computes from the stored rows. Returns how many
    causes the batches had (for the caller to check the data exercised something)."""
    conn.row_factory = None
    batches = [b for (b,) in conn.execute("SELECT DISTINCT batch_id FROM benchmark_runs WHERE batch_id IS NOT NULL")]
    runs = [r for (r,) in conn.execute("SELECT run_id FROM benchmark_runs")]
    seen = 0
    for batch_id in [*batches, "no-such-batch"]:
        expected = reference_causes(conn, "batch_id", batch_id)
        assert query_unsuccessful(conn, batch_id) == expected, batch_id
        seen += len(expected)
    for run_id in [*runs, "no-such-run"]:
        assert query_unsuccessful(conn, run_id=run_id) == reference_causes(conn, "run_id", run_id), run_id
    kept = sorted(conn.execute(f"SELECT * FROM {CAUSES_TABLE}"), key=repr)
    conn.execute(f"CREATE TEMP TABLE fresh AS SELECT * FROM {CAUSES_TABLE} WHERE 0")
    for statement in cause_inserts(None):
        conn.execute(statement.replace(f"INSERT INTO {CAUSES_TABLE} ", "INSERT INTO fresh "))
    assert sorted(conn.execute("SELECT * FROM fresh"), key=repr) == kept
    conn.execute("DROP TABLE fresh")
    # the batches' sums: every row as the migration's GROUP BY gives it (sums of scores to the last bits aside)
    fill = next(s for s in causes_sql() if s.startswith(f"INSERT INTO {BATCH_CAUSES_TABLE} "))
    conn.execute(f"CREATE TEMP TABLE fresh AS SELECT * FROM {BATCH_CAUSES_TABLE} WHERE 0")
    conn.execute(fill.replace(f"INSERT INTO {BATCH_CAUSES_TABLE} ", "INSERT INTO fresh "))

    def rows(table: str) -> list[tuple[Any, ...]]:
        return sorted(
            (
                tuple(round(v, 9) if isinstance(v, float) else v for v in r)
                for r in conn.execute(f"SELECT * FROM {table}")
            ),
            key=repr,
        )

    assert rows(BATCH_CAUSES_TABLE) == rows("fresh")
    conn.execute("DROP TABLE fresh")
    return seen


def _evaluation(name: str, score: float | None, **fields: Any) -> Evaluation:
    kind = fields.pop("kind", "task")
    weight = fields.pop("weight", 1.0)
    return Evaluation(evaluator_name=name, score=score, kind=kind, weight=weight, **fields)


def _checks(*checks: tuple[Any, bool, Any]) -> dict[str, Any]:
    return {"checks": [{"name": n, "passed": p, "message": m} for n, p, m in checks]}


def _causes_runs() -> list[RunRecord]:
    """Runs with every kind of cause, in two batches, two configurations (one without a model) and no batch."""
    gate_command = {"command": "npm test", "status": "failed", "exitCode": 1}
    finding = {"findings": [{"message": "a protected path changed", "path": "tests/test_a.py"}], "flags": []}
    return [
        _run("ok", weighted_score=9.0, is_successful=True, evaluations=[_evaluation("t", 1.0)]),
        _run("f1", status="failed", failure=Failure(category="agent", stage="agent", message="agent crashed")),
        _run("f2", status="failed", failure=Failure(category="agent", stage="agent", message="a crash, again")),
        _run("f3", status="timeout", model="m2", failure=Failure(category="timeout", stage="agent", message="60 min")),
        _run("f4", status="failed", batch_id="b2", failure=Failure(category="setup", stage="setup", message="copy")),
        _run("cancel", status="cancelled", failure=Failure(category="cancelled", stage="agent", message="x")),
        _run(
            "gate1",
            weighted_score=8.0,
            evaluations=[
                _evaluation("test", 0.0, kind="hygiene", weight=0.0, details=gate_command),
                _evaluation("t", 0.5),
            ],
        ),
        _run(
            "gate2",
            weighted_score=8.0,
            evaluations=[
                _evaluation("integrity_guard", 0.0, kind="hygiene", weight=0.0, details=finding),
                _evaluation("test", 0.0, kind="hygiene", weight=0.0, details={"command": "pytest", "status": "x"}),
                _evaluation("install", 0.0, kind="hygiene", weight=0.0, details={"findings": [{"message": "m"}]}),
            ],
        ),
        _run(
            "err1",
            weighted_score=6.0,
            evaluations=[
                _evaluation("llm_judge", None, error="the judge gave no answer", cost_usd=None),
                _evaluation("diff_summary", None, kind="info", weight=0.0, error="does not count"),
                _evaluation("integrity_guard", None, kind="hygiene", weight=0.0, error="the guard crashed"),
                _evaluation("t", 0.2),
            ],
        ),
        _run(
            "short1",
            weighted_score=5.0,
            evaluations=[
                _evaluation("t", 0.25),
                _evaluation("u", 0.5, weight=2.0),
                _evaluation("hyg", 0.0, kind="hygiene"),  # not a task evaluator: not a cause
                _evaluation("zero", 0.0, weight=0.0),  # no weight: not a cause
                _evaluation("na", None, applicable=False),
                _evaluation(
                    "heuristic_checks",
                    0.4,
                    details=_checks(("readme", False, "no README"), ("readme", False, "another"), ("lint", True, "ok")),
                ),
            ],
        ),
        _run(
            "short2",
            status="budget_exceeded",
            weighted_score=4.0,
            evaluations=[
                _evaluation("t", 0.0),
                _evaluation("heuristic_checks", 0.5, details=_checks(("readme", False, "a"), (None, False, 7))),
            ],
        ),
        _run(
            "short3",
            weighted_score=4.0,
            model="m2",
            specialist_enabled=True,
            specialist_name="sp",
            specialist_version="1.0.0",
            evaluations=[
                _evaluation("heuristic_checks", 0.5, details={"passed": 1}),  # no checks: a score
                _evaluation("t", 2.0, max_score=4.0),
            ],
        ),
        _run("short4", weighted_score=4.0, batch_id=None, evaluations=[_evaluation("t", 0.75)]),
        _run(
            "short5",
            weighted_score=4.0,
            batch_id="b2",
            evaluations=[_evaluation("heuristic_checks", 0.0, details={"checks": {"x": {"name": "o", "passed": 0}}})],
        ),
    ]


def test_the_causes_kept_by_triggers_are_what_the_query_they_replaced_gives(db_path: Path) -> None:
    """run_causes after runs of every cause are stored, rewritten, updated, deleted and given evaluations later:
    query_unsuccessful (a batch's causes, a run's) equals the query it replaced, and the rows the migration's
    fill computes, after each step."""
    from zebench.testing.synthetic import Generator

    with Store(db_path) as store:
        store.save_batch(BatchRecord(batch_id="b", created_at="2026-01-01T00:00:00Z"))
        records = _causes_runs()
        store.save_runs(records)
        for batch, runs in Generator(seed=5, prefix="g", real_sizes=True).batches(120):
            store.save_batch(batch)
            store.save_runs(runs)
        conn = store.conn
        assert assert_causes_agree(conn) > 20
        kinds = {k for (k,) in conn.execute(f"SELECT DISTINCT kind FROM {CAUSES_TABLE}")}
        assert kinds == set(CAUSE_KINDS)
        by = {r.run_id: r for r in records}
        # rewritten: the gate now holds, an evaluator error added, a failed run completed unsuccessful, one successful
        by["gate1"].evaluations[0] = _evaluation("test", 1.0, kind="hygiene", weight=0.0, details={})
        by["short1"].evaluations.append(_evaluation("judge2", None, error="added later"))
        by["f2"] = _run("f2", weighted_score=3.0, evaluations=[_evaluation("t", 0.1)])
        by["short2"] = _run("short2", weighted_score=9.5, is_successful=True, evaluations=[_evaluation("t", 1.0)])
        store.save_runs([by["gate1"], by["short1"], by["f2"], by["short2"]])
        assert_causes_agree(conn)
        with conn:  # updates of a run's columns and of an evaluation's, in place
            conn.execute("UPDATE benchmark_runs SET status = 'failed', error = 'late' WHERE run_id = 'short3'")
            conn.execute("UPDATE benchmark_runs SET agent = 'z', batch_id = 'b2' WHERE run_id = 'err1'")
            conn.execute("UPDATE benchmark_runs SET is_successful = 1 WHERE run_id = 'gate2'")
            conn.execute("UPDATE benchmark_runs SET run_id = 'short4b' WHERE run_id = 'short4'")
            conn.execute(
                "UPDATE evaluation_results SET normalized_score = 1.0 WHERE run_id = 'short1' AND evaluator_name = 't'"
            )
            conn.execute(
                "UPDATE evaluation_results SET error = 'now failed', normalized_score = NULL WHERE run_id = 'short5'"
            )
            conn.execute("UPDATE evaluation_results SET run_id = 'gate2' WHERE run_id = 'f2' AND evaluator_name = 't'")
        assert_causes_agree(conn)
        with conn:  # deletes: a blocking evaluation (the scores come back), a short one, runs, orphan evaluations
            conn.execute("DELETE FROM evaluation_results WHERE run_id = 'short1' AND evaluator_name = 'judge2'")
            conn.execute(
                "DELETE FROM evaluation_results WHERE run_id = 'short1' AND evaluator_name = 'heuristic_checks'"
            )
            conn.execute("DELETE FROM evaluation_results WHERE run_id = 'gate2' AND evaluator_name = 'integrity_guard'")
            conn.execute("DELETE FROM benchmark_runs WHERE run_id IN ('f1', 'short5')")
            generated = [r for (r,) in conn.execute("SELECT run_id FROM benchmark_runs WHERE run_id LIKE '%-g%'")]
            conn.executemany("DELETE FROM benchmark_runs WHERE run_id = ?", [(r,) for r in generated[::7]])
            conn.execute("DELETE FROM evaluation_results WHERE run_id = 'f1'")
        assert_causes_agree(conn)
        with conn:  # evaluations stored after their run (a gate that fails, short ones), and before it
            values = "(?, ?, ?, ?, 1, ?, 'task', ?, ?)"
            sql = (
                "INSERT INTO evaluation_results (run_id, evaluator_name, score, max_score, applicable, weight, kind, "
                f"details, error, normalized_score) VALUES {values[:-1]}, ?)"
            )
            rows = [
                ("short1", "late_short", 0.3, 1, 1.0, None, None, 0.3),
                ("short1", "heuristic_checks", 0.2, 1, 1.0, json.dumps(_checks(("c", False, "m"))), None, 0.2),
                ("gate1", "install", 0.0, 1, 0.0, json.dumps({"command": "npm ci", "status": "failed"}), None, 0.0),
                ("late", "t", 0.1, 1, 1.0, None, None, 0.1),
            ]
            conn.executemany(sql, rows)
            conn.execute(
                "INSERT INTO benchmark_runs (run_id, batch_id, suite, scenario, tier, agent, status, started_at, "
                "is_successful, weighted_score) VALUES ('late', 'b', 's', 'c', 'L1', 'a', 'completed', "
                "'2026-01-01T00:00:00Z', 0, 1.0)"
            )
        assert query_unsuccessful(conn, run_id="late") == reference_causes(conn, "run_id", "late") != []
        assert_causes_agree(conn)


def test_details_that_are_not_json_are_no_details(db_path: Path) -> None:
    """The original's clients post an evaluation's details as any text: a gate or a heuristic check with such
    details is stored (the triggers read them as no details: no message, no checks, so a score) and counted."""
    with Store(db_path) as store:
        store.save_runs(
            [
                _run(
                    "text",
                    weighted_score=2.0,
                    evaluations=[
                        _evaluation("test", 0.0, kind="hygiene", weight=0.0, details="npm test failed"),
                        _evaluation("t", 0.5),
                    ],
                ),
                _run(
                    "text2",
                    weighted_score=2.0,
                    evaluations=[
                        _evaluation("heuristic_checks", 0.5, details="{not json"),
                        _evaluation("h2", 0.5, details={"checks": ["a string, not a check"]}),
                    ],
                ),
            ]
        )
        causes = [(c["kind"], c["name"], c["runs"], c["example"]) for c in query_unsuccessful(store.conn, "b")]
    assert causes == [
        ("gate", "test", 1, None),
        ("score", "h2", 1, "mean score 0.50"),
        ("score", "heuristic_checks", 1, "mean score 0.50"),
    ]


def test_the_echo_baseline_is_per_configuration_specialist_included(db_path: Path) -> None:
    """Two configurations of one agent and model, with and without a specialist, on different items: each gets
    echo's score on its own items, from the summary tables (every run) as from the runs (a selection), and the
    leaderboard's JSON gives each row its own."""
    from click.testing import CliRunner

    from zebench.cli import main
    from zebench.store import query_echo_baseline

    specialist = {"specialist_enabled": True, "specialist_name": "sp", "specialist_version": "1.0.0"}
    runs = [
        _run("e1", agent="echo", scenario="c1", weighted_score=2.0),
        _run("e2", agent="echo", scenario="c2", weighted_score=6.0),
        _run("plain", scenario="c1", model="m", weighted_score=9.0),
        _run("special", scenario="c2", model="m", weighted_score=9.0, **specialist),
    ]
    with Store(db_path) as store:
        store.save_batch(BatchRecord(batch_id="b", created_at="2026-01-01T00:00:00Z"))
        store.save_runs(runs)
        everything = query_echo_baseline(store.conn)
        selected = query_echo_baseline(store.conn, {"batchId": "b"})
    for rows in (everything, selected):
        by_specialist = {r["specialistName"]: r for r in rows}
        assert set(by_specialist) == {None, "sp"}, rows
        assert by_specialist[None]["echoMeanScore"] == 2.0
        assert by_specialist["sp"]["echoMeanScore"] == 6.0
        assert by_specialist["sp"]["specialistVersion"] == "1.0.0"
        assert all(r["model"] == "m" and r["items"] == r["echoItems"] == 1 for r in rows)
        assert {r["source"] for r in rows} == {"selection"}  # echo ran in the selection both times
    board = CliRunner().invoke(main, ["leaderboard", "--db", str(db_path), "--json"])
    assert board.exit_code == 0, board.output
    echo = {(r["agent"], r["specialistName"]): r["echoBaseline"] for r in json.loads(board.output)}
    assert echo[("a", None)]["echoMeanScore"] == 2.0
    assert echo[("a", "sp")]["echoMeanScore"] == 6.0
