"""What the model-backed agents share: settings, the system prompt, tool dispatch, token and cost metering."""

from __future__ import annotations

import asyncio
import os
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..prices import price_table
from ..run.tools import READ_ONLY_TOOLS, TRANSCRIPT_OUTPUT_LIMIT, ToolOutcome
from . import AgentConfigError, AgentError, AgentResult, AgentTask, MissingEnvironment

if TYPE_CHECKING:
    from ..run.tools import Toolbox

SYSTEM_PROMPT = """\
You are an expert software engineer working on the repository in your workspace. Complete the user's task by \
reading and changing files with the tools you have: readFile, writeFile, listFiles, runCommand and askUser. \
Paths are relative to the repository root. Run the project's tests or checks when that helps you verify your \
work. Do not weaken, skip or delete tests to make them pass. When you are done, reply with a short summary of \
what you changed, without calling a tool."""


def system_prompt(task: AgentTask, tools: Toolbox) -> str:
    """What the model-backed agents send as the system prompt: a specialist's prompt first (the original sent it
    as the system message and the user's prompt unchanged), then zebench's instructions, which name the MCP
    servers' tools when the run has some."""
    text = SYSTEM_PROMPT
    if tools.mcp is not None and tools.mcp.tools:
        text += (
            " You also have the tools of MCP servers ("
            + ", ".join(sorted({t.server for t in tools.mcp.tools.values()}))
            + "): "
            + ", ".join(tools.mcp.tools)
            + "."
        )
    return f"{task.system_prompt}\n\n{text}" if task.system_prompt else text


DEFAULT_MAX_TURNS = 50
DEFAULT_MAX_TOKENS = 8192
#: Retries of 429, 529, 5xx and connection errors, with the SDK's exponential backoff (and retry-after).
DEFAULT_MAX_RETRIES = 4


@dataclass
class LLMSettings:
    max_turns: int = DEFAULT_MAX_TURNS
    max_tokens: int = DEFAULT_MAX_TOKENS
    max_cost_usd: float | None = None
    temperature: float | None = None
    max_retries: int = DEFAULT_MAX_RETRIES

    @classmethod
    def from_settings(cls, settings: dict[str, Any], default_temperature: float | None = None) -> LLMSettings:
        out = cls(
            max_turns=int(settings.get("max_turns") or DEFAULT_MAX_TURNS),
            max_tokens=int(settings.get("max_tokens") or DEFAULT_MAX_TOKENS),
            max_cost_usd=float(settings["max_cost_usd"]) if settings.get("max_cost_usd") is not None else None,
            temperature=(
                float(settings["temperature"]) if settings.get("temperature") is not None else default_temperature
            ),
            max_retries=int(settings.get("max_retries", DEFAULT_MAX_RETRIES)),
        )
        if out.max_turns < 1 or out.max_tokens < 1:
            raise AgentConfigError("--max-turns and --max-tokens must be at least 1")
        return out


_clients: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[tuple[str, int], Any]] = weakref.WeakKeyDictionary()


def shared_client(kind: str, max_retries: int, factory: Callable[[], Any]) -> Any:
    """One SDK client per event loop and kind: creating one costs ~20 ms (TLS context), a batch makes thousands
    of calls, and connection pooling pays off too. Clients are bound to their loop, hence the key."""
    per_loop = _clients.setdefault(asyncio.get_running_loop(), {})
    key = (kind, max_retries)
    if key not in per_loop:
        per_loop[key] = factory()
    return per_loop[key]


def provider_error(provider: str, exc: Exception, sdk: Any) -> AgentError:
    """Map an SDK exception (raised after the SDK's own retries) to a failure category. ``sdk`` is the
    anthropic or openai module: both name their exceptions alike."""
    status = getattr(exc, "status_code", None)
    if isinstance(exc, sdk.RateLimitError) or status == 429:
        return AgentError(f"rate limited by {provider} after retries: {exc}", "rate_limited")
    if isinstance(exc, (sdk.APIConnectionError, sdk.APITimeoutError)) or (status or 0) >= 500:
        return AgentError(f"{provider} unavailable after retries ({status or 'no response'}): {exc}", "infrastructure")
    return AgentError(f"{provider} API error {status}: {exc}")


def require_env(*names: str) -> None:
    if not any(os.environ.get(n) for n in names):
        raise MissingEnvironment(f"set {' or '.join(names)} in the environment (it is never stored or logged)")


def check_budget_models(settings: dict[str, Any], models: list[str] | None) -> None:
    """--max-cost-usd can only be enforced for models with a known price."""
    if settings.get("max_cost_usd") is None:
        return
    unknown = [m for m in models or [] if price_table().lookup(m) is None]
    if unknown:
        raise AgentConfigError(
            f"--max-cost-usd needs a known price, and the price table has none for: {', '.join(unknown)} "
            "(add it to the table or set ZEBENCH_PRICES)"
        )


class Meter:
    """Accumulates usage and cost into an AgentResult; cost stays None when the model has no price."""

    def __init__(self, result: AgentResult, model: str | None):
        self.result = result
        self.price = price_table().lookup(model)
        result.cost_usd = 0.0 if self.price is not None else None

    def add(
        self,
        tokens_in: int,
        tokens_out: int,
        cache_read: int = 0,
        cache_write: int = 0,
        reported_cost: float | None = None,
    ) -> None:
        r = self.result
        r.tokens_in += tokens_in
        r.tokens_out += tokens_out
        r.cache_read_tokens += cache_read
        r.cache_write_tokens += cache_write
        if reported_cost is not None:  # the provider said what the call cost (OpenRouter)
            r.cost_usd = (r.cost_usd or 0.0) + reported_cost
        elif self.price is not None:
            r.cost_usd = (r.cost_usd or 0.0) + self.price.cost(tokens_in, tokens_out, cache_read, cache_write)
        else:
            r.cost_usd = None

    def over_budget(self, limit: float | None) -> bool:
        return limit is not None and self.result.cost_usd is not None and self.result.cost_usd > limit


async def run_tool_calls(toolbox: Toolbox, calls: list[tuple[str, dict[str, Any] | None]]) -> list[ToolOutcome]:
    """Run a model's tool calls: consecutive read-only calls concurrently, any other call alone, in order."""
    outcomes: list[ToolOutcome] = []
    i = 0
    while i < len(calls):
        j = i
        while j < len(calls) and calls[j][0] in READ_ONLY_TOOLS:
            j += 1
        if j > i:
            outcomes += await asyncio.gather(*(toolbox.call(name, args) for name, args in calls[i:j]))
            i = j
        else:
            name, args = calls[i]
            outcomes.append(await toolbox.call(name, args))
            i += 1
    return outcomes


def clip(text: str, limit: int = TRANSCRIPT_OUTPUT_LIMIT) -> str:
    """Tool output as kept in the stored transcript (the model itself saw all of it)."""
    return text if len(text) <= limit else text[:limit] + f"\n... [{len(text) - limit} characters not stored]"
