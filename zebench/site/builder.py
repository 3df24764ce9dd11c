"""``zebench build-site``: the static report site and the static JSON mirror of the API.

Everything is read through the store's (and analysis') query functions, the same ones the live API serves, so
the site's numbers and the API's agree. Layout of the output folder:

- ``*.html`` pages rendered with Jinja2 (autoescaped) from site_templates/; charts are Vega-Lite specs from
  Altair, embedded as JSON and drawn by a local copy of the Vega bundle (``assets/``, content-hashed names);
- ``batches/<batch>.html``: one page per batch; ``downloads/<batch>.csv.gz``: its runs;
- ``data/*.js``: data for the pages that work in the browser (runs table, run view, compare). They are scripts,
  not JSON, because a page opened from file:// may load scripts but not fetch files. Run details are gzipped
  inside: the newest RECENT_RUNS in chunks of DETAIL_CHUNK with the run view's cuts (``data/runs/<n>.js``),
  older ones in archive chunks of ARCHIVE_CHUNK with shorter cuts and the first and last entries of each
  transcript (``data/runs/a<m>.js``): a million real runs fit a static host (1 GB, 20,000 files);
- ``api/``: the API mirror in the live API's shapes: the original project's at ``api/`` (its lists and statistics;
  a batch with every run and the per-run paths stay live-only), zebench's at ``api/v2/`` (statistics, batches, the
  newest runs; a run's detail and the pages of every run are live-only: see docs/deploy.md).

Runs are grouped into chunks by row id (ids only grow), so an incremental build rewrites the chunks that
changed and the pages that aggregate; ``.zebench-build.json`` records what each unit was built from. A full build
makes the run details and the batches' files in worker processes (PROCESSES), sent first, while this process makes
the assets, the runs table's index and the pages and writes the workers' files as they come (docs/performance.md).
"""

from __future__ import annotations

import base64
import collections
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
from ..models.shapes import BatchRowDict, ItemCountsDict, RunDetailDict
from ..report import analysis
from ..store import NotReadable, open_for_reading
from . import pages
from .pages import SiteData, batch_page, item_rows

#: Run details of the newest runs (with their transcripts) per chunk file: data/runs/<n>.js (row ids n*100 ..).
DETAIL_CHUNK = 100
#: Runs kept in those chunks (about; whole archive chunks move out): the newest row ids from ``recent_from``.
RECENT_RUNS = 10_000
#: Older runs per archive file: data/runs/a<m>.js (row ids m*1000 ..), a multiple of DETAIL_CHUNK.
ARCHIVE_CHUNK = 1000
#: A full build makes the run details (the archive and the newest runs' chunks) and the batches' files in PROCESSES
#: worker processes while this process makes the rest (assets, the runs table's index, the pages), so that both
#: cores stay busy to the end. A kind of unit goes to the workers when a build has at least PARALLEL_FROM of them to
#: make (a process costs about a second to start: an incremental build makes a few units).
PROCESSES = 2
PARALLEL_FROM = 20
#: Units per task sent to a worker process: small, so that the last tasks end close together.
TASK_UNITS = 4
#: gzip's levels: the run archive's (most of a million-run site's bytes: 6 takes a third of 9's time for 5% more,
#: 4 would add another 10%), and the other data files' and downloads' (the newest runs' chunks, the runs table's
#: index: 4 takes two thirds of 6's time for 5% more, about 5 MB at a million runs).
ARCHIVE_GZIP_LEVEL = 6
GZIP_LEVEL = 4
#: Compact rows of the runs table per file: data/runs-index/<n>.js (a multiple of DETAIL_CHUNK).
INDEX_CHUNK = 5000
#: Runs the runs table loads at first (whole index files, newest first); older ones when asked for.
RUNS_TABLE_INITIAL = 20_000
#: Text in a run view is cut to this many characters (a transcript of a real agent can be megabytes); the full
#: text stays in the database and the live API. Cut fields are marked with the "[cut: N characters]" suffix.
TEXT_LIMIT = 4000
PATCH_LIMIT = 20000
#: The archive's cuts (a million real runs must fit a static host's 1 GB: docs/performance.md): texts, tool
#: calls' inputs and outputs, the end of command output kept; the first and last entries kept of each part of a
#: transcript (the agent's last message; its first and last tool calls); patches and the prompt left out.
ARCHIVE_TEXT_LIMIT = 120
ARCHIVE_CALL_LIMIT = 60
ARCHIVE_TAIL_LIMIT = 200
ARCHIVE_WINDOW = {"messages": (0, 1), "toolCalls": (3, 2)}
#: The kinds of units the workers make, as the progress messages name them.
_KINDS = {"archive": "run archive", "details": "run details", "batch": "batches"}
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
    """A run's page in a site, relative to the site's folder: the run view with the run's row id (r=: the view finds
    its details in a recent chunk or in the archive from it)."""
    from urllib.parse import quote

    return f"run.html?id={quote(run_id, safe='')}&r={row_id}"


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
    return packed_text_script(key, json_text(value))


def packed_text_script(key: str, text: str, level: int = GZIP_LEVEL) -> str:
    """packed_data_script of a value already JSON (``level``: gzip's)."""
    packed = base64.b64encode(_gzip(text.encode(), level)).decode()
    return f'zbData({json_text(key)},{{"gzip":"{packed}"}});\n'


def _gzip(data: bytes, level: int = GZIP_LEVEL) -> bytes:
    return gzip.compress(data, compresslevel=level, mtime=0)  # mtime=0: the same data gives the same bytes


_CUT = re.compile(r"\n\[cut: [\d,]+ characters\]$")


def _cut(text: Any, limit: int) -> Any:
    if isinstance(text, str) and len(text) > limit and not _CUT.search(text):
        return f"{text[:limit]}\n[cut: {len(text):,} characters]"
    return text


def _cut_tail(text: Any, limit: int) -> Any:
    """The end of a text (an output's tail), marked at its start."""
    if isinstance(text, str) and len(text) > limit:
        return f"[cut: {len(text):,} characters]\n{text[-limit:]}"
    return text


def _cut_content(content: Any, limit: int = TEXT_LIMIT) -> Any:
    if isinstance(content, str):
        return _cut(content, limit)
    if isinstance(content, list):
        return [_cut_content(c, limit) for c in content]
    if isinstance(content, dict):
        return {k: _cut_content(v, limit) for k, v in content.items()}
    return content


def site_detail(detail: RunDetailDict, text: int = TEXT_LIMIT, patch: int = PATCH_LIMIT) -> RunDetailDict:
    """A run detail for the run view: long texts cut (``text`` characters, ``patch`` for a diff's patches)."""
    for f in detail["diff"]["files"]:
        f["patch"] = _cut(f.get("patch"), patch)
    for v in [*detail["validationResults"], *detail["baselineResults"]]:
        v["outputTail"] = _cut_tail(v.get("outputTail"), text)
    for e in detail["evaluations"]:
        e["details"] = _cut_content(e.get("details"), text)
        e["error"] = _cut(e.get("error"), text)
    detail["run"]["metadata"] = _cut_content(detail["run"].get("metadata"), text)
    detail["run"]["error"] = _cut(detail["run"].get("error"), text)
    transcript = detail.get("transcript")
    for m in transcript["messages"] if transcript else []:
        m["content"] = _cut_content(m.get("content"), text)
    for c in transcript["toolCalls"] if transcript else []:
        c["output"] = _cut(c.get("output"), text)
        c["input"] = _cut_content(c.get("input"), text)
    telemetry = detail["telemetry"]
    if telemetry:
        telemetry["promptSent"] = _cut(telemetry.get("promptSent"), text)
    return detail


def archive_cuts() -> store.ArchiveCuts:
    """The archive's cuts (the ARCHIVE_* constants)."""
    return store.ArchiveCuts(
        text=ARCHIVE_TEXT_LIMIT, call=ARCHIVE_CALL_LIMIT, tail=ARCHIVE_TAIL_LIMIT, window=ARCHIVE_WINDOW
    )


def archive_file(conn: sqlite3.Connection, m: int, size: int, cuts: store.ArchiveCuts) -> str:
    """data/runs/a<m>.js: the archive's copy of runs m*ARCHIVE_CHUNK.. (store.query_run_archive_range: JSON made
    by SQLite), stored as columns (each part of every run together: gzip finds what runs share within its window;
    site.js turns them back into details by run id), with what was cut said per run (``cut``). ``size``:
    ARCHIVE_CHUNK (given: a worker process has the module's own)."""
    lo, hi = m * size, (m + 1) * size - 1
    archived = store.query_run_archive_range(conn, lo, hi, cuts)
    cut = json_text([{"text": cuts.text, **c} for c in archived.counts])
    parts = ",".join(f"{json_text(k)}:{v}" for k, v in archived.parts.items())
    text = f'{{"ids":{json_text(archived.run_ids)},"parts":{{{parts},"cut":{cut}}}}}'
    return packed_text_script(f"runs/a{m}", text, ARCHIVE_GZIP_LEVEL)


def detail_file(conn: sqlite3.Connection, n: int, size: int, last: int, text: int, patch: int) -> str:
    """data/runs/<n>.js: the run view's copy of runs n*size.. (at most to row id ``last``, the build's newest): details
    with transcripts, texts cut (``text``, ``patch``: TEXT_LIMIT and PATCH_LIMIT, given as a worker process has the
    module's own constants)."""
    rows = store.query_run_details_range(conn, n * size, min((n + 1) * size - 1, last), transcripts=True)
    return packed_data_script(f"runs/{n}", {d["run"]["runId"]: site_detail(d, text, patch) for d in rows})


def recent_from(max_id: int) -> int:
    """The first row id of the run details kept in full chunks: the newest RECENT_RUNS or so, starting at an archive
    chunk's boundary (so every archive file is whole)."""
    return max(0, ((max_id - RECENT_RUNS) // ARCHIVE_CHUNK + 1) * ARCHIVE_CHUNK)


def combine_versions(versions: Mapping[int, tuple[Any, ...]], factor: int) -> dict[int, tuple[Any, ...]]:
    """Chunk versions (store.query_chunk_versions: count, first id, last id, newest revision) of chunks ``factor``
    times larger."""
    out: dict[int, tuple[Any, ...]] = {}
    for n, (count, first, last, revision) in versions.items():
        m = n // factor
        if m in out:
            c, f, la, r = out[m]
            out[m] = (c + count, min(f, first), max(la, last), max(r, revision))
        else:
            out[m] = (count, first, last, revision)
    return out


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
    #: CPU seconds per kind of unit ("archive", "details", "batch"), in whichever process made them.
    work: dict[str, float] = field(default_factory=dict)


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


class MemoryOutput(Output):
    """A unit's files kept in memory (``contents``) for the build to write (self.made): made in a worker process, or
    here the same way."""

    def __init__(self) -> None:  # no folder: nothing is read or written
        self.files = set()
        self.contents: dict[str, str | bytes] = {}

    def write(self, rel: str, content: str | bytes) -> None:
        self.files.add(rel)
        self.contents[rel] = content


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
                    "units": dict(sorted(self.units.items())),  # the same whichever process made a unit first
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
                RECENT_RUNS,
                ARCHIVE_CHUNK,
                INDEX_CHUNK,
                RUNS_TABLE_INITIAL,
                TEXT_LIMIT,
                PATCH_LIMIT,
                ARCHIVE_TEXT_LIMIT,
                ARCHIVE_CALL_LIMIT,
                ARCHIVE_TAIL_LIMIT,
                ARCHIVE_WINDOW,
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


#: A worker process's builder, made by its first task (the process lives for one build): its own read-only connection
#: (kept open by the ExitStack), and what it reads once for all its batches.
_WORKER: dict[str, Any] = {}


def _work(
    db_path: str, kind: str, context: dict[str, Any], units: list[tuple[str, Any]]
) -> tuple[list[tuple[str, dict[str, str | bytes]]], float]:
    """A task of a full build in a worker process: the files of each unit (its key, what to make: _Builder.make)
    and the CPU seconds they took."""
    import contextlib

    start = time.process_time()
    if "builder" not in _WORKER:
        _WORKER["stack"] = stack = contextlib.ExitStack()
        reader = stack.enter_context(open_for_reading(Path(db_path)))
        out = Path(db_path).parent  # never read or written: the worker's files stay in memory
        _WORKER["builder"] = _Builder(
            reader.conn, out, BuildReport(out=out, full=True), base_url=None, full=True, output=MemoryOutput()
        )
    worker: _Builder = _WORKER["builder"]
    made = [(key, worker.make(kind, unit, context)) for key, unit in units]
    return made, time.process_time() - start


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
                builder = _Builder(conn, out, report, base_url=base_url, full=full, say=say)
                builder.db_path = getattr(reader, "path", None)
                builder.build()
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
        say: Callable[[str], None] = lambda _message: None,
        output: Output | None = None,
    ):
        self.conn, self.out, self.report, self.base_url, self.say = conn, out, report, base_url, say
        #: The file the build reads (worker processes open it too); None: no workers.
        self.db_path: Path | None = None
        self._pool: Any = None
        #: The workers' tasks not yet written, oldest first: (future, kind, each unit's version by key).
        self.pending: collections.deque[tuple[Any, str, dict[str, Any]]] = collections.deque()
        #: Units of each kind made and to make (the progress messages).
        self.progress: dict[str, list[int]] = {}
        self.templates = templates_dir()
        self.env = _environment(self.templates)
        self.output = output or Output(out, report)
        self.previous = State() if output else State.load(out / STATE_FILE)
        self.state = State(_fingerprint(self.templates, base_url))
        self.full = full or self.previous.fingerprint != self.state.fingerprint
        report.full = self.full
        # "data as of" (the newest run or batch), not the clock: a rebuild of unchanged data writes nothing
        self.built_at = ""
        self.assets: dict[str, str] = {}
        #: What a page served live compares with the live API to know it is current (pages.live_snapshot).
        self.snapshot = ""
        #: Batches' item counts lately read (batch_counts), and the database's echo runs per item (database_echo).
        self.counts: collections.OrderedDict[str, list[ItemCountsDict]] = collections.OrderedDict()
        self.echo: store.EchoItems | None = None

    # -- units ----------------------------------------------------------------------------------------------

    def unit(self, key: str, version: Any, make: Callable[[], None]) -> None:
        """Build ``make`` unless the previous build made this unit from the same version and its files exist."""
        if not self.needed(key, version):
            return
        self.collect()  # the workers' files, written between units (one unit's files are told apart by their writes)
        before = set(self.output.files)
        self.output.files.clear()
        make()
        made = sorted(self.output.files)
        self.output.files = before | set(made)
        self.state.units[key] = {"version": json_text(version), "files": made}

    def needed(self, key: str, version: Any) -> bool:
        """Whether a unit must be made: else the previous build's files of it are carried over."""
        old = self.previous.units.get(key)
        if (
            not self.full
            and old
            and old.get("version") == json_text(version)
            and all((self.out / f).exists() for f in old.get("files", []))
        ):
            self.state.units[key] = old
            self.output.files.update(old["files"])
            self.report.unchanged += len(old["files"])
            return False
        return True

    def made(self, key: str, version: Any, files: dict[str, str | bytes]) -> None:
        """A unit made elsewhere (make): its files written and recorded."""
        for rel, content in files.items():
            self.output.write(rel, content)
        self.state.units[key] = {"version": json_text(version), "files": sorted(files)}

    def make(self, kind: str, unit: Any, context: Mapping[str, Any]) -> dict[str, str | bytes]:
        """The files of one unit of ``kind``, in memory, made the same way in a worker process and here: "archive"
        (unit: m; context: size, cuts), "details" (n; detail_file's arguments) or "batch" ((batch id, file name,
        previous batch); context: base_url, assets, batch_files)."""
        output, self.output = self.output, MemoryOutput()
        try:
            if kind == "archive":
                self.output.write(f"data/runs/a{unit}.js", archive_file(self.conn, unit, **context))
            elif kind == "details":
                self.output.write(f"data/runs/{unit}.js", detail_file(self.conn, unit, **context))
            else:
                if self.assets is not context["assets"]:  # a worker's builder: the build's assets and names
                    self.base_url, self.assets, self.batch_files = (
                        context["base_url"],
                        context["assets"],
                        context["batch_files"],
                    )
                    self.env.filters["batch_file"] = self.batch_files.__getitem__
                self.build_batch(*unit)
            assert isinstance(self.output, MemoryOutput)
            return self.output.contents
        finally:
            self.output = output

    def dispatch(self, kind: str, units: dict[str, tuple[Any, Any]], context: dict[str, Any]) -> None:
        """Make ``units`` (key: what to make and its version) of ``kind`` (make): in the worker processes when there
        are many, their files written as their tasks end (collect), else here and now."""
        self.progress.setdefault(kind, [0, 0])[1] += len(units)
        items = list(units.items())
        if not self.parallel(len(items)):
            for key, (unit, version) in items:
                self.collect()
                start = time.process_time()
                self.made(key, version, self.make(kind, unit, context))
                self.report.work[kind] = self.report.work.get(kind, 0.0) + time.process_time() - start
                self.progress[kind][0] += 1
            return
        for i in range(0, len(items), TASK_UNITS):
            group = items[i : i + TASK_UNITS]
            tasks = [(key, unit) for key, (unit, _) in group]
            future = self.pool().submit(_work, str(self.db_path), kind, context, tasks)
            self.pending.append((future, kind, {key: version for key, (_, version) in group}))

    def collect(self, wait: bool = False) -> None:
        """Write the files of the workers' tasks that ended, oldest first (every task's, with ``wait``)."""
        while self.pending and (wait or self.pending[0][0].done()):
            future, kind, versions = self.pending.popleft()
            made, seconds = future.result()
            for key, files in made:
                self.made(key, versions[key], files)
            self.report.work[kind] = self.report.work.get(kind, 0.0) + seconds
            done = self.progress[kind]
            done[0] += len(made)
            self.say(f"{_KINDS[kind]}: {done[0]:,} of {done[1]:,} made")

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
            snapshot=context.pop("snapshot", self.snapshot),
            **context,
        )
        self.output.write(rel, html)

    # -- the whole build ------------------------------------------------------------------------------------

    def build(self) -> None:
        try:
            self.build_all()
        finally:
            if self._pool is not None:
                self._pool.shutdown(cancel_futures=True)  # after an error, the tasks not started are dropped

    def pool(self) -> Any:
        """The worker processes of this build (started once, on first use)."""
        if self._pool is None:
            import multiprocessing
            from concurrent.futures import ProcessPoolExecutor

            # spawn: the process may hold threads (zebench serve --site), which fork would copy mid-lock
            self._pool = ProcessPoolExecutor(max_workers=PROCESSES, mp_context=multiprocessing.get_context("spawn"))
        return self._pool

    def parallel(self, count: int) -> bool:
        """Whether ``count`` units are made in worker processes (many of them, or the workers already started, and
        a file they can open)."""
        wanted = count >= PARALLEL_FROM or (self._pool is not None and count > 1)
        return wanted and PROCESSES > 1 and self.db_path is not None

    def build_all(self) -> None:
        conn = self.conn
        self.report.data_version = self.state.data_version = list(store.data_version(conn))
        stats = store.query_stats(conn)
        self.built_at = store.query_data_as_of(conn) or "no runs yet"
        self.report.runs = stats["totalRuns"]
        self.say(f"runs ({stats['totalRuns']:,})")
        self.build_run_details()  # first: in a full build the workers start on them while this process goes on
        self.say("assets")
        self.build_assets()
        self.say("runs table")
        self.build_run_index()
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
        if self.pending:
            self.say("workers (their last units)")
            self.collect(wait=True)
        self.build_host_files()  # after every unit: the sitemap lists the batches' pages
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

    def build_run_details(self) -> None:
        """Run details: the newest runs in chunks of DETAIL_CHUNK with the run view's cuts, older ones in archive
        chunks of ARCHIVE_CHUNK with the archive's (most of a full build's work: in the worker processes)."""
        if ARCHIVE_CHUNK % DETAIL_CHUNK or INDEX_CHUNK % DETAIL_CHUNK:
            raise SiteError("ARCHIVE_CHUNK and INDEX_CHUNK must be multiples of DETAIL_CHUNK")
        self.chunks = chunks = store.query_chunk_versions(self.conn, DETAIL_CHUNK)  # the others combine this one
        last = max((v[2] for v in chunks.values()), default=0)
        self.recent_from = recent_from(last)
        archive = combine_versions(
            {n: v for n, v in chunks.items() if n * DETAIL_CHUNK < self.recent_from}, ARCHIVE_CHUNK // DETAIL_CHUNK
        )
        recent = {n: v for n, v in chunks.items() if n * DETAIL_CHUNK >= self.recent_from}
        self.detail_files = [f"a{m}" for m in sorted(archive)] + [str(n) for n in sorted(recent)]
        self.dispatch(
            "archive",
            {f"archive:{m}": (m, v) for m, v in sorted(archive.items()) if self.needed(f"archive:{m}", v)},
            {"size": ARCHIVE_CHUNK, "cuts": archive_cuts()},
        )
        self.dispatch(
            "details",
            {f"details:{n}": (n, v) for n, v in sorted(recent.items()) if self.needed(f"details:{n}", v)},
            {"size": DETAIL_CHUNK, "last": last, "text": TEXT_LIMIT, "patch": PATCH_LIMIT},
        )

    def build_run_index(self) -> None:
        """The runs table's index; the newest runs in both API shapes."""
        conn = self.conn
        self.index_chunks = sorted(combine_versions(self.chunks, INDEX_CHUNK // DETAIL_CHUNK).items())
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
        self.batch_ids = {b: v[-3:-1] for b, v in versions.items() if v[-3] is not None}
        created = [b["batchId"] for b in reversed(batches)]  # oldest first
        self.previous_batch = analysis.previous_comparable_batches(conn, created)
        self.batch_configs = {
            b: [analysis.config_name(*c.split("|")) for c in config[0]]
            for b, config in store.query_batch_configurations(conn).items()
        }
        self.batch_files = batch_file_names(created)
        self.env.filters["batch_file"] = self.batch_files.__getitem__
        pending: dict[str, tuple[Any, Any]] = {}
        # the echo baseline of a batch without echo runs of its own comes from the other batches' echo runs
        echo_version = store.query_echo_version(conn)
        for batch in batches:
            batch_id = batch["batchId"]
            name = self.batch_files[batch_id]
            previous = self.previous_batch.get(batch_id)
            own_echo = store.BASELINE_AGENT in self.batch_configs.get(batch_id, [])
            version = [
                versions.get(batch_id),
                name,
                previous,
                self.batch_files.get(previous or ""),
                None if own_echo else echo_version,
            ]
            if self.needed(f"batch:{batch_id}", version):
                pending[f"batch:{batch_id}"] = ((batch_id, name, previous), version)
        # newest first: a batch's previous batch is read again for the next (batch_counts)
        context = {"base_url": self.base_url, "assets": self.assets, "batch_files": self.batch_files}
        self.dispatch("batch", pending, context)
        self.output.write("api/v2/batches/index.json", json_text(batches))
        self.output.write(
            "api/batches/index.json", json_text(store.query_original_batches(conn, limit=max(len(batches), 1)))
        )

    def batch_counts(self, batch_id: str) -> list[ItemCountsDict]:
        """A batch's item counts (store.query_item_counts), read once for its page, its matrix and the next batch's
        (the few lately read are kept)."""
        if batch_id not in self.counts:
            self.counts[batch_id] = store.query_item_counts(self.conn, {"batchId": batch_id})
            while len(self.counts) > 8:
                self.counts.popitem(last=False)
        return self.counts[batch_id]

    def database_echo(self) -> store.EchoItems:
        """Every echo run's scores per item (store.query_echo_items, from agg_items), read once for the echo baseline
        of each batch without echo runs of its own."""
        if self.echo is None:
            self.echo = store.query_echo_items(self.conn)
        return self.echo

    def build_batch(self, batch_id: str, name: str, previous: str | None) -> None:
        """A batch's page, its API mirror file, its data for the browser and its downloads."""
        conn = self.conn
        detail = store.query_batch_detail(conn, batch_id)
        assert detail is not None
        # the mirror's batch is /api/v2/batches/<id>?runs=0: its runs are in the runs table's index and the
        # download (the first 100 of every batch would be a sixth of a million-run site)
        self.output.write(f"api/v2/batches/{name}.json", json_text({**detail, "runs": [], "runsIncluded": 0}))
        runs = store.query_batch_run_rows(conn, batch_id)
        # gzipped (about 55 bytes a run); as CSV only: a JSON copy would add as much again at a million runs, and the
        # live API serves the same rows (/api/v2/runs?batchId=)
        self.output.write(f"downloads/{name}.csv.gz", _gzip(_csv(runs).encode()))
        items = self.batch_counts(batch_id)
        # the item x configuration matrix: the same function as /api/v2/batches/<id>/matrix
        matrix = analysis.batch_matrix(conn, batch_id, previous, counts=self.batch_counts)
        self.output.write(f"data/batch-matrix/{name}.js", packed_data_script(f"batch-matrix/{name}", matrix))
        self.output.write(f"data/batch-items/{name}.js", packed_data_script(f"batch-items/{name}", item_rows(items)))
        self.page(
            f"batches/{name}.html",
            "batch.html",
            as_of=store.query_data_as_of(conn, batch_id),
            **batch_page(
                detail,
                name=name,
                previous=previous,
                echo=store.query_echo_baseline(conn, {"batchId": batch_id}, database_echo=self.database_echo()),
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
            "archiveChunk": ARCHIVE_CHUNK,
            "recentFrom": self.recent_from,
            # the files of run details there are (data/runs/<name>.js): a link never loads one that is not
            "detailFiles": self.detail_files,
            "indexChunk": INDEX_CHUNK,
            "indexChunks": [n for n, _ in self.index_chunks],
            "indexColumns": list(store.RUN_INDEX_COLUMNS),
            "initialRuns": RUNS_TABLE_INITIAL,
            "batches": [
                {
                    "id": b["batchId"],
                    "file": self.batch_files[b["batchId"]],
                    "createdAt": b["createdAt"],
                    "runs": b["totalRuns"],
                    "configs": self.batch_configs.get(b["batchId"], []),
                    # its runs' lowest and highest row ids: the runs table loads the index files holding them
                    "ids": list(self.batch_ids.get(b["batchId"], ())),
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
            self.collect()
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


_FORMULA = ("=", "+", "-", "@", "\t", "\r")


def _csv(rows: Sequence[Mapping[str, Any]]) -> str:
    buffer = io.StringIO()
    if rows:
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(list(rows[0]))
        # a leading =, +, - or @ would make a spreadsheet run agent text as a formula
        writer.writerows(
            [f"'{v}" if isinstance(v, str) and v.startswith(_FORMULA) else v for v in row.values()] for row in rows
        )
    return buffer.getvalue()
