"""Texts of real sizes for synthetic runs (``Generator(..., real_sizes=True)``): what an oracle run of the bundled
suites stores (about 10-16 KB of JSON: the prompt, evaluations with their checks, validation output, a diff and
the writes that made it) and, for a tenth of runs, what a model run with a long transcript stores (about 100 KB:
turns of text and tool calls whose results are file contents and test logs, twice, as the anthropic agent keeps
them: in the messages' tool results and in the tool-call records).

The texts are made from pools drawn once per generator (a scenario's files, sentences, log lines), so that runs
generate fast; what a scenario's runs share in reality (its files, tests, checks, title, prompt) is drawn once per
scenario. The pools are large enough that a run's text is not a repeat of its neighbour's: gzip packs a synthetic
oracle-like record no better than a real one (tests/test_bundled_suites.py compares them with the oracle's real
records).
"""

from __future__ import annotations

import random
from typing import Any

#: Words the prose is drawn from (common English and programming words).
WORDS = (
    "the a an of to in and or not is are was be been has have had it its this that these those with for on by at "
    "from as into than then when while if else because so but only also both each every some any no more most "
    "less first last next previous new old same other own such very still again already now here there where "
    "which what who how why test tests failing passing passed failed error errors warning function method class "
    "module package import export value values type types default option options argument arguments return "
    "returns call calls called file files path line lines change changes changed update updated version "
    "dependency dependencies config configuration build install run runs running command output input string "
    "number list dict object field fields key keys name names data parse parser format date time zone slug "
    "cache entry entries limit page pages offset query request response client server handler route router "
    "component state props hook effect render template schema model models migration deprecated alias legacy "
    "upgrade upgrading major minor patch lockfile manifest script scripts lint linter typecheck compile "
    "compiler strict mode null undefined none empty missing expected received actual because instead need "
    "needs should must can will would could might look read write check fix fixed fixing add added remove "
    "removed rename renamed move moved keep kept use used using make makes made see seems look looks now "
    "let me i we you it will first second then finally done verify verified confirm confirmed correct "
    "incorrect edge case cases boundary off by one unicode ascii quoting escape escaped header headers row rows"
).split()
SYLLABLES = "ba be bi bo bu ca ce ci co cu da de di do du fa fe fi fo ga ge go ka ke ki ko la le li lo lu ma me mi "
SYLLABLES += "mo mu na ne ni no nu pa pe pi po pu ra re ri ro ru sa se si so su ta te ti to tu va ve vi vo za ze zo"
KEYWORDS = ("def", "return", "if", "for", "in", "not", "and", "or", "None", "True", "False", "self", "import")


class Texts:
    """The pools of one generator, and the texts of runs made from them (every draw from ``rng``)."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.syllables = SYLLABLES.split()
        self.identifiers = [self._identifier() for _ in range(3000)]
        self.sentences = [self._sentence() for _ in range(6000)]
        self.log_lines = [self._log_line() for _ in range(4000)]
        self.code_lines = [self._code_line() for _ in range(20000)]
        self.files: dict[tuple[str, str], list[tuple[str, str]]] = {}
        self.prompts: dict[tuple[str, str, str], str] = {}
        self.scenarios: dict[tuple[str, str], dict[str, Any]] = {}

    # -- pools ----------------------------------------------------------------------------------------------------

    def _identifier(self) -> str:
        rng = self.rng
        parts = ["".join(rng.choices(self.syllables, k=rng.randint(1, 3))) for _ in range(rng.randint(1, 3))]
        return "_".join(parts)

    def _sentence(self) -> str:
        rng = self.rng
        words = rng.choices(WORDS, k=rng.randint(6, 22))
        if rng.random() < 0.4:
            words.insert(rng.randrange(len(words)), f"`{rng.choice(self.identifiers)}`")
        if rng.random() < 0.15:
            words.insert(rng.randrange(len(words)), str(rng.randint(0, 5000)))
        return " ".join(words).capitalize() + rng.choice(".....:?")

    def _log_line(self) -> str:
        rng = self.rng
        ident = rng.choice(self.identifiers)
        kind = rng.random()
        if kind < 0.5:
            return f"{ident}.test_{rng.choice(self.identifiers)} ... {rng.choice(('ok', 'ok', 'ok', 'FAIL', 'ERROR'))}"
        if kind < 0.75:
            return f'  File "{ident}/{rng.choice(self.identifiers)}.py", line {rng.randint(1, 900)}, in {ident}'
        if kind < 0.9:
            return f"AssertionError: {rng.randint(0, 99)!r} != {rng.randint(0, 99)!r} ({rng.choice(self.sentences)})"
        return f"  + {rng.choice(self.identifiers)}@{rng.randint(1, 20)}.{rng.randint(0, 30)}.{rng.randint(0, 9)}"

    def _code_line(self) -> str:
        rng = self.rng
        roll = rng.random()
        a, b, c = rng.choices(self.identifiers, k=3)
        if roll < 0.12:
            return f"def {a}({b}, {c}=None):"
        if roll < 0.2:
            return f'    """{rng.choice(self.sentences)}"""'
        if roll < 0.45:
            return f"    {a} = {b}.{c}({rng.randint(0, 99)})"
        if roll < 0.6:
            return f"    if {a} {rng.choice(('is', '==', 'in', '<'))} {b}:"
        if roll < 0.72:
            return f"        return {a}({b}, {rng.choice(KEYWORDS)})"
        if roll < 0.8:
            return f"    # {rng.choice(self.sentences)}"
        if roll < 0.9:
            return f'    {a}["{b}"] = {rng.choice(KEYWORDS)}'
        return ""

    def code(self, size: int) -> str:
        """Python-like source of about ``size`` characters (lines of about 40 characters from the pool)."""
        return "\n".join(self.rng.choices(self.code_lines, k=max(1, size // 40))) + "\n"

    def scenario_files(self, suite: str, scenario: str) -> list[tuple[str, str]]:
        """The files of a scenario's fixture (drawn once: every run of the scenario reads the same ones)."""
        key = (suite, scenario)
        if key not in self.files:
            rng = self.rng
            package = rng.choice(self.identifiers)
            self.files[key] = [
                (f"{package}/{rng.choice(self.identifiers)}.py", self.code(rng.randint(800, 5000)))
                for _ in range(rng.randint(4, 8))
            ]
        return self.files[key]

    def prompt(self, suite: str, scenario: str, tier: str) -> str:
        """A scenario's prompt at a tier (the same for every run of it), 400-2,000 characters."""
        key = (suite, scenario, tier)
        if key not in self.prompts:
            files = self.scenario_files(suite, scenario)
            self.prompts[key] = f"# {scenario}\n\n" + self.prose(self.rng.randint(300, 1800), files=files)
        return self.prompts[key]

    # -- texts of a run -----------------------------------------------------------------------------------------

    def prose(self, size: int, files: list[tuple[str, str]] | None = None) -> str:
        rng, out, n = self.rng, [], 0
        while n < size:
            sentence = rng.choice(self.sentences)
            if files and rng.random() < 0.2:
                sentence += f" See `{rng.choice(files)[0]}`."
            out.append(sentence)
            n += len(sentence) + 1
        return " ".join(out)

    def log(self, size: int) -> str:
        """Test output of about ``size`` characters (a model's command output: any tests)."""
        rng = self.rng
        lines = rng.choices(self.log_lines, k=max(1, size // 60))
        ran = len(lines) + rng.randint(0, 40)
        return "\n".join(lines) + f"\n{'-' * 70}\nRan {ran} tests in {rng.uniform(0.01, 30):.3f}s\n"

    def scenario(self, suite: str, scenario: str) -> dict[str, Any]:
        """What every run of a scenario shares (drawn once): its title, difficulty and tags, its tests, and the
        checks of its evaluators (a run draws only which of them pass)."""
        key = (suite, scenario)
        if key not in self.scenarios:
            rng = self.rng
            self.scenarios[key] = {
                "title": self.prose(40).rstrip(".:?"),
                "difficulty": rng.choice(("easy", "medium", "hard")),
                "tags": rng.sample(("python", "node", "feature", "bugfix", "upgrade", "text", "api"), 3),
                "tests": [
                    f"test_{rng.choice(self.identifiers)} ({rng.choice(self.identifiers)}.Test{i})"
                    for i in range(rng.randint(5, 40))
                ],
                "checks": [
                    (
                        rng.choice(self.identifiers).replace("_", "-"),
                        rng.choice(("command", "pattern", "script")),
                        f"matched in {rng.choice(self.identifiers)}.py",
                    )
                    for _ in range(rng.randint(3, 8))
                ],
            }
        return self.scenarios[key]

    def test_log(self, suite: str, scenario: str, passed: bool) -> str:
        """A scenario's test output as ``unittest -q`` prints it: the failures with their tracebacks, then the
        summary."""
        rng, tests = self.rng, self.scenario(suite, scenario)["tests"]
        lines: list[str] = []
        failures: list[str] = []
        failed_tests = 0
        for test in tests:
            failed = not passed and rng.random() < 0.3
            if failed:
                failed_tests += 1
                failures += ["=" * 70, f"FAIL: {test}", *rng.choices(self.log_lines, k=rng.randint(2, 6))]
        summary = f"FAILED (failures={failed_tests})" if failed_tests else "OK"
        took = rng.uniform(0.001, 3)
        return "\n".join([*lines, *failures, "-" * 70, f"Ran {len(tests)} tests in {took:.3f}s", "", summary]) + "\n"

    def patch(self, path: str, content: str) -> tuple[str, int, int]:
        """A unified diff of ``content`` with a few of its lines changed and some added: (patch, +, -)."""
        rng = self.rng
        old = content.splitlines()
        start = rng.randrange(max(1, len(old) - 20))
        hunk = old[start : start + rng.randint(8, 40)]
        out, added, removed = [f"--- a/{path}", f"+++ b/{path}", f"@@ -{start + 1},{len(hunk)} +{start + 1} @@"], 0, 0
        for line in hunk:
            roll = rng.random()
            if roll < 0.15:
                out += [f"-{line}", f"+{line.replace('None', rng.choice(self.identifiers))}"]
                added, removed = added + 1, removed + 1
            elif roll < 0.3:
                out += [f" {line}", *(f"+{x}" for x in self.code(rng.randint(40, 200)).splitlines())]
                added += 1
            else:
                out.append(f" {line}")
        return "\n".join(out) + "\n", added, removed

    def checks(self, suite: str, scenario: str) -> list[dict[str, Any]]:
        """A heuristic evaluator's checks of a scenario, as zebench's evaluators record them."""
        rng = self.rng
        out = []
        for name, kind, matched in self.scenario(suite, scenario)["checks"]:
            passed = rng.random() < 0.85
            message = (
                ("exit code 0\nok" if passed else "exit code 1")
                if kind != "pattern"
                else matched
                if passed
                else "no match"
            )
            out.append({"name": name, "type": kind, "weight": 1.0, "passed": passed, "message": message})
        return out

    def model_turns(self, files: list[tuple[str, str]], size: int) -> list[tuple[str, dict[str, Any], str, bool]]:
        """Tool calls of a model run: (name, input, output, is_error) until their texts reach about ``size``
        characters (outputs are file contents, test logs and listings; inputs of writes are file contents)."""
        rng, calls, n = self.rng, [], 0
        while n < size:
            roll = rng.random()
            path, content = rng.choice(files)
            if roll < 0.4:
                call = ("readFile", {"path": path}, content, False)
            elif roll < 0.7:
                failed = rng.random() < 0.4
                call = ("runCommand", {"command": "python -m unittest -q"}, self.log(rng.randint(300, 4000)), failed)
            elif roll < 0.85:
                call = ("writeFile", {"path": path, "content": self.code(rng.randint(500, 4000))}, "wrote file", False)
            else:
                call = ("listFiles", {"path": "."}, "\n".join(p for p, _ in files), False)
            calls.append(call)
            n += len(call[2]) + len(str(call[1].get("content", "")))
        return calls
