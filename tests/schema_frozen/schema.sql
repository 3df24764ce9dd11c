-- index idx__sqlite_migrations_migration_set_name
CREATE UNIQUE INDEX "idx__sqlite_migrations_migration_set_name"
    ON "_sqlite_migrations" ("migration_set", "name");

-- index idx_agg_batch_causes_key
CREATE INDEX "idx_agg_batch_causes_key" ON "agg_batch_causes" (batch_id, agent, model, specialist_name, specialist_version, kind, name);

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

-- index idx_benchmark_runs_batch_id
CREATE INDEX "idx_benchmark_runs_batch_id" ON "benchmark_runs" (batch_id);

-- index idx_benchmark_runs_batch_id_cancelled
CREATE INDEX "idx_benchmark_runs_batch_id_cancelled" ON "benchmark_runs" (batch_id) WHERE benchmark_runs.status IN ('cancelled');

-- index idx_benchmark_runs_batch_id_evaluator_errors
CREATE INDEX "idx_benchmark_runs_batch_id_evaluator_errors" ON "benchmark_runs" (batch_id) WHERE evaluator_errors > 0;

-- index idx_benchmark_runs_batch_id_revision
CREATE INDEX "idx_benchmark_runs_batch_id_revision" ON "benchmark_runs" (batch_id, revision);

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

-- index idx_run_causes_batch
CREATE INDEX "idx_run_causes_batch" ON "run_causes" (batch_id, agent, model, specialist_name, specialist_version, kind, name, example, score);

-- index idx_run_causes_run_id_kind
CREATE INDEX "idx_run_causes_run_id_kind" ON "run_causes" (run_id, kind);

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

-- table agg_batch_causes
CREATE TABLE agg_batch_causes (batch_id TEXT NOT NULL, agent TEXT, model TEXT, specialist_name TEXT, specialist_version TEXT, kind TEXT NOT NULL, name, runs INTEGER NOT NULL DEFAULT 0, score_sum REAL, example);

-- table agg_batch_failures
CREATE TABLE agg_batch_failures (batch_id TEXT NOT NULL, failure_category TEXT NOT NULL, runs INTEGER NOT NULL DEFAULT 0, successful INTEGER NOT NULL DEFAULT 0, completed INTEGER NOT NULL DEFAULT 0, failed INTEGER NOT NULL DEFAULT 0, agent_failed INTEGER NOT NULL DEFAULT 0, infra_failed INTEGER NOT NULL DEFAULT 0, scored INTEGER NOT NULL DEFAULT 0, evaluator_errors INTEGER NOT NULL DEFAULT 0, findings INTEGER NOT NULL DEFAULT 0, total_scored INTEGER NOT NULL DEFAULT 0, sum_total_score REAL NOT NULL DEFAULT 0, sum_weighted REAL NOT NULL DEFAULT 0, cost_runs INTEGER NOT NULL DEFAULT 0, sum_cost REAL NOT NULL DEFAULT 0, PRIMARY KEY (batch_id, failure_category));

-- table agg_batch_groups
CREATE TABLE agg_batch_groups (batch_id TEXT NOT NULL, agent TEXT NOT NULL, model TEXT NOT NULL, specialist_name TEXT NOT NULL, specialist_version TEXT NOT NULL, suite TEXT NOT NULL, tier TEXT NOT NULL, runs INTEGER NOT NULL DEFAULT 0, successful INTEGER NOT NULL DEFAULT 0, completed INTEGER NOT NULL DEFAULT 0, failed INTEGER NOT NULL DEFAULT 0, agent_failed INTEGER NOT NULL DEFAULT 0, infra_failed INTEGER NOT NULL DEFAULT 0, scored INTEGER NOT NULL DEFAULT 0, evaluator_errors INTEGER NOT NULL DEFAULT 0, findings INTEGER NOT NULL DEFAULT 0, total_scored INTEGER NOT NULL DEFAULT 0, sum_total_score REAL NOT NULL DEFAULT 0, sum_weighted REAL NOT NULL DEFAULT 0, cost_runs INTEGER NOT NULL DEFAULT 0, sum_cost REAL NOT NULL DEFAULT 0, PRIMARY KEY (batch_id, agent, model, specialist_name, specialist_version, suite, tier));

-- table agg_days
CREATE TABLE agg_days (day TEXT NOT NULL, agent TEXT NOT NULL, model TEXT NOT NULL, specialist_name TEXT NOT NULL, specialist_version TEXT NOT NULL, runs INTEGER NOT NULL DEFAULT 0, successful INTEGER NOT NULL DEFAULT 0, completed INTEGER NOT NULL DEFAULT 0, failed INTEGER NOT NULL DEFAULT 0, agent_failed INTEGER NOT NULL DEFAULT 0, infra_failed INTEGER NOT NULL DEFAULT 0, scored INTEGER NOT NULL DEFAULT 0, evaluator_errors INTEGER NOT NULL DEFAULT 0, findings INTEGER NOT NULL DEFAULT 0, total_scored INTEGER NOT NULL DEFAULT 0, sum_total_score REAL NOT NULL DEFAULT 0, sum_weighted REAL NOT NULL DEFAULT 0, cost_runs INTEGER NOT NULL DEFAULT 0, sum_cost REAL NOT NULL DEFAULT 0, PRIMARY KEY (day, agent, model, specialist_name, specialist_version));

-- table agg_evaluations
CREATE TABLE agg_evaluations (batch_id TEXT NOT NULL, agent TEXT NOT NULL, model TEXT NOT NULL, specialist_name TEXT NOT NULL, specialist_version TEXT NOT NULL, evaluator_name TEXT NOT NULL, kind TEXT NOT NULL, evaluations INTEGER NOT NULL DEFAULT 0, applicable INTEGER NOT NULL DEFAULT 0, weight_sum REAL NOT NULL DEFAULT 0, app_scores INTEGER NOT NULL DEFAULT 0, app_score_sum REAL NOT NULL DEFAULT 0, app_full INTEGER NOT NULL DEFAULT 0, errors INTEGER NOT NULL DEFAULT 0, cost_rows INTEGER NOT NULL DEFAULT 0, cost_usd REAL NOT NULL DEFAULT 0, ran INTEGER NOT NULL DEFAULT 0, ran_scores INTEGER NOT NULL DEFAULT 0, ran_score_sum REAL NOT NULL DEFAULT 0, PRIMARY KEY (batch_id, agent, model, specialist_name, specialist_version, evaluator_name, kind));

-- table agg_items
CREATE TABLE agg_items (agent TEXT NOT NULL, model TEXT NOT NULL, specialist_name TEXT NOT NULL, specialist_version TEXT NOT NULL, suite TEXT NOT NULL, scenario TEXT NOT NULL, tier TEXT NOT NULL, runs INTEGER NOT NULL DEFAULT 0, successful INTEGER NOT NULL DEFAULT 0, completed INTEGER NOT NULL DEFAULT 0, failed INTEGER NOT NULL DEFAULT 0, agent_failed INTEGER NOT NULL DEFAULT 0, infra_failed INTEGER NOT NULL DEFAULT 0, scored INTEGER NOT NULL DEFAULT 0, evaluator_errors INTEGER NOT NULL DEFAULT 0, findings INTEGER NOT NULL DEFAULT 0, total_scored INTEGER NOT NULL DEFAULT 0, sum_total_score REAL NOT NULL DEFAULT 0, sum_weighted REAL NOT NULL DEFAULT 0, cost_runs INTEGER NOT NULL DEFAULT 0, sum_cost REAL NOT NULL DEFAULT 0, PRIMARY KEY (agent, model, specialist_name, specialist_version, suite, scenario, tier));

-- table agg_scenarios
CREATE TABLE agg_scenarios (suite TEXT NOT NULL, scenario TEXT NOT NULL, tier TEXT NOT NULL, runs INTEGER NOT NULL DEFAULT 0, successful INTEGER NOT NULL DEFAULT 0, completed INTEGER NOT NULL DEFAULT 0, failed INTEGER NOT NULL DEFAULT 0, agent_failed INTEGER NOT NULL DEFAULT 0, infra_failed INTEGER NOT NULL DEFAULT 0, scored INTEGER NOT NULL DEFAULT 0, evaluator_errors INTEGER NOT NULL DEFAULT 0, findings INTEGER NOT NULL DEFAULT 0, total_scored INTEGER NOT NULL DEFAULT 0, sum_total_score REAL NOT NULL DEFAULT 0, sum_weighted REAL NOT NULL DEFAULT 0, cost_runs INTEGER NOT NULL DEFAULT 0, sum_cost REAL NOT NULL DEFAULT 0, min_weighted REAL, max_weighted REAL, PRIMARY KEY (suite, scenario, tier));

-- table agg_score_bins
CREATE TABLE agg_score_bins (score_bin INTEGER NOT NULL, runs INTEGER NOT NULL DEFAULT 0, successful INTEGER NOT NULL DEFAULT 0, completed INTEGER NOT NULL DEFAULT 0, failed INTEGER NOT NULL DEFAULT 0, agent_failed INTEGER NOT NULL DEFAULT 0, infra_failed INTEGER NOT NULL DEFAULT 0, scored INTEGER NOT NULL DEFAULT 0, evaluator_errors INTEGER NOT NULL DEFAULT 0, findings INTEGER NOT NULL DEFAULT 0, total_scored INTEGER NOT NULL DEFAULT 0, sum_total_score REAL NOT NULL DEFAULT 0, sum_weighted REAL NOT NULL DEFAULT 0, cost_runs INTEGER NOT NULL DEFAULT 0, sum_cost REAL NOT NULL DEFAULT 0, PRIMARY KEY (score_bin));

-- table agg_status_agents
CREATE TABLE agg_status_agents (agent TEXT NOT NULL, status TEXT NOT NULL, is_successful INTEGER NOT NULL, runs INTEGER NOT NULL DEFAULT 0, successful INTEGER NOT NULL DEFAULT 0, completed INTEGER NOT NULL DEFAULT 0, failed INTEGER NOT NULL DEFAULT 0, agent_failed INTEGER NOT NULL DEFAULT 0, infra_failed INTEGER NOT NULL DEFAULT 0, scored INTEGER NOT NULL DEFAULT 0, evaluator_errors INTEGER NOT NULL DEFAULT 0, findings INTEGER NOT NULL DEFAULT 0, total_scored INTEGER NOT NULL DEFAULT 0, sum_total_score REAL NOT NULL DEFAULT 0, sum_weighted REAL NOT NULL DEFAULT 0, cost_runs INTEGER NOT NULL DEFAULT 0, sum_cost REAL NOT NULL DEFAULT 0, min_weighted REAL, max_weighted REAL, PRIMARY KEY (agent, status, is_successful));

-- table agg_telemetry
CREATE TABLE agg_telemetry (agent TEXT NOT NULL, model TEXT NOT NULL, specialist_name TEXT NOT NULL, specialist_version TEXT NOT NULL, judge_cost_usd REAL NOT NULL DEFAULT 0, judge_cost_usd_rows INTEGER NOT NULL DEFAULT 0, tokens_in INTEGER NOT NULL DEFAULT 0, tokens_in_rows INTEGER NOT NULL DEFAULT 0, tokens_out INTEGER NOT NULL DEFAULT 0, tokens_out_rows INTEGER NOT NULL DEFAULT 0, cache_read_tokens INTEGER NOT NULL DEFAULT 0, cache_read_tokens_rows INTEGER NOT NULL DEFAULT 0, cache_write_tokens INTEGER NOT NULL DEFAULT 0, cache_write_tokens_rows INTEGER NOT NULL DEFAULT 0, PRIMARY KEY (agent, model, specialist_name, specialist_version));

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

-- table run_causes
CREATE TABLE run_causes (run_id TEXT NOT NULL, batch_id TEXT, agent TEXT, model TEXT, specialist_name TEXT, specialist_version TEXT, kind TEXT NOT NULL, name, example, score REAL);

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

-- trigger agg_batch_causes_delete
CREATE TRIGGER agg_batch_causes_delete AFTER DELETE ON run_causes WHEN OLD.batch_id IS NOT NULL BEGIN
  UPDATE agg_batch_causes SET runs = runs - 1, score_sum = CASE WHEN OLD.score IS NULL THEN score_sum ELSE (SELECT SUM(c.score) FROM run_causes c WHERE c.batch_id IS OLD.batch_id AND c.agent IS OLD.agent AND c.model IS OLD.model AND c.specialist_name IS OLD.specialist_name AND c.specialist_version IS OLD.specialist_version AND c.kind IS OLD.kind AND c.name IS OLD.name) END, example = CASE WHEN OLD.example IS NOT example THEN example ELSE (SELECT MIN(c.example) FROM run_causes c WHERE c.batch_id IS OLD.batch_id AND c.agent IS OLD.agent AND c.model IS OLD.model AND c.specialist_name IS OLD.specialist_name AND c.specialist_version IS OLD.specialist_version AND c.kind IS OLD.kind AND c.name IS OLD.name) END WHERE agg_batch_causes.batch_id IS OLD.batch_id AND agg_batch_causes.agent IS OLD.agent AND agg_batch_causes.model IS OLD.model AND agg_batch_causes.specialist_name IS OLD.specialist_name AND agg_batch_causes.specialist_version IS OLD.specialist_version AND agg_batch_causes.kind IS OLD.kind AND agg_batch_causes.name IS OLD.name;
  DELETE FROM agg_batch_causes WHERE agg_batch_causes.batch_id IS OLD.batch_id AND agg_batch_causes.agent IS OLD.agent AND agg_batch_causes.model IS OLD.model AND agg_batch_causes.specialist_name IS OLD.specialist_name AND agg_batch_causes.specialist_version IS OLD.specialist_version AND agg_batch_causes.kind IS OLD.kind AND agg_batch_causes.name IS OLD.name AND runs = 0;
END;

-- trigger agg_batch_causes_insert
CREATE TRIGGER agg_batch_causes_insert AFTER INSERT ON run_causes WHEN NEW.batch_id IS NOT NULL BEGIN
  INSERT INTO agg_batch_causes (batch_id, agent, model, specialist_name, specialist_version, kind, name) SELECT NEW.batch_id, NEW.agent, NEW.model, NEW.specialist_name, NEW.specialist_version, NEW.kind, NEW.name WHERE NOT EXISTS (SELECT 1 FROM agg_batch_causes a WHERE a.batch_id IS NEW.batch_id AND a.agent IS NEW.agent AND a.model IS NEW.model AND a.specialist_name IS NEW.specialist_name AND a.specialist_version IS NEW.specialist_version AND a.kind IS NEW.kind AND a.name IS NEW.name);
  UPDATE agg_batch_causes SET runs = runs + 1, score_sum = CASE WHEN NEW.score IS NULL THEN score_sum ELSE COALESCE(score_sum, 0) + NEW.score END, example = CASE WHEN NEW.example IS NULL THEN example WHEN example IS NULL THEN NEW.example ELSE min(example, NEW.example) END WHERE agg_batch_causes.batch_id IS NEW.batch_id AND agg_batch_causes.agent IS NEW.agent AND agg_batch_causes.model IS NEW.model AND agg_batch_causes.specialist_name IS NEW.specialist_name AND agg_batch_causes.specialist_version IS NEW.specialist_version AND agg_batch_causes.kind IS NEW.kind AND agg_batch_causes.name IS NEW.name;
END;

-- trigger agg_batch_failures_delete
CREATE TRIGGER agg_batch_failures_delete AFTER DELETE ON benchmark_runs WHEN (OLD.status NOT IN ('cancelled')) BEGIN
  UPDATE agg_batch_failures SET runs = runs - (OLD.status NOT IN ('cancelled')), successful = successful - (OLD.status IN ('completed', 'budget_exceeded') AND OLD.is_successful = 1), completed = completed - (OLD.status IN ('completed', 'budget_exceeded')), failed = failed - (OLD.status NOT IN ('completed', 'budget_exceeded', 'cancelled')), agent_failed = agent_failed - (OLD.status NOT IN ('completed', 'budget_exceeded', 'cancelled') AND NOT COALESCE(OLD.failure_category IN ('infrastructure', 'rate_limited', 'workspace', 'validation', 'evaluation', 'setup', 'warmup'), 0)), infra_failed = infra_failed - (OLD.status NOT IN ('completed', 'budget_exceeded', 'cancelled') AND COALESCE(OLD.failure_category IN ('infrastructure', 'rate_limited', 'workspace', 'validation', 'evaluation', 'setup', 'warmup'), 0)), scored = scored - (OLD.status NOT IN ('cancelled') AND OLD.weighted_score IS NOT NULL), evaluator_errors = evaluator_errors - (OLD.status NOT IN ('cancelled') AND OLD.evaluator_errors > 0), findings = findings - (OLD.status NOT IN ('cancelled') AND OLD.findings > 0), total_scored = total_scored - (OLD.total_score IS NOT NULL), sum_total_score = sum_total_score - (COALESCE(OLD.total_score, 0)), sum_weighted = sum_weighted - (COALESCE(OLD.weighted_score, 0)), cost_runs = cost_runs - (OLD.cost_usd IS NOT NULL), sum_cost = sum_cost - (COALESCE(OLD.cost_usd, 0)) WHERE batch_id = COALESCE(OLD.batch_id, '') AND failure_category = COALESCE(OLD.failure_category, '');
END;

-- trigger agg_batch_failures_insert
CREATE TRIGGER agg_batch_failures_insert AFTER INSERT ON benchmark_runs WHEN (NEW.status NOT IN ('cancelled')) BEGIN
  INSERT INTO agg_batch_failures (batch_id, failure_category) VALUES (COALESCE(NEW.batch_id, ''), COALESCE(NEW.failure_category, '')) ON CONFLICT DO NOTHING;
  UPDATE agg_batch_failures SET runs = runs + (NEW.status NOT IN ('cancelled')), successful = successful + (NEW.status IN ('completed', 'budget_exceeded') AND NEW.is_successful = 1), completed = completed + (NEW.status IN ('completed', 'budget_exceeded')), failed = failed + (NEW.status NOT IN ('completed', 'budget_exceeded', 'cancelled')), agent_failed = agent_failed + (NEW.status NOT IN ('completed', 'budget_exceeded', 'cancelled') AND NOT COALESCE(NEW.failure_category IN ('infrastructure', 'rate_limited', 'workspace', 'validation', 'evaluation', 'setup', 'warmup'), 0)), infra_failed = infra_failed + (NEW.status NOT IN ('completed', 'budget_exceeded', 'cancelled') AND COALESCE(NEW.failure_category IN ('infrastructure', 'rate_limited', 'workspace', 'validation', 'evaluation', 'setup', 'warmup'), 0)), scored = scored + (NEW.status NOT IN ('cancelled') AND NEW.weighted_score IS NOT NULL), evaluator_errors = evaluator_errors + (NEW.status NOT IN ('cancelled') AND NEW.evaluator_errors > 0), findings = findings + (NEW.status NOT IN ('cancelled') AND NEW.findings > 0), total_scored = total_scored + (NEW.total_score IS NOT NULL), sum_total_score = sum_total_score + (COALESCE(NEW.total_score, 0)), sum_weighted = sum_weighted + (COALESCE(NEW.weighted_score, 0)), cost_runs = cost_runs + (NEW.cost_usd IS NOT NULL), sum_cost = sum_cost + (COALESCE(NEW.cost_usd, 0)) WHERE batch_id = COALESCE(NEW.batch_id, '') AND failure_category = COALESCE(NEW.failure_category, '');
END;

-- trigger agg_batch_groups_delete
CREATE TRIGGER agg_batch_groups_delete AFTER DELETE ON benchmark_runs WHEN (OLD.status NOT IN ('cancelled')) BEGIN
  UPDATE agg_batch_groups SET runs = runs - (OLD.status NOT IN ('cancelled')), successful = successful - (OLD.status IN ('completed', 'budget_exceeded') AND OLD.is_successful = 1), completed = completed - (OLD.status IN ('completed', 'budget_exceeded')), failed = failed - (OLD.status NOT IN ('completed', 'budget_exceeded', 'cancelled')), agent_failed = agent_failed - (OLD.status NOT IN ('completed', 'budget_exceeded', 'cancelled') AND NOT COALESCE(OLD.failure_category IN ('infrastructure', 'rate_limited', 'workspace', 'validation', 'evaluation', 'setup', 'warmup'), 0)), infra_failed = infra_failed - (OLD.status NOT IN ('completed', 'budget_exceeded', 'cancelled') AND COALESCE(OLD.failure_category IN ('infrastructure', 'rate_limited', 'workspace', 'validation', 'evaluation', 'setup', 'warmup'), 0)), scored = scored - (OLD.status NOT IN ('cancelled') AND OLD.weighted_score IS NOT NULL), evaluator_errors = evaluator_errors - (OLD.status NOT IN ('cancelled') AND OLD.evaluator_errors > 0), findings = findings - (OLD.status NOT IN ('cancelled') AND OLD.findings > 0), total_scored = total_scored - (OLD.total_score IS NOT NULL), sum_total_score = sum_total_score - (COALESCE(OLD.total_score, 0)), sum_weighted = sum_weighted - (COALESCE(OLD.weighted_score, 0)), cost_runs = cost_runs - (OLD.cost_usd IS NOT NULL), sum_cost = sum_cost - (COALESCE(OLD.cost_usd, 0)) WHERE batch_id = COALESCE(OLD.batch_id, '') AND agent = COALESCE(OLD.agent, '') AND model = COALESCE(OLD.model, '') AND specialist_name = COALESCE(OLD.specialist_name, '') AND specialist_version = COALESCE(OLD.specialist_version, '') AND suite = COALESCE(OLD.suite, '') AND tier = COALESCE(OLD.tier, '');
END;

-- trigger agg_batch_groups_insert
CREATE TRIGGER agg_batch_groups_insert AFTER INSERT ON benchmark_runs WHEN (NEW.status NOT IN ('cancelled')) BEGIN
  INSERT INTO agg_batch_groups (batch_id, agent, model, specialist_name, specialist_version, suite, tier) VALUES (COALESCE(NEW.batch_id, ''), COALESCE(NEW.agent, ''), COALESCE(NEW.model, ''), COALESCE(NEW.specialist_name, ''), COALESCE(NEW.specialist_version, ''), COALESCE(NEW.suite, ''), COALESCE(NEW.tier, '')) ON CONFLICT DO NOTHING;
  UPDATE agg_batch_groups SET runs = runs + (NEW.status NOT IN ('cancelled')), successful = successful + (NEW.status IN ('completed', 'budget_exceeded') AND NEW.is_successful = 1), completed = completed + (NEW.status IN ('completed', 'budget_exceeded')), failed = failed + (NEW.status NOT IN ('completed', 'budget_exceeded', 'cancelled')), agent_failed = agent_failed + (NEW.status NOT IN ('completed', 'budget_exceeded', 'cancelled') AND NOT COALESCE(NEW.failure_category IN ('infrastructure', 'rate_limited', 'workspace', 'validation', 'evaluation', 'setup', 'warmup'), 0)), infra_failed = infra_failed + (NEW.status NOT IN ('completed', 'budget_exceeded', 'cancelled') AND COALESCE(NEW.failure_category IN ('infrastructure', 'rate_limited', 'workspace', 'validation', 'evaluation', 'setup', 'warmup'), 0)), scored = scored + (NEW.status NOT IN ('cancelled') AND NEW.weighted_score IS NOT NULL), evaluator_errors = evaluator_errors + (NEW.status NOT IN ('cancelled') AND NEW.evaluator_errors > 0), findings = findings + (NEW.status NOT IN ('cancelled') AND NEW.findings > 0), total_scored = total_scored + (NEW.total_score IS NOT NULL), sum_total_score = sum_total_score + (COALESCE(NEW.total_score, 0)), sum_weighted = sum_weighted + (COALESCE(NEW.weighted_score, 0)), cost_runs = cost_runs + (NEW.cost_usd IS NOT NULL), sum_cost = sum_cost + (COALESCE(NEW.cost_usd, 0)) WHERE batch_id = COALESCE(NEW.batch_id, '') AND agent = COALESCE(NEW.agent, '') AND model = COALESCE(NEW.model, '') AND specialist_name = COALESCE(NEW.specialist_name, '') AND specialist_version = COALESCE(NEW.specialist_version, '') AND suite = COALESCE(NEW.suite, '') AND tier = COALESCE(NEW.tier, '');
END;

-- trigger agg_days_delete
CREATE TRIGGER agg_days_delete AFTER DELETE ON benchmark_runs WHEN (OLD.status NOT IN ('cancelled')) BEGIN
  UPDATE agg_days SET runs = runs - (OLD.status NOT IN ('cancelled')), successful = successful - (OLD.status IN ('completed', 'budget_exceeded') AND OLD.is_successful = 1), completed = completed - (OLD.status IN ('completed', 'budget_exceeded')), failed = failed - (OLD.status NOT IN ('completed', 'budget_exceeded', 'cancelled')), agent_failed = agent_failed - (OLD.status NOT IN ('completed', 'budget_exceeded', 'cancelled') AND NOT COALESCE(OLD.failure_category IN ('infrastructure', 'rate_limited', 'workspace', 'validation', 'evaluation', 'setup', 'warmup'), 0)), infra_failed = infra_failed - (OLD.status NOT IN ('completed', 'budget_exceeded', 'cancelled') AND COALESCE(OLD.failure_category IN ('infrastructure', 'rate_limited', 'workspace', 'validation', 'evaluation', 'setup', 'warmup'), 0)), scored = scored - (OLD.status NOT IN ('cancelled') AND OLD.weighted_score IS NOT NULL), evaluator_errors = evaluator_errors - (OLD.status NOT IN ('cancelled') AND OLD.evaluator_errors > 0), findings = findings - (OLD.status NOT IN ('cancelled') AND OLD.findings > 0), total_scored = total_scored - (OLD.total_score IS NOT NULL), sum_total_score = sum_total_score - (COALESCE(OLD.total_score, 0)), sum_weighted = sum_weighted - (COALESCE(OLD.weighted_score, 0)), cost_runs = cost_runs - (OLD.cost_usd IS NOT NULL), sum_cost = sum_cost - (COALESCE(OLD.cost_usd, 0)) WHERE day = COALESCE(substr(OLD.started_at, 1, 10), '') AND agent = COALESCE(OLD.agent, '') AND model = COALESCE(OLD.model, '') AND specialist_name = COALESCE(OLD.specialist_name, '') AND specialist_version = COALESCE(OLD.specialist_version, '');
END;

-- trigger agg_days_insert
CREATE TRIGGER agg_days_insert AFTER INSERT ON benchmark_runs WHEN (NEW.status NOT IN ('cancelled')) BEGIN
  INSERT INTO agg_days (day, agent, model, specialist_name, specialist_version) VALUES (COALESCE(substr(NEW.started_at, 1, 10), ''), COALESCE(NEW.agent, ''), COALESCE(NEW.model, ''), COALESCE(NEW.specialist_name, ''), COALESCE(NEW.specialist_version, '')) ON CONFLICT DO NOTHING;
  UPDATE agg_days SET runs = runs + (NEW.status NOT IN ('cancelled')), successful = successful + (NEW.status IN ('completed', 'budget_exceeded') AND NEW.is_successful = 1), completed = completed + (NEW.status IN ('completed', 'budget_exceeded')), failed = failed + (NEW.status NOT IN ('completed', 'budget_exceeded', 'cancelled')), agent_failed = agent_failed + (NEW.status NOT IN ('completed', 'budget_exceeded', 'cancelled') AND NOT COALESCE(NEW.failure_category IN ('infrastructure', 'rate_limited', 'workspace', 'validation', 'evaluation', 'setup', 'warmup'), 0)), infra_failed = infra_failed + (NEW.status NOT IN ('completed', 'budget_exceeded', 'cancelled') AND COALESCE(NEW.failure_category IN ('infrastructure', 'rate_limited', 'workspace', 'validation', 'evaluation', 'setup', 'warmup'), 0)), scored = scored + (NEW.status NOT IN ('cancelled') AND NEW.weighted_score IS NOT NULL), evaluator_errors = evaluator_errors + (NEW.status NOT IN ('cancelled') AND NEW.evaluator_errors > 0), findings = findings + (NEW.status NOT IN ('cancelled') AND NEW.findings > 0), total_scored = total_scored + (NEW.total_score IS NOT NULL), sum_total_score = sum_total_score + (COALESCE(NEW.total_score, 0)), sum_weighted = sum_weighted + (COALESCE(NEW.weighted_score, 0)), cost_runs = cost_runs + (NEW.cost_usd IS NOT NULL), sum_cost = sum_cost + (COALESCE(NEW.cost_usd, 0)) WHERE day = COALESCE(substr(NEW.started_at, 1, 10), '') AND agent = COALESCE(NEW.agent, '') AND model = COALESCE(NEW.model, '') AND specialist_name = COALESCE(NEW.specialist_name, '') AND specialist_version = COALESCE(NEW.specialist_version, '');
END;

-- trigger agg_evaluations_delete
CREATE TRIGGER agg_evaluations_delete AFTER DELETE ON evaluation_results BEGIN
  UPDATE agg_evaluations SET evaluations = evaluations - COALESCE(1, 0), applicable = applicable - COALESCE(OLD.applicable, 0), weight_sum = weight_sum - COALESCE(OLD.weight, 0), app_scores = app_scores - COALESCE(OLD.applicable AND OLD.normalized_score IS NOT NULL, 0), app_score_sum = app_score_sum - COALESCE(CASE WHEN OLD.applicable THEN OLD.normalized_score END, 0), app_full = app_full - COALESCE(CASE WHEN OLD.applicable THEN OLD.normalized_score = 1.0 END, 0), errors = errors - COALESCE(OLD.error IS NOT NULL, 0), cost_rows = cost_rows - COALESCE(OLD.cost_usd IS NOT NULL, 0), cost_usd = cost_usd - COALESCE(OLD.cost_usd, 0), ran = ran - COALESCE((OLD.applicable OR OLD.error IS NOT NULL), 0), ran_scores = ran_scores - COALESCE((OLD.applicable OR OLD.error IS NOT NULL) AND OLD.normalized_score IS NOT NULL, 0), ran_score_sum = ran_score_sum - COALESCE(CASE WHEN (OLD.applicable OR OLD.error IS NOT NULL) THEN OLD.normalized_score END, 0) FROM (SELECT COALESCE(r.batch_id, '') AS batch_id, COALESCE(r.agent, '') AS agent, COALESCE(r.model, '') AS model, COALESCE(r.specialist_name, '') AS specialist_name, COALESCE(r.specialist_version, '') AS specialist_version, COALESCE(OLD.evaluator_name, '') AS evaluator_name, COALESCE(OLD.kind, '') AS kind FROM benchmark_runs r WHERE r.run_id = OLD.run_id AND (r.status NOT IN ('cancelled'))) AS k WHERE agg_evaluations.batch_id = k.batch_id AND agg_evaluations.agent = k.agent AND agg_evaluations.model = k.model AND agg_evaluations.specialist_name = k.specialist_name AND agg_evaluations.specialist_version = k.specialist_version AND agg_evaluations.evaluator_name = k.evaluator_name AND agg_evaluations.kind = k.kind;
END;

-- trigger agg_evaluations_insert
CREATE TRIGGER agg_evaluations_insert AFTER INSERT ON evaluation_results BEGIN
  INSERT INTO agg_evaluations (batch_id, agent, model, specialist_name, specialist_version, evaluator_name, kind) SELECT COALESCE(r.batch_id, ''), COALESCE(r.agent, ''), COALESCE(r.model, ''), COALESCE(r.specialist_name, ''), COALESCE(r.specialist_version, ''), COALESCE(NEW.evaluator_name, ''), COALESCE(NEW.kind, '') FROM benchmark_runs r WHERE r.run_id = NEW.run_id AND (r.status NOT IN ('cancelled')) ON CONFLICT DO NOTHING;
  UPDATE agg_evaluations SET evaluations = evaluations + COALESCE(1, 0), applicable = applicable + COALESCE(NEW.applicable, 0), weight_sum = weight_sum + COALESCE(NEW.weight, 0), app_scores = app_scores + COALESCE(NEW.applicable AND NEW.normalized_score IS NOT NULL, 0), app_score_sum = app_score_sum + COALESCE(CASE WHEN NEW.applicable THEN NEW.normalized_score END, 0), app_full = app_full + COALESCE(CASE WHEN NEW.applicable THEN NEW.normalized_score = 1.0 END, 0), errors = errors + COALESCE(NEW.error IS NOT NULL, 0), cost_rows = cost_rows + COALESCE(NEW.cost_usd IS NOT NULL, 0), cost_usd = cost_usd + COALESCE(NEW.cost_usd, 0), ran = ran + COALESCE((NEW.applicable OR NEW.error IS NOT NULL), 0), ran_scores = ran_scores + COALESCE((NEW.applicable OR NEW.error IS NOT NULL) AND NEW.normalized_score IS NOT NULL, 0), ran_score_sum = ran_score_sum + COALESCE(CASE WHEN (NEW.applicable OR NEW.error IS NOT NULL) THEN NEW.normalized_score END, 0) FROM (SELECT COALESCE(r.batch_id, '') AS batch_id, COALESCE(r.agent, '') AS agent, COALESCE(r.model, '') AS model, COALESCE(r.specialist_name, '') AS specialist_name, COALESCE(r.specialist_version, '') AS specialist_version, COALESCE(NEW.evaluator_name, '') AS evaluator_name, COALESCE(NEW.kind, '') AS kind FROM benchmark_runs r WHERE r.run_id = NEW.run_id AND (r.status NOT IN ('cancelled'))) AS k WHERE agg_evaluations.batch_id = k.batch_id AND agg_evaluations.agent = k.agent AND agg_evaluations.model = k.model AND agg_evaluations.specialist_name = k.specialist_name AND agg_evaluations.specialist_version = k.specialist_version AND agg_evaluations.evaluator_name = k.evaluator_name AND agg_evaluations.kind = k.kind;
END;

-- trigger agg_evaluations_run_delete
CREATE TRIGGER agg_evaluations_run_delete AFTER DELETE ON benchmark_runs WHEN (OLD.status NOT IN ('cancelled')) BEGIN
  UPDATE agg_evaluations SET evaluations = agg_evaluations.evaluations - k.evaluations, applicable = agg_evaluations.applicable - k.applicable, weight_sum = agg_evaluations.weight_sum - k.weight_sum, app_scores = agg_evaluations.app_scores - k.app_scores, app_score_sum = agg_evaluations.app_score_sum - k.app_score_sum, app_full = agg_evaluations.app_full - k.app_full, errors = agg_evaluations.errors - k.errors, cost_rows = agg_evaluations.cost_rows - k.cost_rows, cost_usd = agg_evaluations.cost_usd - k.cost_usd, ran = agg_evaluations.ran - k.ran, ran_scores = agg_evaluations.ran_scores - k.ran_scores, ran_score_sum = agg_evaluations.ran_score_sum - k.ran_score_sum FROM (SELECT COALESCE(p.evaluator_name, '') AS evaluator_name, COALESCE(p.kind, '') AS kind, SUM(COALESCE(1, 0)) AS evaluations, SUM(COALESCE(p.applicable, 0)) AS applicable, SUM(COALESCE(p.weight, 0)) AS weight_sum, SUM(COALESCE(p.applicable AND p.normalized_score IS NOT NULL, 0)) AS app_scores, SUM(COALESCE(CASE WHEN p.applicable THEN p.normalized_score END, 0)) AS app_score_sum, SUM(COALESCE(CASE WHEN p.applicable THEN p.normalized_score = 1.0 END, 0)) AS app_full, SUM(COALESCE(p.error IS NOT NULL, 0)) AS errors, SUM(COALESCE(p.cost_usd IS NOT NULL, 0)) AS cost_rows, SUM(COALESCE(p.cost_usd, 0)) AS cost_usd, SUM(COALESCE((p.applicable OR p.error IS NOT NULL), 0)) AS ran, SUM(COALESCE((p.applicable OR p.error IS NOT NULL) AND p.normalized_score IS NOT NULL, 0)) AS ran_scores, SUM(COALESCE(CASE WHEN (p.applicable OR p.error IS NOT NULL) THEN p.normalized_score END, 0)) AS ran_score_sum FROM evaluation_results p WHERE p.run_id = OLD.run_id GROUP BY p.run_id, COALESCE(p.evaluator_name, ''), COALESCE(p.kind, '')) AS k WHERE agg_evaluations.batch_id = COALESCE(OLD.batch_id, '') AND agg_evaluations.agent = COALESCE(OLD.agent, '') AND agg_evaluations.model = COALESCE(OLD.model, '') AND agg_evaluations.specialist_name = COALESCE(OLD.specialist_name, '') AND agg_evaluations.specialist_version = COALESCE(OLD.specialist_version, '') AND agg_evaluations.evaluator_name = k.evaluator_name AND agg_evaluations.kind = k.kind;
END;

-- trigger agg_evaluations_run_insert
CREATE TRIGGER agg_evaluations_run_insert AFTER INSERT ON benchmark_runs WHEN (NEW.status NOT IN ('cancelled')) BEGIN
  INSERT INTO agg_evaluations (batch_id, agent, model, specialist_name, specialist_version, evaluator_name, kind) SELECT DISTINCT COALESCE(NEW.batch_id, ''), COALESCE(NEW.agent, ''), COALESCE(NEW.model, ''), COALESCE(NEW.specialist_name, ''), COALESCE(NEW.specialist_version, ''), COALESCE(p.evaluator_name, ''), COALESCE(p.kind, '') FROM evaluation_results p WHERE p.run_id = NEW.run_id ON CONFLICT DO NOTHING;
  UPDATE agg_evaluations SET evaluations = agg_evaluations.evaluations + k.evaluations, applicable = agg_evaluations.applicable + k.applicable, weight_sum = agg_evaluations.weight_sum + k.weight_sum, app_scores = agg_evaluations.app_scores + k.app_scores, app_score_sum = agg_evaluations.app_score_sum + k.app_score_sum, app_full = agg_evaluations.app_full + k.app_full, errors = agg_evaluations.errors + k.errors, cost_rows = agg_evaluations.cost_rows + k.cost_rows, cost_usd = agg_evaluations.cost_usd + k.cost_usd, ran = agg_evaluations.ran + k.ran, ran_scores = agg_evaluations.ran_scores + k.ran_scores, ran_score_sum = agg_evaluations.ran_score_sum + k.ran_score_sum FROM (SELECT COALESCE(p.evaluator_name, '') AS evaluator_name, COALESCE(p.kind, '') AS kind, SUM(COALESCE(1, 0)) AS evaluations, SUM(COALESCE(p.applicable, 0)) AS applicable, SUM(COALESCE(p.weight, 0)) AS weight_sum, SUM(COALESCE(p.applicable AND p.normalized_score IS NOT NULL, 0)) AS app_scores, SUM(COALESCE(CASE WHEN p.applicable THEN p.normalized_score END, 0)) AS app_score_sum, SUM(COALESCE(CASE WHEN p.applicable THEN p.normalized_score = 1.0 END, 0)) AS app_full, SUM(COALESCE(p.error IS NOT NULL, 0)) AS errors, SUM(COALESCE(p.cost_usd IS NOT NULL, 0)) AS cost_rows, SUM(COALESCE(p.cost_usd, 0)) AS cost_usd, SUM(COALESCE((p.applicable OR p.error IS NOT NULL), 0)) AS ran, SUM(COALESCE((p.applicable OR p.error IS NOT NULL) AND p.normalized_score IS NOT NULL, 0)) AS ran_scores, SUM(COALESCE(CASE WHEN (p.applicable OR p.error IS NOT NULL) THEN p.normalized_score END, 0)) AS ran_score_sum FROM evaluation_results p WHERE p.run_id = NEW.run_id GROUP BY p.run_id, COALESCE(p.evaluator_name, ''), COALESCE(p.kind, '')) AS k WHERE agg_evaluations.batch_id = COALESCE(NEW.batch_id, '') AND agg_evaluations.agent = COALESCE(NEW.agent, '') AND agg_evaluations.model = COALESCE(NEW.model, '') AND agg_evaluations.specialist_name = COALESCE(NEW.specialist_name, '') AND agg_evaluations.specialist_version = COALESCE(NEW.specialist_version, '') AND agg_evaluations.evaluator_name = k.evaluator_name AND agg_evaluations.kind = k.kind;
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

-- trigger agg_score_bins_delete
CREATE TRIGGER agg_score_bins_delete AFTER DELETE ON benchmark_runs WHEN (OLD.status NOT IN ('cancelled')) BEGIN
  UPDATE agg_score_bins SET runs = runs - (OLD.status NOT IN ('cancelled')), successful = successful - (OLD.status IN ('completed', 'budget_exceeded') AND OLD.is_successful = 1), completed = completed - (OLD.status IN ('completed', 'budget_exceeded')), failed = failed - (OLD.status NOT IN ('completed', 'budget_exceeded', 'cancelled')), agent_failed = agent_failed - (OLD.status NOT IN ('completed', 'budget_exceeded', 'cancelled') AND NOT COALESCE(OLD.failure_category IN ('infrastructure', 'rate_limited', 'workspace', 'validation', 'evaluation', 'setup', 'warmup'), 0)), infra_failed = infra_failed - (OLD.status NOT IN ('completed', 'budget_exceeded', 'cancelled') AND COALESCE(OLD.failure_category IN ('infrastructure', 'rate_limited', 'workspace', 'validation', 'evaluation', 'setup', 'warmup'), 0)), scored = scored - (OLD.status NOT IN ('cancelled') AND OLD.weighted_score IS NOT NULL), evaluator_errors = evaluator_errors - (OLD.status NOT IN ('cancelled') AND OLD.evaluator_errors > 0), findings = findings - (OLD.status NOT IN ('cancelled') AND OLD.findings > 0), total_scored = total_scored - (OLD.total_score IS NOT NULL), sum_total_score = sum_total_score - (COALESCE(OLD.total_score, 0)), sum_weighted = sum_weighted - (COALESCE(OLD.weighted_score, 0)), cost_runs = cost_runs - (OLD.cost_usd IS NOT NULL), sum_cost = sum_cost - (COALESCE(OLD.cost_usd, 0)) WHERE score_bin = COALESCE(MIN(CAST(OLD.weighted_score AS INTEGER), 9), -1);
END;

-- trigger agg_score_bins_insert
CREATE TRIGGER agg_score_bins_insert AFTER INSERT ON benchmark_runs WHEN (NEW.status NOT IN ('cancelled')) BEGIN
  INSERT INTO agg_score_bins (score_bin) VALUES (COALESCE(MIN(CAST(NEW.weighted_score AS INTEGER), 9), -1)) ON CONFLICT DO NOTHING;
  UPDATE agg_score_bins SET runs = runs + (NEW.status NOT IN ('cancelled')), successful = successful + (NEW.status IN ('completed', 'budget_exceeded') AND NEW.is_successful = 1), completed = completed + (NEW.status IN ('completed', 'budget_exceeded')), failed = failed + (NEW.status NOT IN ('completed', 'budget_exceeded', 'cancelled')), agent_failed = agent_failed + (NEW.status NOT IN ('completed', 'budget_exceeded', 'cancelled') AND NOT COALESCE(NEW.failure_category IN ('infrastructure', 'rate_limited', 'workspace', 'validation', 'evaluation', 'setup', 'warmup'), 0)), infra_failed = infra_failed + (NEW.status NOT IN ('completed', 'budget_exceeded', 'cancelled') AND COALESCE(NEW.failure_category IN ('infrastructure', 'rate_limited', 'workspace', 'validation', 'evaluation', 'setup', 'warmup'), 0)), scored = scored + (NEW.status NOT IN ('cancelled') AND NEW.weighted_score IS NOT NULL), evaluator_errors = evaluator_errors + (NEW.status NOT IN ('cancelled') AND NEW.evaluator_errors > 0), findings = findings + (NEW.status NOT IN ('cancelled') AND NEW.findings > 0), total_scored = total_scored + (NEW.total_score IS NOT NULL), sum_total_score = sum_total_score + (COALESCE(NEW.total_score, 0)), sum_weighted = sum_weighted + (COALESCE(NEW.weighted_score, 0)), cost_runs = cost_runs + (NEW.cost_usd IS NOT NULL), sum_cost = sum_cost + (COALESCE(NEW.cost_usd, 0)) WHERE score_bin = COALESCE(MIN(CAST(NEW.weighted_score AS INTEGER), 9), -1);
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

-- trigger agg_telemetry_delete
CREATE TRIGGER agg_telemetry_delete AFTER DELETE ON run_telemetry BEGIN
  UPDATE agg_telemetry SET judge_cost_usd = judge_cost_usd - COALESCE(OLD.judge_cost_usd, 0), judge_cost_usd_rows = judge_cost_usd_rows - COALESCE(OLD.judge_cost_usd IS NOT NULL, 0), tokens_in = tokens_in - COALESCE(OLD.tokens_in, 0), tokens_in_rows = tokens_in_rows - COALESCE(OLD.tokens_in IS NOT NULL, 0), tokens_out = tokens_out - COALESCE(OLD.tokens_out, 0), tokens_out_rows = tokens_out_rows - COALESCE(OLD.tokens_out IS NOT NULL, 0), cache_read_tokens = cache_read_tokens - COALESCE(OLD.cache_read_tokens, 0), cache_read_tokens_rows = cache_read_tokens_rows - COALESCE(OLD.cache_read_tokens IS NOT NULL, 0), cache_write_tokens = cache_write_tokens - COALESCE(OLD.cache_write_tokens, 0), cache_write_tokens_rows = cache_write_tokens_rows - COALESCE(OLD.cache_write_tokens IS NOT NULL, 0) FROM (SELECT COALESCE(r.agent, '') AS agent, COALESCE(r.model, '') AS model, COALESCE(r.specialist_name, '') AS specialist_name, COALESCE(r.specialist_version, '') AS specialist_version FROM benchmark_runs r WHERE r.run_id = OLD.run_id AND (r.status NOT IN ('cancelled'))) AS k WHERE agg_telemetry.agent = k.agent AND agg_telemetry.model = k.model AND agg_telemetry.specialist_name = k.specialist_name AND agg_telemetry.specialist_version = k.specialist_version;
END;

-- trigger agg_telemetry_insert
CREATE TRIGGER agg_telemetry_insert AFTER INSERT ON run_telemetry BEGIN
  INSERT INTO agg_telemetry (agent, model, specialist_name, specialist_version) SELECT COALESCE(r.agent, ''), COALESCE(r.model, ''), COALESCE(r.specialist_name, ''), COALESCE(r.specialist_version, '') FROM benchmark_runs r WHERE r.run_id = NEW.run_id AND (r.status NOT IN ('cancelled')) ON CONFLICT DO NOTHING;
  UPDATE agg_telemetry SET judge_cost_usd = judge_cost_usd + COALESCE(NEW.judge_cost_usd, 0), judge_cost_usd_rows = judge_cost_usd_rows + COALESCE(NEW.judge_cost_usd IS NOT NULL, 0), tokens_in = tokens_in + COALESCE(NEW.tokens_in, 0), tokens_in_rows = tokens_in_rows + COALESCE(NEW.tokens_in IS NOT NULL, 0), tokens_out = tokens_out + COALESCE(NEW.tokens_out, 0), tokens_out_rows = tokens_out_rows + COALESCE(NEW.tokens_out IS NOT NULL, 0), cache_read_tokens = cache_read_tokens + COALESCE(NEW.cache_read_tokens, 0), cache_read_tokens_rows = cache_read_tokens_rows + COALESCE(NEW.cache_read_tokens IS NOT NULL, 0), cache_write_tokens = cache_write_tokens + COALESCE(NEW.cache_write_tokens, 0), cache_write_tokens_rows = cache_write_tokens_rows + COALESCE(NEW.cache_write_tokens IS NOT NULL, 0) FROM (SELECT COALESCE(r.agent, '') AS agent, COALESCE(r.model, '') AS model, COALESCE(r.specialist_name, '') AS specialist_name, COALESCE(r.specialist_version, '') AS specialist_version FROM benchmark_runs r WHERE r.run_id = NEW.run_id AND (r.status NOT IN ('cancelled'))) AS k WHERE agg_telemetry.agent = k.agent AND agg_telemetry.model = k.model AND agg_telemetry.specialist_name = k.specialist_name AND agg_telemetry.specialist_version = k.specialist_version;
END;

-- trigger agg_telemetry_run_delete
CREATE TRIGGER agg_telemetry_run_delete AFTER DELETE ON benchmark_runs WHEN (OLD.status NOT IN ('cancelled')) BEGIN
  UPDATE agg_telemetry SET judge_cost_usd = agg_telemetry.judge_cost_usd - k.judge_cost_usd, judge_cost_usd_rows = agg_telemetry.judge_cost_usd_rows - k.judge_cost_usd_rows, tokens_in = agg_telemetry.tokens_in - k.tokens_in, tokens_in_rows = agg_telemetry.tokens_in_rows - k.tokens_in_rows, tokens_out = agg_telemetry.tokens_out - k.tokens_out, tokens_out_rows = agg_telemetry.tokens_out_rows - k.tokens_out_rows, cache_read_tokens = agg_telemetry.cache_read_tokens - k.cache_read_tokens, cache_read_tokens_rows = agg_telemetry.cache_read_tokens_rows - k.cache_read_tokens_rows, cache_write_tokens = agg_telemetry.cache_write_tokens - k.cache_write_tokens, cache_write_tokens_rows = agg_telemetry.cache_write_tokens_rows - k.cache_write_tokens_rows FROM (SELECT SUM(COALESCE(p.judge_cost_usd, 0)) AS judge_cost_usd, SUM(COALESCE(p.judge_cost_usd IS NOT NULL, 0)) AS judge_cost_usd_rows, SUM(COALESCE(p.tokens_in, 0)) AS tokens_in, SUM(COALESCE(p.tokens_in IS NOT NULL, 0)) AS tokens_in_rows, SUM(COALESCE(p.tokens_out, 0)) AS tokens_out, SUM(COALESCE(p.tokens_out IS NOT NULL, 0)) AS tokens_out_rows, SUM(COALESCE(p.cache_read_tokens, 0)) AS cache_read_tokens, SUM(COALESCE(p.cache_read_tokens IS NOT NULL, 0)) AS cache_read_tokens_rows, SUM(COALESCE(p.cache_write_tokens, 0)) AS cache_write_tokens, SUM(COALESCE(p.cache_write_tokens IS NOT NULL, 0)) AS cache_write_tokens_rows FROM run_telemetry p WHERE p.run_id = OLD.run_id GROUP BY p.run_id) AS k WHERE agg_telemetry.agent = COALESCE(OLD.agent, '') AND agg_telemetry.model = COALESCE(OLD.model, '') AND agg_telemetry.specialist_name = COALESCE(OLD.specialist_name, '') AND agg_telemetry.specialist_version = COALESCE(OLD.specialist_version, '');
END;

-- trigger agg_telemetry_run_insert
CREATE TRIGGER agg_telemetry_run_insert AFTER INSERT ON benchmark_runs WHEN (NEW.status NOT IN ('cancelled')) BEGIN
  INSERT INTO agg_telemetry (agent, model, specialist_name, specialist_version) SELECT DISTINCT COALESCE(NEW.agent, ''), COALESCE(NEW.model, ''), COALESCE(NEW.specialist_name, ''), COALESCE(NEW.specialist_version, '') FROM run_telemetry p WHERE p.run_id = NEW.run_id ON CONFLICT DO NOTHING;
  UPDATE agg_telemetry SET judge_cost_usd = agg_telemetry.judge_cost_usd + k.judge_cost_usd, judge_cost_usd_rows = agg_telemetry.judge_cost_usd_rows + k.judge_cost_usd_rows, tokens_in = agg_telemetry.tokens_in + k.tokens_in, tokens_in_rows = agg_telemetry.tokens_in_rows + k.tokens_in_rows, tokens_out = agg_telemetry.tokens_out + k.tokens_out, tokens_out_rows = agg_telemetry.tokens_out_rows + k.tokens_out_rows, cache_read_tokens = agg_telemetry.cache_read_tokens + k.cache_read_tokens, cache_read_tokens_rows = agg_telemetry.cache_read_tokens_rows + k.cache_read_tokens_rows, cache_write_tokens = agg_telemetry.cache_write_tokens + k.cache_write_tokens, cache_write_tokens_rows = agg_telemetry.cache_write_tokens_rows + k.cache_write_tokens_rows FROM (SELECT SUM(COALESCE(p.judge_cost_usd, 0)) AS judge_cost_usd, SUM(COALESCE(p.judge_cost_usd IS NOT NULL, 0)) AS judge_cost_usd_rows, SUM(COALESCE(p.tokens_in, 0)) AS tokens_in, SUM(COALESCE(p.tokens_in IS NOT NULL, 0)) AS tokens_in_rows, SUM(COALESCE(p.tokens_out, 0)) AS tokens_out, SUM(COALESCE(p.tokens_out IS NOT NULL, 0)) AS tokens_out_rows, SUM(COALESCE(p.cache_read_tokens, 0)) AS cache_read_tokens, SUM(COALESCE(p.cache_read_tokens IS NOT NULL, 0)) AS cache_read_tokens_rows, SUM(COALESCE(p.cache_write_tokens, 0)) AS cache_write_tokens, SUM(COALESCE(p.cache_write_tokens IS NOT NULL, 0)) AS cache_write_tokens_rows FROM run_telemetry p WHERE p.run_id = NEW.run_id GROUP BY p.run_id) AS k WHERE agg_telemetry.agent = COALESCE(NEW.agent, '') AND agg_telemetry.model = COALESCE(NEW.model, '') AND agg_telemetry.specialist_name = COALESCE(NEW.specialist_name, '') AND agg_telemetry.specialist_version = COALESCE(NEW.specialist_version, '');
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

-- trigger run_causes_evaluation_blocking
CREATE TRIGGER run_causes_evaluation_blocking AFTER INSERT ON evaluation_results WHEN ((NEW.error IS NOT NULL AND (NEW.weight > 0 OR NEW.evaluator_name IN ('install', 'test', 'integrity_guard'))) OR (NEW.evaluator_name IN ('install', 'test', 'integrity_guard') AND NEW.error IS NULL AND NEW.applicable = 1 AND NEW.normalized_score < 1)) AND EXISTS (SELECT 1 FROM benchmark_runs r WHERE r.run_id = NEW.run_id AND (r.status NOT IN ('cancelled')) AND NOT (r.status IN ('completed', 'budget_exceeded') AND r.is_successful = 1) AND r.status IN ('completed', 'budget_exceeded')) BEGIN
  DELETE FROM run_causes WHERE run_id = NEW.run_id AND kind IN ('score', 'check');
  INSERT INTO run_causes (run_id, batch_id, agent, model, specialist_name, specialist_version, kind, name, example, score) SELECT r.run_id, r.batch_id, r.agent, r.model, r.specialist_name, r.specialist_version, 'error', NEW.evaluator_name, NEW.error, NULL FROM benchmark_runs r WHERE r.run_id = NEW.run_id AND (r.status NOT IN ('cancelled')) AND NOT (r.status IN ('completed', 'budget_exceeded') AND r.is_successful = 1) AND r.status IN ('completed', 'budget_exceeded') AND NEW.error IS NOT NULL AND (NEW.weight > 0 OR NEW.evaluator_name IN ('install', 'test', 'integrity_guard'));
  INSERT INTO run_causes (run_id, batch_id, agent, model, specialist_name, specialist_version, kind, name, example, score) SELECT r.run_id, r.batch_id, r.agent, r.model, r.specialist_name, r.specialist_version, 'gate', NEW.evaluator_name, COALESCE(json_extract(CASE WHEN json_valid(NEW.details) THEN NEW.details END, '$.findings[0].message') || ' (' || COALESCE(json_extract(CASE WHEN json_valid(NEW.details) THEN NEW.details END, '$.findings[0].path'), '') || ')', json_extract(CASE WHEN json_valid(NEW.details) THEN NEW.details END, '$.command') || ': ' || json_extract(CASE WHEN json_valid(NEW.details) THEN NEW.details END, '$.status') || COALESCE(' (exit code ' || json_extract(CASE WHEN json_valid(NEW.details) THEN NEW.details END, '$.exitCode') || ')', '')), NULL FROM benchmark_runs r WHERE r.run_id = NEW.run_id AND (r.status NOT IN ('cancelled')) AND NOT (r.status IN ('completed', 'budget_exceeded') AND r.is_successful = 1) AND r.status IN ('completed', 'budget_exceeded') AND NEW.evaluator_name IN ('install', 'test', 'integrity_guard') AND NEW.error IS NULL AND NEW.applicable = 1 AND NEW.normalized_score < 1;
END;

-- trigger run_causes_evaluation_checks
CREATE TRIGGER run_causes_evaluation_checks AFTER INSERT ON evaluation_results WHEN NEW.error IS NULL AND NEW.applicable = 1 AND NEW.kind = 'task' AND NEW.weight > 0 AND NEW.normalized_score < 1 AND NEW.evaluator_name = 'heuristic_checks' AND EXISTS (SELECT 1 FROM benchmark_runs r WHERE r.run_id = NEW.run_id AND (r.status NOT IN ('cancelled')) AND NOT (r.status IN ('completed', 'budget_exceeded') AND r.is_successful = 1) AND r.status IN ('completed', 'budget_exceeded')) BEGIN
  INSERT INTO run_causes (run_id, batch_id, agent, model, specialist_name, specialist_version, kind, name, example, score) SELECT r.run_id, r.batch_id, r.agent, r.model, r.specialist_name, r.specialist_version, 'check', json_extract(c.value, '$.name'), MIN(json_extract(c.value, '$.message')), NULL FROM benchmark_runs r JOIN json_each(CASE WHEN json_valid(NEW.details) THEN NEW.details END, '$.checks') c WHERE r.run_id = NEW.run_id AND (r.status NOT IN ('cancelled')) AND NOT (r.status IN ('completed', 'budget_exceeded') AND r.is_successful = 1) AND r.status IN ('completed', 'budget_exceeded') AND NEW.evaluator_name = 'heuristic_checks' AND NEW.error IS NULL AND NEW.applicable = 1 AND NEW.kind = 'task' AND NEW.weight > 0 AND NEW.normalized_score < 1 AND NOT EXISTS (SELECT 1 FROM run_causes x WHERE x.run_id = r.run_id AND x.kind IN ('error', 'gate')) AND c.type = 'object' AND json_extract(c.value, '$.passed') = 0 GROUP BY r.run_id, json_extract(c.value, '$.name');
END;

-- trigger run_causes_evaluation_delete
CREATE TRIGGER run_causes_evaluation_delete AFTER DELETE ON evaluation_results WHEN EXISTS (SELECT 1 FROM benchmark_runs r WHERE r.run_id = OLD.run_id AND (r.status NOT IN ('cancelled')) AND NOT (r.status IN ('completed', 'budget_exceeded') AND r.is_successful = 1) AND r.status IN ('completed', 'budget_exceeded')) BEGIN
  DELETE FROM run_causes WHERE run_id = OLD.run_id;
  INSERT INTO run_causes (run_id, batch_id, agent, model, specialist_name, specialist_version, kind, name, example, score) SELECT r.run_id, r.batch_id, r.agent, r.model, r.specialist_name, r.specialist_version, 'failure', COALESCE(r.failure_category, r.status), r.error, NULL FROM benchmark_runs r WHERE r.run_id = OLD.run_id AND (r.status NOT IN ('cancelled')) AND NOT (r.status IN ('completed', 'budget_exceeded') AND r.is_successful = 1) AND r.status NOT IN ('completed', 'budget_exceeded');
  INSERT INTO run_causes (run_id, batch_id, agent, model, specialist_name, specialist_version, kind, name, example, score) SELECT r.run_id, r.batch_id, r.agent, r.model, r.specialist_name, r.specialist_version, 'error', e.evaluator_name, e.error, NULL FROM benchmark_runs r JOIN evaluation_results e ON e.run_id = r.run_id WHERE r.run_id = OLD.run_id AND (r.status NOT IN ('cancelled')) AND NOT (r.status IN ('completed', 'budget_exceeded') AND r.is_successful = 1) AND r.status IN ('completed', 'budget_exceeded') AND e.error IS NOT NULL AND (e.weight > 0 OR e.evaluator_name IN ('install', 'test', 'integrity_guard'));
  INSERT INTO run_causes (run_id, batch_id, agent, model, specialist_name, specialist_version, kind, name, example, score) SELECT r.run_id, r.batch_id, r.agent, r.model, r.specialist_name, r.specialist_version, 'gate', e.evaluator_name, COALESCE(json_extract(CASE WHEN json_valid(e.details) THEN e.details END, '$.findings[0].message') || ' (' || COALESCE(json_extract(CASE WHEN json_valid(e.details) THEN e.details END, '$.findings[0].path'), '') || ')', json_extract(CASE WHEN json_valid(e.details) THEN e.details END, '$.command') || ': ' || json_extract(CASE WHEN json_valid(e.details) THEN e.details END, '$.status') || COALESCE(' (exit code ' || json_extract(CASE WHEN json_valid(e.details) THEN e.details END, '$.exitCode') || ')', '')), NULL FROM benchmark_runs r JOIN evaluation_results e ON e.run_id = r.run_id WHERE r.run_id = OLD.run_id AND (r.status NOT IN ('cancelled')) AND NOT (r.status IN ('completed', 'budget_exceeded') AND r.is_successful = 1) AND r.status IN ('completed', 'budget_exceeded') AND e.evaluator_name IN ('install', 'test', 'integrity_guard') AND e.error IS NULL AND e.applicable = 1 AND e.normalized_score < 1;
  INSERT INTO run_causes (run_id, batch_id, agent, model, specialist_name, specialist_version, kind, name, example, score) SELECT r.run_id, r.batch_id, r.agent, r.model, r.specialist_name, r.specialist_version, 'score', e.evaluator_name, NULL, e.normalized_score FROM benchmark_runs r JOIN evaluation_results e ON e.run_id = r.run_id WHERE r.run_id = OLD.run_id AND (r.status NOT IN ('cancelled')) AND NOT (r.status IN ('completed', 'budget_exceeded') AND r.is_successful = 1) AND r.status IN ('completed', 'budget_exceeded') AND (NOT e.evaluator_name = 'heuristic_checks' OR json_array_length(CASE WHEN json_valid(e.details) THEN e.details END, '$.checks') IS NULL) AND e.error IS NULL AND e.applicable = 1 AND e.kind = 'task' AND e.weight > 0 AND e.normalized_score < 1 AND NOT EXISTS (SELECT 1 FROM evaluation_results b WHERE b.run_id = r.run_id AND ((b.error IS NOT NULL AND (b.weight > 0 OR b.evaluator_name IN ('install', 'test', 'integrity_guard'))) OR (b.evaluator_name IN ('install', 'test', 'integrity_guard') AND b.error IS NULL AND b.applicable = 1 AND b.normalized_score < 1)));
  INSERT INTO run_causes (run_id, batch_id, agent, model, specialist_name, specialist_version, kind, name, example, score) SELECT r.run_id, r.batch_id, r.agent, r.model, r.specialist_name, r.specialist_version, 'check', json_extract(c.value, '$.name'), MIN(json_extract(c.value, '$.message')), NULL FROM benchmark_runs r JOIN evaluation_results e ON e.run_id = r.run_id JOIN json_each(CASE WHEN json_valid(e.details) THEN e.details END, '$.checks') c WHERE r.run_id = OLD.run_id AND (r.status NOT IN ('cancelled')) AND NOT (r.status IN ('completed', 'budget_exceeded') AND r.is_successful = 1) AND r.status IN ('completed', 'budget_exceeded') AND e.evaluator_name = 'heuristic_checks' AND e.error IS NULL AND e.applicable = 1 AND e.kind = 'task' AND e.weight > 0 AND e.normalized_score < 1 AND NOT EXISTS (SELECT 1 FROM evaluation_results b WHERE b.run_id = r.run_id AND ((b.error IS NOT NULL AND (b.weight > 0 OR b.evaluator_name IN ('install', 'test', 'integrity_guard'))) OR (b.evaluator_name IN ('install', 'test', 'integrity_guard') AND b.error IS NULL AND b.applicable = 1 AND b.normalized_score < 1))) AND c.type = 'object' AND json_extract(c.value, '$.passed') = 0 GROUP BY r.run_id, json_extract(c.value, '$.name');
END;

-- trigger run_causes_evaluation_score
CREATE TRIGGER run_causes_evaluation_score AFTER INSERT ON evaluation_results WHEN NEW.error IS NULL AND NEW.applicable = 1 AND NEW.kind = 'task' AND NEW.weight > 0 AND NEW.normalized_score < 1 AND (NOT NEW.evaluator_name = 'heuristic_checks' OR json_array_length(CASE WHEN json_valid(NEW.details) THEN NEW.details END, '$.checks') IS NULL) AND EXISTS (SELECT 1 FROM benchmark_runs r WHERE r.run_id = NEW.run_id AND (r.status NOT IN ('cancelled')) AND NOT (r.status IN ('completed', 'budget_exceeded') AND r.is_successful = 1) AND r.status IN ('completed', 'budget_exceeded')) BEGIN
  INSERT INTO run_causes (run_id, batch_id, agent, model, specialist_name, specialist_version, kind, name, example, score) SELECT r.run_id, r.batch_id, r.agent, r.model, r.specialist_name, r.specialist_version, 'score', NEW.evaluator_name, NULL, NEW.normalized_score FROM benchmark_runs r WHERE r.run_id = NEW.run_id AND (r.status NOT IN ('cancelled')) AND NOT (r.status IN ('completed', 'budget_exceeded') AND r.is_successful = 1) AND r.status IN ('completed', 'budget_exceeded') AND (NOT NEW.evaluator_name = 'heuristic_checks' OR json_array_length(CASE WHEN json_valid(NEW.details) THEN NEW.details END, '$.checks') IS NULL) AND NEW.error IS NULL AND NEW.applicable = 1 AND NEW.kind = 'task' AND NEW.weight > 0 AND NEW.normalized_score < 1 AND NOT EXISTS (SELECT 1 FROM run_causes x WHERE x.run_id = r.run_id AND x.kind IN ('error', 'gate'));
END;

-- trigger run_causes_evaluation_update
CREATE TRIGGER run_causes_evaluation_update AFTER UPDATE OF run_id, evaluator_name, applicable, weight, kind, details, error, normalized_score ON evaluation_results BEGIN
  DELETE FROM run_causes WHERE run_id = OLD.run_id;
  INSERT INTO run_causes (run_id, batch_id, agent, model, specialist_name, specialist_version, kind, name, example, score) SELECT r.run_id, r.batch_id, r.agent, r.model, r.specialist_name, r.specialist_version, 'failure', COALESCE(r.failure_category, r.status), r.error, NULL FROM benchmark_runs r WHERE r.run_id = OLD.run_id AND (r.status NOT IN ('cancelled')) AND NOT (r.status IN ('completed', 'budget_exceeded') AND r.is_successful = 1) AND r.status NOT IN ('completed', 'budget_exceeded');
  INSERT INTO run_causes (run_id, batch_id, agent, model, specialist_name, specialist_version, kind, name, example, score) SELECT r.run_id, r.batch_id, r.agent, r.model, r.specialist_name, r.specialist_version, 'error', e.evaluator_name, e.error, NULL FROM benchmark_runs r JOIN evaluation_results e ON e.run_id = r.run_id WHERE r.run_id = OLD.run_id AND (r.status NOT IN ('cancelled')) AND NOT (r.status IN ('completed', 'budget_exceeded') AND r.is_successful = 1) AND r.status IN ('completed', 'budget_exceeded') AND e.error IS NOT NULL AND (e.weight > 0 OR e.evaluator_name IN ('install', 'test', 'integrity_guard'));
  INSERT INTO run_causes (run_id, batch_id, agent, model, specialist_name, specialist_version, kind, name, example, score) SELECT r.run_id, r.batch_id, r.agent, r.model, r.specialist_name, r.specialist_version, 'gate', e.evaluator_name, COALESCE(json_extract(CASE WHEN json_valid(e.details) THEN e.details END, '$.findings[0].message') || ' (' || COALESCE(json_extract(CASE WHEN json_valid(e.details) THEN e.details END, '$.findings[0].path'), '') || ')', json_extract(CASE WHEN json_valid(e.details) THEN e.details END, '$.command') || ': ' || json_extract(CASE WHEN json_valid(e.details) THEN e.details END, '$.status') || COALESCE(' (exit code ' || json_extract(CASE WHEN json_valid(e.details) THEN e.details END, '$.exitCode') || ')', '')), NULL FROM benchmark_runs r JOIN evaluation_results e ON e.run_id = r.run_id WHERE r.run_id = OLD.run_id AND (r.status NOT IN ('cancelled')) AND NOT (r.status IN ('completed', 'budget_exceeded') AND r.is_successful = 1) AND r.status IN ('completed', 'budget_exceeded') AND e.evaluator_name IN ('install', 'test', 'integrity_guard') AND e.error IS NULL AND e.applicable = 1 AND e.normalized_score < 1;
  INSERT INTO run_causes (run_id, batch_id, agent, model, specialist_name, specialist_version, kind, name, example, score) SELECT r.run_id, r.batch_id, r.agent, r.model, r.specialist_name, r.specialist_version, 'score', e.evaluator_name, NULL, e.normalized_score FROM benchmark_runs r JOIN evaluation_results e ON e.run_id = r.run_id WHERE r.run_id = OLD.run_id AND (r.status NOT IN ('cancelled')) AND NOT (r.status IN ('completed', 'budget_exceeded') AND r.is_successful = 1) AND r.status IN ('completed', 'budget_exceeded') AND (NOT e.evaluator_name = 'heuristic_checks' OR json_array_length(CASE WHEN json_valid(e.details) THEN e.details END, '$.checks') IS NULL) AND e.error IS NULL AND e.applicable = 1 AND e.kind = 'task' AND e.weight > 0 AND e.normalized_score < 1 AND NOT EXISTS (SELECT 1 FROM evaluation_results b WHERE b.run_id = r.run_id AND ((b.error IS NOT NULL AND (b.weight > 0 OR b.evaluator_name IN ('install', 'test', 'integrity_guard'))) OR (b.evaluator_name IN ('install', 'test', 'integrity_guard') AND b.error IS NULL AND b.applicable = 1 AND b.normalized_score < 1)));
  INSERT INTO run_causes (run_id, batch_id, agent, model, specialist_name, specialist_version, kind, name, example, score) SELECT r.run_id, r.batch_id, r.agent, r.model, r.specialist_name, r.specialist_version, 'check', json_extract(c.value, '$.name'), MIN(json_extract(c.value, '$.message')), NULL FROM benchmark_runs r JOIN evaluation_results e ON e.run_id = r.run_id JOIN json_each(CASE WHEN json_valid(e.details) THEN e.details END, '$.checks') c WHERE r.run_id = OLD.run_id AND (r.status NOT IN ('cancelled')) AND NOT (r.status IN ('completed', 'budget_exceeded') AND r.is_successful = 1) AND r.status IN ('completed', 'budget_exceeded') AND e.evaluator_name = 'heuristic_checks' AND e.error IS NULL AND e.applicable = 1 AND e.kind = 'task' AND e.weight > 0 AND e.normalized_score < 1 AND NOT EXISTS (SELECT 1 FROM evaluation_results b WHERE b.run_id = r.run_id AND ((b.error IS NOT NULL AND (b.weight > 0 OR b.evaluator_name IN ('install', 'test', 'integrity_guard'))) OR (b.evaluator_name IN ('install', 'test', 'integrity_guard') AND b.error IS NULL AND b.applicable = 1 AND b.normalized_score < 1))) AND c.type = 'object' AND json_extract(c.value, '$.passed') = 0 GROUP BY r.run_id, json_extract(c.value, '$.name');
  DELETE FROM run_causes WHERE run_id = NEW.run_id AND NEW.run_id IS NOT OLD.run_id;
  INSERT INTO run_causes (run_id, batch_id, agent, model, specialist_name, specialist_version, kind, name, example, score) SELECT r.run_id, r.batch_id, r.agent, r.model, r.specialist_name, r.specialist_version, 'failure', COALESCE(r.failure_category, r.status), r.error, NULL FROM benchmark_runs r WHERE r.run_id = NEW.run_id AND NEW.run_id IS NOT OLD.run_id AND (r.status NOT IN ('cancelled')) AND NOT (r.status IN ('completed', 'budget_exceeded') AND r.is_successful = 1) AND r.status NOT IN ('completed', 'budget_exceeded');
  INSERT INTO run_causes (run_id, batch_id, agent, model, specialist_name, specialist_version, kind, name, example, score) SELECT r.run_id, r.batch_id, r.agent, r.model, r.specialist_name, r.specialist_version, 'error', e.evaluator_name, e.error, NULL FROM benchmark_runs r JOIN evaluation_results e ON e.run_id = r.run_id WHERE r.run_id = NEW.run_id AND NEW.run_id IS NOT OLD.run_id AND (r.status NOT IN ('cancelled')) AND NOT (r.status IN ('completed', 'budget_exceeded') AND r.is_successful = 1) AND r.status IN ('completed', 'budget_exceeded') AND e.error IS NOT NULL AND (e.weight > 0 OR e.evaluator_name IN ('install', 'test', 'integrity_guard'));
  INSERT INTO run_causes (run_id, batch_id, agent, model, specialist_name, specialist_version, kind, name, example, score) SELECT r.run_id, r.batch_id, r.agent, r.model, r.specialist_name, r.specialist_version, 'gate', e.evaluator_name, COALESCE(json_extract(CASE WHEN json_valid(e.details) THEN e.details END, '$.findings[0].message') || ' (' || COALESCE(json_extract(CASE WHEN json_valid(e.details) THEN e.details END, '$.findings[0].path'), '') || ')', json_extract(CASE WHEN json_valid(e.details) THEN e.details END, '$.command') || ': ' || json_extract(CASE WHEN json_valid(e.details) THEN e.details END, '$.status') || COALESCE(' (exit code ' || json_extract(CASE WHEN json_valid(e.details) THEN e.details END, '$.exitCode') || ')', '')), NULL FROM benchmark_runs r JOIN evaluation_results e ON e.run_id = r.run_id WHERE r.run_id = NEW.run_id AND NEW.run_id IS NOT OLD.run_id AND (r.status NOT IN ('cancelled')) AND NOT (r.status IN ('completed', 'budget_exceeded') AND r.is_successful = 1) AND r.status IN ('completed', 'budget_exceeded') AND e.evaluator_name IN ('install', 'test', 'integrity_guard') AND e.error IS NULL AND e.applicable = 1 AND e.normalized_score < 1;
  INSERT INTO run_causes (run_id, batch_id, agent, model, specialist_name, specialist_version, kind, name, example, score) SELECT r.run_id, r.batch_id, r.agent, r.model, r.specialist_name, r.specialist_version, 'score', e.evaluator_name, NULL, e.normalized_score FROM benchmark_runs r JOIN evaluation_results e ON e.run_id = r.run_id WHERE r.run_id = NEW.run_id AND NEW.run_id IS NOT OLD.run_id AND (r.status NOT IN ('cancelled')) AND NOT (r.status IN ('completed', 'budget_exceeded') AND r.is_successful = 1) AND r.status IN ('completed', 'budget_exceeded') AND (NOT e.evaluator_name = 'heuristic_checks' OR json_array_length(CASE WHEN json_valid(e.details) THEN e.details END, '$.checks') IS NULL) AND e.error IS NULL AND e.applicable = 1 AND e.kind = 'task' AND e.weight > 0 AND e.normalized_score < 1 AND NOT EXISTS (SELECT 1 FROM evaluation_results b WHERE b.run_id = r.run_id AND ((b.error IS NOT NULL AND (b.weight > 0 OR b.evaluator_name IN ('install', 'test', 'integrity_guard'))) OR (b.evaluator_name IN ('install', 'test', 'integrity_guard') AND b.error IS NULL AND b.applicable = 1 AND b.normalized_score < 1)));
  INSERT INTO run_causes (run_id, batch_id, agent, model, specialist_name, specialist_version, kind, name, example, score) SELECT r.run_id, r.batch_id, r.agent, r.model, r.specialist_name, r.specialist_version, 'check', json_extract(c.value, '$.name'), MIN(json_extract(c.value, '$.message')), NULL FROM benchmark_runs r JOIN evaluation_results e ON e.run_id = r.run_id JOIN json_each(CASE WHEN json_valid(e.details) THEN e.details END, '$.checks') c WHERE r.run_id = NEW.run_id AND NEW.run_id IS NOT OLD.run_id AND (r.status NOT IN ('cancelled')) AND NOT (r.status IN ('completed', 'budget_exceeded') AND r.is_successful = 1) AND r.status IN ('completed', 'budget_exceeded') AND e.evaluator_name = 'heuristic_checks' AND e.error IS NULL AND e.applicable = 1 AND e.kind = 'task' AND e.weight > 0 AND e.normalized_score < 1 AND NOT EXISTS (SELECT 1 FROM evaluation_results b WHERE b.run_id = r.run_id AND ((b.error IS NOT NULL AND (b.weight > 0 OR b.evaluator_name IN ('install', 'test', 'integrity_guard'))) OR (b.evaluator_name IN ('install', 'test', 'integrity_guard') AND b.error IS NULL AND b.applicable = 1 AND b.normalized_score < 1))) AND c.type = 'object' AND json_extract(c.value, '$.passed') = 0 GROUP BY r.run_id, json_extract(c.value, '$.name');
END;

-- trigger run_causes_run_delete
CREATE TRIGGER run_causes_run_delete AFTER DELETE ON benchmark_runs BEGIN
  DELETE FROM run_causes WHERE run_id = OLD.run_id;
END;

-- trigger run_causes_run_failure
CREATE TRIGGER run_causes_run_failure AFTER INSERT ON benchmark_runs WHEN (NEW.status NOT IN ('cancelled')) AND NOT (NEW.status IN ('completed', 'budget_exceeded') AND NEW.is_successful = 1) AND NEW.status NOT IN ('completed', 'budget_exceeded') BEGIN
  INSERT INTO run_causes (run_id, batch_id, agent, model, specialist_name, specialist_version, kind, name, example, score) SELECT NEW.run_id, NEW.batch_id, NEW.agent, NEW.model, NEW.specialist_name, NEW.specialist_version, 'failure', COALESCE(NEW.failure_category, NEW.status), NEW.error, NULL WHERE (NEW.status NOT IN ('cancelled')) AND NOT (NEW.status IN ('completed', 'budget_exceeded') AND NEW.is_successful = 1) AND NEW.status NOT IN ('completed', 'budget_exceeded');
END;

-- trigger run_causes_run_insert
CREATE TRIGGER run_causes_run_insert AFTER INSERT ON benchmark_runs WHEN (NEW.status NOT IN ('cancelled')) AND NOT (NEW.status IN ('completed', 'budget_exceeded') AND NEW.is_successful = 1) AND NEW.status IN ('completed', 'budget_exceeded') AND EXISTS (SELECT 1 FROM evaluation_results e WHERE e.run_id = NEW.run_id) BEGIN
  INSERT INTO run_causes (run_id, batch_id, agent, model, specialist_name, specialist_version, kind, name, example, score) SELECT NEW.run_id, NEW.batch_id, NEW.agent, NEW.model, NEW.specialist_name, NEW.specialist_version, 'error', e.evaluator_name, e.error, NULL FROM evaluation_results e WHERE e.run_id = NEW.run_id AND (NEW.status NOT IN ('cancelled')) AND NOT (NEW.status IN ('completed', 'budget_exceeded') AND NEW.is_successful = 1) AND NEW.status IN ('completed', 'budget_exceeded') AND e.error IS NOT NULL AND (e.weight > 0 OR e.evaluator_name IN ('install', 'test', 'integrity_guard'));
  INSERT INTO run_causes (run_id, batch_id, agent, model, specialist_name, specialist_version, kind, name, example, score) SELECT NEW.run_id, NEW.batch_id, NEW.agent, NEW.model, NEW.specialist_name, NEW.specialist_version, 'gate', e.evaluator_name, COALESCE(json_extract(CASE WHEN json_valid(e.details) THEN e.details END, '$.findings[0].message') || ' (' || COALESCE(json_extract(CASE WHEN json_valid(e.details) THEN e.details END, '$.findings[0].path'), '') || ')', json_extract(CASE WHEN json_valid(e.details) THEN e.details END, '$.command') || ': ' || json_extract(CASE WHEN json_valid(e.details) THEN e.details END, '$.status') || COALESCE(' (exit code ' || json_extract(CASE WHEN json_valid(e.details) THEN e.details END, '$.exitCode') || ')', '')), NULL FROM evaluation_results e WHERE e.run_id = NEW.run_id AND (NEW.status NOT IN ('cancelled')) AND NOT (NEW.status IN ('completed', 'budget_exceeded') AND NEW.is_successful = 1) AND NEW.status IN ('completed', 'budget_exceeded') AND e.evaluator_name IN ('install', 'test', 'integrity_guard') AND e.error IS NULL AND e.applicable = 1 AND e.normalized_score < 1;
  INSERT INTO run_causes (run_id, batch_id, agent, model, specialist_name, specialist_version, kind, name, example, score) SELECT NEW.run_id, NEW.batch_id, NEW.agent, NEW.model, NEW.specialist_name, NEW.specialist_version, 'score', e.evaluator_name, NULL, e.normalized_score FROM evaluation_results e WHERE e.run_id = NEW.run_id AND (NEW.status NOT IN ('cancelled')) AND NOT (NEW.status IN ('completed', 'budget_exceeded') AND NEW.is_successful = 1) AND NEW.status IN ('completed', 'budget_exceeded') AND (NOT e.evaluator_name = 'heuristic_checks' OR json_array_length(CASE WHEN json_valid(e.details) THEN e.details END, '$.checks') IS NULL) AND e.error IS NULL AND e.applicable = 1 AND e.kind = 'task' AND e.weight > 0 AND e.normalized_score < 1 AND NOT EXISTS (SELECT 1 FROM evaluation_results b WHERE b.run_id = NEW.run_id AND ((b.error IS NOT NULL AND (b.weight > 0 OR b.evaluator_name IN ('install', 'test', 'integrity_guard'))) OR (b.evaluator_name IN ('install', 'test', 'integrity_guard') AND b.error IS NULL AND b.applicable = 1 AND b.normalized_score < 1)));
  INSERT INTO run_causes (run_id, batch_id, agent, model, specialist_name, specialist_version, kind, name, example, score) SELECT NEW.run_id, NEW.batch_id, NEW.agent, NEW.model, NEW.specialist_name, NEW.specialist_version, 'check', json_extract(c.value, '$.name'), MIN(json_extract(c.value, '$.message')), NULL FROM evaluation_results e JOIN json_each(CASE WHEN json_valid(e.details) THEN e.details END, '$.checks') c WHERE e.run_id = NEW.run_id AND (NEW.status NOT IN ('cancelled')) AND NOT (NEW.status IN ('completed', 'budget_exceeded') AND NEW.is_successful = 1) AND NEW.status IN ('completed', 'budget_exceeded') AND e.evaluator_name = 'heuristic_checks' AND e.error IS NULL AND e.applicable = 1 AND e.kind = 'task' AND e.weight > 0 AND e.normalized_score < 1 AND NOT EXISTS (SELECT 1 FROM evaluation_results b WHERE b.run_id = NEW.run_id AND ((b.error IS NOT NULL AND (b.weight > 0 OR b.evaluator_name IN ('install', 'test', 'integrity_guard'))) OR (b.evaluator_name IN ('install', 'test', 'integrity_guard') AND b.error IS NULL AND b.applicable = 1 AND b.normalized_score < 1))) AND c.type = 'object' AND json_extract(c.value, '$.passed') = 0 GROUP BY NEW.run_id, json_extract(c.value, '$.name');
END;

-- trigger run_causes_run_update
CREATE TRIGGER run_causes_run_update AFTER UPDATE OF run_id, batch_id, agent, model, specialist_name, specialist_version, status, is_successful, failure_category, error ON benchmark_runs BEGIN
  DELETE FROM run_causes WHERE run_id = OLD.run_id;
  INSERT INTO run_causes (run_id, batch_id, agent, model, specialist_name, specialist_version, kind, name, example, score) SELECT r.run_id, r.batch_id, r.agent, r.model, r.specialist_name, r.specialist_version, 'failure', COALESCE(r.failure_category, r.status), r.error, NULL FROM benchmark_runs r WHERE r.run_id = NEW.run_id AND (r.status NOT IN ('cancelled')) AND NOT (r.status IN ('completed', 'budget_exceeded') AND r.is_successful = 1) AND r.status NOT IN ('completed', 'budget_exceeded');
  INSERT INTO run_causes (run_id, batch_id, agent, model, specialist_name, specialist_version, kind, name, example, score) SELECT r.run_id, r.batch_id, r.agent, r.model, r.specialist_name, r.specialist_version, 'error', e.evaluator_name, e.error, NULL FROM benchmark_runs r JOIN evaluation_results e ON e.run_id = r.run_id WHERE r.run_id = NEW.run_id AND (r.status NOT IN ('cancelled')) AND NOT (r.status IN ('completed', 'budget_exceeded') AND r.is_successful = 1) AND r.status IN ('completed', 'budget_exceeded') AND e.error IS NOT NULL AND (e.weight > 0 OR e.evaluator_name IN ('install', 'test', 'integrity_guard'));
  INSERT INTO run_causes (run_id, batch_id, agent, model, specialist_name, specialist_version, kind, name, example, score) SELECT r.run_id, r.batch_id, r.agent, r.model, r.specialist_name, r.specialist_version, 'gate', e.evaluator_name, COALESCE(json_extract(CASE WHEN json_valid(e.details) THEN e.details END, '$.findings[0].message') || ' (' || COALESCE(json_extract(CASE WHEN json_valid(e.details) THEN e.details END, '$.findings[0].path'), '') || ')', json_extract(CASE WHEN json_valid(e.details) THEN e.details END, '$.command') || ': ' || json_extract(CASE WHEN json_valid(e.details) THEN e.details END, '$.status') || COALESCE(' (exit code ' || json_extract(CASE WHEN json_valid(e.details) THEN e.details END, '$.exitCode') || ')', '')), NULL FROM benchmark_runs r JOIN evaluation_results e ON e.run_id = r.run_id WHERE r.run_id = NEW.run_id AND (r.status NOT IN ('cancelled')) AND NOT (r.status IN ('completed', 'budget_exceeded') AND r.is_successful = 1) AND r.status IN ('completed', 'budget_exceeded') AND e.evaluator_name IN ('install', 'test', 'integrity_guard') AND e.error IS NULL AND e.applicable = 1 AND e.normalized_score < 1;
  INSERT INTO run_causes (run_id, batch_id, agent, model, specialist_name, specialist_version, kind, name, example, score) SELECT r.run_id, r.batch_id, r.agent, r.model, r.specialist_name, r.specialist_version, 'score', e.evaluator_name, NULL, e.normalized_score FROM benchmark_runs r JOIN evaluation_results e ON e.run_id = r.run_id WHERE r.run_id = NEW.run_id AND (r.status NOT IN ('cancelled')) AND NOT (r.status IN ('completed', 'budget_exceeded') AND r.is_successful = 1) AND r.status IN ('completed', 'budget_exceeded') AND (NOT e.evaluator_name = 'heuristic_checks' OR json_array_length(CASE WHEN json_valid(e.details) THEN e.details END, '$.checks') IS NULL) AND e.error IS NULL AND e.applicable = 1 AND e.kind = 'task' AND e.weight > 0 AND e.normalized_score < 1 AND NOT EXISTS (SELECT 1 FROM evaluation_results b WHERE b.run_id = r.run_id AND ((b.error IS NOT NULL AND (b.weight > 0 OR b.evaluator_name IN ('install', 'test', 'integrity_guard'))) OR (b.evaluator_name IN ('install', 'test', 'integrity_guard') AND b.error IS NULL AND b.applicable = 1 AND b.normalized_score < 1)));
  INSERT INTO run_causes (run_id, batch_id, agent, model, specialist_name, specialist_version, kind, name, example, score) SELECT r.run_id, r.batch_id, r.agent, r.model, r.specialist_name, r.specialist_version, 'check', json_extract(c.value, '$.name'), MIN(json_extract(c.value, '$.message')), NULL FROM benchmark_runs r JOIN evaluation_results e ON e.run_id = r.run_id JOIN json_each(CASE WHEN json_valid(e.details) THEN e.details END, '$.checks') c WHERE r.run_id = NEW.run_id AND (r.status NOT IN ('cancelled')) AND NOT (r.status IN ('completed', 'budget_exceeded') AND r.is_successful = 1) AND r.status IN ('completed', 'budget_exceeded') AND e.evaluator_name = 'heuristic_checks' AND e.error IS NULL AND e.applicable = 1 AND e.kind = 'task' AND e.weight > 0 AND e.normalized_score < 1 AND NOT EXISTS (SELECT 1 FROM evaluation_results b WHERE b.run_id = r.run_id AND ((b.error IS NOT NULL AND (b.weight > 0 OR b.evaluator_name IN ('install', 'test', 'integrity_guard'))) OR (b.evaluator_name IN ('install', 'test', 'integrity_guard') AND b.error IS NULL AND b.applicable = 1 AND b.normalized_score < 1))) AND c.type = 'object' AND json_extract(c.value, '$.passed') = 0 GROUP BY r.run_id, json_extract(c.value, '$.name');
END;

-- view runs_counted
CREATE VIEW runs_counted AS SELECT r.id, r.run_id, r.batch_id, r.suite, r.scenario, r.tier, r.agent, r.model, r.status, r.failure_category, r.started_at, r.completed_at, r.total_score, r.weighted_score, r.success_metric, r.cost_usd, r.evaluator_errors, (r.status IN ('completed', 'budget_exceeded')) AS completed, (r.status NOT IN ('completed', 'budget_exceeded', 'cancelled') AND NOT COALESCE(r.failure_category IN ('infrastructure', 'rate_limited', 'workspace', 'validation', 'evaluation', 'setup', 'warmup'), 0)) AS agent_failure, (r.status NOT IN ('completed', 'budget_exceeded', 'cancelled') AND COALESCE(r.failure_category IN ('infrastructure', 'rate_limited', 'workspace', 'validation', 'evaluation', 'setup', 'warmup'), 0)) AS infra_failure, (r.status IN ('completed', 'budget_exceeded') AND r.is_successful = 1) AS successful, (r.status NOT IN ('cancelled') AND r.evaluator_errors > 0) AS evaluator_error FROM benchmark_runs r WHERE (r.status NOT IN ('cancelled'));

