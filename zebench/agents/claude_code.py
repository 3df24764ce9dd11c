"""The Claude Code CLI as an agent: ``claude -p PROMPT --output-format json`` run in the workspace.

The binary comes from the ``claude_bin`` setting (``--claude-bin``, env ``ZEBENCH_CLAUDE_BIN``, default
``claude`` on PATH). Its output may be one JSON result object, a JSON array of events, or JSON Lines
(``--output-format stream-json``); the result text, token usage, total cost and the number of tool uses are
read from whichever it is.

The CLI runs in the run's sandbox like any agent command (zebench.sandbox: the workspace, a private HOME, the
allow-listed environment, limits), with the network (it calls the API) and its own installation readable.
Secrets: the CLI needs the Anthropic credentials to work, so ``ANTHROPIC_API_KEY`` (and ``ANTHROPIC_BASE_URL``)
are passed to it, and nothing else that looks like a secret. Commands that Claude Code runs itself inherit its
environment (the key included) and its network: unlike the other agents, whose commands run through zebench's
tools, this is a limit of running a third-party agent.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..models import Message
from ..run.mcp import claude_mcp_config
from . import Agent, AgentConfigError, AgentError, AgentResult, AgentTask, MissingEnvironment
from .llm import DEFAULT_MAX_TURNS

if TYPE_CHECKING:
    from ..run.tools import Toolbox

DEFAULT_ARGS = ("--dangerously-skip-permissions",)
#: Output read from the CLI (a stream-json transcript of a long session can be large).
MAX_OUTPUT_BYTES = 32 * 1024 * 1024
PASSED_ENV = ("ANTHROPIC_API_KEY", "ANTHROPIC_AUTH_TOKEN", "ANTHROPIC_BASE_URL")


def binary(settings: dict[str, Any]) -> str:
    return str(settings.get("claude_bin") or os.environ.get("ZEBENCH_CLAUDE_BIN") or "claude")


def installation(exe: str) -> Path:
    """What of the CLI's installation the sandbox must show: its npm package folder, else the file itself."""
    real = Path(os.path.realpath(exe))
    for parent in real.parents:
        if parent.parent.name == "node_modules" or parent.parent.parent.name == "node_modules":
            if (parent / "package.json").is_file():
                return parent
    return real


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


def summarise(events: list[dict[str, Any]]) -> dict[str, Any]:
    result = next((e for e in reversed(events) if e.get("type") == "result"), None)
    if result is None:
        raise AgentError("the Claude Code CLI printed no result event (is --output-format json supported?)")
    tool_uses = 0
    for event in events:
        content = (event.get("message") or {}).get("content") if event.get("type") == "assistant" else None
        if isinstance(content, list):
            tool_uses += sum(1 for block in content if isinstance(block, dict) and block.get("type") == "tool_use")
    usage = result.get("usage") or {}
    cost = result.get("total_cost_usd", result.get("cost_usd"))
    return {
        "text": result.get("result") or "",
        "is_error": bool(result.get("is_error")) or result.get("subtype", "success") != "success",
        "subtype": result.get("subtype"),
        "turns": int(result.get("num_turns") or 0),
        "tokens_in": int(usage.get("input_tokens") or 0),
        "tokens_out": int(usage.get("output_tokens") or 0),
        "cache_read": int(usage.get("cache_read_input_tokens") or 0),
        "cache_write": int(usage.get("cache_creation_input_tokens") or 0),
        "cost": float(cost) if isinstance(cost, (int, float)) else None,
        "tool_uses": tool_uses if tool_uses else int(result.get("num_tool_uses") or 0),
    }


class ClaudeCodeAgent(Agent):
    name = "claude-code"
    description = "The Claude Code CLI run in the workspace (--claude-bin; needs ANTHROPIC_API_KEY)."
    uses_model = True
    starts_mcp_servers = True

    @classmethod
    def check_settings(cls, settings: dict[str, Any], models: list[str] | None = None) -> None:
        if settings.get("max_cost_usd") is not None:
            raise AgentConfigError("--max-cost-usd cannot be enforced inside the Claude Code CLI; use --max-turns")
        exe = binary(settings)
        if shutil.which(exe) is None:  # a tool of the machine that runs the runs (a Dask worker checks its own)
            raise MissingEnvironment(f"Claude Code CLI not found: {exe!r} (install it or pass --claude-bin PATH)")

    async def run(self, task: AgentTask, tools: Toolbox) -> AgentResult:
        result = task.result
        exe = shutil.which(binary(self.settings)) or binary(self.settings)
        argv = [
            exe,
            "-p",
            task.prompt,
            "--output-format",
            "json",
            "--max-turns",
            str(int(self.settings.get("max_turns") or DEFAULT_MAX_TURNS)),
            *DEFAULT_ARGS,
        ]
        if task.model:
            argv += ["--model", task.model]
        if task.mcp_servers:  # the run's MCP servers, started by the CLI itself (inside this sandbox)
            argv += ["--mcp-config", claude_mcp_config(task.mcp_servers), "--strict-mcp-config"]
        sandbox = tools.sandbox
        assert sandbox is not None
        policy = sandbox.policy("agent").extend(
            network=True,
            ro_paths=[installation(exe)],
            env={k: os.environ[k] for k in PASSED_ENV if os.environ.get(k)},
        )
        result.messages.append(Message(role="user", content=task.prompt))
        # The scenario timeout bounds the CLI (cancellation kills all of it); no separate limit.
        completed = await sandbox.run(
            argv, policy=policy, timeout=None, head_bytes=MAX_OUTPUT_BYTES, tail_bytes=0, separate_stderr=True
        )
        events = parse_events(completed.output)
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
        result.external_tool_calls = summary["tool_uses"]
        result.messages += [
            Message(role=e.get("type", "event"), content=e) for e in events if e.get("type") != "result"
        ]
        result.messages.append(Message(role="assistant", content=summary["text"]))
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
