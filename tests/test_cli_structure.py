"""The CLI's structure: read-only commands never change the database, every option has its environment variable,
the public API resolves, and importing zebench or its CLI loads no heavy library."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import click
import pytest
import sqlite_utils
from click.testing import CliRunner

import zebench
from zebench.cli import main
from zebench.cli.options import EnvOption
from zebench.constants import api_token
from zebench.io.serve import NoDatabase, make_datasette
from zebench.store import Store, migrations


def _old_database(path: Path) -> None:
    """A database from a zebench whose schema stopped at m011, with runs of two agents on the same items."""
    db = sqlite_utils.Database(path)
    migrations.apply(db, stop_before="m012_findings")
    for i in range(6):
        db.table("benchmark_runs").insert(
            {
                "run_id": f"r{i}",
                "batch_id": "old",
                "suite": "s",
                "scenario": f"c{i % 3}",
                "tier": "L1",
                "agent": "a" if i < 3 else "b",
                "status": "completed",
                "is_successful": int(i % 2 == 0),
                "weighted_score": 10.0 if i % 2 == 0 else 2.0,
                "started_at": f"2026-11-01T00:00:0{i}.000Z",
            }
        )
    db.table("batch_runs").insert(
        {"batch_id": "old", "created_at": "2026-11-01T00:00:00.000Z", "expected_runs": 6, "metadata": "{}"}
    )
    db.conn.commit()
    db.conn.close()


def _state(path: Path) -> tuple[bytes, int, list[str]]:
    """The file's bytes and mtime, and the migrations it lacks (read through a read-only connection)."""
    db = sqlite_utils.Database(sqlite3.connect(f"file:{path}?mode=ro", uri=True))
    pending = [m.name for m in migrations.pending(db)]
    db.conn.close()
    return path.read_bytes(), path.stat().st_mtime_ns, pending


READ_ONLY = [
    ["leaderboard"],
    ["leaderboard", "--json"],
    ["summary", "old"],
    ["summary", "old", "--json"],
    ["compare", "agent=a", "agent=b"],
    ["compare", "agent=a", "agent=b", "--json"],
    ["build-site", "--out", "SITE"],
]


@pytest.mark.parametrize("args", READ_ONLY, ids=" ".join)
def test_read_only_commands_never_migrate_an_old_database(args: list[str], tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    _old_database(path)
    before = _state(path)
    assert before[2] == [
        "m012_findings",
        "m013_specialist_in_the_configuration",
        "m014_summaries_at_scale",
        "m015_causes_kept_by_triggers",
        "m016_batch_figures_from_summaries",
    ]
    argv = [str(tmp_path / "site") if a == "SITE" else a for a in args]
    result = CliRunner().invoke(main, [*argv, "--db", str(path)])
    assert result.exit_code == 0, result.output
    assert _state(path) == before  # same bytes, same mtime, still one migration behind
    if "--json" in args:
        json.loads(result.output)  # nothing but the document on stdout
    else:  # the reader is told how to avoid the copy
        assert f"zebench migrate --db {path}" in result.output.replace("\n", "")
    if args[0] == "leaderboard" and "--json" in args:
        rows = {r["agent"]: r for r in json.loads(result.output)}
        assert (rows["a"]["runs"], rows["a"]["successfulRuns"], rows["b"]["successfulRuns"]) == (3, 2, 1)


@pytest.mark.parametrize(
    "args", [["leaderboard", "--json"], ["summary", "b1"], ["build-site", "--out", "SITE"]], ids=" ".join
)
def test_read_only_commands_leave_a_current_database_unchanged(args: list[str], tmp_path: Path, db_path: Path) -> None:
    from tests.test_consistency import record
    from zebench.models import RunRecord

    with Store(db_path) as store:
        store.save_runs([RunRecord.model_validate(record(run_id=f"r{i}", batchId="b1")) for i in range(3)])
    before = _state(db_path)
    argv = [str(tmp_path / "site") if a == "SITE" else a for a in args]
    result = CliRunner().invoke(main, [*argv, "--db", str(db_path)])
    assert result.exit_code == 0, result.output
    assert _state(db_path) == before
    assert before[2] == []
    assert "migrate" not in result.output


def test_serve_refuses_an_old_database_until_migrate(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    _old_database(path)
    before = _state(path)
    for immutable in (False, True):
        with pytest.raises(NoDatabase, match=f"run `zebench migrate --db {path}` first"):
            make_datasette(path, immutable=immutable)
    assert _state(path) == before
    result = CliRunner().invoke(main, ["serve", "--db", str(path)])
    assert result.exit_code == 2
    assert "older schema (5 migrations pending)" in result.output
    migrated = CliRunner().invoke(main, ["migrate", "--db", str(path)])
    assert migrated.exit_code == 0
    assert (
        "applied 5 migrations (m012_findings, m013_specialist_in_the_configuration, m014_summaries_at_scale, "
        "m015_causes_kept_by_triggers, m016_batch_figures_from_summaries)"
    ) in migrated.output
    assert _state(path)[2] == []
    make_datasette(path)  # now served
    again = CliRunner().invoke(main, ["migrate", "--db", str(path)])
    assert again.exit_code == 0
    assert "schema up to date" in again.output


def test_a_reader_refuses_what_is_not_a_zebench_database(tmp_path: Path) -> None:
    other = tmp_path / "other.db"
    sqlite_utils.Database(other).table("t").insert({"x": 1})
    before = other.read_bytes()
    for args in (["leaderboard"], ["summary", "b"], ["compare", "a", "b"]):
        result = CliRunner().invoke(main, [*args, "--db", str(other)])
        assert result.exit_code == 2, result.output
        assert "is not a zebench database" in result.output, result.output
    assert other.read_bytes() == before  # never turned into one


# --------------------------------------------------------------------------------------------------------------
# Environment variables


def test_every_option_reads_zebench_command_option() -> None:
    names: set[str] = set()
    group = main.make_context("zebench", ["list"], resilient_parsing=True)
    for name, command in main.commands.items():
        ctx = command.make_context(name, [], parent=group, resilient_parsing=True)
        assert ctx.auto_envvar_prefix == f"ZEBENCH_{name.upper().replace('-', '_')}"
        for param in command.params:
            if isinstance(param, click.Option) and param.name != "help":
                assert isinstance(param, EnvOption), f"{name} {param.opts}: declare it with cli.options.option"
                env = param.auto_envvar(ctx)
                assert env
                assert env.startswith("ZEBENCH_")
                assert env not in names
                names.add(env)
    assert {
        "ZEBENCH_RUN_MAX_TURNS",
        "ZEBENCH_LEADERBOARD_JSON",
        "ZEBENCH_BUILD_SITE_BASE_URL",
        "ZEBENCH_RUN_JUDGE",
    } <= names


def test_options_come_from_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "old.db"
    _old_database(path)
    monkeypatch.setenv("ZEBENCH_LEADERBOARD_DB", str(path))
    monkeypatch.setenv("ZEBENCH_LEADERBOARD_JSON", "1")
    monkeypatch.setenv("ZEBENCH_LEADERBOARD_MIN_SHARED_ITEMS", "4")
    rows = json.loads(CliRunner().invoke(main, ["leaderboard"]).output)
    assert {r["agent"] for r in rows} == {"a", "b"}
    assert all(r["tieGroup"] is None for r in rows)  # 3 items < 4
    monkeypatch.delenv("ZEBENCH_LEADERBOARD_DB")
    monkeypatch.setenv("ZEBENCH_DB", str(tmp_path / "missing.db"))  # the shared variable is read first
    monkeypatch.setenv("ZEBENCH_LEADERBOARD_DB", str(path))
    result = CliRunner().invoke(main, ["leaderboard"])
    assert result.exit_code == 2
    assert "missing.db does not exist" in result.output
    monkeypatch.setenv("ZEBENCH_LEADERBOARD_JSON", "0")
    monkeypatch.delenv("ZEBENCH_DB")
    assert "Leaderboard (" in CliRunner().invoke(main, ["leaderboard"]).output


@pytest.mark.parametrize("variable", ["ZEBENCH_WORKER_URL", "ZE_BENCHMARKS_WORKER_URL", "ZEBENCH_SUBMIT_URL"])
def test_the_server_url_and_its_original_alias(variable: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("ZEBENCH_WORKER_URL", "ZE_BENCHMARKS_WORKER_URL", "ZEBENCH_SUBMIT_URL"):
        monkeypatch.delenv(name, raising=False)
    spool = tmp_path / "spool.jsonl"
    missing = CliRunner().invoke(main, ["submit", "--spool", str(spool)])
    assert missing.exit_code == 2
    assert "--url" in missing.output
    monkeypatch.setenv(variable, "http://127.0.0.1:9")
    result = CliRunner().invoke(main, ["submit", "--spool", str(spool)])
    assert result.exit_code == 0
    assert "nothing to deliver" in result.output


def test_the_api_token_and_its_original_alias(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ZEBENCH_API_KEY", raising=False)
    monkeypatch.delenv("ZE_BENCHMARKS_API_KEY", raising=False)
    assert api_token() is None
    monkeypatch.setenv("ZE_BENCHMARKS_API_KEY", "original")
    assert api_token() == "original"
    monkeypatch.setenv("ZEBENCH_API_KEY", "ours")
    assert api_token() == "ours"


def test_a_flag_of_run_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ZEBENCH_RUN_LIST_AGENTS", "1")
    result = CliRunner().invoke(main, ["run"])
    assert result.exit_code == 0
    assert {"echo", "oracle", "replay"} <= {line.split()[0] for line in result.output.splitlines()}


def test_the_version_is_not_read_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ZEBENCH_VERSION", "1")
    result = CliRunner().invoke(main, ["list", "--help"])
    assert result.exit_code == 0
    assert "Usage:" in result.output


# --------------------------------------------------------------------------------------------------------------
# Public API and start-up


def test_the_public_api_resolves() -> None:
    for name in zebench.__all__:
        assert getattr(zebench, name) is not None, name
    assert isinstance(zebench.__version__, str)
    with pytest.raises(AttributeError):
        zebench.not_a_name  # noqa: B018


def _modules_after(statement: str) -> set[str]:
    code = f"import sys; {statement}; print(' '.join(sys.modules))"
    return set(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split())


@pytest.mark.parametrize("statement", ["import zebench", "import zebench.cli"])
def test_importing_loads_no_heavy_library(statement: str) -> None:
    heavy = {
        "pydantic",
        "sqlite_utils",
        "rich",
        "datasette",
        "httpx",
        "yaml",
        "asyncio",
        "zebench.models",
        "zebench.store",
    }
    assert not heavy & _modules_after(statement)


def test_ci_runs_lint_types_and_the_readmes_test_command() -> None:
    root = Path(__file__).resolve().parent.parent
    ci = [line for line in (root / ".ci" / "run").read_text().splitlines() if not line.startswith("#")]
    check = [line for line in (root / "scripts" / "check.sh").read_text().splitlines() if not line.startswith("#")]
    assert any(line.startswith("./scripts/check.sh") for line in ci)
    for step in (
        "ruff check zebench tests scripts",
        "ruff format --check zebench tests scripts",
        "bin/mypy",
        "./scripts/test.sh",
    ):
        assert any(step in line for line in check), step
