"""The Datasette plugin (registered through the ``datasette`` entry point): the JSON API's routes, CSRF exemption
for the token-authenticated API, and limits on what Datasette's anonymous SQL pages may cost.

Routes: the seed's read paths in the original project's shapes (original.py), zebench's richer shapes under
/api/v2 (v2.py), the writes (writes.py), /api/openapi.json and a JSON 404 for any other /api path (the report
site at /-/site/ is zebench.site.serving's, a plugin of its own). Reads run the
store's query functions on Datasette's read connections; writes run on Datasette's single write thread, one
transaction per request (http.py). Every /api response is JSON with CORS headers; errors are
``{"ok": false, "error", "errors", "status"}``.

Limits on the SQL pages (``/<db>?sql=...``, table and canned-query pages): Datasette 0.65 stops a query after
``sql_time_limit_ms`` with a progress handler, which cannot stop one long operation (``randomblob(300000000)``
is a single step, and so is ``instr`` over two MB strings: 26 s) and does not bound what the rows hold. So each
connection Datasette opens gets SQLite limits (a value at most SQL_VALUE_MAX, at most SQL_COLUMNS_MAX columns: every
SQL function that makes text or blobs fails fast beyond them; LIKE and GLOB patterns at most SQL_PATTERN_MAX
long, which bounds their cost per row), linear versions of the built-ins whose cost SQLite lets grow with the
product of two argument lengths (``instr``, ``replace``, ``trim``, ``ltrim``, ``rtrim``: sqlfunctions.py), and a
row factory that stops a query once its rows hold more than SQL_RESPONSE_MAX bytes. The API's own reads run on
their own connections and threads (http.read), so they never wait behind anonymous queries; its writes lift the
value limit for their duration (http._as_store).
"""

from __future__ import annotations

import re
import sqlite3
import weakref
from pathlib import Path
from typing import Any

from datasette import hookimpl
from datasette.utils.asgi import Response

from . import original, sqlfunctions, v2, writes
from .http import ApiError, endpoint, json_response

#: The longest text or blob a query on Datasette's SQL pages may make or read (SQLITE_LIMIT_LENGTH). The store's
#: values are far smaller (patches at most 64 KiB a file, tool outputs 16 KiB); the API reads without this limit.
SQL_VALUE_MAX = 1024 * 1024
#: The longest LIKE or GLOB pattern there (SQLITE_LIMIT_LIKE_PATTERN_LENGTH; default 50,000): a pattern costs up to
#: its length times the value's per row (`x LIKE '%<1,000 chars>%'` over 2 MB took 7 s in one step).
SQL_PATTERN_MAX = 100
#: The most columns a query there may return (SQLITE_LIMIT_COLUMN; zebench's widest table has under 30). With
#: SQL_VALUE_MAX it bounds one row at 128 MB (the row is held twice while Python copies it out of SQLite).
SQL_COLUMNS_MAX = 64
#: The most bytes of text and blobs the rows of one query there may hold (the SQLITE_LIMIT_LENGTH of one value
#: times the columns would be gigabytes).
SQL_RESPONSE_MAX = 32 * 1024 * 1024

_bytes_read: weakref.WeakKeyDictionary[sqlite3.Cursor, int] = weakref.WeakKeyDictionary()


def _budgeted_row(cursor: sqlite3.Cursor, row: tuple[Any, ...]) -> sqlite3.Row:
    """Datasette's row type, counting the bytes each query's rows hold and stopping the query past the budget
    (Datasette reports the sqlite3 error as a query error, as it does a timeout)."""
    size = sum(len(v) for v in row if isinstance(v, (str, bytes))) + 8 * len(row)
    total = _bytes_read.get(cursor, 0) + size
    if total > SQL_RESPONSE_MAX:
        _bytes_read.pop(cursor, None)
        raise sqlite3.OperationalError(
            f"query result larger than {SQL_RESPONSE_MAX // (1024 * 1024)} MB: add a LIMIT or select fewer or "
            "smaller columns"
        )
    _bytes_read[cursor] = total
    return sqlite3.Row(cursor, row)


@hookimpl  # type: ignore[untyped-decorator]  # pluggy's decorator is untyped
def prepare_connection(conn: sqlite3.Connection, database: str, datasette: Any) -> None:
    conn.setlimit(sqlite3.SQLITE_LIMIT_LENGTH, SQL_VALUE_MAX)
    conn.setlimit(sqlite3.SQLITE_LIMIT_COLUMN, SQL_COLUMNS_MAX)
    conn.setlimit(sqlite3.SQLITE_LIMIT_LIKE_PATTERN_LENGTH, SQL_PATTERN_MAX)
    sqlfunctions.install(conn, SQL_VALUE_MAX)
    conn.row_factory = _budgeted_row


@endpoint("GET")
async def openapi(request: Any, datasette: Any) -> Response:
    from ..models.openapi import openapi_document

    return json_response(openapi_document())


@endpoint("GET", "POST")
async def not_found(request: Any, datasette: Any) -> Response:
    hint = ""
    if not request.path.startswith(v2.PREFIX):
        hint = f"; zebench's richer shapes (compare, transcripts, per-scenario statistics) are under {v2.PREFIX}"
    raise ApiError(404, f"no API endpoint at {request.path}{hint}; see /api/openapi.json")


async def databases(request: Any, datasette: Any) -> Response:
    """Datasette's /-/databases.json without the files' absolute paths (only their names): public pages must not
    show where the server keeps its files."""
    rows = [
        {
            "name": db.name,
            "route": db.route,
            "path": Path(db.path).name if db.path else None,
            "size": db.size,
            "is_mutable": db.is_mutable,
            "is_memory": db.is_memory,
            "hash": db.hash,
        }
        for db in datasette.databases.values()
        if db.name != "_internal"
    ]
    return Response.json(rows)


async def metadata(request: Any, datasette: Any) -> Response:
    """Datasette's /-/metadata.json without the site folder's absolute path (zebench serve --site DIR): its name
    only, as /-/databases.json gives the database's."""
    from ..isolation.redact import public_path

    data = datasette.metadata()
    plugin = dict((data.get("plugins") or {}).get("zebench") or {})
    if plugin.get("site"):
        plugin["site"] = public_path(str(plugin["site"]))
        data = {**data, "plugins": {**data["plugins"], "zebench": plugin}}
    return Response.json(data)


def routes() -> list[tuple[str, Any]]:
    """Every route of the API, read when Datasette starts (a route added to a module's ROUTES is served), the catch-all
    404 of /api last."""
    return [
        (r"^/-/databases(\.json)?$", databases),
        (r"^/-/metadata(\.json)?$", metadata),
        (r"^/api/openapi\.json$", openapi),
        *original.ROUTES,
        *v2.ROUTES,
        *writes.ROUTES,
        (r"^/api(/.*)?$", not_found),
    ]


#: Route groups with parameters, as the OpenAPI document spells them: a named group becomes {camelCaseName}; a group
#: of literal alternatives (evaluations|telemetry|transcript) one path per alternative.
_GROUP = re.compile(r"\(\?P<(?P<name>\w+)>(?P<body>[^)]*)\)")


def documented_paths(pattern: str) -> list[str]:
    """The OpenAPI paths a route's pattern serves (``^/api/runs/(?P<run_id>[^/]+)$``: ``/api/runs/{runId}``)."""
    path = pattern.removeprefix("^").removesuffix("$").replace("\\.", ".")
    paths = [path]
    for group in _GROUP.finditer(path):
        body = group["body"]
        if re.fullmatch(r"[\w-]+(\|[\w-]+)*", body):
            choices = body.split("|")
        else:
            head, *rest = group["name"].split("_")
            choices = ["{" + head + "".join(w.title() for w in rest) + "}"]
        paths = [p.replace(group[0], choice, 1) for p in paths for choice in choices]
    return paths


def undocumented_routes() -> list[str]:
    """The API's routes with a path the OpenAPI document lacks (Datasette's own pages and the 404 aside)."""
    from ..models.openapi import openapi_document

    documented = set(openapi_document()["paths"])
    own = {r"^/-/databases(\.json)?$", r"^/-/metadata(\.json)?$", r"^/api/openapi\.json$", r"^/api(/.*)?$"}
    return [
        pattern for pattern, _ in routes() if pattern not in own and not set(documented_paths(pattern)) <= documented
    ]


@hookimpl  # type: ignore[untyped-decorator]  # pluggy's decorator is untyped
def register_routes() -> list[tuple[str, Any]]:
    return routes()


@hookimpl  # type: ignore[untyped-decorator]  # pluggy's decorator is untyped
def startup(datasette: Any) -> None:
    """Datasette's default error handler prints every error, a client's bad query included (over the time limit,
    a value too big), as a rich traceback with its locals: seconds of CPU holding the GIL per request (four
    anonymous queries over the time limit took 12 s instead of 3 and slowed every other request). Without rich
    there, a client's error prints nothing and a bug still prints its plain traceback."""
    import datasette.handle_exception as default_handler

    default_handler.rich = None


@hookimpl  # type: ignore[untyped-decorator]  # pluggy's decorator is untyped
def skip_csrf(scope: dict[str, Any]) -> bool:
    # Token-authenticated JSON API: CSRF tokens do not apply (and would turn a 401 into a form error).
    return bool(scope.get("path", "").startswith("/api"))
