#!/usr/bin/env python3
"""API and store benchmarks at scale (issue: API performance at 1M runs). Prints percentiles and medians.

1. build: a synthetic database of N runs (default 1,000,000) written through the store: 10 agents (some with two
   models), 200 scenarios in 10 suites, tiers L0-L3 and Lx, ~N/1000 batches (each saved with its expectedRuns),
   mostly completed runs with some failed/timeout/cancelled ones, 5-6 evaluations and telemetry per run. Cached:
   --db is reused when it already holds >= N runs (--rebuild forces a new one);
2. GET latency: ``zebench serve`` on 127.0.0.1 in a subprocess, one keep-alive client, p50 and p95 per endpoint
   with ids and filters varied across requests (5 untimed requests per endpoint first). The database file is read
   once before (warm page cache; --cold to skip): a cold 2 GB file on a slow disk gives p95s of 300 ms and more;
3. POST /api/results: records per second, one record per request and 100 records per request;
4. ingest: ``ingest_paths`` of a JSONL file of 100,000 runs into a fresh database vs. raw sqlite3 executemany of
   the same rows (``store.run_rows``) in one transaction into a fresh database of the same schema; the figure is
   baseline seconds / ingest seconds (median of --repeats).

Targets at 1M runs: every GET p95 <= 50 ms (the bulk reads of the original's shapes, 10,000 runs or a whole
batch at once: <= 1 s); ingest ratio >= 0.25. Exit status 1 when a target is missed.
Usage: python scripts/bench/api.py [--runs N] [--db PATH] [--rebuild] [--quick] [--requests N] [--repeats N]
       [--posts N] [--ingest-runs N] [--skip http post ingest] [--cold]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shlex
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import zlib
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import httpx

from zebench.io.ingest import ingest_paths
from zebench.models import RunRecord
from zebench.store import Store, run_rows
from zebench.testing.synthetic import TIERS, Generator

REPO = Path(__file__).resolve().parents[2]
TOKEN = "bench-token-not-a-secret"
GET_TARGET_MS = 50.0
INGEST_TARGET = 0.25


def code_version() -> str:
    """The commit measured (the server runs the work tree), with a note when zebench/ has local changes."""
    try:
        head = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True, text=True, check=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--", "zebench"], cwd=REPO, capture_output=True, text=True, check=True
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown (not a git checkout)"
    return f"{head}{' + local changes in zebench/' if dirty else ''}"


def remove_db(path: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(str(path) + suffix).unlink(missing_ok=True)


def warm_cache(path: Path) -> str:
    """Read the database once, so that the figures are warm-cache ones whatever evicted it since the build."""
    start, total = time.perf_counter(), 0
    for suffix in ("", "-wal"):
        if Path(str(path) + suffix).exists():
            with open(str(path) + suffix, "rb") as f:
                while chunk := f.read(16 << 20):
                    total += len(chunk)
    return f"read {total / 1e9:.2f} GB in {time.perf_counter() - start:.1f} s before serving"


def count_runs(path: Path) -> int:
    if not path.exists():
        return 0
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            n: int = conn.execute("SELECT COUNT(*) FROM benchmark_runs").fetchone()[0]
            return n
        finally:
            conn.close()
    except sqlite3.Error:
        return 0


def build_db(path: Path, runs: int, chunk: int) -> tuple[float, int]:
    """Write ``runs`` synthetic runs through the store; (seconds, batches)."""
    remove_db(path)
    store = Store(path)
    start = time.perf_counter()
    pending: list[RunRecord] = []
    batches = written = 0
    last_report = start

    def flush() -> None:
        nonlocal written, last_report
        store.save_runs_chunked(pending, 2000)
        written += len(pending)
        pending.clear()
        now = time.perf_counter()
        if now - last_report > 30 or written >= runs:
            print(
                f"  built {written:,} runs, {batches:,} batches in {now - start:.0f} s "
                f"({written / (now - start):,.0f} runs/s)",
                flush=True,
            )
            last_report = now

    for batch, records in Generator(seed=1).batches(runs):
        store.save_batch(batch)  # before its runs: expected_runs and metadata; totals recomputed from the runs
        batches += 1
        for record in records:
            pending.append(record)
            if len(pending) >= chunk:
                flush()
    if pending:
        flush()
    store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    store.close()
    return time.perf_counter() - start, batches


# -- HTTP -------------------------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def start_server(db: Path, log: Path) -> tuple[subprocess.Popen[bytes], str, list[str]]:
    port = free_port()
    cmd = [sys.executable, "-m", "zebench", "serve", "--db", str(db), "--port", str(port)]
    env = {**os.environ, "ZE_BENCHMARKS_API_KEY": TOKEN}
    with open(log, "wb") as out:
        proc = subprocess.Popen(cmd, cwd=REPO, env=env, stdout=out, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"server exited with status {proc.returncode}; see {log}")
        try:
            if httpx.get(f"{base}/health", timeout=2).status_code == 200:
                return proc, base, cmd
        except httpx.HTTPError:
            pass
        time.sleep(0.25)
    proc.terminate()
    raise SystemExit(f"server not ready after 180 s; see {log}")


def stop_server(proc: subprocess.Popen[bytes]) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, int(round(p / 100 * len(ordered) + 0.5)) - 1))]


def sample_ids(db: Path, n: int, rng: random.Random) -> dict[str, Any]:
    """Run ids, batch ids, agents and scenarios to vary requests over (read before the server starts)."""
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        max_id = conn.execute("SELECT MAX(id) FROM benchmark_runs").fetchone()[0]
        ids = rng.sample(range(1, max_id + 1), min(max_id, n * 3))
        run_ids = [
            r[0]
            for r in conn.execute(
                "SELECT run_id FROM benchmark_runs WHERE id IN (SELECT value FROM json_each(?))", (json.dumps(ids),)
            )
        ]
        rng.shuffle(run_ids)
        batch_ids = [r[0] for r in conn.execute("SELECT batch_id FROM batch_runs WHERE total_runs > 0")]
        agents = [r[0] for r in conn.execute("SELECT DISTINCT agent FROM agg_agents")]
        scenarios = [tuple(r) for r in conn.execute("SELECT DISTINCT suite, scenario FROM agg_scenarios")]
    finally:
        conn.close()
    return {"runs": run_ids, "batches": batch_ids, "agents": agents, "scenarios": scenarios}


#: Reads that answer thousands of rows at once (the original dashboard's /api/runs?limit=10000, a batch with all of
#: its ~1,000 runs) have their own target.
BULK_TARGET_MS = 1000.0


def get_endpoints(client: httpx.Client, ids: dict[str, Any], rng: random.Random) -> dict[str, tuple[Any, float]]:
    """Endpoint label -> (function(i) giving the i-th request's path, target p95 ms)."""
    runs, batches, agents, scenarios = ids["runs"], ids["batches"], ids["agents"], ids["scenarios"]
    run: Callable[[int], str] = lambda i: runs[i % len(runs)]  # noqa: E731

    def q(params: dict[str, Any], prefix: str = "/api/v2") -> str:
        return f"{prefix}/runs?" + urlencode(params)

    listings: list[Callable[[int], dict[str, Any]]] = [
        lambda i: {},
        lambda i: {"agent": agents[i % len(agents)]},
        lambda i: {"status": "failed"},
        lambda i: dict(zip(("suite", "scenario"), scenarios[(i * 7) % len(scenarios)], strict=True)),
    ]
    cursors: list[str] = []
    for i in range(40):  # page 2 of several listings, found before timing
        params = listings[i % len(listings)](i)
        response = client.get(q(params))
        response.raise_for_status()
        if response.headers.get("x-next-cursor"):
            cursors.append(q({**params, "cursor": response.headers["x-next-cursor"]}))
    t = GET_TARGET_MS
    return {
        "/health": (lambda i: "/health", t),
        # the original project's shapes and definitions (what its dashboard and client read)
        "/api/runs": (lambda i: "/api/runs", t),
        "/api/runs?agent=X": (lambda i: q({"agent": agents[rng.randrange(len(agents))]}, "/api"), t),
        "/api/runs?suite=S&scenario=C": (
            lambda i: q(dict(zip(("suite", "scenario"), rng.choice(scenarios), strict=True)), "/api"),
            t,
        ),
        "/api/runs?status=failed": (lambda i: q({"status": "failed"}, "/api"), t),
        "/api/runs?limit=10000&status=completed (bulk)": (
            lambda i: q({"limit": 10000, "status": "completed"}, "/api"),
            BULK_TARGET_MS,
        ),
        "/api/runs/{id}": (lambda i: f"/api/runs/{run(i)}", t),
        "/api/runs/{id}/evaluations": (lambda i: f"/api/runs/{run(i + 1)}/evaluations", t),
        "/api/runs/{id}/telemetry": (lambda i: f"/api/runs/{run(i + 2)}/telemetry", t),
        "/api/batches": (lambda i: "/api/batches", t),
        "/api/batches?limit=100": (lambda i: "/api/batches?limit=100", t),
        "/api/batches/{id} (every run, bulk)": (lambda i: f"/api/batches/{rng.choice(batches)}", BULK_TARGET_MS),
        "/api/stats": (lambda i: "/api/stats", t),
        "/api/stats/agents": (lambda i: "/api/stats/agents", t),
        # zebench's richer shapes
        "/api/v2/runs": (lambda i: "/api/v2/runs", t),
        "/api/v2/runs?agent=X": (lambda i: q({"agent": agents[rng.randrange(len(agents))]}), t),
        "/api/v2/runs?suite=S&scenario=C": (
            lambda i: q(dict(zip(("suite", "scenario"), rng.choice(scenarios), strict=True))),
            t,
        ),
        "/api/v2/runs?status=failed": (lambda i: q({"status": "failed"}), t),
        "/api/v2/runs?tier=T": (lambda i: q({"tier": rng.choice(TIERS)}), t),
        "/api/v2/runs?batchId=B": (lambda i: q({"batchId": rng.choice(batches)}), t),
        "/api/v2/runs?agent=X&status=timeout": (lambda i: q({"agent": rng.choice(agents), "status": "timeout"}), t),
        "/api/v2/runs?cursor=... (page 2)": (lambda i: cursors[i % len(cursors)], t),
        "/api/v2/runs/{id}": (lambda i: f"/api/v2/runs/{run(i)}", t),
        "/api/v2/runs/{id}/evaluations": (lambda i: f"/api/v2/runs/{run(i + 1)}/evaluations", t),
        "/api/v2/runs/{id}/telemetry": (lambda i: f"/api/v2/runs/{run(i + 2)}/telemetry", t),
        "/api/v2/runs/{id}/transcript": (lambda i: f"/api/v2/runs/{run(i + 3)}/transcript", t),
        "/api/v2/batches": (lambda i: "/api/v2/batches", t),
        "/api/v2/batches/{id}": (lambda i: f"/api/v2/batches/{rng.choice(batches)}", t),
        "/api/v2/stats": (lambda i: "/api/v2/stats", t),
        "/api/v2/stats/agents": (lambda i: "/api/v2/stats/agents", t),
        "/api/v2/stats/scenarios": (lambda i: "/api/v2/stats/scenarios", t),
    }


def measure_gets(
    client: httpx.Client, endpoints: dict[str, tuple[Any, float]], requests: int, warmup: int
) -> dict[str, tuple[float, float, int]]:
    """label -> (p50 ms, p95 ms, median response bytes)."""
    out = {}
    for label, (path_of, _) in endpoints.items():
        for i in range(warmup):
            client.get(path_of(10_000 + i)).raise_for_status()
        times, sizes = [], []
        for i in range(requests):
            path = path_of(i)
            start = time.perf_counter()
            response = client.get(path)
            elapsed = time.perf_counter() - start
            if response.status_code != 200:
                raise SystemExit(f"GET {path}: {response.status_code} {response.text[:300]}")
            times.append(elapsed * 1000)
            sizes.append(len(response.content))
        out[label] = (percentile(times, 50), percentile(times, 95), int(statistics.median(sizes)))
        print(
            f"  GET {label:45} p50 {out[label][0]:8.2f} ms  p95 {out[label][1]:8.2f} ms  {out[label][2]:>9,} B",
            flush=True,
        )
    return out


def measure_posts(client: httpx.Client, records: int, per_request: int, tag: str) -> tuple[float, float]:
    """(records per second, p50 ms per request) posting ``records`` new runs ``per_request`` at a time."""
    gen = Generator(seed=zlib.crc32(tag.encode()), prefix=f"p{tag}")
    gen.clock = datetime.now(UTC)
    bodies = []
    made = []
    for _, runs in gen.batches(records):
        made += runs
    for start in range(0, len(made), per_request):
        part = [r.to_json_dict() for r in made[start : start + per_request]]
        bodies.append(json.dumps(part[0] if per_request == 1 else part).encode())
    headers = {"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"}
    times = []
    begin = time.perf_counter()
    for body in bodies:
        sent = time.perf_counter()
        response = client.post("/api/results", content=body, headers=headers)
        times.append((time.perf_counter() - sent) * 1000)
        if response.status_code != 201:
            raise SystemExit(f"POST /api/results: {response.status_code} {response.text[:300]}")
    wall = time.perf_counter() - begin
    return len(made) / wall, percentile(times, 50)


# -- ingest -----------------------------------------------------------------------------------------------------


def time_ingest(jsonl: Path, db: Path) -> float:
    remove_db(db)
    store = Store(db)  # schema created before timing, as for the baseline
    os.sync()
    start = time.perf_counter()
    report = ingest_paths(store, [jsonl])
    elapsed = time.perf_counter() - start
    store.close()
    assert report.loaded > 0, report.problems[:3]
    assert not report.problems, report.problems[:3]
    remove_db(db)
    return elapsed


def time_baseline(tables: dict[str, tuple[str, list[tuple[Any, ...]]]], db: Path) -> float:
    remove_db(db)
    Store(db).close()  # same schema, indexes and triggers (and WAL mode)
    os.sync()
    start = time.perf_counter()
    conn = sqlite3.connect(str(db), isolation_level=None)
    conn.execute("BEGIN")
    for sql, rows in tables.values():
        conn.executemany(sql, rows)
    conn.execute("COMMIT")
    conn.close()
    elapsed = time.perf_counter() - start
    remove_db(db)
    return elapsed


def bench_ingest(tmp: Path, runs: int, repeats: int) -> tuple[float, float, float]:
    """(ratio baseline/ingest, median ingest s, median baseline s)."""
    records: list[RunRecord] = []
    batch_rows = {}
    for _, batch_runs in Generator(seed=2, prefix="i").batches(runs):
        records += batch_runs
    jsonl = tmp / "ingest.jsonl"
    with open(jsonl, "w", encoding="utf-8") as f:
        for record in records:
            f.write(record.model_dump_json(by_alias=True) + "\n")
    grouped: dict[str, list[dict[str, Any]]] = {}
    for record in records:
        for table, rows in run_rows(record).items():
            grouped.setdefault(table, []).extend(rows)
        if record.batch_id not in batch_rows:  # write_runs creates each batch row the runs name
            batch_rows[record.batch_id] = {
                "batch_id": record.batch_id,
                "created_at": record.started_at,
                "metadata": "{}",
            }
    grouped["batch_runs"] = list(batch_rows.values())
    tables = {}
    for table, rows in grouped.items():
        if not rows:  # e.g. validation_results: the synthetic runs have none
            continue
        columns = list(rows[0])
        sql = (
            f"INSERT INTO [{table}] ({', '.join(f'[{c}]' for c in columns)}) VALUES ({', '.join('?' for _ in columns)})"
        )
        tables[table] = (sql, [tuple(row[c] for c in columns) for row in rows])
    del records, grouped
    print(
        f"  ingest: {runs:,} runs, {jsonl.stat().st_size / 1e6:.0f} MB of JSONL, "
        + ", ".join(f"{t} {len(r):,}" for t, (_, r) in tables.items()),
        flush=True,
    )
    ingest, base = [], []
    for i in range(repeats):
        if i % 2:
            base.append(time_baseline(tables, tmp / "baseline.db"))
            ingest.append(time_ingest(jsonl, tmp / "ingest.db"))
        else:
            ingest.append(time_ingest(jsonl, tmp / "ingest.db"))
            base.append(time_baseline(tables, tmp / "baseline.db"))
        print(f"  ingest {ingest[-1]:.2f} s, baseline {base[-1]:.2f} s", flush=True)
    return statistics.median(base) / statistics.median(ingest), statistics.median(ingest), statistics.median(base)


# -- main -------------------------------------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, help="runs in the database (default 1,000,000; 100,000 with --quick)")
    parser.add_argument(
        "--db",
        type=Path,
        help="database file, reused when it holds >= --runs runs (default /tmp/zebench-bench-<runs>.db)",
    )
    parser.add_argument("--rebuild", action="store_true", help="build the database even if it is cached")
    parser.add_argument("--requests", type=int, help="timed requests per GET endpoint (default 200; 50 with --quick)")
    parser.add_argument("--posts", type=int, help="records posted per POST figure (default 2000; 300 with --quick)")
    parser.add_argument(
        "--ingest-runs", type=int, help="runs in the ingest file (default 100,000; 20,000 with --quick)"
    )
    parser.add_argument("--repeats", type=int, default=3, help="ingest repetitions (median reported)")
    parser.add_argument(
        "--chunk", type=int, default=20_000, help="runs generated and saved per transaction when building"
    )
    parser.add_argument("--skip", nargs="*", default=[], choices=["http", "post", "ingest"], help="parts to skip")
    parser.add_argument("--cold", action="store_true", help="do not read the database into the page cache first")
    parser.add_argument("--quick", action="store_true", help="100k-run database, fewer requests, smaller ingest")
    args = parser.parse_args()
    runs = args.runs or (100_000 if args.quick else 1_000_000)
    db = args.db or Path(
        f"/tmp/zebench-bench-{runs // 1000}k.db" if runs % 1_000_000 else f"/tmp/zebench-bench-{runs // 1_000_000}m.db"
    )
    requests = args.requests or (50 if args.quick else 200)
    posts = args.posts or (300 if args.quick else 2000)
    ingest_runs = args.ingest_runs or (20_000 if args.quick else 100_000)
    commands = [" ".join(shlex.quote(a) for a in [sys.executable, *sys.argv])]
    print(
        f"zebench API benchmarks ({runs:,} runs; Python {sys.version.split()[0]}, SQLite {sqlite3.sqlite_version})",
        flush=True,
    )

    info: dict[str, str] = {"code": code_version()}
    rows: list[tuple[str, str, str, bool | None]] = []  # label, value, target, ok (None: no target)
    have = count_runs(db)
    if args.rebuild or have < runs:
        print(f"building {db} ({runs:,} runs; found {have:,})", flush=True)
        seconds, batches = build_db(db, runs, args.chunk)
        info["build"] = f"{runs:,} runs, {batches:,} batches in {seconds:.0f} s ({runs / seconds:,.0f} runs/s)"
        print(f"  build: {info['build']}", flush=True)
    else:
        info["build"] = f"cached: {db} holds {have:,} runs (--rebuild to build again)"
    size = sum(Path(str(db) + s).stat().st_size for s in ("", "-wal") if Path(str(db) + s).exists())
    info["database"] = f"{db}: {size / 1e9:.2f} GB"

    if "http" not in args.skip or "post" not in args.skip:
        info["page cache"] = "not warmed (--cold)" if args.cold else warm_cache(db)
        rng = random.Random(3)
        ids = sample_ids(db, requests, rng)
        log = Path(tempfile.gettempdir()) / "zebench-bench-serve.log"
        proc, base, cmd = start_server(db, log)
        commands.append("ZE_BENCHMARKS_API_KEY=... " + " ".join(shlex.quote(a) for a in cmd) + f"  (log: {log})")
        try:
            with httpx.Client(base_url=base, timeout=120) as client:
                if "http" not in args.skip:
                    endpoints = get_endpoints(client, ids, rng)
                    gets = measure_gets(client, endpoints, requests, warmup=5)
                    for label, (p50, p95, nbytes) in gets.items():
                        target = endpoints[label][1]
                        rows.append(
                            (
                                f"GET {label}",
                                f"p50 {p50:7.2f}  p95 {p95:7.2f} ms  ({nbytes:,} B)",
                                f"p95 <= {target:g} ms",
                                p95 <= target,
                            )
                        )
                if "post" not in args.skip:
                    tag = str(int(time.time()))
                    for per in (1, 100):
                        rate, p50 = measure_posts(client, posts, per, f"{tag}x{per}")
                        print(
                            f"  POST /api/results {per:>3} record(s)/request: {rate:8.0f} records/s "
                            f"(p50 {p50:.1f} ms per request)",
                            flush=True,
                        )
                        rows.append(
                            (
                                f"POST /api/results, {per} record(s) per request",
                                f"{rate:,.0f} records/s  (p50 {p50:.1f} ms per request)",
                                "",
                                None,
                            )
                        )
        finally:
            stop_server(proc)

    if "ingest" not in args.skip:
        with tempfile.TemporaryDirectory(prefix="zebench-bench-") as name:
            ratio, ingest_s, base_s = bench_ingest(Path(name), ingest_runs, args.repeats)
        rows.append(
            (
                f"ingest_paths of {ingest_runs:,} runs (JSONL)",
                f"{ingest_s:.2f} s  ({ingest_runs / ingest_s:,.0f} runs/s)",
                "",
                None,
            )
        )
        rows.append(
            (
                "raw sqlite3 executemany of the same rows",
                f"{base_s:.2f} s  ({ingest_runs / base_s:,.0f} runs/s)",
                "",
                None,
            )
        )
        rows.append(
            ("ingest ratio: baseline s / ingest s", f"{ratio:.3f}", f">= {INGEST_TARGET}", ratio >= INGEST_TARGET)
        )

    print(
        f"\nzebench API benchmarks ({runs:,} runs; GET: {requests} requests per endpoint over HTTP, keep-alive; "
        f"POST: {posts:,} records per figure; ingest: median of {args.repeats})"
    )
    for key, value in info.items():
        print(f"  {key}: {value}")
    missed = 0
    for label, value, goal, ok in rows:
        missed += ok is False
        verdict = "" if ok is None else "ok" if ok else "MISSED"
        print(f"  {label:48} {value:44} {goal:14} {verdict}".rstrip())
    print("commands:")
    for line in commands:
        print(f"  {line}")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
