"""Remote submission that never loses a run.

``zebench run --submit URL`` posts each run to ``URL/api/results`` as soon as it is stored locally, retrying
connection errors, 408, 429 and 5xx with exponential backoff. A run that still cannot be delivered (server down,
or a record the server rejects) is appended to a local spool file; ``zebench submit --spool PATH`` delivers the
spool later and removes what was delivered. The server keys runs by runId, so a run delivered twice (a response
lost after the server stored it) is still stored once: delivery is at-least-once, storage exactly once.
"""

from __future__ import annotations

import asyncio
import json
import os
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from .models import RunRecord

URL_ENV = "ZE_BENCHMARKS_WORKER_URL"
TOKEN_ENV = "ZE_BENCHMARKS_API_KEY"
DEFAULT_SPOOL = Path("data/submit-spool.jsonl")
RETRYABLE = {408, 425, 429, 500, 502, 503, 504, 529}
#: Records per request when delivering a spool.
SPOOL_BATCH = 100


class SubmitError(Exception):
    def __init__(self, message: str, retryable: bool):
        super().__init__(message)
        self.retryable = retryable


def results_url(base: str) -> str:
    base = base.rstrip("/")
    return base if base.endswith("/api/results") else base + "/api/results"


@dataclass
class Submitter:
    url: str
    token: str | None
    spool: Path = DEFAULT_SPOOL
    retries: int = 4
    backoff: float = 0.5
    timeout: float = 30.0
    transport: httpx.AsyncBaseTransport | None = None
    delivered: int = 0
    spooled: int = 0
    errors: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self._client: httpx.AsyncClient | None = None

    def _headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"} if self.token else {}

    async def _client_for_loop(self) -> httpx.AsyncClient:
        if self._client is None:
            self._client = httpx.AsyncClient(timeout=self.timeout, transport=self.transport)
        return self._client

    async def close(self) -> None:
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    async def post(self, payload: Any) -> None:
        """POST with retries; raises SubmitError when it gives up."""
        client = await self._client_for_loop()
        delay = self.backoff
        last = ""
        for attempt in range(self.retries + 1):
            try:
                response = await client.post(results_url(self.url), json=payload, headers=self._headers())
            except httpx.HTTPError as exc:
                last, retryable = f"{type(exc).__name__}: {exc}", True
            else:
                if response.status_code < 300:
                    return
                last = f"HTTP {response.status_code}: {response.text[:500]}"
                retryable = response.status_code in RETRYABLE
                if not retryable:
                    raise SubmitError(last, retryable=False)
            if attempt < self.retries:
                await asyncio.sleep(delay)
                delay *= 2
        raise SubmitError(last, retryable=True)

    async def submit(self, record: RunRecord) -> bool:
        """Deliver one run, or spool it. Returns True when delivered."""
        try:
            await self.post(record.to_json_dict())
        except SubmitError as exc:
            self.errors.append(f"{record.run_id}: {exc}")
            self.append_to_spool([record.model_dump_json(by_alias=True)])
            self.spooled += 1
            return False
        self.delivered += 1
        return True

    def append_to_spool(self, lines: list[str]) -> None:
        with self._lock:
            self.spool.parent.mkdir(parents=True, exist_ok=True)
            with self.spool.open("a", encoding="utf-8") as fh:
                fh.write("".join(line + "\n" for line in lines))
                fh.flush()
                os.fsync(fh.fileno())


@dataclass
class SpoolReport:
    delivered: int = 0
    remaining: int = 0
    errors: list[str] = field(default_factory=list)


async def deliver_spool(submitter: Submitter) -> SpoolReport:
    """Post every spooled run (in groups), then rewrite the spool with what could not be delivered."""
    report = SpoolReport()
    path = submitter.spool
    if not path.exists():
        return report
    lines = [line for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    keep: list[str] = []
    try:
        for start in range(0, len(lines), SPOOL_BATCH):
            group = lines[start:start + SPOOL_BATCH]
            try:
                payload = [json.loads(line) for line in group]
            except json.JSONDecodeError:  # a line cut short by a crash: keep the group for inspection
                keep += group
                report.errors.append(f"lines {start + 1}-{start + len(group)}: invalid JSON kept in the spool")
                continue
            try:
                await submitter.post(payload)
            except SubmitError as exc:
                keep += group
                report.errors.append(str(exc))
                if exc.retryable:  # the server is unreachable: keep the rest for next time
                    keep += lines[start + SPOOL_BATCH:]
                    break
                continue
            report.delivered += len(group)
    finally:
        await submitter.close()
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text("".join(line + "\n" for line in keep), encoding="utf-8")
    os.replace(tmp, path)  # atomic: a crash leaves the old spool, and re-delivery is idempotent
    report.remaining = len(keep)
    return report
