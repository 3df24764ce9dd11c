"""The JSON API (the seed's /api/* endpoints) as a Datasette plugin.

Registered through the ``datasette`` entry point, so ``zebench serve`` (and a plain ``datasette`` run on a zebench
database with zebench installed) serve it next to Datasette's own table and SQL pages. Reads run the store's
query functions on Datasette's read connections; writes run on Datasette's single write thread, one
transaction per request. Every response of /api/* is JSON with CORS headers; errors are
``{"ok": false, "error", "errors", "status"}``.

Writes need ``Authorization: Bearer <token>`` matching ``ZE_BENCHMARKS_API_KEY`` (the variable the client uses
too): missing header 401, wrong token 403 (constant-time comparison), no token configured 503.
"""

from __future__ import annotations

import json
import os
import secrets
import traceback
from typing import Any, Awaitable, Callable
from urllib.parse import urlencode

from datasette import hookimpl
from datasette.utils.asgi import Response
from pydantic import ValidationError

from . import store
from .models import BatchRecord, RunRecord, utc_now

#: Largest request body accepted by POST endpoints (413 above).
MAX_BODY_BYTES = 10 * 1024 * 1024
TOKEN_ENV = "ZE_BENCHMARKS_API_KEY"
#: Largest ?runs= of a batch's detail (more: page /api/runs?batchId=).
BATCH_RUNS_MAX = 5000
CORS_HEADERS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Allow-Methods": "GET, POST, OPTIONS",
    "Access-Control-Allow-Headers": "Authorization, Content-Type",
    "Access-Control-Max-Age": "86400",
}

View = Callable[..., Awaitable[Response]]


class ApiError(Exception):
    def __init__(self, status: int, error: str, errors: list[Any] | None = None):
        super().__init__(error)
        self.status, self.error, self.errors = status, error, errors or []


def json_response(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(
        json.dumps(body, ensure_ascii=False, separators=(",", ":"), default=str), status=status,
        headers={**CORS_HEADERS, **(headers or {})}, content_type="application/json; charset=utf-8",
    )


def error_response(status: int, error: str, errors: list[Any] | None = None) -> Response:
    return json_response({"ok": False, "error": error, "errors": errors or [], "status": status}, status)


def endpoint(*methods: str) -> Callable[[View], View]:
    """CORS preflight, method check, JSON errors for every /api route."""

    def wrap(view: View) -> View:
        async def handler(request: Any, datasette: Any) -> Response:
            if request.method == "OPTIONS":
                return Response("", status=204, headers=CORS_HEADERS)
            if request.method not in methods:
                return error_response(405, f"{request.method} is not allowed here; use {', '.join(methods)}")
            try:
                return await view(request, datasette)
            except ApiError as exc:
                return error_response(exc.status, exc.error, exc.errors)
            except Exception:  # a bug: JSON for the client, the traceback for the server's log
                traceback.print_exc()
                return error_response(500, "internal error (logged on the server)")

        handler.__name__ = view.__name__
        return handler

    return wrap


def database(datasette: Any) -> Any:
    """The zebench database: the plugin setting ``database``, else the first attached database."""
    name = (datasette.plugin_config("zebench") or {}).get("database")
    try:
        return datasette.get_database(name)
    except (KeyError, IndexError):
        raise ApiError(503, "no zebench database is attached") from None


async def read(datasette: Any, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    db = database(datasette)
    try:
        return await db.execute_fn(lambda conn: fn(conn, *args, **kwargs))
    except ValueError as exc:  # e.g. an invalid cursor
        raise ApiError(400, str(exc)) from None


def _int_param(request: Any, name: str, default: int, maximum: int) -> int:
    raw = request.args.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ApiError(400, f"{name} must be an integer", [{"loc": [name], "msg": "not an integer"}]) from None
    if not 1 <= value <= maximum:
        raise ApiError(400, f"{name} must be between 1 and {maximum}", [{"loc": [name], "msg": "out of range"}])
    return value


def _page_headers(request: Any, next_cursor: str | None) -> dict[str, str]:
    if next_cursor is None:
        return {}
    args = {k: request.args.get(k) for k in request.args.keys() if k != "cursor"}
    args["cursor"] = next_cursor
    query = urlencode(args)
    return {"X-Next-Cursor": next_cursor, "Link": f'<{request.path}?{query}>; rel="next"'}


# -- reads ------------------------------------------------------------------------------------------------------


@endpoint("GET")
async def health(request: Any, datasette: Any) -> Response:
    return json_response({"status": "ok", "timestamp": utc_now()})


@endpoint("GET")
async def runs(request: Any, datasette: Any) -> Response:
    unknown = [k for k in request.args.keys() if k not in {*store.RUN_FILTERS, "since", "until", "limit", "cursor"}]
    if unknown:
        raise ApiError(400, f"unknown query parameter(s): {', '.join(unknown)}",
                       [{"loc": [k], "msg": "unknown parameter"} for k in unknown])
    filters = {k: request.args.get(k) for k in store.RUN_FILTERS if request.args.get(k)}
    rows, next_cursor = await read(
        datasette, store.query_runs, filters, since=request.args.get("since"), until=request.args.get("until"),
        limit=_int_param(request, "limit", store.DEFAULT_PAGE, store.MAX_PAGE), cursor=request.args.get("cursor"),
    )
    return json_response(rows, headers=_page_headers(request, next_cursor))


@endpoint("GET")
async def run_detail(request: Any, datasette: Any) -> Response:
    run_id = request.url_vars["run_id"]
    detail = await read(datasette, store.query_run_detail, run_id)
    if detail is None:
        raise ApiError(404, f"run {run_id} not found")
    return json_response(detail)


@endpoint("GET")
async def run_part(request: Any, datasette: Any) -> Response:
    run_id, part = request.url_vars["run_id"], request.url_vars["part"]
    if await read(datasette, store.query_run, run_id) is None:
        raise ApiError(404, f"run {run_id} not found")
    fn = {"evaluations": store.query_evaluations, "telemetry": store.query_telemetry,
          "transcript": store.query_transcript}[part]
    return json_response(await read(datasette, fn, run_id))


@endpoint("GET")
async def batches(request: Any, datasette: Any) -> Response:
    rows, next_cursor = await read(datasette, store.query_batches,
                                   limit=_int_param(request, "limit", 20, store.MAX_PAGE),
                                   cursor=request.args.get("cursor"))
    return json_response(rows, headers=_page_headers(request, next_cursor))


@endpoint("GET")
async def batch_detail(request: Any, datasette: Any) -> Response:
    batch_id = request.url_vars["batch_id"]
    unknown = [k for k in request.args.keys() if k != "runs"]
    if unknown:
        raise ApiError(400, f"unknown query parameter(s): {', '.join(unknown)}")
    limit = _int_param(request, "runs", store.BATCH_RUNS_EMBEDDED, BATCH_RUNS_MAX) if request.args.get("runs") != "0" else 0
    detail = await read(datasette, store.query_batch_detail, batch_id, limit)
    if detail is None:
        raise ApiError(404, f"batch {batch_id} not found")
    return json_response(detail)


@endpoint("GET")
async def stats(request: Any, datasette: Any) -> Response:
    return json_response(await read(datasette, store.query_stats))


async def cached_leaderboard(datasette: Any) -> list[dict[str, Any]]:
    """The leaderboard, recomputed only when runs were written since the last request (cheap version check)."""
    from .analysis import leaderboard

    version = await read(datasette, store.data_version)
    cache = getattr(datasette, "_zebench_leaderboard", None)
    if cache is None or cache[0] != version:
        cache = (version, await read(datasette, leaderboard))
        datasette._zebench_leaderboard = cache
    return cache[1]


@endpoint("GET")
async def stats_agents(request: Any, datasette: Any) -> Response:
    from .analysis import merge_leaderboard

    rows = await read(datasette, store.query_stats_agents)
    return json_response(merge_leaderboard(rows, await cached_leaderboard(datasette)))


@endpoint("GET")
async def compare_view(request: Any, datasette: Any) -> Response:
    from .analysis import compare

    base, cand = request.args.get("base"), request.args.get("cand")
    if not base or not cand:
        raise ApiError(400, "give base= and cand= (batch ids or filters like agent=echo,tier=L1)")
    try:
        alpha = float(request.args.get("alpha") or 0.05)
    except ValueError:
        raise ApiError(400, "alpha must be a number") from None
    if not 0 < alpha < 1:
        raise ApiError(400, "alpha must be between 0 and 1")
    return json_response(await read(datasette, compare, base, cand, alpha=alpha))


@endpoint("GET")
async def stats_scenarios(request: Any, datasette: Any) -> Response:
    return json_response(await read(datasette, store.query_stats_scenarios))


@endpoint("GET")
async def openapi(request: Any, datasette: Any) -> Response:
    from .openapi import openapi_document

    return json_response(openapi_document())


@endpoint("GET", "POST")
async def not_found(request: Any, datasette: Any) -> Response:
    raise ApiError(404, f"no API endpoint at {request.path}; see /api/openapi.json")


# -- writes -----------------------------------------------------------------------------------------------------


def authorize(request: Any) -> None:
    token = os.environ.get(TOKEN_ENV)
    if not token:
        raise ApiError(503, f"writes are disabled: the server has no {TOKEN_ENV} set")
    header = request.headers.get("authorization")
    if not header:
        raise ApiError(401, "missing Authorization: Bearer <token> header")
    scheme, _, given = header.partition(" ")
    if scheme.lower() != "bearer" or not secrets.compare_digest(given.strip().encode(), token.encode()):
        raise ApiError(403, "invalid token")


async def json_body(request: Any) -> Any:
    length = request.headers.get("content-length")
    if length and length.isdigit() and int(length) > MAX_BODY_BYTES:
        raise ApiError(413, f"request body larger than {MAX_BODY_BYTES} bytes")
    body = await request.post_body()
    if len(body) > MAX_BODY_BYTES:
        raise ApiError(413, f"request body larger than {MAX_BODY_BYTES} bytes")
    try:
        return json.loads(body)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ApiError(400, f"invalid JSON: {exc}") from None


def _errors(exc: ValidationError, prefix: list[Any]) -> list[dict[str, Any]]:
    return [{"loc": [*prefix, *e["loc"]], "msg": e["msg"], "type": e["type"]} for e in exc.errors()]


def validate_runs(payload: Any) -> list[RunRecord]:
    items = payload if isinstance(payload, list) else [payload]
    if not items:
        raise ApiError(422, "no run records in the body", [{"loc": [], "msg": "empty list"}])
    records, errors = [], []
    for index, item in enumerate(items):
        try:
            records.append(RunRecord.model_validate(item))
        except ValidationError as exc:
            errors += _errors(exc, [index] if isinstance(payload, list) else [])
    if errors:
        raise ApiError(422, f"{len(errors)} invalid field(s); nothing was written", errors)
    return records


async def write(datasette: Any, fn: Callable[[Any], Any]) -> Any:
    db = database(datasette)
    if not db.is_mutable:
        raise ApiError(503, "this server is read-only (started with --immutable)")

    def in_transaction(conn: Any) -> Any:
        conn.execute("SAVEPOINT zebench_api")
        try:
            result = fn(conn)
        except BaseException:
            conn.execute("ROLLBACK TO zebench_api")
            conn.execute("RELEASE zebench_api")
            raise
        conn.execute("RELEASE zebench_api")
        return result

    return await db.execute_write_fn(in_transaction, block=True)


@endpoint("POST")
async def post_results(request: Any, datasette: Any) -> Response:
    authorize(request)
    records = validate_runs(await json_body(request))
    await write(datasette, lambda conn: store.write_runs(conn, records))
    ids = [r.run_id for r in records]
    body: dict[str, Any] = {"ok": True, "success": True, "runIds": ids, "count": len(ids)}
    if len(ids) == 1:
        body["runId"] = ids[0]
    return json_response(body, status=201)


@endpoint("POST")
async def post_batch(request: Any, datasette: Any) -> Response:
    authorize(request)
    payload = await json_body(request)
    try:
        batch = BatchRecord.model_validate(payload)
    except ValidationError as exc:
        raise ApiError(422, "invalid batch; nothing was written", _errors(exc, [])) from None

    def upsert(conn: Any) -> None:
        store.write_batch(conn, batch)
        if conn.execute("SELECT 1 FROM benchmark_runs WHERE batch_id = ? LIMIT 1", (batch.batch_id,)).fetchone():
            store.refresh_batch_aggregates(conn, batch.batch_id)  # stored runs are the truth

    await write(datasette, upsert)
    return json_response({"ok": True, "success": True, "batchId": batch.batch_id}, status=201)


ROUTES: list[tuple[str, View]] = [
    (r"^/health$", health),
    (r"^/api/openapi\.json$", openapi),
    (r"^/api/runs$", runs),
    (r"^/api/runs/(?P<run_id>[^/]+)$", run_detail),
    (r"^/api/runs/(?P<run_id>[^/]+)/(?P<part>evaluations|telemetry|transcript)$", run_part),
    (r"^/api/batches$", batches),
    (r"^/api/batches/(?P<batch_id>[^/]+)$", batch_detail),
    (r"^/api/stats$", stats),
    (r"^/api/stats/agents$", stats_agents),
    (r"^/api/stats/scenarios$", stats_scenarios),
    (r"^/api/compare$", compare_view),
    (r"^/api/results$", post_results),
    (r"^/api/results/batch$", post_batch),
    (r"^/api(/.*)?$", not_found),
]


@hookimpl
def register_routes() -> list[tuple[str, View]]:
    return ROUTES


@hookimpl
def skip_csrf(scope: dict[str, Any]) -> bool:
    # Token-authenticated JSON API: CSRF tokens do not apply (and would turn a 401 into a form error).
    return scope.get("path", "").startswith("/api")
