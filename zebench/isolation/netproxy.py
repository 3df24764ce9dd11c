"""The registry proxy: what the scoring commands of a run reach on the network (docs/security.md#network).

Under bubblewrap, validation, baseline, warmup and check commands run without the host's network (``--unshare-net``:
no service of this machine on 127.0.0.1 is reachable, the Dask scheduler, ``zebench serve`` or anything listening
among them). Package installs reach the registries through this proxy: an HTTP proxy (``CONNECT host:port`` for
https, absolute URLs for http) that zebench serves on a Unix socket, bound into the sandbox, and that a small
forwarder inside the sandbox (zebench/isolation/_netfwd.py) offers on the sandbox's own 127.0.0.1. It connects only
to the registries of the user's package-manager settings: the public ones (npm, Yarn, PyPI), those configured in
``~/.npmrc``, ``.yarnrc.yml``, pip's configuration files and their environment variables, a fixture's own
``.npmrc``, and ``ZEBENCH_REGISTRIES`` (``host[:port]`` or URLs, comma-separated). Anything else is refused with
403. Package managers find the proxy through ``HTTP(S)_PROXY`` and ``npm_config_(https_)proxy``; other programs
have no network at all.

One proxy per zebench process, served by a thread of its own with its own event loop (so any event loop, and
several in turn, can use it).
"""

from __future__ import annotations

import asyncio
import atexit
import configparser
import os
import re
import shutil
import threading
from collections.abc import Iterable
from pathlib import Path
from urllib.parse import urlsplit

from .leftovers import process_folder

#: Registries every run may reach.
PUBLIC_REGISTRIES = (
    "https://registry.npmjs.org",
    "https://registry.yarnpkg.com",
    "https://repo.yarnpkg.com",
    "https://pypi.org",
    "https://files.pythonhosted.org",
)
REGISTRIES_ENV = "ZEBENCH_REGISTRIES"
#: Environment variables naming a registry or an index.
REGISTRY_VARIABLES = (
    "npm_config_registry",
    "NPM_CONFIG_REGISTRY",
    "YARN_REGISTRY",
    "YARN_NPM_REGISTRY_SERVER",
    "PIP_INDEX_URL",
    "PIP_EXTRA_INDEX_URL",
    "UV_INDEX_URL",
    "UV_EXTRA_INDEX_URL",
    "UV_DEFAULT_INDEX",
    "UV_INDEX",
)
NPMRC_REGISTRY_RE = re.compile(r"^\s*(?:@[\w.-]+:)?registry\s*=\s*(\S+)", re.MULTILINE)
YARNRC_REGISTRY_RE = re.compile(r"^\s*(?:npmRegistryServer|registry)\s*:?\s*[\"']?([^\"'\s]+)", re.MULTILINE)
#: Port the forwarder listens on inside the sandbox (its own network namespace: any port is free).
SANDBOX_PROXY_PORT = 3128
HEAD_LIMIT = 64 * 1024
CONNECT_TIMEOUT = 30.0


def _endpoint(text: str) -> tuple[str, int] | None:
    """(host, port) of a URL or ``host[:port]``; None for file paths and what is not a network address."""
    text = text.strip().strip("\"'")
    if not text or text.startswith(("file:", "/", ".")):
        return None
    if "://" not in text:
        text = "https://" + text
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return None
    return parts.hostname.lower(), port or (443 if parts.scheme == "https" else 80)


def read_or_empty(path: Path) -> str:
    """A settings file's text; empty when it is missing or unreadable."""
    try:
        return path.read_text(encoding="utf-8", errors="replace") if path.is_file() else ""
    except OSError:
        return ""


def configured_registries(extra_files: Iterable[Path] = ()) -> set[tuple[str, int]]:
    """The registries of this machine's package-manager settings (see the module docstring)."""
    urls: list[str] = list(PUBLIC_REGISTRIES)
    for name in REGISTRY_VARIABLES:
        urls += os.environ.get(name, "").split()
    urls += [u for u in re.split(r"[,\s]+", os.environ.get(REGISTRIES_ENV, "")) if u]
    home = Path.home()
    npmrcs = [home / ".npmrc", Path(os.environ.get("NPM_CONFIG_USERCONFIG", home / ".npmrc"))]
    npmrcs += [p for p in extra_files if p.name == ".npmrc"]
    for path in npmrcs:
        urls += NPMRC_REGISTRY_RE.findall(read_or_empty(path))
    for path in [home / ".yarnrc.yml", home / ".yarnrc", *(p for p in extra_files if p.name.startswith(".yarnrc"))]:
        urls += YARNRC_REGISTRY_RE.findall(read_or_empty(path))
    pip_files = [Path("/etc/pip.conf"), Path("/etc/xdg/pip/pip.conf"), home / ".config/pip/pip.conf"]
    pip_files += [home / ".pip/pip.conf"] + (
        [Path(os.environ["PIP_CONFIG_FILE"])] if "PIP_CONFIG_FILE" in os.environ else []
    )
    for path in pip_files:
        parser = configparser.ConfigParser(strict=False, interpolation=None)
        try:
            parser.read_string(read_or_empty(path))
        except configparser.Error:
            continue
        for section in parser.sections():
            for key in ("index-url", "extra-index-url", "index_url", "extra_index_url"):
                urls += parser.get(section, key, fallback="").split()
    return {e for e in map(_endpoint, urls) if e is not None}


class RegistryProxy:
    """An HTTP proxy on a Unix socket that connects to allowed (host, port) pairs only."""

    def __init__(self, allowed: set[tuple[str, int]]):
        self._allowed = set(allowed)
        self._lock = threading.Lock()
        self.folder = process_folder("proxy")
        os.chmod(self.folder, 0o755)  # the sandbox user must reach the socket
        self.socket_path = self.folder / "registry.sock"
        self.refused: list[str] = []
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._serve, name="zebench-registry-proxy", daemon=True)
        self._thread.start()
        self._ready.wait(10)

    def allow(self, endpoints: Iterable[tuple[str, int]]) -> None:
        with self._lock:
            self._allowed.update(endpoints)

    def revoke(self, endpoints: Iterable[tuple[str, int]]) -> None:
        with self._lock:
            self._allowed.difference_update(endpoints)

    def allowed(self, host: str, port: int) -> bool:
        with self._lock:
            return (host.lower(), port) in self._allowed

    def _serve(self) -> None:
        asyncio.set_event_loop(self._loop)

        async def start() -> None:
            await asyncio.start_unix_server(self._handle, path=str(self.socket_path))
            os.chmod(self.socket_path, 0o777)
            self._ready.set()

        self._loop.run_until_complete(start())
        self._loop.run_forever()

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), CONNECT_TIMEOUT)
        except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, TimeoutError, OSError):
            writer.close()
            return
        try:
            method, target, version = head.split(b"\r\n", 1)[0].decode("latin-1").split(" ", 2)
        except ValueError:
            await self._reply(writer, "400 Bad Request", "zebench: not an HTTP proxy request")
            return
        if method.upper() == "CONNECT":
            endpoint = _endpoint(target)
            rest = b""
        else:
            endpoint = _endpoint(target) if target.startswith("http://") else None
            path = urlsplit(target)
            origin = (path.path or "/") + (f"?{path.query}" if path.query else "")
            lines = head.split(b"\r\n")
            kept = [h for h in lines[1:] if h and not h.lower().startswith((b"proxy-", b"connection:"))]
            rest = b"\r\n".join(
                [f"{method} {origin} {version}".encode("latin-1"), *kept, b"Connection: close", b"", b""]
            )
        if endpoint is None or not self.allowed(*endpoint):
            self.refused.append(target)
            await self._reply(
                writer,
                "403 Forbidden",
                f"zebench: {target} is not a package registry this command may reach (docs/security.md#network)",
            )
            return
        try:
            up_reader, up_writer = await asyncio.wait_for(asyncio.open_connection(*endpoint), CONNECT_TIMEOUT)
        except (OSError, TimeoutError) as exc:
            await self._reply(writer, "502 Bad Gateway", f"zebench: cannot reach {target}: {exc}")
            return
        if rest:
            up_writer.write(rest)
        else:
            writer.write(b"HTTP/1.1 200 Connection established\r\n\r\n")
        await asyncio.gather(_pipe(reader, up_writer), _pipe(up_reader, writer), return_exceptions=True)

    @staticmethod
    async def _reply(writer: asyncio.StreamWriter, status: str, text: str) -> None:
        body = (text + "\n").encode()
        headers = f"Content-Type: text/plain\r\nContent-Length: {len(body)}\r\nConnection: close\r\n\r\n"
        writer.write(f"HTTP/1.1 {status}\r\n{headers}".encode() + body)
        try:
            await writer.drain()
        except OSError:
            pass
        writer.close()

    def close(self) -> None:
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(5)
        shutil.rmtree(self.folder, ignore_errors=True)


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while chunk := await reader.read(65536):
            writer.write(chunk)
            await writer.drain()
    finally:
        try:
            writer.close()
        except OSError:
            pass


_PROXY: RegistryProxy | None = None
_PROXY_LOCK = threading.Lock()


def registry_proxy() -> RegistryProxy:
    """This process's proxy, started at first use."""
    global _PROXY
    with _PROXY_LOCK:
        if _PROXY is None or not _PROXY.socket_path.exists():
            _PROXY = RegistryProxy(configured_registries())
            atexit.register(_PROXY.close)
        return _PROXY


#: Project folders whose registries this process's proxy already allows (by proxy): every run of a scenario asks.
_ALLOWED_PROJECTS: set[tuple[Path, Path]] = set()


def project_registries_allowed(folder: Path | None) -> bool:
    """Whether ``allow_project_registries(folder)`` has nothing left to do (a fixture does not change while zebench
    runs): the caller can skip it, and the thread it needs."""
    return folder is None or (_PROXY is not None and (_PROXY.folder, folder) in _ALLOWED_PROJECTS)


def allow_project_registries(folder: Path | None) -> None:
    """Add the registries a project's own settings name (a fixture's ``.npmrc``, ``.yarnrc.yml``: trusted, they
    are the scenario's) to this process's proxy."""
    if folder is None or project_registries_allowed(folder):
        return
    files = [folder / name for name in (".npmrc", ".yarnrc.yml", ".yarnrc")]
    found = configured_registries([f for f in files if f.is_file()])
    proxy = registry_proxy()
    proxy.allow(found)
    _ALLOWED_PROJECTS.add((proxy.folder, folder))


def proxy_env(port: int = SANDBOX_PROXY_PORT) -> dict[str, str]:
    """What tells package managers inside the sandbox where the proxy is."""
    url = f"http://127.0.0.1:{port}"
    return {
        "HTTP_PROXY": url,
        "HTTPS_PROXY": url,
        "http_proxy": url,
        "https_proxy": url,
        "npm_config_proxy": url,
        "npm_config_https_proxy": url,
        "YARN_HTTP_PROXY": url,
        "YARN_HTTPS_PROXY": url,
        "NO_PROXY": "",
        "no_proxy": "",
    }


__all__ = [
    "PUBLIC_REGISTRIES",
    "SANDBOX_PROXY_PORT",
    "RegistryProxy",
    "allow_project_registries",
    "configured_registries",
    "proxy_env",
    "registry_proxy",
]
