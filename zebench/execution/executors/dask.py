"""The Dask executor: the runs of a batch on the workers of a Dask distributed cluster.

``pip install "zebench[dask]"``.

``zebench run --executor dask --scheduler tcp://HOST:8786`` (or ``ZEBENCH_SCHEDULER``) uses a running cluster;
without ``--scheduler`` a LocalCluster is started on this machine (``--dask-workers`` x ``--concurrency`` slots).

The coordinator (the ``zebench run`` process) stays the one writer: each run is one Dask task that runs the whole
run on a worker (zebench.executors.remote: workspace, agent, validation, evaluation, all sandboxed there) and
returns the RunRecord as JSON; the batch writes it, reports it and submits it. Scenario content travels by content
hash as the result of a tiny task per scenario (its archive is in the task graph, so a lost copy is recomputed:
no scatter that dies with its worker). A worker's slots are its threads (``dask worker --nthreads N``): Dask
runs that many of these tasks at once on it (they are coroutines on the worker's event loop).

Faults:

* a worker lost mid-run (kill -9, OOM, network): Dask gives its tasks to another worker; each task announces its
  start (a worker event on the topic ``zebench-<batch id>``), so a second start is an infrastructure retry,
  counted in the run's metadata (``infraRetries``, ``lostWorkers``) and the batch's (``infraRetries``). The record
  is the one of the attempt that finished: stored once. After Dask's ``allowed-failures`` (3) lost workers, the
  run is stored failed (category ``infrastructure``);
* a worker that is shut down (SIGTERM, a scaled-down cluster): its runs are cancelled, clean up, and Dask gives
  them to another worker (the same retry as above);
* the coordinator stopped (SIGINT, SIGTERM): every worker is told to stop the batch (``stop_batch``): the runs
  there are cancelled and return their ``cancelled`` records, runs not started are cancelled in Dask; a second
  stop makes them stop waiting for their cleanup;
* the coordinator killed: Dask releases its tasks; each running run notices within a second and stops
  (``--resume`` redoes it);
* a worker that is lost after it finished a run but before the record was fetched: Dask runs it again; the batch
  gets one record.

Baselines (a scenario's baseline commands): once per batch on each worker, shared by that worker's runs of the
scenario (a cluster-wide result would make every run wait for a remote task before its agent starts).
"""

from __future__ import annotations

import asyncio
import hashlib
import itertools
import logging
import os
import secrets
import sys
import time
from collections import OrderedDict
from contextlib import suppress
from dataclasses import dataclass, field
from typing import Any

import distributed
from distributed.client import FutureCancelledError
from distributed.scheduler import KilledWorker

from ...constants import plural, zebench_version
from ...isolation.processes import become_subreaper
from ...isolation.sandbox import SandboxError, bwrap_problem, resolve_mode
from ...models import Failure, RunRecord, utc_now
from ..runner import BaselineCache, OnCancelled, RunSpec, new_run_id, run_one
from . import BatchJob, Executor, ExecutorError, ExecutorOptions, Log, Started
from .remote import (
    BatchPackage,
    PreparedBatch,
    RemoteRun,
    ScenarioCache,
    batch_package,
    pack_scenario,
    remote_run,
)

# distributed has no type information: its objects are used as Any here.
Client: Any = distributed.Client
LocalCluster: Any = distributed.LocalCluster
Security: Any = distributed.Security
get_worker: Any = distributed.get_worker
#: A distributed.Future (a task's result on the cluster).
Future = Any

#: Seconds to reach the scheduler before `zebench run` gives up (exit 2).
CONNECT_TIMEOUT = 10.0
#: Seconds a closing coordinator waits for the workers and the cluster.
CLOSE_TIMEOUT = 30.0
#: How often a running run checks that its task is still wanted (a killed coordinator releases it).
RELEASE_POLL_SECONDS = 1.0
#: While a batch stops: how often the coordinator checks that the runs it waits for are still held by a worker.
STOP_POLL_SECONDS = 2.0
#: Batches a worker keeps state for (baselines, stop flags); the oldest idle ones are dropped.
MAX_WORKER_BATCHES = 16


def topic(batch_id: str) -> str:
    return f"zebench-{batch_id}"


def _content(data: bytes) -> bytes:
    """A task whose result is its argument: content held in the task graph, fetched by workers as a dependency."""
    return data


# --------------------------------------------------------------------------------------------------------------
# The coordinator
# --------------------------------------------------------------------------------------------------------------


@dataclass
class _Run:
    key: str
    started: Started
    future: Future | None = None
    #: Starts announced by workers (more than one: the earlier workers were lost).
    attempts: int = 0
    workers: list[str] = field(default_factory=list)


async def _outcome(future: Future) -> tuple[bool, Any]:
    """(True, result) or (False, the exception the task ended with)."""
    try:
        return True, await future
    except Exception as exc:  # a task's own error, a lost worker, a cancelled future
        return False, exc


class DaskExecutor(Executor):
    name = "dask"

    def __init__(
        self,
        scheduler: str | None = None,
        *,
        slots: int = 4,
        local_workers: int | None = None,
        resources: dict[str, float] | None = None,
        log: Log | None = None,
        connect_timeout: float = CONNECT_TIMEOUT,
    ):
        if slots < 1:
            raise ExecutorError("--concurrency must be at least 1")
        if local_workers is not None and local_workers < 1:
            raise ExecutorError("--dask-workers must be at least 1")
        self.scheduler = scheduler
        self.slots = slots
        self.local_workers = local_workers
        #: Worker resources each run takes (Dask runs a task only where they are free): limits heavy runs per worker.
        self.resources = dict(resources or {})
        if any(v <= 0 for v in self.resources.values()):
            raise ExecutorError("--dask-resources: each amount must be positive")
        if self.resources and scheduler is None:
            raise ExecutorError("--dask-resources needs --scheduler (workers started with `dask worker --resources`)")
        self.log: Log = log or (lambda line: None)
        self.connect_timeout = connect_timeout
        self.client: Any = None  # a distributed.Client once open
        self.cluster: Any = None  # a LocalCluster started here
        self.address: str | None = None
        self.workers: dict[str, dict[str, Any]] = {}
        self._job: BatchJob | None = None
        self._token = secrets.token_hex(4)  # task keys of this coordinator (a resume submits new ones)
        self._counter = itertools.count()
        self._packages: dict[str, Future] = {}
        self._batch_future: Future | None = None
        self._runs: dict[str, _Run] = {}
        self._stop_level = 0
        self._stops: dict[int, asyncio.Future[set[str]]] = {}
        self._retries = 0
        self._subscribed = False
        self._poll: asyncio.Future[set[str]] | None = None
        self._poll_at = 0.0

    @classmethod
    def from_options(cls, options: ExecutorOptions, log: Log) -> DaskExecutor:
        if options.address is not None and options.workers is not None:
            raise ExecutorError(
                "--dask-workers starts a local cluster; with --scheduler, start workers on the "
                "cluster (`dask worker ADDRESS --nthreads N`)"
            )
        return cls(
            options.address,
            slots=options.concurrency,
            local_workers=options.workers,
            resources=options.resources,
            log=log,
        )

    # -- open ----------------------------------------------------------------------------------------------------

    async def _connect(self) -> Any:
        if self.scheduler is None:
            workers = self.local_workers or max(1, (os.cpu_count() or 1) // self.slots)
            try:
                # TLS with certificates made for this cluster (kept in memory): reaching its port on 127.0.0.1 is
                # not enough to run anything on it (docs/integrity.md: code a run leaves for validation).
                security = Security.temporary()
                self.cluster = await LocalCluster(
                    n_workers=workers,
                    threads_per_worker=self.slots,
                    processes=True,
                    host="127.0.0.1",
                    protocol="tls://",
                    security=security,
                    # no dashboard; the scheduler's HTTP server (health, metrics) on a free port
                    dashboard_address=None,
                    scheduler_kwargs={"dashboard_address": "127.0.0.1:0"},
                    silence_logs=logging.ERROR,
                    asynchronous=True,
                    preload=["zebench.execution.executors._local_worker"],  # Ctrl-C stops the batch, not its workers
                )
                self.address = self.cluster.scheduler_address
                return await Client(self.cluster, asynchronous=True, security=security)
            except Exception as exc:  # any failure to start it is the one error the user sees
                raise ExecutorError(f"cannot start a local Dask cluster: {type(exc).__name__}: {exc}") from None
        self.address = self.scheduler
        client = None
        try:
            client = Client(self.scheduler, asynchronous=True, timeout=self.connect_timeout)
            # Dask's timeout bounds the connection, not the handshake: a server that accepts and stays silent (not
            # a Dask scheduler) would keep us waiting for ever.
            async with asyncio.timeout(2 * self.connect_timeout):
                return await client
        except Exception as exc:  # OSError (refused, timed out), ValueError (a bad address)...
            # Something else answering there (an HTTP server...) makes Dask fail on what it reads: say so, not how.
            if isinstance(exc, TimeoutError) and not str(exc):
                why = f"no answer from a Dask scheduler within {2 * self.connect_timeout:g} s"
            elif isinstance(exc, (OSError, ValueError)):
                why = str(exc)
            else:
                why = f"what answers there does not speak Dask's protocol ({type(exc).__name__})"
            raise ExecutorError(
                f"cannot reach the Dask scheduler at {self.scheduler}: {why} (is `dask scheduler` running there? "
                "see --scheduler / ZEBENCH_SCHEDULER and docs/distributed.md)"
            ) from None
        finally:
            if client is not None and client.status != "running":
                with suppress(Exception):  # closed here, on this loop (not by its finaliser at exit: warnings)
                    await client.close()

    async def open(self, job: BatchJob) -> None:
        self._job = job
        self.client = client = await self._connect()
        try:
            package = await asyncio.to_thread(
                batch_package, job.batch_id, job.options, job.plan.agents, job.plan.models, job.scenarios.values()
            )
        except OSError as exc:
            raise ExecutorError(f"cannot read a file an agent setting names: {exc}") from None
        data = package.to_bytes()
        await self._check_workers(client, data, job.options.sandbox)
        client.subscribe_topic(topic(job.batch_id), self._on_event)
        self._subscribed = True
        self._batch_future = client.submit(
            _content, data, key=f"zebench-batch-{job.batch_id}-{self._token}", pure=False
        )
        for scenario in job.scenarios.values():
            content_hash = await asyncio.to_thread(lambda s=scenario: s.content_hash)  # type: ignore[misc]
            if content_hash not in self._packages:
                archive = await asyncio.to_thread(pack_scenario, scenario)
                # Named by content: a scenario already on the cluster (another batch holding it) is not sent twice.
                self._packages[content_hash] = client.submit(
                    _content, archive, key=f"zebench-scenario-{content_hash}", pure=False
                )
        slots = sum(int(w.get("slots", 0)) for w in self.workers.values())
        where = "a local cluster" if self.cluster is not None else "the cluster"
        self.log(f"Dask: {plural(len(self.workers), 'worker')}, {plural(slots, 'slot')} on {where} at {self.address}")
        if not self.workers:
            self.log("Dask: no worker is connected yet; the runs wait for workers to join")
        elif self.resources:
            able = [
                a
                for a, w in self.workers.items()
                if all(w.get("resources", {}).get(k, 0) >= v for k, v in self.resources.items())
            ]
            wanted = ", ".join(f"{k}={v:g}" for k, v in self.resources.items())
            self.log(
                f"Dask: each run takes {wanted} of its worker's resources; {len(able)} of the workers have them"
                + ("" if able else ": the runs wait for such a worker (dask worker --resources)")
            )

    async def _check_workers(self, client: Any, data: bytes, sandbox: str) -> None:
        """Every worker: the same zebench, a usable sandbox, what the agents need (keys in its environment)."""
        replies = await client.run(check_worker, data, on_error="return")
        problems: list[str] = []
        for address, reply in sorted(replies.items()):
            if isinstance(reply, BaseException):
                problems.append(
                    f"worker {address}: cannot run zebench ({type(reply).__name__}: {reply}); install the "
                    f'same version of zebench on every worker: pip install "zebench[dask]=={zebench_version()}"'
                )
                continue
            self.workers[address] = reply
            if reply["version"] != zebench_version():
                problems.append(
                    f"worker {address} has zebench {reply['version']}, this machine {zebench_version()}: "
                    "install the same version on every worker"
                )
                continue
            problems += [f"worker {address}: {p}" for p in reply["problems"]]
            if reply["sandbox"]:
                if sandbox == "bwrap":
                    problems.append(f"worker {address}: --sandbox bwrap: {reply['sandbox']}")
                else:
                    self.log(f"warning: worker {address} runs commands without a sandbox: {reply['sandbox']}")
        if problems:
            raise ExecutorError("the Dask workers cannot run this batch:\n  " + "\n  ".join(problems))

    # -- runs ----------------------------------------------------------------------------------------------------

    def _on_event(self, event: tuple[float, Any]) -> None:
        msg = event[1]
        if not isinstance(msg, dict):
            return
        run = self._runs.get(str(msg.get("key")))
        if run is None or msg.get("event") != "started":
            return
        run.attempts += 1
        run.workers.append(str(msg.get("worker")))
        if run.attempts == 1:
            run.started()
        else:
            self._retries += 1
            self.log(f"Dask: worker {run.workers[-2]} was lost; its run started again on {run.workers[-1]}")

    async def run(self, spec: RunSpec, *, started: Started, on_cancelled: OnCancelled) -> RunRecord:
        assert self.client is not None and self._job is not None and self._batch_future is not None, "open() first"
        key = f"zebench-run-{self._job.batch_id}-{self._token}-{next(self._counter)}"
        payload = remote_run(
            spec.scenario,
            batch_id=self._job.batch_id,
            task_key=key,
            tier=spec.tier,
            agent=spec.agent,
            model=spec.model,
            repeat_index=spec.repeat_index,
            specialist=spec.specialist,
        )
        run = self._runs[key] = _Run(key, started)
        run.future = self.client.submit(
            execute_run,
            payload.model_dump_json(),
            self._packages[payload.scenario_hash],
            self._batch_future,
            key=key,
            pure=False,
            resources=self.resources or None,
        )
        outcome = asyncio.ensure_future(_outcome(run.future))
        try:
            try:
                done, value = await asyncio.shield(outcome)
            except asyncio.CancelledError:
                record = await self._stopped(run, outcome)
                if record is not None:
                    try:
                        await asyncio.shield(on_cancelled(record))
                    except asyncio.CancelledError:
                        pass  # cancelled again: stop waiting; the save goes on (shielded)
                raise
            return self._record(spec, run, done, value)
        finally:
            del self._runs[key]
            outcome.cancel()
            run.future.release()

    def _record(self, spec: RunSpec, run: _Run, done: bool, value: Any) -> RunRecord:
        if done and value is not None:
            record = RunRecord.model_validate_json(value)
            if run.attempts > 1:
                record.metadata["infraRetries"] = run.attempts - 1
                record.metadata["lostWorkers"] = run.workers[:-1]
            return record
        if isinstance(value, FutureCancelledError):  # not by us: the scheduler or our connection to it is gone
            raise ExecutorError(
                f"lost the Dask cluster at {self.address} ({value.reason}); the runs stored so far "
                f"are kept: finish the batch with `zebench run --resume {spec.batch_id}`"
            )
        if isinstance(value, KilledWorker):
            message = (
                f"the workers running this run were lost {max(run.attempts, 1)} times (killed, out of memory "
                f"or disconnected: {', '.join(run.workers) or 'unknown'}); Dask stopped retrying it: {value}"
            )
        elif done:
            message = "the worker returned no record"
        else:
            message = f"the run failed on its worker outside the run itself: {type(value).__name__}: {value}"
        return self._failed(spec, run, message)

    def _failed(self, spec: RunSpec, run: _Run, message: str) -> RunRecord:
        now = utc_now()
        metadata: dict[str, Any] = {"worker": run.workers[-1]} if run.workers else {}
        if run.attempts > 1:
            metadata.update(infraRetries=run.attempts - 1, lostWorkers=run.workers[:-1])
        return RunRecord(
            run_id=new_run_id(),
            batch_id=spec.batch_id,
            suite=spec.scenario.suite,
            scenario=spec.scenario.name,
            tier=spec.tier,
            agent=spec.agent,
            model=spec.model,
            status="failed",
            started_at=now,
            completed_at=now,
            repeat_index=spec.repeat_index,
            metadata=metadata,
            failure=Failure(category="infrastructure", stage="worker", message=message),
        )

    # -- stopping ------------------------------------------------------------------------------------------------

    def _request_stop(self, level: int) -> None:
        if level > self._stop_level:
            self._stop_level = level
            self._stops[level] = asyncio.ensure_future(self._stop(level))

    async def _stop(self, level: int) -> set[str]:
        """Tell every worker to stop the batch (``level`` 2 and more: stop waiting for cleanups; the same level
        again changes nothing there); cancel the runs no worker holds. Returns the keys the workers hold (running,
        or finished and not yet fetched): their records are coming."""
        assert self.client is not None and self._job is not None
        keys: set[str] = set()
        try:
            replies = await self.client.run(stop_batch, self._job.batch_id, level, on_error="return")
        except Exception:  # no scheduler: nothing more will come back anyway
            replies = {}
        for reply in replies.values():
            if isinstance(reply, list):
                keys.update(reply)
        # After the workers know: a task that starts now returns at once without a record. The runs no worker
        # holds (not started, or their worker lost) are cancelled in Dask: no record comes for them (a worker that
        # joins later would not know the batch is stopping).
        orphans = [r.future for r in self._runs.values() if r.key not in keys and r.future is not None]
        if orphans:
            with suppress(Exception):
                await self.client.cancel(orphans, reason="the batch was stopped")
        return keys

    async def _held(self) -> set[str]:
        """The keys the workers hold now (one query shared by the runs waiting for their record)."""
        if self._poll is None or (self._poll.done() and time.monotonic() - self._poll_at >= STOP_POLL_SECONDS):
            self._poll_at = time.monotonic()
            self._poll = asyncio.ensure_future(self._stop(max(self._stop_level, 1)))
        return await asyncio.shield(self._poll)

    async def _stopped(self, run: _Run, outcome: asyncio.Future[tuple[bool, Any]]) -> RunRecord | None:
        """The record of a run whose batch is stopping (its ``cancelled`` one, or the one it finished with), or None
        when no worker holds it (not started, or its worker was lost meanwhile: ``--resume`` redoes it)."""
        level = 1
        while True:
            self._request_stop(level)
            try:
                held = await asyncio.shield(self._stops[1])
                while run.key in held and not outcome.done():
                    await asyncio.wait({outcome}, timeout=STOP_POLL_SECONDS)
                    if not outcome.done():
                        held = await self._held()  # a worker lost while its runs clean up would never answer
                if not outcome.done():
                    return None
                done, value = outcome.result()
                break
            except asyncio.CancelledError:
                level += 1  # asked again: the workers stop waiting for the runs' cleanup
        if done and value is not None:
            record = RunRecord.model_validate_json(value)
            if run.attempts > 1:
                record.metadata.update(infraRetries=run.attempts - 1, lostWorkers=run.workers[:-1])
            return record
        return None

    # -- close ---------------------------------------------------------------------------------------------------

    async def close(self) -> None:
        client, self.client = self.client, None
        try:
            if client is not None:
                if self._job is not None:
                    if self._subscribed:
                        with suppress(Exception):
                            client.unsubscribe_topic(topic(self._job.batch_id))
                    with suppress(Exception):
                        await asyncio.wait_for(
                            client.run(close_batch, self._job.batch_id, on_error="ignore"), CLOSE_TIMEOUT
                        )
                for future in [*self._packages.values(), *([self._batch_future] if self._batch_future else [])]:
                    future.release()
                with suppress(Exception):
                    await asyncio.wait_for(client.close(), CLOSE_TIMEOUT)
        finally:
            cluster, self.cluster = self.cluster, None
            if cluster is not None:
                with suppress(Exception):
                    await asyncio.wait_for(cluster.close(), CLOSE_TIMEOUT)

    def metadata(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "scheduler": self.address,
            "localCluster": self.cluster is not None,
            "workers": len(self.workers),
            "slots": sum(int(w.get("slots", 0)) for w in self.workers.values()),
            **({"resources": self.resources} if self.resources else {}),
        }

    def infra_retries(self) -> int:
        return self._retries


# --------------------------------------------------------------------------------------------------------------
# The workers (these functions run in a Dask worker process, on its event loop)
# --------------------------------------------------------------------------------------------------------------


@dataclass
class _WorkerBatch:
    """A batch as one worker sees it."""

    baselines: BaselineCache | None = None
    #: Raised by stop_batch: runs are cancelled (level 2: again) and tasks that start return at once.
    stop_level: int = 0
    running: dict[str, asyncio.Task[str | None]] = field(default_factory=dict)
    #: Runs of this batch that returned a record here.
    finished: set[str] = field(default_factory=set)


_BATCHES: OrderedDict[str, _WorkerBatch] = OrderedDict()
_PREPARED: OrderedDict[str, PreparedBatch] = OrderedDict()
_CACHE: list[ScenarioCache] = []
_SCENARIOS: dict[tuple[str, ...], Any] = {}
_SUBREAPER: list[bool] = []


def _batch_state(batch_id: str) -> _WorkerBatch:
    state = _BATCHES.get(batch_id)
    if state is None:
        state = _BATCHES[batch_id] = _WorkerBatch()
        idle = [b for b, s in _BATCHES.items() if not s.running and b != batch_id]
        for old in idle[: max(0, len(_BATCHES) - MAX_WORKER_BATCHES)]:  # a coordinator that never closed them
            dropped = _BATCHES.pop(old)
            if dropped.baselines is not None:
                asyncio.ensure_future(dropped.baselines.close())
    return state


async def _prepared(data: bytes) -> PreparedBatch:
    digest = hashlib.sha256(data).hexdigest()
    prepared = _PREPARED.get(digest)
    if prepared is None:
        prepared = await asyncio.to_thread(lambda: PreparedBatch(BatchPackage.from_bytes(data)))
        _PREPARED[digest] = prepared
        while len(_PREPARED) > MAX_WORKER_BATCHES:
            _PREPARED.popitem(last=False)
    prepared.register_agents()  # again for each run: another batch may register another class under the name
    return prepared


def _cache() -> ScenarioCache:
    if not _CACHE:
        _CACHE.append(ScenarioCache())
    return _CACHE[0]


async def check_worker(batch_data: bytes, dask_worker: Any = None) -> dict[str, Any]:
    """What the coordinator checks before it submits runs (``Client.run`` on every worker)."""
    report: dict[str, Any] = {
        "version": zebench_version(),
        "python": sys.version.split()[0],
        "name": str(dask_worker.name),
        "slots": dask_worker.state.nthreads,
        "sandbox": None,
        "problems": [],
        "resources": dict(dask_worker.state.total_resources),
    }
    try:
        prepared = await _prepared(batch_data)
    except Exception as exc:  # reported to the coordinator
        report["problems"].append(f"cannot read the batch: {type(exc).__name__}: {exc}")
        return report
    if prepared.package.options.sandbox != "none":
        report["sandbox"] = await asyncio.to_thread(bwrap_problem)
    report["problems"] += await asyncio.to_thread(prepared.check_agents)
    return report


async def stop_batch(batch_id: str, level: int) -> list[str]:
    """Stop a batch on this worker: cancel its runs (each returns its cancelled record) and refuse new ones.
    Returns the keys of the batch's runs here, running or finished (their results are still to be fetched)."""
    state = _batch_state(batch_id)
    if level > state.stop_level:
        state.stop_level = level
        for task in state.running.values():
            task.cancel()
    return sorted(set(state.running) | state.finished)


async def close_batch(batch_id: str) -> None:
    """The coordinator is done with a batch: its baselines are cancelled and forgotten."""
    state = _BATCHES.pop(batch_id, None)
    if state is not None and state.baselines is not None:
        await state.baselines.close()
    for digest, prepared in list(_PREPARED.items()):
        if prepared.package.batch_id == batch_id:
            del _PREPARED[digest]


async def execute_run(run_json: str, archive: bytes, batch_data: bytes) -> str | None:
    """One run on this worker: its RunRecord as JSON, or None when its batch was stopped before it started."""
    worker = get_worker()
    run = RemoteRun.model_validate_json(run_json)
    prepared = await _prepared(batch_data)
    state = _batch_state(run.batch_id)
    if state.stop_level:
        return None
    if state.baselines is None:
        state.baselines = BaselineCache(prepared.options(None).workspace_root)
    # No await from the stop check to here: a stop_batch either came before (None above) or sees this run.
    worker.log_event(topic(run.batch_id), {"key": run.task_key, "event": "started", "worker": worker.address})
    inner = asyncio.ensure_future(_run(run, archive, prepared, state, worker.address))
    state.running[run.task_key] = inner
    watch = asyncio.ensure_future(_watch_release(worker, run.task_key, inner))
    try:
        try:
            await asyncio.wait({inner})
        except asyncio.CancelledError:
            # The worker is closing (SIGTERM, a scaled-down cluster): the run cleans up, then Dask gives the task to
            # another worker (an infrastructure retry).
            inner.cancel()
            await asyncio.wait({inner})
            raise
        result = inner.result()
        if result is not None:
            state.finished.add(run.task_key)
        return result
    finally:
        watch.cancel()
        state.running.pop(run.task_key, None)


async def _watch_release(worker: Any, key: str, inner: asyncio.Task[str | None]) -> None:
    """Cancel the run when its task is no longer wanted (the coordinator was killed or cancelled it)."""
    while not inner.done():
        await asyncio.sleep(RELEASE_POLL_SECONDS)
        task = worker.state.tasks.get(key)
        if task is None or task.state == "cancelled":
            inner.cancel()
            return


async def _run(
    run: RemoteRun, archive: bytes, prepared: PreparedBatch, state: _WorkerBatch, address: str
) -> str | None:
    stash: list[RunRecord] = []

    async def keep(record: RunRecord) -> None:
        stash.append(record)

    try:
        cache = _cache()
        root = await asyncio.to_thread(cache.ensure, run, archive)
        memo = (run.scenario_hash, run.suite, run.scenario, *run.warnings, run.policy.model_dump_json())
        scenario = _SCENARIOS.get(memo)
        if scenario is None:
            scenario = _SCENARIOS[memo] = await asyncio.to_thread(cache.scenario, run, root)
        options = prepared.options(state.baselines)
        if not _SUBREAPER:
            _SUBREAPER.append(True)
            with suppress(SandboxError):
                if (await asyncio.to_thread(resolve_mode, options.sandbox))[0] == "none":
                    become_subreaper()  # orphans of a command whose reaper was killed come here and are killed
        record = await run_one(
            RunSpec(
                scenario, run.tier, run.agent, run.model, run.repeat_index, run.batch_id, specialist=run.specialist
            ),
            options,
            on_cancelled=keep,
        )
    except asyncio.CancelledError:
        if not (state.stop_level and stash):
            return None  # released, or not started far enough to have a record
        record = stash[0]
    record = prepared.as_given(record)
    record.metadata["worker"] = address
    return record.model_dump_json(by_alias=True)
