"""Pydantic models: the single contract at every boundary.

Two families live here:

* the scenario spec (``scenario.yaml``), snake_case keys as in the original project, unknown keys rejected so that
  a typo is an error naming the key instead of a silently ignored setting;
* the run record and its parts, serialised with camelCase keys (the seed's API shape). The same JSON is written to
  results JSONL, stored in SQLite, accepted by ``ingest`` and by POST /api/results. Input accepts both spellings.
"""

from __future__ import annotations

import datetime as _dt
import functools
import json
import math
import re
from typing import Annotated, Any, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator, model_validator
from pydantic.alias_generators import to_camel
from pydantic_core import PydanticCustomError

from .jsonsafe import unstorable_values

#: Version of the results format written by ``--output`` and stored in each run's manifest.
RESULTS_FORMAT_VERSION = 1

TIER_FILE_RE = re.compile(r"^(L\d+|Lx)(-.*)?\.md$")
KEBAB_RE = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")


def utc_now() -> str:
    """Current time as UTC ISO-8601 text with milliseconds, the only timestamp format we store."""
    return _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


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
    #: ``same-major``, ``same-minor``, ``same-version`` or a version specifier the companion must satisfy.
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
    def _one_selector(self) -> "StructuredCheck":
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


_DURATION_RE = re.compile(r"^\s*(?:(?P<h>\d+(?:\.\d+)?)\s*h)?\s*(?:(?P<m>\d+(?:\.\d+)?)\s*m(?:in)?)?\s*"
                          r"(?:(?P<s>\d+(?:\.\d+)?)\s*s)?\s*$", re.IGNORECASE)


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


# --------------------------------------------------------------------------------------------------------------
# Run record (camelCase JSON)
# --------------------------------------------------------------------------------------------------------------


class RecordModel(BaseModel):
    """Base of every record part: camelCase on output, either spelling on input."""

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="forbid")

    def to_json_dict(self) -> dict[str, Any]:
        return self.model_dump(mode="json", by_alias=True)


#: budget_exceeded: the agent was stopped at --max-cost-usd; the run is still validated and scored.
RunStatus = Literal["completed", "budget_exceeded", "failed", "timeout", "cancelled"]
#: rate_limited and infrastructure are failures of the harness's surroundings, not of the agent.
FailureCategory = Literal[
    "setup", "prompt", "warmup", "workspace", "agent", "validation", "evaluation", "timeout", "infrastructure",
    "rate_limited", "cancelled", "unknown",
]
#: Statuses whose runs were validated and scored ("completed" in every count).
SCORED_STATUSES: tuple[RunStatus, ...] = ("completed", "budget_exceeded")
#: Statuses of runs that ended without being scored: agent or infrastructure failures, by their category.
FAILED_STATUSES: tuple[RunStatus, ...] = ("failed", "timeout")
#: Attempts a stopped batch left unfinished: stored, never counted as runs (``--resume`` redoes them).
CANCELLED_STATUSES: tuple[RunStatus, ...] = ("cancelled",)
#: Failure categories that are the harness's or the provider's fault, not the agent's: such runs are
#: infrastructure failures; every other failed run is an agent failure (store.COUNT_CONDITIONS).
INFRA_CATEGORIES: tuple[FailureCategory, ...] = (
    "infrastructure", "rate_limited", "workspace", "validation", "evaluation", "setup", "warmup")
# The three status groups partition RunStatus; a status added to the Literal must be placed in one of them.
assert sorted(SCORED_STATUSES + FAILED_STATUSES + CANCELLED_STATUSES) == sorted(get_args(RunStatus))
assert set(INFRA_CATEGORIES) <= set(get_args(FailureCategory))
ValidationStatus = Literal["passed", "failed", "timeout", "skipped", "error"]
EvaluatorKind = Literal["task", "hygiene", "info"]


class Failure(RecordModel):
    category: FailureCategory
    stage: str
    message: str


#: Longest id or name (runId, batchId, suite, agent, model, evaluator, ...) and timestamp text accepted.
NAME_MAX = 256
TIMESTAMP_MAX = 64
Name = Annotated[str, Field(min_length=1, max_length=NAME_MAX)]
Timestamp = Annotated[str, Field(min_length=1, max_length=TIMESTAMP_MAX)]


def _original_timestamp(value: Any) -> Any:
    """The original project sends batch times as epoch milliseconds; we store ISO-8601 text. A number no date can
    have is left as it is, so that validation names the field."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        try:
            return _dt.datetime.fromtimestamp(value / 1000, _dt.timezone.utc).isoformat(
                timespec="milliseconds").replace("+00:00", "Z")
        except (OverflowError, ValueError, OSError):
            return value
    return value


def normalize_timestamp(value: str) -> str:
    """ISO-8601 text as stored: UTC with milliseconds and ``Z`` (``2026-11-30T09:53:00.000Z``), so that times from
    every source sort and compare as text. A time without a zone is read as UTC. ValueError when it is not one."""
    try:
        parsed = _dt.datetime.fromisoformat(value.strip())
    except ValueError:
        raise ValueError(f"not an ISO-8601 time: {value[:80]!r} (e.g. 2026-11-30T09:53:00.000Z)") from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=_dt.UTC)
    utc = parsed.astimezone(_dt.UTC)
    return utc.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def epoch_ms(timestamp: str | None) -> int | None:
    """ISO-8601 text (as stored) as epoch milliseconds, the original API's batch times; None when not a time."""
    if not timestamp:
        return None
    try:
        parsed = _dt.datetime.fromisoformat(timestamp.replace("Z", "+00:00"))
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=_dt.timezone.utc)
    return round(parsed.timestamp() * 1000)


#: Validation context of input that jsonsafe.loads parsed (and so checked): the models need not check it again.
CHECKED_JSON = {"storable": True}


def check_storable(data: Any, info: ValidationInfo) -> None:
    """Refuse values SQLite cannot store faithfully (integers beyond 64 bits, NaN, lone surrogates, nesting
    deeper than jsonsafe.MAX_DEPTH) with one error naming the first such field and listing the rest. Skipped for
    input validated with the CHECKED_JSON context (jsonsafe.loads did it, at a fraction of the cost)."""
    if info.context and info.context.get("storable"):
        return
    problems = unstorable_values(data)
    if problems:
        path, message = problems[0]
        where = ".".join(str(p) for p in path) or "(record)"
        raise PydanticCustomError("unstorable_value", "{field}: {message}",
                                  {"field": where, "message": message, "loc": list(path),
                                   "all": [[list(p), m] for p, m in problems]})


def _inconsistent(loc: list[Any], message: str) -> PydanticCustomError:
    """A record whose fields contradict each other (zebench.api.writes reports it at ``loc``)."""
    where = ".".join(str(p) for p in loc) or "(record)"
    return PydanticCustomError("inconsistent_record", "{field}: {message}",
                               {"field": where, "message": message, "loc": loc})


@functools.cache
def _known_keys(model: type[BaseModel]) -> frozenset[str]:
    return frozenset(k for name, f in model.model_fields.items() for k in (name, f.alias) if k)


def _split_unknown(data: dict[str, Any], model: type[BaseModel]) -> tuple[dict[str, Any], dict[str, Any]]:
    known = _known_keys(model)
    return ({k: v for k, v in data.items() if k in known}, {k: v for k, v in data.items() if k not in known})


def _json_object(value: Any) -> Any:
    """The original stores metadata as JSON text; accept it as text or as an object."""
    if isinstance(value, str):
        try:
            parsed = json.loads(value)
        except json.JSONDecodeError:
            return {"text": value}
        return parsed if isinstance(parsed, dict) else {"value": parsed}
    return {} if value is None else value


class Evaluation(RecordModel):
    evaluator_name: Name
    #: The scale of ``score`` (zebench's evaluators: 1). Declared before ``score`` so that score is checked
    #: against it.
    max_score: float = Field(default=1.0, gt=0)
    #: As the evaluator (or the original project's client) gave it, between 0 and ``maxScore``; None when not
    #: applicable or when the evaluator itself failed. zebench's 0-1 figure is ``normalized_score``.
    score: float | None = None
    #: False: left out of the weighting (never counted as 0).
    applicable: bool = True
    weight: float = 0.0
    kind: EvaluatorKind = "task"
    #: As given: text from the original project's client, an object from zebench's evaluators.
    details: Any = None
    #: The evaluator failed (raised): its message. Such an evaluation has no score; a gate evaluator that failed
    #: fails its gate, and the run is not successful (docs/scoring.md).
    error: str | None = None
    #: Cost of evaluating (the LLM judge's calls): 0 for offline evaluators, None when unknown.
    cost_usd: float | None = 0.0

    @field_validator("score")
    @classmethod
    def _in_range(cls, value: float | None, info: ValidationInfo) -> float | None:
        maximum = info.data.get("max_score")
        if value is not None and maximum is not None and not 0 <= value <= maximum:
            raise ValueError(f"score must be between 0 and maxScore ({maximum:g})")
        return value

    @model_validator(mode="after")
    def _error_has_no_score(self) -> Evaluation:
        if self.error is not None and self.score is not None:
            raise _inconsistent(["score"], "an evaluation that failed (error) has no score")
        return self

    @property
    def normalized_score(self) -> float | None:
        """The score on zebench's 0-1 scale (score / maxScore): what weighting and statistics use."""
        return None if self.score is None else self.score / self.max_score


class ValidationResult(RecordModel):
    kind: str
    command: str
    status: ValidationStatus
    exit_code: int | None = None
    duration_ms: int = 0
    output_tail: str = ""
    #: The same command's status at baseline (on the untouched fixture), when the scenario runs it there.
    baseline_status: ValidationStatus | None = None

    @property
    def regression(self) -> bool:
        """Passed before the agent, fails after it."""
        return self.baseline_status == "passed" and self.status in ("failed", "timeout")


class DiffFile(RecordModel):
    path: str
    change: Literal["added", "modified", "deleted"]
    binary: bool = False
    additions: int = 0
    deletions: int = 0
    #: Unified diff, cut to a size limit (``patchTruncated`` says so).
    patch: str | None = None
    patch_truncated: bool = False


class DependencyChange(RecordModel):
    manifest: str
    section: str
    name: str
    before: str | None = None
    after: str | None = None


class Diff(RecordModel):
    files: list[DiffFile] = Field(default_factory=list)
    dependency_changes: list[DependencyChange] = Field(default_factory=list)

    def counts(self) -> dict[str, int]:
        out = {"added": 0, "modified": 0, "deleted": 0}
        for f in self.files:
            out[f.change] += 1
        return out


class ToolCallRecord(RecordModel):
    seq: int
    name: str
    input: dict[str, Any] = Field(default_factory=dict)
    output: str = ""
    is_error: bool = False
    duration_ms: int = 0


class Message(RecordModel):
    role: str
    content: Any = None


class Transcript(RecordModel):
    messages: list[Message] = Field(default_factory=list)
    tool_calls: list[ToolCallRecord] = Field(default_factory=list)


class Telemetry(RecordModel):
    tool_calls: int = 0
    tokens_in: int = 0
    tokens_out: int = 0
    cache_read_tokens: int = 0
    cache_write_tokens: int = 0
    #: None = unknown (an unpriced model), never silently 0.
    cost_usd: float | None = None
    judge_cost_usd: float | None = None
    duration_ms: int = 0
    workspace_dir: str | None = None
    #: Wall time of each stage: setup, workspace, agent, validation, evaluation, results.
    stage_ms: dict[str, int] = Field(default_factory=dict)
    prompt_sent: str | None = None


class Manifest(RecordModel):
    """What is needed to reproduce a run."""

    format_version: int = RESULTS_FORMAT_VERSION
    zebench_version: str
    git_commit: str | None = None
    scenario_hash: str
    prompt_hash: str | None = None
    agent: str
    model: str | None = None
    settings: dict[str, Any] = Field(default_factory=dict)
    python_version: str
    platform: str


class RunRecord(RecordModel):
    """One run of one agent on one scenario and tier: everything we know about it."""

    run_id: Name
    batch_id: Name | None = None
    suite: Name
    scenario: Name
    tier: Name
    agent: Name
    model: Name | None = None
    status: RunStatus
    started_at: Timestamp
    completed_at: Timestamp | None = None
    total_score: float | None = None
    weighted_score: float | None = None
    is_successful: bool = False
    success_metric: float | None = None
    #: The original project's "specialist" runs (an agent wrapped in a prompt template with MCP tools): whether
    #: the run used one, and which template and version. zebench's own runs: false.
    specialist_enabled: bool = False
    specialist_name: Name | None = None
    specialist_version: Name | None = None
    #: Position of this run among the repeats of the same (scenario, tier, agent, model) in its batch.
    repeat_index: int = Field(default=0, ge=0)
    failure: Failure | None = None
    #: Free-form; fields of a posted record that zebench does not know are kept here under "extraFields"
    #: (those of its telemetry under extraFields.telemetry, of its i-th evaluation under extraFields.evaluations.i).
    metadata: dict[str, Any] = Field(default_factory=dict)
    evaluations: list[Evaluation] = Field(default_factory=list)
    telemetry: Telemetry | None = None
    validation: list[ValidationResult] = Field(default_factory=list)
    #: The scenario's baseline commands on the untouched fixture (shared by the runs of a batch).
    baseline: list[ValidationResult] = Field(default_factory=list)
    diff: Diff | None = None
    transcript: Transcript | None = None
    manifest: Manifest | None = None

    @field_validator("started_at", "completed_at")
    @classmethod
    def _utc_time(cls, value: str | None) -> str | None:
        return None if value is None else normalize_timestamp(value)

    @model_validator(mode="after")
    def _consistent(self) -> RunRecord:
        problems = record_problems(self)
        if problems:
            loc, message = problems[0]
            raise _inconsistent(loc, message)
        return self

    @field_validator("evaluations")
    @classmethod
    def _one_per_evaluator(cls, value: list[Evaluation]) -> list[Evaluation]:
        seen: dict[str, int] = {}
        for i, evaluation in enumerate(value):
            first = seen.setdefault(evaluation.evaluator_name, i)
            if first != i:
                raise ValueError(f"evaluations {first} and {i} both name evaluator {evaluation.evaluator_name!r}: "
                                 "a run has one result per evaluator")
        return value

    @model_validator(mode="before")
    @classmethod
    def _accept_original(cls, data: Any, info: ValidationInfo) -> Any:
        """Accept the original project's POST /api/results payload as it is: its statuses and epoch-ms times,
        metadata as JSON text, and fields zebench does not know (kept in metadata.extraFields, not refused)."""
        if not isinstance(data, dict):
            return data
        check_storable(data, info)
        data, extra = _split_unknown(data, cls)
        status = data.get("status")
        if isinstance(status, str) and status in ORIGINAL_STATUSES:
            data["status"] = ORIGINAL_STATUSES[status]
        for key in ("startedAt", "started_at", "completedAt", "completed_at"):
            if key in data:
                data[key] = _original_timestamp(data[key])
        for key in _ORIGINAL_NULL_MEANS_DEFAULT:
            if key in data and data[key] is None:  # sent as null: the original's column default, false
                del data[key]
        for key in _ORIGINAL_EMPTY_MEANS_NONE:
            if data.get(key) == "":  # JavaScript's "no value": the original's dashboard reads "" as none
                data[key] = None
        telemetry = data.get("telemetry")
        if isinstance(telemetry, dict):
            # A count computed in JavaScript as NaN is sent as null; the original stored NULL (shown as N/A).
            telemetry = {k: v for k, v in telemetry.items() if v is not None or k not in _TELEMETRY_COUNTS}
            data["telemetry"], unknown = _split_unknown(telemetry, Telemetry)
            if unknown:
                extra["telemetry"] = unknown
        evaluations = data.get("evaluations")
        if isinstance(evaluations, list):
            kept = []
            for i, item in enumerate(evaluations):
                if isinstance(item, dict):
                    item, unknown = _split_unknown(item, Evaluation)
                    if unknown:
                        extra.setdefault("evaluations", {})[str(i)] = unknown
                kept.append(item)
            data["evaluations"] = kept
        if "metadata" in data or extra:
            metadata = _json_object(data.get("metadata"))
            if extra and isinstance(metadata, dict):
                previous = metadata.get("extraFields")
                metadata = {**metadata, "extraFields": {**(previous if isinstance(previous, dict) else {}), **extra}}
            data["metadata"] = metadata
        return data


def _finite(value: float | None) -> bool:
    return value is None or math.isfinite(value)


def record_problems(r: RunRecord) -> list[tuple[list[Any], str]]:
    """What makes a run record contradict itself, as (camelCase field path, message); [] when it is consistent.

    Checked by the model and again by the store before it writes (a record may have been changed after it was
    validated): a run that did not complete (failed, timeout, cancelled) is never successful; a failure belongs to
    a run that did not complete; numbers are finite; an evaluation that failed has no score."""
    problems: list[tuple[list[Any], str]] = []
    if r.is_successful and r.status not in SCORED_STATUSES:
        problems.append((["isSuccessful"], (f"a run with status {r.status!r} did not complete and cannot be "
                                            "successful")))
    if r.failure is not None and r.status in SCORED_STATUSES:
        problems.append((["failure"], (f"status {r.status!r} is a run that completed, yet it has a failure "
                                       f"(category {r.failure.category!r}); a failed run has status failed, timeout "
                                       "or cancelled")))
    for name in ("total_score", "weighted_score", "success_metric"):
        if not _finite(getattr(r, name)):
            problems.append(([to_camel(name)], "NaN and Infinity are not numbers a score can have"))
    if r.telemetry is not None:
        for name in ("cost_usd", "judge_cost_usd"):
            if not _finite(getattr(r.telemetry, name)):
                problems.append((["telemetry", to_camel(name)], "NaN and Infinity are not costs"))
    for i, e in enumerate(r.evaluations):
        if not (_finite(e.score) and _finite(e.max_score) and _finite(e.weight) and _finite(e.cost_usd)):
            problems.append((["evaluations", i], "NaN and Infinity are not numbers an evaluation can have"))
        if e.error is not None and e.score is not None:
            problems.append((["evaluations", i, "score"], "an evaluation that failed (error) has no score"))
    return problems


#: Statuses of the original project and ours: "incomplete" was a run cut by a timeout or signal.
ORIGINAL_STATUSES = {"incomplete": "timeout", "running": "failed", "error": "failed", "success": "completed"}
#: Run fields the original's columns default when sent as null (false).
_ORIGINAL_NULL_MEANS_DEFAULT = ("specialistEnabled", "specialist_enabled", "isSuccessful", "is_successful")
#: Optional names that JavaScript code sends as "" for "none".
_ORIGINAL_EMPTY_MEANS_NONE = ("model", "batchId", "batch_id", "specialistName", "specialist_name",
                              "specialistVersion", "specialist_version")
#: Telemetry counts (0 when not given).
_TELEMETRY_COUNTS = frozenset(k for name in ("tool_calls", "tokens_in", "tokens_out", "cache_read_tokens",
                                             "cache_write_tokens", "duration_ms") for k in (name, to_camel(name)))


class BatchRecord(RecordModel):
    batch_id: Name
    #: Kept from the first time a batch is written (the original's client posts a batch at its start and again
    #: at its end, with a later createdAt the second time).
    created_at: Timestamp
    completed_at: Timestamp | None = None
    total_runs: int = Field(default=0, ge=0)
    successful_runs: int = Field(default=0, ge=0)
    failed_runs: int = Field(default=0, ge=0)
    expected_runs: int | None = Field(default=None, ge=0)
    avg_score: float | None = None
    avg_weighted_score: float | None = None
    #: Free-form; unknown fields of a posted batch are kept here under "extraFields".
    metadata: dict[str, Any] = Field(default_factory=dict)

    @model_validator(mode="before")
    @classmethod
    def _accept_original(cls, data: Any, info: ValidationInfo) -> Any:
        if not isinstance(data, dict):
            return data
        check_storable(data, info)
        data, extra = _split_unknown(data, cls)
        if data.get("createdAt", data.get("created_at")) is None:
            # The original's worker took the time of the request (createdAt || Date.now()).
            data.pop("created_at", None)
            data["createdAt"] = utc_now()
        if extra:
            metadata = _json_object(data.get("metadata"))
            if isinstance(metadata, dict):
                previous = metadata.get("extraFields")
                data["metadata"] = {**metadata, "extraFields": {**(previous if isinstance(previous, dict) else {}),
                                                                 **extra}}
        return data

    @field_validator("metadata", mode="before")
    @classmethod
    def _metadata(cls, value: Any) -> Any:
        return _json_object(value)

    @field_validator("created_at", "completed_at", mode="before")
    @classmethod
    def _timestamps(cls, value: Any) -> Any:
        return _original_timestamp(value)

    @field_validator("created_at", "completed_at")
    @classmethod
    def _utc_time(cls, value: str | None) -> str | None:
        return None if value is None else normalize_timestamp(value)



# --------------------------------------------------------------------------------------------------------------
# API response shapes (the seed's, camelCase). The store's query functions produce them; tests validate real
# responses against these models, and the OpenAPI document is generated from them.
# --------------------------------------------------------------------------------------------------------------


class ApiModel(BaseModel):
    model_config = ConfigDict(extra="forbid")


class RunRow(ApiModel):
    id: int
    runId: str
    batchId: str | None
    suite: str
    scenario: str
    tier: str
    agent: str
    model: str | None
    status: str
    startedAt: str
    completedAt: str | None
    totalScore: float | None
    weightedScore: float | None
    isSuccessful: bool
    successMetric: float | None
    specialistEnabled: bool
    specialistName: str | None
    specialistVersion: str | None
    repeatIndex: int | None
    failureCategory: str | None
    failureStage: str | None
    error: str | None
    costUsd: float | None
    #: Evaluations of the run that failed (error): its score leaves them out and it is not successful.
    evaluatorErrors: int | None = None
    metadata: dict[str, Any]


class EvaluationRow(ApiModel):
    id: int
    runId: str
    evaluatorName: str
    #: As given, out of maxScore (the original's shape); zebench's 0-1 figure is score / maxScore.
    score: float | None
    maxScore: float | None
    applicable: bool | None
    weight: float | None
    kind: str | None
    details: Any
    error: str | None
    costUsd: float | None
    createdAt: str | None


class TelemetryRow(ApiModel):
    toolCalls: int | None
    tokensIn: int | None
    tokensOut: int | None
    cacheReadTokens: int | None
    cacheWriteTokens: int | None
    costUsd: float | None
    judgeCostUsd: float | None
    durationMs: int | None
    workspaceDir: str | None
    stageMs: dict[str, int] | None
    promptSent: str | None


class TranscriptMessageRow(ApiModel):
    seq: int
    role: str
    content: Any


class ToolCallRow(ApiModel):
    seq: int
    name: str
    input: Any
    output: str | None
    isError: bool | None
    durationMs: int | None


class TranscriptBody(ApiModel):
    messages: list[TranscriptMessageRow]
    toolCalls: list[ToolCallRow]


class ValidationRow(ApiModel):
    kind: str
    command: str
    status: str
    exitCode: int | None
    durationMs: int | None
    outputTail: str | None
    #: The same command's status at baseline (validation results only).
    baselineStatus: str | None = None


class DiffFileRow(ApiModel):
    path: str
    change: str
    binary: bool | None
    additions: int | None
    deletions: int | None
    patch: str | None
    patchTruncated: bool | None


class DependencyChangeRow(ApiModel):
    manifest: str | None
    section: str | None
    name: str
    before: str | None
    after: str | None


class DiffBody(ApiModel):
    files: list[DiffFileRow]
    dependencyChanges: list[DependencyChangeRow]


class ManifestRow(ApiModel):
    formatVersion: int | None
    zebenchVersion: str | None
    gitCommit: str | None
    scenarioHash: str | None
    promptHash: str | None
    agent: str | None
    model: str | None
    settings: Any
    pythonVersion: str | None
    platform: str | None


class RunDetail(ApiModel):
    run: RunRow
    evaluations: list[EvaluationRow]
    telemetry: TelemetryRow | None
    validationResults: list[ValidationRow]
    #: The scenario's baseline commands on the untouched fixture ("before"; validationResults is "after").
    baselineResults: list[ValidationRow] = []
    diff: DiffBody
    manifest: ManifestRow | None


class BatchRow(ApiModel):
    batchId: str
    createdAt: str
    completedAt: str | None
    totalRuns: int | None
    successfulRuns: int | None
    failedRuns: int | None
    expectedRuns: int | None
    avgScore: float | None
    avgWeightedScore: float | None
    metadata: dict[str, Any]
    complete: bool
    denominators: "Denominators | None" = None


class Denominators(ApiModel):
    """A batch's counts (store.COUNT_CONDITIONS): runs = completedRuns + agentFailures + infraFailures; cancelled
    attempts are not runs."""

    expectedRuns: int | None
    runs: int
    missingRuns: int
    completedRuns: int
    agentFailures: int
    infraFailures: int
    successfulRuns: int
    cancelledAttempts: int
    #: Runs with at least one evaluator error.
    evaluatorErrorRuns: int
    #: store.batch_complete: every expected run stored (or, without a known matrix, marked completed).
    complete: bool
    successRate: float | None
    successRateExclInfra: float | None
    avgWeightedScore: float | None
    avgWeightedScoreWithInfra: float | None


class CompareResult(ApiModel):
    model_config = ConfigDict(extra="allow")  # see zebench.analysis.compare

    baseline: str
    candidate: str
    alpha: float
    sharedItems: int
    onlyBaseline: list[str]
    onlyCandidate: list[str]
    success: dict[str, Any]
    score: dict[str, Any] | None
    items: list[dict[str, Any]]
    regressions: list[str]
    improvements: list[str]
    significantRegression: bool
    significantImprovement: bool


class BreakdownRow(ApiModel):
    model_config = ConfigDict(extra="allow")  # the grouping columns (suite or tier, with agent and model)

    agent: str
    model: str | None
    runs: int
    successfulRuns: int | None
    failedRuns: int | None
    completedRuns: int | None = None
    agentFailures: int | None = None
    infraFailures: int | None = None
    evaluatorErrorRuns: int | None = None
    costUnknownRuns: int | None = None
    successRate: float | None
    avgWeightedScore: float | None
    avgScore: float | None
    totalCostUsd: float | None


class EvaluatorBreakdownRow(ApiModel):
    evaluatorName: str
    runs: int
    applicableRuns: int | None
    avgScore: float | None
    passRate: float | None
    errors: int | None


class FailureRow(ApiModel):
    category: str
    runs: int


class EvaluatorErrorRow(ApiModel):
    evaluatorName: str
    runs: int
    #: One of the messages.
    example: str | None


class Breakdowns(ApiModel):
    """Every breakdown of runs is per configuration: bySuite and byTier rows also carry agent and model."""

    bySuite: list[BreakdownRow]
    byAgent: list[BreakdownRow]
    byTier: list[BreakdownRow]
    byEvaluator: list[EvaluatorBreakdownRow]
    failuresByCategory: list[FailureRow]
    evaluatorErrors: list[EvaluatorErrorRow] = []


class BatchDetail(BatchRow):
    #: The first runs of the batch (?runs=N, default 100); page the rest with /api/runs?batchId=
    runs: list[RunRow]
    runsIncluded: int
    runsTotal: int
    breakdowns: Breakdowns


class MatrixCell(ApiModel):
    """One configuration on one item of a batch (/api/v2/batches/<id>/matrix)."""

    agent: str
    model: str | None
    suite: str
    scenario: str
    tier: str
    runs: int
    successful: int
    meanScore: float | None
    #: The same configuration and item in the batch given as ?previous= (None: not there, or none given).
    previousRuns: int | None
    previousSuccessful: int | None
    #: The item succeeded there (at least half of its runs) and does not here: the definition of `zebench compare`.
    regressed: bool


class BatchMatrix(ApiModel):
    batchId: str
    previousBatchId: str | None
    #: Per configuration and item, sorted by agent, model and item.
    items: list[MatrixCell]
    #: The leaderboard over this batch's runs (`zebench leaderboard --filter batchId=<id>`): intervals and pass@k
    #: per configuration.
    configurations: list[dict[str, Any]]


class Stats(ApiModel):
    """Totals over every counted run, all configurations pooled (``pooled``: true)."""

    totalRuns: int
    successfulRuns: int
    failedRuns: int
    completedRuns: int | None = None
    agentFailures: int | None = None
    infraFailures: int | None = None
    cancelledAttempts: int | None = None
    evaluatorErrorRuns: int | None = None
    successRate: float | None
    avgScore: float | None
    avgWeightedScore: float | None
    totalCostUsd: float | None
    costUnknownRuns: int
    totalBatches: int
    agentModels: int
    scenarios: int
    pooled: bool = True


class AggregateRow(ApiModel):
    model_config = ConfigDict(extra="allow")  # the grouping columns

    runs: int
    successfulRuns: int
    failedRuns: int
    scoredRuns: int
    successRate: float | None
    avgScore: float | None
    avgWeightedScore: float | None
    minWeightedScore: float | None
    maxWeightedScore: float | None
    minScore: float | None
    maxScore: float | None
    totalCostUsd: float | None
    meanCostUsd: float | None
    costUnknownRuns: int


class AgentStats(AggregateRow):
    """One configuration (agent and model) of the leaderboard; see docs/statistics.md for each figure."""

    agent: str
    model: str | None
    #: "agent [model]", as every page shows a configuration.
    configuration: str | None = None
    rank: int | None = None
    #: None: fewer items than the tie groups' minimum, not comparable with anyone.
    tieGroup: int | None = None
    tieLeader: str | None = None
    #: Holm-adjusted p-value of the test against the group's leader (None for the leader).
    tieP: float | None = None
    tieSharedItems: int | None = None
    #: Leaders of earlier groups this configuration shared too few items with.
    notComparableWith: list[str] | None = None
    items: int | None = None
    completedRuns: int | None = None
    agentFailures: int | None = None
    infraFailures: int | None = None
    evaluatorErrorRuns: int | None = None
    successRateLow: float | None = None
    successRateHigh: float | None = None
    #: "wilson" (one run per item) or "clustered" (Korn-Graubard, items with several runs).
    successRateInterval: str | None = None
    successRateExclInfra: float | None = None
    successRateExclInfraLow: float | None = None
    successRateExclInfraHigh: float | None = None
    meanScore: float | None = None
    meanScoreLow: float | None = None
    meanScoreHigh: float | None = None
    meanScoreWithInfra: float | None = None
    #: pass@k and pass^k for k = 1 .. the largest number of runs of an item ("pass@3", "pass^3", ...).
    passAtK: dict[str, float] | None = None
    #: For each k (as text), the number of items with at least k runs that pass@k and pass^k cover.
    passAtKItems: dict[str, int] | None = None
    #: The largest number of runs of an item (across batches); see runsPerItemMin.
    repeatsPerItem: int | None = None
    runsPerItemMin: int | None = None
    runsPerItemMax: int | None = None
    costPerSolvedUsd: float | None = None
    flakyItems: int | None = None
    flakiness: float | None = None


class ScenarioStats(AggregateRow):
    suite: str
    scenario: str
    tier: str


class Health(ApiModel):
    status: str
    timestamp: str


# --------------------------------------------------------------------------------------------------------------
# The original project's read shapes (the unversioned /api/* paths): its keys, value types and definitions, so
# that its dashboard and client work unchanged. docs/api.md lists every difference from the v2 shapes.
# --------------------------------------------------------------------------------------------------------------


class OriginalRun(ApiModel):
    id: int
    runId: str
    batchId: str | None
    suite: str
    scenario: str
    tier: str
    agent: str
    model: str | None
    status: str
    startedAt: str
    completedAt: str | None
    totalScore: float | None
    weightedScore: float | None
    isSuccessful: bool
    successMetric: float | None
    specialistEnabled: bool
    specialistName: str | None
    specialistVersion: str | None
    #: JSON text (the original stores and returns text; its dashboard JSON.parses it).
    metadata: str | None


class OriginalEvaluation(ApiModel):
    id: int
    runId: str
    evaluatorName: str
    #: Numeric, as sent (not-applicable evaluations are left out of this shape).
    score: float
    maxScore: float
    #: Text: as sent when it was text, else its JSON.
    details: str | None
    createdAt: str | None


class OriginalTelemetry(ApiModel):
    id: int
    runId: str
    toolCalls: int | None
    tokensIn: int | None
    tokensOut: int | None
    costUsd: float | None
    durationMs: int | None
    workspaceDir: str | None
    promptSent: str | None


class OriginalRunDetail(ApiModel):
    run: OriginalRun
    evaluations: list[OriginalEvaluation]
    telemetry: OriginalTelemetry | None


class OriginalBatch(ApiModel):
    batchId: str
    #: Epoch milliseconds (the original client's and dashboard's type).
    createdAt: int
    completedAt: int | None
    totalRuns: int
    successfulRuns: int
    avgScore: float | None
    avgWeightedScore: float | None
    metadata: str | None


class OriginalBatchDetail(OriginalBatch):
    #: Every run of the batch, oldest first.
    runs: list[OriginalRun]


class OriginalStats(ApiModel):
    """Over runs with status "completed" only."""

    totalRuns: int
    successfulRuns: int
    #: Mean totalScore (0-1).
    avgScore: float | None
    #: Mean weightedScore (0-10).
    avgWeightedScore: float | None


class OriginalAgentStats(ApiModel):
    """Per agent over its completed and successful runs; figures of weightedScore (0-10)."""

    agent: str
    runs: int
    avgScore: float | None
    minScore: float | None
    maxScore: float | None


class OriginalHumanScoreCategory(ApiModel):
    category: str
    #: 1-5.
    score: float
    reasoning: str | None = None
    confidence: float | None = None


class OriginalHumanScore(ApiModel):
    """A person's scores of a run (the original's later worker; its dashboard's run page reads them). zebench keeps
    no human scores, so /api/runs/{runId}/human-scores is always []: this is the shape of its items."""

    id: int
    runId: str
    scorerName: str
    scorerEmail: str | None
    scores: list[OriginalHumanScoreCategory]
    #: 0-1 (the mean 1-5 score, rescaled).
    overallScore: float
    timeSpentSeconds: int | None
    notes: str | None
    metadata: Any
    createdAt: str


class OriginalHumanScoreStats(ApiModel):
    totalScores: int
    uniqueRuns: int
    uniqueScorers: int
    avgOverallScore: float
    avgTimeSpent: float


class WriteResult(ApiModel):
    ok: bool
    success: bool
    runIds: list[str] | None = None
    count: int | None = None
    runId: str | None = None
    batchId: str | None = None


class ErrorBody(ApiModel):
    ok: bool
    error: str
    errors: list[Any]
    status: int
