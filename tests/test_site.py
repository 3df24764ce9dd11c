"""zebench build-site without a browser: files, the JSON mirror against the live API, incremental builds,
escaping, chart specs, host configuration (netlify.toml, _headers, _redirects) and CLI errors."""

from __future__ import annotations

import asyncio
import csv
import gzip
import html
import json
import re
import shutil
import sqlite3
import tomllib
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from tests.conftest import REPO
from tests.site_data import XSS, XSS_BATCH, batch_runs, build_site_db
from zebench.cli import main
from zebench.io.serve import make_datasette
from zebench.models import BatchRecord, Failure
from zebench.report.analysis import pareto_frontier
from zebench.site import builder, pages
from zebench.site.builder import CONTENT_SECURITY_POLICY, HEADERS, REWRITES, build_site, file_name, script_json
from zebench.site.charts import validated
from zebench.store import Store
from zebench.testing.synthetic import AGENT_MODELS, Generator

PAGES = [
    "index.html",
    "runs.html",
    "run.html",
    "batches.html",
    "agents.html",
    "scenarios.html",
    "evaluators.html",
    "costs.html",
    "compare.html",
]


@pytest.fixture(scope="module")
def site_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("sitedb") / "site.db"
    build_site_db(path, hostile=True)
    return path


@pytest.fixture(scope="module")
def built(site_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("site") / "site"
    build_site(site_db, out)
    return out


def live(db: Path, path: str) -> Any:
    ds = make_datasette(db)
    response = asyncio.run(ds.client.get(path))
    assert response.status_code == 200, (path, response.text[:200])
    return response.json()


def data_file(path: Path) -> Any:
    """The value of a zbData(key, value) data file (plain or gzip-packed)."""
    import base64

    text = path.read_text()
    match = re.fullmatch(r'zbData\("[^"]+",(.*)\);\n', text, re.S)
    assert match, text[:100]
    value = json.loads(match.group(1))
    if isinstance(value, dict) and set(value) == {"gzip"}:
        value = json.loads(gzip.decompress(base64.b64decode(value["gzip"])))
    if isinstance(value, dict) and set(value) == {"ids", "parts"}:  # the run archive's columns (builder.columns_of)
        value = {i: {k: v[n] for k, v in value["parts"].items()} for n, i in enumerate(value["ids"])}
    return value


def test_every_page_and_mirror_file_is_written(built: Path, site_db: Path) -> None:
    for page in PAGES:
        assert (built / page).is_file(), page
    batches = [r[0] for r in sqlite3.connect(site_db).execute("SELECT batch_id FROM batch_runs")]
    for batch_id in batches:
        name = file_name(batch_id)
        for rel in (
            f"batches/{name}.html",
            f"api/v2/batches/{name}.json",
            f"downloads/{name}.csv.gz",
            f"data/batch-items/{name}.js",
        ):
            assert (built / rel).is_file(), rel
    assets = sorted(p.name for p in (built / "assets").iterdir())
    assert [a.split("-")[0] for a in assets] == ["site", "site", "vega", "views"]
    assert all(re.fullmatch(r"[a-z]+-[0-9a-f]{12}\.(js|css)", a) for a in assets)
    vega = next((built / "assets").glob("vega-*.js")).read_text()
    assert "window.vegaEmbed" in vega
    assert len(vega) > 500_000  # the real bundle, not a placeholder


def test_no_page_refers_to_anything_outside_the_site(built: Path) -> None:
    for page in built.rglob("*.html"):
        text = page.read_text()
        for url in re.findall(r'(?:src|href)="([^"]+)"', text):
            assert not re.match(r"^(https?:)?//", url), (page, url)
            if url.startswith(("#", "data:")) or "?" in url or "#" in url:
                continue
            assert (page.parent / url).resolve().is_file(), (page, url)


def test_json_mirror_has_the_live_api_shapes_and_numbers(built: Path, site_db: Path) -> None:
    assert json.loads((built / "api/v2/stats.json").read_text()) == live(site_db, "/api/v2/stats")
    assert json.loads((built / "api/v2/stats/agents.json").read_text()) == live(site_db, "/api/v2/stats/agents")
    assert json.loads((built / "api/v2/stats/scenarios.json").read_text()) == live(site_db, "/api/v2/stats/scenarios")
    assert json.loads((built / "api/v2/runs/latest.json").read_text()) == live(site_db, "/api/v2/runs")
    # a batch without its runs (they are in the runs table's index and the download)
    batch = live(site_db, "/api/v2/batches/batch-a?runs=0")
    assert json.loads((built / "api/v2/batches/batch-a.json").read_text()) == batch
    mirrored = json.loads((built / "api/v2/batches/index.json").read_text())
    assert mirrored[:20] == live(site_db, "/api/v2/batches")
    # the original project's shapes at the unversioned paths, as its dashboard reads them
    assert json.loads((built / "api/stats.json").read_text()) == live(site_db, "/api/stats")
    assert json.loads((built / "api/stats/agents.json").read_text()) == live(site_db, "/api/stats/agents")
    assert json.loads((built / "api/runs/latest.json").read_text()) == live(site_db, "/api/runs?limit=10000")
    assert json.loads((built / "api/batches/index.json").read_text()) == live(site_db, "/api/batches?limit=10000")
    assert not list((built / "api/batches").glob("batch-*"))  # a batch with every run: the live API only
    # a run's detail and the pages of every run are the live API's: at a million runs they would be gigabytes
    assert not (built / "api/v2/runs/detail").exists()
    assert not (built / "api/v2/runs/pages").exists()
    # the run view's copy: the live API's detail with the transcript (texts this short are not cut)
    everything = live(site_db, "/api/v2/runs?limit=1000")
    run_id, row_id = everything[-1]["runId"], everything[-1]["id"]
    page_copy = data_file(built / f"data/runs/{row_id // builder.DETAIL_CHUNK}.js")[run_id]
    assert page_copy["transcript"] == live(site_db, f"/api/v2/runs/{run_id}/transcript")
    assert page_copy == {**live(site_db, f"/api/v2/runs/{run_id}"), "transcript": page_copy["transcript"]}


def test_small_chunks_hold_every_run_once(site_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every run is in exactly one file of run details (a chunk of the newest runs or an archive chunk) and one
    file of the runs table's index."""
    monkeypatch.setattr(builder, "DETAIL_CHUNK", 5)
    monkeypatch.setattr(builder, "ARCHIVE_CHUNK", 20)
    monkeypatch.setattr(builder, "RECENT_RUNS", 30)
    monkeypatch.setattr(builder, "INDEX_CHUNK", 25)
    out = tmp_path / "site"
    build_site(site_db, out)
    ids = [r[0] for r in sqlite3.connect(site_db).execute("SELECT run_id FROM benchmark_runs ORDER BY id DESC")]
    files = sorted((out / "data/runs").iterdir())
    details = [k for f in files for k in data_file(f)]
    assert sorted(details) == sorted(ids)
    archive = [f for f in files if f.name.startswith("a")]
    assert archive  # the older runs
    assert len(files) - len(archive) <= 30 // 5 + 20 // 5
    table = [row[1] for f in (out / "data/runs-index").iterdir() for row in data_file(f)]
    assert sorted(table) == sorted(ids)
    manifest = data_file(out / "data/manifest.js")
    assert manifest["detailChunk"] == 5
    assert manifest["archiveChunk"] == 20
    assert len(manifest["indexChunks"]) == len(list((out / "data/runs-index").iterdir()))
    max_id = sqlite3.connect(site_db).execute("SELECT MAX(id) FROM benchmark_runs").fetchone()[0]
    assert manifest["recentFrom"] == builder.recent_from(max_id) > 0


def test_the_archive_holds_older_runs_cut(site_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Older runs are in the archive with the archive's cuts: long texts cut, patches and the prompt left out, the
    transcript cut to the agent's last message and its first and last tool calls, with what was cut said."""
    monkeypatch.setattr(builder, "RECENT_RUNS", 10)
    out = tmp_path / "site"
    build_site(site_db, out)
    conn = sqlite3.connect(site_db)
    row_id, run_id = conn.execute(
        "SELECT r.id, r.run_id FROM benchmark_runs r JOIN run_tool_calls t ON t.run_id = r.run_id "
        "GROUP BY r.id ORDER BY COUNT(*) DESC, r.id LIMIT 1"
    ).fetchone()
    assert row_id < builder.recent_from(conn.execute("SELECT MAX(id) FROM benchmark_runs").fetchone()[0])
    detail = data_file(out / f"data/runs/a{row_id // builder.ARCHIVE_CHUNK}.js")[run_id]
    full = live(site_db, f"/api/v2/runs/{run_id}")
    transcript = live(site_db, f"/api/v2/runs/{run_id}/transcript")
    assert detail["run"] == {**full["run"], "metadata": detail["run"]["metadata"]}
    assert [e["evaluatorName"] for e in detail["evaluations"]] == [e["evaluatorName"] for e in full["evaluations"]]
    assert all(f["patch"] is None for f in detail["diff"]["files"])
    assert [f["path"] for f in detail["diff"]["files"]] == [f["path"] for f in full["diff"]["files"]]
    assert detail["telemetry"]["promptSent"] is None
    head, tail = builder.ARCHIVE_WINDOW["toolCalls"]
    calls = transcript["toolCalls"]
    kept = calls[:head] + calls[-tail:] if len(calls) > head + tail else calls
    assert [c["seq"] for c in detail["transcript"]["toolCalls"]] == [c["seq"] for c in kept]
    assert detail["cut"]["toolCalls"] == [len(kept), len(calls)]
    assert detail["cut"]["messages"][1] == len(transcript["messages"])
    for call in detail["transcript"]["toolCalls"]:
        assert len(call["output"] or "") <= builder.ARCHIVE_CALL_LIMIT + len("\n[cut: 99,999 characters]")


#: Text the archive's JSON must carry through as it is: quotes, backslashes, control characters, the JavaScript line
#: separators, letters beyond ASCII and beyond the BMP.
AWKWARD = 'say "hi" \\ back\\slash\ttab\x01\x1f \u2028\u2029 données 日本 🚀 </script>'


def _archived(detail: Any, cuts: Any, stored: dict[str, int]) -> Any:
    """What the archive keeps of a run, made in Python from the run's full detail (store.query_run_details_range):
    the reference the SQL that makes the archive is held to. ``stored``: the length of each JSON text as stored."""

    def cut(text: Any, limit: int = cuts.text) -> Any:
        return (
            f"{text[:limit]}\n[cut: {len(text):,} characters]" if isinstance(text, str) and len(text) > limit else text
        )

    def tail(text: Any) -> Any:
        return f"[cut: {len(text):,} characters]\n{text[-cuts.tail :]}" if text and len(text) > cuts.tail else text

    def short(value: Any, empty: Any) -> Any:
        return value if len(json.dumps(value, ensure_ascii=False, separators=(",", ":"))) <= cuts.text else empty

    def content(value: Any) -> Any:
        if isinstance(value, list):
            return [
                {"type": "text", "text": cut(b.get("text"))}
                for b in value
                if isinstance(b, dict) and b.get("type") == "text"
            ]
        if isinstance(value, dict):
            return {
                k: cut(v)
                if isinstance(v, str)
                else short(v, [])
                if isinstance(v, list)
                else short(v, {})
                if isinstance(v, dict)
                else v
                for k, v in value.items()
            }
        return cut(value)

    def window(entries: list[Any], head: int, tail: int) -> list[Any]:
        return entries if len(entries) <= head + tail else entries[:head] + entries[len(entries) - tail :]

    run = detail["run"]
    transcript = detail["transcript"] or {"messages": [], "toolCalls": []}
    messages, calls = (window(transcript[k], *cuts.window[k]) for k in ("messages", "toolCalls"))
    return {
        "run": {
            **run,
            "error": cut(run["error"]),
            "metadata": run["metadata"] if stored["metadata"] <= cuts.metadata else {"cut": stored["metadata"]},
        },
        "evaluations": [
            {
                **{k: v for k, v in e.items() if k not in ("id", "runId", "createdAt")},
                "details": e["details"] if stored[f"details{e['id']}"] <= cuts.details else None,
                "error": cut(e["error"]),
            }
            for e in detail["evaluations"]
        ],
        "telemetry": detail["telemetry"] and {**detail["telemetry"], "promptSent": None, "workspaceDir": None},
        "validationResults": [{**v, "outputTail": tail(v["outputTail"])} for v in detail["validationResults"]],
        "baselineResults": [{**v, "outputTail": tail(v["outputTail"])} for v in detail["baselineResults"]],
        "diff": {
            "files": [{**f, "patch": None} for f in detail["diff"]["files"]],
            "dependencyChanges": detail["diff"]["dependencyChanges"],
        },
        "manifest": detail["manifest"],
        "transcript": {
            "messages": [{**m, "content": content(m["content"])} for m in messages],
            "toolCalls": [
                {
                    **c,
                    "input": c["input"]
                    if stored[f"input{c['seq']}"] <= cuts.details
                    else {"path": c["input"].get("path")},
                    "output": cut(c["output"], cuts.call),
                }
                for c in calls
            ],
        },
    }


def _rounded(value: Any) -> Any:
    """Floats to 12 digits: the archive writes numbers as SQLite's JSON functions do (15 significant digits)."""
    if isinstance(value, float):
        return float(f"{value:.12g}")
    if isinstance(value, list):
        return [_rounded(v) for v in value]
    if isinstance(value, dict):
        return {k: _rounded(v) for k, v in value.items()}
    return value


def test_the_archive_is_each_run_with_the_archive_cuts(tmp_path: Path) -> None:
    """The archive's JSON, concatenated by SQLite from the stored texts, decodes to each run's full detail with the
    archive's cuts applied (_archived: the same cuts made in Python), awkward text and long values included."""
    from zebench.models import Message
    from zebench.store import ArchiveCuts, query_run_archive_range, query_run_details_range

    gen = Generator(seed=11, details=True, start=datetime(2026, 3, 1, tzinfo=UTC))
    runs = batch_runs(gen, "batch-x", AGENT_MODELS[:2], scenarios=3)
    odd = runs[1]
    assert odd.transcript is not None
    odd.failure = Failure(category="agent", stage="agent", message=AWKWARD * 5)
    odd.status, odd.is_successful, odd.metadata = "failed", False, {"note": AWKWARD, "n": 0.1 + 0.2, "none": None}
    odd.validation[0].output_tail = AWKWARD * 20
    odd.evaluations[0].details = {"text": AWKWARD, "long": "x" * 500}
    odd.evaluations[1].details = {"text": AWKWARD}
    odd.evaluations[1].error, odd.evaluations[1].score = AWKWARD, None
    odd.transcript.messages += [
        Message(role="assistant", content=[{"type": "text", "text": AWKWARD * 9}, {"type": "tool_use", "id": "t"}]),
        Message(role="user", content={"text": AWKWARD * 9, "short": [1, 2], "long": ["y" * 300], "ok": True}),
    ]
    odd.transcript.tool_calls[0].input = {"path": AWKWARD, "content": "z" * 1000}
    odd.transcript.tool_calls[-1].output = AWKWARD * 4
    runs[2].transcript = None
    db = tmp_path / "z.db"
    with Store(db) as store:
        store.save_batch(BatchRecord(batch_id="batch-x", created_at=runs[0].started_at))
        store.save_runs(runs)
    window = {"messages": (1, 2), "toolCalls": (1, 1)}  # the odd messages and tool calls are first and last
    cuts = ArchiveCuts(text=50, call=30, tail=40, details=120, metadata=60, window=window)
    conn = sqlite3.connect(db)
    archived = query_run_archive_range(conn, 0, 10_000, cuts)
    parts = {k: json.loads(v) for k, v in archived.parts.items()}
    details = query_run_details_range(conn, 0, 10_000, transcripts=True)
    assert archived.run_ids == [d["run"]["runId"] for d in details]
    assert odd.run_id in archived.run_ids
    for n, detail in enumerate(details):
        run_id = detail["run"]["runId"]
        stored = {
            "metadata": conn.execute("SELECT length(metadata) FROM benchmark_runs WHERE run_id = ?", (run_id,)),
            **{
                f"details{i}": conn.execute("SELECT length(details) FROM evaluation_results WHERE id = ?", (i,))
                for i in [e["id"] for e in detail["evaluations"]]
            },
            **{
                f"input{seq}": conn.execute(
                    "SELECT length(input) FROM run_tool_calls WHERE run_id = ? AND seq = ?", (run_id, seq)
                )
                for seq in [c["seq"] for c in (detail["transcript"] or {"toolCalls": []})["toolCalls"]]
            },
        }
        lengths = {k: c.fetchone()[0] or 0 for k, c in stored.items()}
        assert _rounded({k: v[n] for k, v in parts.items()}) == _rounded(_archived(detail, cuts, lengths)), run_id


def test_batch_pages_show_echo_read_once_for_the_batches_without_it(tmp_path: Path) -> None:
    """The echo baseline of a batch without echo runs of its own comes from every echo run of the database: the build
    reads those once (store.query_echo_items) for all such batches, and each page shows what
    store.query_echo_baseline of the batch alone gives, which is the mean over the batch's items of echo's mean
    score on each (computed here from the runs)."""
    from zebench.store import query_echo_baseline, query_echo_items

    gen = Generator(seed=5, details=True, start=datetime(2026, 3, 1, tzinfo=UTC))
    echo: list[tuple[str, str | None, float]] = [("echo", None, 0.1)]
    batches = {
        "b-echo": batch_runs(gen, "b-echo", echo, scenarios=4),
        "b-more-echo": batch_runs(gen, "b-more-echo", [*echo, AGENT_MODELS[0]], scenarios=2),
        "b-none": batch_runs(gen, "b-none", AGENT_MODELS[:2], scenarios=3),
    }
    db = tmp_path / "z.db"
    with Store(db) as store:
        for batch_id, runs in batches.items():
            store.save_batch(BatchRecord(batch_id=batch_id, created_at=runs[0].started_at))
            store.save_runs(runs)
    conn = sqlite3.connect(db)
    per_item = dict(
        conn.execute(
            "SELECT suite || '/' || scenario || '/' || tier, AVG(weighted_score) FROM benchmark_runs "
            "WHERE agent = 'echo' AND status != 'cancelled' GROUP BY 1"
        ).fetchall()
    )
    database = query_echo_items(conn)
    build_site(db, tmp_path / "site")
    for batch_id, source in (("b-none", "database"), ("b-more-echo", "selection")):
        baseline = query_echo_baseline(conn, {"batchId": batch_id})
        assert query_echo_baseline(conn, {"batchId": batch_id}, database_echo=database) == baseline
        assert {b["source"] for b in baseline} == {source}
        page = (tmp_path / f"site/batches/{batch_id}.html").read_text()
        for row in baseline:
            assert row["echoMeanScore"] is not None
            assert f"{row['echoMeanScore']:,.2f}" in page
    none = query_echo_baseline(conn, {"batchId": "b-none"})
    for row in none:
        items = {
            "/".join(item)
            for item in conn.execute(
                "SELECT DISTINCT suite, scenario, tier FROM benchmark_runs WHERE batch_id = 'b-none' AND agent = ? "
                "AND model = ?",
                (row["agent"], row["model"]),
            )
        }
        assert row["echoItems"] == len(items) == 6  # every item of b-none was run by echo in b-echo
        assert row["echoMeanScore"] == pytest.approx(sum(per_item[i] for i in items) / len(items))
    # every run (the dashboard): the items and echo's scores from the summary tables
    dashboard = (tmp_path / "site/index.html").read_text()
    for row in query_echo_baseline(conn):
        items = {
            "/".join(item)
            for item in conn.execute(
                "SELECT DISTINCT suite, scenario, tier FROM benchmark_runs WHERE agent = ? AND model = ?",
                (row["agent"], row["model"]),
            )
        }
        assert (row["source"], row["items"], row["echoItems"]) == ("selection", len(items), len(items))
        assert row["echoMeanScore"] == pytest.approx(sum(per_item[i] for i in items) / len(items))
        assert f"{row['echoMeanScore']:,.2f}" in dashboard


def test_batch_downloads_hold_every_run(built: Path, site_db: Path) -> None:
    runs = (
        sqlite3.connect(site_db).execute("SELECT COUNT(*) FROM benchmark_runs WHERE batch_id = 'batch-b'").fetchone()[0]
    )
    with gzip.open(built / "downloads/batch-b.csv.gz", "rt", newline="") as f:
        table = list(csv.DictReader(f))
    assert len(table) == runs
    assert {"run_id", "agent", "status", "weighted_score", "cost_usd", "tokens_in"} <= set(table[0])
    with gzip.open(built / f"downloads/{file_name(XSS_BATCH)}.csv.gz", "rt", newline="") as f:
        hostile = list(csv.DictReader(f))
    assert hostile[0]["error"].startswith("crashed")


def test_agent_text_is_escaped_in_every_file(built: Path) -> None:
    raw = ["<script>window.__xss", "<img src=x onerror"]
    checked = 0
    for path in built.rglob("*"):
        if path.suffix in (".html", ".js") and not path.name.startswith("vega-"):
            text = path.read_text()
            for needle in raw:
                assert needle not in text, (path, needle)
            checked += 1
    assert checked > 10
    run_id = json.loads((built / "api/runs/latest.json").read_text())[0]["runId"]
    assert json.loads((built / "api/runs/latest.json").read_text())[0]["agent"] == f"agent{XSS}"  # JSON keeps it as is
    assert run_id  # the hostile run is the newest
    batch_page = (built / f"batches/{file_name(XSS_BATCH)}.html").read_text()
    assert "&lt;img src=x onerror=window.__xss=3&gt;" in batch_page  # shown, as text


def test_script_json_and_file_names_are_safe() -> None:
    text = script_json({"a": "</script><!-- & \u2028"})
    assert "<" not in text
    assert ">" not in text
    assert "&" not in text
    assert "\u2028" not in text
    assert json.loads(text) == {"a": "</script><!-- & \u2028"}
    assert file_name("batch-123-abc") == "batch-123-abc"
    names = {file_name(x) for x in ("../etc/passwd", "a/b", "a b", "a?b", "x.json", "", "CON<>", "index")}
    assert len(names) == 8
    assert all(re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]*~[0-9a-f]{10}", n) and ".." not in n for n in names)
    # plain names never collide with hashed ones, nor (case-insensitively) with each other
    ids = ["Nightly", "nightly", "x y", file_name("x y").replace("~", "-"), "batch-1", "INDEX"]
    mapping = builder.batch_file_names(ids)
    assert len({n.lower() for n in mapping.values()}) == len(ids)
    assert mapping["batch-1"] == "batch-1"
    assert mapping["Nightly"] != "Nightly"
    assert mapping["INDEX"] != "INDEX"


def test_chart_specs_are_valid_vega_lite(built: Path) -> None:
    specs = 0
    for page in built.rglob("*.html"):
        for block in re.findall(r'<script type="application/json" id="spec-[a-z_]+">(.*?)</script>', page.read_text()):
            spec = json.loads(block)
            validated(spec)
            assert spec["$schema"].startswith("https://vega.github.io/schema/vega-lite/")
            specs += 1
    assert specs >= 15


def test_pareto_frontier() -> None:
    # (cost, score): lower cost and higher score are better; of two identical points only the first is marked
    assert pareto_frontier([(1, 5), (2, 6), (3, 4), (0.5, 2), (2, 5.5)]) == [True, True, False, True, False]
    assert pareto_frontier([(1, 5), (1, 5), (1, 4)]) == [True, False, False]
    assert pareto_frontier([]) == []


def _add_batch(db: Path, batch_id: str) -> list[str]:
    gen = Generator(seed=99, details=True)
    runs = batch_runs(gen, batch_id, AGENT_MODELS[:2], scenarios=5, tiers=("L1",), repeats=2)[:100]
    with Store(db) as store:
        store.save_batch(BatchRecord(batch_id=batch_id, created_at="2027-01-01T00:00:00.000Z", expected_runs=len(runs)))
        store.save_runs(runs)
    return [r.run_id for r in runs]


def test_incremental_builds_rewrite_only_what_changed(site_db: Path, tmp_path: Path) -> None:
    db = tmp_path / "inc.db"
    shutil.copyfile(site_db, db)
    out = tmp_path / "site"
    first = build_site(db, out)
    assert first.full
    assert first.written
    assert not first.removed
    again = build_site(db, out)
    assert not again.full
    assert again.written == []  # nothing changed: nothing is written

    _add_batch(db, "batch-new")
    after = build_site(db, out)
    written = set(after.written)
    assert not after.full
    # the new batch's files, the run chunks holding new ids, and the aggregate pages; old batches untouched
    assert {"batches/batch-new.html", "api/v2/batches/batch-new.json", "downloads/batch-new.csv.gz"} <= written
    assert {"index.html", "api/stats.json", "api/v2/stats.json", "data/manifest.js"} <= written
    for old in (
        "batches/batch-a.html",
        "batches/batch-b.html",
        "api/v2/batches/batch-b.json",
        "downloads/batch-a.csv.gz",
        "data/runs/0.js",
    ):
        assert old not in written, old
    table = [row for f in (out / "data/runs-index").iterdir() for row in data_file(f)]
    assert len(table) == sqlite3.connect(db).execute("SELECT COUNT(*) FROM benchmark_runs").fetchone()[0]

    full = build_site(db, out, full=True)
    assert full.full
    assert len(full.written) == 0
    assert full.unchanged >= full.files - 1  # same bytes: nothing to rewrite
    (out / "index.html").unlink()
    (out / "batches/batch-a.html").write_text("tampered")
    repaired = build_site(db, out, full=True)
    assert {"index.html", "batches/batch-a.html"} <= set(repaired.written)


def test_a_rewritten_run_is_rebuilt(site_db: Path, tmp_path: Path) -> None:
    db = tmp_path / "rewrite.db"
    shutil.copyfile(site_db, db)
    out = tmp_path / "site"
    build_site(db, out)
    with Store(db) as store:  # the same run written again with other content: same runId, same row id
        run_id = store.run_ids("batch-a")[0]
        record = store.get_run(run_id)
        assert record is not None
        assert record.status == "completed"
        assert record.transcript is not None
        record.transcript.messages[0].content = "rewritten"  # nothing a count or a score would show
        assert record.telemetry is not None
        record.telemetry.cost_usd = 123.0
        store.save_run(record)
    report = build_site(db, out)
    assert {
        "data/runs/0.js",
        "data/runs-index/0.js",
        "batches/batch-a.html",
        "api/v2/batches/batch-a.json",
    } <= set(report.written)
    assert data_file(out / "data/runs/0.js")[run_id]["transcript"]["messages"][0]["content"] == "rewritten"
    assert data_file(out / "data/runs/0.js")[run_id]["run"]["costUsd"] == 123.0
    assert build_site(db, out, full=True).written == []  # the incremental build had everything a full one makes


def test_a_deleted_unit_file_is_rebuilt_and_stale_files_are_removed(site_db: Path, tmp_path: Path) -> None:
    db = tmp_path / "stale.db"
    shutil.copyfile(site_db, db)
    out = tmp_path / "site"
    build_site(db, out)
    (out / "batches/batch-b.html").unlink()
    report = build_site(db, out)
    assert "batches/batch-b.html" in report.written
    assert (out / "batches/batch-b.html").is_file()
    with Store(db) as store:  # a batch removed from the database disappears from the site
        store.conn.execute("DELETE FROM benchmark_runs WHERE batch_id = 'batch-b'")
        store.conn.execute("DELETE FROM batch_runs WHERE batch_id = 'batch-b'")
        store.conn.commit()
    outside = tmp_path / "precious.txt"
    outside.write_text("not the site's")
    state = json.loads((out / builder.STATE_FILE).read_text())
    state["units"]["_all"]["files"] += ["../precious.txt", str(outside)]  # a foreign or hand-edited state file
    (out / builder.STATE_FILE).write_text(json.dumps(state))
    report = build_site(db, out)
    assert "batches/batch-b.html" in report.removed
    assert not (out / "batches/batch-b.html").exists()
    assert not (out / "downloads/batch-b.csv.gz").exists()
    assert outside.read_text() == "not the site's"


def test_templates_change_forces_a_full_build(site_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    templates = tmp_path / "templates"
    shutil.copytree(builder.templates_dir(), templates)
    monkeypatch.setattr(builder, "templates_dir", lambda: templates)
    out = tmp_path / "site"
    build_site(site_db, out)
    base = templates / "base.html"
    base.write_text(base.read_text().replace("<footer>", "<footer>Changed. "))
    report = build_site(site_db, out)
    assert report.full
    assert "batches/batch-a.html" in report.written
    assert "Changed." in (out / "batches/batch-a.html").read_text()


def test_a_new_page_is_one_unit_and_one_template(
    site_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """docs/development.md's recipe: a function registered with @page and its template; the page is built and
    every page's navigation lists it."""
    templates = tmp_path / "templates"
    shutil.copytree(builder.templates_dir(), templates)
    (templates / "extra.html").write_text(
        '{% extends "base.html" %}{% block content %}<p id="extra">{{ stats.totalRuns }} runs</p>{% endblock %}'
    )
    monkeypatch.setattr(builder, "templates_dir", lambda: templates)
    monkeypatch.setattr(pages, "ALL_PAGES", list(pages.ALL_PAGES))

    @pages.page("extra.html", "Extra")
    def extra(data: pages.SiteData) -> dict[str, Any]:
        return {"stats": data.stats}

    out = tmp_path / "site"
    build_site(site_db, out)
    runs = live(site_db, "/api/v2/stats")["totalRuns"]
    assert f'<p id="extra">{runs} runs</p>' in (out / "extra.html").read_text()
    for page in ("index.html", "extra.html", "batches/batch-a.html"):
        nav = re.search(r"<nav>(.*?)</nav>", (out / page).read_text(), re.S)
        assert nav is not None, page
        assert re.findall(r'href="(?:\.\./)?([^"]+)"', nav.group(1))[-1] == "extra.html", page


def test_empty_database_builds_a_site_that_says_so(tmp_path: Path, template_db: Path) -> None:
    db = tmp_path / "empty.db"
    shutil.copyfile(template_db, db)
    report = build_site(db, tmp_path / "site")
    assert report.runs == 0
    assert "No runs yet" in (tmp_path / "site/index.html").read_text()
    assert json.loads((tmp_path / "site/api/stats.json").read_text())["totalRuns"] == 0


def test_cli_errors_write_nothing(tmp_path: Path) -> None:
    runner = CliRunner()
    out = tmp_path / "site"
    result = runner.invoke(main, ["build-site", "--db", str(tmp_path / "missing.db"), "--out", str(out)])
    assert result.exit_code == 2
    assert "no database at" in result.output
    assert not out.exists()
    other = tmp_path / "other.db"
    sqlite3.connect(other).execute("CREATE TABLE t (x)")
    result = runner.invoke(main, ["build-site", "--db", str(other), "--out", str(out)])
    assert result.exit_code == 2
    assert "not a zebench database" in result.output
    assert not out.exists()
    result = runner.invoke(main, ["build-site", "--db", str(other), "--base-url", "javascript:alert(1)"])
    assert result.exit_code == 2
    assert "--base-url" in result.output


def test_cli_builds_and_says_how_to_open(site_db: Path, tmp_path: Path) -> None:
    out = tmp_path / "public"
    result = CliRunner().invoke(
        main, ["build-site", "--db", str(site_db), "--out", str(out), "--base-url", "https://bench.example.org/"]
    )
    assert result.exit_code == 0, result.output
    assert (out / "index.html").resolve().as_uri() in result.output
    assert "http.server" in result.output
    assert '<link rel="canonical" href="https://bench.example.org/index.html">' in (out / "index.html").read_text()
    assert "https://bench.example.org/batches/batch-a.html" in (out / "sitemap.xml").read_text()


def test_host_configuration_agrees_with_the_builder(built: Path) -> None:
    config = tomllib.loads((REPO / "netlify.toml").read_text())
    assert config["build"]["publish"] == "site"
    headers = {h["for"]: h["values"] for h in config["headers"]}
    assert headers == HEADERS
    assert headers["/*"]["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
    assert headers["/*"]["X-Content-Type-Options"] == "nosniff"
    assert "immutable" in headers["/assets/*"]["Cache-Control"]
    redirects = [(r["from"], r["to"]) for r in config["redirects"]]
    assert redirects == REWRITES
    assert all(r["status"] == 200 and not r.get("force") for r in config["redirects"])
    # every rewrite lands on a file of a built site
    for _, target in REWRITES:
        assert (built / target.lstrip("/").replace(":id", "batch-a")).is_file(), target
    # the same rules for Cloudflare Pages / Netlify's file-based configuration
    assert (built / "_redirects").read_text().splitlines()[0] == "/api/runs /api/runs/latest.json 200"
    assert f"  Content-Security-Policy: {CONTENT_SECURITY_POLICY}" in (built / "_headers").read_text()
    # each page carries the policy too (as a meta element, without frame-ancestors, which browsers ignore there)
    meta = re.search(
        r'<meta http-equiv="Content-Security-Policy" content="([^"]+)">', (built / "index.html").read_text()
    )
    assert meta
    assert html.unescape(meta.group(1)) == builder.META_CONTENT_SECURITY_POLICY
    assert "script-src 'self';" in builder.META_CONTENT_SECURITY_POLICY
    assert "frame-ancestors" not in meta.group(1)


def test_batch_matrix_is_the_same_in_the_site_and_the_live_api(built: Path, site_db: Path) -> None:
    from zebench.models import BatchMatrix
    from zebench.report.analysis import batch_matrix, config_name, item_succeeded, leaderboard

    served = live(site_db, "/api/v2/batches/batch-c/matrix?previous=batch-a")
    BatchMatrix.model_validate(served)
    assert data_file(built / "data/batch-matrix/batch-c.js") == served  # built from the same function
    with sqlite3.connect(site_db) as conn:
        assert served == json.loads(json.dumps(batch_matrix(conn, "batch-c", "batch-a")))
        runs = conn.execute(
            "SELECT agent, COALESCE(model, ''), suite, scenario, tier, is_successful "
            "FROM benchmark_runs WHERE batch_id = ? AND status != 'cancelled'",
            ("batch-c",),
        ).fetchall()
        board = leaderboard(conn, {"batchId": "batch-c"})
    cells: dict[tuple[str, ...], list[int]] = {}
    for *key, ok in runs:
        cells.setdefault(tuple(key), []).append(ok)
    assert {
        (i["agent"], i["model"] or "", i["suite"], i["scenario"], i["tier"]): (i["runs"], i["successful"])
        for i in served["items"]
    } == {k: (len(v), sum(v)) for k, v in cells.items()}
    for i in served["items"]:  # a regression: the item succeeded in the previous batch and does not now
        before = {"runs": i["previousRuns"], "successful": i["previousSuccessful"]}
        assert i["regressed"] == (i["previousRuns"] is not None and item_succeeded(before) and not item_succeeded(i))
    assert any(i["regressed"] for i in served["items"])
    assert [config_name(c["agent"], c["model"] or "") for c in served["configurations"]] == [
        config_name(c["agent"], c["model"] or "") for c in board
    ]
    assert [c["passAtK"] for c in served["configurations"]] == [c["passAtK"] for c in board]
    # the batch page carries what the matrix needs to find its data and its previous batch
    page = (built / "batches/batch-c.html").read_text()
    assert 'id="batch-matrix" data-batch="batch-c" data-file="batch-c" data-previous="batch-a"' in page
    without = live(site_db, "/api/v2/batches/batch-c/matrix")
    assert without["previousBatchId"] is None
    assert not any(i["regressed"] for i in without["items"])
    for path, status in (
        ("/api/v2/batches/nope/matrix", 404),
        ("/api/v2/batches/batch-c/matrix?previous=nope", 404),
        ("/api/v2/batches/batch-c/matrix?x=1", 400),
    ):
        response = asyncio.run(make_datasette(site_db).client.get(path))
        assert response.status_code == status, path


def test_serve_site_serves_the_built_site_beside_the_api(built: Path, site_db: Path) -> None:
    from zebench.constants import SITE_PREFIX
    from zebench.site.serving import LIVE_API_FROM_SITE

    def get(path: str, site: Path | None = built) -> Any:
        return asyncio.run(make_datasette(site_db, site=site).client.get(path))

    index = get(SITE_PREFIX)
    assert index.status_code == 200
    assert index.text == (built / "index.html").read_text()
    assert index.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
    assert index.headers["x-content-type-options"] == "nosniff"
    assert get(SITE_PREFIX + "runs.html").text == (built / "runs.html").read_text()
    asset = next(p for p in (built / "assets").iterdir() if p.name.startswith("views-"))
    response = get(f"{SITE_PREFIX}assets/{asset.name}")
    assert response.content == asset.read_bytes()
    assert response.headers["content-type"].startswith("text/javascript")
    # the built site's data/live.js says it is static; served, it says where the API is
    assert data_file(built / "data/live.js") is None
    config = get(SITE_PREFIX + "data/live.js")
    assert config.status_code == 200
    assert config.text.startswith('zbData("live",')
    (built / "served-live.js").write_text(config.text)
    try:
        assert data_file(built / "served-live.js")["api"] == LIVE_API_FROM_SITE
    finally:
        (built / "served-live.js").unlink()
    assert LIVE_API_FROM_SITE.replace("../", "") == "api/v2"
    assert SITE_PREFIX.count("/") - 1 == 2
    for bad in ("../z.db", "%2e%2e/%2e%2e/etc/passwd", ".zebench-build.json", "assets", "nope.html"):
        assert get(SITE_PREFIX + bad).status_code == 404, bad
    assert get(SITE_PREFIX, site=None).status_code == 404  # served only with --site
    assert get("/-/site").status_code == 302


def test_serve_site_option_builds_the_site_first(
    tmp_path: Path, site_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import uvicorn

    started: list[Any] = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: started.append(kw))
    db = tmp_path / "z.db"
    shutil.copyfile(site_db, db)
    result = CliRunner().invoke(main, ["serve", "--db", str(db), "--port", "8123", "--site", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "out/index.html").is_file()
    assert (tmp_path / "out/data/live.js").is_file()
    assert "live at http://127.0.0.1:8123/-/site/" in result.output
    assert started == [{"host": "127.0.0.1", "port": 8123, "log_level": "info"}]


def test_worker_processes_make_the_same_files(site_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A full build of a large site makes the run details (archive and newest chunks) and the batches' files in
    worker processes (their own connections, the module's own constants) while it makes the rest: every file, the
    build's state included, is the one this process makes alone."""
    monkeypatch.setattr(builder, "RECENT_RUNS", 10)
    monkeypatch.setattr(builder, "ARCHIVE_CHUNK", 20)
    monkeypatch.setattr(builder, "DETAIL_CHUNK", 10)
    monkeypatch.setattr(builder, "INDEX_CHUNK", 20)
    inline = build_site(site_db, tmp_path / "inline")
    monkeypatch.setattr(builder, "PARALLEL_FROM", 2)
    workers = build_site(site_db, tmp_path / "workers")
    assert set(workers.work) == {"archive", "details", "batch"}  # each kind made, its CPU time counted

    def files(root: Path) -> dict[str, bytes]:
        return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}

    made_inline, made_by_workers = files(tmp_path / "inline"), files(tmp_path / "workers")
    assert sorted(made_by_workers) == sorted(made_inline)
    assert len([f for f in made_inline if f.startswith("data/runs/a")]) >= 2
    assert len([f for f in made_inline if f.startswith("batches/")]) >= 2
    for rel, content in made_inline.items():
        assert made_by_workers[rel] == content, rel
    assert sorted(workers.written) == sorted(inline.written)
