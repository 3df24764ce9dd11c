"""Result channels: how zebench learns whether a command that scores a run passed, without trusting an exit code
that the agent's code, running in the same process, can set (docs/integrity.md).

A scenario command that is one Python invocation (``python -m unittest ...``, ``python -c ...``, ``python
check.py``, with ``VAR=value`` prefixes but no shell syntax) runs through zebench's bootstrap
(zebench/run/_pyboot.py): in isolated mode (``-I``: files of the workspace cannot hook the interpreter), with the
import path it would have had, and reporting over a socket whose records are authenticated with a key the
bootstrap reads before any code of the workspace runs. The command passed when its record came, says it passed,
matches its exit status, reports no replaced part of the test runner, ``sys`` or ``builtins``, and, for
``python -m unittest``, every test the protected test files define (listed first by a separate run that loads
only those files, with every other module of the workspace a stub) passed with its own code.

Anything else keeps its exit code, and the run says its result channel was unverified.
"""

from __future__ import annotations

import asyncio
import atexit
import functools
import hashlib
import hmac
import marshal
import re
import secrets
import shlex
import shutil
import socket
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..isolation.leftovers import process_folder
from ..isolation.processes import CommandResult
from ..isolation.sandbox import Policy, Sandbox

BOOTSTRAP = Path(__file__).with_name("_pyboot.py")
#: The module name of the bootstrap's private copy (bootstrap_argv).
BOOTSTRAP_MODULE = "_zebench_pyboot"
#: Preloaded into the Node processes of scoring commands: freezes node:assert (zebench/run/_nodeguard.cjs).
NODE_GUARD = Path(__file__).with_name("_nodeguard.cjs")
PYTHON_WORD_RE = re.compile(r"^python(3(\.\d+)?)?$")
#: Interpreter options the bootstrap keeps (those with a value take the next word unless attached).
FLAG_OPTIONS = frozenset("-B -d -E -O -OO -q -s -S -u -v -b -bb -R -I -P".split())
VALUE_OPTIONS = ("-W", "-X")
ENV_WORD_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*=")
#: Shell syntax that makes a command more than one Python invocation (then it runs with /bin/sh, unverified).
SHELL_SYNTAX_RE = re.compile(r"[|&;<>()`$\n]|\*|\?|\[")
#: Time the reader may take after the command ended to drain what the bootstrap wrote.
DRAIN_SECONDS = 5.0
#: Records of one command at most (a flood is a finding, never a memory problem).
MAX_RECORD_BYTES = 16 * 1024 * 1024

VERIFIED, UNVERIFIED, FORGED = "verified", "unverified", "forged"
#: The bootstrap's configuration and records are marshal in this format (read by every Python 3 since 3.4).
MARSHAL_VERSION = 4
#: A record's header: hex MAC, sequence number, length of the body that follows.
_HEADER_RE = re.compile(rb"([0-9a-f]{64}) ([0-9]{1,9}) ([0-9]{1,9})\n")


@dataclass
class PythonCommand:
    """One Python invocation of a scenario command, taken apart."""

    env: dict[str, str]
    interpreter: str
    options: list[str]
    #: What follows the options: ``-m MOD args``, ``-c CODE args`` or ``SCRIPT args``.
    target: list[str]

    @property
    def is_unittest(self) -> bool:
        return self.target[:2] == ["-m", "unittest"]

    @property
    def is_pytest(self) -> bool:
        return self.target[:2] == ["-m", "pytest"]


def parse_python(command: str | list[str]) -> PythonCommand | None:
    """The command as one Python invocation, or None (shell syntax, another program, an option the bootstrap does
    not know)."""
    if isinstance(command, str):
        try:
            words = shlex.split(command)
        except ValueError:
            return None
        # Shell syntax outside the code of -c (which shlex already unquoted) would change what runs.
        code_index = words.index("-c") + 1 if "-c" in words else -1
        for i, word in enumerate(words):
            if i != code_index and SHELL_SYNTAX_RE.search(word):
                return None
        if SHELL_SYNTAX_RE.search(_outside_quotes(command)):
            return None
    else:
        words = list(command)
    env: dict[str, str] = {}
    while words and ENV_WORD_RE.match(words[0]):
        name, _, value = words.pop(0).partition("=")
        env[name] = value
    if not words or not PYTHON_WORD_RE.match(Path(words[0]).name):
        return None
    interpreter, rest = words[0], words[1:]
    options: list[str] = []
    while rest and rest[0].startswith("-") and rest[0] not in ("-c", "-m", "-"):
        word = rest.pop(0)
        if word in FLAG_OPTIONS:
            options.append(word)
        elif word in VALUE_OPTIONS and rest:
            options += [word, rest.pop(0)]
        elif word.startswith(VALUE_OPTIONS) and len(word) > 2:
            options.append(word)
        else:
            return None
    if not rest or rest[0] == "-" or (rest[0] in ("-c", "-m") and len(rest) < 2):
        return None
    return PythonCommand(env=env, interpreter=interpreter, options=options, target=rest)


def _outside_quotes(command: str) -> str:
    """The command with its quoted parts removed (what the shell would interpret)."""
    out, quote = [], None
    i = 0
    while i < len(command):
        c = command[i]
        if quote is None and c == "\\" and i + 1 < len(command):
            i += 2
            continue
        if quote is None and c in "'\"":
            quote = c
        elif quote == c:
            quote = None
        elif quote is None:
            out.append(c)
        i += 1
    return "".join(out)


@dataclass
class Records:
    """What came back on a channel: the authenticated records, and how many lines failed their check."""

    records: list[dict[str, Any]] = field(default_factory=list)
    invalid: int = 0

    @property
    def final(self) -> dict[str, Any] | None:
        return next((r for r in reversed(self.records) if r.get("final")), None)


def _check(data: bytes, key: bytes) -> Records:
    """The records of a channel's bytes (``MAC SEQ LENGTH\\n`` then LENGTH bytes of marshal, _pyboot._Channel.send)
    whose MAC and sequence hold; anything else counts as invalid (framing that does not parse ends the reading)."""
    out = Records()
    expected_seq = 1
    pos = 0
    while pos < len(data):
        header = _HEADER_RE.match(data, pos)
        if header is None:
            out.invalid += 1
            break
        mac, seq, length = header.group(1), header.group(2), int(header.group(3))
        body = data[header.end() : header.end() + length]
        if len(body) < length:
            out.invalid += 1
            break
        pos = header.end() + length
        digest = hmac.new(key, seq + b" " + body, hashlib.sha256).hexdigest().encode()
        if not hmac.compare_digest(mac, digest) or seq != str(expected_seq).encode():
            out.invalid += 1
            continue
        expected_seq += 1
        try:  # authenticated: written by the bootstrap, which writes only plain values
            record = marshal.loads(body)
        except (ValueError, EOFError, TypeError):
            out.invalid += 1
            continue
        if isinstance(record, dict):
            out.records.append(record)
    return out


async def list_tests(
    sandbox: Sandbox, command: PythonCommand, protected: list[str], *, policy: Policy, timeout: float | None
) -> Inventory:
    """The tests ``python -m unittest ...`` finds in the protected files (relative paths) of the sandbox's
    workspace, loading only those files (every other module of the workspace is a stub, never executed)."""
    config = {"protected": [str(sandbox.workspace / rel) for rel in protected], "root": str(sandbox.workspace)}
    _, records = await run_python(sandbox, command, mode="collect", config=config, policy=policy, timeout=timeout)
    return required_tests(records, set(protected))


async def run_python(
    sandbox: Sandbox,
    command: PythonCommand,
    *,
    mode: str = "run",
    config: dict[str, Any] | None = None,
    policy: Policy,
    timeout: float | None,
    head_bytes: int = 0,
    tail_bytes: int = 8 * 1024,
) -> tuple[CommandResult, Records]:
    """Run one Python invocation through the bootstrap and read its channel."""
    key = secrets.token_bytes(32)
    ours, theirs = socket.socketpair()
    payload = marshal.dumps(config or {}, MARSHAL_VERSION)
    ours.sendall(key + len(payload).to_bytes(4, "big") + payload)
    if _bootstrap_folder.cache_info().currsize == 0:  # made once per process, off the event loop
        await asyncio.to_thread(_bootstrap_folder)
    start, folder = bootstrap_argv()
    argv = [
        command.interpreter,
        "-I",
        "-B",
        *command.options,
        *start,
        str(theirs.fileno()),
        mode,
        "--",
        *command.target,
    ]
    env = {k: v for k, v in command.env.items()}
    launch_policy = policy.extend(ro_paths=[folder], env=env)
    reader = asyncio.ensure_future(_read_all(ours))
    try:
        fd = theirs.detach()  # the launch closes it once the command started
        result = await sandbox.run(
            argv,
            policy=launch_policy,
            timeout=timeout,
            head_bytes=head_bytes,
            tail_bytes=tail_bytes,
            pass_fds=[fd],
        )
        try:
            data = await asyncio.wait_for(asyncio.shield(reader), DRAIN_SECONDS)
        except TimeoutError:
            data = b""
    finally:
        reader.cancel()
        ours.close()
    return result, _check(data, key)


@functools.cache
def _bootstrap_folder() -> Path:
    """A private copy of the bootstrap with its bytecode compiled beside it (an unchecked-hash .pyc), made once per
    process and removed at its exit: every scoring command would otherwise compile the whole file again (-B: no
    bytecode is written, and a script's never is). An interpreter of another version compiles the source."""
    import importlib.util
    import py_compile

    folder = process_folder("pyboot")
    folder.chmod(0o755)  # the sandbox's user (another uid when zebench runs as root) reads it
    atexit.register(shutil.rmtree, folder, True)
    source = folder / f"{BOOTSTRAP_MODULE}.py"
    shutil.copyfile(BOOTSTRAP, source)
    py_compile.compile(
        str(source),
        cfile=importlib.util.cache_from_source(str(source)),
        doraise=True,
        invalidation_mode=py_compile.PycInvalidationMode.UNCHECKED_HASH,
    )
    return folder


def bootstrap_argv() -> tuple[list[str], Path]:
    """What follows an interpreter's options to start the bootstrap (``-c`` with a stub that imports its private
    copy), and the folder of that copy (bound read-only into the sandbox)."""
    folder = _bootstrap_folder()
    # Neither on sys.path nor in sys.modules once imported: the code under test does not find it by name.
    stub = (
        f"import sys; sys.path.insert(0, {str(folder)!r}); __import__({BOOTSTRAP_MODULE!r}); del sys.path[0]; "
        f"sys.modules.pop({BOOTSTRAP_MODULE!r}).main()"
    )
    return ["-c", stub], folder


async def _read_all(sock: socket.socket) -> bytes:
    loop = asyncio.get_running_loop()
    sock.setblocking(False)
    chunks: list[bytes] = []
    size = 0
    while True:
        chunk = await loop.sock_recv(sock, 65536)
        if not chunk:
            return b"".join(chunks)
        size += len(chunk)
        if size <= MAX_RECORD_BYTES:
            chunks.append(chunk)


# -- verdicts -----------------------------------------------------------------------------------------------------


@dataclass
class Verdict:
    """What a command's result channel says."""

    channel: str  # verified, unverified, forged
    passed: bool
    note: str | None = None
    #: A blocking finding (JSON) when the command's result was forged or its protected tests did not run.
    finding: dict[str, Any] | None = None
    tests: dict[str, Any] | None = None

    def summary(self, command: str) -> dict[str, Any]:
        out: dict[str, Any] = {"command": command, "channel": self.channel, "passed": self.passed}
        if self.note:
            out["note"] = self.note
        if self.tests is not None:
            out["tests"] = {k: v for k, v in self.tests.items() if k not in ("outcomes", "codeOk")}
        return out


def _finding(kind: str, command: str, message: str) -> dict[str, Any]:
    return {"kind": kind, "path": None, "message": f"`{command}`: {message}", "blocking": True}


def _short(items: list[str], limit: int = 5) -> str:
    shown = ", ".join(items[:limit])
    return shown + (f" and {len(items) - limit} more" if len(items) > limit else "")


def judge(
    command: str,
    result: CommandResult,
    records: Records,
    *,
    required: list[str] | None = None,
) -> Verdict:
    """The verdict on one command run through the bootstrap. ``required``: the test ids the protected test files
    define (None: unknown)."""
    exit_code = result.exit_code
    if result.timed_out:
        return Verdict(VERIFIED, False, "timed out")
    if records.invalid:
        return _forged(command, f"{records.invalid} record(s) on its result channel failed their check")
    final = records.final
    if final is None:
        if exit_code == 0:
            return _forged(command, "exited 0 without reporting its result (os._exit, or the runner cut short)")
        return Verdict(VERIFIED, False, f"ended (exit code {exit_code}) before reporting a result")
    tampered = [str(name) for name in final.get("tampered") or []]
    if tampered:
        return _forged(command, f"replaced {_short(tampered)} while it ran")
    exit_from = final.get("exitFrom")
    if exit_from:
        return _forged(command, f"its exit status was decided by {exit_from} (the code under test), not by the check")
    code = final.get("code")
    if code != exit_code:
        if exit_code == 0:
            return _forged(command, f"reported exit status {code} but exited 0 (changed after its result)")
        return Verdict(VERIFIED, False, f"reported exit status {code} but exited {exit_code}")
    tests = final.get("tests")
    if not isinstance(tests, dict):
        if final.get("runner"):  # the test runner never finished (an exception or exit while loading the tests)
            return Verdict(VERIFIED, False, "the test runner did not finish")
        return Verdict(VERIFIED, code == 0)
    outcomes = tests.get("outcomes") or {}
    code_ok = tests.get("codeOk") or {}
    replaced = sorted(str(t) for t, ok in code_ok.items() if ok is False)
    if replaced:
        return _forged(command, f"test methods no longer run their own code: {_short(replaced)}", tests)
    passed = code == 0 and not tests.get("failures") and not tests.get("errors")
    notes = [f"{tests.get('run', 0)} tests ran"]
    if required is not None:
        tests["required"] = len(required)
        missing = [t for t in required if outcomes.get(t) != "passed"]
        tests["missing"] = len(missing)
        notes.append(f"{len(required) - len(missing)} of the {len(required)} tests of the protected test files passed")
        if missing:
            if passed:
                skipped = [t for t in missing if outcomes.get(t) == "skipped"]
                absent = [t for t in missing if t not in outcomes]
                detail = "; ".join(
                    part
                    for part in (
                        f"skipped: {_short(skipped)}" if skipped else "",
                        f"never ran: {_short(absent)}" if absent else "",
                    )
                    if part
                )
                return Verdict(
                    FORGED,
                    False,
                    f"{len(missing)} tests of the protected test files did not run or did not pass",
                    _finding(
                        "tests_missing",
                        command,
                        f"{len(missing)} of the {len(required)} tests of the protected test files did not pass, "
                        f"yet it exited 0 ({detail})",
                    ),
                    tests,
                )
            passed = False
    else:
        notes.append("the count of tests was not checked")
    if passed and not tests.get("run"):
        passed = False
        notes.append("no test ran")
    return Verdict(VERIFIED, passed, "; ".join(notes), None, tests)


def _forged(command: str, why: str, tests: dict[str, Any] | None = None) -> Verdict:
    return Verdict(FORGED, False, f"forged result: {why}", _finding("forged_result", command, why), tests)


#: The tests a scoring command must pass, and a note on how they were listed (None: unknown).
Inventory = tuple[list[str] | None, str | None]


def required_tests(records: Records, protected: set[str]) -> Inventory:
    """The tests a collection run found in the protected files (paths relative to the copy it ran in), not
    skipped by their own decorators; None (and why) when the collection failed or found nothing to require."""
    final = records.final
    if final is None or records.invalid:
        return None, "the tests of the protected test files could not be listed"
    if final.get("error"):
        return None, f"the tests of the protected test files could not be listed: {final['error']}"
    found = final.get("tests") or []
    required = [
        str(t["id"]) for t in found if isinstance(t, dict) and t.get("file") in protected and not t.get("skipped")
    ]
    broken = final.get("broken") or []
    note = f"test modules that could not be listed: {_short([str(b) for b in broken])}" if broken else None
    return (required or None), note


# -- test runners of other languages: their summary line -----------------------------------------------------------


def node_guard_env() -> dict[str, str]:
    """NODE_OPTIONS preloading the guard (a path with spaces quoted, as Node's option parser reads it)."""
    path = str(NODE_GUARD)
    return {"NODE_OPTIONS": f'--require="{path}"' if " " in path else f"--require={path}"}


#: ``node --test`` (TAP ``# pass 3``, spec ``ℹ pass 3``), vitest (``Tests  1 failed | 2 passed (3)``), jest
#: (``Tests:       1 failed, 2 passed, 3 total``). The runner prints its summary last, from its own process (the
#: tests run in workers or child processes): the last summary of the output is the runner's.
NODE_FIELD_RE = re.compile(r"^\s*(?:#|\u2139)\s*(tests|pass|fail|cancelled|skipped|todo)\s+(\d+)\s*$", re.MULTILINE)
VITEST_RE = re.compile(r"^\s*Tests\s+((?:\d+\s+\w+\s*\|?\s*)+)\((\d+)\)\s*$", re.MULTILINE)
JEST_RE = re.compile(r"^Tests:\s+(.*?)(\d+)\s+total\s*$", re.MULTILINE)
ANSI_RE = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
#: Test cases a JavaScript/TypeScript test file declares (``test(``, ``it(``; skipped and todo ones left out).
JS_TEST_RE = re.compile(r"^\s*(?:test|it)(?:\.(?:only|concurrent|sequential|fails))?\s*\(", re.MULTILINE)
JS_DYNAMIC_RE = re.compile(r"\b(?:test|it|describe)\.(?:each|for)\b|\.each`")
JS_TEST_FILE_RE = re.compile(r"\.(test|spec)\.[cm]?[jt]sx?$|(^|/)(tests?|__tests__)/[^/]*\.[cm]?[jt]sx?$")


def runner_summary(output: str) -> dict[str, Any] | None:
    """The last test-runner summary in a command's output: {"runner", "tests", "passed", "failed", "skipped"}."""
    text = ANSI_RE.sub("", output)
    found: list[tuple[int, dict[str, Any]]] = []
    node: dict[str, int] = {}
    last = -1
    for match in NODE_FIELD_RE.finditer(text):
        node[match[1]] = int(match[2])
        last = match.start()
    if "tests" in node and "pass" in node:
        failed = node.get("fail", 0) + node.get("cancelled", 0)
        found.append(
            (
                last,
                {
                    "runner": "node",
                    "tests": node["tests"],
                    "passed": node["pass"],
                    "failed": failed,
                    "skipped": node.get("skipped", 0) + node.get("todo", 0),
                },
            )
        )
    for match in VITEST_RE.finditer(text):
        counts = {word: int(n) for n, word in re.findall(r"(\d+)\s+(\w+)", match[1])}
        found.append(
            (
                match.start(),
                {
                    "runner": "vitest",
                    "tests": int(match[2]),
                    "passed": counts.get("passed", 0),
                    "failed": counts.get("failed", 0),
                    "skipped": counts.get("skipped", 0),
                },
            )
        )
    for match in JEST_RE.finditer(text):
        counts = {word: int(n) for n, word in re.findall(r"(\d+)\s+(\w+)", match[1])}
        found.append(
            (
                match.start(),
                {
                    "runner": "jest",
                    "tests": int(match[2]),
                    "passed": counts.get("passed", 0),
                    "failed": counts.get("failed", 0),
                    "skipped": counts.get("skipped", 0),
                },
            )
        )
    return max(found, key=lambda item: item[0])[1] if found else None


def count_js_tests(texts: list[str]) -> int | None:
    """Test cases the protected JavaScript/TypeScript test files declare; None when one declares them
    dynamically (``test.each``) and the count cannot be read off the text."""
    if any(JS_DYNAMIC_RE.search(text) for text in texts):
        return None
    return sum(len(JS_TEST_RE.findall(text)) for text in texts) or None


def judge_summary(command: str, result: CommandResult, required: int | None) -> Verdict:
    """The verdict on a non-Python test command from its runner's summary (the exit code alone when none)."""
    passed = result.exit_code == 0 and not result.timed_out
    summary = runner_summary(result.output)
    if summary is None:
        return Verdict(UNVERIFIED, passed, "no test runner summary found: the exit code was taken as it is")
    tests = {"run": summary["tests"], "failures": summary["failed"], "errors": 0, "skipped": summary["skipped"]}
    note = f"{summary['runner']}: {summary['passed']} of {summary['tests']} tests passed"
    if passed and summary["failed"]:
        return _forged(command, f"exited 0 but its test runner reported {summary['failed']} failed tests", tests)
    if required is not None:
        tests["required"] = required
        note += f"; the protected test files declare {required}"
        if summary["passed"] < required:
            if passed:
                return Verdict(
                    FORGED,
                    False,
                    f"{note}: some did not run",
                    _finding(
                        "tests_missing",
                        command,
                        f"{summary['passed']} tests passed where the protected test files declare {required}, yet it "
                        "exited 0",
                    ),
                    tests,
                )
            passed = False
    if passed and not summary["passed"]:
        passed = False
        note += "; no test passed"
    return Verdict("summary", passed, note, None, tests)


# -- the scoring commands of a run ---------------------------------------------------------------------------------


@dataclass
class ScoringChannels:
    """The result channels of one run's scoring commands (validation, heuristic checks): the protected Python
    files of the scored copy, and what the channels found (findings are shared with the integrity guard)."""

    root: Path
    #: Absolute paths of the protected .py files of the scored copy (the fixture's versions).
    protected: list[str] = field(default_factory=list)
    findings: list[dict[str, Any]] = field(default_factory=list)
    commands: list[dict[str, Any]] = field(default_factory=list)
    #: The tests a ``python -m unittest`` command must pass (listed once per scenario and batch, on the fixture).
    inventory: Callable[[str], Awaitable[Inventory]] | None = None
    #: Test cases the protected JavaScript/TypeScript test files declare (None: unknown).
    js_tests: int | None = None

    async def run(
        self,
        sandbox: Sandbox,
        command: str | list[str],
        *,
        policy: Policy,
        timeout: float | None,
        head_bytes: int = 0,
        tail_bytes: int = 8 * 1024,
        collect: bool = False,
    ) -> tuple[CommandResult, bool]:
        """Run one scoring command; (its result, whether it passed). The output gains a line saying what the
        channel found."""
        display = command if isinstance(command, str) else shlex.join(command)
        parsed = parse_python(command)
        if parsed is None:
            result = await sandbox.run(
                command, policy=policy, timeout=timeout, head_bytes=head_bytes, tail_bytes=tail_bytes
            )
            if collect and not result.timed_out:  # the test command: its runner's summary, if it prints one
                verdict = judge_summary(display, result, self.js_tests)
            else:
                verdict = Verdict(UNVERIFIED, result.exit_code == 0 and not result.timed_out)
            return self._done(display, result, verdict)
        required: list[str] | None = None
        collect_note: str | None = None
        config = {"protected": self.protected, "root": str(self.root)}
        if collect and parsed.is_unittest and self.protected and self.inventory is not None:
            required, collect_note = await self.inventory(display)
        result, records = await run_python(
            sandbox,
            parsed,
            config=config,
            policy=policy,
            timeout=timeout,
            head_bytes=head_bytes,
            tail_bytes=tail_bytes,
        )
        verdict = judge(display, result, records, required=required)
        if collect_note:
            verdict.note = f"{verdict.note}; {collect_note}" if verdict.note else collect_note
        return self._done(display, result, verdict)

    def _done(self, display: str, result: CommandResult, verdict: Verdict) -> tuple[CommandResult, bool]:
        if verdict.finding is not None:
            self.findings.append(verdict.finding)
        self.commands.append(verdict.summary(display))
        if verdict.note:
            result.output = f"{result.output.rstrip()}\n[zebench: {verdict.note}]\n".lstrip()
        return result, verdict.passed


__all__ = [
    "BOOTSTRAP",
    "FORGED",
    "NODE_GUARD",
    "UNVERIFIED",
    "VERIFIED",
    "PythonCommand",
    "Records",
    "ScoringChannels",
    "Verdict",
    "Inventory",
    "count_js_tests",
    "judge",
    "judge_summary",
    "list_tests",
    "node_guard_env",
    "parse_python",
    "required_tests",
    "run_python",
    "runner_summary",
]
