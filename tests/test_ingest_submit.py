from __future__ import annotations

import asyncio
import json
import sqlite3
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner

from zebench.cli import main
from zebench.ingest import ingest_paths
from zebench.serve import make_datasette
from zebench.store import Store
from zebench.submit import Submitter

from .conftest import make_scenario
from .test_api import ORIGINAL_PAYLOAD


def _batch(tmp_path: Path, suites: Path, name: str, repeat: int = 2) -> tuple[Path, Path]:
    db, out = tmp_path / f"{name}.db", tmp_path / f"{name}.jsonl"
    result = CliRunner().invoke(main, ["run", "--suites-dir", str(suites), "--db", str(db), "-o", str(out), "-a", "echo",
                                       "-a", "oracle", "-n", str(repeat), "--batch-id", name])
    assert result.exit_code == 0, result.output
    return db, out


def _rows(db: Path) -> list[tuple]:
    return sqlite3.connect(db).execute(
        "SELECT id, run_id, weighted_score, batch_id FROM benchmark_runs ORDER BY id").fetchall()


def test_ingest_merges_shards_and_is_idempotent(tmp_path: Path, suites: Path, db_path: Path) -> None:
    _, shard1 = _batch(tmp_path, suites, "shard-1")
    _, shard2 = _batch(tmp_path, suites, "shard-2")
    folder = tmp_path / "results"
    folder.mkdir()
    shard2.rename(folder / "shard2.jsonl")
    (folder / "original.json").write_text(json.dumps([ORIGINAL_PAYLOAD]))
    result = CliRunner().invoke(main, ["ingest", str(shard1), str(folder), "--db", str(db_path)])
    assert result.exit_code == 0, result.output
    assert "9 runs loaded" in result.output
    first = _rows(db_path)
    batches = sqlite3.connect(db_path).execute("SELECT batch_id, total_runs, successful_runs FROM batch_runs "
                                               "ORDER BY batch_id").fetchall()
    assert batches == [("batch-1730000000000-xyz", 1, 1), ("shard-1", 4, 2), ("shard-2", 4, 2)]
    again = CliRunner().invoke(main, ["ingest", str(shard1), str(folder), "--db", str(db_path)])
    assert again.exit_code == 0 and _rows(db_path) == first  # nothing changed, not even row ids


def test_ingest_is_all_or_nothing_per_file_and_names_file_and_line(tmp_path: Path, suites: Path, db_path: Path) -> None:
    _, good = _batch(tmp_path, suites, "good", repeat=1)
    lines = good.read_text().splitlines()
    bad = tmp_path / "bad.jsonl"
    broken = json.loads(lines[1])
    broken["tier"] = None
    bad.write_text(lines[0] + "\n" + json.dumps(broken) + "\n{oops\n")
    result = CliRunner().invoke(main, ["ingest", str(bad), "--db", str(db_path)])
    assert result.exit_code == 1
    assert f"{bad}:2: tier" in result.output and f"{bad}:3: invalid JSON" in result.output
    assert _rows(db_path) == []
    skip = CliRunner().invoke(main, ["ingest", str(bad), "--db", str(db_path), "--skip-invalid"])
    assert skip.exit_code == 1 and len(_rows(db_path)) == 1
    missing = CliRunner().invoke(main, ["ingest", str(tmp_path / "nope.jsonl"), "--db", str(db_path)])
    assert missing.exit_code == 2


def test_a_truncated_last_line_is_reported_not_fatal(tmp_path: Path, suites: Path, db_path: Path) -> None:
    _, out = _batch(tmp_path, suites, "crash", repeat=1)
    text = out.read_text()
    out.write_text(text + text.splitlines()[0][:50])  # a writer died mid-line
    with Store(db_path) as store:
        report = ingest_paths(store, [out])
    assert report.files[0].truncated_last_line and report.loaded == 2 and not report.problems
    assert len(_rows(db_path)) == 2


class CountingServer:
    """Accepts POST /api/results like the real API (a run or a list of runs) and counts every runId it gets.

    With ``stop_after``, the server stops itself right after answering that many requests.
    """

    def __init__(self, stop_after: int | None = None):
        self.received: list[str] = []
        self.stop_after = stop_after
        self.stopped = threading.Event()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_POST(self) -> None:
                with lock:
                    if outer.stopped.is_set():  # already going down: the client sees a dropped connection
                        self.close_connection = True
                        return
                    body = json.loads(self.rfile.read(int(self.headers["content-length"])))
                    items = body if isinstance(body, list) else [body]
                    outer.received += [item["runId"] for item in items]
                    data = b'{"ok": true, "success": true}'
                    self.send_response(201)
                    self.send_header("content-length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                    if outer.stop_after is not None and len(outer.received) >= outer.stop_after:
                        outer.stopped.set()
                        threading.Thread(target=outer.stop).start()

        lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def test_every_run_arrives_exactly_once_when_the_server_dies_mid_batch(tmp_path: Path, suites: Path) -> None:
    db, spool = tmp_path / "z.db", tmp_path / "spool.jsonl"
    first = CountingServer(stop_after=3)
    result = CliRunner().invoke(main, [
        "run", "--suites-dir", str(suites), "--db", str(db), "-a", "echo", "-a", "oracle", "-n", "3", "-j", "1",
        "--submit", first.url, "--spool", str(spool), "--submit-retries", "1"])
    assert result.exit_code == 0, result.output
    assert first.stopped.is_set() and len(first.received) == 3
    assert "3 kept in" in result.output and len(spool.read_text().splitlines()) == 3
    second = CountingServer()
    try:
        delivered = CliRunner().invoke(main, ["submit", "--spool", str(spool), "--url", second.url])
        assert delivered.exit_code == 0, delivered.output
        assert "Delivered 3 runs" in delivered.output and spool.read_text() == ""
        nothing = CliRunner().invoke(main, ["submit", "--spool", str(spool), "--url", second.url])
        assert nothing.exit_code == 0 and len(second.received) == 3
    finally:
        second.stop()
    local = [r[1] for r in _rows(db)]
    arrived = first.received + second.received
    assert sorted(arrived) == sorted(local) and len(set(arrived)) == len(local) == 6


def test_spool_stays_when_the_server_is_still_down(tmp_path: Path) -> None:
    spool = tmp_path / "spool.jsonl"
    spool.write_text(json.dumps(ORIGINAL_PAYLOAD) + "\n")
    dead = CountingServer()
    dead.stop()
    result = CliRunner().invoke(main, ["submit", "--spool", str(spool), "--url", dead.url, "--retries", "0"])
    assert result.exit_code == 1 and len(spool.read_text().splitlines()) == 1


def test_redelivery_to_the_real_api_stores_each_run_once(db_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from zebench.models import RunRecord

    monkeypatch.setenv("ZE_BENCHMARKS_API_KEY", "tok")
    ds = make_datasette(db_path)
    record = RunRecord.model_validate(ORIGINAL_PAYLOAD)

    async def go() -> None:
        submitter = Submitter("http://api.local", "tok", spool=db_path.with_suffix(".spool"),
                              transport=httpx.ASGITransport(app=ds.app()))
        for _ in range(3):
            assert await submitter.submit(record)
        await submitter.close()

    asyncio.run(go())
    assert sqlite3.connect(db_path).execute("SELECT COUNT(*) FROM benchmark_runs").fetchone()[0] == 1
