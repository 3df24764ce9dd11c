"""The seed's read paths in the original project's shapes and definitions, so that its dashboard and its client
work against ``zebench serve`` unchanged (the contract is written down in docs/api.md).

Like the original's worker: filters are exact matches and empty ones are ignored, unknown query parameters are
ignored, ``limit`` is read as JavaScript's parseInt reads it and large limits are served (up to
ORIGINAL_MAX_ROWS), an unknown run's evaluations and telemetry are ``[]`` and ``null`` with 200. A run's human
scores (read by the original's later dashboard) are always ``[]``: zebench keeps none. The richer shapes are under
/api/v2 (v2.py).
"""

from __future__ import annotations

import re
from typing import Any

from datasette.utils.asgi import Response

from .. import store
from ..models import OriginalHumanScoreStats
from .http import (
    ApiError,
    body_response,
    cached_read,
    endpoint,
    health_body,
    json_response,
    path_param,
    read,
    text_param,
)

ORIGINAL_MAX_ROWS = store.ORIGINAL_MAX_ROWS
_LEADING_INT = re.compile(r"\s*([+-]?\d+)")


def original_limit(raw: str | None, default: int) -> int:
    """``limit`` as the original's worker read it (``parseInt(limit || default)``): the leading integer of the
    text, the default when there is none; a negative one means no limit (SQLite's LIMIT -1). Capped at
    ORIGINAL_MAX_ROWS."""
    match = _LEADING_INT.match(raw or "")
    if match is None:
        return default
    value = int(match.group(1))
    return ORIGINAL_MAX_ROWS if value < 0 else min(value, ORIGINAL_MAX_ROWS)


@endpoint("GET")
async def health(request: Any, datasette: Any) -> Response:
    return json_response(health_body())


@endpoint("GET")
async def runs(request: Any, datasette: Any) -> Response:
    filters = {k: v for k in store.ORIGINAL_RUN_FILTERS if (v := text_param(request, k)) is not None}
    limit = original_limit(request.args.get("limit"), 50)
    key = ("runs", tuple(sorted(filters.items())), limit)
    return body_response(await cached_read(datasette, key, store.query_original_runs, filters, limit=limit) or b"[]")


@endpoint("GET")
async def run_detail(request: Any, datasette: Any) -> Response:
    run_id = path_param(request, "run_id")
    detail = await read(datasette, store.query_original_run_detail, run_id)
    if detail is None:
        raise ApiError(404, f"Run not found: {run_id}")
    return json_response(detail)


@endpoint("GET")
async def run_evaluations(request: Any, datasette: Any) -> Response:
    return json_response(await read(datasette, store.query_original_evaluations, path_param(request, "run_id")))


@endpoint("GET")
async def run_telemetry(request: Any, datasette: Any) -> Response:
    return json_response(await read(datasette, store.query_original_telemetry, path_param(request, "run_id")))


@endpoint("GET")
async def run_human_scores(request: Any, datasette: Any) -> Response:
    # The original's later dashboard asks for a run's human scores on its run page (GET only: scoring was another
    # app's). zebench keeps none: the original answered [] for a run without any, known or not.
    path_param(request, "run_id")
    return json_response([])


@endpoint("GET")
async def human_score_stats(request: Any, datasette: Any) -> Response:
    return json_response(HUMAN_SCORE_STATS)


#: The original's /api/human-scores/stats over no human scores.
HUMAN_SCORE_STATS = OriginalHumanScoreStats(
    totalScores=0, uniqueRuns=0, uniqueScorers=0, avgOverallScore=0, avgTimeSpent=0
).model_dump()


@endpoint("GET")
async def batches(request: Any, datasette: Any) -> Response:
    limit = original_limit(request.args.get("limit"), 20)
    return body_response(
        await cached_read(datasette, ("batches", limit), store.query_original_batches, limit=limit) or b"[]"
    )


@endpoint("GET")
async def batch_detail(request: Any, datasette: Any) -> Response:
    batch_id = path_param(request, "batch_id")
    body = await cached_read(datasette, ("batch", batch_id), store.query_original_batch_detail, batch_id)
    if body is None:
        raise ApiError(404, f"Batch not found: {batch_id}")
    return body_response(body)


@endpoint("GET")
async def stats(request: Any, datasette: Any) -> Response:
    return body_response(await cached_read(datasette, ("stats",), store.query_original_stats) or b"{}")


@endpoint("GET")
async def stats_agents(request: Any, datasette: Any) -> Response:
    return body_response(await cached_read(datasette, ("agents",), store.query_original_agent_stats) or b"[]")


ROUTES: list[tuple[str, Any]] = [
    (r"^/health$", health),
    (r"^/api/runs$", runs),
    (r"^/api/runs/(?P<run_id>[^/]+)$", run_detail),
    (r"^/api/runs/(?P<run_id>[^/]+)/evaluations$", run_evaluations),
    (r"^/api/runs/(?P<run_id>[^/]+)/telemetry$", run_telemetry),
    (r"^/api/runs/(?P<run_id>[^/]+)/human-scores$", run_human_scores),
    (r"^/api/human-scores/stats$", human_score_stats),
    (r"^/api/batches$", batches),
    (r"^/api/batches/(?P<batch_id>[^/]+)$", batch_detail),
    (r"^/api/stats$", stats),
    (r"^/api/stats/agents$", stats_agents),
]
