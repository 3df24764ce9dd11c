"""Inspect AI logs: ``.eval`` (a zip: ``header.json``, ``samples/<id>_epoch_<n>.json`` or, in the chunked
layout, ``samples/<id>_epoch_<n>/sample.json`` with ``messages/<start>.json`` and ``attachments/<start>.json``
chunks, ``reductions.json``) and ``.json`` (one EvalLog document).

Read after Inspect's own log schema (``inspect_ai.log.EvalLog`` / ``EvalSample``, format version 2): one run per
sample x epoch. Entries compressed with zstd (Inspect's default since 2026) are read through ``zipfile_zstd``,
which ``pip install "zebench[inspect]"`` brings with inspect-ai; the tests check this reader against
``inspect_ai.log.read_eval_log`` on logs that inspect-ai itself wrote. docs/import.md has the field mapping.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from ...models import BatchRecord, RunRecord, total_score
from .common import (
    FileProblem,
    ImportOptions,
    Scrubber,
    Source,
    SourceError,
    TranscriptBuilder,
    agent_and_model,
    cap,
    clean_name,
    configuration_name,
    count,
    expect,
    finite,
    item_for,
    number,
    obj,
    parse_json,
    price,
    provenance,
    read_bytes,
    relative,
    run_id,
    sha256,
    skip_unmapped,
    text_of,
    timestamp,
)

FORMAT = "inspect"
#: Inspect's score values (inspect_ai.scorer: CORRECT, INCORRECT, PARTIAL, NOANSWER) as numbers, the way its
#: default value_to_float reads them.
LETTER_VALUES = {"C": 1.0, "I": 0.0, "P": 0.5, "N": 0.0}
_WORD_VALUES = {"yes": 1.0, "true": 1.0, "correct": 1.0, "no": 0.0, "false": 0.0, "incorrect": 0.0}
#: zip compression methods: stored, deflated, bzip2, lzma; zstd (93) needs zipfile_zstd.
_ZSTD = 93
_SAMPLE_ENTRY = re.compile(r"^samples/(?P<key>.+)_epoch_(?P<epoch>\d+)(?P<chunked>/sample)?\.json$")
_RATE_LIMIT = re.compile(r"rate.?limit|\b429\b|overloaded|quota", re.IGNORECASE)


def detect(path: Path) -> bool:
    if path.suffix == ".eval":
        return True
    if path.suffix != ".json":
        return False
    try:
        with path.open("rb") as f:
            head = f.read(4096)
    except OSError:
        return False
    return b'"eval"' in head and (b'"version"' in head or b'"status"' in head)


def value_to_float(value: Any) -> float | None:
    """A score value as a number, as Inspect's default value_to_float reads it; None when it has no number."""
    if isinstance(value, str):
        text = value.strip()
        if text in LETTER_VALUES:
            return LETTER_VALUES[text]
        if text.lower() in _WORD_VALUES:
            return _WORD_VALUES[text.lower()]
        try:
            return float(text)
        except ValueError:
            return None
    return number(value)


def read(path: Path, options: ImportOptions) -> Iterator[Source]:
    source = Source(FORMAT, path)
    try:
        if path.suffix == ".eval":
            header, samples, reductions, digest = _read_eval(path)
        else:
            header, samples, reductions, digest = _read_json(path)
        _convert(source, path, header, samples, reductions, digest, options)
    except SourceError as exc:
        source.problems.append(FileProblem(str(path), str(exc).removeprefix(f"{path}: ")))
        source.runs = []
        source.batch = None
    yield source


# -- reading the two layouts ------------------------------------------------------------------------------------


def _zstd_support() -> bool:
    try:
        import zipfile_zstd  # type: ignore[import-not-found,import-untyped,unused-ignore]  # noqa: F401
    except ImportError:
        return False
    return True


def _read_eval(path: Path) -> tuple[dict[str, Any], list[tuple[dict[str, Any], str]], Any, str]:
    data = read_bytes(path)
    digest = sha256(data)
    import io

    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise SourceError(f"{path}: not a readable .eval archive (truncated or corrupt: {exc})") from None
    with archive:
        infos = {i.filename: i for i in archive.infolist()}
        if any(i.compress_type == _ZSTD for i in infos.values()) and not _zstd_support():
            raise SourceError(
                f'{path}: compressed with zstd (Inspect\'s default): pip install "zebench[inspect]" to read it'
            )

        def entry(name: str) -> bytes:
            try:
                return archive.read(infos[name])
            except (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError, KeyError) as exc:
                raise SourceError(f"{path}: entry {name} cannot be read ({exc}; truncated or corrupt?)") from None

        def entry_json(name: str) -> Any:
            return parse_json(entry(name), f"{path}: entry {name}")

        name = "header.json" if "header.json" in infos else "_journal/start.json"
        expect(name in infos, str(path), "no header.json: not an Inspect .eval log")
        header = entry_json(name)
        expect(isinstance(header, dict) and isinstance(header.get("eval"), dict), str(path), "header has no eval")
        samples: list[tuple[dict[str, Any], str]] = []
        folders: dict[str, list[str]] = {}  # entries by folder: a chunked sample's parts found without a scan
        for filename in infos:
            folders.setdefault(filename.rsplit("/", 1)[0], []).append(filename)
        for filename in sorted(infos, key=_natural):
            match = _SAMPLE_ENTRY.match(filename)
            if not match:
                continue
            raw = entry(filename)
            sample = parse_json(raw, f"{path}: entry {filename}")
            expect(isinstance(sample, dict), f"{path}: entry {filename}", "a sample is an object")
            if match.group("chunked"):
                prefix = filename.rsplit("/", 1)[0]
                raw += _chunked_parts(sample, prefix, folders, entry, entry_json)
            samples.append((sample, sha256(raw)))
        reductions = entry_json("reductions.json") if "reductions.json" in infos else None
    return header, samples, reductions, digest


def _natural(name: str) -> list[Any]:
    return [int(p) if p.isdigit() else p for p in re.split(r"(\d+)", name)]


def _chunked_parts(
    sample: dict[str, Any], prefix: str, folders: dict[str, list[str]], entry: Any, entry_json: Any
) -> bytes:
    """A chunked sample's messages (the ranges ``message_refs`` points at in its messages pool, chunks named by
    their first index) and attachments (referenced as ``attachment://<index>``), put back into the sample. Returns
    the chunks' bytes (part of the sample's hash)."""
    raw = b""

    def sequence(name: str) -> list[Any]:
        nonlocal raw
        starts = sorted(
            int(n.rsplit("/", 1)[1][:-5])
            for n in folders.get(f"{prefix}/{name}", [])
            if n.endswith(".json") and n.rsplit("/", 1)[1][:-5].isdigit()
        )
        items: list[Any] = []
        for start in starts:
            chunk_name = f"{prefix}/{name}/{start}.json"
            raw += entry(chunk_name)
            chunk = entry_json(chunk_name)
            expect(isinstance(chunk, list), chunk_name, "a chunk is a list")
            expect(start == len(items), chunk_name, f"chunk starts at {start}, after {len(items)} items")
            items.extend(chunk)
        return items

    pool = sequence("messages")
    refs = sample.get("message_refs")
    if isinstance(refs, list) and refs:
        messages: list[Any] = []
        for ref in refs:
            if isinstance(ref, list) and len(ref) == 2 and all(isinstance(x, int) for x in ref):
                messages.extend(pool[ref[0] : ref[1]])
        sample["messages"] = messages
    else:
        sample["messages"] = pool
    attachments = sequence("attachments")
    sample["attachments"] = {str(i): a for i, a in enumerate(attachments) if isinstance(a, str)}
    return raw


def _read_json(path: Path) -> tuple[dict[str, Any], list[tuple[dict[str, Any], str]], Any, str]:
    data = read_bytes(path)
    log = parse_json(data, str(path))
    expect(isinstance(log, dict) and isinstance(log.get("eval"), dict), str(path), "not an Inspect log (no eval)")
    samples = log.get("samples") or []
    expect(isinstance(samples, list), str(path), "samples is not a list")
    out = []
    for i, sample in enumerate(samples):
        expect(isinstance(sample, dict), f"{path}: samples[{i}]", "a sample is an object")
        out.append((sample, _sample_digest(sample)))
    return log, out, log.get("reductions"), sha256(data)


def _sample_digest(sample: dict[str, Any]) -> str:
    import json

    return sha256(json.dumps(sample, sort_keys=True, default=str).encode("utf-8", "surrogatepass"))


# -- converting ---------------------------------------------------------------------------------------------------


def _agent(header: dict[str, Any]) -> tuple[str, Any]:
    spec = header["eval"]
    if spec.get("solver"):
        return configuration_name(spec["solver"], None, spec.get("solver_args") or None), spec.get("solver_args")
    steps = (header.get("plan") or {}).get("steps") or []
    names = [str(s.get("solver")) for s in steps if isinstance(s, dict) and s.get("solver")]
    params = [s.get("params") for s in steps if isinstance(s, dict)]
    if not names:
        return "inspect", None
    return configuration_name(">".join(names), None, params if any(params) else None), params


def _scorer(
    header: dict[str, Any], samples: list[tuple[dict[str, Any], str]], wanted: str | None
) -> tuple[str, str | None]:
    """The scorer (and the key of a dict value) whose value is each run's verdict: ``--scorer NAME[:KEY]``, else
    the log's headline scorer, else its first."""
    if wanted:
        name, _, key = wanted.partition(":")
        return name, key or None
    results = header.get("results") or {}
    headline = results.get("headline") or {}
    if isinstance(headline, dict) and headline.get("scorer"):
        return str(headline.get("score") or headline["scorer"]), None
    for score in results.get("scores") or []:
        if isinstance(score, dict) and score.get("name"):
            return str(score["name"]), None
    for sample, _ in samples:
        if isinstance(sample.get("scores"), dict) and sample["scores"]:
            return str(next(iter(sample["scores"]))), None
    return "", None


def _convert(
    source: Source,
    path: Path,
    header: dict[str, Any],
    samples: list[tuple[dict[str, Any], str]],
    reductions: Any,
    digest: str,
    options: ImportOptions,
) -> None:
    spec = header["eval"]
    scrub = Scrubber(path.parent)
    version = (spec.get("packages") or {}).get("inspect_ai")
    task = spec.get("task_registry_name") or spec.get("task") or "inspect-task"
    agent, agent_args = _agent(header)
    agent, model = agent_and_model(options, agent, spec.get("model"))
    scorer, key = _scorer(header, samples, options.scorer)
    threshold = 1.0 if options.threshold is None else options.threshold
    eval_id = spec.get("eval_id") or spec.get("run_id") or spec.get("task_id") or digest[:16]
    batch_id = f"inspect-{clean_name(eval_id)}"
    file = relative(path, path)
    dataset = spec.get("dataset") or {}
    config = spec.get("config") or {}
    epochs = count(config.get("epochs")) or 1
    declared = count(dataset.get("samples")) or None
    expected = declared * epochs if declared is not None else None
    seen: set[tuple[str, int]] = set()
    samples.reverse()  # taken from the end as they are converted: a large log never holds both forms of every sample
    while samples:
        sample, sample_digest = samples.pop()
        sid, epoch = sample.get("id"), count(sample.get("epoch")) or 1
        expect(sid is not None, f"{path}: a sample", "has no id")
        if (str(sid), epoch) in seen:  # a log cannot hold a sample twice; a retried one keeps its last copy
            source.runs = [r for r in source.runs if r.metadata["source"]["ids"] != {"sampleId": sid, "epoch": epoch}]
        seen.add((str(sid), epoch))
        item = item_for(options, task, sid)
        if skip_unmapped(options, item):
            source.skipped += 1
            continue
        record = _run(sample, sample_digest, item, agent, model, scorer, key, threshold, batch_id, scrub)
        record["metadata"]["source"] = provenance(
            FORMAT,
            version,
            file,
            sample_digest,
            {"sampleId": sid, "epoch": epoch},
            evalId=spec.get("eval_id"),
            runId=spec.get("run_id"),
            taskId=spec.get("task_id"),
            task=task,
            dataset=dataset.get("name"),
            uuid=sample.get("uuid"),
        )
        record["metadata"]["configuration"] = {"solver": spec.get("solver"), "solverArgs": finite(agent_args)}
        record["runId"] = run_id(FORMAT, eval_id, sid, epoch)
        source.runs.append(_validated(record, path, sid, epoch))
    _index_repeats(source.runs)
    created = timestamp(spec.get("created")) or timestamp((header.get("stats") or {}).get("started_at"))
    reported = _reported(header)
    source.reported = reported
    source.batch = BatchRecord.model_validate(
        {
            "batchId": batch_id,
            "createdAt": created or (source.runs[0].started_at if source.runs else "1970-01-01T00:00:00Z"),
            "completedAt": timestamp((header.get("stats") or {}).get("completed_at")),
            "expectedRuns": expected,
            "metadata": scrub.value(
                finite(
                    {
                        "source": {
                            "harness": FORMAT,
                            "version": version,
                            "file": file,
                            "sha256": digest,
                            "evalId": spec.get("eval_id"),
                            "runId": spec.get("run_id"),
                            "task": task,
                            "dataset": dataset.get("name"),
                            "epochs": epochs,
                            "samples": declared,
                            "epochsReducer": config.get("epochs_reducer"),
                            "verdict": {"scorer": scorer, "key": key, "threshold": threshold},
                        },
                        "reported": reported,
                        "reductions": reductions
                        if isinstance(reductions, list) and len(str(reductions)) < 100_000
                        else None,
                    }
                )
            ),
        }
    )
    if header.get("status") not in (None, "success"):  # a log that stopped early: still a source, said so
        source.reported["note"] = f"the log's status is {header.get('status')!r}"


def _reported(header: dict[str, Any]) -> dict[str, Any]:
    """The log's own status, sample counts and metrics, as it reports them."""
    results = header.get("results") or {}
    return {
        "status": header.get("status"),
        "totalSamples": results.get("total_samples"),
        "completedSamples": results.get("completed_samples"),
        "scores": [
            {
                "name": s.get("name"),
                "reducer": s.get("reducer"),
                "metrics": {k: finite((m or {}).get("value")) for k, m in (s.get("metrics") or {}).items()},
            }
            for s in results.get("scores") or []
            if isinstance(s, dict)
        ],
    }


def _validated(record: dict[str, Any], path: Path, sid: Any, epoch: int) -> RunRecord:
    from pydantic import ValidationError

    try:
        return RunRecord.model_validate(record)
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc'])) or '(record)'}: {e['msg']}" for e in exc.errors()[:3])
        raise SourceError(f"{path}: sample {sid} epoch {epoch}: {problems}") from None


def _index_repeats(runs: list[RunRecord]) -> None:
    """Epochs become repeats: the repeat index of each run among its item's runs, in epoch order."""
    groups: dict[tuple[str, str, str], list[RunRecord]] = {}
    for r in runs:
        groups.setdefault((r.suite, r.scenario, r.tier), []).append(r)
    for group in groups.values():
        group.sort(key=lambda r: r.metadata["source"]["ids"]["epoch"])
        for i, r in enumerate(group):
            r.repeat_index = i


def _verdict(score: Any, key: str | None) -> tuple[Any, float | None]:
    value = score.get("value") if isinstance(score, dict) else None
    if key is not None and isinstance(value, dict):
        value = value.get(key)
    return value, value_to_float(value)


def _run(
    sample: dict[str, Any],
    digest: str,
    item: Any,
    agent: str,
    model: str | None,
    scorer: str,
    key: str | None,
    threshold: float,
    batch_id: str,
    scrub: Scrubber,
) -> dict[str, Any]:
    scores = obj(sample.get("scores"))
    started = timestamp(sample.get("started_at"))
    completed = timestamp(sample.get("completed_at"))
    error = sample.get("error")
    limit = sample.get("limit") if isinstance(sample.get("limit"), dict) else None
    verdict = scores.get(scorer)
    raw_value, value = _verdict(verdict, key)
    metadata: dict[str, Any] = {}
    evaluations = []
    for name, score in scores.items():
        raw, as_float = _verdict(score, key if name == scorer else None)
        evaluations.append(
            {
                "evaluatorName": clean_name(f"inspect:{name}"),
                "score": None if as_float is None else min(1.0, max(0.0, as_float)),
                "applicable": as_float is not None,
                "weight": 1.0 if name == scorer else 0.0,
                "kind": "task" if name == scorer else "info",
                "details": cap_details(score, raw),
                "costUsd": None,
            }
        )
    status, failure = "completed", None
    successful = value is not None and value >= threshold
    if value is None:
        successful = False
        if error:
            message = text_of(error.get("message") if isinstance(error, dict) else error)
            category = "rate_limited" if _RATE_LIMIT.search(message) else "infrastructure"
            status, failure = "failed", {"category": category, "stage": "agent", "message": cap(message, 4000)}
        elif limit:
            kind = str(limit.get("type"))
            timed = kind in ("time", "working")
            status = "timeout" if timed else "failed"
            failure = {
                "category": "timeout" if timed else "agent",
                "stage": "agent",
                "message": f"{kind} limit reached ({limit.get('limit')})",
            }
        else:
            status = "failed"
            failure = {
                "category": "evaluation",
                "stage": "evaluation",
                "message": f"no value from scorer {scorer!r}" if scorer else "the sample was not scored",
            }
    if error and failure is None:
        metadata["sourceError"] = cap(text_of(error.get("message") if isinstance(error, dict) else error), 4000)
    if limit:
        metadata["limit"] = finite(limit)
    if raw_value is not None:
        metadata["score"] = {"scorer": scorer, "value": finite(raw_value)}
    transcript = _transcript(sample)
    usage = _usage(sample.get("model_usage"), model)
    total_time = number(sample.get("total_time"))
    working = number(sample.get("working_time"))
    score10 = None if value is None else 10.0 * min(1.0, max(0.0, value))
    return scrub.record(
        {
            "batchId": batch_id,
            "suite": item.suite,
            "scenario": item.scenario,
            "tier": item.tier,
            "agent": agent,
            "model": model,
            "status": status,
            "startedAt": started or completed or "1970-01-01T00:00:00Z",
            "completedAt": completed,
            "totalScore": total_score(score10) if status == "completed" else None,
            "weightedScore": score10 if status == "completed" else None,
            "successMetric": value if status == "completed" else None,
            "isSuccessful": successful and status == "completed",
            "failure": failure,
            "metadata": metadata,
            "evaluations": evaluations,
            "telemetry": {
                **usage,
                "toolCalls": len(transcript["toolCalls"]) if transcript else 0,
                "durationMs": int(total_time * 1000) if total_time is not None else 0,
                "stageMs": {"agent": int(working * 1000)} if working is not None else {},
            },
            "transcript": transcript,
        }
    )


def cap_details(score: Any, raw: Any) -> dict[str, Any]:
    if not isinstance(score, dict):
        return {"value": finite(raw)}
    out: dict[str, Any] = {"value": finite(raw)}
    for k in ("answer", "explanation"):
        if isinstance(score.get(k), str):
            out[k] = cap(score[k], 4000)
    if isinstance(score.get("metadata"), dict) and len(str(score["metadata"])) < 4000:
        out["metadata"] = finite(score["metadata"])
    return out


def _usage(model_usage: Any, model: str | None) -> dict[str, Any]:
    tokens_in = tokens_out = cache_read = cache_write = 0
    costs: list[float] = []
    priced: list[float | None] = []
    for name, usage in (model_usage or {}).items() if isinstance(model_usage, dict) else ():
        if not isinstance(usage, dict):
            continue
        i, o = count(usage.get("input_tokens")), count(usage.get("output_tokens"))
        r, w = count(usage.get("input_tokens_cache_read")), count(usage.get("input_tokens_cache_write"))
        tokens_in, tokens_out, cache_read, cache_write = tokens_in + i, tokens_out + o, cache_read + r, cache_write + w
        cost = number(usage.get("total_cost"))
        if cost is not None:
            costs.append(cost)
        priced.append(price(str(name), i, o, r, w))
    if costs:
        cost_usd: float | None = sum(costs)
    elif priced and all(p is not None for p in priced):
        cost_usd = sum(p for p in priced if p is not None)
    else:
        cost_usd = None
    return {
        "tokensIn": tokens_in,
        "tokensOut": tokens_out,
        "cacheReadTokens": cache_read,
        "cacheWriteTokens": cache_write,
        "costUsd": cost_usd,
    }


def _resolve(value: Any, attachments: dict[str, str]) -> Any:
    if isinstance(value, str) and value.startswith("attachment://"):
        return attachments.get(value[len("attachment://") :], value)
    if isinstance(value, list):
        return [_resolve(v, attachments) for v in value]
    if isinstance(value, dict):
        return {k: _resolve(v, attachments) for k, v in value.items()}
    return value


def _transcript(sample: dict[str, Any]) -> dict[str, Any] | None:
    messages = sample.get("messages")
    if not isinstance(messages, list) or not messages:
        return None
    attachments = obj(sample.get("attachments"))
    builder = TranscriptBuilder()
    for message in messages:
        if not isinstance(message, dict):
            continue
        if attachments:
            message = _resolve(message, attachments)
        role = str(message.get("role") or "user")
        content = message.get("content")
        if role == "tool":
            error = message.get("error")
            output = text_of(content)
            if isinstance(error, dict) and error.get("message"):
                output = f"{output}\n{error['message']}" if output else str(error["message"])
            builder.result(message.get("tool_call_id"), output, bool(error))
            continue
        thinking = None
        if isinstance(content, list):
            thinking = (
                "\n".join(
                    str(p.get("reasoning"))
                    for p in content
                    if isinstance(p, dict)
                    and p.get("type") == "reasoning"
                    and p.get("reasoning")
                    and not p.get("redacted")
                )
                or None
            )
            content = [p for p in content if not (isinstance(p, dict) and p.get("type") == "reasoning")]
        uses: Iterable[tuple[str | None, str, Any]] = (
            (c.get("id"), str(c.get("function") or "tool"), c.get("arguments"))
            for c in message.get("tool_calls") or []
            if isinstance(c, dict)
        )
        builder.message(role, text_of(content), list(uses), thinking=thinking)
    transcript = builder.build()
    if transcript is not None and builder.dropped:
        transcript["messages"].append(
            {
                "role": "system",
                "content": [{"type": "text", "text": f"[{builder.dropped} more messages or tool calls not stored]"}],
            }
        )
    return transcript
