from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from zebench.catalog import Catalog
from zebench.execution.batch import BatchError, make_plan, run_batch
from zebench.store import Store

from .conftest import make_scenario, run, stored_batch, write


def _suites(tmp_path: Path) -> Path:
    root = tmp_path / "suites"
    make_scenario(root, name="one", tiers=("L0", "L1"))
    make_scenario(root, name="two", tiers=("L1", "Lx"))
    make_scenario(root, suite="other", name="three", tiers=("L1",))
    return root


def test_matrix_is_the_cross_product(tmp_path: Path) -> None:
    catalog = Catalog(_suites(tmp_path))
    plan, notes = make_plan(catalog, [], tiers=[], agents=["echo", "oracle"], models=["m1", "m2"], repeat=3)
    # echo and oracle take no model: 5 (scenario, tier) items x 2 agents x 3 repeats, and a warning says so
    assert len(plan.keys()) == 5 * 2 * 3
    assert len(set(plan.keys())) == 30
    assert notes == [
        "warning: --model does not apply to echo, oracle: they take no model, so they run once per item without "
        "one, whatever the models given"
    ]
    plan, notes = make_plan(catalog, ["demo"], tiers=["L1", "Lx"], agents=["echo"], models=[])
    assert sorted(k[:3] for k in plan.keys()) == [("demo", "one", "L1"), ("demo", "two", "L1"), ("demo", "two", "Lx")]
    assert notes == ["demo/one has no prompt for Lx; skipped"]


def test_shards_partition_the_matrix(tmp_path: Path) -> None:
    catalog = Catalog(_suites(tmp_path))
    full, _ = make_plan(catalog, [], tiers=[], agents=["echo", "oracle"], models=[], repeat=2)
    shards = [
        make_plan(catalog, [], tiers=[], agents=["echo", "oracle"], models=[], repeat=2, shard=(i, 3))[0].keys()
        for i in (1, 2, 3)
    ]
    assert sorted(k for s in shards for k in s) == sorted(full.keys())
    assert sum(len(s) for s in shards) == len(full.keys())
    assert max(map(len, shards)) - min(map(len, shards)) <= 1
    again = make_plan(catalog, [], tiers=[], agents=["echo", "oracle"], models=[], repeat=2, shard=(2, 3))[0].keys()
    assert again == shards[1]


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"agents": ["nope"]}, "unknown agent 'nope'"),
        ({"agents": ["replay"]}, "needs --replay-file"),
        ({"tiers": ["L7"]}, "nothing to run"),
        ({"repeat": 0}, "--repeat"),
        ({"shard": (3, 2)}, "--shard"),
    ],
)
def test_bad_batch_input_is_refused(tmp_path: Path, kwargs: dict[str, Any], message: str) -> None:
    args = {"tiers": [], "agents": ["echo"], "models": [], **kwargs}
    with pytest.raises(BatchError, match=message):
        make_plan(Catalog(_suites(tmp_path)), [], **args)


def test_existing_batch_id_and_unknown_resume(store: Store, tmp_path: Path) -> None:
    plan, _ = make_plan(Catalog(_suites(tmp_path)), ["other"], tiers=[], agents=["echo"], models=[])
    run(run_batch(store, plan, batch_id="b1"))
    with pytest.raises(BatchError, match="already exists"):
        run(run_batch(store, plan, batch_id="b1"))
    with pytest.raises(BatchError, match="unknown batch"):
        run(run_batch(store, None, batch_id="nope", resume=True))
    resumed = run(run_batch(store, None, batch_id="b1", resume=True))
    assert resumed.records == []
    assert resumed.skipped_done == 1


@pytest.mark.slow
def test_resume_after_kill_9_completes_the_batch_exactly(tmp_path: Path, db_path: Path) -> None:
    suites = _suites(tmp_path)
    replay = write(tmp_path / "calls.json", json.dumps([{"name": "runCommand", "input": {"command": "sleep 0.3"}}]))
    output = tmp_path / "results.jsonl"
    base = [
        sys.executable,
        "-m",
        "zebench",
        "run",
        "--db",
        str(db_path),
        "--suites-dir",
        str(suites),
        "--output",
        str(output),
    ]
    args = base + [
        "--agent",
        "replay",
        "--agent",
        "echo",
        "--replay-file",
        str(replay),
        "--repeat",
        "2",
        "--concurrency",
        "2",
        "--batch-id",
        "killed",
    ]
    expected = 5 * 2 * 2
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
    store = Store(db_path)
    stored = store.db.execute("SELECT COUNT(*) FROM benchmark_runs").fetchone()[0]
    assert 3 <= stored < expected
    assert stored_batch(store, "killed").completed_at is None
    store.close()

    done = subprocess.run(base + ["--resume", "killed"], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr + done.stdout
    store = Store(db_path)
    keys = store.db.execute(
        "SELECT suite, scenario, tier, agent, repeat_index FROM benchmark_runs WHERE batch_id = 'killed'"
    ).fetchall()
    assert len(keys) == expected
    assert len(set(keys)) == expected
    batch = store.get_batch("killed")
    assert batch is not None
    assert batch.total_runs == expected
    assert batch.completed_at is not None
    store.close()


@pytest.mark.parametrize("how", ["stop", "cancel"])
def test_a_stopped_or_cancelled_batch_records_its_runs_in_flight(tmp_path: Path, store: Store, how: str) -> None:
    import time

    from zebench.execution.batch import BatchInterrupted, StopRequest

    suites = tmp_path / "suites"
    make_scenario(suites, name="one", tiers=("L0", "L1", "L2"))
    calls = write(
        tmp_path / "calls.json",
        json.dumps(
            [{"name": "runCommand", "input": {"command": "head -c 200000 /dev/zero; touch started; sleep 1000"}}]
        ),
    )
    plan, _ = make_plan(
        Catalog(suites),
        [],
        tiers=[],
        agents=["replay"],
        models=[],
        command_timeout=3600,
        agent_settings={"replay_file": str(calls)},
    )
    workspaces = tmp_path / "ws"
    workspaces.mkdir()

    async def scenario() -> BaseException:
        stop = StopRequest()
        batch = asyncio.ensure_future(
            run_batch(store, plan, batch_id="b", concurrency=2, workspace_root=workspaces, stop=stop)
        )
        deadline = time.monotonic() + 60
        while len(list(workspaces.glob("zebench-batch-*/zebench-*/started"))) < 2:  # bounded poll: two in flight
            assert time.monotonic() < deadline
            assert not batch.done()
            await asyncio.sleep(0.02)
        stop.request() if how == "stop" else batch.cancel()
        try:
            await batch
        except (BatchInterrupted, asyncio.CancelledError) as exc:
            return exc
        raise AssertionError("the batch ended as if nothing happened")

    outcome = run(scenario())
    if how == "stop":
        assert isinstance(outcome, BatchInterrupted)
        assert outcome.result.interrupted
        assert len(outcome.result.cancelled) == 2
        assert outcome.result.records == []
    else:
        assert isinstance(outcome, asyncio.CancelledError)  # cancellation propagates
    rows = store.db.execute("SELECT status, failure_category, failure_stage FROM benchmark_runs").fetchall()
    assert rows == [("cancelled", "cancelled", "agent")] * 2  # the third run never started: nothing stored
    assert list(workspaces.iterdir()) == []
    assert store.batch_keys("b") == set()


def test_a_batch_hands_its_executor_a_bounded_number_of_runs(
    tmp_path: Path, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A batch of 100,000 runs does not make 100,000 pending tasks: at most RUNS_IN_HAND runs are in the executor's
    hands at once (one more as each ends), every run is done, and a stop leaves the runs never handed out to
    --resume."""
    from zebench.execution import batch as batch_module
    from zebench.execution.batch import BatchInterrupted, NullReporter, StopRequest
    from zebench.execution.executors.local import LocalExecutor
    from zebench.models import RunRecord

    monkeypatch.setattr(batch_module, "RUNS_IN_HAND", 3)

    class Counting(LocalExecutor):
        in_hand = most = calls = 0

        async def run(self, spec: Any, *, started: Any, on_cancelled: Any) -> RunRecord:
            self.in_hand += 1
            self.calls += 1
            self.most = max(self.most, self.in_hand)
            try:
                return await super().run(spec, started=started, on_cancelled=on_cancelled)
            finally:
                self.in_hand -= 1

    plan, _ = make_plan(Catalog(_suites(tmp_path)), [], tiers=[], agents=["echo"], models=[], repeat=3)
    assert len(plan.keys()) == 15
    whole = Counting(8)  # 8 slots: the batch, not the pool, keeps it at 3
    result = run(run_batch(store, plan, batch_id="all", executor=whole, sandbox="none", keep_records=False))
    assert (whole.most, whole.calls) == (3, 15)
    assert result.statuses == {"completed": 15}
    assert len(store.batch_keys("all")) == 15

    class StopAfterFour(NullReporter):
        def __init__(self, stop: StopRequest) -> None:
            self.stop, self.finished = stop, 0

        def run_finished(self, record: RunRecord) -> None:
            self.finished += 1
            if self.finished == 4:
                self.stop.request()

    async def stopped(batch_id: str, executor: Counting) -> BatchInterrupted:
        stop = StopRequest()
        try:
            await run_batch(
                store,
                plan,
                batch_id=batch_id,
                executor=executor,
                sandbox="none",
                stop=stop,
                reporter=StopAfterFour(stop),
            )
        except BatchInterrupted as exc:
            return exc
        raise AssertionError("the batch ended as if it had not been stopped")

    # With one run in hand the stop lands as that run ends: none is cancelled, yet the batch was stopped.
    for in_hand in (3, 1):
        monkeypatch.setattr(batch_module, "RUNS_IN_HAND", in_hand)
        part, batch_id = Counting(8), f"part{in_hand}"
        outcome = run(stopped(batch_id, part))
        assert outcome.result.interrupted
        assert 4 <= part.calls <= 4 + in_hand < 15  # what was in hand at the stop, never the rest
        (stored,) = store.db.execute("SELECT COUNT(*) FROM benchmark_runs WHERE batch_id = ?", (batch_id,)).fetchone()
        assert stored == part.calls  # each run handed out is stored: done, or cancelled in flight
        done = len(store.batch_keys(batch_id))
        assert 4 <= done < 15
        rest = Counting(8)
        run(run_batch(store, batch_id=batch_id, resume=True, executor=rest, sandbox="none"))
        assert rest.calls == 15 - done
        assert len(store.batch_keys(batch_id)) == 15


def test_a_batch_hands_out_no_run_after_one_failed(
    tmp_path: Path, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An executor that fails (a lost cluster) stops the batch with its error, and no run is handed to it after."""
    from zebench.execution import batch as batch_module
    from zebench.execution.executors import Executor, ExecutorError
    from zebench.models import RunRecord

    monkeypatch.setattr(batch_module, "RUNS_IN_HAND", 2)

    class Lost(Executor):
        name = "lost"
        calls = 0

        async def run(self, spec: Any, *, started: Any, on_cancelled: Any) -> RunRecord:
            self.calls += 1
            if self.calls == 1:
                raise ExecutorError("the scheduler is gone")
            await asyncio.Event().wait()  # the second run in hand: cancelled when the batch stops
            raise AssertionError("unreachable")

    plan, _ = make_plan(Catalog(_suites(tmp_path)), [], tiers=[], agents=["echo"], models=[], repeat=3)
    lost = Lost()
    with pytest.raises(ExecutorError, match="the scheduler is gone"):
        run(run_batch(store, plan, batch_id="lost", executor=lost, sandbox="none"))
    assert lost.calls == 2
    assert store.batch_keys("lost") == set()
    # A write that fails (a full disk) stops the batch the same way, with its error.
    real_save, saved = store.save_run, list[str]()

    def save_run(record: RunRecord) -> None:
        if len(saved) == 2:
            raise OSError(28, "No space left on device")
        real_save(record)
        saved.append(record.run_id)

    monkeypatch.setattr(store, "save_run", save_run)
    with pytest.raises(OSError, match="No space left"):
        run(run_batch(store, plan, batch_id="full", concurrency=1, sandbox="none"))
    assert len(store.batch_keys("full")) == 2


def test_run_request_is_zebench_run_as_a_function(tmp_path: Path) -> None:
    """What `zebench run` does, called from Python: the request's options, the batch stored, its result returned;
    bad input raises BatchError and writes nothing."""
    from zebench.execution.request import RunRequest, run_request

    suites, db = _suites(tmp_path), tmp_path / "z.db"
    notes: list[str] = []
    request = RunRequest(
        selectors=["demo"],
        tiers=["L1", "Lx"],
        agents=["echo", "oracle"],
        suites_dir=suites,
        db_path=db,
        batch_id="lib",
        sandbox="none",
        output=tmp_path / "out.jsonl",
    )
    result = run_request(request, note=notes.append)
    assert notes == ["demo/one has no prompt for Lx; skipped"]
    assert result.batch.batch_id == "lib"
    assert result.batch.total_runs == 6
    assert not result.interrupted
    assert sorted((r.scenario, r.tier, r.agent, r.is_successful) for r in result.records) == [
        ("one", "L1", "echo", False),
        ("one", "L1", "oracle", True),
        ("two", "L1", "echo", False),
        ("two", "L1", "oracle", True),
        ("two", "Lx", "echo", False),
        ("two", "Lx", "oracle", True),
    ]
    assert result.statuses == {"completed": 6}
    assert len((tmp_path / "out.jsonl").read_text().splitlines()) == 6
    with Store(db) as store:
        assert len(store.batch_keys("lib")) == 6
    # What the CLI asks for (a batch can be 100,000 runs of tens of kilobytes each): counts, no record held.
    lean = run_request(request.model_copy(update={"batch_id": "lean", "output": None}), keep_records=False)
    assert lean.records == []
    assert lean.statuses == {"completed": 6}
    assert lean.batch.total_runs == 6
    bad: list[tuple[dict[str, Any], str]] = [
        ({"agents": ["nope"]}, "unknown agent 'nope'"),
        ({"resume": "lib", "agents": ["echo"]}, "--resume takes the stored plan"),
        ({"executor": "ray"}, "unknown executor 'ray'"),
        ({"scheduler": "tcp://127.0.0.1:1"}, "--scheduler needs --executor dask"),
        ({"from_run": "nope"}, "--from-run: the database .* does not exist"),
        ({"from_db": Path("other.db")}, "--from-db names the database of --from-run"),
    ]
    for change, message in bad:
        fresh = tmp_path / "fresh.db"
        with pytest.raises(BatchError, match=message):
            run_request(request.model_copy(update={"db_path": fresh, **change}))
        assert not fresh.exists(), change


def test_a_later_batch_removes_a_dead_process_work_area_never_a_live_one(tmp_path: Path, db_path: Path) -> None:
    """What a killed `zebench run` left in the workspace folder (its area's lock released, as the kernel releases
    it at kill -9) is removed by the next batch, a new one as well as a --resume; a live process's area stays."""
    from zebench.run.workspace import OWNER_FILE, WorkArea

    workspaces = tmp_path / "ws"
    dead, live = WorkArea.create(workspaces, "killed"), WorkArea.create(workspaces, "alive")
    (dead.path / "zebench-run1-x").mkdir()
    os.close(dead._fd)  # the process is gone: its lock with it, its folders left
    try:
        store = Store(db_path)
        plan, _ = make_plan(Catalog(_suites(tmp_path)), ["demo/one"], tiers=["L0"], agents=["echo"], models=[])
        result = run(run_batch(store, plan, batch_id="later", workspace_root=workspaces))
        assert [r.status for r in result.records] == ["completed"]
        assert not dead.path.exists()
        assert (live.path / OWNER_FILE).exists()
        assert sorted(p.name for p in workspaces.iterdir()) == [live.path.name]  # the batch's own area: removed
    finally:
        live.remove()
