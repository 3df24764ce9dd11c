"""One run through its stages: setup, workspace, agent, validation, evaluation, results.

Each stage is timed into the run's telemetry. The scenario timeout bounds setup to evaluation and really
cancels: the awaiting coroutines are cancelled, and zebench.processes kills every process a command started.
Every command of the run (warmup, the agent's, validation, checks) runs in the run's sandbox (zebench.sandbox).
Whatever happens, the run ends as a RunRecord (failed ones too) with a status and a failure category.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import platform
import secrets
import sys
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import __version__
from .agents import Agent, AgentError, AgentTask, agent_class
from .catalog import CatalogError, Scenario
from .evaluators import EvaluationContext, default_weights, run_evaluators
from .models import (
    SCORED_STATUSES, Diff, Evaluation, Failure, FailureCategory, Manifest, RunRecord, RunStatus, Telemetry,
    Transcript, ValidationResult, utc_now,
)
from .processes import Limits
from .sandbox import Policy, Purpose, Sandbox, SandboxError, default_policies, resolve_mode
from .scoring import score_run, weights_for
from .tools import Toolbox
from .validation import run_validation
from .workspace import diff_workspace, prepare_workspace, remove_workspace

STAGES = ("setup", "workspace", "agent", "validation", "evaluation", "results")
#: Time the diff of a failed or timed-out run may take (after the run's own timeout).
FAILURE_DIFF_SECONDS = 30.0


def new_run_id() -> str:
    return f"{int(time.time() * 1000)}-{secrets.token_hex(4)}"


def new_batch_id() -> str:
    return f"batch-{int(time.time() * 1000)}-{secrets.token_hex(3)}"


@dataclass
class RunOptions:
    """Settings shared by every run of a batch."""

    #: Overrides the scenario's timeout_minutes when set.
    timeout_seconds: float | None = None
    command_timeout: float = 60.0
    keep_workspaces: bool = False
    workspace_root: Path | None = None
    agent_settings: dict[str, Any] = field(default_factory=dict)
    #: LLM judge: enabled, provider ("anthropic" or "openrouter"), model override.
    judge_settings: dict[str, Any] = field(default_factory=dict)
    git_commit: str | None = None
    #: auto (bubblewrap where it works, else none), bwrap, none: see zebench.sandbox.
    sandbox: str = "auto"
    #: Give agent commands the network (a scenario can ask for it with ``sandbox: {network: true}``).
    agent_network: bool = False
    #: Resource limits of every command's processes.
    limits: Limits = field(default_factory=Limits)

    def manifest_settings(self, scenario: Scenario, sandbox_mode: str | None = None) -> dict[str, Any]:
        settings = {
            "timeoutSeconds": self.timeout_for(scenario),
            "commandTimeoutSeconds": self.command_timeout,
            "validationTimeoutSeconds": scenario.spec.validation.timeout_seconds,
            "agentSettings": {k: _setting_text(v) for k, v in self.agent_settings.items()},
            "judgeSettings": dict(self.judge_settings),
            "agentNetwork": self.agent_network or scenario.spec.sandbox.network,
            "limits": {"processes": self.limits.processes, "memoryBytes": self.limits.memory_bytes,
                       "fileSizeBytes": self.limits.file_size_bytes},
        }
        if sandbox_mode is not None:
            settings["sandbox"] = sandbox_mode
        return settings

    def timeout_for(self, scenario: Scenario) -> float:
        return self.timeout_seconds if self.timeout_seconds is not None else scenario.spec.timeout_minutes * 60


@dataclass
class RunSpec:
    scenario: Scenario
    tier: str
    agent: str
    model: str | None = None
    repeat_index: int = 0
    batch_id: str | None = None


class StageFailure(Exception):
    def __init__(self, category: FailureCategory, stage: str, message: str):
        super().__init__(message)
        self.category, self.stage, self.message = category, stage, message


class _Clock:
    def __init__(self) -> None:
        self.stage_ms: dict[str, int] = {}
        self.current: str | None = None
        self._t0 = time.monotonic()

    def start(self, stage: str) -> None:
        self.stop()
        self.current, self._t0 = stage, time.monotonic()

    def stop(self) -> None:
        if self.current is not None:
            self.stage_ms[self.current] = self.stage_ms.get(self.current, 0) + int((time.monotonic() - self._t0) * 1000)
            self.current = None


def sandbox_policies(scenario: Scenario, options: RunOptions) -> dict[Purpose, Policy]:
    """What each kind of command of this run may reach (agent, validation/warmup/baseline, checks)."""
    return default_policies(agent_network=options.agent_network or scenario.spec.sandbox.network)


async def run_one(spec: RunSpec, options: RunOptions) -> RunRecord:
    """Run one (scenario, tier, agent, model). Never raises for the run's own failures."""
    scenario = spec.scenario
    run_id = new_run_id()
    started_at = utc_now()
    t_start = time.monotonic()
    clock = _Clock()
    status: RunStatus = "completed"
    failure: Failure | None = None
    workspace: Path | None = None
    toolbox: Toolbox | None = None
    task: AgentTask | None = None
    validation: list[ValidationResult] = []
    diff: Diff | None = None
    evaluations: list[Evaluation] = []
    prompt: str | None = None
    sandbox: Sandbox | None = None
    sandbox_mode: str | None = None
    diff_note: str | None = None
    timeout = options.timeout_for(scenario)

    try:
        async with asyncio.timeout(timeout):
            clock.start("setup")
            try:
                prompt = scenario.prompt(spec.tier)
                agent: Agent = agent_class(spec.agent)(options.agent_settings)
                answers = scenario.oracle_answers
                sandbox_mode = (await asyncio.to_thread(resolve_mode, options.sandbox))[0]
            except CatalogError as exc:
                raise StageFailure("prompt", "setup", str(exc)) from None
            except SandboxError as exc:
                raise StageFailure("setup", "setup", str(exc)) from None
            except Exception as exc:
                raise StageFailure("setup", "setup", f"{type(exc).__name__}: {exc}") from None

            clock.start("workspace")
            try:
                workspace = await asyncio.to_thread(
                    prepare_workspace, scenario.fixture_dir, options.workspace_root, f"zebench-{run_id}-"
                )
            except OSError as exc:
                raise StageFailure("workspace", "workspace", f"cannot prepare the workspace: {exc}") from None
            sandbox = Sandbox(workspace, mode=sandbox_mode, policies=sandbox_policies(scenario, options),
                              limits=options.limits, scratch_root=options.workspace_root)
            try:
                await sandbox.__aenter__()
            except OSError as exc:
                raise StageFailure("workspace", "workspace", f"cannot prepare the sandbox: {exc}") from None
            if scenario.spec.warmup.enabled and scenario.spec.warmup.type == "scripted":
                for command in scenario.spec.warmup.commands:
                    result = await sandbox.run(command, purpose="validation", timeout=options.command_timeout)
                    if result.exit_code != 0:
                        raise StageFailure("warmup", "workspace", f"warmup command failed: {command}\n{result.output}")

            clock.start("agent")
            toolbox = Toolbox(workspace, answers=answers, command_timeout=options.command_timeout, sandbox=sandbox)
            task = AgentTask(prompt=prompt, scenario=scenario, tier=spec.tier, model=spec.model,
                             workspace=workspace, settings=options.agent_settings)
            try:
                await agent.run(task, toolbox)
            except AgentError as exc:
                raise StageFailure(exc.category, "agent", str(exc)) from None  # type: ignore[arg-type]
            except Exception as exc:
                raise StageFailure("agent", "agent", _describe(exc)) from None
            if task.result.stop_reason == "budget_exceeded":
                status = "budget_exceeded"

            clock.start("validation")
            try:
                fresh, diff_note = await asyncio.to_thread(
                    lambda: diff_workspace(scenario.fixture_dir, workspace, deadline=t_start + timeout))
                diff = fresh
                validation = await run_validation(
                    scenario.spec.validation.commands, sandbox, timeout=scenario.spec.validation.timeout_seconds,
                )
            except Exception as exc:
                raise StageFailure("validation", "validation", _describe(exc)) from None

            clock.start("evaluation")
            try:
                ctx = EvaluationContext(
                    scenario=scenario, workspace=workspace, validation=validation, diff=diff,
                    agent_result=task.result, sandbox=sandbox, command_timeout=scenario.spec.validation.timeout_seconds,
                    prompt=prompt, settings=options.judge_settings,
                )
                evaluations = await run_evaluators(ctx, weights_for(scenario.spec.rubric_overrides, default_weights()))
            except Exception as exc:
                raise StageFailure("evaluation", "evaluation", _describe(exc)) from None
    except TimeoutError:
        status = "timeout"
        failure = Failure(category="timeout", stage=clock.current or "setup",
                          message=f"the run exceeded its {timeout:g} s timeout during the {clock.current} stage")
    except StageFailure as exc:
        status = "failed"
        failure = Failure(category=exc.category, stage=exc.stage, message=exc.message)
    except asyncio.CancelledError:
        status = "cancelled"
        failure = Failure(category="cancelled", stage=clock.current or "setup", message="the batch was interrupted")
    except Exception as exc:  # a harness bug: still store the run
        status = "failed"
        failure = Failure(category="infrastructure", stage=clock.current or "setup", message=_describe(exc))

    clock.start("results")
    try:
        if diff is None and workspace is not None and failure is not None and failure.category != "cancelled":
            # What the agent changed before it failed is the first thing a user wants to see.
            deadline = time.monotonic() + FAILURE_DIFF_SECONDS
            diff, diff_note = await asyncio.to_thread(
                lambda: diff_workspace(scenario.fixture_dir, workspace, deadline=deadline))  # type: ignore[arg-type]
    except Exception:
        diff = None
    if sandbox is not None:
        await sandbox.close()
    if workspace is not None and not options.keep_workspaces:
        await asyncio.to_thread(remove_workspace, workspace)

    agent_result = task.result if task is not None else None
    scored = status in SCORED_STATUSES
    score = score_run(evaluations, scenario.spec.rubric_overrides, completed=scored) if evaluations else None
    metadata: dict[str, Any] = {"scenarioTitle": scenario.spec.title, "difficulty": scenario.spec.difficulty,
                                "tags": scenario.spec.tags}
    if scenario.warnings:
        metadata["warnings"] = scenario.warnings
    if diff_note is not None:
        metadata["diffNote"] = diff_note
    if score is not None:
        metadata["gates"] = score.gates
    evaluator_errors = [e.evaluator_name for e in evaluations if e.error]
    if evaluator_errors:
        metadata["evaluatorErrors"] = evaluator_errors
    if agent_result is not None and agent_result.final_text:
        metadata["agentSummary"] = agent_result.final_text[:2000]
    if agent_result is not None and agent_result.turns:
        metadata["turns"] = agent_result.turns
        metadata["stopReason"] = agent_result.stop_reason
    judge_costs = [e.cost_usd for e in evaluations if e.evaluator_name == "llm_judge" and e.applicable]
    clock.stop()
    telemetry = Telemetry(
        tool_calls=(len(toolbox.calls) if toolbox else 0) + (agent_result.external_tool_calls if agent_result else 0),
        tokens_in=agent_result.tokens_in if agent_result else 0,
        tokens_out=agent_result.tokens_out if agent_result else 0,
        cache_read_tokens=agent_result.cache_read_tokens if agent_result else 0,
        cache_write_tokens=agent_result.cache_write_tokens if agent_result else 0,
        cost_usd=agent_result.cost_usd if agent_result else None,
        judge_cost_usd=None if not judge_costs or None in judge_costs else round(sum(judge_costs), 6),  # type: ignore[arg-type]
        duration_ms=int((time.monotonic() - t_start) * 1000),
        workspace_dir=str(workspace) if workspace else None,
        stage_ms=clock.stage_ms,
        prompt_sent=prompt,
    )
    transcript = Transcript(
        messages=agent_result.messages if agent_result else [],
        tool_calls=toolbox.calls if toolbox else [],
    )
    manifest = Manifest(
        zebench_version=__version__,
        git_commit=options.git_commit,
        scenario_hash=scenario.content_hash,
        prompt_hash=hashlib.sha256(prompt.encode()).hexdigest() if prompt is not None else None,
        agent=spec.agent,
        model=spec.model,
        settings=options.manifest_settings(scenario, sandbox_mode),
        python_version=sys.version.split()[0],
        platform=platform.platform(),
    )
    return RunRecord(
        run_id=run_id, batch_id=spec.batch_id, suite=scenario.suite, scenario=scenario.name, tier=spec.tier,
        agent=spec.agent, model=spec.model, status=status, started_at=started_at, completed_at=utc_now(),
        total_score=None if score is None or score.weighted_score is None else round(score.weighted_score / 10, 6),
        weighted_score=score.weighted_score if score else None,
        is_successful=score.is_successful if score else False,
        success_metric=score.success_metric if score else None,
        repeat_index=spec.repeat_index, failure=failure, metadata=metadata, evaluations=evaluations,
        telemetry=telemetry, validation=validation, diff=diff, transcript=transcript, manifest=manifest,
    )


def _setting_text(value: Any) -> Any:
    """Agent settings as stored in the manifest: scalars as they are, long structures summarised."""
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    text = json.dumps(value, default=str)
    return text if len(text) <= 200 else f"<{type(value).__name__} of {len(value)} items>"  # type: ignore[arg-type]


def _describe(exc: BaseException) -> str:
    tb = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__, limit=6))
    return f"{type(exc).__name__}: {exc}\n{tb}"
