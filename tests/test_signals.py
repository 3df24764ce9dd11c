"""SIGTERM and SIGINT on a real `zebench run` process: message, resume hint, in-flight runs recorded as cancelled,
workspaces removed, terminal restored, exit 143 / 130, and --resume finishing the batch into the same --output."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import pty
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from zebench.execution.batch import StopRequest, stop_on_signals

from .conftest import make_scenario, marker, processes_with, write

NOISE = ("never retrieved", "Task was destroyed", "Traceback", "KeyboardInterrupt")


def wait_until(condition: Callable[[], bool], what: str, timeout: float = 60) -> None:
    """A bounded poll on a condition (no fixed sleep)."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.02)


class Batch:
    """Two scenarios x (echo, replay): the echo runs end at once, the replay runs block in `sleep 1000`."""

    def __init__(self, tmp_path: Path):
        self.suites = tmp_path / "suites"
        make_scenario(self.suites, name="one")
        make_scenario(self.suites, name="two")
        self.db, self.output, self.ws = tmp_path / "z.db", tmp_path / "results.jsonl", tmp_path / "ws"
        self.ws.mkdir()
        # The marker is written inside the workspace (the only place a sandboxed command can write), after 200 kB
        # of output that pass only once zebench reads them: the command has fully started when it appears.
        self.marker = marker()  # a sleep no other test starts
        self.calls = write(
            tmp_path / "calls.json",
            json.dumps(
                [
                    {
                        "name": "runCommand",
                        "input": {"command": f"head -c 200000 /dev/zero; touch started; sleep {self.marker}"},
                    }
                ]
            ),
        )
        self.base = [sys.executable, "-m", "zebench", "run", "--db", str(self.db), "--workspace-dir", str(self.ws)]

    def start(self, *, stderr: int | None = subprocess.PIPE) -> subprocess.Popen[bytes]:
        args = self.base + [
            "--suites-dir",
            str(self.suites),
            "--output",
            str(self.output),
            "-a",
            "echo",
            "-a",
            "replay",
            "--replay-file",
            str(self.calls),
            "-j",
            "2",
            "--command-timeout",
            "3600",
            "--batch-id",
            "sig",
        ]
        return subprocess.Popen(args, stdout=subprocess.PIPE, stderr=stderr)

    def in_flight(self) -> int:
        return len(list(self.ws.glob("zebench-batch-*/zebench-*/started")))  # the batch folder, its workspaces

    def rows(self) -> list[tuple[str, str, str, str | None, str | None]]:
        with sqlite3.connect(self.db) as conn:
            return conn.execute(
                "SELECT run_id, scenario || '/' || agent, status, failure_category, failure_stage "
                "FROM benchmark_runs ORDER BY id"
            ).fetchall()

    def resume(self) -> subprocess.CompletedProcess[str]:
        # The replay file is read when a run starts: the redone runs no longer block.
        self.calls.write_text(json.dumps([{"name": "runCommand", "input": {"command": "echo done"}}]))
        return subprocess.run(self.base + ["--resume", "sig"], capture_output=True, text=True, timeout=300, check=False)


def _read_all(fd: int, into: bytearray) -> None:
    while True:
        try:
            chunk = os.read(fd, 65536)
        except OSError:  # EIO: the child closed the terminal
            return
        if not chunk:
            return
        into += chunk


@pytest.mark.slow
@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_a_signal_records_in_flight_runs_and_resume_finishes_the_batch(tmp_path: Path, sig: signal.Signals) -> None:
    batch = Batch(tmp_path)
    terminal = bytearray()
    if sig == signal.SIGTERM:  # on a terminal: the live progress bar hides the cursor; it must come back
        master, slave = pty.openpty()
        proc = batch.start(stderr=slave)
        os.close(slave)
        reader = threading.Thread(target=_read_all, args=(master, terminal))
        reader.start()
    else:
        proc = batch.start()
    try:
        wait_until(lambda: batch.in_flight() == 2 or proc.poll() is not None, "two runs in flight")
        assert proc.poll() is None
        os.kill(proc.pid, sig)
        _, stderr_bytes = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
    if sig == signal.SIGTERM:
        reader.join(timeout=60)
        os.close(master)
        stderr_bytes = bytes(terminal)
    stderr = stderr_bytes.decode(errors="replace")
    assert proc.returncode == 128 + sig, stderr
    assert f"Interrupted by {sig.name}: 2 runs in flight recorded as cancelled, 2 of 4 stored" in stderr
    assert f"zebench run --resume sig --db {batch.db}" in stderr
    for noise in NOISE:
        assert noise not in stderr, stderr
    if sig == signal.SIGTERM:
        assert b"\x1b[?25l" in terminal
        assert terminal.rindex(b"\x1b[?25h") > terminal.rindex(b"\x1b[?25l")

    wait_until(lambda: not processes_with(batch.marker), "the killed commands to be gone", timeout=10)
    rows = batch.rows()
    assert sorted((key, status, category, stage) for _, key, status, category, stage in rows) == [
        ("one/echo", "completed", None, None),
        ("one/replay", "cancelled", "cancelled", "agent"),
        ("two/echo", "completed", None, None),
        ("two/replay", "cancelled", "cancelled", "agent"),
    ]
    assert list(batch.ws.iterdir()) == []  # no workspace left behind
    cancelled = [
        json.loads(line) for line in batch.output.read_text().splitlines() if json.loads(line)["status"] == "cancelled"
    ]
    assert len(cancelled) == 2
    assert all(r["transcript"]["toolCalls"][0]["name"] == "runCommand" for r in cancelled)

    done = batch.resume()  # without --output: the batch's own file
    assert done.returncode == 0, done.stderr + done.stdout
    assert "(2 already stored)" in done.stderr
    assert "2 interrupted attempts are stored as cancelled" in done.stdout
    rows = batch.rows()
    final = sorted(key for _, key, status, *_ in rows if status != "cancelled")
    assert final == ["one/echo", "one/replay", "two/echo", "two/replay"]
    lines = [json.loads(line) for line in batch.output.read_text().splitlines()]
    assert sorted(r["runId"] for r in lines) == sorted(r[0] for r in rows)  # every run once, the file = the db
    assert len(lines) == len({r["runId"] for r in lines}) == 6
    with sqlite3.connect(batch.db) as conn:
        assert conn.execute("SELECT completed_at IS NOT NULL, total_runs FROM batch_runs").fetchone() == (1, 4)


@pytest.mark.slow
def test_a_second_signal_exits_at_once_and_leaves_a_consistent_database(tmp_path: Path) -> None:
    batch = Batch(tmp_path)
    proc = batch.start()
    try:
        wait_until(lambda: batch.in_flight() == 2 or proc.poll() is not None, "two runs in flight")
        os.kill(proc.pid, signal.SIGTERM)
        os.kill(proc.pid, signal.SIGTERM)
        _, stderr = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 143, stderr
    assert b"zebench run --resume sig" in stderr
    wait_until(lambda: not processes_with(batch.marker), "the killed commands to be gone", timeout=10)
    with sqlite3.connect(batch.db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    done = batch.resume()
    assert done.returncode == 0, done.stderr + done.stdout
    final = sorted(key for _, key, status, *_ in batch.rows() if status != "cancelled")
    assert final == ["one/echo", "one/replay", "two/echo", "two/replay"]


@pytest.mark.slow
def test_kill_9_leftovers_are_removed_by_resume_never_a_live_batchs(tmp_path: Path) -> None:
    """kill -9 of `zebench run` leaves its workspaces and sandbox folders (nothing runs to remove them): they are in
    a folder of its own, locked while it lived; --resume removes it, and leaves a live batch's folder alone."""
    batch = Batch(tmp_path)
    other = Batch(tmp_path / "other")  # another batch, alive all along, in the same workspace folder
    other.ws = batch.ws
    other.base = [*other.base[:-1], str(batch.ws)]
    live = other.start()
    wait_until(lambda: batch.in_flight() == 2 or live.poll() is not None, "the live batch's two runs in flight")
    (live_area,) = batch.ws.glob("zebench-batch-sig-*")
    proc = batch.start()
    try:
        wait_until(lambda: batch.in_flight() == 4 or proc.poll() is not None, "two runs more in flight")
        proc.kill()  # SIGKILL: no handler, no cleanup
        proc.communicate(timeout=60)
        (killed,) = [p for p in batch.ws.glob("zebench-batch-sig-*") if p != live_area]
        assert len(list(killed.glob("zebench-*/started"))) == 2
        assert list(killed.glob("zebench-sandbox-*"))
        done = batch.resume()
        assert done.returncode == 0, done.stderr + done.stdout
        assert "Removed 1 folder left by killed zebench processes" in done.stderr
        assert not killed.exists()  # the killed batch's folder, workspaces and sandbox folders: gone
        assert live.poll() is None
        assert len(list(live_area.glob("zebench-*/started"))) == 2
        final = sorted(key for _, key, status, *_ in batch.rows() if status != "cancelled")
        assert final == ["one/echo", "one/replay", "two/echo", "two/replay"]
    finally:
        for p in (proc, live):
            if p is not None and p.poll() is None:
                p.kill()
                p.communicate(timeout=60)
        for pid in processes_with(batch.marker) + processes_with(other.marker):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)


def test_signals_request_a_stop_and_a_second_one_hurries() -> None:
    hurried: list[int] = []

    async def scenario() -> StopRequest:
        stop = StopRequest()
        stop.on_hurry(lambda: hurried.append(stop.count))
        with stop_on_signals(stop):
            os.kill(os.getpid(), signal.SIGTERM)
            await stop.wait()
            assert hurried == []
            os.kill(os.getpid(), signal.SIGINT)
            while stop.count < 2:  # the handler runs on the loop: let it
                await asyncio.sleep(0)
        return stop

    stop = asyncio.run(scenario())
    assert stop.signal == signal.SIGTERM
    assert hurried == [2]
    assert signal.getsignal(signal.SIGTERM) == signal.SIG_DFL  # handlers removed on the way out
