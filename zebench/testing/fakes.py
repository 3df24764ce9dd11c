"""A local stand-in for model APIs, for tests and benchmarks: no test ever needs the network.

``FakeModelServer`` listens on 127.0.0.1 and speaks enough of two HTTP APIs for the real SDKs to work against it:

* the Anthropic Messages API (``POST /v1/messages``): text and tool_use blocks, usage with cache fields,
  errors with the API's JSON shape (429 rate_limit_error, 529 overloaded_error, 5xx); a request with
  ``"stream": true`` gets the same message as server-sent events (message_start, content blocks with text and
  input_json deltas, message_delta, message_stop), as the Claude Code CLI asks for it;
* OpenAI-compatible chat completions (``POST /v1/chat/completions``, also under ``/api/v1`` as OpenRouter
  serves it): assistant messages with tool_calls, usage.

Responses are scripted per test: ``server.script_anthropic(item, ...)`` queues items served in order, where an
item is a response body (see the builders below), an ``Error``, or a callable taking the request JSON and
returning either. ``server.default_anthropic`` (a callable) answers when the queue is empty. Every request is
recorded in ``server.requests`` (path, headers, JSON body, method: requests to other paths or with other methods
too, answered 404). ``latency`` seconds are added to each response.

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
    return Error(
        429,
        "rate_limit_error",
        "Number of requests has exceeded your rate limit",
        {"retry-after-ms": str(retry_after_ms), "retry-after": "0"},
    )


def overloaded(retry_after_ms: int = 10) -> Error:
    return Error(529, "overloaded_error", "Overloaded", {"retry-after-ms": str(retry_after_ms), "retry-after": "0"})


# -- Anthropic Messages bodies ---------------------------------------------------------------------------------


def usage(
    input_tokens: int = 100, output_tokens: int = 50, cache_read: int = 0, cache_write: int = 0
) -> dict[str, int]:
    return {
        "input_tokens": input_tokens,
        "output_tokens": output_tokens,
        "cache_read_input_tokens": cache_read,
        "cache_creation_input_tokens": cache_write,
    }


def text_message(
    text: str, *, stop_reason: str = "end_turn", model: str = "fake-model", usage_: dict[str, int] | None = None
) -> dict[str, Any]:
    return {
        "id": _id("msg"),
        "type": "message",
        "role": "assistant",
        "model": model,
        "content": [{"type": "text", "text": text}],
        "stop_reason": stop_reason,
        "stop_sequence": None,
        "usage": usage_ or usage(),
    }


def tool_use(
    *calls: tuple[str, dict[str, Any]],
    text: str | None = None,
    model: str = "fake-model",
    usage_: dict[str, int] | None = None,
) -> dict[str, Any]:
    content: list[dict[str, Any]] = [{"type": "text", "text": text}] if text else []
    content += [{"type": "tool_use", "id": _id("toolu"), "name": name, "input": args} for name, args in calls]
    return {
        "id": _id("msg"),
        "type": "message",
        "role": "assistant",
        "model": model,
        "content": content,
        "stop_reason": "tool_use",
        "stop_sequence": None,
        "usage": usage_ or usage(),
    }


def stream_events(message: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """A Messages API response body as the API streams it: (event name, data) pairs. The usage is the API's:
    input and cache tokens in message_start, the final (cumulative) counts in message_delta."""
    message_usage = dict(message.get("usage") or usage())
    start = {**message, "content": [], "stop_reason": None, "stop_sequence": None, "usage": {**message_usage}}
    start["usage"]["output_tokens"] = 1
    events: list[tuple[str, dict[str, Any]]] = [("message_start", {"type": "message_start", "message": start})]
    for index, block in enumerate(message.get("content") or []):
        if block.get("type") == "tool_use":
            first = {**block, "input": {}}
            delta = {"type": "input_json_delta", "partial_json": json.dumps(block.get("input") or {})}
        else:
            first = {**block, "text": ""}
            delta = {"type": "text_delta", "text": block.get("text", "")}
        events += [
            ("content_block_start", {"type": "content_block_start", "index": index, "content_block": first}),
            ("content_block_delta", {"type": "content_block_delta", "index": index, "delta": delta}),
            ("content_block_stop", {"type": "content_block_stop", "index": index}),
        ]
    final = {"stop_reason": message.get("stop_reason"), "stop_sequence": message.get("stop_sequence")}
    events.append(("message_delta", {"type": "message_delta", "delta": final, "usage": message_usage}))
    events.append(("message_stop", {"type": "message_stop"}))
    return events


# -- chat completions bodies ------------------------------------------------------------------------------------


def chat_message(
    text: str | None,
    *calls: tuple[str, dict[str, Any]],
    model: str = "fake-model",
    prompt_tokens: int = 100,
    completion_tokens: int = 50,
    finish_reason: str | None = None,
    raw_arguments: str | None = None,
) -> dict[str, Any]:
    tool_calls = [
        {
            "id": _id("call"),
            "type": "function",
            "function": {"name": name, "arguments": raw_arguments if raw_arguments is not None else json.dumps(args)},
        }
        for name, args in calls
    ]
    message: dict[str, Any] = {"role": "assistant", "content": text}
    if tool_calls:
        message["tool_calls"] = tool_calls
    return {
        "id": _id("chatcmpl"),
        "object": "chat.completion",
        "created": int(time.time()),
        "model": model,
        "choices": [
            {"index": 0, "message": message, "finish_reason": finish_reason or ("tool_calls" if tool_calls else "stop")}
        ],
        "usage": {
            "prompt_tokens": prompt_tokens,
            "completion_tokens": completion_tokens,
            "total_tokens": prompt_tokens + completion_tokens,
        },
    }


Responder = Callable[[dict[str, Any]], Any]


@dataclass
class RecordedRequest:
    path: str
    headers: dict[str, str]
    body: Any
    method: str = "POST"


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
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, name="fake-model-server", daemon=True
        )

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

            def do_GET(self) -> None:
                # Recorded (a client may probe more than the two APIs), answered 404 as an unknown route
                path = self.path.split("?", 1)[0]
                with server._lock:
                    server.requests.append(
                        RecordedRequest(path, {k.lower(): v for k, v in self.headers.items()}, None, self.command)
                    )
                if self.command == "HEAD":  # headers only
                    self.send_response(404)
                    self.send_header("content-length", "0")
                    self.end_headers()
                    return
                self._send(404, {"error": {"type": "not_found_error", "message": f"no route {self.command} {path}"}})

            do_HEAD = do_DELETE = do_PUT = do_GET

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
                elif api == "anthropic" and isinstance(body, dict) and body.get("stream"):
                    self._send_events(stream_events(item))
                else:
                    self._send(200, item)

            def _send_events(self, events: list[tuple[str, dict[str, Any]]]) -> None:
                data = "".join(f"event: {name}\ndata: {json.dumps(event)}\n\n" for name, event in events).encode()
                self.send_response(200)
                self.send_header("content-type", "text/event-stream")
                self.send_header("content-length", str(len(data)))
                self.send_header("request-id", _id("req"))
                self.end_headers()
                self.wfile.write(data)

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


# --------------------------------------------------------------------------------------------------------------
# A Dask cluster as separate processes (tests and benchmarks of ``zebench run --executor dask``)
# --------------------------------------------------------------------------------------------------------------


@dataclass
class DaskWorkerProcess:
    name: str
    #: The ``dask worker`` process (under bubblewrap when it hides folders): its own process group.
    proc: Any
    #: This worker's zebench cache (ZEBENCH_CACHE_DIR): where the scenario content it received is kept.
    cache: Any
    log: Any
    killed: bool = False


@dataclass
class DaskProcesses:
    """A ``dask scheduler`` and ``dask worker`` processes started as a user starts them on their hosts (the
    command line, not a LocalCluster), on 127.0.0.1, each in its own process group and folder under ``root``.

    ``start_worker(hide=[path, ...])`` runs the worker under bubblewrap with those folders replaced by empty ones:
    a worker that cannot see the coordinator's suites. ``kill_worker`` is kill -9 (a lost machine). ``close``
    (also the context manager's exit) kills whatever is left. Usage::

        with DaskProcesses(tmp_path) as cluster:
            address = cluster.start_scheduler()
            cluster.start_worker("w1", nthreads=2)
            cluster.wait_for_workers()
    """

    root: Any
    scheduler: Any = None
    address: str | None = None
    workers: dict[str, DaskWorkerProcess] = field(default_factory=dict)
    timeout: float = 120.0

    def __enter__(self) -> DaskProcesses:  # a dataclass, never subclassed
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _start(self, argv: list[str], log: Any, cwd: Any, env: dict[str, str] | None = None) -> Any:
        import os
        import subprocess

        with open(log, "ab") as out:
            return subprocess.Popen(
                argv,
                cwd=cwd,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                env={**os.environ, **(env or {})},
                start_new_session=True,
            )

    def start_scheduler(self) -> str:
        """Starts ``dask scheduler`` on a free port of 127.0.0.1; returns its address."""
        import sys
        from pathlib import Path

        root = Path(self.root)
        root.mkdir(parents=True, exist_ok=True)
        info = root / "scheduler.json"
        log = root / "scheduler.log"
        self.scheduler = self._start(
            [
                sys.executable,
                "-m",
                "dask",
                "scheduler",
                "--host",
                "127.0.0.1",
                "--port",
                "0",
                "--no-dashboard",
                "--scheduler-file",
                str(info),
            ],
            log,
            root,
        )
        deadline = time.monotonic() + self.timeout
        while not info.is_file() or not info.read_text().strip().endswith("}"):
            if self.scheduler.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"dask scheduler did not start:\n{log.read_text(errors='replace')}")
            time.sleep(0.05)
        self.address = str(json.loads(info.read_text())["address"])
        return self.address

    def start_worker(
        self,
        name: str,
        *,
        nthreads: int = 1,
        hide: list[Any] | tuple[Any, ...] = (),
        env: dict[str, str] | None = None,
        nanny: bool = False,
        args: list[str] | tuple[str, ...] = (),
    ) -> DaskWorkerProcess:
        """Starts ``dask worker ADDRESS --nthreads N [args]`` in its own folder with its own zebench cache; ``env``
        is added to this process's environment (API keys: workers read them from their own)."""
        import sys
        from pathlib import Path

        assert self.address is not None, "start_scheduler() first"
        home = Path(self.root) / name
        cache = home / "cache"
        cache.mkdir(parents=True, exist_ok=True)
        argv = [
            sys.executable,
            "-m",
            "dask",
            "worker",
            self.address,
            "--name",
            name,
            "--nthreads",
            str(nthreads),
            "--no-dashboard",
            "--local-directory",
            str(home / "dask"),
            "--nanny" if nanny else "--no-nanny",
            *args,
        ]
        if hide:
            # bubblewrap: the same machine, but those folders are empty tmpfs mounts for the worker
            argv = [
                "bwrap",
                "--dev-bind",
                "/",
                "/",
                *[a for p in hide for a in ("--tmpfs", str(p))],
                "--die-with-parent",
                "--",
                *argv,
            ]
        log = home / "worker.log"
        proc = self._start(argv, log, home, {"ZEBENCH_CACHE_DIR": str(cache), **(env or {})})
        worker = self.workers[name] = DaskWorkerProcess(name, proc, cache, log)
        return worker

    def wait_for_workers(self) -> None:
        """Until the scheduler knows exactly the workers started and not killed (RuntimeError with their logs if
        one of them died)."""
        import distributed

        assert self.address is not None
        Client: Any = distributed.Client  # untyped
        wanted = {n for n, w in self.workers.items() if not w.killed}
        with Client(self.address, timeout=self.timeout) as client:
            deadline = time.monotonic() + self.timeout
            while {w["name"] for w in client.scheduler_info(n_workers=-1)["workers"].values()} != wanted:
                dead = [n for n in wanted if self.workers[n].proc.poll() is not None]
                if dead or time.monotonic() > deadline:
                    logs = "\n".join(
                        f"--- {w.name}\n{w.log.read_text(errors='replace')}" for w in self.workers.values()
                    )
                    raise RuntimeError(f"dask workers {sorted(wanted)} did not connect:\n{logs}")
                time.sleep(0.05)

    def kill_worker(self, name: str) -> None:
        """kill -9 the worker (its whole process group: bubblewrap, the worker, the commands of its runs)."""
        self.workers[name].killed = True
        self._kill(self.workers[name].proc)

    @staticmethod
    def _kill(proc: Any) -> None:
        import os
        import signal

        if proc.poll() is None:
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        proc.wait()

    def close(self) -> None:
        for worker in self.workers.values():
            self._kill(worker.proc)
        if self.scheduler is not None:
            self._kill(self.scheduler)
