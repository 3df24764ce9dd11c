"""What tests and benchmarks use: ``fakes`` (a local stand-in for the model APIs, ``FakeModelServer``, and Dask
processes on loopback, ``DaskProcesses``) and ``synthetic`` (generated run records). ``zebench.testing``'s names
below are the documented ones (docs/development.md)."""

from .fakes import (
    DaskProcesses,
    DaskWorkerProcess,
    Error,
    FakeModelServer,
    RecordedRequest,
    chat_message,
    overloaded,
    rate_limited,
    stream_events,
    text_message,
    tool_use,
    usage,
)

__all__ = [
    "DaskProcesses",
    "DaskWorkerProcess",
    "Error",
    "FakeModelServer",
    "RecordedRequest",
    "chat_message",
    "overloaded",
    "rate_limited",
    "stream_events",
    "text_message",
    "tool_use",
    "usage",
]
