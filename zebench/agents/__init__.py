"""Agents: one small protocol, one module per adapter, registered through the ``zebench.agents`` entry point.

An agent gets the task (prompt, scenario, model, workspace, settings) and a ``Toolbox`` bound to the workspace,
and returns what it said and what it used. It changes the workspace only through the toolbox, so the harness
records every tool call in the transcript.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from .. import plugins
from ..models import Message

if TYPE_CHECKING:
    from ..catalog import Scenario
    from ..run.mcp import ResolvedServer
    from ..run.tools import Toolbox

ENTRY_POINT_GROUP = plugins.AGENTS


class AgentError(Exception):
    """The agent could not do its work.

    ``category`` is the stored failure category: ``agent`` (the default), ``rate_limited`` (the provider kept
    refusing after retries) or ``infrastructure`` (overload, 5xx, network).
    """

    def __init__(self, message: str, category: str = "agent"):
        super().__init__(message)
        self.category = category


class AgentConfigError(ValueError):
    """Bad agent settings, caught before a batch starts."""


class MissingEnvironment(AgentConfigError):
    """An environment variable the agent needs (an API key) is not set. Where runs happen on other machines
    (``--executor dask``), it is checked there, not on the machine that starts the batch."""


@dataclass
class AgentResult:
    """What an agent did. Agents fill ``task.result`` as they go, so a run that fails, times out or is
    cancelled half way still has its tokens, cost and messages."""

    final_text: str = ""
    tokens_in: int = 0
    tokens_out: int = 0
    cache_read_tokens: int = 0
    cache_write_tokens: int = 0
    #: None = unknown (never a silent 0 for a paid model); offline agents cost exactly 0.
    cost_usd: float | None = 0.0
    messages: list[Message] = field(default_factory=list)
    #: Tool calls made outside the toolbox and not recorded in it (an agent that can record them, as the Claude
    #: Code CLI's are, uses Toolbox.record_external instead, so that the transcript has them).
    external_tool_calls: int = 0
    #: end_turn, max_turns, budget_exceeded, ...
    stop_reason: str = "end_turn"
    turns: int = 0


@dataclass
class AgentTask:
    prompt: str
    scenario: Scenario
    tier: str
    model: str | None
    workspace: Path
    settings: dict[str, Any] = field(default_factory=dict)
    result: AgentResult = field(default_factory=AgentResult)
    #: The specialist's system prompt (zebench.run.specialist), when the run has a specialist.
    system_prompt: str | None = None
    #: The run's MCP servers, for an agent that starts them itself (``Agent.starts_mcp_servers``); the others get
    #: them started by zebench and reach their tools through the Toolbox.
    mcp_servers: list[ResolvedServer] = field(default_factory=list)


class Agent(ABC):
    """Base class of every agent adapter."""

    #: Registered name (the entry point's name is what users type; this is for messages).
    name: ClassVar[str]
    #: Whether --model applies. Agents that ignore models run once per batch entry, not once per model.
    uses_model: ClassVar[bool] = False
    #: Whether a run without --model is an error.
    requires_model: ClassVar[bool] = False
    description: ClassVar[str] = ""
    #: Settings that name a file the agent reads when a run starts (``replay_file``). Executors that run runs on
    #: other machines ship the file's content with the batch and point the setting at the copy there.
    file_settings: ClassVar[tuple[str, ...]] = ()
    #: The agent starts the run's MCP servers itself from ``task.mcp_servers`` (a CLI with its own MCP client, such
    #: as Claude Code) instead of zebench starting them and offering their tools through the Toolbox.
    starts_mcp_servers: ClassVar[bool] = False

    def __init__(self, settings: dict[str, Any] | None = None):
        self.settings = dict(settings or {})

    @classmethod  # noqa: B027  (an optional hook, not abstract: by default every setting is accepted)
    def check_settings(cls, settings: dict[str, Any], models: list[str] | None = None) -> None:
        """Raise AgentConfigError for settings this agent cannot use. Called once, before any run starts."""

    @classmethod  # noqa: B027  (an optional hook, like check_settings)
    def check_sandbox(cls, mode: str) -> None:
        """Raise AgentConfigError when this agent cannot run in the sandbox ``mode`` (bwrap or none) here. Called
        before a local batch starts, once the mode is resolved."""

    @abstractmethod
    async def run(self, task: AgentTask, tools: Toolbox) -> AgentResult: ...


def register_agent(name: str, cls: type[Agent]) -> None:
    """Register an agent class in this process (for scripts and tests; packages use the entry point)."""
    plugins.register(plugins.AGENTS, name, cls, Agent)


def registered_agents() -> dict[str, type[Agent]]:
    """The agents registered in this process with ``register_agent`` (not those of entry points)."""
    return plugins.registered(plugins.AGENTS, Agent)


def available_agents() -> list[str]:
    return plugins.names(plugins.AGENTS)


def agent_class(name: str) -> type[Agent]:
    """The agent registered as ``name`` (zebench.plugins); AgentConfigError when unknown or broken."""
    try:
        return plugins.load(plugins.AGENTS, name, Agent)
    except plugins.PluginError as exc:
        raise AgentConfigError(str(exc)) from None
