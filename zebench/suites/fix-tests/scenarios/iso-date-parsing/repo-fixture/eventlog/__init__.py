"""Timestamp parsing and time-window selection for structured logs."""

from .timeparse import format_timestamp, parse_timestamp
from .window import Event, events_between, parse_line

__all__ = ["Event", "events_between", "format_timestamp", "parse_line", "parse_timestamp"]
