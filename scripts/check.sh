#!/usr/bin/env bash
# What CI runs: lint (ruff check), formatting (ruff format --check), types (mypy --strict, configured in
# pyproject.toml), then the tests through scripts/test.sh (which installs what they need). Extra arguments go to
# pytest, e.g. ./scripts/check.sh -m "not slow" for a quicker local loop. Green here means green in CI.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python3}"
[ -x .venv-test/bin/python ] || "$PYTHON" -m venv .venv-test
.venv-test/bin/python -m pip install --quiet --disable-pip-version-check -e ".[test]"
status=0
echo "== ruff check" && .venv-test/bin/ruff check zebench tests scripts || status=1
echo "== ruff format --check" && .venv-test/bin/ruff format --check zebench tests scripts || status=1
echo "== mypy" && .venv-test/bin/mypy || status=1
echo "== pytest" && ./scripts/test.sh "$@" || status=1
exit "$status"
