"""The Apprise notifier against a real JSON receiver on loopback: what arrives, and what a failure does."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from responder.adapters.notify import AppriseNotifier, notifier_for
from responder.config.loader import load_config
from responder.config.notify import NotifyTarget
from responder.config.secrets import EnvReference
from responder.decision.notify_actions import notification
from responder.model.notifications import Notification
from responder.model.severity_levels import Severity
from responder.render.redaction import process_redactor
from tests.support.notify_receiver import Receiver, receiving, refused_url

ISSUE = "https://github.com/acme-homelab/infra/issues/42"
HOSTILE = "@acme/oncall #1 fixes #2 [log in here](https://evil.example/login) <!channel> " + "x" * 5000


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with receiving() as running:
        yield running


def literal(url: str, index: int = 0, **kwargs: object) -> NotifyTarget:
    return NotifyTarget(index, url, None, **kwargs)  # type: ignore[arg-type]


def notifier(*targets: NotifyTarget) -> AppriseNotifier:
    return AppriseNotifier(targets, lambda target: (target.url, None), timeout=5)


def escalated(title: str = "Nextcloud answers 502") -> Notification:
    from responder.config.loader import Service

    nextcloud = Service("nextcloud", "Nextcloud", "critical", runbook="https://docs.acme-homelab.org/runbooks/nc/")
    return notification("escalated", issue=42, url=ISSUE, title=title, reason="Escalated: no safe remedy is known",
                        severity="SEV1", service=nextcloud, runbook=True)


def test_the_message_names_the_service_and_level_and_links_the_issue_and_runbook(receiver: Receiver) -> None:
    delivery = notifier(literal(receiver.url)).send(escalated())
    assert (delivery.sent, delivery.failed) == (1, 0)
    [message] = receiver.messages
    assert message["title"] == "SEV1 · nextcloud: a person is needed (#42)"
    assert message["message"].splitlines() == [
        "SEV1 · nextcloud: a person is needed.",
        "Escalated: no safe remedy is known",
        "Issue #42: “Nextcloud answers 502”",
        ISSUE,
        "Runbook: https://docs.acme-homelab.org/runbooks/nc/",
    ]
    assert message["type"] == "failure"


def test_issue_text_arrives_quoted_neutralised_and_capped(receiver: Receiver) -> None:
    notifier(literal(receiver.url)).send(escalated(HOSTILE))
    [message] = receiver.messages
    quoted = message["message"].splitlines()[2]
    assert quoted.startswith("Issue #42: “@\u200bacme/oncall #\u200b1 f\u200bixes #\u200b2 [log in here]\u200b(")
    text = message["title"] + message["message"]
    for live in ("@acme", "#1", "fixes #2", "](", "https://evil", "<!channel>"):
        assert live not in text
    assert len(quoted) < 140 and quoted.endswith("…”")  # the title is capped at 120 characters


@pytest.mark.parametrize("broken", ["answers 500", "refuses"])
def test_a_failing_target_is_counted_and_never_raises(receiver: Receiver, broken: str) -> None:
    if broken == "answers 500":
        receiver.status = 500
        url = receiver.url
    else:
        url = refused_url()
    good = literal(receiver.url.replace("/hook", "/other"), 1) if broken == "refuses" else None
    targets = [literal(url), *([good] if good else [])]
    delivery = notifier(*targets).send(escalated())
    assert delivery.failed == 1 and delivery.sent == (1 if good else 0)
    [problem] = delivery.problems
    assert problem.startswith("notify[0] (json:// URL): ")


def test_targets_only_hear_what_they_asked_for(receiver: Receiver) -> None:
    quiet = literal(receiver.url, 0, min_severity=Severity.SEV2, events=frozenset({"resolved"}))
    assert notifier(quiet).send(escalated()).sent == 0
    assert receiver.messages == []


def test_a_url_apprise_does_not_know_or_a_secret_not_set_is_a_failed_delivery(tmp_path: Path) -> None:
    unknown = notifier(literal("nosuchservice://x")).send(escalated())
    assert unknown.failed == 1 and "not a URL Apprise understands" in unknown.problems[0]
    config = load_config(_config(tmp_path, 'notify:\n  - url: "env:SLACK_WEBHOOK_URL"\n'))
    assert config.notify[0].reference == EnvReference("SLACK_WEBHOOK_URL")
    unset = notifier_for(config, {})
    assert unset is not None
    delivery = unset.send(escalated())
    assert delivery.failed == 1
    assert delivery.problems[0].startswith("notify[0] (env:SLACK_WEBHOOK_URL): not set")


def test_a_url_from_the_environment_reaches_the_receiver_and_is_kept_out_of_problems(
        tmp_path: Path, receiver: Receiver) -> None:
    config = load_config(_config(tmp_path, 'notify:\n  - url: "env:SLACK_WEBHOOK_URL"\n'))
    secret_path = "hook-" + "s3cr3tT0k3n" * 3
    receiver.status = 500
    sent = notifier_for(config, {"SLACK_WEBHOOK_URL": receiver.url.replace("/hook", "/" + secret_path)})
    assert sent is not None
    delivery = sent.send(escalated())
    assert delivery.failed == 1 and len(receiver.messages) == 1
    assert secret_path not in " ".join(delivery.problems)
    assert process_redactor(f"see {secret_path}") == "see [REDACTED]"


def test_no_targets_no_notifier(tmp_path: Path) -> None:
    assert notifier_for(load_config(_config(tmp_path, "")), {}) is None


def _config(tmp_path: Path, extra: str) -> Path:
    path = tmp_path / "responder.yml"
    path.write_text("services:\n  - {name: nextcloud, title: Nextcloud, tier: critical}\n" + extra, encoding="utf-8")
    return path
