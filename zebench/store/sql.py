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
    """A table of SUMS over the counted runs, one row per value of ``keys`` (columns of the run, or keys computed
    from it: ``computed``, name -> SQL expression on a run "{r}", integer or not; none: one row, ``grp = 'all'``),
    kept by triggers on benchmark_runs. With ``extremes``, also the lowest and highest weighted score, recomputed
    from the runs when one is deleted (an index on the keys and weighted_score keeps it cheap)."""

    table: str
    keys: tuple[str, ...]
    extremes: bool = False
    computed: tuple[tuple[str, str, bool], ...] = ()

    def __post_init__(self) -> None:
        assert not (self.extremes and self.computed), "extremes are recomputed by column: no computed keys"

    def expression(self, column: str) -> str | None:
        return next((e for name, e, _ in self.computed if name == column), None)

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
    # a batch's breakdowns (by suite, configuration and tier: query_batch_detail) and the batches' configurations
    Summary("agg_batch_groups", ("batch_id", *CONFIGURATION, "suite", "tier")),
    # a batch's failed runs by category
    Summary("agg_batch_failures", ("batch_id", "failure_category")),
    # per day (UTC, by start) and configuration: the dashboard's trends
    Summary("agg_days", ("day", *CONFIGURATION), computed=(("day", "substr({r}.started_at, 1, 10)", False),)),
    # per weighted-score bin of width 1 (0-1, ..., 9-10; 10 in the last; -1: no score): the score histogram
    Summary(
        "agg_score_bins",
        ("score_bin",),
        computed=(("score_bin", "MIN(CAST({r}.weighted_score AS INTEGER), 9)", True),),
    ),
)
_EXTREMES = {"min_weighted": "MIN", "max_weighted": "MAX"}
#: The columns that identify an item of a configuration (a configuration on a scenario): agg_items' key.
ITEM_COLUMNS = (*CONFIGURATION, *ITEM)


def _integer(column: str, summary: Summary | None = None) -> bool:
    for name, _, integer in summary.computed if summary else ():
        if name == column:
            return integer
    return column in RUNS.by_name and RUNS.column(column).type in (int, bool, int | None, bool | None)


def _key(summary: Summary, column: str, ref: str) -> str:
    if not summary.keys:
        return "'all'"
    expression = summary.expression(column)
    value = expression.format(r=ref) if expression else f"{ref}.{column}"
    # a computed integer key with no value (a score bin of an unscored run) is -1, a column's 0
    default = (-1 if expression else 0) if _integer(column, summary) else repr("")
    return f"COALESCE({value}, {default})"


def _match(summary: Summary, ref: str) -> str:
    return " AND ".join(f"{c} = {_key(summary, c, ref)}" for c in summary.columns)


def summary_table_sql(summary: Summary) -> str:
    keys = [f"{c} {'INTEGER' if _integer(c, summary) else 'TEXT'} NOT NULL" for c in summary.columns]
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


#: The summary a batch's figures are read from: one row per group of its runs (configuration, suite, tier), kept by
#: triggers, so refreshing a batch row costs its groups, not its runs (scanning its runs made every run a batch
#: stored cost a scan of the ones before: 12 ms a run at 6,000, docs/performance.md).
BATCH_SUMMARY = "agg_batch_groups"
assert any(s.table == BATCH_SUMMARY and s.keys[:1] == ("batch_id",) for s in SUMMARIES)
#: The index that counts a batch's cancelled attempts without reading its runs (partial: only cancelled rows are in
#: it, so storing any other run does not update it). m016 made it.
CANCELLED_INDEX = "idx_benchmark_runs_batch_id_cancelled"


def cancelled_index_sql() -> str:
    """The cancelled attempts' index, from COUNT_CONDITIONS (m016 holds it as text; a change of the cancelled
    statuses needs a migration that drops and remakes it: tests/test_schema_frozen.py says when)."""
    return (
        f'CREATE INDEX IF NOT EXISTS "{CANCELLED_INDEX}" ON "benchmark_runs" (batch_id) '
        f"WHERE {COUNT_CONDITIONS['cancelled'].format(r='benchmark_runs')}"
    )


def batch_figures_sql(one_batch: bool = True) -> str:
    """The figures of the runs of one batch, or of every batch (grouped by batch_id), as the batch row keeps them
    (BATCH_FIGURES and cancelled_runs). One batch (parameters: its id twice): from its rows of BATCH_SUMMARY and
    the cancelled attempts' index; every batch (migrations): from the runs."""
    r = "benchmark_runs"
    cancelled = counts_sql("cancelled", r)
    if one_batch:
        sums = {name: f"COALESCE(SUM(g.{name}), 0)" for name in SUMS}
    else:
        only = f" FILTER (WHERE {counts_sql('runs', r)})"
        sums = {name: f"COALESCE(SUM({_sum(expr, r)}){only}, 0)" for name, expr in SUMS.items()}
    figures = [f"{mean_sql(s, sums) if s in MEANS else sums[s]} AS {column}" for column, s in BATCH_FIGURES.items()]
    if one_batch:
        figures.append(f"(SELECT COUNT(*) FROM {r} WHERE batch_id = ? AND {cancelled}) AS cancelled_runs")
        return f"SELECT {', '.join(figures)} FROM {BATCH_SUMMARY} g WHERE g.batch_id = ?"
    figures.append(f"COALESCE(SUM({cancelled}), 0) AS cancelled_runs")
    return f"SELECT batch_id, {', '.join(figures)} FROM {r} WHERE batch_id IS NOT NULL GROUP BY batch_id"


def batch_refresh_sql(one_batch: bool = True) -> str:
    """The UPDATE that sets a batch row's figures from its runs (parameters: the batch id three times), or every
    batch's, with ``one_batch`` False."""
    columns = [*BATCH_FIGURES, "cancelled_runs"]
    where = "batch_runs.batch_id = ?" if one_batch else "batch_runs.batch_id = agg.batch_id"
    return (
        f"UPDATE batch_runs SET {', '.join(f'{c} = agg.{c}' for c in columns)} "
        f"FROM ({batch_figures_sql(one_batch)}) AS agg WHERE {where}"
    )


@dataclass(frozen=True)
class PartSummary:
    """A table of sums over the rows of a run's part (``part``: a table with a run_id column) of the counted runs,
    one row per value of the run's ``keys`` and the part row's ``part_keys``, kept by triggers on both tables: a
    part row counts while its run is stored and counts (inserted before or after its run, deleted with it or
    alone). ``sums``: name -> (SQL expression on a part row "{p}", REAL or INTEGER)."""

    table: str
    part: str
    keys: tuple[str, ...]
    part_keys: tuple[str, ...]
    sums: tuple[tuple[str, str, str], ...]

    @property
    def columns(self) -> tuple[str, ...]:
        return (*self.keys, *self.part_keys)


def _ran(p: str) -> str:
    return f"({p}.applicable OR {p}.error IS NOT NULL)"


#: What the evaluators' figures are made of, per evaluation row (store.queries.site.query_evaluator_figures and a
#: batch's evaluators): counts and score sums over the applicable ones and over those that ran (an evaluator that
#: failed ran: its 0-1 figure, if any, counts), errors and cost.
EVALUATION_SUMS: tuple[tuple[str, str, str], ...] = (
    ("evaluations", "1", "INTEGER"),
    ("applicable", "{p}.applicable", "INTEGER"),
    ("weight_sum", "{p}.weight", "REAL"),
    ("app_scores", "{p}.applicable AND {p}.normalized_score IS NOT NULL", "INTEGER"),
    ("app_score_sum", "CASE WHEN {p}.applicable THEN {p}.normalized_score END", "REAL"),
    ("app_full", "CASE WHEN {p}.applicable THEN {p}.normalized_score = 1.0 END", "INTEGER"),
    ("errors", "{p}.error IS NOT NULL", "INTEGER"),
    ("cost_rows", "{p}.cost_usd IS NOT NULL", "INTEGER"),
    ("cost_usd", "{p}.cost_usd", "REAL"),
    ("ran", _ran("{p}"), "INTEGER"),
    ("ran_scores", f"{_ran('{p}')} AND {{p}}.normalized_score IS NOT NULL", "INTEGER"),
    ("ran_score_sum", f"CASE WHEN {_ran('{p}')} THEN {{p}}.normalized_score END", "REAL"),
)
#: Telemetry per configuration (the costs page): each amount's sum and how many rows had one (a sum over no known
#: value is unknown, not 0).
TELEMETRY_AMOUNTS = ("judge_cost_usd", "tokens_in", "tokens_out", "cache_read_tokens", "cache_write_tokens")
TELEMETRY_SUMS: tuple[tuple[str, str, str], ...] = tuple(
    item
    for column in TELEMETRY_AMOUNTS
    for item in (
        (column, f"{{p}}.{column}", "REAL" if column.endswith("_usd") else "INTEGER"),
        (f"{column}_rows", f"{{p}}.{column} IS NOT NULL", "INTEGER"),
    )
)
PART_SUMMARIES = (
    # per batch, configuration and evaluator: the evaluators page (summed over batches) and a batch's evaluators
    PartSummary(
        "agg_evaluations",
        "evaluation_results",
        ("batch_id", *CONFIGURATION),
        ("evaluator_name", "kind"),
        EVALUATION_SUMS,
    ),
    PartSummary("agg_telemetry", "run_telemetry", CONFIGURATION, (), TELEMETRY_SUMS),
)


def _part_key(summary: PartSummary, column: str, ref: str) -> str:
    default = 0 if column in summary.keys and _integer(column) else repr("")
    return f"COALESCE({ref}.{column}, {default})"


def part_summary_table_sql(summary: PartSummary) -> str:
    keys = [f"{c} {'INTEGER' if c in summary.keys and _integer(c) else 'TEXT'} NOT NULL" for c in summary.columns]
    sums = [f"{name} {kind} NOT NULL DEFAULT 0" for name, _, kind in summary.sums]
    return f"CREATE TABLE {summary.table} ({', '.join([*keys, *sums])}, PRIMARY KEY ({', '.join(summary.columns)}))"


def _part_sum(expression: str, ref: str) -> str:
    return f"COALESCE({expression.format(p=ref)}, 0)"


def part_summary_triggers_sql(summary: PartSummary) -> tuple[str, ...]:
    """The triggers that keep a part summary: a part row added or taken while its run counts, and a counted run's
    part rows added or taken with the run (the store deletes a run before its parts and inserts it before them, so
    each part row is counted once whatever the order)."""
    t, part, cols = summary.table, summary.part, ", ".join(summary.columns)
    run_keys = [_part_key(summary, c, "r") for c in summary.keys]
    counted = counts_sql("runs", "r")

    def one_row(ref: str, sign: str) -> str:
        keys = [*run_keys, *(_part_key(summary, c, ref) for c in summary.part_keys)]
        match = " AND ".join(f"{t}.{c} = k.{c}" for c in summary.columns)
        sets = ", ".join(f"{n} = {n} {sign} {_part_sum(e, ref)}" for n, e, _ in summary.sums)
        chosen = ", ".join(f"{k} AS {c}" for k, c in zip(keys, summary.columns, strict=True))
        source = f"(SELECT {chosen} FROM benchmark_runs r WHERE r.run_id = {ref}.run_id AND {counted}) AS k"
        insert = (
            f"  INSERT INTO {t} ({cols}) SELECT {', '.join(keys)} FROM benchmark_runs r "
            f"WHERE r.run_id = {ref}.run_id AND {counted} ON CONFLICT DO NOTHING;\n"
            if sign == "+"
            else ""
        )
        return f"{insert}  UPDATE {t} SET {sets} FROM {source} WHERE {match};\n"

    def with_run(ref: str, sign: str) -> str:
        keys = [_part_key(summary, c, ref) for c in summary.keys]
        part_keys = [_part_key(summary, c, "p") for c in summary.part_keys]
        grouped = ", ".join(
            [
                *(f"{k} AS {c}" for k, c in zip(part_keys, summary.part_keys, strict=True)),
                *(f"SUM({_part_sum(e, 'p')}) AS {n}" for n, e, _ in summary.sums),
            ]
        )
        # grouped by run_id too: no row at all (not a row of NULL sums) when the run has no part rows
        group = ", ".join(["p.run_id", *part_keys])
        source = f"(SELECT {grouped} FROM {part} p WHERE p.run_id = {ref}.run_id GROUP BY {group}) AS k"
        match = " AND ".join(
            [
                *(f"{t}.{c} = {k}" for c, k in zip(summary.keys, keys, strict=True)),
                *(f"{t}.{c} = k.{c}" for c in summary.part_keys),
            ]
        )
        sets = ", ".join(f"{n} = {t}.{n} {sign} k.{n}" for n, _, _ in summary.sums)
        insert = (
            f"  INSERT INTO {t} ({cols}) SELECT DISTINCT {', '.join([*keys, *part_keys])} FROM {part} p "
            f"WHERE p.run_id = {ref}.run_id ON CONFLICT DO NOTHING;\n"
            if sign == "+"
            else ""
        )
        return f"{insert}  UPDATE {t} SET {sets} FROM {source} WHERE {match};\n"

    return (
        f"CREATE TRIGGER {t}_insert AFTER INSERT ON {part} BEGIN\n{one_row('NEW', '+')}END",
        f"CREATE TRIGGER {t}_delete AFTER DELETE ON {part} BEGIN\n{one_row('OLD', '-')}END",
        f"CREATE TRIGGER {t}_run_insert AFTER INSERT ON benchmark_runs WHEN {counts_sql('runs', 'NEW')} BEGIN\n"
        f"{with_run('NEW', '+')}END",
        f"CREATE TRIGGER {t}_run_delete AFTER DELETE ON benchmark_runs WHEN {counts_sql('runs', 'OLD')} BEGIN\n"
        f"{with_run('OLD', '-')}END",
    )


def part_summary_fill_sql(summary: PartSummary) -> str:
    """The part summary's rows computed from the stored runs and parts."""
    keys = [
        *(_part_key(summary, c, "r") for c in summary.keys),
        *(_part_key(summary, c, "p") for c in summary.part_keys),
    ]
    sums = [f"SUM({_part_sum(e, 'p')})" for _, e, _ in summary.sums]
    return (
        f"INSERT INTO {summary.table} ({', '.join([*summary.columns, *(n for n, _, _ in summary.sums)])}) "
        f"SELECT {', '.join([*keys, *sums])} FROM benchmark_runs r CROSS JOIN {summary.part} p ON p.run_id = r.run_id "
        f"WHERE {counts_sql('runs', 'r')} GROUP BY {', '.join(keys)}"
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
    for part_summary in PART_SUMMARIES:
        triggers = part_summary_triggers_sql(part_summary)
        for suffix in ("insert", "delete", "run_insert", "run_delete"):
            statements.append(f"DROP TRIGGER IF EXISTS {part_summary.table}_{suffix}")
        statements += [
            f"DROP TABLE IF EXISTS {part_summary.table}",
            part_summary_table_sql(part_summary),
            *triggers,
            part_summary_fill_sql(part_summary),
        ]
    statements.append(batch_refresh_sql(one_batch=False))
    return tuple(statements)


#: Why counted runs were not successful (store.queries.batches.query_unsuccessful; docs/scoring.md), kept per run in
#: CAUSES_TABLE by triggers: one row per cause of a counted, unsuccessful run, in the order of docs/scoring.md: the
#: run failed (``failure``, named by its category, else its status; its error the example); an evaluator that counts
#: failed (``error``: EVALUATOR_ERROR); a gate did not hold (``gate``: its finding or command the example); else its
#: success metric fell short: each task evaluator below its full score (``score``, its 0-1 score kept for the mean)
#: and each heuristic check that failed (``check``, by its name: one row per run and name, the least message).
#: A run has at most one evaluation per evaluator (a unique index), so every row stands for one run: a batch's
#: causes are these rows counted per configuration, kind and name (the least example, the mean score), kept summed
#: in BATCH_CAUSES_TABLE. Details that are not JSON are read as no details (no message, no checks).
CAUSES_TABLE = "run_causes"
CAUSE_KINDS = ("failure", "error", "gate", "score", "check")
#: The run's columns a cause row copies (its batch and configuration: what a batch's causes are grouped by).
CAUSE_RUN_COLUMNS = ("batch_id", *CONFIGURATION)
#: The run's and the evaluation's columns the causes are computed from: an update of one recomputes the run's.
CAUSE_INPUTS = {
    "benchmark_runs": ("run_id", *CAUSE_RUN_COLUMNS, "status", "is_successful", "failure_category", "error"),
    "evaluation_results": (
        "run_id",
        "evaluator_name",
        "applicable",
        "weight",
        "kind",
        "details",
        "error",
        "normalized_score",
    ),
}
#: A batch's causes in group order with their examples and scores: what a batch's least example and sum of scores
#: are recomputed from when a cause is deleted (BATCH_CAUSES_TABLE).
CAUSES_BATCH_INDEX = f"idx_{CAUSES_TABLE}_batch"
_CAUSE_GROUP = (*CONFIGURATION, "kind", "name")
#: The unsuccessful run a cause belongs to ("{r}": its row): counted, not successful.
_UNSUCCESSFUL_RUN = f"{counts_sql('runs', '{r}')} AND NOT {counts_sql('successful', '{r}')}"
_GATE_FAILED = (
    f"{{e}}.evaluator_name IN {_quoted(GATE_EVALUATORS)} AND {{e}}.error IS NULL AND {{e}}.applicable = 1 "
    "AND {e}.normalized_score < 1"
)
#: An evaluation that makes its run unsuccessful whatever the score: an evaluator error, or a gate that did not hold.
_BLOCKING = f"(({EVALUATOR_ERROR}) OR ({_GATE_FAILED}))"
#: A task evaluator below its full score (the success metric's part).
_SHORT = (
    "{e}.error IS NULL AND {e}.applicable = 1 AND {e}.kind = 'task' AND {e}.weight > 0 AND {e}.normalized_score < 1"
)
#: The evaluation's details as JSON (NULL when they are not: the original's clients may post any text).
_DETAILS = "CASE WHEN json_valid({e}.details) THEN {e}.details END"
_GATE_EXAMPLE = (
    "COALESCE(json_extract({d}, '$.findings[0].message') || ' (' || "
    "COALESCE(json_extract({d}, '$.findings[0].path'), '') || ')', json_extract({d}, '$.command') || ': ' || "
    "json_extract({d}, '$.status') || COALESCE(' (exit code ' || json_extract({d}, '$.exitCode') || ')', ''))"
)


def causes_table_sql() -> str:
    """run_causes: the run, its batch and configuration (typed as the run's), the kind, and the name and example
    untyped (a check's name or message keeps the JSON type it had), the score REAL."""
    copied = [f"{c} {'TEXT NOT NULL' if c == 'run_id' else 'TEXT'}" for c in ("run_id", *CAUSE_RUN_COLUMNS)]
    columns = [*copied, "kind TEXT NOT NULL", "name", "example", "score REAL"]
    return f"CREATE TABLE {CAUSES_TABLE} ({', '.join(columns)})"


def _cause_inserts(r: str, e: str, where: str | None, blocked: str | None = None) -> dict[str, str]:
    """The INSERT of each kind of cause (CAUSE_KINDS) of a run ``r`` and its evaluations ``e``, where ``where``
    holds: each of ``r`` and ``e`` is either a row of its table (``r``: benchmark_runs, ``e``: evaluation_results,
    joined on the run) or a trigger's row (``NEW``: nothing to look up). ``blocked``: the condition that the run has a
    blocking evaluation (default: one of its evaluations is; a trigger asks run_causes, cheaper)."""
    run_table = [f"benchmark_runs {r}"] if r != "NEW" else []
    evaluation_table = [f"evaluation_results {e}{f' ON {e}.run_id = {r}.run_id' if run_table else ''}"]
    conditions = [*([where] if where else []), _UNSUCCESSFUL_RUN.format(r=r)]
    columns = ", ".join(["run_id", *CAUSE_RUN_COLUMNS, "kind", "name", "example", "score"])
    copied = ", ".join(f"{r}.{c}" for c in ("run_id", *CAUSE_RUN_COLUMNS))
    head = f"INSERT INTO {CAUSES_TABLE} ({columns}) SELECT {copied}"

    def select(values: str, *more: str, run_only: bool = False, each: str = "", group: str = "") -> str:
        used = [*run_table, *(evaluation_table if e != "NEW" and not run_only else []), *([each] if each else [])]
        sources = f" FROM {' JOIN '.join(used)}" if used else ""
        return f"{head}, {values}{sources} WHERE {' AND '.join([*conditions, *more])}{group}"

    scored, details = _status(r, True), _DETAILS.format(e=e)
    heuristic = f"{e}.evaluator_name = 'heuristic_checks'"
    if blocked is None:
        blocked = (
            f"EXISTS (SELECT 1 FROM evaluation_results b WHERE b.run_id = {r}.run_id AND {_BLOCKING.format(e='b')})"
        )
    short = f"{_SHORT.format(e=e)} AND NOT {blocked}"
    return {
        "failure": select(
            f"'failure', COALESCE({r}.failure_category, {r}.status), {r}.error, NULL", _status(r, False), run_only=True
        ),
        "error": select(f"'error', {e}.evaluator_name, {e}.error, NULL", scored, EVALUATOR_ERROR.format(e=e)),
        "gate": select(
            f"'gate', {e}.evaluator_name, {_GATE_EXAMPLE.format(d=details)}, NULL", scored, _GATE_FAILED.format(e=e)
        ),
        "score": select(
            f"'score', {e}.evaluator_name, NULL, {e}.normalized_score",
            scored,
            f"(NOT {heuristic} OR json_array_length({details}, '$.checks') IS NULL)",
            short,
        ),
        "check": select(
            "'check', json_extract(c.value, '$.name'), MIN(json_extract(c.value, '$.message')), NULL",
            scored,
            heuristic,
            short,
            "c.type = 'object' AND json_extract(c.value, '$.passed') = 0",
            each=f"json_each({details}, '$.checks') c",
            group=f" GROUP BY {r}.run_id, json_extract(c.value, '$.name')",
        ),
    }


def _status(r: str, scored: bool) -> str:
    return f"{r}.status {'' if scored else 'NOT '}IN {_quoted(SCORED_STATUSES)}"


def cause_inserts(runs: str | None = None) -> tuple[str, ...]:
    """The INSERTs that add the causes of the runs ``runs`` selects (a condition on ``r``, a benchmark_runs row;
    None: every run), each kind in turn (CAUSE_KINDS)."""
    return tuple(_cause_inserts("r", "e", runs).values())


def _lines(statements: tuple[str, ...]) -> str:
    """Statements as the lines of a trigger's body."""
    return "".join(f"  {s};\n" for s in statements)


def _recompute(run_id: str, condition: str = "") -> str:
    """A trigger's statements that replace the causes of run ``run_id`` (``NEW.run_id``) with the current ones, when
    ``condition`` holds."""
    inserts = cause_inserts(f"r.run_id = {run_id}{condition}")
    return _lines((f"DELETE FROM {CAUSES_TABLE} WHERE run_id = {run_id}{condition}", *inserts))


def causes_triggers_sql() -> tuple[str, ...]:
    """The triggers that keep run_causes. A run's causes are computed when it is stored (a failure from its row; the
    others from its evaluations, when some were stored before it), recomputed when a column they are made of
    changes, and deleted with it. An evaluation stored for an unsuccessful scored run adds its own causes: each kind
    has its trigger, whose condition on the evaluation's row is decided before anything is read (an evaluation that
    is no cause costs a test; SQLite runs every statement of a trigger's body); a blocking one takes the run's
    scores and checks away, a task evaluator below full score adds them unless run_causes holds a blocking cause of
    the run. An evaluation deleted or changed recomputes its run's. SQLite triggers take no WITH: the computation is
    _cause_inserts' plain subqueries."""
    t = CAUSES_TABLE
    runs, evaluations = (", ".join(CAUSE_INPUTS[table]) for table in ("benchmark_runs", "evaluation_results"))
    unsuccessful = _UNSUCCESSFUL_RUN.format(r="NEW")
    stored = _cause_inserts("NEW", "e", "e.run_id = NEW.run_id")
    has_evaluations = "EXISTS (SELECT 1 FROM evaluation_results e WHERE e.run_id = NEW.run_id)"
    # the run of an evaluation: stored, unsuccessful and scored (else its evaluations make none of its causes)
    scored_run = (
        f"EXISTS (SELECT 1 FROM benchmark_runs r WHERE r.run_id = {{ref}}.run_id AND "
        f"{_UNSUCCESSFUL_RUN.format(r='r')} AND {_status('r', True)})"
    )
    kept = f"EXISTS (SELECT 1 FROM {t} x WHERE x.run_id = r.run_id AND x.kind IN ('error', 'gate'))"
    added = _cause_inserts("r", "NEW", "r.run_id = NEW.run_id", blocked=kept)
    short, heuristic = _SHORT.format(e="NEW"), "NEW.evaluator_name = 'heuristic_checks'"

    def on_evaluation(name: str, when: str, *statements: str) -> str:
        return (
            f"CREATE TRIGGER {t}_evaluation_{name} AFTER INSERT ON evaluation_results WHEN {when} AND "
            f"{scored_run.format(ref='NEW')} BEGIN\n{_lines(statements)}END"
        )

    return (
        f"CREATE TRIGGER {t}_run_failure AFTER INSERT ON benchmark_runs WHEN {unsuccessful} AND "
        f"{_status('NEW', False)} BEGIN\n{_lines((_cause_inserts('NEW', 'e', None)['failure'],))}END",
        f"CREATE TRIGGER {t}_run_insert AFTER INSERT ON benchmark_runs WHEN {unsuccessful} AND "
        f"{_status('NEW', True)} AND {has_evaluations} BEGIN\n"
        f"{_lines(tuple(v for k, v in stored.items() if k != 'failure'))}END",
        f"CREATE TRIGGER {t}_run_delete AFTER DELETE ON benchmark_runs BEGIN\n"
        f"  DELETE FROM {t} WHERE run_id = OLD.run_id;\nEND",
        f"CREATE TRIGGER {t}_run_update AFTER UPDATE OF {runs} ON benchmark_runs BEGIN\n"
        f"  DELETE FROM {t} WHERE run_id = OLD.run_id;\n{_lines(cause_inserts('r.run_id = NEW.run_id'))}END",
        on_evaluation(
            "blocking",
            _BLOCKING.format(e="NEW"),
            f"DELETE FROM {t} WHERE run_id = NEW.run_id AND kind IN ('score', 'check')",
            added["error"],
            added["gate"],
        ),
        on_evaluation(
            "score",
            f"{short} AND (NOT {heuristic} OR json_array_length({_DETAILS.format(e='NEW')}, '$.checks') IS NULL)",
            added["score"],
        ),
        on_evaluation("checks", f"{short} AND {heuristic}", added["check"]),
        f"CREATE TRIGGER {t}_evaluation_delete AFTER DELETE ON evaluation_results WHEN "
        f"{scored_run.format(ref='OLD')} BEGIN\n{_recompute('OLD.run_id')}END",
        f"CREATE TRIGGER {t}_evaluation_update AFTER UPDATE OF {evaluations} ON evaluation_results BEGIN\n"
        f"{_recompute('OLD.run_id')}{_recompute('NEW.run_id', ' AND NEW.run_id IS NOT OLD.run_id')}END",
    )


#: A batch's causes, summed from run_causes by triggers (a batch's detail reads a row per cause, not a row per run
#: and cause): per batch, configuration, kind and name (NULL apart from '': matched with IS), its runs, the sum of
#: its scores and its least example. A row of run_causes deleted takes its run away; the least example is then
#: recomputed from CAUSES_BATCH_INDEX when the deleted row held it, and the sum of scores always (a sum kept by
#: subtractions would drift from what the scores sum to, and the mean is shown to two decimals).
BATCH_CAUSES_TABLE = "agg_batch_causes"
_BATCH_CAUSE_KEY = ("batch_id", *_CAUSE_GROUP)


def _same_cause(a: str, b: str) -> str:
    return " AND ".join(f"{a}.{c} IS {b}.{c}" for c in _BATCH_CAUSE_KEY)


def batch_causes_triggers_sql() -> tuple[str, str]:
    """The triggers that keep agg_batch_causes from run_causes (rows of runs with a batch)."""
    t, key = BATCH_CAUSES_TABLE, ", ".join(_BATCH_CAUSE_KEY)
    of_old = f"FROM {CAUSES_TABLE} c WHERE {_same_cause('c', 'OLD')}"
    insert = (
        f"CREATE TRIGGER {t}_insert AFTER INSERT ON {CAUSES_TABLE} WHEN NEW.batch_id IS NOT NULL BEGIN\n"
        f"  INSERT INTO {t} ({key}) SELECT {', '.join(f'NEW.{c}' for c in _BATCH_CAUSE_KEY)} WHERE NOT EXISTS "
        f"(SELECT 1 FROM {t} a WHERE {_same_cause('a', 'NEW')});\n"
        f"  UPDATE {t} SET runs = runs + 1, score_sum = CASE WHEN NEW.score IS NULL THEN score_sum "
        "ELSE COALESCE(score_sum, 0) + NEW.score END, example = CASE WHEN NEW.example IS NULL THEN example "
        f"WHEN example IS NULL THEN NEW.example ELSE min(example, NEW.example) END WHERE {_same_cause(t, 'NEW')};\nEND"
    )
    delete = (
        f"CREATE TRIGGER {t}_delete AFTER DELETE ON {CAUSES_TABLE} WHEN OLD.batch_id IS NOT NULL BEGIN\n"
        f"  UPDATE {t} SET runs = runs - 1, score_sum = CASE WHEN OLD.score IS NULL THEN score_sum "
        f"ELSE (SELECT SUM(c.score) {of_old}) END, example = CASE WHEN OLD.example IS NOT example THEN example "
        f"ELSE (SELECT MIN(c.example) {of_old}) END WHERE {_same_cause(t, 'OLD')};\n"
        f"  DELETE FROM {t} WHERE {_same_cause(t, 'OLD')} AND runs = 0;\nEND"
    )
    return insert, delete


def causes_sql() -> tuple[str, ...]:
    """What a migration runs to (re)build run_causes and agg_batch_causes from the current definitions: run_causes
    filled from the stored runs and evaluations (before its indexes: a bulk load is faster so), its indexes (by run:
    the run view and the triggers; CAUSES_BATCH_INDEX: a batch's causes in group order), agg_batch_causes summed
    from it, and the triggers. The newest migration holding it holds this as literal text (tests check it still
    does)."""
    t, b = CAUSES_TABLE, BATCH_CAUSES_TABLE
    triggers = (*causes_triggers_sql(), *batch_causes_triggers_sql())
    names = [s.split()[2] for s in triggers]
    group = ", ".join([*CAUSE_RUN_COLUMNS, "kind", "name", "example", "score"])
    key = ", ".join(_BATCH_CAUSE_KEY)
    return (
        *(f"DROP TRIGGER IF EXISTS {name}" for name in names),
        f"DROP TABLE IF EXISTS {b}",
        f"DROP TABLE IF EXISTS {t}",
        causes_table_sql(),
        *cause_inserts(),
        f'CREATE INDEX "idx_{t}_run_id_kind" ON "{t}" (run_id, kind)',
        f'CREATE INDEX "{CAUSES_BATCH_INDEX}" ON "{t}" ({group})',
        f"CREATE TABLE {b} (batch_id TEXT NOT NULL, {', '.join(f'{c} TEXT' for c in CONFIGURATION)}, kind TEXT NOT "
        "NULL, name, runs INTEGER NOT NULL DEFAULT 0, score_sum REAL, example)",
        f"INSERT INTO {b} ({key}, runs, score_sum, example) SELECT {key}, COUNT(*), SUM(score), MIN(example) "
        f"FROM {t} WHERE batch_id IS NOT NULL GROUP BY {key}",
        f'CREATE INDEX "idx_{b}_key" ON "{b}" ({key})',
        *triggers,
    )


def causes_select_sql(of: str) -> str:
    """The causes of a batch's runs (``of`` "batch": agg_batch_causes) or of one run's ("run": its rows of
    run_causes), ``?`` the id: per configuration, kind and name, the runs, the least example, or for a score the
    mean score (2 decimals); ordered by configuration, then the most runs first, then kind and name."""
    keys = ", ".join(f"{c} AS {RUNS.column(c).key}" for c in CONFIGURATION)
    order = f"ORDER BY {', '.join(RUNS.column(c).key for c in CONFIGURATION)}, runs DESC, kind, name"
    mean = "'mean score ' || printf('%.2f', {})"
    if of == "batch":
        return (
            f"SELECT {keys}, kind, name, runs, CASE WHEN kind = 'score' THEN {mean.format('score_sum / runs')} "
            f"ELSE example END AS example FROM {BATCH_CAUSES_TABLE} WHERE batch_id = ? {order}"
        )
    return (
        f"SELECT {keys}, kind, name, COUNT(*) AS runs, CASE WHEN kind = 'score' THEN {mean.format('AVG(score)')} "
        f"ELSE MIN(example) END AS example FROM {CAUSES_TABLE} WHERE run_id = ? GROUP BY {', '.join(_CAUSE_GROUP)} "
        f"{order}"
    )


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
