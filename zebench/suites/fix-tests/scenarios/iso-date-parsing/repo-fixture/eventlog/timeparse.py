"""ISO 8601 timestamp parsing, normalised to aware UTC datetimes."""

import re
from datetime import datetime, timedelta, timezone
from typing import Optional

_TIMESTAMP = re.compile(
    r"^(?P<date>\d{4}-\d{2}-\d{2})"
    r"(?:[T ](?P<h>\d{2}):(?P<m>\d{2}):(?P<s>\d{2})(?:\.(?P<frac>\d+))?"
    r"(?P<tz>Z|[+-]\d{2}:?\d{2})?)?$"
)


def _offset(tz: Optional[str]) -> timedelta:
    """The UTC offset written in the timestamp (``+02:00`` -> 2 hours)."""
    if tz is None or tz == "Z":
        return timedelta(0)
    sign = 1 if tz[0] == "+" else -1
    digits = tz[1:].replace(":", "")
    return sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:]))


def parse_timestamp(value: str) -> datetime:
    """Parse an ISO 8601 timestamp into an aware datetime in UTC. See README for the formats."""
    match = _TIMESTAMP.match(value.strip())
    if not match:
        raise ValueError(f"not an ISO 8601 timestamp: {value!r}")
    year, month, day = (int(part) for part in match["date"].split("-"))
    if match["h"] is None:
        return datetime(year, month, day, tzinfo=timezone.utc)
    micro = int(match["frac"]) if match["frac"] else 0
    local = datetime(
        year, month, day, int(match["h"]), int(match["m"]), int(match["s"]), micro, tzinfo=timezone.utc
    )
    return local + _offset(match["tz"])


def format_timestamp(moment: datetime) -> str:
    """Format an aware datetime as RFC 3339 UTC with millisecond precision."""
    if moment.tzinfo is None:
        raise ValueError("format_timestamp needs an aware datetime")
    utc = moment.astimezone(timezone.utc)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"
