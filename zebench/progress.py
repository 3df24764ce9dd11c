"""Terminal output of a batch: a rich progress bar (done / failed / running) and the summary tables.

On a terminal the bar is live; elsewhere (CI logs, pipes) one plain line is printed per finished run. A run
cancelled by a stopped batch is not a finished run: it is counted apart (``--resume`` redoes it). ``finish``
stops the live bar, which also shows the cursor again: the batch calls it however it ends.
"""

from __future__ import annotations

from collections import defaultdict
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

from .models import SCORED_STATUSES, RunRecord
from .store import query_batch_detail

if TYPE_CHECKING:
    from .batch import BatchResult, RunKey
    from .store import Store

#: Above this many runs the summary shows only the per-agent table.
MAX_RUN_ROWS = 60


def _label(record: RunRecord) -> str:
    model = f" [{record.model}]" if record.model else ""
    return f"{record.suite}/{record.scenario} {record.tier} {record.agent}{model}"


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
            f"[bold]Batch {batch_id}[/]: {todo} runs to do" + (f" ({already_done} already stored)" if already_done else "")
        )
        if self.live:
            self.progress = Progress(
                TextColumn("[progress.description]{task.description}"), BarColumn(), MofNCompleteColumn(),
                TextColumn("[green]{task.fields[ok]} successful[/] [red]{task.fields[failed]} failed[/] "
                           "[cyan]{task.fields[running]} running[/]"),
                TimeElapsedColumn(), console=self.console, transient=False,
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
                self.console.print(f"    {_label(record)}: cancelled during the {stage} stage run={record.run_id}",
                                   highlight=False, soft_wrap=True)
            return
        self.done += 1
        self.successful += record.is_successful
        self.failed += record.status not in SCORED_STATUSES
        if self.progress is not None:
            self.progress.update(self.task_id, advance=1, **self._fields())
        else:
            score = "-" if record.weighted_score is None else f"{record.weighted_score:.1f}"
            verdict = "ok" if record.is_successful else (record.status if record.status != "completed" else "unsuccessful")
            self.console.print(f"[{self.done}] {_label(record)}: {verdict} score={score} run={record.run_id}",
                               highlight=False, soft_wrap=True)

    def finish(self) -> None:
        if self.progress is not None:
            self.progress.stop()
            self.progress = None


def _fmt(value: float | None, digits: int = 1) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


def _cost(costs: list[float | None]) -> str:
    """Total cost; an unpriced model makes it unknown, shown as such (never as $0)."""
    known = [c for c in costs if c is not None]
    if len(known) == len(costs):
        return f"${sum(known):.4f}"
    return "unknown" if not known else f">= ${sum(known):.4f} ({len(costs) - len(known)} unknown)"


def print_summary(store: Store, result: BatchResult, *, db_path: Path, output: Path | None,
                  console: Console | None = None) -> None:
    console = console or Console()
    batch = result.batch
    all_rows = store.run_summaries(batch.batch_id)
    rows = [r for r in all_rows if r["status"] != "cancelled"]  # interrupted attempts, redone by --resume
    groups: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        groups[(row["agent"], row["model"] or "")].append(row)
    table = Table(title=f"Batch {batch.batch_id}")
    for col in ("agent", "model", "runs", "successful", "success rate", "avg score /10", "cost", "failed runs"):
        table.add_column(col, justify="right" if col not in ("agent", "model") else "left")
    for (agent, model), items in sorted(groups.items()):
        scores = [r["weighted_score"] for r in items if r["weighted_score"] is not None]
        ok = sum(r["is_successful"] for r in items)
        failed = [r for r in items if r["status"] not in SCORED_STATUSES]
        categories = ", ".join(sorted({f"{r['failure_category']}" for r in failed}))
        table.add_row(agent, model, str(len(items)), str(ok), f"{100 * ok / len(items):.0f}%",
                      _fmt(sum(scores) / len(scores) if scores else None), _cost([r["cost_usd"] for r in items]),
                      f"{len(failed)}" + (f" ({categories})" if categories else ""))
    if 0 < len(rows) <= MAX_RUN_ROWS:
        runs = Table(title="Runs")
        for col in ("scenario", "tier", "agent", "status", "score /10", "success"):
            runs.add_column(col)
        for r in rows:
            status = r["status"] if r["status"] in SCORED_STATUSES else f"[red]{r['status']} ({r['failure_category']})[/]"
            runs.add_row(f"{r['suite']}/{r['scenario']}", r["tier"], r["agent"] + (f" [{r['model']}]" if r["model"] else ""),
                         status, _fmt(r["weighted_score"]), "[green]yes[/]" if r["is_successful"] else "no")
        console.print(runs)
    console.print(table)
    expected = batch.expected_runs or 0
    detail = query_batch_detail(store.conn, batch.batch_id, runs_limit=0)
    d = detail["denominators"] if detail else None
    if d and d["runs"]:
        excl = "" if d["successRateExclInfra"] is None else f" ({100 * d['successRateExclInfra']:.0f}% excluding them)"
        console.print(f"Runs: {d['runs']} stored of {d['expectedRuns'] or d['runs']} expected; {d['completedRuns']} "
                      f"completed, {d['agentFailures']} agent failures, {d['infraFailures']} infrastructure failures; "
                      f"success {100 * (d['successRate'] or 0):.0f}% counting infrastructure failures{excl}")
    retries = batch.metadata.get("infraRetries")
    if retries:  # --executor dask: runs started again after their worker was lost
        console.print(f"{retries} infrastructure retries: runs started again on another worker after theirs was lost "
                      "(each run stored once; metadata.infraRetries and lostWorkers of those runs)")
    if len(all_rows) > len(rows):
        console.print(f"{len(all_rows) - len(rows)} interrupted attempts are stored as cancelled (not counted)")
    state = "complete" if batch.total_runs >= expected else f"INCOMPLETE ({batch.total_runs}/{expected} runs)"
    console.print(f"Batch {batch.batch_id}: {state}; stored in {db_path}" + (f"; JSON lines appended to {output}" if output else ""))
    if batch.total_runs < expected:
        console.print(f"Finish it with: zebench run --resume {batch.batch_id} --db {db_path}")
