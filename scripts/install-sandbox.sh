#!/usr/bin/env bash
# The sandbox of agent and scenario commands: Debian's bubblewrap (bwrap), plus util-linux's setpriv for runs as
# root (both are what zebench.sandbox calls). Does nothing when bwrap is already there. Without it, `zebench run`
# falls back to --sandbox none (no isolation) with a warning; see docs/security.md.
set -euo pipefail
if command -v bwrap >/dev/null 2>&1 && command -v setpriv >/dev/null 2>&1; then exit 0; fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "==> installing Debian's bubblewrap for the command sandbox (apt-get install -y bubblewrap util-linux)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -q bubblewrap util-linux >/dev/null 2>&1 \
    || { apt-get update -q >/dev/null && apt-get install -y -q bubblewrap util-linux >/dev/null; }
  command -v bwrap >/dev/null 2>&1 && exit 0
fi
echo "The command sandbox needs bubblewrap: install it (Debian/Ubuntu: sudo apt-get install -y bubblewrap; Fedora:" >&2
echo "sudo dnf install bubblewrap), or run with --sandbox none (no isolation; see docs/security.md)." >&2
exit 1
