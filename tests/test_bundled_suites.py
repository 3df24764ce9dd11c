"""The bundled suites keep their promises: oracle 10/10 and successful, echo unsuccessful, on every scenario."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from zebench.catalog import Catalog
from zebench.execution.batch import BatchResult, make_plan, run_batch
from zebench.store import Store

from .conftest import BUNDLED_SUITES, run, stored_run


@pytest.fixture(scope="module")
def bundled_batch(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BatchResult]:
    store = Store(tmp_path_factory.mktemp("bundled") / "z.db")
    plan, _ = make_plan(Catalog(BUNDLED_SUITES), [], tiers=["L1"], agents=["oracle", "echo"], models=[])
    result = run(run_batch(store, plan, concurrency=4))
    yield result
    store.close()


def test_catalog_size_and_tiers() -> None:
    scenarios = Catalog(BUNDLED_SUITES).all_scenarios()
    assert len({s.suite for s in scenarios}) >= 3
    assert len(scenarios) >= 8
    assert {"update-deps", "fix-tests", "small-features", "refactor"} <= {s.suite for s in scenarios}
    assert {t for s in scenarios for t in s.tiers} >= {"L0", "L1", "L2", "L3", "Lx"}
    for s in scenarios:
        assert s.solution_dir is not None, s.key
        assert "L1" in s.tiers, s.key
        assert not s.warnings, (s.key, s.warnings)
        assert s.spec.validation.commands.items(), s.key


def test_update_deps_mirrors_the_original_task() -> None:
    scenarios = Catalog(BUNDLED_SUITES).select(["update-deps"])
    specs = [s.spec for s in scenarios]
    assert any(s.targets.required for s in specs)
    assert any(s.constraints.blocklist for s in specs)
    assert any(s.constraints.companion_versions for s in specs)


def test_oracle_scores_ten_and_succeeds_everywhere(bundled_batch: BatchResult) -> None:
    oracle = [r for r in bundled_batch.records if r.agent == "oracle"]
    assert len(oracle) == len(Catalog(BUNDLED_SUITES).all_scenarios())
    for r in oracle:
        low = [(e.evaluator_name, e.score, e.details) for e in r.evaluations if e.applicable and e.score != 1.0]
        assert r.status == "completed", (r.scenario, low, r.failure)
        assert r.weighted_score == 10.0, (r.scenario, low, r.failure)
        assert r.is_successful, (r.scenario, low, r.failure)
        assert all(v.status == "passed" for v in r.validation), (r.scenario, r.validation)


def test_echo_is_unsuccessful_everywhere(bundled_batch: BatchResult) -> None:
    echo = [r for r in bundled_batch.records if r.agent == "echo"]
    assert echo, [(r.scenario, r.weighted_score, r.success_metric) for r in echo if r.is_successful]
    assert all(r.status == "completed" and not r.is_successful for r in echo), [
        (r.scenario, r.weighted_score, r.success_metric) for r in echo if r.is_successful
    ]


def test_run_from_any_directory_uses_the_bundled_suites(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from click.testing import CliRunner

    from zebench.catalog import BUNDLED_SUITES_DIR
    from zebench.cli import main

    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("ZEBENCH_SUITES_DIR", raising=False)
    result = CliRunner().invoke(main, ["run", "fix-tests", "-a", "oracle", "-t", "L1"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "data" / "zebench.db").is_file()
    assert "suites" not in {p.name for p in tmp_path.iterdir()}
    store = Store(tmp_path / "data" / "zebench.db")
    first = stored_run(store, store.run_ids()[0])
    assert first.batch_id is not None
    batch = store.get_batch(first.batch_id)
    store.close()
    assert batch is not None
    assert batch.metadata["plan"]["suites_dir"] == str(BUNDLED_SUITES_DIR)


@pytest.mark.slow
def test_the_wheel_carries_the_bundled_suites(tmp_path: Path) -> None:
    import subprocess
    import sys
    import zipfile

    built = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--quiet",
            "--no-deps",
            "-w",
            str(tmp_path),
            str(BUNDLED_SUITES.parent.parent),
        ],
        capture_output=True,
        text=True,
    )
    assert built.returncode == 0, built.stderr
    (wheel,) = tmp_path.glob("zebench-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    bundled = {
        f"zebench/suites/{p.relative_to(BUNDLED_SUITES).as_posix()}"
        for p in BUNDLED_SUITES.rglob("*")
        if p.is_file() and "__pycache__" not in p.parts
    }
    assert bundled, sorted(bundled - names)[:5]
    assert bundled <= names, sorted(bundled - names)[:5]
    from zebench.catalog import SCAFFOLD_DIR  # what `zebench new-scenario` copies

    scaffold = {
        f"zebench/scaffold/{p.relative_to(SCAFFOLD_DIR).as_posix()}"
        for p in SCAFFOLD_DIR.rglob("*")
        if p.is_file() and "__pycache__" not in p.parts
    }
    assert len(scaffold) >= 10, sorted(scaffold - names)[:5]
    assert scaffold <= names, sorted(scaffold - names)[:5]
