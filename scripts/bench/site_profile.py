#!/usr/bin/env python3
"""Where a full build of the static site spends its time (docs/performance.md, "Static site at a million real-sized
runs"): CPU seconds, in this process, of each step of the three kinds of units the worker processes make in a full
build, on a sample of each, from a real-sized database (scripts/bench/benchdb.py; default the 100,000-run one).

1. an archive chunk (data/runs/a<m>.js, ARCHIVE_CHUNK runs): the query that makes its JSON in SQLite
   (store.query_run_archive_range), the assembly of the columns, gzip and base64;
2. a chunk of the newest runs (data/runs/<n>.js, DETAIL_CHUNK runs): reading the details (store.query_run_details
   _range), the run view's cuts (site_detail), JSON, gzip;
3. a batch's files (_Builder.build_batch): each query and step, query_unsuccessful (why runs were not successful)
   apart within the batch's detail.

Times are CPU seconds of this process (time.process_time), so another job on the machine changes them less than
wall-clock times; the database is read once before (the page cache warm, as in a build).

Usage: python scripts/bench/site_profile.py [--db PATH] [--chunks N] [--batches N]
"""

from __future__ import annotations

import argparse
import base64
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from zebench import store
from zebench.report import analysis
from zebench.site import builder
from zebench.store import open_for_reading
from zebench.store.queries import batches as batch_queries

DEFAULT_DB = Path("/tmp/zebench-bench-site-100k.db")


class Steps:
    """CPU seconds per step name, added up over calls."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}

    def time(self, step: str, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Any:
        start = time.process_time()
        try:
            return fn(*args, **kwargs)
        finally:
            self.seconds[step] = self.seconds.get(step, 0.0) + time.process_time() - start

    def wrap(self, owner: Any, attribute: str, name: str) -> None:
        """Time every call of ``owner.attribute`` under ``name`` (for the calls made inside build_batch)."""
        fn = getattr(owner, attribute)
        self.seconds.setdefault(name, 0.0)  # listed in the order wrapped

        def timed(*args: Any, **kwargs: Any) -> Any:
            return self.time(name, fn, *args, **kwargs)

        setattr(owner, attribute, timed)

    def print(self, title: str, count: int, unit: str, units: str) -> None:
        total = sum(v for k, v in self.seconds.items() if not k.startswith(" "))
        print(f"{title}: {1000 * total / count:,.1f} ms CPU per {unit} ({count} {units})")
        for name, seconds in self.seconds.items():
            share = f"{100 * seconds / total:4.0f}%" if total else ""
            print(f"  {name:44} {1000 * seconds / count:8.1f} ms  {share}")


def archive_chunks(conn: Any, numbers: list[int], warm: bool = False) -> None:
    steps = Steps()
    cuts = builder.archive_cuts()
    for m in numbers:
        lo, hi = m * builder.ARCHIVE_CHUNK, (m + 1) * builder.ARCHIVE_CHUNK - 1
        archived = steps.time("query (JSON made by SQLite)", store.query_run_archive_range, conn, lo, hi, cuts)

        def assemble(archived: store.ArchivedRuns = archived) -> str:
            cut = builder.json_text([{"text": cuts.text, **c} for c in archived.counts])
            parts = ",".join(f"{builder.json_text(k)}:{v}" for k, v in archived.parts.items())
            return f'{{"ids":{builder.json_text(archived.run_ids)},"parts":{{{parts},"cut":{cut}}}}}'

        text = steps.time("columns assembled", assemble)
        level = builder.ARCHIVE_GZIP_LEVEL
        packed = steps.time(f"gzip (level {level})", builder._gzip, text.encode(), level)
        steps.time("base64", base64.b64encode, packed)
    if not warm:
        steps.print("archive chunk", len(numbers), "chunk", "chunks")


def detail_chunks(conn: Any, numbers: list[int], warm: bool = False) -> None:
    steps = Steps()
    for n in numbers:
        lo, hi = n * builder.DETAIL_CHUNK, (n + 1) * builder.DETAIL_CHUNK - 1
        rows = steps.time(
            "details read (query_run_details_range)", store.query_run_details_range, conn, lo, hi, transcripts=True
        )
        details = steps.time(
            "cut (site_detail)", lambda rows=rows: {d["run"]["runId"]: builder.site_detail(d) for d in rows}
        )
        text = steps.time("JSON", builder.json_text, details)
        packed = steps.time(f"gzip (level {builder.GZIP_LEVEL})", builder._gzip, text.encode())
        steps.time("base64", base64.b64encode, packed)
    if not warm:
        steps.print("chunk of the newest runs", len(numbers), "chunk", "chunks")


def batches(conn: Any, count: int, warm: bool = False) -> None:
    out = Path(".")  # a builder writing to memory: nothing is written
    worker = builder._Builder(
        conn, out, builder.BuildReport(out=out, full=True), base_url=None, full=True, output=builder.MemoryOutput()
    )
    rows = worker.all_batches()
    created = [b["batchId"] for b in reversed(rows)]
    previous = analysis.previous_comparable_batches(conn, created)
    worker.batch_files = builder.batch_file_names(created)
    worker.env.filters["batch_file"] = worker.batch_files.__getitem__
    worker.assets = {"vega": "assets/vega.js", "site_js": "s.js", "views_js": "v.js", "site_css": "s.css"}
    sample = [b["batchId"] for b in rows][: count + 1]  # newest first, as a build makes them
    first = sample.pop(0)
    worker.build_batch(first, worker.batch_files[first], previous.get(first))  # imports and templates compiled
    steps = Steps()
    steps.time("database's echo runs (once per process)", worker.database_echo)
    originals = [
        (owner, attribute, getattr(owner, attribute))
        for owner, attribute in (
            (store, "query_batch_detail"),
            (batch_queries, "query_unsuccessful"),
            (store, "query_batch_run_rows"),
            (builder, "_csv"),
            (store, "query_item_counts"),
            (analysis, "leaderboard"),
            (store, "query_echo_baseline"),
            (builder, "batch_page"),
            (builder, "_gzip"),
        )
    ]
    worker.counts.clear()
    steps.wrap(store, "query_batch_detail", "batch detail (query_batch_detail)")
    steps.wrap(batch_queries, "query_unsuccessful", "   of which query_unsuccessful")
    steps.wrap(store, "query_batch_run_rows", "runs for the CSV (query_batch_run_rows)")
    steps.wrap(builder, "_csv", "CSV")
    steps.wrap(store, "query_item_counts", "item counts (query_item_counts)")
    steps.wrap(analysis, "leaderboard", "leaderboard of the batch (statistics)")
    steps.wrap(store, "query_echo_baseline", "echo baseline (query_echo_baseline)")
    steps.wrap(builder, "batch_page", "charts (batch_page: Altair)")
    steps.wrap(worker, "page", "page rendered (Jinja2)")
    steps.wrap(builder, "_gzip", "gzip")
    for batch_id in sample:
        name = worker.batch_files[batch_id]
        steps.time("batch (build_batch, all)", worker.build_batch, batch_id, name, previous.get(batch_id))
    total = steps.seconds.pop("batch (build_batch, all)")
    parts = sum(v for k, v in steps.seconds.items() if not k.startswith(" ") and "once" not in k)
    steps.seconds["the rest"] = total - parts
    for owner, attribute, fn in originals:
        setattr(owner, attribute, fn)
    if not warm:
        steps.print("batch", len(sample), "batch", "batches")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", type=Path, default=DEFAULT_DB, help="a real-sized database (benchdb.py)")
    parser.add_argument("--chunks", type=int, default=10, help="chunks of each kind timed")
    parser.add_argument("--batches", type=int, default=30, help="batches timed")
    args = parser.parse_args()
    with open_for_reading(args.db) as reader:
        conn = reader.conn
        (last,) = conn.execute("SELECT MAX(id) FROM benchmark_runs").fetchone()
        recent = builder.recent_from(last)
        archived = recent // builder.ARCHIVE_CHUNK
        step = max(1, archived // args.chunks)
        print(f"{args.db}: {last:,} run row ids, archive chunks 0-{archived - 1}, newest runs from {recent:,}")
        for warm in (True, False):  # the first pass reads the sample into the page cache; the second is timed
            archive_chunks(conn, list(range(0, archived, step))[: args.chunks], warm)
            detail_chunks(
                conn,
                list(range(recent // builder.DETAIL_CHUNK, last // builder.DETAIL_CHUNK + 1))[-args.chunks :],
                warm,
            )
            batches(conn, args.batches, warm)


if __name__ == "__main__":
    main()
