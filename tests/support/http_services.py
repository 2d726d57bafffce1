"""Real HTTP services on loopback for probe tests: healthy, slow, failing, flapping.

Each route answers with a status, a body and an optional delay; a route can
fail its first N requests (a flapping service). A port with nothing
listening gives a real "connection refused".
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Route:
    status: int = 200
    body: str = "OK"
    delay: float = 0.0
    fail_first: int = 0  # answer 503 to the first N requests
    hits: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)


class Services:
    def __init__(self, server: ThreadingHTTPServer) -> None:
        self.server = server
        self.routes: dict[str, Route] = {}
        self.in_flight = 0
        self.max_in_flight = 0  # how many requests were being served at the same moment
        self.lock = threading.Lock()

    @property
    def base(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def add(self, path: str, **kwargs: object) -> str:
        self.routes[path] = Route(**kwargs)  # type: ignore[arg-type]
        return self.base + path


def _handler(services: Services) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:
            route = services.routes.get(self.path.split("?")[0])
            if route is None:
                self._answer(404, "not found")
                return
            with route.lock:
                route.hits += 1
                hit = route.hits
            with services.lock:
                services.in_flight += 1
                services.max_in_flight = max(services.max_in_flight, services.in_flight)
            try:
                if route.delay:
                    time.sleep(route.delay)
                if hit <= route.fail_first:
                    self._answer(503, "Service Unavailable")
                else:
                    self._answer(route.status, route.body)
            finally:
                with services.lock:
                    services.in_flight -= 1

        def _answer(self, status: int, body: str) -> None:
            data = body.encode()
            try:
                self.send_response(status)
                self.send_header("Content-Type", "text/plain; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the prober gave up waiting: that is the point of a timeout

        def log_message(self, format: str, *args: object) -> None:
            return

    return Handler


# The same routes behind TLS: tests/support/tls.py.
route_handler = _handler


@contextmanager
def serve(handler: Callable[..., BaseHTTPRequestHandler]) -> Iterator[ThreadingHTTPServer]:
    """A threaded HTTP server on a free loopback port, running `handler`, stopped on exit."""
    ThreadingHTTPServer.request_queue_size = 128
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


def base_url(server: ThreadingHTTPServer) -> str:
    host, port = server.server_address[:2]
    return f"http://{host}:{port}"


class JsonHandler(BaseHTTPRequestHandler):
    """A quiet request handler that answers JSON (or text)."""

    def send_json(self, status: int, body: Any) -> None:
        data = body.encode() if isinstance(body, str) else json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: object) -> None:
        return


@contextmanager
def serving() -> Iterator[Services]:
    with serve(BaseHTTPRequestHandler) as server:
        services = Services(server)
        server.RequestHandlerClass = _handler(services)
        yield services


def closed_port_url(path: str = "/") -> str:
    """A loopback URL where nothing listens."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}{path}"
