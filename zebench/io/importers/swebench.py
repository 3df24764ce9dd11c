"""SWE-bench evaluations: the per-instance ``report.json`` files under ``logs/run_evaluation/<run>/<model>/<instance>/``
(written by ``swebench.harness.grading.get_eval_report``; the model patch beside it as ``patch.diff``), and the run's
summary ``<model>.<run>.json`` (``swebench.harness.reporting.make_run_report``: total, resolved, error and
empty-patch ids), given as a path of its own or found beside the logs.

One run per instance the run submitted; ``resolved`` is the verdict, ``infra_failure`` an infrastructure failure,
FAIL_TO_PASS and PASS_TO_PASS results the checks, the patch the run's diff. A summary alone (a leaderboard's
published results) imports its ids' verdicts without details. docs/import.md has the mapping.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ...models import BatchRecord, RunRecord, total_score
from .common import (
    PATCH_CAP,
    PATCH_TOTAL_CAP,
    FileProblem,
    ImportOptions,
    Scrubber,
    Source,
    SourceError,
    agent_and_model,
    clean_name,
    configuration_name,
    finite,
    item_for,
    obj,
    parse_json,
    provenance,
    read_bytes,
    relative,
    run_id,
    sha256,
    skip_unmapped,
    timestamp,
)

FORMAT = "swe-bench"
_SUMMARY_KEYS = (b'"resolved_ids"', b'"total_instances"')
_DIFF_FILE = re.compile(r"^diff --git a/(?P<a>\S+) b/(?P<b>\S+)", re.MULTILINE)


def _head(path: Path) -> bytes:
    try:
        with path.open("rb") as f:
            return f.read(1 << 20)
    except OSError:
        return b""


def is_summary(path: Path) -> bool:
    return path.is_file() and path.suffix == ".json" and all(k in _head(path) for k in _SUMMARY_KEYS)


def _reports(path: Path) -> list[Path]:
    return sorted(p / "report.json" for p in path.iterdir() if p.is_dir() and (p / "report.json").is_file())


def detect(path: Path) -> bool:
    """A model folder of a run's logs (instance folders with report.json), or a run summary file."""
    if path.is_file():
        return is_summary(path)
    return path.is_dir() and bool(_reports(path))


def read(path: Path, options: ImportOptions) -> Iterator[Source]:
    source = Source(FORMAT, path)
    scrub = Scrubber(path)
    if path.is_file():
        summary_path: Path | None = path
        model_dir: Path | None = None
        run_name, model_name = _names_from_summary(path)
    else:
        model_dir = path
        model_name, run_name = path.name, path.parent.name
        summary_path = _find_summary(path, model_name, run_name)
    summary, summary_digest = _summary(summary_path, source) if summary_path is not None else ({}, None)
    model = model_name.replace("__", "/")
    agent = configuration_name(model_name)
    agent, model_opt = agent_and_model(options, agent, model)
    batch_id = f"swebench-{clean_name(run_name)}-{clean_name(model_name)}"
    suite = "swe-bench"
    seen: set[str] = set()
    for report_path in _reports(model_dir) if model_dir is not None else []:
        report = _report(report_path, source)
        if report is None:
            seen.add(report_path.parent.name)  # a broken report is not replaced by the summary's word
            continue
        instance, result, patch, raw = report
        seen.add(str(instance))
        item = item_for(options, suite, instance)
        if skip_unmapped(options, item):
            source.skipped += 1
            continue
        record = _from_report(result, patch, item, agent, model_opt, batch_id, report_path)
        record["metadata"]["source"] = provenance(
            FORMAT,
            None,
            relative(report_path, path),
            sha256(raw),
            {"instanceId": instance, "runId": run_name, "model": model_name},
        )
        record["runId"] = run_id(FORMAT, run_name, model_name, instance)
        _add(source, scrub.value(record), report_path)
    # instances the summary names without a report: their verdict (resolved, error, empty patch) alone
    for instance, verdict in _summary_verdicts(summary).items():
        if instance in seen:
            continue
        item = item_for(options, suite, instance)
        if skip_unmapped(options, item):
            source.skipped += 1
            continue
        record = _from_summary(verdict, item, agent, model_opt, batch_id, summary)
        record["metadata"]["source"] = provenance(
            FORMAT,
            None,
            relative(summary_path, path) if summary_path else "",
            summary_digest or "",
            {"instanceId": instance, "runId": run_name, "model": model_name},
        )
        record["runId"] = run_id(FORMAT, run_name, model_name, instance)
        _add(source, scrub.value(record), summary_path or path)
    source.reported = finite({k: summary.get(k) for k in REPORTED if k in summary})
    if not source.runs and not summary:
        yield source
        return
    total = summary.get("total_instances")
    source.batch = BatchRecord.model_validate(
        {
            "batchId": batch_id,
            "createdAt": min((r.started_at for r in source.runs), default="1970-01-01T00:00:00Z"),
            "expectedRuns": total if isinstance(total, int) and total >= 0 else None,
            "metadata": scrub.value(
                {
                    "source": {
                        "harness": FORMAT,
                        "runId": run_name,
                        "model": model_name,
                        "summary": relative(summary_path, path) if summary_path else None,
                        "sha256": summary_digest,
                    },
                    "reported": source.reported,
                }
            ),
        }
    )
    yield source


#: The summary's own counts, as it reports them.
REPORTED = (
    "total_instances",
    "submitted_instances",
    "completed_instances",
    "resolved_instances",
    "unresolved_instances",
    "error_instances",
    "empty_patch_instances",
    "infra_failure_instances",
)


def _summary(summary_path: Path, source: Source) -> tuple[dict[str, Any], str | None]:
    """The run summary and its digest ({} when it is broken: a problem of the source)."""
    try:
        raw = read_bytes(summary_path)
        loaded = parse_json(raw, str(summary_path))
        if not isinstance(loaded, dict):
            raise SourceError(f"{summary_path}: a run summary is an object")
    except SourceError as exc:
        source.problems.append(FileProblem(str(summary_path), str(exc).split(": ", 1)[-1]))
        return {}, None
    return loaded, sha256(raw)


def _report(report_path: Path, source: Source) -> tuple[Any, dict[str, Any], str | None, bytes] | None:
    """An instance's report.json: its instance id, result, the patch beside it and the file's bytes; None when it
    is broken (a problem of the source)."""
    folder = report_path.parent
    try:
        raw = read_bytes(report_path)
        report = parse_json(raw, str(report_path))
        if not isinstance(report, dict) or len(report) != 1 or not isinstance(next(iter(report.values())), dict):
            raise SourceError(f"{report_path}: not a SWE-bench report ({{instance_id: {{resolved, ...}}}})")
        instance, result = next(iter(report.items()))
        patch = (
            (folder / "patch.diff").read_text(encoding="utf-8", errors="replace")
            if (folder / "patch.diff").is_file()
            else None
        )
    except (SourceError, OSError) as exc:
        source.problems.append(FileProblem(str(report_path), str(exc).split(": ", 1)[-1]))
        return None
    return instance, result, patch, raw


def _add(source: Source, record: dict[str, Any], where: Path) -> None:
    try:
        source.runs.append(RunRecord.model_validate(record))
    except ValueError as exc:
        from .harbor import _brief

        source.problems.append(FileProblem(str(where), _brief(exc)))


def _names_from_summary(path: Path) -> tuple[str, str]:
    """``<model>.<run>.json``: the model has no dots of its own only when the run id has them, so the run id is
    taken from the summary's name after the model's, with the submitted ids' model when there is one."""
    stem = path.name[: -len(".json")]
    model, _, run = stem.partition(".")
    return (run or stem), model


def _find_summary(model_dir: Path, model: str, run: str) -> Path | None:
    """The run's summary beside the logs: SWE-bench writes ``<model>.<run>.json`` in its working folder, the one
    holding ``logs/``."""
    name = f"{model}.{run}.json"
    for folder in [model_dir, *model_dir.parents][:6]:
        if (folder / name).is_file():
            return folder / name
    return None


def _summary_verdicts(summary: dict[str, Any]) -> dict[str, str]:
    verdicts: dict[str, str] = {}
    for key, verdict in (
        ("unresolved_ids", "unresolved"),
        ("empty_patch_ids", "empty_patch"),
        ("error_ids", "error"),
        ("resolved_ids", "resolved"),
    ):
        for instance in summary.get(key) or []:
            verdicts[str(instance)] = verdict
    infra = {str(i) for i in summary.get("infra_failure_ids") or []}
    return {i: ("infra_failure" if i in infra and v != "resolved" else v) for i, v in verdicts.items()}


def _tests(result: dict[str, Any]) -> list[dict[str, Any]]:
    status = obj(result.get("tests_status"))
    evaluations = []
    for kind in ("FAIL_TO_PASS", "PASS_TO_PASS"):
        tests = status.get(kind) if isinstance(status.get(kind), dict) else None
        if tests is None:
            continue
        ok = [str(t) for t in tests.get("success") or []]
        bad = [str(t) for t in tests.get("failure") or []]
        checks = [{"name": t[:500], "passed": True} for t in ok] + [{"name": t[:500], "passed": False} for t in bad]
        evaluations.append(
            {
                "evaluatorName": f"swe-bench:{kind}",
                "score": len(ok) / len(checks) if checks else None,
                "applicable": bool(checks),
                "weight": 1.0 if kind == "FAIL_TO_PASS" else 0.0,
                "kind": "task" if kind == "FAIL_TO_PASS" else "hygiene",
                "details": {"checks": checks[:2000], "passed": len(ok), "failed": len(bad)},
                "costUsd": None,
            }
        )
    return evaluations


def diff_of(patch: str) -> dict[str, Any]:
    """A unified diff (git's) as the run's diff: files with their changes, patches capped like zebench's own."""
    files: list[dict[str, Any]] = []
    budget = PATCH_TOTAL_CAP
    chunks = re.split(r"(?=^diff --git )", patch, flags=re.MULTILINE)
    for chunk in chunks:
        match = _DIFF_FILE.match(chunk)
        if not match:
            continue
        change = (
            "added"
            if "\nnew file mode" in chunk[:500]
            else "deleted"
            if "\ndeleted file mode" in chunk[:500]
            else "modified"
        )
        lines = chunk.splitlines()
        additions = sum(1 for line in lines if line.startswith("+") and not line.startswith("+++"))
        deletions = sum(1 for line in lines if line.startswith("-") and not line.startswith("---"))
        limit = min(PATCH_CAP, budget)
        files.append(
            {
                "path": match.group("b") if change != "deleted" else match.group("a"),
                "change": change,
                "additions": additions,
                "deletions": deletions,
                "patch": chunk[:limit],
                "patchTruncated": len(chunk) > limit,
                "binary": "Binary files" in chunk[:1000],
            }
        )
        budget = max(0, budget - min(len(chunk), limit))
    return {"files": files}


def _from_report(
    result: dict[str, Any], patch: str | None, item: Any, agent: str, model: str | None, batch_id: str, where: Path
) -> dict[str, Any]:
    resolved = result.get("resolved") is True
    status, failure = "completed", None
    if not resolved and result.get("infra_failure"):
        status = "failed"
        failure = {
            "category": "infrastructure",
            "stage": "validation",
            "message": str(result.get("infra_failure_reason") or "infrastructure failure (SWE-bench)")[:4000],
        }
    elif result.get("patch_is_None") or result.get("patch_exists") is False:
        status, failure = "failed", {"category": "agent", "stage": "agent", "message": "no patch"}
    score10 = (10.0 if resolved else 0.0) if status == "completed" else None
    when = _log_time(where.parent / "run_instance.log") or "1970-01-01T00:00:00Z"
    return {
        "batchId": batch_id,
        "suite": item.suite,
        "scenario": item.scenario,
        "tier": item.tier,
        "agent": agent,
        "model": model,
        "status": status,
        "startedAt": when,
        "completedAt": when,
        "totalScore": total_score(score10),
        "weightedScore": score10,
        "successMetric": (1.0 if resolved else 0.0) if status == "completed" else None,
        "isSuccessful": resolved and status == "completed",
        "failure": failure,
        "metadata": {
            k: result.get(k)
            for k in (
                "patch_is_None",
                "patch_exists",
                "patch_successfully_applied",
                "resolved",
                "infra_failure",
                "infra_failure_reason",
            )
            if k in result
        },
        "evaluations": _tests(result),
        "diff": diff_of(patch) if patch else None,
    }


_LOG_TIME = re.compile(rb"^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2})(?:,(\d{3}))?")


def _log_time(path: Path) -> str | None:
    """The time of the first line of the instance's log (SWE-bench's logging format, local time taken as UTC):
    reports carry no time of their own."""
    try:
        with path.open("rb") as f:
            match = _LOG_TIME.match(f.read(64))
    except OSError:
        return None
    if not match:
        return None
    ms = (match.group(3) or b"000").decode()
    return timestamp(f"{match.group(1).decode()}T{match.group(2).decode()}.{ms}")


def _from_summary(
    verdict: str, item: Any, agent: str, model: str | None, batch_id: str, summary: dict[str, Any]
) -> dict[str, Any]:
    resolved = verdict == "resolved"
    status, failure = "completed", None
    if verdict == "infra_failure":
        reason = (summary.get("failure_reasons") or {}).get(item.scenario)
        status, failure = (
            "failed",
            {
                "category": "infrastructure",
                "stage": "validation",
                "message": str(reason or "infrastructure failure (SWE-bench)")[:4000],
            },
        )
    elif verdict == "error":
        status, failure = (
            "failed",
            {
                "category": "evaluation",
                "stage": "evaluation",
                "message": "SWE-bench's evaluation of this instance failed (error_ids)",
            },
        )
    elif verdict == "empty_patch":
        status, failure = "failed", {"category": "agent", "stage": "agent", "message": "empty patch"}
    score10 = (10.0 if resolved else 0.0) if status == "completed" else None
    return {
        "batchId": batch_id,
        "suite": item.suite,
        "scenario": item.scenario,
        "tier": item.tier,
        "agent": agent,
        "model": model,
        "status": status,
        "startedAt": "1970-01-01T00:00:00Z",
        "totalScore": total_score(score10),
        "weightedScore": score10,
        "successMetric": (1.0 if resolved else 0.0) if status == "completed" else None,
        "isSuccessful": resolved,
        "failure": failure,
        "metadata": {"verdict": verdict},
    }
