"""The SQLite store: the only code that writes SQL.

* ``schema``: the migrations, frozen (a shipped migration is never edited; the schema changes only through new ones);
* ``sql``: the SQL fragments every query shares (one definition of each count), generated from the models;
* ``writes``: runs and batches, with the consistency and redaction gate before the database;
* ``queries``: the named read queries the CLI, the API and the static site share;
* ``core``: the Store (a connection, its migrations, transactions);
* ``reading``: a database opened for reading only, never migrated (the read-only commands), and ``migrate_database``.

The database runs in WAL mode. A run is written with all its parts in one transaction, so a killed process
leaves either the whole run or nothing. The names below are the package's interface (``from zebench.store
import X`` and ``store.X``).
"""

from ..constants import DEFAULT_DB_PATH
from .core import Store, pending_migrations, read_snapshot
from .queries import (
    BATCH_RUNS_EMBEDDED,
    CANNED_QUERIES,
    DEFAULT_PAGE,
    MAX_PAGE,
    ORIGINAL_MAX_ROWS,
    ORIGINAL_RUN_FILTERS,
    RUN_FILTERS,
    RUN_INDEX_COLUMNS,
    SELECTION_FILTERS,
    batch_complete,
    batch_denominators,
    batch_exists,
    data_version,
    decode_cursor,
    encode_cursor,
    is_zebench_database,
    query_batch_configurations,
    query_batch_detail,
    query_batch_run_rows,
    query_batch_versions,
    query_batches,
    query_chunk_versions,
    query_configurations,
    query_costs_by_config,
    query_daily_trends,
    query_data_as_of,
    query_evaluations,
    query_evaluator_by_agent,
    query_evaluator_stats,
    query_item_counts,
    query_original_agent_stats,
    query_original_batch_detail,
    query_original_batches,
    query_original_evaluations,
    query_original_run_detail,
    query_original_runs,
    query_original_stats,
    query_original_telemetry,
    query_run,
    query_run_detail,
    query_run_details_range,
    query_run_index_range,
    query_runs,
    query_runs_range,
    query_score_histogram,
    query_stats,
    query_stats_agents,
    query_stats_scenarios,
    query_telemetry,
    query_transcript,
    read_batch,
    read_run,
)
from .reading import NotReadable, ReadOnlyStore, migrate_database, open_for_reading
from .schema import migrations
from .sql import COUNT_CONDITIONS, ITEM_COLUMNS, counts_sql, runs_counted_view_sql
from .writes import (
    RUN_CHILD_TABLES,
    InconsistentRecord,
    WriteCounts,
    refresh_batch_aggregates,
    run_rows,
    savepoint,
    write_batch,
    write_runs,
)

__all__ = [
    "BATCH_RUNS_EMBEDDED", "CANNED_QUERIES", "COUNT_CONDITIONS", "DEFAULT_DB_PATH", "DEFAULT_PAGE", "ITEM_COLUMNS",
    "InconsistentRecord", "MAX_PAGE", "NotReadable", "ORIGINAL_MAX_ROWS", "ORIGINAL_RUN_FILTERS", "RUN_CHILD_TABLES",
    "RUN_FILTERS", "RUN_INDEX_COLUMNS", "ReadOnlyStore", "SELECTION_FILTERS", "Store", "WriteCounts", "batch_complete",
    "batch_denominators", "batch_exists", "counts_sql", "data_version", "decode_cursor", "encode_cursor",
    "is_zebench_database", "migrate_database", "migrations", "open_for_reading", "pending_migrations",
    "query_batch_configurations", "query_batch_detail", "query_batch_run_rows", "query_batch_versions", "query_batches",
    "query_chunk_versions", "query_configurations", "query_costs_by_config", "query_daily_trends", "query_data_as_of",
    "query_evaluations", "query_evaluator_by_agent", "query_evaluator_stats", "query_item_counts",
    "query_original_agent_stats", "query_original_batch_detail", "query_original_batches", "query_original_evaluations",
    "query_original_run_detail", "query_original_runs", "query_original_stats", "query_original_telemetry", "query_run",
    "query_run_detail", "query_run_details_range", "query_run_index_range", "query_runs", "query_runs_range",
    "query_score_histogram", "query_stats", "query_stats_agents", "query_stats_scenarios", "query_telemetry",
    "query_transcript", "read_batch", "read_run", "read_snapshot", "refresh_batch_aggregates", "run_rows",
    "runs_counted_view_sql", "savepoint", "write_batch", "write_runs"
]
