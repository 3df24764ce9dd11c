"""Remote submission that never loses a run.

``zebench run --submit URL`` posts each run to ``URL/api/results`` as soon as it is stored locally, retrying
connection errors, 408, 429 and 5xx with exponential backoff. A run that still cannot be delivered (server down,
or a record the server rejects) is appended to a local spool file; ``zebench submit --spool PATH`` delivers the
spool later and removes what was delivered. The server keys runs by runId, so a run delivered twice (a response
lost after the server stored it) is still stored once: delivery is at-least-once, storage exactly once.

The spool is shared between processes (``zebench submit`` draining it while a ``run --submit`` appends to it):
every append and every rewrite holds an exclusive ``flock`` on ``<spool>.lock`` (a file that is never replaced,
unlike the spool), an appender opens the spool only once it holds the lock, and a drain never rewrites the
spool from what it read earlier: it delivers a snapshot without the lock, then, under the lock, removes exactly
the lines it delivered from the spool as it is then, so lines appended meanwhile stay.
"""

from __future__ import annotations

import asyncio
import fcntl
import json
import os
import threading
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from ..constants import DEFAULT_SPOOL
from ..models import RunRecord

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
        """Deliver one run, or spool it. Returns True when delivered. Cancelled half way (the batch stopped),
        the run is spooled before the cancellation propagates."""
        try:
            await self.post(record.to_json_dict())
        except SubmitError as exc:
            self.errors.append(f"{record.run_id}: {exc}")
            await self.spool_record(record)
            return False
        except asyncio.CancelledError:
            await self.spool_record(record)
            raise
        self.delivered += 1
        return True

    async def spool_record(self, record: RunRecord) -> None:
        """Append a run to the spool, off the event loop; a cancellation stops the waiting, not the append."""
        line = record.model_dump_json(by_alias=True)
        self.spooled += 1
        await asyncio.shield(asyncio.to_thread(self.append_to_spool, [line]))

    def append_to_spool(self, lines: list[str]) -> None:
        with self._lock, spool_lock(self.spool):
            append_lines(self.spool, lines)


@dataclass
class SpoolReport:
    delivered: int = 0
    remaining: int = 0
    errors: list[str] = field(default_factory=list)


@contextmanager
def spool_lock(spool: Path) -> Iterator[None]:
    """Exclusive lock shared by every process that appends to or rewrites ``spool`` (blocks until free)."""
    spool.parent.mkdir(parents=True, exist_ok=True)
    with open(spool.with_name(spool.name + ".lock"), "a") as lock:
        fcntl.flock(lock.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock.fileno(), fcntl.LOCK_UN)


def append_lines(spool: Path, lines: list[str]) -> None:
    """Append under ``spool_lock``. A line left without its newline by a crash is ended first, so the new line
    is not glued to it."""
    with spool.open("a+b") as fh:
        fh.seek(0, os.SEEK_END)
        prefix = b""
        if fh.tell():
            fh.seek(-1, os.SEEK_END)
            prefix = b"" if fh.read(1) == b"\n" else b"\n"
        fh.write(prefix + "".join(line + "\n" for line in lines).encode("utf-8"))
        fh.flush()
        os.fsync(fh.fileno())


def _spool_lines(spool: Path) -> list[str]:
    try:
        text = spool.read_text(encoding="utf-8")
    except FileNotFoundError:
        return []
    return [line for line in text.splitlines() if line.strip()]


def _remove_delivered(spool: Path, delivered: list[str]) -> int:
    """Under the lock: drop one copy of each delivered line from the spool as it is now. Returns what remains."""
    with spool_lock(spool):
        gone = Counter(delivered)
        keep: list[str] = []
        for line in _spool_lines(spool):
            if gone[line] > 0:
                gone[line] -= 1
            else:
                keep.append(line)
        tmp = spool.with_name(f"{spool.name}.{os.getpid()}.tmp")
        with tmp.open("w", encoding="utf-8") as fh:
            fh.write("".join(line + "\n" for line in keep))
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, spool)  # atomic: a crash leaves the old spool, and re-delivery is idempotent
    return len(keep)


async def deliver_spool(submitter: Submitter) -> SpoolReport:
    """Post every spooled run (in groups), then remove what was delivered from the spool.

    Safe while other processes append to the spool (see the module's docstring); lines appended during the
    delivery stay for the next drain and are counted in ``remaining``.
    """
    report = SpoolReport()
    path = submitter.spool
    if not path.exists():
        return report
    lines = await asyncio.to_thread(_locked_read, path)
    delivered: list[str] = []
    try:
        for start in range(0, len(lines), SPOOL_BATCH):
            group = lines[start : start + SPOOL_BATCH]
            try:
                payload = [json.loads(line) for line in group]
            except json.JSONDecodeError:  # a line cut short by a crash: keep the group for inspection
                report.errors.append(f"lines {start + 1}-{start + len(group)}: invalid JSON kept in the spool")
                continue
            try:
                await submitter.post(payload)
            except SubmitError as exc:
                report.errors.append(str(exc))
                if exc.retryable:  # the server is unreachable: keep the rest for next time
                    break
                continue
            delivered += group
            report.delivered += len(group)
    finally:
        await submitter.close()
        # Also after a cancellation: what was delivered leaves the spool, the rest stays.
        report.remaining = await asyncio.shield(asyncio.to_thread(_remove_delivered, path, delivered))
    return report


def _locked_read(spool: Path) -> list[str]:
    with spool_lock(spool):
        return _spool_lines(spool)
