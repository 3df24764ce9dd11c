"""Terminal-Bench runs (``tb run`` output folders, as its leaderboard publishes them): ``run_metadata.json``, the
run's ``results.json`` (``BenchmarkResults``: every trial) and one ``<task>/<trial>/results.json`` per trial
(``TrialResults``); also a folder of trial folders alone, or a folder holding only the run-level files.

Read after Terminal-Bench's own models (``terminal_bench.harness.models``: ``RunMetadata``, ``TrialResults``,
``BenchmarkResults``; ``terminal_bench.agents.failure_mode.FailureMode``). A trial in both the run's results and
its own file is counted once (its own file wins: the harness rebuilds the run's file from them). One run per
trial; ``<task>.<n>-of-<N>.<run>`` trial names give the attempt, the repeat. docs/import.md has the mapping.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ...models import BatchRecord, RunRecord, total_score
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
    finite,
    item_for,
    ms_between,
    number,
    parse_json,
    price,
    provenance,
    read_bytes,
    relative,
    run_id,
    sha256,
    skip_unmapped,
    timestamp,
)

FORMAT = "terminal-bench"
#: FailureMode -> (status, zebench category) for a trial that did not resolve its task. An agent that ran out of
#: time is the agent's failure (a timeout), not the harness's; a test or parse failure is the harness's.
FAILURE_MODES: dict[str, tuple[str, str]] = {
    "agent_timeout": ("timeout", "timeout"),
    "unknown_agent_error": ("failed", "agent"),
    "fatal_llm_parse_error": ("failed", "agent"),
    "context_length_exceeded": ("failed", "agent"),
    "output_length_exceeded": ("failed", "agent"),
    "agent_installation_failed": ("failed", "setup"),
    "test_timeout": ("failed", "validation"),
    "parse_error": ("failed", "evaluation"),
    "unknown": ("failed", "unknown"),
}
_TRIAL_NAME = re.compile(r"\.(?P<n>\d+)-of-(?P<of>\d+)\.")


def _is_trial_file(path: Path) -> bool:
    try:
        with path.open("rb") as f:
            head = f.read(65536)
    except OSError:
        return False
    return b'"trial_name"' in head and b'"task_id"' in head


def _trial_files(path: Path) -> list[Path]:
    """``<task>/<trial>/results.json`` below a run folder."""
    out = []
    for task in sorted(p for p in path.iterdir() if p.is_dir()):
        for trial in sorted(p for p in task.iterdir() if p.is_dir()):
            if (trial / "results.json").is_file():
                out.append(trial / "results.json")
    return out


def detect(path: Path) -> bool:
    if not path.is_dir():
        return False
    if (path / "run_metadata.json").is_file():
        return True
    results = path / "results.json"
    if results.is_file():
        try:
            with results.open("rb") as f:
                head = f.read(65536)
        except OSError:
            return False
        if b'"results"' in head and (b'"is_resolved"' in head or b'"n_resolved"' in head or b"[]" in head):
            return True
        return False
    # the leaderboard's layout: task folders of trial folders, no run-level file
    return any(_is_trial_file(f) for f in _trial_files(path)[:3])


def read(path: Path, options: ImportOptions) -> Iterator[Source]:
    source = Source(FORMAT, path)
    scrub = Scrubber(path)
    metadata = _run_metadata(path, source)
    aggregate, trials = _results(path, source)
    run_name = str(metadata.get("run_id") or path.name)
    run_key = str(metadata.get("uuid") or aggregate.get("id") or run_name)
    batch_id = f"tb-{clean_name(run_key)}"
    agent_name = metadata.get("agent_name") or "terminal-bench-agent"
    agent = configuration_name(agent_name, None, metadata.get("agent_kwargs") or None)
    model = metadata.get("model_name")
    agent, model = agent_and_model(options, agent, model)
    suite = metadata.get("dataset_name") or "terminal-bench"
    if metadata.get("dataset_version"):
        suite = f"{suite}@{metadata['dataset_version']}"
    version = metadata.get("dataset_version")
    for name, (trial, digest, file) in trials.items():
        item = item_for(options, suite, trial.get("task_id"))
        if skip_unmapped(options, item):
            source.skipped += 1
            continue
        record = _run(trial, item, agent, model, batch_id, scrub)
        record["metadata"]["source"] = provenance(
            FORMAT,
            version,
            relative(file, path),
            digest,
            {"trialName": trial.get("trial_name"), "taskId": trial.get("task_id"), "id": trial.get("id")},
            runId=metadata.get("run_id"),
            commit=metadata.get("commit_hash"),
        )
        record["metadata"]["configuration"] = {"agent": agent_name, "agentKwargs": finite(metadata.get("agent_kwargs"))}
        record["runId"] = run_id(FORMAT, run_key, name)
        try:
            source.runs.append(RunRecord.model_validate(record))
        except ValueError as exc:
            from .harbor import _brief

            source.problems.append(FileProblem(str(file), f"trial {name}: {_brief(exc)}"))
    _index_attempts(source.runs)
    resolved = [t for t, _, _ in trials.values() if t.get("is_resolved")]
    source.reported = finite(
        {
            "accuracy": metadata.get("accuracy", aggregate.get("accuracy")),
            "nResolved": aggregate.get("n_resolved"),
            "nUnresolved": aggregate.get("n_unresolved"),
            "passAtK": metadata.get("pass_at_k") or aggregate.get("pass_at_k"),
            "trials": len(trials),
            "resolvedTrials": len(resolved),
        }
    )
    if not trials and not metadata and not aggregate:
        yield source
        return
    n_tasks = count(metadata.get("n_tasks") or metadata.get("dataset_size")) or None
    attempts = count(metadata.get("n_attempts")) or 1
    starts = [r.started_at for r in source.runs]
    source.batch = BatchRecord.model_validate(
        {
            "batchId": batch_id,
            "createdAt": timestamp(metadata.get("start_time")) or min(starts, default="1970-01-01T00:00:00Z"),
            "completedAt": timestamp(metadata.get("end_time")),
            "expectedRuns": n_tasks * attempts if n_tasks else None,
            "metadata": scrub.value(
                {
                    "source": {
                        "harness": FORMAT,
                        "version": version,
                        "runId": metadata.get("run_id"),
                        "uuid": metadata.get("uuid"),
                        "dataset": metadata.get("dataset_name"),
                        "nAttempts": attempts,
                        "commit": metadata.get("commit_hash"),
                    },
                    "reported": source.reported,
                }
            ),
        }
    )
    yield source


Trials = dict[str, tuple[dict[str, Any], str, Path]]


def _run_metadata(path: Path, source: Source) -> dict[str, Any]:
    """run_metadata.json ({} when it is missing or broken: a problem of the source)."""
    if not (path / "run_metadata.json").is_file():
        return {}
    try:
        loaded = parse_json(read_bytes(path / "run_metadata.json"), str(path / "run_metadata.json"))
    except SourceError as exc:
        source.problems.append(FileProblem(str(path / "run_metadata.json"), str(exc).split(": ", 1)[-1]))
        return {}
    return loaded if isinstance(loaded, dict) else {}


def _results(path: Path, source: Source) -> tuple[dict[str, Any], Trials]:
    """The run's results.json and each trial by name: its result, digest and file. The trials results.json lists,
    then the trials' own files, which win (a broken one drops the trial)."""
    trials: Trials = {}
    aggregate: dict[str, Any] = {}
    if (path / "results.json").is_file():
        try:
            raw = read_bytes(path / "results.json")
            loaded = parse_json(raw, str(path / "results.json"))
            if not isinstance(loaded, dict) or not isinstance(loaded.get("results", []), list):
                raise SourceError(f"{path / 'results.json'}: not Terminal-Bench results (no results list)")
            aggregate = loaded
            for t in loaded.get("results") or []:
                if isinstance(t, dict) and t.get("trial_name"):
                    trials[str(t["trial_name"])] = (t, sha256(repr(sorted(t.items())).encode()), path / "results.json")
        except SourceError as exc:
            source.problems.append(FileProblem(str(path / "results.json"), str(exc).split(": ", 1)[-1]))
    for file in _trial_files(path):
        try:
            raw = read_bytes(file)
            trial = parse_json(raw, str(file))
            if not isinstance(trial, dict) or "trial_name" not in trial or "task_id" not in trial:
                raise SourceError(f"{file}: not a Terminal-Bench trial result (no trial_name, task_id)")
        except SourceError as exc:
            source.problems.append(FileProblem(str(file), str(exc).split(": ", 1)[-1]))
            trials.pop(file.parent.name, None)  # the trial's own file is the truth: a broken one is not imported
            continue
        trials[str(trial["trial_name"])] = (trial, sha256(raw), file)
    return aggregate, trials


def _index_attempts(runs: list[RunRecord]) -> None:
    groups: dict[tuple[str, str, str], list[RunRecord]] = {}
    for r in runs:
        groups.setdefault((r.suite, r.scenario, r.tier), []).append(r)
    for group in groups.values():
        group.sort(key=lambda r: (_attempt(r.metadata["source"]["ids"].get("trialName")), r.started_at, r.run_id))
        for i, r in enumerate(group):
            r.repeat_index = i


def _attempt(trial_name: Any) -> int:
    match = _TRIAL_NAME.search(str(trial_name or ""))
    return int(match.group("n")) if match else 0


def _run(
    trial: dict[str, Any], item: Any, agent: str, model: str | None, batch_id: str, scrub: Scrubber
) -> dict[str, Any]:
    resolved = trial.get("is_resolved") is True
    mode = str(trial.get("failure_mode") or "unset")
    parser = trial.get("parser_results") if isinstance(trial.get("parser_results"), dict) else None
    status, failure = "completed", None
    if not resolved and mode not in ("unset", "none"):
        status, cat = FAILURE_MODES.get(mode, ("failed", "unknown"))
        failure = {
            "category": cat,
            "stage": "agent" if cat in ("agent", "timeout") else "validation",
            "message": f"failure mode: {mode}",
        }
    elif not resolved and trial.get("is_resolved") is None and parser is None:
        status, failure = "failed", {"category": "unknown", "stage": "validation", "message": "no verdict"}
    checks = [{"name": name, "passed": str(value) == "passed"} for name, value in (parser or {}).items()]
    evaluations = []
    if parser is not None:
        passed = sum(c["passed"] for c in checks)
        evaluations.append(
            {
                "evaluatorName": "terminal-bench:tests",
                "score": passed / len(checks) if checks else None,
                "applicable": bool(checks),
                "weight": 1.0,
                "kind": "task",
                "details": {"checks": checks, "isResolved": trial.get("is_resolved")},
                "costUsd": None,
            }
        )
    tokens_in, tokens_out = count(trial.get("total_input_tokens")), count(trial.get("total_output_tokens"))
    cost = price(model, tokens_in, tokens_out)
    started = timestamp(trial.get("trial_started_at"))
    ended = timestamp(trial.get("trial_ended_at"))
    stage_ms = {}
    for stage, (a, b) in {
        "agent": ("agent_started_at", "agent_ended_at"),
        "validation": ("test_started_at", "test_ended_at"),
    }.items():
        ms = ms_between(timestamp(trial.get(a)), timestamp(trial.get(b)))
        if ms is not None:
            stage_ms[stage] = ms
    score10 = (10.0 if resolved else 0.0) if status == "completed" else None
    return scrub.record(
        {
            "batchId": batch_id,
            "suite": item.suite,
            "scenario": item.scenario,
            "tier": item.tier,
            "agent": agent,
            "model": model,
            "status": status,
            "startedAt": started or ended or "1970-01-01T00:00:00Z",
            "completedAt": ended,
            "totalScore": total_score(score10),
            "weightedScore": score10,
            "successMetric": (1.0 if resolved else 0.0) if status == "completed" else None,
            "isSuccessful": resolved and status == "completed",
            "failure": failure,
            "metadata": {
                "isResolved": trial.get("is_resolved"),
                "failureMode": mode,
                "instruction": cap(str(trial["instruction"]), 4000) if trial.get("instruction") else None,
                "costSource": "zebench price table" if cost is not None else "unknown",
                "tokensReported": number(trial.get("total_input_tokens")) is not None,
            },
            "evaluations": evaluations,
            "telemetry": {
                "tokensIn": tokens_in,
                "tokensOut": tokens_out,
                "costUsd": cost,
                "durationMs": ms_between(started, ended) or 0,
                "stageMs": stage_ms,
            },
        }
    )
