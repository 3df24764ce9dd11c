"""The schema: the migrations every zebench database goes through, frozen.

A shipped migration is never edited: each one's SQL is written out here as the literal text it executed when it
shipped (the summary tables' triggers, the ``runs_counted`` view and the SQL sqlite-utils generated included), so
that no later change of a constant, of the shared SQL fragments (``store.sql``) or of sqlite-utils can change
what a migration does. A change of schema or of a count's definition is a new migration.
tests/test_schema_frozen.py checks the schema a fresh database gets, what every migration does to data, and that
the current definitions (``sql.COUNT_CONDITIONS``, from the status groups and ``INFRA_CATEGORIES`` of the models)
still say what the frozen SQL says.
"""

from __future__ import annotations

import json

import sqlite_utils
from sqlite_utils import Migrations

migrations = Migrations("zebench")


def _execute(db: sqlite_utils.Database, statements: tuple[str, ...]) -> None:
    for statement in statements:
        db.conn.execute(statement)


_M001 = (
    """CREATE TABLE "batch_runs" (
   "batch_id" TEXT PRIMARY KEY,
   "created_at" TEXT NOT NULL,
   "completed_at" TEXT,
   "total_runs" INTEGER DEFAULT 0,
   "successful_runs" INTEGER DEFAULT 0,
   "failed_runs" INTEGER DEFAULT 0,
   "expected_runs" INTEGER,
   "avg_score" REAL,
   "avg_weighted_score" REAL,
   "metadata" TEXT
);""",
    """CREATE TABLE "benchmark_runs" (
   "id" INTEGER PRIMARY KEY,
   "run_id" TEXT NOT NULL,
   "batch_id" TEXT,
   "suite" TEXT NOT NULL,
   "scenario" TEXT NOT NULL,
   "tier" TEXT NOT NULL,
   "agent" TEXT NOT NULL,
   "model" TEXT,
   "status" TEXT NOT NULL,
   "started_at" TEXT NOT NULL,
   "completed_at" TEXT,
   "total_score" REAL,
   "weighted_score" REAL,
   "is_successful" INTEGER DEFAULT 0,
   "success_metric" REAL,
   "repeat_index" INTEGER DEFAULT 0,
   "failure_category" TEXT,
   "failure_stage" TEXT,
   "error" TEXT,
   "has_diff" INTEGER,
   "has_transcript" INTEGER,
   "metadata" TEXT
);""",
    """CREATE UNIQUE INDEX "idx_benchmark_runs_run_id"
    ON "benchmark_runs" ("run_id");""",
    """CREATE INDEX "idx_benchmark_runs_batch_id_suite_scenario_tier_agent_model_repeat_index"
    ON "benchmark_runs" ("batch_id", "suite", "scenario", "tier", "agent", "model", "repeat_index");""",
    """CREATE INDEX "idx_benchmark_runs_suite_scenario_tier"
    ON "benchmark_runs" ("suite", "scenario", "tier");""",
    """CREATE INDEX "idx_benchmark_runs_agent_model"
    ON "benchmark_runs" ("agent", "model");""",
    """CREATE INDEX "idx_benchmark_runs_status"
    ON "benchmark_runs" ("status");""",
    """CREATE INDEX "idx_benchmark_runs_started_at"
    ON "benchmark_runs" ("started_at");""",
    """CREATE TABLE "evaluation_results" (
   "id" INTEGER PRIMARY KEY,
   "run_id" TEXT NOT NULL,
   "evaluator_name" TEXT NOT NULL,
   "score" REAL,
   "max_score" REAL,
   "applicable" INTEGER,
   "weight" REAL,
   "kind" TEXT,
   "details" TEXT,
   "error" TEXT,
   "created_at" TEXT
);""",
    """CREATE UNIQUE INDEX "idx_evaluation_results_run_id_evaluator_name"
    ON "evaluation_results" ("run_id", "evaluator_name");""",
    """CREATE INDEX "idx_evaluation_results_evaluator_name_applicable_score"
    ON "evaluation_results" ("evaluator_name", "applicable", "score");""",
    """CREATE TABLE "run_telemetry" (
   "id" INTEGER PRIMARY KEY,
   "run_id" TEXT NOT NULL,
   "tool_calls" INTEGER,
   "tokens_in" INTEGER,
   "tokens_out" INTEGER,
   "cache_read_tokens" INTEGER,
   "cache_write_tokens" INTEGER,
   "cost_usd" REAL,
   "judge_cost_usd" REAL,
   "duration_ms" INTEGER,
   "workspace_dir" TEXT,
   "stage_ms" TEXT,
   "prompt_sent" TEXT
);""",
    """CREATE UNIQUE INDEX "idx_run_telemetry_run_id"
    ON "run_telemetry" ("run_id");""",
    """CREATE TABLE "validation_results" (
   "id" INTEGER PRIMARY KEY,
   "run_id" TEXT NOT NULL,
   "seq" INTEGER,
   "kind" TEXT NOT NULL,
   "command" TEXT,
   "status" TEXT,
   "exit_code" INTEGER,
   "duration_ms" INTEGER,
   "output_tail" TEXT
);""",
    """CREATE UNIQUE INDEX "idx_validation_results_run_id_seq"
    ON "validation_results" ("run_id", "seq");""",
    """CREATE TABLE "run_diff_files" (
   "id" INTEGER PRIMARY KEY,
   "run_id" TEXT NOT NULL,
   "seq" INTEGER,
   "path" TEXT NOT NULL,
   "change" TEXT,
   "binary" INTEGER,
   "additions" INTEGER,
   "deletions" INTEGER,
   "patch" TEXT,
   "patch_truncated" INTEGER
);""",
    """CREATE UNIQUE INDEX "idx_run_diff_files_run_id_seq"
    ON "run_diff_files" ("run_id", "seq");""",
    """CREATE TABLE "run_dependency_changes" (
   "id" INTEGER PRIMARY KEY,
   "run_id" TEXT NOT NULL,
   "seq" INTEGER,
   "manifest" TEXT,
   "section" TEXT,
   "name" TEXT NOT NULL,
   "before" TEXT,
   "after" TEXT
);""",
    """CREATE UNIQUE INDEX "idx_run_dependency_changes_run_id_seq"
    ON "run_dependency_changes" ("run_id", "seq");""",
    """CREATE TABLE "run_messages" (
   "id" INTEGER PRIMARY KEY,
   "run_id" TEXT NOT NULL,
   "seq" INTEGER,
   "role" TEXT,
   "content" TEXT
);""",
    """CREATE UNIQUE INDEX "idx_run_messages_run_id_seq"
    ON "run_messages" ("run_id", "seq");""",
    """CREATE TABLE "run_tool_calls" (
   "id" INTEGER PRIMARY KEY,
   "run_id" TEXT NOT NULL,
   "seq" INTEGER,
   "name" TEXT NOT NULL,
   "input" TEXT,
   "output" TEXT,
   "is_error" INTEGER,
   "duration_ms" INTEGER
);""",
    """CREATE UNIQUE INDEX "idx_run_tool_calls_run_id_seq"
    ON "run_tool_calls" ("run_id", "seq");""",
    """CREATE TABLE "run_manifests" (
   "run_id" TEXT PRIMARY KEY,
   "format_version" INTEGER,
   "zebench_version" TEXT,
   "git_commit" TEXT,
   "scenario_hash" TEXT,
   "prompt_hash" TEXT,
   "agent" TEXT,
   "model" TEXT,
   "settings" TEXT,
   "python_version" TEXT,
   "platform" TEXT
);""",
)


@migrations()
def m001_initial(db: sqlite_utils.Database) -> None:
    """The runs, their parts and the batches."""
    _execute(db, _M001)


_M002 = ("""ALTER TABLE "evaluation_results" ADD COLUMN "cost_usd" REAL;""",)


@migrations()
def m002_evaluation_cost(db: sqlite_utils.Database) -> None:
    """The LLM judge has a cost: per evaluation, summed into run_telemetry.judge_cost_usd."""
    _execute(db, _M002)


_M003 = (
    """ALTER TABLE "benchmark_runs" ADD COLUMN "cost_usd" REAL;""",
    (
        "UPDATE benchmark_runs SET cost_usd = (SELECT cost_usd FROM run_telemetry t WHERE t.run_id = "
        "benchmark_runs.run_id)"
    ),
    (
        "CREATE TABLE agg_totals (grp TEXT NOT NULL, \n"
        "  runs INTEGER NOT NULL DEFAULT 0, successful INTEGER NOT NULL DEFAULT 0, failed INTEGER NOT NULL "
        "DEFAULT 0,\n"
        "  scored INTEGER NOT NULL DEFAULT 0, sum_total_score REAL NOT NULL DEFAULT 0, sum_weighted REAL NOT "
        "NULL DEFAULT 0,\n"
        "  min_weighted REAL, max_weighted REAL, cost_runs INTEGER NOT NULL DEFAULT 0, sum_cost REAL NOT NULL "
        "DEFAULT 0\n"
        ", PRIMARY KEY (grp))"
    ),
    (
        "CREATE TRIGGER agg_totals_insert AFTER INSERT ON benchmark_runs WHEN NEW.status != 'cancelled' BEGIN\n"
        "          INSERT INTO agg_totals (grp) VALUES ('all') ON CONFLICT DO NOTHING;\n"
        "          UPDATE agg_totals SET\n"
        "            runs = runs + 1, successful = successful + NEW.is_successful,\n"
        "            failed = failed + (NEW.status NOT IN ('completed', 'budget_exceeded')),\n"
        "            scored = scored + (NEW.weighted_score IS NOT NULL),\n"
        "            sum_total_score = sum_total_score + COALESCE(NEW.total_score, 0),\n"
        "            sum_weighted = sum_weighted + COALESCE(NEW.weighted_score, 0),\n"
        "            min_weighted = CASE WHEN NEW.weighted_score IS NULL THEN min_weighted\n"
        "                                ELSE MIN(COALESCE(min_weighted, NEW.weighted_score), "
        "NEW.weighted_score) END,\n"
        "            max_weighted = CASE WHEN NEW.weighted_score IS NULL THEN max_weighted\n"
        "                                ELSE MAX(COALESCE(max_weighted, NEW.weighted_score), "
        "NEW.weighted_score) END,\n"
        "            cost_runs = cost_runs + (NEW.cost_usd IS NOT NULL), sum_cost = sum_cost + "
        "COALESCE(NEW.cost_usd, 0)\n"
        "          WHERE grp = 'all';\n"
        "        END"
    ),
    (
        "CREATE TRIGGER agg_totals_delete AFTER DELETE ON benchmark_runs WHEN OLD.status != 'cancelled' BEGIN\n"
        "          UPDATE agg_totals SET \n"
        "            runs = runs - 1, successful = successful - OLD.is_successful,\n"
        "            failed = failed - (OLD.status NOT IN ('completed', 'budget_exceeded')),\n"
        "            scored = scored - (OLD.weighted_score IS NOT NULL),\n"
        "            sum_total_score = sum_total_score - COALESCE(OLD.total_score, 0),\n"
        "            sum_weighted = sum_weighted - COALESCE(OLD.weighted_score, 0),\n"
        "            cost_runs = cost_runs - (OLD.cost_usd IS NOT NULL), sum_cost = sum_cost - "
        "COALESCE(OLD.cost_usd, 0)\n"
        "          WHERE grp = 'all';\n"
        "        END"
    ),
    (
        "INSERT INTO agg_totals (grp, runs, successful, failed, scored, sum_total_score,\n"
        "                   sum_weighted, min_weighted, max_weighted, cost_runs, sum_cost)\n"
        "                SELECT 'all', COUNT(*), SUM(is_successful), SUM(status NOT IN ('completed', "
        "'budget_exceeded')),\n"
        "                   COUNT(weighted_score), COALESCE(SUM(total_score), 0), COALESCE(SUM(weighted_score), "
        "0),\n"
        "                   MIN(weighted_score), MAX(weighted_score), COUNT(cost_usd), COALESCE(SUM(cost_usd), 0)\n"
        "                FROM benchmark_runs WHERE status != 'cancelled' GROUP BY 'all' HAVING COUNT(*) > 0"
    ),
    (
        "CREATE TABLE agg_agents (agent TEXT NOT NULL, model TEXT NOT NULL, \n"
        "  runs INTEGER NOT NULL DEFAULT 0, successful INTEGER NOT NULL DEFAULT 0, failed INTEGER NOT NULL "
        "DEFAULT 0,\n"
        "  scored INTEGER NOT NULL DEFAULT 0, sum_total_score REAL NOT NULL DEFAULT 0, sum_weighted REAL NOT "
        "NULL DEFAULT 0,\n"
        "  min_weighted REAL, max_weighted REAL, cost_runs INTEGER NOT NULL DEFAULT 0, sum_cost REAL NOT NULL "
        "DEFAULT 0\n"
        ", PRIMARY KEY (agent, model))"
    ),
    (
        "CREATE TRIGGER agg_agents_insert AFTER INSERT ON benchmark_runs WHEN NEW.status != 'cancelled' BEGIN\n"
        "          INSERT INTO agg_agents (agent, model) VALUES (COALESCE(NEW.agent, ''), COALESCE(NEW.model, "
        "'')) ON CONFLICT DO NOTHING;\n"
        "          UPDATE agg_agents SET\n"
        "            runs = runs + 1, successful = successful + NEW.is_successful,\n"
        "            failed = failed + (NEW.status NOT IN ('completed', 'budget_exceeded')),\n"
        "            scored = scored + (NEW.weighted_score IS NOT NULL),\n"
        "            sum_total_score = sum_total_score + COALESCE(NEW.total_score, 0),\n"
        "            sum_weighted = sum_weighted + COALESCE(NEW.weighted_score, 0),\n"
        "            min_weighted = CASE WHEN NEW.weighted_score IS NULL THEN min_weighted\n"
        "                                ELSE MIN(COALESCE(min_weighted, NEW.weighted_score), "
        "NEW.weighted_score) END,\n"
        "            max_weighted = CASE WHEN NEW.weighted_score IS NULL THEN max_weighted\n"
        "                                ELSE MAX(COALESCE(max_weighted, NEW.weighted_score), "
        "NEW.weighted_score) END,\n"
        "            cost_runs = cost_runs + (NEW.cost_usd IS NOT NULL), sum_cost = sum_cost + "
        "COALESCE(NEW.cost_usd, 0)\n"
        "          WHERE agent = COALESCE(NEW.agent, '') AND model = COALESCE(NEW.model, '');\n"
        "        END"
    ),
    (
        "CREATE TRIGGER agg_agents_delete AFTER DELETE ON benchmark_runs WHEN OLD.status != 'cancelled' BEGIN\n"
        "          UPDATE agg_agents SET min_weighted = (SELECT MIN(weighted_score) FROM benchmark_runs r WHERE "
        "r.agent IS OLD.agent AND r.model IS OLD.model AND r.status != 'cancelled'), max_weighted = (SELECT "
        "MAX(weighted_score) FROM benchmark_runs r WHERE r.agent IS OLD.agent AND r.model IS OLD.model AND "
        "r.status != 'cancelled'),\n"
        "            runs = runs - 1, successful = successful - OLD.is_successful,\n"
        "            failed = failed - (OLD.status NOT IN ('completed', 'budget_exceeded')),\n"
        "            scored = scored - (OLD.weighted_score IS NOT NULL),\n"
        "            sum_total_score = sum_total_score - COALESCE(OLD.total_score, 0),\n"
        "            sum_weighted = sum_weighted - COALESCE(OLD.weighted_score, 0),\n"
        "            cost_runs = cost_runs - (OLD.cost_usd IS NOT NULL), sum_cost = sum_cost - "
        "COALESCE(OLD.cost_usd, 0)\n"
        "          WHERE agent = COALESCE(OLD.agent, '') AND model = COALESCE(OLD.model, '');\n"
        "        END"
    ),
    (
        "INSERT INTO agg_agents (agent, model, runs, successful, failed, scored, sum_total_score,\n"
        "                   sum_weighted, min_weighted, max_weighted, cost_runs, sum_cost)\n"
        "                SELECT COALESCE(agent, ''), COALESCE(model, ''), COUNT(*), SUM(is_successful), "
        "SUM(status NOT IN ('completed', 'budget_exceeded')),\n"
        "                   COUNT(weighted_score), COALESCE(SUM(total_score), 0), COALESCE(SUM(weighted_score), "
        "0),\n"
        "                   MIN(weighted_score), MAX(weighted_score), COUNT(cost_usd), COALESCE(SUM(cost_usd), 0)\n"
        "                FROM benchmark_runs WHERE status != 'cancelled' GROUP BY COALESCE(agent, ''), "
        "COALESCE(model, '') HAVING COUNT(*) > 0"
    ),
    (
        "CREATE TABLE agg_scenarios (suite TEXT NOT NULL, scenario TEXT NOT NULL, tier TEXT NOT NULL, \n"
        "  runs INTEGER NOT NULL DEFAULT 0, successful INTEGER NOT NULL DEFAULT 0, failed INTEGER NOT NULL "
        "DEFAULT 0,\n"
        "  scored INTEGER NOT NULL DEFAULT 0, sum_total_score REAL NOT NULL DEFAULT 0, sum_weighted REAL NOT "
        "NULL DEFAULT 0,\n"
        "  min_weighted REAL, max_weighted REAL, cost_runs INTEGER NOT NULL DEFAULT 0, sum_cost REAL NOT NULL "
        "DEFAULT 0\n"
        ", PRIMARY KEY (suite, scenario, tier))"
    ),
    (
        "CREATE TRIGGER agg_scenarios_insert AFTER INSERT ON benchmark_runs WHEN NEW.status != 'cancelled' BEGIN\n"
        "          INSERT INTO agg_scenarios (suite, scenario, tier) VALUES (COALESCE(NEW.suite, ''), "
        "COALESCE(NEW.scenario, ''), COALESCE(NEW.tier, '')) ON CONFLICT DO NOTHING;\n"
        "          UPDATE agg_scenarios SET\n"
        "            runs = runs + 1, successful = successful + NEW.is_successful,\n"
        "            failed = failed + (NEW.status NOT IN ('completed', 'budget_exceeded')),\n"
        "            scored = scored + (NEW.weighted_score IS NOT NULL),\n"
        "            sum_total_score = sum_total_score + COALESCE(NEW.total_score, 0),\n"
        "            sum_weighted = sum_weighted + COALESCE(NEW.weighted_score, 0),\n"
        "            min_weighted = CASE WHEN NEW.weighted_score IS NULL THEN min_weighted\n"
        "                                ELSE MIN(COALESCE(min_weighted, NEW.weighted_score), "
        "NEW.weighted_score) END,\n"
        "            max_weighted = CASE WHEN NEW.weighted_score IS NULL THEN max_weighted\n"
        "                                ELSE MAX(COALESCE(max_weighted, NEW.weighted_score), "
        "NEW.weighted_score) END,\n"
        "            cost_runs = cost_runs + (NEW.cost_usd IS NOT NULL), sum_cost = sum_cost + "
        "COALESCE(NEW.cost_usd, 0)\n"
        "          WHERE suite = COALESCE(NEW.suite, '') AND scenario = COALESCE(NEW.scenario, '') AND tier = "
        "COALESCE(NEW.tier, '');\n"
        "        END"
    ),
    (
        "CREATE TRIGGER agg_scenarios_delete AFTER DELETE ON benchmark_runs WHEN OLD.status != 'cancelled' BEGIN\n"
        "          UPDATE agg_scenarios SET min_weighted = (SELECT MIN(weighted_score) FROM benchmark_runs r "
        "WHERE r.suite IS OLD.suite AND r.scenario IS OLD.scenario AND r.tier IS OLD.tier AND r.status != "
        "'cancelled'), max_weighted = (SELECT MAX(weighted_score) FROM benchmark_runs r WHERE r.suite IS "
        "OLD.suite AND r.scenario IS OLD.scenario AND r.tier IS OLD.tier AND r.status != 'cancelled'),\n"
        "            runs = runs - 1, successful = successful - OLD.is_successful,\n"
        "            failed = failed - (OLD.status NOT IN ('completed', 'budget_exceeded')),\n"
        "            scored = scored - (OLD.weighted_score IS NOT NULL),\n"
        "            sum_total_score = sum_total_score - COALESCE(OLD.total_score, 0),\n"
        "            sum_weighted = sum_weighted - COALESCE(OLD.weighted_score, 0),\n"
        "            cost_runs = cost_runs - (OLD.cost_usd IS NOT NULL), sum_cost = sum_cost - "
        "COALESCE(OLD.cost_usd, 0)\n"
        "          WHERE suite = COALESCE(OLD.suite, '') AND scenario = COALESCE(OLD.scenario, '') AND tier = "
        "COALESCE(OLD.tier, '');\n"
        "        END"
    ),
    (
        "INSERT INTO agg_scenarios (suite, scenario, tier, runs, successful, failed, scored, sum_total_score,\n"
        "                   sum_weighted, min_weighted, max_weighted, cost_runs, sum_cost)\n"
        "                SELECT COALESCE(suite, ''), COALESCE(scenario, ''), COALESCE(tier, ''), COUNT(*), "
        "SUM(is_successful), SUM(status NOT IN ('completed', 'budget_exceeded')),\n"
        "                   COUNT(weighted_score), COALESCE(SUM(total_score), 0), COALESCE(SUM(weighted_score), "
        "0),\n"
        "                   MIN(weighted_score), MAX(weighted_score), COUNT(cost_usd), COALESCE(SUM(cost_usd), 0)\n"
        "                FROM benchmark_runs WHERE status != 'cancelled' GROUP BY COALESCE(suite, ''), "
        "COALESCE(scenario, ''), COALESCE(tier, '') HAVING COUNT(*) > 0"
    ),
    """DROP INDEX IF EXISTS idx_benchmark_runs_agent_model""",
    """CREATE INDEX "idx_benchmark_runs_agent_model_weighted_score"
    ON "benchmark_runs" ("agent", "model", "weighted_score");""",
    """CREATE INDEX "idx_benchmark_runs_suite_scenario_tier_weighted_score"
    ON "benchmark_runs" ("suite", "scenario", "tier", "weighted_score");""",
    """CREATE INDEX "idx_benchmark_runs_tier"
    ON "benchmark_runs" ("tier");""",
    """CREATE INDEX "idx_benchmark_runs_model"
    ON "benchmark_runs" ("model");""",
    """CREATE INDEX "idx_benchmark_runs_scenario"
    ON "benchmark_runs" ("scenario");""",
    """CREATE INDEX "idx_batch_runs_created_at"
    ON "batch_runs" ("created_at");""",
)


@migrations()
def m003_summaries(db: sqlite_utils.Database) -> None:
    """Summary tables for the API's statistics at millions of runs, and indexes for its filters."""
    _execute(db, _M003)


_M004 = (
    (
        "CREATE TABLE agg_items (agent TEXT NOT NULL, model TEXT NOT NULL, suite TEXT NOT NULL, scenario TEXT "
        "NOT NULL, tier TEXT NOT NULL,\n"
        "        runs INTEGER NOT NULL DEFAULT 0, successful INTEGER NOT NULL DEFAULT 0,\n"
        "        agent_failed INTEGER NOT NULL DEFAULT 0, infra_failed INTEGER NOT NULL DEFAULT 0,\n"
        "        scored INTEGER NOT NULL DEFAULT 0, sum_weighted REAL NOT NULL DEFAULT 0,\n"
        "        cost_runs INTEGER NOT NULL DEFAULT 0, sum_cost REAL NOT NULL DEFAULT 0,\n"
        "        PRIMARY KEY (agent, model, suite, scenario, tier))"
    ),
    (
        "CREATE TRIGGER agg_items_insert AFTER INSERT ON benchmark_runs WHEN NEW.status != 'cancelled' BEGIN\n"
        "        INSERT INTO agg_items (agent, model, suite, scenario, tier) VALUES (COALESCE(NEW.agent, ''), "
        "COALESCE(NEW.model, ''), COALESCE(NEW.suite, ''), COALESCE(NEW.scenario, ''), COALESCE(NEW.tier, '')) "
        "ON CONFLICT DO NOTHING;\n"
        "        UPDATE agg_items SET \n"
        "        runs = runs + 1, successful = successful + NEW.is_successful,\n"
        "        agent_failed = agent_failed + (NEW.status NOT IN ('completed', 'budget_exceeded') AND NOT "
        "COALESCE(NEW.failure_category IN ('infrastructure', 'rate_limited', 'workspace', 'validation', "
        "'evaluation', 'setup', 'warmup'), 0)),\n"
        "        infra_failed = infra_failed + (COALESCE(NEW.failure_category IN ('infrastructure', "
        "'rate_limited', 'workspace', 'validation', 'evaluation', 'setup', 'warmup'), 0)),\n"
        "        scored = scored + (NEW.weighted_score IS NOT NULL),\n"
        "        sum_weighted = sum_weighted + COALESCE(NEW.weighted_score, 0),\n"
        "        cost_runs = cost_runs + (NEW.cost_usd IS NOT NULL), sum_cost = sum_cost + "
        "COALESCE(NEW.cost_usd, 0) WHERE agent = COALESCE(NEW.agent, '') AND model = COALESCE(NEW.model, '') AND "
        "suite = COALESCE(NEW.suite, '') AND scenario = COALESCE(NEW.scenario, '') AND tier = COALESCE(NEW.tier, "
        "'');\n"
        "    END"
    ),
    (
        "CREATE TRIGGER agg_items_delete AFTER DELETE ON benchmark_runs WHEN OLD.status != 'cancelled' BEGIN\n"
        "        UPDATE agg_items SET \n"
        "        runs = runs - 1, successful = successful - OLD.is_successful,\n"
        "        agent_failed = agent_failed - (OLD.status NOT IN ('completed', 'budget_exceeded') AND NOT "
        "COALESCE(OLD.failure_category IN ('infrastructure', 'rate_limited', 'workspace', 'validation', "
        "'evaluation', 'setup', 'warmup'), 0)),\n"
        "        infra_failed = infra_failed - (COALESCE(OLD.failure_category IN ('infrastructure', "
        "'rate_limited', 'workspace', 'validation', 'evaluation', 'setup', 'warmup'), 0)),\n"
        "        scored = scored - (OLD.weighted_score IS NOT NULL),\n"
        "        sum_weighted = sum_weighted - COALESCE(OLD.weighted_score, 0),\n"
        "        cost_runs = cost_runs - (OLD.cost_usd IS NOT NULL), sum_cost = sum_cost - "
        "COALESCE(OLD.cost_usd, 0) WHERE agent = COALESCE(OLD.agent, '') AND model = COALESCE(OLD.model, '') AND "
        "suite = COALESCE(OLD.suite, '') AND scenario = COALESCE(OLD.scenario, '') AND tier = COALESCE(OLD.tier, "
        "'');\n"
        "    END"
    ),
    (
        "INSERT INTO agg_items SELECT COALESCE(agent, ''), COALESCE(model, ''), COALESCE(suite, ''), "
        "COALESCE(scenario, ''), COALESCE(tier, ''), COUNT(*), SUM(is_successful),\n"
        "            SUM(status NOT IN ('completed', 'budget_exceeded') AND NOT "
        "COALESCE(benchmark_runs.failure_category IN ('infrastructure', 'rate_limited', 'workspace', "
        "'validation', 'evaluation', 'setup', 'warmup'), 0)), SUM(COALESCE(benchmark_runs.failure_category IN "
        "('infrastructure', 'rate_limited', 'workspace', 'validation', 'evaluation', 'setup', 'warmup'), 0)),\n"
        "            COUNT(weighted_score), COALESCE(SUM(weighted_score), 0), COUNT(cost_usd), "
        "COALESCE(SUM(cost_usd), 0)\n"
        "        FROM benchmark_runs WHERE status != 'cancelled' GROUP BY COALESCE(agent, ''), COALESCE(model, "
        "''), COALESCE(suite, ''), COALESCE(scenario, ''), COALESCE(tier, '')"
    ),
)


@migrations()
def m004_item_summaries(db: sqlite_utils.Database) -> None:
    """Per (agent, model, suite, scenario, tier): the counts the leaderboard, pass@k, tie groups and paired
    comparisons need, kept up to date by triggers, so statistics at a million runs read about ten thousand rows.
    Infrastructure failures are counted apart from the agent's own failures."""
    _execute(db, _M004)


_M005 = (
    """CREATE INDEX "idx_benchmark_runs_agent"
    ON "benchmark_runs" ("agent");""",
)


@migrations()
def m005_runs_by_agent(db: sqlite_utils.Database) -> None:
    """/api/runs?agent=X newest first: an index on agent alone is ordered by rowid within the agent, so the page
    is read in order; (agent, model, weighted_score) made SQLite sort all of the agent's runs (50 ms at 1M)."""
    _execute(db, _M005)


_M006 = (
    """ALTER TABLE "batch_runs" ADD COLUMN "agent_failed_runs" INTEGER NOT NULL DEFAULT 0;""",
    """ALTER TABLE "batch_runs" ADD COLUMN "infra_failed_runs" INTEGER NOT NULL DEFAULT 0;""",
    """ALTER TABLE "batch_runs" ADD COLUMN "scored_runs" INTEGER NOT NULL DEFAULT 0;""",
)
#: Each batch's figures, recomputed one batch at a time (parameters: the batch id, twice).
_M006_REFRESH = (
    "\n"
    "        UPDATE batch_runs SET\n"
    "          total_runs = agg.total, successful_runs = agg.successful, failed_runs = agg.failed,\n"
    "          avg_score = agg.avg_score, avg_weighted_score = agg.avg_weighted,\n"
    "          agent_failed_runs = agg.agent_failed, infra_failed_runs = agg.infra_failed, scored_runs = agg.scored\n"
    "        FROM (\n"
    "          SELECT COUNT(*) AS total, COALESCE(SUM(is_successful), 0) AS successful,\n"
    "                 COALESCE(SUM(status NOT IN ('completed', 'budget_exceeded')), 0) AS failed,\n"
    "                 COALESCE(SUM(status NOT IN ('completed', 'budget_exceeded') AND NOT COALESCE("
    "benchmark_runs.failure_category IN ('infrastructure', 'rate_limited', 'workspace', 'validation', "
    "'evaluation', 'setup', 'warmup'), 0)), 0)\n"
    "                   AS agent_failed,\n"
    "                 COALESCE(SUM(COALESCE(benchmark_runs.failure_category IN ('infrastructure', 'rate_limited', "
    "'workspace', 'validation', 'evaluation', 'setup', 'warmup'), 0)), 0) AS infra_failed, "
    "COUNT(weighted_score) AS scored,\n"
    "                 AVG(total_score) AS avg_score, AVG(weighted_score) AS avg_weighted\n"
    "          FROM benchmark_runs WHERE batch_id = ? AND status != 'cancelled'\n"
    "        ) AS agg\n"
    "        WHERE batch_id = ?\n"
    "        "
)
_M006_INDEXES = (
    """CREATE INDEX "idx_benchmark_runs_suite"
    ON "benchmark_runs" ("suite");""",
)


@migrations()
def m006_batch_denominators(db: sqlite_utils.Database) -> None:
    """Denominators kept on the batch row (refreshed with its aggregates): /api/batches no longer joins every run
    of the page's batches. Also an index on suite alone, for /api/runs?suite=S newest first."""
    _execute(db, _M006)
    for (batch_id,) in db.conn.execute("SELECT batch_id FROM batch_runs").fetchall():
        db.conn.execute(_M006_REFRESH, (batch_id, batch_id))
    _execute(db, _M006_INDEXES)


_M007 = (
    """ALTER TABLE "benchmark_runs" ADD COLUMN "revision" INTEGER;""",
    """CREATE INDEX "idx_benchmark_runs_revision"
    ON "benchmark_runs" ("revision");""",
)


@migrations()
def m007_run_revisions(db: sqlite_utils.Database) -> None:
    """Every write of runs gets a new revision number, stored on the runs it wrote: a rewritten run (same runId,
    same row id) changes the newest revision of its chunk and batch, which is how the site builder sees it."""
    _execute(db, _M007)


_M008 = (
    (
        "CREATE TABLE baseline_results (id INTEGER PRIMARY KEY, run_id TEXT NOT NULL, seq INTEGER,\n"
        "        kind TEXT NOT NULL, command TEXT, status TEXT, exit_code INTEGER, duration_ms INTEGER, "
        "output_tail TEXT)"
    ),
    """CREATE UNIQUE INDEX idx_baseline_results_run_id_seq ON baseline_results (run_id, seq)""",
    """ALTER TABLE validation_results ADD COLUMN baseline_status TEXT""",
)


@migrations()
def m008_baseline(db: sqlite_utils.Database) -> None:
    """The scenario's baseline commands on the untouched fixture, per run (shared by the runs of a batch), and
    each validation command's status at baseline, so that "before" and "after" sit side by side."""
    _execute(db, _M008)


_M009_COLUMNS = (
    """ALTER TABLE "benchmark_runs" ADD COLUMN "specialist_enabled" INTEGER NOT NULL DEFAULT 0;""",
    """ALTER TABLE "benchmark_runs" ADD COLUMN "specialist_name" TEXT;""",
    """ALTER TABLE "benchmark_runs" ADD COLUMN "specialist_version" TEXT;""",
    """ALTER TABLE "evaluation_results" ADD COLUMN "normalized_score" REAL;""",
)
_M009 = (
    (
        "UPDATE evaluation_results SET normalized_score = score / COALESCE(NULLIF(max_score, 0), 1) WHERE "
        "normalized_score IS NULL"
    ),
    """DROP INDEX IF EXISTS idx_evaluation_results_evaluator_name_applicable_score""",
    """CREATE INDEX "idx_evaluation_results_evaluator_name_applicable_normalized_score"
    ON "evaluation_results" ("evaluator_name", "applicable", "normalized_score");""",
    """CREATE TABLE agg_status_agents (status TEXT NOT NULL, is_successful INTEGER NOT NULL,
        agent TEXT NOT NULL, runs INTEGER NOT NULL DEFAULT 0, total_scored INTEGER NOT NULL DEFAULT 0,
        sum_total_score REAL NOT NULL DEFAULT 0, scored INTEGER NOT NULL DEFAULT 0,
        sum_weighted REAL NOT NULL DEFAULT 0, min_weighted REAL, max_weighted REAL,
        PRIMARY KEY (status, is_successful, agent))""",
    (
        "CREATE TRIGGER agg_status_agents_insert AFTER INSERT ON benchmark_runs BEGIN\n"
        "        INSERT INTO agg_status_agents (status, is_successful, agent) VALUES (NEW.status, "
        "NEW.is_successful, NEW.agent)\n"
        "          ON CONFLICT DO NOTHING;\n"
        "        UPDATE agg_status_agents SET runs = runs + 1,\n"
        "          total_scored = total_scored + (NEW.total_score IS NOT NULL),\n"
        "          sum_total_score = sum_total_score + COALESCE(NEW.total_score, 0),\n"
        "          scored = scored + (NEW.weighted_score IS NOT NULL),\n"
        "          sum_weighted = sum_weighted + COALESCE(NEW.weighted_score, 0),\n"
        "          min_weighted = CASE WHEN NEW.weighted_score IS NULL THEN min_weighted\n"
        "                              ELSE MIN(COALESCE(min_weighted, NEW.weighted_score), NEW.weighted_score) "
        "END,\n"
        "          max_weighted = CASE WHEN NEW.weighted_score IS NULL THEN max_weighted\n"
        "                              ELSE MAX(COALESCE(max_weighted, NEW.weighted_score), NEW.weighted_score) "
        "END\n"
        "        WHERE status = NEW.status AND is_successful = NEW.is_successful AND agent = NEW.agent;\n"
        "    END"
    ),
    (
        "CREATE TRIGGER agg_status_agents_delete AFTER DELETE ON benchmark_runs BEGIN\n"
        "        UPDATE agg_status_agents SET runs = runs - 1,\n"
        "          total_scored = total_scored - (OLD.total_score IS NOT NULL),\n"
        "          sum_total_score = sum_total_score - COALESCE(OLD.total_score, 0),\n"
        "          scored = scored - (OLD.weighted_score IS NOT NULL),\n"
        "          sum_weighted = sum_weighted - COALESCE(OLD.weighted_score, 0),\n"
        "          min_weighted = (SELECT MIN(weighted_score) FROM benchmark_runs r WHERE r.agent = OLD.agent "
        "AND r.status = OLD.status AND r.is_successful = OLD.is_successful),\n"
        "          max_weighted = (SELECT MAX(weighted_score) FROM benchmark_runs r WHERE r.agent = OLD.agent "
        "AND r.status = OLD.status AND r.is_successful = OLD.is_successful)\n"
        "        WHERE status = OLD.status AND is_successful = OLD.is_successful AND agent = OLD.agent;\n"
        "    END"
    ),
    (
        "INSERT INTO agg_status_agents SELECT status, is_successful, agent, COUNT(*), COUNT(total_score),\n"
        "        COALESCE(SUM(total_score), 0), COUNT(weighted_score), COALESCE(SUM(weighted_score), 0), "
        "MIN(weighted_score),\n"
        "        MAX(weighted_score) FROM benchmark_runs GROUP BY status, is_successful, agent"
    ),
    """CREATE INDEX "idx_benchmark_runs_agent_status_is_successful_weighted_score"
    ON "benchmark_runs" ("agent", "status", "is_successful", "weighted_score");""",
    """CREATE INDEX "idx_benchmark_runs_status_started_at"
    ON "benchmark_runs" ("status", "started_at");""",
    """CREATE INDEX "idx_benchmark_runs_agent_started_at"
    ON "benchmark_runs" ("agent", "started_at");""",
    """CREATE INDEX "idx_benchmark_runs_suite_started_at"
    ON "benchmark_runs" ("suite", "started_at");""",
    """CREATE INDEX "idx_benchmark_runs_scenario_started_at"
    ON "benchmark_runs" ("scenario", "started_at");""",
)


@migrations()
def m009_original_api(db: sqlite_utils.Database) -> None:
    """The original project's contract (issue 10). Runs get its specialist columns. Evaluations keep score and
    max_score as sent, with zebench's 0-1 figure in normalized_score (earlier rows were normalised on the way in,
    an original post's figures kept in details.rawScore/rawMaxScore: they are put back). A summary per
    (status, is_successful, agent) serves the original's statistics, which count completed runs only; indexes
    serve its runs list, newest startedAt first, filtered by status, agent, suite or scenario."""
    _execute(db, _M009_COLUMNS)
    restored = []
    for row_id, score, details in db.conn.execute(
        "SELECT id, score, details FROM evaluation_results WHERE details LIKE '%rawMaxScore%'"
    ).fetchall():
        value = json.loads(details)
        if not (
            isinstance(value, dict)
            and isinstance(value.get("rawScore"), (int, float))
            and isinstance(value.get("rawMaxScore"), (int, float))
        ):
            continue
        rest = {k: v for k, v in value.items() if k not in ("rawScore", "rawMaxScore")}
        sent = rest["text"] if set(rest) == {"text"} else (rest or None)
        text = None if sent is None else json.dumps(sent, ensure_ascii=False, separators=(",", ":"))
        restored.append((value["rawScore"], value["rawMaxScore"], score, text, row_id))
    db.conn.executemany(
        "UPDATE evaluation_results SET score = ?, max_score = ?, normalized_score = ?, details = ? WHERE id = ?",
        restored,
    )
    _execute(db, _M009)


#: The count conditions m010's SQL is written with ("{r}": the row), as it shipped. tests/test_consistency.py
#: checks that the current definitions (sql.COUNT_CONDITIONS) still equal them: definitions that change need a
#: new migration that rebuilds what m010 built.
M010_COUNTS = {
    "attempts": "1",
    "cancelled": "{r}.status IN ('cancelled')",
    "runs": "{r}.status NOT IN ('cancelled')",
    "completed": "{r}.status IN ('completed', 'budget_exceeded')",
    "failed": "{r}.status NOT IN ('completed', 'budget_exceeded', 'cancelled')",
    "agent_failures": "{r}.status NOT IN ('completed', 'budget_exceeded', 'cancelled') AND NOT COALESCE("
    "{r}.failure_category IN ('infrastructure', 'rate_limited', 'workspace', 'validation', "
    "'evaluation', 'setup', 'warmup'), 0)",
    "infra_failures": "{r}.status NOT IN ('completed', 'budget_exceeded', 'cancelled') AND COALESCE("
    "{r}.failure_category IN ('infrastructure', 'rate_limited', 'workspace', 'validation', "
    "'evaluation', 'setup', 'warmup'), 0)",
    "successful": "{r}.status IN ('completed', 'budget_exceeded') AND {r}.is_successful = 1",
    "scored": "{r}.status NOT IN ('cancelled') AND {r}.weighted_score IS NOT NULL",
    "evaluator_errors": "{r}.status NOT IN ('cancelled') AND {r}.evaluator_errors > 0",
}

_M010 = (
    """ALTER TABLE "benchmark_runs" ADD COLUMN "evaluator_errors" INTEGER NOT NULL DEFAULT 0;""",
    (
        "UPDATE benchmark_runs SET evaluator_errors = (SELECT COUNT(*) FROM evaluation_results e WHERE e.run_id "
        "= benchmark_runs.run_id AND e.error IS NOT NULL) WHERE run_id IN (SELECT run_id FROM evaluation_results "
        "WHERE error IS NOT NULL)"
    ),
    """UPDATE benchmark_runs SET total_score = NULL WHERE total_score IN (9e999, -9e999)""",
    """UPDATE benchmark_runs SET weighted_score = NULL WHERE weighted_score IN (9e999, -9e999)""",
    """UPDATE benchmark_runs SET success_metric = NULL WHERE success_metric IN (9e999, -9e999)""",
    """UPDATE benchmark_runs SET cost_usd = NULL WHERE cost_usd IN (9e999, -9e999)""",
    """UPDATE evaluation_results SET score = NULL WHERE score IN (9e999, -9e999)""",
    """UPDATE evaluation_results SET max_score = NULL WHERE max_score IN (9e999, -9e999)""",
    """UPDATE evaluation_results SET normalized_score = NULL WHERE normalized_score IN (9e999, -9e999)""",
    """UPDATE evaluation_results SET weight = NULL WHERE weight IN (9e999, -9e999)""",
    """UPDATE evaluation_results SET cost_usd = NULL WHERE cost_usd IN (9e999, -9e999)""",
    """UPDATE run_telemetry SET cost_usd = NULL WHERE cost_usd IN (9e999, -9e999)""",
    """UPDATE run_telemetry SET judge_cost_usd = NULL WHERE judge_cost_usd IN (9e999, -9e999)""",
    """DROP TRIGGER IF EXISTS agg_totals_insert""",
    """DROP TRIGGER IF EXISTS agg_totals_delete""",
    (
        "CREATE TRIGGER agg_totals_insert AFTER INSERT ON benchmark_runs WHEN (NEW.status NOT IN ('cancelled')) "
        "BEGIN\n"
        "          INSERT INTO agg_totals (grp) VALUES ('all') ON CONFLICT DO NOTHING;\n"
        "          UPDATE agg_totals SET runs = runs + 1, successful = successful + (NEW.status IN ('completed', "
        "'budget_exceeded') AND NEW.is_successful = 1), failed = failed + (NEW.status NOT IN ('completed', "
        "'budget_exceeded', 'cancelled')), scored = scored + (NEW.status NOT IN ('cancelled') AND "
        "NEW.weighted_score IS NOT NULL), sum_total_score = sum_total_score + COALESCE(NEW.total_score, 0), "
        "sum_weighted = sum_weighted + COALESCE(NEW.weighted_score, 0), cost_runs = cost_runs + (NEW.cost_usd IS "
        "NOT NULL), sum_cost = sum_cost + COALESCE(NEW.cost_usd, 0),\n"
        "            min_weighted = CASE WHEN NEW.weighted_score IS NULL THEN min_weighted\n"
        "                                ELSE MIN(COALESCE(min_weighted, NEW.weighted_score), "
        "NEW.weighted_score) END,\n"
        "            max_weighted = CASE WHEN NEW.weighted_score IS NULL THEN max_weighted\n"
        "                                ELSE MAX(COALESCE(max_weighted, NEW.weighted_score), "
        "NEW.weighted_score) END\n"
        "          WHERE grp = 'all';\n"
        "        END"
    ),
    (
        "CREATE TRIGGER agg_totals_delete AFTER DELETE ON benchmark_runs WHEN (OLD.status NOT IN ('cancelled')) "
        "BEGIN\n"
        "          UPDATE agg_totals SET  runs = runs - 1, successful = successful - (OLD.status IN "
        "('completed', 'budget_exceeded') AND OLD.is_successful = 1), failed = failed - (OLD.status NOT IN "
        "('completed', 'budget_exceeded', 'cancelled')), scored = scored - (OLD.status NOT IN ('cancelled') AND "
        "OLD.weighted_score IS NOT NULL), sum_total_score = sum_total_score - COALESCE(OLD.total_score, 0), "
        "sum_weighted = sum_weighted - COALESCE(OLD.weighted_score, 0), cost_runs = cost_runs - (OLD.cost_usd IS "
        "NOT NULL), sum_cost = sum_cost - COALESCE(OLD.cost_usd, 0) WHERE grp = 'all';\n"
        "        END"
    ),
    """DELETE FROM agg_totals""",
    (
        "INSERT INTO agg_totals (grp, runs, successful, failed, scored, sum_total_score,\n"
        "              sum_weighted, min_weighted, max_weighted, cost_runs, sum_cost)\n"
        "            SELECT 'all', COUNT(*), SUM((benchmark_runs.status IN ('completed', 'budget_exceeded') AND "
        "benchmark_runs.is_successful = 1)), SUM((benchmark_runs.status NOT IN ('completed', 'budget_exceeded', "
        "'cancelled'))), SUM((benchmark_runs.status NOT IN ('cancelled') AND benchmark_runs.weighted_score IS "
        "NOT NULL)),\n"
        "              COALESCE(SUM(total_score), 0), COALESCE(SUM(weighted_score), 0), MIN(weighted_score),\n"
        "              MAX(weighted_score), COUNT(cost_usd), COALESCE(SUM(cost_usd), 0)\n"
        "            FROM benchmark_runs WHERE (benchmark_runs.status NOT IN ('cancelled')) GROUP BY 'all'"
    ),
    """DROP TRIGGER IF EXISTS agg_agents_insert""",
    """DROP TRIGGER IF EXISTS agg_agents_delete""",
    (
        "CREATE TRIGGER agg_agents_insert AFTER INSERT ON benchmark_runs WHEN (NEW.status NOT IN ('cancelled')) "
        "BEGIN\n"
        "          INSERT INTO agg_agents (agent, model) VALUES (COALESCE(NEW.agent, ''), COALESCE(NEW.model, "
        "'')) ON CONFLICT DO NOTHING;\n"
        "          UPDATE agg_agents SET runs = runs + 1, successful = successful + (NEW.status IN ('completed', "
        "'budget_exceeded') AND NEW.is_successful = 1), failed = failed + (NEW.status NOT IN ('completed', "
        "'budget_exceeded', 'cancelled')), scored = scored + (NEW.status NOT IN ('cancelled') AND "
        "NEW.weighted_score IS NOT NULL), sum_total_score = sum_total_score + COALESCE(NEW.total_score, 0), "
        "sum_weighted = sum_weighted + COALESCE(NEW.weighted_score, 0), cost_runs = cost_runs + (NEW.cost_usd IS "
        "NOT NULL), sum_cost = sum_cost + COALESCE(NEW.cost_usd, 0),\n"
        "            min_weighted = CASE WHEN NEW.weighted_score IS NULL THEN min_weighted\n"
        "                                ELSE MIN(COALESCE(min_weighted, NEW.weighted_score), "
        "NEW.weighted_score) END,\n"
        "            max_weighted = CASE WHEN NEW.weighted_score IS NULL THEN max_weighted\n"
        "                                ELSE MAX(COALESCE(max_weighted, NEW.weighted_score), "
        "NEW.weighted_score) END\n"
        "          WHERE agent = COALESCE(NEW.agent, '') AND model = COALESCE(NEW.model, '');\n"
        "        END"
    ),
    (
        "CREATE TRIGGER agg_agents_delete AFTER DELETE ON benchmark_runs WHEN (OLD.status NOT IN ('cancelled')) "
        "BEGIN\n"
        "          UPDATE agg_agents SET min_weighted = (SELECT MIN(weighted_score) FROM benchmark_runs r WHERE "
        "r.agent IS OLD.agent AND r.model IS OLD.model AND (r.status NOT IN ('cancelled'))), max_weighted = "
        "(SELECT MAX(weighted_score) FROM benchmark_runs r WHERE r.agent IS OLD.agent AND r.model IS OLD.model "
        "AND (r.status NOT IN ('cancelled'))), runs = runs - 1, successful = successful - (OLD.status IN "
        "('completed', 'budget_exceeded') AND OLD.is_successful = 1), failed = failed - (OLD.status NOT IN "
        "('completed', 'budget_exceeded', 'cancelled')), scored = scored - (OLD.status NOT IN ('cancelled') AND "
        "OLD.weighted_score IS NOT NULL), sum_total_score = sum_total_score - COALESCE(OLD.total_score, 0), "
        "sum_weighted = sum_weighted - COALESCE(OLD.weighted_score, 0), cost_runs = cost_runs - (OLD.cost_usd IS "
        "NOT NULL), sum_cost = sum_cost - COALESCE(OLD.cost_usd, 0) WHERE agent = COALESCE(OLD.agent, '') AND "
        "model = COALESCE(OLD.model, '');\n"
        "        END"
    ),
    """DELETE FROM agg_agents""",
    (
        "INSERT INTO agg_agents (agent, model, runs, successful, failed, scored, sum_total_score,\n"
        "              sum_weighted, min_weighted, max_weighted, cost_runs, sum_cost)\n"
        "            SELECT COALESCE(agent, ''), COALESCE(model, ''), COUNT(*), SUM((benchmark_runs.status IN "
        "('completed', 'budget_exceeded') AND benchmark_runs.is_successful = 1)), SUM((benchmark_runs.status NOT "
        "IN ('completed', 'budget_exceeded', 'cancelled'))), SUM((benchmark_runs.status NOT IN ('cancelled') AND "
        "benchmark_runs.weighted_score IS NOT NULL)),\n"
        "              COALESCE(SUM(total_score), 0), COALESCE(SUM(weighted_score), 0), MIN(weighted_score),\n"
        "              MAX(weighted_score), COUNT(cost_usd), COALESCE(SUM(cost_usd), 0)\n"
        "            FROM benchmark_runs WHERE (benchmark_runs.status NOT IN ('cancelled')) GROUP BY "
        "COALESCE(agent, ''), COALESCE(model, '')"
    ),
    """DROP TRIGGER IF EXISTS agg_scenarios_insert""",
    """DROP TRIGGER IF EXISTS agg_scenarios_delete""",
    (
        "CREATE TRIGGER agg_scenarios_insert AFTER INSERT ON benchmark_runs WHEN (NEW.status NOT IN "
        "('cancelled')) BEGIN\n"
        "          INSERT INTO agg_scenarios (suite, scenario, tier) VALUES (COALESCE(NEW.suite, ''), "
        "COALESCE(NEW.scenario, ''), COALESCE(NEW.tier, '')) ON CONFLICT DO NOTHING;\n"
        "          UPDATE agg_scenarios SET runs = runs + 1, successful = successful + (NEW.status IN "
        "('completed', 'budget_exceeded') AND NEW.is_successful = 1), failed = failed + (NEW.status NOT IN "
        "('completed', 'budget_exceeded', 'cancelled')), scored = scored + (NEW.status NOT IN ('cancelled') AND "
        "NEW.weighted_score IS NOT NULL), sum_total_score = sum_total_score + COALESCE(NEW.total_score, 0), "
        "sum_weighted = sum_weighted + COALESCE(NEW.weighted_score, 0), cost_runs = cost_runs + (NEW.cost_usd IS "
        "NOT NULL), sum_cost = sum_cost + COALESCE(NEW.cost_usd, 0),\n"
        "            min_weighted = CASE WHEN NEW.weighted_score IS NULL THEN min_weighted\n"
        "                                ELSE MIN(COALESCE(min_weighted, NEW.weighted_score), "
        "NEW.weighted_score) END,\n"
        "            max_weighted = CASE WHEN NEW.weighted_score IS NULL THEN max_weighted\n"
        "                                ELSE MAX(COALESCE(max_weighted, NEW.weighted_score), "
        "NEW.weighted_score) END\n"
        "          WHERE suite = COALESCE(NEW.suite, '') AND scenario = COALESCE(NEW.scenario, '') AND tier = "
        "COALESCE(NEW.tier, '');\n"
        "        END"
    ),
    (
        "CREATE TRIGGER agg_scenarios_delete AFTER DELETE ON benchmark_runs WHEN (OLD.status NOT IN "
        "('cancelled')) BEGIN\n"
        "          UPDATE agg_scenarios SET min_weighted = (SELECT MIN(weighted_score) FROM benchmark_runs r "
        "WHERE r.suite IS OLD.suite AND r.scenario IS OLD.scenario AND r.tier IS OLD.tier AND (r.status NOT IN "
        "('cancelled'))), max_weighted = (SELECT MAX(weighted_score) FROM benchmark_runs r WHERE r.suite IS "
        "OLD.suite AND r.scenario IS OLD.scenario AND r.tier IS OLD.tier AND (r.status NOT IN ('cancelled'))), "
        "runs = runs - 1, successful = successful - (OLD.status IN ('completed', 'budget_exceeded') AND "
        "OLD.is_successful = 1), failed = failed - (OLD.status NOT IN ('completed', 'budget_exceeded', "
        "'cancelled')), scored = scored - (OLD.status NOT IN ('cancelled') AND OLD.weighted_score IS NOT NULL), "
        "sum_total_score = sum_total_score - COALESCE(OLD.total_score, 0), sum_weighted = sum_weighted - "
        "COALESCE(OLD.weighted_score, 0), cost_runs = cost_runs - (OLD.cost_usd IS NOT NULL), sum_cost = "
        "sum_cost - COALESCE(OLD.cost_usd, 0) WHERE suite = COALESCE(OLD.suite, '') AND scenario = "
        "COALESCE(OLD.scenario, '') AND tier = COALESCE(OLD.tier, '');\n"
        "        END"
    ),
    """DELETE FROM agg_scenarios""",
    (
        "INSERT INTO agg_scenarios (suite, scenario, tier, runs, successful, failed, scored, sum_total_score,\n"
        "              sum_weighted, min_weighted, max_weighted, cost_runs, sum_cost)\n"
        "            SELECT COALESCE(suite, ''), COALESCE(scenario, ''), COALESCE(tier, ''), COUNT(*), "
        "SUM((benchmark_runs.status IN ('completed', 'budget_exceeded') AND benchmark_runs.is_successful = 1)), "
        "SUM((benchmark_runs.status NOT IN ('completed', 'budget_exceeded', 'cancelled'))), "
        "SUM((benchmark_runs.status NOT IN ('cancelled') AND benchmark_runs.weighted_score IS NOT NULL)),\n"
        "              COALESCE(SUM(total_score), 0), COALESCE(SUM(weighted_score), 0), MIN(weighted_score),\n"
        "              MAX(weighted_score), COUNT(cost_usd), COALESCE(SUM(cost_usd), 0)\n"
        "            FROM benchmark_runs WHERE (benchmark_runs.status NOT IN ('cancelled')) GROUP BY "
        "COALESCE(suite, ''), COALESCE(scenario, ''), COALESCE(tier, '')"
    ),
    """DROP TRIGGER IF EXISTS agg_items_insert""",
    """DROP TRIGGER IF EXISTS agg_items_delete""",
    """DROP TABLE agg_items""",
    (
        "CREATE TABLE agg_items (agent TEXT NOT NULL, model TEXT NOT NULL, suite TEXT NOT NULL, scenario TEXT "
        "NOT NULL, tier TEXT NOT NULL,\n"
        "        runs INTEGER NOT NULL DEFAULT 0, successful INTEGER NOT NULL DEFAULT 0, completed INTEGER NOT "
        "NULL DEFAULT 0,\n"
        "        agent_failed INTEGER NOT NULL DEFAULT 0, infra_failed INTEGER NOT NULL DEFAULT 0,\n"
        "        scored INTEGER NOT NULL DEFAULT 0, sum_weighted REAL NOT NULL DEFAULT 0,\n"
        "        cost_runs INTEGER NOT NULL DEFAULT 0, sum_cost REAL NOT NULL DEFAULT 0,\n"
        "        evaluator_errors INTEGER NOT NULL DEFAULT 0, PRIMARY KEY (agent, model, suite, scenario, tier))"
    ),
    (
        "CREATE TRIGGER agg_items_insert AFTER INSERT ON benchmark_runs WHEN (NEW.status NOT IN ('cancelled')) "
        "BEGIN\n"
        "        INSERT INTO agg_items (agent, model, suite, scenario, tier) VALUES (COALESCE(NEW.agent, ''), "
        "COALESCE(NEW.model, ''), COALESCE(NEW.suite, ''), COALESCE(NEW.scenario, ''), COALESCE(NEW.tier, '')) "
        "ON CONFLICT DO NOTHING;\n"
        "        UPDATE agg_items SET runs = runs + 1, successful = successful + (NEW.status IN ('completed', "
        "'budget_exceeded') AND NEW.is_successful = 1), completed = completed + (NEW.status IN ('completed', "
        "'budget_exceeded')), agent_failed = agent_failed + (NEW.status NOT IN ('completed', 'budget_exceeded', "
        "'cancelled') AND NOT COALESCE(NEW.failure_category IN ('infrastructure', 'rate_limited', 'workspace', "
        "'validation', 'evaluation', 'setup', 'warmup'), 0)), infra_failed = infra_failed + (NEW.status NOT IN "
        "('completed', 'budget_exceeded', 'cancelled') AND COALESCE(NEW.failure_category IN ('infrastructure', "
        "'rate_limited', 'workspace', 'validation', 'evaluation', 'setup', 'warmup'), 0)), scored = scored + "
        "(NEW.status NOT IN ('cancelled') AND NEW.weighted_score IS NOT NULL), sum_weighted = sum_weighted + "
        "COALESCE(NEW.weighted_score, 0), cost_runs = cost_runs + (NEW.cost_usd IS NOT NULL), sum_cost = "
        "sum_cost + COALESCE(NEW.cost_usd, 0), evaluator_errors = evaluator_errors + (NEW.status NOT IN "
        "('cancelled') AND NEW.evaluator_errors > 0) WHERE agent = COALESCE(NEW.agent, '') AND model = "
        "COALESCE(NEW.model, '') AND suite = COALESCE(NEW.suite, '') AND scenario = COALESCE(NEW.scenario, '') "
        "AND tier = COALESCE(NEW.tier, '');\n"
        "    END"
    ),
    (
        "CREATE TRIGGER agg_items_delete AFTER DELETE ON benchmark_runs WHEN (OLD.status NOT IN ('cancelled')) "
        "BEGIN\n"
        "        UPDATE agg_items SET runs = runs - 1, successful = successful - (OLD.status IN ('completed', "
        "'budget_exceeded') AND OLD.is_successful = 1), completed = completed - (OLD.status IN ('completed', "
        "'budget_exceeded')), agent_failed = agent_failed - (OLD.status NOT IN ('completed', 'budget_exceeded', "
        "'cancelled') AND NOT COALESCE(OLD.failure_category IN ('infrastructure', 'rate_limited', 'workspace', "
        "'validation', 'evaluation', 'setup', 'warmup'), 0)), infra_failed = infra_failed - (OLD.status NOT IN "
        "('completed', 'budget_exceeded', 'cancelled') AND COALESCE(OLD.failure_category IN ('infrastructure', "
        "'rate_limited', 'workspace', 'validation', 'evaluation', 'setup', 'warmup'), 0)), scored = scored - "
        "(OLD.status NOT IN ('cancelled') AND OLD.weighted_score IS NOT NULL), sum_weighted = sum_weighted - "
        "COALESCE(OLD.weighted_score, 0), cost_runs = cost_runs - (OLD.cost_usd IS NOT NULL), sum_cost = "
        "sum_cost - COALESCE(OLD.cost_usd, 0), evaluator_errors = evaluator_errors - (OLD.status NOT IN "
        "('cancelled') AND OLD.evaluator_errors > 0) WHERE agent = COALESCE(OLD.agent, '') AND model = "
        "COALESCE(OLD.model, '') AND suite = COALESCE(OLD.suite, '') AND scenario = COALESCE(OLD.scenario, '') "
        "AND tier = COALESCE(OLD.tier, '');\n"
        "    END"
    ),
    (
        "INSERT INTO agg_items SELECT COALESCE(agent, ''), COALESCE(model, ''), COALESCE(suite, ''), "
        "COALESCE(scenario, ''), COALESCE(tier, ''), COUNT(*), SUM((benchmark_runs.status IN ('completed', "
        "'budget_exceeded') AND benchmark_runs.is_successful = 1)),\n"
        "            SUM((benchmark_runs.status IN ('completed', 'budget_exceeded'))), "
        "SUM((benchmark_runs.status NOT IN ('completed', 'budget_exceeded', 'cancelled') AND NOT "
        "COALESCE(benchmark_runs.failure_category IN ('infrastructure', 'rate_limited', 'workspace', "
        "'validation', 'evaluation', 'setup', 'warmup'), 0))), SUM((benchmark_runs.status NOT IN ('completed', "
        "'budget_exceeded', 'cancelled') AND COALESCE(benchmark_runs.failure_category IN ('infrastructure', "
        "'rate_limited', 'workspace', 'validation', 'evaluation', 'setup', 'warmup'), 0))),\n"
        "            SUM((benchmark_runs.status NOT IN ('cancelled') AND benchmark_runs.weighted_score IS NOT "
        "NULL)), COALESCE(SUM(weighted_score), 0), COUNT(cost_usd), COALESCE(SUM(cost_usd), 0),\n"
        "            SUM((benchmark_runs.status NOT IN ('cancelled') AND benchmark_runs.evaluator_errors > 0))\n"
        "        FROM benchmark_runs WHERE (benchmark_runs.status NOT IN ('cancelled')) GROUP BY COALESCE(agent, "
        "''), COALESCE(model, ''), COALESCE(suite, ''), COALESCE(scenario, ''), COALESCE(tier, '')"
    ),
    """DELETE FROM agg_status_agents""",
    (
        "INSERT INTO agg_status_agents SELECT status, is_successful, agent, COUNT(*), COUNT(total_score),\n"
        "        COALESCE(SUM(total_score), 0), COUNT(weighted_score), COALESCE(SUM(weighted_score), 0), "
        "MIN(weighted_score),\n"
        "        MAX(weighted_score) FROM benchmark_runs GROUP BY status, is_successful, agent"
    ),
    """ALTER TABLE "batch_runs" ADD COLUMN "cancelled_runs" INTEGER NOT NULL DEFAULT 0;""",
    """ALTER TABLE "batch_runs" ADD COLUMN "evaluator_error_runs" INTEGER NOT NULL DEFAULT 0;""",
    (
        "UPDATE batch_runs SET\n"
        "          total_runs = agg.total, successful_runs = agg.successful, failed_runs = agg.failed,\n"
        "          avg_score = agg.avg_score, avg_weighted_score = agg.avg_weighted, agent_failed_runs = "
        "agg.agent_failed,\n"
        "          infra_failed_runs = agg.infra_failed, scored_runs = agg.scored, cancelled_runs = "
        "agg.cancelled,\n"
        "          evaluator_error_runs = agg.evaluator_errors\n"
        "        FROM (\n"
        "          SELECT batch_id, SUM((benchmark_runs.status NOT IN ('cancelled'))) AS total, "
        "SUM((benchmark_runs.status IN ('completed', 'budget_exceeded') AND benchmark_runs.is_successful = 1)) "
        "AS successful,\n"
        "                 SUM((benchmark_runs.status NOT IN ('completed', 'budget_exceeded', 'cancelled'))) AS "
        "failed, SUM((benchmark_runs.status NOT IN ('completed', 'budget_exceeded', 'cancelled') AND NOT "
        "COALESCE(benchmark_runs.failure_category IN ('infrastructure', 'rate_limited', 'workspace', "
        "'validation', 'evaluation', 'setup', 'warmup'), 0))) AS agent_failed,\n"
        "                 SUM((benchmark_runs.status NOT IN ('completed', 'budget_exceeded', 'cancelled') AND "
        "COALESCE(benchmark_runs.failure_category IN ('infrastructure', 'rate_limited', 'workspace', "
        "'validation', 'evaluation', 'setup', 'warmup'), 0))) AS infra_failed, SUM((benchmark_runs.status NOT IN "
        "('cancelled') AND benchmark_runs.weighted_score IS NOT NULL)) AS scored,\n"
        "                 SUM((benchmark_runs.status IN ('cancelled'))) AS cancelled, SUM((benchmark_runs.status "
        "NOT IN ('cancelled') AND benchmark_runs.evaluator_errors > 0)) AS evaluator_errors,\n"
        "                 AVG(CASE WHEN (benchmark_runs.status NOT IN ('cancelled')) THEN total_score END) AS "
        "avg_score,\n"
        "                 AVG(CASE WHEN (benchmark_runs.status NOT IN ('cancelled')) THEN weighted_score END) AS "
        "avg_weighted\n"
        "          FROM benchmark_runs WHERE batch_id IS NOT NULL GROUP BY batch_id\n"
        "        ) AS agg\n"
        "        WHERE batch_runs.batch_id = agg.batch_id"
    ),
    (
        "CREATE VIEW runs_counted AS SELECT r.id, r.run_id, r.batch_id, r.suite, r.scenario, r.tier, r.agent, "
        "r.model, r.status, r.failure_category, r.started_at, r.completed_at, r.total_score, r.weighted_score, "
        "r.success_metric, r.cost_usd, r.evaluator_errors, (r.status IN ('completed', 'budget_exceeded')) AS "
        "completed, (r.status NOT IN ('completed', 'budget_exceeded', 'cancelled') AND NOT "
        "COALESCE(r.failure_category IN ('infrastructure', 'rate_limited', 'workspace', 'validation', "
        "'evaluation', 'setup', 'warmup'), 0)) AS agent_failure, (r.status NOT IN ('completed', "
        "'budget_exceeded', 'cancelled') AND COALESCE(r.failure_category IN ('infrastructure', 'rate_limited', "
        "'workspace', 'validation', 'evaluation', 'setup', 'warmup'), 0)) AS infra_failure, (r.status IN "
        "('completed', 'budget_exceeded') AND r.is_successful = 1) AS successful, (r.status NOT IN ('cancelled') "
        "AND r.evaluator_errors > 0) AS evaluator_error FROM benchmark_runs r WHERE (r.status NOT IN "
        "('cancelled'))"
    ),
)


@migrations()
def m010_one_set_of_counts(db: sqlite_utils.Database) -> None:
    """One definition of each count (issue 12), as in M010_COUNTS: runs (attempts not cancelled), completed,
    agent and infrastructure failures (a partition of the runs), successful (only completed runs), runs with an
    evaluator error. Runs get ``evaluator_errors`` (their evaluations that failed); the summary tables' triggers
    are rebuilt on these counts (agg_items also counts completed runs and runs with evaluator errors) and their
    contents recomputed, batches get cancelled and evaluator-error counts, and the ``runs_counted`` view is made.
    Numbers that are not finite (accepted before records were checked) become NULL: they made JSON invalid."""
    _execute(db, _M010)


#: Generated by store.sql.summaries_sql (``python -m zebench.store``) from the declarations of its time and frozen
#: here; tests/test_schema_frozen.py checks the current declarations still generate it while it is the newest.
_M011 = (
    (
        "UPDATE benchmark_runs SET evaluator_errors = (SELECT COUNT(*) FROM evaluation_results e WHERE "
        "e.run_id = benchmark_runs.run_id AND e.error IS NOT NULL AND (e.weight > 0 OR e.evaluator_name IN "
        "('install', 'test', 'integrity_guard')))"
    ),
    "DROP TRIGGER IF EXISTS agg_totals_insert",
    "DROP TRIGGER IF EXISTS agg_totals_delete",
    "DROP TABLE IF EXISTS agg_totals",
    (
        "CREATE TABLE agg_totals (grp TEXT NOT NULL, runs INTEGER NOT NULL DEFAULT 0, successful INTEGER NOT "
        "NULL DEFAULT 0, completed INTEGER NOT NULL DEFAULT 0, failed INTEGER NOT NULL DEFAULT 0, "
        "agent_failed INTEGER NOT NULL DEFAULT 0, infra_failed INTEGER NOT NULL DEFAULT 0, scored INTEGER NOT "
        "NULL DEFAULT 0, evaluator_errors INTEGER NOT NULL DEFAULT 0, total_scored INTEGER NOT NULL DEFAULT "
        "0, sum_total_score REAL NOT NULL DEFAULT 0, sum_weighted REAL NOT NULL DEFAULT 0, cost_runs INTEGER "
        "NOT NULL DEFAULT 0, sum_cost REAL NOT NULL DEFAULT 0, PRIMARY KEY (grp))"
    ),
    (
        "CREATE TRIGGER agg_totals_insert AFTER INSERT ON benchmark_runs WHEN (NEW.status NOT IN "
        "('cancelled')) BEGIN\n  INSERT INTO agg_totals (grp) VALUES ('all') ON CONFLICT DO NOTHING;\n  UPDATE "
        "agg_totals SET runs = runs + (NEW.status NOT IN ('cancelled')), successful = successful + "
        "(NEW.status IN ('completed', 'budget_exceeded') AND NEW.is_successful = 1), completed = completed + "
        "(NEW.status IN ('completed', 'budget_exceeded')), failed = failed + (NEW.status NOT IN ('completed', "
        "'budget_exceeded', 'cancelled')), agent_failed = agent_failed + (NEW.status NOT IN ('completed', "
        "'budget_exceeded', 'cancelled') AND NOT COALESCE(NEW.failure_category IN ('infrastructure', "
        "'rate_limited', 'workspace', 'validation', 'evaluation', 'setup', 'warmup'), 0)), infra_failed = "
        "infra_failed + (NEW.status NOT IN ('completed', 'budget_exceeded', 'cancelled') AND "
        "COALESCE(NEW.failure_category IN ('infrastructure', 'rate_limited', 'workspace', 'validation', "
        "'evaluation', 'setup', 'warmup'), 0)), scored = scored + (NEW.status NOT IN ('cancelled') AND "
        "NEW.weighted_score IS NOT NULL), evaluator_errors = evaluator_errors + (NEW.status NOT IN "
        "('cancelled') AND NEW.evaluator_errors > 0), total_scored = total_scored + (NEW.total_score IS NOT "
        "NULL), sum_total_score = sum_total_score + (COALESCE(NEW.total_score, 0)), sum_weighted = "
        "sum_weighted + (COALESCE(NEW.weighted_score, 0)), cost_runs = cost_runs + (NEW.cost_usd IS NOT "
        "NULL), sum_cost = sum_cost + (COALESCE(NEW.cost_usd, 0)) WHERE grp = 'all';\nEND"
    ),
    (
        "CREATE TRIGGER agg_totals_delete AFTER DELETE ON benchmark_runs WHEN (OLD.status NOT IN "
        "('cancelled')) BEGIN\n  UPDATE agg_totals SET runs = runs - (OLD.status NOT IN ('cancelled')), "
        "successful = successful - (OLD.status IN ('completed', 'budget_exceeded') AND OLD.is_successful = "
        "1), completed = completed - (OLD.status IN ('completed', 'budget_exceeded')), failed = failed - "
        "(OLD.status NOT IN ('completed', 'budget_exceeded', 'cancelled')), agent_failed = agent_failed - "
        "(OLD.status NOT IN ('completed', 'budget_exceeded', 'cancelled') AND NOT "
        "COALESCE(OLD.failure_category IN ('infrastructure', 'rate_limited', 'workspace', 'validation', "
        "'evaluation', 'setup', 'warmup'), 0)), infra_failed = infra_failed - (OLD.status NOT IN "
        "('completed', 'budget_exceeded', 'cancelled') AND COALESCE(OLD.failure_category IN "
        "('infrastructure', 'rate_limited', 'workspace', 'validation', 'evaluation', 'setup', 'warmup'), 0)), "
        "scored = scored - (OLD.status NOT IN ('cancelled') AND OLD.weighted_score IS NOT NULL), "
        "evaluator_errors = evaluator_errors - (OLD.status NOT IN ('cancelled') AND OLD.evaluator_errors > "
        "0), total_scored = total_scored - (OLD.total_score IS NOT NULL), sum_total_score = sum_total_score - "
        "(COALESCE(OLD.total_score, 0)), sum_weighted = sum_weighted - (COALESCE(OLD.weighted_score, 0)), "
        "cost_runs = cost_runs - (OLD.cost_usd IS NOT NULL), sum_cost = sum_cost - (COALESCE(OLD.cost_usd, "
        "0)) WHERE grp = 'all';\nEND"
    ),
    (
        "INSERT INTO agg_totals (grp, runs, successful, completed, failed, agent_failed, infra_failed, "
        "scored, evaluator_errors, total_scored, sum_total_score, sum_weighted, cost_runs, sum_cost) SELECT "
        "'all', SUM((benchmark_runs.status NOT IN ('cancelled'))), SUM((benchmark_runs.status IN "
        "('completed', 'budget_exceeded') AND benchmark_runs.is_successful = 1)), SUM((benchmark_runs.status "
        "IN ('completed', 'budget_exceeded'))), SUM((benchmark_runs.status NOT IN ('completed', "
        "'budget_exceeded', 'cancelled'))), SUM((benchmark_runs.status NOT IN ('completed', "
        "'budget_exceeded', 'cancelled') AND NOT COALESCE(benchmark_runs.failure_category IN "
        "('infrastructure', 'rate_limited', 'workspace', 'validation', 'evaluation', 'setup', 'warmup'), "
        "0))), SUM((benchmark_runs.status NOT IN ('completed', 'budget_exceeded', 'cancelled') AND "
        "COALESCE(benchmark_runs.failure_category IN ('infrastructure', 'rate_limited', 'workspace', "
        "'validation', 'evaluation', 'setup', 'warmup'), 0))), SUM((benchmark_runs.status NOT IN "
        "('cancelled') AND benchmark_runs.weighted_score IS NOT NULL)), SUM((benchmark_runs.status NOT IN "
        "('cancelled') AND benchmark_runs.evaluator_errors > 0)), SUM((benchmark_runs.total_score IS NOT "
        "NULL)), SUM((COALESCE(benchmark_runs.total_score, 0))), SUM((COALESCE(benchmark_runs.weighted_score, "
        "0))), SUM((benchmark_runs.cost_usd IS NOT NULL)), SUM((COALESCE(benchmark_runs.cost_usd, 0))) FROM "
        "benchmark_runs WHERE (benchmark_runs.status NOT IN ('cancelled')) GROUP BY 'all'"
    ),
    "DROP TRIGGER IF EXISTS agg_agents_insert",
    "DROP TRIGGER IF EXISTS agg_agents_delete",
    "DROP TABLE IF EXISTS agg_agents",
    (
        "CREATE TABLE agg_agents (agent TEXT NOT NULL, model TEXT NOT NULL, runs INTEGER NOT NULL DEFAULT 0, "
        "successful INTEGER NOT NULL DEFAULT 0, completed INTEGER NOT NULL DEFAULT 0, failed INTEGER NOT NULL "
        "DEFAULT 0, agent_failed INTEGER NOT NULL DEFAULT 0, infra_failed INTEGER NOT NULL DEFAULT 0, scored "
        "INTEGER NOT NULL DEFAULT 0, evaluator_errors INTEGER NOT NULL DEFAULT 0, total_scored INTEGER NOT "
        "NULL DEFAULT 0, sum_total_score REAL NOT NULL DEFAULT 0, sum_weighted REAL NOT NULL DEFAULT 0, "
        "cost_runs INTEGER NOT NULL DEFAULT 0, sum_cost REAL NOT NULL DEFAULT 0, min_weighted REAL, "
        "max_weighted REAL, PRIMARY KEY (agent, model))"
    ),
    (
        "CREATE TRIGGER agg_agents_insert AFTER INSERT ON benchmark_runs WHEN (NEW.status NOT IN "
        "('cancelled')) BEGIN\n  INSERT INTO agg_agents (agent, model) VALUES (COALESCE(NEW.agent, ''), "
        "COALESCE(NEW.model, '')) ON CONFLICT DO NOTHING;\n  UPDATE agg_agents SET runs = runs + (NEW.status "
        "NOT IN ('cancelled')), successful = successful + (NEW.status IN ('completed', 'budget_exceeded') AND "
        "NEW.is_successful = 1), completed = completed + (NEW.status IN ('completed', 'budget_exceeded')), "
        "failed = failed + (NEW.status NOT IN ('completed', 'budget_exceeded', 'cancelled')), agent_failed = "
        "agent_failed + (NEW.status NOT IN ('completed', 'budget_exceeded', 'cancelled') AND NOT "
        "COALESCE(NEW.failure_category IN ('infrastructure', 'rate_limited', 'workspace', 'validation', "
        "'evaluation', 'setup', 'warmup'), 0)), infra_failed = infra_failed + (NEW.status NOT IN "
        "('completed', 'budget_exceeded', 'cancelled') AND COALESCE(NEW.failure_category IN "
        "('infrastructure', 'rate_limited', 'workspace', 'validation', 'evaluation', 'setup', 'warmup'), 0)), "
        "scored = scored + (NEW.status NOT IN ('cancelled') AND NEW.weighted_score IS NOT NULL), "
        "evaluator_errors = evaluator_errors + (NEW.status NOT IN ('cancelled') AND NEW.evaluator_errors > "
        "0), total_scored = total_scored + (NEW.total_score IS NOT NULL), sum_total_score = sum_total_score + "
        "(COALESCE(NEW.total_score, 0)), sum_weighted = sum_weighted + (COALESCE(NEW.weighted_score, 0)), "
        "cost_runs = cost_runs + (NEW.cost_usd IS NOT NULL), sum_cost = sum_cost + (COALESCE(NEW.cost_usd, "
        "0)), min_weighted = CASE WHEN NEW.weighted_score IS NULL THEN min_weighted ELSE "
        "MIN(COALESCE(min_weighted, NEW.weighted_score), NEW.weighted_score) END, max_weighted = CASE WHEN "
        "NEW.weighted_score IS NULL THEN max_weighted ELSE MAX(COALESCE(max_weighted, NEW.weighted_score), "
        "NEW.weighted_score) END WHERE agent = COALESCE(NEW.agent, '') AND model = COALESCE(NEW.model, "
        "'');\nEND"
    ),
    (
        "CREATE TRIGGER agg_agents_delete AFTER DELETE ON benchmark_runs WHEN (OLD.status NOT IN "
        "('cancelled')) BEGIN\n  UPDATE agg_agents SET runs = runs - (OLD.status NOT IN ('cancelled')), "
        "successful = successful - (OLD.status IN ('completed', 'budget_exceeded') AND OLD.is_successful = "
        "1), completed = completed - (OLD.status IN ('completed', 'budget_exceeded')), failed = failed - "
        "(OLD.status NOT IN ('completed', 'budget_exceeded', 'cancelled')), agent_failed = agent_failed - "
        "(OLD.status NOT IN ('completed', 'budget_exceeded', 'cancelled') AND NOT "
        "COALESCE(OLD.failure_category IN ('infrastructure', 'rate_limited', 'workspace', 'validation', "
        "'evaluation', 'setup', 'warmup'), 0)), infra_failed = infra_failed - (OLD.status NOT IN "
        "('completed', 'budget_exceeded', 'cancelled') AND COALESCE(OLD.failure_category IN "
        "('infrastructure', 'rate_limited', 'workspace', 'validation', 'evaluation', 'setup', 'warmup'), 0)), "
        "scored = scored - (OLD.status NOT IN ('cancelled') AND OLD.weighted_score IS NOT NULL), "
        "evaluator_errors = evaluator_errors - (OLD.status NOT IN ('cancelled') AND OLD.evaluator_errors > "
        "0), total_scored = total_scored - (OLD.total_score IS NOT NULL), sum_total_score = sum_total_score - "
        "(COALESCE(OLD.total_score, 0)), sum_weighted = sum_weighted - (COALESCE(OLD.weighted_score, 0)), "
        "cost_runs = cost_runs - (OLD.cost_usd IS NOT NULL), sum_cost = sum_cost - (COALESCE(OLD.cost_usd, "
        "0)), min_weighted = (SELECT MIN(weighted_score) FROM benchmark_runs r WHERE r.agent IS OLD.agent AND "
        "r.model IS OLD.model AND (r.status NOT IN ('cancelled'))), max_weighted = (SELECT "
        "MAX(weighted_score) FROM benchmark_runs r WHERE r.agent IS OLD.agent AND r.model IS OLD.model AND "
        "(r.status NOT IN ('cancelled'))) WHERE agent = COALESCE(OLD.agent, '') AND model = "
        "COALESCE(OLD.model, '');\nEND"
    ),
    (
        "INSERT INTO agg_agents (agent, model, runs, successful, completed, failed, agent_failed, "
        "infra_failed, scored, evaluator_errors, total_scored, sum_total_score, sum_weighted, cost_runs, "
        "sum_cost, min_weighted, max_weighted) SELECT COALESCE(benchmark_runs.agent, ''), "
        "COALESCE(benchmark_runs.model, ''), SUM((benchmark_runs.status NOT IN ('cancelled'))), "
        "SUM((benchmark_runs.status IN ('completed', 'budget_exceeded') AND benchmark_runs.is_successful = "
        "1)), SUM((benchmark_runs.status IN ('completed', 'budget_exceeded'))), SUM((benchmark_runs.status "
        "NOT IN ('completed', 'budget_exceeded', 'cancelled'))), SUM((benchmark_runs.status NOT IN "
        "('completed', 'budget_exceeded', 'cancelled') AND NOT COALESCE(benchmark_runs.failure_category IN "
        "('infrastructure', 'rate_limited', 'workspace', 'validation', 'evaluation', 'setup', 'warmup'), "
        "0))), SUM((benchmark_runs.status NOT IN ('completed', 'budget_exceeded', 'cancelled') AND "
        "COALESCE(benchmark_runs.failure_category IN ('infrastructure', 'rate_limited', 'workspace', "
        "'validation', 'evaluation', 'setup', 'warmup'), 0))), SUM((benchmark_runs.status NOT IN "
        "('cancelled') AND benchmark_runs.weighted_score IS NOT NULL)), SUM((benchmark_runs.status NOT IN "
        "('cancelled') AND benchmark_runs.evaluator_errors > 0)), SUM((benchmark_runs.total_score IS NOT "
        "NULL)), SUM((COALESCE(benchmark_runs.total_score, 0))), SUM((COALESCE(benchmark_runs.weighted_score, "
        "0))), SUM((benchmark_runs.cost_usd IS NOT NULL)), SUM((COALESCE(benchmark_runs.cost_usd, 0))), "
        "MIN(weighted_score), MAX(weighted_score) FROM benchmark_runs WHERE (benchmark_runs.status NOT IN "
        "('cancelled')) GROUP BY COALESCE(benchmark_runs.agent, ''), COALESCE(benchmark_runs.model, '')"
    ),
    (
        'CREATE INDEX IF NOT EXISTS "idx_benchmark_runs_agent_model_weighted_score" ON "benchmark_runs" '
        "(agent, model, weighted_score)"
    ),
    "DROP TRIGGER IF EXISTS agg_scenarios_insert",
    "DROP TRIGGER IF EXISTS agg_scenarios_delete",
    "DROP TABLE IF EXISTS agg_scenarios",
    (
        "CREATE TABLE agg_scenarios (suite TEXT NOT NULL, scenario TEXT NOT NULL, tier TEXT NOT NULL, runs "
        "INTEGER NOT NULL DEFAULT 0, successful INTEGER NOT NULL DEFAULT 0, completed INTEGER NOT NULL "
        "DEFAULT 0, failed INTEGER NOT NULL DEFAULT 0, agent_failed INTEGER NOT NULL DEFAULT 0, infra_failed "
        "INTEGER NOT NULL DEFAULT 0, scored INTEGER NOT NULL DEFAULT 0, evaluator_errors INTEGER NOT NULL "
        "DEFAULT 0, total_scored INTEGER NOT NULL DEFAULT 0, sum_total_score REAL NOT NULL DEFAULT 0, "
        "sum_weighted REAL NOT NULL DEFAULT 0, cost_runs INTEGER NOT NULL DEFAULT 0, sum_cost REAL NOT NULL "
        "DEFAULT 0, min_weighted REAL, max_weighted REAL, PRIMARY KEY (suite, scenario, tier))"
    ),
    (
        "CREATE TRIGGER agg_scenarios_insert AFTER INSERT ON benchmark_runs WHEN (NEW.status NOT IN "
        "('cancelled')) BEGIN\n  INSERT INTO agg_scenarios (suite, scenario, tier) VALUES (COALESCE(NEW.suite, "
        "''), COALESCE(NEW.scenario, ''), COALESCE(NEW.tier, '')) ON CONFLICT DO NOTHING;\n  UPDATE "
        "agg_scenarios SET runs = runs + (NEW.status NOT IN ('cancelled')), successful = successful + "
        "(NEW.status IN ('completed', 'budget_exceeded') AND NEW.is_successful = 1), completed = completed + "
        "(NEW.status IN ('completed', 'budget_exceeded')), failed = failed + (NEW.status NOT IN ('completed', "
        "'budget_exceeded', 'cancelled')), agent_failed = agent_failed + (NEW.status NOT IN ('completed', "
        "'budget_exceeded', 'cancelled') AND NOT COALESCE(NEW.failure_category IN ('infrastructure', "
        "'rate_limited', 'workspace', 'validation', 'evaluation', 'setup', 'warmup'), 0)), infra_failed = "
        "infra_failed + (NEW.status NOT IN ('completed', 'budget_exceeded', 'cancelled') AND "
        "COALESCE(NEW.failure_category IN ('infrastructure', 'rate_limited', 'workspace', 'validation', "
        "'evaluation', 'setup', 'warmup'), 0)), scored = scored + (NEW.status NOT IN ('cancelled') AND "
        "NEW.weighted_score IS NOT NULL), evaluator_errors = evaluator_errors + (NEW.status NOT IN "
        "('cancelled') AND NEW.evaluator_errors > 0), total_scored = total_scored + (NEW.total_score IS NOT "
        "NULL), sum_total_score = sum_total_score + (COALESCE(NEW.total_score, 0)), sum_weighted = "
        "sum_weighted + (COALESCE(NEW.weighted_score, 0)), cost_runs = cost_runs + (NEW.cost_usd IS NOT "
        "NULL), sum_cost = sum_cost + (COALESCE(NEW.cost_usd, 0)), min_weighted = CASE WHEN "
        "NEW.weighted_score IS NULL THEN min_weighted ELSE MIN(COALESCE(min_weighted, NEW.weighted_score), "
        "NEW.weighted_score) END, max_weighted = CASE WHEN NEW.weighted_score IS NULL THEN max_weighted ELSE "
        "MAX(COALESCE(max_weighted, NEW.weighted_score), NEW.weighted_score) END WHERE suite = "
        "COALESCE(NEW.suite, '') AND scenario = COALESCE(NEW.scenario, '') AND tier = COALESCE(NEW.tier, "
        "'');\nEND"
    ),
    (
        "CREATE TRIGGER agg_scenarios_delete AFTER DELETE ON benchmark_runs WHEN (OLD.status NOT IN "
        "('cancelled')) BEGIN\n  UPDATE agg_scenarios SET runs = runs - (OLD.status NOT IN ('cancelled')), "
        "successful = successful - (OLD.status IN ('completed', 'budget_exceeded') AND OLD.is_successful = "
        "1), completed = completed - (OLD.status IN ('completed', 'budget_exceeded')), failed = failed - "
        "(OLD.status NOT IN ('completed', 'budget_exceeded', 'cancelled')), agent_failed = agent_failed - "
        "(OLD.status NOT IN ('completed', 'budget_exceeded', 'cancelled') AND NOT "
        "COALESCE(OLD.failure_category IN ('infrastructure', 'rate_limited', 'workspace', 'validation', "
        "'evaluation', 'setup', 'warmup'), 0)), infra_failed = infra_failed - (OLD.status NOT IN "
        "('completed', 'budget_exceeded', 'cancelled') AND COALESCE(OLD.failure_category IN "
        "('infrastructure', 'rate_limited', 'workspace', 'validation', 'evaluation', 'setup', 'warmup'), 0)), "
        "scored = scored - (OLD.status NOT IN ('cancelled') AND OLD.weighted_score IS NOT NULL), "
        "evaluator_errors = evaluator_errors - (OLD.status NOT IN ('cancelled') AND OLD.evaluator_errors > "
        "0), total_scored = total_scored - (OLD.total_score IS NOT NULL), sum_total_score = sum_total_score - "
        "(COALESCE(OLD.total_score, 0)), sum_weighted = sum_weighted - (COALESCE(OLD.weighted_score, 0)), "
        "cost_runs = cost_runs - (OLD.cost_usd IS NOT NULL), sum_cost = sum_cost - (COALESCE(OLD.cost_usd, "
        "0)), min_weighted = (SELECT MIN(weighted_score) FROM benchmark_runs r WHERE r.suite IS OLD.suite AND "
        "r.scenario IS OLD.scenario AND r.tier IS OLD.tier AND (r.status NOT IN ('cancelled'))), max_weighted "
        "= (SELECT MAX(weighted_score) FROM benchmark_runs r WHERE r.suite IS OLD.suite AND r.scenario IS "
        "OLD.scenario AND r.tier IS OLD.tier AND (r.status NOT IN ('cancelled'))) WHERE suite = "
        "COALESCE(OLD.suite, '') AND scenario = COALESCE(OLD.scenario, '') AND tier = COALESCE(OLD.tier, "
        "'');\nEND"
    ),
    (
        "INSERT INTO agg_scenarios (suite, scenario, tier, runs, successful, completed, failed, agent_failed, "
        "infra_failed, scored, evaluator_errors, total_scored, sum_total_score, sum_weighted, cost_runs, "
        "sum_cost, min_weighted, max_weighted) SELECT COALESCE(benchmark_runs.suite, ''), "
        "COALESCE(benchmark_runs.scenario, ''), COALESCE(benchmark_runs.tier, ''), SUM((benchmark_runs.status "
        "NOT IN ('cancelled'))), SUM((benchmark_runs.status IN ('completed', 'budget_exceeded') AND "
        "benchmark_runs.is_successful = 1)), SUM((benchmark_runs.status IN ('completed', "
        "'budget_exceeded'))), SUM((benchmark_runs.status NOT IN ('completed', 'budget_exceeded', "
        "'cancelled'))), SUM((benchmark_runs.status NOT IN ('completed', 'budget_exceeded', 'cancelled') AND "
        "NOT COALESCE(benchmark_runs.failure_category IN ('infrastructure', 'rate_limited', 'workspace', "
        "'validation', 'evaluation', 'setup', 'warmup'), 0))), SUM((benchmark_runs.status NOT IN "
        "('completed', 'budget_exceeded', 'cancelled') AND COALESCE(benchmark_runs.failure_category IN "
        "('infrastructure', 'rate_limited', 'workspace', 'validation', 'evaluation', 'setup', 'warmup'), "
        "0))), SUM((benchmark_runs.status NOT IN ('cancelled') AND benchmark_runs.weighted_score IS NOT "
        "NULL)), SUM((benchmark_runs.status NOT IN ('cancelled') AND benchmark_runs.evaluator_errors > 0)), "
        "SUM((benchmark_runs.total_score IS NOT NULL)), SUM((COALESCE(benchmark_runs.total_score, 0))), "
        "SUM((COALESCE(benchmark_runs.weighted_score, 0))), SUM((benchmark_runs.cost_usd IS NOT NULL)), "
        "SUM((COALESCE(benchmark_runs.cost_usd, 0))), MIN(weighted_score), MAX(weighted_score) FROM "
        "benchmark_runs WHERE (benchmark_runs.status NOT IN ('cancelled')) GROUP BY "
        "COALESCE(benchmark_runs.suite, ''), COALESCE(benchmark_runs.scenario, ''), "
        "COALESCE(benchmark_runs.tier, '')"
    ),
    (
        'CREATE INDEX IF NOT EXISTS "idx_benchmark_runs_suite_scenario_tier_weighted_score" ON '
        '"benchmark_runs" (suite, scenario, tier, weighted_score)'
    ),
    "DROP TRIGGER IF EXISTS agg_items_insert",
    "DROP TRIGGER IF EXISTS agg_items_delete",
    "DROP TABLE IF EXISTS agg_items",
    (
        "CREATE TABLE agg_items (agent TEXT NOT NULL, model TEXT NOT NULL, suite TEXT NOT NULL, scenario TEXT "
        "NOT NULL, tier TEXT NOT NULL, runs INTEGER NOT NULL DEFAULT 0, successful INTEGER NOT NULL DEFAULT "
        "0, completed INTEGER NOT NULL DEFAULT 0, failed INTEGER NOT NULL DEFAULT 0, agent_failed INTEGER NOT "
        "NULL DEFAULT 0, infra_failed INTEGER NOT NULL DEFAULT 0, scored INTEGER NOT NULL DEFAULT 0, "
        "evaluator_errors INTEGER NOT NULL DEFAULT 0, total_scored INTEGER NOT NULL DEFAULT 0, "
        "sum_total_score REAL NOT NULL DEFAULT 0, sum_weighted REAL NOT NULL DEFAULT 0, cost_runs INTEGER NOT "
        "NULL DEFAULT 0, sum_cost REAL NOT NULL DEFAULT 0, PRIMARY KEY (agent, model, suite, scenario, tier))"
    ),
    (
        "CREATE TRIGGER agg_items_insert AFTER INSERT ON benchmark_runs WHEN (NEW.status NOT IN "
        "('cancelled')) BEGIN\n  INSERT INTO agg_items (agent, model, suite, scenario, tier) VALUES "
        "(COALESCE(NEW.agent, ''), COALESCE(NEW.model, ''), COALESCE(NEW.suite, ''), COALESCE(NEW.scenario, "
        "''), COALESCE(NEW.tier, '')) ON CONFLICT DO NOTHING;\n  UPDATE agg_items SET runs = runs + "
        "(NEW.status NOT IN ('cancelled')), successful = successful + (NEW.status IN ('completed', "
        "'budget_exceeded') AND NEW.is_successful = 1), completed = completed + (NEW.status IN ('completed', "
        "'budget_exceeded')), failed = failed + (NEW.status NOT IN ('completed', 'budget_exceeded', "
        "'cancelled')), agent_failed = agent_failed + (NEW.status NOT IN ('completed', 'budget_exceeded', "
        "'cancelled') AND NOT COALESCE(NEW.failure_category IN ('infrastructure', 'rate_limited', "
        "'workspace', 'validation', 'evaluation', 'setup', 'warmup'), 0)), infra_failed = infra_failed + "
        "(NEW.status NOT IN ('completed', 'budget_exceeded', 'cancelled') AND COALESCE(NEW.failure_category "
        "IN ('infrastructure', 'rate_limited', 'workspace', 'validation', 'evaluation', 'setup', 'warmup'), "
        "0)), scored = scored + (NEW.status NOT IN ('cancelled') AND NEW.weighted_score IS NOT NULL), "
        "evaluator_errors = evaluator_errors + (NEW.status NOT IN ('cancelled') AND NEW.evaluator_errors > "
        "0), total_scored = total_scored + (NEW.total_score IS NOT NULL), sum_total_score = sum_total_score + "
        "(COALESCE(NEW.total_score, 0)), sum_weighted = sum_weighted + (COALESCE(NEW.weighted_score, 0)), "
        "cost_runs = cost_runs + (NEW.cost_usd IS NOT NULL), sum_cost = sum_cost + (COALESCE(NEW.cost_usd, "
        "0)) WHERE agent = COALESCE(NEW.agent, '') AND model = COALESCE(NEW.model, '') AND suite = "
        "COALESCE(NEW.suite, '') AND scenario = COALESCE(NEW.scenario, '') AND tier = COALESCE(NEW.tier, "
        "'');\nEND"
    ),
    (
        "CREATE TRIGGER agg_items_delete AFTER DELETE ON benchmark_runs WHEN (OLD.status NOT IN "
        "('cancelled')) BEGIN\n  UPDATE agg_items SET runs = runs - (OLD.status NOT IN ('cancelled')), "
        "successful = successful - (OLD.status IN ('completed', 'budget_exceeded') AND OLD.is_successful = "
        "1), completed = completed - (OLD.status IN ('completed', 'budget_exceeded')), failed = failed - "
        "(OLD.status NOT IN ('completed', 'budget_exceeded', 'cancelled')), agent_failed = agent_failed - "
        "(OLD.status NOT IN ('completed', 'budget_exceeded', 'cancelled') AND NOT "
        "COALESCE(OLD.failure_category IN ('infrastructure', 'rate_limited', 'workspace', 'validation', "
        "'evaluation', 'setup', 'warmup'), 0)), infra_failed = infra_failed - (OLD.status NOT IN "
        "('completed', 'budget_exceeded', 'cancelled') AND COALESCE(OLD.failure_category IN "
        "('infrastructure', 'rate_limited', 'workspace', 'validation', 'evaluation', 'setup', 'warmup'), 0)), "
        "scored = scored - (OLD.status NOT IN ('cancelled') AND OLD.weighted_score IS NOT NULL), "
        "evaluator_errors = evaluator_errors - (OLD.status NOT IN ('cancelled') AND OLD.evaluator_errors > "
        "0), total_scored = total_scored - (OLD.total_score IS NOT NULL), sum_total_score = sum_total_score - "
        "(COALESCE(OLD.total_score, 0)), sum_weighted = sum_weighted - (COALESCE(OLD.weighted_score, 0)), "
        "cost_runs = cost_runs - (OLD.cost_usd IS NOT NULL), sum_cost = sum_cost - (COALESCE(OLD.cost_usd, "
        "0)) WHERE agent = COALESCE(OLD.agent, '') AND model = COALESCE(OLD.model, '') AND suite = "
        "COALESCE(OLD.suite, '') AND scenario = COALESCE(OLD.scenario, '') AND tier = COALESCE(OLD.tier, "
        "'');\nEND"
    ),
    (
        "INSERT INTO agg_items (agent, model, suite, scenario, tier, runs, successful, completed, failed, "
        "agent_failed, infra_failed, scored, evaluator_errors, total_scored, sum_total_score, sum_weighted, "
        "cost_runs, sum_cost) SELECT COALESCE(benchmark_runs.agent, ''), COALESCE(benchmark_runs.model, ''), "
        "COALESCE(benchmark_runs.suite, ''), COALESCE(benchmark_runs.scenario, ''), "
        "COALESCE(benchmark_runs.tier, ''), SUM((benchmark_runs.status NOT IN ('cancelled'))), "
        "SUM((benchmark_runs.status IN ('completed', 'budget_exceeded') AND benchmark_runs.is_successful = "
        "1)), SUM((benchmark_runs.status IN ('completed', 'budget_exceeded'))), SUM((benchmark_runs.status "
        "NOT IN ('completed', 'budget_exceeded', 'cancelled'))), SUM((benchmark_runs.status NOT IN "
        "('completed', 'budget_exceeded', 'cancelled') AND NOT COALESCE(benchmark_runs.failure_category IN "
        "('infrastructure', 'rate_limited', 'workspace', 'validation', 'evaluation', 'setup', 'warmup'), "
        "0))), SUM((benchmark_runs.status NOT IN ('completed', 'budget_exceeded', 'cancelled') AND "
        "COALESCE(benchmark_runs.failure_category IN ('infrastructure', 'rate_limited', 'workspace', "
        "'validation', 'evaluation', 'setup', 'warmup'), 0))), SUM((benchmark_runs.status NOT IN "
        "('cancelled') AND benchmark_runs.weighted_score IS NOT NULL)), SUM((benchmark_runs.status NOT IN "
        "('cancelled') AND benchmark_runs.evaluator_errors > 0)), SUM((benchmark_runs.total_score IS NOT "
        "NULL)), SUM((COALESCE(benchmark_runs.total_score, 0))), SUM((COALESCE(benchmark_runs.weighted_score, "
        "0))), SUM((benchmark_runs.cost_usd IS NOT NULL)), SUM((COALESCE(benchmark_runs.cost_usd, 0))) FROM "
        "benchmark_runs WHERE (benchmark_runs.status NOT IN ('cancelled')) GROUP BY "
        "COALESCE(benchmark_runs.agent, ''), COALESCE(benchmark_runs.model, ''), "
        "COALESCE(benchmark_runs.suite, ''), COALESCE(benchmark_runs.scenario, ''), "
        "COALESCE(benchmark_runs.tier, '')"
    ),
    "DROP TRIGGER IF EXISTS agg_status_agents_insert",
    "DROP TRIGGER IF EXISTS agg_status_agents_delete",
    "DROP TABLE IF EXISTS agg_status_agents",
    (
        "CREATE TABLE agg_status_agents (agent TEXT NOT NULL, status TEXT NOT NULL, is_successful INTEGER NOT "
        "NULL, runs INTEGER NOT NULL DEFAULT 0, successful INTEGER NOT NULL DEFAULT 0, completed INTEGER NOT "
        "NULL DEFAULT 0, failed INTEGER NOT NULL DEFAULT 0, agent_failed INTEGER NOT NULL DEFAULT 0, "
        "infra_failed INTEGER NOT NULL DEFAULT 0, scored INTEGER NOT NULL DEFAULT 0, evaluator_errors INTEGER "
        "NOT NULL DEFAULT 0, total_scored INTEGER NOT NULL DEFAULT 0, sum_total_score REAL NOT NULL DEFAULT "
        "0, sum_weighted REAL NOT NULL DEFAULT 0, cost_runs INTEGER NOT NULL DEFAULT 0, sum_cost REAL NOT "
        "NULL DEFAULT 0, min_weighted REAL, max_weighted REAL, PRIMARY KEY (agent, status, is_successful))"
    ),
    (
        "CREATE TRIGGER agg_status_agents_insert AFTER INSERT ON benchmark_runs WHEN (NEW.status NOT IN "
        "('cancelled')) BEGIN\n  INSERT INTO agg_status_agents (agent, status, is_successful) VALUES "
        "(COALESCE(NEW.agent, ''), COALESCE(NEW.status, ''), COALESCE(NEW.is_successful, 0)) ON CONFLICT DO "
        "NOTHING;\n  UPDATE agg_status_agents SET runs = runs + (NEW.status NOT IN ('cancelled')), successful "
        "= successful + (NEW.status IN ('completed', 'budget_exceeded') AND NEW.is_successful = 1), completed "
        "= completed + (NEW.status IN ('completed', 'budget_exceeded')), failed = failed + (NEW.status NOT IN "
        "('completed', 'budget_exceeded', 'cancelled')), agent_failed = agent_failed + (NEW.status NOT IN "
        "('completed', 'budget_exceeded', 'cancelled') AND NOT COALESCE(NEW.failure_category IN "
        "('infrastructure', 'rate_limited', 'workspace', 'validation', 'evaluation', 'setup', 'warmup'), 0)), "
        "infra_failed = infra_failed + (NEW.status NOT IN ('completed', 'budget_exceeded', 'cancelled') AND "
        "COALESCE(NEW.failure_category IN ('infrastructure', 'rate_limited', 'workspace', 'validation', "
        "'evaluation', 'setup', 'warmup'), 0)), scored = scored + (NEW.status NOT IN ('cancelled') AND "
        "NEW.weighted_score IS NOT NULL), evaluator_errors = evaluator_errors + (NEW.status NOT IN "
        "('cancelled') AND NEW.evaluator_errors > 0), total_scored = total_scored + (NEW.total_score IS NOT "
        "NULL), sum_total_score = sum_total_score + (COALESCE(NEW.total_score, 0)), sum_weighted = "
        "sum_weighted + (COALESCE(NEW.weighted_score, 0)), cost_runs = cost_runs + (NEW.cost_usd IS NOT "
        "NULL), sum_cost = sum_cost + (COALESCE(NEW.cost_usd, 0)), min_weighted = CASE WHEN "
        "NEW.weighted_score IS NULL THEN min_weighted ELSE MIN(COALESCE(min_weighted, NEW.weighted_score), "
        "NEW.weighted_score) END, max_weighted = CASE WHEN NEW.weighted_score IS NULL THEN max_weighted ELSE "
        "MAX(COALESCE(max_weighted, NEW.weighted_score), NEW.weighted_score) END WHERE agent = "
        "COALESCE(NEW.agent, '') AND status = COALESCE(NEW.status, '') AND is_successful = "
        "COALESCE(NEW.is_successful, 0);\nEND"
    ),
    (
        "CREATE TRIGGER agg_status_agents_delete AFTER DELETE ON benchmark_runs WHEN (OLD.status NOT IN "
        "('cancelled')) BEGIN\n  UPDATE agg_status_agents SET runs = runs - (OLD.status NOT IN ('cancelled')), "
        "successful = successful - (OLD.status IN ('completed', 'budget_exceeded') AND OLD.is_successful = "
        "1), completed = completed - (OLD.status IN ('completed', 'budget_exceeded')), failed = failed - "
        "(OLD.status NOT IN ('completed', 'budget_exceeded', 'cancelled')), agent_failed = agent_failed - "
        "(OLD.status NOT IN ('completed', 'budget_exceeded', 'cancelled') AND NOT "
        "COALESCE(OLD.failure_category IN ('infrastructure', 'rate_limited', 'workspace', 'validation', "
        "'evaluation', 'setup', 'warmup'), 0)), infra_failed = infra_failed - (OLD.status NOT IN "
        "('completed', 'budget_exceeded', 'cancelled') AND COALESCE(OLD.failure_category IN "
        "('infrastructure', 'rate_limited', 'workspace', 'validation', 'evaluation', 'setup', 'warmup'), 0)), "
        "scored = scored - (OLD.status NOT IN ('cancelled') AND OLD.weighted_score IS NOT NULL), "
        "evaluator_errors = evaluator_errors - (OLD.status NOT IN ('cancelled') AND OLD.evaluator_errors > "
        "0), total_scored = total_scored - (OLD.total_score IS NOT NULL), sum_total_score = sum_total_score - "
        "(COALESCE(OLD.total_score, 0)), sum_weighted = sum_weighted - (COALESCE(OLD.weighted_score, 0)), "
        "cost_runs = cost_runs - (OLD.cost_usd IS NOT NULL), sum_cost = sum_cost - (COALESCE(OLD.cost_usd, "
        "0)), min_weighted = (SELECT MIN(weighted_score) FROM benchmark_runs r WHERE r.agent IS OLD.agent AND "
        "r.status IS OLD.status AND r.is_successful IS OLD.is_successful AND (r.status NOT IN "
        "('cancelled'))), max_weighted = (SELECT MAX(weighted_score) FROM benchmark_runs r WHERE r.agent IS "
        "OLD.agent AND r.status IS OLD.status AND r.is_successful IS OLD.is_successful AND (r.status NOT IN "
        "('cancelled'))) WHERE agent = COALESCE(OLD.agent, '') AND status = COALESCE(OLD.status, '') AND "
        "is_successful = COALESCE(OLD.is_successful, 0);\nEND"
    ),
    (
        "INSERT INTO agg_status_agents (agent, status, is_successful, runs, successful, completed, failed, "
        "agent_failed, infra_failed, scored, evaluator_errors, total_scored, sum_total_score, sum_weighted, "
        "cost_runs, sum_cost, min_weighted, max_weighted) SELECT COALESCE(benchmark_runs.agent, ''), "
        "COALESCE(benchmark_runs.status, ''), COALESCE(benchmark_runs.is_successful, 0), "
        "SUM((benchmark_runs.status NOT IN ('cancelled'))), SUM((benchmark_runs.status IN ('completed', "
        "'budget_exceeded') AND benchmark_runs.is_successful = 1)), SUM((benchmark_runs.status IN "
        "('completed', 'budget_exceeded'))), SUM((benchmark_runs.status NOT IN ('completed', "
        "'budget_exceeded', 'cancelled'))), SUM((benchmark_runs.status NOT IN ('completed', "
        "'budget_exceeded', 'cancelled') AND NOT COALESCE(benchmark_runs.failure_category IN "
        "('infrastructure', 'rate_limited', 'workspace', 'validation', 'evaluation', 'setup', 'warmup'), "
        "0))), SUM((benchmark_runs.status NOT IN ('completed', 'budget_exceeded', 'cancelled') AND "
        "COALESCE(benchmark_runs.failure_category IN ('infrastructure', 'rate_limited', 'workspace', "
        "'validation', 'evaluation', 'setup', 'warmup'), 0))), SUM((benchmark_runs.status NOT IN "
        "('cancelled') AND benchmark_runs.weighted_score IS NOT NULL)), SUM((benchmark_runs.status NOT IN "
        "('cancelled') AND benchmark_runs.evaluator_errors > 0)), SUM((benchmark_runs.total_score IS NOT "
        "NULL)), SUM((COALESCE(benchmark_runs.total_score, 0))), SUM((COALESCE(benchmark_runs.weighted_score, "
        "0))), SUM((benchmark_runs.cost_usd IS NOT NULL)), SUM((COALESCE(benchmark_runs.cost_usd, 0))), "
        "MIN(weighted_score), MAX(weighted_score) FROM benchmark_runs WHERE (benchmark_runs.status NOT IN "
        "('cancelled')) GROUP BY COALESCE(benchmark_runs.agent, ''), COALESCE(benchmark_runs.status, ''), "
        "COALESCE(benchmark_runs.is_successful, 0)"
    ),
    (
        'CREATE INDEX IF NOT EXISTS "idx_benchmark_runs_agent_status_is_successful_weighted_score" ON '
        '"benchmark_runs" (agent, status, is_successful, weighted_score)'
    ),
    (
        "UPDATE batch_runs SET total_runs = agg.total_runs, successful_runs = agg.successful_runs, "
        "failed_runs = agg.failed_runs, agent_failed_runs = agg.agent_failed_runs, infra_failed_runs = "
        "agg.infra_failed_runs, scored_runs = agg.scored_runs, evaluator_error_runs = "
        "agg.evaluator_error_runs, avg_score = agg.avg_score, avg_weighted_score = agg.avg_weighted_score, "
        "cancelled_runs = agg.cancelled_runs FROM (SELECT batch_id, COALESCE(SUM((benchmark_runs.status NOT "
        "IN ('cancelled'))) FILTER (WHERE (benchmark_runs.status NOT IN ('cancelled'))), 0) AS total_runs, "
        "COALESCE(SUM((benchmark_runs.status IN ('completed', 'budget_exceeded') AND "
        "benchmark_runs.is_successful = 1)) FILTER (WHERE (benchmark_runs.status NOT IN ('cancelled'))), 0) "
        "AS successful_runs, COALESCE(SUM((benchmark_runs.status NOT IN ('completed', 'budget_exceeded', "
        "'cancelled'))) FILTER (WHERE (benchmark_runs.status NOT IN ('cancelled'))), 0) AS failed_runs, "
        "COALESCE(SUM((benchmark_runs.status NOT IN ('completed', 'budget_exceeded', 'cancelled') AND NOT "
        "COALESCE(benchmark_runs.failure_category IN ('infrastructure', 'rate_limited', 'workspace', "
        "'validation', 'evaluation', 'setup', 'warmup'), 0))) FILTER (WHERE (benchmark_runs.status NOT IN "
        "('cancelled'))), 0) AS agent_failed_runs, COALESCE(SUM((benchmark_runs.status NOT IN ('completed', "
        "'budget_exceeded', 'cancelled') AND COALESCE(benchmark_runs.failure_category IN ('infrastructure', "
        "'rate_limited', 'workspace', 'validation', 'evaluation', 'setup', 'warmup'), 0))) FILTER (WHERE "
        "(benchmark_runs.status NOT IN ('cancelled'))), 0) AS infra_failed_runs, "
        "COALESCE(SUM((benchmark_runs.status NOT IN ('cancelled') AND benchmark_runs.weighted_score IS NOT "
        "NULL)) FILTER (WHERE (benchmark_runs.status NOT IN ('cancelled'))), 0) AS scored_runs, "
        "COALESCE(SUM((benchmark_runs.status NOT IN ('cancelled') AND benchmark_runs.evaluator_errors > 0)) "
        "FILTER (WHERE (benchmark_runs.status NOT IN ('cancelled'))), 0) AS evaluator_error_runs, 1.0 * "
        "COALESCE(SUM((COALESCE(benchmark_runs.total_score, 0))) FILTER (WHERE (benchmark_runs.status NOT IN "
        "('cancelled'))), 0) / NULLIF(COALESCE(SUM((benchmark_runs.total_score IS NOT NULL)) FILTER (WHERE "
        "(benchmark_runs.status NOT IN ('cancelled'))), 0), 0) AS avg_score, 1.0 * "
        "COALESCE(SUM((COALESCE(benchmark_runs.weighted_score, 0))) FILTER (WHERE (benchmark_runs.status NOT "
        "IN ('cancelled'))), 0) / NULLIF(COALESCE(SUM((benchmark_runs.status NOT IN ('cancelled') AND "
        "benchmark_runs.weighted_score IS NOT NULL)) FILTER (WHERE (benchmark_runs.status NOT IN "
        "('cancelled'))), 0), 0) AS avg_weighted_score, COALESCE(SUM((benchmark_runs.status IN "
        "('cancelled'))), 0) AS cancelled_runs FROM benchmark_runs WHERE batch_id IS NOT NULL GROUP BY "
        "batch_id) AS agg WHERE batch_runs.batch_id = agg.batch_id"
    ),
)


@migrations()
def m011_sums_declared_once(db: sqlite_utils.Database) -> None:
    """Every count and sum from one declaration (issue 22: store.sql.SUMS, SUMMARIES, BATCH_FIGURES): the runs'
    evaluator errors recounted by the one rule (models.evaluator_errors: evaluators that failed and count, with a
    weight above 0 or as a gate); the five summary tables remade with the same sums (each gains what others kept:
    completed runs, agent and infrastructure failures, runs with evaluator errors, and the count of totalScores
    for the mean totalScore; agg_status_agents counts the counted runs, its queries reading completed ones only),
    their triggers and contents rebuilt; every batch's figures recomputed."""
    _execute(db, _M011)


#: The columns m012 adds before rebuilding the sums with them.
_M012_COLUMNS = (
    """ALTER TABLE "benchmark_runs" ADD COLUMN "findings" INTEGER NOT NULL DEFAULT 0;""",
    """ALTER TABLE "batch_runs" ADD COLUMN "finding_runs" INTEGER NOT NULL DEFAULT 0;""",
)
#: Generated by store.sql.summaries_sql (``python -m zebench.store``) from the declarations of its time and frozen
#: here; tests/test_schema_frozen.py checks the current declarations still generate it while it is the newest.
_M012 = (
    (
        "UPDATE benchmark_runs SET evaluator_errors = (SELECT COUNT(*) FROM evaluation_results e WHERE "
        "e.run_id = benchmark_runs.run_id AND e.error IS NOT NULL AND (e.weight > 0 OR e.evaluator_name IN "
        "('install', 'test', 'integrity_guard')))"
    ),
    (
        "UPDATE benchmark_runs SET findings = (SELECT COALESCE(SUM(CASE WHEN e.evaluator_name <> "
        "'integrity_guard' OR NOT json_valid(e.details) THEN 0 WHEN json_type(e.details, '$.findings') = "
        "'array' THEN json_array_length(e.details, '$.findings') ELSE 0 END), 0) FROM evaluation_results e "
        "WHERE e.run_id = benchmark_runs.run_id)"
    ),
    "DROP TRIGGER IF EXISTS agg_totals_insert",
    "DROP TRIGGER IF EXISTS agg_totals_delete",
    "DROP TABLE IF EXISTS agg_totals",
    (
        "CREATE TABLE agg_totals (grp TEXT NOT NULL, runs INTEGER NOT NULL DEFAULT 0, successful INTEGER NOT "
        "NULL DEFAULT 0, completed INTEGER NOT NULL DEFAULT 0, failed INTEGER NOT NULL DEFAULT 0, "
        "agent_failed INTEGER NOT NULL DEFAULT 0, infra_failed INTEGER NOT NULL DEFAULT 0, scored INTEGER NOT "
        "NULL DEFAULT 0, evaluator_errors INTEGER NOT NULL DEFAULT 0, findings INTEGER NOT NULL DEFAULT 0, "
        "total_scored INTEGER NOT NULL DEFAULT 0, sum_total_score REAL NOT NULL DEFAULT 0, sum_weighted REAL "
        "NOT NULL DEFAULT 0, cost_runs INTEGER NOT NULL DEFAULT 0, sum_cost REAL NOT NULL DEFAULT 0, PRIMARY "
        "KEY (grp))"
    ),
    (
        "CREATE TRIGGER agg_totals_insert AFTER INSERT ON benchmark_runs WHEN (NEW.status NOT IN "
        "('cancelled')) BEGIN\n  INSERT INTO agg_totals (grp) VALUES ('all') ON CONFLICT DO NOTHING;\n  UPDATE "
        "agg_totals SET runs = runs + (NEW.status NOT IN ('cancelled')), successful = successful + "
        "(NEW.status IN ('completed', 'budget_exceeded') AND NEW.is_successful = 1), completed = completed + "
        "(NEW.status IN ('completed', 'budget_exceeded')), failed = failed + (NEW.status NOT IN ('completed', "
        "'budget_exceeded', 'cancelled')), agent_failed = agent_failed + (NEW.status NOT IN ('completed', "
        "'budget_exceeded', 'cancelled') AND NOT COALESCE(NEW.failure_category IN ('infrastructure', "
        "'rate_limited', 'workspace', 'validation', 'evaluation', 'setup', 'warmup'), 0)), infra_failed = "
        "infra_failed + (NEW.status NOT IN ('completed', 'budget_exceeded', 'cancelled') AND "
        "COALESCE(NEW.failure_category IN ('infrastructure', 'rate_limited', 'workspace', 'validation', "
        "'evaluation', 'setup', 'warmup'), 0)), scored = scored + (NEW.status NOT IN ('cancelled') AND "
        "NEW.weighted_score IS NOT NULL), evaluator_errors = evaluator_errors + (NEW.status NOT IN "
        "('cancelled') AND NEW.evaluator_errors > 0), findings = findings + (NEW.status NOT IN ('cancelled') "
        "AND NEW.findings > 0), total_scored = total_scored + (NEW.total_score IS NOT NULL), sum_total_score "
        "= sum_total_score + (COALESCE(NEW.total_score, 0)), sum_weighted = sum_weighted + "
        "(COALESCE(NEW.weighted_score, 0)), cost_runs = cost_runs + (NEW.cost_usd IS NOT NULL), sum_cost = "
        "sum_cost + (COALESCE(NEW.cost_usd, 0)) WHERE grp = 'all';\nEND"
    ),
    (
        "CREATE TRIGGER agg_totals_delete AFTER DELETE ON benchmark_runs WHEN (OLD.status NOT IN "
        "('cancelled')) BEGIN\n  UPDATE agg_totals SET runs = runs - (OLD.status NOT IN ('cancelled')), "
        "successful = successful - (OLD.status IN ('completed', 'budget_exceeded') AND OLD.is_successful = "
        "1), completed = completed - (OLD.status IN ('completed', 'budget_exceeded')), failed = failed - "
        "(OLD.status NOT IN ('completed', 'budget_exceeded', 'cancelled')), agent_failed = agent_failed - "
        "(OLD.status NOT IN ('completed', 'budget_exceeded', 'cancelled') AND NOT "
        "COALESCE(OLD.failure_category IN ('infrastructure', 'rate_limited', 'workspace', 'validation', "
        "'evaluation', 'setup', 'warmup'), 0)), infra_failed = infra_failed - (OLD.status NOT IN "
        "('completed', 'budget_exceeded', 'cancelled') AND COALESCE(OLD.failure_category IN "
        "('infrastructure', 'rate_limited', 'workspace', 'validation', 'evaluation', 'setup', 'warmup'), 0)), "
        "scored = scored - (OLD.status NOT IN ('cancelled') AND OLD.weighted_score IS NOT NULL), "
        "evaluator_errors = evaluator_errors - (OLD.status NOT IN ('cancelled') AND OLD.evaluator_errors > "
        "0), findings = findings - (OLD.status NOT IN ('cancelled') AND OLD.findings > 0), total_scored = "
        "total_scored - (OLD.total_score IS NOT NULL), sum_total_score = sum_total_score - "
        "(COALESCE(OLD.total_score, 0)), sum_weighted = sum_weighted - (COALESCE(OLD.weighted_score, 0)), "
        "cost_runs = cost_runs - (OLD.cost_usd IS NOT NULL), sum_cost = sum_cost - (COALESCE(OLD.cost_usd, "
        "0)) WHERE grp = 'all';\nEND"
    ),
    (
        "INSERT INTO agg_totals (grp, runs, successful, completed, failed, agent_failed, infra_failed, "
        "scored, evaluator_errors, findings, total_scored, sum_total_score, sum_weighted, cost_runs, "
        "sum_cost) SELECT 'all', SUM((benchmark_runs.status NOT IN ('cancelled'))), "
        "SUM((benchmark_runs.status IN ('completed', 'budget_exceeded') AND benchmark_runs.is_successful = "
        "1)), SUM((benchmark_runs.status IN ('completed', 'budget_exceeded'))), SUM((benchmark_runs.status "
        "NOT IN ('completed', 'budget_exceeded', 'cancelled'))), SUM((benchmark_runs.status NOT IN "
        "('completed', 'budget_exceeded', 'cancelled') AND NOT COALESCE(benchmark_runs.failure_category IN "
        "('infrastructure', 'rate_limited', 'workspace', 'validation', 'evaluation', 'setup', 'warmup'), "
        "0))), SUM((benchmark_runs.status NOT IN ('completed', 'budget_exceeded', 'cancelled') AND "
        "COALESCE(benchmark_runs.failure_category IN ('infrastructure', 'rate_limited', 'workspace', "
        "'validation', 'evaluation', 'setup', 'warmup'), 0))), SUM((benchmark_runs.status NOT IN "
        "('cancelled') AND benchmark_runs.weighted_score IS NOT NULL)), SUM((benchmark_runs.status NOT IN "
        "('cancelled') AND benchmark_runs.evaluator_errors > 0)), SUM((benchmark_runs.status NOT IN "
        "('cancelled') AND benchmark_runs.findings > 0)), SUM((benchmark_runs.total_score IS NOT NULL)), "
        "SUM((COALESCE(benchmark_runs.total_score, 0))), SUM((COALESCE(benchmark_runs.weighted_score, 0))), "
        "SUM((benchmark_runs.cost_usd IS NOT NULL)), SUM((COALESCE(benchmark_runs.cost_usd, 0))) FROM "
        "benchmark_runs WHERE (benchmark_runs.status NOT IN ('cancelled')) GROUP BY 'all'"
    ),
    "DROP TRIGGER IF EXISTS agg_agents_insert",
    "DROP TRIGGER IF EXISTS agg_agents_delete",
    "DROP TABLE IF EXISTS agg_agents",
    (
        "CREATE TABLE agg_agents (agent TEXT NOT NULL, model TEXT NOT NULL, runs INTEGER NOT NULL DEFAULT 0, "
        "successful INTEGER NOT NULL DEFAULT 0, completed INTEGER NOT NULL DEFAULT 0, failed INTEGER NOT NULL "
        "DEFAULT 0, agent_failed INTEGER NOT NULL DEFAULT 0, infra_failed INTEGER NOT NULL DEFAULT 0, scored "
        "INTEGER NOT NULL DEFAULT 0, evaluator_errors INTEGER NOT NULL DEFAULT 0, findings INTEGER NOT NULL "
        "DEFAULT 0, total_scored INTEGER NOT NULL DEFAULT 0, sum_total_score REAL NOT NULL DEFAULT 0, "
        "sum_weighted REAL NOT NULL DEFAULT 0, cost_runs INTEGER NOT NULL DEFAULT 0, sum_cost REAL NOT NULL "
        "DEFAULT 0, min_weighted REAL, max_weighted REAL, PRIMARY KEY (agent, model))"
    ),
    (
        "CREATE TRIGGER agg_agents_insert AFTER INSERT ON benchmark_runs WHEN (NEW.status NOT IN "
        "('cancelled')) BEGIN\n  INSERT INTO agg_agents (agent, model) VALUES (COALESCE(NEW.agent, ''), "
        "COALESCE(NEW.model, '')) ON CONFLICT DO NOTHING;\n  UPDATE agg_agents SET runs = runs + (NEW.status "
        "NOT IN ('cancelled')), successful = successful + (NEW.status IN ('completed', 'budget_exceeded') AND "
        "NEW.is_successful = 1), completed = completed + (NEW.status IN ('completed', 'budget_exceeded')), "
        "failed = failed + (NEW.status NOT IN ('completed', 'budget_exceeded', 'cancelled')), agent_failed = "
        "agent_failed + (NEW.status NOT IN ('completed', 'budget_exceeded', 'cancelled') AND NOT "
        "COALESCE(NEW.failure_category IN ('infrastructure', 'rate_limited', 'workspace', 'validation', "
        "'evaluation', 'setup', 'warmup'), 0)), infra_failed = infra_failed + (NEW.status NOT IN "
        "('completed', 'budget_exceeded', 'cancelled') AND COALESCE(NEW.failure_category IN "
        "('infrastructure', 'rate_limited', 'workspace', 'validation', 'evaluation', 'setup', 'warmup'), 0)), "
        "scored = scored + (NEW.status NOT IN ('cancelled') AND NEW.weighted_score IS NOT NULL), "
        "evaluator_errors = evaluator_errors + (NEW.status NOT IN ('cancelled') AND NEW.evaluator_errors > "
        "0), findings = findings + (NEW.status NOT IN ('cancelled') AND NEW.findings > 0), total_scored = "
        "total_scored + (NEW.total_score IS NOT NULL), sum_total_score = sum_total_score + "
        "(COALESCE(NEW.total_score, 0)), sum_weighted = sum_weighted + (COALESCE(NEW.weighted_score, 0)), "
        "cost_runs = cost_runs + (NEW.cost_usd IS NOT NULL), sum_cost = sum_cost + (COALESCE(NEW.cost_usd, "
        "0)), min_weighted = CASE WHEN NEW.weighted_score IS NULL THEN min_weighted ELSE "
        "MIN(COALESCE(min_weighted, NEW.weighted_score), NEW.weighted_score) END, max_weighted = CASE WHEN "
        "NEW.weighted_score IS NULL THEN max_weighted ELSE MAX(COALESCE(max_weighted, NEW.weighted_score), "
        "NEW.weighted_score) END WHERE agent = COALESCE(NEW.agent, '') AND model = COALESCE(NEW.model, "
        "'');\nEND"
    ),
    (
        "CREATE TRIGGER agg_agents_delete AFTER DELETE ON benchmark_runs WHEN (OLD.status NOT IN "
        "('cancelled')) BEGIN\n  UPDATE agg_agents SET runs = runs - (OLD.status NOT IN ('cancelled')), "
        "successful = successful - (OLD.status IN ('completed', 'budget_exceeded') AND OLD.is_successful = "
        "1), completed = completed - (OLD.status IN ('completed', 'budget_exceeded')), failed = failed - "
        "(OLD.status NOT IN ('completed', 'budget_exceeded', 'cancelled')), agent_failed = agent_failed - "
        "(OLD.status NOT IN ('completed', 'budget_exceeded', 'cancelled') AND NOT "
        "COALESCE(OLD.failure_category IN ('infrastructure', 'rate_limited', 'workspace', 'validation', "
        "'evaluation', 'setup', 'warmup'), 0)), infra_failed = infra_failed - (OLD.status NOT IN "
        "('completed', 'budget_exceeded', 'cancelled') AND COALESCE(OLD.failure_category IN "
        "('infrastructure', 'rate_limited', 'workspace', 'validation', 'evaluation', 'setup', 'warmup'), 0)), "
        "scored = scored - (OLD.status NOT IN ('cancelled') AND OLD.weighted_score IS NOT NULL), "
        "evaluator_errors = evaluator_errors - (OLD.status NOT IN ('cancelled') AND OLD.evaluator_errors > "
        "0), findings = findings - (OLD.status NOT IN ('cancelled') AND OLD.findings > 0), total_scored = "
        "total_scored - (OLD.total_score IS NOT NULL), sum_total_score = sum_total_score - "
        "(COALESCE(OLD.total_score, 0)), sum_weighted = sum_weighted - (COALESCE(OLD.weighted_score, 0)), "
        "cost_runs = cost_runs - (OLD.cost_usd IS NOT NULL), sum_cost = sum_cost - (COALESCE(OLD.cost_usd, "
        "0)), min_weighted = (SELECT MIN(weighted_score) FROM benchmark_runs r WHERE r.agent IS OLD.agent AND "
        "r.model IS OLD.model AND (r.status NOT IN ('cancelled'))), max_weighted = (SELECT "
        "MAX(weighted_score) FROM benchmark_runs r WHERE r.agent IS OLD.agent AND r.model IS OLD.model AND "
        "(r.status NOT IN ('cancelled'))) WHERE agent = COALESCE(OLD.agent, '') AND model = "
        "COALESCE(OLD.model, '');\nEND"
    ),
    (
        "INSERT INTO agg_agents (agent, model, runs, successful, completed, failed, agent_failed, "
        "infra_failed, scored, evaluator_errors, findings, total_scored, sum_total_score, sum_weighted, "
        "cost_runs, sum_cost, min_weighted, max_weighted) SELECT COALESCE(benchmark_runs.agent, ''), "
        "COALESCE(benchmark_runs.model, ''), SUM((benchmark_runs.status NOT IN ('cancelled'))), "
        "SUM((benchmark_runs.status IN ('completed', 'budget_exceeded') AND benchmark_runs.is_successful = "
        "1)), SUM((benchmark_runs.status IN ('completed', 'budget_exceeded'))), SUM((benchmark_runs.status "
        "NOT IN ('completed', 'budget_exceeded', 'cancelled'))), SUM((benchmark_runs.status NOT IN "
        "('completed', 'budget_exceeded', 'cancelled') AND NOT COALESCE(benchmark_runs.failure_category IN "
        "('infrastructure', 'rate_limited', 'workspace', 'validation', 'evaluation', 'setup', 'warmup'), "
        "0))), SUM((benchmark_runs.status NOT IN ('completed', 'budget_exceeded', 'cancelled') AND "
        "COALESCE(benchmark_runs.failure_category IN ('infrastructure', 'rate_limited', 'workspace', "
        "'validation', 'evaluation', 'setup', 'warmup'), 0))), SUM((benchmark_runs.status NOT IN "
        "('cancelled') AND benchmark_runs.weighted_score IS NOT NULL)), SUM((benchmark_runs.status NOT IN "
        "('cancelled') AND benchmark_runs.evaluator_errors > 0)), SUM((benchmark_runs.status NOT IN "
        "('cancelled') AND benchmark_runs.findings > 0)), SUM((benchmark_runs.total_score IS NOT NULL)), "
        "SUM((COALESCE(benchmark_runs.total_score, 0))), SUM((COALESCE(benchmark_runs.weighted_score, 0))), "
        "SUM((benchmark_runs.cost_usd IS NOT NULL)), SUM((COALESCE(benchmark_runs.cost_usd, 0))), "
        "MIN(weighted_score), MAX(weighted_score) FROM benchmark_runs WHERE (benchmark_runs.status NOT IN "
        "('cancelled')) GROUP BY COALESCE(benchmark_runs.agent, ''), COALESCE(benchmark_runs.model, '')"
    ),
    (
        'CREATE INDEX IF NOT EXISTS "idx_benchmark_runs_agent_model_weighted_score" ON "benchmark_runs" '
        "(agent, model, weighted_score)"
    ),
    "DROP TRIGGER IF EXISTS agg_scenarios_insert",
    "DROP TRIGGER IF EXISTS agg_scenarios_delete",
    "DROP TABLE IF EXISTS agg_scenarios",
    (
        "CREATE TABLE agg_scenarios (suite TEXT NOT NULL, scenario TEXT NOT NULL, tier TEXT NOT NULL, runs "
        "INTEGER NOT NULL DEFAULT 0, successful INTEGER NOT NULL DEFAULT 0, completed INTEGER NOT NULL "
        "DEFAULT 0, failed INTEGER NOT NULL DEFAULT 0, agent_failed INTEGER NOT NULL DEFAULT 0, infra_failed "
        "INTEGER NOT NULL DEFAULT 0, scored INTEGER NOT NULL DEFAULT 0, evaluator_errors INTEGER NOT NULL "
        "DEFAULT 0, findings INTEGER NOT NULL DEFAULT 0, total_scored INTEGER NOT NULL DEFAULT 0, "
        "sum_total_score REAL NOT NULL DEFAULT 0, sum_weighted REAL NOT NULL DEFAULT 0, cost_runs INTEGER NOT "
        "NULL DEFAULT 0, sum_cost REAL NOT NULL DEFAULT 0, min_weighted REAL, max_weighted REAL, PRIMARY KEY "
        "(suite, scenario, tier))"
    ),
    (
        "CREATE TRIGGER agg_scenarios_insert AFTER INSERT ON benchmark_runs WHEN (NEW.status NOT IN "
        "('cancelled')) BEGIN\n  INSERT INTO agg_scenarios (suite, scenario, tier) VALUES (COALESCE(NEW.suite, "
        "''), COALESCE(NEW.scenario, ''), COALESCE(NEW.tier, '')) ON CONFLICT DO NOTHING;\n  UPDATE "
        "agg_scenarios SET runs = runs + (NEW.status NOT IN ('cancelled')), successful = successful + "
        "(NEW.status IN ('completed', 'budget_exceeded') AND NEW.is_successful = 1), completed = completed + "
        "(NEW.status IN ('completed', 'budget_exceeded')), failed = failed + (NEW.status NOT IN ('completed', "
        "'budget_exceeded', 'cancelled')), agent_failed = agent_failed + (NEW.status NOT IN ('completed', "
        "'budget_exceeded', 'cancelled') AND NOT COALESCE(NEW.failure_category IN ('infrastructure', "
        "'rate_limited', 'workspace', 'validation', 'evaluation', 'setup', 'warmup'), 0)), infra_failed = "
        "infra_failed + (NEW.status NOT IN ('completed', 'budget_exceeded', 'cancelled') AND "
        "COALESCE(NEW.failure_category IN ('infrastructure', 'rate_limited', 'workspace', 'validation', "
        "'evaluation', 'setup', 'warmup'), 0)), scored = scored + (NEW.status NOT IN ('cancelled') AND "
        "NEW.weighted_score IS NOT NULL), evaluator_errors = evaluator_errors + (NEW.status NOT IN "
        "('cancelled') AND NEW.evaluator_errors > 0), findings = findings + (NEW.status NOT IN ('cancelled') "
        "AND NEW.findings > 0), total_scored = total_scored + (NEW.total_score IS NOT NULL), sum_total_score "
        "= sum_total_score + (COALESCE(NEW.total_score, 0)), sum_weighted = sum_weighted + "
        "(COALESCE(NEW.weighted_score, 0)), cost_runs = cost_runs + (NEW.cost_usd IS NOT NULL), sum_cost = "
        "sum_cost + (COALESCE(NEW.cost_usd, 0)), min_weighted = CASE WHEN NEW.weighted_score IS NULL THEN "
        "min_weighted ELSE MIN(COALESCE(min_weighted, NEW.weighted_score), NEW.weighted_score) END, "
        "max_weighted = CASE WHEN NEW.weighted_score IS NULL THEN max_weighted ELSE "
        "MAX(COALESCE(max_weighted, NEW.weighted_score), NEW.weighted_score) END WHERE suite = "
        "COALESCE(NEW.suite, '') AND scenario = COALESCE(NEW.scenario, '') AND tier = COALESCE(NEW.tier, "
        "'');\nEND"
    ),
    (
        "CREATE TRIGGER agg_scenarios_delete AFTER DELETE ON benchmark_runs WHEN (OLD.status NOT IN "
        "('cancelled')) BEGIN\n  UPDATE agg_scenarios SET runs = runs - (OLD.status NOT IN ('cancelled')), "
        "successful = successful - (OLD.status IN ('completed', 'budget_exceeded') AND OLD.is_successful = "
        "1), completed = completed - (OLD.status IN ('completed', 'budget_exceeded')), failed = failed - "
        "(OLD.status NOT IN ('completed', 'budget_exceeded', 'cancelled')), agent_failed = agent_failed - "
        "(OLD.status NOT IN ('completed', 'budget_exceeded', 'cancelled') AND NOT "
        "COALESCE(OLD.failure_category IN ('infrastructure', 'rate_limited', 'workspace', 'validation', "
        "'evaluation', 'setup', 'warmup'), 0)), infra_failed = infra_failed - (OLD.status NOT IN "
        "('completed', 'budget_exceeded', 'cancelled') AND COALESCE(OLD.failure_category IN "
        "('infrastructure', 'rate_limited', 'workspace', 'validation', 'evaluation', 'setup', 'warmup'), 0)), "
        "scored = scored - (OLD.status NOT IN ('cancelled') AND OLD.weighted_score IS NOT NULL), "
        "evaluator_errors = evaluator_errors - (OLD.status NOT IN ('cancelled') AND OLD.evaluator_errors > "
        "0), findings = findings - (OLD.status NOT IN ('cancelled') AND OLD.findings > 0), total_scored = "
        "total_scored - (OLD.total_score IS NOT NULL), sum_total_score = sum_total_score - "
        "(COALESCE(OLD.total_score, 0)), sum_weighted = sum_weighted - (COALESCE(OLD.weighted_score, 0)), "
        "cost_runs = cost_runs - (OLD.cost_usd IS NOT NULL), sum_cost = sum_cost - (COALESCE(OLD.cost_usd, "
        "0)), min_weighted = (SELECT MIN(weighted_score) FROM benchmark_runs r WHERE r.suite IS OLD.suite AND "
        "r.scenario IS OLD.scenario AND r.tier IS OLD.tier AND (r.status NOT IN ('cancelled'))), max_weighted "
        "= (SELECT MAX(weighted_score) FROM benchmark_runs r WHERE r.suite IS OLD.suite AND r.scenario IS "
        "OLD.scenario AND r.tier IS OLD.tier AND (r.status NOT IN ('cancelled'))) WHERE suite = "
        "COALESCE(OLD.suite, '') AND scenario = COALESCE(OLD.scenario, '') AND tier = COALESCE(OLD.tier, "
        "'');\nEND"
    ),
    (
        "INSERT INTO agg_scenarios (suite, scenario, tier, runs, successful, completed, failed, agent_failed, "
        "infra_failed, scored, evaluator_errors, findings, total_scored, sum_total_score, sum_weighted, "
        "cost_runs, sum_cost, min_weighted, max_weighted) SELECT COALESCE(benchmark_runs.suite, ''), "
        "COALESCE(benchmark_runs.scenario, ''), COALESCE(benchmark_runs.tier, ''), SUM((benchmark_runs.status "
        "NOT IN ('cancelled'))), SUM((benchmark_runs.status IN ('completed', 'budget_exceeded') AND "
        "benchmark_runs.is_successful = 1)), SUM((benchmark_runs.status IN ('completed', "
        "'budget_exceeded'))), SUM((benchmark_runs.status NOT IN ('completed', 'budget_exceeded', "
        "'cancelled'))), SUM((benchmark_runs.status NOT IN ('completed', 'budget_exceeded', 'cancelled') AND "
        "NOT COALESCE(benchmark_runs.failure_category IN ('infrastructure', 'rate_limited', 'workspace', "
        "'validation', 'evaluation', 'setup', 'warmup'), 0))), SUM((benchmark_runs.status NOT IN "
        "('completed', 'budget_exceeded', 'cancelled') AND COALESCE(benchmark_runs.failure_category IN "
        "('infrastructure', 'rate_limited', 'workspace', 'validation', 'evaluation', 'setup', 'warmup'), "
        "0))), SUM((benchmark_runs.status NOT IN ('cancelled') AND benchmark_runs.weighted_score IS NOT "
        "NULL)), SUM((benchmark_runs.status NOT IN ('cancelled') AND benchmark_runs.evaluator_errors > 0)), "
        "SUM((benchmark_runs.status NOT IN ('cancelled') AND benchmark_runs.findings > 0)), "
        "SUM((benchmark_runs.total_score IS NOT NULL)), SUM((COALESCE(benchmark_runs.total_score, 0))), "
        "SUM((COALESCE(benchmark_runs.weighted_score, 0))), SUM((benchmark_runs.cost_usd IS NOT NULL)), "
        "SUM((COALESCE(benchmark_runs.cost_usd, 0))), MIN(weighted_score), MAX(weighted_score) FROM "
        "benchmark_runs WHERE (benchmark_runs.status NOT IN ('cancelled')) GROUP BY "
        "COALESCE(benchmark_runs.suite, ''), COALESCE(benchmark_runs.scenario, ''), "
        "COALESCE(benchmark_runs.tier, '')"
    ),
    (
        'CREATE INDEX IF NOT EXISTS "idx_benchmark_runs_suite_scenario_tier_weighted_score" ON '
        '"benchmark_runs" (suite, scenario, tier, weighted_score)'
    ),
    "DROP TRIGGER IF EXISTS agg_items_insert",
    "DROP TRIGGER IF EXISTS agg_items_delete",
    "DROP TABLE IF EXISTS agg_items",
    (
        "CREATE TABLE agg_items (agent TEXT NOT NULL, model TEXT NOT NULL, suite TEXT NOT NULL, scenario TEXT "
        "NOT NULL, tier TEXT NOT NULL, runs INTEGER NOT NULL DEFAULT 0, successful INTEGER NOT NULL DEFAULT "
        "0, completed INTEGER NOT NULL DEFAULT 0, failed INTEGER NOT NULL DEFAULT 0, agent_failed INTEGER NOT "
        "NULL DEFAULT 0, infra_failed INTEGER NOT NULL DEFAULT 0, scored INTEGER NOT NULL DEFAULT 0, "
        "evaluator_errors INTEGER NOT NULL DEFAULT 0, findings INTEGER NOT NULL DEFAULT 0, total_scored "
        "INTEGER NOT NULL DEFAULT 0, sum_total_score REAL NOT NULL DEFAULT 0, sum_weighted REAL NOT NULL "
        "DEFAULT 0, cost_runs INTEGER NOT NULL DEFAULT 0, sum_cost REAL NOT NULL DEFAULT 0, PRIMARY KEY "
        "(agent, model, suite, scenario, tier))"
    ),
    (
        "CREATE TRIGGER agg_items_insert AFTER INSERT ON benchmark_runs WHEN (NEW.status NOT IN "
        "('cancelled')) BEGIN\n  INSERT INTO agg_items (agent, model, suite, scenario, tier) VALUES "
        "(COALESCE(NEW.agent, ''), COALESCE(NEW.model, ''), COALESCE(NEW.suite, ''), COALESCE(NEW.scenario, "
        "''), COALESCE(NEW.tier, '')) ON CONFLICT DO NOTHING;\n  UPDATE agg_items SET runs = runs + "
        "(NEW.status NOT IN ('cancelled')), successful = successful + (NEW.status IN ('completed', "
        "'budget_exceeded') AND NEW.is_successful = 1), completed = completed + (NEW.status IN ('completed', "
        "'budget_exceeded')), failed = failed + (NEW.status NOT IN ('completed', 'budget_exceeded', "
        "'cancelled')), agent_failed = agent_failed + (NEW.status NOT IN ('completed', 'budget_exceeded', "
        "'cancelled') AND NOT COALESCE(NEW.failure_category IN ('infrastructure', 'rate_limited', "
        "'workspace', 'validation', 'evaluation', 'setup', 'warmup'), 0)), infra_failed = infra_failed + "
        "(NEW.status NOT IN ('completed', 'budget_exceeded', 'cancelled') AND COALESCE(NEW.failure_category "
        "IN ('infrastructure', 'rate_limited', 'workspace', 'validation', 'evaluation', 'setup', 'warmup'), "
        "0)), scored = scored + (NEW.status NOT IN ('cancelled') AND NEW.weighted_score IS NOT NULL), "
        "evaluator_errors = evaluator_errors + (NEW.status NOT IN ('cancelled') AND NEW.evaluator_errors > "
        "0), findings = findings + (NEW.status NOT IN ('cancelled') AND NEW.findings > 0), total_scored = "
        "total_scored + (NEW.total_score IS NOT NULL), sum_total_score = sum_total_score + "
        "(COALESCE(NEW.total_score, 0)), sum_weighted = sum_weighted + (COALESCE(NEW.weighted_score, 0)), "
        "cost_runs = cost_runs + (NEW.cost_usd IS NOT NULL), sum_cost = sum_cost + (COALESCE(NEW.cost_usd, "
        "0)) WHERE agent = COALESCE(NEW.agent, '') AND model = COALESCE(NEW.model, '') AND suite = "
        "COALESCE(NEW.suite, '') AND scenario = COALESCE(NEW.scenario, '') AND tier = COALESCE(NEW.tier, "
        "'');\nEND"
    ),
    (
        "CREATE TRIGGER agg_items_delete AFTER DELETE ON benchmark_runs WHEN (OLD.status NOT IN "
        "('cancelled')) BEGIN\n  UPDATE agg_items SET runs = runs - (OLD.status NOT IN ('cancelled')), "
        "successful = successful - (OLD.status IN ('completed', 'budget_exceeded') AND OLD.is_successful = "
        "1), completed = completed - (OLD.status IN ('completed', 'budget_exceeded')), failed = failed - "
        "(OLD.status NOT IN ('completed', 'budget_exceeded', 'cancelled')), agent_failed = agent_failed - "
        "(OLD.status NOT IN ('completed', 'budget_exceeded', 'cancelled') AND NOT "
        "COALESCE(OLD.failure_category IN ('infrastructure', 'rate_limited', 'workspace', 'validation', "
        "'evaluation', 'setup', 'warmup'), 0)), infra_failed = infra_failed - (OLD.status NOT IN "
        "('completed', 'budget_exceeded', 'cancelled') AND COALESCE(OLD.failure_category IN "
        "('infrastructure', 'rate_limited', 'workspace', 'validation', 'evaluation', 'setup', 'warmup'), 0)), "
        "scored = scored - (OLD.status NOT IN ('cancelled') AND OLD.weighted_score IS NOT NULL), "
        "evaluator_errors = evaluator_errors - (OLD.status NOT IN ('cancelled') AND OLD.evaluator_errors > "
        "0), findings = findings - (OLD.status NOT IN ('cancelled') AND OLD.findings > 0), total_scored = "
        "total_scored - (OLD.total_score IS NOT NULL), sum_total_score = sum_total_score - "
        "(COALESCE(OLD.total_score, 0)), sum_weighted = sum_weighted - (COALESCE(OLD.weighted_score, 0)), "
        "cost_runs = cost_runs - (OLD.cost_usd IS NOT NULL), sum_cost = sum_cost - (COALESCE(OLD.cost_usd, "
        "0)) WHERE agent = COALESCE(OLD.agent, '') AND model = COALESCE(OLD.model, '') AND suite = "
        "COALESCE(OLD.suite, '') AND scenario = COALESCE(OLD.scenario, '') AND tier = COALESCE(OLD.tier, "
        "'');\nEND"
    ),
    (
        "INSERT INTO agg_items (agent, model, suite, scenario, tier, runs, successful, completed, failed, "
        "agent_failed, infra_failed, scored, evaluator_errors, findings, total_scored, sum_total_score, "
        "sum_weighted, cost_runs, sum_cost) SELECT COALESCE(benchmark_runs.agent, ''), "
        "COALESCE(benchmark_runs.model, ''), COALESCE(benchmark_runs.suite, ''), "
        "COALESCE(benchmark_runs.scenario, ''), COALESCE(benchmark_runs.tier, ''), SUM((benchmark_runs.status "
        "NOT IN ('cancelled'))), SUM((benchmark_runs.status IN ('completed', 'budget_exceeded') AND "
        "benchmark_runs.is_successful = 1)), SUM((benchmark_runs.status IN ('completed', "
        "'budget_exceeded'))), SUM((benchmark_runs.status NOT IN ('completed', 'budget_exceeded', "
        "'cancelled'))), SUM((benchmark_runs.status NOT IN ('completed', 'budget_exceeded', 'cancelled') AND "
        "NOT COALESCE(benchmark_runs.failure_category IN ('infrastructure', 'rate_limited', 'workspace', "
        "'validation', 'evaluation', 'setup', 'warmup'), 0))), SUM((benchmark_runs.status NOT IN "
        "('completed', 'budget_exceeded', 'cancelled') AND COALESCE(benchmark_runs.failure_category IN "
        "('infrastructure', 'rate_limited', 'workspace', 'validation', 'evaluation', 'setup', 'warmup'), "
        "0))), SUM((benchmark_runs.status NOT IN ('cancelled') AND benchmark_runs.weighted_score IS NOT "
        "NULL)), SUM((benchmark_runs.status NOT IN ('cancelled') AND benchmark_runs.evaluator_errors > 0)), "
        "SUM((benchmark_runs.status NOT IN ('cancelled') AND benchmark_runs.findings > 0)), "
        "SUM((benchmark_runs.total_score IS NOT NULL)), SUM((COALESCE(benchmark_runs.total_score, 0))), "
        "SUM((COALESCE(benchmark_runs.weighted_score, 0))), SUM((benchmark_runs.cost_usd IS NOT NULL)), "
        "SUM((COALESCE(benchmark_runs.cost_usd, 0))) FROM benchmark_runs WHERE (benchmark_runs.status NOT IN "
        "('cancelled')) GROUP BY COALESCE(benchmark_runs.agent, ''), COALESCE(benchmark_runs.model, ''), "
        "COALESCE(benchmark_runs.suite, ''), COALESCE(benchmark_runs.scenario, ''), "
        "COALESCE(benchmark_runs.tier, '')"
    ),
    "DROP TRIGGER IF EXISTS agg_status_agents_insert",
    "DROP TRIGGER IF EXISTS agg_status_agents_delete",
    "DROP TABLE IF EXISTS agg_status_agents",
    (
        "CREATE TABLE agg_status_agents (agent TEXT NOT NULL, status TEXT NOT NULL, is_successful INTEGER NOT "
        "NULL, runs INTEGER NOT NULL DEFAULT 0, successful INTEGER NOT NULL DEFAULT 0, completed INTEGER NOT "
        "NULL DEFAULT 0, failed INTEGER NOT NULL DEFAULT 0, agent_failed INTEGER NOT NULL DEFAULT 0, "
        "infra_failed INTEGER NOT NULL DEFAULT 0, scored INTEGER NOT NULL DEFAULT 0, evaluator_errors INTEGER "
        "NOT NULL DEFAULT 0, findings INTEGER NOT NULL DEFAULT 0, total_scored INTEGER NOT NULL DEFAULT 0, "
        "sum_total_score REAL NOT NULL DEFAULT 0, sum_weighted REAL NOT NULL DEFAULT 0, cost_runs INTEGER NOT "
        "NULL DEFAULT 0, sum_cost REAL NOT NULL DEFAULT 0, min_weighted REAL, max_weighted REAL, PRIMARY KEY "
        "(agent, status, is_successful))"
    ),
    (
        "CREATE TRIGGER agg_status_agents_insert AFTER INSERT ON benchmark_runs WHEN (NEW.status NOT IN "
        "('cancelled')) BEGIN\n  INSERT INTO agg_status_agents (agent, status, is_successful) VALUES "
        "(COALESCE(NEW.agent, ''), COALESCE(NEW.status, ''), COALESCE(NEW.is_successful, 0)) ON CONFLICT DO "
        "NOTHING;\n  UPDATE agg_status_agents SET runs = runs + (NEW.status NOT IN ('cancelled')), successful "
        "= successful + (NEW.status IN ('completed', 'budget_exceeded') AND NEW.is_successful = 1), completed "
        "= completed + (NEW.status IN ('completed', 'budget_exceeded')), failed = failed + (NEW.status NOT IN "
        "('completed', 'budget_exceeded', 'cancelled')), agent_failed = agent_failed + (NEW.status NOT IN "
        "('completed', 'budget_exceeded', 'cancelled') AND NOT COALESCE(NEW.failure_category IN "
        "('infrastructure', 'rate_limited', 'workspace', 'validation', 'evaluation', 'setup', 'warmup'), 0)), "
        "infra_failed = infra_failed + (NEW.status NOT IN ('completed', 'budget_exceeded', 'cancelled') AND "
        "COALESCE(NEW.failure_category IN ('infrastructure', 'rate_limited', 'workspace', 'validation', "
        "'evaluation', 'setup', 'warmup'), 0)), scored = scored + (NEW.status NOT IN ('cancelled') AND "
        "NEW.weighted_score IS NOT NULL), evaluator_errors = evaluator_errors + (NEW.status NOT IN "
        "('cancelled') AND NEW.evaluator_errors > 0), findings = findings + (NEW.status NOT IN ('cancelled') "
        "AND NEW.findings > 0), total_scored = total_scored + (NEW.total_score IS NOT NULL), sum_total_score "
        "= sum_total_score + (COALESCE(NEW.total_score, 0)), sum_weighted = sum_weighted + "
        "(COALESCE(NEW.weighted_score, 0)), cost_runs = cost_runs + (NEW.cost_usd IS NOT NULL), sum_cost = "
        "sum_cost + (COALESCE(NEW.cost_usd, 0)), min_weighted = CASE WHEN NEW.weighted_score IS NULL THEN "
        "min_weighted ELSE MIN(COALESCE(min_weighted, NEW.weighted_score), NEW.weighted_score) END, "
        "max_weighted = CASE WHEN NEW.weighted_score IS NULL THEN max_weighted ELSE "
        "MAX(COALESCE(max_weighted, NEW.weighted_score), NEW.weighted_score) END WHERE agent = "
        "COALESCE(NEW.agent, '') AND status = COALESCE(NEW.status, '') AND is_successful = "
        "COALESCE(NEW.is_successful, 0);\nEND"
    ),
    (
        "CREATE TRIGGER agg_status_agents_delete AFTER DELETE ON benchmark_runs WHEN (OLD.status NOT IN "
        "('cancelled')) BEGIN\n  UPDATE agg_status_agents SET runs = runs - (OLD.status NOT IN ('cancelled')), "
        "successful = successful - (OLD.status IN ('completed', 'budget_exceeded') AND OLD.is_successful = "
        "1), completed = completed - (OLD.status IN ('completed', 'budget_exceeded')), failed = failed - "
        "(OLD.status NOT IN ('completed', 'budget_exceeded', 'cancelled')), agent_failed = agent_failed - "
        "(OLD.status NOT IN ('completed', 'budget_exceeded', 'cancelled') AND NOT "
        "COALESCE(OLD.failure_category IN ('infrastructure', 'rate_limited', 'workspace', 'validation', "
        "'evaluation', 'setup', 'warmup'), 0)), infra_failed = infra_failed - (OLD.status NOT IN "
        "('completed', 'budget_exceeded', 'cancelled') AND COALESCE(OLD.failure_category IN "
        "('infrastructure', 'rate_limited', 'workspace', 'validation', 'evaluation', 'setup', 'warmup'), 0)), "
        "scored = scored - (OLD.status NOT IN ('cancelled') AND OLD.weighted_score IS NOT NULL), "
        "evaluator_errors = evaluator_errors - (OLD.status NOT IN ('cancelled') AND OLD.evaluator_errors > "
        "0), findings = findings - (OLD.status NOT IN ('cancelled') AND OLD.findings > 0), total_scored = "
        "total_scored - (OLD.total_score IS NOT NULL), sum_total_score = sum_total_score - "
        "(COALESCE(OLD.total_score, 0)), sum_weighted = sum_weighted - (COALESCE(OLD.weighted_score, 0)), "
        "cost_runs = cost_runs - (OLD.cost_usd IS NOT NULL), sum_cost = sum_cost - (COALESCE(OLD.cost_usd, "
        "0)), min_weighted = (SELECT MIN(weighted_score) FROM benchmark_runs r WHERE r.agent IS OLD.agent AND "
        "r.status IS OLD.status AND r.is_successful IS OLD.is_successful AND (r.status NOT IN "
        "('cancelled'))), max_weighted = (SELECT MAX(weighted_score) FROM benchmark_runs r WHERE r.agent IS "
        "OLD.agent AND r.status IS OLD.status AND r.is_successful IS OLD.is_successful AND (r.status NOT IN "
        "('cancelled'))) WHERE agent = COALESCE(OLD.agent, '') AND status = COALESCE(OLD.status, '') AND "
        "is_successful = COALESCE(OLD.is_successful, 0);\nEND"
    ),
    (
        "INSERT INTO agg_status_agents (agent, status, is_successful, runs, successful, completed, failed, "
        "agent_failed, infra_failed, scored, evaluator_errors, findings, total_scored, sum_total_score, "
        "sum_weighted, cost_runs, sum_cost, min_weighted, max_weighted) SELECT COALESCE(benchmark_runs.agent, "
        "''), COALESCE(benchmark_runs.status, ''), COALESCE(benchmark_runs.is_successful, 0), "
        "SUM((benchmark_runs.status NOT IN ('cancelled'))), SUM((benchmark_runs.status IN ('completed', "
        "'budget_exceeded') AND benchmark_runs.is_successful = 1)), SUM((benchmark_runs.status IN "
        "('completed', 'budget_exceeded'))), SUM((benchmark_runs.status NOT IN ('completed', "
        "'budget_exceeded', 'cancelled'))), SUM((benchmark_runs.status NOT IN ('completed', "
        "'budget_exceeded', 'cancelled') AND NOT COALESCE(benchmark_runs.failure_category IN "
        "('infrastructure', 'rate_limited', 'workspace', 'validation', 'evaluation', 'setup', 'warmup'), "
        "0))), SUM((benchmark_runs.status NOT IN ('completed', 'budget_exceeded', 'cancelled') AND "
        "COALESCE(benchmark_runs.failure_category IN ('infrastructure', 'rate_limited', 'workspace', "
        "'validation', 'evaluation', 'setup', 'warmup'), 0))), SUM((benchmark_runs.status NOT IN "
        "('cancelled') AND benchmark_runs.weighted_score IS NOT NULL)), SUM((benchmark_runs.status NOT IN "
        "('cancelled') AND benchmark_runs.evaluator_errors > 0)), SUM((benchmark_runs.status NOT IN "
        "('cancelled') AND benchmark_runs.findings > 0)), SUM((benchmark_runs.total_score IS NOT NULL)), "
        "SUM((COALESCE(benchmark_runs.total_score, 0))), SUM((COALESCE(benchmark_runs.weighted_score, 0))), "
        "SUM((benchmark_runs.cost_usd IS NOT NULL)), SUM((COALESCE(benchmark_runs.cost_usd, 0))), "
        "MIN(weighted_score), MAX(weighted_score) FROM benchmark_runs WHERE (benchmark_runs.status NOT IN "
        "('cancelled')) GROUP BY COALESCE(benchmark_runs.agent, ''), COALESCE(benchmark_runs.status, ''), "
        "COALESCE(benchmark_runs.is_successful, 0)"
    ),
    (
        'CREATE INDEX IF NOT EXISTS "idx_benchmark_runs_agent_status_is_successful_weighted_score" ON '
        '"benchmark_runs" (agent, status, is_successful, weighted_score)'
    ),
    (
        "UPDATE batch_runs SET total_runs = agg.total_runs, successful_runs = agg.successful_runs, "
        "failed_runs = agg.failed_runs, agent_failed_runs = agg.agent_failed_runs, infra_failed_runs = "
        "agg.infra_failed_runs, scored_runs = agg.scored_runs, evaluator_error_runs = "
        "agg.evaluator_error_runs, finding_runs = agg.finding_runs, avg_score = agg.avg_score, "
        "avg_weighted_score = agg.avg_weighted_score, cancelled_runs = agg.cancelled_runs FROM (SELECT "
        "batch_id, COALESCE(SUM((benchmark_runs.status NOT IN ('cancelled'))) FILTER (WHERE "
        "(benchmark_runs.status NOT IN ('cancelled'))), 0) AS total_runs, COALESCE(SUM((benchmark_runs.status "
        "IN ('completed', 'budget_exceeded') AND benchmark_runs.is_successful = 1)) FILTER (WHERE "
        "(benchmark_runs.status NOT IN ('cancelled'))), 0) AS successful_runs, "
        "COALESCE(SUM((benchmark_runs.status NOT IN ('completed', 'budget_exceeded', 'cancelled'))) FILTER "
        "(WHERE (benchmark_runs.status NOT IN ('cancelled'))), 0) AS failed_runs, "
        "COALESCE(SUM((benchmark_runs.status NOT IN ('completed', 'budget_exceeded', 'cancelled') AND NOT "
        "COALESCE(benchmark_runs.failure_category IN ('infrastructure', 'rate_limited', 'workspace', "
        "'validation', 'evaluation', 'setup', 'warmup'), 0))) FILTER (WHERE (benchmark_runs.status NOT IN "
        "('cancelled'))), 0) AS agent_failed_runs, COALESCE(SUM((benchmark_runs.status NOT IN ('completed', "
        "'budget_exceeded', 'cancelled') AND COALESCE(benchmark_runs.failure_category IN ('infrastructure', "
        "'rate_limited', 'workspace', 'validation', 'evaluation', 'setup', 'warmup'), 0))) FILTER (WHERE "
        "(benchmark_runs.status NOT IN ('cancelled'))), 0) AS infra_failed_runs, "
        "COALESCE(SUM((benchmark_runs.status NOT IN ('cancelled') AND benchmark_runs.weighted_score IS NOT "
        "NULL)) FILTER (WHERE (benchmark_runs.status NOT IN ('cancelled'))), 0) AS scored_runs, "
        "COALESCE(SUM((benchmark_runs.status NOT IN ('cancelled') AND benchmark_runs.evaluator_errors > 0)) "
        "FILTER (WHERE (benchmark_runs.status NOT IN ('cancelled'))), 0) AS evaluator_error_runs, "
        "COALESCE(SUM((benchmark_runs.status NOT IN ('cancelled') AND benchmark_runs.findings > 0)) FILTER "
        "(WHERE (benchmark_runs.status NOT IN ('cancelled'))), 0) AS finding_runs, 1.0 * "
        "COALESCE(SUM((COALESCE(benchmark_runs.total_score, 0))) FILTER (WHERE (benchmark_runs.status NOT IN "
        "('cancelled'))), 0) / NULLIF(COALESCE(SUM((benchmark_runs.total_score IS NOT NULL)) FILTER (WHERE "
        "(benchmark_runs.status NOT IN ('cancelled'))), 0), 0) AS avg_score, 1.0 * "
        "COALESCE(SUM((COALESCE(benchmark_runs.weighted_score, 0))) FILTER (WHERE (benchmark_runs.status NOT "
        "IN ('cancelled'))), 0) / NULLIF(COALESCE(SUM((benchmark_runs.status NOT IN ('cancelled') AND "
        "benchmark_runs.weighted_score IS NOT NULL)) FILTER (WHERE (benchmark_runs.status NOT IN "
        "('cancelled'))), 0), 0) AS avg_weighted_score, COALESCE(SUM((benchmark_runs.status IN "
        "('cancelled'))), 0) AS cancelled_runs FROM benchmark_runs WHERE batch_id IS NOT NULL GROUP BY "
        "batch_id) AS agg WHERE batch_runs.batch_id = agg.batch_id"
    ),
)


@migrations()
def m012_findings(db: sqlite_utils.Database) -> None:
    """Findings counted (issue 21): each run gets ``findings``, the blocking findings its integrity guard listed
    (models.integrity_findings; recounted here from the stored evaluations), and every summary table and batch
    the count of runs with one (``findings``, ``finding_runs``), its triggers and contents rebuilt."""
    _execute(db, _M012_COLUMNS + _M012)


#: Generated by store.sql.summaries_sql (``python -m zebench.store``) with the specialist in the configuration
#: (models.run: specialist_name and specialist_version given role="configuration") and frozen here.
_M013 = (
    (
        "UPDATE benchmark_runs SET evaluator_errors = (SELECT COUNT(*) FROM evaluation_results e WHERE "
        "e.run_id = benchmark_runs.run_id AND e.error IS NOT NULL AND (e.weight > 0 OR e.evaluator_name IN "
        "('install', 'test', 'integrity_guard')))"
    ),
    (
        "UPDATE benchmark_runs SET findings = (SELECT COALESCE(SUM(CASE WHEN e.evaluator_name <> "
        "'integrity_guard' OR NOT json_valid(e.details) THEN 0 WHEN json_type(e.details, '$.findings') = "
        "'array' THEN json_array_length(e.details, '$.findings') ELSE 0 END), 0) FROM evaluation_results e "
        "WHERE e.run_id = benchmark_runs.run_id)"
    ),
    "DROP TRIGGER IF EXISTS agg_totals_insert",
    "DROP TRIGGER IF EXISTS agg_totals_delete",
    "DROP TABLE IF EXISTS agg_totals",
    (
        "CREATE TABLE agg_totals (grp TEXT NOT NULL, runs INTEGER NOT NULL DEFAULT 0, successful INTEGER NOT "
        "NULL DEFAULT 0, completed INTEGER NOT NULL DEFAULT 0, failed INTEGER NOT NULL DEFAULT 0, "
        "agent_failed INTEGER NOT NULL DEFAULT 0, infra_failed INTEGER NOT NULL DEFAULT 0, scored INTEGER NOT "
        "NULL DEFAULT 0, evaluator_errors INTEGER NOT NULL DEFAULT 0, findings INTEGER NOT NULL DEFAULT 0, "
        "total_scored INTEGER NOT NULL DEFAULT 0, sum_total_score REAL NOT NULL DEFAULT 0, sum_weighted REAL "
        "NOT NULL DEFAULT 0, cost_runs INTEGER NOT NULL DEFAULT 0, sum_cost REAL NOT NULL DEFAULT 0, PRIMARY "
        "KEY (grp))"
    ),
    (
        "CREATE TRIGGER agg_totals_insert AFTER INSERT ON benchmark_runs WHEN (NEW.status NOT IN "
        "('cancelled')) BEGIN\n  INSERT INTO agg_totals (grp) VALUES ('all') ON CONFLICT DO NOTHING;\n  UPDATE "
        "agg_totals SET runs = runs + (NEW.status NOT IN ('cancelled')), successful = successful + "
        "(NEW.status IN ('completed', 'budget_exceeded') AND NEW.is_successful = 1), completed = completed + "
        "(NEW.status IN ('completed', 'budget_exceeded')), failed = failed + (NEW.status NOT IN ('completed', "
        "'budget_exceeded', 'cancelled')), agent_failed = agent_failed + (NEW.status NOT IN ('completed', "
        "'budget_exceeded', 'cancelled') AND NOT COALESCE(NEW.failure_category IN ('infrastructure', "
        "'rate_limited', 'workspace', 'validation', 'evaluation', 'setup', 'warmup'), 0)), infra_failed = "
        "infra_failed + (NEW.status NOT IN ('completed', 'budget_exceeded', 'cancelled') AND "
        "COALESCE(NEW.failure_category IN ('infrastructure', 'rate_limited', 'workspace', 'validation', "
        "'evaluation', 'setup', 'warmup'), 0)), scored = scored + (NEW.status NOT IN ('cancelled') AND "
        "NEW.weighted_score IS NOT NULL), evaluator_errors = evaluator_errors + (NEW.status NOT IN "
        "('cancelled') AND NEW.evaluator_errors > 0), findings = findings + (NEW.status NOT IN ('cancelled') "
        "AND NEW.findings > 0), total_scored = total_scored + (NEW.total_score IS NOT NULL), sum_total_score "
        "= sum_total_score + (COALESCE(NEW.total_score, 0)), sum_weighted = sum_weighted + "
        "(COALESCE(NEW.weighted_score, 0)), cost_runs = cost_runs + (NEW.cost_usd IS NOT NULL), sum_cost = "
        "sum_cost + (COALESCE(NEW.cost_usd, 0)) WHERE grp = 'all';\nEND"
    ),
    (
        "CREATE TRIGGER agg_totals_delete AFTER DELETE ON benchmark_runs WHEN (OLD.status NOT IN "
        "('cancelled')) BEGIN\n  UPDATE agg_totals SET runs = runs - (OLD.status NOT IN ('cancelled')), "
        "successful = successful - (OLD.status IN ('completed', 'budget_exceeded') AND OLD.is_successful = "
        "1), completed = completed - (OLD.status IN ('completed', 'budget_exceeded')), failed = failed - "
        "(OLD.status NOT IN ('completed', 'budget_exceeded', 'cancelled')), agent_failed = agent_failed - "
        "(OLD.status NOT IN ('completed', 'budget_exceeded', 'cancelled') AND NOT "
        "COALESCE(OLD.failure_category IN ('infrastructure', 'rate_limited', 'workspace', 'validation', "
        "'evaluation', 'setup', 'warmup'), 0)), infra_failed = infra_failed - (OLD.status NOT IN "
        "('completed', 'budget_exceeded', 'cancelled') AND COALESCE(OLD.failure_category IN "
        "('infrastructure', 'rate_limited', 'workspace', 'validation', 'evaluation', 'setup', 'warmup'), 0)), "
        "scored = scored - (OLD.status NOT IN ('cancelled') AND OLD.weighted_score IS NOT NULL), "
        "evaluator_errors = evaluator_errors - (OLD.status NOT IN ('cancelled') AND OLD.evaluator_errors > "
        "0), findings = findings - (OLD.status NOT IN ('cancelled') AND OLD.findings > 0), total_scored = "
        "total_scored - (OLD.total_score IS NOT NULL), sum_total_score = sum_total_score - "
        "(COALESCE(OLD.total_score, 0)), sum_weighted = sum_weighted - (COALESCE(OLD.weighted_score, 0)), "
        "cost_runs = cost_runs - (OLD.cost_usd IS NOT NULL), sum_cost = sum_cost - (COALESCE(OLD.cost_usd, "
        "0)) WHERE grp = 'all';\nEND"
    ),
    (
        "INSERT INTO agg_totals (grp, runs, successful, completed, failed, agent_failed, infra_failed, "
        "scored, evaluator_errors, findings, total_scored, sum_total_score, sum_weighted, cost_runs, "
        "sum_cost) SELECT 'all', SUM((benchmark_runs.status NOT IN ('cancelled'))), "
        "SUM((benchmark_runs.status IN ('completed', 'budget_exceeded') AND benchmark_runs.is_successful = "
        "1)), SUM((benchmark_runs.status IN ('completed', 'budget_exceeded'))), SUM((benchmark_runs.status "
        "NOT IN ('completed', 'budget_exceeded', 'cancelled'))), SUM((benchmark_runs.status NOT IN "
        "('completed', 'budget_exceeded', 'cancelled') AND NOT COALESCE(benchmark_runs.failure_category IN "
        "('infrastructure', 'rate_limited', 'workspace', 'validation', 'evaluation', 'setup', 'warmup'), "
        "0))), SUM((benchmark_runs.status NOT IN ('completed', 'budget_exceeded', 'cancelled') AND "
        "COALESCE(benchmark_runs.failure_category IN ('infrastructure', 'rate_limited', 'workspace', "
        "'validation', 'evaluation', 'setup', 'warmup'), 0))), SUM((benchmark_runs.status NOT IN "
        "('cancelled') AND benchmark_runs.weighted_score IS NOT NULL)), SUM((benchmark_runs.status NOT IN "
        "('cancelled') AND benchmark_runs.evaluator_errors > 0)), SUM((benchmark_runs.status NOT IN "
        "('cancelled') AND benchmark_runs.findings > 0)), SUM((benchmark_runs.total_score IS NOT NULL)), "
        "SUM((COALESCE(benchmark_runs.total_score, 0))), SUM((COALESCE(benchmark_runs.weighted_score, 0))), "
        "SUM((benchmark_runs.cost_usd IS NOT NULL)), SUM((COALESCE(benchmark_runs.cost_usd, 0))) FROM "
        "benchmark_runs WHERE (benchmark_runs.status NOT IN ('cancelled')) GROUP BY 'all'"
    ),
    "DROP TRIGGER IF EXISTS agg_agents_insert",
    "DROP TRIGGER IF EXISTS agg_agents_delete",
    "DROP TABLE IF EXISTS agg_agents",
    (
        "CREATE TABLE agg_agents (agent TEXT NOT NULL, model TEXT NOT NULL, specialist_name TEXT NOT NULL, "
        "specialist_version TEXT NOT NULL, runs INTEGER NOT NULL DEFAULT 0, successful INTEGER NOT NULL "
        "DEFAULT 0, completed INTEGER NOT NULL DEFAULT 0, failed INTEGER NOT NULL DEFAULT 0, agent_failed "
        "INTEGER NOT NULL DEFAULT 0, infra_failed INTEGER NOT NULL DEFAULT 0, scored INTEGER NOT NULL DEFAULT "
        "0, evaluator_errors INTEGER NOT NULL DEFAULT 0, findings INTEGER NOT NULL DEFAULT 0, total_scored "
        "INTEGER NOT NULL DEFAULT 0, sum_total_score REAL NOT NULL DEFAULT 0, sum_weighted REAL NOT NULL "
        "DEFAULT 0, cost_runs INTEGER NOT NULL DEFAULT 0, sum_cost REAL NOT NULL DEFAULT 0, min_weighted "
        "REAL, max_weighted REAL, PRIMARY KEY (agent, model, specialist_name, specialist_version))"
    ),
    (
        "CREATE TRIGGER agg_agents_insert AFTER INSERT ON benchmark_runs WHEN (NEW.status NOT IN "
        "('cancelled')) BEGIN\n  INSERT INTO agg_agents (agent, model, specialist_name, specialist_version) "
        "VALUES (COALESCE(NEW.agent, ''), COALESCE(NEW.model, ''), COALESCE(NEW.specialist_name, ''), "
        "COALESCE(NEW.specialist_version, '')) ON CONFLICT DO NOTHING;\n  UPDATE agg_agents SET runs = runs + "
        "(NEW.status NOT IN ('cancelled')), successful = successful + (NEW.status IN ('completed', "
        "'budget_exceeded') AND NEW.is_successful = 1), completed = completed + (NEW.status IN ('completed', "
        "'budget_exceeded')), failed = failed + (NEW.status NOT IN ('completed', 'budget_exceeded', "
        "'cancelled')), agent_failed = agent_failed + (NEW.status NOT IN ('completed', 'budget_exceeded', "
        "'cancelled') AND NOT COALESCE(NEW.failure_category IN ('infrastructure', 'rate_limited', "
        "'workspace', 'validation', 'evaluation', 'setup', 'warmup'), 0)), infra_failed = infra_failed + "
        "(NEW.status NOT IN ('completed', 'budget_exceeded', 'cancelled') AND COALESCE(NEW.failure_category "
        "IN ('infrastructure', 'rate_limited', 'workspace', 'validation', 'evaluation', 'setup', 'warmup'), "
        "0)), scored = scored + (NEW.status NOT IN ('cancelled') AND NEW.weighted_score IS NOT NULL), "
        "evaluator_errors = evaluator_errors + (NEW.status NOT IN ('cancelled') AND NEW.evaluator_errors > "
        "0), findings = findings + (NEW.status NOT IN ('cancelled') AND NEW.findings > 0), total_scored = "
        "total_scored + (NEW.total_score IS NOT NULL), sum_total_score = sum_total_score + "
        "(COALESCE(NEW.total_score, 0)), sum_weighted = sum_weighted + (COALESCE(NEW.weighted_score, 0)), "
        "cost_runs = cost_runs + (NEW.cost_usd IS NOT NULL), sum_cost = sum_cost + (COALESCE(NEW.cost_usd, "
        "0)), min_weighted = CASE WHEN NEW.weighted_score IS NULL THEN min_weighted ELSE "
        "MIN(COALESCE(min_weighted, NEW.weighted_score), NEW.weighted_score) END, max_weighted = CASE WHEN "
        "NEW.weighted_score IS NULL THEN max_weighted ELSE MAX(COALESCE(max_weighted, NEW.weighted_score), "
        "NEW.weighted_score) END WHERE agent = COALESCE(NEW.agent, '') AND model = COALESCE(NEW.model, '') "
        "AND specialist_name = COALESCE(NEW.specialist_name, '') AND specialist_version = "
        "COALESCE(NEW.specialist_version, '');\nEND"
    ),
    (
        "CREATE TRIGGER agg_agents_delete AFTER DELETE ON benchmark_runs WHEN (OLD.status NOT IN "
        "('cancelled')) BEGIN\n  UPDATE agg_agents SET runs = runs - (OLD.status NOT IN ('cancelled')), "
        "successful = successful - (OLD.status IN ('completed', 'budget_exceeded') AND OLD.is_successful = "
        "1), completed = completed - (OLD.status IN ('completed', 'budget_exceeded')), failed = failed - "
        "(OLD.status NOT IN ('completed', 'budget_exceeded', 'cancelled')), agent_failed = agent_failed - "
        "(OLD.status NOT IN ('completed', 'budget_exceeded', 'cancelled') AND NOT "
        "COALESCE(OLD.failure_category IN ('infrastructure', 'rate_limited', 'workspace', 'validation', "
        "'evaluation', 'setup', 'warmup'), 0)), infra_failed = infra_failed - (OLD.status NOT IN "
        "('completed', 'budget_exceeded', 'cancelled') AND COALESCE(OLD.failure_category IN "
        "('infrastructure', 'rate_limited', 'workspace', 'validation', 'evaluation', 'setup', 'warmup'), 0)), "
        "scored = scored - (OLD.status NOT IN ('cancelled') AND OLD.weighted_score IS NOT NULL), "
        "evaluator_errors = evaluator_errors - (OLD.status NOT IN ('cancelled') AND OLD.evaluator_errors > "
        "0), findings = findings - (OLD.status NOT IN ('cancelled') AND OLD.findings > 0), total_scored = "
        "total_scored - (OLD.total_score IS NOT NULL), sum_total_score = sum_total_score - "
        "(COALESCE(OLD.total_score, 0)), sum_weighted = sum_weighted - (COALESCE(OLD.weighted_score, 0)), "
        "cost_runs = cost_runs - (OLD.cost_usd IS NOT NULL), sum_cost = sum_cost - (COALESCE(OLD.cost_usd, "
        "0)), min_weighted = (SELECT MIN(weighted_score) FROM benchmark_runs r WHERE r.agent IS OLD.agent AND "
        "r.model IS OLD.model AND r.specialist_name IS OLD.specialist_name AND r.specialist_version IS "
        "OLD.specialist_version AND (r.status NOT IN ('cancelled'))), max_weighted = (SELECT "
        "MAX(weighted_score) FROM benchmark_runs r WHERE r.agent IS OLD.agent AND r.model IS OLD.model AND "
        "r.specialist_name IS OLD.specialist_name AND r.specialist_version IS OLD.specialist_version AND "
        "(r.status NOT IN ('cancelled'))) WHERE agent = COALESCE(OLD.agent, '') AND model = "
        "COALESCE(OLD.model, '') AND specialist_name = COALESCE(OLD.specialist_name, '') AND "
        "specialist_version = COALESCE(OLD.specialist_version, '');\nEND"
    ),
    (
        "INSERT INTO agg_agents (agent, model, specialist_name, specialist_version, runs, successful, "
        "completed, failed, agent_failed, infra_failed, scored, evaluator_errors, findings, total_scored, "
        "sum_total_score, sum_weighted, cost_runs, sum_cost, min_weighted, max_weighted) SELECT "
        "COALESCE(benchmark_runs.agent, ''), COALESCE(benchmark_runs.model, ''), "
        "COALESCE(benchmark_runs.specialist_name, ''), COALESCE(benchmark_runs.specialist_version, ''), "
        "SUM((benchmark_runs.status NOT IN ('cancelled'))), SUM((benchmark_runs.status IN ('completed', "
        "'budget_exceeded') AND benchmark_runs.is_successful = 1)), SUM((benchmark_runs.status IN "
        "('completed', 'budget_exceeded'))), SUM((benchmark_runs.status NOT IN ('completed', "
        "'budget_exceeded', 'cancelled'))), SUM((benchmark_runs.status NOT IN ('completed', "
        "'budget_exceeded', 'cancelled') AND NOT COALESCE(benchmark_runs.failure_category IN "
        "('infrastructure', 'rate_limited', 'workspace', 'validation', 'evaluation', 'setup', 'warmup'), "
        "0))), SUM((benchmark_runs.status NOT IN ('completed', 'budget_exceeded', 'cancelled') AND "
        "COALESCE(benchmark_runs.failure_category IN ('infrastructure', 'rate_limited', 'workspace', "
        "'validation', 'evaluation', 'setup', 'warmup'), 0))), SUM((benchmark_runs.status NOT IN "
        "('cancelled') AND benchmark_runs.weighted_score IS NOT NULL)), SUM((benchmark_runs.status NOT IN "
        "('cancelled') AND benchmark_runs.evaluator_errors > 0)), SUM((benchmark_runs.status NOT IN "
        "('cancelled') AND benchmark_runs.findings > 0)), SUM((benchmark_runs.total_score IS NOT NULL)), "
        "SUM((COALESCE(benchmark_runs.total_score, 0))), SUM((COALESCE(benchmark_runs.weighted_score, 0))), "
        "SUM((benchmark_runs.cost_usd IS NOT NULL)), SUM((COALESCE(benchmark_runs.cost_usd, 0))), "
        "MIN(weighted_score), MAX(weighted_score) FROM benchmark_runs WHERE (benchmark_runs.status NOT IN "
        "('cancelled')) GROUP BY COALESCE(benchmark_runs.agent, ''), COALESCE(benchmark_runs.model, ''), "
        "COALESCE(benchmark_runs.specialist_name, ''), COALESCE(benchmark_runs.specialist_version, '')"
    ),
    (
        "CREATE INDEX IF NOT EXISTS "
        '"idx_benchmark_runs_agent_model_specialist_name_specialist_version_weighted_score" ON '
        '"benchmark_runs" (agent, model, specialist_name, specialist_version, weighted_score)'
    ),
    "DROP TRIGGER IF EXISTS agg_scenarios_insert",
    "DROP TRIGGER IF EXISTS agg_scenarios_delete",
    "DROP TABLE IF EXISTS agg_scenarios",
    (
        "CREATE TABLE agg_scenarios (suite TEXT NOT NULL, scenario TEXT NOT NULL, tier TEXT NOT NULL, runs "
        "INTEGER NOT NULL DEFAULT 0, successful INTEGER NOT NULL DEFAULT 0, completed INTEGER NOT NULL "
        "DEFAULT 0, failed INTEGER NOT NULL DEFAULT 0, agent_failed INTEGER NOT NULL DEFAULT 0, infra_failed "
        "INTEGER NOT NULL DEFAULT 0, scored INTEGER NOT NULL DEFAULT 0, evaluator_errors INTEGER NOT NULL "
        "DEFAULT 0, findings INTEGER NOT NULL DEFAULT 0, total_scored INTEGER NOT NULL DEFAULT 0, "
        "sum_total_score REAL NOT NULL DEFAULT 0, sum_weighted REAL NOT NULL DEFAULT 0, cost_runs INTEGER NOT "
        "NULL DEFAULT 0, sum_cost REAL NOT NULL DEFAULT 0, min_weighted REAL, max_weighted REAL, PRIMARY KEY "
        "(suite, scenario, tier))"
    ),
    (
        "CREATE TRIGGER agg_scenarios_insert AFTER INSERT ON benchmark_runs WHEN (NEW.status NOT IN "
        "('cancelled')) BEGIN\n  INSERT INTO agg_scenarios (suite, scenario, tier) VALUES (COALESCE(NEW.suite, "
        "''), COALESCE(NEW.scenario, ''), COALESCE(NEW.tier, '')) ON CONFLICT DO NOTHING;\n  UPDATE "
        "agg_scenarios SET runs = runs + (NEW.status NOT IN ('cancelled')), successful = successful + "
        "(NEW.status IN ('completed', 'budget_exceeded') AND NEW.is_successful = 1), completed = completed + "
        "(NEW.status IN ('completed', 'budget_exceeded')), failed = failed + (NEW.status NOT IN ('completed', "
        "'budget_exceeded', 'cancelled')), agent_failed = agent_failed + (NEW.status NOT IN ('completed', "
        "'budget_exceeded', 'cancelled') AND NOT COALESCE(NEW.failure_category IN ('infrastructure', "
        "'rate_limited', 'workspace', 'validation', 'evaluation', 'setup', 'warmup'), 0)), infra_failed = "
        "infra_failed + (NEW.status NOT IN ('completed', 'budget_exceeded', 'cancelled') AND "
        "COALESCE(NEW.failure_category IN ('infrastructure', 'rate_limited', 'workspace', 'validation', "
        "'evaluation', 'setup', 'warmup'), 0)), scored = scored + (NEW.status NOT IN ('cancelled') AND "
        "NEW.weighted_score IS NOT NULL), evaluator_errors = evaluator_errors + (NEW.status NOT IN "
        "('cancelled') AND NEW.evaluator_errors > 0), findings = findings + (NEW.status NOT IN ('cancelled') "
        "AND NEW.findings > 0), total_scored = total_scored + (NEW.total_score IS NOT NULL), sum_total_score "
        "= sum_total_score + (COALESCE(NEW.total_score, 0)), sum_weighted = sum_weighted + "
        "(COALESCE(NEW.weighted_score, 0)), cost_runs = cost_runs + (NEW.cost_usd IS NOT NULL), sum_cost = "
        "sum_cost + (COALESCE(NEW.cost_usd, 0)), min_weighted = CASE WHEN NEW.weighted_score IS NULL THEN "
        "min_weighted ELSE MIN(COALESCE(min_weighted, NEW.weighted_score), NEW.weighted_score) END, "
        "max_weighted = CASE WHEN NEW.weighted_score IS NULL THEN max_weighted ELSE "
        "MAX(COALESCE(max_weighted, NEW.weighted_score), NEW.weighted_score) END WHERE suite = "
        "COALESCE(NEW.suite, '') AND scenario = COALESCE(NEW.scenario, '') AND tier = COALESCE(NEW.tier, "
        "'');\nEND"
    ),
    (
        "CREATE TRIGGER agg_scenarios_delete AFTER DELETE ON benchmark_runs WHEN (OLD.status NOT IN "
        "('cancelled')) BEGIN\n  UPDATE agg_scenarios SET runs = runs - (OLD.status NOT IN ('cancelled')), "
        "successful = successful - (OLD.status IN ('completed', 'budget_exceeded') AND OLD.is_successful = "
        "1), completed = completed - (OLD.status IN ('completed', 'budget_exceeded')), failed = failed - "
        "(OLD.status NOT IN ('completed', 'budget_exceeded', 'cancelled')), agent_failed = agent_failed - "
        "(OLD.status NOT IN ('completed', 'budget_exceeded', 'cancelled') AND NOT "
        "COALESCE(OLD.failure_category IN ('infrastructure', 'rate_limited', 'workspace', 'validation', "
        "'evaluation', 'setup', 'warmup'), 0)), infra_failed = infra_failed - (OLD.status NOT IN "
        "('completed', 'budget_exceeded', 'cancelled') AND COALESCE(OLD.failure_category IN "
        "('infrastructure', 'rate_limited', 'workspace', 'validation', 'evaluation', 'setup', 'warmup'), 0)), "
        "scored = scored - (OLD.status NOT IN ('cancelled') AND OLD.weighted_score IS NOT NULL), "
        "evaluator_errors = evaluator_errors - (OLD.status NOT IN ('cancelled') AND OLD.evaluator_errors > "
        "0), findings = findings - (OLD.status NOT IN ('cancelled') AND OLD.findings > 0), total_scored = "
        "total_scored - (OLD.total_score IS NOT NULL), sum_total_score = sum_total_score - "
        "(COALESCE(OLD.total_score, 0)), sum_weighted = sum_weighted - (COALESCE(OLD.weighted_score, 0)), "
        "cost_runs = cost_runs - (OLD.cost_usd IS NOT NULL), sum_cost = sum_cost - (COALESCE(OLD.cost_usd, "
        "0)), min_weighted = (SELECT MIN(weighted_score) FROM benchmark_runs r WHERE r.suite IS OLD.suite AND "
        "r.scenario IS OLD.scenario AND r.tier IS OLD.tier AND (r.status NOT IN ('cancelled'))), max_weighted "
        "= (SELECT MAX(weighted_score) FROM benchmark_runs r WHERE r.suite IS OLD.suite AND r.scenario IS "
        "OLD.scenario AND r.tier IS OLD.tier AND (r.status NOT IN ('cancelled'))) WHERE suite = "
        "COALESCE(OLD.suite, '') AND scenario = COALESCE(OLD.scenario, '') AND tier = COALESCE(OLD.tier, "
        "'');\nEND"
    ),
    (
        "INSERT INTO agg_scenarios (suite, scenario, tier, runs, successful, completed, failed, agent_failed, "
        "infra_failed, scored, evaluator_errors, findings, total_scored, sum_total_score, sum_weighted, "
        "cost_runs, sum_cost, min_weighted, max_weighted) SELECT COALESCE(benchmark_runs.suite, ''), "
        "COALESCE(benchmark_runs.scenario, ''), COALESCE(benchmark_runs.tier, ''), SUM((benchmark_runs.status "
        "NOT IN ('cancelled'))), SUM((benchmark_runs.status IN ('completed', 'budget_exceeded') AND "
        "benchmark_runs.is_successful = 1)), SUM((benchmark_runs.status IN ('completed', "
        "'budget_exceeded'))), SUM((benchmark_runs.status NOT IN ('completed', 'budget_exceeded', "
        "'cancelled'))), SUM((benchmark_runs.status NOT IN ('completed', 'budget_exceeded', 'cancelled') AND "
        "NOT COALESCE(benchmark_runs.failure_category IN ('infrastructure', 'rate_limited', 'workspace', "
        "'validation', 'evaluation', 'setup', 'warmup'), 0))), SUM((benchmark_runs.status NOT IN "
        "('completed', 'budget_exceeded', 'cancelled') AND COALESCE(benchmark_runs.failure_category IN "
        "('infrastructure', 'rate_limited', 'workspace', 'validation', 'evaluation', 'setup', 'warmup'), "
        "0))), SUM((benchmark_runs.status NOT IN ('cancelled') AND benchmark_runs.weighted_score IS NOT "
        "NULL)), SUM((benchmark_runs.status NOT IN ('cancelled') AND benchmark_runs.evaluator_errors > 0)), "
        "SUM((benchmark_runs.status NOT IN ('cancelled') AND benchmark_runs.findings > 0)), "
        "SUM((benchmark_runs.total_score IS NOT NULL)), SUM((COALESCE(benchmark_runs.total_score, 0))), "
        "SUM((COALESCE(benchmark_runs.weighted_score, 0))), SUM((benchmark_runs.cost_usd IS NOT NULL)), "
        "SUM((COALESCE(benchmark_runs.cost_usd, 0))), MIN(weighted_score), MAX(weighted_score) FROM "
        "benchmark_runs WHERE (benchmark_runs.status NOT IN ('cancelled')) GROUP BY "
        "COALESCE(benchmark_runs.suite, ''), COALESCE(benchmark_runs.scenario, ''), "
        "COALESCE(benchmark_runs.tier, '')"
    ),
    (
        'CREATE INDEX IF NOT EXISTS "idx_benchmark_runs_suite_scenario_tier_weighted_score" ON '
        '"benchmark_runs" (suite, scenario, tier, weighted_score)'
    ),
    "DROP TRIGGER IF EXISTS agg_items_insert",
    "DROP TRIGGER IF EXISTS agg_items_delete",
    "DROP TABLE IF EXISTS agg_items",
    (
        "CREATE TABLE agg_items (agent TEXT NOT NULL, model TEXT NOT NULL, specialist_name TEXT NOT NULL, "
        "specialist_version TEXT NOT NULL, suite TEXT NOT NULL, scenario TEXT NOT NULL, tier TEXT NOT NULL, "
        "runs INTEGER NOT NULL DEFAULT 0, successful INTEGER NOT NULL DEFAULT 0, completed INTEGER NOT NULL "
        "DEFAULT 0, failed INTEGER NOT NULL DEFAULT 0, agent_failed INTEGER NOT NULL DEFAULT 0, infra_failed "
        "INTEGER NOT NULL DEFAULT 0, scored INTEGER NOT NULL DEFAULT 0, evaluator_errors INTEGER NOT NULL "
        "DEFAULT 0, findings INTEGER NOT NULL DEFAULT 0, total_scored INTEGER NOT NULL DEFAULT 0, "
        "sum_total_score REAL NOT NULL DEFAULT 0, sum_weighted REAL NOT NULL DEFAULT 0, cost_runs INTEGER NOT "
        "NULL DEFAULT 0, sum_cost REAL NOT NULL DEFAULT 0, PRIMARY KEY (agent, model, specialist_name, "
        "specialist_version, suite, scenario, tier))"
    ),
    (
        "CREATE TRIGGER agg_items_insert AFTER INSERT ON benchmark_runs WHEN (NEW.status NOT IN "
        "('cancelled')) BEGIN\n  INSERT INTO agg_items (agent, model, specialist_name, specialist_version, "
        "suite, scenario, tier) VALUES (COALESCE(NEW.agent, ''), COALESCE(NEW.model, ''), "
        "COALESCE(NEW.specialist_name, ''), COALESCE(NEW.specialist_version, ''), COALESCE(NEW.suite, ''), "
        "COALESCE(NEW.scenario, ''), COALESCE(NEW.tier, '')) ON CONFLICT DO NOTHING;\n  UPDATE agg_items SET "
        "runs = runs + (NEW.status NOT IN ('cancelled')), successful = successful + (NEW.status IN "
        "('completed', 'budget_exceeded') AND NEW.is_successful = 1), completed = completed + (NEW.status IN "
        "('completed', 'budget_exceeded')), failed = failed + (NEW.status NOT IN ('completed', "
        "'budget_exceeded', 'cancelled')), agent_failed = agent_failed + (NEW.status NOT IN ('completed', "
        "'budget_exceeded', 'cancelled') AND NOT COALESCE(NEW.failure_category IN ('infrastructure', "
        "'rate_limited', 'workspace', 'validation', 'evaluation', 'setup', 'warmup'), 0)), infra_failed = "
        "infra_failed + (NEW.status NOT IN ('completed', 'budget_exceeded', 'cancelled') AND "
        "COALESCE(NEW.failure_category IN ('infrastructure', 'rate_limited', 'workspace', 'validation', "
        "'evaluation', 'setup', 'warmup'), 0)), scored = scored + (NEW.status NOT IN ('cancelled') AND "
        "NEW.weighted_score IS NOT NULL), evaluator_errors = evaluator_errors + (NEW.status NOT IN "
        "('cancelled') AND NEW.evaluator_errors > 0), findings = findings + (NEW.status NOT IN ('cancelled') "
        "AND NEW.findings > 0), total_scored = total_scored + (NEW.total_score IS NOT NULL), sum_total_score "
        "= sum_total_score + (COALESCE(NEW.total_score, 0)), sum_weighted = sum_weighted + "
        "(COALESCE(NEW.weighted_score, 0)), cost_runs = cost_runs + (NEW.cost_usd IS NOT NULL), sum_cost = "
        "sum_cost + (COALESCE(NEW.cost_usd, 0)) WHERE agent = COALESCE(NEW.agent, '') AND model = "
        "COALESCE(NEW.model, '') AND specialist_name = COALESCE(NEW.specialist_name, '') AND "
        "specialist_version = COALESCE(NEW.specialist_version, '') AND suite = COALESCE(NEW.suite, '') AND "
        "scenario = COALESCE(NEW.scenario, '') AND tier = COALESCE(NEW.tier, '');\nEND"
    ),
    (
        "CREATE TRIGGER agg_items_delete AFTER DELETE ON benchmark_runs WHEN (OLD.status NOT IN "
        "('cancelled')) BEGIN\n  UPDATE agg_items SET runs = runs - (OLD.status NOT IN ('cancelled')), "
        "successful = successful - (OLD.status IN ('completed', 'budget_exceeded') AND OLD.is_successful = "
        "1), completed = completed - (OLD.status IN ('completed', 'budget_exceeded')), failed = failed - "
        "(OLD.status NOT IN ('completed', 'budget_exceeded', 'cancelled')), agent_failed = agent_failed - "
        "(OLD.status NOT IN ('completed', 'budget_exceeded', 'cancelled') AND NOT "
        "COALESCE(OLD.failure_category IN ('infrastructure', 'rate_limited', 'workspace', 'validation', "
        "'evaluation', 'setup', 'warmup'), 0)), infra_failed = infra_failed - (OLD.status NOT IN "
        "('completed', 'budget_exceeded', 'cancelled') AND COALESCE(OLD.failure_category IN "
        "('infrastructure', 'rate_limited', 'workspace', 'validation', 'evaluation', 'setup', 'warmup'), 0)), "
        "scored = scored - (OLD.status NOT IN ('cancelled') AND OLD.weighted_score IS NOT NULL), "
        "evaluator_errors = evaluator_errors - (OLD.status NOT IN ('cancelled') AND OLD.evaluator_errors > "
        "0), findings = findings - (OLD.status NOT IN ('cancelled') AND OLD.findings > 0), total_scored = "
        "total_scored - (OLD.total_score IS NOT NULL), sum_total_score = sum_total_score - "
        "(COALESCE(OLD.total_score, 0)), sum_weighted = sum_weighted - (COALESCE(OLD.weighted_score, 0)), "
        "cost_runs = cost_runs - (OLD.cost_usd IS NOT NULL), sum_cost = sum_cost - (COALESCE(OLD.cost_usd, "
        "0)) WHERE agent = COALESCE(OLD.agent, '') AND model = COALESCE(OLD.model, '') AND specialist_name = "
        "COALESCE(OLD.specialist_name, '') AND specialist_version = COALESCE(OLD.specialist_version, '') AND "
        "suite = COALESCE(OLD.suite, '') AND scenario = COALESCE(OLD.scenario, '') AND tier = "
        "COALESCE(OLD.tier, '');\nEND"
    ),
    (
        "INSERT INTO agg_items (agent, model, specialist_name, specialist_version, suite, scenario, tier, "
        "runs, successful, completed, failed, agent_failed, infra_failed, scored, evaluator_errors, findings, "
        "total_scored, sum_total_score, sum_weighted, cost_runs, sum_cost) SELECT "
        "COALESCE(benchmark_runs.agent, ''), COALESCE(benchmark_runs.model, ''), "
        "COALESCE(benchmark_runs.specialist_name, ''), COALESCE(benchmark_runs.specialist_version, ''), "
        "COALESCE(benchmark_runs.suite, ''), COALESCE(benchmark_runs.scenario, ''), "
        "COALESCE(benchmark_runs.tier, ''), SUM((benchmark_runs.status NOT IN ('cancelled'))), "
        "SUM((benchmark_runs.status IN ('completed', 'budget_exceeded') AND benchmark_runs.is_successful = "
        "1)), SUM((benchmark_runs.status IN ('completed', 'budget_exceeded'))), SUM((benchmark_runs.status "
        "NOT IN ('completed', 'budget_exceeded', 'cancelled'))), SUM((benchmark_runs.status NOT IN "
        "('completed', 'budget_exceeded', 'cancelled') AND NOT COALESCE(benchmark_runs.failure_category IN "
        "('infrastructure', 'rate_limited', 'workspace', 'validation', 'evaluation', 'setup', 'warmup'), "
        "0))), SUM((benchmark_runs.status NOT IN ('completed', 'budget_exceeded', 'cancelled') AND "
        "COALESCE(benchmark_runs.failure_category IN ('infrastructure', 'rate_limited', 'workspace', "
        "'validation', 'evaluation', 'setup', 'warmup'), 0))), SUM((benchmark_runs.status NOT IN "
        "('cancelled') AND benchmark_runs.weighted_score IS NOT NULL)), SUM((benchmark_runs.status NOT IN "
        "('cancelled') AND benchmark_runs.evaluator_errors > 0)), SUM((benchmark_runs.status NOT IN "
        "('cancelled') AND benchmark_runs.findings > 0)), SUM((benchmark_runs.total_score IS NOT NULL)), "
        "SUM((COALESCE(benchmark_runs.total_score, 0))), SUM((COALESCE(benchmark_runs.weighted_score, 0))), "
        "SUM((benchmark_runs.cost_usd IS NOT NULL)), SUM((COALESCE(benchmark_runs.cost_usd, 0))) FROM "
        "benchmark_runs WHERE (benchmark_runs.status NOT IN ('cancelled')) GROUP BY "
        "COALESCE(benchmark_runs.agent, ''), COALESCE(benchmark_runs.model, ''), "
        "COALESCE(benchmark_runs.specialist_name, ''), COALESCE(benchmark_runs.specialist_version, ''), "
        "COALESCE(benchmark_runs.suite, ''), COALESCE(benchmark_runs.scenario, ''), "
        "COALESCE(benchmark_runs.tier, '')"
    ),
    "DROP TRIGGER IF EXISTS agg_status_agents_insert",
    "DROP TRIGGER IF EXISTS agg_status_agents_delete",
    "DROP TABLE IF EXISTS agg_status_agents",
    (
        "CREATE TABLE agg_status_agents (agent TEXT NOT NULL, status TEXT NOT NULL, is_successful INTEGER NOT "
        "NULL, runs INTEGER NOT NULL DEFAULT 0, successful INTEGER NOT NULL DEFAULT 0, completed INTEGER NOT "
        "NULL DEFAULT 0, failed INTEGER NOT NULL DEFAULT 0, agent_failed INTEGER NOT NULL DEFAULT 0, "
        "infra_failed INTEGER NOT NULL DEFAULT 0, scored INTEGER NOT NULL DEFAULT 0, evaluator_errors INTEGER "
        "NOT NULL DEFAULT 0, findings INTEGER NOT NULL DEFAULT 0, total_scored INTEGER NOT NULL DEFAULT 0, "
        "sum_total_score REAL NOT NULL DEFAULT 0, sum_weighted REAL NOT NULL DEFAULT 0, cost_runs INTEGER NOT "
        "NULL DEFAULT 0, sum_cost REAL NOT NULL DEFAULT 0, min_weighted REAL, max_weighted REAL, PRIMARY KEY "
        "(agent, status, is_successful))"
    ),
    (
        "CREATE TRIGGER agg_status_agents_insert AFTER INSERT ON benchmark_runs WHEN (NEW.status NOT IN "
        "('cancelled')) BEGIN\n  INSERT INTO agg_status_agents (agent, status, is_successful) VALUES "
        "(COALESCE(NEW.agent, ''), COALESCE(NEW.status, ''), COALESCE(NEW.is_successful, 0)) ON CONFLICT DO "
        "NOTHING;\n  UPDATE agg_status_agents SET runs = runs + (NEW.status NOT IN ('cancelled')), successful "
        "= successful + (NEW.status IN ('completed', 'budget_exceeded') AND NEW.is_successful = 1), completed "
        "= completed + (NEW.status IN ('completed', 'budget_exceeded')), failed = failed + (NEW.status NOT IN "
        "('completed', 'budget_exceeded', 'cancelled')), agent_failed = agent_failed + (NEW.status NOT IN "
        "('completed', 'budget_exceeded', 'cancelled') AND NOT COALESCE(NEW.failure_category IN "
        "('infrastructure', 'rate_limited', 'workspace', 'validation', 'evaluation', 'setup', 'warmup'), 0)), "
        "infra_failed = infra_failed + (NEW.status NOT IN ('completed', 'budget_exceeded', 'cancelled') AND "
        "COALESCE(NEW.failure_category IN ('infrastructure', 'rate_limited', 'workspace', 'validation', "
        "'evaluation', 'setup', 'warmup'), 0)), scored = scored + (NEW.status NOT IN ('cancelled') AND "
        "NEW.weighted_score IS NOT NULL), evaluator_errors = evaluator_errors + (NEW.status NOT IN "
        "('cancelled') AND NEW.evaluator_errors > 0), findings = findings + (NEW.status NOT IN ('cancelled') "
        "AND NEW.findings > 0), total_scored = total_scored + (NEW.total_score IS NOT NULL), sum_total_score "
        "= sum_total_score + (COALESCE(NEW.total_score, 0)), sum_weighted = sum_weighted + "
        "(COALESCE(NEW.weighted_score, 0)), cost_runs = cost_runs + (NEW.cost_usd IS NOT NULL), sum_cost = "
        "sum_cost + (COALESCE(NEW.cost_usd, 0)), min_weighted = CASE WHEN NEW.weighted_score IS NULL THEN "
        "min_weighted ELSE MIN(COALESCE(min_weighted, NEW.weighted_score), NEW.weighted_score) END, "
        "max_weighted = CASE WHEN NEW.weighted_score IS NULL THEN max_weighted ELSE "
        "MAX(COALESCE(max_weighted, NEW.weighted_score), NEW.weighted_score) END WHERE agent = "
        "COALESCE(NEW.agent, '') AND status = COALESCE(NEW.status, '') AND is_successful = "
        "COALESCE(NEW.is_successful, 0);\nEND"
    ),
    (
        "CREATE TRIGGER agg_status_agents_delete AFTER DELETE ON benchmark_runs WHEN (OLD.status NOT IN "
        "('cancelled')) BEGIN\n  UPDATE agg_status_agents SET runs = runs - (OLD.status NOT IN ('cancelled')), "
        "successful = successful - (OLD.status IN ('completed', 'budget_exceeded') AND OLD.is_successful = "
        "1), completed = completed - (OLD.status IN ('completed', 'budget_exceeded')), failed = failed - "
        "(OLD.status NOT IN ('completed', 'budget_exceeded', 'cancelled')), agent_failed = agent_failed - "
        "(OLD.status NOT IN ('completed', 'budget_exceeded', 'cancelled') AND NOT "
        "COALESCE(OLD.failure_category IN ('infrastructure', 'rate_limited', 'workspace', 'validation', "
        "'evaluation', 'setup', 'warmup'), 0)), infra_failed = infra_failed - (OLD.status NOT IN "
        "('completed', 'budget_exceeded', 'cancelled') AND COALESCE(OLD.failure_category IN "
        "('infrastructure', 'rate_limited', 'workspace', 'validation', 'evaluation', 'setup', 'warmup'), 0)), "
        "scored = scored - (OLD.status NOT IN ('cancelled') AND OLD.weighted_score IS NOT NULL), "
        "evaluator_errors = evaluator_errors - (OLD.status NOT IN ('cancelled') AND OLD.evaluator_errors > "
        "0), findings = findings - (OLD.status NOT IN ('cancelled') AND OLD.findings > 0), total_scored = "
        "total_scored - (OLD.total_score IS NOT NULL), sum_total_score = sum_total_score - "
        "(COALESCE(OLD.total_score, 0)), sum_weighted = sum_weighted - (COALESCE(OLD.weighted_score, 0)), "
        "cost_runs = cost_runs - (OLD.cost_usd IS NOT NULL), sum_cost = sum_cost - (COALESCE(OLD.cost_usd, "
        "0)), min_weighted = (SELECT MIN(weighted_score) FROM benchmark_runs r WHERE r.agent IS OLD.agent AND "
        "r.status IS OLD.status AND r.is_successful IS OLD.is_successful AND (r.status NOT IN "
        "('cancelled'))), max_weighted = (SELECT MAX(weighted_score) FROM benchmark_runs r WHERE r.agent IS "
        "OLD.agent AND r.status IS OLD.status AND r.is_successful IS OLD.is_successful AND (r.status NOT IN "
        "('cancelled'))) WHERE agent = COALESCE(OLD.agent, '') AND status = COALESCE(OLD.status, '') AND "
        "is_successful = COALESCE(OLD.is_successful, 0);\nEND"
    ),
    (
        "INSERT INTO agg_status_agents (agent, status, is_successful, runs, successful, completed, failed, "
        "agent_failed, infra_failed, scored, evaluator_errors, findings, total_scored, sum_total_score, "
        "sum_weighted, cost_runs, sum_cost, min_weighted, max_weighted) SELECT COALESCE(benchmark_runs.agent, "
        "''), COALESCE(benchmark_runs.status, ''), COALESCE(benchmark_runs.is_successful, 0), "
        "SUM((benchmark_runs.status NOT IN ('cancelled'))), SUM((benchmark_runs.status IN ('completed', "
        "'budget_exceeded') AND benchmark_runs.is_successful = 1)), SUM((benchmark_runs.status IN "
        "('completed', 'budget_exceeded'))), SUM((benchmark_runs.status NOT IN ('completed', "
        "'budget_exceeded', 'cancelled'))), SUM((benchmark_runs.status NOT IN ('completed', "
        "'budget_exceeded', 'cancelled') AND NOT COALESCE(benchmark_runs.failure_category IN "
        "('infrastructure', 'rate_limited', 'workspace', 'validation', 'evaluation', 'setup', 'warmup'), "
        "0))), SUM((benchmark_runs.status NOT IN ('completed', 'budget_exceeded', 'cancelled') AND "
        "COALESCE(benchmark_runs.failure_category IN ('infrastructure', 'rate_limited', 'workspace', "
        "'validation', 'evaluation', 'setup', 'warmup'), 0))), SUM((benchmark_runs.status NOT IN "
        "('cancelled') AND benchmark_runs.weighted_score IS NOT NULL)), SUM((benchmark_runs.status NOT IN "
        "('cancelled') AND benchmark_runs.evaluator_errors > 0)), SUM((benchmark_runs.status NOT IN "
        "('cancelled') AND benchmark_runs.findings > 0)), SUM((benchmark_runs.total_score IS NOT NULL)), "
        "SUM((COALESCE(benchmark_runs.total_score, 0))), SUM((COALESCE(benchmark_runs.weighted_score, 0))), "
        "SUM((benchmark_runs.cost_usd IS NOT NULL)), SUM((COALESCE(benchmark_runs.cost_usd, 0))), "
        "MIN(weighted_score), MAX(weighted_score) FROM benchmark_runs WHERE (benchmark_runs.status NOT IN "
        "('cancelled')) GROUP BY COALESCE(benchmark_runs.agent, ''), COALESCE(benchmark_runs.status, ''), "
        "COALESCE(benchmark_runs.is_successful, 0)"
    ),
    (
        'CREATE INDEX IF NOT EXISTS "idx_benchmark_runs_agent_status_is_successful_weighted_score" ON '
        '"benchmark_runs" (agent, status, is_successful, weighted_score)'
    ),
    (
        "UPDATE batch_runs SET total_runs = agg.total_runs, successful_runs = agg.successful_runs, "
        "failed_runs = agg.failed_runs, agent_failed_runs = agg.agent_failed_runs, infra_failed_runs = "
        "agg.infra_failed_runs, scored_runs = agg.scored_runs, evaluator_error_runs = "
        "agg.evaluator_error_runs, finding_runs = agg.finding_runs, avg_score = agg.avg_score, "
        "avg_weighted_score = agg.avg_weighted_score, cancelled_runs = agg.cancelled_runs FROM (SELECT "
        "batch_id, COALESCE(SUM((benchmark_runs.status NOT IN ('cancelled'))) FILTER (WHERE "
        "(benchmark_runs.status NOT IN ('cancelled'))), 0) AS total_runs, COALESCE(SUM((benchmark_runs.status "
        "IN ('completed', 'budget_exceeded') AND benchmark_runs.is_successful = 1)) FILTER (WHERE "
        "(benchmark_runs.status NOT IN ('cancelled'))), 0) AS successful_runs, "
        "COALESCE(SUM((benchmark_runs.status NOT IN ('completed', 'budget_exceeded', 'cancelled'))) FILTER "
        "(WHERE (benchmark_runs.status NOT IN ('cancelled'))), 0) AS failed_runs, "
        "COALESCE(SUM((benchmark_runs.status NOT IN ('completed', 'budget_exceeded', 'cancelled') AND NOT "
        "COALESCE(benchmark_runs.failure_category IN ('infrastructure', 'rate_limited', 'workspace', "
        "'validation', 'evaluation', 'setup', 'warmup'), 0))) FILTER (WHERE (benchmark_runs.status NOT IN "
        "('cancelled'))), 0) AS agent_failed_runs, COALESCE(SUM((benchmark_runs.status NOT IN ('completed', "
        "'budget_exceeded', 'cancelled') AND COALESCE(benchmark_runs.failure_category IN ('infrastructure', "
        "'rate_limited', 'workspace', 'validation', 'evaluation', 'setup', 'warmup'), 0))) FILTER (WHERE "
        "(benchmark_runs.status NOT IN ('cancelled'))), 0) AS infra_failed_runs, "
        "COALESCE(SUM((benchmark_runs.status NOT IN ('cancelled') AND benchmark_runs.weighted_score IS NOT "
        "NULL)) FILTER (WHERE (benchmark_runs.status NOT IN ('cancelled'))), 0) AS scored_runs, "
        "COALESCE(SUM((benchmark_runs.status NOT IN ('cancelled') AND benchmark_runs.evaluator_errors > 0)) "
        "FILTER (WHERE (benchmark_runs.status NOT IN ('cancelled'))), 0) AS evaluator_error_runs, "
        "COALESCE(SUM((benchmark_runs.status NOT IN ('cancelled') AND benchmark_runs.findings > 0)) FILTER "
        "(WHERE (benchmark_runs.status NOT IN ('cancelled'))), 0) AS finding_runs, 1.0 * "
        "COALESCE(SUM((COALESCE(benchmark_runs.total_score, 0))) FILTER (WHERE (benchmark_runs.status NOT IN "
        "('cancelled'))), 0) / NULLIF(COALESCE(SUM((benchmark_runs.total_score IS NOT NULL)) FILTER (WHERE "
        "(benchmark_runs.status NOT IN ('cancelled'))), 0), 0) AS avg_score, 1.0 * "
        "COALESCE(SUM((COALESCE(benchmark_runs.weighted_score, 0))) FILTER (WHERE (benchmark_runs.status NOT "
        "IN ('cancelled'))), 0) / NULLIF(COALESCE(SUM((benchmark_runs.status NOT IN ('cancelled') AND "
        "benchmark_runs.weighted_score IS NOT NULL)) FILTER (WHERE (benchmark_runs.status NOT IN "
        "('cancelled'))), 0), 0) AS avg_weighted_score, COALESCE(SUM((benchmark_runs.status IN "
        "('cancelled'))), 0) AS cancelled_runs FROM benchmark_runs WHERE batch_id IS NOT NULL GROUP BY "
        "batch_id) AS agg WHERE batch_runs.batch_id = agg.batch_id"
    ),
)
#: The index m011 made for agg_agents' minimum and maximum per configuration, keyed by agent and model only: the one
#: above, keyed by the whole configuration, replaces it.
_M013_DROPPED = ("DROP INDEX IF EXISTS idx_benchmark_runs_agent_model_weighted_score",)


@migrations()
def m013_specialist_in_the_configuration(db: sqlite_utils.Database) -> None:
    """The specialist joins the run's configuration (issue 24): runs with and without a specialist, or with two
    versions of one, never pool. agg_agents and agg_items are keyed by agent, model, specialist name and version
    ('' without one), their triggers and contents rebuilt from the runs; the other summaries and every batch's
    figures are rebuilt as they were."""
    _execute(db, _M013)
    _execute(db, _M013_DROPPED)
