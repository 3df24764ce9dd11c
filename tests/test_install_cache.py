"""The shared package caches and prepared node_modules (zebench.isolation.layers): warm for every run, alterable by
none. A trusted install (the baseline's, on an untouched copy of the fixture) publishes; a hostile run attacks what
it installed (chmod, write, unlink and replace, write through a hard link) and the next run still gets the
original. The attacks work on the run's own view (the published files show as its user's, so even chmod does):
they only never reach the layers. The same attacks on a store bound read-write, as before the layers, do alter
what the next run reads.

The package manager is a shell script that does what pnpm does to the store and the workspace: the real one is
timed by scripts/bench/install.py and run by the original suites' tests.
"""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest

from zebench.isolation import layers
from zebench.isolation.sandbox import Policy, Sandbox
from zebench.models import BaselineCommand, ValidationCommands
from zebench.run.validation import run_baseline, run_validation
from zebench.run.workspace import prepare_workspace

from .conftest import make_sandbox, run, write

#: "Installs" one package: its file into the store (content-addressed, as pnpm's), then into node_modules.
INSTALL = (
    "set -e; f=$npm_config_store_dir/v3/files/ab/c0ffee; "
    'if [ ! -e "$f" ]; then mkdir -p "${f%/*}"; echo "left-pad 1.3.0" > "$f"; echo fetched; fi; '
    'if [ ! -e node_modules/left-pad/index.js ]; then mkdir -p node_modules/left-pad; cp "$f" '
    "node_modules/left-pad/index.js; echo linked; fi; echo installed"
)
#: Every way a run might alter what another run installs.
ATTACKS = (
    "chmod 0777 node_modules/left-pad/index.js",
    "echo pwned > node_modules/left-pad/index.js",
    "rm -f node_modules/left-pad/index.js && echo pwned > node_modules/left-pad/index.js",
    "ln $npm_config_store_dir/v3/files/ab/c0ffee $npm_config_store_dir/v3/files/ab/link && "
    "echo pwned > $npm_config_store_dir/v3/files/ab/link",
    "echo pwned > $npm_config_store_dir/v3/files/ab/c0ffee",
    "chmod 0777 $npm_config_store_dir/v3/files/ab/c0ffee",
    "rm -f $npm_config_store_dir/v3/files/ab/c0ffee && echo pwned > $npm_config_store_dir/v3/files/ab/c0ffee",
    "touch $npm_config_store_dir/v3/files/ab/planted node_modules/left-pad/planted",
)


def policies(cache: Path, *, layered: bool = True) -> dict[str, Policy]:
    store = cache / "pnpm-store"
    env = {"npm_config_store_dir": str(store)}
    policy = Policy(layered_paths=(store,), env=env) if layered else Policy(rw_paths=(store,), env=env)
    return {"validation": policy}


@pytest.fixture
def fixture(tmp_path: Path) -> Path:
    root = tmp_path / "fixture"
    write(root / "package.json", json.dumps({"name": "app", "dependencies": {"left-pad": "1.3.0"}}))
    write(root / "index.js", "require('left-pad')\n")
    return root


def baseline(fixture: Path, cache: Path, tmp: Path) -> str:
    (result,) = run(
        run_baseline(
            [BaselineCommand(cmd=INSTALL)],
            fixture,
            ValidationCommands(install=INSTALL),
            timeout=60,
            sandbox_mode="bwrap",
            policies=policies(cache),  # type: ignore[arg-type]
            workspace_root=tmp,
        )
    )
    assert result.status == "passed", result.output_tail
    return result.output_tail


def a_run(fixture: Path, cache: Path, tmp: Path, *commands: str, layered: bool = True) -> list[str]:
    """A run's validation on a fresh copy of the fixture: the install, then ``commands`` one by one."""
    workspace = prepare_workspace(fixture, tmp / "runs")
    box = Sandbox(workspace, mode="bwrap", policies=policies(cache, layered=layered), scratch_root=tmp)  # type: ignore[arg-type]

    async def go() -> list[str]:
        async with box:
            (install,) = await run_validation(ValidationCommands(install=INSTALL), box, timeout=60)
            outputs = [install.output_tail]
            for command in commands:
                result = await box.run(command, purpose="validation", timeout=60)
                outputs.append(f"{result.exit_code} {result.output}")
            return outputs

    return run(go())


def read_back(fixture: Path, cache: Path, tmp: Path, *, layered: bool = True) -> list[str]:
    return a_run(
        fixture,
        cache,
        tmp,
        "cat node_modules/left-pad/index.js; stat -c %a node_modules/left-pad/index.js; "
        "ls $npm_config_store_dir/v3/files/ab node_modules/left-pad",
        "cat $npm_config_store_dir/v3/files/ab/c0ffee",
        layered=layered,
    )


def test_runs_install_warm_from_what_the_baseline_published(fixture: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    assert "fetched" in baseline(fixture, cache, tmp_path)
    (store_layer,) = layers.stack(cache / "pnpm-store")
    assert (store_layer / "v3/files/ab/c0ffee").read_text() == "left-pad 1.3.0\n"
    trees = list((cache / "layers" / "node_modules").iterdir())
    assert len(trees) == 1
    assert (trees[0] / "left-pad" / "index.js").read_text() == "left-pad 1.3.0\n"
    for path in (store_layer / "v3/files/ab/c0ffee", trees[0] / "left-pad" / "index.js"):
        assert path.stat().st_uid == 0  # given to root: no sandbox user owns what was published
    install, *_ = read_back(fixture, cache, tmp_path)
    assert "fetched" not in install  # the store had it
    assert "linked" not in install  # node_modules was there already: the prepared tree
    assert "installed" in install
    assert not (cache / "pnpm-store").exists() or not any((cache / "pnpm-store").iterdir())  # never bound


def test_a_run_cannot_alter_what_another_run_installs(fixture: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    baseline(fixture, cache, tmp_path)
    (store_layer,) = layers.stack(cache / "pnpm-store")
    (tree,) = (cache / "layers" / "node_modules").iterdir()
    files = (store_layer / "v3/files/ab/c0ffee", tree / "left-pad/index.js")
    published = {p: (p.read_bytes(), p.stat().st_mode) for p in files}
    hostile = a_run(fixture, cache, tmp_path, *ATTACKS, "cat node_modules/left-pad/index.js")
    assert all(out.startswith("0 ") for out in hostile[1:]), hostile  # each attack worked, on the run's own view
    assert hostile[-1].endswith("pwned\n")
    assert {p: (p.read_bytes(), p.stat().st_mode) for p in published} == published
    assert not (store_layer / "v3/files/ab/planted").exists()
    assert not (tree / "left-pad/planted").exists()
    _, listing, store_file = read_back(fixture, cache, tmp_path)
    assert listing.startswith("0 left-pad 1.3.0\n664\n")
    assert "planted" not in listing
    assert "link" not in listing
    assert store_file == "0 left-pad 1.3.0\n"


def test_without_layers_the_same_attacks_alter_the_next_run(fixture: Path, tmp_path: Path) -> None:
    """The control: a store bound read-write (every run sharing it, as before the layers, and as without root or
    bubblewrap) lets one run change what the next one installs."""
    cache = tmp_path / "cache"
    a_run(fixture, cache, tmp_path, layered=False)
    a_run(fixture, cache, tmp_path, "echo pwned > $npm_config_store_dir/v3/files/ab/c0ffee", layered=False)
    _, _, store_file = read_back(fixture, cache, tmp_path, layered=False)
    assert store_file == "0 pwned\n"
    install, listing, _ = read_back(fixture, cache, tmp_path, layered=False)
    assert "fetched" not in install
    assert "pwned" in listing  # what the next run installed: the altered file


def test_a_run_writes_its_own_view_and_it_goes_with_it(fixture: Path, tmp_path: Path) -> None:
    """What a run adds to the caches (before anything was published) is its own: the next run starts empty."""
    cache = tmp_path / "cache"
    first, *_ = a_run(fixture, cache, tmp_path)
    assert "fetched" in first
    again, *_ = a_run(fixture, cache, tmp_path)
    assert "fetched" in again
    assert layers.stack(cache / "pnpm-store") == []
    assert not (cache / "layers" / "node_modules").exists()


def test_views_are_not_visible_outside_nor_left_behind(fixture: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    baseline(fixture, cache, tmp_path)
    box = make_sandbox(tmp_path / "ws", "bwrap", policies=policies(cache))
    out = run(box.run("cat $npm_config_store_dir/v3/files/ab/c0ffee", purpose="validation", timeout=60))
    assert out.output == "left-pad 1.3.0\n"
    assert box.scratch is not None
    views = list((box.scratch / "cache-views").glob("*/view"))
    assert len(views) == 1
    assert list(views[0].iterdir()) == []  # the overlay is mounted in zebench's helper only
    with open("/proc/self/mountinfo") as fh:
        assert str(box.scratch) not in fh.read()
    scratch = box.scratch
    run(box.close())
    # the views are gone with the sandbox (its private folders may be kept, emptied, for the next sandbox)
    assert not (scratch / "cache-views").exists()
    assert stat.S_ISDIR(os.lstat(layers.stack(cache / "pnpm-store")[0]).st_mode)
