"""The scenario spec (``scenario.yaml``, ``suite.yaml`` policies): snake_case keys as in the original project,
unknown keys reported (the catalog names each one) so that a typo is an error instead of a silently ignored
setting."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from .specialist import McpServerSpec

TIER_FILE_RE = re.compile(r"^(L\d+|Lx)(-.*)?\.md$")
KEBAB_RE = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")


# --------------------------------------------------------------------------------------------------------------
# Scenario spec (scenario.yaml)
# --------------------------------------------------------------------------------------------------------------


class SpecModel(BaseModel):
    """Base of the scenario-file models. Keys a model does not declare are dropped here; the catalog reports each
    one as a warning naming the file, the key and the nearest known key (``zebench list --strict``: an error).
    The original project ignored unknown keys silently, so its real files carry keys we must not refuse."""

    model_config = ConfigDict(extra="ignore", populate_by_name=True)


class WorkspaceSpec(SpecModel):
    required: bool = True
    node: str | None = None
    manager: str | None = None
    managers_allowed: list[str] = Field(default_factory=list)
    workspaces: list[str] | str | None = None


class BlocklistEntry(SpecModel):
    name: str
    reason: str | None = None
    #: PEP 440 specifier (or npm range) of the forbidden versions; absent = the package is forbidden outright.
    versions: str | None = None


class NamespaceMigration(SpecModel):
    from_: str = Field(alias="from")
    to: str


class CompanionRule(SpecModel):
    name: str
    #: ``same-major``, ``same-minor``, ``same-version`` (the original's "major must match", "minor must match",
    #: "version must match") or a version specifier the companion must satisfy.
    rule: str


class CompanionVersions(SpecModel):
    main: str
    companions: list[CompanionRule] = Field(default_factory=list)


class Constraints(SpecModel):
    managers_allowed: list[str] = Field(default_factory=list)
    blocklist: list[BlocklistEntry] = Field(default_factory=list)
    namespace_migrations: list[NamespaceMigration] = Field(default_factory=list)
    companion_versions: list[CompanionVersions] = Field(default_factory=list)


class DependencyTarget(SpecModel):
    name: str
    #: Version range the upgraded dependency must satisfy (PEP 440 specifier, or an npm range for package.json).
    to: str


class Targets(SpecModel):
    required: list[DependencyTarget] = Field(default_factory=list)
    optional: list[DependencyTarget] = Field(default_factory=list)


VALIDATION_KINDS = ("install", "test", "lint", "typecheck", "build")
ValidationKind = Literal["install", "test", "lint", "typecheck", "build"]


class ValidationCommands(SpecModel):
    install: str | None = None
    test: str | None = None
    lint: str | None = None
    typecheck: str | None = None
    build: str | None = None

    def items(self) -> list[tuple[str, str]]:
        return [(kind, cmd) for kind in VALIDATION_KINDS if (cmd := getattr(self, kind))]


class ValidationSpec(SpecModel):
    #: The original uses a flag here; a list of command kinds is also accepted. Informational.
    required: bool | list[str] | None = None
    commands: ValidationCommands = Field(default_factory=ValidationCommands)
    #: Per-command time limit; the scenario timeout still bounds the whole run.
    timeout_seconds: float = Field(default=600, gt=0)


class OracleSpec(SpecModel):
    answers_file: str = "oracle-answers.json"


class BaselineCommand(SpecModel):
    """One command of ``baseline.run``: it establishes the untouched fixture's state (e.g. which tests already
    fail), so that a command passing before the agent and failing after it is flagged as a regression."""

    cmd: str = Field(min_length=1)
    #: Time limit of this command in seconds (default: validation.timeout_seconds).
    timeout_seconds: float | None = Field(default=None, gt=0)

    @model_validator(mode="before")
    @classmethod
    def _plain_string(cls, data: Any) -> Any:
        return {"cmd": data} if isinstance(data, str) else data


class BaselineSpec(SpecModel):
    #: Run on a fresh copy of the fixture once per scenario and batch; every run of the batch reuses the results.
    run: list[BaselineCommand] = Field(default_factory=list)


class ArtifactSpec(BaseModel):
    """What an artifact scenario (no code workspace) is about, e.g. ``type: figma`` with ``figma_file_id``.

    Fields beyond ``type`` depend on the artifact type and are kept as given (no unknown-key warnings): they are
    added to the prompt under "Artifact Information" and are the ``${artifact.<field>}`` variables of
    heuristic script arguments."""

    model_config = ConfigDict(extra="allow")

    type: str = Field(min_length=1)

    def fields(self) -> dict[str, Any]:
        return {"type": self.type, **(self.model_extra or {})}


class CommandCheck(SpecModel):
    name: str
    command: str
    weight: float = Field(default=1, ge=0)
    description: str | None = None


class FileCheck(SpecModel):
    name: str
    path: str
    weight: float = Field(default=1, ge=0)
    description: str | None = None
    #: Require that the file does NOT exist.
    absent: bool = False


class PatternCheck(SpecModel):
    name: str
    #: Glob relative to the workspace, ``**`` allowed.
    file: str
    #: Python regular expression, searched with MULTILINE.
    pattern: str
    weight: float = Field(default=1, ge=0)
    description: str | None = None
    #: Pass only if no matching file matches the pattern.
    absent: bool = False

    @field_validator("pattern")
    @classmethod
    def _compiles(cls, value: str) -> str:
        try:
            re.compile(value)
        except re.error as exc:
            raise ValueError(f"invalid regular expression: {exc}") from None
        return value


class StructuredCheck(SpecModel):
    name: str
    file: str
    json_path: str | None = None
    section_header: str | None = None
    exists: bool = True
    weight: float = Field(default=1, ge=0)
    description: str | None = None

    @model_validator(mode="after")
    def _one_selector(self) -> StructuredCheck:
        if (self.json_path is None) == (self.section_header is None):
            raise ValueError("give exactly one of json_path or section_header")
        return self


class ScriptCheck(SpecModel):
    name: str
    #: Path relative to the scenario folder; ``.py`` scripts run with the harness's Python.
    script: str
    args: list[str] = Field(default_factory=list)
    weight: float = Field(default=1, ge=0)
    description: str | None = None


class HeuristicChecks(SpecModel):
    enabled: bool = True
    commands: list[CommandCheck] = Field(default_factory=list)
    files: list[FileCheck] = Field(default_factory=list)
    patterns: list[PatternCheck] = Field(default_factory=list)
    structured: list[StructuredCheck] = Field(default_factory=list)
    scripts: list[ScriptCheck] = Field(default_factory=list)

    def count(self) -> int:
        return len(self.commands) + len(self.files) + len(self.patterns) + len(self.structured) + len(self.scripts)


class LLMJudgeSpec(SpecModel):
    enabled: bool = False
    model: str | None = None
    temperature: float | None = Field(default=None, ge=0, le=2)
    max_tokens: int | None = Field(default=None, gt=0)
    #: "Name (Weight: 30%): what to judge, Score 1-5 ..."
    categories: list[str] = Field(default_factory=list)


#: The original project's names of the evaluators it once had, and zebench's evaluator for each
#: (``rubric_overrides.weights`` of its scenario files name them): the same measure under another name.
ORIGINAL_EVALUATOR_NAMES = {
    "install_success": "install",
    "tests_nonregression": "test",
    "manager_correctness": "package_manager",
}


@dataclass(frozen=True)
class OriginalMetric:
    """A metric of the original's rubric (its PRD; ``rubric_overrides.weights`` of its real scenario files) that
    no zebench evaluator is named after, and what zebench scores it with."""

    #: What the original measured (its PRD's rubric; the evaluator it had, if any).
    measured: str
    #: The zebench evaluator whose score stands for it: its weight adds to that evaluator's. None: not scored.
    evaluator: str | None
    #: For the judge: the metric counts only when one of the scenario's judge categories is named with one of
    #: these words (the judge scores its categories, nothing else).
    category_words: tuple[str, ...] = ()
    #: How zebench scores it, or why it cannot.
    how: str = ""

    def judged_by(self, categories: list[str]) -> str | None:
        """The first judge category (``"Name (30%): ..."``) named with one of category_words, by its name."""
        for line in categories:
            name = re.split(r"[(:]", line, maxsplit=1)[0].strip()
            if any(word in name.lower() for word in self.category_words):
                return name
        return None


#: The rest of the original's rubric names (docs/scoring.md#the-original-projects-rubric-weights): scoring.weights_for
#: adds each one's weight to the evaluator that measures it.
ORIGINAL_METRICS: dict[str, OriginalMetric] = {
    "used_manager_commands": OriginalMetric(
        "use of the package manager's built-ins (audit, outdated, update, dedupe) rather than hand edits; never "
        "implemented",
        "llm_judge",
        ("manager",),
        "judged by the LLM judge through a category named for the package manager (nx-pnpm-monorepo's "
        "'Package Manager Correctness'); which commands an agent ran is its own account, not evidence",
    ),
    "semantic_upgrade_quality": OriginalMetric(
        "upgrade strategy (semver compliance, lockfile consistency); planned as an LLM evaluator of strategy and risk",
        "llm_judge",
        ("upgrade", "update"),
        "judged by the LLM judge through a category named for the upgrade or update; the targets themselves "
        "are dependency_targets",
    ),
    "companion_alignment": OriginalMetric(
        "companion packages aligned (node and @types/node, react and @types/react: majors match); its "
        "CompanionAlignmentEvaluator (2025)",
        "dependency_constraints",
        how="the companion_versions rules of dependency_constraints",
    ),
    "deprecated_handling": OriginalMetric(
        "deprecated packages replaced with maintained forks or alternatives; never implemented",
        "dependency_constraints",
        how="the replacements the scenario declares (constraints.namespace_migrations, blocklist) in "
        "dependency_constraints; which packages are deprecated is not looked up (the registry at scoring time "
        "would make a run's score change when a package is deprecated later)",
    ),
    "namespace_migrations": OriginalMetric(
        "renamed packages migrated (xterm to @xterm/xterm): the old name gone from the manifests, the new one "
        "declared, no import of the old one in changed files; its NamespaceMigrationEvaluator (2025)",
        "dependency_constraints",
        how="the namespace_migrations rules of dependency_constraints (manifests); imports of the old name are "
        "left to the scenario's tests and heuristic checks",
    ),
    "breaking_changes_strategy": OriginalMetric(
        "breaking changes handled: codemods applied, imports fixed, tests kept passing; never implemented",
        "llm_judge",
        ("breaking",),
        "judged by the LLM judge through a category named for breaking changes; tests kept passing is the "
        "test evaluator (tests_nonregression)",
    ),
    "monorepo_handling": OriginalMetric(
        "monorepo handled: commands run at the right workspace or root; never implemented",
        "llm_judge",
        ("monorepo", "workspace"),
        "judged by the LLM judge through a category named for the monorepo or workspace",
    ),
    "user_questions_quality": OriginalMetric(
        "expectation alignment: the quality of the agent's askUser questions (the tiers' askUser_bonus); never "
        "implemented",
        "llm_judge",
        ("question", "clarif", "expectation"),
        "judged by the LLM judge, which is shown the agent's askUser questions and the answers, through a "
        "category named for questions",
    ),
    "efficiency": OriginalMetric(
        "tokens, tool calls, wall time and cost, scaled per tier (efficiency_weight); never implemented",
        None,
        how="not scored: zebench reports efficiency beside the score, never in it (tokens, cost and time of each "
        "run; cost per solved task on the leaderboard), so that a score does not depend on prices or on runs "
        "whose cost is unknown",
    ),
}


class RubricOverrides(SpecModel):
    #: evaluator name -> weight (0 leaves the evaluator out of the weighted score).
    weights: dict[str, float] = Field(default_factory=dict)
    #: successMetric threshold for isSuccessful.
    success_threshold: float = Field(default=0.7, ge=0, le=1)

    @field_validator("weights")
    @classmethod
    def _non_negative(cls, value: dict[str, float]) -> dict[str, float]:
        for name, weight in value.items():
            if weight < 0:
                raise ValueError(f"weight of {name!r} must be >= 0")
        return value


class WarmupSpec(SpecModel):
    enabled: bool = False
    type: Literal["agent", "scripted"] = "scripted"
    commands: list[str] = Field(default_factory=list)


class SandboxSpec(SpecModel):
    """What the scenario's agent commands may reach besides the workspace (see docs/security.md)."""

    #: Give agent commands the network (all or nothing: the sandbox cannot filter by host).
    network: bool = False


class IntegritySpec(SpecModel):
    """Which paths the verifier protects (docs/integrity.md). A protected path is restored from the fixture before
    anything scores the run, and the agent's change to it is a blocking finding. Entries are globs relative to the
    workspace (``**`` for any depth); ``FILE#scripts.NAME`` names one entry of a package.json's ``scripts``
    (``package.json#scripts`` all of them), ``FILE#tool.pytest`` a table of a TOML or INI file."""

    #: Paths a default protects that the agent may change (a task that asks for new or edited tests says which).
    allow: list[str] = Field(default_factory=list)
    #: Paths protected besides the defaults.
    protect: list[str] = Field(default_factory=list)

    @field_validator("allow", "protect")
    @classmethod
    def _relative(cls, value: list[str]) -> list[str]:
        for entry in value:
            path = entry.split("#", 1)[0]
            if not entry.strip() or path.startswith("/") or ".." in path.split("/"):
                raise ValueError(f"{entry!r}: expected a glob relative to the workspace")
        return value


class ScenarioSpec(SpecModel):
    """The parsed ``scenario.yaml`` (keys of the original project)."""

    id: str
    suite: str
    title: str | None = None
    description: str | None = None
    timeout_minutes: float = Field(default=60, gt=0)
    workspace: WorkspaceSpec = Field(default_factory=WorkspaceSpec)
    constraints: Constraints = Field(default_factory=Constraints)
    targets: Targets = Field(default_factory=Targets)
    validation: ValidationSpec = Field(default_factory=ValidationSpec)
    oracle: OracleSpec = Field(default_factory=OracleSpec)
    heuristic_checks: HeuristicChecks = Field(default_factory=lambda: HeuristicChecks(enabled=False))
    llm_judge: LLMJudgeSpec = Field(default_factory=LLMJudgeSpec)
    rubric_overrides: RubricOverrides = Field(default_factory=RubricOverrides)
    warmup: WarmupSpec = Field(default_factory=WarmupSpec)
    sandbox: SandboxSpec = Field(default_factory=SandboxSpec)
    #: What the verifier protects beyond (or less than) its defaults.
    integrity: IntegritySpec = Field(default_factory=IntegritySpec)
    reference_path: str | None = None
    tags: list[str] = Field(default_factory=list)
    difficulty: str | None = None
    baseline: BaselineSpec = Field(default_factory=BaselineSpec)
    #: An artifact scenario: no fixture, no validation; the artifact's fields reach the prompt.
    artifact: ArtifactSpec | None = None
    #: What a successful run achieves, one statement per item; given to the LLM judge.
    success_criteria: list[str] = Field(default_factory=list)
    #: Hints for a human or an agent that asks; recorded, never added to the tier's prompt (tiers set the context).
    hints: list[str] = Field(default_factory=list)
    #: How long a person would need, e.g. ``5m``, ``1h30m`` or minutes as a number (informational).
    estimated_time: str | None = None
    #: A specialist template (the original's JSON5 format), relative to the scenario folder: its persona and
    #: prompts reach the model and its MCP servers start for each run (``zebench run --specialist`` overrides).
    specialist: str | None = None
    #: MCP servers started for each run of the scenario, beside the specialist's (docs/agents.md).
    mcps: list[McpServerSpec] = Field(default_factory=list)

    @field_validator("estimated_time", mode="before")
    @classmethod
    def _estimated_time(cls, value: Any) -> Any:
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return f"{value:g}m"
        if isinstance(value, str) and parse_duration(value) is None:
            raise ValueError("expected a duration such as 5m, 90s, 1h30m or a number of minutes")
        return value

    @property
    def needs_workspace(self) -> bool:
        """The original skips the fixture for artifact scenarios and for ``workspace.required: false``."""
        return self.artifact is None and self.workspace.required

    @property
    def runs_validation(self) -> bool:
        """``validation.required: false`` (and artifact scenarios) skip the validation commands, as originally."""
        return self.artifact is None and self.validation.required is not False


_DURATION_RE = re.compile(
    r"^\s*(?:(?P<h>\d+(?:\.\d+)?)\s*h)?\s*(?:(?P<m>\d+(?:\.\d+)?)\s*m(?:in)?)?\s*"
    r"(?:(?P<s>\d+(?:\.\d+)?)\s*s)?\s*$",
    re.IGNORECASE,
)


def parse_duration(text: str) -> float | None:
    """Seconds in ``5m``, ``90s``, ``1h30m`` or a bare number of minutes; None when it is not a duration."""
    text = text.strip()
    try:
        return float(text) * 60
    except ValueError:
        pass
    match = _DURATION_RE.match(text)
    if not text or not match or not any(match.groupdict().values()):
        return None
    hours, minutes, seconds = (float(match[k] or 0) for k in ("h", "m", "s"))
    return hours * 3600 + minutes * 60 + seconds


class TierPolicy(SpecModel):
    """One tier of ``prompts/policy.yaml`` (the original's prompt pack)."""

    description: str | None = None
    #: Recorded with each run of the tier; as in the original, not applied to the score.
    askUser_bonus: float | None = None
    efficiency_weight: float | None = None


class SuitePolicy(SpecModel):
    """``<suite>/prompts/policy.yaml``: what each tier means, and the prompt dimensions of the suite."""

    tiers: dict[str, TierPolicy] = Field(default_factory=dict)
    dimensions: dict[str, list[str]] = Field(default_factory=dict)
    quality_checks: dict[str, Any] = Field(default_factory=dict)
