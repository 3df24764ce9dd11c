"""One `zebench run` as a value, and the function that carries it out.

A :class:`RunRequest` says what to run (scenarios, tiers, agents, models, repeats, or a batch to resume), how (the
agents' settings, the judge, the executor, the sandbox and its limits) and where the runs go (the database, a
results file, a server). Its fields are the command's options, with the same names and defaults, so that the
command only builds one and calls :func:`run_request`; tests and scripts call it the same way::

    result = run_request(RunRequest(selectors=["fix-tests"], tiers=["L1"], agents=["oracle"], db_path=Path("z.db")))

Bad input raises BatchError before anything is run or written.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from ..constants import (
    DEFAULT_DB_PATH,
    DEFAULT_MAX_FILE_SIZE_BYTES,
    DEFAULT_MAX_MEMORY_BYTES,
    DEFAULT_MAX_PROCESSES,
    DEFAULT_SPOOL,
    plural,
)
from .batch import BatchError, BatchInterrupted, BatchPlan, BatchResult, Reporter

if TYPE_CHECKING:
    from ..io.submit import Submitter
    from ..models.specialist import Specialist
    from .executors import Executor


class RunRequest(BaseModel):
    """What `zebench run` is asked to do. Each field is the option of the same name (``--max-turns``:
    ``max_turns``; ``--resume BATCH_ID``: ``resume``; ``--submit``: ``submit_url``), with its default."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    # What to run
    #: SUITE or SUITE/SCENARIO; none: every scenario.
    selectors: list[str] = Field(default_factory=list)
    tiers: list[str] = Field(default_factory=list)
    #: None: echo (replay with ``from_run``).
    agents: list[str] = Field(default_factory=list)
    models: list[str] = Field(default_factory=list)
    #: Specialist templates (paths; ``none``: without one), crossed like models; empty: each scenario's own.
    specialists: list[str] = Field(default_factory=list)
    repeat: int = Field(default=1, ge=1)
    #: The I-th (1-based) of N slices of the matrix.
    shard: tuple[int, int] | None = None
    #: Replay a stored run's tool calls (its scenario and tier unless selected).
    from_run: str | None = None
    #: The database ``from_run`` is read from (default: ``db_path``; the replay is stored in ``db_path``).
    from_db: Path | None = None
    #: The id of a stored batch to finish (its stored plan: nothing above may be given).
    resume: str | None = None
    #: The new batch's id (default: batch-<ms>-<random>).
    batch_id: str | None = None

    # How the agents and the judge work
    max_turns: int = Field(default=50, ge=1)
    max_tokens: int = Field(default=8192, ge=1)
    max_cost_usd: float | None = Field(default=None, gt=0)
    temperature: float | None = Field(default=None, ge=0, le=2)
    claude_bin: str | None = None
    replay_file: Path | None = None
    judge: bool = True
    judge_provider: Literal["auto", "anthropic", "openrouter"] = "auto"
    judge_model: str | None = None

    # Where and how the runs run
    executor: str = "local"
    concurrency: int = Field(default=4, ge=1)
    scheduler: str | None = None
    dask_workers: int | None = Field(default=None, ge=1)
    #: NAME=N[,NAME=N]: what each run takes of its Dask worker's resources.
    dask_resources: str | None = None
    #: ``--timeout``: per-run timeout in seconds (default: each scenario's timeout_minutes).
    timeout_seconds: float | None = Field(default=None, gt=0)
    command_timeout: float = Field(default=60.0, gt=0)
    keep_workspaces: bool = False
    workspace_dir: Path | None = None
    sandbox: Literal["auto", "bwrap", "none"] = "auto"
    agent_network: bool = False
    max_processes: int = Field(default=DEFAULT_MAX_PROCESSES, ge=1)
    max_memory_mb: int = Field(default=DEFAULT_MAX_MEMORY_BYTES // 2**20, ge=1)
    max_file_size_mb: int = Field(default=DEFAULT_MAX_FILE_SIZE_BYTES // 2**20, ge=1)

    # Where the runs go
    #: ``--db``: the SQLite database.
    db_path: Path = DEFAULT_DB_PATH
    #: None: ./data/suites or ./suites when present, else the bundled suites.
    suites_dir: Path | None = None
    #: A results file each run is appended to as a JSON line (kept with the batch: a resume appends to it).
    output: Path | None = None
    #: A server each run is also POSTed to (URL/api/results); undeliverable runs wait in ``spool``.
    submit_url: str | None = None
    spool: Path = DEFAULT_SPOOL
    submit_retries: int = Field(default=4, ge=0)

    def agent_settings(self) -> dict[str, Any]:
        settings: dict[str, Any] = {"max_turns": self.max_turns, "max_tokens": self.max_tokens}
        for key in ("max_cost_usd", "temperature", "claude_bin"):
            if getattr(self, key) is not None:
                settings[key] = getattr(self, key)
        if self.replay_file is not None:
            settings["replay_file"] = str(self.replay_file.resolve())
        return settings

    def judge_settings(self) -> dict[str, Any]:
        settings: dict[str, Any] = {"enabled": self.judge, "provider": self.judge_provider}
        if self.judge_model:
            settings["model"] = self.judge_model
        return settings


#: Receives a line to show (a note on the plan, a warning, a line of the executor's).
Say = Callable[[str], None]


def run_request(
    request: RunRequest,
    *,
    reporter: Reporter | None = None,
    note: Say | None = None,
    warn: Say | None = None,
    log: Say | None = None,
    on_forced: Callable[[BatchInterrupted], None] | None = None,
    keep_records: bool = True,
) -> BatchResult:
    """Carry out ``request``: check it, plan the batch, run it and store every run.

    ``reporter`` follows the runs; ``note`` gets notes on the plan (a tier a scenario lacks), ``warn`` a warning
    about the sandbox, ``log`` the executor's lines. SIGINT and SIGTERM stop the batch cleanly (BatchInterrupted,
    with its result; ``on_forced`` as in :func:`~zebench.execution.batch.run_batch_with_signals`). Raises
    BatchError for bad input (nothing was run or written) and ExecutorError when the executor is lost mid-batch
    (what was stored stays). ``keep_records``: as :func:`~zebench.execution.batch.run_batch`'s (the CLI keeps
    none: the result's ``statuses`` count them)."""
    from ..store import Store
    from .batch import run_batch_with_signals

    batch = _prepare(request, note=note or _quiet, warn=warn or _quiet, log=log or _quiet)
    store = Store(request.db_path)
    try:
        return run_batch_with_signals(
            store,
            batch.plan,
            batch_id=request.resume or request.batch_id,
            resume=bool(request.resume),
            reporter=reporter,
            submitter=batch.submitter,
            on_forced=on_forced,
            output=request.output,
            concurrency=request.concurrency,
            keep_workspaces=request.keep_workspaces,
            workspace_root=request.workspace_dir,
            sandbox=batch.sandbox,
            executor=batch.executor,
            keep_records=keep_records,
        )
    finally:
        store.close()


def _quiet(_line: str) -> None:
    pass


@dataclass
class _Prepared:
    """What a checked request runs with."""

    plan: BatchPlan | None
    sandbox: str
    executor: Executor
    submitter: Submitter | None


def _prepare(request: RunRequest, *, note: Say, warn: Say, log: Say) -> _Prepared:
    """Every check of the request, in the order the command has always made them; nothing is written."""
    from ..isolation.sandbox import SandboxError, resolve_local_mode
    from .executors import ExecutorError, ExecutorOptions, executor_class, parse_resources

    try:
        executor_cls = executor_class(request.executor)
    except ExecutorError as exc:
        raise BatchError(str(exc)) from None
    local = request.executor == "local"
    if local and request.scheduler is not None:
        raise BatchError("--scheduler needs --executor dask")
    sandbox: str = request.sandbox
    if local:
        try:
            sandbox, warning = resolve_local_mode(request.sandbox)
        except SandboxError as exc:
            raise BatchError(str(exc)) from None
        if warning:
            warn(warning)
    # Elsewhere, commands run on the workers: each resolves the sandbox for itself (checked before the batch starts).
    plan = _plan(request, check_environment=local, note=note)
    if local:  # elsewhere, each worker checks the judge's key in its own environment (executors.remote)
        _check_judge_keys(plan or _stored_plan(request))
    if local and plan is not None:  # what an agent cannot do in this machine's sandbox (workers check their own)
        from ..agents import AgentConfigError, agent_class

        try:
            for name in plan.agents:
                agent_class(name).check_sandbox(sandbox)
        except AgentConfigError as exc:
            raise BatchError(str(exc)) from None
    submitter = None
    if request.submit_url:
        from ..constants import client_token
        from ..io.submit import Submitter

        submitter = Submitter(
            request.submit_url, client_token(request.submit_url), spool=request.spool, retries=request.submit_retries
        )
    try:
        executor = executor_cls.from_options(
            ExecutorOptions(
                concurrency=request.concurrency,
                address=request.scheduler,
                workers=request.dask_workers,
                resources=parse_resources(request.dask_resources) if request.dask_resources else None,
            ),
            log=log,
        )
    except ExecutorError as exc:
        raise BatchError(str(exc)) from None
    return _Prepared(plan, sandbox, executor, submitter)


def _plan(request: RunRequest, *, check_environment: bool, note: Say) -> BatchPlan | None:
    """The batch's plan (None for a resume: the stored one); its notes go to ``note``."""
    from ..catalog import Catalog, CatalogError
    from ..isolation.processes import Limits
    from .batch import plan_run, stored_run

    if request.resume:
        given = (request.selectors, request.tiers, request.agents, request.models, request.specialists)
        if any(given) or request.shard or request.from_run or request.from_db:
            raise BatchError(
                "--resume takes the stored plan of the batch; do not give scenarios, --tier, --agent, --model, "
                "--specialist, --shard, --from-run or --from-db"
            )
        return None
    if request.from_db is not None and not request.from_run:
        raise BatchError("--from-db names the database of --from-run RUN_ID: give both")
    from_run = None
    if request.from_run:
        source, option = (request.from_db, "--from-db") if request.from_db else (request.db_path, "--db")
        from_run = stored_run(source, request.from_run, option=option)
    try:
        plan, notes = plan_run(
            Catalog(request.suites_dir),
            list(request.selectors),
            tiers=list(request.tiers),
            agents=list(request.agents),
            models=list(request.models),
            agent_settings=request.agent_settings(),
            from_run=from_run,
            repeat=request.repeat,
            shard=request.shard,
            timeout_seconds=request.timeout_seconds,
            command_timeout=request.command_timeout,
            judge_settings=request.judge_settings(),
            agent_network=request.agent_network,
            limits=Limits(
                processes=request.max_processes,
                memory_bytes=request.max_memory_mb * 2**20,
                file_size_bytes=request.max_file_size_mb * 2**20,
            ),
            # elsewhere, the workers' environment is checked by the executor
            check_environment=check_environment,
            specialists=_specialists(request.specialists) if request.specialists else None,
        )
    except (CatalogError, ValueError) as exc:
        raise BatchError(str(exc)) from None
    for line in notes:
        note(line)
    return plan


def _specialists(values: list[str]) -> list[Specialist | None]:
    """``--specialist`` values: each template loaded and validated now (a bad one is a BatchError before anything
    is written); ``none``: without a specialist."""
    from ..run.specialist import SpecialistError, load_specialist

    loaded: list[Specialist | None] = []
    for value in values:
        if value.lower() == "none":
            loaded.append(None)
            continue
        try:
            loaded.append(load_specialist(Path(value)))
        except SpecialistError as exc:
            raise BatchError(f"--specialist: {exc}") from None
    return loaded


def _stored_plan(request: RunRequest) -> BatchPlan | None:
    """The plan of the batch ``--resume`` names, read without writing (None when it cannot be read: the resume
    itself then says why)."""
    from .batch import BatchPlan

    assert request.resume is not None
    if not request.db_path.exists():
        raise BatchError(f"--resume {request.resume}: no database at {request.db_path} (give the batch's --db)")
    from ..store import open_for_reading

    with open_for_reading(request.db_path) as store:
        batch = store.get_batch(request.resume)
    if batch is None or "plan" not in batch.metadata:
        return None
    return BatchPlan.model_validate(batch.metadata["plan"])


def _check_judge_keys(plan: BatchPlan | None) -> None:
    """A selected scenario enables the LLM judge and its provider's key is not in this environment: every run would
    end with an evaluator error, so the batch does not start (nothing is written). See judge.missing_judge_keys."""
    if plan is None:
        return
    from ..catalog import Catalog, CatalogError
    from ..evaluators.judge import missing_judge_keys

    catalog = Catalog(plan.suites_dir)
    try:
        specs = {
            f"{suite}/{name}": catalog.scenario(suite, name).spec.llm_judge
            for suite, name in dict.fromkeys((k[0], k[1]) for k in plan.keys())
        }
    except CatalogError:
        return  # a scenario that cannot be loaded is reported by the batch itself, before anything runs
    missing = missing_judge_keys(specs, plan.judge_settings)
    if not missing:
        return
    lines = []
    for key_env, needs in missing.items():
        calls = sorted({f"{c.provider} {c.model}" for _, c in needs})
        names = [k for k, _ in needs]
        shown = ", ".join(names[:5]) + (f" and {len(names) - 5} more" if len(names) > 5 else "")
        lines.append(
            f"the LLM judge needs {key_env} ({'; '.join(calls)}), which is not set: "
            f"{plural(len(names), 'selected scenario enables', 'selected scenarios enable')} it ({shown})"
        )
    raise BatchError(
        "; ".join(lines)
        + ". Without the key every run of those scenarios would end with an evaluator error. Set it, or run "
        "without the judge: --no-judge (ZEBENCH_RUN_JUDGE=0 makes --no-judge the default)"
    )
