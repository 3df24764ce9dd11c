"""The SQL every query shares, generated from the models: each count (COUNT_CONDITIONS, from the status groups and
failure categories of zebench.models.record, checked there against the ``RunStatus`` and ``FailureCategory``
Literal types), each sum the summaries keep (SUMS) and each mean made of them (MEANS), the summary tables and their
triggers (SUMMARIES, summaries_sql), the batch row's figures (BATCH_FIGURES), and the JSON text columns' encoding.

Each count and sum is defined once, as an expression on a benchmark_runs row. The migrations do not use these at
run time: a migration holds the SQL generated when it shipped as literal text (``schema``), and tests check that
these still generate what the newest one holds.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from ..models import CANCELLED_STATUSES, GATE_EVALUATORS, INFRA_CATEGORIES, SCORED_STATUSES
from ..models.record import INTEGRITY_EVALUATOR
from ..models.run import CONFIGURATION, ITEM, RUNS, SUM_TYPES


def _quoted(values: tuple[str, ...]) -> str:
    return "(" + ", ".join(f"'{v}'" for v in values) + ")"


_NOT_COUNTED = _quoted(CANCELLED_STATUSES)
_UNSCORED = _quoted(SCORED_STATUSES + CANCELLED_STATUSES)
_INFRA = f"COALESCE({{r}}.failure_category IN {_quoted(INFRA_CATEGORIES)}, 0)"
#: A run that failed: it counts (not cancelled) and was not scored. Written out once; every count of failures
#: (agent, infrastructure) is this and a condition on the category.
_FAILED = f"{{r}}.status NOT IN {_UNSCORED}"

#: The one definition of each count, as a condition on a benchmark_runs row ("{r}": the row's name, a table alias
#: or NEW/OLD in a trigger). Runs are the attempts that were not cancelled, and every run is exactly one of
#: completed (validated and scored), an agent failure or an infrastructure failure. A run is successful only when
#: it completed. The CLI, the API (v2), the static site, the summary tables' triggers and the ``runs_counted`` view
#: all count with these (the original project's /api/* paths keep the original's own definitions).
COUNT_CONDITIONS: dict[str, str] = {
    "attempts": "1",
    "cancelled": f"{{r}}.status IN {_NOT_COUNTED}",
    "runs": f"{{r}}.status NOT IN {_NOT_COUNTED}",
    "completed": f"{{r}}.status IN {_quoted(SCORED_STATUSES)}",
    "failed": _FAILED,
    "agent_failures": f"{_FAILED} AND NOT {_INFRA}",
    "infra_failures": f"{_FAILED} AND {_INFRA}",
    "successful": f"{{r}}.status IN {_quoted(SCORED_STATUSES)} AND {{r}}.is_successful = 1",
    "scored": f"{{r}}.status NOT IN {_NOT_COUNTED} AND {{r}}.weighted_score IS NOT NULL",
    "evaluator_errors": f"{{r}}.status NOT IN {_NOT_COUNTED} AND {{r}}.evaluator_errors > 0",
    # runs with a blocking finding of the integrity guard: never successful, never left out (docs/integrity.md)
    "findings": f"{{r}}.status NOT IN {_NOT_COUNTED} AND {{r}}.findings > 0",
}


def counts_sql(name: str, ref: str = "benchmark_runs") -> str:
    """The condition of count ``name`` (COUNT_CONDITIONS) on the row called ``ref``, parenthesised (0 or 1)."""
    return "(" + COUNT_CONDITIONS[name].format(r=ref) + ")"


def runs_counted_view_sql(counts: dict[str, str]) -> str:
    """The runs_counted view: every run that counts (cancelled attempts left out) with one 0/1 column per count
    (m010 made it with the counts of its time; tests check that the current counts make the same)."""

    def c(name: str) -> str:
        return "(" + counts[name].format(r="r") + ")"

    return (
        "CREATE VIEW runs_counted AS SELECT r.id, r.run_id, r.batch_id, r.suite, r.scenario, r.tier, r.agent, "
        "r.model, r.status, r.failure_category, r.started_at, r.completed_at, r.total_score, r.weighted_score, "
        "r.success_metric, r.cost_usd, r.evaluator_errors, "
        f"{c('completed')} AS completed, {c('agent_failures')} AS agent_failure, "
        f"{c('infra_failures')} AS infra_failure, {c('successful')} AS successful, "
        f"{c('evaluator_errors')} AS evaluator_error FROM benchmark_runs r WHERE {c('runs')}"
    )


#: The sums a group of runs is summarised by, over its counted runs ("{r}": a run's row): the counts of
#: COUNT_CONDITIONS and the sums every mean is made of (MEANS). One vocabulary: the summary tables' columns, the
#: grouped queries' columns and the keys store.figures reads are these names.
SUMS: dict[str, str] = {
    "runs": COUNT_CONDITIONS["runs"],
    "successful": COUNT_CONDITIONS["successful"],
    "completed": COUNT_CONDITIONS["completed"],
    "failed": COUNT_CONDITIONS["failed"],
    "agent_failed": COUNT_CONDITIONS["agent_failures"],
    "infra_failed": COUNT_CONDITIONS["infra_failures"],
    "scored": COUNT_CONDITIONS["scored"],
    "evaluator_errors": COUNT_CONDITIONS["evaluator_errors"],
    "findings": COUNT_CONDITIONS["findings"],
    "total_scored": "{r}.total_score IS NOT NULL",
    "sum_total_score": "COALESCE({r}.total_score, 0)",
    "sum_weighted": "COALESCE({r}.weighted_score, 0)",
    "cost_runs": "{r}.cost_usd IS NOT NULL",
    "sum_cost": "COALESCE({r}.cost_usd, 0)",
}
assert list(SUMS) == list(SUM_TYPES)  # the names and order models.run declares
#: The sums that are amounts (REAL); the others count runs.
AMOUNTS = tuple(name for name, kind in SUM_TYPES.items() if kind is float)
#: The mean of each concept, as (numerator, denominator) of SUMS: store.figures computes them in Python, mean_sql in
#: SQL. One name per concept (the served names are store.figures's).
MEANS: dict[str, tuple[str, str]] = {
    "success_rate": ("successful", "runs"),
    "mean_weighted_score": ("sum_weighted", "scored"),
    "mean_total_score": ("sum_total_score", "total_scored"),
    "mean_cost": ("sum_cost", "cost_runs"),
}


def sums_columns(ref: str = "benchmark_runs", *, counted_only: bool = False) -> str:
    """SUMS as SELECT columns of a grouped query over rows already restricted to counted runs (``counted_only``:
    over any rows, each sum restricted to the counted ones)."""
    only = f" FILTER (WHERE {counts_sql('runs', ref)})" if counted_only else ""
    return ", ".join(f"SUM({_sum(expr, ref)}){only} AS {name}" for name, expr in SUMS.items())


def _sum(expression: str, ref: str) -> str:
    return "(" + expression.format(r=ref) + ")"


def mean_sql(name: str, sums: dict[str, str] | None = None) -> str:
    """A mean of MEANS from sums (SQL expressions by SUMS name; default: the summary tables' columns)."""
    numerator, denominator = MEANS[name]
    sums = sums or {}
    return f"1.0 * {sums.get(numerator, numerator)} / NULLIF({sums.get(denominator, denominator)}, 0)"


#: The evaluator-errors rule (models.evaluator_errors) on an evaluation_results row ("{e}"): an evaluator that failed
#: and counts, with a weight above 0 or as a gate.
EVALUATOR_ERROR = (
    f"{{e}}.error IS NOT NULL AND ({{e}}.weight > 0 OR {{e}}.evaluator_name IN {_quoted(GATE_EVALUATORS)})"
)
#: The findings rule (models.integrity_findings) on an evaluation_results row ("{e}"): the length of the integrity
#: guard's details.findings (0 for any other evaluation, or details that are not such an object).
FINDINGS = (
    f"CASE WHEN {{e}}.evaluator_name <> '{INTEGRITY_EVALUATOR}' OR NOT json_valid({{e}}.details) THEN 0 "
    "WHEN json_type({e}.details, '$.findings') = 'array' THEN json_array_length({e}.details, '$.findings') ELSE 0 END"
)


@dataclass(frozen=True)
class Summary:
    """A table of SUMS over the counted runs, one row per value of ``keys`` (columns of the run; none: one row,
    ``grp = 'all'``), kept by triggers on benchmark_runs. With ``extremes``, also the lowest and highest weighted
    score, recomputed from the runs when one is deleted (an index on the keys and weighted_score keeps it cheap)."""

    table: str
    keys: tuple[str, ...]
    extremes: bool = False

    @property
    def columns(self) -> tuple[str, ...]:
        return self.keys or ("grp",)


#: The summary tables: every run counted once in each. The configuration's and the item's keys are models.run's,
#: so a dimension added to the configuration is a column of agg_agents and agg_items in the next migration
#: summaries_sql generates.
SUMMARIES = (
    Summary("agg_totals", ()),
    Summary("agg_agents", CONFIGURATION, extremes=True),
    Summary("agg_scenarios", ITEM, extremes=True),
    Summary("agg_items", (*CONFIGURATION, *ITEM)),
    # the original project's statistics: per agent, status and success flag (query_original_stats)
    Summary("agg_status_agents", ("agent", "status", "is_successful"), extremes=True),
)
_EXTREMES = {"min_weighted": "MIN", "max_weighted": "MAX"}
#: The columns that identify an item of a configuration (a configuration on a scenario): agg_items' key.
ITEM_COLUMNS = (*CONFIGURATION, *ITEM)


def _integer(column: str) -> bool:
    return column in RUNS.by_name and RUNS.column(column).type in (int, bool, int | None, bool | None)


def _key(summary: Summary, column: str, ref: str) -> str:
    if not summary.keys:
        return "'all'"
    return f"COALESCE({ref}.{column}, {0 if _integer(column) else repr('')})"


def _match(summary: Summary, ref: str) -> str:
    return " AND ".join(f"{c} = {_key(summary, c, ref)}" for c in summary.columns)


def summary_table_sql(summary: Summary) -> str:
    keys = [f"{c} {'INTEGER' if _integer(c) else 'TEXT'} NOT NULL" for c in summary.columns]
    sums = [f"{name} {'REAL' if name in AMOUNTS else 'INTEGER'} NOT NULL DEFAULT 0" for name in SUMS]
    extremes = [f"{name} REAL" for name in _EXTREMES] if summary.extremes else []
    return (
        f"CREATE TABLE {summary.table} ({', '.join([*keys, *sums, *extremes])}, "
        f"PRIMARY KEY ({', '.join(summary.columns)}))"
    )


def summary_triggers_sql(summary: Summary) -> tuple[str, str]:
    """The insert and delete triggers that keep a summary: each counted run added to, or taken from, its row."""
    t, cols = summary.table, ", ".join(summary.columns)
    added = [f"{n} = {n} + {_sum(e, 'NEW')}" for n, e in SUMS.items()]
    taken = [f"{n} = {n} - {_sum(e, 'OLD')}" for n, e in SUMS.items()]
    if summary.extremes:
        for name, fn in _EXTREMES.items():
            added.append(
                f"{name} = CASE WHEN NEW.weighted_score IS NULL THEN {name} "
                f"ELSE {fn}(COALESCE({name}, NEW.weighted_score), NEW.weighted_score) END"
            )
            same = " AND ".join([*(f"r.{c} IS OLD.{c}" for c in summary.keys), counts_sql("runs", "r")])
            taken.append(f"{name} = (SELECT {fn}(weighted_score) FROM benchmark_runs r WHERE {same})")
    values = ", ".join(_key(summary, c, "NEW") for c in summary.columns)
    insert = (
        f"CREATE TRIGGER {t}_insert AFTER INSERT ON benchmark_runs WHEN {counts_sql('runs', 'NEW')} BEGIN\n"
        f"  INSERT INTO {t} ({cols}) VALUES ({values}) ON CONFLICT DO NOTHING;\n"
        f"  UPDATE {t} SET {', '.join(added)} WHERE {_match(summary, 'NEW')};\nEND"
    )
    delete = (
        f"CREATE TRIGGER {t}_delete AFTER DELETE ON benchmark_runs WHEN {counts_sql('runs', 'OLD')} BEGIN\n"
        f"  UPDATE {t} SET {', '.join(taken)} WHERE {_match(summary, 'OLD')};\nEND"
    )
    return insert, delete


def summary_fill_sql(summary: Summary) -> str:
    """The summary's rows computed from the stored runs."""
    r = "benchmark_runs"
    keys = [_key(summary, c, r) for c in summary.columns]
    columns = [*summary.columns, *SUMS, *(_EXTREMES if summary.extremes else ())]
    values = [*keys, *(f"SUM({_sum(e, r)})" for e in SUMS.values())]
    if summary.extremes:
        values += [f"{fn}(weighted_score)" for fn in _EXTREMES.values()]
    return (
        f"INSERT INTO {summary.table} ({', '.join(columns)}) SELECT {', '.join(values)} FROM {r} "
        f"WHERE {counts_sql('runs', r)} GROUP BY {', '.join(keys)}"
    )


#: The batch row's figures (batch_runs columns, the seed's names) from SUMS, over the batch's attempts: its counted
#: runs, and apart its cancelled attempts; its means as MEANS define them.
BATCH_FIGURES: dict[str, str] = {
    "total_runs": "runs",
    "successful_runs": "successful",
    "failed_runs": "failed",
    "agent_failed_runs": "agent_failed",
    "infra_failed_runs": "infra_failed",
    "scored_runs": "scored",
    "evaluator_error_runs": "evaluator_errors",
    "finding_runs": "findings",
    "avg_score": "mean_total_score",
    "avg_weighted_score": "mean_weighted_score",
}


def batch_figures_sql(one_batch: bool = True) -> str:
    """The figures of the runs of one batch (``?``), or of every batch (grouped by batch_id), as the batch row keeps
    them (BATCH_FIGURES and cancelled_runs)."""
    r = "benchmark_runs"
    only = f" FILTER (WHERE {counts_sql('runs', r)})"
    sums = {name: f"COALESCE(SUM({_sum(expr, r)}){only}, 0)" for name, expr in SUMS.items()}
    figures = [f"{mean_sql(s, sums) if s in MEANS else sums[s]} AS {column}" for column, s in BATCH_FIGURES.items()]
    figures.append(f"COALESCE(SUM({counts_sql('cancelled', r)}), 0) AS cancelled_runs")
    if one_batch:
        return f"SELECT {', '.join(figures)} FROM {r} WHERE batch_id = ?"
    return f"SELECT batch_id, {', '.join(figures)} FROM {r} WHERE batch_id IS NOT NULL GROUP BY batch_id"


def batch_refresh_sql(one_batch: bool = True) -> str:
    """The UPDATE that sets a batch row's figures from its runs (every batch's, with ``one_batch`` False)."""
    columns = [*BATCH_FIGURES, "cancelled_runs"]
    where = "batch_runs.batch_id = ?" if one_batch else "batch_runs.batch_id = agg.batch_id"
    return (
        f"UPDATE batch_runs SET {', '.join(f'{c} = agg.{c}' for c in columns)} "
        f"FROM ({batch_figures_sql(one_batch)}) AS agg WHERE {where}"
    )


def summaries_sql() -> tuple[str, ...]:
    """What a migration runs to (re)build every count and sum from the current definitions: the runs' evaluator
    errors (EVALUATOR_ERROR) and findings (FINDINGS), each summary table with its triggers and rows (SUMMARIES),
    the indexes their extremes need, and every batch row's figures. The newest migration holds this as literal
    text (tests check it still does); a change of a definition, or a dimension added to the configuration, is a
    new migration holding it."""
    statements = [
        "UPDATE benchmark_runs SET evaluator_errors = (SELECT COUNT(*) FROM evaluation_results e WHERE e.run_id = "
        f"benchmark_runs.run_id AND {EVALUATOR_ERROR.format(e='e')})",
        "UPDATE benchmark_runs SET findings = (SELECT COALESCE(SUM(" + FINDINGS.format(e="e") + "), 0) FROM "
        "evaluation_results e WHERE e.run_id = benchmark_runs.run_id)",
    ]
    for summary in SUMMARIES:
        insert, delete = summary_triggers_sql(summary)
        statements += [
            f"DROP TRIGGER IF EXISTS {summary.table}_insert",
            f"DROP TRIGGER IF EXISTS {summary.table}_delete",
            f"DROP TABLE IF EXISTS {summary.table}",
            summary_table_sql(summary),
            insert,
            delete,
            summary_fill_sql(summary),
        ]
        if summary.extremes:
            columns = [*summary.keys, "weighted_score"]
            statements.append(
                f'CREATE INDEX IF NOT EXISTS "idx_benchmark_runs_{"_".join(columns)}" ON "benchmark_runs" '
                f"({', '.join(columns)})"
            )
    statements.append(batch_refresh_sql(one_batch=False))
    return tuple(statements)


def dumps(value: Any) -> str | None:
    """A JSON text column's value (compact, UTF-8 kept; None stays NULL)."""
    return None if value is None else json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def loads(text: str | None) -> Any:
    return None if text is None else json.loads(text)


def python_literal(name: str, statements: tuple[str, ...]) -> str:
    """The source of a migration's frozen SQL (``_M0NN = (...)``), lines under 120 characters."""
    lines = [f"{name} = ("]
    for statement in statements:
        chunks = [""]
        for word in statement.split(" "):  # cut after a space, so the pieces join to the statement
            if len(chunks[-1]) + len(word) > 100 and chunks[-1].strip():
                chunks.append("")
            chunks[-1] += word + " "
        chunks[-1] = chunks[-1][:-1]
        if len(chunks) == 1:
            lines.append(f"    {json.dumps(chunks[0])},")
        else:
            lines += ["    (", *(f"        {json.dumps(c)}" for c in chunks), "    ),"]
    return "\n".join([*lines, ")"]) + "\n"
