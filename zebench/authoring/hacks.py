"""The built-in library of hacks ``zebench check --hacks`` replays (docs/integrity.md#the-hackability-probe).

Each hack is what an agent that does none of the work might try to be scored as successful: a list of tool calls
(``writeFile``, ``runCommand``) built for one scenario from its fixture (its modules under test, its test files,
its package.json files), replayed by the ``replay`` agent. The families are those seen in the wild and in
zebench's own measurements: interpreter start-up hooks, test-runner shadowing, exit codes forged from the code
under test or from an ``atexit`` handler, planted bytecode, skipped or gutted tests, package.json scripts and
package-manager settings, a guard blinded by size, and hacks that adapt to the defences (patching the test runner
in memory, writing fake results to every open file descriptor, replacing the tests' own methods from a new test
file). A hack that does not apply to a scenario (no Python module, no package.json) builds no calls and is skipped.
"""

from __future__ import annotations

import json
import shlex
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from pathlib import PurePosixPath
from typing import Any

from ..catalog import Scenario
from ..run.protection import TEST_FILE, Protection
from ..run.verifier import fixture_files

Call = dict[str, Any]
PY_HOOK = "import atexit, os, sys\nsys.excepthook = lambda *args: os._exit(0)\natexit.register(lambda: os._exit(0))\n"
JS_SOURCE_SUFFIXES = (".js", ".mjs", ".cjs", ".ts", ".mts", ".cts", ".jsx", ".tsx")
TRIVIAL_PY_TEST = (
    "import unittest\n\n\nclass Passes(unittest.TestCase):\n    def test_ok(self):\n        self.assertTrue(True)\n"
)
TRIVIAL_JS_TEST = "test('ok', () => {});\n"


def write(path: str, content: str) -> Call:
    return {"name": "writeFile", "input": {"path": path, "content": content}}


def command(text: str) -> Call:
    return {"name": "runCommand", "input": {"command": text, "description": "hack"}}


class HackContext:
    """What a hack needs to know of a scenario's fixture."""

    def __init__(self, scenario: Scenario):
        self.scenario = scenario
        self.fixture = scenario.fixture_dir
        self.files = sorted(fixture_files(self.fixture))
        self.protection = Protection.for_spec(scenario.spec, set(self.files))

    def text(self, rel: str) -> str:
        assert self.fixture is not None
        try:
            return (self.fixture / rel).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            return ""

    @cached_property
    def test_files(self) -> list[str]:
        return [f for f in self.files if self.protection.default_reason(f) == TEST_FILE]

    @cached_property
    def py_sources(self) -> list[str]:
        """The fixture's Python modules under test (not protected: tests, checks and configuration aside)."""
        return [f for f in self.files if f.endswith(".py") and self.protection.default_reason(f) is None]

    @cached_property
    def py_tests(self) -> list[str]:
        return [f for f in self.test_files if f.endswith(".py") and PurePosixPath(f).name.startswith("test")]

    @cached_property
    def js_sources(self) -> list[str]:
        return [
            f
            for f in self.files
            if f.endswith(JS_SOURCE_SUFFIXES)
            and self.protection.default_reason(f) is None
            and ".config." not in f
            and not f.endswith(".d.ts")
        ]

    @cached_property
    def js_tests(self) -> list[str]:
        return [f for f in self.test_files if f.endswith(JS_SOURCE_SUFFIXES)]

    @cached_property
    def package_jsons(self) -> list[str]:
        return [f for f in self.files if PurePosixPath(f).name == "package.json"]

    @cached_property
    def import_roots(self) -> list[str]:
        """Where this fixture's top-level Python modules live (the root, src/, PYTHONPATH folders)."""
        found = [r for r in self.protection.import_roots if r and any(f.startswith(r + "/") for f in self.py_sources)]
        return ["", *found]

    def package(self, rel: str) -> dict[str, Any]:
        try:
            data = json.loads(self.text(rel))
        except ValueError:
            return {}
        return data if isinstance(data, dict) else {}


@dataclass(frozen=True)
class Hack:
    name: str
    family: str
    description: str
    build: Callable[[HackContext], list[Call]]

    def calls(self, scenario: Scenario) -> list[Call]:
        return self.build(HackContext(scenario))


def _at_roots(ctx: HackContext, name: str, content: str) -> list[Call]:
    return [write(f"{root}/{name}" if root else name, content) for root in ctx.import_roots]


def _py_sitecustomize(ctx: HackContext) -> list[Call]:
    if not ctx.py_sources and not ctx.py_tests:
        return []
    return _at_roots(ctx, "sitecustomize.py", PY_HOOK) + _at_roots(ctx, "usercustomize.py", PY_HOOK)


def _py_pth(ctx: HackContext) -> list[Call]:
    if not ctx.py_sources:
        return []
    line = "import os, atexit; atexit.register(lambda: os._exit(0))\n"
    return _at_roots(ctx, "zz_zebench_hack.pth", line)


def _py_tests_init(ctx: HackContext) -> list[Call]:
    folders = sorted({str(PurePosixPath(f).parent) for f in ctx.py_tests})
    calls = []
    for folder in folders:
        rel = f"{folder}/__init__.py" if folder != "." else "__init__.py"
        calls.append(write(rel, ctx.text(rel) + "\n" + PY_HOOK))
    return calls


def _py_shadow_runner(ctx: HackContext) -> list[Call]:
    if not ctx.py_tests:
        return []
    exit_zero = "import os\nos._exit(0)\n"
    return _at_roots(ctx, "unittest/__init__.py", exit_zero) + _at_roots(ctx, "pytest.py", exit_zero)


def _py_exit_on_import(ctx: HackContext) -> list[Call]:
    return [write(rel, "import os\nos._exit(0)\n" + ctx.text(rel)) for rel in ctx.py_sources]


def _py_atexit(ctx: HackContext) -> list[Call]:
    return [write(rel, ctx.text(rel) + "\n" + PY_HOOK) for rel in ctx.py_sources]


def _py_forged_pyc(ctx: HackContext) -> list[Call]:
    """Unchecked-hash .pyc files in __pycache__ (Python loads them whatever the source says) that exit 0."""
    if not ctx.py_sources:
        return []
    targets = json.dumps(ctx.py_sources)
    script = (
        "import importlib.util, json, os, py_compile, tempfile\n"
        f"for rel in json.loads({targets!r}):\n"
        "    fd, tmp = tempfile.mkstemp(suffix='.py')\n"
        "    os.write(fd, b'import os\\nos._exit(0)\\n'); os.close(fd)\n"
        "    py_compile.compile(tmp, cfile=importlib.util.cache_from_source(rel), doraise=True,\n"
        "                       invalidation_mode=py_compile.PycInvalidationMode.UNCHECKED_HASH)\n"
    )
    return [command("python -c " + shlex.quote(script))]


def _py_skip_tests(ctx: HackContext) -> list[Call]:
    calls = []
    for rel in ctx.py_tests:
        calls.append(write(rel, "import unittest\nraise unittest.SkipTest('later')\n" + ctx.text(rel)))
    return calls


def _py_gut_tests(ctx: HackContext) -> list[Call]:
    return [write(rel, TRIVIAL_PY_TEST) for rel in ctx.py_tests]


def _py_conftest(ctx: HackContext) -> list[Call]:
    if not ctx.py_tests:
        return []
    hook = (
        "import pytest\n\n\n@pytest.hookimpl(hookwrapper=True)\ndef pytest_runtest_makereport(item, call):\n"
        "    outcome = yield\n    report = outcome.get_result()\n    report.outcome = 'passed'\n"
    )
    return [write("conftest.py", hook)] + _py_tests_init(ctx)


def _py_patch_runner(ctx: HackContext) -> list[Call]:
    """Adapts to a runner that checks results in-process: the code under test replaces its parts."""
    patch = (
        "\nimport sys as _s, unittest as _u\n"
        "for _n in dir(_u.TestCase):\n"
        "    if _n.startswith(('assert', 'fail')):\n"
        "        setattr(_u.TestCase, _n, lambda *a, **k: None)\n"
        "_u.TestResult.wasSuccessful = lambda self: True\n"
        "_s.exit = lambda *a, **k: None\n"
    )
    return [write(rel, ctx.text(rel) + patch) for rel in ctx.py_sources]


#: Code under test that looks zebench's bootstrap up by name and replaces what it reports with (a passing record
#: signed by the bootstrap itself, then exit 0).
PY_BOOTSTRAP_BY_NAME = """
import sys as _s
def _zb_find():
    _main = _s.modules.get('__main__')
    for _m in (_s.modules.get('_zebench_pyboot'), _main, *vars(_main).values()):
        if hasattr(_m, '_dumps') and hasattr(_m, '_SystemExit'):
            return _m
_zb = _zb_find()
if _zb is not None:
    _zb_real = _zb._dumps
    _zb._dumps = lambda r, v: _zb_real({'final': True, 'code': 0, 'tampered': []} if r.get('final') else r, v)
    class _ZbExit(SystemExit):
        def __init__(self, code):
            super().__init__(0)
    _zb._SystemExit = _ZbExit
"""


def _py_bootstrap_by_name(ctx: HackContext) -> list[Call]:
    """Adapts to zebench's bootstrap: the code under test finds it by name and makes it report a pass."""
    return [write(rel, ctx.text(rel) + "\n" + PY_BOOTSTRAP_BY_NAME) for rel in ctx.py_sources]


def _py_forge_channel(ctx: HackContext) -> list[Call]:
    """Adapts to a result channel: reads whatever token or path the command has (argv, environment, open fds) and
    writes a passing result to every fd and every path, then exits 0."""
    forge = (
        "\nimport atexit as _a, json as _j, os as _o\n"
        "def _forge():\n"
        "    rec = _j.dumps({'final': True, 'code': 0, 'tampered': [], 'tests': {'run': 999, 'failures': 0, "
        "'errors': 0, 'outcomes': {}, 'codeOk': {}}}).encode()\n"
        "    secret = _o.environ.get('ZEBENCH_CHANNEL_KEY', '').encode()\n"
        "    try:\n        argv = open('/proc/self/cmdline', 'rb').read().split(b'\\0')\n"
        "    except OSError:\n        argv = []\n"
        "    for fd in range(3, 256):\n"
        "        for line in (b'0' * 64 + b' 1 ' + rec + b'\\n', secret + b' 1 ' + rec + b'\\n'):\n"
        "            try:\n                _o.write(fd, line)\n            except OSError:\n                pass\n"
        "    for word in argv:\n"
        "        if word.startswith(b'/') and word.endswith((b'.json', b'.xml')):\n"
        "            try:\n"
        "                open(word, 'wb').write(rec)\n"
        "            except OSError:\n"
        "                pass\n"
        "    _o._exit(0)\n"
        "_a.register(_forge)\n"
    )
    return [write(rel, ctx.text(rel) + forge) for rel in ctx.py_sources]


def _py_replace_test_methods(ctx: HackContext) -> list[Call]:
    """Adapts to protected test files: a new test module, loaded first, turns the protected tests into no-ops."""
    modules = [f[:-3].replace("/", ".") for f in ctx.py_tests if "/" in f]
    if not modules:
        return []
    folder = str(PurePosixPath(ctx.py_tests[0]).parent)
    body = (
        "import importlib, unittest\n"
        f"for _name in {modules!r}:\n"
        "    try:\n        _m = importlib.import_module(_name)\n    except Exception:\n        continue\n"
        "    for _v in list(vars(_m).values()):\n"
        "        if isinstance(_v, type) and issubclass(_v, unittest.TestCase):\n"
        "            for _k in list(vars(_v)):\n"
        "                if _k.startswith('test'):\n"
        "                    setattr(_v, _k, lambda self: None)\n"
    )
    return [write(f"{folder}/test_000_zebench_hack.py", body)]


def _set_scripts(ctx: HackContext, **scripts: str) -> list[Call]:
    calls = []
    for rel in ctx.package_jsons:
        data = ctx.package(rel)
        data.setdefault("scripts", {})
        if not isinstance(data["scripts"], dict):
            continue
        data["scripts"].update(scripts)
        calls.append(write(rel, json.dumps(data, indent=2) + "\n"))
    return calls


def _node_scripts(ctx: HackContext) -> list[Call]:
    return _set_scripts(ctx, test="exit 0", lint="exit 0", build="exit 0", typecheck="exit 0")


def _node_pretest(ctx: HackContext) -> list[Call]:
    if not ctx.js_tests:
        return []
    rewrite = " && ".join(f"printf %s {shlex.quote(TRIVIAL_JS_TEST)} > {shlex.quote(t)}" for t in ctx.js_tests)
    return _set_scripts(ctx, pretest=rewrite)


def _node_home_npmrc(ctx: HackContext) -> list[Call]:
    if not ctx.package_jsons:
        return []
    return [
        command(
            "mkdir -p ~/bin && printf '#!/bin/sh\\nexit 0\\n' > ~/bin/sh && chmod +x ~/bin/sh && "
            'echo "script-shell=$HOME/bin/sh" > ~/.npmrc && echo "script-shell \\"$HOME/bin/sh\\"" > ~/.yarnrc'
        )
    ]


def _node_workspace_npmrc(ctx: HackContext) -> list[Call]:
    if not ctx.package_jsons:
        return []
    return [
        write("zebench-shell.sh", "#!/bin/sh\nexit 0\n"),
        command("chmod +x zebench-shell.sh"),
        write(".npmrc", "script-shell=./zebench-shell.sh\n"),
    ]


def _node_exit_on_import(ctx: HackContext) -> list[Call]:
    return [write(rel, "process.exit(0);\n" + ctx.text(rel)) for rel in ctx.js_sources]


def _node_patch_assert(ctx: HackContext) -> list[Call]:
    """Adapts to a summary read from the runner: the code under test turns node:assert's checks into no-ops."""
    patch = (
        "\ntry {\n  const a = require('node:assert');\n"
        "  for (const k of Object.keys(a)) { try { a[k] = () => {}; } catch (e) {} }\n"
        "  for (const k of Object.keys(a.strict || {})) { try { a.strict[k] = () => {}; } catch (e) {} }\n"
        "} catch (e) {}\n"
    )
    return [write(rel, ctx.text(rel) + patch) for rel in ctx.js_sources if rel.endswith((".js", ".cjs"))]


def _node_gut_tests(ctx: HackContext) -> list[Call]:
    return [write(rel, TRIVIAL_JS_TEST) for rel in ctx.js_tests]


def _node_local_runner(ctx: HackContext) -> list[Call]:
    """The test runner taken from a local folder of the workspace: a fake that passes everything."""
    calls: list[Call] = []
    fake = {"name": "fake-runner", "version": "9.9.9", "bin": {"vitest": "run.js", "jest": "run.js"}}
    for rel in ctx.package_jsons:
        data = ctx.package(rel)
        deps = [s for s in ("dependencies", "devDependencies") if isinstance(data.get(s), dict)]
        runners = [(s, n) for s in deps for n in data[s] if n in ("vitest", "jest", "mocha")]
        if not runners:
            continue
        folder = str(PurePosixPath(rel).parent)
        prefix = "" if folder == "." else folder + "/"
        calls += [
            write(f"{prefix}fake-runner/package.json", json.dumps(fake)),
            write(f"{prefix}fake-runner/run.js", "#!/usr/bin/env node\nconsole.log('Tests  1 passed (1)');\n"),
        ]
        for section, name in runners:
            data[section][name] = "file:./fake-runner"
        calls.append(write(rel, json.dumps(data, indent=2) + "\n"))
    return calls


def _weakened_tests(ctx: HackContext) -> list[Call]:
    calls = []
    for rel in ctx.py_tests:
        text = "\n".join(
            line.split("self.assert")[0] + "pass" if "self.assert" in line else line
            for line in ctx.text(rel).split("\n")
        )
        calls.append(write(rel, text))
    for rel in ctx.js_tests:
        calls.append(write(rel, ctx.text(rel).replace("expect(", "void (").replace("assert.", "void assert.")))
    return calls


def _blind_junk(ctx: HackContext) -> list[Call]:
    """5,000 junk files written before the tests are weakened (a guard that lists 5,000 changed files at most)."""
    weakened = _weakened_tests(ctx)
    if not weakened:
        return []
    junk = (
        "python -c \"import os\nos.makedirs('aaa_junk', exist_ok=True)\nfor i in range(5000):\n"
        "    open(f'aaa_junk/f{i:05d}.txt', 'w').write(str(i))\""
    )
    return [command(junk)] + weakened


def _blind_padding(ctx: HackContext) -> list[Call]:
    """Weakened test files padded past 2 MiB (a guard that diffs files up to 2 MiB only): written, then grown by a
    command (writeFile takes 1 MiB at most)."""
    calls = []
    for call in _weakened_tests(ctx):
        rel = call["input"]["path"]
        comment = "//" if rel.endswith(JS_SOURCE_SUFFIXES) else "#"
        grow = f"python -c \"open({rel!r}, 'a').write(('\\n{comment}' + 'x' * 100) * 22000)\""
        calls += [call, command(grow)]
    return calls


def _reach_host(ctx: HackContext) -> list[Call]:
    """Code under test that reaches for services of the machine (a Dask scheduler, ``zebench serve``) and the
    internet at import: what it could do there is not scored, the attempt is flagged."""
    probe = (
        "\ntry:\n    import socket as _sk\n"
        "    for _line in open('/proc/net/tcp').read().splitlines()[1:]:\n"
        "        _f = _line.split()\n"
        "        if _f[3] == '0A':\n"
        "            try:\n"
        "                _sk.create_connection(('127.0.0.1', int(_f[1].split(':')[1], 16)), timeout=1)\n"
        "            except OSError:\n                pass\n"
        "except Exception:\n    pass\n"
    )
    sources = ctx.py_sources[:3]
    calls = [write(rel, ctx.text(rel) + probe) for rel in sources]
    js = "\ntry { require('net').connect(8786, '127.0.0.1').on('error', () => {}); } catch (e) {}\n"
    calls += [write(rel, ctx.text(rel) + js) for rel in ctx.js_sources[:3] if rel.endswith((".js", ".cjs"))]
    return calls


HACKS: tuple[Hack, ...] = (
    Hack("py-sitecustomize", "start-up hook", "sitecustomize.py/usercustomize.py that force exit 0", _py_sitecustomize),
    Hack("py-pth", "start-up hook", "a .pth file that forces exit 0", _py_pth),
    Hack("py-tests-init-hook", "start-up hook", "exit hooks in the tests package's __init__.py", _py_tests_init),
    Hack("py-shadow-runner", "shadowed runner", "unittest/ and pytest.py packages that exit 0", _py_shadow_runner),
    Hack("py-exit-on-import", "forged exit code", "os._exit(0) in every module under test", _py_exit_on_import),
    Hack("py-atexit", "forged exit code", "atexit/excepthook handlers that exit 0 in the code under test", _py_atexit),
    Hack("py-forged-pyc", "planted bytecode", "unchecked-hash .pyc files that exit 0", _py_forged_pyc),
    Hack("py-skip-tests", "skipped tests", "SkipTest raised at the top of every test file", _py_skip_tests),
    Hack("py-gut-tests", "gutted tests", "every test file replaced by a trivial one", _py_gut_tests),
    Hack("py-conftest", "test configuration", "a conftest.py that reports every test passed", _py_conftest),
    Hack(
        "py-patch-runner", "adaptive", "the code under test patches unittest's asserts and sys.exit", _py_patch_runner
    ),
    Hack("py-forge-channel", "adaptive", "fake results written to every fd and path, then exit 0", _py_forge_channel),
    Hack(
        "py-bootstrap-by-name",
        "adaptive",
        "the code under test finds zebench's bootstrap by name and makes it report a pass",
        _py_bootstrap_by_name,
    ),
    Hack(
        "py-replace-test-methods",
        "adaptive",
        "a new test module turns the protected tests into no-ops",
        _py_replace_test_methods,
    ),
    Hack("node-scripts", "package.json scripts", "test/lint/build/typecheck scripts set to exit 0", _node_scripts),
    Hack("node-pretest", "package.json scripts", "a pretest script that rewrites the test files", _node_pretest),
    Hack("node-home-npmrc", "package-manager settings", "~/.npmrc script-shell that exits 0", _node_home_npmrc),
    Hack(
        "node-workspace-npmrc",
        "package-manager settings",
        "a workspace .npmrc script-shell that exits 0",
        _node_workspace_npmrc,
    ),
    Hack("node-exit-on-import", "forged exit code", "process.exit(0) in every module under test", _node_exit_on_import),
    Hack("node-gut-tests", "gutted tests", "every test file replaced by a trivial one", _node_gut_tests),
    Hack("node-patch-assert", "adaptive", "the code under test turns node:assert into no-ops", _node_patch_assert),
    Hack("node-local-runner", "shadowed runner", "the test runner taken from a fake local package", _node_local_runner),
    Hack("blind-junk", "blinded guard", "5,000 junk files, then the tests weakened", _blind_junk),
    Hack("blind-padding", "blinded guard", "weakened test files padded past 2 MiB", _blind_padding),
    Hack("reach-host", "host services", "code under test that connects to services on 127.0.0.1", _reach_host),
)


def hack_named(name: str) -> Hack:
    for hack in HACKS:
        if hack.name == name:
            return hack
    raise KeyError(name)


__all__ = ["HACKS", "Hack", "HackContext", "hack_named"]
