"""A FIFO (or a socket) in a scenario's folder is an error naming its path wherever scenario files are read: the
catalog (`zebench list`, `run`, `check`), the content hash, the workspace copy and the archives sent to remote
workers. It hung `zebench run` in the content hash, deaf to SIGTERM and SIGINT (issue 26, point 7)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from zebench.catalog import Catalog, CatalogError
from zebench.cli import main

from .conftest import make_scenario

MESSAGE = "a scenario may hold only regular files, folders and symlinks"


def _suite(tmp_path: Path) -> tuple[Path, Path]:
    suites = tmp_path / "suites"
    scenario = make_scenario(suites)
    return suites, scenario


def test_list_names_the_fifo(tmp_path: Path) -> None:
    suites, scenario = _suite(tmp_path)
    os.mkfifo(scenario / "repo-fixture" / "pipe")
    result = CliRunner().invoke(main, ["list", "--suites-dir", str(suites)])
    assert result.exit_code == 2
    assert f"{scenario / 'repo-fixture' / 'pipe'}: a FIFO: {MESSAGE}" in result.output


@pytest.mark.parametrize("where", ["repo-fixture/deep/er/pipe", "solution/pipe", "checks/pipe"])
def test_run_refuses_at_once_and_writes_nothing(tmp_path: Path, where: str) -> None:
    suites, scenario = _suite(tmp_path)
    (scenario / where).parent.mkdir(parents=True, exist_ok=True)
    os.mkfifo(scenario / where)
    db = tmp_path / "z.db"
    # A real process: before the fix it blocked in the content hash until killed (timeout fails the test).
    ran = subprocess.run(
        [sys.executable, "-m", "zebench", "run", "--suites-dir", str(suites), "--db", str(db), "-a", "echo"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert ran.returncode == 2, ran.stdout + ran.stderr
    assert f"{scenario / where}: a FIFO" in ran.stderr
    assert not db.exists()


def test_a_socket_is_refused_too(tmp_path: Path) -> None:
    suites, scenario = _suite(tmp_path)
    path = scenario / "repo-fixture" / "s.sock"
    server = socket.socket(socket.AF_UNIX)
    try:
        server.bind(str(path))
        with pytest.raises(CatalogError, match="a socket"):
            Catalog(suites).scenario("demo", "add")
    finally:
        server.close()


def test_check_reports_it_as_a_problem_of_the_file(tmp_path: Path) -> None:
    suites, scenario = _suite(tmp_path)
    os.mkfifo(scenario / "repo-fixture" / "pipe")
    result = CliRunner().invoke(main, ["check", "--suites-dir", str(suites), "demo"])
    assert result.exit_code == 1
    assert "a FIFO" in result.output


def test_every_reader_refuses_a_fifo_that_appears_after_loading(tmp_path: Path) -> None:
    """The scenario loaded clean, then a FIFO appeared: the hash, the workspace copy and the remote archive
    refuse it instead of blocking on it."""
    from zebench.execution.executors.remote import pack_scenario
    from zebench.run.workspace import prepare_workspace

    suites, scenario_dir = _suite(tmp_path)
    scenario = Catalog(suites).scenario("demo", "add")
    pipe = scenario_dir / "repo-fixture" / "pipe"
    os.mkfifo(pipe)
    with pytest.raises(CatalogError, match="a FIFO") as hashed:
        _ = scenario.content_hash
    assert str(pipe) in str(hashed.value)
    with pytest.raises(CatalogError, match="a FIFO") as copied:
        prepare_workspace(scenario.fixture_dir, tmp_path / "ws")
    assert str(pipe) in str(copied.value)
    with pytest.raises(CatalogError, match="a FIFO") as packed:
        pack_scenario(scenario)
    assert str(pipe) in str(packed.value)
    # a regular file swapped for a FIFO after the listing: opened without blocking, refused
    from zebench.catalog import read_regular

    calc = scenario_dir / "repo-fixture" / "calc.py"
    calc.unlink()
    os.mkfifo(calc)
    with pytest.raises(CatalogError, match="a FIFO"):
        read_regular(calc)


def test_an_agents_fifo_in_its_workspace_is_still_just_skipped(tmp_path: Path) -> None:
    """Agent-controlled files are not scenario files: a FIFO the agent made is left out of the diff, not an
    error of the run."""
    from zebench.run.workspace import compute_diff

    suites, scenario_dir = _suite(tmp_path)
    workspace = tmp_path / "ws"
    import shutil

    shutil.copytree(scenario_dir / "repo-fixture", workspace)
    os.mkfifo(workspace / "agent-pipe")
    diff = compute_diff(scenario_dir / "repo-fixture", workspace)
    assert all(f.path != "agent-pipe" for f in diff.files)
