"""Batches: the run matrix, concurrency, repeats, resume and sharding.

The plan (which scenarios, tiers, agents, models, repeats and settings) is stored with the batch, so
``--resume BATCH_ID`` can recompute the matrix and run only the keys that have no stored run. Each run is
committed as soon as it ends, so a killed batch loses at most the runs that were in flight.
"""

from __future__ import annotations

import asyncio
import subprocess
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from pydantic import BaseModel, Field

from . import __version__
from .agents import AgentConfigError, agent_class
from .catalog import Catalog, CatalogError, tier_sort_key
from .models import BatchRecord, RunRecord, utc_now
from .processes import DEFAULT_MAX_FILE_SIZE_BYTES, DEFAULT_MAX_MEMORY_BYTES, DEFAULT_MAX_PROCESSES, Limits
from .runner import BaselineCache, RunOptions, RunSpec, new_batch_id, run_one
from .store import Store

if TYPE_CHECKING:
    from .submit import Submitter

RunKey = tuple[str, str, str, str, str, int]  # suite, scenario, tier, agent, model ("" = none), repeat index


class BatchError(Exception):
    """Bad batch input (unknown batch, empty matrix, bad shard...): nothing was run or written."""


class BatchPlan(BaseModel):
    """Everything needed to recompute a batch's run matrix; stored in the batch's metadata."""

    suites_dir: str
    items: list[tuple[str, str, str]]  # (suite, scenario, tier)
    agents: list[str]
    models: list[str] = Field(default_factory=list)
    repeat: int = 1
    shard: tuple[int, int] | None = None
    timeout_seconds: float | None = None
    command_timeout: float = 60.0
    agent_settings: dict[str, Any] = Field(default_factory=dict)
    judge_settings: dict[str, Any] = Field(default_factory=dict)
    #: Sandbox settings that change what an agent can do (the sandbox mode itself is the machine's, not the plan's).
    agent_network: bool = False
    max_processes: int | None = DEFAULT_MAX_PROCESSES
    max_memory_bytes: int | None = DEFAULT_MAX_MEMORY_BYTES
    max_file_size_bytes: int | None = DEFAULT_MAX_FILE_SIZE_BYTES

    def limits(self) -> Limits:
        return Limits(processes=self.max_processes, memory_bytes=self.max_memory_bytes,
                      file_size_bytes=self.max_file_size_bytes)

    def keys(self) -> list[RunKey]:
        """The run matrix, in a deterministic order, restricted to this plan's shard."""
        keys: list[RunKey] = []
        for suite, scenario, tier in self.items:
            for agent in self.agents:
                models = self.models if agent_class(agent).uses_model and self.models else [""]
                for model in models:
                    keys.extend((suite, scenario, tier, agent, model, r) for r in range(self.repeat))
        keys.sort(key=lambda k: (k[0], k[1], tier_sort_key(k[2]), k[3], k[4], k[5]))
        if self.shard is not None:
            index, count = self.shard
            keys = [k for i, k in enumerate(keys) if i % count == index - 1]
        return keys


def make_plan(
    catalog: Catalog,
    selectors: list[str],
    *,
    tiers: list[str],
    agents: list[str],
    models: list[str],
    repeat: int = 1,
    shard: tuple[int, int] | None = None,
    timeout_seconds: float | None = None,
    command_timeout: float = 60.0,
    agent_settings: dict[str, Any] | None = None,
    judge_settings: dict[str, Any] | None = None,
    agent_network: bool = False,
    limits: Limits = Limits(),
) -> tuple[BatchPlan, list[str]]:
    """Validate the inputs and build a plan. Returns the plan and notes (e.g. tiers a scenario lacks)."""
    if repeat < 1:
        raise BatchError("--repeat must be at least 1")
    if shard is not None and not 1 <= shard[0] <= shard[1]:
        raise BatchError(f"--shard {shard[0]}/{shard[1]}: expected I/N with 1 <= I <= N")
    agent_settings = dict(agent_settings or {})
    for name in agents:
        try:
            cls = agent_class(name)
            if cls.requires_model and not models:
                raise AgentConfigError(f"agent {name!r} needs --model")
            cls.check_settings(agent_settings, models)
        except AgentConfigError as exc:
            raise BatchError(str(exc)) from None
    scenarios = catalog.select(selectors)
    items: list[tuple[str, str, str]] = []
    notes: list[str] = []
    for scenario in scenarios:
        wanted = tiers or scenario.tiers
        missing = [t for t in wanted if t not in scenario.prompts]
        if missing and tiers:
            notes.append(f"{scenario.key} has no prompt for {', '.join(missing)}; skipped")
        items.extend((scenario.suite, scenario.name, t) for t in wanted if t in scenario.prompts)
    if not items:
        raise BatchError("nothing to run: no selected scenario has a prompt for the selected tiers")
    plan = BatchPlan(
        suites_dir=str(catalog.root.resolve()), items=items, agents=list(dict.fromkeys(agents)),
        models=list(dict.fromkeys(models)), repeat=repeat, shard=shard, timeout_seconds=timeout_seconds,
        command_timeout=command_timeout, agent_settings=agent_settings, judge_settings=dict(judge_settings or {}),
        agent_network=agent_network, max_processes=limits.processes, max_memory_bytes=limits.memory_bytes,
        max_file_size_bytes=limits.file_size_bytes,
    )
    if not plan.keys():
        raise BatchError(f"shard {shard[0]}/{shard[1]} of this matrix is empty" if shard else "nothing to run")
    return plan, notes


class Reporter(Protocol):
    def start(self, batch_id: str, total: int, already_done: int) -> None: ...
    def run_started(self, key: RunKey) -> None: ...
    def run_finished(self, record: RunRecord) -> None: ...
    def finish(self) -> None: ...


class NullReporter:
    def start(self, batch_id: str, total: int, already_done: int) -> None: ...
    def run_started(self, key: RunKey) -> None: ...
    def run_finished(self, record: RunRecord) -> None: ...
    def finish(self) -> None: ...


@dataclass
class BatchResult:
    batch: BatchRecord
    records: list[RunRecord] = field(default_factory=list)
    skipped_done: int = 0
    interrupted: bool = False


def git_commit(path: Path) -> str | None:
    try:
        out = subprocess.run(["git", "-C", str(path), "rev-parse", "HEAD"], capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip() or None if out.returncode == 0 else None


class _Writer:
    """Every database and results-file write goes through one thread, off the event loop."""

    def __init__(self, store: Store, output: Path | None):
        self.store = store
        self.output = output
        self.pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="zebench-writer")

    def _save(self, record: RunRecord) -> None:
        self.store.save_run(record)  # also refreshes the batch's aggregates
        if self.output is not None:
            with self.output.open("a", encoding="utf-8") as fh:
                fh.write(record.model_dump_json(by_alias=True) + "\n")

    async def save(self, record: RunRecord) -> None:
        await asyncio.get_running_loop().run_in_executor(self.pool, self._save, record)

    def close(self) -> None:
        self.pool.shutdown(wait=True)


async def run_batch(
    store: Store,
    plan: BatchPlan | None = None,
    *,
    concurrency: int = 4,
    batch_id: str | None = None,
    resume: bool = False,
    output: Path | None = None,
    keep_workspaces: bool = False,
    workspace_root: Path | None = None,
    reporter: Reporter | None = None,
    submitter: "Submitter | None" = None,
    sandbox: str = "auto",
) -> BatchResult:
    """Run a new batch from ``plan``, or with ``resume`` the missing runs of the stored batch ``batch_id``."""
    reporter = reporter or NullReporter()
    if concurrency < 1:
        raise BatchError("--concurrency must be at least 1")
    if resume:
        if batch_id is None:
            raise BatchError("--resume needs a batch id")
        batch = store.get_batch(batch_id)
        if batch is None:
            raise BatchError(f"unknown batch {batch_id!r}")
        if "plan" not in batch.metadata:
            raise BatchError(f"batch {batch_id!r} has no stored plan (was it created by ingest?); cannot resume")
        plan = BatchPlan.model_validate(batch.metadata["plan"])
    else:
        if plan is None:
            raise BatchError("a new batch needs a plan")
        batch_id = batch_id or new_batch_id()
        if store.get_batch(batch_id) is not None:
            raise BatchError(f"batch {batch_id!r} already exists; use --resume {batch_id} to finish it")
    assert batch_id is not None and plan is not None

    catalog = Catalog(plan.suites_dir)
    all_keys = plan.keys()
    done = store.batch_keys(batch_id) if resume else set()
    todo = [k for k in all_keys if k not in done]
    # Load every scenario first: a broken scenario file stops the batch before anything runs.
    try:
        scenarios = {(s, n): catalog.scenario(s, n) for s, n, *_ in todo}
    except CatalogError as exc:
        raise BatchError(str(exc)) from None

    if not resume:
        store.save_batch(BatchRecord(
            batch_id=batch_id, created_at=utc_now(), expected_runs=len(all_keys),
            metadata={"plan": plan.model_dump(mode="json"), "zebenchVersion": __version__,
                      "agents": plan.agents, "models": plan.models},
        ))
    options = RunOptions(
        timeout_seconds=plan.timeout_seconds, command_timeout=plan.command_timeout,
        keep_workspaces=keep_workspaces, workspace_root=workspace_root, agent_settings=plan.agent_settings,
        judge_settings=plan.judge_settings,
        git_commit=await asyncio.to_thread(git_commit, catalog.root),
        sandbox=sandbox, agent_network=plan.agent_network, limits=plan.limits(),
        baselines=BaselineCache(workspace_root),
    )
    writer = _Writer(store, output)
    semaphore = asyncio.Semaphore(concurrency)
    records: list[RunRecord] = []
    reporter.start(batch_id, len(all_keys), len(all_keys) - len(todo))

    async def one(key: RunKey) -> None:
        suite, name, tier, agent, model, repeat_index = key
        async with semaphore:
            reporter.run_started(key)
            record = await run_one(
                RunSpec(scenarios[(suite, name)], tier, agent, model or None, repeat_index, batch_id), options
            )
            await writer.save(record)
            records.append(record)
            reporter.run_finished(record)
        if submitter is not None:  # stored locally first; delivery (or the spool) never loses it
            await submitter.submit(record)

    tasks = [asyncio.ensure_future(one(k)) for k in todo]
    interrupted = False
    try:
        await asyncio.gather(*tasks)
    except asyncio.CancelledError:
        # Ctrl-C: the in-flight runs are cancelled, stored as "cancelled", and --resume will redo them.
        interrupted = True
        for t in tasks:
            t.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
    finally:
        assert options.baselines is not None
        await options.baselines.close()
        writer.close()
        reporter.finish()
        if submitter is not None:
            await submitter.close()
    complete = len(store.batch_keys(batch_id)) >= len(all_keys)
    batch = store.refresh_batch(batch_id, completed_at=utc_now() if complete else None)
    assert batch is not None
    result = BatchResult(batch=batch, records=records, skipped_done=len(all_keys) - len(todo), interrupted=interrupted)
    if interrupted:
        raise BatchInterrupted(result)
    return result


class BatchInterrupted(Exception):
    def __init__(self, result: BatchResult):
        super().__init__(f"batch {result.batch.batch_id} interrupted")
        self.result = result
