"""A local stand-in for model APIs, for tests and benchmarks: no test ever needs the network.

``FakeModelServer`` listens on 127.0.0.1 and speaks enough of two HTTP APIs for the real SDKs to work against it:

* the Anthropic Messages API (``POST /v1/messages``): text and tool_use blocks, usage with cache fields,
  errors with the API's JSON shape (429 rate_limit_error, 529 overloaded_error, 5xx);
* OpenAI-compatible chat completions (``POST /v1/chat/completions``, also under ``/api/v1`` as OpenRouter
  serves it): assistant messages with tool_calls, usage.

Responses are scripted per test: ``server.script_anthropic(item, ...)`` queues items served in order, where an
item is a response body (see the builders below), an ``Error``, or a callable taking the request JSON and
returning either. ``server.default_anthropic`` (a callable) answers when the queue is empty. Every request is
recorded in ``server.requests`` (path, headers, JSON body). ``latency`` seconds are added to each response.

Usage::

    with FakeModelServer() as server:
        server.script_anthropic(tool_use(("readFile", {"path": "a.py"})), text_message("done"))
        os.environ["ANTHROPIC_BASE_URL"] = server.url
"""

from __future__ import annotations

import itertools
import json
import socket
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

_ids = itertools.count(1)


def _id(prefix: str) -> str:
    return f"{prefix}_{next(_ids):08d}"


@dataclass
class Error:
    """An API error response: HTTP status, error type and message, optional headers (e.g. retry-after-ms)."""

    status: int
    type: str = "api_error"
    message: str = "scripted error"
    headers: dict[str, str] = field(default_factory=dict)


def rate_limited(retry_after_ms: int = 10) -> Error:
    return Error(429, "rate_limit_error", "Number of requests has exceeded your rate limit",
                 {"retry-after-ms": str(retry_after_ms), "retry-after": "0"})


def overloaded(retry_after_ms: int = 10) -> Error:
    return Error(529, "overloaded_error", "Overloaded", {"retry-after-ms": str(retry_after_ms), "retry-after": "0"})


# -- Anthropic Messages bodies ---------------------------------------------------------------------------------


def usage(
    input_tokens: int = 100, output_tokens: int = 50, cache_read: int = 0, cache_write: int = 0
) -> dict[str, int]:
    return {"input_tokens": input_tokens, "output_tokens": output_tokens,
            "cache_read_input_tokens": cache_read, "cache_creation_input_tokens": cache_write}


def text_message(text: str, *, stop_reason: str = "end_turn", model: str = "fake-model",
                 usage_: dict[str, int] | None = None) -> dict[str, Any]:
    return {"id": _id("msg"), "type": "message", "role": "assistant", "model": model,
            "content": [{"type": "text", "text": text}], "stop_reason": stop_reason, "stop_sequence": None,
            "usage": usage_ or usage()}


def tool_use(*calls: tuple[str, dict[str, Any]], text: str | None = None, model: str = "fake-model",
             usage_: dict[str, int] | None = None) -> dict[str, Any]:
    content: list[dict[str, Any]] = [{"type": "text", "text": text}] if text else []
    content += [{"type": "tool_use", "id": _id("toolu"), "name": name, "input": args} for name, args in calls]
    return {"id": _id("msg"), "type": "message", "role": "assistant", "model": model, "content": content,
            "stop_reason": "tool_use", "stop_sequence": None, "usage": usage_ or usage()}


# -- chat completions bodies ------------------------------------------------------------------------------------


def chat_message(text: str | None, *calls: tuple[str, dict[str, Any]], model: str = "fake-model",
                 prompt_tokens: int = 100, completion_tokens: int = 50, finish_reason: str | None = None,
                 raw_arguments: str | None = None) -> dict[str, Any]:
    tool_calls = [
        {"id": _id("call"), "type": "function",
         "function": {"name": name, "arguments": raw_arguments if raw_arguments is not None else json.dumps(args)}}
        for name, args in calls
    ]
    message: dict[str, Any] = {"role": "assistant", "content": text}
    if tool_calls:
        message["tool_calls"] = tool_calls
    return {
        "id": _id("chatcmpl"), "object": "chat.completion", "created": int(time.time()), "model": model,
        "choices": [{"index": 0, "message": message,
                     "finish_reason": finish_reason or ("tool_calls" if tool_calls else "stop")}],
        "usage": {"prompt_tokens": prompt_tokens, "completion_tokens": completion_tokens,
                  "total_tokens": prompt_tokens + completion_tokens},
    }


Responder = Callable[[dict[str, Any]], Any]


@dataclass
class RecordedRequest:
    path: str
    headers: dict[str, str]
    body: Any


class FakeModelServer:
    def __init__(self, latency: float = 0.0):
        self.latency = latency
        self.requests: list[RecordedRequest] = []
        self._queues: dict[str, deque[Any]] = {"anthropic": deque(), "chat": deque()}
        self.default_anthropic: Responder | None = None
        self.default_chat: Responder | None = None
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                                        name="fake-model-server", daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host.decode() if isinstance(host, bytes) else host}:{port}"

    def start(self) -> FakeModelServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> FakeModelServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def script_anthropic(self, *items: Any) -> None:
        self._queues["anthropic"].extend(items)

    def script_chat(self, *items: Any) -> None:
        self._queues["chat"].extend(items)

    def pending(self, api: str) -> int:
        return len(self._queues[api])

    def _next(self, api: str, body: Any) -> Any:
        with self._lock:
            queue = self._queues[api]
            item = queue.popleft() if queue else (self.default_anthropic if api == "anthropic" else self.default_chat)
        if item is None:
            return Error(500, "api_error", f"fake server: the {api} script is exhausted")
        return item(body) if callable(item) else item

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:  # keep test output clean
                pass

            def setup(self) -> None:
                super().setup()
                # Headers and body go out as two writes: without NODELAY, Nagle + delayed ACK add ~40 ms a call.
                self.request.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

            def do_POST(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                raw = self.rfile.read(length)
                try:
                    body = json.loads(raw or b"null")
                except json.JSONDecodeError:
                    body = None
                path = self.path.split("?", 1)[0]
                with server._lock:
                    server.requests.append(RecordedRequest(path, {k.lower(): v for k, v in self.headers.items()}, body))
                if path.endswith("/v1/messages"):
                    api = "anthropic"
                elif path.endswith("/chat/completions"):
                    api = "chat"
                else:
                    self._send(404, {"error": {"type": "not_found_error", "message": f"no route {path}"}})
                    return
                item = server._next(api, body)
                if server.latency:
                    time.sleep(server.latency)  # the server's own thread: simulates model latency
                if isinstance(item, Error):
                    if api == "anthropic":
                        payload = {"type": "error", "error": {"type": item.type, "message": item.message}}
                    else:
                        payload = {"error": {"message": item.message, "type": item.type, "code": item.status}}
                    self._send(item.status, payload, item.headers)
                else:
                    self._send(200, item)

            def _send(self, status: int, payload: Any, headers: dict[str, str] | None = None) -> None:
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(data)))
                self.send_header("request-id", _id("req"))
                for k, v in (headers or {}).items():
                    self.send_header(k, v)
                self.end_headers()
                self.wfile.write(data)

        return Handler
