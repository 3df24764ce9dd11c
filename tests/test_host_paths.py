"""No host path on public pages (issue 26, point 7): telemetry's workspaceDir, the manifest's replay-file path,
the batch's --output and suites folder, and the served site's folder are published by name only, in the API (both
shapes), the static site and Datasette's pages of those tables."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from zebench.cli import main
from zebench.io.serve import make_datasette
from zebench.isolation.redact import public_path

from .conftest import make_scenario, write


def test_public_path() -> None:
    assert public_path("/home/alice/work/zebench-r1-abc") == "zebench-r1-abc"
    assert public_path("/home/alice/runs/replay.jsonl") == "replay.jsonl"
    assert public_path("~/x/y/") == "y"
    assert public_path("C:\\Users\\bob\\ws") == "ws"
    assert public_path("results/workspaces/update-deps-x") == "results/workspaces/update-deps-x"  # relative: kept
    assert public_path(None) is None
    assert public_path("") == ""


@pytest.fixture
def published(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path, str]:
    """A batch run from another folder than the files it names: a replay file, the suites and --output all
    under ``secret-home`` (a stand-in for /home/<user>), workspaces under it too; then the site is built."""
    home = tmp_path / "secret-home"
    suites = home / "suites"
    make_scenario(suites)
    replay = write(home / "calls" / "replay.json", json.dumps([{"name": "listFiles", "input": {"path": "."}}]))
    cwd = tmp_path / "elsewhere"
    cwd.mkdir()
    monkeypatch.chdir(cwd)
    db = tmp_path / "z.db"
    result = CliRunner().invoke(
        main,
        ["run", "--suites-dir", str(suites), "--db", str(db), "-a", "replay", "--replay-file", str(replay)]
        + ["--workspace-dir", str(home / "ws"), "-o", str(home / "out.jsonl"), "--batch-id", "b", "--keep-workspaces"],
    )
    assert result.exit_code == 0, result.output
    site = tmp_path / "site"
    assert CliRunner().invoke(main, ["build-site", "--db", str(db), "--out", str(site), "-q"]).exit_code == 0
    return db, site, str(home)


def test_the_api_and_the_site_publish_no_host_path(published: tuple[Path, Path, str]) -> None:
    db, site, home = published
    ds = make_datasette(db, site=site)
    run_id = asyncio.run(ds.client.get("/api/v2/runs")).json()[0]["runId"]
    pages = {
        f"/api/runs/{run_id}",
        f"/api/runs/{run_id}/telemetry",
        f"/api/v2/runs/{run_id}",
        "/api/batches",
        "/api/batches/b",
        "/api/v2/batches",
        "/api/v2/batches/b",
        "/-/metadata.json",
        "/-/metadata",
        "/z/run_telemetry.json",
        "/z/run_manifests.json",
        "/z/run_telemetry",
    }
    bodies = {}
    for page in sorted(pages):
        response = asyncio.run(ds.client.get(page))
        assert response.status_code == 200, (page, response.text)
        bodies[page] = response.text
        assert home not in response.text, page
    # a useful relative form is kept: which workspace, which replay file, which output file
    telemetry = json.loads(bodies[f"/api/runs/{run_id}/telemetry"])
    assert telemetry["workspaceDir"].startswith("zebench-")
    assert '"replay_file":"replay.json"' in bodies[f"/api/v2/runs/{run_id}"].replace(" ", "")
    assert json.loads(bodies["/api/v2/batches/b"])["metadata"]["output"] == "out.jsonl"
    # the results file keeps the kept workspace's whole path, and it is there
    (line,) = (Path(home) / "out.jsonl").read_text().splitlines()
    assert Path(json.loads(line)["telemetry"]["workspaceDir"]).is_dir()
    files = [p for p in site.rglob("*") if p.is_file()]
    assert len(files) > 20
    for path in files:
        assert home.encode() not in path.read_bytes(), path


def test_resume_still_finds_its_output_and_suites(published: tuple[Path, Path, str]) -> None:
    """The batch keeps the absolute paths --resume needs; only what is published is scrubbed."""
    from zebench.store import Store

    db, _, home = published
    with Store(db) as store:
        batch = store.get_batch("b")
    assert batch is not None
    assert batch.metadata["output"] == f"{home}/out.jsonl"
    assert batch.metadata["plan"]["suites_dir"] == f"{home}/suites"
