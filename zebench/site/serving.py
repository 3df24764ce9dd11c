"""The report site served live beside the API (``zebench serve --site DIR``): a Datasette plugin of its own
(registered through the ``datasette`` entry point as ``zebench_site``), so that the JSON API knows nothing of the
site. Files are served with the static host's headers (the Content-Security-Policy included), and
``data/live.js`` tells the pages where the live API is.

Live, the site follows the database (:class:`LiveSite`): a page is built (incrementally) before it is served when
the database changed since the last build, so every figure of a served page comes from the data as it was when
the page was asked for (a batch started since has its page at once); the site folder is rebuilt when a batch
starts or finishes, and otherwise every LIVE_REBUILD_SECONDS at most while runs come in, whether or not anyone
reads it. The pages poll the API and fetch themselves again when their snapshot is behind (views.js)."""

from __future__ import annotations

import asyncio
import fnmatch
import itertools
import mimetypes
import sys
import threading
import time
import weakref
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from datasette import hookimpl
from datasette.utils.asgi import Response

from .. import store
from ..constants import SITE_PREFIX, plural
from .builder import HEADERS, STATE_FILE, BuildReport, SiteError, State, build_site, data_script
from .pages import LIVE_BATCHES

#: The site's data/live.js when served live: where the API is, relative to the site's root folder, how often
#: the pages poll it (views.js) and how many batches a page's snapshot holds; a built site's own data/live.js
#: says null.
LIVE_API_FROM_SITE = "../../api/v2"
LIVE_POLL_MS = 3000
#: How often the server looks at the database for changes (a cheap query), and the longest the site folder lags
#: behind it while runs come in (at least three times the last build's time: builds never take a core).
LIVE_WATCH_SECONDS = 1.0
LIVE_REBUILD_SECONDS = 10.0


class LiveSite:
    """A built site kept current with its database. Builds and database checks run one at a time on a thread of
    their own (never on the event loop); a page asked for while a build runs waits for it, then for one more only
    if the database changed since that build began."""

    def __init__(self, db_path: Path, out: Path, *, say: Any = None) -> None:
        self.db_path, self.out = db_path, out
        self.say = say or (lambda line: print(line, file=sys.stderr, flush=True))
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="zebench-site")
        self._ticks = itertools.count(1)
        self._built_tick = 0  # when (in ticks) the last build began
        self._last_end = 0.0
        self._last_seconds = 0.0
        self._reader: store.ReadOnlyStore | None = None
        #: store.data_version of the data the site was last built from (the previous build's, from its state).
        self.built: tuple[Any, ...] | None = _state_version(out)
        self.builds = 0
        self.watcher: asyncio.Task[None] | None = None
        self.stopped = threading.Event()

    # -- on the site's thread ----------------------------------------------------------------------------------

    def version(self) -> tuple[Any, ...]:
        if self._reader is None:  # made on the site's thread, which is the only one using it
            self._reader = store.ReadOnlyStore(self.db_path)
        return tuple(store.data_version(self._reader.conn))

    def build(self, why: str | None = None) -> BuildReport:
        """An incremental build; ``why``: a line says so (builds for a page asked for are quiet)."""
        self._built_tick = next(self._ticks)
        started = time.monotonic()
        try:
            report = build_site(self.db_path, self.out)
        finally:
            self._last_end = time.monotonic()
            self._last_seconds = self._last_end - started
        self.builds += 1
        if report.data_version is not None:
            self.built = tuple(report.data_version)
        if why:
            self.say(
                f"Report site rebuilt ({why}): {plural(len(report.written), 'file')} written, "
                f"{report.unchanged:,} unchanged ({report.seconds:.1f} s)"
            )
        return report

    def tick(self) -> int:
        """Now, in the order builds and requests are compared in (a request's tick, then ``fresh(tick)``)."""
        return next(self._ticks)

    def fresh(self, asked: int) -> None:
        """The site reflects the database as it was at tick ``asked`` (when a page was asked for)."""
        if self._built_tick > asked:  # a build that began after the request has finished
            return
        if self.version() != self.built:
            self.build()

    def check(self) -> None:
        """The watcher's look at the database: rebuild at once when a batch started or finished, else when the
        data changed and the site is LIVE_REBUILD_SECONDS (or three builds' time) old."""
        version = self.version()
        if version == self.built:
            return
        if self.built is None or version[-1] != self.built[-1]:
            self.build("a batch started or finished" if self.built is not None else "the database changed")
        elif time.monotonic() - self._last_end >= max(LIVE_REBUILD_SECONDS, 3 * self._last_seconds):
            self.build("runs came in")

    # -- from the event loop -----------------------------------------------------------------------------------

    async def ensure_fresh(self) -> None:
        """Return once the site reflects the database as of this call (building it first if needed)."""
        asked = self.tick()
        await asyncio.get_running_loop().run_in_executor(self._thread, self.fresh, asked)

    async def watch(self) -> None:
        """Look at the database every LIVE_WATCH_SECONDS until the server stops; a failed build is said, and the
        site keeps its files."""
        loop = asyncio.get_running_loop()
        while not self.stopped.is_set():
            try:
                await loop.run_in_executor(self._thread, self.check)
            except Exception as exc:  # the server goes on serving the site as it is; the next look tries again
                self.say(f"warning: the report site could not be rebuilt: {type(exc).__name__}: {exc}")
            await asyncio.sleep(LIVE_WATCH_SECONDS)

    def close(self) -> None:
        self.stopped.set()
        if self.watcher is not None:
            self.watcher.cancel()
        self._thread.shutdown(wait=True, cancel_futures=True)
        if self._reader is not None:
            self._reader.close()


def _state_version(out: Path) -> tuple[Any, ...] | None:
    version = State.load(out / STATE_FILE).data_version
    return tuple(version) if version is not None else None


#: The live site of each Datasette instance that serves one.
_LIVE: weakref.WeakKeyDictionary[Any, LiveSite] = weakref.WeakKeyDictionary()


def live_site(datasette: Any) -> LiveSite | None:
    """The LiveSite of a server started with ``--site`` (None without a site, or serving a fixed database)."""
    config = datasette.plugin_config("zebench") or {}
    folder = config.get("site")
    if not folder:
        return None
    live = _LIVE.get(datasette)
    if live is None:
        database = datasette.get_database(config.get("database"))
        live = _LIVE[datasette] = LiveSite(Path(database.path), Path(folder))
    return live


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
        body = data_script("live", {"api": LIVE_API_FROM_SITE, "interval": LIVE_POLL_MS, "batches": LIVE_BATCHES})
        await asgi_send(send, body, 200, headers, "text/javascript; charset=utf-8")
        return
    live = live_site(datasette)
    if live is not None and (not rel or rel.endswith(".html")):
        try:  # a page shows the data as it is now: built first when the database changed since the last build
            await live.ensure_fresh()
        except (SiteError, store.NotReadable, OSError) as exc:
            live.say(f"warning: the report site could not be rebuilt: {exc}")  # its files as they are
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
def startup(datasette: Any) -> Any:
    """With a site served, start watching the database (on the server's loop: at start-up under uvicorn)."""
    live = live_site(datasette)
    if live is None:
        return None

    async def start() -> None:
        if live.watcher is None or live.watcher.done():
            live.watcher = asyncio.get_running_loop().create_task(live.watch())

    return start


@hookimpl  # type: ignore[untyped-decorator]  # pluggy's decorator is untyped
def register_routes(datasette: Any) -> list[tuple[str, Any]]:
    served = (datasette.plugin_config("zebench") or {}).get("site")
    return [*ROUTES, ROOT_TO_SITE] if served else ROUTES
