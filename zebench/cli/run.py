"""``zebench run``: builds one RunRequest from its options and calls ``run_request`` (zebench.execution.request);
what it adds is the terminal: the progress bar, notes, the interruption messages, the summary and the exit status."""

from __future__ import annotations

import os
import signal
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from ..constants import (
    DEFAULT_MAX_FILE_SIZE_BYTES,
    DEFAULT_MAX_MEMORY_BYTES,
    DEFAULT_MAX_PROCESSES,
    DEFAULT_SPOOL,
    URL_ENVS,
    plural,
)
from .options import (
    CONTEXT_SETTINGS,
    concurrency_option,
    db_option,
    fail,
    note,
    option,
    sandbox_option,
    suites_dir_option,
    timeout_option,
    warn,
)

if TYPE_CHECKING:
    from ..execution.batch import BatchInterrupted, BatchResult
    from ..execution.request import RunRequest
    from ..report.progress import RichReporter


class _Shard(click.ParamType[tuple[int, int]]):
    """``--shard I/N`` as (I, N)."""

    name = "shard"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> tuple[int, int]:
        if isinstance(value, tuple):
            return value
        try:
            index, count = (int(x) for x in str(value).split("/"))
        except ValueError:
            self.fail(f"{value!r}: expected I/N, e.g. 2/4", param, ctx)
        if not 1 <= index <= count:
            self.fail(f"{value!r}: expected I/N with 1 <= I <= N", param, ctx)
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
@option("--resume", metavar="BATCH_ID", help="Run only the missing runs of a stored batch (same plan).")
@option("--shard", type=_Shard(), metavar="I/N", help="Run the I-th of N deterministic slices of the matrix (1-based).")
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
    "--from-db",
    type=click.Path(path_type=Path, dir_okay=False),
    metavar="PATH",
    help="The database --from-run reads the run from [default: --db]; the replay is stored in --db.",
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
@option(
    "--judge/--no-judge",
    default=True,
    show_default=True,
    help="Run the LLM judge on scenarios that enable it (its key is checked before the batch starts; "
    "ZEBENCH_RUN_JUDGE=0 makes --no-judge the default).",
)
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
@option(
    "--keep-workspaces",
    is_flag=True,
    help="Keep each run's workspace directory (its path is in the results file's telemetry; the database shows its "
    "name).",
)
@option(
    "--workspace-dir",
    type=click.Path(path_type=Path, file_okay=False),
    help="Where workspaces are created (default: the system temp dir), in a folder of the batch's own that a later "
    "batch removes if this one is killed.",
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
def run_command(list_agents: bool, **options: Any) -> None:
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
      zebench run --from-run RUN_ID --from-db data/zebench.db --db replays.db    replay it into another database
      zebench run fix-tests -t L1 -a oracle --executor dask   on a local Dask cluster (or --scheduler ADDRESS)

    Each --agent runs with each --model it can use (a cross-product): give agents of different providers
    their own `zebench run`. --specialist FILE (repeatable, `none` for without) crosses specialist templates the
    same way; their MCP servers start for each run (docs/agents.md). API keys come from the environment
    (ANTHROPIC_API_KEY, OPENROUTER_API_KEY) and are never stored; with --executor dask, from each worker's
    environment (docs/distributed.md). Check a suite you write with `zebench check` first.
    """
    if list_agents:
        _list_agents()
        return
    from ..execution.batch import BatchError, BatchInterrupted
    from ..execution.executors import ExecutorError
    from ..execution.request import RunRequest, run_request
    from ..report.progress import RichReporter

    request = RunRequest(**_from_command_line(options))
    reporter = RichReporter()

    def forced(exc: BatchInterrupted) -> None:
        # A second signal: every run in flight is killed and written; leave without waiting for the removal of
        # their workspaces (zebench-* folders may be left in the temp dir).
        code = _interrupted(exc, reporter, request, " (signalled again: not waiting for workspace removal)")
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)

    with _signals_interrupt():
        try:
            result = run_request(
                request,
                reporter=reporter,
                note=note,
                warn=warn,
                log=_log(reporter),
                on_forced=forced,
                keep_records=False,
            )
            _report(request, result)
        except BatchError as exc:
            fail(str(exc))
        except ExecutorError as exc:  # the cluster was lost mid-batch: what was stored stays
            reporter.finish()
            click.secho(f"Error: {exc}", fg="red", err=True)
            sys.exit(1)
        except (BatchInterrupted, KeyboardInterrupt) as exc:
            sys.exit(_interrupted(exc, reporter, request))


def _list_agents() -> None:
    from ..agents import agent_class, available_agents

    for name in available_agents():
        cls = agent_class(name)
        click.echo(f"{name:12} {cls.description}{'  (uses --model)' if cls.uses_model else ''}")


def _from_command_line(options: dict[str, Any]) -> dict[str, Any]:
    """The options as the request takes them. Where a value came from matters twice: ZEBENCH_SCHEDULER is for
    --executor dask (a local run ignores it, but not --scheduler), and --concurrency on the command line
    contradicts --scheduler (ZEBENCH_CONCURRENCY does not)."""
    source = click.get_current_context().get_parameter_source

    def given(name: str) -> bool:
        return source(name) == click.core.ParameterSource.COMMANDLINE

    if options["executor"] == "local":
        if options["scheduler"] is not None and given("scheduler"):
            fail("--scheduler needs --executor dask")
        options["scheduler"] = None
    elif options["scheduler"] is not None and given("concurrency"):
        fail(
            "--concurrency sets the slots of the workers of a local cluster; with --scheduler each worker's "
            "slots are its threads (dask worker ADDRESS --nthreads N)"
        )
    return options


@contextmanager
def _signals_interrupt() -> Iterator[None]:
    """SIGTERM interrupts like Ctrl-C does, outside the batch's own handling of both (before and after it)."""
    previous = {sig: signal.signal(sig, _raise_interrupt) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def _log(reporter: RichReporter) -> Callable[[str], None]:
    """The executor's lines, printed above the progress bar."""

    def log(line: str) -> None:
        style = "yellow" if line.startswith("warning") else None
        reporter.console.print(line, style=style, highlight=False, markup=False, soft_wrap=True)

    return log


def _interrupted(
    exc: BatchInterrupted | KeyboardInterrupt, reporter: RichReporter, request: RunRequest, suffix: str = ""
) -> int:
    """Says what an interruption kept and how to finish the batch; returns the exit status (128 + the signal)."""
    from ..execution.batch import BatchInterrupted

    reporter.finish()
    signum = (exc.result.signal if isinstance(exc, BatchInterrupted) else getattr(exc, "signum", None)) or signal.SIGINT
    name = signal.Signals(signum).name
    if isinstance(exc, BatchInterrupted):
        bid, n = exc.result.batch.batch_id, len(exc.result.cancelled)
        what = (
            f"{n} run{'s' if n != 1 else ''} in flight recorded as cancelled, {exc.result.batch.total_runs} "
            f"of {exc.result.batch.expected_runs} stored"
        )
    elif reporter.batch_id is None:
        click.secho(f"\nInterrupted by {name} before the batch started; nothing ran", fg="yellow", err=True)
        return 128 + signum
    else:
        bid, what = reporter.batch_id, "completed runs are stored"
    click.secho(
        f"\nInterrupted by {name}: {what}{suffix}; finish with: zebench run --resume {bid} --db {request.db_path}",
        fg="yellow",
        err=True,
    )
    return 128 + signum


def _report(request: RunRequest, result: BatchResult) -> None:
    """The summary, what was submitted, and exit status 1 when a run failed or timed out."""
    from ..report.progress import print_summary
    from ..store import Store

    with Store(request.db_path) as store:
        print_summary(store, result, db_path=request.db_path, output=result.output)
    if request.submit_url:
        spool = request.spool
        click.echo(
            f"Submitted {plural(result.submitted, 'run')} to {request.submit_url}"
            + (
                f"; {result.spooled} kept in {spool} (deliver later with: zebench submit --spool {spool})"
                if result.spooled
                else ""
            )
        )
    if result.statuses.get("failed") or result.statuses.get("timeout"):
        sys.exit(1)
