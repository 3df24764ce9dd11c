"""Secrets in the harness's environment never reach the database, the results JSONL or the built site, even when
an agent command reads them (/proc/$PPID/environ, env) and the agent writes them into files and tool calls."""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import SCENARIO_YAML, make_scenario, write


def _secrets() -> dict[str, str]:
    token = secrets.token_hex
    return {
        "ANTHROPIC_API_KEY": f"sk-ant-api03-{token(20)}",
        "OPENROUTER_API_KEY": f"sk-or-v1-{token(32)}",
        "ZE_BENCHMARKS_API_KEY": f"zbk{token(12)}",
        "GH_PAT": f"ghp_{token(18)}",
        "GITHUB_TOKEN": f"ghs_{token(18)}",
        "DATABASE_URL": f"postgres://bench:pw{token(8)}@db.example:5432/zebench",
        "AWS_SECRET_ACCESS_KEY": token(20),
        "MY_APP_PASSWORD": f"hunter{token(6)}",
    }


@pytest.mark.slow
def test_secrets_are_nowhere_in_the_database_the_jsonl_or_the_site(tmp_path: Path) -> None:
    values = _secrets()
    password = values["DATABASE_URL"].split(":")[2].split("@")[0]
    suites = tmp_path / "suites"
    # Validation output is stored too: a check that prints the harness's environment.
    yaml_text = SCENARIO_YAML.format(name="add", suite="demo").replace(
        'test: "python -m unittest discover -s tests -t . -q"',
        'test: "python -m unittest discover -s tests -t . -q"\n'
        "    lint: \"cat /proc/$PPID/environ | tr '\\\\\\\\0' '\\\\\\\\n'; env\"",
    )
    make_scenario(suites, yaml_text=yaml_text)
    everything = "\n".join(f"{k}={v}" for k, v in values.items())
    calls = [
        {"name": "runCommand", "input": {"command": "cat /proc/$PPID/environ | tr '\\0' '\\n'; echo; env"}},
        {"name": "writeFile", "input": {"path": "leak.txt", "content": everything}},  # an agent echoing keys
        {"name": "runCommand", "input": {"command": "cat leak.txt; git clone " + values["DATABASE_URL"] + " x"}},
    ]
    replay = write(tmp_path / "calls.json", json.dumps(calls))
    db, output, site = tmp_path / "z.db", tmp_path / "results.jsonl", tmp_path / "site"
    env = {**os.environ, **values}
    zebench = [sys.executable, "-m", "zebench"]
    ran = subprocess.run(
        zebench
        + [
            "run",
            "--suites-dir",
            str(suites),
            "--db",
            str(db),
            "--output",
            str(output),
            "-a",
            "replay",
            "--replay-file",
            str(replay),
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert ran.returncode == 0, ran.stderr + ran.stdout
    built = subprocess.run(
        zebench + ["build-site", "--db", str(db), "--out", str(site), "-q"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert built.returncode == 0, built.stderr

    record = json.loads(output.read_text().splitlines()[0])
    leaked_file = record["transcript"]["toolCalls"][1]["input"]["content"]
    assert "ANTHROPIC_API_KEY=[REDACTED:ANTHROPIC_API_KEY]" in leaked_file  # it was there, and was redacted
    assert "[REDACTED:DATABASE_URL]" in record["transcript"]["toolCalls"][2]["output"]
    assert any(v["kind"] == "lint" for v in record["validation"])

    places = {"stdout": ran.stdout.encode(), "stderr": ran.stderr.encode(), "jsonl": output.read_bytes()}
    places |= {str(p): p.read_bytes() for p in tmp_path.glob("z.db*")}  # the database and its WAL
    places |= {str(p): p.read_bytes() for p in site.rglob("*") if p.is_file()}
    assert len(places) > 20
    for where, data in places.items():
        for name, value in [*values.items(), ("DATABASE_URL password", password)]:
            assert value.encode() not in data, f"{name} in {where}"


@pytest.mark.slow
def test_credential_files_an_agent_reads_without_the_sandbox_stay_out_of_the_database(tmp_path: Path) -> None:
    """--sandbox none: an agent command reads the user's credential files (.netrc, .pgpass, docker's config.json,
    a kubeconfig, a PGP key, .env files) and prints them; none of their secrets is stored."""
    token = secrets.token_hex
    found = {
        "netrc": f"n{token(6)}",
        "pgpass": f"pg{token(6)}",
        "docker": f"dock{token(4)}",
        "basic": f"b{token(5)}",
        "env": f"e{token(5)}",
        "yaml": f"y{token(5)}",
        "kube": token(24),
        "pgp": token(24),
    }
    import base64

    home = tmp_path / "home"
    files = {
        ".netrc": f"machine api.example.com\n  login bob\n  password {found['netrc']}\n",
        ".pgpass": f"db.example.com:5432:app:bob:{found['pgpass']}\n",
        ".docker/config.json": json.dumps(
            {"auths": {"registry.example": {"auth": base64.b64encode(f"bob:{found['docker']}".encode()).decode()}}}
        ),
        ".kube/config": f"users:\n- name: bob\n  user:\n    client-key-data: {found['kube']}\n",
        "key.asc": f"-----BEGIN PGP PRIVATE KEY BLOCK-----\n\n{found['pgp']}\n-----END PGP PRIVATE KEY BLOCK-----\n",
        "app/.env": f"DB_PASS={found['env']}\n",
        "app/compose.yaml": f"services:\n  db:\n    environment:\n      DB_PASSWORD: {found['yaml']}\n",
        "curl.log": "> authorization: Basic "
        + base64.b64encode(f"bob:{found['basic']}".encode()).decode()
        + "\n< HTTP/1.1 200 OK\n",
    }
    for rel, text in files.items():
        write(home / rel, text)
    suites = tmp_path / "suites"
    make_scenario(suites)
    paths = " ".join(str(home / rel) for rel in files)
    calls = [{"name": "runCommand", "input": {"command": f"cat {paths}"}}]
    replay = write(tmp_path / "calls.json", json.dumps(calls))
    db = tmp_path / "z.db"
    ran = subprocess.run(
        [sys.executable, "-m", "zebench", "run", "--suites-dir", str(suites), "--db", str(db), "--sandbox", "none"]
        + ["-a", "replay", "--replay-file", str(replay)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert ran.returncode == 0, ran.stderr + ran.stdout
    import sqlite3

    with sqlite3.connect(db) as conn:
        (output,) = conn.execute("SELECT output FROM run_tool_calls").fetchone()
    assert "machine api.example.com" in output
    assert "[REDACTED:netrc]" in output
    data = b"".join(p.read_bytes() for p in tmp_path.glob("z.db*"))
    for name, value in found.items():
        assert value.encode() not in data, name
