"""The OpenAPI 3.1 document of the JSON API, generated from the pydantic models (served at /api/openapi.json,
written to docs/openapi.json by scripts/gen_docs.py). It describes both read shapes: the original project's at
/api/* (models.Original*) and zebench's at /api/v2/*, and the one write API."""

from __future__ import annotations

from functools import cache
from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from ..constants import DEFAULT_PAGE, MAX_PAGE, ORIGINAL_MAX_ROWS, ORIGINAL_RUN_FILTERS, zebench_version
from . import (
    AgentStats,
    BatchDetail,
    BatchMatrix,
    BatchRecord,
    BatchRow,
    CompareResult,
    ErrorBody,
    EvaluationRow,
    Health,
    OriginalAgentStats,
    OriginalBatch,
    OriginalBatchDetail,
    OriginalEvaluation,
    OriginalHumanScore,
    OriginalHumanScoreStats,
    OriginalRun,
    OriginalRunDetail,
    OriginalStats,
    OriginalTelemetry,
    RunDetail,
    RunRecord,
    RunRow,
    ScenarioStats,
    Stats,
    TelemetryRow,
    TranscriptBody,
    WriteResult,
)
from .run import RUN_FILTER_COLUMNS, RUNS

MODELS: list[type[BaseModel]] = [
    RunRecord,
    BatchRecord,
    RunRow,
    RunDetail,
    EvaluationRow,
    TelemetryRow,
    TranscriptBody,
    BatchRow,
    BatchDetail,
    Stats,
    AgentStats,
    ScenarioStats,
    Health,
    WriteResult,
    ErrorBody,
    CompareResult,
    OriginalRun,
    OriginalRunDetail,
    OriginalEvaluation,
    OriginalTelemetry,
    OriginalBatch,
    OriginalBatchDetail,
    OriginalStats,
    OriginalAgentStats,
    OriginalHumanScore,
    OriginalHumanScoreStats,
    BatchMatrix,
]
V2 = "/api/v2"


def _ref(model: type[BaseModel]) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{model.__name__}"}


def _json(schema: dict[str, Any], description: str, headers: dict[str, Any] | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {"description": description, "content": {"application/json": {"schema": schema}}}
    if headers:
        out["headers"] = headers
    return out


def _query(name: str, description: str, schema: dict[str, Any] | None = None) -> dict[str, Any]:
    return {
        "name": name,
        "in": "query",
        "required": False,
        "description": description,
        "schema": schema or {"type": "string"},
    }


def _path(name: str, description: str) -> dict[str, Any]:
    return {"name": name, "in": "path", "required": True, "description": description, "schema": {"type": "string"}}


ERRORS = {
    "400": _json(_ref(ErrorBody), "Bad request (invalid JSON, parameter or cursor)"),
    "404": _json(_ref(ErrorBody), "Not found"),
}
WRITE_ERRORS = {
    "400": _json(_ref(ErrorBody), "Invalid JSON, or nested deeper than 64 levels"),
    "401": _json(_ref(ErrorBody), "Missing Authorization header"),
    "403": _json(_ref(ErrorBody), "Wrong token"),
    "413": _json(_ref(ErrorBody), "Body larger than 10 MiB"),
    "422": _json(
        _ref(ErrorBody),
        "Invalid fields (wrong types, overlong names, integers beyond 64 bits, NaN, lone "
        "surrogates, times that are not ISO-8601, fields that contradict each other such "
        "as a failed run marked successful), each named in errors[].loc; nothing was "
        "written",
    ),
    "503": _json(_ref(ErrorBody), "Writes disabled (no server token) or read-only server"),
}
PAGED = {
    "X-Next-Cursor": {"description": "Cursor of the next page (absent on the last page)", "schema": {"type": "string"}},
    "Link": {"description": 'Next page as rel="next"', "schema": {"type": "string"}},
}


def array(model: type[BaseModel]) -> dict[str, Any]:
    return {"type": "array", "items": _ref(model)}


def original_limit(default: int) -> dict[str, Any]:
    return _query(
        "limit",
        f"rows (default {default}; read like JavaScript's parseInt; a negative or larger limit is "
        f"served as {ORIGINAL_MAX_ROWS:,})",
        {"type": "integer"},
    )


def _get(
    summary: str, ok: dict[str, Any], params: list[dict[str, Any]] | None = None, errors: dict[str, Any] | None = None
) -> dict[str, Any]:
    return {"get": {"summary": summary, "parameters": params or [], "responses": {"200": ok, **(errors or {})}}}


@cache
def openapi_document() -> dict[str, Any]:
    _, defs = models_json_schema(
        [(m, "validation") for m in MODELS], by_alias=True, ref_template="#/components/schemas/{model}"
    )
    schemas = defs.get("$defs", {})
    run_filters = [_query(k, f"exact match on {k}") for k in (RUNS.column(c).key for c in RUN_FILTER_COLUMNS)]
    page = [
        _query(
            "limit",
            f"page size (default {DEFAULT_PAGE}, at most {MAX_PAGE})",
            {"type": "integer", "minimum": 1, "maximum": MAX_PAGE},
        ),
        _query("cursor", "opaque cursor from X-Next-Cursor"),
    ]
    run_id = [_path("runId", "run id")]
    results_body = {"oneOf": [_ref(RunRecord), {"type": "array", "items": _ref(RunRecord), "minItems": 1}]}
    original = {
        "/api/runs": _get(
            "Runs, newest startedAt first (the original's shape: metadata as JSON text; unknown parameters ignored)",
            _json(array(OriginalRun), "Runs"),
            [_query(k, f"exact match on {k} (empty: ignored)") for k in ORIGINAL_RUN_FILTERS] + [original_limit(50)],
        ),
        "/api/runs/{runId}": _get(
            "A run with its evaluations (as sent; not-applicable ones left out) and telemetry",
            _json(_ref(OriginalRunDetail), "The run"),
            run_id,
            {"404": ERRORS["404"]},
        ),
        "/api/runs/{runId}/evaluations": _get(
            "A run's evaluations as sent ([] for an unknown run)",
            _json(array(OriginalEvaluation), "Evaluations"),
            run_id,
        ),
        "/api/runs/{runId}/telemetry": _get(
            "A run's telemetry (null when none or for an unknown run)",
            _json({"anyOf": [_ref(OriginalTelemetry), {"type": "null"}]}, "Telemetry"),
            run_id,
        ),
        "/api/runs/{runId}/human-scores": _get(
            "A run's human scores: always [] (zebench keeps none; the original's "
            "later dashboard reads them on its run page)",
            _json(array(OriginalHumanScore), "Human scores"),
            run_id,
        ),
        "/api/human-scores/stats": _get(
            "Statistics of human scores: zeros (zebench keeps none)", _json(_ref(OriginalHumanScoreStats), "Statistics")
        ),
        "/api/batches": _get(
            "Batches, newest first (createdAt/completedAt in epoch ms)",
            _json(array(OriginalBatch), "Batches"),
            [original_limit(20)],
        ),
        "/api/batches/{batchId}": _get(
            "A batch with every one of its runs, oldest first",
            _json(_ref(OriginalBatchDetail), "The batch"),
            [_path("batchId", "batch id")],
            {"404": ERRORS["404"]},
        ),
        "/api/stats": _get("Totals over completed runs", _json(_ref(OriginalStats), "Totals")),
        "/api/stats/agents": _get(
            "Per agent over completed, successful runs; highest avgScore first",
            _json(array(OriginalAgentStats), "Rows"),
        ),
    }
    v2 = {
        f"{V2}/runs": _get(
            "Runs, newest first, keyset-paginated",
            _json(array(RunRow), "A page of runs", PAGED),
            run_filters
            + [_query("since", "startedAt >= (ISO-8601)"), _query("until", "startedAt < (ISO-8601)")]
            + page,
            {"400": ERRORS["400"]},
        ),
        f"{V2}/runs/{{runId}}": _get(
            "A run with its evaluations, telemetry, validation, diff and manifest",
            _json(_ref(RunDetail), "The run"),
            run_id,
            {"404": ERRORS["404"]},
        ),
        f"{V2}/runs/{{runId}}/evaluations": _get(
            "A run's evaluations, not-applicable ones too",
            _json(array(EvaluationRow), "Evaluations"),
            run_id,
            {"404": ERRORS["404"]},
        ),
        f"{V2}/runs/{{runId}}/telemetry": _get(
            "A run's telemetry (null when none)",
            _json({"anyOf": [_ref(TelemetryRow), {"type": "null"}]}, "Telemetry"),
            run_id,
            {"404": ERRORS["404"]},
        ),
        f"{V2}/runs/{{runId}}/transcript": _get(
            "A run's messages and tool calls", _json(_ref(TranscriptBody), "Transcript"), run_id, {"404": ERRORS["404"]}
        ),
        f"{V2}/batches": _get(
            "Batches, newest first, keyset-paginated",
            _json(array(BatchRow), "A page", PAGED),
            page,
            {"400": ERRORS["400"]},
        ),
        f"{V2}/batches/{{batchId}}": _get(
            "A batch with its first runs, denominators and breakdowns",
            _json(_ref(BatchDetail), "The batch"),
            [
                _path("batchId", "batch id"),
                _query(
                    "runs",
                    f"runs to embed (default 100, 0 to 5000); page the rest with {V2}/runs?batchId=",
                    {"type": "integer", "minimum": 0, "maximum": 5000},
                ),
            ],
            {"400": ERRORS["400"], "404": ERRORS["404"]},
        ),
        f"{V2}/batches/{{batchId}}/matrix": _get(
            "A batch as an item x configuration matrix (runs and successes per cell, regressions against ?previous=) "
            "with the leaderboard's figures (pass@k) per configuration over the batch",
            _json(_ref(BatchMatrix), "The matrix"),
            [_path("batchId", "batch id"), _query("previous", "an earlier batch id: cells that regressed since it")],
            {"400": ERRORS["400"], "404": ERRORS["404"]},
        ),
        f"{V2}/stats": _get(
            "Totals over every run, all configurations pooled (cancelled attempts counted apart)",
            _json(_ref(Stats), "Totals"),
        ),
        f"{V2}/stats/agents": _get(
            "Per agent and model: the leaderboard with clustered intervals, pass@k and tie groups",
            _json(array(AgentStats), "Rows"),
        ),
        f"{V2}/stats/scenarios": _get("Per scenario and tier", _json(array(ScenarioStats), "Rows")),
        f"{V2}/compare": _get(
            "Paired comparison of a candidate with a baseline (batch ids or filters)",
            _json(_ref(CompareResult), "The comparison"),
            [
                _query("base", "baseline: a batch id or filters key=value,..."),
                _query("cand", "candidate: a batch id or filters key=value,..."),
                _query("alpha", "significance level (default 0.05)", {"type": "number"}),
                _query(
                    "pool",
                    "1: allow a side holding several configurations (pooled, and said "
                    "so); default 0: such a side is a 400",
                    {"type": "string", "enum": ["0", "1"]},
                ),
            ],
            {"400": ERRORS["400"]},
        ),
    }
    paths: dict[str, Any] = {
        "/health": _get("Liveness", _json(_ref(Health), "OK")),
        **original,
        **v2,
        "/api/results": {
            "post": {
                "summary": "Store one run record or a list (the original project's client payload as it is: unknown "
                "fields are kept in metadata.extraFields); re-posting a runId replaces it",
                "security": [{"bearer": []}],
                "requestBody": {"required": True, "content": {"application/json": {"schema": results_body}}},
                "responses": {"201": _json(_ref(WriteResult), "Stored"), **WRITE_ERRORS},
            }
        },
        "/api/results/batch": {
            "post": {
                "summary": "Create a batch or update the fields given (createdAt stays the first one; aggregates are "
                "recomputed from stored runs when there are any)",
                "security": [{"bearer": []}],
                "requestBody": {"required": True, "content": {"application/json": {"schema": _ref(BatchRecord)}}},
                "responses": {"201": _json(_ref(WriteResult), "Stored"), **WRITE_ERRORS},
            }
        },
    }
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "zebench API",
            "version": zebench_version(),
            "description": "Benchmark runs of AI coding agents. /api/* answers in the original ze-benchmarks "
            "shapes and definitions (its dashboard and client work unchanged); /api/v2/* in "
            "zebench's richer ones (docs/api.md lists every difference). Reads are public; "
            "writes need Authorization: Bearer <ZE_BENCHMARKS_API_KEY>. Errors are "
            "{ok: false, error, errors, status}.",
        },
        "paths": paths,
        "components": {"schemas": schemas, "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}}},
    }
