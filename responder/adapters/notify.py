"""Notifications through Apprise: the one adapter that tells people outside GitHub.

Why Apprise: it is a well-kept library behind about a hundred services (Slack, Matrix, ntfy,
Discord, Teams, email, generic JSON webhooks...), each named by one URL. One dependency and one
config key replace a client per chat service, and a team changes services by changing a secret.

`AppriseNotifier` satisfies the executor's Notifier port. Each `notify` target gets its own
Apprise object, made on first use (apprise is imported only then: start-up time matters), with
short timeouts. A target's URL comes from a secret (env: or vault:, through the run's secrets
resolver) or is written in responder.yml. A failure never raises: `send` returns a Delivery
counting the targets that took the message and the ones that did not, with a one-line problem
each, tokens redacted.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, TextIO

from responder.config.notify import NotifyTarget, credential_parts
from responder.model import notifications as events
from responder.model.notifications import Delivery, Notification
from responder.render.messages import render_message
from responder.render.redaction import process_redactor

if TYPE_CHECKING:
    from pathlib import Path

    from responder.config.loader import Config

log = logging.getLogger("responder.adapters.notify")

CONNECT_TIMEOUT = 3.0  # seconds to reach a service
READ_TIMEOUT = 5.0  # seconds for its answer
CALL_TIMEOUT = 10.0  # seconds for one target in all (a run never waits long on a chat service)
PROBLEM_LIMIT = 300

# Apprise's message types (colours, icons), by what happened.
_TYPES = {events.RESOLVED: "success", events.POSTMORTEM: "info", events.UPDATE_DUE: "info"}

# (target) -> (URL, problem): exactly one is None.
UrlSource = Callable[[NotifyTarget], tuple[str | None, str | None]]


class AppriseNotifier:
    """Sends each notification to every target whose filter wants it. Never raises."""

    def __init__(self, targets: Sequence[NotifyTarget], url_of: UrlSource, *, templates_dir: Path | None = None,
                 timeout: float = CALL_TIMEOUT) -> None:
        self.targets = tuple(targets)
        self._url_of = url_of
        self._templates_dir = templates_dir
        self._timeout = timeout
        self._apps: dict[int, Any] = {}

    def send(self, notification: Notification) -> Delivery:
        wanted = [target for target in self.targets if target.wants(notification)]
        if not wanted:
            return Delivery(0)
        title, body = render_message(notification, self._templates_dir)
        sent, problems = 0, []
        for target in wanted:
            problem = self._send_one(target, notification, title, body)
            if problem is None:
                sent += 1
            else:
                problems.append(_clean(f"{target.name}: {problem}"))
                log.warning("notification %s of #%d not delivered: %s", notification.event, notification.issue,
                            problems[-1])
        return Delivery(sent, len(problems), tuple(problems))

    def _send_one(self, target: NotifyTarget, notification: Notification, title: str, body: str) -> str | None:
        """None when the target took it, else why not."""
        try:
            app = self._app(target)
            if isinstance(app, str):
                return app
            from apprise import NotifyFormat, NotifyType

            kind = NotifyType(_TYPES.get(notification.event, "failure" if notification.severity in ("SEV1", "SEV2")
                                         else "warning"))
            result = app.notify(body=body, title=title, notify_type=kind, body_format=NotifyFormat.TEXT,
                                timeout=self._timeout)
        except Exception as exc:  # a notification must never fail the run, whatever the library does
            return f"{type(exc).__name__}: {exc}"
        if result:
            return None
        said = [entry.message for entry in result.logs() if entry.level in ("WARNING", "ERROR", "CRITICAL")]
        status = getattr(getattr(result, "status", None), "name", "FAILURE").lower()
        return "; ".join(said[-2:]) if said else f"the service did not take the message ({status})"

    def _app(self, target: NotifyTarget) -> Any:
        """The target's Apprise object, made once; a string says why there is none."""
        if target.index in self._apps:
            return self._apps[target.index]
        url, problem = self._url_of(target)
        if url is None:
            made: Any = problem or "no URL"
        else:
            for part in (url, *credential_parts(url)):
                process_redactor.add(part)
            made = _make_app(url)
        self._apps[target.index] = made
        return made


def _make_app(url: str) -> Any:
    import apprise

    app = apprise.Apprise()
    if not app.add(url):
        return "not a URL Apprise understands (see https://github.com/caronc/apprise/wiki for the services)"
    for service in app:
        # Short timeouts: an unreachable chat service must not hold a run (a URL's own cto/rto still win).
        if "cto=" not in url:
            service.socket_connect_timeout = CONNECT_TIMEOUT
        if "rto=" not in url:
            service.socket_read_timeout = READ_TIMEOUT
    return app


def _clean(text: str) -> str:
    text = process_redactor(" ".join(text.split()))
    return text if len(text) <= PROBLEM_LIMIT else text[: PROBLEM_LIMIT - 1] + "…"


def notifier_for(config: Config, env: Mapping[str, str], mask_stream: TextIO | None = None) -> AppriseNotifier | None:
    """The notifier of a run that executes decisions (handle, sweep, watch); None when nobody is to be told.

    References are resolved by the run's one secrets resolver, on first use: a run that tells
    nobody never reads the secret, and a secret that cannot be read is a failed delivery, not a
    failed run.
    """
    if not config.notify:
        return None
    from responder.adapters.secrets import resolver_for

    resolver = resolver_for(config, env, mask_stream=mask_stream)

    def url_of(target: NotifyTarget) -> tuple[str | None, str | None]:
        if target.reference is None:
            return target.url, None
        resolved = resolver.reference(f"notify[{target.index}].url", target.reference)
        return resolved.value, resolved.problem

    return AppriseNotifier(config.notify, url_of, templates_dir=config.templates_dir)
