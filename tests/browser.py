"""Headless Chromium for the site tests and benchmarks: Debian's chromium driven by Playwright for Python (no
browser download: scripts/install-browser.sh installs the package). Each page records console errors and warnings,
uncaught exceptions and failed requests, so a test can assert that a page loaded cleanly."""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
    "--disable-extensions",
]


def chromium_path() -> str:
    path = os.environ.get("ZEBENCH_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
    if not path:
        raise RuntimeError(
            "no chromium found: run scripts/install-browser.sh (apt-get install -y chromium) "
            "or set ZEBENCH_CHROMIUM to a Chromium executable"
        )
    return path


@dataclass
class PageLog:
    console: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)

    def problems(self) -> list[str]:
        return self.console + self.errors + self.failed


#: Set by site.js once the charts are drawn and once the page's own script finished (whatever its outcome).
READY = "body[data-ready][data-charts-rendered]"


def open_page(browser: Any, url: str, *, wait_for: str | None = READY) -> tuple[Any, PageLog]:
    """A new page at ``url``, after its load event and, if given, once the CSS selector ``wait_for`` matches
    (a selector, not a JS predicate: polling a predicate needs eval, which the pages' CSP forbids)."""
    page = browser.new_page()
    log = PageLog()
    page.on("console", lambda m: log.console.append(f"{m.type}: {m.text}") if m.type in ("error", "warning") else None)
    page.on("pageerror", lambda e: log.errors.append(str(e)))
    page.on("requestfailed", lambda r: log.failed.append(f"{r.url} ({r.failure})"))
    page.on("request", lambda r: log.requests.append(r.url))
    page.goto(url, wait_until="load")
    if wait_for:
        page.wait_for_selector(wait_for, state="attached", timeout=20_000)
    return page, log


def file_url(path: Path) -> str:
    return path.resolve().as_uri()
