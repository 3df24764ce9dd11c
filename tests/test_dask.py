"""``--executor dask``: the runs of a batch on a Dask cluster, the records written by the coordinator only.

Two kinds of cluster: a LocalCluster started by the executor itself, and ``dask scheduler`` / ``dask worker``
processes started as a user starts them on their hosts (zebench.testing.DaskProcesses).
"""

from __future__ import annotations

import asyncio
import json
import os
import secrets
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from zebench.agents import Agent, AgentResult, AgentTask, register_agent
from zebench.catalog import Catalog
from zebench.execution.batch import (
    BatchError,
    BatchInterrupted,
    StopRequest,
    make_plan,
    run_batch,
)
from zebench.execution.executors import (
    ExecutorError,
    ExecutorOptions,
    executor_class,
    parse_resources,
)
from zebench.execution.executors.dask import DaskExecutor
from zebench.execution.executors.local import LocalExecutor
from zebench.execution.executors.remote import (
    RemoteError,
    RemoteRun,
    ScenarioCache,
    batch_package,
    pack_scenario,
    remote_run,
)
from zebench.execution.runner import RunOptions
from zebench.models import RunRecord
from zebench.store import Store
from zebench.testing import DaskProcesses, FakeModelServer, text_message

from .conftest import make_scenario, run, write

#: Keys whose values differ between two runs of the same thing (ids, clocks, paths, where it ran).
VOLATILE = {
    "runId",
    "batchId",
    "startedAt",
    "completedAt",
    "durationMs",
    "stageMs",
    "workspaceDir",
    "worker",
    "outputTail",
}

QUICK_YAML = """
id: {name}
suite: {suite}
title: "No commands: only the agent"
timeout_minutes: 1
validation:
  required: false
"""


def _normal(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _normal(v) for k, v in value.items() if k not in VOLATILE}
    if isinstance(value, list):
        return [_normal(v) for v in value]
    return value


def _records(store: Store, batch_id: str) -> dict[tuple[Any, ...], Any]:
    """The stored runs of a batch by key, without what differs between two runs of the same thing."""
    rows = store.db.execute("SELECT run_id FROM benchmark_runs WHERE batch_id = ?", [batch_id]).fetchall()
    found: dict[tuple[Any, ...], Any] = {}
    for (run_id,) in rows:
        record = store.get_run(run_id)
        assert record is not None
        key = (record.suite, record.scenario, record.tier, record.agent, record.model, record.repeat_index)
        assert key not in found, f"stored twice: {key}"
        found[key] = _normal(json.loads(record.model_dump_json(by_alias=True)))
    return found


def _suites(tmp_path: Path) -> Path:
    root = tmp_path / "suites"
    make_scenario(root, name="one", tiers=("L0", "L1"))
    make_scenario(root, suite="other", name="two", tiers=("L1",))
    return root


class _Gate(Agent):
    """Announces its start in ``gate_dir`` (a file named by the worker's pid), then waits for ``release`` there."""

    name = "dask-gate"

    async def run(self, task: AgentTask, tools: Any) -> AgentResult:
        gate = Path(task.settings["gate_dir"])
        (gate / f"{os.getpid()}-{secrets.token_hex(4)}").touch()
        while not (gate / "release").exists():
            await asyncio.sleep(0.02)
        task.result.final_text = "released"
        return task.result


class _Counting:
    """A Reporter that counts the runs that started (a worker announced them) and ended."""

    def __init__(self) -> None:
        self.started = 0
        self.finished: list[RunRecord] = []

    def start(self, batch_id: str, total: int, already_done: int) -> None: ...
    def run_started(self, key: Any) -> None:
        self.started += 1

    def run_finished(self, record: RunRecord) -> None:
        self.finished.append(record)

    def finish(self) -> None: ...


@pytest.fixture
def cluster(tmp_path: Path) -> Any:
    with DaskProcesses(tmp_path / "cluster") as processes:
        processes.start_scheduler()
        yield processes


# ---------------------------------------------------------------------------------------------------------------
# What travels, on its own (no cluster)
# ---------------------------------------------------------------------------------------------------------------


def test_scenario_content_travels_by_hash_and_is_checked(tmp_path: Path) -> None:
    suites = _suites(tmp_path)
    scenario = Catalog(suites).scenario("demo", "one")
    assert scenario.fixture_dir is not None
    os.symlink("calc.py", scenario.fixture_dir / "link.py")
    archive = pack_scenario(scenario)
    run_ = remote_run(scenario, batch_id="b", task_key="k", tier="L1", agent="echo", model=None, repeat_index=0)
    cache = ScenarioCache(tmp_path / "cache")
    root = cache.ensure(run_, archive)
    assert root == tmp_path / "cache" / scenario.content_hash
    copy = cache.scenario(run_, root)
    assert copy.prompt("L1") == scenario.prompt("L1")
    assert copy.spec == scenario.spec
    assert os.readlink(root / "scenario" / "repo-fixture" / "link.py") == "calc.py"  # a link stays a link
    assert ScenarioCache._scenario(run_, root).content_hash == scenario.content_hash
    assert cache.ensure(run_, b"not even an archive") == root  # cached: the archive is not read again

    # Content that does not match its hash is refused and leaves nothing in the cache.
    tampered = run_.model_copy(update={"scenario_hash": "0" * 64})
    with pytest.raises(RemoteError, match="does not match its hash"):
        ScenarioCache(tmp_path / "other").ensure(tampered, archive)
    assert list((tmp_path / "other").iterdir()) == []
    with pytest.raises(RemoteError, match="not a content hash"):
        cache.ensure(run_.model_copy(update={"scenario_hash": "../x"}), archive)


def test_what_travels_carries_no_secret(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    secret = "sk-ant-" + secrets.token_hex(16)
    monkeypatch.setenv("ANTHROPIC_API_KEY", secret)
    monkeypatch.setenv("ZE_BENCHMARKS_API_KEY", secret)
    suites = _suites(tmp_path)
    calls = write(tmp_path / "calls.json", json.dumps([{"name": "listFiles", "input": {"path": "."}}]))
    options = RunOptions(agent_settings={"replay_file": str(calls), "max_turns": 3})
    package = batch_package("b", options, ["replay", "anthropic"], ["claude-x"])
    scenario = Catalog(suites).scenario("demo", "one")
    payload = remote_run(
        scenario, batch_id="b", task_key="k", tier="L1", agent="anthropic", model="claude-x", repeat_index=0
    ).model_dump_json()
    for data in (package.to_bytes(), payload.encode(), pack_scenario(scenario)):
        assert secret.encode() not in data
    # The replay file travels with its content; the record names it as it was given.
    assert [(f.setting, f.path, f.data) for f in package.files] == [("replay_file", str(calls), calls.read_bytes())]
    assert RemoteRun.model_validate_json(payload).scenario_hash == scenario.content_hash


def test_executor_choice_errors() -> None:
    with pytest.raises(ExecutorError, match="unknown executor 'ray'; available: dask, local"):
        executor_class("ray")
    assert executor_class("dask") is DaskExecutor
    with pytest.raises(ExecutorError, match="--dask-workers starts a local cluster"):
        DaskExecutor.from_options(ExecutorOptions(concurrency=2, address="tcp://127.0.0.1:1", workers=2), print)
    with pytest.raises(ExecutorError, match="--dask-resources needs --scheduler"):
        DaskExecutor.from_options(ExecutorOptions(resources={"heavy": 1}), print)
    with pytest.raises(ExecutorError, match="need --executor dask"):
        LocalExecutor.from_options(ExecutorOptions(resources={"heavy": 1}), print)
    assert parse_resources("heavy=1, gpu=0.5") == {"heavy": 1.0, "gpu": 0.5}
    for bad in ("heavy", "heavy=0", "=1", "heavy=x", ","):
        with pytest.raises(ExecutorError, match="--dask-resources"):
            parse_resources(bad)


# ---------------------------------------------------------------------------------------------------------------
# On a cluster
# ---------------------------------------------------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize("where", ["local-cluster", "processes"])
def test_every_run_stored_once_with_the_records_of_the_local_executor(
    tmp_path: Path, db_path: Path, where: str
) -> None:
    """The same batch with the local executor and on a cluster: the same records, each stored once. The
    separately started workers cannot see the suites folder (it is empty for them): the content comes by hash."""
    suites = _suites(tmp_path)
    plan, _ = make_plan(Catalog(suites), [], tiers=[], agents=["echo", "oracle"], models=[], repeat=2)
    expected = len(plan.keys())
    assert expected == 12
    output = tmp_path / "dask.jsonl"
    store = Store(db_path)
    try:
        run(run_batch(store, plan, batch_id="local", concurrency=4))
        with DaskProcesses(tmp_path / "cluster") as processes:
            if where == "local-cluster":
                executor = DaskExecutor(None, slots=2, local_workers=2)
            else:
                processes.start_scheduler()
                for name in ("w1", "w2"):
                    processes.start_worker(name, nthreads=2, hide=[suites])
                processes.wait_for_workers()
                executor = DaskExecutor(processes.address)
            reporter = _Counting()
            result = run(run_batch(store, plan, batch_id="dask", executor=executor, output=output, reporter=reporter))
            if where == "processes":
                for worker in processes.workers.values():  # each got the content it ran, by hash, in its cache
                    cached = {p.name for p in (worker.cache / "scenarios").iterdir()}
                    assert cached <= {s.content_hash for s in Catalog(suites).select([])}
                    assert cached
        local, dask = _records(store, "local"), _records(store, "dask")
        assert len(dask) == expected
        assert dask == local
        assert len(result.records) == expected
        assert reporter.started == expected
        assert len(reporter.finished) == expected
        assert sorted(json.loads(line)["runId"] for line in output.read_text().splitlines()) == sorted(
            r.run_id for r in result.records
        )
        workers = {r.metadata["worker"] for r in result.records}
        assert len(workers) == 2  # both workers ran runs
        batch = store.get_batch("dask")
        assert batch is not None
        assert batch.completed_at is not None
        assert batch.total_runs == expected
        assert batch.metadata["executor"]["name"] == "dask"
        assert batch.metadata["executor"]["slots"] == 4
        assert "infraRetries" not in batch.metadata
    finally:
        store.close()


@pytest.mark.slow
def test_a_worker_killed_mid_batch(tmp_path: Path, store: Store, cluster: DaskProcesses) -> None:
    """kill -9 of a worker running runs: they start again on the other worker (counted infrastructure retries),
    each run is stored exactly once and none is lost."""
    register_agent("dask-gate", _Gate)
    suites = tmp_path / "suites"
    make_scenario(
        suites, name="quick", tiers=("L0", "L1", "L2"), yaml_text=QUICK_YAML.format(name="quick", suite="demo")
    )
    gate = tmp_path / "gate"
    gate.mkdir()
    plan, _ = make_plan(
        Catalog(suites), [], tiers=[], agents=["dask-gate"], models=[], repeat=2, agent_settings={"gate_dir": str(gate)}
    )
    victim = cluster.start_worker("victim", nthreads=2)
    cluster.start_worker("survivor", nthreads=2)
    cluster.wait_for_workers()
    reporter = _Counting()
    lines: list[str] = []

    async def scenario() -> Any:
        executor = DaskExecutor(cluster.address, log=lines.append)
        batch = asyncio.ensure_future(run_batch(store, plan, batch_id="b", executor=executor, reporter=reporter))
        deadline = time.monotonic() + 120
        # Both workers busy (4 slots, 6 runs), the coordinator told of the victim's two starts.
        while not (reporter.started == 4 and len(list(gate.glob(f"{victim.proc.pid}-*"))) == 2):
            assert time.monotonic() < deadline, (reporter.started, list(gate.iterdir()))
            assert not batch.done(), (reporter.started, list(gate.iterdir()))
            await asyncio.sleep(0.02)
        await asyncio.to_thread(cluster.kill_worker, "victim")
        (gate / "release").touch()
        return await batch

    result = run(scenario())
    rows = store.db.execute("SELECT suite, scenario, tier, repeat_index, status FROM benchmark_runs").fetchall()
    assert len(rows) == 6
    assert len({r[:4] for r in rows}) == 6
    assert {r[4] for r in rows} == {"completed"}
    retried = [r for r in result.records if r.metadata.get("infraRetries")]
    assert len(retried) == 2
    for record in retried:
        assert record.metadata["infraRetries"] == 1
        assert len(record.metadata["lostWorkers"]) == 1
        assert record.metadata["worker"] != record.metadata["lostWorkers"][0]
        stored = store.get_run(record.run_id)
        assert stored is not None
        assert stored.metadata["infraRetries"] == 1
    batch = store.get_batch("b")
    assert batch is not None
    assert batch.metadata["infraRetries"] == 2
    assert batch.completed_at is not None
    assert sum("was lost" in line for line in lines) == 2


@pytest.mark.slow
def test_a_stopped_batch_records_its_runs_in_flight_and_resumes(
    tmp_path: Path, store: Store, cluster: DaskProcesses
) -> None:
    register_agent("dask-gate", _Gate)
    suites = tmp_path / "suites"
    make_scenario(
        suites, name="quick", tiers=("L0", "L1", "L2"), yaml_text=QUICK_YAML.format(name="quick", suite="demo")
    )
    gate = tmp_path / "gate"
    gate.mkdir()
    plan, _ = make_plan(
        Catalog(suites), [], tiers=[], agents=["dask-gate"], models=[], agent_settings={"gate_dir": str(gate)}
    )
    cluster.start_worker("w1", nthreads=2)
    cluster.wait_for_workers()
    reporter = _Counting()

    async def scenario() -> BatchInterrupted:
        stop = StopRequest()
        batch = asyncio.ensure_future(
            run_batch(store, plan, batch_id="b", executor=DaskExecutor(cluster.address), reporter=reporter, stop=stop)
        )
        deadline = time.monotonic() + 120
        while len(list(gate.iterdir())) < 2:
            assert time.monotonic() < deadline
            assert not batch.done()
            await asyncio.sleep(0.02)
        stop.request(signal.SIGINT)
        with pytest.raises(BatchInterrupted) as caught:
            await batch
        return caught.value

    interrupted = run(scenario())
    assert len(interrupted.result.cancelled) == 2
    assert interrupted.result.records == []
    rows = store.db.execute("SELECT status, failure_category, failure_stage FROM benchmark_runs").fetchall()
    assert rows == [("cancelled", "cancelled", "agent")] * 2  # the third run never started: nothing stored
    (gate / "release").touch()
    resumed = run(run_batch(store, None, batch_id="b", resume=True, executor=DaskExecutor(cluster.address)))
    assert len(resumed.records) == 3
    assert {r.status for r in resumed.records} == {"completed"}
    assert len(store.batch_keys("b")) == 3


@pytest.mark.slow
def test_api_keys_come_from_the_workers_environment(
    tmp_path: Path, store: Store, cluster: DaskProcesses, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The coordinator has no key; the worker has one in its environment and uses it; a worker without one is
    refused before anything runs or is stored."""
    monkeypatch.delenv("ANTHROPIC_API_KEY", raising=False)
    key = "sk-ant-" + secrets.token_hex(12)
    suites = tmp_path / "suites"
    make_scenario(suites, name="quick", tiers=("L1",), yaml_text=QUICK_YAML.format(name="quick", suite="demo"))
    plan, _ = make_plan(
        Catalog(suites), [], tiers=[], agents=["anthropic"], models=["claude-sonnet-4-6"], check_environment=False
    )
    with pytest.raises(BatchError, match="ANTHROPIC_API_KEY"):
        make_plan(Catalog(suites), [], tiers=[], agents=["anthropic"], models=["claude-sonnet-4-6"])
    with FakeModelServer() as server:
        server.default_anthropic = lambda body: text_message("done")
        cluster.start_worker("keyless", nthreads=1, env={"ANTHROPIC_BASE_URL": server.url})
        cluster.wait_for_workers()
        with pytest.raises(BatchError, match=r"worker tcp://\S+: agent anthropic: set ANTHROPIC_API_KEY"):
            run(run_batch(store, plan, batch_id="b", executor=DaskExecutor(cluster.address)))
        assert store.get_batch("b") is None
        cluster.kill_worker("keyless")

        cluster.start_worker("keyed", nthreads=1, env={"ANTHROPIC_BASE_URL": server.url, "ANTHROPIC_API_KEY": key})
        cluster.wait_for_workers()
        result = run(run_batch(store, plan, batch_id="b", executor=DaskExecutor(cluster.address)))
    (record,) = result.records
    assert record.status == "completed", record.failure
    assert server.requests
    assert all(key in r.headers.get("x-api-key", "") + r.headers.get("authorization", "") for r in server.requests)
    assert key not in record.model_dump_json()


# ---------------------------------------------------------------------------------------------------------------
# The command line
# ---------------------------------------------------------------------------------------------------------------


def _zebench(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "zebench", *args],
        check=False,
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, **(env or {})},
    )


@pytest.mark.slow
def test_an_unreachable_scheduler_is_a_clear_error_and_writes_nothing(tmp_path: Path) -> None:
    import socket

    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    db = tmp_path / "z.db"
    done = _zebench(
        "run",
        "--suites-dir",
        str(_suites(tmp_path)),
        "--db",
        str(db),
        "-a",
        "echo",
        "--executor",
        "dask",
        env={"ZEBENCH_SCHEDULER": f"tcp://127.0.0.1:{port}"},
    )
    assert done.returncode == 2, done.stderr
    assert f"cannot reach the Dask scheduler at tcp://127.0.0.1:{port}" in done.stderr
    assert "Traceback" not in done.stderr
    assert "RuntimeWarning" not in done.stderr
    with FakeModelServer() as server:  # something that is not a Dask scheduler answers there
        port = int(server.url.rsplit(":", 1)[1])
        done = _zebench(
            "run",
            "--suites-dir",
            str(_suites(tmp_path)),
            "--db",
            str(db),
            "-a",
            "echo",
            "--executor",
            "dask",
            "--scheduler",
            f"tcp://127.0.0.1:{port}",
        )
    assert done.returncode == 2, done.stderr
    assert f"cannot reach the Dask scheduler at tcp://127.0.0.1:{port}" in done.stderr
    assert "Traceback" not in done.stderr
    assert "RuntimeWarning" not in done.stderr
    store = Store(db)
    assert store.db.execute("SELECT COUNT(*) FROM benchmark_runs").fetchone()[0] == 0
    assert store.db.execute("SELECT COUNT(*) FROM batch_runs").fetchone()[0] == 0
    store.close()


def test_scheduler_options_need_the_dask_executor(tmp_path: Path) -> None:
    done = _zebench(
        "run",
        "--suites-dir",
        str(_suites(tmp_path)),
        "--db",
        str(tmp_path / "z.db"),
        "-a",
        "echo",
        "--scheduler",
        "tcp://127.0.0.1:1",
    )
    assert done.returncode == 2
    assert "--scheduler needs --executor dask" in done.stderr
    done = _zebench(
        "run", "--suites-dir", str(_suites(tmp_path)), "--db", str(tmp_path / "z.db"), "-a", "echo", "--executor", "ray"
    )
    assert done.returncode == 2
    assert "unknown executor 'ray'" in done.stderr
    done = _zebench(
        "run",
        "--suites-dir",
        str(_suites(tmp_path)),
        "--db",
        str(tmp_path / "z.db"),
        "-a",
        "echo",
        "--executor",
        "dask",
        "--scheduler",
        "tcp://127.0.0.1:1",
        "--dask-resources",
        "heavy",
    )
    assert done.returncode == 2
    assert "--dask-resources: expected NAME=N" in done.stderr
    assert not (tmp_path / "z.db").exists() or Store(tmp_path / "z.db").get_batch("x") is None


@pytest.mark.slow
def test_a_coordinator_killed_mid_batch_resumes(tmp_path: Path, cluster: DaskProcesses) -> None:
    """kill -9 of `zebench run --executor dask`: the runs stored so far stay, `--resume` does the rest, each run
    is stored once."""
    suites = _suites(tmp_path)
    cluster.start_worker("w1", nthreads=2, hide=[suites])
    cluster.wait_for_workers()
    replay = write(tmp_path / "calls.json", json.dumps([{"name": "runCommand", "input": {"command": "sleep 0.3"}}]))
    db, output = tmp_path / "z.db", tmp_path / "results.jsonl"
    base = [
        sys.executable,
        "-m",
        "zebench",
        "run",
        "--db",
        str(db),
        "--suites-dir",
        str(suites),
        "--output",
        str(output),
        "--executor",
        "dask",
        "--scheduler",
        str(cluster.address),
    ]
    args = base + ["-a", "replay", "-a", "echo", "--replay-file", str(replay), "-n", "2", "--batch-id", "killed"]
    expected = 3 * 2 * 2
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    finished = 0
    assert proc.stderr is not None
    for line in proc.stderr:  # one line per finished run (not a terminal): kill after the third
        if line.startswith("["):
            finished += 1
            if finished == 3:
                os.kill(proc.pid, signal.SIGKILL)
                break
    proc.wait()
    assert proc.returncode == -signal.SIGKILL
    store = Store(db)
    assert 3 <= store.db.execute("SELECT COUNT(*) FROM benchmark_runs").fetchone()[0] < expected
    store.close()

    done = subprocess.run(base + ["--resume", "killed"], check=False, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr + done.stdout
    store = Store(db)
    try:
        keys = store.db.execute(
            "SELECT suite, scenario, tier, agent, repeat_index, status FROM benchmark_runs WHERE batch_id = 'killed'"
        ).fetchall()
        assert len(keys) == expected
        assert len({k[:5] for k in keys}) == expected
        assert {k[5] for k in keys} == {"completed"}
        batch = store.get_batch("killed")
        assert batch is not None
        assert batch.completed_at is not None
        assert batch.total_runs == expected
    finally:
        store.close()
    assert len(output.read_text().splitlines()) == expected


_COORDINATOR = """
import asyncio, sys
from pathlib import Path
from tests.test_dask import _Gate
from zebench.agents import register_agent
from zebench.batch import make_plan, run_batch
from zebench.catalog import Catalog
from zebench.executors.dask import DaskExecutor
from zebench.store import Store

tmp = Path(sys.argv[2])
register_agent("dask-gate", _Gate)
plan, _ = make_plan(Catalog(tmp / "suites"), [], tiers=[], agents=["dask-gate"], models=[],
                    agent_settings={"gate_dir": str(tmp / "gate")})
asyncio.run(run_batch(Store(tmp / "z.db"), plan, batch_id="b", executor=DaskExecutor(sys.argv[1]),
                      workspace_root=tmp / "ws"))
"""


@pytest.mark.slow
def test_the_runs_of_a_killed_coordinator_stop_on_the_workers(tmp_path: Path, cluster: DaskProcesses) -> None:
    """Nobody will take their records: the workers cancel them (their workspaces removed) instead of running on."""
    make_scenario(
        tmp_path / "suites", name="quick", tiers=("L0", "L1"), yaml_text=QUICK_YAML.format(name="quick", suite="demo")
    )
    for name in ("gate", "ws"):
        (tmp_path / name).mkdir()
    cluster.start_worker("w1", nthreads=2)
    cluster.wait_for_workers()
    repo = Path(__file__).resolve().parent.parent
    coordinator = subprocess.Popen([sys.executable, "-c", _COORDINATOR, str(cluster.address), str(tmp_path)], cwd=repo)
    try:
        deadline = time.monotonic() + 120
        while len(list((tmp_path / "gate").iterdir())) < 2:  # both runs are in their agent (it never ends)
            assert time.monotonic() < deadline
            assert coordinator.poll() is None
            time.sleep(0.02)
        # the two runs' workspaces (with bubblewrap each also has the copy it will be scored on, made meanwhile)
        workspaces = [p for p in (tmp_path / "ws").glob("zebench-1*") if "-verified-" not in p.name]
        assert len(workspaces) == 2
    finally:
        coordinator.kill()
        coordinator.wait()
    deadline = time.monotonic() + 60
    while list((tmp_path / "ws").glob("zebench-*")):  # cancelled: cleaned up (workspaces and sandbox folders)
        assert time.monotonic() < deadline, list((tmp_path / "ws").iterdir())
        time.sleep(0.02)
    assert cluster.workers["w1"].proc.poll() is None  # the worker itself goes on


@pytest.mark.slow
def test_a_scheduler_lost_mid_batch_ends_it_with_a_resume_hint(
    tmp_path: Path, store: Store, cluster: DaskProcesses
) -> None:
    register_agent("dask-gate", _Gate)
    suites = tmp_path / "suites"
    make_scenario(suites, name="quick", tiers=("L0", "L1"), yaml_text=QUICK_YAML.format(name="quick", suite="demo"))
    gate = tmp_path / "gate"
    gate.mkdir()
    plan, _ = make_plan(
        Catalog(suites), [], tiers=[], agents=["dask-gate"], models=[], agent_settings={"gate_dir": str(gate)}
    )
    cluster.start_worker("w1", nthreads=1)
    cluster.wait_for_workers()

    async def scenario() -> None:
        batch = asyncio.ensure_future(run_batch(store, plan, batch_id="b", executor=DaskExecutor(cluster.address)))
        deadline = time.monotonic() + 120
        while not list(gate.iterdir()):
            assert time.monotonic() < deadline
            assert not batch.done()
            await asyncio.sleep(0.02)
        await asyncio.to_thread(DaskProcesses._kill, cluster.scheduler)
        await batch

    with pytest.raises(ExecutorError, match=r"lost the Dask cluster .* `zebench run --resume b`"):
        run(scenario())
    batch = store.get_batch("b")
    assert batch is not None
    assert batch.completed_at is None


@pytest.mark.slow
def test_ctrl_c_stops_a_local_cluster_batch_like_a_local_one(tmp_path: Path) -> None:
    """Ctrl-C reaches the whole foreground process group, the local cluster's workers too: they ignore it, the
    coordinator stops the batch, the runs in flight are stored as cancelled and the exit code is 130."""
    suites = tmp_path / "suites"
    make_scenario(suites, name="one", tiers=("L0", "L1", "L2"))
    calls = write(
        tmp_path / "calls.json", json.dumps([{"name": "runCommand", "input": {"command": "touch started; sleep 1000"}}])
    )
    workspaces = tmp_path / "ws"
    workspaces.mkdir()
    db = tmp_path / "z.db"
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "zebench",
            "run",
            "--suites-dir",
            str(suites),
            "--db",
            str(db),
            "-a",
            "replay",
            "--replay-file",
            str(calls),
            "--command-timeout",
            "3600",
            "--workspace-dir",
            str(workspaces),
            "--executor",
            "dask",
            "--dask-workers",
            "1",
            "-j",
            "2",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 120
        while len(list(workspaces.glob("zebench-1*/started"))) < 2:  # a bounded poll: two runs in flight
            assert time.monotonic() < deadline, proc.stderr.read() if proc.stderr else ""
            assert proc.poll() is None, proc.stderr.read() if proc.stderr else ""
            time.sleep(0.02)
        os.killpg(proc.pid, signal.SIGINT)  # what a terminal does
        _, err = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    assert proc.returncode == 130, err
    assert "2 runs in flight recorded as cancelled" in err
    store = Store(db)
    try:
        rows = store.db.execute("SELECT status, failure_category FROM benchmark_runs").fetchall()
        assert rows == [("cancelled", "cancelled")] * 2
    finally:
        store.close()
    assert not list(workspaces.glob("zebench-1*"))  # cleaned up on the worker


@pytest.mark.slow
def test_runs_that_take_worker_resources_go_to_the_workers_that_have_them(
    tmp_path: Path, store: Store, cluster: DaskProcesses
) -> None:
    """--dask-resources heavy=1: only a worker started with --resources heavy=N runs them (N at once)."""
    suites = tmp_path / "suites"
    make_scenario(
        suites, name="quick", tiers=("L0", "L1", "L2"), yaml_text=QUICK_YAML.format(name="quick", suite="demo")
    )
    plan, _ = make_plan(Catalog(suites), [], tiers=[], agents=["echo"], models=[], repeat=2)
    cluster.start_worker("big", nthreads=2, args=["--resources", "heavy=1"])
    cluster.start_worker("small", nthreads=2)
    cluster.wait_for_workers()
    lines: list[str] = []
    executor = DaskExecutor(cluster.address, resources={"heavy": 1}, log=lines.append)
    result = run(run_batch(store, plan, batch_id="b", executor=executor))
    assert len(result.records) == 6
    workers = {r.metadata["worker"] for r in result.records}
    assert len(workers) == 1
    assert executor.workers[workers.pop()]["name"] == "big"
    assert any("each run takes heavy=1 of its worker's resources; 1 of the workers have them" in line for line in lines)
    batch = store.get_batch("b")
    assert batch is not None
    assert batch.metadata["executor"]["resources"] == {"heavy": 1}
