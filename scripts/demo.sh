#!/usr/bin/env bash
# Quick start, part 1: install zebench (pip install ., not editable) into .venv and run the offline demo:
# every bundled scenario and tier with the offline agents (echo = does nothing, oracle = reference solution),
# every run stored in data/zebench.db and appended to data/demo-results.jsonl; then build the report site in site/.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python3}"
"$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
  || { echo "zebench needs Python >= 3.11 (set PYTHON=/path/to/python3.11)" >&2; exit 2; }
[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
echo "==> installing zebench into .venv"
.venv/bin/python -m pip install --quiet --disable-pip-version-check --upgrade pip
.venv/bin/python -m pip install --quiet --disable-pip-version-check .
# agent and validation commands run under bubblewrap (--sandbox auto falls back to none with a warning without it)
./scripts/install-sandbox.sh || true
echo "==> zebench list"
.venv/bin/zebench list
echo "==> zebench run --agent echo --agent oracle (offline)"
start=$(date +%s)
status=0
.venv/bin/zebench run --agent echo --agent oracle --db data/zebench.db --output data/demo-results.jsonl \
  --concurrency "${ZEBENCH_CONCURRENCY:-4}" "$@" || status=$?
echo "==> runs finished in $(( $(date +%s) - start )) s (exit status $status)"
# the site is built even when some runs failed: failed runs are stored and shown too
echo "==> zebench build-site (static report site and JSON mirror of the API)"
.venv/bin/zebench build-site --db data/zebench.db --out site || status=$?
echo "Also: the live API  .venv/bin/zebench serve --db data/zebench.db  (Datasette + /api/* in the original shapes, /api/v2/* in zebench's)"
echo "      SQL           sqlite3 data/zebench.db \"select agent, model, count(*), sum(successful) from runs_counted group by agent, model\""
exit $status
