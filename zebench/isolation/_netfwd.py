"""Inside a sandbox without a network: offers zebench's registry proxy on the sandbox's own 127.0.0.1.

Started by zebench.sandbox as ``python -I -S _netfwd.py SOCKET PORT -- ARGV`` (standard library only): it listens on
127.0.0.1:PORT, starts ARGV as its child (every fd but the listening socket is inherited, so a result channel
passes through), relays each connection to the Unix socket SOCKET (zebench.isolation.netproxy, bound into the
sandbox), and exits with the command's status once it ends. Killing it, or connecting to the socket directly,
reaches nothing but the proxy, which reaches nothing but the registries.
"""

from __future__ import annotations

import os
import signal
import socket
import sys
import threading


def _relay(src: socket.socket, dst: socket.socket) -> None:
    try:
        while chunk := src.recv(65536):
            dst.sendall(chunk)
    except OSError:
        pass
    finally:
        for sock in (src, dst):
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


def _serve(listener: socket.socket, path: str) -> None:
    while True:
        try:
            client, _ = listener.accept()
        except OSError:
            return
        upstream = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            upstream.connect(path)
        except OSError:
            client.close()
            upstream.close()
            continue
        for a, b in ((client, upstream), (upstream, client)):
            threading.Thread(target=_relay, args=(a, b), daemon=True).start()


def main(args: list[str]) -> int:
    path, port = args[0], int(args[1])
    argv = args[3:] if len(args) > 2 and args[2] == "--" else args[2:]
    listener = socket.create_server(("127.0.0.1", port))  # close-on-exec: the command does not inherit it
    child = os.fork()
    if child == 0:
        try:
            for signum in (signal.SIGPIPE, signal.SIGXFSZ, signal.SIGINT):
                signal.signal(signum, signal.SIG_DFL)
            os.execvp(argv[0], argv)
        except BaseException as exc:
            os.write(2, f"cannot run {argv[0]!r}: {exc}\n".encode())
            os._exit(127)
    threading.Thread(target=_serve, args=(listener, path), daemon=True).start()
    while True:
        try:
            _, status = os.waitpid(child, 0)
            break
        except InterruptedError:
            continue
    code = os.waitstatus_to_exitcode(status)
    return 128 - code if code < 0 else code


if __name__ == "__main__":
    status = main(sys.argv[1:])
    os._exit(status)
