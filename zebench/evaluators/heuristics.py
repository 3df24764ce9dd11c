"""Heuristic checks of scenario.yaml: commands, files, patterns, structured lookups, scripts.

score = sum of the weights of the checks that passed / sum of all weights.

Check commands and scripts run in the run's sandbox (policy "check") with the workspace as their working
directory and on ``PYTHONPATH``: a check script (which lives in the scenario folder, so Python puts that folder,
not the workspace, first on ``sys.path``) imports the agent's code with a plain ``import``.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import shlex
import sys
import tomllib
from pathlib import Path
from typing import Any

import yaml

from ..catalog import IGNORED_DIRS
from ..isolation.processes import CommandResult
from ..isolation.sandbox import Policy, Sandbox
from ..models import CommandCheck, FileCheck, PatternCheck, ScriptCheck, StructuredCheck
from ..run.workspace import is_inside, read_regular
from . import EvaluationContext, Evaluator, Verdict

_MISSING = object()
OUTPUT_KEPT = 2000
#: Largest workspace file a pattern or structured check reads (the agent controls these files).
MAX_CHECKED_BYTES = 8 * 1024 * 1024


def _inside(workspace: Path, rel: str) -> Path | None:
    path = (workspace / rel).resolve()
    root = workspace.resolve()
    return path if path == root or root in path.parents else None


def _glob(workspace: Path, pattern: str) -> list[Path]:
    if pattern.startswith("/") or ".." in Path(pattern).parts:
        return []
    return sorted(
        p
        for p in workspace.glob(pattern)
        if not IGNORED_DIRS.intersection(p.relative_to(workspace).parts) and is_inside(workspace, p) and p.is_file()
    )


def _read(path: Path) -> str | None:
    """A workspace file's text (regular files only, bounded); None when there is none to read."""
    data = read_regular(Path(os.path.realpath(path)), MAX_CHECKED_BYTES)
    return None if data is None else data.decode("utf-8", errors="replace")


def lookup(data: Any, dotted: str) -> Any:
    """Follow ``a.b[0].c`` (a leading ``$.`` is allowed) through dicts and lists; _MISSING when absent."""
    path = dotted[2:] if dotted.startswith("$.") else dotted.lstrip("$")
    for part in re.findall(r"[^.\[\]]+|\[\d+\]", path):
        if part.startswith("["):
            index = int(part[1:-1])
            if not isinstance(data, list) or index >= len(data):
                return _MISSING
            data = data[index]
        elif isinstance(data, dict) and part in data:
            data = data[part]
        else:
            return _MISSING
    return data


def load_structured(path: Path) -> Any:
    text = _read(path)
    if text is None:
        raise ValueError("not a regular file")
    suffix = path.suffix.lower()
    if suffix == ".toml":
        return tomllib.loads(text)
    if suffix in (".yaml", ".yml"):
        return yaml.safe_load(text)
    return json.loads(text)


def has_section(text: str, header: str) -> bool:
    wanted = header.strip()
    for line in text.splitlines():
        line = line.strip()
        if line == wanted:
            return True
        if not wanted.startswith("#") and re.fullmatch(r"#+\s*" + re.escape(wanted), line):
            return True
    return False


#: How a check script is started, by extension (others are executed directly: shebang and executable bit).
SCRIPT_RUNNERS: dict[str, list[str]] = {
    ".py": [sys.executable],
    ".js": ["node"],
    ".mjs": ["node"],
    ".cjs": ["node"],
    ".sh": ["sh"],
}
_VARIABLE_RE = re.compile(r"\$\{(scenario|artifact)\.([A-Za-z0-9_]+)\}")


def expand(arg: str, ctx: EvaluationContext) -> str:
    """``${scenario.<key>}`` (a scalar key of scenario.yaml: id, suite, title...) and ``${artifact.<field>}`` in
    a script argument, as in the original; an unknown variable is left as written."""
    spec = ctx.scenario.spec
    values = {
        "scenario": {k: v for k, v in spec.model_dump().items() if isinstance(v, (str, int, float))},
        "artifact": spec.artifact.fields() if spec.artifact is not None else {},
    }
    values["scenario"]["suite"] = ctx.scenario.suite

    def one(match: re.Match[str]) -> str:
        value = values[match[1]].get(match[2])
        return match[0] if value is None or isinstance(value, (dict, list)) else str(value)

    return _VARIABLE_RE.sub(one, arg)


def check_policy(box: Sandbox) -> Policy:
    """The "check" policy with the workspace first on PYTHONPATH (what the policy already had after it)."""
    policy = box.policy("check")
    paths = [str(box.workspace)] + ([policy.env["PYTHONPATH"]] if policy.env.get("PYTHONPATH") else [])
    return policy.extend(env={"PYTHONPATH": os.pathsep.join(paths)})


class HeuristicChecksEvaluator(Evaluator):
    name = "heuristic_checks"
    kind = "task"
    default_weight = 2.0
    description = "The scenario's heuristic checks: passed weight / total weight."

    async def evaluate(self, ctx: EvaluationContext) -> Verdict:
        spec = ctx.scenario.spec.heuristic_checks
        if not spec.enabled or spec.count() == 0:
            return Verdict.not_applicable("no heuristic checks enabled")
        jobs = (
            [self._command(c, ctx) for c in spec.commands]
            + [self._file(c, ctx) for c in spec.files]
            + [self._pattern(c, ctx) for c in spec.patterns]
            + [self._structured(c, ctx) for c in spec.structured]
            + [self._script(c, ctx) for c in spec.scripts]
        )
        checks = await asyncio.gather(*jobs)
        total = sum(c["weight"] for c in checks)
        passed = sum(c["weight"] for c in checks if c["passed"])
        if total == 0:
            return Verdict.not_applicable("every heuristic check has weight 0", checks=checks)
        return Verdict(score=passed / total, details={"passedWeight": passed, "totalWeight": total, "checks": checks})

    @staticmethod
    def _result(check: Any, kind: str, passed: bool, message: str) -> dict[str, Any]:
        return {"name": check.name, "type": kind, "weight": check.weight, "passed": passed, "message": message}

    @staticmethod
    async def _run(ctx: EvaluationContext, command: str | list[str], policy: Policy) -> tuple[CommandResult, bool]:
        """A check command or script, through its result channel when the run has them (zebench.run.channel)."""
        box = ctx.command_sandbox()
        if ctx.channels is not None:
            return await ctx.channels.run(
                box, command, policy=policy, timeout=ctx.command_timeout, tail_bytes=OUTPUT_KEPT
            )
        result = await box.run(
            command, policy=policy, timeout=ctx.command_timeout, head_bytes=0, tail_bytes=OUTPUT_KEPT
        )
        return result, result.exit_code == 0

    async def _command(self, check: CommandCheck, ctx: EvaluationContext) -> dict[str, Any]:
        result, passed = await self._run(ctx, check.command, check_policy(ctx.command_sandbox()))
        message = "timed out" if result.timed_out else f"exit code {result.exit_code}"
        return self._result(check, "command", passed, f"{message}\n{result.output}".strip())

    async def _file(self, check: FileCheck, ctx: EvaluationContext) -> dict[str, Any]:
        path = _inside(ctx.workspace, check.path)
        exists = path is not None and path.exists()
        passed = exists != check.absent
        message = f"{check.path} {'exists' if exists else 'does not exist'}"
        return self._result(check, "file", passed, message)

    async def _pattern(self, check: PatternCheck, ctx: EvaluationContext) -> dict[str, Any]:
        def search() -> tuple[list[str], int]:
            regex = re.compile(check.pattern, re.MULTILINE)
            files = _glob(ctx.workspace, check.file)
            hits = [p.relative_to(ctx.workspace).as_posix() for p in files if regex.search(_read(p) or "")]
            return hits, len(files)

        hits, searched = await asyncio.to_thread(search)
        passed = (not hits) if check.absent else bool(hits)
        where = f"matched in {', '.join(hits[:10])}" if hits else "no match"
        return self._result(check, "pattern", passed, f"{where} ({searched} files searched for {check.file})")

    async def _structured(self, check: StructuredCheck, ctx: EvaluationContext) -> dict[str, Any]:
        path = _inside(ctx.workspace, check.file)
        if path is None or not path.is_file():
            return self._result(check, "structured", not check.exists, f"{check.file} does not exist")
        try:
            if check.section_header is not None:
                found = has_section(_read(path) or "", check.section_header)
                what = f"section {check.section_header!r}"
            else:
                found = lookup(load_structured(path), check.json_path or "") is not _MISSING
                what = f"key {check.json_path!r}"
        except (ValueError, tomllib.TOMLDecodeError, yaml.YAMLError, UnicodeDecodeError) as exc:
            return self._result(check, "structured", False, f"{check.file} cannot be parsed: {exc}")
        passed = found == check.exists
        return self._result(check, "structured", passed, f"{what} {'found' if found else 'not found'} in {check.file}")

    async def _script(self, check: ScriptCheck, ctx: EvaluationContext) -> dict[str, Any]:
        script = (ctx.scenario.dir / check.script).resolve()
        if not script.is_file():
            return self._result(check, "script", False, f"script not found: {check.script}")
        argv = SCRIPT_RUNNERS.get(script.suffix.lower(), []) + [str(script)] + [expand(a, ctx) for a in check.args]
        box = ctx.command_sandbox()
        # The script's folder is readable in the sandbox, unless it holds the fixture or the solution: then only
        # the script itself.
        folder = script.parent
        scenario_dirs = [d.resolve() for d in (ctx.scenario.fixture_dir, ctx.scenario.solution_dir) if d is not None]
        shared = any(d == folder or folder in d.parents for d in scenario_dirs)
        policy = check_policy(box).extend(ro_paths=[script if shared else folder])
        result, passed = await self._run(ctx, shlex.join(argv), policy)
        message = "timed out" if result.timed_out else f"exit code {result.exit_code}"
        return self._result(check, "script", passed, f"{message}\n{result.output}".strip())
