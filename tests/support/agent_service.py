"""An agent service on loopback, speaking the seeds' API.

POST /execute {prompt, agent, max_budget_usd, timeout_seconds} -> {job_id};
GET /jobs/{id} -> {status, result, cost_usd}.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from tests.support.http_services import JsonHandler, base_url, serve


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

    class Handler(JsonHandler):

        def do_POST(self) -> None:
            state.headers.append(dict(self.headers))
            state.submitted.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
            if self.path != "/execute":
                self.send_json(404, {"detail": "Not Found"})
                return
            self.send_json(state.execute_status, state.execute_body if state.execute_body is not None
                       else {"job_id": "7d2f4c1e", "status": "queued"})

        def do_GET(self) -> None:
            if self.path != "/jobs/7d2f4c1e":
                self.send_json(404, {"detail": "job not found"})
                return
            answer = state.jobs[min(state.polls, len(state.jobs) - 1)]
            state.polls += 1
            self.send_json(200, answer)

    with serve(Handler) as server:
        state.url = base_url(server)
        yield state
