"""The API's request and response shapes (camelCase): zebench's /api/v2 and the original project's /api/*.
The store's query functions produce them; tests validate real responses against these models, and the OpenAPI
document is generated from them."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any, ClassVar

from pydantic import BaseModel, ConfigDict, Field

from .run import (
    BATCHES,
    CONFIGURATION_FIELDS,
    CONFIGURATION_KEYS,
    DEPENDENCY_CHANGES,
    DIFF_FILES,
    DOWNLOAD_COLUMNS,
    EVALUATIONS,
    ITEM_FIELDS,
    ITEM_KEYS,
    MANIFESTS,
    MESSAGES,
    RUNS,
    SUM_TYPES,
    TELEMETRY,
    TOOL_CALLS,
    VALIDATION,
)

# --------------------------------------------------------------------------------------------------------------
# API response shapes (the seed's, camelCase). The store's query functions produce them; tests validate real
# responses against these models, and the OpenAPI document is generated from them.
# --------------------------------------------------------------------------------------------------------------


class ApiModel(BaseModel):
    model_config = ConfigDict(extra="forbid")

    if TYPE_CHECKING:  # the fields of the models derived from models.run are not visible to mypy: Any

        def __getattr__(self, name: str) -> Any: ...


# The run and its parts: each model's fields are its table's columns in that shape (models.run declares them).


class RunRow(ApiModel):
    __annotations__ = RUNS.annotations("v2")


class EvaluationRow(ApiModel):
    __annotations__ = EVALUATIONS.annotations("v2")


class TelemetryRow(ApiModel):
    __annotations__ = TELEMETRY.annotations("v2")


class TranscriptMessageRow(ApiModel):
    __annotations__ = MESSAGES.annotations("v2")


class ToolCallRow(ApiModel):
    __annotations__ = TOOL_CALLS.annotations("v2")


class TranscriptBody(ApiModel):
    messages: list[TranscriptMessageRow]
    toolCalls: list[ToolCallRow]


class ValidationRow(ApiModel):
    __annotations__ = VALIDATION.annotations("v2")


class DiffFileRow(ApiModel):
    __annotations__ = DIFF_FILES.annotations("v2")


class DependencyChangeRow(ApiModel):
    __annotations__ = DEPENDENCY_CHANGES.annotations("v2")


class DiffBody(ApiModel):
    files: list[DiffFileRow]
    dependencyChanges: list[DependencyChangeRow]


class ManifestRow(ApiModel):
    __annotations__ = MANIFESTS.annotations("v2")


class RunDetail(ApiModel):
    #: What the static site's chunks add (store.query_run_details_range with transcripts).
    typed_extra: ClassVar[dict[str, Any]] = {"transcript": TranscriptBody}

    run: RunRow
    evaluations: list[EvaluationRow]
    telemetry: TelemetryRow | None
    validationResults: list[ValidationRow]
    #: The scenario's baseline commands on the untouched fixture ("before"; validationResults is "after").
    baselineResults: list[ValidationRow] = []
    diff: DiffBody
    manifest: ManifestRow | None


class Denominators(ApiModel):
    """A batch's counts (store.COUNT_CONDITIONS): runs = completedRuns + agentFailures + infraFailures; cancelled
    attempts are not runs."""

    expectedRuns: int | None
    runs: int
    missingRuns: int
    completedRuns: int
    agentFailures: int
    infraFailures: int
    successfulRuns: int
    cancelledAttempts: int
    #: Runs with at least one evaluator error.
    evaluatorErrorRuns: int
    #: Runs with at least one blocking finding of the integrity guard (never successful, still counted).
    findingRuns: int
    #: store.batch_complete: every expected run stored (or, without a known matrix, marked completed).
    complete: bool
    successRate: float | None
    successRateExclInfra: float | None
    avgWeightedScore: float | None
    avgWeightedScoreWithInfra: float | None


class BatchRow(ApiModel):
    __annotations__ = {
        **BATCHES.annotations("v2"),
        #: store.batch_complete
        "complete": bool,
        "denominators": Annotated[Denominators | None, Field(default=None)],
    }


class CompareResult(ApiModel):
    model_config = ConfigDict(extra="allow")  # see zebench.analysis.compare

    baseline: str
    candidate: str
    alpha: float
    sharedItems: int
    onlyBaseline: list[str]
    onlyCandidate: list[str]
    success: dict[str, Any]
    score: dict[str, Any] | None
    items: list[dict[str, Any]]
    regressions: list[str]
    improvements: list[str]
    significantRegression: bool
    significantImprovement: bool


class BreakdownRow(ApiModel):
    model_config = ConfigDict(extra="allow")  # the grouping columns (suite or tier, with agent and model)
    __annotations__ = dict(CONFIGURATION_FIELDS)  # the configuration (models.run), then:
    typed_extra: ClassVar[dict[str, Any]] = {"suite": str, "tier": str}
    runs: int
    successfulRuns: int | None
    failedRuns: int | None
    completedRuns: int | None = None
    agentFailures: int | None = None
    infraFailures: int | None = None
    evaluatorErrorRuns: int | None = None
    findingRuns: int | None = None
    costUnknownRuns: int | None = None
    successRate: float | None
    avgWeightedScore: float | None
    avgScore: float | None
    totalCostUsd: float | None


class EvaluatorBreakdownRow(ApiModel):
    evaluatorName: str
    runs: int
    applicableRuns: int | None
    avgScore: float | None
    passRate: float | None
    errors: int | None


class FailureRow(ApiModel):
    category: str
    runs: int


class EvaluatorErrorRow(ApiModel):
    evaluatorName: str
    runs: int
    #: One of the messages.
    example: str | None


class EchoBaseline(ApiModel):
    """What doing nothing (the echo agent) scores on a configuration's items (store.query_echo_baseline)."""

    __annotations__ = dict(CONFIGURATION_FIELDS)  # the configuration (models.run), then:
    #: The items (suite, scenario, tier) the configuration ran, and how many of them echo ran too.
    items: int
    echoItems: int
    echoRuns: int
    #: Mean over those items of echo's mean weighted score (0-10) and of its success rate; None: no baseline.
    echoMeanScore: float | None
    echoSuccessRate: float | None
    #: "selection": the selection's own echo runs (a batch's); "database": every echo run stored.
    source: str


class BatchListRow(ApiModel):
    """A batch as `zebench batches` lists it (store.query_batch_list)."""

    batchId: str
    createdAt: str
    completedAt: str | None
    #: Its configurations: agent and model of each.
    configurations: list[dict[str, str | None]]
    runs: int
    expectedRuns: int | None
    successfulRuns: int
    complete: bool
    #: complete, running (not complete, a run stored or started in the last hour) or incomplete.
    status: str
    #: When its newest run ended (or started), else when the batch was created.
    lastActivityAt: str


class UnsuccessfulRow(ApiModel):
    """One cause that made runs of a configuration unsuccessful (store.query_unsuccessful). ``kind``: failure (the
    run failed: ``name`` is its category), error (an evaluator that counts failed), gate (a gate did not hold),
    score (a task evaluator below its full score while the success metric fell short), check (a heuristic check
    that failed then, by its name)."""

    __annotations__ = dict(CONFIGURATION_FIELDS)  # the configuration (models.run), then:
    kind: str
    name: str | None
    #: Unsuccessful runs of the configuration with this cause (a run with several causes counts under each).
    runs: int
    #: One of the messages (a command's result, a finding, an error, a check's message, the mean score).
    example: str | None


class Breakdowns(ApiModel):
    """Every breakdown of runs is per configuration: bySuite and byTier rows also carry agent and model."""

    bySuite: list[BreakdownRow]
    byAgent: list[BreakdownRow]
    byTier: list[BreakdownRow]
    byEvaluator: list[EvaluatorBreakdownRow]
    failuresByCategory: list[FailureRow]
    evaluatorErrors: list[EvaluatorErrorRow] = []
    #: Why runs were not successful, per configuration.
    unsuccessful: list[UnsuccessfulRow] = []


class BatchDetail(BatchRow):
    #: The first runs of the batch (?runs=N, default 100); page the rest with /api/runs?batchId=
    runs: list[RunRow]
    runsIncluded: int
    runsTotal: int
    breakdowns: Breakdowns


class MatrixCell(ApiModel):
    """One configuration on one item of a batch (/api/v2/batches/<id>/matrix)."""

    __annotations__ = {**CONFIGURATION_FIELDS, **ITEM_FIELDS}  # the configuration and the item (models.run), then:
    runs: int
    successful: int
    meanScore: float | None
    #: The same configuration and item in the batch given as ?previous= (None: not there, or none given).
    previousRuns: int | None
    previousSuccessful: int | None
    #: The item succeeded there (at least half of its runs) and does not here: the definition of `zebench compare`.
    regressed: bool


class BatchMatrix(ApiModel):
    batchId: str
    previousBatchId: str | None
    #: Per configuration and item, sorted by agent, model and item.
    items: list[MatrixCell]
    #: The leaderboard over this batch's runs (`zebench leaderboard --filter batchId=<id>`): intervals and pass@k
    #: per configuration.
    configurations: list[dict[str, Any]]


class Stats(ApiModel):
    """Totals over every counted run, all configurations pooled (``pooled``: true)."""

    totalRuns: int
    successfulRuns: int
    failedRuns: int
    completedRuns: int | None = None
    agentFailures: int | None = None
    infraFailures: int | None = None
    cancelledAttempts: int | None = None
    evaluatorErrorRuns: int | None = None
    findingRuns: int | None = None
    successRate: float | None
    avgScore: float | None
    avgWeightedScore: float | None
    totalCostUsd: float | None
    costUnknownRuns: int
    totalBatches: int
    agentModels: int
    scenarios: int
    pooled: bool = True


class AggregateRow(ApiModel):
    model_config = ConfigDict(extra="allow")  # the grouping columns

    runs: int
    successfulRuns: int
    failedRuns: int
    scoredRuns: int
    successRate: float | None
    avgScore: float | None
    avgWeightedScore: float | None
    minWeightedScore: float | None
    maxWeightedScore: float | None
    minScore: float | None
    maxScore: float | None
    totalCostUsd: float | None
    meanCostUsd: float | None
    costUnknownRuns: int


class AgentStats(AggregateRow):
    """One configuration (agent and model) of the leaderboard; see docs/statistics.md for each figure."""

    __annotations__ = dict(CONFIGURATION_FIELDS)  # the configuration (models.run), then:
    #: "agent [model]", as every page shows a configuration.
    configuration: str | None = None
    rank: int | None = None
    #: None: fewer items than the tie groups' minimum, not comparable with anyone.
    tieGroup: int | None = None
    tieLeader: str | None = None
    #: Holm-adjusted p-value of the test against the group's leader (None for the leader).
    tieP: float | None = None
    tieSharedItems: int | None = None
    #: Leaders of earlier groups this configuration shared too few items with.
    notComparableWith: list[str] | None = None
    items: int | None = None
    completedRuns: int | None = None
    agentFailures: int | None = None
    infraFailures: int | None = None
    evaluatorErrorRuns: int | None = None
    findingRuns: int | None = None
    successRateLow: float | None = None
    successRateHigh: float | None = None
    #: "wilson" (one run per item) or "clustered" (Korn-Graubard, items with several runs).
    successRateInterval: str | None = None
    successRateExclInfra: float | None = None
    successRateExclInfraLow: float | None = None
    successRateExclInfraHigh: float | None = None
    meanScore: float | None = None
    meanScoreLow: float | None = None
    meanScoreHigh: float | None = None
    meanScoreWithInfra: float | None = None
    #: pass@k and pass^k for k = 1 .. the largest number of runs of an item ("pass@3", "pass^3", ...).
    passAtK: dict[str, float] | None = None
    #: For each k (as text), the number of items with at least k runs that pass@k and pass^k cover.
    passAtKItems: dict[str, int] | None = None
    #: The largest number of runs of an item (across batches); see runsPerItemMin.
    repeatsPerItem: int | None = None
    runsPerItemMin: int | None = None
    runsPerItemMax: int | None = None
    costPerSolvedUsd: float | None = None
    flakyItems: int | None = None
    flakiness: float | None = None


class ScenarioStats(AggregateRow):
    __annotations__ = dict(ITEM_FIELDS)  # the item (models.run)


class Health(ApiModel):
    status: str
    timestamp: str


# --------------------------------------------------------------------------------------------------------------
# The original project's read shapes (the unversioned /api/* paths): its keys, value types and definitions, so
# that its dashboard and client work unchanged. docs/api.md lists every difference from the v2 shapes.
# --------------------------------------------------------------------------------------------------------------


class OriginalRun(ApiModel):
    __annotations__ = RUNS.annotations("original")


class OriginalEvaluation(ApiModel):
    __annotations__ = EVALUATIONS.annotations("original")


class OriginalTelemetry(ApiModel):
    __annotations__ = TELEMETRY.annotations("original")


class OriginalRunDetail(ApiModel):
    run: OriginalRun
    evaluations: list[OriginalEvaluation]
    telemetry: OriginalTelemetry | None


class OriginalBatch(ApiModel):
    __annotations__ = BATCHES.annotations("original")


class OriginalBatchDetail(OriginalBatch):
    #: Every run of the batch, oldest first.
    runs: list[OriginalRun]


class OriginalStats(ApiModel):
    """Over runs with status "completed" only."""

    totalRuns: int
    successfulRuns: int
    #: Mean totalScore (0-1).
    avgScore: float | None
    #: Mean weightedScore (0-10).
    avgWeightedScore: float | None


class OriginalAgentStats(ApiModel):
    """Per agent over its completed and successful runs; figures of weightedScore (0-10)."""

    agent: str
    runs: int
    avgScore: float | None
    minScore: float | None
    maxScore: float | None


class OriginalHumanScoreCategory(ApiModel):
    category: str
    #: 1-5.
    score: float
    reasoning: str | None = None
    confidence: float | None = None


class OriginalHumanScore(ApiModel):
    """A person's scores of a run (the original's later worker; its dashboard's run page reads them). zebench keeps
    no human scores, so /api/runs/{runId}/human-scores is always []: this is the shape of its items."""

    id: int
    runId: str
    scorerName: str
    scorerEmail: str | None
    scores: list[OriginalHumanScoreCategory]
    #: 0-1 (the mean 1-5 score, rescaled).
    overallScore: float
    timeSpentSeconds: int | None
    notes: str | None
    metadata: Any
    createdAt: str


class OriginalHumanScoreStats(ApiModel):
    totalScores: int
    uniqueRuns: int
    uniqueScorers: int
    avgOverallScore: float
    avgTimeSpent: float


class WriteResult(ApiModel):
    ok: bool
    success: bool
    runIds: list[str] | None = None
    count: int | None = None
    runId: str | None = None
    batchId: str | None = None


class ErrorBody(ApiModel):
    ok: bool
    error: str
    errors: list[Any]
    status: int


# --------------------------------------------------------------------------------------------------------------
# Shapes only zebench's own pages and commands read (the static site, the leaderboard, the CLI): not served by the
# API, so not in the OpenAPI document; their TypedDicts (models.shapes) type the store's queries.
# --------------------------------------------------------------------------------------------------------------


class ItemCounts(ApiModel):
    """The sums (models.run.SUM_TYPES) of one configuration on one item ('' for an empty name)."""

    __annotations__ = {**dict.fromkeys((*CONFIGURATION_KEYS, *ITEM_KEYS), str), **SUM_TYPES}


class BatchRunRow(ApiModel):
    """A run of a batch's CSV and JSON downloads (models.run.DOWNLOAD_COLUMNS, by column name)."""

    __annotations__ = {c.name: c.type for _, c in DOWNLOAD_COLUMNS}


class HistogramBin(ApiModel):
    #: Weighted scores bin..bin+1 (10 falls in the last bin, 9).
    bin: int
    runs: int


class DailyTrend(ApiModel):
    __annotations__ = {
        "day": str,
        **dict.fromkeys(CONFIGURATION_KEYS, str),
        "runs": int,
        "successRate": float | None,
        "avgWeightedScore": float | None,
    }


class CostRow(ApiModel):
    """One configuration's costs and tokens (None when no run's is known)."""

    __annotations__ = {
        **dict.fromkeys(CONFIGURATION_KEYS, str),
        "runs": int,
        "solved": int,
        "costRuns": int,
        "costUsd": float | None,
        "judgeCostUsd": float | None,
        "judgeCostRuns": int,
        "tokensIn": int | None,
        "tokensOut": int | None,
        "cacheReadTokens": int | None,
        "cacheWriteTokens": int | None,
        "costUnknownRuns": int,
        "costPerSolvedUsd": float | None,
        "meanCostUsd": float | None,
    }


class EvaluatorFigures(ApiModel):
    """One evaluator over every counted run."""

    evaluatorName: str
    kind: str | None
    avgWeight: float
    evaluations: int
    applicable: int
    avgScore: float | None
    passRate: float | None
    errors: int
    costUsd: float | None


class EvaluatorByConfiguration(ApiModel):
    """One evaluator's mean score for one configuration over the evaluations that ran."""

    __annotations__ = {
        **dict.fromkeys(CONFIGURATION_KEYS, str),
        "evaluatorName": str,
        "applicable": int,
        "avgScore": float | None,
        "errors": int,
    }
