#!/usr/bin/env bash
# Quick start, part 2: install zebench with its test dependencies into .venv-test (and Debian's chromium for the
# site's browser tests, scripts/install-browser.sh; Debian's bubblewrap for the command sandbox,
# scripts/install-sandbox.sh; the real Claude Code CLI from npm, scripts/install-claude-code.sh) and run the whole
# test suite (slow end-to-end and browser tests included; pass -m "not slow" for a quicker local loop). Extra
# arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python3}"
"$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
  || { echo "zebench needs Python >= 3.11 (set PYTHON=/path/to/python3.11)" >&2; exit 2; }
[ -x .venv-test/bin/python ] || "$PYTHON" -m venv .venv-test
.venv-test/bin/python -m pip install --quiet --disable-pip-version-check --upgrade pip
.venv-test/bin/python -m pip install --quiet --disable-pip-version-check -e ".[test]"
# without a browser the browser tests fail with a clear error; the others (-m "not slow") still run
./scripts/install-node.sh
./scripts/install-browser.sh || echo "warning: no Chromium; tests/test_site_browser.py will fail" >&2
# the sandbox tests run every command under bubblewrap as CI does; without it they fail with a clear error
./scripts/install-sandbox.sh || echo "warning: no bubblewrap; the --sandbox bwrap tests will fail" >&2
# the real Claude Code CLI (npm, pinned, into ~/.cache/zebench/claude-code: a few seconds once, then nothing)
./scripts/install-claude-code.sh >/dev/null \
  || echo "warning: no Claude Code CLI; tests/test_claude_code_cli.py will fail (it says how to install it)" >&2
exec .venv-test/bin/python -m pytest "$@"
