"""A platform request's answers read into what it asks, every malformed answer named by its field."""

from __future__ import annotations

import pytest

from responder.config.loader import Config
from responder.forms.answers import parse_body
from responder.forms.platform_answers import AskReading, read_ask
from responder.forms.specs import platform_form
from responder.model.platform import DnsRecord
from responder.model.quantities import parse_cpu
from tests.responder.forms.test_answers import platform_body


def reading(config: Config, request: str, **answers: str) -> AskReading:
    form = platform_form(config)
    assert form is not None
    parsed = parse_body(platform_body(request, **answers), form)
    assert parsed.valid, parsed.errors
    return read_ask(parsed, config, "alice")


def test_a_new_namespace_reads_its_answers(example_config: Config) -> None:
    result = reading(example_config, "New namespace", Namespace="team-a", Members="@dana, lee dana",
                     **{"CPU quota": "500m", "Pod limit": "12"})
    ask = result.ask
    assert ask is not None and result.problems == ()
    assert (ask.kind.key, ask.namespace, ask.members, ask.cpu, ask.pods, ask.requester) == (
        "new-namespace", "team-a", ("dana", "lee"), parse_cpu("0.5"), 12, "alice")
    assert ask.requested == "namespace=team-a members=dana,lee cpu=500m pods=12"


def test_answers_another_request_would_use_are_ignored(example_config: Config) -> None:
    result = reading(example_config, "Revoke namespace access", Namespace="team-a", Members="dana", Role="edit",
                     **{"CPU quota": "nonsense"})
    assert result.ask is not None and (result.ask.role, result.ask.cpu) == (None, None)


def test_a_record_is_read_in_its_canonical_form(example_config: Config) -> None:
    result = reading(example_config, "Add a DNS record", **{"Record name": "Wiki.Apps.Acme-Homelab.org.",
                                                           "Record type": "cname",
                                                           "Record value": "Ingress.Acme-Homelab.org."})
    assert result.ask is not None
    assert result.ask.record == DnsRecord("wiki.apps.acme-homelab.org", "CNAME", "ingress.acme-homelab.org")


@pytest.mark.parametrize(("request_kind", "answers", "problems"), [
    ("New namespace", {"Namespace": "team a"}, [("namespace", '"team a" is not a namespace name (lowercase letters, '
                                                              'digits and dashes)')]),
    ("Grant namespace access", {"Namespace": "team-a", "Members": "dana, -bad-", "Role": "view"},
     [("members", '"-bad-" is not a GitHub login')]),
    ("Change a namespace quota", {"Namespace": "team-a", "CPU quota": "2Gi", "Pod limit": "0"},
     [("cpu", "'2Gi' is not a CPU amount (expected cores or millicores, e.g. 2, 0.5 or 500m)"),
      ("pods", '"0" is not a whole number of pods (1 or more)')]),
    ("Add a DNS record", {"Record name": "wiki", "Record type": "A", "Record value": "::1"},
     [("record_name", '"wiki" is not a DNS name'),
      ("record_value", '"::1" is not an IPv4 address, which an A record needs')]),
    ("Add a DNS record", {"Record name": "a.apps.acme-homelab.org", "Record type": "AAAA",
                          "Record value": "192.0.2.1"},
     [("record_value", '"192.0.2.1" is not an IPv6 address, which an AAAA record needs')]),
    ("Monitor a URL", {"URL to monitor": "javascript:alert(1)", "Monitor name": "Team_Site",
                       "Monitor title": "T"},
     [("url", '"javascript:alert(1)" is not an http:// or https:// address'),
      ("service_name",
       '"Team_Site" is not a catalogue name (lowercase letters, digits and inner dashes, at most 63)')]),
])
def test_malformed_answers_are_named_by_field(example_config: Config, request_kind: str, answers: dict[str, str],
                                              problems: list[tuple[str, str]]) -> None:
    result = reading(example_config, request_kind, **answers)
    assert result.ask is None
    assert [(p.field, p.message) for p in result.problems] == problems
