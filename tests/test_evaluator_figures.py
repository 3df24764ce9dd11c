"""The evaluators page's figures come from one pass over the evaluations (store.query_evaluator_figures); they must
equal what the two separate aggregate queries it replaced give (kept here as the reference), on a database with
not-applicable evaluations, an evaluator error, several configurations and cancelled attempts."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest

from zebench import store
from zebench.store.sql import counts_sql

from .site_data import build_site_db

REFERENCE_PER_EVALUATOR = f"""
    SELECT e.evaluator_name AS evaluatorName, MAX(e.kind) AS kind, AVG(e.weight) AS avgWeight,
           COUNT(*) AS evaluations, SUM(e.applicable) AS applicable,
           AVG(CASE WHEN e.applicable THEN e.normalized_score END) AS avgScore,
           AVG(CASE WHEN e.applicable THEN e.normalized_score = 1.0 END) AS passRate,
           SUM(e.error IS NOT NULL) AS errors, SUM(e.cost_usd) AS costUsd
    FROM benchmark_runs r JOIN evaluation_results e ON e.run_id = r.run_id WHERE {counts_sql("runs", "r")}
    GROUP BY e.evaluator_name ORDER BY e.evaluator_name"""

REFERENCE_PER_CONFIGURATION = f"""
    SELECT r.agent AS agent, COALESCE(r.model, '') AS model, COALESCE(r.specialist_name, '') AS specialistName,
           COALESCE(r.specialist_version, '') AS specialistVersion, e.evaluator_name AS evaluatorName,
           COUNT(*) AS applicable, AVG(e.normalized_score) AS avgScore, SUM(e.error IS NOT NULL) AS errors
    FROM evaluation_results e JOIN benchmark_runs r ON r.run_id = e.run_id
    WHERE (e.applicable OR e.error IS NOT NULL) AND {counts_sql("runs", "r")}
    GROUP BY 1, 2, 3, 4, 5 ORDER BY 1, 2, 3, 4, 5"""


def _reference(conn: sqlite3.Connection, sql: str) -> list[dict[str, Any]]:
    cursor = conn.execute(sql)
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor]


def _approx(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{k: pytest.approx(v, rel=1e-12) if isinstance(v, float) else v for k, v in r.items()} for r in rows]


def test_one_pass_gives_what_the_two_queries_gave(tmp_path: Path) -> None:
    build_site_db(tmp_path / "z.db")
    conn = sqlite3.connect(tmp_path / "z.db")
    per_evaluator, per_configuration = store.query_evaluator_figures(conn)
    expected_evaluators = _reference(conn, REFERENCE_PER_EVALUATOR)
    expected_configurations = _reference(conn, REFERENCE_PER_CONFIGURATION)
    assert per_evaluator == _approx(expected_evaluators)
    assert per_configuration == _approx(expected_configurations)
    # the database exercises what the figures distinguish
    assert any(r["errors"] for r in expected_evaluators)
    assert any(r["applicable"] < r["evaluations"] for r in expected_evaluators)
    assert len({(r["agent"], r["model"]) for r in expected_configurations}) >= 2
    assert any(r["specialistName"] for r in expected_configurations)  # a configuration that differs by specialist
    assert store.query_evaluator_stats(conn) == per_evaluator
    assert store.query_evaluator_by_agent(conn) == per_configuration
