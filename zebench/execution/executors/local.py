"""The local executor (the default): the runs of a batch as asyncio tasks of this process, ``--concurrency`` at once.

Each scenario's baseline commands run once per batch (a BaselineCache shared by the batch's runs).
"""

from __future__ import annotations

import asyncio
from dataclasses import replace
from typing import TYPE_CHECKING

from ...constants import plural
from ...run.workspace import WorkArea, remove_leftovers
from ..runner import BaselineCache, OnCancelled, RunOptions, RunSpec, run_one
from . import BatchJob, Executor, ExecutorError, ExecutorOptions, Log, Started

if TYPE_CHECKING:
    from ...models import RunRecord


class LocalExecutor(Executor):
    name = "local"

    def __init__(self, concurrency: int = 4, log: Log | None = None):
        if concurrency < 1:
            raise ExecutorError("--concurrency must be at least 1")
        self.concurrency = concurrency
        self._semaphore: asyncio.Semaphore | None = None
        self._options: RunOptions | None = None
        self._baselines: BaselineCache | None = None
        self._area: WorkArea | None = None
        self._log = log

    @classmethod
    def from_options(cls, options: ExecutorOptions, log: Log) -> LocalExecutor:
        if options.address is not None or options.workers is not None or options.resources:
            raise ExecutorError("--scheduler, --dask-workers and --dask-resources need --executor dask")
        return cls(options.concurrency, log)

    async def open(self, job: BatchJob) -> None:
        self._semaphore = asyncio.Semaphore(self.concurrency)
        options = job.options
        # The batch's workspaces and sandbox folders go in a folder of its own, locked while this process lives:
        # what a killed batch left is removed by the next one (a --resume, or any batch using the same folder).
        removed = await asyncio.to_thread(remove_leftovers, options.workspace_root)
        if removed and self._log is not None:
            more = " ..." if len(removed) > 1 else ""
            self._log(
                f"Removed {plural(len(removed), 'folder')} left by killed zebench processes: {removed[0].name}{more}"
            )
        if not options.keep_workspaces:  # kept workspaces stay where they were asked for, outliving the batch
            self._area = await asyncio.to_thread(WorkArea.create, options.workspace_root, job.batch_id)
            options = replace(options, workspace_root=self._area.path)
        if options.baselines is None:
            self._baselines = BaselineCache(options.workspace_root)
            options = replace(options, baselines=self._baselines)
        self._options = options

    async def run(self, spec: RunSpec, *, started: Started, on_cancelled: OnCancelled) -> RunRecord:
        assert self._semaphore is not None and self._options is not None, "open() first"
        async with self._semaphore:
            started()
            return await run_one(spec, self._options, on_cancelled=on_cancelled)

    async def close(self) -> None:
        if self._baselines is not None:
            await self._baselines.close()
        if self._area is not None:
            area, self._area = self._area, None
            await asyncio.to_thread(area.remove)
