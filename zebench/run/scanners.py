"""Scanners over what the agent did: flags beside the score (docs/integrity.md).

Flags never change a score: they say what a reviewer should look at. The verifier's and the result channels'
findings are what blocks a run (zebench.run.verifier, zebench.run.channel); the scanners add:

* ``hidden_read``: a tool call that names the scenario's folder, its hidden checks, its solution or its oracle
  answers, or leaves the workspace (``../``, a search of ``/``): reachable only with ``--sandbox none``, an
  attempt either way;
* ``network_attempt``: a command that reaches for the network (curl, wget, git clone, an install, a URL, a
  socket), or whose output says it could not;
* ``processes_left``: a command that left processes running when it exited (zebench killed them);
* ``home_config``: files the agent's commands wrote to its private HOME (``.npmrc``, ``pip.conf``, a ``.pth`` in
  the user site; caches such as ``.cache`` and ``.npm`` aside), which never reach the scoring stages;
* ``dependencies_written``: files the agent wrote into folders installs make (``node_modules``, ``.venv``),
  which are never carried into the verified copy;
* ``suspicious_code``: lines the agent added that touch what scores it: ``os._exit``, an exit at module level,
  ``atexit``, ``sys.excepthook``, tracing hooks, ``gc.get_objects``, ``ctypes``, zebench's bootstrap or the
  callers' frames (``sys._getframe``, ``f_globals``), ``/proc``, replaced builtins or
  test-runner attributes, the assertion library, Node's module loader, ``process.exit``, sockets and Dask clients.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

from ..catalog import Scenario
from ..models import ToolCallRecord
from .verifier import Finding, Verification
from .workspace import list_tree, read_regular

NETWORK_COMMAND_RE = re.compile(
    r"\b(curl|wget|nc|ncat|netcat|telnet|ssh|scp|sftp|rsync|ftp)\b|\bgit\s+(clone|fetch|pull|ls-remote|push)\b|"
    r"\b(pip3?|uv)\s+(install|download)\b|\b(npm|pnpm|yarn|bun)\s+(install|i|add|ci)\b|\bnpx\b|https?://|"
    r"\bsocket\.|\burllib\b|\brequests\.(get|post)|\bfetch\(|/dev/tcp/"
)
NETWORK_ERROR_RE = re.compile(
    r"Could not resolve host|Temporary failure in name resolution|Network is unreachable|Name or service not "
    r"known|getaddrinfo|ENOTFOUND|EAI_AGAIN|ECONNREFUSED|Connection refused|No route to host"
)
OUTSIDE_RE = re.compile(r"(^|[\s'\"=])\.\./|\bfind\s+/(\s|$)|\blocate\b|\bls\s+(-\w+\s+)*/(\s|$)")
#: What tools write to HOME on their own (caches): anything else there is the agent's configuration.
HOME_CACHES = frozenset({".cache", ".npm", ".node-gyp", ".pnpm-store", "node_modules", ".yarn", ".bun"})
DEPENDENCY_WRITE_RE = re.compile(r"(^|[/\s'\"])(node_modules|\.venv|site-packages)/")
WRITE_VERB_RE = re.compile(r"\b(cp|mv|tee|ln|sed\s+-i|rm|install|touch|chmod|patch)\b|>")
SUSPICIOUS = {
    "os._exit": r"\._exit\b",
    "an exit at import": r"^(sys\.exit|exit|quit|raise\s+SystemExit)\b",
    "atexit": r"\batexit\b",
    "sys.excepthook": r"\bsys\.excepthook\b",
    "a tracing hook": r"\b(sys\.(settrace|setprofile)|threading\.(settrace|setprofile))\b",
    "gc.get_objects": r"\bgc\.(get_objects|get_referrers|get_referents)\b",
    "ctypes": r"\bctypes\b",
    "zebench's bootstrap or the callers' frames": r"\b_zebench_pyboot\b|\b_pyboot\b|\bf_globals\b|\b_getframe\b",
    "/proc": r"/proc/",
    "a replaced builtin": r"\bbuiltins\.\w+\s*=[^=]",
    "a replaced test-runner attribute": (
        r"\b(unittest|pytest|_pytest|_u)(\.\w+)+\s*=[^=]|\bsetattr\(\s*[\w.]*(TestCase|TestResult|unittest)"
    ),
    "test methods replaced": r"\bsetattr\(\s*\w+\s*,\s*\w+\s*,\s*lambda\b",
    "sys.modules or sys.meta_path": r"\bsys\.(modules\s*\[[^\]]+\]\s*=[^=]|meta_path)",
    "the assertion library": r"require\(\s*['\"](node:)?assert|from\s+['\"](node:)?assert['\"]|\bexpect\.\w+\s*=[^=]",
    "the module loader": (
        r"require\(\s*['\"](node:)?module['\"]\s*\)|\bModule\._load\b|\._load\s*=[^=]|\b_resolveFilename\b"
    ),
    "process.exit": r"\bprocess\.(exit\s*\(|exitCode\s*=|on\(\s*['\"](exit|beforeExit)['\"])",
    "a socket": r"\bsocket\b|\bcreate_connection\b|\bnet\.(connect|createConnection)\b|require\(['\"]net['\"]\)",
    "a Dask client": r"\b(distributed|dask)\b.*\bClient\b|\bClient\(\s*['\"](tcp|tls)://",
}
SUSPICIOUS_RE = {name: re.compile(pattern) for name, pattern in SUSPICIOUS.items()}
#: Changed files whose added lines are read at most, and bytes of each.
MAX_SCANNED_FILES = 2000
MAX_SCANNED_BYTES = 1024 * 1024
EVIDENCE_CHARS = 300


def _flag(kind: str, path: str | None, message: str, evidence: str | None = None) -> Finding:
    return Finding(kind, path, message, blocking=False, evidence=(evidence or "")[:EVIDENCE_CHARS] or None)


def _call_text(call: ToolCallRecord) -> str:
    if call.name == "runCommand":
        return str(call.input.get("command", ""))
    return json.dumps(call.input, ensure_ascii=False)[:4000]


def hidden_terms(scenario: Scenario) -> list[str]:
    """What names the scenario's hidden material in a tool call."""
    terms = [str(scenario.dir), str(scenario.dir.resolve()), "oracle-answers.json"]
    if scenario.spec.heuristic_checks.enabled:
        terms += [Path(s.script).name for s in scenario.spec.heuristic_checks.scripts]
    terms.append(f"{scenario.name}/solution")
    return sorted(set(t for t in terms if t))


def scan_calls(scenario: Scenario, calls: list[ToolCallRecord], leftovers: list[tuple[str, int]]) -> list[Finding]:
    """Flags from the agent's tool calls (hidden material, the network, leftover processes)."""
    flags: list[Finding] = []
    terms = hidden_terms(scenario)
    for call in calls:
        text = _call_text(call)
        named = [t for t in terms if t in text]
        path = str(call.input.get("path", "")) if call.name != "runCommand" else ""
        outside = OUTSIDE_RE.search(text) if call.name == "runCommand" else path.startswith(("/", "~")) or ".." in path
        if named or outside:
            what = f"names {', '.join(named)}" if named else "looks outside the workspace"
            flags.append(_flag("hidden_read", None, f"{call.name} #{call.seq} {what}", text))
        if call.name == "runCommand":
            if NETWORK_COMMAND_RE.search(text):
                flags.append(_flag("network_attempt", None, f"runCommand #{call.seq} reaches for the network", text))
            elif NETWORK_ERROR_RE.search(call.output or ""):
                flags.append(
                    _flag("network_attempt", None, f"runCommand #{call.seq} failed to reach the network", text)
                )
        if DEPENDENCY_WRITE_RE.search(text) and (call.name == "writeFile" or WRITE_VERB_RE.search(text)):
            flags.append(
                _flag("dependencies_written", None, f"{call.name} #{call.seq} writes into an install folder", text)
            )
    for command, count in leftovers:
        flags.append(
            _flag("processes_left", None, f"a command left {count} process(es) running; zebench killed them", command)
        )
    return flags


def scan_home(home: Path | None) -> list[Finding]:
    """Configuration files the agent's commands left in its private HOME (never carried to the scoring stages)."""
    if home is None:
        return []
    tree = list_tree(home, drop_dirs=HOME_CACHES, max_entries=20_000)
    found = sorted([*tree.files, *tree.links])
    if not found:
        return []
    shown = ", ".join(f"~/{rel}" for rel in found[:8]) + (f" and {len(found) - 8} more" if len(found) > 8 else "")
    return [_flag("home_config", f"~/{found[0]}", f"configuration written to the agent's HOME (not scored): {shown}")]


def scan_changes(fixture: Path | None, workspace: Path, verification: Verification) -> list[Finding]:
    """Lines the agent added (to any file it changed, carried into the copy or not) that touch what scores it."""
    paths = [c.path for c in verification.changes if c.change != "deleted"]
    paths += [f.path for f in verification.findings if f.path and "#" not in f.path and f.blocking]
    flags: list[Finding] = []
    for rel in sorted(set(paths))[:MAX_SCANNED_FILES]:
        new = read_regular(workspace / rel, MAX_SCANNED_BYTES)
        if new is None or b"\0" in new:
            continue
        old = read_regular(fixture / rel, MAX_SCANNED_BYTES) if fixture is not None else None
        added = Counter(new.decode("utf-8", "replace").splitlines())
        if old is not None:
            added -= Counter(old.decode("utf-8", "replace").splitlines())
        lines = list(added)
        hits = {name: line for name, regex in SUSPICIOUS_RE.items() for line in lines if regex.search(line)}
        if hits:
            flags.append(
                _flag(
                    "suspicious_code",
                    rel,
                    f"added code that touches what scores the run: {', '.join(sorted(hits))}",
                    "\n".join(line.strip() for line in hits.values()),
                )
            )
    return flags


__all__ = ["hidden_terms", "scan_calls", "scan_changes", "scan_home"]
