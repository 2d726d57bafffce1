"""FakeGitHub served over real HTTP on loopback, for steps that run as subprocesses.

The replayed workflows run the responder in child processes, where the
`responses` mock cannot reach. This server answers each request with the
same FakeGitHub callbacks, in the same order of routes, so a replay and an
in-process test see one GitHub.

It also plays the part of GITHUB_TOKEN: each replayed job gets its own
token, issued for the job's `permissions:`, and a request the token does
not allow is refused the way GitHub refuses it (403 "Resource not
accessible by integration"). A token GitHub did not issue (a personal token
from a secret) may do anything.
"""

from __future__ import annotations

import json
import secrets
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from urllib.parse import urlparse

import requests

from tests.support import events
from tests.support.github_api import FakeGitHub
from tests.support.http_services import base_url, serve

LEVEL = {"none": 0, "read": 1, "write": 2}


@dataclass
class GitHubServer:
    fake: FakeGitHub
    url: str
    tokens: dict[str, dict[str, str]] = field(default_factory=dict)
    refused: list[tuple[str, str, str]] = field(default_factory=list)  # (method, path, why)
    served: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    # ------------------------------------------------------------ TokenAuthority

    def issue_token(self, permissions: Mapping[str, str]) -> str:
        token = "ghs_" + secrets.token_hex(18)
        self.tokens[token] = dict(permissions)
        return token

    def request_count(self) -> int:
        return self.served

    # ------------------------------------------------------------ serving

    def answer(self, method: str, path: str, headers: Mapping[str, str],
               body: bytes) -> tuple[int, dict[str, str], bytes]:
        with self.lock:
            self.served += 1
            url = self.url + path
            refusal = self._refusal(method, urlparse(url).path, headers.get("Authorization", ""))
            if refusal is not None:
                self.refused.append((method, urlparse(url).path, refusal[1]))
                return refusal[0], {"Content-Type": "application/json"}, json.dumps(
                    {"message": refusal[1], "documentation_url": "https://docs.github.com/rest",
                     "status": str(refusal[0])}).encode()
            for route_method, pattern, callback in self.fake.routes:
                if route_method == method and pattern.match(url):
                    request = requests.Request(method, url, headers=dict(headers), data=body or None).prepare()
                    status, answer_headers, text = callback(request)
                    return status, dict(answer_headers), text.encode() if isinstance(text, str) else text
            self.refused.append((method, urlparse(url).path, "no such endpoint in the stand-in"))
            return 404, {"Content-Type": "application/json"}, json.dumps(
                {"message": "Not Found", "documentation_url": "https://docs.github.com/rest"}).encode()

    def _refusal(self, method: str, path: str, authorization: str) -> tuple[int, str] | None:
        scheme, _, token = authorization.partition(" ")
        if scheme.lower() not in ("token", "bearer") or not token:
            # The repository is private: without a token, GitHub says it does not exist.
            return 401, "Requires authentication"
        permissions = self.tokens.get(token)
        if permissions is None:
            return None  # a personal token: not ours to limit
        scope, level = _needed(method, path)
        if LEVEL[permissions.get(scope, "none")] < LEVEL[level]:
            return 403, "Resource not accessible by integration"
        return None


def _needed(method: str, path: str) -> tuple[str, str]:
    """The GITHUB_TOKEN permission a REST call needs (the endpoints the responder uses)."""
    if "/collaborators/" in path:
        return "metadata", "read"
    if path.endswith("/graphql"):
        return "issues", "read"
    return "issues", "read" if method == "GET" else "write"


def _handler(server: GitHubServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _serve(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            status, headers, data = server.answer(self.command, self.path, dict(self.headers.items()), body)
            self.send_response(status)
            for key, value in headers.items():
                if key.lower() not in ("content-length", "transfer-encoding", "connection"):
                    self.send_header(key, value)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_POST = do_PATCH = do_PUT = do_DELETE = _serve

        def log_message(self, format: str, *args: object) -> None:
            return

    return Handler


@contextmanager
def serving(repo: str = events.REPO) -> Iterator[GitHubServer]:
    """A FakeGitHub for `repo` on a free loopback port; GITHUB_API_URL is `server.url`."""
    with serve(BaseHTTPRequestHandler) as http:
        url = base_url(http)
        server = GitHubServer(FakeGitHub(None, repo=repo, api=url), url)
        http.RequestHandlerClass = _handler(server)
        yield server
