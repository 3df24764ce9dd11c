"""Executors: where the runs of a batch run.

The batch (zebench.batch) plans the runs, writes each record as it arrives (the store stays the one writer),
reports progress, submits, and stops on signals; an executor only runs runs and hands their records back:

* ``local`` (the default, zebench.executors.local): an asyncio pool in this process, ``--concurrency`` runs at once;
* ``dask`` (zebench.executors.dask, ``pip install "zebench[dask]"``): the runs of a Dask distributed cluster's
  workers; scenario content travels to them by content hash (zebench.executors.remote), no shared filesystem.

Another engine (Ray...) is one more module: a subclass of :class:`Executor` registered under the
``zebench.executors`` entry point (the built-in ones are registered the same way: zebench.plugins). Modules are
imported only when their executor is chosen, so the CLI does not pay for an engine it does not use.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from ... import plugins

if TYPE_CHECKING:
    from ...catalog import Scenario
    from ...models import RunRecord
    from ..batch import BatchPlan
    from ..runner import OnCancelled, RunOptions, RunSpec

ENTRY_POINT_GROUP = plugins.EXECUTORS

#: Called once when a run really starts (a slot was free, a worker took it): the progress bar's "running".
Started = Callable[[], None]
#: Lines for the user (where the runs go, warnings about workers): the CLI prints them on stderr.
Log = Callable[[str], None]


class ExecutorError(Exception):
    """The executor cannot run the batch (unreachable cluster, workers that cannot run it...). Raised by ``open``
    before anything ran or was written; raised by ``run`` when the executor itself is lost mid-batch (the runs
    stored so far are kept, ``--resume`` finishes the batch)."""


@dataclass(frozen=True)
class ExecutorOptions:
    """What the command line says about where runs run; each executor takes what applies to it and refuses the
    rest (ExecutorError) in ``from_options``."""

    #: ``--concurrency``: runs at once (locally; per worker of a cluster started here).
    concurrency: int = 4
    #: ``--scheduler``: the address of a running cluster.
    address: str | None = None
    #: ``--dask-workers``: the workers of a cluster started here.
    workers: int | None = None
    #: ``--dask-resources``: what each run takes of its worker's resources (``dask worker --resources``).
    resources: dict[str, float] | None = None


@dataclass
class BatchJob:
    """What an executor gets for one batch (or one ``--resume`` of it)."""

    batch_id: str
    plan: BatchPlan
    #: The scenarios of the runs to do, by (suite, name), loaded and validated on this machine.
    scenarios: dict[tuple[str, str], Scenario]
    #: Settings shared by every run (no baseline cache: each executor keeps its own).
    options: RunOptions


class Executor(ABC):
    """Runs the runs of a batch. ``open`` once, then ``run`` concurrently (one call per run), then ``close``."""

    #: The name users give to --executor.
    name: ClassVar[str]

    @classmethod
    def from_options(cls, options: ExecutorOptions, log: Log) -> Executor:
        """The executor for the command line's options; ExecutorError for options this executor does not take."""
        raise ExecutorError(f"the {cls.name} executor cannot be configured from the command line")

    async def open(self, job: BatchJob) -> None:  # noqa: B027 (optional: an executor may need nothing)
        """Get ready for ``job`` (connect, check the workers, ship what they need). Raises ExecutorError."""

    @abstractmethod
    async def run(self, spec: RunSpec, *, started: Started, on_cancelled: OnCancelled) -> RunRecord:
        """Run one run to its record, failed ones included (never raises for the run's own failures).

        When cancelled, the run is recorded as it stood (status ``cancelled``), that record awaited through
        ``on_cancelled``, and the CancelledError re-raised; cancelled again, it stops waiting for cleanups.
        A run that had not started when cancelled has no record."""

    async def close(self) -> None:  # noqa: B027 (optional: an executor may hold nothing)
        """Release what ``open`` took (cached baselines, connections, a cluster started here)."""

    def metadata(self) -> dict[str, Any]:
        """Stored in the batch's metadata under ``executor`` (where the runs ran); empty for the local pool."""
        return {}

    def infra_retries(self) -> int:
        """Runs started again because their machine was lost (each retry counted); added to the batch's
        ``infraRetries`` metadata."""
        return 0


def parse_resources(text: str) -> dict[str, float]:
    """``heavy=1,gpu=0.5`` (``--dask-resources``) as a dict; ExecutorError for anything else."""
    resources: dict[str, float] = {}
    for item in filter(None, (part.strip() for part in text.split(","))):
        name, sep, amount = item.partition("=")
        try:
            value = float(amount)
        except ValueError:
            value = -1.0
        if not sep or not name.strip() or not value > 0:
            raise ExecutorError(f"--dask-resources: expected NAME=N[,NAME=N] with N > 0, got {item!r}")
        resources[name.strip()] = value
    if not resources:
        raise ExecutorError("--dask-resources: expected NAME=N[,NAME=N]")
    return resources


def available_executors() -> list[str]:
    return plugins.names(plugins.EXECUTORS)


def executor_class(name: str) -> type[Executor]:
    """The executor registered as ``name`` (zebench.plugins); ExecutorError for an unknown one or one that cannot
    be imported (its engine not installed: the message says what to install)."""
    try:
        return plugins.load(plugins.EXECUTORS, name, Executor, install_hint=f' (pip install "zebench[{name}]")')
    except plugins.PluginError as exc:
        raise ExecutorError(str(exc)) from None
