#!/usr/bin/env python3
"""Static report site benchmarks (``zebench build-site``) at 100,000 runs.

1. full build: ``build_site`` of a synthetic database of N runs (default 100,000; ``Generator(seed=1,
   details=True)``: run views with transcripts, diffs and validation output, ~3 KB per run) into an empty folder.
   The database is cached at --db and reused when it holds >= N runs (--rebuild forces a new one); the builds
   read a copy of it, so the cache stays at N runs. Run once by default (--build-repeats; median reported);
2. incremental build: after the full build, 100 new runs (one new batch, expected_runs=100) are added to the
   copy and ``build_site`` runs again on the same folder; the figure is its time and the files it wrote;
3. size: files and bytes of the built site (by folder), and the dashboard's weight: index.html plus every file it
   loads (its <script src> and <link href>), with and without the Vega bundle (the same for every page, cached
   by browsers for a year: the target counts the dashboard's own HTML, CSS and JS);
4. charts rendered: headless Chromium (Debian's, driven by Playwright) opens file://.../index.html in a fresh
   context and page; the time is the wall clock from page.goto() until ``body[data-charts-rendered]`` is set by
   site.js (every chart drawn). Median of --repeats loads, after one untimed load; compared with a baseline page
   that loads the same Vega bundle and draws one trivial bar chart with the same vegaEmbed options and CSP.

Targets (at 100,000 runs): full build <= 120 s; incremental <= 5 s; charts rendered <= 2 s; files <= 20,000;
size <= 500 MB; dashboard HTML plus its own assets <= 1.5 MB (MB: 10^6 bytes). Exit status 1 when one is missed.
Timings are wall clock on a possibly shared machine: run again before trusting a near miss.

Usage: python scripts/bench/site.py [--runs N] [--db PATH] [--rebuild] [--quick] [--repeats N]
       [--build-repeats N] [--keep]
"""

from __future__ import annotations

import argparse
import os
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from datetime import datetime, timedelta
from functools import partial
from html.parser import HTMLParser
from itertools import pairwise
from pathlib import Path
from typing import Any

from zebench import store as zstore
from zebench.site import BuildReport, build_site
from zebench.site.builder import META_CONTENT_SECURITY_POLICY
from zebench.store import Store
from zebench.testing.synthetic import Generator

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # the browser helpers the tests use
from api import count_runs, remove_db  # scripts/bench/api.py: the same database helpers

from tests.browser import CHROMIUM_ARGS, chromium_path

FULL_TARGET_S = 120.0
INCREMENTAL_TARGET_S = 5.0
CHARTS_TARGET_S = 2.0
FILES_TARGET = 20_000
SIZE_TARGET_MB = 500.0
DASHBOARD_TARGET_MB = 1.5
INCREMENT = 100
#: Set by site.js once every chart is drawn. A selector, not a JS predicate: polling a predicate
#: (page.wait_for_function) needs eval, which the pages' CSP forbids.
RENDERED = "body[data-charts-rendered][data-ready]"  # charts drawn and the page's own script done (runs table)


# -- database ---------------------------------------------------------------------------------------------------


def db_files(path: Path) -> list[Path]:
    return [Path(str(path) + suffix) for suffix in ("", "-wal", "-shm")]


def build_db(path: Path, runs: int) -> tuple[float, int]:
    """Write ``runs`` synthetic runs with details through the store, one transaction per batch; (s, batches)."""
    remove_db(path)
    store = Store(path)
    start = last_report = time.perf_counter()
    batches = written = 0
    for batch, records in Generator(seed=1, details=True).batches(runs):
        store.save_batch(batch)  # before its runs: expected_runs and metadata; totals recomputed from the runs
        store.save_runs_chunked(records, 2000)
        batches += 1
        written += len(records)
        now = time.perf_counter()
        if now - last_report > 30 or written >= runs:
            print(
                f"  built {written:,} runs, {batches:,} batches in {now - start:.0f} s "
                f"({written / (now - start):,.0f} runs/s)",
                flush=True,
            )
            last_report = now
    store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    store.close()
    return time.perf_counter() - start, batches


def copy_db(src: Path, dst: Path) -> None:
    """The database file and its WAL (empty after the build's checkpoint, but a reuse may have left one)."""
    for source, target in zip(db_files(src)[:2], db_files(dst)[:2], strict=True):
        if source.exists():
            shutil.copyfile(source, target)


def add_runs(path: Path, count: int) -> str:
    """A new batch of ``count`` runs, later than everything in the database (as a new batch would be)."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        as_of = zstore.query_data_as_of(conn)
    finally:
        conn.close()
    assert as_of, "empty database"
    start = datetime.fromisoformat(as_of) + timedelta(hours=1)
    batch, runs = next(Generator(seed=2, prefix="inc", details=True, start=start).batches(count))
    assert len(runs) == count, f"the generator's first batch has {len(runs)} runs, not {count}"
    batch = batch.model_copy(update={"expected_runs": count, "completed_at": runs[-1].completed_at})
    with Store(path) as store:
        store.save_batch(batch)
        store.save_runs_chunked(runs, 2000)
        store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return batch.batch_id


# -- builds -----------------------------------------------------------------------------------------------------


class Phases:
    """Seconds per build step, from the builder's progress messages (which name the step that starts)."""

    def __init__(self) -> None:
        self.steps: list[tuple[str, float]] = []

    def __call__(self, message: str) -> None:
        if ":" in message:  # progress within a step ("run details: 100 of 1,001 chunks"), not a new step
            return
        self.steps.append((message.split(" (")[0], time.perf_counter()))

    def summary(self, end: float) -> str:
        marks = self.steps + [("", end)]
        return ", ".join(f"{name} {t1 - t0:.1f} s" for (name, t0), (_, t1) in pairwise(marks))


def timed_build(db: Path, out: Path) -> tuple[float, BuildReport, str]:
    """(wall seconds, report, seconds per step) of one build_site call."""
    os.sync()  # do not bill this build for the previous step's pending writeback
    phases = Phases()
    start = time.perf_counter()
    report = build_site(db, out, progress=phases)
    end = time.perf_counter()
    return end - start, report, phases.summary(end)


def bytes_by_folder(out: Path) -> list[tuple[str, int, int]]:
    """(folder, files, bytes) per folder holding files directly (api/runs/detail, data/runs, ...), largest first."""
    sizes: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for path in out.rglob("*"):
        if path.is_file() and not path.name.startswith(".zebench-build"):
            folder = path.parent.relative_to(out).as_posix()
            sizes["(top)" if folder == "." else folder][0] += 1
            sizes["(top)" if folder == "." else folder][1] += path.stat().st_size
    return sorted(((k, n, b) for k, (n, b) in sizes.items()), key=lambda r: -r[2])


class _Loads(HTMLParser):
    """Local files a page loads: <script src> and <link href> (not <a href>)."""

    def __init__(self) -> None:
        super().__init__()
        self.refs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        ref = a.get("src") if tag == "script" else a.get("href") if tag == "link" else None
        if ref and "://" not in ref and not ref.startswith(("data:", "//")):
            self.refs.append(ref.split("?")[0].split("#")[0])


def dashboard_weight(out: Path) -> tuple[int, int, list[tuple[str, int]]]:
    """(bytes without the Vega bundle, bytes with it, [(file, bytes)]) of index.html and what it loads."""
    html = out / "index.html"
    parser = _Loads()
    parser.feed(html.read_text(encoding="utf-8"))
    files = [("index.html", html.stat().st_size)]
    for ref in dict.fromkeys(parser.refs):
        path = (out / ref).resolve()
        files.append((ref, path.stat().st_size))
    total = sum(size for _, size in files)
    vega = sum(size for name, size in files if Path(name).name.startswith("vega-"))
    return total - vega, total, files


# -- browser ----------------------------------------------------------------------------------------------------

BASELINE_JS = """\
const spec = {
  "data": {"values": [{"k": "a", "v": 3}, {"k": "b", "v": 5}, {"k": "c", "v": 2}]},
  "mark": "bar",
  "encoding": {"x": {"field": "k", "type": "nominal"}, "y": {"field": "v", "type": "quantitative"}}
};
window.vegaEmbed(document.getElementById("chart"), spec,
                 {renderer: "svg", actions: false, ast: true, defaultStyle: false})
  .then(() => { document.body.dataset.chartsRendered = "1"; document.body.dataset.ready = "true"; });
"""


def write_baseline(folder: Path, vega_bundle: Path) -> Path:
    """A page that only loads the Vega bundle and draws one bar chart, under the site's CSP (so external
    scripts only, and the same expression interpreter as the site)."""
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(vega_bundle, folder / vega_bundle.name)
    (folder / "baseline.js").write_text(BASELINE_JS)
    page = folder / "index.html"
    page.write_text(
        '<!doctype html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{META_CONTENT_SECURITY_POLICY}">\n'
        '<title>baseline</title>\n</head>\n<body>\n<figure id="chart"></figure>\n'
        f'<script src="{vega_bundle.name}"></script>\n<script src="baseline.js"></script>\n</body>\n</html>\n'
    )
    return page


def _page_error(found: list[str], error: Any) -> None:
    found.append(str(error))


def _console_problem(found: list[str], message: Any) -> None:
    if message.type in ("error", "warning"):
        found.append(f"{message.type}: {message.text}")


def time_renders(pages: dict[str, Path], repeats: int) -> dict[str, tuple[float, str, list[str]]]:
    """label -> (median seconds to rendered, the attribute's value, problems logged) over ``repeats`` loads each,
    alternating between the pages; one untimed load of each first (the bundle read from disk, Chromium warm)."""
    from playwright.sync_api import sync_playwright

    times: dict[str, list[float]] = {label: [] for label in pages}
    values: dict[str, str] = {}
    problems: dict[str, list[str]] = {label: [] for label in pages}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        try:
            for i in range(repeats + 1):
                for label, path in pages.items():
                    context = browser.new_context()  # fresh: no memory cache or compiled code from the last load
                    page = context.new_page()
                    page.on("pageerror", partial(_page_error, problems[label]))
                    page.on("console", partial(_console_problem, problems[label]))
                    start = time.perf_counter()
                    page.goto(path.resolve().as_uri(), wait_until="load")
                    page.wait_for_selector(RENDERED, state="attached", timeout=60_000)
                    elapsed = time.perf_counter() - start
                    values[label] = page.get_attribute("body", "data-charts-rendered") or ""
                    context.close()
                    if i:
                        times[label].append(elapsed)
        finally:
            browser.close()
    return {label: (statistics.median(times[label]), values[label], sorted(set(problems[label]))) for label in pages}


# -- main -------------------------------------------------------------------------------------------------------


def mb(n: int) -> str:
    return f"{n / 1e6:,.1f} MB"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, help="runs in the database (default 100,000; 10,000 with --quick)")
    parser.add_argument(
        "--db",
        type=Path,
        help="database file, reused when it holds >= --runs runs (default /tmp/zebench-bench-site-<runs>.db)",
    )
    parser.add_argument("--rebuild", action="store_true", help="build the database even if it is cached")
    parser.add_argument("--repeats", type=int, default=5, help="page loads per figure (median reported)")
    parser.add_argument(
        "--build-repeats",
        type=int,
        default=1,
        help="full builds, each into an empty folder (median reported; ~1-2 min each at 100k)",
    )
    parser.add_argument("--keep", action="store_true", help="keep the built site (and the database copy)")
    parser.add_argument("--quick", action="store_true", help="a 10,000-run database, to try the script out")
    args = parser.parse_args()
    runs = args.runs or (10_000 if args.quick else 100_000)
    label = f"{runs // 1000}k" if runs % 1000 == 0 else str(runs)
    db = args.db or Path(f"/tmp/zebench-bench-site-{label}.db")
    print(
        f"zebench build-site benchmarks ({runs:,} runs; Python {sys.version.split()[0]}, "
        f"SQLite {sqlite3.sqlite_version}, {os.cpu_count()} CPUs)",
        flush=True,
    )

    rows: list[tuple[str, str, str, bool | None]] = []  # label, value, target, ok (None: no target)
    have = count_runs(db)
    if args.rebuild or have < runs:
        print(f"building {db} ({runs:,} runs with details; found {have:,})", flush=True)
        seconds, batches = build_db(db, runs)
        print(f"  database: {runs:,} runs, {batches:,} batches in {seconds:.1f} s", flush=True)
        rows.append(("database build (not a target)", f"{seconds:.1f} s  ({runs / seconds:,.0f} runs/s)", "", None))
    else:
        print(f"  database: cached, {db} holds {have:,} runs (--rebuild to build again)", flush=True)
        runs = have
    db_size = sum(f.stat().st_size for f in db_files(db)[:2] if f.exists())
    print(f"  database size: {mb(db_size)}", flush=True)

    tmp = Path(tempfile.mkdtemp(prefix="zebench-bench-site-"))
    try:
        work_db = tmp / "site.db"
        copy_db(db, work_db)  # the builds (and the added runs) use a copy: the cache stays at N runs

        # 1. full builds, each into an empty folder (a full build into a built folder only rewrites changes)
        fulls: list[float] = []
        out = tmp / "site"
        for i in range(args.build_repeats):
            if out.exists():
                shutil.rmtree(out)
            seconds, report, steps = timed_build(work_db, out)
            fulls.append(seconds)
            print(
                f"  full build {i + 1}: {seconds:.1f} s ({steps}); {report.runs:,} runs, {report.batches:,} "
                f"batches, {len(report.written):,} files written",
                flush=True,
            )
        full_s = statistics.median(fulls)
        rows.append(
            (
                f"full build ({runs:,} runs, {report.batches:,} batches)",
                f"{full_s:.1f} s" + (f"  (median of {len(fulls)})" if len(fulls) > 1 else ""),
                f"<= {FULL_TARGET_S:g} s",
                full_s <= FULL_TARGET_S,
            )
        )

        # 3. size of the full build
        rows.append(("site files", f"{report.files:,}", f"<= {FILES_TARGET:,}", report.files <= FILES_TARGET))
        rows.append(("site size", mb(report.bytes), f"<= {SIZE_TARGET_MB:g} MB", report.bytes / 1e6 <= SIZE_TARGET_MB))
        folders = bytes_by_folder(out)
        own, with_vega, loaded = dashboard_weight(out)
        rows.append(
            (
                "dashboard: index.html + its CSS/JS",
                f"{own / 1e3:,.0f} kB",
                f"<= {DASHBOARD_TARGET_MB:g} MB",
                own / 1e6 <= DASHBOARD_TARGET_MB,
            )
        )
        rows.append(("dashboard including the Vega bundle", mb(with_vega), "", None))

        # 2. incremental build after 100 new runs. The builder falls back to a full build when its fingerprint
        # (templates, builder.py, charts.py) changed since the last build: files edited while this script runs
        # would make that figure a full build's, so it is then measured once more with another new batch.
        for attempt in range(2):
            batch_id = add_runs(work_db, INCREMENT)
            inc_s, inc, steps = timed_build(work_db, out)
            print(
                f"  incremental build: {inc_s:.1f} s ({steps}); {len(inc.written):,} files written, "
                f"{inc.unchanged:,} unchanged, {len(inc.removed):,} removed",
                flush=True,
            )
            if not inc.full:
                break
            print(
                "  that was a full build: the templates or the builder changed on disk since the previous build"
                + ("; measuring again with another new batch" if attempt == 0 else ""),
                flush=True,
            )
        rows.append(
            (
                f"incremental build (+{INCREMENT} runs, new batch)" + (" (full!)" if inc.full else ""),
                f"{inc_s:.2f} s  ({len(inc.written):,} files written)",
                f"<= {INCREMENTAL_TARGET_S:g} s",
                inc_s <= INCREMENTAL_TARGET_S and not inc.full,
            )
        )

        # 4. charts rendered in headless Chromium (on the site after the incremental build: what a visitor sees)
        vega = next(out / ref for ref, _ in loaded if Path(ref).name.startswith("vega-"))
        baseline = write_baseline(tmp / "baseline", vega)
        renders = time_renders(
            {"dashboard": out / "index.html", "baseline": baseline, "runs": out / "runs.html"}, args.repeats
        )
        dash_s, charts, dash_problems = renders["dashboard"]
        base_s, _, base_problems = renders["baseline"]
        charts_line = (
            f"charts rendered: {dash_s:.2f} s (baseline one-chart page: {base_s:.2f} s, ratio {dash_s / base_s:.1f})"
        )
        print(f"  {charts_line}; {charts} charts, median of {args.repeats} loads", flush=True)
        for name, problems in (("dashboard", dash_problems), ("baseline", base_problems)):
            for problem in problems[:5]:
                print(f"  {name} logged: {problem}", flush=True)
        rows.append(
            (
                f"dashboard charts rendered ({charts} charts)",
                f"{dash_s:.2f} s  (baseline {base_s:.2f} s, ratio {dash_s / base_s:.1f})",
                f"<= {CHARTS_TARGET_S:g} s",
                dash_s <= CHARTS_TARGET_S,
            )
        )
        runs_s, _, runs_problems = renders["runs"]
        print(f"  runs page ready (every run loaded into the table): {runs_s:.2f} s", flush=True)
        for problem in runs_problems[:5]:
            print(f"  runs page logged: {problem}", flush=True)
        rows.append(("runs page ready, all runs in the table (not a target)", f"{runs_s:.2f} s", "", None))

        print(
            f"\nzebench build-site benchmarks ({runs:,} runs; database {db}, {mb(db_size)}; page loads: median of "
            f"{args.repeats} in headless Chromium)"
        )
        missed = 0
        for name, value, target, ok in rows:
            missed += ok is False
            verdict = "" if ok is None else "PASS" if ok else "FAIL"
            print(f"  {name:48} {value:44} {target:12} {verdict}".rstrip())
        print(f"  {charts_line}")
        print(f"site by folder ({report.files:,} files, {mb(report.bytes)}; full build):")
        for folder, n, size in folders:
            print(f"  {folder:28} {n:>7,} files  {size / 1e6:>10,.2f} MB")
        print("dashboard loads:")
        for name, size in loaded:
            print(f"  {name:40} {size / 1e3:>10,.1f} kB")
        print(
            f"incremental build: new batch {batch_id}; written: "
            + ", ".join(sorted(inc.written)[:12])
            + (" ..." if len(inc.written) > 12 else "")
        )
        if args.keep:
            print(
                f"kept: site {out} (open {(out / 'index.html').as_uri()}), database copy {work_db}, baseline {baseline}"
            )
        return 1 if missed else 0
    finally:
        if not args.keep:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
