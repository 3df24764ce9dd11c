#!/usr/bin/env bash
# Node.js and pnpm for the original project's real suites (next.js, update-deps): their validation and baseline
# commands run `pnpm install`, `pnpm test`, `pnpm lint`. Node comes from Debian (nodejs, npm) when missing; pnpm
# from the npm registry, pinned to the 9.x line the original's fixtures install with (`packageManager: pnpm@9`;
# pnpm 10 skips and newer majors refuse the dependencies' build scripts: ERR_PNPM_IGNORED_BUILDS).
# Idempotent: does nothing when the right versions are there. Set PNPM_VERSION to pin another release.
set -euo pipefail
PNPM_VERSION="${PNPM_VERSION:-9.15.9}"
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  echo "==> installing Debian's nodejs and npm (apt-get install -y nodejs npm)"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq nodejs npm >/dev/null
fi
if [ "$(pnpm --version 2>/dev/null || true)" != "$PNPM_VERSION" ]; then
  echo "==> installing pnpm@$PNPM_VERSION from the npm registry (npm install -g)"
  $SUDO npm install -g --silent --no-fund --no-audit "pnpm@$PNPM_VERSION" >/dev/null
fi
echo "node $(node --version), pnpm $(pnpm --version)"
