"""Harbor jobs: a job folder (``config.json``, ``result.json``) with one folder per trial (``result.json``, the
agent's ATIF trajectory in ``agent/trajectory.json``).

Read after Harbor's own models (``harbor.models.job.result.JobResult``, ``harbor.models.trial.result.TrialResult``,
``harbor.models.trial.error_policy``; Harbor needs Python >= 3.12, so the tests write their inputs with those
models in a separate interpreter). One run per trial; attempts of a task by one configuration are its repeats.
docs/import.md has the field mapping.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ...models import BatchRecord, RunRecord, total_score
from .atif import transcript_from_atif
from .common import (
    FileProblem,
    ImportOptions,
    Scrubber,
    Source,
    SourceError,
    agent_and_model,
    cap,
    clean_name,
    configuration_name,
    count,
    item_for,
    ms_between,
    number,
    obj,
    parse_json,
    price,
    provenance,
    read_bytes,
    read_json,
    relative,
    run_id,
    sha256,
    skip_unmapped,
    timestamp,
)

FORMAT = "harbor"

# Harbor's error policy (harbor.models.trial.error_policy) groups exception types by what they mean for the
# trial; zebench's failure categories follow the same groups.
#: The environment or sandbox failed: the harness's fault.
_ENVIRONMENT = {
    "EnvironmentStartTimeoutError",
    "SandboxBuildFailedError",
    "AgentSetupTimeoutError",
    "HealthcheckError",
    "SandboxLikelyOutOfMemoryError",
    "MemoryLimitExceededError",
    "SSHAccessError",
    "GKEExecStreamClosedError",
    "GKEPodNotFoundError",
    "RuntimeRequestError",
    "AddTestsDirError",
    "DownloadVerifierDirError",
    "AgentAuthenticationError",
    "ModelNotFoundError",
    "ApiProviderResourceNotFoundError",
    "AuthenticationError",
    "PermissionDeniedError",
    "NotFoundError",
    "ServiceOperationsUnsupportedError",
    "VercelScopeError",
    "DspyImportError",
    "MissingExtraError",
    "RegradeError",
}
#: The model provider refused or failed the request.
_RATE_LIMITED = {"ApiRateLimitError", "RateLimitError", "ApiUsageLimitError"}
_PROVIDER = {
    "ApiError",
    "ApiInternalServerError",
    "ApiOverloadedError",
    "ApiConnectionClosedError",
    "ApiResponseStalledError",
    "UnknownApiError",
    "NetworkConnectionError",
    "ApiConnectionError",
    "InternalServerError",
    "ServiceUnavailableError",
    "APIConnectionError",
    "APIError",
    "Timeout",
}
#: The verifier could not give a reward.
_VERIFIER = {"VerifierTimeoutError", "RewardFileNotFoundError", "RewardFileEmptyError", "VerifierOutputParseError"}
#: The agent's own doing (Harbor grades these: their reward is valid).
_AGENT_TIMEOUT = {"AgentTimeoutError"}
_AGENT = {
    "NonZeroAgentExitCodeError",
    "ContextWindowExceededError",
    "OutputTokenExceededError",
    "ContextLengthExceededError",
    "OutputLengthExceededError",
    "AgentSafetyRefusalError",
    "ContentPolicyViolationError",
    "UnsupportedModelParametersError",
    "BadRequestError",
    "UnprocessableEntityError",
    "UnsupportedParamsError",
    "APIResponseValidationError",
    "BudgetExceededError",
}
#: Exception types whose reward Harbor counts (error_policy: has_valid_reward).
VALID_REWARD = _AGENT_TIMEOUT | {
    "NonZeroAgentExitCodeError",
    "ContextWindowExceededError",
    "OutputTokenExceededError",
    "ContextLengthExceededError",
    "OutputLengthExceededError",
    "AgentSafetyRefusalError",
    "ContentPolicyViolationError",
}
#: Harbor trial phases -> zebench stages.
STAGES = {
    "environment_setup": "workspace",
    "agent_setup": "setup",
    "agent_execution": "agent",
    "verifier": "validation",
}


def category(exception_type: str) -> tuple[str, str]:
    """(status, zebench failure category) of a trial that has no valid reward because of this exception."""
    if exception_type == "CancelledError":
        return "cancelled", "cancelled"
    if exception_type in _RATE_LIMITED:
        return "failed", "rate_limited"
    if exception_type in _ENVIRONMENT or exception_type in _PROVIDER:
        return "failed", "infrastructure"
    if exception_type in _VERIFIER:
        return "failed", "evaluation"
    if exception_type in _AGENT_TIMEOUT:
        return "timeout", "timeout"
    if exception_type in _AGENT:
        return "failed", "agent"
    return "failed", "unknown"


def _is_trial(path: Path) -> bool:
    return (
        (path / "result.json").is_file()
        and ((path / "agent").is_dir() or (path / "config.json").is_file())
        and _looks_like(path / "result.json", b'"trial_name"')
    )


def _looks_like(path: Path, marker: bytes) -> bool:
    try:
        with path.open("rb") as f:
            return marker in f.read(65536)
    except OSError:
        return False


def detect(path: Path) -> bool:
    """A job folder: its result.json is a JobResult (n_total_trials), or it holds trial folders."""
    if not path.is_dir():
        return False
    result = path / "result.json"
    if result.is_file() and _looks_like(result, b'"n_total_trials"'):
        return True
    if result.is_file() and _looks_like(result, b'"trial_name"'):
        return False  # a trial folder: imported with its job
    return (path / "config.json").is_file() and any(_is_trial(c) for c in path.iterdir() if c.is_dir())


def read(path: Path, options: ImportOptions) -> Iterator[Source]:
    source = Source(FORMAT, path)
    scrub = Scrubber(path)
    job, job_digest = _job(path, source)
    config = _config(path, source)
    job_id = str(job.get("id") or config.get("job_name") or path.name)
    batch_id = f"harbor-{clean_name(job_id)}"
    version = _version(config, job)
    for key, (trial, digest, folder) in _trials(path, job, source).items():
        where = folder / "result.json" if folder else path / "result.json"
        try:
            record = _run(trial, folder, options, scrub, batch_id)
        except SourceError as exc:
            source.problems.append(FileProblem(str(where), str(exc).split(": ", 1)[-1]))
            continue
        if record is None:
            source.skipped += 1
            continue
        record["metadata"]["source"] = provenance(
            FORMAT,
            version,
            relative(where, path),
            digest,
            {"trialId": trial.get("id"), "trialName": trial.get("trial_name"), "taskName": trial.get("task_name")},
            jobId=job.get("id"),
            jobName=config.get("job_name") or path.name,
        )
        record["runId"] = run_id(FORMAT, job_id, key)
        try:
            source.runs.append(RunRecord.model_validate(record))
        except ValueError as exc:
            source.problems.append(FileProblem(str(where), _brief(exc)))
    _index_attempts(source.runs)
    source.reported = _reported(job)
    if not source.runs and not job:
        yield source
        return
    created = timestamp(job.get("started_at")) or min((r.started_at for r in source.runs), default=None)
    source.batch = BatchRecord.model_validate(
        {
            "batchId": batch_id,
            "createdAt": created or "1970-01-01T00:00:00Z",
            "completedAt": timestamp(job.get("finished_at")),
            "expectedRuns": count(job.get("n_total_trials")) if job.get("n_total_trials") is not None else None,
            "metadata": scrub.value(
                {
                    "source": {
                        "harness": FORMAT,
                        "version": version,
                        "file": relative(path / "result.json", path),
                        "sha256": job_digest,
                        "jobId": job.get("id"),
                        "jobName": config.get("job_name"),
                        "nAttempts": config.get("n_attempts"),
                    },
                    "reported": _finite(source.reported),
                }
            ),
        }
    )
    yield source


def _job(path: Path, source: Source) -> tuple[dict[str, Any], str | None]:
    """The job's result.json ({} when it is missing or broken: a problem of the source) and its digest."""
    job: Any = {}
    digest = None
    try:
        data = read_bytes(path / "result.json") if (path / "result.json").is_file() else None
        if data is not None:
            job = parse_json(data, str(path / "result.json"))
            digest = sha256(data)
            if not isinstance(job, dict):
                raise SourceError(f"{path / 'result.json'}: a job result is an object")
    except SourceError as exc:
        source.problems.append(FileProblem(str(path / "result.json"), str(exc).split(": ", 1)[-1]))
        job = {}
    return job, digest


def _config(path: Path, source: Source) -> dict[str, Any]:
    if not (path / "config.json").is_file():
        return {}
    try:
        loaded = read_json(path / "config.json")
    except SourceError as exc:
        source.problems.append(FileProblem(str(path / "config.json"), str(exc).split(": ", 1)[-1]))
        return {}
    return loaded if isinstance(loaded, dict) else {}


def _trials(path: Path, job: dict[str, Any], source: Source) -> dict[str, tuple[dict[str, Any], str, Path | None]]:
    """Each trial by id: its result, digest and folder. The trials the job result carries (older layouts), then
    the trial folders (the trial's own file wins)."""
    trials: dict[str, tuple[dict[str, Any], str, Path | None]] = {}
    for t in job.get("trial_results") or []:
        if isinstance(t, dict):
            trials[str(t.get("id") or t.get("trial_name"))] = (t, sha256(repr(sorted(t.items())).encode()), None)
    for child in sorted(p for p in path.iterdir() if p.is_dir()):
        if not (child / "result.json").is_file():
            continue
        try:
            raw = read_bytes(child / "result.json")
            trial = parse_json(raw, str(child / "result.json"))
            if not isinstance(trial, dict) or "trial_name" not in trial:
                raise SourceError(f"{child / 'result.json'}: not a Harbor trial result (no trial_name)")
        except SourceError as exc:
            source.problems.append(FileProblem(str(child / "result.json"), str(exc).split(": ", 1)[-1]))
            continue
        trials[str(trial.get("id") or trial.get("trial_name"))] = (trial, sha256(raw), child)
    return trials


def _reported(job: dict[str, Any]) -> dict[str, Any]:
    """The job's own counts, as it reports them."""
    stats = obj(job.get("stats"))
    return {
        "nTotalTrials": job.get("n_total_trials"),
        "nCompletedTrials": stats.get("n_completed_trials", stats.get("n_trials")),
        "nErroredTrials": stats.get("n_errored_trials", stats.get("n_errors")),
        "evals": {
            k: {
                "nTrials": v.get("n_trials"),
                "nErrors": v.get("n_errors"),
                "metrics": v.get("metrics"),
                "passAtK": v.get("pass_at_k"),
            }
            for k, v in (stats.get("evals") or {}).items()
            if isinstance(v, dict)
        },
    }


def _finite(value: Any) -> Any:
    from .common import finite

    return finite(value)


def _brief(exc: Exception) -> str:
    from pydantic import ValidationError

    if isinstance(exc, ValidationError):
        return "; ".join(f"{'.'.join(map(str, e['loc'])) or '(record)'}: {e['msg']}" for e in exc.errors()[:3])
    return str(exc)


def _version(config: dict[str, Any], job: dict[str, Any]) -> str | None:
    for holder in (config, job):
        for key in ("harbor_version", "version"):
            if isinstance(holder.get(key), str):
                return str(holder[key])
    return None


def _index_attempts(runs: list[RunRecord]) -> None:
    """Attempts of a task by one configuration are its repeats, in the order they started."""
    groups: dict[tuple[str, ...], list[RunRecord]] = {}
    for r in runs:
        groups.setdefault((r.suite, r.scenario, r.tier, r.agent, r.model or ""), []).append(r)
    for group in groups.values():
        group.sort(key=lambda r: (r.started_at, r.run_id))
        for i, r in enumerate(group):
            r.repeat_index = i


def _exceptions(trial: dict[str, Any]) -> list[dict[str, Any]]:
    found = [trial["exception_info"]] if isinstance(trial.get("exception_info"), dict) else []
    for step in trial.get("step_results") or []:
        if isinstance(step, dict) and isinstance(step.get("exception_info"), dict):
            found.append(step["exception_info"])
    return found


def _rewards(trial: dict[str, Any]) -> dict[str, Any] | None:
    verifier = trial.get("verifier_result")
    rewards = verifier.get("rewards") if isinstance(verifier, dict) else None
    return rewards if isinstance(rewards, dict) and rewards else None


def _run(
    trial: dict[str, Any], folder: Path | None, options: ImportOptions, scrub: Scrubber, batch_id: str
) -> dict[str, Any] | None:
    task = trial.get("task_name") or trial.get("trial_name")
    suite = trial.get("source") or "harbor"
    item = item_for(options, suite, task)
    if skip_unmapped(options, item):
        return None
    info = obj(trial.get("agent_info"))
    agent_config = obj(obj(trial.get("config")).get("agent"))
    agent, model = agent_and_model(options, *_configuration(info, agent_config))
    rewards = _rewards(trial)
    exceptions = _exceptions(trial)
    types = [str(e.get("exception_type")) for e in exceptions]
    reward_valid = rewards is not None and all(t in VALID_REWARD or _unknown(t) for t in types)
    threshold = 1.0 if options.threshold is None else options.threshold
    key = "reward" if rewards and "reward" in rewards else (next(iter(rewards)) if rewards else None)
    value = number(rewards.get(key)) if rewards and key else None
    status, failure = ("completed", None) if reward_valid and value is not None else _failure(exceptions, types)
    metadata: dict[str, Any] = {}
    if exceptions:
        metadata["sourceExceptions"] = [
            {
                "type": e.get("exception_type"),
                "message": cap(str(e.get("exception_message") or ""), 4000),
                "occurredAt": e.get("occurred_at"),
            }
            for e in exceptions
        ]
    if rewards is not None:
        metadata["rewards"] = _finite(rewards)
    metadata["configuration"] = {
        "agent": info.get("name"),
        "version": info.get("version"),
        "kwargs": _finite(agent_config.get("kwargs")),
    }
    transcript, telemetry, metadata["costSource"] = _usage(trial, folder, model)
    started = timestamp(trial.get("started_at"))
    finished = timestamp(trial.get("finished_at"))
    score10 = None if value is None or status != "completed" else 10.0 * min(1.0, max(0.0, value))
    return scrub.record(
        {
            "batchId": batch_id,
            "suite": item.suite,
            "scenario": item.scenario,
            "tier": item.tier,
            "agent": agent,
            "model": model,
            "status": status,
            "startedAt": started or finished or "1970-01-01T00:00:00Z",
            "completedAt": finished,
            "totalScore": total_score(score10),
            "weightedScore": score10,
            "successMetric": value if status == "completed" else None,
            "isSuccessful": status == "completed" and value is not None and value >= threshold,
            "failure": failure,
            "metadata": metadata,
            "evaluations": _evaluations(rewards, key),
            "telemetry": {
                **telemetry,
                "toolCalls": len(transcript["toolCalls"]) if transcript else 0,
                "durationMs": ms_between(started, finished) or 0,
                "stageMs": _stage_ms(trial),
            },
            "transcript": transcript,
        }
    )


def _configuration(info: dict[str, Any], agent_config: dict[str, Any]) -> tuple[str, str | None]:
    """The trial's agent (its name, version and settings as one configuration name) and model (provider/name)."""
    model_info = obj(info.get("model_info"))
    model = None
    if model_info.get("name"):
        model = f"{model_info['provider']}/{model_info['name']}" if model_info.get("provider") else model_info["name"]
    agent = configuration_name(
        info.get("name") or agent_config.get("name") or "harbor-agent",
        info.get("version"),
        agent_config.get("kwargs") or None,
    )
    return agent, model


def _failure(exceptions: list[dict[str, Any]], types: list[str]) -> tuple[str, dict[str, Any]]:
    """The status and failure of a trial without a valid reward: its first exception's, else an evaluation
    failure (the verifier gave none)."""
    if not exceptions:
        return "failed", {"category": "evaluation", "stage": "validation", "message": "the verifier gave no reward"}
    status, cat = category(types[0])
    first = exceptions[0]
    message = cap(f"{first.get('exception_type')}: {first.get('exception_message') or ''}", 4000)
    if status == "cancelled":
        return status, {"category": "cancelled", "stage": "agent", "message": message}
    return status, {"category": cat, "stage": "agent" if cat in ("agent", "timeout") else "setup", "message": message}


def _stage_ms(trial: dict[str, Any]) -> dict[str, int]:
    stage_ms = {}
    for phase, stage in STAGES.items():
        timing = trial.get(phase)
        if isinstance(timing, dict):
            ms = ms_between(timing.get("started_at"), timing.get("finished_at"))
            if ms is not None:
                stage_ms[stage] = ms
    return stage_ms


def _usage(
    trial: dict[str, Any], folder: Path | None, model: str | None
) -> tuple[dict[str, Any] | None, dict[str, Any], str]:
    """The trial's transcript (its ATIF trajectory, when the folder has one), its tokens and cost (the trial's own
    figures, else the trajectory's totals, else the price table), and where the cost came from."""
    usage = obj(trial.get("agent_result"))
    transcript: dict[str, Any] | None = None
    totals: dict[str, Any] = {}
    if folder is not None and (folder / "agent" / "trajectory.json").is_file():
        trajectory = read_json(folder / "agent" / "trajectory.json")
        if not isinstance(trajectory, dict):
            raise SourceError(f"{folder / 'agent' / 'trajectory.json'}: an ATIF trajectory is an object")
        transcript, totals = transcript_from_atif(trajectory)
    n_input = usage.get("n_input_tokens")
    n_cache = count(usage.get("n_cache_tokens"))
    n_output = usage.get("n_output_tokens")
    if n_input is None and totals:
        n_input, n_cache, n_output = totals.get("prompt"), totals.get("cached") or 0, totals.get("completion")
    tokens_in = max(0, count(n_input) - n_cache)
    cost = number(usage.get("cost_usd"))
    if cost is None and totals.get("cost") is not None:
        cost = totals["cost"]
    source = "source" if cost is not None else "zebench price table"
    if cost is None:
        cost = price(model, tokens_in, count(n_output), n_cache)
        if cost is None:
            source = "unknown"
    telemetry = {"tokensIn": tokens_in, "tokensOut": count(n_output), "cacheReadTokens": n_cache, "costUsd": cost}
    return transcript, telemetry, source


def _evaluations(rewards: dict[str, Any] | None, key: str | None) -> list[dict[str, Any]]:
    """One evaluation per reward; the main one (``reward``, else the first) weighs the score."""
    return [
        {
            "evaluatorName": clean_name(f"harbor:{name}"),
            "score": min(1.0, max(0.0, v)) if v is not None else None,
            "applicable": v is not None,
            "weight": 1.0 if name == key else 0.0,
            "kind": "task" if name == key else "info",
            "details": {"reward": _finite(raw)},
            "costUsd": None,
        }
        for name, raw in (rewards or {}).items()
        for v in [number(raw)]
    ]


def _unknown(exception_type: str) -> bool:
    """Harbor's default policy for a type it does not list: graded, its reward valid."""
    known = _ENVIRONMENT | _RATE_LIMITED | _PROVIDER | _VERIFIER | _AGENT | _AGENT_TIMEOUT | {"CancelledError"}
    return exception_type not in known
