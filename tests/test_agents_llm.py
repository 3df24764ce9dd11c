"""Model-backed agents and the judge, through the real SDKs against the local fake server."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from zebench.agents.llm import run_tool_calls
from zebench.catalog import Catalog
from zebench.cli import main
from zebench.execution.runner import RunOptions, RunSpec, run_one
from zebench.models import RunRecord
from zebench.run.tools import Toolbox, ToolOutcome
from zebench.store import Store
from zebench.testing import (
    Error,
    FakeModelServer,
    chat_message,
    overloaded,
    rate_limited,
    text_message,
    tool_use,
    usage,
)

from .conftest import run, stored_run, write

FIXED = "def add(a, b):\n    return a + b\n"


def _run(
    suites: Path, agent: str, model: str | None, judge: dict[str, Any] | None = None, **settings: Any
) -> RunRecord:
    scenario = Catalog(suites).scenario("demo", "add")
    options = RunOptions(agent_settings={"max_retries": 2, **settings}, judge_settings=judge or {})
    return run(run_one(RunSpec(scenario, "L1", agent, model), options))


def test_anthropic_tool_loop_scores_usage_cost_and_caching(server: FakeModelServer, suites: Path) -> None:
    server.script_anthropic(
        tool_use(
            ("readFile", {"path": "calc.py"}),
            ("readFile", {"path": "missing.py"}),
            ("listFiles", {"path": "."}),
            usage_=usage(1000, 100, 0, 2000),
        ),
        tool_use(("writeFile", {"path": "calc.py", "content": FIXED}), usage_=usage(500, 50, 2000, 0)),
        text_message("Fixed add().", usage_=usage(200, 20, 2000, 0)),
    )
    record = _run(suites, "anthropic", "claude-haiku-4-5")
    assert record.status == "completed"
    assert record.is_successful
    assert record.weighted_score == 10.0
    t = record.telemetry
    assert t is not None
    assert (t.tokens_in, t.tokens_out, t.cache_read_tokens, t.cache_write_tokens) == (1700, 170, 4000, 2000)
    # claude-haiku-4-5: $1 in, $5 out, $0.10 cache read, $1.25 cache write per million tokens
    assert t.cost_usd == pytest.approx((1700 * 1 + 170 * 5 + 4000 * 0.1 + 2000 * 1.25) / 1e6)
    assert t.tool_calls == 4
    assert record.transcript is not None
    assert [c.name for c in record.transcript.tool_calls] == [
        "readFile",
        "readFile",
        "listFiles",
        "writeFile",
    ]
    assert record.transcript.tool_calls[1].is_error
    assert record.metadata["turns"] == 3
    assert record.metadata["agentSummary"] == "Fixed add()."
    first, second = server.requests[0].body, server.requests[1].body
    assert first["model"] == "claude-haiku-4-5"
    assert first["max_tokens"] == 8192
    assert first["system"][0]["cache_control"] == {"type": "ephemeral"}
    assert first["tools"][-1]["cache_control"] == {"type": "ephemeral"}
    assert [t["name"] for t in first["tools"]] == ["readFile", "writeFile", "listFiles", "runCommand", "askUser"]
    results = second["messages"][-1]["content"]
    assert [r["is_error"] for r in results] == [False, True, False]
    assert results[0]["content"] == "def add(a, b):\n    return a - b\n"
    headers = server.requests[0].headers  # the SDK authenticates with the key from the environment
    assert "sk-ant-test-key" in (headers.get("x-api-key", "") + headers.get("authorization", ""))


def test_read_only_calls_run_concurrently_and_writes_in_order(tmp_path: Path) -> None:
    started = 0
    both = asyncio.Event()

    class Barrier(Toolbox):
        async def _list_files(self, args: dict[str, Any]) -> str:
            nonlocal started
            started += 1
            if started == 2:
                both.set()
            await asyncio.wait_for(both.wait(), 5)  # only returns if the other call runs at the same time
            return await super()._list_files(args)

    box = Barrier(tmp_path)

    async def go() -> list[ToolOutcome]:
        return await run_tool_calls(
            box,
            [
                ("listFiles", {}),
                ("listFiles", {}),
                ("writeFile", {"path": "a", "content": "1"}),
                ("readFile", {"path": "a"}),
                ("writeFile", {"path": "a", "content": "2"}),
                ("readFile", {"path": "a"}),
            ],
        )

    outcomes = asyncio.run(go())
    assert [o.is_error for o in outcomes] == [False] * 6
    assert outcomes[3].output == "1"
    assert outcomes[5].output == "2"
    assert [c.seq for c in box.calls] == list(range(6))


def test_each_run_uses_its_own_model(server: FakeModelServer, suites: Path, db_path: Path) -> None:
    server.default_anthropic = lambda body: text_message(f"I am {body['model']}")
    result = CliRunner().invoke(
        main,
        [
            "run",
            "--suites-dir",
            str(suites),
            "--db",
            str(db_path),
            "-a",
            "anthropic",
            "-m",
            "model-a",
            "-m",
            "model-b",
            "-n",
            "2",
            "-j",
            "4",
        ],
    )
    assert result.exit_code == 0, result.output
    with Store(db_path) as store:
        records = [stored_run(store, run_id) for run_id in store.run_ids()]
    assert sorted(r.model for r in records) == ["model-a", "model-a", "model-b", "model-b"]  # type: ignore[type-var]
    assert all(r.metadata["agentSummary"] == f"I am {r.model}" for r in records)
    assert all(r.telemetry.cost_usd is None for r in records)  # type: ignore[union-attr]  # unpriced: unknown, not 0
    assert "unknown" in result.output
    assert "$0.0000" not in result.output


@pytest.mark.parametrize(
    "error, category",
    [
        (rate_limited(), "rate_limited"),
        (overloaded(), "infrastructure"),
        (Error(503, "api_error", "down", {"retry-after-ms": "10"}), "infrastructure"),
    ],
)
def test_provider_errors_are_retried_then_categorised(
    server: FakeModelServer, suites: Path, error: Error, category: str
) -> None:
    server.default_anthropic = lambda body: error
    record = _run(suites, "anthropic", "claude-haiku-4-5")
    assert record.status == "failed"
    assert record.failure is not None
    assert record.failure.category == category
    assert record.weighted_score is None
    assert not record.is_successful
    assert len(server.requests) == 3  # the first try and max_retries=2 retries


def test_a_transient_rate_limit_is_absorbed(server: FakeModelServer, suites: Path) -> None:
    server.script_anthropic(
        rate_limited(),
        tool_use(("writeFile", {"path": "calc.py", "content": FIXED})),
        overloaded(),
        text_message("done"),
    )
    record = _run(suites, "anthropic", "claude-haiku-4-5")
    assert record.status == "completed"
    assert record.is_successful
    assert len(server.requests) == 4


def test_max_turns_and_budget(server: FakeModelServer, suites: Path) -> None:
    server.default_anthropic = lambda body: tool_use(("listFiles", {"path": "."}))
    capped = _run(suites, "anthropic", "claude-haiku-4-5", max_turns=3)
    assert capped.status == "completed"
    assert capped.metadata["stopReason"] == "max_turns"
    assert len(server.requests) == 3
    server.requests.clear()
    server.script_anthropic(tool_use(("writeFile", {"path": "calc.py", "content": FIXED}), usage_=usage(2_000_000, 0)))
    over = _run(suites, "anthropic", "claude-haiku-4-5", max_cost_usd=1.0)
    assert over.status == "budget_exceeded"
    assert over.telemetry is not None
    assert over.telemetry.cost_usd == pytest.approx(2.0)
    assert len(server.requests) == 1
    assert over.transcript is not None
    assert over.transcript.tool_calls == []
    assert over.evaluations
    assert over.weighted_score is not None  # still validated and scored


def test_budget_needs_a_known_price(server: FakeModelServer, suites: Path, tmp_path: Path) -> None:
    result = CliRunner().invoke(
        main,
        [
            "run",
            "--suites-dir",
            str(suites),
            "--db",
            str(tmp_path / "z.db"),
            "-a",
            "anthropic",
            "-m",
            "unpriced-model",
            "--max-cost-usd",
            "1",
        ],
    )
    assert result.exit_code == 2
    assert "needs a known price" in result.output


def test_missing_key_is_a_clear_error(monkeypatch: pytest.MonkeyPatch, suites: Path, tmp_path: Path) -> None:
    for name in ("ANTHROPIC_API_KEY", "ANTHROPIC_AUTH_TOKEN", "OPENROUTER_API_KEY"):
        monkeypatch.delenv(name, raising=False)
    for agent, var in (("anthropic", "ANTHROPIC_API_KEY"), ("openrouter", "OPENROUTER_API_KEY")):
        result = CliRunner().invoke(
            main, ["run", "--suites-dir", str(suites), "--db", str(tmp_path / "z.db"), "-a", agent, "-m", "x"]
        )
        assert result.exit_code == 2
        assert var in result.output
    assert "needs --model" in CliRunner().invoke(main, ["run", "--suites-dir", str(suites), "-a", "anthropic"]).output


def test_openrouter_loop_full_schemas_bad_arguments_and_reported_cost(server: FakeModelServer, suites: Path) -> None:
    reply = chat_message(None, ("writeFile", {"path": "calc.py", "content": FIXED}), ("readFile", {}))
    reply["usage"]["cost"] = 0.0123
    server.script_chat(
        chat_message(None, ("readFile", {}), raw_arguments='{"path": "calc.py"'),  # not JSON
        reply,
        chat_message("All done."),
    )
    record = _run(suites, "openrouter", "anthropic/claude-sonnet-4.5")
    assert record.status == "completed"
    assert record.is_successful
    body = server.requests[0].body
    assert server.requests[0].path == "/api/v1/chat/completions"
    assert body["model"] == "anthropic/claude-sonnet-4.5"
    assert body["temperature"] == 0.1
    write_tool = next(t for t in body["tools"] if t["function"]["name"] == "writeFile")
    assert write_tool["function"]["parameters"]["required"] == ["path", "content"]
    assert write_tool["function"]["parameters"]["properties"]["content"]["type"] == "string"
    second = server.requests[1].body["messages"]
    assert second[-1]["role"] == "tool"
    assert second[-1]["content"].startswith("Error:")
    assert record.transcript is not None
    calls = record.transcript.tool_calls
    assert [c.is_error for c in calls] == [True, False, True]
    # first and third calls priced from the table ($3/$15 per million), the second as OpenRouter reported
    assert record.telemetry is not None
    assert record.telemetry.cost_usd == pytest.approx(0.0123 + 2 * (100 * 3 + 50 * 15) / 1e6)


FAKE_CLAUDE = r"""#!{python}
import json, sys, os
args = sys.argv[1:]
assert args[0] == "-p" and "--output-format" in args, args
open("calc.py", "w").write("def add(a, b):\n    return a + b\n")
open("seen_env.txt", "w").write("\n".join(sorted(os.environ)))
events = [
    {{"type": "system", "subtype": "init"}},
    {{"type": "assistant", "message": {{"content": [{{"type": "tool_use", "name": "Read", "input": {{}}}}]}}}},
    {{"type": "assistant", "message": {{"content": [{{"type": "tool_use", "name": "Edit", "input": {{}}}},
                                                   {{"type": "text", "text": "ok"}}]}}}},
    {{"type": "result", "subtype": "{subtype}", "is_error": {is_error}, "num_turns": 3, "result": "Fixed the bug",
     "total_cost_usd": 0.042, "usage": {{"input_tokens": 1200, "output_tokens": 300,
     "cache_read_input_tokens": 5000, "cache_creation_input_tokens": 700}}}},
]
if "{mode}" == "jsonl":
    print("\n".join(json.dumps(e) for e in events))
else:
    print(json.dumps(events[-1]))
print("some warning", file=sys.stderr)
"""


@pytest.mark.parametrize("mode", ["json", "jsonl"])
def test_claude_code_cli(tmp_path: Path, suites: Path, mode: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-ant-cli-key")
    monkeypatch.setenv("GITHUB_TOKEN", "ghp-secret")
    fake = write(
        tmp_path / "claude", FAKE_CLAUDE.format(python=sys.executable, subtype="success", is_error="False", mode=mode)
    )
    fake.chmod(0o755)
    record = _run(suites, "claude-code", "claude-sonnet-4-5", claude_bin=str(fake))
    assert record.status == "completed", record.failure
    assert record.is_successful, record.failure
    t = record.telemetry
    assert t is not None
    assert (t.tokens_in, t.tokens_out, t.cache_read_tokens, t.cache_write_tokens, t.cost_usd) == (
        1200,
        300,
        5000,
        700,
        0.042,
    )
    assert t.tool_calls == (2 if mode == "jsonl" else 0)
    assert record.metadata["agentSummary"] == "Fixed the bug"
    assert record.metadata["turns"] == 3


STREAMING_CLAUDE = r"""#!{python}
import json, os, sys
args = sys.argv[1:]
assert args[args.index("--output-format") + 1] == "stream-json" and "--verbose" in args, args
open("calc.py", "w").write("def add(a, b):\n    return a + b\n")
big = "x" * 20000
msg = lambda mid, *blocks: {{"type": "assistant",
                             "message": {{"id": mid, "role": "assistant", "content": list(blocks)}}}}
res = lambda uid, content, err=False: {{"type": "user", "message": {{"role": "user", "content": [
    {{"type": "tool_result", "tool_use_id": uid, "content": content, "is_error": err}}]}}}}
events = [
    {{"type": "system", "subtype": "init", "tools": ["Read", "Edit"]}},
    # one API message streamed block by block: two events with the same id
    msg("m1", {{"type": "text", "text": "Let me look."}}),
    msg("m1", {{"type": "tool_use", "id": "t1", "name": "Read", "input": {{"file_path": "calc.py"}}}}),
    res("t1", [{{"type": "text", "text": "def add(a, b): return a - b"}}]),
    msg("m2", {{"type": "tool_use", "id": "t2", "name": "Bash", "input": {{"command": "cat missing"}}}}),
    res("t2", "cat: missing: No such file", True),
    msg("m3", {{"type": "tool_use", "id": "t3", "name": "Edit", "input": {{"file_path": "calc.py"}}}}),
    res("t3", big),
    msg("m4", {{"type": "text", "text": "Fixed."}}),
    {{"type": "result", "subtype": "success", "is_error": False, "num_turns": 4, "result": "Fixed.",
     "total_cost_usd": 0.0123,
     "usage": {{"input_tokens": 100, "output_tokens": 10, "cache_read_input_tokens": 0,
               "cache_creation_input_tokens": 0}},
     "modelUsage": {{
        "claude-sonnet-4-6": {{"inputTokens": 1000, "outputTokens": 200, "cacheReadInputTokens": 3000,
                              "cacheCreationInputTokens": 400, "costUSD": 0.01}},
        "claude-haiku-4-5": {{"inputTokens": 50, "outputTokens": 5, "cacheReadInputTokens": 0,
                             "cacheCreationInputTokens": 0, "costUSD": 0.0023}}}}}},
]
print("\n".join(json.dumps(e) for e in events))
"""


def test_claude_code_stream_json_is_stored_as_a_transcript_with_tokens_from_model_usage(
    tmp_path: Path, suites: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-ant-cli-key")
    fake = write(tmp_path / "claude", STREAMING_CLAUDE.format(python=sys.executable))
    fake.chmod(0o755)
    record = _run(suites, "claude-code", "claude-sonnet-4-6", claude_bin=str(fake))
    assert record.status == "completed", record.failure
    assert record.is_successful, record.failure
    transcript, t = record.transcript, record.telemetry
    assert transcript is not None
    assert t is not None
    calls = transcript.tool_calls
    assert [(c.name, c.is_error) for c in calls] == [("Read", False), ("Bash", True), ("Edit", False)]
    assert calls[0].input == {"file_path": "calc.py"}
    assert calls[0].output == "def add(a, b): return a - b"
    assert calls[1].output == "cat: missing: No such file"
    assert len(calls[2].output) < 17_000  # cut as stored
    assert calls[2].output.endswith("characters not stored]")
    assert t.tool_calls == 3
    roles = [m.role for m in transcript.messages]
    assert roles == ["user", "assistant", "user", "assistant", "user", "assistant", "user", "assistant", "result"]
    first = transcript.messages[1].content
    assert [b["type"] for b in first] == ["text", "tool_use"]  # the two events of message m1, one message
    stored_result = transcript.messages[6].content[0]["content"]
    assert len(stored_result) < 17_000
    # tokens: modelUsage's totals over both models (the result's usage is the main loop's only), and its cost
    assert (t.tokens_in, t.tokens_out, t.cache_read_tokens, t.cache_write_tokens) == (1050, 205, 3000, 400)
    assert t.cost_usd == pytest.approx(0.0123)
    assert transcript.messages[-1].content["modelUsage"]["claude-haiku-4-5"]["costUSD"] == 0.0023


def test_claude_code_error_and_missing_binary(tmp_path: Path, suites: Path) -> None:
    fake = write(
        tmp_path / "claude",
        FAKE_CLAUDE.format(python=sys.executable, subtype="error_during_execution", is_error="True", mode="json"),
    )
    fake.chmod(0o755)
    record = _run(suites, "claude-code", None, claude_bin=str(fake))
    assert record.status == "failed"
    assert record.failure is not None
    assert record.failure.category == "agent"
    assert record.telemetry is not None
    assert record.telemetry.cost_usd == 0.042  # what it spent is kept
    result = CliRunner().invoke(
        main,
        [
            "run",
            "--suites-dir",
            str(suites),
            "--db",
            str(tmp_path / "z.db"),
            "-a",
            "claude-code",
            "--claude-bin",
            str(tmp_path / "nope"),
        ],
    )
    assert result.exit_code == 2
    assert "not found" in result.output


def test_from_run_replays_a_stored_run(server: FakeModelServer, suites: Path, db_path: Path) -> None:
    server.script_anthropic(
        tool_use(
            ("writeFile", {"path": "calc.py", "content": FIXED}), ("writeFile", {"path": "notes/n.md", "content": "x"})
        ),
        tool_use(("runCommand", {"command": "rm tests/__init__.py", "description": "cleanup"})),
        text_message("done"),
    )
    first = CliRunner().invoke(
        main,
        ["run", "--suites-dir", str(suites), "--db", str(db_path), "-a", "anthropic", "-m", "m", "--batch-id", "orig"],
    )
    assert first.exit_code == 0, first.output
    with Store(db_path) as store:
        original = store.get_run(store.run_ids("orig")[0])
    assert original is not None
    replay = CliRunner().invoke(
        main,
        [
            "run",
            "--suites-dir",
            str(suites),
            "--db",
            str(db_path),
            "--from-run",
            original.run_id,
            "--batch-id",
            "again",
        ],
    )
    assert replay.exit_code == 0, replay.output
    with Store(db_path) as store:
        again = store.get_run(store.run_ids("again")[0])
    assert again is not None
    assert again.agent == "replay"
    assert (again.scenario, again.tier) == (original.scenario, original.tier)
    assert again.diff is not None
    assert original.diff is not None
    assert [(f.path, f.change, f.patch) for f in again.diff.files] == [
        (f.path, f.change, f.patch) for f in original.diff.files
    ]
    assert len(server.requests) == 3  # the replay made no model call
    missing = CliRunner().invoke(main, ["run", "--suites-dir", str(suites), "--db", str(db_path), "--from-run", "nope"])
    assert missing.exit_code == 2
    assert "no run 'nope'" in missing.output
