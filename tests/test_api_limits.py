"""Limits of the server (issue 11, point 6): values SQLite cannot store are a 422 naming the field, deep nesting a
400, the leaderboard cache follows rewritten runs, Datasette's anonymous SQL is bounded in size and time, public
pages show no absolute paths, and `serve` refuses a database that does not exist."""

from __future__ import annotations

import asyncio
import json
import shutil
import sqlite3
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from click.testing import CliRunner

from zebench.cli import main
from zebench.io import serve as serve_module
from zebench.io.serve import make_datasette
from zebench.store import Store

from .conftest import stored_run
from .test_api import ORIGINAL_PAYLOAD, TOKEN, api_db  # noqa: F401  (api_db: the module fixture)


@pytest.fixture
def db(api_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:  # noqa: F811
    monkeypatch.setenv("ZE_BENCHMARKS_API_KEY", TOKEN)
    path = tmp_path / "z.db"
    shutil.copyfile(api_db, path)
    return path


def request(db: Path, method: str, path: str, **kwargs: Any) -> Any:
    ds = make_datasette(db)
    return asyncio.run(getattr(ds.client, method)(path, **kwargs))


def post_raw(db: Path, path: str, body: str | bytes) -> Any:
    return request(
        db,
        "post",
        path,
        content=body.encode() if isinstance(body, str) else body,
        headers={"Authorization": f"Bearer {TOKEN}", "content-type": "application/json"},
    )


def counts(db: Path) -> tuple[int, ...]:
    conn = sqlite3.connect(db)
    return tuple(
        conn.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0]
        for t in ("benchmark_runs", "evaluation_results", "run_telemetry", "batch_runs")
    )


def with_field(path: list[str | int], raw_value: str) -> str:
    """The original payload as JSON text with the value at ``path`` replaced by raw JSON text (which json.dumps
    could not write: 2**70 stays an integer literal, NaN a bare word, \\ud800 an escape)."""
    payload = json.loads(json.dumps(ORIGINAL_PAYLOAD))
    target = payload
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = "@@HERE@@"
    return json.dumps(payload).replace('"@@HERE@@"', raw_value)


@pytest.mark.parametrize(
    "path, raw_value, loc",
    [
        (["telemetry", "tokensIn"], str(2**63), ["telemetry", "tokensIn"]),
        (["telemetry", "toolCalls"], str(-(2**64)), ["telemetry", "toolCalls"]),
        (["metadata"], '{"big": 99999999999999999999999}', ["metadata", "big"]),
        (["weightedScore"], "NaN", ["weightedScore"]),
        (["telemetry", "costUsd"], "Infinity", ["telemetry", "costUsd"]),
        (["successMetric"], "1e999", ["successMetric"]),
        (["runId"], '"\\ud800-run"', ["runId"]),
        (["evaluations", 0, "details"], '"ok \\udfff"', ["evaluations", 0, "details"]),
        (["metadata"], '{"\\ud83d": 1}', ["metadata", "?"]),
        (["telemetry", "tokensOut"], "9" * 5000, ["telemetry", "tokensOut"]),  # past Python's int-conversion limit
    ],
)
def test_values_sqlite_cannot_store_are_a_422_naming_the_field(
    db: Path, path: list[Any], raw_value: str, loc: list[Any]
) -> None:
    before = counts(db)
    r = post_raw(db, "/api/results", with_field(path, raw_value))
    assert r.status_code == 422, r.text
    body = r.json()
    assert body["errors"][0]["loc"] == loc
    assert ".".join(str(p) for p in loc) in body["error"]
    assert counts(db) == before
    # in a list, the record's index comes first
    r = post_raw(
        db, "/api/results", f"[{json.dumps({**ORIGINAL_PAYLOAD, 'runId': 'fine'})}, {with_field(path, raw_value)}]"
    )
    assert r.status_code == 422
    assert r.json()["errors"][0]["loc"] == [1, *loc]
    assert counts(db) == before


@pytest.mark.parametrize(
    "field, value",
    [
        ("runId", "r" * 257),
        ("agent", ""),
        ("suite", "s" * 100_000),
        ("startedAt", "2026" * 100),
    ],
)
def test_bounded_texts_are_a_422(db: Path, field: str, value: str) -> None:
    r = post_raw(db, "/api/results", json.dumps({**ORIGINAL_PAYLOAD, field: value}))
    assert r.status_code == 422, r.text
    assert r.json()["errors"][0]["loc"] == [field], r.text


def test_batch_values_out_of_range_are_a_422(db: Path) -> None:
    before = counts(db)
    for body, loc in (
        ('{"batchId": "b", "createdAt": 1e300}', ["createdAt"]),
        ('{"batchId": "b", "createdAt": 1730000000000, "totalRuns": 9223372036854775808}', ["totalRuns"]),
        ('{"batchId": "\\udc00", "createdAt": 1730000000000}', ["batchId"]),
    ):
        r = post_raw(db, "/api/results/batch", body)
        assert r.status_code == 422, r.text
        assert r.json()["errors"][0]["loc"] == loc, r.text
    assert counts(db) == before


@pytest.mark.parametrize(
    "body",
    [
        "[" * 2000 + "]" * 2000,
        "{" + '"a":{' * 2000 + "}" * 2001,
        with_field(["metadata"], "[" * 2000 + "]" * 2000),
        with_field(["metadata"], '{"x": ' + "[" * 65 + "]" * 65 + "}"),
    ],
)
def test_deep_nesting_is_refused_before_parsing(db: Path, body: str) -> None:
    before = counts(db)
    for path in ("/api/results", "/api/results/batch"):
        r = post_raw(db, path, body)
        assert r.status_code == 400, r.text
        assert "nested deeper than 64" in r.json()["error"], r.text
    assert counts(db) == before


def test_nesting_up_to_the_limit_and_brackets_in_text_are_fine(db: Path) -> None:
    deep = "[" * 60 + "]" * 60
    body = with_field(["metadata"], json.dumps({"deep": json.loads(deep), "text": "[" * 5000 + '\\" {{{'}))
    r = post_raw(db, "/api/results", body)
    assert r.status_code == 201, r.text


def test_reads_never_fail_on_odd_input(db: Path) -> None:
    for path in (
        "/api/runs?limit=99999999999999999999999999",
        "/api/runs?limit=-1",
        "/api/runs?limit=1e3",
        "/api/runs?agent=%ED%A0%80",
        "/api/batches?limit=99999999999999999999",
        "/api/runs/%ED%A0%80",
        "/api/runs/%ED%A0%80/evaluations",
        "/api/runs/" + "x" * 5000 + "/telemetry",
        "/api/v2/runs?limit=99999999999999999999",
        "/api/v2/runs?cursor=" + "A" * 3000,
    ):
        r = request(db, "get", path)
        assert r.status_code < 500, (path, r.text)
    assert len(request(db, "get", "/api/runs?limit=99999999999999999999999999").json()) == 13
    assert len(request(db, "get", "/api/runs?limit=-1").json()) == 13
    assert len(request(db, "get", "/api/runs?limit=1e3").json()) == 1  # parseInt("1e3") is 1
    assert request(db, "get", "/api/v2/runs?limit=99999999999999999999").status_code == 400


def test_the_leaderboard_cache_follows_a_rewritten_run(db: Path) -> None:
    ds = make_datasette(db)

    async def scenario() -> tuple[dict[str, Any], dict[str, Any]]:
        def oracle(rows: list[dict[str, Any]]) -> dict[str, Any]:
            return next(r for r in rows if r["agent"] == "oracle")

        before = oracle((await ds.client.get("/api/v2/stats/agents")).json())
        # Rewrite one oracle run as unsuccessful with the same score: the run count, the newest row id and the
        # score sums are unchanged, only the write revision tells the cache.
        run_id = (await ds.client.get("/api/v2/runs?agent=oracle&limit=1")).json()[0]["runId"]
        with Store(db) as store:
            record = stored_run(store, run_id).model_copy(update={"is_successful": False})
        r = await ds.client.post(
            "/api/results",
            json=json.loads(record.model_dump_json(by_alias=True)),
            headers={"Authorization": f"Bearer {TOKEN}"},
        )
        assert r.status_code == 201
        return before, oracle((await ds.client.get("/api/v2/stats/agents")).json())

    before, after = asyncio.run(scenario())
    assert before["successfulRuns"] == after["successfulRuns"] + 1
    assert after["successRate"] < before["successRate"]
    assert after["successRateHigh"] < before["successRateHigh"]


def sql(db: Path, query: str) -> Any:
    return request(db, "get", f"/z.json?sql={quote(query)}")


def test_anonymous_sql_cannot_make_huge_values(db: Path) -> None:
    r = sql(db, "select randomblob(300000000)")
    assert r.status_code == 400
    assert "too big" in r.text
    assert len(r.content) < 10_000


def test_anonymous_sql_results_are_capped_in_size(db: Path) -> None:
    columns = ", ".join(["zeroblob(1000000)"] * 30)
    r = sql(db, f"with recursive c(x) as (select 1 union all select x + 1 from c limit 1000) select {columns} from c")
    assert r.status_code == 400
    assert "larger than 32 MB" in r.text
    assert len(r.content) < 10_000
    wide = ", ".join(["1"] * 65)
    assert sql(db, f"select {wide}").status_code == 400  # more columns than the limit
    # ordinary queries and pages still work, and the API still reads and writes large values
    assert sql(db, "select run_id, metadata from benchmark_runs").json()["rows"]
    assert request(db, "get", "/z/benchmark_runs.json?_size=50").status_code == 200
    big = {**ORIGINAL_PAYLOAD, "runId": "big", "metadata": {"blob": "x" * (3 * 1024 * 1024)}}
    r = request(db, "post", "/api/results", json=big, headers={"Authorization": f"Bearer {TOKEN}"})
    assert r.status_code == 201, r.text
    assert len(request(db, "get", "/api/runs/big").json()["run"]["metadata"]) > 3 * 1024 * 1024
    assert sql(db, "select metadata from benchmark_runs where run_id = 'big'").status_code == 400


def test_anonymous_sql_time_limit(db: Path, monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setitem(serve_module.SETTINGS, "sql_time_limit_ms", 50)
    r = sql(db, "with recursive c(x) as (select 1 union all select x + 1 from c) select count(*) from c")
    assert r.status_code == 400
    assert "too long" in r.text
    # a client's error is not rendered as a traceback with its locals (seconds of CPU per request)
    printed = capfd.readouterr()
    assert "Traceback" not in printed.out + printed.err
    assert "locals" not in printed.out + printed.err


def test_public_pages_show_no_absolute_paths(db: Path) -> None:
    folder = str(db.parent)
    databases = request(db, "get", "/-/databases.json").json()
    assert databases == [
        {
            "name": "z",
            "route": "z",
            "path": "z.db",
            "size": db.stat().st_size,
            "is_mutable": True,
            "is_memory": False,
            "hash": None,
        }
    ]
    for path in (
        "/-/databases",
        "/-/databases.json",
        "/-/versions.json",
        "/-/plugins.json",
        "/-/settings.json",
        "/-/metadata.json",
        "/-/actor.json",
        "/.json",
        "/",
        "/z",
        "/z.json",
        "/z/benchmark_runs",
        "/z/benchmark_runs.json",
        "/z/leaderboard.json",
        "/api/openapi.json",
        "/-/threads.json",
    ):
        r = request(db, "get", path)
        assert folder not in r.text, path


def test_serve_refuses_a_database_that_does_not_exist(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import uvicorn

    served: list[Any] = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **kwargs: served.append(kwargs))
    typo = tmp_path / "typo.db"
    result = CliRunner().invoke(main, ["serve", "--db", str(typo)])
    assert result.exit_code == 2
    assert "does not exist" in result.output
    assert "--create" in result.output
    assert not typo.exists()
    assert not served
    result = CliRunner().invoke(main, ["serve", "--db", str(typo), "--immutable"])
    assert result.exit_code == 2
    assert not typo.exists()
    result = CliRunner().invoke(main, ["serve", "--db", str(typo), "--create", "--port", "0"])
    assert result.exit_code == 0, result.output
    assert typo.exists()
    assert served
    assert served[0]["port"] == 0
    with Store(typo) as store:
        assert store.db["benchmark_runs"].count == 0


#: The attack's shape: instr over MB strings, one virtual-machine step each (26 s with SQLite's own instr, which
#: Datasette's time limit cannot interrupt); here 20 of them, and replace and trim at their worst.
HAYSTACK = "replace(hex(zeroblob(500000)), '0', 'a')"  # 1,000,000 characters (the value limit is 1 MiB)
NEEDLE = "replace(hex(zeroblob(250000)), '0', 'a') || 'b'"
ROWS = "(with recursive c(x) as (select 1 union all select x + 1 from c limit 20) select x from c)"


@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")  # Datasette logs the refused replace
def test_one_anonymous_sql_step_costs_little(db: Path) -> None:
    r = sql(db, f"select instr({HAYSTACK}, {NEEDLE}), instr({HAYSTACK} || 'b', {NEEDLE}) from {ROWS}")
    assert r.status_code == 200, r.text  # before: stopped by the time limit after the first 12 s step
    assert r.json()["rows"] == [[0, 500001]] * 20
    r = sql(db, f"select length(replace({HAYSTACK}, {NEEDLE}, 'x')) from {ROWS}")
    assert r.status_code == 200, r.text
    assert r.json()["rows"] == [[1000000]] * 20
    chars = "replace(hex(zeroblob(200000)), '0', 'b') || 'a'"  # every character of the value, found last
    r = sql(db, f"select length(trim({HAYSTACK}, {chars})), length(ltrim({HAYSTACK} || 'c', {chars}))")
    assert r.status_code == 200, r.text
    assert r.json()["rows"] == [[0, 1]]
    # a result the value limit refuses is refused before it is built (not 1 TB of memory)
    r = sql(db, f"select length(replace({HAYSTACK}, 'a', {HAYSTACK}))")
    assert r.status_code == 400
    # LIKE and GLOB patterns are bounded in length (their cost grows with it)
    r = sql(db, f"select {HAYSTACK} like '%' || replace(hex(zeroblob(100)), '0', 'a') || 'b%'")
    assert r.status_code == 400
    assert "too complex" in r.text


def test_the_linear_functions_give_the_builtins_results() -> None:
    from zebench.api import sqlfunctions

    builtin, linear = sqlite3.connect(":memory:"), sqlite3.connect(":memory:")
    sqlfunctions.install(linear, 1024 * 1024)
    for expression in (
        "instr('hello world', 'o')",
        "instr('hello', '')",
        "instr(NULL, 'a')",
        "instr('a', NULL)",
        "instr(12345, 34)",
        "instr(1.5, '.')",
        "instr(x'00010203', x'0203')",
        "instr('héllo', 'l')",
        "instr(x'68c3a96c6c6f', 'l')",
        "instr(1e20, '+')",
        "replace('aaa', 'a', 'bb')",
        "replace('abc', '', 'x')",
        "typeof(replace(5, '', 'x'))",
        "replace(NULL, 'a', 'b')",
        "replace('a', NULL, 'b')",
        "replace('a', 'a', NULL)",
        "replace(123, 2, 9)",
        "replace(1.0, '.', ',')",
        "replace(1e20, 'e', 'E')",
        "trim('  x  ')",
        "trim('xxhixx', 'x')",
        "ltrim('xxhixx', 'xh')",
        "rtrim('xxhixx', 'ix')",
        "trim(NULL)",
        "trim('a', NULL)",
        "trim(12300, '0')",
        "trim('éaé', 'é')",
        "trim('abcabcXabc', 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMNOPQRSTUVWYZ!?.,;:-_+=()[]{}<>')",
    ):
        query = f"select {expression}"
        assert linear.execute(query).fetchone() == builtin.execute(query).fetchone(), expression


def test_the_api_answers_while_anonymous_queries_hold_every_sql_thread(db: Path) -> None:
    """Four anonymous queries that run to the time limit take Datasette's three SQL threads (and queue one): the
    API's reads, on their own threads and connections, answer while they run (they waited 55 s before)."""
    import threading
    import types

    from datasette import hookimpl
    from datasette.plugins import pm

    started = threading.Semaphore(0)

    @hookimpl  # type: ignore[untyped-decorator]
    def prepare_connection(conn: sqlite3.Connection) -> None:
        conn.create_function("probe_started", 0, lambda: started.release())

    probe = types.ModuleType("zebench_test_probe")  # Datasette's plugins are modules
    probe.prepare_connection = prepare_connection  # type: ignore[attr-defined]
    pm.register(probe, name="zebench-test-probe")
    try:
        ds = make_datasette(db)
        busy = "with recursive c(x) as (select probe_started() union all select x + 1 from c) select count(*) from c"

        async def attack() -> tuple[list[Any], list[Any], bool]:
            queries = [asyncio.ensure_future(ds.client.get(f"/z.json?sql={quote(busy)}")) for _ in range(4)]
            await asyncio.get_running_loop().run_in_executor(
                None, lambda: [started.acquire(timeout=120) for _ in range(3)]
            )
            answers = [
                await ds.client.get(path)
                for path in ("/api/runs?limit=5", "/api/v2/stats", "/api/batches", "/api/v2/runs?limit=5")
            ]
            still_running = not any(q.done() for q in queries)
            return answers, list(await asyncio.gather(*queries)), still_running

        answers, sql_answers, still_running = asyncio.run(attack())
    finally:
        pm.unregister(name="zebench-test-probe")
    assert [a.status_code for a in answers] == [200] * 4
    assert still_running  # the API answered while all four anonymous queries were still running
    assert all(r.status_code == 400 and "too long" in r.text for r in sql_answers)  # each ran to its time limit
