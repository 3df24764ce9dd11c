"""The report site served live beside the API (``zebench serve --site DIR``): a Datasette plugin of its own
(registered through the ``datasette`` entry point as ``zebench_site``), so that the JSON API knows nothing of the
site. Files are served with the static host's headers (the Content-Security-Policy included), and
``data/live.js`` tells the pages where the live API is."""

from __future__ import annotations

import asyncio
import fnmatch
import mimetypes
from pathlib import Path
from typing import Any

from datasette import hookimpl
from datasette.utils.asgi import Response

from ..constants import SITE_PREFIX
from .builder import HEADERS, data_script

#: The site's data/live.js when served live: where the API is, relative to the site's root folder, and how often
#: the pages poll it (views.js); a built site's own data/live.js says null.
LIVE_API_FROM_SITE = "../../api/v2"
LIVE_POLL_MS = 3000


async def site(request: Any, send: Any, datasette: Any) -> None:
    """The built report site beside the API (``zebench serve --site DIR``), with the static host's headers (the
    Content-Security-Policy included); ``data/live.js`` tells its pages where the live API is."""
    from datasette.utils.asgi import asgi_send, asgi_send_file

    folder = (datasette.plugin_config("zebench") or {}).get("site")
    rel = request.url_vars.get("path") or ""
    headers = {
        k: v
        for pattern, values in HEADERS.items()
        if fnmatch.fnmatch("/" + rel, pattern)
        for k, v in values.items()
        if k not in ("Content-Type", "Cache-Control")
    }
    headers["Cache-Control"] = "no-cache"  # a rebuild replaces files in place
    if not folder:
        await asgi_send(
            send, "404: no site is served (zebench serve --site DIR)", 404, headers, "text/plain; charset=utf-8"
        )
        return
    if rel == "data/live.js":
        body = data_script("live", {"api": LIVE_API_FROM_SITE, "interval": LIVE_POLL_MS})
        await asgi_send(send, body, 200, headers, "text/javascript; charset=utf-8")
        return
    path = await asyncio.to_thread(_site_file, Path(folder), rel or "index.html")  # stat calls: off the loop
    if path is None:
        await asgi_send(send, "404: not in the site", 404, headers, "text/plain; charset=utf-8")
        return
    content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    if content_type.startswith("text/") or content_type in ("application/javascript", "application/json"):
        content_type += "; charset=utf-8"
    await asgi_send_file(send, str(path), content_type=content_type, headers=headers)


def _site_file(folder: Path, rel: str) -> Path | None:
    """The file at ``rel`` in the site folder; None for anything else (outside it, a folder, a hidden file)."""
    root = folder.resolve()
    path = (root / rel).resolve()
    if not path.is_relative_to(root) or not path.is_file():
        return None
    if any(part.startswith(".") for part in path.relative_to(root).parts):
        return None
    return path


async def site_root(request: Any, datasette: Any) -> Response:
    return Response.redirect(SITE_PREFIX)


ROUTES: list[tuple[str, Any]] = [
    (r"^/-/site$", site_root),
    (r"^/-/site/(?P<path>.*)$", site),
]
#: With a site served, ``/`` leads to the report (Datasette's index stays at /.json; the database's own page,
#: /<db>, lists its tables). A plugin's routes come before Datasette's, so this one wins over the index.
ROOT_TO_SITE: tuple[str, Any] = (r"^/$", site_root)


@hookimpl  # type: ignore[untyped-decorator]  # pluggy's decorator is untyped
def register_routes(datasette: Any) -> list[tuple[str, Any]]:
    served = (datasette.plugin_config("zebench") or {}).get("site")
    return [*ROUTES, ROOT_TO_SITE] if served else ROUTES
