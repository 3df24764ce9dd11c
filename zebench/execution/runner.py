"""One run through its stages: setup, workspace, agent, baseline, verification, validation, evaluation, results.

A run is ``STAGE_SEQUENCE``: stage functions over one ``RunState``, each timed into the run's telemetry and its
errors categorised by one wrapper (``_run_stage``); a new stage is a function and one line there. The results
stage (what a failed run changed, the cleanup, the record) always runs. The scenario timeout bounds setup to
evaluation and really cancels: the awaiting coroutines are cancelled, and zebench.processes kills every process a
command started. Every command of the run (warmup, the agent's, validation, checks) runs in the run's sandbox
(zebench.sandbox); from validation on, the run is scored on its verified copy in a fresh sandbox
(zebench.run.verifier, docs/integrity.md). Whatever happens, the run ends as a RunRecord (failed ones too) with a
status and a failure category, its secrets redacted. Cancellation (a batch stopped by a signal) is not a failure of
the run: ``run_one`` records the run as it stood (status and category ``cancelled``, the stage it was in, what the
agent did so far), removes its workspace, hands that record to ``on_cancelled`` and re-raises the CancelledError.
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
from typing import Any, Literal, get_args

from ..agents import Agent, AgentError, AgentResult, AgentTask, agent_class
from ..catalog import CatalogError, Scenario
from ..constants import zebench_version
from ..evaluators import EvaluationContext, default_weights, run_evaluators
from ..isolation.netproxy import allow_project_registries, project_registries_allowed
from ..isolation.processes import Limits
from ..isolation.redact import redact, relative_to_folder
from ..isolation.sandbox import (
    Policy,
    Purpose,
    Sandbox,
    SandboxError,
    command_path,
    default_policies,
    probed,
    resolve_mode,
)
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
    evaluator_errors,
    utc_now,
)
from ..models.specialist import McpServerSpec, Specialist
from ..run.channel import NODE_GUARD, Inventory, ScoringChannels, node_guard_env
from ..run.mcp import McpServers, McpStartError, ResolvedServer, resolve_server, start_resolved
from ..run.scanners import scan_calls, scan_changes, scan_home
from ..run.scoring import Score, score_run, weights_for
from ..run.specialist import system_prompt
from ..run.tools import Toolbox
from ..run.validation import (
    compare_with_baseline,
    list_required_tests,
    missing_tools,
    missing_tools_message,
    run_baseline,
    run_validation,
)
from ..run.verifier import Verification, copy_fixture, declared_js_tests, protection_for, verify_workspace
from ..run.workspace import diff_workspace, finish_in_thread, prepare_workspace, remove_workspace

#: Evaluators that can judge a scenario without a workspace (artifact scenarios): the others are left out.
WORKSPACE_FREE_EVALUATORS = frozenset({"llm_judge", "heuristic_checks"})
#: Time the diff of a failed or timed-out run may take (after the run's own timeout).
FAILURE_DIFF_SECONDS = 30.0
FAILURE_CATEGORIES: frozenset[str] = frozenset(get_args(FailureCategory))
#: Receives the record of a run that is being cancelled; awaited (shielded) before the cancellation propagates.
OnCancelled = Callable[[RunRecord], Awaitable[None]]
#: The sandbox a run resolved (``--sandbox auto`` becomes one of these where the run runs).
SandboxMode = Literal["bwrap", "none"]


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
    #: Score the run on its verified copy (zebench.run.verifier). Off only to measure what verifying costs
    #: (scripts/bench/verifier.py): without it the agent's own workspace is scored, hooks and all.
    verify: bool = True

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

    @property
    def mcp_specs(self) -> list[McpServerSpec]:
        """The MCP servers of the run: its specialist's, then its scenario's own."""
        return [*(self.specialist.mcps if self.specialist else []), *self.scenario.spec.mcps]


class BaselineCache:
    """The baseline commands of each scenario, run once per batch on an untouched copy of its fixture.

    The first run of a scenario starts them; the others wait for the same results. Shielded: a run that times out
    while waiting does not cancel the baseline the other runs need; ``close`` cancels what is still running."""

    def __init__(self, workspace_root: Path | None = None):
        self.workspace_root = workspace_root
        self._tasks: dict[str, asyncio.Future[list[ValidationResult]]] = {}
        self._inventories: dict[tuple[str, str], asyncio.Future[Inventory]] = {}

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

    def inventory(
        self, scenario: Scenario, command: str, *, sandbox_mode: str, policies: dict[Purpose, Policy], limits: Limits
    ) -> asyncio.Future[Inventory]:
        """The tests a ``python -m unittest`` command must pass (zebench.run.channel), listed once per scenario on
        a fresh copy of its fixture, concurrently with the first run's agent."""
        key = (scenario.key, command)
        task = self._inventories.get(key)
        if task is None:
            protected = [rel for rel in protection_for(scenario).fixture_protected() if rel.endswith(".py")]
            task = asyncio.ensure_future(
                list_required_tests(
                    command,
                    scenario.fixture_dir,
                    protected,
                    timeout=scenario.spec.validation.timeout_seconds,
                    sandbox_mode=sandbox_mode,
                    policies=policies,
                    limits=limits,
                    workspace_root=self.workspace_root,
                )
            )
            self._inventories[key] = task
        return task

    async def close(self) -> None:
        tasks: list[asyncio.Future[Any]] = [*self._tasks.values(), *self._inventories.values()]
        for task in tasks:
            task.cancel()
        # All of them, done ones too: a baseline that failed while no run waited for it is retrieved here
        # instead of being logged as "exception was never retrieved".
        await asyncio.gather(*tasks, return_exceptions=True)


class StageFailure(Exception):
    def __init__(self, category: FailureCategory, stage: str, message: str):
        super().__init__(message)
        self.category, self.stage, self.message = category, stage, message


class _Clock:
    def __init__(self) -> None:
        #: Seconds per stage, summed over its steps; whole milliseconds (rounded) only in ``stage_ms``: truncating
        #: each step put about half a millisecond per stage nowhere.
        self._elapsed: dict[str, float] = {}
        self.current: str | None = None
        self._t0 = time.monotonic()

    @property
    def stage_ms(self) -> dict[str, int]:
        return {stage: round(seconds * 1000) for stage, seconds in self._elapsed.items()}

    def start(self, stage: str) -> None:
        if stage == self.current:  # the next step of the same stage: its clock keeps running
            return
        self.stop()
        self.current, self._t0 = stage, time.monotonic()

    def stop(self) -> None:
        if self.current is not None:
            self._elapsed[self.current] = self._elapsed.get(self.current, 0.0) + time.monotonic() - self._t0
            self.current = None


def sandbox_policies(scenario: Scenario, options: RunOptions) -> dict[Purpose, Policy]:
    """What each kind of command of this run may reach (agent, validation/warmup/baseline, checks). Scenario
    commands share the package managers' stores and caches in zebench's cache directory: with bubblewrap as root
    through copy-on-write views of their published layers (zebench.isolation.layers), else read-write."""
    policies = default_policies(agent_network=options.agent_network or scenario.spec.sandbox.network)
    stores = {"layered_paths": package_manager_dirs(), "env": package_manager_env()}
    for purpose in ("validation", "check"):
        policies[purpose] = policies[purpose].extend(**stores)  # type: ignore[arg-type]
        if options.verify:  # Node's assertion modules frozen before the code under test runs (docs/integrity.md)
            policies[purpose] = policies[purpose].extend(ro_paths=[NODE_GUARD], env=node_guard_env())
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
        record = _public(_unbuilt_record(spec, exc))
        task = asyncio.current_task()
        if task is not None and task.cancelling():
            cancelled = asyncio.CancelledError()
    if cancelled is not None:
        if on_cancelled is not None:
            try:
                await asyncio.shield(on_cancelled(record))
            except asyncio.CancelledError:
                pass  # a second cancellation: stop waiting; the save itself goes on (shielded)
        raise cancelled
    return record


def _public(record: RunRecord, secrets: dict[str, str] | None = None) -> RunRecord:
    """The record as a run returns it: secrets redacted (those of this process's environment, and ``secrets``,
    name -> value: what the run's MCP servers were given, secrets whatever their names), and no host paths in
    outputs and tracebacks: they read relative to the folder of the run's workspaces (the store publishes
    workspaceDir itself by name; the record keeps it whole, for --keep-workspaces)."""
    record = redact(record, extra=secrets)
    if record.telemetry is not None and record.telemetry.workspace_dir:
        # workspaceDir is set aside meanwhile: a record whose other strings do not name the folder is then left
        # as it is after one scan of its JSON, instead of being rebuilt string by string.
        workspace_dir = record.telemetry.workspace_dir
        record = _with_workspace_dir(record, None)
        record = _with_workspace_dir(relative_to_folder(record, str(Path(workspace_dir).parent)), workspace_dir)
    return record


def _with_workspace_dir(record: RunRecord, workspace_dir: str | None) -> RunRecord:
    assert record.telemetry is not None
    telemetry = record.telemetry.model_copy(update={"workspace_dir": workspace_dir})
    return record.model_copy(update={"telemetry": telemetry})


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
        specialist_enabled=spec.specialist is not None,
        specialist_name=spec.specialist.name if spec.specialist else None,
        specialist_version=spec.specialist.version if spec.specialist else None,
        failure=Failure(
            category="infrastructure", stage="results", message=f"the run record could not be built: {_describe(exc)}"
        ),
    )


# --------------------------------------------------------------------------------------------------------------
# The stages: each is one function over the run's state, and one line in STAGE_SEQUENCE
# --------------------------------------------------------------------------------------------------------------


@dataclass
class RunState:
    """What a run has made so far. Each stage reads what the earlier ones left and adds its part; the record is
    built from it whichever stage the run stopped in."""

    spec: RunSpec
    options: RunOptions
    #: The batch's baselines, or the run's own (closed when the run ends) when it runs outside a batch.
    baselines: BaselineCache
    own_baselines: bool
    run_id: str = field(default_factory=new_run_id)
    started_at: str = field(default_factory=utc_now)
    t_start: float = field(default_factory=time.monotonic)
    clock: _Clock = field(default_factory=_Clock)
    status: RunStatus = "completed"
    failure: Failure | None = None
    #: Set when the run's task was cancelled: the record is handed to run_one, which re-raises it.
    cancelled: asyncio.CancelledError | None = None
    # setup
    prompt: str | None = None
    agent: Agent | None = None
    answers: dict[str, str] = field(default_factory=dict)
    sandbox_mode: SandboxMode | None = None
    policies: dict[Purpose, Policy] = field(default_factory=dict)
    baseline_future: asyncio.Future[list[ValidationResult]] | None = None
    # workspace
    workspace: Path | None = None
    sandbox: Sandbox | None = None
    #: Why a sandbox of the run fell back (Sandbox.notes), kept when it is closed: the run records them.
    sandbox_notes: list[str] = field(default_factory=list)
    # agent
    toolbox: Toolbox | None = None
    task: AgentTask | None = None
    #: The run's MCP servers as resolved for it (started by zebench, or by an agent with its own MCP client), and
    #: those zebench started (stopped when the agent stops, before the diff).
    mcp_resolved: list[ResolvedServer] = field(default_factory=list)
    mcp: McpServers | None = None
    # baseline, validation, evaluation
    baseline: list[ValidationResult] = field(default_factory=list)
    diff: Diff | None = None
    diff_note: str | None = None
    validation: list[ValidationResult] = field(default_factory=list)
    regressions: list[str] = field(default_factory=list)
    evaluations: list[Evaluation] = field(default_factory=list)
    # verification: the tests the protected test files define (listed once per scenario), the verified copy, its
    # sandbox, the result channels of the scoring commands and the diff of the copy the evaluators read
    inventory: asyncio.Future[Inventory] | None = None
    #: The fixture's copy the verified copy is made in, copied while the agent works (with bubblewrap only).
    copy_ahead: asyncio.Future[Path] | None = None
    #: The agent's sandbox once the agent is done: closed with the run's other folders, in the results stage.
    agent_box: Sandbox | None = None
    #: The removal of the run's sandboxes and folders (a thread), awaited once the record is made.
    cleanup: asyncio.Future[None] | None = None
    verification: Verification | None = None
    verified_box: Sandbox | None = None
    channels: ScoringChannels | None = None
    scored_diff: Diff | None = None

    @property
    def scenario(self) -> Scenario:
        return self.spec.scenario

    @property
    def timeout(self) -> float:
        return self.options.timeout_for(self.scenario)

    def ready(self) -> tuple[Path, Sandbox, AgentTask]:
        """The workspace, sandbox and agent task of the stages after the agent's (which made them)."""
        assert self.workspace is not None and self.sandbox is not None and self.task is not None
        return self.workspace, self.sandbox, self.task

    def scored(self) -> tuple[Path, Sandbox, AgentTask]:
        """What validation and the evaluators work on: the verified copy in its own sandbox (the agent's sandbox
        is closed by then), or the agent's workspace when verification is off."""
        if self.verification is None:
            return self.ready()
        assert self.verified_box is not None and self.task is not None
        return self.verification.root, self.verified_box, self.task


StageFunction = Callable[[RunState], Awaitable[None]]


@dataclass(frozen=True)
class Stage:
    """One step of a run. ``name`` is its clock (several steps may share one) and the stage a failure names;
    an error the step does not categorise itself (a StageFailure) is a failure of ``category`` described by
    ``describe``; ``when`` says whether the step applies to this run."""

    name: str
    run: StageFunction
    category: FailureCategory = "infrastructure"
    describe: Callable[[Exception], str] = field(default=lambda exc: _describe(exc))
    when: Callable[[RunState], bool] = field(default=lambda _state: True)


async def _setup(state: RunState) -> None:
    """The prompt, the agent and the sandbox mode."""
    try:
        state.prompt = state.scenario.prompt(state.spec.tier)
        state.agent = agent_class(state.spec.agent)(state.options.agent_settings)
        state.answers = state.scenario.oracle_answers
        requested = state.options.sandbox
        if requested == "none" or probed():  # answered at once: no thread
            state.sandbox_mode = resolve_mode(requested)[0]
        else:
            state.sandbox_mode = (await asyncio.to_thread(resolve_mode, requested))[0]
    except CatalogError as exc:
        raise StageFailure("prompt", "setup", str(exc)) from None
    except SandboxError as exc:
        raise StageFailure("setup", "setup", str(exc)) from None


async def _check_tools(state: RunState) -> None:
    """A tool the scenario's commands need but the machine lacks fails the run now, before the agent (and its
    cost): an infrastructure failure whose message says how to install the tool."""
    assert state.sandbox_mode is not None
    state.policies = sandbox_policies(state.scenario, state.options)
    # Looked up on the PATH the commands will have (with bwrap: only what is visible inside).
    scenario_path = {"PATH": command_path(state.sandbox_mode, state.policies["validation"])}
    commands = scenario_commands(state.scenario)
    missing = await asyncio.to_thread(missing_tools, commands, scenario_path) if commands else {}
    if missing:
        raise StageFailure("infrastructure", "setup", missing_tools_message(missing))


async def _start_baseline(state: RunState) -> None:
    """Starts the scenario's baseline commands (or joins the batch's run of them); awaited after the agent."""
    assert state.sandbox_mode is not None
    state.baseline_future = state.baselines.start(
        state.scenario, sandbox_mode=state.sandbox_mode, policies=state.policies, limits=state.options.limits
    )


async def _prepare_workspace(state: RunState) -> None:
    """A fresh copy of the fixture, and the run's sandbox around it (one thread for both: a small fixture takes
    less time than a hop off the event loop)."""
    options = state.options
    mode = state.sandbox_mode
    assert mode is not None

    def make() -> None:
        try:
            workspace = prepare_workspace(
                state.scenario.fixture_dir, options.workspace_root, f"zebench-{state.run_id}-"
            )
        except OSError as exc:
            raise StageFailure("workspace", "workspace", f"cannot prepare the workspace: {exc}") from None
        state.workspace = workspace
        # Kept before it is opened: a sandbox that failed half-way is still closed with the run.
        state.sandbox = Sandbox(
            workspace, mode=mode, policies=state.policies, limits=options.limits, scratch_root=options.workspace_root
        )
        try:
            state.sandbox.open()
        except OSError as exc:
            raise StageFailure("workspace", "workspace", f"cannot prepare the sandbox: {exc}") from None

    # To its end: a cancellation (the run's timeout) while the thread copies would leave the copy to no one.
    await finish_in_thread(make)


async def _warmup(state: RunState) -> None:
    """The scenario's scripted warmup commands, in the workspace, before the agent."""
    assert state.sandbox is not None
    for command in state.scenario.spec.warmup.commands:
        result = await state.sandbox.run(command, purpose="validation", timeout=state.options.command_timeout)
        if result.exit_code != 0:
            raise StageFailure("warmup", "workspace", f"warmup command failed: {command}\n{result.output}")


async def _agent_task(state: RunState) -> None:
    """The agent's tools and task (a specialist's prompt as its system prompt)."""
    spec, options = state.spec, state.options
    assert state.workspace is not None and state.prompt is not None
    state.toolbox = Toolbox(
        state.workspace, answers=state.answers, command_timeout=options.command_timeout, sandbox=state.sandbox
    )
    state.task = AgentTask(
        prompt=state.prompt,
        scenario=state.scenario,
        tier=spec.tier,
        model=spec.model,
        workspace=state.workspace,
        settings=options.agent_settings,
        system_prompt=system_prompt(spec.specialist, state.prompt, spec.model) if spec.specialist else None,
    )


async def _start_copy_ahead(state: RunState) -> None:
    """Starts copying the fixture for the verified copy, in a thread, concurrently with the agent (the copy does
    not depend on what the agent does; its changes are applied to it once it stops)."""
    options, run_id = state.options, state.run_id
    state.copy_ahead = asyncio.ensure_future(
        asyncio.to_thread(
            copy_fixture, state.scenario, base_dir=options.workspace_root, prefix=f"zebench-{run_id}-verified-"
        )
    )


async def _copied_ahead(state: RunState) -> Path | None:
    """The folder ``_start_copy_ahead`` made (waited for: a cancellation stops the waiting, not the copy), or None
    when there is none or it failed (the verification stage then copies the fixture itself)."""
    if state.copy_ahead is None:
        return None
    try:
        return await asyncio.shield(state.copy_ahead)
    except Exception:  # CancelledError is not an Exception: a cancellation goes on
        return None


async def _start_mcp_servers(state: RunState) -> None:
    """The run's MCP servers: resolved (their secrets known to the record's redaction from here on), then given
    to an agent that starts them itself (claude-code's --mcp-config) or started by zebench in the run's sandbox.
    A required server that does not start is an infrastructure failure, before the model is called."""
    spec = state.spec
    workspace, _, task = state.ready()
    assert state.agent is not None and state.toolbox is not None
    specialist_dir = Path(spec.specialist.dir) if spec.specialist else None
    state.mcp_resolved = [
        resolve_server(m, workspace=workspace, scenario_dir=state.scenario.dir, specialist_dir=specialist_dir)
        for m in spec.mcp_specs
    ]
    if state.agent.starts_mcp_servers:
        task.mcp_servers = state.mcp_resolved
        return
    try:
        state.mcp = await start_resolved(
            state.mcp_resolved,
            sandbox=state.sandbox,
            workspace=workspace,
            reserved=state.toolbox.names,
            call_timeout=state.options.command_timeout,
        )
    except McpStartError as exc:
        raise StageFailure("infrastructure", "agent", str(exc)) from None
    state.toolbox.mcp = state.mcp


async def _stop_mcp_servers(state: RunState) -> None:
    """Stopped before the diff: what a server wrote is scored with the agent's work. (A run that failed before
    this stage stops them in _finish, before its failure diff.)"""
    if state.mcp is not None:
        await asyncio.shield(state.mcp.close())


async def _run_agent(state: RunState) -> None:
    """The agent works in the workspace through its tools; an agent's own error is a failure of its category."""
    assert state.agent is not None and state.task is not None and state.toolbox is not None
    try:
        await state.agent.run(state.task, state.toolbox)
    except AgentError as exc:
        if exc.category in FAILURE_CATEGORIES:
            raise StageFailure(exc.category, "agent", str(exc)) from None  # type: ignore[arg-type]
        raise StageFailure("unknown", "agent", f"{exc} (agent error category {exc.category!r})") from None
    except Exception as exc:
        raise StageFailure("agent", "agent", _describe(exc)) from None
    if state.task.result.stop_reason == "budget_exceeded":
        state.status = "budget_exceeded"


async def _await_baseline(state: RunState) -> None:
    """The baseline results: shared by the batch's runs of this scenario, usually done by now. Shielded: this
    run's timeout or cancellation does not cancel what the other runs wait for."""
    assert state.baseline_future is not None
    state.baseline = await asyncio.shield(state.baseline_future)


async def _allow_registries(state: RunState) -> None:
    """The registries the fixture's own settings name join those the registry proxy of scoring commands reaches
    (zebench.isolation.netproxy: with bubblewrap, scoring commands reach the registries and nothing else). Once
    per fixture and process: the other runs of the scenario skip it (and its thread)."""
    if not project_registries_allowed(state.scenario.fixture_dir):
        await asyncio.to_thread(allow_project_registries, state.scenario.fixture_dir)


async def _start_inventory(state: RunState) -> None:
    """Starts listing the tests the protected test files define (once per scenario and batch), concurrently with
    the agent; the test command's result channel awaits it."""
    assert state.sandbox_mode is not None and state.scenario.spec.validation.commands.test
    state.inventory = state.baselines.inventory(
        state.scenario,
        state.scenario.spec.validation.commands.test,
        sandbox_mode=state.sandbox_mode,
        policies=state.policies,
        limits=state.options.limits,
    )


async def _verify(state: RunState) -> None:
    """The verification stage: the agent's sandbox closed (its HOME and /tmp out of reach, after the scanners saw
    the HOME), the verified copy built, the diffs of the agent's workspace (what the run shows) and of the copy
    (what the evaluators score), the scanners' flags added to its findings, the sandbox of that copy for
    validation and the evaluators (opened at its first command: a run without scoring commands needs none), and
    the result channels of the scoring commands."""
    workspace, agent_box, _ = state.ready()
    options, scenario, mode = state.options, state.scenario, state.sandbox_mode
    assert state.toolbox is not None and mode is not None
    deadline = state.t_start + state.timeout
    toolbox = state.toolbox
    copied = await _copied_ahead(state)

    def build() -> tuple[Verification, Diff]:
        try:
            verification = verify_workspace(
                scenario,
                workspace,
                base_dir=options.workspace_root,
                prefix=f"zebench-{state.run_id}-verified-",
                deadline=deadline,
                copied=copied,
            )
            verification.findings += scan_calls(scenario, toolbox.calls, toolbox.leftovers)
            verification.findings += scan_home(agent_box.private_home)
            verification.findings += scan_changes(scenario.fixture_dir, workspace, verification)
            # Both diffs here, in this thread: what the verifier compared is not read again.
            state.diff, state.diff_note = diff_workspace(
                scenario.fixture_dir, workspace, deadline=deadline, unchanged=verification.same.__contains__
            )
            diff = diff_workspace(
                scenario.fixture_dir, verification.root, deadline=deadline, unchanged=verification.copy_unchanged()
            )[0]
        except OSError as exc:
            raise StageFailure("infrastructure", "verification", f"cannot build the verified copy: {exc}") from None
        finally:
            state.sandbox = None  # nothing the agent started outlives this stage
            state.sandbox_notes += agent_box.notes
            if mode == "bwrap":
                # No process of its commands is left (each ended with its PID namespace), and the scored copy's
                # sandbox shows none of its folders (a HOME and /tmp of its own, nothing of the host's folders
                # but the copy): they are emptied with the run's others, in the results stage's thread.
                state.agent_box = agent_box
            else:  # the host's commands could read them by their paths: removed now
                agent_box.close_sync()
        state.verification = verification  # removed with the run from now on
        # A fresh sandbox of the copy, opened by its first command (_open_scored, or Sandbox.run): closed with
        # the run either way.
        state.verified_box = Sandbox(
            verification.root,
            mode=mode,
            policies=state.policies,
            limits=options.limits,
            scratch_root=options.workspace_root,
        )
        return verification, diff

    # One thread for the copy, its scans and diffs, and the agent's sandbox (each hop off the event loop costs).
    verification, state.scored_diff = await finish_in_thread(build)  # what it makes is removed with the run
    state.channels = ScoringChannels(
        root=verification.root,
        protected=verification.protected_python(),
        inventory=_waiter(state.inventory),
        js_tests=declared_js_tests(scenario.fixture_dir, verification.protected),
    )


def _waiter(future: asyncio.Future[Inventory] | None) -> Callable[[str], Awaitable[Inventory]] | None:
    """The inventory of the run's test command, awaited without cancelling it for the batch's other runs; a
    listing that failed is an unknown count, never a failed run."""
    if future is None:
        return None

    async def wait(command: str) -> Inventory:
        try:
            return await asyncio.shield(future)
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            return None, f"the tests of the protected test files could not be listed: {exc}"

    return wait


async def _validate(state: RunState) -> None:
    """The diff of what the agent did (made by the verification stage when it ran), then the scenario's
    validation commands (on the scored copy, through their result channels) and their comparison with the
    baseline."""
    assert state.workspace is not None
    workspace, (_, sandbox, _) = state.workspace, state.scored()
    spec, deadline = state.scenario.spec, state.t_start + state.timeout
    if state.diff is None:
        state.diff, state.diff_note = await asyncio.to_thread(
            lambda: diff_workspace(state.scenario.fixture_dir, workspace, deadline=deadline)
        )
    if spec.runs_validation and spec.validation.commands.items():
        await _open_scored(sandbox)
    if spec.runs_validation:
        state.validation = await run_validation(
            spec.validation.commands,
            sandbox,
            timeout=spec.validation.timeout_seconds,
            channels=state.channels if state.options.verify else None,
        )
        state.regressions = compare_with_baseline(state.validation, state.baseline)


async def _open_scored(sandbox: Sandbox) -> None:
    """The scored copy's sandbox opened before its first command (its private folders made, the copy given to
    its user), off the event loop; failing to is an infrastructure failure of the stage, as it was when the
    verification stage opened it."""
    if sandbox.scratch is None:
        try:
            await asyncio.to_thread(sandbox.open)
        except OSError as exc:
            raise StageFailure("infrastructure", "validation", f"cannot prepare the sandbox: {exc}") from None


async def _evaluate(state: RunState) -> None:
    """Every evaluator that applies (artifact scenarios: the workspace-free ones only)."""
    workspace, sandbox, task = state.scored()
    scenario = state.scenario
    diff = state.scored_diff or state.diff
    assert state.prompt is not None and diff is not None
    ctx = EvaluationContext(
        scenario=scenario,
        workspace=workspace,
        validation=state.validation,
        diff=diff,
        agent_result=task.result,
        sandbox=sandbox,
        command_timeout=scenario.spec.validation.timeout_seconds,
        prompt=state.prompt,
        settings=state.options.judge_settings,
        verification=state.verification,
        flags=state.channels.findings if state.channels is not None else [],
        channels=state.channels if state.options.verify else None,
        tool_calls=list(state.toolbox.calls) if state.toolbox else [],
    )
    only = None if scenario.spec.needs_workspace else WORKSPACE_FREE_EVALUATORS
    weights = weights_for(scenario.spec.rubric_overrides, default_weights(), scenario.spec.llm_judge.categories)
    state.evaluations = await run_evaluators(ctx, weights, only=only)


def _copies_ahead(state: RunState) -> bool:
    """Whether the fixture's copy the run is scored on is made while the agent works: only where the agent cannot
    reach it (bubblewrap shows an agent its workspace and nothing beside it; without a sandbox its commands could
    write into the copy before it is scored)."""
    return _verifies(state) and state.sandbox_mode == "bwrap" and state.scenario.fixture_dir is not None


def _has_baseline(state: RunState) -> bool:
    return bool(state.scenario.spec.baseline.run)


def _verifies(state: RunState) -> bool:
    return state.options.verify and state.scenario.spec.needs_workspace


def _lists_tests(state: RunState) -> bool:
    spec = state.scenario.spec
    return _verifies(state) and bool(spec.validation.commands.test) and spec.runs_validation


def _has_warmup(state: RunState) -> bool:
    warmup = state.scenario.spec.warmup
    return warmup.enabled and warmup.type == "scripted"


def _short(exc: Exception) -> str:
    return f"{type(exc).__name__}: {exc}"


#: The stages of a run, in order. A new stage is a function over RunState and one line here (its clock name, the
#: failure category of an error it does not categorise itself, and when it applies); the "results" stage, which
#: always runs, is _finish.
STAGE_SEQUENCE: tuple[Stage, ...] = (
    Stage("setup", _setup, "setup", describe=_short),
    Stage("setup", _check_tools),
    Stage("setup", _start_baseline, when=_has_baseline),
    Stage("setup", _allow_registries, when=lambda state: state.sandbox_mode == "bwrap"),
    Stage("setup", _start_inventory, when=_lists_tests),
    Stage("workspace", _prepare_workspace),
    Stage("workspace", _warmup, when=_has_warmup),
    Stage("agent", _agent_task),
    Stage("agent", _start_copy_ahead, when=lambda state: _copies_ahead(state)),
    Stage("agent", _start_mcp_servers, when=lambda state: bool(state.spec.mcp_specs)),
    Stage("agent", _run_agent),
    Stage("agent", _stop_mcp_servers, when=lambda state: state.mcp is not None),
    Stage("baseline", _await_baseline, when=lambda state: state.baseline_future is not None),
    Stage("verification", _verify, when=_verifies),
    Stage("validation", _validate, "validation"),
    Stage("evaluation", _evaluate, "evaluation"),
)
#: The stages' names as the telemetry's stage_ms has them, in the order they run.
STAGES = (*dict.fromkeys(stage.name for stage in STAGE_SEQUENCE), "results")


async def _run_stage(stage: Stage, state: RunState) -> None:
    """One stage on its clock; an error it did not categorise is a failure of the stage's category."""
    state.clock.start(stage.name)
    try:
        await stage.run(state)
    except StageFailure:
        raise
    except Exception as exc:
        raise StageFailure(stage.category, stage.name, stage.describe(exc)) from None


async def _run_sequence(state: RunState) -> None:
    """The stages in order under the run's timeout; how the run ended goes into its status and failure."""
    try:
        async with asyncio.timeout(state.timeout):
            for stage in STAGE_SEQUENCE:
                if stage.when(state):
                    await _run_stage(stage, state)
    except TimeoutError:
        state.status = "timeout"
        state.failure = Failure(
            category="timeout",
            stage=state.clock.current or "setup",
            message=f"the run exceeded its {state.timeout:g} s timeout during the {state.clock.current} stage",
        )
    except StageFailure as exc:
        state.status = "failed"
        state.failure = Failure(category=exc.category, stage=exc.stage, message=exc.message)
    except asyncio.CancelledError as exc:  # recorded, then re-raised by run_one
        state.cancelled = exc
        state.status = "cancelled"
        state.failure = _cancelled_failure(state.clock.current or "setup")
    except Exception as exc:  # a harness bug: still store the run
        state.status = "failed"
        state.failure = Failure(category="infrastructure", stage=state.clock.current or "setup", message=_describe(exc))


async def _run_stages(spec: RunSpec, options: RunOptions) -> RunRecord:
    """The stages of one run and its record; raises _Cancelled (with the record) when the task is cancelled."""
    state = RunState(
        spec,
        options,
        baselines=options.baselines or BaselineCache(options.workspace_root),
        own_baselines=options.baselines is None,
    )
    await _run_sequence(state)
    await _finish(state)
    try:
        secrets = {k: v for server in state.mcp_resolved for k, v in server.secrets.items()}
        record = _public(_record(state), secrets)  # made while the run's folders are removed
    finally:
        if state.cleanup is not None:  # removed before the run returns
            await _shielded(state, state.cleanup)
    if state.cancelled is not None:
        raise _Cancelled(record, state.cancelled)
    return record


# --------------------------------------------------------------------------------------------------------------
# The "results" stage: what a failed run changed, the cleanup, the record
# --------------------------------------------------------------------------------------------------------------


async def _finish(state: RunState) -> None:
    state.clock.start("results")
    if state.mcp is not None:  # before the failure diff (what a server wrote is the run's); a no-op when stopped
        await _shielded(state, state.mcp.close())
    await _failure_diff(state)
    # Shielded: a (second) cancellation stops the waiting, never the cleanup, which runs to its end.
    keep = state.options.keep_workspaces
    copy = state.verification.root if state.verification is not None else None
    ahead = await _finished_copy(state)
    boxes = [box for box in (state.sandbox, state.agent_box, state.verified_box) if box is not None]
    folders = [folder for folder in dict.fromkeys((state.workspace, copy, ahead)) if folder is not None and not keep]
    if boxes or folders:  # awaited by _run_stages once the record is made: the record does not wait for it
        # Started now (a task's thread would start at its first step: never, if the loop stops before it).
        state.cleanup = asyncio.get_running_loop().run_in_executor(None, _clean_up, boxes, folders)
    if state.own_baselines:
        await _shielded(state, state.baselines.close())


async def _finished_copy(state: RunState) -> Path | None:
    """The fixture's copy made while the agent worked (the verified copy, or unused when the run stopped before
    it), once the thread making it is done; when a second cancellation stops the waiting, it is removed as soon as
    it is made (never left behind)."""
    task = state.copy_ahead
    if task is None:
        return None
    if not task.done():
        await _shielded(state, asyncio.wait([task]))
    if not task.done():
        if not state.options.keep_workspaces:
            loop = asyncio.get_running_loop()

            def remove_when_made(done: asyncio.Future[Path]) -> None:
                if not done.cancelled() and done.exception() is None:
                    loop.run_in_executor(None, remove_workspace, done.result())

            task.add_done_callback(remove_when_made)
        return None
    return None if task.cancelled() or task.exception() is not None else task.result()


def _clean_up(boxes: list[Sandbox], folders: list[Path]) -> None:
    """The run's sandboxes closed (their HOME and /tmp removed) and its folders removed, in one thread: one hop off
    the event loop for the whole clean-up."""
    for box in boxes:
        box.close_sync()
    for folder in folders:
        remove_workspace(folder)


async def _failure_diff(state: RunState) -> None:
    """What the agent changed before the run failed: the first thing a user wants to see."""
    workspace = state.workspace
    try:
        if state.diff is None and workspace is not None and state.failure is not None and state.cancelled is None:
            deadline = time.monotonic() + FAILURE_DIFF_SECONDS
            state.diff, state.diff_note = await asyncio.to_thread(
                lambda: diff_workspace(state.scenario.fixture_dir, workspace, deadline=deadline)
            )
    except asyncio.CancelledError as exc:  # the run had ended: it keeps its status, only the diff is lost
        state.cancelled, state.diff = exc, None
    except Exception:
        state.diff = None


async def _shielded(state: RunState, cleanup: Awaitable[Any]) -> None:
    """Await a clean-up step, never cancelling it: the run's first cancellation is recorded and the wait goes on
    (a step left running on its own could outlive the event loop, and what it removes with it); a second one
    stops the waiting."""
    step = asyncio.ensure_future(cleanup)
    while True:
        try:
            await asyncio.shield(step)
            return
        except asyncio.CancelledError as exc:
            if state.cancelled is not None:
                return
            state.cancelled = exc


def _record(state: RunState) -> RunRecord:
    spec, scenario = state.spec, state.scenario
    agent_result = state.task.result if state.task is not None else None
    scored = state.status in SCORED_STATUSES
    evaluations = state.evaluations
    score = score_run(evaluations, scenario.spec.rubric_overrides, completed=scored) if evaluations else None
    metadata = {
        **_scenario_metadata(state),
        **_outcome_metadata(state, score),
        **_specialist_metadata(state),
        **_agent_metadata(agent_result),
    }
    state.clock.stop()
    telemetry = _telemetry(state, agent_result)
    transcript = Transcript(
        messages=agent_result.messages if agent_result else [],
        tool_calls=state.toolbox.calls if state.toolbox else [],
    )
    manifest = _manifest(state)
    return RunRecord(
        run_id=state.run_id,
        batch_id=spec.batch_id,
        suite=scenario.suite,
        scenario=scenario.name,
        tier=spec.tier,
        agent=spec.agent,
        model=spec.model,
        status=state.status,
        started_at=state.started_at,
        completed_at=utc_now(),
        total_score=score.total_score if score else None,
        weighted_score=score.weighted_score if score else None,
        is_successful=score.is_successful if score else False,
        success_metric=score.success_metric if score else None,
        repeat_index=spec.repeat_index,
        specialist_enabled=spec.specialist is not None,
        specialist_name=spec.specialist.name if spec.specialist else None,
        specialist_version=spec.specialist.version if spec.specialist else None,
        failure=state.failure,
        metadata=metadata,
        evaluations=evaluations,
        telemetry=telemetry,
        validation=state.validation,
        baseline=state.baseline,
        diff=state.diff,
        transcript=transcript,
        manifest=manifest,
    )


def _scenario_metadata(state: RunState) -> dict[str, Any]:
    """What the run's scenario and tier are (the scenario's title, difficulty, tags, tier policy, artifact)."""
    scenario = state.scenario
    metadata: dict[str, Any] = {
        "scenarioTitle": scenario.spec.title,
        "difficulty": scenario.spec.difficulty,
        "tags": scenario.spec.tags,
    }
    if scenario.spec.id != scenario.name:
        metadata["scenarioId"] = scenario.spec.id
    tier_policy = scenario.tier_policy(state.spec.tier)
    if tier_policy is not None:
        metadata["tierPolicy"] = tier_policy.model_dump(exclude_none=True)
    if scenario.spec.artifact is not None:
        metadata["artifact"] = scenario.spec.artifact.fields()
    if not scenario.spec.needs_workspace:
        metadata["workspace"] = "none"
    return metadata


def _outcome_metadata(state: RunState, score: Score | None) -> dict[str, Any]:
    """What explains the run's outcome: regressions against the baseline, warnings, gates, evaluator errors."""
    metadata: dict[str, Any] = {}
    if state.regressions:
        metadata["regressions"] = state.regressions
    if state.scenario.warnings:
        metadata["warnings"] = state.scenario.warnings
    if state.diff_note is not None:
        metadata["diffNote"] = state.diff_note
    boxes = [box for box in (state.sandbox, state.verified_box) if box is not None]
    notes = list(dict.fromkeys([*state.sandbox_notes, *(note for box in boxes for note in box.notes)]))
    if notes:
        metadata["sandboxNotes"] = notes  # a fallback is colder, never weaker: said, not silent
    if state.verification is not None:
        metadata["verification"] = state.verification.summary()
        if state.channels is not None and state.channels.commands:
            metadata["verification"]["channels"] = state.channels.commands
    if score is not None:
        metadata["gates"] = score.gates
    failed_evaluators = evaluator_errors(state.evaluations)
    if failed_evaluators:
        metadata["evaluatorErrors"] = failed_evaluators
        # what the score says: computed without these evaluators, and not a success (scoring.score_run)
        metadata["scoreNote"] = (
            "evaluator error: " + ", ".join(failed_evaluators) + " failed; the score leaves "
            "them out and the run is not successful"
        )
    return metadata


def _specialist_metadata(state: RunState) -> dict[str, Any]:
    """The specialist the run wore (with the hash of its merged template) and what its MCP servers did."""
    metadata: dict[str, Any] = {}
    specialist = state.spec.specialist
    if specialist is not None:
        metadata["specialist"] = {
            "name": specialist.name,
            "version": specialist.version,
            "displayName": specialist.display_name,
            "sha256": specialist.sha256,
        }
    if state.mcp is not None:
        metadata["mcp"] = state.mcp.summary()
    return metadata


def _agent_metadata(agent_result: AgentResult | None) -> dict[str, Any]:
    metadata: dict[str, Any] = {}
    if agent_result is not None and agent_result.final_text:
        metadata["agentSummary"] = agent_result.final_text[:2000]
    if agent_result is not None and agent_result.turns:
        metadata["turns"] = agent_result.turns
        metadata["stopReason"] = agent_result.stop_reason
    return metadata


def _telemetry(state: RunState, agent_result: AgentResult | None) -> Telemetry:
    toolbox, workspace = state.toolbox, state.workspace
    judge_costs = [e.cost_usd for e in state.evaluations if e.evaluator_name == "llm_judge" and e.applicable]
    return Telemetry(
        tool_calls=(len(toolbox.calls) if toolbox else 0) + (agent_result.external_tool_calls if agent_result else 0),
        tokens_in=agent_result.tokens_in if agent_result else 0,
        tokens_out=agent_result.tokens_out if agent_result else 0,
        cache_read_tokens=agent_result.cache_read_tokens if agent_result else 0,
        cache_write_tokens=agent_result.cache_write_tokens if agent_result else 0,
        # no agent result: the agent never ran, so it cost nothing
        cost_usd=agent_result.cost_usd if agent_result else 0.0,
        judge_cost_usd=None if not judge_costs or None in judge_costs else round(sum(judge_costs), 6),  # type: ignore[arg-type]
        duration_ms=int((time.monotonic() - state.t_start) * 1000),
        workspace_dir=str(workspace) if workspace else None,
        stage_ms=state.clock.stage_ms,
        prompt_sent=state.prompt,
    )


def _manifest(state: RunState) -> Manifest:
    """What reproduces the run: versions, the scenario's and prompt's hashes, the agent, model and settings."""
    spec, prompt = state.spec, state.prompt
    return Manifest(
        zebench_version=zebench_version(),
        git_commit=state.options.git_commit,
        scenario_hash=state.scenario.content_hash,
        prompt_hash=hashlib.sha256(prompt.encode()).hexdigest() if prompt is not None else None,
        agent=spec.agent,
        model=spec.model,
        settings={
            **state.options.manifest_settings(state.scenario, state.sandbox_mode),
            **({"specialist": f"{spec.specialist.label} sha256:{spec.specialist.sha256}"} if spec.specialist else {}),
        },
        python_version=sys.version.split()[0],
        platform=platform.platform(),
    )


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
    """Agent settings as stored in the manifest: scalars as they are (a file under the working directory, such as
    --replay-file, relative to it: the store publishes only the name of one elsewhere), long structures
    summarised."""
    if isinstance(value, str) and value.startswith("/") and "\n" not in value:
        try:
            return Path(value).relative_to(Path.cwd()).as_posix()
        except ValueError:
            return value
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    text = json.dumps(value, default=str)
    return text if len(text) <= 200 else f"<{type(value).__name__} of {len(value)} items>"


def _describe(exc: BaseException) -> str:
    tb = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__, limit=6))
    return f"{type(exc).__name__}: {exc}\n{tb}"
