"""``zebench run``."""

from __future__ import annotations

import os
import signal
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from ..constants import (
    DEFAULT_MAX_FILE_SIZE_BYTES,
    DEFAULT_MAX_MEMORY_BYTES,
    DEFAULT_MAX_PROCESSES,
    DEFAULT_SPOOL,
    URL_ENVS,
)
from .options import (
    CONTEXT_SETTINGS,
    concurrency_option,
    db_option,
    fail,
    note,
    option,
    sandbox_mode,
    sandbox_option,
    suites_dir_option,
    timeout_option,
)

if TYPE_CHECKING:
    from ..execution.batch import BatchPlan
    from ..io.submit import Submitter
    from ..report.progress import RichReporter
    from ..store import Store


def _parse_shard(value: str | None) -> tuple[int, int] | None:
    if value is None:
        return None
    try:
        index, count = (int(x) for x in value.split("/"))
    except ValueError:
        raise click.BadParameter("expected I/N, e.g. 2/4") from None
    if not 1 <= index <= count:
        raise click.BadParameter("expected 1 <= I <= N")
    return index, count


class _Interrupted(KeyboardInterrupt):
    def __init__(self, signum: int):
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


def _raise_interrupt(signum: int, frame: Any) -> None:
    raise _Interrupted(signum)


@click.command("run", context_settings=CONTEXT_SETTINGS)
@click.argument("selectors", nargs=-1, metavar="[SUITE[/SCENARIO]]...")
@option(
    "--tier",
    "-t",
    "tiers",
    multiple=True,
    help="Tier to run (L0..L3, Lx); repeatable. Default: every tier with a prompt.",
)
@option("--agent", "-a", "agents", multiple=True, help="Agent to run; repeatable. Default: echo. See --list-agents.")
@option("--model", "-m", "models", multiple=True, help="Model for agents that use one; repeatable.")
@option(
    "--specialist",
    "specialists",
    multiple=True,
    metavar="FILE|none",
    help="A specialist template (the original's JSON5 format): its persona and prompts reach the model and its MCP "
    "servers start for each run; repeatable, crossed like --model (`none`: without one). Default: each scenario's "
    "own `specialist` key. See docs/agents.md.",
)
@option("--repeat", "-n", default=1, show_default=True, type=click.IntRange(1), help="Runs per matrix cell.")
@concurrency_option
@option(
    "--executor",
    "executor_name",
    default="local",
    show_default=True,
    envvar="ZEBENCH_EXECUTOR",
    show_envvar=True,
    metavar="local|dask",
    help="Where runs run: local (asyncio in this process, --concurrency at once) or dask (the workers of a Dask "
    'cluster; pip install "zebench[dask]"). See docs/distributed.md.',
)
@option(
    "--scheduler",
    envvar="ZEBENCH_SCHEDULER",
    show_envvar=True,
    metavar="tcp://HOST:8786",
    help="--executor dask: the scheduler of a running cluster (each worker's slots: its --nthreads). Without it, "
    "a local cluster is started.",
)
@option(
    "--dask-workers",
    type=click.IntRange(1),
    help="--executor dask without --scheduler: workers of the local cluster, each with --concurrency slots "
    "[default: CPUs / concurrency, at least 1].",
)
@option(
    "--dask-resources",
    metavar="NAME=N[,NAME=N]",
    help="--executor dask --scheduler: what each run takes of its worker's resources; runs go only to workers "
    'started with them (dask worker ADDRESS --resources "heavy=2": at most 2 such runs at once there).',
)
@db_option
@option(
    "--output",
    "-o",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Also append each run record as a JSON line to this file (kept with the batch: --resume appends to it).",
)
@option("--batch-id", help="Id of the new batch (default: batch-<ms>-<random>).")
@option("--resume", "resume_id", metavar="BATCH_ID", help="Run only the missing runs of a stored batch (same plan).")
@option("--shard", metavar="I/N", help="Run the I-th of N deterministic slices of the matrix (1-based).")
@timeout_option
@option(
    "--command-timeout",
    default=60.0,
    show_default=True,
    type=click.FloatRange(min=0, min_open=True),
    help="Time limit of each runCommand tool call, in seconds.",
)
@option(
    "--replay-file",
    type=click.Path(path_type=Path, dir_okay=False, exists=True),
    help="Tool calls for the replay agent (JSON array or JSON Lines).",
)
@option(
    "--from-run",
    metavar="RUN_ID",
    help="Replay a stored run's tool calls on a fresh workspace (implies --agent replay and the run's scenario and"
    " tier unless given).",
)
@option(
    "--max-turns",
    type=click.IntRange(1),
    default=50,
    show_default=True,
    help="Model calls per run for the model-backed agents.",
)
@option("--max-tokens", type=click.IntRange(1), default=8192, show_default=True, help="max_tokens of each model call.")
@option(
    "--max-cost-usd",
    type=click.FloatRange(min=0, min_open=True),
    help="Stop a run's agent once its cost exceeds this (status budget_exceeded; still scored).",
)
@option(
    "--temperature",
    type=click.FloatRange(0, 2),
    help="Sampling temperature (default: the provider's; 0.1 for openrouter).",
)
@option(
    "--claude-bin",
    envvar="ZEBENCH_CLAUDE_BIN",
    show_envvar=True,
    help="Claude Code executable for --agent claude-code (default: claude on PATH).",
)
@option("--judge/--no-judge", default=True, show_default=True, help="Run the LLM judge on scenarios that enable it.")
@option(
    "--judge-provider",
    type=click.Choice(["auto", "anthropic", "openrouter"]),
    default="auto",
    show_default=True,
    help="API the LLM judge calls (auto: OpenRouter for vendor/model ids such as anthropic/claude-3.5-sonnet, else"
    " Anthropic).",
)
@option(
    "--judge-model",
    help="Judge model for every scenario (default: each scenario's llm_judge.model, else claude-sonnet-4-6).",
)
@option("--keep-workspaces", is_flag=True, help="Keep each run's workspace directory (its path is in the telemetry).")
@option(
    "--workspace-dir",
    type=click.Path(path_type=Path, file_okay=False),
    help="Where workspaces are created (default: the system temp dir).",
)
@option(
    "--submit",
    "submit_url",
    envvar=list(URL_ENVS),
    show_envvar=True,
    metavar="URL",
    help="Also POST each run to URL/api/results (token: ZEBENCH_API_KEY or ZE_BENCHMARKS_API_KEY); "
    "undeliverable runs go to --spool.",
)
@option(
    "--spool",
    type=click.Path(path_type=Path, dir_okay=False),
    default=DEFAULT_SPOOL,
    show_default=True,
    help="Where runs that could not be submitted wait for `zebench submit`.",
)
@option(
    "--submit-retries",
    type=click.IntRange(0),
    default=4,
    show_default=True,
    help="Retries of a failed submission (exponential backoff from 0.5 s).",
)
@sandbox_option(
    "Where commands run: bwrap (bubblewrap: workspace only, no network for agent commands), none "
    "(no isolation), auto (bwrap where it works, else none with a warning). See docs/security.md."
)
@option(
    "--agent-network/--no-agent-network",
    default=False,
    show_default=True,
    help="Give agent commands the network (validation always has it). All or nothing: no host filter.",
)
@option(
    "--max-processes",
    type=click.IntRange(1),
    default=DEFAULT_MAX_PROCESSES,
    show_default=True,
    help="Processes (tasks) a command may run at once (RLIMIT_NPROC; see docs/security.md for root).",
)
@option(
    "--max-memory-mb",
    type=click.IntRange(1),
    default=DEFAULT_MAX_MEMORY_BYTES // 2**20,
    show_default=True,
    help="Heap and private memory of each process of a command, in MiB (RLIMIT_DATA).",
)
@option(
    "--max-file-size-mb",
    type=click.IntRange(1),
    default=DEFAULT_MAX_FILE_SIZE_BYTES // 2**20,
    show_default=True,
    help="Largest file a command may write, in MiB (RLIMIT_FSIZE).",
)
@option("--list-agents", is_flag=True, help="List the available agents and exit.")
@suites_dir_option
def run_command(
    selectors: tuple[str, ...],
    tiers: tuple[str, ...],
    agents: tuple[str, ...],
    models: tuple[str, ...],
    specialists: tuple[str, ...],
    repeat: int,
    concurrency: int,
    db_path: Path,
    output: Path | None,
    batch_id: str | None,
    resume_id: str | None,
    shard: str | None,
    timeout_seconds: float | None,
    command_timeout: float,
    replay_file: Path | None,
    from_run: str | None,
    max_turns: int,
    max_tokens: int,
    max_cost_usd: float | None,
    temperature: float | None,
    claude_bin: str | None,
    judge: bool,
    judge_provider: str,
    judge_model: str | None,
    keep_workspaces: bool,
    workspace_dir: Path | None,
    submit_url: str | None,
    spool: Path,
    submit_retries: int,
    sandbox: str,
    agent_network: bool,
    max_processes: int,
    max_memory_mb: int,
    max_file_size_mb: int,
    list_agents: bool,
    suites_dir: Path,
    executor_name: str,
    scheduler: str | None,
    dask_workers: int | None,
    dask_resources: str | None,
) -> None:
    """Run agents on scenarios and store every run in the database.

    The runs are the cross-product of the selected scenarios and tiers, agents, models (for agents that use
    one) and --repeat. Every run is stored, failed ones too, as soon as it ends; after an interruption,
    `zebench run --resume BATCH_ID` runs only what is missing. SIGINT (Ctrl-C) and SIGTERM stop the batch: the
    runs in flight are stored as cancelled (--resume redoes them), their workspaces removed, and the exit
    status is 130 or 143; a second signal exits once they are recorded, without waiting for the workspaces.

    \b
    Examples:
      zebench run --agent echo --agent oracle            every bundled scenario and tier
      zebench run fix-tests -t L1 -a oracle -n 3         one suite, one tier, three repeats
      zebench run refactor/extract-validation-module -a replay --replay-file calls.json
      zebench run fix-tests -t L1 -a anthropic -m claude-sonnet-4-6 --max-cost-usd 2    needs ANTHROPIC_API_KEY
      zebench run fix-tests -t L1 -a openrouter -m openai/gpt-5                         needs OPENROUTER_API_KEY
      zebench run --from-run RUN_ID                      replay a stored run offline
      zebench run fix-tests -t L1 -a oracle --executor dask   on a local Dask cluster (or --scheduler ADDRESS)

    Each --agent runs with each --model it can use (a cross-product): give agents of different providers
    their own `zebench run`. --specialist FILE (repeatable, `none` for without) crosses specialist templates the
    same way; their MCP servers start for each run (docs/agents.md). API keys come from the environment
    (ANTHROPIC_API_KEY, OPENROUTER_API_KEY) and are never stored; with --executor dask, from each worker's
    environment (docs/distributed.md). Check a suite you write with `zebench check` first.
    """
    if list_agents:
        from ..agents import agent_class, available_agents

        for name in available_agents():
            cls = agent_class(name)
            click.echo(f"{name:12} {cls.description}{'  (uses --model)' if cls.uses_model else ''}")
        return
    from ..catalog import Catalog, CatalogError
    from ..execution.batch import BatchError, plan_run, stored_run
    from ..execution.executors import ExecutorError, ExecutorOptions, executor_class, parse_resources
    from ..isolation.processes import Limits
    from ..store import Store

    try:
        executor_cls = executor_class(executor_name)
    except ExecutorError as exc:
        fail(str(exc))
    source = click.get_current_context().get_parameter_source
    local = executor_name == "local"
    if local:
        if scheduler is not None and source("scheduler") == click.core.ParameterSource.COMMANDLINE:
            fail("--scheduler needs --executor dask")
        scheduler = None  # ZEBENCH_SCHEDULER is for --executor dask
        mode = sandbox_mode(sandbox)
    else:
        # Commands run on the workers: each resolves --sandbox for itself (checked before the batch starts).
        mode = sandbox
        if scheduler is not None and source("concurrency") == click.core.ParameterSource.COMMANDLINE:
            fail(
                "--concurrency sets the slots of the workers of a local cluster; with --scheduler each worker's "
                "slots are its threads (dask worker ADDRESS --nthreads N)"
            )

    plan = None
    if resume_id:
        if selectors or tiers or agents or models or specialists or shard or from_run:
            fail(
                "--resume takes the stored plan of the batch; do not give scenarios, --tier, --agent, --model, "
                "--specialist, --shard or --from-run"
            )
    else:
        settings: dict[str, Any] = {"max_turns": max_turns, "max_tokens": max_tokens}
        for key, value in (("max_cost_usd", max_cost_usd), ("temperature", temperature), ("claude_bin", claude_bin)):
            if value is not None:
                settings[key] = value
        if replay_file is not None:
            settings["replay_file"] = str(replay_file.resolve())
        judge_settings = {"enabled": judge, "provider": judge_provider}
        if judge_model:
            judge_settings["model"] = judge_model
        try:
            plan, notes = plan_run(
                Catalog(suites_dir),
                list(selectors),
                tiers=list(tiers),
                agents=list(agents),
                models=list(models),
                agent_settings=settings,
                from_run=stored_run(db_path, from_run) if from_run else None,
                repeat=repeat,
                shard=_parse_shard(shard),
                timeout_seconds=timeout_seconds,
                command_timeout=command_timeout,
                judge_settings=judge_settings,
                agent_network=agent_network,
                limits=Limits(
                    processes=max_processes,
                    memory_bytes=max_memory_mb * 2**20,
                    file_size_bytes=max_file_size_mb * 2**20,
                ),
                check_environment=local,  # elsewhere, the workers' environment is checked by the executor
                specialists=_load_specialists(specialists) if specialists else None,
            )
        except (BatchError, CatalogError, ValueError) as exc:
            fail(str(exc))
        for line in notes:
            note(line)
    from ..report.progress import RichReporter

    submitter = None
    if submit_url:
        from ..constants import api_token
        from ..io.submit import Submitter

        submitter = Submitter(submit_url, api_token(), spool=spool, retries=submit_retries)
    if not resume_id:  # known before the batch starts, for the resume hint however early it is stopped
        from ..execution.runner import new_batch_id

        batch_id = batch_id or new_batch_id()
    reporter = RichReporter()
    try:
        executor = executor_cls.from_options(
            ExecutorOptions(
                concurrency=concurrency,
                address=scheduler,
                workers=dask_workers,
                resources=parse_resources(dask_resources) if dask_resources else None,
            ),
            log=lambda line: reporter.console.print(
                line,
                style="yellow" if line.startswith("warning") else None,
                highlight=False,
                markup=False,
                soft_wrap=True,
            ),
        )
    except ExecutorError as exc:
        fail(str(exc))
    # Until the batch's own handlers take over (and after), SIGTERM interrupts like Ctrl-C does.
    previous = {sig: signal.signal(sig, _raise_interrupt) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        _run_and_report(
            Store(db_path),
            plan,
            reporter=reporter,
            submitter=submitter,
            db_path=db_path,
            batch_id=batch_id,
            resume_id=resume_id,
            submit_url=submit_url,
            spool=spool,
            # the rest goes to run_batch as it is
            output=output,
            concurrency=concurrency,
            keep_workspaces=keep_workspaces,
            workspace_root=workspace_dir,
            sandbox=mode,
            executor=executor,
        )
    except _Interrupted as exc:  # while opening the database, before the batch started: nothing ran
        click.secho(
            f"\nInterrupted by {signal.Signals(exc.signum).name} before the batch started; nothing ran",
            fg="yellow",
            err=True,
        )
        sys.exit(128 + exc.signum)
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def _load_specialists(values: tuple[str, ...]) -> list[Any]:
    """``--specialist`` values: templates loaded and validated now (a bad one is exit 2, nothing written); ``none``
    runs without a specialist."""
    from ..run.specialist import SpecialistError, load_specialist

    loaded: list[Any] = []
    for value in values:
        if value.lower() == "none":
            loaded.append(None)
            continue
        try:
            loaded.append(load_specialist(Path(value)))
        except SpecialistError as exc:
            fail(f"--specialist: {exc}")
    return loaded


def _run_and_report(
    store: Store,
    plan: BatchPlan | None,
    *,
    reporter: RichReporter,
    submitter: Submitter | None,
    db_path: Path,
    batch_id: str | None,
    resume_id: str | None,
    submit_url: str | None,
    spool: Path,
    **batch_options: Any,
) -> None:
    """Run the batch (``batch_options`` go to run_batch), then print the summary or the interruption."""
    from ..execution.batch import BatchError, BatchInterrupted, run_batch_with_signals
    from ..execution.executors import ExecutorError
    from ..report.progress import print_summary

    def interrupted(exc: BatchInterrupted | KeyboardInterrupt, suffix: str = "") -> int:
        reporter.finish()
        signum = (
            exc.result.signal if isinstance(exc, BatchInterrupted) else getattr(exc, "signum", None)
        ) or signal.SIGINT
        if isinstance(exc, BatchInterrupted):
            bid, n = exc.result.batch.batch_id, len(exc.result.cancelled)
            what = (
                f"{n} run{'s' if n != 1 else ''} in flight recorded as cancelled, {exc.result.batch.total_runs} "
                f"of {exc.result.batch.expected_runs} stored"
            )
        else:
            bid, what = str(resume_id or batch_id), "completed runs are stored"
        click.secho(
            f"\nInterrupted by {signal.Signals(signum).name}: {what}{suffix}; finish with: "
            f"zebench run --resume {bid} --db {db_path}",
            fg="yellow",
            err=True,
        )
        return 128 + signum

    def forced(exc: BatchInterrupted) -> None:
        # A second signal: every run in flight is killed and written; leave without waiting for the removal of
        # their workspaces (zebench-* folders may be left in the temp dir).
        code = interrupted(exc, " (signalled again: not waiting for workspace removal)")
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)

    try:
        result = run_batch_with_signals(
            store,
            plan,
            batch_id=resume_id or batch_id,
            resume=bool(resume_id),
            reporter=reporter,
            submitter=submitter,
            on_forced=forced,
            **batch_options,
        )
    except BatchError as exc:
        store.close()
        fail(str(exc))
    except ExecutorError as exc:  # the cluster was lost mid-batch: what was stored stays
        reporter.finish()
        store.close()
        click.secho(f"Error: {exc}", fg="red", err=True)
        sys.exit(1)
    except (BatchInterrupted, KeyboardInterrupt) as exc:
        code = interrupted(exc)
        store.close()
        sys.exit(code)
    print_summary(store, result, db_path=db_path, output=result.output)
    store.close()
    if submitter is not None:
        click.echo(
            f"Submitted {submitter.delivered} runs to {submit_url}"
            + (
                f"; {submitter.spooled} kept in {spool} (deliver later with: zebench submit --spool {spool})"
                if submitter.spooled
                else ""
            )
        )
    if any(r.status in ("failed", "timeout") for r in result.records):
        sys.exit(1)
