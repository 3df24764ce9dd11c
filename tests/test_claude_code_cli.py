"""The real Claude Code CLI (npm's @anthropic-ai/claude-code, a native binary) as the claude-code agent, against
the local stand-in of the Messages API (zebench.testing.FakeModelServer, streaming as the CLI asks).

Issue 26, point 9, as the user met it: `claude` found on PATH is a symlink (npm's node_modules/.bin/claude, the
native installer's ~/.local/bin/claude, a JS launcher run by node) and must run in the default sandbox; every tool
call the CLI makes is stored with the messages; tokens and cost come from the same totals; --sandbox none as root
is a clear error unless IS_SANDBOX=1 says the machine is disposable.

The CLI is installed by ./scripts/install-claude-code.sh (scripts/test.sh runs it; a few seconds once). Without
it these tests fail and say so: they are never skipped.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import sqlite3
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from zebench.agents import claude_code
from zebench.cli import main
from zebench.models import RunRecord
from zebench.prices import price_table
from zebench.store import Store
from zebench.testing import FakeModelServer, text_message, tool_use, usage

from .conftest import make_scenario

pytestmark = pytest.mark.slow

INSTALL = "./scripts/install-claude-code.sh"
KEY = "sk-ant-cli-test-key-0123456789"
MODEL = "claude-sonnet-4-6"
FIXED = "def add(a, b):\n    return a + b\n"
SUBAGENT = "SUBAGENT-TASK: look at the tests"


def _install_dir() -> Path:
    cache = Path(os.environ.get("ZEBENCH_CACHE_DIR") or Path.home() / ".cache" / "zebench")
    return Path(os.environ.get("ZEBENCH_CLAUDE_CODE_DIR") or cache / "claude-code")


@pytest.fixture(scope="module")
def claude_dir() -> Path:
    """The folder npm installed the CLI into (its node_modules/.bin/claude is a symlink to the native binary)."""
    folder = _install_dir()
    claude = folder / "node_modules" / ".bin" / "claude"
    try:
        version = subprocess.run([claude, "--version"], capture_output=True, text=True, timeout=60).stdout
    except OSError:
        version = ""
    if "Claude Code" not in version:
        pytest.fail(
            f"the Claude Code CLI is not installed in {folder}: run {INSTALL} (npm install of "
            "@anthropic-ai/claude-code from the npm registry; scripts/test.sh runs it)"
        )
    assert claude.is_symlink()  # the layout the issue met
    return folder


def _native_binary(claude_dir: Path) -> Path:
    return Path(os.path.realpath(claude_dir / "node_modules" / ".bin" / "claude"))


def _link(source: Path, target: Path) -> None:
    """The same file at another path (a hard link, not a symlink: the layouts below must not lead back)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.link(source, target)
    except OSError:
        shutil.copy2(source, target)


#: The scripted session: read, run the tests, write the fix, ask a subagent, answer. Usage per request.
MAIN_USAGE = [usage(1000, 100, 0, 2000), usage(500, 60, 2000, 0), usage(500, 70, 2000, 0), usage(600, 40, 2000, 0)]
FINAL_USAGE = usage(200, 20, 2000, 0)
SUBAGENT_USAGE = usage(300, 30, 0, 0)


@pytest.fixture
def server(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeModelServer]:
    """The Messages API stand-in, answering the main loop in order and the subagent by its prompt."""
    with FakeModelServer() as srv:
        main_loop: list[Any] = []

        def respond(body: dict[str, Any]) -> Any:
            text = json.dumps(body)
            if SUBAGENT in json.dumps(body["messages"][0]):
                return text_message("The tests check add(2, 3) == 5.", usage_=SUBAGENT_USAGE)
            if not main_loop:
                cwd = re.search(r"Primary working directory: ([^\s\\]+)", text)
                assert cwd, "the CLI's system prompt names its working directory"
                calc = f"{cwd.group(1)}/calc.py"
                main_loop.extend(
                    [
                        tool_use(("Read", {"file_path": calc}), usage_=MAIN_USAGE[0]),
                        tool_use(
                            ("Bash", {"command": "python -m unittest -q 2>&1; echo exit=$?", "description": "tests"}),
                            usage_=MAIN_USAGE[1],
                        ),
                        tool_use(("Write", {"file_path": calc, "content": FIXED}), usage_=MAIN_USAGE[2]),
                        tool_use(
                            ("Agent", {"description": "check", "prompt": SUBAGENT, "subagent_type": "general-purpose"}),
                            usage_=MAIN_USAGE[3],
                        ),
                        text_message("Fixed add(): it subtracted.", usage_=FINAL_USAGE),
                    ]
                )
            return main_loop.pop(0)

        srv.default_anthropic = respond
        monkeypatch.setenv("ANTHROPIC_API_KEY", KEY)
        monkeypatch.setenv("ANTHROPIC_BASE_URL", srv.url)
        monkeypatch.delenv("ZEBENCH_CLAUDE_BIN", raising=False)
        monkeypatch.delenv("IS_SANDBOX", raising=False)
        yield srv


def _zebench_run(tmp_path: Path, *args: str, path: str | None = None) -> tuple[Any, Path]:
    suites = tmp_path / "suites"
    if not suites.exists():
        make_scenario(suites)
    db = tmp_path / "runs.db"
    env = {"PATH": path} if path is not None else {}
    result = CliRunner().invoke(
        main, ["run", "--suites-dir", str(suites), "-a", "claude-code", "-m", MODEL, "--db", str(db), *args], env=env
    )
    return result, db


def _the_run(db: Path) -> RunRecord:
    with Store(db) as store:
        (run_id,) = store.run_ids()
        record = store.get_run(run_id)
    assert record is not None
    return record


def _assert_the_session_is_stored(record: RunRecord, db: Path, server: FakeModelServer) -> None:
    assert record.status == "completed", record.failure
    assert record.failure is None
    assert record.is_successful
    assert record.weighted_score == 10.0
    transcript, t = record.transcript, record.telemetry
    assert transcript is not None
    assert t is not None
    # every tool call the CLI made, in order, with its input and output
    calls = transcript.tool_calls
    assert [c.name for c in calls] == ["Read", "Bash", "Write", "Agent"]
    assert t.tool_calls == 4
    assert "return a - b" in calls[0].output
    assert "exit=1" in calls[1].output  # the fixture's test, before the fix
    assert "FAILED" in calls[1].output
    assert calls[2].input["content"] == FIXED
    assert "add(2, 3) == 5" in calls[3].output
    assert not any(c.is_error for c in calls)
    roles = [m.role for m in transcript.messages]
    assert roles[0] == "user"
    assert roles[-2:] == ["assistant", "result"]
    assert roles.count("assistant") == 5
    uses = [b for m in transcript.messages if m.role == "assistant" for b in m.content if b["type"] == "tool_use"]
    assert [u["name"] for u in uses] == [c.name for c in calls]
    # tokens: every request (the main loop's five and the subagent's), as the cost counts them
    every = [*MAIN_USAGE, FINAL_USAGE, SUBAGENT_USAGE]
    tokens = (t.tokens_in, t.tokens_out, t.cache_read_tokens, t.cache_write_tokens)
    keys = ("input_tokens", "output_tokens", "cache_read_input_tokens", "cache_creation_input_tokens")
    assert tokens == tuple(sum(u[k] for u in every) for k in keys)
    result = transcript.messages[-1].content
    assert t.cost_usd == pytest.approx(result["total_cost_usd"])
    assert t.cost_usd == pytest.approx(price_table().cost(MODEL, *tokens))  # the same tokens at the model's price
    assert result["usage"]["input_tokens"] < t.tokens_in  # the main loop's own usage leaves the subagent out
    # what the CLI asked of the API: messages (streamed), and a HEAD of the base URL
    asked = {(r.method, r.path) for r in server.requests}
    assert asked <= {("POST", "/v1/messages"), ("HEAD", "/")}
    assert ("POST", "/v1/messages") in asked
    assert all(r.body.get("stream") for r in server.requests if r.method == "POST")
    assert KEY.encode() not in db.read_bytes()  # the key went to the CLI, never to the database


def test_the_real_cli_found_on_path_runs_in_the_default_sandbox(
    claude_dir: Path, server: FakeModelServer, tmp_path: Path
) -> None:
    """npm's layout: node_modules/.bin/claude -> ../@anthropic-ai/claude-code/bin/claude.exe, found on PATH."""
    path = f"{claude_dir / 'node_modules' / '.bin'}{os.pathsep}{os.environ['PATH']}"
    result, db = _zebench_run(tmp_path, path=path)
    assert result.exit_code == 0, result.output
    record = _the_run(db)
    assert record.manifest is not None
    assert record.manifest.settings["sandbox"] == "bwrap"  # the default here (CI has bubblewrap)
    _assert_the_session_is_stored(record, db, server)


def test_the_native_installers_layout_runs(claude_dir: Path, server: FakeModelServer, tmp_path: Path) -> None:
    """The native installer's layout, the docs' own example: ~/.local/bin/claude -> ~/.local/share/claude/versions/X
    (outside every folder the sandbox shows by itself)."""
    home = tmp_path / "home"
    version = home / ".local" / "share" / "claude" / "versions" / "2.1.197"
    _link(_native_binary(claude_dir), version)
    (home / ".local" / "bin").mkdir(parents=True)
    (home / ".local" / "bin" / "claude").symlink_to(version)
    result, db = _zebench_run(tmp_path, "--claude-bin", str(home / ".local" / "bin" / "claude"))
    assert result.exit_code == 0, result.output
    _assert_the_session_is_stored(_the_run(db), db, server)


def test_a_js_launcher_run_by_node_from_path_runs(
    claude_dir: Path, server: FakeModelServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The package's own JS launcher (cli-wrapper.cjs, what `npm install --ignore-scripts` leaves to run, and the
    shape of older releases' cli.js): #!/usr/bin/env node, with node found on PATH outside /usr, and the native
    binary in the platform package beside it in node_modules."""
    package = Path(os.path.realpath(claude_dir / "node_modules" / "@anthropic-ai" / "claude-code"))
    modules = tmp_path / "project" / "node_modules"
    wrapper = modules / "@anthropic-ai" / "claude-code"
    wrapper.mkdir(parents=True)
    for name in ("package.json", "cli-wrapper.cjs"):
        shutil.copy2(package / name, wrapper / name)
    (wrapper / "cli-wrapper.cjs").chmod(0o755)
    platform = modules / "@anthropic-ai" / "claude-code-linux-x64"
    _link(_native_binary(claude_dir), platform / "claude")
    (platform / "package.json").write_text(json.dumps({"name": "@anthropic-ai/claude-code-linux-x64"}))
    (modules / ".bin").mkdir()
    (modules / ".bin" / "claude").symlink_to("../@anthropic-ai/claude-code/cli-wrapper.cjs")
    node = tmp_path / "node-install" / "bin" / "node"
    _link(Path(os.path.realpath(shutil.which("node") or "/usr/bin/node")), node)
    monkeypatch.setenv("PATH", os.pathsep.join([str(modules / ".bin"), str(node.parent), os.environ["PATH"]]))
    launcher = claude_code.launcher("claude")
    assert launcher.argv == [str(node), str(wrapper / "cli-wrapper.cjs")]
    assert set(launcher.readable) == {node, modules}
    result, db = _zebench_run(tmp_path)
    assert result.exit_code == 0, result.output
    _assert_the_session_is_stored(_the_run(db), db, server)


def test_sandbox_none_as_root_is_an_error_unless_is_sandbox_says_the_machine_is_disposable(
    claude_dir: Path, server: FakeModelServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    if os.geteuid() != 0:  # what root meets (CI runs as root)
        monkeypatch.setattr(claude_code, "_root", lambda: True)
    path = f"{claude_dir / 'node_modules' / '.bin'}{os.pathsep}{os.environ['PATH']}"
    refused, db = _zebench_run(tmp_path, "--sandbox", "none", path=path)
    assert refused.exit_code == 2
    message = " ".join(refused.output.split())
    assert "the Claude Code CLI refuses --dangerously-skip-permissions with root privileges" in message
    assert "IS_SANDBOX=1" in message
    assert not db.exists()
    monkeypatch.setenv("IS_SANDBOX", "1")  # deliberate: this machine is disposable
    result, db = _zebench_run(tmp_path, "--sandbox", "none", path=path)
    assert result.exit_code == 0, result.output
    record = _the_run(db)
    assert record.manifest is not None
    assert record.manifest.settings["sandbox"] == "none"
    _assert_the_session_is_stored(record, db, server)
    assert sqlite3.connect(db).execute("SELECT count(*) FROM run_tool_calls").fetchone() == (4,)
