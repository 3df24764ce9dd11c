"""The run, declared once: every stored column of a run, of its parts and of its batch, with its API key, its type,
the shapes it is served in and where in the record (RunRecord, BatchRecord) its value comes from.

Everything else is derived from these tables: the store's write rows, SELECT lists and readers (zebench.store),
the original project's key tuples, the API's response models of the run and its parts (zebench.models.api) and
the TypedDicts the store's queries return (zebench.models.shapes, generated). A **configuration** (what a
leaderboard ranks: today agent and model) and an **item** (what a configuration is run on: suite, scenario and
tier) are the columns of the run with that role: a dimension added to the configuration (a specialist, an imported
harness's solver) is one ``role="configuration"`` here, and every count, comparison and page groups by it (the
summary tables keyed by configuration follow through the next migration the store generates: docs/development.md).

The store encodes and decodes the values (``encoding``: 0/1 integers, JSON text); this module only declares them.
"""

from __future__ import annotations

import types
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Annotated, Any, Literal, Union, get_args, get_origin

from pydantic import Field
from pydantic.alias_generators import to_camel

from .record import BatchRecord, RunRecord, evaluator_errors, integrity_findings

Shape = Literal["v2", "original"]
Encoding = Literal["", "bool", "json"]
Role = Literal["", "configuration", "item"]
#: A value of a row: an attribute path of the part the row is written from ("failure.category"), or a function
#: of (part, run record, position of the part). None: not written from the record (the row id, the revision).
Source = str | Callable[[Any, Any, int], Any] | None


class _Required:
    def __repr__(self) -> str:
        return "REQUIRED"


#: An API key every answer has (no default in the response model).
REQUIRED: Any = _Required()


def nullable(kind: Any) -> bool:
    """Whether a type admits None (``str | None``, ``Any``)."""
    if kind is Any or kind is None or kind is type(None):
        return True
    return get_origin(kind) in (Union, types.UnionType) and type(None) in get_args(kind)


@dataclass(frozen=True)
class Column:
    """One stored column: its name, the type of its value in zebench's shapes, its API key (camelCase of the
    name unless given), whether /api/v2 serves it, whether the original's shape does (True, or the type it has
    there: one of that shape's quirks), how it is stored, what it is in the record, and its role."""

    name: str
    type: Any
    key: str = ""
    source: Source = ""
    v2: bool = True
    original: Any = False
    encoding: Encoding = ""
    #: The default of the API model's field (an answer may lack the key); REQUIRED: none.
    default: Any = REQUIRED
    role: Role = ""
    #: Computed, not stored: the 0/1 of a count condition of the store (store.sql.COUNT_CONDITIONS) on the row.
    count: str = ""

    def __post_init__(self) -> None:
        if not self.key:
            object.__setattr__(self, "key", to_camel(self.name))
        if self.source == "":
            object.__setattr__(self, "source", None if self.count else self.name)

    @property
    def stored(self) -> bool:
        return not self.count

    @property
    def written(self) -> bool:
        """Written from the record (the row id and what the database computes are not)."""
        return self.stored and self.source is not None

    def served_type(self, shape: Shape) -> Any:
        return self.type if shape == "v2" or self.original is True else self.original

    def value(self, part: Any, run: Any, index: int) -> Any:
        """This column's value for one part of a record (``run``: the record it belongs to)."""
        source = self.source
        if source is None:
            raise ValueError(f"{self.name} is not written from the record")
        if callable(source):
            return source(part, run, index)
        value = part
        for attribute in source.split("."):
            value = getattr(value, attribute)
            if value is None:
                return None
        return value


@dataclass(frozen=True)
class Table:
    """A stored table of the run (or the batch): its columns in the order every shape lists them, and the parts of
    a record it stores, one row each."""

    name: str
    columns: tuple[Column, ...]
    parts: Callable[[Any], Sequence[Any]] = field(default=lambda record: [record])
    #: The order of a run's rows in this table (after run_id), as they were written.
    order: str = ""

    def __post_init__(self) -> None:
        names = [c.name for c in self.columns]
        assert len(set(names)) == len(names), f"{self.name}: a column declared twice"

    def column(self, name: str) -> Column:
        return self.by_name[name]

    @cached_property
    def by_name(self) -> dict[str, Column]:
        return {c.name: c for c in self.columns}

    @cached_property
    def by_key(self) -> dict[str, Column]:
        return {c.key: c for c in self.columns if c.v2}

    def shape(self, shape: Shape) -> tuple[Column, ...]:
        """The columns a shape serves, in order."""
        if shape == "v2":
            return tuple(c for c in self.columns if c.v2)
        return tuple(c for c in self.columns if c.original is not False)

    def keys(self, shape: Shape) -> tuple[str, ...]:
        return tuple(c.key for c in self.shape(shape))

    def written(self) -> tuple[Column, ...]:
        return tuple(c for c in self.columns if c.written)

    def with_role(self, role: Role) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns if c.role == role)

    def annotations(self, shape: Shape) -> dict[str, Any]:
        """The fields of the shape's response model (zebench.models.api): key -> type, with the default when the
        key may be missing."""
        out: dict[str, Any] = {}
        for c in self.shape(shape):
            kind = c.served_type(shape)
            out[c.key] = kind if c.default is REQUIRED or shape != "v2" else Annotated[kind, Field(default=c.default)]
        return out


def _run_id(part: Any, run: Any, index: int) -> Any:
    return run.run_id


def _position(part: Any, run: Any, index: int) -> int:
    return index


def _flag(attribute: str) -> Callable[[Any, Any, int], Any]:
    """Whether the record has the part (its diff, its transcript)."""
    return lambda part, run, index: getattr(part, attribute) is not None


def _errors(part: Any, run: Any, index: int) -> int:
    return len(evaluator_errors(part.evaluations))


def _findings(part: Any, run: Any, index: int) -> int:
    return integrity_findings(part.evaluations)


def _evaluated_at(part: Any, run: Any, index: int) -> Any:
    return run.completed_at or run.started_at


def _diff_parts(attribute: str) -> Callable[[Any], Sequence[Any]]:
    return lambda r: getattr(r.diff, attribute) if r.diff is not None else []


def _transcript_parts(attribute: str) -> Callable[[Any], Sequence[Any]]:
    return lambda r: getattr(r.transcript, attribute) if r.transcript is not None else []


def _one(attribute: str) -> Callable[[Any], Sequence[Any]]:
    return lambda r: [] if getattr(r, attribute) is None else [getattr(r, attribute)]


_RUN_ID = Column("run_id", str, source=_run_id, v2=False)
#: The row id of a part that no shape serves.
_ROW_ID = Column("id", int, source=None, v2=False)

#: benchmark_runs: one row per run (attempt), the seed's table with zebench's columns.
RUNS = Table(
    "benchmark_runs",
    (
        Column("id", int, source=None, original=True),
        Column("run_id", str, original=True),
        Column("batch_id", str | None, original=True),
        Column("suite", str, original=True, role="item"),
        Column("scenario", str, original=True, role="item"),
        Column("tier", str, original=True, role="item"),
        Column("agent", str, original=True, role="configuration"),
        Column("model", str | None, original=True, role="configuration"),
        Column("status", str, original=True),
        Column("started_at", str, original=True),
        Column("completed_at", str | None, original=True),
        Column("total_score", float | None, original=True),
        Column("weighted_score", float | None, original=True),
        Column("is_successful", bool, original=True, encoding="bool"),
        Column("success_metric", float | None, original=True),
        Column("specialist_enabled", bool, original=True, encoding="bool"),
        Column("specialist_name", str | None, original=True, role="configuration"),
        Column("specialist_version", str | None, original=True, role="configuration"),
        Column("repeat_index", int | None),
        Column("failure_category", str | None, source="failure.category"),
        Column("failure_stage", str | None, source="failure.stage"),
        Column("error", str | None, source="failure.message"),
        Column("cost_usd", float | None, source="telemetry.cost_usd"),
        #: Evaluations of the run that failed and count (models.record.evaluator_errors): its score leaves them out
        #: and it is not successful.
        Column("evaluator_errors", int | None, source=_errors, default=None),
        #: The run's blocking findings (models.record.integrity_findings: what its integrity guard found): a run
        #: with one is never successful and counts among the runs with findings (docs/integrity.md).
        Column("findings", int | None, source=_findings, default=None),
        #: Successful as every count of zebench defines it (store.sql.COUNT_CONDITIONS): what the pages show.
        Column("successful", bool, count="successful"),
        #: An object in zebench's shape; the original stores and serves JSON text (its dashboard JSON.parses it).
        Column("metadata", dict[str, Any], original=str | None, encoding="json"),
        Column("has_diff", int, source=_flag("diff"), v2=False),
        Column("has_transcript", int, source=_flag("transcript"), v2=False),
        #: The write that stored the run (store.writes: a rewrite gets a new one).
        Column("revision", int | None, source=None, v2=False),
    ),
)

#: evaluation_results: one row per evaluator of a run.
EVALUATIONS = Table(
    "evaluation_results",
    (
        Column("id", int, source=None, original=True),
        Column("run_id", str, source=_run_id, original=True),
        Column("evaluator_name", str, original=True),
        #: As given, out of max_score (the original's shape: numeric, not-applicable evaluations left out).
        Column("score", float | None, original=float),
        Column("max_score", float | None, original=float),
        Column("normalized_score", float | None, v2=False),
        Column("applicable", bool | None, encoding="bool"),
        Column("weight", float | None),
        Column("kind", str | None),
        #: As given (the original's shape: text as sent, else its JSON).
        Column("details", Any, encoding="json", original=str | None),
        Column("error", str | None),
        Column("cost_usd", float | None),
        Column("created_at", str | None, source=_evaluated_at, original=True),
    ),
    parts=lambda r: r.evaluations,
    order="id",
)

#: run_telemetry: a run's counts and costs (at most one row).
TELEMETRY = Table(
    "run_telemetry",
    (
        Column("id", int, source=None, v2=False, original=True),
        Column("run_id", str, source=_run_id, v2=False, original=True),
        Column("tool_calls", int | None, original=True),
        Column("tokens_in", int | None, original=True),
        Column("tokens_out", int | None, original=True),
        Column("cache_read_tokens", int | None),
        Column("cache_write_tokens", int | None),
        Column("cost_usd", float | None, original=True),
        Column("judge_cost_usd", float | None),
        Column("duration_ms", int | None, original=True),
        Column("workspace_dir", str | None, original=True),
        Column("stage_ms", dict[str, int] | None, encoding="json"),
        Column("prompt_sent", str | None, original=True),
    ),
    parts=_one("telemetry"),
)

_COMMAND_COLUMNS = (
    _ROW_ID,
    _RUN_ID,
    Column("seq", int, source=_position, v2=False),
    Column("kind", str),
    Column("command", str),
    Column("status", str),
    Column("exit_code", int | None),
    Column("duration_ms", int | None),
    Column("output_tail", str | None),
)
#: validation_results: the scenario's validation commands after the agent.
VALIDATION = Table(
    "validation_results",
    (
        *_COMMAND_COLUMNS,
        #: The same command's status at baseline (validation results only).
        Column("baseline_status", str | None, default=None),
    ),
    parts=lambda r: r.validation,
    order="seq",
)
#: baseline_results: the same commands on the untouched fixture (shared by the runs of a batch).
BASELINE = Table("baseline_results", _COMMAND_COLUMNS, parts=lambda r: r.baseline, order="seq")

#: run_diff_files: what the agent changed, file by file.
DIFF_FILES = Table(
    "run_diff_files",
    (
        _ROW_ID,
        _RUN_ID,
        Column("seq", int, source=_position, v2=False),
        Column("path", str),
        Column("change", str),
        Column("binary", bool | None, encoding="bool"),
        Column("additions", int | None),
        Column("deletions", int | None),
        Column("patch", str | None),
        Column("patch_truncated", bool | None, encoding="bool"),
    ),
    parts=_diff_parts("files"),
    order="seq",
)

#: run_dependency_changes: the dependency versions the agent changed.
DEPENDENCY_CHANGES = Table(
    "run_dependency_changes",
    (
        _ROW_ID,
        _RUN_ID,
        Column("seq", int, source=_position, v2=False),
        Column("manifest", str | None),
        Column("section", str | None),
        Column("name", str),
        Column("before", str | None),
        Column("after", str | None),
    ),
    parts=_diff_parts("dependency_changes"),
    order="seq",
)

#: run_messages: the agent's conversation.
MESSAGES = Table(
    "run_messages",
    (
        _ROW_ID,
        _RUN_ID,
        Column("seq", int, source=_position),
        Column("role", str),
        Column("content", Any, encoding="json"),
    ),
    parts=_transcript_parts("messages"),
    order="seq",
)

#: run_tool_calls: the agent's tool calls.
TOOL_CALLS = Table(
    "run_tool_calls",
    (
        _ROW_ID,
        _RUN_ID,
        Column("seq", int),
        Column("name", str),
        Column("input", Any, encoding="json"),
        Column("output", str | None),
        Column("is_error", bool | None, encoding="bool"),
        Column("duration_ms", int | None),
    ),
    parts=_transcript_parts("tool_calls"),
    order="seq",
)

#: run_manifests: what is needed to reproduce the run.
MANIFESTS = Table(
    "run_manifests",
    (
        _RUN_ID,
        Column("format_version", int | None),
        Column("zebench_version", str | None),
        Column("git_commit", str | None),
        Column("scenario_hash", str | None),
        Column("prompt_hash", str | None),
        Column("agent", str | None),
        Column("model", str | None),
        Column("settings", Any, encoding="json"),
        Column("python_version", str | None),
        Column("platform", str | None),
    ),
    parts=_one("manifest"),
)

#: A run's parts, table by table: written, deleted and rewritten together with its benchmark_runs row.
RUN_PARTS: tuple[Table, ...] = (
    EVALUATIONS,
    TELEMETRY,
    VALIDATION,
    BASELINE,
    DIFF_FILES,
    DEPENDENCY_CHANGES,
    MESSAGES,
    TOOL_CALLS,
    MANIFESTS,
)

#: batch_runs: one row per batch. Its figures are kept by the store from the batch's runs (store.sql.BATCH_SUMS);
#: the original's client posts them.
BATCHES = Table(
    "batch_runs",
    (
        Column("batch_id", str, original=True),
        #: ISO-8601 text; epoch milliseconds in the original's shape (its client's and dashboard's type).
        Column("created_at", str, original=int),
        Column("completed_at", str | None, original=int | None),
        Column("total_runs", int | None, original=int),
        Column("successful_runs", int | None, original=int),
        Column("failed_runs", int | None),
        Column("expected_runs", int | None),
        Column("avg_score", float | None, original=True),
        Column("avg_weighted_score", float | None, original=True),
        Column("metadata", dict[str, Any], encoding="json", original=str | None),
        Column("agent_failed_runs", int, source=None, v2=False),
        Column("infra_failed_runs", int, source=None, v2=False),
        Column("scored_runs", int, source=None, v2=False),
        Column("cancelled_runs", int, source=None, v2=False),
        Column("evaluator_error_runs", int, source=None, v2=False),
        Column("finding_runs", int, source=None, v2=False),
    ),
)

#: The columns of a run that make its configuration (what a leaderboard ranks, what a comparison holds fixed).
CONFIGURATION: tuple[str, ...] = RUNS.with_role("configuration")
#: The columns of a run that make its item (what a configuration is run on).
ITEM: tuple[str, ...] = RUNS.with_role("item")
#: The columns /api/v2/runs filters on (exact match), in the order the API documents them.
RUN_FILTER_COLUMNS: tuple[str, ...] = (*ITEM, *CONFIGURATION, "status", "batch_id")

#: The configuration's and the item's API keys: every row per configuration or item that the store returns names
#: them so (the API's shapes, and the store's own sums per item), whatever the stored column is called.
CONFIGURATION_KEYS: tuple[str, ...] = tuple(RUNS.column(c).key for c in CONFIGURATION)
ITEM_KEYS: tuple[str, ...] = tuple(RUNS.column(c).key for c in ITEM)
#: ... with their types, as every shape per configuration or item serves them.
CONFIGURATION_FIELDS: dict[str, Any] = {RUNS.column(c).key: RUNS.column(c).type for c in CONFIGURATION}
ITEM_FIELDS: dict[str, Any] = {RUNS.column(c).key: RUNS.column(c).type for c in ITEM}

#: The sums a group of runs is summarised by (counts of runs, and the amounts every mean is made of), with their
#: types: one vocabulary for the summary tables, the grouped queries and the figures computed from them. Their SQL
#: is zebench.store.sql.SUMS, which defines exactly these.
SUM_TYPES: dict[str, type] = {
    "runs": int,
    "successful": int,
    "completed": int,
    "failed": int,
    "agent_failed": int,
    "infra_failed": int,
    "scored": int,
    "evaluator_errors": int,
    "findings": int,
    "total_scored": int,
    "sum_total_score": float,
    "sum_weighted": float,
    "cost_runs": int,
    "sum_cost": float,
}

#: A batch's downloads (CSV and JSON, one row per run): a run's columns and its telemetry's totals, by column name.
DOWNLOAD_COLUMNS: tuple[tuple[Table, Column], ...] = tuple(
    (table, table.column(name))
    for table, names in (
        (RUNS, ("run_id", *ITEM, *CONFIGURATION, "repeat_index", "status", "is_successful")),
        (RUNS, ("weighted_score", "total_score", "success_metric", "failure_category", "failure_stage", "error")),
        (RUNS, ("cost_usd",)),
        (TELEMETRY, ("judge_cost_usd", "tokens_in", "tokens_out", "tool_calls", "duration_ms")),
        (RUNS, ("started_at", "completed_at")),
    )
    for name in names
)

# Every column written from a record attribute names one the record has.
assert all(
    c.source.split(".")[0] in model.model_fields
    for table, model in ((RUNS, RunRecord), (BATCHES, BatchRecord))
    for c in table.written()
    if isinstance(c.source, str)
)
