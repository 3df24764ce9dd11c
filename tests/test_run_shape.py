"""The run is declared once (zebench.models.run): the schema, the write rows, the API's models and the readers all
follow the declaration, and the store reads no row by position."""

from __future__ import annotations

import ast
import sqlite3
from pathlib import Path

import pytest

from zebench.models import OriginalRun, RunRecord, RunRow
from zebench.models.api import EvaluationRow, OriginalEvaluation, OriginalTelemetry, TelemetryRow
from zebench.models.run import BATCHES, RUN_PARTS, RUNS, Column, Table
from zebench.store import Store, run_rows
from zebench.testing.synthetic import Generator

STORE = Path(__file__).resolve().parent.parent / "zebench" / "store"


def _positional_reads(path: Path) -> list[str]:
    """``row[0]``, ``last_row[2]``, ``conn.execute(...).fetchone()[0]``: a value read by its position in a row."""
    found = []
    for node in ast.walk(ast.parse(path.read_text())):
        if not (isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Constant)):
            continue
        if not isinstance(node.slice.value, int):
            continue
        value = node.value
        by_name = isinstance(value, ast.Name) and (value.id in ("r", "row", "values") or value.id.endswith("row"))
        fetched = (
            isinstance(value, ast.Call) and isinstance(value.func, ast.Attribute) and value.func.attr == "fetchone"
        )
        if by_name or fetched:
            found.append(f"{path.name}:{node.lineno}: {ast.unparse(node)}")
    return found


def test_the_store_reads_no_row_by_position() -> None:
    sources = [p for p in STORE.rglob("*.py") if p.name != "schema.py"]  # migrations are frozen text
    assert sources
    assert [hit for path in sources for hit in _positional_reads(path)] == []


def test_the_positional_check_finds_what_it_looks_for(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text("def f(conn, row):\n    a = row[13]\n    return conn.execute('x').fetchone()[0]\n")
    assert _positional_reads(bad) == ["bad.py:2: row[13]", "bad.py:3: conn.execute('x').fetchone()[0]"]


@pytest.mark.parametrize("table", [RUNS, BATCHES, *RUN_PARTS], ids=lambda t: t.name)
def test_every_stored_column_is_declared_and_every_declared_one_is_stored(table: Table, template_db: Path) -> None:
    """The migrations make the schema; the declaration names it: a column added by a migration and not declared
    (or declared and never made) fails here."""
    conn = sqlite3.connect(template_db)
    stored = {name for _, name, *_ in conn.execute(f"PRAGMA table_info({table.name})")}
    declared = {c.name for c in table.columns if c.stored}
    assert declared == stored


def test_the_api_models_are_the_declarations_shapes() -> None:
    assert list(RunRow.model_fields) == list(RUNS.keys("v2"))
    assert list(OriginalRun.model_fields) == list(RUNS.keys("original"))
    assert list(EvaluationRow.model_fields) == list(RUN_PARTS[0].keys("v2"))
    assert list(OriginalEvaluation.model_fields) == [
        "id",
        "runId",
        "evaluatorName",
        "score",
        "maxScore",
        "details",
        "createdAt",
    ]
    assert list(TelemetryRow.model_fields)[:3] == ["toolCalls", "tokensIn", "tokensOut"]
    assert list(OriginalTelemetry.model_fields)[:2] == ["id", "runId"]
    # the original's quirks are its projection's types: metadata and details as text, scores never null
    assert OriginalRun.model_fields["metadata"].annotation == str | None
    assert OriginalEvaluation.model_fields["score"].annotation is float


def test_the_write_rows_are_the_declared_columns() -> None:
    (_, runs), *_ = Generator(seed=3, details=True).batches(1)
    rows = run_rows(runs[0])
    assert list(rows) == [RUNS.name, *(t.name for t in RUN_PARTS)]
    for table in (RUNS, *RUN_PARTS):
        for row in rows[table.name]:
            assert list(row) == [c.name for c in table.written()]


def test_a_run_reads_back_as_the_record_it_was_written_from(db_path: Path) -> None:
    (_, runs), *_ = Generator(seed=5, details=True).batches(30)
    with Store(db_path) as store:
        store.save_runs(runs)
        for record in runs:
            assert store.get_run(record.run_id) == record


def test_a_declared_column_knows_its_key_and_source() -> None:
    column = Column("specialist_version", str | None, original=True)
    assert (column.key, column.source, column.written) == ("specialistVersion", "specialist_version", True)
    computed = Column("successful", bool, count="successful")
    assert (computed.stored, computed.written) == (False, False)
    record = RunRecord(
        run_id="r", suite="s", scenario="c", tier="L0", agent="a", status="completed", started_at="2026-01-01T00:00:00Z"
    )
    assert RUNS.column("failure_category").value(record, record, 0) is None
