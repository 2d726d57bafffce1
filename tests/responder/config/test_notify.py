"""The `notify` section: targets as frozen records, a pure filter, and every problem reported with its path."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from responder.cli.main import main
from responder.config.loader import load_config
from responder.config.notify import NotifyTarget, credential_parts
from responder.config.secrets import EnvReference, VaultReference
from responder.errors import ConfigError
from responder.model.notifications import Notification
from responder.model.severity_levels import Severity

SERVICES = """\
services:
  - {name: nextcloud, title: Nextcloud, tier: critical}
  - {name: mail, title: Mail, tier: critical}
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "responder.yml"
    path.write_text(SERVICES + text, encoding="utf-8")
    return path


def notice(event: str = "opened", severity: str | None = "SEV2", service: str | None = "nextcloud") -> Notification:
    return Notification(event, 42, "https://github.com/acme/infra/issues/42", "Nextcloud 502", "Classified SEV2",
                        severity=severity, service=service)


def test_targets_are_read_with_their_references_and_defaults(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, """\
secrets:
  vault: {url: "https://vault.example:8200", auth: kubernetes, role: ci}
notify:
  - url: "env:SLACK_WEBHOOK_URL"
    events: [opened, escalated]
    min_severity: SEV2
    services: [nextcloud]
  - url: "vault:secret/responder#ntfy_url"
  - url: "ntfy://incidents"
"""))
    slack, vault, ntfy = config.notify
    assert slack.reference == EnvReference("SLACK_WEBHOOK_URL")
    assert slack.events == frozenset({"opened", "escalated"}) and slack.min_severity is Severity.SEV2
    assert slack.services == ("nextcloud",)
    assert vault.reference == VaultReference("secret", "responder", "ntfy_url")
    assert ntfy.reference is None and ntfy.min_severity is Severity.SEV4 and len(ntfy.events) == 6
    assert [t.name for t in config.notify] == ["notify[0] (env:SLACK_WEBHOOK_URL)",
                                               "notify[1] (vault:secret/responder#ntfy_url)",
                                               "notify[2] (ntfy:// URL)"]


@pytest.mark.parametrize(("target", "wanted", "why"), [
    (NotifyTarget(0), notice(), "everything by default"),
    (NotifyTarget(0, events=frozenset({"escalated"})), notice(), "not an event it asked for"),
    (NotifyTarget(0, min_severity=Severity.SEV2), notice(severity="SEV1"), "more serious than its floor"),
    (NotifyTarget(0, min_severity=Severity.SEV2), notice(severity="SEV2"), "at its floor"),
    (NotifyTarget(0, min_severity=Severity.SEV2), notice(severity="SEV3"), "less serious than its floor"),
    (NotifyTarget(0, min_severity=Severity.SEV2), notice(severity=None), "no level, and it has a floor"),
    (NotifyTarget(0, services=("mail",)), notice(), "another service"),
    (NotifyTarget(0, services=("nextcloud",)), notice(), "its service"),
])
def test_wants_is_a_pure_filter_on_event_level_and_service(target: NotifyTarget, wanted: Notification,
                                                           why: str) -> None:
    expected = why in ("everything by default", "more serious than its floor", "at its floor", "its service")
    assert target.wants(wanted) is expected, why


def test_every_notify_problem_is_listed_with_the_others(tmp_path: Path) -> None:
    path = write(tmp_path, """\
escalation:
  tiers: [[ana], [bo], [Ana]]
  targets: {SEV1: {respond: 5 minutes}}
notify:
  - url: "env:SLACK"
    services: [nextclod]
  - url: "vault:secret/x#y"
  - url: "hooks.slack.com/services/T0/B0/abc"
  - url: "ntfy://incidents"
    min_severity: SEV5
    events: [opened, paged]
""")
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert list(caught.value.problems) == [
        f"{path}: escalation.targets.SEV1.respond: expected a duration such as 5m, 2h or 1d, or next-business-day, "
        "got '5 minutes'",
        f"{path}: notify[2].url: expected env:NAME, vault:<mount>/<path>#<key> or an Apprise URL such as "
        "ntfy://topic, got a value that is not a reference (not shown: it may be the secret itself; put it in an "
        "environment variable or Vault and name that here)",
        f"{path}: notify[3].events[1]: expected one of opened, escalated, update-due, unacknowledged, resolved, "
        "postmortem, got 'paged'",
        f"{path}: notify[3].min_severity: expected one of SEV1, SEV2, SEV3, SEV4, got 'SEV5'",
    ]
    # With the shapes right, the rules a schema cannot say are reported together.
    path.write_text(path.read_text().replace("5 minutes", "5m").replace("hooks.slack", "https://hooks.slack")
                    .replace("SEV5", "SEV2").replace(", paged", ""))
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert list(caught.value.problems) == [
        f"{path}: escalation.tiers[2]: Ana is already in tiers[0]",
        f"{path}: notify[0].services[0]: unknown service 'nextclod' (did you mean 'nextcloud'?)",
        f"{path}: notify[1].url: a vault: reference needs a secrets.vault section (url, auth, role)",
    ]


@pytest.mark.parametrize(("url", "parts"), [
    ("slack://T1234ABCD/B1234ABCD/abcdefghijklmnop1234qrst", ("abcdefghijklmnop1234qrst",)),
    ("discord://123456789012345678/AbCdEf0123456789GhIjKl", ("AbCdEf0123456789GhIjKl",)),  # the id is no secret
    ("mailtos://alerts:hunter2secret@mail.example.org", ("hunter2secret",)),
    ("json://hooks.example.org/incident?token=9f8e7d6c5b4a39281716", ("9f8e7d6c5b4a39281716",)),
    ("ntfy://incidents", ()),
    ("json://127.0.0.1:8080/hook", ()),
])
def test_credentials_in_a_literal_url_are_found(url: str, parts: tuple[str, ...]) -> None:
    assert credential_parts(url) == parts


def test_check_config_warns_about_a_literal_url_with_a_credential_and_never_prints_it(tmp_path: Path) -> None:
    path = write(tmp_path, """\
notify:
  - url: "slack://T1234ABCD/B1234ABCD/abcdefghijklmnop1234qrst"
  - url: "ntfy://incidents"
""")
    out, err = io.StringIO(), io.StringIO()
    assert main(["check-config", "--config", str(path)], env={}, stdout=out, stderr=err) == 0
    assert out.getvalue().splitlines()[1:] == [
        f"warning: {path}: notify[0].url: this literal URL seems to hold a credential, and responder.yml is "
        "committed: put the URL in a secret and write env:NAME or vault:<mount>/<path>#<key> here instead"]
    assert "abcdefghijklmnop" not in out.getvalue() + err.getvalue()
    out = io.StringIO()
    assert main(["check-config", "--config", str(path), "--format", "json"], env={}, stdout=out, stderr=err) == 0
    assert [w["path"] for w in json.loads(out.getvalue())["warnings"]] == ["notify[0].url"]
