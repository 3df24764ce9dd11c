"""The report as a daily tool (issue 15), in headless Chromium: the run view's timeline (messages and tool calls in
order, writes as diffs, commands as shell), checks, baseline beside validation; the batch matrix; no horizontal
overflow at 390 px; live mode through `zebench serve --site`; hostile transcripts never run."""

from __future__ import annotations

import json
import socket
import sqlite3
import threading
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest

from tests.browser import CHROMIUM_ARGS, READY, chromium_path, file_url, open_page
from tests.site_data import XSS, build_site_db
from zebench.constants import SITE_PREFIX
from zebench.models import (
    BatchRecord,
    Evaluation,
    Message,
    ToolCallRecord,
    Transcript,
    ValidationResult,
    utc_now,
)
from zebench.report import analysis
from zebench.site import serving
from zebench.site.builder import build_site
from zebench.store import Store
from zebench.testing.synthetic import SCENARIOS, Generator

pytestmark = pytest.mark.slow

PAGES = [
    "index.html",
    "runs.html",
    "batches.html",
    "agents.html",
    "scenarios.html",
    "evaluators.html",
    "costs.html",
    "compare.html",
    "batches/batch-c.html",
    "batch.html?id=batch-b",
]
OLD, NEW = "def add(a, b):\n    return a - b\n", "def add(a, b):\n    return a + b\n"


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        yield b
        b.close()


def agent_run(gen: Generator, batch_id: str, text: str = "") -> Any:
    """A run as a model agent records it: Anthropic content blocks, tool_use ids, results in user messages; the
    tool calls apart, in order. Evaluations with a not-applicable one and one that crashed; a baseline."""
    record = gen.run(batch_id, (SCENARIOS[0], "L1", ("anthropic", "claude-sonnet-4-6", 0.9), 0), judge=False)
    record.transcript = Transcript(
        messages=[
            Message(role="user", content=f"Fix add(){text}"),
            Message(
                role="assistant",
                content=[
                    {"type": "text", "text": f"Reading the file{text}"},
                    {"type": "tool_use", "id": "t1", "name": "readFile", "input": {"path": "calc.py"}},
                ],
            ),
            Message(role="user", content=[{"type": "tool_result", "tool_use_id": "t1", "content": OLD}]),
            Message(
                role="assistant",
                content=[
                    {"type": "text", "text": "Fixing and testing"},
                    {"type": "tool_use", "id": "t2", "name": "writeFile", "input": {"path": "calc.py", "content": NEW}},
                    {"type": "tool_use", "id": "t3", "name": "runCommand", "input": {"command": f"pytest -q{text}"}},
                ],
            ),
            Message(
                role="user",
                content=[
                    {"type": "tool_result", "tool_use_id": "t2", "content": "Wrote"},
                    {"type": "tool_result", "tool_use_id": "t3", "content": "Exit code: 1"},
                ],
            ),
            Message(role="assistant", content=[{"type": "text", "text": "Done: add() adds."}]),
        ],
        tool_calls=[
            ToolCallRecord(seq=0, name="readFile", input={"path": "calc.py"}, output=OLD, duration_ms=2),
            ToolCallRecord(
                seq=1,
                name="writeFile",
                input={"path": "calc.py", "content": NEW + text},
                output="Wrote 30 characters to calc.py",
                duration_ms=1,
            ),
            ToolCallRecord(
                seq=2,
                name="runCommand",
                input={"command": f"pytest -q{text}"},
                output=f"Exit code: 1\nFAILED test_calc.py::test_sub{text}",
                is_error=False,
                duration_ms=1500,
            ),
        ],
    )
    record.evaluations = [
        Evaluation(evaluator_name="tests_pass", score=1.0, weight=3.0, details={"reason": "all tests passed"}),
        Evaluation(evaluator_name="lint_clean", score=0.0, weight=1.0, details={"reason": f"2 findings{text}"}),
        Evaluation(
            evaluator_name="dependency_targets",
            score=None,
            applicable=False,
            weight=2.0,
            details={"reason": "no dependency targets"},
        ),
        Evaluation(evaluator_name="llm_judge", score=None, applicable=False, weight=1.0, error=f"judge crashed{text}"),
    ]
    record.baseline = [
        ValidationResult(
            kind="test", command="pytest -q", status="failed", exit_code=1, duration_ms=900, output_tail="1 failed"
        )
    ]
    record.validation = [
        ValidationResult(
            kind="test",
            command="pytest -q",
            status="passed",
            exit_code=0,
            duration_ms=800,
            output_tail="1 passed",
            baseline_status="failed",
        )
    ]
    return record


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, str]:
    root = tmp_path_factory.mktemp("report-site")
    db = root / "site.db"
    build_site_db(db)
    gen = Generator(seed=11, details=True)
    record = agent_run(gen, "batch-t")
    with Store(db) as store:
        store.save_batch(BatchRecord(batch_id="batch-t", created_at=record.started_at))
        store.save_run(record)
    build_site(db, root / "site")
    return db, root / "site", record.run_id


def run_url(out: Path, run_id: str) -> str:
    return f"{file_url(out / 'run.html')}?id={quote(run_id)}"


def timeline_kinds(page: Any) -> list[str]:
    kinds: list[str] = page.eval_on_selector_all(
        "#timeline > details", "els => els.map(e => e.dataset.kind === 'call' ? e.dataset.tool : e.dataset.role)"
    )
    return kinds


def test_run_timeline_interleaves_messages_and_tool_calls(browser: Any, site: tuple[Path, Path, str]) -> None:
    db, out, run_id = site
    page, log = open_page(browser, run_url(out, run_id))
    assert timeline_kinds(page) == [
        "user",
        "assistant",
        "readFile",
        "assistant",
        "writeFile",
        "runCommand",
        "assistant",
    ]
    # the write is a diff against the content read before it; the command is shell with exit code and time
    write = page.locator("#timeline > details[data-tool=writeFile]")
    assert write.locator("pre.diff .del").all_inner_texts() == ["-    return a - b\n"]
    assert write.locator("pre.diff .add").all_inner_texts() == ["+    return a + b\n"]
    command = page.locator("#timeline > details[data-tool=runCommand]")
    assert command.locator("pre.shell").inner_text().startswith("$ pytest -q\nFAILED test_calc.py::test_sub")
    assert command.locator(".exit.bad").inner_text() == "exit 1"
    assert "1.5 s" in command.locator("summary").inner_text()
    # results the tool calls show are not repeated as messages; collapsible, all at once too
    assert page.locator("#timeline > details[data-role=user]").count() == 1
    page.click("#collapse-all")
    assert page.eval_on_selector_all("#timeline > details", "els => els.filter(e => e.open).length") == 0
    page.click("#timeline > details[data-tool=writeFile] > summary")
    assert write.evaluate("e => e.open")
    # title, human times with the ISO value on hover, raw JSON behind a toggle
    assert page.inner_text("h1") == "npm-upgrades/npm-task-00 · L1 · anthropic/claude-sonnet-4-6"
    started = page.locator(".subtitle time").first
    with sqlite3.connect(db) as conn:
        iso = conn.execute("SELECT started_at FROM benchmark_runs WHERE run_id = ?", (run_id,)).fetchone()[0]
    assert started.get_attribute("title") == iso
    assert started.inner_text() != iso
    assert page.locator("#raw-json pre").count() == 0
    page.click("#raw-json > summary")
    assert f'"runId": "{run_id}"' in page.inner_text("#raw-json pre")
    assert log.problems() == []


def test_offline_agent_calls_sit_between_the_prompt_and_the_final_message(
    browser: Any, site: tuple[Path, Path, str]
) -> None:
    db, out, _ = site
    with sqlite3.connect(db) as conn:
        run_id = conn.execute("SELECT run_id FROM benchmark_runs WHERE batch_id = 'batch-a' LIMIT 1").fetchone()[0]
    page, log = open_page(browser, run_url(out, run_id))
    # the synthetic agent's messages hold no tool requests: its calls come before its final message
    assert timeline_kinds(page) == ["user", "assistant", "readFile", "writeFile", "runCommand", "assistant"]
    assert log.problems() == []


def test_checks_and_validation_side_by_side(browser: Any, site: tuple[Path, Path, str]) -> None:
    _, out, run_id = site
    page, log = open_page(browser, run_url(out, run_id))
    states = page.eval_on_selector_all("#checks > .scroll tr.check", "rows => rows.map(r => r.dataset.state)")
    assert states == ["error", "fail", "pass"]  # errors first, highlighted; not-applicable ones folded
    assert "llm_judge" in page.inner_text("#evaluator-errors")
    error = page.locator("#checks tr.check.error")
    assert "llm_judge" in error.inner_text()
    assert "judge crashed" in error.inner_text()
    assert page.locator("#checks tr.check.fail").inner_text().split("\t")[1:4] == ["lint_clean task", "1.0", "0.00"]
    folded = page.locator("#checks details.na-checks")
    assert not folded.evaluate("e => e.open")
    assert "1 not applicable" in folded.locator("> summary").inner_text()
    assert folded.locator("tr.check.na").count() == 1
    assert "dependency_targets" in folded.text_content()
    headers = page.locator("#validation thead th").all_inner_texts()
    assert headers == ["Kind", "Command", "Baseline (untouched fixture)", "After the agent"]
    assert page.locator("#validation tbody td .badge").all_text_contents() == ["failed", "passed"]
    assert "exit 1 · 0.9 s" in page.locator("#validation tbody td").nth(2).inner_text()
    assert log.problems() == []


def test_batch_matrix(browser: Any, site: tuple[Path, Path, str]) -> None:
    db, out, _ = site
    with sqlite3.connect(db) as conn:
        expected = analysis.batch_matrix(conn, "batch-c", "batch-a")
        runs = conn.execute(
            "SELECT agent, model, suite, scenario, tier, is_successful FROM benchmark_runs WHERE batch_id = 'batch-c'"
        ).fetchall()
    page, log = open_page(browser, file_url(out / "batches/batch-c.html"))
    configs = sorted({analysis.config_name(i["agent"], i["model"] or "") for i in expected["items"]})
    items = {f"{i['suite']}/{i['scenario']} {i['tier']}" for i in expected["items"]}
    assert page.locator("#matrix tbody tr").count() == len(items)
    assert page.locator("#matrix thead th.cfg").all_inner_texts() == configs
    # each cell: k of n for repeats, the runs behind it a click away
    for i in expected["items"][:5]:
        cell = page.locator(
            f"#matrix tr[data-item='{i['suite']}/{i['scenario']} {i['tier']}'] "
            f"td[data-config='{analysis.config_name(i['agent'], i['model'] or '')}']"
        )
        assert cell.inner_text().rstrip(" ↓") == f"{i['successful']} of {i['runs']}"
        assert ("regressed" in cell.get_attribute("class")) == i["regressed"]
    # regressions first (against the previous batch of the same configuration)
    regressions = [
        int(r) for r in page.eval_on_selector_all("#matrix tbody tr", "rs => rs.map(r => r.dataset.regressions)")
    ]
    assert regressions == sorted(regressions, reverse=True)
    assert regressions[0] > 0
    assert sum(regressions) == sum(i["regressed"] for i in expected["items"])
    page.select_option("#batch-matrix select[name=sort]", "name")
    names = page.eval_on_selector_all("#matrix tbody tr", "rs => rs.map(r => r.dataset.item)")
    assert names == sorted(names)
    # pass@k per configuration: the leaderboard over the batch
    for c in expected["configurations"]:
        row = page.locator(f"#pass-at-k tr[data-config='{analysis.config_name(c['agent'], c['model'] or '')}']")
        for k, v in c["passAtK"].items():
            if k.startswith("pass@"):
                assert f"{k} {100 * v:.1f}%" in row.inner_text()
    # a cell links to its runs
    first = expected["items"][0]
    page.click(
        f"#matrix tr[data-item='{first['suite']}/{first['scenario']} {first['tier']}'] "
        f"td[data-config='{analysis.config_name(first['agent'], first['model'] or '')}'] a"
    )
    page.wait_for_selector("body[data-ready]")
    behind = [
        r for r in runs if r[:5] == (first["agent"], first["model"], first["suite"], first["scenario"], first["tier"])
    ]
    assert page.locator("#runs-table tbody tr").count() == len(behind) == first["runs"]
    assert log.problems() == []


@pytest.mark.parametrize("width", [390, 1400])
def test_no_horizontal_page_overflow(browser: Any, site: tuple[Path, Path, str], width: int) -> None:
    _, out, run_id = site
    context = browser.new_context(viewport={"width": width, "height": 900})
    for name in PAGES + [f"run.html?id={quote(run_id)}"]:
        path, _, query = name.partition("?")
        page = context.new_page()
        page.goto(file_url(out / path) + (f"?{query}" if query else ""))
        page.wait_for_selector(READY, state="attached")
        page.evaluate("document.querySelectorAll('details').forEach(d => { d.open = true; })")  # everything shown
        assert page.evaluate("document.documentElement.scrollWidth <= innerWidth"), (width, name)
        if width == 1400 and name == "agents.html":  # the leaderboard fits without scrolling its box
            assert page.eval_on_selector("main table.data", "t => t.scrollWidth <= t.clientWidth + 1")
        if width == 390 and name == "agents.html":  # the heatmap keeps readable cells: it scrolls in its box
            cell = page.eval_on_selector(
                "figure[data-chart=spec-heatmap] path[role=graphics-symbol], "
                "figure[data-chart=spec-heatmap] .mark-rect path",
                "p => p.getBoundingClientRect().width",
            )
            assert cell >= 30
        page.close()
    context.close()


def test_hostile_transcript_never_runs(browser: Any, tmp_path: Path, template_db: Path) -> None:
    import shutil

    db = tmp_path / "hostile.db"
    shutil.copyfile(template_db, db)
    record = agent_run(Generator(seed=3, details=True), "hostile", XSS)
    record.transcript.messages.append(
        Message(
            role="assistant",
            content={
                "type": "assistant",
                "message": {
                    "content": [{"type": "tool_use", "id": "x", "name": f"Bash{XSS}", "input": {"command": XSS}}]
                },
            },
        )
    )
    record.transcript.tool_calls[0].input = {"path": f"calc.py{XSS}"}
    with Store(db) as store:
        store.save_batch(BatchRecord(batch_id="hostile", created_at=record.started_at))
        store.save_run(record)
    build_site(db, tmp_path / "site")
    page, log = open_page(browser, run_url(tmp_path / "site", record.run_id))
    dialogs: list[str] = []

    def on_dialog(dialog: Any) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", on_dialog)
    page.click("#expand-all")
    page.click("#raw-json > summary")
    page.click("#checks details.na-checks > summary")
    assert page.evaluate("window.__xss") is None
    assert dialogs == []
    assert log.problems() == []
    assert page.locator("#run-view script, #run-view img").count() == 0
    text = page.inner_text("#timeline")
    assert "<script>window.__xss = 1</script>" in text
    assert f"$ pytest -q{XSS}" in text
    # the read was of another path: the write shows its whole content, as text
    write = page.inner_text("#timeline details[data-tool=writeFile]")
    assert "return a + b\n<script>window.__xss = 1</script>" in write
    page, log = open_page(browser, file_url(tmp_path / "site/batches/hostile.html"))
    assert page.evaluate("window.__xss") is None
    assert log.problems() == []


# -- live mode ---------------------------------------------------------------------------------------------------


@pytest.fixture
def live_server(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[str, Path]]:
    """`zebench serve --site` in a thread: Datasette with the plugin and the built site, polled every 200 ms."""
    import uvicorn

    from zebench.io.serve import make_datasette

    db = tmp_path / "live.db"
    build_site_db(db)
    build_site(db, tmp_path / "site")
    monkeypatch.setattr(serving, "LIVE_POLL_MS", 200)
    app = make_datasette(db, site=tmp_path / "site").app()
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(64)  # connections wait in the backlog until the server accepts them: no start-up race
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{sock.getsockname()[1]}", db
    server.should_exit = True
    thread.join()
    sock.close()


def test_live_mode_refreshes_pages_while_a_batch_runs(browser: Any, live_server: tuple[str, Path]) -> None:
    base, db = live_server
    site = base + SITE_PREFIX
    runs, log = open_page(browser, site + "runs.html")
    runs.wait_for_selector("#live:text-is('live')")
    dashboard, dash_log = open_page(browser, site + "index.html")
    dashboard.wait_for_selector("#live-batches p.empty")
    # a batch starts after the site was built: its runs arrive one by one
    gen = Generator(seed=5, details=True)
    first = agent_run(gen, "live-batch")
    with sqlite3.connect(db) as conn:
        total = conn.execute("SELECT COUNT(*) FROM benchmark_runs").fetchone()[0]
    runs.fill("input[name=q]", first.run_id)  # the table filters the runs as they arrive
    assert runs.inner_text("#runs-status") == f"0 of {total} runs match"
    with Store(db) as store:
        store.save_batch(BatchRecord(batch_id="live-batch", created_at=utc_now(), expected_runs=3))
        store.save_run(first)
    runs.wait_for_selector(f"#runs-table a:text-is('{first.run_id}')")
    runs.wait_for_selector("#live.running")
    assert runs.inner_text("#runs-status") == f"1 of {total + 1} runs match"
    dashboard.wait_for_selector("#live-batches a:text-is('live-batch')")
    # the dashboard fetched itself again: every card and table is of the data as the live API has it now
    dashboard.wait_for_selector(f"#total-runs:text-is('{total + 1:,}')")
    assert_dashboard_agrees(dashboard, base)
    assert dashboard.locator("section:not(#live-batches) table.data a:text-is('live-batch')").count() == 1
    # the batch view of a batch newer than the page leads to its own page, built by the server
    matrix, matrix_log = open_page(browser, site + "batch.html?id=live-batch")
    matrix.wait_for_url("**/batches/live-batch.html")
    matrix.wait_for_selector("#matrix td.cell")
    assert matrix.inner_text("h1") == "Batch live-batch"
    second = gen.run("live-batch", (SCENARIOS[1], "L0", ("anthropic", "claude-sonnet-4-6", 0.9), 0), judge=False)
    with Store(db) as store:
        store.save_run(second)
    matrix.wait_for_selector("#batch-matrix[data-items='2']")
    matrix.wait_for_selector(".live-progress:text('2 of 3 runs stored')")
    # its cards too (the page fetched itself again, keeping the live matrix)
    matrix.wait_for_selector("dl.cards div:has(dt:text-is('Runs')) dd:text-is('2 of 3')")
    assert matrix.locator("#matrix").count() == 1
    dashboard.wait_for_selector(f"#total-runs:text-is('{total + 2:,}')")
    assert_dashboard_agrees(dashboard, base)
    # the run view of a new run, from the live API (texts uncut)
    view, view_log = open_page(browser, site + f"run.html?id={quote(first.run_id)}")
    assert "from the live API" in view.inner_text(".subtitle")
    assert timeline_kinds(view)[:3] == ["user", "assistant", "readFile"]
    with Store(db) as store:  # the batch ends: the indicator says so
        store.save_batch(
            BatchRecord(batch_id="live-batch", created_at=utc_now(), expected_runs=3, completed_at=utc_now())
        )
    runs.wait_for_selector("#live:not(.running)")
    matrix.wait_for_selector(".live-progress:text('finished')")
    matrix.wait_for_selector("main p:has-text('finished')")  # "Created ... · finished ...": the page's own line
    dashboard.wait_for_selector("#live-batches p.empty")
    assert_dashboard_agrees(dashboard, base)
    for problems in (log, dash_log, matrix_log, view_log):
        assert problems.problems() == []


def api(base: str, path: str) -> Any:
    with urllib.request.urlopen(base + path) as response:
        return json.loads(response.read())


def assert_dashboard_agrees(page: Any, base: str) -> None:
    """The dashboard's figures (its data block and its cards) are the live API's, all of them."""
    stats = api(base, "/api/v2/stats")
    figures = json.loads(page.evaluate("document.getElementById('page-figures').textContent"))
    assert figures["stats"] == stats
    batches = api(base, "/api/v2/batches?limit=10")
    assert [b["batchId"] for b in figures["batches"]] == [b["batchId"] for b in batches]
    card = "dl.cards div:has(dt:text-is('{}')) dd"
    assert page.inner_text("#total-runs") == f"{stats['totalRuns']:,}"
    assert page.inner_text(card.format("Completed")).startswith(f"{stats['completedRuns']:,} ")
    assert page.inner_text(card.format("Batches")) == f"{stats['totalBatches']:,}"


def test_pages_served_live_satisfy_the_csp_and_static_pages_stay_static(
    browser: Any, live_server: tuple[str, Path]
) -> None:
    base, db = live_server
    page, log = open_page(browser, base + SITE_PREFIX + "agents.html")
    page.wait_for_selector("#live")
    assert log.problems() == []
    assert all(u.startswith(base) for u in log.requests)
    # the same folder from file:// has no live indicator and asks no server
    out = db.parent / "site"
    page, log = open_page(browser, file_url(out / "runs.html"))
    assert page.locator("#live").count() == 0
    assert page.get_attribute("body", "data-live") is None
    assert all(u.startswith("file://") for u in log.requests)


def test_line_diff_and_its_reversal_agree(browser: Any, site: tuple[Path, Path, str]) -> None:
    """views.js's line diff: the hunks of a diff of A and B, read back as a unified patch, turn B into A again
    (which is how a write's previous content is recovered from the run's diff)."""
    import random

    _, out, run_id = site
    page, log = open_page(browser, run_url(out, run_id))
    rng = random.Random(15)
    words = ["alpha", "beta", "gamma", "", "delta", "alpha"]
    cases = [("", "x\n"), ("x\n", ""), ("same\n", "same\n")]
    for _ in range(40):
        old_words = [rng.choice(words) for _ in range(rng.randint(0, 30))]
        new_words = [w for w in old_words if rng.random() > 0.2]
        for _ in range(rng.randint(0, 5)):
            new_words.insert(rng.randint(0, len(new_words)), rng.choice(words) + "!")
        cases.append(
            ("\n".join(old_words) + ("\n" if old_words else ""), "\n".join(new_words) + ("\n" if new_words else ""))
        )
    results = page.evaluate(
        """cases => cases.map(([a, b]) => {
        const v = window.zb.views, split = (t) => t === "" ? [] : t.replace(/\\n$/, "").split("\\n");
        const ops = v.diffLines(split(a), split(b));
        const back = [ops.filter(o => o[0] !== "+").map(o => o[1]), ops.filter(o => o[0] !== "-").map(o => o[1])];
        const patch = v.hunks(ops).map(h => h.header + "\\n" + h.lines.map(([op, t]) => op + t).join("\\n"))
          .join("\\n");
        return [back[0].join("\\n"), back[1].join("\\n"), v.unapply(patch, b), ops.filter(o => o[0] !== " ").length];
    })""",
        cases,
    )

    def lines(text: str) -> str:  # the text without its final newline, as the diff reads it
        return text[:-1] if text.endswith("\n") else text

    for (a, b), (old, new, unapplied, changes) in zip(cases, results, strict=True):
        assert old == lines(a)
        assert new == lines(b)
        assert unapplied == lines(a), (a, b)
        assert (changes == 0) == (a == b)
    assert log.problems() == []
