"""The local executor (the default): the runs of a batch as asyncio tasks of this process, ``--concurrency`` at once.

Each scenario's baseline commands run once per batch (a BaselineCache shared by the batch's runs).
"""

from __future__ import annotations

import asyncio
from dataclasses import replace
from typing import TYPE_CHECKING

from ..runner import BaselineCache, OnCancelled, RunOptions, RunSpec, run_one
from . import BatchJob, Executor, ExecutorError, ExecutorOptions, Log, Started

if TYPE_CHECKING:
    from ...models import RunRecord


class LocalExecutor(Executor):
    name = "local"

    def __init__(self, concurrency: int = 4):
        if concurrency < 1:
            raise ExecutorError("--concurrency must be at least 1")
        self.concurrency = concurrency
        self._semaphore: asyncio.Semaphore | None = None
        self._options: RunOptions | None = None
        self._baselines: BaselineCache | None = None

    @classmethod
    def from_options(cls, options: ExecutorOptions, log: Log) -> LocalExecutor:
        if options.address is not None or options.workers is not None or options.resources:
            raise ExecutorError("--scheduler, --dask-workers and --dask-resources need --executor dask")
        return cls(options.concurrency)

    async def open(self, job: BatchJob) -> None:
        self._semaphore = asyncio.Semaphore(self.concurrency)
        options = job.options
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
