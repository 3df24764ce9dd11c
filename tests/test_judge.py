from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from zebench.catalog import Catalog
from zebench.cli import main
from zebench.evaluators.judge import JudgeError, loads_lenient, parse_categories
from zebench.execution.runner import RunOptions, RunSpec, run_one
from zebench.models import RunRecord
from zebench.store import Store
from zebench.testing import Error, FakeModelServer, chat_message, text_message, tool_use, usage

from .conftest import make_scenario, run

JUDGED = """
id: add
suite: demo
validation: {commands: {test: "python -m unittest discover -s tests -t . -q"}}
llm_judge:
  enabled: true
  model: claude-haiku-4-5
  temperature: 0.2
  max_tokens: 1234
  categories:
    - "Correctness (Weight: 60%): does add() add, Score 1-5"
    - "Code quality (Weight: 30%): is it clean"
    - "Communication: did it explain"
"""


def test_parse_categories_and_weights() -> None:
    cats = parse_categories(["Correctness (Weight: 60%): x", "Quality (weight 30%): y", "Other: z"])
    assert [(c.name, c.weight) for c in cats] == [("Correctness", 60), ("Quality", 30), ("Other", 10)]
    assert [c.weight for c in parse_categories(["A: x", "B"])] == [50, 50]


@pytest.mark.parametrize(
    "text, expected",
    [
        ('{"scores": [{"category": "A", "score": 4}]}', {"scores": [{"category": "A", "score": 4}]}),
        (
            'Here you go:\n```json\n{"scores": [{"category": "A", "score": 4}]}\n```',
            {"scores": [{"category": "A", "score": 4}]},
        ),
        (
            '{"scores": [{"category": "A", "score": 4, "reasoning": "fine"}, {"category": "B", "sco',
            {"scores": [{"category": "A", "score": 4, "reasoning": "fine"}, {"category": "B"}]},
        ),
        (
            '{"scores": [{"category": "A", "score": 5}], "overall_assessment": "Good work but the te',
            {"scores": [{"category": "A", "score": 5}]},
        ),
    ],
)
def test_truncated_json_is_repaired(text: str, expected: dict[str, Any]) -> None:
    assert loads_lenient(text) == expected


def test_unrepairable_answer_raises() -> None:
    with pytest.raises(JudgeError):
        loads_lenient("I cannot help with that.")


def _judge_answer(scores: dict[str, int]) -> dict[str, Any]:
    return {
        "scores": [{"category": k, "score": v, "reasoning": f"{k} ok"} for k, v in scores.items()],
        "overall_assessment": "Solid.",
    }


def _judged_run(tmp_path: Path, judge: dict[str, Any] | None = None) -> RunRecord:
    root = tmp_path / "suites"
    make_scenario(root, yaml_text=JUDGED)
    scenario = Catalog(root).scenario("demo", "add")
    return run(run_one(RunSpec(scenario, "L1", "oracle"), RunOptions(judge_settings=judge or {})))


def test_anthropic_judge_weighted_score_and_request(server: FakeModelServer, tmp_path: Path) -> None:
    answer = _judge_answer({"Correctness": 5, "Code quality": 3, "Communication": 1})
    server.script_anthropic(tool_use(("submit_evaluation", answer), usage_=usage(4000, 400)))
    record = _judged_run(tmp_path)
    judge = next(e for e in record.evaluations if e.evaluator_name == "llm_judge")
    assert judge.applicable
    assert judge.kind == "task"
    assert judge.score == pytest.approx((60 * 1.0 + 30 * 0.5 + 10 * 0.0) / 100)
    assert [c["reasoning"] for c in judge.details["categories"]] == [
        "Correctness ok",
        "Code quality ok",
        "Communication ok",
    ]
    assert judge.details["overallAssessment"] == "Solid."
    body = server.requests[0].body
    assert (body["model"], body["temperature"], body["max_tokens"]) == ("claude-haiku-4-5", 0.2, 1234)
    assert body["tool_choice"] == {"type": "tool", "name": "submit_evaluation"}
    assert body["tools"][0]["input_schema"]["properties"]["scores"]["items"]["properties"]["category"]["enum"] == [
        "Correctness",
        "Code quality",
        "Communication",
    ]
    prompt = body["messages"][0]["content"]
    assert "Fix add() (L1)." in prompt
    assert "+    return a + b" in prompt
    assert "test: passed" in prompt
    assert judge.cost_usd == pytest.approx((4000 * 1 + 400 * 5) / 1e6)
    assert record.telemetry is not None
    assert record.telemetry.judge_cost_usd == judge.cost_usd
    assert record.telemetry.cost_usd == 0
    # judge counts in the success metric: (test 1 + judge 0.75) / 2
    assert record.success_metric == pytest.approx((1 + 0.75) / 2)
    assert record.is_successful


def test_openrouter_judge_with_truncated_arguments(server: FakeModelServer, tmp_path: Path) -> None:
    args = json.dumps(_judge_answer({"Correctness": 4, "Code quality": 4, "Communication": 4}))[:-25]
    server.script_chat(chat_message(None, ("submit_evaluation", {}), raw_arguments=args, finish_reason="length"))
    record = _judged_run(tmp_path, {"provider": "openrouter", "model": "anthropic/claude-haiku-4.5"})
    judge = next(e for e in record.evaluations if e.evaluator_name == "llm_judge")
    assert judge.error is None
    assert judge.score == pytest.approx(0.75)
    assert server.requests[0].body["tool_choice"]["function"]["name"] == "submit_evaluation"
    assert server.requests[0].body["model"] == "anthropic/claude-haiku-4.5"


@pytest.mark.parametrize(
    "reply",
    [
        Error(400, "invalid_request_error", "bad"),
        text_message("I refuse to answer in JSON."),
        tool_use(("submit_evaluation", _judge_answer({"Correctness": 5}))),  # categories missing
    ],
)
def test_a_failed_judge_is_an_error_not_a_zero(server: FakeModelServer, tmp_path: Path, reply: object) -> None:
    server.script_anthropic(reply)
    record = _judged_run(tmp_path)
    judge = next(e for e in record.evaluations if e.evaluator_name == "llm_judge")
    assert judge.error
    assert judge.score is None  # an error: ran, failed, no score
    assert record.metadata["evaluatorErrors"] == ["llm_judge"]
    assert "llm_judge" in record.metadata["scoreNote"]
    assert record.weighted_score == 10.0  # left out of the weighting, never a 0 ...
    assert not record.is_successful  # ... nor a success it could not confirm
    assert record.telemetry is not None
    assert record.telemetry.judge_cost_usd is None  # it ran: its cost is unknown, not "no judge"


def test_a_judge_without_its_key_is_an_evaluator_error_the_user_sees(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("ANTHROPIC_API_KEY", raising=False)
    record = _judged_run(tmp_path)
    judge = next(e for e in record.evaluations if e.evaluator_name == "llm_judge")
    assert judge.error is not None
    assert "ANTHROPIC_API_KEY" in judge.error
    assert "--no-judge" in judge.error
    assert not record.is_successful
    assert record.metadata["evaluatorErrors"] == ["llm_judge"]
    off = _judged_run(tmp_path / "off", {"enabled": False})  # the offline way: --no-judge
    assert off.is_successful
    assert not off.metadata.get("evaluatorErrors")


def test_judge_off_and_enabled_without_categories(tmp_path: Path) -> None:
    off = _judged_run(tmp_path / "a", {"enabled": False})
    judge = next(e for e in off.evaluations if e.evaluator_name == "llm_judge")
    assert not judge.applicable
    assert "--no-judge" in judge.details["reason"]
    root = tmp_path / "b" / "suites"
    make_scenario(root, yaml_text="id: add\nsuite: demo\nllm_judge: {enabled: true}\n")
    scenario = Catalog(root).scenario("demo", "add")
    assert "llm_judge is enabled without categories" in scenario.warnings[0]
    record = run(run_one(RunSpec(scenario, "L1", "oracle"), RunOptions()))
    judge = next(e for e in record.evaluations if e.evaluator_name == "llm_judge")
    assert not judge.applicable
    assert judge.error is None


SECRET = "sk-ant-api03-ZEBENCH-FAKE-SECRET-0123456789"


def test_secrets_never_reach_db_output_logs_or_commands(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    root = tmp_path / "suites"
    make_scenario(root, yaml_text=JUDGED)
    monkeypatch.setenv("ANTHROPIC_API_KEY", SECRET)
    monkeypatch.setenv("OPENROUTER_API_KEY", SECRET + "-or")
    monkeypatch.setenv("ZE_BENCHMARKS_API_KEY", SECRET + "-ze")
    db, output, workspaces = tmp_path / "z.db", tmp_path / "out.jsonl", tmp_path / "ws"
    with FakeModelServer() as srv:
        monkeypatch.setenv("ANTHROPIC_BASE_URL", srv.url)
        srv.default_anthropic = lambda body: (
            tool_use(("submit_evaluation", _judge_answer({"Correctness": 5, "Code quality": 5, "Communication": 5})))
            if body.get("tool_choice")
            else tool_use(("runCommand", {"command": "env; env > env.txt; cat /proc/self/environ | tr '\\0' '\\n'"}))
            if len(body["messages"]) == 1
            else text_message("done")
        )
        result = CliRunner().invoke(
            main,
            [
                "run",
                "--suites-dir",
                str(root),
                "--db",
                str(db),
                "--output",
                str(output),
                "-a",
                "anthropic",
                "-m",
                "claude-haiku-4-5",
                "--keep-workspaces",
                "--workspace-dir",
                str(workspaces),
            ],
        )
        seen_by_server = [r.headers.get("authorization", "") + r.headers.get("x-api-key", "") for r in srv.requests]
    assert result.exit_code == 0, result.output
    assert all(SECRET in h for h in seen_by_server)  # it was really used...
    with Store(db) as store:
        record = store.get_run(store.run_ids()[0])
        store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    assert record is not None
    assert record.transcript is not None
    env_output = record.transcript.tool_calls[0].output
    # ...the command saw an environment, an allow-listed one (not even the harmless base URL)...
    assert "PATH=" in env_output
    assert "HOME=" in env_output
    assert "ANTHROPIC_BASE_URL" not in env_output
    places = {
        "database": db.read_bytes(),
        "jsonl": output.read_bytes(),
        "stdout": result.stdout.encode(),
        "stderr": result.stderr.encode(),
    }
    places |= {str(p): p.read_bytes() for p in workspaces.rglob("*") if p.is_file()}
    assert any(name.endswith("env.txt") for name in places)
    for name, data in places.items():  # ...and the keys are nowhere
        assert b"ZEBENCH-FAKE-SECRET" not in data, name


def test_the_judge_sees_the_agents_questions_and_the_answers(server: FakeModelServer, tmp_path: Path) -> None:
    """What the original's rubric called user_questions_quality: a judge category can judge it only if the judge
    is shown the askUser exchange."""
    root = tmp_path / "suites"
    make_scenario(root, yaml_text=JUDGED)
    scenario = Catalog(root).scenario("demo", "add")
    calls = tmp_path / "calls.json"
    calls.write_text(json.dumps([{"name": "askUser", "input": {"question": "Which Python version?", "context": "x"}}]))
    server.script_anthropic(
        tool_use(("submit_evaluation", _judge_answer({"Correctness": 3, "Code quality": 3, "Communication": 3})))
    )
    run(run_one(RunSpec(scenario, "L1", "replay"), RunOptions(agent_settings={"replay_file": str(calls)})))
    prompt = server.requests[0].body["messages"][0]["content"]
    assert "# Questions the agent asked the user (askUser)" in prompt
    assert "- Q: Which Python version?\n  A: 3.11" in prompt
