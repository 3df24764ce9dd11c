"""The agent's workspace tools, with the original project's names and parameters.

readFile{path}, writeFile{path, content}, listFiles{path}, runCommand{command, description},
askUser{question, context}. Every call is recorded in the transcript. A refused or failed call returns an error
message to the agent (``ToolError``); it never raises into the agent loop. Files go through the workspace layer
(zebench.workspace.Files: regular files only, confined, off the event loop), commands through the run's sandbox
(zebench.sandbox.Sandbox, policy "agent").
"""

from __future__ import annotations

import difflib
import os
import re
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..catalog import DEFAULT_ANSWER
from ..isolation.sandbox import Sandbox
from ..models import ToolCallRecord
from .workspace import Files, WorkspaceError

if TYPE_CHECKING:
    from .mcp import McpServers

#: Largest file readFile returns (a larger one is cut, the cut marked), and largest content writeFile accepts.
MAX_FILE_BYTES = 1024 * 1024
#: Output of runCommand returned to the agent: first and last 32 KiB, the middle elided.
COMMAND_OUTPUT_HEAD = 32 * 1024
COMMAND_OUTPUT_TAIL = 32 * 1024
DEFAULT_COMMAND_TIMEOUT = 60.0
#: Tool output kept in the stored transcript (the agent itself sees the full output above).
TRANSCRIPT_OUTPUT_LIMIT = 16 * 1024
#: How similar a question must be to an oracle key to take its answer (difflib ratio).
FUZZY_ANSWER_CUTOFF = 0.6
#: A key this long contained in the question (or the reverse) also matches.
MIN_CONTAINED_KEY = 10

#: JSON schemas of the tools, as sent to a model.
TOOL_SCHEMAS: list[dict[str, Any]] = [
    {
        "name": "readFile",
        "description": "Read a UTF-8 text file of the workspace (the first 1 MiB of a larger one). Paths are "
        "relative to the workspace root.",
        "input_schema": {
            "type": "object",
            "properties": {"path": {"type": "string", "description": "File path relative to the workspace root"}},
            "required": ["path"],
        },
    },
    {
        "name": "writeFile",
        "description": "Create or overwrite a file of the workspace (parent directories are created).",
        "input_schema": {
            "type": "object",
            "properties": {
                "path": {"type": "string", "description": "File path relative to the workspace root"},
                "content": {"type": "string", "description": "The complete new content of the file"},
            },
            "required": ["path", "content"],
        },
    },
    {
        "name": "listFiles",
        "description": "List a directory of the workspace; directories end with '/'.",
        "input_schema": {
            "type": "object",
            "properties": {"path": {"type": "string", "description": "Directory relative to the root, '.' for it"}},
            "required": [],
        },
    },
    {
        "name": "runCommand",
        "description": "Run a shell command in the workspace root (60 s limit); returns exit code and output.",
        "input_schema": {
            "type": "object",
            "properties": {
                "command": {"type": "string", "description": "Shell command"},
                "description": {"type": "string", "description": "Why you run it"},
            },
            "required": ["command"],
        },
    },
    {
        "name": "askUser",
        "description": "Ask the user a clarifying question.",
        "input_schema": {
            "type": "object",
            "properties": {
                "question": {"type": "string", "description": "The question"},
                "context": {"type": "string", "description": "Why you ask"},
            },
            "required": ["question"],
        },
    },
]

#: Tools that change nothing: an agent may run several of these concurrently.
READ_ONLY_TOOLS = frozenset({"readFile", "listFiles", "askUser"})


class ToolError(Exception):
    """A tool call that is refused or fails; its message goes back to the agent."""


@dataclass
class ToolOutcome:
    output: str
    is_error: bool = False


def _normalise(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", " ", text.lower()).strip()


def answer_question(question: str, answers: dict[str, str]) -> str:
    """Oracle answers: exact key, then the most similar key (fuzzy), then the default answer."""
    if question in answers:
        return answers[question]
    wanted = _normalise(question)
    by_normal = {_normalise(k): v for k, v in answers.items()}
    if wanted in by_normal:
        return by_normal[wanted]
    best = difflib.get_close_matches(wanted, list(by_normal), n=1, cutoff=FUZZY_ANSWER_CUTOFF)
    if best:
        return by_normal[best[0]]
    # A key contained in the question (or the reverse) is a match too: "Which package manager?" vs a longer question.
    for key, value in by_normal.items():
        if len(key) >= MIN_CONTAINED_KEY and (key in wanted or wanted in key):
            return value
    return DEFAULT_ANSWER


def stored_output(output: str) -> str:
    """A tool call's output as the transcript keeps it: the first TRANSCRIPT_OUTPUT_LIMIT characters, the cut
    marked."""
    if len(output) <= TRANSCRIPT_OUTPUT_LIMIT:
        return output
    return output[:TRANSCRIPT_OUTPUT_LIMIT] + f"\n... [{len(output) - TRANSCRIPT_OUTPUT_LIMIT} characters not stored]"


@dataclass
class Toolbox:
    """The tools bound to one workspace. ``calls`` is the transcript of every call made.

    ``sandbox`` runs the commands (default: a ``--sandbox none`` sandbox of the workspace). ``mcp`` holds the
    run's MCP servers (zebench.run.mcp): their tools are offered beside the workspace tools and their calls are
    recorded the same way, with the server and the tool.
    """

    workspace: Path
    answers: dict[str, str] = field(default_factory=dict)
    command_timeout: float = DEFAULT_COMMAND_TIMEOUT
    sandbox: Sandbox | None = None
    calls: list[ToolCallRecord] = field(default_factory=list)
    #: (command, processes it left running; all were killed): what the scanners flag.
    leftovers: list[tuple[str, int]] = field(default_factory=list)
    mcp: McpServers | None = None

    def __post_init__(self) -> None:
        self.root = Path(os.path.realpath(self.workspace))
        if self.sandbox is None:
            self.sandbox = Sandbox(self.root, mode="none")
        self.files = Files(self.root, owner=self.sandbox.owner)
        self._handlers: dict[str, Callable[[dict[str, Any]], Awaitable[str]]] = {
            "readFile": self._read_file,
            "writeFile": self._write_file,
            "listFiles": self._list_files,
            "runCommand": self._run_command,
            "askUser": self._ask_user,
        }

    @property
    def names(self) -> list[str]:
        return list(self._handlers) + (list(self.mcp.tools) if self.mcp is not None else [])

    def schemas(self) -> list[dict[str, Any]]:
        """Every tool offered to the model (Anthropic's shape: name, description, input_schema): the workspace
        tools, then the MCP servers' tools."""
        return [dict(t) for t in TOOL_SCHEMAS] + (self.mcp.schemas() if self.mcp is not None else [])

    async def call(self, name: str, arguments: dict[str, Any] | None) -> ToolOutcome:
        """Run one tool call and record it. Errors become an error outcome for the agent, never an exception."""
        seq = len(self.calls)
        # Reserve the slot now so that concurrent calls keep their order in the transcript.
        record = ToolCallRecord(seq=seq, name=name, input=dict(arguments or {}))
        self.calls.append(record)
        started = time.monotonic()
        try:
            handler = self._handlers.get(name)
            if handler is None and self.mcp is not None and name in self.mcp:
                record.server, record.tool = self.mcp.route(name)
                if not isinstance(arguments, dict):
                    raise ToolError("tool input must be a JSON object")
                text, failed = await self.mcp.call(name, arguments)
                outcome = ToolOutcome(text, is_error=failed)
            elif handler is None:
                raise ToolError(f"unknown tool {name!r}; available: {', '.join(self.names)}")
            elif not isinstance(arguments, dict):
                raise ToolError("tool input must be a JSON object")
            else:
                outcome = ToolOutcome(await handler(arguments))
        except (ToolError, WorkspaceError) as exc:
            outcome = ToolOutcome(f"Error: {exc}", is_error=True)
        except OSError as exc:  # e.g. a command that cannot be started: the model sees it, the run goes on
            outcome = ToolOutcome(f"Error: {exc.strerror or exc}", is_error=True)
        record.output = stored_output(outcome.output)
        record.is_error = outcome.is_error
        record.duration_ms = int((time.monotonic() - started) * 1000)
        return outcome

    def record_external(
        self, name: str, arguments: dict[str, Any], output: str, *, is_error: bool = False, duration_ms: int = 0
    ) -> ToolCallRecord:
        """Record a call an agent made with its own tools (the Claude Code CLI's Read, Bash, Edit...), in the same
        transcript as the toolbox's calls: the harness did not run it, the agent reported it."""
        record = ToolCallRecord(
            seq=len(self.calls),
            name=name,
            input=dict(arguments),
            output=stored_output(output),
            is_error=is_error,
            duration_ms=duration_ms,
        )
        self.calls.append(record)
        return record

    # -- handlers ---------------------------------------------------------------------------------------------

    async def _read_file(self, args: dict[str, Any]) -> str:
        return await self.files.read_text(args.get("path"), MAX_FILE_BYTES)

    async def _write_file(self, args: dict[str, Any]) -> str:
        content = args.get("content")
        if not isinstance(content, str):
            raise ToolError("content must be a string")
        if len(content.encode("utf-8", "surrogatepass")) > MAX_FILE_BYTES:
            raise ToolError(f"content is larger than {MAX_FILE_BYTES} bytes")
        try:
            content.encode("utf-8")
        except UnicodeEncodeError:
            raise ToolError("content is not valid Unicode text (lone surrogate)") from None
        rel = await self.files.write_text(args.get("path"), content)
        return f"Wrote {len(content)} characters to {rel}"

    async def _list_files(self, args: dict[str, Any]) -> str:
        lines = await self.files.list_dir(args.get("path", "."))
        return "\n".join(lines) if lines else "(empty directory)"

    async def _run_command(self, args: dict[str, Any]) -> str:
        command = args.get("command")
        if not isinstance(command, str) or not command.strip():
            raise ToolError("command must be a non-empty string")
        if "\0" in command:
            raise ToolError("command contains a NUL byte")
        assert self.sandbox is not None
        result = await self.sandbox.run(
            command,
            purpose="agent",
            timeout=self.command_timeout,
            head_bytes=COMMAND_OUTPUT_HEAD,
            tail_bytes=COMMAND_OUTPUT_TAIL,
            count_leftovers=True,
        )
        if result.leftover_processes:
            self.leftovers.append((command, result.leftover_processes))
        if result.timed_out:
            raise ToolError(f"command timed out after {self.command_timeout:g} s and was killed\n{result.output}")
        return f"Exit code: {result.exit_code}\n{result.output}"

    async def _ask_user(self, args: dict[str, Any]) -> str:
        question = args.get("question")
        if not isinstance(question, str) or not question.strip():
            raise ToolError("question must be a non-empty string")
        return answer_question(question, self.answers)
