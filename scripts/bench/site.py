#!/usr/bin/env python3
"""Static report site benchmarks (``zebench build-site``) of real-sized runs, at 100,000 and 1,000,000 runs.

1. full build: ``build_site`` of a database of N real-sized runs (default 100,000; scripts/bench/benchdb.py:
   records of the sizes of real ones, about 15 KB of JSON like an oracle run of the bundled suites and a tenth with
   a model run's ~100 KB transcript; 1,000,000: the 100,000 copied ten times, shifted in time) into an empty folder.
   The database is cached and reused (--rebuild builds it again). Run once by default (--build-repeats); below
   1,000,000 runs its time at 1,000,000 is extrapolated linearly (each stage reads or writes every run once);
2. incremental build: after the full build, 100 new runs (one new batch) are added to the database and
   ``build_site`` runs again on the same folder; the figure is its time and the files it wrote. The batch is
   taken out of the database again afterwards (the cache stays as it was: a 30 GB file is not copied);
3. size: files and bytes of the built site (by folder), and the dashboard's weight: index.html plus every file it
   loads (its <script src> and <link href>), with and without the Vega bundle. Below 1,000,000 runs the size and
   files at 1,000,000 are extrapolated from the measured ones: the parts that grow with the runs (the run archive,
   the runs table's index, batches and their files) times 1,000,000 / N, plus the parts that do not (the newest
   runs' chunks, the pages, the assets, the newest 10,000 runs of the original's shape);
4. charts rendered: headless Chromium (Debian's, driven by Playwright) opens file://.../index.html in a fresh
   context and page; the time is the wall clock from page.goto() until ``body[data-charts-rendered]`` is set by
   site.js (every chart drawn). Median of --repeats loads, after one untimed load; compared with a baseline page
   that loads the same Vega bundle and draws one trivial bar chart with the same vegaEmbed options and CSP.

Targets (issue 25, at 1,000,000 runs): full build <= 600 s; incremental <= 5 s; files <= 20,000 and size <= 1 GB
(GitHub Pages: 1 GB; Cloudflare Pages: 20,000 files; measured at 1M, else extrapolated); charts rendered <= 2 s;
dashboard HTML plus its own assets <= 1.5 MB (MB: 10^6 bytes). Exit status 1 when one is missed. Timings are wall
clock on a possibly shared machine (the load average is printed): run again before trusting a near miss.

The full build makes the run details and the batches' files in worker processes while the builder's own process
makes the rest, so its steps overlap: each build prints the steps of the builder's process (the last, "workers",
waits for the workers' last units) and the CPU seconds of each kind of unit, wherever made (where the time goes:
scripts/bench/site_profile.py breaks each kind down).

Usage: python scripts/bench/site.py [--runs N] [--db PATH] [--rebuild] [--quick] [--repeats N]
       [--build-repeats N] [--keep] [--full-only]

--full-only measures the full builds and the size only, reading the database without writing to it (the other
figures add a batch and take it out again): ``--runs 1000000 --full-only`` measures a million runs directly on a
database other benchmarks use.
"""

from __future__ import annotations

import argparse
import json
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
import benchdb  # scripts/bench/benchdb.py: the real-sized databases

from tests.browser import CHROMIUM_ARGS, chromium_path

FULL_TARGET_S = 600.0
INCREMENTAL_TARGET_S = 5.0
CHARTS_TARGET_S = 2.0
FILES_TARGET = 20_000
SIZE_TARGET_MB = 1000.0
#: The number of runs the size and file targets are for.
TARGET_RUNS = 1_000_000
DASHBOARD_TARGET_MB = 1.5
INCREMENT = 100
#: Set by site.js once every chart is drawn. A selector, not a JS predicate: polling a predicate
#: (page.wait_for_function) needs eval, which the pages' CSP forbids.
RENDERED = "body[data-charts-rendered][data-ready]"  # charts drawn and the page's own script done (runs table)


# -- database ---------------------------------------------------------------------------------------------------

#: The added batch's id: a leftover of a killed run of this script is taken out before measuring.
INCREMENT_BATCH = "bench-site-increment"


def add_runs(path: Path, count: int) -> str:
    """A new batch of ``count`` real-sized runs, later than everything in the database (as a new batch would be)."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        as_of = zstore.query_data_as_of(conn)
    finally:
        conn.close()
    assert as_of, "empty database"
    start = datetime.fromisoformat(as_of) + timedelta(hours=1)
    batch, runs = next(Generator(seed=2, prefix="inc", real_sizes=True, start=start).batches(count))
    assert len(runs) == count, f"the generator's first batch has {len(runs)} runs, not {count}"
    runs = [r.model_copy(update={"batch_id": INCREMENT_BATCH}) for r in runs]
    batch = batch.model_copy(
        update={"batch_id": INCREMENT_BATCH, "expected_runs": count, "completed_at": runs[-1].completed_at}
    )
    with Store(path) as store:
        store.save_batch(batch)
        store.save_runs_chunked(runs, 2000)
        store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return batch.batch_id


def remove_batch(path: Path, batch_id: str) -> int:
    """Take a batch and its runs out of the database (the summary tables' triggers follow): the runs removed."""
    with Store(path) as store, store.conn as conn:
        ids = [r[0] for r in conn.execute("SELECT run_id FROM benchmark_runs WHERE batch_id = ?", (batch_id,))]
        conn.execute("DELETE FROM benchmark_runs WHERE batch_id = ?", (batch_id,))  # before its parts: see m014
        for table in zstore.RUN_CHILD_TABLES:
            conn.execute(f"DELETE FROM [{table}] WHERE run_id IN (SELECT value FROM json_each(?))", (json.dumps(ids),))
        conn.execute("DELETE FROM batch_runs WHERE batch_id = ?", (batch_id,))
    return len(ids)


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


def work(report: BuildReport) -> str:
    """The CPU seconds of the build's units by kind (in the worker processes or this one): where the time goes, as
    the steps overlap (the workers make the run details and batches while this process makes the rest)."""
    kinds = ", ".join(f"{kind} {seconds:.1f} s" for kind, seconds in sorted(report.work.items()))
    return f"CPU of the units: {kinds or 'none'}"


def bytes_by_folder(out: Path) -> list[tuple[str, int, int]]:
    """(folder, files, bytes) per folder holding files directly (api/runs/detail, data/runs, ...), largest first."""
    sizes: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for path in out.rglob("*"):
        if path.is_file() and not path.name.startswith(".zebench-build"):
            folder = path.parent.relative_to(out).as_posix()
            sizes["(top)" if folder == "." else folder][0] += 1
            sizes["(top)" if folder == "." else folder][1] += path.stat().st_size
    return sorted(((k, n, b) for k, (n, b) in sizes.items()), key=lambda r: -r[2])


def grows_with_runs(rel: str) -> bool:
    """Whether a file of the site is of a part that grows with the runs (the run archive, the runs table's index,
    the batches' files) rather than one of a fixed size (the newest runs' chunks, the pages, the assets, the API
    mirror's newest runs and statistics)."""
    name = rel.rsplit("/", 1)[-1]
    return (
        (rel.startswith("data/runs/") and name.startswith("a"))
        or rel.startswith(("data/runs-index/", "data/batch-", "batches/", "downloads/", "api/v2/batches/"))
        or rel in ("api/batches/index.json", "data/manifest.js", "sitemap.xml")
    )


def extrapolated(out: Path, runs: int, target: int = TARGET_RUNS) -> tuple[int, int, int, int]:
    """(files, bytes) of the site at ``target`` runs from this one at ``runs``: the parts that grow with the runs
    times target / runs, plus the others; then (files, bytes) of the growing parts as measured."""
    grow = [0, 0]
    fixed = [0, 0]
    for path in out.rglob("*"):
        if path.is_file() and not path.name.startswith(".zebench-build"):
            part = grow if grows_with_runs(path.relative_to(out).as_posix()) else fixed
            part[0] += 1
            part[1] += path.stat().st_size
    scale = target / runs
    return round(fixed[0] + grow[0] * scale), round(fixed[1] + grow[1] * scale), grow[0], grow[1]


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


def print_rows(
    rows: list[tuple[str, str, str, bool | None]],
    runs: int,
    db: Path,
    db_size: int,
    load: str,
    folders: list[tuple[str, int, int]],
    report: BuildReport,
    loaded: list[tuple[str, int]],
) -> None:
    """The figures with their targets, the site's bytes by folder and what the dashboard loads."""
    print(f"\nzebench build-site benchmarks ({runs:,} runs; database {db}, {mb(db_size)}; {load} before the builds)")
    for name, value, target, ok in rows:
        verdict = "" if ok is None else "PASS" if ok else "FAIL"
        print(f"  {name:48} {value:44} {target:12} {verdict}".rstrip())
    print(f"site by folder ({report.files:,} files, {mb(report.bytes)}; full build):")
    for folder, n, size in folders:
        print(f"  {folder:28} {n:>7,} files  {size / 1e6:>10,.2f} MB")
    print("dashboard loads:")
    for name, size in loaded:
        print(f"  {name:40} {size / 1e3:>10,.1f} kB")


def mb(n: int) -> str:
    return f"{n / 1e6:,.1f} MB"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        "--runs", type=int, help="runs in the database (default 100,000; 1,000,000 is the issue's size; 10,000 --quick)"
    )
    parser.add_argument(
        "--db",
        type=Path,
        help="database file, reused when it holds >= --runs real-sized runs (default: benchdb's for 100k and 1M)",
    )
    parser.add_argument("--rebuild", action="store_true", help="build the database even if it is cached")
    parser.add_argument("--repeats", type=int, default=5, help="page loads per figure (median reported)")
    parser.add_argument(
        "--build-repeats",
        type=int,
        default=1,
        help="full builds, each into an empty folder (median reported)",
    )
    parser.add_argument("--keep", action="store_true", help="keep the built site")
    parser.add_argument("--quick", action="store_true", help="a 10,000-run database, to try the script out")
    parser.add_argument(
        "--full-only",
        action="store_true",
        help="the full builds and the site's size only, the database only read (no incremental build, no browser): "
        "for a database others use, such as the million-run one",
    )
    args = parser.parse_args()
    runs = args.runs or (10_000 if args.quick else 100_000)
    label = f"{runs // 1000}k" if runs % 1000 == 0 else str(runs)
    db = args.db or {100_000: benchdb.SITE_DB, 1_000_000: benchdb.MILLION_DB}.get(
        runs, Path(f"/tmp/zebench-bench-site-{label}.db")
    )
    print(
        f"zebench build-site benchmarks ({runs:,} runs; Python {sys.version.split()[0]}, "
        f"SQLite {sqlite3.sqlite_version}, {os.cpu_count()} CPUs)",
        flush=True,
    )

    rows: list[tuple[str, str, str, bool | None]] = []  # label, value, target, ok (None: no target)
    if args.full_only:  # nothing written: the database must be there, whole and current
        have = benchdb.count_runs(db, real_sizes=True)
        if have < runs or benchdb.pending(db):
            print(
                f"  {db} holds {have:,} real-sized runs or lacks migrations: run without --full-only once", flush=True
            )
            return 2
        print(f"  database: {db} holds {have:,} real-sized runs (read only)", flush=True)
    else:
        print(f"  database: {benchdb.ensure(db, runs, rebuild=args.rebuild)}", flush=True)
        if zstore.batch_exists(sqlite3.connect(f"file:{db}?mode=ro", uri=True), INCREMENT_BATCH):
            print(f"  taking out {remove_batch(db, INCREMENT_BATCH)} runs left by a run of this script", flush=True)
        with Store(db):  # migrations pending since the file was built are applied once, before timing
            pass
    runs = benchdb.count_runs(db)
    db_size = benchdb.db_bytes(db)
    print(f"  database size: {mb(db_size)} ({runs:,} runs)", flush=True)
    load = "load average {:.2f} {:.2f} {:.2f}".format(*os.getloadavg())
    print(f"  {load} before the builds", flush=True)

    tmp = Path(tempfile.mkdtemp(prefix="zebench-bench-site-"))
    added = False
    try:
        # 1. full builds, each into an empty folder (a full build into a built folder only rewrites changes)
        fulls: list[float] = []
        out = tmp / "site"
        for i in range(args.build_repeats):
            if out.exists():
                shutil.rmtree(out)
            seconds, report, steps = timed_build(db, out)
            fulls.append(seconds)
            print(
                f"  full build {i + 1}: {seconds:.1f} s ({steps}); {report.runs:,} runs, {report.batches:,} "
                f"batches, {len(report.written):,} files written; {work(report)}",
                flush=True,
            )
        full_s = statistics.median(fulls)
        at_scale = runs >= TARGET_RUNS
        rows.append(
            (
                f"full build ({runs:,} runs, {report.batches:,} batches)",
                f"{full_s:.1f} s" + (f"  (median of {len(fulls)})" if len(fulls) > 1 else ""),
                f"<= {FULL_TARGET_S:g} s" if at_scale else "",
                full_s <= FULL_TARGET_S if at_scale else None,
            )
        )
        if not at_scale:
            # every stage of a full build reads or writes each run once: its time grows with the runs (an upper
            # bound for the aggregate pages, which read summary tables)
            scaled = full_s * TARGET_RUNS / runs
            rows.append(
                (
                    "full build at 1,000,000 runs (extrapolated)",
                    f"{scaled:.0f} s",
                    f"<= {FULL_TARGET_S:g} s",
                    scaled <= FULL_TARGET_S,
                )
            )

        # 3. size of the full build, at 1,000,000 runs measured or extrapolated
        files, size, grow_files, grow_bytes = extrapolated(out, runs)
        measured = runs >= TARGET_RUNS
        rows.append(
            (
                "site files",
                f"{report.files:,}",
                f"<= {FILES_TARGET:,}" if measured else "",
                None if not measured else report.files <= FILES_TARGET,
            )
        )
        rows.append(
            (
                "site size",
                mb(report.bytes),
                f"<= {SIZE_TARGET_MB:g} MB" if measured else "",
                None if not measured else report.bytes / 1e6 <= SIZE_TARGET_MB,
            )
        )
        rows.append(
            (
                "  per run (the parts that grow with runs)",
                f"{grow_bytes / runs:,.0f} bytes, {grow_files / runs:.4f} files",
                "",
                None,
            )
        )
        if not measured:
            rows.append(
                (
                    "site files at 1,000,000 runs (extrapolated)",
                    f"{files:,}",
                    f"<= {FILES_TARGET:,}",
                    files <= FILES_TARGET,
                )
            )
            rows.append(
                (
                    "site size at 1,000,000 runs (extrapolated)",
                    mb(size),
                    f"<= {SIZE_TARGET_MB:g} MB",
                    size / 1e6 <= SIZE_TARGET_MB,
                )
            )
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

        if args.full_only:
            print_rows(rows, runs, db, db_size, load, folders, report, loaded)
            return 1 if any(ok is False for *_, ok in rows) else 0

        # 2. incremental build after 100 new runs. The builder falls back to a full build when its fingerprint
        # (templates, builder.py, charts.py) changed since the last build: files edited while this script runs
        # would make that figure a full build's, so it is then measured once more with another new batch.
        for attempt in range(2):
            if added:
                remove_batch(db, INCREMENT_BATCH)
            batch_id = add_runs(db, INCREMENT)
            added = True
            inc_s, inc, steps = timed_build(db, out)
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
        print(f"  runs page ready (the newest runs loaded into the table): {runs_s:.2f} s", flush=True)
        for problem in runs_problems[:5]:
            print(f"  runs page logged: {problem}", flush=True)
        rows.append(("runs page ready, newest runs in the table (not a target)", f"{runs_s:.2f} s", "", None))

        print_rows(
            rows,
            runs,
            db,
            db_size,
            f"page loads: median of {args.repeats} in headless Chromium; {load}",
            folders,
            report,
            loaded,
        )
        print(f"  {charts_line}")
        print(
            f"incremental build: new batch {batch_id}; written: "
            + ", ".join(sorted(inc.written)[:12])
            + (" ..." if len(inc.written) > 12 else "")
        )
        if args.keep:
            print(f"kept: site {out} (open {(out / 'index.html').as_uri()}), baseline {baseline}")
        return 1 if any(ok is False for *_, ok in rows) else 0
    finally:
        if added:
            remove_batch(db, INCREMENT_BATCH)
        if not args.keep:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
