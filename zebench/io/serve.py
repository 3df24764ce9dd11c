"""``zebench serve``: Datasette over the zebench database, with the /api plugin, metadata and canned queries."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from ..constants import DEV_LOCAL_KEY, SERVER_TOKEN_ENVS, is_loopback_host, server_token
from ..store import CANNED_QUERIES, ReadOnlyStore, Store, pending_migrations

TABLES: dict[str, dict[str, Any]] = {
    "batch_runs": {
        "description": "One row per batch: its matrix size and aggregates recomputed from its runs.",
        "columns": {
            "expected_runs": "Size of the batch's run matrix (total_runs < expected_runs: incomplete)",
            "avg_score": "Mean totalScore, 0-1",
            "avg_weighted_score": "Mean weightedScore, 0-10",
            "metadata": "JSON: the plan (scenarios, tiers, agents, models, settings)",
        },
    },
    "benchmark_runs": {
        "description": "One row per run, failed ones too.",
        "columns": {
            "status": "completed, budget_exceeded, failed, timeout or cancelled",
            "weighted_score": "0-10, weighted mean of the applicable evaluators",
            "total_score": "weighted_score / 10",
            "success_metric": "Mean of the task evaluators, 0-1",
            "is_successful": "1 when the gates hold and success_metric >= threshold",
            "failure_category": "Why the run did not complete",
            "cost_usd": "Agent cost in USD (NULL = unknown)",
            "repeat_index": "Which repeat of its matrix cell",
            "specialist_enabled": "1 when the run used an original-project specialist",
            "metadata": "JSON; unknown fields of a posted record under extraFields",
        },
    },
    "evaluation_results": {
        "description": "One row per evaluator per run; applicable = 0 rows are left out of scores.",
        "columns": {
            "score": "As made or sent, out of max_score",
            "normalized_score": "score / max_score, 0-1 (what weighting uses)",
            "weight": "Weight in weighted_score",
            "kind": "task, hygiene or info",
            "cost_usd": "Evaluation cost (LLM judge)",
        },
    },
    "run_telemetry": {
        "description": "Tokens, cost and time of each run.",
        "columns": {
            "stage_ms": "JSON: milliseconds per stage",
            "cost_usd": "Agent cost, NULL = unknown",
            "judge_cost_usd": "LLM judge cost",
        },
        # Datasette's units are Pint's: "ms" is one, a currency is not (a "USD" unit made the page a 500)
        "units": {"duration_ms": "ms"},
    },
    "validation_results": {"description": "Each validation command of each run.", "units": {"duration_ms": "ms"}},
    "run_diff_files": {"description": "Files the agent added, modified or deleted, with patches."},
    "run_dependency_changes": {"description": "Dependency declarations that changed."},
    "run_messages": {"description": "Transcript: every message in order."},
    "run_tool_calls": {"description": "Transcript: every tool call (output cut at 16 KiB)."},
    "run_manifests": {"description": "What is needed to reproduce each run."},
    "agg_agents": {"description": "Summary per agent and model, kept up to date by triggers."},
    "agg_scenarios": {"description": "Summary per scenario and tier, kept up to date by triggers."},
    "agg_totals": {"description": "Summary of every run, kept up to date by triggers."},
    "agg_status_agents": {
        "description": "Per status, success and agent, kept up to date by triggers: the original "
        "API's statistics (completed runs)."
    },
}


def metadata(db_name: str, site: Path | None = None, *, loopback: bool = False) -> dict[str, Any]:
    """Datasette's metadata. The plugin settings: the database, the site folder, and ``loopback`` (the server
    listens on loopback only: with no token configured, writes then accept the original's dev-local-key)."""
    plugin: dict[str, Any] = {"database": db_name, "loopback": loopback}
    if site is not None:
        plugin["site"] = str(site.resolve())
    return {
        "title": "zebench",
        "description": "Benchmark runs of AI coding agents. JSON API under /api (the original project's shapes) and "
        "/api/v2 (zebench's); see /api/openapi.json.",
        "plugins": {"zebench": plugin},
        "databases": {db_name: {"tables": TABLES, "queries": CANNED_QUERIES}},
    }


SETTINGS = {
    "suggest_facets": False,  # 0.65 computes suggested facets on every table page: 150x slower at 200k rows
    "sql_time_limit_ms": 3000,
    "max_returned_rows": 1000,
    "default_page_size": 50,
}


class NoDatabase(Exception):
    """The database file does not exist and creating it was not asked for, or its schema needs migrating."""


def make_datasette(
    db_path: Path,
    *,
    immutable: bool = False,
    create: bool = False,
    site: Path | None = None,
    host: str | None = None,
) -> Any:
    """Datasette over ``db_path`` with zebench's plugin, metadata and settings. A missing file is created (an
    empty, migrated database) only with ``create``: a mistyped path must not silently serve nothing. Serving never
    migrates an existing database: one with an older schema is refused (``zebench migrate`` upgrades it).
    ``site``: a built report site to serve at /-/site/ (its pages then refresh from this server's API).
    ``host``: the address the server listens on (None: not known, never treated as loopback)."""
    from datasette.app import Datasette

    if not db_path.exists() and (immutable or not create):
        raise NoDatabase(
            f"{db_path} does not exist"
            + (" (an immutable server cannot create it)" if immutable else "; pass --create to start with an empty one")
        )
    if not db_path.exists():
        Store(db_path).close()  # --create: a new, empty database
    with ReadOnlyStore(db_path) as reader:
        pending = pending_migrations(reader.conn)
    if pending:
        raise NoDatabase(
            f"{db_path} has an older schema ({len(pending)} migration{'s' if len(pending) > 1 else ''} "
            f"pending): run `zebench migrate --db {db_path}` first (any write command, such as "
            "`zebench run` or `zebench ingest`, also brings it up to date)"
        )
    if immutable:
        with Store(db_path, migrate=False) as store:
            store.checkpoint()  # immutable mode ignores the WAL file
    name = db_path.stem
    return Datasette(
        files=[] if immutable else [str(db_path)],
        immutables=[str(db_path)] if immutable else [],
        metadata=metadata(name, site, loopback=host is not None and is_loopback_host(host)),
        settings=SETTINGS,
        cors=True,
    )


def serve(
    db_path: Path,
    host: str,
    port: int,
    immutable: bool = False,
    create: bool = False,
    site: Path | None = None,
) -> None:
    """Serve until interrupted. With ``site``, a built report site (zebench.site.build_site) is served at
    /-/site/ beside the API (by the site's own plugin, zebench.site.serving)."""
    import uvicorn

    ds = make_datasette(db_path, immutable=immutable, create=create, site=site, host=host)
    if (warning := token_warning(host, immutable)) is not None:
        print(f"warning: {warning}", file=sys.stderr, flush=True)
    uvicorn.run(ds.app(), host=host, port=port, log_level="info")


def token_warning(host: str, immutable: bool = False) -> str | None:
    """What `zebench serve` warns about at start-up when no write token is configured: on loopback, that writes
    accept the original's public development key; elsewhere, that writes are refused."""
    if immutable or server_token() is not None:
        return None
    names = f"{', '.join(SERVER_TOKEN_ENVS[:-1])} or {SERVER_TOKEN_ENVS[-1]}"
    if is_loopback_host(host):
        return (
            f"no write token set ({names}): POST /api/results accepts the original project's local development "
            f"key {DEV_LOCAL_KEY!r}, which any process on this machine knows; set a token to keep them out"
        )
    return f"no write token set ({names}): POST /api/results is refused (503) until one is set"


__all__ = ["NoDatabase", "make_datasette", "metadata", "serve", "token_warning"]
