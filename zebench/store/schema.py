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


#: Generated by store.sql.summaries_sql (``python -m zebench.store``) with the summaries at scale (issue 25: the
#: batch's groups and failures, evaluations and telemetry, days and score bins) over main's declarations (findings
#: counted, the specialist in the configuration), and frozen here.
_M014 = (
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
    "DROP TRIGGER IF EXISTS agg_batch_groups_insert",
    "DROP TRIGGER IF EXISTS agg_batch_groups_delete",
    "DROP TABLE IF EXISTS agg_batch_groups",
    (
        "CREATE TABLE agg_batch_groups (batch_id TEXT NOT NULL, agent TEXT NOT NULL, model TEXT NOT NULL, "
        "specialist_name TEXT NOT NULL, specialist_version TEXT NOT NULL, suite TEXT NOT NULL, tier TEXT NOT "
        "NULL, runs INTEGER NOT NULL DEFAULT 0, successful INTEGER NOT NULL DEFAULT 0, completed INTEGER NOT "
        "NULL DEFAULT 0, failed INTEGER NOT NULL DEFAULT 0, agent_failed INTEGER NOT NULL DEFAULT 0, "
        "infra_failed INTEGER NOT NULL DEFAULT 0, scored INTEGER NOT NULL DEFAULT 0, evaluator_errors INTEGER "
        "NOT NULL DEFAULT 0, findings INTEGER NOT NULL DEFAULT 0, total_scored INTEGER NOT NULL DEFAULT 0, "
        "sum_total_score REAL NOT NULL DEFAULT 0, sum_weighted REAL NOT NULL DEFAULT 0, cost_runs INTEGER NOT "
        "NULL DEFAULT 0, sum_cost REAL NOT NULL DEFAULT 0, PRIMARY KEY (batch_id, agent, model, "
        "specialist_name, specialist_version, suite, tier))"
    ),
    (
        "CREATE TRIGGER agg_batch_groups_insert AFTER INSERT ON benchmark_runs WHEN (NEW.status NOT IN "
        "('cancelled')) BEGIN\n  INSERT INTO agg_batch_groups (batch_id, agent, model, specialist_name, "
        "specialist_version, suite, tier) VALUES (COALESCE(NEW.batch_id, ''), COALESCE(NEW.agent, ''), "
        "COALESCE(NEW.model, ''), COALESCE(NEW.specialist_name, ''), COALESCE(NEW.specialist_version, ''), "
        "COALESCE(NEW.suite, ''), COALESCE(NEW.tier, '')) ON CONFLICT DO NOTHING;\n  UPDATE agg_batch_groups "
        "SET runs = runs + (NEW.status NOT IN ('cancelled')), successful = successful + (NEW.status IN "
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
        "sum_cost + (COALESCE(NEW.cost_usd, 0)) WHERE batch_id = COALESCE(NEW.batch_id, '') AND agent = "
        "COALESCE(NEW.agent, '') AND model = COALESCE(NEW.model, '') AND specialist_name = "
        "COALESCE(NEW.specialist_name, '') AND specialist_version = COALESCE(NEW.specialist_version, '') AND "
        "suite = COALESCE(NEW.suite, '') AND tier = COALESCE(NEW.tier, '');\nEND"
    ),
    (
        "CREATE TRIGGER agg_batch_groups_delete AFTER DELETE ON benchmark_runs WHEN (OLD.status NOT IN "
        "('cancelled')) BEGIN\n  UPDATE agg_batch_groups SET runs = runs - (OLD.status NOT IN ('cancelled')), "
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
        "0)) WHERE batch_id = COALESCE(OLD.batch_id, '') AND agent = COALESCE(OLD.agent, '') AND model = "
        "COALESCE(OLD.model, '') AND specialist_name = COALESCE(OLD.specialist_name, '') AND "
        "specialist_version = COALESCE(OLD.specialist_version, '') AND suite = COALESCE(OLD.suite, '') AND "
        "tier = COALESCE(OLD.tier, '');\nEND"
    ),
    (
        "INSERT INTO agg_batch_groups (batch_id, agent, model, specialist_name, specialist_version, suite, "
        "tier, runs, successful, completed, failed, agent_failed, infra_failed, scored, evaluator_errors, "
        "findings, total_scored, sum_total_score, sum_weighted, cost_runs, sum_cost) SELECT "
        "COALESCE(benchmark_runs.batch_id, ''), COALESCE(benchmark_runs.agent, ''), "
        "COALESCE(benchmark_runs.model, ''), COALESCE(benchmark_runs.specialist_name, ''), "
        "COALESCE(benchmark_runs.specialist_version, ''), COALESCE(benchmark_runs.suite, ''), "
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
        "COALESCE(benchmark_runs.batch_id, ''), COALESCE(benchmark_runs.agent, ''), "
        "COALESCE(benchmark_runs.model, ''), COALESCE(benchmark_runs.specialist_name, ''), "
        "COALESCE(benchmark_runs.specialist_version, ''), COALESCE(benchmark_runs.suite, ''), "
        "COALESCE(benchmark_runs.tier, '')"
    ),
    "DROP TRIGGER IF EXISTS agg_batch_failures_insert",
    "DROP TRIGGER IF EXISTS agg_batch_failures_delete",
    "DROP TABLE IF EXISTS agg_batch_failures",
    (
        "CREATE TABLE agg_batch_failures (batch_id TEXT NOT NULL, failure_category TEXT NOT NULL, runs "
        "INTEGER NOT NULL DEFAULT 0, successful INTEGER NOT NULL DEFAULT 0, completed INTEGER NOT NULL "
        "DEFAULT 0, failed INTEGER NOT NULL DEFAULT 0, agent_failed INTEGER NOT NULL DEFAULT 0, infra_failed "
        "INTEGER NOT NULL DEFAULT 0, scored INTEGER NOT NULL DEFAULT 0, evaluator_errors INTEGER NOT NULL "
        "DEFAULT 0, findings INTEGER NOT NULL DEFAULT 0, total_scored INTEGER NOT NULL DEFAULT 0, "
        "sum_total_score REAL NOT NULL DEFAULT 0, sum_weighted REAL NOT NULL DEFAULT 0, cost_runs INTEGER NOT "
        "NULL DEFAULT 0, sum_cost REAL NOT NULL DEFAULT 0, PRIMARY KEY (batch_id, failure_category))"
    ),
    (
        "CREATE TRIGGER agg_batch_failures_insert AFTER INSERT ON benchmark_runs WHEN (NEW.status NOT IN "
        "('cancelled')) BEGIN\n  INSERT INTO agg_batch_failures (batch_id, failure_category) VALUES "
        "(COALESCE(NEW.batch_id, ''), COALESCE(NEW.failure_category, '')) ON CONFLICT DO NOTHING;\n  UPDATE "
        "agg_batch_failures SET runs = runs + (NEW.status NOT IN ('cancelled')), successful = successful + "
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
        "sum_cost + (COALESCE(NEW.cost_usd, 0)) WHERE batch_id = COALESCE(NEW.batch_id, '') AND "
        "failure_category = COALESCE(NEW.failure_category, '');\nEND"
    ),
    (
        "CREATE TRIGGER agg_batch_failures_delete AFTER DELETE ON benchmark_runs WHEN (OLD.status NOT IN "
        "('cancelled')) BEGIN\n  UPDATE agg_batch_failures SET runs = runs - (OLD.status NOT IN "
        "('cancelled')), successful = successful - (OLD.status IN ('completed', 'budget_exceeded') AND "
        "OLD.is_successful = 1), completed = completed - (OLD.status IN ('completed', 'budget_exceeded')), "
        "failed = failed - (OLD.status NOT IN ('completed', 'budget_exceeded', 'cancelled')), agent_failed = "
        "agent_failed - (OLD.status NOT IN ('completed', 'budget_exceeded', 'cancelled') AND NOT "
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
        "0)) WHERE batch_id = COALESCE(OLD.batch_id, '') AND failure_category = "
        "COALESCE(OLD.failure_category, '');\nEND"
    ),
    (
        "INSERT INTO agg_batch_failures (batch_id, failure_category, runs, successful, completed, failed, "
        "agent_failed, infra_failed, scored, evaluator_errors, findings, total_scored, sum_total_score, "
        "sum_weighted, cost_runs, sum_cost) SELECT COALESCE(benchmark_runs.batch_id, ''), "
        "COALESCE(benchmark_runs.failure_category, ''), SUM((benchmark_runs.status NOT IN ('cancelled'))), "
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
        "COALESCE(benchmark_runs.batch_id, ''), COALESCE(benchmark_runs.failure_category, '')"
    ),
    "DROP TRIGGER IF EXISTS agg_days_insert",
    "DROP TRIGGER IF EXISTS agg_days_delete",
    "DROP TABLE IF EXISTS agg_days",
    (
        "CREATE TABLE agg_days (day TEXT NOT NULL, agent TEXT NOT NULL, model TEXT NOT NULL, specialist_name "
        "TEXT NOT NULL, specialist_version TEXT NOT NULL, runs INTEGER NOT NULL DEFAULT 0, successful INTEGER "
        "NOT NULL DEFAULT 0, completed INTEGER NOT NULL DEFAULT 0, failed INTEGER NOT NULL DEFAULT 0, "
        "agent_failed INTEGER NOT NULL DEFAULT 0, infra_failed INTEGER NOT NULL DEFAULT 0, scored INTEGER NOT "
        "NULL DEFAULT 0, evaluator_errors INTEGER NOT NULL DEFAULT 0, findings INTEGER NOT NULL DEFAULT 0, "
        "total_scored INTEGER NOT NULL DEFAULT 0, sum_total_score REAL NOT NULL DEFAULT 0, sum_weighted REAL "
        "NOT NULL DEFAULT 0, cost_runs INTEGER NOT NULL DEFAULT 0, sum_cost REAL NOT NULL DEFAULT 0, PRIMARY "
        "KEY (day, agent, model, specialist_name, specialist_version))"
    ),
    (
        "CREATE TRIGGER agg_days_insert AFTER INSERT ON benchmark_runs WHEN (NEW.status NOT IN ('cancelled')) "
        "BEGIN\n  INSERT INTO agg_days (day, agent, model, specialist_name, specialist_version) VALUES "
        "(COALESCE(substr(NEW.started_at, 1, 10), ''), COALESCE(NEW.agent, ''), COALESCE(NEW.model, ''), "
        "COALESCE(NEW.specialist_name, ''), COALESCE(NEW.specialist_version, '')) ON CONFLICT DO NOTHING;\n  "
        "UPDATE agg_days SET runs = runs + (NEW.status NOT IN ('cancelled')), successful = successful + "
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
        "sum_cost + (COALESCE(NEW.cost_usd, 0)) WHERE day = COALESCE(substr(NEW.started_at, 1, 10), '') AND "
        "agent = COALESCE(NEW.agent, '') AND model = COALESCE(NEW.model, '') AND specialist_name = "
        "COALESCE(NEW.specialist_name, '') AND specialist_version = COALESCE(NEW.specialist_version, '');\nEND"
    ),
    (
        "CREATE TRIGGER agg_days_delete AFTER DELETE ON benchmark_runs WHEN (OLD.status NOT IN ('cancelled')) "
        "BEGIN\n  UPDATE agg_days SET runs = runs - (OLD.status NOT IN ('cancelled')), successful = successful "
        "- (OLD.status IN ('completed', 'budget_exceeded') AND OLD.is_successful = 1), completed = completed "
        "- (OLD.status IN ('completed', 'budget_exceeded')), failed = failed - (OLD.status NOT IN "
        "('completed', 'budget_exceeded', 'cancelled')), agent_failed = agent_failed - (OLD.status NOT IN "
        "('completed', 'budget_exceeded', 'cancelled') AND NOT COALESCE(OLD.failure_category IN "
        "('infrastructure', 'rate_limited', 'workspace', 'validation', 'evaluation', 'setup', 'warmup'), 0)), "
        "infra_failed = infra_failed - (OLD.status NOT IN ('completed', 'budget_exceeded', 'cancelled') AND "
        "COALESCE(OLD.failure_category IN ('infrastructure', 'rate_limited', 'workspace', 'validation', "
        "'evaluation', 'setup', 'warmup'), 0)), scored = scored - (OLD.status NOT IN ('cancelled') AND "
        "OLD.weighted_score IS NOT NULL), evaluator_errors = evaluator_errors - (OLD.status NOT IN "
        "('cancelled') AND OLD.evaluator_errors > 0), findings = findings - (OLD.status NOT IN ('cancelled') "
        "AND OLD.findings > 0), total_scored = total_scored - (OLD.total_score IS NOT NULL), sum_total_score "
        "= sum_total_score - (COALESCE(OLD.total_score, 0)), sum_weighted = sum_weighted - "
        "(COALESCE(OLD.weighted_score, 0)), cost_runs = cost_runs - (OLD.cost_usd IS NOT NULL), sum_cost = "
        "sum_cost - (COALESCE(OLD.cost_usd, 0)) WHERE day = COALESCE(substr(OLD.started_at, 1, 10), '') AND "
        "agent = COALESCE(OLD.agent, '') AND model = COALESCE(OLD.model, '') AND specialist_name = "
        "COALESCE(OLD.specialist_name, '') AND specialist_version = COALESCE(OLD.specialist_version, '');\nEND"
    ),
    (
        "INSERT INTO agg_days (day, agent, model, specialist_name, specialist_version, runs, successful, "
        "completed, failed, agent_failed, infra_failed, scored, evaluator_errors, findings, total_scored, "
        "sum_total_score, sum_weighted, cost_runs, sum_cost) SELECT "
        "COALESCE(substr(benchmark_runs.started_at, 1, 10), ''), COALESCE(benchmark_runs.agent, ''), "
        "COALESCE(benchmark_runs.model, ''), COALESCE(benchmark_runs.specialist_name, ''), "
        "COALESCE(benchmark_runs.specialist_version, ''), SUM((benchmark_runs.status NOT IN ('cancelled'))), "
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
        "COALESCE(substr(benchmark_runs.started_at, 1, 10), ''), COALESCE(benchmark_runs.agent, ''), "
        "COALESCE(benchmark_runs.model, ''), COALESCE(benchmark_runs.specialist_name, ''), "
        "COALESCE(benchmark_runs.specialist_version, '')"
    ),
    "DROP TRIGGER IF EXISTS agg_score_bins_insert",
    "DROP TRIGGER IF EXISTS agg_score_bins_delete",
    "DROP TABLE IF EXISTS agg_score_bins",
    (
        "CREATE TABLE agg_score_bins (score_bin INTEGER NOT NULL, runs INTEGER NOT NULL DEFAULT 0, successful "
        "INTEGER NOT NULL DEFAULT 0, completed INTEGER NOT NULL DEFAULT 0, failed INTEGER NOT NULL DEFAULT 0, "
        "agent_failed INTEGER NOT NULL DEFAULT 0, infra_failed INTEGER NOT NULL DEFAULT 0, scored INTEGER NOT "
        "NULL DEFAULT 0, evaluator_errors INTEGER NOT NULL DEFAULT 0, findings INTEGER NOT NULL DEFAULT 0, "
        "total_scored INTEGER NOT NULL DEFAULT 0, sum_total_score REAL NOT NULL DEFAULT 0, sum_weighted REAL "
        "NOT NULL DEFAULT 0, cost_runs INTEGER NOT NULL DEFAULT 0, sum_cost REAL NOT NULL DEFAULT 0, PRIMARY "
        "KEY (score_bin))"
    ),
    (
        "CREATE TRIGGER agg_score_bins_insert AFTER INSERT ON benchmark_runs WHEN (NEW.status NOT IN "
        "('cancelled')) BEGIN\n  INSERT INTO agg_score_bins (score_bin) VALUES "
        "(COALESCE(MIN(CAST(NEW.weighted_score AS INTEGER), 9), -1)) ON CONFLICT DO NOTHING;\n  UPDATE "
        "agg_score_bins SET runs = runs + (NEW.status NOT IN ('cancelled')), successful = successful + "
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
        "sum_cost + (COALESCE(NEW.cost_usd, 0)) WHERE score_bin = COALESCE(MIN(CAST(NEW.weighted_score AS "
        "INTEGER), 9), -1);\nEND"
    ),
    (
        "CREATE TRIGGER agg_score_bins_delete AFTER DELETE ON benchmark_runs WHEN (OLD.status NOT IN "
        "('cancelled')) BEGIN\n  UPDATE agg_score_bins SET runs = runs - (OLD.status NOT IN ('cancelled')), "
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
        "0)) WHERE score_bin = COALESCE(MIN(CAST(OLD.weighted_score AS INTEGER), 9), -1);\nEND"
    ),
    (
        "INSERT INTO agg_score_bins (score_bin, runs, successful, completed, failed, agent_failed, "
        "infra_failed, scored, evaluator_errors, findings, total_scored, sum_total_score, sum_weighted, "
        "cost_runs, sum_cost) SELECT COALESCE(MIN(CAST(benchmark_runs.weighted_score AS INTEGER), 9), -1), "
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
        "SUM((benchmark_runs.cost_usd IS NOT NULL)), SUM((COALESCE(benchmark_runs.cost_usd, 0))) FROM "
        "benchmark_runs WHERE (benchmark_runs.status NOT IN ('cancelled')) GROUP BY "
        "COALESCE(MIN(CAST(benchmark_runs.weighted_score AS INTEGER), 9), -1)"
    ),
    "DROP TRIGGER IF EXISTS agg_evaluations_insert",
    "DROP TRIGGER IF EXISTS agg_evaluations_delete",
    "DROP TRIGGER IF EXISTS agg_evaluations_run_insert",
    "DROP TRIGGER IF EXISTS agg_evaluations_run_delete",
    "DROP TABLE IF EXISTS agg_evaluations",
    (
        "CREATE TABLE agg_evaluations (batch_id TEXT NOT NULL, agent TEXT NOT NULL, model TEXT NOT NULL, "
        "specialist_name TEXT NOT NULL, specialist_version TEXT NOT NULL, evaluator_name TEXT NOT NULL, kind "
        "TEXT NOT NULL, evaluations INTEGER NOT NULL DEFAULT 0, applicable INTEGER NOT NULL DEFAULT 0, "
        "weight_sum REAL NOT NULL DEFAULT 0, app_scores INTEGER NOT NULL DEFAULT 0, app_score_sum REAL NOT "
        "NULL DEFAULT 0, app_full INTEGER NOT NULL DEFAULT 0, errors INTEGER NOT NULL DEFAULT 0, cost_rows "
        "INTEGER NOT NULL DEFAULT 0, cost_usd REAL NOT NULL DEFAULT 0, ran INTEGER NOT NULL DEFAULT 0, "
        "ran_scores INTEGER NOT NULL DEFAULT 0, ran_score_sum REAL NOT NULL DEFAULT 0, PRIMARY KEY (batch_id, "
        "agent, model, specialist_name, specialist_version, evaluator_name, kind))"
    ),
    (
        "CREATE TRIGGER agg_evaluations_insert AFTER INSERT ON evaluation_results BEGIN\n  INSERT INTO "
        "agg_evaluations (batch_id, agent, model, specialist_name, specialist_version, evaluator_name, kind) "
        "SELECT COALESCE(r.batch_id, ''), COALESCE(r.agent, ''), COALESCE(r.model, ''), "
        "COALESCE(r.specialist_name, ''), COALESCE(r.specialist_version, ''), COALESCE(NEW.evaluator_name, "
        "''), COALESCE(NEW.kind, '') FROM benchmark_runs r WHERE r.run_id = NEW.run_id AND (r.status NOT IN "
        "('cancelled')) ON CONFLICT DO NOTHING;\n  UPDATE agg_evaluations SET evaluations = evaluations + "
        "COALESCE(1, 0), applicable = applicable + COALESCE(NEW.applicable, 0), weight_sum = weight_sum + "
        "COALESCE(NEW.weight, 0), app_scores = app_scores + COALESCE(NEW.applicable AND NEW.normalized_score "
        "IS NOT NULL, 0), app_score_sum = app_score_sum + COALESCE(CASE WHEN NEW.applicable THEN "
        "NEW.normalized_score END, 0), app_full = app_full + COALESCE(CASE WHEN NEW.applicable THEN "
        "NEW.normalized_score = 1.0 END, 0), errors = errors + COALESCE(NEW.error IS NOT NULL, 0), cost_rows "
        "= cost_rows + COALESCE(NEW.cost_usd IS NOT NULL, 0), cost_usd = cost_usd + COALESCE(NEW.cost_usd, "
        "0), ran = ran + COALESCE((NEW.applicable OR NEW.error IS NOT NULL), 0), ran_scores = ran_scores + "
        "COALESCE((NEW.applicable OR NEW.error IS NOT NULL) AND NEW.normalized_score IS NOT NULL, 0), "
        "ran_score_sum = ran_score_sum + COALESCE(CASE WHEN (NEW.applicable OR NEW.error IS NOT NULL) THEN "
        "NEW.normalized_score END, 0) FROM (SELECT COALESCE(r.batch_id, '') AS batch_id, COALESCE(r.agent, "
        "'') AS agent, COALESCE(r.model, '') AS model, COALESCE(r.specialist_name, '') AS specialist_name, "
        "COALESCE(r.specialist_version, '') AS specialist_version, COALESCE(NEW.evaluator_name, '') AS "
        "evaluator_name, COALESCE(NEW.kind, '') AS kind FROM benchmark_runs r WHERE r.run_id = NEW.run_id AND "
        "(r.status NOT IN ('cancelled'))) AS k WHERE agg_evaluations.batch_id = k.batch_id AND "
        "agg_evaluations.agent = k.agent AND agg_evaluations.model = k.model AND "
        "agg_evaluations.specialist_name = k.specialist_name AND agg_evaluations.specialist_version = "
        "k.specialist_version AND agg_evaluations.evaluator_name = k.evaluator_name AND agg_evaluations.kind "
        "= k.kind;\nEND"
    ),
    (
        "CREATE TRIGGER agg_evaluations_delete AFTER DELETE ON evaluation_results BEGIN\n  UPDATE "
        "agg_evaluations SET evaluations = evaluations - COALESCE(1, 0), applicable = applicable - "
        "COALESCE(OLD.applicable, 0), weight_sum = weight_sum - COALESCE(OLD.weight, 0), app_scores = "
        "app_scores - COALESCE(OLD.applicable AND OLD.normalized_score IS NOT NULL, 0), app_score_sum = "
        "app_score_sum - COALESCE(CASE WHEN OLD.applicable THEN OLD.normalized_score END, 0), app_full = "
        "app_full - COALESCE(CASE WHEN OLD.applicable THEN OLD.normalized_score = 1.0 END, 0), errors = "
        "errors - COALESCE(OLD.error IS NOT NULL, 0), cost_rows = cost_rows - COALESCE(OLD.cost_usd IS NOT "
        "NULL, 0), cost_usd = cost_usd - COALESCE(OLD.cost_usd, 0), ran = ran - COALESCE((OLD.applicable OR "
        "OLD.error IS NOT NULL), 0), ran_scores = ran_scores - COALESCE((OLD.applicable OR OLD.error IS NOT "
        "NULL) AND OLD.normalized_score IS NOT NULL, 0), ran_score_sum = ran_score_sum - COALESCE(CASE WHEN "
        "(OLD.applicable OR OLD.error IS NOT NULL) THEN OLD.normalized_score END, 0) FROM (SELECT "
        "COALESCE(r.batch_id, '') AS batch_id, COALESCE(r.agent, '') AS agent, COALESCE(r.model, '') AS "
        "model, COALESCE(r.specialist_name, '') AS specialist_name, COALESCE(r.specialist_version, '') AS "
        "specialist_version, COALESCE(OLD.evaluator_name, '') AS evaluator_name, COALESCE(OLD.kind, '') AS "
        "kind FROM benchmark_runs r WHERE r.run_id = OLD.run_id AND (r.status NOT IN ('cancelled'))) AS k "
        "WHERE agg_evaluations.batch_id = k.batch_id AND agg_evaluations.agent = k.agent AND "
        "agg_evaluations.model = k.model AND agg_evaluations.specialist_name = k.specialist_name AND "
        "agg_evaluations.specialist_version = k.specialist_version AND agg_evaluations.evaluator_name = "
        "k.evaluator_name AND agg_evaluations.kind = k.kind;\nEND"
    ),
    (
        "CREATE TRIGGER agg_evaluations_run_insert AFTER INSERT ON benchmark_runs WHEN (NEW.status NOT IN "
        "('cancelled')) BEGIN\n  INSERT INTO agg_evaluations (batch_id, agent, model, specialist_name, "
        "specialist_version, evaluator_name, kind) SELECT DISTINCT COALESCE(NEW.batch_id, ''), "
        "COALESCE(NEW.agent, ''), COALESCE(NEW.model, ''), COALESCE(NEW.specialist_name, ''), "
        "COALESCE(NEW.specialist_version, ''), COALESCE(p.evaluator_name, ''), COALESCE(p.kind, '') FROM "
        "evaluation_results p WHERE p.run_id = NEW.run_id ON CONFLICT DO NOTHING;\n  UPDATE agg_evaluations "
        "SET evaluations = agg_evaluations.evaluations + k.evaluations, applicable = "
        "agg_evaluations.applicable + k.applicable, weight_sum = agg_evaluations.weight_sum + k.weight_sum, "
        "app_scores = agg_evaluations.app_scores + k.app_scores, app_score_sum = "
        "agg_evaluations.app_score_sum + k.app_score_sum, app_full = agg_evaluations.app_full + k.app_full, "
        "errors = agg_evaluations.errors + k.errors, cost_rows = agg_evaluations.cost_rows + k.cost_rows, "
        "cost_usd = agg_evaluations.cost_usd + k.cost_usd, ran = agg_evaluations.ran + k.ran, ran_scores = "
        "agg_evaluations.ran_scores + k.ran_scores, ran_score_sum = agg_evaluations.ran_score_sum + "
        "k.ran_score_sum FROM (SELECT COALESCE(p.evaluator_name, '') AS evaluator_name, COALESCE(p.kind, '') "
        "AS kind, SUM(COALESCE(1, 0)) AS evaluations, SUM(COALESCE(p.applicable, 0)) AS applicable, "
        "SUM(COALESCE(p.weight, 0)) AS weight_sum, SUM(COALESCE(p.applicable AND p.normalized_score IS NOT "
        "NULL, 0)) AS app_scores, SUM(COALESCE(CASE WHEN p.applicable THEN p.normalized_score END, 0)) AS "
        "app_score_sum, SUM(COALESCE(CASE WHEN p.applicable THEN p.normalized_score = 1.0 END, 0)) AS "
        "app_full, SUM(COALESCE(p.error IS NOT NULL, 0)) AS errors, SUM(COALESCE(p.cost_usd IS NOT NULL, 0)) "
        "AS cost_rows, SUM(COALESCE(p.cost_usd, 0)) AS cost_usd, SUM(COALESCE((p.applicable OR p.error IS NOT "
        "NULL), 0)) AS ran, SUM(COALESCE((p.applicable OR p.error IS NOT NULL) AND p.normalized_score IS NOT "
        "NULL, 0)) AS ran_scores, SUM(COALESCE(CASE WHEN (p.applicable OR p.error IS NOT NULL) THEN "
        "p.normalized_score END, 0)) AS ran_score_sum FROM evaluation_results p WHERE p.run_id = NEW.run_id "
        "GROUP BY p.run_id, COALESCE(p.evaluator_name, ''), COALESCE(p.kind, '')) AS k WHERE "
        "agg_evaluations.batch_id = COALESCE(NEW.batch_id, '') AND agg_evaluations.agent = "
        "COALESCE(NEW.agent, '') AND agg_evaluations.model = COALESCE(NEW.model, '') AND "
        "agg_evaluations.specialist_name = COALESCE(NEW.specialist_name, '') AND "
        "agg_evaluations.specialist_version = COALESCE(NEW.specialist_version, '') AND "
        "agg_evaluations.evaluator_name = k.evaluator_name AND agg_evaluations.kind = k.kind;\nEND"
    ),
    (
        "CREATE TRIGGER agg_evaluations_run_delete AFTER DELETE ON benchmark_runs WHEN (OLD.status NOT IN "
        "('cancelled')) BEGIN\n  UPDATE agg_evaluations SET evaluations = agg_evaluations.evaluations - "
        "k.evaluations, applicable = agg_evaluations.applicable - k.applicable, weight_sum = "
        "agg_evaluations.weight_sum - k.weight_sum, app_scores = agg_evaluations.app_scores - k.app_scores, "
        "app_score_sum = agg_evaluations.app_score_sum - k.app_score_sum, app_full = agg_evaluations.app_full "
        "- k.app_full, errors = agg_evaluations.errors - k.errors, cost_rows = agg_evaluations.cost_rows - "
        "k.cost_rows, cost_usd = agg_evaluations.cost_usd - k.cost_usd, ran = agg_evaluations.ran - k.ran, "
        "ran_scores = agg_evaluations.ran_scores - k.ran_scores, ran_score_sum = "
        "agg_evaluations.ran_score_sum - k.ran_score_sum FROM (SELECT COALESCE(p.evaluator_name, '') AS "
        "evaluator_name, COALESCE(p.kind, '') AS kind, SUM(COALESCE(1, 0)) AS evaluations, "
        "SUM(COALESCE(p.applicable, 0)) AS applicable, SUM(COALESCE(p.weight, 0)) AS weight_sum, "
        "SUM(COALESCE(p.applicable AND p.normalized_score IS NOT NULL, 0)) AS app_scores, SUM(COALESCE(CASE "
        "WHEN p.applicable THEN p.normalized_score END, 0)) AS app_score_sum, SUM(COALESCE(CASE WHEN "
        "p.applicable THEN p.normalized_score = 1.0 END, 0)) AS app_full, SUM(COALESCE(p.error IS NOT NULL, "
        "0)) AS errors, SUM(COALESCE(p.cost_usd IS NOT NULL, 0)) AS cost_rows, SUM(COALESCE(p.cost_usd, 0)) "
        "AS cost_usd, SUM(COALESCE((p.applicable OR p.error IS NOT NULL), 0)) AS ran, "
        "SUM(COALESCE((p.applicable OR p.error IS NOT NULL) AND p.normalized_score IS NOT NULL, 0)) AS "
        "ran_scores, SUM(COALESCE(CASE WHEN (p.applicable OR p.error IS NOT NULL) THEN p.normalized_score "
        "END, 0)) AS ran_score_sum FROM evaluation_results p WHERE p.run_id = OLD.run_id GROUP BY p.run_id, "
        "COALESCE(p.evaluator_name, ''), COALESCE(p.kind, '')) AS k WHERE agg_evaluations.batch_id = "
        "COALESCE(OLD.batch_id, '') AND agg_evaluations.agent = COALESCE(OLD.agent, '') AND "
        "agg_evaluations.model = COALESCE(OLD.model, '') AND agg_evaluations.specialist_name = "
        "COALESCE(OLD.specialist_name, '') AND agg_evaluations.specialist_version = "
        "COALESCE(OLD.specialist_version, '') AND agg_evaluations.evaluator_name = k.evaluator_name AND "
        "agg_evaluations.kind = k.kind;\nEND"
    ),
    (
        "INSERT INTO agg_evaluations (batch_id, agent, model, specialist_name, specialist_version, "
        "evaluator_name, kind, evaluations, applicable, weight_sum, app_scores, app_score_sum, app_full, "
        "errors, cost_rows, cost_usd, ran, ran_scores, ran_score_sum) SELECT COALESCE(r.batch_id, ''), "
        "COALESCE(r.agent, ''), COALESCE(r.model, ''), COALESCE(r.specialist_name, ''), "
        "COALESCE(r.specialist_version, ''), COALESCE(p.evaluator_name, ''), COALESCE(p.kind, ''), "
        "SUM(COALESCE(1, 0)), SUM(COALESCE(p.applicable, 0)), SUM(COALESCE(p.weight, 0)), "
        "SUM(COALESCE(p.applicable AND p.normalized_score IS NOT NULL, 0)), SUM(COALESCE(CASE WHEN "
        "p.applicable THEN p.normalized_score END, 0)), SUM(COALESCE(CASE WHEN p.applicable THEN "
        "p.normalized_score = 1.0 END, 0)), SUM(COALESCE(p.error IS NOT NULL, 0)), SUM(COALESCE(p.cost_usd IS "
        "NOT NULL, 0)), SUM(COALESCE(p.cost_usd, 0)), SUM(COALESCE((p.applicable OR p.error IS NOT NULL), "
        "0)), SUM(COALESCE((p.applicable OR p.error IS NOT NULL) AND p.normalized_score IS NOT NULL, 0)), "
        "SUM(COALESCE(CASE WHEN (p.applicable OR p.error IS NOT NULL) THEN p.normalized_score END, 0)) FROM "
        "benchmark_runs r CROSS JOIN evaluation_results p ON p.run_id = r.run_id WHERE (r.status NOT IN "
        "('cancelled')) GROUP BY COALESCE(r.batch_id, ''), COALESCE(r.agent, ''), COALESCE(r.model, ''), "
        "COALESCE(r.specialist_name, ''), COALESCE(r.specialist_version, ''), COALESCE(p.evaluator_name, ''), "
        "COALESCE(p.kind, '')"
    ),
    "DROP TRIGGER IF EXISTS agg_telemetry_insert",
    "DROP TRIGGER IF EXISTS agg_telemetry_delete",
    "DROP TRIGGER IF EXISTS agg_telemetry_run_insert",
    "DROP TRIGGER IF EXISTS agg_telemetry_run_delete",
    "DROP TABLE IF EXISTS agg_telemetry",
    (
        "CREATE TABLE agg_telemetry (agent TEXT NOT NULL, model TEXT NOT NULL, specialist_name TEXT NOT NULL, "
        "specialist_version TEXT NOT NULL, judge_cost_usd REAL NOT NULL DEFAULT 0, judge_cost_usd_rows "
        "INTEGER NOT NULL DEFAULT 0, tokens_in INTEGER NOT NULL DEFAULT 0, tokens_in_rows INTEGER NOT NULL "
        "DEFAULT 0, tokens_out INTEGER NOT NULL DEFAULT 0, tokens_out_rows INTEGER NOT NULL DEFAULT 0, "
        "cache_read_tokens INTEGER NOT NULL DEFAULT 0, cache_read_tokens_rows INTEGER NOT NULL DEFAULT 0, "
        "cache_write_tokens INTEGER NOT NULL DEFAULT 0, cache_write_tokens_rows INTEGER NOT NULL DEFAULT 0, "
        "PRIMARY KEY (agent, model, specialist_name, specialist_version))"
    ),
    (
        "CREATE TRIGGER agg_telemetry_insert AFTER INSERT ON run_telemetry BEGIN\n  INSERT INTO agg_telemetry "
        "(agent, model, specialist_name, specialist_version) SELECT COALESCE(r.agent, ''), COALESCE(r.model, "
        "''), COALESCE(r.specialist_name, ''), COALESCE(r.specialist_version, '') FROM benchmark_runs r WHERE "
        "r.run_id = NEW.run_id AND (r.status NOT IN ('cancelled')) ON CONFLICT DO NOTHING;\n  UPDATE "
        "agg_telemetry SET judge_cost_usd = judge_cost_usd + COALESCE(NEW.judge_cost_usd, 0), "
        "judge_cost_usd_rows = judge_cost_usd_rows + COALESCE(NEW.judge_cost_usd IS NOT NULL, 0), tokens_in = "
        "tokens_in + COALESCE(NEW.tokens_in, 0), tokens_in_rows = tokens_in_rows + COALESCE(NEW.tokens_in IS "
        "NOT NULL, 0), tokens_out = tokens_out + COALESCE(NEW.tokens_out, 0), tokens_out_rows = "
        "tokens_out_rows + COALESCE(NEW.tokens_out IS NOT NULL, 0), cache_read_tokens = cache_read_tokens + "
        "COALESCE(NEW.cache_read_tokens, 0), cache_read_tokens_rows = cache_read_tokens_rows + "
        "COALESCE(NEW.cache_read_tokens IS NOT NULL, 0), cache_write_tokens = cache_write_tokens + "
        "COALESCE(NEW.cache_write_tokens, 0), cache_write_tokens_rows = cache_write_tokens_rows + "
        "COALESCE(NEW.cache_write_tokens IS NOT NULL, 0) FROM (SELECT COALESCE(r.agent, '') AS agent, "
        "COALESCE(r.model, '') AS model, COALESCE(r.specialist_name, '') AS specialist_name, "
        "COALESCE(r.specialist_version, '') AS specialist_version FROM benchmark_runs r WHERE r.run_id = "
        "NEW.run_id AND (r.status NOT IN ('cancelled'))) AS k WHERE agg_telemetry.agent = k.agent AND "
        "agg_telemetry.model = k.model AND agg_telemetry.specialist_name = k.specialist_name AND "
        "agg_telemetry.specialist_version = k.specialist_version;\nEND"
    ),
    (
        "CREATE TRIGGER agg_telemetry_delete AFTER DELETE ON run_telemetry BEGIN\n  UPDATE agg_telemetry SET "
        "judge_cost_usd = judge_cost_usd - COALESCE(OLD.judge_cost_usd, 0), judge_cost_usd_rows = "
        "judge_cost_usd_rows - COALESCE(OLD.judge_cost_usd IS NOT NULL, 0), tokens_in = tokens_in - "
        "COALESCE(OLD.tokens_in, 0), tokens_in_rows = tokens_in_rows - COALESCE(OLD.tokens_in IS NOT NULL, "
        "0), tokens_out = tokens_out - COALESCE(OLD.tokens_out, 0), tokens_out_rows = tokens_out_rows - "
        "COALESCE(OLD.tokens_out IS NOT NULL, 0), cache_read_tokens = cache_read_tokens - "
        "COALESCE(OLD.cache_read_tokens, 0), cache_read_tokens_rows = cache_read_tokens_rows - "
        "COALESCE(OLD.cache_read_tokens IS NOT NULL, 0), cache_write_tokens = cache_write_tokens - "
        "COALESCE(OLD.cache_write_tokens, 0), cache_write_tokens_rows = cache_write_tokens_rows - "
        "COALESCE(OLD.cache_write_tokens IS NOT NULL, 0) FROM (SELECT COALESCE(r.agent, '') AS agent, "
        "COALESCE(r.model, '') AS model, COALESCE(r.specialist_name, '') AS specialist_name, "
        "COALESCE(r.specialist_version, '') AS specialist_version FROM benchmark_runs r WHERE r.run_id = "
        "OLD.run_id AND (r.status NOT IN ('cancelled'))) AS k WHERE agg_telemetry.agent = k.agent AND "
        "agg_telemetry.model = k.model AND agg_telemetry.specialist_name = k.specialist_name AND "
        "agg_telemetry.specialist_version = k.specialist_version;\nEND"
    ),
    (
        "CREATE TRIGGER agg_telemetry_run_insert AFTER INSERT ON benchmark_runs WHEN (NEW.status NOT IN "
        "('cancelled')) BEGIN\n  INSERT INTO agg_telemetry (agent, model, specialist_name, specialist_version) "
        "SELECT DISTINCT COALESCE(NEW.agent, ''), COALESCE(NEW.model, ''), COALESCE(NEW.specialist_name, ''), "
        "COALESCE(NEW.specialist_version, '') FROM run_telemetry p WHERE p.run_id = NEW.run_id ON CONFLICT DO "
        "NOTHING;\n  UPDATE agg_telemetry SET judge_cost_usd = agg_telemetry.judge_cost_usd + "
        "k.judge_cost_usd, judge_cost_usd_rows = agg_telemetry.judge_cost_usd_rows + k.judge_cost_usd_rows, "
        "tokens_in = agg_telemetry.tokens_in + k.tokens_in, tokens_in_rows = agg_telemetry.tokens_in_rows + "
        "k.tokens_in_rows, tokens_out = agg_telemetry.tokens_out + k.tokens_out, tokens_out_rows = "
        "agg_telemetry.tokens_out_rows + k.tokens_out_rows, cache_read_tokens = "
        "agg_telemetry.cache_read_tokens + k.cache_read_tokens, cache_read_tokens_rows = "
        "agg_telemetry.cache_read_tokens_rows + k.cache_read_tokens_rows, cache_write_tokens = "
        "agg_telemetry.cache_write_tokens + k.cache_write_tokens, cache_write_tokens_rows = "
        "agg_telemetry.cache_write_tokens_rows + k.cache_write_tokens_rows FROM (SELECT "
        "SUM(COALESCE(p.judge_cost_usd, 0)) AS judge_cost_usd, SUM(COALESCE(p.judge_cost_usd IS NOT NULL, 0)) "
        "AS judge_cost_usd_rows, SUM(COALESCE(p.tokens_in, 0)) AS tokens_in, SUM(COALESCE(p.tokens_in IS NOT "
        "NULL, 0)) AS tokens_in_rows, SUM(COALESCE(p.tokens_out, 0)) AS tokens_out, SUM(COALESCE(p.tokens_out "
        "IS NOT NULL, 0)) AS tokens_out_rows, SUM(COALESCE(p.cache_read_tokens, 0)) AS cache_read_tokens, "
        "SUM(COALESCE(p.cache_read_tokens IS NOT NULL, 0)) AS cache_read_tokens_rows, "
        "SUM(COALESCE(p.cache_write_tokens, 0)) AS cache_write_tokens, SUM(COALESCE(p.cache_write_tokens IS "
        "NOT NULL, 0)) AS cache_write_tokens_rows FROM run_telemetry p WHERE p.run_id = NEW.run_id GROUP BY "
        "p.run_id) AS k WHERE agg_telemetry.agent = COALESCE(NEW.agent, '') AND agg_telemetry.model = "
        "COALESCE(NEW.model, '') AND agg_telemetry.specialist_name = COALESCE(NEW.specialist_name, '') AND "
        "agg_telemetry.specialist_version = COALESCE(NEW.specialist_version, '');\nEND"
    ),
    (
        "CREATE TRIGGER agg_telemetry_run_delete AFTER DELETE ON benchmark_runs WHEN (OLD.status NOT IN "
        "('cancelled')) BEGIN\n  UPDATE agg_telemetry SET judge_cost_usd = agg_telemetry.judge_cost_usd - "
        "k.judge_cost_usd, judge_cost_usd_rows = agg_telemetry.judge_cost_usd_rows - k.judge_cost_usd_rows, "
        "tokens_in = agg_telemetry.tokens_in - k.tokens_in, tokens_in_rows = agg_telemetry.tokens_in_rows - "
        "k.tokens_in_rows, tokens_out = agg_telemetry.tokens_out - k.tokens_out, tokens_out_rows = "
        "agg_telemetry.tokens_out_rows - k.tokens_out_rows, cache_read_tokens = "
        "agg_telemetry.cache_read_tokens - k.cache_read_tokens, cache_read_tokens_rows = "
        "agg_telemetry.cache_read_tokens_rows - k.cache_read_tokens_rows, cache_write_tokens = "
        "agg_telemetry.cache_write_tokens - k.cache_write_tokens, cache_write_tokens_rows = "
        "agg_telemetry.cache_write_tokens_rows - k.cache_write_tokens_rows FROM (SELECT "
        "SUM(COALESCE(p.judge_cost_usd, 0)) AS judge_cost_usd, SUM(COALESCE(p.judge_cost_usd IS NOT NULL, 0)) "
        "AS judge_cost_usd_rows, SUM(COALESCE(p.tokens_in, 0)) AS tokens_in, SUM(COALESCE(p.tokens_in IS NOT "
        "NULL, 0)) AS tokens_in_rows, SUM(COALESCE(p.tokens_out, 0)) AS tokens_out, SUM(COALESCE(p.tokens_out "
        "IS NOT NULL, 0)) AS tokens_out_rows, SUM(COALESCE(p.cache_read_tokens, 0)) AS cache_read_tokens, "
        "SUM(COALESCE(p.cache_read_tokens IS NOT NULL, 0)) AS cache_read_tokens_rows, "
        "SUM(COALESCE(p.cache_write_tokens, 0)) AS cache_write_tokens, SUM(COALESCE(p.cache_write_tokens IS "
        "NOT NULL, 0)) AS cache_write_tokens_rows FROM run_telemetry p WHERE p.run_id = OLD.run_id GROUP BY "
        "p.run_id) AS k WHERE agg_telemetry.agent = COALESCE(OLD.agent, '') AND agg_telemetry.model = "
        "COALESCE(OLD.model, '') AND agg_telemetry.specialist_name = COALESCE(OLD.specialist_name, '') AND "
        "agg_telemetry.specialist_version = COALESCE(OLD.specialist_version, '');\nEND"
    ),
    (
        "INSERT INTO agg_telemetry (agent, model, specialist_name, specialist_version, judge_cost_usd, "
        "judge_cost_usd_rows, tokens_in, tokens_in_rows, tokens_out, tokens_out_rows, cache_read_tokens, "
        "cache_read_tokens_rows, cache_write_tokens, cache_write_tokens_rows) SELECT COALESCE(r.agent, ''), "
        "COALESCE(r.model, ''), COALESCE(r.specialist_name, ''), COALESCE(r.specialist_version, ''), "
        "SUM(COALESCE(p.judge_cost_usd, 0)), SUM(COALESCE(p.judge_cost_usd IS NOT NULL, 0)), "
        "SUM(COALESCE(p.tokens_in, 0)), SUM(COALESCE(p.tokens_in IS NOT NULL, 0)), SUM(COALESCE(p.tokens_out, "
        "0)), SUM(COALESCE(p.tokens_out IS NOT NULL, 0)), SUM(COALESCE(p.cache_read_tokens, 0)), "
        "SUM(COALESCE(p.cache_read_tokens IS NOT NULL, 0)), SUM(COALESCE(p.cache_write_tokens, 0)), "
        "SUM(COALESCE(p.cache_write_tokens IS NOT NULL, 0)) FROM benchmark_runs r CROSS JOIN run_telemetry p "
        "ON p.run_id = r.run_id WHERE (r.status NOT IN ('cancelled')) GROUP BY COALESCE(r.agent, ''), "
        "COALESCE(r.model, ''), COALESCE(r.specialist_name, ''), COALESCE(r.specialist_version, '')"
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
_M014_INDEXES = (
    'CREATE INDEX IF NOT EXISTS "idx_benchmark_runs_batch_id_revision" ON "benchmark_runs" (batch_id, revision)',
    # a batch's runs in row order (its newest first: /api/v2/runs?batchId=) without sorting all of them
    'CREATE INDEX IF NOT EXISTS "idx_benchmark_runs_batch_id" ON "benchmark_runs" (batch_id)',
    (
        'CREATE INDEX IF NOT EXISTS "idx_benchmark_runs_batch_id_evaluator_errors" ON "benchmark_runs" (batch_id) '
        "WHERE evaluator_errors > 0"
    ),
)


@migrations()
def m014_summaries_at_scale(db: sqlite_utils.Database) -> None:
    """What reads at a million runs need (issue 25): a batch's breakdowns, failures and evaluators from summary
    tables kept by triggers (agg_batch_groups, agg_batch_failures; agg_evaluations, per batch, configuration and
    evaluator, over the evaluations of counted runs, which also makes the evaluators page's figures), telemetry
    totals per configuration (agg_telemetry: the costs page), runs per day and configuration (agg_days: the trends)
    and per score bin (agg_score_bins: the histogram), an index for every batch's version (the site's incremental
    builds) and a partial one for the runs of a batch with evaluator errors; the earlier summary tables rebuilt with
    them (store.sql.summaries_sql); an index on the batch alone, whose entries are in row order within it (a page of
    a batch's runs, /api/v2/runs?batchId=, read without sorting the batch)."""
    _execute(db, _M014)
    _execute(db, _M014_INDEXES)


_M015 = (
    "DROP TRIGGER IF EXISTS run_causes_run_failure",
    "DROP TRIGGER IF EXISTS run_causes_run_insert",
    "DROP TRIGGER IF EXISTS run_causes_run_delete",
    "DROP TRIGGER IF EXISTS run_causes_run_update",
    "DROP TRIGGER IF EXISTS run_causes_evaluation_blocking",
    "DROP TRIGGER IF EXISTS run_causes_evaluation_score",
    "DROP TRIGGER IF EXISTS run_causes_evaluation_checks",
    "DROP TRIGGER IF EXISTS run_causes_evaluation_delete",
    "DROP TRIGGER IF EXISTS run_causes_evaluation_update",
    "DROP TRIGGER IF EXISTS agg_batch_causes_insert",
    "DROP TRIGGER IF EXISTS agg_batch_causes_delete",
    "DROP TABLE IF EXISTS agg_batch_causes",
    "DROP TABLE IF EXISTS run_causes",
    (
        "CREATE TABLE run_causes (run_id TEXT NOT NULL, batch_id TEXT, agent TEXT, model TEXT, "
        "specialist_name TEXT, specialist_version TEXT, kind TEXT NOT NULL, name, example, score REAL)"
    ),
    (
        "INSERT INTO run_causes (run_id, batch_id, agent, model, specialist_name, specialist_version, kind, "
        "name, example, score) SELECT r.run_id, r.batch_id, r.agent, r.model, r.specialist_name, "
        "r.specialist_version, 'failure', COALESCE(r.failure_category, r.status), r.error, NULL FROM "
        "benchmark_runs r WHERE (r.status NOT IN ('cancelled')) AND NOT (r.status IN ('completed', "
        "'budget_exceeded') AND r.is_successful = 1) AND r.status NOT IN ('completed', 'budget_exceeded')"
    ),
    (
        "INSERT INTO run_causes (run_id, batch_id, agent, model, specialist_name, specialist_version, kind, "
        "name, example, score) SELECT r.run_id, r.batch_id, r.agent, r.model, r.specialist_name, "
        "r.specialist_version, 'error', e.evaluator_name, e.error, NULL FROM benchmark_runs r JOIN "
        "evaluation_results e ON e.run_id = r.run_id WHERE (r.status NOT IN ('cancelled')) AND NOT (r.status "
        "IN ('completed', 'budget_exceeded') AND r.is_successful = 1) AND r.status IN ('completed', "
        "'budget_exceeded') AND e.error IS NOT NULL AND (e.weight > 0 OR e.evaluator_name IN ('install', "
        "'test', 'integrity_guard'))"
    ),
    (
        "INSERT INTO run_causes (run_id, batch_id, agent, model, specialist_name, specialist_version, kind, "
        "name, example, score) SELECT r.run_id, r.batch_id, r.agent, r.model, r.specialist_name, "
        "r.specialist_version, 'gate', e.evaluator_name, COALESCE(json_extract(CASE WHEN "
        "json_valid(e.details) THEN e.details END, '$.findings[0].message') || ' (' || "
        "COALESCE(json_extract(CASE WHEN json_valid(e.details) THEN e.details END, '$.findings[0].path'), '') "
        "|| ')', json_extract(CASE WHEN json_valid(e.details) THEN e.details END, '$.command') || ': ' || "
        "json_extract(CASE WHEN json_valid(e.details) THEN e.details END, '$.status') || COALESCE(' (exit "
        "code ' || json_extract(CASE WHEN json_valid(e.details) THEN e.details END, '$.exitCode') || ')', "
        "'')), NULL FROM benchmark_runs r JOIN evaluation_results e ON e.run_id = r.run_id WHERE (r.status "
        "NOT IN ('cancelled')) AND NOT (r.status IN ('completed', 'budget_exceeded') AND r.is_successful = 1) "
        "AND r.status IN ('completed', 'budget_exceeded') AND e.evaluator_name IN ('install', 'test', "
        "'integrity_guard') AND e.error IS NULL AND e.applicable = 1 AND e.normalized_score < 1"
    ),
    (
        "INSERT INTO run_causes (run_id, batch_id, agent, model, specialist_name, specialist_version, kind, "
        "name, example, score) SELECT r.run_id, r.batch_id, r.agent, r.model, r.specialist_name, "
        "r.specialist_version, 'score', e.evaluator_name, NULL, e.normalized_score FROM benchmark_runs r JOIN "
        "evaluation_results e ON e.run_id = r.run_id WHERE (r.status NOT IN ('cancelled')) AND NOT (r.status "
        "IN ('completed', 'budget_exceeded') AND r.is_successful = 1) AND r.status IN ('completed', "
        "'budget_exceeded') AND (NOT e.evaluator_name = 'heuristic_checks' OR json_array_length(CASE WHEN "
        "json_valid(e.details) THEN e.details END, '$.checks') IS NULL) AND e.error IS NULL AND e.applicable "
        "= 1 AND e.kind = 'task' AND e.weight > 0 AND e.normalized_score < 1 AND NOT EXISTS (SELECT 1 FROM "
        "evaluation_results b WHERE b.run_id = r.run_id AND ((b.error IS NOT NULL AND (b.weight > 0 OR "
        "b.evaluator_name IN ('install', 'test', 'integrity_guard'))) OR (b.evaluator_name IN ('install', "
        "'test', 'integrity_guard') AND b.error IS NULL AND b.applicable = 1 AND b.normalized_score < 1)))"
    ),
    (
        "INSERT INTO run_causes (run_id, batch_id, agent, model, specialist_name, specialist_version, kind, "
        "name, example, score) SELECT r.run_id, r.batch_id, r.agent, r.model, r.specialist_name, "
        "r.specialist_version, 'check', json_extract(c.value, '$.name'), MIN(json_extract(c.value, "
        "'$.message')), NULL FROM benchmark_runs r JOIN evaluation_results e ON e.run_id = r.run_id JOIN "
        "json_each(CASE WHEN json_valid(e.details) THEN e.details END, '$.checks') c WHERE (r.status NOT IN "
        "('cancelled')) AND NOT (r.status IN ('completed', 'budget_exceeded') AND r.is_successful = 1) AND "
        "r.status IN ('completed', 'budget_exceeded') AND e.evaluator_name = 'heuristic_checks' AND e.error "
        "IS NULL AND e.applicable = 1 AND e.kind = 'task' AND e.weight > 0 AND e.normalized_score < 1 AND NOT "
        "EXISTS (SELECT 1 FROM evaluation_results b WHERE b.run_id = r.run_id AND ((b.error IS NOT NULL AND "
        "(b.weight > 0 OR b.evaluator_name IN ('install', 'test', 'integrity_guard'))) OR (b.evaluator_name "
        "IN ('install', 'test', 'integrity_guard') AND b.error IS NULL AND b.applicable = 1 AND "
        "b.normalized_score < 1))) AND c.type = 'object' AND json_extract(c.value, '$.passed') = 0 GROUP BY "
        "r.run_id, json_extract(c.value, '$.name')"
    ),
    'CREATE INDEX "idx_run_causes_run_id_kind" ON "run_causes" (run_id, kind)',
    (
        'CREATE INDEX "idx_run_causes_batch" ON "run_causes" (batch_id, agent, model, specialist_name, '
        "specialist_version, kind, name, example, score)"
    ),
    (
        "CREATE TABLE agg_batch_causes (batch_id TEXT NOT NULL, agent TEXT, model TEXT, specialist_name TEXT, "
        "specialist_version TEXT, kind TEXT NOT NULL, name, runs INTEGER NOT NULL DEFAULT 0, score_sum REAL, "
        "example)"
    ),
    (
        "INSERT INTO agg_batch_causes (batch_id, agent, model, specialist_name, specialist_version, kind, "
        "name, runs, score_sum, example) SELECT batch_id, agent, model, specialist_name, specialist_version, "
        "kind, name, COUNT(*), SUM(score), MIN(example) FROM run_causes WHERE batch_id IS NOT NULL GROUP BY "
        "batch_id, agent, model, specialist_name, specialist_version, kind, name"
    ),
    (
        'CREATE INDEX "idx_agg_batch_causes_key" ON "agg_batch_causes" (batch_id, agent, model, '
        "specialist_name, specialist_version, kind, name)"
    ),
    (
        "CREATE TRIGGER run_causes_run_failure AFTER INSERT ON benchmark_runs WHEN (NEW.status NOT IN "
        "('cancelled')) AND NOT (NEW.status IN ('completed', 'budget_exceeded') AND NEW.is_successful = 1) "
        "AND NEW.status NOT IN ('completed', 'budget_exceeded') BEGIN\n  INSERT INTO run_causes (run_id, "
        "batch_id, agent, model, specialist_name, specialist_version, kind, name, example, score) SELECT "
        "NEW.run_id, NEW.batch_id, NEW.agent, NEW.model, NEW.specialist_name, NEW.specialist_version, "
        "'failure', COALESCE(NEW.failure_category, NEW.status), NEW.error, NULL WHERE (NEW.status NOT IN "
        "('cancelled')) AND NOT (NEW.status IN ('completed', 'budget_exceeded') AND NEW.is_successful = 1) "
        "AND NEW.status NOT IN ('completed', 'budget_exceeded');\nEND"
    ),
    (
        "CREATE TRIGGER run_causes_run_insert AFTER INSERT ON benchmark_runs WHEN (NEW.status NOT IN "
        "('cancelled')) AND NOT (NEW.status IN ('completed', 'budget_exceeded') AND NEW.is_successful = 1) "
        "AND NEW.status IN ('completed', 'budget_exceeded') AND EXISTS (SELECT 1 FROM evaluation_results e "
        "WHERE e.run_id = NEW.run_id) BEGIN\n  INSERT INTO run_causes (run_id, batch_id, agent, model, "
        "specialist_name, specialist_version, kind, name, example, score) SELECT NEW.run_id, NEW.batch_id, "
        "NEW.agent, NEW.model, NEW.specialist_name, NEW.specialist_version, 'error', e.evaluator_name, "
        "e.error, NULL FROM evaluation_results e WHERE e.run_id = NEW.run_id AND (NEW.status NOT IN "
        "('cancelled')) AND NOT (NEW.status IN ('completed', 'budget_exceeded') AND NEW.is_successful = 1) "
        "AND NEW.status IN ('completed', 'budget_exceeded') AND e.error IS NOT NULL AND (e.weight > 0 OR "
        "e.evaluator_name IN ('install', 'test', 'integrity_guard'));\n  INSERT INTO run_causes (run_id, "
        "batch_id, agent, model, specialist_name, specialist_version, kind, name, example, score) SELECT "
        "NEW.run_id, NEW.batch_id, NEW.agent, NEW.model, NEW.specialist_name, NEW.specialist_version, 'gate', "
        "e.evaluator_name, COALESCE(json_extract(CASE WHEN json_valid(e.details) THEN e.details END, "
        "'$.findings[0].message') || ' (' || COALESCE(json_extract(CASE WHEN json_valid(e.details) THEN "
        "e.details END, '$.findings[0].path'), '') || ')', json_extract(CASE WHEN json_valid(e.details) THEN "
        "e.details END, '$.command') || ': ' || json_extract(CASE WHEN json_valid(e.details) THEN e.details "
        "END, '$.status') || COALESCE(' (exit code ' || json_extract(CASE WHEN json_valid(e.details) THEN "
        "e.details END, '$.exitCode') || ')', '')), NULL FROM evaluation_results e WHERE e.run_id = "
        "NEW.run_id AND (NEW.status NOT IN ('cancelled')) AND NOT (NEW.status IN ('completed', "
        "'budget_exceeded') AND NEW.is_successful = 1) AND NEW.status IN ('completed', 'budget_exceeded') AND "
        "e.evaluator_name IN ('install', 'test', 'integrity_guard') AND e.error IS NULL AND e.applicable = 1 "
        "AND e.normalized_score < 1;\n  INSERT INTO run_causes (run_id, batch_id, agent, model, "
        "specialist_name, specialist_version, kind, name, example, score) SELECT NEW.run_id, NEW.batch_id, "
        "NEW.agent, NEW.model, NEW.specialist_name, NEW.specialist_version, 'score', e.evaluator_name, NULL, "
        "e.normalized_score FROM evaluation_results e WHERE e.run_id = NEW.run_id AND (NEW.status NOT IN "
        "('cancelled')) AND NOT (NEW.status IN ('completed', 'budget_exceeded') AND NEW.is_successful = 1) "
        "AND NEW.status IN ('completed', 'budget_exceeded') AND (NOT e.evaluator_name = 'heuristic_checks' OR "
        "json_array_length(CASE WHEN json_valid(e.details) THEN e.details END, '$.checks') IS NULL) AND "
        "e.error IS NULL AND e.applicable = 1 AND e.kind = 'task' AND e.weight > 0 AND e.normalized_score < 1 "
        "AND NOT EXISTS (SELECT 1 FROM evaluation_results b WHERE b.run_id = NEW.run_id AND ((b.error IS NOT "
        "NULL AND (b.weight > 0 OR b.evaluator_name IN ('install', 'test', 'integrity_guard'))) OR "
        "(b.evaluator_name IN ('install', 'test', 'integrity_guard') AND b.error IS NULL AND b.applicable = 1 "
        "AND b.normalized_score < 1)));\n  INSERT INTO run_causes (run_id, batch_id, agent, model, "
        "specialist_name, specialist_version, kind, name, example, score) SELECT NEW.run_id, NEW.batch_id, "
        "NEW.agent, NEW.model, NEW.specialist_name, NEW.specialist_version, 'check', json_extract(c.value, "
        "'$.name'), MIN(json_extract(c.value, '$.message')), NULL FROM evaluation_results e JOIN "
        "json_each(CASE WHEN json_valid(e.details) THEN e.details END, '$.checks') c WHERE e.run_id = "
        "NEW.run_id AND (NEW.status NOT IN ('cancelled')) AND NOT (NEW.status IN ('completed', "
        "'budget_exceeded') AND NEW.is_successful = 1) AND NEW.status IN ('completed', 'budget_exceeded') AND "
        "e.evaluator_name = 'heuristic_checks' AND e.error IS NULL AND e.applicable = 1 AND e.kind = 'task' "
        "AND e.weight > 0 AND e.normalized_score < 1 AND NOT EXISTS (SELECT 1 FROM evaluation_results b WHERE "
        "b.run_id = NEW.run_id AND ((b.error IS NOT NULL AND (b.weight > 0 OR b.evaluator_name IN ('install', "
        "'test', 'integrity_guard'))) OR (b.evaluator_name IN ('install', 'test', 'integrity_guard') AND "
        "b.error IS NULL AND b.applicable = 1 AND b.normalized_score < 1))) AND c.type = 'object' AND "
        "json_extract(c.value, '$.passed') = 0 GROUP BY NEW.run_id, json_extract(c.value, '$.name');\nEND"
    ),
    (
        "CREATE TRIGGER run_causes_run_delete AFTER DELETE ON benchmark_runs BEGIN\n  DELETE FROM run_causes "
        "WHERE run_id = OLD.run_id;\nEND"
    ),
    (
        "CREATE TRIGGER run_causes_run_update AFTER UPDATE OF run_id, batch_id, agent, model, "
        "specialist_name, specialist_version, status, is_successful, failure_category, error ON "
        "benchmark_runs BEGIN\n  DELETE FROM run_causes WHERE run_id = OLD.run_id;\n  INSERT INTO run_causes "
        "(run_id, batch_id, agent, model, specialist_name, specialist_version, kind, name, example, score) "
        "SELECT r.run_id, r.batch_id, r.agent, r.model, r.specialist_name, r.specialist_version, 'failure', "
        "COALESCE(r.failure_category, r.status), r.error, NULL FROM benchmark_runs r WHERE r.run_id = "
        "NEW.run_id AND (r.status NOT IN ('cancelled')) AND NOT (r.status IN ('completed', 'budget_exceeded') "
        "AND r.is_successful = 1) AND r.status NOT IN ('completed', 'budget_exceeded');\n  INSERT INTO "
        "run_causes (run_id, batch_id, agent, model, specialist_name, specialist_version, kind, name, "
        "example, score) SELECT r.run_id, r.batch_id, r.agent, r.model, r.specialist_name, "
        "r.specialist_version, 'error', e.evaluator_name, e.error, NULL FROM benchmark_runs r JOIN "
        "evaluation_results e ON e.run_id = r.run_id WHERE r.run_id = NEW.run_id AND (r.status NOT IN "
        "('cancelled')) AND NOT (r.status IN ('completed', 'budget_exceeded') AND r.is_successful = 1) AND "
        "r.status IN ('completed', 'budget_exceeded') AND e.error IS NOT NULL AND (e.weight > 0 OR "
        "e.evaluator_name IN ('install', 'test', 'integrity_guard'));\n  INSERT INTO run_causes (run_id, "
        "batch_id, agent, model, specialist_name, specialist_version, kind, name, example, score) SELECT "
        "r.run_id, r.batch_id, r.agent, r.model, r.specialist_name, r.specialist_version, 'gate', "
        "e.evaluator_name, COALESCE(json_extract(CASE WHEN json_valid(e.details) THEN e.details END, "
        "'$.findings[0].message') || ' (' || COALESCE(json_extract(CASE WHEN json_valid(e.details) THEN "
        "e.details END, '$.findings[0].path'), '') || ')', json_extract(CASE WHEN json_valid(e.details) THEN "
        "e.details END, '$.command') || ': ' || json_extract(CASE WHEN json_valid(e.details) THEN e.details "
        "END, '$.status') || COALESCE(' (exit code ' || json_extract(CASE WHEN json_valid(e.details) THEN "
        "e.details END, '$.exitCode') || ')', '')), NULL FROM benchmark_runs r JOIN evaluation_results e ON "
        "e.run_id = r.run_id WHERE r.run_id = NEW.run_id AND (r.status NOT IN ('cancelled')) AND NOT "
        "(r.status IN ('completed', 'budget_exceeded') AND r.is_successful = 1) AND r.status IN ('completed', "
        "'budget_exceeded') AND e.evaluator_name IN ('install', 'test', 'integrity_guard') AND e.error IS "
        "NULL AND e.applicable = 1 AND e.normalized_score < 1;\n  INSERT INTO run_causes (run_id, batch_id, "
        "agent, model, specialist_name, specialist_version, kind, name, example, score) SELECT r.run_id, "
        "r.batch_id, r.agent, r.model, r.specialist_name, r.specialist_version, 'score', e.evaluator_name, "
        "NULL, e.normalized_score FROM benchmark_runs r JOIN evaluation_results e ON e.run_id = r.run_id "
        "WHERE r.run_id = NEW.run_id AND (r.status NOT IN ('cancelled')) AND NOT (r.status IN ('completed', "
        "'budget_exceeded') AND r.is_successful = 1) AND r.status IN ('completed', 'budget_exceeded') AND "
        "(NOT e.evaluator_name = 'heuristic_checks' OR json_array_length(CASE WHEN json_valid(e.details) THEN "
        "e.details END, '$.checks') IS NULL) AND e.error IS NULL AND e.applicable = 1 AND e.kind = 'task' AND "
        "e.weight > 0 AND e.normalized_score < 1 AND NOT EXISTS (SELECT 1 FROM evaluation_results b WHERE "
        "b.run_id = r.run_id AND ((b.error IS NOT NULL AND (b.weight > 0 OR b.evaluator_name IN ('install', "
        "'test', 'integrity_guard'))) OR (b.evaluator_name IN ('install', 'test', 'integrity_guard') AND "
        "b.error IS NULL AND b.applicable = 1 AND b.normalized_score < 1)));\n  INSERT INTO run_causes "
        "(run_id, batch_id, agent, model, specialist_name, specialist_version, kind, name, example, score) "
        "SELECT r.run_id, r.batch_id, r.agent, r.model, r.specialist_name, r.specialist_version, 'check', "
        "json_extract(c.value, '$.name'), MIN(json_extract(c.value, '$.message')), NULL FROM benchmark_runs r "
        "JOIN evaluation_results e ON e.run_id = r.run_id JOIN json_each(CASE WHEN json_valid(e.details) THEN "
        "e.details END, '$.checks') c WHERE r.run_id = NEW.run_id AND (r.status NOT IN ('cancelled')) AND NOT "
        "(r.status IN ('completed', 'budget_exceeded') AND r.is_successful = 1) AND r.status IN ('completed', "
        "'budget_exceeded') AND e.evaluator_name = 'heuristic_checks' AND e.error IS NULL AND e.applicable = "
        "1 AND e.kind = 'task' AND e.weight > 0 AND e.normalized_score < 1 AND NOT EXISTS (SELECT 1 FROM "
        "evaluation_results b WHERE b.run_id = r.run_id AND ((b.error IS NOT NULL AND (b.weight > 0 OR "
        "b.evaluator_name IN ('install', 'test', 'integrity_guard'))) OR (b.evaluator_name IN ('install', "
        "'test', 'integrity_guard') AND b.error IS NULL AND b.applicable = 1 AND b.normalized_score < 1))) "
        "AND c.type = 'object' AND json_extract(c.value, '$.passed') = 0 GROUP BY r.run_id, "
        "json_extract(c.value, '$.name');\nEND"
    ),
    (
        "CREATE TRIGGER run_causes_evaluation_blocking AFTER INSERT ON evaluation_results WHEN ((NEW.error IS "
        "NOT NULL AND (NEW.weight > 0 OR NEW.evaluator_name IN ('install', 'test', 'integrity_guard'))) OR "
        "(NEW.evaluator_name IN ('install', 'test', 'integrity_guard') AND NEW.error IS NULL AND "
        "NEW.applicable = 1 AND NEW.normalized_score < 1)) AND EXISTS (SELECT 1 FROM benchmark_runs r WHERE "
        "r.run_id = NEW.run_id AND (r.status NOT IN ('cancelled')) AND NOT (r.status IN ('completed', "
        "'budget_exceeded') AND r.is_successful = 1) AND r.status IN ('completed', 'budget_exceeded')) BEGIN\n "
        " DELETE FROM run_causes WHERE run_id = NEW.run_id AND kind IN ('score', 'check');\n  INSERT INTO "
        "run_causes (run_id, batch_id, agent, model, specialist_name, specialist_version, kind, name, "
        "example, score) SELECT r.run_id, r.batch_id, r.agent, r.model, r.specialist_name, "
        "r.specialist_version, 'error', NEW.evaluator_name, NEW.error, NULL FROM benchmark_runs r WHERE "
        "r.run_id = NEW.run_id AND (r.status NOT IN ('cancelled')) AND NOT (r.status IN ('completed', "
        "'budget_exceeded') AND r.is_successful = 1) AND r.status IN ('completed', 'budget_exceeded') AND "
        "NEW.error IS NOT NULL AND (NEW.weight > 0 OR NEW.evaluator_name IN ('install', 'test', "
        "'integrity_guard'));\n  INSERT INTO run_causes (run_id, batch_id, agent, model, specialist_name, "
        "specialist_version, kind, name, example, score) SELECT r.run_id, r.batch_id, r.agent, r.model, "
        "r.specialist_name, r.specialist_version, 'gate', NEW.evaluator_name, COALESCE(json_extract(CASE WHEN "
        "json_valid(NEW.details) THEN NEW.details END, '$.findings[0].message') || ' (' || "
        "COALESCE(json_extract(CASE WHEN json_valid(NEW.details) THEN NEW.details END, '$.findings[0].path'), "
        "'') || ')', json_extract(CASE WHEN json_valid(NEW.details) THEN NEW.details END, '$.command') || ': "
        "' || json_extract(CASE WHEN json_valid(NEW.details) THEN NEW.details END, '$.status') || COALESCE(' "
        "(exit code ' || json_extract(CASE WHEN json_valid(NEW.details) THEN NEW.details END, '$.exitCode') "
        "|| ')', '')), NULL FROM benchmark_runs r WHERE r.run_id = NEW.run_id AND (r.status NOT IN "
        "('cancelled')) AND NOT (r.status IN ('completed', 'budget_exceeded') AND r.is_successful = 1) AND "
        "r.status IN ('completed', 'budget_exceeded') AND NEW.evaluator_name IN ('install', 'test', "
        "'integrity_guard') AND NEW.error IS NULL AND NEW.applicable = 1 AND NEW.normalized_score < 1;\nEND"
    ),
    (
        "CREATE TRIGGER run_causes_evaluation_score AFTER INSERT ON evaluation_results WHEN NEW.error IS NULL "
        "AND NEW.applicable = 1 AND NEW.kind = 'task' AND NEW.weight > 0 AND NEW.normalized_score < 1 AND "
        "(NOT NEW.evaluator_name = 'heuristic_checks' OR json_array_length(CASE WHEN json_valid(NEW.details) "
        "THEN NEW.details END, '$.checks') IS NULL) AND EXISTS (SELECT 1 FROM benchmark_runs r WHERE r.run_id "
        "= NEW.run_id AND (r.status NOT IN ('cancelled')) AND NOT (r.status IN ('completed', "
        "'budget_exceeded') AND r.is_successful = 1) AND r.status IN ('completed', 'budget_exceeded')) BEGIN\n "
        " INSERT INTO run_causes (run_id, batch_id, agent, model, specialist_name, specialist_version, kind, "
        "name, example, score) SELECT r.run_id, r.batch_id, r.agent, r.model, r.specialist_name, "
        "r.specialist_version, 'score', NEW.evaluator_name, NULL, NEW.normalized_score FROM benchmark_runs r "
        "WHERE r.run_id = NEW.run_id AND (r.status NOT IN ('cancelled')) AND NOT (r.status IN ('completed', "
        "'budget_exceeded') AND r.is_successful = 1) AND r.status IN ('completed', 'budget_exceeded') AND "
        "(NOT NEW.evaluator_name = 'heuristic_checks' OR json_array_length(CASE WHEN json_valid(NEW.details) "
        "THEN NEW.details END, '$.checks') IS NULL) AND NEW.error IS NULL AND NEW.applicable = 1 AND NEW.kind "
        "= 'task' AND NEW.weight > 0 AND NEW.normalized_score < 1 AND NOT EXISTS (SELECT 1 FROM run_causes x "
        "WHERE x.run_id = r.run_id AND x.kind IN ('error', 'gate'));\nEND"
    ),
    (
        "CREATE TRIGGER run_causes_evaluation_checks AFTER INSERT ON evaluation_results WHEN NEW.error IS "
        "NULL AND NEW.applicable = 1 AND NEW.kind = 'task' AND NEW.weight > 0 AND NEW.normalized_score < 1 "
        "AND NEW.evaluator_name = 'heuristic_checks' AND EXISTS (SELECT 1 FROM benchmark_runs r WHERE "
        "r.run_id = NEW.run_id AND (r.status NOT IN ('cancelled')) AND NOT (r.status IN ('completed', "
        "'budget_exceeded') AND r.is_successful = 1) AND r.status IN ('completed', 'budget_exceeded')) BEGIN\n "
        " INSERT INTO run_causes (run_id, batch_id, agent, model, specialist_name, specialist_version, kind, "
        "name, example, score) SELECT r.run_id, r.batch_id, r.agent, r.model, r.specialist_name, "
        "r.specialist_version, 'check', json_extract(c.value, '$.name'), MIN(json_extract(c.value, "
        "'$.message')), NULL FROM benchmark_runs r JOIN json_each(CASE WHEN json_valid(NEW.details) THEN "
        "NEW.details END, '$.checks') c WHERE r.run_id = NEW.run_id AND (r.status NOT IN ('cancelled')) AND "
        "NOT (r.status IN ('completed', 'budget_exceeded') AND r.is_successful = 1) AND r.status IN "
        "('completed', 'budget_exceeded') AND NEW.evaluator_name = 'heuristic_checks' AND NEW.error IS NULL "
        "AND NEW.applicable = 1 AND NEW.kind = 'task' AND NEW.weight > 0 AND NEW.normalized_score < 1 AND NOT "
        "EXISTS (SELECT 1 FROM run_causes x WHERE x.run_id = r.run_id AND x.kind IN ('error', 'gate')) AND "
        "c.type = 'object' AND json_extract(c.value, '$.passed') = 0 GROUP BY r.run_id, json_extract(c.value, "
        "'$.name');\nEND"
    ),
    (
        "CREATE TRIGGER run_causes_evaluation_delete AFTER DELETE ON evaluation_results WHEN EXISTS (SELECT 1 "
        "FROM benchmark_runs r WHERE r.run_id = OLD.run_id AND (r.status NOT IN ('cancelled')) AND NOT "
        "(r.status IN ('completed', 'budget_exceeded') AND r.is_successful = 1) AND r.status IN ('completed', "
        "'budget_exceeded')) BEGIN\n  DELETE FROM run_causes WHERE run_id = OLD.run_id;\n  INSERT INTO "
        "run_causes (run_id, batch_id, agent, model, specialist_name, specialist_version, kind, name, "
        "example, score) SELECT r.run_id, r.batch_id, r.agent, r.model, r.specialist_name, "
        "r.specialist_version, 'failure', COALESCE(r.failure_category, r.status), r.error, NULL FROM "
        "benchmark_runs r WHERE r.run_id = OLD.run_id AND (r.status NOT IN ('cancelled')) AND NOT (r.status "
        "IN ('completed', 'budget_exceeded') AND r.is_successful = 1) AND r.status NOT IN ('completed', "
        "'budget_exceeded');\n  INSERT INTO run_causes (run_id, batch_id, agent, model, specialist_name, "
        "specialist_version, kind, name, example, score) SELECT r.run_id, r.batch_id, r.agent, r.model, "
        "r.specialist_name, r.specialist_version, 'error', e.evaluator_name, e.error, NULL FROM "
        "benchmark_runs r JOIN evaluation_results e ON e.run_id = r.run_id WHERE r.run_id = OLD.run_id AND "
        "(r.status NOT IN ('cancelled')) AND NOT (r.status IN ('completed', 'budget_exceeded') AND "
        "r.is_successful = 1) AND r.status IN ('completed', 'budget_exceeded') AND e.error IS NOT NULL AND "
        "(e.weight > 0 OR e.evaluator_name IN ('install', 'test', 'integrity_guard'));\n  INSERT INTO "
        "run_causes (run_id, batch_id, agent, model, specialist_name, specialist_version, kind, name, "
        "example, score) SELECT r.run_id, r.batch_id, r.agent, r.model, r.specialist_name, "
        "r.specialist_version, 'gate', e.evaluator_name, COALESCE(json_extract(CASE WHEN "
        "json_valid(e.details) THEN e.details END, '$.findings[0].message') || ' (' || "
        "COALESCE(json_extract(CASE WHEN json_valid(e.details) THEN e.details END, '$.findings[0].path'), '') "
        "|| ')', json_extract(CASE WHEN json_valid(e.details) THEN e.details END, '$.command') || ': ' || "
        "json_extract(CASE WHEN json_valid(e.details) THEN e.details END, '$.status') || COALESCE(' (exit "
        "code ' || json_extract(CASE WHEN json_valid(e.details) THEN e.details END, '$.exitCode') || ')', "
        "'')), NULL FROM benchmark_runs r JOIN evaluation_results e ON e.run_id = r.run_id WHERE r.run_id = "
        "OLD.run_id AND (r.status NOT IN ('cancelled')) AND NOT (r.status IN ('completed', 'budget_exceeded') "
        "AND r.is_successful = 1) AND r.status IN ('completed', 'budget_exceeded') AND e.evaluator_name IN "
        "('install', 'test', 'integrity_guard') AND e.error IS NULL AND e.applicable = 1 AND "
        "e.normalized_score < 1;\n  INSERT INTO run_causes (run_id, batch_id, agent, model, specialist_name, "
        "specialist_version, kind, name, example, score) SELECT r.run_id, r.batch_id, r.agent, r.model, "
        "r.specialist_name, r.specialist_version, 'score', e.evaluator_name, NULL, e.normalized_score FROM "
        "benchmark_runs r JOIN evaluation_results e ON e.run_id = r.run_id WHERE r.run_id = OLD.run_id AND "
        "(r.status NOT IN ('cancelled')) AND NOT (r.status IN ('completed', 'budget_exceeded') AND "
        "r.is_successful = 1) AND r.status IN ('completed', 'budget_exceeded') AND (NOT e.evaluator_name = "
        "'heuristic_checks' OR json_array_length(CASE WHEN json_valid(e.details) THEN e.details END, "
        "'$.checks') IS NULL) AND e.error IS NULL AND e.applicable = 1 AND e.kind = 'task' AND e.weight > 0 "
        "AND e.normalized_score < 1 AND NOT EXISTS (SELECT 1 FROM evaluation_results b WHERE b.run_id = "
        "r.run_id AND ((b.error IS NOT NULL AND (b.weight > 0 OR b.evaluator_name IN ('install', 'test', "
        "'integrity_guard'))) OR (b.evaluator_name IN ('install', 'test', 'integrity_guard') AND b.error IS "
        "NULL AND b.applicable = 1 AND b.normalized_score < 1)));\n  INSERT INTO run_causes (run_id, batch_id, "
        "agent, model, specialist_name, specialist_version, kind, name, example, score) SELECT r.run_id, "
        "r.batch_id, r.agent, r.model, r.specialist_name, r.specialist_version, 'check', "
        "json_extract(c.value, '$.name'), MIN(json_extract(c.value, '$.message')), NULL FROM benchmark_runs r "
        "JOIN evaluation_results e ON e.run_id = r.run_id JOIN json_each(CASE WHEN json_valid(e.details) THEN "
        "e.details END, '$.checks') c WHERE r.run_id = OLD.run_id AND (r.status NOT IN ('cancelled')) AND NOT "
        "(r.status IN ('completed', 'budget_exceeded') AND r.is_successful = 1) AND r.status IN ('completed', "
        "'budget_exceeded') AND e.evaluator_name = 'heuristic_checks' AND e.error IS NULL AND e.applicable = "
        "1 AND e.kind = 'task' AND e.weight > 0 AND e.normalized_score < 1 AND NOT EXISTS (SELECT 1 FROM "
        "evaluation_results b WHERE b.run_id = r.run_id AND ((b.error IS NOT NULL AND (b.weight > 0 OR "
        "b.evaluator_name IN ('install', 'test', 'integrity_guard'))) OR (b.evaluator_name IN ('install', "
        "'test', 'integrity_guard') AND b.error IS NULL AND b.applicable = 1 AND b.normalized_score < 1))) "
        "AND c.type = 'object' AND json_extract(c.value, '$.passed') = 0 GROUP BY r.run_id, "
        "json_extract(c.value, '$.name');\nEND"
    ),
    (
        "CREATE TRIGGER run_causes_evaluation_update AFTER UPDATE OF run_id, evaluator_name, applicable, "
        "weight, kind, details, error, normalized_score ON evaluation_results BEGIN\n  DELETE FROM run_causes "
        "WHERE run_id = OLD.run_id;\n  INSERT INTO run_causes (run_id, batch_id, agent, model, "
        "specialist_name, specialist_version, kind, name, example, score) SELECT r.run_id, r.batch_id, "
        "r.agent, r.model, r.specialist_name, r.specialist_version, 'failure', COALESCE(r.failure_category, "
        "r.status), r.error, NULL FROM benchmark_runs r WHERE r.run_id = OLD.run_id AND (r.status NOT IN "
        "('cancelled')) AND NOT (r.status IN ('completed', 'budget_exceeded') AND r.is_successful = 1) AND "
        "r.status NOT IN ('completed', 'budget_exceeded');\n  INSERT INTO run_causes (run_id, batch_id, agent, "
        "model, specialist_name, specialist_version, kind, name, example, score) SELECT r.run_id, r.batch_id, "
        "r.agent, r.model, r.specialist_name, r.specialist_version, 'error', e.evaluator_name, e.error, NULL "
        "FROM benchmark_runs r JOIN evaluation_results e ON e.run_id = r.run_id WHERE r.run_id = OLD.run_id "
        "AND (r.status NOT IN ('cancelled')) AND NOT (r.status IN ('completed', 'budget_exceeded') AND "
        "r.is_successful = 1) AND r.status IN ('completed', 'budget_exceeded') AND e.error IS NOT NULL AND "
        "(e.weight > 0 OR e.evaluator_name IN ('install', 'test', 'integrity_guard'));\n  INSERT INTO "
        "run_causes (run_id, batch_id, agent, model, specialist_name, specialist_version, kind, name, "
        "example, score) SELECT r.run_id, r.batch_id, r.agent, r.model, r.specialist_name, "
        "r.specialist_version, 'gate', e.evaluator_name, COALESCE(json_extract(CASE WHEN "
        "json_valid(e.details) THEN e.details END, '$.findings[0].message') || ' (' || "
        "COALESCE(json_extract(CASE WHEN json_valid(e.details) THEN e.details END, '$.findings[0].path'), '') "
        "|| ')', json_extract(CASE WHEN json_valid(e.details) THEN e.details END, '$.command') || ': ' || "
        "json_extract(CASE WHEN json_valid(e.details) THEN e.details END, '$.status') || COALESCE(' (exit "
        "code ' || json_extract(CASE WHEN json_valid(e.details) THEN e.details END, '$.exitCode') || ')', "
        "'')), NULL FROM benchmark_runs r JOIN evaluation_results e ON e.run_id = r.run_id WHERE r.run_id = "
        "OLD.run_id AND (r.status NOT IN ('cancelled')) AND NOT (r.status IN ('completed', 'budget_exceeded') "
        "AND r.is_successful = 1) AND r.status IN ('completed', 'budget_exceeded') AND e.evaluator_name IN "
        "('install', 'test', 'integrity_guard') AND e.error IS NULL AND e.applicable = 1 AND "
        "e.normalized_score < 1;\n  INSERT INTO run_causes (run_id, batch_id, agent, model, specialist_name, "
        "specialist_version, kind, name, example, score) SELECT r.run_id, r.batch_id, r.agent, r.model, "
        "r.specialist_name, r.specialist_version, 'score', e.evaluator_name, NULL, e.normalized_score FROM "
        "benchmark_runs r JOIN evaluation_results e ON e.run_id = r.run_id WHERE r.run_id = OLD.run_id AND "
        "(r.status NOT IN ('cancelled')) AND NOT (r.status IN ('completed', 'budget_exceeded') AND "
        "r.is_successful = 1) AND r.status IN ('completed', 'budget_exceeded') AND (NOT e.evaluator_name = "
        "'heuristic_checks' OR json_array_length(CASE WHEN json_valid(e.details) THEN e.details END, "
        "'$.checks') IS NULL) AND e.error IS NULL AND e.applicable = 1 AND e.kind = 'task' AND e.weight > 0 "
        "AND e.normalized_score < 1 AND NOT EXISTS (SELECT 1 FROM evaluation_results b WHERE b.run_id = "
        "r.run_id AND ((b.error IS NOT NULL AND (b.weight > 0 OR b.evaluator_name IN ('install', 'test', "
        "'integrity_guard'))) OR (b.evaluator_name IN ('install', 'test', 'integrity_guard') AND b.error IS "
        "NULL AND b.applicable = 1 AND b.normalized_score < 1)));\n  INSERT INTO run_causes (run_id, batch_id, "
        "agent, model, specialist_name, specialist_version, kind, name, example, score) SELECT r.run_id, "
        "r.batch_id, r.agent, r.model, r.specialist_name, r.specialist_version, 'check', "
        "json_extract(c.value, '$.name'), MIN(json_extract(c.value, '$.message')), NULL FROM benchmark_runs r "
        "JOIN evaluation_results e ON e.run_id = r.run_id JOIN json_each(CASE WHEN json_valid(e.details) THEN "
        "e.details END, '$.checks') c WHERE r.run_id = OLD.run_id AND (r.status NOT IN ('cancelled')) AND NOT "
        "(r.status IN ('completed', 'budget_exceeded') AND r.is_successful = 1) AND r.status IN ('completed', "
        "'budget_exceeded') AND e.evaluator_name = 'heuristic_checks' AND e.error IS NULL AND e.applicable = "
        "1 AND e.kind = 'task' AND e.weight > 0 AND e.normalized_score < 1 AND NOT EXISTS (SELECT 1 FROM "
        "evaluation_results b WHERE b.run_id = r.run_id AND ((b.error IS NOT NULL AND (b.weight > 0 OR "
        "b.evaluator_name IN ('install', 'test', 'integrity_guard'))) OR (b.evaluator_name IN ('install', "
        "'test', 'integrity_guard') AND b.error IS NULL AND b.applicable = 1 AND b.normalized_score < 1))) "
        "AND c.type = 'object' AND json_extract(c.value, '$.passed') = 0 GROUP BY r.run_id, "
        "json_extract(c.value, '$.name');\n  DELETE FROM run_causes WHERE run_id = NEW.run_id AND NEW.run_id "
        "IS NOT OLD.run_id;\n  INSERT INTO run_causes (run_id, batch_id, agent, model, specialist_name, "
        "specialist_version, kind, name, example, score) SELECT r.run_id, r.batch_id, r.agent, r.model, "
        "r.specialist_name, r.specialist_version, 'failure', COALESCE(r.failure_category, r.status), r.error, "
        "NULL FROM benchmark_runs r WHERE r.run_id = NEW.run_id AND NEW.run_id IS NOT OLD.run_id AND "
        "(r.status NOT IN ('cancelled')) AND NOT (r.status IN ('completed', 'budget_exceeded') AND "
        "r.is_successful = 1) AND r.status NOT IN ('completed', 'budget_exceeded');\n  INSERT INTO run_causes "
        "(run_id, batch_id, agent, model, specialist_name, specialist_version, kind, name, example, score) "
        "SELECT r.run_id, r.batch_id, r.agent, r.model, r.specialist_name, r.specialist_version, 'error', "
        "e.evaluator_name, e.error, NULL FROM benchmark_runs r JOIN evaluation_results e ON e.run_id = "
        "r.run_id WHERE r.run_id = NEW.run_id AND NEW.run_id IS NOT OLD.run_id AND (r.status NOT IN "
        "('cancelled')) AND NOT (r.status IN ('completed', 'budget_exceeded') AND r.is_successful = 1) AND "
        "r.status IN ('completed', 'budget_exceeded') AND e.error IS NOT NULL AND (e.weight > 0 OR "
        "e.evaluator_name IN ('install', 'test', 'integrity_guard'));\n  INSERT INTO run_causes (run_id, "
        "batch_id, agent, model, specialist_name, specialist_version, kind, name, example, score) SELECT "
        "r.run_id, r.batch_id, r.agent, r.model, r.specialist_name, r.specialist_version, 'gate', "
        "e.evaluator_name, COALESCE(json_extract(CASE WHEN json_valid(e.details) THEN e.details END, "
        "'$.findings[0].message') || ' (' || COALESCE(json_extract(CASE WHEN json_valid(e.details) THEN "
        "e.details END, '$.findings[0].path'), '') || ')', json_extract(CASE WHEN json_valid(e.details) THEN "
        "e.details END, '$.command') || ': ' || json_extract(CASE WHEN json_valid(e.details) THEN e.details "
        "END, '$.status') || COALESCE(' (exit code ' || json_extract(CASE WHEN json_valid(e.details) THEN "
        "e.details END, '$.exitCode') || ')', '')), NULL FROM benchmark_runs r JOIN evaluation_results e ON "
        "e.run_id = r.run_id WHERE r.run_id = NEW.run_id AND NEW.run_id IS NOT OLD.run_id AND (r.status NOT "
        "IN ('cancelled')) AND NOT (r.status IN ('completed', 'budget_exceeded') AND r.is_successful = 1) AND "
        "r.status IN ('completed', 'budget_exceeded') AND e.evaluator_name IN ('install', 'test', "
        "'integrity_guard') AND e.error IS NULL AND e.applicable = 1 AND e.normalized_score < 1;\n  INSERT "
        "INTO run_causes (run_id, batch_id, agent, model, specialist_name, specialist_version, kind, name, "
        "example, score) SELECT r.run_id, r.batch_id, r.agent, r.model, r.specialist_name, "
        "r.specialist_version, 'score', e.evaluator_name, NULL, e.normalized_score FROM benchmark_runs r JOIN "
        "evaluation_results e ON e.run_id = r.run_id WHERE r.run_id = NEW.run_id AND NEW.run_id IS NOT "
        "OLD.run_id AND (r.status NOT IN ('cancelled')) AND NOT (r.status IN ('completed', 'budget_exceeded') "
        "AND r.is_successful = 1) AND r.status IN ('completed', 'budget_exceeded') AND (NOT e.evaluator_name "
        "= 'heuristic_checks' OR json_array_length(CASE WHEN json_valid(e.details) THEN e.details END, "
        "'$.checks') IS NULL) AND e.error IS NULL AND e.applicable = 1 AND e.kind = 'task' AND e.weight > 0 "
        "AND e.normalized_score < 1 AND NOT EXISTS (SELECT 1 FROM evaluation_results b WHERE b.run_id = "
        "r.run_id AND ((b.error IS NOT NULL AND (b.weight > 0 OR b.evaluator_name IN ('install', 'test', "
        "'integrity_guard'))) OR (b.evaluator_name IN ('install', 'test', 'integrity_guard') AND b.error IS "
        "NULL AND b.applicable = 1 AND b.normalized_score < 1)));\n  INSERT INTO run_causes (run_id, batch_id, "
        "agent, model, specialist_name, specialist_version, kind, name, example, score) SELECT r.run_id, "
        "r.batch_id, r.agent, r.model, r.specialist_name, r.specialist_version, 'check', "
        "json_extract(c.value, '$.name'), MIN(json_extract(c.value, '$.message')), NULL FROM benchmark_runs r "
        "JOIN evaluation_results e ON e.run_id = r.run_id JOIN json_each(CASE WHEN json_valid(e.details) THEN "
        "e.details END, '$.checks') c WHERE r.run_id = NEW.run_id AND NEW.run_id IS NOT OLD.run_id AND "
        "(r.status NOT IN ('cancelled')) AND NOT (r.status IN ('completed', 'budget_exceeded') AND "
        "r.is_successful = 1) AND r.status IN ('completed', 'budget_exceeded') AND e.evaluator_name = "
        "'heuristic_checks' AND e.error IS NULL AND e.applicable = 1 AND e.kind = 'task' AND e.weight > 0 AND "
        "e.normalized_score < 1 AND NOT EXISTS (SELECT 1 FROM evaluation_results b WHERE b.run_id = r.run_id "
        "AND ((b.error IS NOT NULL AND (b.weight > 0 OR b.evaluator_name IN ('install', 'test', "
        "'integrity_guard'))) OR (b.evaluator_name IN ('install', 'test', 'integrity_guard') AND b.error IS "
        "NULL AND b.applicable = 1 AND b.normalized_score < 1))) AND c.type = 'object' AND "
        "json_extract(c.value, '$.passed') = 0 GROUP BY r.run_id, json_extract(c.value, '$.name');\nEND"
    ),
    (
        "CREATE TRIGGER agg_batch_causes_insert AFTER INSERT ON run_causes WHEN NEW.batch_id IS NOT NULL "
        "BEGIN\n  INSERT INTO agg_batch_causes (batch_id, agent, model, specialist_name, specialist_version, "
        "kind, name) SELECT NEW.batch_id, NEW.agent, NEW.model, NEW.specialist_name, NEW.specialist_version, "
        "NEW.kind, NEW.name WHERE NOT EXISTS (SELECT 1 FROM agg_batch_causes a WHERE a.batch_id IS "
        "NEW.batch_id AND a.agent IS NEW.agent AND a.model IS NEW.model AND a.specialist_name IS "
        "NEW.specialist_name AND a.specialist_version IS NEW.specialist_version AND a.kind IS NEW.kind AND "
        "a.name IS NEW.name);\n  UPDATE agg_batch_causes SET runs = runs + 1, score_sum = CASE WHEN NEW.score "
        "IS NULL THEN score_sum ELSE COALESCE(score_sum, 0) + NEW.score END, example = CASE WHEN NEW.example "
        "IS NULL THEN example WHEN example IS NULL THEN NEW.example ELSE min(example, NEW.example) END WHERE "
        "agg_batch_causes.batch_id IS NEW.batch_id AND agg_batch_causes.agent IS NEW.agent AND "
        "agg_batch_causes.model IS NEW.model AND agg_batch_causes.specialist_name IS NEW.specialist_name AND "
        "agg_batch_causes.specialist_version IS NEW.specialist_version AND agg_batch_causes.kind IS NEW.kind "
        "AND agg_batch_causes.name IS NEW.name;\nEND"
    ),
    (
        "CREATE TRIGGER agg_batch_causes_delete AFTER DELETE ON run_causes WHEN OLD.batch_id IS NOT NULL "
        "BEGIN\n  UPDATE agg_batch_causes SET runs = runs - 1, score_sum = CASE WHEN OLD.score IS NULL THEN "
        "score_sum ELSE (SELECT SUM(c.score) FROM run_causes c WHERE c.batch_id IS OLD.batch_id AND c.agent "
        "IS OLD.agent AND c.model IS OLD.model AND c.specialist_name IS OLD.specialist_name AND "
        "c.specialist_version IS OLD.specialist_version AND c.kind IS OLD.kind AND c.name IS OLD.name) END, "
        "example = CASE WHEN OLD.example IS NOT example THEN example ELSE (SELECT MIN(c.example) FROM "
        "run_causes c WHERE c.batch_id IS OLD.batch_id AND c.agent IS OLD.agent AND c.model IS OLD.model AND "
        "c.specialist_name IS OLD.specialist_name AND c.specialist_version IS OLD.specialist_version AND "
        "c.kind IS OLD.kind AND c.name IS OLD.name) END WHERE agg_batch_causes.batch_id IS OLD.batch_id AND "
        "agg_batch_causes.agent IS OLD.agent AND agg_batch_causes.model IS OLD.model AND "
        "agg_batch_causes.specialist_name IS OLD.specialist_name AND agg_batch_causes.specialist_version IS "
        "OLD.specialist_version AND agg_batch_causes.kind IS OLD.kind AND agg_batch_causes.name IS OLD.name;\n "
        " DELETE FROM agg_batch_causes WHERE agg_batch_causes.batch_id IS OLD.batch_id AND "
        "agg_batch_causes.agent IS OLD.agent AND agg_batch_causes.model IS OLD.model AND "
        "agg_batch_causes.specialist_name IS OLD.specialist_name AND agg_batch_causes.specialist_version IS "
        "OLD.specialist_version AND agg_batch_causes.kind IS OLD.kind AND agg_batch_causes.name IS OLD.name "
        "AND runs = 0;\nEND"
    ),
)


@migrations()
def m015_causes_kept_by_triggers(db: sqlite_utils.Database) -> None:
    """Why runs were not successful (issue 26's causes), kept by triggers as the summaries are: per run
    (run_causes, filled from the stored runs and evaluations) and summed per batch, configuration and cause
    (agg_batch_causes), so that a batch's detail reads a row per cause instead of the evaluations (details included)
    of every unsuccessful run of the batch (issue 25: 214 ms p95 at a million runs)."""
    _execute(db, _M015)


_M016 = (
    'CREATE INDEX IF NOT EXISTS "idx_benchmark_runs_batch_id_cancelled" ON "benchmark_runs" (batch_id) '
    "WHERE benchmark_runs.status IN ('cancelled')",
)


@migrations()
def m016_batch_figures_from_summaries(db: sqlite_utils.Database) -> None:
    """A batch row's figures are read from its summary rows (agg_batch_groups) instead of its runs, and its
    cancelled attempts counted from this partial index (only cancelled rows are in it): storing a run of a batch no
    longer reads the batch's earlier runs (issue 25)."""
    _execute(db, _M016)
