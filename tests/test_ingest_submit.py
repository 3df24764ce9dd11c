from __future__ import annotations

import asyncio
import json
import sqlite3
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest
from click.testing import CliRunner

from zebench.cli import main
from zebench.io.ingest import ingest_paths
from zebench.io.serve import make_datasette
from zebench.io.submit import Submitter
from zebench.models import RunRecord
from zebench.store import Store, WriteCounts

from .test_api import ORIGINAL_PAYLOAD


def _batch(tmp_path: Path, suites: Path, name: str, repeat: int = 2) -> tuple[Path, Path]:
    db, out = tmp_path / f"{name}.db", tmp_path / f"{name}.jsonl"
    result = CliRunner().invoke(
        main,
        [
            "run",
            "--suites-dir",
            str(suites),
            "--db",
            str(db),
            "-o",
            str(out),
            "-a",
            "echo",
            "-a",
            "oracle",
            "-n",
            str(repeat),
            "--batch-id",
            name,
        ],
    )
    assert result.exit_code == 0, result.output
    return db, out


def _rows(db: Path) -> list[tuple[Any, ...]]:
    return (
        sqlite3.connect(db)
        .execute("SELECT id, run_id, weighted_score, batch_id FROM benchmark_runs ORDER BY id")
        .fetchall()
    )


def test_ingest_merges_shards_and_is_idempotent(tmp_path: Path, suites: Path, db_path: Path) -> None:
    _, shard1 = _batch(tmp_path, suites, "shard-1")
    _, shard2 = _batch(tmp_path, suites, "shard-2")
    folder = tmp_path / "results"
    folder.mkdir()
    shard2.rename(folder / "shard2.jsonl")
    (folder / "original.json").write_text(json.dumps([ORIGINAL_PAYLOAD]))
    result = CliRunner().invoke(main, ["ingest", str(shard1), str(folder), "--db", str(db_path)])
    assert result.exit_code == 0, result.output
    assert "3 files: 9 new, 0 updated, 0 unchanged, 0 rejected" in result.output
    assert f"{shard1}: 4 new, 0 updated, 0 unchanged, 0 rejected" in result.output
    first = _rows(db_path)
    batches = (
        sqlite3.connect(db_path)
        .execute("SELECT batch_id, total_runs, successful_runs FROM batch_runs ORDER BY batch_id")
        .fetchall()
    )
    assert batches == [("batch-1730000000000-xyz", 1, 1), ("shard-1", 4, 2), ("shard-2", 4, 2)]
    revisions = sqlite3.connect(db_path).execute("SELECT MAX(revision) FROM benchmark_runs").fetchone()
    again = CliRunner().invoke(main, ["ingest", str(shard1), str(folder), "--db", str(db_path)])
    assert again.exit_code == 0
    assert _rows(db_path) == first  # nothing changed, not even row ids
    assert "3 files: 0 new, 0 updated, 9 unchanged, 0 rejected" in again.output
    # unchanged runs are left alone: no rewrite, so no new revision for the site and the API caches to notice
    assert sqlite3.connect(db_path).execute("SELECT MAX(revision) FROM benchmark_runs").fetchone() == revisions


def test_ingest_counts_new_updated_unchanged_and_rejected(tmp_path: Path, suites: Path, db_path: Path) -> None:
    _, out = _batch(tmp_path, suites, "counts", repeat=1)
    first, second = (json.loads(line) for line in out.read_text().splitlines())
    with Store(db_path) as store:
        assert ingest_paths(store, [out]).counts.new == 2
    changed = dict(first, weightedScore=1.25)
    fresh = dict(second, runId="another-run")
    mixed = tmp_path / "mixed.jsonl"
    mixed.write_text(
        "\n".join([json.dumps(changed), json.dumps(second), json.dumps(fresh), "{oops", json.dumps(fresh)]) + "\n"
    )
    result = CliRunner().invoke(main, ["ingest", str(mixed), "--db", str(db_path), "--skip-invalid", "--json"])
    assert result.exit_code == 0, result.output  # it skipped only the bad record it was told to skip
    report = json.loads(result.output)
    assert (
        report["newRuns"],
        report["updatedRuns"],
        report["unchangedRuns"],
        report["rejectedRecords"],
        report["repeatedRunIds"],
    ) == (1, 1, 1, 1, 1)
    text = CliRunner().invoke(main, ["ingest", str(mixed), "--db", str(db_path), "--skip-invalid"])
    assert text.exit_code == 0
    assert f"{mixed}: 0 new, 0 updated, 3 unchanged, 1 rejected; 1 repeated runId (the last copy kept)" in text.output
    with Store(db_path) as store:
        assert store.get_run(first["runId"]).weighted_score == 1.25  # type: ignore[union-attr]


def test_ingest_is_all_or_nothing_per_file_and_names_file_and_line(tmp_path: Path, suites: Path, db_path: Path) -> None:
    _, good = _batch(tmp_path, suites, "good", repeat=1)
    lines = good.read_text().splitlines()
    bad = tmp_path / "bad.jsonl"
    broken = json.loads(lines[1])
    broken["tier"] = None
    bad.write_text(lines[0] + "\n" + json.dumps(broken) + "\n{oops\n")
    result = CliRunner().invoke(main, ["ingest", str(bad), "--db", str(db_path)])
    assert result.exit_code == 1
    assert f"{bad}:2: tier" in result.output
    assert f"{bad}:3: invalid JSON" in result.output
    assert _rows(db_path) == []
    assert (
        f"{bad}: not loaded: 2 rejected of 3 records (nothing of it was written; --skip-invalid stores its 1 "
        "valid record)"
    ) in result.output
    assert (
        "1 file: 0 new, 0 updated, 0 unchanged, 2 rejected; 1 file not loaded because of 2 rejected records"
        in result.output
    )
    skip = CliRunner().invoke(main, ["ingest", str(bad), "--db", str(db_path), "--skip-invalid"])
    assert skip.exit_code == 0
    assert len(_rows(db_path)) == 1  # it skipped only what it was told to
    assert f"{bad}: 1 new, 0 updated, 0 unchanged, 2 rejected" in skip.output
    assert "1 file: 1 new, 0 updated, 0 unchanged, 2 rejected (database" in skip.output
    nothing_valid = tmp_path / "nothing.jsonl"
    nothing_valid.write_text("{oops\n")
    none = CliRunner().invoke(main, ["ingest", str(nothing_valid), "--db", str(db_path), "--skip-invalid"])
    assert none.exit_code == 1
    assert "0 new, 0 updated, 0 unchanged, 1 rejected; no valid record to store" in none.output
    missing = CliRunner().invoke(main, ["ingest", str(tmp_path / "nope.jsonl"), "--db", str(db_path)])
    assert missing.exit_code == 2


BAD_VALUES = {
    "big integer": lambda r: r["telemetry"].update(tokensIn=2**63),
    "huge integer": lambda r: r["telemetry"].update(tokensIn="HUGE"),
    "NaN": lambda r: r.update(weightedScore=float("nan")),
    "infinite number": lambda r: r["metadata"].update(x=1e400),
    "deep nesting": lambda r: r["metadata"].update(deep="DEEP"),
    "lone surrogate": lambda r: r.update(runId="run-\ud800"),
    "surrogate key": lambda r: r["metadata"].update({"\udfff": 1}),
}


def _bad_line(record: dict[str, Any], bad: str) -> str:
    record = json.loads(json.dumps(record))
    BAD_VALUES[bad](record)
    text = json.dumps(record)  # allow_nan and ensure_ascii: NaN, Infinity and \ud800 escapes as a writer makes them
    if bad == "infinite number":
        text = text.replace("Infinity", "1e400")
    return text.replace('"DEEP"', "[" * 2000 + "]" * 2000).replace('"HUGE"', "9" * 5000)


def test_bad_values_are_per_record_errors_and_ingest_goes_on(tmp_path: Path, suites: Path, db_path: Path) -> None:
    _, good = _batch(tmp_path, suites, "values", repeat=1)
    records = [json.loads(line) for line in good.read_text().splitlines()]
    files = []
    for i, bad in enumerate(BAD_VALUES):
        path = tmp_path / "in" / f"{i}-{bad.replace(' ', '-')}.jsonl"
        path.parent.mkdir(exist_ok=True)
        path.write_text(_bad_line(records[0], bad) + "\n" + "not json at all\n" + json.dumps(records[1]) + "\n")
        files.append(path)
    array = tmp_path / "in" / "z-array.json"
    array.write_text("[" + _bad_line(records[0], "big integer") + "," + json.dumps(records[1]) + "]")
    strict = CliRunner().invoke(main, ["ingest", str(tmp_path / "in"), "--db", str(db_path)])
    assert strict.exit_code == 1
    assert _rows(db_path) == []  # every file had a bad record: nothing written
    assert strict.exception is None or isinstance(strict.exception, SystemExit)
    for path in files:
        assert f"{path}:1: " in strict.output
        assert f"{path}:2: invalid JSON" in strict.output
    for reason in (
        "integer outside the 64-bit range",
        "NaN and Infinity are not JSON numbers",
        "nested deeper than 64 levels",
        "text with a lone surrogate",
        "key with a lone surrogate",
    ):
        assert reason in strict.output, reason
    assert f"{array}[0]: telemetry.tokensIn: integer outside the 64-bit range" in strict.output
    assert f"{array}[1]" not in strict.output  # the other item of the array is fine

    skip = CliRunner().invoke(main, ["ingest", str(tmp_path / "in"), "--db", str(db_path), "--skip-invalid", "--json"])
    assert skip.exit_code == 0, skip.output
    report = json.loads(skip.output)
    assert report["storedRuns"] == len(files) + 1
    assert report["invalidRecords"] == 2 * len(files) + 1
    assert {r[1] for r in _rows(db_path)} == {records[1]["runId"]}  # the valid record of every file, once


def test_a_record_the_store_refuses_does_not_stop_the_other_files(
    tmp_path: Path, suites: Path, db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, good = _batch(tmp_path, suites, "refused", repeat=1)
    lines = good.read_text().splitlines()
    first, second = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    first.write_text(lines[0] + "\n")
    second.write_text(lines[1] + "\n")
    from zebench.store import core as store_module
    from zebench.store import writes

    real = writes.write_runs  # the function store/core.py calls

    def refuse_first(conn: sqlite3.Connection, records: list[RunRecord], **kwargs: Any) -> WriteCounts:
        if any(r.run_id == json.loads(lines[0])["runId"] for r in records):
            raise OverflowError("Python int too large to convert to SQLite INTEGER")  # a value only SQLite objects to
        return real(conn, records, **kwargs)

    monkeypatch.setattr(store_module, "write_runs", refuse_first)
    with Store(db_path) as store:
        report = ingest_paths(store, [first, second])
    assert [f.loaded for f in report.files] == [0, 1]
    assert report.failed
    assert "not stored: Python int too large" in str(report.problems[0])


def test_a_truncated_last_line_is_reported_not_fatal(tmp_path: Path, suites: Path, db_path: Path) -> None:
    _, out = _batch(tmp_path, suites, "crash", repeat=1)
    text = out.read_text()
    out.write_text(text + text.splitlines()[0][:50])  # a writer died mid-line
    with Store(db_path) as store:
        report = ingest_paths(store, [out])
    assert report.files[0].truncated_last_line
    assert report.loaded == 2
    assert not report.problems
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
    result = CliRunner().invoke(
        main,
        [
            "run",
            "--suites-dir",
            str(suites),
            "--db",
            str(db),
            "-a",
            "echo",
            "-a",
            "oracle",
            "-n",
            "3",
            "-j",
            "1",
            "--submit",
            first.url,
            "--spool",
            str(spool),
            "--submit-retries",
            "1",
        ],
    )
    assert result.exit_code == 0, result.output
    assert first.stopped.is_set()
    assert len(first.received) == 3
    assert "3 kept in" in result.output
    assert len(spool.read_text().splitlines()) == 3
    second = CountingServer()
    try:
        delivered = CliRunner().invoke(main, ["submit", "--spool", str(spool), "--url", second.url])
        assert delivered.exit_code == 0, delivered.output
        assert "Delivered 3 runs" in delivered.output
        assert spool.read_text() == ""
        nothing = CliRunner().invoke(main, ["submit", "--spool", str(spool), "--url", second.url])
        assert nothing.exit_code == 0
        assert len(second.received) == 3
    finally:
        second.stop()
    local = [r[1] for r in _rows(db)]
    arrived = first.received + second.received
    assert sorted(arrived) == sorted(local)
    assert len(set(arrived)) == len(local) == 6


def test_spool_stays_when_the_server_is_still_down(tmp_path: Path) -> None:
    spool = tmp_path / "spool.jsonl"
    spool.write_text(json.dumps(ORIGINAL_PAYLOAD) + "\n")
    dead = CountingServer()
    dead.stop()
    result = CliRunner().invoke(main, ["submit", "--spool", str(spool), "--url", dead.url, "--retries", "0"])
    assert result.exit_code == 1
    assert len(spool.read_text().splitlines()) == 1


def test_redelivery_to_the_real_api_stores_each_run_once(db_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from zebench.models import RunRecord

    monkeypatch.setenv("ZE_BENCHMARKS_API_KEY", "tok")
    ds = make_datasette(db_path)
    record = RunRecord.model_validate(ORIGINAL_PAYLOAD)

    async def go() -> None:
        submitter = Submitter(
            "http://api.local", "tok", spool=db_path.with_suffix(".spool"), transport=httpx.ASGITransport(app=ds.app())
        )
        for _ in range(3):
            assert await submitter.submit(record)
        await submitter.close()

    asyncio.run(go())
    assert sqlite3.connect(db_path).execute("SELECT COUNT(*) FROM benchmark_runs").fetchone()[0] == 1


class _Server:
    """POST /api/results: ``answer(items)`` runs in the handler thread and returns the status to send."""

    def __init__(self, answer: Callable[[list[dict[str, Any]]], int]) -> None:
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["content-length"])))
                status = answer(body if isinstance(body, list) else [body])
                data = b'{"ok": true}' if status < 300 else b'{"error": "refused"}'
                self.send_response(status)
                self.send_header("content-length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True).start()
        self.url = f"http://127.0.0.1:{outer.server.server_address[1]}"

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def _spool_size(spool: Path) -> int:
    try:
        return len(spool.read_text().splitlines())
    except FileNotFoundError:
        return 0


@pytest.mark.slow
def test_draining_the_spool_while_a_run_appends_to_it_loses_nothing(tmp_path: Path, suites: Path) -> None:
    import subprocess
    import sys
    import time

    db, spool = tmp_path / "z.db", tmp_path / "spool.jsonl"
    refusing = _Server(lambda items: 400)  # the run's server refuses every run: each one goes to the spool
    received: list[str] = []
    overlapped = 0
    run: subprocess.Popen[bytes] | None = None

    def deliver(items: list[dict[str, Any]]) -> int:
        # Hold the delivery until the running batch has appended to the spool meanwhile (or has ended): the
        # drain must keep what was appended while it was delivering.
        nonlocal overlapped
        before, deadline = _spool_size(spool), time.monotonic() + 60
        while run is not None and run.poll() is None and _spool_size(spool) <= before:
            assert time.monotonic() < deadline, "the run never appended"
            time.sleep(0.01)  # a bounded poll on a condition
        overlapped += _spool_size(spool) > before
        received.extend(item["runId"] for item in items)
        return 201

    draining = _Server(deliver)
    zebench = [sys.executable, "-m", "zebench"]
    try:
        run = subprocess.Popen(
            zebench
            + [
                "run",
                "--suites-dir",
                str(suites),
                "--db",
                str(db),
                "-a",
                "echo",
                "-n",
                "16",
                "-j",
                "2",
                "--submit",
                refusing.url,
                "--spool",
                str(spool),
                "--submit-retries",
                "0",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        drains = 0
        while run.poll() is None:  # drain again and again while the batch appends
            subprocess.run(
                zebench + ["submit", "--spool", str(spool), "--url", draining.url],
                capture_output=True,
                timeout=120,
                check=False,
            )
            drains += 1
        assert run.wait() == 0
        last = subprocess.run(
            zebench + ["submit", "--spool", str(spool), "--url", draining.url],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert last.returncode == 0, last.stdout + last.stderr
    finally:
        if run is not None and run.poll() is None:
            run.kill()
        refusing.stop()
        draining.stop()
    local = [r[1] for r in _rows(db)]
    assert len(local) == 16
    assert drains >= 1
    assert overlapped >= 1
    assert sorted(received) == sorted(local)  # every run delivered, exactly once
    assert _spool_size(spool) == 0


def test_a_submission_cut_by_a_cancellation_is_spooled(tmp_path: Path) -> None:
    from zebench.models import RunRecord

    record = RunRecord.model_validate(ORIGINAL_PAYLOAD)
    spool = tmp_path / "spool.jsonl"

    async def go() -> None:
        arrived = asyncio.Event()

        async def hang(request: httpx.Request) -> httpx.Response:
            arrived.set()
            await asyncio.Event().wait()  # a server that never answers
            raise AssertionError

        submitter = Submitter("http://api.local", "tok", spool=spool, transport=httpx.MockTransport(hang))
        task = asyncio.ensure_future(submitter.submit(record))
        await arrived.wait()
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        await submitter.close()

    asyncio.run(go())
    assert [json.loads(line)["runId"] for line in spool.read_text().splitlines()] == [record.run_id]
