"""The static site's archive of older runs: each run's detail in zebench's shape (/api/v2/runs/<id> and the kept
part of its transcript), with the archive's cuts, made as JSON by SQLite itself. A million runs go through this
in a full build: their JSON is assembled and cut in C from the declarations of models.run, with no row decoded in
Python, and of a long transcript only the entries kept are read.

The cuts (ArchiveCuts): texts (a failure's message, an evaluator's error, the agent's last message) to ``text``
characters, tool calls' outputs to ``call``, command output to its last ``tail``; a tool call's input whole up to
``details`` characters, else its path alone (a write's content is not kept); evaluation details whole up to
``details`` characters, else left out; run metadata whole up to ``metadata`` characters; patches, the prompt and
the workspace path left out. A cut text ends with "\\n[cut: N characters]" (a tail starts with it), as the run
view expects. What is left out is in the live API.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Mapping
from dataclasses import dataclass, field

from ...models.run import (
    BASELINE,
    DEPENDENCY_CHANGES,
    DIFF_FILES,
    EVALUATIONS,
    MANIFESTS,
    MESSAGES,
    RUNS,
    TELEMETRY,
    TOOL_CALLS,
    VALIDATION,
    Column,
    Table,
    nullable,
)
from ..sql import counts_sql


@dataclass(frozen=True)
class ArchiveCuts:
    text: int = 120
    call: int = 60
    tail: int = 200
    details: int = 200
    metadata: int = 1000
    #: The first and last entries kept of each part of a transcript: {"messages"|"toolCalls": (head, tail)}.
    window: Mapping[str, tuple[int, int]] = field(default_factory=lambda: {"messages": (0, 1), "toolCalls": (3, 2)})


#: The parts of an archived run, in the order query_run_archive_range gives them.
ARCHIVE_PARTS = (
    "run",
    "evaluations",
    "telemetry",
    "validationResults",
    "baselineResults",
    "diff",
    "manifest",
    "transcript",
)
#: Keys of the v2 shape an archived evaluation leaves out (its row id, run id and time: the run view shows none).
_EVALUATION_DROPPED = ("id", "run_id", "created_at")


def _cut(value: str, limit: int) -> str:
    """SQL: a text cut to ``limit`` characters, marked as the site marks cuts."""
    return (
        f"CASE WHEN length({value}) > {limit} THEN substr({value}, 1, {limit}) || char(10) || '[cut: ' || "
        f"printf('%,d', length({value})) || ' characters]' ELSE {value} END"
    )


def _cut_tail(value: str, limit: int) -> str:
    return (
        f"CASE WHEN length({value}) > {limit} THEN '[cut: ' || printf('%,d', length({value})) || ' characters]' || "
        f"char(10) || substr({value}, -{limit}) ELSE {value} END"
    )


def _json_text(value: str) -> str:
    """SQL: a JSON value that SQLite's JSON functions made (``value``), as JSON text ('null' for SQL NULL)."""
    return f"COALESCE({value}, 'null')"


def _atom(kind: str, value: str, limit: int) -> str:
    """SQL: a value of json_each (its ``type`` and ``value``) as JSON, strings cut and structures kept when short."""
    return (
        f"CASE {kind} WHEN 'true' THEN json('true') WHEN 'false' THEN json('false') WHEN 'null' THEN json('null') "
        f"WHEN 'text' THEN {_cut(value, limit)} WHEN 'array' THEN CASE WHEN length({value}) <= {limit} "
        f"THEN json({value}) ELSE json('[]') END WHEN 'object' THEN CASE WHEN length({value}) <= {limit} "
        f"THEN json({value}) ELSE json('{{}}') END ELSE {value} END"
    )


def _top_level(json_text: str, limit: int) -> str:
    """SQL: a JSON object's top-level values (strings cut, structures kept when short), a string cut, else as is."""
    whole = f"json_extract({json_text}, '$')"
    return (
        f"CASE json_type({json_text}) WHEN 'object' THEN (SELECT json_group_object(key, "
        f"{_atom('type', 'value', limit)}) FROM json_each({json_text})) "
        f"WHEN 'text' THEN json_quote({_cut(whole, limit)}) ELSE {json_text} END"
    )


def _boolean(value: str) -> str:
    return f"CASE WHEN {value} IS NULL THEN 'null' WHEN {value} THEN 'true' ELSE 'false' END"


def _value(column: Column, ref: str) -> str:
    """SQL: a column of a row (``ref``) as zebench's shape serves it, as JSON text. A JSON column is its stored text
    as it is (store.sql.dumps wrote it, and jsonsafe kept out what is not JSON): SQLite's JSON functions would parse
    every value again."""
    if column.count:
        return f"CASE WHEN {counts_sql(column.count, ref)} THEN 'true' ELSE 'false' END"
    name = f"{ref}.{column.name}"
    if column.encoding == "bool":
        return _boolean(name)
    if column.encoding == "json":
        if nullable(column.type):
            return f"COALESCE({name}, 'null')"
        # models: a stored JSON value that is empty or falsy is served as an empty object
        empty = "('null', 'false', '0', '\"\"', '[]')"
        return f"CASE WHEN {name} IS NULL OR {name} IN {empty} THEN '{{}}' ELSE {name} END"
    return f"json_quote({name})"  # a number as json_object writes it, text quoted, NULL as null


_NULL = "'null'"


def _sql_text(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _object(table: Table, ref: str, cuts: Mapping[str, str | None], dropped: tuple[str, ...] = ()) -> str:
    """SQL: the JSON text of a row's zebench shape, concatenated (a json_object would parse each JSON value given to
    it again); ``cuts``: a column's own SQL as JSON text (None: null)."""
    pieces: list[str] = []
    for column in table.shape("v2"):
        if column.name in dropped:
            continue
        value = cuts[column.name] if column.name in cuts else _value(column, ref)
        separator = "," if pieces else "{"
        pieces.append(f"{_sql_text(separator + json.dumps(column.key) + ':')} || ({value or _NULL})")
    return " || ".join(pieces) + " || '}'"


def _rows(table: Table, body: str, order: str | None = None) -> str:
    """SQL: the JSON array of a run's (r) rows of ``table``, each ``body`` (of p, JSON text), in the table's order
    (NULL when there is none)."""
    by = order or f"p.{table.order}"
    return (
        f"(SELECT '[' || group_concat(o, ',') || ']' FROM (SELECT {body} AS o FROM {table.name} p "
        f"WHERE p.run_id = r.run_id ORDER BY {by}))"
    )


def _one(table: Table, body: str) -> str:
    return f"(SELECT {body} FROM {table.name} p WHERE p.run_id = r.run_id)"


def _window(table: Table, body: str, head: int, tail: int) -> str:
    """SQL: the JSON array of a run's first ``head`` and last ``tail`` rows of ``table`` in its order: the bounds
    are read from the (run_id, seq) index, and only the rows within them are read from the table."""
    key = table.order

    def bound(direction: str, offset: int) -> str:
        return (
            f"(SELECT x.{key} FROM {table.name} x WHERE x.run_id = r.run_id ORDER BY x.{key} {direction} "
            f"LIMIT 1 OFFSET {offset})"
        )

    kept = []
    if head:  # fewer rows than head: every row
        kept.append(f"p.{key} <= COALESCE({bound('ASC', head - 1)}, p.{key})")
    if tail:
        kept.append(f"p.{key} >= {bound('DESC', tail - 1)}")
        kept.append(f"{bound('DESC', tail - 1)} IS NULL")  # fewer rows than tail: every row
    where = " OR ".join(kept) or "0"
    return (
        f"(SELECT '[' || group_concat(o, ',') || ']' FROM (SELECT {body} AS o FROM {table.name} p "
        f"WHERE p.run_id = r.run_id AND ({where}) ORDER BY p.{key}))"
    )


def archive_sql(cuts: ArchiveCuts) -> str:
    """The query of one archive chunk (parameters: first and last row id): per run, its row id, run id, each part
    of ARCHIVE_PARTS as JSON text (the transcript's two parts apart) and its transcript's entry counts."""
    text, call = cuts.text, cuts.call
    run = _object(
        RUNS,
        "r",
        {
            "error": f"json_quote({_cut('r.error', text)})",
            # a metadata of no text is served as {} (models), like a short one
            "metadata": f"CASE WHEN r.metadata IS NULL OR length(r.metadata) <= {cuts.metadata} "
            f"THEN {_value(RUNS.column('metadata'), 'r')} ELSE '{{\"cut\":' || length(r.metadata) || '}}' END",
        },
    )
    evaluation = _object(
        EVALUATIONS,
        "p",
        {
            "details": f"CASE WHEN length(p.details) <= {cuts.details} THEN p.details ELSE 'null' END",
            "error": f"json_quote({_cut('p.error', text)})",
        },
        _EVALUATION_DROPPED,
    )
    telemetry = _object(TELEMETRY, "p", {"prompt_sent": None, "workspace_dir": None})
    tail = f"json_quote({_cut_tail('p.output_tail', cuts.tail)})"
    validation = _object(VALIDATION, "p", {"output_tail": tail})
    baseline = _object(BASELINE, "p", {"output_tail": tail})
    diff_file = _object(DIFF_FILES, "p", {"patch": None})
    dependency = _object(DEPENDENCY_CHANGES, "p", {})
    manifest = _object(MANIFESTS, "p", {})
    block_text = "json_extract(value, '$.text')"
    content = (  # of a list of blocks, the text blocks
        "CASE json_type(p.content) WHEN 'array' THEN (SELECT json_group_array(json_object('type', 'text', 'text', "
        f"{_cut(block_text, text)})) FROM json_each(p.content) WHERE json_extract(value, '$.type') = 'text') "
        f"ELSE {_top_level('p.content', text)} END"
    )
    message = _object(MESSAGES, "p", {"content": _json_text(content)})
    call_input = (
        f"CASE WHEN p.input IS NULL THEN 'null' WHEN length(p.input) <= {cuts.details} THEN p.input "
        "WHEN json_type(p.input) = 'object' THEN '{\"path\":' || json_quote(json_extract(p.input, '$.path')) || '}' "
        "ELSE 'null' END"
    )
    tool_call = _object(TOOL_CALLS, "p", {"input": call_input, "output": f"json_quote({_cut('p.output', call)})"})
    messages, calls = cuts.window["messages"], cuts.window["toolCalls"]
    return f"""
        SELECT r.id, r.run_id, {run},
               COALESCE({_rows(EVALUATIONS, evaluation)}, '[]'),
               {_one(TELEMETRY, telemetry)},
               COALESCE({_rows(VALIDATION, validation)}, '[]'),
               COALESCE({_rows(BASELINE, baseline)}, '[]'),
               '{{"files":' || COALESCE({_rows(DIFF_FILES, diff_file)}, '[]') || ',"dependencyChanges":' ||
               COALESCE({_rows(DEPENDENCY_CHANGES, dependency)}, '[]') || '}}',
               {_one(MANIFESTS, manifest)},
               COALESCE({_window(MESSAGES, message, *messages)}, '[]'),
               COALESCE({_window(TOOL_CALLS, tool_call, *calls)}, '[]'),
               (SELECT COUNT(*) FROM {MESSAGES.name} p WHERE p.run_id = r.run_id),
               (SELECT COUNT(*) FROM {TOOL_CALLS.name} p WHERE p.run_id = r.run_id)
        FROM benchmark_runs r WHERE r.id BETWEEN ? AND ? ORDER BY r.id"""


@dataclass
class ArchivedRuns:
    """An archive chunk's runs: their run ids, each part (ARCHIVE_PARTS) as a JSON array text with one element per
    run in the same order, and each run's transcript counts (kept, total) per part."""

    run_ids: list[str]
    parts: dict[str, str]
    counts: list[dict[str, list[int]]]


def query_run_archive_range(conn: sqlite3.Connection, first_id: int, last_id: int, cuts: ArchiveCuts) -> ArchivedRuns:
    """The archive's copy of the runs with row ids first_id..last_id (see the module docstring)."""
    columns: list[list[str]] = [[] for _ in ARCHIVE_PARTS]
    run_ids: list[str] = []
    counts: list[dict[str, list[int]]] = []
    transcript = ARCHIVE_PARTS.index("transcript")
    for row in conn.execute(archive_sql(cuts), (first_id, last_id)):
        _, run_id, *parts, messages, calls, n_messages, n_calls = row
        run_ids.append(run_id)
        for i, value in enumerate(parts):
            columns[i].append("null" if value is None else value)
        columns[transcript].append(f'{{"messages":{messages},"toolCalls":{calls}}}')
        counts.append(
            {
                "messages": [_kept(cuts, "messages", n_messages), n_messages],
                "toolCalls": [_kept(cuts, "toolCalls", n_calls), n_calls],
            }
        )
    return ArchivedRuns(
        run_ids, {name: f"[{','.join(values)}]" for name, values in zip(ARCHIVE_PARTS, columns, strict=True)}, counts
    )


def _kept(cuts: ArchiveCuts, part: str, total: int) -> int:
    head, tail = cuts.window[part]
    return min(total, head + tail)
