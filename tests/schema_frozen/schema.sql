-- index idx__sqlite_migrations_migration_set_name
CREATE UNIQUE INDEX "idx__sqlite_migrations_migration_set_name"
    ON "_sqlite_migrations" ("migration_set", "name");

-- index idx_baseline_results_run_id_seq
CREATE UNIQUE INDEX idx_baseline_results_run_id_seq ON baseline_results (run_id, seq);

-- index idx_batch_runs_created_at
CREATE INDEX "idx_batch_runs_created_at"
    ON "batch_runs" ("created_at");

-- index idx_benchmark_runs_agent
CREATE INDEX "idx_benchmark_runs_agent"
    ON "benchmark_runs" ("agent");

-- index idx_benchmark_runs_agent_model_specialist_name_specialist_version_weighted_score
CREATE INDEX "idx_benchmark_runs_agent_model_specialist_name_specialist_version_weighted_score" ON "benchmark_runs" (agent, model, specialist_name, specialist_version, weighted_score);

-- index idx_benchmark_runs_agent_started_at
CREATE INDEX "idx_benchmark_runs_agent_started_at"
    ON "benchmark_runs" ("agent", "started_at");

-- index idx_benchmark_runs_agent_status_is_successful_weighted_score
CREATE INDEX "idx_benchmark_runs_agent_status_is_successful_weighted_score"
    ON "benchmark_runs" ("agent", "status", "is_successful", "weighted_score");

-- index idx_benchmark_runs_batch_id_suite_scenario_tier_agent_model_repeat_index
CREATE INDEX "idx_benchmark_runs_batch_id_suite_scenario_tier_agent_model_repeat_index"
    ON "benchmark_runs" ("batch_id", "suite", "scenario", "tier", "agent", "model", "repeat_index");

-- index idx_benchmark_runs_model
CREATE INDEX "idx_benchmark_runs_model"
    ON "benchmark_runs" ("model");

-- index idx_benchmark_runs_revision
CREATE INDEX "idx_benchmark_runs_revision"
    ON "benchmark_runs" ("revision");

-- index idx_benchmark_runs_run_id
CREATE UNIQUE INDEX "idx_benchmark_runs_run_id"
    ON "benchmark_runs" ("run_id");

-- index idx_benchmark_runs_scenario
CREATE INDEX "idx_benchmark_runs_scenario"
    ON "benchmark_runs" ("scenario");

-- index idx_benchmark_runs_scenario_started_at
CREATE INDEX "idx_benchmark_runs_scenario_started_at"
    ON "benchmark_runs" ("scenario", "started_at");

-- index idx_benchmark_runs_started_at
CREATE INDEX "idx_benchmark_runs_started_at"
    ON "benchmark_runs" ("started_at");

-- index idx_benchmark_runs_status
CREATE INDEX "idx_benchmark_runs_status"
    ON "benchmark_runs" ("status");

-- index idx_benchmark_runs_status_started_at
CREATE INDEX "idx_benchmark_runs_status_started_at"
    ON "benchmark_runs" ("status", "started_at");

-- index idx_benchmark_runs_suite
CREATE INDEX "idx_benchmark_runs_suite"
    ON "benchmark_runs" ("suite");

-- index idx_benchmark_runs_suite_scenario_tier
CREATE INDEX "idx_benchmark_runs_suite_scenario_tier"
    ON "benchmark_runs" ("suite", "scenario", "tier");

-- index idx_benchmark_runs_suite_scenario_tier_weighted_score
CREATE INDEX "idx_benchmark_runs_suite_scenario_tier_weighted_score"
    ON "benchmark_runs" ("suite", "scenario", "tier", "weighted_score");

-- index idx_benchmark_runs_suite_started_at
CREATE INDEX "idx_benchmark_runs_suite_started_at"
    ON "benchmark_runs" ("suite", "started_at");

-- index idx_benchmark_runs_tier
CREATE INDEX "idx_benchmark_runs_tier"
    ON "benchmark_runs" ("tier");

-- index idx_evaluation_results_evaluator_name_applicable_normalized_score
CREATE INDEX "idx_evaluation_results_evaluator_name_applicable_normalized_score"
    ON "evaluation_results" ("evaluator_name", "applicable", "normalized_score");

-- index idx_evaluation_results_run_id_evaluator_name
CREATE UNIQUE INDEX "idx_evaluation_results_run_id_evaluator_name"
    ON "evaluation_results" ("run_id", "evaluator_name");

-- index idx_run_dependency_changes_run_id_seq
CREATE UNIQUE INDEX "idx_run_dependency_changes_run_id_seq"
    ON "run_dependency_changes" ("run_id", "seq");

-- index idx_run_diff_files_run_id_seq
CREATE UNIQUE INDEX "idx_run_diff_files_run_id_seq"
    ON "run_diff_files" ("run_id", "seq");

-- index idx_run_messages_run_id_seq
CREATE UNIQUE INDEX "idx_run_messages_run_id_seq"
    ON "run_messages" ("run_id", "seq");

-- index idx_run_telemetry_run_id
CREATE UNIQUE INDEX "idx_run_telemetry_run_id"
    ON "run_telemetry" ("run_id");

-- index idx_run_tool_calls_run_id_seq
CREATE UNIQUE INDEX "idx_run_tool_calls_run_id_seq"
    ON "run_tool_calls" ("run_id", "seq");

-- index idx_validation_results_run_id_seq
CREATE UNIQUE INDEX "idx_validation_results_run_id_seq"
    ON "validation_results" ("run_id", "seq");

-- table _sqlite_migrations
CREATE TABLE "_sqlite_migrations" (
   "id" INTEGER PRIMARY KEY,
   "migration_set" TEXT,
   "name" TEXT,
   "applied_at" TEXT
);

-- table agg_agents
CREATE TABLE agg_agents (agent TEXT NOT NULL, model TEXT NOT NULL, specialist_name TEXT NOT NULL, specialist_version TEXT NOT NULL, runs INTEGER NOT NULL DEFAULT 0, successful INTEGER NOT NULL DEFAULT 0, completed INTEGER NOT NULL DEFAULT 0, failed INTEGER NOT NULL DEFAULT 0, agent_failed INTEGER NOT NULL DEFAULT 0, infra_failed INTEGER NOT NULL DEFAULT 0, scored INTEGER NOT NULL DEFAULT 0, evaluator_errors INTEGER NOT NULL DEFAULT 0, findings INTEGER NOT NULL DEFAULT 0, total_scored INTEGER NOT NULL DEFAULT 0, sum_total_score REAL NOT NULL DEFAULT 0, sum_weighted REAL NOT NULL DEFAULT 0, cost_runs INTEGER NOT NULL DEFAULT 0, sum_cost REAL NOT NULL DEFAULT 0, min_weighted REAL, max_weighted REAL, PRIMARY KEY (agent, model, specialist_name, specialist_version));

-- table agg_items
CREATE TABLE agg_items (agent TEXT NOT NULL, model TEXT NOT NULL, specialist_name TEXT NOT NULL, specialist_version TEXT NOT NULL, suite TEXT NOT NULL, scenario TEXT NOT NULL, tier TEXT NOT NULL, runs INTEGER NOT NULL DEFAULT 0, successful INTEGER NOT NULL DEFAULT 0, completed INTEGER NOT NULL DEFAULT 0, failed INTEGER NOT NULL DEFAULT 0, agent_failed INTEGER NOT NULL DEFAULT 0, infra_failed INTEGER NOT NULL DEFAULT 0, scored INTEGER NOT NULL DEFAULT 0, evaluator_errors INTEGER NOT NULL DEFAULT 0, findings INTEGER NOT NULL DEFAULT 0, total_scored INTEGER NOT NULL DEFAULT 0, sum_total_score REAL NOT NULL DEFAULT 0, sum_weighted REAL NOT NULL DEFAULT 0, cost_runs INTEGER NOT NULL DEFAULT 0, sum_cost REAL NOT NULL DEFAULT 0, PRIMARY KEY (agent, model, specialist_name, specialist_version, suite, scenario, tier));

-- table agg_scenarios
CREATE TABLE agg_scenarios (suite TEXT NOT NULL, scenario TEXT NOT NULL, tier TEXT NOT NULL, runs INTEGER NOT NULL DEFAULT 0, successful INTEGER NOT NULL DEFAULT 0, completed INTEGER NOT NULL DEFAULT 0, failed INTEGER NOT NULL DEFAULT 0, agent_failed INTEGER NOT NULL DEFAULT 0, infra_failed INTEGER NOT NULL DEFAULT 0, scored INTEGER NOT NULL DEFAULT 0, evaluator_errors INTEGER NOT NULL DEFAULT 0, findings INTEGER NOT NULL DEFAULT 0, total_scored INTEGER NOT NULL DEFAULT 0, sum_total_score REAL NOT NULL DEFAULT 0, sum_weighted REAL NOT NULL DEFAULT 0, cost_runs INTEGER NOT NULL DEFAULT 0, sum_cost REAL NOT NULL DEFAULT 0, min_weighted REAL, max_weighted REAL, PRIMARY KEY (suite, scenario, tier));

-- table agg_status_agents
CREATE TABLE agg_status_agents (agent TEXT NOT NULL, status TEXT NOT NULL, is_successful INTEGER NOT NULL, runs INTEGER NOT NULL DEFAULT 0, successful INTEGER NOT NULL DEFAULT 0, completed INTEGER NOT NULL DEFAULT 0, failed INTEGER NOT NULL DEFAULT 0, agent_failed INTEGER NOT NULL DEFAULT 0, infra_failed INTEGER NOT NULL DEFAULT 0, scored INTEGER NOT NULL DEFAULT 0, evaluator_errors INTEGER NOT NULL DEFAULT 0, findings INTEGER NOT NULL DEFAULT 0, total_scored INTEGER NOT NULL DEFAULT 0, sum_total_score REAL NOT NULL DEFAULT 0, sum_weighted REAL NOT NULL DEFAULT 0, cost_runs INTEGER NOT NULL DEFAULT 0, sum_cost REAL NOT NULL DEFAULT 0, min_weighted REAL, max_weighted REAL, PRIMARY KEY (agent, status, is_successful));

-- table agg_totals
CREATE TABLE agg_totals (grp TEXT NOT NULL, runs INTEGER NOT NULL DEFAULT 0, successful INTEGER NOT NULL DEFAULT 0, completed INTEGER NOT NULL DEFAULT 0, failed INTEGER NOT NULL DEFAULT 0, agent_failed INTEGER NOT NULL DEFAULT 0, infra_failed INTEGER NOT NULL DEFAULT 0, scored INTEGER NOT NULL DEFAULT 0, evaluator_errors INTEGER NOT NULL DEFAULT 0, findings INTEGER NOT NULL DEFAULT 0, total_scored INTEGER NOT NULL DEFAULT 0, sum_total_score REAL NOT NULL DEFAULT 0, sum_weighted REAL NOT NULL DEFAULT 0, cost_runs INTEGER NOT NULL DEFAULT 0, sum_cost REAL NOT NULL DEFAULT 0, PRIMARY KEY (grp));

-- table baseline_results
CREATE TABLE baseline_results (id INTEGER PRIMARY KEY, run_id TEXT NOT NULL, seq INTEGER,
        kind TEXT NOT NULL, command TEXT, status TEXT, exit_code INTEGER, duration_ms INTEGER, output_tail TEXT);

-- table batch_runs
CREATE TABLE "batch_runs" (
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
, "agent_failed_runs" INTEGER NOT NULL DEFAULT 0, "infra_failed_runs" INTEGER NOT NULL DEFAULT 0, "scored_runs" INTEGER NOT NULL DEFAULT 0, "cancelled_runs" INTEGER NOT NULL DEFAULT 0, "evaluator_error_runs" INTEGER NOT NULL DEFAULT 0, "finding_runs" INTEGER NOT NULL DEFAULT 0);

-- table benchmark_runs
CREATE TABLE "benchmark_runs" (
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
, "cost_usd" REAL, "revision" INTEGER, "specialist_enabled" INTEGER NOT NULL DEFAULT 0, "specialist_name" TEXT, "specialist_version" TEXT, "evaluator_errors" INTEGER NOT NULL DEFAULT 0, "findings" INTEGER NOT NULL DEFAULT 0);

-- table evaluation_results
CREATE TABLE "evaluation_results" (
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
, "cost_usd" REAL, "normalized_score" REAL);

-- table run_dependency_changes
CREATE TABLE "run_dependency_changes" (
   "id" INTEGER PRIMARY KEY,
   "run_id" TEXT NOT NULL,
   "seq" INTEGER,
   "manifest" TEXT,
   "section" TEXT,
   "name" TEXT NOT NULL,
   "before" TEXT,
   "after" TEXT
);

-- table run_diff_files
CREATE TABLE "run_diff_files" (
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
);

-- table run_manifests
CREATE TABLE "run_manifests" (
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
);

-- table run_messages
CREATE TABLE "run_messages" (
   "id" INTEGER PRIMARY KEY,
   "run_id" TEXT NOT NULL,
   "seq" INTEGER,
   "role" TEXT,
   "content" TEXT
);

-- table run_telemetry
CREATE TABLE "run_telemetry" (
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
);

-- table run_tool_calls
CREATE TABLE "run_tool_calls" (
   "id" INTEGER PRIMARY KEY,
   "run_id" TEXT NOT NULL,
   "seq" INTEGER,
   "name" TEXT NOT NULL,
   "input" TEXT,
   "output" TEXT,
   "is_error" INTEGER,
   "duration_ms" INTEGER
);

-- table validation_results
CREATE TABLE "validation_results" (
   "id" INTEGER PRIMARY KEY,
   "run_id" TEXT NOT NULL,
   "seq" INTEGER,
   "kind" TEXT NOT NULL,
   "command" TEXT,
   "status" TEXT,
   "exit_code" INTEGER,
   "duration_ms" INTEGER,
   "output_tail" TEXT
, baseline_status TEXT);

-- trigger agg_agents_delete
CREATE TRIGGER agg_agents_delete AFTER DELETE ON benchmark_runs WHEN (OLD.status NOT IN ('cancelled')) BEGIN
  UPDATE agg_agents SET runs = runs - (OLD.status NOT IN ('cancelled')), successful = successful - (OLD.status IN ('completed', 'budget_exceeded') AND OLD.is_successful = 1), completed = completed - (OLD.status IN ('completed', 'budget_exceeded')), failed = failed - (OLD.status NOT IN ('completed', 'budget_exceeded', 'cancelled')), agent_failed = agent_failed - (OLD.status NOT IN ('completed', 'budget_exceeded', 'cancelled') AND NOT COALESCE(OLD.failure_category IN ('infrastructure', 'rate_limited', 'workspace', 'validation', 'evaluation', 'setup', 'warmup'), 0)), infra_failed = infra_failed - (OLD.status NOT IN ('completed', 'budget_exceeded', 'cancelled') AND COALESCE(OLD.failure_category IN ('infrastructure', 'rate_limited', 'workspace', 'validation', 'evaluation', 'setup', 'warmup'), 0)), scored = scored - (OLD.status NOT IN ('cancelled') AND OLD.weighted_score IS NOT NULL), evaluator_errors = evaluator_errors - (OLD.status NOT IN ('cancelled') AND OLD.evaluator_errors > 0), findings = findings - (OLD.status NOT IN ('cancelled') AND OLD.findings > 0), total_scored = total_scored - (OLD.total_score IS NOT NULL), sum_total_score = sum_total_score - (COALESCE(OLD.total_score, 0)), sum_weighted = sum_weighted - (COALESCE(OLD.weighted_score, 0)), cost_runs = cost_runs - (OLD.cost_usd IS NOT NULL), sum_cost = sum_cost - (COALESCE(OLD.cost_usd, 0)), min_weighted = (SELECT MIN(weighted_score) FROM benchmark_runs r WHERE r.agent IS OLD.agent AND r.model IS OLD.model AND r.specialist_name IS OLD.specialist_name AND r.specialist_version IS OLD.specialist_version AND (r.status NOT IN ('cancelled'))), max_weighted = (SELECT MAX(weighted_score) FROM benchmark_runs r WHERE r.agent IS OLD.agent AND r.model IS OLD.model AND r.specialist_name IS OLD.specialist_name AND r.specialist_version IS OLD.specialist_version AND (r.status NOT IN ('cancelled'))) WHERE agent = COALESCE(OLD.agent, '') AND model = COALESCE(OLD.model, '') AND specialist_name = COALESCE(OLD.specialist_name, '') AND specialist_version = COALESCE(OLD.specialist_version, '');
END;

-- trigger agg_agents_insert
CREATE TRIGGER agg_agents_insert AFTER INSERT ON benchmark_runs WHEN (NEW.status NOT IN ('cancelled')) BEGIN
  INSERT INTO agg_agents (agent, model, specialist_name, specialist_version) VALUES (COALESCE(NEW.agent, ''), COALESCE(NEW.model, ''), COALESCE(NEW.specialist_name, ''), COALESCE(NEW.specialist_version, '')) ON CONFLICT DO NOTHING;
  UPDATE agg_agents SET runs = runs + (NEW.status NOT IN ('cancelled')), successful = successful + (NEW.status IN ('completed', 'budget_exceeded') AND NEW.is_successful = 1), completed = completed + (NEW.status IN ('completed', 'budget_exceeded')), failed = failed + (NEW.status NOT IN ('completed', 'budget_exceeded', 'cancelled')), agent_failed = agent_failed + (NEW.status NOT IN ('completed', 'budget_exceeded', 'cancelled') AND NOT COALESCE(NEW.failure_category IN ('infrastructure', 'rate_limited', 'workspace', 'validation', 'evaluation', 'setup', 'warmup'), 0)), infra_failed = infra_failed + (NEW.status NOT IN ('completed', 'budget_exceeded', 'cancelled') AND COALESCE(NEW.failure_category IN ('infrastructure', 'rate_limited', 'workspace', 'validation', 'evaluation', 'setup', 'warmup'), 0)), scored = scored + (NEW.status NOT IN ('cancelled') AND NEW.weighted_score IS NOT NULL), evaluator_errors = evaluator_errors + (NEW.status NOT IN ('cancelled') AND NEW.evaluator_errors > 0), findings = findings + (NEW.status NOT IN ('cancelled') AND NEW.findings > 0), total_scored = total_scored + (NEW.total_score IS NOT NULL), sum_total_score = sum_total_score + (COALESCE(NEW.total_score, 0)), sum_weighted = sum_weighted + (COALESCE(NEW.weighted_score, 0)), cost_runs = cost_runs + (NEW.cost_usd IS NOT NULL), sum_cost = sum_cost + (COALESCE(NEW.cost_usd, 0)), min_weighted = CASE WHEN NEW.weighted_score IS NULL THEN min_weighted ELSE MIN(COALESCE(min_weighted, NEW.weighted_score), NEW.weighted_score) END, max_weighted = CASE WHEN NEW.weighted_score IS NULL THEN max_weighted ELSE MAX(COALESCE(max_weighted, NEW.weighted_score), NEW.weighted_score) END WHERE agent = COALESCE(NEW.agent, '') AND model = COALESCE(NEW.model, '') AND specialist_name = COALESCE(NEW.specialist_name, '') AND specialist_version = COALESCE(NEW.specialist_version, '');
END;

-- trigger agg_items_delete
CREATE TRIGGER agg_items_delete AFTER DELETE ON benchmark_runs WHEN (OLD.status NOT IN ('cancelled')) BEGIN
  UPDATE agg_items SET runs = runs - (OLD.status NOT IN ('cancelled')), successful = successful - (OLD.status IN ('completed', 'budget_exceeded') AND OLD.is_successful = 1), completed = completed - (OLD.status IN ('completed', 'budget_exceeded')), failed = failed - (OLD.status NOT IN ('completed', 'budget_exceeded', 'cancelled')), agent_failed = agent_failed - (OLD.status NOT IN ('completed', 'budget_exceeded', 'cancelled') AND NOT COALESCE(OLD.failure_category IN ('infrastructure', 'rate_limited', 'workspace', 'validation', 'evaluation', 'setup', 'warmup'), 0)), infra_failed = infra_failed - (OLD.status NOT IN ('completed', 'budget_exceeded', 'cancelled') AND COALESCE(OLD.failure_category IN ('infrastructure', 'rate_limited', 'workspace', 'validation', 'evaluation', 'setup', 'warmup'), 0)), scored = scored - (OLD.status NOT IN ('cancelled') AND OLD.weighted_score IS NOT NULL), evaluator_errors = evaluator_errors - (OLD.status NOT IN ('cancelled') AND OLD.evaluator_errors > 0), findings = findings - (OLD.status NOT IN ('cancelled') AND OLD.findings > 0), total_scored = total_scored - (OLD.total_score IS NOT NULL), sum_total_score = sum_total_score - (COALESCE(OLD.total_score, 0)), sum_weighted = sum_weighted - (COALESCE(OLD.weighted_score, 0)), cost_runs = cost_runs - (OLD.cost_usd IS NOT NULL), sum_cost = sum_cost - (COALESCE(OLD.cost_usd, 0)) WHERE agent = COALESCE(OLD.agent, '') AND model = COALESCE(OLD.model, '') AND specialist_name = COALESCE(OLD.specialist_name, '') AND specialist_version = COALESCE(OLD.specialist_version, '') AND suite = COALESCE(OLD.suite, '') AND scenario = COALESCE(OLD.scenario, '') AND tier = COALESCE(OLD.tier, '');
END;

-- trigger agg_items_insert
CREATE TRIGGER agg_items_insert AFTER INSERT ON benchmark_runs WHEN (NEW.status NOT IN ('cancelled')) BEGIN
  INSERT INTO agg_items (agent, model, specialist_name, specialist_version, suite, scenario, tier) VALUES (COALESCE(NEW.agent, ''), COALESCE(NEW.model, ''), COALESCE(NEW.specialist_name, ''), COALESCE(NEW.specialist_version, ''), COALESCE(NEW.suite, ''), COALESCE(NEW.scenario, ''), COALESCE(NEW.tier, '')) ON CONFLICT DO NOTHING;
  UPDATE agg_items SET runs = runs + (NEW.status NOT IN ('cancelled')), successful = successful + (NEW.status IN ('completed', 'budget_exceeded') AND NEW.is_successful = 1), completed = completed + (NEW.status IN ('completed', 'budget_exceeded')), failed = failed + (NEW.status NOT IN ('completed', 'budget_exceeded', 'cancelled')), agent_failed = agent_failed + (NEW.status NOT IN ('completed', 'budget_exceeded', 'cancelled') AND NOT COALESCE(NEW.failure_category IN ('infrastructure', 'rate_limited', 'workspace', 'validation', 'evaluation', 'setup', 'warmup'), 0)), infra_failed = infra_failed + (NEW.status NOT IN ('completed', 'budget_exceeded', 'cancelled') AND COALESCE(NEW.failure_category IN ('infrastructure', 'rate_limited', 'workspace', 'validation', 'evaluation', 'setup', 'warmup'), 0)), scored = scored + (NEW.status NOT IN ('cancelled') AND NEW.weighted_score IS NOT NULL), evaluator_errors = evaluator_errors + (NEW.status NOT IN ('cancelled') AND NEW.evaluator_errors > 0), findings = findings + (NEW.status NOT IN ('cancelled') AND NEW.findings > 0), total_scored = total_scored + (NEW.total_score IS NOT NULL), sum_total_score = sum_total_score + (COALESCE(NEW.total_score, 0)), sum_weighted = sum_weighted + (COALESCE(NEW.weighted_score, 0)), cost_runs = cost_runs + (NEW.cost_usd IS NOT NULL), sum_cost = sum_cost + (COALESCE(NEW.cost_usd, 0)) WHERE agent = COALESCE(NEW.agent, '') AND model = COALESCE(NEW.model, '') AND specialist_name = COALESCE(NEW.specialist_name, '') AND specialist_version = COALESCE(NEW.specialist_version, '') AND suite = COALESCE(NEW.suite, '') AND scenario = COALESCE(NEW.scenario, '') AND tier = COALESCE(NEW.tier, '');
END;

-- trigger agg_scenarios_delete
CREATE TRIGGER agg_scenarios_delete AFTER DELETE ON benchmark_runs WHEN (OLD.status NOT IN ('cancelled')) BEGIN
  UPDATE agg_scenarios SET runs = runs - (OLD.status NOT IN ('cancelled')), successful = successful - (OLD.status IN ('completed', 'budget_exceeded') AND OLD.is_successful = 1), completed = completed - (OLD.status IN ('completed', 'budget_exceeded')), failed = failed - (OLD.status NOT IN ('completed', 'budget_exceeded', 'cancelled')), agent_failed = agent_failed - (OLD.status NOT IN ('completed', 'budget_exceeded', 'cancelled') AND NOT COALESCE(OLD.failure_category IN ('infrastructure', 'rate_limited', 'workspace', 'validation', 'evaluation', 'setup', 'warmup'), 0)), infra_failed = infra_failed - (OLD.status NOT IN ('completed', 'budget_exceeded', 'cancelled') AND COALESCE(OLD.failure_category IN ('infrastructure', 'rate_limited', 'workspace', 'validation', 'evaluation', 'setup', 'warmup'), 0)), scored = scored - (OLD.status NOT IN ('cancelled') AND OLD.weighted_score IS NOT NULL), evaluator_errors = evaluator_errors - (OLD.status NOT IN ('cancelled') AND OLD.evaluator_errors > 0), findings = findings - (OLD.status NOT IN ('cancelled') AND OLD.findings > 0), total_scored = total_scored - (OLD.total_score IS NOT NULL), sum_total_score = sum_total_score - (COALESCE(OLD.total_score, 0)), sum_weighted = sum_weighted - (COALESCE(OLD.weighted_score, 0)), cost_runs = cost_runs - (OLD.cost_usd IS NOT NULL), sum_cost = sum_cost - (COALESCE(OLD.cost_usd, 0)), min_weighted = (SELECT MIN(weighted_score) FROM benchmark_runs r WHERE r.suite IS OLD.suite AND r.scenario IS OLD.scenario AND r.tier IS OLD.tier AND (r.status NOT IN ('cancelled'))), max_weighted = (SELECT MAX(weighted_score) FROM benchmark_runs r WHERE r.suite IS OLD.suite AND r.scenario IS OLD.scenario AND r.tier IS OLD.tier AND (r.status NOT IN ('cancelled'))) WHERE suite = COALESCE(OLD.suite, '') AND scenario = COALESCE(OLD.scenario, '') AND tier = COALESCE(OLD.tier, '');
END;

-- trigger agg_scenarios_insert
CREATE TRIGGER agg_scenarios_insert AFTER INSERT ON benchmark_runs WHEN (NEW.status NOT IN ('cancelled')) BEGIN
  INSERT INTO agg_scenarios (suite, scenario, tier) VALUES (COALESCE(NEW.suite, ''), COALESCE(NEW.scenario, ''), COALESCE(NEW.tier, '')) ON CONFLICT DO NOTHING;
  UPDATE agg_scenarios SET runs = runs + (NEW.status NOT IN ('cancelled')), successful = successful + (NEW.status IN ('completed', 'budget_exceeded') AND NEW.is_successful = 1), completed = completed + (NEW.status IN ('completed', 'budget_exceeded')), failed = failed + (NEW.status NOT IN ('completed', 'budget_exceeded', 'cancelled')), agent_failed = agent_failed + (NEW.status NOT IN ('completed', 'budget_exceeded', 'cancelled') AND NOT COALESCE(NEW.failure_category IN ('infrastructure', 'rate_limited', 'workspace', 'validation', 'evaluation', 'setup', 'warmup'), 0)), infra_failed = infra_failed + (NEW.status NOT IN ('completed', 'budget_exceeded', 'cancelled') AND COALESCE(NEW.failure_category IN ('infrastructure', 'rate_limited', 'workspace', 'validation', 'evaluation', 'setup', 'warmup'), 0)), scored = scored + (NEW.status NOT IN ('cancelled') AND NEW.weighted_score IS NOT NULL), evaluator_errors = evaluator_errors + (NEW.status NOT IN ('cancelled') AND NEW.evaluator_errors > 0), findings = findings + (NEW.status NOT IN ('cancelled') AND NEW.findings > 0), total_scored = total_scored + (NEW.total_score IS NOT NULL), sum_total_score = sum_total_score + (COALESCE(NEW.total_score, 0)), sum_weighted = sum_weighted + (COALESCE(NEW.weighted_score, 0)), cost_runs = cost_runs + (NEW.cost_usd IS NOT NULL), sum_cost = sum_cost + (COALESCE(NEW.cost_usd, 0)), min_weighted = CASE WHEN NEW.weighted_score IS NULL THEN min_weighted ELSE MIN(COALESCE(min_weighted, NEW.weighted_score), NEW.weighted_score) END, max_weighted = CASE WHEN NEW.weighted_score IS NULL THEN max_weighted ELSE MAX(COALESCE(max_weighted, NEW.weighted_score), NEW.weighted_score) END WHERE suite = COALESCE(NEW.suite, '') AND scenario = COALESCE(NEW.scenario, '') AND tier = COALESCE(NEW.tier, '');
END;

-- trigger agg_status_agents_delete
CREATE TRIGGER agg_status_agents_delete AFTER DELETE ON benchmark_runs WHEN (OLD.status NOT IN ('cancelled')) BEGIN
  UPDATE agg_status_agents SET runs = runs - (OLD.status NOT IN ('cancelled')), successful = successful - (OLD.status IN ('completed', 'budget_exceeded') AND OLD.is_successful = 1), completed = completed - (OLD.status IN ('completed', 'budget_exceeded')), failed = failed - (OLD.status NOT IN ('completed', 'budget_exceeded', 'cancelled')), agent_failed = agent_failed - (OLD.status NOT IN ('completed', 'budget_exceeded', 'cancelled') AND NOT COALESCE(OLD.failure_category IN ('infrastructure', 'rate_limited', 'workspace', 'validation', 'evaluation', 'setup', 'warmup'), 0)), infra_failed = infra_failed - (OLD.status NOT IN ('completed', 'budget_exceeded', 'cancelled') AND COALESCE(OLD.failure_category IN ('infrastructure', 'rate_limited', 'workspace', 'validation', 'evaluation', 'setup', 'warmup'), 0)), scored = scored - (OLD.status NOT IN ('cancelled') AND OLD.weighted_score IS NOT NULL), evaluator_errors = evaluator_errors - (OLD.status NOT IN ('cancelled') AND OLD.evaluator_errors > 0), findings = findings - (OLD.status NOT IN ('cancelled') AND OLD.findings > 0), total_scored = total_scored - (OLD.total_score IS NOT NULL), sum_total_score = sum_total_score - (COALESCE(OLD.total_score, 0)), sum_weighted = sum_weighted - (COALESCE(OLD.weighted_score, 0)), cost_runs = cost_runs - (OLD.cost_usd IS NOT NULL), sum_cost = sum_cost - (COALESCE(OLD.cost_usd, 0)), min_weighted = (SELECT MIN(weighted_score) FROM benchmark_runs r WHERE r.agent IS OLD.agent AND r.status IS OLD.status AND r.is_successful IS OLD.is_successful AND (r.status NOT IN ('cancelled'))), max_weighted = (SELECT MAX(weighted_score) FROM benchmark_runs r WHERE r.agent IS OLD.agent AND r.status IS OLD.status AND r.is_successful IS OLD.is_successful AND (r.status NOT IN ('cancelled'))) WHERE agent = COALESCE(OLD.agent, '') AND status = COALESCE(OLD.status, '') AND is_successful = COALESCE(OLD.is_successful, 0);
END;

-- trigger agg_status_agents_insert
CREATE TRIGGER agg_status_agents_insert AFTER INSERT ON benchmark_runs WHEN (NEW.status NOT IN ('cancelled')) BEGIN
  INSERT INTO agg_status_agents (agent, status, is_successful) VALUES (COALESCE(NEW.agent, ''), COALESCE(NEW.status, ''), COALESCE(NEW.is_successful, 0)) ON CONFLICT DO NOTHING;
  UPDATE agg_status_agents SET runs = runs + (NEW.status NOT IN ('cancelled')), successful = successful + (NEW.status IN ('completed', 'budget_exceeded') AND NEW.is_successful = 1), completed = completed + (NEW.status IN ('completed', 'budget_exceeded')), failed = failed + (NEW.status NOT IN ('completed', 'budget_exceeded', 'cancelled')), agent_failed = agent_failed + (NEW.status NOT IN ('completed', 'budget_exceeded', 'cancelled') AND NOT COALESCE(NEW.failure_category IN ('infrastructure', 'rate_limited', 'workspace', 'validation', 'evaluation', 'setup', 'warmup'), 0)), infra_failed = infra_failed + (NEW.status NOT IN ('completed', 'budget_exceeded', 'cancelled') AND COALESCE(NEW.failure_category IN ('infrastructure', 'rate_limited', 'workspace', 'validation', 'evaluation', 'setup', 'warmup'), 0)), scored = scored + (NEW.status NOT IN ('cancelled') AND NEW.weighted_score IS NOT NULL), evaluator_errors = evaluator_errors + (NEW.status NOT IN ('cancelled') AND NEW.evaluator_errors > 0), findings = findings + (NEW.status NOT IN ('cancelled') AND NEW.findings > 0), total_scored = total_scored + (NEW.total_score IS NOT NULL), sum_total_score = sum_total_score + (COALESCE(NEW.total_score, 0)), sum_weighted = sum_weighted + (COALESCE(NEW.weighted_score, 0)), cost_runs = cost_runs + (NEW.cost_usd IS NOT NULL), sum_cost = sum_cost + (COALESCE(NEW.cost_usd, 0)), min_weighted = CASE WHEN NEW.weighted_score IS NULL THEN min_weighted ELSE MIN(COALESCE(min_weighted, NEW.weighted_score), NEW.weighted_score) END, max_weighted = CASE WHEN NEW.weighted_score IS NULL THEN max_weighted ELSE MAX(COALESCE(max_weighted, NEW.weighted_score), NEW.weighted_score) END WHERE agent = COALESCE(NEW.agent, '') AND status = COALESCE(NEW.status, '') AND is_successful = COALESCE(NEW.is_successful, 0);
END;

-- trigger agg_totals_delete
CREATE TRIGGER agg_totals_delete AFTER DELETE ON benchmark_runs WHEN (OLD.status NOT IN ('cancelled')) BEGIN
  UPDATE agg_totals SET runs = runs - (OLD.status NOT IN ('cancelled')), successful = successful - (OLD.status IN ('completed', 'budget_exceeded') AND OLD.is_successful = 1), completed = completed - (OLD.status IN ('completed', 'budget_exceeded')), failed = failed - (OLD.status NOT IN ('completed', 'budget_exceeded', 'cancelled')), agent_failed = agent_failed - (OLD.status NOT IN ('completed', 'budget_exceeded', 'cancelled') AND NOT COALESCE(OLD.failure_category IN ('infrastructure', 'rate_limited', 'workspace', 'validation', 'evaluation', 'setup', 'warmup'), 0)), infra_failed = infra_failed - (OLD.status NOT IN ('completed', 'budget_exceeded', 'cancelled') AND COALESCE(OLD.failure_category IN ('infrastructure', 'rate_limited', 'workspace', 'validation', 'evaluation', 'setup', 'warmup'), 0)), scored = scored - (OLD.status NOT IN ('cancelled') AND OLD.weighted_score IS NOT NULL), evaluator_errors = evaluator_errors - (OLD.status NOT IN ('cancelled') AND OLD.evaluator_errors > 0), findings = findings - (OLD.status NOT IN ('cancelled') AND OLD.findings > 0), total_scored = total_scored - (OLD.total_score IS NOT NULL), sum_total_score = sum_total_score - (COALESCE(OLD.total_score, 0)), sum_weighted = sum_weighted - (COALESCE(OLD.weighted_score, 0)), cost_runs = cost_runs - (OLD.cost_usd IS NOT NULL), sum_cost = sum_cost - (COALESCE(OLD.cost_usd, 0)) WHERE grp = 'all';
END;

-- trigger agg_totals_insert
CREATE TRIGGER agg_totals_insert AFTER INSERT ON benchmark_runs WHEN (NEW.status NOT IN ('cancelled')) BEGIN
  INSERT INTO agg_totals (grp) VALUES ('all') ON CONFLICT DO NOTHING;
  UPDATE agg_totals SET runs = runs + (NEW.status NOT IN ('cancelled')), successful = successful + (NEW.status IN ('completed', 'budget_exceeded') AND NEW.is_successful = 1), completed = completed + (NEW.status IN ('completed', 'budget_exceeded')), failed = failed + (NEW.status NOT IN ('completed', 'budget_exceeded', 'cancelled')), agent_failed = agent_failed + (NEW.status NOT IN ('completed', 'budget_exceeded', 'cancelled') AND NOT COALESCE(NEW.failure_category IN ('infrastructure', 'rate_limited', 'workspace', 'validation', 'evaluation', 'setup', 'warmup'), 0)), infra_failed = infra_failed + (NEW.status NOT IN ('completed', 'budget_exceeded', 'cancelled') AND COALESCE(NEW.failure_category IN ('infrastructure', 'rate_limited', 'workspace', 'validation', 'evaluation', 'setup', 'warmup'), 0)), scored = scored + (NEW.status NOT IN ('cancelled') AND NEW.weighted_score IS NOT NULL), evaluator_errors = evaluator_errors + (NEW.status NOT IN ('cancelled') AND NEW.evaluator_errors > 0), findings = findings + (NEW.status NOT IN ('cancelled') AND NEW.findings > 0), total_scored = total_scored + (NEW.total_score IS NOT NULL), sum_total_score = sum_total_score + (COALESCE(NEW.total_score, 0)), sum_weighted = sum_weighted + (COALESCE(NEW.weighted_score, 0)), cost_runs = cost_runs + (NEW.cost_usd IS NOT NULL), sum_cost = sum_cost + (COALESCE(NEW.cost_usd, 0)) WHERE grp = 'all';
END;

-- view runs_counted
CREATE VIEW runs_counted AS SELECT r.id, r.run_id, r.batch_id, r.suite, r.scenario, r.tier, r.agent, r.model, r.status, r.failure_category, r.started_at, r.completed_at, r.total_score, r.weighted_score, r.success_metric, r.cost_usd, r.evaluator_errors, (r.status IN ('completed', 'budget_exceeded')) AS completed, (r.status NOT IN ('completed', 'budget_exceeded', 'cancelled') AND NOT COALESCE(r.failure_category IN ('infrastructure', 'rate_limited', 'workspace', 'validation', 'evaluation', 'setup', 'warmup'), 0)) AS agent_failure, (r.status NOT IN ('completed', 'budget_exceeded', 'cancelled') AND COALESCE(r.failure_category IN ('infrastructure', 'rate_limited', 'workspace', 'validation', 'evaluation', 'setup', 'warmup'), 0)) AS infra_failure, (r.status IN ('completed', 'budget_exceeded') AND r.is_successful = 1) AS successful, (r.status NOT IN ('cancelled') AND r.evaluator_errors > 0) AS evaluator_error FROM benchmark_runs r WHERE (r.status NOT IN ('cancelled'));

