from __future__ import annotations

import json

import pytest

from zebench.isolation.redact import Redactor, is_secret_name, redact, secret_values
from zebench.models import Message, RunRecord, ToolCallRecord, Transcript

ENV = {
    "ANTHROPIC_API_KEY": "sk-ant-api03-abcdefghijklmnopqrstuvwxyz0123",
    "ZE_BENCHMARKS_API_KEY": "zb_live_0123456789abcdef",
    "GH_PAT": "ghp_" + "A1b2C3d4" * 5,
    "DATABASE_URL": "postgres://admin:hunter2-pw@db.internal:5432/app",
    "MY_SERVICE_PASSWORD": 'pa"ss\\word-123',
    "PATH": "/usr/local/bin:/usr/bin:/bin",  # PAT only as a word
    "DEBUG_TOKEN": "true",  # too short to be a secret
    "XDG_SESSION_TYPE": "wayland-session",  # not a secret whatever the name says
    "SSH_AUTH_SOCK": "/tmp/ssh-XXXX/agent.123",
    "HOME": "/root",
}


def test_which_environment_values_are_secrets() -> None:
    found = secret_values(ENV)
    assert sorted(found.values()) == [
        "ANTHROPIC_API_KEY",
        "DATABASE_URL",
        "GH_PAT",
        "MY_SERVICE_PASSWORD",
        "ZE_BENCHMARKS_API_KEY",
    ]
    assert is_secret_name("gh_pat")
    assert is_secret_name("GITHUB_TOKEN")
    assert not is_secret_name("PATH")
    assert not is_secret_name("XDG_SESSION_ID")
    assert is_secret_name("SESSION_COOKIE")


@pytest.mark.parametrize(
    "text, expected",
    [
        ("key=sk-ant-api03-abcdefghijklmnopqrstuvwxyz0123\n", "key=[REDACTED:ANTHROPIC_API_KEY]\n"),
        (
            "ZE_BENCHMARKS_API_KEY=zb_live_0123456789abcdef\0GH_PAT=ghp_" + "A1b2C3d4" * 5,
            "ZE_BENCHMARKS_API_KEY=[REDACTED:ZE_BENCHMARKS_API_KEY]\0GH_PAT=[REDACTED:GH_PAT]",
        ),
        ("url postgres://admin:hunter2-pw@db.internal:5432/app", "url [REDACTED:DATABASE_URL]"),
        ('json {"p": "pa\\"ss\\\\word-123"}', 'json {"p": "[REDACTED:MY_SERVICE_PASSWORD]"}'),
        # shapes, whatever their origin
        ("other sk-ant-api03-" + "Z" * 30, "other [REDACTED:anthropic-key]"),
        ("\nsk-or-v1-" + "0f" * 32, "\n[REDACTED:openrouter-key]"),
        ("openai sk-proj-" + "x9" * 12, "openai [REDACTED:api-key]"),
        ("gho_" + "b" * 36 + " github_pat_" + "C" * 40, "[REDACTED:github-token] [REDACTED:github-token]"),
        ("slack xoxb-1234-5678-abcdefghij", "slack [REDACTED:slack-token]"),
        ("AKIAABCDEFGHIJKLMNOP", "[REDACTED:aws-access-key]"),
        ("git clone https://user:s3cr3t@github.com/o/r", "git clone https://[REDACTED:url-credentials]@github.com/o/r"),
        ("Authorization: Bearer abcdef0123456789xyz", "Authorization: Bearer [REDACTED:authorization]"),
        ("Authorization: Basic dXNlcjpwYXNzd29yZDE=", "Authorization: Basic [REDACTED:authorization]"),
        ("jwt eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.c2lnbmF0dXJlLXh5eg", "jwt [REDACTED:jwt]"),
        (
            "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXk\n-----END OPENSSH PRIVATE KEY-----\nafter",
            "[REDACTED:private-key]\nafter",
        ),
        (
            "[default]\naws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n",
            "[default]\naws_secret_access_key = [REDACTED:assignment]\n",
        ),
        ('{"password": "c0rrect-h0rse-battery"}', '{"password": "[REDACTED:assignment]"}'),
        ("//registry.npmjs.org/:_authToken=npm_" + "a1B2" * 9, "//registry.npmjs.org/:_authToken=[REDACTED:npm-token]"),
        # left alone: code that names a secret without holding one
        (
            "token = get_token()\npassword = os.environ['PASSWORD']\ntoken_count: 123456789012",
            "token = get_token()\npassword = os.environ['PASSWORD']\ntoken_count: 123456789012",
        ),
        # left alone: short values, ordinary words, prose, paths, URLs without a password
        ("true wayland-session /tmp/ssh-XXXX/agent.123", "true wayland-session /tmp/ssh-XXXX/agent.123"),
        (
            "the bearer authentication scheme; task-list sk-short",
            "the bearer authentication scheme; task-list sk-short",
        ),
        (
            "https://user@example.com/x http://localhost:8000/a@b",
            "https://user@example.com/x http://localhost:8000/a@b",
        ),
    ],
)
def test_text(text: str, expected: str) -> None:
    assert Redactor(secret_values(ENV)).text(text) == expected


def _record(output: str, content: object = "hello") -> RunRecord:
    return RunRecord(
        run_id="r1",
        suite="s",
        scenario="c",
        tier="L1",
        agent="a",
        status="completed",
        started_at="2026-01-01",
        metadata={"note": output, output: 1},
        transcript=Transcript(
            messages=[Message(role="user", content=content)],
            tool_calls=[ToolCallRecord(seq=1, name="runCommand", input={"command": "env"}, output=output)],
        ),
    )


def test_a_record_is_redacted_everywhere_and_unchanged_records_are_kept_as_they_are() -> None:
    redactor = Redactor(secret_values(ENV))
    leaked = "\n".join(f"{k}={v}" for k, v in ENV.items())
    record = _record(leaked, content=[{"type": "text", "text": leaked}])
    clean = redactor.model(record)
    text = clean.model_dump_json()
    for value in secret_values(ENV):
        assert value not in text
        assert json.dumps(value)[1:-1] not in text
    assert clean.transcript is not None
    assert "[REDACTED:GH_PAT]" in clean.transcript.tool_calls[0].output
    assert "[REDACTED:ANTHROPIC_API_KEY]" in clean.transcript.messages[0].content[0]["text"]
    assert any("[REDACTED:DATABASE_URL]" in key for key in clean.metadata)  # dict keys too
    assert record.transcript is not None
    assert record.transcript.tool_calls[0].output == leaked  # the original is not changed
    harmless = _record("nothing to see here")
    assert redactor.model(harmless) is harmless


def test_redact_reads_this_process_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENROUTER_API_KEY", "or-key-value-0123456789")
    assert "[REDACTED:OPENROUTER_API_KEY]" in redact(_record("x or-key-value-0123456789 y")).metadata["note"]
    monkeypatch.delenv("OPENROUTER_API_KEY")
    assert redact(_record("x or-key-value-0123456789 y")).metadata["note"] == "x or-key-value-0123456789 y"
