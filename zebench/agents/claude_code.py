"""The Claude Code CLI as an agent: ``claude -p PROMPT --output-format stream-json --verbose`` run in the workspace.

The binary comes from the ``claude_bin`` setting (``--claude-bin``, env ``ZEBENCH_CLAUDE_BIN``, default
``claude`` on PATH). What the user's ``claude`` is, is found by following its symlinks (npm's
``node_modules/.bin/claude``, the native installer's ``~/.local/bin/claude``): the real file runs, and the sandbox
shows its installation (the npm package folder of a native binary; for a script, the ``node_modules`` folder it
lives in and its interpreter, e.g. node).

Output: the CLI's documented streaming format, one JSON event a line (``--output-format stream-json`` needs
``--verbose`` with ``-p``). Each assistant and user message is stored in the transcript as the other agents' are
(content blocks: text, tool_use, tool_result), and each tool call the CLI made with its own tools (Read, Bash,
Edit, Agent...) is recorded in the run's tool calls with its input, output and error flag. A CLI that prints one
JSON result object or a JSON array instead is read too.

Tokens and cost: both from the final result event's ``modelUsage``, the CLI's totals over every request it made
(the main loop, subagents, side calls): tokens are their sums over the models, the cost is ``total_cost_usd``
(the sum of their ``costUSD``; the CLI prices its own requests, as OpenRouter's reported cost is used for the
openrouter agent). The result's ``usage`` covers the main loop only and is not used. The result is kept as the
transcript's last message (its ``modelUsage`` per model).

The CLI runs in the run's sandbox like any agent command (zebench.sandbox: the workspace, a private HOME, the
allow-listed environment, limits), with the network (it calls the API) and its installation readable.
Secrets: the CLI needs the Anthropic credentials to work, so ``ANTHROPIC_API_KEY`` (and ``ANTHROPIC_BASE_URL``)
are passed to it, and nothing else that looks like a secret. Commands that Claude Code runs itself inherit its
environment (the key included) and its network: unlike the other agents, whose commands run through zebench's
tools, this is a limit of running a third-party agent.

Root: the CLI refuses ``--dangerously-skip-permissions`` when it runs as root, unless ``IS_SANDBOX=1`` says the
machine is a disposable sandbox. Under bubblewrap it never runs as root (zebench's root runs use a sandbox user).
With ``--sandbox none`` as root it would: that is an error before the batch starts, unless ``IS_SANDBOX=1`` is set
in zebench's own environment (the user's deliberate statement that the machine is disposable), which is then
passed to the CLI.
"""

from __future__ import annotations

import json
import os
import shlex
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..models import Message
from ..run.mcp import claude_mcp_config
from . import Agent, AgentConfigError, AgentError, AgentResult, AgentTask, MissingEnvironment
from .llm import DEFAULT_MAX_TURNS, clip

if TYPE_CHECKING:
    from ..run.tools import Toolbox

DEFAULT_ARGS = ("--dangerously-skip-permissions",)
#: Output read from the CLI (a stream-json transcript of a long session can be large).
MAX_OUTPUT_BYTES = 32 * 1024 * 1024
PASSED_ENV = ("ANTHROPIC_API_KEY", "ANTHROPIC_AUTH_TOKEN", "ANTHROPIC_BASE_URL")
#: Set for every run: no auto-update, telemetry or error reporting (the version stays the one installed, and a
#: benchmark needs only the model API).
QUIET_ENV = {"DISABLE_AUTOUPDATER": "1", "CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC": "1"}
#: The CLI's statement that the machine is a disposable sandbox (it then allows --dangerously-skip-permissions
#: as root); passed on only when set in zebench's own environment.
IS_SANDBOX = "IS_SANDBOX"
#: Folders every sandboxed command sees already (zebench.isolation.sandbox.SYSTEM_DIRS): nothing to add.
SYSTEM_PREFIXES = (Path("/usr"), Path("/bin"), Path("/sbin"), Path("/lib"), Path("/lib64"))


def binary(settings: dict[str, Any]) -> str:
    return str(settings.get("claude_bin") or os.environ.get("ZEBENCH_CLAUDE_BIN") or "claude")


def installation(exe: str | Path) -> Path:
    """What of the CLI's installation the sandbox must show for a native binary: its npm package folder, else
    the file itself (the native installer's ``~/.local/share/claude/versions/X``)."""
    real = Path(os.path.realpath(exe))
    for parent in real.parents:
        if parent.parent.name == "node_modules" or parent.parent.parent.name == "node_modules":
            if (parent / "package.json").is_file():
                return parent
    return real


def _node_modules(script: Path) -> Path:
    """A script's installation: the nearest ``node_modules`` folder above it (its package, the packages it
    requires, a native binary's platform package beside it), else the script alone."""
    for parent in script.parents:
        if parent.name == "node_modules":
            return parent
    return script


def _shebang(path: Path) -> list[str] | None:
    """The interpreter line of a script (``#!/usr/bin/env node`` -> ["/usr/bin/env", "node"]), None for a
    binary."""
    try:
        with path.open("rb") as f:
            head = f.read(256)
    except OSError:
        return None
    if not head.startswith(b"#!"):
        return None
    line = head[2:].split(b"\n", 1)[0].decode(errors="replace").strip()
    return shlex.split(line) or None


def _visible(path: Path) -> bool:
    return any(path == p or p in path.parents for p in SYSTEM_PREFIXES)


@dataclass(frozen=True)
class Launcher:
    """How to start the user's ``claude`` inside the sandbox: the real files, not the links to them."""

    #: The command: [binary] or [interpreter, its arguments..., script].
    argv: list[str]
    #: What the sandbox must show read-only for it to run.
    readable: list[Path] = field(default_factory=list)


def launcher(exe: str) -> Launcher:
    """Follow ``exe`` (a name on PATH or a path) through its symlinks to the file that runs; for a script, its
    interpreter too (``#!/usr/bin/env node``: node as found on PATH, itself followed). MissingEnvironment when
    something is not there."""
    found = shutil.which(exe)
    if found is None:
        raise MissingEnvironment(f"Claude Code CLI not found: {exe!r} (install it or pass --claude-bin PATH)")
    real = Path(os.path.realpath(found))  # the whole chain: .bin/claude -> ../@anthropic-ai/claude-code/bin/...
    interpreter = _shebang(real)
    if interpreter is None:
        return Launcher([str(real)], [] if _visible(real) else [installation(real)])
    program, *args = interpreter
    if Path(program).name == "env":
        args = [a for a in args if a != "-S"]
        if not args:
            raise MissingEnvironment(f"{found} -> {real}: its #! line names no interpreter")
        name, *args = args
        located = shutil.which(name)
        if located is None:
            raise MissingEnvironment(f"{found} -> {real} runs with {name!r}, which is not on PATH (install it)")
        program = located
    program_real = Path(os.path.realpath(program))
    if not program_real.is_file():
        raise MissingEnvironment(f"{found} -> {real} runs with {program}, which does not exist")
    readable = [p for p in (program_real, _node_modules(real)) if not _visible(p)]
    return Launcher([str(program_real), *args, str(real)], readable)


def parse_events(stdout: str) -> list[dict[str, Any]]:
    """The CLI's output as a list of JSON objects, whatever its format."""
    text = stdout.strip()
    try:
        data = json.loads(text)
        events = data if isinstance(data, list) else [data]
    except json.JSONDecodeError:
        events = []
        for line in text.splitlines():
            line = line.strip()
            if line.startswith("{"):
                try:
                    events.append(json.loads(line))
                except json.JSONDecodeError:
                    continue
    return [e for e in events if isinstance(e, dict)]


def _int(value: Any) -> int:
    return int(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else 0


def summarise(events: list[dict[str, Any]]) -> dict[str, Any]:
    """The result event's figures: tokens as the totals of ``modelUsage`` (every request of the session; the
    result's ``usage``, the main loop's only, when a CLI reports no modelUsage), the cost as ``total_cost_usd``."""
    result = next((e for e in reversed(events) if e.get("type") == "result"), None)
    if result is None:
        raise AgentError("the Claude Code CLI printed no result event (is --output-format stream-json supported?)")
    per_model = result.get("modelUsage")
    if isinstance(per_model, dict) and per_model:
        models = [m for m in per_model.values() if isinstance(m, dict)]
        tokens = {
            "tokens_in": sum(_int(m.get("inputTokens")) for m in models),
            "tokens_out": sum(_int(m.get("outputTokens")) for m in models),
            "cache_read": sum(_int(m.get("cacheReadInputTokens")) for m in models),
            "cache_write": sum(_int(m.get("cacheCreationInputTokens")) for m in models),
        }
        model_costs = [m.get("costUSD") for m in models]
    else:
        usage = result.get("usage") or {}
        tokens = {
            "tokens_in": _int(usage.get("input_tokens")),
            "tokens_out": _int(usage.get("output_tokens")),
            "cache_read": _int(usage.get("cache_read_input_tokens")),
            "cache_write": _int(usage.get("cache_creation_input_tokens")),
        }
        model_costs = []
    cost = result.get("total_cost_usd", result.get("cost_usd"))
    if not isinstance(cost, (int, float)) and model_costs and all(isinstance(c, (int, float)) for c in model_costs):
        cost = sum(model_costs)
    return {
        "text": result.get("result") or "",
        "is_error": bool(result.get("is_error")) or result.get("subtype", "success") != "success",
        "subtype": result.get("subtype"),
        "turns": _int(result.get("num_turns")),
        **tokens,
        "cost": float(cost) if isinstance(cost, (int, float)) else None,
        "result": result,
    }


def _result_text(content: Any) -> str:
    """A tool_result block's content as text (a string, or a list of text blocks and others)."""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "\n".join(
            str(b.get("text", "")) if isinstance(b, dict) and b.get("type") == "text" else json.dumps(b)
            for b in content
        )
    return "" if content is None else json.dumps(content)


def _clipped(block: dict[str, Any]) -> dict[str, Any]:
    """A tool_result block as the transcript keeps it (its output cut like a toolbox call's)."""
    if block.get("type") != "tool_result":
        return block
    return {**block, "content": clip(_result_text(block.get("content")))}


@dataclass
class CliCall:
    """A tool call the CLI made with its own tools, as its events report it."""

    name: str
    input: dict[str, Any]
    output: str = ""
    is_error: bool = False


def transcript(events: list[dict[str, Any]]) -> tuple[list[Message], list[CliCall]]:
    """The session's messages (assistant messages with their content blocks, one per API message even when the
    CLI streamed it block by block; user messages with their tool results, cut as stored) and its tool calls in
    the order they were asked for (name, input, output, is_error)."""
    messages: list[Message] = []
    calls: list[CliCall] = []
    by_use: dict[str, CliCall] = {}
    last_id: str | None = None
    for event in events:
        kind, message = event.get("type"), event.get("message")
        if kind not in ("assistant", "user") or not isinstance(message, dict):
            continue
        content = message.get("content")
        blocks = [b for b in content if isinstance(b, dict)] if isinstance(content, list) else content
        if kind == "assistant":
            message_id = message.get("id")
            if message_id is not None and message_id == last_id and messages and isinstance(blocks, list):
                merged = messages[-1].content
                assert isinstance(merged, list)
                merged.extend(blocks)
            else:
                messages.append(Message(role="assistant", content=blocks))
            last_id = message_id
            for block in blocks if isinstance(blocks, list) else []:
                if block.get("type") == "tool_use":
                    arguments = block.get("input")
                    call = CliCall(
                        str(block.get("name") or "?"),
                        arguments if isinstance(arguments, dict) else {"input": arguments},
                    )
                    calls.append(call)
                    if block.get("id"):
                        by_use[str(block["id"])] = call
        else:
            last_id = None
            for block in blocks if isinstance(blocks, list) else []:
                answered = by_use.get(str(block.get("tool_use_id"))) if block.get("type") == "tool_result" else None
                if answered is not None:
                    answered.output = _result_text(block.get("content"))
                    answered.is_error = bool(block.get("is_error"))
            stored = [_clipped(b) for b in blocks] if isinstance(blocks, list) else blocks
            messages.append(Message(role="user", content=stored))
    return messages, calls


def _result_message(result: dict[str, Any]) -> Message:
    """The result event, kept small: how the session ended and what it used, per model."""
    keep = ("subtype", "is_error", "num_turns", "duration_ms", "total_cost_usd", "modelUsage", "usage", "stop_reason")
    return Message(role="result", content={"type": "result", **{k: result[k] for k in keep if k in result}})


def _root() -> bool:
    return os.geteuid() == 0


class ClaudeCodeAgent(Agent):
    name = "claude-code"
    description = "The Claude Code CLI run in the workspace (--claude-bin; needs ANTHROPIC_API_KEY)."
    uses_model = True
    starts_mcp_servers = True

    @classmethod
    def check_settings(cls, settings: dict[str, Any], models: list[str] | None = None) -> None:
        if settings.get("max_cost_usd") is not None:
            raise AgentConfigError("--max-cost-usd cannot be enforced inside the Claude Code CLI; use --max-turns")
        launcher(binary(settings))  # a tool of the machine that runs the runs (a Dask worker checks its own)

    @classmethod
    def check_sandbox(cls, mode: str) -> None:
        if mode == "none" and _root() and os.environ.get(IS_SANDBOX) != "1":
            raise AgentConfigError(
                "claude-code with --sandbox none as root: the Claude Code CLI refuses "
                "--dangerously-skip-permissions with root privileges. Use the default sandbox (bubblewrap runs it "
                "as an unprivileged user), run zebench as another user, or set IS_SANDBOX=1 to state that this "
                "machine is disposable (zebench then passes it to the CLI)"
            )

    async def run(self, task: AgentTask, tools: Toolbox) -> AgentResult:
        result = task.result
        sandbox = tools.sandbox
        assert sandbox is not None
        try:
            self.check_sandbox(sandbox.mode)
            start = launcher(binary(self.settings))
        except AgentConfigError as exc:
            raise AgentError(str(exc)) from None
        argv = [
            *start.argv,
            "-p",
            task.prompt,
            "--output-format",
            "stream-json",
            "--verbose",  # stream-json with -p needs it
            "--max-turns",
            str(int(self.settings.get("max_turns") or DEFAULT_MAX_TURNS)),
            *DEFAULT_ARGS,
        ]
        if task.model:
            argv += ["--model", task.model]
        if task.mcp_servers:  # the run's MCP servers, started by the CLI itself (inside this sandbox)
            argv += ["--mcp-config", claude_mcp_config(task.mcp_servers), "--strict-mcp-config"]
        env = {k: os.environ[k] for k in PASSED_ENV if os.environ.get(k)}
        env.update(QUIET_ENV)
        if os.environ.get(IS_SANDBOX) == "1":
            env[IS_SANDBOX] = "1"
        policy = sandbox.policy("agent").extend(network=True, ro_paths=start.readable, env=env)
        result.messages.append(Message(role="user", content=task.prompt))
        # The scenario timeout bounds the CLI (cancellation kills all of it); no separate limit.
        completed = await sandbox.run(
            argv, policy=policy, timeout=None, head_bytes=MAX_OUTPUT_BYTES, tail_bytes=0, separate_stderr=True
        )
        events = parse_events(completed.output)
        messages, calls = transcript(events)
        result.messages += messages
        for call in calls:
            tools.record_external(call.name, call.input, call.output, is_error=call.is_error)
        if not events:
            raise AgentError(
                f"the Claude Code CLI exited with {completed.exit_code} and printed no JSON:\n"
                f"{completed.stderr[-2000:] or completed.output[-2000:]}"
            )
        summary = summarise(events)
        result.final_text = summary["text"]
        result.turns = summary["turns"]
        result.tokens_in, result.tokens_out = summary["tokens_in"], summary["tokens_out"]
        result.cache_read_tokens, result.cache_write_tokens = summary["cache_read"], summary["cache_write"]
        result.cost_usd = summary["cost"]
        if summary["text"] and not any(m.role == "assistant" for m in messages):
            result.messages.append(Message(role="assistant", content=summary["text"]))
        result.messages.append(_result_message(summary["result"]))
        if summary["subtype"] == "error_max_turns":  # like the other agents: stopping at max turns is not a failure
            result.stop_reason = "max_turns"
            return result
        if summary["is_error"] or completed.exit_code != 0:
            raise AgentError(
                f"Claude Code ended with {summary['subtype'] or 'an error'} "
                f"(exit code {completed.exit_code}): {summary['text'][:2000]}"
            )
        result.stop_reason = "end_turn"
        return result
