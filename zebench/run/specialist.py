"""Specialist templates: loading (JSON5, ``from`` inheritance) and the system prompt they give the model.

Loading follows the original harness (packages/agency-prompt-creator: loader and inheritance): a template is a
JSON5 file; ``from`` names a parent template by path (relative to the file that names it, or absolute), merged
TSConfig-style (objects deep-merged, arrays and scalars replaced by the child's). The original's other ``from``
form, a scoped package (``@zephyr-cloud/base``), names a package zebench does not have: a clear error.

The prompt follows the original's static prompt creation (createPrompt, which its SpecialistAdapter falls back
to): the task type is detected from the user's prompt (the template's ``task_detection.patterns``, else the
original's keyword patterns), the prompt is chosen from ``prompts`` (task-specific then default, model-specific
when the run's model matches a key), its parts (spawnerPrompt, systemPrompt, contextPrompt) joined, and
``{{...}}`` substituted from the template (name, version, persona, capabilities, tech_stack, values, tags,
task_type, user_prompt). The result is the system prompt; the user's prompt goes unchanged, as the original sent
it. The original's newer LLM-driven selection (extra model calls through OpenRouter to pick and rewrite prompts)
is not reproduced: it makes the prompt depend on another model's answer.
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from ..models.specialist import Specialist, SpecialistTemplate

#: The original's task types and keyword patterns (agency-prompt-creator task-detection), checked in this order.
TASK_PATTERNS: dict[str, list[str]] = {
    "project_setup": [
        r"\b(setup|scaffold|initialize|create).*(project|app|application|workspace)\b",
        r"\bnew\s+(project|app|application|workspace)\b",
        r"\bbootstrap\b",
        r"\binitialize.*project\b",
        r"\bset\s*up.*from\s*scratch\b",
    ],
    "component_generation": [
        r"\b(create|generate|add|build).*(component|button|form|modal|card|navbar|header|footer)\b",
        r"\bnew\s+(ui|component|button|form|modal)\b",
        r"\bgenerate.*component\b",
    ],
    "migration": [
        r"\bmigrate\b",
        r"\bupgrade\s+(to|from)\b",
        r"\b(move|switch|transition)\s+(to|from)\b",
        r"\bconvert.*to\b",
        r"\bporting\b",
    ],
    "bug_fix": [
        r"\b(fix|resolve|debug|repair)\b",
        r"\b(bug|issue|error|problem)\b",
        r"\bnot\s+working\b",
        r"\bbroken\b",
    ],
    "refactoring": [
        r"\brefactor\b",
        r"\brestructure\b",
        r"\bclean\s*up\b",
        r"\bimprove.*code\b",
        r"\breorganize\b",
        r"\boptimize\b",
    ],
    "testing": [r"\b(add|write|create)\s+(test|tests|unit\s*test)\b", r"\btest\s+(coverage|suite)\b"],
    "documentation": [r"\b(add|write|create|update)\s+(docs|documentation|readme)\b", r"\bdocument\b", r"\bcomment\b"],
}
PROMPT_PARTS = ("spawnerPrompt", "systemPrompt", "contextPrompt")
#: Nesting of ``from`` beyond which a chain is refused (a cycle is reported as such before this).
MAX_FROM_DEPTH = 32


class SpecialistError(Exception):
    """A template that cannot be used; the message names the file and what is wrong."""


def load_specialist(path: Path | str) -> Specialist:
    """Load a template and its ``from`` chain, merged and validated (SpecialistError on any problem)."""
    first = Path(path)
    merged = _load_chain(first, [])
    merged.pop("from", None)
    try:
        template = SpecialistTemplate.model_validate(merged)
    except ValidationError as exc:
        problems = "".join(f"\n  - {_key_path(e['loc'])}: {e['msg']}" for e in exc.errors())
        raise SpecialistError(f"{first}: invalid specialist template{problems}") from None
    canonical = json.dumps(merged, sort_keys=True, ensure_ascii=False, default=str)
    resolved = first.resolve()
    return Specialist(
        name=template.name,
        version=template.version,
        display_name=template.displayName,
        path=str(resolved),
        dir=str(resolved.parent),
        sha256=hashlib.sha256(canonical.encode()).hexdigest(),
        template=json.loads(canonical),
    )


def _key_path(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(top level)"


def _read(path: Path) -> dict[str, Any]:
    import json5

    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SpecialistError(f"{path}: specialist template not found") from None
    except IsADirectoryError:
        raise SpecialistError(f"{path}: is a folder, not a template file") from None
    except OSError as exc:
        raise SpecialistError(f"{path}: cannot read: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise SpecialistError(f"{path}: not UTF-8 text") from None
    try:
        data = json5.loads(text)
    except (ValueError, RecursionError) as exc:
        raise SpecialistError(f"{path}: invalid JSON5: {exc}") from None
    if not isinstance(data, dict):
        raise SpecialistError(f"{path}: expected an object at the top level")
    return data


def _load_chain(path: Path, chain: list[Path]) -> dict[str, Any]:
    real = path.resolve()
    if real in chain:
        cycle = " -> ".join(str(p) for p in [*chain, real])
        raise SpecialistError(f"circular 'from' in specialist templates: {cycle}")
    if len(chain) >= MAX_FROM_DEPTH:
        raise SpecialistError(f"{path}: 'from' chain deeper than {MAX_FROM_DEPTH} templates")
    data = _read(path)
    parent = data.get("from")
    if parent is None:
        return data
    if not isinstance(parent, str) or not parent.strip():
        raise SpecialistError(f"{path}: 'from' must be the path of a parent template")
    if parent.startswith("@"):
        raise SpecialistError(
            f"{path}: 'from': {parent!r} is a package reference; zebench reads parent templates from files: give "
            "its path (relative to this file, e.g. ./base-specialist.json5, or absolute)"
        )
    parent_path = Path(parent) if Path(parent).is_absolute() else path.parent / parent
    return merge_templates(_load_chain(parent_path, [*chain, real]), data)


def merge_templates(parent: dict[str, Any], child: dict[str, Any]) -> dict[str, Any]:
    """The original's inheritance rules: objects deep-merged, arrays and scalars of the child replace the
    parent's, a key the child does not have is kept."""
    out = dict(parent)
    for key, value in child.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = merge_templates(out[key], value)
        else:
            out[key] = value
    return out


# --------------------------------------------------------------------------------------------------------------
# The system prompt
# --------------------------------------------------------------------------------------------------------------


def detect_task_type(template: dict[str, Any], user_prompt: str) -> str:
    """The task type of ``user_prompt``: the template's own ``task_detection`` patterns first, then the
    original's; ``default`` when nothing matches."""
    detection = template.get("task_detection") or {}
    patterns: dict[str, list[str]] = {}
    custom = detection.get("patterns") if isinstance(detection, dict) else None
    if isinstance(custom, dict):
        patterns.update({str(k): [str(p) for p in v] for k, v in custom.items() if isinstance(v, list)})
    order = [str(t) for t in detection.get("priority", [])] if isinstance(detection, dict) else []
    for task, default_patterns in TASK_PATTERNS.items():
        patterns.setdefault(task, default_patterns)
    text = user_prompt.lower().strip()
    for task in [*order, *(t for t in patterns if t not in order)]:
        for pattern in patterns.get(task, []):
            try:
                if re.search(pattern, text, re.IGNORECASE):
                    return task
            except re.error:
                continue
    return "default"


def _normal_model(model: str) -> str:
    return (model.split("/", 1)[1] if "/" in model else model).lower().strip()


def _model_specific(block: Any, model: str | None) -> dict[str, Any] | None:
    """The original's flexible match of a model-specific prompt: exact key, key without provider prefix, then
    one being a prefix of the other (claude-sonnet-4 ~ claude-sonnet-4.5)."""
    if not model or not isinstance(block, dict):
        return None
    if isinstance(block.get(model), dict):
        return dict(block[model])
    wanted = _normal_model(model)
    for key, config in block.items():
        if isinstance(config, dict) and _normal_model(key) == wanted:
            return dict(config)
    for key, config in block.items():
        key_n = _normal_model(key)
        if isinstance(config, dict) and (wanted.startswith(key_n) or key_n.startswith(wanted)):
            return dict(config)
    return None


def select_prompt(prompts: dict[str, Any], task_type: str, model: str | None) -> dict[str, Any]:
    """The prompt configuration for the task and model, in the original's order: task-specific model-specific,
    task-specific default, model-specific, default (empty when the template has none)."""
    task = prompts.get(task_type) if task_type != "default" else None
    if isinstance(task, dict):
        if "default" not in task and "model_specific" not in task:
            return dict(task)
        chosen = _model_specific(task.get("model_specific"), model)
        if chosen is not None:
            return chosen
        if isinstance(task.get("default"), dict):
            return dict(task["default"])
    chosen = _model_specific(prompts.get("model_specific"), model)
    if chosen is not None:
        return chosen
    default = prompts.get("default")
    return dict(default) if isinstance(default, dict) else {}


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ", ".join(_text(v) if not isinstance(v, (dict, list)) else json.dumps(v) for v in value)
    if isinstance(value, dict):
        return json.dumps(value, indent=2, ensure_ascii=False)
    return str(value)


def _lookup(context: Any, path: str) -> Any:
    current = context
    for part in path.split("."):
        if current is None:
            return None
        indexed = re.fullmatch(r"(\w+)\[(\d+)\]", part)
        if indexed:
            current = current.get(indexed[1]) if isinstance(current, dict) else None
            current = current[int(indexed[2])] if isinstance(current, list) and int(indexed[2]) < len(current) else None
        elif isinstance(current, dict):
            current = current.get(part)
        elif isinstance(current, list) and part.isdigit():
            current = current[int(part)] if int(part) < len(current) else None
        else:
            return None
    return current


_SECTION_RE = re.compile(r"\{\{#(\w+)\}\}([\s\S]*?)\{\{/\1\}\}")
_VARIABLE_RE = re.compile(r"\{\{([^}#/]+)\}\}")
_INNER_RE = re.compile(r"\{\{([^}]+)\}\}")


def substitute(template: str, context: dict[str, Any]) -> str:
    """``{{path}}`` variables and ``{{#key}}...{{/key}}`` sections, as the original's substitution does them
    (arrays joined with ", ", objects as JSON, a missing value empty)."""

    def section(match: re.Match[str]) -> str:
        value, content = _lookup(context, match[1]), match[2]
        if not value:
            return ""
        if isinstance(value, list):
            return "".join(
                _INNER_RE.sub(
                    lambda m, item=item: (
                        (json.dumps(item) if isinstance(item, (dict, list)) else _text(item))
                        if m[1].strip() == "."
                        else _text(_lookup(item, m[1].strip()))
                    ),
                    content,
                )
                for item in value
            )
        if isinstance(value, dict):
            return _INNER_RE.sub(lambda m: _text(_lookup(value, m[1].strip())), content)
        return content

    return _VARIABLE_RE.sub(lambda m: _text(_lookup(context, m[1].strip())), _SECTION_RE.sub(section, template))


def system_prompt(specialist: Specialist, user_prompt: str, model: str | None) -> str:
    """The specialist's system prompt for this user prompt and model (see the module's docstring). A template
    without prompts gets one from its persona."""
    template = specialist.template
    task_type = detect_task_type(template, user_prompt)
    prompts = _mapping(template.get("prompts"))
    config = select_prompt(prompts, task_type, model)
    combined = "\n\n".join(part for key in PROMPT_PARTS if isinstance(part := config.get(key), str) and part.strip())
    persona = _mapping(template.get("persona"))
    capabilities = _mapping(template.get("capabilities"))
    if not combined:
        combined = _persona_prompt(specialist, persona)
    context = {
        "name": template.get("name"),
        "displayName": template.get("displayName"),
        "version": template.get("version"),
        "persona": persona,
        "capabilities": capabilities,
        "task_type": task_type,
        "user_prompt": user_prompt,
        "tech_stack": _text(persona.get("tech_stack") or []),
        "values": _text(persona.get("values") or []),
        "tags": _text(capabilities.get("tags") or []),
    }
    return substitute(combined, context).strip()


def _mapping(value: Any) -> dict[str, Any]:
    return dict(value) if isinstance(value, dict) else {}


def _persona_prompt(specialist: Specialist, persona: dict[str, Any]) -> str:
    lines = [f"You are {specialist.display_name or specialist.name}."]
    if persona.get("purpose"):
        lines.append(str(persona["purpose"]))
    for key, title in (("values", "Values"), ("attributes", "Attributes"), ("tech_stack", "Tech stack")):
        if persona.get(key):
            lines.append(f"{title}: {_text(persona[key])}.")
    return "\n".join(lines)
