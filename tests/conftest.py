from __future__ import annotations

import asyncio
import os
import shutil
import textwrap
from collections.abc import Awaitable, Callable, Coroutine, Iterator
from pathlib import Path
from typing import Any, TypeVar

import pytest

from zebench.isolation.sandbox import Sandbox
from zebench.models import BatchRecord, RunRecord
from zebench.store import Store
from zebench.testing import FakeModelServer

REPO = Path(__file__).resolve().parent.parent
BUNDLED_SUITES = REPO / "zebench" / "suites"
#: Real suites of the original project, unchanged: material from outside the repository, so it comes through a
#: variable (.ci/run sets it to ../shared/reference/original-suites). Tests never depend on how many it holds.
ORIGINAL_SUITES_VARIABLE = "ZEBENCH_ORIGINAL_SUITES"


@pytest.fixture(scope="session")
def original_suites() -> Path:
    value = os.environ.get(ORIGINAL_SUITES_VARIABLE)
    if not value:
        pytest.skip(
            f"{ORIGINAL_SUITES_VARIABLE} is not set: these tests need the original ze-benchmarks project's suites, "
            "which live outside this repository (.ci/run sets it; see docs/development.md)"
        )
    path = Path(value)
    if not path.is_dir():
        pytest.fail(f"{ORIGINAL_SUITES_VARIABLE}={value}: no such folder (it should hold the original's suites)")
    return path


@pytest.fixture
def server(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeModelServer]:
    """A fake Anthropic and OpenRouter API on 127.0.0.1, with the SDKs' keys and base URLs pointing at it."""
    with FakeModelServer() as srv:
        monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-ant-test-key")
        monkeypatch.setenv("ANTHROPIC_BASE_URL", srv.url)
        monkeypatch.setenv("OPENROUTER_API_KEY", "sk-or-test-key")
        monkeypatch.setenv("OPENROUTER_BASE_URL", srv.url + "/api/v1")
        yield srv


@pytest.fixture(scope="session")
def template_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated database built once per test session; tests copy it instead of re-running migrations."""
    path = tmp_path_factory.mktemp("template") / "template.db"
    store = Store(path)
    store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    store.close()
    return path


@pytest.fixture
def db_path(template_db: Path, tmp_path: Path) -> Path:
    path = tmp_path / "zebench.db"
    shutil.copyfile(template_db, path)
    return path


@pytest.fixture
def store(db_path: Path) -> Iterator[Store]:
    s = Store(db_path)
    yield s
    s.close()


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text).lstrip("\n"))
    return path


SCENARIO_YAML = """
id: {name}
suite: {suite}
title: "A tiny scenario"
timeout_minutes: 1
validation:
  commands:
    test: "python -m unittest discover -s tests -t . -q"
heuristic_checks:
  enabled: true
  patterns:
    - {{name: fixed, file: "calc.py", pattern: "return a \\\\+ b"}}
"""


def make_scenario(
    root: Path,
    suite: str = "demo",
    name: str = "add",
    yaml_text: str | None = None,
    tiers: tuple[str, ...] = ("L1",),
    solution: bool = True,
    extra_fixture: dict[str, str] | None = None,
) -> Path:
    """A minimal scenario: calc.add is wrong, a unittest checks it, the solution fixes it."""
    base = root / suite / "scenarios" / name
    write(base / "scenario.yaml", yaml_text or SCENARIO_YAML.format(name=name, suite=suite))
    write(base / "repo-fixture" / "calc.py", "def add(a, b):\n    return a - b\n")
    write(base / "repo-fixture" / "tests" / "__init__.py", "")
    write(
        base / "repo-fixture" / "tests" / "test_calc.py",
        """
        import unittest
        from calc import add

        class T(unittest.TestCase):
            def test_add(self):
                self.assertEqual(add(2, 3), 5)
        """,
    )
    for rel, text in (extra_fixture or {}).items():
        write(base / "repo-fixture" / rel, text)
    if solution:
        write(base / "solution" / "calc.py", "def add(a, b):\n    return a + b\n")
    write(base / "oracle-answers.json", '{"Which Python version?": "3.11"}')
    for tier in tiers:
        write(root / suite / "prompts" / name / f"{tier}-basic.md", f"Fix add() ({tier}).\n")
    return base


@pytest.fixture
def suites(tmp_path: Path) -> Path:
    root = tmp_path / "suites"
    make_scenario(root)
    return root


T = TypeVar("T")


def run(coro: Coroutine[Any, Any, T]) -> T:
    return asyncio.run(coro)


def cancelled_after(start: Callable[[], Awaitable[object]], steps: int) -> bool:
    """Start ``start()`` in a fresh event loop and cancel it after ``steps`` turns of the loop: whether the
    cancellation landed (False: it had ended first). Returns once every thread of that loop is done."""

    async def go() -> bool:
        task = asyncio.ensure_future(start())
        for _ in range(steps):
            await asyncio.sleep(0)  # one turn of the event loop each
        task.cancel()
        try:
            await task
        except asyncio.CancelledError:
            return True
        return False

    return run(go())


def stored_run(store: Store, run_id: str) -> RunRecord:
    """The stored run ``run_id``; a test reading a run that is not there fails here, naming it."""
    record = store.get_run(run_id)
    assert record is not None, f"no stored run {run_id!r}"
    return record


def stored_batch(store: Store, batch_id: str) -> BatchRecord:
    """The stored batch ``batch_id``; a test reading a batch that is not there fails here, naming it."""
    batch = store.get_batch(batch_id)
    assert batch is not None, f"no stored batch {batch_id!r}"
    return batch


#: Both ways commands run. CI has bubblewrap (scripts/install-sandbox.sh): a test of "bwrap" fails, never skips,
#: where it is missing.
SANDBOX_MODES = ("bwrap", "none")


@pytest.fixture(params=SANDBOX_MODES)
def sandbox_mode(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def make_sandbox(workspace: Path, mode: str, **kwargs: Any) -> Sandbox:
    """A sandbox of ``workspace`` whose private folders live next to it (removed with the test's tmp_path)."""
    workspace.mkdir(parents=True, exist_ok=True)
    return Sandbox(workspace, mode=mode, scratch_root=workspace.parent / "sandbox-scratch", **kwargs)  # type: ignore[arg-type]


def marker() -> str:
    """A unique ``sleep`` duration: every process started with it carries it in its command line."""
    import secrets

    return f"1000.{secrets.randbelow(10**9):09d}"


def processes_with(text: str) -> list[int]:
    """Processes (any namespace, zombies excluded) whose command line contains ``text``."""
    import os

    found = []
    for name in os.listdir("/proc"):
        if not name.isdigit() or int(name) == os.getpid():
            continue
        try:
            with open(f"/proc/{name}/cmdline", "rb") as fh:
                cmdline = fh.read()
        except OSError:
            continue
        if text.encode() in cmdline:
            found.append(int(name))
    return found
