"""Certificates of https services, read by the probes from real TLS servers on loopback.

The certificates are made here (a private CA and leaves it signs, or a self-signed one), their
validity set relative to the fixed test clock that the prober is given.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from responder.adapters.probes import Prober, ProbeTarget, host_matches, judge_certificate
from responder.config.loader import load_config
from responder.model.probes import Certificate, ProbeResult
from tests.support.http_services import closed_port_url, serving
from tests.support.tls import NOW, Authority, Leaf, serving_tls


@pytest.fixture(scope="module")
def authority() -> Authority:
    return Authority()


@pytest.fixture
def ca_file(authority: Authority, tmp_path: Path) -> Path:
    return authority.write(tmp_path)


def probe(leaf: Leaf, ca_file: Path | None, warn_days: int = 14, **route: object) -> ProbeResult:
    with serving_tls(leaf) as services:
        url = services.add("/health", **route)
        return Prober(now=lambda: NOW, retry_delay=0.05).probe(
            ProbeTarget("nextcloud", url, tls_warn_days=warn_days, ca_file=ca_file))


def test_a_valid_certificate_from_a_private_ca_is_ok(authority: Authority, ca_file: Path) -> None:
    result = probe(authority.issue(days_left=90), ca_file)
    assert (result.state, result.status) == ("ok", 200)
    assert result.tls.status == "ok"
    assert result.tls.detail == ("is valid until 2027-02-21 14:10 UTC (90 days), issued by Acme Homelab Test CA for "
                                 "localhost")
    assert result.tls.days_left == 90
    cert = result.tls.certificate
    assert (cert.subject, cert.names, cert.trusted, cert.hostname_ok) == (
        "localhost", ("localhost", "127.0.0.1"), True, True)
    assert (cert.not_before, cert.not_after) == ("2026-10-24T14:10:00Z", "2027-02-21T14:10:00Z")
    assert result.to_json()["tls"]["status"] == "ok"


def test_a_certificate_expiring_within_the_warning_is_a_warning_and_the_service_stays_ok(
        authority: Authority, ca_file: Path) -> None:
    result = probe(authority.issue(days_left=3), ca_file)
    assert result.state == "ok"
    assert (result.tls.status, result.tls.detail) == (
        "warn", "expires in 3 days (2026-11-26 14:10 UTC), within the 14-day warning: renew it")
    assert probe(authority.issue(days_left=3), ca_file, warn_days=2).tls.status == "ok"


@pytest.mark.parametrize(("make", "detail"), [
    (lambda ca: ca.issue(days_left=-2),
     "the certificate expired 2 days ago (2026-11-21 14:10 UTC); behind it, HTTP 200"),
    (lambda ca: ca.issue(["cloud.acme-homelab.org", "*.acme-homelab.org"]),
     "the certificate is not valid for localhost (it names cloud.acme-homelab.org, *.acme-homelab.org); behind it, "
     "HTTP 200"),
    (lambda ca: ca.self_signed(),
     "the certificate is not trusted (self-signed certificate; a private CA belongs in investigation.ca_file); "
     "behind it, HTTP 200"),
    (lambda ca: Authority("Someone Else's CA").issue(),
     "the certificate is not trusted (self-signed certificate in certificate chain; a private CA belongs in "
     "investigation.ca_file); behind it, HTTP 200"),
])
def test_a_certificate_a_browser_refuses_is_down_at_once_saying_why(authority: Authority, ca_file: Path, make: object,
                                                                     detail: str) -> None:
    result = probe(make(authority), ca_file)  # type: ignore[operator]
    assert (result.state, result.detail, result.status) == ("down", detail, 200)
    assert result.tls.status == "fail"
    assert result.attempts == 1  # a certificate is no blip: no second try


def test_without_the_ca_file_a_private_ca_is_not_trusted(authority: Authority) -> None:
    result = probe(authority.issue(), None)
    assert result.state == "down"
    assert result.tls.certificate.trust_problem == "self-signed certificate in certificate chain"


def test_every_problem_of_one_certificate_is_named(authority: Authority) -> None:
    result = probe(authority.issue(["other.example"], days_left=-40, days_old=400), None)
    assert result.detail == ("the certificate expired 40 days ago (2026-10-14 14:10 UTC) and is not valid for "
                             "localhost (it names other.example) and is not trusted (self-signed certificate in "
                             "certificate chain; a private CA belongs in investigation.ca_file); behind it, HTTP 200")
    assert result.tls.days_left == -40


def test_the_answer_behind_the_certificate_is_still_judged(authority: Authority, ca_file: Path) -> None:
    result = probe(authority.issue(days_left=3), ca_file, status=502, body="Bad Gateway")
    assert (result.state, result.detail, result.attempts) == ("down", "HTTP 502", 2)
    assert result.tls.status == "warn"


def test_a_hanging_https_service_still_shows_its_certificate(authority: Authority, ca_file: Path) -> None:
    with serving_tls(authority.issue(days_left=3)) as services:
        url = services.add("/hang", delay=2)
        result = Prober(now=lambda: NOW).probe(ProbeTarget("nextcloud", url, timeout=0.5, ca_file=ca_file))
    assert (result.state, result.detail, result.attempts) == ("down", "no answer within 0.5 s", 1)
    assert result.tls.status == "warn"


def test_no_tls_at_all_is_down_and_the_certificate_could_not_be_read() -> None:
    refused = Prober(now=lambda: NOW, retry_delay=0.05).probe(
        ProbeTarget("nextcloud", closed_port_url("/health").replace("http://", "https://"), timeout=2))
    assert (refused.state, refused.detail) == ("down", "connection refused")
    assert (refused.tls.status, refused.tls.detail) == ("warn", "could not be read: connection refused")
    with serving() as plain:
        url = plain.add("/health").replace("http://", "https://")
        result = Prober(now=lambda: NOW, retry_delay=0.05).probe(ProbeTarget("nextcloud", url, timeout=2))
    assert result.state == "down"
    assert result.detail.startswith("TLS handshake failed (")


def test_plain_http_has_no_certificate() -> None:
    with serving() as plain:
        result = Prober(now=lambda: NOW).probe(ProbeTarget("web", plain.add("/health")))
    assert result.tls is None and "tls" not in result.to_json()


@pytest.mark.parametrize(("host", "names", "matches"), [
    ("cloud.acme-homelab.org", ["cloud.acme-homelab.org"], True),
    ("CLOUD.acme-homelab.org.", ["cloud.acme-homelab.org"], True),
    ("cloud.acme-homelab.org", ["*.acme-homelab.org"], True),
    ("a.cloud.acme-homelab.org", ["*.acme-homelab.org"], False),  # a wildcard is one label
    ("acme-homelab.org", ["*.acme-homelab.org"], False),
    ("cloud.acme-homelab.org", ["mail.acme-homelab.org"], False),
    ("127.0.0.1", ["127.0.0.1"], True),
    ("127.0.0.1", ["localhost"], False),
    ("::1", ["0:0:0:0:0:0:0:1"], True),
])
def test_host_names_match_as_browsers_match_them(host: str, names: list[str], matches: bool) -> None:
    assert host_matches(host, names) is matches


@pytest.mark.parametrize(("now", "status", "detail"), [
    (NOW - timedelta(days=31), "fail", "is not valid before 2026-10-24 14:10 UTC"),
    (NOW, "ok", "is valid until 2026-12-23 14:10 UTC (30 days), issued by Test CA for localhost"),
    (NOW + timedelta(days=17), "warn", "expires in 13 days (2026-12-23 14:10 UTC), within the 14-day warning: "
                                       "renew it"),
    (NOW + timedelta(days=29, hours=21), "warn", "expires in 3 hours (2026-12-23 14:10 UTC), within the 14-day "
                                                 "warning: renew it"),
    (NOW + timedelta(days=30), "fail", "expired 1 minute ago (2026-12-23 14:10 UTC)"),
    (NOW + timedelta(days=30, minutes=90), "fail", "expired 90 minutes ago (2026-12-23 14:10 UTC)"),
])
def test_dates_are_judged_with_the_clock_given(now: object, status: str, detail: str) -> None:
    cert = Certificate("localhost", "localhost", ("localhost",), "Test CA", "2026-10-24T14:10:00Z",
                       "2026-12-23T14:10:00Z", trusted=True)
    verdict = judge_certificate(cert, now, 14)  # type: ignore[arg-type]
    assert (verdict.status, verdict.detail) == (status, detail)


def test_targets_take_the_warning_and_the_ca_from_the_config(tmp_path: Path, ca_file: Path) -> None:
    path = tmp_path / "responder.yml"
    path.write_text(f"""\
investigation: {{tls_warn_days: 21, ca_file: {ca_file.name}}}
services:
  - {{name: cloud, title: Cloud, tier: critical, url: "https://cloud.example/status", tls_warn_days: 30}}
  - {{name: mail, title: Mail, tier: critical, url: "https://mail.example/"}}
""", encoding="utf-8")
    cloud, mail = (ProbeTarget.for_service(service) for service in load_config(path).services)
    assert (cloud.tls_warn_days, cloud.ca_file) == (30, ca_file)
    assert (mail.tls_warn_days, mail.ca_file) == (21, ca_file)

