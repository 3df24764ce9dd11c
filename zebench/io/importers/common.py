"""What every importer shares: options and the mapping file, the source and its problems, stable ids, provenance,
host-path scrubbing, size caps and costs (docs/import.md).

An importer turns one *source* (an Inspect log, a Harbor job, a Terminal-Bench run, a SWE-bench run) into one
:class:`~zebench.models.BatchRecord` and its :class:`~zebench.models.RunRecord` objects, the same contract
``zebench ingest`` and the API write through. Nothing here writes: ``zebench.io.importers.import_paths`` stores.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from ...models import NAME_MAX, BatchRecord, RunRecord, jsonsafe
from ...prices import price_table

#: Longest text kept of one message, tool input value or tool output of an imported transcript: zebench's own
#: transcripts keep 16 KiB of a tool's output (zebench.run.tools.TRANSCRIPT_OUTPUT_LIMIT; a test checks they
#: agree), and the site cuts further for its pages.
TEXT_CAP = 16 * 1024
#: Messages and tool calls kept of one imported transcript (the rest is counted in metadata).
MESSAGES_CAP = 2000
#: A diff's patch, per file and in all (zebench.run.workspace.PATCH_LIMIT_PER_FILE and PATCH_LIMIT_TOTAL).
PATCH_CAP = 64 * 1024
PATCH_TOTAL_CAP = 1024 * 1024
#: Largest source file read (a trial's result, a log's sample entry); larger ones are an error naming the file.
FILE_CAP = 256 * 1024 * 1024
#: The tier of imported runs unless ``--tier`` or a mapping file gives one.
DEFAULT_TIER = "-"


class SourceError(Exception):
    """A file that cannot be imported (unreadable, corrupt, truncated, not of its format): nothing of it is
    stored. The message names the file."""


class UsageError(Exception):
    """Bad usage: a path that does not exist, a format that is not known, a mapping file that is wrong."""


@dataclass
class Mapping:
    """A mapping file (YAML or JSON): the tier, and source ids onto a zebench suite's scenarios, so that imported
    runs pair with zebench's own (``zebench compare``). Keys of ``scenarios`` are the source's item ids (an Inspect
    sample id, a Harbor or Terminal-Bench task name, a SWE-bench instance id), or ``SUITE/ID`` with the source's
    suite; values ``scenario`` or ``suite/scenario``."""

    suite: str | None = None
    tier: str | None = None
    agent: str | None = None
    model: str | None = None
    scenarios: dict[str, str] = field(default_factory=dict)
    #: Only the mapped ids are imported (the others are skipped and counted).
    only_mapped: bool = False

    @classmethod
    def load(cls, path: Path) -> Mapping:
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
            raise UsageError(f"{path}: cannot read the mapping file: {exc}") from None
        if not isinstance(data, dict):
            raise UsageError(f"{path}: a mapping file is an object (suite, tier, agent, model, scenarios)")
        known = {"suite", "tier", "agent", "model", "scenarios", "onlyMapped", "only_mapped"}
        unknown = sorted(set(data) - known)
        if unknown:
            raise UsageError(f"{path}: unknown key(s) {', '.join(unknown)} (known: {', '.join(sorted(known))})")
        scenarios = data.get("scenarios") or {}
        if not isinstance(scenarios, dict) or not all(isinstance(v, str) and v for v in scenarios.values()):
            raise UsageError(f"{path}: scenarios maps source ids onto 'scenario' or 'suite/scenario' names")
        for key in ("suite", "tier", "agent", "model"):
            value = data.get(key)
            if value is not None and (not isinstance(value, str) or not value or len(value) > NAME_MAX):
                raise UsageError(f"{path}: {key} is a name of 1 to {NAME_MAX} characters")
        return cls(
            suite=data.get("suite"),
            tier=data.get("tier"),
            agent=data.get("agent"),
            model=data.get("model"),
            scenarios={str(k): v for k, v in scenarios.items()},
            only_mapped=bool(data.get("onlyMapped", data.get("only_mapped", False))),
        )


@dataclass
class ImportOptions:
    tier: str | None = None
    mapping: Mapping | None = None
    #: Inspect: the scorer whose value is the verdict (default: the first scorer of the log).
    scorer: str | None = None
    #: Numeric scores and rewards: success when the value reaches this (default 1.0: full marks).
    threshold: float | None = None


@dataclass
class FileProblem:
    path: str
    error: str

    def __str__(self) -> str:
        return f"{self.path}: {self.error}"


@dataclass
class Source:
    """What one source gives: its batch, its runs, and the files that could not be imported (nothing of them
    is in ``runs``)."""

    format: str
    path: Path
    batch: BatchRecord | None = None
    runs: list[RunRecord] = field(default_factory=list)
    problems: list[FileProblem] = field(default_factory=list)
    #: Trials left out on purpose (not in the mapping file with onlyMapped), counted in the report.
    skipped: int = 0
    #: The source's own figures (its accuracy, its resolved count), shown beside zebench's in the report.
    reported: dict[str, Any] = field(default_factory=dict)


# -- reading ------------------------------------------------------------------------------------------------------


def read_bytes(path: Path) -> bytes:
    try:
        size = path.stat().st_size
        if size > FILE_CAP:
            raise SourceError(f"{path}: {size:,} bytes, larger than the {FILE_CAP:,} an imported file may have")
        return path.read_bytes()
    except OSError as exc:
        raise SourceError(f"{path}: cannot read: {exc.strerror or exc}") from None


def parse_json(data: bytes | str, where: str) -> Any:
    """JSON from a source file, with the depth limit of ``zebench ingest`` (values SQLite cannot keep are refused
    where a record is made of them). SourceError naming ``where`` when it is not JSON (a truncated file)."""
    if jsonsafe.nested_deeper_than(data, jsonsafe.MAX_DEPTH + 16):
        raise SourceError(f"{where}: JSON nested deeper than {jsonsafe.MAX_DEPTH + 16} levels")
    try:
        return json.loads(data)
    except json.JSONDecodeError as exc:
        raise SourceError(
            f"{where}: not valid JSON ({exc.msg} at line {exc.lineno} column {exc.colno}; truncated?)"
        ) from None
    except (ValueError, RecursionError) as exc:
        raise SourceError(f"{where}: not readable as JSON: {exc}") from None


def read_json(path: Path) -> Any:
    return parse_json(read_bytes(path), str(path))


def obj(value: Any) -> dict[str, Any]:
    """A source's object, or {} when it is something else (a value of the wrong shape reads as absent)."""
    return value if isinstance(value, dict) else {}


def expect(condition: bool, where: str, message: str) -> None:
    if not condition:
        raise SourceError(f"{where}: {message}")


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def short_hash(value: Any, n: int = 8) -> str:
    text = value if isinstance(value, str) else json.dumps(value, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:n]


# -- names and ids ------------------------------------------------------------------------------------------------


def clean_name(value: Any, fallback: str = "unknown") -> str:
    """A name zebench can key on: text, '/' replaced (suite/scenario keys split on it), at most NAME_MAX."""
    text = str(value).strip() if value is not None else ""
    text = text.replace("/", ".").replace("\n", " ")
    if not text:
        text = fallback
    if len(text) > NAME_MAX:
        text = f"{text[: NAME_MAX - 9]}~{short_hash(text)}"
    return text


def run_id(fmt: str, *parts: Any) -> str:
    """A stable run id: the same trial of the same source always gets the same id, so importing again changes
    nothing (and a changed trial is an update of its run)."""
    return f"{fmt}-{short_hash([str(p) for p in parts], 24)}"


def configuration_name(name: Any, version: Any = None, args: Any = None) -> str:
    """An agent name: the source's agent or solver, its version, and a short hash of its arguments when it has
    any: different arguments make different agents, never pooled silently."""
    text = clean_name(name)
    if version not in (None, "", "unknown"):
        text += f"@{clean_name(version)}"
    if args:
        text += f"+{short_hash(args)}"
    return clean_name(text)


@dataclass
class Item:
    suite: str
    scenario: str
    tier: str
    #: Whether a mapping file gave the scenario.
    mapped: bool = False


def item_for(options: ImportOptions, suite: Any, source_id: Any) -> Item:
    """Suite, scenario and tier of a trial: the source's task (or dataset) and item id, the tier ``-`` unless
    ``--tier`` or the mapping file says; the mapping file may move the id onto a zebench suite's scenario."""
    suite_name = clean_name(suite)
    sid = str(source_id)
    mapping = options.mapping
    tier = options.tier or (mapping.tier if mapping else None) or DEFAULT_TIER
    if mapping:
        target = mapping.scenarios.get(f"{suite}/{sid}") or mapping.scenarios.get(sid)
        if target:
            if "/" in target:
                mapped_suite, _, scenario = target.partition("/")
            else:
                mapped_suite, scenario = mapping.suite or suite_name, target
            return Item(clean_name(mapped_suite), clean_name(scenario), clean_name(tier), True)
        if mapping.suite:
            suite_name = clean_name(mapping.suite)
    return Item(suite_name, clean_name(sid), clean_name(tier))


def skip_unmapped(options: ImportOptions, item: Item) -> bool:
    return bool(options.mapping and options.mapping.only_mapped and not item.mapped)


def model_name(value: Any) -> str | None:
    """A model id as the source gives it ('provider/model' kept: zebench's own OpenRouter runs look so)."""
    if value is None or not str(value).strip():
        return None
    text = str(value).strip().replace("\n", " ")
    return text if len(text) <= NAME_MAX else f"{text[: NAME_MAX - 9]}~{short_hash(text)}"


def agent_and_model(options: ImportOptions, agent: str, model: Any) -> tuple[str, str | None]:
    mapping = options.mapping
    if mapping:
        return mapping.agent or agent, mapping.model or model_name(model)
    return agent, model_name(model)


# -- untrusted text -----------------------------------------------------------------------------------------------

#: Home folders and user names in absolute paths (Linux, macOS, Windows), which say whose machine made a log.
_HOST_PATH = re.compile(
    r"(?P<unix>(?<![\w.-])/(?:home|Users)/[^/\s\"'`<>:;,)\]]+)"
    r"|(?P<root>(?<![\w.-])/root(?=[/\s\"'`<>:;,)\]]|$))"
    r"|(?P<win>\b[A-Za-z]:[\\/]+Users[\\/]+[^\\/\s\"'`<>:;,)\]]+)"
)


class Scrubber:
    """Replaces host paths in imported text: the folder the source was read from (``<source>``), this machine's
    home and working folder, and any other user's home folder (``~``). Shown on public pages, a path says whose
    machine and which project made the log."""

    def __init__(self, source_root: Path | None = None):
        exact: list[tuple[str, str]] = []
        if source_root is not None:
            exact.append((str(source_root.resolve()), "<source>"))
        for name, label in ((os.getcwd(), "<cwd>"), (os.path.expanduser("~"), "~")):
            if len(name) > 1:
                exact.append((name, label))
        # longest first: the source folder inside the home folder is named as the source
        self.exact = sorted({e for e in exact if len(e[0]) > 1}, key=lambda e: -len(e[0]))
        # what a JSON text holding a host path must contain: most records hold none and are left unwalked
        self.hints = (
            "/home/",
            "Users",
            "/root",
            *(json.dumps(prefix, ensure_ascii=False)[1:-1] for prefix, _ in self.exact),
        )

    def text(self, value: str) -> str:
        if "/" not in value and "\\" not in value:
            return value
        for prefix, label in self.exact:
            if prefix in value:
                value = value.replace(prefix, label)
        return _HOST_PATH.sub("~", value)

    def record(self, value: dict[str, Any]) -> dict[str, Any]:
        out: dict[str, Any] = self.value(value)
        return out

    def value(self, value: Any) -> Any:
        """Every string of a JSON value scrubbed (keys too); the value itself when its JSON text has no host path."""
        if isinstance(value, (dict, list)):
            try:
                text = json.dumps(value, ensure_ascii=False)
            except (TypeError, ValueError):
                return self._walk(value)
            if not any(hint in text for hint in self.hints):
                return value
        return self._walk(value)

    def _walk(self, value: Any) -> Any:
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, list):
            return [self._walk(v) for v in value]
        if isinstance(value, dict):
            return {self.text(k) if isinstance(k, str) else k: self._walk(v) for k, v in value.items()}
        return value


def cap(text: str, limit: int = TEXT_CAP) -> str:
    """Text as stored: at most ``limit`` characters, the cut said (as zebench's own transcripts say it)."""
    if len(text) <= limit:
        return text
    return text[:limit] + f"\n... [{len(text) - limit} characters not stored]"


def cap_value(value: Any, limit: int = TEXT_CAP) -> Any:
    if isinstance(value, str):
        return cap(value, limit)
    if isinstance(value, list):
        return [cap_value(v, limit) for v in value]
    if isinstance(value, dict):
        return {k: cap_value(v, limit) for k, v in value.items()}
    return value


def finite(value: Any) -> Any:
    """A source's figure as storable JSON: NaN and infinities (Inspect writes NaN for an undefined stderr) are
    null, integers beyond 64 bits text."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, int) and not isinstance(value, bool) and not jsonsafe.INT64_MIN <= value <= jsonsafe.INT64_MAX:
        return str(value)
    if isinstance(value, list):
        return [finite(v) for v in value]
    if isinstance(value, dict):
        return {k: finite(v) for k, v in value.items()}
    return value


def number(value: Any) -> float | None:
    if isinstance(value, bool):
        return float(value)
    if isinstance(value, (int, float)) and math.isfinite(value):
        return float(value)
    return None


def count(value: Any) -> int:
    n = number(value)
    return max(0, int(n)) if n is not None else 0


def ms_between(start: str | None, end: str | None) -> int | None:
    from ...models import epoch_ms

    a, b = epoch_ms(start), epoch_ms(end)
    return None if a is None or b is None else max(0, b - a)


def timestamp(value: Any) -> str | None:
    """An ISO-8601 time as stored, or None when the source has none (or not one)."""
    from ...models import normalize_timestamp

    if not isinstance(value, str) or not value.strip():
        return None
    try:
        return normalize_timestamp(value)
    except ValueError:
        return None


def price(
    model: str | None, tokens_in: int, tokens_out: int, cache_read: int = 0, cache_write: int = 0
) -> float | None:
    """zebench's price table for a model the source gave no cost for (``provider/model`` looked up without the
    provider too); None when the model has no price."""
    if not model:
        return None
    table = price_table()
    for name in (model, model.rsplit("/", 1)[-1]):
        cost = table.cost(name, tokens_in, tokens_out, cache_read, cache_write)
        if cost is not None:
            return cost
    return None


def provenance(
    fmt: str,
    version: str | None,
    file: str,
    digest: str,
    ids: dict[str, Any],
    **extra: Any,
) -> dict[str, Any]:
    """metadata.source of an imported run: the harness and its version, the file (relative to the source's own
    folder, never the importing machine's path) and the sha256 of the bytes the run was read from, and the
    source's own ids."""
    out: dict[str, Any] = {"harness": fmt, "version": version, "file": file, "sha256": digest, "ids": ids}
    out.update({k: v for k, v in extra.items() if v is not None})
    return out


def relative(path: Path, root: Path) -> str:
    """A file's name within its source: relative to the folder holding the source (so the same file imported
    from elsewhere is the same file)."""
    try:
        return path.resolve().relative_to(root.resolve().parent).as_posix()
    except ValueError:
        return path.name


Reader = Callable[[Path, ImportOptions], Iterable[Source]]


class TranscriptBuilder:
    """An imported transcript in the shape zebench's run view reads: messages whose content is a list of blocks
    (``text``, ``thinking``, ``tool_use``), and one tool call per ``tool_use`` with its output (matched by the
    source's call id), so that a call's output is stored once. Text is capped (TEXT_CAP) and at most MESSAGES_CAP
    messages and calls are kept (``dropped`` counts the rest)."""

    def __init__(self) -> None:
        self.messages: list[dict[str, Any]] = []
        self.calls: list[dict[str, Any]] = []
        self._by_id: dict[str, dict[str, Any]] = {}
        self.dropped = 0

    def message(
        self,
        role: str,
        text: str | None = None,
        uses: Iterable[tuple[str | None, str, Any]] = (),
        thinking: str | None = None,
        other: Iterable[Any] = (),
    ) -> None:
        blocks: list[Any] = []
        if thinking:
            blocks.append({"type": "thinking", "thinking": cap(thinking)})
        if text:
            blocks.append({"type": "text", "text": cap(text)})
        blocks.extend(cap_value(o) for o in other)
        for call_id, name, arguments in uses:
            tool_input = arguments if isinstance(arguments, dict) else {"arguments": arguments}
            tool_input = cap_value(tool_input)
            blocks.append({"type": "tool_use", "id": call_id, "name": name, "input": tool_input})
            if len(self.calls) >= MESSAGES_CAP:
                self.dropped += 1
                continue
            call = {
                "seq": len(self.calls),
                "name": clean_call_name(name),
                "input": tool_input,
                "output": "",
                "isError": False,
            }
            self.calls.append(call)
            if call_id:
                self._by_id[call_id] = call
        if not blocks:
            return
        if len(self.messages) >= MESSAGES_CAP:
            self.dropped += 1
            return
        self.messages.append({"role": role, "content": blocks})

    def result(self, call_id: str | None, output: str, is_error: bool = False, duration_ms: int | None = None) -> None:
        """A tool's result: the output of the call it answers, or (no such call) a message of its own."""
        call = self._by_id.get(call_id) if call_id else None
        if call is None:
            self.message("tool", output)
            return
        call["output"] = cap(output)
        call["isError"] = bool(is_error)
        if duration_ms is not None:
            call["durationMs"] = max(0, int(duration_ms))

    def build(self) -> dict[str, Any] | None:
        if not self.messages and not self.calls:
            return None
        return {"messages": self.messages, "toolCalls": self.calls}


def clean_call_name(name: Any) -> str:
    text = str(name or "tool")
    return text[:NAME_MAX]


def text_of(content: Any) -> str:
    """The text of a message content in the usual shapes: a string, or a list of parts with ``text``."""
    if content is None:
        return ""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        out = []
        for part in content:
            if isinstance(part, str):
                out.append(part)
            elif isinstance(part, dict):
                for key in ("text", "reasoning", "refusal"):
                    if isinstance(part.get(key), str):
                        out.append(part[key])
                        break
                else:
                    kind = part.get("type")
                    out.append(f"[{kind}]" if kind else json.dumps(part, default=str)[:200])
        return "\n".join(out)
    if isinstance(content, dict):
        return text_of([content])
    return str(content)
