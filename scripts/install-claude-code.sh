#!/usr/bin/env bash
# The real Claude Code CLI for the tests of the claude-code agent (tests/test_claude_code_cli.py): the npm package
# @anthropic-ai/claude-code, pinned, installed from the npm registry into a folder of its own, as `npm install` in a
# project does: its `claude` is node_modules/.bin/claude, a symlink to the package's native binary (the layout the
# sandbox must follow). No global install, nothing on PATH: the tests put that .bin folder on PATH themselves.
#   folder: $ZEBENCH_CLAUDE_CODE_DIR, default ${ZEBENCH_CACHE_DIR:-~/.cache/zebench}/claude-code
#   version: $CLAUDE_CODE_VERSION, default below (the one issue 26 was tried with)
# Idempotent and quick when it is there (npm's cache keeps the download for a reinstall). Prints the folder.
set -euo pipefail
CLAUDE_CODE_VERSION="${CLAUDE_CODE_VERSION:-2.1.197}"
DIR="${ZEBENCH_CLAUDE_CODE_DIR:-${ZEBENCH_CACHE_DIR:-$HOME/.cache/zebench}/claude-code}"
CLAUDE="$DIR/node_modules/.bin/claude"
if [ "$("$CLAUDE" --version 2>/dev/null | awk '{print $1}')" = "$CLAUDE_CODE_VERSION" ]; then
  echo "$DIR"
  exit 0
fi
command -v npm >/dev/null 2>&1 || { echo "npm is needed (./scripts/install-node.sh installs Node and npm)" >&2; exit 1; }
echo "==> installing @anthropic-ai/claude-code@$CLAUDE_CODE_VERSION from the npm registry into $DIR" >&2
mkdir -p "$DIR"
[ -f "$DIR/package.json" ] || echo '{"name": "zebench-claude-code", "private": true}' > "$DIR/package.json"
# its postinstall puts the platform's native binary in place of bin/claude.exe (a stub until then)
npm install --prefix "$DIR" --no-fund --no-audit --loglevel=error "@anthropic-ai/claude-code@$CLAUDE_CODE_VERSION" >&2
version="$("$CLAUDE" --version 2>/dev/null | awk '{print $1}')"
if [ "$version" != "$CLAUDE_CODE_VERSION" ]; then
  echo "the installed claude does not run (it says: '$("$CLAUDE" --version 2>&1 | head -3)'); was its postinstall" \
    "blocked (npm --ignore-scripts)?" >&2
  exit 1
fi
echo "$DIR"
