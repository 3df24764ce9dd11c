"""What a user of the original ze-benchmarks meets first (issue 26, point 5): its server key variable and its
local development key, batches loaded by ingest that stay "running", its rubric weights, `list --strict`."""

from __future__ import annotations

import asyncio
import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from zebench.cli import main
from zebench.constants import DEV_LOCAL_KEY, client_token, is_loopback_host
from zebench.io.serve import make_datasette, token_warning
from zebench.models import BatchRecord, RunRecord, RunStatus
from zebench.store import Store

from .test_api import ORIGINAL_PAYLOAD

TOKEN_VARIABLES = ("ZEBENCH_API_KEY", "ZE_BENCHMARKS_API_KEY", "API_SECRET_KEY")


@pytest.fixture
def no_token(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in TOKEN_VARIABLES:
        monkeypatch.delenv(name, raising=False)


def post(db: Path, token: str | None, *, host: str | None) -> Any:
    """POST /api/results as the original's write client does (Bearer token, its payload)."""
    ds = make_datasette(db, host=host)
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return asyncio.run(ds.client.post("/api/results", json=ORIGINAL_PAYLOAD, headers=headers))


def stored(db: Path) -> int:
    with sqlite3.connect(db) as conn:
        return int(conn.execute("SELECT COUNT(*) FROM benchmark_runs").fetchone()[0])


# -- the server's key ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "::1", "127.0.0.2"])
def test_a_loopback_server_without_a_key_accepts_the_original_development_key(
    db_path: Path, no_token: None, host: str
) -> None:
    assert post(db_path, None, host=host).status_code == 401
    assert post(db_path, "some-other-key", host=host).status_code == 403
    response = post(db_path, DEV_LOCAL_KEY, host=host)
    assert response.status_code == 201, response.text
    assert stored(db_path) == 1


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "192.168.1.10", "example.org", None])
def test_the_development_key_is_refused_off_loopback(db_path: Path, no_token: None, host: str | None) -> None:
    response = post(db_path, DEV_LOCAL_KEY, host=host)
    assert response.status_code == 503
    assert "API_SECRET_KEY" in response.json()["error"]
    assert stored(db_path) == 0


def test_the_original_server_variable_is_read_and_then_the_development_key_is_refused(
    db_path: Path, no_token: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("API_SECRET_KEY", "original-secret")
    assert post(db_path, DEV_LOCAL_KEY, host="127.0.0.1").status_code == 403
    assert post(db_path, "original-secret", host="0.0.0.0").status_code == 201
    # zebench's own names come first
    monkeypatch.setenv("ZE_BENCHMARKS_API_KEY", "ze-key")
    assert post(db_path, "original-secret", host="127.0.0.1").status_code == 403
    assert post(db_path, "ze-key", host="127.0.0.1").status_code == 201


def test_start_up_warns_about_the_key(no_token: None, monkeypatch: pytest.MonkeyPatch) -> None:
    loopback = token_warning("127.0.0.1")
    assert loopback is not None
    assert DEV_LOCAL_KEY in loopback
    assert "any process on this machine" in loopback
    public = token_warning("0.0.0.0")
    assert public is not None
    assert "refused" in public
    assert DEV_LOCAL_KEY not in public
    assert token_warning("127.0.0.1", immutable=True) is None
    monkeypatch.setenv("API_SECRET_KEY", "set")
    assert token_warning("0.0.0.0") is None


def test_zebench_clients_send_the_development_key_to_loopback_only(
    no_token: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert client_token("http://127.0.0.1:8001") == DEV_LOCAL_KEY
    assert client_token("http://localhost:8001/api/results") == DEV_LOCAL_KEY
    assert client_token("http://[::1]:8001") == DEV_LOCAL_KEY
    assert client_token("https://bench.example.org") is None
    monkeypatch.setenv("ZEBENCH_API_KEY", "mine")
    assert client_token("http://127.0.0.1:8001") == "mine"
    assert is_loopback_host("127.1.2.3")
    assert not is_loopback_host("0.0.0.0")
    assert not is_loopback_host("10.0.0.1")


def test_run_submit_to_a_keyless_local_server_delivers_every_run(
    tmp_path: Path, suites: Path, db_path: Path, no_token: None
) -> None:
    """`zebench serve` without a key and `zebench run --submit` without one, both on this machine: the runs
    arrive (they were refused with 503 before, and only spooled)."""
    import httpx

    from zebench.io.submit import Submitter

    ds = make_datasette(db_path, host="127.0.0.1")
    result = CliRunner().invoke(
        main, ["run", "--suites-dir", str(suites), "--db", str(tmp_path / "local.db"), "-a", "echo"]
    )
    assert result.exit_code in (0, 1), result.output
    with Store(tmp_path / "local.db") as local:
        records = [local.get_run(run_id) for run_id in local.run_ids()]

    async def deliver() -> int:
        url = "http://127.0.0.1:8001"
        submitter = Submitter(
            url, client_token(url), spool=tmp_path / "spool.jsonl", transport=httpx.ASGITransport(app=ds.app())
        )
        for record in records:
            assert record is not None
            assert await submitter.submit(record)
        await submitter.close()
        return submitter.spooled

    assert asyncio.run(deliver()) == 0
    assert stored(db_path) == len(records) > 0


# -- batches loaded by ingest ----------------------------------------------------------------------------------


def _record(run_id: str, batch_id: str, completed: str, status: RunStatus = "completed") -> RunRecord:
    return RunRecord(
        run_id=run_id,
        batch_id=batch_id,
        suite="s",
        scenario="c",
        tier="L1",
        agent="echo",
        status=status,
        started_at="2026-01-01T00:00:00Z",
        completed_at=completed,
        weighted_score=5.0,
        total_score=0.5,
    )


def _jsonl(path: Path, records: list[RunRecord]) -> Path:
    path.write_text("".join(r.model_dump_json(by_alias=True) + "\n" for r in records))
    return path


def _original_batch(db: Path, batch_id: str) -> dict[str, Any]:
    ds = make_datasette(db)
    response = asyncio.run(ds.client.get(f"/api/batches/{batch_id}"))
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def _ms(iso: str) -> int:
    from zebench.models import epoch_ms

    value = epoch_ms(iso)
    assert value is not None
    return value


def test_an_ingested_batch_is_complete_at_its_latest_run(tmp_path: Path, db_path: Path) -> None:
    first = _jsonl(
        tmp_path / "shard-1.jsonl",
        [_record("r1", "b", "2026-01-01T00:05:00Z"), _record("r2", "b", "2026-01-01T00:09:00Z")],
    )
    assert CliRunner().invoke(main, ["ingest", "--db", str(db_path), str(first)]).exit_code == 0
    batch = _original_batch(db_path, "b")
    assert batch["completedAt"] == _ms("2026-01-01T00:09:00Z")  # the dashboard no longer shows it running
    v2 = asyncio.run(make_datasette(db_path).client.get("/api/v2/batches/b")).json()
    assert v2["complete"] is True
    # the next shard brings a later run: the completion moves with it; a cancelled attempt does not count
    second = _jsonl(
        tmp_path / "shard-2.jsonl",
        [_record("r3", "b", "2026-01-01T00:12:00Z"), _record("r4", "b", "2026-01-01T00:30:00Z", "cancelled")],
    )
    assert CliRunner().invoke(main, ["ingest", "--db", str(db_path), str(second)]).exit_code == 0
    assert _original_batch(db_path, "b")["completedAt"] == _ms("2026-01-01T00:12:00Z")


def test_reingesting_completes_a_batch_ingested_by_an_older_zebench(tmp_path: Path, db_path: Path) -> None:
    records = [_record("r1", "old", "2026-01-01T00:05:00Z")]
    with Store(db_path) as store:
        store.save_runs(records)  # as an older ingest left it: no completion time
    assert _original_batch(db_path, "old")["completedAt"] is None
    path = _jsonl(tmp_path / "again.jsonl", records)
    result = CliRunner().invoke(main, ["ingest", "--db", str(db_path), str(path)])
    assert result.exit_code == 0
    assert "1 unchanged" in result.output
    assert _original_batch(db_path, "old")["completedAt"] == _ms("2026-01-01T00:05:00Z")


def test_a_batch_whose_expected_runs_are_all_stored_is_complete(db_path: Path) -> None:
    with Store(db_path) as store:
        store.save_batch(BatchRecord(batch_id="m", created_at="2026-01-01T00:00:00Z", expected_runs=2))
        store.save_runs([_record("r1", "m", "2026-01-01T00:05:00Z")])
        assert store.get_batch("m").completed_at is None  # type: ignore[union-attr]
        store.save_runs([_record("r2", "m", "2026-01-01T00:04:00Z", "cancelled")])  # not a run
        assert store.get_batch("m").completed_at is None  # type: ignore[union-attr]
        store.save_runs([_record("r3", "m", "2026-01-01T00:07:00Z")])
        latest = store.get_run("r3").completed_at  # type: ignore[union-attr]
        assert store.get_batch("m").completed_at == latest  # type: ignore[union-attr]


def test_runs_posted_one_by_one_leave_the_batch_to_its_client(db_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The original's client posts its runs, then the batch with completedAt: a run posted alone does not
    complete a batch of unknown size."""
    monkeypatch.setenv("ZEBENCH_API_KEY", "k")
    ds = make_datasette(db_path)
    headers = {"Authorization": "Bearer k"}
    assert asyncio.run(ds.client.post("/api/results", json=ORIGINAL_PAYLOAD, headers=headers)).status_code == 201
    assert _original_batch(db_path, str(ORIGINAL_PAYLOAD["batchId"]))["completedAt"] is None
    batch = {"batchId": ORIGINAL_PAYLOAD["batchId"], "createdAt": 1730000000000, "completedAt": 1730000900000}
    assert asyncio.run(ds.client.post("/api/results/batch", json=batch, headers=headers)).status_code == 201
    assert _original_batch(db_path, str(ORIGINAL_PAYLOAD["batchId"]))["completedAt"] == 1730000900000


def test_results_json_lines_of_a_run_load_as_a_complete_batch(tmp_path: Path, suites: Path, db_path: Path) -> None:
    out = tmp_path / "results.jsonl"
    result = CliRunner().invoke(
        main,
        ["run", "--suites-dir", str(suites), "--db", str(tmp_path / "a.db"), "-o", str(out), "-a", "echo", "-a"]
        + ["oracle", "--batch-id", "shard"],
    )
    assert result.exit_code == 0, result.output
    assert CliRunner().invoke(main, ["ingest", "--db", str(db_path), str(out)]).exit_code == 0
    latest = max(json.loads(line)["completedAt"] for line in out.read_text().splitlines())
    assert _original_batch(db_path, "shard")["completedAt"] == _ms(latest)


# -- list --strict ---------------------------------------------------------------------------------------------


def test_strict_says_it_is_for_ones_own_suites() -> None:
    text = " ".join(CliRunner().invoke(main, ["list", "--help"]).output.split())
    assert "for your own suites" in text
    assert "original ze-benchmarks suites" in text
    docs = " ".join((Path(__file__).parent.parent / "docs" / "scenario-format.md").read_text().split())
    assert "**their own** suites" in docs
    assert "not meant for the original project's suites" in docs


def test_the_original_rubric_weights_are_warnings_that_say_why(tmp_path: Path) -> None:
    from zebench.catalog import Catalog

    from .conftest import make_scenario

    yaml_text = """
id: s
suite: demo
llm_judge: {enabled: true, categories: ["Monorepo Handling (50%): x", "Correctness (50%): y"]}
rubric_overrides: {weights: {monorepo_handling: 0.8, user_questions_quality: 0.4, efficiency: 0.5,
  companion_alignment: 0.7, install_success: 1, no_such_metric: 1}}
"""
    make_scenario(tmp_path, name="s", yaml_text=yaml_text)
    warnings = Catalog(tmp_path).scenario("demo", "s").warnings
    assert warnings == [
        "rubric_overrides.weights: no evaluator named no_such_metric; this weight is ignored",
        "rubric_overrides.weights: user_questions_quality would count for llm_judge, but no judge category is named "
        "for it (docs/scoring.md); ignored",
        "rubric_overrides.weights: efficiency is not scored (zebench reports cost, tokens and time beside the score; "
        "docs/scoring.md); ignored",
    ]


def test_serve_warns_at_start_up(tmp_path: Path, no_token: None, monkeypatch: pytest.MonkeyPatch) -> None:
    import uvicorn

    served: list[dict[str, Any]] = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **kwargs: served.append(kwargs))
    db = tmp_path / "z.db"
    result = CliRunner().invoke(main, ["serve", "--db", str(db), "--create", "--port", "0"])
    assert result.exit_code == 0, result.output
    assert "dev-local-key" in result.output
    assert "any process on this machine knows" in " ".join(result.output.split())
    assert served[0]["host"] == "127.0.0.1"
    result = CliRunner().invoke(main, ["serve", "--db", str(db), "--port", "0", "--host", "0.0.0.0"])
    assert "refused (503)" in result.output
    assert "dev-local-key" not in result.output
