"""The LLM judge: a model reviews the run against the scenario's weighted categories.

Honours the scenario's ``llm_judge`` block: model, temperature, max_tokens and categories written as
``"Name (Weight: 30%): what to judge ..."``. The judge answers through a forced tool call (Anthropic) or a forced
function call (OpenRouter), so its answer is structured; a truncated answer is repaired where possible.
score = sum(weight_c * (score_c - 1) / 4) / sum(weight_c), with each category scored 1-5.

A judge that fails (API error, no usable answer, a category missing) raises: the run keeps the evaluation as an
error, left out of the weighting and flagged on the run; never a silent 0.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import yaml

from ..models.spec import LLMJudgeSpec
from ..prices import price_table
from . import EvaluationContext, Evaluator, Verdict

DEFAULT_JUDGE_MODEL = "claude-sonnet-4-6"
DEFAULT_MAX_TOKENS = 4096
DEFAULT_TEMPERATURE = 0.0
PATCH_BUDGET = 24 * 1024
OUTPUT_TAIL = 1500
#: The agent's askUser questions shown to the judge: at most this many, each cut at QUESTION_CHARS.
MAX_QUESTIONS = 20
QUESTION_CHARS = 500
TOOL_NAME = "submit_evaluation"
JUDGE_RETRIES = 4

JUDGE_SYSTEM = (
    "You are an expert code reviewer judging the work of an AI coding agent on a benchmark task. Judge the "
    "changes actually made, using the evidence given (diff, command results), not the agent's claims. Score "
    "every category from 1 (very poor) to 5 (excellent) and explain each score briefly."
)

#: Both spellings of the original's real files: "Name (Weight: 30%): ..." and "Name (40%): ...".
CATEGORY_RE = re.compile(
    r"^\s*(?P<name>[^(:]+?)\s*(\(\s*(?:weight\s*:?\s*)?(?P<weight>[\d.]+)\s*%?\s*\))?\s*(:\s*(?P<desc>.*))?$",
    re.IGNORECASE | re.DOTALL,
)


class JudgeError(Exception):
    pass


@dataclass
class Category:
    name: str
    weight: float
    description: str


def parse_categories(lines: list[str]) -> list[Category]:
    parsed: list[tuple[str, float | None, str]] = []
    for line in lines:
        match = CATEGORY_RE.match(line)
        if not match:
            raise JudgeError(f"cannot read category {line!r}")
        weight = float(match["weight"]) if match["weight"] else None
        parsed.append((match["name"].strip(), weight, (match["desc"] or "").strip()))
    given = [w for _, w, _ in parsed if w is not None]
    # Categories without a weight share what the weighted ones leave (equal shares when none has one).
    rest = max(0.0, 100.0 - sum(given)) if given else 100.0
    unweighted = sum(1 for _, w, _ in parsed if w is None)
    share = rest / unweighted if unweighted else 0.0
    return [Category(n, w if w is not None else share, d) for n, w, d in parsed]


def judge_schema(categories: list[Category]) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": {
            "scores": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {
                        "category": {"type": "string", "enum": [c.name for c in categories]},
                        "score": {"type": "integer", "minimum": 1, "maximum": 5},
                        "reasoning": {"type": "string"},
                    },
                    "required": ["category", "score", "reasoning"],
                },
            },
            "overall_assessment": {"type": "string"},
        },
        "required": ["scores", "overall_assessment"],
    }


def build_prompt(ctx: EvaluationContext, categories: list[Category]) -> str:
    spec = ctx.scenario.spec
    parts = [f"# Task given to the agent\n\n{ctx.prompt.strip()}"]
    constraints = {
        k: v
        for k, v in {
            "constraints": spec.constraints.model_dump(by_alias=True, exclude_defaults=True),
            "targets": spec.targets.model_dump(exclude_defaults=True),
        }.items()
        if v
    }
    if constraints:
        parts.append("# Constraints\n\n" + yaml.safe_dump(constraints, sort_keys=False))
    if spec.success_criteria:
        parts.append("# Success criteria\n\n" + "\n".join(f"- {c}" for c in spec.success_criteria))
    final = ctx.agent_result.final_text if ctx.agent_result else ""
    parts.append(f"# The agent's final response\n\n{final.strip() or '(none)'}")
    questions = [c for c in ctx.tool_calls if c.name == "askUser"]
    if questions:  # what the original's "user questions quality" judged (docs/scoring.md)
        asked = "\n".join(
            f"- Q: {str(c.input.get('question', ''))[:QUESTION_CHARS]}\n  A: {c.output[:QUESTION_CHARS]}"
            for c in questions[:MAX_QUESTIONS]
        )
        parts.append(f"# Questions the agent asked the user (askUser), with the answers\n\n{asked}")
    budget = PATCH_BUDGET
    diff_lines = []
    for f in ctx.diff.files:
        patch = f.patch or f"({'binary ' if f.binary else ''}{f.change})"
        piece = patch[:budget]
        budget -= len(piece)
        diff_lines.append(f"## {f.change}: {f.path}\n{piece}")
        if budget <= 0:
            diff_lines.append("(diff cut here)")
            break
    parts.append("# Changed files\n\n" + ("\n".join(diff_lines) or "(no changes)"))
    if ctx.diff.dependency_changes:
        deps = "\n".join(
            f"- {c.manifest} {c.name}: {c.before or '(none)'} -> {c.after or '(removed)'}"
            for c in ctx.diff.dependency_changes
        )
        parts.append(f"# Dependency changes\n\n{deps}")
    if ctx.validation:
        results = "\n".join(
            f"## {v.kind}: {v.status} (exit code {v.exit_code})\n$ {v.command}\n{v.output_tail[-OUTPUT_TAIL:]}"
            for v in ctx.validation
        )
        parts.append(f"# Command results\n\n{results}")
    listing = "\n".join(f"- {c.name} (weight {c.weight:g}%): {c.description}" for c in categories)
    parts.append(f"# Score these categories from 1 to 5\n\n{listing}\n\nCall {TOOL_NAME} with your scores.")
    return "\n\n".join(parts)


def loads_lenient(text: str) -> Any:
    """Parse JSON that may be wrapped in prose or code fences, or cut off: keep the longest valid prefix."""
    start = text.find("{")
    if start < 0:
        raise JudgeError("no JSON object in the judge's answer")
    text = text[start:]
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        pass
    stack: list[str] = []
    in_string = escaped = False
    cuts: list[tuple[int, list[str]]] = []  # positions after which the prefix can be closed, with the open brackets
    for i, ch in enumerate(text):
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
                cuts.append((i + 1, list(stack)))
            continue
        if ch == '"':
            in_string = True
        elif ch in "{[":
            stack.append("}" if ch == "{" else "]")
        elif ch in "}]":
            if stack:
                stack.pop()
            cuts.append((i + 1, list(stack)))
            if not stack:
                break
        elif ch.isdigit() or ch in "el":  # end of a number or of true/false/null
            cuts.append((i + 1, list(stack)))
    for end, open_brackets in reversed(cuts):
        candidate = text[:end].rstrip().rstrip(",")
        try:
            return json.loads(candidate + "".join(reversed(open_brackets)))
        except json.JSONDecodeError:
            continue
    raise JudgeError("the judge's answer is not JSON and could not be repaired")


def score_answer(answer: Any, categories: list[Category]) -> tuple[float, list[dict[str, Any]], str]:
    if not isinstance(answer, dict) or not isinstance(answer.get("scores"), list):
        raise JudgeError("the judge's answer has no scores list")
    by_name: dict[str, dict[str, Any]] = {}
    for item in answer["scores"]:
        if isinstance(item, dict) and isinstance(item.get("category"), str):
            by_name[item["category"].strip().lower()] = item
    rows: list[dict[str, Any]] = []
    missing = []
    for c in categories:
        item = by_name.get(c.name.lower())
        try:
            value = float(item["score"]) if item is not None else None
        except (TypeError, ValueError):
            value = None
        if item is None or value is None or not 1 <= value <= 5:
            missing.append(c.name)
            continue
        rows.append(
            {
                "category": c.name,
                "weight": c.weight,
                "score": value,
                "normalized": (value - 1) / 4,
                "reasoning": str(item.get("reasoning", "")),
            }
        )
    if missing:
        raise JudgeError(f"the judge gave no valid 1-5 score for: {', '.join(missing)}")
    total_weight = sum(r["weight"] for r in rows)
    if total_weight <= 0:
        raise JudgeError("the categories' weights add up to 0")
    score = sum(r["weight"] * r["normalized"] for r in rows) / total_weight
    return score, rows, str(answer.get("overall_assessment", ""))


async def ask_anthropic(
    model: str, prompt: str, schema: dict[str, Any], temperature: float, max_tokens: int
) -> tuple[Any, dict[str, int]]:
    import anthropic

    from ..agents.llm import shared_client

    client = shared_client("anthropic", JUDGE_RETRIES, lambda: anthropic.AsyncAnthropic(max_retries=JUDGE_RETRIES))
    try:
        response = await client.messages.create(
            # temperature through extra_body: recent SDKs dropped the keyword, the API still takes the field
            model=model,
            max_tokens=max_tokens,
            extra_body={"temperature": temperature},
            system=JUDGE_SYSTEM,
            messages=[{"role": "user", "content": prompt}],
            tools=[{"name": TOOL_NAME, "description": "Submit the evaluation.", "input_schema": schema}],
            tool_choice={"type": "tool", "name": TOOL_NAME},
        )
    except anthropic.APIError as exc:
        raise JudgeError(f"judge call failed: {exc}") from None
    u = response.usage
    usage = {
        "in": u.input_tokens,
        "out": u.output_tokens,
        "cache_read": u.cache_read_input_tokens or 0,
        "cache_write": u.cache_creation_input_tokens or 0,
    }
    for block in response.content:
        if block.type == "tool_use" and isinstance(block.input, dict) and block.input.get("scores"):
            return block.input, usage
    text = "".join(getattr(b, "text", "") for b in response.content)
    return loads_lenient(text), usage


async def ask_openrouter(
    model: str, prompt: str, schema: dict[str, Any], temperature: float, max_tokens: int
) -> tuple[Any, dict[str, int]]:
    import openai

    from ..agents.openrouter import client_from_env, usage_numbers

    client = client_from_env(max_retries=JUDGE_RETRIES)
    try:
        response = await client.chat.completions.create(
            model=model,
            temperature=temperature,
            max_tokens=max_tokens,
            messages=[{"role": "system", "content": JUDGE_SYSTEM}, {"role": "user", "content": prompt}],
            tools=[
                {
                    "type": "function",
                    "function": {"name": TOOL_NAME, "description": "Submit the evaluation.", "parameters": schema},
                }
            ],
            tool_choice={"type": "function", "function": {"name": TOOL_NAME}},
        )
    except openai.APIError as exc:
        raise JudgeError(f"judge call failed: {exc}") from None
    tokens_in, tokens_out, cached, _ = usage_numbers(response.usage)
    usage = {"in": tokens_in, "out": tokens_out, "cache_read": cached, "cache_write": 0}
    if not response.choices:
        raise JudgeError("the judge returned no choices")
    message = response.choices[0].message
    for call in message.tool_calls or []:
        function = getattr(call, "function", None)
        if function is not None and function.name == TOOL_NAME:
            return loads_lenient(function.arguments or ""), usage
    return loads_lenient(message.content or ""), usage


def judge_provider(setting: Any, model: str) -> str:
    """``auto`` (the default): OpenRouter for ``vendor/model`` ids, as the original's scenario files write them
    (``anthropic/claude-3.5-sonnet``), else Anthropic."""
    if setting in ("anthropic", "openrouter"):
        return str(setting)
    return "openrouter" if "/" in model else "anthropic"


@dataclass(frozen=True)
class JudgeCall:
    """What the judge calls for one scenario in one batch: the provider, the model and the variable with its key."""

    provider: str
    model: str
    key_env: str


def judge_call(spec: LLMJudgeSpec, settings: Mapping[str, Any]) -> JudgeCall | None:
    """The call the judge makes for a scenario's ``llm_judge`` block under a batch's judge settings (``--judge-model``,
    ``--judge-provider``), or None when it does not run: not enabled, no categories, or turned off (``--no-judge``).
    The one rule, for the evaluator and for the key check before a batch starts."""
    if not spec.enabled or not spec.categories or settings.get("enabled") is False:
        return None
    model = settings.get("model") or spec.model or DEFAULT_JUDGE_MODEL
    provider = judge_provider(settings.get("provider"), model)
    return JudgeCall(provider, model, "OPENROUTER_API_KEY" if provider == "openrouter" else "ANTHROPIC_API_KEY")


def missing_judge_keys(
    specs: Mapping[str, LLMJudgeSpec], settings: Mapping[str, Any], environ: Mapping[str, str] | None = None
) -> dict[str, list[tuple[str, JudgeCall]]]:
    """The judge's key variables that ``environ`` (default: this process's environment) lacks, each with the
    scenarios (by key) whose judge would need it. ``specs``: each selected scenario's ``llm_judge`` block."""
    environ = os.environ if environ is None else environ
    missing: dict[str, list[tuple[str, JudgeCall]]] = {}
    for key, spec in specs.items():
        call = judge_call(spec, settings)
        if call is not None and not environ.get(call.key_env):
            missing.setdefault(call.key_env, []).append((key, call))
    return missing


class LLMJudgeEvaluator(Evaluator):
    name = "llm_judge"
    kind = "task"
    default_weight = 2.0
    description = "A model scores the run on the scenario's weighted categories (1-5 each)."

    async def evaluate(self, ctx: EvaluationContext) -> Verdict:
        spec = ctx.scenario.spec.llm_judge
        call = judge_call(spec, ctx.settings)
        if call is None:
            if not spec.enabled:
                return Verdict.not_applicable("llm_judge is not enabled for this scenario")
            if not spec.categories:
                return Verdict.not_applicable("llm_judge is enabled without categories")
            return Verdict.not_applicable("the judge was turned off for this batch (--no-judge)")
        categories = parse_categories(spec.categories)
        model, provider, key_env = call.model, call.provider, call.key_env
        if not os.environ.get(key_env):  # checked before a batch starts (missing_judge_keys); here for direct calls
            raise JudgeError(
                f"the judge needs {key_env} (provider {provider}, model {model}); set it, or run with --no-judge"
            )
        temperature = spec.temperature if spec.temperature is not None else DEFAULT_TEMPERATURE
        max_tokens = spec.max_tokens or DEFAULT_MAX_TOKENS
        ask = ask_openrouter if provider == "openrouter" else ask_anthropic
        answer, usage = await ask(
            model, build_prompt(ctx, categories), judge_schema(categories), temperature, max_tokens
        )
        score, rows, overall = score_answer(answer, categories)
        cost = price_table().cost(model, usage["in"], usage["out"], usage["cache_read"], usage["cache_write"])
        details = {
            "provider": provider,
            "model": model,
            "temperature": temperature,
            "maxTokens": max_tokens,
            "categories": rows,
            "overallAssessment": overall,
            "tokensIn": usage["in"],
            "tokensOut": usage["out"],
        }
        return Verdict(score=score, details=details, cost_usd=cost)
