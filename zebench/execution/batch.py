"""Batches: the run matrix, concurrency, repeats, resume and sharding.

The plan (which scenarios, tiers, agents, models, repeats and settings) is stored with the batch, so
``--resume BATCH_ID`` can recompute the matrix and run only the keys that have no stored run (cancelled
attempts count as not run). Each run is committed as soon as it ends, so a killed batch loses at most the runs
that were in flight.

Stopping: a :class:`StopRequest` (set by SIGINT or SIGTERM through :func:`run_batch_with_signals`) makes the
batch start nothing more and cancel the runs in flight; each of them kills its processes, records itself as
``cancelled`` (stage, what the agent did so far), removes its workspace, and is written before the batch ends
with :class:`BatchInterrupted`. A second request hurries: the runs are cancelled again, so that they stop waiting
for their workspaces to be removed, and ``run_batch_with_signals`` calls ``on_forced`` (the CLI exits there,
without waiting for those removals; the records are written and each is one committed transaction).
"""

from __future__ import annotations

import asyncio
import functools
import signal
import subprocess
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from pydantic import BaseModel, Field

from ..agents import AgentConfigError, MissingEnvironment, agent_class
from ..catalog import Catalog, CatalogError, Scenario, tier_sort_key
from ..constants import DEFAULT_MAX_FILE_SIZE_BYTES, DEFAULT_MAX_MEMORY_BYTES, DEFAULT_MAX_PROCESSES, zebench_version
from ..isolation.processes import Limits
from ..models import BatchRecord, RunRecord, utc_now
from ..models.specialist import Specialist
from ..store import Store
from .executors import BatchJob, Executor, ExecutorError
from .executors.local import LocalExecutor
from .runner import RunOptions, RunSpec, new_batch_id

if TYPE_CHECKING:
    from ..io.submit import Submitter

#: suite, scenario, tier, agent, model ("" = none), specialist (``name@version``, "" = none), repeat index
RunKey = tuple[str, str, str, str, str, str, int]


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
    #: ``--specialist``: the specialists the matrix crosses (None in the list: without one); absent, each scenario
    #: runs with its own ``specialist`` key (or none). Stored whole: ``--resume`` uses the templates the batch began
    #: with, and workers elsewhere need no copy of the files.
    specialists: list[Specialist | None] | None = None
    #: The specialists scenarios name with their ``specialist`` key, by ``suite/scenario``.
    scenario_specialists: dict[str, Specialist] = Field(default_factory=dict)

    def specialists_for(self, suite: str, scenario: str) -> list[Specialist | None]:
        if self.specialists is not None:
            return self.specialists
        return [self.scenario_specialists.get(f"{suite}/{scenario}")]

    def specialist(self, suite: str, scenario: str, label: str) -> Specialist | None:
        """The specialist of a matrix key's ``name@version`` (None for "")."""
        return next((s for s in self.specialists_for(suite, scenario) if s is not None and s.label == label), None)

    def limits(self) -> Limits:
        return Limits(
            processes=self.max_processes, memory_bytes=self.max_memory_bytes, file_size_bytes=self.max_file_size_bytes
        )

    def keys(self) -> list[RunKey]:
        """The run matrix, in a deterministic order, restricted to this plan's shard."""
        keys: list[RunKey] = []
        for suite, scenario, tier in self.items:
            labels = [s.label if s is not None else "" for s in self.specialists_for(suite, scenario)]
            for agent in self.agents:
                models = self.models if agent_class(agent).uses_model and self.models else [""]
                for model in models:
                    for label in labels:
                        keys.extend((suite, scenario, tier, agent, model, label, r) for r in range(self.repeat))
        keys.sort(key=lambda k: (k[0], k[1], tier_sort_key(k[2]), k[3], k[4], k[5], k[6]))
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
    limits: Limits | None = None,
    check_environment: bool = True,
    specialists: list[Specialist | None] | None = None,
) -> tuple[BatchPlan, list[str]]:
    """Validate the inputs and build a plan. Returns the plan and notes (e.g. tiers a scenario lacks).

    ``check_environment=False`` when the runs happen on other machines (``--executor dask``): what an agent needs
    from its machine (an API key, a CLI) is then checked by the executor on those machines, not here."""
    if repeat < 1:
        raise BatchError("--repeat must be at least 1")
    if shard is not None and not 1 <= shard[0] <= shard[1]:
        raise BatchError(f"--shard {shard[0]}/{shard[1]}: expected I/N with 1 <= I <= N")
    agent_settings = dict(agent_settings or {})
    limits = limits or Limits()
    for name in agents:
        try:
            cls = agent_class(name)
            if cls.requires_model and not models:
                raise AgentConfigError(f"agent {name!r} needs --model")
            cls.check_settings(agent_settings, models)
        except MissingEnvironment as exc:
            if check_environment:
                raise BatchError(str(exc)) from None
        except AgentConfigError as exc:
            raise BatchError(str(exc)) from None
    scenarios = catalog.select(selectors)
    items: list[tuple[str, str, str]] = []
    notes: list[str] = []
    modelless = [name for name in dict.fromkeys(agents) if models and not agent_class(name).uses_model]
    if modelless:  # a --model that changes nothing is said, never silently dropped
        one = len(modelless) == 1
        notes.append(
            f"warning: --model does not apply to {', '.join(modelless)}: {'it takes' if one else 'they take'} no "
            f"model, so {'it runs' if one else 'they run'} once per item without one, whatever the models given"
        )
    for scenario in scenarios:
        wanted = tiers or scenario.tiers
        missing = [t for t in wanted if t not in scenario.prompts]
        if missing and tiers:
            notes.append(f"{scenario.key} has no prompt for {', '.join(missing)}; skipped")
        items.extend((scenario.suite, scenario.name, t) for t in wanted if t in scenario.prompts)
    scenario_specialists: dict[str, Specialist] = {}
    if specialists is None:
        scenario_specialists = _scenario_specialists(
            [s for s in scenarios if any(i[:2] == (s.suite, s.name) for i in items)]
        )
    if not items:
        raise BatchError("nothing to run: no selected scenario has a prompt for the selected tiers")
    plan = BatchPlan(
        suites_dir=str(catalog.root.resolve()),
        items=items,
        agents=list(dict.fromkeys(agents)),
        models=list(dict.fromkeys(models)),
        repeat=repeat,
        shard=shard,
        timeout_seconds=timeout_seconds,
        command_timeout=command_timeout,
        agent_settings=agent_settings,
        judge_settings=dict(judge_settings or {}),
        agent_network=agent_network,
        max_processes=limits.processes,
        max_memory_bytes=limits.memory_bytes,
        max_file_size_bytes=limits.file_size_bytes,
        specialists=_unique(specialists) if specialists is not None else None,
        scenario_specialists=scenario_specialists,
    )
    if not plan.keys():
        raise BatchError(f"shard {shard[0]}/{shard[1]} of this matrix is empty" if shard else "nothing to run")
    return plan, notes


def _unique(specialists: list[Specialist | None]) -> list[Specialist | None]:
    """The specialists once each (by ``name@version``; None once), in the order given."""
    seen: dict[str, Specialist | None] = {}
    for s in specialists:
        seen.setdefault(s.label if s is not None else "", s)
    return list(seen.values())


def _scenario_specialists(scenarios: list[Any]) -> dict[str, Specialist]:
    """The specialists the scenarios name (``specialist: path``, relative to the scenario folder), loaded now:
    a broken template stops the batch before anything runs."""
    from ..run.specialist import SpecialistError, load_specialist

    found: dict[str, Specialist] = {}
    for scenario in scenarios:
        if scenario.spec.specialist:
            try:
                found[scenario.key] = load_specialist(scenario.dir / scenario.spec.specialist)
            except SpecialistError as exc:
                raise BatchError(f"{scenario.key}: specialist: {exc}") from None
    return found


def stored_run(db_path: Path, run_id: str, option: str = "--db") -> RunRecord:
    """A stored run, read without changing the database (``--from-run``); BatchError when it is not there
    (``option``: the option that named the database, for the message)."""
    from ..store import open_for_reading

    elsewhere = "" if option == "--from-db" else "; --from-db PATH reads the run from another database"
    if not db_path.exists():
        raise BatchError(f"--from-run: the database {db_path} ({option}) does not exist{elsewhere}")
    with open_for_reading(db_path) as store:
        record = store.get_run(run_id)
    if record is None:
        raise BatchError(f"--from-run: no run {run_id!r} in {db_path} ({option}){elsewhere}")
    return record


def plan_run(
    catalog: Catalog,
    selectors: list[str],
    *,
    tiers: list[str],
    agents: list[str],
    agent_settings: dict[str, Any],
    from_run: RunRecord | None = None,
    **plan_options: Any,
) -> tuple[BatchPlan, list[str]]:
    """The plan of `zebench run`: :func:`make_plan` with the echo agent when none is given. With ``from_run`` (a
    stored run), its tool calls are replayed on a fresh workspace: the replay agent, and the run's scenario and
    tier unless scenarios are selected."""
    settings = dict(agent_settings)
    if from_run is not None:
        transcript = from_run.transcript
        settings["replay_calls"] = (
            [{"name": c.name, "input": c.input} for c in transcript.tool_calls] if transcript else []
        )
        settings["replayed_run"] = from_run.run_id
        agents = agents or ["replay"]
        if not selectors:
            selectors, tiers = [f"{from_run.suite}/{from_run.scenario}"], tiers or [from_run.tier]
    return make_plan(
        catalog, selectors, tiers=tiers, agents=agents or ["echo"], agent_settings=settings, **plan_options
    )


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


#: Runs a batch gives its executor at once (each a task waiting for a slot, or running): one more as each ends. A
#: pending run costs about 1.7 KB (a task and its coroutines): 100,000 handed out at once held 165 MB. Far more than
#: any pool's or cluster's slots, so the executor never waits for one.
RUNS_IN_HAND = 10_000


@dataclass
class BatchResult:
    batch: BatchRecord
    #: Runs that ended, whatever their status (a run that had ended when the batch was stopped included); empty
    #: when run_batch was asked not to keep them (``keep_records=False``: the CLI, whose batches can be large).
    records: list[RunRecord] = field(default_factory=list)
    #: How many of those runs ended with each status (kept either way).
    statuses: dict[str, int] = field(default_factory=dict)
    skipped_done: int = 0
    interrupted: bool = False
    #: Runs in flight when the batch was stopped, stored with status "cancelled" (--resume redoes them).
    cancelled: list[RunRecord] = field(default_factory=list)
    #: The signal that stopped the batch (signal.SIGINT, signal.SIGTERM), if one did.
    signal: int | None = None
    #: The results file the runs were appended to (on --resume, the batch's own unless another was given).
    output: Path | None = None
    #: With a submitter: the runs it delivered, and those it kept in its spool for `zebench submit`.
    submitted: int = 0
    spooled: int = 0


class StopRequest:
    """Asks a running batch to stop: it starts nothing more, cancels the runs in flight and records them.

    Made for signal handlers (``request`` is called on the event loop) and tests. ``count`` says how many times
    it was asked; ``signal`` is the first signal that asked.
    """

    def __init__(self) -> None:
        self._event = asyncio.Event()
        self.signal: int | None = None
        self.count = 0
        self._hurry: list[Callable[[], None]] = []

    def request(self, signum: int | None = None) -> None:
        self.count += 1
        if self.signal is None:
            self.signal = signum
        self._event.set()
        if self.count > 1:
            for hurry in list(self._hurry):
                hurry()

    def on_hurry(self, callback: Callable[[], None]) -> None:
        """``callback`` runs on every request after the first."""
        self._hurry.append(callback)

    def is_set(self) -> bool:
        return self._event.is_set()

    async def wait(self) -> None:
        await self._event.wait()


@contextmanager
def stop_on_signals(stop: StopRequest, signals: tuple[int, ...] = (signal.SIGINT, signal.SIGTERM)) -> Iterator[None]:
    """While inside, each of ``signals`` requests ``stop`` (instead of killing the process or raising
    KeyboardInterrupt in the middle of a run). Must run on the event loop."""
    loop = asyncio.get_running_loop()
    for sig in signals:
        loop.add_signal_handler(sig, stop.request, sig)
    try:
        yield
    finally:
        for sig in signals:
            loop.remove_signal_handler(sig)


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
        if output is not None:
            output.parent.mkdir(parents=True, exist_ok=True)
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
    submitter: Submitter | None = None,
    sandbox: str = "auto",
    stop: StopRequest | None = None,
    executor: Executor | None = None,
    keep_records: bool = True,
) -> BatchResult:
    """Run a new batch from ``plan``, or with ``resume`` the missing runs of the stored batch ``batch_id``.

    ``output`` (a results JSONL file) is stored with a new batch; a resume without ``output`` appends to it.
    When ``stop`` is requested, the runs in flight are cancelled, stored as ``cancelled`` and the batch ends
    with BatchInterrupted. When this coroutine itself is cancelled, the runs in flight are recorded the same way
    and the CancelledError propagates.

    ``executor`` runs the runs (default: the local pool of ``concurrency`` slots); whatever it is, the records
    come back here and are written by this process only. ``sandbox`` is the mode each run resolves where it runs
    (auto, bwrap, none). Without ``keep_records`` the result counts the runs' statuses but holds no record (a
    record with its transcript and diff is tens of kilobytes: a 100,000-run batch would keep gigabytes).
    """
    reporter = reporter or NullReporter()
    if concurrency < 1:
        raise BatchError("--concurrency must be at least 1")
    if executor is None:
        executor = LocalExecutor(concurrency)
    if resume:
        batch_id, plan, output = _resumed_batch(store, batch_id, output)
    else:
        batch_id = _new_batch_id(store, plan, batch_id)
    assert plan is not None

    catalog = Catalog(plan.suites_dir)
    all_keys = plan.keys()
    done = store.batch_keys(batch_id) if resume else set()
    todo = [k for k in all_keys if k not in done]
    scenarios = _load_scenarios(catalog, todo)
    options = await _run_options(plan, catalog, keep_workspaces, workspace_root, sandbox)
    # Opened before anything is written: an executor that cannot run the batch (an unreachable scheduler) leaves
    # no trace. Nothing to do (a finished batch resumed): nothing to open.
    if todo:
        await _open_executor(executor, BatchJob(batch_id=batch_id, plan=plan, scenarios=scenarios, options=options))
    where = executor.metadata() if todo else {}
    try:
        _record_batch(store, batch_id, plan, resume=resume, output=output, expected_runs=len(all_keys), where=where)
    except BaseException:
        await executor.close()
        raise
    runs = _BatchRuns(
        store, batch_id, executor, reporter=reporter, submitter=submitter, output=output, keep_records=keep_records
    )
    reporter.start(batch_id, len(all_keys), len(all_keys) - len(todo))
    try:
        specs = [
            (k, RunSpec(scenarios[k[:2]], k[2], k[3], k[4] or None, k[6], batch_id, plan.specialist(k[0], k[1], k[5])))
            for k in todo
        ]
        error = await runs.run_all(specs, stop)
    finally:
        await runs.close()
    if error is not None:  # a write that failed (disk full...), an executor lost: the batch cannot go on
        raise error
    # Stopped: a run was cancelled, or some were never handed out (a stop can land as the last ones in hand end).
    interrupted = bool(runs.cancelled) or runs.any_cancelled or runs.handed_out < len(specs)
    complete = len(store.batch_keys(batch_id)) >= len(all_keys)
    batch = store.refresh_batch(batch_id, completed_at=utc_now() if complete else None)
    assert batch is not None
    result = BatchResult(
        batch=batch,
        records=runs.records,
        statuses=dict(runs.statuses),
        skipped_done=len(all_keys) - len(todo),
        interrupted=interrupted,
        cancelled=runs.cancelled,
        signal=stop.signal if stop else None,
        output=output,
        submitted=submitter.delivered if submitter is not None else 0,
        spooled=submitter.spooled if submitter is not None else 0,
    )
    if interrupted:
        raise BatchInterrupted(result)
    return result


def _resumed_batch(store: Store, batch_id: str | None, output: Path | None) -> tuple[str, BatchPlan, Path | None]:
    """The stored batch to resume: its id, its plan and its results file (unless another one is given)."""
    if batch_id is None:
        raise BatchError("--resume needs a batch id")
    batch = store.get_batch(batch_id)
    if batch is None:
        raise BatchError(f"unknown batch {batch_id!r}")
    if "plan" not in batch.metadata:
        raise BatchError(f"batch {batch_id!r} has no stored plan (was it created by ingest?); cannot resume")
    plan = BatchPlan.model_validate(batch.metadata["plan"])
    if output is None and batch.metadata.get("output"):
        output = Path(batch.metadata["output"])
    return batch_id, plan, output


def _new_batch_id(store: Store, plan: BatchPlan | None, batch_id: str | None) -> str:
    """The id of a new batch: ``batch_id`` unless it is already stored, else a new one."""
    if plan is None:
        raise BatchError("a new batch needs a plan")
    batch_id = batch_id or new_batch_id()
    if store.get_batch(batch_id) is not None:
        raise BatchError(f"batch {batch_id!r} already exists; use --resume {batch_id} to finish it")
    return batch_id


def _load_scenarios(catalog: Catalog, todo: list[RunKey]) -> dict[tuple[str, str], Scenario]:
    """Every scenario first: a broken scenario file stops the batch before anything runs."""
    try:
        return {(s, n): catalog.scenario(s, n) for s, n, *_ in todo}
    except CatalogError as exc:
        raise BatchError(str(exc)) from None


async def _run_options(
    plan: BatchPlan, catalog: Catalog, keep_workspaces: bool, workspace_root: Path | None, sandbox: str
) -> RunOptions:
    return RunOptions(
        timeout_seconds=plan.timeout_seconds,
        command_timeout=plan.command_timeout,
        keep_workspaces=keep_workspaces,
        workspace_root=workspace_root,
        agent_settings=plan.agent_settings,
        judge_settings=plan.judge_settings,
        git_commit=await asyncio.to_thread(git_commit, catalog.root),
        sandbox=sandbox,
        agent_network=plan.agent_network,
        limits=plan.limits(),
    )


async def _open_executor(executor: Executor, job: BatchJob) -> None:
    """An executor that cannot run the batch is closed again; its error is bad batch input."""
    try:
        await executor.open(job)
    except BaseException as exc:
        await executor.close()
        if isinstance(exc, ExecutorError):
            raise BatchError(str(exc)) from None
        raise


def _record_batch(
    store: Store,
    batch_id: str,
    plan: BatchPlan,
    *,
    resume: bool,
    output: Path | None,
    expected_runs: int,
    where: dict[str, Any],
) -> None:
    """A new batch is stored with its plan (what --resume recomputes); a resumed one notes where it runs now."""
    if not resume:
        store.save_batch(
            BatchRecord(
                batch_id=batch_id,
                created_at=utc_now(),
                expected_runs=expected_runs,
                metadata={
                    "plan": plan.model_dump(mode="json"),
                    "zebenchVersion": zebench_version(),
                    "agents": plan.agents,
                    "models": plan.models,
                    # absolute: a resume from another directory appends to the same file
                    "output": str(output.resolve()) if output is not None else None,
                    **({"executor": where} if where else {}),
                },
            )
        )
    elif where:
        _update_metadata(store, batch_id, {"executor": where})


class _BatchRuns:
    """The runs of a batch on their executor: one task per run, each record saved as it comes back, and the stop."""

    def __init__(
        self,
        store: Store,
        batch_id: str,
        executor: Executor,
        *,
        reporter: Reporter,
        submitter: Submitter | None,
        output: Path | None,
        keep_records: bool = True,
    ):
        self.store, self.batch_id, self.executor = store, batch_id, executor
        self.reporter, self.submitter = reporter, submitter
        self.writer = _Writer(store, output)
        self.keep_records = keep_records
        self.records: list[RunRecord] = []
        self.statuses: Counter[str] = Counter()
        self.cancelled: list[RunRecord] = []
        # Saves run as their own tasks, shielded from the cancellation of the run that asked for them, and are
        # all awaited before the writer closes: a run that has ended is stored even if the batch is stopped.
        self.saves: set[asyncio.Future[None]] = set()
        #: The runs given to the executor and not ended (at most RUNS_IN_HAND), whether one was cancelled, and the
        #: errors of those that failed.
        self.tasks: set[asyncio.Future[None]] = set()
        self.handed_out = 0
        self.any_cancelled = False
        self.errors: list[BaseException] = []
        self.stopping = False
        self.remaining = 0
        self.all_ended = asyncio.Event()

    def save(self, record: RunRecord, *, spool: bool = False) -> asyncio.Future[None]:
        async def write() -> None:
            await self.writer.save(record)
            if record.status == "cancelled":  # in flight when the batch stopped: as many as its slots
                self.cancelled.append(record)
            else:
                self.statuses[record.status] += 1
                if self.keep_records:
                    self.records.append(record)
            self.reporter.run_finished(record)
            if spool and self.submitter is not None:  # no network while stopping: the spool keeps it
                await self.submitter.spool_record(record)

        future = asyncio.ensure_future(write())
        self.saves.add(future)
        future.add_done_callback(self._saved)
        return future

    def _saved(self, future: asyncio.Future[None]) -> None:
        """A save done: forgotten unless it failed (run_all returns its error)."""
        if not future.cancelled() and future.exception() is None:
            self.saves.discard(future)

    async def save_interrupted(self, record: RunRecord) -> None:
        await self.save(record, spool=True)

    async def one(self, key: RunKey, spec: RunSpec) -> None:
        try:
            record = await self.executor.run(
                spec, started=lambda: self.reporter.run_started(key), on_cancelled=self.save_interrupted
            )
            await asyncio.shield(self.save(record))
            if self.submitter is not None:  # stored locally first; delivery (or the spool) never loses it
                await self.submitter.submit(record)
        finally:
            self.remaining -= 1
            if self.remaining == 0:
                self.all_ended.set()

    def hurry(self) -> None:
        """Asked again: the runs stop waiting for their cleanup (it goes on in its threads)."""
        self.stopping = True
        for t in list(self.tasks):
            t.cancel()

    def _hand_out(self, specs: Iterator[tuple[RunKey, RunSpec]]) -> None:
        """Give the executor runs until RUNS_IN_HAND are in its hands (waiting for a slot or running); one more
        as each ends. Nothing more once the batch is stopping."""
        while len(self.tasks) < RUNS_IN_HAND and not self.stopping:
            item = next(specs, None)
            if item is None:
                return
            task = asyncio.ensure_future(self.one(*item))
            self.tasks.add(task)
            self.handed_out += 1
            task.add_done_callback(functools.partial(self._ended, specs))

    def _ended(self, specs: Iterator[tuple[RunKey, RunSpec]], task: asyncio.Future[None]) -> None:
        self.tasks.discard(task)
        if task.cancelled():
            self.any_cancelled = True
        elif (error := task.exception()) is not None:  # a write that failed, an executor lost: the batch stops
            self.errors.append(error)
            self.stopping = True
            self.all_ended.set()
        self._hand_out(specs)

    async def run_all(self, specs: list[tuple[RunKey, RunSpec]], stop: StopRequest | None) -> BaseException | None:
        """Every run, until they have all ended, ``stop`` is requested or a run task failed; the runs still in
        flight then record themselves as cancelled (the runs not yet given to the executor are not run). Returns
        the error of a run task that failed (a write, a lost executor), if one did."""
        self.remaining = len(specs)
        if not specs:
            self.all_ended.set()
        if stop is not None:
            stop.on_hurry(self.hurry)
        waiters = [asyncio.ensure_future(self.all_ended.wait())] + (
            [asyncio.ensure_future(stop.wait())] if stop else []
        )
        try:
            self._hand_out(iter(specs))
            # Returns when every run has ended, a stop is requested, or a run task failed (_ended).
            await asyncio.wait(waiters, return_when=asyncio.FIRST_COMPLETED)
        finally:
            self.stopping = True
            for w in waiters:
                w.cancel()
            # Runs still in flight (stop, failure, or this coroutine cancelled) record themselves as cancelled.
            in_flight = list(self.tasks)
            for t in in_flight:
                t.cancel()
            outcomes: list[BaseException | None] = list(self.errors)
            outcomes += await asyncio.gather(*in_flight, return_exceptions=True)
            outcomes += await asyncio.gather(*self.saves, return_exceptions=True)
        return next(
            (o for o in outcomes if isinstance(o, BaseException) and not isinstance(o, asyncio.CancelledError)), None
        )

    async def close(self) -> None:
        """The executor, the writer (every save is done by now), the reporter and the submitter."""
        try:
            await self.executor.close()
        finally:
            self.writer.close()
            self.reporter.finish()
            if self.submitter is not None:
                await self.submitter.close()
        retries = self.executor.infra_retries()
        if retries:  # runs started again after their worker was lost: counted for the whole batch
            _update_metadata(self.store, self.batch_id, {"infraRetries": retries}, add=True)


def _update_metadata(store: Store, batch_id: str, values: dict[str, Any], *, add: bool = False) -> None:
    """Merge ``values`` into a stored batch's metadata (``add``: numbers added to the stored ones)."""
    batch = store.get_batch(batch_id)
    if batch is None:
        return
    metadata = dict(batch.metadata)
    for key, value in values.items():
        metadata[key] = (metadata.get(key) or 0) + value if add else value
    store.save_batch(BatchRecord(batch_id=batch_id, created_at=batch.created_at, metadata=metadata))


def run_batch_with_signals(
    store: Store,
    plan: BatchPlan | None = None,
    *,
    on_forced: Callable[[BatchInterrupted], None] | None = None,
    **kwargs: Any,
) -> BatchResult:
    """``run_batch`` in a new event loop, SIGINT and SIGTERM stopping it cleanly (BatchInterrupted, its result's
    ``signal`` set). After a second signal, ``on_forced`` gets the BatchInterrupted once every run in flight has
    been killed and written, before the loop waits for the workspace removals still going on (the CLI exits
    there). For the CLI; takes run_batch's arguments."""

    async def main() -> BatchResult:
        stop = StopRequest()
        with stop_on_signals(stop):
            try:
                return await run_batch(store, plan, stop=stop, **kwargs)
            except BatchInterrupted as exc:
                if stop.count > 1 and on_forced is not None:
                    on_forced(exc)
                raise

    return asyncio.run(main())


class BatchInterrupted(Exception):
    def __init__(self, result: BatchResult):
        super().__init__(f"batch {result.batch.batch_id} interrupted")
        self.result = result
