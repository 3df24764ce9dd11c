"""The run record and its parts, and the batch record: serialised with camelCase keys (the seed's API shape).
The same JSON is written to results JSONL, stored in SQLite, accepted by ``ingest`` and by POST /api/results.
Input accepts both spellings."""

from __future__ import annotations

import datetime as _dt
import functools
import json
import math
from typing import Annotated, Any, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator, model_validator
from pydantic.alias_generators import to_camel
from pydantic_core import PydanticCustomError

from .jsonsafe import unstorable_values

#: Version of the results format written by ``--output`` and stored in each run's manifest.
RESULTS_FORMAT_VERSION = 1


def utc_now() -> str:
    """Current time as UTC ISO-8601 text with milliseconds, the only timestamp format we store."""
    return _dt.datetime.now(_dt.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


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
    "setup",
    "prompt",
    "warmup",
    "workspace",
    "agent",
    "validation",
    "evaluation",
    "timeout",
    "infrastructure",
    "rate_limited",
    "cancelled",
    "unknown",
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
    "infrastructure",
    "rate_limited",
    "workspace",
    "validation",
    "evaluation",
    "setup",
    "warmup",
)
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
            return (
                _dt.datetime.fromtimestamp(value / 1000, _dt.UTC)
                .isoformat(timespec="milliseconds")
                .replace("+00:00", "Z")
            )
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
        parsed = parsed.replace(tzinfo=_dt.UTC)
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
        raise PydanticCustomError(
            "unstorable_value",
            "{field}: {message}",
            {"field": where, "message": message, "loc": list(path), "all": [[list(p), m] for p, m in problems]},
        )


def _inconsistent(loc: list[Any], message: str) -> PydanticCustomError:
    """A record whose fields contradict each other (zebench.api.writes reports it at ``loc``)."""
    where = ".".join(str(p) for p in loc) or "(record)"
    return PydanticCustomError(
        "inconsistent_record", "{field}: {message}", {"field": where, "message": message, "loc": loc}
    )


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


def total_score(weighted_score: float | None) -> float | None:
    """zebench's totalScore: the weighted score (0-10) on the 0-1 scale. The one place it is computed, for the
    runner's runs and imported ones alike (runs posted by the original project's client keep the totalScore they
    send)."""
    return None if weighted_score is None else round(weighted_score / 10, 6)


#: Evaluators that gate a run's success (zebench.run.scoring): the validation commands install and test, and the
#: integrity guard. A gate that fails, or errs, fails the run.
GATE_EVALUATORS = ("install", "test", "integrity_guard")


def evaluator_errors(evaluations: list[Evaluation]) -> list[str]:
    """The one rule of evaluator errors (docs/scoring.md): the evaluators of a run that failed (raised) and count,
    with a weight above 0 or as a gate. The run's score leaves them out, the run is not successful, its metadata
    names them, and it counts among the runs with evaluator errors (store: ``evaluator_errors``). An evaluator that
    fails without counting (weight 0, not a gate) is stored with its error and changes nothing else."""
    return [
        e.evaluator_name
        for e in evaluations
        if e.error is not None and (e.weight > 0 or e.evaluator_name in GATE_EVALUATORS)
    ]


#: The evaluator whose details list a run's findings (zebench.evaluators.integrity).
INTEGRITY_EVALUATOR = "integrity_guard"


def integrity_findings(evaluations: list[Evaluation]) -> int:
    """The one rule of a run's findings count (docs/integrity.md): the blocking findings its integrity guard lists
    (``details.findings``; flags are listed apart and not counted). A run with one is never successful (the guard
    is a gate) and counts among the runs with findings (store: ``findings``)."""
    count = 0
    for e in evaluations:
        details = e.details if e.evaluator_name == INTEGRITY_EVALUATOR else None
        if isinstance(details, dict) and isinstance(details.get("findings"), list):
            count += len(details["findings"])
    return count


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
    #: The MCP server that answered (None for the workspace tools), and the tool's own name on that server.
    server: str | None = None
    tool: str | None = None


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
                raise ValueError(
                    f"evaluations {first} and {i} both name evaluator {evaluation.evaluator_name!r}: "
                    "a run has one result per evaluator"
                )
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
        problems.append(
            (["isSuccessful"], (f"a run with status {r.status!r} did not complete and cannot be successful"))
        )
    if r.failure is not None and r.status in SCORED_STATUSES:
        problems.append(
            (
                ["failure"],
                (
                    f"status {r.status!r} is a run that completed, yet it has a failure "
                    f"(category {r.failure.category!r}); a failed run has status failed, timeout "
                    "or cancelled"
                ),
            )
        )
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
_ORIGINAL_EMPTY_MEANS_NONE = (
    "model",
    "batchId",
    "batch_id",
    "specialistName",
    "specialist_name",
    "specialistVersion",
    "specialist_version",
)
#: Telemetry counts (0 when not given).
_TELEMETRY_COUNTS = frozenset(
    k
    for name in ("tool_calls", "tokens_in", "tokens_out", "cache_read_tokens", "cache_write_tokens", "duration_ms")
    for k in (name, to_camel(name))
)


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
                data["metadata"] = {
                    **metadata,
                    "extraFields": {**(previous if isinstance(previous, dict) else {}), **extra},
                }
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
