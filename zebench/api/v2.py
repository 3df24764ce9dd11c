"""zebench's richer read shapes under /api/v2: keyset pages with cursors, denominators, intervals, transcripts,
not-applicable evaluations with their 0-1 figures, breakdowns, comparisons. The site's JSON mirror and zebench's
own tests use these. Strict: an unknown query parameter or an out-of-range limit is a 400."""

from __future__ import annotations

from typing import Any

from datasette.utils.asgi import Response

from .. import store
from .http import (
    ApiError,
    body_response,
    cached_read,
    endpoint,
    json_response,
    page_headers,
    path_param,
    read,
    strict_int_param,
    text_param,
)

PREFIX = "/api/v2"
#: Largest ?runs= of a batch's detail (more: page /api/v2/runs?batchId=).
BATCH_RUNS_MAX = 5000


def _refuse_unknown(request: Any, allowed: set[str]) -> None:
    unknown = [k for k in request.args.keys() if k not in allowed]
    if unknown:
        raise ApiError(
            400,
            f"unknown query parameter(s): {', '.join(unknown)}",
            [{"loc": [k], "msg": "unknown parameter"} for k in unknown],
        )


@endpoint("GET")
async def runs(request: Any, datasette: Any) -> Response:
    _refuse_unknown(request, {*store.RUN_FILTERS, "since", "until", "limit", "cursor"})
    filters = {k: v for k in store.RUN_FILTERS if (v := text_param(request, k)) is not None}
    rows, next_cursor = await read(
        datasette,
        store.query_runs,
        filters,
        since=text_param(request, "since"),
        until=text_param(request, "until"),
        limit=strict_int_param(request, "limit", store.DEFAULT_PAGE, store.MAX_PAGE),
        cursor=text_param(request, "cursor"),
    )
    return json_response(rows, headers=page_headers(request, next_cursor))


@endpoint("GET")
async def run_detail(request: Any, datasette: Any) -> Response:
    run_id = path_param(request, "run_id")
    detail = await read(datasette, store.query_run_detail, run_id)
    if detail is None:
        raise ApiError(404, f"run {run_id} not found")
    return json_response(detail)


@endpoint("GET")
async def run_part(request: Any, datasette: Any) -> Response:
    run_id, part = path_param(request, "run_id"), request.url_vars["part"]
    if await read(datasette, store.query_run, run_id) is None:
        raise ApiError(404, f"run {run_id} not found")
    fn = {
        "evaluations": store.query_evaluations,
        "telemetry": store.query_telemetry,
        "transcript": store.query_transcript,
    }[part]
    return json_response(await read(datasette, fn, run_id))


@endpoint("GET")
async def batches(request: Any, datasette: Any) -> Response:
    _refuse_unknown(request, {"limit", "cursor"})
    rows, next_cursor = await read(
        datasette,
        store.query_batches,
        limit=strict_int_param(request, "limit", 20, store.MAX_PAGE),
        cursor=text_param(request, "cursor"),
    )
    return json_response(rows, headers=page_headers(request, next_cursor))


@endpoint("GET")
async def batch_detail(request: Any, datasette: Any) -> Response:
    batch_id = path_param(request, "batch_id")
    _refuse_unknown(request, {"runs"})
    limit = strict_int_param(request, "runs", store.BATCH_RUNS_EMBEDDED, BATCH_RUNS_MAX, minimum=0)
    body = await cached_read(datasette, ("v2/batch", batch_id, limit), store.query_batch_detail, batch_id, limit)
    if body is None:
        raise ApiError(404, f"batch {batch_id} not found")
    return body_response(body)


@endpoint("GET")
async def batch_matrix(request: Any, datasette: Any) -> Response:
    from ..report.analysis import batch_matrix as matrix

    batch_id = path_param(request, "batch_id")
    _refuse_unknown(request, {"previous"})
    previous = text_param(request, "previous")
    for batch in (batch_id, previous):
        if batch is not None and not await read(datasette, store.batch_exists, batch):
            raise ApiError(404, f"batch {batch} not found")
    body = await cached_read(datasette, ("v2/matrix", batch_id, previous), matrix, batch_id, previous)
    assert body is not None
    return body_response(body)


@endpoint("GET")
async def stats(request: Any, datasette: Any) -> Response:
    return body_response(await cached_read(datasette, ("v2/stats",), store.query_stats) or b"{}")


def agents_with_leaderboard(conn: Any) -> Any:
    """/api/v2/stats/agents: each configuration's figures with the leaderboard's (intervals, pass@k, ties)."""
    from ..report.analysis import leaderboard, merge_leaderboard

    return merge_leaderboard(store.query_stats_agents(conn), leaderboard(conn))


@endpoint("GET")
async def stats_agents(request: Any, datasette: Any) -> Response:
    return body_response(await cached_read(datasette, ("v2/agents",), agents_with_leaderboard) or b"[]")


@endpoint("GET")
async def stats_scenarios(request: Any, datasette: Any) -> Response:
    return body_response(await cached_read(datasette, ("v2/scenarios",), store.query_stats_scenarios) or b"[]")


@endpoint("GET")
async def compare_view(request: Any, datasette: Any) -> Response:
    from ..report.analysis import compare

    _refuse_unknown(request, {"base", "cand", "alpha", "pool"})
    base, cand = text_param(request, "base"), text_param(request, "cand")
    if not base or not cand:
        raise ApiError(400, "give base= and cand= (batch ids or filters like agent=echo,tier=L1)")
    try:
        alpha = float(request.args.get("alpha") or 0.05)
    except ValueError:
        raise ApiError(400, "alpha must be a number") from None
    if not 0 < alpha < 1:
        raise ApiError(400, "alpha must be between 0 and 1")
    pool = (request.args.get("pool") or "0").lower()
    if pool not in ("0", "1", "true", "false"):
        raise ApiError(400, "pool must be 1 or 0")
    pooled = pool in ("1", "true")
    body = await cached_read(
        datasette, ("v2/compare", base, cand, alpha, pooled), compare, base, cand, alpha=alpha, pool=pooled
    )
    assert body is not None
    return body_response(body)


ROUTES: list[tuple[str, Any]] = [
    (rf"^{PREFIX}/runs$", runs),
    (rf"^{PREFIX}/runs/(?P<run_id>[^/]+)$", run_detail),
    (rf"^{PREFIX}/runs/(?P<run_id>[^/]+)/(?P<part>evaluations|telemetry|transcript)$", run_part),
    (rf"^{PREFIX}/batches$", batches),
    (rf"^{PREFIX}/batches/(?P<batch_id>[^/]+)$", batch_detail),
    (rf"^{PREFIX}/batches/(?P<batch_id>[^/]+)/matrix$", batch_matrix),
    (rf"^{PREFIX}/stats$", stats),
    (rf"^{PREFIX}/stats/agents$", stats_agents),
    (rf"^{PREFIX}/stats/scenarios$", stats_scenarios),
    (rf"^{PREFIX}/compare$", compare_view),
]
