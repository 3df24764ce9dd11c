"""The original project's real suites, unchanged ($ZEBENCH_ORIGINAL_SUITES, which .ci/run sets), through the CLI.

The next.js run is real: pnpm installs the fixture's dependencies from the npm registry (warm after the first
time, from zebench's cache), then the baseline and validation commands run as the scenario says.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from zebench.cli import main


def test_list_loads_every_real_scenario(original_suites: Path) -> None:
    result = CliRunner().invoke(main, ["list", "--json", "--suites-dir", str(original_suites)])
    assert result.exit_code == 0, result.output
    rows = {f"{r['suite']}/{r['scenario']}": r for r in json.loads(result.output)}
    assert len(rows) == sum(1 for _ in original_suites.glob("*/scenarios/*/scenario.yaml"))
    assert rows["update-deps/nx-pnpm-monorepo"]["tierDescriptions"]["L3"] == "Migration with breaking changes"
    assert rows["figma-analysis/mcp-example-file"]["workspace"] is False
    assert rows["next.js/000-app-router-migration-simple"]["baselineCommands"][0] == "pnpm install"


@pytest.mark.slow
def test_echo_on_a_real_nextjs_scenario_and_an_artifact_scenario(original_suites: Path, tmp_path: Path) -> None:
    db = tmp_path / "z.db"
    result = CliRunner().invoke(
        main,
        [
            "run",
            "next.js/010-route-handlers",
            "figma-analysis/mcp-example-file",
            "-t",
            "L1",
            "-a",
            "echo",
            "--no-judge",
            "--suites-dir",
            str(original_suites),
            "--db",
            str(db),
            "--workspace-dir",
            str(tmp_path / "ws"),
        ],
    )
    assert result.exit_code == 0, result.output
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    runs = {r["scenario"]: r for r in conn.execute("SELECT * FROM benchmark_runs")}
    assert set(runs) == {"010-route-handlers", "mcp-example-file"}
    nextjs = runs["010-route-handlers"]
    assert nextjs["status"] == "completed", nextjs["error"]
    validation = {
        r["kind"]: r for r in conn.execute("SELECT * FROM validation_results WHERE run_id = ?", (nextjs["run_id"],))
    }
    # the fixture installs and lints cleanly; its tests fail until the task is done (as at baseline)
    assert validation["install"]["status"] == "passed", validation["install"]["output_tail"]
    assert validation["lint"]["status"] == "passed", validation["lint"]["output_tail"]
    assert validation["test"]["status"] == "failed"
    assert "vitest" in validation["test"]["output_tail"].lower()
    assert validation["test"]["baseline_status"] == "failed"
    baseline = [
        (r["command"], r["status"])
        for r in conn.execute("SELECT * FROM baseline_results WHERE run_id = ? ORDER BY seq", (nextjs["run_id"],))
    ]
    assert [c for c, _ in baseline] == ["pnpm install", "pnpm build", "pnpm lint", "pnpm test"]
    assert baseline[0][1] == "passed"
    assert json.loads(nextjs["metadata"])["scenarioId"] == "ZE_nextjs_route_handlers"
    figma = runs["mcp-example-file"]
    assert figma["status"] == "completed"
    assert not figma["is_successful"]
    meta = json.loads(figma["metadata"])
    assert meta["artifact"] == {"type": "figma", "figma_file_id": "6vcQXB7D6W5auK4J0b5JUO"}
    prompt = conn.execute("SELECT prompt_sent FROM run_telemetry WHERE run_id = ?", (figma["run_id"],)).fetchone()[0]
    assert "## Artifact Information" in prompt
    assert "6vcQXB7D6W5auK4J0b5JUO" in prompt
    assert list((tmp_path / "ws").iterdir()) == []
