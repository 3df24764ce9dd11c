"""zebench's start-up of a Python command that scores a run: isolated, and reporting through a channel.

Run inside the sandbox (standard library only) as ``python -I -B [options] -c STUB FD MODE -- ARGS``, where STUB
imports this file from a private copy whose bytecode zebench compiled (channel.bootstrap_argv), and
ARGS is what followed the interpreter's options in the scenario's command (``-m unittest discover ...``,
``-c CODE``, ``script.py args``). ``-I`` keeps files of the workspace from hooking the interpreter (no
sitecustomize or usercustomize from PYTHONPATH, no user site); this file then builds the import path the command
would have had (the script's folder or the working directory, then PYTHONPATH), after importing the test runner
and what it reports with, so a workspace module cannot shadow them.

FD is one end of a socket pair whose other end zebench holds outside the sandbox. zebench writes a random key and
a configuration (marshal) into it before the command starts; this file reads them before any code of the
workspace runs, keeps the key only inside an HMAC object, and writes every record it sends as ``MAC SEQ LENGTH``
and a body (marshal). Code of the
workspace running in this process could find the socket, but not write a record zebench accepts without
digging the HMAC object out of this module's memory (docs/integrity.md says what that leaves).

MODE ``run`` runs the command; its last record holds the exit status it decided on, every test's outcome (for
``-m unittest`` and ``-m pytest``), whether each test method is still the code of its protected test file, and
which parts of the test runner, ``sys`` and ``builtins`` were replaced while it ran. zebench compares that with
the real exit status: an exit code changed after the record (``atexit``, ``os._exit`` in a thread) or a record
that never came is a forged result. MODE ``collect`` lists the tests the protected test files define
(``-m unittest`` arguments), loading only those files: every other module of the workspace is a stub that is
never executed.
"""

from __future__ import annotations

# Names used below are bound before anything of the workspace can run (it may replace module attributes later).
# Only modules that are cheap to import, or that the interpreter already loaded: every scoring command starts
# here, and the bootstrap's own start-up is the cost of verification (docs/performance.md, "Verifier"). Records go
# out with marshal (built in) rather than json (which imports re), the MAC is computed with the interpreter's own
# SHA-256 module rather than hashlib (which loads OpenSSL), and an uncaught exception is printed by the
# interpreter's own display rather than the traceback module.
import builtins
import io
import marshal
import os
import sys
import types
from collections.abc import Iterator, Sequence
from importlib.machinery import ModuleSpec, PathFinder

try:  # Python 3.12 and later
    from _sha2 import sha256 as _sha256  # type: ignore[import-not-found,unused-ignore]
except ImportError:
    try:
        from _sha256 import sha256 as _sha256  # type: ignore[import-not-found,no-redef,unused-ignore]
    except ImportError:  # an interpreter built without it
        from hashlib import sha256 as _sha256  # type: ignore[no-redef,unused-ignore]

TYPE_CHECKING = False  # typing costs an import of its own; mypy reads this name as typing's
if TYPE_CHECKING:
    import runpy
    import unittest
    from importlib.abc import Loader as _LoaderBase
    from typing import Any
else:  # a loader needs only its methods: importlib.abc costs an import of its own
    _LoaderBase = object

#: marshal's format that every Python 3 since 3.4 reads (zebench and the command's interpreter may differ).
MARSHAL_VERSION = 4

# What this file calls once the workspace's code has run is bound now: the code under test may replace module
# attributes and builtins (marshal.dumps returning a forged record, vars() hiding a replaced function).
_os_exit = os._exit
_os_write = os.write
_realpath = os.path.realpath
_dumps = marshal.dumps
_SystemExit = SystemExit
_excepthook = sys.__excepthook__
_callable, _vars, _sorted, _isinstance, _getattr = callable, vars, sorted, isinstance, getattr
_str, _int, _float, _dict_items = str.__str__, int.__int__, float.__float__, dict.items


def _plain(value: Any) -> Any:
    """``value`` as what marshal writes and zebench reads back: dicts with text keys, lists, text, numbers,
    booleans, None (anything else as its text, as json's ``default=str`` did)."""
    kind = type(value)
    if value is None or kind is bool or kind is str or kind is int or kind is float:
        return value
    if _isinstance(value, dict):
        return {_plain_key(k): _plain(v) for k, v in _dict_items(value)}
    if _isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if _isinstance(value, str):
        return _str(value)
    if _isinstance(value, int):
        return _int(value)
    if _isinstance(value, float):
        return _float(value)
    try:
        return _str(str(value))
    except Exception:
        return "<unrepresentable>"


def _plain_key(key: Any) -> str:
    plain = _plain(key)
    return plain if type(plain) is str else _str(str(plain))


class _Hmac:
    """HMAC-SHA256 (RFC 2104) over the interpreter's own SHA-256: the same digests as ``hmac.new(key, msg,
    hashlib.sha256)``, which zebench checks them with, without hashlib's import."""

    def __init__(self, key: bytes) -> None:
        if len(key) > 64:
            key = _sha256(key).digest()
        key = key.ljust(64, b"\0")
        self._inner = _sha256(bytes(b ^ 0x36 for b in key))
        self._outer = _sha256(bytes(b ^ 0x5C for b in key))

    def hexdigest(self, message: bytes) -> str:
        inner = self._inner.copy()
        inner.update(message)
        outer = self._outer.copy()
        outer.update(inner.digest())
        return str(outer.hexdigest())


class _Channel:
    # Raw reads and writes on the socket's fd: the socket module costs tens of milliseconds to import.
    def __init__(self, fd: int) -> None:
        self._fd = fd
        os.set_inheritable(fd, False)
        key = self._recv_exactly(32)
        size = int.from_bytes(self._recv_exactly(4), "big")
        self.config: dict[str, Any] = marshal.loads(self._recv_exactly(size)) if size else {}
        self._mac = _Hmac(key)
        del key
        self._seq = 0

    def _recv_exactly(self, n: int) -> bytes:
        data = b""
        while len(data) < n:
            chunk = os.read(self._fd, n - len(data))
            if not chunk:
                raise OSError("the channel closed")
            data += chunk
        return data

    def send(self, record: dict[str, Any]) -> None:
        """One record as ``MAC SEQ LENGTH\\n`` and LENGTH bytes of marshal; the MAC covers ``SEQ BODY``."""
        self._seq += 1
        body = _dumps(_plain(record), MARSHAL_VERSION)
        mac = self._mac.hexdigest(b"%d " % self._seq + body)
        view = memoryview(b"%s %d %d\n" % (mac.encode(), self._seq, len(body)) + body)
        while view:
            view = view[_os_write(self._fd, view) :]


# -- what must not change while the command runs --------------------------------------------------------------


_RUNNER_MODULES = (
    "unittest",
    "unittest.case",
    "unittest.result",
    "unittest.suite",
    "unittest.loader",
    "unittest.runner",
)


def _import_runner() -> None:
    """The test runner, imported before the workspace joins sys.path (a workspace module cannot shadow it), for the
    commands that run it (``-m unittest``, ``-m pytest``, collecting): importing it costs more than many a check
    script takes to run, so other commands do not (docs/performance.md, "Verifier")."""
    global unittest
    import unittest
    import unittest.case
    import unittest.loader
    import unittest.main
    import unittest.result
    import unittest.runner
    import unittest.suite
    import unittest.util


def _import_runpy() -> None:
    """runpy, for the commands that run a module or a script (its imports cost about 10 ms): imported, like the
    test runner, before the workspace joins sys.path."""
    global runpy
    import runpy


def _watched_modules() -> list[types.ModuleType]:
    # unittest.main is the TestProgram class (it hides the submodule of that name); the runner is watched when it
    # was imported before the command ran (_import_runner)
    return [sys.modules[name] for name in (*_RUNNER_MODULES, "unittest.main") if name in sys.modules]


def _snapshot() -> dict[str, object]:
    """Every callable the test runner, sys and builtins expose (data attributes such as ``TestCase.maxDiff`` may
    change; functions and classes may not). The objects themselves are kept, and compared by identity: an id alone
    could be reused by a replacement allocated where the freed original was."""
    seen: dict[str, object] = {}
    for module in _watched_modules():
        for name, value in list(_vars(module).items()):
            if _callable(value):
                seen[f"{module.__name__}.{name}"] = value
            if _isinstance(value, type) and value.__module__ == module.__name__:
                for attr, member in list(_vars(value).items()):
                    if _callable(member) or _isinstance(member, (staticmethod, classmethod, property)):
                        seen[f"{module.__name__}.{name}.{attr}"] = member
    for name in ("exit", "excepthook", "displayhook"):
        seen[f"sys.{name}"] = _getattr(sys, name, None)
    for name in ("_exit", "write"):
        seen[f"os.{name}"] = _getattr(os, name, None)
    seen["marshal.dumps"] = marshal.dumps
    json = sys.modules.get("json")
    if json is not None:  # imported before the command ran (by a runner): what a check may report with
        seen["json.dumps"] = _getattr(json, "dumps", None)
    for name, value in list(_vars(builtins).items()):
        if _callable(value):
            seen[f"builtins.{name}"] = value
    return seen


_MISSING_NAME = object()


def _tampered(before: dict[str, object]) -> list[str]:
    after = _snapshot()
    return _sorted(name for name, value in before.items() if after.get(name, _MISSING_NAME) is not value)


def _raised_by_workspace(exc: BaseException, root: str) -> str | None:
    """The workspace file (not a protected one) whose code raised ``exc``, if its innermost frame is one."""
    tb = exc.__traceback__
    last = None
    while tb is not None:
        last = tb.tb_frame.f_code.co_filename
        tb = tb.tb_next
    if not last or last.startswith("<"):
        return None
    real = _realpath(last)
    inside = real == root or real.startswith(root + os.sep)
    return os.path.relpath(real, root) if inside and real not in _protected_files else None


# -- protected test code ------------------------------------------------------------------------------------------


def _shape(code: types.CodeType) -> tuple[Any, ...]:
    consts = tuple(_shape(c) if isinstance(c, types.CodeType) else repr(c) for c in code.co_consts)
    return (code.co_code, code.co_names, code.co_varnames, consts)


def _compiled(paths: Sequence[str]) -> dict[tuple[str, str, int], tuple[Any, ...]]:
    """(file, name, first line) -> shape of every function the protected files define, compiled here."""
    out: dict[tuple[str, str, int], tuple[Any, ...]] = {}
    for path in paths:
        try:
            with open(path, "rb") as fh:
                source = fh.read()
            top = compile(source, os.path.realpath(path), "exec", dont_inherit=True)
        except (OSError, SyntaxError, ValueError):
            continue
        stack = [top]
        while stack:
            code = stack.pop()
            out[(path, code.co_name, code.co_firstlineno)] = _shape(code)
            stack.extend(c for c in code.co_consts if isinstance(c, types.CodeType))
    return out


def _code_ok(test: Any, compiled: dict[tuple[str, str, int], tuple[Any, ...]]) -> bool | None:
    """Whether a test's method is the function its protected file defines (None: not a protected test)."""
    name = getattr(test, "_testMethodName", None)
    if name is None:
        return None
    if name in vars(test):
        return False  # shadowed on the instance
    module = sys.modules.get(type(test).__module__)
    origin = getattr(module, "__file__", None)
    protected_class = bool(origin) and os.path.realpath(str(origin)) in _protected_files
    func = next((vars(k)[name] for k in type(test).__mro__ if name in vars(k)), None)
    if func is None:  # not a class attribute (unittest's _FailedTest): fine unless the class is a protected one's
        return False if protected_class else None
    if isinstance(func, (staticmethod, classmethod)):
        func = func.__func__
    for _ in range(100):  # decorators (functools.wraps) keep the test's own function in __wrapped__
        inner = getattr(func, "__wrapped__", None)
        if inner is None:
            break
        func = inner
    code = getattr(func, "__code__", None)
    if not isinstance(code, types.CodeType):
        return False
    filename = os.path.realpath(code.co_filename)
    expected = compiled.get((filename, code.co_name, code.co_firstlineno))
    if expected is None:
        # A test of a protected file runs code of a protected file, never code defined elsewhere.
        return False if protected_class or filename in _protected_files else None
    return expected == _shape(code)


_protected_files: set[str] = set()


# -- running ------------------------------------------------------------------------------------------------------


def _set_path(mode_word: str, target: str) -> None:
    """sys.path as the command would have had it: the script's folder (or the working directory), then PYTHONPATH,
    then the interpreter's own entries."""
    first = os.path.dirname(os.path.abspath(target)) if mode_word == "script" else os.getcwd()
    extra = [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]
    sys.path[0:0] = [first] + [os.path.abspath(p) for p in extra]


def _exit_code(exc: SystemExit) -> int:
    code = exc.code
    if code is None:
        return 0
    if isinstance(code, int):
        return code
    try:
        print(code, file=sys.stderr)
    except Exception:
        pass
    return 1


class _Outcomes:
    ORDER = ("passed", "skipped", "expected_failure", "unexpected_success", "failed", "error")

    def __init__(self, compiled: dict[tuple[str, str, int], tuple[Any, ...]]) -> None:
        self.by_id: dict[str, str] = {}
        self.code_ok: dict[str, bool] = {}
        self.compiled = compiled

    def record(self, test: Any, outcome: str) -> None:
        ident = test.id() if hasattr(test, "id") else str(test)
        ident = str(ident)
        previous = self.by_id.get(ident)
        if previous is None or self.ORDER.index(outcome) > self.ORDER.index(previous):
            self.by_id[ident] = outcome
        ok = _code_ok(test, self.compiled)
        if ok is not None:
            self.code_ok[ident] = ok and self.code_ok.get(ident, True)


def _unittest_result_class(outcomes: _Outcomes) -> type[unittest.TextTestResult]:
    class Result(unittest.TextTestResult):
        def addSuccess(self, test: Any) -> None:
            super().addSuccess(test)
            outcomes.record(test, "passed")

        def addFailure(self, test: Any, err: Any) -> None:
            super().addFailure(test, err)
            outcomes.record(test, "failed")

        def addError(self, test: Any, err: Any) -> None:
            super().addError(test, err)
            outcomes.record(test, "error")

        def addSkip(self, test: Any, reason: str) -> None:
            super().addSkip(test, reason)
            outcomes.record(test, "skipped")

        def addExpectedFailure(self, test: Any, err: Any) -> None:
            super().addExpectedFailure(test, err)
            outcomes.record(test, "expected_failure")

        def addUnexpectedSuccess(self, test: Any) -> None:
            super().addUnexpectedSuccess(test)
            outcomes.record(test, "unexpected_success")

        def addSubTest(self, test: Any, subtest: Any, err: Any) -> None:
            super().addSubTest(test, subtest, err)
            if err is not None:
                failed = issubclass(err[0], test.failureException)
                outcomes.record(test, "failed" if failed else "error")

    return Result


def _run_unittest(args: list[str], outcomes: _Outcomes) -> tuple[int, dict[str, Any]]:
    result_class = _unittest_result_class(outcomes)

    class Runner(unittest.TextTestRunner):
        resultclass = result_class

    sys.argv = ["python -m unittest", *args]
    program = unittest.main(module=None, argv=sys.argv, testRunner=Runner, exit=False)
    result = program.result
    summary = {
        "run": result.testsRun,
        "failures": len(result.failures),
        "errors": len(result.errors),
        "skipped": len(result.skipped),
        "expectedFailures": len(result.expectedFailures),
        "unexpectedSuccesses": len(result.unexpectedSuccesses),
    }
    ok = not result.failures and not result.errors and not result.unexpectedSuccesses
    return (0 if ok else 1), summary


def _run_pytest(args: list[str], outcomes: _Outcomes) -> tuple[int, dict[str, Any]]:
    import pytest  # imported before the workspace joins sys.path (see main)

    class Reporter:
        def pytest_runtest_logreport(self, report: Any) -> None:
            if report.when == "call" or report.outcome != "passed":
                if report.outcome == "passed":
                    outcome = "passed"
                elif report.outcome == "skipped":
                    outcome = "skipped"
                else:
                    outcome = "failed" if report.when == "call" else "error"

                class _Test:
                    def id(self, _nodeid: str = report.nodeid) -> str:
                        return _nodeid

                outcomes.record(_Test(), outcome)

    code = int(pytest.main(list(args), plugins=[Reporter()]))
    counts = {name: sum(1 for o in outcomes.by_id.values() if o == name) for name in _Outcomes.ORDER}
    summary = {
        "run": len(outcomes.by_id) - counts["skipped"],
        "failures": counts["failed"],
        "errors": counts["error"],
        "skipped": counts["skipped"],
        "expectedFailures": 0,
        "unexpectedSuccesses": 0,
    }
    return code, summary


def _run(args: list[str], outcomes: _Outcomes, source_script: bool) -> tuple[int, dict[str, Any] | None]:
    """Run the command; (exit status it decided on, test summary or None). ``source_script``: a script that is a
    file of Python source (_is_source_file), run without runpy."""
    if args[0] == "-m" and len(args) > 1 and args[1] == "unittest":
        return _run_unittest(args[2:], outcomes)
    if args[0] == "-m" and len(args) > 1 and args[1] == "pytest":
        return _run_pytest(args[2:], outcomes)
    main = types.ModuleType("__main__")
    main.__dict__["__builtins__"] = builtins
    if args[0] == "-c":
        sys.argv = ["-c", *args[2:]]
        sys.modules["__main__"] = main
        exec(compile(args[1], "<string>", "exec", dont_inherit=True), main.__dict__)  # the command
    elif args[0] == "-m":
        sys.argv = [args[1], *args[2:]]
        runpy.run_module(args[1], run_name="__main__", alter_sys=True)
    elif source_script:  # as the interpreter runs a script, without runpy's imports
        sys.argv = list(args)
        with open(args[0], "rb") as fh:
            source = fh.read()
        main.__dict__.update(__file__=args[0], __cached__=None, __package__=None, __spec__=None, __loader__=None)
        sys.modules["__main__"] = main
        exec(compile(source, args[0], "exec", dont_inherit=True), main.__dict__)  # the command
    else:  # a folder or a zip file with a __main__.py
        sys.argv = list(args)
        runpy.run_path(args[0], run_name="__main__")
    return 0, None


def _is_source_file(path: str) -> bool:
    """Whether a script argument is a regular file of Python source (not a folder, zip file or bytecode)."""
    if not os.path.isfile(path):
        return False
    with open(path, "rb") as fh:
        return fh.read(4) != b"PK\x03\x04" and not path.endswith((".pyc", ".pyo"))


def _own_frames_dropped(tb: types.TracebackType | None) -> types.TracebackType | None:
    """The traceback from the command's own code on (this file's and runpy's frames left out, as Python shows a
    script's)."""
    while tb is not None and (tb.tb_frame.f_code.co_filename == __file__ or "runpy" in tb.tb_frame.f_code.co_filename):
        tb = tb.tb_next
    return tb


def _flush() -> None:
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except Exception:
            pass


def run(channel: _Channel, args: list[str]) -> None:
    global _protected_files
    config = channel.config
    _protected_files = {os.path.realpath(p) for p in config.get("protected", [])}
    runner = args[:2] in (["-m", "unittest"], ["-m", "pytest"])
    # The protected tests' code, compiled before anything of the workspace runs (it could rewrite the files), for
    # the runners that report each test; another command reports no test.
    compiled = _compiled(sorted(_protected_files)) if runner else {}
    if runner:
        _import_runner()
    if args[:2] == ["-m", "pytest"]:
        try:
            import pytest  # noqa: F401  (before the workspace is on sys.path)
        except ImportError:
            pass
    mode_word = "script" if args[0] not in ("-c", "-m") else args[0]
    source_script = mode_word == "script" and _is_source_file(args[0])
    if mode_word == "-m" and not runner or mode_word == "script" and not source_script:
        _import_runpy()
    root = _realpath(str(config.get("root") or os.getcwd()))
    before = _snapshot()
    # Whose decision the exit status is: a check's (a script outside the workspace, -c code, a test runner, a
    # module that is not the workspace's), or the workspace's own program (`python -m mytool`, a script in it).
    judged = _judged_by_check(args, root)
    _set_path(mode_word, args[0])
    outcomes = _Outcomes(compiled)
    summary: dict[str, Any] | None = None
    exit_from = None
    try:
        code, summary = _run(args, outcomes, source_script)
    except _SystemExit as exc:
        code = _exit_code(exc)
        if judged:
            exit_from = _raised_by_workspace(exc, root)
    except KeyboardInterrupt:
        code = 130
    except BaseException as exc:  # as the interpreter reports an uncaught exception
        # the interpreter's display prints the exception's own traceback when it has one: trimmed there
        exc.__traceback__ = _own_frames_dropped(exc.__traceback__)
        _excepthook(type(exc), exc, exc.__traceback__)
        code = 1
    _flush()
    record: dict[str, Any] = {"final": True, "code": code, "tampered": _tampered(before)}
    if exit_from is not None:
        record["exitFrom"] = exit_from
    if runner:
        record["runner"] = args[1]
    if summary is not None:
        summary["outcomes"] = outcomes.by_id
        summary["codeOk"] = outcomes.code_ok
        record["tests"] = summary
    channel.send(record)
    raise _SystemExit(code)


def _judged_by_check(args: list[str], root: str) -> bool:
    if args[0] == "-c" or args[:2] in (["-m", "unittest"], ["-m", "pytest"]):
        return True
    if args[0] == "-m":
        try:
            import importlib.util

            sys.path.insert(0, os.getcwd())
            try:
                spec = importlib.util.find_spec(args[1].split(".")[0])
            finally:
                sys.path.pop(0)
        except (ImportError, ValueError):
            return False
        origin = spec.origin if spec is not None and spec.origin not in (None, "built-in", "frozen") else None
        real = _realpath(origin) if origin else ""
        return not (real == root or real.startswith(root + os.sep))
    real = _realpath(args[0])
    return not real.startswith(root + os.sep) or real in _protected_files


# -- collecting ---------------------------------------------------------------------------------------------------


class _StubMeta(type):
    """A stand-in for anything of the code under test: attributes, calls, iteration, subclassing all work and do
    nothing."""

    def __getattr__(cls, name: str) -> Any:
        if name.startswith("__") and name.endswith("__"):
            raise AttributeError(name)
        return _stub(name)

    def __call__(cls, *args: Any, **kwargs: Any) -> Any:
        if any(not isinstance(base, _StubMeta) and base is not object for base in cls.__mro__[1:]):
            return super().__call__(*args, **kwargs)
        return _stub("result")

    def __iter__(cls) -> Iterator[Any]:
        return iter(())

    def __len__(cls) -> int:
        return 0

    def __getitem__(cls, key: Any) -> Any:
        return _stub("item")

    def __bool__(cls) -> bool:
        return True


def _stub(name: str) -> Any:
    return _StubMeta(str(name), (), {})


class _StubModule(types.ModuleType):
    def __getattr__(self, name: str) -> Any:
        if (name.startswith("__") and name.endswith("__")) or name == "load_tests":
            raise AttributeError(name)
        value = _stub(name)
        setattr(self, name, value)
        return value


class _StubLoader(_LoaderBase):
    def __init__(self, package_path: list[str] | None = None) -> None:
        self.package_path = package_path

    def create_module(self, spec: ModuleSpec) -> types.ModuleType:
        module = _StubModule(spec.name)
        if self.package_path is not None:
            module.__path__ = list(self.package_path)
        return module

    def exec_module(self, module: types.ModuleType) -> None:
        pass


def _importer_file() -> str | None:
    frame: types.FrameType | None = sys._getframe(2)
    while frame is not None:
        name = frame.f_code.co_filename
        if not (name.startswith("<frozen") or "importlib" in name or name == __file__):
            return name
        frame = frame.f_back
    return None


class _StubFinder:
    """Workspace modules that are not protected files load as stubs; so do modules nothing provides when a
    protected file imports them."""

    def __init__(self, root: str, protected: Sequence[str]) -> None:
        self.root = os.path.realpath(root)
        self.protected = {os.path.realpath(p) for p in protected}

    def _inside(self, path: str) -> bool:
        real = os.path.realpath(path)
        return real == self.root or real.startswith(self.root + os.sep)

    def find_spec(self, name: str, path: Sequence[str] | None = None, target: Any = None) -> ModuleSpec | None:
        spec = PathFinder.find_spec(name, path)
        if spec is None:
            return None
        origin = spec.origin if spec.origin not in (None, "namespace") else None
        locations = list(spec.submodule_search_locations or [])
        if origin is not None and self._inside(origin):
            if os.path.realpath(origin) in self.protected:
                return spec
            return ModuleSpec(name, _StubLoader(locations or None), is_package=bool(locations), origin=origin)
        return spec


class _MissingFinder:
    """Last on sys.meta_path: a module nothing provides, imported by a protected file, is a stub (the module a
    task asks the agent to write does not exist in the fixture)."""

    def __init__(self, protected: Sequence[str]) -> None:
        self.protected = {os.path.realpath(p) for p in protected}

    def find_spec(self, name: str, path: Sequence[str] | None = None, target: Any = None) -> ModuleSpec | None:
        importer = _importer_file()
        if importer is not None and os.path.realpath(importer) in self.protected:
            return ModuleSpec(name, _StubLoader([]), is_package=True)
        return None


def collect(channel: _Channel, args: list[str]) -> None:
    config = channel.config
    protected = config.get("protected", [])
    root = config.get("root") or os.getcwd()
    if not (args[0] == "-m" and len(args) > 1 and args[1] == "unittest"):
        channel.send({"final": True, "error": "only `python -m unittest` commands are collected"})
        return
    _import_runner()
    _set_path("-m", "")
    sys.meta_path.insert(0, _StubFinder(root, protected))
    sys.meta_path.append(_MissingFinder(protected))

    class Collect(unittest.TestProgram):
        def runTests(self) -> None:
            pass

    out = io.StringIO()
    real_stderr, sys.stderr = sys.stderr, out
    try:
        program = Collect(module=None, argv=["python -m unittest", *args[2:]], exit=False)
        tests = getattr(program, "test", None)
    except BaseException as exc:
        sys.stderr = real_stderr
        channel.send({"final": True, "error": f"{type(exc).__name__}: {exc}", "output": out.getvalue()[-2000:]})
        return
    finally:
        sys.stderr = real_stderr
    found: list[dict[str, Any]] = []
    broken: list[str] = []
    stack: list[Any] = [tests]
    while stack:
        item = stack.pop()
        if isinstance(item, unittest.TestSuite):
            stack.extend(item)
            continue
        if type(item).__name__ == "_FailedTest":
            broken.append(item.id())
            continue
        if not isinstance(item, unittest.TestCase):
            continue
        method = getattr(type(item), getattr(item, "_testMethodName", ""), None)
        skipped = bool(getattr(type(item), "__unittest_skip__", False) or getattr(method, "__unittest_skip__", False))
        module = sys.modules.get(type(item).__module__)
        origin = getattr(module, "__file__", None)
        rel = os.path.relpath(os.path.realpath(origin), os.path.realpath(root)) if origin else None
        found.append({"id": item.id(), "file": rel, "skipped": skipped})
    channel.send({"final": True, "tests": found, "broken": broken})


def main() -> None:
    fd, mode = int(sys.argv[1]), sys.argv[2]
    args = sys.argv[4:] if len(sys.argv) > 3 and sys.argv[3] == "--" else sys.argv[3:]
    try:
        channel = _Channel(fd)
    except (OSError, ValueError) as exc:
        print(f"zebench: the result channel is not available ({exc})", file=sys.stderr)
        _os_exit(70)
    if not args:
        channel.send({"final": True, "code": 2, "tampered": []})
        raise _SystemExit(2)
    if mode == "collect":
        collect(channel, args)
        _flush()
        _os_exit(0)
    run(channel, args)


if __name__ == "__main__":
    main()
