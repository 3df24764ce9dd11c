"""Issue 26 point 3: live mode agrees with itself. A real `zebench serve --site` over a database that a batch
writes into while the test reads the pages: after each run is stored, every figure of the served pages is the
live API's (/api/v2/stats, /api/v2/batches), the new batch is in the batch count and list and has its own full
page, and when the batch finishes the site folder is rebuilt without a restart and without anyone asking.

The batch's agent waits for the test before each run (no sleeps: the test releases one run, waits for it to be
stored, then reads)."""

from __future__ import annotations

import asyncio
import html
import json
import queue
import re
import socket
import subprocess
import sys
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import make_scenario
from zebench.agents import Agent, AgentResult, AgentTask, register_agent
from zebench.catalog import Catalog
from zebench.constants import SITE_PREFIX
from zebench.execution.batch import make_plan, run_batch
from zebench.models import RunRecord
from zebench.store import Store

pytestmark = pytest.mark.slow

RUNS = 3
#: The longest the test waits for one thing (a run stored, a line of the server); never reached when all is well.
BOUND = 120


class _Gated(Agent):
    """Changes nothing, once the test lets it go (one release per run)."""

    name = "live-gated"
    gate = threading.Semaphore(0)

    async def run(self, task: AgentTask, tools: Any) -> AgentResult:
        if not await asyncio.to_thread(self.gate.acquire, timeout=BOUND):
            raise TimeoutError("the test never released this run")
        task.result.final_text = "released"
        return task.result


@dataclass
class _Stored:
    """A Reporter: each stored run, as it is stored."""

    runs: queue.Queue[RunRecord] = field(default_factory=queue.Queue)

    def start(self, batch_id: str, total: int, already_done: int) -> None: ...
    def run_started(self, key: Any) -> None: ...
    def run_finished(self, record: RunRecord) -> None:
        self.runs.put(record)

    def finish(self) -> None: ...


@dataclass
class Server:
    url: str
    proc: subprocess.Popen[str]
    lines: queue.Queue[str]

    def get(self, path: str) -> tuple[int, str]:
        try:
            with urllib.request.urlopen(self.url + path, timeout=BOUND) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read().decode()

    def api(self, path: str) -> Any:
        status, body = self.get(path)
        assert status == 200, (path, body)
        return json.loads(body)

    def line(self, containing: str) -> str:
        """The next line of the server's output that contains ``containing``."""
        while True:
            line = self.lines.get(timeout=BOUND)
            if containing in line:
                return line


@pytest.fixture
def server(tmp_path: Path, db_path: Path) -> Iterator[Server]:
    """`zebench serve --site` as a user starts it (its own process), on a free port."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    args = [sys.executable, "-m", "zebench", "serve", "--db", str(db_path), "--port", str(port)]
    proc = subprocess.Popen([*args, "--site", str(tmp_path / "site")], stderr=subprocess.PIPE, text=True)
    lines: queue.Queue[str] = queue.Queue()
    assert proc.stderr is not None
    stderr = proc.stderr

    def read() -> None:
        for line in stderr:
            lines.put(line)

    threading.Thread(target=read, daemon=True).start()
    served = Server(f"http://127.0.0.1:{port}", proc, lines)
    try:
        served.line("Uvicorn running on")
        yield served
    finally:
        proc.terminate()
        proc.wait(timeout=BOUND)


def figures(page: str) -> Any:
    """A page's figures (its data block, the same values as its cards and tables)."""
    match = re.search(r'<script type="application/json" id="page-figures">(.*?)</script>', page, re.S)
    assert match, "no figures on the page"
    return json.loads(match[1])


def card(page: str, title: str) -> str:
    match = re.search(rf"<dt>{title}</dt><dd[^>]*>(.*?)</dd>", page, re.S)
    assert match, f"no card {title!r}"
    return html.unescape(re.sub(r"<[^>]+>", "", match[1])).strip()


def batch_row(page: str, batch_id: str) -> list[str]:
    """The cells of a batch's row in a table of batches."""
    match = re.search(rf"<tr><td><a href=\"[^\"]*\">{re.escape(batch_id)}</a></td>(.*?)</tr>", page, re.S)
    assert match, f"{batch_id} is not listed"
    return [html.unescape(re.sub(r"<[^>]+>", "", c)).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", match[1])]


def assert_pages_agree_with_the_api(server: Server, batch_id: str, stored: int) -> None:
    stats = server.api("/api/v2/stats")
    batches = server.api("/api/v2/batches?limit=100")
    batch = next(b for b in batches if b["batchId"] == batch_id)
    assert batch["totalRuns"] == stored
    status, index = server.get(SITE_PREFIX + "index.html")
    assert status == 200
    shown = figures(index)
    assert shown["stats"] == stats
    assert [b["batchId"] for b in shown["batches"]] == [b["batchId"] for b in batches[:10]]
    assert card(index, "Total runs") == f"{stats['totalRuns']:,}"
    assert card(index, "Completed").startswith(f"{stats['completedRuns']:,} + ")
    assert card(index, "Batches") == f"{stats['totalBatches']:,}" == f"{len(batches):,}"
    assert batch_row(index, batch_id)[1] == f"{stored:,}"  # recent batches: its runs
    status, listing = server.get(SITE_PREFIX + "batches.html")
    assert status == 200
    for b in batches:  # every batch, the running one included, with the API's counts
        cells = batch_row(listing, b["batchId"])
        assert cells[3:5] == [f"{b['totalRuns']:,}", f"{b['expectedRuns']:,}" if b["expectedRuns"] else "–"]
    status, page = server.get(SITE_PREFIX + f"batches/{batch_id}.html")
    assert status == 200, "the new batch has its own page"
    assert figures(page)["denominators"] == batch["denominators"]
    assert card(page, "Runs") == f"{stored} of {RUNS}"
    snapshot = re.search(r'data-snapshot="([^"]*)"', page)
    assert snapshot, "the batch page says what it is current to"
    assert json.loads(html.unescape(snapshot[1])) == [batch_id, stored, batch["completedAt"]]


def test_a_batch_writing_while_the_pages_are_read(server: Server, tmp_path: Path, db_path: Path) -> None:
    register_agent(_Gated.name, _Gated)
    suites = tmp_path / "suites"
    for name in ("one", "two", "three"):
        make_scenario(suites, name=name)
    plan, _ = make_plan(Catalog(suites), [], tiers=[], agents=[_Gated.name], models=[])
    assert len(plan.keys()) == RUNS
    reporter = _Stored()
    errors: list[BaseException] = []

    def batch() -> None:
        try:
            with Store(db_path) as store:
                asyncio.run(
                    run_batch(store, plan, batch_id="live-batch", reporter=reporter, sandbox="none", concurrency=1)
                )
        except BaseException as exc:  # the test reports it
            errors.append(exc)

    before = server.api("/api/v2/stats")
    assert before["totalBatches"] == 0
    thread = threading.Thread(target=batch)
    thread.start()
    try:
        # the batch is stored before its first run: the server rebuilds the site on its own, then its pages list
        # it and it has its own page
        server.line("Report site rebuilt (a batch started or finished)")
        assert_pages_agree_with_the_api(server, "live-batch", 0)
        for stored in range(1, RUNS):
            _Gated.gate.release()
            reporter.runs.get(timeout=BOUND)
            assert_pages_agree_with_the_api(server, "live-batch", stored)
        _Gated.gate.release()  # the last run: then the batch finishes, and nobody reads a page
        reporter.runs.get(timeout=BOUND)
    finally:
        for _ in range(RUNS):  # a failed assertion must not leave the batch waiting
            _Gated.gate.release()
        thread.join(timeout=BOUND)
    assert not errors, errors
    # rebuilt without a request and without a restart: the folder on disk has the finished batch
    server.line("Report site rebuilt (a batch started or finished)")
    on_disk = (tmp_path / "site/index.html").read_text()
    final = server.api("/api/v2/stats")
    assert final["totalRuns"] == RUNS
    assert figures(on_disk)["stats"] == final
    page = (tmp_path / "site/batches/live-batch.html").read_text()
    assert card(page, "Runs") == f"{RUNS} of {RUNS}"
    assert "not finished" not in page
    assert server.proc.poll() is None
