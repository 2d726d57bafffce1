"""The optional agent investigator: ask an agent service for a second opinion.

When `agent.url` is configured, the responder can send an issue to an
agent service (POST /execute with {prompt, agent, max_budget_usd,
timeout_seconds}, which answers with a job id) and poll GET /jobs/{id}
until the job ends. The answer becomes findings of stage `agent`.

Safety, in code:
- The issue's text goes into the prompt inside a block marked UNTRUSTED,
  fenced by a marker derived from the text itself, so the text cannot close
  the block early.
- Budgets are capped at $10 per issue and $5 per post-mortem whatever the
  configuration says.
- The answer is advisory: its findings are at most `warn`, carry no action,
  and nothing in this module can change anything. Only the deterministic,
  guarded path applies changes.
- A timeout, an error or an unreadable answer is reported as a finding;
  it never stops the run.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from responder.adapters.inputs import loads_or_none
from responder.config.agent import AgentSettings
from responder.errors import ResponderError
from responder.model.findings import Finding
from responder.render.redaction import process_redactor

if TYPE_CHECKING:
    import jinja2

    from responder.config.loader import Config
    from responder.model.events import Issue

log = logging.getLogger("responder.adapters.agent")

STAGE = "agent"
PURPOSES = ("issue", "postmortem")
_WAITING = frozenset({"queued", "pending", "running", "started", "in_progress"})
_DONE = frozenset({"completed", "complete", "succeeded", "success", "done", "finished"})
_BUDGET = frozenset({"budget_exceeded", "over_budget"})
_MAX_TEXT = 4000
_MAX_FINDINGS = 20
_TEMPLATES = Path(__file__).resolve().parent.parent / "render" / "templates" / "agent"


# Where an issue's agent spending is kept between runs: its state marker (responder/state.py).


class AgentError(ResponderError):
    """The agent service could not be reached or answered something unusable."""


class AgentBudgetRefused(AgentError):
    """The agent service refused the job because the budget is used up."""


@dataclass(frozen=True)
class AgentRequest:
    prompt: str
    agent: str
    max_budget_usd: float
    timeout_seconds: int

    def to_json(self) -> dict[str, Any]:
        return {"prompt": self.prompt, "agent": self.agent, "max_budget_usd": self.max_budget_usd,
                "timeout_seconds": self.timeout_seconds}


class AgentService(Protocol):
    """The two calls the responder makes; HttpAgentService is the real one."""

    def submit(self, request: AgentRequest) -> str: ...

    def job(self, job_id: str) -> Mapping[str, Any]: ...


# ---------------------------------------------------------------- pure core


def build_request(settings: AgentSettings, issue: Issue, findings: Sequence[Finding], *, purpose: str,
                  repository: str, service: str | None = None, budget: float | None = None) -> AgentRequest:
    if purpose not in PURPOSES:
        raise ValueError(f"purpose must be one of {PURPOSES}, got {purpose!r}")
    title = issue.title or ""
    body = issue.body or ""
    # Derived from the text, so the text cannot contain its own end marker.
    nonce = hashlib.sha256(f"{title}\0{body}".encode()).hexdigest()[:24]
    prompt = _template().render(
        purpose_text="an incident report" if purpose == "issue" else "a closed incident for its post-mortem",
        repository=repository,
        number=issue.number,
        service=service,
        findings=[f for f in findings if f.stage != STAGE],
        title=title[:300],
        body=body[:20000],
        nonce=nonce,
    )
    granted = settings.budget(purpose) if budget is None else min(budget, settings.budget(purpose))
    return AgentRequest(prompt, settings.agent_for(purpose), granted, settings.timeout_seconds)


def findings_from_job(job: Mapping[str, Any], budget: float) -> tuple[Finding, ...]:
    """What a finished job says, as advisory findings (never `fail`, never an action)."""
    status = str(job.get("status") or "").lower()
    cost = _number(job.get("cost_usd", job.get("total_cost_usd")))
    spent = f" (spent ${cost:.2f} of ${budget:.2f})" if cost is not None else ""
    if status in _BUDGET:
        return (Finding(STAGE, "agent:budget", "warn",
                        f"The agent stopped at its budget of ${budget:.2f} before it finished{spent}."),)
    if status not in _DONE:
        error = _text(job.get("error") or job.get("message") or status or "no status")
        return (Finding(STAGE, "agent:error", "warn", f"The agent job ended without a result ({status or 'unknown'})."
                        f"{spent}", error),)
    out: list[Finding] = []
    if cost is not None and cost > budget:
        out.append(Finding(STAGE, "agent:budget", "warn",
                           f"The agent service reports ${cost:.2f} spent, over the ${budget:.2f} budget."))
    result = job.get("result")
    parsed = _parse_result(result)
    if parsed is None:
        text = _text(result)
        if not text:
            return (*out, Finding(STAGE, "agent:error", "warn", f"The agent finished with an empty answer{spent}."))
        return (*out, Finding(STAGE, "agent:summary", "warn",
                              f"The agent's answer (advisory, not verified){spent}.", text))
    summary = _text(parsed.get("summary"))
    out.append(Finding(STAGE, "agent:summary", "warn", f"The agent's summary (advisory, not verified){spent}.",
                       summary))
    for item in (parsed.get("findings") or [])[:_MAX_FINDINGS]:
        if not isinstance(item, Mapping):
            continue
        check = "".join(ch for ch in _text(item.get("check"))[:60] if ch.isalnum() or ch in "-_.:") or "note"
        # Advisory: what the agent calls ok stays ok, anything else is at most a warning.
        status_of = "ok" if str(item.get("status")).lower() == "ok" else "warn"
        detail = _text(item.get("detail"))[:500]
        if detail:
            out.append(Finding(STAGE, f"agent:{check}", status_of, detail))
    return tuple(out)


def _parse_result(result: Any) -> Mapping[str, Any] | None:
    if isinstance(result, Mapping):
        return result
    if not isinstance(result, str):
        return None
    text = result.strip()
    if text.startswith("```"):
        text = text.strip("`").split("\n", 1)[-1] if "\n" in text else text
    start, end = text.find("{"), text.rfind("}")
    if start < 0 or end <= start:
        return None
    parsed = loads_or_none(text[start:end + 1])
    return parsed if isinstance(parsed, Mapping) else None


def _text(value: Any) -> str:
    if value is None:
        return ""
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return process_redactor(text.strip())[:_MAX_TEXT]


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


@cache
def _template() -> jinja2.Template:
    from responder.render.templating import make_environment

    # A plain-text prompt: the untrusted text is fenced by the template, not escaped.
    return make_environment([_TEMPLATES], autoescape=False, keep_trailing_newline=True).get_template(
        "investigate.txt.j2")


# ---------------------------------------------------------------- shell


class HttpAgentService:
    """The agent service over HTTP (requests)."""

    def __init__(self, url: str, token: str | None = None, *, request_timeout: float = 30.0) -> None:
        self.url = url.rstrip("/")
        self._token = token
        self._timeout = request_timeout
        if token:
            process_redactor.add(token)

    def _call(self, verb: str, path: str, body: Mapping[str, Any] | None = None) -> Any:
        import requests

        headers = {"Accept": "application/json"}
        if self._token:
            headers["Authorization"] = f"Bearer {self._token}"
        try:
            response = requests.request(verb, f"{self.url}{path}", json=body, headers=headers,
                                        timeout=self._timeout)
        except (requests.ConnectionError, requests.Timeout) as exc:
            raise AgentError(f"cannot reach the agent service at {self.url}: {type(exc).__name__}") from None
        if response.status_code == 402:
            raise AgentBudgetRefused("the agent service refused the job: its budget is used up (402)")
        if response.status_code >= 400:
            raise AgentError(f"the agent service answered {response.status_code} to {verb} {path}: "
                             f"{process_redactor(response.text.strip())[:200]}".rstrip(": "))
        try:
            return response.json()
        except ValueError:
            raise AgentError(f"the agent service answered {verb} {path} with something that is not JSON") from None

    def submit(self, request: AgentRequest) -> str:
        data = self._call("POST", "/execute", request.to_json())
        job_id = data.get("job_id", data.get("id")) if isinstance(data, Mapping) else None
        if not isinstance(job_id, str | int) or isinstance(job_id, bool) or not str(job_id).strip():
            raise AgentError("the agent service accepted the job but returned no job id")
        return str(job_id)

    def job(self, job_id: str) -> Mapping[str, Any]:
        from urllib.parse import quote

        data = self._call("GET", f"/jobs/{quote(job_id, safe='')}")
        if not isinstance(data, Mapping):
            raise AgentError("the agent service's job status is not a JSON object")
        return data


def investigate(
    config: Config,
    issue: Issue,
    findings_so_far: Sequence[Finding] = (),
    *,
    purpose: str = "issue",
    service_name: str | None = None,
    env: Mapping[str, str] | None = None,
    agent_service: AgentService | None = None,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
    budget_usd: float | None = None,
) -> tuple[Finding, ...]:
    """Ask the agent service about `issue`; () when no agent is configured. Never raises for outside failures.

    `budget_usd` is what is left of the issue's budget (AgentUsage.left); never more than the cap."""
    settings = config.agent
    if settings is None:
        return ()
    budget = settings.budget(purpose) if budget_usd is None else min(budget_usd, settings.budget(purpose))
    try:
        if agent_service is None:
            agent_service = HttpAgentService(settings.url, _token(config, env),
                                             request_timeout=min(30.0, float(settings.timeout_seconds)))
        request = build_request(settings, issue, findings_so_far, purpose=purpose,
                                repository=config.repository or "", service=service_name, budget=budget)
        job_id = agent_service.submit(request)
        log.info("agent job %s started for #%d (budget $%.2f)", job_id, issue.number, budget)
        deadline = clock() + settings.timeout_seconds
        job = agent_service.job(job_id)
        while str(job.get("status") or "").lower() in _WAITING:
            if clock() >= deadline:
                return (Finding(STAGE, "agent:timeout", "warn",
                                f"The agent did not answer within {settings.timeout_seconds} s; "
                                "the investigation went on without it."),)
            sleep(min(settings.poll_seconds, max(0.0, deadline - clock())))
            job = agent_service.job(job_id)
    except AgentBudgetRefused as exc:
        return (Finding(STAGE, "agent:budget", "warn", f"The agent service refused the ${budget:.2f} job; the "
                        "investigation went on without it.", exc.message),)
    except ResponderError as exc:
        log.warning("agent investigation of #%d failed: %s", issue.number, exc.message)
        return (Finding(STAGE, "agent:error", "warn", "The agent service could not be used; the investigation "
                        "went on without it.", process_redactor(exc.message)),)
    return findings_from_job(job, budget)


def _token(config: Config, env: Mapping[str, str] | None) -> str | None:
    import os

    from responder.adapters.secrets import resolver_for

    return resolver_for(config, env if env is not None else os.environ).optional("agent_token")
