from __future__ import annotations

import os
from pathlib import Path

import pytest

from zebench.catalog import DEFAULT_ANSWER
from zebench.processes import CappedOutput, run_command, safe_env
from zebench.tools import Toolbox, answer_question

from .conftest import run


@pytest.fixture
def box(tmp_path: Path) -> Toolbox:
    ws = tmp_path / "ws"
    ws.mkdir()
    (ws / "a.txt").write_text("hello")
    (tmp_path / "outside.txt").write_text("secret")
    return Toolbox(ws, answers={"Which package manager should I use?": "pnpm"}, command_timeout=5)


def call(box: Toolbox, name: str, **args: object):
    return run(box.call(name, args))


def test_read_write_list(box: Toolbox) -> None:
    assert call(box, "readFile", path="a.txt").output == "hello"
    out = call(box, "writeFile", path="deep/new/dir/b.txt", content="x\ny")
    assert not out.is_error and (box.workspace / "deep/new/dir/b.txt").read_text() == "x\ny"
    listing = call(box, "listFiles", path=".").output.splitlines()
    assert listing == ["a.txt", "deep/"]
    assert call(box, "listFiles").output.splitlines() == listing
    assert [c.name for c in box.calls] == ["readFile", "writeFile", "listFiles", "listFiles"]
    assert box.calls[1].input == {"path": "deep/new/dir/b.txt", "content": "x\ny"}


@pytest.mark.parametrize("path", ["../outside.txt", "sub/../../outside.txt", "/etc/passwd", "~/x", ""])
def test_paths_outside_are_refused(box: Toolbox, path: str) -> None:
    for name, args in (("readFile", {"path": path}), ("writeFile", {"path": path, "content": "pwned"})):
        outcome = run(box.call(name, args))
        assert outcome.is_error and outcome.output.startswith("Error:"), (name, path, outcome)
    assert (box.workspace.parent / "outside.txt").read_text() == "secret"
    assert box.calls[-1].is_error


def test_symlinks_pointing_out_are_refused(box: Toolbox, tmp_path: Path) -> None:
    os.symlink(tmp_path / "outside.txt", box.workspace / "link.txt")
    os.symlink(tmp_path, box.workspace / "linkdir")
    os.symlink("a.txt", box.workspace / "inner-link.txt")
    assert "outside the workspace" in call(box, "readFile", path="link.txt").output
    assert call(box, "writeFile", path="link.txt", content="pwned").is_error
    assert call(box, "writeFile", path="linkdir/new.txt", content="pwned").is_error
    assert call(box, "listFiles", path="linkdir").is_error
    assert not (tmp_path / "new.txt").exists()
    assert (tmp_path / "outside.txt").read_text() == "secret"
    # A link that stays inside the workspace is fine.
    assert call(box, "readFile", path="inner-link.txt").output == "hello"


def test_unknown_tool_and_bad_input_go_back_as_errors(box: Toolbox) -> None:
    assert "unknown tool" in call(box, "deleteEverything").output
    assert run(box.call("readFile", None)).is_error  # type: ignore[arg-type]
    assert call(box, "writeFile", path="x.txt", content=3).is_error
    assert call(box, "readFile", path="missing.txt").output == "Error: no such file: missing.txt"


def test_run_command_reports_exit_code_and_output(box: Toolbox) -> None:
    out = call(box, "runCommand", command="echo hi; ls; exit 3", description="test")
    assert not out.is_error
    assert out.output.startswith("Exit code: 3\n") and "hi" in out.output and "a.txt" in out.output


def _alive(pid: int) -> bool:
    """Whether pid is still running a moment after being killed.

    SIGKILL is delivered asynchronously, so wait (on a pidfd: an event, not a sleep) up to 5 s for the exit.
    A zombie waiting to be reaped counts as dead.
    """
    import select

    try:
        fd = os.pidfd_open(pid)
    except ProcessLookupError:
        return False
    try:
        exited, _, _ = select.select([fd], [], [], 5.0)
    finally:
        os.close(fd)
    return not exited


def test_command_timeout_kills_the_whole_process_group(box: Toolbox) -> None:
    box.command_timeout = 1
    out = call(box, "runCommand", command="sleep 1000 & echo $! > bg.pid; sleep 1000")
    assert out.is_error and "timed out" in out.output
    assert not _alive(int((box.workspace / "bg.pid").read_text()))


def test_background_children_do_not_outlive_a_finished_command(box: Toolbox) -> None:
    out = call(box, "runCommand", command="sleep 1000 & echo $! > bg.pid; echo done")
    assert "done" in out.output and "Exit code: 0" in out.output
    assert not _alive(int((box.workspace / "bg.pid").read_text()))


def test_output_is_capped(tmp_path: Path) -> None:
    result = run(run_command("head -c 300000 /dev/zero | tr '\\0' 'x'; echo END", tmp_path, timeout=10,
                             head_bytes=1000, tail_bytes=1000))
    assert result.output_bytes == 300004
    assert len(result.output) < 2200 and "bytes of output omitted" in result.output
    assert result.output.rstrip().endswith("END")
    capped = CappedOutput(3, 3)
    for chunk in (b"ab", b"cdefg", b"hi"):
        capped.feed(chunk)
    assert capped.text() == "abc\n... [3 bytes of output omitted] ...\nghi"
    lines = CappedOutput(0, 8)
    lines.feed(b"one\ntwo\nthree\n")
    assert lines.text() == "\n... [6 bytes of output omitted] ...\nthree\n"


def test_secrets_are_removed_from_the_command_environment(box: Toolbox, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("ANTHROPIC_API_KEY", "OPENROUTER_API_KEY", "GITHUB_TOKEN", "AWS_SECRET_ACCESS_KEY",
                 "ZE_BENCHMARKS_API_KEY", "db_password", "MY_AUTH_HEADER"):
        monkeypatch.setenv(name, "sk-fake-123456")
    monkeypatch.setenv("HARMLESS_SETTING", "visible")
    box.env = safe_env()
    out = call(box, "runCommand", command="env")
    assert "sk-fake-123456" not in out.output
    assert "HARMLESS_SETTING=visible" in out.output


def test_python_on_path_is_the_harness_interpreter(box: Toolbox) -> None:
    import sys

    out = call(box, "runCommand", command="python -c 'import sys; print(sys.executable)'")
    assert Path(out.output.splitlines()[1]).resolve().parent == Path(sys.executable).resolve().parent


def test_ask_user_exact_fuzzy_default(box: Toolbox) -> None:
    assert call(box, "askUser", question="Which package manager should I use?", context="").output == "pnpm"
    assert call(box, "askUser", question="which package-manager should i use", context="").output == "pnpm"
    assert call(box, "askUser", question="Which package manager shall we use?", context="").output == "pnpm"
    assert call(box, "askUser", question="What is the deadline?", context="").output == DEFAULT_ANSWER
    assert answer_question("anything", {}) == DEFAULT_ANSWER
