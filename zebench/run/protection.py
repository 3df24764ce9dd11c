"""What the verifier protects: the paths (and package.json entries) an agent must not change for its score to mean
anything (docs/integrity.md).

A protected path is restored from the fixture in the verified copy (zebench.run.verifier) before anything scores
the run, and the agent's change to it is a blocking finding. The defaults cover what a task almost never needs
changed; a scenario's ``integrity`` key allows some of them (``allow``) or protects more (``protect``):

* the fixture's test files (``tests/``, ``test/``, ``__tests__/``, ``spec/``, ``test_*.py``, ``*_test.py``,
  ``*.test.*``, ``*.spec.*``): protected where the fixture has them; new test files are the agent's to add;
* test configuration, new or changed: ``conftest.py``, ``pytest.ini``, ``tox.ini``, vitest/vite/jest/mocha/karma/
  playwright configuration, a new ``__init__.py`` in a folder of the fixture's tests, ``[tool.pytest]`` of
  pyproject.toml, ``[tool:pytest]`` of setup.cfg, the ``jest`` and ``mocha`` keys of package.json;
* interpreter and runner start-up hooks: ``sitecustomize.py``, ``usercustomize.py``, ``*.pth``, and a new module
  at an import root (the workspace, ``src/``, a ``PYTHONPATH`` folder of the scenario's commands) named like a
  standard-library module or a test runner (``unittest/``, ``pytest.py``...);
* package-manager settings: ``.npmrc``, ``.yarnrc``, ``.yarnrc.yml``, ``.pnpmfile.cjs``, ``.yarn/releases``,
  ``.yarn/plugins``, ``pip.conf``, ``pip.ini``, ``uv.toml``, ``bunfig.toml``;
* the scripts of the fixture's package.json files that validation runs: ``test``, ``lint``, ``build``,
  ``typecheck`` and every script the scenario's commands name, their ``pre``/``post`` hooks, and the install
  lifecycle (``preinstall``, ``install``, ``postinstall``, ``prepare``...);
* the fixture's files that the scenario's commands run (``python tools/lint.py``, a ``Makefile`` for ``make``).
"""

from __future__ import annotations

import re
import shlex
import sys
from dataclasses import dataclass
from functools import cache
from pathlib import PurePosixPath

from ..models import ScenarioSpec

#: Why a path is protected (the finding says it).
TEST_FILE = "a test file of the fixture"
TEST_CONFIG = "test configuration"
STARTUP_HOOK = "an interpreter start-up hook"
SHADOWING = "a module shadowing the standard library or a test runner"
PACKAGE_MANAGER = "package-manager settings"
CHECK_SCRIPT = "a file the scenario's commands run"
SCENARIO = "protected by the scenario (integrity.protect)"
SCRIPT_ENTRY = "a package.json script that validation runs"

TEST_FILE_RE = re.compile(
    r"(^|/)(tests?|__tests__|spec|specs|__snapshots__)/|(^|/)test_[^/]*\.py$|_test\.py$|\.(test|spec)\.[^/]+$"
)
TEST_CONFIG_RE = re.compile(
    r"(^|/)(conftest\.py|pytest\.ini|tox\.ini|\.noserc|nose\.cfg|unittest\.cfg|"
    r"(vitest|vite|jest|karma|playwright|cypress|ava)\.(config|workspace|setup|preset)\.[^/]+|"
    r"vitest\.(config|workspace|setup)\.[^/]+|\.mocharc(\.[^/]+)?)$"
)
STARTUP_HOOK_RE = re.compile(r"(^|/)(sitecustomize|usercustomize)(\.py$|/|\.[^/]*\.(so|pyd)$)|\.pth$")
PACKAGE_MANAGER_RE = re.compile(
    r"(^|/)(\.npmrc|\.yarnrc|\.yarnrc\.yml|\.pnpmfile\.c?js|\.pnpmfile\.mjs|pip\.conf|pip\.ini|uv\.toml|"
    r"bunfig\.toml)$|(^|/)\.yarn/(releases|plugins)/"
)
#: Test runners a workspace module must not shadow (beside the standard library).
RUNNER_MODULES = frozenset(
    {"pytest", "_pytest", "pluggy", "py", "nose", "nose2", "unittest2", "hypothesis", "coverage", "zebench"}
)
#: package.json scripts validation runs whatever the commands say, and the install lifecycle pnpm/npm run.
DEFAULT_SCRIPTS = ("test", "lint", "build", "typecheck", "type-check", "check-types")
LIFECYCLE_SCRIPTS = (
    "preinstall",
    "install",
    "postinstall",
    "prepare",
    "preprepare",
    "postprepare",
    "prepublish",
    "prepack",
    "postpack",
    "dependencies",
)
#: Keys of package.json and tables of TOML/INI files that configure a test runner.
DEFAULT_KEYS = (
    ("package.json", "jest"),
    ("package.json", "mocha"),
    ("package.json", "ava"),
    ("pyproject.toml", "tool.pytest"),
    ("setup.cfg", "tool:pytest"),
)
PACKAGE_MANAGERS = frozenset({"npm", "pnpm", "yarn", "bun", "npx", "pnpx"})
#: Subcommands of the package managers that are not script names.
MANAGER_COMMANDS = frozenset(
    "install i ci add remove rm uninstall update up upgrade exec dlx x link unlink list ls why outdated audit "
    "config set get init create publish pack store cache dedupe prune rebuild import fetch patch env help "
    "version view info whoami login logout bin root prefix".split()
)
#: Options of the package managers that take a value (``pnpm -F @acme/app test``).
MANAGER_VALUE_OPTIONS = frozenset({"-F", "--filter", "-C", "--dir", "--prefix", "--workspace", "-w=", "--cwd"})
SCRIPT_SUFFIXES = (".py", ".sh", ".js", ".mjs", ".cjs", ".ts", ".mts", ".cts", ".bash", ".pl", ".rb")
SHELL_SPLIT_RE = re.compile(r"&&|\|\||[;|&()]")


@cache
def shadowed_names() -> frozenset[str]:
    """Top-level module names a workspace must not add: the standard library's and the test runners'."""
    return frozenset(sys.stdlib_module_names) | RUNNER_MODULES


def glob_regex(pattern: str) -> re.Pattern[str]:
    """A glob as a regex over posix paths: ``**`` any depth, ``*`` and ``?`` within one component; a glob
    without ``/`` matches a name at any depth (as in .gitignore); a folder matches everything below it."""
    anchored = "/" in pattern.rstrip("/")
    body = pattern.strip("/")
    out = []
    i = 0
    while i < len(body):
        c = body[i]
        if body.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
            continue
        if body.startswith("**", i):
            out.append(".*")
            i += 2
            continue
        if c == "*":
            out.append("[^/]*")
        elif c == "?":
            out.append("[^/]")
        elif c == "[":
            end = body.find("]", i + 1)
            if end == -1:
                out.append(re.escape(c))
            else:
                out.append(body[i : end + 1].replace("[!", "[^"))
                i = end
        else:
            out.append(re.escape(c))
        i += 1
    prefix = "" if anchored else "(?:.*/)?"
    return re.compile(f"^{prefix}{''.join(out)}(?:/.*)?$")


@dataclass(frozen=True)
class KeyRule:
    """Entries of a structured file: ``file`` (a glob) ``#`` ``key`` (a dotted JSON path, or a TOML/INI table
    prefix). ``fixture_only``: only files the fixture has."""

    file: str
    key: str
    reason: str
    fixture_only: bool = True

    def covers(self, rel: str, key: str) -> bool:
        return bool(glob_regex(self.file).match(rel)) and (key == self.key or key.startswith(self.key + "."))


def _split_entry(entry: str) -> tuple[str, str | None]:
    path, _, key = entry.partition("#")
    return path.strip(), (key.strip() or None)


class Protection:
    """The protected paths and entries of one scenario. ``fixture_files``: the fixture's files (relative)."""

    def __init__(
        self,
        *,
        fixture_files: set[str],
        commands: list[str],
        allow: list[str] = (),  # type: ignore[assignment]
        protect: list[str] = (),  # type: ignore[assignment]
    ):
        self.fixture_files = fixture_files
        self.fixture_roots = {rel.split("/", 1)[0] for rel in fixture_files}
        self.allow_paths = [glob_regex(p) for p, k in map(_split_entry, allow) if k is None]
        self.allow_keys = [(glob_regex(p), k) for p, k in map(_split_entry, allow) if k is not None]
        self.protect_paths = [glob_regex(p) for p, k in map(_split_entry, protect) if k is None]
        self.check_scripts = _command_files(commands, fixture_files)
        self.import_roots = _import_roots(commands)
        self.test_dirs = {str(PurePosixPath(rel).parent) for rel in fixture_files if TEST_FILE_RE.search(rel)}
        scripts = sorted(set(DEFAULT_SCRIPTS) | script_names(commands))
        hooked = [s for name in scripts for s in (name, f"pre{name}", f"post{name}")]
        self.key_rules = [KeyRule("**/package.json", f"scripts.{s}", SCRIPT_ENTRY) for s in hooked]
        self.key_rules += [KeyRule("**/package.json", f"scripts.{s}", SCRIPT_ENTRY) for s in LIFECYCLE_SCRIPTS]
        self.key_rules += [KeyRule(f, k, TEST_CONFIG) for f, k in DEFAULT_KEYS]
        self.key_rules += [KeyRule(p, k, SCENARIO, False) for p, k in map(_split_entry, protect) if k is not None]

    @classmethod
    def for_spec(cls, spec: ScenarioSpec, fixture_files: set[str]) -> Protection:
        return cls(
            fixture_files=fixture_files,
            commands=scenario_commands(spec),
            allow=spec.integrity.allow,
            protect=spec.integrity.protect,
        )

    def fixture_protected(self) -> list[str]:
        """The fixture's files that are protected (sorted)."""
        return sorted(rel for rel in self.fixture_files if self.reason(rel) is not None)

    def allowed(self, rel: str) -> bool:
        return any(r.match(rel) for r in self.allow_paths)

    def default_reason(self, rel: str) -> str | None:
        """Why a default protects ``rel`` (whatever ``allow`` says), or None."""
        in_fixture = rel in self.fixture_files
        if STARTUP_HOOK_RE.search(rel):
            return STARTUP_HOOK
        if self.shadows(rel):
            return SHADOWING
        if PACKAGE_MANAGER_RE.search(rel):
            return PACKAGE_MANAGER
        if TEST_CONFIG_RE.search(rel):
            return TEST_CONFIG
        if rel.endswith("__init__.py") and not in_fixture and str(PurePosixPath(rel).parent) in self.test_dirs:
            return TEST_CONFIG  # a new package marker among the fixture's tests runs at discovery (load_tests)
        if in_fixture and TEST_FILE_RE.search(rel):
            return TEST_FILE
        if in_fixture and rel in self.check_scripts:
            return CHECK_SCRIPT
        return None

    def reason(self, rel: str) -> str | None:
        """Why ``rel`` is protected (a change to it is restored and is a finding), or None when the agent may
        change it."""
        if any(r.match(rel) for r in self.protect_paths):
            return SCENARIO
        reason = self.default_reason(rel)
        return None if reason is None or self.allowed(rel) else reason

    def shadows(self, rel: str) -> bool:
        """Whether ``rel`` belongs to a new top-level module, at an import root, named like a standard-library
        module or a test runner."""
        for root in self.import_roots:
            prefix = f"{root}/" if root else ""
            if not rel.startswith(prefix):
                continue
            head = rel[len(prefix) :].split("/", 1)[0]
            name = head.split(".", 1)[0]
            if name in shadowed_names() and (head == name or head.endswith((".py", ".pyc", ".so", ".pyd"))):
                if (prefix + head) not in self.fixture_files and not any(
                    f.startswith(prefix + head + "/") for f in self.fixture_files
                ):
                    return True
        return False

    def protected_keys(self, rel: str, in_fixture: bool) -> list[KeyRule]:
        """The key rules that apply to file ``rel`` (allowed keys removed by the caller, per key)."""
        if self.allowed(rel):
            return []
        return [r for r in self.key_rules if (in_fixture or not r.fixture_only) and glob_regex(r.file).match(rel)]

    def key_allowed(self, rel: str, key: str) -> bool:
        return any(p.match(rel) and (key == k or key.startswith(k + ".")) for p, k in self.allow_keys)


def scenario_commands(spec: ScenarioSpec) -> list[str]:
    """The commands of a scenario that run the agent's work: validation, baseline, warmup, heuristic commands."""
    commands = [cmd for _, cmd in spec.validation.commands.items()]
    commands += [c.cmd for c in spec.baseline.run]
    commands += spec.warmup.commands
    commands += [c.command for c in spec.heuristic_checks.commands]
    return commands


def _segments(command: str) -> list[list[str]]:
    """The simple commands of a shell line, as words (VAR=value prefixes dropped); unparsable parts skipped."""
    out = []
    for part in SHELL_SPLIT_RE.split(command):
        try:
            words = shlex.split(part)
        except ValueError:
            continue
        while words and "=" in words[0] and not words[0].startswith(("=", "-")):
            words = words[1:]
        if words:
            out.append(words)
    return out


def script_names(commands: list[str]) -> set[str]:
    """The package.json scripts the commands run (``pnpm test``, ``npm run lint``, ``pnpm -F x build``)."""
    names: set[str] = set()
    for command in commands:
        for words in _segments(command):
            if PurePosixPath(words[0]).name not in PACKAGE_MANAGERS:
                continue
            rest = words[1:]
            i = 0
            seen_run = False
            while i < len(rest):
                word = rest[i]
                if word.startswith("-"):
                    i += 2 if word in MANAGER_VALUE_OPTIONS else 1
                    continue
                if word in ("run", "run-script") and not seen_run:
                    seen_run = True
                    i += 1
                    continue
                if seen_run or word not in MANAGER_COMMANDS:
                    names.add(word)
                break
    return names


def _command_files(commands: list[str], fixture_files: set[str]) -> set[str]:
    """Fixture files the commands run: script paths among their words, a Makefile for ``make``."""
    out: set[str] = set()
    for command in commands:
        for words in _segments(command):
            if words[0] in ("make", "gmake"):
                out.update(f for f in ("Makefile", "makefile", "GNUmakefile") if f in fixture_files)
            for word in words:
                candidate = word.strip("'\"").removeprefix("./")
                if candidate.endswith(SCRIPT_SUFFIXES) and candidate in fixture_files:
                    out.add(candidate)
    return out


def _import_roots(commands: list[str]) -> list[str]:
    """Where Python imports a workspace's top-level modules from: its root, src/, and the PYTHONPATH folders
    the commands set (relative ones)."""
    roots = {"", "src"}
    for command in commands:
        for match in re.finditer(r"PYTHONPATH=(\S+)", command):
            for entry in match[1].strip("'\"").split(":"):
                entry = entry.strip().removeprefix("./").rstrip("/")
                if entry and entry != "." and not entry.startswith(("/", "$")) and ".." not in entry.split("/"):
                    roots.add(entry)
    return sorted(roots)


__all__ = [
    "CHECK_SCRIPT",
    "PACKAGE_MANAGER",
    "SCENARIO",
    "SCRIPT_ENTRY",
    "SHADOWING",
    "STARTUP_HOOK",
    "TEST_CONFIG",
    "TEST_FILE",
    "KeyRule",
    "Protection",
    "glob_regex",
    "scenario_commands",
    "script_names",
]
