"""Terminal output of a batch: a rich progress bar (done / failed / running) and the summary tables.

On a terminal the bar is live; elsewhere (CI logs, pipes) one plain line is printed per finished run. A run
cancelled by a stopped batch is not a finished run: it is counted apart (``--resume`` redoes it). ``finish``
stops the live bar, which also shows the cursor again: the batch calls it however it ends.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table

from ..constants import DEFAULT_DB_PATH, plural
from ..models import SCORED_STATUSES, RunRecord
from ..models.shapes import (
    BreakdownRowDict,
    DenominatorsDict,
    EchoBaselineDict,
    EvaluatorErrorRowDict,
    RunRowDict,
    UnsuccessfulRowDict,
)
from ..store import query_batch_detail, query_echo_baseline
from .tables import causes_lines, configuration_columns

if TYPE_CHECKING:
    from ..execution.batch import BatchResult, RunKey
    from ..store import Store

#: Above this many runs the summary shows only the per-agent table.
MAX_RUN_ROWS = 60
#: Causes of unsuccessful runs shown per configuration (the most frequent first).
MAX_CAUSES = 8


def _label(record: RunRecord) -> str:
    model = f" [{record.model}]" if record.model else ""
    specialist = f" +{record.specialist_name}@{record.specialist_version}" if record.specialist_enabled else ""
    return f"{record.suite}/{record.scenario} {record.tier} {record.agent}{model}{specialist}"


class RichReporter:
    def __init__(self, console: Console | None = None):
        self.console = console or Console(stderr=True)
        self.live = self.console.is_terminal
        self.done = self.failed = self.running = self.successful = self.cancelled = 0
        self.progress: Progress | None = None
        self.task_id: Any = None
        #: Set when the batch starts (it is stored by then): an interruption before says nothing ran.
        self.batch_id: str | None = None

    def _fields(self) -> dict[str, Any]:
        return {"ok": self.successful, "failed": self.failed, "running": self.running}

    def start(self, batch_id: str, total: int, already_done: int) -> None:
        self.batch_id = batch_id
        todo = total - already_done
        self.console.print(
            f"[bold]Batch {batch_id}[/]: {plural(todo, 'run')} to do"
            + (f" ({already_done} already stored)" if already_done else "")
        )
        if self.live:
            self.progress = Progress(
                TextColumn("[progress.description]{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TextColumn(
                    "[green]{task.fields[ok]} successful[/] [red]{task.fields[failed]} failed[/] "
                    "[cyan]{task.fields[running]} running[/]"
                ),
                TimeElapsedColumn(),
                console=self.console,
                transient=False,
            )
            self.progress.start()
            self.task_id = self.progress.add_task("runs", total=todo, **self._fields())

    def run_started(self, key: RunKey) -> None:
        self.running += 1
        if self.progress is not None:
            self.progress.update(self.task_id, **self._fields())

    def run_finished(self, record: RunRecord) -> None:
        self.running -= 1
        if record.status == "cancelled":
            self.cancelled += 1
            if self.progress is not None:
                self.progress.update(self.task_id, **self._fields())
            else:
                stage = record.failure.stage if record.failure else "?"
                self.console.print(
                    f"    {_label(record)}: cancelled during the {stage} stage run={record.run_id}",
                    highlight=False,
                    soft_wrap=True,
                )
            return
        self.done += 1
        self.successful += record.is_successful
        self.failed += record.status not in SCORED_STATUSES
        if self.progress is not None:
            self.progress.update(self.task_id, advance=1, **self._fields())
        else:
            score = "-" if record.weighted_score is None else f"{record.weighted_score:.1f}"
            verdict: str = (
                "ok" if record.is_successful else (record.status if record.status != "completed" else "unsuccessful")
            )
            errors = [e.evaluator_name for e in record.evaluations if e.error is not None]
            if errors:
                verdict += f" (evaluator error: {', '.join(errors)})"
            self.console.print(
                f"[{self.done}] {_label(record)}: {verdict} score={score} run={record.run_id}",
                highlight=False,
                soft_wrap=True,
            )

    def finish(self) -> None:
        if self.progress is not None:
            self.progress.stop()
            self.progress = None


def _fmt(value: float | None, digits: int = 1) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


def _cost(total: float | None, unknown_runs: int, runs: int) -> str:
    """Total cost of a group of runs; an unpriced model makes it unknown, shown as such (never as $0)."""
    if unknown_runs == 0:
        return f"${total or 0.0:.4f}"
    if unknown_runs == runs:
        return "unknown"
    return f">= ${total or 0.0:.4f} ({unknown_runs} unknown)"


def print_summary(
    store: Store, result: BatchResult, *, db_path: Path, output: Path | None, console: Console | None = None
) -> None:
    """The summary after `zebench run` (the same as `zebench summary BATCH_ID`)."""
    print_batch_summary(store, result.batch.batch_id, db_path=db_path, output=output, console=console)


def print_batch_summary(
    store: Store, batch_id: str, *, db_path: Path, output: Path | None = None, console: Console | None = None
) -> None:
    """A batch's runs, one table row per configuration (agent, model, specialist) and its counts. Every figure
    comes from the store's batch detail (the counts of store.COUNT_CONDITIONS), the same the API and the site
    show."""
    if console is None:
        console = Console()
        if not console.is_terminal:  # logs and pipes: do not fold agent and model names into 80 columns
            console = Console(width=200)
    detail = query_batch_detail(store.conn, batch_id, runs_limit=0)
    if detail is None:
        console.print(f"No batch {batch_id} in {db_path}")
        return
    d = detail["denominators"]
    assert d is not None  # the store gives every batch its denominators
    rows = store.run_summaries(batch_id)  # counted runs (cancelled attempts are not runs)
    if 0 < len(rows) <= MAX_RUN_ROWS:
        console.print(_runs_table(rows))
    if detail["breakdowns"]["byAgent"]:
        console.print(_configurations_table(batch_id, detail["breakdowns"]["byAgent"]))
    _print_counts(console, d, detail["breakdowns"]["evaluatorErrors"])
    _print_unsuccessful(console, detail["breakdowns"].get("unsuccessful", []))
    _print_baseline(console, query_echo_baseline(store.conn, {"batchId": batch_id}), detail["breakdowns"]["byAgent"])
    batch = store.get_batch(batch_id)
    retries = batch.metadata.get("infraRetries") if batch is not None else None
    if retries:  # --executor dask: runs started again after their worker was lost
        console.print(
            f"{plural(retries, 'infrastructure retry', 'infrastructure retries')}: runs started again on another "
            "worker after theirs was lost (each run stored once; metadata.infraRetries and lostWorkers of those runs)",
            soft_wrap=True,
        )
    if d["cancelledAttempts"]:
        n = d["cancelledAttempts"]
        console.print(
            f"{plural(n, 'interrupted attempt')} {'is' if n == 1 else 'are'} stored as cancelled (not counted as runs)"
        )
    state = (
        "complete"
        if d["complete"]
        else (
            f"INCOMPLETE ({d['runs']}/{plural(d['expectedRuns'], 'run')})"
            if d["expectedRuns"] is not None
            else "INCOMPLETE"
        )
    )
    console.print(
        f"Batch {batch_id}: {state}; stored in {db_path}" + (f"; JSON lines appended to {output}" if output else "")
    )
    if not d["complete"] and d["expectedRuns"] is not None:
        console.print(f"Finish it with: zebench run --resume {batch_id} --db {db_path}")
    _print_next(console, batch_id, db_path, rows)


def _print_unsuccessful(console: Console, causes: list[UnsuccessfulRowDict]) -> None:
    """Why runs were not successful, per configuration (store.query_unsuccessful, as the batch's page shows it)."""
    if not causes:
        return
    table = Table(title="Why runs were not successful (a run with several causes counts under each)")
    for col in ("agent", "model", "cause", "runs", "message (one of them)"):
        table.add_column(col, overflow="fold", justify="right" if col == "runs" else "left")
    shown: dict[tuple[str, str], int] = {}
    for c, line in zip(causes, causes_lines(causes), strict=True):
        config = (c["agent"], c["model"] or "")
        shown[config] = shown.get(config, 0) + 1
        if shown[config] <= MAX_CAUSES:
            what, _, message = line.partition(": ")
            table.add_row(c["agent"], c["model"] or "", what, str(c["runs"]), message)
    for (agent, model), n in shown.items():
        if n > MAX_CAUSES:
            table.add_row(agent, model, f"... {n - MAX_CAUSES} more causes (--json, or the batch's page)", "", "")
    console.print(table)


def _print_baseline(console: Console, baseline: list[EchoBaselineDict], by_agent: list[BreakdownRowDict]) -> None:
    """Each configuration's mean score beside what echo (doing nothing) scores on the same items."""
    scores = {(r["agent"], r["model"] or ""): r["avgWeightedScore"] for r in by_agent}
    for b in baseline:
        name = b["agent"] + (f" [{b['model']}]" if b["model"] else "")
        own = scores.get((b["agent"], b["model"] or ""))
        mine = "-" if own is None else f"{own:.1f}/10"
        if not b["echoItems"] or b["echoMeanScore"] is None:
            console.print(
                f"{name}: mean score {mine}; no echo baseline: no echo run on its items, so nothing shows what doing "
                "nothing scores here (zebench run -a echo on the same scenarios and tiers gives one)",
                soft_wrap=True,
                highlight=False,
            )
            continue
        source = "this batch's echo runs" if b["source"] == "selection" else "echo runs of other batches"
        cover = "" if b["echoItems"] == b["items"] else f" ({b['echoItems']} of its {b['items']} items)"
        console.print(
            f"{name}: mean score {mine} against {b['echoMeanScore']:.1f}/10 for echo (changes nothing) on the same "
            f"items{cover}, from {source}",
            soft_wrap=True,
            highlight=False,
        )


def _print_next(console: Console, batch_id: str, db_path: Path, rows: list[RunRowDict]) -> None:
    """Where to look next: the commands that show a run and the batches, and the report site."""
    if not rows:
        return
    example = next((r for r in rows if not r["successful"]), rows[0])
    db = "" if db_path == DEFAULT_DB_PATH else f" --db {db_path}"
    console.print(
        "Look next:\n"
        f"  zebench show {example['runId']}{db}   a run: its stages, checks, failure and page"
        f"{' (an unsuccessful one)' if not example['successful'] else ''}\n"
        f"  zebench batches{db}   every batch: runs stored of expected, successful, status\n"
        f"  zebench build-site{db}, then site/index.html (Batches links this batch's page), or "
        f"zebench serve{db} --site (live)",
        soft_wrap=True,
        highlight=False,
    )


def _runs_table(rows: list[RunRowDict]) -> Table:
    """One row per run: its item, configuration, status (and evaluator errors, findings), score and success."""
    runs = Table(title="Runs")
    configuration = configuration_columns(rows)
    for col in ("scenario", "tier", *(header for header, _ in configuration), "status", "score /10", "success"):
        runs.add_column(col, overflow="fold")
    for run in rows:
        status = (
            run["status"] if run["status"] in SCORED_STATUSES else f"[red]{run['status']} ({run['failureCategory']})[/]"
        )
        errors = run.get("evaluatorErrors") or 0
        if errors:
            status += f" [yellow]({errors} evaluator error{'s' if errors > 1 else ''})[/]"
        findings = run.get("findings") or 0
        if findings:
            status += f" [red]({plural(findings, 'finding')})[/]"
        runs.add_row(
            f"{run['suite']}/{run['scenario']}",
            run["tier"],
            *(run[key] or "" for _, key in configuration),  # type: ignore[literal-required]
            status,
            _fmt(run["weightedScore"]),
            "[green]yes[/]" if run["successful"] else "no",
        )
    return runs


def _configurations_table(batch_id: str, by_agent: list[BreakdownRowDict]) -> Table:
    """One row per configuration (models.run.CONFIGURATION: agent, model, a specialist) and its counts."""
    table = Table(title=f"Batch {batch_id}")
    configuration = configuration_columns(by_agent)
    headers = [header for header, _ in configuration]
    columns = (
        *headers,
        "runs",
        "completed",
        "successful",
        "success rate",
        "avg score /10",
        "cost",
        "agent failures",
        "infra failures",
        "evaluator errors",
        "findings",
    )
    for col in columns:
        table.add_column(col, justify="left" if col in headers else "right", overflow="fold")
    for r in by_agent:
        table.add_row(
            *(r[key] or "" for _, key in configuration),  # type: ignore[literal-required]
            str(r["runs"]),
            str(r["completedRuns"]),
            str(r["successfulRuns"]),
            "-" if r["successRate"] is None else f"{100 * r['successRate']:.0f}%",
            _fmt(r["avgWeightedScore"]),
            _cost(r["totalCostUsd"], r["costUnknownRuns"] or 0, r["runs"]),
            str(r["agentFailures"]),
            str(r["infraFailures"]),
            str(r["evaluatorErrorRuns"]),
            str(r["findingRuns"] or 0),
        )
    return table


def _print_counts(console: Console, d: DenominatorsDict, evaluator_errors: list[EvaluatorErrorRowDict]) -> None:
    """The batch's counts in one sentence, and each evaluator that failed."""
    if d["runs"]:
        excl = "" if d["successRateExclInfra"] is None else f" ({100 * d['successRateExclInfra']:.0f}% excluding them)"
        console.print(
            f"Runs: {d['runs']} stored of {d['expectedRuns'] or d['runs']} expected; {d['completedRuns']} "
            f"completed, {plural(d['agentFailures'], 'agent failure')}, "
            f"{plural(d['infraFailures'], 'infrastructure failure')}; "
            f"{d['successfulRuns']} successful, {100 * (d['successRate'] or 0):.0f}% counting "
            f"infrastructure failures{excl}",
            soft_wrap=True,
        )
    if d["findingRuns"]:
        n = d["findingRuns"]
        console.print(
            f"[red]Findings[/]: {plural(n, 'run')} {'has' if n == 1 else 'have'} blocking integrity findings "
            "(protected paths changed, start-up hooks, forged results, weakened tests...): not successful, still "
            "counted; the run view lists each finding's kind, path and evidence (docs/integrity.md)",
            soft_wrap=True,
            highlight=False,
        )
    for e in evaluator_errors:
        console.print(
            f"[yellow]Evaluator error[/]: {e['evaluatorName']} failed in {e['runs']} run"
            f"{'s' if e['runs'] != 1 else ''} (those runs are not successful), e.g. {e['example']}",
            soft_wrap=True,
            highlight=False,
        )
