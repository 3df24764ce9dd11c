"""Select log events inside a time window."""

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Dict, Iterable, List

from .timeparse import parse_timestamp


@dataclass(frozen=True)
class Event:
    at: datetime
    level: str
    message: str
    extra: Dict[str, Any] = field(default_factory=dict)


def parse_line(line: str) -> Event:
    """Parse one JSON log line: {"ts": ..., "level": ..., "msg": ..., ...}."""
    record = json.loads(line)
    return Event(
        at=parse_timestamp(record.pop("ts")),
        level=record.pop("level", "INFO").upper(),
        message=record.pop("msg", ""),
        extra=record,
    )


def events_between(events: Iterable[Event], start: datetime, end: datetime) -> List[Event]:
    """Events with ``start <= at < end`` (half-open window), in chronological order."""
    return sorted((e for e in events if start <= e.at < end), key=lambda e: e.at)
