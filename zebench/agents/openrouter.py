"""Any model on OpenRouter through its OpenAI-compatible chat-completions API, with the same tool loop.

Client library: the official ``openai`` SDK. OpenRouter implements the chat-completions API, and the SDK is the
best-kept client for it: typed errors, retries with exponential backoff on 429/5xx, async, base URL
configurable. ``OPENROUTER_API_KEY`` authenticates; ``OPENROUTER_BASE_URL`` overrides the endpoint. Each tool
is sent with its full JSON schema (the original project stripped them). When OpenRouter reports the cost of a
call (``usage.cost``) that figure is used; otherwise the price table is.
"""

from __future__ import annotations

import json
import os
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

DEFAULT_BASE_URL = "https://openrouter.ai/api/v1"
DEFAULT_TEMPERATURE = 0.1


def openai_tools(tools: Toolbox) -> list[dict[str, Any]]:
    """The run's tools (workspace and MCP) as chat-completions functions."""
    return [
        {
            "type": "function",
            "function": {"name": t["name"], "description": t["description"], "parameters": t["input_schema"]},
        }
        for t in tools.schemas()
    ]


def client_from_env(max_retries: int) -> Any:
    """The loop's shared OpenRouter client (see llm.shared_client)."""
    import openai

    return shared_client(
        "openrouter",
        max_retries,
        lambda: openai.AsyncOpenAI(
            api_key=os.environ.get("OPENROUTER_API_KEY"),
            base_url=os.environ.get("OPENROUTER_BASE_URL") or DEFAULT_BASE_URL,
            max_retries=max_retries,
        ),
    )


def api_error(exc: Exception) -> AgentError:
    import openai

    return provider_error("OpenRouter", exc, openai)


def usage_numbers(usage: Any) -> tuple[int, int, int, float | None]:
    """prompt tokens (without cached), completion tokens, cached tokens, reported cost."""
    if usage is None:
        return 0, 0, 0, None
    data = usage.model_dump() if hasattr(usage, "model_dump") else dict(usage)
    cached = int(((data.get("prompt_tokens_details") or {}).get("cached_tokens")) or 0)
    cost = data.get("cost")
    return (
        int(data.get("prompt_tokens") or 0) - cached,
        int(data.get("completion_tokens") or 0),
        cached,
        float(cost) if isinstance(cost, (int, float)) else None,
    )


class OpenRouterAgent(Agent):
    name = "openrouter"
    description = "Any model via OpenRouter's chat-completions API (OPENROUTER_API_KEY, OPENROUTER_BASE_URL)."
    uses_model = True
    requires_model = True

    @classmethod
    def check_settings(cls, settings: dict[str, Any], models: list[str] | None = None) -> None:
        require_env("OPENROUTER_API_KEY")
        LLMSettings.from_settings(settings)
        check_budget_models(settings, models)

    async def run(self, task: AgentTask, tools: Toolbox) -> AgentResult:
        import openai

        settings = LLMSettings.from_settings(self.settings, default_temperature=DEFAULT_TEMPERATURE)
        result = task.result
        meter = Meter(result, task.model)
        client = client_from_env(settings.max_retries)
        tool_defs = openai_tools(tools)
        messages: list[dict[str, Any]] = [
            {"role": "system", "content": system_prompt(task, tools)},
            {"role": "user", "content": task.prompt},
        ]
        result.messages.append(Message(role="user", content=task.prompt))
        result.stop_reason = "max_turns"
        for _ in range(settings.max_turns):
            try:
                response = await client.chat.completions.create(
                    model=task.model or "",
                    messages=messages,
                    tools=tool_defs,
                    max_tokens=settings.max_tokens,
                    temperature=settings.temperature,
                    extra_body={"usage": {"include": True}},
                )
            except openai.APIError as exc:
                raise api_error(exc) from None
            result.turns += 1
            tokens_in, tokens_out, cached, cost = usage_numbers(response.usage)
            meter.add(tokens_in, tokens_out, cached, 0, reported_cost=cost)
            if not response.choices:
                raise AgentError("OpenRouter returned no choices", "infrastructure")
            choice = response.choices[0]
            message = choice.message.model_dump(mode="json", exclude_none=True)
            message.setdefault("content", None)
            messages.append(message)
            result.messages.append(Message(role="assistant", content=message))
            if message.get("content"):
                result.final_text = message["content"]
            calls = message.get("tool_calls") or []
            if meter.over_budget(settings.max_cost_usd):
                result.stop_reason = "budget_exceeded"
                break
            if not calls:
                result.stop_reason = choice.finish_reason or "stop"
                break
            parsed: list[tuple[str, dict[str, Any] | None]] = []
            for call in calls:
                try:
                    args = json.loads(call["function"].get("arguments") or "{}")
                except json.JSONDecodeError:
                    args = None
                parsed.append((call["function"]["name"], args))
            # Arguments that are not JSON reach the toolbox as None: it answers with an error the model sees.
            outcomes = await run_tool_calls(tools, parsed)
            for call, outcome in zip(calls, outcomes, strict=True):
                tool_message = {"role": "tool", "tool_call_id": call["id"], "content": outcome.output}
                messages.append(tool_message)
                result.messages.append(
                    Message(
                        role="tool",
                        content={**tool_message, "content": clip(outcome.output), "isError": outcome.is_error},
                    )
                )
        return result
