from __future__ import annotations

import json
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from zebench.cli import main
from zebench.store import Store


def _commands() -> list[str]:
    return sorted(main.commands)


@pytest.mark.parametrize("name", _commands())
def test_every_command_explains_itself(name: str) -> None:
    command = main.commands[name]
    assert command.help, name
    assert len(command.help) > 40, name
    for param in command.params:
        if isinstance(param, click.Option):
            assert param.help, f"{name} {param.opts} has no help"
    result = CliRunner().invoke(main, [name, "-h"])
    assert result.exit_code == 0
    assert "Usage:" in result.output


def test_top_level_help_and_version() -> None:
    result = CliRunner().invoke(main, ["--help"])
    assert result.exit_code == 0
    assert all(name in result.output for name in _commands())
    assert CliRunner().invoke(main, ["--version"]).output.startswith("zebench, version")


def test_run_prints_a_summary_and_stores_runs(suites: Path, tmp_path: Path) -> None:
    db = tmp_path / "z.db"
    out = tmp_path / "r.jsonl"
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
            "-o",
            str(out),
            "--batch-id",
            "b",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "Batch b: complete" in result.output
    assert "oracle" in result.output
    assert len(out.read_text().splitlines()) == 2
    again = CliRunner().invoke(main, ["run", "--suites-dir", str(suites), "--db", str(db), "--batch-id", "b"])
    assert again.exit_code == 2
    assert "already exists" in again.output
    conflict = CliRunner().invoke(main, ["run", "--db", str(db), "--resume", "b", "-a", "echo"])
    assert conflict.exit_code == 2


def test_failed_runs_make_exit_code_1(suites: Path, tmp_path: Path) -> None:
    calls = tmp_path / "calls.json"
    calls.write_text(json.dumps([{"name": "runCommand", "input": {"command": "sleep 30"}}]))
    result = CliRunner().invoke(
        main,
        [
            "run",
            "--suites-dir",
            str(suites),
            "--db",
            str(tmp_path / "z.db"),
            "-a",
            "replay",
            "--replay-file",
            str(calls),
            "--timeout",
            "1",
        ],
    )
    assert result.exit_code == 1, result.output
    assert "timeout" in result.output


def test_bad_flags_exit_2(suites: Path, tmp_path: Path) -> None:
    for args in (["--shard", "5/2"], ["--shard", "x"], ["--concurrency", "0"], ["-a", "nope"], ["nosuite"]):
        result = CliRunner().invoke(main, ["run", "--suites-dir", str(suites), "--db", str(tmp_path / "z.db"), *args])
        assert result.exit_code == 2, (args, result.output)
    assert not (tmp_path / "z.db").exists()


def test_list_agents() -> None:
    result = CliRunner().invoke(main, ["run", "--list-agents"])
    assert result.exit_code == 0
    assert {"echo", "oracle", "replay"} <= {line.split()[0] for line in result.output.splitlines()}


def test_leaderboard_says_when_nothing_matches_and_lists_the_filter_keys(suites: Path, tmp_path: Path) -> None:
    db = tmp_path / "z.db"
    ran = CliRunner().invoke(main, ["run", "--suites-dir", str(suites), "--db", str(db), "-a", "echo"])
    assert ran.exit_code == 0, ran.output
    found = CliRunner().invoke(main, ["leaderboard", "--db", str(db), "--filter", "agent=echo"])
    assert found.exit_code == 0
    assert "echo" in found.stdout
    nobody = CliRunner().invoke(main, ["leaderboard", "--db", str(db), "--filter", "agent=nobody"])
    assert nobody.exit_code == 1
    assert nobody.stdout == ""
    assert f"No runs match --filter agent=nobody in {db}" in nobody.stderr
    as_json = CliRunner().invoke(main, ["leaderboard", "--db", str(db), "--filter", "agent=nobody", "--json"])
    assert as_json.exit_code == 1
    assert json.loads(as_json.stdout) == []
    typo = CliRunner().invoke(main, ["leaderboard", "--db", str(db), "--filter", "agnt=echo"])
    assert typo.exit_code == 2
    assert (
        "unknown filter 'agnt' in 'agnt=echo' (valid keys: agent, model, specialistName, specialistVersion, suite, "
        "scenario, tier, batchId, since, until)"
    ) in typo.stderr
    empty = tmp_path / "empty.db"
    Store(empty).close()
    nothing = CliRunner().invoke(main, ["leaderboard", "--db", str(empty)])
    assert nothing.exit_code == 1
    assert f"No runs in {empty}: nothing to rank" in nothing.stderr


def test_run_options_are_the_run_requests_fields(monkeypatch: pytest.MonkeyPatch) -> None:
    """`zebench run` builds one RunRequest from its options: each option is the field of the same name, with the
    same default (a script calling run_request gets what the command gives)."""
    import os

    from zebench.cli.run import run_command
    from zebench.execution.request import RunRequest

    for name in os.environ:
        if name.startswith(("ZEBENCH_", "ZE_BENCHMARKS_")):
            monkeypatch.delenv(name)
    parsed = run_command.make_context("run", [])
    options = {k: v for k, v in parsed.params.items() if k != "list_agents"}
    assert set(options) == set(RunRequest.model_fields)
    assert RunRequest(**options) == RunRequest()
