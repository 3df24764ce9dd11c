"""The ``zebench`` command line: a thin click layer, each command calling one library function.

Exit codes: 0 success; 1 a finished job with failed runs (status failed or timeout; an unsuccessful score is not
a failure), a scenario that fails `check`, or nothing matching a listing's filters; 2 bad usage or bad input
(nothing was run or written); 130 interrupted by SIGINT (Ctrl-C) and 143 by SIGTERM (resume with --resume).
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from . import __version__
from .catalog import Catalog, CatalogError, new_scenario, new_suite, scaffold_dir
from .processes import DEFAULT_MAX_FILE_SIZE_BYTES, DEFAULT_MAX_MEMORY_BYTES, DEFAULT_MAX_PROCESSES, Limits

if TYPE_CHECKING:
    from .batch import BatchPlan
    from .progress import RichReporter
    from .store import Store
    from .submit import Submitter

CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"], "max_content_width": 110}
DEFAULT_DB = Path("data/zebench.db")


def fail(message: str) -> None:
    click.secho(f"Error: {message}", fg="red", err=True)
    sys.exit(2)


def suites_dir_option(f: Any) -> Any:
    return click.option(
        "--suites-dir", type=click.Path(path_type=Path, file_okay=False), envvar="ZEBENCH_SUITES_DIR",
        default=None, show_envvar=True,
        help="Directory holding <suite>/scenarios/<scenario>/ and <suite>/prompts/<scenario>/ "
             "[default: ./data/suites or ./suites when present, else the suites bundled with zebench].",
    )(f)


def db_option(f: Any) -> Any:
    return click.option(
        "--db", "db_path", type=click.Path(path_type=Path, dir_okay=False), envvar="ZEBENCH_DB",
        default=DEFAULT_DB, show_default=True, show_envvar=True, help="SQLite database file.",
    )(f)


@click.group(context_settings=CONTEXT_SETTINGS)
@click.version_option(__version__, "-V", "--version", prog_name="zebench")
def main() -> None:
    """zebench: run AI coding agents on benchmark scenarios and store every run in SQLite.

    \b
    Quick start (offline, no API key):
      zebench list                         suites, scenarios and their tiers
      zebench run --agent echo --agent oracle
      zebench leaderboard
      sqlite3 data/zebench.db 'select agent, model, count(*), sum(successful) from runs_counted group by agent, model'

    \b
    Writing a suite:
      zebench new-suite my-suite
      zebench new-scenario my-suite fix-the-parser
      zebench check my-suite
    """


# --------------------------------------------------------------------------------------------------------------
# list / scaffolding
# --------------------------------------------------------------------------------------------------------------


@main.command("list")
@suites_dir_option
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@click.option("--strict", is_flag=True, help="Treat warnings (unknown keys, unknown evaluator weights...) as errors.")
def list_command(suites_dir: Path | None, as_json: bool, strict: bool) -> None:
    """List suites, scenarios and the tiers each scenario has prompts for.

    Every scenario.yaml is loaded and validated. Keys zebench does not know are warnings that name the file, the
    key and the nearest known key (--strict: errors). Every broken file is reported with its path and key path,
    then the command exits with status 2.
    """
    catalog = Catalog(suites_dir, strict=strict)
    try:
        scenarios, errors = catalog.load_all()
    except CatalogError as exc:
        fail(str(exc))
    if as_json:
        click.echo(json.dumps([
            {"suite": s.suite, "scenario": s.name, "id": s.spec.id, "title": s.spec.title, "tiers": s.tiers,
             "tierDescriptions": {t: p.description for t in s.tiers if (p := s.tier_policy(t)) and p.description},
             "difficulty": s.spec.difficulty, "tags": s.spec.tags, "estimatedTime": s.spec.estimated_time,
             "workspace": s.spec.needs_workspace, "artifact": s.spec.artifact.fields() if s.spec.artifact else None,
             "baselineCommands": [c.cmd for c in s.spec.baseline.run],
             "hasSolution": s.has_solution, "warnings": s.warnings}
            for s in scenarios
        ], indent=2))
    else:
        from rich.console import Console
        from rich.table import Table

        table = Table(title=f"Suites in {catalog.root}", show_lines=False)
        for col in ("suite", "scenario", "tiers", "difficulty", "title", "warnings"):
            table.add_column(col)
        for s in scenarios:
            table.add_row(s.suite, s.name, " ".join(s.tiers), s.spec.difficulty or "", s.spec.title or "",
                          f"[yellow]{len(s.warnings)}[/]" if s.warnings else "")
        console = Console()
        console.print(table)
        for s in scenarios:
            for warning in s.warnings:
                console.print(f"[yellow]warning:[/] {s.dir / 'scenario.yaml'}: {warning}", soft_wrap=True,
                              markup=True, highlight=False)
        suites = len({s.suite for s in scenarios})
        console.print(f"{suites} suites, {len(scenarios)} scenarios, {sum(len(s.tiers) for s in scenarios)} prompts"
                      + (f", {len(errors)} broken scenario files" if errors else ""))
    if errors:
        for exc in errors:
            click.secho(f"Error: {exc}", fg="red", err=True)
        sys.exit(2)


@main.command("new-suite")
@click.argument("name")
@suites_dir_option
def new_suite_command(name: str, suites_dir: Path | None) -> None:
    """Create an empty suite NAME (kebab-case) with scenarios/ and prompts/ folders (in ./data/suites unless
    ./suites exists or --suites-dir says otherwise); add scenarios with `zebench new-scenario NAME SCENARIO`.

    \b
    Examples:
      zebench new-suite my-suite
    """
    try:
        path = new_suite(suites_dir or scaffold_dir(), name)
    except CatalogError as exc:
        fail(str(exc))
    click.echo(f"Created suite {path}. Add a scenario: zebench new-scenario {name} SCENARIO")


@main.command("new-scenario")
@click.argument("suite")
@click.argument("name")
@suites_dir_option
def new_scenario_command(suite: str, name: str, suites_dir: Path | None) -> None:
    """Scaffold scenario NAME in SUITE: a working example to replace with your task.

    It creates scenario.yaml (commented with what to replace), repo-fixture/ (a tiny Python module with a failing
    test), solution/ (the fix), checks/ (a hidden check script), oracle-answers.json and prompts L0-L2 that
    describe the task. As created it passes `zebench check SUITE/NAME`: the oracle scores 10/10, echo fails.

    \b
    Examples:
      zebench new-suite my-suite
      zebench new-scenario my-suite fix-the-parser
      zebench check my-suite/fix-the-parser
    """
    root = suites_dir or scaffold_dir()
    try:
        path = new_scenario(root, suite, name)
    except CatalogError as exc:
        fail(str(exc))
    where = f" --suites-dir {root}" if suites_dir else ""
    click.echo(f"Created {path}: a working example (word_count with a failing test) to replace with your task.\n"
               f"  scenario.yaml   the task, its commands and checks; its comments say what to replace\n"
               f"  repo-fixture/   the starting repository; solution/ the solved files; checks/ hidden checks\n"
               f"  prompts         {root / suite / 'prompts' / name}/L0-minimal.md, L1-basic.md, L2-directed.md\n"
               f"It passes as created; check your changes with: zebench check {suite}/{name}{where}")


# --------------------------------------------------------------------------------------------------------------
# check
# --------------------------------------------------------------------------------------------------------------


def _sandbox_mode(requested: str) -> str:
    """The sandbox commands will run in (``--sandbox``), warning when auto falls back to none; exit 2 when the
    requested one cannot be used."""
    from .processes import become_subreaper
    from .sandbox import SandboxError, resolve_mode

    try:
        mode, warning = resolve_mode(requested)
    except SandboxError as exc:
        fail(str(exc))
    if warning:
        click.secho(warning, fg="yellow", err=True)
    if mode == "none":
        become_subreaper()  # orphans of a command whose reaper was killed come here and are killed
    return mode


class _CheckProgress:
    """One line per finished run on stderr (a batch Reporter)."""

    def __init__(self) -> None:
        self.done = 0

    def start(self, batch_id: str, total: int, already_done: int) -> None: ...

    def run_started(self, key: Any) -> None: ...

    def run_finished(self, record: Any) -> None:
        self.done += 1
        score = "-" if record.weighted_score is None else f"{record.weighted_score:.1f}/10"
        outcome = ("successful" if record.is_successful else "unsuccessful") if record.status in ("completed",
                                                                                                    "budget_exceeded") \
            else record.status
        click.echo(f"  {record.suite}/{record.scenario} {record.agent}: {score} {outcome}", err=True)

    def finish(self) -> None: ...


@main.command("check")
@click.argument("selectors", nargs=-1, metavar="[SUITE[/SCENARIO]]...")
@click.option("--repeat", "-n", default=2, show_default=True, type=click.IntRange(1), help="Runs of the baseline, echo and the oracle per scenario (flaky checks show up as different outcomes).")
@click.option("--tier", "-t", "tiers", multiple=True, help="Tier every scenario must have a prompt for; repeatable. Default: the tiers of the suite's prompts/policy.yaml, if any.")
@click.option("--slow-seconds", type=click.FloatRange(min=0, min_open=True), default=60.0, show_default=True, help="A validation or baseline command slower than this (or than half its time limit) is a problem.")
@click.option("--db", "db_path", type=click.Path(path_type=Path, dir_okay=False), default=None, help="Keep the runs in this database. Default: a temporary database, removed after the check (data/zebench.db and ZEBENCH_DB are never written).")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@click.option("--concurrency", "-j", default=4, show_default=True, type=click.IntRange(1), envvar="ZEBENCH_CONCURRENCY", show_envvar=True, help="Runs at once.")
@click.option("--timeout", "timeout_seconds", type=click.FloatRange(min=0, min_open=True), help="Per-run timeout in seconds, overriding each scenario's timeout_minutes.")
@click.option("--sandbox", type=click.Choice(["auto", "bwrap", "none"]), default="auto", show_default=True, envvar="ZEBENCH_SANDBOX", show_envvar=True, help="Where commands run, as for `zebench run` (docs/security.md).")
@suites_dir_option
def check_command(selectors: tuple[str, ...], repeat: int, tiers: tuple[str, ...], slow_seconds: float,
                  db_path: Path | None, as_json: bool, concurrency: int, timeout_seconds: float | None, sandbox: str,
                  suites_dir: Path | None) -> None:
    """Check that scenarios are ready to ship: the reference solution passes, doing nothing fails, the checks
    are deterministic.

    For each scenario (every one when none is given): its scenario.yaml is validated as `zebench list --strict`
    does; its prompts (one per expected tier, none empty, no misnamed file) and its solution (not empty, not
    equal to the fixture) are inspected; then the baseline commands, the echo agent and the oracle (when there
    is a solution) run --repeat times. A problem is reported when the oracle is not successful at 10/10 every
    time (with the evaluator or check that fell short and its message), when echo is successful, when a
    validation command, heuristic check or baseline command gives different outcomes across repeats (flaky),
    or when a command is slow. The LLM judge is not run.

    The runs go to a temporary database, removed afterwards, unless --db says where to keep them: a check never
    writes data/zebench.db.

    \b
    Exit status: 0 when every scenario passes; 1 when any has a problem; 2 bad usage (an unknown suite or
    scenario: nothing ran); 130/143 interrupted.

    \b
    Examples:
      zebench check                                      every scenario of every suite
      zebench check fix-tests/csv-export-quoting -n 3    one scenario, three runs of each agent
      zebench check refactor --json                      a suite, the report as JSON
    """
    import tempfile

    from .batch import BatchInterrupted, StopRequest, stop_on_signals
    from .check import check_scenarios
    from .store import Store

    sandbox_mode = _sandbox_mode(sandbox)
    catalog = Catalog(suites_dir)
    try:
        catalog.select_keys(list(selectors))
    except CatalogError as exc:
        fail(str(exc))

    async def checked(store: Store) -> Any:
        stop = StopRequest()
        with stop_on_signals(stop):
            return await check_scenarios(
                catalog, list(selectors), store, repeat=repeat, tiers=list(tiers), slow_seconds=slow_seconds,
                concurrency=concurrency, sandbox=sandbox_mode, timeout_seconds=timeout_seconds,
                database=str(db_path) if db_path else None, reporter=_CheckProgress(), stop=stop,
            )

    with tempfile.TemporaryDirectory(prefix="zebench-check-") as tmp:
        try:
            with Store(db_path or Path(tmp) / "check.db") as store:
                report = asyncio.run(checked(store))
        except BatchInterrupted as exc:
            signum = exc.result.signal or signal.SIGINT
            click.secho(f"\nInterrupted by {signal.Signals(signum).name}: the check did not finish", fg="yellow",
                        err=True)
            sys.exit(128 + signum)
    if as_json:
        click.echo(json.dumps(report.to_json(), indent=2))
    else:
        _print_check(report)
    if not report.ok:
        sys.exit(1)


def _print_check(report: Any) -> None:
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    from .check import PROBLEM_KINDS

    console = Console()
    if not console.is_terminal:
        console = Console(width=160)
    table = Table(title=f"zebench check ({report.repeat} run{'s' if report.repeat != 1 else ''} of each agent)")
    for col in ("scenario", *PROBLEM_KINDS, "result"):
        table.add_column(col)

    def scores(check: Any, agent: str) -> str:
        runs = [r for r in check.runs if r.agent == agent]
        if not runs:
            return "-"
        return " ".join("-" if r.weighted_score is None else f"{r.weighted_score:.1f}" for r in runs)

    for check in report.scenarios:
        cells = []
        for kind in PROBLEM_KINDS:
            problems = check.problems_of(kind)
            mark = f"✗{len(problems) if len(problems) > 1 else ''}"
            if kind in ("oracle", "echo"):
                text = scores(check, kind)
            elif kind == "baseline":
                text = ", ".join(dict.fromkeys(f"{b.kind} {b.status}" for b in check.baseline)) or "-"
            elif kind == "solution" and not problems and not any(r.agent == "oracle" for r in check.runs):
                text = "-"  # none, or not run (a problem or a note says why)
            else:
                text = ""
            cells.append(f"[red]{escape(text)} {mark}[/]".replace("[red] ", "[red]") if problems
                         else escape(text or "ok"))
        result = "[green]ok[/]" if check.ok else f"[red]{len(check.problems)} problem{'s' if len(check.problems) > 1 else ''}[/]"
        table.add_row(escape(check.key), *cells, result)
    console.print(table)
    for check in report.scenarios:
        if not check.problems and not check.notes:
            continue
        console.print(f"[bold]{escape(check.key)}[/]", highlight=False)
        for problem in check.problems:
            text = problem.message.replace("\n", "\n      ")
            console.print(f"  [red]{problem.kind}:[/] {escape(text)}", highlight=False, soft_wrap=True)
        for note in check.notes:
            console.print(f"  [dim]note: {escape(note)}[/]", highlight=False, soft_wrap=True)
    failing = sum(not c.ok for c in report.scenarios)
    where = f"runs stored in {report.database}" if report.database else \
        "runs were made in a temporary database, now removed (--db keeps them)"
    console.print(f"{len(report.scenarios)} scenario{'s' if len(report.scenarios) != 1 else ''} checked: "
                  + (f"[red]{failing} with problems[/]" if failing else "[green]all ready[/]") + f"; {where}",
                  highlight=False)


# --------------------------------------------------------------------------------------------------------------
# run
# --------------------------------------------------------------------------------------------------------------


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


def _stored_run(db_path: Path, run_id: str) -> Any:
    from .store import Store

    if not db_path.exists():
        fail(f"--from-run: database {db_path} does not exist")
    with Store(db_path) as store:
        record = store.get_run(run_id)
    if record is None:
        fail(f"--from-run: no run {run_id!r} in {db_path}")
    return record


@main.command("run", context_settings=CONTEXT_SETTINGS)
@click.argument("selectors", nargs=-1, metavar="[SUITE[/SCENARIO]]...")
@click.option("--tier", "-t", "tiers", multiple=True, help="Tier to run (L0..L3, Lx); repeatable. Default: every tier with a prompt.")
@click.option("--agent", "-a", "agents", multiple=True, help="Agent to run; repeatable. Default: echo. See --list-agents.")
@click.option("--model", "-m", "models", multiple=True, help="Model for agents that use one; repeatable.")
@click.option("--repeat", "-n", default=1, show_default=True, type=click.IntRange(1), help="Runs per matrix cell.")
@click.option("--concurrency", "-j", default=4, show_default=True, type=click.IntRange(1), envvar="ZEBENCH_CONCURRENCY", show_envvar=True, help="Runs at once.")
@db_option
@click.option("--output", "-o", type=click.Path(path_type=Path, dir_okay=False), help="Also append each run record as a JSON line to this file (kept with the batch: --resume appends to it).")
@click.option("--batch-id", help="Id of the new batch (default: batch-<ms>-<random>).")
@click.option("--resume", "resume_id", metavar="BATCH_ID", help="Run only the missing runs of a stored batch (same plan).")
@click.option("--shard", metavar="I/N", help="Run the I-th of N deterministic slices of the matrix (1-based).")
@click.option("--timeout", "timeout_seconds", type=click.FloatRange(min=0, min_open=True), help="Per-run timeout in seconds, overriding each scenario's timeout_minutes.")
@click.option("--command-timeout", default=60.0, show_default=True, type=click.FloatRange(min=0, min_open=True), help="Time limit of each runCommand tool call, in seconds.")
@click.option("--replay-file", type=click.Path(path_type=Path, dir_okay=False, exists=True), help="Tool calls for the replay agent (JSON array or JSON Lines).")
@click.option("--from-run", metavar="RUN_ID", help="Replay a stored run's tool calls on a fresh workspace (implies --agent replay and the run's scenario and tier unless given).")
@click.option("--max-turns", type=click.IntRange(1), default=50, show_default=True, help="Model calls per run for the model-backed agents.")
@click.option("--max-tokens", type=click.IntRange(1), default=8192, show_default=True, help="max_tokens of each model call.")
@click.option("--max-cost-usd", type=click.FloatRange(min=0, min_open=True), help="Stop a run's agent once its cost exceeds this (status budget_exceeded; still scored).")
@click.option("--temperature", type=click.FloatRange(0, 2), help="Sampling temperature (default: the provider's; 0.1 for openrouter).")
@click.option("--claude-bin", envvar="ZEBENCH_CLAUDE_BIN", show_envvar=True, help="Claude Code executable for --agent claude-code (default: claude on PATH).")
@click.option("--judge/--no-judge", default=True, show_default=True, help="Run the LLM judge on scenarios that enable it.")
@click.option("--judge-provider", type=click.Choice(["auto", "anthropic", "openrouter"]), default="auto", show_default=True, help="API the LLM judge calls (auto: OpenRouter for vendor/model ids such as anthropic/claude-3.5-sonnet, else Anthropic).")
@click.option("--judge-model", help="Judge model for every scenario (default: each scenario's llm_judge.model, else claude-sonnet-4-6).")
@click.option("--keep-workspaces", is_flag=True, help="Keep each run's workspace directory (its path is in the telemetry).")
@click.option("--workspace-dir", type=click.Path(path_type=Path, file_okay=False), help="Where workspaces are created (default: the system temp dir).")
@click.option("--submit", "submit_url", envvar="ZE_BENCHMARKS_WORKER_URL", show_envvar=True, metavar="URL", help="Also POST each run to URL/api/results (token: ZE_BENCHMARKS_API_KEY); undeliverable runs go to --spool.")
@click.option("--spool", type=click.Path(path_type=Path, dir_okay=False), default=Path("data/submit-spool.jsonl"), show_default=True, help="Where runs that could not be submitted wait for `zebench submit`.")
@click.option("--submit-retries", type=click.IntRange(0), default=4, show_default=True, help="Retries of a failed submission (exponential backoff from 0.5 s).")
@click.option("--sandbox", type=click.Choice(["auto", "bwrap", "none"]), default="auto", show_default=True, envvar="ZEBENCH_SANDBOX", show_envvar=True, help="Where commands run: bwrap (bubblewrap: workspace only, no network for agent commands), none (no isolation), auto (bwrap where it works, else none with a warning). See docs/security.md.")
@click.option("--agent-network/--no-agent-network", default=False, show_default=True, help="Give agent commands the network (validation always has it). All or nothing: no host filter.")
@click.option("--max-processes", type=click.IntRange(1), default=DEFAULT_MAX_PROCESSES, show_default=True, help="Processes (tasks) a command may run at once (RLIMIT_NPROC; see docs/security.md for root).")
@click.option("--max-memory-mb", type=click.IntRange(1), default=DEFAULT_MAX_MEMORY_BYTES // 2**20, show_default=True, help="Heap and private memory of each process of a command, in MiB (RLIMIT_DATA).")
@click.option("--max-file-size-mb", type=click.IntRange(1), default=DEFAULT_MAX_FILE_SIZE_BYTES // 2**20, show_default=True, help="Largest file a command may write, in MiB (RLIMIT_FSIZE).")
@click.option("--list-agents", is_flag=True, help="List the available agents and exit.")
@suites_dir_option
def run_command(
    selectors: tuple[str, ...], tiers: tuple[str, ...], agents: tuple[str, ...], models: tuple[str, ...],
    repeat: int, concurrency: int, db_path: Path, output: Path | None, batch_id: str | None,
    resume_id: str | None, shard: str | None, timeout_seconds: float | None, command_timeout: float,
    replay_file: Path | None, from_run: str | None, max_turns: int, max_tokens: int, max_cost_usd: float | None,
    temperature: float | None, claude_bin: str | None, judge: bool, judge_provider: str, judge_model: str | None,
    keep_workspaces: bool, workspace_dir: Path | None, submit_url: str | None, spool: Path, submit_retries: int,
    sandbox: str, agent_network: bool, max_processes: int, max_memory_mb: int, max_file_size_mb: int,
    list_agents: bool, suites_dir: Path,
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

    Each --agent runs with each --model it can use (a cross-product): give agents of different providers
    their own `zebench run`. API keys come from the environment (ANTHROPIC_API_KEY, OPENROUTER_API_KEY) and are
    never stored. Check a suite you write with `zebench check` first.
    """
    from .agents import available_agents

    if list_agents:
        from .agents import agent_class

        for name in available_agents():
            cls = agent_class(name)
            click.echo(f"{name:12} {cls.description}{'  (uses --model)' if cls.uses_model else ''}")
        return
    from .batch import BatchError, make_plan
    from .store import Store

    sandbox_mode = _sandbox_mode(sandbox)

    plan = None
    if resume_id:
        if selectors or tiers or agents or models or shard or from_run:
            fail("--resume takes the stored plan of the batch; do not give scenarios, --tier, --agent, --model, "
                 "--shard or --from-run")
    else:
        settings: dict[str, Any] = {"max_turns": max_turns, "max_tokens": max_tokens}
        for key, value in (("max_cost_usd", max_cost_usd), ("temperature", temperature), ("claude_bin", claude_bin)):
            if value is not None:
                settings[key] = value
        if replay_file is not None:
            settings["replay_file"] = str(replay_file.resolve())
        if from_run:
            source = _stored_run(db_path, from_run)
            settings["replay_calls"] = [{"name": c.name, "input": c.input} for c in source.transcript.tool_calls] \
                if source.transcript else []
            settings["replayed_run"] = from_run
            agents = agents or ("replay",)
            if not selectors:
                selectors, tiers = (f"{source.suite}/{source.scenario}",), tiers or (source.tier,)
        judge_settings = {"enabled": judge, "provider": judge_provider}
        if judge_model:
            judge_settings["model"] = judge_model
        try:
            plan, notes = make_plan(
                Catalog(suites_dir), list(selectors), tiers=list(tiers), agents=list(agents) or ["echo"],
                models=list(models), repeat=repeat, shard=_parse_shard(shard), timeout_seconds=timeout_seconds,
                command_timeout=command_timeout, agent_settings=settings, judge_settings=judge_settings,
                agent_network=agent_network, limits=Limits(processes=max_processes,
                                                            memory_bytes=max_memory_mb * 2**20,
                                                            file_size_bytes=max_file_size_mb * 2**20),
            )
        except (BatchError, CatalogError, ValueError) as exc:
            fail(str(exc))
        for note in notes:
            click.secho(f"note: {note}", fg="yellow", err=True)
    from .progress import RichReporter

    submitter = None
    if submit_url:
        from .submit import TOKEN_ENV, Submitter

        submitter = Submitter(submit_url, os.environ.get(TOKEN_ENV), spool=spool, retries=submit_retries)
    if not resume_id:  # known before the batch starts, for the resume hint however early it is stopped
        from .runner import new_batch_id

        batch_id = batch_id or new_batch_id()
    reporter = RichReporter()
    # Until the batch's own handlers take over (and after), SIGTERM interrupts like Ctrl-C does.
    previous = {sig: signal.signal(sig, _raise_interrupt) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        _run_and_report(
            Store(db_path), plan, reporter=reporter, submitter=submitter, db_path=db_path, batch_id=batch_id,
            resume_id=resume_id, submit_url=submit_url, spool=spool,
            # the rest goes to run_batch as it is
            output=output, concurrency=concurrency, keep_workspaces=keep_workspaces, workspace_root=workspace_dir,
            sandbox=sandbox_mode,
        )
    except _Interrupted as exc:  # while opening the database, before the batch started: nothing ran
        click.secho(f"\nInterrupted by {signal.Signals(exc.signum).name} before the batch started; nothing ran",
                    fg="yellow", err=True)
        sys.exit(128 + exc.signum)
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def _run_and_report(store: Store, plan: BatchPlan | None, *, reporter: RichReporter, submitter: Submitter | None,
                    db_path: Path, batch_id: str | None, resume_id: str | None, submit_url: str | None,
                    spool: Path, **batch_options: Any) -> None:
    """Run the batch (``batch_options`` go to run_batch), then print the summary or the interruption."""
    from .batch import BatchError, BatchInterrupted, run_batch_with_signals
    from .progress import print_summary

    def interrupted(exc: BatchInterrupted | KeyboardInterrupt, note: str = "") -> int:
        reporter.finish()
        signum = (exc.result.signal if isinstance(exc, BatchInterrupted) else getattr(exc, "signum", None)) \
            or signal.SIGINT
        if isinstance(exc, BatchInterrupted):
            bid, n = exc.result.batch.batch_id, len(exc.result.cancelled)
            what = f"{n} run{'s' if n != 1 else ''} in flight recorded as cancelled, {exc.result.batch.total_runs} " \
                   f"of {exc.result.batch.expected_runs} stored"
        else:
            bid, what = str(resume_id or batch_id), "completed runs are stored"
        click.secho(f"\nInterrupted by {signal.Signals(signum).name}: {what}{note}; finish with: "
                    f"zebench run --resume {bid} --db {db_path}", fg="yellow", err=True)
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
            store, plan, batch_id=resume_id or batch_id, resume=bool(resume_id), reporter=reporter,
            submitter=submitter, on_forced=forced, **batch_options,
        )
    except BatchError as exc:
        store.close()
        fail(str(exc))
    except (BatchInterrupted, KeyboardInterrupt) as exc:
        code = interrupted(exc)
        store.close()
        sys.exit(code)
    print_summary(store, result, db_path=db_path, output=result.output)
    store.close()
    if submitter is not None:
        click.echo(f"Submitted {submitter.delivered} runs to {submit_url}"
                   + (f"; {submitter.spooled} kept in {spool} (deliver later with: zebench submit --spool {spool})"
                      if submitter.spooled else ""))
    if any(r.status in ("failed", "timeout") for r in result.records):
        sys.exit(1)


# --------------------------------------------------------------------------------------------------------------
# serve
# --------------------------------------------------------------------------------------------------------------


@main.command("serve")
@db_option
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on (0.0.0.0 for all).")
@click.option("--port", default=8001, show_default=True, type=click.IntRange(0, 65535), help="Port to listen on.")
@click.option("--immutable", is_flag=True, help="Serve read-only: writes refused, exact counts, safe long caching.")
@click.option("--create", is_flag=True, help="Create the database when it does not exist (otherwise a missing file is an error).")
@click.option("--site", "site", is_flag=False, flag_value="site", default=None, metavar="[DIR]",
              type=click.Path(file_okay=False, path_type=Path),
              help="Also build the report site into DIR (default: site) and serve it at /-/site/; its pages refresh "
                   "from the live API while a batch runs.")
def serve_command(db_path: Path, host: str, port: int, immutable: bool, create: bool, site: Path | None) -> None:
    """Serve the database with Datasette: the JSON API and Datasette's table and SQL pages.

    \b
    /api/* answers in the original ze-benchmarks shapes (its dashboard and client work unchanged);
    /api/v2/* in zebench's richer ones. A missing --db file is an error unless --create.
    Reads are public. POST /api/results and /api/results/batch need
    Authorization: Bearer <token> with the token in ZE_BENCHMARKS_API_KEY on the server
    (the same variable `zebench run --submit` uses); without it, writes are refused.
    The API is described at /api/openapi.json (also docs/openapi.json).
    With --site, the report site is built (incrementally) and served at /-/site/: the
    local development setup of the original (dashboard and API in one command).
    """
    from .serve import NoDatabase, serve
    from .site import SiteError

    try:
        serve(db_path, host, port, immutable=immutable, create=create, site=site, say=click.echo)
    except (NoDatabase, SiteError) as exc:
        fail(str(exc))


# --------------------------------------------------------------------------------------------------------------
# build-site
# --------------------------------------------------------------------------------------------------------------


@main.command("build-site")
@db_option
@click.option("--out", "out_dir", type=click.Path(path_type=Path, file_okay=False), default=Path("site"),
              show_default=True, help="Folder to write the site into (netlify.toml publishes site/).")
@click.option("--base-url", metavar="URL", help="Public URL the site is served from (canonical links and sitemap.xml); "
              "pages link relatively, so it is optional.")
@click.option("--full", is_flag=True, help="Rebuild every file, not only what changed since the last build.")
@click.option("--quiet", "-q", is_flag=True, help="Print only errors.")
def build_site_command(db_path: Path, out_dir: Path, base_url: str | None, full: bool, quiet: bool) -> None:
    """Build the static report site and the static JSON mirror of the API from the database.

    \b
    Pages: dashboard, runs (filter, sort, search), run view, batches, agents, scenarios,
    evaluators, costs, compare; charts drawn by a local copy of Vega (no request leaves the
    site; it works from file:// and any static host). site/api/ holds the API's JSON shapes.
    Incremental: only the files whose data changed are rewritten; --full forces all.
    Deploying: docs/deploy.md.
    """
    from .site import SiteError, build_site

    progress = None if quiet else (lambda step: click.echo(f"  {step}...", err=True))
    try:
        report = build_site(db_path, out_dir, base_url=base_url, full=full, progress=progress)
    except SiteError as exc:
        fail(str(exc))
    if not quiet:
        index = (report.out / "index.html").resolve()
        click.echo(f"Built {report.out}/ in {report.seconds:.1f} s from {report.runs:,} runs and {report.batches:,} "
                   f"batches: {len(report.written):,} files written, {report.unchanged:,} unchanged, "
                   f"{len(report.removed):,} removed ({'full' if report.full else 'incremental'} build); "
                   f"{report.files:,} files, {report.bytes / 1e6:.1f} MB.")
        click.echo(f"Open {index.as_uri()} in a browser, or serve the folder: "
                   f"python -m http.server -d {report.out} 8000")


# --------------------------------------------------------------------------------------------------------------
# ingest
# --------------------------------------------------------------------------------------------------------------


@main.command("ingest")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@db_option
@click.option("--skip-invalid", is_flag=True, help="Store the valid records of files that have bad ones (default: such a file is not loaded at all).")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
def ingest_command(paths: tuple[Path, ...], db_path: Path, skip_invalid: bool, as_json: bool) -> None:
    """Merge result files (JSONL from `zebench run --output`, JSON arrays, original-format payloads) into the database.

    Folders are searched for *.jsonl and *.json. Every bad record is reported as file:line with its reason (not
    JSON, a value out of range such as an integer beyond 64 bits or NaN, nesting too deep, a lone surrogate, a
    field the record refuses) and reading goes on with the next record and the next file. Each file is
    all-or-nothing: a file with a bad record is not loaded (nothing of it is written), unless --skip-invalid,
    which stores its valid records. A truncated last line (a writer that crashed) is reported and skipped.
    Secrets are redacted from every record stored.

    Each file and the whole ingest say how many runs were new, updated (a run with the same runId stored
    before with other content: rewritten) and unchanged (already stored exactly so: left alone, so re-ingesting
    the same files changes nothing), and how many records were rejected.

    \b
    Exit status: 0 when everything was stored, or with --skip-invalid when only bad records were skipped;
    1 when a file was left out or a last line was cut (without --skip-invalid), or when a file could not be
    read or stored, or no record was valid at all; 2 when a path does not exist.

    \b
    Examples:
      zebench run fix-tests -a oracle --shard 1/2 -o shard-1.jsonl --db shard-1.db    on one machine
      zebench run fix-tests -a oracle --shard 2/2 -o shard-2.jsonl --db shard-2.db    on another
      zebench ingest shard-1.jsonl shard-2.jsonl         both into data/zebench.db: every run new
      zebench ingest . --skip-invalid --json             every *.jsonl and *.json below .: all unchanged now
    """
    from .ingest import IngestError, expand, ingest_paths
    from .store import Store

    try:
        expand(list(paths))
    except IngestError as exc:
        fail(str(exc))
    with Store(db_path) as store:
        report = ingest_paths(store, list(paths), skip_invalid=skip_invalid)
    if as_json:
        click.echo(json.dumps(report.to_json(), indent=2))
    else:
        for f in report.files:
            click.echo(f"{f.path}: {f.describe(skip_invalid)}")
            for problem in f.problems:
                click.secho(f"  {problem}", fg="red", err=True)
        click.echo(f"{report.summary()} (database {db_path})")
    if report.failed:
        sys.exit(1)


# --------------------------------------------------------------------------------------------------------------
# submit
# --------------------------------------------------------------------------------------------------------------


@main.command("submit")
@click.option("--spool", type=click.Path(path_type=Path, dir_okay=False), default=Path("data/submit-spool.jsonl"), show_default=True, help="Spool file written by `zebench run --submit`.")
@click.option("--url", envvar="ZE_BENCHMARKS_WORKER_URL", show_envvar=True, required=True, help="Server base URL (the runs go to URL/api/results).")
@click.option("--retries", type=click.IntRange(0), default=4, show_default=True, help="Retries per request (exponential backoff from 0.5 s).")
def submit_command(spool: Path, url: str, retries: int) -> None:
    """Deliver the runs waiting in a spool file, then remove them from it.

    The token comes from ZE_BENCHMARKS_API_KEY. The server stores each runId once, so delivering a run again
    (after a crash half way) does not duplicate it. Safe while `zebench run --submit` appends to the same spool:
    runs appended during the delivery stay for the next time. Exit status 1 when runs remain in the spool.
    """
    from .submit import TOKEN_ENV, Submitter, deliver_spool

    if not spool.exists():
        click.echo(f"{spool}: nothing to deliver")
        return
    submitter = Submitter(url, os.environ.get(TOKEN_ENV), spool=spool, retries=retries)
    report = asyncio.run(deliver_spool(submitter))
    click.echo(f"Delivered {report.delivered} runs to {url}; {report.remaining} remain in {spool}")
    for error in report.errors:
        click.secho(f"  {error}", fg="red", err=True)
    if report.remaining:
        sys.exit(1)


# --------------------------------------------------------------------------------------------------------------
# leaderboard / compare
# --------------------------------------------------------------------------------------------------------------


def _open_db_for_reading(db_path: Path) -> Any:
    from .store import Store

    if not db_path.exists():
        fail(f"database {db_path} does not exist (run `zebench run` first or pass --db)")
    return Store(db_path)


@main.command("leaderboard")
@db_option
@click.option("--filter", "filter_text", metavar="KEY=VALUE,...", help="Only runs matching agent, model, suite, scenario, tier, batchId, since, until.")
@click.option("--alpha", type=click.FloatRange(0, 1, min_open=True, max_open=True), default=0.05, show_default=True, help="Significance level of intervals and tie groups.")
@click.option("--min-shared-items", type=click.IntRange(1), default=10, show_default=True, help="Fewest items two configurations must share to be compared for tie groups (below: \"not comparable\").")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def leaderboard_command(db_path: Path, filter_text: str | None, alpha: float, min_shared_items: int,
                        as_json: bool) -> None:
    """Configurations (agent and model) ranked by success rate, with intervals, pass@k, cost per solved task and
    tie groups.

    Intervals are clustered on the item when items were run more than once (Wilson for one run per item).
    pass@k and pass^k cover, for each k, the items with at least k runs (their number is shown). A tie group
    holds the configurations not significantly worse than its leader on the items both ran (paired tests of the
    items' success rates, Holm-adjusted); a pair sharing fewer than --min-shared-items items is not comparable.
    Denominators are explicit: runs, completed runs, agent and infrastructure failures, and success with and
    without the infrastructure failures. See docs/statistics.md.

    When no run matches (an empty database, or filters that select nothing, such as a misspelt agent), it says
    so and exits with status 1 (--json prints []), so that a script does not mistake it for an empty ranking.
    An unknown filter key is an error (status 2) that lists the valid keys.

    \b
    Examples:
      zebench leaderboard                                 every run in data/zebench.db
      zebench leaderboard --filter suite=fix-tests,tier=L1 --json
      zebench leaderboard --filter agent=oracle,since=2026-01-01
    """
    from .analysis import SelectionError, leaderboard, parse_selection

    with _open_db_for_reading(db_path) as store:
        try:
            filters, since, until = ({}, None, None)
            if filter_text:
                filters, since, until, _ = parse_selection(store.conn, filter_text)
            rows = leaderboard(store.conn, filters, since=since, until=until, alpha=alpha,
                               min_shared_items=min_shared_items)
        except (SelectionError, ValueError) as exc:
            fail(str(exc))
    if as_json:
        click.echo(json.dumps(rows, indent=2))
    if not rows:
        click.secho(f"No runs match --filter {filter_text} in {db_path}" if filter_text
                    else f"No runs in {db_path}: nothing to rank", fg="yellow", err=True)
        sys.exit(1)
    if as_json:
        return
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"Leaderboard ({db_path}; {100 * (1 - alpha):g}% intervals)")
    for col in ("#", "tie group", "agent", "model", "items", "runs", "runs/item", "fail agent/infra",
                "success (interval)", "excl. infra", "score /10 (interval)", "pass@k (items)", "cost/solved"):
        # fold, never crop: a configuration cut short could read as another one
        table.add_column(col, overflow="fold", justify="right" if col in ("#", "items", "runs") else "left")
    for r in rows:
        cost = ("unknown" if r["costUnknownRuns"] else "-") if r["costPerSolvedUsd"] is None \
            else f"${r['costPerSolvedUsd']:.4f}"
        score = "-" if r["meanScore"] is None else f"{r['meanScore']:.2f}" + (
            "" if r["meanScoreLow"] is None else f" ({r['meanScoreLow']:.2f}-{r['meanScoreHigh']:.2f})")
        runs_per_item = (str(r["runsPerItemMax"]) if r["runsPerItemMin"] == r["runsPerItemMax"]
                         else f"{r['runsPerItemMin']}-{r['runsPerItemMax']}")
        tie = "not comparable" if r["tieGroup"] is None else str(r["tieGroup"])
        table.add_row(
            str(r["rank"]), tie, r["agent"], r["model"] or "", str(r["items"]), str(r["runs"]), runs_per_item,
            f"{r['agentFailures']}/{r['infraFailures']}",
            f"{_pct(r['successRate'])} ({_pct(r['successRateLow'])}-{_pct(r['successRateHigh'])})",
            _pct(r["successRateExclInfra"]), score, _pass_at_k_text(r), cost,
        )
    console = Console()
    if not console.is_terminal:  # logs and pipes: do not squeeze the table into 80 columns
        console = Console(width=200)
    console.print(table)
    notes = [f"{r['configuration']}: not comparable with {', '.join(r['notComparableWith'])} (fewer than "
             f"{min_shared_items} shared items)" for r in rows if r["notComparableWith"]]
    notes += [f"{r['configuration']}: no tie group, only {r['items']} item{'s' if r['items'] != 1 else ''} (fewer than "
              f"{min_shared_items})"
              for r in rows if r["tieGroup"] is None]
    for note in notes:
        console.print(note, soft_wrap=True, highlight=False)


def _pass_at_k_text(row: dict[str, Any]) -> str:
    """pass@1, pass@2 and pass@(largest k) with the items each covers; "-" when no item has two runs."""
    ks = sorted(int(k) for k in row["passAtKItems"])
    if not ks or ks[-1] < 2:
        return "- (one run per item)"
    shown = sorted({1, 2, ks[-1]})
    return " ".join(f"@{k}={row['passAtK'][f'pass@{k}']:.2f} ({row['passAtKItems'][str(k)]})" for k in shown)


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{100 * value:.1f}%"


@main.command("compare")
@click.argument("baseline")
@click.argument("candidate")
@db_option
@click.option("--alpha", type=click.FloatRange(0, 1, min_open=True, max_open=True), default=0.05, show_default=True, help="Significance level.")
@click.option("--json", "as_json", is_flag=True, help="Print the full result as JSON.")
@click.option("--markdown", "markdown_file", type=click.Path(path_type=Path, dir_okay=False), help="Also write a pull-request comment in Markdown to this file.")
@click.option("--junit", "junit_file", type=click.Path(path_type=Path, dir_okay=False), help="Also write JUnit XML (a failing case per significant regression) to this file.")
@click.option("--fail-on-regression", is_flag=True, help="Exit 1 when the candidate is significantly worse (overall or on an item).")
@click.option("--pool", is_flag=True, help="Allow a side that holds several configurations (agents/models): their runs are counted together, and the report says so.")
def compare_command(baseline: str, candidate: str, db_path: Path, alpha: float, as_json: bool,
                    markdown_file: Path | None, junit_file: Path | None, fail_on_regression: bool, pool: bool) -> None:
    """Compare CANDIDATE with BASELINE over the items (suite/scenario/tier) both ran.

    Each side is one configuration: a batch id or filters KEY=VALUE,... (agent, model, suite, scenario, tier,
    batchId, since, until), e.g. `zebench compare batch-123 agent=anthropic,model=claude-sonnet-4-6,since=2026-11-01`.
    A side holding several configurations is refused unless --pool. Items are paired: success is compared with
    the exact McNemar test when each item ran once per side, else with a sign-flip test of the items' success
    rates; scores with a paired bootstrap; each item's change with Fisher's exact test (Holm-corrected). Items
    are listed as regressed, improved, stayed solved or stayed failed; items only one side ran are not compared.
    JUnit: one case per item (failed when it regressed) and one for the overall test. With --fail-on-regression
    the exit status is 1 only on a significant regression, 0 otherwise.
    """
    from .analysis import SelectionError, compare, junit_report, markdown_report

    with _open_db_for_reading(db_path) as store:
        try:
            result = compare(store.conn, baseline, candidate, alpha=alpha, pool=pool)
        except (SelectionError, ValueError) as exc:
            fail(str(exc))
    if markdown_file:
        markdown_file.write_text(markdown_report(result))
    if junit_file:
        junit_file.write_text(junit_report(result))
    if as_json:
        click.echo(json.dumps(result, indent=2))
    else:
        click.echo(markdown_report(result))
    if fail_on_regression and result["significantRegression"]:
        sys.exit(1)


@main.command("summary")
@click.argument("batch_id")
@db_option
@click.option("--json", "as_json", is_flag=True, help="Print the batch's detail as JSON (the same document as GET /api/v2/batches/BATCH_ID?runs=0).")
def summary_command(batch_id: str, db_path: Path, as_json: bool) -> None:
    """The summary of a stored batch, as `zebench run` prints it at the end: one row per configuration (agent and
    model), runs, completed runs, agent and infrastructure failures, evaluator errors, cancelled attempts and
    whether the batch is complete."""
    from .progress import print_batch_summary
    from .store import query_batch_detail

    with _open_db_for_reading(db_path) as store:
        if as_json:
            detail = query_batch_detail(store.conn, batch_id, runs_limit=0)
            if detail is None:
                fail(f"no batch {batch_id!r} in {db_path}")
            click.echo(json.dumps(detail, indent=2))
            return
        if query_batch_detail(store.conn, batch_id, runs_limit=0) is None:
            fail(f"no batch {batch_id!r} in {db_path}")
        print_batch_summary(store, batch_id, db_path=db_path)
