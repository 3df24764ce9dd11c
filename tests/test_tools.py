from __future__ import annotations

import os
from pathlib import Path

import pytest

from zebench.catalog import DEFAULT_ANSWER
from zebench.isolation.processes import CappedOutput, run_command
from zebench.run.tools import Toolbox, ToolOutcome, answer_question

from .conftest import make_sandbox, marker, processes_with, run


@pytest.fixture
def box(tmp_path: Path, sandbox_mode: str) -> Toolbox:
    ws = tmp_path / "ws"
    ws.mkdir()
    (ws / "a.txt").write_text("hello")
    (tmp_path / "outside.txt").write_text("secret")
    return Toolbox(
        ws,
        answers={"Which package manager should I use?": "pnpm"},
        command_timeout=5,
        sandbox=make_sandbox(ws, sandbox_mode),
    )


def call(box: Toolbox, name: str, **args: object) -> ToolOutcome:
    return run(box.call(name, args))


def test_read_write_list(box: Toolbox) -> None:
    assert call(box, "readFile", path="a.txt").output == "hello"
    out = call(box, "writeFile", path="deep/new/dir/b.txt", content="x\ny")
    assert not out.is_error
    assert (box.workspace / "deep/new/dir/b.txt").read_text() == "x\ny"
    listing = call(box, "listFiles", path=".").output.splitlines()
    assert listing == ["a.txt", "deep/"]
    assert call(box, "listFiles").output.splitlines() == listing
    assert [c.name for c in box.calls] == ["readFile", "writeFile", "listFiles", "listFiles"]
    assert box.calls[1].input == {"path": "deep/new/dir/b.txt", "content": "x\ny"}


@pytest.mark.parametrize("path", ["../outside.txt", "sub/../../outside.txt", "/etc/passwd", "~/x", ""])
def test_paths_outside_are_refused(box: Toolbox, path: str) -> None:
    for name, args in (("readFile", {"path": path}), ("writeFile", {"path": path, "content": "pwned"})):
        outcome = run(box.call(name, args))
        assert outcome.is_error, (name, path, outcome)
        assert outcome.output.startswith("Error:"), (name, path, outcome)
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
    assert run(box.call("readFile", None)).is_error
    assert call(box, "writeFile", path="x.txt", content=3).is_error
    assert call(box, "readFile", path="missing.txt").output == "Error: missing.txt: no such file"


def test_run_command_reports_exit_code_and_output(box: Toolbox) -> None:
    out = call(box, "runCommand", command="echo hi; ls; exit 3", description="test")
    assert not out.is_error
    assert out.output.startswith("Exit code: 3\n")
    assert "hi" in out.output
    assert "a.txt" in out.output


def test_command_timeout_kills_every_process(box: Toolbox) -> None:
    box.command_timeout = 1
    m = marker()
    out = call(box, "runCommand", command=f"sleep {m} & setsid sleep {m} & sleep {m}")
    assert out.is_error
    assert "timed out" in out.output
    assert processes_with(m) == []


@pytest.mark.parametrize(
    "escape",
    [
        "setsid sleep {m} &",
        "nohup sleep {m} > /dev/null 2>&1 &",
        "python -c 'import os, subprocess; os.setpgid(0, 0); "
        'subprocess.Popen(["sleep", "{m}"], start_new_session=True)\';',
        "(trap '' HUP TERM; sleep {m}) > /dev/null 2>&1 < /dev/null &",
    ],
)
def test_nothing_outlives_a_finished_command(box: Toolbox, escape: str) -> None:
    m = marker()
    out = call(box, "runCommand", command=f"sleep {m} & {escape.format(m=m)} echo done")
    assert out.output.startswith("Exit code: 0\n")
    assert "done" in out.output
    assert processes_with(m) == []


def test_output_is_capped(tmp_path: Path) -> None:
    result = run(
        run_command(
            "head -c 300000 /dev/zero | tr '\\0' 'x'; echo END", tmp_path, timeout=10, head_bytes=1000, tail_bytes=1000
        )
    )
    assert result.output_bytes == 300004
    assert len(result.output) < 2200
    assert "bytes of output omitted" in result.output
    assert result.output.rstrip().endswith("END")
    capped = CappedOutput(3, 3)
    for chunk in (b"ab", b"cdefg", b"hi"):
        capped.feed(chunk)
    assert capped.text() == "abc\n... [3 bytes of output omitted] ...\nghi"
    lines = CappedOutput(0, 8)
    lines.feed(b"one\ntwo\nthree\n")
    assert lines.text() == "\n... [6 bytes of output omitted] ...\nthree\n"


def test_the_command_environment_is_an_allow_list(box: Toolbox, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in (
        "ANTHROPIC_API_KEY",
        "OPENROUTER_API_KEY",
        "GITHUB_TOKEN",
        "AWS_SECRET_ACCESS_KEY",
        "ZE_BENCHMARKS_API_KEY",
        "db_password",
        "MY_AUTH_HEADER",
        "GH_PAT",
    ):
        monkeypatch.setenv(name, "sk-fake-123456")
    monkeypatch.setenv("DATABASE_URL", "postgres://u:pw-fake-123456@db/x")
    monkeypatch.setenv("HARMLESS_SETTING", "not-passed")
    monkeypatch.setenv("LC_ALL", "C.UTF-8")
    out = call(box, "runCommand", command="env; cat /proc/$PPID/environ | tr '\\0' '\\n'")
    assert "fake-123456" not in out.output
    assert "not-passed" not in out.output
    env = dict(line.split("=", 1) for line in out.output.splitlines()[1:] if "=" in line)
    assert env["LC_ALL"] == "C.UTF-8"
    assert env["PYTHONDONTWRITEBYTECODE"] == "1"
    assert env["HOME"] != os.environ.get("HOME")
    assert env["TMPDIR"] != ""
    assert "SHELL" not in env
    assert call(box, "runCommand", command="touch ~/x && ls ~").output == "Exit code: 0\nx\n"


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


def test_only_regular_files_are_read(box: Toolbox) -> None:
    import socket

    os.mkfifo(box.workspace / "pipe")
    sock = socket.socket(socket.AF_UNIX)
    sock.bind(str(box.workspace / "sock"))
    try:
        assert "is a FIFO; readFile reads regular files only" in call(box, "readFile", path="pipe").output
        assert "is a socket" in call(box, "readFile", path="sock").output
        assert not call(box, "writeFile", path="pipe", content="now a file").is_error  # replaced, not opened
        assert (box.workspace / "pipe").read_text() == "now a file"
    finally:
        sock.close()


def test_a_large_file_is_cut_and_marked(box: Toolbox) -> None:
    (box.workspace / "big.txt").write_text("é" * (1024 * 1024))  # 2 MiB of 2-byte characters
    out = call(box, "readFile", path="big.txt").output
    assert out.startswith("éé")
    assert out.endswith("[cut: the file is 2097152 bytes; readFile returns the first 1048576]")
    assert len(out.split("\n")[0]) == 512 * 1024


def test_symlinks_inside_are_followed_and_never_out(box: Toolbox, tmp_path: Path) -> None:
    (box.workspace / "sub").mkdir()
    os.symlink("a.txt", box.workspace / "inner-link.txt")
    os.symlink(str(box.root / "a.txt"), box.workspace / "absolute-inside.txt")
    os.symlink("sub/../..", box.workspace / "up")
    assert not call(box, "writeFile", path="inner-link.txt", content="via link").is_error
    assert os.path.islink(box.workspace / "inner-link.txt")
    assert (box.workspace / "a.txt").read_text() == "via link"
    assert call(box, "readFile", path="absolute-inside.txt").output == "via link"
    escape = call(box, "readFile", path="up/outside.txt")
    assert escape.is_error
    assert "outside the workspace" in escape.output
    assert call(box, "writeFile", path="up/new.txt", content="x").is_error
    assert not (tmp_path / "new.txt").exists()
    assert call(box, "listFiles", path="up").is_error
