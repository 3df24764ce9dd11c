"""``zebench build-site``: the static report site and the static JSON mirror of the API.

Everything is read through the store's (and analysis') query functions, the same ones the live API serves, so
the site's numbers and the API's agree. Layout of the output folder:

- ``*.html`` pages rendered with Jinja2 (autoescaped) from site_templates/; charts are Vega-Lite specs from
  Altair, embedded as JSON and drawn by a local copy of the Vega bundle (``assets/``, content-hashed names);
- ``batches/<batch>.html``: one page per batch; ``downloads/<batch>.csv.gz|.json.gz``: its runs;
- ``data/*.js``: data for the pages that work in the browser (runs table, run view, compare). They are scripts,
  not JSON, because a page opened from file:// may load scripts but not fetch files;
- ``api/``: the API mirror in the live API's shapes: the original project's at ``api/`` (its lists and statistics;
  a batch with every run and the per-run paths stay live-only), zebench's at ``api/v2/`` (see docs/deploy.md).

Runs are grouped into chunks by row id (ids only grow), so an incremental build rewrites the chunks that
changed and the pages that aggregate; ``.zebench-build.json`` records what each unit was built from.
"""

from __future__ import annotations

import base64
import csv
import functools
import gzip
import hashlib
import io
import json
import re
import sqlite3
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from typing import Any

from .. import store
from ..constants import zebench_version
from ..models.shapes import BatchRowDict, RunDetailDict
from ..report import analysis
from ..store import NotReadable, open_for_reading
from . import pages
from .pages import SiteData, batch_page, item_rows

#: Run details (with transcripts) per chunk file: data/runs/<n>.js and api/v2/runs/detail/<n>.json.
DETAIL_CHUNK = 100
#: /api/v2/runs rows per page file: api/v2/runs/pages/<n>.json.
PAGE_CHUNK = 1000
#: Compact rows of the runs table per file: data/runs-index/<n>.js.
INDEX_CHUNK = 5000
#: Text in a run view is cut to this many characters (a transcript of a real agent can be megabytes); the full
#: text stays in the database and the live API. Cut fields are marked with the "[cut: N characters]" suffix.
TEXT_LIMIT = 4000
PATCH_LIMIT = 20000
STATE_FILE = ".zebench-build.json"
STATE_FORMAT = 1

#: The Content-Security-Policy every page satisfies (also in netlify.toml and the generated _headers; a test
#: checks they agree). Vega draws with its expression interpreter (no eval); vega-embed sets inline styles.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'none'"
)
#: The same policy in each page's <meta> element (browsers ignore frame-ancestors there and log an error).
META_CONTENT_SECURITY_POLICY = CONTENT_SECURITY_POLICY.replace("; frame-ancestors 'none'", "")
#: Static-host headers: long caching for content-hashed assets (other files keep the host's default, which
#: revalidates; a Cache-Control on /* would be combined with the assets' one).
HEADERS = {
    "/*": {
        "X-Content-Type-Options": "nosniff",
        "Content-Security-Policy": CONTENT_SECURITY_POLICY,
        "Referrer-Policy": "no-referrer",
        "X-Frame-Options": "DENY",
    },
    "/assets/*": {"Cache-Control": "public, max-age=31536000, immutable"},
    "/api/*": {"Access-Control-Allow-Origin": "*", "Content-Type": "application/json; charset=utf-8"},
}
#: Rewrites from the live API's paths to the mirror's files (status 200, not forced: files win).
REWRITES = [
    ("/api/runs", "/api/runs/latest.json"),
    ("/api/batches", "/api/batches/index.json"),
    ("/api/stats", "/api/stats.json"),
    ("/api/stats/agents", "/api/stats/agents.json"),
    ("/api/v2/runs", "/api/v2/runs/latest.json"),
    ("/api/v2/batches", "/api/v2/batches/index.json"),
    ("/api/v2/batches/:id", "/api/v2/batches/:id.json"),
    ("/api/v2/stats", "/api/v2/stats.json"),
    ("/api/v2/stats/agents", "/api/v2/stats/agents.json"),
    ("/api/v2/stats/scenarios", "/api/v2/stats/scenarios.json"),
]
#: Runs in the original-shaped api/runs/latest.json: the most its dashboard asks for (/api/runs?limit=10000); a
#: static file cannot honour ?limit=, so it holds the newest this many.
ORIGINAL_RUNS_MIRRORED = 10_000

_SAFE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,100}$")
#: Names the site uses itself in the folders batch files go to (api/batches/index.json is the batch list).
_RESERVED_NAMES = {"index"}


def navigation() -> list[tuple[str, str]]:
    """The pages the navigation lists (site/pages.py), in order: file and title."""
    return [(p.file, p.title) for p in pages.ALL_PAGES if p.nav]


def file_name(identifier: str, *, plain: bool = True) -> str:
    """A batch id as a file name: itself when it is plainly safe (and ``plain``), else a slug, "~" and a hash of
    the id. "~" never occurs in a plain name, so the two kinds cannot collide."""
    if (
        plain
        and _SAFE_NAME.match(identifier)
        and identifier.lower() not in _RESERVED_NAMES
        and not identifier.endswith((".json", ".html", ".csv", ".js", ".gz"))
    ):
        return identifier
    slug = re.sub(r"[^A-Za-z0-9._-]+", "-", identifier).strip("-.")[:60] or "batch"
    return f"{slug}~{hashlib.sha256(identifier.encode()).hexdigest()[:10]}"


def batch_file_names(batch_ids: list[str]) -> dict[str, str]:
    """File names for all batches: plain where possible; ids whose plain names differ only in case get hashed
    names (a site opened from a case-insensitive disk would mix them up otherwise)."""
    by_folded: dict[str, list[str]] = {}
    for batch_id in batch_ids:
        by_folded.setdefault(file_name(batch_id).lower(), []).append(batch_id)
    return {b: file_name(b, plain=len(group) == 1) for group in by_folded.values() for b in group}


def run_view(run_id: str, row_id: int) -> str:
    """A run's page in a site, relative to the site's folder: the run view with the chunk of its details."""
    from urllib.parse import quote

    return f"run.html?id={quote(run_id, safe='')}&c={row_id // DETAIL_CHUNK}"


def built_runs(out: Path) -> int | None:
    """The newest run row id the site in ``out`` was built with (runs up to it are in it; None: no site there)."""
    version = State.load(out / STATE_FILE).data_version
    return int(version[0]) if version and isinstance(version[0], int) else None


def json_text(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=str)


def script_json(value: Any) -> str:
    """JSON safe inside an HTML <script> element (not in attributes): <, >, & and the JS line separators are
    escaped, so agent text can never close the element."""
    return (
        json_text(value)
        .replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("&", "\\u0026")
        .replace("\u2028", "\\u2028")
        .replace("\u2029", "\\u2029")
    )


def data_script(key: str, value: Any) -> str:
    """A data file for the pages: calls zbData(key, value) (see site.js)."""
    return f"zbData({json_text(key)},{script_json(value)});\n"


def packed_data_script(key: str, value: Any) -> str:
    """A data file holding gzipped JSON in base64, which site.js inflates with the browser's DecompressionStream:
    run details are most of a site's bytes, and this keeps their copy for the pages 5-10 times smaller than the
    API mirror's plain JSON. mtime=0 keeps the bytes (and so incremental builds) deterministic."""
    packed = base64.b64encode(_gzip(json_text(value).encode())).decode()
    return f'zbData({json_text(key)},{{"gzip":"{packed}"}});\n'


def _gzip(data: bytes) -> bytes:
    return gzip.compress(data, compresslevel=9, mtime=0)  # mtime=0: the same data gives the same bytes


def _cut(text: Any, limit: int) -> Any:
    if isinstance(text, str) and len(text) > limit:
        return f"{text[:limit]}\n[cut: {len(text):,} characters]"
    return text


def _cut_content(content: Any) -> Any:
    if isinstance(content, str):
        return _cut(content, TEXT_LIMIT)
    if isinstance(content, list):
        return [_cut_content(c) for c in content]
    if isinstance(content, dict):
        return {k: _cut_content(v) for k, v in content.items()}
    return content


def site_detail(detail: RunDetailDict) -> RunDetailDict:
    """A run detail for the run view: long texts cut (TEXT_LIMIT, PATCH_LIMIT)."""
    for f in detail["diff"]["files"]:
        f["patch"] = _cut(f.get("patch"), PATCH_LIMIT)
    for v in detail["validationResults"]:
        v["outputTail"] = _cut(v.get("outputTail"), TEXT_LIMIT)
    transcript = detail.get("transcript")
    for m in transcript["messages"] if transcript else []:
        m["content"] = _cut_content(m.get("content"))
    for c in transcript["toolCalls"] if transcript else []:
        c["output"] = _cut(c.get("output"), TEXT_LIMIT)
        c["input"] = _cut_content(c.get("input"))
    telemetry = detail["telemetry"]
    if telemetry:
        telemetry["promptSent"] = _cut(telemetry.get("promptSent"), TEXT_LIMIT)
    return detail


# --------------------------------------------------------------------------------------------------------------
# Output with change tracking
# --------------------------------------------------------------------------------------------------------------


@dataclass
class BuildReport:
    out: Path
    full: bool
    written: list[str] = field(default_factory=list)
    unchanged: int = 0
    removed: list[str] = field(default_factory=list)
    files: int = 0
    bytes: int = 0
    seconds: float = 0.0
    runs: int = 0
    batches: int = 0
    #: store.data_version of the snapshot the build read (the live site compares it with the database's).
    data_version: list[Any] | None = None


class Output:
    """Writes files under the output folder, only when their content changed, and remembers every file of the
    build (files of a unit that was skipped are carried over from the previous build's state)."""

    def __init__(self, root: Path, report: BuildReport):
        self.root, self.report = root, report
        self.files: set[str] = set()
        for stray in root.rglob(".*.tmp"):  # left by a build that was killed mid-write
            stray.unlink()

    def write(self, rel: str, content: str | bytes) -> None:
        data = content.encode() if isinstance(content, str) else content
        path = self.root / rel
        self.files.add(rel)
        try:
            if path.stat().st_size == len(data) and path.read_bytes() == data:
                self.report.unchanged += 1
                return
        except FileNotFoundError:
            path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.tmp")
        tmp.write_bytes(data)
        tmp.replace(path)  # a reader (or a deploy) never sees half a file
        self.report.written.append(rel)


@dataclass
class State:
    """What the previous build was made from: a fingerprint of the builder and, per unit, its version and files."""

    fingerprint: str = ""
    units: dict[str, dict[str, Any]] = field(default_factory=dict)
    #: store.data_version of the data the build was made from.
    data_version: list[Any] | None = None

    @classmethod
    def load(cls, path: Path) -> State:
        try:
            raw = json.loads(path.read_text())
        except (FileNotFoundError, json.JSONDecodeError):
            return cls()
        if raw.get("format") != STATE_FORMAT:
            return cls()
        return cls(raw.get("fingerprint", ""), raw.get("units", {}), raw.get("dataVersion"))

    def save(self, path: Path) -> None:
        path.write_text(
            json.dumps(
                {
                    "format": STATE_FORMAT,
                    "fingerprint": self.fingerprint,
                    "units": self.units,
                    "dataVersion": self.data_version,
                },
                separators=(",", ":"),
            )
        )


# --------------------------------------------------------------------------------------------------------------
# Templates and assets
# --------------------------------------------------------------------------------------------------------------


def templates_dir() -> Path:
    """site_templates/: inside the installed package (wheel), else the checkout's top-level folder."""
    packaged = Path(str(resources.files("zebench"))) / "site_templates"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[2] / "site_templates"


@functools.cache
def _bytecode_cache() -> Any:
    """Compiled templates kept for the process (keyed by each template's source: an edit compiles it again), so
    that the builds of a long-lived process (`zebench serve --site` rebuilds while batches run) do not compile
    every template each time (about a second)."""
    import jinja2

    class MemoryBytecodeCache(jinja2.BytecodeCache):
        def __init__(self) -> None:
            self.compiled: dict[str, bytes] = {}

        def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
            if bucket.key in self.compiled:
                bucket.bytecode_from_string(self.compiled[bucket.key])

        def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
            self.compiled[bucket.key] = bucket.bytecode_to_string()

    return MemoryBytecodeCache()


def _environment(root: Path) -> Any:
    import jinja2
    import markupsafe

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(root)),
        bytecode_cache=_bytecode_cache(),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["pct"] = lambda v, d=1: "–" if v is None else f"{100 * v:.{d}f}%"
    env.filters["num"] = lambda v, d=2: "–" if v is None else f"{v:,.{d}f}"
    env.filters["usd"] = lambda v: "unknown" if v is None else f"${v:,.4f}" if v < 100 else f"${v:,.2f}"
    env.filters["int"] = lambda v: "–" if v is None else f"{int(v):,}"
    env.filters["tokens"] = lambda v: "–" if v is None else f"{v / 1e6:,.2f} M" if v >= 1e6 else f"{int(v):,}"
    env.filters["duration"] = _duration
    env.filters["when"] = _when
    env.filters["config"] = analysis.config_label
    env.filters["batch_file"] = file_name  # replaced per build by the build's batch_file_names() mapping
    env.filters["script_json"] = lambda v: markupsafe.Markup(script_json(v))
    return env


def _duration(ms: Any) -> str:
    if ms is None:
        return "–"
    seconds = ms / 1000
    if seconds < 60:
        return f"{seconds:.1f} s"
    if seconds < 3600:
        return f"{seconds / 60:.1f} min"
    return f"{seconds / 3600:.1f} h"


def _when(iso: Any) -> Any:
    """A stored ISO time as people read it (UTC, to the minute), the ISO value on hover; site.js shows times in the
    reader's zone."""
    import markupsafe

    if not iso:
        return "–"
    try:
        t = datetime.fromisoformat(str(iso)).astimezone(UTC)
    except ValueError:
        return iso
    return markupsafe.Markup('<time datetime="{0}" title="{0}">{1}</time>').format(iso, f"{t.day} {t:%b %Y, %H:%M} UTC")


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:12]


def _fingerprint(root: Path, base_url: str | None) -> str:
    """Changes when the templates, the builder or the site's constants change: then every unit is rebuilt."""
    h = hashlib.sha256()
    for path in sorted(p for p in root.rglob("*") if p.is_file() and p.suffix in (".html", ".js", ".css")):
        h.update(path.relative_to(root).as_posix().encode())
        h.update(path.read_bytes())
    package = Path(__file__).resolve().parents[1]
    sources = [
        package / name
        for name in (
            "site/builder.py",
            "site/pages.py",
            "site/charts.py",
            "report/analysis.py",
            "report/stats.py",
            "models/openapi.py",
        )
    ]  # what the pages and the mirror are made with
    sources += sorted((package / "store").glob("*.py")) + sorted((package / "models").glob("*.py"))
    for source in sources:
        h.update(source.read_bytes())
    from importlib.metadata import version

    h.update(
        json_text(
            [
                zebench_version(),
                base_url,
                DETAIL_CHUNK,
                PAGE_CHUNK,
                INDEX_CHUNK,
                TEXT_LIMIT,
                PATCH_LIMIT,
                version("altair"),
                version("vl-convert-python"),
                version("jinja2"),
            ]
        ).encode()
    )
    return h.hexdigest()


# --------------------------------------------------------------------------------------------------------------
# The build
# --------------------------------------------------------------------------------------------------------------


class SiteError(Exception):
    pass


def build_site(
    db_path: Path | str,
    out: Path | str,
    *,
    base_url: str | None = None,
    full: bool = False,
    progress: Callable[[str], None] | None = None,
) -> BuildReport:
    """Build (or update) the site in ``out`` from the database at ``db_path``; see the module docstring."""
    db_path, out = Path(db_path), Path(out)
    if not db_path.exists():
        raise SiteError(f"no database at {db_path} (run `zebench run` first, or give --db)")
    if base_url is not None and not re.match(r"^https?://[^\s\"'<>]+$", base_url):
        raise SiteError(f"--base-url must be an http(s) URL, got {base_url!r}")
    start = time.perf_counter()
    say = progress or (lambda _message: None)
    report = BuildReport(out=out, full=full)
    try:
        # never migrates: a database from an older zebench is read through an up-to-date copy
        with open_for_reading(db_path, on_outdated=say) as reader:
            out.mkdir(parents=True, exist_ok=True)
            with store.read_snapshot(reader.conn) as conn:  # every page shows the same state while runs are written
                _Builder(conn, out, report, base_url=base_url, full=full, say=say).build()
    except NotReadable as exc:
        raise SiteError(str(exc)) from None
    except sqlite3.DatabaseError as exc:
        raise SiteError(f"cannot read {db_path}: {exc}") from None
    files = [p for p in out.rglob("*") if p.is_file() and p.name != STATE_FILE]
    report.files, report.bytes = len(files), sum(p.stat().st_size for p in files)
    report.seconds = time.perf_counter() - start
    return report


class _Builder:
    def __init__(
        self,
        conn: sqlite3.Connection,
        out: Path,
        report: BuildReport,
        *,
        base_url: str | None,
        full: bool,
        say: Callable[[str], None],
    ):
        self.conn, self.out, self.report, self.base_url, self.say = conn, out, report, base_url, say
        self.templates = templates_dir()
        self.env = _environment(self.templates)
        self.output = Output(out, report)
        self.previous = State.load(out / STATE_FILE)
        self.state = State(_fingerprint(self.templates, base_url))
        self.full = full or self.previous.fingerprint != self.state.fingerprint
        report.full = self.full
        # "data as of" (the newest run or batch), not the clock: a rebuild of unchanged data writes nothing
        self.built_at = ""
        self.assets: dict[str, str] = {}
        #: What a page served live compares with the live API to know it is current (pages.live_snapshot).
        self.snapshot = ""

    # -- units ----------------------------------------------------------------------------------------------

    def unit(self, key: str, version: Any, make: Callable[[], None]) -> None:
        """Build ``make`` unless the previous build made this unit from the same version and its files exist."""
        version = json_text(version)
        old = self.previous.units.get(key)
        if (
            not self.full
            and old
            and old.get("version") == version
            and all((self.out / f).exists() for f in old.get("files", []))
        ):
            self.state.units[key] = old
            self.output.files.update(old["files"])
            self.report.unchanged += len(old["files"])
            return
        before = set(self.output.files)
        self.output.files.clear()
        make()
        made = sorted(self.output.files)
        self.output.files = before | set(made)
        self.state.units[key] = {"version": version, "files": made}

    def page(self, rel: str, template: str, *, as_of: str | None = None, **context: Any) -> None:
        """Render a page. ``as_of``: what the page is current to (a batch page: its batch, so that it stays
        byte-identical, and is not rewritten, while other batches come in)."""
        depth = rel.count("/")
        root = "../" * depth
        html = self.env.get_template(template).render(
            root=root,
            assets=self.assets,
            pages=navigation(),
            current=rel,
            built_at=as_of or self.built_at,
            version=zebench_version(),
            csp=META_CONTENT_SECURITY_POLICY,
            base_url=self.base_url,
            path=rel,
            detail_chunk=DETAIL_CHUNK,
            snapshot=context.pop("snapshot", self.snapshot),
            **context,
        )
        self.output.write(rel, html)

    # -- the whole build ------------------------------------------------------------------------------------

    def build(self) -> None:
        conn = self.conn
        self.report.data_version = self.state.data_version = list(store.data_version(conn))
        self.say("assets")
        self.build_assets()
        stats = store.query_stats(conn)
        self.built_at = store.query_data_as_of(conn) or "no runs yet"
        self.report.runs = stats["totalRuns"]
        self.say(f"runs ({stats['totalRuns']:,})")
        self.build_run_chunks()
        batches = self.all_batches()
        self.report.batches = len(batches)
        self.say(f"batches ({len(batches):,})")
        self.build_batches(batches)
        self.say("pages")
        data = SiteData(
            conn,
            stats=stats,
            batches=batches,
            previous_batch=self.previous_batch,
            batch_configs=self.batch_configs,
            batch_files=self.batch_files,
        )
        self.snapshot = pages.live_snapshot(stats, batches)
        self.build_stats_mirror(data)
        self.build_page_data(data)
        self.build_pages(data)
        self.build_host_files()
        self.remove_stale()
        self.state.save(self.out / STATE_FILE)

    def build_assets(self) -> None:
        import vl_convert

        vega_version = getattr(vl_convert, "__version__", "unknown")

        def vega() -> None:
            # ~1.5 s: written once per vl-convert version (its stub wants a snippet; the default one is meant)
            bundle = vl_convert.javascript_bundle().encode()  # type: ignore[call-arg]
            self.output.write(f"assets/vega-{_digest(bundle)}.js", bundle)

        self.unit("asset:vega", vega_version, vega)
        self.assets["vega"] = next(f for f in self.state.units["asset:vega"]["files"])
        for name in ("site.js", "views.js", "site.css"):
            data = (self.templates / "assets" / name).read_bytes()
            stem, ext = name.rsplit(".", 1)
            rel = f"assets/{stem}-{_digest(data)}.{ext}"
            self.output.write(rel, data)
            self.assets[stem + "_" + ext] = rel

    def build_run_chunks(self) -> None:
        conn = self.conn
        chunks = store.query_chunk_versions(conn, DETAIL_CHUNK)
        for i, (n, version) in enumerate(chunks.items(), 1):
            lo, hi = n * DETAIL_CHUNK, (n + 1) * DETAIL_CHUNK - 1
            if i % 100 == 0:
                self.say(f"run details: {i:,} of {len(chunks):,} chunks")

            def details(n: int = n, lo: int = lo, hi: int = hi) -> None:
                rows = store.query_run_details_range(conn, lo, hi, transcripts=True)
                # the API's shape (no transcript: /api/runs/<id>/transcript is apart), written before cutting
                self.output.write(
                    f"api/v2/runs/detail/{n}.json",
                    json_text({d["run"]["runId"]: {k: v for k, v in d.items() if k != "transcript"} for d in rows}),
                )
                self.output.write(
                    f"data/runs/{n}.js",
                    packed_data_script(f"runs/{n}", {d["run"]["runId"]: site_detail(d) for d in rows}),
                )

            self.unit(f"details:{n}", version, details)
        self.run_pages = sorted(store.query_chunk_versions(conn, PAGE_CHUNK).items(), reverse=True)
        for n, version in self.run_pages:
            lo, hi = n * PAGE_CHUNK, (n + 1) * PAGE_CHUNK - 1

            def page(n: int = n, lo: int = lo, hi: int = hi) -> None:
                self.output.write(f"api/v2/runs/pages/{n}.json", json_text(store.query_runs_range(conn, lo, hi)))

            self.unit(f"page:{n}", version, page)
        self.index_chunks = sorted(store.query_chunk_versions(conn, INDEX_CHUNK).items())
        for n, version in self.index_chunks:
            lo, hi = n * INDEX_CHUNK, (n + 1) * INDEX_CHUNK - 1

            def index(n: int = n, lo: int = lo, hi: int = hi) -> None:
                self.output.write(
                    f"data/runs-index/{n}.js",
                    packed_data_script(f"runs-index/{n}", store.query_run_index_range(conn, lo, hi)),
                )

            self.unit(f"index:{n}", version, index)
        latest, _ = store.query_runs(conn, limit=store.DEFAULT_PAGE)
        self.output.write("api/v2/runs/latest.json", json_text(latest))
        self.output.write(
            "api/runs/latest.json", json_text(store.query_original_runs(conn, limit=ORIGINAL_RUNS_MIRRORED))
        )
        self.output.write(
            "api/v2/runs/index.json",
            json_text(
                {
                    "pageSize": PAGE_CHUNK,
                    "detailChunkSize": DETAIL_CHUNK,
                    "pages": [
                        {"page": n, "path": f"pages/{n}.json", "runs": v[0], "firstId": v[1], "lastId": v[2]}
                        for n, v in self.run_pages
                    ],
                    "detail": "detail/<id // detailChunkSize>.json holds the details of the runs with those row ids, "
                    "keyed by runId",
                }
            ),
        )

    def all_batches(self) -> list[BatchRowDict]:
        rows: list[BatchRowDict] = []
        cursor = None
        while True:
            page, cursor = store.query_batches(self.conn, limit=store.MAX_PAGE, cursor=cursor)
            rows.extend(page)
            if cursor is None:
                return rows  # newest first

    def build_batches(self, batches: list[BatchRowDict]) -> None:
        """One unit per batch (its page, data and downloads), then the batch lists of the API mirror."""
        conn = self.conn
        versions = store.query_batch_versions(conn)
        created = [b["batchId"] for b in reversed(batches)]  # oldest first
        self.previous_batch = analysis.previous_comparable_batches(conn, created)
        self.batch_configs = {
            b: [analysis.config_name(*c.split("|")) for c in config[0]]
            for b, config in store.query_batch_configurations(conn).items()
        }
        self.batch_files = batch_file_names(created)
        self.env.filters["batch_file"] = self.batch_files.__getitem__
        # the echo baseline of a batch without echo runs of its own comes from the other batches' echo runs
        echo_version = store.query_echo_version(conn)
        for batch in batches:
            batch_id = batch["batchId"]
            name = self.batch_files[batch_id]
            previous = self.previous_batch.get(batch_id)
            own_echo = store.BASELINE_AGENT in self.batch_configs.get(batch_id, [])
            self.unit(
                f"batch:{batch_id}",
                [
                    versions.get(batch_id),
                    name,
                    previous,
                    self.batch_files.get(previous or ""),
                    None if own_echo else echo_version,
                ],
                functools.partial(self.build_batch, batch_id, name, previous),
            )
        self.output.write("api/v2/batches/index.json", json_text(batches))
        self.output.write(
            "api/batches/index.json", json_text(store.query_original_batches(conn, limit=max(len(batches), 1)))
        )

    def build_batch(self, batch_id: str, name: str, previous: str | None) -> None:
        """A batch's page, its API mirror file, its data for the browser and its downloads."""
        conn = self.conn
        detail = store.query_batch_detail(conn, batch_id)
        assert detail is not None
        self.output.write(f"api/v2/batches/{name}.json", json_text(detail))
        runs = store.query_batch_run_rows(conn, batch_id)
        # gzipped: downloads of every batch would otherwise be a seventh of a large site
        self.output.write(f"downloads/{name}.csv.gz", _gzip(_csv(runs).encode()))
        self.output.write(f"downloads/{name}.json.gz", _gzip(json_text(runs).encode()))
        items = store.query_item_counts(conn, {"batchId": batch_id})
        # the item x configuration matrix: the same function as /api/v2/batches/<id>/matrix
        self.output.write(
            f"data/batch-matrix/{name}.js",
            packed_data_script(f"batch-matrix/{name}", analysis.batch_matrix(conn, batch_id, previous)),
        )
        self.output.write(f"data/batch-items/{name}.js", packed_data_script(f"batch-items/{name}", item_rows(items)))
        self.page(
            f"batches/{name}.html",
            "batch.html",
            as_of=store.query_data_as_of(conn, batch_id),
            **batch_page(
                detail, name=name, previous=previous, echo=store.query_echo_baseline(conn, {"batchId": batch_id})
            ),
        )

    def build_stats_mirror(self, data: SiteData) -> None:
        """The API's statistics in both shapes, and its OpenAPI document."""
        from ..models.openapi import openapi_document

        conn = self.conn
        self.output.write("api/v2/stats.json", json_text(data.stats))
        self.output.write(
            "api/v2/stats/agents.json", json_text(analysis.agent_stats(conn, [dict(r) for r in data.board]))
        )
        self.output.write("api/v2/stats/scenarios.json", json_text(store.query_stats_scenarios(conn)))
        self.output.write("api/stats.json", json_text(store.query_original_stats(conn)))
        self.output.write("api/stats/agents.json", json_text(store.query_original_agent_stats(conn)))
        self.output.write("api/openapi.json", json_text(openapi_document()))

    def build_page_data(self, data: SiteData) -> None:
        """What the pages that work in the browser load: the site's manifest, the item counts, the live marker."""
        stats = data.stats
        manifest = {
            "builtAt": self.built_at,
            "runs": stats["totalRuns"],
            "cancelled": stats["cancelledAttempts"],
            "detailChunk": DETAIL_CHUNK,
            "indexChunks": [n for n, _ in self.index_chunks],
            "indexColumns": list(store.RUN_INDEX_COLUMNS),
            "batches": [
                {
                    "id": b["batchId"],
                    "file": self.batch_files[b["batchId"]],
                    "createdAt": b["createdAt"],
                    "runs": b["totalRuns"],
                    "configs": self.batch_configs.get(b["batchId"], []),
                }
                for b in data.batches
            ],
            "configs": data.configurations,
        }
        self.output.write("data/manifest.js", data_script("manifest", manifest))
        self.output.write("data/items.js", packed_data_script("items", item_rows(data.items)))
        # null: a built site is not live; `zebench serve --site` answers this path with where its API is
        self.output.write("data/live.js", data_script("live", None))

    def build_pages(self, data: SiteData) -> None:
        """Every page of site/pages.py."""
        for unit in pages.ALL_PAGES:
            self.page(unit.file, unit.template, title=unit.title, **unit.context(data))

    def build_host_files(self) -> None:
        headers = "".join(
            f"{path}\n" + "".join(f"  {k}: {v}\n" for k, v in values.items()) for path, values in HEADERS.items()
        )
        self.output.write("_headers", headers)
        self.output.write("_redirects", "".join(f"{src} {dst} 200\n" for src, dst in REWRITES))
        if self.base_url:
            base = self.base_url.rstrip("/")
            urls = [f"{base}/{p}" for p, _ in navigation()] + [
                f"{base}/{f}" for f in sorted(self.output.files) if f.startswith("batches/")
            ]
            self.output.write(
                "sitemap.xml",
                '<?xml version="1.0" encoding="UTF-8"?>\n'
                '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
                + "".join(f"  <url><loc>{_xml(u)}</loc></url>\n" for u in urls)
                + "</urlset>\n",
            )

    def remove_stale(self) -> None:
        """Files of the previous build that this build did not make (a deleted batch, an old asset)."""
        previous = {f for u in self.previous.units.values() for f in u.get("files", [])}
        previous |= set(self.previous.units.get("_all", {}).get("files", []))
        root = self.out.resolve()
        for rel in sorted(previous - self.output.files):
            path = self.out / rel
            if not path.resolve().is_relative_to(root):  # a hand-edited or foreign state file
                continue
            if path.is_file():
                path.unlink()
                self.report.removed.append(rel)
        self.state.units["_all"] = {"version": "", "files": sorted(self.output.files)}


def _xml(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _csv(rows: Sequence[Mapping[str, Any]]) -> str:
    buffer = io.StringIO()
    if rows:
        writer = csv.DictWriter(buffer, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        for row in rows:
            # a leading =, +, - or @ would make a spreadsheet run agent text as a formula
            writer.writerow(
                {
                    k: f"'{v}" if isinstance(v, str) and v[:1] in ("=", "+", "-", "@", "\t", "\r") else v
                    for k, v in row.items()
                }
            )
    return buffer.getvalue()
