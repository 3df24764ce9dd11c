"""Specialist templates (the original project's JSON5 format) and MCP server declarations.

A specialist wraps an agent in a persona and prompts and brings MCP servers (``dependencies.mcps``). The template
format is the original's (docs/SPECIALIST_TEMPLATE_INTERFACE.md of ze-benchmarks): zebench reads the keys it uses
(``name``, ``version``, ``displayName``, ``persona``, ``capabilities``, ``prompts``, ``dependencies.mcps``,
``documentation``) and keeps every other key as given. An MCP entry has the original's keys (``name``,
``version``, ``required``, ``description``, ``permissions``, ``allowed_tools``) and zebench's own (``command``,
``args``, ``env``, ``url``, ``headers``, ``network``): see docs/agents.md.
"""

from __future__ import annotations

import re
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

#: MCP tool names the model APIs accept (Anthropic and OpenAI tools: letters, digits, _ and -, at most 64).
TOOL_NAME_RE = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
#: ``${NAME}`` references in an MCP entry's env values, headers, command and args.
VARIABLE_RE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")


class McpServerSpec(BaseModel):
    """One MCP server of a specialist (``dependencies.mcps``) or of a scenario (``mcps``).

    A ``name`` alone is resolved as the original harness did (``filesystem``, ``github``, ``figma``, else
    ``npx -y NAME``); ``command``/``args`` start any stdio server, ``url`` reaches a streamable HTTP server.
    """

    model_config = ConfigDict(extra="ignore", populate_by_name=True)

    name: str = Field(min_length=1)
    #: The original's version constraint (informational: the name table starts the newest).
    version: str | None = None
    #: A required server that does not start fails the run (infrastructure); an optional one is left out.
    required: bool = False
    description: str | None = None
    #: The original's permissions (read, write, execute): informational.
    permissions: list[str] = Field(default_factory=list)
    #: Only these tools of the server are offered (all when absent).
    allowed_tools: list[str] | None = None
    #: zebench: the stdio server's executable and arguments (``${WORKSPACE}``, ``${SCENARIO_DIR}`` and
    #: ``${SPECIALIST_DIR}`` are replaced by those folders).
    command: str | None = None
    args: list[str] = Field(default_factory=list)
    #: zebench: what the server's environment holds besides the sandbox's allow-list: a list of host variable
    #: names passed through, or NAME -> value where ``${VAR}`` takes a host variable. Values from the host are
    #: redacted everywhere zebench stores or shows text.
    env: list[str] | dict[str, str] = Field(default_factory=list)
    #: zebench: a streamable HTTP server (reached by zebench itself, outside the sandbox).
    url: str | None = None
    #: zebench: HTTP headers for ``url`` (``${VAR}`` takes a host variable, redacted).
    headers: dict[str, str] = Field(default_factory=dict)
    #: zebench: give the stdio server the network (default: what the name table says, else no network).
    network: bool | None = None
    #: The original's transport key; ``sse`` is not supported (no server of the original used it).
    transport: Literal["stdio", "http", "streamable-http", "streamable_http"] | None = None

    @field_validator("env", mode="before")
    @classmethod
    def _env_names(cls, value: Any) -> Any:
        if isinstance(value, list):
            for item in value:
                if not isinstance(item, str) or not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", item):
                    raise ValueError(f"env: {item!r} is not an environment variable name")
        return value

    @model_validator(mode="after")
    def _one_transport(self) -> McpServerSpec:
        if self.url is not None and self.command is not None:
            raise ValueError(f"MCP server {self.name!r}: give command (stdio) or url (HTTP), not both")
        if self.url is not None and not re.match(r"^https?://", self.url):
            raise ValueError(f"MCP server {self.name!r}: url must start with http:// or https://")
        if self.transport in ("http", "streamable-http", "streamable_http") and self.url is None:
            raise ValueError(f"MCP server {self.name!r}: transport {self.transport} needs a url")
        return self

    @property
    def is_http(self) -> bool:
        return self.url is not None


class Persona(BaseModel):
    model_config = ConfigDict(extra="allow")

    purpose: str | None = None
    values: list[str] = Field(default_factory=list)
    attributes: list[str] = Field(default_factory=list)
    tech_stack: list[str] = Field(default_factory=list)


class Dependencies(BaseModel):
    model_config = ConfigDict(extra="allow")

    mcps: list[McpServerSpec] = Field(default_factory=list)
    available_tools: list[str] = Field(default_factory=list)


class SpecialistTemplate(BaseModel):
    """A template after its ``from`` chain is merged: the keys zebench reads, every other key kept."""

    model_config = ConfigDict(extra="allow", populate_by_name=True)

    schema_version: str | None = None
    name: str = Field(min_length=1)
    displayName: str | None = None
    version: str = Field(min_length=1)
    persona: Persona = Field(default_factory=Persona)
    capabilities: dict[str, Any] = Field(default_factory=dict)
    dependencies: Dependencies = Field(default_factory=Dependencies)
    #: ``default`` (spawnerPrompt, systemPrompt, contextPrompt), ``model_specific``, task types ...
    prompts: dict[str, Any] = Field(default_factory=dict)
    documentation: list[dict[str, Any]] = Field(default_factory=list)
    preferred_models: list[dict[str, Any]] = Field(default_factory=list)

    @field_validator("version", "name", "schema_version", mode="before")
    @classmethod
    def _text(cls, value: Any) -> Any:
        # JSON5 lets a version be written as a number (1.0); the original compares them as strings
        return str(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else value


class Specialist(BaseModel):
    """A loaded specialist, as a run gets it: small, self-contained (it travels with the batch to other machines
    and is stored in the batch's plan, so ``--resume`` uses the template the batch started with)."""

    model_config = ConfigDict(extra="forbid")

    name: str
    version: str
    display_name: str | None = None
    #: The template file given (the first of its ``from`` chain).
    path: str
    #: Folder of that file (``${SPECIALIST_DIR}`` in MCP entries).
    dir: str
    #: sha256 of the merged template (what the run used, whatever the files say later).
    sha256: str
    #: The merged template (``from`` resolved and removed).
    template: dict[str, Any]

    @property
    def label(self) -> str:
        """``name@version``: how the specialist is named in a run's configuration and a batch's matrix."""
        return f"{self.name}@{self.version}"

    @property
    def parsed(self) -> SpecialistTemplate:
        return SpecialistTemplate.model_validate(self.template)

    @property
    def mcps(self) -> list[McpServerSpec]:
        return self.parsed.dependencies.mcps
