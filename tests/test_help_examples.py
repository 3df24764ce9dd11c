"""Every example in every command's --help runs, offline, on the bundled suites.

An example is a line starting with ``zebench `` in a block of the help that begins with ``Examples:`` (or the
top-level ``Quick start`` and ``Writing a suite`` blocks); text after two spaces is its comment. The examples of
each command run in order in a fresh directory that holds a database with a few runs (data/zebench.db) and a
``calls.json`` for the replay agent; ``RUN_ID`` and ``BATCH_ID`` stand for a run and a batch of that database.
Model APIs are zebench.testing.FakeModelServer on 127.0.0.1 (fake keys): no example needs the network.
"""

from __future__ import annotations

import json
import re
import shlex
import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.peers import formats
from zebench.cli import main
from zebench.testing import FakeModelServer, chat_message, text_message

EXAMPLE_BLOCK = re.compile(r"^\s*(Examples|Quick start|Writing a suite)\b.*:\s*$")
#: Commands whose help must not show examples: they start a server or talk to one.
NO_EXAMPLES = {"serve", "submit"}


def help_text(name: str | None) -> str:
    result = CliRunner().invoke(main, [*([name] if name else []), "--help"], terminal_width=200)
    assert result.exit_code == 0
    return result.output


def examples(text: str) -> list[str]:
    found: list[str] = []
    inside = False
    for line in text.splitlines():
        if EXAMPLE_BLOCK.match(line):
            inside = True
        elif not line.strip():
            inside = False
        elif inside and line.strip().startswith("zebench "):
            found.append(re.split(r"\s{2,}", line.strip())[0])
    return found


def test_examples_are_found_in_the_help_that_has_them() -> None:
    assert examples(help_text(None))[:3] == [
        "zebench list",
        "zebench run --agent echo --agent oracle",
        "zebench leaderboard",
    ]
    assert "zebench run --from-run RUN_ID" in examples(help_text("run"))
    assert "zebench run refactor/extract-config -a replay --replay-file calls.json" not in examples(help_text("run"))
    for name in ("check", "ingest", "import", "export", "leaderboard", "new-scenario", "new-suite"):
        assert examples(help_text(name)), name
    for name in NO_EXAMPLES:
        assert not examples(help_text(name)), name


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A working directory with a database of a few runs and a replay file."""
    folder = tmp_path_factory.mktemp("examples-base")
    db = folder / "data" / "zebench.db"
    db.parent.mkdir()
    result = CliRunner().invoke(
        main, ["run", "fix-tests", "-t", "L1", "-a", "echo", "-a", "oracle", "--db", str(db), "--batch-id", "examples"]
    )
    assert result.exit_code == 0, result.output
    (folder / "calls.json").write_text(json.dumps([{"name": "listFiles", "input": {"path": "."}}]))
    formats.tb_run(folder / "runs" / "tb-run")  # a Terminal-Bench run folder for `zebench import`
    return folder


@pytest.fixture
def fake_models(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeModelServer]:
    with FakeModelServer() as server:
        server.default_anthropic = lambda body: text_message("I looked and changed nothing.")
        server.default_chat = lambda body: chat_message("I looked and changed nothing.")
        monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-ant-fake-key-for-tests")
        monkeypatch.setenv("ANTHROPIC_BASE_URL", server.url)
        monkeypatch.setenv("OPENROUTER_API_KEY", "sk-or-fake-key-for-tests")
        monkeypatch.setenv("OPENROUTER_BASE_URL", server.url + "/api/v1")
        yield server


def _substitute(argv: list[str], cwd: Path) -> list[str]:
    db = cwd / "data" / "zebench.db"
    run_id, batch_id = sqlite3.connect(db).execute("SELECT run_id, batch_id FROM benchmark_runs ORDER BY id").fetchone()
    return [{"RUN_ID": run_id, "BATCH_ID": batch_id}.get(arg, arg) for arg in argv]


COMMANDS = [None, *sorted(main.commands)]
#: `zebench run` examples already run by an earlier command's test: the same line is not run again (the demo
#: takes longest; the examples after it work on the base database's runs as well).
RUN_EXAMPLES_DONE: set[str] = set()


@pytest.mark.slow
@pytest.mark.parametrize("name", COMMANDS, ids=[c or "zebench" for c in COMMANDS])
def test_every_help_example_runs(
    name: str | None, base: Path, tmp_path: Path, fake_models: FakeModelServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    cwd = tmp_path / "cwd"
    shutil.copytree(base, cwd)
    monkeypatch.chdir(cwd)
    for variable in ("ZEBENCH_SUITES_DIR", "ZEBENCH_DB", "ZE_BENCHMARKS_WORKER_URL", "ZE_BENCHMARKS_API_KEY"):
        monkeypatch.delenv(variable, raising=False)
    for example in examples(help_text(name)):
        if example.startswith("zebench run ") and example in RUN_EXAMPLES_DONE:
            continue
        RUN_EXAMPLES_DONE.add(example)
        argv = _substitute(shlex.split(example)[1:], cwd)
        result = CliRunner().invoke(main, argv)
        assert result.exit_code == 0, f"{example}\n{result.output}"
    if name in ("run", None):
        assert fake_models.requests or name is None  # the model examples really called the (fake) APIs
