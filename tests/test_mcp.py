"""MCP servers for the agents and the original's specialist templates (issue 24).

Real servers from PyPI (mcp-server-time, mcp-server-git, the test extra) over stdio in the run's sandbox, a real
streamable HTTP server made with the mcp SDK on 127.0.0.1, the real anthropic and openai SDKs against
zebench.testing.FakeModelServer scripted to call the MCP tools.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from zebench.catalog import Catalog
from zebench.execution.runner import RunOptions, RunSpec, run_one
from zebench.models import RunRecord
from zebench.models.specialist import McpServerSpec
from zebench.run.mcp import McpStartError, resolve_server, start_servers
from zebench.run.specialist import SpecialistError, load_specialist, system_prompt
from zebench.testing import FakeModelServer, chat_message, text_message, tool_use

from .conftest import make_sandbox, run, write

TIME_SERVER = {"name": "time", "command": sys.executable, "args": ["-m", "mcp_server_time", "--local-timezone", "UTC"]}

#: A template in the original's format (JSON5: comments, unquoted keys, trailing commas), like its
#: templates/mcp-demo-specialist-template.json5, whose MCP server is the reference time server.
TIME_SPECIALIST = """
{
  // the original's keys
  schema_version: "0.0.1",
  name: "time-specialist",
  displayName: "Time Specialist",
  version: "1.2.3",
  license: "MIT",
  persona: {
    purpose: "Answers questions about the current time using MCP tools.",
    values: ["Precision"],
    attributes: ["Explicit about which MCP tool it uses"],
    tech_stack: ["MCP"],
  },
  capabilities: {tags: ["time"], descriptions: {time: "Knows the time"}},
  dependencies: {
    mcps: [
      {name: "mcp-server-time", version: "^1.0.0", required: true, description: "the reference time server"},
    ],
  },
  prompts: {
    default: {
      spawnerPrompt: "You are {{displayName}} v{{version}}. {{persona.purpose}} Tech: {{tech_stack}}.",
    },
    prompt_strategy: {fallback: "default"},
  },
}
"""

SCENARIO = """
id: what-time
suite: mcp
title: "Write the current time"
timeout_minutes: 2
heuristic_checks:
  enabled: true
  files:
    - {name: written, path: now.txt}
  patterns:
    - {name: iso-time, file: now.txt, pattern: '"datetime": "\\d{4}-\\d\\d-\\d\\dT'}
"""


def _scenario(root: Path, yaml_text: str = SCENARIO) -> Path:
    base = root / "mcp" / "scenarios" / "what-time"
    write(base / "scenario.yaml", yaml_text)
    write(base / "repo-fixture" / "README.md", "Write the current time into now.txt.\n")
    write(root / "mcp" / "prompts" / "what-time" / "L1-basic.md", "Find the current time and write it to now.txt.\n")
    return base


def _last_tool_result(request: dict[str, Any]) -> str:
    """The content of the newest tool_result block the agent sent back (what the MCP tool returned)."""
    for message in reversed(request["messages"]):
        if isinstance(message["content"], list):
            for block in message["content"]:
                if block.get("type") == "tool_result":
                    return str(block["content"])
    raise AssertionError("no tool_result in the request")


def _write_back(request: dict[str, Any]) -> dict[str, Any]:
    return tool_use(("writeFile", {"path": "now.txt", "content": _last_tool_result(request)}))


def _processes_of(marker: str) -> list[str]:
    """Command lines of live processes that mention ``marker`` (a server started for a test)."""
    found = []
    for pid in os.listdir("/proc"):
        if not pid.isdigit() or int(pid) == os.getpid():
            continue
        try:
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        if marker in cmdline:
            found.append(f"{pid}: {cmdline}")
    return found


def _run(suites: Path, spec_kwargs: dict[str, Any], sandbox: str = "auto", **options: Any) -> RunRecord:
    scenario = Catalog(suites).scenario("mcp", "what-time")
    return run(
        run_one(
            RunSpec(scenario, "L1", **spec_kwargs),
            RunOptions(agent_settings={"max_retries": 0}, sandbox=sandbox, **options),
        )
    )


# --------------------------------------------------------------------------------------------------------------
# The acceptance case
# --------------------------------------------------------------------------------------------------------------


def test_specialist_template_time_server_anthropic_end_to_end(
    server: FakeModelServer, tmp_path: Path, sandbox_mode: str
) -> None:
    suites = tmp_path / "suites"
    _scenario(suites)
    template = write(tmp_path / "templates" / "time-specialist-template.json5", TIME_SPECIALIST)
    server.script_anthropic(
        tool_use(("get_current_time", {"timezone": "Europe/Paris"}), text="I'm using the get_current_time MCP tool."),
        _write_back,
        text_message("Wrote the current time to now.txt."),
    )
    record = _run(
        suites,
        {"agent": "anthropic", "model": "claude-haiku-4-5", "specialist": load_specialist(template)},
        sandbox=sandbox_mode,
    )
    assert record.failure is None
    assert record.status == "completed"
    assert record.is_successful
    assert record.specialist_enabled
    assert record.specialist_name == "time-specialist"
    assert record.specialist_version == "1.2.3"
    # The model was offered the server's tools beside the workspace tools, and got the specialist's prompt.
    first = server.requests[0].body
    offered = [t["name"] for t in first["tools"]]
    assert offered[:5] == ["readFile", "writeFile", "listFiles", "runCommand", "askUser"]
    assert "get_current_time" in offered
    assert "convert_time" in offered
    system = first["system"][0]["text"]
    assert system.startswith("You are Time Specialist v1.2.3. Answers questions about the current time")
    assert "Tech: MCP." in system
    assert first["messages"][0]["content"] == "Find the current time and write it to now.txt.\n"
    # The call and its real result are in the transcript, with the server that answered.
    assert record.transcript is not None
    call = record.transcript.tool_calls[0]
    assert call.name == "get_current_time"
    assert call.server == "mcp-server-time"
    assert call.tool == "get_current_time"
    assert not call.is_error
    answer = json.loads(call.output)
    assert answer["timezone"] == "Europe/Paris"
    assert answer["datetime"][:2] == "20"
    assert record.metadata["specialist"]["name"] == "time-specialist"
    assert record.metadata["mcp"]["servers"][0]["tools"]["get_current_time"] == "get_current_time"
    assert _processes_of("mcp_server_time") == []


def test_the_stored_run_carries_the_specialist_and_the_call(
    server: FakeModelServer, tmp_path: Path, db_path: Path
) -> None:
    from click.testing import CliRunner

    from zebench.cli import main
    from zebench.store import Store

    suites = tmp_path / "suites"
    _scenario(suites)
    template = write(tmp_path / "time-specialist-template.json5", TIME_SPECIALIST)
    server.script_anthropic(tool_use(("get_current_time", {"timezone": "UTC"})), _write_back, text_message("done"))
    result = CliRunner().invoke(
        main,
        [
            "run",
            "mcp/what-time",
            "-t",
            "L1",
            "-a",
            "anthropic",
            "-m",
            "claude-haiku-4-5",
            "--specialist",
            str(template),
            "--suites-dir",
            str(suites),
            "--db",
            str(db_path),
            "--batch-id",
            "b1",
        ],
    )
    assert result.exit_code == 0, result.output
    store = Store(db_path)
    try:
        (run_id,) = store.run_ids("b1")
        record = store.get_run(run_id)
    finally:
        store.close()
    assert record is not None
    assert record.is_successful
    assert record.specialist_enabled
    assert record.specialist_name == "time-specialist"
    assert record.specialist_version == "1.2.3"
    assert record.transcript is not None
    call = record.transcript.tool_calls[0]
    assert call.name == "get_current_time"
    assert '"timezone": "UTC"' in call.output
    assert _processes_of("mcp_server_time") == []


# --------------------------------------------------------------------------------------------------------------
# Specialist templates
# --------------------------------------------------------------------------------------------------------------


def test_from_inheritance_merges_like_the_original(tmp_path: Path) -> None:
    write(
        tmp_path / "base" / "base.json5",
        """
        {name: "base", version: "0.1.0", persona: {purpose: "Base purpose", values: ["a", "b"]},
         capabilities: {tags: ["x"]}, prompts: {default: {spawnerPrompt: "Base {{name}}"}},
         dependencies: {mcps: [{name: "time"}]}}
        """,
    )
    write(
        tmp_path / "child.json5",
        """
        // inherits; arrays replace, objects merge
        {from: "./base/base.json5", name: "child", version: "2.0.0", persona: {values: ["c"]}}
        """,
    )
    specialist = load_specialist(tmp_path / "child.json5")
    assert specialist.label == "child@2.0.0"
    assert specialist.template["persona"] == {"purpose": "Base purpose", "values": ["c"]}
    assert "from" not in specialist.template
    assert [m.name for m in specialist.mcps] == ["time"]
    assert system_prompt(specialist, "hello", None) == "Base child"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('{from: "@zephyr-cloud/base", name: "a", version: "1"}', "is a package reference"),
        ("{name: 'a', version: '1',", "invalid JSON5"),
        ("[1, 2]", "expected an object"),
        ('{name: "a"}', "version: Field required"),
        ('{name: "a", version: "1", dependencies: {mcps: [{version: "1"}]}}', "dependencies.mcps[0].name"),
        ('{name: "a", version: "1", dependencies: {mcps: [{name: "x", command: "c", url: "http://h"}]}}', "not both"),
        ('{name: "a", version: "1", persona: "nobody"}', "persona"),
        ('{from: "./missing.json5", name: "a", version: "1"}', "missing.json5: specialist template not found"),
    ],
)
def test_bad_templates_are_clear_errors(tmp_path: Path, text: str, message: str) -> None:
    path = write(tmp_path / "t.json5", text)
    with pytest.raises(SpecialistError) as caught:
        load_specialist(path)
    assert message in str(caught.value)
    assert "t.json5" in str(caught.value) or "missing.json5" in str(caught.value)


def test_circular_from_is_an_error(tmp_path: Path) -> None:
    write(tmp_path / "a.json5", '{from: "./b.json5", name: "a", version: "1"}')
    write(tmp_path / "b.json5", '{from: "./a.json5", name: "b", version: "1"}')
    with pytest.raises(SpecialistError, match="circular 'from'"):
        load_specialist(tmp_path / "a.json5")


def test_prompt_selection_by_task_and_model(tmp_path: Path) -> None:
    path = write(
        tmp_path / "t.json5",
        """
        {name: "s", version: "1", persona: {purpose: "P", tech_stack: ["React", "Vite"]},
         prompts: {
           default: {spawnerPrompt: "default for {{name}}"},
           model_specific: {"claude-sonnet-4.5": {spawnerPrompt: "sonnet default"}},
           bug_fix: {default: {systemPrompt: "fix bugs with {{tech_stack}}"},
                     model_specific: {"claude-sonnet-4": {systemPrompt: "sonnet fixes {{user_prompt}}"}}},
         }}
        """,
    )
    s = load_specialist(path)
    assert system_prompt(s, "Fix the broken parser", None) == "fix bugs with React, Vite"
    assert system_prompt(s, "Fix it", "anthropic/claude-sonnet-4.5") == "sonnet fixes Fix it"
    assert system_prompt(s, "Say hello", "claude-sonnet-4.5") == "sonnet default"
    assert system_prompt(s, "Say hello", "gpt-5") == "default for s"


# --------------------------------------------------------------------------------------------------------------
# Servers: stdio and HTTP, names, crashes, required, secrets, cleanup
# --------------------------------------------------------------------------------------------------------------


def test_stdio_git_server_lists_and_calls_in_the_sandbox(tmp_path: Path, sandbox_mode: str) -> None:
    workspace = tmp_path / "ws"
    workspace.mkdir()
    subprocess.run(["git", "init", "-q", str(workspace)], check=True)

    async def go() -> tuple[list[str], str, bool]:
        async with make_sandbox(workspace, sandbox_mode) as box:
            servers = await start_servers(
                [McpServerSpec(name="git")], sandbox=box, workspace=workspace, reserved=["readFile"]
            )
            try:
                names = [t["name"] for t in servers.schemas()]
                text, failed = await servers.call("git_status", {"repo_path": str(workspace)})
            finally:
                await servers.close()
            return names, text, failed

    names, text, failed = run(go())
    assert "git_status" in names
    assert "git_log" in names
    assert not failed
    assert "On branch" in text or "No commits yet" in text
    assert _processes_of("mcp_server_git") == []


HTTP_SERVER = '''
import sys
from mcp.server.mcpserver import MCPServer

app = MCPServer("calc")

@app.tool()
def add(a: int, b: int) -> int:
    """Add two numbers."""
    return a + b

@app.tool()
def readFile(path: str) -> str:
    """A tool whose name collides with a workspace tool."""
    return "remote " + path

app.run(transport="streamable-http", host="127.0.0.1", port=int(sys.argv[1]))
'''


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def http_server(tmp_path: Path) -> Any:
    """A real streamable HTTP MCP server (the mcp SDK's) on 127.0.0.1."""
    import urllib.request

    port = _free_port()
    script = write(tmp_path / "http_server.py", HTTP_SERVER)
    proc = subprocess.Popen([sys.executable, str(script), str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}/mcp"
    deadline = time.monotonic() + 30
    while True:
        try:
            urllib.request.urlopen(url, timeout=1)
        except urllib.error.HTTPError:
            break  # it answers (a GET without a session is refused): ready
        except OSError:
            assert proc.poll() is None, proc.stderr.read() if proc.stderr else ""
            assert time.monotonic() < deadline, "the HTTP MCP server did not start"
            time.sleep(0.1)
    yield url
    proc.terminate()
    proc.wait(10)


def test_http_server_tools_colliding_names_prefixed(tmp_path: Path, http_server: str) -> None:
    async def go() -> tuple[list[str], tuple[str, bool], tuple[str, bool], tuple[str, bool]]:
        servers = await start_servers(
            [McpServerSpec(name="calc", url=http_server)],
            sandbox=None,
            workspace=tmp_path,
            reserved=["readFile", "writeFile"],
        )
        try:
            names = [t["name"] for t in servers.schemas()]
            return (
                names,
                await servers.call("add", {"a": 2, "b": 3}),
                await servers.call("calc_readFile", {"path": "x"}),
                await servers.call("calc_add", {"a": 1, "b": 1}),
            )
        finally:
            await servers.close()

    names, added, read, prefixed = run(go())
    assert names == ["calc_readFile", "add"] or sorted(names) == ["add", "calc_readFile"]
    assert added == ("5", False)
    assert read == ("remote x", False)
    assert prefixed == ("2", False)


def test_openrouter_agent_calls_an_http_server(server: FakeModelServer, tmp_path: Path, http_server: str) -> None:
    suites = tmp_path / "suites"
    _scenario(
        suites,
        SCENARIO.replace("timeout_minutes: 2", f"timeout_minutes: 2\nmcps:\n  - {{name: calc, url: '{http_server}'}}"),
    )
    server.script_chat(
        chat_message(None, ("add", {"a": 20, "b": 22})),
        chat_message("The sum is 42."),
    )
    record = _run(suites, {"agent": "openrouter", "model": "openai/gpt-5"})
    assert record.failure is None
    first = server.requests[0].body
    assert "add" in [t["function"]["name"] for t in first["tools"]]
    assert record.transcript is not None
    call = record.transcript.tool_calls[0]
    assert (call.name, call.server, call.output, call.is_error) == ("add", "calc", "42", False)
    assert record.metadata["mcp"]["servers"][0]["transport"] == "http"


CRASHING_SERVER = '''
import os, sys
from mcp.server.mcpserver import MCPServer

app = MCPServer("crashy")

@app.tool()
def ping() -> str:
    """Answers pong."""
    return "pong"

@app.tool()
def crash() -> str:
    """Exits the server."""
    sys.stderr.write("crashing on purpose\\n"); sys.stderr.flush()
    os._exit(3)

app.run()
'''


def test_a_server_that_crashes_mid_run(server: FakeModelServer, tmp_path: Path, sandbox_mode: str) -> None:
    suites = tmp_path / "suites"
    base = _scenario(suites)
    write(base / "servers" / "crashy.py", CRASHING_SERVER)
    yaml = SCENARIO + (
        "mcps:\n  - {name: crashy, command: python, args: ['${SCENARIO_DIR}/servers/crashy.py'], required: true}\n"
    )
    write(base / "scenario.yaml", yaml)
    server.script_anthropic(
        tool_use(("ping", {})),
        tool_use(("crash", {})),
        tool_use(("ping", {})),
        text_message("The server is gone."),
    )
    record = _run(suites, {"agent": "anthropic", "model": "claude-haiku-4-5"}, sandbox=sandbox_mode)
    assert record.failure is None  # the run goes on: the model sees the errors
    assert record.transcript is not None
    ping, crash, again = record.transcript.tool_calls
    assert (ping.output, ping.is_error) == ("pong", False)
    assert crash.is_error
    assert again.is_error
    assert "no longer running" in again.output
    assert "crashing on purpose" in again.output
    assert _processes_of("crashy.py") == []


def test_a_required_server_that_cannot_start_is_an_infrastructure_failure(
    server: FakeModelServer, tmp_path: Path
) -> None:
    suites = tmp_path / "suites"
    _scenario(
        suites,
        SCENARIO + "mcps:\n  - {name: broken, command: python, args: ['-c', 'import sys; sys.exit(\"no config\")'],"
        " required: true}\n",
    )
    record = _run(suites, {"agent": "anthropic", "model": "claude-haiku-4-5"})
    assert record.status == "failed"
    assert record.failure is not None
    assert record.failure.category == "infrastructure"
    assert record.failure.stage == "agent"
    assert "MCP server 'broken'" in record.failure.message
    assert "no config" in record.failure.message
    assert server.requests == []  # the model was never called


def test_an_optional_server_that_cannot_start_is_left_out(server: FakeModelServer, tmp_path: Path) -> None:
    suites = tmp_path / "suites"
    _scenario(
        suites,
        SCENARIO
        + "mcps:\n  - {name: nothing-here, command: /nonexistent/server}\n"
        + f"  - {json.dumps(TIME_SERVER)}\n",
    )
    server.script_anthropic(tool_use(("get_current_time", {"timezone": "UTC"})), _write_back, text_message("ok"))
    record = _run(suites, {"agent": "anthropic", "model": "claude-haiku-4-5"})
    assert record.is_successful
    notes = record.metadata["mcp"]["notes"]
    assert any("optional MCP server 'nothing-here'" in n and "goes on without it" in n for n in notes)


SECRET_SERVER = '''
import os
from mcp.server.mcpserver import MCPServer

app = MCPServer("env")

@app.tool()
def environment() -> str:
    """Every variable the server got."""
    return "\\n".join(f"{k}={v}" for k, v in sorted(os.environ.items()))

app.run()
'''


def test_secrets_passed_only_as_declared_and_redacted(
    server: FakeModelServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, sandbox_mode: str
) -> None:
    monkeypatch.setenv("MY_SERVICE_CREDENTIAL", "declared-value-1234567")
    monkeypatch.setenv("PLAIN_SETTING_NAME", "another-declared-987654")
    monkeypatch.setenv("UNDECLARED_TOKEN", "never-given-to-the-server-555")
    suites = tmp_path / "suites"
    base = _scenario(suites)
    write(base / "servers" / "env.py", SECRET_SERVER)
    write(
        base / "scenario.yaml",
        SCENARIO
        + "mcps:\n  - name: env\n    command: python\n    args: ['${SCENARIO_DIR}/servers/env.py']\n"
        + "    env: {SERVICE_KEY: '${MY_SERVICE_CREDENTIAL}', SETTING: '${PLAIN_SETTING_NAME}'}\n",
    )
    seen: list[str] = []

    def remember(request: dict[str, Any]) -> dict[str, Any]:
        seen.append(_last_tool_result(request))
        return text_message("done")

    server.script_anthropic(tool_use(("environment", {})), remember)
    record = _run(suites, {"agent": "anthropic", "model": "claude-haiku-4-5"}, sandbox=sandbox_mode)
    (environment,) = seen
    got = dict(line.split("=", 1) for line in environment.splitlines())
    assert got["SERVICE_KEY"] == "declared-value-1234567"  # the server had what its entry names
    assert got["SETTING"] == "another-declared-987654"
    assert "UNDECLARED_TOKEN" not in got  # and nothing else of zebench's environment
    assert "ANTHROPIC_API_KEY" not in got
    assert "never-given-to-the-server-555" not in environment
    assert "sk-ant-test-key" not in environment
    stored = record.model_dump_json()
    assert "declared-value-1234567" not in stored
    assert "another-declared-987654" not in stored  # redacted although its name does not look secret
    assert "[REDACTED:SETTING]" in stored or "[REDACTED:PLAIN_SETTING_NAME]" in stored


def test_name_table_of_the_original(tmp_path: Path) -> None:
    env = {"FIGMA_API_KEY": "figd_abcdefghijkl", "GITHUB_TOKEN": "ghp_x"}
    fs = resolve_server(McpServerSpec(name="filesystem"), workspace=tmp_path, environ=env)
    assert fs.argv == ["npx", "-y", "@modelcontextprotocol/server-filesystem", str(tmp_path)]
    gh = resolve_server(McpServerSpec(name="GitHub"), workspace=tmp_path, environ=env)
    assert gh.argv == ["npx", "-y", "@modelcontextprotocol/server-github"]
    assert gh.env == {"GITHUB_PERSONAL_ACCESS_TOKEN": "ghp_x"}
    figma = resolve_server(McpServerSpec(name="figma"), workspace=tmp_path, environ=env)
    assert figma.env == {"FIGMA_API_KEY": "figd_abcdefghijkl"}
    assert figma.secrets == {"FIGMA_API_KEY": "figd_abcdefghijkl"}
    other = resolve_server(McpServerSpec(name="@acme/mcp-thing"), workspace=tmp_path, environ={})
    assert other.argv == ["npx", "-y", "@acme/mcp-thing"]
    assert other.network
    own = resolve_server(McpServerSpec(name="x", command="srv", args=["--db", "${WORKSPACE}/db"]), workspace=tmp_path)
    assert own.argv == ["srv", "--db", f"{tmp_path}/db"]
    assert not own.network
    missing = resolve_server(McpServerSpec(name="figma"), workspace=tmp_path, environ={})
    assert missing.env == {}
    assert missing.notes == ["FIGMA_API_KEY is not set: the server starts without it"]


def test_no_network_unless_declared(tmp_path: Path) -> None:
    workspace = tmp_path / "ws"
    probe = write(
        workspace / "probe.py",
        '''
        import socket
        from mcp.server.mcpserver import MCPServer
        app = MCPServer("net")
        @app.tool()
        def interfaces() -> str:
            """Network interfaces the server sees."""
            return ",".join(sorted(name for _, name in socket.if_nameindex()))
        app.run()
        ''',
    )

    async def go(network: bool) -> str:
        async with make_sandbox(workspace, "bwrap") as box:
            spec = McpServerSpec(name="net", command=sys.executable, args=[str(probe)], network=network)
            servers = await start_servers([spec], sandbox=box, workspace=workspace, reserved=[])
            assert servers.notes == []
            try:
                return (await servers.call("interfaces", {}))[0]
            finally:
                await servers.close()

    assert run(go(False)) == "lo"
    assert run(go(True)) != "lo"


def test_servers_stop_when_the_run_is_cancelled(server: FakeModelServer, tmp_path: Path) -> None:
    suites = tmp_path / "suites"
    _scenario(suites, SCENARIO + f"mcps:\n  - {json.dumps(TIME_SERVER)}\n")
    thinking = threading.Event()

    def slow(request: dict[str, Any]) -> dict[str, Any]:
        thinking.set()
        time.sleep(5)  # the model "thinks" while the run is cancelled
        return text_message("late")

    server.script_anthropic(tool_use(("get_current_time", {"timezone": "UTC"})), slow)
    records: list[RunRecord] = []
    alive_during: list[str] = []

    async def go() -> None:
        scenario = Catalog(suites).scenario("mcp", "what-time")

        async def keep(record: RunRecord) -> None:
            records.append(record)

        task = asyncio.ensure_future(
            run_one(
                RunSpec(scenario, "L1", "anthropic", "claude-haiku-4-5"),
                RunOptions(agent_settings={"max_retries": 0}),
                on_cancelled=keep,
            )
        )
        await asyncio.to_thread(thinking.wait, 60)
        alive_during.extend(_processes_of("mcp_server_time"))
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

    run(go())
    assert alive_during != []  # the server was up while the model thought
    (record,) = records
    assert record.status == "cancelled"
    assert _processes_of("mcp_server_time") == []


def test_no_server_outlives_a_killed_zebench(tmp_path: Path) -> None:
    """kill -9 of zebench: the reaper's parent-death signal (and bubblewrap's --die-with-parent) end the server."""
    workspace = tmp_path / "ws"
    workspace.mkdir()
    script = write(
        tmp_path / "hold.py",
        f"""
        import asyncio, sys
        from pathlib import Path
        from zebench.isolation.sandbox import Sandbox
        from zebench.models.specialist import McpServerSpec
        from zebench.run.mcp import start_servers

        async def main():
            box = Sandbox(Path({str(workspace)!r}), mode=sys.argv[1], scratch_root=Path({str(tmp_path)!r}))
            servers = await start_servers([McpServerSpec(**{TIME_SERVER!r})], sandbox=box,
                                          workspace=Path({str(workspace)!r}), reserved=[])
            print("ready", flush=True)
            await asyncio.sleep(600)

        asyncio.run(main())
        """,
    )
    for mode in ("bwrap", "none"):
        proc = subprocess.Popen([sys.executable, str(script), mode], stdout=subprocess.PIPE, text=True)
        assert proc.stdout is not None
        assert proc.stdout.readline().strip() == "ready"
        assert _processes_of("mcp_server_time") != []
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        deadline = time.monotonic() + 15
        while _processes_of("mcp_server_time") and time.monotonic() < deadline:
            time.sleep(0.05)
        assert _processes_of("mcp_server_time") == [], mode


def test_required_error_when_start_fails_directly(tmp_path: Path) -> None:
    async def go() -> None:
        await start_servers(
            [McpServerSpec(name="gone", command="/nonexistent/bin/server", required=True)],
            sandbox=make_sandbox(tmp_path / "ws", "none"),
            workspace=tmp_path / "ws",
            reserved=[],
        )

    with pytest.raises(McpStartError, match="required MCP server 'gone'"):
        run(go())


def test_scenario_key_loads(tmp_path: Path) -> None:
    suites = tmp_path / "suites"
    base = _scenario(suites, SCENARIO + "specialist: ../../../../time-specialist-template.json5\n")
    write(tmp_path / "time-specialist-template.json5", TIME_SPECIALIST)
    scenario = Catalog(suites).scenario("mcp", "what-time")
    assert scenario.warnings == []
    assert scenario.spec.specialist is not None
    assert load_specialist(base / scenario.spec.specialist).name == "time-specialist"


def test_the_originals_mcp_demo_scenario_runs_with_a_real_server(
    server: FakeModelServer, original_suites: Path, tmp_path: Path
) -> None:
    """The original's mcp-demos/github-repo-demo, unchanged (no workspace, judged by categories), with a
    specialist whose server is the reference time server (GitHub's needs the network): the agent's MCP calls and
    their real results reach the judge, whose categories ask how the agent used the MCP tools."""
    template = write(tmp_path / "demo-specialist.json5", TIME_SPECIALIST)
    server.script_anthropic(
        tool_use(("get_current_time", {"timezone": "UTC"}), text="I'm using the get_current_time MCP tool."),
        text_message("The get_current_time MCP tool answered; verified."),
    )
    categories = ["MCP Tool Usage", "Operation Success", "Verification", "Communication Clarity"]
    # The scenario's judge model is an OpenRouter id (anthropic/claude-3.5-sonnet): chat completions.
    server.script_chat(
        chat_message(
            None,
            (
                "submit_evaluation",
                {
                    "scores": [{"category": c, "score": 5, "reasoning": "ok"} for c in categories],
                    "overall_assessment": "Used the MCP tool.",
                },
            ),
        )
    )
    scenario = Catalog(original_suites).scenario("mcp-demos", "github-repo-demo")
    record = run(
        run_one(
            RunSpec(scenario, "L1", "anthropic", "claude-haiku-4-5", specialist=load_specialist(template)),
            RunOptions(agent_settings={"max_retries": 0}, judge_settings={"enabled": True}),
        )
    )
    assert record.failure is None
    assert record.metadata["workspace"] == "none"
    assert record.is_successful
    assert record.specialist_name == "time-specialist"
    judge = next(e for e in record.evaluations if e.evaluator_name == "llm_judge")
    assert judge.score == 1.0
    judged = next(r.body for r in server.requests if r.path.endswith("/chat/completions"))
    prompt = json.dumps(judged["messages"])
    assert "MCP Tool Usage" in prompt
    assert "The get_current_time MCP tool answered" in prompt
    assert _processes_of("mcp_server_time") == []


FAKE_CLAUDE_WITH_MCP = r"""#!{python}
# Stands in for the Claude Code CLI: starts the servers of --mcp-config with the mcp SDK, as the CLI would, and
# answers with what the time server said. zebench runs a script with its interpreter's real file (a venv's python
# followed to the base one), so the venv's packages are put on the path here.
import asyncio, json, sys
sys.path[:0] = {site!r}
from mcp import Client, StdioServerParameters

args = sys.argv[1:]
config = json.loads(args[args.index("--mcp-config") + 1])
assert "--strict-mcp-config" in args
(name, entry), = config["mcpServers"].items()

async def main():
    params = StdioServerParameters(command=entry["command"], args=entry["args"], env=entry["env"])
    async with Client(params) as client:
        result = await client.call_tool("get_current_time", {{"timezone": "UTC"}})
    return result.content[0].text

answer = asyncio.run(main())
print(json.dumps({{"type": "result", "subtype": "success", "is_error": False, "num_turns": 1,
                  "result": json.dumps({{"server": name, "env": entry["env"], "answer": json.loads(answer)}}),
                  "total_cost_usd": 0.0, "usage": {{"input_tokens": 1, "output_tokens": 1}}}}))
"""


def _site_packages() -> list[str]:
    return [p for p in sys.path if p.endswith("site-packages")]


def test_claude_code_gets_the_servers_through_its_mcp_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-ant-cli-key")
    monkeypatch.setenv("TIME_SERVER_SECRET", "time-secret-value-42")
    suites = tmp_path / "suites"
    entry = {**TIME_SERVER, "env": {"SECRET_FOR_SERVER": "${TIME_SERVER_SECRET}"}}
    _scenario(suites, SCENARIO + f"mcps:\n  - {json.dumps(entry)}\n")
    fake = write(tmp_path / "bin" / "claude", FAKE_CLAUDE_WITH_MCP.format(python=sys.executable, site=_site_packages()))
    fake.chmod(0o755)
    scenario = Catalog(suites).scenario("mcp", "what-time")
    record = run(
        run_one(
            RunSpec(scenario, "L1", "claude-code", "claude-sonnet-4-6"),
            RunOptions(agent_settings={"claude_bin": str(fake)}),
        )
    )
    assert record.failure is None
    said = json.loads(record.metadata["agentSummary"])
    assert said["server"] == "time"
    assert said["answer"]["timezone"] == "UTC"
    assert said["env"]["SECRET_FOR_SERVER"].startswith("[REDACTED:")  # the server had it; the record never does
    assert "time-secret-value-42" not in record.model_dump_json()
    assert "mcp" not in record.metadata  # zebench started nothing itself
    assert _processes_of("mcp_server_time") == []


PLAIN_SPECIALIST = (
    '{name: "plain", version: "VERSION", persona: {purpose: "Plain."}, '
    'prompts: {default: {spawnerPrompt: "Plain VERSION."}}}'
)


def test_the_matrix_crosses_specialists_and_resume_knows_them(tmp_path: Path, db_path: Path) -> None:
    from click.testing import CliRunner

    from zebench.cli import main
    from zebench.execution.batch import BatchPlan
    from zebench.store import Store

    suites = tmp_path / "suites"
    _scenario(suites)
    one = write(tmp_path / "one.json5", PLAIN_SPECIALIST.replace("VERSION", "1.0.0"))
    two = write(tmp_path / "two.json5", PLAIN_SPECIALIST.replace("VERSION", "2.0.0"))
    args = ["--suites-dir", str(suites), "--db", str(db_path)]
    result = CliRunner().invoke(
        main,
        [
            "run",
            "-a",
            "echo",
            "-n",
            "2",
            "--specialist",
            "none",
            "--specialist",
            str(one),
            "--specialist",
            str(two),
            "--specialist",
            str(one),
            "--batch-id",
            "cross",
            *args,
        ],
    )
    assert result.exit_code == 0, result.output
    store = Store(db_path)
    try:
        records = [store.get_run(r) for r in store.run_ids("cross")]
        keys = store.batch_keys("cross")
        batch = store.get_batch("cross")
    finally:
        store.close()
    labels = sorted((r.specialist_name or "", r.specialist_version or "") for r in records if r is not None)
    assert labels == [
        ("", ""),
        ("", ""),
        ("plain", "1.0.0"),
        ("plain", "1.0.0"),
        ("plain", "2.0.0"),
        ("plain", "2.0.0"),
    ]
    assert {k[5] for k in keys} == {"", "plain@1.0.0", "plain@2.0.0"}
    assert batch is not None
    plan = BatchPlan.model_validate(batch.metadata["plan"])
    assert len(plan.keys()) == 6
    assert set(plan.keys()) == keys  # what --resume compares: nothing left to run
    # A template changed after the batch started: the resume uses the stored one (nothing runs again).
    one.write_text("{ not json5")
    resumed = CliRunner().invoke(main, ["run", "--resume", "cross", "--db", str(db_path)])
    assert resumed.exit_code == 0, resumed.output


def test_runs_with_and_without_a_specialist_never_pool(tmp_path: Path, db_path: Path) -> None:
    """The specialist is part of the configuration: the leaderboard, compare and the batch summary keep runs with
    and without one apart."""
    from click.testing import CliRunner

    from zebench.cli import main

    suites = tmp_path / "suites"
    _scenario(suites)
    one = write(tmp_path / "one.json5", PLAIN_SPECIALIST.replace("VERSION", "1.0.0"))
    db = ["--db", str(db_path)]
    ran = CliRunner().invoke(
        main,
        ["run", "-a", "echo", "--specialist", "none", "--specialist", str(one), "--batch-id", "apart", "--suites-dir"]
        + [str(suites), *db],
    )
    assert ran.exit_code == 0, ran.output
    board = json.loads(CliRunner().invoke(main, ["leaderboard", "--json", *db]).output)
    rows = sorted(board, key=lambda r: r["specialistName"] or "")
    assert [(r["agent"], r["specialistName"], r["specialistVersion"], r["runs"]) for r in rows] == [
        ("echo", None, None, 1),
        ("echo", "plain", "1.0.0", 1),
    ]
    mixed = CliRunner().invoke(main, ["compare", "agent=echo", "agent=echo", *db])
    assert mixed.exit_code == 2
    assert "echo [plain, 1.0.0]" in mixed.output
    assert "agent=echo,specialistName=,specialistVersion=" in mixed.output  # the suggestion selects one of them
    apart = CliRunner().invoke(main, ["compare", "specialistName=", "specialistName=plain", "--json", *db])
    assert apart.exit_code == 0, apart.output
    summary = CliRunner().invoke(main, ["summary", "apart", *db])
    assert "specialist name" in summary.output
    assert "1.0.0" in summary.output


def test_a_bad_specialist_is_exit_2_and_writes_nothing(tmp_path: Path, db_path: Path) -> None:
    from click.testing import CliRunner

    from zebench.cli import main
    from zebench.store import Store

    suites = tmp_path / "suites"
    _scenario(suites)
    bad = write(tmp_path / "bad.json5", '{from: "@zephyr-cloud/base", name: "x", version: "1"}')
    result = CliRunner().invoke(
        main, ["run", "-a", "echo", "--specialist", str(bad), "--suites-dir", str(suites), "--db", str(db_path)]
    )
    assert result.exit_code == 2
    assert "package reference" in result.output
    store = Store(db_path)
    try:
        assert store.run_ids() == []
    finally:
        store.close()


def test_reference_python_servers_by_name_or_uvx(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # no uvx here
    by_name = resolve_server(McpServerSpec(name="mcp-server-time"), workspace=tmp_path)
    assert by_name.argv == [sys.executable, "-m", "mcp_server_time"]
    assert not by_name.network
    uvx = resolve_server(
        McpServerSpec(name="t", command="uvx", args=["mcp-server-time", "--local-timezone", "UTC"]), workspace=tmp_path
    )
    assert uvx.argv == [sys.executable, "-m", "mcp_server_time", "--local-timezone", "UTC"]
    assert "uvx is not installed" in uvx.notes[0]
    # python -m with another interpreter (which lacks the package), and the package's own command
    module = McpServerSpec(name="t", command="python3", args=["-m", "mcp_server_time"])
    python = resolve_server(module, workspace=tmp_path)
    assert python.argv == [sys.executable, "-m", "mcp_server_time"]
    script = resolve_server(McpServerSpec(name="t", command="mcp-server-time", args=["-v"]), workspace=tmp_path)
    assert script.argv == [sys.executable, "-m", "mcp_server_time", "-v"]
    other = resolve_server(McpServerSpec(name="t", command="python3", args=["-m", "my_server"]), workspace=tmp_path)
    assert other.argv == ["python3", "-m", "my_server"]  # not a reference server: as given


WRITING_SERVER = """
from pathlib import Path
from mcp.server.mcpserver import MCPServer

app = MCPServer("writer")

@app.tool()
def save_note(text: str) -> str:
    "Saves a note as now.txt in the working directory."
    Path("now.txt").write_text('{"datetime": "2026-01-01T00:00:00"} ' + text)
    return "saved"

app.run()
"""


def test_what_a_server_writes_is_scored_like_the_agents_work(
    server: FakeModelServer, tmp_path: Path, sandbox_mode: str
) -> None:
    suites = tmp_path / "suites"
    base = _scenario(suites)
    write(base / "servers" / "writer.py", WRITING_SERVER)
    write(
        base / "scenario.yaml",
        SCENARIO
        + "mcps:\n  - {name: writer, command: python, args: ['${SCENARIO_DIR}/servers/writer.py'], required: true}\n",
    )
    server.script_anthropic(tool_use(("save_note", {"text": "from the server"})), text_message("saved"))
    record = _run(suites, {"agent": "anthropic", "model": "claude-haiku-4-5"}, sandbox=sandbox_mode)
    assert record.failure is None
    assert record.transcript is not None
    assert record.transcript.tool_calls[0].output == "saved", record.transcript.tool_calls
    assert record.is_successful, record.evaluations  # the checks found the server's file
    assert record.diff is not None
    assert [f.path for f in record.diff.files] == ["now.txt"]
