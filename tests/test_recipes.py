"""docs/development.md's recipes, each followed as written by a throwaway plugin: an agent and an evaluator from
another package (its entry points, nothing of zebench edited), an endpoint of the API. Each test checks that what
the recipe adds appears where users see it. The page recipe is tried in tests/test_site.py, the stage recipe in
tests/test_runner.py."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from zebench.api import v2
from zebench.api.http import endpoint, json_response
from zebench.api.plugin import undocumented_routes

ROOT = Path(__file__).resolve().parent.parent

PLUGIN = '''
"""A third-party package's agent and evaluator (docs/development.md: adding an agent, adding an evaluator)."""

from zebench.agents import Agent, AgentResult, AgentTask
from zebench.evaluators import EvaluationContext, Evaluator, Verdict


class NotesAgent(Agent):
    name = "notes"
    description = "Writes NOTES.md and nothing else (a throwaway agent)."

    async def run(self, task: AgentTask, tools) -> AgentResult:
        await tools.call("writeFile", {"path": "NOTES.md", "content": "written by the notes agent\\n"})
        return task.result


class NotesEvaluator(Evaluator):
    name = "notes_written"
    kind = "info"
    default_weight = 0.0
    description = "Whether NOTES.md exists (a throwaway evaluator)."

    async def evaluate(self, ctx: EvaluationContext) -> Verdict:
        found = (ctx.workspace / "NOTES.md").is_file()
        return Verdict(score=1.0 if found else 0.0, details={"found": found})
'''

ENTRY_POINTS = """
[zebench.agents]
notes = notes_plugin:NotesAgent

[zebench.evaluators]
notes_written = notes_plugin:NotesEvaluator
"""


@pytest.fixture
def plugin_path(tmp_path: Path) -> Path:
    """A folder holding an installed distribution (a module and its .dist-info with entry points), as `pip install`
    of a third-party package leaves it."""
    site = tmp_path / "site-packages"
    site.mkdir()
    (site / "notes_plugin.py").write_text(textwrap.dedent(PLUGIN))
    info = site / "notes_plugin-0.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: notes-plugin\nVersion: 0.1\n")
    (info / "entry_points.txt").write_text(ENTRY_POINTS)
    return site


def zebench(plugin: Path, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(plugin), "ZEBENCH_RUN_JUDGE": "0"}
    return subprocess.run(
        [sys.executable, "-m", "zebench", *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=600
    )


def test_an_agent_and_an_evaluator_of_another_package_are_listed_run_and_stored(
    plugin_path: Path, tmp_path: Path
) -> None:
    listed = zebench(plugin_path, "run", "--list-agents", cwd=tmp_path)
    assert listed.returncode == 0, listed.stderr
    assert "notes" in listed.stdout.split()
    assert "Writes NOTES.md and nothing else" in listed.stdout

    db = tmp_path / "z.db"
    ran = zebench(
        plugin_path,
        *("run", "fix-tests/pagination-off-by-one", "-t", "L1", "-a", "notes", "--db", str(db), "--sandbox", "none"),
        cwd=tmp_path,
    )
    assert ran.returncode in (0, 1), ran.stderr  # 1: the run was not successful (the agent fixes nothing)
    conn = sqlite3.connect(db)
    runs = conn.execute("SELECT run_id, agent, status FROM benchmark_runs").fetchall()
    assert [(agent, status) for _, agent, status in runs] == [("notes", "completed")]
    evaluations = dict(
        conn.execute("SELECT evaluator_name, score FROM evaluation_results WHERE run_id = ?", (runs[0][0],)).fetchall()
    )
    assert evaluations["notes_written"] == 1.0  # the agent's file was seen by the evaluator
    assert "test" in evaluations  # zebench's own evaluators still run beside it

    shown = zebench(plugin_path, "leaderboard", "--db", str(db), "--json", cwd=tmp_path)
    assert shown.returncode == 0, shown.stderr
    assert [row["agent"] for row in json.loads(shown.stdout)] == ["notes"]


def test_a_missing_plugin_target_is_a_loud_error(plugin_path: Path, tmp_path: Path) -> None:
    (plugin_path / "notes_plugin-0.1.dist-info" / "entry_points.txt").write_text(
        "[zebench.agents]\nnotes = notes_plugin:Missing\n"
    )
    listed = zebench(plugin_path, "run", "fix-tests", "-t", "L1", "-a", "notes", "--db", "z.db", cwd=tmp_path)
    assert listed.returncode != 0
    assert "notes_plugin:Missing" in listed.stderr
    assert not (tmp_path / "z.db").exists()


@endpoint("GET")
async def _echo_count(request: Any, datasette: Any) -> Any:
    return json_response({"runs": int(request.url_vars["n"])})


@pytest.fixture
def throwaway_route() -> Iterator[tuple[str, Any]]:
    route = (rf"^{v2.PREFIX}/recipe/(?P<n>\d+)$", _echo_count)
    v2.ROUTES.append(route)
    try:
        yield route
    finally:
        v2.ROUTES.remove(route)


def test_an_endpoint_added_as_the_recipe_says_is_served_and_must_be_documented(
    throwaway_route: tuple[str, Any], tmp_path: Path
) -> None:
    from zebench.io.serve import make_datasette
    from zebench.store import Store

    Store(tmp_path / "z.db").close()
    assert undocumented_routes() == [throwaway_route[0]]  # the recipe's last step: its entry in openapi_document

    import asyncio

    ds = make_datasette(tmp_path / "z.db")
    served = asyncio.run(ds.client.get("/api/v2/recipe/7"))
    assert served.status_code == 200
    assert served.json() == {"runs": 7}
    assert served.headers["access-control-allow-origin"] == "*"
    refused = asyncio.run(ds.client.post("/api/v2/recipe/7"))
    assert refused.status_code == 405
    assert refused.json()["ok"] is False


def test_every_route_of_the_api_is_in_the_openapi_document() -> None:
    assert undocumented_routes() == []
