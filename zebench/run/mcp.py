"""MCP servers for a run: started through the official ``mcp`` SDK, their tools offered to the agent.

The servers a specialist (``dependencies.mcps``) or a scenario (``mcps``) declares start when the agent stage
starts and stop when the run ends, whatever ends it. Names resolve as the original harness resolved them
(packages/harness/src/runtime/mcp-tools.ts): ``filesystem`` (and its aliases) runs the reference filesystem
server on the run's workspace, ``github`` the GitHub server, ``figma`` the Figma server with ``FIGMA_API_KEY``,
any other name ``npx -y NAME``; an entry's own ``command``/``args`` or ``url`` replaces the table.

* **stdio servers** run in the run's sandbox (zebench.sandbox: the workspace, a private HOME and /tmp, the system
  read-only, its own PID namespace, the reaper's limits), their working directory the workspace, started by
  zebench.processes like every command (so nothing of them outlives the run, a zebench killed with SIGKILL
  included). They get the network only when their entry (or the name table) says ``network: true``, and an
  environment of the sandbox's allow-list plus exactly the variables their entry names, taken from zebench's
  environment; those values are redacted from everything stored. The SDK's ``Client`` talks to them over the
  process's pipes (a transport of ours: the SDK's own stdio client would start the process itself).
* **HTTP servers** (``url``) are reached by zebench itself through the SDK's streamable HTTP client, outside the
  sandbox (docs/security.md).

Tools are offered under their MCP names, as the original offered them and as its prompts and judge categories
name them; a name that collides (with a workspace tool or another server's tool) is offered as
``<server>_<tool>``, and a call to ``<server>_<tool>`` always works (the original registered both). A required
server that does not start fails the run (infrastructure, with the reason); an optional one is left out and the
run's metadata says so. A server that dies during the run turns its tools' calls into errors the model sees.
"""

from __future__ import annotations

import asyncio
import importlib.util
import json
import os
import re
import shutil
import sys
import time
from collections.abc import AsyncIterator, Sequence
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..constants import zebench_version
from ..isolation.processes import Service
from ..models.specialist import TOOL_NAME_RE, VARIABLE_RE, McpServerSpec

if TYPE_CHECKING:
    from ..isolation.sandbox import Policy, Sandbox

#: Time a server has to start and list its tools (``npx -y`` may download the package first).
START_TIMEOUT_SECONDS = 120.0
#: Time a stopped stdio server has to exit on its own once its stdin is closed, before it is killed.
STOP_GRACE_SECONDS = 2.0
#: How long a failed call waits to see whether the server has exited (to say so, with its stderr).
EXIT_NOTICE_SECONDS = 1.0
#: Pages of tools/list read from one server (a server whose cursor never ends cannot hang a run).
MAX_TOOL_PAGES = 100


@dataclass(frozen=True)
class TableEntry:
    """How the original harness started a server it knew by name."""

    argv: tuple[str, ...]
    #: Variables the server gets: its name -> the host variables it is taken from, first set wins.
    env: tuple[tuple[str, tuple[str, ...]], ...] = ()
    #: npx downloads the package, and these servers call remote APIs: they need the network.
    network: bool = True


_FILESYSTEM = TableEntry(("npx", "-y", "@modelcontextprotocol/server-filesystem", "${WORKSPACE}"))
_GITHUB = TableEntry(
    ("npx", "-y", "@modelcontextprotocol/server-github"),
    env=(("GITHUB_PERSONAL_ACCESS_TOKEN", ("GITHUB_PERSONAL_ACCESS_TOKEN", "GITHUB_TOKEN")),),
)
_FIGMA = TableEntry(("npx", "-y", "@thirdstrandstudio/mcp-figma"), env=(("FIGMA_API_KEY", ("FIGMA_API_KEY",)),))
#: The original's table (mcp-tools.ts), keys lower-cased as it looked them up. The filesystem server gets the
#: run's workspace where the original gave it its own working directory.
NAME_TABLE: dict[str, TableEntry] = {
    "filesystem": _FILESYSTEM,
    "filesystem-mcp": _FILESYSTEM,
    "@modelcontextprotocol/server-filesystem": _FILESYSTEM,
    "github": _GITHUB,
    "@modelcontextprotocol/server-github": _GITHUB,
    "figma": _FIGMA,
    "@thirdstrandstudio/mcp-figma": _FIGMA,
}


#: The reference servers published as Python packages (mcp-server-time, -git, -fetch): by these names, zebench
#: runs the package installed beside it (``python -m``, no download, no network for time and git), else
#: ``uvx PACKAGE`` with the network. zebench's addition to the table: the original knew npm packages only.
PYTHON_SERVERS: dict[str, tuple[str, str, bool]] = {
    "time": ("mcp-server-time", "mcp_server_time", False),
    "mcp-server-time": ("mcp-server-time", "mcp_server_time", False),
    "@modelcontextprotocol/server-time": ("mcp-server-time", "mcp_server_time", False),
    "git": ("mcp-server-git", "mcp_server_git", False),
    "mcp-server-git": ("mcp-server-git", "mcp_server_git", False),
    "fetch": ("mcp-server-fetch", "mcp_server_fetch", True),
    "mcp-server-fetch": ("mcp-server-fetch", "mcp_server_fetch", True),
}


def table_entry(name: str) -> TableEntry:
    """How a server known only by its name starts (the original's table, zebench's Python servers, else npx)."""
    key = name.lower()
    if key in NAME_TABLE:
        return NAME_TABLE[key]
    if key in PYTHON_SERVERS:
        package, module, network = PYTHON_SERVERS[key]
        if importlib.util.find_spec(module) is not None:
            return TableEntry((sys.executable, "-m", module), network=network)
        return TableEntry(("uvx", package))
    return TableEntry(("npx", "-y", name))


def _installed_reference_server(argv: list[str]) -> tuple[list[str], str] | None:
    """A reference server (PYTHON_SERVERS) as templates start it, run from the package installed beside zebench
    (its interpreter, ``python -m``), with a note saying so; None when ``argv`` is none of these or the package is
    not installed here. The forms: ``uvx mcp-server-time ...`` where uvx is missing (how the servers document
    themselves), ``python -m mcp_server_time ...`` with another interpreter than zebench's (which would lack the
    package), and the package's own command ``mcp-server-time ...`` (a console script of zebench's environment,
    not on the sandbox's PATH)."""
    if not argv:
        return None
    program = Path(argv[0]).name
    by_module = {module: name for name, (_, module, _) in PYTHON_SERVERS.items()}
    if program == "uvx" and len(argv) > 1 and shutil.which(argv[0]) is None:
        name, rest, why = argv[1].split("==")[0].split("@")[0].lower(), argv[2:], "uvx is not installed"
    elif re.fullmatch(r"python(3(\.\d+)?)?", program) and argv[1:2] == ["-m"] and len(argv) > 2:
        if argv[0] == sys.executable or argv[2] not in by_module:
            return None
        name, rest, why = by_module[argv[2]], argv[3:], f"{argv[0]} is not zebench's interpreter"
    elif program.lower() in PYTHON_SERVERS and program.startswith("mcp-server-"):
        name, rest, why = program.lower(), argv[1:], f"{program} is a command of zebench's environment"
    else:
        return None
    known = PYTHON_SERVERS.get(name)
    if known is None or importlib.util.find_spec(known[1]) is None:
        return None
    return [sys.executable, "-m", known[1], *rest], f"{why}: {known[0]} runs from the package installed beside zebench"


class McpStartError(Exception):
    """A required MCP server did not start (the run fails with category infrastructure)."""


@dataclass
class ResolvedServer:
    """An MCP entry made concrete for one run: what to start, with what, and which values are secrets."""

    name: str
    required: bool
    argv: list[str] = field(default_factory=list)
    url: str | None = None
    headers: dict[str, str] = field(default_factory=dict)
    env: dict[str, str] = field(default_factory=dict)
    network: bool = False
    allowed_tools: list[str] | None = None
    #: Paths the server reads besides the workspace (the scenario's or the specialist's folder it names).
    read_paths: list[Path] = field(default_factory=list)
    #: Values taken from zebench's environment, by variable name: redacted from the record.
    secrets: dict[str, str] = field(default_factory=dict)
    #: What the run's metadata says about it (a variable named but not set...).
    notes: list[str] = field(default_factory=list)

    @property
    def transport(self) -> str:
        return "http" if self.url else "stdio"

    def describe(self) -> str:
        """The server as a user reads it in the run's metadata (no values of variables)."""
        return self.url if self.url else " ".join(self.argv)


def _expand(text: str, folders: dict[str, str], host: dict[str, str], secrets: dict[str, str]) -> str:
    """``${WORKSPACE}``, ``${SCENARIO_DIR}``, ``${SPECIALIST_DIR}`` and ``${VAR}`` (from ``host``, recorded as a
    secret) in ``text``; an unknown variable becomes empty."""

    def one(match: re.Match[str]) -> str:
        name = match[1]
        if name in folders:
            return folders[name]
        value = host.get(name, "")
        if value:
            secrets[name] = value
        return value

    return VARIABLE_RE.sub(one, text)


def resolve_server(
    spec: McpServerSpec,
    *,
    workspace: Path,
    scenario_dir: Path | None = None,
    specialist_dir: Path | None = None,
    environ: dict[str, str] | None = None,
) -> ResolvedServer:
    """What to start for ``spec`` in this run (the original's name table, or the entry's own keys)."""
    host = dict(os.environ if environ is None else environ)
    folders = {"WORKSPACE": str(workspace)}
    if scenario_dir is not None:
        folders["SCENARIO_DIR"] = str(scenario_dir)
    if specialist_dir is not None:
        folders["SPECIALIST_DIR"] = str(specialist_dir)
    out = ResolvedServer(name=spec.name, required=spec.required, allowed_tools=spec.allowed_tools)
    secrets: dict[str, str] = {}
    if spec.url is not None:
        out.url = _expand(spec.url, folders, host, secrets)
        out.headers = {k: _expand(v, folders, host, secrets) for k, v in spec.headers.items()}
    elif spec.command is not None:
        out.argv = [_expand(a, folders, host, secrets) for a in (spec.command, *spec.args)]
        out.network = bool(spec.network)
        local = _installed_reference_server(out.argv)
        if local is not None:
            out.argv, note = local
            out.notes.append(note)
    else:
        entry = table_entry(spec.name)
        out.argv = [_expand(a, folders, host, secrets) for a in entry.argv]
        out.network = entry.network if spec.network is None else spec.network
        for target, sources in entry.env:
            value = next((host[s] for s in sources if host.get(s)), None)
            if value is None:
                out.notes.append(f"{' or '.join(sources)} is not set: the server starts without it")
            else:
                out.env[target] = value
                secrets[target] = value
    if isinstance(spec.env, list):
        for name in spec.env:
            if host.get(name):
                out.env[name] = host[name]
                secrets[name] = host[name]
            else:
                out.notes.append(f"{name} is not set: the server starts without it")
    else:
        for name, value in spec.env.items():
            out.env[name] = _expand(value, folders, host, secrets)
    out.secrets = secrets
    for key in ("SCENARIO_DIR", "SPECIALIST_DIR"):
        if key in folders and any(f"${{{key}}}" in a for a in (spec.command or "", *spec.args)):
            out.read_paths.append(Path(folders[key]))
    return out


def claude_mcp_config(servers: Sequence[ResolvedServer]) -> str:
    """The servers as Claude Code's ``--mcp-config`` JSON (``mcpServers``: stdio command, args and env, or an
    HTTP url with its headers). Claude Code starts them itself, inside its own sandbox."""
    config: dict[str, Any] = {}
    for server in servers:
        if server.url is not None:
            config[server.name] = {"type": "http", "url": server.url, "headers": server.headers}
        else:
            config[server.name] = {
                "type": "stdio",
                "command": server.argv[0],
                "args": server.argv[1:],
                "env": server.env,
            }
    return json.dumps({"mcpServers": config})


# --------------------------------------------------------------------------------------------------------------
# One connection
# --------------------------------------------------------------------------------------------------------------


@asynccontextmanager
async def service_streams(service: Service) -> AsyncIterator[tuple[Any, Any]]:
    """The SDK's transport streams over a started stdio server: newline-delimited JSON-RPC on its pipes. Lines
    that are not JSON-RPC (a server logging to stdout) are skipped."""
    import anyio
    import mcp_types as types
    from mcp.shared.message import SessionMessage

    read_writer, read_stream = anyio.create_memory_object_stream[SessionMessage | Exception](0)
    write_stream, write_reader = anyio.create_memory_object_stream[SessionMessage](0)

    async def reader() -> None:
        async with read_writer:
            while True:
                try:
                    line = await service.stdout.readline()
                except (ValueError, OSError):  # a line over the limit, a broken pipe: the connection is unusable
                    return
                if not line:
                    return  # end of file: the server has gone
                if not line.strip():
                    continue
                try:
                    message = types.jsonrpc_message_adapter.validate_json(line, by_name=False)
                except ValueError:
                    continue
                try:
                    await read_writer.send(SessionMessage(message))
                except (anyio.ClosedResourceError, anyio.BrokenResourceError):
                    return

    async def writer() -> None:
        async with write_reader:
            async for item in write_reader:
                data = item.message.model_dump_json(by_alias=True, exclude_unset=True) + "\n"
                try:
                    await service.write(data.encode())
                except (OSError, RuntimeError):
                    await read_writer.aclose()
                    return

    async with anyio.create_task_group() as tg:
        tg.start_soon(reader)
        tg.start_soon(writer)
        try:
            yield read_stream, write_stream
        finally:
            tg.cancel_scope.cancel()


@dataclass
class ToolEntry:
    """One tool offered to the agent."""

    offered: str
    server: str
    tool: str
    description: str
    input_schema: dict[str, Any]


class McpConnection:
    """One server for one run: a task holds the SDK's ``Client`` from start to ``close``."""

    def __init__(self, server: ResolvedServer, sandbox: Sandbox | None, workspace: Path, call_timeout: float):
        self.server = server
        self.sandbox, self.workspace, self.call_timeout = sandbox, workspace, call_timeout
        self.tools: list[Any] = []
        self.client: Any = None
        self.service: Service | None = None
        self.error: str | None = None
        self.started_ms: int | None = None
        self.stderr_tail = ""
        self.exit_code: int | None = None
        self._ready: asyncio.Future[None] | None = None
        self._stop = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    def policy(self) -> Policy:
        """What the server may reach: the agent's sandbox with the network only when declared, and exactly the
        declared variables."""
        assert self.sandbox is not None
        return self.sandbox.policy("agent").extend(
            network=self.server.network, env=self.server.env, ro_paths=self.server.read_paths
        )

    async def start(self, timeout: float = START_TIMEOUT_SECONDS) -> None:
        """Connect and list the tools; raises with the reason when the server cannot be used."""
        loop = asyncio.get_running_loop()
        self._ready = loop.create_future()
        t0 = time.monotonic()
        self._task = asyncio.ensure_future(self._serve())
        try:
            await asyncio.wait_for(asyncio.shield(self._ready), timeout)
        except TimeoutError:
            self.error = f"did not answer within {timeout:g} s"
            await self.close()
            raise McpStartError(self._failure(self.error)) from None
        except asyncio.CancelledError:
            await asyncio.shield(self.close())
            raise
        except Exception as exc:
            self.error = _describe(exc)
            await self.close()
            raise McpStartError(self._failure(self.error)) from None
        self.started_ms = int((time.monotonic() - t0) * 1000)

    def _failure(self, reason: str) -> str:
        text = f"MCP server {self.server.name!r} ({self.server.describe()}) did not start: {reason}"
        if self.stderr_tail.strip():
            text += f"\nits stderr:\n{self.stderr_tail.strip()[-2000:]}"
        return text

    async def _serve(self) -> None:
        from mcp import Client
        from mcp_types import Implementation

        assert self._ready is not None
        try:
            async with AsyncExitStack() as stack:
                if self.server.url is not None:
                    transport = self._http_transport()
                else:
                    transport = await self._stdio_transport(stack)
                client = Client(
                    transport,
                    cache=None,
                    client_info=Implementation(name="zebench", version=zebench_version()),
                    read_timeout_seconds=self.call_timeout,
                )
                self.client = await stack.enter_async_context(client)
                tools: list[Any] = []
                cursor: str | None = None
                for _ in range(MAX_TOOL_PAGES):
                    page = await client.list_tools(cursor=cursor)
                    tools.extend(page.tools)
                    cursor = page.next_cursor
                    if not cursor:
                        break
                self.tools = tools
                if not self._ready.done():
                    self._ready.set_result(None)
                await self._stop.wait()
        except BaseException as exc:
            self._note_exit()
            if not self._ready.done():
                self._ready.set_exception(exc if isinstance(exc, Exception) else RuntimeError(_describe(exc)))
            elif not isinstance(exc, asyncio.CancelledError):
                self.error = self.error or _describe(exc)
            if isinstance(exc, asyncio.CancelledError):
                raise
        finally:
            self._note_exit()

    def _note_exit(self) -> None:
        if self.service is not None:
            self.stderr_tail = self.service.stderr.text()
            if self.service.exited:
                self.exit_code = self.service.exit_code

    async def _stdio_transport(self, stack: AsyncExitStack) -> Any:
        assert self.sandbox is not None
        try:
            service = await self.sandbox.start_service(self.server.argv, policy=self.policy(), cwd=self.workspace)
        except OSError as exc:
            raise McpStartError(f"cannot start {self.server.argv[0]!r}: {exc.strerror or exc}") from None
        self.service = service
        # Registered before the client is entered: the process is stopped after the session ends (LIFO).
        stack.push_async_callback(service.stop, STOP_GRACE_SECONDS)
        return service_streams(service)

    def _http_transport(self) -> Any:
        import httpx2  # the HTTP client the mcp SDK's transport is written for

        assert self.server.url is not None
        # The SDK's default timeouts (30 s, 300 s to read a held-open stream), the entry's headers.
        http = httpx2.AsyncClient(headers=self.server.headers, timeout=httpx2.Timeout(30.0, read=300.0))
        return _http_with_client(self.server.url, http)

    @property
    def alive(self) -> bool:
        return self._task is not None and not self._task.done() and not (self.service and self.service.exited)

    def gone_message(self) -> str:
        """Why the server cannot answer any more (it exited, or its connection broke)."""
        self._note_exit()
        text = f"MCP server {self.server.name!r} is no longer running"
        if self.exit_code is not None:
            text += f" (exit code {self.exit_code})"
        if self.error:
            text += f": {self.error}"
        if self.stderr_tail.strip():
            text += f"\nits stderr:\n{self.stderr_tail.strip()[-1000:]}"
        return text

    async def call(self, tool: str, arguments: dict[str, Any]) -> tuple[str, bool]:
        """Call a tool: (text for the model, is_error). Failures of the server are an error result, never an
        exception."""
        if self.client is None or not self.alive:
            return f"Error: {self.gone_message()}", True
        try:
            result = await self.client.call_tool(tool, arguments, read_timeout_seconds=self.call_timeout)
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            if self.service is not None:  # a broken connection: did the server die? (its exit is seen shortly)
                await self.service.wait_ended(EXIT_NOTICE_SECONDS)
            if not self.alive:
                return f"Error calling {tool}: {self.gone_message()}", True
            return f"Error calling MCP tool {tool}: {_describe(exc)}", True
        return result_text(result), bool(result.is_error)

    async def close(self) -> None:
        """Stop the session and the server; returns when no process of it is left (safe to call twice)."""
        self._stop.set()
        task = self._task
        if task is None:
            return
        if not task.done():
            try:
                await asyncio.wait_for(asyncio.shield(task), STOP_GRACE_SECONDS + 3)
            except (TimeoutError, Exception):
                task.cancel()
            except asyncio.CancelledError:
                task.cancel()
                await asyncio.gather(task, return_exceptions=True)
                raise
        if not task.done():
            await asyncio.gather(task, return_exceptions=True)
        elif not task.cancelled():
            task.exception()  # retrieved: a failure was recorded in self.error
        if self.service is not None and not self.service.exited:
            await self.service.stop(0)  # the session's exit could not stop it: kill it now
        self._note_exit()


@asynccontextmanager
async def _http_with_client(url: str, http: Any) -> AsyncIterator[tuple[Any, Any]]:
    from mcp.client.streamable_http import streamable_http_client

    async with http, streamable_http_client(url, http_client=http) as streams:
        yield streams


def result_text(result: Any) -> str:
    """A CallToolResult as the model reads it (the original's conversion): text parts joined, other parts as
    JSON, structured content when there is nothing else; an error prefixed ``Error:``."""
    parts: list[str] = []
    for item in result.content or []:
        if getattr(item, "type", None) == "text":
            parts.append(item.text)
        else:
            parts.append(json.dumps(item.model_dump(mode="json", by_alias=True, exclude_none=True), indent=2))
    text = "\n".join(parts)
    if not text and result.structured_content is not None:
        text = json.dumps(result.structured_content, indent=2)
    if result.is_error:
        return f"Error: {text or 'Unknown error'}"
    return text or "Tool executed successfully (no output)"


def _describe(exc: BaseException) -> str:
    inner = getattr(exc, "exceptions", None)
    if inner:  # a task group's ExceptionGroup: the first real cause says more
        return _describe(inner[0])
    text = str(exc).strip()
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


# --------------------------------------------------------------------------------------------------------------
# The servers of a run
# --------------------------------------------------------------------------------------------------------------


def _tool_name(name: str) -> str:
    """A name the model APIs accept (letters, digits, _ and -, at most 64)."""
    clean = re.sub(r"[^A-Za-z0-9_-]", "_", name)[:64]
    return clean or "tool"


class McpServers:
    """The MCP servers of one run and the tools they offer (``Toolbox`` routes calls here)."""

    def __init__(self, connections: Sequence[McpConnection], reserved: Sequence[str], notes: list[str]):
        self.connections = list(connections)
        self.notes = notes
        self.tools: dict[str, ToolEntry] = {}
        self._routes: dict[str, tuple[McpConnection, str]] = {}
        self._offer(reserved)

    def _offer(self, reserved: Sequence[str]) -> None:
        entries: list[tuple[McpConnection, Any]] = []
        for conn in self.connections:
            allowed = conn.server.allowed_tools
            entries += [(conn, t) for t in conn.tools if allowed is None or t.name in allowed]
        counts: dict[str, int] = {}
        for _, tool in entries:
            counts[_tool_name(tool.name)] = counts.get(_tool_name(tool.name), 0) + 1
        taken = set(reserved)
        for conn, tool in entries:
            plain = _tool_name(tool.name)
            prefixed = _tool_name(f"{conn.server.name}_{tool.name}")
            offered = plain if counts[plain] == 1 and plain not in taken else prefixed
            n = 2
            while offered in taken:  # two servers of the same name: numbered
                offered = _tool_name(f"{prefixed}_{n}")
                n += 1
            taken.add(offered)
            schema = tool.input_schema if isinstance(tool.input_schema, dict) else {}
            if schema.get("type") != "object":
                schema = {"type": "object", "properties": {}}
            self.tools[offered] = ToolEntry(
                offered=offered,
                server=conn.server.name,
                tool=tool.name,
                description=tool.description or f"MCP tool: {tool.name}",
                input_schema=schema,
            )
            self._routes[offered] = (conn, tool.name)
        for conn, name in list(self._routes.values()):
            alias = _tool_name(f"{conn.server.name}_{name}")
            if alias not in self._routes and alias not in reserved:
                self._routes[alias] = (conn, name)  # the original accepted the prefixed name too

    def __contains__(self, name: object) -> bool:
        return name in self._routes

    def route(self, name: str) -> tuple[str, str]:
        """(server, tool) a name the agent calls reaches."""
        conn, tool = self._routes[name]
        return conn.server.name, tool

    def schemas(self) -> list[dict[str, Any]]:
        """The tools as the Anthropic Messages API takes them (name, description, input_schema)."""
        return [
            {"name": t.offered, "description": t.description, "input_schema": t.input_schema}
            for t in self.tools.values()
            if TOOL_NAME_RE.match(t.offered)
        ]

    async def call(self, name: str, arguments: dict[str, Any]) -> tuple[str, bool]:
        conn, tool = self._routes[name]
        return await conn.call(tool, arguments)

    @property
    def secrets(self) -> dict[str, str]:
        """Values taken from zebench's environment for the servers, by variable name (to redact)."""
        out: dict[str, str] = {}
        for conn in self.connections:
            out.update(conn.server.secrets)
        return out

    def summary(self) -> dict[str, Any]:
        """What the run's metadata keeps: each server, its transport, the tools it offered, and what happened."""
        servers = []
        for conn in self.connections:
            conn._note_exit()
            item: dict[str, Any] = {
                "name": conn.server.name,
                "transport": conn.server.transport,
                "command": conn.server.describe(),
                "network": conn.server.network if conn.server.transport == "stdio" else None,
                "tools": {t.offered: t.tool for t in self.tools.values() if t.server == conn.server.name},
                "startMs": conn.started_ms,
            }
            if conn.error:
                item["error"] = conn.error
            if conn.exit_code is not None and conn.service is not None and conn.error:
                item["exitCode"] = conn.exit_code
            servers.append(item)
        return {"servers": servers, "notes": list(self.notes)}

    async def close(self) -> None:
        """Stop every server (concurrently); returns when none of their processes is left."""
        await asyncio.gather(*(c.close() for c in self.connections), return_exceptions=True)


async def start_servers(
    specs: Sequence[McpServerSpec],
    *,
    sandbox: Sandbox | None,
    workspace: Path,
    reserved: Sequence[str],
    scenario_dir: Path | None = None,
    specialist_dir: Path | None = None,
    call_timeout: float = 60.0,
    start_timeout: float = START_TIMEOUT_SECONDS,
) -> McpServers:
    """Start the servers of ``specs`` concurrently (see start_resolved)."""
    resolved = [
        resolve_server(s, workspace=workspace, scenario_dir=scenario_dir, specialist_dir=specialist_dir) for s in specs
    ]
    return await start_resolved(
        resolved,
        sandbox=sandbox,
        workspace=workspace,
        reserved=reserved,
        call_timeout=call_timeout,
        start_timeout=start_timeout,
    )


async def start_resolved(
    resolved: Sequence[ResolvedServer],
    *,
    sandbox: Sandbox | None,
    workspace: Path,
    reserved: Sequence[str],
    call_timeout: float = 60.0,
    start_timeout: float = START_TIMEOUT_SECONDS,
) -> McpServers:
    """Start resolved servers concurrently. A required server that fails raises McpStartError (the others are
    stopped first); an optional one is left out, with a note saying why. (The caller resolved them: it knows their
    secrets even when this raises.)"""
    notes = [f"{r.name}: {n}" for r in resolved for n in r.notes]
    connections = [McpConnection(r, sandbox, workspace, call_timeout) for r in resolved]
    outcomes = await asyncio.gather(*(c.start(start_timeout) for c in connections), return_exceptions=True)
    started: list[McpConnection] = []
    failed_required: list[str] = []
    for conn, outcome in zip(connections, outcomes, strict=True):
        if isinstance(outcome, asyncio.CancelledError):
            await asyncio.gather(*(c.close() for c in connections), return_exceptions=True)
            raise outcome
        if isinstance(outcome, BaseException):
            message = str(outcome)
            if conn.server.required:
                failed_required.append(message)
            else:
                notes.append(f"optional {message}; the run goes on without it")
        else:
            started.append(conn)
    servers = McpServers(started, reserved, notes)
    if failed_required:
        await servers.close()
        raise McpStartError("required " + "\n".join(failed_required))
    return servers
