"""ATIF, the Agent Trajectory Interchange Format (Harbor's ``trajectory.json``, schema ``ATIF-v1.x``): read into a
zebench transcript (``zebench import`` of Harbor trials) and written from a stored run (``zebench export``), so
that zebench runs open in the tools that read the format.

A trajectory is ``{schema_version, session_id, agent: {name, version, model_name}, steps: [...], final_metrics}``;
a step is ``{step_id (from 1), timestamp, source: system|user|agent, message, reasoning_content, tool_calls:
[{tool_call_id, function_name, arguments}], observation: {results: [{source_call_id, content}]}, metrics:
{prompt_tokens, completion_tokens, cached_tokens, cost_usd}}``. docs/import.md has the mapping both ways.
"""

from __future__ import annotations

import json
from typing import Any

from ...models import RunRecord
from .common import TranscriptBuilder, count, number, obj, text_of

#: The ATIF version ``zebench export`` writes (fields it uses exist since v1.0; v1.4 is what Harbor 0.2x reads).
SCHEMA_VERSION = "ATIF-v1.4"
#: The key of the zebench run in a trajectory's ``extra``.
EXTRA_KEY = "zebench"


def transcript_from_atif(trajectory: dict[str, Any]) -> tuple[dict[str, Any] | None, dict[str, Any]]:
    """A zebench transcript (TranscriptBuilder's shape) and the trajectory's totals (tokens, cost, steps) from an
    ATIF trajectory. Subagent trajectories are left out (their totals are the parent's)."""
    builder = TranscriptBuilder()
    roles = {"agent": "assistant", "user": "user", "system": "system"}
    for step in trajectory.get("steps") or []:
        if not isinstance(step, dict):
            continue
        role = roles.get(str(step.get("source")), "assistant")
        uses = [
            (c.get("tool_call_id"), str(c.get("function_name") or "tool"), c.get("arguments"))
            for c in step.get("tool_calls") or []
            if isinstance(c, dict)
        ]
        reasoning = step.get("reasoning_content")
        builder.message(
            role, text_of(step.get("message")), uses, thinking=reasoning if isinstance(reasoning, str) else None
        )
        observation = step.get("observation")
        for result in (observation.get("results") or []) if isinstance(observation, dict) else []:
            if isinstance(result, dict):
                builder.result(result.get("source_call_id"), text_of(result.get("content")))
    totals: dict[str, Any] = {}
    final = trajectory.get("final_metrics")
    if isinstance(final, dict):
        totals = {
            "prompt": count(final.get("total_prompt_tokens")),
            "completion": count(final.get("total_completion_tokens")),
            "cached": count(final.get("total_cached_tokens")),
            "cost": number(final.get("total_cost_usd")),
            "steps": count(final.get("total_steps")),
        }
    transcript = builder.build()
    if transcript is not None and builder.dropped:
        transcript["messages"].append(
            {"role": "system", "content": [{"type": "text", "text": f"[{builder.dropped} more steps not stored]"}]}
        )
    return transcript, totals


def _blocks(content: Any) -> list[Any]:
    if isinstance(content, list):
        return content
    if isinstance(content, dict):
        return [content]
    return [] if content is None else [content]


def _message_parts(content: Any) -> tuple[list[str], list[str], list[tuple[str | None, str, Any]], list[Any]]:
    """Text, thinking, tool requests and tool results of a stored message, in the shapes zebench's agents store
    (Anthropic blocks, OpenAI messages, plain text), as the run view reads them."""
    texts: list[str] = []
    thinking: list[str] = []
    uses: list[tuple[str | None, str, Any]] = []
    results: list[Any] = []
    if isinstance(content, dict) and (isinstance(content.get("tool_calls"), list) or content.get("role")):
        if content.get("role") == "tool":
            results.append({"id": content.get("tool_call_id"), "content": content.get("content")})
        else:
            if isinstance(content.get("content"), str) and content["content"]:
                texts.append(content["content"])
            for c in content.get("tool_calls") or []:
                if not isinstance(c, dict):
                    continue
                fn = obj(c.get("function"))
                args: Any = fn.get("arguments")
                if isinstance(args, str):
                    try:
                        args = json.loads(args)
                    except ValueError:
                        pass
                uses.append((c.get("id"), str(fn.get("name") or c.get("type") or "tool"), args))
        return texts, thinking, uses, results
    for b in _blocks(content):
        if isinstance(b, str):
            texts.append(b)
        elif isinstance(b, dict):
            kind = b.get("type")
            if kind == "text" and isinstance(b.get("text"), str):
                texts.append(b["text"])
            elif kind == "thinking" and isinstance(b.get("thinking"), str):
                thinking.append(b["thinking"])
            elif kind == "tool_use":
                uses.append((b.get("id"), str(b.get("name") or "tool"), b.get("input")))
            elif kind == "tool_result":
                results.append({"id": b.get("tool_use_id"), "content": b.get("content")})
            else:
                texts.append(json.dumps(b, ensure_ascii=False, default=str))
        elif b is not None:
            texts.append(str(b))
    return texts, thinking, uses, results


def _arguments(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {"input": value}


def run_to_atif(run: RunRecord) -> dict[str, Any]:
    """One stored run as an ATIF trajectory: its messages as steps (assistant ones as agent steps with their tool
    calls, each call's output as the step's observation), its telemetry as final metrics, and the run's identity
    and verdict under ``extra.zebench``. A run's tool calls that no message asked for (offline agents) become
    agent steps of their own."""
    steps: list[dict[str, Any]] = []
    transcript = run.transcript
    calls = list(transcript.tool_calls) if transcript else []
    used = 0
    roles = {"assistant": "agent", "user": "user", "system": "system"}
    for message in transcript.messages if transcript else []:
        texts, thinking, uses, results = _message_parts(message.content)
        if results and not texts and not uses:
            continue  # tool results: stored as the calls' outputs, which the agent step's observation carries
        step: dict[str, Any] = {
            "step_id": len(steps) + 1,
            "source": roles.get(message.role, "user" if message.role != "tool" else "system"),
            "message": "\n".join(texts),
        }
        if step["source"] == "agent":
            if thinking:
                step["reasoning_content"] = "\n".join(thinking)
            tool_calls, observations = [], []
            for call_id, name, args in uses:
                cid = call_id or f"call-{used}"
                record = calls[used] if used < len(calls) else None
                used += 1
                tool_calls.append({"tool_call_id": cid, "function_name": name, "arguments": _arguments(args)})
                if record is not None:
                    observations.append({"source_call_id": cid, "content": record.output})
            if tool_calls:
                step["tool_calls"] = tool_calls
            if observations:
                step["observation"] = {"results": observations}
            if run.model:
                step["model_name"] = run.model
        steps.append(step)
    for record in calls[used:]:
        cid = f"call-{record.seq}"
        steps.append(
            {
                "step_id": len(steps) + 1,
                "source": "agent",
                "message": "",
                "tool_calls": [{"tool_call_id": cid, "function_name": record.name, "arguments": record.input}],
                "observation": {"results": [{"source_call_id": cid, "content": record.output}]},
            }
        )
    if not steps:  # ATIF needs a step: the task as the user gave it, or a note
        prompt = run.telemetry.prompt_sent if run.telemetry else None
        steps.append({"step_id": 1, "source": "user", "message": prompt or "(no transcript stored for this run)"})
    telemetry = run.telemetry
    trajectory: dict[str, Any] = {
        "schema_version": SCHEMA_VERSION,
        "session_id": run.run_id,
        "agent": {"name": run.agent, "version": run.manifest.zebench_version if run.manifest else "unknown"},
        "steps": steps,
        "final_metrics": {
            "total_prompt_tokens": (telemetry.tokens_in + telemetry.cache_read_tokens) if telemetry else None,
            "total_completion_tokens": telemetry.tokens_out if telemetry else None,
            "total_cached_tokens": telemetry.cache_read_tokens if telemetry else None,
            "total_cost_usd": telemetry.cost_usd if telemetry else None,
            "total_steps": len(steps),
        },
        "extra": {
            EXTRA_KEY: {
                "runId": run.run_id,
                "batchId": run.batch_id,
                "suite": run.suite,
                "scenario": run.scenario,
                "tier": run.tier,
                "status": run.status,
                "isSuccessful": run.is_successful,
                "weightedScore": run.weighted_score,
                "repeatIndex": run.repeat_index,
                "startedAt": run.started_at,
                "completedAt": run.completed_at,
                "failure": run.failure.to_json_dict() if run.failure else None,
            }
        },
    }
    if run.model:
        trajectory["agent"]["model_name"] = run.model
    if run.started_at:
        trajectory["steps"][0]["timestamp"] = run.started_at
    return trajectory
