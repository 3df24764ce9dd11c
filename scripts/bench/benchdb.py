"""The benchmarks' databases of real-sized runs, built once and reused (scripts/bench/api.py, site.py, stats.py).

- ``/tmp/zebench-bench-site-100k.db`` (``generated_db``): runs from ``Generator(seed=1, real_sizes=True)`` written
  through the store, one transaction per batch: records of real sizes (zebench.testing.texts: about 14 KB of JSON
  like an oracle run of the bundled suites, a tenth of runs with a model run's ~100 KB transcript), 106 batches.
- ``/tmp/zebench-bench-1m.db`` (``replicated_db``): that database ten times over, by SQL: copy k of every batch
  and run gets the ids ``<id>-c<k>`` and its times moved by k times the span of the generated runs, so that the
  copies follow one another as a year of batches would. Generating and storing a million runs of this size takes
  hours on the reference machine (about 30 ms a run through the store, under load); copying takes minutes. The
  copies' runs are ten apart in row ids from their originals (100,000 rows), so no chunk of the site holds a run
  next to its copy.

A cached file is reused when it holds at least the runs asked for and its runs have real-sized texts (an older
database of short synthetic runs is rebuilt).
"""

from __future__ import annotations

import os
import sqlite3
import time
from datetime import datetime
from pathlib import Path

from zebench import store as zstore
from zebench.store import Store
from zebench.store.sql import causes_sql, summaries_sql
from zebench.testing.synthetic import Generator

SITE_DB = Path("/tmp/zebench-bench-site-100k.db")
MILLION_DB = Path("/tmp/zebench-bench-1m.db")
#: A run's prompt is at least this long in a real-sized database (the short synthetic runs have none).
REAL_PROMPT = 200


def db_files(path: Path) -> list[Path]:
    return [Path(str(path) + suffix) for suffix in ("", "-wal", "-shm")]


def remove_db(path: Path) -> None:
    for file in db_files(path):
        file.unlink(missing_ok=True)


def db_bytes(path: Path) -> int:
    return sum(f.stat().st_size for f in db_files(path)[:2] if f.exists())


def count_runs(path: Path, *, real_sizes: bool = False) -> int:
    """Runs in the database at ``path`` (0 if there is none; with ``real_sizes``, 0 unless its runs are of real
    sizes)."""
    if not path.exists():
        return 0
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            n: int = conn.execute("SELECT COUNT(*) FROM benchmark_runs").fetchone()[0]
            if real_sizes:
                row = conn.execute("SELECT LENGTH(prompt_sent) FROM run_telemetry ORDER BY id LIMIT 1").fetchone()
                if not row or (row[0] or 0) < REAL_PROMPT:
                    return 0
            return n
        finally:
            conn.close()
    except sqlite3.Error:
        return 0


def _say(message: str) -> None:
    print(f"  {message}", flush=True)


def generated_db(path: Path, runs: int, *, seed: int = 1) -> tuple[float, int]:
    """Write ``runs`` real-sized synthetic runs through the store, one transaction per batch: (seconds, batches)."""
    remove_db(path)
    store = Store(path)
    start = last = time.perf_counter()
    batches = written = 0
    for batch, records in Generator(seed=seed, real_sizes=True).batches(runs):
        store.save_batch(batch)  # before its runs: expected_runs and metadata; totals recomputed from the runs
        store.save_runs_chunked(records, 500)
        batches += 1
        written += len(records)
        now = time.perf_counter()
        if now - last > 30 or written >= runs:
            _say(
                f"built {written:,} runs, {batches:,} batches in {now - start:.0f} s "
                f"({written / (now - start):,.0f} runs/s)"
            )
            last = now
    store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    store.close()
    return time.perf_counter() - start, batches


#: Columns holding times, per table: moved by each copy's offset.
TIME_COLUMNS = {
    "batch_runs": ("created_at", "completed_at"),
    "benchmark_runs": ("started_at", "completed_at"),
    "evaluation_results": ("created_at",),
}
#: Columns holding ids, per table: given each copy's suffix.
ID_COLUMNS = {"batch_runs": ("batch_id",), "benchmark_runs": ("run_id", "batch_id")}


def _columns(conn: sqlite3.Connection, table: str) -> list[str]:
    return [r[1] for r in conn.execute(f"PRAGMA main.table_info([{table}])") if r[1] != "id"]


def _copy_sql(conn: sqlite3.Connection, table: str, days: float, suffix: str) -> str:
    columns = _columns(conn, table)
    values = []
    for c in columns:
        if c in ID_COLUMNS.get(table, ()) or (c == "run_id" and table != "benchmark_runs"):
            values.append(f"CASE WHEN [{c}] IS NULL THEN NULL ELSE [{c}] || '{suffix}' END")
        elif c in TIME_COLUMNS.get(table, ()):
            values.append(f"strftime('%Y-%m-%dT%H:%M:%fZ', [{c}], '+{days:.6f} days')")
        else:
            values.append(f"[{c}]")
    names = ", ".join(f"[{c}]" for c in columns)
    return f"INSERT INTO main.[{table}] ({names}) SELECT {', '.join(values)} FROM src.[{table}] ORDER BY rowid"


def replicated_db(path: Path, source: Path, copies: int) -> tuple[float, int]:
    """``copies`` copies of the database at ``source`` in a new database at ``path`` (see the module docstring):
    (seconds, runs). The rows are copied with the indexes and triggers off, then the indexes are made and the
    summary tables and the causes filled as the newest migrations do (store.sql.summaries_sql, causes_sql): copying
    a million runs through the triggers took over ten minutes per 100,000 runs on the reference machine."""
    remove_db(path)
    Store(path).close()  # the schema, triggers and summary tables of this zebench
    start = time.perf_counter()
    conn = sqlite3.connect(str(path), isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = OFF")
    conn.execute("ATTACH DATABASE ? AS src", (f"file:{source}?mode=ro",))
    objects = conn.execute(
        "SELECT type, name, sql FROM main.sqlite_master WHERE type IN ('index', 'trigger') AND sql IS NOT NULL"
    ).fetchall()
    for kind, name, _ in objects:
        conn.execute(f"DROP {kind.upper()} [{name}]")
    first, last = conn.execute("SELECT MIN(started_at), MAX(completed_at) FROM src.benchmark_runs").fetchone()
    span = (datetime.fromisoformat(last) - datetime.fromisoformat(first)).total_seconds() / 86400 + 1
    tables = [r[0] for r in conn.execute("SELECT name FROM src.sqlite_master WHERE type = 'table'")]
    children = [t for t in tables if t in zstore.RUN_CHILD_TABLES]
    for k in range(copies):
        suffix = f"-c{k}" if k else ""
        conn.execute("BEGIN")
        for table in ("batch_runs", "benchmark_runs", *children):
            conn.execute(_copy_sql(conn, table, k * span, suffix))
        conn.execute("COMMIT")
        _say(f"copy {k + 1} of {copies} in {time.perf_counter() - start:.0f} s")
    conn.execute("DETACH DATABASE src")  # unqualified names below are main's only
    conn.execute("BEGIN")
    for kind, _, sql in objects:
        if kind == "index":
            conn.execute(sql)
    _say(f"indexes made in {time.perf_counter() - start:.0f} s")
    for statement in (*summaries_sql(), *causes_sql()):  # the triggers, every summary and the causes filled
        conn.execute(statement)
    for kind, name, sql in objects:  # any other trigger
        if kind == "trigger" and not conn.execute("SELECT 1 FROM sqlite_master WHERE name = ?", (name,)).fetchone():
            conn.execute(sql)
    conn.execute("COMMIT")
    _say(f"summaries filled in {time.perf_counter() - start:.0f} s")
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    (runs,) = conn.execute("SELECT COUNT(*) FROM main.benchmark_runs").fetchone()
    conn.close()
    os.sync()
    return time.perf_counter() - start, runs


def pending(path: Path) -> list[str]:
    """The migrations of this zebench that the database at ``path`` lacks (nothing is written)."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return zstore.pending_migrations(conn)
    finally:
        conn.close()


def ensure(path: Path, runs: int, *, rebuild: bool = False) -> str:
    """The real-sized database at ``path`` with at least ``runs`` runs and this zebench's schema, built when missing:
    a line saying what was done. Up to 100,000 runs are generated; more are copies of the generated 100,000
    (SITE_DB, built first). A generated database of an older schema is migrated (as ``zebench migrate`` would:
    generating it again takes about an hour); copies of an older schema are made again from the migrated source."""
    have = count_runs(path, real_sizes=True)
    if have >= runs and not rebuild:
        missing = pending(path)
        if not missing:
            return f"cached: {path} holds {have:,} real-sized runs (--rebuild to build again)"
        if runs <= 100_000:
            print(f"migrating {path} ({', '.join(missing)})", flush=True)
            start = time.perf_counter()
            Store(path).close()
            return f"cached: {path} holds {have:,} real-sized runs, migrated in {time.perf_counter() - start:.0f} s"
    if runs <= 100_000:
        print(f"building {path} ({runs:,} real-sized runs through the store; found {have:,})", flush=True)
        seconds, batches = generated_db(path, runs)
        return f"generated {runs:,} runs, {batches:,} batches in {seconds:.0f} s ({runs / seconds:,.0f} runs/s)"
    copies = -(-runs // 100_000)
    note = ensure(SITE_DB, 100_000)
    print(f"building {path}: {copies} copies of {SITE_DB} ({note})", flush=True)
    seconds, total = replicated_db(path, SITE_DB, copies)
    return f"{copies} copies of {SITE_DB}: {total:,} runs in {seconds:.0f} s"
