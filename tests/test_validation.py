from __future__ import annotations

from pathlib import Path

from zebench.models import ValidationCommands
from zebench.run.validation import run_validation

from .conftest import make_sandbox, run

# Each command waits (inside its own shell, bounded) for a marker the other one writes: they can only both
# pass if they run at the same time.
WAIT_FOR = (
    "touch {mine}; i=0; while [ ! -f {other} ] && [ $i -lt 200 ]; do sleep 0.02; i=$((i+1)); done; test -f {other}"
)


def test_install_first_then_the_rest_concurrently(tmp_path: Path, sandbox_mode: str) -> None:
    commands = ValidationCommands(
        install="echo installing > installed.txt",
        test="test -f installed.txt && " + WAIT_FOR.format(mine="t.mark", other="l.mark"),
        lint="test -f installed.txt && " + WAIT_FOR.format(mine="l.mark", other="t.mark"),
        typecheck="echo typing; exit 4",
    )
    results = run(run_validation(commands, make_sandbox(tmp_path / "ws", sandbox_mode), timeout=30))
    by_kind = {r.kind: r for r in results}
    assert [r.kind for r in results] == ["install", "test", "lint", "typecheck"]
    assert by_kind["install"].status == "passed"
    assert by_kind["test"].status == "passed"
    assert by_kind["lint"].status == "passed"
    assert by_kind["typecheck"].status == "failed"
    assert by_kind["typecheck"].exit_code == 4
    assert "typing" in by_kind["typecheck"].output_tail
    assert all(r.duration_ms >= 0 for r in results)


def test_failed_install_skips_the_others(tmp_path: Path) -> None:
    commands = ValidationCommands(install="echo broken; exit 1", test="touch ran-test", build="touch ran-build")
    results = run(run_validation(commands, make_sandbox(tmp_path / "ws", "bwrap"), timeout=30))
    assert [(r.kind, r.status) for r in results] == [("install", "failed"), ("test", "skipped"), ("build", "skipped")]
    assert not (tmp_path / "ws" / "ran-test").exists()
    assert not (tmp_path / "ws" / "ran-build").exists()
    assert "broken" in results[0].output_tail


def test_timeout_is_recorded(tmp_path: Path, sandbox_mode: str) -> None:
    results = run(
        run_validation(ValidationCommands(test="sleep 30"), make_sandbox(tmp_path / "ws", sandbox_mode), timeout=0.5)
    )
    assert results[0].status == "timeout"
    assert results[0].exit_code is None


def test_output_tail_keeps_the_end(tmp_path: Path) -> None:
    cmd = "for i in $(seq 1 5000); do echo line-$i; done"
    results = run(run_validation(ValidationCommands(test=cmd), make_sandbox(tmp_path / "ws", "bwrap"), timeout=30))
    tail = results[0].output_tail
    assert tail.rstrip().endswith("line-5000")
    assert "line-2\n" not in tail
    assert len(tail) <= 8 * 1024 + 64
    assert "bytes of output omitted] ...\nline-" in tail
