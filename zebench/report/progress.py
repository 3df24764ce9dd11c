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

from ..models import SCORED_STATUSES, RunRecord
from ..store import query_batch_detail

if TYPE_CHECKING:
    from ..execution.batch import BatchResult, RunKey
    from ..store import Store

#: Above this many runs the summary shows only the per-agent table.
MAX_RUN_ROWS = 60


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

    def _fields(self) -> dict[str, Any]:
        return {"ok": self.successful, "failed": self.failed, "running": self.running}

    def start(self, batch_id: str, total: int, already_done: int) -> None:
        todo = total - already_done
        self.console.print(
            f"[bold]Batch {batch_id}[/]: {todo} runs to do"
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
    """A batch's runs, one table row per configuration (agent and model) and its counts. Every figure comes from
    the store's batch detail (the counts of store.COUNT_CONDITIONS), the same the API and the site show."""
    if console is None:
        console = Console()
        if not console.is_terminal:  # logs and pipes: do not fold agent and model names into 80 columns
            console = Console(width=200)
    detail = query_batch_detail(store.conn, batch_id, runs_limit=0)
    if detail is None:
        console.print(f"No batch {batch_id} in {db_path}")
        return
    d = detail["denominators"]
    rows = store.run_summaries(batch_id)  # counted runs (cancelled attempts are not runs)
    if 0 < len(rows) <= MAX_RUN_ROWS:
        runs = Table(title="Runs")
        for col in ("scenario", "tier", "agent", "model", "status", "score /10", "success"):
            runs.add_column(col, overflow="fold")
        for r in rows:
            status = (
                r["status"] if r["status"] in SCORED_STATUSES else f"[red]{r['status']} ({r['failure_category']})[/]"
            )
            if r["evaluator_errors"]:
                status += (
                    f" [yellow]({r['evaluator_errors']} evaluator error{'s' if r['evaluator_errors'] > 1 else ''})[/]"
                )
            runs.add_row(
                f"{r['suite']}/{r['scenario']}",
                r["tier"],
                r["agent"],
                r["model"] or "",
                status,
                _fmt(r["weighted_score"]),
                "[green]yes[/]" if r["is_successful"] else "no",
            )
        console.print(runs)
    table = Table(title=f"Batch {batch_id}")
    columns = (
        "agent",
        "model",
        "runs",
        "completed",
        "successful",
        "success rate",
        "avg score /10",
        "cost",
        "agent failures",
        "infra failures",
        "evaluator errors",
    )
    for col in columns:
        table.add_column(col, justify="left" if col in ("agent", "model") else "right", overflow="fold")
    for r in detail["breakdowns"]["byAgent"]:
        table.add_row(
            r["agent"],
            r["model"] or "",
            str(r["runs"]),
            str(r["completedRuns"]),
            str(r["successfulRuns"]),
            "-" if r["successRate"] is None else f"{100 * r['successRate']:.0f}%",
            _fmt(r["avgWeightedScore"]),
            _cost(r["totalCostUsd"], r["costUnknownRuns"], r["runs"]),
            str(r["agentFailures"]),
            str(r["infraFailures"]),
            str(r["evaluatorErrorRuns"]),
        )
    if detail["breakdowns"]["byAgent"]:
        console.print(table)
    if d["runs"]:
        excl = "" if d["successRateExclInfra"] is None else f" ({100 * d['successRateExclInfra']:.0f}% excluding them)"
        console.print(
            f"Runs: {d['runs']} stored of {d['expectedRuns'] or d['runs']} expected; {d['completedRuns']} "
            f"completed, {d['agentFailures']} agent failures, {d['infraFailures']} infrastructure failures; "
            f"{d['successfulRuns']} successful, {100 * (d['successRate'] or 0):.0f}% counting "
            f"infrastructure failures{excl}",
            soft_wrap=True,
        )
    for e in detail["breakdowns"]["evaluatorErrors"]:
        console.print(
            f"[yellow]Evaluator error[/]: {e['evaluatorName']} failed in {e['runs']} run"
            f"{'s' if e['runs'] != 1 else ''} (those runs are not successful), e.g. {e['example']}",
            soft_wrap=True,
            highlight=False,
        )
    batch = store.get_batch(batch_id)
    retries = batch.metadata.get("infraRetries") if batch is not None else None
    if retries:  # --executor dask: runs started again after their worker was lost
        console.print(
            f"{retries} infrastructure retries: runs started again on another worker after theirs was lost "
            "(each run stored once; metadata.infraRetries and lostWorkers of those runs)",
            soft_wrap=True,
        )
    if d["cancelledAttempts"]:
        console.print(f"{d['cancelledAttempts']} interrupted attempts are stored as cancelled (not counted as runs)")
    state = (
        "complete"
        if d["complete"]
        else (f"INCOMPLETE ({d['runs']}/{d['expectedRuns']} runs)" if d["expectedRuns"] is not None else "INCOMPLETE")
    )
    console.print(
        f"Batch {batch_id}: {state}; stored in {db_path}" + (f"; JSON lines appended to {output}" if output else "")
    )
    if not d["complete"] and d["expectedRuns"] is not None:
        console.print(f"Finish it with: zebench run --resume {batch_id} --db {db_path}")
