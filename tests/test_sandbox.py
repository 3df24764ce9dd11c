"""Hostile agents, replayed: each attack of issue 11 on the sandbox, processes and files, as a test.

Most run in both sandbox modes (``sandbox_mode``: bwrap and none); what only bubblewrap can give (no view of the
host's files, no network, a process limit for root) runs with bwrap, which CI has.
"""

from __future__ import annotations

import asyncio
import json
import os
import socket
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from zebench.catalog import Catalog
from zebench.cli import main
from zebench.execution.runner import RunOptions, RunSpec, run_one
from zebench.isolation import sandbox as sandbox_module
from zebench.isolation.processes import Limits, run_command, unmount
from zebench.isolation.sandbox import Policy, Purpose, Sandbox, resolve_mode
from zebench.models import RunRecord

from .conftest import make_sandbox, make_scenario, marker, processes_with, run, write

SECRETS = {
    "ANTHROPIC_API_KEY": "sk-ant-api03-secret-anthropic-value",
    "ZE_BENCHMARKS_API_KEY": "zeb-secret-token-value",
    "DATABASE_URL": "postgres://u:pw-secret-db@db.internal/x",
    "GH_PAT": "ghp_secretpersonalaccesstoken0123",
}


@pytest.fixture
def secrets_env(monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    for name, value in SECRETS.items():
        monkeypatch.setenv(name, value)
    return SECRETS


def replay(
    tmp_path: Path, calls: list[dict[str, Any]], mode: str, suites: Path | None = None, **options: Any
) -> RunRecord:
    """Run the replay agent with ``calls`` on the small calc scenario and return the stored-to-be record."""
    if suites is None:
        suites = tmp_path / "suites"
        if not suites.exists():
            make_scenario(suites)
    calls_file = write(tmp_path / f"calls-{len(list(tmp_path.glob('calls-*')))}.json", json.dumps(calls))
    scenario = Catalog(suites).scenario("demo", "add")
    opts = RunOptions(
        workspace_root=tmp_path / "workspaces", sandbox=mode, agent_settings={"replay_file": str(calls_file)}, **options
    )

    async def bounded() -> RunRecord:
        async with asyncio.timeout(120):  # a safety net only: a hang fails instead of stalling the suite
            return await run_one(RunSpec(scenario, "L1", "replay"), opts)

    return run(bounded())


def command(text: str) -> dict[str, Any]:
    return {"name": "runCommand", "input": {"command": text}}


def outputs(record: RunRecord) -> list[str]:
    assert record.transcript is not None
    return [c.output for c in record.transcript.tool_calls]


# -- secrets --------------------------------------------------------------------------------------------------


def test_no_secret_reaches_a_command(tmp_path: Path, sandbox_mode: str, secrets_env: dict[str, str]) -> None:
    record = replay(
        tmp_path,
        [
            command("env"),
            command("cat /proc/$PPID/environ | tr '\\0' '\\n'"),
            command("cat /proc/1/environ | tr '\\0' '\\n'"),
            command(
                "for f in /proc/[0-9]*/environ; do tr '\\0' '\\n' < $f; done 2>/dev/null | sort -u | head -c 20000"
                if sandbox_mode == "bwrap"
                else "true"
            ),
        ],
        sandbox_mode,
    )
    assert record.status == "completed", record.failure
    text = record.model_dump_json()
    for value in secrets_env.values():
        assert value not in text
    assert "PATH=" in outputs(record)[0]


def test_the_host_is_out_of_sight(tmp_path: Path, secrets_env: dict[str, str]) -> None:
    secret_file = write(tmp_path / "outside" / "id_rsa", "-----BEGIN OPENSSH PRIVATE KEY----- top secret")
    record = replay(
        tmp_path,
        [
            command("cat /etc/shadow"),
            command("ls -a ~; ls ~/.ssh; ls /root"),
            command(f"cat {secret_file}"),
            command("ls /proc | grep -c '^[0-9]'; ps -eo pid,user,args"),
            command("ls /home /work 2>&1; cat /etc/passwd"),
        ],
        "bwrap",
    )
    out = outputs(record)
    assert "No such file" in out[0]
    assert "root:" not in out[0]
    assert "cannot access '/home/zebench/.ssh'" in out[1]
    assert "id_rsa" not in out[1]
    assert "top secret" not in record.model_dump_json()
    assert "No such file" in out[2]
    # Only the command's own processes (its shell, ls and grep, the shell that counts what it leaves running, and
    # the namespace's init) are visible.
    assert int(out[3].splitlines()[1]) <= 5
    assert "_reaper.py" not in out[3]
    assert "-m pytest" not in out[3]
    assert "zebench sandbox" in out[4]


def test_the_sandbox_knows_only_its_own_users(tmp_path: Path) -> None:
    """Its /etc/passwd and /etc/group answer for users, not a module of the host's nsswitch.conf (here systemd's,
    which made up "nobody" and was loaded into every command by setpriv's lookup of the run's user)."""

    async def look() -> str:
        async with make_sandbox(tmp_path / "ws", "bwrap") as box:
            result = await box.run(
                "getent passwd nobody; echo rc=$?; getent group nogroup; echo rc=$?;"
                " getent passwd | cut -d: -f1; id -un; grep -c '^passwd: files$' /etc/nsswitch.conf",
                timeout=30,
            )
            return result.output

    assert run(look()).split() == ["rc=2", "rc=2", "root", "zebench", "zebench", "1"]


def test_the_sandboxs_nsswitch_is_never_written_through_a_link_into_the_system(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A host whose nsswitch.conf is a link into /usr: the sandbox's /etc keeps such links as links, and its own
    nsswitch.conf must not be written through it (that rewrote the host's)."""
    system = write(tmp_path / "usr" / "etc" / "nsswitch.conf", "passwd: files sss\nhosts: files dns\n")
    host = tmp_path / "etc"
    host.mkdir()
    (host / "nsswitch.conf").symlink_to(system)
    monkeypatch.setattr(sandbox_module, "HOST_ETC", host)
    monkeypatch.setattr(sandbox_module, "HOST_LINK_ROOTS", (str(tmp_path / "usr"),))
    monkeypatch.setattr(sandbox_module, "_ETC", None)
    etc, _ = sandbox_module.shared_etc()
    monkeypatch.setattr(sandbox_module, "_ETC", None)  # the next sandbox makes the real one
    assert system.read_text() == "passwd: files sss\nhosts: files dns\n"
    made = etc / "nsswitch.conf"
    assert not made.is_symlink()
    assert made.read_text().splitlines()[:2] == ["hosts: files dns", "passwd: files"]


def test_the_sandboxs_user_databases_are_its_files_whatever_the_host_says() -> None:
    host = (
        "# the host's\n"
        "passwd:         files systemd\n"
        "group:sss files\n"
        "  shadow : ldap\n"
        "hosts:          files mdns4_minimal [NOTFOUND=return] dns\n"
        "services:       db files\n"
    )
    lines = sandbox_module.sandbox_nsswitch(host).splitlines()
    assert lines[:3] == [
        "# the host's",
        "hosts:          files mdns4_minimal [NOTFOUND=return] dns",
        "services:       db files",
    ]
    assert lines[3:] == [f"{name}: files" for name in ("passwd", "group", "shadow", "gshadow", "initgroups")]
    assert sandbox_module.sandbox_nsswitch("") == "\n".join(lines[3:]) + "\n"


# -- files ----------------------------------------------------------------------------------------------------


def test_a_hard_link_out_is_never_written_through(tmp_path: Path, sandbox_mode: str) -> None:
    outside = write(tmp_path / "outside.txt", "original\n")
    record = replay(
        tmp_path,
        [
            command(f"ln {outside} link.txt; ls"),
            {"name": "writeFile", "input": {"path": "link.txt", "content": "pwned\n"}},
            {"name": "readFile", "input": {"path": "link.txt"}},
        ],
        sandbox_mode,
    )
    assert record.status == "completed", record.failure
    assert outside.read_text() == "original\n"
    if sandbox_mode == "none":  # the link could be made: writeFile replaced it instead of writing through it
        assert "link.txt" in outputs(record)[0]
        assert outputs(record)[2] == "pwned\n"
    else:  # the outside file is not even visible
        assert "No such file" in outputs(record)[0]


def test_the_fixture_is_never_writable(tmp_path: Path) -> None:
    suites = tmp_path / "suites"
    base = make_scenario(suites)
    fixture_file = base / "repo-fixture" / "calc.py"
    before = fixture_file.read_text()
    record = replay(
        tmp_path,
        [command(f"echo pwned > {fixture_file}; echo pwned >> {fixture_file.parent}/new.txt")],
        "bwrap",
        suites=suites,
    )
    assert fixture_file.read_text() == before
    assert not (fixture_file.parent / "new.txt").exists()
    assert "Exit code: 0" not in outputs(record)[0]


def test_a_fifo_never_blocks_a_run(tmp_path: Path, sandbox_mode: str) -> None:
    record = replay(
        tmp_path,
        [
            command("mkfifo pipe; mknod dev c 1 3 2>/dev/null; ls"),
            {"name": "readFile", "input": {"path": "pipe"}},
            {"name": "writeFile", "input": {"path": "calc.py", "content": "def add(a, b):\n    return a + b\n"}},
        ],
        sandbox_mode,
    )
    assert record.status == "completed", record.failure
    assert record.transcript is not None
    read = record.transcript.tool_calls[1]
    assert read.is_error
    assert "FIFO" in read.output
    assert "regular files only" in read.output
    assert record.is_successful  # validation and the diff went on (the FIFO is not part of the diff)
    assert record.diff is not None
    assert [f.path for f in record.diff.files] == ["calc.py"]


def test_os_errors_are_tool_errors(tmp_path: Path, sandbox_mode: str) -> None:
    long = "a/" * 2500
    record = replay(
        tmp_path,
        [
            {"name": "readFile", "input": {"path": long}},
            {"name": "writeFile", "input": {"path": "x" * 5000, "content": "x"}},
            {"name": "writeFile", "input": {"path": "calc.py/x", "content": "x"}},
            {"name": "readFile", "input": {"path": "calc.py/x"}},
            {"name": "writeFile", "input": {"path": "tests", "content": "x"}},
            {"name": "readFile", "input": {"path": "tests"}},
            {"name": "listFiles", "input": {"path": "calc.py"}},
            {"name": "writeFile", "input": {"path": "ok.txt", "content": "fine"}},
        ],
        sandbox_mode,
    )
    assert record.status == "completed", record.failure
    assert record.transcript is not None
    calls = record.transcript.tool_calls
    assert [c.is_error for c in calls] == [True] * 7 + [False]
    assert "File name too long" in calls[1].output
    assert "not a directory" in calls[2].output
    assert "is a directory" in calls[4].output
    assert len(calls[0].output) < 400


# -- processes ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "escape",
    [
        "setsid sleep {m} > /dev/null 2>&1 < /dev/null &",
        "nohup sleep {m} > /dev/null 2>&1 &",
        "python -c 'import os, subprocess; os.setpgid(0, 0); "
        'subprocess.Popen(["sleep", "{m}"], start_new_session=True)\'',
    ],
)
def test_no_process_outlives_its_run(tmp_path: Path, sandbox_mode: str, escape: str) -> None:
    m = marker()
    record = replay(tmp_path, [command(escape.format(m=m)), command("echo next")], sandbox_mode)
    assert record.status == "completed", record.failure
    assert processes_with(m) == []


def test_a_fork_bomb_stops_at_the_process_limit(tmp_path: Path) -> None:
    box = make_sandbox(tmp_path / "ws", "bwrap", limits=Limits(processes=64))
    fork_until_refused = (
        "import os, time\n"
        "n = 0\n"
        "while True:\n"
        "    try:\n"
        "        pid = os.fork()\n"
        "    except OSError as exc:\n"
        "        print('refused after', n, exc.strerror)\n"
        "        break\n"
        "    if pid == 0:\n"
        "        time.sleep(1000)\n"
        "        os._exit(0)\n"
        "    n += 1\n"
    )
    result = run(box.run(["python", "-c", fork_until_refused], timeout=60))
    refused_after = int(result.output.split()[2])
    assert 0 < refused_after < 64
    assert "Resource temporarily unavailable" in result.output
    m = marker()
    bomb = run(box.run(f"sleep {m} & bomb() {{ bomb | bomb & }}; bomb; sleep {m}", timeout=3))
    # what the sandbox guarantees: the bomb ends (at the time limit, or sooner when the shell gives up at the
    # process limit: "Cannot fork") and nothing it started is left running; not which of the limits fired first
    assert bomb.timed_out or bomb.exit_code != 0, bomb.output
    assert processes_with(m) == []


def test_file_size_and_memory_limits(tmp_path: Path, sandbox_mode: str) -> None:
    box = make_sandbox(tmp_path / "ws", sandbox_mode, limits=Limits(file_size_bytes=2**20, memory_bytes=256 * 2**20))
    big = run(box.run("head -c 5000000 /dev/zero > big.bin; echo status $?", timeout=30))
    assert "status 153" in big.output  # 128 + SIGXFSZ
    assert (tmp_path / "ws" / "big.bin").stat().st_size == 2**20
    hog = run(box.run(["python", "-c", "b = bytearray(512 * 2**20)"], timeout=30))
    assert hog.exit_code == 1
    assert "MemoryError" in hog.output


def _limits_of(pid: str) -> list[str]:
    """A process's file-size and data limits as /proc shows them."""
    with open(f"/proc/{pid}/limits") as fh:
        return [line for line in fh if line.startswith(("Max file size", "Max data size"))]


def _helper_limits() -> list[str]:
    """The process helper's own limits (it is a child of this process, started with ``--serve``)."""
    for task in os.listdir("/proc/self/task"):
        with open(f"/proc/self/task/{task}/children") as fh:
            for pid in fh.read().split():
                with open(f"/proc/{pid}/cmdline", "rb") as cmdline:
                    if b"--serve" in cmdline.read():
                        return _limits_of(pid)
    raise AssertionError("no process helper")


def test_each_command_gets_its_own_hard_limits(tmp_path: Path, sandbox_mode: str) -> None:
    """Limits are the command's own, soft and hard (it cannot raise them), and one command's never reach the next
    nor the helper that starts them all."""
    small = make_sandbox(tmp_path / "a", sandbox_mode, limits=Limits(file_size_bytes=2**20, memory_bytes=2**30))
    large = make_sandbox(tmp_path / "b", sandbox_mode, limits=Limits(file_size_bytes=2**21, memory_bytes=2**31))
    show = "ulimit -f; ulimit -H -f; ulimit -d; ulimit -H -d; ulimit -f unlimited 2>/dev/null; ulimit -f"
    assert run(small.run(show, timeout=30)).output.split() == ["2048", "2048", "1048576", "1048576", "2048"]
    assert run(large.run(show, timeout=30)).output.split() == ["4096", "4096", "2097152", "2097152", "4096"]
    assert run(small.run(show, timeout=30)).output.split() == ["2048", "2048", "1048576", "1048576", "2048"]
    assert _helper_limits() == _limits_of("self")  # the helper keeps zebench's own limits


def test_limits_hold_for_an_agents_commands_and_are_exact(tmp_path: Path) -> None:
    """Under bubblewrap a shell command's own shell sets its limits (no prlimit per command), the agent's too (its
    commands also count the processes they leave); a limit that shell cannot say exactly (here 1000 bytes: not a
    whole number of 512-byte blocks) is still set exactly, by prlimit."""
    box = make_sandbox(tmp_path / "a", "bwrap", limits=Limits(processes=50, file_size_bytes=2**20, memory_bytes=2**30))
    show = "grep -E '^Max (processes|file size|data size)' /proc/self/limits; ulimit -f unlimited || echo refused"
    for count in (False, True):
        result = run(box.run(show, timeout=30, count_leftovers=count))
        lines = [line.split()[-3:-1] for line in result.output.splitlines() if line.startswith("Max")]
        assert sorted(lines) == [["1048576", "1048576"], ["1073741824", "1073741824"], ["50", "50"]], result.output
        assert "refused" in result.output
        assert (result.leftover_processes is not None) is count
    odd = make_sandbox(tmp_path / "b", "bwrap", limits=Limits(file_size_bytes=1000))
    for count in (False, True):
        result = run(odd.run("grep '^Max file size' /proc/self/limits", timeout=30, count_leftovers=count))
        assert result.output.split()[3:5] == ["1000", "1000"], result.output
    # which path each took: the shell's ulimit (nothing left for the helper's prlimit) or prlimit
    assert box.launch("true", box.policy("agent")).rlimits() == []
    assert ("RLIMIT_FSIZE", 1000) in odd.launch("true", odd.policy("agent")).rlimits()


def _cancel_after(box: Sandbox, command_text: str, iterations: int, again_after: int | None = None) -> None:
    async def scenario() -> None:
        task = asyncio.ensure_future(box.run(command_text, timeout=60))
        for _ in range(iterations):
            await asyncio.sleep(0)  # one event-loop iteration: no time passes on purpose
        task.cancel()
        if again_after is not None:  # a second cancel while the first one's cleanup runs
            for _ in range(again_after):
                await asyncio.sleep(0)
            task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

    run(scenario())


def test_a_cancel_at_any_point_leaves_nothing(tmp_path: Path, sandbox_mode: str) -> None:
    box = make_sandbox(tmp_path / "ws", sandbox_mode)
    m = marker()
    command_text = f"sleep {m} & setsid sleep {m} & (trap '' TERM HUP; sleep {m}) & sleep {m}"
    for iterations in range(40):
        _cancel_after(box, command_text, iterations)
        assert processes_with(m) == [], iterations
    for again_after in range(10):
        _cancel_after(box, command_text, 20, again_after)
        assert processes_with(m) == [], again_after


def test_a_command_cancelled_before_its_launch_closes_the_descriptors_it_was_given(tmp_path: Path) -> None:
    """``pass_fds`` belong to the command from the call: cancelled while its sandbox opens, the call closes them
    (a batch stopping many runs at once otherwise leaks one socket per scoring command)."""
    box = make_sandbox(tmp_path / "ws", "none")

    async def cancelled_while_opening() -> int:
        r, w = os.pipe()
        os.close(r)
        task = asyncio.ensure_future(box.run("true", purpose="agent", timeout=10, pass_fds=[w]))
        await asyncio.sleep(0)  # the call is now waiting for its sandbox's folders (a thread)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        return w

    w = run(cancelled_while_opening())
    with pytest.raises(OSError, match="Bad file descriptor"):
        os.fstat(w)


def test_the_process_helper_answers_with_descriptors_above_1024(tmp_path: Path) -> None:
    """A busy zebench holds more than 1024 descriptors: waiting for the helper's answer must not use select()."""
    held = [os.open(os.devnull, os.O_RDONLY) for _ in range(1100)]
    try:
        assert max(held) > 1024
        with pytest.raises(OSError, match="cannot unmount"):  # not mounted: the helper's answer, not a ValueError
            unmount(tmp_path)
    finally:
        for fd in held:
            os.close(fd)


def test_a_killed_reaper_leaves_no_orphan_in_zebench_run(tmp_path: Path) -> None:
    """--sandbox none: a command that kills its own reaper; `zebench run` adopts and kills what it left."""
    m = marker()
    script = write(
        tmp_path / "adopt.py",
        f"""
        import asyncio
        from pathlib import Path
        from zebench.processes import become_subreaper, run_command
        assert become_subreaper()
        result = asyncio.run(run_command("setsid sleep {m} > /dev/null 2>&1 < /dev/null & kill -9 $PPID",
                                         Path("{tmp_path}"), timeout=30))
        print("exit", result.exit_code)
        """,
    )
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=60, check=False)
    assert "exit 137" in done.stdout, done.stderr
    assert processes_with(m) == []


# -- network --------------------------------------------------------------------------------------------------


@pytest.fixture
def local_server() -> Any:
    """A TCP server on 127.0.0.1 that answers 'hello' to each connection."""
    server = socket.create_server(("127.0.0.1", 0))
    stop = threading.Event()

    def serve() -> None:
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                conn, _ = server.accept()
            except OSError:
                continue
            with conn:
                conn.sendall(b"hello")

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield server.getsockname()[1]
    stop.set()
    thread.join()
    server.close()


def _connect(port: int) -> str:
    return (
        f"python -c \"import socket; s = socket.create_connection(('127.0.0.1', {port}), timeout=5); "
        f"print('got', s.recv(5).decode())\""
    )


def test_agent_commands_have_no_network_unless_opened(tmp_path: Path, local_server: int) -> None:
    closed = replay(tmp_path, [command(_connect(local_server))], "bwrap")
    assert "got hello" not in outputs(closed)[0]
    assert "Connection refused" in outputs(closed)[0]
    assert closed.manifest is not None
    assert closed.manifest.settings["agentNetwork"] is False
    opened = replay(tmp_path, [command(_connect(local_server))], "bwrap", agent_network=True)
    assert "got hello" in outputs(opened)[0]
    assert opened.manifest is not None
    assert opened.manifest.settings["agentNetwork"] is True
    # A scenario can ask for it; validation never reaches a service of this machine (only the registries).
    suites = tmp_path / "net-suites"
    make_scenario(
        suites,
        yaml_text=(
            "id: add\nsuite: demo\nsandbox: {network: true}\nvalidation:\n  commands:\n"
            f'    test: "{_connect(local_server).replace(chr(34), chr(92) + chr(34))}"\n'
        ),
    )
    by_scenario = replay(tmp_path, [command(_connect(local_server))], "bwrap", suites=suites)
    assert "got hello" in outputs(by_scenario)[0]
    scored = by_scenario.validation[0]
    assert scored.status == "failed"
    assert "Connection refused" in scored.output_tail


def _through_proxy(port: int) -> str:
    """A command that asks the sandbox's registry proxy (127.0.0.1:3128 inside) for a tunnel to 127.0.0.1:port."""
    return (
        "python -c \"import socket; s = socket.create_connection(('127.0.0.1', 3128), timeout=5); "
        f"s.sendall(b'CONNECT 127.0.0.1:{port} HTTP/1.1\\r\\n\\r\\n'); import time; time.sleep(0.5); "
        'print(s.recv(300).decode())"'
    )


def test_scoring_commands_reach_the_registries_only(tmp_path: Path, local_server: int) -> None:
    """Validation and check commands have no network of the host: only zebench's registry proxy, which connects to
    configured registries and refuses the rest (here a loopback service), with or without a tunnel request."""
    from zebench.isolation.netproxy import registry_proxy

    box = make_sandbox(tmp_path / "ws", "bwrap")
    run(box.__aenter__())
    purposes: tuple[Purpose, ...] = ("validation", "check")
    for purpose in purposes:
        direct = run(box.run(_connect(local_server), purpose=purpose, timeout=30))
        assert direct.exit_code != 0
        assert "Connection refused" in direct.output
        refused = run(box.run(_through_proxy(local_server), purpose=purpose, timeout=30))
        assert "403 Forbidden" in refused.output
        assert "not a package registry" in refused.output
    # A registry the user configured (here the same service, allowed as ZEBENCH_REGISTRIES would) is reachable.
    registry_proxy().allow({("127.0.0.1", local_server)})
    try:
        allowed = run(box.run(_through_proxy(local_server), purpose="validation", timeout=30))
        assert "200 Connection established" in allowed.output
        assert "hello" in allowed.output
    finally:
        registry_proxy().revoke({("127.0.0.1", local_server)})
    run(box.close())


def test_validation_policy_extras(tmp_path: Path) -> None:
    store = tmp_path / "cache" / "store"
    box = make_sandbox(
        tmp_path / "ws",
        "bwrap",
        policies={"validation": Policy(network=True, rw_paths=(store,), env={"npm_config_store_dir": str(store)})},
    )
    run(box.__aenter__())
    out = run(
        box.run(
            "echo cached > $npm_config_store_dir/a && cat $npm_config_store_dir/a", purpose="validation", timeout=30
        )
    )
    assert out.output == "cached\n"
    assert (store / "a").read_text() == "cached\n"
    agent = run(box.run("ls $npm_config_store_dir; echo ${npm_config_store_dir:-unset}", timeout=30))
    assert agent.output.endswith("unset\n")
    run(box.close())


# -- the diff ---------------------------------------------------------------------------------------------------


def test_a_huge_file_keeps_the_diff_small(tmp_path: Path) -> None:
    """A 1 GiB file (sparse) written by the agent: the diff compares it in chunks and never holds it."""
    before, after = tmp_path / "fixture", tmp_path / "ws"
    for root in (before, after):
        root.mkdir()
        with open(root / "same-size.bin", "wb") as fh:
            fh.truncate(2**30)
    with open(after / "same-size.bin", "r+b") as fh:
        fh.seek(2**30 - 1)
        fh.write(b"x")
    with open(after / "added.bin", "wb") as fh:
        fh.truncate(2**30)
    os.mkfifo(after / "pipe")
    probe = write(
        tmp_path / "probe.py",
        f"""
        from pathlib import Path
        from zebench.workspace import compute_diff
        diff = compute_diff(Path("{before}"), Path("{after}"))
        print(sorted((f.path, f.change, f.binary) for f in diff.files))
        # VmHWM, this process's peak resident memory (getrusage's ru_maxrss would include pytest's, from before
        # the exec)
        status = dict(line.split(":", 1) for line in open("/proc/self/status"))
        print(int(status["VmHWM"].split()[0]) // 1024)
        """,
    )
    done = subprocess.run([sys.executable, str(probe)], capture_output=True, text=True, timeout=300, check=False)
    files, peak_mb = done.stdout.splitlines()
    assert files == "[('added.bin', 'added', True), ('same-size.bin', 'modified', True)]", done.stderr
    assert int(peak_mb) < 200


# -- choosing the sandbox -------------------------------------------------------------------------------------


def test_sandbox_choice(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert resolve_mode("bwrap") == ("bwrap", None)
    assert resolve_mode("auto") == ("bwrap", None)
    assert resolve_mode("none") == ("none", None)
    suites = tmp_path / "suites"
    make_scenario(suites)
    monkeypatch.setattr(sandbox_module, "bwrap_problem", lambda: "bwrap not found (Debian: apt-get install ...)")
    args = ["run", "--suites-dir", str(suites), "--db", str(tmp_path / "z.db"), "-a", "oracle"]
    refused = CliRunner().invoke(main, [*args, "--sandbox", "bwrap"])
    assert refused.exit_code == 2
    assert "bwrap not found" in refused.output
    assert not (tmp_path / "z.db").exists()
    fallback = CliRunner().invoke(main, [*args, "--sandbox", "auto", "-o", str(tmp_path / "r.jsonl")])
    assert fallback.exit_code == 0, fallback.output
    assert "warning: running commands without a sandbox" in fallback.output
    record = json.loads((tmp_path / "r.jsonl").read_text())
    assert record["manifest"]["settings"]["sandbox"] == "none"
    assert record["isSuccessful"]


def test_run_command_without_a_sandbox_still_reaps(tmp_path: Path) -> None:
    m = marker()
    result = run(run_command(f"setsid sleep {m} & echo started", tmp_path, timeout=10))
    assert result.output == "started\n"
    assert processes_with(m) == []


def test_nothing_survives_zebench_being_killed(tmp_path: Path, sandbox_mode: str) -> None:
    """SIGKILL of zebench itself: the reaper (PR_SET_PDEATHSIG) still kills every process of the command."""
    import select
    import signal

    m = marker()
    script = write(
        tmp_path / "victim.py",
        f"""
        import asyncio, sys
        from pathlib import Path
        sys.path.insert(0, "{Path(__file__).resolve().parent.parent}")
        from zebench.sandbox import Sandbox
        from tests.conftest import processes_with

        async def main():
            box = Sandbox(Path("{tmp_path}") / "ws", mode="{sandbox_mode}", scratch_root=Path("{tmp_path}"))
            (Path("{tmp_path}") / "ws").mkdir()
            task = asyncio.ensure_future(box.run("setsid sleep {m} & sleep {m}", timeout=600))
            while len(processes_with("{m}")) < 2:
                await asyncio.sleep(0)
            print("ready", flush=True)
            await task

        asyncio.run(main())
        """,
    )
    victim = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE, text=True)
    assert victim.stdout is not None
    assert victim.stdout.readline() == "ready\n"
    pidfds = [os.pidfd_open(pid) for pid in processes_with(m)]
    victim.send_signal(signal.SIGKILL)
    victim.wait()
    for fd in pidfds:  # each ends by an event; 60 s is only a safety net
        assert select.select([fd], [], [], 60)[0], "a process of the command survived"
        os.close(fd)
    assert processes_with(m) == []


def test_private_folders_start_empty_when_reused(tmp_path: Path, sandbox_mode: str) -> None:
    """A closed sandbox's HOME and /tmp may serve the next one (removing folders is slow): never with anything in."""
    first = make_sandbox(tmp_path / "ws1", sandbox_mode)
    made = run(
        first.run(
            "mkdir -p $HOME/.config/x $TMPDIR/d && echo secret > $HOME/.config/x/token && echo x > $TMPDIR/d/f "
            "&& chmod 0777 $HOME && chmod 0 $TMPDIR/d && echo made",
            timeout=30,
        )
    )
    assert made.output == "made\n"
    assert first.scratch is not None
    reused = first.scratch
    run(first.close())
    second = make_sandbox(tmp_path / "ws2", sandbox_mode)
    # (with bwrap, /tmp holds the mount points bubblewrap makes for a workspace that lives under /tmp)
    seen = run(second.run("ls -A $HOME; ls -A $TMPDIR/d; stat -c %a $HOME", timeout=30))
    assert second.scratch is not None
    assert second.scratch.name == reused.name  # the same folders (kept aside meanwhile)...
    assert seen.output.splitlines() == [f"ls: cannot access '{second.tmp}/d': No such file or directory", "755"]
    run(second.close())


def test_private_folders_that_cannot_be_emptied_are_not_reused(
    tmp_path: Path, sandbox_mode: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A folder of a run's HOME that is not fully removed (a mount point, an immutable file): the private folders are
    not kept for the next sandbox, whose HOME would start with it."""
    from zebench.isolation import sandbox as sandbox_module
    from zebench.isolation.leftovers import remove_tree

    monkeypatch.setattr(sandbox_module, "remove_tree", lambda path: None if "stuck" in str(path) else remove_tree(path))
    first = make_sandbox(tmp_path / "ws1", sandbox_mode)
    made = run(first.run("mkdir -p $HOME/stuck && echo secret > $HOME/stuck/token && echo made", timeout=30))
    assert made.output == "made\n"
    assert first.scratch is not None
    used = first.scratch
    run(first.close())
    second = make_sandbox(tmp_path / "ws2", sandbox_mode)
    seen = run(second.run("ls -A $HOME", timeout=30))
    assert second.scratch is not None
    assert second.scratch.name != used.name
    assert seen.output == ""
    run(second.close())


def test_runs_share_a_package_store(tmp_path: Path) -> None:
    """Two runs (as root: two sandbox users) write into the same store folder, each into what the other made."""
    store = tmp_path / "cache" / "pnpm-store"
    policy = Policy(network=False, rw_paths=(store,), env={"npm_config_store_dir": str(store)})
    first = make_sandbox(tmp_path / "ws1", "bwrap", policies={"validation": policy})
    second = make_sandbox(tmp_path / "ws2", "bwrap", policies={"validation": policy})
    made = run(
        first.run(
            "mkdir -p $npm_config_store_dir/v3/files && echo one > $npm_config_store_dir/v3/files/a",
            purpose="validation",
            timeout=30,
        )
    )
    added = run(
        second.run(
            "echo two > $npm_config_store_dir/v3/files/b && mv $npm_config_store_dir/v3/files/a "
            "$npm_config_store_dir/v3/files/c && cat $npm_config_store_dir/v3/files/*",
            purpose="validation",
            timeout=30,
        )
    )
    assert made.exit_code == 0, added.output
    assert added.exit_code == 0, added.output
    assert added.output == "two\none\n"  # b, then c (what the first run wrote, moved by the second)


@pytest.mark.parametrize(
    ("output", "expected"),
    [
        ("hi\n\nzebench-left-abc 0\n", ("hi\n", 0)),
        ("hi\nzebench-left-abc 12", ("hi", 12)),
        ("zebench-left-abc 7\n", ("", 7)),
        ("zebench-left-abc 1\nzebench-left-abc 2\n", ("zebench-left-abc 1", 2)),  # the last one is the shell's
        ("x zebench-left-abc y\n", ("x zebench-left-abc y\n", None)),
        ("zebench-left-abc \n", ("zebench-left-abc \n", None)),
        ("no marker\n", ("no marker\n", None)),
    ],
)
def test_the_leftover_count_is_taken_out_of_the_output(output: str, expected: tuple[str, int | None]) -> None:
    from zebench.isolation.processes import _take_marker

    assert _take_marker(output, "zebench-left-abc") == expected


def test_the_locale_reaches_the_command_and_nothing_that_starts_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """LANG, LANGUAGE and LC_* reach a sandboxed command, exported by its own shell (a shell command) or set by
    bubblewrap (--setenv, an argv command), never in the environment of what starts it: prlimit, bubblewrap and
    setpriv would each load the locale's files for nothing."""
    monkeypatch.setenv("LANG", "C.UTF-8")
    monkeypatch.setenv("LC_TIME", "it's $C `x`")
    box = make_sandbox(tmp_path / "ws", "bwrap")
    for command in ("true", ["true"]):
        launch = box.launch(command, box.policy("agent"))
        assert "LANG" not in launch.env
        assert "LC_TIME" not in launch.env
        assert "PATH" in launch.env
        assert ("--setenv" in launch.command) is isinstance(command, list)
    shell = run(box.run('printf "%s|%s" "$LANG" "$LC_TIME"', timeout=30, count_leftovers=True))
    assert shell.output == "C.UTF-8|it's $C `x`"
    # Scoring commands reach the registry through a Python forwarder, which would set LC_CTYPE for them (PEP 538)
    # if the locale came after it: the same environment as the agent's.
    scoring = run(box.run('printf "%s|%s|%s" "$LANG" "$LC_TIME" "${LC_CTYPE-unset}"', purpose="validation", timeout=30))
    assert scoring.output == "C.UTF-8|it's $C `x`|unset"
    monkeypatch.setenv("LC_\u00e9", "C")  # not a name the shell can export: given by bubblewrap
    odd = run(box.run('printf "%s|%s" "$LANG" "$LC_TIME"', timeout=30))
    assert odd.output == "C.UTF-8|it's $C `x`"
    argv = run(box.run(["sh", "-c", 'printf "%s|%s" "$LANG" "$LC_TIME"'], timeout=30))
    assert argv.output == "C.UTF-8|it's $C `x`"


def test_a_close_while_another_thread_opens_waits_for_it_and_removes_what_it_made(tmp_path: Path) -> None:
    """A run cancelled while its sandbox opens in a thread closes the sandbox at once: the close waits for the
    open, removes its folders, and an open that starts after the close fails."""
    box = make_sandbox(tmp_path / "ws", "none")
    scratch_root = tmp_path / "sandbox-scratch"
    entered, release = threading.Event(), threading.Event()
    real_open = box._open_locked

    def slow_open() -> None:
        entered.set()
        assert release.wait(30)
        real_open()

    box._open_locked = slow_open  # type: ignore[method-assign]

    async def scenario() -> None:
        opening = asyncio.ensure_future(asyncio.to_thread(box._open_sync))
        assert await asyncio.to_thread(entered.wait, 30)  # the open holds its lock, nothing made yet
        closing = asyncio.ensure_future(box.close())
        release.set()
        await opening
        await closing

    run(scenario())
    assert box.scratch is None
    assert list(scratch_root.iterdir()) == []  # what the open made is gone
    with pytest.raises(OSError, match="the sandbox is closed"):
        box.open()
