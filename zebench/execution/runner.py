"""One run through its stages: setup, workspace, agent, validation, evaluation, results.

Each stage is timed into the run's telemetry. The scenario timeout bounds setup to evaluation and really
cancels: the awaiting coroutines are cancelled, and zebench.processes kills every process a command started.
Every command of the run (warmup, the agent's, validation, checks) runs in the run's sandbox (zebench.sandbox).
Whatever happens, the run ends as a RunRecord (failed ones too) with a status and a failure category, its
secrets redacted. Cancellation (a batch stopped by a signal) is not a failure of the run: ``run_one`` records
the run as it stood (status and category ``cancelled``, the stage it was in, what the agent did so far), removes
its workspace, hands that record to ``on_cancelled`` and re-raises the CancelledError.
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
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, get_args

from ..agents import Agent, AgentError, AgentTask, agent_class
from ..catalog import CatalogError, Scenario
from ..constants import zebench_version
from ..evaluators import EvaluationContext, default_weights, run_evaluators
from ..isolation.processes import Limits
from ..isolation.redact import redact
from ..isolation.sandbox import Policy, Purpose, Sandbox, SandboxError, command_path, default_policies, resolve_mode
from ..isolation.toolchain import package_manager_dirs, package_manager_env
from ..models import (
    SCORED_STATUSES,
    Diff,
    Evaluation,
    Failure,
    FailureCategory,
    Manifest,
    RunRecord,
    RunStatus,
    Telemetry,
    Transcript,
    ValidationResult,
    utc_now,
)
from ..models.specialist import Specialist
from ..run.mcp import McpServers, McpStartError, resolve_server, start_servers
from ..run.scoring import score_run, weights_for
from ..run.specialist import system_prompt
from ..run.tools import Toolbox
from ..run.validation import (
    compare_with_baseline,
    missing_tools,
    missing_tools_message,
    run_baseline,
    run_validation,
)
from ..run.workspace import diff_workspace, prepare_workspace, remove_workspace

STAGES = ("setup", "workspace", "agent", "baseline", "validation", "evaluation", "results")
#: Evaluators that can judge a scenario without a workspace (artifact scenarios): the others are left out.
WORKSPACE_FREE_EVALUATORS = frozenset({"llm_judge", "heuristic_checks"})
#: Time the diff of a failed or timed-out run may take (after the run's own timeout).
FAILURE_DIFF_SECONDS = 30.0
FAILURE_CATEGORIES: frozenset[str] = frozenset(get_args(FailureCategory))
#: Receives the record of a run that is being cancelled; awaited (shielded) before the cancellation propagates.
OnCancelled = Callable[[RunRecord], Awaitable[None]]


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
    #: Baseline results shared by the runs of a batch (a run without one computes its scenario's baseline itself).
    baselines: BaselineCache | None = None
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
            "limits": {
                "processes": self.limits.processes,
                "memoryBytes": self.limits.memory_bytes,
                "fileSizeBytes": self.limits.file_size_bytes,
            },
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
    #: The specialist the run wears (its prompt and MCP servers), if any.
    specialist: Specialist | None = None


class BaselineCache:
    """The baseline commands of each scenario, run once per batch on an untouched copy of its fixture.

    The first run of a scenario starts them; the others wait for the same results. Shielded: a run that times out
    while waiting does not cancel the baseline the other runs need; ``close`` cancels what is still running."""

    def __init__(self, workspace_root: Path | None = None):
        self.workspace_root = workspace_root
        self._tasks: dict[str, asyncio.Future[list[ValidationResult]]] = {}

    def start(
        self, scenario: Scenario, *, sandbox_mode: str, policies: dict[Purpose, Policy], limits: Limits
    ) -> asyncio.Future[list[ValidationResult]]:
        task = self._tasks.get(scenario.key)
        if task is None:
            spec = scenario.spec
            task = asyncio.ensure_future(
                run_baseline(
                    spec.baseline.run,
                    scenario.fixture_dir,
                    spec.validation.commands,
                    timeout=spec.validation.timeout_seconds,
                    sandbox_mode=sandbox_mode,
                    policies=policies,
                    limits=limits,
                    workspace_root=self.workspace_root,
                )
            )
            self._tasks[scenario.key] = task
        return task

    async def close(self) -> None:
        for task in self._tasks.values():
            task.cancel()
        # All of them, done ones too: a baseline that failed while no run waited for it is retrieved here
        # instead of being logged as "exception was never retrieved".
        await asyncio.gather(*self._tasks.values(), return_exceptions=True)


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
    """What each kind of command of this run may reach (agent, validation/warmup/baseline, checks). Scenario
    commands share the package managers' stores and caches in zebench's cache directory (read-write)."""
    policies = default_policies(agent_network=options.agent_network or scenario.spec.sandbox.network)
    stores = {"rw_paths": package_manager_dirs(), "env": package_manager_env()}
    for purpose in ("validation", "check"):
        policies[purpose] = policies[purpose].extend(**stores)  # type: ignore[arg-type]
    return policies


class _Cancelled(Exception):
    """The record of a run whose task was cancelled, on its way from the stages to ``run_one``."""

    def __init__(self, record: RunRecord, cancelled: asyncio.CancelledError):
        super().__init__("cancelled")
        self.record, self.cancelled = record, cancelled


async def run_one(spec: RunSpec, options: RunOptions, *, on_cancelled: OnCancelled | None = None) -> RunRecord:
    """Run one (scenario, tier, agent, model). Never raises for the run's own failures, nor for a crash of an
    agent, an evaluator or the harness (a failed run with its category and message).

    When the task is cancelled, the run is recorded as it stood (status ``cancelled`` if a stage was
    interrupted), its workspace removed, the record awaited through ``on_cancelled``, and the CancelledError
    re-raised: cancellation always propagates.
    """
    cancelled: asyncio.CancelledError | None = None
    try:
        record = await _run_stages(spec, options)
    except _Cancelled as stop:
        record, cancelled = stop.record, stop.cancelled
    except Exception as exc:  # parts an agent made that the record refuses: still store the run
        record = _unbuilt_record(spec, exc)
        task = asyncio.current_task()
        if task is not None and task.cancelling():
            cancelled = asyncio.CancelledError()
    record = redact(record)
    if cancelled is not None:
        if on_cancelled is not None:
            try:
                await asyncio.shield(on_cancelled(record))
            except asyncio.CancelledError:
                pass  # a second cancellation: stop waiting; the save itself goes on (shielded)
        raise cancelled
    return record


def _cancelled_failure(stage: str) -> Failure:
    return Failure(
        category="cancelled",
        stage=stage,
        message=f"the batch was stopped during the {stage} stage; `zebench run --resume` redoes this run",
    )


def _unbuilt_record(spec: RunSpec, exc: Exception) -> RunRecord:
    """The run whose own record could not be made (an agent's message the model refuses...): stored failed."""
    now = utc_now()
    return RunRecord(
        run_id=new_run_id(),
        batch_id=spec.batch_id,
        suite=spec.scenario.suite,
        scenario=spec.scenario.name,
        tier=spec.tier,
        agent=spec.agent,
        model=spec.model,
        status="failed",
        started_at=now,
        completed_at=now,
        repeat_index=spec.repeat_index,
        failure=Failure(
            category="infrastructure", stage="results", message=f"the run record could not be built: {_describe(exc)}"
        ),
    )


async def _run_stages(spec: RunSpec, options: RunOptions) -> RunRecord:
    """The stages of one run and its record; raises _Cancelled (with the record) when the task is cancelled."""
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
    baseline: list[ValidationResult] = []
    regressions: list[str] = []
    timeout = options.timeout_for(scenario)
    cancelled: asyncio.CancelledError | None = None
    mcp: McpServers | None = None
    mcp_specs = [*(spec.specialist.mcps if spec.specialist else []), *scenario.spec.mcps]
    own_baselines = options.baselines is None
    baselines = options.baselines or BaselineCache(options.workspace_root)

    try:
        async with asyncio.timeout(timeout):
            clock.start("setup")
            try:
                prompt = scenario.prompt(spec.tier)
                agent: Agent = agent_class(spec.agent)(options.agent_settings)
                answers = scenario.oracle_answers
                mode = (await asyncio.to_thread(resolve_mode, options.sandbox))[0]
                sandbox_mode = mode
            except CatalogError as exc:
                raise StageFailure("prompt", "setup", str(exc)) from None
            except SandboxError as exc:
                raise StageFailure("setup", "setup", str(exc)) from None
            except Exception as exc:
                raise StageFailure("setup", "setup", f"{type(exc).__name__}: {exc}") from None
            # A tool the scenario's commands need but the machine lacks fails the run now, before the agent (and
            # its cost): an infrastructure failure whose message says how to install the tool.
            policies = sandbox_policies(scenario, options)
            # Looked up on the PATH the commands will have (with bwrap: only what is visible inside).
            scenario_path = {"PATH": command_path(mode, policies["validation"])}
            missing = await asyncio.to_thread(missing_tools, scenario_commands(scenario), scenario_path)
            if missing:
                raise StageFailure("infrastructure", "setup", missing_tools_message(missing))
            baseline_future = (
                baselines.start(
                    scenario,
                    sandbox_mode=mode,
                    policies=policies,
                    limits=options.limits,
                )
                if scenario.spec.baseline.run
                else None
            )

            clock.start("workspace")
            try:
                workspace = await asyncio.to_thread(
                    prepare_workspace, scenario.fixture_dir, options.workspace_root, f"zebench-{run_id}-"
                )
            except OSError as exc:
                raise StageFailure("workspace", "workspace", f"cannot prepare the workspace: {exc}") from None
            sandbox = Sandbox(
                workspace, mode=mode, policies=policies, limits=options.limits, scratch_root=options.workspace_root
            )
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
            task = AgentTask(
                prompt=prompt,
                scenario=scenario,
                tier=spec.tier,
                model=spec.model,
                workspace=workspace,
                settings=options.agent_settings,
                system_prompt=system_prompt(spec.specialist, prompt, spec.model) if spec.specialist else None,
            )
            specialist_dir = Path(spec.specialist.dir) if spec.specialist else None
            if mcp_specs and agent.starts_mcp_servers:  # the agent starts them itself (claude-code's --mcp-config)
                task.mcp_servers = [
                    resolve_server(m, workspace=workspace, scenario_dir=scenario.dir, specialist_dir=specialist_dir)
                    for m in mcp_specs
                ]
            elif mcp_specs:
                try:
                    toolbox.mcp = mcp = await start_servers(
                        mcp_specs,
                        sandbox=sandbox,
                        workspace=workspace,
                        reserved=toolbox.names,
                        scenario_dir=scenario.dir,
                        specialist_dir=specialist_dir,
                        call_timeout=options.command_timeout,
                    )
                except McpStartError as exc:
                    raise StageFailure("infrastructure", "agent", str(exc)) from None
            try:
                await agent.run(task, toolbox)
            except AgentError as exc:
                if exc.category in FAILURE_CATEGORIES:
                    raise StageFailure(exc.category, "agent", str(exc)) from None  # type: ignore[arg-type]
                raise StageFailure("unknown", "agent", f"{exc} (agent error category {exc.category!r})") from None
            except Exception as exc:
                raise StageFailure("agent", "agent", _describe(exc)) from None
            finally:
                if mcp is not None:  # stopped before the diff: what a server wrote is scored with the agent's work
                    await asyncio.shield(mcp.close())
            if task.result.stop_reason == "budget_exceeded":
                status = "budget_exceeded"

            if baseline_future is not None:
                clock.start("baseline")  # shared by the batch's runs of this scenario; usually done by now
                try:
                    baseline = await asyncio.shield(baseline_future)
                except asyncio.CancelledError:
                    raise
                except Exception as exc:
                    raise StageFailure("infrastructure", "baseline", _describe(exc)) from None

            clock.start("validation")
            try:
                fresh, diff_note = await asyncio.to_thread(
                    lambda: diff_workspace(scenario.fixture_dir, workspace, deadline=t_start + timeout)
                )
                diff = fresh
                if scenario.spec.runs_validation:
                    validation = await run_validation(
                        scenario.spec.validation.commands,
                        sandbox,
                        timeout=scenario.spec.validation.timeout_seconds,
                    )
                    regressions = compare_with_baseline(validation, baseline)
            except Exception as exc:
                raise StageFailure("validation", "validation", _describe(exc)) from None

            clock.start("evaluation")
            try:
                ctx = EvaluationContext(
                    scenario=scenario,
                    workspace=workspace,
                    validation=validation,
                    diff=diff,
                    agent_result=task.result,
                    sandbox=sandbox,
                    command_timeout=scenario.spec.validation.timeout_seconds,
                    prompt=prompt,
                    settings=options.judge_settings,
                )
                only = None if scenario.spec.needs_workspace else WORKSPACE_FREE_EVALUATORS
                evaluations = await run_evaluators(
                    ctx, weights_for(scenario.spec.rubric_overrides, default_weights()), only=only
                )
            except Exception as exc:
                raise StageFailure("evaluation", "evaluation", _describe(exc)) from None
    except TimeoutError:
        status = "timeout"
        failure = Failure(
            category="timeout",
            stage=clock.current or "setup",
            message=f"the run exceeded its {timeout:g} s timeout during the {clock.current} stage",
        )
    except StageFailure as exc:
        status = "failed"
        failure = Failure(category=exc.category, stage=exc.stage, message=exc.message)
    except asyncio.CancelledError as exc:  # recorded below, then re-raised by run_one
        cancelled = exc
        status = "cancelled"
        failure = _cancelled_failure(clock.current or "setup")
    except Exception as exc:  # a harness bug: still store the run
        status = "failed"
        failure = Failure(category="infrastructure", stage=clock.current or "setup", message=_describe(exc))

    clock.start("results")
    try:
        if diff is None and workspace is not None and failure is not None and cancelled is None:
            # What the agent changed before it failed is the first thing a user wants to see.
            deadline = time.monotonic() + FAILURE_DIFF_SECONDS
            diff, diff_note = await asyncio.to_thread(
                lambda: diff_workspace(scenario.fixture_dir, workspace, deadline=deadline)
            )
    except asyncio.CancelledError as exc:  # the run had ended: it keeps its status, only the diff is lost
        cancelled, diff = exc, None
    except Exception:
        diff = None
    # Shielded: a (second) cancellation stops the waiting, never the cleanup, which runs to its end.
    if mcp is not None:
        try:
            await asyncio.shield(mcp.close())
        except asyncio.CancelledError as exc:
            cancelled = cancelled or exc
    if sandbox is not None:
        try:
            await asyncio.shield(sandbox.close())
        except asyncio.CancelledError as exc:
            cancelled = cancelled or exc
    if workspace is not None and not options.keep_workspaces:
        try:
            await asyncio.shield(asyncio.to_thread(remove_workspace, workspace))
        except asyncio.CancelledError as exc:
            cancelled = cancelled or exc
    if own_baselines:
        try:
            await asyncio.shield(baselines.close())
        except asyncio.CancelledError as exc:
            cancelled = cancelled or exc

    agent_result = task.result if task is not None else None
    scored = status in SCORED_STATUSES
    score = score_run(evaluations, scenario.spec.rubric_overrides, completed=scored) if evaluations else None
    metadata: dict[str, Any] = {
        "scenarioTitle": scenario.spec.title,
        "difficulty": scenario.spec.difficulty,
        "tags": scenario.spec.tags,
    }
    if scenario.spec.id != scenario.name:
        metadata["scenarioId"] = scenario.spec.id
    tier_policy = scenario.tier_policy(spec.tier)
    if tier_policy is not None:
        metadata["tierPolicy"] = tier_policy.model_dump(exclude_none=True)
    if scenario.spec.artifact is not None:
        metadata["artifact"] = scenario.spec.artifact.fields()
    if not scenario.spec.needs_workspace:
        metadata["workspace"] = "none"
    if regressions:
        metadata["regressions"] = regressions
    if scenario.warnings:
        metadata["warnings"] = scenario.warnings
    if diff_note is not None:
        metadata["diffNote"] = diff_note
    if score is not None:
        metadata["gates"] = score.gates
    evaluator_errors = [e.evaluator_name for e in evaluations if e.error]
    if evaluator_errors:
        metadata["evaluatorErrors"] = evaluator_errors
        # what the score says: computed without these evaluators, and not a success (scoring.score_run)
        metadata["scoreNote"] = (
            "evaluator error: " + ", ".join(evaluator_errors) + " failed; the score leaves "
            "them out and the run is not successful"
        )
    if spec.specialist is not None:
        metadata["specialist"] = {
            "name": spec.specialist.name,
            "version": spec.specialist.version,
            "displayName": spec.specialist.display_name,
            "sha256": spec.specialist.sha256,
        }
    if mcp is not None:
        metadata["mcp"] = mcp.summary()
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
        # no agent result: the agent never ran, so it cost nothing
        cost_usd=agent_result.cost_usd if agent_result else 0.0,
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
        zebench_version=zebench_version(),
        git_commit=options.git_commit,
        scenario_hash=scenario.content_hash,
        prompt_hash=hashlib.sha256(prompt.encode()).hexdigest() if prompt is not None else None,
        agent=spec.agent,
        model=spec.model,
        settings={
            **options.manifest_settings(scenario, sandbox_mode),
            **({"specialist": f"{spec.specialist.label} sha256:{spec.specialist.sha256}"} if spec.specialist else {}),
        },
        python_version=sys.version.split()[0],
        platform=platform.platform(),
    )
    record = RunRecord(
        run_id=run_id,
        batch_id=spec.batch_id,
        suite=scenario.suite,
        scenario=scenario.name,
        tier=spec.tier,
        agent=spec.agent,
        model=spec.model,
        status=status,
        started_at=started_at,
        completed_at=utc_now(),
        total_score=None if score is None or score.weighted_score is None else round(score.weighted_score / 10, 6),
        weighted_score=score.weighted_score if score else None,
        is_successful=score.is_successful if score else False,
        success_metric=score.success_metric if score else None,
        repeat_index=spec.repeat_index,
        specialist_enabled=spec.specialist is not None,
        specialist_name=spec.specialist.name if spec.specialist else None,
        specialist_version=spec.specialist.version if spec.specialist else None,
        failure=failure,
        metadata=metadata,
        evaluations=evaluations,
        telemetry=telemetry,
        validation=validation,
        baseline=baseline,
        diff=diff,
        transcript=transcript,
        manifest=manifest,
    )
    secrets = (
        mcp.secrets
        if mcp is not None
        else {k: v for m in task.mcp_servers for k, v in m.secrets.items()}
        if task
        else {}
    )
    if secrets:  # the values the MCP servers were given are secrets whatever their names
        record = redact(record, extra=secrets)
    if cancelled is not None:
        raise _Cancelled(record, cancelled)
    return record


def scenario_commands(scenario: Scenario) -> list[str]:
    """Every command the scenario itself runs: validation, baseline, warmup and heuristic check commands."""
    spec = scenario.spec
    commands = [cmd for _, cmd in spec.validation.commands.items()] if spec.runs_validation else []
    commands += [c.cmd for c in spec.baseline.run]
    if spec.warmup.enabled and spec.warmup.type == "scripted":
        commands += spec.warmup.commands
    if spec.heuristic_checks.enabled:
        commands += [c.command for c in spec.heuristic_checks.commands]
    return commands


def _setting_text(value: Any) -> Any:
    """Agent settings as stored in the manifest: scalars as they are, long structures summarised."""
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    text = json.dumps(value, default=str)
    return text if len(text) <= 200 else f"<{type(value).__name__} of {len(value)} items>"


def _describe(exc: BaseException) -> str:
    tb = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__, limit=6))
    return f"{type(exc).__name__}: {exc}\n{tb}"
