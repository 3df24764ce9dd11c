"""Claude through the anthropic SDK: a tool-use loop on the async client.

The model comes from the run (``--model``), never from a process-wide variable. The SDK reads
``ANTHROPIC_API_KEY`` and ``ANTHROPIC_BASE_URL`` and retries 429/529/5xx with exponential backoff; a run whose
calls still fail is stored as ``rate_limited`` or ``infrastructure``. The system prompt and the tool
definitions carry cache_control, so turns after the first read them from the prompt cache.

Why not the SDK's beta tool runner: the harness needs, per call, the transcript entry, concurrency only for
read-only tools, cancellation by the scenario timeout and a cost cap checked after every response; a plain loop
gives all four in a few lines.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..models import Message
from . import Agent, AgentError, AgentResult, AgentTask
from .llm import (
    LLMSettings,
    Meter,
    check_budget_models,
    clip,
    provider_error,
    require_env,
    run_tool_calls,
    shared_client,
    system_prompt,
)

if TYPE_CHECKING:
    from ..run.tools import Toolbox


def api_error(exc: Exception) -> AgentError:
    import anthropic

    return provider_error("the Anthropic API", exc, anthropic)


def cached_tools(tools: Toolbox) -> list[dict[str, Any]]:
    """The run's tools (workspace and MCP), the last one marking the end of the cached prefix."""
    schemas = tools.schemas()
    schemas[-1] = {**schemas[-1], "cache_control": {"type": "ephemeral"}}
    return schemas


class AnthropicAgent(Agent):
    name = "anthropic"
    description = "Claude via the anthropic SDK (ANTHROPIC_API_KEY; ANTHROPIC_BASE_URL honoured)."
    uses_model = True
    requires_model = True

    @classmethod
    def check_settings(cls, settings: dict[str, Any], models: list[str] | None = None) -> None:
        require_env("ANTHROPIC_API_KEY", "ANTHROPIC_AUTH_TOKEN")
        LLMSettings.from_settings(settings)
        check_budget_models(settings, models)

    async def run(self, task: AgentTask, tools: Toolbox) -> AgentResult:
        import anthropic

        settings = LLMSettings.from_settings(self.settings)
        result = task.result
        meter = Meter(result, task.model)
        client = shared_client(
            "anthropic", settings.max_retries, lambda: anthropic.AsyncAnthropic(max_retries=settings.max_retries)
        )
        system = [{"type": "text", "text": system_prompt(task, tools), "cache_control": {"type": "ephemeral"}}]
        tool_defs = cached_tools(tools)
        messages: list[dict[str, Any]] = [{"role": "user", "content": task.prompt}]
        result.messages.append(Message(role="user", content=task.prompt))
        # temperature through extra_body: recent SDKs dropped the keyword, the API still takes the field
        extra = {"extra_body": {"temperature": settings.temperature}} if settings.temperature is not None else {}
        result.stop_reason = "max_turns"
        for _ in range(settings.max_turns):
            try:
                response = await client.messages.create(
                    model=task.model or "",
                    max_tokens=settings.max_tokens,
                    system=system,
                    tools=tool_defs,
                    messages=messages,
                    **extra,
                )
            except anthropic.APIError as exc:
                raise api_error(exc) from None
            result.turns += 1
            u = response.usage
            meter.add(
                u.input_tokens, u.output_tokens, u.cache_read_input_tokens or 0, u.cache_creation_input_tokens or 0
            )
            blocks = [b.model_dump(mode="json", exclude_none=True) for b in response.content]
            messages.append({"role": "assistant", "content": blocks})
            result.messages.append(Message(role="assistant", content=blocks))
            text = "\n".join(b["text"] for b in blocks if b.get("type") == "text")
            if text:
                result.final_text = text
            calls = [b for b in blocks if b.get("type") == "tool_use"]
            if meter.over_budget(settings.max_cost_usd):
                result.stop_reason = "budget_exceeded"
                break
            if response.stop_reason != "tool_use" or not calls:
                result.stop_reason = response.stop_reason or "end_turn"
                break
            outcomes = await run_tool_calls(tools, [(c["name"], c.get("input")) for c in calls])
            results = [
                {"type": "tool_result", "tool_use_id": c["id"], "content": o.output, "is_error": o.is_error}
                for c, o in zip(calls, outcomes, strict=True)
            ]
            messages.append({"role": "user", "content": results})
            result.messages.append(
                Message(role="user", content=[{**r, "content": clip(r["content"])} for r in results])
            )
        return result
