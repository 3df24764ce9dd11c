#!/usr/bin/env bash
# The browser of the site's tests: Debian's chromium, driven by Playwright for Python (a test tool's own browser
# download needs the internet, which CI does not have). Does nothing when a Chromium is already there
# (chromium on PATH, or ZEBENCH_CHROMIUM naming an executable).
set -euo pipefail
if [ -n "${ZEBENCH_CHROMIUM:-}" ] && [ -x "$ZEBENCH_CHROMIUM" ]; then exit 0; fi
if command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1; then exit 0; fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "==> installing Debian's chromium for the browser tests (apt-get install -y chromium)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -q chromium >/dev/null 2>&1 || { apt-get update -q >/dev/null && apt-get install -y -q chromium >/dev/null; }
  command -v chromium >/dev/null 2>&1 && exit 0
fi
echo "The site's browser tests need Chromium: install it (Debian: sudo apt-get install -y chromium; other systems:" >&2
echo "their chromium package), or set ZEBENCH_CHROMIUM=/path/to/chromium." >&2
exit 1
