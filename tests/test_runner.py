from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Awaitable
from pathlib import Path
from typing import Any

import pytest

from zebench.agents import Agent, AgentError, AgentResult, AgentTask, register_agent
from zebench.catalog import Catalog
from zebench.execution.runner import RunOptions, RunSpec, run_one
from zebench.isolation.leftovers import remove_tree
from zebench.models import RunRecord
from zebench.run.tools import Toolbox

from .conftest import cancelled_after, make_scenario, marker, processes_with, run, write


def _run(suites: Path, agent: str, tmp_path: Path, tier: str = "L1", **options: Any) -> RunRecord:
    scenario = Catalog(suites).scenario("demo", "add")
    opts = RunOptions(workspace_root=tmp_path / "workspaces", **options)
    return run(run_one(RunSpec(scenario, tier, agent), opts))


def _fixture_snapshot(suites: Path) -> dict[str, bytes]:
    root = suites / "demo" / "scenarios" / "add" / "repo-fixture"
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_oracle_scores_ten_and_echo_fails(suites: Path, tmp_path: Path) -> None:
    oracle = _run(suites, "oracle", tmp_path)
    assert oracle.status == "completed"
    assert oracle.failure is None
    assert oracle.weighted_score == 10.0
    assert oracle.is_successful
    assert oracle.success_metric == 1.0
    assert oracle.transcript is not None
    assert [c.name for c in oracle.transcript.tool_calls] == ["writeFile"]
    assert oracle.telemetry is not None
    stages = {"setup", "workspace", "agent", "verification", "validation", "evaluation", "results"}
    assert set(oracle.telemetry.stage_ms) == stages
    assert oracle.telemetry.tool_calls == 1
    assert oracle.telemetry.cost_usd == 0
    assert oracle.diff is not None
    assert [f.path for f in oracle.diff.files] == ["calc.py"]
    assert oracle.manifest is not None
    assert oracle.manifest.scenario_hash
    assert oracle.manifest.agent == "oracle"
    echo = _run(suites, "echo", tmp_path)
    assert echo.status == "completed"
    assert not echo.is_successful
    assert echo.weighted_score is not None
    assert echo.weighted_score < 7
    assert {v.kind: v.status for v in echo.validation} == {"test": "failed"}


def test_fixture_is_never_changed_and_workspaces_are_removed(suites: Path, tmp_path: Path) -> None:
    before = _fixture_snapshot(suites)
    calls = [
        {
            "name": "runCommand",
            "input": {"command": "sed -i 's/a - b/a * b/' calc.py && echo junk >> tests/test_calc.py"},
        },
        {"name": "writeFile", "input": {"path": "tests/test_calc.py", "content": "overwritten"}},
        {"name": "runCommand", "input": {"command": "rm -rf tests; chmod 000 calc.py; touch new.txt"}},
    ]
    replay = write(tmp_path / "calls.json", json.dumps(calls))
    record = _run(suites, "replay", tmp_path, agent_settings={"replay_file": str(replay)})
    assert record.status == "completed"
    assert record.diff is not None
    assert {f.path: f.change for f in record.diff.files} == {
        "calc.py": "modified",
        "new.txt": "added",
        "tests/__init__.py": "deleted",
        "tests/test_calc.py": "deleted",
    }
    assert _fixture_snapshot(suites) == before
    assert record.telemetry is not None
    assert record.telemetry.workspace_dir is not None
    assert not Path(record.telemetry.workspace_dir).exists()
    assert list((tmp_path / "workspaces").iterdir()) == []
    kept = _run(suites, "echo", tmp_path, keep_workspaces=True)
    assert kept.telemetry is not None
    assert kept.telemetry.workspace_dir is not None
    assert Path(kept.telemetry.workspace_dir).is_dir()


def test_timeout_really_cancels_and_kills(suites: Path, tmp_path: Path, sandbox_mode: str) -> None:
    m = marker()
    calls = [{"name": "runCommand", "input": {"command": f"sleep {m} & setsid sleep {m} & sleep {m}"}}]
    replay = write(tmp_path / "calls.json", json.dumps(calls))
    record = _run(
        suites, "replay", tmp_path, timeout_seconds=2, agent_settings={"replay_file": str(replay)}, sandbox=sandbox_mode
    )
    assert record.status == "timeout"
    assert record.failure is not None
    assert record.failure.category == "timeout"
    assert record.failure.stage == "agent"
    assert not record.is_successful
    assert record.weighted_score is None
    assert processes_with(m) == []
    assert record.transcript is not None
    assert record.transcript.tool_calls[0].name == "runCommand"
    assert record.manifest is not None
    assert record.manifest.settings["sandbox"] == sandbox_mode


def test_a_tree_nested_deeper_than_pythons_recursion_limit_is_scored_and_removed(
    suites: Path, tmp_path: Path, sandbox_mode: str
) -> None:
    """An agent nests folders as deep as its shell goes (about 2,000: paths far past PATH_MAX) in its workspace and
    its HOME. Python 3.11's shutil.rmtree recursed per level and raised RecursionError in the run's clean-up, and
    the diff listed folders by paths too long to open: either turned the run into a failure of the harness (its
    transcript and scores lost, the failure not counted as the agent's) and the first left its folders behind."""
    nest = "i=0; while [ $i -lt 2500 ]; do mkdir d && cd d 2>/dev/null || break; i=$((i+1)); done; echo $i"
    calls = [
        {"name": "runCommand", "input": {"command": nest}},
        {"name": "runCommand", "input": {"command": f"cd ~ && {nest}"}},
    ]
    replay = write(tmp_path / "calls.json", json.dumps(calls))
    try:
        record = _run(suites, "replay", tmp_path, agent_settings={"replay_file": str(replay)}, sandbox=sandbox_mode)
    finally:  # whatever the run left: pytest's removal of old temporary folders recurses too
        remaining = list((tmp_path / "workspaces").iterdir())
        remove_tree(tmp_path / "workspaces")
    assert remaining == []
    assert record.failure is None, record.failure
    assert record.status == "completed"
    assert record.transcript is not None
    depths = [int(c.output.split()[-1]) for c in record.transcript.tool_calls]
    assert min(depths) > 1900, depths  # 2 bytes a level: past PATH_MAX (4096), and Python's recursion limit
    assert record.weighted_score is not None


def test_failure_categories_are_stored(tmp_path: Path) -> None:
    root = tmp_path / "suites"
    make_scenario(root, solution=False)
    no_solution = _run(root, "oracle", tmp_path)
    assert no_solution.status == "failed"
    assert no_solution.failure is not None
    assert no_solution.failure.category == "agent"
    assert "no reference solution" in no_solution.failure.message
    no_prompt = _run(root, "echo", tmp_path, tier="L3")
    assert no_prompt.failure is not None
    assert no_prompt.failure.category == "prompt"
    assert no_prompt.failure.stage == "setup"
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("x")
    scenario = Catalog(root).scenario("demo", "add")
    bad_ws = run(run_one(RunSpec(scenario, "L1", "echo"), RunOptions(workspace_root=blocker / "sub")))
    assert bad_ws.failure is not None
    assert bad_ws.failure.category == "workspace"
    assert bad_ws.status == "failed"


def test_warmup_failure_is_its_own_category(tmp_path: Path) -> None:
    root = tmp_path / "suites"
    yaml_text = "id: add\nsuite: demo\nwarmup: {enabled: true, type: scripted, commands: ['exit 3']}\n"
    make_scenario(root, yaml_text=yaml_text)
    record = _run(root, "echo", tmp_path)
    assert record.failure is not None
    assert record.failure.category == "warmup"


def test_cancellation_propagates_after_the_run_is_recorded(suites: Path, tmp_path: Path) -> None:

    m = marker()
    calls = [
        {"name": "writeFile", "input": {"path": "note.txt", "content": "started"}},
        {"name": "runCommand", "input": {"command": f"setsid sleep {m} & sleep {m}"}},
    ]
    replay = write(tmp_path / "calls.json", json.dumps(calls))
    scenario = Catalog(suites).scenario("demo", "add")
    workspaces = tmp_path / "workspaces"
    handed: list[RunRecord] = []

    async def save(record: RunRecord) -> None:
        assert not list(workspaces.iterdir())  # the workspace is gone before the record is handed over
        handed.append(record)

    async def scenario_run() -> bool:
        task = asyncio.ensure_future(
            run_one(
                RunSpec(scenario, "L1", "replay"),
                RunOptions(agent_settings={"replay_file": str(replay)}, workspace_root=workspaces),
                on_cancelled=save,
            )
        )
        deadline = time.monotonic() + 60
        while len(processes_with(m)) < 2:  # a bounded poll: both sleeps started
            assert time.monotonic() < deadline
            assert not task.done()
            await asyncio.sleep(0.01)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        return task.cancelled()

    assert run(scenario_run())
    assert processes_with(m) == []  # killed with the run, setsid or not
    [record] = handed
    assert record.status == "cancelled"
    assert record.failure is not None
    assert record.failure.category == "cancelled"
    assert record.failure.stage == "agent"
    assert "--resume" in record.failure.message
    assert record.transcript is not None
    assert [c.name for c in record.transcript.tool_calls] == ["writeFile", "runCommand"]  # what it did so far
    assert record.weighted_score is None
    assert not record.is_successful


class _Crashing(Agent):
    name = "crashing"

    async def run(self, task: AgentTask, tools: Toolbox) -> AgentResult:
        await tools.call("writeFile", {"path": "half.txt", "content": "x"})
        if self.settings.get("mode") == "bug":
            raise KeyError("a bug in the agent")
        if self.settings.get("mode") == "junk":
            task.result.messages.append("not a message")  # type: ignore[arg-type]
            return task.result
        raise AgentError("the provider said no", category=self.settings.get("category", "agent"))


@pytest.mark.parametrize(
    "settings, category, message",
    [
        ({"category": "no-such-category"}, "unknown", "the provider said no (agent error category 'no-such-category')"),
        ({"category": "rate_limited"}, "rate_limited", "the provider said no"),
        ({"mode": "bug"}, "agent", "KeyError: 'a bug in the agent'"),
    ],
)
def test_agent_crashes_are_stored_failed_runs(
    suites: Path, tmp_path: Path, settings: dict[str, Any], category: str, message: str
) -> None:
    register_agent("crashing", _Crashing)
    record = _run(suites, "crashing", tmp_path, agent_settings=settings)
    assert record.status == "failed"
    assert record.failure is not None
    assert record.failure.category == category
    assert record.failure.stage == "agent"
    assert record.failure.message.startswith(message)
    assert record.diff is not None
    assert [f.path for f in record.diff.files] == ["half.txt"]  # what it changed before it failed
    assert list((tmp_path / "workspaces").iterdir()) == []


def test_a_record_that_cannot_be_built_is_still_a_stored_failed_run(suites: Path, tmp_path: Path) -> None:
    register_agent("crashing", _Crashing)
    record = _run(suites, "crashing", tmp_path, agent_settings={"mode": "junk"})
    assert record.status == "failed"
    assert record.failure is not None
    assert record.failure.category == "infrastructure"
    assert record.failure.stage == "results"
    assert "the run record could not be built" in record.failure.message
    assert list((tmp_path / "workspaces").iterdir()) == []


def test_secrets_are_redacted_from_the_record(suites: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    secret = "zb-secret-value-0123456789"
    monkeypatch.setenv("ZE_BENCHMARKS_API_KEY", secret)
    calls = [
        {"name": "writeFile", "input": {"path": "leak.txt", "content": f"{secret}\nghp_{'a' * 36}\n"}},
        {"name": "runCommand", "input": {"command": f"echo {secret}; cat leak.txt"}},
    ]
    replay = write(tmp_path / "calls.json", json.dumps(calls))
    record = _run(suites, "replay", tmp_path, agent_settings={"replay_file": str(replay)})
    text = record.model_dump_json()
    assert secret not in text
    assert "ghp_aaaa" not in text
    assert record.transcript is not None
    assert "[REDACTED:ZE_BENCHMARKS_API_KEY]" in record.transcript.tool_calls[1].output
    assert record.diff is not None
    assert record.diff.files[0].patch is not None
    assert "[REDACTED:github-token]" in record.diff.files[0].patch


def test_a_stage_is_one_function_and_one_line(suites: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A stage added to the sequence runs in order, on its own clock; an error it does not categorise is a failure
    of its category naming it, and the results stage still records what the agent changed."""
    from zebench.execution import runner

    seen: list[str] = []

    async def verify(state: runner.RunState) -> None:
        seen.append(state.spec.agent)
        assert state.task is not None  # the agent's stage ran before
        raise RuntimeError("the verified copy could not be made")

    sequence = list(runner.STAGE_SEQUENCE)
    at = next(i for i, stage in enumerate(sequence) if stage.name == "verification")
    sequence.insert(at, runner.Stage("verify", verify, "infrastructure"))
    monkeypatch.setattr(runner, "STAGE_SEQUENCE", tuple(sequence))
    record = _run(suites, "oracle", tmp_path)
    assert seen == ["oracle"]
    assert record.status == "failed"
    assert record.failure is not None
    assert record.failure.category == "infrastructure"
    assert record.failure.stage == "verify"
    assert "RuntimeError: the verified copy could not be made" in record.failure.message
    assert record.telemetry is not None
    assert list(record.telemetry.stage_ms) == ["setup", "workspace", "agent", "verify", "results"]
    assert record.diff is not None  # taken by the results stage
    assert [f.path for f in record.diff.files] == ["calc.py"]
    assert record.evaluations == []
    assert record.weighted_score is None


def test_stage_clocks_do_not_drop_the_part_of_a_millisecond(monkeypatch: pytest.MonkeyPatch) -> None:
    """A stage of several steps of 0.6 ms each: its milliseconds are the sum, rounded once (truncating each step
    counted it as 0 ms, and the parts of a run no longer added up to its duration)."""
    from types import SimpleNamespace

    from zebench.execution import runner

    now = [100.0]
    monkeypatch.setattr(runner, "time", SimpleNamespace(monotonic=lambda: now[0]))  # this module's clock only
    clock = runner._Clock()
    for stage in ("agent", "verification", "agent", "verification", "agent"):
        clock.start(stage)
        now[0] += 0.0006
    clock.stop()
    assert clock.stage_ms == {"agent": 2, "verification": 1}


def test_a_run_cancelled_at_any_step_leaves_no_folder_behind(suites: Path, tmp_path: Path) -> None:
    """Its workspace, sandbox and verified copy are made in threads: a cancellation while one is being made (the
    run's timeout, a stopped batch) still removes it, and the run ends once it is gone. The cancellation lands
    after 1 to 40 turns of the event loop, then after more and more turns, until the run ends first."""
    scenario = Catalog(suites).scenario("demo", "add")
    workspaces = tmp_path / "workspaces"
    workspaces.mkdir()
    stages: set[str] = set()

    async def handed(record: RunRecord) -> None:
        assert record.status == "cancelled" or record.failure is None
        stages.add(record.failure.stage if record.failure is not None else "results")

    def start() -> Awaitable[RunRecord]:
        return run_one(RunSpec(scenario, "L1", "oracle"), RunOptions(workspace_root=workspaces), on_cancelled=handed)

    steps = 1
    while cancelled_after(start, steps):  # until the run ends before the cancellation
        assert list(workspaces.iterdir()) == [], steps  # asyncio.run waited for every thread
        steps = steps + 1 if steps < 40 else int(steps * 1.15)
    assert {"workspace", "validation"} <= stages, stages  # from its first stages to its scoring
    assert list(workspaces.iterdir()) == []
