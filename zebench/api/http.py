"""What every /api route shares: JSON responses with CORS headers, errors, the database, reads and writes on
Datasette's connections, the write token, request bodies and query parameters."""

from __future__ import annotations

import asyncio
import json
import secrets
import sqlite3
import threading
import traceback
import weakref
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any
from urllib.parse import urlencode

from datasette.utils.asgi import Response

from .. import store
from ..constants import DEV_LOCAL_KEY, SERVER_TOKEN_ENVS, server_token
from ..models import jsonsafe, utc_now
from ..store import prepare_writes, savepoint

#: Largest request body accepted by POST endpoints (413 above).
MAX_BODY_BYTES = 10 * 1024 * 1024
CORS_HEADERS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Allow-Methods": "GET, POST, OPTIONS",
    "Access-Control-Allow-Headers": "Authorization, Content-Type",
    "Access-Control-Max-Age": "86400",
}
#: The SQLite limit the API's own reads and writes run with: Datasette's SQL pages get lower ones
#: (plugin.prepare_connection); the store's values are bounded by MAX_BODY_BYTES.
STORE_VALUE_MAX = 64 * 1024 * 1024

View = Callable[..., Awaitable[Response]]


class ApiError(Exception):
    def __init__(self, status: int, error: str, errors: list[Any] | None = None):
        super().__init__(error)
        self.status, self.error, self.errors = status, error, errors or []


def json_response(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(
        json_bytes(body),
        status=status,
        headers={**CORS_HEADERS, **(headers or {})},
        content_type="application/json; charset=utf-8",
    )


def json_bytes(body: Any) -> bytes:
    return json.dumps(body, ensure_ascii=False, separators=(",", ":"), default=str).encode()


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


def _as_store(conn: sqlite3.Connection, fn: Callable[[sqlite3.Connection], Any]) -> Any:
    """Run a store function on a connection with the store's settings: plain tuples (not the byte-counting rows
    of the SQL pages) and the store's value size limit; the connection's own are put back after. (The write
    connection keeps the SQL pages' linear instr/replace/trim: they give the built-ins' results.)"""
    factory, limit = conn.row_factory, conn.getlimit(sqlite3.SQLITE_LIMIT_LENGTH)
    conn.row_factory = None
    conn.setlimit(sqlite3.SQLITE_LIMIT_LENGTH, STORE_VALUE_MAX)
    try:
        return fn(conn)
    finally:
        conn.row_factory = factory
        conn.setlimit(sqlite3.SQLITE_LIMIT_LENGTH, limit)


#: Threads of the API's own reads: separate from Datasette's (num_sql_threads, 3), which anonymous SQL pages can
#: keep busy up to the time limit each, so that the API answers while they run.
API_READ_THREADS = 4
_read_pool: ThreadPoolExecutor | None = None
_read_connections = threading.local()


def _read_executor() -> ThreadPoolExecutor:
    global _read_pool
    if _read_pool is None:
        _read_pool = ThreadPoolExecutor(max_workers=API_READ_THREADS, thread_name_prefix="zebench-api-read")
    return _read_pool


def _api_connection(db: Any) -> sqlite3.Connection:
    """This thread's read connection to ``db``, opened by Datasette (read-only, or immutable) but without the SQL
    pages' limits and functions (prepare_connection is not applied); dropped with the database object."""
    connections: weakref.WeakKeyDictionary[Any, sqlite3.Connection] | None = getattr(_read_connections, "by_db", None)
    if connections is None:
        connections = _read_connections.by_db = weakref.WeakKeyDictionary()
    conn = connections.get(db)
    if conn is None:
        conn = connections[db] = db.connect()
    return conn


async def read(datasette: Any, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """Run a store query for the API: on the API's own threads and connections (never queued behind Datasette's
    anonymous SQL pages), or, for an in-memory database or Datasette without threads, on Datasette's."""
    db = database(datasette)

    def call(conn: sqlite3.Connection) -> Any:
        return _as_store(conn, lambda c: fn(c, *args, **kwargs))

    try:
        if db.is_memory or datasette.executor is None:
            return await db.execute_fn(call)
        return await asyncio.get_running_loop().run_in_executor(_read_executor(), lambda: call(_api_connection(db)))
    except ValueError as exc:  # e.g. an invalid cursor
        raise ApiError(400, str(exc)) from None


class ResponseCache:
    """The bodies of reads that aggregate or answer thousands of runs (statistics, a batch, the original's bulk
    lists), kept until the database changes: each is keyed by its path and parameters and by the connection's
    change version (store.change_version: any commit by the writer changes it), so a body is served again only while
    nothing was written. Least recently used first out, within ENTRIES and BYTES."""

    ENTRIES = 256
    BYTES = 128 * 1024 * 1024
    #: A body larger than this is not kept.
    ENTRY_MAX = 16 * 1024 * 1024

    def __init__(self) -> None:
        self.bodies: OrderedDict[tuple[Any, ...], bytes] = OrderedDict()
        self.size = 0
        self.lock = threading.Lock()  # Datasette reads on several threads

    def get(self, key: tuple[Any, ...]) -> bytes | None:
        with self.lock:
            body = self.bodies.get(key)
            if body is not None:
                self.bodies.move_to_end(key)
            return body

    def put(self, key: tuple[Any, ...], body: bytes) -> None:
        if len(body) > self.ENTRY_MAX:
            return
        with self.lock:
            old = self.bodies.pop(key, None)
            self.size += len(body) - (len(old) if old is not None else 0)
            self.bodies[key] = body
            while len(self.bodies) > self.ENTRIES or self.size > self.BYTES:
                _, dropped = self.bodies.popitem(last=False)
                self.size -= len(dropped)


def _response_cache(datasette: Any) -> ResponseCache:
    cache = getattr(datasette, "_zebench_responses", None)
    if cache is None:
        cache = datasette._zebench_responses = ResponseCache()
    return cache


async def cached_read(
    datasette: Any, key: tuple[Any, ...], fn: Callable[..., Any], *args: Any, **kwargs: Any
) -> bytes | None:
    """``fn(conn, *args, **kwargs)`` as a JSON body, from the ResponseCache while the database has not changed
    (computed and checked on the same connection, so a body is never older than the version it is kept under).
    None when ``fn`` gives None (not found: not kept)."""
    cache = _response_cache(datasette)

    def body(conn: sqlite3.Connection) -> bytes | None:
        version = store.change_version(conn)
        found = cache.get((*key, version))
        if found is not None:
            return found
        value = fn(conn, *args, **kwargs)
        if value is None:
            return None
        made = json_bytes(value)
        cache.put((*key, version), made)
        return made

    made: bytes | None = await read(datasette, body)
    return made


def body_response(body: bytes, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    """A JSON body already encoded (cached_read)."""
    return Response(
        body,
        status=status,
        headers={**CORS_HEADERS, **(headers or {})},
        content_type="application/json; charset=utf-8",
    )


async def write(datasette: Any, fn: Callable[[sqlite3.Connection], Any]) -> Any:
    """Run ``fn`` on Datasette's write connection in one transaction (a savepoint: rolled back on any error)."""
    db = database(datasette)
    if not db.is_mutable:
        raise ApiError(503, "this server is read-only (started with --immutable)")

    def in_transaction(conn: sqlite3.Connection) -> Any:
        prepare_writes(conn)  # before the savepoint: a setting of the connection
        with savepoint(conn, "zebench_api"):
            return fn(conn)

    return await db.execute_write_fn(lambda conn: _as_store(conn, in_transaction), block=True)


def write_token(datasette: Any) -> tuple[str | None, bool]:
    """The token writes need, and whether it is the original's local development key: the configured one
    (constants.server_token), else ``dev-local-key`` when the plugin setting ``loopback`` says the server listens
    on loopback only (``zebench serve`` sets it from --host), else None (writes refused)."""
    token = server_token()
    if token is not None:
        return token, False
    if (datasette.plugin_config("zebench") or {}).get("loopback") is True:
        return DEV_LOCAL_KEY, True
    return None, False


def authorize(request: Any, datasette: Any) -> None:
    token, _ = write_token(datasette)
    if not token:
        raise ApiError(
            503,
            f"writes are disabled: the server has no {', '.join(SERVER_TOKEN_ENVS[:-1])} or {SERVER_TOKEN_ENVS[-1]} "
            "set (a server on loopback accepts the original's local key dev-local-key without one)",
        )
    header = request.headers.get("authorization")
    if not header:
        raise ApiError(401, "missing Authorization: Bearer <token> header")
    scheme, _, given = header.partition(" ")
    if scheme.lower() != "bearer" or not secrets.compare_digest(
        given.strip().encode("utf-8", "replace"), token.encode()
    ):
        raise ApiError(403, "invalid token")


async def json_body(request: Any) -> Any:
    """The request body as JSON: 413 when larger than MAX_BODY_BYTES, 400 when not JSON or nested deeper than
    jsonsafe.MAX_DEPTH (checked before parsing, so deep nesting never reaches a recursive decoder), 422 naming
    each value SQLite cannot store (integers beyond 64 bits, NaN, Infinity, lone surrogates)."""
    length = request.headers.get("content-length")
    if length and length.isdigit() and int(length) > MAX_BODY_BYTES:
        raise ApiError(413, f"request body larger than {MAX_BODY_BYTES} bytes")
    body = await request.post_body()
    if len(body) > MAX_BODY_BYTES:
        raise ApiError(413, f"request body larger than {MAX_BODY_BYTES} bytes")
    try:
        return jsonsafe.loads(body)
    except jsonsafe.UnstorableJson as exc:
        errors = [{"loc": list(loc), "msg": msg, "type": "unstorable_value"} for loc, msg in exc.problems]
        raise ApiError(422, f"{exc}; nothing was written", errors) from None
    except jsonsafe.JsonLimitError as exc:
        raise ApiError(
            400, f"{exc}; nothing was written", [{"loc": [], "msg": str(exc), "type": "json_depth"}]
        ) from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ApiError(400, f"invalid JSON: {exc}") from None


def text_param(request: Any, name: str) -> str | None:
    """A query parameter as text; None when absent or empty. Text SQLite cannot encode (a lone surrogate) is a 400
    naming the parameter."""
    value = request.args.get(name)
    if not value:
        return None
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ApiError(400, f"{name} is not valid Unicode", [{"loc": [name], "msg": "lone surrogate"}]) from None
    return str(value)


def path_param(request: Any, name: str) -> str:
    value = str(request.url_vars[name])
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ApiError(400, f"{name} is not valid Unicode", [{"loc": [name], "msg": "lone surrogate"}]) from None
    return value


def strict_int_param(request: Any, name: str, default: int, maximum: int, minimum: int = 1) -> int:
    """An integer parameter in [minimum, maximum]; anything else is a 400 (the v2 paths' strictness)."""
    raw = request.args.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ApiError(400, f"{name} must be an integer", [{"loc": [name], "msg": "not an integer"}]) from None
    if not minimum <= value <= maximum:
        raise ApiError(400, f"{name} must be between {minimum} and {maximum}", [{"loc": [name], "msg": "out of range"}])
    return value


def page_headers(request: Any, next_cursor: str | None) -> dict[str, str]:
    if next_cursor is None:
        return {}
    args = {k: request.args.get(k) for k in request.args.keys() if k != "cursor"}
    args["cursor"] = next_cursor
    query = urlencode(args)
    return {"X-Next-Cursor": next_cursor, "Link": f'<{request.path}?{query}>; rel="next"'}


def health_body() -> dict[str, str]:
    return {"status": "ok", "timestamp": utc_now()}
