"""An agent service on loopback, speaking the seeds' API.

POST /execute {prompt, agent, max_budget_usd, timeout_seconds} -> {job_id};
GET /jobs/{id} -> {status, result, cost_usd}.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class AgentService:
    jobs: list[dict[str, Any]] = field(default_factory=list)  # answers to GET /jobs/{id}, in order
    execute_status: int = 202
    execute_body: Any = None
    submitted: list[dict[str, Any]] = field(default_factory=list)
    headers: list[dict[str, str]] = field(default_factory=list)
    polls: int = 0
    url: str = ""


@contextmanager
def serving_agent() -> Iterator[AgentService]:
    """An agent service on loopback; set `jobs` to the answers GET /jobs/{id} gives, in order."""
    state = AgentService()

    class Handler(BaseHTTPRequestHandler):
        def _send(self, status: int, body: Any) -> None:
            data = body.encode() if isinstance(body, str) else json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_POST(self) -> None:
            state.headers.append(dict(self.headers))
            state.submitted.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
            if self.path != "/execute":
                self._send(404, {"detail": "Not Found"})
                return
            self._send(state.execute_status, state.execute_body if state.execute_body is not None
                       else {"job_id": "7d2f4c1e", "status": "queued"})

        def do_GET(self) -> None:
            if self.path != "/jobs/7d2f4c1e":
                self._send(404, {"detail": "job not found"})
                return
            answer = state.jobs[min(state.polls, len(state.jobs) - 1)]
            state.polls += 1
            self._send(200, answer)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.url = f"http://127.0.0.1:{server.server_port}"
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
