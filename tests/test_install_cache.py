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

from zebench.catalog import Catalog
from zebench.execution.runner import RunOptions, RunSpec, run_one
from zebench.isolation import layers
from zebench.isolation import sandbox as sandbox_module
from zebench.isolation.sandbox import Policy, Sandbox
from zebench.models import BaselineCommand, ValidationCommands
from zebench.run.validation import run_baseline, run_validation
from zebench.run.workspace import prepare_workspace

from .conftest import make_sandbox, make_scenario, run, write

#: "Installs" one package: its file into the store (content-addressed, as pnpm's), then into node_modules.
INSTALL = (
    "set -e; f=$npm_config_store_dir/v3/files/ab/c0ffee; "
    'if [ ! -e "$f" ]; then mkdir -p "${f%/*}"; echo "left-pad 1.3.0" > "$f"; echo fetched; fi; '
    'if [ ! -e node_modules/left-pad/index.js ]; then mkdir -p node_modules/left-pad; cp "$f" '
    "node_modules/left-pad/index.js; echo linked; fi; echo installed"
)
STORE_FILE = "$npm_config_store_dir/v3/files/ab/c0ffee"
#: Every way a run might alter what another run installs, on the shared store's file and on the prepared
#: node_modules: name -> command.
ATTACKS = {
    "chmod": f"chmod 0777 {STORE_FILE}",
    "write": f"echo pwned > {STORE_FILE}",
    "unlink and replace": f"rm -f {STORE_FILE} && echo pwned > {STORE_FILE}",
    "write through a hard link": f"ln {STORE_FILE} {STORE_FILE}-link && echo pwned > {STORE_FILE}-link",
    "plant": f"touch {STORE_FILE}-planted",
    "chmod node_modules": "chmod 0777 node_modules/left-pad/index.js",
    "write node_modules": "echo pwned > node_modules/left-pad/index.js",
    "unlink and replace node_modules": "rm -f node_modules/left-pad/index.js && "
    "echo pwned > node_modules/left-pad/index.js",
    "plant node_modules": "touch node_modules/left-pad/planted",
}
#: What the next run reads: the store's file (content, mode, its folder) and what its install put in node_modules.
READ_BACK = (
    f"cat {STORE_FILE}; stat -c %a {STORE_FILE}; ls $npm_config_store_dir/v3/files/ab",
    "cat node_modules/left-pad/index.js; stat -c %a node_modules/left-pad/index.js; ls node_modules/left-pad",
)
UNTOUCHED = ["0 left-pad 1.3.0\n664\nc0ffee\n", "0 left-pad 1.3.0\n664\nindex.js\n"]


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
    """What the next run's install got: the store's file and the package in node_modules, as ``UNTOUCHED``."""
    return a_run(fixture, cache, tmp, *READ_BACK, layered=layered)[1:]


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
    install, *_ = a_run(fixture, cache, tmp_path)
    assert "fetched" not in install  # the store had it
    assert "linked" not in install  # node_modules was there already: the prepared tree
    assert "installed" in install
    assert not (cache / "pnpm-store").exists() or not any((cache / "pnpm-store").iterdir())  # never bound
    assert read_back(fixture, cache, tmp_path) == UNTOUCHED


def snapshot(*roots: Path) -> dict[Path, tuple[bytes, int, int]]:
    """Every file and folder under ``roots``: content, mode, owner."""
    found = {}
    for path in (p for root in roots for p in [root, *root.rglob("*")]):
        info = path.lstat()
        found[path] = (b"" if path.is_dir() else path.read_bytes(), info.st_mode, info.st_uid)
    return found


@pytest.mark.parametrize("attack", list(ATTACKS))
def test_a_run_cannot_alter_what_another_run_installs(fixture: Path, tmp_path: Path, attack: str) -> None:
    cache = tmp_path / "cache"
    baseline(fixture, cache, tmp_path)
    (store_layer,) = layers.stack(cache / "pnpm-store")
    (tree,) = (cache / "layers" / "node_modules").iterdir()
    published = snapshot(store_layer, tree)
    _, outcome = a_run(fixture, cache, tmp_path, ATTACKS[attack])
    assert outcome.startswith("0 "), outcome  # the attack worked, on the run's own view
    assert snapshot(store_layer, tree) == published
    assert read_back(fixture, cache, tmp_path) == UNTOUCHED


#: The attacks on the store, and what the next run then reads of it when they get through.
STORE_ATTACKS = {
    "chmod": "0 left-pad 1.3.0\n777\nc0ffee\n",
    "write": "0 pwned\n664\nc0ffee\n",
    "unlink and replace": "0 pwned\n664\nc0ffee\n",
    "write through a hard link": "0 pwned\n664\nc0ffee\nc0ffee-link\n",
    "plant": "0 left-pad 1.3.0\n664\nc0ffee\nc0ffee-planted\n",
}


@pytest.mark.parametrize("attack", list(STORE_ATTACKS))
def test_without_layers_the_same_attacks_alter_the_next_run(fixture: Path, tmp_path: Path, attack: str) -> None:
    """The control: the store bound read-write (every run sharing it, as before the layers, and as without root
    or bubblewrap), a run installs then attacks, and the next run reads what it left. (Without a prepared tree,
    node_modules is the run's own copy: its attacks have nothing shared to reach.)"""
    cache = tmp_path / "cache"
    install, outcome = a_run(fixture, cache, tmp_path, ATTACKS[attack], layered=False)
    assert "fetched" in install
    assert outcome.startswith("0 "), outcome
    store, installed = read_back(fixture, cache, tmp_path, layered=False)
    assert store == STORE_ATTACKS[attack]
    if "pwned" in store:
        assert installed.startswith("0 pwned\n")  # what the next run installed: the altered file


def test_without_a_view_a_run_installs_cold_in_its_own_and_says_why(
    fixture: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Where the process helper cannot mount the views (no overlayfs, no idmapped mounts, no mount namespace of
    its own), a run gets its own empty store and no prepared tree: colder, as isolated, and the sandbox says why
    (the run records it as metadata.sandboxNotes)."""
    cache = tmp_path / "cache"
    baseline(fixture, cache, tmp_path)

    def refuse(target: Path, *args: object, **kwargs: object) -> None:
        raise OSError(f"cannot mount a copy-on-write view at {target}: no overlayfs here")

    monkeypatch.setattr(sandbox_module, "mount_overlay", refuse)
    workspace = prepare_workspace(fixture, tmp_path / "runs")
    box = Sandbox(workspace, mode="bwrap", policies=policies(cache), scratch_root=tmp_path)  # type: ignore[arg-type]

    async def go() -> list[str]:
        async with box:
            (install,) = await run_validation(ValidationCommands(install=INSTALL), box, timeout=60)
            attack = await box.run(ATTACKS["write"], purpose="validation", timeout=60)
            return [install.output_tail, f"{attack.exit_code} {attack.output}"]

    install, attack = run(go())
    assert "fetched" in install
    assert "linked" in install  # cold: neither the layers nor the prepared tree
    assert attack.startswith("0 ")
    assert any("pnpm-store" in note and "no overlayfs here" in note for note in box.notes), box.notes
    assert any("node_modules" in note for note in box.notes), box.notes
    monkeypatch.undo()
    assert read_back(fixture, cache, tmp_path) == UNTOUCHED


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


def test_a_run_records_why_its_sandbox_fell_back(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The same fallback in a whole run: its baseline publishes, its validation cannot mount the views, and the
    stored run says so (never a silently different sandbox)."""
    monkeypatch.setenv("ZEBENCH_CACHE_DIR", str(tmp_path / "cache"))
    scenario_yaml = {
        "id": "add",
        "suite": "demo",
        "baseline": {"run": [{"cmd": INSTALL}]},
        "validation": {"commands": {"install": INSTALL}},
    }
    root = tmp_path / "suites"
    package = json.dumps({"name": "app", "dependencies": {"left-pad": "1.3.0"}})
    make_scenario(root, yaml_text=json.dumps(scenario_yaml), extra_fixture={"package.json": package})

    def refuse(target: Path, *args: object, **kwargs: object) -> None:
        raise OSError(f"cannot mount a copy-on-write view at {target}: no overlayfs here")

    monkeypatch.setattr(sandbox_module, "mount_overlay", refuse)
    scenario = Catalog(root).scenario("demo", "add")
    options = RunOptions(workspace_root=tmp_path / "ws", sandbox="bwrap")
    record = run(run_one(RunSpec(scenario, "L1", "echo"), options))
    (install,) = record.validation
    assert install.status == "passed", install.output_tail
    assert "fetched" in install.output_tail  # its own empty store: cold
    notes = record.metadata["sandboxNotes"]
    assert any(note.startswith("pnpm-store: no copy-on-write view") and "no overlayfs here" in note for note in notes)
    assert any(note.startswith("node_modules: no copy-on-write view") for note in notes), notes
    assert len(layers.stack(tmp_path / "cache" / "pnpm-store")) == 1  # the baseline published all the same
